//! Findings as drafts: what a finding sorts by and what it is about, before
//! its text is written. A large model has a finding for most of its
//! accesses, and a finding is a few hundred bytes in a dozen allocations:
//! the small drafts are sorted, and then each finding is written once,
//! straight into its final place, with its strings allocated in the order
//! they are printed in.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::path::Path;

use foldhash::fast::FixedState;

use super::{Finding, FindingLocation};
use crate::model::{
    CategoryIdx, CountryCode, Date, Kind, Location, Model, OrgIdx, Severity, SystemIdx,
};
use crate::threads::alongside;

/// A finding's sort fields as indices into the model, and what its text is
/// written from.
pub(super) struct Draft<'m> {
    pub severity: Severity,
    /// The rule id, or the policy's id.
    pub rule: &'m str,
    pub country: Option<CountryCode>,
    pub category: Option<CategoryIdx>,
    pub org: Option<OrgIdx>,
    pub location: Option<Place<'m>>,
    pub about: About,
}

/// A location, copied out of the model entry: writing a finding then reads
/// nothing of the entry.
#[derive(Clone, Copy)]
pub(super) struct Place<'m> {
    /// The file's path, shared by every location in the file.
    file: &'m Path,
    line: usize,
    column: Option<usize>,
}

impl<'m> Place<'m> {
    pub fn of(location: Option<&'m Location>) -> Option<Place<'m>> {
        location.map(|l| Place {
            file: &l.file,
            line: l.line,
            column: l.column,
        })
    }
}

/// What a draft's text is written from.
pub(super) enum About {
    /// Text written when the rule ran: the few findings of policies and
    /// undisclosed countries.
    Written(Box<Text>),
    /// `uncontracted-access`: who accesses what.
    Uncontracted(OrgIdx, SystemIdx),
    /// `access-reads-nothing`: who accesses what.
    ReadsNothing(OrgIdx, SystemIdx),
    IdleSystem(SystemIdx),
    UnusedCategory(CategoryIdx),
    UnreferencedOrganisation(OrgIdx),
}

/// The fields of a finding that its draft does not carry.
pub(super) struct Text {
    pub message: String,
    pub kinds: Option<Vec<Kind>>,
    pub path: Option<Vec<String>>,
    pub help: Option<String>,
}

/// Sorts drafts and writes them as findings.
pub(super) struct Writer<'m> {
    model: &'m Model,
    /// The evaluation date, as `access-reads-nothing` quotes it.
    date: String,
}

