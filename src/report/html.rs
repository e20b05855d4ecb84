//! `report.html`: the report set as one page for a browser, for the people
//! who answer "why does this country reach that data?". It holds the
//! country × category matrix (sortable and filterable; a click on a cell
//! shows every route with the evidence recorded on it), the countries and
//! access diagrams, the findings and the disclosure texts, and prints to PDF.
//!
//! The page is one self-contained file: CSS and script are inline, the
//! diagrams are inline SVG, and a Content-Security-Policy forbids every
//! fetch, so it opens offline and from an e-mail attachment alike. The
//! matrix and the texts are plain HTML written here, readable without the
//! script; the script adds filtering, sorting and the details, which it
//! builds from a JSON block with DOM calls and `textContent` only.
//!
//! The URL fragment opens a cell (`#cell=CN/user.content`) or filters by a
//! country (`#country=CN`); `#selftest` runs the page's own check of its
//! filters and details, for the browser test (`tests/html_browser.rs`).

mod markdown;

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use super::escape::{self, html as esc};
use super::findings::relative;
use super::handling::Handling;
use super::lang::{self, Lang};
use super::matrix::{DISPLAY_ORDER, LEGEND, kind_letter};
use crate::check::Finding;
use crate::model::{
    CategoryIdx, CountryCode, Date, Kind, Meta, Model, OrgIdx, Severity, SystemIdx, Window,
};
use crate::reach::{Entry, Route, Step};

const STYLE: &str = include_str!("html/style.css");
const SCRIPT: &str = include_str!("html/script.js");
/// Installed before anything else runs, and only under `#selftest`: it
/// records script errors, console errors and blocked fetches on the page.
const SELFTEST_HOOKS: &str = include_str!("html/selftest-hooks.js");

/// No fetch of any kind; inline style and script only.
const CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

/// The page. `disclosures` are the Markdown statements of the set, in its
/// languages; `pictures` the set's `diagrams/` files, of which the countries
/// and access views are shown; `model_root` makes evidence locations relative.
pub fn render(
    h: &Handling,
    findings: &[Finding],
    disclosures: &[(Lang, String)],
    pictures: &[(String, Vec<u8>)],
    model_root: &Path,
) -> String {
    let evaluation = h.evaluation;
    let model = h.model();
    let date = evaluation.date();
    let grid = Grid::new(h);
    let data = Data::new(h, &grid, findings, model_root);
    let json = serde_json::to_string(&data).unwrap_or_else(|_| "{}".into());

    let title = format!("Reach report: {} ({date})", model.info.name);
    let mut out = String::with_capacity(64 * 1024);
    out.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"reachmap\">\n<title>{}</title>\n\
         <style>\n{STYLE}</style>\n<script>\n{SELFTEST_HOOKS}</script>\n</head>\n<body>\n",
        esc(&title)
    ));
    header(h, findings, disclosures, &mut out);
    out.push_str("<main>\n");
    matrix_section(h, &grid, &mut out);
    diagrams_section(pictures, &mut out);
    findings_section(h, &grid, findings, &mut out);
    for (l, text) in disclosures {
        disclosure_section(*l, text, &mut out);
    }
    out.push_str("</main>\n");
    out.push_str(&format!(
        "<footer>\n<p>Written by reachmap from the model <strong>{}</strong>, as it stands on {date}. \
         Free text (names, purposes, notes, sources) is quoted from the model as written. \
         The disclosure texts are drafts: review them before publishing.</p>\n</footer>\n",
        esc(&model.info.name)
    ));
    out.push_str(&format!(
        "<script type=\"application/json\" id=\"reach-data\">{}</script>\n<script>\n{SCRIPT}</script>\n</body>\n</html>\n",
        escape::json_in_html(&json)
    ));
    out
}

// ------------------------------------------------------------------ grid

/// The matrix as shown: countries as columns (home first), the categories
/// something reaches as rows, by id, and one cell per reached pair.
struct Grid {
    countries: Vec<CountryCode>,
    categories: Vec<CategoryIdx>,
    /// (column, row, kinds); by country, then category.
    cells: Vec<(usize, usize, Vec<Kind>)>,
}

impl Grid {
    fn new(h: &Handling) -> Grid {
        let home = h.model().info.home;
        let mut countries: Vec<CountryCode> = h.reach.iter().map(|r| r.country).collect();
        countries.sort_by_key(|&c| (c != home, c));
        countries.dedup();
        let mut categories: Vec<CategoryIdx> = h.reach.iter().map(|r| r.category).collect();
        categories.sort();
        categories.dedup();
        let column = |c: CountryCode| countries.iter().position(|&x| x == c).unwrap_or(0);
        let row = |c: CategoryIdx| categories.binary_search(&c).unwrap_or(0);
        let mut cells: Vec<(usize, usize, Vec<Kind>)> = h
            .reach
            .iter()
            .map(|r| (column(r.country), row(r.category), r.kinds.clone()))
            .collect();
        cells.sort_by_key(|&(col, row, _)| (col, row));
        Grid {
            countries,
            categories,
            cells,
        }
    }

    fn cell(&self, column: usize, row: usize) -> Option<(usize, &[Kind])> {
        self.cells
            .binary_search_by_key(&(column, row), |&(c, r, _)| (c, r))
            .ok()
            .map(|i| (i, self.cells[i].2.as_slice()))
    }
}

