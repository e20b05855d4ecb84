//! `reachmap report`: the disclosure-ready report set, written atomically.

use std::path::{Path, PathBuf};

use clap::ValueEnum;

use super::{AsOf, Outcome, emit, fail, load};
use crate::check;
use crate::reach::Evaluation;
use crate::report::lang::Lang;
use crate::report::set;

/// The long help of `reachmap report`, for the people who publish its output.
pub const ABOUT: &str = "\
Write the disclosure-ready report set for a model into a directory:

  index.md                start here: what each file is for, and a summary
  report.html             everything in one page for a browser, offline: the matrix
                          (click a cell for why that country reaches that category,
                          with the evidence), diagrams, findings, both disclosures;
                          prints to PDF
  appi-disclosure.ja.md   外国にある第三者への提供・外国における取扱いに関する情報
                          (APPI Art. 28(2) and Art. 32, one section per foreign country:
                          its system incl. government-access and localisation laws,
                          the data, the recipients, entrustment or provision, the chain
                          of contracts, purposes, measures and dates)
  appi-disclosure.en.md   the same statement in English
  subprocessors.md, .csv  sub-processor list for customers
  art30-record.csv        GDPR Art. 30(1) record of processing, columns (a) to (g)
  findings.md, .json      problems found (as `reachmap check` reports them)
  matrix.md, .csv, .json  which countries reach which personal data

Everything describes the model on one date: the model's as_of, or --as-of. The
statements are drafts: review them before publishing.

The directory is replaced as a whole, and only once every file has been written:
if anything fails (a bad model, a full disk) the previous set stays as it was.
A directory that is not a report set written by reachmap is never replaced
unless --force is given.

Exit status: 0 when written and no finding is an error, 1 when written and the
findings include errors (see findings.md), 2 when nothing was written.";

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Model directory or .toml file
    pub model: PathBuf,
    /// Directory to write the set into [default: reports/<model directory name>/,
    /// for a .toml file reports/<file name without .toml>/]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Language of the APPI foreign-country statement
    #[arg(long, value_enum, default_value_t = LangChoice::Both)]
    pub lang: LangChoice,
    #[command(flatten)]
    pub date: AsOf,
    /// Replace DIR even when it is not a report set written by reachmap;
    /// everything in it is deleted
    #[arg(long)]
    pub force: bool,
    /// Also report what changed since this model (diff.md, diff.json);
    /// evaluated on its own as_of unless --baseline-as-of is given
    #[arg(long, value_name = "MODEL")]
    pub baseline: Option<PathBuf>,
    /// Also report what changed since this date (of the baseline model, or of
    /// MODEL itself when no --baseline is given)
    #[arg(long, value_name = "DATE", value_parser = super::date_arg)]
    pub baseline_as_of: Option<crate::model::Date>,
    #[command(flatten)]
    pub without: super::without::Without,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangChoice {
    /// English only
    En,
    /// Japanese only
    Ja,
    /// Japanese and English
    Both,
}

impl LangChoice {
    fn languages(self) -> Vec<Lang> {
        match self {
            LangChoice::En => vec![Lang::En],
            LangChoice::Ja => vec![Lang::Ja],
            LangChoice::Both => vec![Lang::En, Lang::Ja],
        }
    }
}

/// The directory of a model: itself, or the directory holding a .toml file.
fn model_root(model: &Path) -> PathBuf {
    if model.is_dir() {
        model.to_path_buf()
    } else {
        model.parent().map(Path::to_path_buf).unwrap_or_default()
    }
}

/// `reports/<model directory name>`, or `reports/<stem>` for a .toml file.
fn default_out(model: &Path) -> Option<PathBuf> {
    let canonical = model.canonicalize().ok()?;
    let name = if canonical.is_dir() {
        canonical.file_name()?
    } else {
        canonical.file_stem()?
    };
    Some(Path::new("reports").join(name))
}

pub fn run(args: ReportArgs) -> Outcome {
    let Ok(loaded) = load(&args.model) else {
        return Outcome::Failed;
    };
    let baseline_model = match &args.baseline {
        Some(path) => match load(path) {
            Ok(m) => Some(m),
            Err(_) => return Outcome::Failed,
        },
        None => None,
    };
    // The what-if applies to the reported model, not to the baseline.
    let unchanged =
        (args.baseline.is_none() && args.baseline_as_of.is_some()).then(|| loaded.clone());
    let model = match args.without.apply(loaded) {
        Ok(m) => m,
        Err(o) => return o,
    };
    let Some(out) = args.out.clone().or_else(|| default_out(&args.model)) else {
        return fail(format!(
            "cannot name a default output directory for {}; pass --out DIR",
            args.model.display()
        ));
    };
    let evaluation = Evaluation::new(
        &model,
        args.date.as_of.unwrap_or_else(|| model.default_date()),
    );
    let root = model_root(&args.model);
    let before_model = baseline_model.as_ref().or(unchanged.as_ref());
    let before = before_model
        .map(|m| Evaluation::new(m, args.baseline_as_of.unwrap_or_else(|| m.default_date())));
    let built =
        set::build_with_baseline(&evaluation, &root, &args.lang.languages(), before.as_ref());
    let mut protect = vec![args.model.clone()];
    if let Ok(cwd) = std::env::current_dir() {
        protect.push(cwd);
    }
    for warning in &built.warnings {
        eprintln!("warning: {warning}");
    }
    if let Err(e) = set::write(&built.files, &out, args.force, &protect) {
        return fail(e);
    }
    emit(&format!(
        "wrote {} files to {}\n",
        built.files.len() + 1,
        out.display()
    ));
    if check::exit_code(&built.findings) == 1 {
        let errors = built
            .findings
            .iter()
            .filter(|f| f.severity == crate::model::Severity::Error)
            .count();
        eprintln!(
            "note: the findings include {errors} error(s); see {} (exit status 1)",
            out.join("findings.md").display()
        );
        Outcome::Findings
    } else {
        Outcome::Ok
    }
}
