//! The reach engine (SPEC §2): effective holdings through flows, the four reach
//! kinds, and one deterministic shortest witness path per reached pair.
//!
//! Evaluation is per date: only entries that apply on the date take part.
//! One bit-parallel breadth-first search, forward along the flows from every
//! system with what it holds itself, gives both the effective holdings (the
//! least fixpoint) and every system's distance upstream to a holder of each
//! category, from which witnesses are built.

pub mod baseline;
mod graph;
pub mod reference;

use std::fmt;
use std::sync::OnceLock;
use std::thread;

use serde::Serialize;

use crate::model::{
    CategoryIdx, CategorySet, ContractKind, CountryCode, Date, Kind, Model, OrgIdx, Role, SystemIdx,
};
use graph::{Adjacency, Reached, Search, WORD, breadth_first};

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
    /// At most how many threads to use (1: stay on the calling thread).
    threads: usize,
    system_active: Vec<bool>,
    /// Indices into `model.accesses` of the accesses that apply.
    accesses: Vec<usize>,
    /// The active flows keyed by their target, for walking upstream.
    incoming: Adjacency,
    /// Words per category set.
    width: usize,
    search: Search,
    /// For the matrix; made on the spare thread while the search runs, when
    /// there is one, else when first needed.
    points: OnceLock<EntryPoints>,
    /// `holdings` as sets, made when first asked for.
    holding_sets: OnceLock<Vec<CategorySet>>,
    /// Entry points grouped by the country they give reach to.
    by_country: OnceLock<ByCountry>,
    /// The entry points of the first country asked about, found without
    /// grouping all of them: `explain` of one country needs no more.
    first_country: OnceLock<(CountryCode, Vec<(Kind, Entry)>)>,
}

/// Entry points by country: `countries[k]` has `entries[starts[k]..starts[k + 1]]`,
/// in the order [`Evaluation::entries`] lists them.
struct ByCountry {
    countries: Vec<CountryCode>,
    starts: Vec<u32>,
    entries: Vec<(Kind, Entry)>,
}

/// An entry point as the matrix sweep needs it, stored with the points of
/// its system.
#[derive(Clone, Copy)]
struct Point {
    /// The country it gives reach to, as [`country_index`], times 4, plus the kind.
    slot: u32,
    /// The first step of its paths: the reaching organisation, or for
    /// stored reach the system itself.
    first: u32,
    /// Index of the access's category words in the sweep's masks, or [`NO_MASK`].
    mask: u32,
    /// The access (index into `Model::accesses`), or [`NO_ACCESS`] for the system itself.
    access: u32,
}

impl Point {
    /// No entry point (a system without operator reach has none of its own).
    const NONE: Point = Point {
        slot: u32::MAX,
        first: 0,
        mask: NO_MASK,
        access: NO_ACCESS,
    };
}

const NO_MASK: u32 = u32::MAX;
const NO_ACCESS: u32 = u32::MAX;

/// The entry points of an evaluation as the matrix sweep needs them, by
/// system: each system's own (stored, operated) and its accesses', with the
/// accesses' category masks.
struct EntryPoints {
    own: Vec<[Point; 2]>,
    /// `access[access_start[s]..access_start[s + 1]]` are the points of the
    /// accesses to system `s`.
    access_start: Vec<u32>,
    access: Vec<Point>,
    /// `width` words per masked access.
    masks: Vec<usize>,
    /// By [`country_index`]: the countries that the entry points give reach to.
    present: Vec<Option<CountryCode>>,
}

