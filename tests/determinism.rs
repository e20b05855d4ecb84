//! Same model, same bytes: `matrix --format json` and `check --format json`
//! print identical output on repeated runs (each run is a new process, so
//! hash seeds differ) and on a copy of the model whose files were created in
//! the opposite order (so the directory lists them differently).

use std::fs;
use std::path::Path;
use std::process::Command;

fn run(cwd: &Path, args: &[&str]) -> Vec<u8> {
    let output = Command::new(env!("CARGO_BIN_EXE_reachmap"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("reachmap runs");
    assert!(
        output.status.code().is_some_and(|c| c < 2),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

const COMMANDS: &[&[&str]] = &[
    &["matrix", "--format", "json"],
    &["check", "--format", "json"],
    &["check", "--format", "sarif"],
    &["matrix", "--format", "csv", "--as-of", "2023-06-01"],
    &["explain", "--country", "IN", "--all-paths"],
];

fn outputs(parent: &Path, model: &str) -> Vec<Vec<u8>> {
    COMMANDS
        .iter()
        .map(|command| {
            let mut args = vec![command[0], model];
            args.extend(&command[1..]);
            run(parent, &args)
        })
        .collect()
}

/// Copies a model directory, creating its files in reverse name order.
fn copy_reversed(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    let mut names: Vec<_> = fs::read_dir(from)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    names.reverse();
    for name in names {
        fs::copy(from.join(&name), to.join(&name)).unwrap();
    }
}

#[test]
fn outputs_are_byte_identical_across_runs_and_copies() {
    let models = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    for model in ["nordlicht-crm", "line-2021"] {
        let first = outputs(&models, model);
        assert!(
            first.iter().all(|o| !o.is_empty()),
            "{model}: every command prints"
        );
        assert_eq!(
            first,
            outputs(&models, model),
            "{model}: a second run differs"
        );
        let temp = tempfile::tempdir().unwrap();
        copy_reversed(&models.join(model), &temp.path().join(model));
        assert_eq!(
            first,
            outputs(temp.path(), model),
            "{model}: a copy with another directory order differs"
        );
    }
}
