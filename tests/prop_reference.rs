//! Random models (cycles, masks, time windows, category trees, several
//! countries) evaluated at random dates: the engine's matrix must equal the
//! plain reference search of SPEC §2 row for row, path included; the
//! engine's holdings must equal a naive fixpoint; and the order in which
//! entries are written must not change any output.

use std::collections::BTreeSet;

use proptest::prelude::*;
use reachmap::model::{Date, Model, parse_date};
use reachmap::reach::{Evaluation, MatrixDoc, reference};
use reachmap::report::explain;

/// A tree with undeclared intermediates possible (`a.b.c` without `a.b`).
const CATEGORIES: &[&str] = &["a", "a.b", "a.b.c", "a.c", "ab", "b", "b.x"];
/// Ids whose string order differs from their declaration order, with
/// characters that sort around the dot.
const SYSTEMS: &[&str] = &["s-b", "s.a", "s_c", "S", "t", "sa"];
const ORGS: &[&str] = &["o2", "o1", "O", "o-x"];
const COUNTRIES: &[&str] = &["JP", "KR", "CN", "US"];

/// A window as month offsets from 2020-01; `until` always after `since`.
#[derive(Debug, Clone)]
struct Win(Option<u8>, Option<u8>);

fn month(m: u8) -> String {
    format!(
        "{}-{:02}-01",
        2020 + u32::from(m) / 12,
        u32::from(m) % 12 + 1
    )
}

impl Win {
    fn toml(&self) -> String {
        let mut s = String::new();
        if let Some(a) = self.0 {
            s.push_str(&format!("since = {}\n", month(a)));
        }
        if let Some(b) = self.1 {
            s.push_str(&format!("until = {}\n", month(b)));
        }
        s
    }
}

fn window() -> impl Strategy<Value = Win> {
    prop_oneof![
        2 => Just(Win(None, None)),
        1 => (0u8..6).prop_map(|a| Win(Some(a), None)),
        1 => (1u8..7).prop_map(|b| Win(None, Some(b))),
        1 => (0u8..6, 1u8..4).prop_map(|(a, d)| Win(Some(a), Some(a + d))),
    ]
}

#[derive(Debug, Clone)]
struct Org {
    country: usize,
    controller: bool,
    /// Index of an earlier organisation, so ownership has no cycle.
    parent: Option<usize>,
    window: Win,
}

#[derive(Debug, Clone)]
struct Sys {
    country: usize,
    operator: usize,
    operator_access: bool,
    holds: Vec<usize>,
    window: Win,
}

#[derive(Debug, Clone)]
struct Flow {
    from: usize,
    to: usize,
    mask: Option<Vec<usize>>,
    window: Win,
}

#[derive(Debug, Clone)]
struct Access {
    who: usize,
    to: usize,
    mask: Option<Vec<usize>>,
    from_country: Option<usize>,
    window: Win,
}

#[derive(Debug, Clone)]
struct Spec {
    categories: Vec<usize>,
    orgs: Vec<Org>,
    systems: Vec<Sys>,
    flows: Vec<Flow>,
    accesses: Vec<Access>,
}

fn subset(n: usize) -> impl Strategy<Value = Vec<usize>> {
    proptest::collection::btree_set(0..n, 0..=n).prop_map(|s| s.into_iter().collect())
}

fn spec() -> impl Strategy<Value = Spec> {
    let categories = proptest::collection::btree_set(0..CATEGORIES.len(), 1..=CATEGORIES.len())
        .prop_map(|s| s.into_iter().collect::<Vec<_>>());
    (categories, 1..=ORGS.len(), 1..=SYSTEMS.len()).prop_flat_map(|(cats, n_orgs, n_sys)| {
        let n_cats = cats.len();
        let orgs = (0..n_orgs)
            .map(|i| {
                let parent = if i == 0 {
                    Just(None).boxed()
                } else {
                    proptest::option::of(0..i).boxed()
                };
                (0..COUNTRIES.len(), any::<bool>(), parent, window()).prop_map(
                    |(country, controller, parent, window)| Org {
                        country,
                        controller,
                        parent,
                        window,
                    },
                )
            })
            .collect::<Vec<_>>();
        let systems = proptest::collection::vec(
            (
                0..COUNTRIES.len(),
                0..n_orgs,
                prop::bool::weighted(0.75),
                subset(n_cats),
                window(),
            )
                .prop_map(|(country, operator, operator_access, holds, window)| Sys {
                    country,
                    operator,
                    operator_access,
                    holds,
                    window,
                }),
            n_sys,
        );
        let flows = proptest::collection::vec(
            (
                0..n_sys,
                0..n_sys,
                proptest::option::of(subset(n_cats)),
                window(),
            )
                .prop_map(|(from, to, mask, window)| Flow {
                    from,
                    to,
                    mask,
                    window,
                }),
            0..=10,
        );
        let accesses = proptest::collection::vec(
            (
                0..n_orgs,
                0..n_sys,
                proptest::option::of(subset(n_cats)),
                proptest::option::of(0..COUNTRIES.len()),
                window(),
            )
                .prop_map(|(who, to, mask, from_country, window)| Access {
                    who,
                    to,
                    mask,
                    from_country,
                    window,
                }),
            0..=5,
        );
        (Just(cats), orgs, systems, flows, accesses).prop_map(
            |(categories, orgs, systems, flows, accesses)| Spec {
                categories,
                orgs,
                systems,
                flows,
                accesses,
            },
        )
    })
}

