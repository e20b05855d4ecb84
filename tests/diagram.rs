//! Diagrams: structural facts of the LINE views worked out by hand from
//! `models/line-2021`, DOT snapshots, every view of every example model
//! parsed back with graphviz-rust and rendered by `dot` where it is
//! installed, hostile names, and aggregation of large models.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use graphviz_rust::dot_structures::{EdgeTy, Graph, Id, Stmt, Vertex};
use reachmap::diagram::{self, Diagram, EdgeKind, Highlight, Lang, NodeKind, READABLE_NODES, View};
use reachmap::model::{Kind, Model, parse_date};
use reachmap::reach::Evaluation;

fn line() -> Model {
    Model::load(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("models/line-2021")
            .as_path(),
    )
    .expect("the LINE model loads")
}

fn at<'m>(model: &'m Model, date: &str) -> Evaluation<'m> {
    Evaluation::new(model, parse_date(date).expect("a date"))
}

fn node<'d>(d: &'d Diagram, id: &str) -> Option<&'d diagram::Node> {
    d.nodes.iter().find(|n| n.id == id)
}

/// The box holding a category, in a country or diff view.
fn box_of<'d>(d: &'d Diagram, category: &str) -> &'d diagram::Node {
    d.nodes
        .iter()
        .find(|n| matches!(&n.kind, NodeKind::Categories(ids) if ids.iter().any(|i| i == category)))
        .unwrap_or_else(|| panic!("no box holds {category}"))
}

fn edge<'d>(d: &'d Diagram, from: &str, to: &str) -> Option<&'d diagram::Edge> {
    d.edges.iter().find(|e| e.from == from && e.to == to)
}

fn dot_installed() -> bool {
    Command::new("dot").arg("-V").output().is_ok()
}

// ---------------------------------------------------------------- parsing back

fn id_text(id: &Id) -> String {
    match id {
        Id::Html(s) | Id::Escaped(s) | Id::Plain(s) | Id::Anonymous(s) => s.clone(),
    }
}

/// Node statements and edges of a parsed graph, clusters included.
fn collect(stmts: &[Stmt], nodes: &mut Vec<String>, edges: &mut Vec<(String, String)>) {
    for stmt in stmts {
        match stmt {
            Stmt::Node(n) => nodes.push(id_text(&n.id.0)),
            Stmt::Subgraph(s) => collect(&s.stmts, nodes, edges),
            Stmt::Edge(e) => {
                if let EdgeTy::Pair(Vertex::N(a), Vertex::N(b)) = &e.ty {
                    edges.push((id_text(&a.0), id_text(&b.0)));
                } else {
                    panic!("only simple edges are generated: {e:?}");
                }
            }
            _ => {}
        }
    }
}

/// Parses DOT with graphviz-rust and checks it has exactly the diagram's
/// boxes (plus the legend) and arrows, each box once.
fn check_dot(diagram: &Diagram, dot: &str) {
    let graph =
        graphviz_rust::parse(dot).unwrap_or_else(|e| panic!("DOT does not parse: {e}\n{dot}"));
    let Graph::DiGraph { stmts, .. } = graph else {
        panic!("a digraph");
    };
    let (mut nodes, mut edges) = (Vec::new(), Vec::new());
    collect(&stmts, &mut nodes, &mut edges);
    assert_eq!(
        nodes.len(),
        diagram.nodes.len() + 1,
        "one statement per box and the legend"
    );
    let distinct: BTreeSet<&String> = nodes.iter().collect();
    assert_eq!(distinct.len(), nodes.len(), "no box is declared twice");
    assert_eq!(edges.len(), diagram.edges.len());
    for (from, to) in &edges {
        assert!(
            distinct.contains(from) && distinct.contains(to),
            "edge to an undeclared box"
        );
    }
}

fn render(dot: &str) -> String {
    diagram::svg(dot).unwrap_or_else(|e| panic!("dot failed: {e}"))
}

// ---------------------------------------------------------------- LINE facts

