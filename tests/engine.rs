//! Engine tests on small models whose answers are worked out by hand from
//! SPEC §2 and §3; each test says how in its comments.

use reachmap::check::{self, Finding};
use reachmap::model::{Date, Kind, Model, Severity, parse_date};
use reachmap::reach::{Evaluation, MatrixDoc, Step};

fn model(text: &str) -> Model {
    Model::from_toml_str("test.toml", text).unwrap_or_else(|e| panic!("model must load:\n{e}"))
}

fn date(text: &str) -> Date {
    parse_date(text).expect("a valid date")
}

/// One matrix row as plain strings: (country, category, kinds, path).
type Row = (String, String, Vec<String>, Vec<String>);

fn rows(model: &Model, on: &str) -> Vec<Row> {
    let evaluation = Evaluation::new(model, date(on));
    let reach = evaluation.matrix();
    reach
        .iter()
        .map(|r| {
            (
                r.country.to_string(),
                model.category(r.category).id.clone(),
                r.kinds.iter().map(|k| k.as_str().to_string()).collect(),
                r.path.render(model),
            )
        })
        .collect()
}

fn row(country: &str, category: &str, kinds: &[&str], path: &[&str]) -> Row {
    (
        country.to_string(),
        category.to_string(),
        kinds.iter().map(|s| s.to_string()).collect(),
        path.iter().map(|s| s.to_string()).collect(),
    )
}

/// The (country, category, kinds) of the matrix, without paths.
fn reached(model: &Model, on: &str) -> Vec<(String, String, Vec<String>)> {
    rows(model, on)
        .into_iter()
        .map(|(k, c, kinds, _)| (k, c, kinds))
        .collect()
}

fn pair(country: &str, category: &str, kinds: &[&str]) -> (String, String, Vec<String>) {
    (
        country.to_string(),
        category.to_string(),
        kinds.iter().map(|s| s.to_string()).collect(),
    )
}

/// Category ids in `H(system)` on a date.
fn holdings(model: &Model, on: &str, system: &str) -> Vec<String> {
    let evaluation = Evaluation::new(model, date(on));
    let s = model.system_by_id(system).expect("system exists");
    evaluation
        .holdings(s)
        .iter()
        .map(|c| model.category(c).id.clone())
        .collect()
}

fn findings(model: &Model, on: &str) -> Vec<Finding> {
    let evaluation = Evaluation::new(model, date(on));
    let reach = evaluation.matrix();
    check::check(&evaluation, &reach)
}

fn findings_of<'f>(all: &'f [Finding], rule: &str) -> Vec<&'f Finding> {
    all.iter().filter(|f| f.rule == rule).collect()
}

const D: &str = "2024-01-01";

// ---------------------------------------------------------------- holdings

/// a holds x and y; a→b carries only x; b→c has no mask, so c gets what b
/// has: H(b) = H(c) = {x}. z is declared but held by nobody.
#[test]
fn flows_carry_their_mask_and_unmasked_flows_carry_everything() {
    let m = model(
        r#"
[model]
name = "m"
home = "JP"
[[category]]
id = "x"
name = "x"
[[category]]
id = "y"
name = "y"
[[category]]
id = "z"
name = "z"
[[organisation]]
id = "o"
name = "o"
country = "JP"
role = "controller"
[[system]]
id = "a"
name = "a"
country = "JP"
operator = "o"
holds = ["x", "y"]
[[system]]
id = "b"
name = "b"
country = "KR"
operator = "o"
[[system]]
id = "c"
name = "c"
country = "CN"
operator = "o"
[[flow]]
from = "a"
to = "b"
categories = ["x"]
[[flow]]
from = "b"
to = "c"
"#,
    );
    assert_eq!(holdings(&m, D, "a"), ["x", "y"]);
    assert_eq!(holdings(&m, D, "b"), ["x"]);
    assert_eq!(holdings(&m, D, "c"), ["x"]);
    // Stored in KR and CN: x only, with the path back to a, the holder.
    let r = rows(&m, D);
    assert!(r.contains(&row(
        "CN",
        "x",
        &["stored"],
        &["system:c", "system:b", "system:a"]
    )));
    assert!(r.contains(&row("KR", "x", &["stored"], &["system:b", "system:a"])));
    assert!(!r.iter().any(|(k, c, _, _)| k != "JP" && c == "y"));
    assert!(!r.iter().any(|(_, c, _, _)| c == "z"), "nobody holds z");
}

