//! YAML model files (`*.yaml`, `*.yml`): the same sections and keys as TOML,
//! read into the same raw entries, so every check and every diagnostic is the
//! one a TOML file gets, with YAML's own lines and columns.
//!
//! ```yaml
//! model:
//!   name: LINE messaging service
//!   home: JP
//!   as_of: 2021-03-01
//! system:
//!   - id: jp-core
//!     country: JP
//!     holds: [user.id, user.contact]
//! ```

use std::borrow::Cow;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::diag::{Diagnostic, suggest};
use super::fields::Section;
use super::source::{Pos, RawEntry, RawField, RawValue, Sources};

/// A YAML node with the byte offset where it starts.
enum Node {
    Scalar {
        text: String,
        plain: bool,
        at: usize,
    },
    Seq {
        items: Vec<Node>,
        at: usize,
    },
    Map {
        pairs: Vec<(Node, Node)>,
        at: usize,
    },
    Alias {
        at: usize,
    },
}

impl Node {
    fn at(&self) -> usize {
        match self {
            Node::Scalar { at, .. }
            | Node::Seq { at, .. }
            | Node::Map { at, .. }
            | Node::Alias { at } => *at,
        }
    }

    fn describe(&self) -> &'static str {
        match self {
            Node::Scalar { .. } => "a value",
            Node::Seq { .. } => "a list",
            Node::Map { .. } => "a mapping",
            Node::Alias { .. } => "an alias",
        }
    }
}

enum Frame {
    Seq(Vec<Node>, usize),
    Map(Vec<(Node, Node)>, Option<Node>, usize),
}

/// Builds the node tree from the parser's events.
struct Tree<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
    stack: Vec<Frame>,
    documents: Vec<Node>,
}

impl Tree<'_> {
    /// The parser counts lines from 1 and columns in characters from 0.
    fn offset(&self, mark: &Marker) -> usize {
        let Some(&start) = self.line_starts.get(mark.line().saturating_sub(1)) else {
            return self.text.len();
        };
        self.text[start..]
            .char_indices()
            .nth(mark.col())
            .map_or(self.text.len(), |(i, _)| start + i)
    }

    fn add(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => self.documents.push(node),
            Some(Frame::Seq(items, _)) => items.push(node),
            Some(Frame::Map(pairs, key, _)) => match key.take() {
                None => *key = Some(node),
                Some(k) => pairs.push((k, node)),
            },
        }
    }
}

impl MarkedEventReceiver for Tree<'_> {
    fn on_event(&mut self, event: Event, mark: Marker) {
        let at = self.offset(&mark);
        match event {
            Event::Scalar(text, style, _, _) => self.add(Node::Scalar {
                text,
                plain: style == TScalarStyle::Plain,
                at,
            }),
            Event::SequenceStart(..) => self.stack.push(Frame::Seq(Vec::new(), at)),
            Event::MappingStart(..) => self.stack.push(Frame::Map(Vec::new(), None, at)),
            Event::SequenceEnd | Event::MappingEnd => {
                let node = match self.stack.pop() {
                    Some(Frame::Seq(items, at)) => Node::Seq { items, at },
                    Some(Frame::Map(pairs, _, at)) => Node::Map { pairs, at },
                    None => return,
                };
                self.add(node);
            }
            Event::Alias(_) => self.add(Node::Alias { at }),
            _ => {}
        }
    }
}

/// A plain scalar's value under YAML 1.2's core schema; quoted scalars are strings.
fn scalar<'t>(text: String, plain: bool) -> RawValue<'t> {
    if !plain {
        return RawValue::Str(Cow::Owned(text));
    }
    match text.as_str() {
        "true" | "True" | "TRUE" => RawValue::Bool(true),
        "false" | "False" | "FALSE" => RawValue::Bool(false),
        "" | "~" | "null" | "Null" | "NULL" => RawValue::Other("null"),
        t if t.parse::<i64>().is_ok() => RawValue::Int(t.parse().unwrap_or_default()),
        t if t.parse::<f64>().is_ok() && t.chars().any(|c| c == '.' || c == 'e') => {
            RawValue::Other("float")
        }
        _ => RawValue::Str(Cow::Owned(text)),
    }
}

fn value<'t>(
    file: u32,
    node: Node,
    diagnostics: &mut Vec<Diagnostic>,
    sources: &Sources,
) -> RawValue<'t> {
    match node {
        Node::Scalar { text, plain, .. } => scalar(text, plain),
        Node::Seq { items, .. } => RawValue::List(
            items
                .into_iter()
                .map(|item| {
                    let at = Pos::new(file, item.at());
                    (value(file, item, diagnostics, sources), at)
                })
                .collect(),
        ),
        Node::Map { .. } => RawValue::Other("table"),
        Node::Alias { at } => {
            diagnostics.push(alias_error(sources, Pos::new(file, at)));
            RawValue::Other("alias")
        }
    }
}

