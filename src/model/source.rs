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

/// A place in a source file: the file's number and a byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub file: u32,
    pub offset: usize,
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
        self.files[pos.file as usize].index().location(pos.offset)
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
    } else if path.extension().is_some_and(|e| e == "toml") {
        read_file(path, FileKind::Toml, &mut raw);
    } else if is_yaml(path) {
        read_file(path, FileKind::Yaml, &mut raw);
    } else if let Some(section) = csv_section(path) {
        read_file(path, FileKind::Csv(section), &mut raw);
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
    // TOML and YAML files together, in name order.
    for path in tomls {
        let kind = if is_yaml(path) {
            FileKind::Yaml
        } else {
            FileKind::Toml
        };
        read_file(path, kind, raw);
    }
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
    for (section, path) in ordered {
        read_file(path, FileKind::Csv(section), raw);
    }
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

/// Reads a file as UTF-8 (a leading byte-order mark is dropped), or says where it is not.
fn read_file(path: &Path, kind: FileKind, raw: &mut Sources) {
    let mut bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            raw.error(Diagnostic::new(
                "io",
                format!("cannot read {}: {e}", path.display()),
            ));
            return;
        }
    };
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    match String::from_utf8(bytes) {
        Ok(text) => raw.push(SourceFile::new(path, text, kind)),
        Err(e) => {
            let bytes = e.as_bytes();
            let valid = e.utf8_error().valid_up_to();
            let good = &bytes[..valid];
            let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
            let column = good.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
            raw.error(
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
            );
            raw.had_syntax_errors = true;
        }
    }
}

/// Takes TOML text as if read from `path`.
pub fn read_toml_text(path: &Path, text: &str) -> Sources {
    let mut raw = Sources::default();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    raw.push(SourceFile::new(path, text.to_owned(), FileKind::Toml));
    raw
}

