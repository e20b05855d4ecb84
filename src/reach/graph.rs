//! The flow graph of one evaluation date, in compressed adjacency form, and
//! the petgraph support it needs (strongly connected components). petgraph
//! stays inside this module.

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

/// Edges `from -> to` of the active flows, indexed both ways.
pub(crate) struct FlowGraph {
    /// `in_start[s]..in_start[s+1]` indexes `in_edges` for system `s`.
    in_start: Vec<u32>,
    /// (source system, flow index)
    in_edges: Vec<(u32, u32)>,
    out_start: Vec<u32>,
    /// (target system, flow index)
    out_edges: Vec<(u32, u32)>,
}

fn compress(
    nodes: usize,
    edges: impl Iterator<Item = (u32, u32, u32)>,
) -> (Vec<u32>, Vec<(u32, u32)>) {
    let edges: Vec<(u32, u32, u32)> = edges.collect();
    let mut start = vec![0u32; nodes + 1];
    for &(key, _, _) in &edges {
        start[key as usize + 1] += 1;
    }
    for i in 0..nodes {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut out = vec![(0, 0); edges.len()];
    for (key, other, flow) in edges {
        out[fill[key as usize] as usize] = (other, flow);
        fill[key as usize] += 1;
    }
    // Sorted neighbours make every later scan deterministic and let path
    // construction stop at the first (smallest-id) candidate.
    for i in 0..nodes {
        out[start[i] as usize..start[i + 1] as usize].sort_unstable();
    }
    (start, out)
}

impl FlowGraph {
    /// `edges`: (from, to, flow index) of every active flow.
    pub fn new(nodes: usize, edges: &[(u32, u32, u32)]) -> FlowGraph {
        let (in_start, in_edges) = compress(nodes, edges.iter().map(|&(f, t, i)| (t, f, i)));
        let (out_start, out_edges) = compress(nodes, edges.iter().copied());
        FlowGraph {
            in_start,
            in_edges,
            out_start,
            out_edges,
        }
    }

    pub fn nodes(&self) -> usize {
        self.in_start.len() - 1
    }

    /// (source, flow) of the flows into `s`, sources in ascending order.
    pub fn incoming(&self, s: u32) -> &[(u32, u32)] {
        &self.in_edges[self.in_start[s as usize] as usize..self.in_start[s as usize + 1] as usize]
    }

    /// (target, flow) of the flows out of `s`.
    pub fn outgoing(&self, s: u32) -> &[(u32, u32)] {
        &self.out_edges
            [self.out_start[s as usize] as usize..self.out_start[s as usize + 1] as usize]
    }

    /// Strongly connected components in topological order (sources first).
    /// Kosaraju's algorithm in petgraph is iterative, so chains of any length are safe.
    pub fn components_in_topological_order(&self) -> Vec<Vec<u32>> {
        let mut graph: DiGraph<(), ()> = DiGraph::with_capacity(self.nodes(), self.out_edges.len());
        for _ in 0..self.nodes() {
            graph.add_node(());
        }
        for s in 0..self.nodes() as u32 {
            for &(t, _) in self.outgoing(s) {
                graph.add_edge(NodeIndex::new(s as usize), NodeIndex::new(t as usize), ());
            }
        }
        // kosaraju_scc lists components in reverse topological order.
        let mut components: Vec<Vec<u32>> = petgraph::algo::kosaraju_scc(&graph)
            .into_iter()
            .map(|c| c.into_iter().map(|n| n.index() as u32).collect())
            .collect();
        components.reverse();
        components
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

    #[test]
    fn components_come_sources_first_and_cycles_stay_together() {
        // 0 -> 1 -> 2 -> 1, 2 -> 3
        let g = FlowGraph::new(4, &[(0, 1, 0), (1, 2, 1), (2, 1, 2), (2, 3, 3)]);
        let mut comps = g.components_in_topological_order();
        for c in &mut comps {
            c.sort();
        }
        assert_eq!(comps, vec![vec![0], vec![1, 2], vec![3]]);
        assert_eq!(g.incoming(1), &[(0, 0), (2, 2)]);
    }
}
