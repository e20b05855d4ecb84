//! The country view and the before/after view: boxes of categories on one
//! side, countries on the other, an arrow wherever the categories reach the
//! country, labelled with the kinds.
//!
//! Categories that reach the same countries by the same kinds (before and
//! after, for a comparison) and share sensitive-or-not share a box, so the
//! picture is exact while staying small. Categories are keyed by id, so a
//! comparison may span two models.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{CountryCode, Date, Kind, Model, Sensitivity};
use crate::reach::Evaluation;

use super::words::{self, Counted, Grouping, NAMES_PER_LABEL, Phrase, phrase};
use super::{
    Diagram, Edge, EdgeKind, Highlight, Lang, Legend, LegendItem, Node, NodeKind, READABLE_NODES,
    Swatch,
};

type Profile = BTreeMap<CountryCode, Vec<Kind>>;

/// One category's reach, before and after (only `after` for a single date).
struct CategoryReach {
    name: String,
    sensitivity: Sensitivity,
    before: Profile,
    after: Profile,
}

fn profiles(
    evaluation: &Evaluation,
    lang: Lang,
) -> BTreeMap<String, (String, Sensitivity, Profile)> {
    let model = evaluation.model();
    let mut out: BTreeMap<String, (String, Sensitivity, Profile)> = model
        .categories
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let name = words::category_name(model, crate::model::CategoryIdx(i as u32), lang);
            (
                c.id.clone(),
                (name.to_string(), c.sensitivity, Profile::new()),
            )
        })
        .collect();
    for reach in evaluation.matrix() {
        let id = &model.category(reach.category).id;
        if let Some(entry) = out.get_mut(id) {
            entry.2.insert(reach.country, reach.kinds);
        }
    }
    out
}

/// How categories are put in boxes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CategoryLevel {
    SameReach,
    TopLevel,
}

/// What puts two categories in the same box.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum BoxKey<'a> {
    /// Same reach before and after, and both sensitive or both not.
    SameReach(&'a Profile, &'a Profile, bool),
    /// Same first id segment, and both sensitive or both not.
    TopLevel(bool, &'a str),
}

struct CategoryBox {
    members: Vec<String>,
    sensitivities: BTreeSet<Sensitivity>,
    before: Profile,
    after: Profile,
}

fn merge(into: &mut Profile, from: &Profile) {
    for (k, kinds) in from {
        let slot = into.entry(*k).or_default();
        slot.extend(kinds.iter().copied());
        slot.sort();
        slot.dedup();
    }
}

fn boxes(
    categories: &BTreeMap<String, CategoryReach>,
    level: CategoryLevel,
) -> BTreeMap<String, CategoryBox> {
    let mut by_key: BTreeMap<BoxKey, Vec<&String>> = BTreeMap::new();
    for (id, c) in categories {
        if c.before.is_empty() && c.after.is_empty() {
            continue;
        }
        let sensitive = c.sensitivity.is_sensitive();
        let key = match level {
            CategoryLevel::SameReach => BoxKey::SameReach(&c.before, &c.after, sensitive),
            CategoryLevel::TopLevel => {
                BoxKey::TopLevel(sensitive, id.split('.').next().unwrap_or(id))
            }
        };
        by_key.entry(key).or_default().push(id);
    }
    let mut out = BTreeMap::new();
    for (key, members) in by_key {
        // Boxes partition the categories, so a member's id names a box uniquely.
        let id = match key {
            BoxKey::SameReach(..) => format!("categories:{}", members[0]),
            BoxKey::TopLevel(sensitive, top) => {
                format!("categorygroup:{}:{top}", if sensitive { "s" } else { "n" })
            }
        };
        let mut b = CategoryBox {
            members: Vec::new(),
            sensitivities: BTreeSet::new(),
            before: Profile::new(),
            after: Profile::new(),
        };
        for m in members {
            let c = &categories[m];
            b.members.push(m.clone());
            b.sensitivities.insert(c.sensitivity);
            merge(&mut b.before, &c.before);
            merge(&mut b.after, &c.after);
        }
        out.insert(id, b);
    }
    out
}

