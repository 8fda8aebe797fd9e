//! Pretty JSON, byte for byte what `serde_json::to_writer_pretty` writes (two spaces a level),
//! written straight into a `Vec<u8>` and starting at any depth. Every `-o json` goes through it:
//! serde_json's writer makes a call per piece (a quote, a comma, an indent) and looks at strings
//! a byte at a time, which was a third of the instructions of `advise -o json`; here the pieces
//! are appended inline and strings are checked sixteen bytes at a time (SSE2 on x86_64, eight
//! bytes elsewhere) for what needs escaping.
//! Tests hold the output equal to serde_json's for every output and for random values.

use std::fmt::Display;

use serde::Serialize;
use serde::ser::{self, Impossible};

/// Why a value could not be written as JSON (a map key that is not a string, or a failure a
/// `Serialize` implementation reports).
#[derive(Debug)]
pub struct JsonError(String);

impl Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for JsonError {}

impl ser::Error for JsonError {
    fn custom<T: Display>(msg: T) -> Self {
        JsonError(msg.to_string())
    }
}

/// Appends `value` as pretty JSON that starts `level` levels deep (0 for a whole document): its
/// nested lines are indented as they are at that place of a larger document.
pub fn write_pretty<T: Serialize + ?Sized>(
    out: &mut Vec<u8>,
    value: &T,
    level: usize,
) -> Result<(), JsonError> {
    value.serialize(&mut Writer {
        out,
        level,
        spill: None,
    })
}

/// The size at which [`write_pretty_to`] hands its text on: a few pages, so a large document is
/// never all in memory and a small one is written at once.
const PIECE: usize = 12 * 1024;

/// Writes `value` as pretty JSON into `sink`, in pieces of about `PIECE` (12 KB) taken at line
/// ends. A failed write stops the writing (the rest of the text is dropped, not written after a
/// hole) and is the error returned.
pub fn write_pretty_to<T: Serialize + ?Sized>(
    sink: &mut dyn std::io::Write,
    value: &T,
) -> std::io::Result<()> {
    let mut out = Vec::with_capacity(PIECE + PIECE / 2);
    let mut spill = Spill { sink, failed: None };
    let written = value.serialize(&mut Writer {
        out: &mut out,
        level: 0,
        spill: Some(&mut spill),
    });
    written.map_err(std::io::Error::other)?;
    out.push(b'\n');
    spill.hand_on(&mut out);
    spill.failed.map_or(Ok(()), Err)
}

/// Where [`write_pretty_to`] hands its pieces, and the first failure to write one.
struct Spill<'s> {
    sink: &'s mut dyn std::io::Write,
    failed: Option<std::io::Error>,
}

/// What [`Writer`] calls with a full piece (a trait object, so that the writer needs no lifetime
/// of the sink's own).
trait HandOn {
    fn hand_on(&mut self, out: &mut Vec<u8>);
}

impl HandOn for Spill<'_> {
    fn hand_on(&mut self, out: &mut Vec<u8>) {
        if self.failed.is_none() {
            self.failed = self.sink.write_all(out).err();
        }
        out.clear();
    }
}

/// `value` as a pretty JSON document.
pub fn to_pretty_string<T: Serialize + ?Sized>(value: &T) -> Result<String, JsonError> {
    let mut out = Vec::new();
    write_pretty(&mut out, value, 0)?;
    // Only whole UTF-8 strings and ASCII are written.
    String::from_utf8(out).map_err(|e| JsonError(e.to_string()))
}

/// `text` as a JSON string, quotes included (also a YAML double-quoted scalar). Only ASCII is
/// escaped, so the bytes stay the UTF-8 of `text` and the lossy conversion never replaces any.
pub fn quoted(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len() + 2);
    write_str(&mut out, text);
    String::from_utf8_lossy(&out).into_owned()
}

/// A line break and 63 spaces, a comma, a line break and 62 spaces, and 64 spaces: where
/// indents are copied from.
const LINE: [u8; 64] = {
    let mut line = [b' '; 64];
    line[0] = b'\n';
    line
};
const COMMA_LINE: [u8; 64] = {
    let mut line = [b' '; 64];
    line[0] = b',';
    line[1] = b'\n';
    line
};
const SPACES: [u8; 64] = [b' '; 64];

