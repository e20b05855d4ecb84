//! The scale benchmark's baseline: a straightforward per-pair search, the
//! way one would first write it. For one (country, category) it searches
//! the flow graph afresh from the systems that hold the category, then looks
//! at every entry point for the country and keeps the smallest path, as
//! strings. Adjacency lists are built once, but nothing else is shared
//! between pairs: no effective-holdings fixpoint, no category words, no reuse
//! of one pair's search for the next.
//!
//! [`reference`](super::reference) is plainer still (it scans every flow at
//! every step), too slow to run at all on a million rows; this one finishes,
//! so the engine can be measured against it on a sample of pairs and the
//! answers compared.

use std::collections::VecDeque;

use crate::model::{CategoryIdx, CountryCode, Date, Kind, Model};

use super::reference::PlainReach;

/// The flow graph of one date, built once, and the date's active entries.
pub struct Baseline<'m> {
    model: &'m Model,
    date: Date,
    /// For each system, (upstream system, flow index) of its active incoming flows.
    incoming: Vec<Vec<(usize, usize)>>,
    /// For each system, (downstream system, flow index) of its active outgoing flows.
    outgoing: Vec<Vec<(usize, usize)>>,
}

fn applies(since: Option<Date>, until: Option<Date>, date: Date) -> bool {
    since.is_none_or(|s| s <= date) && until.is_none_or(|u| date < u)
}

impl<'m> Baseline<'m> {
    pub fn new(model: &'m Model, date: Date) -> Baseline<'m> {
        let mut incoming = vec![Vec::new(); model.systems.len()];
        let mut outgoing = vec![Vec::new(); model.systems.len()];
        for (i, f) in model.flows.iter().enumerate() {
            let (from, to) = (f.from.0 as usize, f.to.0 as usize);
            if applies(f.window.since, f.window.until, date)
                && model.systems[from].window.applies(date)
                && model.systems[to].window.applies(date)
            {
                incoming[to].push((from, i));
                outgoing[from].push((to, i));
            }
        }
        Baseline {
            model,
            date,
            incoming,
            outgoing,
        }
    }

    /// Every country that some entry point could give reach to, sorted.
    pub fn countries(&self) -> Vec<CountryCode> {
        let model = self.model;
        let mut out: Vec<CountryCode> = model
            .systems
            .iter()
            .flat_map(|s| [s.country, model.organisation(s.operator).country])
            .chain(
                model
                    .accesses
                    .iter()
                    .flat_map(|a| [a.from_country, model.organisation(a.who).country]),
            )
            .collect();
        out.sort();
        out.dedup();
        out
    }

    fn carries(&self, flow: usize, c: CategoryIdx) -> bool {
        self.model.flows[flow]
            .categories
            .as_ref()
            .is_none_or(|m| m.contains(c))
    }

    /// How `country` reaches `c`, if it does: one search for this pair alone.
    pub fn pair(&self, country: CountryCode, c: CategoryIdx) -> Option<PlainReach> {
        let model = self.model;
        let date = self.date;
        // Distance of every system from a holder of `c`, along flows that carry it.
        let mut dist = vec![usize::MAX; model.systems.len()];
        let mut queue = VecDeque::new();
        for (i, s) in model.systems.iter().enumerate() {
            if s.window.applies(date) && s.holds.contains(c) {
                dist[i] = 0;
                queue.push_back(i);
            }
        }
        while let Some(u) = queue.pop_front() {
            for &(t, flow) in &self.outgoing[u] {
                if dist[t] == usize::MAX && self.carries(flow, c) {
                    dist[t] = dist[u] + 1;
                    queue.push_back(t);
                }
            }
        }
        // The smallest shortest chain upstream from a system, as strings.
        let chain = |start: usize| -> Vec<String> {
            let mut path = vec![format!("system:{}", model.systems[start].id)];
            let mut at = start;
            while dist[at] > 0 {
                let next = self.incoming[at]
                    .iter()
                    .filter(|&&(u, flow)| dist[u] == dist[at] - 1 && self.carries(flow, c))
                    .map(|&(u, _)| u)
                    .min_by(|&a, &b| model.systems[a].id.cmp(&model.systems[b].id));
                let Some(u) = next else { break };
                path.push(format!("system:{}", model.systems[u].id));
                at = u;
            }
            path
        };
        let mut best: [Option<Vec<String>>; 4] = Default::default();
        let mut offer = |kind: Kind, path: Vec<String>| {
            let slot = &mut best[kind as usize];
            if slot
                .as_ref()
                .is_none_or(|b| (path.len(), &path) < (b.len(), b))
            {
                *slot = Some(path);
            }
        };
        for (i, s) in model.systems.iter().enumerate() {
            if !s.window.applies(date) || dist[i] == usize::MAX {
                continue;
            }
            if s.country == country {
                offer(Kind::Stored, chain(i));
            }
            let op = model.organisation(s.operator);
            if s.operator_access && op.country == country && op.window.applies(date) {
                let mut path = vec![format!("org:{}", op.id)];
                path.extend(chain(i));
                offer(Kind::Operated, path);
            }
        }
        for a in &model.accesses {
            let who = model.organisation(a.who);
            let to = a.to.0 as usize;
            if !a.window.applies(date)
                || !who.window.applies(date)
                || dist[to] == usize::MAX
                || (a.from_country != country && who.country != country)
                || a.categories.as_ref().is_some_and(|m| !m.contains(c))
            {
                continue;
            }
            let mut path = vec![format!("org:{}", who.id)];
            path.extend(chain(to));
            if a.from_country == country {
                offer(Kind::Accessed, path.clone());
            }
            if who.country == country && who.country != a.from_country {
                offer(Kind::Seat, path);
            }
        }
        let kinds: Vec<String> = Kind::ALL
            .into_iter()
            .filter(|k| best[*k as usize].is_some())
            .map(|k| k.as_str().to_string())
            .collect();
        let path = best.into_iter().flatten().next()?;
        Some(PlainReach {
            country: country.to_string(),
            category: model.category(c).id.clone(),
            kinds,
            path,
        })
    }
}