fn alias_error(sources: &Sources, at: Pos) -> Diagnostic {
    Diagnostic::new(
        "syntax",
        "YAML aliases (*name) are not supported in model files",
    )
    .at(Some(sources.location(at)))
    .help("write the value out where the alias stands")
}

fn entry<'t>(
    section: Section,
    file: u32,
    node: Node,
    diagnostics: &mut Vec<Diagnostic>,
    sources: &Sources,
) -> Option<RawEntry<'t>> {
    let Node::Map { pairs, at } = node else {
        diagnostics.push(
            Diagnostic::new(
                "wrong-type",
                format!(
                    "each `{}` entry must be a mapping, found {}",
                    section.key(),
                    node.describe()
                ),
            )
            .at(Some(sources.location(Pos::new(file, node.at()))))
            .help(format!(
                "write `- key: value` lines under `{}:`",
                section.key()
            )),
        );
        return None;
    };
    let mut fields = Vec::with_capacity(pairs.len());
    for (key, val) in pairs {
        let key_pos = Pos::new(file, key.at());
        let Node::Scalar { text, .. } = key else {
            diagnostics.push(
                Diagnostic::new("wrong-type", "a key must be a plain word")
                    .at(Some(sources.location(key_pos))),
            );
            continue;
        };
        let pos = Pos::new(file, val.at());
        fields.push(RawField {
            key: Cow::Owned(text),
            key_pos,
            value: value(file, val, diagnostics, sources),
            pos,
        });
    }
    Some(RawEntry {
        section,
        pos: Pos::new(file, at),
        fields,
    })
}

/// Parses one YAML file into entries; syntax errors and unknown sections go
/// to `diagnostics`. Returns whether the file had syntax errors.
pub fn parse_yaml<'t>(
    sources: &'t Sources,
    file: u32,
    entries: &mut Vec<RawEntry<'t>>,
    diagnostics: &mut Vec<Diagnostic>,
) -> bool {
    let text = sources.files[file as usize].text.as_str();
    let mut tree = Tree {
        text,
        line_starts: std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect(),
        stack: Vec::new(),
        documents: Vec::new(),
    };
    let mut parser = Parser::new_from_str(text);
    if let Err(e) = parser.load(&mut tree, true) {
        let at = Pos::new(file, tree.offset(e.marker()));
        diagnostics.push(
            Diagnostic::new("syntax", format!("YAML syntax: {}", e.info()))
                .at(Some(sources.location(at)))
                .help("check the indentation and the `key: value` form at the marked place"),
        );
        return true;
    }
    let mut documents = tree.documents.into_iter();
    let Some(root) = documents.next() else {
        return false;
    };
    if let Some(extra) = documents.next() {
        diagnostics.push(
            Diagnostic::new("syntax", "a model file holds one YAML document")
                .at(Some(sources.location(Pos::new(file, extra.at()))))
                .help("remove the `---` separator, or move the second document to its own file"),
        );
    }
    let Node::Map { pairs, .. } = root else {
        if !matches!(root, Node::Scalar { ref text, .. } if text.is_empty()) {
            diagnostics.push(
                Diagnostic::new(
                    "wrong-type",
                    format!(
                        "a model file must be a mapping of sections, found {}",
                        root.describe()
                    ),
                )
                .at(Some(sources.location(Pos::new(file, root.at()))))
                .help("start with `model:` or a section such as `system:`"),
            );
        }
        return false;
    };
    for (key, val) in pairs {
        let key_pos = Pos::new(file, key.at());
        let name = match &key {
            Node::Scalar { text, .. } => text.as_str(),
            _ => "",
        };
        let Some(section) = Section::from_key(name) else {
            let known = Section::ALL.map(|s| s.key());
            let mut d = Diagnostic::new("unknown-section", format!("unknown section `{name}`"))
                .at(Some(sources.location(key_pos)));
            d = match suggest(name, known) {
                Some(s) => d.help(format!("did you mean `{s}`?")),
                None => d.help(format!("sections are {}", known.join(", "))),
            };
            diagnostics.push(d);
            continue;
        };
        match (section, val) {
            (Section::Model, node @ Node::Map { .. }) => {
                entries.extend(entry(section, file, node, diagnostics, sources));
            }
            (Section::Model, _) => diagnostics.push(
                Diagnostic::new(
                    "wrong-type",
                    "`model` must be a mapping: write `model:` followed by indented keys",
                )
                .at(Some(sources.location(key_pos))),
            ),
            (_, Node::Seq { items, .. }) => {
                for item in items {
                    entries.extend(entry(section, file, item, diagnostics, sources));
                }
            }
            (_, other) => diagnostics.push(
                Diagnostic::new(
                    "wrong-type",
                    format!(
                        "`{}` must be a list of entries, found {}",
                        section.key(),
                        other.describe()
                    ),
                )
                .at(Some(sources.location(key_pos)))
                .help(format!(
                    "write `{}:` followed by `- id: ...` entries",
                    section.key()
                )),
            ),
        }
    }
    false
}
