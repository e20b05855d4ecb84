//! From raw entries to a validated [`Model`]: keys and types checked against
//! the field tables, ids indexed, references resolved. Every problem is
//! collected; nothing stops at the first.
//!
//! Sections are built in dependency order (countries, model, categories,
//! organisations, systems, then the rest), so every CSV row is checked and
//! turned into its final struct while it is read, against indexes that are
//! already complete: no row is kept in an intermediate form. Cells borrow
//! from the text or the reader's record; only what the model keeps is copied.

use std::borrow::Cow;
use std::hash::BuildHasher;
use std::path::Path;
use std::sync::Arc;

use foldhash::fast::FixedState;

use super::country::{self, CountryCode};
use super::diag::{Diagnostic, LoadError, Location, suggest};
use super::fields::{Field, FieldType, Section};
use super::source::{self, CsvSink, FileKind, Pos, RawEntry, RawValue, Sources};
use super::*;
use crate::progress::Task;
use crate::threads::alongside;

mod index;
mod pieces;

use index::{Index, head, prefetch};
use pieces::{Cuts, Pieces, Stretch, side_by_side};

/// A checked value; references are still names until the ids are indexed.
#[derive(Debug, Clone)]
enum Value<'a> {
    Text(Cow<'a, str>),
    List(Vec<(Cow<'a, str>, Pos)>),
    Date(Date),
    Bool(bool),
    Count(u64),
}

/// A key of a section, found in the field tables when the program is compiled.
#[derive(Debug, Clone, Copy)]
struct Key {
    section: Section,
    index: usize,
    name: &'static str,
}

const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const fn position(section: Section, name: &str) -> Option<usize> {
    let fields = section.fields();
    let mut i = 0;
    while i < fields.len() {
        if same(fields[i].name, name) {
            return Some(i);
        }
        i += 1;
    }
    None
}

impl Key {
    const fn of(section: Section, name: &'static str) -> Key {
        match position(section, name) {
            Some(index) => Key {
                section,
                index,
                name,
            },
            None => panic!("the key is not declared in fields.rs"),
        }
    }
}

/// `k!(Access, "who")`: a key checked at compile time.
macro_rules! k {
    ($section:ident, $name:literal) => {
        const { Key::of(Section::$section, $name) }
    };
}

/// The keys every section may share, by section.
#[derive(Clone, Copy)]
struct Common {
    note: Option<usize>,
    source: Option<usize>,
    since: Option<usize>,
    until: Option<usize>,
}

const COMMON: [Common; 9] = {
    let mut out = [Common {
        note: None,
        source: None,
        since: None,
        until: None,
    }; 9];
    let mut i = 0;
    while i < Section::ALL.len() {
        let s = Section::ALL[i];
        out[s as usize] = Common {
            note: position(s, "note"),
            source: position(s, "source"),
            since: position(s, "since"),
            until: position(s, "until"),
        };
        i += 1;
    }
    out
};

/// Each section's required keys, bit `i` for key `i`.
const REQUIRED: [u32; 9] = {
    let mut out = [0; 9];
    let mut i = 0;
    while i < Section::ALL.len() {
        let s = Section::ALL[i];
        let fields = s.fields();
        let mut k = 0;
        while k < fields.len() {
            if fields[k].required {
                out[s as usize] |= 1 << k;
            }
            k += 1;
        }
        i += 1;
    }
    out
};

/// The most keys a section declares; an entry keeps one slot per key (and
/// one bit of `Entry::written`).
const MAX_FIELDS: usize = 16;
const _: () = {
    let mut i = 0;
    while i < Section::ALL.len() {
        assert!(Section::ALL[i].fields().len() <= MAX_FIELDS);
        i += 1;
    }
};

/// Names an entry, key and list item (`access[3].categories[1]`), formatted
/// only when a diagnostic needs it.
#[derive(Debug, Clone, Copy)]
struct Label<'a> {
    section: Section,
    /// `None` for `[model]`, which is a single table.
    index: Option<usize>,
    key: Option<&'a str>,
    item: Option<usize>,
}

impl<'a> Label<'a> {
    fn key(self, key: &'a str) -> Label<'a> {
        Label {
            key: Some(key),
            ..self
        }
    }
    fn item(self, item: usize) -> Label<'a> {
        Label {
            item: Some(item),
            ..self
        }
    }
}

impl std::fmt::Display for Label<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.section.key())?;
        if let Some(i) = self.index {
            write!(f, "[{i}]")?;
        }
        if let Some(k) = self.key {
            write!(f, ".{k}")?;
        }
        if let Some(i) = self.item {
            write!(f, "[{i}]")?;
        }
        Ok(())
    }
}

/// One entry's keys, one slot per key of its section.
struct Entry<'a> {
    section: Section,
    index: Option<usize>,
    pos: Pos,
    at: At<'a>,
    values: Values<'a>,
    /// Keys written, valid or not (bit `i` for key `i`): a key with a bad
    /// value is reported for its value, not a second time as missing.
    written: u32,
}

/// Where an entry starts, as its [`Location`] will say, with the file's
/// path borrowed: a row's entry makes its location only when something
/// keeps it, so the path's shared count is touched once per row, not three
/// times.
#[derive(Clone, Copy)]
struct At<'a> {
    file: &'a Arc<Path>,
    line: usize,
    column: Option<usize>,
}

impl At<'_> {
    fn location(&self) -> Location {
        Location {
            file: self.file.clone(),
            line: self.line,
            column: self.column,
        }
    }
}

/// Where an entry's values are.
// An entry lives on the stack while its row is read: boxing the slots would
// cost an allocation per checked entry to save stack space nobody needs.
#[allow(clippy::large_enum_variant)]
enum Values<'a> {
    /// Checked one by one: TOML entries, and CSV rows with a problem.
    Checked([Option<(Value<'a>, Pos)>; MAX_FIELDS]),
    /// A CSV row whose every cell passed [`quick_cell`]: read in place, as
    /// the checked slots would hold it.
    Cells(Row<'a>),
}

/// A CSV row's cells, trimmed, and the column of each key.
#[derive(Clone, Copy)]
struct Row<'a> {
    cells: &'a [&'a str],
    columns: &'a [Option<usize>; MAX_FIELDS],
    file: u32,
    start: usize,
    /// `since` and `until`, parsed when the cells were checked.
    window: Window,
}

impl<'a> Row<'a> {
    /// The cell of key `index`, if it is not empty, and its place.
    fn cell(&self, index: usize) -> Option<(&'a str, Pos)> {
        let column = self.columns[index]?;
        let cell = self.cells[column];
        (!cell.is_empty()).then(|| (cell, Pos::cell(self.file, self.start, column)))
    }
}

/// Whether a trimmed, non-empty CSV cell passes [`Builder::check_value`]
/// without a diagnostic: only then is its row read in place. `visible`: the
/// cell's bytes are all visible ASCII, which an id may hold any of.
fn quick_cell(spec: &Field, cell: &str, visible: bool) -> bool {
    match spec.ty {
        FieldType::Text => true,
        FieldType::Id if visible => cell.len() <= super::limits::MAX_ID_BYTES,
        FieldType::Id => super::limits::id_problem(spec.name, cell).is_none(),
        FieldType::Country => CountryCode::parse(cell).is_some(),
        FieldType::Choice(words) => words.contains(&cell),
        FieldType::Date => parse_date(cell).is_some(),
        FieldType::Bool => matches!(cell, "true" | "false"),
        FieldType::Count => cell.parse::<i64>().is_ok_and(|n| n >= 0),
        // Too long to be sure the count is under the limit: checked.
        _ if cell.len() > 2 * super::limits::MAX_LIST_ITEMS => false,
        FieldType::CountryList => list_items(cell).all(|c| CountryCode::parse(c).is_some()),
        FieldType::ChoiceList(words) => list_items(cell).all(|c| words.contains(&c)),
        FieldType::IdList | FieldType::TextList => true,
    }
}

/// The items of a list written in one CSV cell: separated by `;`, trimmed,
/// empty ones left out.
fn list_items(cell: &str) -> ListItems<'_> {
    ListItems(Some(cell))
}

/// What is left of the cell, if anything: items are a few bytes long, so a
/// plain byte loop finds each `;` sooner than a general search starts.
struct ListItems<'a>(Option<&'a str>);

impl<'a> Iterator for ListItems<'a> {
    type Item = &'a str;
    fn next(&mut self) -> Option<&'a str> {
        loop {
            let rest = self.0?;
            // `;` is ASCII: the string splits at a character boundary.
            let item = match rest.bytes().position(|b| b == b';') {
                Some(end) => {
                    self.0 = Some(&rest[end + 1..]);
                    &rest[..end]
                }
                None => {
                    self.0 = None;
                    rest
                }
            };
            let item = source::trim_cell(item);
            if !item.is_empty() {
                return Some(item);
            }
        }
    }
}

/// A list key's items with their places.
enum Items<'v, 'a> {
    Checked(std::slice::Iter<'v, (Cow<'a, str>, Pos)>),
    /// Every item of a cell is at the cell's place.
    Cell(ListItems<'a>, Pos),
}

impl<'v, 'a: 'v> Iterator for Items<'v, 'a> {
    type Item = (&'v str, Pos);
    fn next(&mut self) -> Option<(&'v str, Pos)> {
        match self {
            Items::Checked(items) => items.next().map(|(s, p)| (&**s, *p)),
            Items::Cell(items, pos) => items.next().map(|s| (s, *pos)),
        }
    }
}

impl<'a> Entry<'a> {
    fn new(section: Section, index: Option<usize>, pos: Pos, at: At<'a>) -> Entry<'a> {
        Entry {
            section,
            index,
            pos,
            at,
            values: Values::Checked([const { None }; MAX_FIELDS]),
            written: 0,
        }
    }
    /// The text of key `index` if its type is held as text.
    fn str_at(&self, index: Option<usize>) -> Option<&str> {
        let index = index?;
        match &self.values {
            Values::Checked(slots) => match &slots[index] {
                Some((Value::Text(t), _)) => Some(t),
                _ => None,
            },
            Values::Cells(row) => match self.section.fields()[index].ty {
                FieldType::Text | FieldType::Id | FieldType::Country | FieldType::Choice(_) => {
                    row.cell(index).map(|(cell, _)| cell)
                }
                _ => None,
            },
        }
    }
    fn date_at(&self, index: Option<usize>) -> Option<Date> {
        let index = index?;
        match &self.values {
            Values::Checked(slots) => match &slots[index] {
                Some((Value::Date(d), _)) => Some(*d),
                _ => None,
            },
            Values::Cells(row) => match self.section.fields()[index].ty {
                FieldType::Date => parse_date(row.cell(index)?.0),
                _ => None,
            },
        }
    }
    fn pos_at(&self, index: Option<usize>) -> Option<Pos> {
        let index = index?;
        match &self.values {
            Values::Checked(slots) => slots[index].as_ref().map(|(_, p)| *p),
            Values::Cells(row) => row.cell(index).map(|(_, p)| p),
        }
    }
    fn str(&self, key: Key) -> Option<&str> {
        debug_assert_eq!(key.section, self.section);
        self.str_at(Some(key.index))
    }
    fn text(&self, key: Key) -> Option<String> {
        self.str(key).map(str::to_string)
    }
    /// Whether the key holds a valid value.
    fn has(&self, key: Key) -> bool {
        self.pos_of(key).is_some()
    }
    fn list(&self, key: Key) -> Option<Items<'_, 'a>> {
        debug_assert_eq!(key.section, self.section);
        match &self.values {
            Values::Checked(slots) => match &slots[key.index] {
                Some((Value::List(l), _)) => Some(Items::Checked(l.iter())),
                _ => None,
            },
            Values::Cells(row) => match self.section.fields()[key.index].ty {
                t if t.is_list() => {
                    let (cell, pos) = row.cell(key.index)?;
                    Some(Items::Cell(list_items(cell), pos))
                }
                _ => None,
            },
        }
    }
    fn bool(&self, key: Key) -> Option<bool> {
        debug_assert_eq!(key.section, self.section);
        match &self.values {
            Values::Checked(slots) => match &slots[key.index] {
                Some((Value::Bool(b), _)) => Some(*b),
                _ => None,
            },
            Values::Cells(row) => match self.section.fields()[key.index].ty {
                FieldType::Bool => row.cell(key.index).map(|(cell, _)| cell == "true"),
                _ => None,
            },
        }
    }
    fn count(&self, key: Key) -> Option<u64> {
        debug_assert_eq!(key.section, self.section);
        match &self.values {
            Values::Checked(slots) => match &slots[key.index] {
                Some((Value::Count(n), _)) => Some(*n),
                _ => None,
            },
            Values::Cells(row) => match self.section.fields()[key.index].ty {
                FieldType::Count => {
                    let n = row.cell(key.index)?.0.parse::<i64>().ok()?;
                    u64::try_from(n).ok()
                }
                _ => None,
            },
        }
    }
    fn date(&self, key: Key) -> Option<Date> {
        debug_assert_eq!(key.section, self.section);
        self.date_at(Some(key.index))
    }
    fn pos_of(&self, key: Key) -> Option<Pos> {
        debug_assert_eq!(key.section, self.section);
        self.pos_at(Some(key.index))
    }
    fn label(&self) -> Label<'static> {
        Label {
            section: self.section,
            index: self.index,
            key: None,
            item: None,
        }
    }
    fn key_label(&self, key: Key) -> Label<'static> {
        self.label().key(key.name)
    }
    fn meta(&self) -> Meta {
        let common = COMMON[self.section as usize];
        Meta::new(
            self.str_at(common.note).map(str::to_string),
            self.str_at(common.source).map(str::to_string),
            Some(self.location()),
        )
    }
    /// Where the entry starts.
    fn location(&self) -> Location {
        self.at.location()
    }
    fn window(&self) -> Window {
        if let Values::Cells(row) = &self.values {
            return row.window;
        }
        let common = COMMON[self.section as usize];
        Window {
            since: self.date_at(common.since),
            until: self.date_at(common.until),
        }
    }
}

