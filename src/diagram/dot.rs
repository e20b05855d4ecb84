//! DOT output, built as graphviz-rust structures and printed by its printer.
//!
//! Why structures rather than text: the printer fixes the grammar (braces,
//! brackets, statement separators), so user-written text can reach the output
//! only through the two constructors below, [`quoted`] (ids and plain values,
//! percent-encoded by [`escape::dot_id`]) and [`html`] (labels, built from
//! text escaped by [`escape::dot_html`]). The printer itself escapes nothing,
//! so no `Id` is ever made from raw text anywhere else. The tests parse every
//! generated graph back with graphviz-rust's parser and render it with `dot`.

use graphviz_rust::dot_structures::{
    Attribute, Edge as DotEdge, EdgeTy, Graph, GraphAttributes, Id, Node as DotNode, NodeId, Stmt,
    Subgraph, Vertex,
};
use graphviz_rust::printer::{DotPrinter, PrinterContext};

use super::look::{self, BoxLook, EdgeLook, Line, Shape};
use super::words::{Phrase, phrase};
use super::{Diagram, Highlight, LegendItem, Swatch};
use crate::report::escape;

/// A quoted DOT id or value.
fn quoted(text: &str) -> Id {
    Id::Escaped(format!("\"{}\"", escape::dot_id(text)))
}

/// An HTML-like label; `markup` is built only from escaped text and fixed tags.
fn html(markup: String) -> Id {
    Id::Html(format!("<{markup}>"))
}

fn attr(key: &str, value: Id) -> Attribute {
    Attribute(Id::Plain(key.to_string()), value)
}

/// Escaped, wrapped lines joined by `<BR/>`.
fn lines<'a>(texts: impl IntoIterator<Item = &'a str>) -> String {
    texts
        .into_iter()
        .flat_map(|t| t.split('\n'))
        .flat_map(|t| look::wrap(t, look::WRAP))
        .map(|t| escape::dot_html(&t))
        .collect::<Vec<_>>()
        .join("<BR/>")
}

/// Bold markup; Graphviz rejects an empty `<B></B>`, which an empty line of
/// a user-written name would otherwise give.
fn bold(inner: String) -> String {
    if inner.is_empty() {
        inner
    } else {
        format!("<B>{inner}</B>")
    }
}

/// A box's label: the bold part (one item per `\n` line, as a left-aligned
/// list when there are several, so a wrapped item cannot pass for two), then
/// the details, smaller.
fn box_label(label: &str, details: &[String]) -> String {
    let small = |text: String| {
        format!(
            "<FONT POINT-SIZE=\"9\" COLOR=\"{}\">{text}</FONT>",
            look::MUTED_TEXT
        )
    };
    if !label.contains('\n') {
        let mut markup = bold(lines([label]));
        if !details.is_empty() {
            markup.push_str("<BR/>");
            markup.push_str(&small(lines(details.iter().map(String::as_str))));
        }
        return markup;
    }
    // A table gives the list a hanging indent that every SVG viewer keeps.
    let mut rows = String::new();
    for item in label.split('\n') {
        rows.push_str(&format!(
            "<TR><TD VALIGN=\"TOP\" CELLPADDING=\"1\">•</TD><TD ALIGN=\"LEFT\" BALIGN=\"LEFT\">{}</TD></TR>",
            bold(lines([item]))
        ));
    }
    if !details.is_empty() {
        rows.push_str(&format!(
            "<TR><TD COLSPAN=\"2\" ALIGN=\"LEFT\" BALIGN=\"LEFT\">{}</TD></TR>",
            small(lines(details.iter().map(String::as_str)))
        ));
    }
    format!("<TABLE BORDER=\"0\" CELLPADDING=\"0\" CELLSPACING=\"1\">{rows}</TABLE>")
}

fn style_of(line: Line, rounded: bool) -> String {
    let mut parts = Vec::new();
    if rounded {
        parts.push("rounded");
    }
    parts.push("filled");
    match line {
        Line::Solid => {}
        Line::Dashed => parts.push("dashed"),
        Line::Dotted => parts.push("dotted"),
    }
    parts.join(",")
}

fn box_attrs(l: BoxLook) -> Vec<Attribute> {
    let (shape, rounded) = match l.shape {
        Shape::Box => ("box", false),
        Shape::Rounded | Shape::Stadium => ("box", true),
        Shape::Cylinder => ("cylinder", false),
    };
    vec![
        attr("shape", quoted(shape)),
        attr("style", quoted(&style_of(l.line, rounded))),
        attr("fillcolor", quoted(l.fill)),
        attr("color", quoted(l.border)),
        attr("penwidth", quoted(&l.width.to_string())),
    ]
}

