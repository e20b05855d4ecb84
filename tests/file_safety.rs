//! File safety: the report set never writes or deletes through a symbolic
//! link, its file names never come from what the model says, and reading a
//! model runs and fetches nothing.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn reachmap(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_reachmap"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("reachmap runs")
}

fn line_model() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("models/line-2021")
}

/// Every file under `dir` with its bytes, not following links.
fn contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(at) = stack.pop() {
        for entry in fs::read_dir(&at).unwrap() {
            let path = entry.unwrap().path();
            let meta = fs::symlink_metadata(&path).unwrap();
            if meta.is_dir() {
                stack.push(path);
            } else {
                let name = path.strip_prefix(dir).unwrap().display().to_string();
                let bytes = if meta.file_type().is_symlink() {
                    format!("-> {}", fs::read_link(&path).unwrap().display()).into_bytes()
                } else {
                    fs::read(&path).unwrap()
                };
                out.push((name, bytes));
            }
        }
    }
    out.sort();
    out
}

/// Somewhere outside the report directory that must survive every run.
fn outside(root: &Path) -> PathBuf {
    let dir = root.join("outside");
    fs::create_dir(&dir).unwrap();
    fs::write(dir.join("keep.txt"), "precious").unwrap();
    fs::write(dir.join("matrix.md"), "not a report").unwrap();
    dir
}

#[cfg(unix)]
#[test]
fn links_inside_a_previous_set_are_neither_followed_nor_kept() {
    use std::os::unix::fs::symlink;
    let root = tempfile::tempdir().unwrap();
    let outside = outside(root.path());
    let before = contents(&outside);
    let model = line_model();
    let model = model.to_str().unwrap();
    let first = reachmap(root.path(), &["report", model, "--out", "set"]);
    assert_eq!(first.status.code(), Some(1), "{first:?}");
    let fresh = contents(&root.path().join("set"));
    // A link to a directory outside, and a report file replaced by a link to
    // a file outside: replacing the set must not delete or write through them.
    symlink(&outside, root.path().join("set/escape")).unwrap();
    fs::remove_file(root.path().join("set/matrix.md")).unwrap();
    symlink(outside.join("matrix.md"), root.path().join("set/matrix.md")).unwrap();
    let second = reachmap(root.path(), &["report", model, "--out", "set"]);
    assert_eq!(second.status.code(), Some(1), "{second:?}");
    assert_eq!(
        contents(&outside),
        before,
        "nothing outside the set changed"
    );
    assert_eq!(
        contents(&root.path().join("set")),
        fresh,
        "the set is written afresh, without the links"
    );
}

#[cfg(unix)]
#[test]
fn a_link_as_the_output_directory_is_refused() {
    use std::os::unix::fs::symlink;
    let root = tempfile::tempdir().unwrap();
    let outside = outside(root.path());
    let before = contents(&outside);
    symlink(&outside, root.path().join("link")).unwrap();
    symlink(root.path().join("nowhere"), root.path().join("dangling")).unwrap();
    let model = line_model();
    for out in ["link", "dangling"] {
        let output = reachmap(
            root.path(),
            &["report", model.to_str().unwrap(), "--out", out],
        );
        assert_eq!(output.status.code(), Some(2));
        assert_eq!(
            String::from_utf8_lossy(&output.stderr),
            format!("error: {out} is a symbolic link; pass the directory it points to as --out\n")
        );
        assert!(output.stdout.is_empty());
    }
    assert_eq!(contents(&outside), before);
    assert!(!root.path().join("nowhere").exists());
    // Nothing was left beside the links either.
    let mut names: Vec<String> = fs::read_dir(root.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["dangling", "link", "outside"]);
}

