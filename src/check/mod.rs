//! Findings (SPEC §3): policy violations, undisclosed countries, accesses
//! without a contract chain, and lints a careful privacy officer wants.
//! Findings are data; rendering them is the caller's business.

mod render;

use std::cmp::Ordering;
use std::path::Path;
use std::sync::Arc;

use foldhash::fast::FixedState;
use serde::Serialize;

pub use render::{render_human, render_json, render_junit, render_sarif};

use crate::model::{
    CategoryIdx, Diagnostic, Kind, LoadError, Location, Model, Role, Severity, SystemIdx,
};
use crate::reach::{Evaluation, Reach};

/// One finding, in the JSON shape of SPEC §4.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule id, or the policy's id for a policy violation.
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kinds: Option<Vec<Kind>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<FindingLocation>,
    /// What to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingLocation {
    pub file: String,
    pub line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
}

impl From<&Location> for FindingLocation {
    fn from(l: &Location) -> Self {
        FindingLocation {
            file: l.file.display().to_string(),
            line: l.line,
            column: l.column,
        }
    }
}

impl Finding {
    fn new(rule: impl Into<String>, severity: Severity, message: String) -> Finding {
        Finding {
            rule: rule.into(),
            severity,
            message,
            country: None,
            category: None,
            kinds: None,
            path: None,
            org: None,
            location: None,
            help: None,
        }
    }

    fn at(mut self, location: Option<&Location>) -> Finding {
        self.location = location.map(FindingLocation::from);
        self
    }

    /// A load diagnostic as a finding, so every output format can carry it.
    pub fn from_diagnostic(d: &Diagnostic) -> Finding {
        let mut f =
            Finding::new(d.code, Severity::Error, d.message.clone()).at(d.location.as_ref());
        f.help = d.help.clone();
        if let Some(entry) = &d.entry {
            f.message = format!("{} (in {entry})", f.message);
        }
        f
    }
}

/// Every rule reachmap checks, with its default severity and what it means.
pub const RULES: &[(&str, Severity, &str)] = &[
    (
        "undisclosed-country",
        Severity::Error,
        "A foreign country reaches personal data but is missing from disclosed_countries.",
    ),
    (
        "uncontracted-access",
        Severity::Error,
        "An organisation that is neither a controller nor reached from one through contracts or parent links has access.",
    ),
    (
        "idle-system",
        Severity::Warning,
        "A system holds nothing and receives nothing on the date.",
    ),
    (
        "access-reads-nothing",
        Severity::Warning,
        "An access to a system that holds none of the categories it names.",
    ),
    (
        "unused-category",
        Severity::Info,
        "A category no system, flow, access, contract or policy names.",
    ),
    (
        "unreferenced-organisation",
        Severity::Info,
        "An organisation that operates nothing, accesses nothing, is party to no contract and parents no one.",
    ),
];

/// A rule as a test case of `check --format junit`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleRun {
    /// The rule id, or the policy's id.
    pub id: String,
    /// `rule` (built in), `policy` or `load`; the JUnit classname is `reachmap.<group>`.
    pub group: &'static str,
    /// Why the rule did not run on the evaluation date, when it did not.
    pub skipped: Option<String>,
}

/// The rules [`check`] runs on an evaluation: every built-in rule and every
/// policy, a policy not in force on the date marked skipped.
pub fn rules_run(evaluation: &Evaluation) -> Vec<RuleRun> {
    let date = evaluation.date();
    let builtin = RULES.iter().map(|(id, _, _)| RuleRun {
        id: id.to_string(),
        group: "rule",
        skipped: None,
    });
    let policies = evaluation.model().policies.iter().map(|p| RuleRun {
        id: p.id.clone(),
        group: "policy",
        skipped: (!p.window.applies(date)).then(|| format!("policy not in force on {date}")),
    });
    builtin.chain(policies).collect()
}

/// The load diagnostics as findings.
pub fn load_findings(error: &LoadError) -> Vec<Finding> {
    error
        .diagnostics
        .iter()
        .map(Finding::from_diagnostic)
        .collect()
}

