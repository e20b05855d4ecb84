//! Diagrams for disclosure documents: who can reach personal data, drawn.
//!
//! [`build`] turns an evaluation into a [`Diagram`], a plain description of
//! boxes, arrows, country clusters and a legend, with every user-written
//! string kept raw. The renderers escape for their format: [`dot`] (Graphviz,
//! built with graphviz-rust's structures and printer), [`mermaid`] (for
//! markdown) and [`svg`] (runs Graphviz's `dot`).
//!
//! Views:
//! - [`View::Access`]: organisations and systems in one cluster per country,
//!   with access, flow and operation arrows.
//! - [`View::Countries`]: one node per country, reached from boxes of
//!   categories that share the same reach, the arrows naming the kinds.
//! - [`View::Category`]: the access view cut down to what reaches one
//!   category (and its declared descendants).
//! - [`diff_view`]: the country view of a before/after comparison.
//!
//! Views that would pass [`READABLE_NODES`] boxes are aggregated (by
//! organisation group, then by country; categories by top-level group) and
//! the legend says so, so Graphviz is never handed a graph it takes minutes
//! to lay out.

mod access;
mod countries;
mod dot;
mod look;
mod mermaid;
mod svg;
mod words;

use crate::model::{CategoryIdx, CountryCode, Kind, Role};
use crate::reach::Evaluation;

pub use dot::dot;
pub use mermaid::mermaid;
pub use svg::{SvgError, TIMEOUT, svg, svg_with};

/// Above this many boxes a view is aggregated.
pub const READABLE_NODES: usize = 60;

/// Which picture to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Access,
    Countries,
    Category(CategoryIdx),
}

/// The language of the labels (the reports' language). Ids, codes and dates are the same in both.
pub use crate::report::lang::Lang;

/// A diagram, independent of its output format. Strings are raw user text;
/// the renderers escape them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagram {
    pub title: String,
    /// Second title line: the date and what the picture is for.
    pub subtitle: String,
    pub lang: Lang,
    /// In the order they are drawn: the home country first.
    pub clusters: Vec<Cluster>,
    /// In drawing order: for the access views by cluster (boxes outside
    /// clusters last), then by id; for the country views the category
    /// boxes, then the countries, home first.
    pub nodes: Vec<Node>,
    /// Sorted by (from, to, kind).
    pub edges: Vec<Edge>,
    pub legend: Legend,
}

/// A country box holding the organisations and systems there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster {
    /// Unique within the diagram.
    pub id: String,
    pub country: CountryCode,
    pub label: String,
    pub details: Vec<String>,
    pub home: bool,
    /// A foreign country from which sensitive categories can be reached.
    pub highlight: Highlight,
}

/// One box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// Unique within the diagram; stable across runs and dates.
    pub id: String,
    /// Index into [`Diagram::clusters`].
    pub cluster: Option<usize>,
    pub kind: NodeKind,
    /// The bold part; a `\n` starts a new line.
    pub label: String,
    /// Smaller lines under the label.
    pub details: Vec<String>,
    pub highlight: Highlight,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeKind {
    /// An organisation; `None` for a box standing for several.
    Organisation(Option<Role>),
    /// A system; `aggregate` when the box stands for several.
    System {
        aggregate: bool,
    },
    Country {
        code: CountryCode,
        home: bool,
    },
    /// Categories drawn together, by id.
    Categories(Vec<String>),
}

/// What draws the eye to a box, a cluster or an arrow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Highlight {
    #[default]
    None,
    /// Sensitive categories reached from a foreign country.
    Sensitive,
    /// Present only after the change.
    Added,
    /// Present only before the change.
    Removed,
    /// Present before and after, differently.
    Changed,
    /// Context: the same before and after.
    Unchanged,
    /// Context: reach of the home country.
    Muted,
}

/// One arrow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub kind: EdgeKind,
    pub label: Vec<String>,
    pub highlight: Highlight,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum EdgeKind {
    /// People of an organisation can read a system.
    Access,
    /// A system's data is copied or exposed to another.
    Flow,
    /// An organisation runs a system; `reads` unless `operator_access = false`.
    Operates { reads: bool },
    /// The organisation's own box to the box of its people in another country.
    StaffIn,
    /// Categories reach a country by these kinds.
    Reach { kinds: Vec<Kind> },
    /// The reach of a before/after comparison.
    Change { before: Vec<Kind>, after: Vec<Kind> },
}