impl EntryPoints {
    /// The two tables are made side by side when `parallel`.
    fn new(
        model: &Model,
        date: Date,
        system_active: &[bool],
        accesses: &[usize],
        width: usize,
        parallel: bool,
    ) -> EntryPoints {
        let systems = model.systems.len();
        let slot = |c: CountryCode, kind: Kind| country_index(c) as u32 * 4 + kind as u32;
        let org_country: Vec<CountryCode> = model.organisations.iter().map(|o| o.country).collect();
        let org_active: Vec<bool> = model
            .organisations
            .iter()
            .map(|o| o.window.applies(date))
            .collect();
        let ((own, own_present), (access_start, access, masks, access_present)) = join(
            parallel,
            || {
                let mut present = vec![None; 26 * 26];
                let mut points: Vec<[Point; 2]> = vec![[Point::NONE; 2]; systems];
                for (s, system) in model.systems.iter().enumerate() {
                    if !system_active[s] {
                        continue;
                    }
                    points[s][0] = Point {
                        slot: slot(system.country, Kind::Stored),
                        first: s as u32,
                        mask: NO_MASK,
                        access: NO_ACCESS,
                    };
                    present[country_index(system.country)] = Some(system.country);
                    let operator = system.operator.0 as usize;
                    if system.operator_access && org_active[operator] {
                        let country = org_country[operator];
                        points[s][1] = Point {
                            slot: slot(country, Kind::Operated),
                            first: operator as u32,
                            mask: NO_MASK,
                            access: NO_ACCESS,
                        };
                        present[country_index(country)] = Some(country);
                    }
                }
                (points, present)
            },
            || {
                let mut present = vec![None; 26 * 26];
                let mut masks: Vec<usize> = Vec::new();
                let mut start = vec![0u32; systems + 1];
                let mut listed: Vec<(u32, Point)> = Vec::with_capacity(accesses.len() * 2);
                for &a in accesses {
                    let access = &model.accesses[a];
                    let mask = match &access.categories {
                        Some(mask) => {
                            let m = (masks.len() / width) as u32;
                            let words = mask.words();
                            masks.extend((0..width).map(|w| words.get(w).copied().unwrap_or(0)));
                            m
                        }
                        None => NO_MASK,
                    };
                    let point = Point {
                        slot: slot(access.from_country, Kind::Accessed),
                        first: access.who.0,
                        mask,
                        access: a as u32,
                    };
                    present[country_index(access.from_country)] = Some(access.from_country);
                    let to = access.to.0;
                    listed.push((to, point));
                    start[to as usize + 1] += 1;
                    let seat = org_country[access.who.0 as usize];
                    if seat != access.from_country {
                        let point = Point {
                            slot: slot(seat, Kind::Seat),
                            ..point
                        };
                        present[country_index(seat)] = Some(seat);
                        listed.push((to, point));
                        start[to as usize + 1] += 1;
                    }
                }
                for s in 0..systems {
                    start[s + 1] += start[s];
                }
                let mut fill = start.clone();
                let mut points = vec![Point::NONE; listed.len()];
                for (to, point) in listed {
                    points[fill[to as usize] as usize] = point;
                    fill[to as usize] += 1;
                }
                (start, points, masks, present)
            },
        );
        EntryPoints {
            own,
            access_start,
            access,
            masks,
            present: own_present
                .iter()
                .zip(&access_present)
                .map(|(a, b)| a.or(*b))
                .collect(),
        }
    }
}

/// Sort key of a route: path length, then its items (see [`Evaluation::route_key`]).
type RouteKey = (u32, Step, SystemIdx);

/// Below this many flows, accesses and systems together, evaluation stays on
/// one thread: starting threads would cost more than they save.
const PARALLEL_FROM: usize = 50_000;

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

/// Runs `a` and `b`, on two threads when `parallel`.
fn join<A, B: Send>(parallel: bool, a: impl FnOnce() -> A, b: impl FnOnce() -> B + Send) -> (A, B) {
    if !parallel {
        return (a(), b());
    }
    crate::threads::alongside(a, b)
}

/// A country code (two letters A–Z) as a dense index below 26 × 26, in the
/// order of the codes.
fn country_index(c: CountryCode) -> usize {
    let letter = |b: u8| usize::from(b.wrapping_sub(b'A')) % 26;
    match c.as_str().as_bytes() {
        &[a, b] => letter(a) * 26 + letter(b),
        _ => 0,
    }
}

