//! The findings of `check` for the report set: Markdown for people and the
//! JSON of SPEC §4. Locations are made relative to the model, so a report
//! never carries the absolute path of the machine that wrote it.

use std::path::Path;

use super::escape::{markdown as md, markdown_code as code};
use crate::check::{self, Finding};
use crate::model::Severity;
use crate::reach::Evaluation;

/// The findings of an evaluation, with locations relative to `model_root`
/// (the model directory, or the directory of a single-file model).
pub fn findings(evaluation: &Evaluation, model_root: &Path) -> Vec<Finding> {
    let mut findings = check::check(evaluation, &evaluation.matrix());
    for f in &mut findings {
        if let Some(location) = &mut f.location {
            location.file = relative(Path::new(&location.file), model_root);
        }
    }
    findings
}

/// `file` relative to `root` with `/` separators; a file outside the root
/// is named by its file name alone.
pub(super) fn relative(file: &Path, root: &Path) -> String {
    let rel = file
        .strip_prefix(root)
        .ok()
        .filter(|r| !r.as_os_str().is_empty())
        .or_else(|| file.file_name().map(Path::new))
        .unwrap_or(file);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// `{"findings": [...]}`, as `check --format json` prints it.
pub fn json(findings: &[Finding]) -> String {
    check::render_json(findings)
}

/// The findings as Markdown, errors first.
pub fn markdown(evaluation: &Evaluation, findings: &[Finding]) -> String {
    let model = evaluation.model();
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let mut out = format!(
        "# Findings: {}\n\nStatus on {}: {} error(s), {} warning(s), {} note(s). Locations are files of the model, relative to its directory; paths run from the reaching party to the system that holds the data.\n",
        md(&model.info.name),
        evaluation.date(),
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    );
    if findings.is_empty() {
        out.push_str("\nNo findings.\n");
        return out;
    }
    for (severity, title) in [
        (Severity::Error, "Errors"),
        (Severity::Warning, "Warnings"),
        (Severity::Info, "Notes"),
    ] {
        let group: Vec<&Finding> = findings.iter().filter(|f| f.severity == severity).collect();
        if group.is_empty() {
            continue;
        }
        out.push_str(&format!("\n## {title}\n\n"));
        for f in group {
            out.push_str(&format!("- {} — {}\n", code(&f.rule), md(&f.message)));
            if let Some(l) = &f.location {
                out.push_str(&format!("  - Where: {}, line {}\n", code(&l.file), l.line));
            }
            if let Some(path) = &f.path {
                out.push_str(&format!("  - Path: {}\n", md(&path.join(" → "))));
            }
            if let Some(help) = &f.help {
                out.push_str(&format!("  - What to do: {}\n", md(help)));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_lose_the_machine_specific_prefix() {
        let root = Path::new("/home/someone/models/line-2021");
        assert_eq!(
            relative(
                Path::new("/home/someone/models/line-2021/access.toml"),
                root
            ),
            "access.toml"
        );
        assert_eq!(
            relative(Path::new("/elsewhere/other.toml"), root),
            "other.toml"
        );
        assert_eq!(
            relative(Path::new("models/m/sub/x.csv"), Path::new("models/m")),
            "sub/x.csv"
        );
    }
}
