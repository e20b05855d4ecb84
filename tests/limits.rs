//! Inputs at and beyond the documented limits (docs/limits.md), generated
//! into temporary directories: what is beyond a limit is refused with the
//! exact message and exit status 2, never an out-of-memory kill; adversarial
//! shapes within the limits (a 100,000-flow chain and cycle, a 300-system
//! clique of flows) load and evaluate to the answer worked out by hand.
//! Nothing here measures time.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use reachmap::check;
use reachmap::model::limits::{MAX_CATEGORIES, MAX_LIST_ITEMS, MAX_MODEL_BYTES};
use reachmap::model::{CountryCode, Model};
use reachmap::reach::{Evaluation, MatrixDoc};
use reachmap::report::explain;
use serde_json::{Value, json};

fn reachmap(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_reachmap"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("reachmap runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A JP controller `o` and a CN vendor `cn` under contract, one category `c`.
const HEAD: &str = r#"[model]
name = "adversarial"
home = "JP"
as_of = 2021-03-01

[[category]]
id = "c"
name = "C"

[[organisation]]
id = "o"
name = "O"
country = "JP"
role = "controller"

[[organisation]]
id = "cn"
name = "CN vendor"
country = "CN"
role = "vendor"

[[contract]]
from = "o"
to = "cn"
kind = "entrustment"
"#;

fn system_id(i: usize) -> String {
    format!("s{i:06}")
}

/// `n` JP systems run by `o`, those in `holders` holding `c`; the flows
/// given; an access by `cn` to `accessed`.
fn write_flow_model(
    dir: &Path,
    n: usize,
    holders: &[usize],
    flows: impl Iterator<Item = (usize, usize)>,
    accessed: usize,
) {
    let mut model = HEAD.to_string();
    write!(
        model,
        "\n[[access]]\nwho = \"cn\"\nto = \"{}\"\n",
        system_id(accessed)
    )
    .unwrap();
    fs::write(dir.join("model.toml"), model).unwrap();
    let mut systems = String::from("id,name,country,operator,holds\n");
    for i in 0..n {
        let holds = if holders.contains(&i) { "c" } else { "" };
        writeln!(systems, "{},S,JP,o,{holds}", system_id(i)).unwrap();
    }
    fs::write(dir.join("systems.csv"), systems).unwrap();
    let mut table = String::from("from,to\n");
    for (from, to) in flows {
        writeln!(table, "{},{}", system_id(from), system_id(to)).unwrap();
    }
    fs::write(dir.join("flows.csv"), table).unwrap();
}

fn path(items: impl IntoIterator<Item = String>) -> Vec<String> {
    items.into_iter().collect()
}

fn org(id: &str) -> String {
    format!("org:{id}")
}

fn system(i: usize) -> String {
    format!("system:{}", system_id(i))
}

#[test]
fn a_million_categories_are_refused_with_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model");
    fs::create_dir(&model).unwrap();
    fs::write(
        model.join("model.toml"),
        "[model]\nname = \"m\"\nhome = \"JP\"\n",
    )
    .unwrap();
    let mut table = String::from("id,name\n");
    for i in 0..1_000_000 {
        writeln!(table, "c{i},n").unwrap();
    }
    fs::write(model.join("categories.csv"), table).unwrap();
    let output = reachmap(dir.path(), &["check", "model"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    // The first category beyond the limit is the 4097th row, c4096, on line
    // 4098 of the table (the header is line 1). A CSV row has no column, so
    // no caret.
    assert_eq!(MAX_CATEGORIES, 4096);
    assert_eq!(
        stderr(&output),
        "error[too-many-categories]: the model declares 1000000 categories; reachmap handles at most 4096\n\
         \x20 --> model/categories.csv:4098\n\
         \x20    |\n\
         4098 | c4096,n\n\
         \x20 = help: group fine-grained categories under fewer dotted parents\n\
         \n\
         error: the model could not be loaded (1 error)\n"
    );
}

/// s0 -> s1 -> ... -> s99999 -> s0, with `c` held at s50000 and the CN
/// vendor reading s0. The cycle carries `c` everywhere. Upstream from s0 the
/// nearest holder is s50000, through the back edge: s0 <- s99999 <- ... <-
/// s50000, so the witness is the vendor, s0, then s99999 down to s50000:
/// 2 + 49,999 + 1 = 50,002 items. JP stores and operates `c` at s50000
/// itself.
#[test]
fn a_cycle_of_100k_flows_loads_and_evaluates() {
    const N: usize = 100_000;
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model");
    fs::create_dir(&model).unwrap();
    write_flow_model(&model, N, &[N / 2], (0..N).map(|i| (i, (i + 1) % N)), 0);
    let output = reachmap(dir.path(), &["matrix", "model", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let matrix: Value = serde_json::from_slice(&output.stdout).unwrap();
    let witness = path(
        [org("cn"), system(0)]
            .into_iter()
            .chain((N / 2..N).rev().map(system)),
    );
    assert_eq!(witness.len(), 50_002);
    assert_eq!(
        matrix["reach"],
        json!([
            {"country": "CN", "category": "c", "foreign": true, "kinds": ["accessed"], "path": witness},
            {"country": "JP", "category": "c", "foreign": false, "kinds": ["operated", "stored"],
             "path": [org("o"), system(N / 2)]},
        ])
    );
}

/// s0 -> s1 -> ... -> s99999, `c` held at s0, the CN vendor reading the
/// last: the witness climbs the whole chain, 1 + 100,000 items; every
/// system holds `c`. explain tells the same path.
#[test]
fn a_chain_of_100k_flows_gives_the_whole_chain_as_witness() {
    const N: usize = 100_000;
    let dir = tempfile::tempdir().unwrap();
    write_flow_model(dir.path(), N, &[0], (1..N).map(|i| (i - 1, i)), N - 1);
    let model = Model::load(dir.path()).expect("the chain loads");
    let evaluation = Evaluation::new(&model, model.default_date());
    let reach = evaluation.matrix();
    let doc = MatrixDoc::new(&evaluation, &reach);
    let witness = path(std::iter::once(org("cn")).chain((0..N).rev().map(system)));
    assert_eq!(witness.len(), N + 1);
    assert_eq!(doc.reach.len(), 2);
    assert_eq!(doc.reach[0].country, "CN");
    assert_eq!(doc.reach[0].path, witness);
    assert_eq!(doc.reach[1].path, vec![org("o"), system(0)]);
    let c = model.category_by_id("c").unwrap();
    assert!((0..N).all(|i| {
        evaluation
            .holdings(model.system_by_id(&system_id(i)).unwrap())
            .contains(c)
    }));
    let cn = CountryCode::parse("CN").unwrap();
    let told = explain::explain(&evaluation, cn, None, true);
    let path_line = told
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("path: "))
        .expect("explain shows the path");
    assert_eq!(path_line.split(" → ").count(), N + 1);
    // The chain is contracted and JP is home: nothing to report but the
    // undisclosed-country rule, which needs disclosed_countries.
    assert!(
        check::check(&evaluation, &reach)
            .iter()
            .all(|f| f.severity != reachmap::model::Severity::Error)
    );
}

/// 300 systems with a flow between every ordered pair (89,700 flows); `c`
/// held at s0 only, the CN vendor reading s299. Every system is one flow
/// from s0, so the witness is the vendor, s299, s0; JP stores and operates
/// `c` on s0 itself; all 300 systems hold it.
#[test]
fn a_dense_clique_of_300_systems_evaluates() {
    const N: usize = 300;
    let dir = tempfile::tempdir().unwrap();
    let pairs = (0..N).flat_map(|i| (0..N).filter(move |&j| j != i).map(move |j| (i, j)));
    write_flow_model(dir.path(), N, &[0], pairs, N - 1);
    let model = Model::load(dir.path()).expect("the clique loads");
    assert_eq!(model.flows.len(), N * (N - 1));
    let evaluation = Evaluation::new(&model, model.default_date());
    let reach = evaluation.matrix();
    let doc = MatrixDoc::new(&evaluation, &reach);
    let rows: Vec<(&str, &[String])> = doc
        .reach
        .iter()
        .map(|r| (r.country.as_str(), r.path.as_slice()))
        .collect();
    assert_eq!(
        rows,
        vec![
            ("CN", &[org("cn"), system(N - 1), system(0)][..]),
            ("JP", &[org("o"), system(0)][..]),
        ]
    );
    let c = model.category_by_id("c").unwrap();
    assert!((0..N as u32).all(|i| {
        evaluation
            .holdings(reachmap::model::SystemIdx(i))
            .contains(c)
    }));
    let cn = CountryCode::parse("CN").unwrap();
    let routes = evaluation.routes(cn, c);
    assert_eq!(routes.len(), 1, "one access, one route");
    assert!(
        explain::explain(&evaluation, cn, None, true)
            .contains("path: org:cn → system:s000299 → system:s000000")
    );
}

#[test]
fn a_list_beyond_the_limit_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let items = vec!["\"c\""; MAX_LIST_ITEMS + 1].join(", ");
    let text = format!(
        "{HEAD}\n[[system]]\nid = \"s\"\nname = \"S\"\ncountry = \"JP\"\noperator = \"o\"\nholds = [{items}]\n"
    );
    fs::write(dir.path().join("model.toml"), text).unwrap();
    let output = reachmap(dir.path(), &["check", "model.toml"]);
    assert_eq!(output.status.code(), Some(2));
    let shown = stderr(&output);
    // HEAD has 25 lines; then a blank line, [[system]] and four keys put
    // the list on line 32, its value at column 9, after `holds = `.
    assert!(
        shown.starts_with(
            "error[too-many-items]: `holds` lists 10001 items; a list may hold at most 10000\n\
             \x20 --> model.toml:32:9 (in system[0].holds)\n"
        ),
        "{shown}"
    );
    assert!(shown.ends_with(
        "  = help: name a parent category instead of each of its children, or split the entry\n\
         \n\
         error: the model could not be loaded (1 error)\n"
    ));
}

/// The same limit holds for a list in one CSV cell, items separated by `;`.
#[test]
fn a_csv_list_beyond_the_limit_is_refused_and_one_at_the_limit_loads() {
    for (items, refused) in [(MAX_LIST_ITEMS, false), (MAX_LIST_ITEMS + 1, true)] {
        let dir = tempfile::tempdir().unwrap();
        let model = dir.path().join("model");
        fs::create_dir(&model).unwrap();
        fs::write(model.join("model.toml"), HEAD).unwrap();
        // Empty items between separators are not items: the cell holds
        // exactly `items` of them however many `;` it has.
        let cell = vec!["c"; items].join(";") + ";;";
        let table = format!("id,name,country,operator,holds\ns,S,JP,o,{cell}\n");
        fs::write(model.join("systems.csv"), table).unwrap();
        let output = reachmap(dir.path(), &["check", "model"]);
        let shown = stderr(&output);
        if !refused {
            assert!(!shown.contains("too-many-items"), "{shown}");
            continue;
        }
        assert_eq!(output.status.code(), Some(2));
        // The cell follows `s,S,JP,o,`: nine characters, so column 10 of
        // line 2, the first row.
        assert!(
            shown.starts_with(
                "error[too-many-items]: `holds` lists 10001 items; a list may hold at most 10000\n\
                 \x20 --> model/systems.csv:2:10 (in system[0].holds)\n"
            ),
            "{shown}"
        );
        assert!(shown.ends_with("error: the model could not be loaded (1 error)\n"));
    }
}

/// Files beyond the limit are refused from their size, before a byte is
/// read: sparse files make them without writing them.
#[test]
fn files_beyond_the_size_limit_are_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let big = fs::File::create(dir.path().join("big.toml")).unwrap();
    big.set_len(MAX_MODEL_BYTES + 1).unwrap();
    let output = reachmap(dir.path(), &["check", "big.toml"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "error[too-large]: big.toml is 268435457 bytes (256.0 MiB); a model may hold at most 268435456 bytes (256.0 MiB) of files\n\
         \x20 --> big.toml:1\n\
         \x20 = help: split the model into a smaller one per service, or check that this is the right file\n\
         \n\
         error: the model could not be loaded (1 error)\n"
    );

    // Two files within the limit each, beyond it together.
    let model = dir.path().join("model");
    fs::create_dir(&model).unwrap();
    fs::write(model.join("model.toml"), HEAD).unwrap();
    let half = MAX_MODEL_BYTES / 2 + 1;
    for name in ["flows.csv", "systems.csv"] {
        fs::File::create(model.join(name))
            .unwrap()
            .set_len(half)
            .unwrap();
    }
    let output = reachmap(dir.path(), &["check", "model"]);
    assert_eq!(output.status.code(), Some(2));
    let total = 2 * half + HEAD.len() as u64;
    assert_eq!(
        stderr(&output),
        format!(
            "error[too-large]: the model files in model hold {total} bytes (256.0 MiB) (this one 134217729 bytes (128.0 MiB)); a model may hold at most 268435456 bytes (256.0 MiB)\n\
             \x20 --> model/systems.csv:1\n\
             \x20 = help: split the model into a smaller one per service, or move files that are not part of the model out of the directory\n\
             \n\
             error: the model could not be loaded (1 error)\n"
        )
    );
}

/// A device or a pipe named like a model file would never end or never
/// start; it is refused without being opened.
#[cfg(unix)]
#[test]
fn special_files_are_refused_without_reading() {
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.toml")).unwrap();
    let output = reachmap(dir.path(), &["check", "zero.toml"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "error[io]: zero.toml is not a regular file\n\
         \x20 = help: pass a model directory or a .toml file\n\
         \n\
         error: the model could not be loaded (1 error)\n"
    );
    // In a model directory, a link to a device is not a model file and is
    // skipped: the directory holds no model files.
    let model = dir.path().join("model");
    fs::create_dir(&model).unwrap();
    std::os::unix::fs::symlink("/dev/zero", model.join("model.toml")).unwrap();
    let output = reachmap(dir.path(), &["check", "model"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).starts_with("error[no-model-files]: model holds no model files"),
        "{}",
        stderr(&output)
    );
}
