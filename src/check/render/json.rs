//! JSON written straight into the text, in the bytes `serde_json`'s pretty
//! printer gives for the same document: keys in alphabetical order (the
//! order of a `serde_json::Value` object), two spaces of indent, `[]` for an
//! empty list. At a few hundred thousand findings, serializing through
//! serde cost more than the evaluation.

use crate::check::Finding;
use crate::report::escape::url_path;

/// The `findings` array's elements (SPEC §4), each after its separator:
/// `leading` when the first of them is the array's first.
pub(super) fn findings(out: &mut String, findings: &[Finding], leading: bool) {
    for (i, f) in findings.iter().enumerate() {
        out.push_str(if i == 0 && leading {
            "\n    "
        } else {
            ",\n    "
        });
        finding(out, f);
    }
}

/// One finding as a JSON object at depth 2.
fn finding(out: &mut String, f: &Finding) {
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
        string(out, category);
    }
    if let Some(country) = &f.country {
        key(out, "country");
        string(out, country);
    }
    if let Some(help) = &f.help {
        key(out, "help");
        string(out, help);
    }
    if let Some(kinds) = &f.kinds {
        key(out, "kinds");
        list(out, kinds.iter().map(|k| k.as_str()));
    }
    if let Some(l) = &f.location {
        key(out, "location");
        out.push('{');
        if let Some(column) = l.column {
            out.push_str("\n        \"column\": ");
            number(out, column);
            out.push(',');
        }
        out.push_str("\n        \"file\": ");
        string(out, &l.file);
        out.push_str(",\n        \"line\": ");
        number(out, l.line);
        out.push_str("\n      }");
    }
    key(out, "message");
    string(out, &f.message);
    if let Some(org) = &f.org {
        key(out, "org");
        string(out, org);
    }
    if let Some(path) = &f.path {
        key(out, "path");
        list(out, path.iter().map(String::as_str));
    }
    key(out, "rule");
    string(out, &f.rule);
    key(out, "severity");
    string(out, f.severity.as_str());
    out.push_str("\n    }");
}

/// A list of strings as a JSON array at depth 3.
fn list<'a>(out: &mut String, items: impl Iterator<Item = &'a str>) {
    out.push('[');
    let mut empty = true;
    for item in items {
        out.push_str(if empty { "\n        " } else { ",\n        " });
        empty = false;
        string(out, item);
    }
    if !empty {
        out.push_str("\n      ");
    }
    out.push(']');
}

/// The elements of a SARIF run's `results` array, each after its
/// separator: `leading` when the first of them is the array's first.
/// `rule_ids` are the ids of the run's rules, sorted, whose index is a
/// result's `ruleIndex`.
pub(super) fn sarif_results(
    out: &mut String,
    findings: &[Finding],
    leading: bool,
    rule_ids: &[&String],
) {
    // Consecutive findings are mostly in one file.
    let mut uri: Option<(&str, String)> = None;
    for (i, f) in findings.iter().enumerate() {
        out.push_str(if i == 0 && leading {
            "\n        {"
        } else {
            ",\n        {"
        });
        out.push_str("\n          \"level\": ");
        string(
            out,
            match f.severity {
                crate::model::Severity::Error => "error",
                crate::model::Severity::Warning => "warning",
                crate::model::Severity::Info => "note",
            },
        );
        if let Some(l) = &f.location {
            if uri.as_ref().is_none_or(|(file, _)| *file != l.file) {
                uri = Some((&l.file, url_path(&l.file.replace('\\', "/"))));
            }
            out.push_str(
                ",\n          \"locations\": [\
                 \n            {\
                 \n              \"physicalLocation\": {\
                 \n                \"artifactLocation\": {\
                 \n                  \"uri\": ",
            );
            string(out, uri.as_ref().map_or("", |(_, u)| u));
            out.push_str(
                "\n                },\
                 \n                \"region\": {\
                 \n                  \"startColumn\": ",
            );
            number(out, l.column.unwrap_or(1));
            out.push_str(",\n                  \"startLine\": ");
            number(out, l.line);
            out.push_str(
                "\n                }\
                 \n              }\
                 \n            }\
                 \n          ]",
            );
        }
        out.push_str(",\n          \"message\": {\n            \"text\": \"");
        escaped(out, &f.message);
        if let Some(path) = &f.path {
            out.push_str(" [path: ");
            for (i, step) in path.iter().enumerate() {
                if i > 0 {
                    out.push_str(" → ");
                }
                escaped(out, step);
            }
            out.push(']');
        }
        out.push_str("\"\n          },\n          \"ruleId\": ");
        string(out, &f.rule);
        out.push_str(",\n          \"ruleIndex\": ");
        match rule_ids.binary_search_by(|id| id.as_str().cmp(&f.rule)) {
            Ok(index) => number(out, index),
            Err(_) => out.push_str("null"),
        }
        out.push_str("\n        }");
    }
}

/// A SARIF run's `rules`: each id with its description, at depth 5.
pub(super) fn sarif_rules<'a>(out: &mut String, rules: impl Iterator<Item = (&'a str, &'a str)>) {
    out.push('[');
    let mut empty = true;
    for (id, doc) in rules {
        out.push_str(if empty {
            "\n            {"
        } else {
            ",\n            {"
        });
        empty = false;
        out.push_str("\n              \"id\": ");
        string(out, id);
        out.push_str(",\n              \"shortDescription\": {\n                \"text\": ");
        string(out, doc);
        out.push_str("\n              }\n            }");
    }
    if !empty {
        out.push_str("\n          ");
    }
    out.push(']');
}

pub(super) fn number(out: &mut String, n: usize) {
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

/// A JSON string, quotes included.
pub(super) fn string(out: &mut String, s: &str) {
    out.push('"');
    escaped(out, s);
    out.push('"');
}

/// The inside of a JSON string as `serde_json` writes it: `"` and `\`
/// escaped, control characters as `\b \t \n \f \r` or `\u00xx`, everything
/// else as is.
fn escaped(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    // Most strings need no escape; a fold without early exit is one quick
    // vectorised pass over them.
    let plain = bytes.iter().fold(true, |plain, &b| {
        plain & (b >= 0x20 && b != b'"' && b != b'\\')
    });
    if plain {
        out.push_str(s);
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
}