const CYCLE: &str = r#"
[model]
name = "cycle"
home = "DE"
[[category]]
id = "x"
name = "x"
[[category]]
id = "y"
name = "y"
[[category]]
id = "w"
name = "w"
[[organisation]]
id = "o"
name = "o"
country = "DE"
role = "controller"
[[system]]
id = "a"
name = "a"
country = "DE"
operator = "o"
holds = ["x"]
[[system]]
id = "b"
name = "b"
country = "FR"
operator = "o"
holds = ["y"]
[[system]]
id = "c"
name = "c"
country = "IT"
operator = "o"
[[system]]
id = "d"
name = "d"
country = "ES"
operator = "o"
[[system]]
id = "e"
name = "e"
country = "PT"
operator = "o"
holds = ["w"]
[[flow]]
from = "a"
to = "b"
categories = ["x"]
[[flow]]
from = "b"
to = "a"
categories = ["y"]
[[flow]]
from = "c"
to = "d"
[[flow]]
from = "d"
to = "c"
[[flow]]
from = "e"
to = "e"
[[flow]]
from = "b"
to = "c"
categories = ["w", "x"]
"#;

/// a⇄b with masks: a gets y from b, b gets x from a, so both hold {x, y}.
/// c⇄d without masks holds nothing of its own: the least fixpoint gives c
/// only what flows in from outside (x from b, w masked but nobody upstream
/// holds w), and d only what c has. A naive "everything flows" reading
/// would invent w or y in c and d; the least fixpoint must not. e's self-loop
/// changes nothing.
#[test]
fn cycles_reach_the_least_fixpoint() {
    let m = model(CYCLE);
    assert_eq!(holdings(&m, D, "a"), ["x", "y"]);
    assert_eq!(holdings(&m, D, "b"), ["x", "y"]);
    assert_eq!(holdings(&m, D, "c"), ["x"]);
    assert_eq!(holdings(&m, D, "d"), ["x"]);
    assert_eq!(holdings(&m, D, "e"), ["w"]);
    // Paths through the cycle: d's x comes d ← c ← b ← a.
    let r = rows(&m, D);
    assert!(r.contains(&row(
        "ES",
        "x",
        &["stored"],
        &["system:d", "system:c", "system:b", "system:a"]
    )));
    // DE reaches y by operated (o runs a and b) and stored (a): the operated
    // witness is o → b, since b's own holds name y; o → a → b is longer.
    assert!(r.contains(&row(
        "DE",
        "y",
        &["operated", "stored"],
        &["org:o", "system:b"]
    )));
    assert!(
        !r.iter()
            .any(|(k, c, _, _)| (k == "IT" || k == "ES") && c != "x")
    );
}

/// A cycle with nothing held anywhere in it, and no flow into it, stays empty.
#[test]
fn an_isolated_cycle_invents_nothing() {
    let m = model(
        r#"
[model]
name = "m"
home = "DE"
[[category]]
id = "x"
name = "x"
[[organisation]]
id = "o"
name = "o"
country = "DE"
role = "controller"
[[system]]
id = "p"
name = "p"
country = "FR"
operator = "o"
[[system]]
id = "q"
name = "q"
country = "FR"
operator = "o"
[[system]]
id = "r"
name = "r"
country = "FR"
operator = "o"
[[flow]]
from = "p"
to = "q"
[[flow]]
from = "q"
to = "r"
[[flow]]
from = "r"
to = "p"
"#,
    );
    for s in ["p", "q", "r"] {
        assert!(holdings(&m, D, s).is_empty(), "{s} must hold nothing");
    }
    assert!(rows(&m, D).is_empty());
}

// ---------------------------------------------------------------- kinds

const KINDS: &str = r#"
[model]
name = "kinds"
home = "JP"
[[category]]
id = "x"
name = "x"
[[organisation]]
id = "ctl"
name = "controller"
country = "JP"
role = "controller"
[[organisation]]
id = "cloud"
name = "cloud"
country = "US"
role = "processor"
[[organisation]]
id = "vault"
name = "vault"
country = "CH"
role = "processor"
[[organisation]]
id = "bpo"
name = "bpo"
country = "IN"
role = "vendor"
[[system]]
id = "db"
name = "db"
country = "KR"
operator = "cloud"
holds = ["x"]
[[system]]
id = "backup"
name = "backup"
country = "SG"
operator = "vault"
operator_access = false
holds = ["x"]
[[access]]
who = "bpo"
to = "db"
from_country = "PH"
[[access]]
who = "bpo"
to = "db"
[[access]]
who = "ctl"
to = "db"
from_country = "JP"
"#;

/// Stored: KR (db) and SG (backup). Operated: US (cloud runs db); not CH,
/// because the backup's operator cannot read it. Accessed: PH (bpo's people
/// in Manila), IN (bpo's second access, from its seat), JP (the controller).
/// Seat: IN, from the PH access (bpo is seated in IN, its people sit in PH).
/// The IN access from its own seat adds no seat kind (seat needs a
/// difference), so IN is [accessed, seat] from two different accesses.
#[test]
fn the_four_kinds_and_customer_held_keys() {
    let m = model(KINDS);
    assert_eq!(
        reached(&m, D),
        vec![
            pair("IN", "x", &["accessed", "seat"]),
            pair("JP", "x", &["accessed"]),
            pair("KR", "x", &["stored"]),
            pair("PH", "x", &["accessed"]),
            pair("SG", "x", &["stored"]),
            pair("US", "x", &["operated"]),
        ]
    );
    let r = rows(&m, D);
    assert!(r.contains(&row("US", "x", &["operated"], &["org:cloud", "system:db"])));
    assert!(r.contains(&row("SG", "x", &["stored"], &["system:backup"])));
    assert!(
        !r.iter().any(|(k, _, _, _)| k == "CH"),
        "customer-held keys"
    );
}

