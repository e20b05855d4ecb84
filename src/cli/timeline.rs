//! `reachmap timeline MODEL`: every date on which the reach changes.

use std::path::PathBuf;

use clap::ValueEnum;

use super::without::Without;
use super::{Outcome, date_arg, emit, fail, load};
use crate::diff::{render, timeline};
use crate::model::Date;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TimelineFormat {
    Md,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct TimelineArgs {
    /// Model directory or .toml file
    pub model: PathBuf,
    /// Only changes after this date (YYYY-MM-DD)
    #[arg(long, value_name = "DATE", value_parser = date_arg)]
    pub from: Option<Date>,
    /// Only changes up to and including this date (YYYY-MM-DD)
    #[arg(long, value_name = "DATE", value_parser = date_arg)]
    pub to: Option<Date>,
    #[arg(long, value_enum, default_value_t = TimelineFormat::Md)]
    pub format: TimelineFormat,
    #[command(flatten)]
    pub without: Without,
}

pub fn run(args: TimelineArgs) -> Outcome {
    if let (Some(from), Some(to)) = (args.from, args.to)
        && from > to
    {
        return fail(format!(
            "--from {from} is after --to {to}; give the earlier date to --from"
        ));
    }
    let Ok(model) = load(&args.model) else {
        return Outcome::Failed;
    };
    let model = match args.without.apply(model) {
        Ok(m) => m,
        Err(o) => return o,
    };
    let steps = timeline(&model, args.from, args.to);
    emit(&match args.format {
        TimelineFormat::Md => render::timeline_markdown(&model, args.from, args.to, &steps),
        TimelineFormat::Json => render::timeline_json(&model, args.from, args.to, &steps),
    });
    Outcome::Ok
}
