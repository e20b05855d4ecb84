//! Findings as text for people (rustc style), JSON (SPEC §4), SARIF 2.1.0
//! and JUnit XML. A large model has a few hundred thousand findings, so
//! each format is written straight into its text, without a `format!` or
//! an allocation per field, and the two halves of the findings side by
//! side; the tests hold every format to the bytes it had before.

mod json;

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::{Finding, RULES, RuleRun};
use crate::model::Severity;
use crate::report::escape::{self, text};
use crate::threads::alongside;

/// `prefix`, then the items as `write` writes them: the first half on this
/// thread, the second on another, split where about half the text is by
/// `size`. `write` is told whether the items it gets start the list.
fn in_halves<T: Sync>(
    prefix: &str,
    items: &[T],
    size: impl Fn(&T) -> usize,
    write: impl Fn(&mut String, &[T], bool) + Sync,
) -> String {
    let sizes: Vec<usize> = items.iter().map(size).collect();
    let total: usize = sizes.iter().sum();
    let mut sum = 0;
    let half = sizes
        .iter()
        .position(|s| {
            sum += s;
            2 * sum > total
        })
        .unwrap_or(items.len());
    let (first, second) = items.split_at(half);
    let second_size: usize = sizes[half..].iter().sum();
    // Room for what the caller writes after.
    let mut out = String::with_capacity(prefix.len() + total + 4096);
    out.push_str(prefix);
    let ((), rest) = alongside(
        || write(&mut out, first, true),
        || {
            let mut rest = String::with_capacity(second_size);
            write(&mut rest, second, first.is_empty());
            rest
        },
    );
    out.push_str(&rest);
    out
}

/// A little more than the length of a finding in any of the formats, unless
/// its strings need escapes: its strings plus a generous allowance for
/// keys, markup and indentation. Only lengths the finding itself holds are
/// read.
fn size_hint(f: &Finding) -> usize {
    let opt = |s: &Option<String>| s.as_ref().map_or(0, |s| s.len() + 32);
    let list = |n: Option<usize>| n.map_or(0, |n| 32 + 64 * n);
    let location = f.location.as_ref().map_or(0, |l| l.file.len() + 320);
    f.rule.len()
        + 2 * f.message.len()
        + opt(&f.country)
        + opt(&f.category)
        + opt(&f.org)
        + opt(&f.help)
        + list(f.path.as_ref().map(Vec::len))
        + list(f.kinds.as_ref().map(Vec::len))
        + location
        + 192
}

/// Whether [`text`] leaves `s` as it is, erring towards no: `s` has none
/// of the bytes that start or make up a character `text` replaces. Those
/// are C0 controls and DEL; `C2` leads U+0080..U+00BF (the C1 controls,
/// U+0085); `E2 80` and `E2 81` lead U+2000..U+207F (the line and paragraph
/// separators, the bidirectional controls). `→` (`E2 86 92`) is plain.
fn plain_text(s: &str) -> bool {
    let b = s.as_bytes();
    // Folds without early exit are quick vectorised passes.
    b.iter().fold(true, |plain, &c| {
        plain & (c >= 0x20) & (c != 0x7f) & (c != 0xc2)
    }) && memchr::memchr_iter(0xe2, b).all(|i| !matches!(b.get(i + 1), Some(0x80 | 0x81)))
}

/// Whether the XML escape leaves `s` as it is, erring towards no: `s` has
/// no markup character, carriage return or other C0 control (line feed and
/// tab are kept in text, not in an attribute), and no `EF`, which leads
/// U+F000..U+FFFF (U+FFFE and U+FFFF are replaced).
fn plain_xml(s: &str, attribute: bool) -> bool {
    s.bytes().fold(true, |plain, c| {
        plain
            & !matches!(c, b'&' | b'<' | b'>' | b'"' | b'\'' | 0xef)
            & (c >= 0x20 || (!attribute & ((c == b'\n') | (c == b'\t'))))
    })
}

