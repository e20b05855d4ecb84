//! Plain-language explanations of reach, for people who do not read graphs:
//! "China reaches Talk messages because LINE Digital Technology (Shanghai)
//! has remote access to the core servers in Japan since 2018-08-01 ...".

use std::collections::{HashMap, HashSet};

use super::escape::text as t;
use crate::model::{Access, CategoryIdx, CountryCode, Kind, Meta, Model, SystemIdx, Window};
use crate::reach::{Entry, Evaluation, Path, Route, Step};

// Everything the model says is passed through `t`: explain prints to a
// terminal, where a name must neither break a line nor steer the screen.

fn window_words(w: &Window) -> String {
    match (w.since, w.until) {
        (Some(s), Some(u)) => format!(" from {s} until {u}"),
        (Some(s), None) => format!(" since {s}"),
        (None, Some(u)) => format!(" until {u}"),
        (None, None) => String::new(),
    }
}

fn country_name(model: &Model, evaluation: &Evaluation, code: CountryCode) -> String {
    t(&model.country_info(code, evaluation.date()).name)
}

fn evidence(access: &Access) -> String {
    let mut parts = Vec::new();
    if let Some(n) = access.headcount() {
        parts.push(format!("{n} {}", if n == 1 { "person" } else { "people" }));
    }
    if let Some(o) = access.observed() {
        parts.push(t(o));
    }
    if !access.controls().is_empty() {
        parts.push(format!("controls: {}", t(&access.controls().join(", "))));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join("; "))
    }
}

/// The flow that explains each hop of a path, looked up once per
/// explanation: a witness path can pass through every system of the model.
pub struct Hops {
    /// (to, from) -> the first flow in model order that applies on the date.
    first_flow: HashMap<(SystemIdx, SystemIdx), usize, foldhash::fast::FixedState>,
}

impl Hops {
    /// Every hop of every flow that applies on the evaluation's date.
    pub fn new(evaluation: &Evaluation) -> Hops {
        let flows = evaluation.model().flows.len();
        Hops::keeping(evaluation, flows, |_| true)
    }

    /// Only the hops of `routes`: one pass over the flows, keeping a few,
    /// where [`new`](Self::new) keeps them all.
    pub fn of<'r>(evaluation: &Evaluation, routes: impl Iterator<Item = &'r Route>) -> Hops {
        let mut wanted: HashSet<(SystemIdx, SystemIdx), foldhash::fast::FixedState> =
            HashSet::default();
        for route in routes {
            let systems: Vec<_> = route.path.systems().collect();
            wanted.extend(systems.windows(2).map(|pair| (pair[0], pair[1])));
        }
        Hops::keeping(evaluation, wanted.len(), |hop| wanted.contains(hop))
    }

    fn keeping(
        evaluation: &Evaluation,
        room: usize,
        keep: impl Fn(&(SystemIdx, SystemIdx)) -> bool,
    ) -> Hops {
        let mut first_flow = HashMap::with_capacity_and_hasher(room, Default::default());
        for (i, f) in evaluation.model().flows.iter().enumerate() {
            let hop = (f.to, f.from);
            if keep(&hop) && f.window.applies(evaluation.date()) {
                first_flow.entry(hop).or_insert(i);
            }
        }
        Hops { first_flow }
    }
}

/// The sentence for one route, without the leading country.
pub fn route_sentence(evaluation: &Evaluation, hops: &Hops, route: &Route) -> String {
    let model = evaluation.model();
    let system_words = |s: SystemIdx| {
        let system = model.system(s);
        format!(
            "{} ({}) in {}",
            t(&system.name),
            t(&system.id),
            country_name(model, evaluation, system.country)
        )
    };
    let target = match route.entry {
        Entry::System(s) => s,
        Entry::Access(a) => model.accesses[a].to,
    };
    let mut sentence = match (route.kind, route.entry) {
        (Kind::Stored, _) => format!("the data is stored on {}", system_words(target)),
        (Kind::Operated, _) => {
            let system = model.system(target);
            let op = model.organisation(system.operator);
            format!(
                "{} ({}), seated in {}, operates {} and can read what it holds",
                t(&op.name),
                t(&op.id),
                country_name(model, evaluation, op.country),
                system_words(target)
            )
        }
        (kind, Entry::Access(a)) => {
            let access = &model.accesses[a];
            let org = model.organisation(access.who);
            let mode = access
                .mode
                .map(|m| format!("{} ", m.as_str()))
                .unwrap_or_default();
            let from = if kind == Kind::Seat {
                format!(
                    ", seated in {}, has {mode}access from {}",
                    country_name(model, evaluation, org.country),
                    country_name(model, evaluation, access.from_country)
                )
            } else {
                format!(
                    " has {mode}access from {}",
                    country_name(model, evaluation, access.from_country)
                )
            };
            let mut s = format!(
                "{} ({}){from} to {}{}{}",
                t(&org.name),
                t(&org.id),
                system_words(target),
                window_words(&access.window),
                evidence(access)
            );
            if let Some(p) = &access.purpose {
                s.push_str(&format!(", for {}", t(p)));
            }
            s
        }
        (_, Entry::System(_)) => String::new(),
    };
    // Flows upstream: how the data got to the system reached.
    let systems: Vec<_> = route.path.systems().collect();
    for pair in systems.windows(2) {
        let flow = hops
            .first_flow
            .get(&(pair[0], pair[1]))
            .map(|&i| &model.flows[i]);
        sentence.push_str(&format!(
            "; {} receives it from {}",
            t(&model.system(pair[0]).id),
            system_words(pair[1])
        ));
        if let Some(purpose) = flow.and_then(|f| f.purpose.as_ref()) {
            sentence.push_str(&format!(" ({})", t(purpose)));
        }
    }
    sentence
}

