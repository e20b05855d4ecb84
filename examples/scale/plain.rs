//! A plain loader of the generator's CSV tables, for the scale table: what
//! building the model's shape costs when nothing is checked. Columns are
//! found by name, references resolve through hash maps, category lists
//! expand to bit sets, ids and names are owned strings, and flows and
//! accesses are read on two threads, as reachmap reads them. Nothing is
//! validated, no place is kept for a message, an unknown reference becomes
//! `u32::MAX`, and columns other than ids, names, countries, references,
//! categories and windows are skipped: a lower bound for a loader, not a
//! usable one. [`Plain::agrees`] checks that it read what reachmap loaded.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use fixedbitset::FixedBitSet;
use foldhash::fast::FixedState;
use reachmap::model::{CategoryIdx, CategorySet, Model, Window, parse_date};

type Ids = HashMap<String, u32, FixedState>;

/// One CSV table: its header's column names and its records.
struct Table {
    columns: Vec<String>,
    reader: csv::Reader<fs::File>,
}

impl Table {
    fn open(dir: &Path, name: &str) -> Option<Table> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_path(dir.join(name))
            .ok()?;
        let columns = reader.headers().ok()?.iter().map(str::to_string).collect();
        Some(Table { columns, reader })
    }

    fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// Calls `f` with each record's cells, by the columns asked for.
    fn rows<const N: usize>(&mut self, names: [&str; N], mut f: impl FnMut([&str; N])) {
        let at = names.map(|n| self.column(n));
        let mut record = csv::StringRecord::new();
        while self.reader.read_record(&mut record).unwrap_or(false) {
            f(at.map(|i| i.and_then(|i| record.get(i)).unwrap_or("").trim()));
        }
    }
}

fn ids(names: impl Iterator<Item = String>) -> Ids {
    names.enumerate().map(|(i, id)| (id, i as u32)).collect()
}

fn lookup(ids: &Ids, id: &str) -> u32 {
    ids.get(id).copied().unwrap_or(u32::MAX)
}

/// The categories a list cell names, and their expansion to descendants.
fn categories(cats: &Ids, subtree: &[FixedBitSet], cell: &str) -> (Vec<u32>, FixedBitSet) {
    let mut named: Vec<u32> = (cell.split(';').map(str::trim))
        .filter(|c| !c.is_empty())
        .filter_map(|c| cats.get(c).copied())
        .collect();
    named.sort_unstable();
    named.dedup();
    let mut set = FixedBitSet::with_capacity(subtree.len());
    for &c in &named {
        set.union_with(&subtree[c as usize]);
    }
    (named, set)
}

fn window(since: &str, until: &str) -> Window {
    Window {
        since: parse_date(since),
        until: parse_date(until),
    }
}

fn country(cell: &str) -> [u8; 2] {
    cell.as_bytes()
        .get(..2)
        .and_then(|c| c.try_into().ok())
        .unwrap_or(*b"??")
}

struct Org {
    id: String,
    name: String,
    country: [u8; 2],
    parent: Option<u32>,
}

struct System {
    id: String,
    name: String,
    country: [u8; 2],
    operator: u32,
    holds: (Vec<u32>, FixedBitSet),
}

/// A flow, an access or a contract: an id, two ends, categories, a window.
struct Link {
    id: String,
    from: u32,
    to: u32,
    categories: Option<(Vec<u32>, FixedBitSet)>,
    window: Window,
}

pub struct Plain {
    /// Category ids as written: what the lists' numbers stand for.
    categories: Vec<String>,
    orgs: Vec<Org>,
    systems: Vec<System>,
    contracts: Vec<Link>,
    flows: Vec<Link>,
    accesses: Vec<Link>,
}

/// A flow, access or contract as the model holds it, by ids.
type Held<'m> = (
    Option<&'m str>,
    [&'m str; 2],
    Option<(&'m [CategoryIdx], &'m CategorySet)>,
    &'m Window,
);

/// The [`Held`] of a contract, flow or access, whose fields share their
/// names, with its ends given as ids.
macro_rules! held {
    ($entry:expr, $ends:expr) => {{
        let e = $entry;
        let held: Held = (
            e.id.as_deref(),
            $ends,
            e.categories
                .as_ref()
                .map(|set| (&e.categories_named[..], set)),
            &e.window,
        );
        held
    }};
}

/// Ids, sorted: lists compared as sets of ids.
fn sorted<'a>(ids: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut ids: Vec<&str> = ids.collect();
    ids.sort_unstable();
    ids
}