/// An escape that maps each character on its own (`text`, the XML escapes,
/// one after the other), applied run by run: a string `plain` passes is
/// copied as it is; otherwise its ASCII characters go through a table made
/// once with the escape itself, and the rest, unless `plain` passes them,
/// through the escape one by one. A few hundred thousand findings each with
/// a quote in their help need no allocation each.
struct PerChar {
    escape: fn(&str) -> String,
    plain: fn(&str) -> bool,
    /// The escape of each ASCII character, `None` where it is the character.
    ascii: Vec<Option<String>>,
}

impl PerChar {
    fn new(escape: fn(&str) -> String, plain: fn(&str) -> bool) -> PerChar {
        let ascii = (0u8..0x80)
            .map(|b| {
                let c = char::from(b).to_string();
                Some(escape(&c)).filter(|e| *e != c)
            })
            .collect();
        PerChar {
            escape,
            plain,
            ascii,
        }
    }

    fn push(&self, out: &mut String, s: &str) {
        if (self.plain)(s) {
            out.push_str(s);
            return;
        }
        // `s[run..]` is yet to be written, as it is.
        let mut run = 0;
        let mut buf = [0u8; 4];
        for (i, ch) in s.char_indices() {
            let escaped = if ch.is_ascii() {
                match &self.ascii[ch as usize] {
                    Some(e) => Cow::Borrowed(e.as_str()),
                    None => continue,
                }
            } else {
                let c = ch.encode_utf8(&mut buf);
                if (self.plain)(c) {
                    continue;
                }
                Cow::Owned((self.escape)(c))
            };
            out.push_str(&s[run..i]);
            out.push_str(&escaped);
            run = i + ch.len_utf8();
        }
        out.push_str(&s[run..]);
    }
}

/// Findings as blocks of text: `severity[rule]: message`, then where, the
/// path and the help, each on its own line. Rules, messages, paths and help
/// quote the model: each field stays on its line and cannot steer the
/// terminal. For JUnit the block is XML text, so it is also escaped for XML,
/// field by field.
struct Blocks {
    fields: PerChar,
    /// The block's own text, escaped as the fields are.
    open: String,
    close: String,
    end: String,
    at: String,
    colon: String,
    path: String,
    step: String,
    help: String,
}

impl Blocks {
    fn new(xml: bool) -> Blocks {
        let own = |s: &str| if xml { escape::xml(s) } else { s.to_string() };
        Blocks {
            fields: if xml {
                PerChar::new(
                    |s| escape::xml(&text(s)),
                    |s| plain_text(s) && plain_xml(s, false),
                )
            } else {
                PerChar::new(text, plain_text)
            },
            open: own("["),
            close: own("]: "),
            end: own("\n"),
            at: own("  --> "),
            colon: own(":"),
            path: own("  = path: "),
            step: own(" → "),
            help: own("  = help: "),
        }
    }

    fn field(&self, out: &mut String, s: &str) {
        self.fields.push(out, s);
    }

    fn write(&self, out: &mut String, f: &Finding) {
        self.field(out, f.severity.as_str());
        out.push_str(&self.open);
        self.field(out, &f.rule);
        out.push_str(&self.close);
        self.field(out, &f.message);
        out.push_str(&self.end);
        if let Some(l) = &f.location {
            out.push_str(&self.at);
            self.field(out, &l.file);
            out.push_str(&self.colon);
            // Digits, which no escape changes.
            json::number(out, l.line);
            out.push_str(&self.end);
        }
        if let Some(path) = &f.path {
            out.push_str(&self.path);
            for (i, step) in path.iter().enumerate() {
                if i > 0 {
                    out.push_str(&self.step);
                }
                self.field(out, step);
            }
            out.push_str(&self.end);
        }
        if let Some(help) = &f.help {
            out.push_str(&self.help);
            self.field(out, help);
            out.push_str(&self.end);
        }
    }
}

