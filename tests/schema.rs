//! The committed JSON Schema (`schemas/model.schema.json`) matches what
//! `reachmap schema` prints, accepts every file of every shipped model and
//! of the `init` starter model, and rejects what the loader rejects:
//! unknown keys, wrong types, malformed dates and country codes.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

const COMMITTED: &str = "schemas/model.schema.json";
const REGENERATE: &str = "cargo run -q -- schema > schemas/model.schema.json";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn validator() -> jsonschema::Validator {
    jsonschema::options()
        // Dates are checked as `format: date`, which is only an annotation
        // unless asked for.
        .should_validate_formats(true)
        .build(&reachmap::model::schema::json_schema())
        .expect("the schema is a valid JSON Schema")
}

/// TOML as the JSON an editor validates: a TOML date becomes the string
/// "YYYY-MM-DD", as taplo presents it to the schema.
fn toml_to_json(value: &toml::Value) -> Value {
    match value {
        toml::Value::String(s) => json!(s),
        toml::Value::Integer(i) => json!(i),
        toml::Value::Float(f) => json!(f),
        toml::Value::Boolean(b) => json!(b),
        toml::Value::Datetime(d) => json!(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => Value::Object(
            t.iter()
                .map(|(k, v)| (k.clone(), toml_to_json(v)))
                .collect(),
        ),
    }
}

fn parse(text: &str) -> Value {
    let table: toml::Table = toml::from_str(text).expect("valid TOML");
    toml_to_json(&toml::Value::Table(table))
}

fn errors(validator: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn committed_schema_is_current() {
    let committed = std::fs::read_to_string(root().join(COMMITTED))
        .unwrap_or_else(|e| panic!("cannot read {COMMITTED}: {e}; create it with `{REGENERATE}`"));
    assert!(
        committed == reachmap::model::schema::render(),
        "{COMMITTED} differs from `reachmap schema`; regenerate it with `{REGENERATE}` and commit it"
    );
}

fn toml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable directory") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            toml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
}

#[test]
fn every_shipped_model_file_validates() {
    let validator = validator();
    let mut files = Vec::new();
    toml_files(&root().join("models"), &mut files);
    files.sort();
    assert!(
        files.len() >= 6,
        "models/line-2021 alone has six TOML files; found {files:?}"
    );
    for file in &files {
        let doc = parse(&std::fs::read_to_string(file).expect("readable"));
        let problems = errors(&validator, &doc);
        assert!(problems.is_empty(), "{}: {problems:#?}", file.display());
    }
}

#[test]
fn the_starter_model_validates() {
    let template = std::fs::read_to_string(root().join("templates/init/model.toml"))
        .expect("the init template");
    let problems = errors(&validator(), &parse(&template));
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_schema_rejects_what_the_loader_rejects() {
    let validator = validator();
    let base = r#"
[model]
name = "Acme"
home = "JP"
as_of = 2024-04-01
"#;
    assert!(errors(&validator, &parse(base)).is_empty());
    // Each case is one mistake the loader reports; the schema must too.
    let cases = [
        (
            "an unknown key",
            "[[system]]\nid = \"a\"\nname = \"A\"\ncountry = \"JP\"\noperator = \"o\"\nhold = [\"x\"]\n",
        ),
        ("an unknown section", "[[systems]]\nid = \"a\"\n"),
        (
            "a missing required key",
            "[[organisation]]\nid = \"o\"\nname = \"O\"\nrole = \"controller\"\n",
        ),
        (
            "a word outside the choices",
            "[[access]]\nwho = \"o\"\nto = \"a\"\nmode = \"telepathy\"\n",
        ),
        (
            "a lower-case country code",
            "[[organisation]]\nid = \"o\"\nname = \"O\"\ncountry = \"jp\"\nrole = \"controller\"\n",
        ),
        (
            "a date in the wrong form",
            "[[access]]\nwho = \"o\"\nto = \"a\"\nsince = \"24/02/2021\"\n",
        ),
        (
            "a negative headcount",
            "[[access]]\nwho = \"o\"\nto = \"a\"\nheadcount = -1\n",
        ),
        (
            "[model] as an array",
            "[[category]]\nid = \"c\"\nname = \"C\"\n[[model]]\nname = \"x\"\nhome = \"JP\"\n",
        ),
    ];
    for (what, extra) in cases {
        let text = if what == "[model] as an array" {
            extra.to_string()
        } else {
            format!("{base}\n{extra}")
        };
        assert!(
            !errors(&validator, &parse(&text)).is_empty(),
            "the schema accepts {what}:\n{text}"
        );
    }
    // A TOML date is accepted as a date.
    let dated = format!("{base}\n[[access]]\nwho = \"o\"\nto = \"a\"\nsince = 2021-02-24\n");
    assert!(errors(&validator, &parse(&dated)).is_empty());
}
