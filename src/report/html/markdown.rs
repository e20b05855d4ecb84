//! The Markdown that reachmap's own documents use, as HTML: headings, nested
//! `-` lists, pipe tables, paragraphs, `**strong**`, code spans and backslash
//! escapes. It reads only what `report::disclosure` writes, not Markdown at
//! large; anything else comes out as paragraph text. Every piece of text goes
//! through [`escape::html`], so a name cannot become markup whatever it holds.

use crate::report::escape;

/// `markdown` as HTML; `#` becomes `<h{1 + shift}>`, capped at `<h6>`.
pub fn to_html(markdown: &str, shift: usize) -> String {
    let mut out = String::new();
    let mut paragraph: Vec<&str> = Vec::new();
    // Depth of the open list items: 0 when no list is open.
    let mut list_depth = 0usize;
    let mut lines = markdown.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        let is_item = trimmed.starts_with("- ");
        if line.trim().is_empty() || is_item || is_heading(line) || line.starts_with('|') {
            flush_paragraph(&mut paragraph, &mut out);
        }
        if !is_item && list_depth > 0 && (line.trim().is_empty() || !line.starts_with(' ')) {
            close_list(&mut list_depth, 0, &mut out);
        }
        if line.trim().is_empty() {
            continue;
        }
        if let Some((level, text)) = heading(line) {
            let level = (level + shift).min(6);
            out.push_str(&format!("<h{level}>{}</h{level}>\n", inline(text)));
        } else if is_item {
            let indent = line.len() - trimmed.len();
            // One level deeper at most, whatever the indent says.
            let depth = (indent / 2 + 1).min(list_depth + 1);
            if depth > list_depth {
                out.push_str("<ul>\n<li>");
                list_depth += 1;
            } else {
                close_list(&mut list_depth, depth, &mut out);
                out.push_str("</li>\n<li>");
            }
            out.push_str(&inline(&trimmed[2..]));
        } else if line.starts_with('|') {
            let mut rows = vec![line];
            while let Some(next) = lines.next_if(|l| l.starts_with('|')) {
                rows.push(next);
            }
            table(&rows, &mut out);
        } else if list_depth > 0 {
            // An indented line inside a list item continues it.
            out.push(' ');
            out.push_str(&inline(trimmed));
        } else {
            paragraph.push(line);
        }
    }
    flush_paragraph(&mut paragraph, &mut out);
    close_list(&mut list_depth, 0, &mut out);
    out
}

fn is_heading(line: &str) -> bool {
    heading(line).is_some()
}

/// `## Title` → (2, "Title").
fn heading(line: &str) -> Option<(usize, &str)> {
    let level = line.bytes().take_while(|&b| b == b'#').count();
    let rest = &line[level..];
    ((1..=6).contains(&level) && rest.starts_with(' ')).then(|| (level, rest.trim()))
}

fn flush_paragraph(paragraph: &mut Vec<&str>, out: &mut String) {
    if paragraph.is_empty() {
        return;
    }
    let text: Vec<String> = paragraph.iter().map(|l| inline(l.trim())).collect();
    out.push_str(&format!("<p>{}</p>\n", text.join(" ")));
    paragraph.clear();
}

/// Closes list levels down to `depth` (0 closes the whole list).
fn close_list(list_depth: &mut usize, depth: usize, out: &mut String) {
    while *list_depth > depth {
        out.push_str("</li>\n</ul>\n");
        *list_depth -= 1;
    }
}

