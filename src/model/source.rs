//! Reading model files into raw, located entries. Every format (TOML, CSV)
//! ends in the same shape, so one set of rules checks them all: TOML tables
//! become [`RawEntry`] values, CSV rows are handed to a [`CsvSink`] cell by
//! cell, and `build` checks both against the field tables.
//!
//! Places are kept compact ([`Pos`]: file and byte offset) and turned into a
//! [`Location`] with line and column only when a diagnostic or an entry's
//! metadata needs one.

use std::borrow::Cow;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use toml::de::{DeTable, DeValue};

use super::Date;
use super::diag::{Diagnostic, LineIndex, Location, line_starts, suggest};
use super::fields::Section;
use crate::progress::Task;

/// A value as written, before it is checked against the key's type.
#[derive(Debug, Clone)]
pub enum RawValue<'t> {
    Str(Cow<'t, str>),
    Int(i64),
    Bool(bool),
    Date(Date),
    List(Vec<(RawValue<'t>, Pos)>),
    /// A CSV cell: text whose type comes from the key.
    Cell(&'t str),
    /// A TOML date that is not a calendar date (`2021-02-30`), as written,
    /// with the parser's reason.
    InvalidDate {
        written: &'t str,
        reason: String,
    },
    /// Anything else (float, table, date-time with a time); names the TOML type.
    Other(&'static str),
}

#[derive(Debug, Clone)]
pub struct RawField<'t> {
    pub key: Cow<'t, str>,
    pub key_pos: Pos,
    pub value: RawValue<'t>,
    pub pos: Pos,
}

/// One TOML table of an array of tables (or `[model]`).
#[derive(Debug, Clone)]
pub struct RawEntry<'t> {
    pub section: Section,
    pub pos: Pos,
    pub fields: Vec<RawField<'t>>,
}

/// A place in a source file: the file's number and a byte offset. A CSV
/// cell's place is its row's offset and the cell's number, turned into a
/// column only when asked: the reader's records do not say where a cell
/// starts, and finding it means scanning the row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub file: u32,
    pub offset: usize,
    cell: u32,
}

impl Pos {
    /// No cell: the offset is the place itself.
    const NO_CELL: u32 = u32::MAX;

    pub fn new(file: u32, offset: usize) -> Pos {
        Pos {
            file,
            offset,
            cell: Pos::NO_CELL,
        }
    }

    /// Cell `cell` of the CSV row that starts at `row`.
    pub fn cell(file: u32, row: usize, cell: usize) -> Pos {
        Pos {
            file,
            offset: row,
            cell: cell as u32,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Toml,
    Yaml,
    Csv(Section),
}

/// One model file's text.
pub struct SourceFile {
    pub path: Arc<Path>,
    pub text: String,
    pub kind: FileKind,
    /// Line starts, computed the first time a line is asked for.
    starts: OnceLock<Vec<usize>>,
}

impl SourceFile {
    fn new(path: &Path, text: String, kind: FileKind) -> SourceFile {
        SourceFile {
            path: Arc::from(path),
            text,
            kind,
            starts: OnceLock::new(),
        }
    }

    pub fn index(&self) -> LineIndex<'_> {
        let starts = self.starts.get_or_init(|| line_starts(&self.text));
        LineIndex::with_starts(self.path.clone(), &self.text, starts)
    }
}

/// Every file read from a model path, in reading order (TOML files by name,
/// then CSV tables in section order), and the problems met reading them.
#[derive(Default)]
pub struct Sources {
    pub files: Vec<SourceFile>,
    pub diagnostics: Vec<Diagnostic>,
    /// Whether a file failed to parse, so that missing entries would make
    /// every reference check noise.
    pub had_syntax_errors: bool,
    /// Each file's rank in path order: a [`Location`] compares by path first.
    rank: Vec<u32>,
}

impl Sources {
    fn error(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// Takes a file read, or what kept it from being read.
    fn keep(&mut self, read: Result<SourceFile, Box<Diagnostic>>) {
        match read {
            Ok(file) => self.push(file),
            Err(d) => {
                self.had_syntax_errors |= d.code == "encoding";
                self.error(*d);
            }
        }
    }

    fn push(&mut self, file: SourceFile) {
        self.files.push(file);
        let mut order: Vec<usize> = (0..self.files.len()).collect();
        order.sort_by(|&a, &b| self.files[a].path.cmp(&self.files[b].path));
        self.rank = vec![0; order.len()];
        for (rank, i) in order.into_iter().enumerate() {
            self.rank[i] = rank as u32;
        }
    }

    /// Line and column of a place.
    pub fn location(&self, pos: Pos) -> Location {
        let file = &self.files[pos.file as usize];
        let offset = match pos.cell {
            Pos::NO_CELL => pos.offset,
            cell => scan_row(&file.text, pos.offset)
                .0
                .get(cell as usize)
                .copied()
                .unwrap_or(pos.offset),
        };
        file.index().location(offset)
    }

    /// Sorts places as their [`Location`]s sort, without making them.
    pub fn order(&self, pos: Pos) -> (u32, usize) {
        (self.rank[pos.file as usize], pos.offset)
    }

    /// The text of the line a location names, for a diagnostic's snippet.
    pub fn line_text(&self, location: &Location) -> Option<&str> {
        self.files
            .iter()
            .find(|f| *f.path == *location.file)
            .and_then(|f| f.index().line_text(location.line))
    }
}

/// Reads a model directory or a single `.toml` file.
pub fn read(path: &Path) -> Sources {
    let mut raw = Sources::default();
    let metadata = match fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            raw.error(
                Diagnostic::new("io", format!("cannot read model {}: {e}", path.display()))
                    .help("pass a model directory or a .toml file"),
            );
            return raw;
        }
    };
    if metadata.is_dir() {
        read_dir(path, &mut raw);
    } else if !metadata.is_file() {
        // A device or a pipe could block or never end.
        raw.error(
            Diagnostic::new("io", format!("{} is not a regular file", path.display()))
                .help("pass a model directory or a .toml file"),
        );
    } else if path.extension().is_some_and(|e| e == "toml") {
        read_one(path, FileKind::Toml, &mut raw);
    } else if is_yaml(path) {
        read_one(path, FileKind::Yaml, &mut raw);
    } else if let Some(section) = csv_section(path) {
        read_one(path, FileKind::Csv(section), &mut raw);
    } else {
        raw.error(
            Diagnostic::new(
                "io",
                format!(
                    "{} is not a model: expected a directory or a .toml file",
                    path.display()
                ),
            )
            .help("pass a model directory or a .toml file"),
        );
    }
    raw
}

fn read_dir(dir: &Path, raw: &mut Sources) {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            raw.error(Diagnostic::new(
                "io",
                format!("cannot list model directory {}: {e}", dir.display()),
            ));
            return;
        }
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let tomls: Vec<&PathBuf> = files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "toml") || is_yaml(p))
        .collect();
    let csvs: Vec<&PathBuf> = files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    if tomls.is_empty() && csvs.is_empty() {
        raw.error(
            Diagnostic::new(
                "no-model-files",
                format!("{} holds no model files", dir.display()),
            )
            .help("a model directory holds *.toml files and, optionally, CSV tables such as systems.csv and access.csv"),
        );
        return;
    }
    let model_files = tomls.iter().chain(&csvs).map(|p| p.as_path());
    if let Some(d) = super::limits::check_model_size(dir, model_files) {
        raw.error(d);
        return;
    }
    // TOML and YAML files together, in name order.
    let mut jobs: Vec<(&Path, FileKind)> = tomls
        .iter()
        .map(|path| {
            let kind = if is_yaml(path) {
                FileKind::Yaml
            } else {
                FileKind::Toml
            };
            (path.as_path(), kind)
        })
        .collect();
    // CSV tables come after the TOML files, in section order.
    let mut ordered: Vec<(Section, &PathBuf)> = Vec::new();
    for path in csvs {
        match csv_section(path) {
            Some(section) => ordered.push((section, path)),
            None => {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let known: Vec<&str> = Section::ALL.iter().filter_map(|s| s.csv_file()).collect();
                let mut d =
                    Diagnostic::new("unknown-table", format!("{name} is not a model table")).at(
                        Some(Location {
                            file: Arc::from(path.as_path()),
                            line: 1,
                            column: None,
                        }),
                    );
                d = match suggest(&name, known.iter().copied()) {
                    Some(s) => d.help(format!(
                        "did you mean \"{s}\"? Model tables are {}",
                        known.join(", ")
                    )),
                    None => d.help(format!(
                        "model tables are {}; move other files out of the model directory",
                        known.join(", ")
                    )),
                };
                raw.error(d);
            }
        }
    }
    ordered.sort();
    jobs.extend(
        ordered
            .into_iter()
            .map(|(section, path)| (path.as_path(), FileKind::Csv(section))),
    );
    for read in read_all(&jobs, 8 << 20) {
        raw.keep(read);
    }
}

