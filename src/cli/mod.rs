//! The command line: parsing with clap, one function per subcommand, exit
//! codes 0 (fine), 1 (error findings or a difference), 2 (bad model or usage).

pub mod diagram;
mod diff;
mod files;
mod import;
mod init;
mod report;
mod timeline;
mod without;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::check;
use crate::model::{CountryCode, Date, LoadError, Model, parse_date};
use crate::reach::Evaluation;
use crate::report::{explain, matrix};

/// Which countries can reach which personal data, through whom, on which date.
#[derive(Debug, Parser)]
#[command(name = "reachmap", version, about, long_about = None, arg_required_else_help = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load, validate and evaluate a model; print findings (exit 1 on error findings)
    Check {
        /// Model directory or .toml file
        model: PathBuf,
        #[command(flatten)]
        date: AsOf,
        #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
        format: CheckFormat,
        #[command(flatten)]
        without: without::Without,
    },
    /// The country × category reach matrix
    Matrix {
        /// Model directory or .toml file
        model: PathBuf,
        #[command(flatten)]
        date: AsOf,
        #[arg(long, value_enum, default_value_t = MatrixFormat::Table)]
        format: MatrixFormat,
        #[command(flatten)]
        without: without::Without,
    },
    /// Why a country reaches a category: the paths, in words
    Explain {
        /// Model directory or .toml file
        model: PathBuf,
        /// Country code, e.g. CN
        #[arg(long)]
        country: String,
        /// Category id; default: every category the country reaches
        #[arg(long)]
        category: Option<String>,
        /// Show every route, not only one per kind
        #[arg(long)]
        all_paths: bool,
        #[command(flatten)]
        date: AsOf,
    },
    /// What a change adds to and removes from the reach: two models, or one model on two dates
    Diff(diff::DiffArgs),
    /// Every date on which a model's reach changes, and what changes on it
    Timeline(timeline::TimelineArgs),
    /// Write the disclosure-ready report set (APPI statement in Japanese and
    /// English, sub-processor list, GDPR Art. 30 record, findings, matrix)
    #[command(long_about = report::ABOUT)]
    Report(report::ReportArgs),
    /// One diagram to stdout: the access graph, the country summary or one category
    Diagram {
        /// Model directory or .toml file
        model: PathBuf,
        /// access, countries or category:ID
        #[arg(long, value_parser = diagram::view_arg, default_value = "access")]
        view: diagram::ViewArg,
        /// svg needs Graphviz's `dot`; without it the DOT is written and the exit code is 2
        #[arg(long, value_enum, default_value_t = diagram::DiagramFormat::Dot)]
        format: diagram::DiagramFormat,
        #[command(flatten)]
        date: AsOf,
        /// Language of the labels
        #[arg(long, value_enum, default_value_t = diagram::LangArg::En)]
        lang: diagram::LangArg,
    },
    /// JSON Schema of the model files
    Schema,
    /// Create a commented starter model to edit (default folder: reachmap-model)
    Init(init::InitArgs),
    /// Draft model entries from a sub-processor list or fides manifests
    Import(import::ImportArgs),
}

#[derive(Debug, clap::Args)]
pub struct AsOf {
    /// Evaluation date (YYYY-MM-DD); default: the model's as_of, else today
    #[arg(long, value_name = "DATE", value_parser = date_arg)]
    pub as_of: Option<Date>,
}

