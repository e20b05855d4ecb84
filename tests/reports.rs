//! The report set: each document on a small hand-built model (expected lines
//! worked out by hand from the model below), the atomic writer, and the
//! committed `reports/` directory, which must match what the current code
//! generates from `models/`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use reachmap::model::Model;
use reachmap::reach::Evaluation;
use reachmap::report::lang::Lang;
use reachmap::report::set::{self, MARKER};

/// A controller in Japan (Acme) and five organisations that reach its data
/// from five foreign countries, each in a different way:
///
/// - helpdesk-jp: seated in Japan, its people read `customer.email` on jp-db
///   from Vietnam (VN: accessed; a domestic entrusted party).
/// - cloud-us: runs us-store in the US and can read it (US: stored, operated),
///   entrusted by Acme with transfer_basis "consent".
/// - sub-cn: re-entrusted by cloud-us; reads `customer.chat` on us-store from
///   China (CN: accessed), chain Acme → Cloud US → Sub CN, controls mfa+logging.
/// - group-kr: Acme's subsidiary with no contract; reads `customer.email` on
///   jp-db from Korea (KR: accessed), purpose written as a spreadsheet formula.
/// - vault-de: runs de-vault in Germany but cannot read it (DE: stored only),
///   name starting with "-" to test CSV neutralisation.
/// - audit-us: seated in the US, its people read `customer.card` on jp-db from
///   Japan (US: seat), under a provision contract.
///
/// Holdings: jp-db holds the whole `customer` tree; us-store chat and email;
/// de-vault card. `disclosed_countries = ["US"]`.
const TINY: &str = r#"
[model]
name = "Acme shop"
home = "JP"
as_of = 2024-04-01
disclosed_countries = ["US"]

[[category]]
id = "customer"
name = "Customer data"
[[category]]
id = "customer.email"
name = "Email address"
name_ja = "メールアドレス"
[[category]]
id = "customer.card"
name = "Card number"
name_ja = "カード番号"
sensitivity = "payment"
[[category]]
id = "customer.chat"
name = "Support chat"
name_ja = "サポートチャット"
sensitivity = "secrecy"

[[organisation]]
id = "acme"
name = "Acme Corp"
name_ja = "アクメ株式会社"
country = "JP"
role = "controller"
[[organisation]]
id = "audit-us"
name = "Audit US LLC"
country = "US"
role = "processor"
[[organisation]]
id = "helpdesk-jp"
name = "Helpdesk JP"
country = "JP"
role = "processor"
[[organisation]]
id = "cloud-us"
name = "Cloud US Inc."
country = "US"
role = "vendor"
[[organisation]]
id = "sub-cn"
name = "Sub CN Ltd."
country = "CN"
role = "vendor"
note = "Moderators in Shenzhen."
[[organisation]]
id = "group-kr"
name = "Group KR"
country = "KR"
role = "group"
parent = "acme"
[[organisation]]
id = "vault-de"
name = "-Vault GmbH"
country = "DE"
role = "vendor"

[[system]]
id = "jp-db"
name = "Main database"
country = "JP"
operator = "acme"
holds = ["customer"]
[[system]]
id = "us-store"
name = "US object store"
country = "US"
operator = "cloud-us"
holds = ["customer.chat", "customer.email"]
since = 2023-01-01
[[system]]
id = "de-vault"
name = "Encrypted backup"
country = "DE"
operator = "vault-de"
operator_access = false
holds = ["customer.card"]

[[access]]
who = "helpdesk-jp"
to = "jp-db"
categories = ["customer.email"]
from_country = "VN"
purpose = "support"
mode = "remote"
since = 2022-05-01
until = 2025-01-01
headcount = 3
[[access]]
who = "sub-cn"
to = "us-store"
categories = ["customer.chat"]
purpose = "moderation"
mode = "monitoring"
controls = ["mfa", "logging"]
observed = "weekly reviews"
[[access]]
who = "audit-us"
to = "jp-db"
categories = ["customer.card"]
from_country = "JP"
purpose = "audit"
mode = "remote"
[[access]]
who = "group-kr"
to = "jp-db"
categories = ["customer.email"]
purpose = "=SUM(1,2)"

[[contract]]
from = "acme"
to = "helpdesk-jp"
kind = "entrustment"
purpose = "support"
[[contract]]
from = "acme"
to = "cloud-us"
kind = "entrustment"
purpose = "hosting"
transfer_basis = "consent"
[[contract]]
from = "cloud-us"
to = "sub-cn"
kind = "re-entrustment"
purpose = "moderation"
[[contract]]
from = "acme"
to = "audit-us"
kind = "provision"
purpose = "audit"
[[contract]]
from = "acme"
to = "vault-de"
kind = "entrustment"
purpose = "key-less backup"
"#;

