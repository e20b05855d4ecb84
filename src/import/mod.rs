//! Imports: turn what privacy teams already have into model entries to review.
//!
//! - [`subprocessors`]: a published sub-processor list (CSV).
//! - [`fides`]: fides manifests (YAML systems, datasets, data categories).
//!
//! Each import produces a [`Draft`]: TOML text that a model directory can
//! take as one more file. Every entry says where it came from in `source`,
//! and a `note` says what the import had to assume.

pub mod fides;
pub mod subprocessors;

use std::fmt;

use crate::model::Section;
use crate::report::escape::toml_string;

/// A value of one key in a drafted entry.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Value {
    Text(String),
    List(Vec<String>),
}

/// One drafted `[[section]]` entry, keys in the order they are written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub section: Section,
    pub fields: Vec<(&'static str, Value)>,
}

impl Entry {
    pub fn new(section: Section) -> Entry {
        Entry {
            section,
            fields: Vec::new(),
        }
    }

    /// Adds `key = "text"`.
    pub fn text(mut self, key: &'static str, text: impl Into<String>) -> Entry {
        self.fields.push((key, Value::Text(text.into())));
        self
    }

    /// Adds `key = "text"` when there is a text.
    pub fn text_opt(self, key: &'static str, text: Option<impl Into<String>>) -> Entry {
        match text {
            Some(t) => self.text(key, t),
            None => self,
        }
    }

    /// Adds `key = [...]` when the list is not empty.
    pub fn list(mut self, key: &'static str, items: Vec<String>) -> Entry {
        if !items.is_empty() {
            self.fields.push((key, Value::List(items)));
        }
        self
    }

    fn render(&self, out: &mut String) {
        out.push_str(&format!("[[{}]]\n", self.section.key()));
        for (key, value) in &self.fields {
            // The keys come from this module's importers; a typo would make
            // the draft fail to load, which the tests would catch first.
            debug_assert!(self.section.field(key).is_some(), "{key}");
            let value = match value {
                Value::Text(t) => toml_string(t),
                Value::List(items) => format!(
                    "[{}]",
                    items
                        .iter()
                        .map(|i| toml_string(i))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            out.push_str(&format!("{key} = {value}\n"));
        }
    }
}

/// A group of entries under a comment line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub comment: String,
    pub entries: Vec<Entry>,
}

/// The result of an import: model entries plus what the reader should know.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Draft {
    /// Comment lines at the top of the file.
    pub header: Vec<String>,
    pub blocks: Vec<Block>,
    /// Things the user should know that are not errors (printed on stderr).
    pub notes: Vec<String>,
}

impl Draft {
    /// The draft as TOML text: the header as comments, then each block.
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        for line in &self.header {
            out.push_str(&comment(line));
        }
        for block in &self.blocks {
            if block.entries.is_empty() {
                continue;
            }
            out.push('\n');
            out.push_str(&comment(&block.comment));
            for (i, entry) in block.entries.iter().enumerate() {
                if i > 0 {
                    out.push('\n');
                }
                entry.render(&mut out);
            }
        }
        out
    }
}

/// A comment line; line breaks in user text cannot end the comment early.
fn comment(text: &str) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if flat.is_empty() {
        "#\n".to_string()
    } else {
        format!("# {flat}\n")
    }
}

/// Everything wrong with an import's input, each naming its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    pub problems: Vec<String>,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ImportError {}

/// An id made of lower-case ASCII letters and digits joined by `sep`, from
/// any name: "Amazon Web Services, Inc." becomes `amazon-web-services-inc`.
/// Letters outside ASCII are kept as they are, so a Japanese name still
/// gives a distinct id.
pub fn slug(text: &str, sep: char) -> String {
    let mut out = String::new();
    let mut pending = false;
    for ch in text.chars() {
        if ch.is_alphanumeric() {
            if pending && !out.is_empty() {
                out.push(sep);
            }
            pending = false;
            out.extend(ch.to_lowercase());
        } else {
            pending = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_plain_ids() {
        assert_eq!(
            slug("Amazon Web Services, Inc.", '-'),
            "amazon-web-services-inc"
        );
        assert_eq!(slug("  Contact details ", '_'), "contact_details");
        assert_eq!(slug("LINE株式会社", '-'), "line株式会社");
        assert_eq!(slug("—", '-'), "");
    }

    #[test]
    fn a_draft_renders_as_loadable_toml() {
        let draft = Draft {
            header: vec!["first\nline".into(), String::new()],
            blocks: vec![Block {
                comment: "Acme \"quoted\"".into(),
                entries: vec![
                    Entry::new(Section::Category)
                        .text("id", "c")
                        .text("name", "Name with \"quotes\" and \\"),
                    Entry::new(Section::System)
                        .text("id", "s")
                        .list("holds", vec![]),
                ],
            }],
            notes: vec![],
        };
        // Worked out by hand from the rules above: comment lines flattened,
        // an empty list left out, strings escaped.
        assert_eq!(
            draft.to_toml(),
            "# first line\n#\n\n# Acme \"quoted\"\n[[category]]\nid = \"c\"\n\
             name = \"Name with \\\"quotes\\\" and \\\\\"\n\n[[system]]\nid = \"s\"\n"
        );
        let parsed: toml::Table = toml::from_str(&draft.to_toml()).expect("valid TOML");
        assert_eq!(
            parsed["category"][0]["name"].as_str(),
            Some("Name with \"quotes\" and \\")
        );
    }
}