/// Seat alone: the only access of an IN company is from PH.
#[test]
fn seat_is_the_accessing_organisations_country() {
    let text = KINDS.replace(
        "[[access]]\nwho = \"bpo\"\nto = \"db\"\n[[access]]",
        "[[access]]",
    );
    assert_ne!(text, KINDS, "the replacement must remove the IN access");
    let m = model(&text);
    let evaluation = Evaluation::new(&m, date(D));
    let reach = evaluation.matrix();
    let doc = MatrixDoc::new(&evaluation, &reach);
    let india = doc.reach.iter().find(|r| r.country == "IN").expect("IN");
    assert_eq!(india.kinds, vec![Kind::Seat]);
    assert_eq!(india.path, ["org:bpo", "system:db"]);
    assert!(india.foreign);
    let japan = doc.reach.iter().find(|r| r.country == "JP").expect("JP");
    assert!(!japan.foreign, "home is not foreign");
    assert!(
        doc.reach
            .iter()
            .filter(|r| r.country != "JP")
            .all(|r| r.foreign)
    );
}

/// An access without `categories` reads all of H(to); with them, only those.
#[test]
fn access_categories_mask_what_is_read() {
    let m = model(
        r#"
[model]
name = "m"
home = "JP"
[[category]]
id = "a"
name = "a"
[[category]]
id = "b"
name = "b"
[[organisation]]
id = "o"
name = "o"
country = "JP"
role = "controller"
[[system]]
id = "s"
name = "s"
country = "JP"
operator = "o"
operator_access = false
holds = ["a", "b"]
[[access]]
who = "o"
to = "s"
from_country = "CN"
categories = ["b"]
[[access]]
who = "o"
to = "s"
from_country = "KR"
"#,
    );
    assert_eq!(
        reached(&m, D),
        vec![
            pair("CN", "b", &["accessed"]),
            pair("JP", "a", &["seat", "stored"]),
            pair("JP", "b", &["seat", "stored"]),
            pair("KR", "a", &["accessed"]),
            pair("KR", "b", &["accessed"]),
        ]
    );
}

// ---------------------------------------------------------------- time

const TIME: &str = r#"
[model]
name = "time"
home = "JP"
[[category]]
id = "x"
name = "x"
[[organisation]]
id = "o"
name = "o"
country = "JP"
role = "controller"
[[organisation]]
id = "temp"
name = "temp"
country = "VN"
role = "group"
parent = "o"
since = 2021-03-01
until = 2021-06-01
[[system]]
id = "old"
name = "old"
country = "KR"
operator = "o"
operator_access = false
holds = ["x"]
until = 2021-02-24
[[system]]
id = "new"
name = "new"
country = "JP"
operator = "o"
operator_access = false
holds = ["x"]
since = 2021-02-24
[[system]]
id = "mirror"
name = "mirror"
country = "SG"
operator = "o"
operator_access = false
[[flow]]
from = "new"
to = "mirror"
since = 2021-04-01
until = 2021-05-01
[[access]]
who = "o"
to = "new"
from_country = "CN"
since = 2021-03-01
until = 2021-03-02
[[access]]
who = "temp"
to = "new"
"#;

/// `until` is exclusive, `since` inclusive, for systems, flows, accesses and
/// organisations (an inactive organisation's access does not apply).
#[test]
fn windows_apply_since_inclusive_until_exclusive() {
    let m = model(TIME);
    let countries = |on: &str| {
        let mut c: Vec<String> = reached(&m, on).into_iter().map(|(k, _, _)| k).collect();
        c.dedup();
        c
    };
    // The day before the switch: only the old Korean store.
    assert_eq!(countries("2021-02-23"), ["KR"]);
    // On `until` the old store is gone and on `since` the new one applies.
    assert_eq!(countries("2021-02-24"), ["JP"]);
    // The CN access applies for exactly one day; temp (VN) starts the same day.
    assert_eq!(countries("2021-03-01"), ["CN", "JP", "VN"]);
    assert_eq!(countries("2021-03-02"), ["JP", "VN"]);
    // The mirror flow applies in April only.
    assert_eq!(countries("2021-04-01"), ["JP", "SG", "VN"]);
    assert_eq!(countries("2021-04-30"), ["JP", "SG", "VN"]);
    assert_eq!(countries("2021-05-01"), ["JP", "VN"]);
    // temp's window ends; its access (no window of its own) ends with it.
    assert_eq!(countries("2021-06-01"), ["JP"]);
}

