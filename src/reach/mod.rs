//! The reach engine (SPEC §2): effective holdings through flows, the four reach
//! kinds, and one deterministic shortest witness path per reached pair.
//!
//! Evaluation is per date: only entries that apply on the date take part.
//! Holdings are a least fixpoint computed component by component over the
//! condensation of the flow graph; witnesses come from one multi-source
//! breadth-first search per category, from the systems that hold it upstream.

mod graph;
pub mod reference;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use serde::Serialize;

use crate::model::{
    CategoryIdx, CategorySet, ContractKind, CountryCode, Date, Kind, Model, OrgIdx, Role, SystemIdx,
};
use graph::{FlowGraph, Reached, breadth_first};

/// One item of a witness path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    Org(OrgIdx),
    System(SystemIdx),
}

/// A chain of references from the reaching party to a system whose own
/// `holds` names the category.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Path(pub Vec<Step>);

impl Path {
    /// The spec's form: `["org:dalian-co", "system:moderation-console", ...]`.
    pub fn render(&self, model: &Model) -> Vec<String> {
        self.0
            .iter()
            .map(|step| match step {
                Step::Org(o) => format!("org:{}", model.organisation(*o).id),
                Step::System(s) => format!("system:{}", model.system(*s).id),
            })
            .collect()
    }

    pub fn systems(&self) -> impl Iterator<Item = SystemIdx> + '_ {
        self.0.iter().filter_map(|s| match s {
            Step::System(s) => Some(*s),
            Step::Org(_) => None,
        })
    }
}

/// Where a kind of reach enters: a system (stored, operated) or an access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Entry {
    /// The system itself (stored) or its operator (operated).
    System(SystemIdx),
    /// An `[[access]]` entry, by its index in `Model::accesses`.
    Access(usize),
}

/// One reached (country, category) pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reach {
    pub country: CountryCode,
    pub category: CategoryIdx,
    /// Sorted; never empty.
    pub kinds: Vec<Kind>,
    /// The witness of `kinds[0]`.
    pub path: Path,
}

/// One way a country reaches a category, for `explain`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub kind: Kind,
    pub entry: Entry,
    pub path: Path,
}

/// The model evaluated on one date.
pub struct Evaluation<'m> {
    model: &'m Model,
    date: Date,
    system_active: Vec<bool>,
    /// Indices into `model.accesses` of the accesses that apply.
    accesses: Vec<usize>,
    graph: FlowGraph,
    holdings: Vec<CategorySet>,
    /// Per category: each system's distance upstream to a holder (`u32::MAX`: none).
    distances: Vec<OnceLock<Vec<u32>>>,
}

const FAR: u32 = u32::MAX;

impl<'m> Evaluation<'m> {
    pub fn new(model: &'m Model, date: Date) -> Evaluation<'m> {
        let org_active: Vec<bool> = model
            .organisations
            .iter()
            .map(|o| o.window.applies(date))
            .collect();
        let system_active: Vec<bool> = model
            .systems
            .iter()
            .map(|s| s.window.applies(date))
            .collect();
        let edges: Vec<(u32, u32, u32)> = model
            .flows
            .iter()
            .enumerate()
            .filter(|(_, f)| {
                f.window.applies(date)
                    && system_active[f.from.0 as usize]
                    && system_active[f.to.0 as usize]
            })
            .map(|(i, f)| (f.from.0, f.to.0, i as u32))
            .collect();
        let graph = FlowGraph::new(model.systems.len(), &edges);
        let accesses = model
            .accesses
            .iter()
            .enumerate()
            .filter(|(_, a)| {
                a.window.applies(date)
                    && org_active[a.who.0 as usize]
                    && system_active[a.to.0 as usize]
            })
            .map(|(i, _)| i)
            .collect();
        let mut evaluation = Evaluation {
            model,
            date,
            system_active,
            accesses,
            graph,
            holdings: Vec::new(),
            distances: (0..model.categories.len())
                .map(|_| OnceLock::new())
                .collect(),
        };
        evaluation.holdings = evaluation.compute_holdings();
        evaluation
    }

    pub fn model(&self) -> &'m Model {
        self.model
    }

    pub fn date(&self) -> Date {
        self.date
    }

    pub fn system_active(&self, s: SystemIdx) -> bool {
        self.system_active[s.0 as usize]
    }

    /// Indices into `Model::accesses` of the accesses that apply on the date.
    pub fn active_accesses(&self) -> &[usize] {
        &self.accesses
    }

    /// Indices into `Model::flows` of the flows that apply on the date.
    pub fn active_flows(&self) -> Vec<usize> {
        let mut flows: Vec<usize> = (0..self.graph.nodes() as u32)
            .flat_map(|s| self.graph.outgoing(s).iter().map(|&(_, f)| f as usize))
            .collect();
        flows.sort_unstable();
        flows
    }

