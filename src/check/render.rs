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
///
/// Written straight into the text, in the bytes `serde_json`'s pretty
/// printer gives (keys in alphabetical order, two-space indent): at a few
/// hundred thousand findings, serializing cost more than the evaluation.
/// The two halves of the list are written side by side.
pub fn render_json(findings: &[Finding]) -> String {
    if findings.is_empty() {
        return "{\n  \"findings\": []\n}\n".into();
    }
    let sizes: Vec<usize> = findings.iter().map(json_size_hint).collect();
    let total: usize = sizes.iter().sum();
    let mut sum = 0;
    let half = sizes
        .iter()
        .position(|s| {
            sum += s;
            2 * sum > total
        })
        .unwrap_or(findings.len());
    let (first, second) = findings.split_at(half);
    let mut out = String::with_capacity(total + 64);
    out.push_str("{\n  \"findings\": [");
    let rest = std::thread::scope(|scope| {
        let rest = scope.spawn(|| {
            let mut rest = String::with_capacity(total - sum);
            json_findings(&mut rest, second, first.is_empty());
            rest
        });
        json_findings(&mut out, first, true);
        rest.join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    });
    out.push_str(&rest);
    out.push_str("\n  ]\n}\n");
    out
}

/// About the length of a finding's JSON, a little more unless strings need
/// escapes: its strings plus a generous allowance for keys, quotes and
/// indentation. Only lengths the finding itself holds are read.
fn json_size_hint(f: &Finding) -> usize {
    let opt = |s: &Option<String>| s.as_ref().map_or(0, |s| s.len() + 32);
    let list = |n: Option<usize>| n.map_or(0, |n| 32 + 64 * n);
    let location = f.location.as_ref().map_or(0, |l| l.file.len() + 128);
    f.rule.len()
        + f.message.len()
        + opt(&f.country)
        + opt(&f.category)
        + opt(&f.org)
        + opt(&f.help)
        + list(f.path.as_ref().map(Vec::len))
        + list(f.kinds.as_ref().map(Vec::len))
        + location
        + 128
}

/// The findings as elements of the `findings` array, each after its
/// separator: `leading` when the first of them is the array's first.
fn json_findings(out: &mut String, findings: &[Finding], leading: bool) {
    for (b, batch) in findings.chunks(TOUCH_BATCH).enumerate() {
        touch(batch);
        for (i, f) in batch.iter().enumerate() {
            out.push_str(if b == 0 && i == 0 && leading {
                "\n    "
            } else {
                ",\n    "
            });
            json_finding(out, f);
        }
    }
}

/// How many findings [`touch`] reads ahead.
const TOUCH_BATCH: usize = 16;

/// Reads a byte of every string of a few findings before they are written.
/// Sorting leaves findings far from their strings, so writing them one
/// after the other waits for memory once per string; these loads do not
/// depend on each other, and the processor fetches them all at once.
fn touch(findings: &[Finding]) {
    let mut x = 0u8;
    let mut at = |s: &str| {
        let b = s.as_bytes();
        x ^= b.first().copied().unwrap_or(0) ^ b.last().copied().unwrap_or(0);
    };
    for f in findings {
        at(&f.rule);
        at(&f.message);
        [&f.country, &f.category, &f.org, &f.help]
            .into_iter()
            .flatten()
            .for_each(|s| at(s));
        f.path.iter().flatten().for_each(|s| at(s));
        if let Some(l) = &f.location {
            at(&l.file);
        }
    }
    std::hint::black_box(x);
}

/// One finding as a JSON object at depth 2, its keys in alphabetical order.
fn json_finding(out: &mut String, f: &Finding) {
    const FIELD: &str = "\n      ";
    const NEXT_FIELD: &str = ",\n      ";
    out.push('{');
    // `message`, `rule` and `severity` are always there, so only the keys
    // before `message` can be the first.
    let mut first = true;
    let mut key = |out: &mut String, name: &str| {
        out.push_str(if first { FIELD } else { NEXT_FIELD });
        first = false;
        out.push('"');
        out.push_str(name);
        out.push_str("\": ");
    };
    if let Some(category) = &f.category {
        key(out, "category");
        json_str(out, category);
    }
    if let Some(country) = &f.country {
        key(out, "country");
        json_str(out, country);
    }
    if let Some(help) = &f.help {
        key(out, "help");
        json_str(out, help);
    }
    if let Some(kinds) = &f.kinds {
        key(out, "kinds");
        json_list(out, kinds.iter().map(|k| k.as_str()));
    }
    if let Some(l) = &f.location {
        key(out, "location");
        out.push('{');
        if let Some(column) = l.column {
            out.push_str("\n        \"column\": ");
            json_number(out, column);
            out.push(',');
        }
        out.push_str("\n        \"file\": ");
        json_str(out, &l.file);
        out.push_str(",\n        \"line\": ");
        json_number(out, l.line);
        out.push_str("\n      }");
    }
    key(out, "message");
    json_str(out, &f.message);
    if let Some(org) = &f.org {
        key(out, "org");
        json_str(out, org);
    }
    if let Some(path) = &f.path {
        key(out, "path");
        json_list(out, path.iter().map(String::as_str));
    }
    key(out, "rule");
    json_str(out, &f.rule);
    key(out, "severity");
    json_str(out, f.severity.as_str());
    out.push_str("\n    }");
}