/// An inactive operator gives no operated reach; the data is still stored.
#[test]
fn an_inactive_operator_operates_nothing() {
    let text = TIME.replace(
        "operator = \"o\"\noperator_access = false\nholds = [\"x\"]\nsince",
        "operator = \"temp\"\nholds = [\"x\"]\nsince",
    );
    assert_ne!(text, TIME);
    let m = model(&text);
    assert!(reached(&m, "2021-03-05").contains(&pair("VN", "x", &["accessed", "operated"])));
    assert_eq!(
        reached(&m, "2021-07-01"),
        vec![pair("JP", "x", &["stored"])],
        "temp ended on 2021-06-01"
    );
}

// ---------------------------------------------------------------- hierarchy

const TREE: &str = r#"
[model]
name = "tree"
home = "JP"
[[category]]
id = "user"
name = "user"
[[category]]
id = "user.contact"
name = "contact"
[[category]]
id = "user.contact.email"
name = "email"
[[category]]
id = "user.contact.phone"
name = "phone"
[[category]]
id = "user.id"
name = "id"
[[category]]
id = "username"
name = "username (not a child of user)"
[[category]]
id = "log"
name = "log"
[[category]]
id = "log.a.b"
name = "deep child of log, intermediate log.a undeclared"
[[organisation]]
id = "o"
name = "o"
country = "JP"
role = "controller"
[[system]]
id = "all"
name = "all"
country = "US"
operator = "o"
operator_access = false
holds = ["user", "log"]
[[system]]
id = "contact"
name = "contact"
country = "KR"
operator = "o"
operator_access = false
holds = ["user.contact"]
[[system]]
id = "email"
name = "email"
country = "CN"
operator = "o"
operator_access = false
holds = ["user.contact.email"]
[[flow]]
from = "all"
to = "email"
categories = ["user.id"]
"#;

/// Naming `user` covers user.contact, its children and user.id, but not
/// `username` (a longer id, not a dotted descendant). Naming user.contact
/// covers its children, never `user`. Naming `log` covers `log.a.b` although
/// `log.a` is not declared. A flow mask of user.id carries only that.
#[test]
fn naming_a_category_covers_declared_descendants_only() {
    let m = model(TREE);
    assert_eq!(
        holdings(&m, D, "all"),
        [
            "log",
            "log.a.b",
            "user",
            "user.contact",
            "user.contact.email",
            "user.contact.phone",
            "user.id"
        ]
    );
    assert_eq!(
        holdings(&m, D, "contact"),
        ["user.contact", "user.contact.email", "user.contact.phone"]
    );
    assert_eq!(holdings(&m, D, "email"), ["user.contact.email", "user.id"]);
    let kr: Vec<String> = reached(&m, D)
        .into_iter()
        .filter(|(k, _, _)| k == "KR")
        .map(|(_, c, _)| c)
        .collect();
    assert_eq!(
        kr,
        ["user.contact", "user.contact.email", "user.contact.phone"]
    );
    assert!(!reached(&m, D).iter().any(|(_, c, _)| c == "username"));
}

/// The `user.contact.email` held by `email` and by `all` (through `user`):
/// in CN the witness is the system itself, whose own holds name it.
#[test]
fn a_witness_ends_at_a_system_whose_own_holds_cover_the_category() {
    let m = model(TREE);
    let r = rows(&m, D);
    assert!(r.contains(&row(
        "CN",
        "user.contact.email",
        &["stored"],
        &["system:email"]
    )));
    // user.id in CN came by the flow from `all`, which names `user`.
    assert!(r.contains(&row(
        "CN",
        "user.id",
        &["stored"],
        &["system:email", "system:all"]
    )));
}

// ---------------------------------------------------------------- witness

/// Builds a model with systems (id, country, holds) and flows (from, to),
/// an operator that cannot read, and accesses (who, to) from org countries.
fn graph_model(
    systems: &[(&str, &str, bool)],
    flows: &[(&str, &str)],
    orgs: &[(&str, &str)],
    accesses: &[(&str, &str)],
) -> Model {
    let mut text = String::from(
        "[model]\nname = \"g\"\nhome = \"JP\"\n[[category]]\nid = \"x\"\nname = \"x\"\n\
         [[organisation]]\nid = \"op\"\nname = \"op\"\ncountry = \"JP\"\nrole = \"controller\"\n",
    );
    for (id, country) in orgs {
        text.push_str(&format!(
            "[[organisation]]\nid = \"{id}\"\nname = \"{id}\"\ncountry = \"{country}\"\nrole = \"group\"\nparent = \"op\"\n"
        ));
    }
    for (id, country, holds) in systems {
        text.push_str(&format!(
            "[[system]]\nid = \"{id}\"\nname = \"{id}\"\ncountry = \"{country}\"\noperator = \"op\"\noperator_access = false\nholds = [{}]\n",
            if *holds { "\"x\"" } else { "" }
        ));
    }
    for (from, to) in flows {
        text.push_str(&format!("[[flow]]\nfrom = \"{from}\"\nto = \"{to}\"\n"));
    }
    for (who, to) in accesses {
        text.push_str(&format!("[[access]]\nwho = \"{who}\"\nto = \"{to}\"\n"));
    }
    model(&text)
}