fn edge_attrs(l: EdgeLook, highlight: Highlight) -> Vec<Attribute> {
    let style = match l.line {
        Line::Solid => "solid",
        Line::Dashed => "dashed",
        Line::Dotted => "dotted",
    };
    let text = if highlight == Highlight::None {
        look::DARK
    } else {
        l.color
    };
    vec![
        attr("color", quoted(l.color)),
        attr("fontcolor", quoted(text)),
        attr("penwidth", quoted(&l.width.to_string())),
        attr("style", quoted(style)),
        attr("arrowhead", quoted(if l.arrow { "normal" } else { "none" })),
    ]
}

fn title(diagram: &Diagram) -> String {
    let wide = look::WRAP * 3;
    let title: Vec<String> = look::wrap(&diagram.title, wide)
        .iter()
        .map(|t| escape::dot_html(t))
        .collect();
    let subtitle: Vec<String> = look::wrap(&diagram.subtitle, wide)
        .iter()
        .map(|t| escape::dot_html(t))
        .collect();
    format!(
        "<TABLE BORDER=\"0\" CELLPADDING=\"2\" CELLSPACING=\"0\">\
         <TR><TD ALIGN=\"LEFT\" BALIGN=\"LEFT\"><FONT POINT-SIZE=\"18\"><B>{}</B></FONT></TD></TR>\
         <TR><TD ALIGN=\"LEFT\" BALIGN=\"LEFT\"><FONT POINT-SIZE=\"11\" COLOR=\"{}\">{}</FONT></TD></TR>\
         </TABLE>",
        title.join("<BR/>"),
        look::MUTED_TEXT,
        subtitle.join("<BR/>")
    )
}

/// The sample a legend line shows: a coloured stroke for arrows, a filled
/// cell for boxes and clusters.
fn swatch(item: &LegendItem) -> String {
    let cell = |l: BoxLook| {
        format!(
            "<TD BGCOLOR=\"{}\" COLOR=\"{}\" BORDER=\"{}\" WIDTH=\"34\" HEIGHT=\"14\" FIXEDSIZE=\"TRUE\"></TD>",
            l.fill,
            l.border,
            if l.width >= 2.0 { 2 } else { 1 }
        )
    };
    match &item.swatch {
        Swatch::Edge(kind, highlight) => {
            let l = look::edge(kind, *highlight);
            let heavy = l.width >= 2.0;
            let stroke = match (l.line, heavy) {
                (Line::Solid, false) => "────",
                (Line::Solid, true) => "━━━━",
                (Line::Dashed, false) => "╌╌╌╌",
                (Line::Dashed, true) => "╍╍╍╍",
                (Line::Dotted, false) => "┈┈┈┈",
                (Line::Dotted, true) => "┉┉┉┉",
            };
            format!(
                "<TD ALIGN=\"LEFT\"><FONT COLOR=\"{}\">{stroke}{}</FONT></TD>",
                l.color,
                if l.arrow { "▶" } else { "" }
            )
        }
        Swatch::Node(kind, highlight) => cell(look::node(kind, *highlight)),
        Swatch::Cluster { home, highlight } => cell(look::cluster(*home, *highlight)),
    }
}

/// Room at the end of each legend row: viewers that substitute a wider font
/// than the one Graphviz measured with would otherwise touch the border.
const SLACK: &str = "<TD WIDTH=\"12\"></TD>";

fn legend(diagram: &Diagram) -> String {
    let mut rows = format!(
        "<TR><TD COLSPAN=\"3\" ALIGN=\"LEFT\"><B>{}</B></TD></TR>",
        escape::dot_html(phrase(Phrase::Legend, diagram.lang))
    );
    for item in &diagram.legend.items {
        rows.push_str(&format!(
            "<TR>{}<TD ALIGN=\"LEFT\">{}</TD>{SLACK}</TR>",
            swatch(item),
            escape::dot_html(&item.text)
        ));
    }
    for note in &diagram.legend.notes {
        rows.push_str(&format!(
            "<TR><TD COLSPAN=\"2\" ALIGN=\"LEFT\" BALIGN=\"LEFT\"><FONT POINT-SIZE=\"9\" COLOR=\"{}\">{}</FONT></TD>{SLACK}</TR>",
            look::MUTED_TEXT,
            lines([note.as_str()])
        ));
    }
    format!(
        "<TABLE BORDER=\"1\" COLOR=\"{}\" CELLBORDER=\"0\" CELLSPACING=\"3\" CELLPADDING=\"2\" BGCOLOR=\"{}\">{rows}</TABLE>",
        look::GREY,
        look::WHITE
    )
}