    fn own_holdings(&self, s: usize) -> Option<&CategorySet> {
        self.system_active[s].then(|| &self.model.systems[s].holds)
    }

    /// `H(s) ∩ flow.categories` passed along one flow.
    fn carried(&self, source: &CategorySet, flow: u32) -> CategorySet {
        let mut set = source.clone();
        if let Some(mask) = &self.model.flows[flow as usize].categories {
            set.intersect_with(mask);
        }
        set
    }

    /// The least fixpoint of `H(s) = holds(s) ∪ ⋃ H(u) ∩ flow(u→s)`, one
    /// strongly connected component at a time in topological order: every
    /// component sees its upstream final, and only cycles need iterating.
    fn compute_holdings(&self) -> Vec<CategorySet> {
        let n = self.model.categories.len();
        let mut holdings: Vec<CategorySet> = (0..self.model.systems.len())
            .map(|s| {
                self.own_holdings(s)
                    .cloned()
                    .unwrap_or_else(|| CategorySet::empty(n))
            })
            .collect();
        let mut in_component = vec![false; self.model.systems.len()];
        for component in self.graph.components_in_topological_order() {
            for &s in &component {
                in_component[s as usize] = true;
            }
            // Contributions from upstream components, already final.
            for &s in &component {
                for &(u, flow) in self.graph.incoming(s) {
                    if !in_component[u as usize] {
                        let carried = self.carried(&holdings[u as usize], flow);
                        holdings[s as usize].union_with(&carried);
                    }
                }
            }
            // Inside a cycle, propagate until nothing grows.
            if component.len() > 1
                || self
                    .graph
                    .incoming(component[0])
                    .iter()
                    .any(|&(u, _)| u == component[0])
            {
                let mut work: Vec<u32> = component.clone();
                while let Some(u) = work.pop() {
                    for &(t, flow) in self.graph.outgoing(u) {
                        if !in_component[t as usize] {
                            continue;
                        }
                        let carried = self.carried(&holdings[u as usize], flow);
                        if !carried.is_subset(&holdings[t as usize]) {
                            holdings[t as usize].union_with(&carried);
                            work.push(t);
                        }
                    }
                }
            }
            for &s in &component {
                in_component[s as usize] = false;
            }
        }
        holdings
    }

    /// Effective holdings `H(s)` on the date.
    pub fn holdings(&self, s: SystemIdx) -> &CategorySet {
        &self.holdings[s.0 as usize]
    }

    /// What an access can read: `H(to) ∩ categories`.
    pub fn access_reads(&self, access: usize) -> CategorySet {
        let a = &self.model.accesses[access];
        let mut set = self.holdings[a.to.0 as usize].clone();
        if let Some(mask) = &a.categories {
            set.intersect_with(mask);
        }
        set
    }

    /// Distances upstream to a system that holds `c` itself: a breadth-first
    /// search from every holder at once, forward along flows that carry `c`.
    fn distances(&self, c: CategoryIdx) -> &[u32] {
        self.distances[c.0 as usize].get_or_init(|| {
            let mut dist = vec![FAR; self.model.systems.len()];
            let mut queue = std::collections::VecDeque::new();
            for (s, d) in dist.iter_mut().enumerate() {
                if self.own_holdings(s).is_some_and(|h| h.contains(c)) {
                    *d = 0;
                    queue.push_back(s as u32);
                }
            }
            while let Some(u) = queue.pop_front() {
                let next = dist[u as usize] + 1;
                for &(t, flow) in self.graph.outgoing(u) {
                    if dist[t as usize] == FAR && self.flow_carries(flow, c) {
                        dist[t as usize] = next;
                        queue.push_back(t);
                    }
                }
            }
            dist
        })
    }

    fn flow_carries(&self, flow: u32, c: CategoryIdx) -> bool {
        self.model.flows[flow as usize]
            .categories
            .as_ref()
            .is_none_or(|m| m.contains(c))
    }

    /// The smallest shortest chain from `s` upstream to a holder of `c`.
    /// Among predecessors one step closer, the smallest id wins; ids are
    /// distinct, so that choice decides the comparison of the whole path.
    fn upstream(&self, s: SystemIdx, c: CategoryIdx, path: &mut Vec<Step>) {
        let dist = self.distances(c);
        let mut at = s.0;
        path.push(Step::System(s));
        while dist[at as usize] > 0 {
            let want = dist[at as usize] - 1;
            let Some(&(u, _)) = self
                .graph
                .incoming(at)
                .iter()
                .find(|&&(u, flow)| dist[u as usize] == want && self.flow_carries(flow, c))
            else {
                break;
            };
            at = u;
            path.push(Step::System(SystemIdx(u)));
        }
    }