struct Builder<'s> {
    sources: &'s Sources,
    progress: &'s Task,
    diagnostics: Vec<Diagnostic>,
    countries: Vec<CountryCode>,
    had_syntax_errors: bool,
    /// Per TOML file with a syntax error, the first line of the entry that
    /// holds it (see [`source::parse_toml`]).
    garbled: Vec<(u32, usize)>,
    /// Whether CSV rows that pass [`quick_cell`] are read in place.
    quick_rows: bool,
    /// CSV tables of at least this many bytes of rows are read in two halves
    /// on two threads; `usize::MAX` on a builder that already has a thread
    /// of its own.
    split_at: usize,
}

impl<'s> Builder<'s> {
    /// A builder for another thread, with the same sources and country codes.
    fn fork(&self) -> Builder<'s> {
        Builder {
            sources: self.sources,
            progress: self.progress,
            diagnostics: Vec::new(),
            countries: self.countries.clone(),
            had_syntax_errors: false,
            garbled: Vec::new(),
            quick_rows: self.quick_rows,
            split_at: self.split_at,
        }
    }

    /// Takes in what a forked builder found.
    fn absorb(&mut self, mut other: Builder<'s>) {
        self.diagnostics.append(&mut other.diagnostics);
        self.had_syntax_errors |= other.had_syntax_errors;
    }

    fn error(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    fn location(&self, pos: Pos) -> Location {
        self.sources.location(pos)
    }

    /// Where a key's value was written, else where its entry starts.
    fn location_of(&self, entry: &Entry, key: Key) -> Location {
        entry
            .pos_of(key)
            .map(|p| self.location(p))
            .unwrap_or_else(|| entry.location())
    }

    fn check_entry<'a>(&mut self, raw: RawEntry<'a>, index: Option<usize>) -> Entry<'a>
    where
        's: 'a,
    {
        let section = raw.section;
        let Location { line, column, .. } = self.location(raw.pos);
        let file = &self.sources.files[raw.pos.file as usize].path;
        let at = At { file, line, column };
        let mut entry = Entry::new(section, index, raw.pos, at);
        for field in raw.fields {
            match position(section, &field.key) {
                Some(i) => self.check_field(&mut entry, i, field.value, field.pos),
                None => self.unknown_key(entry.label(), &field.key, field.key_pos),
            }
        }
        self.finish_entry(&entry);
        entry
    }

    fn unknown_key(&mut self, label: Label, key: &str, key_pos: Pos) {
        let section = label.section;
        let known = section.fields().iter().map(|f| f.name);
        let mut d = Diagnostic::new(
            "unknown-key",
            format!("unknown key `{key}` in {}", section.key()),
        )
        .at(Some(self.location(key_pos)))
        .entry(label.key(key).to_string());
        d = match suggest(key, known) {
            Some(s) => d.help(format!("did you mean `{s}`?")),
            None => d.help(format!(
                "known keys are {}",
                section
                    .fields()
                    .iter()
                    .map(|f| f.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        };
        self.error(d);
    }

    fn check_field<'a>(
        &mut self,
        entry: &mut Entry<'a>,
        field: usize,
        value: RawValue<'a>,
        pos: Pos,
    ) {
        let spec = &entry.section.fields()[field];
        let label = entry.label().key(spec.name);
        entry.written |= 1 << field;
        if let Some(value) = self.check_value(spec, value, pos, label) {
            // A repeated CSV column: the first cell counts.
            let Values::Checked(slots) = &mut entry.values else {
                unreachable!("only an entry being checked takes values")
            };
            let slot = &mut slots[field];
            if slot.is_none() {
                *slot = Some((value, pos));
            }
        }
    }

    /// What every entry needs once its keys are checked: required keys, a window that can apply.
    fn finish_entry(&mut self, entry: &Entry) {
        let section = entry.section;
        let missing = REQUIRED[section as usize] & !entry.written;
        let fields = section.fields().iter().enumerate();
        for (i, spec) in fields.take_while(|_| missing != 0) {
            if missing & (1 << i) != 0 {
                self.error(
                    Diagnostic::new(
                        "missing-key",
                        format!("{} is missing required key `{}`", section.key(), spec.name),
                    )
                    .at(Some(entry.location()))
                    .entry(entry.label().to_string())
                    .help(format!(
                        "add `{} = ...`: {}",
                        spec.name,
                        spec.doc.to_lowercase()
                    )),
                );
            }
        }
        let window = entry.window();
        if window.is_empty() {
            let until = COMMON[section as usize].until;
            let at = entry
                .pos_at(until)
                .map(|p| self.location(p))
                .unwrap_or_else(|| entry.location());
            self.error(
                Diagnostic::new(
                    "empty-window",
                    format!(
                        "until ({}) is not after since ({}): the entry would never apply",
                        window.until.map(|d| d.to_string()).unwrap_or_default(),
                        window.since.map(|d| d.to_string()).unwrap_or_default()
                    ),
                )
                .at(Some(at))
                .entry(entry.label().key("until").to_string())
                .help("until is exclusive: the entry applies while since <= date < until"),
            );
        }
    }

    fn check_value<'a>(
        &mut self,
        spec: &Field,
        value: RawValue<'a>,
        pos: Pos,
        label: Label,
    ) -> Option<Value<'a>> {
        let sources = self.sources;
        let in_cell = matches!(value, RawValue::Cell(_));
        let wrong = |found: &str| {
            Diagnostic::new(
                "wrong-type",
                format!(
                    "`{}` must be {}, found {found}",
                    spec.name,
                    spec.ty.describe()
                ),
            )
            .at(Some(sources.location(pos)))
            .entry(label.to_string())
            .help(if in_cell {
                format!("write {} in the cell", spec.ty.describe())
            } else {
                format!("write it as {}", spec.ty.example(spec.name))
            })
        };
        // A CSV cell takes its type from the key.
        let value = match value {
            RawValue::Cell(text) => match spec.ty {
                t if t.is_list() => return self.cell_list(spec, text, pos, label),
                FieldType::Bool => match text {
                    "true" => RawValue::Bool(true),
                    "false" => RawValue::Bool(false),
                    _ => {
                        self.error(wrong(&format!("\"{text}\"")));
                        return None;
                    }
                },
                FieldType::Count => match text.parse::<i64>() {
                    Ok(n) => RawValue::Int(n),
                    Err(_) => {
                        self.error(wrong(&format!("\"{text}\"")));
                        return None;
                    }
                },
                _ => RawValue::Str(Cow::Borrowed(text)),
            },
            other => other,
        };
        let found = |v: &RawValue| match v {
            RawValue::Str(s) => format!("the string \"{s}\""),
            RawValue::Int(i) => format!("the number {i}"),
            RawValue::Bool(b) => format!("{b}"),
            RawValue::Date(d) => format!("the date {d}"),
            RawValue::List(_) => "a list".into(),
            RawValue::Cell(s) => format!("\"{s}\""),
            RawValue::InvalidDate { written, .. } => format!("the impossible date {written}"),
            RawValue::Other(what) => format!("a {what}"),
        };
        match spec.ty {
            FieldType::Text | FieldType::Id => match value {
                RawValue::Str(s)
                    if spec.ty == FieldType::Id && source::trim_cell(&s).is_empty() =>
                {
                    self.error(wrong("an empty string"));
                    None
                }
                RawValue::Str(s) if spec.ty == FieldType::Id => {
                    match super::limits::id_problem(spec.name, &s) {
                        Some((message, help)) => {
                            self.error(
                                Diagnostic::new("bad-id", message)
                                    .at(Some(sources.location(pos)))
                                    .entry(label.to_string())
                                    .help(help),
                            );
                            None
                        }
                        None => Some(Value::Text(s)),
                    }
                }
                RawValue::Str(s) => Some(Value::Text(s)),
                other => {
                    self.error(wrong(&found(&other)));
                    None
                }
            },
            FieldType::Country => match value {
                RawValue::Str(s) => self.country_shape(&s, pos, label).then_some(Value::Text(s)),
                other => {
                    self.error(wrong(&found(&other)));
                    None
                }
            },
            FieldType::Choice(words) => match value {
                RawValue::Str(s) if words.contains(&&*s) => Some(Value::Text(s)),
                RawValue::Str(s) => {
                    self.error(bad_choice(spec, words, &s, &sources.location(pos), label));
                    None
                }
                other => {
                    self.error(wrong(&found(&other)));
                    None
                }
            },
            FieldType::Date => match value {
                RawValue::Date(d) => Some(Value::Date(d)),
                RawValue::InvalidDate { written, reason } => {
                    self.error(
                        Diagnostic::new(
                            "bad-date",
                            format!(
                                "`{}` is not a calendar date: {written} ({reason})",
                                spec.name
                            ),
                        )
                        .at(Some(sources.location(pos)))
                        .entry(label.to_string())
                        .help("write a real calendar date as YYYY-MM-DD, e.g. 2021-02-24"),
                    );
                    None
                }
                RawValue::Str(s) => match parse_date(&s) {
                    Some(d) => Some(Value::Date(d)),
                    None => {
                        self.error(
                            Diagnostic::new(
                                "bad-date",
                                format!("`{}` is not a valid date: \"{s}\"", spec.name),
                            )
                            .at(Some(sources.location(pos)))
                            .entry(label.to_string())
                            .help("write a real calendar date as YYYY-MM-DD, e.g. 2021-02-24"),
                        );
                        None
                    }
                },
                other => {
                    self.error(wrong(&found(&other)));
                    None
                }
            },
            FieldType::Bool => match value {
                RawValue::Bool(b) => Some(Value::Bool(b)),
                other => {
                    self.error(wrong(&found(&other)));
                    None
                }
            },
            FieldType::Count => match value {
                RawValue::Int(n) if n >= 0 => Some(Value::Count(n as u64)),
                other => {
                    self.error(wrong(&found(&other)));
                    None
                }
            },
            FieldType::IdList
            | FieldType::TextList
            | FieldType::CountryList
            | FieldType::ChoiceList(_) => {
                let RawValue::List(items) = value else {
                    self.error(
                        wrong(&found(&value))
                            .help(format!("write a list: {} = [\"...\"]", spec.name)),
                    );
                    return None;
                };
                if let Some((message, help)) = super::limits::list_problem(spec.name, items.len()) {
                    self.error(too_many_items(message, help, sources.location(pos), label));
                    return None;
                }
                let mut out = Vec::new();
                for (i, (item, item_pos)) in items.into_iter().enumerate() {
                    let item_label = label.item(i);
                    let RawValue::Str(s) = item else {
                        self.error(
                            Diagnostic::new(
                                "wrong-type",
                                format!(
                                    "items of `{}` must be strings, found {}",
                                    spec.name,
                                    found(&item)
                                ),
                            )
                            .at(Some(sources.location(item_pos)))
                            .entry(item_label.to_string())
                            .help(format!("write it as {}", spec.ty.example(spec.name))),
                        );
                        continue;
                    };
                    if let Some(s) = self.list_item(spec, s, item_pos, item_label) {
                        out.push((s, item_pos));
                    }
                }
                Some(Value::List(out))
            }
        }
    }

    /// A list in one CSV cell: items separated by `;`, all at the cell's place.
    fn cell_list<'a>(
        &mut self,
        spec: &Field,
        text: &'a str,
        pos: Pos,
        label: Label,
    ) -> Option<Value<'a>> {
        let items = || list_items(text);
        // Items are at least one byte and a separator each: only a cell this
        // long can hold more than the limit, and only then are they counted.
        if text.len() > 2 * super::limits::MAX_LIST_ITEMS
            && let Some((message, help)) = super::limits::list_problem(spec.name, items().count())
        {
            let location = self.location(pos);
            self.error(too_many_items(message, help, location, label));
            return None;
        }
        let mut out = Vec::new();
        for (i, s) in items().enumerate() {
            if let Some(s) = self.list_item(spec, Cow::Borrowed(s), pos, label.item(i)) {
                out.push((s, pos));
            }
        }
        Some(Value::List(out))
    }

    fn list_item<'a>(
        &mut self,
        spec: &Field,
        s: Cow<'a, str>,
        pos: Pos,
        label: Label,
    ) -> Option<Cow<'a, str>> {
        match spec.ty {
            FieldType::CountryList => self.country_shape(&s, pos, label).then_some(s),
            FieldType::ChoiceList(words) if !words.contains(&&*s) => {
                let location = self.location(pos);
                self.error(bad_choice(spec, words, &s, &location, label));
                None
            }
            _ => Some(s),
        }
    }

    /// Checks that a country code has the right shape; existence is checked later,
    /// once the model's own `[[country]]` entries are known.
    fn country_shape(&mut self, text: &str, pos: Pos, label: Label) -> bool {
        if CountryCode::parse(text).is_some() {
            return true;
        }
        let upper = text.to_uppercase();
        let mut d = Diagnostic::new("bad-country", format!("\"{text}\" is not a country code"))
            .at(Some(self.location(pos)))
            .entry(label.to_string());
        d = if CountryCode::parse(&upper).is_some() {
            d.help(format!("country codes are upper case: \"{upper}\""))
        } else {
            d.help("use an ISO 3166-1 alpha-2 code such as \"JP\", \"KR\" or \"CN\"")
        };
        self.error(d);
        false
    }

    /// Resolves a country code against the built-in table and the model's `[[country]]` entries.
    fn country(&mut self, entry: &Entry, key: Key) -> Option<CountryCode> {
        let text = entry.str(key)?;
        let code = CountryCode::parse(text)?;
        if self.known_country(code) {
            return Some(code);
        }
        let location = self.location_of(entry, key);
        self.unknown_country(text, location, entry.key_label(key));
        None
    }

    fn known_country(&self, code: CountryCode) -> bool {
        country::builtin().contains(code) || self.countries.contains(&code)
    }

    fn unknown_country(&mut self, text: &str, location: Location, label: Label) {
        self.error(
            Diagnostic::new(
                "unknown-country",
                format!("unknown country code \"{text}\""),
            )
            .at(Some(location))
            .entry(label.to_string())
            .help("use an ISO 3166-1 alpha-2 code, or declare the code in a [[country]] entry"),
        );
    }

    fn countries(&mut self, entry: &Entry, key: Key) -> Option<Vec<CountryCode>> {
        let items = entry.list(key)?;
        let mut out = Vec::new();
        for (i, (text, pos)) in items.enumerate() {
            let Some(code) = CountryCode::parse(text) else {
                continue;
            };
            if self.known_country(code) {
                out.push(code);
            } else {
                let location = self.location(pos);
                self.unknown_country(text, location, entry.key_label(key).item(i));
            }
        }
        Some(out)
    }

    /// Resolves the reference under `key`, if the entry has one.
    fn reference(&mut self, index: &Index, entry: &Entry, key: Key) -> Option<u32> {
        let name = entry.str(key)?;
        if let Some(i) = index.get(name) {
            return Some(i);
        }
        let location = self.location_of(entry, key);
        index.unknown(self, name, location, entry.key_label(key));
        None
    }

    /// Diagnostics made from `mark` on, taken out to be kept only if their entry is.
    fn take_since(&mut self, mark: usize) -> Vec<Diagnostic> {
        if self.diagnostics.len() > mark {
            self.diagnostics.drain(mark..).collect()
        } else {
            Vec::new()
        }
    }
}

