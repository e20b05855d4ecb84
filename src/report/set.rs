//! The report set (SPEC §5): every document built in memory first, then
//! written into a temporary directory beside the target and moved into place,
//! so a failed run (a bad model, a full disk) leaves the previous set as it
//! was, and nothing is ever written outside the target.
//!
//! CSV files in the set start with a UTF-8 byte-order mark. Excel opens a
//! CSV file without one in the system's legacy code page (Shift_JIS on a
//! Japanese Windows), which garbles every non-ASCII name; with the mark it
//! reads UTF-8, and LibreOffice, pandas (`utf-8-sig`) and Python's csv module
//! all accept it. Lines end in LF, which both spreadsheets read. The same
//! tables on stdout (`matrix --format csv`) carry no mark, for pipes.

use std::fmt;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use super::handling::Handling;
use super::lang::{self, Lang};
use super::{art30, disclosure, escape, findings, html, matrix, subprocessors};
use crate::check::Finding;
use crate::model::Severity;
use crate::reach::Evaluation;

/// The file that marks a directory as a report set written by reachmap.
pub const MARKER: &str = ".reachmap-report";

const MARKER_TEXT: &str = "This directory is a report set written by `reachmap report`.\nThe command replaces it as a whole: do not keep other files here.\n";

const BOM: &[u8] = "\u{feff}".as_bytes();

/// One file of the set: its path inside the set (`/`-separated) and bytes.
pub type File = (String, Vec<u8>);

/// A set built in memory.
pub struct ReportSet {
    /// Every file, sorted by name, without the marker (the writer adds it).
    pub files: Vec<File>,
    /// The findings the set reports.
    pub findings: Vec<Finding>,
    /// What could not be produced (SVG without Graphviz), for the person running it.
    pub warnings: Vec<String>,
}

/// Builds the set. `model_root` is the model directory (or the directory of
/// a single-file model); only paths relative to it reach the reports.
pub fn build(evaluation: &Evaluation, model_root: &Path, languages: &[Lang]) -> ReportSet {
    build_with_baseline(evaluation, model_root, languages, None)
}

/// Builds the set; with a baseline, the set also holds what changed since it
/// (`diff.md`, `diff.json`).
pub fn build_with_baseline(
    evaluation: &Evaluation,
    model_root: &Path,
    languages: &[Lang],
    baseline: Option<&Evaluation>,
) -> ReportSet {
    let h = Handling::new(evaluation);
    let findings = findings::findings(evaluation, model_root);
    let text = |name: &str, body: String| (name.to_string(), body.into_bytes());
    let table = |name: &str, body: String| {
        let mut bytes = BOM.to_vec();
        bytes.extend_from_slice(body.as_bytes());
        (name.to_string(), bytes)
    };
    let mut files = vec![
        text("matrix.md", matrix::markdown(evaluation, &h.reach)),
        table("matrix.csv", matrix::csv(evaluation, &h.reach)),
        text("matrix.json", matrix::json(evaluation, &h.reach)),
        text("subprocessors.md", subprocessors::markdown(&h)),
        table("subprocessors.csv", subprocessors::csv(&h)),
        table("art30-record.csv", art30::csv(&h)),
        text("findings.md", findings::markdown(evaluation, &findings)),
        text("findings.json", findings::json(&findings)),
    ];
    let disclosures: Vec<(Lang, String)> = languages
        .iter()
        .map(|&l| (l, disclosure::render(&h, l)))
        .collect();
    for (l, body) in &disclosures {
        files.push(text(&disclosure_name(*l), body.clone()));
    }
    if let Some(before) = baseline {
        let diff = crate::diff::Diff::between(before, evaluation);
        files.push(text("diff.md", crate::diff::render::markdown(&diff)));
        files.push(text("diff.json", crate::diff::render::json(&diff)));
    }
    let (pictures, warnings) = diagrams(evaluation, languages, baseline);
    files.push(text(
        "report.html",
        html::render(&h, &findings, &disclosures, &pictures, model_root),
    ));
    let index = index(&h, &files, &pictures, &findings);
    files.extend(pictures);
    files.push(text("index.md", index));
    files.sort_by(|a, b| a.0.cmp(&b.0));
    ReportSet {
        files,
        findings,
        warnings,
    }
}