fn path_of(m: &Model, country: &str) -> Vec<String> {
    rows(m, D)
        .into_iter()
        .find(|(k, c, _, _)| k == country && c == "x")
        .map(|(_, _, _, p)| p)
        .unwrap_or_else(|| panic!("{country} must reach x"))
}

/// t (CN) receives x from two holders one step up, `m-b` and `m-a`: both
/// paths have length 2, `system:m-a` < `system:m-b`, so m-a wins although
/// its flow is declared second.
#[test]
fn witness_ties_go_to_the_smallest_item() {
    let m = graph_model(
        &[("t", "CN", false), ("m-b", "JP", true), ("m-a", "JP", true)],
        &[("m-b", "t"), ("m-a", "t")],
        &[],
        &[],
    );
    assert_eq!(path_of(&m, "CN"), ["system:t", "system:m-a"]);
}

/// Shortest first: t ← z (holds) is length 2; t ← a ← b (holds) is length 3
/// and item by item smaller, but longer paths never win.
#[test]
fn witness_prefers_shorter_over_smaller() {
    let m = graph_model(
        &[
            ("t", "CN", false),
            ("z", "JP", true),
            ("a", "JP", false),
            ("b", "JP", true),
        ],
        &[("z", "t"), ("b", "a"), ("a", "t")],
        &[],
        &[],
    );
    assert_eq!(path_of(&m, "CN"), ["system:t", "system:z"]);
}

/// Two paths of length 3: t ← p ← hz and t ← q ← ha. Item by item, the second
/// items decide (p < q) even though the last items compare the other way.
#[test]
fn witness_compares_items_in_order_not_the_end_point() {
    let m = graph_model(
        &[
            ("t", "CN", false),
            ("p", "JP", false),
            ("q", "JP", false),
            ("hz", "JP", true),
            ("ha", "JP", true),
        ],
        &[("hz", "p"), ("ha", "q"), ("q", "t"), ("p", "t")],
        &[],
        &[],
    );
    assert_eq!(path_of(&m, "CN"), ["system:t", "system:p", "system:hz"]);
}

/// Ids compare as strings, byte by byte: "a-b" (0x2d) < "a.b" (0x2e) <
/// "a_b" (0x5f), and upper case sorts before lower case ("Z" < "a").
#[test]
fn witness_items_compare_as_byte_strings() {
    let m = graph_model(
        &[
            ("t", "CN", false),
            ("a_b", "JP", true),
            ("a.b", "JP", true),
            ("a-b", "JP", true),
        ],
        &[("a_b", "t"), ("a.b", "t"), ("a-b", "t")],
        &[],
        &[],
    );
    assert_eq!(path_of(&m, "CN"), ["system:t", "system:a-b"]);
    let m = graph_model(
        &[("t", "CN", false), ("a", "JP", true), ("Z", "JP", true)],
        &[("a", "t"), ("Z", "t")],
        &[],
        &[],
    );
    assert_eq!(path_of(&m, "CN"), ["system:t", "system:Z"]);
}

/// Stored in CN by two systems that hold x themselves: both paths have length
/// 1; `system:c1` < `system:c2`. A third CN system one step away never wins.
#[test]
fn stored_witness_is_the_smallest_holding_system() {
    let m = graph_model(
        &[
            ("c2", "CN", true),
            ("c1", "CN", true),
            ("c0", "CN", false),
            ("h", "JP", true),
        ],
        &[("h", "c0")],
        &[],
        &[],
    );
    assert_eq!(path_of(&m, "CN"), ["system:c1"]);
}

/// Two organisations in KR access x: `beta` one step from a holder, `alpha`
/// two steps. Shortest wins: beta. With both at the same distance, alpha wins
/// on the first item even though its system id is larger.
#[test]
fn accessed_witness_compares_organisation_first() {
    let m = graph_model(
        &[("s1", "JP", true), ("s2", "JP", false), ("s9", "JP", true)],
        &[("s1", "s2")],
        &[("alpha", "KR"), ("beta", "KR")],
        &[("alpha", "s2"), ("beta", "s1")],
    );
    assert_eq!(path_of(&m, "KR"), ["org:beta", "system:s1"]);
    let m = graph_model(
        &[("s1", "JP", true), ("s9", "JP", true)],
        &[],
        &[("alpha", "KR"), ("beta", "KR")],
        &[("alpha", "s9"), ("beta", "s1")],
    );
    assert_eq!(path_of(&m, "KR"), ["org:alpha", "system:s9"]);
}

