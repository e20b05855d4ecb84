//! The entry part of a diff: organisations, systems, flows, accesses and
//! contracts in force on one side and not the other, or written differently,
//! so a reviewer sees why the reach changed.
//!
//! An entry is in force on a side when it takes part in that side's
//! evaluation: its window applies (and, for flows and accesses, the systems
//! and organisation they connect are in force too). So one model on two dates
//! shows the entries that start or end in between, and two models show what
//! was added, removed or edited. Entries are matched by section and id;
//! entries without an id by what they connect (`line-plus → kr-media`).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{CategoryIdx, Model, Window};
use crate::reach::Evaluation;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityType {
    Organisation,
    System,
    Flow,
    Access,
    Contract,
}

impl EntityType {
    pub fn as_str(self) -> &'static str {
        match self {
            EntityType::Organisation => "organisation",
            EntityType::System => "system",
            EntityType::Flow => "flow",
            EntityType::Access => "access",
            EntityType::Contract => "contract",
        }
    }

    /// The prefix `--without` takes for this section.
    pub fn prefix(self) -> &'static str {
        match self {
            EntityType::Organisation => "org",
            other => other.as_str(),
        }
    }
}

/// An entry in force on one side only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntityItem {
    #[serde(rename = "type")]
    pub entity: EntityType,
    /// The entry's id; accesses, flows and contracts may have none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// What the entry says, in one line, with ids.
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
}

/// One key whose value differs between the sides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: &'static str,
    pub before: String,
    pub after: String,
}

/// An entry in force on both sides and written differently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntityChange {
    #[serde(rename = "type")]
    pub entity: EntityType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The after side's description.
    pub description: String,
    pub fields: Vec<FieldChange>,
}

/// Sorted by section (organisations, systems, flows, accesses, contracts),
/// then by id or, for entries without one, by what they connect.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EntityDiff {
    pub added: Vec<EntityItem>,
    pub removed: Vec<EntityItem>,
    pub changed: Vec<EntityChange>,
}

