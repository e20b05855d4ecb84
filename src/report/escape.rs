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
    html(&out)
}

/// The inside of a quoted DOT id. Percent-encoding `%`, `"`, `\` and control
/// characters keeps distinct ids distinct and leaves nothing for DOT's
/// quoting or Graphviz's `\N`-style escapes to interpret.
pub fn dot_id(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '%' | '"' | '\\' => out.push_str(&format!("%{:02X}", ch as u32)),
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
            c if c.is_control() => out.push(' '),
            c => out.push(c),
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
    fn code_spans_cannot_be_closed_or_split() {
        assert_eq!(markdown_code("user.id"), "`user.id`");
        assert_eq!(markdown_code("a`b|c"), "`a'b\\|c`");
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
    }

    #[test]
    fn dot_ids_keep_distinct_names_distinct() {
        assert_eq!(dot_id(r#"a"b\c"#), "a%22b%5Cc");
        assert_eq!(dot_id("100%"), "100%25");
        // The encoded form of one name cannot be another name's encoding.
        assert_ne!(dot_id("%22"), dot_id("\""));
        assert_eq!(dot_id("x\ny"), "x%0Ay");
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
