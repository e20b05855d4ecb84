//! The Nordlicht CRM example model against the answers worked out by hand in
//! `models/nordlicht-crm/README.md` (the reasoning is there, entry point by
//! entry point).

use std::path::Path;

use reachmap::check;
use reachmap::model::{Model, Severity, parse_date};
use reachmap::reach::{Evaluation, MatrixDoc};

fn load() -> Model {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/nordlicht-crm");
    Model::load(&dir).unwrap_or_else(|e| panic!("{e}"))
}

/// `country | category | kinds | path` lines, as in the README table.
const EXPECTED_2024_06_01: &str = "
CH | crm | stored | system:backup system:crm-db
CH | crm.contact | stored | system:backup system:crm-db
CH | crm.notes | stored | system:backup system:crm-db
CH | support.ticket | stored | system:backup system:crm-db system:tickets
CH | tenant.admin | stored | system:backup system:crm-db
DE | crm | accessed stored | org:nordlicht system:crm-db
DE | crm.contact | accessed stored | org:nordlicht system:crm-db
DE | crm.notes | accessed stored | org:nordlicht system:crm-db
DE | support.ticket | accessed stored | org:nordlicht system:crm-db system:tickets
DE | tenant.admin | accessed operated stored | org:nordlicht system:crm-db
DE | tenant.billing | operated stored | org:nordlicht system:billing
IE | crm | operated | org:stratus-eu system:crm-db
IE | crm.contact | operated | org:stratus-eu system:crm-db
IE | crm.notes | operated | org:stratus-eu system:crm-db
IE | support.ticket | operated | org:stratus-eu system:crm-db system:tickets
IE | tenant.admin | operated | org:stratus-eu system:crm-db
IN | crm.contact | seat | org:sahayak system:tickets system:crm-db
IN | support.attachment | seat | org:sahayak system:tickets
IN | support.ticket | accessed seat | org:sahayak system:tickets
IN | tenant.admin | accessed | org:sahayak system:tickets system:crm-db
NL | crm.contact | operated stored | org:deskly system:tickets system:crm-db
NL | support.attachment | operated stored | org:deskly system:tickets
NL | support.ticket | operated stored | org:deskly system:tickets
NL | tenant.admin | operated stored | org:deskly system:tickets system:crm-db
PH | crm.contact | accessed | org:sahayak system:tickets system:crm-db
PH | support.attachment | accessed | org:sahayak system:tickets
PH | support.ticket | accessed | org:sahayak system:tickets
US | crm | accessed | org:nordlicht-us system:crm-db
US | crm.contact | accessed | org:nordlicht-us system:crm-db
US | crm.notes | accessed | org:nordlicht-us system:crm-db
US | tenant.admin | accessed operated stored | org:metricly system:warehouse system:crm-db
US | usage.telemetry | accessed operated stored | org:metricly system:warehouse
";

fn rendered(model: &Model, on: &str) -> Vec<String> {
    let evaluation = Evaluation::new(model, parse_date(on).unwrap());
    let reach = evaluation.matrix();
    MatrixDoc::new(&evaluation, &reach)
        .reach
        .iter()
        .map(|r| {
            let kinds: Vec<&str> = r.kinds.iter().map(|k| k.as_str()).collect();
            format!(
                "{} | {} | {} | {}",
                r.country,
                r.category,
                kinds.join(" "),
                r.path.join(" ")
            )
        })
        .collect()
}

#[test]
fn matrix_on_the_default_date_is_the_hand_worked_one() {
    let model = load();
    assert_eq!(model.default_date(), parse_date("2024-06-01").unwrap());
    let expected: Vec<&str> = EXPECTED_2024_06_01.trim().lines().collect();
    assert_eq!(rendered(&model, "2024-06-01"), expected);
}

#[test]
fn the_engine_agrees_with_the_reference_on_every_interesting_date() {
    let model = load();
    for on in [
        "2023-04-30",
        "2023-05-01",
        "2023-06-01",
        "2023-07-01",
        "2024-02-01",
        "2024-06-01",
    ] {
        let date = parse_date(on).unwrap();
        let evaluation = Evaluation::new(&model, date);
        let reach = evaluation.matrix();
        let doc = MatrixDoc::new(&evaluation, &reach);
        let engine: Vec<(String, String, Vec<String>, Vec<String>)> = doc
            .reach
            .into_iter()
            .map(|r| {
                let kinds = r.kinds.iter().map(|k| k.as_str().to_string()).collect();
                (r.country, r.category, kinds, r.path)
            })
            .collect();
        let plain: Vec<_> = reachmap::reach::reference::matrix(&model, date)
            .into_iter()
            .map(|r| (r.country, r.category, r.kinds, r.path))
            .collect();
        assert_eq!(engine, plain, "on {on}");
    }
}

/// README, "Expected findings on 2024-06-01".
#[test]
fn findings_on_the_default_date() {
    let model = load();
    let evaluation = Evaluation::new(&model, model.default_date());
    let reach = evaluation.matrix();
    let findings = check::check(&evaluation, &reach);
    let summary: Vec<(&str, Severity, Option<&str>, Option<&str>)> = findings
        .iter()
        .map(|f| {
            (
                f.rule.as_str(),
                f.severity,
                f.country.as_deref(),
                f.org.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("notes-stay-in-europe", Severity::Error, Some("US"), None),
            (
                "uncontracted-access",
                Severity::Error,
                Some("US"),
                Some("metricly")
            ),
            ("undisclosed-country", Severity::Error, Some("PH"), None),
            (
                "attachments-not-offshore",
                Severity::Warning,
                Some("PH"),
                None
            ),
        ]
    );
    assert!(
        findings[2]
            .message
            .contains("3 categories (crm.contact, support.attachment, support.ticket)")
    );
    assert_eq!(check::exit_code(&findings), 1);
}

/// README, "Other dates": the migration month's tie and 2024-02-01.
#[test]
fn other_dates() {
    let model = load();
    // crm-db and crm-legacy both hold crm.contact one step above tickets;
    // system:crm-db < system:crm-legacy.
    let june = rendered(&model, "2023-06-01");
    assert!(june.contains(
        &"NL | crm.contact | operated stored | org:deskly system:tickets system:crm-db".to_string()
    ));
    assert!(june.contains(
        &"US | crm.notes | accessed operated stored | org:nordlicht-us system:crm-db".to_string()
    ));
    assert!(
        !june
            .iter()
            .any(|r| r.starts_with("IN") || r.starts_with("PH"))
    );
    let evaluation = Evaluation::new(&model, parse_date("2023-06-01").unwrap());
    let reach = evaluation.matrix();
    let rules: Vec<String> = check::check(&evaluation, &reach)
        .into_iter()
        .map(|f| f.rule)
        .collect();
    assert_eq!(rules, ["notes-stay-in-europe"]);

    let february = rendered(&model, "2024-02-01");
    let india: Vec<&String> = february.iter().filter(|r| r.starts_with("IN")).collect();
    assert_eq!(
        india,
        [
            "IN | support.ticket | accessed | org:sahayak system:tickets",
            "IN | tenant.admin | accessed | org:sahayak system:tickets system:crm-db",
        ]
    );
    assert!(!february.iter().any(|r| r.starts_with("PH")));
}

/// The `[[country]]` override reaches the country facts.
#[test]
fn the_country_override_applies() {
    let model = load();
    let india = reachmap::model::CountryCode::parse("IN").unwrap();
    let info = model.country_info(india, model.default_date());
    assert!(
        info.model_note
            .unwrap()
            .starts_with("Digital Personal Data Protection Act 2023")
    );
    assert_eq!(info.name, "India");
}
