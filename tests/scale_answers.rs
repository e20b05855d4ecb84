//! The engine's answers on synthetic models against two independent plain
//! implementations: `reach::reference` (searches afresh for every pair, with
//! strings) and `reach::baseline` (the scale benchmark's per-pair search).
//! The models are small enough for the reference to finish, and shaped like
//! the scale targets: cycles, windows, masks on flows and accesses, more
//! than one word of categories.

use reachmap::model::{CategoryIdx, Model};
use reachmap::reach::Evaluation;
use reachmap::reach::baseline::Baseline;
use reachmap::reach::reference::{self, PlainReach};
use reachmap::synth::{self, Params};

fn model(params: &Params) -> (tempfile::TempDir, Model) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    synth::write(params, dir.path()).expect("the generator writes");
    let model = Model::load(dir.path()).unwrap_or_else(|e| panic!("{}", e.render()));
    (dir, model)
}

fn engine(model: &Model, evaluation: &Evaluation) -> Vec<PlainReach> {
    evaluation
        .matrix()
        .into_iter()
        .map(|r| PlainReach {
            country: r.country.to_string(),
            category: model.category(r.category).id.clone(),
            kinds: r.kinds.iter().map(|k| k.as_str().to_string()).collect(),
            path: r.path.render(model),
        })
        .collect()
}

fn shapes(seed: u64) -> Vec<Params> {
    let mut small = Params::scaled(200, seed);
    small.systems = 40;
    small.organisations = 20;
    small.categories = 20;
    small.countries = 12;
    // Many backward flows: large cycles; many windows: dates matter.
    let mut tangled = small.clone();
    tangled.cycle_density = 0.4;
    tangled.windowed = 0.5;
    // More categories than one machine word, so blocks of categories meet.
    let mut wide = small.clone();
    wide.categories = 100;
    wide.rows = 120;
    vec![small, tangled, wide]
}

#[test]
fn engine_equals_the_reference_on_synthetic_models() {
    for seed in [1, 2] {
        for params in shapes(seed) {
            let (_dir, model) = model(&params);
            for date in ["2016-06-01", "2021-03-01"] {
                let date = reachmap::model::parse_date(date).unwrap();
                let plain = reference::matrix(&model, date);
                assert!(
                    !plain.is_empty(),
                    "seed {seed}: the model reaches something"
                );
                // One thread, as `Evaluation::new` has it on models this
                // small, and the split that big models get.
                for threads in [1, 2] {
                    let evaluation = Evaluation::with_threads(&model, date, threads);
                    let mine = engine(&model, &evaluation);
                    assert_eq!(
                        mine, plain,
                        "seed {seed}, {params:?}, {date}, {threads} threads"
                    );
                }
            }
        }
    }
}

#[test]
fn engine_equals_the_baseline_on_every_pair() {
    for seed in [1, 2] {
        for params in shapes(seed) {
            let (_dir, model) = model(&params);
            let date = model.default_date();
            let evaluation = Evaluation::new(&model, date);
            let baseline = Baseline::new(&model, date);
            let mut plain = Vec::new();
            for country in baseline.countries() {
                for c in 0..model.categories.len() {
                    plain.extend(baseline.pair(country, CategoryIdx(c as u32)));
                }
            }
            assert_eq!(
                engine(&model, &evaluation),
                plain,
                "seed {seed}, {params:?}"
            );
        }
    }
}
