//! No user-written string can break or inject into any output.
//!
//! A model of fixed shape gets random hostile strings for every name, id,
//! note, source, purpose and message (ids restricted to what the loader
//! accepts), and every renderer runs on it (`support/outputs.rs`: matrix in
//! all formats, explain, check human/json/sarif, diff, timeline, the whole
//! report set). Then:
//!
//! - each output passes its format's checks: JSON parses; CSV parses with
//!   one width and no cell a spreadsheet would run as a formula; Markdown
//!   tables keep their cell count and no raw `<` reaches HTML; text for the
//!   terminal and Markdown carry no control or bidi characters;
//! - Markdown and text outputs have exactly the line shapes (block markers,
//!   cell counts) of the same model with plain strings: no user text broke a
//!   line, split a cell or started a heading or list;
//! - the strings come back unchanged: the matrix JSON equals the matrix
//!   worked out by hand below, and the matrix CSV holds the same cells
//!   behind the formula guard.

#[path = "support/outputs.rs"]
mod outputs;

use proptest::prelude::*;
use reachmap::model::{Date, Model};
use reachmap::report::escape::csv_cell;
use serde_json::{Value, json};

/// Fragments that mean something in some output format, or to a terminal.
const ATOMS: &[&str] = &[
    "|",
    "\\|",
    "<",
    ">",
    "<script>alert(1)</script>",
    "&",
    "&amp;",
    "\"",
    "'",
    "`",
    "``",
    "\\",
    "*",
    "_",
    "[",
    "](javascript:x)",
    "(",
    ")",
    "#",
    "# ",
    "!",
    "~",
    "{",
    "}",
    "=",
    "=1+1",
    "+",
    "-",
    "- ",
    "---",
    "@",
    "1. ",
    "> ",
    "\n",
    "\r\n",
    "\t",
    ",",
    ";",
    ":",
    "\u{1b}[2J",
    "\u{1b}]0;x\u{7}",
    "\u{0}",
    "\u{7f}",
    "\u{9b}",
    "\u{202e}",
    "\u{2066}",
    "\u{2028}",
    "\u{85}",
    "\u{feff}",
    "é",
    "日本語",
    "ＡＢ",
    " ",
    "  ",
    "a",
    "Z",
    "0",
    "%",
    "/",
    "..",
    ".",
    "$(id)",
    "\\n",
    "-->",
    "[[",
    "]]",
];

fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(ATOMS).prop_map(str::to_string),
        1 => any::<char>().prop_map(|c| c.to_string()),
    ]
}

fn hostile() -> impl Strategy<Value = String> {
    prop::collection::vec(fragment(), 0..6).prop_map(|parts| parts.concat())
}

/// What the loader accepts in an id: no control or bidi characters.
fn id_safe(text: String) -> String {
    text.chars()
        .filter(|&ch| {
            !ch.is_control() && !matches!(ch, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        })
        .collect()
}

/// The strings of one model: `texts` for free text, `ids` for ids.
#[derive(Debug, Clone)]
struct Strings {
    texts: Vec<String>,
    ids: Vec<String>,
}

const TEXTS: usize = 34;
const IDS: usize = 11;

/// Random strings, each made distinct by a marker in its middle so that
/// hostile text stays at both ends and no two entries merge by accident.
fn strings() -> impl Strategy<Value = Strings> {
    let pair = || (hostile(), hostile());
    (
        prop::collection::vec(pair(), TEXTS),
        prop::collection::vec(pair(), IDS),
    )
        .prop_map(|(texts, ids)| Strings {
            texts: texts
                .into_iter()
                .enumerate()
                .map(|(i, (a, b))| format!("{a}§{i}§{b}"))
                .collect(),
            ids: ids
                .into_iter()
                .enumerate()
                .map(|(i, (a, b))| id_safe(format!("{a}§{i}§{b}")))
                .collect(),
        })
}

/// The same model with plain strings: the shapes to compare with.
fn plain() -> Strings {
    Strings {
        texts: (0..TEXTS).map(|i| format!("text{i}")).collect(),
        ids: (0..IDS).map(|i| format!("id{i}")).collect(),
    }
}

/// A TOML basic string: quotes, backslashes and control characters escaped.
fn q(text: &str) -> String {
    let mut out = String::from("\"");
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ch if ch.is_control() => out.push_str(&format!("\\u{:04X}", ch as u32)),
            ch => out.push(ch),
        }
    }
    out.push('"');
    out
}

