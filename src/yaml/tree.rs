//! One pass from YAML (or JSON) text to a tree of values that knows where each node starts.
//!
//! Catalog files, answers files and the manifests `scan` reads are all read here: a stream of
//! documents, each a tree of [`Node`]s carrying its line, column and byte offset, so that a caller
//! reads values and reports positions from the same parse. The reader owns the rules every input
//! shares: a repeated mapping key is an error at the repeated key, aliases are expanded under a
//! budget of nodes per document, nesting is bounded, and a syntax error ends the stream while a
//! document that breaks a rule fails alone.

use std::borrow::Cow;

use rustc_hash::FxHashSet;
use saphyr_parser::{Event, Parser, ScanError, Span};

mod subset;

/// 1-based line and column (column in characters) and byte offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Mark {
    pub line: u32,
    pub column: u32,
    pub offset: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Scalar<'t> {
    /// Borrowed from the text read when it is written there as it reads (most scalars).
    pub text: Cow<'t, str>,
    pub style: ScalarStyle,
    /// The tag as written, with a `!!` shorthand for the YAML core tags (`!!str`, `!local`).
    pub tag: Option<Box<str>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value<'t> {
    Scalar(Scalar<'t>),
    Seq(Vec<Node<'t>>),
    Map(Vec<(Node<'t>, Node<'t>)>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node<'t> {
    pub value: Value<'t>,
    pub mark: Mark,
}

/// One document of a stream. An empty document holds a null scalar.
#[derive(Clone, Debug, PartialEq)]
pub struct Document<'t> {
    pub root: Node<'t>,
    pub start: Mark,
}

/// Bounds on one document. `max_nodes` counts nodes after alias expansion (a key, a value, a
/// sequence item each count one; an alias counts every node it expands to), so that a short text
/// of aliases to aliases cannot grow into gigabytes. `max_depth` counts nested collections.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_depth: usize,
    pub max_nodes: usize,
}

impl Limits {
    /// Bounds that fit any hand-written file: 128 levels (the YAML libraries' usual recursion
    /// limit) and a million nodes (a 1 MiB text of `[1,1,1,…]` is half of that).
    pub const DEFAULT: Limits = Limits {
        max_depth: 128,
        max_nodes: 1_000_000,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Why a document (or the rest of the stream) could not be read, and where.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadError {
    pub mark: Mark,
    pub message: String,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: {}",
            self.mark.line, self.mark.column, self.message
        )
    }
}

impl Scalar<'_> {
    fn plain(&self) -> Option<&str> {
        (self.style == ScalarStyle::Plain && self.tag.is_none()).then_some(&*self.text)
    }

    /// Whether an explicit tag makes the scalar a string (`!!str`, or the non-specific `!`).
    fn tagged_string(&self) -> bool {
        matches!(self.tag.as_deref(), Some("!!str" | "!"))
    }
}

impl<'t> Node<'t> {
    /// The same tree owning all of its text, to keep it beyond the text it was read from.
    pub fn into_owned(self) -> Node<'static> {
        let value = match self.value {
            Value::Scalar(s) => Value::Scalar(Scalar {
                text: Cow::Owned(s.text.into_owned()),
                style: s.style,
                tag: s.tag,
            }),
            Value::Seq(items) => Value::Seq(items.into_iter().map(Node::into_owned).collect()),
            Value::Map(entries) => Value::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect(),
            ),
        };
        Node {
            value,
            mark: self.mark,
        }
    }

    /// The value of `key` in a mapping, compared with the text of scalar keys.
    #[inline]
    pub fn get(&self, key: &str) -> Option<&Node<'t>> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }

    /// The node reached by looking up each key in turn.
    pub fn get_path(&self, keys: &[&str]) -> Option<&Node<'t>> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    #[inline]
    pub fn as_map(&self) -> Option<&[(Node<'t>, Node<'t>)]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node<'t>]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    #[inline]
    pub fn as_scalar(&self) -> Option<&Scalar<'t>> {
        match &self.value {
            Value::Scalar(scalar) => Some(scalar),
            _ => None,
        }
    }

    /// The text of any scalar, whatever it resolves to (`true`, `42` and `"x"` all have text).
    #[inline]
    pub fn as_str(&self) -> Option<&str> {
        self.as_scalar().map(|s| &*s.text)
    }

    /// An untagged plain scalar that YAML 1.2 core reads as null: empty, `~`, `null`, `Null`,
    /// `NULL`.
    pub fn is_null(&self) -> bool {
        self.plain().is_some_and(is_core_null)
    }

    /// YAML 1.2 core booleans: plain `true`, `True`, `TRUE`, `false`, `False`, `FALSE`.
    pub fn as_bool(&self) -> Option<bool> {
        self.plain().and_then(core_bool)
    }

    /// YAML 1.1 booleans, as Kubernetes' YAML library reads them: plain `y`, `yes`, `on`, `true`
    /// and `n`, `no`, `off`, `false`, each in lower, capitalised or upper case.
    pub fn yaml11_bool(&self) -> Option<bool> {
        match self.plain()? {
            "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "true" | "True" | "TRUE" => {
                Some(true)
            }
            "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "false" | "False"
            | "FALSE" => Some(false),
            _ => None,
        }
    }

    /// YAML 1.2 core integers, plain only: decimal with an optional sign, `0x` hexadecimal and
    /// `0o` octal. `None` when the value does not fit an `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        self.plain().and_then(core_int)
    }

    /// Whether YAML 1.2 core resolves the node to a string: a quoted or block scalar, a scalar
    /// tagged `!!str`, or a plain scalar that is not null, a boolean, an integer or a float.
    pub fn is_string(&self) -> bool {
        match &self.value {
            Value::Scalar(s) => resolve(s) == Resolved::Str,
            _ => false,
        }
    }

    /// The value as JSON, with YAML 1.2 core resolution. Mapping keys become strings: a scalar
    /// key its text, a collection key its JSON text. A float JSON cannot hold (`.inf`, `.nan`)
    /// and an integer beyond 64 bits stay strings, as written.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Scalar(s) => match resolve(s) {
                Resolved::Null => J::Null,
                Resolved::Bool(b) => J::Bool(b),
                Resolved::Int(i) => J::from(i),
                Resolved::Float(f) => serde_json::Number::from_f64(f)
                    .map(J::Number)
                    .unwrap_or_else(|| J::String(s.text.to_string())),
                Resolved::BigInt | Resolved::Str => J::String(s.text.to_string()),
            },
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (key_text(k).into_owned(), v.to_json()))
                    .collect(),
            ),
        }
    }

    fn plain(&self) -> Option<&str> {
        self.as_scalar()?.plain()
    }
}

