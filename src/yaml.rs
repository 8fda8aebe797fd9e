//! Every YAML call of the program lives here.
//!
//! Catalog files and answers files are read once, by [`tree::read_stream`], into a tree whose
//! nodes know where they start; the tree gives the value typed deserialization runs on and the
//! positions its errors are pinned to, so one bad entry does not hide the problems of the next
//! one. `yaml_serde` parses no text any more: its `Value` is what typed deserialization runs on,
//! and it writes YAML output.

pub mod tree;

use std::fmt;
use std::sync::OnceLock;

use serde::de::DeserializeOwned;

pub use serde_yaml::Value;

use crate::diag::{Diagnostic, Position};

/// Largest YAML text accepted, in bytes. Hand-written catalog files are a few kilobytes (the
/// largest built-in one is 16 kB); anything this large is a mistake (or an attack) and is refused
/// before parsing.
pub const MAX_TEXT_BYTES: usize = 1024 * 1024;

/// Largest JSON text accepted, in bytes. JSON is YAML too, and a generated catalog (10,000 rules
/// take about 3 MB) is best written as JSON: a valid one is read by the JSON parser, and the tree
/// reader reads JSON as fast, so it may be larger.
pub const MAX_JSON_BYTES: usize = 16 * 1024 * 1024;

/// Whether a text is JSON rather than block YAML: it opens with `{`. (A YAML flow mapping opens
/// the same way; when the JSON parser rejects it the text is read as YAML.)
pub fn is_json(text: &str) -> bool {
    text.trim_start().starts_with('{')
}

/// The size limit that applies to `text`.
fn limit_for(text: &str) -> usize {
    if is_json(text) {
        MAX_JSON_BYTES
    } else {
        MAX_TEXT_BYTES
    }
}

/// A path from the root of a document to one of its nodes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct NodePath(Vec<Segment>);

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Segment {
    Key(String),
    Index(usize),
}

impl NodePath {
    pub fn root() -> Self {
        Self(Vec::new())
    }

    pub fn key(&self, key: &str) -> Self {
        let mut next = self.clone();
        next.0.push(Segment::Key(key.to_owned()));
        next
    }

    pub fn index(&self, index: usize) -> Self {
        let mut next = self.clone();
        next.0.push(Segment::Index(index));
        next
    }

    fn join(&self, inner: &serde_path_to_error::Path) -> Self {
        let mut next = self.clone();
        for segment in inner {
            match segment {
                serde_path_to_error::Segment::Seq { index } => next.0.push(Segment::Index(*index)),
                serde_path_to_error::Segment::Map { key } => next.0.push(Segment::Key(key.clone())),
                serde_path_to_error::Segment::Enum { .. }
                | serde_path_to_error::Segment::Unknown => {}
            }
        }
        next
    }
}

impl fmt::Display for NodePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(key) if i == 0 => write!(f, "{key}")?,
                Segment::Key(key) => write!(f, ".{key}")?,
                Segment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// A parsed YAML file: its value and where each node starts.
pub struct Document {
    pub file: String,
    pub value: Value,
    /// The tree the value was made from; read from `text` on the first diagnostic when the
    /// caller deserialized the text itself ([`Document::unparsed`]).
    tree: OnceLock<Option<tree::Node<'static>>>,
    text: String,
    /// Whether the text holds no document at all (empty, or only comments).
    empty: bool,
}

/// Bounds for a catalog or answers file: YAML libraries' usual nesting limit, and at most as
/// many nodes after alias expansion as the text has bytes (a text without aliases never has
/// more), so that aliases cannot multiply a small file into gigabytes.
fn limits_for(text: &str) -> tree::Limits {
    tree::Limits {
        max_depth: 128,
        max_nodes: text.len().max(4096),
    }
}

impl Document {
    /// A document whose text is known but not parsed into a value: for positions only, when the
    /// caller deserialized the text itself.
    pub fn unparsed(file: &str, text: &str) -> Self {
        Self {
            file: file.to_owned(),
            value: Value::Null,
            tree: OnceLock::new(),
            text: text.to_owned(),
            empty: false,
        }
    }