struct Ids<'a> {
    parent_category: String,
    child_category: String,
    controller: &'a str,
    processor: &'a str,
    vendor: &'a str,
    core: &'a str,
    replica: &'a str,
    policy: &'a str,
}

fn ids(s: &Strings) -> Ids<'_> {
    Ids {
        parent_category: s.ids[0].clone(),
        child_category: format!("{}.{}", s.ids[0], s.ids[1]),
        controller: &s.ids[2],
        processor: &s.ids[3],
        vendor: &s.ids[4],
        core: &s.ids[5],
        replica: &s.ids[6],
        policy: &s.ids[10],
    }
}

/// A controller in JP with a core system holding the parent category; a
/// flow copies the child category to a replica in KR run by a KR vendor
/// that its people read from VN without a contract; a CN processor under
/// contract reads the core system from CN since 2021-02-01; a policy
/// denies CN the parent category; only JP is disclosed.
fn model_text(s: &Strings) -> String {
    let t = |i: usize| q(&s.texts[i]);
    let id = ids(s);
    format!(
        r#"[model]
name = {}
home = "JP"
as_of = 2021-03-01
disclosed_countries = ["JP"]
note = {}
source = {}

[[category]]
id = {}
name = {}
name_ja = {}
sensitivity = "secrecy"
note = {}

[[category]]
id = {}
name = {}
name_ja = {}

[[organisation]]
id = {}
name = {}
name_ja = {}
country = "JP"
role = "controller"
note = {}
source = {}

[[organisation]]
id = {}
name = {}
country = "CN"
role = "processor"
note = {}

[[organisation]]
id = {}
name = {}
country = "KR"
role = "vendor"

[[system]]
id = {}
name = {}
country = "JP"
operator = {}
holds = [{}]
note = {}

[[system]]
id = {}
name = {}
country = "KR"
operator = {}
holds = []

[[flow]]
id = {}
from = {}
to = {}
categories = [{}]
purpose = {}
note = {}

[[access]]
id = {}
who = {}
to = {}
from_country = "CN"
purpose = {}
mode = "remote"
since = 2021-02-01
headcount = 3
observed = {}
controls = [{}, {}]
note = {}
source = {}

[[access]]
id = {}
who = {}
to = {}
from_country = "VN"
purpose = {}

[[contract]]
id = {}
from = {}
to = {}
kind = "entrustment"
purpose = {}
categories = [{}]
transfer_basis = {}
note = {}

[[country]]
code = "CN"
name = {}
name_ja = {}
regime_note = {}

[[policy]]
id = {}
categories = [{}]
deny_countries = ["CN"]
message = {}
"#,
        t(0),
        t(1),
        t(2),
        q(&id.parent_category),
        t(3),
        t(4),
        t(5),
        q(&id.child_category),
        t(6),
        t(7),
        q(id.controller),
        t(8),
        t(9),
        t(10),
        t(11),
        q(id.processor),
        t(12),
        t(13),
        q(id.vendor),
        t(14),
        q(id.core),
        t(15),
        q(id.controller),
        q(&id.parent_category),
        t(16),
        q(id.replica),
        t(17),
        q(id.vendor),
        q(&s.ids[7]),
        q(id.core),
        q(id.replica),
        q(&id.child_category),
        t(18),
        t(19),
        q(&s.ids[8]),
        q(id.processor),
        q(id.core),
        t(20),
        t(21),
        t(22),
        t(23),
        t(24),
        t(25),
        q(&s.ids[9]),
        q(id.vendor),
        q(id.replica),
        t(26),
        q(&format!("{}-contract", s.ids[9])),
        q(id.controller),
        q(id.processor),
        t(27),
        q(&id.parent_category),
        t(28),
        t(29),
        t(30),
        t(31),
        t(32),
        q(id.policy),
        q(&id.parent_category),
        t(33),
    )
}

fn load(s: &Strings) -> Model {
    let text = model_text(s);
    Model::from_toml_str("hostile.toml", &text)
        .unwrap_or_else(|e| panic!("the model must load:\n{}\n{text}", e.render()))
}

fn date(text: &str) -> Date {
    text.parse().expect("a date")
}