/// The matrix path is the witness of the first kind: JP reaches x by
/// accessed (org:op's access) and by stored; the path is the access's.
#[test]
fn matrix_path_is_the_witness_of_the_first_kind() {
    let m = graph_model(
        &[("s", "JP", true)],
        &[],
        &[("team", "JP")],
        &[("team", "s")],
    );
    assert_eq!(
        rows(&m, D),
        vec![row(
            "JP",
            "x",
            &["accessed", "stored"],
            &["org:team", "system:s"]
        )]
    );
    let evaluation = Evaluation::new(&m, date(D));
    let x = m.category_by_id("x").unwrap();
    let jp = reachmap::model::CountryCode::parse("JP").unwrap();
    let stored = evaluation
        .witness(jp, x, Kind::Stored)
        .expect("stored witness");
    assert_eq!(stored.0, vec![Step::System(m.system_by_id("s").unwrap())]);
    let routes = evaluation.routes(jp, x);
    let kinds: Vec<Kind> = routes.iter().map(|r| r.kind).collect();
    assert_eq!(kinds, [Kind::Accessed, Kind::Stored]);
}

// ---------------------------------------------------------------- policies

const POLICY_BASE: &str = r#"
[model]
name = "p"
home = "JP"
[[category]]
id = "msg"
name = "Messages"
[[category]]
id = "msg.media"
name = "Media"
[[category]]
id = "id"
name = "Ids"
[[organisation]]
id = "o"
name = "o"
country = "JP"
role = "controller"
[[organisation]]
id = "kr-co"
name = "kr-co"
country = "KR"
role = "group"
parent = "o"
[[system]]
id = "kr-store"
name = "kr-store"
country = "KR"
operator = "o"
holds = ["msg.media", "id"]
[[access]]
who = "kr-co"
to = "kr-store"
from_country = "CN"
categories = ["id"]
"#;

/// Reach: KR stores msg.media and id, and is the seat of kr-co, which reads
/// id from CN. JP operates kr-store. So:
/// CN id [accessed]; JP id, msg.media [operated]; KR id [seat, stored];
/// KR msg.media [stored].
fn policy_findings(policies: &str) -> Vec<Finding> {
    let m = model(&format!("{POLICY_BASE}{policies}"));
    findings(&m, D)
        .into_iter()
        .filter(|f| f.rule.starts_with("p-"))
        .collect()
}

/// A deny list on the parent `msg` covers msg.media: KR is denied and
/// reaches msg.media (stored) — one finding, with the stored witness path.
#[test]
fn a_deny_policy_on_a_parent_covers_children() {
    let f = policy_findings(
        "[[policy]]\nid = \"p-deny\"\ncategories = [\"msg\"]\ndeny_countries = [\"KR\", \"CN\"]\n",
    );
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].severity, Severity::Error);
    assert_eq!(f[0].country.as_deref(), Some("KR"));
    assert_eq!(f[0].category.as_deref(), Some("msg.media"));
    assert_eq!(f[0].kinds, Some(vec![Kind::Stored]));
    assert_eq!(f[0].path, Some(vec!["system:kr-store".to_string()]));
    assert!(
        f[0].message.starts_with("policy p-deny is violated"),
        "{}",
        f[0].message
    );
}

/// An allow list of JP on `id`: CN and KR reach id, JP is allowed.
/// Sorted by country: CN then KR.
#[test]
fn an_allow_policy_denies_every_other_country() {
    let f = policy_findings(
        "[[policy]]\nid = \"p-allow\"\ncategories = [\"id\"]\nallow_countries = [\"JP\"]\nseverity = \"warning\"\nmessage = \"ids stay home\"\n",
    );
    let got: Vec<(Option<&str>, Severity)> = f
        .iter()
        .map(|f| (f.country.as_deref(), f.severity))
        .collect();
    assert_eq!(
        got,
        [
            (Some("CN"), Severity::Warning),
            (Some("KR"), Severity::Warning)
        ]
    );
    assert!(f[0].message.starts_with("ids stay home: "));
    assert_eq!(f[1].kinds, Some(vec![Kind::Seat, Kind::Stored]));
    assert_eq!(
        f[1].path,
        Some(vec!["org:kr-co".to_string(), "system:kr-store".to_string()])
    );
}

/// Restricted to `stored`, the allow list on `id` finds KR only (CN only
/// accesses), and the finding's kinds and path are the stored ones, not the
/// matrix's first kind (seat).
#[test]
fn policy_kinds_restrict_the_kinds_counted() {
    let f = policy_findings(
        "[[policy]]\nid = \"p-kinds\"\ncategories = [\"id\"]\nallow_countries = [\"JP\"]\nkinds = [\"stored\"]\n",
    );
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].country.as_deref(), Some("KR"));
    assert_eq!(f[0].kinds, Some(vec![Kind::Stored]));
    assert_eq!(f[0].path, Some(vec!["system:kr-store".to_string()]));
}

