//! The scale table of the README: synthetic models of 10k, 100k and 1M
//! access and flow rows, two seeds, timed phase by phase against the floor of
//! a bare CSV parse and against a plain per-pair baseline.
//!
//! ```text
//! cargo run --release --example scale
//! cargo run --release --example scale -- --rows 10000,100000 --seeds 1 --sample 64
//! ```
//!
//! Models are written under `--dir` (kept between runs: delete it to
//! regenerate). The end-to-end commands run in a child process (this program
//! re-executes itself as the `reachmap` command line), so their wall time and
//! peak memory are those of a real run, output written to a file. Every other
//! phase is timed in this process. CPU time is user + system.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use clap::Parser;
use reachmap::model::{CategoryIdx, Model};
use reachmap::reach::baseline::Baseline;
use reachmap::reach::{Evaluation, Reach};
use reachmap::report::matrix;
use reachmap::synth::{self, Params};

mod plain;

// The allocator the `reachmap` binary uses, so that the numbers are its own.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(about = "Time reachmap on synthetic models and print the README's tables")]
struct Args {
    /// Access + flow rows of each model, comma-separated
    #[arg(long, value_delimiter = ',', default_values_t = [10_000, 100_000, 1_000_000])]
    rows: Vec<usize>,
    /// Generator seeds, comma-separated
    #[arg(long, value_delimiter = ',', default_values_t = [1, 2])]
    seeds: Vec<u64>,
    /// Where the models are written
    #[arg(long, default_value = "/tmp/reachmap-scale")]
    dir: PathBuf,
    /// (country, category) pairs the baseline is run on, evenly spread
    #[arg(long, default_value_t = 128)]
    sample: usize,
    /// Runs of each timed step; the fastest counts
    #[arg(long, default_value_t = 1)]
    repeat: usize,
    /// Internal: run the reachmap command line with these arguments
    #[arg(long, num_args = 1.., allow_hyphen_values = true, hide = true)]
    cli: Option<Vec<String>>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if let Some(cli) = args.cli {
        let parsed =
            reachmap::cli::Cli::parse_from(std::iter::once("reachmap".to_string()).chain(cli));
        let outcome = reachmap::cli::run(parsed);
        report_peak();
        return outcome.into();
    }
    let mut rows_out = Vec::new();
    for &seed in &args.seeds {
        for &rows in &args.rows {
            match measure(&args, rows, seed) {
                Ok(row) => rows_out.push(row),
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
            }
        }
    }
    print_tables(&rows_out);
    ExitCode::SUCCESS
}

/// Wall and CPU time of a step in this process.
#[derive(Clone, Copy, Default)]
struct Time {
    wall: Duration,
    cpu: Duration,
}

/// Wall, CPU and peak resident memory of a child process.
#[derive(Clone, Copy, Default)]
struct Run {
    time: Time,
    peak_kib: u64,
}

#[derive(Default)]
struct Row {
    seed: u64,
    rows: usize,
    systems: usize,
    organisations: usize,
    bytes: u64,
    floor: Time,
    plain: Time,
    load: Time,
    evaluate: Time,
    matrix: Time,
    write: Time,
    pairs: usize,
    end_to_end: Run,
    check: Run,
    explain: Run,
    explain_pair: String,
    baseline_setup: Time,
    baseline_sample: Time,
    sampled: usize,
    total_pairs: usize,
    equal: bool,
}

/// CPU time of this process so far (user + system), from /proc.
fn cpu_now() -> Duration {
    let stat = fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces): utime is the 12th, stime the 13th.
    let after = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<u64> = after
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|f| f.parse().ok())
        .collect();
    // Linux reports clock ticks of 1/100 s to user space.
    Duration::from_millis(fields.iter().sum::<u64>() * 10)
}

fn timed<T>(repeat: usize, mut f: impl FnMut() -> T) -> (T, Time) {
    let mut best: Option<(T, Time)> = None;
    for _ in 0..repeat.max(1) {
        let (wall, cpu) = (Instant::now(), cpu_now());
        let value = f();
        let time = Time {
            wall: wall.elapsed(),
            cpu: cpu_now().saturating_sub(cpu),
        };
        if best.as_ref().is_none_or(|(_, b)| time.wall < b.wall) {
            best = Some((value, time));
        }
    }
    best.expect("at least one run")
}

/// Where a child writes its peak memory.
const PEAK_FILE: &str = "REACHMAP_SCALE_PEAK_FILE";

/// Writes this process's peak resident memory (VmHWM, KiB) where the parent
/// asked. The child's own figure: `ru_maxrss` from `wait4` would include the
/// parent's, which survives fork and exec.
fn report_peak() {
    let Some(file) = std::env::var_os(PEAK_FILE) else {
        return;
    };
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    let peak = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .unwrap_or(0);
    let _ = fs::write(file, peak.to_string());
}