/// The tiny model written to a fresh directory, so locations are real files.
fn tiny_dir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let model = dir.path().join("tiny.toml");
    std::fs::write(&model, TINY).expect("the model is written");
    (dir, model)
}

fn build(model_path: &Path) -> BTreeMap<String, String> {
    let model = Model::load(model_path).expect("the tiny model loads");
    let evaluation = Evaluation::new(&model, model.default_date());
    let root = model_path.parent().expect("a parent directory");
    set::build(&evaluation, root, &[Lang::En, Lang::Ja])
        .files
        .into_iter()
        .map(|(name, bytes)| (name, String::from_utf8(bytes).expect("UTF-8")))
        .collect()
}

fn assert_lines(doc: &str, name: &str, expected: &[&str]) {
    for line in expected {
        assert!(
            doc.lines().any(|l| l == *line),
            "{name} lacks the line\n{line}\n--- {name} ---\n{doc}"
        );
    }
}

/// The section of a Markdown document from `start` to the next heading of
/// the same level.
fn section<'a>(doc: &'a str, start: &str) -> &'a str {
    let from = doc
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in\n{doc}"));
    let rest = &doc[from + start.len()..];
    let level = start.split(' ').next().unwrap_or("##");
    let end = rest
        .find(&format!("\n{level} "))
        .map(|i| i + 1)
        .unwrap_or(rest.len());
    &doc[from..from + start.len() + end]
}

#[test]
fn english_disclosure_names_each_country_its_system_and_its_chain() {
    let (_dir, model) = tiny_dir();
    let files = build(&model);
    let doc = &files["appi-disclosure.en.md"];
    // Five foreign countries in code order; counts are (categories reached,
    // organisations reading there, systems stored there). Only US is disclosed.
    // US: chat and email on us-store, card by audit-us's seat; cloud-us and
    // audit-us.
    assert_lines(
        doc,
        "appi-disclosure.en.md",
        &[
            "| China (CN) | 1 | 1 | 0 | **no** |",
            "| Germany (DE) | 1 | 0 | 1 | **no** |",
            "| South Korea (KR) | 1 | 1 | 0 | **no** |",
            "| United States (US) | 3 | 2 | 1 | yes |",
            "| Vietnam (VN) | 1 | 1 | 0 | **no** |",
            "## 1. China (CN)",
            "## 5. Vietnam (VN)",
        ],
    );
    let china = section(doc, "## 1. China (CN)");
    assert!(china.contains("National Intelligence Law"), "{china}");
    assert_lines(
        china,
        "China section",
        &[
            "#### Sub CN Ltd. (`sub-cn`)",
            "- Relationship: re-entrustment",
            "- Under APPI Art. 28: a third party in a foreign country (Art. 28 applies to entrustment too)",
            "- Chain of contracts: Acme Corp → Cloud US Inc. (entrustment) → Sub CN Ltd. (re-entrustment)",
            "- Basis for the transfer abroad: none recorded",
            "- Personal data: Support chat",
            "- Purposes: moderation",
            "  - Monitoring access from China to US object store (`us-store`, in United States), no dates recorded. Observed: weekly reviews.",
            "- Measures recorded: logging, mfa",
            "- Note: Moderators in Shenzhen.",
            "- Sub CN Ltd.: logging, mfa",
        ],
    );
    let germany = section(doc, "## 2. Germany (DE)");
    assert_lines(
        germany,
        "Germany section",
        &[
            "- Designated under APPI Rule 15 as having a system equivalent to Japan's: yes",
            "- EU adequacy decision (GDPR Art. 45): not needed (inside the EEA)",
            "- Encrypted backup (`de-vault`): operated by -Vault GmbH (`vault-de`, seated in Germany); the operator cannot read what it holds (`operator_access = false`): not a provision to a third party (PPC Q&A 12-3), but handling in a foreign country; no dates recorded. Data: Card number.",
        ],
    );
    assert!(germany.contains("No organisation's people in Germany have access"));
    let korea = section(doc, "## 3. South Korea (KR)");
    assert_lines(
        korea,
        "Korea section",
        &[
            "- Relationship: **no contract recorded**",
            "- Chain of contracts: Acme Corp → Group KR (subsidiary, no contract recorded)",
            "- Purposes: =SUM(1,2)",
        ],
    );
    let us = section(doc, "## 4. United States (US)");
    assert_lines(
        us,
        "US section",
        &[
            "#### Audit US LLC (`audit-us`)",
            "- Relationship: provision",
            "  - Remote access from Japan to Main database (`jp-db`, in Japan), no dates recorded. The organisation is seated in this country; its people work from elsewhere.",
            "- Basis for the transfer abroad: consent",
            "  - Operates US object store (`us-store`, in United States) and can read what it holds, since 2023-01-01.",
        ],
    );
    assert!(us.contains("CLOUD Act"), "{us}");
    let vietnam = section(doc, "## 5. Vietnam (VN)");
    // until 2025-01-01 is exclusive: the last day is 2024-12-31.
    assert_lines(
        vietnam,
        "Vietnam section",
        &[
            "- Under APPI Art. 28: seated in Japan, so not a third party in a foreign country; its people handle the data in Vietnam",
            "  - Remote access from Vietnam to Main database (`jp-db`, in Japan), from 2022-05-01 to 2024-12-31. People with access: 3.",
        ],
    );
}

