//! A direct reader for the YAML that Kubernetes tools write, fast enough for `scan`.
//!
//! The general event parser reads about 8 MB/s in the size-optimised release build; manifests
//! need tens of times that. Almost every manifest uses a small part of YAML: block mappings and
//! sequences, plain, quoted and block scalars, flow collections (JSON), comments and document
//! markers. This module reads exactly that part straight into [`Node`]s, in one pass over the
//! bytes, and gives up (returns `None`) on anything else: anchors, aliases, tags, directives,
//! complex keys, tabs used as indentation, explicit indentation indicators, a repeated key, an
//! exceeded limit, and every syntax error. The caller then reads the whole text again with the
//! event parser, which owns every error message and the rest of YAML, so both paths give the same
//! tree; a differential test holds them to it.

use std::borrow::Cow;

use super::{Document, Limits, Mark, Node, Scalar, ScalarStyle, Value};

/// The text uses something this reader leaves to the event parser.
struct Unsupported;

type R<T> = Result<T, Unsupported>;

/// Recursion is bounded here whatever the limits say: deeper text goes to the event parser,
/// which keeps its own stack on the heap.
const MAX_RECURSION: usize = 512;

/// Longest implicit key YAML allows.
const MAX_KEY_BYTES: usize = 1024;

/// Every document of `text` (the stream without its BOM; `base` is the BOM's length, added to
/// byte offsets), or `None` when the event parser must read it.
pub(super) fn read<'t>(text: &'t str, base: usize, limits: &Limits) -> Option<Vec<Document<'t>>> {
    if !plain_bytes(text.as_bytes()) {
        return None;
    }
    let mut reader = Reader {
        s: text.as_bytes(),
        text,
        pos: 0,
        line: 1,
        line_start: 0,
        base,
        ascii: text.is_ascii(),
        column_cache: std::cell::Cell::new((usize::MAX, 0, 0)),
        nodes: 0,
        depth: 0,
        max_depth: limits.max_depth.min(MAX_RECURSION),
        max_nodes: limits.max_nodes,
        // Deep enough for a pod spec without growing.
        pairs: Vec::with_capacity(64),
        items: Vec::with_capacity(64),
    };
    reader.stream().ok()
}

/// No control characters but tab and line breaks, and every CR followed by LF: the event parser
/// has its own rules for the rest. Eight bytes at a time, without a branch per byte: this runs
/// over every byte read.
fn plain_bytes(s: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // The high bit of each byte that is zero (exact per byte: no carry crosses bytes).
    let zero = |w: u64| !(((w & LOW) + LOW) | w) & HIGH;
    let mut chunks = s.chunks_exact(8);
    for chunk in &mut chunks {
        let w = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        // The high bit of each byte below 0x20.
        let control = !(((w & LOW) + ONES * 0x60) | w) & HIGH;
        let allowed = zero(w ^ (ONES * 0x09)) | zero(w ^ (ONES * 0x0A)) | zero(w ^ (ONES * 0x0D));
        if control & !allowed != 0 || zero(w ^ (ONES * 0x7F)) != 0 {
            return false;
        }
    }
    if !chunks.remainder().iter().all(|&b| allowed(b) && b != 0x7F) {
        return false;
    }
    memchr::memchr_iter(b'\r', s).all(|i| s.get(i + 1) == Some(&b'\n'))
}

fn allowed(b: u8) -> bool {
    b >= 0x20 || b == b'\t' || b == b'\n' || b == b'\r'
}

#[inline(always)]
fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

#[inline(always)]
fn is_flow_indicator(b: u8) -> bool {
    matches!(b, b',' | b'[' | b']' | b'{' | b'}')
}

/// Bytes that end a run of ordinary plain-scalar text in block context.
const BLOCK_STOPS: [bool; 256] = stops(b"\n\r \t:");
/// The same in flow context, where flow indicators end a plain scalar.
const FLOW_STOPS: [bool; 256] = stops(b"\n\r \t:,[]{}");

const fn stops(bytes: &[u8]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut i = 0;
    while i < bytes.len() {
        table[bytes[i] as usize] = true;
        i += 1;
    }
    table
}

/// How a plain scalar's first line ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Stop {
    /// At the line break or the end of the text.
    Eol,
    /// At a comment (`pos` of the scan result is where the blanks before `#` start).
    Comment,
    /// At a `:` that makes the text a mapping key.
    Colon,
    /// At a flow indicator (flow context only).
    Flow,
}

/// The entries of `stack` from `base` on, moved into a vector of their own of the right size in
/// one copy (a `drain` and `collect` moves them one by one). `split_off(0)` would hand over the
/// whole stack with its capacity instead, and leave the stack to grow again.
fn take_top<T>(stack: &mut Vec<T>, base: usize) -> Vec<T> {
    if base == 0 {
        let mut top = Vec::with_capacity(stack.len());
        top.append(stack);
        top
    } else {
        stack.split_off(base)
    }
}