fn bad_choice(
    spec: &Field,
    words: &[&str],
    value: &str,
    location: &Location,
    label: Label,
) -> Diagnostic {
    let d = Diagnostic::new(
        "bad-value",
        format!("`{}` cannot be \"{value}\"", spec.name),
    )
    .at(Some(location.clone()))
    .entry(label.to_string());
    match suggest(value, words.iter().copied()) {
        Some(s) => d.help(format!(
            "did you mean \"{s}\"? It must be {}",
            spec.ty.describe()
        )),
        None => d.help(format!("it must be {}", spec.ty.describe())),
    }
}

/// A list beyond [`super::limits::MAX_LIST_ITEMS`].
fn too_many_items(message: String, help: String, location: Location, label: Label) -> Diagnostic {
    Diagnostic::new("too-many-items", message)
        .at(Some(location))
        .entry(label.to_string())
        .help(help)
}

/// "an organisation", "a system".
fn with_article(what: &str) -> String {
    let article = if what.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {what}")
}

/// What the files hold, by section: parsed TOML tables and CSV tables to read.
struct Input<'s> {
    toml: Vec<Vec<RawEntry<'s>>>,
    csv: Vec<Vec<u32>>,
}

/// One section's share of the input.
struct Part<'s> {
    section: Section,
    toml: Vec<RawEntry<'s>>,
    csv: Vec<u32>,
}

impl Part<'_> {
    /// At least the number of entries, for sizing vectors once. Counts the
    /// CSV tables' line breaks: a table read in [`Pieces`] has them counted
    /// there, and is not asked.
    fn rows(&self, sources: &Sources) -> usize {
        let lines: usize = (self.csv.iter())
            .map(|&f| memchr::memchr_iter(b'\n', sources.files[f as usize].text.as_bytes()).count())
            .sum();
        self.toml.len() + lines + self.csv.len()
    }
}

impl<'s> Input<'s> {
    fn new(b: &mut Builder<'s>) -> Input<'s> {
        let sources = b.sources;
        let mut input = Input {
            toml: (0..Section::ALL.len()).map(|_| Vec::new()).collect(),
            csv: (0..Section::ALL.len()).map(|_| Vec::new()).collect(),
        };
        let mut entries = Vec::new();
        for (file, source) in sources.files.iter().enumerate() {
            match source.kind {
                FileKind::Toml => {
                    let file = file as u32;
                    if let Some(line) =
                        source::parse_toml(sources, file, &mut entries, &mut b.diagnostics)
                    {
                        b.had_syntax_errors = true;
                        b.garbled.push((file, line));
                    }
                }
                FileKind::Yaml => {
                    b.had_syntax_errors |= super::yaml::parse_yaml(
                        sources,
                        file as u32,
                        &mut entries,
                        &mut b.diagnostics,
                    );
                }
                FileKind::Csv(section) => input.csv[section as usize].push(file as u32),
            }
        }
        for entry in entries {
            input.toml[entry.section as usize].push(entry);
        }
        input
    }

    fn take(&mut self, section: Section) -> Part<'s> {
        Part {
            section,
            toml: std::mem::take(&mut self.toml[section as usize]),
            csv: std::mem::take(&mut self.csv[section as usize]),
        }
    }
}

/// Checks every entry of a section, TOML tables first and then CSV rows, in
/// reading order, and hands each to `f`. A CSV row's cells live only as long
/// as the call.
fn for_each_entry<'s, F>(b: &mut Builder<'s>, part: Part<'s>, mut f: F)
where
    F: for<'e> FnMut(&mut Builder<'s>, &Entry<'e>),
{
    let section = part.section;
    let mut count = 0;
    for raw in part.toml {
        let index = (section != Section::Model).then_some(count);
        count += 1;
        let entry = b.check_entry(raw, index);
        f(b, &entry);
    }
    for file in part.csv {
        let sources = b.sources;
        let mut diagnostics = Vec::new();
        let mut table = Table::new(&mut *b, section, file, count, &mut f);
        let progress = table.b.progress;
        let syntax = source::read_csv(sources, file, &mut table, &mut diagnostics, progress);
        count = table.count;
        b.had_syntax_errors |= syntax;
        b.diagnostics.append(&mut diagnostics);
    }
}

/// Below this many bytes of rows a CSV table is read on one thread.
const SPLIT_MIN_BYTES: usize = 1 << 20;

thread_local! {
    /// Tests lower the split size to read small tables in two halves too.
    static SPLIT_AT: std::cell::Cell<usize> = const { std::cell::Cell::new(SPLIT_MIN_BYTES) };
}

thread_local! {
    /// Tests turn reading rows in place off, to compare with checking every cell.
    static QUICK_ROWS: std::cell::Cell<bool> = const { std::cell::Cell::new(true) };
}

/// Whether CSV rows whose cells all pass [`quick_cell`] are read in place
/// by models loaded on this thread (the default), or checked cell by cell.
#[cfg(test)]
pub(super) fn set_quick_rows(on: bool) {
    QUICK_ROWS.with(|q| q.set(on));
}

/// Reads every model loaded on this thread with CSV tables of at least
/// `bytes` bytes of rows split in two, so that tests can compare both ways.
#[cfg(test)]
pub(super) fn set_split_min_bytes(bytes: usize) {
    SPLIT_AT.with(|s| s.set(bytes));
}

/// What a section's entries are collected into, one per stretch of input
/// read on its own thread, then joined in reading order.
trait Collect: Send {
    fn append_later(&mut self, later: Self);
}

impl<T: Send> Collect for Vec<T> {
    fn append_later(&mut self, mut later: Self) {
        self.append(&mut later);
    }
}

/// Entries of a section whose ids are optional, and where each id was written.
struct Rows<T> {
    items: Vec<T>,
    /// (index into `items`, entry place, id place)
    ids: Vec<(usize, Pos, Pos)>,
    /// Each written id's hash and its place in `ids`, made while the row
    /// is at hand: finding duplicates then reads these small keys only.
    hashes: Vec<(u64, u32)>,
}

/// An entry of a section whose ids are optional.
trait Identified {
    fn id(&self) -> Option<&str>;
    fn location(&self) -> Option<&Location>;
}

/// The hash ids are compared by before the ids themselves.
fn id_hash(id: &str) -> u64 {
    FixedState::default().hash_one(id)
}

impl<T> Rows<T> {
    fn with_capacity(rows: usize) -> Rows<T> {
        Rows {
            items: Vec::with_capacity(rows),
            ids: Vec::with_capacity(rows),
            hashes: Vec::with_capacity(rows),
        }
    }
}

impl<T: Identified> Rows<T> {
    fn push(&mut self, item: T, id: Option<(Pos, Pos)>) {
        if let Some((pos, key_pos)) = id {
            if let Some(text) = item.id() {
                self.hashes.push((id_hash(text), self.ids.len() as u32));
            }
            self.ids.push((self.items.len(), pos, key_pos));
        }
        self.items.push(item);
    }

    /// Reports every id written again after its first entry, and returns the entries.
    fn unique(self, b: &mut Builder, key: Key, what: &'static str) -> Vec<T> {
        let order = shared_hashes(&self.hashes);
        let (items, ids) = (&self.items, &self.ids);
        report_sorted(b, &order, key, what, |i| {
            let (index, pos, key_pos) = ids[i];
            let item = &items[index];
            Some(IdAt {
                id: item.id()?,
                index,
                pos,
                location: item.location()?.clone(),
                key_pos,
            })
        });
        self.items
    }
}

impl<T: Send> Collect for Rows<T> {
    fn append_later(&mut self, mut later: Self) {
        let offset = self.items.len();
        let id_offset = self.ids.len() as u32;
        self.hashes
            .extend(later.hashes.iter().map(|&(hash, i)| (hash, i + id_offset)));
        self.ids.extend(
            later
                .ids
                .iter()
                .map(|&(i, pos, key)| (i + offset, pos, key)),
        );
        self.items.append(&mut later.items);
    }
}

/// [`for_each_entry`], with a large quote-free CSV table read in two halves
/// on two threads. Each half collects into its own `init(rows)`; a half's
/// entries are numbered from the rows the first half holds, counted before
/// it is read. The diagnostics come out as if read on one thread.
fn for_each_entry_split<'s, T, F>(
    b: &mut Builder<'s>,
    part: Part<'s>,
    lookups: Lookups,
    init: impl Fn(usize) -> T + Sync,
    f: F,
) -> T
where
    T: Collect,
    F: for<'e> Fn(&mut Builder<'s>, &mut T, &Entry<'e>) + Sync,
{
    let section = part.section;
    let rows = part.rows(b.sources);
    let mut out = init(rows);
    let mut count = 0;
    for raw in part.toml {
        let index = (section != Section::Model).then_some(count);
        count += 1;
        let entry = b.check_entry(raw, index);
        f(b, &mut out, &entry);
    }
    let sources = b.sources;
    let min_bytes = b.split_at;
    for file in part.csv {
        let mut diagnostics = Vec::new();
        let header = match source::csv_header(sources, file, &mut diagnostics) {
            Ok(header) => header,
            Err(syntax) => {
                b.had_syntax_errors |= syntax;
                b.diagnostics.append(&mut diagnostics);
                continue;
            }
        };
        let text = sources.files[file as usize].text.as_str();
        let width = header.columns.len();
        let stretch = Stretch {
            section,
            file,
            header: &header,
            lookups,
        };
        let read_rows = |b: &mut Builder<'s>,
                         out: &mut T,
                         range: std::ops::Range<usize>,
                         count: usize,
                         diagnostics: &mut Vec<Diagnostic>| {
            stretch.read(b, out, &f, (range, None), count, diagnostics)
        };
        let split = source::csv_split(text, header.body, min_bytes);
        let Some(split) = split else {
            let (counted, syntax) = read_rows(
                b,
                &mut out,
                header.body..text.len(),
                count,
                &mut diagnostics,
            );
            count = counted;
            b.had_syntax_errors |= syntax;
            b.diagnostics.append(&mut diagnostics);
            continue;
        };
        let (first, second) = (header.body..split, split..text.len());
        let (late, late_diagnostics, late_count) = std::thread::scope(|scope| {
            let mut other = b.fork();
            let (read_rows, init, second) = (&read_rows, &init, second.clone());
            let later = scope.spawn(move || {
                let before = source::csv_rows_in(text, first, width);
                let mut late = init(rows);
                let mut diagnostics = Vec::new();
                let (counted, syntax) = read_rows(
                    &mut other,
                    &mut late,
                    second,
                    count + before,
                    &mut diagnostics,
                );
                other.had_syntax_errors |= syntax;
                (late, other, diagnostics, counted, count + before)
            });
            let (counted, syntax) =
                read_rows(b, &mut out, header.body..split, count, &mut diagnostics);
            b.had_syntax_errors |= syntax;
            let (late, other, late_diagnostics, late_count, assumed) = later
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            // The count ahead of time is exact for quote-free rows; should it
            // ever differ, the entries would be misnumbered, so the second
            // half is read again here instead.
            if assumed != counted {
                return (None, late_diagnostics, counted);
            }
            b.absorb(other);
            (Some(late), late_diagnostics, late_count)
        });
        match late {
            Some(late) => {
                out.append_later(late);
                diagnostics.extend(late_diagnostics);
                count = late_count;
            }
            None => {
                let (counted, syntax) =
                    read_rows(b, &mut out, second, late_count, &mut diagnostics);
                count = counted;
                b.had_syntax_errors |= syntax;
            }
        }
        b.diagnostics.append(&mut diagnostics);
    }
    out
}