#[test]
fn countries_view_shows_china_through_the_dalian_access_only_until_the_cut_off() {
    let model = line();
    // 2021-03-01: the Shanghai access ended 2021-02-24; the Dalian access
    // (2020-01-01 .. 2021-03-23) reads reported Timeline/OpenChat posts on
    // jp-moderation from CN. Nothing else reaches CN.
    let e = at(&model, "2021-03-01");
    let d = diagram::build(&e, View::Countries, Lang::En);
    assert!(node(&d, "country:CN").is_some());
    let into_cn: Vec<_> = d.edges.iter().filter(|e| e.to == "country:CN").collect();
    assert_eq!(into_cn.len(), 1);
    assert_eq!(
        into_cn[0].kind,
        EdgeKind::Reach {
            kinds: vec![Kind::Accessed]
        }
    );
    // timeline.reported is "sensitive" and CN foreign: drawn in red.
    assert_eq!(into_cn[0].highlight, Highlight::Sensitive);
    let from = d
        .nodes
        .iter()
        .find(|n| n.id == into_cn[0].from)
        .expect("its box");
    // Its reach (JP stored/operated, KR stored/operated via kr-timeline, CN
    // accessed) is shared by no other category, so it has a box of its own.
    assert_eq!(
        from.kind,
        NodeKind::Categories(vec!["user.content.timeline.reported".into()])
    );

    // 2021-04-01: the Dalian access ended 2021-03-23: no China at all.
    let e = at(&model, "2021-04-01");
    let d = diagram::build(&e, View::Countries, Lang::En);
    assert!(node(&d, "country:CN").is_none());
    assert!(d.edges.iter().all(|e| !e.to.contains("CN")));
}

#[test]
fn countries_view_groups_talk_media_with_line_pay_in_korea() {
    let model = line();
    let e = at(&model, "2021-03-01");
    let d = diagram::build(&e, View::Countries, Lang::En);
    // Talk media: kr-media (KR, operated by NAVER in KR) read by line-plus from
    // KR; LINE Pay data and merchant.bank: kr-linepay, the same three kinds.
    // No Japanese store holds either on this date.
    let talk = box_of(&d, "user.content.media.talk");
    let NodeKind::Categories(members) = &talk.kind else {
        unreachable!()
    };
    assert_eq!(
        members,
        &[
            "merchant.bank",
            "user.payment.card",
            "user.payment.delivery_address",
            "user.payment.linepay",
            "user.content.media.talk",
        ]
        .map(String::from)
        .into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect::<Vec<_>>()
    );
    let kr = edge(&d, &talk.id, "country:KR").expect("talk media reaches KR");
    assert_eq!(
        kr.kind,
        EdgeKind::Reach {
            kinds: vec![Kind::Accessed, Kind::Operated, Kind::Stored]
        }
    );
    assert!(edge(&d, &talk.id, "country:JP").is_none());
    // The home country is drawn first among the countries and marked home.
    let first_country = d
        .nodes
        .iter()
        .find(|n| matches!(n.kind, NodeKind::Country { .. }))
        .expect("countries");
    assert_eq!(first_country.id, "country:JP");
    assert!(matches!(
        first_country.kind,
        NodeKind::Country { home: true, .. }
    ));
}

#[test]
fn access_view_puts_each_party_in_its_country_and_marks_sensitive_reach_from_abroad() {
    let model = line();
    let e = at(&model, "2021-03-01");
    let d = diagram::build(&e, View::Access, Lang::En);
    assert_eq!(d.clusters[0].id, "country:JP", "home first");
    assert!(d.clusters[0].home);
    let cluster = |id: &str| {
        let n = node(&d, id).unwrap_or_else(|| panic!("no {id}"));
        d.clusters[n.cluster.expect("in a cluster")]
            .country
            .to_string()
    };
    assert_eq!(cluster("org:CN:dalian-co"), "CN");
    assert_eq!(cluster("system:jp-moderation"), "JP");
    assert_eq!(cluster("system:kr-media"), "KR");
    assert_eq!(cluster("org:KR:naver"), "KR");
    let dalian = edge(&d, "org:CN:dalian-co", "system:jp-moderation").expect("Dalian access");
    assert_eq!(dalian.kind, EdgeKind::Access);
    assert_eq!(dalian.highlight, Highlight::Sensitive);
    assert_eq!(
        dalian.label,
        vec![
            "monitoring access",
            "2020-01-01 – 2021-03-23",
            "Reported Timeline and OpenChat posts (incl. images and videos)",
        ]
    );
    let cn = d
        .clusters
        .iter()
        .find(|c| c.id == "country:CN")
        .expect("CN");
    assert_eq!(cn.highlight, Highlight::Sensitive);
    // The Shanghai access ended 2021-02-24.
    assert!(d.nodes.iter().all(|n| !n.id.contains("ldt-shanghai")));
    // Reported Talk messages are copied from jp-core to the moderation store.
    let flow = edge(&d, "system:jp-core", "system:jp-moderation").expect("flow");
    assert_eq!(flow.kind, EdgeKind::Flow);
    assert_eq!(flow.label, vec!["User-reported Talk messages"]);
    // NAVER (KR) operates kr-media, which holds Talk media (secrecy).
    let op = edge(&d, "org:KR:naver", "system:kr-media").expect("operation");
    assert_eq!(op.kind, EdgeKind::Operates { reads: true });
    assert_eq!(op.highlight, Highlight::Sensitive);

    // 2021-02-01: the four Shanghai engineers read jp-core from CN.
    let e = at(&model, "2021-02-01");
    let d = diagram::build(&e, View::Access, Lang::En);
    let shanghai = edge(&d, "org:CN:ldt-shanghai", "system:jp-core").expect("Shanghai access");
    assert_eq!(shanghai.highlight, Highlight::Sensitive);
    assert_eq!(shanghai.label[0], "remote access");
    assert_eq!(shanghai.label[1], "2018-08-01 – 2021-02-24");
}