/// The matrix on 2021-03-01, worked out by hand from the shape above:
/// - CN reaches both categories (the child is a descendant of what the core
///   system holds) by the processor's access: `accessed`, org → core.
/// - JP: the core system is there and its operator, the controller, too:
///   `operated` and `stored`; the witness is the first kind's, operated.
/// - KR: only the child category is copied to the replica, which is there and
///   run by the KR vendor; the vendor's people read it from VN, so KR is also
///   its `seat`: operated, seat, stored; the witness climbs the flow.
/// - VN: the vendor's access, `accessed`, through the replica to the core.
fn expected_matrix(s: &Strings) -> Value {
    let id = ids(s);
    let (parent, child) = (&id.parent_category, &id.child_category);
    let org = |o: &str| format!("org:{o}");
    let sys = |x: &str| format!("system:{x}");
    let row = |country: &str, category: &str, kinds: &[&str], path: Vec<String>| {
        json!({"country": country, "category": category, "foreign": country != "JP",
               "kinds": kinds, "path": path})
    };
    let to_core = vec![org(id.processor), sys(id.core)];
    let operated = vec![org(id.controller), sys(id.core)];
    let through_replica = |o: &str| vec![org(o), sys(id.replica), sys(id.core)];
    json!({
        "model": s.texts[0],
        "as_of": "2021-03-01",
        "home": "JP",
        "reach": [
            row("CN", parent, &["accessed"], to_core.clone()),
            row("CN", child, &["accessed"], to_core),
            row("JP", parent, &["operated", "stored"], operated.clone()),
            row("JP", child, &["operated", "stored"], operated),
            row("KR", child, &["operated", "seat", "stored"], through_replica(id.vendor)),
            row("VN", child, &["accessed"], through_replica(id.vendor)),
        ]
    })
}

