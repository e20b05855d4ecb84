//! Writes a deterministic synthetic model in CSV form, for scale runs.
//!
//! ```text
//! cargo run --release --example synth -- --rows 1000000 --seed 1 --out /tmp/synth-1m
//! cargo run --release -- matrix /tmp/synth-1m --format json > /dev/null
//! ```
//!
//! Every count can be set; unset ones scale with `--rows` as in the README's
//! targets (1,000,000 rows : 200,000 systems : 100,000 organisations, 64
//! categories, 100 countries).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use reachmap::synth::{self, Params};

#[derive(Parser)]
#[command(about = "Write a deterministic synthetic reachmap model (CSV form)")]
struct Args {
    /// Access plus flow rows
    #[arg(long, default_value_t = 10_000)]
    rows: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[arg(long)]
    systems: Option<usize>,
    #[arg(long)]
    organisations: Option<usize>,
    /// Up to 256
    #[arg(long, default_value_t = 64)]
    categories: usize,
    /// Up to 249
    #[arg(long, default_value_t = 100)]
    countries: usize,
    /// Share of flows pointing backwards (closing cycles), 0 to 1
    #[arg(long, default_value_t = 0.05)]
    cycle_density: f64,
    /// Share of rows with since/until, 0 to 1
    #[arg(long, default_value_t = 0.2)]
    windowed: f64,
    /// Output directory (created)
    #[arg(long)]
    out: PathBuf,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let mut params = Params::scaled(args.rows, args.seed);
    params.systems = args.systems.unwrap_or(params.systems);
    params.organisations = args.organisations.unwrap_or(params.organisations);
    params.categories = args.categories;
    params.countries = args.countries;
    params.cycle_density = args.cycle_density;
    params.windowed = args.windowed;
    match synth::write(&params, &args.out) {
        Ok(()) => {
            eprintln!("wrote {} rows to {}", args.rows, args.out.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", args.out.display());
            ExitCode::from(2)
        }
    }
}
