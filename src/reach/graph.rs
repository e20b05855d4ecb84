//! The flow graph of one evaluation date, in compressed adjacency form with
//! what each flow carries beside it; the bit-parallel search for holdings and
//! distances over it; and breadth-first search over organisation links.
//! petgraph stays inside this module.

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

/// Bits of a machine word, the width of one block of categories.
pub(crate) const WORD: usize = usize::BITS as usize;

/// Distance of a system that does not hold a category.
pub(crate) const FAR: u32 = u32::MAX;

/// The edges of the active flows keyed by one end, each with the words of
/// the categories its flow carries beside it, so searches read them in
/// memory order instead of looking each flow up in the model.
pub(crate) struct Adjacency {
    width: usize,
    /// `start[s]..start[s+1]` indexes `edges` for system `s`.
    start: Vec<u32>,
    /// (system at the other end, flow index), sorted.
    edges: Vec<(u32, u32)>,
    /// `width` words per entry of `edges`.
    words: Vec<usize>,
}

impl Adjacency {
    /// `edges`: (key, other, flow index); `flow_words`: `width` words per
    /// flow index, the categories the flow carries.
    pub fn new(
        nodes: usize,
        edges: impl Iterator<Item = (u32, u32, u32)> + Clone,
        flow_words: &[usize],
        width: usize,
    ) -> Adjacency {
        let mut start = vec![0u32; nodes + 1];
        let mut count = 0;
        for (key, _, _) in edges.clone() {
            start[key as usize + 1] += 1;
            count += 1;
        }
        for i in 0..nodes {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut out = vec![(0, 0); count];
        for (key, other, flow) in edges {
            out[fill[key as usize] as usize] = (other, flow);
            fill[key as usize] += 1;
        }
        // Sorted neighbours make every later scan deterministic and let path
        // construction stop at the first (smallest-id) candidate.
        for i in 0..nodes {
            let list = &mut out[start[i] as usize..start[i + 1] as usize];
            if list.len() > 1 {
                list.sort_unstable();
            }
        }
        let mut words = Vec::with_capacity(count * width);
        for &(_, flow) in &out {
            let flow = flow as usize;
            words.extend_from_slice(&flow_words[flow * width..(flow + 1) * width]);
        }
        Adjacency {
            width,
            start,
            edges: out,
            words,
        }
    }

    pub fn nodes(&self) -> usize {
        self.start.len() - 1
    }

    /// (other end, flow) of the edges at `s`, other ends in ascending order.
    pub fn at(&self, s: u32) -> &[(u32, u32)] {
        &self.edges[self.start[s as usize] as usize..self.start[s as usize + 1] as usize]
    }

    /// What the flows of [`at`](Self::at) carry, `width` words each.
    pub fn words_at(&self, s: u32) -> &[usize] {
        &self.words[self.start[s as usize] as usize * self.width
            ..self.start[s as usize + 1] as usize * self.width]
    }

    /// Whether the `i`th edge at `s` carries category `c`.
    pub fn carries(&self, s: u32, i: usize, c: u32) -> bool {
        let word = self.words_at(s)[i * self.width + c as usize / WORD];
        word >> (c as usize % WORD) & 1 != 0
    }

    /// The bit-parallel breadth-first search, forward along these edges (keyed
    /// by source), from every system at once with what it holds itself
    /// (`own`, `width` words per system): a category moves along an edge that
    /// carries it. Level `d` is what systems first hold at distance `d`, a
    /// word of categories at a time, so every category of every system is
    /// settled once, at its distance.
    pub fn search(&self, own: &[usize]) -> Search {
        let width = self.width;
        let nodes = self.nodes();
        // Per system, what it holds so far and then what the current level
        // adds to it: side by side, one cache line for both.
        let mut state = vec![0usize; nodes * 2 * width];
        // Every (system, level) in order of distance; the current level is
        // `found[level]`.
        let mut found: Vec<(u32, Level)> = Vec::new();
        for s in 0..nodes {
            for w in 0..width {
                let bits = own[s * width + w];
                if bits != 0 {
                    state[s * 2 * width + w] = bits;
                    let level = Level {
                        dist: 0,
                        word: w as u32,
                        bits,
                    };
                    found.push((s as u32, level));
                }
            }
        }
        // (system, word) of what the next level adds.
        let mut next: Vec<(u32, u32)> = Vec::new();
        let mut level = 0..found.len();
        let mut d = 0;
        while !level.is_empty() {
            for e in level.clone() {
                let (u, Level { word: w, bits, .. }) = found[e];
                let w = w as usize;
                let words = self.words_at(u);
                for (i, &(t, _)) in self.at(u).iter().enumerate() {
                    let at = t as usize * 2 * width;
                    let add = bits & words[i * width + w] & !state[at + w];
                    if add != 0 {
                        if state[at + width + w] == 0 {
                            next.push((t, w as u32));
                        }
                        state[at + width + w] |= add;
                    }
                }
            }
            d += 1;
            let end = found.len();
            for &(t, w) in &next {
                let at = t as usize * 2 * width;
                let bits = std::mem::take(&mut state[at + width + w as usize]);
                state[at + w as usize] |= bits;
                found.push((
                    t,
                    Level {
                        dist: d,
                        word: w,
                        bits,
                    },
                ));
            }
            next.clear();
            level = end..found.len();
        }
        // Grouped by system (a stable counting sort), so a system's levels
        // are side by side, nearest first.
        let mut start = vec![0u32; nodes + 1];
        for &(t, _) in &found {
            start[t as usize + 1] += 1;
        }
        for s in 0..nodes {
            start[s + 1] += start[s];
        }
        let mut fill = start.clone();
        let mut levels = vec![
            Level {
                dist: 0,
                word: 0,
                bits: 0
            };
            found.len()
        ];
        for (t, level) in found {
            levels[fill[t as usize] as usize] = level;
            fill[t as usize] += 1;
        }
        let holdings = state
            .chunks(2 * width)
            .flat_map(|held| &held[..width])
            .copied()
            .collect();
        Search {
            holdings,
            start,
            levels,
        }
    }
}

/// Categories a system first holds at one distance: the set bits of `bits`,
/// in word `word` of the category sets.
#[derive(Clone, Copy)]
pub(crate) struct Level {
    pub dist: u32,
    pub word: u32,
    pub bits: usize,
}

/// What [`Adjacency::search`] finds. System `s` has the levels
/// `levels[start[s]..start[s + 1]]`; each category it holds is in exactly
/// one of them. A system has at most one level per distance and word, and
/// usually a few in all, so the levels take about as much room as the
/// holdings times the number of distinct distances.
pub(crate) struct Search {
    /// `width` words per system: everything it holds (effective holdings).
    pub holdings: Vec<usize>,
    pub start: Vec<u32>,
    pub levels: Vec<Level>,
}

impl Search {
    /// The levels of system `s`.
    pub fn levels(&self, s: usize) -> &[Level] {
        &self.levels[self.start[s] as usize..self.start[s + 1] as usize]
    }