impl<'m> Evaluation<'m> {
    /// Evaluates on the machine's cores (up to four) when the model is big
    /// enough to repay starting threads, else on the calling thread.
    pub fn new(model: &'m Model, date: Date) -> Evaluation<'m> {
        let size = model.flows.len() + model.accesses.len() + model.systems.len();
        let threads = if size < PARALLEL_FROM {
            1
        } else {
            thread::available_parallelism().map_or(1, |n| n.get().min(4))
        };
        Evaluation::with_threads(model, date, threads)
    }

    /// Evaluates using at most `threads` threads (at least one), whatever the
    /// size of the model; the results are the same for any number. The
    /// evaluation's own work splits in two (the search beside the upstream
    /// edges and the matrix's entry points); the matrix sweep splits in
    /// `threads`.
    pub fn with_threads(model: &'m Model, date: Date, threads: usize) -> Evaluation<'m> {
        Evaluation::build(model, date, threads, true, None)
    }

    /// Evaluates for questions about a few pairs ([`Evaluation::routes`],
    /// as `explain` asks): like [`Evaluation::new`], but the matrix's entry
    /// points are made only if the matrix is asked for.
    pub fn for_pairs(model: &'m Model, date: Date) -> Evaluation<'m> {
        Evaluation::build(model, date, Evaluation::pair_threads(model), false, None)
    }

    /// Evaluates for questions about category `c` alone (`explain
    /// --category`): the model on `date` with every other category left out
    /// of what its systems hold. Its answers about `c` ([`routes`],
    /// [`witness`], what holds or reads `c`) are those of
    /// [`Evaluation::new`]; it finds no other category held or reached.
    /// The search for one category takes a fraction of the search for all.
    ///
    /// [`routes`]: Self::routes
    /// [`witness`]: Self::witness
    pub fn for_category(model: &'m Model, date: Date, c: CategoryIdx) -> Evaluation<'m> {
        Evaluation::build(model, date, Evaluation::pair_threads(model), false, Some(c))
    }

    fn pair_threads(model: &Model) -> usize {
        let size = model.flows.len() + model.accesses.len() + model.systems.len();
        if size < PARALLEL_FROM {
            1
        } else {
            thread::available_parallelism().map_or(1, |n| n.get().min(2))
        }
    }

    fn build(
        model: &'m Model,
        date: Date,
        threads: usize,
        matrix: bool,
        only: Option<CategoryIdx>,
    ) -> Evaluation<'m> {
        let threads = threads.max(1);
        let width = model.categories.len().div_ceil(WORD).max(1);
        // What systems may hold, word by word: every category, or only `only`.
        let kept: Vec<usize> = match only {
            None => vec![usize::MAX; width],
            Some(c) => (0..width)
                .map(|w| match c.0 as usize / WORD == w {
                    true => 1 << (c.0 as usize % WORD),
                    false => 0,
                })
                .collect(),
        };
        let systems = model.systems.len();
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
        let parallel = threads > 1;
        // The flows and the accesses that apply, and what systems hold
        // themselves, side by side.
        let ((edges, flow_words), (own, accesses)) = join(
            parallel,
            || {
                let mut edges: Vec<(u32, u32, u32)> = Vec::new();
                // What each flow carries, as words (all ones: everything).
                let mut flow_words = vec![0usize; model.flows.len() * width];
                for (i, f) in model.flows.iter().enumerate() {
                    if f.window.applies(date)
                        && system_active[f.from.0 as usize]
                        && system_active[f.to.0 as usize]
                    {
                        edges.push((f.from.0, f.to.0, i as u32));
                        let words = &mut flow_words[i * width..(i + 1) * width];
                        match &f.categories {
                            Some(mask) => {
                                for (w, word) in words.iter_mut().zip(mask.words()) {
                                    *w = *word;
                                }
                            }
                            None => words.fill(usize::MAX),
                        }
                    }
                }
                (edges, flow_words)
            },
            || {
                let mut own = vec![0usize; systems * width];
                for (s, system) in model.systems.iter().enumerate() {
                    if system_active[s] {
                        let words = system.holds.words().iter().zip(&kept);
                        for (w, (word, kept)) in
                            own[s * width..(s + 1) * width].iter_mut().zip(words)
                        {
                            *w = *word & kept;
                        }
                    }
                }
                let accesses: Vec<usize> = model
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
                (own, accesses)
            },
        );
        // The search needs only the downstream edges; the upstream ones, for
        // paths, are made meanwhile.
        let (search, (incoming, points)) = join(
            parallel,
            || Adjacency::new(systems, edges.iter().copied(), &flow_words, width).search(&own),
            || {
                let incoming = Adjacency::new(
                    systems,
                    edges.iter().map(|&(f, t, i)| (t, f, i)),
                    &flow_words,
                    width,
                );
                let points = OnceLock::new();
                if parallel && matrix {
                    let made =
                        EntryPoints::new(model, date, &system_active, &accesses, width, false);
                    let _ = points.set(made);
                }
                (incoming, points)
            },
        );
        Evaluation {
            model,
            date,
            threads,
            system_active,
            accesses,
            incoming,
            width,
            search,
            points,
            holding_sets: OnceLock::new(),
            by_country: OnceLock::new(),
            first_country: OnceLock::new(),
        }
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
        let mut flows: Vec<usize> = (0..self.incoming.nodes() as u32)
            .flat_map(|s| self.incoming.at(s).iter().map(|&(_, f)| f as usize))
            .collect();
        flows.sort_unstable();
        flows
    }

    /// The words of `H(s)`.
    fn held(&self, s: SystemIdx) -> &[usize] {
        let s = s.0 as usize;
        &self.search.holdings[s * self.width..(s + 1) * self.width]
    }

    fn held_contains(&self, s: SystemIdx, c: CategoryIdx) -> bool {
        self.held(s)[c.0 as usize / WORD] >> (c.0 as usize % WORD) & 1 != 0
    }

    /// Effective holdings `H(s)` on the date: the least fixpoint of
    /// `H(s) = holds(s) ∪ ⋃ H(u) ∩ flow(u→s)`.
    pub fn holdings(&self, s: SystemIdx) -> &CategorySet {
        let sets = self.holding_sets.get_or_init(|| {
            let n = self.model.categories.len();
            self.search
                .holdings
                .chunks(self.width)
                .map(|words| CategorySet::from_words(n, words))
                .collect()
        });
        &sets[s.0 as usize]
    }

    /// What an access can read: `H(to) ∩ categories`.
    pub fn access_reads(&self, access: usize) -> CategorySet {
        let a = &self.model.accesses[access];
        let mut set = CategorySet::from_words(self.model.categories.len(), self.held(a.to));
        if let Some(mask) = &a.categories {
            set.intersect_with(mask);
        }
        set
    }

    /// Distance of `s` upstream to a system that holds `c` itself.
    fn dist(&self, c: CategoryIdx) -> impl Fn(u32) -> u32 + '_ {
        move |s| self.search.dist(s, c.0)
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
                .incoming
                .at(at)
                .iter()
                .enumerate()
                .find(|&(i, &(u, _))| dist(u) == want && self.incoming.carries(at, i, c.0))
                .map(|(_, edge)| edge)
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
                if !self.held_contains(s, c) {
                    return None;
                }
            }
            (Kind::Operated, Entry::System(s)) => {
                let system = self.model.system(s);
                if !system.operator_access || !self.held_contains(s, c) {
                    return None;
                }
                steps.push(Step::Org(system.operator));
            }
            (Kind::Accessed | Kind::Seat, Entry::Access(a)) => {
                if !self.entry_reads_category(entry, c) {
                    return None;
                }
                steps.push(Step::Org(self.model.accesses[a].who));
            }
            _ => return None,
        }
        Some(self.path_from(entry, steps, c, self.dist(c)))
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
        let mut out = Vec::new();
        self.each_entry(|country, kind, entry| out.push((country, kind, entry)));
        out
    }