impl<'m> Writer<'m> {
    pub fn new(model: &'m Model, date: Date) -> Writer<'m> {
        Writer {
            model,
            date: date.to_string(),
        }
    }

    /// The finding's message. Messages are built by concatenation, not
    /// `format!`, which at a few hundred thousand findings shows.
    fn message<'d>(&self, d: &'d Draft) -> Cow<'d, str> {
        let model = self.model;
        Cow::Owned(match &d.about {
            About::Written(text) => return Cow::Borrowed(&text.message),
            &About::Uncontracted(who, to) => {
                let org = model.organisation(who);
                [
                    org.name.as_str(),
                    " (",
                    &org.id,
                    ") can access ",
                    &model.system(to).name,
                    " but no contract or parent link connects it to a controller",
                ]
                .concat()
            }
            &About::ReadsNothing(who, to) => {
                let org = model.organisation(who);
                [
                    org.name.as_str(),
                    " (",
                    &org.id,
                    ") has access to ",
                    &model.system(to).id,
                    " for categories the system does not hold on ",
                    &self.date,
                ]
                .concat()
            }
            &About::IdleSystem(s) => {
                let s = model.system(s);
                [
                    "system ",
                    s.name.as_str(),
                    " (",
                    &s.id,
                    ") holds nothing and receives nothing",
                ]
                .concat()
            }
            &About::UnusedCategory(c) => {
                let c = model.category(c);
                format!("category {} ({}) is never named", c.name, c.id)
            }
            &About::UnreferencedOrganisation(o) => {
                let o = model.organisation(o);
                format!(
                    "organisation {} ({}) is referenced by nothing",
                    o.name, o.id
                )
            }
        })
    }

    /// The strings of the model that writing `d` copies (some twice over,
    /// to fill the array).
    fn sources<'a>(&'a self, d: &'a Draft) -> [&'a str; 4] {
        let model = self.model;
        match &d.about {
            About::Written(text) => [&text.message; 4],
            &About::Uncontracted(who, to) | &About::ReadsNothing(who, to) => {
                let (org, system) = (model.organisation(who), model.system(to));
                [&org.name, &org.id, &system.name, &system.id]
            }
            &About::IdleSystem(s) => {
                let s = model.system(s);
                [&s.name, &s.id, &s.name, &s.id]
            }
            &About::UnusedCategory(c) => {
                let c = model.category(c);
                [&c.name, &c.id, &c.name, &c.id]
            }
            &About::UnreferencedOrganisation(o) => {
                let o = model.organisation(o);
                [&o.name, &o.id, &o.name, &o.id]
            }
        }
    }

    /// The finding a draft stands for. The fields it sorts by are written
    /// from the draft's own, so the order of the drafts is the order of
    /// the findings.
    fn finding(&self, d: &Draft<'m>, files: &mut Files<'m>) -> Finding {
        let model = self.model;
        let mut f = Finding::new(d.rule, d.severity, self.message(d).into_owned());
        match &d.about {
            About::Written(text) => {
                f.kinds = text.kinds.clone();
                f.path = text.path.clone();
                f.help = text.help.clone();
            }
            &About::Uncontracted(who, to) => {
                let org = &model.organisation(who).id;
                f.path = Some(vec![
                    ["org:", org].concat(),
                    ["system:", &model.system(to).id].concat(),
                ]);
                f.help = Some(
                    [
                        "record the [[contract]] under which \"",
                        org,
                        "\" works, or end the access",
                    ]
                    .concat(),
                );
            }
            About::ReadsNothing(..)
            | About::IdleSystem(_)
            | About::UnusedCategory(_)
            | About::UnreferencedOrganisation(_) => {}
        }
        f.country = d.country.map(|c| c.as_str().to_owned());
        f.category = d.category.map(|c| model.category(c).id.clone());
        f.org = d.org.map(|o| model.organisation(o).id.clone());
        f.location = files.location(d.location);
        f
    }

    /// The order of the findings the drafts stand for: by severity, rule,
    /// country, category, organisation, location and message, and on a full
    /// tie in the order of `drafts` (the order of a stable sort). Indices
    /// into `drafts`.
    pub fn sort(&self, drafts: &[Draft]) -> Vec<u32> {
        let mut keys = sort_keys(self.model, drafts);
        // The index decides the last tie, so an unstable sort gives exactly
        // the order of a stable one.
        let order = |(a, i): &(SortKey, u32), (b, j): &(SortKey, u32)| {
            a.cmp(b)
                .then_with(|| {
                    self.message(&drafts[*i as usize])
                        .cmp(&self.message(&drafts[*j as usize]))
                })
                .then(i.cmp(j))
        };
        // Two halves sorted side by side, then merged.
        let (left, right) = keys.split_at_mut(drafts.len() / 2);
        alongside(
            || right.sort_unstable_by(order),
            || left.sort_unstable_by(order),
        );
        let (left, right) = keys.split_at(drafts.len() / 2);
        let (mut i, mut j) = (0, 0);
        let mut merged = Vec::with_capacity(drafts.len());
        while i < left.len() && j < right.len() {
            if order(&right[j], &left[i]) == Ordering::Less {
                merged.push(right[j].1);
                j += 1;
            } else {
                merged.push(left[i].1);
                i += 1;
            }
        }
        merged.extend(left[i..].iter().chain(&right[j..]).map(|&(_, i)| i));
        merged
    }

    /// The drafts at `order` as findings, the two halves written side by
    /// side.
    pub fn write(&self, drafts: &[Draft<'m>], order: &[u32]) -> Vec<Finding> {
        let (first, second) = order.split_at(balance(drafts, order));
        let (mut findings, mut rest) = alongside(
            || self.write_part(drafts, first, order.len()),
            || self.write_part(drafts, second, second.len()),
        );
        findings.append(&mut rest);
        findings
    }

    /// Writes the drafts at `order` a batch at a time, after reading a
    /// byte of each string the batch copies from the model. The names of
    /// organisations and systems lie all over memory: finding by finding,
    /// the copies would wait for memory one after another, while these
    /// reads do not depend on each other and the processor fetches them
    /// side by side.
    fn write_part(&self, drafts: &[Draft<'m>], order: &[u32], capacity: usize) -> Vec<Finding> {
        const BATCH: usize = 32;
        let mut findings = Vec::with_capacity(capacity);
        let mut files = Files::default();
        for batch in order.chunks(BATCH) {
            let mut x = 0u8;
            for &i in batch {
                for s in self.sources(&drafts[i as usize]) {
                    x ^= s.as_bytes().first().copied().unwrap_or(0);
                }
            }
            std::hint::black_box(x);
            findings.extend(
                batch
                    .iter()
                    .map(|&i| self.finding(&drafts[i as usize], &mut files)),
            );
        }
        findings
    }
}

/// Where to split `order` so that both parts take about as long to write.
/// Writing a finding mostly waits for the model's strings it copies, which
/// lie all over memory, so each counts the strings it reads.
fn balance(drafts: &[Draft], order: &[u32]) -> usize {
    let weight = |i: u32| match drafts[i as usize].about {
        About::Written(_) | About::Uncontracted(..) => 4,
        About::ReadsNothing(..) => 3,
        About::IdleSystem(_) | About::UnusedCategory(_) | About::UnreferencedOrganisation(_) => 2,
    };
    let total: usize = order.iter().map(|&i| weight(i)).sum();
    let mut sum = 0;
    order
        .iter()
        .position(|&i| {
            sum += weight(i);
            2 * sum > total
        })
        .unwrap_or(order.len())
}

/// The fields a finding sorts by, the message aside, as small numbers:
/// comparing two drafts reads no string. The rule and the file are ranks
/// among the distinct values (0: no location); categories and organisations
/// are sorted by id in the model, so their index order is their id order;
/// a country code's order is the order of its two letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct SortKey {
    severity: Severity,
    rule: u32,
    country: Option<CountryCode>,
    category: Option<CategoryIdx>,
    org: Option<OrgIdx>,
    file: u32,
    line: usize,
    column: Option<usize>,
}