struct Reader<'t> {
    s: &'t [u8],
    text: &'t str,
    pos: usize,
    line: u32,
    line_start: usize,
    base: usize,
    ascii: bool,
    /// Line start, position and its column in characters of the last mark (non-ASCII text).
    column_cache: std::cell::Cell<(usize, usize, usize)>,
    nodes: usize,
    depth: usize,
    max_depth: usize,
    max_nodes: usize,
    /// Entries of the mappings being read, innermost last: each mapping takes its own off the
    /// top into a vector of the right size, so that no vector grows entry by entry.
    pairs: Vec<(Node<'t>, Node<'t>)>,
    /// The same for the items of sequences.
    items: Vec<Node<'t>>,
}

impl<'t> Reader<'t> {
    #[inline(always)]
    fn at(&self, i: usize) -> u8 {
        self.s.get(i).copied().unwrap_or(0)
    }

    #[inline(always)]
    fn cur(&self) -> u8 {
        self.at(self.pos)
    }

    #[inline(always)]
    fn eof(&self) -> bool {
        self.pos >= self.s.len()
    }

    #[inline(always)]
    fn is_eol_at(&self, i: usize) -> bool {
        i >= self.s.len() || self.s[i] == b'\n' || self.s[i] == b'\r'
    }

    /// Blank, line break or end of text.
    #[inline(always)]
    fn is_space_at(&self, i: usize) -> bool {
        self.is_eol_at(i) || is_blank(self.s[i])
    }

    #[inline]
    fn mark(&self, pos: usize) -> Mark {
        let column = if self.ascii {
            pos - self.line_start
        } else {
            // Characters from the line start, counted on from the last mark of the same line
            // so that a long line is walked once.
            let (line_start, from, chars) = self.column_cache.get();
            let (from, chars) = if line_start == self.line_start && from <= pos {
                (from, chars)
            } else {
                (self.line_start, 0)
            };
            let chars = chars
                + self.s[from..pos]
                    .iter()
                    .filter(|&&b| b & 0xC0 != 0x80)
                    .count();
            self.column_cache.set((self.line_start, pos, chars));
            chars
        };
        Mark {
            line: self.line,
            column: u32::try_from(column + 1).unwrap_or(u32::MAX),
            offset: u32::try_from(pos + self.base).unwrap_or(u32::MAX),
        }
    }

    #[inline(always)]
    fn count(&mut self) -> R<()> {
        self.nodes += 1;
        if self.nodes > self.max_nodes {
            return Err(Unsupported);
        }
        Ok(())
    }

    #[inline]
    fn enter(&mut self) -> R<()> {
        self.depth += 1;
        if self.depth > self.max_depth {
            return Err(Unsupported);
        }
        Ok(())
    }

    #[inline]
    fn scalar(&mut self, text: Cow<'t, str>, style: ScalarStyle, mark: Mark) -> R<Node<'t>> {
        self.count()?;
        Ok(Node {
            value: Value::Scalar(Scalar {
                text,
                style,
                tag: None,
            }),
            mark,
        })
    }

    fn null(&mut self, mark: Mark) -> R<Node<'t>> {
        self.scalar(Cow::Borrowed(""), ScalarStyle::Plain, mark)
    }

    /// Consumes the line break at `pos` (which must be at one, or at the end).
    #[inline(always)]
    fn eat_newline(&mut self) {
        if self.cur() == b'\r' {
            self.pos += 1;
        }
        if self.cur() == b'\n' {
            self.pos += 1;
            self.line += 1;
            self.line_start = self.pos;
        }
    }

    #[inline]
    fn to_eol(&self, from: usize) -> usize {
        match memchr::memchr(b'\n', &self.s[from..]) {
            Some(i) if i > 0 && self.s[from + i - 1] == b'\r' => from + i - 1,
            Some(i) => from + i,
            None => self.s.len(),
        }
    }

    /// After a node on the current line: blanks, an optional comment, then the line break.
    #[inline]
    fn end_of_line(&mut self) -> R<()> {
        let start = self.pos;
        while is_blank(self.cur()) {
            self.pos += 1;
        }
        if self.cur() == b'#' {
            if self.pos == start && self.pos != self.line_start {
                return Err(Unsupported);
            }
            self.pos = self.to_eol(self.pos);
        }
        if !self.is_eol_at(self.pos) {
            return Err(Unsupported);
        }
        self.eat_newline();
        Ok(())
    }