/// The folder of the set that holds the diagrams.
pub const DIAGRAMS: &str = "diagrams";

/// The diagrams of the set, under `diagrams/`: every view in English (the
/// access graph, the country summary, one view per sensitive category, and the
/// change since the baseline), the access, country and change views again in
/// Japanese when Japanese is asked for; DOT and Mermaid always, SVG when
/// Graphviz is installed.
fn diagrams(
    evaluation: &Evaluation,
    languages: &[Lang],
    baseline: Option<&Evaluation>,
) -> (Vec<File>, Vec<String>) {
    use crate::diagram;
    let mut sources: Vec<(String, String)> = Vec::new();
    for &l in languages {
        let suffix = if l == Lang::Ja { ".ja" } else { "" };
        let mut views = diagram::report_set(evaluation, l);
        if l == Lang::Ja {
            views.retain(|(name, _)| name.starts_with("access.") || name.starts_with("countries."));
        }
        if let Some(before) = baseline {
            let change = diagram::diff_view(before, evaluation, l);
            views.push(("diff.dot".into(), diagram::dot(&change)));
            views.push(("diff.mmd".into(), diagram::mermaid(&change)));
        }
        for (name, body) in views {
            let (stem, ext) = name.rsplit_once('.').unwrap_or((&name, ""));
            sources.push((format!("{DIAGRAMS}/{stem}{suffix}.{ext}"), body));
        }
    }
    let (svgs, warnings) = render_svgs(&sources);
    let files = sources
        .into_iter()
        .chain(svgs)
        .map(|(name, body)| (name, body.into_bytes()))
        .collect();
    (files, warnings)
}

/// SVG for every DOT source, rendered on two threads; none (with one warning)
/// when Graphviz is not installed.
fn render_svgs(sources: &[(String, String)]) -> (Vec<(String, String)>, Vec<String>) {
    use crate::diagram::{SvgError, svg};
    let dots: Vec<&(String, String)> = sources
        .iter()
        .filter(|(n, _)| n.ends_with(".dot"))
        .collect();
    let svg_name = |dot: &str| format!("{}.svg", dot.strip_suffix(".dot").unwrap_or(dot));
    let Some((first, rest)) = dots.split_first() else {
        return (Vec::new(), Vec::new());
    };
    // One try first: without Graphviz there is no point starting the rest.
    let first_svg = svg(&first.1);
    if let Err(SvgError::NotInstalled { .. }) = first_svg {
        return (
            Vec::new(),
            vec!["Graphviz is not installed, so the diagrams are written as DOT and Mermaid only; install it (apt-get install graphviz, brew install graphviz) and run again for SVG".into()],
        );
    }
    let half = rest.len().div_ceil(2);
    let mut rendered: Vec<(String, Result<String, SvgError>)> =
        vec![(svg_name(&first.0), first_svg)];
    rendered.extend(std::thread::scope(|scope| {
        let workers: Vec<_> = rest
            .chunks(half.max(1))
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|(name, body)| (svg_name(name), svg(body)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_default())
            .collect::<Vec<_>>()
    }));
    let mut svgs = Vec::new();
    let mut warnings = Vec::new();
    for (name, result) in rendered {
        match result {
            Ok(body) => svgs.push((name, body)),
            Err(e) => warnings.push(format!("{name} was not rendered: {e}")),
        }
    }
    (svgs, warnings)
}

fn disclosure_name(l: Lang) -> String {
    format!("appi-disclosure.{}.md", l.code())
}