/// Reads the files, the largest ones on a second thread when together they
/// hold at least `threaded` bytes; the results are in the order of `jobs`.
fn read_all(jobs: &[(&Path, FileKind)], threaded: u64) -> Vec<Result<SourceFile, Box<Diagnostic>>> {
    let sizes: Vec<u64> = jobs
        .iter()
        .map(|(path, _)| fs::metadata(path).map_or(0, |m| m.len()))
        .collect();
    let total: u64 = sizes.iter().sum();
    let read = |&(path, kind): &(&Path, FileKind)| read_file(path, kind);
    if total < threaded {
        return jobs.iter().map(read).collect();
    }
    // Largest first, each to the thread with less to read so far.
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(sizes[i]));
    let (mut here, mut there) = (Vec::new(), Vec::new());
    let (mut here_bytes, mut there_bytes) = (0, 0);
    for i in order {
        if there_bytes < here_bytes {
            there.push(i);
            there_bytes += sizes[i];
        } else {
            here.push(i);
            here_bytes += sizes[i];
        }
    }
    let mut out: Vec<Option<Result<SourceFile, Box<Diagnostic>>>> =
        jobs.iter().map(|_| None).collect();
    std::thread::scope(|scope| {
        let other = scope.spawn(|| {
            there
                .iter()
                .map(|&i| (i, read(&jobs[i])))
                .collect::<Vec<_>>()
        });
        for &i in &here {
            out[i] = Some(read(&jobs[i]));
        }
        let done = other
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        for (i, file) in done {
            out[i] = Some(file);
        }
    });
    out.into_iter().flatten().collect()
}

fn is_yaml(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "yaml" || e == "yml")
}

fn csv_section(path: &Path) -> Option<Section> {
    let name = path.file_name()?.to_str()?;
    Section::ALL
        .into_iter()
        .find(|s| s.csv_file() == Some(name))
}

/// Reads a file as UTF-8 (a leading byte-order mark is dropped), or says
/// why it cannot; a file that is not UTF-8 is reported as code `encoding`.
fn read_file(path: &Path, kind: FileKind) -> Result<SourceFile, Box<Diagnostic>> {
    let mut bytes = super::limits::read_model_file(path)?;
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    String::from_utf8(bytes)
        .map(|text| SourceFile::new(path, text, kind))
        .map_err(|e| {
            let bytes = e.as_bytes();
            let valid = e.utf8_error().valid_up_to();
            let good = &bytes[..valid];
            let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
            let column = good.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
            Box::new(
                Diagnostic::new(
                    "encoding",
                    format!("{} is not valid UTF-8 (byte {valid})", path.display()),
                )
                .at(Some(Location {
                    file: Arc::from(path),
                    line,
                    column: Some(column),
                }))
                .help("save the file as UTF-8"),
            )
        })
}

/// [`read_file`], into `raw`.
fn read_one(path: &Path, kind: FileKind, raw: &mut Sources) {
    raw.keep(read_file(path, kind));
}

/// Takes TOML text as if read from `path`.
pub fn read_toml_text(path: &Path, text: &str) -> Sources {
    let mut raw = Sources::default();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    raw.push(SourceFile::new(path, text.to_owned(), FileKind::Toml));
    raw
}