    /// Calls `f` with each of [`entries`](Self::entries), in their order.
    fn each_entry(&self, mut f: impl FnMut(CountryCode, Kind, Entry)) {
        let model = self.model;
        for (i, s) in model.systems.iter().enumerate() {
            if !self.system_active[i] {
                continue;
            }
            let idx = SystemIdx(i as u32);
            f(s.country, Kind::Stored, Entry::System(idx));
            if s.operator_access && model.organisation(s.operator).window.applies(self.date) {
                f(
                    model.organisation(s.operator).country,
                    Kind::Operated,
                    Entry::System(idx),
                );
            }
        }
        for &a in &self.accesses {
            let access = &model.accesses[a];
            f(access.from_country, Kind::Accessed, Entry::Access(a));
            let seat = model.organisation(access.who).country;
            if seat != access.from_country {
                f(seat, Kind::Seat, Entry::Access(a));
            }
        }
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
        if self.by_country.get().is_none() {
            let (first, entries) = self.first_country.get_or_init(|| {
                let mut entries = Vec::new();
                self.each_entry(|c, kind, entry| {
                    if c == country {
                        entries.push((kind, entry));
                    }
                });
                (country, entries)
            });
            if *first == country {
                return entries;
            }
        }
        let by = self.by_country();
        match by.countries.binary_search(&country) {
            Ok(k) => &by.entries[by.starts[k] as usize..by.starts[k + 1] as usize],
            Err(_) => &[],
        }
    }

