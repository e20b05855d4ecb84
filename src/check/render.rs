//! Findings as text for people (rustc style), JSON (SPEC §4) and SARIF 2.1.0.

use std::collections::BTreeMap;

use serde_json::json;

use super::{Finding, RULES};
use crate::model::Severity;
use crate::report::escape::{text, url_path};

/// Human output: one block per finding, then a summary line.
pub fn render_human(findings: &[Finding]) -> String {
    let mut out = String::new();
    // Rules, messages, paths and help quote the model: each field stays on
    // its line and cannot steer the terminal.
    for f in findings {
        out.push_str(&format!(
            "{}[{}]: {}\n",
            f.severity.as_str(),
            text(&f.rule),
            text(&f.message)
        ));
        if let Some(l) = &f.location {
            out.push_str(&format!("  --> {}:{}\n", text(&l.file), l.line));
        }
        if let Some(path) = &f.path {
            out.push_str(&format!("  = path: {}\n", text(&path.join(" → "))));
        }
        if let Some(help) = &f.help {
            out.push_str(&format!("  = help: {}\n", text(help)));
        }
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
    let mut s = serde_json::to_string_pretty(&json!({ "findings": findings }))
        .unwrap_or_else(|_| "{\"findings\": []}".into());
    s.push('\n');
    s
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