struct Writer<'a> {
    out: &'a mut Vec<u8>,
    level: usize,
    /// Where the text goes once a piece is full; `None`: it all stays in `out`.
    spill: Option<&'a mut dyn HandOn>,
}

impl<'a> Writer<'a> {
    fn newline_indent(&mut self) {
        self.break_line(false);
    }

    /// A comma when `comma`, a line break and the indent of the current level. Up to 31 levels
    /// this is one copy of 64 fixed bytes, which needs no call.
    fn break_line(&mut self, comma: bool) {
        if self.out.len() >= PIECE
            && let Some(spill) = self.spill.as_deref_mut()
        {
            // A full piece is handed on with its line break: a line-buffered output (stdout)
            // then writes it whole, without keeping a part line back.
            if comma {
                self.out.push(b',');
            }
            self.out.push(b'\n');
            spill.hand_on(self.out);
            self.spaces(self.level * 2);
            return;
        }
        let (piece, lead) = if comma { (&COMMA_LINE, 2) } else { (&LINE, 1) };
        if !self.put(piece, lead + self.level * 2) {
            append(self.out, &piece[..lead]);
            self.spaces(self.level * 2);
        }
    }

    /// `n` spaces.
    fn spaces(&mut self, mut n: usize) {
        if self.put(&SPACES, n) {
            return;
        }
        while n > 0 {
            let step = n.min(SPACES.len());
            append(self.out, &SPACES[..step]);
            n -= step;
        }
    }

    /// Appends the first `n` bytes of `piece` by copying all 64 and taking in `n`; false, with
    /// nothing written, when `n` is more than 64.
    #[inline(always)]
    fn put(&mut self, piece: &[u8; 64], n: usize) -> bool {
        if n > piece.len() {
            return false;
        }
        self.out.reserve(piece.len());
        let len = self.out.len();
        // SAFETY: `reserve` left room for the 64 bytes of `piece` after the first `len`; the
        // length then takes in only the first `n` of them.
        unsafe {
            self.out
                .as_mut_ptr()
                .add(len)
                .cast::<[u8; 64]>()
                .write_unaligned(*piece);
            self.out.set_len(len + n);
        }
        true
    }

    fn open<'w>(&'w mut self, bracket: u8) -> Compound<'w, 'a> {
        self.out.push(bracket);
        self.level += 1;
        Compound {
            writer: self,
            first: true,
            close: if bracket == b'[' { b']' } else { b'}' },
        }
    }

    fn integer(&mut self, value: impl itoa::Integer) -> Result<(), JsonError> {
        append(self.out, itoa::Buffer::new().format(value).as_bytes());
        Ok(())
    }

    /// Opens the object `{"variant": ` that holds an enum variant's value.
    fn open_variant(&mut self, variant: &str) {
        self.out.push(b'{');
        self.level += 1;
        self.newline_indent();
        quoted_then(self.out, variant.as_bytes(), b": ");
    }

    /// Closes the object [`Writer::open_variant`] opened.
    fn close_variant(&mut self) {
        self.level -= 1;
        self.newline_indent();
        self.out.push(b'}');
    }
}

/// The `serialize_*` methods of the integer types, each calling the serializer's `integer`.
macro_rules! integers {
    ($($method:ident: $ty:ty),* $(,)?) => {$(
        fn $method(self, v: $ty) -> Result<(), JsonError> {
            self.integer(v)
        }
    )*};
}

/// Appends `bytes` to `out`: `Vec::extend_from_slice` inlined. With `opt-level = "s"` that
/// method stays a call of its own for every piece written (a quote, a comma, an indent, a key),
/// which was a quarter of the writer's instructions.
#[inline(always)]
fn append(out: &mut Vec<u8>, bytes: &[u8]) {
    out.reserve(bytes.len());
    let len = out.len();
    // SAFETY: `reserve` left room for `bytes.len()` more bytes after the first `len`; they are
    // copied from `bytes` (which cannot overlap the vector's spare room, as it is borrowed
    // while `out` is borrowed mutably) before the length takes them in.
    unsafe {
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), out.as_mut_ptr().add(len), bytes.len());
        out.set_len(len + bytes.len());
    }
}

