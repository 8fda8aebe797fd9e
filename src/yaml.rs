//! Every YAML call of the program lives here.
//!
//! Catalog files and answers files are read in two passes: `yaml_serde` parses the text into a
//! value (it owns syntax errors, duplicate keys and the alias and nesting limits), and a
//! `saphyr-parser` event walk records where each node starts. Typed deserialization then runs on
//! pieces of the value, and any error it reports is pinned back to a file, line and column through
//! that position map, so one bad entry does not hide the problems of the next one.

pub mod tree;

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use saphyr_parser::{Event, Parser};
use serde::de::DeserializeOwned;

pub use serde_yaml::Value;

use crate::diag::{Diagnostic, Position};

/// Largest YAML text accepted, in bytes. Hand-written catalog files are a few kilobytes (the
/// largest built-in one is 16 kB); anything this large is a mistake (or an attack) and is refused
/// before parsing. The YAML parser needs about two seconds per megabyte of densely packed nodes
/// (`[1,1,1,...]`) even in a release build, so the limit is what keeps any file near a second.
pub const MAX_TEXT_BYTES: usize = 1024 * 1024;

/// Largest JSON text accepted, in bytes. JSON is YAML too, and a generated catalog (10,000 rules
/// take about 3 MB) is best written as JSON: it is read by a JSON parser, two orders of magnitude
/// faster than the YAML one, so it may be larger.
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

    fn parent(&self) -> Option<Self> {
        if self.0.is_empty() {
            None
        } else {
            Some(Self(self.0[..self.0.len() - 1].to_vec()))
        }
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
    text: String,
    /// Computed on the first diagnostic only: a valid file never pays for it.
    positions: OnceLock<Positions>,
}

#[derive(Default)]
struct Positions {
    keys: HashMap<NodePath, Position>,
    values: HashMap<NodePath, Position>,
    /// The first key that repeats a key of the same mapping, and where it does.
    duplicate: Option<(NodePath, Position)>,
}

impl Document {
    /// A document whose text is known but not parsed into a value: for positions only, when the
    /// caller deserialized the text itself.
    pub fn unparsed(file: &str, text: &str) -> Self {
        Self {
            file: file.to_owned(),
            value: Value::Null,
            text: text.to_owned(),
            positions: OnceLock::new(),
        }
    }

