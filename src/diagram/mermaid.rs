//! Mermaid output, for markdown on GitHub and in documents.
//!
//! Every label is quoted (`["..."]`, `|"..."|`) and its text passed through
//! [`escape::mermaid`], which turns quotes, angle brackets and the other
//! characters Mermaid or HTML would read into Mermaid's `#...;` entity codes.
//! Ids are re-encoded to `[A-Za-z0-9_]`. The only markup is fixed: `<b>` and
//! `<br/>`.

use std::fmt::Write;

use super::look::{self, BoxLook, EdgeLook, Line, Shape};
use super::words::{Phrase, phrase};
use super::{Diagram, Swatch};
use crate::report::escape;

/// An id made of letters, digits and `_`: any other byte is written `_XX`,
/// `_` itself too, so distinct ids stay distinct.
fn mermaid_id(prefix: &str, id: &str) -> String {
    let mut out = String::from(prefix);
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() {
            out.push(b as char);
        } else {
            let _ = write!(out, "_{b:02X}");
        }
    }
    out
}

fn lines<'a>(texts: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    texts
        .into_iter()
        .flat_map(|t| t.split('\n'))
        .flat_map(|t| look::wrap(t, look::WRAP))
        .map(|t| escape::mermaid(&t))
        .collect()
}

/// A box's label: bold first (a bulleted list when it has several items,
/// so a wrapped item cannot pass for two), then the details.
fn label(bold: &str, details: &[String]) -> String {
    let list = bold.contains('\n');
    let mut parts: Vec<String> = Vec::new();
    for item in bold.split('\n') {
        for (i, line) in lines([item]).into_iter().enumerate() {
            let lead = match (list, i) {
                (false, _) => "",
                (true, 0) => "• ",
                (true, _) => "#160;#160;#160;",
            };
            parts.push(format!("<b>{lead}{line}</b>"));
        }
    }
    parts.extend(lines(details.iter().map(String::as_str)));
    parts.join("<br/>")
}

fn shaped(id: &str, shape: Shape, text: &str) -> String {
    match shape {
        Shape::Box => format!("{id}[\"{text}\"]"),
        Shape::Rounded => format!("{id}(\"{text}\")"),
        Shape::Cylinder => format!("{id}[(\"{text}\")]"),
        Shape::Stadium => format!("{id}([\"{text}\"])"),
    }
}

fn box_style(l: BoxLook) -> String {
    let mut style = format!(
        "fill:{},stroke:{},stroke-width:{}px",
        l.fill, l.border, l.width
    );
    if l.line == Line::Dashed {
        style.push_str(",stroke-dasharray:5 4");
    }
    style
}

fn arrow(l: EdgeLook) -> &'static str {
    match (l.line, l.arrow) {
        (Line::Solid, true) => "-->",
        (Line::Solid, false) => "---",
        (_, true) => "-.->",
        (_, false) => "-.-",
    }
}

fn link_style(l: EdgeLook) -> String {
    let mut style = format!("stroke:{},stroke-width:{}px", l.color, l.width);
    if l.line == Line::Dotted {
        style.push_str(",stroke-dasharray:2 3");
    }
    style
}