#[test]
fn japanese_disclosure_reads_as_a_japanese_statement() {
    let (_dir, model) = tiny_dir();
    let files = build(&model);
    let doc = &files["appi-disclosure.ja.md"];
    assert!(doc.starts_with(
        "# 外国にある第三者への個人データの提供及び外国における個人データの取扱いについて（Acme shop）"
    ));
    assert_lines(
        doc,
        "appi-disclosure.ja.md",
        &[
            "- 基準日：2024年4月1日",
            "- 個人情報取扱事業者（本書において「当社」）：アクメ株式会社",
            "| 中国（CN） | 1 | 1 | 0 | **なし** |",
            "| 米国（US） | 3 | 2 | 1 | あり |",
            "- 当社との関係：第三者提供",
            "- 法第28条との関係：外国にある第三者に該当",
            "## 1. 中国（CN）",
            "### 1.2 当該外国における個人情報の保護に関する制度",
            "- 当社との関係：再委託",
            "- 法第28条との関係：外国にある第三者に該当（委託に伴う提供であっても法第28条が適用される）",
            "- 契約の経路：アクメ株式会社 →（委託）Cloud US Inc. →（再委託）Sub CN Ltd.",
            "- 外国にある第三者への提供の根拠：記録なし",
            "- 個人データの項目：サポートチャット",
            "- 講じている措置：logging、mfa",
            "- 当社との関係：**契約の記録なし**",
            "- 契約の経路：アクメ株式会社 →（子会社。契約の記録なし）Group KR",
            "  - ベトナムから「Main database」（`jp-db`、日本所在）へのアクセス（リモートアクセス）。期間：2022年5月1日から2024年12月31日まで。アクセス可能な人数：3名。",
        ],
    );
    let china = section(doc, "## 1. 中国（CN）");
    assert!(china.contains("国家情報法"), "{china}");
    assert!(china.contains("事業者に対し政府の情報収集活動への協力義務を課す制度"));
    assert!(doc.contains("外国にある第三者への提供"));
    assert!(doc.contains("運用者は個人データを取り扱わないこととなっており"));
}