/// Parses one TOML file into entries; unknown sections and misshapen ones go
/// to `diagnostics`, and the first syntax error with them. Returns, when the
/// file has a syntax error, the first line of the entry that holds it: what
/// the parser recovered from there on is unreliable, so other diagnostics
/// there are consequences, not news.
pub fn parse_toml<'t>(
    sources: &'t Sources,
    file: u32,
    entries: &mut Vec<RawEntry<'t>>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<usize> {
    let source = &sources.files[file as usize];
    let text = source.text.as_str();
    let at = |offset: usize| Pos::new(file, offset);
    let earlier_entries = entries.len();
    let (table, errors) = DeTable::parse_recoverable(text);
    let mut toml = TomlFile {
        file,
        text,
        claimed: vec![false; errors.len()],
        errors,
    };
    let table = table.into_inner();
    let mut top: Vec<_> = table.into_iter().collect();
    top.sort_by_key(|(k, _)| k.span().start);
    for (key, value) in top {
        let key_location = sources.location(at(key.span().start));
        let Some(section) = Section::from_key(key.get_ref()) else {
            let known = Section::ALL.map(|s| s.key());
            let mut d = Diagnostic::new(
                "unknown-section",
                format!("unknown section `{}`", key.get_ref()),
            )
            .at(Some(key_location));
            d = match suggest(key.get_ref(), known) {
                Some(s) => d.help(format!("did you mean `{s}`?")),
                None => d.help(format!("sections are {}", known.join(", "))),
            };
            diagnostics.push(d);
            continue;
        };
        let value_pos = at(value.span().start);
        match (section, value.into_inner()) {
            (Section::Model, DeValue::Table(t)) => {
                entries.push(toml.entry(section, value_pos, t));
            }
            (Section::Model, DeValue::Array(items)) => {
                diagnostics.push(
                    Diagnostic::new("wrong-type", "`model` is one table, not an array of tables")
                        .at(Some(key_location))
                        .entry("model")
                        .help("write [model], with single brackets"),
                );
                // Read it anyway, so its keys are checked and no
                // "missing [model]" follows.
                for item in items {
                    let item_pos = at(item.span().start);
                    if let DeValue::Table(t) = item.into_inner() {
                        entries.push(toml.entry(section, item_pos, t));
                    }
                }
            }
            (Section::Model, other) => diagnostics.push(
                Diagnostic::new(
                    "wrong-type",
                    format!("`model` must be a table, found {}", other.type_str()),
                )
                .at(Some(key_location))
                .entry("model")
                .help(
                    "write [model] followed by name = \"...\" and home = \"JP\" on their own lines",
                ),
            ),
            (_, DeValue::Array(items)) => {
                for (i, item) in items.into_iter().enumerate() {
                    let item_pos = at(item.span().start);
                    match item.into_inner() {
                        DeValue::Table(t) => entries.push(toml.entry(section, item_pos, t)),
                        other => diagnostics.push(
                            Diagnostic::new(
                                "wrong-type",
                                format!(
                                    "each `{}` entry must be a table, found {}",
                                    section.key(),
                                    other.type_str()
                                ),
                            )
                            .at(Some(sources.location(item_pos)))
                            .entry(format!("{}[{i}]", section.key()))
                            .help(format!("write [[{}]] followed by its keys", section.key())),
                        ),
                    }
                }
            }
            (_, other) => diagnostics.push(
                Diagnostic::new(
                    "wrong-type",
                    format!(
                        "`{}` must be an array of tables, found {}",
                        section.key(),
                        other.type_str()
                    ),
                )
                .at(Some(key_location))
                .entry(section.key())
                .help(format!(
                    "write [[{0}]] on its own line, followed by the entry's keys",
                    section.key()
                )),
            ),
        }
    }
    let mut syntax: Vec<&toml::de::Error> = toml
        .errors
        .iter()
        .zip(&toml.claimed)
        .filter(|(_, claimed)| !**claimed)
        .map(|(e, _)| e)
        .collect();
    syntax.sort_by_key(|e| e.span().map(|s| s.start).unwrap_or(0));
    let first = syntax.first()?;
    // One broken token makes the parser report a cascade (an unclosed list
    // swallows the next entries); the first error is the one to fix.
    let message = first.message().trim_end();
    // The parser gives no place for a dotted key nested too deep.
    let located = first.span().map(|s| s.start).or_else(|| {
        message
            .contains("recursion")
            .then(|| most_dotted_key(text))
            .flatten()
    });
    let offset = located.unwrap_or(0);
    let unclosed = unclosed_list_before(text, offset).filter(|_| message.contains("array"));
    let location = sources.location(at(unclosed.unwrap_or(offset)));
    let count = |section: Section| {
        entries[..earlier_entries]
            .iter()
            .filter(|e| e.section == section)
            .count()
    };
    let (entry, entry_line) = entry_at_line(text, location.line, count);
    let (message, mut help) = match unclosed {
        Some(_) => (
            "a list is not closed before the next line".to_string(),
            "add the closing ] at the end of the list".to_string(),
        ),
        None => (message.to_string(), syntax_help(message).to_string()),
    };
    if syntax.len() > 1 {
        help.push_str(&format!(
            " ({} more syntax error{} in this file may follow from this one; fix it first)",
            syntax.len() - 1,
            if syntax.len() == 2 { "" } else { "s" }
        ));
    }
    let mut d = Diagnostic::new("syntax", format!("TOML syntax: {message}"))
        .at(Some(location))
        .help(help);
    // Without a place the line is only the start of the file: naming the
    // entry there would point at the wrong one.
    if let Some(entry) = entry.filter(|_| located.is_some()) {
        d = d.entry(entry);
    }
    diagnostics.push(d);
    Some(entry_line)
}

/// When a parser error sits at the start of a line that begins a table
/// (`[[access]]`) and the last non-blank line above opens a list it never
/// closes, the mistake is that list: returns the offset of its line end.
fn unclosed_list_before(text: &str, offset: usize) -> Option<usize> {
    let line_start = text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    if !text[line_start..].trim_start().starts_with('[') || text[line_start..offset].trim() != "" {
        return None;
    }
    let above = text[..line_start].trim_end();
    let previous = &above[above.rfind('\n').map_or(0, |i| i + 1)..];
    (previous.contains('[') && !previous.contains(']')).then_some(above.len())
}

