//! The access view and its per-category cut: organisations and systems in one
//! cluster per country, arrows for access, flows and operation.
//!
//! An organisation gets one box per country it acts from: its seat, and each
//! country its people read from (`from_country`), joined by a "staff in"
//! arrow, so that both the `accessed` and the `seat` countries show.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{
    AccessMode, CategoryIdx, CategorySet, CountryCode, Model, OrgIdx, SystemIdx, Window,
};
use crate::reach::Evaluation;

use super::words::{self, Counted, Grouping, NAMES_PER_LABEL, Phrase, phrase};
use super::{
    Cluster, Diagram, Edge, EdgeKind, Highlight, Lang, Legend, LegendItem, Node, NodeKind,
    READABLE_NODES, Swatch,
};

/// How far boxes are merged to stay readable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Entities,
    CorporateGroups,
    Countries,
    /// By country where systems are, every other foreign country in one box.
    Elsewhere,
}

/// The id of the box for organisations in countries without a system.
const ELSEWHERE: &str = "orgs:elsewhere";

/// What the date's model shows, cut down to the focus categories.
struct Facts {
    /// Systems shown, with what they hold of the focus.
    systems: Vec<(SystemIdx, CategorySet)>,
    /// Accesses that read something of the focus, with what they read.
    accesses: Vec<(usize, CategorySet)>,
    /// Flows between shown systems that carry something of the focus.
    flows: Vec<(usize, CategorySet)>,
    /// (operator, system, operator can read, what the system holds of the focus).
    operations: Vec<(OrgIdx, SystemIdx, bool, CategorySet)>,
    /// Every (organisation, country) an organisation acts from.
    presences: BTreeSet<(OrgIdx, CountryCode)>,
}

fn meets(a: &CategorySet, b: &CategorySet) -> bool {
    !a.0.is_disjoint(&b.0)
}

fn facts(evaluation: &Evaluation, focus: &CategorySet, whole_model: bool) -> Facts {
    let model = evaluation.model();
    let date = evaluation.date();
    let mut systems = Vec::new();
    let mut shown = vec![false; model.systems.len()];
    for (i, _) in model.systems.iter().enumerate() {
        let s = SystemIdx(i as u32);
        if !evaluation.system_active(s) {
            continue;
        }
        let mut held = evaluation.holdings(s).clone();
        held.intersect_with(focus);
        // The whole-model view shows every system, even one that holds nothing today.
        if whole_model || !held.is_clear() {
            shown[i] = true;
            systems.push((s, held));
        }
    }
    let mut accesses = Vec::new();
    for &a in evaluation.active_accesses() {
        let mut reads = evaluation.access_reads(a);
        reads.intersect_with(focus);
        if !reads.is_clear() {
            accesses.push((a, reads));
        }
    }
    let mut flows = Vec::new();
    for f in evaluation.active_flows() {
        let flow = &model.flows[f];
        if !shown[flow.from.0 as usize] || !shown[flow.to.0 as usize] {
            continue;
        }
        let mut carried = evaluation.holdings(flow.from).clone();
        if let Some(mask) = &flow.categories {
            carried.intersect_with(mask);
        }
        carried.intersect_with(focus);
        if !carried.is_clear() {
            flows.push((f, carried));
        }
    }
    let mut operations = Vec::new();
    for (s, held) in &systems {
        let system = model.system(*s);
        if model.organisation(system.operator).window.applies(date) {
            operations.push((system.operator, *s, system.operator_access, held.clone()));
        }
    }
    let mut presences = BTreeSet::new();
    for (a, _) in &accesses {
        let access = &model.accesses[*a];
        presences.insert((access.who, access.from_country));
        presences.insert((access.who, model.organisation(access.who).country));
    }
    for (o, _, _, _) in &operations {
        presences.insert((*o, model.organisation(*o).country));
    }
    Facts {
        systems,
        accesses,
        flows,
        operations,
        presences,
    }
}

/// The topmost corporate parent; a parent cycle stops where it closes.
fn group_root(model: &Model, o: OrgIdx) -> OrgIdx {
    let mut at = o;
    for _ in 0..model.organisations.len() {
        match model.organisation(at).parent {
            Some(p) if p != o => at = p,
            _ => break,
        }
    }
    at
}