/// The bytes JSON escapes in a string: control characters, `"` and `\`.
fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// Whether any of eight bytes needs escaping, without a branch per byte.
fn word_needs_escape(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let below_space = word.wrapping_sub(ONES * 0x20) & !word;
    let quote = word ^ (ONES * u64::from(b'"'));
    let backslash = word ^ (ONES * u64::from(b'\\'));
    let zero = |v: u64| v.wrapping_sub(ONES) & !v;
    (below_space | zero(quote) | zero(backslash)) & HIGHS != 0
}

/// Whether any of sixteen bytes needs escaping: three SSE2 comparisons (x86_64 always has SSE2)
/// where the eight-byte test takes a dozen operations for half as many bytes.
#[cfg(target_arch = "x86_64")]
fn block_needs_escape(block: &[u8; 16]) -> bool {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8,
    };
    // SAFETY: SSE2 is part of every x86_64 target, so these instructions exist wherever this
    // compiles; `block` is sixteen readable bytes, and the unaligned load reads exactly those.
    unsafe {
        let bytes = _mm_loadu_si128(block.as_ptr().cast());
        let quote = _mm_cmpeq_epi8(bytes, _mm_set1_epi8(b'"' as i8));
        let backslash = _mm_cmpeq_epi8(bytes, _mm_set1_epi8(b'\\' as i8));
        // Below 0x20 (unsigned): the byte is its minimum with 0x1f.
        let control = _mm_cmpeq_epi8(_mm_min_epu8(bytes, _mm_set1_epi8(0x1f)), bytes);
        _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), control)) != 0
    }
}

/// Whether any of sixteen bytes needs escaping, as two eight-byte tests.
#[cfg(not(target_arch = "x86_64"))]
fn block_needs_escape(block: &[u8; 16]) -> bool {
    let (low, high) = block.split_at(8);
    let word = |half: &[u8]| u64::from_le_bytes(half.try_into().unwrap_or([0; 8]));
    word_needs_escape(word(low)) || word_needs_escape(word(high))
}

/// Appends `text` as a JSON string, escaped as serde_json escapes it.
pub fn write_str(out: &mut Vec<u8>, text: &str) {
    quoted_then(out, text.as_bytes(), b"");
}

/// Appends `bytes` as a JSON string and then `after` (an object key's `: `), under one
/// reservation. A string with nothing to escape (nearly all of them, and all of serde's field
/// names) is copied by `copy_plain`; one with a byte to escape takes `write_escaped`.
#[inline(always)]
fn quoted_then<const N: usize>(out: &mut Vec<u8>, bytes: &[u8], after: &[u8; N]) {
    let n = bytes.len();
    out.reserve(n + 2 + N);
    let start = out.len();
    // SAFETY: `reserve` left room for `n + 2 + N` bytes after the first `start`: the quotes,
    // the `n` bytes `copy_plain` writes after the first one, and `after`; the length takes them
    // in only once all are written. When a byte needs escaping, nothing is taken in.
    unsafe {
        let at = out.as_mut_ptr().add(start);
        if copy_plain(bytes, at.add(1)) {
            at.write(b'"');
            at.add(n + 1).write(b'"');
            at.add(n + 2).cast::<[u8; N]>().write_unaligned(*after);
            out.set_len(start + n + 2 + N);
            return;
        }
    }
    write_escaped(out, bytes);
    append(out, after);
}