/// The string a mapping key stands for: a scalar's text; for a collection used as a key (which no
/// file aks-id reads has any use for), its kind and where it starts. Two keys of one mapping with
/// the same key text are duplicates. A collection key is never spelled out as its JSON text: keys
/// nested in keys would be escaped again at every level, and a few hundred bytes of nested flow
/// keys would grow into megabytes.
fn key_text<'a>(key: &'a Node<'_>) -> Cow<'a, str> {
    match &key.value {
        Value::Scalar(s) => Cow::Borrowed(&s.text),
        Value::Seq(_) => Cow::Owned(format!(
            "[sequence key at line {} column {}]",
            key.mark.line, key.mark.column
        )),
        Value::Map(_) => Cow::Owned(format!(
            "{{mapping key at line {} column {}}}",
            key.mark.line, key.mark.column
        )),
    }
}

fn is_core_null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

fn core_bool(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// `Some(Err)` when the text has the shape of a core integer that does not fit 64 bits.
fn core_int_shape(text: &str) -> Option<Result<i64, ()>> {
    let bytes = text.as_bytes();
    if let Some(hex) = text.strip_prefix("0x") {
        if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Some(i64::from_str_radix(hex, 16).map_err(|_| ()));
        }
        return None;
    }
    if let Some(oct) = text.strip_prefix("0o") {
        if !oct.is_empty() && oct.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
            return Some(i64::from_str_radix(oct, 8).map_err(|_| ()));
        }
        return None;
    }
    let digits = match bytes.first() {
        Some(b'-' | b'+') => &text[1..],
        _ => text,
    };
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return Some(text.parse::<i64>().map_err(|_| ()));
    }
    None
}

fn core_int(text: &str) -> Option<i64> {
    core_int_shape(text)?.ok()
}

/// YAML 1.2 core floats: `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, `.inf`, `.nan`.
fn core_float(text: &str) -> Option<f64> {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    match unsigned {
        ".inf" | ".Inf" | ".INF" => {
            return Some(if text.starts_with('-') {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            });
        }
        ".nan" | ".NaN" | ".NAN" if unsigned.len() == text.len() => return Some(f64::NAN),
        _ => {}
    }
    let b = unsigned.as_bytes();
    let mut i = 0;
    let int_digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    i += int_digits;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let frac_digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        i += frac_digits;
        if int_digits == 0 && frac_digits == 0 {
            return None;
        }
    } else if int_digits == 0 {
        return None;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        let exp = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if exp == 0 {
            return None;
        }
        i += exp;
    }
    if i != b.len() {
        return None;
    }
    text.parse::<f64>().ok()
}

#[derive(Debug, PartialEq)]
enum Resolved {
    Null,
    Bool(bool),
    Int(i64),
    /// Integer syntax beyond 64 bits.
    BigInt,
    Float(f64),
    Str,
}

/// YAML 1.2 core schema resolution of a scalar.
fn resolve(s: &Scalar<'_>) -> Resolved {
    if s.tagged_string() {
        return Resolved::Str;
    }
    let Some(text) = (s.style == ScalarStyle::Plain).then_some(&*s.text) else {
        return Resolved::Str;
    };
    // Other tags (`!!int`, `!custom`) do not change how a plain scalar reads here.
    if is_core_null(text) {
        return Resolved::Null;
    }
    if let Some(b) = core_bool(text) {
        return Resolved::Bool(b);
    }
    match core_int_shape(text) {
        Some(Ok(i)) => return Resolved::Int(i),
        Some(Err(())) => return Resolved::BigInt,
        None => {}
    }
    match core_float(text) {
        Some(f) => Resolved::Float(f),
        None => Resolved::Str,
    }
}

/// Every document of a YAML (or JSON) stream. A syntax error ends the stream (its Err is the last
/// item); a duplicate key or an exceeded limit fails only its own document and reading goes on
/// with the next document. A leading BOM is skipped; CRLF is fine. A text with no document at all
/// (empty, or only comments) gives no item.
pub fn read_stream<'t>(text: &'t str, limits: &Limits) -> Vec<Result<Document<'t>, ReadError>> {
    let (body, skipped) = match text.strip_prefix('\u{FEFF}') {
        Some(rest) => (rest, '\u{FEFF}'.len_utf8()),
        None => (text, 0),
    };
    if let Some(docs) = subset::read(body, skipped, limits) {
        return docs.into_iter().map(Ok).collect();
    }
    read_events(body, skipped, limits)
}

/// [`read_stream`] by the general event parser alone, for benchmarks and tests.
#[doc(hidden)]
pub fn read_stream_by_events<'t>(
    text: &'t str,
    limits: &Limits,
) -> Vec<Result<Document<'t>, ReadError>> {
    match text.strip_prefix('\u{FEFF}') {
        Some(rest) => read_events(rest, '\u{FEFF}'.len_utf8(), limits),
        None => read_events(text, 0, limits),
    }
}

/// Whether [`read_stream`] reads `text` by its direct path, for benchmarks and tests.
#[doc(hidden)]
pub fn reads_directly(text: &str, limits: &Limits) -> bool {
    let (body, skipped) = match text.strip_prefix('\u{FEFF}') {
        Some(rest) => (rest, '\u{FEFF}'.len_utf8()),
        None => (text, 0),
    };
    subset::read(body, skipped, limits).is_some()
}

/// [`read_stream`] by the general event parser: all of YAML, and every error message.
fn read_events<'t>(
    body: &'t str,
    skipped: usize,
    limits: &Limits,
) -> Vec<Result<Document<'t>, ReadError>> {
    let mut reader = StreamReader {
        marks: MarkMaker::new(body, skipped),
        limits: *limits,
        out: Vec::new(),
        doc: None,
    };
    for item in Parser::new_from_str(body) {
        match item {
            Ok((event, span)) => {
                if reader.event(event, span) {
                    break;
                }
            }
            Err(err) => {
                reader.syntax_error(&err);
                break;
            }
        }
    }
    reader.out
}

/// Turns the parser's character positions into [`Mark`]s with byte offsets.
struct MarkMaker<'t> {
    text: &'t str,
    /// Added to every byte offset: the BOM skipped before parsing.
    base: usize,
    ascii: bool,
    /// A known pair of character index and byte offset, near the last position asked for.
    chars: usize,
    bytes: usize,
}

impl<'t> MarkMaker<'t> {
    fn new(text: &'t str, base: usize) -> Self {
        Self {
            text,
            base,
            ascii: text.is_ascii(),
            chars: 0,
            bytes: 0,
        }
    }

