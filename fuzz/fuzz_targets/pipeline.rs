//! The whole pipeline on models of arbitrary shape: load, evaluate, compare
//! the engine with the plain reference implementation, and render every
//! output (`tests/support/outputs.rs`), checking each for its format.
//! Names, ids, notes and purposes are arbitrary strings; references are
//! indices into the entries, so most inputs load and reach the engine.

#![no_main]

#[path = "../../tests/support/outputs.rs"]
mod outputs;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use reachmap::model::{Date, Model};
use reachmap::reach::{Evaluation, MatrixDoc, reference};

const COUNTRIES: [&str; 8] = ["JP", "KR", "CN", "US", "DE", "VN", "SG", "IN"];
const DATES: [&str; 6] = [
    "2019-01-01",
    "2020-06-30",
    "2021-02-24",
    "2021-03-01",
    "2022-01-01",
    "2024-12-31",
];
const SENSITIVITIES: [&str; 5] = ["normal", "sensitive", "special_care", "secrecy", "payment"];
const ROLES: [&str; 4] = ["controller", "group", "processor", "vendor"];
const MODES: [&str; 4] = ["remote", "onsite", "admin", "monitoring"];
const CONTRACT_KINDS: [&str; 5] = [
    "entrustment",
    "re-entrustment",
    "provision",
    "joint_use",
    "group",
];
const KINDS: [&str; 4] = ["accessed", "operated", "seat", "stored"];

#[derive(Arbitrary, Debug)]
struct Window {
    since: Option<u8>,
    until: Option<u8>,
}

#[derive(Arbitrary, Debug)]
struct Category {
    parent: Option<u8>,
    label: String,
    name: String,
    name_ja: Option<String>,
    sensitivity: u8,
    note: Option<String>,
}

#[derive(Arbitrary, Debug)]
struct Organisation {
    label: String,
    name: String,
    country: u8,
    role: u8,
    parent: Option<u8>,
    window: Window,
    source: Option<String>,
}

#[derive(Arbitrary, Debug)]
struct System {
    label: String,
    name: String,
    country: u8,
    operator: u8,
    operator_access: Option<bool>,
    holds: Vec<u8>,
    window: Window,
}

#[derive(Arbitrary, Debug)]
struct Flow {
    from: u8,
    to: u8,
    categories: Option<Vec<u8>>,
    purpose: Option<String>,
    window: Window,
}

#[derive(Arbitrary, Debug)]
struct Access {
    who: u8,
    to: u8,
    categories: Option<Vec<u8>>,
    from_country: Option<u8>,
    purpose: Option<String>,
    mode: Option<u8>,
    headcount: Option<u16>,
    observed: Option<String>,
    controls: Vec<String>,
    window: Window,
}

#[derive(Arbitrary, Debug)]
struct Contract {
    from: u8,
    to: u8,
    kind: u8,
    categories: Option<Vec<u8>>,
    purpose: Option<String>,
    transfer_basis: Option<String>,
    window: Window,
}

#[derive(Arbitrary, Debug)]
struct Policy {
    label: String,
    categories: Vec<u8>,
    deny: bool,
    countries: Vec<u8>,
    kinds: Vec<u8>,
    warning: bool,
    message: Option<String>,
}

#[derive(Arbitrary, Debug)]
struct Spec {
    name: String,
    home: u8,
    disclosed: Option<Vec<u8>>,
    country_name: Option<String>,
    regime_note: Option<String>,
    categories: Vec<Category>,
    organisations: Vec<Organisation>,
    systems: Vec<System>,
    flows: Vec<Flow>,
    accesses: Vec<Access>,
    contracts: Vec<Contract>,
    policies: Vec<Policy>,
    date: u8,
    baseline: u8,
}

/// A TOML basic string.
fn q(text: impl AsRef<str>) -> String {
    let mut out = String::from("\"");
    for ch in text.as_ref().chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ch if ch.is_control() => out.push_str(&format!("\\u{:04X}", ch as u32)),
            ch => out.push(ch),
        }
    }
    out.push('"');
    out
}

/// An id the loader accepts, made unique by its index.
fn id(label: &str, i: usize) -> String {
    let kept: String = label
        .chars()
        .filter(|&ch| {
            !ch.is_control() && !matches!(ch, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        })
        .take(40)
        .collect();
    format!("{kept}~{i}")
}

fn pick<'a, T>(items: &'a [T], i: u8) -> &'a T {
    &items[i as usize % items.len()]
}