/// Runs this program as the command line in a child, stdout to `out`.
fn child(args: &[&str], out: &Path, repeat: usize) -> Result<Run, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut best: Option<Run> = None;
    for _ in 0..repeat.max(1) {
        let file = fs::File::create(out).map_err(|e| e.to_string())?;
        let peak_file = out.with_extension("peak");
        let start = Instant::now();
        let child = Command::new(&exe)
            .env(PEAK_FILE, &peak_file)
            .arg("--cli")
            .args(args)
            .stdout(file)
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| e.to_string())?;
        let mut status = 0;
        // wait4 rather than Child::wait: it also reports the child's CPU time.
        // SAFETY: an all-zero rusage is a valid value for wait4 to fill in.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: waits for our own child, once; std's Child is not waited on after this.
        let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
        let wall = start.elapsed();
        if pid < 0 {
            return Err("wait4 failed".into());
        }
        let exit = libc::WEXITSTATUS(status);
        if exit > 1 {
            return Err(format!("reachmap {} exited with {exit}", args.join(" ")));
        }
        let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
        let peak_kib = fs::read_to_string(&peak_file)
            .ok()
            .and_then(|p| p.trim().parse().ok())
            .ok_or("the child did not report its peak memory")?;
        let run = Run {
            time: Time {
                wall,
                cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
            },
            peak_kib,
        };
        if best.is_none_or(|b| run.time.wall < b.time.wall) {
            best = Some(run);
        }
    }
    Ok(best.expect("at least one run"))
}

/// The floor: reading every file and splitting every CSV record into fields,
/// with nothing checked or kept.
fn bare_parse(dir: &Path) -> usize {
    let mut fields = 0;
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    paths.sort();
    for path in paths {
        let Ok(bytes) = fs::read(&path) else { continue };
        if path.extension().is_some_and(|e| e == "csv") {
            let mut reader = csv::ReaderBuilder::new()
                .flexible(true)
                .has_headers(false)
                .from_reader(bytes.as_slice());
            let mut record = csv::ByteRecord::new();
            while reader.read_byte_record(&mut record).unwrap_or(false) {
                fields += record.len();
            }
        } else if path.extension().is_some_and(|e| e == "toml") {
            let text = String::from_utf8_lossy(&bytes);
            fields += text.parse::<toml::Table>().map(|t| t.len()).unwrap_or(0);
        }
    }
    fields
}

fn measure(args: &Args, rows: usize, seed: u64) -> Result<Row, String> {
    let params = Params::scaled(rows, seed);
    let dir = args.dir.join(format!("rows-{rows}-seed-{seed}"));
    if !dir.join("access.csv").exists() {
        eprintln!("writing {}", dir.display());
        synth::write(&params, &dir).map_err(|e| format!("cannot write {}: {e}", dir.display()))?;
    }
    eprintln!("measuring {} rows, seed {seed}", rows);
    let bytes = fs::read_dir(&dir)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    let mut row = Row {
        seed,
        rows,
        systems: params.systems,
        organisations: params.organisations,
        bytes,
        ..Row::default()
    };
    let (_, floor) = timed(args.repeat, || bare_parse(&dir));
    row.floor = floor;
    let (plain, plain_time) = timed(args.repeat, || plain::load(&dir));
    row.plain = plain_time;
    let (model, load) = timed(args.repeat, || Model::load(&dir));
    let model = model.map_err(|e| e.render())?;
    row.load = load;
    plain.agrees(&model)?;
    drop(plain);
    let date = model.default_date();
    let (evaluation, evaluate) = timed(args.repeat, || Evaluation::new(&model, date));
    row.evaluate = evaluate;
    let (reach, witness) = timed(args.repeat, || evaluation.matrix());
    row.matrix = witness;
    row.pairs = reach.len();
    let out = dir.with_extension("matrix.json");
    let (written, write) = timed(args.repeat, || {
        fs::write(&out, matrix::json(&evaluation, &reach))
    });
    written.map_err(|e| e.to_string())?;
    row.write = write;

    let model_arg = dir.to_string_lossy().into_owned();
    row.end_to_end = child(
        &["matrix", &model_arg, "--format", "json"],
        &out,
        args.repeat,
    )?;
    let check_out = dir.with_extension("check.json");
    row.check = child(
        &["check", &model_arg, "--format", "json"],
        &check_out,
        args.repeat,
    )?;
    let pick = &reach[reach.len() / 2];
    let country = pick.country.to_string();
    let category = model.category(pick.category).id.clone();
    row.explain_pair = format!("{country} × {category}");
    let explain_out = dir.with_extension("explain.txt");
    row.explain = child(
        &[
            "explain",
            &model_arg,
            "--country",
            &country,
            "--category",
            &category,
        ],
        &explain_out,
        args.repeat,
    )?;

    let (baseline, setup) = timed(1, || Baseline::new(&model, date));
    row.baseline_setup = setup;
    let countries = baseline.countries();
    let categories = model.categories.len();
    row.total_pairs = countries.len() * categories;
    let step = row.total_pairs.div_ceil(args.sample.max(1)).max(1);
    let sample: Vec<usize> = (0..row.total_pairs).step_by(step).collect();
    row.sampled = sample.len();
    let (answers, sample_time) = timed(1, || {
        sample
            .iter()
            .map(|&p| {
                let (k, c) = (p / categories, CategoryIdx((p % categories) as u32));
                (countries[k], c, baseline.pair(countries[k], c))
            })
            .collect::<Vec<_>>()
    });
    row.baseline_sample = sample_time;
    row.equal = answers.iter().all(|(country, c, plain)| {
        let engine = engine_pair(&model, &reach, *country, *c);
        engine == *plain
    });
    if !row.equal {
        return Err(format!(
            "the engine and the baseline disagree on {rows} rows, seed {seed}"
        ));
    }
    Ok(row)
}