#[test]
fn category_view_keeps_only_what_reaches_the_category() {
    let model = line();
    let e = at(&model, "2021-03-01");
    let c = model
        .category_by_id("user.content.message")
        .expect("declared");
    let d = diagram::build(&e, View::Category(c), Lang::En);
    // Talk message text is held by jp-core alone; no access on this date
    // reads it and no flow carries it (the flow carries reported messages only).
    let ids: Vec<&str> = d.nodes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids, ["org:JP:line-corp", "system:jp-core"]);
    assert_eq!(d.edges.len(), 1);
    assert_eq!(d.edges[0].kind, EdgeKind::Operates { reads: true });
    assert_eq!(d.clusters.len(), 1);
    assert!(
        d.title
            .contains("Talk messages (text) (user.content.message)")
    );

    // Reported Timeline posts at 2021-03-01: CN through Dalian, KR through
    // kr-timeline (NAVER), JP through jp-moderation.
    let c = model
        .category_by_id("user.content.timeline.reported")
        .expect("declared");
    let d = diagram::build(&e, View::Category(c), Lang::En);
    let countries: Vec<String> = d.clusters.iter().map(|c| c.country.to_string()).collect();
    assert_eq!(countries, ["JP", "CN", "KR"]);
}

#[test]
fn diff_view_shows_the_relocation() {
    let model = line();
    let (before, after) = (at(&model, "2021-03-01"), at(&model, "2022-01-01"));
    let d = diagram::diff_view(&before, &after, Lang::En);
    // Talk media: kr-media ended 2021-07-01, jp-media began 2021-06-01, so
    // KR loses stored/operated/accessed and JP gains stored/operated.
    let talk = box_of(&d, "user.content.media.talk");
    let kr = edge(&d, &talk.id, "country:KR").expect("KR before");
    assert_eq!(kr.highlight, Highlight::Removed);
    assert_eq!(
        kr.kind,
        EdgeKind::Change {
            before: vec![Kind::Accessed, Kind::Operated, Kind::Stored],
            after: vec![]
        }
    );
    let jp = edge(&d, &talk.id, "country:JP").expect("JP after");
    assert_eq!(jp.highlight, Highlight::Added);
    assert_eq!(
        jp.kind,
        EdgeKind::Change {
            before: vec![],
            after: vec![Kind::Operated, Kind::Stored]
        }
    );
    // China is reached before only.
    assert_eq!(
        node(&d, "country:CN").expect("CN").highlight,
        Highlight::Removed
    );
    // Ordinary Timeline posts stay in Korea (no completion date): unchanged.
    let timeline = box_of(&d, "user.content.timeline");
    let kr = edge(&d, &timeline.id, "country:KR").expect("timeline in KR");
    assert_eq!(kr.highlight, Highlight::Unchanged);
    // user.usage: KR access by NAVER Cloud and the maintenance contractor on
    // both dates, no change.
    let usage = box_of(&d, "user.usage");
    assert_eq!(
        edge(&d, &usage.id, "country:KR").expect("KR").highlight,
        Highlight::Unchanged
    );
    assert!(d.subtitle.contains("2021-03-01") && d.subtitle.contains("2022-01-01"));
}

#[test]
fn japanese_labels_use_the_japanese_names() {
    let model = line();
    let e = at(&model, "2021-03-01");
    let d = diagram::build(&e, View::Access, Lang::Ja);
    assert_eq!(d.clusters[0].label, "日本（JP）");
    let dalian = node(&d, "org:CN:dalian-co").expect("Dalian");
    assert_eq!(
        dalian.label,
        "モニタリング委託先の大連のグループ会社（社名非公表）"
    );
    assert_eq!(dalian.details[0], "取引先 · 再委託");
    let dot = diagram::dot(&d);
    assert!(dot.contains("Noto Sans CJK JP"));
    assert!(dot.contains("凡例"));
    check_dot(&d, &dot);
}