/// A list of strings as a JSON array at depth 3 (`[]` when empty).
fn json_list<'a>(out: &mut String, items: impl Iterator<Item = &'a str>) {
    out.push('[');
    let mut empty = true;
    for item in items {
        out.push_str(if empty { "\n        " } else { ",\n        " });
        empty = false;
        json_str(out, item);
    }
    if !empty {
        out.push_str("\n      ");
    }
    out.push(']');
}

fn json_number(out: &mut String, n: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // Only ASCII digits were written.
    out.push_str(std::str::from_utf8(&digits[at..]).unwrap_or("0"));
}

/// A JSON string as `serde_json` writes it: `"` and `\` escaped, control
/// characters as `\b \t \n \f \r` or `\u00xx`, everything else as is.
fn json_str(out: &mut String, s: &str) {
    out.push('"');
    let bytes = s.as_bytes();
    // Most strings need no escape; a fold without early exit is one quick
    // vectorised pass over them.
    let plain = bytes.iter().fold(true, |plain, &b| {
        plain & (b >= 0x20 && b != b'"' && b != b'\\')
    });
    if plain {
        out.push_str(s);
        out.push('"');
        return;
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let short = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..0x20 => "",
            _ => continue,
        };
        // Every byte escaped is ASCII, so `i` is on a character boundary.
        out.push_str(&s[start..i]);
        if short.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 0xf) as usize] as char);
        } else {
            out.push_str(short);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::FindingLocation;
    use crate::model::Kind;

    /// The SPEC §4 document through serde_json's pretty printer, with keys
    /// declared in alphabetical order: the independent reference that the
    /// hand-written JSON must match byte for byte.
    fn reference(findings: &[Finding]) -> String {
        #[derive(serde::Serialize)]
        struct Doc<'a> {
            findings: Vec<Item<'a>>,
        }
        #[derive(serde::Serialize)]
        struct Item<'a> {
            #[serde(skip_serializing_if = "Option::is_none")]
            category: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            country: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            help: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            kinds: Option<&'a [Kind]>,
            #[serde(skip_serializing_if = "Option::is_none")]
            location: Option<Loc<'a>>,
            message: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            org: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            path: Option<&'a [String]>,
            rule: &'a str,
            severity: Severity,
        }
        #[derive(serde::Serialize)]
        struct Loc<'a> {
            #[serde(skip_serializing_if = "Option::is_none")]
            column: Option<usize>,
            file: &'a str,
            line: usize,
        }
        let doc = Doc {
            findings: findings
                .iter()
                .map(|f| Item {
                    category: f.category.as_deref(),
                    country: f.country.as_deref(),
                    help: f.help.as_deref(),
                    kinds: f.kinds.as_deref(),
                    location: f.location.as_ref().map(|l| Loc {
                        column: l.column,
                        file: &l.file,
                        line: l.line,
                    }),
                    message: &f.message,
                    org: f.org.as_deref(),
                    path: f.path.as_deref(),
                    rule: &f.rule,
                    severity: f.severity,
                })
                .collect(),
        };
        serde_json::to_string_pretty(&doc).unwrap() + "\n"
    }

    /// Every ASCII character, with the ones JSON must escape among them,
    /// and a few beyond ASCII (one that needs no escape in JSON but ends a
    /// line in JavaScript, and one four bytes long).
    fn awkward(i: usize) -> String {
        let ascii: String = (0u8..0x80).map(char::from).collect();
        format!("{i}:{ascii}é→\u{2028}😀")
    }

    /// Findings that between them have and lack every optional field, with
    /// empty and non-empty lists and big and small numbers.
    fn varied(n: usize) -> Vec<Finding> {
        (0..n)
            .map(|i| {
                let has = |bit: usize| i & (1 << bit) != 0;
                let severity = [Severity::Error, Severity::Warning, Severity::Info][i % 3];
                let mut f = Finding::new(format!("rule-{i}"), severity, awkward(i));
                f.category = has(0).then(|| awkward(i + 1));
                f.country = has(1).then(|| "JP".to_string());
                f.help = has(2).then(|| awkward(i + 2));
                f.kinds = has(3).then(|| Kind::ALL[..i % 5].to_vec());
                f.path = has(4).then(|| (0..i % 3).map(awkward).collect());
                f.org = has(5).then(|| format!("org \"{i}\""));
                f.location = has(6).then(|| FindingLocation {
                    file: awkward(i + 3),
                    line: i * 7919,
                    column: has(7).then_some(usize::MAX - i),
                });
                f
            })
            .collect()
    }

    #[test]
    fn json_matches_serde_json_byte_for_byte() {
        // 0 to 3 findings split unevenly or not at all between the two
        // halves; 256 reach every combination of optional fields.
        for n in [0, 1, 2, 3, 256, 257] {
            let findings = varied(n);
            assert_eq!(render_json(&findings), reference(&findings), "{n} findings");
        }
    }
}
