//! The flow graph of one evaluation date, in compressed adjacency form, its
//! strongly connected components, and breadth-first search over organisation
//! links. petgraph stays inside this module.

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
    /// Tarjan's algorithm with an explicit stack, so chains of any length are
    /// safe; components come out flat, without one allocation each.
    pub fn components_in_topological_order(&self) -> Components {
        const NEW: u32 = u32::MAX;
        let n = self.nodes();
        let mut index = vec![NEW; n];
        let mut low = vec![0u32; n];
        let mut on_stack = vec![false; n];
        let mut stack: Vec<u32> = Vec::new();
        let mut calls: Vec<(u32, u32)> = Vec::new();
        let mut next = 0u32;
        // Tarjan finds components sinks first; they are reversed at the end.
        let mut nodes: Vec<u32> = Vec::with_capacity(n);
        let mut ends: Vec<u32> = Vec::new();
        for root in 0..n as u32 {
            if index[root as usize] != NEW {
                continue;
            }
            index[root as usize] = next;
            low[root as usize] = next;
            next += 1;
            stack.push(root);
            on_stack[root as usize] = true;
            calls.push((root, 0));
            while let Some(&mut (v, ref mut at)) = calls.last_mut() {
                let out = self.outgoing(v);
                if let Some(&(w, _)) = out.get(*at as usize) {
                    *at += 1;
                    if index[w as usize] == NEW {
                        index[w as usize] = next;
                        low[w as usize] = next;
                        next += 1;
                        stack.push(w);
                        on_stack[w as usize] = true;
                        calls.push((w, 0));
                    } else if on_stack[w as usize] {
                        low[v as usize] = low[v as usize].min(index[w as usize]);
                    }
                    continue;
                }
                calls.pop();
                if let Some(&(parent, _)) = calls.last() {
                    low[parent as usize] = low[parent as usize].min(low[v as usize]);
                }
                if low[v as usize] == index[v as usize] {
                    loop {
                        let w = stack.pop().expect("v is on the stack");
                        on_stack[w as usize] = false;
                        nodes.push(w);
                        if w == v {
                            break;
                        }
                    }
                    ends.push(nodes.len() as u32);
                }
            }
        }
        // Reverse the order of the components, keeping each one's nodes together.
        let mut order = Vec::with_capacity(n);
        let mut starts = Vec::with_capacity(ends.len() + 1);
        starts.push(0);
        for k in (0..ends.len()).rev() {
            let begin = if k == 0 { 0 } else { ends[k - 1] };
            order.extend_from_slice(&nodes[begin as usize..ends[k] as usize]);
            starts.push(order.len() as u32);
        }
        Components { order, starts }
    }
}

/// Strongly connected components, flat: component `k` is
/// `order[starts[k]..starts[k + 1]]`.
pub(crate) struct Components {
    order: Vec<u32>,
    starts: Vec<u32>,
}

impl Components {
    pub fn iter(&self) -> impl Iterator<Item = &[u32]> + '_ {
        self.starts
            .windows(2)
            .map(|w| &self.order[w[0] as usize..w[1] as usize])
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

    fn components(g: &FlowGraph) -> Vec<Vec<u32>> {
        g.components_in_topological_order()
            .iter()
            .map(|c| {
                let mut c = c.to_vec();
                c.sort();
                c
            })
            .collect()
    }

    #[test]
    fn components_come_sources_first_and_cycles_stay_together() {
        // 0 -> 1 -> 2 -> 1, 2 -> 3
        let g = FlowGraph::new(4, &[(0, 1, 0), (1, 2, 1), (2, 1, 2), (2, 3, 3)]);
        assert_eq!(components(&g), vec![vec![0], vec![1, 2], vec![3]]);
        assert_eq!(g.incoming(1), &[(0, 0), (2, 2)]);
    }

    /// Against petgraph's Kosaraju on pseudo-random graphs: the same
    /// components, and every edge between two components points forward.
    #[test]
    fn components_match_kosaraju() {
        let mut x = 7u64;
        let mut next = move |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % n) as u32
        };
        for round in 0..40u32 {
            let n = 1 + next(60);
            let m = next(3 * n as u64 + 1);
            let edges: Vec<(u32, u32, u32)> = (0..m)
                .map(|i| (next(n as u64), next(n as u64), i))
                .collect();
            let g = FlowGraph::new(n as usize, &edges);
            let mine = components(&g);
            let mut component_of = vec![0; n as usize];
            for (k, c) in mine.iter().enumerate() {
                for &s in c {
                    component_of[s as usize] = k;
                }
            }
            for &(from, to, _) in &edges {
                assert!(
                    component_of[from as usize] <= component_of[to as usize],
                    "round {round}"
                );
            }
            let mut graph: DiGraph<(), ()> = DiGraph::new();
            for _ in 0..n {
                graph.add_node(());
            }
            for &(from, to, _) in &edges {
                graph.add_edge(
                    NodeIndex::new(from as usize),
                    NodeIndex::new(to as usize),
                    (),
                );
            }
            let mut theirs: Vec<Vec<u32>> = petgraph::algo::kosaraju_scc(&graph)
                .into_iter()
                .map(|c| {
                    let mut c: Vec<u32> = c.into_iter().map(|n| n.index() as u32).collect();
                    c.sort();
                    c
                })
                .collect();
            let mut sorted = mine.clone();
            sorted.sort();
            theirs.sort();
            assert_eq!(sorted, theirs, "round {round}");
        }
    }
}
