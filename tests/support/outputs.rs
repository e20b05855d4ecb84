//! Every output reachmap renders from a model, and the format-level checks
//! that no user-written string broke or injected into it. Shared by the
//! output-safety property tests (`tests/output_safety.rs`) and the pipeline
//! fuzz target (`fuzz/fuzz_targets/pipeline.rs`), so both cover the same
//! renderers: a new renderer is one `add` line in [`render_all`]; a new
//! format is one [`Format`] variant and its arm in [`check`].

#![allow(dead_code)] // each includer uses a different part

use std::path::Path;

use reachmap::check;
use reachmap::diff::{self, Diff};
use reachmap::model::{CountryCode, Date, Model};
use reachmap::reach::Evaluation;
use reachmap::report::lang::Lang;
use reachmap::report::{explain, matrix, set};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Plain text for a terminal.
    Text,
    Markdown,
    Csv,
    Json,
    /// Graphviz DOT.
    Dot,
    Mermaid,
    /// SVG rendered by Graphviz.
    Svg,
    /// The self-contained report page.
    Html,
}

#[derive(Debug)]
pub struct Output {
    pub name: String,
    pub format: Format,
    pub text: String,
}

/// The policy rules `check --format sarif` lists, as the command line builds them.
fn policy_rules(model: &Model) -> Vec<(String, String)> {
    model
        .policies
        .iter()
        .map(|p| {
            let doc = p
                .message
                .clone()
                .unwrap_or_else(|| format!("policy {}", p.id));
            (p.id.clone(), doc)
        })
        .collect()
}

/// Every output for `model` on `date`; diffs and the report set's diff
/// compare with `baseline`.
pub fn render_all(model: &Model, date: Date, baseline: Date) -> Vec<Output> {
    let evaluation = Evaluation::new(model, date);
    let before = Evaluation::new(model, baseline);
    let reach = evaluation.matrix();
    let findings = check::check(&evaluation, &reach);
    let mut outputs = Vec::new();
    let mut add = |name: &str, format: Format, text: String| {
        outputs.push(Output {
            name: name.to_string(),
            format,
            text,
        })
    };
    add(
        "matrix table",
        Format::Text,
        matrix::table(&evaluation, &reach),
    );
    add(
        "matrix md",
        Format::Markdown,
        matrix::markdown(&evaluation, &reach),
    );
    add("matrix csv", Format::Csv, matrix::csv(&evaluation, &reach));
    add(
        "matrix json",
        Format::Json,
        matrix::json(&evaluation, &reach),
    );
    add("check human", Format::Text, check::render_human(&findings));
    add("check json", Format::Json, check::render_json(&findings));
    add(
        "check sarif",
        Format::Json,
        check::render_sarif(&findings, &policy_rules(model)),
    );
    let mut countries: Vec<CountryCode> = reach.iter().map(|r| r.country).collect();
    countries.push(model.info.home);
    countries.sort();
    countries.dedup();
    for country in countries {
        for all_paths in [false, true] {
            add(
                &format!("explain {country} all_paths={all_paths}"),
                Format::Text,
                explain::explain(&evaluation, country, None, all_paths),
            );
        }
    }
    let change = Diff::between(&before, &evaluation);
    add("diff md", Format::Markdown, diff::render::markdown(&change));
    add("diff json", Format::Json, diff::render::json(&change));
    let steps = diff::timeline(model, None, None);
    add(
        "timeline md",
        Format::Markdown,
        diff::render::timeline_markdown(model, None, None, &steps),
    );
    add(
        "timeline json",
        Format::Json,
        diff::render::timeline_json(model, None, None, &steps),
    );
    let report = set::build_with_baseline(
        &evaluation,
        Path::new("."),
        &[Lang::En, Lang::Ja],
        Some(&before),
    );
    // A warning here is a diagram Graphviz could not render (Graphviz being
    // absent gives exactly one, about installing it): user text broke DOT.
    for warning in &report.warnings {
        assert!(
            warning.starts_with("Graphviz is not installed"),
            "a diagram was not rendered: {warning}"
        );
    }
    for (name, bytes) in report.files {
        let text = String::from_utf8(bytes).expect("report files are UTF-8");
        let (format, text) = match name.rsplit('.').next() {
            Some("md") => (Format::Markdown, text),
            Some("json") => (Format::Json, text),
            Some("dot") => (Format::Dot, text),
            Some("mmd") => (Format::Mermaid, text),
            Some("svg") => (Format::Svg, text),
            Some("html") => (Format::Html, text),
            Some("csv") => (
                Format::Csv,
                text.strip_prefix('\u{feff}')
                    .expect("report CSV files start with a byte-order mark")
                    .to_string(),
            ),
            _ => panic!("report file {name} has no format to check"),
        };
        add(&format!("report {name}"), format, text);
    }
    outputs
}

