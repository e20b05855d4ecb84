//! Escaping of user-written strings, one function per output format, so a
//! name can neither break an output nor inject into it.

/// A CSV cell that a spreadsheet will never evaluate: a leading `=`, `+`,
/// `-`, `@`, tab or carriage return gets a `'` in front (OWASP's advice).
/// The csv writer does the quoting.
pub fn csv_cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

/// Text inside a Markdown table cell or paragraph: characters with Markdown
/// or HTML meaning are backslash-escaped, line ends become spaces.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '!' | '~' | '{' | '}' => {
                out.push('\\');
                out.push(ch);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(ch),
        }
    }
    out
}

/// An identifier as a Markdown code span that is safe inside a table cell:
/// a backtick cannot close the span early and a pipe cannot split the cell.
pub fn markdown_code(text: &str) -> String {
    let inner: String = text
        .chars()
        .map(|ch| match ch {
            '`' => '\'',
            '\n' | '\r' => ' ',
            other => other,
        })
        .collect();
    format!("`{}`", inner.replace('|', "\\|"))
}

/// Text for HTML element content or a quoted attribute.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_cell("+1"), "'+1");
        assert_eq!(csv_cell("-2"), "'-2");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("jp-core"), "jp-core");
    }

    #[test]
    fn markdown_pipes_cannot_split_a_cell() {
        assert_eq!(markdown("a|b"), "a\\|b");
        assert_eq!(markdown("<script>"), "\\<script\\>");
        assert_eq!(markdown("two\nlines"), "two lines");
    }

    #[test]
    fn code_spans_cannot_be_closed_or_split() {
        assert_eq!(markdown_code("user.id"), "`user.id`");
        assert_eq!(markdown_code("a`b|c"), "`a'b\\|c`");
    }
}
