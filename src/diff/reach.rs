//! The reach part of a diff (SPEC §4): pairs reached after but not before,
//! before but not after, and pairs whose kinds changed.
//!
//! The two sides may come from different models, so pairs are matched by
//! country code and category id, never by index.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::model::{CountryCode, Kind};
use crate::reach::{Evaluation, Reach};

/// A pair reached on one side only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReachItem {
    pub country: CountryCode,
    pub category: String,
    pub kinds: Vec<Kind>,
    /// The witness on the side where the pair is reached.
    pub path: Vec<String>,
    #[serde(skip)]
    pub country_name: String,
    #[serde(skip)]
    pub category_name: String,
}

/// A pair reached on both sides by different kinds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReachChange {
    pub country: CountryCode,
    pub category: String,
    pub kinds_before: Vec<Kind>,
    pub kinds_after: Vec<Kind>,
    pub path_before: Vec<String>,
    pub path_after: Vec<String>,
    /// Names as the after side gives them.
    #[serde(skip)]
    pub country_name: String,
    #[serde(skip)]
    pub category_name: String,
}

/// Every list sorted by country, then category id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReachDiff {
    pub added: Vec<ReachItem>,
    pub removed: Vec<ReachItem>,
    pub changed: Vec<ReachChange>,
    /// Countries that reach something before and nothing after.
    #[serde(skip)]
    pub countries_gone: Vec<CountryCode>,
    /// Countries that reach nothing before and something after.
    #[serde(skip)]
    pub countries_new: Vec<CountryCode>,
}

/// One side's matrix, keyed the way the two sides are matched.
fn keyed<'a>(
    evaluation: &Evaluation,
    reach: &'a [Reach],
) -> BTreeMap<(CountryCode, String), &'a Reach> {
    let model = evaluation.model();
    reach
        .iter()
        .map(|r| ((r.country, model.category(r.category).id.clone()), r))
        .collect()
}

fn item(evaluation: &Evaluation, r: &Reach) -> ReachItem {
    let model = evaluation.model();
    ReachItem {
        country: r.country,
        category: model.category(r.category).id.clone(),
        kinds: r.kinds.clone(),
        path: r.path.render(model),
        country_name: model.country_info(r.country, evaluation.date()).name,
        category_name: model.category(r.category).name.clone(),
    }
}

impl ReachDiff {
    /// Evaluates both sides' matrices and compares them.
    pub fn between(before: &Evaluation, after: &Evaluation) -> ReachDiff {
        ReachDiff::of_matrices(before, &before.matrix(), after, &after.matrix())
    }

    /// Compares matrices already computed (`reach` of each evaluation).
    pub fn of_matrices(
        before: &Evaluation,
        before_reach: &[Reach],
        after: &Evaluation,
        after_reach: &[Reach],
    ) -> ReachDiff {
        let old = keyed(before, before_reach);
        let new = keyed(after, after_reach);
        let mut diff = ReachDiff::default();
        for (key, r) in &old {
            match new.get(key) {
                None => diff.removed.push(item(before, r)),
                Some(n) if n.kinds != r.kinds => {
                    let now = item(after, n);
                    diff.changed.push(ReachChange {
                        country: now.country,
                        category: now.category,
                        kinds_before: r.kinds.clone(),
                        kinds_after: now.kinds,
                        path_before: r.path.render(before.model()),
                        path_after: now.path,
                        country_name: now.country_name,
                        category_name: now.category_name,
                    });
                }
                Some(_) => {}
            }
        }
        for (key, r) in &new {
            if !old.contains_key(key) {
                diff.added.push(item(after, r));
            }
        }
        let countries = |m: &BTreeMap<(CountryCode, String), &Reach>| -> BTreeSet<CountryCode> {
            m.keys().map(|(c, _)| *c).collect()
        };
        let (was, is) = (countries(&old), countries(&new));
        diff.countries_gone = was.difference(&is).copied().collect();
        diff.countries_new = is.difference(&was).copied().collect();
        diff
    }

    /// No pair gained, lost or changed its kinds.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}