#[test]
fn people_abroad_get_a_box_in_their_country_linked_to_the_seat() {
    // A Korean company whose people sit in China reads a Japanese store: China
    // reaches by `accessed`, Korea by `seat`; both countries need a box.
    let model = Model::from_toml_str(
        "seat.toml",
        r#"
[model]
name = "Seat"
home = "JP"
as_of = 2024-01-01

[[category]]
id = "msg"
name = "Messages"
sensitivity = "secrecy"

[[organisation]]
id = "ctrl"
name = "Controller"
country = "JP"
role = "controller"

[[organisation]]
id = "kr-co"
name = "Korean company"
country = "KR"
role = "processor"

[[system]]
id = "store"
name = "Store"
country = "JP"
operator = "ctrl"
holds = ["msg"]

[[access]]
who = "kr-co"
to = "store"
from_country = "CN"
"#,
    )
    .expect("loads");
    let e = at(&model, "2024-01-01");
    let d = diagram::build(&e, View::Access, Lang::En);
    let staff = node(&d, "org:CN:kr-co").expect("the people in China");
    assert!(staff.details.iter().any(|l| l == "staff here"));
    assert!(node(&d, "org:KR:kr-co").is_some(), "the seat");
    let link = edge(&d, "org:KR:kr-co", "org:CN:kr-co").expect("staff link");
    assert_eq!(link.kind, EdgeKind::StaffIn);
    assert_eq!(
        link.highlight,
        Highlight::Sensitive,
        "KR reaches secrecy data by seat"
    );
    assert!(edge(&d, "org:CN:kr-co", "system:store").is_some());
    let countries: Vec<String> = d.clusters.iter().map(|c| c.country.to_string()).collect();
    assert_eq!(countries, ["JP", "CN", "KR"]);
    // The country view agrees: CN accessed, KR seat.
    let d = diagram::build(&e, View::Countries, Lang::En);
    let msg = box_of(&d, "msg");
    assert_eq!(
        edge(&d, &msg.id, "country:CN").unwrap().kind,
        EdgeKind::Reach {
            kinds: vec![Kind::Accessed]
        }
    );
    assert_eq!(
        edge(&d, &msg.id, "country:KR").unwrap().kind,
        EdgeKind::Reach {
            kinds: vec![Kind::Seat]
        }
    );
    check_dot(&d, &diagram::dot(&d));
}

#[test]
fn an_empty_picture_still_draws_and_says_why() {
    let model = line();
    // Before 2012 no store held Talk media: kr-media starts 2012-01-01,
    // jp-media 2021-06-01.
    let e = at(&model, "2011-06-01");
    let c = model
        .category_by_id("user.content.media.talk")
        .expect("declared");
    let d = diagram::build(&e, View::Category(c), Lang::En);
    assert!(d.nodes.is_empty() && d.edges.is_empty());
    assert_eq!(
        d.legend.notes,
        ["Nothing reaches this category on this date."]
    );
    let dot = diagram::dot(&d);
    check_dot(&d, &dot);
    let empty = Model::from_toml_str(
        "empty.toml",
        "[model]\nname = \"Empty\"\nhome = \"JP\"\nas_of = 2024-01-01\n",
    )
    .expect("loads");
    let e = at(&empty, "2024-01-01");
    for view in [View::Access, View::Countries] {
        let d = diagram::build(&e, view, Lang::Ja);
        let dot = diagram::dot(&d);
        check_dot(&d, &dot);
        if dot_installed() {
            render(&dot);
        }
    }
}

// ---------------------------------------------------------------- snapshots

#[test]
fn line_dot_snapshots() {
    let model = line();
    for date in ["2021-03-01", "2022-01-01"] {
        let e = at(&model, date);
        for (name, view) in [("access", View::Access), ("countries", View::Countries)] {
            let dot = diagram::dot(&diagram::build(&e, view, Lang::En));
            insta::assert_snapshot!(format!("line-{name}-{date}"), dot);
        }
    }
    let d = diagram::diff_view(
        &at(&model, "2021-03-01"),
        &at(&model, "2022-01-01"),
        Lang::En,
    );
    insta::assert_snapshot!("line-diff-2021-03-01-2022-01-01", diagram::dot(&d));
    let e = at(&model, "2021-03-01");
    let d = diagram::build(&e, View::Countries, Lang::En);
    insta::assert_snapshot!("line-countries-2021-03-01-mermaid", diagram::mermaid(&d));
}

#[test]
fn output_is_deterministic() {
    let (a, b) = (line(), line());
    let (ea, eb) = (at(&a, "2021-03-01"), at(&b, "2021-03-01"));
    assert_eq!(
        diagram::report_set(&ea, Lang::En),
        diagram::report_set(&eb, Lang::En)
    );
}

// ---------------------------------------------------------------- every view

fn example_models() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    let mut models: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("models/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir() || p.extension().is_some_and(|x| x == "toml"))
        .collect();
    models.sort();
    assert!(!models.is_empty());
    models
}