impl Plain {
    /// Whether a category list names, and expands to, the categories the
    /// model's does, by id.
    fn same_categories(
        &self,
        model: &Model,
        plain: &(Vec<u32>, FixedBitSet),
        named: &[CategoryIdx],
        set: &CategorySet,
    ) -> bool {
        let id = |c: usize| self.categories.get(c).map_or("", String::as_str);
        let model_id = |c: CategoryIdx| model.category(c).id.as_str();
        sorted(plain.0.iter().map(|&c| id(c as usize)))
            == sorted(named.iter().map(|&c| model_id(c)))
            && sorted(plain.1.ones().map(id)) == sorted(set.iter().map(model_id))
    }

    /// Whether the links read match the model's, in order, with their ends
    /// named by the ids in `ends`.
    fn same_links(&self, model: &Model, plain: &[Link], held: &[Held], ends: [&[&str]; 2]) -> bool {
        plain.len() == held.len()
            && plain
                .iter()
                .zip(held)
                .all(|(p, (id, [from, to], categories, window))| {
                    *id == Some(p.id.as_str())
                        && ends[0].get(p.from as usize) == Some(from)
                        && ends[1].get(p.to as usize) == Some(to)
                        && match (&p.categories, categories) {
                            (Some(p), Some((named, set))) => {
                                self.same_categories(model, p, named, set)
                            }
                            (None, None) => true,
                            _ => false,
                        }
                        && p.window == **window
                })
    }

    /// Checks that this read the model reachmap loaded: the same entries,
    /// names, countries and references (compared by id: reachmap sorts
    /// organisations and systems by id, this keeps them as written),
    /// categories and windows.
    pub fn agrees(&self, model: &Model) -> Result<(), String> {
        let org_ids: Vec<&str> = self.orgs.iter().map(|o| o.id.as_str()).collect();
        let system_ids: Vec<&str> = self.systems.iter().map(|s| s.id.as_str()).collect();
        let orgs: HashMap<&str, &Org> = self.orgs.iter().map(|o| (o.id.as_str(), o)).collect();
        let systems: HashMap<&str, &System> =
            self.systems.iter().map(|s| (s.id.as_str(), s)).collect();
        let org_id = |o| model.organisation(o).id.as_str();
        let system_id = |s| model.system(s).id.as_str();
        let differs = |what: &str| Err(format!("the plain loader read the {what} otherwise"));
        if (orgs.len(), systems.len()) != (model.organisations.len(), model.systems.len()) {
            return differs("number of organisations or systems");
        }
        for o in &model.organisations {
            let same = orgs.get(o.id.as_str()).is_some_and(|p| {
                p.name == o.name
                    && p.country == o.country.as_str().as_bytes()
                    && p.parent.and_then(|p| org_ids.get(p as usize).copied())
                        == o.parent.map(org_id)
            });
            if !same {
                return differs(&format!("organisation {}", o.id));
            }
        }
        for s in &model.systems {
            let same = systems.get(s.id.as_str()).is_some_and(|p| {
                p.name == s.name
                    && p.country == s.country.as_str().as_bytes()
                    && org_ids.get(p.operator as usize) == Some(&org_id(s.operator))
                    && self.same_categories(model, &p.holds, &s.holds_named, &s.holds)
            });
            if !same {
                return differs(&format!("system {}", s.id));
            }
        }
        let contracts: Vec<Held> = (model.contracts.iter())
            .map(|c| held!(c, [org_id(c.from), org_id(c.to)]))
            .collect();
        let flows: Vec<Held> = (model.flows.iter())
            .map(|f| held!(f, [system_id(f.from), system_id(f.to)]))
            .collect();
        let accesses: Vec<Held> = (model.accesses.iter())
            .map(|a| held!(a, [org_id(a.who), system_id(a.to)]))
            .collect();
        if !self.same_links(model, &self.contracts, &contracts, [&org_ids, &org_ids]) {
            return differs("contracts");
        }
        if !self.same_links(model, &self.flows, &flows, [&system_ids, &system_ids]) {
            return differs("flows");
        }
        if !self.same_links(model, &self.accesses, &accesses, [&org_ids, &system_ids]) {
            return differs("accesses");
        }
        Ok(())
    }
}

/// Reads a table of links, the ends named in columns `ends` looked up in `maps`.
fn links(
    dir: &Path,
    name: &str,
    ends: [&str; 2],
    maps: [&Ids; 2],
    cats: &Ids,
    subtree: &[FixedBitSet],
) -> Vec<Link> {
    let mut out = Vec::new();
    let Some(mut table) = Table::open(dir, name) else {
        return out;
    };
    table.rows(
        ["id", ends[0], ends[1], "categories", "since", "until"],
        |[id, from, to, cell, since, until]| {
            out.push(Link {
                id: id.to_string(),
                from: lookup(maps[0], from),
                to: lookup(maps[1], to),
                categories: (!cell.is_empty()).then(|| categories(cats, subtree, cell)),
                window: window(since, until),
            })
        },
    );
    out
}