    /// Parses `text` (the contents of `file`): exactly one document. Fails with one diagnostic
    /// when the text is not YAML at all: nothing after a syntax error can be trusted.
    pub fn parse(file: &str, text: &str) -> Result<Self, Diagnostic> {
        if text.len() > limit_for(text) {
            return Err(Diagnostic {
                file: file.to_owned(),
                // About the file as a whole: no position.
                position: Position::default(),
                message: if is_json(text) {
                    format!(
                        "file is {} bytes; the limit is {MAX_JSON_BYTES} bytes",
                        text.len()
                    )
                } else {
                    format!(
                        "file is {} bytes; the limit is {MAX_TEXT_BYTES} bytes (JSON files may have up to {MAX_JSON_BYTES})",
                        text.len()
                    )
                },
            });
        }
        let at = |mark: tree::Mark| Position {
            line: mark.line as usize,
            column: mark.column as usize,
        };
        let mut docs = tree::read_stream(text, &limits_for(text)).into_iter();
        let first = match docs.next() {
            None => None,
            Some(Ok(doc)) => Some(doc.root.into_owned()),
            Some(Err(err)) => {
                let kind = if file.ends_with(".json") {
                    "JSON"
                } else {
                    "YAML"
                };
                let message = if err.message.starts_with("duplicate key") {
                    err.message
                } else {
                    format!("invalid {kind}: {}", err.message)
                };
                return Err(Diagnostic {
                    file: file.to_owned(),
                    position: at(err.mark),
                    message,
                });
            }
        };
        if let Some(second) = docs.next() {
            let mark = match second {
                Ok(doc) => doc.start,
                Err(err) => err.mark,
            };
            return Err(Diagnostic {
                file: file.to_owned(),
                position: at(mark),
                message: "a second YAML document starts here; the file must hold one".to_owned(),
            });
        }
        Ok(Self {
            file: file.to_owned(),
            value: first.as_ref().map_or(Value::Null, to_value),
            empty: first.is_none(),
            tree: OnceLock::from(first),
            text: String::new(),
        })
    }

    /// Whether the file holds no document at all: empty, or only comments. (A file holding
    /// `null` or `~` has a document, whose value is null.)
    pub fn is_empty(&self) -> bool {
        self.empty
    }

    fn tree(&self) -> Option<&tree::Node<'static>> {
        self.tree
            .get_or_init(|| {
                tree::read_stream(&self.text, &limits_for(&self.text))
                    .into_iter()
                    .next()
                    .and_then(Result::ok)
                    .map(|doc| doc.root.into_owned())
            })
            .as_ref()
    }

    /// The node at `path` and the key node of its entry when the last step is a key, or the
    /// nearest ancestor that is in the text (a missing field is reported at the mapping that
    /// lacks it).
    fn walk(
        &self,
        path: &NodePath,
    ) -> (Option<&tree::Node<'static>>, Option<&tree::Node<'static>>) {
        let Some(mut node) = self.tree() else {
            return (None, None);
        };
        let mut key = None;
        for segment in &path.0 {
            let next = match segment {
                Segment::Key(k) => node.as_map().and_then(|entries| {
                    entries
                        .iter()
                        .find(|(key, _)| key.as_str() == Some(k.as_str()))
                        .map(|(key, value)| (Some(key), value))
                }),
                Segment::Index(i) => node
                    .as_seq()
                    .and_then(|items| items.get(*i))
                    .map(|v| (None, v)),
            };
            match next {
                Some((k, value)) => {
                    key = k;
                    node = value;
                }
                None => return (Some(node), None),
            }
        }
        (Some(node), key)
    }

    /// Where the node at `path` starts; the nearest known ancestor when the node itself is not
    /// in the text (a missing field is reported at the mapping that lacks it).
    pub fn position(&self, path: &NodePath) -> Position {
        match self.walk(path).0 {
            Some(node) => Position {
                line: node.mark.line as usize,
                column: node.mark.column as usize,
            },
            None => Position { line: 1, column: 1 },
        }
    }

    /// Where the key of the mapping entry at `path` starts, falling back to [`Self::position`].
    pub fn key_position(&self, path: &NodePath) -> Position {
        match self.walk(path).1 {
            Some(key) => Position {
                line: key.mark.line as usize,
                column: key.mark.column as usize,
            },
            None => self.position(path),
        }
    }

    /// A diagnostic at the node `path`.
    pub fn error_at(&self, path: &NodePath, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            file: self.file.clone(),
            position: self.position(path),
            message: message.into(),
        }
    }

    /// A diagnostic at the key of the mapping entry `path`.
    pub fn error_at_key(&self, path: &NodePath, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            file: self.file.clone(),
            position: self.key_position(path),
            message: message.into(),
        }
    }

    /// Deserializes the node `value`, found at `path`, into `T`. An error names the exact field.
    pub fn deserialize<T: DeserializeOwned>(
        &self,
        path: &NodePath,
        value: &Value,
    ) -> Result<T, Diagnostic> {
        serde_path_to_error::deserialize(value).map_err(|err| {
            let inner = path.join(err.path());
            let message = strip_location(&err.inner().to_string());
            let field = if inner == *path {
                String::new()
            } else {
                format!("{inner}: ")
            };
            if message.starts_with("unknown field") {
                self.error_at_key(&inner, format!("{field}{message}"))
            } else {
                self.error_at(&inner, format!("{field}{message}"))
            }
        })
    }
}