fn node_stmt(node: &super::Node) -> Stmt {
    let mut attrs = vec![attr("label", html(box_label(&node.label, &node.details)))];
    attrs.extend(box_attrs(look::node(&node.kind, node.highlight)));
    Stmt::Node(DotNode::new(NodeId(quoted(&node.id), None), attrs))
}

/// The diagram as a DOT graph: deterministic, one statement per line.
pub fn dot(diagram: &Diagram) -> String {
    let font = look::font(diagram.lang);
    let mut stmts = vec![
        Stmt::GAttribute(GraphAttributes::Graph(vec![
            attr("charset", quoted("UTF-8")),
            attr("label", html(title(diagram))),
            attr("labelloc", quoted("t")),
            attr("labeljust", quoted("l")),
            attr("fontname", quoted(font)),
            attr("rankdir", quoted("LR")),
            attr("newrank", quoted("true")),
            attr("nodesep", quoted("0.25")),
            attr("ranksep", quoted("0.9")),
            attr("pad", quoted("0.3")),
            attr("bgcolor", quoted(look::WHITE)),
        ])),
        Stmt::GAttribute(GraphAttributes::Node(vec![
            attr("fontname", quoted(font)),
            attr("fontsize", quoted("11")),
            attr("margin", quoted("0.12,0.06")),
        ])),
        Stmt::GAttribute(GraphAttributes::Edge(vec![
            attr("fontname", quoted(font)),
            attr("fontsize", quoted("9")),
            attr("arrowsize", quoted("0.7")),
        ])),
    ];
    for (i, cluster) in diagram.clusters.iter().enumerate() {
        let l = look::cluster(cluster.home, cluster.highlight);
        let mut inner = vec![Stmt::GAttribute(GraphAttributes::Graph(vec![
            attr("label", html(box_label(&cluster.label, &cluster.details))),
            attr("labeljust", quoted("l")),
            attr("style", quoted(&style_of(l.line, true))),
            attr("fillcolor", quoted(l.fill)),
            attr("color", quoted(l.border)),
            attr("penwidth", quoted(&l.width.to_string())),
            attr("margin", quoted("12")),
        ]))];
        inner.extend(
            diagram
                .nodes
                .iter()
                .filter(|n| n.cluster == Some(i))
                .map(node_stmt),
        );
        stmts.push(Stmt::Subgraph(Subgraph {
            id: quoted(&format!("cluster_{}", cluster.id)),
            stmts: inner,
        }));
    }
    stmts.extend(
        diagram
            .nodes
            .iter()
            .filter(|n| n.cluster.is_none())
            .map(node_stmt),
    );
    // The legend is a free box; dot puts it under the title. Entry ids all
    // carry a `kind:` prefix, so "legend" cannot collide with one.
    stmts.push(Stmt::Node(DotNode::new(
        NodeId(quoted("legend"), None),
        vec![
            attr("shape", quoted("plain")),
            attr("label", html(legend(diagram))),
        ],
    )));
    for edge in &diagram.edges {
        let mut attrs = Vec::new();
        if !edge.label.is_empty() {
            // Wrapped in an element: graphviz-rust's parser reads an
            // HTML-like label only up to a `>` that closes a tag.
            attrs.push(attr(
                "label",
                html(format!(
                    "<FONT POINT-SIZE=\"9\">{}</FONT>",
                    lines(edge.label.iter().map(String::as_str))
                )),
            ));
        }
        attrs.extend(edge_attrs(
            look::edge(&edge.kind, edge.highlight),
            edge.highlight,
        ));
        stmts.push(Stmt::Edge(DotEdge {
            ty: EdgeTy::Pair(
                Vertex::N(NodeId(quoted(&edge.from), None)),
                Vertex::N(NodeId(quoted(&edge.to), None)),
            ),
            attributes: attrs,
        }));
    }
    let graph = Graph::DiGraph {
        id: quoted("reachmap"),
        strict: false,
        stmts,
    };
    let mut ctx = PrinterContext::default();
    ctx.with_node_mult_attr_s_l();
    let mut text = graph.print(&mut ctx);
    text.push('\n');
    text
}
