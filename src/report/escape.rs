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

/// Characters that end a line somewhere: in a terminal, a Markdown file, an
/// editor. Inside one field they become a space.
fn is_line_break(ch: char) -> bool {
    matches!(
        ch,
        '\n' | '\r' | '\u{0b}' | '\u{0c}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// A character that must not reach a reader as it is, shown as one visible
/// character instead (so columns, such as a caret under a quoted line, stay
/// aligned): control characters, which can steer a terminal (`ESC [ 2 J`),
/// become their Unicode control pictures (`␛`), and the bidirectional
/// overrides and isolates, which make text display as something else
/// ("Trojan Source"), become `�`.
fn visible(ch: char) -> Option<char> {
    match ch {
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + ch as u32),
        '\u{7f}' => Some('\u{2421}'),
        '\u{80}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => Some('\u{fffd}'),
        _ => None,
    }
}

/// One field of plain text for the terminal (tables, `explain`, `check`,
/// load errors): on one line, with nothing a terminal would act on. Line
/// breaks and tabs become spaces; other control characters their pictures.
pub fn text(text: &str) -> String {
    text.chars()
        .map(|ch| {
            if is_line_break(ch) || ch == '\t' {
                ' '
            } else {
                visible(ch).unwrap_or(ch)
            }
        })
        .collect()
}

/// Text inside a Markdown table cell or paragraph: characters with Markdown
/// or HTML meaning are backslash-escaped, line ends become spaces, control
/// characters their pictures. For text that starts a line, see
/// [`markdown_line`].
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '!' | '~' | '{' | '}' => {
                out.push('\\');
                out.push(ch);
            }
            ch if is_line_break(ch) => out.push(' '),
            ch => out.push(visible(ch).unwrap_or(ch)),
        }
    }
    out
}

/// Text that stands at the start of a line (a country's name under its
/// heading), escaped as [`markdown`] and so that it cannot start a list, a
/// heading underline or a rule: a leading `-`, `+`, `=`, or the `.` or `)`
/// after leading digits, is escaped, also behind indentation (up to three
/// spaces still start a block; a line break became one).
pub fn markdown_line(text: &str) -> String {
    let mut out = markdown(text);
    let indent = out.len() - out.trim_start_matches(' ').len();
    let rest = &out[indent..];
    let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let marker = match rest[digits..].chars().next() {
        Some('-' | '+' | '=') if digits == 0 => Some(indent),
        Some('.' | ')') if digits > 0 => Some(indent + digits),
        _ => None,
    };
    if let Some(at) = marker {
        out.insert(at, '\\');
    }
    out
}

/// An identifier as a Markdown code span that is safe inside a table cell:
/// a backtick cannot close the span early and a pipe cannot split the cell.
/// A table splits cells before it reads code spans, and there a backslash
/// escapes the next character, so `\|` in an id would escape the backslash
/// added before its pipe and split the cell: such an id is written as
/// escaped text instead of a code span.
pub fn markdown_code(text: &str) -> String {
    if text.contains("\\|") {
        return markdown(text);
    }
    let inner: String = text
        .chars()
        .map(|ch| match ch {
            '`' => '\'',
            ch if is_line_break(ch) => ' ',
            ch => visible(ch).unwrap_or(ch),
        })
        .collect();
    format!("`{}`", inner.replace('|', "\\|"))
}