    /// Parses `text` (the contents of `file`). Fails with one diagnostic when the text is not
    /// YAML at all: nothing after a syntax error can be trusted.
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
        if let Some(position) = too_deep(text) {
            return Err(Diagnostic {
                file: file.to_owned(),
                position,
                message: format!(
                    "invalid YAML: recursion limit exceeded (more than {MAX_FLOW_DEPTH} nested `[` or `{{`)"
                ),
            });
        }
        if is_json(text)
            && let Some(parsed) = Self::parse_json(file, text)
        {
            return parsed;
        }
        let value: Value = serde_yaml::from_str(text).map_err(|err| {
            let message = strip_location(&err.to_string());
            // yaml_serde reports a repeated key at the start of the document; the position walk
            // finds the repeated key itself.
            let walked = message.contains("duplicate entry").then(|| positions(text));
            if let Some(walked) = &walked
                && let Some((path, at)) = &walked.duplicate
            {
                let first = walked.keys.get(path).copied().unwrap_or_default();
                return Diagnostic {
                    file: file.to_owned(),
                    position: *at,
                    message: format!(
                        "duplicate key `{path}` (first given at line {})",
                        first.line
                    ),
                };
            }
            let position = err
                .location()
                .map(|l| Position {
                    line: l.line(),
                    column: l.column(),
                })
                .unwrap_or(Position { line: 1, column: 1 });
            let kind = if file.ends_with(".json") {
                "JSON"
            } else {
                "YAML"
            };
            Diagnostic {
                file: file.to_owned(),
                position,
                message: format!("invalid {kind}: {message}"),
            }
        })?;
        Ok(Self {
            file: file.to_owned(),
            value,
            text: text.to_owned(),
            positions: OnceLock::new(),
        })
    }

    /// Reads JSON text with the JSON parser. `None` when it is not JSON after all (a YAML flow
    /// mapping), so that the YAML parser reads it.
    fn parse_json(file: &str, text: &str) -> Option<Result<Self, Diagnostic>> {
        let at = |err: &serde_json::Error| Position {
            line: err.line().max(1),
            column: err.column().max(1),
        };
        let json = match serde_json::from_str::<serde_json::Value>(text) {
            Ok(json) => json,
            // Not JSON: YAML that looks like it (a flow mapping), unless the file says it is JSON.
            Err(err) if err.is_syntax() && !file.ends_with(".json") => return None,
            Err(err) => {
                return Some(Err(Diagnostic {
                    file: file.to_owned(),
                    position: at(&err),
                    message: format!("invalid JSON: {}", strip_json_location(&err.to_string())),
                }));
            }
        };
        // The JSON value keeps the last of two equal keys; a catalog must say which it means.
        if let Err(err) = serde_json::from_str::<NoDuplicateKeys>(text) {
            return Some(Err(Diagnostic {
                file: file.to_owned(),
                position: at(&err),
                message: strip_json_location(&err.to_string()),
            }));
        }
        let value = match serde_yaml::to_value(json) {
            Ok(value) => value,
            Err(err) => {
                return Some(Err(Diagnostic {
                    file: file.to_owned(),
                    position: Position { line: 1, column: 1 },
                    message: format!("invalid JSON: {err}"),
                }));
            }
        };
        Some(Ok(Self {
            file: file.to_owned(),
            value,
            text: text.to_owned(),
            positions: OnceLock::new(),
        }))
    }

    fn positions(&self) -> &Positions {
        self.positions.get_or_init(|| positions(&self.text))
    }

    /// Where the node at `path` starts; the nearest known ancestor when the node itself is not
    /// in the text (a missing field is reported at the mapping that lacks it).
    pub fn position(&self, path: &NodePath) -> Position {
        let mut at = Some(path.clone());
        while let Some(p) = at {
            if let Some(pos) = self.positions().values.get(&p) {
                return *pos;
            }
            at = p.parent();
        }
        Position { line: 1, column: 1 }
    }

    /// Where the key of the mapping entry at `path` starts, falling back to [`Self::position`].
    pub fn key_position(&self, path: &NodePath) -> Position {
        self.positions()
            .keys
            .get(path)
            .copied()
            .unwrap_or_else(|| self.position(path))
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

/// Deserializes a whole file straight into `T`, without a value tree: JSON text with the JSON
/// parser (much faster), anything else with the YAML one. `None` on any problem; the caller then
/// takes the path that reports it.
pub fn from_str_fast<T: DeserializeOwned>(text: &str) -> Option<T> {
    if text.len() > limit_for(text) {
        return None;
    }
    if is_json(text)
        && let Ok(value) = serde_json::from_str(text)
    {
        return Some(value);
    }
    serde_yaml::from_str(text).ok()
}

/// serde_json ends its messages with " at line L column C"; the diagnostic carries the position.
fn strip_json_location(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// A JSON document walked only to find a key that repeats within one object.
struct NoDuplicateKeys;

impl<'de> serde::Deserialize<'de> for NoDuplicateKeys {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NoDuplicateKeys)
    }
}

impl<'de> serde::de::Visitor<'de> for NoDuplicateKeys {
    type Value = NoDuplicateKeys;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_unit<E>(self) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self, A::Error> {
        while seq.next_element::<NoDuplicateKeys>()?.is_some() {}
        Ok(self)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self, A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(serde::de::Error::custom(format!("duplicate key `{key}`")));
            }
            map.next_value::<NoDuplicateKeys>()?;
        }
        Ok(self)
    }
}

/// Serializes a value as YAML text.
pub fn to_string<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, serde_yaml::Error> {
    serde_yaml::to_string(value)
}