#[test]
fn subprocessor_list_has_every_handler_and_neutralised_cells() {
    let (_dir, model) = tiny_dir();
    let files = build(&model);
    let csv_text = &files["subprocessors.csv"];
    assert!(csv_text.starts_with('\u{feff}'), "Excel needs the BOM");
    let mut reader = csv::Reader::from_reader(csv_text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().expect("a header row").clone();
    let rows: Vec<BTreeMap<String, String>> = reader
        .records()
        .map(|r| {
            headers
                .iter()
                .map(String::from)
                .zip(r.expect("a well-formed row").iter().map(String::from))
                .collect()
        })
        .collect();
    // Sorted by name: "-Vault GmbH" sorts first ('-' before letters), then
    // Audit US, Cloud US, Group KR, Helpdesk JP, Sub CN. Acme is the controller.
    let names: Vec<&str> = rows.iter().map(|r| r["Entity"].as_str()).collect();
    assert_eq!(
        names,
        [
            "'-Vault GmbH",
            "Audit US LLC",
            "Cloud US Inc.",
            "Group KR",
            "Helpdesk JP",
            "Sub CN Ltd."
        ]
    );
    let sub = &rows[5];
    assert_eq!(sub["Where processed"], "China (CN)");
    assert_eq!(sub["Corporate seat"], "China (CN)");
    assert_eq!(sub["Systems"], "US object store (us-store, US)");
    assert_eq!(
        sub["Chain of contracts"],
        "Acme Corp → Cloud US Inc. (entrustment) → Sub CN Ltd. (re-entrustment)"
    );
    assert_eq!(sub["Relationship"], "re-entrustment");
    assert_eq!(sub["Since"], "", "the access has no since");
    let group = &rows[3];
    assert_eq!(group["Purpose"], "'=SUM(1,2)");
    assert_eq!(group["Relationship"], "no contract recorded");
    let helpdesk = &rows[4];
    assert_eq!(helpdesk["Where processed"], "Vietnam (VN)");
    assert_eq!(helpdesk["Since"], "2022-05-01");
    assert_eq!(helpdesk["Last day"], "2024-12-31");
    let vault = &rows[0];
    assert_eq!(vault["Where processed"], "Germany (DE)");
    assert_eq!(vault["Personal data"], "Card number (customer.card)");
    let audit = &rows[1];
    assert_eq!(audit["Where processed"], "Japan (JP)");
    assert_eq!(audit["Corporate seat"], "United States (US)");
    assert_eq!(audit["Relationship"], "provision");
    let cloud = &rows[2];
    assert_eq!(cloud["Transfer basis"], "consent");
    assert_eq!(cloud["Since"], "2023-01-01");

    let md = &files["subprocessors.md"];
    assert!(md.contains("| Sub CN Ltd. (`sub-cn`; vendor, re-entrustment) | moderation | China (CN) — US object store (us-store, US) | China (CN) |"), "{md}");
    assert!(
        md.contains("| Group KR (`group-kr`; group, **no contract recorded**) | =SUM(1,2) |"),
        "{md}"
    );
}

#[test]
fn art30_record_has_one_row_per_purpose_with_columns_a_to_g() {
    let (_dir, model) = tiny_dir();
    let files = build(&model);
    let text = files["art30-record.csv"].trim_start_matches('\u{feff}');
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    for letter in ["a", "b", "c", "d", "e", "f", "g"] {
        assert!(
            headers
                .iter()
                .any(|h| h.starts_with(&format!("Art. 30(1)({letter})"))),
            "no column for Art. 30(1)({letter}): {headers:?}"
        );
    }
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    // Purposes, byte order ('=' < 'a'), the unrecorded one last: the access
    // purposes (=SUM, audit, moderation, support) and the contract purposes of
    // the organisations running systems (hosting: cloud-us; key-less backup:
    // vault-de).
    let purposes: Vec<&str> = rows.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(
        purposes,
        [
            "'=SUM(1,2)",
            "audit",
            "hosting",
            "key-less backup",
            "moderation",
            "support",
            "(not recorded in the model: storage and operation of the systems listed)"
        ]
    );
    let audit = &rows[1];
    // audit-us's people are in Japan (home); its seat makes it a US transfer.
    assert_eq!(
        audit[5],
        "United States (US): seat by Audit US LLC; safeguard recorded: none; EU: partial adequacy decision (certain recipients only)"
    );
    assert_eq!(
        audit[4],
        "processor: Audit US LLC (audit-us, US), provision"
    );
    let moderation = &rows[4];
    assert_eq!(moderation[3], "Support chat (customer.chat)");
    assert_eq!(
        moderation[4],
        "vendor: Sub CN Ltd. (sub-cn, CN), re-entrustment"
    );
    assert_eq!(
        moderation[5],
        "China (CN): accessed by Sub CN Ltd.; safeguard recorded: none; EU: no adequacy decision"
    );
    assert_eq!(moderation[7], "logging; mfa");
    let hosting = &rows[2];
    assert_eq!(
        hosting[5],
        "United States (US): operated, stored by Cloud US Inc.; safeguard recorded: consent; EU: partial adequacy decision (certain recipients only)"
    );
    let support = &rows[5];
    // The seat reach (helpdesk-jp is seated in Japan) is home, not a transfer.
    assert_eq!(
        support[5],
        "Vietnam (VN): accessed by Helpdesk JP; safeguard recorded: none; EU: no adequacy decision"
    );
    let own = &rows[6];
    assert_eq!(own[4], "none: handled by the controller only");
    assert_eq!(own[5], "none (all handling in JP)");
    assert_eq!(
        own[3],
        "Customer data (customer); Card number (customer.card); Support chat (customer.chat); Email address (customer.email)"
    );
    for row in &rows {
        assert_eq!(row.len(), headers.len());
        assert_eq!(row[10], "2024-04-01");
        assert!(
            row.iter().all(|c| !c.starts_with(['=', '+', '-', '@'])),
            "a formula cell: {row:?}"
        );
    }
}

#[test]
fn findings_and_index_carry_no_machine_paths() {
    let (dir, model) = tiny_dir();
    let files = build(&model);
    let findings: serde_json::Value = serde_json::from_str(&files["findings.json"]).expect("JSON");
    let undisclosed: Vec<&str> = findings["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "undisclosed-country")
        .map(|f| f["country"].as_str().unwrap())
        .collect();
    // Everything foreign but the US, which is disclosed.
    assert_eq!(undisclosed, ["CN", "DE", "KR", "VN"]);
    assert!(files["findings.json"].contains("\"file\": \"tiny.toml\""));
    assert!(files["findings.md"].contains("- Where: `tiny.toml`, line 2"));
    let temp = dir.path().to_string_lossy();
    for (name, text) in &files {
        assert!(!text.contains(temp.as_ref()), "{name} embeds {temp}");
    }
    assert_lines(
        &files["index.md"],
        "index.md",
        &[
            "| [appi-disclosure.ja.md](appi-disclosure.ja.md) | 外国にある第三者への提供及び外国における個人データの取扱いに関する情報（日本語）: the APPI Art. 28(2) / Art. 32 statement for the privacy policy, one section per foreign country |",
            "- Foreign countries that reach personal data: China (CN), Germany (DE), South Korea (KR), United States (US), Vietnam (VN)",
            "- Not named in the current disclosure: CN, DE, KR, VN",
        ],
    );
    let names: Vec<&String> = files
        .keys()
        .filter(|n| !n.starts_with("diagrams/"))
        .collect();
    // Diagrams: every view in English, access and countries in Japanese; the
    // model's sensitive categories are customer.card and customer.chat.
    // SVG only where Graphviz is installed.
    let has_dot = std::process::Command::new("dot").arg("-V").output().is_ok();
    let mut expected_pictures = Vec::new();
    for stem in [
        "access",
        "access.ja",
        "category-customer.card",
        "category-customer.chat",
        "countries",
        "countries.ja",
    ] {
        for ext in ["dot", "mmd", "svg"] {
            if ext != "svg" || has_dot {
                expected_pictures.push(format!("diagrams/{stem}.{ext}"));
            }
        }
    }
    expected_pictures.sort();
    let pictures: Vec<&String> = files
        .keys()
        .filter(|n| n.starts_with("diagrams/"))
        .collect();
    assert_eq!(pictures, expected_pictures.iter().collect::<Vec<_>>());
    assert!(files["index.md"].contains("| What reaches `customer.card` | "));
    assert_eq!(
        names,
        [
            "appi-disclosure.en.md",
            "appi-disclosure.ja.md",
            "art30-record.csv",
            "findings.json",
            "findings.md",
            "index.md",
            "matrix.csv",
            "matrix.json",
            "matrix.md",
            "report.html",
            "subprocessors.csv",
            "subprocessors.md"
        ]
    );
    assert_eq!(build(&model), files, "the same model gives the same set");
}

#[test]
fn a_model_without_foreign_reach_says_so() {
    let model = Model::from_toml_str(
        "home.toml",
        r#"
[model]
name = "Local"
home = "JP"
as_of = 2024-01-01
[[category]]
id = "c"
name = "C"
[[organisation]]
id = "me"
name = "Me"
country = "JP"
role = "controller"
[[system]]
id = "s"
name = "S"
country = "JP"
operator = "me"
holds = ["c"]
"#,
    )
    .expect("loads");
    let evaluation = Evaluation::new(&model, model.default_date());
    let built = set::build(&evaluation, Path::new(""), &[Lang::Ja]);
    let names: Vec<&str> = built.files.iter().map(|(n, _)| n.as_str()).collect();
    assert!(!names.contains(&"appi-disclosure.en.md"), "--lang ja only");
    let ja = &built
        .files
        .iter()
        .find(|(n, _)| n == "appi-disclosure.ja.md")
        .unwrap()
        .1;
    let ja = String::from_utf8_lossy(ja);
    assert!(ja.contains("2024年1月1日時点で、外国において保存され、運用され、又は外国からアクセス可能な個人データはありません。"), "{ja}");
}

// ---------------------------------------------------------------- writing

fn reachmap(args: &[&str], cwd: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_reachmap"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("reachmap runs")
}

/// Every file under `dir` (recursively, dot files too) with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("readable") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&path).expect("readable"));
            }
        }
    }
    out
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_bad_model_leaves_the_previous_set_byte_identical() {
    let (dir, model) = tiny_dir();
    let out = dir.path().join("out").join("tiny");
    let first = reachmap(
        &[
            "report",
            model.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        dir.path(),
    );
    // The tiny model has error findings (undisclosed countries): exit 1, written.
    assert_eq!(
        first.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let before = snapshot(&out);
    assert!(before.contains_key(MARKER));
    assert!(before.contains_key("appi-disclosure.ja.md"));

    std::fs::write(
        &model,
        TINY.replace("role = \"vendor\"", "role = \"vendr\""),
    )
    .unwrap();
    let second = reachmap(
        &[
            "report",
            model.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_eq!(second.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&second.stderr).contains("vendr"));
    assert_eq!(snapshot(&out), before, "the previous set is untouched");
    assert_eq!(
        names_in(&dir.path().join("out")),
        ["tiny"],
        "no temporary directory is left"
    );
}

#[test]
fn a_failed_write_leaves_the_previous_set_and_no_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("set");
    let good = vec![("a.md".to_string(), b"first".to_vec())];
    set::write(&good, &target, false, &[]).expect("the first set is written");
    let before = snapshot(&target);
    // "a" is written as a file, so "a/b" cannot be created under it: the
    // write fails half-way, as on a full disk.
    let broken = vec![
        ("a".to_string(), b"x".to_vec()),
        ("a/b".to_string(), b"y".to_vec()),
    ];
    let err = set::write(&broken, &target, false, &[]).unwrap_err();
    assert!(
        err.to_string().contains("previous report set is unchanged"),
        "{err}"
    );
    assert_eq!(snapshot(&target), before);
    assert_eq!(names_in(dir.path()), ["set"]);
}

#[test]
fn a_directory_that_is_not_a_report_set_is_refused_unless_forced() {
    let (dir, model) = tiny_dir();
    let out = dir.path().join("notes");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("keep.txt"), "mine").unwrap();
    let refused = reachmap(
        &[
            "report",
            model.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("not a report set") && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(names_in(&out), ["keep.txt"]);

    let forced = reachmap(
        &[
            "report",
            model.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--force",
        ],
        dir.path(),
    );
    assert_eq!(forced.status.code(), Some(1));
    let names = names_in(&out);
    assert!(!names.contains(&"keep.txt".to_string()));
    assert!(names.contains(&MARKER.to_string()));
}

#[test]
fn a_previous_set_is_replaced_whole_and_the_model_is_never_replaced() {
    let (dir, model) = tiny_dir();
    let out = dir.path().join("set");
    let model_arg = model.to_str().unwrap();
    reachmap(
        &["report", model_arg, "--out", out.to_str().unwrap()],
        dir.path(),
    );
    std::fs::write(out.join("stale.md"), "from an older run").unwrap();
    reachmap(
        &[
            "report",
            model_arg,
            "--out",
            out.to_str().unwrap(),
            "--lang",
            "en",
        ],
        dir.path(),
    );
    let names = names_in(&out);
    assert!(!names.contains(&"stale.md".to_string()), "{names:?}");
    assert!(
        !names.contains(&"appi-disclosure.ja.md".to_string()),
        "{names:?}"
    );
    assert!(names.contains(&"appi-disclosure.en.md".to_string()));

    // The directory holding the model, even forced: refused, model intact.
    let refused = reachmap(
        &[
            "report",
            model_arg,
            "--out",
            dir.path().to_str().unwrap(),
            "--force",
        ],
        dir.path(),
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("refusing to replace"));
    assert_eq!(std::fs::read_to_string(&model).unwrap(), TINY);
}

#[test]
fn the_default_directory_is_reports_slash_the_model_name() {
    let (dir, model) = tiny_dir();
    let run = reachmap(&["report", "tiny.toml"], dir.path());
    assert_eq!(run.status.code(), Some(1));
    assert!(dir.path().join("reports/tiny").join(MARKER).is_file());
    // Nothing else appears next to the model: the set stays inside reports/.
    assert_eq!(names_in(dir.path()), ["reports", "tiny.toml"]);
    assert_eq!(names_in(&dir.path().join("reports")), ["tiny"]);
    assert!(model.is_file());
}

// ---------------------------------------------------------------- reports/

#[test]
fn the_html_matrix_has_one_link_per_reached_pair() {
    let (_dir, model) = tiny_dir();
    let files = build(&model);
    let page = &files["report.html"];
    let table = page
        .split("<table id=\"reach\"")
        .nth(1)
        .and_then(|t| t.split("</table>").next())
        .expect("the matrix table");
    // Worked out from the model (see TINY): rows by category id, columns
    // home first and then by code (JP CN DE KR US VN). JP stores and operates
    // everything on jp-db; audit-us reads the card from JP (A) and is seated
    // in the US (C); helpdesk-jp is seated in JP (C) and reads email from VN;
    // cloud-us stores and operates chat and email in the US; sub-cn reads
    // chat from CN, group-kr email from KR; de-vault stores the card in DE,
    // its operator cannot read it.
    let expected = [
        ("JP/customer", "SO"),
        ("JP/customer.card", "SOA"),
        ("DE/customer.card", "S"),
        ("US/customer.card", "C"),
        ("JP/customer.chat", "SO"),
        ("CN/customer.chat", "A"),
        ("US/customer.chat", "SO"),
        ("JP/customer.email", "SOC"),
        ("KR/customer.email", "A"),
        ("US/customer.email", "SO"),
        ("VN/customer.email", "A"),
    ];
    let cells: Vec<(String, String)> = table
        .split("data-kinds=\"")
        .skip(1)
        .map(|cell| {
            let kinds = cell.split('"').next().unwrap().to_string();
            let target = cell
                .split("href=\"#cell=")
                .nth(1)
                .and_then(|h| h.split('"').next())
                .expect("a link to the cell")
                .to_string();
            (target, kinds)
        })
        .collect();
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(t, k)| (t.to_string(), k.to_string()))
        .collect();
    assert_eq!(cells, expected);
    assert!(page.contains("<section id=\"disclosure-ja\" class=\"page disclosure\" lang=\"ja\">"));
    assert!(page.contains("<section id=\"disclosure-en\" class=\"page disclosure\" lang=\"en\">"));
}

/// `report.html` with the contents of each `<figure class="diagram">`
/// replaced by a fixed text. Graphviz escapes every name in its SVG, so a
/// figure's first `</figure>` is its own.
fn mask_diagram_figures(html: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(html);
    let open = "<figure class=\"diagram\"";
    let mut out = String::with_capacity(text.len());
    let mut rest: &str = &text;
    while let Some(start) = rest.find(open) {
        out.push_str(&rest[..start]);
        out.push_str("<figure class=\"diagram\">(diagram)</figure>");
        let after = &rest[start..];
        rest = match after.find("</figure>") {
            Some(end) => &after[end + "</figure>".len()..],
            None => "",
        };
    }
    out.push_str(rest);
    out.into_bytes()
}

#[test]
fn diagram_figures_are_masked_and_nothing_else() {
    let page = "<p>a</p><figure class=\"diagram\" id=\"x\"><svg>1</svg></figure><p>b</p><figure class=\"diagram\"><pre>2</pre></figure>";
    assert_eq!(
        String::from_utf8(mask_diagram_figures(page.as_bytes())).unwrap(),
        "<p>a</p><figure class=\"diagram\">(diagram)</figure><p>b</p><figure class=\"diagram\">(diagram)</figure>"
    );
}

/// The committed `reports/<name>/` of every model in `models/` is exactly what
/// `reachmap report models/<name>` writes today.
#[test]
fn committed_reports_are_fresh() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scratch = tempfile::tempdir().unwrap();
    let mut models: Vec<String> = std::fs::read_dir(root.join("models"))
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    models.sort();
    assert!(!models.is_empty(), "models/ holds the example models");
    let mut problems = Vec::new();
    for name in &models {
        let out = scratch.path().join(name);
        let run = reachmap(
            &[
                "report",
                &format!("models/{name}"),
                "--out",
                out.to_str().unwrap(),
            ],
            root,
        );
        assert!(
            matches!(run.status.code(), Some(0 | 1)),
            "reachmap report models/{name} failed: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        let fresh = snapshot(&out);
        let committed_dir = root.join("reports").join(name);
        let committed = if committed_dir.is_dir() {
            snapshot(&committed_dir)
        } else {
            BTreeMap::new()
        };
        let regenerate = format!("cargo run -- report models/{name} --out reports/{name}");
        // SVG comes from the installed Graphviz, whose version changes its
        // bytes (and which may be absent): every committed diagram must have
        // its SVG, but SVG bytes are not compared. DOT and Mermaid are.
        let is_svg = |f: &String| f.ends_with(".svg");
        for dot in committed.keys().filter(|f| f.ends_with(".dot")) {
            let svg = dot.replace(".dot", ".svg");
            if !committed.contains_key(&svg) {
                problems.push(format!(
                    "reports/{name}/{svg} is missing; install Graphviz and regenerate with: {regenerate}"
                ));
            }
        }
        // report.html embeds that SVG (or, without Graphviz, the Mermaid
        // source instead): its diagram figures are masked, the rest compared.
        let comparable = |set: BTreeMap<String, Vec<u8>>| -> BTreeMap<String, Vec<u8>> {
            set.into_iter()
                .filter(|(f, _)| !is_svg(f))
                .map(|(f, bytes)| {
                    let bytes = if f == "report.html" {
                        mask_diagram_figures(&bytes)
                    } else {
                        bytes
                    };
                    (f, bytes)
                })
                .collect()
        };
        let fresh = comparable(fresh);
        let committed = comparable(committed);
        for (file, bytes) in &fresh {
            match committed.get(file) {
                None => problems.push(format!("reports/{name}/{file} is missing; regenerate with: {regenerate}")),
                Some(old) if old != bytes => problems.push(format!(
                    "reports/{name}/{file} differs from what the code generates ({}); regenerate with: {regenerate}",
                    first_difference(old, bytes)
                )),
                Some(_) => {}
            }
        }
        for file in committed.keys().filter(|f| !fresh.contains_key(*f)) {
            problems.push(format!(
                "reports/{name}/{file} is no longer generated; regenerate with: {regenerate}"
            ));
        }
    }
    for entry in std::fs::read_dir(root.join("reports"))
        .into_iter()
        .flatten()
    {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_dir() && !models.contains(&name) {
            problems.push(format!(
                "reports/{name} has no model in models/; delete it (git rm -r reports/{name})"
            ));
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

fn first_difference(old: &[u8], new: &[u8]) -> String {
    let old = String::from_utf8_lossy(old);
    let new = String::from_utf8_lossy(new);
    let line = old
        .lines()
        .zip(new.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| old.lines().count().min(new.lines().count()));
    format!(
        "first at line {}: committed {:?}, generated {:?}",
        line + 1,
        old.lines().nth(line).unwrap_or("<end of file>"),
        new.lines().nth(line).unwrap_or("<end of file>")
    )
}

/// What makes the LINE report useful, checked on the committed set itself.
#[test]
fn the_line_report_names_china_korea_and_the_dalian_chain() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("reports/line-2021");
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).expect(name);
    let en = read("appi-disclosure.en.md");
    let ja = read("appi-disclosure.ja.md");
    let china_en = section(&en, "## 1. China (CN)");
    assert!(china_en.contains("National Intelligence Law"));
    assert!(china_en.contains(
        "- Chain of contracts: LINE Corporation → Japanese monitoring contractor (unnamed) (entrustment) → Dalian group company of the monitoring contractor (unnamed) (re-entrustment)"
    ));
    let china_ja = section(&ja, "## 1. 中国（CN）");
    assert!(china_ja.contains("国家情報法"));
    assert!(china_ja.contains("- 当社との関係：再委託"));
    assert!(en.contains("## 3. South Korea (KR)") && ja.contains("## 3. 韓国（KR）"));
    let korea = section(&en, "## 3. South Korea (KR)");
    assert!(korea.contains("Personal Information Protection Act"));
    assert!(korea.contains("#### NAVER Corporation (`naver`)"));
    let subprocessors = read("subprocessors.csv");
    assert!(subprocessors.contains("Dalian group company of the monitoring contractor (unnamed),dalian-co,vendor,China (CN),China (CN)"));
    let art30 = read("art30-record.csv");
    assert!(art30.starts_with('\u{feff}'));
    let mut reader = csv::Reader::from_reader(art30.trim_start_matches('\u{feff}').as_bytes());
    let width = reader.headers().unwrap().len();
    for record in reader.records() {
        let record = record.expect("every row parses");
        assert_eq!(record.len(), width);
    }
}

/// A diagram's SVG is named after its DOT file by the extension only: an id
/// that contains `.dot` (`a.dot.b`) keeps it.
#[test]
fn svg_names_change_only_the_extension() {
    if std::process::Command::new("dot")
        .arg("-V")
        .output()
        .is_err()
    {
        eprintln!("skipped: Graphviz is not installed");
        return;
    }
    let model = Model::from_toml_str(
        "m.toml",
        "[model]\nname = \"M\"\nhome = \"JP\"\nas_of = 2021-03-01\n\
         [[category]]\nid = \"a.dot.b\"\nname = \"A\"\nsensitivity = \"secrecy\"\n\
         [[organisation]]\nid = \"o\"\nname = \"O\"\ncountry = \"JP\"\nrole = \"controller\"\n\
         [[system]]\nid = \"s\"\nname = \"S\"\ncountry = \"KR\"\noperator = \"o\"\nholds = [\"a.dot.b\"]\n",
    )
    .expect("a valid model");
    let evaluation = Evaluation::new(&model, model.default_date());
    let built = set::build(&evaluation, Path::new(""), &[Lang::En]);
    let names: Vec<&str> = built.files.iter().map(|(n, _)| n.as_str()).collect();
    for name in [
        "diagrams/category-a.dot.b.dot",
        "diagrams/category-a.dot.b.svg",
    ] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
    assert!(built.warnings.is_empty(), "{:?}", built.warnings);
}