    /// Skips blank and comment lines from a place where only spaces precede `pos` on its line.
    /// Leaves `pos` at the first content of the next content line and returns its indentation,
    /// or `None` at the end of the text.
    fn skip_blank_lines(&mut self) -> R<Option<usize>> {
        loop {
            while self.cur() == b' ' {
                self.pos += 1;
            }
            let indent = self.pos - self.line_start;
            match self.cur() {
                _ if self.eof() => return Ok(None),
                b'\n' | b'\r' => self.eat_newline(),
                b'#' => {
                    self.pos = self.to_eol(self.pos);
                    self.eat_newline();
                }
                b'\t' => {
                    // Tabs are fine on a blank or comment line, never as indentation.
                    let mut i = self.pos;
                    while is_blank(self.at(i)) {
                        i += 1;
                    }
                    if self.is_eol_at(i) || self.at(i) == b'#' {
                        self.pos = self.to_eol(i);
                        self.eat_newline();
                    } else {
                        return Err(Unsupported);
                    }
                }
                _ => return Ok(Some(indent)),
            }
        }
    }

    /// A `---` or `...` at the start of a line, followed by a blank, a line break or the end.
    fn at_marker(&self) -> Option<u8> {
        if self.pos != self.line_start {
            return None;
        }
        let c = self.cur();
        if (c == b'-' || c == b'.')
            && self.at(self.pos + 1) == c
            && self.at(self.pos + 2) == c
            && self.is_space_at(self.pos + 3)
        {
            Some(c)
        } else {
            None
        }
    }

