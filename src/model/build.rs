//! From raw entries to a validated [`Model`]: keys and types checked against
//! the field tables, ids indexed, references resolved. Every problem is
//! collected; nothing stops at the first.

use std::collections::{BTreeMap, HashMap};

use super::country::{self, CountryCode};
use super::diag::{Diagnostic, LineIndex, LoadError, Location, suggest};
use super::fields::{Field, FieldType, Section};
use super::source::{RawEntry, RawModel, RawValue};
use super::*;

/// A checked value; references are still names until the ids are indexed.
#[derive(Debug, Clone)]
enum Value {
    Text(String),
    List(Vec<(String, Location)>),
    Date(Date),
    Bool(bool),
    Count(u64),
}

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

/// One entry's checked keys.
struct Entry {
    section: Section,
    index: Option<usize>,
    location: Location,
    /// Few keys per entry: a vector beats a map.
    values: Vec<(&'static str, Value, Location)>,
}

impl Entry {
    fn get(&self, key: &str) -> Option<&Value> {
        self.values
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, v, _)| v)
    }
    fn str(&self, key: &str) -> Option<&str> {
        match self.get(key) {
            Some(Value::Text(t)) => Some(t),
            _ => None,
        }
    }
    fn text(&self, key: &str) -> Option<String> {
        self.str(key).map(str::to_string)
    }
    fn list(&self, key: &str) -> Option<&[(String, Location)]> {
        match self.get(key) {
            Some(Value::List(l)) => Some(l),
            _ => None,
        }
    }
    fn date(&self, key: &str) -> Option<Date> {
        match self.get(key) {
            Some(Value::Date(d)) => Some(*d),
            _ => None,
        }
    }
    fn bool(&self, key: &str) -> Option<bool> {
        match self.get(key) {
            Some(Value::Bool(b)) => Some(*b),
            _ => None,
        }
    }
    fn count(&self, key: &str) -> Option<u64> {
        match self.get(key) {
            Some(Value::Count(n)) => Some(*n),
            _ => None,
        }
    }
    fn location_of(&self, key: &str) -> Location {
        self.values
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, _, l)| l.clone())
            .unwrap_or_else(|| self.location.clone())
    }
    fn label(&self) -> Label<'static> {
        Label {
            section: self.section,
            index: self.index,
            key: None,
            item: None,
        }
    }
    fn key_label<'k>(&self, key: &'k str) -> Label<'k> {
        self.label().key(key)
    }
    fn meta(&self) -> Meta {
        Meta {
            note: self.text("note"),
            source: self.text("source"),
            location: Some(self.location.clone()),
        }
    }
    fn window(&self) -> Window {
        Window {
            since: self.date("since"),
            until: self.date("until"),
        }
    }
}

struct Builder {
    diagnostics: Vec<Diagnostic>,
    countries: Vec<CountryCode>,
}

