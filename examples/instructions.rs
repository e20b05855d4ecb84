//! Instruction counts of `explain`, `matrix` and `check` on a fixed synthetic
//! model, counted by valgrind and compared with the budget committed in
//! `benches/instructions.txt`: a regression check that a busy machine cannot
//! blur, as it blurs wall time. The same binary on the same input executes the
//! same instructions whatever else the machine is doing.
//!
//! ```text
//! cargo run --release --example instructions              # count and compare
//! cargo run --release --example instructions -- --update  # write the budget
//! ```
//!
//! The model (60,000 rows by default) is large enough that the loader and the
//! evaluation take their two-thread paths. Counts vary by a few tenths of a
//! percent from run to run (how the threads share the work); the tolerance is
//! 3%, which also covers a C library choosing other string routines on
//! another CPU.
//!
//! Exit status: 0 within budget, 1 when a command exceeds its budget by more
//! than `--tolerance` percent, 2 when the counts cannot be taken (no valgrind,
//! a debug build, a command that fails).

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use clap::Parser;
use reachmap::synth::{self, Params};

// The allocator the `reachmap` binary uses, so that the counts are its own.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(about = "Count reachmap's instructions under valgrind and compare them with the budget")]
struct Args {
    /// Access + flow rows of the synthetic model (seed 1)
    #[arg(long, default_value_t = 60_000)]
    rows: usize,
    /// The budget file
    #[arg(long, default_value = "benches/instructions.txt")]
    budget: PathBuf,
    /// How far above its budget a count may be, in percent
    #[arg(long, default_value_t = 3.0)]
    tolerance: f64,
    /// Write the counts as the new budget instead of comparing
    #[arg(long)]
    update: bool,
    /// Internal: run the reachmap command line with these arguments
    #[arg(long, num_args = 1.., allow_hyphen_values = true, hide = true)]
    cli: Option<Vec<String>>,
}

/// The commands counted, by name; `DIR` stands for the model.
const COMMANDS: &[(&str, &[&str])] = &[
    (
        "explain",
        &["explain", "DIR", "--country", "CN", "--category", "g00"],
    ),
    ("matrix", &["matrix", "DIR", "--format", "json"]),
    ("check", &["check", "DIR", "--format", "json"]),
];