    /// Path from an entry point, or `None` when the entry does not give `kind` reach to `c`.
    pub fn route(&self, kind: Kind, entry: Entry, c: CategoryIdx) -> Option<Path> {
        let mut steps = Vec::new();
        match (kind, entry) {
            (Kind::Stored, Entry::System(s)) => {
                if !self.holdings(s).contains(c) {
                    return None;
                }
            }
            (Kind::Operated, Entry::System(s)) => {
                let system = self.model.system(s);
                if !system.operator_access || !self.holdings(s).contains(c) {
                    return None;
                }
                steps.push(Step::Org(system.operator));
            }
            (Kind::Accessed | Kind::Seat, Entry::Access(a)) => {
                if !self.access_reads(a).contains(c) {
                    return None;
                }
                steps.push(Step::Org(self.model.accesses[a].who));
            }
            _ => return None,
        }
        let system = match entry {
            Entry::System(s) => s,
            Entry::Access(a) => self.model.accesses[a].to,
        };
        self.upstream(system, c, &mut steps);
        Some(Path(steps))
    }

    /// Every entry point by which some country may reach something, with the
    /// country it gives reach to and the kind, in model order (systems, then
    /// accesses). An entry may read nothing on the date.
    pub fn entries(&self) -> Vec<(CountryCode, Kind, Entry)> {
        let model = self.model;
        let mut out = Vec::new();
        for (i, s) in model.systems.iter().enumerate() {
            if !self.system_active[i] {
                continue;
            }
            let idx = SystemIdx(i as u32);
            out.push((s.country, Kind::Stored, Entry::System(idx)));
            if s.operator_access && model.organisation(s.operator).window.applies(self.date) {
                out.push((
                    model.organisation(s.operator).country,
                    Kind::Operated,
                    Entry::System(idx),
                ));
            }
        }
        for &a in &self.accesses {
            let access = &model.accesses[a];
            out.push((access.from_country, Kind::Accessed, Entry::Access(a)));
            let seat = model.organisation(access.who).country;
            if seat != access.from_country {
                out.push((seat, Kind::Seat, Entry::Access(a)));
            }
        }
        out
    }

    /// The categories an entry gives reach to.
    fn entry_reads(&self, entry: Entry) -> CategorySet {
        match entry {
            Entry::System(s) => self.holdings(s).clone(),
            Entry::Access(a) => self.access_reads(a),
        }
    }

    /// Sort key of an entry's path for `c`: length, then the items one by one.
    /// Items compare as strings; within one namespace that is index order, and
    /// paths of one kind put the same namespace at the same place.
    fn route_key(&self, kind: Kind, entry: Entry, c: CategoryIdx) -> (u32, Step, SystemIdx) {
        let dist = self.distances(c);
        match (kind, entry) {
            (Kind::Stored, Entry::System(s)) => (dist[s.0 as usize], Step::System(s), s),
            (_, Entry::System(s)) => (
                dist[s.0 as usize],
                Step::Org(self.model.system(s).operator),
                s,
            ),
            (_, Entry::Access(a)) => {
                let access = &self.model.accesses[a];
                (dist[access.to.0 as usize], Step::Org(access.who), access.to)
            }
        }
    }

    /// The reach matrix: one entry per reached (country, category), sorted by
    /// country then category id.
    pub fn matrix(&self) -> Vec<Reach> {
        let n = self.model.categories.len();
        // Per country and kind: the union of what its entries read, and the entries.
        let mut per_country: BTreeMap<CountryCode, [(CategorySet, Vec<Entry>); 4]> =
            BTreeMap::new();
        for (country, kind, entry) in self.entries() {
            let slot = &mut per_country
                .entry(country)
                .or_insert_with(|| std::array::from_fn(|_| (CategorySet::empty(n), Vec::new())))
                [kind as usize];
            slot.0.union_with(&self.entry_reads(entry));
            slot.1.push(entry);
        }
        let mut out = Vec::new();
        for (country, slots) in &per_country {
            for c in 0..n {
                let c = CategoryIdx(c as u32);
                let kinds: Vec<Kind> = Kind::ALL
                    .into_iter()
                    .filter(|&k| slots[k as usize].0.contains(c))
                    .collect();
                let Some(&first) = kinds.first() else {
                    continue;
                };
                let best = slots[first as usize]
                    .1
                    .iter()
                    .filter(|&&e| self.entry_reads_category(e, c))
                    .min_by_key(|&&e| self.route_key(first, e, c))
                    .copied();
                let path = best
                    .and_then(|e| self.route(first, e, c))
                    .unwrap_or_default();
                out.push(Reach {
                    country: *country,
                    category: c,
                    kinds,
                    path,
                });
            }
        }
        out
    }

    fn entry_reads_category(&self, entry: Entry, c: CategoryIdx) -> bool {
        match entry {
            Entry::System(s) => self.holdings(s).contains(c),
            Entry::Access(a) => {
                let access = &self.model.accesses[a];
                self.holdings(access.to).contains(c)
                    && access.categories.as_ref().is_none_or(|m| m.contains(c))
            }
        }
    }

