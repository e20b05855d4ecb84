//! The reach engine (SPEC §2): effective holdings through flows, the four reach
//! kinds, and one deterministic shortest witness path per reached pair.
//!
//! Evaluation is per date: only entries that apply on the date take part.
//! Holdings are a least fixpoint computed component by component over the
//! condensation of the flow graph; witnesses come from one multi-source
//! breadth-first search per category, from the systems that hold it upstream.

pub mod baseline;
mod graph;
pub mod reference;

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
    /// The same sets as words, `width` per system, side by side for scans.
    holding_words: Vec<usize>,
    width: usize,
    /// Per category: each system's distance upstream to a holder (`u32::MAX`: none).
    distances: Vec<OnceLock<Vec<u32>>>,
    /// Entry points grouped by the country they give reach to.
    by_country: OnceLock<ByCountry>,
}

/// Entry points by country: `countries[k]` has `entries[starts[k]..starts[k + 1]]`,
/// in the order [`Evaluation::entries`] lists them.
struct ByCountry {
    countries: Vec<CountryCode>,
    starts: Vec<u32>,
    entries: Vec<(Kind, Entry)>,
}

/// An entry point as the matrix sweep needs it.
#[derive(Clone, Copy)]
struct Point {
    /// Index into the matrix's sorted countries.
    country: u32,
    kind: Kind,
    /// The route key without its distance: first step, then system.
    key: u128,
    /// Index of the access's category mask, or [`NO_MASK`].
    mask: u32,
    /// Index into [`Evaluation::entries`].
    entry: u32,
}

impl Default for Point {
    fn default() -> Point {
        Point {
            country: 0,
            kind: Kind::Stored,
            key: 0,
            mask: NO_MASK,
            entry: 0,
        }
    }
}

const NO_MASK: u32 = u32::MAX;

/// Bits of a machine word, the width of one block of categories.
const WORD: usize = usize::BITS as usize;

/// Sort key of a route: path length, then its items (see [`Evaluation::route_key`]).
type RouteKey = (u32, Step, SystemIdx);

const FAR: u32 = u32::MAX;