/// Parses one TOML file into entries; syntax errors and unknown sections go to `diagnostics`.
pub fn parse_toml<'t>(
    sources: &'t Sources,
    file: u32,
    entries: &mut Vec<RawEntry<'t>>,
    diagnostics: &mut Vec<Diagnostic>,
) -> bool {
    let source = &sources.files[file as usize];
    let path = &source.path;
    let text = source.text.as_str();
    let at = |offset: usize| Pos { file, offset };
    let mut had_syntax_errors = false;
    let (table, errors) = DeTable::parse_recoverable(text);
    for e in &errors {
        let location = e.span().map(|s| sources.location(at(s.start)));
        diagnostics.push(
            Diagnostic::new("syntax", format!("TOML syntax: {}", e.message().trim_end())).at(
                location.or(Some(Location {
                    file: path.clone(),
                    line: 1,
                    column: None,
                })),
            ),
        );
        had_syntax_errors = true;
    }
    let table = table.into_inner();
    let mut top: Vec<_> = table.into_iter().collect();
    top.sort_by_key(|(k, _)| k.span().start);
    for (key, value) in top {
        let key_pos = at(key.span().start);
        let Some(section) = Section::from_key(key.get_ref()) else {
            let known = Section::ALL.map(|s| s.key());
            let mut d = Diagnostic::new(
                "unknown-section",
                format!("unknown section `{}`", key.get_ref()),
            )
            .at(Some(sources.location(key_pos)));
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
                entries.push(toml_entry(section, file, value_pos, t));
            }
            (Section::Model, _) => diagnostics.push(
                Diagnostic::new("wrong-type", "`model` must be a table: write [model]")
                    .at(Some(sources.location(key_pos))),
            ),
            (_, DeValue::Array(items)) => {
                for item in items {
                    let item_pos = at(item.span().start);
                    match item.into_inner() {
                        DeValue::Table(t) => entries.push(toml_entry(section, file, item_pos, t)),
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
                .at(Some(sources.location(key_pos)))
                .help(format!("write [[{0}]], not [{0}]", section.key())),
            ),
        }
    }
    had_syntax_errors
}

fn toml_entry<'t>(section: Section, file: u32, pos: Pos, table: DeTable<'t>) -> RawEntry<'t> {
    let at = |offset: usize| Pos { file, offset };
    let mut fields: Vec<RawField<'t>> = table
        .into_iter()
        .map(|(key, value)| {
            let key_pos = at(key.span().start);
            let pos = at(value.span().start);
            RawField {
                key: key.into_inner(),
                key_pos,
                value: toml_value(file, value.into_inner()),
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

fn toml_value(file: u32, value: DeValue<'_>) -> RawValue<'_> {
    match value {
        DeValue::String(s) => RawValue::Str(s),
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
            .map(RawValue::Int)
            .unwrap_or(RawValue::Other("integer out of range")),
        DeValue::Boolean(b) => RawValue::Bool(b),
        DeValue::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
            (Some(d), None, None) => Date::new(d.year as i16, d.month as i8, d.day as i8)
                .map(RawValue::Date)
                .unwrap_or(RawValue::Other("invalid date")),
            _ => RawValue::Other("date-time"),
        },
        DeValue::Array(items) => RawValue::List(
            items
                .into_iter()
                .map(|item| {
                    let pos = Pos {
                        file,
                        offset: item.span().start,
                    };
                    (toml_value(file, item.into_inner()), pos)
                })
                .collect(),
        ),
        DeValue::Float(_) => RawValue::Other("float"),
        DeValue::Table(_) => RawValue::Other("table"),
    }
}

/// Receives a CSV table: its header once, then each row that has one cell per column.
pub trait CsvSink {
    /// The header's cells, trimmed.
    fn header(&mut self, columns: &[&str]);
    /// A row; `start` is the byte offset of the row in the file. A cell's
    /// place is `start` plus the start of its range in the record.
    fn row(&mut self, record: &csv::StringRecord, line: usize, start: usize);
}

/// Reads one CSV table. Returns whether it had syntax errors.
pub fn read_csv(
    sources: &Sources,
    file: u32,
    sink: &mut impl CsvSink,
    diagnostics: &mut Vec<Diagnostic>,
    progress: &Task,
) -> bool {
    let source = &sources.files[file as usize];
    let path = &source.path;
    let line_location = |line: usize| {
        Some(Location {
            file: path.clone(),
            line,
            column: None,
        })
    };
    let mut had_syntax_errors = false;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .from_reader(source.text.as_bytes());
    let mut record = csv::StringRecord::new();
    let header: Vec<String> = match reader.read_record(&mut record) {
        Ok(false) => {
            diagnostics.push(
                Diagnostic::new("empty-table", format!("{} is empty", path.display()))
                    .at(line_location(1))
                    .help("the first line names the columns, with the same keys as TOML"),
            );
            return false;
        }
        Err(e) => {
            diagnostics.push(csv_error(path, &e));
            return true;
        }
        Ok(true) => record.iter().map(|h| h.trim().to_string()).collect(),
    };
    sink.header(&header.iter().map(String::as_str).collect::<Vec<_>>());
    // Progress counts bytes, reported every few thousand rows.
    let mut reported = 0;
    let mut rows = 0u32;
    loop {
        rows = rows.wrapping_add(1);
        if rows.is_multiple_of(4096) {
            let at = reader.position().byte() as usize;
            progress.advance((at - reported) as u64);
            reported = at;
        }
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                diagnostics.push(csv_error(path, &e));
                had_syntax_errors = true;
                // A UTF-8 or shape error leaves the reader at the next record.
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    break;
                }
                continue;
            }
        }
        let line = record.position().map(|p| p.line() as usize).unwrap_or(1);
        let start = record.position().map(|p| p.byte() as usize).unwrap_or(0);
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        if record.len() != header.len() {
            diagnostics.push(
                Diagnostic::new(
                    "csv-shape",
                    format!(
                        "row has {} cells but the header names {} columns",
                        record.len(),
                        header.len()
                    ),
                )
                .at(line_location(line))
                .help("every row needs one cell per column; quote a cell that contains a comma"),
            );
            continue;
        }
        sink.row(&record, line, start);
    }
    progress.advance((source.text.len() - reported) as u64);
    // Header keys are checked once for the whole table, not once per row.
    for (i, key) in header.iter().enumerate() {
        if header[..i].contains(key) {
            diagnostics.push(
                Diagnostic::new("duplicate-key", format!("column `{key}` appears twice"))
                    .at(line_location(1)),
            );
        }
    }
    had_syntax_errors
}

fn csv_error(path: &Arc<Path>, e: &csv::Error) -> Diagnostic {
    let line = e.position().map(|p| p.line() as usize).unwrap_or(1);
    Diagnostic::new("syntax", format!("CSV: {e}")).at(Some(Location {
        file: path.clone(),
        line,
        column: None,
    }))
}
