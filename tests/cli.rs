//! Command-line cases as data (trycmd): `tests/cmd/<case>.toml` gives the
//! arguments, the working directory and the exit code; `<case>.stdout` and
//! `<case>.stderr` the exact output. Cases on the example model run in
//! `models/` (so paths read `nordlicht-crm/...`); small purpose-made models
//! live in `tests/cmd/small/`. The expected outputs were checked against the
//! matrix worked out by hand in `models/nordlicht-crm/README.md`.

#[test]
fn cli_cases() {
    trycmd::TestCases::new().case("tests/cmd/*.toml");
}