impl Builder {
    fn error(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    fn check_entry(&mut self, raw: RawEntry, index: Option<usize>) -> Entry {
        let section = raw.section;
        let label = Label {
            section,
            index,
            key: None,
            item: None,
        };
        let mut values = Vec::with_capacity(raw.fields.len());
        // Keys written, valid or not: a key with a bad value is reported for
        // its value, not a second time as missing.
        let mut written: Vec<&'static str> = Vec::new();
        for field in raw.fields {
            let Some(spec) = section.field(&field.key) else {
                let known = section.fields().iter().map(|f| f.name);
                let mut d = Diagnostic::new(
                    "unknown-key",
                    format!("unknown key `{}` in {}", field.key, section.key()),
                )
                .at(Some(field.key_location))
                .entry(label.key(&field.key).to_string());
                d = match suggest(&field.key, known) {
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
                continue;
            };
            written.push(spec.name);
            let entry_label = label.key(&field.key);
            if let Some(value) = self.check_value(spec, field.value, &field.location, entry_label) {
                values.push((spec.name, value, field.location));
            }
        }
        for spec in section.fields().iter().filter(|f| f.required) {
            if !written.contains(&spec.name) {
                self.error(
                    Diagnostic::new(
                        "missing-key",
                        format!("{} is missing required key `{}`", section.key(), spec.name),
                    )
                    .at(Some(raw.location.clone()))
                    .entry(label.to_string())
                    .help(format!(
                        "add `{} = ...`: {}",
                        spec.name,
                        spec.doc.to_lowercase()
                    )),
                );
            }
        }
        let entry = Entry {
            section,
            index,
            location: raw.location,
            values,
        };
        let window = entry.window();
        if window.is_empty() {
            self.error(
                Diagnostic::new(
                    "empty-window",
                    format!(
                        "until ({}) is not after since ({}): the entry would never apply",
                        window.until.map(|d| d.to_string()).unwrap_or_default(),
                        window.since.map(|d| d.to_string()).unwrap_or_default()
                    ),
                )
                .at(Some(entry.location_of("until")))
                .entry(entry.key_label("until").to_string())
                .help("until is exclusive: the entry applies while since <= date < until"),
            );
        }
        entry
    }

    fn check_value(
        &mut self,
        spec: &Field,
        value: RawValue,
        location: &Location,
        label: Label,
    ) -> Option<Value> {
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
            .at(Some(location.clone()))
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
                t if t.is_list() => RawValue::List(
                    text.split(';')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(|s| (RawValue::Str(s.to_string()), location.clone()))
                        .collect(),
                ),
                FieldType::Bool => match text.as_str() {
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
                _ => RawValue::Str(text),
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
                RawValue::Str(s) if spec.ty == FieldType::Id && s.trim().is_empty() => {
                    self.error(wrong("an empty string"));
                    None
                }
                RawValue::Str(s) if spec.ty == FieldType::Id => {
                    match super::limits::id_problem(spec.name, &s) {
                        Some((message, help)) => {
                            self.error(
                                Diagnostic::new("bad-id", message)
                                    .at(Some(location.clone()))
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
                RawValue::Str(s) => self.country_shape(&s, location, label).map(Value::Text),
                other => {
                    self.error(wrong(&found(&other)));
                    None
                }
            },
            FieldType::Choice(words) => match value {
                RawValue::Str(s) if words.contains(&s.as_str()) => Some(Value::Text(s)),
                RawValue::Str(s) => {
                    self.error(bad_choice(spec, words, &s, location, label));
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
                        .at(Some(location.clone()))
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
                            .at(Some(location.clone()))
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
                    self.error(
                        Diagnostic::new("too-many-items", message)
                            .at(Some(location.clone()))
                            .entry(label.to_string())
                            .help(help),
                    );
                    return None;
                }
                let mut out = Vec::new();
                for (i, (item, item_location)) in items.into_iter().enumerate() {
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
                            .at(Some(item_location))
                            .entry(item_label.to_string())
                            .help(format!("write it as {}", spec.ty.example(spec.name))),
                        );
                        continue;
                    };
                    match spec.ty {
                        FieldType::CountryList => {
                            if let Some(code) = self.country_shape(&s, &item_location, item_label) {
                                out.push((code, item_location));
                            }
                        }
                        FieldType::ChoiceList(words) if !words.contains(&s.as_str()) => {
                            self.error(bad_choice(spec, words, &s, &item_location, item_label));
                        }
                        _ => out.push((s, item_location)),
                    }
                }
                Some(Value::List(out))
            }
        }
    }

    /// Checks that a country code has the right shape; existence is checked later,
    /// once the model's own `[[country]]` entries are known.
    fn country_shape(&mut self, text: &str, location: &Location, label: Label) -> Option<String> {
        if CountryCode::parse(text).is_some() {
            return Some(text.to_string());
        }
        let upper = text.to_uppercase();
        let mut d = Diagnostic::new("bad-country", format!("\"{text}\" is not a country code"))
            .at(Some(location.clone()))
            .entry(label.to_string());
        d = if CountryCode::parse(&upper).is_some() {
            d.help(format!("country codes are upper case: \"{upper}\""))
        } else {
            d.help("use an ISO 3166-1 alpha-2 code such as \"JP\", \"KR\" or \"CN\"")
        };
        self.error(d);
        None
    }

    /// Resolves a country code against the built-in table and the model's `[[country]]` entries.
    fn country(&mut self, entry: &Entry, key: &str) -> Option<CountryCode> {
        let text = entry.text(key)?;
        self.resolve_country(&text, &entry.location_of(key), entry.key_label(key))
    }

    fn resolve_country(
        &mut self,
        text: &str,
        location: &Location,
        label: Label,
    ) -> Option<CountryCode> {
        let code = CountryCode::parse(text)?;
        if country::builtin().contains(code) || self.countries.contains(&code) {
            return Some(code);
        }
        self.error(
            Diagnostic::new(
                "unknown-country",
                format!("unknown country code \"{text}\""),
            )
            .at(Some(location.clone()))
            .entry(label.to_string())
            .help("use an ISO 3166-1 alpha-2 code, or declare the code in a [[country]] entry"),
        );
        None
    }

    fn countries(&mut self, entry: &Entry, key: &str) -> Option<Vec<CountryCode>> {
        let items = entry.list(key)?.to_vec();
        Some(
            items
                .iter()
                .enumerate()
                .filter_map(|(i, (code, location))| {
                    self.resolve_country(code, location, entry.key_label(key).item(i))
                })
                .collect(),
        )
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

/// "an organisation", "a system".
fn with_article(what: &str) -> String {
    let article = if what.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {what}")
}

/// Ids of one namespace, for resolving references with suggestions.
struct Index<'a> {
    what: &'static str,
    ids: HashMap<&'a str, u32>,
}

impl Index<'_> {
    fn resolve(
        &self,
        b: &mut Builder,
        name: &str,
        location: &Location,
        label: Label,
    ) -> Option<u32> {
        if let Some(&i) = self.ids.get(name) {
            return Some(i);
        }
        let mut d = Diagnostic::new(
            "unknown-reference",
            format!("unknown {} \"{name}\"", self.what),
        )
        .at(Some(location.clone()))
        .entry(label.to_string());
        if let Some(s) = suggest(name, self.ids.keys().copied()) {
            d.message.push_str(&format!("; did you mean \"{s}\"?"));
            d = d.help(format!(
                "change it to \"{s}\", or declare {} with id \"{name}\"",
                with_article(self.what)
            ));
        } else {
            d = d.help(format!(
                "declare {} with id \"{name}\"",
                with_article(self.what)
            ));
        }
        b.error(d);
        None
    }
}

/// Sorts entries by id and reports duplicates, naming both places.
fn index_by<'a>(
    b: &mut Builder,
    entries: &'a [Entry],
    key: &str,
    what: &'static str,
) -> Vec<&'a Entry> {
    let mut with_ids: Vec<(&str, &Entry)> = entries
        .iter()
        .filter_map(|e| e.str(key).map(|id| (id, e)))
        .collect();
    with_ids.sort_by(|a, b| a.0.cmp(b.0).then_with(|| a.1.location.cmp(&b.1.location)));
    let mut out: Vec<&Entry> = Vec::with_capacity(with_ids.len());
    for pair in with_ids.chunk_by(|a, b| a.0 == b.0) {
        let (id, first) = pair[0];
        for &(_, dup) in &pair[1..] {
            let first_at = first.location.to_string();
            b.error(
                Diagnostic::new(
                    "duplicate-id",
                    format!(
                        "duplicate {what} id \"{id}\": also declared at {first_at} ({})",
                        first.label()
                    ),
                )
                .at(Some(dup.location_of(key)))
                .entry(dup.key_label(key).to_string())
                .help("ids must be unique within their section; rename or remove one of the two"),
            );
        }
        out.push(first);
    }
    out
}

pub(super) fn build(raw: RawModel) -> Result<Model, LoadError> {
    let RawModel {
        entries: raw_entries,
        diagnostics,
        texts,
        had_syntax_errors,
        garbled,
    } = raw;
    let mut b = Builder {
        diagnostics,
        countries: Vec::new(),
    };

    // Pass 1: keys and types.
    let mut counters: HashMap<Section, usize> = HashMap::new();
    let mut by_section: BTreeMap<Section, Vec<Entry>> = BTreeMap::new();
    for raw in raw_entries {
        let n = counters.entry(raw.section).or_default();
        let index = (raw.section != Section::Model).then_some(*n);
        *n += 1;
        let entry = b.check_entry(raw, index);
        by_section.entry(entry.section).or_default().push(entry);
    }
    let mut section = |s: Section| by_section.remove(&s).unwrap_or_default();
    let model_entries = section(Section::Model);
    let category_entries = section(Section::Category);
    let org_entries = section(Section::Organisation);
    let system_entries = section(Section::System);
    let flow_entries = section(Section::Flow);
    let access_entries = section(Section::Access);
    let contract_entries = section(Section::Contract);
    let country_entries = section(Section::Country);
    let policy_entries = section(Section::Policy);

    // The model's own country codes first, so references to them resolve.
    for e in &country_entries {
        if let Some(code) = e.text("code") {
            match CountryCode::parse(&code) {
                Some(c) => b.countries.push(c),
                None => {
                    let d =
                        Diagnostic::new("bad-country", format!("\"{code}\" is not a country code"))
                            .at(Some(e.location_of("code")))
                            .entry(e.key_label("code").to_string())
                            .help("a country code is two upper-case letters");
                    b.error(d);
                }
            }
        }
    }

    // [model]: exactly one.
    let info = match model_entries.as_slice() {
        // No file could be read (a missing path, an empty directory, bad
        // encoding): that is already reported, and is the only news.
        [] if texts.is_empty() => None,
        [] if b
            .diagnostics
            .iter()
            .any(|d| d.entry.as_deref() == Some("model")) =>
        {
            None
        }
        [] => {
            let file = texts.first().map(|(p, _)| p.clone());
            b.error(
                Diagnostic::new("missing-model", "the model has no [model] table")
                    .at(file.map(|file| Location { file: file.into(), line: 1, column: None }))
                    .help("add [model] with name = \"...\" and home = \"JP\" (the controller's country)"),
            );
            None
        }
        [first, rest @ ..] => {
            for dup in rest {
                b.error(
                    Diagnostic::new(
                        "duplicate-id",
                        format!("[model] is declared twice; first at {}", first.location),
                    )
                    .at(Some(dup.location.clone()))
                    .entry("model")
                    .help("keep one [model] table for the whole model directory"),
                );
            }
            let home = b.country(first, "home");
            let disclosed = b.countries(first, "disclosed_countries");
            first.text("name").zip(home).map(|(name, home)| ModelInfo {
                name,
                home,
                as_of: first.date("as_of"),
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
    let cats = index_by(&mut b, &category_entries, "id", "category");
    if cats.len() > MAX_CATEGORIES {
        b.error(
            Diagnostic::new(
                "too-many-categories",
                format!(
                    "the model declares {} categories; reachmap handles at most {MAX_CATEGORIES}",
                    cats.len()
                ),
            )
            // The first category beyond the limit in the order written, not
            // in id order, which would point into the middle of the file.
            .at(category_entries
                .get(MAX_CATEGORIES)
                .map(|e| e.location.clone()))
            .help("group fine-grained categories under fewer dotted parents"),
        );
        return Err(finish(b.diagnostics, &texts));
    }
    let cat_ids: Vec<String> = cats
        .iter()
        .map(|e| e.text("id").unwrap_or_default())
        .collect();
    let cat_index = Index {
        what: "category",
        ids: cat_ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i as u32))
            .collect(),
    };
    let n = cats.len();
    let categories: Vec<Category> = cats
        .iter()
        .map(|e| Category {
            id: e.text("id").unwrap_or_default(),
            name: e.text("name").unwrap_or_default(),
            name_ja: e.text("name_ja"),
            sensitivity: match e.text("sensitivity").as_deref() {
                Some("sensitive") => Sensitivity::Sensitive,
                Some("special_care") => Sensitivity::SpecialCare,
                Some("secrecy") => Sensitivity::Secrecy,
                Some("payment") => Sensitivity::Payment,
                _ => Sensitivity::Normal,
            },
            meta: e.meta(),
        })
        .collect();
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
    let category_list = |b: &mut Builder, e: &Entry, key: &str| -> Option<Vec<CategoryIdx>> {
        let items = e.list(key)?;
        let mut out: Vec<CategoryIdx> = items
            .iter()
            .enumerate()
            .filter_map(|(i, (id, location))| {
                cat_index
                    .resolve(b, id, location, e.key_label(key).item(i))
                    .map(CategoryIdx)
            })
            .collect();
        out.sort();
        out.dedup();
        Some(out)
    };
    let expand = |named: &[CategoryIdx]| {
        let mut set = CategorySet::empty(n);
        for c in named {
            set.union_with(&subtree[c.0 as usize]);
        }
        set
    };

    let orgs = index_by(&mut b, &org_entries, "id", "organisation");
    let systems_sorted = index_by(&mut b, &system_entries, "id", "system");
    let policies_sorted = index_by(&mut b, &policy_entries, "id", "policy");
    for (entries, what) in [
        (&flow_entries, "flow"),
        (&access_entries, "access"),
        (&contract_entries, "contract"),
    ] {
        index_by(&mut b, entries, "id", what);
    }
    index_by(&mut b, &country_entries, "code", "country");

    let org_ids: Vec<String> = orgs
        .iter()
        .map(|e| e.text("id").unwrap_or_default())
        .collect();
    let org_index = Index {
        what: "organisation",
        ids: org_ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i as u32))
            .collect(),
    };
    let system_ids: Vec<String> = systems_sorted
        .iter()
        .map(|e| e.text("id").unwrap_or_default())
        .collect();
    let system_index = Index {
        what: "system",
        ids: system_ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i as u32))
            .collect(),
    };
    let reference = |b: &mut Builder, index: &Index, e: &Entry, key: &str| -> Option<u32> {
        let name = e.text(key)?;
        index.resolve(b, &name, &e.location_of(key), e.key_label(key))
    };

    let organisations: Vec<Organisation> = orgs
        .iter()
        .map(|e| Organisation {
            id: e.text("id").unwrap_or_default(),
            name: e.text("name").unwrap_or_default(),
            name_ja: e.text("name_ja"),
            country: b.country(e, "country").unwrap_or(PLACEHOLDER),
            role: match e.text("role").as_deref() {
                Some("controller") => Role::Controller,
                Some("group") => Role::Group,
                Some("processor") => Role::Processor,
                _ => Role::Vendor,
            },
            parent: reference(&mut b, &org_index, e, "parent").map(OrgIdx),
            window: e.window(),
            meta: e.meta(),
        })
        .collect();
    check_parent_cycles(&mut b, &organisations, &orgs);

    let systems: Vec<System> = systems_sorted
        .iter()
        .map(|e| {
            let holds_named = category_list(&mut b, e, "holds").unwrap_or_default();
            System {
                id: e.text("id").unwrap_or_default(),
                name: e.text("name").unwrap_or_default(),
                country: b.country(e, "country").unwrap_or(PLACEHOLDER),
                operator: OrgIdx(reference(&mut b, &org_index, e, "operator").unwrap_or(0)),
                operator_access: e.bool("operator_access").unwrap_or(true),
                holds: expand(&holds_named),
                holds_named,
                window: e.window(),
                meta: e.meta(),
            }
        })
        .collect();

    let flows: Vec<Flow> = flow_entries
        .iter()
        .map(|e| {
            let named = category_list(&mut b, e, "categories");
            Flow {
                id: e.text("id"),
                from: SystemIdx(reference(&mut b, &system_index, e, "from").unwrap_or(0)),
                to: SystemIdx(reference(&mut b, &system_index, e, "to").unwrap_or(0)),
                categories: named.as_deref().map(expand),
                categories_named: named.unwrap_or_default(),
                purpose: e.text("purpose"),
                window: e.window(),
                meta: e.meta(),
            }
        })
        .collect();

    let accesses: Vec<Access> = access_entries
        .iter()
        .map(|e| {
            let who = reference(&mut b, &org_index, e, "who").map(OrgIdx);
            let named = category_list(&mut b, e, "categories");
            let from_country = match e.text("from_country") {
                Some(_) => b.country(e, "from_country"),
                None => who.map(|w| organisations[w.0 as usize].country),
            };
            Access {
                id: e.text("id"),
                who: who.unwrap_or(OrgIdx(0)),
                to: SystemIdx(reference(&mut b, &system_index, e, "to").unwrap_or(0)),
                categories: named.as_deref().map(expand),
                categories_named: named.unwrap_or_default(),
                from_country: from_country.unwrap_or(PLACEHOLDER),
                purpose: e.text("purpose"),
                mode: match e.text("mode").as_deref() {
                    Some("remote") => Some(AccessMode::Remote),
                    Some("onsite") => Some(AccessMode::Onsite),
                    Some("admin") => Some(AccessMode::Admin),
                    Some("monitoring") => Some(AccessMode::Monitoring),
                    _ => None,
                },
                window: e.window(),
                headcount: e.count("headcount"),
                observed: e.text("observed"),
                controls: e
                    .list("controls")
                    .map(|l| l.iter().map(|(s, _)| s.clone()).collect())
                    .unwrap_or_default(),
                meta: e.meta(),
            }
        })
        .collect();

    let contracts: Vec<Contract> = contract_entries
        .iter()
        .map(|e| {
            let named = category_list(&mut b, e, "categories");
            Contract {
                id: e.text("id"),
                from: OrgIdx(reference(&mut b, &org_index, e, "from").unwrap_or(0)),
                to: OrgIdx(reference(&mut b, &org_index, e, "to").unwrap_or(0)),
                kind: match e.text("kind").as_deref() {
                    Some("re-entrustment") => ContractKind::ReEntrustment,
                    Some("provision") => ContractKind::Provision,
                    Some("joint_use") => ContractKind::JointUse,
                    Some("group") => ContractKind::Group,
                    _ => ContractKind::Entrustment,
                },
                purpose: e.text("purpose"),
                categories: named.as_deref().map(expand),
                categories_named: named.unwrap_or_default(),
                transfer_basis: e.text("transfer_basis"),
                window: e.window(),
                meta: e.meta(),
            }
        })
        .collect();

    let countries: Vec<CountryEntry> = country_entries
        .iter()
        .filter_map(|e| {
            Some(CountryEntry {
                code: CountryCode::parse(&e.text("code")?)?,
                name: e.text("name"),
                name_ja: e.text("name_ja"),
                regime_note: e.text("regime_note"),
                window: e.window(),
                meta: e.meta(),
            })
        })
        .collect();

    let policies: Vec<Policy> = policies_sorted
        .iter()
        .map(|e| {
            let named = category_list(&mut b, e, "categories").unwrap_or_default();
            let deny = b.countries(e, "deny_countries");
            let allow = b.countries(e, "allow_countries");
            let rule = match (deny, allow) {
                (Some(d), None) => CountryRule::Deny(d),
                (None, Some(a)) => CountryRule::Allow(a),
                (Some(d), Some(_)) => {
                    b.error(
                        Diagnostic::new("policy-countries", "a policy takes deny_countries or allow_countries, not both")
                            .at(Some(e.location_of("allow_countries")))
                            .entry(e.key_label("allow_countries").to_string())
                            .help("keep deny_countries to forbid a few countries, or allow_countries to permit only a few"),
                    );
                    CountryRule::Deny(d)
                }
                (None, None) => {
                    b.error(
                        Diagnostic::new("policy-countries", "a policy needs deny_countries or allow_countries")
                            .at(Some(e.location.clone()))
                            .entry(e.label().to_string())
                            .help("add deny_countries = [\"CN\"] or allow_countries = [\"JP\"]"),
                    );
                    CountryRule::Deny(Vec::new())
                }
            };
            let mut kinds: Vec<Kind> = e
                .list("kinds")
                .map(|l| {
                    l.iter()
                        .filter_map(|(k, _)| Kind::ALL.into_iter().find(|x| x.as_str() == k))
                        .collect()
                })
                .unwrap_or_default();
            kinds.sort();
            kinds.dedup();
            Policy {
                id: e.text("id").unwrap_or_default(),
                categories: expand(&named),
                categories_named: named,
                rule,
                kinds,
                severity: match e.text("severity").as_deref() {
                    Some("warning") => Severity::Warning,
                    _ => Severity::Error,
                },
                message: e.text("message"),
                window: e.window(),
                meta: e.meta(),
            }
        })
        .collect();

    if had_syntax_errors {
        // Entries lost to a syntax error would make reference checks report noise.
        b.diagnostics
            .retain(|d| d.code != "unknown-reference" && d.code != "missing-model");
    }
    // After a TOML syntax error the parser's recovery is guesswork: what it
    // reports from the broken entry on follows from that one error.
    b.diagnostics.retain(|d| {
        d.code == "syntax"
            || !d.location.as_ref().is_some_and(|l| {
                garbled
                    .iter()
                    .any(|(file, line)| **file == *l.file && l.line >= *line)
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
            subtree,
        }),
        _ => {
            if b.diagnostics.is_empty() {
                b.error(Diagnostic::new(
                    "missing-model",
                    "the [model] table is incomplete",
                ));
            }
            Err(finish(b.diagnostics, &texts))
        }
    }
}

