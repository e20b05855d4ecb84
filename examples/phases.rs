//! Times each phase of `matrix --format json` on a model: load, evaluate
//! (holdings), matrix (kinds and witness paths), render. For finding where
//! time goes; the benchmarks in `benches/` are the reference numbers.
//!
//! ```text
//! cargo run --release --example phases -- /tmp/synth-1000000 [ROUNDS]
//! ```
//!
//! `check`, its JSON and then its other formats are timed `ROUNDS` times
//! (default 1) and the fastest round is printed: on a shared machine the
//! minimum is the steadiest number.

use std::time::{Duration, Instant};

// The allocator the `reachmap` binary uses, so that the numbers are its own.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use reachmap::model::Model;
use reachmap::reach::Evaluation;
use reachmap::report::matrix;

/// CPU time of the whole process so far, user and system: steadier than
/// wall time on a busy machine.
fn cpu() -> Duration {
    // SAFETY: getrusage only writes the struct it is given.
    let usage = unsafe {
        let mut usage = std::mem::zeroed::<libc::rusage>();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    time(usage.ru_utime) + time(usage.ru_stime)
}

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: phases MODEL [ROUNDS]");
        std::process::exit(2);
    };
    let rounds: u32 = match std::env::args().nth(2).map(|r| r.parse()) {
        None => 1,
        Some(Ok(r)) if r > 0 => r,
        Some(_) => {
            eprintln!("ROUNDS must be a positive whole number");
            std::process::exit(2);
        }
    };
    let t = Instant::now();
    let model = match Model::load(path.as_ref()) {
        Ok(m) => m,
        Err(e) => {
            eprint!("{e}");
            std::process::exit(2);
        }
    };
    let load = t.elapsed();
    let load_cpu = cpu();
    let t = Instant::now();
    let evaluation = Evaluation::new(&model, model.default_date());
    let evaluate = t.elapsed();
    let t = Instant::now();
    let reach = evaluation.matrix();
    let witness = t.elapsed();
    let t = Instant::now();
    let json = matrix::json(&evaluation, &reach);
    let render = t.elapsed();
    println!("load_cpu {load_cpu:.2?}");
    println!(
        "load {load:.2?}  evaluate {evaluate:.2?}  matrix {witness:.2?}  render {render:.2?}  ({} pairs, {} bytes)",
        reach.len(),
        json.len()
    );
    let (mut check, mut render) = (Duration::MAX, Duration::MAX);
    let (mut findings, mut bytes) = (0, 0);
    for _ in 0..rounds {
        let t = Instant::now();
        let found = reachmap::check::check(&evaluation, &reach);
        check = check.min(t.elapsed());
        let t = Instant::now();
        let json = reachmap::check::render_json(&found);
        render = render.min(t.elapsed());
        (findings, bytes) = (found.len(), json.len());
    }
    println!("check {check:.2?}  render {render:.2?}  ({findings} findings, {bytes} bytes)");
    let found = reachmap::check::check(&evaluation, &reach);
    let rules = reachmap::check::rules_run(&evaluation);
    let (mut human, mut sarif, mut junit) = (Duration::MAX, Duration::MAX, Duration::MAX);
    for _ in 0..rounds {
        let t = Instant::now();
        let text = reachmap::check::render_human(&found);
        human = human.min(t.elapsed());
        drop(text);
        let t = Instant::now();
        let text = reachmap::check::render_sarif(&found, &[]);
        sarif = sarif.min(t.elapsed());
        drop(text);
        let t = Instant::now();
        let text = reachmap::check::render_junit(&found, &rules);
        junit = junit.min(t.elapsed());
        drop(text);
    }
    println!("check as human {human:.2?}  sarif {sarif:.2?}  junit {junit:.2?}");
}