/// The value of a tree node, resolved by the YAML 1.2 core schema (as `yaml_serde` resolves it).
fn to_value(node: &tree::Node<'_>) -> Value {
    match &node.value {
        tree::Value::Scalar(scalar) => {
            let value = match node.to_json() {
                serde_json::Value::Null => Value::Null,
                serde_json::Value::Bool(b) => Value::Bool(b),
                serde_json::Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
                    (Some(i), _, _) => Value::Number(i.into()),
                    (_, Some(u), _) => Value::Number(u.into()),
                    (_, _, Some(f)) => Value::Number(f.into()),
                    _ => Value::String(scalar.text.to_string()),
                },
                serde_json::Value::String(_) => special_float(node).map_or_else(
                    || Value::String(scalar.text.to_string()),
                    |f| Value::Number(f.into()),
                ),
                _ => Value::String(scalar.text.to_string()),
            };
            match scalar.tag.as_deref() {
                None | Some("!!str" | "!" | "!!int" | "!!bool" | "!!null" | "!!float") => value,
                Some(tag) => Value::Tagged(Box::new(serde_yaml::value::TaggedValue {
                    tag: serde_yaml::value::Tag::new(tag.trim_start_matches('!')),
                    value,
                })),
            }
        }
        tree::Value::Seq(items) => Value::Sequence(items.iter().map(to_value).collect()),
        tree::Value::Map(entries) => Value::Mapping(
            entries
                .iter()
                .map(|(k, v)| (to_value(k), to_value(v)))
                .collect(),
        ),
    }
}

/// `.inf`, `-.inf` and `.nan`, which JSON cannot hold but a YAML number can.
fn special_float(node: &tree::Node<'_>) -> Option<f64> {
    let scalar = node.as_scalar()?;
    if scalar.style != tree::ScalarStyle::Plain || scalar.tag.is_some() {
        return None;
    }
    let text: &str = &scalar.text;
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    match unsigned {
        ".inf" | ".Inf" | ".INF" if text.starts_with('-') => Some(f64::NEG_INFINITY),
        ".inf" | ".Inf" | ".INF" => Some(f64::INFINITY),
        ".nan" | ".NaN" | ".NAN" if unsigned.len() == text.len() => Some(f64::NAN),
        _ => None,
    }
}

/// Deserializes a whole file straight into `T`: JSON text with the JSON parser (much faster),
/// anything else from the tree reader's one document. `None` on any problem; the caller then
/// takes the path that reports it.
pub fn from_str_fast<T: DeserializeOwned>(text: &str) -> Option<T> {
    // Too large: refused by the thorough path at once, not parsed here first.
    if text.len() > limit_for(text) {
        return None;
    }
    if is_json(text)
        && let Ok(value) = serde_json::from_str(text)
    {
        return Some(value);
    }
    let mut docs = tree::read_stream(text, &limits_for(text)).into_iter();
    let root = docs.next()?.ok()?.root;
    if docs.next().is_some() {
        return None;
    }
    serde_yaml::from_value(to_value(&root)).ok()
}