    fn byte_offset(&mut self, char_index: usize) -> usize {
        if self.ascii {
            return char_index.min(self.text.len());
        }
        // Positions arrive nearly in order, so walking from the last one is short.
        while self.chars < char_index && self.bytes < self.text.len() {
            self.bytes += utf8_len(self.text.as_bytes()[self.bytes]);
            self.chars += 1;
        }
        while self.chars > char_index && self.bytes > 0 {
            self.bytes -= 1;
            while !self.text.is_char_boundary(self.bytes) {
                self.bytes -= 1;
            }
            self.chars -= 1;
        }
        self.bytes
    }

    fn mark(&mut self, at: &saphyr_parser::Marker) -> Mark {
        let offset = self.byte_offset(at.index()) + self.base;
        Mark {
            line: clamp_u32(at.line()),
            column: clamp_u32(at.col() + 1),
            offset: clamp_u32(offset),
        }
    }
}

fn utf8_len(first: u8) -> usize {
    match first {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

fn clamp_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

struct StreamReader<'t> {
    marks: MarkMaker<'t>,
    limits: Limits,
    out: Vec<Result<Document<'t>, ReadError>>,
    doc: Option<DocBuilder<'t>>,
}

/// An anchored node kept for its aliases, with its size and height for the limits.
struct Anchored<'t> {
    node: Node<'t>,
    nodes: usize,
    height: usize,
}

enum Open<'t> {
    Seq(Vec<Node<'t>>),
    Map {
        entries: Vec<(Node<'t>, Node<'t>)>,
        key: Option<Node<'t>>,
    },
}

struct Frame<'t> {
    open: Open<'t>,
    mark: Mark,
    anchor: usize,
    /// Nodes counted before this collection started: its own size is the difference.
    count_at_start: usize,
    /// Height of the tallest child so far (0 for none).
    child_height: usize,
}

struct DocBuilder<'t> {
    start: Mark,
    stack: Vec<Frame<'t>>,
    anchors: Vec<Option<Anchored<'t>>>,
    nodes: usize,
    root: Option<Node<'t>>,
    /// The first rule the document broke; the rest of its events are skipped.
    failed: Option<ReadError>,
}

impl<'t> StreamReader<'t> {
    /// Handles one event; `true` at the end of the stream.
    fn event(&mut self, event: Event<'t>, span: Span) -> bool {
        match event {
            Event::StreamStart | Event::Nothing => {}
            Event::StreamEnd => return true,
            Event::DocumentStart(_) => {
                let start = self.marks.mark(&span.start);
                self.doc = Some(DocBuilder {
                    start,
                    stack: Vec::new(),
                    anchors: Vec::new(),
                    nodes: 0,
                    root: None,
                    failed: None,
                });
            }
            Event::DocumentEnd => {
                if let Some(doc) = self.doc.take() {
                    self.out.push(doc.finish());
                }
            }
            event => {
                let mark = self.marks.mark(&span.start);
                if let Some(doc) = &mut self.doc
                    && doc.failed.is_none()
                    && let Err(err) = doc.node_event(event, mark, &self.limits)
                {
                    doc.failed = Some(err);
                }
            }
        }
        false
    }

    fn syntax_error(&mut self, err: &ScanError) {
        let mark = self.marks.mark(err.marker());
        let mut message = match err.info() {
            "recursion limit exceeded" => {
                format!("nesting deeper than {} levels", self.limits.max_depth)
            }
            info => info.to_owned(),
        };
        let doc = self.doc.take();
        // Name the unclosed flow collection the error is in: that is usually the mistake.
        if let Some(doc) = &doc
            && doc.failed.is_none()
            && let Some((kind, at)) = doc.stack.iter().rev().find_map(|frame| {
                let at = frame.mark;
                let byte = self
                    .marks
                    .text
                    .as_bytes()
                    .get((at.offset as usize).checked_sub(self.marks.base)?)?;
                match byte {
                    b'[' => Some(("flow sequence", at)),
                    b'{' => Some(("flow mapping", at)),
                    _ => None,
                }
            })
        {
            message = format!(
                "{message}, inside the {kind} opened at line {} column {}",
                at.line, at.column
            );
        }
        // A document that already broke a rule reports that; the stream ends either way.
        let error = match doc.and_then(|d| d.failed) {
            Some(first) => first,
            None => ReadError { mark, message },
        };
        self.out.push(Err(error));
    }
}

fn style_of(style: saphyr_parser::ScalarStyle) -> ScalarStyle {
    match style {
        saphyr_parser::ScalarStyle::Plain => ScalarStyle::Plain,
        saphyr_parser::ScalarStyle::SingleQuoted => ScalarStyle::SingleQuoted,
        saphyr_parser::ScalarStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
        saphyr_parser::ScalarStyle::Literal => ScalarStyle::Literal,
        saphyr_parser::ScalarStyle::Folded => ScalarStyle::Folded,
    }
}

fn tag_text(tag: &saphyr_parser::Tag) -> String {
    if tag.is_yaml_core_schema() {
        format!("!!{}", tag.suffix)
    } else {
        format!("{}{}", tag.handle, tag.suffix)
    }
}