/// One row per diagram view, linking each format that was written.
fn diagram_table(pictures: &[File]) -> String {
    let mut stems: Vec<&str> = pictures
        .iter()
        .filter_map(|(n, _)| {
            n.strip_prefix(&format!("{DIAGRAMS}/"))
                .and_then(|n| n.rsplit_once('.'))
                .map(|(stem, _)| stem)
        })
        .collect();
    stems.dedup();
    let mut out = String::from("\n## Diagrams\n\n| View | Files |\n|---|---|\n");
    for stem in stems {
        let (view, ja) = match stem.strip_suffix(".ja") {
            Some(v) => (v, " (日本語)"),
            None => (stem, ""),
        };
        let what = match view {
            "access" => "Who can read which system, clustered by country".to_string(),
            "countries" => "Which countries reach which categories, and how".to_string(),
            "diff" => "What changed since the baseline".to_string(),
            other => format!(
                "What reaches `{}`",
                other
                    .strip_prefix("category-")
                    .unwrap_or(other)
                    .replace('`', "'")
            ),
        };
        let links: Vec<String> = [("svg", "SVG"), ("dot", "DOT"), ("mmd", "Mermaid")]
            .iter()
            .filter_map(|(ext, label)| {
                let name = format!("{DIAGRAMS}/{stem}.{ext}");
                pictures
                    .iter()
                    .any(|(n, _)| *n == name)
                    .then(|| format!("[{label}]({})", escape::url_path(&name)))
            })
            .collect();
        out.push_str(&format!("| {what}{ja} | {} |\n", links.join(" · ")));
    }
    out
}

/// What each fixed file is for, in the order the index lists them.
fn describe(name: &str) -> Option<&'static str> {
    Some(match name {
        "report.html" => {
            "Everything in one page for a browser, offline: the matrix (click a cell for why that country reaches that category, with the evidence), the diagrams, the findings and the disclosure texts; prints to PDF"
        }
        "appi-disclosure.ja.md" => {
            "外国にある第三者への提供及び外国における個人データの取扱いに関する情報（日本語）: the APPI Art. 28(2) / Art. 32 statement for the privacy policy, one section per foreign country"
        }
        "appi-disclosure.en.md" => {
            "The same statement in English: each foreign country, its system (including government-access and localisation laws), the data, the organisations, contracts, purposes, measures and dates"
        }
        "subprocessors.md" => "Sub-processor list for customers",
        "subprocessors.csv" => "The sub-processor list as a spreadsheet",
        "art30-record.csv" => {
            "GDPR Art. 30(1) record of processing activities, columns (a) to (g), one row per purpose"
        }
        "findings.md" => {
            "Problems found: undisclosed countries, accesses without a contract, policy violations"
        }
        "findings.json" => "The findings, as `reachmap check --format json` prints them",
        "matrix.md" => "Which countries reach which personal data, and how",
        "matrix.csv" => "The reach matrix, one row per country and category",
        "matrix.json" => "The reach matrix, as `reachmap matrix --format json` prints it",
        "diff.md" => {
            "What changed since the baseline: reach gained and lost, and the entries that explain it"
        }
        "diff.json" => "The change since the baseline, as `reachmap diff --format json` prints it",
        _ => return None,
    })
}

const ORDER: [&str; 13] = [
    "report.html",
    "appi-disclosure.ja.md",
    "appi-disclosure.en.md",
    "subprocessors.md",
    "subprocessors.csv",
    "art30-record.csv",
    "findings.md",
    "findings.json",
    "matrix.md",
    "matrix.csv",
    "matrix.json",
    "diff.md",
    "diff.json",
];

fn index(h: &Handling, files: &[File], pictures: &[File], findings: &[Finding]) -> String {
    let model = h.model();
    let date = h.evaluation.date();
    let home = model.info.home;
    let mut out = format!(
        "# Report set: {}\n\nStatus on {date}. Home country: {} ({home}).\n\n",
        escape::markdown(&model.info.name),
        escape::markdown(&lang::country_name(model, Lang::En, home, date)),
    );
    out.push_str("| File | What it is for |\n|---|---|\n");
    let present = |name: &&&str| files.iter().any(|(n, _)| n == **name);
    for name in ORDER.iter().filter(present) {
        out.push_str(&format!(
            "| [{name}]({}) | {} |\n",
            escape::url_path(name),
            describe(name).unwrap_or_default()
        ));
    }
    if !pictures.is_empty() {
        out.push_str(&diagram_table(pictures));
    }
    let countries: Vec<String> = h
        .foreign_countries()
        .into_iter()
        .map(|c| {
            format!(
                "{} ({c})",
                escape::markdown(&lang::country_name(model, Lang::En, c, date))
            )
        })
        .collect();
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    out.push_str(&format!(
        "\n## At a glance\n\n- Foreign countries that reach personal data: {}\n- Findings: {} error(s), {} warning(s), {} note(s)\n",
        if countries.is_empty() {
            "none".to_string()
        } else {
            countries.join(", ")
        },
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    ));
    if let Some(disclosed) = &model.info.disclosed_countries {
        let missing: Vec<String> = h
            .foreign_countries()
            .into_iter()
            .filter(|c| !disclosed.contains(c))
            .map(|c| c.to_string())
            .collect();
        out.push_str(&format!(
            "- Not named in the current disclosure: {}\n",
            if missing.is_empty() {
                "none".to_string()
            } else {
                missing.join(", ")
            }
        ));
    }
    out.push_str(&format!(
        "\n## About these files\n\n- Every file describes the model on {date}: the model's `as_of`, or the date given with `--as-of`.\n- CSV files are UTF-8 with a byte-order mark (so that Excel recognises UTF-8), comma-separated, with one header row. A cell that starts with `=`, `+`, `-` or `@` is prefixed with `'` so that a spreadsheet shows it as text and never runs it as a formula.\n- Free text (names, purposes, notes, sources) is quoted from the model as written; only the fixed wording is translated.\n- `reachmap report` replaces this directory as a whole; the file `{MARKER}` marks it as a report set. Do not keep other files here.\n"
    ));
    out
}