/// The start of the line whose key (or table header) has the most dots,
/// if any has one.
fn most_dotted_key(text: &str) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None;
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let key = if trimmed.starts_with('[') {
            trimmed
        } else {
            trimmed.split('=').next().unwrap_or_default()
        };
        let dots = key.matches('.').count();
        if dots > 0 && best.is_none_or(|(most, _)| dots > most) {
            best = Some((dots, start));
        }
        start += line.len();
    }
    best.map(|(_, at)| at)
}

/// The entry that line `line` (1-based) belongs to, from the table headers
/// above it, and the line of its header (1 above the first header). Labels
/// match the builder's: `count` gives each section's entries in earlier files.
/// A `key = ` at the start of the line is added: `system[2].holds`.
fn entry_at_line(
    text: &str,
    line: usize,
    count: impl Fn(Section) -> usize,
) -> (Option<String>, usize) {
    let mut seen = [0usize; Section::ALL.len()];
    let mut entry: (Option<String>, usize) = (None, 1);
    for (n, row) in text.lines().take(line).enumerate() {
        let row = row.trim_start();
        let Some(rest) = row.strip_prefix('[') else {
            continue;
        };
        let array = rest.starts_with('[');
        let name = rest
            .trim_start_matches('[')
            .split(']')
            .next()
            .unwrap_or_default()
            .trim();
        entry = match Section::from_key(name) {
            Some(Section::Model) => (Some("model".to_string()), n + 1),
            Some(section) if array => {
                let k = &mut seen[section as usize];
                *k += 1;
                (Some(format!("{name}[{}]", count(section) + *k - 1)), n + 1)
            }
            _ => (None, n + 1),
        };
    }
    if let (Some(label), Some(row)) = (&mut entry.0, text.lines().nth(line.saturating_sub(1))) {
        let key: String = row
            .trim_start()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        let after = row.trim_start()[key.len()..].trim_start();
        if !key.is_empty() && after.starts_with('=') {
            label.push('.');
            label.push_str(&key);
        }
    }
    entry
}

/// What to do about a TOML syntax error, by the parser's message.
fn syntax_help(message: &str) -> &'static str {
    let has = |s: &str| message.contains(s);
    if has("must be quoted") {
        "put text in double quotes, e.g. name = \"LINE Corp\"; dates and true/false are written bare"
    } else if has("basic string") || has("literal string") {
        "close the string on the same line with the quote it opened with"
    } else if has("array table") || has("table header") || has("unclosed table") {
        "write a section header as [model] or [[system]], closed on the same line"
    } else if has("array") || has("comma") {
        "write a list as [\"a\", \"b\"]: one comma between items and a closing ]"
    } else if has("duplicate key") {
        "each key may appear once per entry; remove or rename one of them"
    } else if has("recursion") {
        "tables, lists and dotted keys may nest at most 80 levels deep; a model needs two: [[section]] and a list"
    } else if has("expected newline") {
        "write one key = value per line"
    } else {
        "fix the TOML at the marked place; the format is described at https://toml.io"
    }
}

/// One TOML file being read: its text and the parser's errors.
struct TomlFile<'t> {
    file: u32,
    text: &'t str,
    errors: Vec<toml::de::Error>,
    /// Errors already reported as a problem of a value (an invalid date), so
    /// that they are not reported again as syntax.
    claimed: Vec<bool>,
}

impl<'t> TomlFile<'t> {
    fn entry(&mut self, section: Section, pos: Pos, table: DeTable<'t>) -> RawEntry<'t> {
        let file = self.file;
        let mut fields: Vec<RawField<'t>> = table
            .into_iter()
            .map(|(key, value)| {
                let key_pos = Pos::new(file, key.span().start);
                let pos = Pos::new(file, value.span().start);
                RawField {
                    key: key.into_inner(),
                    key_pos,
                    value: self.value(value),
                    pos,
                }
            })
            .collect();
        fields.sort_by_key(|f| f.key_pos);
        RawEntry {
            section,
            pos,
            fields,
        }
    }

    fn value(&mut self, value: toml::Spanned<DeValue<'t>>) -> RawValue<'t> {
        let span = value.span();
        match value.into_inner() {
            DeValue::String(s) => RawValue::Str(s),
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
                .map(RawValue::Int)
                .unwrap_or(RawValue::Other("integer out of range")),
            DeValue::Boolean(b) => RawValue::Bool(b),
            DeValue::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
                (Some(d), None, None) => Date::new(d.year as i16, d.month as i8, d.day as i8)
                    .map(RawValue::Date)
                    .unwrap_or(RawValue::Other("invalid date")),
                // The parser recovers an impossible date (2021-02-30) as an
                // empty date-time and reports why at the same span.
                (None, None, None) => self.invalid_date(span),
                _ => RawValue::Other("date-time"),
            },
            DeValue::Array(items) => RawValue::List(
                items
                    .into_iter()
                    .map(|item| {
                        let pos = Pos::new(self.file, item.span().start);
                        (self.value(item), pos)
                    })
                    .collect(),
            ),
            DeValue::Float(_) => RawValue::Other("float"),
            DeValue::Table(_) => RawValue::Other("table"),
        }
    }

    fn invalid_date(&mut self, span: std::ops::Range<usize>) -> RawValue<'t> {
        let written = self.text.get(span.clone()).unwrap_or_default().trim();
        let found = self
            .errors
            .iter()
            .position(|e| e.span().is_some_and(|s| s.start == span.start));
        match found {
            Some(i) => {
                self.claimed[i] = true;
                RawValue::InvalidDate {
                    written,
                    reason: self.errors[i].message().trim_end().to_string(),
                }
            }
            None => RawValue::Other("invalid date"),
        }
    }
}

/// Receives a CSV table: its header once, then each row that has one cell per column.
pub trait CsvSink {
    /// The header's cells, trimmed, and which of them name a key to read:
    /// unknown and repeated columns are already reported, and their cells
    /// are skipped.
    fn header(&mut self, columns: &[&str], read: &[bool]);
    /// A row's cells, trimmed; `start` is the byte offset of the row in the
    /// file, and cell `i`'s place is [`Pos::cell`]`(file, start, i)`.
    /// `visible`: every byte of the row is visible ASCII (`!` to `~`), so no
    /// cell holds a space, a control or a non-ASCII character; `false`
    /// tells nothing.
    fn row(&mut self, cells: &[&str], line: usize, start: usize, visible: bool);
    /// The untrimmed cells of the row that comes after the one about to be
    /// handed on, so that what it will look up can be fetched meanwhile.
    fn ahead(&self, _cells: &[&str]) {}
}

