//! Before and after: what a change adds to and removes from the reach, and
//! which entries differ (SPEC §4 `diff`); the dates on which one model's reach
//! changes (`timeline`).
//!
//! Both sides are [`Evaluation`]s, so "before" and "after" may be two models
//! on one date, one model on two dates, or a model and its what-if
//! ([`Model::without`](crate::model::Model::without)).
//!
//! ```no_run
//! use reachmap::diff::Diff;
//! use reachmap::model::{Model, parse_date};
//! use reachmap::reach::Evaluation;
//!
//! let model = Model::load("models/line-2021".as_ref()).expect("a valid model");
//! let before = Evaluation::new(&model, parse_date("2021-03-01").unwrap());
//! let after = Evaluation::new(&model, parse_date("2022-01-01").unwrap());
//! let diff = Diff::between(&before, &after);
//! print!("{}", reachmap::diff::render::markdown(&diff));
//! ```

mod entities;
mod reach;
pub mod render;
mod timeline;

use serde::Serialize;

pub use entities::{EntityChange, EntityDiff, EntityItem, EntityType, FieldChange};
pub use reach::{ReachChange, ReachDiff, ReachItem};
pub use timeline::{TimelineStep, change_dates, timeline};

use crate::model::CountryCode;
use crate::reach::{Evaluation, Reach};

/// What one side of a comparison is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Side {
    pub model: String,
    pub as_of: String,
    pub home: CountryCode,
}

impl Side {
    pub fn of(evaluation: &Evaluation) -> Side {
        let model = evaluation.model();
        Side {
            model: model.info.name.clone(),
            as_of: evaluation.date().to_string(),
            home: model.info.home,
        }
    }
}

/// A whole comparison: the JSON of `diff --format json` is this, serialised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diff {
    pub before: Side,
    pub after: Side,
    #[serde(flatten)]
    pub reach: ReachDiff,
    pub entities: EntityDiff,
}

impl Diff {
    pub fn between(before: &Evaluation, after: &Evaluation) -> Diff {
        Diff::of_matrices(before, &before.matrix(), after, &after.matrix())
    }

    /// As [`Diff::between`], reusing matrices the caller already has.
    pub fn of_matrices(
        before: &Evaluation,
        before_reach: &[Reach],
        after: &Evaluation,
        after_reach: &[Reach],
    ) -> Diff {
        Diff {
            before: Side::of(before),
            after: Side::of(after),
            reach: ReachDiff::of_matrices(before, before_reach, after, after_reach),
            entities: EntityDiff::between(before, after),
        }
    }

    /// True when the reach differs; entries that differ without changing the
    /// reach (a new contract, an edited purpose) do not count.
    pub fn reach_differs(&self) -> bool {
        !self.reach.is_empty()
    }
}