/// The fewest ids that name a box's members: an id whose every declared
/// descendant is a member stands for them.
fn summarise<'a>(members: &'a [String], declared: &BTreeSet<&str>) -> Vec<&'a String> {
    let set: BTreeSet<&str> = members.iter().map(String::as_str).collect();
    let mut covered: BTreeSet<&str> = BTreeSet::new();
    let mut out = Vec::new();
    // Members are in id order, so an ancestor comes before its descendants.
    for id in members {
        if covered.contains(id.as_str()) {
            continue;
        }
        let prefix = format!("{id}.");
        let descendants: Vec<&str> = declared
            .range::<str, _>((
                std::ops::Bound::Included(prefix.as_str()),
                std::ops::Bound::Unbounded,
            ))
            .take_while(|d| d.starts_with(&prefix))
            .copied()
            .collect();
        if descendants.iter().all(|d| set.contains(d)) {
            covered.extend(descendants);
        }
        out.push(id);
    }
    out
}
/// A view over categories whose reach is known before and after (for a
/// single date, before is empty and `comparing` is false).
struct Input<'a> {
    title: String,
    subtitle: String,
    home: CountryCode,
    categories: BTreeMap<String, CategoryReach>,
    comparing: bool,
    /// For country names.
    model: &'a Model,
    date: Date,
    lang: Lang,
}

pub fn build(evaluation: &Evaluation, lang: Lang) -> Diagram {
    let model = evaluation.model();
    let categories = profiles(evaluation, lang)
        .into_iter()
        .map(|(id, (name, sensitivity, after))| {
            (
                id,
                CategoryReach {
                    name,
                    sensitivity,
                    before: Profile::new(),
                    after,
                },
            )
        })
        .collect();
    draw(Input {
        title: words::titled(&model.info.name, phrase(Phrase::CountriesTitle, lang), lang),
        subtitle: words::dated(
            phrase(Phrase::CountriesSubtitle, lang),
            evaluation.date(),
            lang,
        ),
        home: model.info.home,
        categories,
        comparing: false,
        model,
        date: evaluation.date(),
        lang,
    })
}

pub fn diff(before: &Evaluation, after: &Evaluation, lang: Lang) -> Diagram {
    let mut categories: BTreeMap<String, CategoryReach> = BTreeMap::new();
    for (id, (name, sensitivity, profile)) in profiles(before, lang) {
        categories.insert(
            id,
            CategoryReach {
                name,
                sensitivity,
                before: profile,
                after: Profile::new(),
            },
        );
    }
    for (id, (name, sensitivity, profile)) in profiles(after, lang) {
        let entry = categories.entry(id).or_insert_with(|| CategoryReach {
            name: name.clone(),
            sensitivity,
            before: Profile::new(),
            after: Profile::new(),
        });
        // The later model names and classes a category when both declare it.
        entry.name = name;
        entry.sensitivity = entry.sensitivity.max(sensitivity);
        entry.after = profile;
    }
    let (bm, am) = (before.model(), after.model());
    let title = if bm.info.name == am.info.name {
        words::titled(&am.info.name, phrase(Phrase::DiffTitle, lang), lang)
    } else {
        words::titled(
            &format!("{} → {}", bm.info.name, am.info.name),
            phrase(Phrase::DiffTitle, lang),
            lang,
        )
    };
    let subtitle = format!(
        "{} {} → {} {} · {}",
        phrase(Phrase::Before, lang),
        before.date(),
        phrase(Phrase::After, lang),
        after.date(),
        phrase(Phrase::DiffSubtitle, lang)
    );
    draw(Input {
        title,
        subtitle,
        home: am.info.home,
        categories,
        comparing: true,
        model: am,
        date: after.date(),
        lang,
    })
}