/// A CSV table's header, read and checked once, and where its rows start.
pub struct CsvHeader {
    /// The header's cells, trimmed.
    pub columns: Vec<String>,
    /// Which columns name a key to read (see [`CsvSink::header`]).
    pub read: Vec<bool>,
    /// The byte offset where the rows start.
    pub body: usize,
}

/// Reads and checks a CSV table's header. `Err` holds whether that was a
/// syntax error; an empty table is reported and is not one.
pub fn csv_header(
    sources: &Sources,
    file: u32,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<CsvHeader, bool> {
    let source = &sources.files[file as usize];
    let FileKind::Csv(section) = source.kind else {
        return Err(false);
    };
    let path = &source.path;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .from_reader(source.text.as_bytes());
    let mut record = csv::StringRecord::new();
    let columns: Vec<String> = match reader.read_record(&mut record) {
        Ok(false) => {
            diagnostics.push(
                Diagnostic::new("empty-table", format!("{} is empty", path.display()))
                    .at(Some(Location {
                        file: path.clone(),
                        line: 1,
                        column: None,
                    }))
                    .help("the first line names the columns, with the same keys as TOML"),
            );
            return Err(false);
        }
        Err(e) => {
            diagnostics.push(csv_error(path, &e, 0));
            return Err(true);
        }
        Ok(true) => record.iter().map(|h| h.trim().to_string()).collect(),
    };
    let read = check_header(sources, file, section, &columns, diagnostics);
    Ok(CsvHeader {
        columns,
        read,
        // Reading on from here gives the records a reader of the whole
        // table gives after the header (csv's `Reader::position`).
        body: reader.position().byte() as usize,
    })
}

/// Reads one CSV table. Returns whether it had syntax errors.
pub fn read_csv(
    sources: &Sources,
    file: u32,
    sink: &mut impl CsvSink,
    diagnostics: &mut Vec<Diagnostic>,
    progress: &Task,
) -> bool {
    match csv_header(sources, file, diagnostics) {
        Err(syntax) => syntax,
        Ok(header) => {
            let columns: Vec<&str> = header.columns.iter().map(String::as_str).collect();
            sink.header(&columns, &header.read);
            let rows = header.body..sources.files[file as usize].text.len();
            read_csv_rows(
                sources,
                file,
                columns.len(),
                (rows, None),
                sink,
                diagnostics,
                progress,
            )
        }
    }
}

/// Where a CSV table's rows can be split in two, to be read on two threads:
/// at a line break near the middle, when no cell is quoted (only then is
/// every line break the end of a record) and the rows are at least
/// `min_bytes` long.
pub fn csv_split(text: &str, body: usize, min_bytes: usize) -> Option<usize> {
    let rows = text.as_bytes().get(body..)?;
    if rows.len() < min_bytes.max(2) || memchr::memchr(b'"', rows).is_some() {
        return None;
    }
    let middle = rows.len() / 2;
    let split = body + middle + memchr::memchr(b'\n', &rows[middle..])? + 1;
    (split < text.len()).then_some(split)
}

/// How many rows of a quote-free stretch of a CSV table [`read_csv_rows`]
/// hands to its sink: the records that are not blank and have one cell per
/// column, found as it finds them.
pub fn csv_rows_in(text: &str, rows: std::ops::Range<usize>, columns: usize) -> usize {
    let mut count = 0;
    for_each_plain_row(text, rows, 0, columns, |_, _, cells, plain| {
        count += usize::from(cells.len() == columns && (plain || !blank(cells)));
    });
    count
}

/// Whether every cell of a row is blank: such a row is skipped.
fn blank(cells: &[&str]) -> bool {
    cells.iter().all(|cell| trim_cell(cell).is_empty())
}

/// A cell without the whitespace around it, as `str::trim` gives it, but
/// without decoding characters when the cell starts and ends with a visible
/// ASCII character, as nearly every cell does.
pub fn trim_cell(cell: &str) -> &str {
    let visible = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_graphic());
    let bytes = cell.as_bytes();
    if visible(bytes.first()) && visible(bytes.last()) {
        cell
    } else {
        cell.trim()
    }
}