    /// Every route by which `country` reaches `c`, one per entry point, sorted
    /// by kind and then by path.
    pub fn routes(&self, country: CountryCode, c: CategoryIdx) -> Vec<Route> {
        let mut routes: Vec<(Kind, (u32, Step, SystemIdx), Entry)> = self
            .entries()
            .into_iter()
            .filter(|&(k, _, e)| k == country && self.entry_reads_category(e, c))
            .map(|(_, kind, entry)| (kind, self.route_key(kind, entry, c), entry))
            .collect();
        routes.sort();
        routes.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1 && a.2 == b.2);
        routes
            .into_iter()
            .filter_map(|(kind, _, entry)| {
                self.route(kind, entry, c)
                    .map(|path| Route { kind, entry, path })
            })
            .collect()
    }

    /// The witness of one kind: the first of [`routes`](Self::routes) of that kind.
    pub fn witness(&self, country: CountryCode, c: CategoryIdx, kind: Kind) -> Option<Path> {
        self.routes(country, c)
            .into_iter()
            .find(|r| r.kind == kind)
            .map(|r| r.path)
    }

    /// Organisations reached from a controller through contracts that apply on
    /// the date or through `parent` links (a parent reaches its subsidiaries),
    /// each with the chain of links that reaches it.
    pub fn contract_chains(&self) -> Vec<Option<Vec<Link>>> {
        let model = self.model;
        let mut links: Vec<(u32, u32, Link)> = Vec::new();
        for (i, c) in model.contracts.iter().enumerate() {
            if c.window.applies(self.date) {
                links.push((c.from.0, c.to.0, Link::Contract(i)));
            }
        }
        for (i, o) in model.organisations.iter().enumerate() {
            if let Some(p) = o.parent {
                links.push((p.0, i as u32, Link::Parent));
            }
        }
        let controllers = model
            .organisations
            .iter()
            .enumerate()
            .filter(|(_, o)| o.role == Role::Controller && o.window.applies(self.date))
            .map(|(i, _)| i as u32);
        let reached = breadth_first(model.organisations.len(), &links, controllers);
        (0..reached.len())
            .map(|i| {
                let mut chain = Vec::new();
                let mut at = i;
                loop {
                    match reached[at]? {
                        Reached::Source => break,
                        Reached::By { from, link } => {
                            chain.push(match link {
                                Link::Parent => Link::ParentOf(OrgIdx(from), OrgIdx(at as u32)),
                                other => other,
                            });
                            at = from as usize;
                        }
                    }
                }
                chain.reverse();
                Some(chain)
            })
            .collect()
    }

    /// How the date's contracts classify a hand-over to `org`, for disclosures.
    pub fn contract_kinds_to(&self, org: OrgIdx) -> Vec<ContractKind> {
        let mut kinds: Vec<ContractKind> = self
            .model
            .contracts
            .iter()
            .filter(|c| c.to == org && c.window.applies(self.date))
            .map(|c| c.kind)
            .collect();
        kinds.sort();
        kinds.dedup();
        kinds
    }
}

/// One link of a chain from a controller to an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// A `[[contract]]`, by index in `Model::contracts`.
    Contract(usize),
    /// Used while searching; chains hold [`Link::ParentOf`].
    Parent,
    /// The first organisation is the parent of the second.
    ParentOf(OrgIdx, OrgIdx),
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Org(o) => write!(f, "org#{}", o.0),
            Step::System(s) => write!(f, "system#{}", s.0),
        }
    }
}

/// The JSON shape of one matrix entry (SPEC §4).
#[derive(Debug, Clone, Serialize)]
pub struct ReachRow {
    pub country: String,
    pub category: String,
    pub foreign: bool,
    pub kinds: Vec<Kind>,
    pub path: Vec<String>,
}

/// The JSON shape of `matrix --format json` (SPEC §4).
#[derive(Debug, Clone, Serialize)]
pub struct MatrixDoc {
    pub model: String,
    pub as_of: String,
    pub home: String,
    pub reach: Vec<ReachRow>,
}

impl MatrixDoc {
    pub fn new(evaluation: &Evaluation, reach: &[Reach]) -> MatrixDoc {
        let model = evaluation.model();
        MatrixDoc {
            model: model.info.name.clone(),
            as_of: evaluation.date().to_string(),
            home: model.info.home.to_string(),
            reach: reach
                .iter()
                .map(|r| ReachRow {
                    country: r.country.to_string(),
                    category: model.category(r.category).id.clone(),
                    foreign: r.country != model.info.home,
                    kinds: r.kinds.clone(),
                    path: r.path.render(model),
                })
                .collect(),
        }
    }
}
