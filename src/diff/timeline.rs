//! The timeline of one model: every date on which its reach changes.
//!
//! Reach can only change where an entry starts or stops applying, so the
//! candidates are the `since` and `until` dates of the entries that take part
//! in reach (organisations, systems, flows, accesses); contracts, countries
//! and policies change findings, never the matrix. Between two candidates the
//! reach is constant, so comparing the day before a candidate with the
//! candidate itself finds exactly the changes made on that day.

use std::collections::BTreeSet;

use super::Diff;
use crate::model::{Date, Model, Window};
use crate::reach::Evaluation;

/// A date on which the reach changes, and the change: the day before
/// compared with the day itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineStep {
    pub date: Date,
    pub diff: Diff,
}

/// Every `since` and `until` of the entries that take part in reach, sorted.
pub fn change_dates(model: &Model) -> Vec<Date> {
    let windows = model
        .organisations
        .iter()
        .map(|o| o.window)
        .chain(model.systems.iter().map(|s| s.window))
        .chain(model.flows.iter().map(|f| f.window))
        .chain(model.accesses.iter().map(|a| a.window));
    let dates: BTreeSet<Date> = windows
        .flat_map(|w: Window| [w.since, w.until])
        .flatten()
        .collect();
    dates.into_iter().collect()
}

/// The dates in `(from, to]` on which the reach changes (either bound may be
/// open), each with what changes on it; dates where nothing in the matrix
/// changes are left out.
pub fn timeline(model: &Model, from: Option<Date>, to: Option<Date>) -> Vec<TimelineStep> {
    change_dates(model)
        .into_iter()
        .filter(|&d| from.is_none_or(|f| d > f) && to.is_none_or(|t| d <= t))
        .filter_map(|date| {
            // The first representable day has no day before; nothing can change on it.
            let before = Evaluation::new(model, date.yesterday().ok()?);
            let after = Evaluation::new(model, date);
            let diff = Diff::between(&before, &after);
            diff.reach_differs().then_some(TimelineStep { date, diff })
        })
        .collect()
}