/// Human output: one block per finding, then a summary line.
pub fn render_human(findings: &[Finding]) -> String {
    let blocks = Blocks::new(false);
    let mut out = in_halves("", findings, size_hint, |out, part, _| {
        for f in part {
            blocks.write(out, f);
            out.push('\n');
        }
    });
    let (mut errors, mut warnings, mut notes) = (0, 0, 0);
    for f in findings {
        match f.severity {
            Severity::Error => errors += 1,
            Severity::Warning => warnings += 1,
            Severity::Info => notes += 1,
        }
    }
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    out.push_str(&format!(
        "{}: {}, {}, {}\n",
        if errors > 0 { "failed" } else { "ok" },
        plural(errors, "error"),
        plural(warnings, "warning"),
        plural(notes, "note")
    ));
    out
}

/// `{"findings": [...]}`, pretty-printed, with a final newline.
pub fn render_json(findings: &[Finding]) -> String {
    if findings.is_empty() {
        return "{\n  \"findings\": []\n}\n".into();
    }
    let mut out = in_halves("{\n  \"findings\": [", findings, size_hint, json::findings);
    out.push_str("\n  ]\n}\n");
    out
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
        if !rules.contains_key(&f.rule) {
            rules.insert(f.rule.clone(), "The model could not be loaded.".into());
        }
    }
    let ids: Vec<&String> = rules.keys().collect();
    let prefix = "{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\
                  \n  \"runs\": [\n    {\n      \"results\": [";
    let mut out = in_halves(prefix, findings, size_hint, |out, part, leading| {
        json::sarif_results(out, part, leading, &ids)
    });
    if !findings.is_empty() {
        out.push_str("\n      ");
    }
    out.push_str(
        "],\n      \"tool\": {\n        \"driver\": {\
         \n          \"informationUri\": \"https://crates.io/crates/reachmap\",\
         \n          \"name\": \"reachmap\",\n          \"rules\": ",
    );
    json::sarif_rules(
        &mut out,
        rules.iter().map(|(id, doc)| (id.as_str(), doc.as_str())),
    );
    out.push_str(",\n          \"version\": ");
    json::string(&mut out, env!("CARGO_PKG_VERSION"));
    out.push_str("\n        }\n      }\n    }\n  ],\n  \"version\": \"2.1.0\"\n}\n");
    out
}

