//! The TOML loader on arbitrary bytes (seeded with the example models and
//! the broken-model corpus): it must never panic, what it says about a
//! broken file must be terminal-safe text, and a model that loads must
//! render safely in every format.

#![no_main]

#[path = "../../tests/support/outputs.rs"]
mod outputs;

use libfuzzer_sys::fuzz_target;
use reachmap::model::Model;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match Model::from_toml_str("fuzz.toml", &text) {
        Err(error) => outputs::expect_safe_load_error(&error),
        // A mutation that still loads goes through every renderer.
        Ok(model) => {
            let baseline = "2000-01-01".parse().expect("a date");
            outputs::expect_safe_outputs(&model, model.default_date(), baseline);
        }
    }
});