fn meta_lines(label: &str, meta: &Meta, out: &mut String) {
    let label = t(label);
    if let Some(n) = meta.note() {
        out.push_str(&format!("      note ({label}): {}\n", t(n)));
    }
    if let Some(s) = meta.source() {
        out.push_str(&format!("      source ({label}): {}\n", t(s)));
    }
}

fn path_text(model: &Model, path: &Path) -> String {
    t(&path.render(model).join(" → "))
}

/// Notes and sources of every entry on a route.
fn route_meta(evaluation: &Evaluation, route: &Route, out: &mut String) {
    let model = evaluation.model();
    if let Entry::Access(a) = route.entry {
        let label = model.accesses[a]
            .id
            .clone()
            .unwrap_or_else(|| format!("access[{a}]"));
        meta_lines(&label, &model.accesses[a].meta, out);
    }
    for step in &route.path.0 {
        match *step {
            Step::Org(o) => meta_lines(&model.organisation(o).id, &model.organisation(o).meta, out),
            Step::System(s) => meta_lines(&model.system(s).id, &model.system(s).meta, out),
        }
    }
}

/// Why `country` reaches each category (or only `category`). Routes are
/// grouped: each is told once, with every category it carries. Without
/// `all_paths` only the witness route of each (category, kind) is shown.
pub fn explain(
    evaluation: &Evaluation,
    country: CountryCode,
    category: Option<CategoryIdx>,
    all_paths: bool,
) -> String {
    let model = evaluation.model();
    let name = country_name(model, evaluation, country);
    let foreign = if country == model.info.home {
        "the home country"
    } else {
        "a foreign country"
    };
    let categories: Vec<CategoryIdx> = match category {
        Some(c) => vec![c],
        None => (0..model.categories.len() as u32)
            .map(CategoryIdx)
            .collect(),
    };
    // (kind, entry, path) -> categories it carries, in first-seen order.
    let mut groups: Vec<(Route, Vec<CategoryIdx>)> = Vec::new();
    let mut reached = Vec::new();
    let mut hidden = 0usize;
    for c in categories {
        let routes = evaluation.routes(country, c);
        if routes.is_empty() {
            continue;
        }
        reached.push(c);
        let mut shown_kinds = Vec::new();
        for route in routes {
            if !all_paths && shown_kinds.contains(&route.kind) {
                hidden += 1;
                continue;
            }
            shown_kinds.push(route.kind);
            match groups.iter_mut().find(|(r, _)| *r == route) {
                Some((_, cats)) => cats.push(c),
                None => groups.push((route, vec![c])),
            }
        }
    }
    let mut out = match (reached.len(), category) {
        (0, Some(c)) => {
            return format!(
                "{name} ({country}), {foreign}, does not reach {} ({}) on {}.\n",
                t(&model.category(c).name),
                t(&model.category(c).id),
                evaluation.date()
            );
        }
        (0, None) => {
            return format!(
                "{name} ({country}), {foreign}, reaches no personal data of {} on {}.\n",
                t(&model.info.name),
                evaluation.date()
            );
        }
        (n, _) => format!(
            "{name} ({country}), {foreign}, reaches {n} categor{} of {} on {}:\n",
            if n == 1 { "y" } else { "ies" },
            t(&model.info.name),
            evaluation.date()
        ),
    };
    for &c in &reached {
        let cat = model.category(c);
        out.push_str(&format!(
            "  - {} ({}, {})\n",
            t(&cat.name),
            t(&cat.id),
            cat.sensitivity.as_str()
        ));
    }
    out.push_str(&format!("\n{name} reaches them because:\n"));
    let hops = Hops::of(evaluation, groups.iter().map(|(route, _)| route));
    for (i, (route, cats)) in groups.iter().enumerate() {
        let ids: Vec<&str> = cats
            .iter()
            .map(|&c| model.category(c).id.as_str())
            .collect();
        out.push_str(&format!(
            "\n{}. [{}] {}.\n",
            i + 1,
            route.kind,
            route_sentence(evaluation, &hops, route)
        ));
        out.push_str(&format!("      carries: {}\n", t(&ids.join(", "))));
        out.push_str(&format!("      path: {}\n", path_text(model, &route.path)));
        route_meta(evaluation, route, &mut out);
    }
    if hidden > 0 {
        out.push_str(&format!(
            "\n{hidden} more route{} lead{} to the same categories; --all-paths shows every one.\n",
            if hidden == 1 { "" } else { "s" },
            if hidden == 1 { "s" } else { "" }
        ));
    }
    out
}
