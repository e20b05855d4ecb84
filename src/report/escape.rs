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

/// JSON text for a `<script type="application/json">` block. The HTML
/// tokenizer ends script data at `</script` and changes state at `<!--`, and
/// no JSON escape is recognised there; so every `<` (JSON has it only inside
/// strings) becomes `\u003c`, which `JSON.parse` reads back as `<`. `>` and
/// `&` follow for symmetry with other serialisers, and U+2028 and U+2029,
/// which some JavaScript parsers take for line ends, become escapes too.
pub fn json_in_html(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for ch in json.chars() {
        match ch {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Text inside a Graphviz HTML-like label: HTML escaping; control
/// characters (which Graphviz's XML parser rejects) replaced by U+FFFD; and
/// a backslash doubled, because Graphviz expands `\N`, `\G`, `\L` ... in
/// HTML-like labels too, after decoding entities, and reads `\\` as one `\`.
pub fn dot_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    // Graphviz's label lexer rejects a label that is exactly `]]`; a
    // character reference for `]` is read back as `]` everywhere.
    html(&out).replace(']', "&#93;")
}

/// The inside of a quoted DOT id. Percent-encoding `%`, `"`, `\` and control
/// characters keeps distinct ids distinct and leaves nothing for DOT's
/// quoting or Graphviz's `\N`-style escapes to interpret.
pub fn dot_id(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            // `&`, `<`, `>` and `'` too: Graphviz copies ids into SVG titles and
            // leaves `&...;` alone, taking it for an entity.
            '%' | '"' | '\\' | '&' | '<' | '>' | '\'' => {
                out.push_str(&format!("%{:02X}", ch as u32))
            }
            c if c.is_control() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Text inside a quoted Mermaid label (`["..."]`, `|"..."|`) or title.
/// Characters with meaning to Mermaid, HTML or YAML become Mermaid's entity
/// codes (`#quot;`, `#lt;`, `#35;`), which it renders as the character
/// itself; line ends and other control characters become spaces.
pub fn mermaid(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '#' | '`' | '\\' | '|' | '%' | '\'' | '{' | '}' | '[' | ']' | ';' => {
                out.push_str(&format!("#{};", ch as u32))
            }
            c if c.is_control() || is_line_break(c) => out.push(' '),
            c => out.push(visible(c).unwrap_or(c)),
        }
    }
    out
}

/// Text for XML 1.0 element content. Besides the five special characters,
/// characters XML 1.0 forbids (most control characters, U+FFFE, U+FFFF)
/// become U+FFFD, since no escape can carry them; a carriage return is
/// written as a character reference so that parsers keep it.
pub fn xml(text: &str) -> String {
    xml_escape(text, false)
}

/// Text for a double-quoted XML attribute: as [`xml`], and tabs and line ends
/// as character references, which attribute-value normalisation would
/// otherwise turn into spaces.
pub fn xml_attr(text: &str) -> String {
    xml_escape(text, true)
}

fn xml_escape(text: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\n' | '\t' => out.push(ch),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            _ => out.push(ch),
        }
    }
    out
}

/// A TOML basic string, quotes included: backslash, quote and every control
/// character escaped, so any text round-trips through a TOML parser.
pub fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
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

    #[test]
    fn json_cannot_close_its_script_block() {
        let text = "</script><!--<script>&\u{2028}\u{2029}\"";
        let json = serde_json::to_string(text).unwrap();
        let out = json_in_html(&json);
        assert_eq!(
            out,
            r#""\u003c/script\u003e\u003c!--\u003cscript\u003e\u0026\u2028\u2029\"""#
        );
        assert!(!out.contains(['<', '>', '&', '\u{2028}', '\u{2029}']));
        // Still JSON, and still the same text.
        assert_eq!(serde_json::from_str::<String>(&out).unwrap(), text);
    }

    #[test]
    fn dot_html_neutralises_markup_and_control_characters() {
        assert_eq!(
            dot_html("</script><img src=x>"),
            "&lt;/script&gt;&lt;img src=x&gt;"
        );
        assert_eq!(dot_html("a&b\u{0}"), "a&amp;b\u{FFFD}");
        assert_eq!(dot_html(r"\N \\"), r"\\N \\\\");
        assert_eq!(dot_html("]]"), "&#93;&#93;");
    }

    #[test]
    fn dot_ids_keep_distinct_names_distinct() {
        assert_eq!(dot_id(r#"a"b\c"#), "a%22b%5Cc");
        assert_eq!(dot_id("100%"), "100%25");
        // The encoded form of one name cannot be another name's encoding.
        assert_ne!(dot_id("%22"), dot_id("\""));
        assert_eq!(dot_id("x\ny"), "x%0Ay");
        assert_eq!(dot_id("a&;b<'>"), "a%26;b%3C%27%3E");
    }

    #[test]
    fn mermaid_labels_cannot_close_their_quotes_or_carry_tags() {
        let out = mermaid(r#"a"b<i>|c#quot;`d`"#);
        assert_eq!(out, "a#quot;b#lt;i#gt;#124;c#35;quot#59;#96;d#96;");
        assert!(!out.contains(['"', '<', '>', '|', '`']));
        assert_eq!(mermaid("two\nlines"), "two lines");
    }

    #[test]
    fn xml_cannot_be_broken_out_of() {
        assert_eq!(xml("a]]><b>&"), "a]]&gt;&lt;b&gt;&amp;");
        assert_eq!(xml("two\nlines\u{1}"), "two\nlines\u{fffd}");
        assert_eq!(xml_attr("\"x\"\n'y'"), "&quot;x&quot;&#10;&apos;y&apos;");
    }

    #[test]
    fn toml_strings_round_trip() {
        for text in [
            "plain",
            "quote \" and backslash \\",
            "lines\r\nand\ttab",
            "bell \u{7} del \u{7f} nel \u{85}",
            "日本 \u{1F600}",
            "\"\"\"",
        ] {
            let doc = format!("v = {}", toml_string(text));
            let table: toml::Table = toml::from_str(&doc).expect(&doc);
            assert_eq!(table["v"].as_str(), Some(text), "{doc}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_text_round_trips_through_toml(text in "\\PC*|[\\x00-\\x7f]*") {
            let doc = format!("v = {}", toml_string(&text));
            let table: toml::Table = toml::from_str(&doc).expect("valid TOML");
            proptest::prop_assert_eq!(table["v"].as_str(), Some(text.as_str()));
        }

        #[test]
        fn any_text_round_trips_through_xml(text in "\\PC*|[\\x00-\\x7f]*") {
            let doc = format!("<a b=\"{}\">{}</a>", xml_attr(&text), xml(&text));
            let parsed = roxmltree::Document::parse(&doc).expect("well-formed XML");
            // What XML 1.0 cannot carry becomes U+FFFD; everything else survives.
            let expected: String = text
                .chars()
                .map(|c| match c {
                    '\t' | '\n' | '\r' => c,
                    '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => '\u{fffd}',
                    _ => c,
                })
                .collect();
            let root = parsed.root_element();
            proptest::prop_assert_eq!(root.attribute("b"), Some(expected.as_str()));
            proptest::prop_assert_eq!(root.text().unwrap_or(""), expected.as_str());
        }
    }
}