/// A policy whose window has not started, or that names only countries that
/// reach nothing it protects, finds nothing.
#[test]
fn policies_out_of_window_or_unviolated_find_nothing() {
    assert!(policy_findings(
        "[[policy]]\nid = \"p-later\"\ncategories = [\"msg\"]\ndeny_countries = [\"KR\"]\nsince = 2030-01-01\n"
    )
    .is_empty());
    assert!(
        policy_findings(
            "[[policy]]\nid = \"p-fine\"\ncategories = [\"msg\"]\ndeny_countries = [\"CN\"]\n"
        )
        .is_empty()
    );
    // KR reaches id as seat and stored, neither of the kinds counted.
    assert!(policy_findings(
        "[[policy]]\nid = \"p-seat\"\ncategories = [\"id\"]\ndeny_countries = [\"KR\"]\nkinds = [\"accessed\", \"operated\"]\n"
    )
    .is_empty());
}

// ---------------------------------------------------------------- disclosure

/// Foreign countries reaching anything: CN, KR (JP is home). Disclosed: KR
/// only, so CN alone is undisclosed; the home country never is, listed or not.
#[test]
fn undisclosed_country_names_foreign_countries_missing_from_the_list() {
    let text = POLICY_BASE.replace(
        "home = \"JP\"",
        "home = \"JP\"\ndisclosed_countries = [\"KR\"]",
    );
    let f = findings(&model(&text), D);
    let undisclosed = findings_of(&f, "undisclosed-country");
    assert_eq!(undisclosed.len(), 1);
    assert_eq!(undisclosed[0].country.as_deref(), Some("CN"));
    assert_eq!(undisclosed[0].category.as_deref(), Some("id"));
    assert_eq!(undisclosed[0].severity, Severity::Error);
    // Without the list there is no disclosure to compare with.
    assert!(findings_of(&findings(&model(POLICY_BASE), D), "undisclosed-country").is_empty());
    // An empty list: both foreign countries.
    let text = POLICY_BASE.replace("home = \"JP\"", "home = \"JP\"\ndisclosed_countries = []");
    let f = findings(&model(&text), D);
    let countries: Vec<_> = findings_of(&f, "undisclosed-country")
        .iter()
        .map(|f| f.country.clone().unwrap())
        .collect();
    assert_eq!(countries, ["CN", "KR"]);
}

// ---------------------------------------------------------------- contracts

const CHAIN: &str = r#"
[model]
name = "chain"
home = "JP"
[[category]]
id = "x"
name = "x"
[[organisation]]
id = "ctl"
name = "Controller"
country = "JP"
role = "controller"
[[organisation]]
id = "sub"
name = "Subsidiary"
country = "KR"
role = "group"
parent = "ctl"
[[organisation]]
id = "holding"
name = "Holding"
country = "JP"
role = "group"
[[organisation]]
id = "proc"
name = "Processor"
country = "US"
role = "processor"
[[organisation]]
id = "resub"
name = "Re-subcontractor"
country = "CN"
role = "vendor"
[[organisation]]
id = "late"
name = "Late vendor"
country = "VN"
role = "vendor"
[[organisation]]
id = "backwards"
name = "Backwards vendor"
country = "TH"
role = "vendor"
[[organisation]]
id = "stray"
name = "Stray vendor"
country = "PH"
role = "vendor"
[[system]]
id = "s"
name = "Store"
country = "JP"
operator = "ctl"
holds = ["x"]
[[contract]]
from = "ctl"
to = "proc"
kind = "entrustment"
[[contract]]
from = "proc"
to = "resub"
kind = "re-entrustment"
[[contract]]
from = "ctl"
to = "late"
kind = "entrustment"
since = 2025-01-01
[[contract]]
from = "backwards"
to = "ctl"
kind = "provision"
[[contract]]
from = "stray"
to = "holding"
kind = "entrustment"
[[access]]
who = "ctl"
to = "s"
[[access]]
who = "sub"
to = "s"
[[access]]
who = "holding"
to = "s"
[[access]]
who = "proc"
to = "s"
[[access]]
who = "resub"
to = "s"
[[access]]
who = "late"
to = "s"
[[access]]
who = "backwards"
to = "s"
"#;

/// Reached from the controller `ctl`: itself; `sub` (ctl is its parent);
/// `proc` (contract); `resub` (proc's re-entrustment). Not reached: `holding`
/// (nothing links ctl to it: ctl has no parent, and parents reach their
/// subsidiaries, not the other way), `late` (contract not yet in force),
/// `backwards` (its contract runs backwards → ctl, not from ctl), `stray`
/// (contracted only by an unreached organisation; it has no access, so no
/// finding). So on 2024 the accesses of backwards, holding and late fire;
/// from 2025 the late one no longer does.
#[test]
fn uncontracted_access_follows_contracts_and_parent_links_from_a_controller() {
    let m = model(CHAIN);
    let orgs = |on: &str| -> Vec<String> {
        findings_of(&findings(&m, on), "uncontracted-access")
            .iter()
            .map(|f| f.org.clone().unwrap())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect()
    };
    assert_eq!(orgs("2024-06-01"), ["backwards", "holding", "late"]);
    assert_eq!(orgs("2025-01-01"), ["backwards", "holding"]);
    let evaluation = Evaluation::new(&m, date("2024-06-01"));
    let chains = evaluation.contract_chains();
    let org = |id: &str| m.organisation_by_id(id).unwrap().0 as usize;
    use reachmap::reach::Link;
    assert_eq!(chains[org("ctl")], Some(vec![]));
    assert_eq!(
        chains[org("sub")],
        Some(vec![Link::ParentOf(
            m.organisation_by_id("ctl").unwrap(),
            m.organisation_by_id("sub").unwrap()
        )])
    );
    assert_eq!(
        chains[org("resub")],
        Some(vec![Link::Contract(0), Link::Contract(1)])
    );
    assert_eq!(chains[org("stray")], None);
    let f = findings(&m, "2024-06-01");
    let holding = findings_of(&f, "uncontracted-access")
        .into_iter()
        .find(|f| f.org.as_deref() == Some("holding"))
        .unwrap();
    assert_eq!(
        holding.path,
        Some(vec!["org:holding".to_string(), "system:s".to_string()])
    );
    assert_eq!(holding.country.as_deref(), Some("JP"));
}