/// The entries of a section that only TOML can hold (`[model]`, `[[country]]`).
fn toml_entries<'s>(b: &mut Builder<'s>, part: Part<'s>) -> Vec<Entry<'s>> {
    debug_assert!(part.csv.is_empty());
    let section = part.section;
    part.toml
        .into_iter()
        .enumerate()
        .map(|(i, raw)| {
            let index = (section != Section::Model).then_some(i);
            b.check_entry(raw, index)
        })
        .collect()
}

/// Checks CSV rows as they are read, with the header mapped to keys once.
struct Table<'b, 's, F> {
    b: &'b mut Builder<'s>,
    section: Section,
    file: u32,
    path: Arc<Path>,
    /// The key each column holds; `None` for a column that is not read.
    columns: Vec<Option<usize>>,
    /// The column of each key, when no key has two: then a row whose cells
    /// all pass [`quick_cell`] is read in place.
    keys: Option<[Option<usize>; MAX_FIELDS]>,
    /// References the rows' entries look up, fetched a row ahead.
    lookups: Lookups<'b>,
    count: usize,
    f: F,
}

/// A section's reference keys and the index each is looked up in.
type Lookups<'a> = &'a [(Key, &'a Index)];

impl<'b, 's, F> Table<'b, 's, F> {
    fn new(b: &'b mut Builder<'s>, section: Section, file: u32, count: usize, f: F) -> Self {
        // Every row's location holds the path: a count of its own keeps the
        // two halves of a table from updating one shared counter.
        let path = Arc::from(&*b.sources.files[file as usize].path);
        Table {
            b,
            section,
            file,
            path,
            columns: Vec::new(),
            keys: None,
            lookups: &[],
            count,
            f,
        }
    }
}

impl<'s, F> CsvSink for Table<'_, 's, F>
where
    F: for<'e> FnMut(&mut Builder<'s>, &Entry<'e>),
{
    fn header(&mut self, columns: &[&str], read: &[bool]) {
        self.columns = columns
            .iter()
            .zip(read)
            .map(|(name, &read)| position(self.section, name).filter(|_| read))
            .collect();
        let mut keys = [None; MAX_FIELDS];
        let mut repeated = false;
        for (column, key) in self.columns.iter().enumerate() {
            if let Some(key) = *key {
                repeated |= keys[key].replace(column).is_some();
            }
        }
        self.keys = (!repeated && self.b.quick_rows).then_some(keys);
    }

    fn ahead(&self, cells: &[&str]) {
        self.fetch(cells);
    }

    fn row(&mut self, cells: &[&str], line: usize, start: usize, visible: bool) {
        let index = Some(self.count);
        self.count += 1;
        let at = At {
            file: &self.path,
            line,
            column: None,
        };
        let pos = Pos::new(self.file, start);
        let quick = (self.keys.as_ref()).and_then(|keys| Some((keys, self.quick(cells, visible)?)));
        let entry = match quick {
            Some((keys, (written, window))) => Entry {
                section: self.section,
                index,
                pos,
                at,
                values: Values::Cells(Row {
                    cells,
                    columns: keys,
                    file: self.file,
                    start,
                    window,
                }),
                written,
            },
            None => {
                let mut entry = Entry::new(self.section, index, pos, at);
                for (i, &cell) in cells.iter().enumerate() {
                    let Some(key) = self.columns[i] else {
                        continue;
                    };
                    if cell.is_empty() {
                        continue;
                    }
                    let pos = Pos::cell(self.file, start, i);
                    self.b
                        .check_field(&mut entry, key, RawValue::Cell(cell), pos);
                }
                entry
            }
        };
        self.b.finish_entry(&entry);
        (self.f)(self.b, &entry);
    }
}

impl<F> Table<'_, '_, F> {
    /// The keys a row writes and its window, if every cell it fills passes
    /// [`quick_cell`].
    fn quick(&self, cells: &[&str], visible: bool) -> Option<(u32, Window)> {
        let fields = self.section.fields();
        let common = COMMON[self.section as usize];
        let mut written = 0;
        let mut window = Window::default();
        for (&cell, key) in cells.iter().zip(&self.columns) {
            let Some(key) = *key else { continue };
            if cell.is_empty() {
                continue;
            }
            let spec = &fields[key];
            if spec.ty == FieldType::Date {
                let date = Some(parse_date(cell)?);
                if common.since == Some(key) {
                    window.since = date;
                } else if common.until == Some(key) {
                    window.until = date;
                }
            } else if !quick_cell(spec, cell, visible) {
                return None;
            }
            written |= 1 << key;
        }
        Some((written, window))
    }

    /// Has the index slots a row will look up fetched into the cache.
    fn fetch(&self, cells: &[&str]) {
        let Some(keys) = &self.keys else { return };
        for (key, index) in self.lookups {
            if let Some(cell) = keys[key.index].and_then(|column| cells.get(column)) {
                index.prefetch(source::trim_cell(cell));
            }
        }
    }
}

/// An entry of a section whose ids are unique and sorted, built before the
/// duplicates are known.
struct Built<T> {
    /// Taken out when the entry is kept, which moves it only once.
    value: Option<T>,
    index: Option<usize>,
    pos: Pos,
    key_pos: Pos,
    /// Where the entry starts, in the file of `pos`: made a [`Location`]
    /// only for a duplicate's report.
    line: usize,
    column: Option<usize>,
    /// Diagnostics of resolving its references, reported only if it is kept.
    deferred: Vec<Diagnostic>,
}

impl<T> Built<T> {
    fn location(&self, sources: &Sources) -> Location {
        Location {
            file: sources.files[self.pos.file as usize].path.clone(),
            line: self.line,
            column: self.column,
        }
    }

    fn new(e: &Entry, key_pos: Pos, value: T, deferred: Vec<Diagnostic>) -> Built<T> {
        Built {
            value: Some(value),
            index: e.index,
            pos: e.pos,
            key_pos,
            line: e.at.line,
            column: e.at.column,
            deferred,
        }
    }
}

/// Sorts entries by id and reports duplicates, naming both places; the first
/// written wins and the others are dropped with their deferred diagnostics.
/// Returns the values kept, sorted.
fn keep_first<T>(
    b: &mut Builder,
    entries: Vec<Built<T>>,
    id: impl Fn(&T) -> &str,
    key: Key,
    what: &'static str,
) -> Vec<T> {
    let mut values: Vec<T> = Vec::with_capacity(entries.len());
    keep_first_each(b, entries, id, key, what, |value, _| values.push(value));
    values
}

/// [`keep_first`], handing each value kept to `keep` in id order, with its
/// entry number.
fn keep_first_each<T>(
    b: &mut Builder,
    mut entries: Vec<Built<T>>,
    id: impl Fn(&T) -> &str,
    key: Key,
    what: &'static str,
    mut keep: impl FnMut(T, Option<usize>),
) {
    let sources = b.sources;
    fn id_in<'e, T>(e: &'e Built<T>, id: &impl Fn(&T) -> &str) -> &'e str {
        e.value.as_ref().map_or("", id)
    }
    // Sorting small keys, not the entries themselves, keeps the moves cheap.
    let mut order: Vec<(u64, u32)> = entries
        .iter()
        .enumerate()
        // The first bytes as a number sort as the id does; ties fall back to the ids.
        .map(|(i, e)| (head(id_in(e, &id).as_bytes()), i as u32))
        .collect();
    // Sorted as plain numbers first; then each run of equal first bytes,
    // which holds ids that differ further on or are written twice, by the
    // whole id and where it was written.
    order.sort_unstable();
    for run in order.chunk_by_mut(|x, y| x.0 == y.0) {
        if run.len() > 1 {
            run.sort_unstable_by(|x, y| {
                let (a, b) = (&entries[x.1 as usize], &entries[y.1 as usize]);
                id_in(a, &id)
                    .cmp(id_in(b, &id))
                    .then_with(|| sources.order(a.pos).cmp(&sources.order(b.pos)))
            });
        }
    }
    // The entry kept last and its head, to compare the next with: it is
    // handed on once the next with another id comes, so that its id can be
    // compared until then.
    let mut last: Option<(usize, u64)> = None;
    let mut hand_on = |entries: &mut Vec<Built<T>>, i: usize| {
        let e = &mut entries[i];
        if let Some(value) = e.value.take() {
            keep(value, e.index);
        }
    };
    for (at, &(first_bytes, i)) in order.iter().enumerate() {
        // The entries are read in id order, at random: each is fetched a
        // few ahead of its turn.
        if let Some(&(_, ahead)) = order.get(at + 8) {
            prefetch(&entries[ahead as usize]);
        }
        let e = &entries[i as usize];
        // Ids with different first bytes differ: only equal heads are compared.
        if let Some((first, head)) = last
            && head == first_bytes
            && id_in(&entries[first], &id) == id_in(e, &id)
        {
            let first = &entries[first];
            let d = duplicate(
                what,
                id_in(e, &id),
                (&first.location(sources), first.index),
                (e.index, key),
                sources.location(e.key_pos),
            );
            b.error(d);
            continue;
        }
        if let Some((kept, _)) = last {
            hand_on(&mut entries, kept);
        }
        b.diagnostics.append(&mut entries[i as usize].deferred);
        last = Some((i as usize, first_bytes));
    }
    if let Some((kept, _)) = last {
        hand_on(&mut entries, kept);
    }
}

/// A second entry with an id already declared at `first` (location, index).
fn duplicate(
    what: &'static str,
    id: &str,
    first: (&Location, Option<usize>),
    dup: (Option<usize>, Key),
    at: Location,
) -> Diagnostic {
    let section = dup.1.section;
    let first_label = Label {
        section,
        index: first.1,
        key: None,
        item: None,
    };
    let dup_label = Label {
        section,
        index: dup.0,
        key: Some(dup.1.name),
        item: None,
    };
    Diagnostic::new(
        "duplicate-id",
        format!(
            "duplicate {what} id \"{id}\": also declared at {} ({first_label})",
            first.0
        ),
    )
    .at(Some(at))
    .entry(dup_label.to_string())
    .help("ids must be unique within their section; rename or remove one of the two")
}

/// An entry's id and where it was written, for finding duplicates.
#[derive(Clone)]
struct IdAt<'a> {
    id: &'a str,
    index: usize,
    pos: Pos,
    location: Location,
    key_pos: Pos,
}

/// Reports duplicate ids of a section kept in reading order (`[[country]]`);
/// the first written is the one named.
fn report_duplicates(b: &mut Builder, ids: &[IdAt], key: Key, what: &'static str) {
    let order: Vec<(u64, u32)> = ids
        .iter()
        .enumerate()
        .map(|(i, at)| (id_hash(at.id), i as u32))
        .collect();
    report_sorted(b, &shared_hashes(&order), key, what, |i| {
        Some(ids[i].clone())
    });
}

/// The (hash, place) keys of ids whose hash may be written more than once,
/// sorted. Two bit tables, small enough to stay in cache, mark the hashes
/// seen and those seen again (by their top bits, so a few that are not
/// shared come along); only the keys so marked are sorted.
fn shared_hashes(keys: &[(u64, u32)]) -> Vec<(u64, u32)> {
    let bits = (keys.len() * 16).next_power_of_two().max(64);
    let shift = 64 - bits.trailing_zeros();
    let slot = |hash: u64| (hash >> shift) as usize;
    let (mut seen, mut again) = (
        FixedBitSet::with_capacity(bits),
        FixedBitSet::with_capacity(bits),
    );
    for &(hash, _) in keys {
        if seen.put(slot(hash)) {
            again.insert(slot(hash));
        }
    }
    let mut shared: Vec<(u64, u32)> = keys
        .iter()
        .filter(|(hash, _)| again.contains(slot(*hash)))
        .copied()
        .collect();
    shared.sort_unstable();
    shared
}