/// Serializes a value as YAML text.
pub fn to_string<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, serde_yaml::Error> {
    serde_yaml::to_string(value)
}

/// `text` (YAML written by [`to_string`]) with every plain scalar that the YAML 1.2 core schema
/// reads as a string and that `quote` picks put in single quotes. Scalars that YAML 1.2 reads as
/// a boolean, null or number were written for such values and stay plain; so do keys and values
/// already quoted, and block scalars. The text is walked with the tree reader, never matched line
/// by line, so a value that merely contains `key: no` inside a literal block is left alone.
pub fn quote_plain_scalars(text: &str, quote: impl Fn(&str) -> bool) -> String {
    fn visit(
        node: &tree::Node<'_>,
        text: &str,
        quote: &dyn Fn(&str) -> bool,
        edits: &mut Vec<(usize, usize)>,
    ) {
        match &node.value {
            tree::Value::Scalar(scalar) => {
                let start = node.mark.offset as usize;
                let end = start + scalar.text.len();
                // Only a scalar written on one line, exactly as its value.
                if scalar.style == tree::ScalarStyle::Plain
                    && text.get(start..end) == Some(&*scalar.text)
                    && node.is_string()
                    && quote(&scalar.text)
                {
                    edits.push((start, end));
                }
            }
            tree::Value::Seq(items) => {
                for item in items {
                    visit(item, text, quote, edits);
                }
            }
            tree::Value::Map(entries) => {
                for (key, value) in entries {
                    visit(key, text, quote, edits);
                    visit(value, text, quote, edits);
                }
            }
        }
    }
    let mut edits: Vec<(usize, usize)> = Vec::new();
    for doc in tree::read_stream(text, &tree::Limits::DEFAULT)
        .into_iter()
        .flatten()
    {
        visit(&doc.root, text, &quote, &mut edits);
    }
    edits.sort_unstable();
    let mut out = String::with_capacity(text.len() + 2 * edits.len());
    let mut at = 0;
    for (start, end) in edits {
        out.push_str(&text[at..start]);
        out.push('\'');
        out.push_str(&text[start..end].replace('\'', "''"));
        out.push('\'');
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

/// A deserialization message may end with "at line L column C"; the diagnostic carries the position
/// itself, so the message drops it. Only that first location goes: a syntax error may go on with
/// its context ("while parsing a flow sequence at line 3 column 12"), which points at where the
/// unclosed construct starts and is kept.
fn strip_location(message: &str) -> String {
    let Some(start) = message.find(" at line ") else {
        return message.to_owned();
    };
    let rest = &message[start + " at line ".len()..];
    let digits = |s: &str| s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let line = digits(rest);
    let end = rest[line..]
        .strip_prefix(" column ")
        .map(|after| {
            let column = digits(after);
            line + " column ".len() + column
        })
        .filter(|_| line > 0)
        .unwrap_or(rest.len());
    format!("{}{}", &message[..start], &rest[end..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_of_nested_nodes() {
        let text = "a:\n  b: 1\n  c:\n    - x\n    - {d: 2}\n";
        let doc = Document::parse("f.yaml", text).unwrap();
        let root = NodePath::root();
        assert_eq!(
            doc.position(&root.key("a").key("b")),
            Position { line: 2, column: 6 }
        );
        assert_eq!(
            doc.key_position(&root.key("a").key("b")),
            Position { line: 2, column: 3 }
        );
        assert_eq!(
            doc.position(&root.key("a").key("c").index(1).key("d")),
            Position {
                line: 5,
                column: 11
            }
        );
        // Missing nodes fall back to the nearest ancestor.
        assert_eq!(
            doc.position(&root.key("a").key("c").index(1).key("zz")),
            Position { line: 5, column: 7 }
        );
    }

    #[test]
    fn deep_flow_nesting_is_refused_fast() {
        let text = format!("a: é\nb: {}", "[".repeat(200_000));
        let d = Document::parse("f.yaml", &text).err().unwrap();
        assert_eq!(d.position.line, 2);
        assert!(
            d.message
                .starts_with("invalid YAML: nesting deeper than 128 levels"),
            "{}",
            d.message
        );
        // Balanced brackets never add up.
        let flat = format!("a: [{}]\n", "[], ".repeat(5000));
        assert!(Document::parse("f.yaml", &flat).is_ok());
    }

    #[test]
    fn a_duplicate_key_is_reported_where_it_repeats() {
        let at = |text: &str| {
            let d = Document::parse("f.yaml", text).err().unwrap();
            assert!(d.message.starts_with("duplicate key"), "{}", d.message);
            (d.position.line, d.position.column)
        };
        assert_eq!(
            at("platform: aks\nscope: pod\nsdk: x\nscope: pod\n"),
            (4, 1)
        );
        assert_eq!(at("outer:\n  a: 1\n  b: [x, {a: 1}]\n  a: 2\n"), (4, 3));
        assert_eq!(at("{a: {a: 1, b: 2}, b: 1, a: 3}"), (1, 25));
    }

    #[test]
    fn strip_location_keeps_the_context() {
        assert_eq!(
            strip_location(
                "did not find expected ',' or ']' at line 4 column 5, while parsing a flow sequence at line 3 column 12"
            ),
            "did not find expected ',' or ']', while parsing a flow sequence at line 3 column 12"
        );
        assert_eq!(
            strip_location("invalid type: integer `42`, expected a string at line 11 column 12"),
            "invalid type: integer `42`, expected a string"
        );
        assert_eq!(strip_location("no location here"), "no location here");
    }

    #[test]
    fn a_repeated_key_is_reported_where_it_repeats() {
        let err = Document::parse("f.yaml", "a: 1\nb:\n  c: 2\n  c: 3\n")
            .err()
            .unwrap();
        assert_eq!(err.position, Position { line: 4, column: 3 });
        assert_eq!(err.message, "duplicate key `b.c` (first given at line 3)");
    }

    #[test]
    fn syntax_error_has_a_position() {
        let err = Document::parse("f.yaml", "a: [1, 2\nb: 3\n").err().unwrap();
        assert_eq!(err.file, "f.yaml");
        assert_eq!(err.position.line, 2);
        assert!(err.message.starts_with("invalid YAML"), "{}", err.message);
        assert!(
            err.message
                .ends_with(", inside the flow sequence opened at line 1 column 4"),
            "{}",
            err.message
        );
    }

    #[test]
    fn one_document_per_file_and_null_is_not_empty() {
        let err = Document::parse("f.yaml", "a: 1\n---\nb: 2\n")
            .err()
            .unwrap();
        assert_eq!(err.position, Position { line: 2, column: 1 });
        assert!(
            err.message.contains("second YAML document"),
            "{}",
            err.message
        );
        let empty = Document::parse("f.yaml", "# nothing\n").unwrap();
        assert!(empty.is_empty() && empty.value.is_null());
        let null = Document::parse("f.yaml", "null\n").unwrap();
        assert!(!null.is_empty() && null.value.is_null());
    }

    #[test]
    fn a_nul_byte_is_reported_where_it_is() {
        let err = Document::parse("f.yaml", "a: 1\nb: x\0y\n").err().unwrap();
        assert_eq!(err.position.line, 2, "{err:?}");
        assert!(err.position.column > 1, "{err:?}");
    }

    #[test]
    fn values_resolve_as_yaml_1_2_core() {
        let doc = Document::parse(
            "f.yaml",
            "a: 0x10\nb: yes\nc: 1.5\nd: ~\ne: !!str 1\nf: .inf\n",
        )
        .unwrap();
        let v = &doc.value;
        assert_eq!(v["a"].as_i64(), Some(16));
        assert_eq!(v["b"].as_str(), Some("yes"));
        assert_eq!(v["c"].as_f64(), Some(1.5));
        assert!(v["d"].is_null());
        assert_eq!(v["e"].as_str(), Some("1"));
        assert_eq!(v["f"].as_f64(), Some(f64::INFINITY));
    }
}