/// The positions of the set bits of a word, lowest first.
fn ones(mut word: usize) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (word != 0).then(|| {
            let j = word.trailing_zeros() as usize;
            word &= word - 1;
            j
        })
    })
}

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
            holding_words: Vec::new(),
            width: model.categories.len().div_ceil(WORD).max(1),
            distances: (0..model.categories.len())
                .map(|_| OnceLock::new())
                .collect(),
            by_country: OnceLock::new(),
        };
        evaluation.holding_words = evaluation.compute_holdings();
        let n = model.categories.len();
        evaluation.holdings = evaluation
            .holding_words
            .chunks(evaluation.width)
            .map(|words| CategorySet::from_words(n, words))
            .collect();
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

    /// Word `w` of the categories a flow carries (all ones: everything).
    fn flow_word(&self, flow: u32, w: usize) -> usize {
        match &self.model.flows[flow as usize].categories {
            Some(mask) => mask.words().get(w).copied().unwrap_or(0),
            None => usize::MAX,
        }
    }

    /// The least fixpoint of `H(s) = holds(s) ∪ ⋃ H(u) ∩ flow(u→s)`, one
    /// strongly connected component at a time in topological order: every
    /// component sees its upstream final, and only cycles need iterating.
    /// Sets are worked on as words in one flat array, without a copy per flow.
    fn compute_holdings(&self) -> Vec<usize> {
        let width = self.width;
        let systems = self.model.systems.len();
        let mut h = vec![0usize; systems * width];
        for s in 0..systems {
            if let Some(own) = self.own_holdings(s) {
                for (w, word) in own.words().iter().enumerate() {
                    h[s * width + w] = *word;
                }
            }
        }
        let mut in_component = vec![false; systems];
        let mut work: Vec<u32> = Vec::new();
        for component in self.graph.components_in_topological_order().iter() {
            for &s in component {
                in_component[s as usize] = true;
            }
            // Contributions from upstream components, already final.
            for &s in component {
                for &(u, flow) in self.graph.incoming(s) {
                    if !in_component[u as usize] {
                        for w in 0..width {
                            h[s as usize * width + w] |=
                                h[u as usize * width + w] & self.flow_word(flow, w);
                        }
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
                work.extend_from_slice(component);
                while let Some(u) = work.pop() {
                    for &(t, flow) in self.graph.outgoing(u) {
                        if !in_component[t as usize] {
                            continue;
                        }
                        let mut grew = false;
                        for w in 0..width {
                            let carried = h[u as usize * width + w] & self.flow_word(flow, w);
                            let at = &mut h[t as usize * width + w];
                            if carried & !*at != 0 {
                                *at |= carried;
                                grew = true;
                            }
                        }
                        if grew {
                            work.push(t);
                        }
                    }
                }
            }
            for &s in component {
                in_component[s as usize] = false;
            }
        }
        h
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

    /// Distances upstream for one block of categories at once (word `w`):
    /// `dist[s * WORD + j]` is system `s`'s distance to a holder of category
    /// `w * WORD + j`. One breadth-first search carries a word of categories
    /// per system, so a block costs about what one category would.
    fn block_distances(&self, w: usize) -> Vec<u32> {
        let systems = self.model.systems.len();
        let mut dist = vec![FAR; systems * WORD];
        let mut seen = vec![0usize; systems];
        let mut fresh = vec![0usize; systems];
        let mut level: Vec<u32> = Vec::new();
        for (s, seen) in seen.iter_mut().enumerate() {
            let own = self
                .own_holdings(s)
                .and_then(|h| h.words().get(w).copied())
                .unwrap_or(0);
            if own != 0 {
                *seen = own;
                fresh[s] = own;
                level.push(s as u32);
                for j in ones(own) {
                    dist[s * WORD + j] = 0;
                }
            }
        }
        let mut next: Vec<u32> = Vec::new();
        let mut incoming = vec![0usize; systems];
        let mut d = 0;
        while !level.is_empty() {
            d += 1;
            for &u in &level {
                let bits = fresh[u as usize];
                for &(t, flow) in self.graph.outgoing(u) {
                    let add = bits & self.flow_word(flow, w) & !seen[t as usize];
                    if add != 0 {
                        if incoming[t as usize] == 0 {
                            next.push(t);
                        }
                        incoming[t as usize] |= add;
                    }
                }
            }
            for &u in &level {
                fresh[u as usize] = 0;
            }
            for &t in &next {
                let add = std::mem::take(&mut incoming[t as usize]);
                seen[t as usize] |= add;
                fresh[t as usize] = add;
                for j in ones(add) {
                    dist[t as usize * WORD + j] = d;
                }
            }
            std::mem::swap(&mut level, &mut next);
            next.clear();
        }
        dist
    }

    fn flow_carries(&self, flow: u32, c: CategoryIdx) -> bool {
        self.model.flows[flow as usize]
            .categories
            .as_ref()
            .is_none_or(|m| m.contains(c))
    }

    /// The smallest shortest chain from `s` upstream to a holder of `c`, with
    /// `dist` the distances for `c`. Among predecessors one step closer, the
    /// smallest id wins; ids are distinct, so that choice decides the
    /// comparison of the whole path.
    fn upstream(
        &self,
        s: SystemIdx,
        c: CategoryIdx,
        dist: impl Fn(u32) -> u32,
        path: &mut Vec<Step>,
    ) {
        let mut at = s.0;
        path.push(Step::System(s));
        while dist(at) > 0 {
            let want = dist(at) - 1;
            let Some(&(u, _)) = self
                .graph
                .incoming(at)
                .iter()
                .find(|&&(u, flow)| dist(u) == want && self.flow_carries(flow, c))
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
        let dist = self.distances(c);
        Some(self.path_from(entry, steps, c, |s| dist[s as usize]))
    }

    /// Completes a path whose first steps (the reaching organisation, if any)
    /// are `steps`, from the entry's system upstream.
    fn path_from(
        &self,
        entry: Entry,
        mut steps: Vec<Step>,
        c: CategoryIdx,
        dist: impl Fn(u32) -> u32,
    ) -> Path {
        let system = match entry {
            Entry::System(s) => s,
            Entry::Access(a) => self.model.accesses[a].to,
        };
        self.upstream(system, c, dist, &mut steps);
        Path(steps)
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

    /// Sort key of an entry's path: length, then the items one by one, with
    /// `dist` the distances for the category. Items compare as strings; within
    /// one namespace that is index order, and paths of one kind put the same
    /// namespace at the same place.
    fn route_key(&self, kind: Kind, entry: Entry, dist: impl Fn(u32) -> u32) -> RouteKey {
        match (kind, entry) {
            (Kind::Stored, Entry::System(s)) => (dist(s.0), Step::System(s), s),
            (_, Entry::System(s)) => (dist(s.0), Step::Org(self.model.system(s).operator), s),
            (_, Entry::Access(a)) => {
                let access = &self.model.accesses[a];
                (dist(access.to.0), Step::Org(access.who), access.to)
            }
        }
    }

    /// The first steps of a path from an entry, before its system.
    fn head(&self, kind: Kind, entry: Entry) -> Vec<Step> {
        match (kind, entry) {
            (Kind::Stored, _) => Vec::new(),
            (_, Entry::System(s)) => vec![Step::Org(self.model.system(s).operator)],
            (_, Entry::Access(a)) => vec![Step::Org(self.model.accesses[a].who)],
        }
    }

    fn by_country(&self) -> &ByCountry {
        self.by_country.get_or_init(|| {
            let mut all: Vec<(CountryCode, u32, Kind, Entry)> = self
                .entries()
                .into_iter()
                .enumerate()
                .map(|(i, (country, kind, entry))| (country, i as u32, kind, entry))
                .collect();
            all.sort_unstable_by_key(|&(country, i, _, _)| (country, i));
            let mut countries = Vec::new();
            let mut starts = Vec::new();
            for (i, &(country, ..)) in all.iter().enumerate() {
                if countries.last() != Some(&country) {
                    countries.push(country);
                    starts.push(i as u32);
                }
            }
            starts.push(all.len() as u32);
            ByCountry {
                countries,
                starts,
                entries: all.into_iter().map(|(_, _, k, e)| (k, e)).collect(),
            }
        })
    }

    /// The entry points that give reach to `country`, in [`entries`](Self::entries) order.
    fn country_entries(&self, country: CountryCode) -> &[(Kind, Entry)] {
        let by = self.by_country();
        match by.countries.binary_search(&country) {
            Ok(k) => &by.entries[by.starts[k] as usize..by.starts[k + 1] as usize],
            Err(_) => &[],
        }
    }

    /// The reach matrix: one entry per reached (country, category), sorted by
    /// country then category id.
    ///
    /// Categories are taken a word at a time: one search gives the distances
    /// of the whole block, then one sweep over the systems, in order, looks at
    /// the entry points on each and keeps, per country, category and kind,
    /// the entry with the smallest path; only those paths are built. The
    /// sweep reads distances and holdings in memory order; the block's
    /// distances are dropped before the next block.
    pub fn matrix(&self) -> Vec<Reach> {
        let model = self.model;
        let n = model.categories.len();
        let width = self.width;
        let systems = model.systems.len();
        let entries = self.entries();
        let mut countries: Vec<CountryCode> = entries.iter().map(|&(c, _, _)| c).collect();
        countries.sort_unstable();
        countries.dedup();

        // Entry points by system (a stable counting sort), in compact form.
        let mut masks: Vec<usize> = Vec::new();
        let mut mask_of: Vec<u32> = vec![NO_MASK; model.accesses.len()];
        for &a in &self.accesses {
            if let Some(mask) = &model.accesses[a].categories {
                mask_of[a] = (masks.len() / width) as u32;
                masks.extend((0..width).map(|w| mask.words().get(w).copied().unwrap_or(0)));
            }
        }
        let mut starts = vec![0u32; systems + 1];
        let system_of = |entry: Entry| match entry {
            Entry::System(s) => s,
            Entry::Access(a) => model.accesses[a].to,
        };
        for &(_, _, entry) in &entries {
            starts[system_of(entry).0 as usize + 1] += 1;
        }
        for s in 0..systems {
            starts[s + 1] += starts[s];
        }
        let mut fill = starts.clone();
        let mut points = vec![Point::default(); entries.len()];
        for (i, &(country, kind, entry)) in entries.iter().enumerate() {
            let s = system_of(entry);
            let (_, step, _) = self.route_key(kind, entry, |_| 0);
            let step = match step {
                Step::Org(o) => o.0 as u128,
                Step::System(s) => (1 << 32) | s.0 as u128,
            };
            let slot = &mut fill[s.0 as usize];
            points[*slot as usize] = Point {
                country: countries.binary_search(&country).unwrap_or(0) as u32,
                kind,
                key: (step << 32) | s.0 as u128,
                mask: match entry {
                    Entry::Access(a) => mask_of[a],
                    Entry::System(_) => NO_MASK,
                },
                entry: i as u32,
            };
            *slot += 1;
        }
        drop(fill);

        let blocks = n.div_ceil(WORD);
        let progress =
            crate::progress::Task::new("building witness paths", (blocks * systems) as u64);
        let mut out = Vec::new();
        let slots = countries.len() * WORD * 4;
        let mut best_key = vec![u128::MAX; slots];
        let mut best_entry = vec![0u32; slots];
        for w in 0..blocks {
            let dist = self.block_distances(w);
            best_key.fill(u128::MAX);
            for s in 0..systems {
                if s % 65536 == 65535 {
                    progress.advance(65536);
                }
                let held = self.holding_words[s * width + w];
                if held == 0 {
                    continue;
                }
                let row = &dist[s * WORD..(s + 1) * WORD];
                for p in &points[starts[s] as usize..starts[s + 1] as usize] {
                    let reads = match p.mask {
                        NO_MASK => held,
                        m => held & masks[m as usize * width + w],
                    };
                    for j in ones(reads) {
                        let key = (row[j] as u128) << 96 | p.key;
                        let slot = (p.country as usize * WORD + j) * 4 + p.kind as usize;
                        // Strictly smaller: equal keys mean equal paths.
                        if key < best_key[slot] {
                            best_key[slot] = key;
                            best_entry[slot] = p.entry;
                        }
                    }
                }
            }
            for (k, &country) in countries.iter().enumerate() {
                for j in 0..WORD.min(n - w * WORD) {
                    let c = CategoryIdx((w * WORD + j) as u32);
                    let base = (k * WORD + j) * 4;
                    let kinds: Vec<Kind> = Kind::ALL
                        .into_iter()
                        .filter(|&kind| best_key[base + kind as usize] != u128::MAX)
                        .collect();
                    let Some(&first) = kinds.first() else {
                        continue;
                    };
                    let (_, _, entry) = entries[best_entry[base + first as usize] as usize];
                    let head = self.head(first, entry);
                    let path = self.path_from(entry, head, c, |s| dist[s as usize * WORD + j]);
                    out.push(Reach {
                        country,
                        category: c,
                        kinds,
                        path,
                    });
                }
            }
        }
        out.sort_by_key(|r| (r.country, r.category));
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
        let dist = self.distances(c);
        let mut routes: Vec<(Kind, RouteKey, Entry)> = self
            .country_entries(country)
            .iter()
            .filter(|&&(_, e)| self.entry_reads_category(e, c))
            .map(|&(kind, entry)| {
                (
                    kind,
                    self.route_key(kind, entry, |s| dist[s as usize]),
                    entry,
                )
            })
            .collect();
        routes.sort();
        routes.dedup();
        routes
            .into_iter()
            .map(|(kind, _, entry)| Route {
                kind,
                entry,
                path: self.path_from(entry, self.head(kind, entry), c, |s| dist[s as usize]),
            })
            .collect()
    }

    /// The witness of one kind: the first of [`routes`](Self::routes) of that kind.
    pub fn witness(&self, country: CountryCode, c: CategoryIdx, kind: Kind) -> Option<Path> {
        let dist = self.distances(c);
        let (_, entry) = self
            .country_entries(country)
            .iter()
            .filter(|&&(k, e)| k == kind && self.entry_reads_category(e, c))
            .map(|&(_, entry)| (self.route_key(kind, entry, |s| dist[s as usize]), entry))
            .min()?;
        Some(self.path_from(entry, self.head(kind, entry), c, |s| dist[s as usize]))
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