fn list(ids: &[String], picks: &[u8]) -> String {
    let items: Vec<String> = picks.iter().take(6).map(|&p| q(pick(ids, p))).collect();
    format!("[{}]", items.join(", "))
}

fn window(out: &mut String, w: &Window) {
    if let Some(s) = w.since {
        out.push_str(&format!("since = {}\n", pick(&DATES, s)));
    }
    if let Some(u) = w.until {
        out.push_str(&format!("until = {}\n", pick(&DATES, u)));
    }
}

fn text(out: &mut String, key: &str, value: &Option<String>) {
    if let Some(v) = value {
        out.push_str(&format!("{key} = {}\n", q(v)));
    }
}

fn model_text(spec: &Spec) -> Option<String> {
    let categories = &spec.categories[..spec.categories.len().min(6)];
    let organisations = &spec.organisations[..spec.organisations.len().min(6)];
    let systems = &spec.systems[..spec.systems.len().min(8)];
    if categories.is_empty() || organisations.is_empty() || systems.is_empty() {
        return None;
    }
    let mut out = format!(
        "[model]\nname = {}\nhome = \"{}\"\nas_of = {}\n",
        q(&spec.name),
        pick(&COUNTRIES, spec.home),
        pick(&DATES, spec.date)
    );
    if let Some(d) = &spec.disclosed {
        let codes: Vec<String> = d.iter().take(4).map(|&c| q(pick(&COUNTRIES, c))).collect();
        out.push_str(&format!("disclosed_countries = [{}]\n", codes.join(", ")));
    }
    // A category's parent is an earlier category: ids stay dotted paths.
    let mut category_ids: Vec<String> = Vec::new();
    for (i, c) in categories.iter().enumerate() {
        let own = id(&c.label.replace('.', ""), i);
        let full = match c.parent {
            Some(p) if i > 0 => format!("{}.{own}", pick(&category_ids, p)),
            _ => own,
        };
        out.push_str(&format!(
            "\n[[category]]\nid = {}\nname = {}\nsensitivity = \"{}\"\n",
            q(&full),
            q(&c.name),
            pick(&SENSITIVITIES, c.sensitivity)
        ));
        text(&mut out, "name_ja", &c.name_ja);
        text(&mut out, "note", &c.note);
        category_ids.push(full);
    }
    let org_ids: Vec<String> = organisations
        .iter()
        .enumerate()
        .map(|(i, o)| id(&o.label, i))
        .collect();
    for (i, o) in organisations.iter().enumerate() {
        out.push_str(&format!(
            "\n[[organisation]]\nid = {}\nname = {}\ncountry = \"{}\"\nrole = \"{}\"\n",
            q(&org_ids[i]),
            q(&o.name),
            pick(&COUNTRIES, o.country),
            pick(&ROLES, o.role)
        ));
        // Parents are earlier organisations: ownership cannot form a cycle.
        if let Some(p) = o.parent.filter(|_| i > 0) {
            out.push_str(&format!("parent = {}\n", q(&org_ids[p as usize % i])));
        }
        text(&mut out, "source", &o.source);
        window(&mut out, &o.window);
    }
    let system_ids: Vec<String> = systems
        .iter()
        .enumerate()
        .map(|(i, s)| id(&s.label, i))
        .collect();
    for (i, s) in systems.iter().enumerate() {
        out.push_str(&format!(
            "\n[[system]]\nid = {}\nname = {}\ncountry = \"{}\"\noperator = {}\nholds = {}\n",
            q(&system_ids[i]),
            q(&s.name),
            pick(&COUNTRIES, s.country),
            q(pick(&org_ids, s.operator)),
            list(&category_ids, &s.holds)
        ));
        if let Some(a) = s.operator_access {
            out.push_str(&format!("operator_access = {a}\n"));
        }
        window(&mut out, &s.window);
    }
    for f in spec.flows.iter().take(16) {
        out.push_str(&format!(
            "\n[[flow]]\nfrom = {}\nto = {}\n",
            q(pick(&system_ids, f.from)),
            q(pick(&system_ids, f.to))
        ));
        if let Some(c) = &f.categories {
            out.push_str(&format!("categories = {}\n", list(&category_ids, c)));
        }
        text(&mut out, "purpose", &f.purpose);
        window(&mut out, &f.window);
    }
    for a in spec.accesses.iter().take(8) {
        out.push_str(&format!(
            "\n[[access]]\nwho = {}\nto = {}\n",
            q(pick(&org_ids, a.who)),
            q(pick(&system_ids, a.to))
        ));
        if let Some(c) = &a.categories {
            out.push_str(&format!("categories = {}\n", list(&category_ids, c)));
        }
        if let Some(c) = a.from_country {
            out.push_str(&format!("from_country = \"{}\"\n", pick(&COUNTRIES, c)));
        }
        if let Some(m) = a.mode {
            out.push_str(&format!("mode = \"{}\"\n", pick(&MODES, m)));
        }
        if let Some(h) = a.headcount {
            out.push_str(&format!("headcount = {h}\n"));
        }
        text(&mut out, "purpose", &a.purpose);
        text(&mut out, "observed", &a.observed);
        if !a.controls.is_empty() {
            let controls: Vec<String> = a.controls.iter().take(4).map(|c| q(c)).collect();
            out.push_str(&format!("controls = [{}]\n", controls.join(", ")));
        }
        window(&mut out, &a.window);
    }
    for c in spec.contracts.iter().take(8) {
        out.push_str(&format!(
            "\n[[contract]]\nfrom = {}\nto = {}\nkind = \"{}\"\n",
            q(pick(&org_ids, c.from)),
            q(pick(&org_ids, c.to)),
            pick(&CONTRACT_KINDS, c.kind)
        ));
        if let Some(cats) = &c.categories {
            out.push_str(&format!("categories = {}\n", list(&category_ids, cats)));
        }
        text(&mut out, "purpose", &c.purpose);
        text(&mut out, "transfer_basis", &c.transfer_basis);
        window(&mut out, &c.window);
    }
    if spec.country_name.is_some() || spec.regime_note.is_some() {
        out.push_str("\n[[country]]\ncode = \"CN\"\n");
        text(&mut out, "name", &spec.country_name);
        text(&mut out, "regime_note", &spec.regime_note);
    }
    for (i, p) in spec.policies.iter().take(3).enumerate() {
        let countries: Vec<String> = p
            .countries
            .iter()
            .take(4)
            .map(|&c| q(pick(&COUNTRIES, c)))
            .collect();
        let kinds: Vec<String> = p
            .kinds
            .iter()
            .take(4)
            .map(|&k| q(pick(&KINDS, k)))
            .collect();
        out.push_str(&format!(
            "\n[[policy]]\nid = {}\ncategories = {}\n{} = [{}]\nseverity = \"{}\"\n",
            q(&id(&p.label, i)),
            list(&category_ids, &p.categories),
            if p.deny {
                "deny_countries"
            } else {
                "allow_countries"
            },
            countries.join(", "),
            if p.warning { "warning" } else { "error" }
        ));
        if !kinds.is_empty() {
            out.push_str(&format!("kinds = [{}]\n", kinds.join(", ")));
        }
        text(&mut out, "message", &p.message);
    }
    Some(out)
}