#[test]
fn every_view_of_every_example_model_parses_and_renders() {
    let render_too = dot_installed();
    for path in example_models() {
        let model = Model::load(&path).expect("example models load");
        let mut dates = vec![model.default_date()];
        dates.extend(
            ["2021-02-01", "2021-04-01", "2022-01-01", "2025-01-01"]
                .map(|d| parse_date(d).unwrap()),
        );
        for date in dates {
            let e = Evaluation::new(&model, date);
            let mut views = vec![View::Access, View::Countries];
            views.extend(
                (0..model.categories.len())
                    .map(|i| View::Category(reachmap::model::CategoryIdx(i as u32))),
            );
            for view in views {
                for lang in [Lang::En, Lang::Ja] {
                    let d = diagram::build(&e, view, lang);
                    let dot = diagram::dot(&d);
                    check_dot(&d, &dot);
                    let mermaid = diagram::mermaid(&d);
                    assert!(mermaid.starts_with("---\ntitle: \""));
                    // Rendering is the slow part: every view on the model's own
                    // date, the access and country views on every date.
                    let whole = !matches!(view, View::Category(_));
                    let first_date = date == model.default_date() && lang == Lang::En;
                    if render_too && (whole || first_date) {
                        let svg = render(&dot);
                        assert!(svg.contains("<svg"), "{}", path.display());
                    }
                }
            }
        }
        let d = diagram::diff_view(
            &Evaluation::new(&model, parse_date("2021-03-01").unwrap()),
            &Evaluation::new(&model, parse_date("2022-01-01").unwrap()),
            Lang::Ja,
        );
        let dot = diagram::dot(&d);
        check_dot(&d, &dot);
        if render_too {
            render(&dot);
        }
    }
}

#[test]
fn report_set_names_its_files_safely() {
    let model = line();
    let e = at(&model, "2021-03-01");
    let files = diagram::report_set(&e, Lang::En);
    // 20 sensitive categories in the LINE model (location, address book,
    // calls and call history, content and its 6 secrecy descendants, Timeline
    // and reported Timeline, payment and its 5 children, merchant.bank), plus
    // the access and country views, each as .dot and .mmd.
    assert_eq!(files.len(), 2 * (2 + 20));
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        &names[..4],
        ["access.dot", "access.mmd", "countries.dot", "countries.mmd"]
    );
    assert!(names.contains(&"category-user.content.message.dot"));
    assert!(names.contains(&"category-merchant.bank.mmd"));
    assert!(
        !names.iter().any(|n| n.contains("user.id")),
        "normal categories get no view"
    );
    for name in &names {
        assert!(
            name.chars()
                .all(|c| matches!(c, 'a'..='z' | '0'..='9' | '.' | '_' | '-')),
            "{name}"
        );
    }
}

// ---------------------------------------------------------------- hostile names

const HOSTILE: &str = r#"
[model]
name = "Hostile \"model\" </title><script>alert(1)</script>"
home = "JP"
as_of = 2021-03-01

[[category]]
id = "x.msg"
name = "</script><img src=x onerror=alert(1)>"
name_ja = "\"]]; click n_a call alert() %% `x`"
sensitivity = "secrecy"

[[category]]
id = "x\"y{z}"
name = "a\\b\\\"c\n}] --> injected \\N"

[[organisation]]
id = "corp"
name = "Controller >> <<B>>"
country = "JP"
role = "controller"

[[organisation]]
id = "evil\"org\\"
name = "a\"b\\c{d}|<e>"
country = "CN"
role = "vendor"

[[organisation]]
id = "evil\"org\\\\"
name = "second \\G"
country = "CN"
role = "vendor"

[[system]]
id = "sys<1>"
name = "\\N \\G \\L ]]> <!-- --> \u0001"
country = "JP"
operator = "corp"
holds = ["x.msg", "x\"y{z}"]

[[access]]
who = "evil\"org\\"
to = "sys<1>"
from_country = "CN"
mode = "remote"

[[access]]
who = "evil\"org\\\\"
to = "sys<1>"
from_country = "CN"
"#;

/// Mermaid text with the renderer's own fixed tags taken out.
fn without_fixed_tags(mermaid: &str) -> String {
    mermaid
        .replace("<b>", "")
        .replace("</b>", "")
        .replace("<br/>", "")
}