/// The set's file names are fixed: ids full of path syntax change what the
/// files say, never where they go.
#[test]
fn hostile_ids_do_not_name_files() {
    let root = tempfile::tempdir().unwrap();
    let hostile = [
        "../../escape",
        "/etc/passwd",
        "..",
        "con",
        "a\\b",
        ".reachmap-report",
    ];
    let mut model = String::from(
        "[model]\nname = \"../../x\"\nhome = \"JP\"\nas_of = 2021-03-01\n\n[[organisation]]\nid = \"o\"\nname = \"O\"\ncountry = \"JP\"\nrole = \"controller\"\n",
    );
    for id in hostile {
        let id = id.replace('\\', "\\\\");
        model.push_str(&format!(
            "\n[[category]]\nid = \"{id}\"\nname = \"{id}\"\nsensitivity = \"secrecy\"\n\n[[system]]\nid = \"{id}\"\nname = \"{id}\"\ncountry = \"KR\"\noperator = \"o\"\nholds = [\"{id}\"]\n"
        ));
    }
    fs::write(root.path().join("model.toml"), model).unwrap();
    let output = reachmap(root.path(), &["report", "model.toml", "--out", "set"]);
    assert!(output.status.code() != Some(2), "{output:?}");
    let mut names: Vec<String> = contents(&root.path().join("set"))
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    names.sort();
    // Diagram files are named after category ids, sanitised: one plain file
    // name inside diagrams/, of [a-z0-9._-] only, never `.` or `..` itself.
    let (pictures, names): (Vec<String>, Vec<String>) =
        names.into_iter().partition(|n| n.starts_with("diagrams/"));
    assert_eq!(pictures.len() % 3, 0, "{pictures:?}");
    for picture in &pictures {
        let file = &picture["diagrams/".len()..];
        assert!(
            !file.is_empty()
                && file != "."
                && file != ".."
                && !file.starts_with('.')
                && file
                    .chars()
                    .all(|c| matches!(c, 'a'..='z' | '0'..='9' | '.' | '_' | '-')),
            "{picture}"
        );
    }
    assert!(
        pictures.iter().any(|p| p.contains("etc-passwd")),
        "{pictures:?}"
    );
    assert_eq!(
        names,
        [
            ".reachmap-report",
            "appi-disclosure.en.md",
            "appi-disclosure.ja.md",
            "art30-record.csv",
            "findings.json",
            "findings.md",
            "index.md",
            "matrix.csv",
            "matrix.json",
            "matrix.md",
            "report.html",
            "subprocessors.csv",
            "subprocessors.md",
        ]
    );
    let mut beside: Vec<String> = fs::read_dir(root.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    beside.sort();
    assert_eq!(beside, ["model.toml", "set"]);
}

/// Strings that a shell or a fetcher would act on are only text: loading,
/// evaluating and writing everything leaves no trace but the report.
#[test]
fn reading_a_model_runs_and_fetches_nothing() {
    let root = tempfile::tempdir().unwrap();
    let model = root.path().join("$(touch pwned-dir)");
    fs::create_dir(&model).unwrap();
    let commands = [
        "$(touch pwned-1)",
        "`touch pwned-2`",
        "; touch pwned-3",
        "| touch pwned-4",
        "http://127.0.0.1:9/pwned-5",
        "file:///etc/passwd",
    ];
    let mut text = String::from(
        "[model]\nname = \"$(touch pwned-0)\"\nhome = \"JP\"\nas_of = 2021-03-01\n\n[[category]]\nid = \"c\"\nname = \"C\"\n\n[[organisation]]\nid = \"o\"\nname = \"O\"\ncountry = \"JP\"\nrole = \"controller\"\n",
    );
    for (i, command) in commands.iter().enumerate() {
        text.push_str(&format!(
            "\n[[system]]\nid = \"s{i}\"\nname = \"{command}\"\ncountry = \"CN\"\noperator = \"o\"\nholds = [\"c\"]\nnote = \"{command}\"\nsource = \"{command}\"\n"
        ));
    }
    fs::write(model.join("$(touch pwned-file).toml"), text).unwrap();
    let path = model.file_name().unwrap().to_str().unwrap();
    for args in [
        vec!["check", path],
        vec!["check", path, "--format", "sarif"],
        vec!["matrix", path, "--format", "md"],
        vec!["explain", path, "--country", "CN", "--all-paths"],
        vec!["report", path, "--out", "set"],
    ] {
        let output = reachmap(root.path(), &args);
        assert!(output.status.code() != Some(2), "{args:?}: {output:?}");
    }
    let mut names: Vec<String> = fs::read_dir(root.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["$(touch pwned-dir)", "set"]);
    assert_eq!(fs::read_dir(&model).unwrap().count(), 1);
}

/// The library never starts a process or opens a socket: reading a model is
/// reading files. A module that must (rendering SVG with Graphviz) is
/// named here, and nothing under `src/model/` ever may.
#[test]
fn no_source_file_starts_a_process_or_opens_a_socket() {
    // Rendering SVG runs Graphviz's `dot` on DOT text reachmap wrote itself.
    const ALLOWED: &[&str] = &["diagram/svg.rs"];
    const FORBIDDEN: &[&str] = &[
        "process::Command",
        "Command::new",
        "std::net",
        "TcpStream",
        "UdpSocket",
        "graphviz_rust::exec",
        "reqwest",
        "ureq",
    ];
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut stack = vec![src.clone()];
    let mut checked = 0;
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path
                .strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let text = fs::read_to_string(&path).unwrap();
            checked += 1;
            let in_model = name.starts_with("model/");
            if ALLOWED.contains(&name.as_str()) && !in_model {
                continue;
            }
            for word in FORBIDDEN {
                assert!(!text.contains(word), "src/{name} uses {word}");
            }
        }
    }
    assert!(checked > 20, "the scan found the sources");
}
