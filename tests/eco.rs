//! The ecosystem commands end to end: `init`, `check --format junit`,
//! `import sub-processors` and `import fides`, and their refusals (exit 2).
//! Expected values are worked out by hand in the comments.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use reachmap::model::Model;
use reachmap::reach::Evaluation;

fn reachmap(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_reachmap"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("UTF-8 stdout")
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("UTF-8 stderr")
}

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path)
}

/// The matrix as (country, category, kinds, path) rows.
fn matrix(model: &Model, date: &str) -> Vec<(String, String, String, String)> {
    let evaluation = Evaluation::new(model, date.parse().expect("a date"));
    evaluation
        .matrix()
        .iter()
        .map(|r| {
            (
                r.country.to_string(),
                model.category(r.category).id.clone(),
                r.kinds
                    .iter()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
                r.path.render(model).join(" "),
            )
        })
        .collect()
}

fn row(country: &str, category: &str, kinds: &str, path: &str) -> (String, String, String, String) {
    (country.into(), category.into(), kinds.into(), path.into())
}

// ---------------------------------------------------------------- init

#[test]
fn init_writes_a_starter_model_that_checks_cleanly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = reachmap(&["init"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let model_dir = dir.path().join("reachmap-model");
    let text = std::fs::read_to_string(model_dir.join("model.toml")).expect("model.toml");
    assert!(text.starts_with("#:schema ./model.schema.json\n"));
    let schema = std::fs::read_to_string(model_dir.join("model.schema.json")).expect("schema");
    assert_eq!(schema, reachmap::model::schema::render());

    // The template has no dated entry in the future of 2024-04-01 onwards,
    // so any later date gives the same, clean result.
    let check = reachmap(
        &["check", "reachmap-model", "--as-of", "2025-01-01"],
        dir.path(),
    );
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
    assert_eq!(stdout(&check), "ok: 0 errors, 0 warnings, 0 notes\n");

    // What the template teaches, worked out from its entries: shop-db (JP)
    // holds both categories; the backup in the US receives contact details
    // by a flow; Cloud Co (US) runs the backup and reads shop-db's contact
    // details from the US.
    let model = Model::load(&model_dir).expect("the starter model loads");
    assert_eq!(
        matrix(&model, "2025-01-01"),
        vec![
            row(
                "JP",
                "customer.contact",
                "operated,stored",
                "org:example-shop system:shop-db"
            ),
            row(
                "JP",
                "customer.payment",
                "operated,stored",
                "org:example-shop system:shop-db"
            ),
            row(
                "US",
                "customer.contact",
                "accessed,operated,stored",
                "org:cloud-co system:shop-db"
            ),
        ]
    );
}

#[test]
fn init_refuses_to_overwrite_unless_forced() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("mine");
    std::fs::create_dir(&target).expect("dir");
    std::fs::write(target.join("model.toml"), "# my own work\n").expect("write");

    let out = reachmap(&["init", "mine"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("mine/model.toml already exists; pass --force to overwrite it"),
        "{}",
        stderr(&out)
    );
    // Nothing was written: neither the model nor the schema beside it.
    assert_eq!(
        std::fs::read_to_string(target.join("model.toml")).unwrap(),
        "# my own work\n"
    );
    assert!(!target.join("model.schema.json").exists());

    let forced = reachmap(&["init", "mine", "--force"], dir.path());
    assert_eq!(forced.status.code(), Some(0), "{}", stderr(&forced));
    assert_eq!(
        std::fs::read_to_string(target.join("model.toml")).unwrap(),
        include_str!("../templates/init/model.toml")
    );
}

// ---------------------------------------------------------------- junit

/// One controller in the US running a system that holds `c`; three
/// policies: `no-us` (error, violated by US operated+stored), `later` (not in
/// force on 2024-04-01), `soft` (warning, violated the same way). Messages
/// and names carry `]]>`, `<` and `&` to break naive XML.
const HOSTILE: &str = r#"[model]
name = "Hostile <model>"
home = "JP"
as_of = 2024-04-01

[[category]]
id = "c"
name = "C ]]> <x>"

[[organisation]]
id = "o"
name = "O"
country = "US"
role = "controller"

[[system]]
id = "s"
name = "S"
country = "US"
operator = "o"
holds = ["c"]

[[policy]]
id = "no-us"
categories = ["c"]
deny_countries = ["US"]
message = "Keep ]]> & <data> home"

[[policy]]
id = "later"
categories = ["c"]
deny_countries = ["CN"]
since = 2030-01-01

[[policy]]
id = "soft"
categories = ["c"]
deny_countries = ["US"]
severity = "warning"
"#;

#[test]
fn junit_has_a_case_per_rule_and_survives_hostile_text() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("hostile.toml"), HOSTILE).expect("write");
    let out = reachmap(&["check", "hostile.toml", "--format", "junit"], dir.path());
    assert_eq!(out.status.code(), Some(1), "an error finding exits 1");
    let xml = stdout(&out);
    // Same model, same bytes.
    let again = reachmap(&["check", "hostile.toml", "--format", "junit"], dir.path());
    assert_eq!(stdout(&again), xml);
    // No user text reaches the XML unescaped.
    assert!(!xml.contains("]]>") && !xml.contains("<data>") && !xml.contains("<x>"));

    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .expect("a testsuite");
    assert_eq!(suite.attribute("name"), Some("reachmap"));
    // 6 built-in rules + 3 policies; one failing case; `later` skipped.
    assert_eq!(suite.attribute("tests"), Some("9"));
    assert_eq!(suite.attribute("failures"), Some("1"));
    assert_eq!(suite.attribute("skipped"), Some("1"));
    let cases: Vec<roxmltree::Node> = suite
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    let names: Vec<&str> = cases.iter().filter_map(|c| c.attribute("name")).collect();
    assert_eq!(
        names,
        [
            "access-reads-nothing",
            "idle-system",
            "uncontracted-access",
            "undisclosed-country",
            "unreferenced-organisation",
            "unused-category",
            "later",
            "no-us",
            "soft"
        ]
    );
    let case = |name: &str| {
        *cases
            .iter()
            .find(|c| c.attribute("name") == Some(name))
            .unwrap()
    };

    let failures: Vec<roxmltree::Node> = case("no-us")
        .children()
        .filter(|n| n.has_tag_name("failure"))
        .collect();
    assert_eq!(failures.len(), 1);
    // The policy message, then "<country label> reaches <category label>
    // (<kinds>)" as check words it; the location is the [[policy]] line.
    let message =
        "Keep ]]> & <data> home: United States (US) reaches C ]]> <x> (c) (operated, stored)";
    assert_eq!(failures[0].attribute("message"), Some(message));
    let policy_line = HOSTILE[..HOSTILE.find("[[policy]]\nid = \"no-us\"").unwrap()]
        .lines()
        .count()
        + 1;
    assert_eq!(
        failures[0].text(),
        Some(
            format!(
                "error[no-us]: {message}\n  --> hostile.toml:{policy_line}\n  = path: org:o → system:s\n  = help: end or restrict the path shown, or change the policy if the reach is intended\n"
            )
            .as_str()
        )
    );

    let soft = case("soft");
    assert!(soft.children().all(|n| !n.has_tag_name("failure")));
    let out_text = soft
        .children()
        .find(|n| n.has_tag_name("system-out"))
        .and_then(|n| n.text())
        .expect("warnings go to system-out");
    assert!(out_text.starts_with("warning[soft]: policy soft is violated: United States (US)"));

    let skipped = case("later")
        .children()
        .find(|n| n.has_tag_name("skipped"))
        .expect("skipped");
    assert_eq!(
        skipped.attribute("message"),
        Some("policy not in force on 2024-04-01")
    );
    for passing in ["idle-system", "undisclosed-country"] {
        assert_eq!(
            case(passing).children().filter(|n| n.is_element()).count(),
            0
        );
    }
}