    /// The distance of system `s` upstream to a system that holds category
    /// `c` itself ([`FAR`]: none).
    pub fn dist(&self, s: u32, c: u32) -> u32 {
        let (w, bit) = (c / WORD as u32, c as usize % WORD);
        self.levels(s as usize)
            .iter()
            .find(|l| l.word == w && l.bits >> bit & 1 != 0)
            .map_or(FAR, |l| l.dist)
    }
}

/// Breadth-first reachability over organisation links, returning for each
/// reached node the link it was first reached by.
pub(crate) fn breadth_first<L: Copy>(
    nodes: usize,
    links: &[(u32, u32, L)],
    sources: impl IntoIterator<Item = u32>,
) -> Vec<Option<Reached<L>>> {
    let mut graph: DiGraph<(), L> = DiGraph::with_capacity(nodes, links.len());
    for _ in 0..nodes {
        graph.add_node(());
    }
    for &(from, to, label) in links {
        graph.add_edge(
            NodeIndex::new(from as usize),
            NodeIndex::new(to as usize),
            label,
        );
    }
    let mut reached: Vec<Option<Reached<L>>> = (0..nodes).map(|_| None).collect();
    let mut queue = std::collections::VecDeque::new();
    for s in sources {
        if reached[s as usize].is_none() {
            reached[s as usize] = Some(Reached::Source);
            queue.push_back(NodeIndex::new(s as usize));
        }
    }
    while let Some(n) = queue.pop_front() {
        // Visit neighbours in a fixed order so the recorded link is
        // deterministic: by target, then by the order links were given in,
        // so callers can list preferred links (contracts) first.
        let mut next: Vec<_> = graph
            .edges(n)
            .map(|e| (e.target(), e.id().index(), *e.weight()))
            .collect();
        next.sort_by_key(|&(t, id, _)| (t.index(), id));
        for (t, _, label) in next {
            if reached[t.index()].is_none() {
                reached[t.index()] = Some(Reached::By {
                    from: n.index() as u32,
                    link: label,
                });
                queue.push_back(t);
            }
        }
    }
    reached
}

/// How a node was reached by [`breadth_first`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reached<L> {
    Source,
    By { from: u32, link: L },
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against one plain breadth-first search per category, on pseudo-random
    /// graphs with cycles and masks and more categories than one word: the
    /// same distance for every (system, category), and a system holds a
    /// category exactly when its distance is finite.
    #[test]
    fn search_matches_a_search_per_category() {
        let mut x = 7u64;
        let mut next = move |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % n) as u32
        };
        let categories: usize = 70;
        let width = categories.div_ceil(WORD);
        for round in 0..40 {
            let nodes = 1 + next(50) as usize;
            let m = next(3 * nodes as u64 + 1) as usize;
            let edges: Vec<(u32, u32, u32)> = (0..m)
                .map(|i| (next(nodes as u64), next(nodes as u64), i as u32))
                .collect();
            let bit = |words: &[usize], c: usize| words[c / WORD] >> (c % WORD) & 1 != 0;
            let mut random_set = |density: u64| {
                let mut words = vec![0usize; width];
                for c in 0..categories {
                    if next(100) < density as u32 {
                        words[c / WORD] |= 1 << (c % WORD);
                    }
                }
                words
            };
            // A third of the flows carry everything, the rest a random mask.
            let flow_words: Vec<usize> = (0..m)
                .flat_map(|i| {
                    if i % 3 == 0 {
                        vec![usize::MAX; width]
                    } else {
                        random_set(50)
                    }
                })
                .collect();
            let own: Vec<usize> = (0..nodes).flat_map(|_| random_set(8)).collect();
            let adjacency = Adjacency::new(nodes, edges.iter().copied(), &flow_words, width);
            let search = adjacency.search(&own);
            for c in 0..categories {
                let mut dist = vec![FAR; nodes];
                let mut queue = std::collections::VecDeque::new();
                for (s, d) in dist.iter_mut().enumerate() {
                    if bit(&own[s * width..], c) {
                        *d = 0;
                        queue.push_back(s);
                    }
                }
                while let Some(u) = queue.pop_front() {
                    for &(from, to, flow) in &edges {
                        let (from, to) = (from as usize, to as usize);
                        if from == u
                            && dist[to] == FAR
                            && bit(&flow_words[flow as usize * width..], c)
                        {
                            dist[to] = dist[u] + 1;
                            queue.push_back(to);
                        }
                    }
                }
                for (s, &d) in dist.iter().enumerate() {
                    assert_eq!(
                        search.dist(s as u32, c as u32),
                        d,
                        "round {round}, {s}, {c}"
                    );
                    assert_eq!(
                        bit(&search.holdings[s * width..], c),
                        d != FAR,
                        "round {round}, {s}, {c}"
                    );
                }
            }
        }
    }

    #[test]
    fn edges_at_a_system_come_sorted_with_their_words() {
        // 0 -> 1 (flow 0, carries word 5), 2 -> 1 (flow 1, word 6), 0 -> 2 (flow 2, word 7)
        let edges = [(2, 1, 1), (0, 1, 0), (0, 2, 2)];
        let incoming = Adjacency::new(3, edges.iter().map(|&(f, t, i)| (t, f, i)), &[5, 6, 7], 1);
        assert_eq!(incoming.at(1), &[(0, 0), (2, 1)]);
        assert_eq!(incoming.words_at(1), &[5, 6]);
        assert_eq!(incoming.at(0), &[]);
        assert!(incoming.carries(1, 0, 0) && !incoming.carries(1, 0, 1));
    }
}
