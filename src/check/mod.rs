//! Findings (SPEC §3): policy violations, undisclosed countries, accesses
//! without a contract chain, and lints a careful privacy officer wants.
//! Findings are data; rendering them is the caller's business.

mod render;

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
    let mut findings = Vec::new();
    policies(evaluation, reach, &mut findings);
    undisclosed(evaluation, reach, &mut findings);
    uncontracted(evaluation, &mut findings);
    lints(evaluation, &mut findings);
    sort(&mut findings);
    findings
}

fn sort(findings: &mut Vec<Finding>) {
    // Sorting indices, not findings: a stable sort moves each element many
    // times, and a finding is a few hundred bytes.
    #[allow(clippy::type_complexity)]
    fn key(
        f: &Finding,
    ) -> (
        Severity,
        &String,
        &Option<String>,
        &Option<String>,
        &Option<String>,
        &Option<FindingLocation>,
        &String,
    ) {
        (
            f.severity,
            &f.rule,
            &f.country,
            &f.category,
            &f.org,
            &f.location,
            &f.message,
        )
    }
    let mut order: Vec<u32> = (0..findings.len() as u32).collect();
    order.sort_by(|&a, &b| key(&findings[a as usize]).cmp(&key(&findings[b as usize])));
    let mut slots: Vec<Option<Finding>> = std::mem::take(findings).into_iter().map(Some).collect();
    findings.extend(order.into_iter().filter_map(|i| slots[i as usize].take()));
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
    for &a in evaluation.active_accesses() {
        let access = &model.accesses[a];
        let org = model.organisation(access.who);
        if org.role == Role::Controller || chains[access.who.0 as usize].is_some() {
            continue;
        }
        let mut f = Finding::new(
            "uncontracted-access",
            Severity::Error,
            format!(
                "{} ({}) can access {} but no contract or parent link connects it to a controller",
                org.name,
                org.id,
                model.system(access.to).name
            ),
        )
        .at(access.meta.location.as_ref());
        f.org = Some(org.id.clone());
        f.country = Some(access.from_country.to_string());
        f.path = Some(vec![
            format!("org:{}", org.id),
            format!("system:{}", model.system(access.to).id),
        ]);
        f.help = Some(format!(
            "record the [[contract]] under which \"{}\" works, or end the access",
            org.id
        ));
        out.push(f);
    }
}

fn lints(evaluation: &Evaluation, out: &mut Vec<Finding>) {
    let model = evaluation.model();
    let mut receives = vec![false; model.systems.len()];
    for f in evaluation.active_flows() {
        receives[model.flows[f].to.0 as usize] = true;
    }
    for (i, s) in model.systems.iter().enumerate() {
        let idx = SystemIdx(i as u32);
        if evaluation.system_active(idx) && s.holds.is_clear() && !receives[i] {
            out.push(
                Finding::new(
                    "idle-system",
                    Severity::Warning,
                    format!(
                        "system {} ({}) holds nothing and receives nothing",
                        s.name, s.id
                    ),
                )
                .at(s.meta.location.as_ref()),
            );
        }
    }
    for &a in evaluation.active_accesses() {
        let access = &model.accesses[a];
        if access.categories.is_some() && evaluation.access_reads(a).is_clear() {
            let org = model.organisation(access.who);
            let mut f = Finding::new(
                "access-reads-nothing",
                Severity::Warning,
                format!(
                    "{} ({}) has access to {} for categories the system does not hold on {}",
                    org.name,
                    org.id,
                    model.system(access.to).id,
                    evaluation.date()
                ),
            )
            .at(access.meta.location.as_ref());
            f.org = Some(org.id.clone());
            out.push(f);
        }
    }
    let mut named = crate::model::CategorySet::empty(model.categories.len());
    let mut mark = |list: &[CategoryIdx]| {
        for &c in list {
            named.insert(c);
        }
    };
    model.systems.iter().for_each(|s| mark(&s.holds_named));
    model.flows.iter().for_each(|f| mark(&f.categories_named));
    model
        .accesses
        .iter()
        .for_each(|a| mark(&a.categories_named));
    model
        .contracts
        .iter()
        .for_each(|c| mark(&c.categories_named));
    model
        .policies
        .iter()
        .for_each(|p| mark(&p.categories_named));
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
}

/// The exit code for a set of findings: 1 when any has error severity.
pub fn exit_code(findings: &[Finding]) -> u8 {
    u8::from(findings.iter().any(|f| f.severity == Severity::Error))
}