#[test]
fn hostile_names_neither_break_the_diagram_nor_inject_markup() {
    let model = Model::from_toml_str("hostile.toml", HOSTILE).expect("loads");
    let e = at(&model, "2021-03-01");
    let category = model.category_by_id("x.msg").expect("declared");
    for view in [View::Access, View::Countries, View::Category(category)] {
        for lang in [Lang::En, Lang::Ja] {
            let d = diagram::build(&e, view, lang);
            let dot = diagram::dot(&d);
            check_dot(&d, &dot);
            assert!(!dot.contains("<script") && !dot.contains("<img"), "{dot}");
            let mermaid = diagram::mermaid(&d);
            let bare = without_fixed_tags(&mermaid);
            assert!(only_arrows(&bare), "{mermaid}");
            assert!(
                mermaid
                    .lines()
                    .all(|l| !l.trim_start().starts_with("click")),
                "a label cannot start a Mermaid statement"
            );
            assert!(!mermaid.contains('`'));
            // Every quote opens or closes a label: an even count per line.
            for line in mermaid.lines() {
                assert_eq!(line.matches('"').count() % 2, 0, "{line}");
            }
            if dot_installed() {
                let svg = render(&dot);
                assert!(!svg.contains("<script") && !svg.contains("<img"));
            }
        }
    }
    // In the access view both hostile organisations are separate boxes, and
    // the escaped name comes back out of dot unchanged: a literal backslash,
    // no `\N` or `\G` expansion.
    let d = diagram::build(&e, View::Access, Lang::En);
    let orgs: Vec<&str> = d
        .nodes
        .iter()
        .filter(|n| matches!(n.kind, NodeKind::Organisation(_)))
        .map(|n| n.id.as_str())
        .collect();
    assert_eq!(
        orgs,
        ["org:JP:corp", "org:CN:evil\"org\\", "org:CN:evil\"org\\\\"]
    );
    if dot_installed() {
        let svg = render(&diagram::dot(&d));
        assert!(svg.contains("a&quot;b\\c{d}|&lt;e&gt;"), "{svg}");
        assert!(svg.contains("\\N \\G \\L ]]&gt;"), "{svg}");
        assert!(svg.contains("second \\G"), "{svg}");
    }
}

/// Outside labels, Mermaid's own syntax uses `>` only in arrows.
fn only_arrows(text: &str) -> bool {
    let stripped = text.replace("-->", "").replace("-.->", "");
    !stripped.contains('<') && !stripped.contains('>')
}

// ---------------------------------------------------------------- scale

fn codes() -> Vec<String> {
    reachmap::model::country::builtin()
        .codes()
        .map(|c| c.to_string())
        .filter(|c| c != "JP")
        .collect()
}

/// A controller in JP with one store, and `n` organisations in `countries`
/// (round robin) each reading it; `parents` names a corporate parent per country.
fn crowd(n: usize, countries: &[&str], parents: bool) -> String {
    let mut toml = String::from(
        "[model]\nname = \"Crowd\"\nhome = \"JP\"\nas_of = 2024-01-01\n\n\
         [[category]]\nid = \"data\"\nname = \"Data\"\nsensitivity = \"sensitive\"\n\n\
         [[organisation]]\nid = \"ctrl\"\nname = \"Controller\"\ncountry = \"JP\"\nrole = \"controller\"\n\n\
         [[system]]\nid = \"store\"\nname = \"Store\"\ncountry = \"JP\"\noperator = \"ctrl\"\nholds = [\"data\"]\n\n",
    );
    if parents {
        for k in countries {
            toml.push_str(&format!(
                "[[organisation]]\nid = \"group-{k}\"\nname = \"Group {k}\"\ncountry = \"{k}\"\nrole = \"vendor\"\n\n"
            ));
        }
    }
    for i in 0..n {
        let k = countries[i % countries.len()];
        let parent = if parents {
            format!("parent = \"group-{k}\"\n")
        } else {
            String::new()
        };
        toml.push_str(&format!(
            "[[organisation]]\nid = \"o{i:03}\"\nname = \"Vendor {i}\"\ncountry = \"{k}\"\nrole = \"vendor\"\n{parent}\n\
             [[access]]\nwho = \"o{i:03}\"\nto = \"store\"\n\n"
        ));
    }
    toml
}

#[test]
fn a_crowded_access_view_is_drawn_by_corporate_group() {
    // 80 vendors in KR and US under one parent per country: 80 + 2 boxes at
    // entity level, so groups: KR group, US group, the controller, the store.
    let model = Model::from_toml_str("crowd.toml", &crowd(80, &["KR", "US"], true)).expect("loads");
    let e = at(&model, "2024-01-01");
    let d = diagram::build(&e, View::Access, Lang::En);
    let ids: Vec<&str> = d.nodes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "orggroup:JP:ctrl",
            "systemgroup:JP:ctrl",
            "orggroup:KR:group-KR",
            "orggroup:US:group-US"
        ]
    );
    let kr = edge(&d, "orggroup:KR:group-KR", "systemgroup:JP:ctrl").expect("KR reads");
    assert_eq!(kr.label[0], "40 accesses");
    assert!(
        d.legend
            .notes
            .iter()
            .any(|n| n.contains("by corporate group")),
        "{:?}",
        d.legend.notes
    );
    let dot = diagram::dot(&d);
    check_dot(&d, &dot);
    if dot_installed() {
        render(&dot);
    }
}