/// Reads the rows of a CSV table in the byte range `rows`, which starts
/// where a record starts: after the header, or at a [`csv_split`]; with the
/// number of line breaks before it, when known, else it is counted.
pub fn read_csv_rows<S: CsvSink>(
    sources: &Sources,
    file: u32,
    columns: usize,
    (rows, lines_before): (std::ops::Range<usize>, Option<usize>),
    sink: &mut S,
    diagnostics: &mut Vec<Diagnostic>,
    progress: &Task,
) -> bool {
    let source = &sources.files[file as usize];
    let path = &source.path;
    let text = source.text.as_str();
    let (first, end) = (rows.start, rows.end);
    let lines_before = lines_before
        .unwrap_or_else(|| memchr::memchr_iter(b'\n', &text.as_bytes()[..first]).count());
    let line_location = |line: usize| {
        Some(Location {
            file: path.clone(),
            line,
            column: None,
        })
    };
    // Progress counts bytes, reported every few thousand rows.
    let mut reported = first;
    let mut count = 0u32;
    // A plain row (see [`for_each_plain_row`]) has nothing to trim and is
    // not blank.
    let mut row = |sink: &mut S,
                   cells: &mut [&str],
                   line: usize,
                   start: usize,
                   plain: bool,
                   diagnostics: &mut Vec<Diagnostic>| {
        count = count.wrapping_add(1);
        if count.is_multiple_of(4096) {
            progress.advance((start - reported) as u64);
            reported = start;
        }
        if !plain {
            for cell in cells.iter_mut() {
                *cell = trim_cell(cell);
            }
            if cells.iter().all(|cell| cell.is_empty()) {
                return;
            }
        }
        if cells.len() != columns {
            diagnostics.push(
                Diagnostic::new(
                    "csv-shape",
                    format!(
                        "row has {} cells but the header names {columns} columns",
                        cells.len(),
                    ),
                )
                .at(line_location(line))
                .help("every row needs one cell per column; quote a cell that contains a comma"),
            );
            return;
        }
        sink.row(cells, line, start, plain);
    };
    let mut had_syntax_errors = false;
    if memchr::memchr(b'"', &text.as_bytes()[rows.clone()]).is_none() {
        // Without quotes a record is a line and a cell what lies between
        // commas: the cells are the text's own, with nothing to unescape.
        // Each row is split one row ahead of being handed on, so that the
        // sink can have what that next row looks up fetched into the cache
        // while the row before it is handled.
        let mut cells: Vec<&str> = Vec::with_capacity(columns);
        let mut pending = None;
        for_each_plain_row(
            text,
            rows,
            lines_before,
            columns,
            |line, start, next, plain| {
                sink.ahead(next);
                if let Some((line, start, plain)) = pending.replace((line, start, plain)) {
                    row(sink, &mut cells, line, start, plain, diagnostics);
                }
                std::mem::swap(&mut cells, next);
            },
        );
        if let Some((line, start, plain)) = pending {
            row(sink, &mut cells, line, start, plain, diagnostics);
        }
    } else {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(false)
            .from_reader(&text.as_bytes()[rows]);
        let mut record = csv::StringRecord::new();
        loop {
            match reader.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    diagnostics.push(csv_error(path, &e, lines_before));
                    had_syntax_errors = true;
                    // A UTF-8 or shape error leaves the reader at the next record.
                    if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                        break;
                    }
                    continue;
                }
            }
            let mut line = lines_before + record.position().map_or(1, |p| p.line() as usize);
            let mut start = first + record.position().map_or(0, |p| p.byte() as usize);
            // A record's position is where the reader stood, which can be
            // before the `\n` of the `\r\n` that ended the record before,
            // and before empty lines: the row starts after them.
            while let Some(&byte @ (b'\r' | b'\n')) = text.as_bytes().get(start) {
                line += usize::from(byte == b'\n');
                start += 1;
            }
            // A quote left open runs to the end of the file, so only a
            // record that ends there can hold one: only that one is scanned.
            if first + reader.position().byte() as usize >= end
                && !record.as_slice().trim().is_empty()
                && scan_row(text, start).1
            {
                diagnostics.push(
                    Diagnostic::new("csv-quote", "a quoted cell is never closed")
                        .at(line_location(line))
                        .help("end the cell with a closing \"; write a quote inside a quoted cell as \"\""),
                );
                had_syntax_errors = true;
                continue;
            }
            let mut cells: Vec<&str> = record.iter().collect();
            row(sink, &mut cells, line, start, false, diagnostics);
        }
    }
    progress.advance((end - reported) as u64);
    had_syntax_errors
}

/// The rows of a quote-free stretch of CSV, as the csv reader finds them: a
/// record ends at `\r`, `\n` or both, empty lines are none, and a cell is
/// what lies between commas. Calls `f` with each record's line, byte offset
/// and cells (in a vector it may swap for another), and whether the row is
/// *plain*: its bytes are all visible ASCII, not all commas, so that no cell
/// has anything to trim and the row is not blank. (`false` tells nothing:
/// such a row may still have nothing to trim.)
///
/// A record is found and cut 64 bytes at a time, from one look at each
/// block: which of its bytes are commas, line breaks and bytes other than
/// visible ASCII, as three masks. For the rows of a table, most of them
/// within one block, that is the same work for every row, where a search
/// for the line's end and a loop over its words would each end at a
/// varying, mispredicted turn.
fn for_each_plain_row<'t>(
    text: &'t str,
    rows: std::ops::Range<usize>,
    lines_before: usize,
    columns: usize,
    mut f: impl FnMut(usize, usize, &mut Vec<&'t str>, bool),
) {
    let bytes = text.as_bytes();
    let (mut at, end) = (rows.start, rows.end);
    let mut line = lines_before + 1;
    let mut cells: Vec<&'t str> = Vec::with_capacity(columns);
    while at < end {
        cells.clear();
        let (stop, plain) = cut_record(text, at..end, &mut cells);
        if stop > at {
            f(line, at, &mut cells, plain);
        }
        line += usize::from(bytes.get(stop) == Some(&b'\n'));
        at = stop + 1;
    }
}

/// Cuts the record at `rows.start` into `cells`, 64 bytes at a time:
/// returns where it ends (at a line break, or at `rows.end`), and whether it
/// is plain (see [`for_each_plain_row`]).
fn cut_record<'t>(
    text: &'t str,
    rows: std::ops::Range<usize>,
    cells: &mut Vec<&'t str>,
) -> (usize, bool) {
    let (at, end) = (rows.start, rows.end);
    let (mut block_at, mut from) = (at, at);
    let (mut commas_seen, mut other) = (0, 0);
    loop {
        let rest = &text.as_bytes()[block_at..end];
        let m = match rest.first_chunk::<64>() {
            Some(block) => byte_masks(block),
            // The stretch's last bytes, line breaks after them: its end
            // ends its last record.
            None => {
                let mut block = [b'\n'; 64];
                block[..rest.len()].copy_from_slice(rest);
                byte_masks(&block)
            }
        };
        // The bytes before the line break, if it is in this block.
        let before = match m.breaks {
            0 => u64::MAX,
            breaks => (1 << breaks.trailing_zeros()) - 1,
        };
        let mut commas = m.commas & before;
        commas_seen += commas.count_ones() as usize;
        other |= m.other & before;
        while commas != 0 {
            let comma = block_at + commas.trailing_zeros() as usize;
            cells.push(&text[from..comma]);
            from = comma + 1;
            commas &= commas - 1;
        }
        if m.breaks != 0 {
            let stop = block_at + m.breaks.trailing_zeros() as usize;
            cells.push(&text[from..stop]);
            return (stop, other == 0 && commas_seen != stop - at);
        }
        block_at += 64;
    }
}

/// Which bytes of a block are commas, which line breaks (`\r`, `\n`), and
/// which anything but visible ASCII (`!` to `~`): byte `i` is bit `i`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ByteMasks {
    commas: u64,
    breaks: u64,
    other: u64,
}