    fn stream(&mut self) -> R<Vec<Document<'t>>> {
        let mut docs = Vec::new();
        loop {
            if self.skip_blank_lines()?.is_none() {
                return Ok(docs);
            }
            if self.pos == self.line_start && self.cur() == b'%' {
                return Err(Unsupported);
            }
            self.nodes = 0;
            self.depth = 0;
            let start = self.mark(self.pos);
            match self.at_marker() {
                Some(b'.') => {
                    self.pos += 3;
                    self.end_of_line()?;
                    continue;
                }
                Some(_) => {
                    self.pos += 3;
                    self.end_of_line()?;
                    let next = self.skip_blank_lines()?;
                    if next.is_none() || self.at_marker().is_some() {
                        let at = if self.eof() && self.pos > self.line_start {
                            // The event parser ends an unfinished last line before the end.
                            Mark {
                                line: self.line + 1,
                                column: 1,
                                offset: u32::try_from(self.pos + self.base).unwrap_or(u32::MAX),
                            }
                        } else {
                            self.mark(self.pos)
                        };
                        let root = self.null(at)?;
                        docs.push(Document { root, start });
                        continue;
                    }
                }
                None => {}
            }
            let root = self.block_node(-1)?;
            docs.push(Document { root, start });
            if self.skip_blank_lines()?.is_some() {
                match self.at_marker() {
                    Some(b'.') => {
                        self.pos += 3;
                        self.end_of_line()?;
                    }
                    Some(_) => {}
                    None => return Err(Unsupported),
                }
            }
        }
    }

    /// A node in block context starting at `pos`, inside a block node indented `parent`.
    fn block_node(&mut self, parent: isize) -> R<Node<'t>> {
        let col = self.pos - self.line_start;
        let c = self.cur();
        match c {
            b'-' if self.is_space_at(self.pos + 1) => self.block_seq(col, false),
            b'[' | b'{' => {
                let node = self.flow_collection(parent)?;
                self.end_of_line()?;
                Ok(node)
            }
            b'|' | b'>' => self.block_scalar(parent),
            b'"' | b'\'' => {
                let save = (self.pos, self.line, self.line_start);
                let (text, mark) = self.quoted(parent)?;
                let mut i = self.pos;
                while is_blank(self.at(i)) {
                    i += 1;
                }
                if self.at(i) == b':' && self.is_space_at(i + 1) {
                    if self.line != save.1 {
                        return Err(Unsupported);
                    }
                    (self.pos, self.line, self.line_start) = save;
                    return self.block_map(col);
                }
                let node = self.scalar(text, quote_style(c), mark)?;
                self.end_of_line()?;
                Ok(node)
            }
            _ if self.plain_may_start() => {
                let (end, stop) = self.scan_plain_line(self.pos, false);
                if stop == Stop::Colon {
                    self.block_map(col)
                } else {
                    self.plain_block(parent, end, stop)
                }
            }
            _ => Err(Unsupported),
        }
    }

    /// Whether a plain scalar may start at `pos` (what this reader accepts of the rule).
    #[inline]
    fn plain_may_start(&self) -> bool {
        match self.cur() {
            b'-' | b'?' | b':' => !self.is_space_at(self.pos + 1),
            b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\'' | b'"' | b'%' | b'@' | b'`' => false,
            c => !is_flow_indicator(c) && !is_blank(c) && !self.is_eol_at(self.pos),
        }
    }

    /// Scans one line of a plain scalar from `from`. Returns where its text ends (trailing
    /// blanks excluded) and why it stopped.
    fn scan_plain_line(&self, from: usize, flow: bool) -> (usize, Stop) {
        let s = self.s;
        let stops = if flow { &FLOW_STOPS } else { &BLOCK_STOPS };
        let mut i = from;
        let mut end = from;
        loop {
            // Ordinary text (never blanks), at one table lookup a byte.
            let run = i;
            while let Some(&b) = s.get(i) {
                if stops[usize::from(b)] {
                    break;
                }
                i += 1;
            }
            if i > run {
                end = i;
            }
            let Some(&b) = s.get(i) else {
                return (end, Stop::Eol);
            };
            match b {
                b'\n' | b'\r' => return (end, Stop::Eol),
                b' ' | b'\t' => {
                    if s.get(i + 1) == Some(&b'#') {
                        return (end, Stop::Comment);
                    }
                    i += 1;
                    continue;
                }
                b':' => {
                    let next = self.at(i + 1);
                    if self.is_space_at(i + 1) || (flow && is_flow_indicator(next)) {
                        return (end, Stop::Colon);
                    }
                }
                _ => return (end, Stop::Flow),
            }
            i += 1;
            end = i;
        }
    }

    /// A plain scalar in block context whose first line ends at `end` (stopped by `stop`); it may
    /// go on over lines indented more than `parent`.
    fn plain_block(&mut self, parent: isize, end: usize, stop: Stop) -> R<Node<'t>> {
        let mark = self.mark(self.pos);
        let first = &self.text[self.pos..end];
        self.pos = end;
        if stop == Stop::Comment {
            self.end_of_line()?;
            return self.scalar(Cow::Borrowed(first), ScalarStyle::Plain, mark);
        }
        self.pos = self.to_eol(self.pos);
        self.eat_newline();
        let mut text = Cow::Borrowed(first);
        loop {
            let save = (self.pos, self.line, self.line_start);
            let mut empty = 0;
            let indent = loop {
                while self.cur() == b' ' {
                    self.pos += 1;
                }
                if self.is_eol_at(self.pos) && !self.eof() {
                    empty += 1;
                    self.eat_newline();
                    continue;
                }
                break self.pos - self.line_start;
            };
            let c = self.cur();
            let ends = self.eof()
                || (indent as isize) <= parent
                || c == b'#'
                || (indent == 0 && self.at_marker_at_line_start());
            if ends {
                (self.pos, self.line, self.line_start) = save;
                break;
            }
            if c == b'\t' || !self.plain_may_start() {
                return Err(Unsupported);
            }
            let (line_end, stop) = self.scan_plain_line(self.pos, false);
            if stop == Stop::Colon {
                return Err(Unsupported);
            }
            let t = text.to_mut();
            if empty == 0 {
                t.push(' ');
            } else {
                t.extend(std::iter::repeat_n('\n', empty));
            }
            t.push_str(&self.text[self.pos..line_end]);
            self.pos = line_end;
            if stop == Stop::Comment {
                self.end_of_line()?;
                break;
            }
            self.pos = self.to_eol(self.pos);
            self.eat_newline();
        }
        self.scalar(text, ScalarStyle::Plain, mark)
    }

    fn at_marker_at_line_start(&self) -> bool {
        let i = self.line_start;
        let c = self.at(i);
        (c == b'-' || c == b'.')
            && self.at(i + 1) == c
            && self.at(i + 2) == c
            && self.is_space_at(i + 3)
    }

    /// A block mapping whose keys are at column `indent`; `pos` is at its first key.
    fn block_map(&mut self, indent: usize) -> R<Node<'t>> {
        self.enter()?;
        self.count()?;
        let mark = self.mark(self.pos);
        let base = self.pairs.len();
        loop {
            let key = self.block_key()?;
            // `pos` is just after the `:`.
            let colon = self.mark(self.pos - 1);
            let value = self.block_value(indent, colon)?;
            self.pairs.push((key, value));
            match self.skip_blank_lines()? {
                None => break,
                Some(i) if i < indent => break,
                Some(i) if i > indent => return Err(Unsupported),
                Some(_) => {
                    if self.at_marker().is_some() {
                        break;
                    }
                    if self.cur() == b'-' && self.is_space_at(self.pos + 1) {
                        return Err(Unsupported);
                    }
                }
            }
        }
        if super::first_duplicate(&self.pairs[base..]).is_some() {
            return Err(Unsupported);
        }
        let entries = take_top(&mut self.pairs, base);
        self.depth -= 1;
        Ok(Node {
            value: Value::Map(entries),
            mark,
        })
    }

    /// A single-line key and its `:`.
    fn block_key(&mut self) -> R<Node<'t>> {
        let start = self.pos;
        let line = self.line;
        let node = match self.cur() {
            c @ (b'"' | b'\'') => {
                let (text, mark) = self.quoted(-1)?;
                let style = if c == b'"' {
                    ScalarStyle::DoubleQuoted
                } else {
                    ScalarStyle::SingleQuoted
                };
                while is_blank(self.cur()) {
                    self.pos += 1;
                }
                self.scalar(text, style, mark)?
            }
            _ if self.plain_may_start() => {
                let (end, stop) = self.scan_plain_line(self.pos, false);
                if stop != Stop::Colon {
                    return Err(Unsupported);
                }
                let mark = self.mark(self.pos);
                let text = &self.text[self.pos..end];
                self.pos = end;
                while is_blank(self.cur()) {
                    self.pos += 1;
                }
                self.scalar(Cow::Borrowed(text), ScalarStyle::Plain, mark)?
            }
            _ => return Err(Unsupported),
        };
        // In a block mapping the `:` must be followed by a space or the line's end, after a
        // quoted key too (`'k':v` is no entry there; the event parser says what it is).
        if self.line != line
            || self.cur() != b':'
            || !self.is_space_at(self.pos + 1)
            || self.pos - start > MAX_KEY_BYTES
        {
            return Err(Unsupported);
        }
        self.pos += 1;
        Ok(node)
    }

    /// The value after a block mapping key whose `:` is at `colon`, the keys at `indent`.
    fn block_value(&mut self, indent: usize, colon: Mark) -> R<Node<'t>> {
        let parent = indent as isize;
        while self.cur() == b' ' {
            self.pos += 1;
        }
        let c = self.cur();
        if self.is_eol_at(self.pos) || c == b'#' {
            if c == b'#' && self.s[self.pos - 1] != b' ' {
                return Err(Unsupported);
            }
            self.end_of_line()?;
            return match self.skip_blank_lines()? {
                Some(i) if i > indent && self.at_marker().is_none() => self.block_node(parent),
                Some(i) if i == indent && self.cur() == b'-' && self.is_space_at(self.pos + 1) => {
                    self.block_seq(indent, true)
                }
                _ => self.null(colon),
            };
        }
        match c {
            b'\t' => Err(Unsupported),
            b'-' if self.is_space_at(self.pos + 1) => Err(Unsupported),
            b'[' | b'{' => {
                let node = self.flow_collection(parent)?;
                self.end_of_line()?;
                Ok(node)
            }
            b'|' | b'>' => self.block_scalar(parent),
            b'"' | b'\'' => {
                let (text, mark) = self.quoted(parent)?;
                let node = self.scalar(text, quote_style(c), mark)?;
                self.end_of_line()?;
                Ok(node)
            }
            _ if self.plain_may_start() => {
                let (end, stop) = self.scan_plain_line(self.pos, false);
                if stop == Stop::Colon {
                    return Err(Unsupported);
                }
                self.plain_block(parent, end, stop)
            }
            _ => Err(Unsupported),
        }
    }

    /// A block sequence whose `-` are at column `indent`; `pos` is at the first `-`. `compact`
    /// when it is a mapping value at the mapping's own indentation.
    fn block_seq(&mut self, indent: usize, compact: bool) -> R<Node<'t>> {
        self.enter()?;
        self.count()?;
        let mut mark = self.mark(self.pos);
        let base = self.items.len();
        loop {
            // At a `-`.
            self.pos += 1;
            while self.cur() == b' ' {
                self.pos += 1;
            }
            let c = self.cur();
            if compact && self.items.len() == base {
                // The event parser starts such a sequence at the first token after its `-`.
                mark = self.mark(self.pos);
            }
            let item = if self.is_eol_at(self.pos) || c == b'#' {
                if c == b'#' && self.s[self.pos - 1] != b' ' {
                    return Err(Unsupported);
                }
                // An empty item is where the blanks after its `-` end.
                let empty_at = self.mark(self.pos);
                self.end_of_line()?;
                match self.skip_blank_lines()? {
                    Some(i) if i > indent && self.at_marker().is_none() => {
                        if compact && self.items.len() == base {
                            mark = self.mark(self.pos);
                        }
                        self.block_node(indent as isize)?
                    }
                    _ => self.null(empty_at)?,
                }
            } else if c == b'\t' {
                return Err(Unsupported);
            } else {
                self.block_node(indent as isize)?
            };
            self.items.push(item);
            match self.skip_blank_lines()? {
                None => break,
                Some(i) if i < indent => break,
                Some(i) if i > indent => return Err(Unsupported),
                Some(_) => {
                    if self.at_marker().is_some()
                        || !(self.cur() == b'-' && self.is_space_at(self.pos + 1))
                    {
                        break;
                    }
                }
            }
        }
        let items = take_top(&mut self.items, base);
        self.depth -= 1;
        Ok(Node {
            value: Value::Seq(items),
            mark,
        })
    }

    /// A literal (`|`) or folded (`>`) scalar whose header is at `pos`, inside a block node
    /// indented `parent`.
    fn block_scalar(&mut self, parent: isize) -> R<Node<'t>> {
        if parent < 0 {
            // A whole document that is one block scalar: rare, and the event parser starts such
            // a document at the content rather than at the header.
            return Err(Unsupported);
        }
        let folded = self.cur() == b'>';
        self.pos += 1;
        let mut chomp = b' ';
        if matches!(self.cur(), b'-' | b'+') {
            chomp = self.cur();
            self.pos += 1;
        }
        if self.cur().is_ascii_digit() {
            return Err(Unsupported);
        }
        if !self.is_space_at(self.pos) {
            return Err(Unsupported);
        }
        self.end_of_line()?;
        let style = if folded {
            ScalarStyle::Folded
        } else {
            ScalarStyle::Literal
        };
        // The content's indentation: that of the first non-empty line.
        let mut i = self.pos;
        let mut most_spaces = 0;
        let content = loop {
            let line = i;
            while self.at(i) == b' ' {
                i += 1;
            }
            if i >= self.s.len() {
                break None;
            }
            match self.s[i] {
                b'\n' | b'\r' => {
                    most_spaces = most_spaces.max(i - line);
                    i = self.to_eol(i);
                    i += if self.s[i] == b'\r' { 2 } else { 1 };
                }
                b'\t' => return Err(Unsupported),
                _ => break Some(i - line),
            }
        };
        let indent = match content {
            Some(n) if n as isize > parent && n > 0 => n,
            // An empty block scalar: rare, and the event parser places it its own way.
            _ => return Err(Unsupported),
        };
        if most_spaces > indent {
            return Err(Unsupported);
        }
        let mut lines: Vec<Option<&'t str>> = Vec::new();
        let mut mark = Mark::default();
        let mut seen_text = false;
        loop {
            let line = self.pos;
            let mut j = line;
            while j < line + indent && self.at(j) == b' ' {
                j += 1;
            }
            if self.is_eol_at(j) {
                if j >= self.s.len() {
                    self.pos = j;
                    break;
                }
                lines.push(None);
                self.pos = j;
                self.eat_newline();
                continue;
            }
            if j < line + indent {
                self.pos = line;
                break;
            }
            let eol = self.to_eol(j);
            if !seen_text {
                seen_text = true;
                mark = self.mark(j);
            }
            lines.push(Some(&self.text[j..eol]));
            self.pos = eol;
            self.eat_newline();
            if self.eof() {
                break;
            }
        }
        let trailing = lines.iter().rev().take_while(|l| l.is_none()).count();
        let body = &lines[..lines.len() - trailing];
        let mut text = String::new();
        if folded {
            let mut previous_more: Option<bool> = None;
            let mut empty = 0;
            for line in body {
                let Some(t) = line else {
                    empty += 1;
                    continue;
                };
                let more = t.starts_with([' ', '\t']);
                match previous_more {
                    None => text.extend(std::iter::repeat_n('\n', empty)),
                    Some(false) if !more && empty == 0 => text.push(' '),
                    Some(false) if !more => text.extend(std::iter::repeat_n('\n', empty)),
                    Some(_) => text.extend(std::iter::repeat_n('\n', empty + 1)),
                }
                text.push_str(t);
                previous_more = Some(more);
                empty = 0;
            }
        } else {
            for (n, line) in body.iter().enumerate() {
                if n > 0 {
                    text.push('\n');
                }
                text.push_str(line.unwrap_or(""));
            }
        }
        match chomp {
            b'-' => {}
            b'+' => text.extend(std::iter::repeat_n('\n', trailing + 1)),
            _ => text.push('\n'),
        }
        self.scalar(Cow::Owned(text), style, mark)
    }

    /// A quoted scalar at `pos`; continuation lines must be indented more than `parent`.
    fn quoted(&mut self, parent: isize) -> R<(Cow<'t, str>, Mark)> {
        let mark = self.mark(self.pos);
        let quote = self.cur();
        self.pos += 1;
        let start = self.pos;
        let rest = &self.s[start..];
        let stop = if quote == b'"' {
            memchr::memchr3(b'"', b'\\', b'\n', rest)
        } else {
            memchr::memchr2(b'\'', b'\n', rest)
        };
        let Some(stop) = stop else {
            return Err(Unsupported);
        };
        let stop = start + stop;
        if self.s[stop] == quote && (quote == b'"' || self.at(stop + 1) != b'\'') {
            self.pos = stop + 1;
            return Ok((Cow::Borrowed(&self.text[start..stop]), mark));
        }
        let mut out = String::new();
        // Escaped characters at the end of `out` are kept when a line break trims blanks.
        let mut keep = 0;
        loop {
            let rest = &self.s[self.pos..];
            let found = if quote == b'"' {
                memchr::memchr3(b'"', b'\\', b'\n', rest)
            } else {
                memchr::memchr2(b'\'', b'\n', rest)
            };
            let Some(found) = found else {
                return Err(Unsupported);
            };
            let j = self.pos + found;
            let mut piece_end = j;
            if self.s[j] == b'\n' && j > self.pos && self.s[j - 1] == b'\r' {
                piece_end -= 1;
            }
            out.push_str(&self.text[self.pos..piece_end]);
            self.pos = j;
            match self.s[j] {
                b'\'' if quote == b'\'' => {
                    if self.at(j + 1) == b'\'' {
                        out.push('\'');
                        keep = out.len();
                        self.pos = j + 2;
                    } else {
                        self.pos = j + 1;
                        return Ok((Cow::Owned(out), mark));
                    }
                }
                b'"' => {
                    self.pos = j + 1;
                    return Ok((Cow::Owned(out), mark));
                }
                b'\\' => {
                    self.pos = j + 1;
                    if self.is_eol_at(self.pos) {
                        if self.eof() {
                            return Err(Unsupported);
                        }
                        self.eat_newline();
                        self.quoted_line_start(parent)?;
                        keep = out.len();
                    } else {
                        self.escape(&mut out)?;
                        keep = out.len();
                    }
                }
                _ => {
                    // A line break folds: blanks before it go, then one space or the empty lines.
                    let trimmed = out.trim_end_matches([' ', '\t']).len().max(keep);
                    out.truncate(trimmed);
                    self.pos = piece_end;
                    self.eat_newline();
                    let mut empty = 0;
                    loop {
                        let mut i = self.pos;
                        while is_blank(self.at(i)) {
                            i += 1;
                        }
                        if self.is_eol_at(i) && i < self.s.len() {
                            self.pos = i;
                            self.eat_newline();
                            empty += 1;
                        } else {
                            break;
                        }
                    }
                    self.quoted_line_start(parent)?;
                    if empty == 0 {
                        out.push(' ');
                    } else {
                        out.extend(std::iter::repeat_n('\n', empty));
                    }
                    keep = keep.min(out.len());
                }
            }
        }
    }

    /// At the start of a quoted scalar's continuation line: checks its indentation and skips the
    /// blanks before the text.
    fn quoted_line_start(&mut self, parent: isize) -> R<()> {
        if self.eof() || self.at_marker().is_some() {
            return Err(Unsupported);
        }
        while self.cur() == b' ' {
            self.pos += 1;
        }
        let indent = self.pos - self.line_start;
        if (indent as isize) <= parent {
            return Err(Unsupported);
        }
        while is_blank(self.cur()) {
            self.pos += 1;
        }
        Ok(())
    }

    /// The escape sequence after a `\` (at `pos`), appended to `out`.
    fn escape(&mut self, out: &mut String) -> R<()> {
        let c = self.cur();
        self.pos += 1;
        let ch = match c {
            b'0' => '\0',
            b'a' => '\u{7}',
            b'b' => '\u{8}',
            b't' | b'\t' => '\t',
            b'n' => '\n',
            b'v' => '\u{B}',
            b'f' => '\u{C}',
            b'r' => '\r',
            b'e' => '\u{1B}',
            b' ' => ' ',
            b'"' => '"',
            b'/' => '/',
            b'\\' => '\\',
            b'N' => '\u{85}',
            b'_' => '\u{A0}',
            b'L' => '\u{2028}',
            b'P' => '\u{2029}',
            b'x' | b'u' | b'U' => {
                let digits = match c {
                    b'x' => 2,
                    b'u' => 4,
                    _ => 8,
                };
                let hex = self.s.get(self.pos..self.pos + digits).ok_or(Unsupported)?;
                if !hex.iter().all(u8::is_ascii_hexdigit) {
                    return Err(Unsupported);
                }
                let hex = std::str::from_utf8(hex).map_err(|_| Unsupported)?;
                let code = u32::from_str_radix(hex, 16).map_err(|_| Unsupported)?;
                self.pos += digits;
                char::from_u32(code).ok_or(Unsupported)?
            }
            _ => return Err(Unsupported),
        };
        out.push(ch);
        Ok(())
    }

    /// Blanks, line breaks and comments inside a flow collection; lines must be indented more
    /// than `parent`.
    fn flow_space(&mut self, parent: isize) -> R<()> {
        loop {
            match self.cur() {
                b' ' | b'\t' => self.pos += 1,
                b'#' => {
                    if !is_blank(self.at(self.pos.wrapping_sub(1))) && self.pos != self.line_start {
                        return Err(Unsupported);
                    }
                    self.pos = self.to_eol(self.pos);
                }
                b'\n' | b'\r' => {
                    self.eat_newline();
                    if self.at_marker().is_some() {
                        return Err(Unsupported);
                    }
                    let mut i = self.pos;
                    while self.at(i) == b' ' {
                        i += 1;
                    }
                    let blank_line = self.is_eol_at(i) || self.at(i) == b'#';
                    if !blank_line
                        && ((i - self.line_start) as isize <= parent || self.at(i) == b'\t')
                    {
                        return Err(Unsupported);
                    }
                    self.pos = i;
                }
                _ => return Ok(()),
            }
        }
    }

    /// A flow sequence or mapping at `pos`.
    /// After an entry of a flow collection: `,` goes on to the next entry, `close` ends the
    /// collection (`true`); anything else is not for this reader.
    fn flow_entry_end(&mut self, close: u8) -> R<bool> {
        let c = self.cur();
        if c != b',' && c != close {
            return Err(Unsupported);
        }
        self.pos += 1;
        Ok(c == close)
    }

    fn flow_collection(&mut self, parent: isize) -> R<Node<'t>> {
        self.enter()?;
        self.count()?;
        let mark = self.mark(self.pos);
        let open = self.cur();
        self.pos += 1;
        let value = if open == b'[' {
            let base = self.items.len();
            loop {
                self.flow_space(parent)?;
                if self.cur() == b']' {
                    self.pos += 1;
                    break;
                }
                let item = self.flow_node(parent)?;
                self.items.push(item);
                self.flow_space(parent)?;
                if self.flow_entry_end(b']')? {
                    break;
                }
            }
            Value::Seq(take_top(&mut self.items, base))
        } else {
            let base = self.pairs.len();
            loop {
                self.flow_space(parent)?;
                if self.cur() == b'}' {
                    self.pos += 1;
                    break;
                }
                let line = self.line;
                let key = self.flow_scalar(parent)?;
                while is_blank(self.cur()) {
                    self.pos += 1;
                }
                if self.cur() != b':' || self.line != line {
                    return Err(Unsupported);
                }
                let colon = self.mark(self.pos);
                self.pos += 1;
                self.flow_space(parent)?;
                let value = match self.cur() {
                    b',' | b'}' => self.null(colon)?,
                    _ => self.flow_node(parent)?,
                };
                self.pairs.push((key, value));
                self.flow_space(parent)?;
                if self.flow_entry_end(b'}')? {
                    break;
                }
            }
            if super::first_duplicate(&self.pairs[base..]).is_some() {
                return Err(Unsupported);
            }
            Value::Map(take_top(&mut self.pairs, base))
        };
        self.depth -= 1;
        Ok(Node { value, mark })
    }

    fn flow_node(&mut self, parent: isize) -> R<Node<'t>> {
        match self.cur() {
            b'[' | b'{' => self.flow_collection(parent),
            _ => self.flow_scalar(parent),
        }
    }

    /// A quoted or single-line plain scalar in a flow collection.
    fn flow_scalar(&mut self, parent: isize) -> R<Node<'t>> {
        let c = self.cur();
        match c {
            b'"' | b'\'' => {
                let (text, mark) = self.quoted(parent)?;
                let style = if c == b'"' {
                    ScalarStyle::DoubleQuoted
                } else {
                    ScalarStyle::SingleQuoted
                };
                self.scalar(text, style, mark)
            }
            _ if self.plain_may_start() => {
                let (end, stop) = self.scan_plain_line(self.pos, true);
                if end == self.pos {
                    return Err(Unsupported);
                }
                let mark = self.mark(self.pos);
                let text = &self.text[self.pos..end];
                self.pos = end;
                if stop == Stop::Eol {
                    // A plain scalar may go on over lines in flow context; this reader does not.
                    let mut i = self.to_eol(self.pos);
                    loop {
                        if i >= self.s.len() {
                            return Err(Unsupported);
                        }
                        i += if self.s[i] == b'\r' { 2 } else { 1 };
                        while is_blank(self.at(i)) {
                            i += 1;
                        }
                        if !self.is_eol_at(i) {
                            break;
                        }
                    }
                    if !matches!(self.at(i), b',' | b']' | b'}' | b'#') {
                        return Err(Unsupported);
                    }
                }
                self.scalar(Cow::Borrowed(text), ScalarStyle::Plain, mark)
            }
            _ => Err(Unsupported),
        }
    }
}