    /// The reach matrix: one entry per reached (country, category), sorted by
    /// country then category id.
    ///
    /// One sweep over the systems, in order, looks at the entry points on
    /// each and at the categories it holds, level by level of the search
    /// (each level one distance), and keeps, per country, category and kind,
    /// the entry with the smallest path; only those paths are built. The
    /// systems can be split between threads, each keeping its own best
    /// entries, merged at the end: equal keys mean equal paths, so the merge
    /// does not depend on the split.
    pub fn matrix(&self) -> Vec<Reach> {
        let model = self.model;
        let n = model.categories.len();
        let width = self.width;
        let systems = model.systems.len();
        let parallel = self.threads > 1;

        let points = self.points.get_or_init(|| {
            EntryPoints::new(
                model,
                self.date,
                &self.system_active,
                &self.accesses,
                width,
                parallel,
            )
        });
        let EntryPoints {
            own: own_points,
            access_start,
            access: access_points,
            masks,
            present,
        } = points;
        // Code order is the order of the codes, so `countries` comes sorted.
        let mut countries: Vec<CountryCode> = Vec::new();
        // From a point's slot to its (country, kind) among `countries`.
        let mut slot_of = vec![0u32; 26 * 26 * 4];
        for (k, code) in present.iter().enumerate() {
            if let Some(code) = code {
                for kind in 0..4 {
                    slot_of[k * 4 + kind] = (countries.len() * 4 + kind) as u32;
                }
                countries.push(*code);
            }
        }

        let slots = countries.len() * 4 * n;
        let search = &self.search;
        let progress = crate::progress::Task::new("building witness paths", systems as u64);
        let sweep = |range: std::ops::Range<usize>| {
            let mut best_key = vec![u128::MAX; slots];
            let mut best_point = vec![(0u32, 0u32); slots];
            for s in range {
                if s % 65536 == 65535 {
                    progress.advance(65536);
                }
                let levels = search.levels(s);
                if levels.is_empty() {
                    continue;
                }
                let own = own_points[s].iter().filter(|p| p.slot != Point::NONE.slot);
                let accesses =
                    &access_points[access_start[s] as usize..access_start[s + 1] as usize];
                for p in own.chain(accesses) {
                    let base = slot_of[p.slot as usize] as usize * n;
                    for level in levels {
                        let key = (level.dist as u128) << 64 | (p.first as u128) << 32 | s as u128;
                        let w = level.word as usize;
                        let reads = match p.mask {
                            NO_MASK => level.bits,
                            m => level.bits & masks[m as usize * width + w],
                        };
                        for j in ones(reads) {
                            // Slots run category-major within a (country, kind).
                            let slot = base + w * WORD + j;
                            // Strictly smaller: equal keys mean equal paths.
                            if key < best_key[slot] {
                                best_key[slot] = key;
                                best_point[slot] = (s as u32, p.access);
                            }
                        }
                    }
                }
            }
            (best_key, best_point)
        };
        // Split the systems so that each part has about as many levels.
        let parts = if parallel { self.threads } else { 1 };
        let levels = search.levels.len();
        let bounds: Vec<usize> = (0..=parts)
            .map(|i| {
                search
                    .start
                    .partition_point(|&e| (e as usize) < levels * i / parts)
                    .min(systems)
            })
            .collect();
        let results = thread::scope(|scope| {
            let handles: Vec<_> = bounds
                .windows(2)
                .skip(1)
                .map(|b| {
                    let range = b[0]..b[1];
                    scope.spawn(move || sweep(range))
                })
                .collect();
            let mut results = vec![sweep(bounds[0]..bounds[1])];
            results.extend(
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))),
            );
            results
        });
        let mut results = results.into_iter();
        let (mut best_key, mut best_point) = results.next().unwrap_or_default();
        for (keys, points) in results {
            for slot in 0..slots {
                if keys[slot] < best_key[slot] {
                    best_key[slot] = keys[slot];
                    best_point[slot] = points[slot];
                }
            }
        }

        let mut out = Vec::new();
        for (k, &country) in countries.iter().enumerate() {
            for c in 0..n {
                let slot = |kind: Kind| (k * 4 + kind as usize) * n + c;
                let kinds: Vec<Kind> = Kind::ALL
                    .into_iter()
                    .filter(|&kind| best_key[slot(kind)] != u128::MAX)
                    .collect();
                let Some(&first) = kinds.first() else {
                    continue;
                };
                let (system, access) = best_point[slot(first)];
                let entry = match access {
                    NO_ACCESS => Entry::System(SystemIdx(system)),
                    a => Entry::Access(a as usize),
                };
                let c = CategoryIdx(c as u32);
                let path = self.path_from(entry, self.head(first, entry), c, self.dist(c));
                out.push(Reach {
                    country,
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
            Entry::System(s) => self.held_contains(s, c),
            Entry::Access(a) => {
                let access = &self.model.accesses[a];
                self.held_contains(access.to, c)
                    && access.categories.as_ref().is_none_or(|m| m.contains(c))
            }
        }
    }

    /// Every route by which `country` reaches `c`, one per entry point, sorted
    /// by kind and then by path.
    pub fn routes(&self, country: CountryCode, c: CategoryIdx) -> Vec<Route> {
        let dist = self.dist(c);
        let mut routes: Vec<(Kind, RouteKey, Entry)> = self
            .country_entries(country)
            .iter()
            .filter(|&&(_, e)| self.entry_reads_category(e, c))
            .map(|&(kind, entry)| (kind, self.route_key(kind, entry, &dist), entry))
            .collect();
        routes.sort();
        routes.dedup();
        routes
            .into_iter()
            .map(|(kind, _, entry)| Route {
                kind,
                entry,
                path: self.path_from(entry, self.head(kind, entry), c, &dist),
            })
            .collect()
    }

    /// The witness of one kind: the first of [`routes`](Self::routes) of that kind.
    pub fn witness(&self, country: CountryCode, c: CategoryIdx, kind: Kind) -> Option<Path> {
        let dist = self.dist(c);
        let (_, entry) = self
            .country_entries(country)
            .iter()
            .filter(|&&(k, e)| k == kind && self.entry_reads_category(e, c))
            .map(|&(_, entry)| (self.route_key(kind, entry, &dist), entry))
            .min()?;
        Some(self.path_from(entry, self.head(kind, entry), c, &dist))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// An evaluation for a few pairs, on two threads, answers as the full
    /// one does, and still gives the whole matrix when asked.
    #[test]
    fn an_evaluation_for_pairs_answers_as_the_full_one() {
        let dir = tempfile::tempdir().unwrap();
        crate::synth::write(&crate::synth::Params::scaled(3000, 5), dir.path()).unwrap();
        let model = Model::load(dir.path()).unwrap();
        let date = model.default_date();
        let full = Evaluation::with_threads(&model, date, 2);
        let pairs = Evaluation::build(&model, date, 2, false, None);
        assert!(pairs.points.get().is_none(), "no entry points made ahead");
        let matrix = full.matrix();
        assert!(!matrix.is_empty());
        for r in matrix.iter().step_by(7) {
            assert_eq!(
                pairs.routes(r.country, r.category),
                full.routes(r.country, r.category)
            );
        }
        assert_eq!(pairs.matrix(), matrix);
    }

    /// The first country asked about is answered from its own entry points,
    /// found apart; later countries from all of them grouped: the same routes.
    #[test]
    fn the_first_country_is_answered_as_the_others() {
        let dir = tempfile::tempdir().unwrap();
        crate::synth::write(&crate::synth::Params::scaled(3000, 6), dir.path()).unwrap();
        let model = Model::load(dir.path()).unwrap();
        let date = model.default_date();
        let matrix = Evaluation::new(&model, date).matrix();
        let grouped = Evaluation::new(&model, date);
        let pairs: Vec<_> = matrix.iter().map(|r| (r.country, r.category)).collect();
        // Two countries asked: the second groups all entry points.
        let first = pairs[0];
        let second = *pairs.iter().find(|p| p.0 != first.0).unwrap();
        for (country, category) in [first, second] {
            assert!(!grouped.routes(country, category).is_empty());
        }
        assert!(grouped.by_country.get().is_some());
        let mut asked = 0;
        for &(country, category) in pairs.iter().step_by(5) {
            let apart = Evaluation::new(&model, date);
            let routes = apart.routes(country, category);
            assert!(apart.by_country.get().is_none() && !routes.is_empty());
            assert_eq!(routes, grouped.routes(country, category));
            asked += 1;
        }
        assert!(asked > 10);
    }
}