fn draw(input: Input) -> Diagram {
    let lang = input.lang;
    let home = input.home;
    let mut level = CategoryLevel::SameReach;
    let mut cboxes = boxes(&input.categories, level);
    let countries_of = |cboxes: &BTreeMap<String, CategoryBox>| -> BTreeSet<CountryCode> {
        cboxes
            .values()
            .flat_map(|b| b.before.keys().chain(b.after.keys()).copied())
            .collect()
    };
    if cboxes.len() + countries_of(&cboxes).len() > READABLE_NODES {
        let grouped = boxes(&input.categories, CategoryLevel::TopLevel);
        // Only worth it when it makes fewer boxes; many countries are merged below.
        if grouped.len() < cboxes.len() {
            level = CategoryLevel::TopLevel;
            cboxes = grouped;
        }
    }
    let countries = countries_of(&cboxes);

    // Country boxes; past the limit, foreign countries reached identically share one.
    // A country's column: which boxes reach it, how, before and after.
    type Column<'a> = Vec<(&'a String, Option<&'a Vec<Kind>>, Option<&'a Vec<Kind>>)>;
    let column = |k: CountryCode| -> Column {
        cboxes
            .iter()
            .filter_map(|(id, b)| {
                let (x, y) = (b.before.get(&k), b.after.get(&k));
                (x.is_some() || y.is_some()).then_some((id, x, y))
            })
            .collect()
    };
    let merge_countries = cboxes.len() + countries.len() > READABLE_NODES;
    let mut country_box: BTreeMap<CountryCode, String> = BTreeMap::new();
    if merge_countries {
        let mut by_column: BTreeMap<Vec<_>, Vec<CountryCode>> = BTreeMap::new();
        for &k in &countries {
            if k == home {
                country_box.insert(k, format!("country:{k}"));
            } else {
                by_column.entry(column(k)).or_default().push(k);
            }
        }
        for codes in by_column.values() {
            let id = if codes.len() == 1 {
                format!("country:{}", codes[0])
            } else {
                format!("countries:{}", codes[0])
            };
            for &k in codes {
                country_box.insert(k, id.clone());
            }
        }
    } else {
        for &k in &countries {
            country_box.insert(k, format!("country:{k}"));
        }
    }

    let declared: BTreeSet<&str> = input.categories.keys().map(String::as_str).collect();
    let mut truncated = false;
    let mut nodes = Vec::new();
    for (id, b) in &cboxes {
        let names: Vec<String> = match level {
            CategoryLevel::SameReach => summarise(&b.members, &declared)
                .into_iter()
                .map(|m| input.categories[m].name.clone())
                .collect(),
            CategoryLevel::TopLevel => b
                .members
                .iter()
                .map(|m| input.categories[m].name.clone())
                .collect(),
        };
        truncated |= names.len() > NAMES_PER_LABEL + 2;
        let (names, more) = words::limited(names, NAMES_PER_LABEL + 2, lang);
        let mut details: Vec<String> = more.into_iter().collect();
        let special: Vec<&str> = b
            .sensitivities
            .iter()
            .filter(|s| s.is_sensitive())
            .map(|&s| words::sensitivity(s, lang))
            .collect();
        if !special.is_empty() {
            details.push(special.join(" · "));
        }
        if level == CategoryLevel::TopLevel {
            details.push(words::count(b.members.len(), Counted::Category, lang));
        }
        let reaches_abroad = b.after.keys().chain(b.before.keys()).any(|&k| k != home);
        nodes.push(Node {
            id: id.clone(),
            cluster: None,
            kind: NodeKind::Categories(b.members.clone()),
            label: names.join("\n"),
            details,
            highlight: if !input.comparing && reaches_abroad && !special.is_empty() {
                Highlight::Sensitive
            } else {
                Highlight::None
            },
        });
    }

    // Arrows: one per (category box, country box).
    // (box, country) -> (kinds before, kinds after, sensitive categories abroad)
    type Reached = (Vec<Kind>, Vec<Kind>, bool);
    let mut edges: BTreeMap<(String, String), Reached> = BTreeMap::new();
    for (id, b) in &cboxes {
        let sensitive = b.sensitivities.iter().any(|s| s.is_sensitive());
        for (profile, after) in [(&b.before, false), (&b.after, true)] {
            for (k, kinds) in profile {
                let slot = edges
                    .entry((id.clone(), country_box[k].clone()))
                    .or_insert_with(|| (Vec::new(), Vec::new(), false));
                let list = if after { &mut slot.1 } else { &mut slot.0 };
                list.extend(kinds.iter().copied());
                list.sort();
                list.dedup();
                slot.2 |= sensitive && *k != home;
            }
        }
    }
    let mut out_edges = Vec::new();
    for ((from, to), (before, after, sensitive_abroad)) in edges {
        let to_home = to == format!("country:{home}");
        let (kind, label, highlight) = if input.comparing {
            let (label, highlight) = match (before.is_empty(), after.is_empty()) {
                (true, _) => (words::kinds(&after, lang), Highlight::Added),
                (_, true) => (words::kinds(&before, lang), Highlight::Removed),
                _ if before == after => (words::kinds(&after, lang), Highlight::Unchanged),
                _ => (
                    format!(
                        "{} → {}",
                        words::kinds(&before, lang),
                        words::kinds(&after, lang)
                    ),
                    Highlight::Changed,
                ),
            };
            (EdgeKind::Change { before, after }, label, highlight)
        } else {
            let label = words::kinds(&after, lang);
            let highlight = if sensitive_abroad {
                Highlight::Sensitive
            } else if to_home {
                Highlight::Muted
            } else {
                Highlight::None
            };
            (EdgeKind::Reach { kinds: after }, label, highlight)
        };
        out_edges.push(Edge {
            from,
            to,
            kind,
            label: vec![label],
            highlight,
        });
    }

    // Country boxes, the home country first.
    let mut members: BTreeMap<&String, Vec<CountryCode>> = BTreeMap::new();
    for (k, id) in &country_box {
        members.entry(id).or_default().push(*k);
    }
    let mut country_nodes: Vec<Node> = Vec::new();
    for (id, codes) in members {
        let reached_before = cboxes
            .values()
            .any(|b| codes.iter().any(|k| b.before.contains_key(k)));
        let reached_after = cboxes
            .values()
            .any(|b| codes.iter().any(|k| b.after.contains_key(k)));
        let is_home = codes == [home];
        let mut details = Vec::new();
        let label = if let [k] = codes[..] {
            words::country_name(input.model, k, input.date, lang)
        } else {
            let names: Vec<String> = codes.iter().map(|k| k.to_string()).collect();
            details.push(names.join(", "));
            words::count(codes.len(), Counted::Country, lang)
        };
        if is_home {
            details.push(phrase(Phrase::HomeCountry, lang).to_string());
        }
        let sensitive_here = !is_home
            && out_edges
                .iter()
                .any(|e| &e.to == id && e.highlight == Highlight::Sensitive);
        if sensitive_here {
            details.push(phrase(Phrase::SensitiveReach, lang).to_string());
        }
        let highlight = match (input.comparing, reached_before, reached_after) {
            (true, false, true) => Highlight::Added,
            (true, true, false) => Highlight::Removed,
            (false, _, _) if sensitive_here => Highlight::Sensitive,
            _ => Highlight::None,
        };
        country_nodes.push(Node {
            id: id.clone(),
            cluster: None,
            kind: NodeKind::Country {
                code: codes[0],
                home: is_home,
            },
            label,
            details,
            highlight,
        });
    }
    country_nodes.sort_by_key(|n| match n.kind {
        NodeKind::Country { home, code } => (!home, code),
        _ => (true, home),
    });
    nodes.extend(country_nodes);

    let mut notes = vec![phrase(Phrase::SameReachNote, lang).to_string()];
    if level == CategoryLevel::TopLevel {
        notes = vec![words::aggregated_note(
            words::plural(Counted::Category, lang),
            Grouping::TopCategory,
            lang,
        )];
    }
    if merge_countries {
        notes.push(words::aggregated_note(
            words::plural(Counted::Country, lang),
            Grouping::SameReach,
            lang,
        ));
    }
    if truncated {
        notes.push(phrase(Phrase::LabelLimitNote, lang).to_string());
    }
    let legend = Legend {
        items: legend_items(&nodes, &out_edges, lang),
        notes,
    };
    Diagram {
        title: input.title,
        subtitle: input.subtitle,
        lang,
        clusters: Vec::new(),
        nodes,
        edges: out_edges,
        legend,
    }
}

