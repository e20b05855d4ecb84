//! Load diagnostics: what is wrong, where (file, line, column, entry) and how to fix it.

use std::borrow::Cow;
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;

use crate::report::escape::text;

/// A place in a model file. Lines and columns count from 1.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    /// Shared: every value of a file points at one allocation.
    #[serde(serialize_with = "serialize_path")]
    pub file: Arc<Path>,
    pub line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
}

fn serialize_path<S: serde::Serializer>(path: &Arc<Path>, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&path.display())
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)?;
        if let Some(column) = self.column {
            write!(f, ":{column}")?;
        }
        Ok(())
    }
}

/// Turns byte offsets of one file into lines and columns.
pub(crate) struct LineIndex<'a> {
    file: Arc<Path>,
    text: &'a str,
    starts: Cow<'a, [usize]>,
}

impl<'a> LineIndex<'a> {
    #[cfg(test)]
    pub fn new(file: &'a Path, text: &'a str) -> Self {
        LineIndex {
            file: Arc::from(file),
            text,
            starts: Cow::Owned(line_starts(text)),
        }
    }

    /// An index over line starts computed once by [`line_starts`] and kept.
    pub fn with_starts(file: Arc<Path>, text: &'a str, starts: &'a [usize]) -> Self {
        LineIndex {
            file,
            text,
            starts: Cow::Borrowed(starts),
        }
    }

    pub fn location(&self, offset: usize) -> Location {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        let column = self.text[start..floor_char_boundary(self.text, offset)]
            .chars()
            .count()
            + 1;
        Location {
            file: self.file.clone(),
            line,
            column: Some(column),
        }
    }

    /// The text of a line (1-based), without its line end.
    pub fn line_text(&self, line: usize) -> Option<&'a str> {
        let start = *self.starts.get(line.checked_sub(1)?)?;
        let end = self.starts.get(line).copied().unwrap_or(self.text.len());
        Some(self.text[start..end].trim_end_matches(['\n', '\r']))
    }
}

/// Byte offsets at which the lines of `text` start.
pub(crate) fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
        .collect()
}

/// The part of a source line shown under a message: at most `SNIPPET_WIDTH`
/// characters, around `column` when the line is longer, with `…` where it is
/// cut. Returns the text and the caret position within it.
pub(crate) fn snippet(line: &str, column: Option<usize>) -> (String, Option<usize>) {
    const SNIPPET_WIDTH: usize = 160;
    let chars: Vec<char> = line.chars().collect();
    let start = match column {
        Some(c) if chars.len() > SNIPPET_WIDTH && c > SNIPPET_WIDTH / 2 => {
            (c - 1 - SNIPPET_WIDTH / 2).min(chars.len().saturating_sub(SNIPPET_WIDTH))
        }
        _ => 0,
    };
    let end = (start + SNIPPET_WIDTH).min(chars.len());
    let mut text = String::new();
    if start > 0 {
        text.push('…');
    }
    text.extend(&chars[start..end]);
    if end < chars.len() {
        text.push('…');
    }
    let caret = column.map(|c| c - start + usize::from(start > 0));
    (text, caret)
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// One problem found while loading a model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Stable rule id: `syntax`, `unknown-key`, `unknown-reference`, ...
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// The entry and key concerned, e.g. `access[3].to`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<String>,
    /// What to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// The source line, for display under the message.
    #[serde(skip)]
    pub snippet: Option<String>,
    /// Where the caret goes under the snippet (1-based, in characters); the
    /// column unless the snippet is a window of a long line.
    #[serde(skip)]
    pub caret: Option<usize>,
}