/// Copies `src` to the `src.len()` bytes at `dst` while checking that none needs escaping, in
/// fixed-size pieces (sixteen bytes at a time, the last piece overlapping the one before; a
/// short text as its first and last eight or four bytes), so that the copy makes no call and
/// the text is read once. Returns false, having copied only part, when a byte needs escaping.
///
/// # Safety
///
/// `dst` must be valid for writes of `src.len()` bytes, and not overlap `src`.
#[inline(always)]
unsafe fn copy_plain(src: &[u8], dst: *mut u8) -> bool {
    let n = src.len();
    // SAFETY (every write below): each writes a piece of `src` at the same offset from `dst`
    // as it has in `src`, so within the `n` bytes the caller vouches for.
    if n >= 16 {
        let mut i = 0;
        while let Some(block) = src[i..].first_chunk::<16>() {
            if block_needs_escape(block) {
                return false;
            }
            unsafe { dst.add(i).cast::<[u8; 16]>().write_unaligned(*block) };
            i += 16;
        }
        if let Some(block) = src.last_chunk::<16>()
            && i < n
        {
            if block_needs_escape(block) {
                return false;
            }
            unsafe { dst.add(n - 16).cast::<[u8; 16]>().write_unaligned(*block) };
        }
        return true;
    }
    if let (Some(head), Some(tail)) = (src.first_chunk::<8>(), src.last_chunk::<8>()) {
        if word_needs_escape(u64::from_le_bytes(*head))
            || word_needs_escape(u64::from_le_bytes(*tail))
        {
            return false;
        }
        unsafe {
            dst.cast::<[u8; 8]>().write_unaligned(*head);
            dst.add(n - 8).cast::<[u8; 8]>().write_unaligned(*tail);
        }
        return true;
    }
    if let (Some(head), Some(tail)) = (src.first_chunk::<4>(), src.last_chunk::<4>()) {
        let word =
            u64::from(u32::from_le_bytes(*head)) | u64::from(u32::from_le_bytes(*tail)) << 32;
        if word_needs_escape(word) {
            return false;
        }
        unsafe {
            dst.cast::<[u8; 4]>().write_unaligned(*head);
            dst.add(n - 4).cast::<[u8; 4]>().write_unaligned(*tail);
        }
        return true;
    }
    for (k, &b) in src.iter().enumerate() {
        if needs_escape(b) {
            return false;
        }
        unsafe { dst.add(k).write(b) };
    }
    true
}

/// [`write_str`] for a text with a byte to escape: the escapes written between the runs of
/// plain bytes. Out of line, so that the common path stays small.
#[cold]
#[inline(never)]
fn write_escaped(out: &mut Vec<u8>, bytes: &[u8]) {
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Sixteen bytes at a time, then eight; the last few with letters after them, which
        // need no escape.
        if let Some(block) = bytes[i..].first_chunk::<16>() {
            if !block_needs_escape(block) {
                i += 16;
                continue;
            }
        } else {
            let word = match bytes[i..].first_chunk::<8>() {
                Some(word) => *word,
                None => {
                    let mut word = [b'a'; 8];
                    word[..bytes.len() - i].copy_from_slice(&bytes[i..]);
                    word
                }
            };
            if !word_needs_escape(u64::from_le_bytes(word)) {
                i += 8;
                continue;
            }
        }
        let b = bytes[i];
        if needs_escape(b) {
            append(out, &bytes[start..i]);
            match b {
                b'"' => append(out, b"\\\""),
                b'\\' => append(out, b"\\\\"),
                b'\n' => append(out, b"\\n"),
                b'\r' => append(out, b"\\r"),
                b'\t' => append(out, b"\\t"),
                0x08 => append(out, b"\\b"),
                0x0C => append(out, b"\\f"),
                _ => {
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    append(out, b"\\u00");
                    out.push(HEX[usize::from(b >> 4)]);
                    out.push(HEX[usize::from(b & 0xF)]);
                }
            }
            start = i + 1;
        }
        i += 1;
    }
    append(out, &bytes[start..]);
    out.push(b'"');
}

/// An array or object being written.
struct Compound<'w, 'a> {
    writer: &'w mut Writer<'a>,
    /// No item written yet: an empty array or object closes as `[]` or `{}`.
    first: bool,
    close: u8,
}

impl<'w, 'a> Compound<'w, 'a> {
    fn item(&mut self) {
        let comma = !self.first;
        self.first = false;
        self.writer.break_line(comma);
    }

    /// The next item's key and `": "`.
    fn key(&mut self, key: &str) {
        self.item();
        quoted_then(self.writer.out, key.as_bytes(), b": ");
    }