/// Checks an evaluated model. `reach` is the evaluation's matrix.
pub fn check(evaluation: &Evaluation, reach: &[Reach]) -> Vec<Finding> {
    // The lints read only the evaluation, and on a large model they make
    // about as many findings as the other rules: the two groups are built
    // and sorted side by side, then merged.
    let (rules, lints) = std::thread::scope(|scope| {
        let lints = scope.spawn(|| Sorted::new(lints(evaluation)));
        let mut findings = Vec::new();
        policies(evaluation, reach, &mut findings);
        undisclosed(evaluation, reach, &mut findings);
        uncontracted(evaluation, &mut findings);
        let rules = Sorted::new(findings);
        let lints = lints
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (rules, lints)
    });
    merge(rules, lints)
}

/// The order findings are printed in: by severity, rule, country, category,
/// organisation, location and message, and on a full tie in the order they
/// were made (the order of a stable sort on those fields).
#[allow(clippy::type_complexity)]
fn order_key(
    f: &Finding,
) -> (
    Severity,
    &str,
    Option<&str>,
    Option<&str>,
    Option<&str>,
    Option<&FindingLocation>,
    &str,
) {
    (
        f.severity,
        &f.rule,
        f.country.as_deref(),
        f.category.as_deref(),
        f.org.as_deref(),
        f.location.as_ref(),
        &f.message,
    )
}

/// Findings and the order they sort in, not yet moved into it: a finding
/// is a few hundred bytes, and each should move once, into its final place.
struct Sorted {
    slots: Vec<Option<Finding>>,
    order: Vec<u32>,
    /// Where each run of findings of one severity and rule ends in `order`.
    runs: Vec<usize>,
}

impl Sorted {
    /// Sorts by [`order_key`], keeping the order of `findings` on a full tie.
    fn new(findings: Vec<Finding>) -> Sorted {
        let mut keys = sort_keys(&findings);
        // The index decides the last tie, so an unstable sort gives exactly
        // the order of a stable one.
        keys.sort_unstable_by(|(a, i), (b, j)| {
            a.cmp(b)
                .then_with(|| {
                    findings[*i as usize]
                        .message
                        .cmp(&findings[*j as usize].message)
                })
                .then(i.cmp(j))
        });
        let mut runs: Vec<usize> = (1..keys.len())
            .filter(|&n| {
                let (a, b) = (&keys[n - 1].0, &keys[n].0);
                (a.severity, a.rule) != (b.severity, b.rule)
            })
            .collect();
        runs.extend((!keys.is_empty()).then_some(keys.len()));
        Sorted {
            order: keys.into_iter().map(|(_, i)| i).collect(),
            slots: findings.into_iter().map(Some).collect(),
            runs,
        }
    }

    /// The runs of findings of one severity and rule, as ranges of `order`.
    fn runs(&self) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
        let starts = std::iter::once(0).chain(self.runs.iter().copied());
        starts.zip(self.runs.iter().copied()).map(|(s, e)| s..e)
    }

    fn at(&self, position: usize) -> Option<&Finding> {
        self.slots[self.order[position] as usize].as_ref()
    }

    /// Moves the findings at `positions` of the order to the end of `out`.
    fn move_to(&mut self, positions: std::ops::Range<usize>, out: &mut Vec<Finding>) {
        let slots = &mut self.slots;
        out.extend(
            self.order[positions]
                .iter()
                .filter_map(|&i| slots[i as usize].take()),
        );
    }
}