#[test]
fn junit_reports_load_errors_as_failing_cases() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("bad.toml"),
        "[model]\nname = \"x\"\nhome = \"JP\"\nhoem = 1\n",
    )
    .expect("write");
    let out = reachmap(&["check", "bad.toml", "--format", "junit"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let xml = stdout(&out);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    // Rules did not run; only the load problem is a case, and it fails.
    assert_eq!(cases.len(), 1, "{xml}");
    assert_eq!(cases[0].attribute("classname"), Some("reachmap.load"));
    let failure = cases[0]
        .children()
        .find(|n| n.has_tag_name("failure"))
        .expect("a failure");
    assert!(
        failure.attribute("message").unwrap().contains("hoem"),
        "{xml}"
    );
}

// ---------------------------------------------------------------- sub-processors

/// The fixture list, by row (row 1 is the header):
/// 2 AWS (seat US): hosting in USA and Ireland; contact details, order history.
/// 3 Zendesk (seat US): support in the US; contact details.
/// 4 Acme Support Korea (seat KR): support in Korea; contact details.
/// 5 AWS again: backups in Japan; order history.
///
/// Hence systems aws-us and aws-ie (both categories), aws-jp (order history),
/// zendesk-us and acme-kr (contact details); AWS and Zendesk operate from
/// the US, Acme Korea from KR. Stored: IE, JP, KR, US; operated: US, KR.
/// Witness of the first kind; among equals the smallest path
/// ("...-ie" before "...-us").
#[test]
fn sub_processor_list_becomes_a_model_with_the_expected_reach() {
    let dir = tempfile::tempdir().expect("temp dir");
    let list = fixture("subprocessors/list.csv");
    let out = reachmap(
        &[
            "import",
            "sub-processors",
            list.to_str().unwrap(),
            "--controller",
            "shop",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("ignored columns \"Website\""));
    let entries = stdout(&out);
    assert!(entries.contains("source = \"imported from list.csv rows 2, 5\""));
    assert!(entries.contains("purpose = \"Hosting; Backups\""));
    assert!(entries.contains("transfer_basis = \"consent\""));

    let text = format!(
        "[model]\nname = \"Shop\"\nhome = \"JP\"\n\n[[organisation]]\nid = \"shop\"\nname = \"Shop\"\ncountry = \"JP\"\nrole = \"controller\"\n\n{entries}"
    );
    let model = Model::from_toml_str("shop.toml", &text).expect("the draft loads");
    let aws = "org:amazon-web-services-inc system:amazon-web-services-inc-ie";
    assert_eq!(
        matrix(&model, "2025-01-01"),
        vec![
            row(
                "IE",
                "contact_details",
                "stored",
                "system:amazon-web-services-inc-ie"
            ),
            row(
                "IE",
                "order_history",
                "stored",
                "system:amazon-web-services-inc-ie"
            ),
            row(
                "JP",
                "order_history",
                "stored",
                "system:amazon-web-services-inc-jp"
            ),
            row(
                "KR",
                "contact_details",
                "operated,stored",
                "org:acme-support-korea-ltd system:acme-support-korea-ltd-kr"
            ),
            row("US", "contact_details", "operated,stored", aws),
            row("US", "order_history", "operated,stored", aws),
        ]
    );
    // Every processor is reached from the controller by a contract.
    let evaluation = Evaluation::new(&model, "2025-01-01".parse().unwrap());
    let findings = reachmap::check::check(&evaluation, &evaluation.matrix());
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn sub_processor_import_without_controller_writes_no_contracts() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("l.csv"),
        "Name,Country,Safeguards\n\"Quote \"\"Co\"\"\",de,SCC\n",
    )
    .expect("write");
    let out = reachmap(&["import", "sub-processors", "l.csv"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("no --controller given"));
    // Worked out by hand: the entity `Quote "Co"` slugs to quote-co; no seat
    // column, so the seat is the only location, Germany, with a note; no
    // category column, so the catch-all category; the safeguard goes into
    // the organisation's note.
    assert_eq!(
        stdout(&out),
        "# Imported by `reachmap import sub-processors` from l.csv.\n\
         # Review every entry: a sub-processor list says who processes the data and where,\n\
         # not from which countries its staff can read it; add [[access]] entries for that.\n\
         \n\
         # Data categories as the list names them: rename them to your model's categories, or keep them.\n\
         [[category]]\n\
         id = \"personal_data\"\n\
         name = \"Personal data (categories not itemised in the list)\"\n\
         source = \"imported from l.csv row 2\"\n\
         \n\
         # Quote \"Co\" (l.csv row 2)\n\
         [[organisation]]\n\
         id = \"quote-co\"\n\
         name = \"Quote \\\"Co\\\"\"\n\
         country = \"DE\"\n\
         role = \"processor\"\n\
         note = \"The list gives no corporate seat; assumed to be the first processing location, Germany. Check it. Transfer mechanism per the list: SCC.\"\n\
         source = \"imported from l.csv row 2\"\n\
         \n\
         [[system]]\n\
         id = \"quote-co-de\"\n\
         name = \"Quote \\\"Co\\\" in Germany\"\n\
         country = \"DE\"\n\
         operator = \"quote-co\"\n\
         holds = [\"personal_data\"]\n\
         source = \"imported from l.csv row 2\"\n"
    );
}

#[test]
fn sub_processor_errors_name_row_and_cell_and_leave_the_output_alone() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("bad.csv"),
        "Entity,Location of processing\nA,Untied States\nB,EU\nC,\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("out.toml"), "# keep me\n").expect("write");
    let out = reachmap(
        &[
            "import",
            "sub-processors",
            "bad.csv",
            "--out",
            "out.toml",
            "--force",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    // Every problem, each with its row and column.
    assert!(
        err.contains("error: bad.csv row 2, column \"Location of processing\": \"Untied States\" is not a country reachmap knows; did you mean United States (US)?"),
        "{err}"
    );
    assert!(
        err.contains("bad.csv row 3, column \"Location of processing\": \"EU\" is not a country reachmap knows (it is a region"),
        "{err}"
    );
    assert!(
        err.contains("bad.csv row 4, column \"Location of processing\" is empty"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out.toml")).unwrap(),
        "# keep me\n"
    );

    std::fs::write(dir.path().join("cols.csv"), "Vendor,Purpose\nA,x\n").expect("write");
    let out = reachmap(&["import", "sub-processors", "cols.csv"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cols.csv row 1: no \"Location of processing\" column"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn import_out_refuses_to_overwrite_unless_forced() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("l.csv"), "Entity,Country\nA,JP\n").expect("write");
    std::fs::write(dir.path().join("out.toml"), "# keep me\n").expect("write");
    let out = reachmap(
        &["import", "sub-processors", "l.csv", "--out", "out.toml"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("out.toml already exists; pass --force to overwrite it"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out.toml")).unwrap(),
        "# keep me\n"
    );
    let out = reachmap(
        &[
            "import",
            "sub-processors",
            "l.csv",
            "--out",
            "out.toml",
            "--force",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        std::fs::read_to_string(dir.path().join("out.toml"))
            .unwrap()
            .contains("id = \"a-jp\"")
    );
}

// ---------------------------------------------------------------- fides

/// The fixture (tests/fixtures/fides), worked through by hand:
/// - customer_db (dataset, meta location Japan, run by acme): email,
///   address, bank_account.
/// - web_app (no location: --country JP, run by acme): email, address,
///   user.financial (so also bank_account); receives from customer_db.
/// - analytics (legal_name Metrics Inc., address ends "USA": a US vendor,
///   so the system is in the US): email, cookie_id; receives email and
///   cookie_id from web_app; third_country_transfers IRL adds a system in
///   IE fed by a flow, run by Metrics.
///
/// Reach: JP stored+operated for what customer_db and web_app hold; US
/// stored+operated (Metrics) for email and cookie_id; IE stored for the
/// same through the transfer flow. Nothing names user.contact, user.device
/// or user, so those parents are not reached.
#[test]
fn fides_manifests_become_a_model_with_the_expected_reach() {
    let dir = tempfile::tempdir().expect("temp dir");
    let manifests = fixture("fides");
    let out = reachmap(
        &[
            "import",
            "fides",
            manifests.to_str().unwrap(),
            "--country",
            "JP",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let entries = stdout(&out);
    assert!(entries.contains("id = \"user.contact.email\"\nname = \"Email address\""));
    assert!(entries.contains("from = \"acme\"\nto = \"metrics-inc\"\nkind = \"entrustment\""));
    let text = format!("[model]\nname = \"Acme\"\nhome = \"JP\"\n\n{entries}");
    let model = Model::from_toml_str("fides.toml", &text).expect("the draft loads");
    let ie = "system:analytics-transfer-ie system:analytics";
    let us = "org:metrics-inc system:analytics";
    assert_eq!(
        matrix(&model, "2025-01-01"),
        vec![
            row("IE", "user.contact.email", "stored", ie),
            row("IE", "user.device.cookie_id", "stored", ie),
            row(
                "JP",
                "user.contact.address",
                "operated,stored",
                "org:acme system:customer_db"
            ),
            row(
                "JP",
                "user.contact.email",
                "operated,stored",
                "org:acme system:customer_db"
            ),
            row(
                "JP",
                "user.financial",
                "operated,stored",
                "org:acme system:web_app"
            ),
            row(
                "JP",
                "user.financial.bank_account",
                "operated,stored",
                "org:acme system:customer_db"
            ),
            row("US", "user.contact.email", "operated,stored", us),
            row("US", "user.device.cookie_id", "operated,stored", us),
        ]
    );
    // Same manifests, same bytes.
    let again = reachmap(
        &[
            "import",
            "fides",
            manifests.to_str().unwrap(),
            "--country",
            "JP",
        ],
        dir.path(),
    );
    assert_eq!(stdout(&again), entries);
}

#[test]
fn fides_errors_name_the_file_and_the_resource() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("s.yml"),
        "system:\n  - fides_key: a\n    system_type: Service\n    meta:\n      country: Atlantis\n    egress:\n      - fides_key: nowhere\n        type: system\n    privacy_declarations: []\n",
    )
    .expect("write");
    let out = reachmap(&["import", "fides", "s.yml", "--country", "JP"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("s.yml: system \"a\", meta: \"Atlantis\" is not a country reachmap knows"),
        "{err}"
    );

    std::fs::write(
        dir.path().join("t.yml"),
        "system:\n  - fides_key: a\n    system_type: Service\n    egress:\n      - fides_key: nowhere\n        type: system\n    privacy_declarations: []\n",
    )
    .expect("write");
    let out = reachmap(&["import", "fides", "t.yml", "--country", "JP"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(
            "t.yml: system \"a\": egress names system \"nowhere\", which no manifest here declares"
        ),
        "{}",
        stderr(&out)
    );

    std::fs::write(dir.path().join("broken.yml"), "system: [\n").expect("write");
    let out = reachmap(
        &["import", "fides", "broken.yml", "--country", "JP"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("broken.yml:"), "{}", stderr(&out));

    // --country is required, and must be a code.
    let out = reachmap(&["import", "fides", "t.yml"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let out = reachmap(
        &["import", "fides", "t.yml", "--country", "Japan"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("\"Japan\" is not a country code"));
}