// ------------------------------------------------------------------ data

/// What the script reads: every cell with its routes, every route with the
/// entries on it, every entry with its evidence. Routes and entries are
/// shared between cells and written once.
#[derive(Serialize)]
struct Data {
    home: String,
    countries: Vec<CountryData>,
    categories: Vec<CategoryData>,
    kinds: Vec<KindData>,
    cells: Vec<CellData>,
    routes: Vec<RouteData>,
    evidence: Vec<EvidenceData>,
    findings: Vec<FindingData>,
}

#[derive(Serialize)]
struct CountryData {
    code: String,
    name: String,
}

#[derive(Serialize)]
struct CategoryData {
    id: String,
    name: String,
    sensitivity: &'static str,
}

#[derive(Serialize)]
struct KindData {
    kind: Kind,
    letter: String,
    words: &'static str,
}

#[derive(Serialize)]
struct CellData {
    /// Index into `countries`.
    country: usize,
    /// Index into `categories`.
    category: usize,
    kinds: Vec<Kind>,
    routes: Vec<usize>,
    findings: Vec<usize>,
}

#[derive(Serialize)]
struct RouteData {
    kind: Kind,
    sentence: String,
    path: Vec<String>,
    evidence: Vec<usize>,
}

#[derive(Serialize)]
struct EvidenceData {
    title: String,
    facts: Vec<(&'static str, String)>,
}

#[derive(Serialize)]
struct FindingData {
    severity: Severity,
    rule: String,
    message: String,
}

/// An entry of the model whose evidence a route shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Source {
    Access(usize),
    Org(OrgIdx),
    System(SystemIdx),
    Flow(usize),
}

impl Data {
    fn new(h: &Handling, grid: &Grid, findings: &[Finding], model_root: &Path) -> Data {
        let evaluation = h.evaluation;
        let model = h.model();
        let date = evaluation.date();
        let flows = evaluation.active_flows();
        let hops = super::explain::Hops::new(evaluation);
        let mut routes: Vec<RouteData> = Vec::new();
        // Routes are shared by the cells they carry; the key is what makes one.
        let mut route_index: BTreeMap<(Kind, Entry, Vec<String>, Vec<usize>), usize> =
            BTreeMap::new();
        let mut sources: BTreeMap<Source, usize> = BTreeMap::new();
        let mut evidence: Vec<EvidenceData> = Vec::new();
        let mut cells = Vec::new();
        for (column, row, kinds) in &grid.cells {
            let country = grid.countries[*column];
            let category = grid.categories[*row];
            let mut route_ids = Vec::new();
            for route in evaluation.routes(country, category) {
                let mut ids = Vec::new();
                for source in sources_on(model, &flows, &route, category) {
                    let next = evidence.len();
                    let id = *sources.entry(source).or_insert_with(|| {
                        evidence.push(describe(h, source, model_root));
                        next
                    });
                    ids.push(id);
                }
                let path = route.path.render(model);
                let key = (route.kind, route.entry, path.clone(), ids.clone());
                let next = routes.len();
                let id = *route_index.entry(key).or_insert_with(|| {
                    routes.push(RouteData {
                        kind: route.kind,
                        sentence: super::explain::route_sentence(evaluation, &hops, &route),
                        path,
                        evidence: ids,
                    });
                    next
                });
                route_ids.push(id);
            }
            let code = country.to_string();
            let category_id = &model.category(category).id;
            cells.push(CellData {
                country: *column,
                category: *row,
                kinds: kinds.clone(),
                routes: route_ids,
                findings: findings
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| {
                        f.country.as_deref() == Some(code.as_str())
                            && f.category.as_deref() == Some(category_id.as_str())
                    })
                    .map(|(i, _)| i)
                    .collect(),
            });
        }
        Data {
            home: model.info.home.to_string(),
            countries: grid
                .countries
                .iter()
                .map(|&c| CountryData {
                    code: c.to_string(),
                    name: lang::country_name(model, Lang::En, c, date),
                })
                .collect(),
            categories: grid
                .categories
                .iter()
                .map(|&c| CategoryData {
                    id: model.category(c).id.clone(),
                    name: model.category(c).name.clone(),
                    sensitivity: lang::sensitivity(Lang::En, model.category(c).sensitivity),
                })
                .collect(),
            kinds: DISPLAY_ORDER
                .iter()
                .map(|&k| KindData {
                    kind: k,
                    letter: kind_letter(k).to_string(),
                    words: lang::kind(Lang::En, k),
                })
                .collect(),
            cells,
            routes,
            evidence,
            findings: findings
                .iter()
                .map(|f| FindingData {
                    severity: f.severity,
                    rule: f.rule.clone(),
                    message: f.message.clone(),
                })
                .collect(),
        }
    }
}

