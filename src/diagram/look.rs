//! How each kind of box and arrow looks, shared by the DOT and Mermaid
//! renderers so both draw the same picture, and line wrapping for labels.

use super::{EdgeKind, Highlight, Lang, NodeKind};
use crate::model::Kind;

pub const BLUE: &str = "#1a5fb4";
pub const RED: &str = "#c01c28";
pub const GREEN: &str = "#26a269";
pub const ORANGE: &str = "#c64600";
pub const GREY: &str = "#9a9996";
pub const PURPLE: &str = "#613583";
pub const DARK: &str = "#3d3846";
pub const MUTED_TEXT: &str = "#5e5c64";
pub const WHITE: &str = "#ffffff";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line {
    Solid,
    Dashed,
    Dotted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Box,
    Rounded,
    Cylinder,
    Stadium,
}

#[derive(Debug, Clone, Copy)]
pub struct EdgeLook {
    pub color: &'static str,
    pub width: f32,
    pub line: Line,
    pub arrow: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct BoxLook {
    pub shape: Shape,
    pub fill: &'static str,
    pub border: &'static str,
    pub width: f32,
    pub line: Line,
}

fn stores(kinds: &[Kind]) -> bool {
    kinds
        .iter()
        .any(|k| matches!(k, Kind::Stored | Kind::Operated))
}

pub fn edge(kind: &EdgeKind, highlight: Highlight) -> EdgeLook {
    let base = match kind {
        EdgeKind::Access => EdgeLook {
            color: BLUE,
            width: 1.4,
            line: Line::Solid,
            arrow: true,
        },
        EdgeKind::Flow => EdgeLook {
            color: PURPLE,
            width: 1.2,
            line: Line::Dashed,
            arrow: true,
        },
        EdgeKind::Operates { reads } => EdgeLook {
            color: if *reads { DARK } else { GREY },
            width: 1.0,
            line: Line::Dotted,
            arrow: true,
        },
        EdgeKind::StaffIn => EdgeLook {
            color: GREY,
            width: 1.2,
            line: Line::Dashed,
            arrow: false,
        },
        EdgeKind::Reach { kinds } => EdgeLook {
            color: DARK,
            width: 1.5,
            line: if stores(kinds) {
                Line::Solid
            } else {
                Line::Dashed
            },
            arrow: true,
        },
        EdgeKind::Change { .. } => EdgeLook {
            color: GREY,
            width: 1.0,
            line: Line::Solid,
            arrow: true,
        },
    };
    match highlight {
        Highlight::None => base,
        Highlight::Sensitive => EdgeLook {
            color: RED,
            width: 2.5,
            ..base
        },
        Highlight::Added => EdgeLook {
            color: GREEN,
            width: 2.5,
            line: Line::Solid,
            ..base
        },
        Highlight::Removed => EdgeLook {
            color: RED,
            width: 2.0,
            line: Line::Dashed,
            ..base
        },
        Highlight::Changed => EdgeLook {
            color: ORANGE,
            width: 2.0,
            line: Line::Solid,
            ..base
        },
        Highlight::Unchanged | Highlight::Muted => EdgeLook {
            color: GREY,
            width: 1.0,
            ..base
        },
    }
}

pub fn node(kind: &NodeKind, highlight: Highlight) -> BoxLook {
    let base = match kind {
        NodeKind::Organisation(_) => BoxLook {
            shape: Shape::Rounded,
            fill: WHITE,
            border: DARK,
            width: 1.0,
            line: Line::Solid,
        },
        NodeKind::System { .. } => BoxLook {
            shape: Shape::Cylinder,
            fill: "#fdf6e3",
            border: "#865e3c",
            width: 1.0,
            line: Line::Solid,
        },
        NodeKind::Country { home, .. } => BoxLook {
            shape: Shape::Stadium,
            fill: if *home { "#dbe8f7" } else { WHITE },
            border: if *home { BLUE } else { DARK },
            width: if *home { 2.0 } else { 1.2 },
            line: Line::Solid,
        },
        NodeKind::Categories(_) => BoxLook {
            shape: Shape::Box,
            fill: "#f6f5f4",
            border: MUTED_TEXT,
            width: 1.0,
            line: Line::Solid,
        },
    };
    match highlight {
        Highlight::None | Highlight::Muted | Highlight::Unchanged => base,
        Highlight::Sensitive => BoxLook {
            border: RED,
            width: 2.5,
            ..base
        },
        Highlight::Added => BoxLook {
            border: GREEN,
            width: 2.5,
            ..base
        },
        Highlight::Removed => BoxLook {
            border: RED,
            width: 2.0,
            line: Line::Dashed,
            ..base
        },
        Highlight::Changed => BoxLook {
            border: ORANGE,
            width: 2.0,
            ..base
        },
    }
}

pub fn cluster(home: bool, highlight: Highlight) -> BoxLook {
    let (fill, border, width) = match (home, highlight) {
        (true, _) => ("#eef4fb", BLUE, 2.0),
        (false, Highlight::Sensitive) => ("#fdf0f0", RED, 2.0),
        (false, _) => ("#f6f5f4", GREY, 1.0),
    };
    BoxLook {
        shape: Shape::Rounded,
        fill,
        border,
        width,
        line: Line::Solid,
    }
}

/// Widest label line, in columns (a CJK character takes two).
pub const WRAP: usize = 34;

fn columns(c: char) -> usize {
    if c >= '\u{2E80}' { 2 } else { 1 }
}

/// Breaks a line into lines of at most `width` columns, as even as they can
/// be (no one-character orphan line): at spaces where there are any
/// (English), anywhere otherwise (Japanese); a word wider than `width` is
/// broken too.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let total: usize = text.chars().map(columns).sum();
    if total <= width {
        return vec![text.to_string()];
    }
    let count = total.div_ceil(width);
    let even = total.div_ceil(count);
    (even..width)
        .map(|w| greedy(text, w))
        .find(|lines| lines.len() <= count)
        .unwrap_or_else(|| greedy(text, width))
}