/// Reports the duplicates among ids whose (hash, place) keys are `order`:
/// sorted, and holding at least every key whose hash is shared. `id_at`
/// gives the id at a place, if it has one. Ids are compared only within a
/// run of equal hashes; the first written is the one named, and the
/// reports follow the order the duplicates were written in.
fn report_sorted<'a>(
    b: &mut Builder,
    order: &[(u64, u32)],
    key: Key,
    what: &'static str,
    id_at: impl Fn(usize) -> Option<IdAt<'a>>,
) {
    let sources = b.sources;
    // (duplicate, the first with its id), by the duplicate's place.
    let mut found: Vec<(usize, usize)> = Vec::new();
    for same_hash in order.chunk_by(|x, y| x.0 == y.0).filter(|g| g.len() > 1) {
        let mut group: Vec<(usize, IdAt)> = same_hash
            .iter()
            .filter_map(|&(_, i)| Some((i as usize, id_at(i as usize)?)))
            .collect();
        group.sort_by(|(_, x), (_, y)| {
            x.id.cmp(y.id)
                .then_with(|| sources.order(x.pos).cmp(&sources.order(y.pos)))
        });
        for same_id in group.chunk_by(|(_, x), (_, y)| x.id == y.id) {
            found.extend(same_id[1..].iter().map(|(dup, _)| (*dup, same_id[0].0)));
        }
    }
    found.sort_unstable();
    for (dup, first) in found {
        let (Some(at), Some(f)) = (id_at(dup), id_at(first)) else {
            continue;
        };
        let d = duplicate(
            what,
            at.id,
            (&f.location, Some(f.index)),
            (Some(at.index), key),
            sources.location(at.key_pos),
        );
        b.error(d);
    }
}

/// The named categories of a list key, resolved, sorted and deduplicated.
fn category_list(b: &mut Builder, index: &Index, e: &Entry, key: Key) -> Option<Vec<CategoryIdx>> {
    let items = e.list(key)?;
    // Most lists name a few categories: the first push makes room for four.
    let mut out: Vec<CategoryIdx> = Vec::new();
    for (i, (id, pos)) in items.enumerate() {
        match index.get(id) {
            Some(c) => out.push(CategoryIdx(c)),
            None => {
                let location = b.location(pos);
                index.unknown(b, id, location, e.key_label(key).item(i));
            }
        }
    }
    if out.len() > 1 {
        out.sort_unstable();
        out.dedup();
    }
    Some(out)
}

/// Each category's set of itself and its declared descendants, and the union of those.
struct Subtrees(Vec<CategorySet>);

impl Subtrees {
    fn expand(&self, named: &[CategoryIdx]) -> CategorySet {
        match named {
            [one] => self.0[one.0 as usize].clone(),
            _ => {
                let mut set = CategorySet::empty(self.0.len());
                for c in named {
                    set.union_with(&self.0[c.0 as usize]);
                }
                set
            }
        }
    }
}

pub(super) fn build(mut sources: Sources) -> Result<Model, LoadError> {
    let diagnostics = std::mem::take(&mut sources.diagnostics);
    let had_syntax_errors = sources.had_syntax_errors;
    let sources = &sources;
    let csv_bytes = sources
        .files
        .iter()
        .filter(|f| matches!(f.kind, FileKind::Csv(_)))
        .map(|f| f.text.len() as u64)
        .sum();
    let progress = Task::new("loading the model", csv_bytes);
    let mut b = Builder {
        sources,
        progress: &progress,
        diagnostics,
        countries: Vec::new(),
        had_syntax_errors,
        garbled: Vec::new(),
        quick_rows: QUICK_ROWS.with(|q| q.get()),
        split_at: SPLIT_AT.with(|s| s.get()),
    };
    let mut input = Input::new(&mut b);
    let mut part = |section| input.take(section);

    // The model's own country codes first, so references to them resolve.
    let country_entries = toml_entries(&mut b, part(Section::Country));
    for e in &country_entries {
        if let Some(code) = e.str(k!(Country, "code")) {
            match CountryCode::parse(code) {
                Some(c) => b.countries.push(c),
                None => {
                    let d =
                        Diagnostic::new("bad-country", format!("\"{code}\" is not a country code"))
                            .at(Some(b.location_of(e, k!(Country, "code"))))
                            .entry(e.key_label(k!(Country, "code")).to_string())
                            .help("a country code is two upper-case letters");
                    b.error(d);
                }
            }
        }
    }

    // [model]: exactly one.
    let model_entries = toml_entries(&mut b, part(Section::Model));
    let info = match model_entries.as_slice() {
        // No file could be read (a missing path, an empty directory, bad
        // encoding): that is already reported, and is the only news.
        [] if sources.files.is_empty() => None,
        // `model` is there but is not a table: already reported.
        [] if b
            .diagnostics
            .iter()
            .any(|d| d.entry.as_deref() == Some("model")) =>
        {
            None
        }
        [] => {
            let file = sources.files.first().map(|f| f.path.clone());
            b.error(
                Diagnostic::new("missing-model", "the model has no [model] table")
                    .at(file.map(|file| Location { file, line: 1, column: None }))
                    .help("add [model] with name = \"...\" and home = \"JP\" (the controller's country)"),
            );
            None
        }
        [first, rest @ ..] => {
            for dup in rest {
                b.error(
                    Diagnostic::new(
                        "duplicate-id",
                        format!("[model] is declared twice; first at {}", first.location()),
                    )
                    .at(Some(dup.location()))
                    .entry("model")
                    .help("keep one [model] table for the whole model directory"),
                );
            }
            let home = b.country(first, k!(Model, "home"));
            let disclosed = b.countries(first, k!(Model, "disclosed_countries"));
            first
                .text(k!(Model, "name"))
                .zip(home)
                .map(|(name, home)| ModelInfo {
                    name,
                    home,
                    as_of: first.date(k!(Model, "as_of")),
                    disclosed_countries: disclosed.map(|mut d| {
                        d.sort();
                        d.dedup();
                        d
                    }),
                    meta: first.meta(),
                })
        }
    };

    // Categories, sorted by id; descendants by dotted prefix.
    let categories_part = part(Section::Category);
    let mut built = Vec::with_capacity(categories_part.rows(sources));
    // The first category beyond the limit in the order written, not in id
    // order, which would point into the middle of the file.
    let mut written = 0;
    let mut beyond_limit = None;
    for_each_entry(&mut b, categories_part, |_, e| {
        if written == MAX_CATEGORIES {
            beyond_limit = Some(e.location());
        }
        written += 1;
        let Some(key_pos) = e.pos_of(k!(Category, "id")) else {
            return;
        };
        let value = Category {
            id: e.text(k!(Category, "id")).unwrap_or_default(),
            name: e.text(k!(Category, "name")).unwrap_or_default(),
            name_ja: e.text(k!(Category, "name_ja")),
            sensitivity: match e.str(k!(Category, "sensitivity")) {
                Some("sensitive") => Sensitivity::Sensitive,
                Some("special_care") => Sensitivity::SpecialCare,
                Some("secrecy") => Sensitivity::Secrecy,
                Some("payment") => Sensitivity::Payment,
                _ => Sensitivity::Normal,
            },
            meta: e.meta(),
        };
        built.push(Built::new(e, key_pos, value, Vec::new()));
    });
    let categories = keep_first(
        &mut b,
        built,
        |c: &Category| &c.id,
        k!(Category, "id"),
        "category",
    );
    if categories.len() > MAX_CATEGORIES {
        b.error(
            Diagnostic::new(
                "too-many-categories",
                format!(
                    "the model declares {} categories; reachmap handles at most {MAX_CATEGORIES}",
                    categories.len()
                ),
            )
            .at(beyond_limit)
            .help("group fine-grained categories under fewer dotted parents"),
        );
        // The other sections are still checked, so that every key error shows.
        for section in Section::ALL {
            for_each_entry(&mut b, part(section), |_, _| {});
        }
        return Err(finish(b.diagnostics, sources));
    }
    let cat_index = Index::new("category", categories.iter().map(|c| c.id.as_str()));
    let n = categories.len();
    let mut subtree: Vec<CategorySet> = (0..n)
        .map(|i| {
            let mut s = CategorySet::empty(n);
            s.insert(CategoryIdx(i as u32));
            s
        })
        .collect();
    for (i, c) in categories.iter().enumerate() {
        let mut prefix = c.id.as_str();
        while let Some(dot) = prefix.rfind('.') {
            prefix = &prefix[..dot];
            if let Ok(p) = categories.binary_search_by(|x| x.id.as_str().cmp(prefix)) {
                subtree[p].insert(CategoryIdx(i as u32));
            }
        }
    }
    let subtrees = Subtrees(subtree);

    // Duplicate country entries are reported; all of them stay, as written.
    let country_ids: Vec<IdAt> = country_entries
        .iter()
        .filter_map(|e| {
            Some(IdAt {
                id: e.str(k!(Country, "code"))?,
                index: e.index?,
                pos: e.pos,
                location: e.location(),
                key_pos: e.pos_of(k!(Country, "code"))?,
            })
        })
        .collect();
    report_duplicates(&mut b, &country_ids, k!(Country, "code"), "country");

    // Organisations, sorted by id; parents resolve once every id is known.
    let orgs_part = part(Section::Organisation);
    let built = for_each_entry_split(&mut b, orgs_part, &[], Vec::with_capacity, |b, built, e| {
        let Some(key_pos) = e.pos_of(k!(Organisation, "id")) else {
            return;
        };
        let mark = b.diagnostics.len();
        let value = Organisation {
            id: e.text(k!(Organisation, "id")).unwrap_or_default(),
            name: e.text(k!(Organisation, "name")).unwrap_or_default(),
            name_ja: e.text(k!(Organisation, "name_ja")),
            country: b
                .country(e, k!(Organisation, "country"))
                .unwrap_or(PLACEHOLDER),
            role: match e.str(k!(Organisation, "role")) {
                Some("controller") => Role::Controller,
                Some("group") => Role::Group,
                Some("processor") => Role::Processor,
                _ => Role::Vendor,
            },
            parent: None,
            window: e.window(),
            meta: e.meta(),
        };
        let parent = e
            .str(k!(Organisation, "parent"))
            .zip(e.pos_of(k!(Organisation, "parent")))
            .map(|(name, pos)| (name.to_string(), pos));
        built.push(Built::new(e, key_pos, (value, parent), b.take_since(mark)));
    });

    // Flows and accesses, when both are single large quote-free tables,
    // are read side by side on two threads, which share the work at the end;
    // otherwise each section splits its own rows. Cutting them into pieces
    // counts their line breaks: done on a second thread while the
    // organisations are sorted and their parents resolved, which take one.
    let (flow_part, access_part) = (part(Section::Flow), part(Section::Access));
    let piece = b.split_at;
    let mut header_diagnostics = Vec::new();
    // A section's single large table, and its header.
    let mut large_table = |part: &Part| -> Option<(u32, source::CsvHeader)> {
        let &[file] = part.csv.as_slice() else {
            return None;
        };
        let large = sources.files[file as usize].text.len() >= piece;
        let header = large.then(|| source::csv_header(sources, file, &mut header_diagnostics));
        Some((file, header?.ok()?))
    };
    let tables = (large_table(&flow_part), large_table(&access_part));
    let cut = |(file, header): &(u32, source::CsvHeader)| {
        Cuts::new(&sources.files[*file as usize].text, header.body, piece)
    };
    let cut_both = || match &tables {
        (Some(flows), Some(accesses)) if piece != usize::MAX => cut(flows).zip(cut(accesses)),
        _ => None,
    };
    let ((organisations, org_index), cuts) =
        alongside(|| organisations_kept(&mut b, built), cut_both);

    // Systems, sorted by id.
    let systems_part = part(Section::System);
    let lookups = [(k!(System, "operator"), &org_index)];
    let built = for_each_entry_split(
        &mut b,
        systems_part,
        &lookups,
        Vec::with_capacity,
        |b, built, e| {
            let Some(key_pos) = e.pos_of(k!(System, "id")) else {
                return;
            };
            let mark = b.diagnostics.len();
            let holds_named =
                category_list(b, &cat_index, e, k!(System, "holds")).unwrap_or_default();
            let value = System {
                id: e.text(k!(System, "id")).unwrap_or_default(),
                name: e.text(k!(System, "name")).unwrap_or_default(),
                country: b.country(e, k!(System, "country")).unwrap_or(PLACEHOLDER),
                operator: OrgIdx(
                    b.reference(&org_index, e, k!(System, "operator"))
                        .unwrap_or(0),
                ),
                operator_access: e.bool(k!(System, "operator_access")).unwrap_or(true),
                holds: subtrees.expand(&holds_named),
                holds_named,
                window: e.window(),
                meta: e.meta(),
            };
            built.push(Built::new(e, key_pos, value, b.take_since(mark)));
        },
    );
    let sorted = |b: &mut Builder, built| {
        let systems = keep_first(b, built, |s: &System| &s.id, k!(System, "id"), "system");
        let index = Index::new("system", systems.iter().map(|s| s.id.as_str()));
        (systems, index)
    };
    // Contracts refer to organisations and categories only: a large table
    // of them is read on a second thread while the systems are sorted and
    // indexed, which takes one.
    let contract_refs = ContractRefs {
        categories: &cat_index,
        subtrees: &subtrees,
        organisations: &org_index,
    };
    let contract_part = part(Section::Contract);
    let contract_bytes: usize = (contract_part.csv.iter())
        .map(|&file| sources.files[file as usize].text.len())
        .sum();
    let ((systems, system_index), contracts_read) = if contract_bytes >= b.split_at {
        let refs = &contract_refs;
        let (systems, read) = beside(
            &mut b,
            |b| sorted(b, built),
            |other| {
                other.split_at = usize::MAX;
                contracts(other, contract_part, refs)
            },
        );
        (systems, Contracts::Read(read))
    } else {
        (sorted(&mut b, built), Contracts::Unread(contract_part))
    };
    let contracts_then = |b: &mut _| match contracts_read {
        Contracts::Read(read) => read,
        Contracts::Unread(part) => contracts(b, part, &contract_refs),
    };

    // Flows, accesses and contracts only read what is built so far.
    let ctx = Refs {
        categories: &cat_index,
        subtrees: &subtrees,
        organisations: &org_index,
        systems: &system_index,
        seats: &organisations.iter().map(|o| o.country).collect::<Vec<_>>(),
    };
    let (flow_lookups, access_lookups) = (flow_lookups(&ctx), access_lookups(&ctx));
    let pieces = match (&tables, cuts) {
        ((Some(flows), Some(accesses)), Some((flow_cuts, access_cuts))) => Some((
            Pieces::new(Section::Flow, flows, &flow_lookups, flow_cuts),
            Pieces::new(Section::Access, accesses, &access_lookups, access_cuts),
        )),
        _ => None,
    };
    let (flows, accesses, contracts) = if let Some((flow_pieces, access_pieces)) = &pieces {
        b.diagnostics.append(&mut header_diagnostics);
        // Contracts not yet read are read on this thread while the other
        // reads accesses.
        b.split_at = usize::MAX;
        let (flows, accesses, contracts) = side_by_side(
            &mut b,
            (flow_pieces, flow_part.toml, flow_entry(&ctx)),
            (access_pieces, access_part.toml, access_entry(&ctx)),
            contracts_then,
        );
        b.split_at = piece;
        // Each section's repeated ids, found on a thread of its own.
        let (flows, accesses) = beside(
            &mut b,
            |b| flows_kept(b, flows),
            |other| accesses_kept(other, accesses),
        );
        (flows, accesses, contracts)
    } else {
        let flows = flows(&mut b, flow_part, &ctx);
        let accesses = accesses(&mut b, access_part, &ctx);
        let contracts = contracts_then(&mut b);
        (flows, accesses, contracts)
    };

    let countries: Vec<CountryEntry> = country_entries
        .iter()
        .filter_map(|e| {
            Some(CountryEntry {
                code: CountryCode::parse(e.str(k!(Country, "code"))?)?,
                name: e.text(k!(Country, "name")),
                name_ja: e.text(k!(Country, "name_ja")),
                regime_note: e.text(k!(Country, "regime_note")),
                window: e.window(),
                meta: e.meta(),
            })
        })
        .collect();

    let policies_part = part(Section::Policy);
    let mut built = Vec::with_capacity(policies_part.rows(sources));
    for_each_entry(&mut b, policies_part, |b, e| {
        let Some(key_pos) = e.pos_of(k!(Policy, "id")) else {
            return;
        };
        let mark = b.diagnostics.len();
        let value = policy(b, &cat_index, &subtrees, e);
        built.push(Built::new(e, key_pos, value, b.take_since(mark)));
    });
    let policies = keep_first(
        &mut b,
        built,
        |p: &Policy| &p.id,
        k!(Policy, "id"),
        "policy",
    );
    drop(org_index);
    drop(system_index);
    drop(cat_index);

    if b.had_syntax_errors {
        // Entries lost to a syntax error would make reference checks report noise.
        b.diagnostics
            .retain(|d| d.code != "unknown-reference" && d.code != "missing-model");
    }
    // After a TOML syntax error the parser's recovery is guesswork: what it
    // reports from the broken entry on follows from that one error.
    let garbled: Vec<(&Path, usize)> = b
        .garbled
        .iter()
        .map(|&(file, line)| (&*sources.files[file as usize].path, line))
        .collect();
    b.diagnostics.retain(|d| {
        d.code == "syntax"
            || !d.location.as_ref().is_some_and(|l| {
                garbled
                    .iter()
                    .any(|&(file, line)| file == &*l.file && l.line >= line)
            })
    });
    match info {
        Some(info) if b.diagnostics.is_empty() => Ok(Model {
            info,
            categories,
            organisations,
            systems,
            flows,
            accesses,
            contracts,
            countries,
            policies,
            subtree: subtrees.0,
        }),
        _ => {
            if b.diagnostics.is_empty() {
                b.error(Diagnostic::new(
                    "missing-model",
                    "the [model] table is incomplete",
                ));
            }
            Err(finish(b.diagnostics, sources))
        }
    }
}