/// What the legend explains, in the diagram's language.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Legend {
    pub items: Vec<LegendItem>,
    /// Aggregation and other remarks about how to read the picture.
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegendItem {
    pub swatch: Swatch,
    pub text: String,
}

/// The sample drawn next to a legend line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Swatch {
    Edge(EdgeKind, Highlight),
    Node(NodeKind, Highlight),
    Cluster { home: bool, highlight: Highlight },
}

/// Draws one view of an evaluation.
pub fn build(evaluation: &Evaluation, view: View, lang: Lang) -> Diagram {
    match view {
        View::Access => access::build(evaluation, None, lang),
        View::Category(c) => access::build(evaluation, Some(c), lang),
        View::Countries => countries::build(evaluation, lang),
    }
}

/// The country view of a change: categories grouped by their reach before and
/// after, arrows added (green), removed (red, dashed), changed (orange) or
/// unchanged (grey). Categories are matched by id, so the two evaluations may
/// be of different models.
pub fn diff_view(before: &Evaluation, after: &Evaluation, lang: Lang) -> Diagram {
    countries::diff(before, after, lang)
}

/// The diagrams a report set includes, as `(file name, content)` in a fixed
/// order: the access and country views and one view per sensitive category,
/// each as DOT (`.dot`) and Mermaid (`.mmd`). File names are made of
/// `[a-z0-9._-]` only. SVG is left to the caller, which knows whether `dot`
/// is installed.
pub fn report_set(evaluation: &Evaluation, lang: Lang) -> Vec<(String, String)> {
    let model = evaluation.model();
    let mut views: Vec<(String, View)> = vec![
        ("access".to_string(), View::Access),
        ("countries".to_string(), View::Countries),
    ];
    let mut taken: Vec<String> = views.iter().map(|(n, _)| n.clone()).collect();
    for (i, category) in model.categories.iter().enumerate() {
        if !category.sensitivity.is_sensitive() {
            continue;
        }
        let stem = unique_stem(format!("category-{}", file_stem(&category.id)), &taken);
        taken.push(stem.clone());
        views.push((stem, View::Category(CategoryIdx(i as u32))));
    }
    let mut files = Vec::with_capacity(views.len() * 2);
    for (stem, view) in views {
        let diagram = build(evaluation, view, lang);
        files.push((format!("{stem}.dot"), dot(&diagram)));
        files.push((format!("{stem}.mmd"), mermaid(&diagram)));
    }
    files
}

/// A user-written id as part of a file name: lower case `[a-z0-9._-]`, other
/// characters as `-`, never starting with a dot.
pub fn file_stem(id: &str) -> String {
    let stem: String = id
        .chars()
        .map(|c| match c.to_ascii_lowercase() {
            c @ ('a'..='z' | '0'..='9' | '.' | '_' | '-') => c,
            _ => '-',
        })
        .collect();
    match stem.strip_prefix('.') {
        Some(rest) => format!("-{rest}"),
        None => stem,
    }
}

/// Sanitising can make two ids equal (`A` and `a`); the later one gets a number.
fn unique_stem(stem: String, taken: &[String]) -> String {
    if !taken.contains(&stem) {
        return stem;
    }
    (2..)
        .map(|n| format!("{stem}-{n}"))
        .find(|s| !taken.contains(s))
        .unwrap_or(stem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stems_are_safe() {
        assert_eq!(file_stem("user.content.message"), "user.content.message");
        assert_eq!(file_stem("../etc/passwd"), "-.-etc-passwd");
        assert_eq!(file_stem("Ä b/C"), "--b-c");
        assert_eq!(file_stem("..."), "-..");
    }

    #[test]
    fn colliding_stems_are_numbered() {
        let taken = vec!["category-a".to_string(), "category-a-2".to_string()];
        assert_eq!(unique_stem("category-a".into(), &taken), "category-a-3");
        assert_eq!(unique_stem("category-b".into(), &taken), "category-b");
    }
}