impl Spec {
    fn list(&self, items: &[usize]) -> String {
        let ids: Vec<String> = items
            .iter()
            .map(|&i| format!("\"{}\"", CATEGORIES[self.categories[i]]))
            .collect();
        format!("[{}]", ids.join(", "))
    }

    /// The model as TOML, one block per entry; `reverse` writes the blocks
    /// in the opposite order.
    fn toml(&self, reverse: bool) -> String {
        let mut blocks: Vec<String> = Vec::new();
        for &c in &self.categories {
            blocks.push(format!(
                "[[category]]\nid = \"{0}\"\nname = \"{0}\"\n",
                CATEGORIES[c]
            ));
        }
        for (i, o) in self.orgs.iter().enumerate() {
            let mut b = format!(
                "[[organisation]]\nid = \"{}\"\nname = \"org\"\ncountry = \"{}\"\nrole = \"{}\"\n",
                ORGS[i],
                COUNTRIES[o.country],
                if o.controller {
                    "controller"
                } else {
                    "processor"
                }
            );
            if let Some(p) = o.parent {
                b.push_str(&format!("parent = \"{}\"\n", ORGS[p]));
            }
            b.push_str(&o.window.toml());
            blocks.push(b);
        }
        for (i, s) in self.systems.iter().enumerate() {
            blocks.push(format!(
                "[[system]]\nid = \"{}\"\nname = \"sys\"\ncountry = \"{}\"\noperator = \"{}\"\noperator_access = {}\nholds = {}\n{}",
                SYSTEMS[i],
                COUNTRIES[s.country],
                ORGS[s.operator],
                s.operator_access,
                self.list(&s.holds),
                s.window.toml()
            ));
        }
        for f in &self.flows {
            let mut b = format!(
                "[[flow]]\nfrom = \"{}\"\nto = \"{}\"\n",
                SYSTEMS[f.from], SYSTEMS[f.to]
            );
            if let Some(mask) = &f.mask {
                b.push_str(&format!("categories = {}\n", self.list(mask)));
            }
            b.push_str(&f.window.toml());
            blocks.push(b);
        }
        for a in &self.accesses {
            let mut b = format!(
                "[[access]]\nwho = \"{}\"\nto = \"{}\"\n",
                ORGS[a.who], SYSTEMS[a.to]
            );
            if let Some(mask) = &a.mask {
                b.push_str(&format!("categories = {}\n", self.list(mask)));
            }
            if let Some(k) = a.from_country {
                b.push_str(&format!("from_country = \"{}\"\n", COUNTRIES[k]));
            }
            b.push_str(&a.window.toml());
            blocks.push(b);
        }
        if reverse {
            blocks.reverse();
        }
        format!(
            "[model]\nname = \"random\"\nhome = \"JP\"\n\n{}",
            blocks.join("\n")
        )
    }

    fn model(&self, reverse: bool) -> Model {
        let text = self.toml(reverse);
        Model::from_toml_str("random.toml", &text)
            .unwrap_or_else(|e| panic!("generated model must load:\n{text}\n{e}"))
    }
}

fn date() -> impl Strategy<Value = Date> {
    // Months 0..8 from 2020-01, any day: before, inside and after every window.
    (0u8..8, 1u8..=28).prop_map(|(m, d)| {
        let text = format!("{}{:02}", &month(m)[..8], d);
        parse_date(&text).expect("a valid date")
    })
}

type Row = (String, String, Vec<String>, Vec<String>);

/// The engine's matrix using at most `threads` threads (`None`: as
/// `Evaluation::new` decides, one thread for models this small).
fn engine_rows(model: &Model, date: Date, threads: Option<usize>) -> Vec<Row> {
    let evaluation = match threads {
        Some(threads) => Evaluation::with_threads(model, date, threads),
        None => Evaluation::new(model, date),
    };
    matrix_rows(&evaluation)
}

/// An evaluation's matrix as rows.
fn matrix_rows(evaluation: &Evaluation) -> Vec<Row> {
    let reach = evaluation.matrix();
    MatrixDoc::new(evaluation, &reach)
        .reach
        .into_iter()
        .map(|r| {
            let kinds = r.kinds.iter().map(|k| k.as_str().to_string()).collect();
            (r.country, r.category, kinds, r.path)
        })
        .collect()
}

fn reference_rows(model: &Model, date: Date) -> Vec<Row> {
    reference::matrix(model, date)
        .into_iter()
        .map(|r| (r.country, r.category, r.kinds, r.path))
        .collect()
}

