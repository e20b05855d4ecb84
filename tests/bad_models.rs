//! The broken-model corpus. Each `tests/bad/<case>/` holds a model —
//! `model.toml`, or a `model/` directory, or nothing at all for a missing
//! path — and `expected.txt`: the exact stderr of `reachmap check`, which
//! must exit 2. A case with an `exit-code` file must load (a byte-order
//! mark, CRLF line ends, quoted CSV separators): `expected.txt` is then the
//! stdout of `check` and stderr must be empty.
//!
//! `REACHMAP_BLESS=1 cargo test --test bad_models` rewrites the expected
//! files; read every changed line before committing it.
//!
//! Loading must never panic: random bytes and truncations of real model
//! files go through the TOML and the CSV paths.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use proptest::prelude::*;
use reachmap::model::Model;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad")
}

fn cases() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(corpus())
        .expect("tests/bad exists")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The model path of a case, relative to `tests/bad`, as messages show it.
fn model_path(case: &str) -> String {
    if corpus().join(case).join("model.toml").exists() {
        format!("{case}/model.toml")
    } else {
        format!("{case}/model")
    }
}

#[test]
fn the_corpus_is_large_enough() {
    assert!(cases().len() >= 40, "{} cases", cases().len());
}

#[test]
fn every_case_gives_its_expected_output() {
    let bless = std::env::var_os("REACHMAP_BLESS").is_some();
    let mut failures = Vec::new();
    for case in cases() {
        let dir = corpus().join(&case);
        let output = Command::new(env!("CARGO_BIN_EXE_reachmap"))
            .args(["check", &model_path(&case)])
            .current_dir(corpus())
            .output()
            .expect("reachmap runs");
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        let code = output.status.code();
        let loads = dir.join("exit-code").exists();
        let (expected_code, shown) = if loads {
            let code: i32 = fs::read_to_string(dir.join("exit-code"))
                .expect("exit-code is readable")
                .trim()
                .parse()
                .expect("exit-code holds a number");
            if !stderr.is_empty() {
                failures.push(format!("{case}: must load, but stderr is:\n{stderr}"));
            }
            (code, stdout)
        } else {
            if !stdout.is_empty() {
                failures.push(format!("{case}: stdout must be empty, got:\n{stdout}"));
            }
            (2, stderr)
        };
        if code != Some(expected_code) {
            failures.push(format!("{case}: exit {code:?}, expected {expected_code}"));
        }
        let expected_file = dir.join("expected.txt");
        if bless {
            fs::write(&expected_file, &shown).expect("expected.txt is writable");
            continue;
        }
        let expected = fs::read_to_string(&expected_file).unwrap_or_default();
        if shown != expected {
            failures.push(format!(
                "{case}: output differs from expected.txt\n--- expected\n{expected}--- got\n{shown}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Problems of a whole file, table or directory have no entry to name;
/// everything else names the entry and key (`access[3].to`).
const NO_ENTRY: &[&str] = &[
    "io",
    "no-model-files",
    "encoding",
    "unknown-table",
    "empty-table",
    "unknown-section",
    "missing-model",
    // A CSV row is named by its line: its cells cannot be trusted.
    "csv-shape",
    "csv-quote",
];

#[test]
fn every_diagnostic_names_place_entry_and_fix() {
    let mut failures = Vec::new();
    for case in cases() {
        let path = corpus().join(model_path(&case));
        let Err(error) = Model::load(&path) else {
            continue;
        };
        assert!(
            !error.diagnostics.is_empty(),
            "{case}: an error without diagnostics"
        );
        for d in &error.diagnostics {
            let mut missing = Vec::new();
            if d.help.is_none() {
                missing.push("a fix (help)");
            }
            if d.location.is_none() && !["io", "no-model-files"].contains(&d.code) {
                missing.push("a file and line");
            }
            if d.entry.is_none() && !NO_ENTRY.contains(&d.code) {
                missing.push("an entry");
            }
            if !missing.is_empty() {
                failures.push(format!(
                    "{case}: [{}] {} lacks {}",
                    d.code,
                    d.message,
                    missing.join(", ")
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn model_file(relative: &str) -> String {
    fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(relative))
        .expect("model file is readable")
}

/// Cuts `text` at a character boundary near `at` (a fraction of its length).
fn truncate(text: &str, at: f64) -> &str {
    let mut end = ((text.len() as f64) * at) as usize;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Replaces the byte at `at` (a fraction of the length) with `byte`.
fn mutate(text: &str, at: f64, byte: u8) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    if !bytes.is_empty() {
        let i = ((bytes.len() as f64) * at) as usize % bytes.len();
        bytes[i] = byte;
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn toml_loading_never_panics_on_random_text(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = Model::from_toml_str("random.toml", &text);
    }

    #[test]
    fn toml_loading_never_panics_on_truncated_or_mutated_models(
        at in 0.0f64..1.0,
        byte in prop::sample::select(b"[]\"'=,.\n#{}0\xff ".to_vec()),
    ) {
        for file in ["models/line-2021/model.toml", "models/nordlicht-crm/model.toml", "models/nordlicht-crm/policies.toml"] {
            let text = model_file(file);
            let _ = Model::from_toml_str(file, truncate(&text, at));
            let mutated = mutate(&text, at, byte);
            let _ = Model::from_toml_str(file, &String::from_utf8_lossy(&mutated));
        }
    }

    /// CSV tables are read from files: each case writes a valid model.toml
    /// and one broken table into a fresh directory.
    #[test]
    fn csv_loading_never_panics_on_truncated_or_mutated_tables(
        table in prop::sample::select(vec!["systems.csv", "flows.csv", "access.csv", "contracts.csv"]),
        at in 0.0f64..1.0,
        byte in prop::sample::select(b",;\"\n\r\xff\xef a".to_vec()),
        truncated in any::<bool>(),
    ) {
        let source = model_file(&format!("models/nordlicht-crm/{table}"));
        let dir = tempfile::tempdir().expect("a temporary directory");
        fs::write(dir.path().join("model.toml"), model_file("models/nordlicht-crm/model.toml")).unwrap();
        fs::write(dir.path().join("organisations.toml"), model_file("models/nordlicht-crm/organisations.toml")).unwrap();
        let broken = if truncated { truncate(&source, at).as_bytes().to_vec() } else { mutate(&source, at, byte) };
        fs::write(dir.path().join(table), broken).unwrap();
        let _ = Model::load(dir.path());
    }

    #[test]
    fn csv_loading_never_panics_on_random_bytes(
        bytes in proptest::collection::vec(prop::sample::select(b"ab,;\"\n\r\xff\xc3 -.".to_vec()), 0..300),
    ) {
        let dir = tempfile::tempdir().expect("a temporary directory");
        fs::write(dir.path().join("model.toml"), "[model]\nname = \"x\"\nhome = \"JP\"\n").unwrap();
        let mut table = b"id,name,country,operator,holds\n".to_vec();
        table.extend(bytes);
        fs::write(dir.path().join("systems.csv"), table).unwrap();
        let _ = Model::load(dir.path());
    }
}