/// Two sorted groups as one sorted list. `first`'s findings were made
/// before `second`'s, so on a full tie they come first, as in a stable sort
/// of both together. The groups seldom share a rule, so whole runs of one
/// rule are compared once and moved.
fn merge(mut first: Sorted, mut second: Sorted) -> Vec<Finding> {
    let mut out = Vec::with_capacity(first.order.len() + second.order.len());
    let first_runs: Vec<_> = first.runs().collect();
    let second_runs: Vec<_> = second.runs().collect();
    let (mut a, mut b) = (
        first_runs.into_iter().peekable(),
        second_runs.into_iter().peekable(),
    );
    while let (Some(ra), Some(rb)) = (a.peek().cloned(), b.peek().cloned()) {
        let head = |s: &Sorted, at: usize| s.at(at).map(|f| (f.severity, f.rule.clone()));
        match head(&first, ra.start).cmp(&head(&second, rb.start)) {
            Ordering::Less => {
                first.move_to(ra, &mut out);
                a.next();
            }
            Ordering::Greater => {
                second.move_to(rb, &mut out);
                b.next();
            }
            Ordering::Equal => {
                merge_runs(&mut first, ra, &mut second, rb, &mut out);
                a.next();
                b.next();
            }
        }
    }
    a.for_each(|r| first.move_to(r, &mut out));
    b.for_each(|r| second.move_to(r, &mut out));
    out
}

/// Two runs of the same severity and rule, one from each group, merged
/// finding by finding.
fn merge_runs(
    first: &mut Sorted,
    a: std::ops::Range<usize>,
    second: &mut Sorted,
    b: std::ops::Range<usize>,
    out: &mut Vec<Finding>,
) {
    let (mut i, mut j) = (a.start, b.start);
    while i < a.end && j < b.end {
        let second_first = match (first.at(i), second.at(j)) {
            (Some(x), Some(y)) => order_key(y) < order_key(x),
            _ => false,
        };
        if second_first {
            second.move_to(j..j + 1, out);
            j += 1;
        } else {
            first.move_to(i..i + 1, out);
            i += 1;
        }
    }
    first.move_to(i..a.end, out);
    second.move_to(j..b.end, out);
}

/// [`order_key`] without the message, every string field replaced by its
/// rank among the distinct values of that field, so comparing two findings
/// reads a few integers instead of chasing strings. Rank 0 stands for an
/// absent value, which sorts first, and a finding without a location has
/// file 0, line 0 and no column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct SortKey {
    severity: Severity,
    rule: u32,
    country: u32,
    category: u32,
    org: u32,
    file: u32,
    line: usize,
    column: Option<usize>,
}

/// Each finding's [`SortKey`] and its index.
fn sort_keys(findings: &[Finding]) -> Vec<(SortKey, u32)> {
    let rule = ranks(findings.iter().map(|f| Some(f.rule.as_str())));
    let country = ranks(findings.iter().map(|f| f.country.as_deref()));
    let category = ranks(findings.iter().map(|f| f.category.as_deref()));
    let org = ranks(findings.iter().map(|f| f.org.as_deref()));
    let file = ranks(
        findings
            .iter()
            .map(|f| f.location.as_ref().map(|l| l.file.as_str())),
    );
    findings
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let key = SortKey {
                severity: f.severity,
                rule: rule[i],
                country: country[i],
                category: category[i],
                org: org[i],
                file: file[i],
                line: f.location.as_ref().map_or(0, |l| l.line),
                column: f.location.as_ref().and_then(|l| l.column),
            };
            (key, i as u32)
        })
        .collect()
}

/// Each value's rank among the distinct values, counting from 1 in string
/// order; `None` is 0.
fn ranks<'a>(values: impl Iterator<Item = Option<&'a str>>) -> Vec<u32> {
    // Findings of one rule come in runs that share a value (a rule, a file),
    // so the previous value is tried before the table.
    let mut seen: hashbrown::HashMap<&str, u32, FixedState> =
        hashbrown::HashMap::with_hasher(FixedState::default());
    let mut distinct: Vec<&str> = Vec::new();
    let mut previous: Option<(&str, u32)> = None;
    let mut provisional: Vec<u32> = values
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
    // `rank[id]` for each first-seen id (1-based), after sorting the values.
    let mut by_value: Vec<u32> = (1..=distinct.len() as u32).collect();
    by_value.sort_unstable_by(|&a, &b| distinct[a as usize - 1].cmp(distinct[b as usize - 1]));
    let mut rank = vec![0u32; distinct.len() + 1];
    for (r, &id) in by_value.iter().enumerate() {
        rank[id as usize] = r as u32 + 1;
    }
    for id in &mut provisional {
        *id = rank[*id as usize];
    }
    provisional
}