#[cfg(target_arch = "x86_64")]
fn byte_masks(block: &[u8; 64]) -> ByteMasks {
    // SAFETY: SSE2 is part of every x86_64 processor.
    unsafe { byte_masks_sse2(block) }
}

#[cfg(not(target_arch = "x86_64"))]
fn byte_masks(block: &[u8; 64]) -> ByteMasks {
    byte_masks_portable(block)
}

/// [`byte_masks`], 16 bytes to a compare.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
fn byte_masks_sse2(block: &[u8; 64]) -> ByteMasks {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_cmplt_epi8, _mm_movemask_epi8, _mm_or_si128, _mm_set_epi64x,
        _mm_set1_epi8,
    };
    let splat = |byte: u8| _mm_set1_epi8(byte as i8);
    let mut masks = ByteMasks {
        commas: 0,
        breaks: 0,
        other: 0,
    };
    for (i, sixteen) in block.chunks_exact(16).enumerate() {
        let (low, high) = sixteen.split_at(8);
        let word = |half: &[u8]| u64::from_le_bytes(half.try_into().unwrap_or_default()) as i64;
        let v = _mm_set_epi64x(word(high), word(low));
        let bits = |m| u64::from(_mm_movemask_epi8(m) as u16) << (16 * i);
        masks.commas |= bits(_mm_cmpeq_epi8(v, splat(b',')));
        masks.breaks |= bits(_mm_or_si128(
            _mm_cmpeq_epi8(v, splat(b'\n')),
            _mm_cmpeq_epi8(v, splat(b'\r')),
        ));
        // Signed, bytes from 0x80 up are below `!` too.
        masks.other |= bits(_mm_or_si128(
            _mm_cmplt_epi8(v, splat(b'!')),
            _mm_cmpeq_epi8(v, splat(0x7f)),
        ));
    }
    masks
}

/// [`byte_masks`], a byte at a time.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn byte_masks_portable(block: &[u8; 64]) -> ByteMasks {
    let mut masks = ByteMasks {
        commas: 0,
        breaks: 0,
        other: 0,
    };
    for (i, &byte) in block.iter().enumerate() {
        masks.commas |= u64::from(byte == b',') << i;
        masks.breaks |= u64::from(matches!(byte, b'\r' | b'\n')) << i;
        masks.other |= u64::from(!byte.is_ascii_graphic()) << i;
    }
    masks
}

