//! Findings as text for people (rustc style), JSON (SPEC §4), SARIF 2.1.0
//! and JUnit XML.

use std::collections::BTreeMap;

use serde_json::json;

use super::{Finding, RULES, RuleRun};
use crate::model::Severity;
use crate::report::escape::{self, text, url_path};

/// One finding as a block of text: `severity[rule]: message`, then where,
/// the path and the help, each on its own line.
fn finding_block(f: &Finding) -> String {
    let mut out = format!(
        "{}[{}]: {}\n",
        f.severity.as_str(),
        text(&f.rule),
        text(&f.message)
    );
    if let Some(l) = &f.location {
        out.push_str(&format!("  --> {}:{}\n", text(&l.file), l.line));
    }
    if let Some(path) = &f.path {
        out.push_str(&format!("  = path: {}\n", text(&path.join(" → "))));
    }
    if let Some(help) = &f.help {
        out.push_str(&format!("  = help: {}\n", text(help)));
    }
    out
}

/// Human output: one block per finding, then a summary line.
pub fn render_human(findings: &[Finding]) -> String {
    let mut out = String::new();
    // Rules, messages, paths and help quote the model: each field stays on
    // its line and cannot steer the terminal.
    for f in findings {
        out.push_str(&finding_block(f));
        out.push('\n');
    }
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    out.push_str(&format!(
        "{}: {}, {}, {}\n",
        if count(Severity::Error) > 0 {
            "failed"
        } else {
            "ok"
        },
        plural(count(Severity::Error), "error"),
        plural(count(Severity::Warning), "warning"),
        plural(count(Severity::Info), "note")
    ));
    out
}

/// `{"findings": [...]}`, pretty-printed, with a final newline.
pub fn render_json(findings: &[Finding]) -> String {
    let doc = JsonDoc {
        findings: findings.iter().map(JsonFinding::from).collect(),
    };
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{\"findings\": []}".into());
    s.push('\n');
    s
}

/// The JSON shape of [`Finding`], serialized directly rather than through a
/// `serde_json::Value` (which at a few hundred thousand findings cost more
/// than the evaluation). Keys are declared in alphabetical order, the order
/// a `Value` object prints them in.
#[derive(serde::Serialize)]
struct JsonDoc<'a> {
    findings: Vec<JsonFinding<'a>>,
}

#[derive(serde::Serialize)]
struct JsonFinding<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    category: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    country: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kinds: Option<&'a [crate::model::Kind]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<JsonLocation<'a>>,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    org: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<&'a [String]>,
    rule: &'a str,
    severity: Severity,
}

#[derive(serde::Serialize)]
struct JsonLocation<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<usize>,
    file: &'a str,
    line: usize,
}

impl<'a> From<&'a Finding> for JsonFinding<'a> {
    fn from(f: &'a Finding) -> Self {
        JsonFinding {
            category: f.category.as_deref(),
            country: f.country.as_deref(),
            help: f.help.as_deref(),
            kinds: f.kinds.as_deref(),
            location: f.location.as_ref().map(|l| JsonLocation {
                column: l.column,
                file: &l.file,
                line: l.line,
            }),
            message: &f.message,
            org: f.org.as_deref(),
            path: f.path.as_deref(),
            rule: &f.rule,
            severity: f.severity,
        }
    }
}