macro_rules! identified {
    ($($t:ty),*) => {$(
        impl Identified for $t {
            fn id(&self) -> Option<&str> {
                self.id.as_deref()
            }
            fn location(&self) -> Option<&Location> {
                self.meta.location.as_ref()
            }
        }
    )*};
}
identified!(Flow, Access, Contract);

/// An organisation as read, with its `parent` as written and where.
type OrgRead = (Organisation, Option<(String, Pos)>);

/// The organisations read, each id kept once, with their parents resolved
/// and cycles among them reported; and their index.
fn organisations_kept(b: &mut Builder, built: Vec<Built<OrgRead>>) -> (Vec<Organisation>, Index) {
    let mut organisations = Vec::with_capacity(built.len());
    let mut parents = Vec::with_capacity(built.len());
    keep_first_each(
        b,
        built,
        |(o, _): &(Organisation, _)| &o.id,
        k!(Organisation, "id"),
        "organisation",
        |(org, parent), index| {
            organisations.push(org);
            parents.push((parent, index));
        },
    );
    let org_index = Index::new("organisation", organisations.iter().map(|o| o.id.as_str()));
    // Each organisation's entry number and `parent` place, for a cycle's report.
    let parent_keys: Vec<(Option<usize>, Option<Pos>)> = parents
        .iter()
        .map(|(parent, index)| (*index, parent.as_ref().map(|(_, pos)| *pos)))
        .collect();
    let parents: Vec<Option<OrgIdx>> = parents
        .into_iter()
        .map(|(parent, index)| {
            let (name, pos) = parent?;
            let label = Label {
                section: Section::Organisation,
                index,
                key: Some("parent"),
                item: None,
            };
            org_index.resolve(b, &name, pos, label).map(OrgIdx)
        })
        .collect();
    for (org, parent) in organisations.iter_mut().zip(parents) {
        org.parent = parent;
    }
    check_parent_cycles(b, &organisations, &parent_keys);
    (organisations, org_index)
}

/// `mine` on this thread with the builder, and `theirs` meanwhile on a
/// second thread with a fork of it, whose diagnostics are then absorbed
/// (they are sorted by place at the end).
fn beside<'s, M, T: Send>(
    b: &mut Builder<'s>,
    mine: impl FnOnce(&mut Builder<'s>) -> M,
    theirs: impl FnOnce(&mut Builder<'s>) -> T + Send,
) -> (M, T) {
    let mut other = b.fork();
    let (mine, (theirs, other)) = alongside(|| mine(b), move || (theirs(&mut other), other));
    b.absorb(other);
    (mine, theirs)
}

/// What flows, accesses and contracts resolve against.
struct Refs<'r> {
    categories: &'r Index,
    subtrees: &'r Subtrees,
    organisations: &'r Index,
    systems: &'r Index,
    /// Each organisation's country, for an access's default `from_country`:
    /// read at random once per access, a few bytes each stay in cache where
    /// whole organisations would not.
    seats: &'r [CountryCode],
}

fn flows<'s>(b: &mut Builder<'s>, part: Part<'s>, refs: &Refs) -> Vec<Flow> {
    let rows = for_each_entry_split(
        b,
        part,
        &flow_lookups(refs),
        Rows::with_capacity,
        flow_entry(refs),
    );
    flows_kept(b, rows)
}

fn flow_lookups<'r>(refs: &Refs<'r>) -> [(Key, &'r Index); 2] {
    [
        (k!(Flow, "from"), refs.systems),
        (k!(Flow, "to"), refs.systems),
    ]
}

fn flow_entry<'r, 's>(
    refs: &'r Refs<'r>,
) -> impl for<'e> Fn(&mut Builder<'s>, &mut Rows<Flow>, &Entry<'e>) + Sync + 'r {
    |b, flows, e| {
        let from = b.reference(refs.systems, e, k!(Flow, "from")).unwrap_or(0);
        let to = b.reference(refs.systems, e, k!(Flow, "to")).unwrap_or(0);
        let named = category_list(b, refs.categories, e, k!(Flow, "categories"));
        let id = e.pos_of(k!(Flow, "id")).map(|key_pos| (e.pos, key_pos));
        let flow = Flow {
            id: e.text(k!(Flow, "id")),
            from: SystemIdx(from),
            to: SystemIdx(to),
            categories: named.as_deref().map(|n| refs.subtrees.expand(n)),
            categories_named: named.unwrap_or_default(),
            purpose: e.text(k!(Flow, "purpose")),
            window: e.window(),
            meta: e.meta(),
        };
        flows.push(flow, id);
    }
}

/// The flows read, with ids written twice reported.
fn flows_kept(b: &mut Builder, flows: Rows<Flow>) -> Vec<Flow> {
    flows.unique(b, k!(Flow, "id"), "flow")
}

fn accesses<'s>(b: &mut Builder<'s>, part: Part<'s>, refs: &Refs) -> Vec<Access> {
    let rows = for_each_entry_split(
        b,
        part,
        &access_lookups(refs),
        Rows::with_capacity,
        access_entry(refs),
    );
    accesses_kept(b, rows)
}

fn access_lookups<'r>(refs: &Refs<'r>) -> [(Key, &'r Index); 2] {
    [
        (k!(Access, "who"), refs.organisations),
        (k!(Access, "to"), refs.systems),
    ]
}

fn access_entry<'r, 's>(
    refs: &'r Refs<'r>,
) -> impl for<'e> Fn(&mut Builder<'s>, &mut Rows<Access>, &Entry<'e>) + Sync + 'r {
    |b, accesses, e| {
        // Both lookups together: their cache misses overlap.
        let who = b
            .reference(refs.organisations, e, k!(Access, "who"))
            .map(OrgIdx);
        let to = b.reference(refs.systems, e, k!(Access, "to")).unwrap_or(0);
        let named = category_list(b, refs.categories, e, k!(Access, "categories"));
        let from_country = match e.has(k!(Access, "from_country")) {
            true => b.country(e, k!(Access, "from_country")),
            false => who.map(|w| refs.seats[w.0 as usize]),
        };
        let id = e.pos_of(k!(Access, "id")).map(|key_pos| (e.pos, key_pos));
        let access = Access {
            id: e.text(k!(Access, "id")),
            who: who.unwrap_or(OrgIdx(0)),
            to: SystemIdx(to),
            categories: named.as_deref().map(|n| refs.subtrees.expand(n)),
            categories_named: named.unwrap_or_default(),
            from_country: from_country.unwrap_or(PLACEHOLDER),
            purpose: e.text(k!(Access, "purpose")),
            mode: match e.str(k!(Access, "mode")) {
                Some("remote") => Some(AccessMode::Remote),
                Some("onsite") => Some(AccessMode::Onsite),
                Some("admin") => Some(AccessMode::Admin),
                Some("monitoring") => Some(AccessMode::Monitoring),
                _ => None,
            },
            window: e.window(),
            evidence: Evidence {
                headcount: e.count(k!(Access, "headcount")),
                observed: e.text(k!(Access, "observed")),
                controls: e
                    .list(k!(Access, "controls"))
                    .map(|l| l.map(|(s, _)| s.to_string()).collect())
                    .unwrap_or_default(),
            }
            .out_of_line(),
            meta: e.meta(),
        };
        accesses.push(access, id);
    }
}

/// The accesses read, with ids written twice reported.
fn accesses_kept(b: &mut Builder, accesses: Rows<Access>) -> Vec<Access> {
    accesses.unique(b, k!(Access, "id"), "access")
}

/// What contracts resolve against.
struct ContractRefs<'r> {
    categories: &'r Index,
    subtrees: &'r Subtrees,
    organisations: &'r Index,
}

/// Contracts read early, on a thread of their own, or still to be read.
enum Contracts<'s> {
    Read(Vec<Contract>),
    Unread(Part<'s>),
}

fn contracts<'s>(b: &mut Builder<'s>, part: Part<'s>, refs: &ContractRefs) -> Vec<Contract> {
    let lookups = [
        (k!(Contract, "from"), refs.organisations),
        (k!(Contract, "to"), refs.organisations),
    ];
    let contracts =
        for_each_entry_split(b, part, &lookups, Rows::with_capacity, |b, contracts, e| {
            let named = category_list(b, refs.categories, e, k!(Contract, "categories"));
            let id = e.pos_of(k!(Contract, "id")).map(|key_pos| (e.pos, key_pos));
            let contract = Contract {
                id: e.text(k!(Contract, "id")),
                from: OrgIdx(
                    b.reference(refs.organisations, e, k!(Contract, "from"))
                        .unwrap_or(0),
                ),
                to: OrgIdx(
                    b.reference(refs.organisations, e, k!(Contract, "to"))
                        .unwrap_or(0),
                ),
                kind: match e.str(k!(Contract, "kind")) {
                    Some("re-entrustment") => ContractKind::ReEntrustment,
                    Some("provision") => ContractKind::Provision,
                    Some("joint_use") => ContractKind::JointUse,
                    Some("group") => ContractKind::Group,
                    _ => ContractKind::Entrustment,
                },
                purpose: e.text(k!(Contract, "purpose")),
                categories: named.as_deref().map(|n| refs.subtrees.expand(n)),
                categories_named: named.unwrap_or_default(),
                transfer_basis: e.text(k!(Contract, "transfer_basis")),
                window: e.window(),
                meta: e.meta(),
            };
            contracts.push(contract, id);
        });
    contracts.unique(b, k!(Contract, "id"), "contract")
}