    /// Closes the array or object, and gives the writer back.
    fn finish(self) -> &'w mut Writer<'a> {
        self.writer.level -= 1;
        if !self.first {
            self.writer.newline_indent();
        }
        self.writer.out.push(self.close);
        self.writer
    }
}

impl<'w, 'a> ser::Serializer for &'w mut Writer<'a> {
    type Ok = ();
    type Error = JsonError;
    type SerializeSeq = Compound<'w, 'a>;
    type SerializeTuple = Compound<'w, 'a>;
    type SerializeTupleStruct = Compound<'w, 'a>;
    type SerializeTupleVariant = Compound<'w, 'a>;
    type SerializeMap = Compound<'w, 'a>;
    type SerializeStruct = Compound<'w, 'a>;
    type SerializeStructVariant = Compound<'w, 'a>;

    fn serialize_bool(self, v: bool) -> Result<(), JsonError> {
        append(self.out, if v { b"true" } else { b"false" });
        Ok(())
    }

    integers!(
        serialize_i8: i8,
        serialize_i16: i16,
        serialize_i32: i32,
        serialize_i64: i64,
        serialize_i128: i128,
        serialize_u8: u8,
        serialize_u16: u16,
        serialize_u32: u32,
        serialize_u64: u64,
        serialize_u128: u128,
    );

    fn serialize_f32(self, v: f32) -> Result<(), JsonError> {
        if v.is_finite() {
            append(self.out, zmij::Buffer::new().format_finite(v).as_bytes());
        } else {
            append(self.out, b"null");
        }
        Ok(())
    }

    fn serialize_f64(self, v: f64) -> Result<(), JsonError> {
        if v.is_finite() {
            append(self.out, zmij::Buffer::new().format_finite(v).as_bytes());
        } else {
            append(self.out, b"null");
        }
        Ok(())
    }

    fn serialize_char(self, v: char) -> Result<(), JsonError> {
        write_str(self.out, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_str(self, v: &str) -> Result<(), JsonError> {
        write_str(self.out, v);
        Ok(())
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<(), JsonError> {
        use ser::SerializeSeq;
        let mut seq = self.serialize_seq(Some(v.len()))?;
        for b in v {
            seq.serialize_element(b)?;
        }
        seq.end()
    }

    fn serialize_none(self) -> Result<(), JsonError> {
        self.serialize_unit()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), JsonError> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), JsonError> {
        append(self.out, b"null");
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), JsonError> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), JsonError> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), JsonError> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), JsonError> {
        self.open_variant(variant);
        value.serialize(&mut *self)?;
        self.close_variant();
        Ok(())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'w, 'a>, JsonError> {
        Ok(self.open(b'['))
    }

    fn serialize_tuple(self, len: usize) -> Result<Compound<'w, 'a>, JsonError> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Compound<'w, 'a>, JsonError> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'w, 'a>, JsonError> {
        // `{"variant": [...]}`: `end` closes the array, then the object around it.
        self.open_variant(variant);
        Ok(self.open(b'['))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'w, 'a>, JsonError> {
        Ok(self.open(b'{'))
    }

    fn serialize_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Compound<'w, 'a>, JsonError> {
        self.serialize_map(Some(len))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'w, 'a>, JsonError> {
        self.open_variant(variant);
        Ok(self.open(b'{'))
    }
}

impl ser::SerializeSeq for Compound<'_, '_> {
    type Ok = ();
    type Error = JsonError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), JsonError> {
        self.item();
        value.serialize(&mut *self.writer)
    }

    fn end(self) -> Result<(), JsonError> {
        self.finish();
        Ok(())
    }
}

impl ser::SerializeTuple for Compound<'_, '_> {
    type Ok = ();
    type Error = JsonError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), JsonError> {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result<(), JsonError> {
        self.finish();
        Ok(())
    }
}

impl ser::SerializeTupleStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = JsonError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), JsonError> {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result<(), JsonError> {
        self.finish();
        Ok(())
    }
}