impl Diagnostic {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            message: message.into(),
            location: None,
            entry: None,
            help: None,
            snippet: None,
            caret: None,
        }
    }

    pub fn at(mut self, location: Option<Location>) -> Self {
        self.location = location;
        self
    }

    pub fn entry(mut self, entry: impl Into<String>) -> Self {
        self.entry = Some(entry.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Renders in the style of rustc: message, location, source line, help.
    /// Messages quote what the model says and the snippet is a line of it:
    /// each field is made terminal-safe, one character for one so that the
    /// caret stays under its column.
    pub fn render(&self) -> String {
        let mut out = format!("error[{}]: {}\n", self.code, text(&self.message));
        if let Some(location) = &self.location {
            out.push_str(&format!("  --> {}", text(&location.to_string())));
            if let Some(entry) = &self.entry {
                out.push_str(&format!(" (in {})", text(entry)));
            }
            out.push('\n');
            if let Some(snippet) = &self.snippet {
                let number = location.line.to_string();
                let pad = " ".repeat(number.len());
                out.push_str(&format!("{pad} |\n{number} | {}\n", text(snippet)));
                if let Some(caret) = self.caret.or(location.column) {
                    out.push_str(&format!("{pad} | {}^\n", " ".repeat(caret - 1)));
                }
            }
        } else if let Some(entry) = &self.entry {
            out.push_str(&format!("  --> {}\n", text(entry)));
        }
        if let Some(help) = &self.help {
            out.push_str(&format!("  = help: {}\n", text(help)));
        }
        out
    }
}

/// Every problem found while loading; loading reports all of them at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub diagnostics: Vec<Diagnostic>,
}

impl LoadError {
    pub fn render(&self) -> String {
        let mut out: String = self.diagnostics.iter().map(|d| d.render() + "\n").collect();
        let n = self.diagnostics.len();
        out.push_str(&format!(
            "error: the model could not be loaded ({n} error{})\n",
            if n == 1 { "" } else { "s" }
        ));
        out
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

impl std::error::Error for LoadError {}

/// The nearest known word, for "did you mean" help.
pub fn suggest<'a>(word: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_lowercase();
    known
        .into_iter()
        .map(|k| (strsim::damerau_levenshtein(&lower, &k.to_lowercase()), k))
        .filter(|&(distance, k)| {
            distance <= (k.chars().count().max(3) / 3).max(1)
                || (lower.len() >= 3 && k.to_lowercase().contains(&lower))
        })
        .min()
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_words_only() {
        let known = ["jp-core", "kr-media", "jp-moderation"];
        assert_eq!(suggest("jp-cor", known), Some("jp-core"));
        assert_eq!(suggest("KR-MEDIA", known), Some("kr-media"));
        assert_eq!(suggest("zzzzzz", known), None);
    }

    #[test]
    fn line_index_counts_lines_and_characters() {
        let text = "a = 1\nname = \"日本\"\nx";
        let index = LineIndex::new(Path::new("m.toml"), text);
        let at = index.location(text.find('x').unwrap());
        assert_eq!((at.line, at.column), (3, Some(1)));
        // Column counts characters, not bytes: the closing quote follows two kanji.
        let quote = text.rfind('"').unwrap();
        assert_eq!(index.location(quote).column, Some(11));
        assert_eq!(index.line_text(2), Some("name = \"日本\""));
    }

    #[test]
    fn long_lines_are_shown_around_the_column() {
        assert_eq!(snippet("a = 1", Some(5)), ("a = 1".to_string(), Some(5)));
        // 1000 characters, the error at 900: 80 before it, the window
        // behind an ellipsis, the caret on the same character.
        let line: String = (0..1000)
            .map(|i| if i == 899 { 'X' } else { '.' })
            .collect();
        let (text, caret) = snippet(&line, Some(900));
        assert_eq!(text.chars().count(), 162);
        assert!(text.starts_with('…') && text.ends_with('…'));
        assert_eq!(text.chars().nth(caret.unwrap() - 1), Some('X'));
        // Near the end the window stops at the end of the line.
        let (text, caret) = snippet(&line, Some(1000));
        assert!(!text.ends_with('…'));
        assert_eq!(text.chars().nth(caret.unwrap() - 1), Some('.'));
        assert_eq!(caret, Some(161));
    }
}