#[test]
fn a_crowded_access_view_without_groups_is_drawn_by_country() {
    // 90 unrelated vendors in three countries: 90 corporate groups, still too
    // many, so one box of organisations per country.
    let model =
        Model::from_toml_str("crowd.toml", &crowd(90, &["KR", "US", "CN"], false)).expect("loads");
    let e = at(&model, "2024-01-01");
    let d = diagram::build(&e, View::Access, Lang::En);
    let ids: Vec<&str> = d.nodes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(
        ids,
        ["orgs:JP", "systems:JP", "orgs:CN", "orgs:KR", "orgs:US"]
    );
    assert_eq!(node(&d, "orgs:KR").unwrap().label, "30 organisations");
    assert!(d.legend.notes.iter().any(|n| n.contains("by country")));
    check_dot(&d, &diagram::dot(&d));
}

#[test]
fn organisations_in_many_countries_without_systems_share_one_box() {
    // One organisation in each of 100 foreign countries reads the Japanese
    // store: even one box per country is 102 boxes, so the 100 countries that
    // hold no system share one box, outside any country cluster.
    let codes = codes();
    let countries: Vec<&str> = codes.iter().take(100).map(String::as_str).collect();
    let model = Model::from_toml_str("crowd.toml", &crowd(100, &countries, false)).expect("loads");
    let e = at(&model, "2024-01-01");
    let d = diagram::build(&e, View::Access, Lang::En);
    let ids: Vec<&str> = d.nodes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids, ["orgs:JP", "systems:JP", "orgs:elsewhere"]);
    let elsewhere = node(&d, "orgs:elsewhere").unwrap();
    assert_eq!(elsewhere.cluster, None);
    assert_eq!(elsewhere.label, "100 organisations");
    assert_eq!(elsewhere.details[0], "100 countries");
    assert_eq!(
        edge(&d, "orgs:elsewhere", "systems:JP").unwrap().label[0],
        "100 accesses"
    );
    assert!(
        d.legend
            .notes
            .iter()
            .any(|n| n.contains("hold no system share one box"))
    );
    let dot = diagram::dot(&d);
    check_dot(&d, &dot);
    if dot_installed() {
        render(&dot);
    }
}

#[test]
fn a_crowded_country_view_merges_countries_reached_alike() {
    // One organisation in each of 100 foreign countries reads the store:
    // 1 category box + 101 countries, and every foreign country's column is
    // the same, so they share one box.
    let codes = codes();
    let countries: Vec<&str> = codes.iter().take(100).map(String::as_str).collect();
    let model = Model::from_toml_str("crowd.toml", &crowd(100, &countries, false)).expect("loads");
    let e = at(&model, "2024-01-01");
    let d = diagram::build(&e, View::Countries, Lang::En);
    assert!(d.nodes.len() <= READABLE_NODES);
    let merged = d
        .nodes
        .iter()
        .find(|n| n.id.starts_with("countries:"))
        .expect("a merged box");
    assert_eq!(merged.label, "100 countries");
    assert_eq!(
        d.nodes.len(),
        3,
        "the category box, JP and the merged countries"
    );
    check_dot(&d, &diagram::dot(&d));
}

#[test]
fn a_country_view_with_many_distinct_categories_groups_them_by_top_level() {
    // 70 categories under "d", category i stored in the countries of the set
    // bits of i (7 stores in 7 countries): 70 distinct reaches, so 70 boxes
    // plus 8 countries, past the limit: one box per top-level category.
    let stores = ["KR", "US", "CN", "DE", "FR", "GB", "IN"];
    let mut toml = String::from(
        "[model]\nname = \"Many\"\nhome = \"JP\"\nas_of = 2024-01-01\n\n\
         [[organisation]]\nid = \"ctrl\"\nname = \"Controller\"\ncountry = \"JP\"\nrole = \"controller\"\n\n",
    );
    for i in 1..=70 {
        toml.push_str(&format!(
            "[[category]]\nid = \"d.c{i:02}\"\nname = \"C{i}\"\n\n"
        ));
    }
    for (bit, k) in stores.iter().enumerate() {
        let held: Vec<String> = (1..=70usize)
            .filter(|i| i & (1 << bit) != 0)
            .map(|i| format!("\"d.c{i:02}\""))
            .collect();
        toml.push_str(&format!(
            "[[system]]\nid = \"s-{k}\"\nname = \"Store {k}\"\ncountry = \"{k}\"\noperator = \"ctrl\"\nholds = [{}]\n\n",
            held.join(", ")
        ));
    }
    let model = Model::from_toml_str("many.toml", &toml).expect("loads");
    let e = at(&model, "2024-01-01");
    let d = diagram::build(&e, View::Countries, Lang::En);
    let boxes: Vec<&str> = d
        .nodes
        .iter()
        .filter(|n| matches!(n.kind, NodeKind::Categories(_)))
        .map(|n| n.id.as_str())
        .collect();
    assert_eq!(boxes, ["categorygroup:n:d"]);
    // JP operates every store; each of the 7 countries stores some category.
    assert_eq!(d.nodes.len(), 1 + 8);
    assert!(
        d.legend
            .notes
            .iter()
            .any(|n| n.contains("by top-level category"))
    );
    check_dot(&d, &diagram::dot(&d));
}