fn by_name(all: &[outputs::Output], name: &str) -> String {
    all.iter()
        .find(|o| o.name == name)
        .unwrap_or_else(|| panic!("no output {name}"))
        .text
        .clone()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn hostile_strings_render_harmlessly_everywhere(s in strings()) {
        let model = load(&s);
        let (on, before) = (date("2021-03-01"), date("2021-01-01"));
        let hostile = outputs::render_all(&model, on, before);
        for output in &hostile {
            if let Err(problem) = outputs::check(output) {
                return Err(TestCaseError::fail(format!("{problem}\n--- output\n{}", output.text)));
            }
        }

        // The same shapes as with plain strings.
        let plain_model = load(&plain());
        let reference = outputs::render_all(&plain_model, on, before);
        prop_assert_eq!(hostile.len(), reference.len());
        // Diagram files are named after category ids, so their names and order
        // differ between the two models; each was checked on its own above.
        let shaped = |outputs: &[outputs::Output]| -> Vec<usize> {
            (0..outputs.len()).filter(|&i| !outputs[i].name.contains("diagrams/")).collect()
        };
        let (hostile_shaped, reference_shaped) = (shaped(&hostile), shaped(&reference));
        prop_assert_eq!(hostile_shaped.len(), reference_shaped.len());
        for (&hi, &pi) in hostile_shaped.iter().zip(&reference_shaped) {
            let (h, p) = (&hostile[hi], &reference[pi]);
            prop_assert_eq!(&h.name, &p.name);
            match h.format {
                outputs::Format::Markdown => prop_assert_eq!(
                    outputs::line_shapes(&h.text),
                    outputs::line_shapes(&p.text),
                    "{} changed shape:\n{}", h.name, h.text
                ),
                outputs::Format::Text => prop_assert_eq!(
                    h.text.lines().count(),
                    p.text.lines().count(),
                    "{} changed its lines:\n{}", h.name, h.text
                ),
                outputs::Format::Csv
                | outputs::Format::Json
                | outputs::Format::Dot
                | outputs::Format::Mermaid
                | outputs::Format::Svg
                | outputs::Format::Html => {}
            }
        }

        // JSON round-trips every id and the model's name.
        let matrix: Value = serde_json::from_str(&by_name(&hostile, "matrix json")).unwrap();
        prop_assert_eq!(&matrix, &expected_matrix(&s));
        let report: Value = serde_json::from_str(&by_name(&hostile, "report matrix.json")).unwrap();
        prop_assert_eq!(&report, &expected_matrix(&s));

        // CSV round-trips the same cells, behind the formula guard (which
        // cannot be taken off: "'=x" may be "=x" guarded or "'=x" as written).
        let csv_text = by_name(&hostile, "matrix csv");
        let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
        let cells: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect();
        let rows = expected_matrix(&s)["reach"].as_array().unwrap().clone();
        prop_assert_eq!(cells.len(), rows.len());
        for (cells, row) in cells.iter().zip(&rows) {
            let path: Vec<&str> = row["path"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
            prop_assert_eq!(&cells[1], &csv_cell(row["category"].as_str().unwrap()));
            prop_assert_eq!(&cells[4], &csv_cell(&path.join(" > ")));
        }

        // Findings name the policy and the organisation without a contract as written.
        let findings: Value = serde_json::from_str(&by_name(&hostile, "check json")).unwrap();
        let findings = findings["findings"].as_array().unwrap();
        let id = ids(&s);
        let policy: Vec<&Value> = findings.iter().filter(|f| f["rule"] == id.policy).collect();
        prop_assert_eq!(policy.len(), 2, "one violation per category CN reaches");
        for f in policy {
            prop_assert_eq!(&f["path"], &json!([format!("org:{}", id.processor), format!("system:{}", id.core)]));
        }
        prop_assert!(findings.iter().any(|f| f["rule"] == "uncontracted-access" && f["org"] == id.vendor));
    }

    /// Load errors quote what the model says: the diagnostics stay on their
    /// lines and carry nothing a terminal would act on, even for a reference
    /// full of control characters (which only an id may not contain).
    #[test]
    fn hostile_strings_in_load_errors_are_inert(s in strings()) {
        let bad_reference = format!("{}\u{1b}[2J\n{}", s.texts[0], s.texts[1]);
        let text = model_text(&s).replacen(
            &format!("operator = {}", q(&s.ids[2])),
            &format!("operator = {}", q(&bad_reference)),
            1,
        );
        let Err(error) = Model::from_toml_str("hostile.toml", &text) else {
            return Err(TestCaseError::fail("an unknown operator must not load"));
        };
        let rendered = error.render();
        let output = outputs::Output { name: "load error".into(), format: outputs::Format::Text, text: rendered.clone() };
        prop_assert!(outputs::check(&output).is_ok(), "{:?}", outputs::check(&output));
        // One diagnostic: message, place, three snippet lines, help, blank, summary.
        prop_assert_eq!(rendered.lines().count(), 8, "{}", rendered);
    }
}

#[test]
fn the_plain_model_gives_the_matrix_worked_out_by_hand() {
    let s = plain();
    let model = load(&s);
    let all = outputs::render_all(&model, date("2021-03-01"), date("2021-01-01"));
    for output in &all {
        outputs::check(output).unwrap_or_else(|problem| panic!("{problem}\n{}", output.text));
    }
    let matrix: Value = serde_json::from_str(&by_name(&all, "matrix json")).unwrap();
    assert_eq!(matrix, expected_matrix(&s));
}

#[test]
fn the_checks_catch_what_they_look_for() {
    use outputs::{Format, Output, check};
    let out = |format, text: &str| Output {
        name: "sample".into(),
        format,
        text: text.into(),
    };
    assert!(check(&out(Format::Json, "{\"a\": 1}")).is_ok());
    assert!(check(&out(Format::Json, "{\"a\": 1")).is_err());
    assert!(check(&out(Format::Csv, "a,b\n'=1,c\n")).is_ok());
    assert!(check(&out(Format::Csv, "a,b\n=1,c\n")).is_err());
    assert!(check(&out(Format::Csv, "a,b\n\"-x\",c\n")).is_err());
    assert!(check(&out(Format::Csv, "a,b\nc\n")).is_err());
    assert!(
        check(&out(
            Format::Markdown,
            "| a | b |\n|---|---|\n| x \\| y | z |\n"
        ))
        .is_ok()
    );
    assert!(
        check(&out(
            Format::Markdown,
            "| a | b |\n|---|---|\n| x | y | z |\n"
        ))
        .is_err()
    );
    // A backslash before a backslash does not escape the pipe after them.
    assert!(
        check(&out(
            Format::Markdown,
            "| a | b |\n|---|---|\n| x \\\\| y | z |\n"
        ))
        .is_err()
    );
    assert!(check(&out(Format::Markdown, "text \\<b> and `<b>`\n")).is_ok());
    assert!(check(&out(Format::Markdown, "text <b>\n")).is_err());
    assert!(check(&out(Format::Text, "a\u{1b}[2J\n")).is_err());
    assert!(check(&out(Format::Text, "a\u{202e}b\n")).is_err());
    assert_eq!(
        outputs::line_shapes("# T\n\n| a |\n- x\n1. y\nz\n"),
        vec![
            ("".to_string(), 0),
            ("".to_string(), 0),
            ("#".to_string(), 0),
            ("-".to_string(), 0),
            ("1.".to_string(), 0),
            ("|".to_string(), 2),
        ]
    );
}