/// Checks the header once for the whole table: unknown and repeated column
/// names are reported at the header, with a suggestion (an unknown column
/// must not pass unnoticed because its cells are empty, nor be reported once
/// per row). Returns which columns are read.
fn check_header(
    sources: &Sources,
    file: u32,
    section: Section,
    header: &[String],
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<bool> {
    let at = |i: usize| Some(sources.location(Pos::cell(file, 0, i)));
    let table = section.csv_file().unwrap_or_default();
    let mut read = Vec::with_capacity(header.len());
    for (i, key) in header.iter().enumerate() {
        if section.field(key).is_none() {
            let names = section.fields().iter().map(|f| f.name);
            let mut d = Diagnostic::new(
                "unknown-key",
                if key.is_empty() {
                    format!("column {} of {table} has no name", i + 1)
                } else {
                    format!("unknown column `{key}` in {table}")
                },
            )
            .at(at(i))
            .entry(format!("{}.{key}", section.key()));
            d = match suggest(key, names.clone()) {
                Some(s) if !key.is_empty() => d.help(format!("did you mean `{s}`?")),
                _ => d.help(format!(
                    "columns are the keys of [[{}]]: {}",
                    section.key(),
                    names.collect::<Vec<_>>().join(", ")
                )),
            };
            diagnostics.push(d);
            read.push(false);
        } else if header[..i].contains(key) {
            diagnostics.push(
                Diagnostic::new(
                    "duplicate-key",
                    format!("column `{key}` appears twice in {table}"),
                )
                .at(at(i))
                .entry(format!("{}.{key}", section.key()))
                .help("remove or rename one of the two columns"),
            );
            read.push(false);
        } else {
            read.push(true);
        }
    }
    read
}

/// Scans one CSV row from byte `start` with the reader's quoting rules: a
/// quote opens a quoted cell only as the cell's first character (elsewhere,
/// as in `27"`, it is literal), and inside one `""` is a quote. Returns where
/// each cell's text starts (past leading blanks, for diagnostics) and
/// whether a quoted cell is still open at the end of the file. The csv
/// reader's own ranges index a buffer without delimiters, so they cannot
/// give columns.
fn scan_row(text: &str, start: usize) -> (Vec<usize>, bool) {
    let bytes = text.as_bytes();
    let skip_blanks = |mut at: usize| {
        while matches!(bytes.get(at), Some(b' ' | b'\t')) {
            at += 1;
        }
        at
    };
    let mut starts = vec![skip_blanks(start)];
    let mut quoted = false;
    let mut cell_start = true;
    let mut at = start;
    while at < bytes.len() {
        let byte = bytes[at];
        if quoted {
            if byte == b'"' {
                if bytes.get(at + 1) == Some(&b'"') {
                    at += 1;
                } else {
                    quoted = false;
                }
            }
        } else {
            match byte {
                b'"' if cell_start => quoted = true,
                b',' => {
                    starts.push(skip_blanks(at + 1));
                    cell_start = true;
                    at += 1;
                    continue;
                }
                b'\n' => break,
                _ => {}
            }
        }
        cell_start = false;
        at += 1;
    }
    (starts, quoted)
}

/// A csv reader's error; the reader started after `lines_before` lines.
fn csv_error(path: &Arc<Path>, e: &csv::Error, lines_before: usize) -> Diagnostic {
    let line = lines_before + e.position().map(|p| p.line() as usize).unwrap_or(1);
    Diagnostic::new("syntax", format!("CSV: {e}")).at(Some(Location {
        file: path.clone(),
        line,
        column: None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Files read on two threads come out as read on one: in order, with
    /// the same texts and the same problems.
    #[test]
    fn files_read_on_two_threads_are_the_files_read_on_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = |name: &str| dir.path().join(name);
        std::fs::write(path("a.toml"), "[model]\n").unwrap();
        std::fs::write(path("systems.csv"), "id\n".repeat(5000)).unwrap();
        std::fs::write(path("flows.csv"), b"id\n\xff\n").unwrap();
        std::fs::write(path("access.csv"), "\u{feff}id\nx\n").unwrap();
        let paths = [
            "a.toml",
            "systems.csv",
            "missing.csv",
            "flows.csv",
            "access.csv",
        ]
        .map(path);
        let kinds = [
            FileKind::Toml,
            FileKind::Csv(Section::System),
            FileKind::Csv(Section::Flow),
            FileKind::Csv(Section::Flow),
            FileKind::Csv(Section::Access),
        ];
        let jobs: Vec<(&Path, FileKind)> = paths.iter().map(PathBuf::as_path).zip(kinds).collect();
        let shown = |threaded| {
            read_all(&jobs, threaded)
                .into_iter()
                .map(|read| match read {
                    Ok(file) => format!("{} {}", file.path.display(), file.text.len()),
                    Err(d) => format!("{} {}", d.code, d.message),
                })
                .collect::<Vec<_>>()
        };
        let one = shown(u64::MAX);
        assert_eq!(one, shown(0));
        let codes: Vec<&str> = one.iter().map(|r| r.split(' ').next().unwrap()).collect();
        assert_eq!(codes[2], "io");
        assert_eq!(codes[3], "encoding");
        // 5000 lines of "id\n"; the byte-order mark is dropped.
        assert!(
            one[1].ends_with(" 15000") && one[4].ends_with(" 5"),
            "{one:?}"
        );
    }
    use proptest::prelude::*;

    /// The records the csv reader finds: (line, byte offset, cells), placed
    /// after the line breaks before them as `read_csv_rows` places them.
    fn by_csv_reader(text: &str) -> Vec<(usize, usize, Vec<String>)> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(false)
            .from_reader(text.as_bytes());
        let mut out = Vec::new();
        for record in reader.records() {
            let record = record.unwrap();
            let position = record.position().unwrap();
            let (mut line, mut start) = (position.line() as usize, position.byte() as usize);
            while let Some(&byte @ (b'\r' | b'\n')) = text.as_bytes().get(start) {
                line += usize::from(byte == b'\n');
                start += 1;
            }
            out.push((line, start, record.iter().map(String::from).collect()));
        }
        out
    }

    /// The rows [`for_each_plain_row`] finds, checking that a row it
    /// calls plain has nothing to trim and is not blank.
    fn by_plain_split(text: &str) -> Vec<(usize, usize, Vec<String>)> {
        let mut out = Vec::new();
        for_each_plain_row(text, 0..text.len(), 0, 2, |line, start, cells, plain| {
            if plain {
                assert!(
                    cells.iter().all(|&cell| trim_cell(cell) == cell),
                    "{cells:?}"
                );
                assert!(!blank(cells), "{cells:?}");
            }
            out.push((
                line,
                start,
                cells.iter().map(|&c| String::from(c)).collect(),
            ));
        });
        out
    }

    proptest! {
        #[test]
        fn a_cell_is_trimmed_as_str_trim_trims(cell in "[ \t\r\u{b}\u{c}\u{85}\u{3000}a-z,é!~]{0,6}") {
            prop_assert_eq!(trim_cell(&cell), cell.trim());
        }

        /// Without quotes, splitting lines and commas finds what the csv
        /// reader finds, at the same lines and offsets.
        #[test]
        fn quote_free_records_are_the_csv_readers(
            pieces in proptest::collection::vec(
                prop_oneof![
                    Just("a"), Just("bc"), Just("é"), Just("日本"), Just(" "), Just("\t"),
                    Just(","), Just("\r"), Just("\n"), Just("\r\n"), Just(";"),
                    // A comma's neighbours in the byte tests: `-` is one
                    // more, the second byte of `¬` the comma with its high bit.
                    Just("-"), Just("¬"), Just(",-,"),
                ],
                0..200,
            )
        ) {
            let text: String = pieces.concat();
            prop_assert_eq!(by_plain_split(&text), by_csv_reader(&text));
        }

        /// A record of several 64-byte blocks, commas anywhere (the first
        /// and last byte of a block, side by side), is cut as `str::split`
        /// cuts it: with whole blocks after it, and as a stretch's last
        /// bytes, cut from a block padded with line breaks.
        #[test]
        fn records_of_several_blocks_are_cut_as_split_cuts(
            record in "[a,é日¬ -]{1,300}",
            blocks_after in proptest::bool::ANY,
        ) {
            let after = if blocks_after { "x\n".repeat(40) } else { String::new() };
            let text = format!("{record}\n{after}");
            let mut first = None;
            for_each_plain_row(&text, 0..text.len(), 0, 1, |line, start, cells, _| {
                first.get_or_insert((line, start, cells.clone()));
            });
            let expected: Vec<&str> = record.split(',').collect();
            prop_assert_eq!(first, Some((1, 0, expected)));
        }

        /// The masks made 16 bytes at a time are those made byte by byte.
        #[test]
        fn byte_masks_are_the_bytes_one_by_one(
            bytes in proptest::collection::vec(
                prop_oneof![Just(b','), Just(b'\r'), Just(b'\n'), Just(b' '), Just(b'!'),
                    Just(b'~'), Just(0x7f), Just(0x80), Just(0xff), Just(0), any::<u8>()],
                64,
            )
        ) {
            let block: [u8; 64] = bytes.try_into().unwrap();
            prop_assert_eq!(byte_masks(&block), byte_masks_portable(&block));
        }
    }

    #[test]
    fn plain_records_skip_empty_lines_and_count_every_line_feed() {
        // Line 1 "a,b"; CRLF; line 2 empty; line 3 ",x" (byte 7); line 4
        // "y" (byte 10), ended by a lone CR, which is no line feed: "z"
        // (byte 12) is on line 4 too.
        let text = "a,b\r\n\r\n,x\ny\rz";
        assert_eq!(
            by_plain_split(text),
            [
                (1, 0, vec!["a".to_string(), "b".to_string()]),
                (3, 7, vec![String::new(), "x".to_string()]),
                (4, 10, vec!["y".to_string()]),
                (4, 12, vec!["z".to_string()]),
            ]
        );
    }
}