/// The entries a route rests on, in the order it is read: the access, then
/// each organisation and system of the path, each system followed by the
/// flows that bring the category to it from the next one upstream.
/// `flows` are the flows that apply on the date.
fn sources_on(model: &Model, flows: &[usize], route: &Route, category: CategoryIdx) -> Vec<Source> {
    let mut out = Vec::new();
    if let Entry::Access(a) = route.entry {
        out.push(Source::Access(a));
    }
    for (i, step) in route.path.0.iter().enumerate() {
        match *step {
            Step::Org(o) => out.push(Source::Org(o)),
            Step::System(s) => {
                out.push(Source::System(s));
                let upstream = route.path.0[i + 1..].iter().find_map(|s| match s {
                    Step::System(u) => Some(*u),
                    Step::Org(_) => None,
                });
                if let Some(u) = upstream {
                    out.extend(
                        flows
                            .iter()
                            .filter(|&&f| {
                                let flow = &model.flows[f];
                                flow.from == u
                                    && flow.to == s
                                    && flow
                                        .categories
                                        .as_ref()
                                        .is_none_or(|m| m.contains(category))
                            })
                            .map(|&f| Source::Flow(f)),
                    );
                }
            }
        }
    }
    out
}

/// An entry's evidence as label/value pairs, in English; values are quoted
/// from the model as written.
fn describe(h: &Handling, source: Source, model_root: &Path) -> EvidenceData {
    let model = h.model();
    let date = h.evaluation.date();
    let country =
        |c: CountryCode| format!("{} ({c})", lang::country_name(model, Lang::En, c, date));
    let org = |o: OrgIdx| {
        let org = model.organisation(o);
        format!("{} ({})", org.name, org.id)
    };
    let system = |s: SystemIdx| {
        let system = model.system(s);
        format!("{} ({})", system.name, system.id)
    };
    let categories = |named: &[CategoryIdx], what: &str| {
        if named.is_empty() {
            format!("everything {what}")
        } else {
            named
                .iter()
                .map(|&c| model.category(c).id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    let mut facts: Vec<(&'static str, String)> = Vec::new();
    let title = match source {
        Source::Access(a) => {
            let access = &model.accesses[a];
            facts.push(("Who", org(access.who)));
            facts.push(("Reads", system(access.to)));
            facts.push(("From", country(access.from_country)));
            if let Some(mode) = access.mode {
                facts.push(("Mode", mode.as_str().to_string()));
            }
            facts.push((
                "Categories",
                categories(&access.categories_named, "the system holds"),
            ));
            if let Some(p) = &access.purpose {
                facts.push(("Purpose", p.clone()));
            }
            facts.push((
                "Dates",
                dates(&access.window).unwrap_or_else(|| "no dates recorded".into()),
            ));
            if let Some(n) = access.headcount() {
                facts.push(("Headcount", n.to_string()));
            }
            if let Some(o) = access.observed() {
                facts.push(("Observed", o.to_string()));
            }
            facts.push((
                "Controls",
                if access.controls().is_empty() {
                    "none recorded".to_string()
                } else {
                    access.controls().join(", ")
                },
            ));
            meta_facts(&access.meta, model_root, &mut facts);
            match &access.id {
                Some(id) => format!("Access {id}"),
                None => format!(
                    "Access of {} to {}",
                    model.organisation(access.who).id,
                    model.system(access.to).id
                ),
            }
        }
        Source::Org(o) => {
            let organisation = model.organisation(o);
            facts.push(("Seat", country(organisation.country)));
            facts.push(("Role", organisation.role.as_str().to_string()));
            if let Some(parent) = organisation.parent {
                facts.push(("Parent", org(parent)));
            }
            facts.push(("Relationship", h.relation_words(o, Lang::En)));
            facts.push(("Chain of contracts", h.chain_words(o, Lang::En)));
            let bases = h.transfer_bases(o);
            if !bases.is_empty() {
                facts.push(("Transfer basis", bases.join(", ")));
            }
            if let Some(d) = dates(&organisation.window) {
                facts.push(("Dates", d));
            }
            meta_facts(&organisation.meta, model_root, &mut facts);
            format!("Organisation {}", org(o))
        }
        Source::System(s) => {
            let sys = model.system(s);
            facts.push(("Country", country(sys.country)));
            facts.push(("Operator", org(sys.operator)));
            facts.push((
                "Operator can read it",
                if sys.operator_access { "yes" } else { "no" }.to_string(),
            ));
            if let Some(d) = dates(&sys.window) {
                facts.push(("Dates", d));
            }
            meta_facts(&sys.meta, model_root, &mut facts);
            format!("System {}", system(s))
        }
        Source::Flow(f) => {
            let flow = &model.flows[f];
            facts.push(("From", system(flow.from)));
            facts.push(("To", system(flow.to)));
            facts.push((
                "Categories",
                categories(&flow.categories_named, "the source holds"),
            ));
            if let Some(p) = &flow.purpose {
                facts.push(("Purpose", p.clone()));
            }
            if let Some(d) = dates(&flow.window) {
                facts.push(("Dates", d));
            }
            meta_facts(&flow.meta, model_root, &mut facts);
            match &flow.id {
                Some(id) => format!("Flow {id}"),
                None => format!(
                    "Flow from {} to {}",
                    model.system(flow.from).id,
                    model.system(flow.to).id
                ),
            }
        }
    };
    EvidenceData { title, facts }
}

/// A window as the model has it (`until` is the first day it no longer
/// applies, as in the route sentences) with the last day spelled out.
fn dates(w: &Window) -> Option<String> {
    let last = |u: Date| {
        u.yesterday()
            .map(|d| format!(" (last day {d})"))
            .unwrap_or_default()
    };
    match (w.since, w.until) {
        (Some(s), Some(u)) => Some(format!("since {s}, until {u}{}", last(u))),
        (Some(s), None) => Some(format!("since {s}")),
        (None, Some(u)) => Some(format!("until {u}{}, start not recorded", last(u))),
        (None, None) => None,
    }
}

fn meta_facts(meta: &Meta, model_root: &Path, facts: &mut Vec<(&'static str, String)>) {
    if let Some(n) = meta.note() {
        facts.push(("Note", n.to_string()));
    }
    if let Some(s) = meta.source() {
        facts.push(("Source", s.to_string()));
    }
    if let Some(l) = &meta.location {
        facts.push((
            "Written in",
            format!("{}, line {}", relative(&l.file, model_root), l.line),
        ));
    }
}

// ------------------------------------------------------------------ page

/// `#cell=CN/user.content`: each part percent-encoded but for the URL
/// unreserved characters, so any category id survives the round trip
/// through `decodeURIComponent`.
fn cell_fragment(country: &str, category: &str) -> String {
    format!(
        "#cell={}/{}",
        fragment_part(country),
        fragment_part(category)
    )
}

fn fragment_part(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn header(h: &Handling, findings: &[Finding], disclosures: &[(Lang, String)], out: &mut String) {
    let model = h.model();
    let date = h.evaluation.date();
    let home = model.info.home;
    let foreign = h.foreign_countries();
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    out.push_str(&format!(
        "<header class=\"top\">\n<p class=\"kicker\">reachmap · report set</p>\n\
         <h1>Where personal data goes: {}</h1>\n\
         <p class=\"sub\">Status on <strong>{date}</strong> · Home country: {} ({home})</p>\n",
        esc(&model.info.name),
        esc(&lang::country_name(model, Lang::En, home, date)),
    ));
    out.push_str("<ul class=\"glance\">\n");
    out.push_str(&format!(
        "<li><b>{}</b> foreign {} reach personal data</li>\n",
        foreign.len(),
        if foreign.len() == 1 {
            "country"
        } else {
            "countries"
        }
    ));
    for (severity, words, class) in [
        (Severity::Error, "error", "bad"),
        (Severity::Warning, "warning", "warn"),
        (Severity::Info, "note", "info"),
    ] {
        let n = count(severity);
        out.push_str(&format!(
            "<li class=\"{}\"><a href=\"#findings\"><b>{n}</b> {words}{}</a></li>\n",
            if n > 0 { class } else { "none" },
            if n == 1 { "" } else { "s" }
        ));
    }
    if let Some(disclosed) = &model.info.disclosed_countries {
        let missing: Vec<String> = foreign
            .iter()
            .filter(|c| !disclosed.contains(c))
            .map(|c| {
                format!(
                    "<a href=\"#country={}\">{}</a>",
                    fragment_part(&c.to_string()),
                    esc(&c.to_string())
                )
            })
            .collect();
        out.push_str(&if missing.is_empty() {
            "<li class=\"none\">Every foreign country is named in the current disclosure</li>\n"
                .to_string()
        } else {
            format!(
                "<li class=\"bad\">Not named in the current disclosure: {}</li>\n",
                missing.join(", ")
            )
        });
    }
    out.push_str("</ul>\n<nav aria-label=\"Sections\">\n<a href=\"#matrix\">Matrix</a>\n<a href=\"#diagrams\">Diagrams</a>\n<a href=\"#findings\">Findings</a>\n");
    for (l, _) in disclosures {
        out.push_str(match l {
            Lang::Ja => "<a href=\"#disclosure-ja\" lang=\"ja\">開示文（日本語）</a>\n",
            Lang::En => "<a href=\"#disclosure-en\">Disclosure (English)</a>\n",
        });
    }
    out.push_str("</nav>\n</header>\n");
}

fn matrix_section(h: &Handling, grid: &Grid, out: &mut String) {
    let model = h.model();
    let date = h.evaluation.date();
    let home = model.info.home;
    out.push_str(
        "<section id=\"matrix\">\n<h2>Which countries reach which personal data</h2>\n\
         <p class=\"help\">Rows are categories of personal data, columns are countries. \
         The letters say how a country reaches a category. \
         <strong>Click a cell</strong> to see why: every route, in words and as a path, \
         with the evidence recorded on each entry of it.</p>\n",
    );
    out.push_str(&format!(
        "<p class=\"legend\">{}.</p>\n",
        esc(LEGEND)
            .split(" · ")
            .map(|part| {
                let (letter, words) = part.split_once(' ').unwrap_or((part, ""));
                format!("<span class=\"k k-{letter}\">{letter}</span> {words}")
            })
            .collect::<Vec<_>>()
            .join(" · ")
    ));
    if grid.cells.is_empty() {
        out.push_str(&format!(
            "<p class=\"empty-note\">No country reaches any category on {date}.</p>\n</section>\n"
        ));
        return;
    }
    // Filters: they work only with the script, so the script shows them.
    out.push_str("<form id=\"filters\" class=\"filters\" hidden>\n");
    out.push_str(
        "<label>Country <select name=\"country\"><option value=\"\">All countries</option>",
    );
    for &c in &grid.countries {
        out.push_str(&format!(
            "<option value=\"{}\">{} ({})</option>",
            esc(&c.to_string()),
            esc(&lang::country_name(model, Lang::En, c, date)),
            esc(&c.to_string())
        ));
    }
    out.push_str("</select></label>\n");
    out.push_str("<label>Category <input type=\"search\" name=\"category\" placeholder=\"name or id\" autocomplete=\"off\"></label>\n");
    out.push_str("<label>Sensitivity <select name=\"sensitivity\"><option value=\"\">All</option><option value=\"*\">Anything but normal</option>");
    let mut sensitivities: Vec<_> = grid
        .categories
        .iter()
        .map(|&c| model.category(c).sensitivity)
        .collect();
    sensitivities.sort();
    sensitivities.dedup();
    for s in sensitivities {
        out.push_str(&format!(
            "<option value=\"{}\">{}</option>",
            s.as_str(),
            esc(lang::sensitivity(Lang::En, s))
        ));
    }
    out.push_str("</select></label>\n<fieldset><legend>Kinds</legend>");
    for k in DISPLAY_ORDER {
        let letter = kind_letter(k);
        out.push_str(&format!(
            "<label title=\"{words}\"><input type=\"checkbox\" name=\"kind\" value=\"{letter}\" checked> <span class=\"k k-{letter}\">{letter}</span> {short}</label>",
            words = esc(lang::kind(Lang::En, k)),
            short = k.as_str(),
        ));
    }
    out.push_str("</fieldset>\n<label class=\"toggle\"><input type=\"checkbox\" name=\"foreign\"> Foreign countries only</label>\n<button type=\"reset\">Show all</button>\n</form>\n");
    out.push_str("<p id=\"count\" class=\"count\" aria-live=\"polite\"></p>\n");
    out.push_str("<div class=\"matrix-layout\">\n<div class=\"matrix-wrap\">\n<table id=\"reach\" class=\"reach\">\n<thead>\n<tr><th scope=\"col\" class=\"cat\" data-sort=\"category\" aria-sort=\"ascending\"><button type=\"button\">Category</button></th><th scope=\"col\" class=\"sens\" data-sort=\"sensitivity\"><button type=\"button\">Sensitivity</button></th>");
    for &c in &grid.countries {
        let code = esc(&c.to_string());
        let name = esc(&lang::country_name(model, Lang::En, c, date));
        out.push_str(&format!(
            "<th scope=\"col\" class=\"country{}\" data-country=\"{code}\" data-sort=\"country\"><button type=\"button\" title=\"{name}\"><span class=\"code\">{code}</span><span class=\"name\">{name}</span>{}</button></th>",
            if c == home { " home" } else { "" },
            if c == home {
                "<span class=\"tag\">home</span>"
            } else {
                ""
            }
        ));
    }
    out.push_str("</tr>\n</thead>\n<tbody>\n");
    for (row, &c) in grid.categories.iter().enumerate() {
        let category = model.category(c);
        let sensitivity = category.sensitivity;
        out.push_str(&format!(
            "<tr data-row=\"{row}\" data-rank=\"{}\" data-sensitivity=\"{}\"><th scope=\"row\" class=\"cat\"><span class=\"cat-name\">{}</span> <code>{}</code></th><td class=\"sens s-{}\" title=\"{}\">{}</td>",
            sensitivity as usize,
            sensitivity.as_str(),
            esc(&category.name),
            esc(&category.id),
            sensitivity.as_str(),
            esc(lang::sensitivity(Lang::En, sensitivity)),
            sensitivity.as_str().replace('_', " "),
        ));
        for (column, &country) in grid.countries.iter().enumerate() {
            let code = esc(&country.to_string());
            match grid.cell(column, row) {
                None => out.push_str(&format!("<td class=\"c\" data-country=\"{code}\"></td>")),
                Some((index, kinds)) => {
                    let letters: String = DISPLAY_ORDER
                        .iter()
                        .filter(|k| kinds.contains(k))
                        .map(|&k| kind_letter(k))
                        .collect();
                    let words: Vec<&str> = DISPLAY_ORDER
                        .iter()
                        .filter(|k| kinds.contains(k))
                        .map(|&k| lang::kind(Lang::En, k))
                        .collect();
                    let spans: String = letters
                        .chars()
                        .map(|l| format!("<span class=\"k k-{l}\">{l}</span>"))
                        .collect();
                    out.push_str(&format!(
                        "<td class=\"c r{}\" data-country=\"{code}\" data-kinds=\"{letters}\"><a href=\"{}\" data-cell=\"{index}\" title=\"{}\">{spans}</a></td>",
                        if country == home { " home" } else { " foreign" },
                        esc(&cell_fragment(&country.to_string(), &category.id)),
                        esc(&format!(
                            "{} ({country}): {} — {}",
                            lang::country_name(model, Lang::En, country, date),
                            category.name,
                            words.join(", ")
                        )),
                    ));
                }
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</div>\n");
    out.push_str("<aside id=\"details\" class=\"details\" aria-live=\"polite\" aria-label=\"Why the country reaches the category\">\n<p class=\"placeholder\">Click a cell of the matrix to see why that country reaches that category: each route, the path it takes, and the evidence on it (headcount, what was observed, controls, notes, sources and dates).</p>\n</aside>\n</div>\n");
    out.push_str("<noscript><p class=\"note\">Filtering, sorting and the details of each cell need JavaScript. Without it, <code>matrix.md</code> and <code>reachmap explain</code> give the same routes.</p></noscript>\n");
    out.push_str("<section id=\"routes\" class=\"routes-all\" hidden>\n<h3>Every route, country by country</h3>\n<p class=\"help\">The same details as the cells, for reading through or printing. Printing opens them all.</p>\n<div id=\"routes-list\"></div>\n</section>\n");
    out.push_str("</section>\n");
}

/// The countries and access views, as inline SVG from the set's own
/// Graphviz run; without Graphviz, the Mermaid source with a note.
fn diagrams_section(pictures: &[(String, Vec<u8>)], out: &mut String) {
    let find = |name: String| {
        pictures
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(n, b)| (n.clone(), String::from_utf8_lossy(b).into_owned()))
    };
    out.push_str("<section id=\"diagrams\" class=\"page\">\n<h2>Diagrams</h2>\n");
    let mut any = false;
    for (view, caption) in [
        (
            "countries",
            "Which countries reach which categories, and how. Red arrows: sensitive categories reaching a foreign country; dashed: accessed from there.",
        ),
        ("access", "Who can read which system, clustered by country."),
    ] {
        // English first; a Japanese-only set has the Japanese views.
        let pick = |ext: &str| {
            find(format!("{}/{view}.{ext}", super::set::DIAGRAMS))
                .or_else(|| find(format!("{}/{view}.ja.{ext}", super::set::DIAGRAMS)))
        };
        let svg = pick("svg");
        let embedded = svg.as_ref().and_then(|(_, s)| inline_svg(s, view));
        let mermaid = pick("mmd");
        if embedded.is_none() && mermaid.is_none() {
            continue;
        }
        any = true;
        // The figure is one block that tests/reports.rs masks when comparing
        // committed sets: its SVG comes from whichever Graphviz is installed.
        out.push_str(&format!(
            "<figure class=\"diagram\" id=\"diagram-{view}\">\n"
        ));
        match (embedded, svg, mermaid) {
            (Some(drawing), _, _) => {
                out.push_str("<div class=\"svg\">");
                out.push_str(&drawing);
                out.push_str("</div>\n");
            }
            (None, svg, Some((name, mmd))) => {
                let why = match svg {
                    Some((svg_name, _)) => format!(
                        "The SVG of this view holds more than a plain drawing, so it is not embedded here; open <code>{}</code> beside this file to see it.",
                        esc(&svg_name)
                    ),
                    None => "Graphviz was not installed when this report was written, so there is no picture: install it and run <code>reachmap report</code> again.".to_string(),
                };
                out.push_str(&format!(
                    "<p class=\"note\">{why} Below is the view's Mermaid source (<code>{}</code>), which a Mermaid viewer draws.</p>\n<pre class=\"mermaid-source\">{}</pre>\n",
                    esc(&name),
                    esc(&mmd)
                ));
            }
            (None, _, None) => {}
        }
        out.push_str(&format!(
            "<figcaption>{}</figcaption>\n</figure>\n",
            esc(caption)
        ));
    }
    if !any {
        out.push_str("<p>No diagram in this set.</p>\n");
    }
    out.push_str("</section>\n");
}

/// The elements Graphviz writes in SVG. Anything else (a link, a script, a
/// foreign object) means the SVG is not the plain drawing expected, and it
/// is not embedded.
const SVG_ELEMENTS: [&str; 13] = [
    "svg",
    "g",
    "title",
    "polygon",
    "polyline",
    "path",
    "ellipse",
    "text",
    "tspan",
    "defs",
    "linearGradient",
    "radialGradient",
    "stop",
];

/// Graphviz's SVG for embedding: the XML prolog, doctype and comments
/// dropped, and ids prefixed with the view, so two drawings on one page do
/// not share ids. `None` when it holds an element not in [`SVG_ELEMENTS`].
fn inline_svg(svg: &str, view: &str) -> Option<String> {
    let start = svg.find("<svg")?;
    let mut body = String::with_capacity(svg.len());
    let mut rest = &svg[start..];
    while let Some(open) = rest.find("<!--") {
        body.push_str(&rest[..open]);
        let close = rest[open..].find("-->")?;
        rest = &rest[open + close + 3..];
    }
    body.push_str(rest);
    let body = body.trim_end();
    let mut tags = body.split('<').skip(1);
    let plain = tags.all(|tag| {
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        SVG_ELEMENTS.contains(&name.as_str())
    });
    if !plain || !body.ends_with("</svg>") {
        return None;
    }
    let prefix = format!("{view}-");
    Some(
        body.replace(" id=\"", &format!(" id=\"{prefix}"))
            .replace("url(#", &format!("url(#{prefix}"))
            .replace("href=\"#", &format!("href=\"#{prefix}")),
    )
}

fn findings_section(h: &Handling, grid: &Grid, findings: &[Finding], out: &mut String) {
    let model = h.model();
    out.push_str("<section id=\"findings\" class=\"page\">\n<h2>Findings</h2>\n");
    if findings.is_empty() {
        out.push_str("<p>No findings.</p>\n</section>\n");
        return;
    }
    out.push_str("<p class=\"help\">Errors first. A link on a finding opens the cell it is about in the matrix. Locations are files of the model.</p>\n");
    out.push_str("<div class=\"table\"><table class=\"findings\">\n<thead><tr><th scope=\"col\">Severity</th><th scope=\"col\">Finding</th><th scope=\"col\">About</th><th scope=\"col\">Written in</th></tr></thead>\n<tbody>\n");
    let mut order: Vec<&Finding> = findings.iter().collect();
    order.sort_by_key(|f| f.severity);
    for f in order {
        let about = match (&f.country, &f.category) {
            (Some(country), Some(category)) => {
                let known = grid.countries.iter().any(|c| c.to_string() == *country)
                    && model.category_by_id(category).is_some();
                let text = format!("{country} · {category}");
                if known {
                    format!(
                        "<a href=\"{}\">{}</a>",
                        esc(&cell_fragment(country, category)),
                        esc(&text)
                    )
                } else {
                    esc(&text)
                }
            }
            (Some(country), None) => format!(
                "<a href=\"#country={}\">{}</a>",
                esc(&fragment_part(country)),
                esc(country)
            ),
            (None, Some(category)) => esc(category),
            (None, None) => f.org.as_deref().map(esc).unwrap_or_default(),
        };
        let mut detail = format!("<code>{}</code> {}", esc(&f.rule), esc(&f.message));
        if let Some(path) = &f.path {
            detail.push_str(&format!(
                "<br><span class=\"path-text\">Path: {}</span>",
                esc(&path.join(" → "))
            ));
        }
        if let Some(help) = &f.help {
            detail.push_str(&format!(
                "<br><span class=\"todo\">What to do: {}</span>",
                esc(help)
            ));
        }
        let location = f
            .location
            .as_ref()
            .map(|l| format!("<code>{}</code>, line {}", esc(&l.file), l.line))
            .unwrap_or_default();
        out.push_str(&format!(
            "<tr class=\"sev-{0}\"><td><span class=\"sev\">{0}</span></td><td>{detail}</td><td>{about}</td><td>{location}</td></tr>\n",
            f.severity.as_str()
        ));
    }
    out.push_str("</tbody>\n</table></div>\n</section>\n");
}

fn disclosure_section(l: Lang, text: &str, out: &mut String) {
    let (id, title, intro) = match l {
        Lang::Ja => (
            "disclosure-ja",
            "開示文（日本語）",
            "appi-disclosure.ja.md と同じ内容です。公表前に内容を確認してください。",
        ),
        Lang::En => (
            "disclosure-en",
            "Disclosure (English)",
            "The same text as appi-disclosure.en.md. Review it before publishing.",
        ),
    };
    out.push_str(&format!(
        "<section id=\"{id}\" class=\"page disclosure\" lang=\"{}\">\n<h2>{title}</h2>\n<p class=\"help\">{intro}</p>\n<article>\n{}</article>\n</section>\n",
        l.code(),
        markdown::to_html(text, 2)
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Model;
    use crate::reach::Evaluation;
    use crate::report::set;

    /// Names written to break out of every context the page has: element
    /// content, attributes, the JSON block, the fragment and the Markdown.
    const HOSTILE: &str = r#"
[model]
name = "</script><script>alert('name')</script>"
home = "JP"
as_of = 2024-04-01
disclosed_countries = ["JP"]

[[category]]
id = "chat"
name = "<img src=x onerror=alert(1)> \"quoted\" 'single' & line\u2028sep\u2029end"
sensitivity = "secrecy"

[[organisation]]
id = "me"
name = "Me </SCRIPT >"
country = "JP"
role = "controller"
[[organisation]]
id = "them"
name = "<!--<script>"
country = "CN"
role = "vendor"
note = "</script><img src=x onerror=alert(2)>"
source = "\"><img src=x>"

[[system]]
id = "db"
name = "<svg onload=alert(3)>"
country = "JP"
operator = "me"
holds = ["chat"]

[[access]]
id = "a</script>"
who = "them"
to = "db"
purpose = "<b>bold</b>"
observed = "`code` **strong** | pipe"
controls = ["<i>mfa</i>"]

[[contract]]
from = "me"
to = "them"
kind = "entrustment"
purpose = "</style><script>"
"#;

    fn page() -> (Model, String) {
        let model = Model::from_toml_str("hostile.toml", HOSTILE).expect("the model loads");
        let html = {
            let evaluation = Evaluation::new(&model, model.default_date());
            let built = set::build(&evaluation, Path::new(""), &[Lang::En, Lang::Ja]);
            let (_, bytes) = built
                .files
                .into_iter()
                .find(|(n, _)| n == "report.html")
                .expect("the set has report.html");
            String::from_utf8(bytes).expect("UTF-8")
        };
        (model, html)
    }

    #[test]
    fn hostile_names_stay_text() {
        let (_, html) = page();
        let lower = html.to_lowercase();
        // Three script blocks: the self-test hooks, the data, the page's script.
        assert_eq!(lower.matches("<script").count(), 3, "{html}");
        assert_eq!(lower.matches("</script").count(), 3, "{html}");
        assert!(html.ends_with("</script>\n</body>\n</html>\n"));
        for tag in [
            "<img",
            "<svg onload",
            "<b>bold",
            "<i>mfa",
            "</style><",
            "<!--",
        ] {
            assert!(!lower.contains(tag), "{tag} reached the page raw");
        }
        assert!(html.contains(
            "&lt;img src=x onerror=alert(1)&gt; &quot;quoted&quot; &#39;single&#39; &amp; line"
        ));
        assert!(html.contains("<title>Reach report: &lt;/script&gt;&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt; (2024-04-01)</title>"));
    }

    /// The text between the JSON block's tags.
    fn json_block(html: &str) -> &str {
        let open = "<script type=\"application/json\" id=\"reach-data\">";
        let start = html.find(open).expect("a data block") + open.len();
        let end = start + html[start..].find("</script>").expect("closed");
        &html[start..end]
    }

    #[test]
    fn the_data_block_parses_back_to_the_names_written() {
        let (model, html) = page();
        let block = json_block(&html);
        assert!(!block.contains('<') && !block.contains('\u{2028}'));
        let data: serde_json::Value = serde_json::from_str(block).expect("valid JSON");
        // One reached category; CN reaches it by the access, JP by storage.
        assert_eq!(data["categories"][0]["name"], model.categories[0].name);
        assert_eq!(data["countries"][0]["code"], "JP");
        assert_eq!(data["countries"][1]["code"], "CN");
        let cn = data["cells"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["country"] == 1)
            .expect("a CN cell");
        assert_eq!(cn["kinds"], serde_json::json!(["accessed"]));
        let route = &data["routes"][cn["routes"][0].as_u64().unwrap() as usize];
        assert_eq!(route["path"], serde_json::json!(["org:them", "system:db"]));
        // The access, the organisation and the system, in path order.
        let titles: Vec<&str> = route["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                data["evidence"][i.as_u64().unwrap() as usize]["title"]
                    .as_str()
                    .unwrap()
            })
            .collect();
        assert_eq!(
            titles,
            [
                "Access a</script>",
                "Organisation <!--<script> (them)",
                "System <svg onload=alert(3)> (db)"
            ]
        );
        let org = &data["evidence"][route["evidence"][1].as_u64().unwrap() as usize];
        assert!(
            org["facts"]
                .as_array()
                .unwrap()
                .contains(&serde_json::json!(["Written in", "hostile.toml, line 18"])),
            "{org}"
        );
    }

    #[test]
    fn svg_is_embedded_only_when_it_is_a_plain_drawing() {
        let graphviz = "<?xml version=\"1.0\"?>\n<!DOCTYPE svg>\n<!-- Title: x -->\n<svg width=\"10pt\"><g id=\"graph0\"><title>a&#45;&gt;b</title><!-- a&#45;&gt;b --><path fill=\"url(#l_1)\"/></g>\n</svg>\n";
        assert_eq!(
            inline_svg(graphviz, "access").as_deref(),
            Some(
                "<svg width=\"10pt\"><g id=\"access-graph0\"><title>a&#45;&gt;b</title><path fill=\"url(#access-l_1)\"/></g>\n</svg>"
            )
        );
        for bad in [
            "<svg><script>alert(1)</script></svg>",
            "<svg><a href=\"javascript:x\"><text>x</text></a></svg>",
            "<svg><foreignObject></foreignObject></svg>",
            "<svg><!-- unclosed </svg>",
            "no svg here",
        ] {
            assert_eq!(inline_svg(bad, "v"), None, "{bad}");
        }
    }

    #[test]
    fn without_a_plain_svg_the_mermaid_source_is_shown_as_text() {
        let model = Model::from_toml_str("hostile.toml", HOSTILE).expect("the model loads");
        let evaluation = Evaluation::new(&model, model.default_date());
        let h = Handling::new(&evaluation);
        let file = |name: &str, body: &str| (name.to_string(), body.as_bytes().to_vec());
        let pictures = [
            file(
                "diagrams/countries.mmd",
                "flowchart LR\n  a[\"</pre><img src=x>\"]\n",
            ),
            file(
                "diagrams/access.svg",
                "<svg><script>alert(1)</script></svg>",
            ),
            file("diagrams/access.mmd", "flowchart TB\n"),
        ];
        let html = render(&h, &[], &[], &pictures, Path::new(""));
        assert!(html.contains("<pre class=\"mermaid-source\">flowchart LR\n  a[&quot;&lt;/pre&gt;&lt;img src=x&gt;&quot;]\n</pre>"), "{html}");
        assert!(html.contains("Graphviz was not installed"));
        assert!(html.contains("open <code>diagrams/access.svg</code> beside this file"));
        assert!(html.contains("<pre class=\"mermaid-source\">flowchart TB\n</pre>"));
        assert!(!html.contains("<script>alert") && !html.contains("<img"));
    }

    #[test]
    fn dates_give_the_until_of_the_model_and_the_last_day() {
        let day = |t: &str| crate::model::parse_date(t);
        let w = |since: &str, until: &str| Window {
            since: day(since),
            until: day(until),
        };
        assert_eq!(
            dates(&w("2020-01-01", "2021-03-23")).as_deref(),
            Some("since 2020-01-01, until 2021-03-23 (last day 2021-03-22)")
        );
        assert_eq!(
            dates(&w("", "2021-03-01")).as_deref(),
            Some("until 2021-03-01 (last day 2021-02-28), start not recorded")
        );
        assert_eq!(
            dates(&w("2020-01-01", "")).as_deref(),
            Some("since 2020-01-01")
        );
        assert_eq!(dates(&Window::default()), None);
    }

    #[test]
    fn fragments_round_trip_any_id() {
        assert_eq!(cell_fragment("CN", "user.content"), "#cell=CN/user.content");
        assert_eq!(
            cell_fragment("CN", "a/b c&\"é"),
            "#cell=CN/a%2Fb%20c%26%22%C3%A9"
        );
    }

    #[test]
    fn the_page_is_the_same_bytes_every_time() {
        assert_eq!(page().1, page().1);
    }
}