/// Why a set could not be written. The previous set, if any, is untouched.
#[derive(Debug)]
pub enum SetError {
    /// The target exists and is not a directory.
    NotADirectory(PathBuf),
    /// The target is a symbolic link; replacing it would replace the link.
    Symlink(PathBuf),
    /// The target is a non-empty directory without the marker.
    NotAReportSet(PathBuf),
    /// Replacing the target would delete something that must survive.
    Protected { target: PathBuf, inside: PathBuf },
    /// A file name would leave the target directory.
    BadName(String),
    /// The file system refused.
    Io {
        action: &'static str,
        path: PathBuf,
        source: io::Error,
    },
}

impl fmt::Display for SetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetError::NotADirectory(p) => write!(
                f,
                "{} exists and is not a directory; choose another --out",
                p.display()
            ),
            SetError::Symlink(p) => write!(
                f,
                "{} is a symbolic link; pass the directory it points to as --out",
                p.display()
            ),
            SetError::NotAReportSet(p) => write!(
                f,
                "{} is not empty and is not a report set written by reachmap (it has no {MARKER} file); choose another --out, or pass --force to replace it and everything in it",
                p.display()
            ),
            SetError::Protected { target, inside } => write!(
                f,
                "refusing to replace {}: it contains {}; choose another --out",
                target.display(),
                inside.display()
            ),
            SetError::BadName(name) => write!(
                f,
                "internal error: report file name \"{name}\" would leave the output directory"
            ),
            SetError::Io {
                action,
                path,
                source,
            } => write!(
                f,
                "could not {action} {}: {source}; the previous report set is unchanged",
                path.display()
            ),
        }
    }
}

impl std::error::Error for SetError {}

fn io_error(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> SetError + use<> {
    let path = path.to_path_buf();
    move |source| SetError::Io {
        action,
        path,
        source,
    }
}

/// A name made only of plain components: no root, no `..`, no `.`.
fn check_name(name: &str) -> Result<(), SetError> {
    let path = Path::new(name);
    let plain = !name.is_empty()
        && name != MARKER
        && path.components().all(|c| matches!(c, Component::Normal(_)));
    if plain {
        Ok(())
    } else {
        Err(SetError::BadName(name.to_string()))
    }
}

/// What is at the target now.
enum Existing {
    Nothing,
    /// A directory the set may replace.
    Replaceable,
}

fn inspect(target: &Path, force: bool, protect: &[PathBuf]) -> Result<Existing, SetError> {
    let meta = match std::fs::symlink_metadata(target) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Existing::Nothing),
        Err(e) => return Err(io_error("inspect", target)(e)),
    };
    if meta.file_type().is_symlink() {
        return Err(SetError::Symlink(target.to_path_buf()));
    }
    if !meta.is_dir() {
        return Err(SetError::NotADirectory(target.to_path_buf()));
    }
    let canonical = target.canonicalize().map_err(io_error("inspect", target))?;
    for p in protect {
        if let Ok(p) = p.canonicalize()
            && p.starts_with(&canonical)
        {
            return Err(SetError::Protected {
                target: target.to_path_buf(),
                inside: p,
            });
        }
    }
    let is_set = target.join(MARKER).is_file();
    let empty = std::fs::read_dir(target)
        .map_err(io_error("read", target))?
        .next()
        .is_none();
    if is_set || empty || force {
        Ok(Existing::Replaceable)
    } else {
        Err(SetError::NotAReportSet(target.to_path_buf()))
    }
}

