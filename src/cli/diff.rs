//! `reachmap diff BEFORE AFTER`: what a change adds to and removes from the reach.

use std::path::{Path, PathBuf};

use clap::ValueEnum;

use super::without::Without;
use super::{Outcome, date_arg, emit, load};
use crate::diff::{Diff, render};
use crate::model::Date;
use crate::reach::Evaluation;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DiffFormat {
    Md,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The model before the change (directory or .toml file)
    pub before: PathBuf,
    /// The model after the change; the same path as BEFORE compares two dates
    pub after: PathBuf,
    /// Evaluation date of BEFORE (YYYY-MM-DD); default: BEFORE's as_of, else today
    #[arg(long, value_name = "DATE", value_parser = date_arg)]
    pub as_of: Option<Date>,
    /// Evaluation date of AFTER (YYYY-MM-DD); default: AFTER's as_of, else today
    #[arg(long, value_name = "DATE", value_parser = date_arg)]
    pub as_of_after: Option<Date>,
    #[arg(long, value_enum, default_value_t = DiffFormat::Md)]
    pub format: DiffFormat,
    /// Exit with 1 when the reach differs; entries that differ without
    /// changing the reach (a contract, a purpose) do not count
    #[arg(long)]
    pub exit_code: bool,
    #[command(flatten)]
    pub without: Without,
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

pub fn run(args: DiffArgs) -> Outcome {
    let Ok(before) = load(&args.before) else {
        return Outcome::Failed;
    };
    // One model at two dates is loaded once, so its problems print once.
    let after = if same_file(&args.before, &args.after) {
        before.clone()
    } else {
        let Ok(after) = load(&args.after) else {
            return Outcome::Failed;
        };
        after
    };
    let after = match args.without.apply(after) {
        Ok(m) => m,
        Err(o) => return o,
    };
    let old = Evaluation::new(&before, args.as_of.unwrap_or_else(|| before.default_date()));
    let new = Evaluation::new(
        &after,
        args.as_of_after.unwrap_or_else(|| after.default_date()),
    );
    let diff = Diff::between(&old, &new);
    emit(&match args.format {
        DiffFormat::Md => render::markdown(&diff),
        DiffFormat::Json => render::json(&diff),
    });
    if args.exit_code && diff.reach_differs() {
        Outcome::Findings
    } else {
        Outcome::Ok
    }
}
