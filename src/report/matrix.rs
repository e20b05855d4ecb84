//! The country × category reach matrix as a terminal table, Markdown, CSV and JSON.

use std::collections::BTreeSet;

use super::escape;
use crate::model::{Category, CountryCode, Kind};
use crate::reach::{Evaluation, MatrixDoc, Reach};

/// One letter per kind, for the wide views.
pub fn kind_letter(kind: Kind) -> char {
    match kind {
        Kind::Accessed => 'A',
        Kind::Operated => 'O',
        Kind::Seat => 'C',
        Kind::Stored => 'S',
    }
}

pub const LEGEND: &str = "S stored there · O operated by an organisation seated there · A accessed from there · C corporate seat of an accessing organisation";

/// The kinds in the order people read them in: stored and operated first.
pub const DISPLAY_ORDER: [Kind; 4] = [Kind::Stored, Kind::Operated, Kind::Accessed, Kind::Seat];

fn cell(r: &Reach) -> String {
    DISPLAY_ORDER
        .iter()
        .filter(|k| r.kinds.contains(k))
        .map(|&k| kind_letter(k))
        .collect()
}

/// Countries as columns, home first; categories that something reaches as rows.
fn grid<'e>(
    evaluation: &'e Evaluation,
    reach: &[Reach],
) -> (Vec<CountryCode>, Vec<(&'e Category, Vec<String>)>) {
    let model = evaluation.model();
    let home = model.info.home;
    let mut countries: Vec<CountryCode> = reach
        .iter()
        .map(|r| r.country)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    countries.sort_by_key(|&c| (c != home, c));
    let mut rows = Vec::new();
    for (i, category) in model.categories.iter().enumerate() {
        let cells: Vec<String> = countries
            .iter()
            .map(|&k| {
                reach
                    .iter()
                    .find(|r| r.country == k && r.category.0 as usize == i)
                    .map(cell)
                    .unwrap_or_default()
            })
            .collect();
        if cells.iter().any(|c| !c.is_empty()) {
            rows.push((category, cells));
        }
    }
    (countries, rows)
}

/// A plain-text table for the terminal.
pub fn table(evaluation: &Evaluation, reach: &[Reach]) -> String {
    let model = evaluation.model();
    let (countries, rows) = grid(evaluation, reach);
    let mut out = format!(
        "{} — reach on {} (home {})\n\n",
        escape::text(&model.info.name),
        evaluation.date(),
        model.info.home
    );
    if rows.is_empty() {
        out.push_str("No country reaches any category on this date.\n");
        return out;
    }
    let rows: Vec<(String, Vec<String>)> = rows
        .into_iter()
        .map(|(category, cells)| (escape::text(&category.id), cells))
        .collect();
    let width = rows
        .iter()
        .map(|(id, _)| id.chars().count())
        .max()
        .unwrap_or(8)
        .max(8);
    let headers: Vec<String> = countries
        .iter()
        .map(|&c| {
            if c == model.info.home {
                format!("{c}*")
            } else {
                c.to_string()
            }
        })
        .collect();
    let col = |h: &String| h.len().max(4);
    out.push_str(&format!("{:width$}", "category"));
    for h in &headers {
        out.push_str(&format!("  {:<w$}", h, w = col(h)));
    }
    out.push('\n');
    for (id, cells) in &rows {
        out.push_str(&format!("{id:width$}"));
        for (c, h) in cells.iter().zip(&headers) {
            out.push_str(&format!(
                "  {:<w$}",
                if c.is_empty() { "·" } else { c },
                w = col(h)
            ));
        }
        out.push('\n');
    }
    out.push_str(&format!("\n* home country. {LEGEND}.\n"));
    // Cells are padded to align; the last column needs no padding.
    out.lines().map(|l| format!("{}\n", l.trim_end())).collect()
}

/// A Markdown table, countries as columns.
pub fn markdown(evaluation: &Evaluation, reach: &[Reach]) -> String {
    let model = evaluation.model();
    let (countries, rows) = grid(evaluation, reach);
    let mut out = format!(
        "# Reach matrix: {}\n\nEvaluated on {}. Home country: {}.\n\n",
        escape::markdown(&model.info.name),
        evaluation.date(),
        model.info.home
    );
    if rows.is_empty() {
        out.push_str("No country reaches any category on this date.\n");
        return out;
    }
    out.push_str("| Category |");
    for &c in &countries {
        let name = model.country_info(c, evaluation.date()).name;
        let home = if c == model.info.home { " (home)" } else { "" };
        out.push_str(&format!(" {} ({c}){home} |", escape::markdown(&name)));
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(countries.len()));
    out.push('\n');
    for (category, cells) in &rows {
        out.push_str(&format!(
            "| {} ({}) |",
            escape::markdown(&category.name),
            escape::markdown_code(&category.id)
        ));
        for c in cells {
            out.push_str(&format!(" {c} |"));
        }
        out.push('\n');
    }
    out.push_str(&format!("\n{LEGEND}.\n"));
    out
}

/// One row per reached pair, as in the JSON, with formula-safe cells.
pub fn csv(evaluation: &Evaluation, reach: &[Reach]) -> String {
    let doc = MatrixDoc::new(evaluation, reach);
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(["country", "category", "foreign", "kinds", "path"]);
    for row in &doc.reach {
        let kinds: Vec<&str> = row.kinds.iter().map(|k| k.as_str()).collect();
        let _ = writer.write_record([
            escape::csv_cell(&row.country),
            escape::csv_cell(&row.category),
            row.foreign.to_string(),
            kinds.join(";"),
            escape::csv_cell(&row.path.join(" > ")),
        ]);
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The JSON of SPEC §4, pretty-printed, with a final newline.
pub fn json(evaluation: &Evaluation, reach: &[Reach]) -> String {
    let mut s =
        serde_json::to_string_pretty(&MatrixDoc::new(evaluation, reach)).unwrap_or_default();
    s.push('\n');
    s
}