/// The diagram as a Mermaid flowchart, with a title and a legend subgraph.
pub fn mermaid(diagram: &Diagram) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "---");
    let _ = writeln!(out, "title: \"{}\"", escape::mermaid(&diagram.title));
    let _ = writeln!(out, "---");
    let _ = writeln!(out, "flowchart LR");
    let mut styles: Vec<String> = Vec::new();
    let mut links: Vec<String> = Vec::new();
    let node_line = |node: &super::Node| {
        let id = mermaid_id("n_", &node.id);
        let l = look::node(&node.kind, node.highlight);
        (
            shaped(&id, l.shape, &label(&node.label, &node.details)),
            format!("  style {id} {}", box_style(l)),
        )
    };
    for (i, cluster) in diagram.clusters.iter().enumerate() {
        let id = mermaid_id("c_", &cluster.id);
        let _ = writeln!(
            out,
            "  subgraph {id}[\"{}\"]",
            label(&cluster.label, &cluster.details)
        );
        for node in diagram.nodes.iter().filter(|n| n.cluster == Some(i)) {
            let (line, style) = node_line(node);
            let _ = writeln!(out, "    {line}");
            styles.push(style);
        }
        let _ = writeln!(out, "  end");
        styles.push(format!(
            "  style {id} {}",
            box_style(look::cluster(cluster.home, cluster.highlight))
        ));
    }
    for node in diagram.nodes.iter().filter(|n| n.cluster.is_none()) {
        let (line, style) = node_line(node);
        let _ = writeln!(out, "  {line}");
        styles.push(style);
    }
    for edge in &diagram.edges {
        let l = look::edge(&edge.kind, edge.highlight);
        let text = lines(edge.label.iter().map(String::as_str)).join("<br/>");
        let from = mermaid_id("n_", &edge.from);
        let to = mermaid_id("n_", &edge.to);
        if text.is_empty() {
            let _ = writeln!(out, "  {from} {} {to}", arrow(l));
        } else {
            let _ = writeln!(out, "  {from} {}|\"{text}\"| {to}", arrow(l));
        }
        links.push(link_style(l));
    }

    // The legend: a sample of each box and arrow, with its meaning.
    let _ = writeln!(
        out,
        "  subgraph legend[\"{}\"]",
        escape::mermaid(phrase(Phrase::Legend, diagram.lang))
    );
    let _ = writeln!(out, "    direction TB");
    let _ = writeln!(
        out,
        "    legend_date[\"{}\"]",
        lines([diagram.subtitle.as_str()]).join("<br/>")
    );
    styles.push(format!(
        "  style legend_date fill:{},stroke:{},stroke-width:0px",
        look::WHITE,
        look::WHITE
    ));
    for (i, item) in diagram.legend.items.iter().enumerate() {
        let text = lines([item.text.as_str()]).join("<br/>");
        match &item.swatch {
            Swatch::Edge(kind, highlight) => {
                let l = look::edge(kind, *highlight);
                let _ = writeln!(
                    out,
                    "    legend_{i}a[\" \"] {}|\"{text}\"| legend_{i}b[\" \"]",
                    arrow(l)
                );
                links.push(link_style(l));
                for end in ["a", "b"] {
                    styles.push(format!(
                        "  style legend_{i}{end} fill:{},stroke:{}",
                        look::WHITE,
                        look::GREY
                    ));
                }
            }
            Swatch::Node(kind, highlight) => {
                let l = look::node(kind, *highlight);
                let _ = writeln!(
                    out,
                    "    {}",
                    shaped(&format!("legend_{i}"), l.shape, &text)
                );
                styles.push(format!("  style legend_{i} {}", box_style(l)));
            }
            Swatch::Cluster { home, highlight } => {
                let l = look::cluster(*home, *highlight);
                let _ = writeln!(
                    out,
                    "    {}",
                    shaped(&format!("legend_{i}"), l.shape, &text)
                );
                styles.push(format!("  style legend_{i} {}", box_style(l)));
            }
        }
    }
    if !diagram.legend.notes.is_empty() {
        let notes = lines(diagram.legend.notes.iter().map(String::as_str)).join("<br/>");
        let _ = writeln!(out, "    legend_notes[\"{notes}\"]");
        styles.push(format!(
            "  style legend_notes fill:{},stroke:{}",
            look::WHITE,
            look::GREY
        ));
    }
    let _ = writeln!(out, "  end");
    styles.push(format!(
        "  style legend fill:{},stroke:{}",
        look::WHITE,
        look::GREY
    ));
    for style in styles {
        let _ = writeln!(out, "{style}");
    }
    for (i, style) in links.iter().enumerate() {
        let _ = writeln!(out, "  linkStyle {i} {style}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_plain_and_distinct() {
        assert_eq!(
            mermaid_id("n_", "org:JP:line-corp"),
            "n_org_3AJP_3Aline_2Dcorp"
        );
        assert_ne!(mermaid_id("n_", "a_b"), mermaid_id("n_", "a-b"));
        assert_ne!(mermaid_id("n_", "a_2Db"), mermaid_id("n_", "a-b"));
        assert_eq!(mermaid_id("n_", "日"), "n__E6_97_A5");
    }
}