/// The box of an organisation's presence in a country. `places` are the
/// countries that keep their own box at [`Level::Elsewhere`].
fn org_box(
    model: &Model,
    level: Level,
    o: OrgIdx,
    country: CountryCode,
    places: &BTreeSet<CountryCode>,
) -> String {
    match level {
        Level::Elsewhere if !places.contains(&country) => ELSEWHERE.to_string(),
        Level::Elsewhere => format!("orgs:{country}"),
        Level::Entities => format!("org:{country}:{}", model.organisation(o).id),
        Level::CorporateGroups => format!(
            "orggroup:{country}:{}",
            model.organisation(group_root(model, o)).id
        ),
        Level::Countries => format!("orgs:{country}"),
    }
}

fn system_box(model: &Model, level: Level, s: SystemIdx) -> String {
    let system = model.system(s);
    match level {
        Level::Entities => format!("system:{}", system.id),
        Level::CorporateGroups => format!(
            "systemgroup:{}:{}",
            system.country,
            model.organisation(group_root(model, system.operator)).id
        ),
        Level::Countries | Level::Elsewhere => format!("systems:{}", system.country),
    }
}

fn box_count(model: &Model, facts: &Facts, level: Level, places: &BTreeSet<CountryCode>) -> usize {
    let orgs: BTreeSet<String> = facts
        .presences
        .iter()
        .map(|&(o, k)| org_box(model, level, o, k, places))
        .collect();
    let systems: BTreeSet<String> = facts
        .systems
        .iter()
        .map(|(s, _)| system_box(model, level, *s))
        .collect();
    orgs.len() + systems.len()
}

#[derive(Default)]
struct OrgBox {
    members: BTreeSet<OrgIdx>,
    countries: BTreeSet<CountryCode>,
    seated_here: bool,
}

#[derive(Default)]
struct SystemBox {
    members: BTreeSet<SystemIdx>,
    held: Option<CategorySet>,
}

struct EdgeSpec {
    categories: CategorySet,
    windows: Vec<Window>,
    modes: BTreeSet<Option<AccessMode>>,
    count: usize,
    highlight: bool,
}