/// A pipe table: the first row is the header, a `|---|` row after it is
/// the delimiter row and is skipped.
fn table(rows: &[&str], out: &mut String) {
    let is_delimiter =
        |row: &str| row.contains('-') && row.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '));
    out.push_str("<div class=\"table\"><table>\n");
    for (i, row) in rows.iter().enumerate() {
        if i == 1 && is_delimiter(row) {
            continue;
        }
        let tag = if i == 0 && rows.get(1).is_some_and(|r| is_delimiter(r)) {
            "th"
        } else {
            "td"
        };
        out.push_str("<tr>");
        for cell in cells(row) {
            out.push_str(&format!("<{tag}>{}</{tag}>", inline(cell.trim())));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table></div>\n");
}

/// The cells of `| a | b \| c |`: split at pipes that no backslash escapes.
fn cells(row: &str) -> Vec<&str> {
    let inner = row.trim().strip_prefix('|').unwrap_or(row);
    let mut out = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (i, ch) in inner.char_indices() {
        match ch {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '|' => {
                out.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    let last = &inner[start..];
    if !last.trim().is_empty() {
        out.push(last);
    }
    out
}

/// Inline markup: code spans, `**strong**`, backslash escapes. Text is
/// escaped for HTML piece by piece.
fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut strong = false;
    let mut rest = text;
    while let Some(ch) = rest.chars().next() {
        let after = &rest[ch.len_utf8()..];
        match ch {
            '\\' => match after.chars().next() {
                Some(next) if next.is_ascii_punctuation() => {
                    out.push_str(&escape::html(&next.to_string()));
                    rest = &after[1..];
                }
                _ => {
                    out.push('\\');
                    rest = after;
                }
            },
            '`' => match after.find('`') {
                Some(end) => {
                    // Inside a table cell a code span writes its pipes as `\|`.
                    let code = after[..end].replace("\\|", "|");
                    out.push_str(&format!("<code>{}</code>", escape::html(&code)));
                    rest = &after[end + 1..];
                }
                None => {
                    out.push('`');
                    rest = after;
                }
            },
            '*' if after.starts_with('*') && (strong || after[1..].contains("**")) => {
                out.push_str(if strong { "</strong>" } else { "<strong>" });
                strong = !strong;
                rest = &after[1..];
            }
            _ => {
                out.push_str(&escape::html(&ch.to_string()));
                rest = after;
            }
        }
    }
    if strong {
        out.push_str("</strong>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_shift_and_paragraphs_join() {
        let html = to_html(
            "# Title\n\nOne line\nand the next.\n\n####### not a heading\n",
            2,
        );
        assert_eq!(
            html,
            "<h3>Title</h3>\n<p>One line and the next.</p>\n<p>####### not a heading</p>\n"
        );
        assert_eq!(to_html("#### Deep", 4), "<h6>Deep</h6>\n");
    }

    #[test]
    fn nested_lists_close_in_order() {
        let html = to_html("- a\n  - b\n    - c\n- d\n\nafter\n", 0);
        assert_eq!(
            html,
            "<ul>\n<li>a<ul>\n<li>b<ul>\n<li>c</li>\n</ul>\n</li>\n</ul>\n</li>\n<li>d</li>\n</ul>\n<p>after</p>\n"
        );
    }

    #[test]
    fn tables_have_a_header_and_keep_escaped_pipes() {
        let html = to_html("| A | B |\n|---|---|\n| x\\|y | `p\\|q` |\n", 0);
        assert_eq!(
            html,
            "<div class=\"table\"><table>\n<tr><th>A</th><th>B</th></tr>\n<tr><td>x|y</td><td><code>p|q</code></td></tr>\n</table></div>\n"
        );
    }

    #[test]
    fn inline_markup_and_escapes() {
        assert_eq!(
            inline(r"**no** \*star\* `a*b` \<i\>"),
            "<strong>no</strong> *star* <code>a*b</code> &lt;i&gt;"
        );
        // Unmatched markers stay literal; nothing is left open.
        assert_eq!(inline("a ** b ` c \\"), "a ** b ` c \\");
    }

    #[test]
    fn escaped_user_text_never_becomes_markup() {
        // What `escape::markdown` makes of hostile names, inside every construct.
        let name = escape::markdown("</script><img src=x onerror=alert(1)>*|`");
        let doc = format!(
            "# {name}\n\n- {name}\n  - {name}\n\n| {name} |\n|---|\n| {name} |\n\n{name}\n"
        );
        let html = to_html(&doc, 0);
        assert!(
            !html.contains("<img") && !html.contains("</script"),
            "{html}"
        );
        // Heading, two list items, table header and row, paragraph: six times as text.
        assert_eq!(
            html.matches("&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;*|`")
                .count(),
            6,
            "{html}"
        );
    }
}
