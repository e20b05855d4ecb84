//! Findings (SPEC §3): policy violations, undisclosed countries, accesses
//! without a contract chain, and lints a careful privacy officer wants.
//! Findings are data; rendering them is the caller's business.

mod draft;
mod render;
mod rules;

use serde::Serialize;

pub use render::{render_human, render_json, render_junit, render_sarif};

use crate::model::{Diagnostic, Kind, LoadError, Location, Severity};
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
    // The lints read only the evaluation: they are drafted on a second
    // thread while the other rules are. The drafts are joined in the order
    // the rules have always run in, which the sort keeps on a full tie.
    let (mut drafts, mut lints) = crate::threads::alongside(
        || {
            let mut drafts = Vec::new();
            rules::policies(evaluation, reach, &mut drafts);
            rules::undisclosed(evaluation, reach, &mut drafts);
            rules::uncontracted(evaluation, &mut drafts);
            drafts
        },
        || rules::lints(evaluation),
    );
    drafts.append(&mut lints);
    let writer = draft::Writer::new(evaluation.model(), evaluation.date());
    let order = writer.sort(&drafts);
    writer.write(&drafts, &order)
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

/// The exit code for a set of findings: 1 when any has error severity.
pub fn exit_code(findings: &[Finding]) -> u8 {
    u8::from(findings.iter().any(|f| f.severity == Severity::Error))
}