fn policy(b: &mut Builder, cat_index: &Index, subtrees: &Subtrees, e: &Entry) -> Policy {
    let named = category_list(b, cat_index, e, k!(Policy, "categories")).unwrap_or_default();
    let deny = b.countries(e, k!(Policy, "deny_countries"));
    let allow = b.countries(e, k!(Policy, "allow_countries"));
    let rule = match (deny, allow) {
        (Some(d), None) => CountryRule::Deny(d),
        (None, Some(a)) => CountryRule::Allow(a),
        (Some(d), Some(_)) => {
            let location = b.location_of(e, k!(Policy, "allow_countries"));
            b.error(
                Diagnostic::new("policy-countries", "a policy takes deny_countries or allow_countries, not both")
                    .at(Some(location))
                    .entry(e.key_label(k!(Policy, "allow_countries")).to_string())
                    .help("keep deny_countries to forbid a few countries, or allow_countries to permit only a few"),
            );
            CountryRule::Deny(d)
        }
        (None, None) => {
            b.error(
                Diagnostic::new(
                    "policy-countries",
                    "a policy needs deny_countries or allow_countries",
                )
                .at(Some(e.location()))
                .entry(e.label().to_string())
                .help("add deny_countries = [\"CN\"] or allow_countries = [\"JP\"]"),
            );
            CountryRule::Deny(Vec::new())
        }
    };
    let mut kinds: Vec<Kind> = e
        .list(k!(Policy, "kinds"))
        .map(|l| {
            l.filter_map(|(k, _)| Kind::ALL.into_iter().find(|x| x.as_str() == k))
                .collect()
        })
        .unwrap_or_default();
    kinds.sort();
    kinds.dedup();
    Policy {
        id: e.text(k!(Policy, "id")).unwrap_or_default(),
        categories: subtrees.expand(&named),
        categories_named: named,
        rule,
        kinds,
        severity: match e.str(k!(Policy, "severity")) {
            Some("warning") => Severity::Warning,
            _ => Severity::Error,
        },
        message: e.text(k!(Policy, "message")),
        window: e.window(),
        meta: e.meta(),
    }
}

/// Stand-in for a country that failed to resolve; never reaches a valid model.
const PLACEHOLDER: CountryCode = CountryCode::UNKNOWN;

/// Reports each ownership cycle once, at the `parent` key of its member
/// with the smallest id, naming the whole chain. The cycles are found by one
/// walk per chain of parent links; `parent_keys` gives each organisation's
/// entry number and the place of its `parent` key.
fn check_parent_cycles(
    b: &mut Builder,
    orgs: &[Organisation],
    parent_keys: &[(Option<usize>, Option<Pos>)],
) {
    const NEW: u8 = 0;
    const ON_WALK: u8 = 1;
    const DONE: u8 = 2;
    let mut state = vec![NEW; orgs.len()];
    let mut walk = Vec::new();
    for start in 0..orgs.len() {
        let mut at = start;
        while state[at] == NEW {
            state[at] = ON_WALK;
            walk.push(at);
            match orgs[at].parent {
                Some(p) => at = p.0 as usize,
                None => break,
            }
        }
        if state[at] == ON_WALK && orgs[at].parent.is_some() {
            // The walk came back to `at`: from there on it is a cycle, met
            // for the first time. Organisations are sorted by id, so the
            // smallest index is the smallest id.
            let from = walk.iter().position(|&w| w == at).unwrap_or(walk.len());
            if let Some(&first) = walk[from..].iter().min() {
                report_cycle(b, orgs, parent_keys, first);
            }
        }
        for w in walk.drain(..) {
            state[w] = DONE;
        }
    }
}

/// The cycle through `first`, reported at its `parent` key.
fn report_cycle(
    b: &mut Builder,
    orgs: &[Organisation],
    parent_keys: &[(Option<usize>, Option<Pos>)],
    first: usize,
) {
    let mut names = vec![orgs[first].id.as_str()];
    let mut at = first;
    while let Some(parent) = orgs[at].parent {
        at = parent.0 as usize;
        names.push(orgs[at].id.as_str());
        if at == first {
            break;
        }
    }
    let (index, pos) = parent_keys[first];
    let label = Label {
        section: Section::Organisation,
        index,
        key: Some("parent"),
        item: None,
    };
    let location = pos
        .map(|p| b.location(p))
        .or_else(|| orgs[first].meta.location.clone());
    b.error(
        Diagnostic::new(
            "parent-cycle",
            format!(
                "organisation \"{}\" is its own ancestor: {}",
                orgs[first].id,
                names.join(" → ")
            ),
        )
        .at(location)
        .entry(label.to_string())
        .help("ownership cannot form a cycle; remove or change one of these `parent` keys"),
    );
}

