//! The sub-processor list for customers, in the columns such lists are
//! published with: entity, purpose, where processed, corporate seat, the data,
//! the chain of contracts from the controller, the transfer basis, and since
//! when. One row per organisation other than a controller that handles
//! personal data on the date (access, operation, storage) or receives a
//! contract that applies on it.

use std::collections::BTreeSet;

use super::escape::{self, markdown as md};
use super::handling::{Handling, Unit};
use super::lang::{self, Lang};
use crate::model::{CategorySet, Date, OrgIdx};

/// One row, as plain text; each format escapes it.
struct Row {
    entity: String,
    id: String,
    role: String,
    seat: String,
    where_processed: Vec<String>,
    systems: Vec<String>,
    purposes: Vec<String>,
    categories: Vec<String>,
    relationship: String,
    chain: String,
    transfer_basis: Vec<String>,
    since: Option<Date>,
    last_day: Option<Date>,
}

fn rows(h: &Handling) -> Vec<Row> {
    let model = h.model();
    let date = h.evaluation.date();
    let country = |c| format!("{} ({c})", model.country_info(c, date).name);
    let mut rows: Vec<Row> = h
        .processors()
        .into_iter()
        .map(|(org, units)| {
            let o = model.organisation(org);
            // Where its people work from, and where the systems it runs are.
            let where_processed: BTreeSet<_> = units
                .iter()
                .map(|u| match u.access(model) {
                    Some(a) => a.from_country,
                    None => model.system(u.system).country,
                })
                .collect();
            let systems: BTreeSet<_> = units.iter().map(|u| u.system).collect();
            let mut categories = CategorySet::empty(model.categories.len());
            for u in &units {
                categories.union_with(&u.categories);
            }
            let mut purposes: Vec<String> = h.contract_purposes(org);
            purposes.extend(units.iter().flat_map(|u| h.purposes(u)));
            purposes.sort();
            purposes.dedup();
            let (since, last_day) = span(h, org, &units);
            Row {
                entity: o.name.clone(),
                id: o.id.clone(),
                role: o.role.as_str().to_string(),
                seat: country(o.country),
                where_processed: where_processed.into_iter().map(&country).collect(),
                systems: systems
                    .into_iter()
                    .map(|s| {
                        let system = model.system(s);
                        format!("{} ({}, {})", system.name, system.id, system.country)
                    })
                    .collect(),
                purposes,
                categories: categories
                    .iter()
                    .map(|c| {
                        let category = model.category(c);
                        format!("{} ({})", category.name, category.id)
                    })
                    .collect(),
                relationship: h.relation_words(org, Lang::En),
                chain: h.chain_words(org, Lang::En),
                transfer_basis: h.transfer_bases(org),
                since,
                last_day,
            }
        })
        .collect();
    rows.sort_by(|a, b| (a.entity.to_lowercase(), &a.id).cmp(&(b.entity.to_lowercase(), &b.id)));
    rows
}

/// The first and last day on record. The start is known only when every
/// entry that makes the organisation a sub-processor has one (the accesses
/// and operated systems; the contracts when it reads nothing itself), and
/// likewise the end.
fn span(h: &Handling, org: OrgIdx, units: &[&Unit]) -> (Option<Date>, Option<Date>) {
    let model = h.model();
    let windows: Vec<_> = if units.is_empty() {
        h.contracts_to(org)
            .into_iter()
            .map(|c| model.contracts[c].window)
            .collect()
    } else {
        units.iter().map(|u| u.window(model)).collect()
    };
    let since = windows
        .iter()
        .map(|w| w.since)
        .collect::<Option<Vec<_>>>()
        .and_then(|v| v.into_iter().min());
    let last = windows
        .iter()
        .map(|w| w.until)
        .collect::<Option<Vec<_>>>()
        .and_then(|v| v.into_iter().max())
        .and_then(|u| u.yesterday().ok());
    (since, last)
}

const NONE: &str = "none recorded";

fn or_none(items: &[String]) -> String {
    if items.is_empty() {
        NONE.into()
    } else {
        items.join("; ")
    }
}

/// The list as a Markdown table.
pub fn markdown(h: &Handling) -> String {
    let model = h.model();
    let rows = rows(h);
    let mut out = format!(
        "# Sub-processors: {}\n\nStatus on {}. Every organisation other than the controller that handles personal data on that date (through an access, or by running a system that holds it), or that receives a contract applying on that date. \"Where processed\" is where its people work from and where the systems it runs are; the chain of contracts runs from the controller. Free text is quoted from the model.\n\n",
        md(&model.info.name),
        h.evaluation.date()
    );
    if rows.is_empty() {
        out.push_str(
            "No organisation other than the controller handles personal data on this date.\n",
        );
        return out;
    }
    out.push_str("| Entity | Purpose | Where processed | Corporate seat | Personal data | Chain of contracts | Transfer basis | Since |\n");
    out.push_str("|---|---|---|---|---|---|---|---|\n");
    for r in &rows {
        let relationship = if r.relationship == "no contract recorded" {
            format!("**{}**", r.relationship)
        } else {
            md(&r.relationship)
        };
        let where_processed = if r.where_processed.is_empty() {
            "no handling on this date in the model".to_string()
        } else {
            md(&r.where_processed.join("; "))
        };
        let systems = if r.systems.is_empty() {
            String::new()
        } else {
            format!(" — {}", md(&r.systems.join("; ")))
        };
        out.push_str(&format!(
            "| {} ({}; {}, {relationship}) | {} | {where_processed}{systems} | {} | {} | {} | {} | {} |\n",
            md(&r.entity),
            escape::markdown_code(&r.id),
            md(&r.role),
            md(&or_none(&r.purposes)),
            md(&r.seat),
            md(&or_none(&r.categories)),
            md(&r.chain),
            md(&or_none(&r.transfer_basis)),
            r.since
                .map(|d| lang::date(Lang::En, d))
                .unwrap_or_else(|| "not recorded".into()),
        ));
    }
    out
}

/// The list as CSV, one row per organisation; list cells separate items
/// with "; " and dates are `YYYY-MM-DD` (empty when not recorded).
pub fn csv(h: &Handling) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record([
        "Entity",
        "Id",
        "Role",
        "Corporate seat",
        "Where processed",
        "Systems",
        "Purpose",
        "Personal data",
        "Relationship",
        "Chain of contracts",
        "Transfer basis",
        "Since",
        "Last day",
    ]);
    for r in rows(h) {
        let cells = [
            r.entity,
            r.id,
            r.role,
            r.seat,
            r.where_processed.join("; "),
            r.systems.join("; "),
            or_none(&r.purposes),
            or_none(&r.categories),
            r.relationship,
            r.chain,
            or_none(&r.transfer_basis),
            r.since.map(|d| d.to_string()).unwrap_or_default(),
            r.last_day.map(|d| d.to_string()).unwrap_or_default(),
        ];
        let _ = writer.write_record(cells.iter().map(|c| escape::csv_cell(c)));
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}