fn legend_items(nodes: &[Node], edges: &[Edge], lang: Lang) -> Vec<LegendItem> {
    let mut items = Vec::new();
    let mut item = |swatch: Swatch, p: Phrase| {
        items.push(LegendItem {
            swatch,
            text: phrase(p, lang).to_string(),
        })
    };
    let any_node = |f: &dyn Fn(&Node) -> bool| nodes.iter().any(f);
    if any_node(&|n| matches!(n.kind, NodeKind::Categories(_))) {
        item(
            Swatch::Node(NodeKind::Categories(Vec::new()), Highlight::None),
            Phrase::LegendCategories,
        );
    }
    let home = CountryCode::UNKNOWN;
    if any_node(&|n| matches!(n.kind, NodeKind::Country { home: true, .. })) {
        item(
            Swatch::Node(
                NodeKind::Country {
                    code: home,
                    home: true,
                },
                Highlight::None,
            ),
            Phrase::LegendHome,
        );
    }
    if any_node(&|n| matches!(n.kind, NodeKind::Country { home: false, .. })) {
        item(
            Swatch::Node(
                NodeKind::Country {
                    code: home,
                    home: false,
                },
                Highlight::None,
            ),
            Phrase::LegendForeign,
        );
    }
    let any_edge = |f: &dyn Fn(&Edge) -> bool| edges.iter().any(f);
    let stores = |kinds: &[Kind]| {
        kinds
            .iter()
            .any(|k| matches!(k, Kind::Stored | Kind::Operated))
    };
    if any_edge(&|e| matches!(&e.kind, EdgeKind::Reach { kinds } if stores(kinds))) {
        item(
            Swatch::Edge(
                EdgeKind::Reach {
                    kinds: vec![Kind::Stored],
                },
                Highlight::None,
            ),
            Phrase::LegendStoredOrOperated,
        );
    }
    if any_edge(&|e| matches!(&e.kind, EdgeKind::Reach { kinds } if !stores(kinds))) {
        item(
            Swatch::Edge(
                EdgeKind::Reach {
                    kinds: vec![Kind::Accessed],
                },
                Highlight::None,
            ),
            Phrase::LegendAccessedOnly,
        );
    }
    if any_edge(&|e| e.highlight == Highlight::Sensitive) {
        item(
            Swatch::Edge(
                EdgeKind::Reach {
                    kinds: vec![Kind::Stored],
                },
                Highlight::Sensitive,
            ),
            Phrase::LegendReachSensitive,
        );
    }
    for (h, p) in [
        (Highlight::Added, Phrase::LegendAdded),
        (Highlight::Removed, Phrase::LegendRemoved),
        (Highlight::Changed, Phrase::LegendChanged),
        (Highlight::Unchanged, Phrase::LegendUnchanged),
    ] {
        if any_edge(&|e| e.highlight == h) {
            item(
                Swatch::Edge(
                    EdgeKind::Change {
                        before: Vec::new(),
                        after: Vec::new(),
                    },
                    h,
                ),
                p,
            );
        }
    }
    items
}