/// SARIF 2.1.0, with rule metadata and locations into the model files, so
/// code scanning shows findings on the model's lines.
pub fn render_sarif(findings: &[Finding], policy_rules: &[(String, String)]) -> String {
    let mut rules: BTreeMap<String, String> = RULES
        .iter()
        .map(|(id, _, doc)| (id.to_string(), doc.to_string()))
        .collect();
    for (id, doc) in policy_rules {
        rules.insert(id.clone(), doc.clone());
    }
    for f in findings {
        rules
            .entry(f.rule.clone())
            .or_insert_with(|| "The model could not be loaded.".into());
    }
    let ids: Vec<&String> = rules.keys().collect();
    let results: Vec<_> = findings
        .iter()
        .map(|f| {
            let mut result = json!({
                "ruleId": f.rule,
                "ruleIndex": ids.iter().position(|id| **id == f.rule),
                "level": match f.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                    Severity::Info => "note",
                },
                "message": { "text": match &f.path {
                    Some(p) => format!("{} [path: {}]", f.message, p.join(" → ")),
                    None => f.message.clone(),
                }},
            });
            if let Some(l) = &f.location {
                result["locations"] = json!([{
                    "physicalLocation": {
                        "artifactLocation": { "uri": url_path(&l.file.replace('\\', "/")) },
                        "region": { "startLine": l.line, "startColumn": l.column.unwrap_or(1) }
                    }
                }]);
            }
            result
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "reachmap",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://crates.io/crates/reachmap",
                "rules": rules.iter().map(|(id, doc)| json!({
                    "id": id,
                    "shortDescription": { "text": doc },
                })).collect::<Vec<_>>(),
            }},
            "results": results,
        }]
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// JUnit XML: one test suite "reachmap" with one test case per rule that ran
/// (`rules`, plus any rule a finding names that `rules` lacks, such as a load
/// error's code). An error finding is a `<failure>` of its rule's case;
/// warnings and notes do not fail a case and are listed in its
/// `<system-out>`. A rule that did not run on the date is `<skipped>`. No
/// times or timestamps, so the same model gives the same bytes.
pub fn render_junit(findings: &[Finding], rules: &[RuleRun]) -> String {
    let mut cases: Vec<RuleRun> = rules.to_vec();
    for f in findings {
        if !cases.iter().any(|c| c.id == f.rule) {
            cases.push(RuleRun {
                id: f.rule.clone(),
                group: "load",
                skipped: None,
            });
        }
    }
    cases.sort_by(|a, b| (group_rank(a.group), &a.id).cmp(&(group_rank(b.group), &b.id)));

    let mut body = String::new();
    let (mut failed, mut skipped) = (0, 0);
    for case in &cases {
        let mine: Vec<&Finding> = findings.iter().filter(|f| f.rule == case.id).collect();
        let errors: Vec<&&Finding> = mine
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .collect();
        let others: Vec<&&Finding> = mine
            .iter()
            .filter(|f| f.severity != Severity::Error)
            .collect();
        body.push_str(&format!(
            "    <testcase name=\"{}\" classname=\"reachmap.{}\"",
            escape::xml_attr(&case.id),
            case.group
        ));
        if errors.is_empty() && others.is_empty() && case.skipped.is_none() {
            body.push_str("/>\n");
            continue;
        }
        body.push_str(">\n");
        if let Some(why) = &case.skipped {
            skipped += 1;
            body.push_str(&format!(
                "      <skipped message=\"{}\"/>\n",
                escape::xml_attr(why)
            ));
        }
        if !errors.is_empty() {
            failed += 1;
        }
        for f in &errors {
            body.push_str(&format!(
                "      <failure type=\"error\" message=\"{}\">{}</failure>\n",
                escape::xml_attr(&f.message),
                escape::xml(&finding_block(f))
            ));
        }
        if !others.is_empty() {
            let text: Vec<String> = others.iter().map(|f| finding_block(f)).collect();
            body.push_str(&format!(
                "      <system-out>{}</system-out>\n",
                escape::xml(&text.join("\n"))
            ));
        }
        body.push_str("    </testcase>\n");
    }
    let counts = format!(
        "tests=\"{}\" failures=\"{failed}\" errors=\"0\" skipped=\"{skipped}\"",
        cases.len()
    );
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <testsuites name=\"reachmap\" {counts}>\n  \
         <testsuite name=\"reachmap\" {counts}>\n{body}  </testsuite>\n</testsuites>\n"
    )
}

/// Load errors first (nothing else ran), then built-in rules, then policies.
fn group_rank(group: &str) -> u8 {
    match group {
        "load" => 0,
        "rule" => 1,
        _ => 2,
    }
}