impl EntityDiff {
    pub fn between(before: &Evaluation, after: &Evaluation) -> EntityDiff {
        let old = snapshot(before);
        let new = snapshot(after);
        let mut diff = EntityDiff::default();
        for (key, was) in &old {
            match new.get(key) {
                None => diff.removed.push(was.item(key.0)),
                Some(is) => {
                    let fields: Vec<FieldChange> = was
                        .fields
                        .iter()
                        .zip(&is.fields)
                        .filter(|((_, a), (_, b))| a != b)
                        .map(|((field, a), (_, b))| FieldChange {
                            field,
                            before: a.clone(),
                            after: b.clone(),
                        })
                        .collect();
                    if !fields.is_empty() {
                        diff.changed.push(EntityChange {
                            entity: key.0,
                            id: is.id.clone(),
                            description: is.description.clone(),
                            fields,
                        });
                    }
                }
            }
        }
        for (key, is) in &new {
            if !old.contains_key(key) {
                diff.added.push(is.item(key.0));
            }
        }
        diff
    }

    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// One entry as compared: every key that matters for reach and disclosure,
/// rendered as text. Notes and sources are left out: they explain, they do
/// not change what anyone can reach.
struct Entry {
    id: Option<String>,
    description: String,
    window: Window,
    fields: Vec<(&'static str, String)>,
}

impl Entry {
    fn item(&self, entity: EntityType) -> EntityItem {
        EntityItem {
            entity,
            id: self.id.clone(),
            description: self.description.clone(),
            since: self.window.since.map(|d| d.to_string()),
            until: self.window.until.map(|d| d.to_string()),
        }
    }
}

/// Category ids as written, or `unset` when the key is absent (which means
/// everything the source holds for flows and accesses, no limit for contracts).
fn categories(model: &Model, named: &[CategoryIdx], absent: bool, unset: &str) -> String {
    if absent {
        return unset.to_string();
    }
    named
        .iter()
        .map(|&c| model.category(c).id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn date_text(date: Option<jiff::civil::Date>) -> String {
    date.map(|d| d.to_string()).unwrap_or_default()
}

/// Adds an entry under its id, or under what it connects when it has no id;
/// a repeated connection gets `#2`, `#3` in model order.
fn insert(
    map: &mut BTreeMap<(EntityType, String), Entry>,
    entity: EntityType,
    connects: String,
    mut entry: Entry,
) {
    entry.fields.push(("since", date_text(entry.window.since)));
    entry.fields.push(("until", date_text(entry.window.until)));
    let key = match &entry.id {
        Some(id) => id.clone(),
        None => {
            let mut key = connects.clone();
            let mut n = 1;
            while map.contains_key(&(entity, key.clone())) {
                n += 1;
                key = format!("{connects} #{n}");
            }
            key
        }
    };
    map.insert((entity, key), entry);
}

fn snapshot(evaluation: &Evaluation) -> BTreeMap<(EntityType, String), Entry> {
    let model = evaluation.model();
    let date = evaluation.date();
    let org = |o: crate::model::OrgIdx| model.organisation(o).id.clone();
    let system = |s: crate::model::SystemIdx| model.system(s).id.clone();
    let mut map = BTreeMap::new();

    for o in model
        .organisations
        .iter()
        .filter(|o| o.window.applies(date))
    {
        let parent = o.parent.map(org).unwrap_or_default();
        insert(
            &mut map,
            EntityType::Organisation,
            String::new(),
            Entry {
                id: Some(o.id.clone()),
                description: format!("{} ({}, {})", o.name, o.country, o.role.as_str()),
                window: o.window,
                fields: vec![
                    ("name", o.name.clone()),
                    ("country", o.country.to_string()),
                    ("role", o.role.as_str().to_string()),
                    ("parent", parent),
                ],
            },
        );
    }
    for (i, s) in model.systems.iter().enumerate() {
        if !evaluation.system_active(crate::model::SystemIdx(i as u32)) {
            continue;
        }
        let holds = categories(model, &s.holds_named, false, "");
        insert(
            &mut map,
            EntityType::System,
            String::new(),
            Entry {
                id: Some(s.id.clone()),
                description: format!(
                    "{}, in {}, operated by {}{}: {holds}",
                    s.name,
                    s.country,
                    org(s.operator),
                    if s.operator_access {
                        ""
                    } else {
                        " (who cannot read it)"
                    }
                ),
                window: s.window,
                fields: vec![
                    ("name", s.name.clone()),
                    ("country", s.country.to_string()),
                    ("operator", org(s.operator)),
                    ("operator_access", s.operator_access.to_string()),
                    ("holds", holds),
                ],
            },
        );
    }
    for f in evaluation.active_flows() {
        let flow = &model.flows[f];
        let carried = categories(
            model,
            &flow.categories_named,
            flow.categories.is_none(),
            "everything it holds",
        );
        let connects = format!("{} → {}", system(flow.from), system(flow.to));
        insert(
            &mut map,
            EntityType::Flow,
            connects.clone(),
            Entry {
                id: flow.id.clone(),
                description: format!("{connects}: {carried}"),
                window: flow.window,
                fields: vec![
                    ("from", system(flow.from)),
                    ("to", system(flow.to)),
                    ("categories", carried),
                    ("purpose", flow.purpose.clone().unwrap_or_default()),
                ],
            },
        );
    }
    for &a in evaluation.active_accesses() {
        let access = &model.accesses[a];
        let reads = categories(
            model,
            &access.categories_named,
            access.categories.is_none(),
            "everything it holds",
        );
        let connects = format!("{} → {}", org(access.who), system(access.to));
        insert(
            &mut map,
            EntityType::Access,
            connects,
            Entry {
                id: access.id.clone(),
                description: format!(
                    "{} reads {} from {}: {reads}",
                    org(access.who),
                    system(access.to),
                    access.from_country
                ),
                window: access.window,
                fields: vec![
                    ("who", org(access.who)),
                    ("to", system(access.to)),
                    ("from_country", access.from_country.to_string()),
                    ("categories", reads),
                    (
                        "mode",
                        access
                            .mode
                            .map(|m| m.as_str().to_string())
                            .unwrap_or_default(),
                    ),
                    ("purpose", access.purpose.clone().unwrap_or_default()),
                ],
            },
        );
    }
    for c in model.contracts.iter().filter(|c| c.window.applies(date)) {
        let covers = categories(
            model,
            &c.categories_named,
            c.categories.is_none(),
            "all categories",
        );
        let connects = format!("{} → {}", org(c.from), org(c.to));
        insert(
            &mut map,
            EntityType::Contract,
            format!("{connects} {}", c.kind.as_str()),
            Entry {
                id: c.id.clone(),
                description: format!(
                    "{} {connects}{}",
                    c.kind.as_str(),
                    c.purpose
                        .as_deref()
                        .map(|p| format!(": {p}"))
                        .unwrap_or_default()
                ),
                window: c.window,
                fields: vec![
                    ("from", org(c.from)),
                    ("to", org(c.to)),
                    ("kind", c.kind.as_str().to_string()),
                    ("categories", covers),
                    ("purpose", c.purpose.clone().unwrap_or_default()),
                    (
                        "transfer_basis",
                        c.transfer_basis.clone().unwrap_or_default(),
                    ),
                ],
            },
        );
    }
    map
}