// ---------------------------------------------------------------- command line

fn reachmap(args: &[&str], path_env: Option<&str>) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_reachmap"));
    cmd.args(args).current_dir(env!("CARGO_MANIFEST_DIR"));
    if let Some(p) = path_env {
        cmd.env("PATH", p);
    }
    let out = cmd.output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn diagram_command_writes_one_diagram() {
    let (code, out, _) = reachmap(
        &[
            "diagram",
            "models/line-2021",
            "--view",
            "countries",
            "--format",
            "mermaid",
            "--as-of",
            "2021-04-01",
        ],
        None,
    );
    assert_eq!(code, 0);
    assert!(out.starts_with("---\ntitle: \"LINE messaging service (2021): Countries"));
    assert!(!out.contains("China"), "no China reach on 2021-04-01");

    let (code, out, _) = reachmap(
        &[
            "diagram",
            "models/line-2021",
            "--view",
            "category:user.content.message",
            "--lang",
            "ja",
        ],
        None,
    );
    assert_eq!(code, 0);
    assert!(out.starts_with("digraph \"reachmap\" {"));
    assert!(out.contains("トークのメッセージ"));

    let (code, out, err) = reachmap(
        &[
            "diagram",
            "models/line-2021",
            "--view",
            "category:user.content.mesage",
        ],
        None,
    );
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains("did you mean \"user.content.message\""),
        "{err}"
    );

    let (code, _, err) = reachmap(&["diagram", "models/line-2021", "--view", "map"], None);
    assert_eq!(code, 2);
    assert!(err.contains("category:ID"), "{err}");
}

#[test]
fn svg_without_graphviz_says_how_to_install_it_and_still_writes_the_dot() {
    let empty = tempfile::tempdir().expect("a temp dir");
    let (code, out, err) = reachmap(
        &["diagram", "models/line-2021", "--format", "svg"],
        Some(empty.path().to_str().expect("utf-8 path")),
    );
    assert_eq!(code, 2);
    assert!(
        out.starts_with("digraph \"reachmap\" {"),
        "the DOT is written"
    );
    assert!(err.contains("apt-get install graphviz"), "{err}");
    assert!(err.contains("DOT source was written instead"), "{err}");
}

#[test]
fn svg_with_graphviz_is_svg() {
    if !dot_installed() {
        return;
    }
    let (code, out, _) = reachmap(&["diagram", "models/line-2021", "--format", "svg"], None);
    assert_eq!(code, 0);
    assert!(out.contains("<svg"));
    assert!(out.contains("LINE messaging service (2021)"));
}

/// Found by the output-safety property test: a name that starts with a line
/// break gave an empty `<B></B>`, which Graphviz rejects, so no SVG was made.
#[test]
fn names_with_line_breaks_still_render() {
    let model = reachmap::model::Model::from_toml_str(
        "m.toml",
        "[model]\nname = \"N\"\nhome = \"JP\"\nas_of = 2021-03-01\n\
         [[category]]\nid = \"c\"\nname = \"\\n\"\nsensitivity = \"secrecy\"\n\
         [[organisation]]\nid = \"o\"\nname = \"O\\n\\n\"\ncountry = \"JP\"\nrole = \"controller\"\n\
         [[system]]\nid = \"core\"\nname = \"\\nX\"\ncountry = \"JP\"\noperator = \"o\"\nholds = [\"c\"]\n",
    )
    .expect("a valid model");
    let evaluation = reachmap::reach::Evaluation::new(&model, model.default_date());
    for view in [
        reachmap::diagram::View::Access,
        reachmap::diagram::View::Countries,
    ] {
        let dot = reachmap::diagram::dot(&reachmap::diagram::build(
            &evaluation,
            view,
            reachmap::diagram::Lang::En,
        ));
        assert!(!dot.contains("<B></B>"), "{dot}");
        graphviz_rust::parse(&dot).expect("the DOT parses");
        match reachmap::diagram::svg(&dot) {
            Ok(svg) => assert!(svg.contains("<svg")),
            Err(reachmap::diagram::SvgError::NotInstalled { .. }) => {}
            Err(e) => panic!("{e}"),
        }
    }
}