/// H by plain iteration over category ids: start from each active system's
/// own holds (expanded by dotted prefix), pass along active flows until
/// nothing changes. Shares nothing with the engine but the parsed model.
fn naive_holdings(model: &Model, date: Date) -> Vec<BTreeSet<String>> {
    let covers = |named: &[reachmap::model::CategoryIdx], c: &str| {
        named.iter().any(|&n| {
            let n = model.category(n).id.as_str();
            c == n || c.strip_prefix(n).is_some_and(|rest| rest.starts_with('.'))
        })
    };
    let active: Vec<bool> = model
        .systems
        .iter()
        .map(|s| s.window.applies(date))
        .collect();
    let mut h: Vec<BTreeSet<String>> = model
        .systems
        .iter()
        .enumerate()
        .map(|(i, s)| {
            model
                .categories
                .iter()
                .filter(|c| active[i] && covers(&s.holds_named, &c.id))
                .map(|c| c.id.clone())
                .collect()
        })
        .collect();
    loop {
        let mut changed = false;
        for f in &model.flows {
            let (u, t) = (f.from.0 as usize, f.to.0 as usize);
            if !f.window.applies(date) || !active[u] || !active[t] {
                continue;
            }
            let carried: Vec<String> = h[u]
                .iter()
                .filter(|c| f.categories.is_none() || covers(&f.categories_named, c))
                .cloned()
                .collect();
            for c in carried {
                changed |= h[t].insert(c);
            }
        }
        if !changed {
            return h;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn engine_matrix_equals_reference(spec in spec(), dates in proptest::collection::vec(date(), 3)) {
        let model = spec.model(false);
        for date in dates {
            let reference = reference_rows(&model, date);
            prop_assert_eq!(engine_rows(&model, date, None), reference.clone(), "on {}", date);
            // The work split between threads, evenly or not, as on big models.
            for threads in [2, 3] {
                prop_assert_eq!(
                    engine_rows(&model, date, Some(threads)),
                    reference.clone(),
                    "on {} with {} threads",
                    date,
                    threads
                );
            }
        }
    }

    /// An evaluation for one category finds exactly the reference's rows of
    /// that category and no other, and explains each country's reach of it
    /// (every route, and the witnesses) word for word as the evaluation
    /// for all categories does.
    #[test]
    fn an_evaluation_for_one_category_answers_as_the_whole(spec in spec(), date in date()) {
        let model = spec.model(false);
        let reference = reference_rows(&model, date);
        let whole = Evaluation::for_pairs(&model, date);
        let countries: BTreeSet<&str> = COUNTRIES.iter().copied().collect();
        for (i, category) in model.categories.iter().enumerate() {
            let c = reachmap::model::CategoryIdx(i as u32);
            let one = Evaluation::for_category(&model, date, c);
            let rows = matrix_rows(&one);
            let expected: Vec<Row> =
                reference.iter().filter(|r| r.1 == category.id).cloned().collect();
            prop_assert_eq!(rows, expected, "category {}", category.id);
            for &country in &countries {
                let country = reachmap::model::CountryCode::parse(country).unwrap();
                for all_paths in [false, true] {
                    prop_assert_eq!(
                        explain::explain(&one, country, Some(c), all_paths),
                        explain::explain(&whole, country, Some(c), all_paths),
                        "{} × {}", country, category.id
                    );
                }
            }
        }
    }

    #[test]
    fn engine_holdings_equal_a_naive_fixpoint(spec in spec(), date in date()) {
        let model = spec.model(false);
        let evaluation = Evaluation::new(&model, date);
        let naive = naive_holdings(&model, date);
        for (i, expected) in naive.iter().enumerate() {
            let got: BTreeSet<String> = evaluation
                .holdings(reachmap::model::SystemIdx(i as u32))
                .iter()
                .map(|c| model.category(c).id.clone())
                .collect();
            prop_assert_eq!(&got, expected, "system {}", model.systems[i].id);
        }
    }

    /// Writing the same entries in the opposite order changes flow and access
    /// indices but no output: matrix JSON and check JSON are byte-identical.
    #[test]
    fn entry_order_does_not_change_outputs(spec in spec(), date in date()) {
        let forward = spec.model(false);
        let backward = spec.model(true);
        let render = |model: &Model| {
            let evaluation = Evaluation::new(model, date);
            let reach = evaluation.matrix();
            let findings: Vec<_> = reachmap::check::check(&evaluation, &reach)
                .into_iter()
                // Locations name lines, which the order does change; the
                // check sorts by them last, so sort again without them.
                .map(|mut f| { f.location = None; f })
                .collect();
            let mut findings = findings;
            findings.sort_by(|a, b| {
                (&a.severity, &a.rule, &a.country, &a.category, &a.org, &a.message, &a.path)
                    .cmp(&(&b.severity, &b.rule, &b.country, &b.category, &b.org, &b.message, &b.path))
            });
            (
                reachmap::report::matrix::json(&evaluation, &reach),
                reachmap::check::render_json(&findings),
            )
        };
        prop_assert_eq!(render(&forward), render(&backward));
    }
}