pub fn build(evaluation: &Evaluation, focus: Option<CategoryIdx>, lang: Lang) -> Diagram {
    let model = evaluation.model();
    let date = evaluation.date();
    let home = model.info.home;
    let n = model.categories.len();
    let focus_set = match focus {
        Some(c) => model.subtree(c).clone(),
        None => CategorySet::full(n),
    };
    let mut sensitive = CategorySet::empty(n);
    for (i, c) in model.categories.iter().enumerate() {
        if c.sensitivity.is_sensitive() {
            sensitive.insert(CategoryIdx(i as u32));
        }
    }
    let facts = facts(evaluation, &focus_set, focus.is_none());
    let mut places: BTreeSet<CountryCode> = facts
        .systems
        .iter()
        .map(|(s, _)| model.system(*s).country)
        .collect();
    places.insert(home);
    let level = [
        Level::Entities,
        Level::CorporateGroups,
        Level::Countries,
        Level::Elsewhere,
    ]
    .into_iter()
    .find(|&l| box_count(model, &facts, l, &places) <= READABLE_NODES)
    .unwrap_or(Level::Elsewhere);
    let org_box = |o, k| org_box(model, level, o, k, &places);
    let system_box = |s| system_box(model, level, s);

    // Boxes.
    // Organisation boxes by country; the box for everywhere else has none.
    let mut orgs: BTreeMap<String, (Option<CountryCode>, OrgBox)> = BTreeMap::new();
    for &(o, k) in &facts.presences {
        let id = org_box(o, k);
        let country = (id != ELSEWHERE).then_some(k);
        let entry = orgs
            .entry(id)
            .or_insert_with(|| (country, OrgBox::default()));
        entry.1.members.insert(o);
        entry.1.countries.insert(k);
        entry.1.seated_here |= model.organisation(o).country == k;
    }
    let mut systems: BTreeMap<String, (CountryCode, SystemBox)> = BTreeMap::new();
    for (s, held) in &facts.systems {
        let entry = systems
            .entry(system_box(*s))
            .or_insert_with(|| (model.system(*s).country, SystemBox::default()));
        entry.1.members.insert(*s);
        match &mut entry.1.held {
            Some(set) => set.union_with(held),
            None => entry.1.held = Some(held.clone()),
        }
    }

    // Arrows, merged when their ends are merged.
    let mut edges: BTreeMap<(String, String, EdgeKind), EdgeSpec> = BTreeMap::new();
    let mut add = |from: String,
                   to: String,
                   kind: EdgeKind,
                   categories: &CategorySet,
                   window: Window,
                   mode: Option<AccessMode>,
                   highlight: bool| {
        if from == to {
            // Inside one aggregated box.
            return;
        }
        let spec = edges.entry((from, to, kind)).or_insert_with(|| EdgeSpec {
            categories: CategorySet::empty(n),
            windows: Vec::new(),
            modes: BTreeSet::new(),
            count: 0,
            highlight: false,
        });
        spec.categories.union_with(categories);
        spec.windows.push(window);
        spec.modes.insert(mode);
        spec.count += 1;
        spec.highlight |= highlight;
    };
    let mut staff_reads: BTreeMap<(OrgIdx, CountryCode), CategorySet> = BTreeMap::new();
    for (a, reads) in &facts.accesses {
        let access = &model.accesses[*a];
        add(
            org_box(access.who, access.from_country),
            system_box(access.to),
            EdgeKind::Access,
            reads,
            access.window,
            access.mode,
            access.from_country != home && meets(reads, &sensitive),
        );
        staff_reads
            .entry((access.who, access.from_country))
            .or_insert_with(|| CategorySet::empty(n))
            .union_with(reads);
    }
    for (f, carried) in &facts.flows {
        let flow = &model.flows[*f];
        let to_country = model.system(flow.to).country;
        add(
            system_box(flow.from),
            system_box(flow.to),
            EdgeKind::Flow,
            carried,
            flow.window,
            None,
            to_country != home && meets(carried, &sensitive),
        );
    }
    for (o, s, reads, held) in &facts.operations {
        let seat = model.organisation(*o).country;
        add(
            org_box(*o, seat),
            system_box(*s),
            EdgeKind::Operates { reads: *reads },
            held,
            model.system(*s).window,
            None,
            *reads && seat != home && meets(held, &sensitive),
        );
    }
    for &(o, k) in &facts.presences {
        let seat = model.organisation(o).country;
        if k == seat {
            continue;
        }
        let reads = staff_reads
            .get(&(o, k))
            .cloned()
            .unwrap_or_else(|| CategorySet::empty(n));
        add(
            org_box(o, seat),
            org_box(o, k),
            EdgeKind::StaffIn,
            &reads,
            Window::default(),
            None,
            seat != home && meets(&reads, &sensitive),
        );
    }

    // Clusters: the home country first, then by code.
    let mut countries: BTreeSet<CountryCode> = orgs.values().filter_map(|(k, _)| *k).collect();
    countries.extend(systems.values().map(|(k, _)| *k));
    let mut order: Vec<CountryCode> = countries.into_iter().collect();
    order.sort_by_key(|&k| (k != home, k));
    let cluster_of = |k: CountryCode| order.iter().position(|&c| c == k);

    let mut truncated = false;
    let mut lines = |set: &CategorySet| {
        let names = words::summarise(model, set);
        truncated |= names.len() > NAMES_PER_LABEL;
        words::category_lines(model, set, NAMES_PER_LABEL, lang)
    };

    let mut nodes = Vec::new();
    for (id, (k, b)) in &orgs {
        let (label, details) = org_text(evaluation, level, b, lang);
        let role = match level {
            Level::Entities => b.members.first().map(|&o| model.organisation(o).role),
            _ => None,
        };
        nodes.push(Node {
            id: id.clone(),
            cluster: k.and_then(cluster_of),
            kind: NodeKind::Organisation(role),
            label,
            details,
            highlight: Highlight::None,
        });
    }
    for (id, (k, b)) in &systems {
        let held = b.held.clone().unwrap_or_else(|| CategorySet::empty(n));
        let mut details = Vec::new();
        let label = if let [s] = b.members.iter().copied().collect::<Vec<_>>()[..] {
            let system = model.system(s);
            details.push(system.id.clone());
            details.extend(words::window(&system.window, lang));
            if level != Level::Entities {
                details.push(format!(
                    "{} {}",
                    phrase(Phrase::OperatedBy, lang),
                    words::organisation_name(model, system.operator, lang)
                ));
            }
            system.name.clone()
        } else {
            let names = b
                .members
                .iter()
                .map(|&s| model.system(s).name.clone())
                .collect();
            details.extend(words::name_list(names, NAMES_PER_LABEL, lang));
            words::count(b.members.len(), Counted::System, lang)
        };
        details.extend(lines(&held));
        let highlight = if *k != home && meets(&held, &sensitive) {
            Highlight::Sensitive
        } else {
            Highlight::None
        };
        nodes.push(Node {
            id: id.clone(),
            cluster: cluster_of(*k),
            kind: NodeKind::System {
                aggregate: b.members.len() > 1,
            },
            label,
            details,
            highlight,
        });
    }

    let mut out_edges = Vec::new();
    for ((from, to, kind), spec) in &edges {
        let mut label = Vec::new();
        match kind {
            EdgeKind::Access | EdgeKind::Flow => {
                if spec.count > 1 {
                    let what = match kind {
                        EdgeKind::Access => Counted::Access,
                        _ => Counted::Flow,
                    };
                    label.push(words::count(spec.count, what, lang));
                } else {
                    if *kind == EdgeKind::Access {
                        let mode = spec.modes.first().copied().flatten();
                        label.push(words::access_mode(mode, lang).to_string());
                    }
                    label.extend(spec.windows.iter().filter_map(|w| words::window(w, lang)));
                }
                label.extend(lines(&spec.categories));
            }
            _ => {}
        }
        out_edges.push(Edge {
            from: from.clone(),
            to: to.clone(),
            kind: kind.clone(),
            label,
            highlight: if spec.highlight {
                Highlight::Sensitive
            } else {
                Highlight::None
            },
        });
    }
    // An organisation that reaches sensitive data from abroad stands out too.
    for node in nodes.iter_mut() {
        if matches!(node.kind, NodeKind::Organisation(_))
            && out_edges
                .iter()
                .any(|e| e.from == node.id && e.highlight == Highlight::Sensitive)
        {
            node.highlight = Highlight::Sensitive;
        }
    }
    // By cluster in drawing order, boxes outside every cluster last.
    nodes.sort_by_key(|n| (n.cluster.is_none(), n.cluster, n.id.clone()));

    let clusters: Vec<Cluster> = order
        .iter()
        .enumerate()
        .map(|(i, &k)| {
            let sensitive_here = k != home
                && nodes
                    .iter()
                    .any(|n| n.cluster == Some(i) && n.highlight == Highlight::Sensitive);
            let mut details = Vec::new();
            if k == home {
                details.push(phrase(Phrase::HomeCountry, lang).to_string());
            }
            if sensitive_here {
                details.push(phrase(Phrase::SensitiveReach, lang).to_string());
            }
            Cluster {
                id: format!("country:{k}"),
                country: k,
                label: words::country_name(model, k, date, lang),
                details,
                home: k == home,
                highlight: if sensitive_here {
                    Highlight::Sensitive
                } else {
                    Highlight::None
                },
            }
        })
        .collect();

    let mut notes = Vec::new();
    if level != Level::Entities {
        let what = format!(
            "{}{}{}",
            words::plural(Counted::Organisation, lang),
            match lang {
                Lang::En => " and ",
                Lang::Ja => "と",
            },
            words::plural(Counted::System, lang)
        );
        let grouping = match level {
            Level::CorporateGroups => Grouping::CorporateGroup,
            _ => Grouping::Country,
        };
        notes.push(words::aggregated_note(&what, grouping, lang));
        if level == Level::Elsewhere {
            notes.push(phrase(Phrase::ElsewhereNote, lang).to_string());
        }
    }
    if truncated {
        notes.push(phrase(Phrase::LabelLimitNote, lang).to_string());
    }
    if focus.is_some() && nodes.is_empty() {
        notes.push(phrase(Phrase::NothingReaches, lang).to_string());
    }

    let (title, subtitle) = match focus {
        None => (
            words::titled(&model.info.name, phrase(Phrase::AccessTitle, lang), lang),
            phrase(Phrase::AccessSubtitle, lang).to_string(),
        ),
        Some(c) => {
            let name = words::category_name(model, c, lang);
            let id = &model.category(c).id;
            (
                match lang {
                    Lang::En => format!(
                        "{}: {} {name} ({id})",
                        model.info.name,
                        phrase(Phrase::CategoryTitle, lang)
                    ),
                    Lang::Ja => format!(
                        "{} — {name}（{id}）に{}",
                        model.info.name,
                        phrase(Phrase::CategoryTitle, lang)
                    ),
                },
                phrase(Phrase::CategorySubtitle, lang).to_string(),
            )
        }
    };
    let legend = Legend {
        items: legend_items(&clusters, &nodes, &out_edges, lang),
        notes,
    };
    Diagram {
        title,
        subtitle: words::dated(&subtitle, date, lang),
        lang,
        clusters,
        nodes,
        edges: out_edges,
        legend,
    }
}