/// Sorts diagnostics by place and attaches the source line to each.
fn finish(mut diagnostics: Vec<Diagnostic>, sources: &Sources) -> LoadError {
    diagnostics.sort_by(|a, b| {
        a.location
            .cmp(&b.location)
            .then_with(|| a.message.cmp(&b.message))
    });
    diagnostics.dedup();
    for d in &mut diagnostics {
        if let Some(location) = &d.location
            && let Some(line) = sources.line_text(location)
        {
            let (text, caret) = super::diag::snippet(line, location.column);
            d.snippet = Some(text);
            d.caret = caret;
        }
    }
    LoadError { diagnostics }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_name_their_section_fields() {
        let who = k!(Access, "who");
        assert_eq!(Section::Access.fields()[who.index].name, "who");
        for s in Section::ALL {
            let c = COMMON[s as usize];
            assert_eq!(c.note.map(|i| s.fields()[i].name), Some("note"));
            assert_eq!(c.source.map(|i| s.fields()[i].name), Some("source"));
        }
    }

    #[test]
    fn head_is_the_first_eight_bytes_zero_padded() {
        for id in [
            "",
            "a",
            "s1234",
            "abcdefg",
            "abcdefgh",
            "abcdefghijk",
            "日本",
        ] {
            let mut padded = [0u8; 8];
            let n = id.len().min(8);
            padded[..n].copy_from_slice(&id.as_bytes()[..n]);
            assert_eq!(head(id.as_bytes()), u64::from_be_bytes(padded), "{id}");
        }
        // Ordered as the ids are, where the first bytes decide.
        assert!(head(b"s12") < head(b"s2") && head(b"s") < head(b"s0"));
    }

    /// Loads `dir` reading CSV rows on one thread, then with every table
    /// split in two, and returns both results.
    fn both_ways(dir: &Path) -> [Result<Model, LoadError>; 2] {
        set_split_min_bytes(usize::MAX);
        let whole = Model::load(dir);
        set_split_min_bytes(1);
        let split = Model::load(dir);
        set_split_min_bytes(SPLIT_MIN_BYTES);
        [whole, split]
    }

    #[test]
    fn a_model_read_in_halves_is_the_model_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        crate::synth::write(&crate::synth::Params::scaled(4000, 7), dir.path()).unwrap();
        for table in [
            "access.csv",
            "flows.csv",
            "systems.csv",
            "organisations.csv",
        ] {
            let text = std::fs::read_to_string(dir.path().join(table)).unwrap();
            let body = text.find('\n').unwrap() + 1;
            assert!(
                source::csv_split(&text, body, 1).is_some(),
                "{table} splits"
            );
        }
        // Flows and accesses are read side by side, each on its own thread.
        let [whole, split] = both_ways(dir.path());
        let (whole, split) = (whole.unwrap(), split.unwrap());
        assert!(whole.accesses.len() > 1000);
        assert_eq!(shown(&whole), shown(&split));
        // Without flows, the accesses are read in two halves.
        std::fs::remove_file(dir.path().join("flows.csv")).unwrap();
        let [whole, split] = both_ways(dir.path());
        let (whole, split) = (whole.unwrap(), split.unwrap());
        assert!(whole.flows.is_empty() && whole.accesses.len() > 1000);
        assert_eq!(shown(&whole), shown(&split));
    }

    #[test]
    fn rows_counted_ahead_match_what_the_reader_hands_on() {
        // Two columns. Records: "a,b" (1), "" skipped, " , " blank, "c" one
        // cell, "d,e,f" three cells, "g, h" (2), "\t,x" (3): three rows.
        let text = "a,b\r\n\r\n , \nc\r\nd,e,f\rg, h\n\t,x";
        assert_eq!(source::csv_rows_in(text, 0..text.len(), 2), 3);
        // A stretch that starts in the middle of the blank lines.
        assert_eq!(source::csv_rows_in(text, 5..text.len(), 2), 2);
    }

    /// The errors of loading `dir`, the same whether its tables are read
    /// whole or split.
    fn reported_both_ways(dir: &Path) -> LoadError {
        let [whole, split] = both_ways(dir);
        let (whole, split) = (whole.unwrap_err(), split.unwrap_err());
        assert_eq!(whole.render(), split.render());
        split
    }

    /// Each diagnostic's code, entry and line.
    fn reported(error: &LoadError) -> Vec<(&str, Option<&str>, usize)> {
        (error.diagnostics.iter())
            .map(|d| {
                let line = d.location.as_ref().map_or(0, |l| l.line);
                (d.code, d.entry.as_deref(), line)
            })
            .collect()
    }

    /// A model directory: a `[model]` table and the given files.
    fn model_dir(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        write("model.toml", "[model]\nname = \"m\"\nhome = \"JP\"\n");
        for (name, text) in files {
            write(name, text);
        }
        dir
    }

    #[test]
    fn errors_in_either_half_are_numbered_and_placed_as_read_whole() {
        // Lines: 1 header; 2 a0 = access[0]; 3 empty; 4 blank cells; 5 too
        // few cells (reported, not numbered); 6 a2 = [1]; 7 a3 = [2] with an
        // unknown org; 8..11 a4..a7 = [3]..[6]; 12 a8 = [7] with an unknown
        // org; 13 a second a0 = [8].
        let rows = [
            "id,who,to",
            "a0,o1,s1",
            "",
            " , ,",
            "a1,o1",
            "a2,o1,s1",
            "a3,oX,s1",
            "a4,o1,s1",
            "a5,o1,s1",
            "a6,o1,s1",
            "a7,o1,s1",
            "a8,oY,s1",
            "a0,o1,s1",
        ];
        let dir = model_dir(&[
            (
                "organisations.csv",
                "id,name,country,role\no1,One,JP,controller\n",
            ),
            ("systems.csv", "id,name,country,operator\ns1,S,JP,o1\n"),
            ("access.csv", &(rows.join("\r\n") + "\r\n")),
        ]);
        let split = reported_both_ways(dir.path());
        assert_eq!(
            reported(&split),
            [
                ("csv-shape", None, 5),
                ("unknown-reference", Some("access[2].who"), 7),
                ("unknown-reference", Some("access[7].who"), 12),
                ("duplicate-id", Some("access[8].id"), 13),
            ]
        );
    }

    #[test]
    fn an_id_too_long_is_reported_from_a_row_of_visible_bytes() {
        // Line 3's bytes are all visible ASCII, and whole 64-byte blocks
        // follow it, so its cells are read in place without a byte-by-byte
        // test: the id's length is still checked.
        let long = "s".repeat(crate::model::limits::MAX_ID_BYTES + 1);
        let after = "s2,Second system,JP,o1\n".repeat(6);
        let systems = format!("id,name,country,operator\ns1,S,JP,o1\n{long},L,JP,o1\n{after}");
        let dir = model_dir(&[
            (
                "organisations.csv",
                "id,name,country,role\no1,One,JP,controller\n",
            ),
            ("systems.csv", &systems),
        ]);
        let error = Model::load(dir.path()).unwrap_err();
        assert_eq!(
            reported(&error)[0],
            ("bad-id", Some("system[1].id"), 3),
            "{}",
            error.render()
        );
    }

    /// Contracts read on a thread of their own while systems are sorted
    /// report what they find as when read after them.
    #[test]
    fn contracts_read_beside_the_systems_report_as_read_after_them() {
        let dir = model_dir(&[
            (
                "organisations.csv",
                "id,name,country,role\no1,One,JP,controller\no2,Two,KR,vendor\n",
            ),
            (
                "systems.csv",
                "id,name,country,operator\ns1,S,JP,o1\ns2,T,KR,o2\ns1,U,JP,o1\n",
            ),
            (
                "contracts.csv",
                "id,from,to,kind\nc0,o1,o2,entrustment\nc1,o1,oX,entrustment\nc0,o2,o1,provision\n",
            ),
        ]);
        let split = reported_both_ways(dir.path());
        for d in &split.diagnostics {
            let file = &d.location.as_ref().unwrap().file;
            let contract = d.entry.as_deref().unwrap().starts_with("contract");
            let table = if contract {
                "contracts.csv"
            } else {
                "systems.csv"
            };
            assert!(file.ends_with(table), "{}", d.message);
        }
        assert_eq!(
            reported(&split),
            [
                ("unknown-reference", Some("contract[1].to"), 3),
                ("duplicate-id", Some("contract[2].id"), 4),
                ("duplicate-id", Some("system[2].id"), 4),
            ]
        );
    }

    /// Ids that share their first eight bytes are told apart by the rest;
    /// an id written twice is reported once, at its second place.
    #[test]
    fn ids_alike_in_their_first_bytes_sort_and_repeat_as_ids() {
        let system = |id: &str| {
            format!(
                "[[system]]\nid = \"{id}\"\nname = \"S\"\ncountry = \"JP\"\noperator = \"o\"\n\n"
            )
        };
        let head = "[model]\nname = \"m\"\nhome = \"JP\"\n\n[[organisation]]\nid = \"o\"\nname = \"O\"\ncountry = \"JP\"\nrole = \"controller\"\n\n";
        let ids = [
            "service-beta",
            "service-alpha",
            "service-a",
            "service-alpha",
        ];
        let text: String = std::iter::once(head.to_string())
            .chain(ids.map(system))
            .collect();
        let error = Model::from_toml_str("m.toml", &text).unwrap_err();
        let found: Vec<(&str, Option<&str>)> = error
            .diagnostics
            .iter()
            .map(|d| (d.code, d.entry.as_deref()))
            .collect();
        assert_eq!(found, [("duplicate-id", Some("system[3].id"))]);
        let text: String = std::iter::once(head.to_string())
            .chain(ids[..3].iter().map(|id| system(id)))
            .collect();
        let model = Model::from_toml_str("m.toml", &text).unwrap();
        let sorted: Vec<&str> = model.systems.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(sorted, ["service-a", "service-alpha", "service-beta"]);
    }

    /// Flows written many times over, some ids again: each repeat is
    /// reported once, at its own line, naming the first line its id was
    /// written on, whether the table is read whole or in pieces.
    #[test]
    fn ids_written_again_among_many_rows_are_each_reported_once() {
        // In each of flows.csv and access.csv, row r (line r + 2) has id
        // f{r} (a{r}), except every 997th row, which repeats the id of the
        // row 1000 before it, and every 2011th, which has no id. Read split,
        // both tables are large enough to be read side by side in pieces.
        let rows = 40_000;
        let mut expected = Vec::new();
        let mut table = |prefix: &str, section: &str, columns: &str, rest: &str| {
            let mut text = format!("{columns}\n");
            let mut first_line = std::collections::HashMap::new();
            for r in 0..rows {
                let id = match r {
                    _ if r % 2011 == 5 => String::new(),
                    _ if r % 997 == 3 && r >= 1000 => format!("{prefix}{}", r - 1000),
                    _ => format!("{prefix}{r}"),
                };
                let line = r + 2;
                if !id.is_empty() {
                    match first_line.get(&id) {
                        Some(&first) => expected.push((format!("{section}[{r}].id"), line, first)),
                        None => {
                            first_line.insert(id.clone(), line);
                        }
                    }
                }
                text.push_str(&format!("{id},{rest}\n"));
            }
            text
        };
        let flows = table("f", "flow", "id,from,to", "s1,s2");
        let accesses = table("a", "access", "id,who,to", "o1,s2");
        expected.sort();
        assert!(expected.len() > 60);
        let dir = model_dir(&[
            (
                "organisations.csv",
                "id,name,country,role\no1,One,JP,controller\n",
            ),
            (
                "systems.csv",
                "id,name,country,operator\ns1,S,JP,o1\ns2,T,KR,o1\n",
            ),
            ("flows.csv", &flows),
            ("access.csv", &accesses),
        ]);
        for loaded in both_ways(dir.path()) {
            let error = loaded.unwrap_err();
            let mut found: Vec<(String, usize, usize)> = error
                .diagnostics
                .iter()
                .map(|d| {
                    assert_eq!(d.code, "duplicate-id", "{}", d.message);
                    let also = d.message.split(".csv:").nth(1).unwrap();
                    let first: usize = also.split(' ').next().unwrap().parse().unwrap();
                    let line = d.location.as_ref().unwrap().line;
                    (d.entry.clone().unwrap(), line, first)
                })
                .collect();
            found.sort();
            assert_eq!(found, expected);
        }
    }

    proptest::proptest! {
        /// A list cell's items are its `;`-separated parts, trimmed, the
        /// empty ones left out.
        #[test]
        fn list_items_are_the_trimmed_parts_between_semicolons(
            cell in "[a; \t\u{3000}é.]{0,24}",
        ) {
            let plain: Vec<&str> = cell
                .split(';')
                .map(source::trim_cell)
                .filter(|s| !s.is_empty())
                .collect();
            proptest::prop_assert_eq!(list_items(&cell).collect::<Vec<_>>(), plain);
        }

        /// Every key whose hash is written more than once is among the
        /// shared ones, which are keys given, sorted.
        #[test]
        fn shared_hashes_hold_every_hash_written_twice(
            hashes in proptest::collection::vec(
                proptest::prop_oneof![0u64..40, proptest::num::u64::ANY], 0..3000),
        ) {
            let keys: Vec<(u64, u32)> =
                hashes.iter().enumerate().map(|(i, &h)| (h, i as u32)).collect();
            let shared = shared_hashes(&keys);
            proptest::prop_assert!(shared.is_sorted());
            let mut count = std::collections::HashMap::new();
            for &h in &hashes {
                *count.entry(h).or_insert(0) += 1;
            }
            for key in &keys {
                if count[&key.0] > 1 {
                    proptest::prop_assert!(shared.binary_search(key).is_ok());
                }
            }
            for key in &shared {
                proptest::prop_assert_eq!(keys[key.1 as usize], *key);
            }
            let mut distinct = shared.clone();
            distinct.dedup();
            proptest::prop_assert_eq!(distinct.len(), shared.len());
        }
    }

    /// A model as [`shown`], or its diagnostics rendered.
    fn shown_or_render(loaded: Result<Model, LoadError>) -> Result<String, String> {
        loaded.map(|m| shown(&m)).map_err(|e| e.render())
    }

    /// A model as text with the addresses of bit sets' storage taken out:
    /// Debug shows every field, file places and lines included.
    fn shown(model: &Model) -> String {
        let text = format!("{model:?}");
        let mut parts = text.split("data: 0x");
        let mut out = parts.next().unwrap_or_default().to_string();
        for part in parts {
            out.push_str(part.trim_start_matches(|c: char| c.is_ascii_hexdigit()));
        }
        out
    }

    /// Cells for each kind of column: first the valid ones, then values with
    /// each kind of problem the checks find, padded and empty ones. `#` is
    /// an id of the row's own.
    type Column<'a> = (&'a str, usize, &'a [&'a str]);
    const IDS: &[&str] = &["#", " # ", "", "x\u{200b}y", "o1", "s1"];
    const ORGS: &[&str] = &["o1", "o2", " o1 ", "", "o9"];
    const SYSTEMS: &[&str] = &["s1", "s2", "s2 ", "", "s9"];
    const COUNTRIES: &[&str] = &["JP", "KR", " CN", "jp", "XX", "J", ""];
    const DATES: &[&str] = &["", "2021-01-01", "2022-06-30", "2021-02-30", "2021-1-1"];
    const LISTS: &[&str] = &["g", "g.a;h", "g; ;h", " g.a ", "", ";", "h;zz"];
    const TEXTS: &[&str] = &["text", " padded ", "", "名前", "a;b"];

    /// A CSV table: a header, then rows whose cells are picked from each
    /// column's values, valid ones `share` times in 100; `prefix` names the
    /// rows' own ids.
    fn table(prefix: &str, columns: &[Column], picks: &[Vec<usize>], share: usize) -> String {
        let mut out = columns.iter().map(|c| c.0).collect::<Vec<_>>().join(",") + "\n";
        for (n, row) in picks.iter().enumerate() {
            let cells: Vec<String> = columns
                .iter()
                .zip(row)
                .map(|(&(_, valid, values), &r)| {
                    let i = if r < share {
                        r % valid
                    } else {
                        r % values.len()
                    };
                    values[i].replace('#', &format!("{prefix}{n}"))
                })
                .collect();
            out.push_str(&cells.join(","));
            out.push('\n');
        }
        out
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(128))]

        /// Rows read in place build exactly the model, or report exactly the
        /// problems, that checking every cell does.
        #[test]
        fn rows_read_in_place_are_the_rows_checked_cell_by_cell(
            picks in proptest::collection::vec(
                proptest::collection::vec(0usize..100, 12), 1..8),
            clean in proptest::bool::ANY,
        ) {
            // Half the cases have only valid cells, so that models load.
            let share = if clean { 100 } else { 85 };
            let dir = tempfile::tempdir().unwrap();
            let write = |name: &str, text: String| std::fs::write(dir.path().join(name), text).unwrap();
            write("model.toml", "[model]\nname = \"m\"\nhome = \"JP\"\n\n[[category]]\nid = \"g\"\nname = \"G\"\n\n[[category]]\nid = \"g.a\"\nname = \"A\"\n\n[[category]]\nid = \"h\"\nname = \"H\"\n".into());
            let roles: &[&str] = &["controller", "vendor", "group", "boss", ""];
            let bools: &[&str] = &["true", "false", "", "yes"];
            let modes: &[&str] = &["remote", "admin", "", "telepathy"];
            let counts: &[&str] = &["3", "0", "+4", "", "-1", "x"];
            let kinds: &[&str] = &["entrustment", "re-entrustment", "bogus", ""];
            // Two organisations and systems that are always there, for references.
            let fixed = |text: String, rows: &str| text.replacen('\n', &format!("\n{rows}"), 1);
            write("organisations.csv", fixed(table("o-", &[
                ("id", 2, IDS), ("name", 2, TEXTS), ("country", 3, COUNTRIES), ("role", 3, roles),
                ("parent", 4, ORGS), ("since", 3, DATES), ("note", 5, TEXTS),
            ], &picks, share), "o1,One,JP,controller,,,\no2,Two,KR,vendor,o1,,\n"));
            write("systems.csv", fixed(table("s-", &[
                ("id", 2, IDS), ("name", 2, TEXTS), ("country", 3, COUNTRIES), ("operator", 3, ORGS),
                ("operator_access", 3, bools), ("holds", 5, LISTS), ("until", 3, DATES),
                ("source", 5, TEXTS),
            ], &picks, share), "s1,One,JP,o1,,g,,\ns2,Two,KR,o2,false,h,,\n"));
            write("flows.csv", table("f", &[
                ("id", 2, IDS), ("from", 3, SYSTEMS), ("to", 3, SYSTEMS), ("categories", 5, LISTS),
                ("purpose", 5, TEXTS), ("since", 3, DATES), ("until", 1, DATES),
            ], &picks, share));
            write("access.csv", table("a", &[
                ("id", 2, IDS), ("who", 3, ORGS), ("to", 3, SYSTEMS), ("categories", 5, LISTS),
                ("from_country", 3, COUNTRIES), ("mode", 3, modes), ("headcount", 4, counts),
                ("controls", 5, TEXTS), ("observed", 5, TEXTS), ("since", 3, DATES),
                ("until", 1, DATES), ("note", 5, TEXTS),
            ], &picks, share));
            write("contracts.csv", table("c", &[
                ("id", 2, IDS), ("from", 3, ORGS), ("to", 3, ORGS), ("kind", 2, kinds),
                ("categories", 5, LISTS), ("transfer_basis", 5, TEXTS),
            ], &picks, share));
            let sensitivities: &[&str] = &["normal", "payment", "", "secret"];
            write("categories.csv", table("k", &[
                ("id", 2, IDS), ("name", 2, TEXTS), ("sensitivity", 3, sensitivities),
            ], &picks, share));
            let countries: &[&str] = &["CN", "CN;KR", " KR ; CN", "", "cn;KR", "XX", "C;"];
            let policy_kinds: &[&str] = &["accessed", "stored;seat", "", "flown", "stored;;"];
            let severities: &[&str] = &["error", "warning", "", "fatal"];
            write("policies.csv", table("p", &[
                ("id", 2, IDS), ("categories", 4, LISTS), ("deny_countries", 4, countries),
                ("kinds", 3, policy_kinds), ("severity", 3, severities), ("message", 5, TEXTS),
            ], &picks, share));
            set_quick_rows(false);
            let checked = shown_or_render(Model::load(dir.path()));
            set_quick_rows(true);
            let in_place = shown_or_render(Model::load(dir.path()));
            proptest::prop_assert_eq!(&checked, &in_place);
            // Every table cut at every line: split in halves, or read side
            // by side in pieces, some taken from the back by the other thread.
            set_split_min_bytes(1);
            let in_pieces = shown_or_render(Model::load(dir.path()));
            set_split_min_bytes(SPLIT_MIN_BYTES);
            proptest::prop_assert_eq!(&checked, &in_pieces);
        }
    }
}