/// A character no output may carry from user text to a reader: control
/// characters other than the line end, and bidirectional overrides.
fn hidden(ch: char) -> bool {
    (ch.is_control() && ch != '\n')
        || matches!(ch, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The `|` that split a GitHub table row into cells: a backslash escapes the
/// next character, whatever it is (GFM scans a cell as `(\\. | [^|])+`).
pub fn cell_separators(line: &str) -> usize {
    let mut count = 0;
    let mut chars = line.chars();
    while let Some(ch) = chars.next() {
        match ch {
            '\\' => {
                chars.next();
            }
            '|' => count += 1,
            _ => {}
        }
    }
    count
}

/// The first `<` that Markdown would read as HTML: not backslash-escaped and
/// not inside a code span.
fn raw_angle_bracket(line: &str) -> Option<usize> {
    let mut in_code = false;
    let mut chars = line.char_indices();
    while let Some((at, ch)) = chars.next() {
        match (in_code, ch) {
            (false, '\\') => {
                chars.next();
            }
            (_, '`') => in_code = !in_code,
            (false, '<') => return Some(at),
            _ => {}
        }
    }
    None
}

/// Checks one output for what its format must never show: see the module doc.
pub fn check(output: &Output) -> Result<(), String> {
    let fail = |what: String| Err(format!("{}: {what}", output.name));
    let text = &output.text;
    match output.format {
        Format::Json => {
            if let Err(e) = serde_json::from_str::<serde_json::Value>(text) {
                return fail(format!("does not parse as JSON: {e}"));
            }
        }
        Format::Csv => {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(text.as_bytes());
            let mut width = None;
            for (row, record) in reader.records().enumerate() {
                let record = match record {
                    Ok(r) => r,
                    Err(e) => return fail(format!("row {row} does not parse as CSV: {e}")),
                };
                if *width.get_or_insert(record.len()) != record.len() {
                    return fail(format!(
                        "row {row} has {} cells, the header {}",
                        record.len(),
                        width.unwrap_or_default()
                    ));
                }
                for cell in &record {
                    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                        return fail(format!("row {row}: cell {cell:?} would run as a formula"));
                    }
                }
            }
        }
        Format::Markdown | Format::Text => {
            if let Some(ch) = text.chars().find(|&ch| hidden(ch)) {
                return fail(format!("carries the hidden character {ch:?}"));
            }
        }
        Format::Dot => {
            if let Err(e) = graphviz_rust::parse(text) {
                return fail(format!("does not parse as DOT: {e}"));
            }
        }
        Format::Mermaid => {
            // Labels are quoted; user text reaches them as Mermaid entity
            // codes, so a raw quote, tag or hidden character is an injection.
            if let Some(ch) = text.chars().find(|&ch| hidden(ch)) {
                return fail(format!("carries the hidden character {ch:?}"));
            }
            for line in text.lines() {
                // Only the renderer's own markup may open a tag.
                let own = line
                    .replace("<b>", "")
                    .replace("</b>", "")
                    .replace("<br/>", "");
                if own.contains('<') || line.matches('"').count() % 2 != 0 {
                    return fail(format!("a label is broken open: {line}"));
                }
            }
        }
        Format::Svg => {
            // Parsed as XML: user text may appear as text, never as markup.
            let doc = match roxmltree::Document::parse_with_options(
                text,
                roxmltree::ParsingOptions {
                    allow_dtd: true,
                    ..Default::default()
                },
            ) {
                Ok(d) => d,
                Err(e) => return fail(format!("does not parse as XML: {e}")),
            };
            for node in doc.descendants().filter(|n| n.is_element()) {
                let tag = node.tag_name().name().to_lowercase();
                if ["script", "foreignobject", "iframe", "image", "img"].contains(&tag.as_str()) {
                    return fail(format!("carries a <{tag}> element"));
                }
                for attribute in node.attributes() {
                    let name = attribute.name().to_lowercase();
                    let value = attribute.value().trim_start().to_lowercase();
                    if name.starts_with("on") || value.starts_with("javascript:") {
                        return fail(format!("carries the attribute {name}={value:?}"));
                    }
                }
            }
        }
        Format::Html => {
            let lower = text.to_lowercase();
            for tag in ["<img", "<iframe", "<object", "<embed"] {
                if lower.contains(tag) {
                    return fail(format!("carries {tag}"));
                }
            }
            let (open, close) = (
                lower.matches("<script").count(),
                lower.matches("</script").count(),
            );
            if open != close {
                return fail(format!("{open} <script> openings, {close} closings"));
            }
        }
    }
    if output.format == Format::Markdown {
        let lines: Vec<&str> = text.lines().collect();
        let mut columns = None;
        for (i, line) in lines.iter().enumerate() {
            if let Some(at) = raw_angle_bracket(line) {
                return fail(format!("line {}: raw < at byte {at}: {line}", i + 1));
            }
            if !line.starts_with('|') {
                columns = None;
                continue;
            }
            // The first row of a table sets the number of cells.
            let separators = cell_separators(line);
            if *columns.get_or_insert(separators) != separators {
                return fail(format!(
                    "line {}: {separators} cell separators, the table's header has {}: {line}",
                    i + 1,
                    columns.unwrap_or_default()
                ));
            }
        }
    }
    Ok(())
}

/// The shape of each line of a Markdown or text output: what block it
/// starts (a heading, a table row, a list item, a quote) and how many cells
/// it splits into. User text that broke a line or started a block changes
/// the shapes, whatever the text says.
pub fn line_shapes(text: &str) -> Vec<(String, usize)> {
    let mut shapes: Vec<(String, usize)> = text
        .lines()
        .map(|line| {
            // Markdown indentation is spaces and tabs only.
            let trimmed = line.trim_start_matches([' ', '\t']);
            let marker: String = match trimmed.chars().next() {
                Some(c @ ('#' | '|' | '-' | '*' | '+' | '>' | '=')) => {
                    trimmed.chars().take_while(|&x| x == c).collect()
                }
                Some(c) if c.is_ascii_digit() => {
                    let digits = trimmed.chars().take_while(|x| x.is_ascii_digit()).count();
                    match trimmed[digits..].chars().next() {
                        Some(d @ ('.' | ')')) => format!("1{d}"),
                        _ => String::new(),
                    }
                }
                _ => String::new(),
            };
            let cells = if marker == "|" {
                cell_separators(line)
            } else {
                0
            };
            (marker, cells)
        })
        .collect();
    shapes.sort();
    shapes
}

/// A load error as the command line prints it must pass the text checks:
/// the fuzz targets call this on every model that does not load.
pub fn expect_safe_load_error(error: &reachmap::model::LoadError) {
    assert!(
        !error.diagnostics.is_empty(),
        "a load error without diagnostics"
    );
    let output = Output {
        name: "load error".into(),
        format: Format::Text,
        text: error.render(),
    };
    if let Err(problem) = check(&output) {
        panic!("{problem}\n{}", output.text);
    }
}

/// Renders everything and panics on the first output that fails its check.
pub fn expect_safe_outputs(model: &Model, date: Date, baseline: Date) {
    for output in render_all(model, date, baseline) {
        if let Err(problem) = check(&output) {
            panic!("{problem}\n--- output\n{}", output.text);
        }
    }
}