/// The label and detail lines of an organisation box.
fn org_text(
    evaluation: &Evaluation,
    level: Level,
    b: &OrgBox,
    lang: Lang,
) -> (String, Vec<String>) {
    let model = evaluation.model();
    let members: Vec<OrgIdx> = b.members.iter().copied().collect();
    let staff_note = |details: &mut Vec<String>| {
        if !b.seated_here {
            details.push(phrase(Phrase::StaffHere, lang).to_string());
        }
    };
    match (level, &members[..]) {
        (_, [o]) => {
            let org = model.organisation(*o);
            let mut role = words::role(org.role, lang).to_string();
            let contracts = evaluation.contract_kinds_to(*o);
            if !contracts.is_empty() {
                let kinds: Vec<&str> = contracts
                    .iter()
                    .map(|&k| words::contract_kind(k, lang))
                    .collect();
                role = format!("{role} · {}", kinds.join(", "));
            }
            let mut details = vec![role, org.id.clone()];
            staff_note(&mut details);
            (
                words::organisation_name(model, *o, lang).to_string(),
                details,
            )
        }
        (Level::CorporateGroups, _) => {
            let root = group_root(model, members[0]);
            let names = members
                .iter()
                .map(|&o| words::organisation_name(model, o, lang).to_string())
                .collect();
            let mut details = words::name_list(names, NAMES_PER_LABEL, lang);
            staff_note(&mut details);
            let name = words::organisation_name(model, root, lang);
            (
                match lang {
                    Lang::En => format!("{name} group"),
                    Lang::Ja => format!("{name} グループ"),
                },
                details,
            )
        }
        (Level::Elsewhere, _) if !b.seated_here || b.countries.len() > 1 => {
            let codes: Vec<String> = b.countries.iter().map(|k| k.to_string()).collect();
            let (shown, more) = words::limited(codes, 3 * NAMES_PER_LABEL, lang);
            let mut details = vec![words::count(b.countries.len(), Counted::Country, lang)];
            details.push(shown.join(", "));
            details.extend(more);
            let label = words::count(members.len(), Counted::Organisation, lang);
            (label, details)
        }
        _ => {
            let names = members
                .iter()
                .map(|&o| words::organisation_name(model, o, lang).to_string())
                .collect();
            let details = words::name_list(names, NAMES_PER_LABEL, lang);
            let label = words::count(members.len(), Counted::Organisation, lang);
            (label, details)
        }
    }
}