/// Each draft's [`SortKey`] and its index.
fn sort_keys(model: &Model, drafts: &[Draft]) -> Vec<(SortKey, u32)> {
    debug_assert!(model.categories.windows(2).all(|w| w[0].id < w[1].id));
    debug_assert!(model.organisations.windows(2).all(|w| w[0].id < w[1].id));
    let rule = ranks(drafts.iter().map(|d| Some(d.rule)));
    let file = file_ranks(drafts);
    drafts
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let key = SortKey {
                severity: d.severity,
                rule: rule[i],
                country: d.country,
                category: d.category,
                org: d.org,
                file: file[i],
                line: d.location.map_or(0, |l| l.line),
                column: d.location.and_then(|l| l.column),
            };
            (key, i as u32)
        })
        .collect()
}

/// Each draft's file's rank among the names of the distinct files, from 1;
/// 0 without a location.
fn file_ranks(drafts: &[Draft]) -> Vec<u32> {
    // A model has few files, each shared by the locations in it, and drafts
    // come in runs from one file: files are told apart by address, the
    // previous one tried first, and each is named once.
    let mut ids: std::collections::HashMap<*const Path, u32, FixedState> =
        std::collections::HashMap::with_hasher(FixedState::default());
    let mut files: Vec<&Path> = Vec::new();
    let mut previous: Option<(&Path, u32)> = None;
    let file_ids: Vec<Option<u32>> = drafts
        .iter()
        .map(|d| {
            let file = d.location?.file;
            if let Some((p, id)) = previous
                && std::ptr::eq(p, file)
            {
                return Some(id);
            }
            let id = *ids.entry(file).or_insert_with(|| {
                files.push(file);
                files.len() as u32 - 1
            });
            previous = Some((file, id));
            Some(id)
        })
        .collect();
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    let rank = ranks(names.iter().map(|n| Some(n.as_str())));
    file_ids
        .iter()
        .map(|id| id.map_or(0, |id| rank[id as usize]))
        .collect()
}

