//! Reading model files into raw, located entries. Every format (TOML, CSV)
//! ends here in the same shape, so one set of rules checks them all.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use toml::de::{DeTable, DeValue};

use super::Date;
use super::diag::{Diagnostic, LineIndex, Location, suggest};
use super::fields::Section;

/// A value as written, before it is checked against the key's type.
#[derive(Debug, Clone)]
pub enum RawValue {
    Str(String),
    Int(i64),
    Bool(bool),
    Date(Date),
    List(Vec<(RawValue, Location)>),
    /// A CSV cell: text whose type comes from the key.
    Cell(String),
    /// A TOML date that is not a calendar date (`2021-02-30`), as written,
    /// with the parser's reason.
    InvalidDate {
        written: String,
        reason: String,
    },
    /// Anything else (float, table, date-time with a time); names the TOML type.
    Other(&'static str),
}

#[derive(Debug, Clone)]
pub struct RawField {
    pub key: String,
    pub key_location: Location,
    pub value: RawValue,
    pub location: Location,
}

#[derive(Debug, Clone)]
pub struct RawEntry {
    pub section: Section,
    pub location: Location,
    pub fields: Vec<RawField>,
}

/// Everything read from a model path: entries, problems, and the text of each
/// file so diagnostics can quote the line.
#[derive(Default)]
pub struct RawModel {
    pub entries: Vec<RawEntry>,
    pub diagnostics: Vec<Diagnostic>,
    pub texts: Vec<(PathBuf, String)>,
    /// Whether a file failed to parse, so that missing entries would make
    /// every reference check noise.
    pub had_syntax_errors: bool,
    /// Per file with a TOML syntax error, the first line of the entry that
    /// holds it: what the parser recovered from there on is unreliable, so
    /// other diagnostics there are consequences, not news.
    pub garbled: Vec<(PathBuf, usize)>,
}

impl RawModel {
    fn error(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }
}

/// Reads a model directory or a single `.toml` file.
pub fn read(path: &Path) -> RawModel {
    let mut raw = RawModel::default();
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
        read_toml_file(path, &mut raw);
    } else if csv_section(path).is_some() {
        read_csv_file(path, &mut raw);
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

fn read_dir(dir: &Path, raw: &mut RawModel) {
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
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
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
    for path in tomls {
        read_toml_file(path, raw);
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
    for (_, path) in ordered {
        read_csv_file(path, raw);
    }
}

fn csv_section(path: &Path) -> Option<Section> {
    let name = path.file_name()?.to_str()?;
    Section::ALL
        .into_iter()
        .find(|s| s.csv_file() == Some(name))
}

/// Reads a file as UTF-8 (a leading byte-order mark is dropped), or says where it is not.
fn read_text(path: &Path, raw: &mut RawModel) -> Option<String> {
    let bytes = match super::limits::read_model_file(path) {
        Ok(b) => b,
        Err(d) => {
            raw.error(*d);
            return None;
        }
    };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Some(text.to_owned()),
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
            let column = good.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
            raw.error(
                Diagnostic::new(
                    "encoding",
                    format!(
                        "{} is not valid UTF-8 (byte {})",
                        path.display(),
                        e.valid_up_to()
                    ),
                )
                .at(Some(Location {
                    file: Arc::from(path),
                    line,
                    column: Some(column),
                }))
                .help("save the file as UTF-8"),
            );
            raw.had_syntax_errors = true;
            None
        }
    }
}

fn read_toml_file(path: &Path, raw: &mut RawModel) {
    if let Some(text) = read_text(path, raw) {
        read_toml(path, &text, raw);
        raw.texts.push((path.to_path_buf(), text));
    }
}

/// Reads TOML text as if from `path`.
pub fn read_toml_text(path: &Path, text: &str) -> RawModel {
    let mut raw = RawModel::default();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    read_toml(path, text, &mut raw);
    raw.texts.push((path.to_path_buf(), text.to_owned()));
    raw
}

fn read_toml(path: &Path, text: &str, raw: &mut RawModel) {
    let earlier_entries = raw.entries.len();
    let (table, errors) = DeTable::parse_recoverable(text);
    let mut file = TomlFile {
        text,
        index: LineIndex::new(path, text),
        claimed: vec![false; errors.len()],
        errors,
    };
    let table = table.into_inner();
    let mut top: Vec<_> = table.iter().collect();
    top.sort_by_key(|(k, _)| k.span().start);
    for (key, value) in top {
        let key_location = file.index.location(key.span().start);
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
            raw.error(d);
            continue;
        };
        match (section, value.get_ref()) {
            (Section::Model, DeValue::Table(t)) => {
                let entry = file.entry(section, file.index.location(value.span().start), t);
                raw.entries.push(entry);
            }
            (Section::Model, DeValue::Array(items)) => {
                raw.error(
                    Diagnostic::new("wrong-type", "`model` is one table, not an array of tables")
                        .at(Some(key_location))
                        .entry("model")
                        .help("write [model], with single brackets"),
                );
                // Read it anyway, so its keys are checked and no
                // "missing [model]" follows.
                for item in items.iter() {
                    if let DeValue::Table(t) = item.get_ref() {
                        let location = file.index.location(item.span().start);
                        raw.entries.push(file.entry(section, location, t));
                    }
                }
            }
            (Section::Model, other) => raw.error(
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
                for (i, item) in items.iter().enumerate() {
                    match item.get_ref() {
                        DeValue::Table(t) => {
                            let location = file.index.location(item.span().start);
                            raw.entries.push(file.entry(section, location, t));
                        }
                        other => raw.error(
                            Diagnostic::new(
                                "wrong-type",
                                format!(
                                    "each `{}` entry must be a table, found {}",
                                    section.key(),
                                    other.type_str()
                                ),
                            )
                            .at(Some(file.index.location(item.span().start)))
                            .entry(format!("{}[{i}]", section.key()))
                            .help(format!("write [[{}]] followed by its keys", section.key())),
                        ),
                    }
                }
            }
            (_, other) => raw.error(
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
    let mut syntax: Vec<&toml::de::Error> = file
        .errors
        .iter()
        .zip(&file.claimed)
        .filter(|(_, claimed)| !**claimed)
        .map(|(e, _)| e)
        .collect();
    syntax.sort_by_key(|e| e.span().map(|s| s.start).unwrap_or(0));
    let Some(first) = syntax.first() else {
        return;
    };
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
    let location = file.index.location(unclosed.unwrap_or(offset));
    let count = |section: Section| {
        raw.entries[..earlier_entries]
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
    raw.error(d);
    raw.had_syntax_errors = true;
    raw.garbled.push((path.to_path_buf(), entry_line));
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
    let mut seen: std::collections::HashMap<Section, usize> = Default::default();
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
                let k = seen.entry(section).or_default();
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

/// One TOML file being read: its text, line index and the parser's errors.
struct TomlFile<'a> {
    text: &'a str,
    index: LineIndex<'a>,
    errors: Vec<toml::de::Error>,
    /// Errors already reported as a problem of a value (an invalid date), so
    /// that they are not reported again as syntax.
    claimed: Vec<bool>,
}

impl TomlFile<'_> {
    fn entry(&mut self, section: Section, location: Location, table: &DeTable) -> RawEntry {
        let mut fields: Vec<RawField> = table
            .iter()
            .map(|(key, value)| RawField {
                key: key.get_ref().to_string(),
                key_location: self.index.location(key.span().start),
                value: self.value(value),
                location: self.index.location(value.span().start),
            })
            .collect();
        fields.sort_by(|a, b| a.key_location.cmp(&b.key_location));
        RawEntry {
            section,
            location,
            fields,
        }
    }

    fn value(&mut self, value: &toml::Spanned<DeValue>) -> RawValue {
        match value.get_ref() {
            DeValue::String(s) => RawValue::Str(s.to_string()),
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
                .map(RawValue::Int)
                .unwrap_or(RawValue::Other("integer out of range")),
            DeValue::Boolean(b) => RawValue::Bool(*b),
            DeValue::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
                (Some(d), None, None) => Date::new(d.year as i16, d.month as i8, d.day as i8)
                    .map(RawValue::Date)
                    .unwrap_or(RawValue::Other("invalid date")),
                // The parser recovers an impossible date (2021-02-30) as an
                // empty date-time and reports why at the same span.
                (None, None, None) => self.invalid_date(value.span()),
                _ => RawValue::Other("date-time"),
            },
            DeValue::Array(items) => RawValue::List(
                items
                    .iter()
                    .map(|item| (self.value(item), self.index.location(item.span().start)))
                    .collect(),
            ),
            DeValue::Float(_) => RawValue::Other("float"),
            DeValue::Table(_) => RawValue::Other("table"),
        }
    }

    fn invalid_date(&mut self, span: std::ops::Range<usize>) -> RawValue {
        let written = self.text.get(span.clone()).unwrap_or_default().trim();
        let found = self
            .errors
            .iter()
            .position(|e| e.span().is_some_and(|s| s.start == span.start));
        match found {
            Some(i) => {
                self.claimed[i] = true;
                RawValue::InvalidDate {
                    written: written.to_string(),
                    reason: self.errors[i].message().trim_end().to_string(),
                }
            }
            None => RawValue::Other("invalid date"),
        }
    }
}

fn read_csv_file(path: &Path, raw: &mut RawModel) {
    let Some(section) = csv_section(path) else {
        return;
    };
    let Some(text) = read_text(path, raw) else {
        return;
    };
    read_csv(path, section, &text, raw);
    raw.texts.push((path.to_path_buf(), text));
}

fn read_csv(path: &Path, section: Section, text: &str, raw: &mut RawModel) {
    let index = LineIndex::new(path, text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        None => {
            raw.error(
                Diagnostic::new("empty-table", format!("{} is empty", path.display()))
                    .at(Some(Location {
                        file: Arc::from(path),
                        line: 1,
                        column: None,
                    }))
                    .help("the first line names the columns, with the same keys as TOML"),
            );
            return;
        }
        Some(Err(e)) => {
            raw.error(csv_error(path, &e));
            raw.had_syntax_errors = true;
            return;
        }
        Some(Ok(h)) => h,
    };
    let header: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
    let known = check_header(path, section, text, &header, raw);
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                raw.error(csv_error(path, &e));
                raw.had_syntax_errors = true;
                continue;
            }
        };
        let line = record.position().map(|p| p.line() as usize).unwrap_or(1);
        let row_start = record.position().map(|p| p.byte() as usize).unwrap_or(0);
        let row_location = Location {
            file: Arc::from(path),
            line,
            column: None,
        };
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        let (starts, unclosed) = scan_row(text, row_start);
        if unclosed {
            raw.error(
                Diagnostic::new("csv-quote", "a quoted cell is never closed")
                    .at(Some(row_location.clone()))
                    .help("end the cell with a closing \"; write a quote inside a quoted cell as \"\""),
            );
            raw.had_syntax_errors = true;
            continue;
        }
        if record.len() != header.len() {
            raw.error(
                Diagnostic::new(
                    "csv-shape",
                    format!(
                        "row has {} cells but the header names {} columns",
                        record.len(),
                        header.len()
                    ),
                )
                .at(Some(row_location.clone()))
                .help("every row needs one cell per column; quote a cell that contains a comma"),
            );
            continue;
        }
        let mut fields = Vec::new();
        for (i, cell) in record.iter().enumerate() {
            let cell = cell.trim();
            if cell.is_empty() || !known[i] {
                continue;
            }
            let location = index.location(starts.get(i).copied().unwrap_or(row_start));
            fields.push(RawField {
                key: header[i].clone(),
                key_location: location.clone(),
                value: RawValue::Cell(cell.to_string()),
                location,
            });
        }
        raw.entries.push(RawEntry {
            section,
            location: row_location,
            fields,
        });
    }
}