/// The style of a quoted scalar, from its opening quote.
fn quote_style(quote: u8) -> ScalarStyle {
    if quote == b'"' {
        ScalarStyle::DoubleQuoted
    } else {
        ScalarStyle::SingleQuoted
    }
}

#[cfg(test)]
mod tests {
    use super::plain_bytes;

    /// The rule `plain_bytes` checks, byte by byte.
    fn plain_bytes_slowly(s: &[u8]) -> bool {
        s.iter().enumerate().all(|(i, &b)| match b {
            b'\t' | b'\n' => true,
            b'\r' => s.get(i + 1) == Some(&b'\n'),
            0x7F => false,
            b => b >= 0x20,
        })
    }

    #[test]
    fn plain_bytes_agrees_with_the_rule_for_every_byte_at_every_place() {
        for byte in 0..=255u8 {
            for at in 0..20 {
                let mut text = vec![b'a'; 20];
                text[at] = byte;
                assert_eq!(
                    plain_bytes(&text),
                    plain_bytes_slowly(&text),
                    "byte {byte:#04x} at {at}"
                );
                text[(at + 1) % 20] = b'\n';
                assert_eq!(
                    plain_bytes(&text),
                    plain_bytes_slowly(&text),
                    "byte {byte:#04x} at {at}, a line break after it"
                );
            }
        }
    }
}
