//! Divan benchmarks of each phase on synthetic models (the generator's
//! output, seed 1), against the floor of a bare CSV parse and the plain
//! per-pair baseline. The README's 10k/100k/1M table comes from
//! `cargo run --release --example scale`; these are for quick comparisons
//! while working on one phase:
//!
//! ```text
//! cargo bench --bench scale
//! cargo bench --bench scale -- load
//! ```

use std::path::PathBuf;
use std::sync::OnceLock;

use divan::Bencher;
use reachmap::model::{CategoryIdx, Model};
use reachmap::reach::Evaluation;
use reachmap::reach::baseline::Baseline;
use reachmap::report::matrix;
use reachmap::synth::{self, Params};

// The allocator the `reachmap` binary uses, so that the numbers are its own.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

const SIZES: [usize; 2] = [10_000, 100_000];

/// The model directory for `rows`, written once per run.
fn model_dir(rows: usize) -> PathBuf {
    static DIRS: OnceLock<tempfile::TempDir> = OnceLock::new();
    let root = DIRS.get_or_init(|| tempfile::tempdir().expect("a temporary directory"));
    let dir = root.path().join(format!("rows-{rows}"));
    if !dir.join("access.csv").exists() {
        synth::write(&Params::scaled(rows, 1), &dir).expect("the generator writes");
    }
    dir
}

fn model(rows: usize) -> Model {
    Model::load(&model_dir(rows)).unwrap_or_else(|e| panic!("{}", e.render()))
}

/// Reading every table and splitting it into fields, nothing more.
#[divan::bench(args = SIZES, sample_count = 20)]
fn csv_floor(bencher: Bencher, rows: usize) {
    let dir = model_dir(rows);
    bencher.bench(|| {
        let mut fields = 0;
        for table in ["organisations", "systems", "flows", "access", "contracts"] {
            let bytes = std::fs::read(dir.join(format!("{table}.csv"))).expect("a table");
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(bytes.as_slice());
            let mut record = csv::ByteRecord::new();
            while reader.read_byte_record(&mut record).unwrap_or(false) {
                fields += record.len();
            }
        }
        fields
    });
}

#[divan::bench(args = SIZES, sample_count = 20)]
fn load(bencher: Bencher, rows: usize) {
    let dir = model_dir(rows);
    bencher.bench(|| Model::load(&dir).is_ok());
}

#[divan::bench(args = SIZES, sample_count = 20)]
fn evaluate(bencher: Bencher, rows: usize) {
    let model = model(rows);
    let date = model.default_date();
    bencher.bench(|| Evaluation::new(&model, date).active_accesses().len());
}

#[divan::bench(args = SIZES, sample_count = 20)]
fn witness_matrix(bencher: Bencher, rows: usize) {
    let model = model(rows);
    let evaluation = Evaluation::new(&model, model.default_date());
    bencher.bench(|| evaluation.matrix().len());
}

#[divan::bench(args = SIZES, sample_count = 20)]
fn write_json(bencher: Bencher, rows: usize) {
    let model = model(rows);
    let evaluation = Evaluation::new(&model, model.default_date());
    let reach = evaluation.matrix();
    bencher.bench(|| matrix::json(&evaluation, &reach).len());
}

/// One (country, category) pair from a loaded model, as `explain` does it:
/// evaluate, then every route of the pair. Against the baseline's one pair.
#[divan::bench(args = SIZES, sample_count = 20)]
fn one_pair_engine(bencher: Bencher, rows: usize) {
    let model = model(rows);
    let date = model.default_date();
    let country = model.systems[0].country;
    bencher.bench(|| {
        Evaluation::new(&model, date)
            .routes(country, CategoryIdx(0))
            .len()
    });
}

#[divan::bench(args = SIZES, sample_count = 20)]
fn one_pair_baseline(bencher: Bencher, rows: usize) {
    let model = model(rows);
    let baseline = Baseline::new(&model, model.default_date());
    let country = model.systems[0].country;
    bencher.bench(|| baseline.pair(country, CategoryIdx(0)).is_some());
}