/// Checks the header once for the whole table: unknown and repeated column
/// names are reported at the header, with a suggestion, and their cells are
/// skipped (an unknown column must not pass unnoticed because its cells are
/// empty, nor be reported once per row). Returns which columns are read.
fn check_header(
    path: &Path,
    section: Section,
    text: &str,
    header: &[String],
    raw: &mut RawModel,
) -> Vec<bool> {
    let index = LineIndex::new(path, text);
    let (starts, _) = scan_row(text, 0);
    let at = |i: usize| Some(index.location(starts.get(i).copied().unwrap_or(0)));
    let table = section.csv_file().unwrap_or_default();
    let mut known = Vec::with_capacity(header.len());
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
            raw.error(d);
            known.push(false);
        } else if header[..i].contains(key) {
            raw.error(
                Diagnostic::new(
                    "duplicate-key",
                    format!("column `{key}` appears twice in {table}"),
                )
                .at(at(i))
                .entry(format!("{}.{key}", section.key()))
                .help("remove or rename one of the two columns"),
            );
            known.push(false);
        } else {
            known.push(true);
        }
    }
    known
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

fn csv_error(path: &Path, e: &csv::Error) -> Diagnostic {
    let line = e.position().map(|p| p.line() as usize).unwrap_or(1);
    Diagnostic::new("syntax", format!("CSV: {e}")).at(Some(Location {
        file: Arc::from(path),
        line,
        column: None,
    }))
}