/// Stand-in for a country that failed to resolve; never reaches a valid model.
const PLACEHOLDER: CountryCode = CountryCode::UNKNOWN;

/// Reports each ownership cycle once, at the `parent` key of its member with
/// the smallest id, naming the whole chain.
fn check_parent_cycles(b: &mut Builder, orgs: &[Organisation], entries: &[&Entry]) {
    for (start, org) in orgs.iter().enumerate() {
        let mut chain = vec![start];
        let mut at = start;
        while let Some(parent) = orgs[at].parent {
            at = parent.0 as usize;
            if at == start || chain.contains(&at) {
                break;
            }
            chain.push(at);
        }
        // A cycle through `start`, reported from its smallest member only.
        if at != start || orgs[at].parent.is_none() || chain.iter().any(|&i| i < start) {
            continue;
        }
        let names: Vec<&str> = chain
            .iter()
            .chain([&start])
            .map(|&i| orgs[i].id.as_str())
            .collect();
        let entry = entries[start];
        b.error(
            Diagnostic::new(
                "parent-cycle",
                format!(
                    "organisation \"{}\" is its own ancestor: {}",
                    org.id,
                    names.join(" → ")
                ),
            )
            .at(Some(entry.location_of("parent")))
            .entry(entry.key_label("parent").to_string())
            .help("ownership cannot form a cycle; remove or change one of these `parent` keys"),
        );
    }
}

/// Sorts diagnostics by place and attaches the source line to each.
fn finish(mut diagnostics: Vec<Diagnostic>, texts: &[(std::path::PathBuf, String)]) -> LoadError {
    diagnostics.sort_by(|a, b| {
        a.location
            .cmp(&b.location)
            .then_with(|| a.message.cmp(&b.message))
    });
    diagnostics.dedup();
    for d in &mut diagnostics {
        if let Some(location) = &d.location
            && let Some((path, text)) = texts.iter().find(|(p, _)| **p == *location.file)
        {
            let index = LineIndex::new(path, text);
            if let Some(line) = index.line_text(location.line) {
                let (text, caret) = super::diag::snippet(line, location.column);
                d.snippet = Some(text);
                d.caret = caret;
            }
        }
    }
    LoadError { diagnostics }
}