impl ser::SerializeTupleVariant for Compound<'_, '_> {
    type Ok = ();
    type Error = JsonError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), JsonError> {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result<(), JsonError> {
        self.finish().close_variant();
        Ok(())
    }
}

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = JsonError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), JsonError> {
        self.item();
        key.serialize(MapKey {
            out: &mut *self.writer.out,
        })?;
        append(self.writer.out, b": ");
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), JsonError> {
        value.serialize(&mut *self.writer)
    }

    fn end(self) -> Result<(), JsonError> {
        self.finish();
        Ok(())
    }
}

impl ser::SerializeStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = JsonError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), JsonError> {
        self.key(key);
        value.serialize(&mut *self.writer)
    }

    fn end(self) -> Result<(), JsonError> {
        self.finish();
        Ok(())
    }
}

impl ser::SerializeStructVariant for Compound<'_, '_> {
    type Ok = ();
    type Error = JsonError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), JsonError> {
        ser::SerializeStruct::serialize_field(self, key, value)
    }

    fn end(self) -> Result<(), JsonError> {
        self.finish().close_variant();
        Ok(())
    }
}

/// A map key: JSON keys are strings, so strings, characters, booleans and numbers are written
/// as strings (as serde_json does); anything else is an error.
struct MapKey<'a> {
    out: &'a mut Vec<u8>,
}

impl MapKey<'_> {
    fn quoted(self, text: &str) -> Result<(), JsonError> {
        write_str(self.out, text);
        Ok(())
    }

    /// An integer key, as a string.
    fn integer(self, value: impl itoa::Integer) -> Result<(), JsonError> {
        self.quoted(itoa::Buffer::new().format(value))
    }
}

fn key_error() -> JsonError {
    JsonError("key must be a string".to_owned())
}

