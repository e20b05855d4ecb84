//! YAML model files: the same model written in YAML and in TOML evaluates
//! the same, errors point at YAML lines, and YAML and TOML files mix.

use reachmap::model::Model;
use reachmap::reach::{Evaluation, MatrixDoc};

const TOML: &str = r#"
[model]
name = "Twin"
home = "JP"
as_of = 2021-03-01

[[category]]
id = "user.id"
name = "ID"

[[category]]
id = "user.content"
name = "Content"
sensitivity = "secrecy"

[[organisation]]
id = "acme"
name = "Acme"
country = "JP"
role = "controller"

[[organisation]]
id = "vendor"
name = "Vendor"
country = "CN"
role = "vendor"

[[system]]
id = "core"
name = "Core"
country = "JP"
operator = "acme"
holds = ["user.id", "user.content"]

[[system]]
id = "copy"
name = "Copy"
country = "KR"
operator = "acme"
operator_access = false

[[flow]]
from = "core"
to = "copy"
categories = ["user.content"]

[[access]]
who = "vendor"
to = "core"
categories = ["user.id"]
from_country = "VN"
headcount = 3
since = 2020-01-01
until = 2022-01-01
"#;

const YAML: &str = r#"
model:
  name: Twin
  home: JP
  as_of: 2021-03-01
category:
  - id: user.id
    name: ID
  - id: user.content
    name: Content
    sensitivity: secrecy
organisation:
  - {id: acme, name: Acme, country: JP, role: controller}
  - id: vendor
    name: Vendor
    country: CN
    role: vendor
system:
  - id: core
    name: Core
    country: JP
    operator: acme
    holds: [user.id, user.content]
  - id: copy
    name: Copy
    country: KR
    operator: acme
    operator_access: false
flow:
  - from: core
    to: copy
    categories: [user.content]
access:
  - who: vendor
    to: core
    categories: ["user.id"]
    from_country: VN
    headcount: 3
    since: 2020-01-01
    until: "2022-01-01"
"#;

fn matrix_of(dir: &std::path::Path) -> String {
    let model = Model::load(dir).unwrap_or_else(|e| panic!("{e}"));
    let evaluation = Evaluation::new(&model, model.default_date());
    serde_json::to_string_pretty(&MatrixDoc::new(&evaluation, &evaluation.matrix())).unwrap()
}

#[test]
fn the_same_model_in_yaml_and_toml_evaluates_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let toml_dir = dir.path().join("toml");
    let yaml_dir = dir.path().join("yaml");
    std::fs::create_dir_all(&toml_dir).unwrap();
    std::fs::create_dir_all(&yaml_dir).unwrap();
    std::fs::write(toml_dir.join("model.toml"), TOML).unwrap();
    std::fs::write(yaml_dir.join("model.yaml"), YAML).unwrap();
    let from_yaml = matrix_of(&yaml_dir);
    assert_eq!(matrix_of(&toml_dir), from_yaml);
    // By hand: core (JP) holds both; the flow copies user.content to KR,
    // where acme cannot read it (stored only); the vendor's people in VN read
    // user.id (accessed), and its seat CN gets `seat`.
    for needle in [
        r#""country": "CN",
      "category": "user.id",
      "foreign": true,
      "kinds": [
        "seat"
      ]"#,
        r#""country": "KR",
      "category": "user.content",
      "foreign": true,
      "kinds": [
        "stored"
      ],
      "path": [
        "system:copy",
        "system:core"
      ]"#,
        r#""country": "VN",
      "category": "user.id","#,
    ] {
        assert!(
            from_yaml.contains(needle),
            "missing {needle} in {from_yaml}"
        );
    }
}

#[test]
fn yaml_errors_name_the_yaml_line_and_entry() {
    let text = "model:\n  name: x\n  home: JP\nsystem:\n  - id: s\n    name: S\n    country: JP\n    operatr: acme\n";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.yml");
    std::fs::write(&path, text).unwrap();
    let err = Model::load(&path).unwrap_err();
    let rendered = err.render();
    assert!(
        rendered.contains("unknown key `operatr` in system"),
        "{rendered}"
    );
    assert!(
        rendered.contains("bad.yml:8:5 (in system[0].operatr)"),
        "{rendered}"
    );
    assert!(rendered.contains("did you mean `operator`?"), "{rendered}");
}

#[test]
fn yaml_syntax_errors_and_aliases_are_reported_not_panicked_on() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text, expect) in [
        (
            "broken.yaml",
            "model:\n  name: x\n  home: [JP\n",
            "YAML syntax",
        ),
        (
            "alias.yaml",
            "model:\n  name: &n x\n  home: JP\norganisation:\n  - id: *n\n    name: N\n    country: JP\n    role: group\n",
            "aliases (*name) are not supported",
        ),
        ("list.yaml", "- a\n- b\n", "must be a mapping of sections"),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let rendered = Model::load(&path).unwrap_err().render();
        assert!(rendered.contains(expect), "{name}: {rendered}");
    }
}

#[test]
fn toml_and_yaml_files_mix_in_one_directory() {
    let dir = tempfile::tempdir().unwrap();
    let (head, rest) = TOML.split_at(TOML.find("[[organisation]]").unwrap());
    std::fs::write(dir.path().join("a-model.toml"), head).unwrap();
    std::fs::write(dir.path().join("b-rest.toml"), rest).unwrap();
    let mixed = tempfile::tempdir().unwrap();
    std::fs::write(mixed.path().join("a-model.toml"), head).unwrap();
    let yaml_rest = &YAML[YAML.find("organisation:").unwrap()..];
    std::fs::write(mixed.path().join("b-rest.yaml"), yaml_rest).unwrap();
    assert_eq!(matrix_of(dir.path()), matrix_of(mixed.path()));
}
