//! `report --baseline`, `--baseline-as-of` and `--without`: the report set of a
//! relocation plan and of a what-if. Expected facts are read off
//! `models/line-2021/` by hand (see each test).

use std::path::Path;
use std::process::Command;

fn reachmap(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_reachmap"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("reachmap runs")
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn a_baseline_date_adds_the_relocation_diff_to_the_set() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("set");
    let run = reachmap(&[
        "report",
        "models/line-2021",
        "--as-of",
        "2022-01-01",
        "--baseline-as-of",
        "2021-03-01",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(run.status.code().is_some_and(|c| c < 2), "{run:?}");
    // access.toml: dalian-co reads jp-moderation from 2020-01-01 until
    // 2021-03-23, the only Chinese access in force on 2021-03-01; on
    // 2022-01-01 nothing in China applies, so China drops out entirely.
    let diff = read(&dir, "diff.md");
    assert!(
        diff.contains("No longer reaching any category: China (CN)."),
        "{diff}"
    );
    // systems.toml: kr-linepay applies until 2021-10-01, so by 2022 Korea
    // loses the LINE Pay categories it stored.
    assert!(diff.contains("`user.payment.linepay`"), "{diff}");
    let json: serde_json::Value = serde_json::from_str(&read(&dir, "diff.json")).unwrap();
    let removed = json["removed"].as_array().unwrap();
    assert!(removed.iter().any(|r| r["country"] == "CN"
        && r["category"] == "user.content.timeline.reported"
        && r["path"] == serde_json::json!(["org:dalian-co", "system:jp-moderation"])));
    // The index links the diff.
    assert!(read(&dir, "index.md").contains("[diff.md](diff.md)"));
}

#[test]
fn without_a_set_has_no_diff_and_a_what_if_removes_the_entity_everywhere() {
    let out = tempfile::tempdir().unwrap();
    let plain = out.path().join("plain");
    let whatif = out.path().join("whatif");
    reachmap(&[
        "report",
        "models/line-2021",
        "--out",
        plain.to_str().unwrap(),
    ]);
    reachmap(&[
        "report",
        "models/line-2021",
        "--without",
        "org:dalian-co",
        "--out",
        whatif.to_str().unwrap(),
    ]);
    assert!(!plain.join("diff.md").exists());
    // On 2021-03-01 dalian-co is China's only route (see above), so without it
    // the disclosure names no Chinese recipient and the matrix has no CN row.
    assert!(read(&plain, "matrix.json").contains("\"CN\""));
    assert!(!read(&whatif, "matrix.json").contains("\"CN\""));
    for name in ["appi-disclosure.en.md", "subprocessors.md", "matrix.md"] {
        assert!(!read(&whatif, name).contains("dalian-co"), "{name}");
    }
}

#[test]
fn a_bad_baseline_writes_nothing() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("set");
    let run = reachmap(&[
        "report",
        "models/line-2021",
        "--baseline",
        "models/does-not-exist",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(2));
    assert!(!dir.exists());
}