fn rows(model: &Model, date: Date) -> Vec<(String, String, Vec<String>, Vec<String>)> {
    let evaluation = Evaluation::new(model, date);
    let reach = evaluation.matrix();
    MatrixDoc::new(&evaluation, &reach)
        .reach
        .into_iter()
        .map(|r| {
            let kinds = r.kinds.iter().map(|k| k.as_str().to_string()).collect();
            (r.country, r.category, kinds, r.path)
        })
        .collect()
}

fuzz_target!(|spec: Spec| {
    let Some(text) = model_text(&spec) else {
        return;
    };
    let model = match Model::from_toml_str("fuzz.toml", &text) {
        Ok(model) => model,
        // An empty window (until not after since) is the one thing the
        // generator does not rule out.
        Err(error) => {
            outputs::expect_safe_load_error(&error);
            assert!(
                error.diagnostics.iter().all(|d| d.code == "empty-window"),
                "a generated model failed to load:\n{}\n{text}",
                error.render()
            );
            return;
        }
    };
    let date: Date = pick(&DATES, spec.date).parse().unwrap();
    let baseline: Date = pick(&DATES, spec.baseline).parse().unwrap();
    let engine = rows(&model, date);
    let plain: Vec<_> = reference::matrix(&model, date)
        .into_iter()
        .map(|r| (r.country, r.category, r.kinds, r.path))
        .collect();
    assert_eq!(engine, plain, "engine and reference differ on\n{text}");
    outputs::expect_safe_outputs(&model, date, baseline);
});
