//! A diff and a timeline as Markdown for people and JSON for machines.
//!
//! The Markdown groups reach changes by country and says them in words
//! ("China (CN) no longer reaches: …"), with the kinds before and after, so a
//! summary for a regulator can be pasted from it.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Diff, EntityDiff, EntityItem, ReachDiff, TimelineStep};
use crate::model::{CountryCode, Date, Kind, Model};
use crate::report::escape;

/// An id as inline code; a backtick or line break in it cannot end the span.
fn code(id: &str) -> String {
    let id: String = id
        .chars()
        .map(|c| match c {
            '`' => '\'',
            '\n' | '\r' => ' ',
            other => other,
        })
        .collect();
    format!("`{id}`")
}

fn category_label(name: &str, id: &str) -> String {
    format!("{} ({})", escape::markdown(name), code(id))
}

fn kinds_text(kinds: &[Kind]) -> String {
    if kinds.is_empty() {
        return "none".to_string();
    }
    kinds
        .iter()
        .map(|k| k.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// One sentence per country and change of kinds, foreign countries first
/// (by code), the home country last.
pub fn reach_lines(reach: &ReachDiff, home: CountryCode) -> Vec<String> {
    // Per country: its name, then (kinds before, kinds after) -> categories.
    type Groups = BTreeMap<(Vec<Kind>, Vec<Kind>), Vec<String>>;
    let mut countries: BTreeMap<(bool, CountryCode), (String, Groups)> = BTreeMap::new();
    let mut add = |country: CountryCode, name: &str, before: &[Kind], after: &[Kind], cat| {
        countries
            .entry((country == home, country))
            .or_insert_with(|| (escape::markdown(name), Groups::new()))
            .1
            .entry((before.to_vec(), after.to_vec()))
            .or_default()
            .push(cat);
    };
    for r in &reach.removed {
        let cat = category_label(&r.category_name, &r.category);
        add(r.country, &r.country_name, &r.kinds, &[], cat);
    }
    for r in &reach.changed {
        let cat = category_label(&r.category_name, &r.category);
        add(
            r.country,
            &r.country_name,
            &r.kinds_before,
            &r.kinds_after,
            cat,
        );
    }
    for r in &reach.added {
        let cat = category_label(&r.category_name, &r.category);
        add(r.country, &r.country_name, &[], &r.kinds, cat);
    }
    let mut lines = Vec::new();
    for ((is_home, country), (name, groups)) in countries {
        let who = format!("{name} ({country}{})", if is_home { ", home" } else { "" });
        // Losses first, then changes, then gains: the order a reviewer asks in.
        let mut ordered: Vec<_> = groups.into_iter().collect();
        ordered.sort_by_key(|((before, after), _)| {
            (
                !after.is_empty(),
                before.is_empty(),
                before.clone(),
                after.clone(),
            )
        });
        for ((before, after), cats) in ordered {
            let verb = match (before.is_empty(), after.is_empty()) {
                (false, true) => "no longer reaches",
                (true, false) => "now reaches",
                _ => "reaches differently",
            };
            lines.push(format!(
                "{who} {verb}: {} — {} → {}.",
                cats.join(", "),
                kinds_text(&before),
                kinds_text(&after)
            ));
        }
    }
    lines
}

/// The reach part of a diff as Markdown: which countries stop or start
/// reaching anything, then [`reach_lines`] as a list.
pub fn reach_markdown(reach: &ReachDiff, home: CountryCode) -> String {
    let mut out = String::new();
    // A country that stops reaching anything has removed pairs, one that
    // starts has added pairs; their names come with those.
    let names: BTreeMap<CountryCode, &str> = reach
        .removed
        .iter()
        .chain(&reach.added)
        .map(|r| (r.country, r.country_name.as_str()))
        .collect();
    let listed = |codes: &[CountryCode]| {
        codes
            .iter()
            .map(|c| match names.get(c) {
                Some(name) => format!("{} ({c})", escape::markdown(name)),
                None => c.to_string(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !reach.countries_gone.is_empty() {
        out.push_str(&format!(
            "No longer reaching any category: {}.\n",
            listed(&reach.countries_gone)
        ));
    }
    if !reach.countries_new.is_empty() {
        out.push_str(&format!(
            "Reaching categories where before they reached none: {}.\n",
            listed(&reach.countries_new)
        ));
    }
    if !out.is_empty() {
        out.push('\n');
    }
    for line in reach_lines(reach, home) {
        out.push_str(&format!("- {line}\n"));
    }
    out
}

fn window_text(item: &EntityItem) -> String {
    match (&item.since, &item.until) {
        (Some(s), Some(u)) => format!(" (since {s}, until {u})"),
        (Some(s), None) => format!(" (since {s})"),
        (None, Some(u)) => format!(" (until {u})"),
        (None, None) => String::new(),
    }
}

fn entity_line(item: &EntityItem) -> String {
    let id = item
        .id
        .as_deref()
        .map(|id| format!(" {}", code(id)))
        .unwrap_or_default();
    format!(
        "- {}{id}: {}{}\n",
        item.entity.as_str(),
        escape::markdown(&item.description),
        window_text(item)
    )
}

fn entities_markdown(entities: &EntityDiff, gone: &str, new: &str, out: &mut String) {
    for (title, items) in [(gone, &entities.removed), (new, &entities.added)] {
        if items.is_empty() {
            continue;
        }
        out.push_str(&format!("{title}:\n\n"));
        for item in items {
            out.push_str(&entity_line(item));
        }
        out.push('\n');
    }
    if !entities.changed.is_empty() {
        out.push_str("Written differently:\n\n");
        for change in &entities.changed {
            let id = change
                .id
                .as_deref()
                .map(|id| format!(" {}", code(id)))
                .unwrap_or_default();
            let fields: Vec<String> = change
                .fields
                .iter()
                .map(|f| {
                    let shown = |v: &str| {
                        if v.is_empty() {
                            "(not set)".to_string()
                        } else {
                            escape::markdown(v)
                        }
                    };
                    format!("{} {} → {}", f.field, shown(&f.before), shown(&f.after))
                })
                .collect();
            out.push_str(&format!(
                "- {}{id}: {}; {}\n",
                change.entity.as_str(),
                escape::markdown(&change.description),
                fields.join("; ")
            ));
        }
        out.push('\n');
    }
}

fn side_text(side: &super::Side) -> String {
    format!("{} on {}", escape::markdown(&side.model), side.as_of)
}

/// `diff --format md`.
pub fn markdown(diff: &Diff) -> String {
    let title = if diff.before.model == diff.after.model {
        escape::markdown(&diff.before.model)
    } else {
        format!(
            "{} → {}",
            escape::markdown(&diff.before.model),
            escape::markdown(&diff.after.model)
        )
    };
    let mut out = format!(
        "# Reach diff: {title}\n\n- Before: {}\n- After: {}\n\n## Reach\n\n",
        side_text(&diff.before),
        side_text(&diff.after)
    );
    if diff.reach.is_empty() {
        out.push_str("No change: every country reaches the same categories by the same kinds.\n\n");
    } else {
        out.push_str(&reach_markdown(&diff.reach, diff.after.home));
        out.push_str(
            "\nKinds: stored (the data rests there), operated (a system's operator is seated there), \
             accessed (people there can read it), seat (an accessing organisation is seated there).\n\n",
        );
    }
    out.push_str("## Entries\n\n");
    if diff.entities.is_empty() {
        out.push_str("No organisation, system, flow, access or contract in force differs.\n");
        return out;
    }
    out.push_str(
        "The organisations, systems, flows, accesses and contracts that explain the change.\n\n",
    );
    entities_markdown(
        &diff.entities,
        "In force before, not after (ended or removed)",
        "In force after, not before (started or added)",
        &mut out,
    );
    out
}

/// `diff --format json`: SPEC §4 (`added`, `removed`, `changed`) plus
/// `before`, `after` and `entities`.
pub fn json(diff: &Diff) -> String {
    let mut s = serde_json::to_string_pretty(diff).unwrap_or_default();
    s.push('\n');
    s
}

fn range_text(from: Option<Date>, to: Option<Date>) -> String {
    match (from, to) {
        (Some(f), Some(t)) => format!(" after {f} and up to {t}"),
        (Some(f), None) => format!(" after {f}"),
        (None, Some(t)) => format!(" up to {t}"),
        (None, None) => String::new(),
    }
}

/// `timeline --format md`: one section per date on which the reach changes.
pub fn timeline_markdown(
    model: &Model,
    from: Option<Date>,
    to: Option<Date>,
    steps: &[TimelineStep],
) -> String {
    let mut out = format!(
        "# Timeline: {}\n\nThe dates on which the reach changes{}, found among the `since` and `until` \
         dates of the model. Each date is compared with the day before; `until` is exclusive, so an \
         entry with `until = D` no longer applies on D.\n\n",
        escape::markdown(&model.info.name),
        range_text(from, to)
    );
    if steps.is_empty() {
        out.push_str("The reach does not change in this period.\n");
        return out;
    }
    for step in steps {
        out.push_str(&format!("## {}\n\n", step.date));
        out.push_str(&reach_markdown(&step.diff.reach, model.info.home));
        out.push('\n');
        entities_markdown(&step.diff.entities, "Ends", "Starts", &mut out);
    }
    out
}

#[derive(Serialize)]
struct TimelineDoc<'a> {
    model: &'a str,
    from: Option<String>,
    to: Option<String>,
    steps: Vec<StepDoc<'a>>,
}

#[derive(Serialize)]
struct StepDoc<'a> {
    date: String,
    #[serde(flatten)]
    reach: &'a ReachDiff,
    entities: &'a EntityDiff,
}

/// `timeline --format json`: `{"model", "from", "to", "steps": [{"date",
/// "added", "removed", "changed", "entities"}]}`, items as in `diff`.
pub fn timeline_json(
    model: &Model,
    from: Option<Date>,
    to: Option<Date>,
    steps: &[TimelineStep],
) -> String {
    let doc = TimelineDoc {
        model: &model.info.name,
        from: from.map(|d| d.to_string()),
        to: to.map(|d| d.to_string()),
        steps: steps
            .iter()
            .map(|s| StepDoc {
                date: s.date.to_string(),
                reach: &s.diff.reach,
                entities: &s.diff.entities,
            })
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
