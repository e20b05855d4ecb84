//! A deliberately plain implementation of SPEC §2, for checking the engine:
//! for every (country, category) it searches the model afresh, with strings
//! and full paths, sharing no code with the engine beyond the model types.
//! Property tests compare it with [`Evaluation::matrix`](super::Evaluation::matrix)
//! and the scale benchmark measures the engine against it.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{CategoryIdx, Date, Kind, Model};

/// One reached pair, in the JSON shape's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlainReach {
    pub country: String,
    pub category: String,
    pub kinds: Vec<String>,
    pub path: Vec<String>,
}

fn applies(since: Option<Date>, until: Option<Date>, date: Date) -> bool {
    since.is_none_or(|s| s <= date) && until.is_none_or(|u| date < u)
}

/// Whether `named` (as written) covers category id `c`: equal, or `c` is a descendant.
fn covers(model: &Model, named: &[CategoryIdx], c: &str) -> bool {
    named.iter().any(|&n| {
        let n = &model.category(n).id;
        c == n || (c.starts_with(n.as_str()) && c.as_bytes().get(n.len()) == Some(&b'.'))
    })
}

/// The smallest shortest chain from system `start` upstream through flows
/// that carry `c` to a system whose own `holds` names `c`; breadth-first by
/// levels, keeping for each system the smallest path that reaches it.
fn upstream(model: &Model, date: Date, start: &str, c: &str) -> Option<Vec<String>> {
    let active = |id: &str| {
        model
            .systems
            .iter()
            .any(|s| s.id == id && applies(s.window.since, s.window.until, date))
    };
    let holds = |id: &str| {
        model.systems.iter().any(|s| {
            s.id == id
                && applies(s.window.since, s.window.until, date)
                && covers(model, &s.holds_named, c)
        })
    };
    if !active(start) {
        return None;
    }
    let mut level: BTreeMap<String, Vec<String>> = BTreeMap::new();
    level.insert(start.to_string(), vec![format!("system:{start}")]);
    let mut seen: BTreeSet<String> = BTreeSet::new();
    seen.insert(start.to_string());
    while !level.is_empty() {
        let found: Option<&Vec<String>> = level
            .iter()
            .filter(|(id, _)| holds(id))
            .map(|(_, p)| p)
            .min();
        if let Some(path) = found {
            return Some(path.clone());
        }
        let mut next: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (id, path) in &level {
            for f in &model.flows {
                let to = &model.system(f.to).id;
                let from = &model.system(f.from).id;
                let carries = f.categories.is_none() || covers(model, &f.categories_named, c);
                if to == id
                    && carries
                    && applies(f.window.since, f.window.until, date)
                    && active(from)
                    && active(to)
                    && !seen.contains(from)
                {
                    let mut p = path.clone();
                    p.push(format!("system:{from}"));
                    let slot = next.entry(from.clone()).or_insert_with(|| p.clone());
                    if p < *slot {
                        *slot = p;
                    }
                }
            }
        }
        seen.extend(next.keys().cloned());
        level = next;
    }
    None
}

/// The reach matrix by plain search, sorted by country then category id.
pub fn matrix(model: &Model, date: Date) -> Vec<PlainReach> {
    let org = |i: crate::model::OrgIdx| model.organisation(i);
    let mut countries: BTreeSet<String> = BTreeSet::new();
    for s in &model.systems {
        countries.insert(s.country.to_string());
        countries.insert(org(s.operator).country.to_string());
    }
    for a in &model.accesses {
        countries.insert(a.from_country.to_string());
        countries.insert(org(a.who).country.to_string());
    }
    let mut out = Vec::new();
    for k in &countries {
        for cat in &model.categories {
            let c = cat.id.as_str();
            let mut found: BTreeMap<&str, Vec<String>> = BTreeMap::new();
            let mut offer = |kind: Kind, path: Vec<String>| {
                let slot = found.entry(kind.as_str()).or_insert_with(|| path.clone());
                if (path.len(), &path) < (slot.len(), slot) {
                    *slot = path;
                }
            };
            for s in &model.systems {
                if !applies(s.window.since, s.window.until, date) {
                    continue;
                }
                if s.country.as_str() == k
                    && let Some(p) = upstream(model, date, &s.id, c)
                {
                    offer(Kind::Stored, p);
                }
                let op = org(s.operator);
                if s.operator_access
                    && op.country.as_str() == k
                    && applies(op.window.since, op.window.until, date)
                    && let Some(p) = upstream(model, date, &s.id, c)
                {
                    let mut path = vec![format!("org:{}", op.id)];
                    path.extend(p);
                    offer(Kind::Operated, path);
                }
            }
            for a in &model.accesses {
                let who = org(a.who);
                if !applies(a.window.since, a.window.until, date)
                    || !applies(who.window.since, who.window.until, date)
                {
                    continue;
                }
                if a.categories.is_some() && !covers(model, &a.categories_named, c) {
                    continue;
                }
                let Some(p) = upstream(model, date, &model.system(a.to).id, c) else {
                    continue;
                };
                let mut path = vec![format!("org:{}", who.id)];
                path.extend(p);
                if a.from_country.as_str() == k {
                    offer(Kind::Accessed, path.clone());
                }
                if who.country.as_str() == k && who.country != a.from_country {
                    offer(Kind::Seat, path);
                }
            }
            // The witness is the path of the first kind in name order.
            if let Some(path) = found.values().next() {
                out.push(PlainReach {
                    country: k.clone(),
                    category: c.to_string(),
                    kinds: found.keys().map(|s| s.to_string()).collect(),
                    path: path.clone(),
                });
            }
        }
    }
    out
}