fn legend_items(
    clusters: &[Cluster],
    nodes: &[Node],
    edges: &[Edge],
    lang: Lang,
) -> Vec<LegendItem> {
    let mut items = Vec::new();
    let mut item = |swatch: Swatch, p: Phrase| {
        items.push(LegendItem {
            swatch,
            text: phrase(p, lang).to_string(),
        })
    };
    if clusters.iter().any(|c| c.home) {
        item(
            Swatch::Cluster {
                home: true,
                highlight: Highlight::None,
            },
            Phrase::LegendHome,
        );
    }
    if clusters
        .iter()
        .any(|c| !c.home && c.highlight == Highlight::None)
    {
        item(
            Swatch::Cluster {
                home: false,
                highlight: Highlight::None,
            },
            Phrase::LegendForeign,
        );
    }
    if clusters.iter().any(|c| c.highlight == Highlight::Sensitive) {
        item(
            Swatch::Cluster {
                home: false,
                highlight: Highlight::Sensitive,
            },
            Phrase::LegendForeignSensitive,
        );
    }
    if nodes
        .iter()
        .any(|n| matches!(n.kind, NodeKind::Organisation(_)))
    {
        item(
            Swatch::Node(NodeKind::Organisation(None), Highlight::None),
            Phrase::LegendOrganisation,
        );
    }
    if nodes
        .iter()
        .any(|n| matches!(n.kind, NodeKind::System { .. }))
    {
        item(
            Swatch::Node(NodeKind::System { aggregate: false }, Highlight::None),
            Phrase::LegendSystem,
        );
    }
    let present_any = |kind: &EdgeKind| edges.iter().any(|e| &e.kind == kind);
    for (kind, p) in [
        (EdgeKind::Access, Phrase::LegendAccess),
        (EdgeKind::Flow, Phrase::LegendFlow),
        (EdgeKind::Operates { reads: true }, Phrase::LegendOperates),
        (
            EdgeKind::Operates { reads: false },
            Phrase::LegendOperatesBlind,
        ),
        (EdgeKind::StaffIn, Phrase::LegendStaffIn),
    ] {
        if present_any(&kind) {
            item(Swatch::Edge(kind.clone(), Highlight::None), p);
        }
    }
    if edges.iter().any(|e| e.highlight == Highlight::Sensitive) {
        item(
            Swatch::Edge(EdgeKind::Access, Highlight::Sensitive),
            Phrase::LegendAccessSensitive,
        );
    }
    items
}