/// Each value's rank among the distinct values, counting from 1 in string
/// order; `None` is 0.
fn ranks<'a>(values: impl Iterator<Item = Option<&'a str>>) -> Vec<u32> {
    // Values come in runs (one rule's findings together), so the previous
    // value is tried before the table.
    let mut seen: std::collections::HashMap<&str, u32, FixedState> =
        std::collections::HashMap::with_hasher(FixedState::default());
    let mut distinct: Vec<&str> = Vec::new();
    let mut previous: Option<(&str, u32)> = None;
    let mut ids: Vec<u32> = values
        .map(|value| {
            let Some(value) = value else {
                return 0;
            };
            if let Some((p, id)) = previous
                && p == value
            {
                return id;
            }
            let id = *seen.entry(value).or_insert_with(|| {
                distinct.push(value);
                distinct.len() as u32
            });
            previous = Some((value, id));
            id
        })
        .collect();
    // Ids count from 1 in the order values were first seen.
    let mut by_value: Vec<u32> = (1..=distinct.len() as u32).collect();
    by_value.sort_unstable_by(|&a, &b| distinct[a as usize - 1].cmp(distinct[b as usize - 1]));
    let mut rank = vec![0u32; distinct.len() + 1];
    for (r, &id) in by_value.iter().enumerate() {
        rank[id as usize] = r as u32 + 1;
    }
    for id in &mut ids {
        *id = rank[*id as usize];
    }
    ids
}

/// Names each model file once: locations share one path per file, and the
/// findings written one after another mostly point into one file.
#[derive(Default)]
struct Files<'m> {
    last: Option<(&'m Path, String)>,
}