impl PartialOrd for FindingLocation {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for FindingLocation {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (&self.file, self.line, self.column).cmp(&(&other.file, other.line, other.column))
    }
}

fn country_label(
    model: &Model,
    evaluation: &Evaluation,
    code: crate::model::CountryCode,
) -> String {
    let info = model.country_info(code, evaluation.date());
    format!("{} ({code})", info.name)
}

fn category_label(model: &Model, c: CategoryIdx) -> String {
    let category = model.category(c);
    format!("{} ({})", category.name, category.id)
}

fn policies(evaluation: &Evaluation, reach: &[Reach], out: &mut Vec<Finding>) {
    let model = evaluation.model();
    for policy in model
        .policies
        .iter()
        .filter(|p| p.window.applies(evaluation.date()))
    {
        for r in reach {
            if !policy.categories.contains(r.category) || !policy.rule.denies(r.country) {
                continue;
            }
            let kinds: Vec<Kind> = r
                .kinds
                .iter()
                .copied()
                .filter(|k| policy.kinds.is_empty() || policy.kinds.contains(k))
                .collect();
            let Some(&first) = kinds.first() else {
                continue;
            };
            let path = if first == r.kinds[0] {
                r.path.clone()
            } else {
                evaluation
                    .witness(r.country, r.category, first)
                    .unwrap_or_default()
            };
            let what = policy
                .message
                .clone()
                .unwrap_or_else(|| format!("policy {} is violated", policy.id));
            let mut f = Finding::new(
                policy.id.clone(),
                policy.severity,
                format!(
                    "{what}: {} reaches {} ({})",
                    country_label(model, evaluation, r.country),
                    category_label(model, r.category),
                    kinds
                        .iter()
                        .map(|k| k.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .at(policy.meta.location.as_ref());
            f.country = Some(r.country.to_string());
            f.category = Some(model.category(r.category).id.clone());
            f.kinds = Some(kinds);
            f.path = Some(path.render(model));
            f.help = Some(
                "end or restrict the path shown, or change the policy if the reach is intended"
                    .into(),
            );
            out.push(f);
        }
    }
}

fn undisclosed(evaluation: &Evaluation, reach: &[Reach], out: &mut Vec<Finding>) {
    let model = evaluation.model();
    let Some(disclosed) = &model.info.disclosed_countries else {
        return;
    };
    let home = model.info.home;
    for group in reach.chunk_by(|a, b| a.country == b.country) {
        let country = group[0].country;
        if country == home || disclosed.contains(&country) {
            continue;
        }
        let names: Vec<&str> = group
            .iter()
            .map(|r| model.category(r.category).id.as_str())
            .collect();
        let shown = names.iter().take(5).copied().collect::<Vec<_>>().join(", ");
        let more = if names.len() > 5 {
            format!(" and {} more", names.len() - 5)
        } else {
            String::new()
        };
        let mut f = Finding::new(
            "undisclosed-country",
            Severity::Error,
            format!(
                "{} reaches {} categor{} ({shown}{more}) but is not named in disclosed_countries",
                country_label(model, evaluation, country),
                names.len(),
                if names.len() == 1 { "y" } else { "ies" }
            ),
        )
        .at(model.info.meta.location.as_ref());
        f.country = Some(country.to_string());
        f.category = Some(names[0].to_string());
        f.kinds = Some(group[0].kinds.clone());
        f.path = Some(group[0].path.render(model));
        f.help = Some(format!(
            "add \"{country}\" to disclosed_countries once the public disclosure names it"
        ));
        out.push(f);
    }
}

fn uncontracted(evaluation: &Evaluation, out: &mut Vec<Finding>) {
    let model = evaluation.model();
    let chains = evaluation.contract_chains();
    // Per organisation, in one pass, so the accesses are sifted without
    // reading an organisation for each.
    let uncontracted: Vec<bool> = model
        .organisations
        .iter()
        .zip(&chains)
        .map(|(o, chain)| o.role != Role::Controller && chain.is_none())
        .collect();
    let found: Vec<usize> = evaluation
        .active_accesses()
        .iter()
        .copied()
        .filter(|&a| uncontracted[model.accesses[a].who.0 as usize])
        .collect();
    out.reserve(found.len());
    let mut files = Files::default();
    in_batches(
        &found,
        |a| {
            let access = &model.accesses[a];
            let (org, system) = (model.organisation(access.who), model.system(access.to));
            [&org.name, &org.id, &system.name, &system.id]
        },
        |a| {
            let access = &model.accesses[a];
            let (org, system) = (model.organisation(access.who), model.system(access.to));
            let mut f = Finding::new(
                "uncontracted-access",
                Severity::Error,
                [
                    org.name.as_str(),
                    " (",
                    &org.id,
                    ") can access ",
                    &system.name,
                    " but no contract or parent link connects it to a controller",
                ]
                .concat(),
            );
            f.location = files.location(access.meta.location.as_ref());
            f.org = Some(org.id.clone());
            f.country = Some(access.from_country.as_str().to_owned());
            f.path = Some(vec![
                ["org:", &org.id].concat(),
                ["system:", &system.id].concat(),
            ]);
            f.help = Some(
                [
                    "record the [[contract]] under which \"",
                    &org.id,
                    "\" works, or end the access",
                ]
                .concat(),
            );
            out.push(f);
        },
    );
}

/// Calls `build` on each item, a few at a time, after reading a byte of
/// each of the strings `strings` names for them. A large model's rules make
/// a finding for most of its accesses and copy the names of organisations
/// and systems spread all over memory: finding by finding, the copies wait
/// for memory one after another, while these reads do not depend on each
/// other and the processor fetches them side by side. The messages are
/// built by concatenation, not `format!`, for the same reason of numbers.
fn in_batches<'m, T: Copy, const K: usize>(
    items: &[T],
    strings: impl Fn(T) -> [&'m String; K],
    mut build: impl FnMut(T),
) {
    const BATCH: usize = 32;
    for batch in items.chunks(BATCH) {
        let mut x = 0u8;
        for &item in batch {
            for s in strings(item) {
                x ^= s.as_bytes().first().copied().unwrap_or(0);
            }
        }
        std::hint::black_box(x);
        batch.iter().for_each(|&item| build(item));
    }
}

/// Formats each model file's name once: the findings of one table all point
/// into the same file, and `Location` shares one `Arc` per file.
#[derive(Default)]
struct Files {
    last: Option<(Arc<Path>, String)>,
}

impl Files {
    fn location(&mut self, location: Option<&Location>) -> Option<FindingLocation> {
        let l = location?;
        let file = match &self.last {
            Some((path, name)) if Arc::ptr_eq(path, &l.file) => name.clone(),
            _ => {
                let name = l.file.display().to_string();
                self.last = Some((l.file.clone(), name.clone()));
                name
            }
        };
        Some(FindingLocation {
            file,
            line: l.line,
            column: l.column,
        })
    }
}

/// The lints, in the order they are listed in [`RULES`].
fn lints(evaluation: &Evaluation) -> Vec<Finding> {
    let model = evaluation.model();
    let mut out = Vec::new();
    let mut files = Files::default();
    let mut receives = vec![false; model.systems.len()];
    for f in evaluation.active_flows() {
        receives[model.flows[f].to.0 as usize] = true;
    }
    for (i, s) in model.systems.iter().enumerate() {
        let idx = SystemIdx(i as u32);
        if evaluation.system_active(idx) && s.holds.is_clear() && !receives[i] {
            let mut f = Finding::new(
                "idle-system",
                Severity::Warning,
                [
                    "system ",
                    s.name.as_str(),
                    " (",
                    &s.id,
                    ") holds nothing and receives nothing",
                ]
                .concat(),
            );
            f.location = files.location(s.meta.location.as_ref());
            out.push(f);
        }
    }
    // `access_reads(a).is_clear()` without building the set: what the
    // system holds shares no word with what the access names.
    let reads_nothing: Vec<usize> = evaluation
        .active_accesses()
        .iter()
        .copied()
        .filter(|&a| {
            let access = &model.accesses[a];
            access.categories.as_ref().is_some_and(|categories| {
                let holds = evaluation.holdings(access.to).words();
                holds
                    .iter()
                    .zip(categories.words())
                    .all(|(h, c)| h & c == 0)
            })
        })
        .collect();
    out.reserve(reads_nothing.len());
    let date = evaluation.date().to_string();
    in_batches(
        &reads_nothing,
        |a| {
            let access = &model.accesses[a];
            let org = model.organisation(access.who);
            [&org.name, &org.id, &model.system(access.to).id]
        },
        |a| {
            let access = &model.accesses[a];
            let org = model.organisation(access.who);
            let mut f = Finding::new(
                "access-reads-nothing",
                Severity::Warning,
                [
                    org.name.as_str(),
                    " (",
                    &org.id,
                    ") has access to ",
                    &model.system(access.to).id,
                    " for categories the system does not hold on ",
                    &date,
                ]
                .concat(),
            );
            f.location = files.location(access.meta.location.as_ref());
            f.org = Some(org.id.clone());
            out.push(f);
        },
    );
    let mut named = crate::model::CategorySet::empty(model.categories.len());
    let lists = (model.systems.iter().map(|s| &s.holds_named))
        .chain(model.flows.iter().map(|f| &f.categories_named))
        .chain(model.accesses.iter().map(|a| &a.categories_named))
        .chain(model.contracts.iter().map(|c| &c.categories_named))
        .chain(model.policies.iter().map(|p| &p.categories_named));
    // A large model soon names every category; the remaining million
    // entries need not be read.
    let mut unnamed = model.categories.len();
    for list in lists {
        if unnamed == 0 {
            break;
        }
        for &c in list {
            if !named.contains(c) {
                named.insert(c);
                unnamed -= 1;
            }
        }
    }
    let named_list: Vec<CategoryIdx> = named.iter().collect();
    let covered = model.category_set(&named_list);
    for (i, c) in model.categories.iter().enumerate() {
        let idx = CategoryIdx(i as u32);
        // Used when it, a descendant or an ancestor is named.
        let used = model.subtree(idx).iter().any(|d| named.contains(d)) || covered.contains(idx);
        if !used {
            out.push(
                Finding::new(
                    "unused-category",
                    Severity::Info,
                    format!("category {} ({}) is never named", c.name, c.id),
                )
                .at(c.meta.location.as_ref()),
            );
        }
    }
    let mut referenced = vec![false; model.organisations.len()];
    for s in &model.systems {
        referenced[s.operator.0 as usize] = true;
    }
    for a in &model.accesses {
        referenced[a.who.0 as usize] = true;
    }
    for c in &model.contracts {
        referenced[c.from.0 as usize] = true;
        referenced[c.to.0 as usize] = true;
    }
    for o in &model.organisations {
        if let Some(p) = o.parent {
            referenced[p.0 as usize] = true;
        }
    }
    for (i, o) in model.organisations.iter().enumerate() {
        if !referenced[i] && o.role != Role::Controller {
            let mut f = Finding::new(
                "unreferenced-organisation",
                Severity::Info,
                format!(
                    "organisation {} ({}) is referenced by nothing",
                    o.name, o.id
                ),
            )
            .at(o.meta.location.as_ref());
            f.org = Some(o.id.clone());
            out.push(f);
        }
    }
    out
}

/// The exit code for a set of findings: 1 when any has error severity.
pub fn exit_code(findings: &[Finding]) -> u8 {
    u8::from(findings.iter().any(|f| f.severity == Severity::Error))
}