fn greedy(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for word in text.split_inclusive(' ') {
        let word_cols: usize = word.trim_end().chars().map(columns).sum();
        if used > 0 && used + word_cols > width {
            lines.push(line.trim_end().to_string());
            line.clear();
            used = 0;
        }
        for c in word.chars() {
            if used + columns(c) > width && c != ' ' && used > 0 {
                lines.push(line.trim_end().to_string());
                line.clear();
                used = 0;
            }
            line.push(c);
            used += columns(c);
        }
    }
    if !line.trim_end().is_empty() || lines.is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
}

/// The font families asked for: a Japanese face first for Japanese labels.
pub fn font(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "Helvetica,Arial,sans-serif",
        Lang::Ja => "Noto Sans CJK JP,Hiragino Sans,Yu Gothic,Meiryo,sans-serif",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces_into_even_lines() {
        assert_eq!(
            wrap(
                "Reported Timeline and OpenChat posts (incl. images and videos)",
                34
            ),
            vec![
                "Reported Timeline and OpenChat",
                "posts (incl. images and videos)"
            ]
        );
        assert_eq!(
            wrap("Official account images and videos extra", 34),
            vec!["Official account images", "and videos extra"]
        );
        assert_eq!(wrap("", 10), vec![""]);
        assert_eq!(wrap("short", 10), vec!["short"]);
    }

    #[test]
    fn japanese_wraps_anywhere_without_an_orphan() {
        // 18 characters of two columns: two lines of nine, not 17 and 1.
        assert_eq!(
            wrap("ユーザーが通報したトークのメッセージ", 34),
            vec!["ユーザーが通報した", "トークのメッセージ"]
        );
        let ja = "通報されたタイムライン・オープンチャットの投稿（画像・動画を含む）";
        let lines = wrap(ja, 34);
        assert_eq!(lines.concat(), ja);
        assert_eq!(lines.len(), 2);
        assert!(lines.iter().all(|l| l.chars().count() <= 17));
    }

    #[test]
    fn a_word_wider_than_the_line_is_broken() {
        let long = "x".repeat(50);
        let lines = wrap(&long, 34);
        assert_eq!(lines.concat(), long);
        assert!(lines.iter().all(|l| l.len() <= 34));
    }
}