fn main() -> ExitCode {
    let args = Args::parse();
    if let Some(cli) = args.cli {
        let parsed =
            reachmap::cli::Cli::parse_from(std::iter::once("reachmap".to_string()).chain(cli));
        return reachmap::cli::run(parsed).into();
    }
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// Counts, compares and prints; `Ok(false)` when over budget.
fn run(args: &Args) -> Result<bool, String> {
    if cfg!(debug_assertions) {
        return Err("the counts are of optimised code: run with --release".into());
    }
    let version = Command::new("valgrind").arg("--version").output();
    if !version.is_ok_and(|v| v.status.success()) {
        return Err("valgrind is not installed (on Debian: apt-get install valgrind)".into());
    }
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    synth::write(&Params::scaled(args.rows, 1), dir.path()).map_err(|e| e.to_string())?;
    let mut counts = Vec::new();
    for &(name, command) in COMMANDS {
        eprintln!("counting {name}");
        counts.push((name, count(command, dir.path())?));
    }
    let header = format!(
        "# Instructions of reachmap on the synthetic model of {} rows, seed 1, counted by\n\
         # `cargo run --release --example instructions` (valgrind's cachegrind);\n\
         # `-- --update` rewrites this file.\n",
        args.rows
    );
    if args.update {
        let mut text = header;
        for (name, n) in &counts {
            let _ = writeln!(text, "{name} {n}");
        }
        fs::write(&args.budget, text)
            .map_err(|e| format!("cannot write {}: {e}", args.budget.display()))?;
        println!("wrote {}", args.budget.display());
        return Ok(true);
    }
    let text = fs::read_to_string(&args.budget)
        .map_err(|e| format!("cannot read {}: {e}", args.budget.display()))?;
    let budget = parse_budget(&text, &args.budget)?;
    if !text.contains(&format!("{} rows,", args.rows)) {
        return Err(format!(
            "{} is not for a model of {} rows",
            args.budget.display(),
            args.rows
        ));
    }
    let (table, within) = compare(&counts, &budget, args.tolerance)?;
    print!("{table}");
    Ok(within)
}

/// Runs the command line on the model under cachegrind and returns its
/// instruction count.
fn count(command: &[&str], dir: &Path) -> Result<u64, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let args: Vec<&str> = command
        .iter()
        .map(|&a| {
            if a == "DIR" {
                dir.to_str().unwrap_or(a)
            } else {
                a
            }
        })
        .collect();
    let output = Command::new("valgrind")
        .args([
            "--tool=cachegrind",
            "--cache-sim=no",
            "--cachegrind-out-file=/dev/null",
        ])
        .arg(&exe)
        .arg("--cli")
        .args(&args)
        .stdout(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run valgrind: {e}"))?;
    // 1 is a command's findings (`check`); 2 and up a failure.
    if !matches!(output.status.code(), Some(0 | 1)) {
        return Err(format!(
            "reachmap {} failed under valgrind:\n{}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    instructions(&String::from_utf8_lossy(&output.stderr))
        .ok_or_else(|| "valgrind printed no instruction count".to_string())
}

/// The total from cachegrind's summary line, `==PID== I refs: 1,234,567`.
fn instructions(stderr: &str) -> Option<u64> {
    let line = stderr
        .lines()
        .find(|l| l.contains("I refs:") || l.contains("I   refs:"))?;
    let digits: String = line
        .split("refs:")
        .nth(1)?
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// `name count` per line; `#` starts a comment.
fn parse_budget(text: &str, path: &Path) -> Result<Vec<(String, u64)>, String> {
    let mut budget = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let mut words = line.split_whitespace();
        match (
            words.next(),
            words.next().map(str::parse::<u64>),
            words.next(),
        ) {
            (Some(name), Some(Ok(n)), None) => budget.push((name.to_string(), n)),
            _ => {
                return Err(format!(
                    "{}:{}: expected `command count`, found `{line}`",
                    path.display(),
                    i + 1
                ));
            }
        }
    }
    Ok(budget)
}

/// The comparison as a table, and whether every count is within
/// `tolerance` percent above its budget.
fn compare(
    counts: &[(&str, u64)],
    budget: &[(String, u64)],
    tolerance: f64,
) -> Result<(String, bool), String> {
    let mut table =
        String::from("| command | budget | counted | change | |\n|---|---:|---:|---:|---|\n");
    let mut within = true;
    for &(name, n) in counts {
        let Some(&(_, limit)) = budget.iter().find(|(b, _)| b == name) else {
            return Err(format!("the budget has no line for `{name}`"));
        };
        // In hundredths of a percent, counted exactly.
        let basis = (i128::from(n) - i128::from(limit)) * 10_000 / i128::from(limit.max(1));
        let allowed = (tolerance * 100.0).round() as i128;
        let change = basis as f64 / 100.0;
        let verdict = if basis > allowed {
            within = false;
            "over budget"
        } else if basis < -allowed {
            "below budget: `-- --update` locks it in"
        } else {
            "ok"
        };
        let _ = writeln!(
            table,
            "| {name} | {limit} | {n} | {change:+.2}% | {verdict} |"
        );
    }
    Ok((table, within))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cachegrinds_summary() {
        let stderr = "==7== Cachegrind, a high-precision tracing profiler\n==7== \n==7== I   refs:      541,428,342\n";
        assert_eq!(instructions(stderr), Some(541_428_342));
        assert_eq!(instructions("==7== I refs: 12\n"), Some(12));
        assert_eq!(instructions("nothing here"), None);
    }

    #[test]
    fn over_budget_beyond_the_tolerance_only() {
        let budget = vec![("explain".to_string(), 1000), ("check".to_string(), 1000)];
        let (_, within) = compare(&[("explain", 1020), ("check", 900)], &budget, 2.0).unwrap();
        assert!(within);
        let (table, within) = compare(&[("explain", 1021), ("check", 1000)], &budget, 2.0).unwrap();
        assert!(!within);
        assert!(table.contains("| explain | 1000 | 1021 | +2.10% | over budget |"));
        assert!(compare(&[("matrix", 1)], &budget, 2.0).is_err());
    }

    #[test]
    fn budget_lines_are_checked() {
        let path = Path::new("b.txt");
        let text = "# comment\nexplain 12 # trailing\n\ncheck 7\n";
        assert_eq!(
            parse_budget(text, path).unwrap(),
            [("explain".to_string(), 12), ("check".to_string(), 7)]
        );
        let err = parse_budget("explain twelve\n", path).unwrap_err();
        assert_eq!(
            err,
            "b.txt:1: expected `command count`, found `explain twelve`"
        );
        assert!(parse_budget("explain 1 2\n", path).is_err());
    }
}
