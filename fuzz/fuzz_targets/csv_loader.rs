//! The CSV loader on arbitrary bytes: the first byte picks the table, the
//! rest replaces it in a copy of the nordlicht-crm example model, so that
//! rows can name the example's ids and a mutated table often still loads.
//! It must never panic, its diagnostics must be terminal-safe text, and a
//! model that loads must render safely in every format.

#![no_main]

#[path = "../../tests/support/outputs.rs"]
mod outputs;

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use reachmap::model::Model;

/// Every table a model directory may hold, with the example's own contents.
const TABLES: [(&str, Option<&str>); 7] = [
    ("categories.csv", None),
    ("organisations.csv", None),
    (
        "systems.csv",
        Some(include_str!("../../models/nordlicht-crm/systems.csv")),
    ),
    (
        "flows.csv",
        Some(include_str!("../../models/nordlicht-crm/flows.csv")),
    ),
    (
        "access.csv",
        Some(include_str!("../../models/nordlicht-crm/access.csv")),
    ),
    (
        "contracts.csv",
        Some(include_str!("../../models/nordlicht-crm/contracts.csv")),
    ),
    ("policies.csv", None),
];

const TOML_FILES: [(&str, &str); 3] = [
    (
        "model.toml",
        include_str!("../../models/nordlicht-crm/model.toml"),
    ),
    (
        "organisations.toml",
        include_str!("../../models/nordlicht-crm/organisations.toml"),
    ),
    (
        "policies.toml",
        include_str!("../../models/nordlicht-crm/policies.toml"),
    ),
];

/// One copy of the example for the whole run (on a RAM disk where there is
/// one): a fresh one per input would cost more than the load.
fn workdir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let shm = std::path::Path::new("/dev/shm");
        let dir = if shm.is_dir() {
            tempfile::tempdir_in(shm)
        } else {
            tempfile::tempdir()
        }
        .expect("a temporary directory");
        let path = dir.keep();
        for (name, text) in TOML_FILES {
            std::fs::write(path.join(name), text).expect("the model is writable");
        }
        for (name, text) in TABLES {
            if let Some(text) = text {
                std::fs::write(path.join(name), text).expect("the model is writable");
            }
        }
        path
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, table)) = data.split_first() else {
        return;
    };
    let dir = workdir();
    let (name, original) = TABLES[pick as usize % TABLES.len()];
    let file = dir.join(name);
    std::fs::write(&file, table).expect("the table is writable");
    let loaded = Model::load(dir);
    match original {
        Some(text) => std::fs::write(&file, text).expect("the table is writable"),
        None => std::fs::remove_file(&file).expect("the table is removable"),
    }
    match loaded {
        Err(error) => outputs::expect_safe_load_error(&error),
        // A mutation that still loads goes through every renderer.
        Ok(model) => {
            let baseline = "2000-01-01".parse().expect("a date");
            outputs::expect_safe_outputs(&model, model.default_date(), baseline);
        }
    }
});