/// A contract that ended no longer connects: the chain of `resub` runs
/// through proc's contract, so ending that contract strands both.
#[test]
fn an_ended_contract_breaks_the_chain_below_it() {
    let text = CHAIN.replacen(
        "to = \"proc\"\nkind = \"entrustment\"\n",
        "to = \"proc\"\nkind = \"entrustment\"\nuntil = 2024-01-01\n",
        1,
    );
    assert_ne!(text, CHAIN);
    let f = findings(&model(&text), "2024-06-01");
    let orgs: std::collections::BTreeSet<_> = findings_of(&f, "uncontracted-access")
        .iter()
        .map(|f| f.org.clone().unwrap())
        .collect();
    assert_eq!(
        orgs.into_iter().collect::<Vec<_>>(),
        ["backwards", "holding", "late", "proc", "resub"]
    );
}

// ---------------------------------------------------------------- lints

/// idle-system: `empty` holds nothing and receives nothing (`sink` receives
/// a flow, even an empty-handed one, and is not idle). access-reads-nothing:
/// an access naming y to a system holding only x. unused-category: `z` only;
/// `y` is named by the access and `p.q` is covered by its parent `p`, which
/// a policy names. unreferenced-organisation: `loner` only (controllers are
/// exempt; `parent-co` is a parent).
#[test]
fn lints_fire_exactly_where_they_should() {
    let m = model(
        r#"
[model]
name = "lint"
home = "JP"
[[category]]
id = "x"
name = "x"
[[category]]
id = "y"
name = "y"
[[category]]
id = "z"
name = "z"
[[category]]
id = "p"
name = "p"
[[category]]
id = "p.q"
name = "p.q"
[[organisation]]
id = "ctl"
name = "ctl"
country = "JP"
role = "controller"
[[organisation]]
id = "lone-ctl"
name = "lone controller"
country = "JP"
role = "controller"
[[organisation]]
id = "parent-co"
name = "parent"
country = "JP"
role = "group"
[[organisation]]
id = "child"
name = "child"
country = "JP"
role = "group"
parent = "parent-co"
[[organisation]]
id = "loner"
name = "loner"
country = "JP"
role = "vendor"
[[system]]
id = "s"
name = "s"
country = "JP"
operator = "child"
holds = ["x"]
[[system]]
id = "empty"
name = "empty"
country = "JP"
operator = "ctl"
[[system]]
id = "sink"
name = "sink"
country = "JP"
operator = "ctl"
[[flow]]
from = "s"
to = "sink"
categories = []
[[access]]
who = "ctl"
to = "s"
categories = ["y"]
[[policy]]
id = "pol"
categories = ["p"]
deny_countries = ["CN"]
"#,
    );
    let f = findings(&m, D);
    let summary: Vec<(&str, Severity, String)> = f
        .iter()
        .filter(|f| f.rule != "uncontracted-access")
        .map(|f| (f.rule.as_str(), f.severity, f.message.clone()))
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                "access-reads-nothing",
                Severity::Warning,
                format!("ctl (ctl) has access to s for categories the system does not hold on {D}")
            ),
            (
                "idle-system",
                Severity::Warning,
                "system empty (empty) holds nothing and receives nothing".to_string()
            ),
            // Within a severity, findings sort by rule id.
            (
                "unreferenced-organisation",
                Severity::Info,
                "organisation loner (loner) is referenced by nothing".to_string()
            ),
            (
                "unused-category",
                Severity::Info,
                "category z (z) is never named".to_string()
            ),
        ]
    );
    // Warnings and notes only: exit code 0.
    assert_eq!(check::exit_code(&f), 0);
}

#[test]
fn exit_code_is_one_only_for_error_findings() {
    let m = model(CHAIN);
    let f = findings(&m, "2024-06-01");
    assert_eq!(check::exit_code(&f), 1);
    assert_eq!(check::exit_code(&[]), 0);
}