impl<'t> DocBuilder<'t> {
    fn finish(self) -> Result<Document<'t>, ReadError> {
        if let Some(err) = self.failed {
            return Err(err);
        }
        let root = self.root.unwrap_or(Node {
            value: Value::Scalar(Scalar {
                text: Cow::Borrowed(""),
                style: ScalarStyle::Plain,
                tag: None,
            }),
            mark: self.start,
        });
        Ok(Document {
            root,
            start: self.start,
        })
    }

    fn count(&mut self, n: usize, mark: Mark, limits: &Limits) -> Result<(), ReadError> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > limits.max_nodes {
            return Err(ReadError {
                mark,
                message: format!(
                    "more than {} nodes in one document (aliases count every node they repeat)",
                    limits.max_nodes
                ),
            });
        }
        Ok(())
    }

    fn depth_error(limits: &Limits, mark: Mark) -> ReadError {
        ReadError {
            mark,
            message: format!("nesting deeper than {} levels", limits.max_depth),
        }
    }

    fn node_event(
        &mut self,
        event: Event<'t>,
        mark: Mark,
        limits: &Limits,
    ) -> Result<(), ReadError> {
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                self.count(1, mark, limits)?;
                let node = Node {
                    value: Value::Scalar(Scalar {
                        text,
                        style: style_of(style),
                        tag: tag.map(|t| tag_text(&t).into_boxed_str()),
                    }),
                    mark,
                };
                if anchor > 0 {
                    self.remember(anchor, &node, 1, 0);
                }
                self.attach(node, 0)
            }
            Event::Alias(id) => {
                let Some(Some(anchored)) = self.anchors.get(id) else {
                    return Err(ReadError {
                        mark,
                        message: "alias to an anchor not defined before it".to_owned(),
                    });
                };
                let (nodes, height) = (anchored.nodes, anchored.height);
                if self.stack.len() + height > limits.max_depth {
                    return Err(Self::depth_error(limits, mark));
                }
                if self.nodes.saturating_add(nodes) > limits.max_nodes {
                    return self.count(nodes, mark, limits);
                }
                let mut node = anchored.node.clone();
                self.count(nodes, mark, limits)?;
                node.mark = mark;
                self.attach(node, height)
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if self.stack.len() >= limits.max_depth {
                    return Err(Self::depth_error(limits, mark));
                }
                self.count(1, mark, limits)?;
                let open = if matches!(event, Event::SequenceStart(..)) {
                    Open::Seq(Vec::new())
                } else {
                    Open::Map {
                        entries: Vec::new(),
                        key: None,
                    }
                };
                self.stack.push(Frame {
                    open,
                    mark,
                    anchor,
                    count_at_start: self.nodes - 1,
                    child_height: 0,
                });
                Ok(())
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Ok(());
                };
                let value = match frame.open {
                    Open::Seq(items) => Value::Seq(items),
                    Open::Map { entries, .. } => {
                        check_duplicates(&entries, &self.stack)?;
                        Value::Map(entries)
                    }
                };
                let node = Node {
                    value,
                    mark: frame.mark,
                };
                let height = frame.child_height + 1;
                if frame.anchor > 0 {
                    let nodes = self.nodes - frame.count_at_start;
                    self.remember(frame.anchor, &node, nodes, height);
                }
                self.attach(node, height)
            }
            _ => Ok(()),
        }
    }

    fn remember(&mut self, anchor: usize, node: &Node<'t>, nodes: usize, height: usize) {
        if self.anchors.len() <= anchor {
            self.anchors.resize_with(anchor + 1, || None);
        }
        self.anchors[anchor] = Some(Anchored {
            node: node.clone(),
            nodes,
            height,
        });
    }

    /// Puts a finished node into the collection that holds it (or makes it the root).
    fn attach(&mut self, node: Node<'t>, height: usize) -> Result<(), ReadError> {
        let Some(frame) = self.stack.last_mut() else {
            self.root = Some(node);
            return Ok(());
        };
        frame.child_height = frame.child_height.max(height);
        match &mut frame.open {
            Open::Seq(items) => items.push(node),
            Open::Map { entries, key } => match key.take() {
                None => *key = Some(node),
                Some(k) => entries.push((k, node)),
            },
        }
        Ok(())
    }
}

/// The index of the first entry whose key repeats an earlier key of the mapping.
fn first_duplicate(entries: &[(Node<'_>, Node<'_>)]) -> Option<usize> {
    if entries.len() <= 16 {
        (1..entries.len()).find(|&i| {
            let k = key_text(&entries[i].0);
            entries[..i].iter().any(|(e, _)| key_text(e) == k)
        })
    } else {
        let mut seen = FxHashSet::with_capacity_and_hasher(entries.len(), Default::default());
        entries.iter().position(|(k, _)| !seen.insert(key_text(k)))
    }
}