pub(crate) fn date_arg(text: &str) -> Result<Date, String> {
    parse_date(text)
        .ok_or_else(|| format!("\"{text}\" is not a date; write YYYY-MM-DD, e.g. 2021-03-01"))
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CheckFormat {
    /// Text for people, one block per finding
    Human,
    /// {"findings": [...]}
    Json,
    /// SARIF 2.1.0, for code scanning
    Sarif,
    /// JUnit XML: a test case per rule, a failure per error finding
    Junit,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum MatrixFormat {
    Table,
    Md,
    Csv,
    Json,
}

/// What a command ends with.
pub enum Outcome {
    Ok,
    /// Error findings, or a difference.
    Findings,
    /// Bad model or bad command line; the message is already printed.
    Failed,
}

impl From<Outcome> for ExitCode {
    fn from(o: Outcome) -> ExitCode {
        ExitCode::from(match o {
            Outcome::Ok => 0,
            Outcome::Findings => 1,
            Outcome::Failed => 2,
        })
    }
}

/// Writes to stdout; a closed pipe (`reachmap matrix | head`) is not an error.
pub fn emit(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
}

/// Prints an error to stderr and returns [`Outcome::Failed`].
pub fn fail(message: impl std::fmt::Display) -> Outcome {
    eprintln!("error: {message}");
    Outcome::Failed
}

/// Loads a model or prints every diagnostic.
pub fn load(path: &Path) -> Result<Model, LoadError> {
    Model::load(path).inspect_err(|e| eprint!("{}", e.render()))
}

fn parse_country(text: &str) -> Result<CountryCode, Outcome> {
    CountryCode::parse(&text.to_uppercase())
        .filter(|_| text.len() == 2)
        .ok_or_else(|| {
            fail(format!(
                "\"{text}\" is not a country code; use two letters, e.g. CN"
            ))
        })
}

/// Runs the command line and returns the exit code.
pub fn main() -> ExitCode {
    if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        crate::progress::enable();
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    run(cli).into()
}

pub fn run(cli: Cli) -> Outcome {
    match cli.command {
        Command::Check {
            model,
            date,
            format,
            without,
        } => run_check(&model, date.as_of, format, &without),
        Command::Matrix {
            model,
            date,
            format,
            without,
        } => {
            let Ok(model) = load(&model) else {
                return Outcome::Failed;
            };
            let model = match without.apply(model) {
                Ok(m) => m,
                Err(o) => return o,
            };
            let evaluation =
                Evaluation::new(&model, date.as_of.unwrap_or_else(|| model.default_date()));
            let reach = evaluation.matrix();
            emit(&match format {
                MatrixFormat::Table => matrix::table(&evaluation, &reach),
                MatrixFormat::Md => matrix::markdown(&evaluation, &reach),
                MatrixFormat::Csv => matrix::csv(&evaluation, &reach),
                MatrixFormat::Json => matrix::json(&evaluation, &reach),
            });
            keep_until_exit(reach);
            keep_until_exit(evaluation);
            keep_until_exit(model);
            Outcome::Ok
        }
        Command::Explain {
            model,
            country,
            category,
            all_paths,
            date,
        } => {
            let country = match parse_country(&country) {
                Ok(c) => c,
                Err(o) => return o,
            };
            let Ok(model) = load(&model) else {
                return Outcome::Failed;
            };
            let known = crate::model::country::builtin().contains(country)
                || model.countries.iter().any(|c| c.code == country);
            if !known {
                return fail(format!(
                    "\"{country}\" is not a country code in the built-in table or the model's [[country]] entries"
                ));
            }
            let category = match category {
                None => None,
                Some(id) => match model.category_by_id(&id) {
                    Some(c) => Some(c),
                    None => {
                        let hint = crate::model::diag::suggest(
                            &id,
                            model.categories.iter().map(|c| c.id.as_str()),
                        )
                        .map(|s| format!("; did you mean \"{s}\"?"))
                        .unwrap_or_default();
                        return fail(format!("unknown category \"{id}\"{hint}"));
                    }
                },
            };
            let date = date.as_of.unwrap_or_else(|| model.default_date());
            // One category asked about: the search for it alone.
            let evaluation = match category {
                Some(c) => Evaluation::for_category(&model, date, c),
                None => Evaluation::for_pairs(&model, date),
            };
            emit(&explain::explain(&evaluation, country, category, all_paths));
            keep_until_exit(evaluation);
            keep_until_exit(model);
            Outcome::Ok
        }
        Command::Diff(args) => diff::run(args),
        Command::Timeline(args) => timeline::run(args),
        Command::Report(args) => report::run(args),
        Command::Diagram {
            model,
            view,
            format,
            date,
            lang,
        } => diagram::run(&model, &view, format, date.as_of, lang),
        Command::Schema => {
            emit(&crate::model::schema::render());
            Outcome::Ok
        }
        Command::Init(args) => init::run(args),
        Command::Import(args) => import::run(args),
    }
}

fn run_check(
    path: &Path,
    as_of: Option<Date>,
    format: CheckFormat,
    without: &without::Without,
) -> Outcome {
    let (findings, outcome, rules, policy_rules) = match Model::load(path) {
        Err(e) => {
            eprint!("{}", e.render());
            (check::load_findings(&e), Outcome::Failed, vec![], vec![])
        }
        Ok(model) => {
            let model = match without.apply(model) {
                Ok(m) => m,
                Err(o) => return o,
            };
            let evaluation = Evaluation::new(&model, as_of.unwrap_or_else(|| model.default_date()));
            let reach = evaluation.matrix();
            let findings = check::check(&evaluation, &reach);
            let outcome = if check::exit_code(&findings) == 1 {
                Outcome::Findings
            } else {
                Outcome::Ok
            };
            let policy_rules: Vec<(String, String)> = model
                .policies
                .iter()
                .map(|p| {
                    (
                        p.id.clone(),
                        p.message
                            .clone()
                            .unwrap_or_else(|| format!("policy {}", p.id)),
                    )
                })
                .collect();
            let rules = check::rules_run(&evaluation);
            keep_until_exit(reach);
            keep_until_exit(evaluation);
            keep_until_exit(model);
            (findings, outcome, rules, policy_rules)
        }
    };
    match format {
        // Load errors are already on stderr in human form.
        CheckFormat::Human if matches!(outcome, Outcome::Failed) => {}
        CheckFormat::Human => emit(&check::render_human(&findings)),
        CheckFormat::Json => emit(&check::render_json(&findings)),
        CheckFormat::Sarif => emit(&check::render_sarif(&findings, &policy_rules)),
        CheckFormat::Junit => emit(&check::render_junit(&findings, &rules)),
    }
    keep_until_exit(findings);
    outcome
}

/// Leaves a large value for the operating system to reclaim when the process
/// ends, instead of freeing it allocation by allocation: at a million rows,
/// freeing the model and findings took a tenth of a `check`.
fn keep_until_exit<T>(value: T) {
    std::mem::forget(value);
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_is_well_formed() {
        Cli::command().debug_assert();
    }
}