/// JUnit XML: one test suite "reachmap" with one test case per rule that ran
/// (`rules`, plus any rule a finding names that `rules` lacks, such as a load
/// error's code). An error finding is a `<failure>` of its rule's case;
/// warnings and notes do not fail a case and are listed in its
/// `<system-out>`. A rule that did not run on the date is `<skipped>`. No
/// times or timestamps, so the same model gives the same bytes.
pub fn render_junit(findings: &[Finding], rules: &[RuleRun]) -> String {
    let mut cases: Vec<RuleRun> = rules.to_vec();
    // Each rule's findings, in their order; a rule no case names is a load
    // error's code.
    let mut by_rule: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in findings {
        by_rule.entry(&f.rule).or_default().push(f);
    }
    for &rule in by_rule.keys() {
        if !cases.iter().any(|c| c.id == rule) {
            cases.push(RuleRun {
                id: rule.to_string(),
                group: "load",
                skipped: None,
            });
        }
    }
    cases.sort_by(|a, b| (group_rank(a.group), &a.id).cmp(&(group_rank(b.group), &b.id)));

    let mine = |case: &RuleRun| by_rule.get(case.id.as_str()).map_or(&[][..], Vec::as_slice);
    let failed = cases
        .iter()
        .filter(|&c| mine(c).iter().any(|f| f.severity == Severity::Error))
        .count();
    let skipped = cases.iter().filter(|c| c.skipped.is_some()).count();
    let counts = format!(
        "tests=\"{}\" failures=\"{failed}\" errors=\"0\" skipped=\"{skipped}\"",
        cases.len()
    );
    let attribute = PerChar::new(escape::xml_attr, |s| plain_xml(s, true));
    let mut pieces: Vec<Piece> = Vec::with_capacity(findings.len() + 4 * cases.len());
    for case in &cases {
        let mine = mine(case);
        let mut tag = String::from("    <testcase name=\"");
        attribute.push(&mut tag, &case.id);
        tag.push_str("\" classname=\"reachmap.");
        tag.push_str(case.group);
        tag.push('"');
        if mine.is_empty() && case.skipped.is_none() {
            tag.push_str("/>\n");
            pieces.push(Piece::Tags(tag));
            continue;
        }
        tag.push_str(">\n");
        if let Some(why) = &case.skipped {
            tag.push_str("      <skipped message=\"");
            attribute.push(&mut tag, why);
            tag.push_str("\"/>\n");
        }
        pieces.push(Piece::Tags(tag));
        let errors = mine.iter().filter(|f| f.severity == Severity::Error);
        pieces.extend(errors.map(|f| Piece::Failure(f)));
        let others = mine.iter().filter(|f| f.severity != Severity::Error);
        let start = pieces.len();
        pieces.extend(others.enumerate().map(|(i, f)| Piece::Out(f, i == 0)));
        if pieces.len() > start {
            pieces.push(Piece::Tags("</system-out>\n".into()));
        }
        pieces.push(Piece::Tags("    </testcase>\n".into()));
    }
    let blocks = Blocks::new(true);
    let prefix = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <testsuites name=\"reachmap\" {counts}>\n  \
         <testsuite name=\"reachmap\" {counts}>\n"
    );
    let size = |p: &Piece| match p {
        Piece::Tags(tags) => tags.len(),
        Piece::Failure(f) | Piece::Out(f, _) => size_hint(f),
    };
    let mut out = in_halves(&prefix, &pieces, size, |out, part, _| {
        for piece in part {
            match piece {
                Piece::Tags(tags) => out.push_str(tags),
                Piece::Failure(f) => {
                    out.push_str("      <failure type=\"error\" message=\"");
                    attribute.push(out, &f.message);
                    out.push_str("\">");
                    blocks.write(out, f);
                    out.push_str("</failure>\n");
                }
                Piece::Out(f, first) => {
                    out.push_str(if *first { "      <system-out>" } else { "\n" });
                    blocks.write(out, f);
                }
            }
        }
    });
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// A part of the JUnit text, in order: so that the two halves of a long
/// case can be written side by side.
enum Piece<'a> {
    /// Markup written up front.
    Tags(String),
    Failure(&'a Finding),
    /// A warning or note in its case's `<system-out>`; `true` for the
    /// first, which opens it.
    Out(&'a Finding, bool),
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

    /// The renderers as they were before they wrote straight into the
    /// text, through `format!`, `escape` and `serde_json`: the independent
    /// reference the writers must match byte for byte.
    mod reference {
        use std::collections::BTreeMap;

        use serde_json::json;

        use crate::check::{Finding, RULES, RuleRun};
        use crate::model::Severity;
        use crate::report::escape::{self, text, url_path};

        fn block(f: &Finding) -> String {
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

        pub(super) fn human(findings: &[Finding]) -> String {
            let mut out = String::new();
            // Rules, messages, paths and help quote the model: each field stays on
            // its line and cannot steer the terminal.
            for f in findings {
                out.push_str(&block(f));
                out.push('\n');
            }
            let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
            let plural =
                |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
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

        pub(super) fn sarif(findings: &[Finding], policy_rules: &[(String, String)]) -> String {
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

        pub(super) fn junit(findings: &[Finding], rules: &[RuleRun]) -> String {
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
            cases.sort_by(|a, b| {
                (super::group_rank(a.group), &a.id).cmp(&(super::group_rank(b.group), &b.id))
            });

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
                        escape::xml(&block(f))
                    ));
                }
                if !others.is_empty() {
                    let text: Vec<String> = others.iter().map(|f| block(f)).collect();
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
    }

    /// The SPEC §4 document through serde_json's pretty printer, with keys
    /// declared in alphabetical order: the independent reference that the
    /// hand-written JSON must match byte for byte.
    fn json_reference(findings: &[Finding]) -> String {
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

    /// Every ASCII character, with the ones JSON, XML or a terminal must
    /// not get as they are among them, and beyond ASCII: a character that
    /// needs no escape in JSON but ends a line in JavaScript, a C1 control,
    /// the next line character, bidirectional controls, the characters XML
    /// cannot carry, a byte order mark and a four-byte character. Every
    /// other string is plain, with characters none of the formats change.
    fn awkward(i: usize) -> String {
        if i % 2 == 1 {
            return format!("plain {i}: é → ©");
        }
        let ascii: String = (0u8..0x80).map(char::from).collect();
        format!("{i}:{ascii}é→\u{2028}\u{9f}\u{85}\u{202e}\u{2066}\u{fffe}\u{ffff}\u{feff}😀")
    }

    /// Findings that between them have and lack every optional field, with
    /// empty and non-empty lists and big and small numbers, of a few rules
    /// (one of them awkward) and every severity.
    fn varied(n: usize) -> Vec<Finding> {
        (0..n)
            .map(|i| {
                let has = |bit: usize| i & (1 << bit) != 0;
                let severity = [Severity::Error, Severity::Warning, Severity::Info][i % 3];
                let rule = match i % 5 {
                    4 => awkward(0),
                    r => format!("rule-{r}"),
                };
                let mut f = Finding::new(rule, severity, awkward(i));
                f.category = has(0).then(|| awkward(i + 1));
                f.country = has(1).then(|| "JP".to_string());
                f.help = has(2).then(|| awkward(i + 2));
                f.kinds = has(3).then(|| Kind::ALL[..i % 5].to_vec());
                f.path = has(4).then(|| (0..i % 3).map(awkward).collect());
                f.org = has(5).then(|| format!("org \"{i}\""));
                f.location = has(6).then(|| FindingLocation {
                    file: if has(7) {
                        awkward(i + 3)
                    } else {
                        "m/a.toml".into()
                    },
                    line: i * 7919,
                    column: has(7).then_some(usize::MAX - i),
                });
                f
            })
            .collect()
    }

    /// 0 to 3 findings split unevenly or not at all between the two
    /// halves; 256 reach every combination of optional fields.
    const COUNTS: [usize; 6] = [0, 1, 2, 3, 256, 257];

    #[test]
    fn json_matches_serde_json_byte_for_byte() {
        for n in COUNTS {
            let findings = varied(n);
            assert_eq!(
                render_json(&findings),
                json_reference(&findings),
                "{n} findings"
            );
        }
    }

    #[test]
    fn human_sarif_and_junit_match_the_reference_byte_for_byte() {
        let policies = [
            ("rule-1".to_string(), awkward(2)),
            ("quiet-policy".to_string(), "never violated".to_string()),
        ];
        let rules = [
            RuleRun {
                id: "rule-0".into(),
                group: "rule",
                skipped: None,
            },
            RuleRun {
                id: "rule-2".into(),
                group: "policy",
                skipped: Some(awkward(4)),
            },
            RuleRun {
                id: "quiet-policy".into(),
                group: "policy",
                skipped: None,
            },
        ];
        for n in COUNTS {
            let findings = varied(n);
            assert_eq!(
                render_human(&findings),
                reference::human(&findings),
                "{n} findings"
            );
            assert_eq!(
                render_sarif(&findings, &policies),
                reference::sarif(&findings, &policies),
                "{n} findings"
            );
            assert_eq!(
                render_junit(&findings, &rules),
                reference::junit(&findings, &rules),
                "{n} findings"
            );
        }
    }

    /// The shortcuts past `text` and the XML escapes, for every character:
    /// one they take must be one the escape leaves as it is.
    #[test]
    fn plain_characters_are_ones_the_escapes_leave_alone() {
        let mut plain = [0; 3];
        for ch in (0..=0x10ffff).filter_map(char::from_u32) {
            let s = ch.to_string();
            if plain_text(&s) {
                assert_eq!(text(&s), s, "{:?}", ch);
                plain[0] += 1;
            }
            if plain_xml(&s, false) {
                assert_eq!(escape::xml(&s), s, "{:?}", ch);
                plain[1] += 1;
            }
            if plain_xml(&s, true) {
                assert_eq!(escape::xml_attr(&s), s, "{:?}", ch);
                plain[2] += 1;
            }
        }
        // Printable ASCII, and almost everything beyond.
        assert!(plain.iter().all(|&n| n > 1_000_000), "{plain:?}");
    }
}