/// The engine's answer for one pair, in the baseline's terms.
fn engine_pair(
    model: &Model,
    reach: &[Reach],
    country: reachmap::model::CountryCode,
    c: CategoryIdx,
) -> Option<reachmap::reach::reference::PlainReach> {
    let i = reach
        .binary_search_by(|r| (r.country, r.category).cmp(&(country, c)))
        .ok()?;
    let r = &reach[i];
    Some(reachmap::reach::reference::PlainReach {
        country: r.country.to_string(),
        category: model.category(r.category).id.clone(),
        kinds: r.kinds.iter().map(|k| k.as_str().to_string()).collect(),
        path: r.path.render(model),
    })
}

fn secs(d: Duration) -> String {
    if d < Duration::from_millis(10) {
        format!("{:.1} ms", d.as_secs_f64() * 1000.0)
    } else if d < Duration::from_secs(1) {
        format!("{:.0} ms", d.as_secs_f64() * 1000.0)
    } else {
        format!("{:.2} s", d.as_secs_f64())
    }
}

fn both(t: Time) -> String {
    format!("{} ({} cpu)", secs(t.wall), secs(t.cpu))
}

fn mib(kib: u64) -> String {
    format!("{:.0} MiB", kib as f64 / 1024.0)
}

fn print_tables(rows: &[Row]) {
    println!("### Phases (in process; wall, with CPU time in brackets)\n");
    println!(
        "| seed | rows | systems | orgs | files | CSV parse floor | plain load, no checks | plain / floor | load | load / floor | evaluate | matrix (witnesses) | write JSON |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let per_floor =
        |t: Time, floor: Time| t.wall.as_secs_f64() / floor.wall.as_secs_f64().max(1e-9);
    for r in rows {
        println!(
            "| {} | {} | {} | {} | {:.1} MB | {} | {} | {:.2}× | {} | {:.2}× | {} | {} | {} |",
            r.seed,
            r.rows,
            r.systems,
            r.organisations,
            r.bytes as f64 / 1e6,
            both(r.floor),
            both(r.plain),
            per_floor(r.plain, r.floor),
            both(r.load),
            per_floor(r.load, r.floor),
            both(r.evaluate),
            both(r.matrix),
            both(r.write),
        );
    }
    println!("\n### Commands end to end (child process; wall, CPU, peak memory)\n");
    println!(
        "| seed | rows | pairs | `matrix --format json` | peak | `check --format json` | peak | `explain` one pair | peak |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} ({}) | {} |",
            r.seed,
            r.rows,
            r.pairs,
            both(r.end_to_end.time),
            mib(r.end_to_end.peak_kib),
            both(r.check.time),
            mib(r.check.peak_kib),
            both(r.explain.time),
            r.explain_pair,
            mib(r.explain.peak_kib),
        );
    }
    println!(
        "\n### Baseline: plain per-pair search (`reach::baseline`), sampled and extrapolated\n"
    );
    println!(
        "| seed | rows | pairs sampled / all | baseline on sample | baseline, all pairs (extrapolated) | engine: evaluate + matrix | speedup | same answers on sample |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|:---:|");
    for r in rows {
        let per_pair = r.baseline_sample.wall.as_secs_f64() / r.sampled.max(1) as f64;
        let all = r.baseline_setup.wall.as_secs_f64() + per_pair * r.total_pairs as f64;
        let engine = (r.evaluate.wall + r.matrix.wall).as_secs_f64();
        println!(
            "| {} | {} | {} / {} | {} | {} | {} | {:.0}× | {} |",
            r.seed,
            r.rows,
            r.sampled,
            r.total_pairs,
            secs(r.baseline_sample.wall),
            secs(Duration::from_secs_f64(all)),
            secs(Duration::from_secs_f64(engine)),
            all / engine.max(1e-9),
            if r.equal { "yes" } else { "no" },
        );
    }
}