/// Writes the set to `target`, replacing a previous set there. The files go
/// into a fresh directory beside `target`, which then takes its place; the
/// previous set is moved aside first and deleted last, and put back if the
/// move fails. `protect` lists paths that must survive (the model, the
/// working directory): a target containing one is never replaced, even with
/// `force`.
///
/// Links are never followed: a link as the target is refused, and links
/// inside a previous set are deleted as links with it. Portable file systems
/// cannot swap two directories in one step, so between the two renames the
/// target is briefly absent; a crash exactly there leaves the previous set in
/// `.reachmap-report-old-*/previous` beside it.
pub fn write(
    files: &[File],
    target: &Path,
    force: bool,
    protect: &[PathBuf],
) -> Result<(), SetError> {
    for (name, _) in files {
        check_name(name)?;
    }
    let existing = inspect(target, force, protect)?;
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(io_error("create", &parent))?;
    let fresh = tempfile::Builder::new()
        .prefix(".reachmap-report-new-")
        .tempdir_in(&parent)
        .map_err(io_error("create a temporary directory in", &parent))?;
    let marker = (MARKER.to_string(), MARKER_TEXT.as_bytes().to_vec());
    for (name, bytes) in files.iter().chain(std::iter::once(&marker)) {
        let path = fresh.path().join(name);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io_error("create", dir))?;
        }
        let mut file = std::fs::File::create(&path).map_err(io_error("create", &path))?;
        file.write_all(bytes)
            .and_then(|_| file.sync_all())
            .map_err(io_error("write", &path))?;
    }
    sync_dir(fresh.path());
    match existing {
        Existing::Nothing => {
            set_permissions_like(fresh.path(), None);
            std::fs::rename(fresh.path(), target)
                .map_err(io_error("move the new set to", target))?;
            sync_dir(&parent);
        }
        Existing::Replaceable => {
            set_permissions_like(fresh.path(), Some(target));
            let aside = tempfile::Builder::new()
                .prefix(".reachmap-report-old-")
                .tempdir_in(&parent)
                .map_err(io_error("create a temporary directory in", &parent))?;
            let previous = aside.path().join("previous");
            std::fs::rename(target, &previous).map_err(io_error("move aside", target))?;
            if let Err(e) = std::fs::rename(fresh.path(), target) {
                // Put the previous set back; `aside` then deletes nothing of it.
                let _ = std::fs::rename(&previous, target);
                return Err(io_error("move the new set to", target)(e));
            }
            // The new set is in place on disk before the previous one goes:
            // dropping `aside` deletes it.
            sync_dir(&parent);
        }
    }
    // The directory is the target now; nothing is left to clean up.
    let _ = fresh.keep();
    Ok(())
}

/// Writes a directory's entries to disk: a file's `sync_all` covers its
/// bytes, not its name, and a rename is durable only once the directory
/// holding it is. Best effort: some platforms cannot open a directory.
fn sync_dir(dir: &Path) {
    if let Ok(handle) = std::fs::File::open(dir) {
        let _ = handle.sync_all();
    }
}

/// A temporary directory is private (0700); the set gets the previous set's
/// permissions, or the usual 0755 for a new one.
fn set_permissions_like(dir: &Path, previous: Option<&Path>) {
    let permissions = match previous.map(std::fs::metadata) {
        Some(Ok(meta)) => meta.permissions(),
        _ => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::Permissions::from_mode(0o755)
            }
            #[cfg(not(unix))]
            {
                return;
            }
        }
    };
    let _ = std::fs::set_permissions(dir, permissions);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cannot_leave_the_set() {
        assert!(check_name("matrix.md").is_ok());
        assert!(check_name("diagrams/access.dot").is_ok());
        for bad in ["../x", "/etc/passwd", "a/../../b", "./x", "", MARKER] {
            assert!(check_name(bad).is_err(), "{bad} must be refused");
        }
    }
}