impl ser::Serializer for MapKey<'_> {
    type Ok = ();
    type Error = JsonError;
    type SerializeSeq = Impossible<(), JsonError>;
    type SerializeTuple = Impossible<(), JsonError>;
    type SerializeTupleStruct = Impossible<(), JsonError>;
    type SerializeTupleVariant = Impossible<(), JsonError>;
    type SerializeMap = Impossible<(), JsonError>;
    type SerializeStruct = Impossible<(), JsonError>;
    type SerializeStructVariant = Impossible<(), JsonError>;

    fn serialize_bool(self, v: bool) -> Result<(), JsonError> {
        self.quoted(if v { "true" } else { "false" })
    }

    integers!(
        serialize_i8: i8,
        serialize_i16: i16,
        serialize_i32: i32,
        serialize_i64: i64,
        serialize_i128: i128,
        serialize_u8: u8,
        serialize_u16: u16,
        serialize_u32: u32,
        serialize_u64: u64,
        serialize_u128: u128,
    );

    fn serialize_f32(self, v: f32) -> Result<(), JsonError> {
        if !v.is_finite() {
            return Err(JsonError("float key must be finite".to_owned()));
        }
        self.quoted(zmij::Buffer::new().format_finite(v))
    }

    fn serialize_f64(self, v: f64) -> Result<(), JsonError> {
        if !v.is_finite() {
            return Err(JsonError("float key must be finite".to_owned()));
        }
        self.quoted(zmij::Buffer::new().format_finite(v))
    }

    fn serialize_char(self, v: char) -> Result<(), JsonError> {
        self.quoted(v.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, v: &str) -> Result<(), JsonError> {
        self.quoted(v)
    }

    fn serialize_bytes(self, _v: &[u8]) -> Result<(), JsonError> {
        Err(key_error())
    }

    fn serialize_none(self) -> Result<(), JsonError> {
        Err(key_error())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result<(), JsonError> {
        Err(key_error())
    }

    fn serialize_unit(self) -> Result<(), JsonError> {
        Err(key_error())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), JsonError> {
        Err(key_error())
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), JsonError> {
        self.quoted(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), JsonError> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<(), JsonError> {
        Err(key_error())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, JsonError> {
        Err(key_error())
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, JsonError> {
        Err(key_error())
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, JsonError> {
        Err(key_error())
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, JsonError> {
        Err(key_error())
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, JsonError> {
        Err(key_error())
    }

    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, JsonError> {
        Err(key_error())
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, JsonError> {
        Err(key_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::{Value, json};

    fn same_as_serde_json<T: Serialize + ?Sized>(value: &T) {
        let ours = to_pretty_string(value).expect("writes");
        let theirs = serde_json::to_string_pretty(value).expect("serde_json writes");
        assert_eq!(ours, theirs);
    }

    #[derive(Serialize)]
    enum Shapes {
        Unit,
        Newtype(u8),
        Tuple(i32, String),
        EmptyTuple(),
        Struct { a: Option<bool>, b: Vec<u8> },
        EmptyStruct {},
    }

    #[derive(Serialize)]
    struct Everything {
        shapes: Vec<Shapes>,
        nothing: Option<u8>,
        unit: (),
        chars: (char, char),
        big: (i128, u128, i64, u64),
        floats: (f64, f64, f32, f64),
        int_keys: std::collections::BTreeMap<i32, bool>,
        bool_keys: std::collections::BTreeMap<bool, ()>,
        bytes: serde_bytes_like::Bytes,
        empty: (Vec<u8>, std::collections::BTreeMap<String, u8>),
    }

    mod serde_bytes_like {
        pub struct Bytes(pub Vec<u8>);
        impl serde::Serialize for Bytes {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_bytes(&self.0)
            }
        }
    }

    #[test]
    fn every_kind_of_value_is_written_as_serde_json_writes_it() {
        same_as_serde_json(&Everything {
            shapes: vec![
                Shapes::Unit,
                Shapes::Newtype(7),
                Shapes::Tuple(-3, "x".into()),
                Shapes::EmptyTuple(),
                Shapes::Struct {
                    a: None,
                    b: vec![1, 2],
                },
                Shapes::Struct {
                    a: Some(true),
                    b: vec![],
                },
                Shapes::EmptyStruct {},
            ],
            nothing: None,
            unit: (),
            chars: ('"', 'é'),
            big: (i128::MIN, u128::MAX, i64::MIN, u64::MAX),
            floats: (0.1, -2.5e300, 1.5, f64::NAN),
            int_keys: [(-1, true), (20, false)].into(),
            bool_keys: [(false, ()), (true, ())].into(),
            bytes: serde_bytes_like::Bytes(vec![0, 255]),
            empty: (vec![], Default::default()),
        });
        same_as_serde_json(&json!([[], {}, [[]], [{}], {"a": []}, {"a": {}}, null, 1, "s"]));
        same_as_serde_json(&Shapes::Tuple(1, "top".into()));
        // Deeper than one copy of the indent covers.
        let mut deep = json!({"leaf": [1]});
        for level in 0..40 {
            deep = json!({ format!("level {level}"): [deep] });
        }
        same_as_serde_json(&deep);
        same_as_serde_json(&Shapes::Struct { a: None, b: vec![] });
    }

    #[test]
    fn strings_are_escaped_at_every_place_of_the_sixteen_and_eight_byte_steps() {
        for special in [
            "\"", "\\", "\n", "\r", "\t", "\u{8}", "\u{c}", "\u{0}", "\u{1f}", " ", "\u{7f}", "é",
            "€", "𝄞",
        ] {
            for before in 0..40 {
                for after in [0, 1, 7, 8, 9, 15, 16, 17, 31, 33] {
                    let text = format!("{}{special}{}", "a".repeat(before), "b".repeat(after));
                    same_as_serde_json(&text);
                }
            }
        }
    }

    #[test]
    fn plain_strings_of_every_length_and_deep_indents_are_written_as_serde_json_writes_them() {
        // The copies in fixed-size pieces: every length, every letter at its place.
        let letters: String = ('a'..='z')
            .chain('A'..='Z')
            .chain('0'..='9')
            .cycle()
            .take(80)
            .collect();
        for n in 0..=letters.len() {
            same_as_serde_json(&letters[..n]);
        }
        // Indents past the 63 bytes copied at once (31 levels), with and without a piece
        // handed on at that depth.
        let mut deep = json!("leaf");
        for level in 0..40 {
            deep = json!([level, deep, {"k": level}]);
        }
        same_as_serde_json(&deep);
        let mut sink = Recorder {
            writes: Vec::new(),
            fail_at: usize::MAX,
        };
        let rows: Vec<Value> = (0..400).map(|_| deep.clone()).collect();
        write_pretty_to(&mut sink, &rows).expect("writes");
        let whole = serde_json::to_string_pretty(&rows).expect("writes") + "\n";
        assert!(sink.writes.len() > 1);
        assert_eq!(sink.writes.concat(), whole.as_bytes());
    }

    #[test]
    fn a_value_nested_at_a_level_is_indented_as_in_the_whole_document() {
        let inner = json!({"a": [1, {"b": "c"}], "d": {}});
        let whole = serde_json::to_string_pretty(&json!({"x": {"y": inner}})).expect("writes");
        let mut nested = Vec::new();
        write_pretty(&mut nested, &inner, 2).expect("writes");
        let nested = String::from_utf8(nested).expect("UTF-8");
        assert!(
            whole.contains(&format!("\"y\": {nested}\n")),
            "{whole}\n{nested}"
        );
    }

    #[test]
    fn a_key_that_is_not_a_string_is_an_error() {
        let map: std::collections::BTreeMap<Vec<u8>, u8> = [(vec![1], 1)].into();
        assert!(to_pretty_string(&map).is_err());
        assert!(serde_json::to_string_pretty(&map).is_err());
    }

    /// A sink that records each write, and fails from the `fail_at`-th on.
    struct Recorder {
        writes: Vec<Vec<u8>>,
        fail_at: usize,
    }

    impl std::io::Write for Recorder {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.writes.len() >= self.fail_at {
                return Err(std::io::ErrorKind::BrokenPipe.into());
            }
            self.writes.push(buf.to_vec());
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_large_document_is_written_in_pieces_that_make_the_whole() {
        let rows: Vec<Value> = (0..2000)
            .map(|i| json!({"id": i, "text": "x".repeat(i % 50), "list": [i, "\n"]}))
            .collect();
        let whole = to_pretty_string(&rows).expect("writes") + "\n";
        assert!(whole.len() > 8 * PIECE, "{}", whole.len());

        let mut sink = Recorder {
            writes: Vec::new(),
            fail_at: usize::MAX,
        };
        write_pretty_to(&mut sink, &rows).expect("writes");
        assert!(sink.writes.len() >= 8, "{} writes", sink.writes.len());
        // Each piece ends a line, and is not much over its size.
        for piece in &sink.writes {
            assert!(piece.ends_with(b"\n"));
            assert!(piece.len() < PIECE + 200, "{}", piece.len());
        }
        assert_eq!(sink.writes.concat(), whole.as_bytes());

        // A small document is one write.
        let mut sink = Recorder {
            writes: Vec::new(),
            fail_at: usize::MAX,
        };
        write_pretty_to(&mut sink, &rows[..3]).expect("writes");
        assert_eq!(sink.writes.len(), 1);
    }

    #[test]
    fn a_failed_write_stops_the_writing_and_is_the_error() {
        let rows: Vec<Value> = (0..2000).map(|i| json!({"id": i})).collect();
        let mut sink = Recorder {
            writes: Vec::new(),
            fail_at: 2,
        };
        let error = write_pretty_to(&mut sink, &rows).expect_err("the third write fails");
        assert_eq!(error.kind(), std::io::ErrorKind::BrokenPipe);
        assert_eq!(sink.writes.len(), 2, "nothing is written after the failure");

        // A value that cannot be JSON is an error too, whatever was written before it.
        let map: std::collections::BTreeMap<Vec<u8>, u8> = [(vec![1], 1)].into();
        let mut sink = Recorder {
            writes: Vec::new(),
            fail_at: usize::MAX,
        };
        assert!(write_pretty_to(&mut sink, &map).is_err());
    }

    fn any_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            ".{0,24}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 64, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((".{0,8}", inner), 0..6)
                    .prop_map(|entries| Value::Object(entries.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn any_json_value_is_written_as_serde_json_writes_it(value in any_value()) {
            let ours = to_pretty_string(&value).expect("writes");
            prop_assert_eq!(ours, serde_json::to_string_pretty(&value).expect("writes"));
        }
    }
}
