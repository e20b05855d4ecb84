//! A record of processing activities in the shape of GDPR Art. 30(1), as
//! CSV: one row per purpose (the model's nearest thing to a processing
//! activity), with the columns (a) to (g). What the model cannot know
//! (contacts, data subjects, erasure periods) is said to be missing rather
//! than left blank, so a reviewer sees what to fill in.

use std::collections::{BTreeMap, BTreeSet};

use super::escape;
use super::handling::{Handling, Unit};
use crate::model::{CategorySet, CountryCode, Kind, Role};

const MISSING: &str = "not recorded in the model";

/// The column headers, in order.
pub const HEADERS: [&str; 11] = [
    "Art. 30(1)(a) Controller",
    "Art. 30(1)(b) Purpose of the processing",
    "Art. 30(1)(c) Categories of data subjects",
    "Art. 30(1)(c) Categories of personal data",
    "Art. 30(1)(d) Categories of recipients",
    "Art. 30(1)(e) Transfers to third countries and safeguards",
    "Art. 30(1)(f) Time limits for erasure",
    "Art. 30(1)(g) Technical and organisational security measures",
    "Systems (where the data is held)",
    "Home country",
    "Status on",
];

/// The purposes a unit serves. A system stored or operated by a controller
/// serves no recorded purpose (systems have none of their own); one run by
/// another organisation serves the purposes of the contracts to it.
fn purposes(h: &Handling, u: &Unit) -> Vec<String> {
    let model = h.model();
    if u.access(model).is_none() && model.organisation(u.org).role == Role::Controller {
        return Vec::new();
    }
    h.purposes(u)
}

/// The record as CSV.
pub fn csv(h: &Handling) -> String {
    let model = h.model();
    let date = h.evaluation.date();
    // Purpose (None: not recorded) -> units. BTreeMap puts None first; it is
    // moved last below, after the named activities.
    let mut activities: BTreeMap<Option<String>, Vec<&Unit>> = BTreeMap::new();
    for u in &h.units {
        let list = purposes(h, u);
        if list.is_empty() {
            activities.entry(None).or_default().push(u);
        }
        for p in list {
            activities.entry(Some(p)).or_default().push(u);
        }
    }
    let mut ordered: Vec<(Option<String>, Vec<&Unit>)> = activities.into_iter().collect();
    let unrecorded_first = ordered.first().is_some_and(|(p, _)| p.is_none());
    ordered.rotate_left(usize::from(unrecorded_first));

    let controllers: Vec<String> = model
        .organisations
        .iter()
        .filter(|o| o.role == Role::Controller && o.window.applies(date))
        .map(|o| format!("{} ({}, {})", o.name, o.id, o.country))
        .collect();
    let controller_cell = format!(
        "{}; contact details, representative and data protection officer: {MISSING}",
        if controllers.is_empty() {
            model.info.name.clone()
        } else {
            controllers.join("; ")
        }
    );

    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(HEADERS);
    for (purpose, units) in ordered {
        let cells = [
            controller_cell.clone(),
            purpose.unwrap_or_else(|| {
                format!("({MISSING}: storage and operation of the systems listed)")
            }),
            MISSING.to_string(),
            categories(h, &units),
            recipients(h, &units),
            transfers(h, &units),
            MISSING.to_string(),
            measures(h, &units),
            systems(h, &units),
            model.info.home.to_string(),
            date.to_string(),
        ];
        let _ = writer.write_record(cells.iter().map(|c| escape::csv_cell(c)));
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

fn categories(h: &Handling, units: &[&Unit]) -> String {
    let model = h.model();
    let mut set = CategorySet::empty(model.categories.len());
    for u in units {
        set.union_with(&u.categories);
    }
    set.iter()
        .map(|c| {
            let category = model.category(c);
            format!("{} ({})", category.name, category.id)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn recipients(h: &Handling, units: &[&Unit]) -> String {
    let model = h.model();
    let orgs: BTreeSet<_> = units
        .iter()
        .map(|u| u.org)
        .filter(|&o| model.organisation(o).role != Role::Controller)
        .collect();
    if orgs.is_empty() {
        return "none: handled by the controller only".into();
    }
    orgs.into_iter()
        .map(|o| {
            let org = model.organisation(o);
            format!(
                "{}: {} ({}, {}), {}",
                org.role.as_str(),
                org.name,
                org.id,
                org.country,
                h.relation_words(o, super::lang::Lang::En)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Every country other than home the units give reach to, with how, by
/// whom, the transfer bases recorded on the contracts to those
/// organisations, and the country's EU adequacy status.
fn transfers(h: &Handling, units: &[&Unit]) -> String {
    let model = h.model();
    let date = h.evaluation.date();
    let home = model.info.home;
    let mut by_country: BTreeMap<CountryCode, Vec<&Unit>> = BTreeMap::new();
    for u in units.iter().filter(|u| u.country != home) {
        by_country.entry(u.country).or_default().push(u);
    }
    if by_country.is_empty() {
        return format!("none (all handling in {home})");
    }
    by_country
        .into_iter()
        .map(|(country, units)| {
            let info = model.country_info(country, date);
            let kinds: BTreeSet<Kind> = units.iter().map(|u| u.kind).collect();
            let orgs: BTreeSet<_> = units.iter().map(|u| u.org).collect();
            let names: Vec<String> = orgs
                .iter()
                .map(|&o| model.organisation(o).name.clone())
                .collect();
            let bases: BTreeSet<String> = orgs.iter().flat_map(|&o| h.transfer_bases(o)).collect();
            let adequacy = match info.eu_adequacy.as_str() {
                "yes" => "adequacy decision",
                "partial" => "partial adequacy decision (certain recipients only)",
                "eea" => "inside the EEA",
                _ => "no adequacy decision",
            };
            format!(
                "{} ({country}): {} by {}; safeguard recorded: {}; EU: {adequacy}",
                info.name,
                kinds
                    .iter()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                names.join(", "),
                if bases.is_empty() {
                    "none".to_string()
                } else {
                    bases.into_iter().collect::<Vec<_>>().join(", ")
                }
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn measures(h: &Handling, units: &[&Unit]) -> String {
    let controls = h.controls(units.iter().copied());
    if controls.is_empty() {
        "none recorded in the model".into()
    } else {
        controls.join("; ")
    }
}

fn systems(h: &Handling, units: &[&Unit]) -> String {
    let model = h.model();
    units
        .iter()
        .map(|u| u.system)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(|s| {
            let system = model.system(s);
            format!("{} ({}, {})", system.name, system.id, system.country)
        })
        .collect::<Vec<_>>()
        .join("; ")
}