/// `text` (YAML written by [`to_string`]) with every plain scalar that the YAML 1.2 core schema
/// reads as a string and that `quote` picks put in single quotes. Scalars that YAML 1.2 reads as
/// a boolean, null or number were written for such values and stay plain; so do keys and values
/// already quoted, and block scalars. The text is walked with the parser, never matched line by
/// line, so a value that merely contains `key: no` inside a literal block is left alone.
pub fn quote_plain_scalars(text: &str, quote: impl Fn(&str) -> bool) -> String {
    // saphyr's markers count characters; the edits need byte offsets.
    let bytes_at: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .collect();
    let mut edits: Vec<(usize, usize)> = Vec::new();
    for item in Parser::new_from_str(text) {
        let Ok((event, span)) = item else { break };
        let Event::Scalar(value, saphyr_parser::ScalarStyle::Plain, ..) = event else {
            continue;
        };
        let (Some(&start), Some(&end)) = (
            bytes_at.get(span.start.index()),
            bytes_at.get(span.end.index()),
        ) else {
            continue;
        };
        // Only a scalar written on one line, exactly as its value.
        if text.get(start..end) != Some(value.as_ref()) || !quote(&value) {
            continue;
        }
        let is_text = matches!(serde_yaml::from_str::<Value>(&value), Ok(Value::String(_)));
        if is_text {
            edits.push((start, end));
        }
    }
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

/// `yaml_serde` appends "at line L column C" to its messages; the diagnostic carries the position
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

/// Open brackets counted before parsing. `yaml_serde` refuses nesting deeper than 128 levels, but
/// only after its scanner has walked every bracket, which takes seconds for half a megabyte of
/// `[`; a text this deep is refused at once. (Brackets inside strings count too, which errs on
/// the side of a clear error for a text no catalog or answers file looks like.)
const MAX_FLOW_DEPTH: usize = 1000;

/// Where the bracket that opens the `MAX_FLOW_DEPTH + 1`th level of `[`/`{` nesting is, if any.
fn too_deep(text: &str) -> Option<Position> {
    let mut depth = 0usize;
    let mut line = 1;
    let mut column = 0;
    for byte in text.bytes() {
        // Columns count characters: UTF-8 continuation bytes do not start one.
        if byte & 0xC0 != 0x80 {
            column += 1;
        }
        match byte {
            b'\n' => {
                line += 1;
                column = 0;
            }
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_FLOW_DEPTH {
                    return Some(Position { line, column });
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Walks the YAML events of `text` and records where every mapping key and every node starts.
/// A text the event parser rejects gives whatever it recorded before the problem: positions are a
/// help for messages, never a reason to fail.
fn positions(text: &str) -> Positions {
    enum Frame {
        Seq {
            path: NodePath,
            next: usize,
        },
        Map {
            path: NodePath,
            key: Option<String>,
            key_at: Position,
        },
    }
    let mut keys = HashMap::new();
    let mut values = HashMap::new();
    let mut duplicate = None;
    let mut stack: Vec<Frame> = Vec::new();
    let mut documents = 0;

    // The path the next node gets, given the innermost open collection. `None` means the next
    // scalar is a mapping key.
    fn next_path(stack: &mut [Frame]) -> Option<NodePath> {
        match stack.last_mut() {
            None => Some(NodePath::root()),
            Some(Frame::Seq { path, next }) => {
                let p = path.index(*next);
                *next += 1;
                Some(p)
            }
            Some(Frame::Map { path, key, .. }) => key.take().map(|k| path.key(&k)),
        }
    }

    for item in Parser::new_from_str(text) {
        let Ok((event, span)) = item else { break };
        let at = Position {
            line: span.start.line(),
            column: span.start.col() + 1,
        };
        match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    break;
                }
            }
            Event::Scalar(scalar, ..) => {
                if let Some(Frame::Map {
                    key: key @ None,
                    key_at,
                    ..
                }) = stack.last_mut()
                {
                    *key = Some(scalar.into_owned());
                    *key_at = at;
                } else if let Some(p) = next_path(&mut stack) {
                    values.insert(p, at);
                }
            }
            Event::Alias(_) => {
                if let Some(Frame::Map {
                    key: key @ None, ..
                }) = stack.last_mut()
                {
                    *key = Some(String::new());
                } else if let Some(p) = next_path(&mut stack) {
                    values.insert(p, at);
                }
            }
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                let is_key = matches!(stack.last(), Some(Frame::Map { key: None, .. }));
                let path = if is_key {
                    // A complex key: its contents get no usable path.
                    NodePath::root().key("\u{0}complex")
                } else {
                    next_path(&mut stack).unwrap_or_default()
                };
                if !is_key {
                    values.insert(path.clone(), at);
                }
                stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Frame::Seq { path, next: 0 }
                } else {
                    Frame::Map {
                        path,
                        key: None,
                        key_at: at,
                    }
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                stack.pop();
            }
            _ => {}
        }
        // Record the key position of the entry that just received its key.
        if let Some(Frame::Map {
            path,
            key: Some(k),
            key_at,
        }) = stack.last()
        {
            let first = *keys.entry(path.key(k)).or_insert(*key_at);
            if first != *key_at && duplicate.is_none() {
                duplicate = Some((path.key(k), *key_at));
            }
        }
    }
    Positions {
        keys,
        values,
        duplicate,
    }
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
    fn deep_flow_nesting_is_refused_before_parsing() {
        let text = format!("a: é\nb: {}", "[".repeat(200_000));
        let start = std::time::Instant::now();
        let d = Document::parse("f.yaml", &text).err().unwrap();
        assert!(start.elapsed() < std::time::Duration::from_millis(500));
        assert_eq!(
            d.position,
            Position {
                line: 2,
                column: 1004
            }
        );
        assert!(
            d.message.contains("recursion limit exceeded"),
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
        assert!(err.position.line >= 1);
        assert!(err.message.starts_with("invalid YAML"), "{}", err.message);
        // The position is the diagnostic's own; the message keeps only the context's.
        let at = format!(
            " at line {} column {}",
            err.position.line, err.position.column
        );
        assert!(!err.message.contains(&at), "{}", err.message);
        assert!(
            err.message
                .ends_with("while parsing a flow sequence at line 1 column 4"),
            "{}",
            err.message
        );
    }
}