pub fn load(dir: &Path) -> Plain {
    if let Ok(text) = fs::read_to_string(dir.join("model.toml")) {
        let _ = text.parse::<toml::Table>();
    }
    let mut category_ids = Vec::new();
    if let Some(mut table) = Table::open(dir, "categories.csv") {
        table.rows(["id"], |[id]| category_ids.push(id.to_string()));
    }
    let subtree: Vec<FixedBitSet> = (category_ids.iter())
        .map(|c| {
            let mut set = FixedBitSet::with_capacity(category_ids.len());
            for (i, d) in category_ids.iter().enumerate() {
                if d == c
                    || d.strip_prefix(c.as_str())
                        .is_some_and(|r| r.starts_with('.'))
                {
                    set.insert(i);
                }
            }
            set
        })
        .collect();
    let cats = ids(category_ids.iter().cloned());

    let mut orgs = Vec::new();
    let mut parents = Vec::new();
    if let Some(mut table) = Table::open(dir, "organisations.csv") {
        table.rows(
            ["id", "name", "country", "parent"],
            |[id, name, seat, parent]| {
                orgs.push(Org {
                    id: id.to_string(),
                    name: name.to_string(),
                    country: country(seat),
                    parent: None,
                });
                parents.push(parent.to_string());
            },
        );
    }
    let org_ids = ids(orgs.iter().map(|o| o.id.clone()));
    for (org, parent) in orgs.iter_mut().zip(&parents) {
        org.parent = (!parent.is_empty()).then(|| lookup(&org_ids, parent));
    }

    let mut systems = Vec::new();
    if let Some(mut table) = Table::open(dir, "systems.csv") {
        table.rows(
            ["id", "name", "country", "operator", "holds"],
            |[id, name, seat, operator, holds]| {
                systems.push(System {
                    id: id.to_string(),
                    name: name.to_string(),
                    country: country(seat),
                    operator: lookup(&org_ids, operator),
                    holds: categories(&cats, &subtree, holds),
                })
            },
        );
    }
    let system_ids = ids(systems.iter().map(|s| s.id.clone()));

    let contracts = links(
        dir,
        "contracts.csv",
        ["from", "to"],
        [&org_ids, &org_ids],
        &cats,
        &subtree,
    );
    let (flows, accesses) = std::thread::scope(|scope| {
        let flows = scope.spawn(|| {
            links(
                dir,
                "flows.csv",
                ["from", "to"],
                [&system_ids, &system_ids],
                &cats,
                &subtree,
            )
        });
        let accesses = links(
            dir,
            "access.csv",
            ["who", "to"],
            [&org_ids, &system_ids],
            &cats,
            &subtree,
        );
        (flows.join().unwrap_or_default(), accesses)
    });
    Plain {
        categories: category_ids,
        orgs,
        systems,
        contracts,
        flows,
        accesses,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reachmap::synth::{self, Params};

    /// The plain loader reads what reachmap loads, and the check that says
    /// so notices each kind of difference.
    #[test]
    fn agrees_with_the_model_it_read_and_with_no_other() {
        let dir = tempfile::tempdir().unwrap();
        let params = Params::scaled(2_000, 3);
        synth::write(&params, dir.path()).unwrap();
        let model = Model::load(dir.path()).unwrap();
        let read = || load(dir.path());
        let plain = read();
        assert_eq!(plain.flows.len() + plain.accesses.len(), params.rows);
        assert_eq!(plain.agrees(&model), Ok(()));

        let mut plain = read();
        let flow = &mut plain.flows[0];
        flow.to = if flow.to == 0 { 1 } else { 0 };
        assert!(plain.agrees(&model).unwrap_err().contains("flows"));

        // One leaf category for another: as many named and expanded, told
        // apart by id only.
        let mut plain = read();
        let leaf = |c: usize| plain.categories.get(c).is_some_and(|id| id.contains('.'));
        let (s, c) = (plain.systems.iter().enumerate())
            .find_map(|(s, system)| match system.holds.0[..] {
                [c] if leaf(c as usize) && leaf(c as usize + 1) => Some((s, c)),
                _ => None,
            })
            .unwrap();
        let (named, set) = &mut plain.systems[s].holds;
        *named = vec![c + 1];
        set.clear();
        set.insert(c as usize + 1);
        assert!(plain.agrees(&model).unwrap_err().contains("system"));

        let mut plain = read();
        let access = (plain.accesses.iter_mut())
            .find(|a| a.categories.is_some())
            .unwrap();
        access.categories = None;
        assert!(plain.agrees(&model).unwrap_err().contains("accesses"));

        let mut plain = read();
        let org = plain.orgs.iter_mut().find(|o| o.parent.is_some()).unwrap();
        org.parent = None;
        assert!(plain.agrees(&model).unwrap_err().contains("organisation"));
    }
}