/// A path or file name as a URL path (a Markdown link destination, a SARIF
/// artifact URI): every byte outside the URL unreserved characters and `/`
/// is percent-encoded, so spaces, parentheses, `#` or non-ASCII letters
/// cannot break or redirect the link.
pub fn url_path(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The longest file name component [`file_component`] returns, in bytes,
/// well below the 255 that common file systems allow, to leave room for an
/// extension and a prefix.
const MAX_COMPONENT: usize = 120;

/// Names that Windows reserves in every directory, whatever the extension.
const RESERVED: [&str; 22] = [
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// A file name component derived from an id (a per-category diagram's
/// name): only ASCII letters, digits, `-`, `_` and `.`, never starting with
/// `.`, never a name Windows reserves, at most 120 bytes. An id that needs
/// any change gets a short hash of the original appended, so two ids that
/// differ only in replaced characters still get two files.
pub fn file_component(id: &str) -> String {
    let mut out: String = id
        .chars()
        .map(|ch| {
            if ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.') {
                ch
            } else {
                '_'
            }
        })
        .collect();
    if out.starts_with('.') {
        out.replace_range(0..1, "_");
    }
    let stem = out
        .split('.')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if RESERVED.contains(&stem.as_str()) {
        out.insert(0, '_');
    }
    if out == id && !out.is_empty() && out.len() <= MAX_COMPONENT {
        return out;
    }
    out.truncate(MAX_COMPONENT - 17);
    // FNV-1a: stable across Rust versions and platforms, unlike std's hasher.
    let hash = id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{out}-{hash:016x}")
}

/// Text for HTML element content or a quoted attribute. Control characters
/// other than white space become their pictures: XML (an SVG) may not hold
/// them at all, and one would make the whole document unreadable.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\r' | '\t' => out.push(ch),
            _ => out.push(visible(ch).unwrap_or(ch)),
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
    fn a_line_cannot_start_a_block() {
        assert_eq!(markdown_line("- item"), "\\- item");
        assert_eq!(markdown_line("---"), "\\---");
        assert_eq!(markdown_line("+1"), "\\+1");
        assert_eq!(markdown_line("==="), "\\===");
        assert_eq!(markdown_line("2021. Report"), "2021\\. Report");
        assert_eq!(markdown_line("1) x"), "1\\) x");
        assert_eq!(markdown_line("2021 report"), "2021 report");
        assert_eq!(markdown_line("a-b"), "a-b");
        assert_eq!(markdown_line("  - x"), "  \\- x");
        assert_eq!(markdown_line(" 1. x"), " 1\\. x");
        assert_eq!(markdown_line("\n- x"), " \\- x");
        // Inside a line the same text needs no escape.
        assert_eq!(markdown("-Vault GmbH"), "-Vault GmbH");
    }

    #[test]
    fn terminal_text_stays_on_one_line_and_inert() {
        assert_eq!(text("LINE Corp"), "LINE Corp");
        assert_eq!(text("a\nb\r\tc"), "a b  c");
        // ESC [ 2 J clears the screen; its picture does not.
        assert_eq!(text("\u{1b}[2J"), "\u{241b}[2J");
        assert_eq!(text("\u{7f}\u{0}"), "\u{2421}\u{2400}");
        assert_eq!(text("abc\u{202e}fed"), "abc\u{fffd}fed");
        assert_eq!(text("日本\u{2028}語"), "日本 語");
        // One character in, one character out: a caret stays aligned.
        let hostile = "a\u{1b}\u{9b}\u{2066}\tz";
        assert_eq!(text(hostile).chars().count(), hostile.chars().count());
    }

    #[test]
    fn markdown_neutralises_control_characters() {
        assert_eq!(markdown("a\u{1b}b\u{2029}c"), "a\u{241b}b c");
        assert_eq!(markdown_code("a\u{1b}\nb"), "`a\u{241b} b`");
    }

    #[test]
    fn url_paths_survive_any_file_name() {
        assert_eq!(url_path("matrix.md"), "matrix.md");
        assert_eq!(url_path("diagrams/a b(c).svg"), "diagrams/a%20b%28c%29.svg");
        assert_eq!(url_path("中.dot"), "%E4%B8%AD.dot");
        assert_eq!(url_path("a#b?c"), "a%23b%3Fc");
    }

    #[test]
    fn file_components_are_plain_and_distinct() {
        assert_eq!(
            file_component("user.content-message_1"),
            "user.content-message_1"
        );
        // Replaced characters: plain, and a hash keeps "a/b" apart from "a_b".
        let slash = file_component("a/b");
        assert!(
            slash.starts_with("a_b-") && slash.len() == 4 + 16,
            "{slash}"
        );
        assert_ne!(slash, file_component("a_b"));
        assert_ne!(slash, file_component("a\\b"));
        for hostile in [
            "../../etc/passwd",
            ".hidden",
            "con",
            "NUL.txt",
            "a\u{0}b",
            "日本",
            "",
            "..",
            ".",
        ] {
            let name = file_component(hostile);
            assert!(
                !name.is_empty() && !name.starts_with('.'),
                "{hostile:?} -> {name}"
            );
            assert!(
                name.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)),
                "{hostile:?} -> {name}"
            );
            let stem = name.split('.').next().unwrap().to_ascii_lowercase();
            assert!(!RESERVED.contains(&stem.as_str()), "{hostile:?} -> {name}");
        }
        let long = file_component(&"x".repeat(1000));
        assert_eq!(long.len(), 120);
        // The same id always gives the same name: reports are committed and diffed.
        assert_eq!(file_component("a/b"), slash);
    }

    #[test]
    fn html_holds_no_markup_and_no_control_characters() {
        assert_eq!(
            html("<b a=\"x\">Tom's & Jerry</b>"),
            "&lt;b a=&quot;x&quot;&gt;Tom&#39;s &amp; Jerry&lt;/b&gt;"
        );
        assert_eq!(html("a\u{0}b\u{1b}\nc"), "a\u{2400}b\u{241b}\nc");
    }

    #[test]
    fn code_spans_cannot_be_closed_or_split() {
        assert_eq!(markdown_code("user.id"), "`user.id`");
        assert_eq!(markdown_code("a`b|c"), "`a'b\\|c`");
        assert_eq!(markdown_code("a\\|b"), "a\\\\\\|b");
    }
}