impl<'m> Files<'m> {
    fn location(&mut self, place: Option<Place<'m>>) -> Option<FindingLocation> {
        let p = place?;
        let file = match &self.last {
            Some((path, name)) if std::ptr::eq(*path, p.file) => name.clone(),
            _ => {
                let name = p.file.display().to_string();
                self.last = Some((p.file, name.clone()));
                name
            }
        };
        Some(FindingLocation {
            file,
            line: p.line,
            column: p.column,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::parse_date;

    fn model() -> Model {
        Model::from_toml_str(
            "test.toml",
            r#"
[model]
name = "m"
home = "JP"
[[category]]
id = "a"
name = "a"
[[category]]
id = "b"
name = "b"
[[organisation]]
id = "o1"
name = "o1"
country = "JP"
role = "controller"
[[organisation]]
id = "o2"
name = "o2"
country = "JP"
role = "processor"
"#,
        )
        .unwrap_or_else(|e| panic!("model must load:\n{e}"))
    }

    fn country(code: &str) -> Option<CountryCode> {
        Some(CountryCode::parse(code).unwrap())
    }

    fn place(file: &'static str, line: usize, column: Option<usize>) -> Option<Place<'static>> {
        Some(Place {
            file: Path::new(file),
            line,
            column,
        })
    }

    /// A draft with its own message and nothing else but what is given.
    fn draft(severity: Severity, rule: &'static str, message: &str) -> Draft<'static> {
        Draft {
            severity,
            rule,
            country: None,
            category: None,
            org: None,
            location: None,
            about: About::Written(Box::new(Text {
                message: message.into(),
                kinds: None,
                path: None,
                help: None,
            })),
        }
    }

    /// The order the findings sort in by comparing their strings, as a
    /// stable sort: the reference the drafts' order must match.
    fn reference(findings: &[Finding]) -> Vec<u32> {
        let key = |f: &Finding| {
            (
                f.severity,
                f.rule.clone(),
                f.country.clone(),
                f.category.clone(),
                f.org.clone(),
                f.location.clone(),
                f.message.clone(),
            )
        };
        let mut order: Vec<u32> = (0..findings.len() as u32).collect();
        order.sort_by_key(|&i| key(&findings[i as usize]));
        order
    }

    #[test]
    fn drafts_sort_by_every_field_in_turn_and_keep_their_order_on_a_tie() {
        let m = model();
        let writer = Writer::new(&m, parse_date("2024-01-01").unwrap());
        let (b, a) = ("/m/b.toml", "/m/a.toml");
        let e = Severity::Error;
        let mut d: Vec<Draft> = Vec::new();
        d.push(Draft {
            country: country("JP"),
            location: place(b, 5, None),
            ..draft(e, "zeta", "m")
        }); // 0
        d.push(draft(e, "alpha", "x")); // 1
        let cn = |message: &str, location| Draft {
            country: country("CN"),
            location,
            ..draft(e, "alpha", message)
        };
        d.push(cn("b", place(b, 1, None))); // 2
        d.push(cn("a", place(b, 1, Some(3)))); // 3
        d.push(cn("a", place(b, 1, None))); // 4
        d.push(cn("a", place(b, 1, None))); // 5
        d.push(Draft {
            country: country("CN"),
            ..draft(Severity::Warning, "alpha", "a")
        }); // 6
        d.push(Draft {
            category: Some(CategoryIdx(0)),
            ..cn("a", None)
        }); // 7
        d.push(Draft {
            org: Some(OrgIdx(1)),
            ..cn("a", None)
        }); // 8
        d.push(cn("a", place(a, 9, None))); // 9
        d.push(cn("z", None)); // 10
        d.push(Draft {
            country: country("BR"),
            ..draft(e, "alpha", "a")
        }); // 11
        // Errors before the warning (6); rule alpha before zeta (0). Within
        // alpha: no country (1), then BR (11) before CN. Within CN, no
        // category and no organisation first: no location (10), then file
        // a.toml (9) before b.toml although b.toml was seen first; at
        // b.toml:1 no column before column 3 (3), and without a column
        // message a (4, 5, in their order) before b (2). Then an
        // organisation (8), then a category (7).
        let expected = [1, 11, 10, 9, 4, 5, 2, 3, 8, 7, 0, 6];
        assert_eq!(writer.sort(&d), expected);
        let written = writer.write(&d, &(0..d.len() as u32).collect::<Vec<_>>());
        assert_eq!(reference(&written), expected);
    }

    #[test]
    fn drafts_sort_as_their_findings_do() {
        let m = model();
        let writer = Writer::new(&m, parse_date("2024-01-01").unwrap());
        let files = ["/m/c.toml", "/m/a.toml", "/m/b.csv"];
        let rules = ["p-2", "idle-system", "p-1"];
        // A fixed linear congruential sequence: many ties on every field.
        let mut seed = 7u64;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        for n in [0, 1, 2, 3, 1000] {
            let drafts: Vec<Draft> = (0..n)
                .map(|_| Draft {
                    country: [None, country("DE"), country("CN")][next(3) as usize],
                    category: [None, Some(CategoryIdx(0)), Some(CategoryIdx(1))][next(3) as usize],
                    org: [None, Some(OrgIdx(0)), Some(OrgIdx(1))][next(3) as usize],
                    location: (next(4) > 0).then(|| Place {
                        file: Path::new(files[next(3) as usize]),
                        line: next(3) as usize,
                        column: [None, Some(1), Some(2)][next(3) as usize],
                    }),
                    ..draft(
                        [Severity::Error, Severity::Info][next(2) as usize],
                        rules[next(3) as usize],
                        ["m", "n"][next(2) as usize],
                    )
                })
                .collect();
            let written = writer.write(&drafts, &(0..n as u32).collect::<Vec<_>>());
            let order = writer.sort(&drafts);
            assert_eq!(order, reference(&written), "{n} drafts");
            let sorted: Vec<Finding> = order.iter().map(|&i| written[i as usize].clone()).collect();
            assert_eq!(writer.write(&drafts, &order), sorted, "{n} drafts");
        }
    }
}