/// Fails at the first key of `entries` that repeats an earlier one. `outer` (the collections
/// that hold the mapping) names the mapping in the message.
fn check_duplicates(
    entries: &[(Node<'_>, Node<'_>)],
    outer: &[Frame<'_>],
) -> Result<(), ReadError> {
    let Some(i) = first_duplicate(entries) else {
        return Ok(());
    };
    let key = &entries[i].0;
    let text = key_text(key);
    let first = entries
        .iter()
        .find(|(k, _)| key_text(k) == text)
        .map_or(key.mark, |(k, _)| k.mark);
    let mut path = String::new();
    for frame in outer {
        match &frame.open {
            Open::Seq(items) => path.push_str(&format!("[{}]", items.len())),
            Open::Map { key: Some(k), .. } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(&key_text(k));
            }
            Open::Map { key: None, .. } => {}
        }
    }
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(&text);
    Err(ReadError {
        mark: key.mark,
        message: format!(
            "duplicate key `{path}` (first given at line {})",
            first.line
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs(text: &str) -> Vec<Result<Document<'_>, ReadError>> {
        read_stream(text, &Limits::DEFAULT)
    }

    fn one(text: &str) -> Node<'_> {
        let mut all = docs(text);
        assert_eq!(all.len(), 1, "{all:?}");
        all.remove(0).unwrap().root
    }

    fn at(line: u32, column: u32, offset: u32) -> Mark {
        Mark {
            line,
            column,
            offset,
        }
    }

    #[test]
    fn keys_nested_in_keys_stay_small() {
        // A mapping whose key is a mapping whose key is a mapping...: the fuzzer found 528 bytes of
        // such flow keys that took minutes and gigabytes when each key was spelled as the JSON
        // text of the one inside it, escaped again at every level.
        let mut text = "v".to_owned();
        for _ in 0..40 {
            text = format!("{{{text}: x}}");
        }
        let root = one(&text);
        let json = root.to_json().to_string();
        assert!(json.len() < 200, "{} bytes: {json}", json.len());
        assert!(json.contains("mapping key at line 1 column 2"), "{json}");
    }

    #[test]
    fn values_and_positions_of_nested_nodes() {
        let root = one("a:\n  b: 1\n  c:\n    - x\n    - {d: 2}\n");
        assert_eq!(root.mark, at(1, 1, 0));
        let b = root.get_path(&["a", "b"]).unwrap();
        assert_eq!(b.mark, at(2, 6, 8));
        assert_eq!(b.as_i64(), Some(1));
        let c = root.get_path(&["a", "c"]).unwrap().as_seq().unwrap();
        assert_eq!(c[0].as_str(), Some("x"));
        assert_eq!(c[0].mark, at(4, 7, 21));
        assert_eq!(c[1].mark, at(5, 7, 29));
        let d = c[1].get("d").unwrap();
        assert_eq!(d.mark, at(5, 11, 33));
        let (key, _) = &root.get("a").unwrap().as_map().unwrap()[0];
        assert_eq!((key.as_str(), key.mark), (Some("b"), at(2, 3, 5)));
        assert!(root.get("zz").is_none());
        assert!(b.get("x").is_none());
    }

    #[test]
    fn columns_count_characters_and_offsets_count_bytes() {
        let root = one("é: ü\nk: [ä, v]\n");
        let k = root.get("k").unwrap().as_seq().unwrap();
        assert_eq!(k[1].mark, at(2, 8, 15));
        assert_eq!(root.get("é").unwrap().mark, at(1, 4, 4));
        // After a later position, an earlier one is still right.
        let texts = docs("ä: [1]\n---\nö: 2\n");
        assert_eq!(texts[1].as_ref().unwrap().root.mark, at(3, 1, 12));
    }

    #[test]
    fn multi_document_streams_keep_every_document() {
        let all = docs(
            "# Source: a.yaml\napiVersion: v1\nkind: A\n---\nkind: B\n---\n---\nkind: C\n...\n",
        );
        let kinds: Vec<_> = all
            .iter()
            .map(|d| d.as_ref().unwrap().root.get("kind").and_then(Node::as_str))
            .collect();
        assert_eq!(kinds, [Some("A"), Some("B"), None, Some("C")]);
        let empty = &all[2].as_ref().unwrap();
        assert!(empty.root.is_null());
        assert_eq!(empty.start.line, 6);
        assert_eq!(all[1].as_ref().unwrap().start, at(4, 1, 40));
        assert_eq!(all[1].as_ref().unwrap().root.mark, at(5, 1, 44));
    }

    #[test]
    fn no_document_at_all_gives_nothing_but_null_is_a_document() {
        assert!(docs("").is_empty());
        assert!(docs("# only a comment\n").is_empty());
        let null = one("null\n");
        assert!(null.is_null());
        assert_eq!(null.to_json(), serde_json::Value::Null);
    }

    #[test]
    fn bom_and_crlf() {
        let all = docs("\u{FEFF}a: 1\r\nb:\r\n  - x\r\n");
        let root = &all[0].as_ref().unwrap().root;
        assert_eq!(root.get("a").unwrap().mark, at(1, 4, 6));
        assert_eq!(
            root.get("b").unwrap().as_seq().unwrap()[0].mark,
            at(3, 5, 17)
        );
        let text = one("t: |\r\n  x\r\n  y\r\n")
            .get("t")
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(text, "x\ny\n");
    }

    #[test]
    fn json_text_is_read_as_yaml() {
        let root = one("{\"a\": [1, 2.5, \"x\", true, null], \"b\": {\"c\": \"\\u00e9\\/\"}}");
        assert_eq!(
            root.to_json(),
            serde_json::json!({"a": [1, 2.5, "x", true, null], "b": {"c": "é/"}})
        );
        assert_eq!(root.get_path(&["b", "c"]).unwrap().mark, at(1, 45, 44));
    }

    #[test]
    fn styles_and_tags() {
        let root = one("a: 'q'\nb: \"d\"\nc: |\n  l\nd: >\n  f\n  g\ne: !!str 1\nf: !local x\n");
        let style = |k: &str| root.get(k).unwrap().as_scalar().unwrap().style;
        assert_eq!(style("a"), ScalarStyle::SingleQuoted);
        assert_eq!(style("b"), ScalarStyle::DoubleQuoted);
        assert_eq!(style("c"), ScalarStyle::Literal);
        assert_eq!(style("d"), ScalarStyle::Folded);
        assert_eq!(root.get("d").unwrap().as_str(), Some("f g\n"));
        let e = root.get("e").unwrap();
        assert_eq!(e.as_scalar().unwrap().tag.as_deref(), Some("!!str"));
        assert!(e.is_string());
        assert_eq!(e.as_i64(), None);
        assert_eq!(e.to_json(), serde_json::json!("1"));
        let f = root.get("f").unwrap();
        assert_eq!(f.as_scalar().unwrap().tag.as_deref(), Some("!local"));
    }

    #[test]
    fn core_schema_resolution() {
        let root = one(concat!(
            "n1: \nn2: ~\nn3: Null\nn4: NULL\nq: 'null'\n",
            "t: True\nf: FALSE\ny: yes\noff: Off\nqt: \"true\"\n",
            "i1: -42\ni2: 0x1F\ni3: 0o17\ni4: +7\nbig: 9223372036854775808\n",
            "fl: 1.5e3\ninf: -.inf\nnan: .NaN\ns: 1.2.3\nh: 0x\ndot: .\n",
        ));
        let n = |k: &str| root.get(k).unwrap();
        for k in ["n1", "n2", "n3", "n4"] {
            assert!(n(k).is_null(), "{k}");
            assert!(!n(k).is_string(), "{k}");
        }
        assert!(!n("q").is_null() && n("q").is_string());
        assert_eq!(n("t").as_bool(), Some(true));
        assert_eq!(n("f").as_bool(), Some(false));
        assert_eq!(n("y").as_bool(), None);
        assert_eq!(n("y").yaml11_bool(), Some(true));
        assert!(n("y").is_string());
        assert_eq!(n("off").yaml11_bool(), Some(false));
        assert_eq!(n("qt").as_bool(), None);
        assert_eq!(n("qt").yaml11_bool(), None);
        assert_eq!(n("i1").as_i64(), Some(-42));
        assert_eq!(n("i2").as_i64(), Some(31));
        assert_eq!(n("i3").as_i64(), Some(15));
        assert_eq!(n("i4").as_i64(), Some(7));
        assert_eq!(n("big").as_i64(), None);
        assert!(!n("big").is_string());
        assert_eq!(n("big").to_json(), serde_json::json!("9223372036854775808"));
        assert_eq!(n("fl").to_json(), serde_json::json!(1500.0));
        assert!(!n("fl").is_string());
        assert_eq!(n("inf").to_json(), serde_json::json!("-.inf"));
        assert!(!n("nan").is_string());
        for k in ["s", "h", "dot"] {
            assert!(n(k).is_string(), "{k}");
        }
        assert!(!one("[1]").is_string());
    }

    #[test]
    fn to_json_keys_are_strings() {
        let root = one("1: a\ntrue: b\n~: c\n? [x, y]\n: d\n");
        assert_eq!(
            root.to_json(),
            serde_json::json!({"1": "a", "true": "b", "~": "c", "[sequence key at line 4 column 3]": "d"})
        );
    }

    #[test]
    fn a_duplicate_key_fails_its_document_at_the_repeated_key() {
        let all = docs("a: 1\nb:\n  c: 2\n  c: 3\n---\nok: 1\n");
        assert_eq!(all.len(), 2);
        let err = all[0].as_ref().unwrap_err();
        assert_eq!(err.mark, at(4, 3, 17));
        assert_eq!(err.message, "duplicate key `b.c` (first given at line 3)");
        assert!(all[1].is_ok());
        let err = docs("{a: {a: 1, b: 2}, b: 1, a: 3}")[0]
            .clone()
            .unwrap_err();
        assert_eq!((err.mark.line, err.mark.column), (1, 25));
        assert_eq!(err.message, "duplicate key `a` (first given at line 1)");
        let err = docs("l:\n  - x: 1\n  - y: 1\n    y: 2\n")[0]
            .clone()
            .unwrap_err();
        assert_eq!(
            err.message,
            "duplicate key `l[1].y` (first given at line 3)"
        );
        // Many keys take the hashed path.
        let mut text: String = (0..40).map(|i| format!("k{i}: {i}\n")).collect();
        text.push_str("k7: again\n");
        let err = docs(&text)[0].clone().unwrap_err();
        assert_eq!(
            (err.mark.line, err.message.as_str()),
            (41, "duplicate key `k7` (first given at line 8)")
        );
    }

    #[test]
    fn a_syntax_error_ends_the_stream() {
        let all = docs("a: 1\n---\nb: [1, 2\nc: 3\n---\nd: 4\n");
        assert_eq!(all.len(), 2, "{all:?}");
        assert!(all[0].is_ok());
        let err = all[1].as_ref().unwrap_err();
        assert!(err.mark.line >= 3, "{err:?}");
        assert!(!err.message.is_empty());
        let err = docs("a: b: c\n")[0].clone().unwrap_err();
        assert_eq!(err.mark.line, 1);
    }

    #[test]
    fn aliases_expand_into_the_tree() {
        let root = one("base: &b {x: 1, y: [2]}\ncopy: *b\n");
        let copy = root.get("copy").unwrap();
        assert_eq!(
            copy.get("y").unwrap().as_seq().unwrap()[0].as_i64(),
            Some(2)
        );
        assert_eq!(copy.mark, at(2, 7, 30));
        let err = docs("a: *nope\n");
        assert!(err[0].is_err());
    }

    #[test]
    fn an_alias_bomb_is_refused_fast_and_the_next_document_is_read() {
        // An anchored 5,000-item list repeated 9,000 times: 45 million nodes from 37 KB.
        let mut text = String::from("list: &l [");
        text.push_str(&"1,".repeat(4999));
        text.push_str("1]\nrepeat:\n");
        text.push_str(&"  - *l\n".repeat(9000));
        text.push_str("---\nnext: 1\n");
        let all = read_stream(&text, &Limits::DEFAULT);
        assert_eq!(all.len(), 2);
        let err = all[0].as_ref().unwrap_err();
        assert!(
            err.message.starts_with("more than 1000000 nodes"),
            "{err:?}"
        );
        assert!(err.mark.line > 3, "{err:?}");
        assert!(all[1].is_ok());
        // Under a small budget the count includes every expanded node.
        let small = Limits {
            max_depth: 10,
            max_nodes: 10,
        };
        assert!(read_stream("a: &a [1, 2]\nb: *a\n", &small)[0].is_ok());
        let err = read_stream("a: &a [1, 2]\nb: *a\nc: *a\n", &small)[0]
            .clone()
            .unwrap_err();
        assert_eq!(err.mark, at(3, 4, 22));
    }

    #[test]
    fn deep_nesting_is_refused_before_it_is_built() {
        let text = format!("a: é\nb: {}", "[".repeat(100_000));
        let all = docs(&text);
        assert_eq!(all.len(), 1);
        let err = all[0].as_ref().unwrap_err();
        assert!(err.message.starts_with("nesting deeper than"), "{err:?}");
        assert_eq!(err.mark.line, 2);
        let limits = Limits {
            max_depth: 3,
            max_nodes: 100,
        };
        assert!(read_stream("a: [[1]]\n", &limits)[0].is_ok());
        let err = read_stream("a: [[[1]]]\n---\nb: 1\n", &limits);
        assert_eq!(err[0].clone().unwrap_err().mark, at(1, 6, 5));
        assert!(err[1].is_ok());
        // An alias counts the depth of what it repeats.
        let err = read_stream("x: &x [[1]]\ny: [*x]\n", &limits)[0]
            .clone()
            .unwrap_err();
        assert_eq!(err.message, "nesting deeper than 3 levels");
        // Block nesting too.
        let deep: String = (0..200).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
        assert!(docs(&deep)[0].is_err());
    }

    /// Both readers on `text`: when the direct one reads it, the trees (values and marks) are
    /// the event parser's exactly. Returns whether the direct reader read it.
    fn same_as_events(text: &str) -> bool {
        let (body, skipped) = match text.strip_prefix('\u{FEFF}') {
            Some(rest) => (rest, 3),
            None => (text, 0),
        };
        let Some(fast) = subset::read(body, skipped, &Limits::DEFAULT) else {
            return false;
        };
        let fast: Vec<_> = fast.into_iter().map(Ok).collect();
        let events = read_events(body, skipped, &Limits::DEFAULT);
        assert_eq!(fast, events, "text: {text:?}");
        true
    }

    #[test]
    fn the_direct_reader_reads_manifests_as_the_event_parser_does() {
        let cases = [
            "a:\nb: 1\n",
            "# c\na: 1\n",
            "---\na: |\n  x\n  y\nc: >-\n  z\n",
            "- a\n-\n- - b\n  - c\n",
            "a:\n- x\n- y\nb:\n",
            "a:\n-\n- y\n",
            "a:\n- - x\n- {k: v}\n",
            "a:\n- k: 1\n  j: 2\n",
            "---\n---\n",
            "...\n",
            "a: 1\n...\n# x\n",
            "a: 1\n...\nb: 2\n",
            "x",
            "x\n",
            "a: |\n  x",
            "a: |\n",
            "a: |",
            "a: |\nb: 1\n",
            "a: >\n\n  x\n   y\n  z\n\n  w\n",
            "a: |+\n  x\n\n",
            "a: |-\n  x\n\n  y\n\n\nb: 1\n",
            "a: >+\n  x\n  y\n\n",
            "- |\n  x\n- >\n  y\n   z\n",
            "a: |\n  x\n    y\n   \n  z\n",
            "a: |\n  x\n  \n",
            "a: |\n  x\n     \n",
            "a: |  # c\n  x\n",
            "k: [a, {b: c}]\n",
            "k: [a, {b: c}, [], {}, 'q', \"d\"]\n",
            "k: [\n  a,\n  b,\n]\n",
            "  a: 1\n  b: 2\n",
            "a: b\n  c\n\n  d\n",
            "a: b # c\nd: e#f\n",
            "\"a\": 1\n'b': 2\n",
            "key:    \n  value\n",
            "a: # c\n  b: 1\n",
            "a:\n\n  # c\n\n  b\n",
            "a: 'it''s'\nb: \"x\\ty\\u00e9\\n\\\"\"\n",
            "a: \"x\n  y\n\n  z\"\n",
            "a: 'x\n  y\n\n  z'\n",
            "a: \"x \\\n  y\"\n",
            "a: \"x  \n  y\"\n",
            "a: \"\\  \n  y\"\n",
            "- \"x\n  y\"\n",
            "a: b: c\n",
            "a:\n  - b\n  -  c\n  -   d: 1\n      e: 2\n",
            "a: 1\r\nb:\r\n  - x\r\n  - |\r\n    l1\r\n    l2\r\nc: \"q\r\n  r\"\r\n",
            "é: ü\nk: [ä, v]\nl: |\n  ö\n  ß\n",
            "{\"a\": [1, 2.5, \"x\", true, null], \"b\": {\"c\": \"\\u00e9\\/\"}}",
            "{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n        {\n            \"k\": \"v\"\n        }\n    ]\n}\n",
            "{\"a\":1,\"b\":[]}",
            "[1, 2]\n",
            "- [1, 2]\n- {a: b}\n",
            "a: {b: c, d: [e, f]}\ng: h\n",
            "a: {b: }\n",
            "a: {b: c,\n  d: e}\n",
            "a: [b c, d]\n",
            "a: [b\n  c]\n",
            "url: http://x:80/y\nt: a:b\n",
            "- -1\n- :x\n- ?y\n",
            "a:\tb\n",
            "a: b\t\n",
            "a:\n\t- b\n",
            "- a\n - b\n",
            "a: 1\n a: 2\n",
            "a: 1\nb: 2\n  c: 3\n",
            "a:\n  b: 1\n c: 2\n",
            "a: [1, 2\nb: 3\n",
            "a: 'x\nb: 3\n",
            "a: \"x\\q\"\n",
            "a: 1\n---\nb: 2\n--- # c\nc: 3\n",
            "--- a\n",
            "--- |\n  x\n",
            "%YAML 1.2\n---\na: 1\n",
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "? a\n: b\n",
            "a: 1\n# c\n\n",
            "a:\n  b:\n    c:\n      d: 1\n  e: 2\n",
            "a: -\n",
            "a: - b\n",
            "- - - x\n    - y\n  - z\n",
            "key with spaces: value with spaces  \n",
            "a: 1 # c\n# d\nb: [x, # c\n  y]\n",
            "a: b\n  # c\n  d\n",
            "a: x\n---\n",
            "---\n# only\n",
            "a: |\n  x\n---\nb: 1\n",
            "a: >\n  x\n\n\n  y\n",
            "a: >-\n   lead\n  x\n",
            "a: |\n   \n  x\n",
            "a: |\n\n  x\n",
            "s: 'a''b'\nt: ''\nu: \"\"\n",
            "- \n- a\n",
            "a:   \n  - x\n",
            "a: [x]: y\n",
            "[a]: b\n",
            "a: [\"x\":1]\n",
            "a: [x,, y]\n",
            "a: {x, y}\n",
            "a: {x\n: y}\n",
            "a: }\n",
            "a: \"\\x41\\U0001F600\\N\\_\\L\\P\\0\\a\\b\\e\\f\\r\\v\\/\\ \"\n",
            "a: \"\\ud83d\"\n",
            "a:    # c\n  # d\n  b\n",
            "a:   \nb: 1\n",
            "a:   # c\nb: 1\n",
            "- # c\n- a\n",
            "a:\n-   \n- b\n",
            "a:\n- # c\n- b\n",
            // A quoted key with no space after its `:`: no entry in a block mapping.
            "k: v\n'':'x'\n",
            "'x': a- \n'':'x'",
            "a: 1\n\"q\":x\n",
            "'k':\n",
        ];
        let mut direct = 0;
        let mut wrong = Vec::new();
        for text in cases {
            match std::panic::catch_unwind(|| same_as_events(text)) {
                Ok(fast) => direct += usize::from(fast),
                Err(_) => wrong.push(text),
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
        // The common constructs all take the direct path.
        for text in [
            "a:\nb: 1\n",
            "---\na: |\n  x\n  y\nc: >-\n  z\n",
            "a:\n- x\n- y\nb:\n",
            "a: 1\r\nb:\r\n  - x\r\n  - |\r\n    l1\r\n    l2\r\nc: \"q\r\n  r\"\r\n",
            "{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n        {\n            \"k\": \"v\"\n        }\n    ]\n}\n",
            "é: ü\nk: [ä, v]\nl: |\n  ö\n  ß\n",
        ] {
            assert!(same_as_events(text), "{text:?}");
        }
        assert!(direct > 60, "{direct}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]
        #[test]
        fn the_direct_reader_agrees_with_the_event_parser_on_any_text(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "a", "b", "é", "1", "true", "~", ": ", ":", "- ", "-", "\n", "\r\n", "  ", " ",
                "\t", "#c", " #c", "'x'", "''", "\"y\"", "\"\\n\"", "\\", "[", "]", "{", "}", ",",
                "|", ">", "|-", ">+", "---\n", "...\n", "&a ", "*a", "!t ", "? ", "\"", "'",
            ]), 0..40)
        ) {
            same_as_events(&parts.concat());
        }
    }

    /// A tree to write as YAML in many ways, for the differential test below.
    #[derive(Clone, Debug)]
    enum Shape {
        Scalar(&'static str, u8),
        Seq(Vec<Shape>),
        Map(Vec<(&'static str, Shape)>),
    }

    fn shape() -> impl proptest::strategy::Strategy<Value = Shape> {
        use proptest::prelude::*;
        let texts = proptest::sample::select(vec![
            "x",
            "hello world",
            "1",
            "-2",
            "0x1F",
            "true",
            "no",
            "~",
            "",
            "a:b",
            "http://h:80/p",
            "é ü",
            "it's",
            "say \"hi\"",
            "tab\there",
            "line1\nline2",
            "p\n\nq\n",
            "  lead",
            "#not",
            "- x",
            "a: b",
            "[x]",
            "{y}",
            "trail ",
            "b\\s",
        ]);
        let leaf = (texts, 0u8..5).prop_map(|(t, style)| Shape::Scalar(t, style));
        let keys =
            proptest::sample::select(vec!["a", "b", "name", "app.kubernetes.io/name", "k 1", "é"]);
        leaf.prop_recursive(5, 48, 5, move |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..5).prop_map(Shape::Seq),
                proptest::collection::vec((keys.clone(), inner), 0..5).prop_map(|entries| {
                    let mut seen = std::collections::HashSet::new();
                    Shape::Map(
                        entries
                            .into_iter()
                            .filter(|(k, _)| seen.insert(*k))
                            .collect(),
                    )
                }),
            ]
        })
    }

    /// How to write a shape: indentation step, compact sequences under keys, the depth from
    /// which collections are written in flow style, and CRLF.
    #[derive(Clone, Copy, Debug)]
    struct Writing {
        step: usize,
        compact: bool,
        flow_from: usize,
    }

    fn plain_ok(t: &str) -> bool {
        !t.is_empty()
            && !t.contains(['\n', '\t', '#', ':', '"', '\'', '[', ']', '{', '}', ','])
            && !t.starts_with(['-', ' ', '~'])
            && !t.ends_with(' ')
            && !matches!(t, "true" | "no" | "1")
    }

    fn double_quoted(t: &str) -> String {
        let mut out = String::from("\"");
        for c in t.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                c => out.push(c),
            }
        }
        out.push('"');
        out
    }

    /// A scalar on the rest of a line (`indent` is that of its parent's line); block scalars
    /// take the following lines.
    fn inline_scalar(t: &str, style: u8, indent: usize, w: Writing, flow: bool, out: &mut String) {
        let block_ok = !flow
            && !t.is_empty()
            && !t.starts_with(' ')
            && !t.contains("\n\n\n")
            && !t.ends_with(' ')
            && !t.contains('\t');
        match style {
            0 if plain_ok(t) => out.push_str(t),
            1 if !t.contains(['\n', '\t']) => {
                out.push('\'');
                out.push_str(&t.replace('\'', "''"));
                out.push('\'');
            }
            3 | 4 if block_ok => {
                out.push_str(if style == 3 { "|" } else { ">" });
                let body = t.strip_suffix('\n');
                if body.is_none() {
                    out.push('-');
                }
                for line in body.unwrap_or(t).split('\n') {
                    out.push('\n');
                    if !line.is_empty() {
                        out.push_str(&" ".repeat(indent + w.step));
                        out.push_str(line);
                    }
                }
                if style == 4 && t.contains('\n') {
                    // Folded text would join the lines; the test only needs it to be read.
                }
            }
            _ => out.push_str(&double_quoted(t)),
        }
    }

    fn flow(shape: &Shape, w: Writing, out: &mut String) {
        match shape {
            Shape::Scalar(t, style) => inline_scalar(t, *style % 3, 0, w, true, out),
            Shape::Seq(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    flow(item, w, out);
                }
                out.push(']');
            }
            Shape::Map(entries) => {
                out.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(&double_quoted(k));
                    out.push_str(": ");
                    flow(v, w, out);
                }
                out.push('}');
            }
        }
    }

    fn key(k: &str) -> String {
        if plain_ok(k) && !k.contains(' ') {
            k.to_owned()
        } else {
            double_quoted(k)
        }
    }

    /// A block node whose lines start at `indent`; `out` is at the start of a line.
    fn block(shape: &Shape, indent: usize, depth: usize, w: Writing, out: &mut String) {
        let pad = " ".repeat(indent);
        let collection_flow = depth >= w.flow_from;
        match shape {
            Shape::Map(entries) if !entries.is_empty() && !collection_flow => {
                for (k, v) in entries {
                    out.push_str(&pad);
                    out.push_str(&key(k));
                    out.push(':');
                    after_indicator(v, indent, depth + 1, w, true, out);
                }
            }
            Shape::Seq(items) if !items.is_empty() && !collection_flow => {
                for item in items {
                    out.push_str(&pad);
                    out.push('-');
                    after_indicator(item, indent, depth + 1, w, false, out);
                }
            }
            Shape::Scalar(t, style) => {
                out.push_str(&pad);
                inline_scalar(t, *style % 3, indent, w, false, out);
                out.push('\n');
            }
            _ => {
                out.push_str(&pad);
                flow(shape, w, out);
                out.push('\n');
            }
        }
    }

    /// The rest of a line after `key:` or `-` at `indent`, and the lines of the value.
    fn after_indicator(
        v: &Shape,
        indent: usize,
        depth: usize,
        w: Writing,
        in_map: bool,
        out: &mut String,
    ) {
        match v {
            Shape::Scalar(t, style) => {
                out.push(' ');
                inline_scalar(t, *style, indent, w, false, out);
                out.push('\n');
            }
            Shape::Seq(items) if !items.is_empty() && depth < w.flow_from => {
                if in_map {
                    out.push('\n');
                    let inner = if w.compact { indent } else { indent + w.step };
                    block(v, inner, depth, w, out);
                } else {
                    let mut inner = String::new();
                    block(v, indent + 2, depth, w, &mut inner);
                    out.push(' ');
                    out.push_str(&inner[indent + 2..]);
                }
            }
            Shape::Map(entries) if !entries.is_empty() && depth < w.flow_from => {
                if in_map {
                    out.push('\n');
                    block(v, indent + w.step, depth, w, out);
                } else {
                    let mut inner = String::new();
                    block(v, indent + 2, depth, w, &mut inner);
                    out.push(' ');
                    out.push_str(&inner[indent + 2..]);
                }
            }
            _ => {
                out.push(' ');
                flow(v, w, out);
                out.push('\n');
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1500))]
        #[test]
        fn written_trees_are_read_directly_and_as_the_event_parser_reads_them(
            docs in proptest::collection::vec(shape(), 1..3),
            step in 1usize..5,
            compact in proptest::bool::ANY,
            flow_from in 1usize..8,
            crlf in proptest::bool::ANY,
            comments in proptest::bool::ANY,
        ) {
            let w = Writing { step, compact, flow_from };
            let mut text = String::new();
            for (i, doc) in docs.iter().enumerate() {
                if i > 0 || comments {
                    text.push_str("---\n");
                }
                if comments {
                    text.push_str("# Source: chart/templates/x.yaml\n");
                }
                block(doc, 0, 0, w, &mut text);
            }
            if crlf {
                text = text.replace('\n', "\r\n");
            }
            let direct = same_as_events(&text);
            // Whole documents that are one block scalar are left to the event parser.
            let root_block_scalar = docs.iter().any(|d| matches!(d, Shape::Scalar(..)));
            proptest::prop_assert!(direct || root_block_scalar, "not read directly: {text:?}");
        }
    }
}
