//! The compiled form of the built-in catalog: each rule file as a binary tree of values, written
//! by `build.rs` and read back through serde with no text to scan.
//!
//! Why not JSON: parsing the built-in catalog's JSON was most of a run's cost. Why not postcard
//! or bincode: the catalog's types skip absent optional fields when serialized and hold free-form
//! values (`serde_json::Value`), which only a self-describing format reads back. This one keeps
//! the shape of the YAML (mappings with their keys), so any type that reads the YAML reads it, and
//! a field or file added to the catalog needs no change here.
//!
//! Layout, little-endian: a u32 length and that many bytes of UTF-8, the text of every string of
//! the file once (checked as UTF-8 once per file, not once per string), then the value. A value
//! is a tag byte, then
//! - `NULL`, `FALSE`, `TRUE`: nothing;
//! - `U64`, `I64`, `F64`: 8 bytes;
//! - `STR`: a string: u32 offset and u32 length in the text;
//! - `SEQ`: a u32 count and that many values;
//! - `MAP`: a u32 count and that many pairs of a key (a string, no tag) and a value.
//!
//! `build.rs` includes this file to write the format, so the writer and the reader cannot drift.

use std::fmt;

pub const NULL: u8 = 0;
pub const FALSE: u8 = 1;
pub const TRUE: u8 = 2;
pub const U64: u8 = 3;
pub const I64: u8 = 4;
pub const F64: u8 = 5;
pub const STR: u8 = 6;
pub const SEQ: u8 = 7;
pub const MAP: u8 = 8;

/// `value` in the compiled form.
#[allow(dead_code)] // used by build.rs and the tests
pub fn encode(value: &serde_json::Value) -> Vec<u8> {
    let mut writer = Writer::default();
    writer.value(value);
    let mut out = Vec::with_capacity(4 + writer.text.len() + writer.tree.len());
    out.extend_from_slice(&len32(writer.text.len()).to_le_bytes());
    out.extend_from_slice(writer.text.as_bytes());
    out.extend_from_slice(&writer.tree);
    out
}

#[allow(dead_code)] // used by build.rs and the tests
fn len32(len: usize) -> u32 {
    u32::try_from(len).expect("a catalog file is smaller than 4 GiB")
}

/// The text of the strings, each written once, and the tree that points into it.
#[allow(dead_code)] // used by build.rs and the tests
#[derive(Default)]
struct Writer {
    text: String,
    offsets: std::collections::HashMap<String, u32>,
    tree: Vec<u8>,
}

#[allow(dead_code)] // used by build.rs and the tests
impl Writer {
    fn value(&mut self, value: &serde_json::Value) {
        use serde_json::Value;
        match value {
            Value::Null => self.tree.push(NULL),
            Value::Bool(false) => self.tree.push(FALSE),
            Value::Bool(true) => self.tree.push(TRUE),
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    self.tree.push(U64);
                    self.tree.extend_from_slice(&u.to_le_bytes());
                } else if let Some(i) = n.as_i64() {
                    self.tree.push(I64);
                    self.tree.extend_from_slice(&i.to_le_bytes());
                } else {
                    self.tree.push(F64);
                    let f = n.as_f64().unwrap_or(f64::NAN);
                    self.tree.extend_from_slice(&f.to_le_bytes());
                }
            }
            Value::String(s) => {
                self.tree.push(STR);
                self.str(s);
            }
            Value::Array(items) => {
                self.tree.push(SEQ);
                self.tree
                    .extend_from_slice(&len32(items.len()).to_le_bytes());
                for item in items {
                    self.value(item);
                }
            }
            Value::Object(map) => {
                self.tree.push(MAP);
                self.tree.extend_from_slice(&len32(map.len()).to_le_bytes());
                for (key, item) in map {
                    self.str(key);
                    self.value(item);
                }
            }
        }
    }

    fn str(&mut self, s: &str) {
        let offset = match self.offsets.get(s) {
            Some(offset) => *offset,
            None => {
                let offset = len32(self.text.len());
                self.text.push_str(s);
                self.offsets.insert(s.to_owned(), offset);
                offset
            }
        };
        self.tree.extend_from_slice(&offset.to_le_bytes());
        self.tree.extend_from_slice(&len32(s.len()).to_le_bytes());
    }
}

/// Why a compiled file did not read: only a bug in this module or a type the YAML does not fit
/// (which the tests catch) gets here.
#[derive(Debug)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl serde::de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

/// Reads one whole compiled file into `T`; trailing bytes are an error.
#[allow(dead_code)] // the build script includes this file without reading
pub fn from_bytes<'de, T: serde::Deserialize<'de>>(bytes: &'de [u8]) -> Result<T, Error> {
    let mut reader = Reader { bytes, text: "" };
    let len = reader.u32()? as usize;
    reader.text = std::str::from_utf8(reader.take(len)?)
        .map_err(|_| Error("the text of the compiled catalog is not UTF-8".into()))?;
    let value = T::deserialize(&mut reader)?;
    if reader.bytes.is_empty() {
        Ok(value)
    } else {
        Err(Error("trailing bytes after the value".into()))
    }
}

/// A cursor over a compiled file's tree; strings are handed out borrowed from its text.
struct Reader<'de> {
    bytes: &'de [u8],
    text: &'de str,
}

#[cold]
fn truncated() -> Error {
    Error("the compiled catalog ends early".into())
}

// Small and called for every value: inlined even where the profile optimizes for size.
impl<'de> Reader<'de> {
    #[inline(always)]
    fn take(&mut self, n: usize) -> Result<&'de [u8], Error> {
        match self.bytes.split_at_checked(n) {
            Some((head, rest)) => {
                self.bytes = rest;
                Ok(head)
            }
            None => Err(truncated()),
        }
    }

    #[inline(always)]
    fn tag(&mut self) -> Result<u8, Error> {
        match self.bytes.split_first() {
            Some((&tag, rest)) => {
                self.bytes = rest;
                Ok(tag)
            }
            None => Err(truncated()),
        }
    }

    #[inline(always)]
    fn peek(&self) -> Result<u8, Error> {
        match self.bytes.first() {
            Some(&tag) => Ok(tag),
            None => Err(truncated()),
        }
    }

    #[inline(always)]
    fn eight(&mut self) -> Result<[u8; 8], Error> {
        match self.bytes.split_first_chunk::<8>() {
            Some((head, rest)) => {
                self.bytes = rest;
                Ok(*head)
            }
            None => Err(truncated()),
        }
    }

    #[inline(always)]
    fn u32(&mut self) -> Result<u32, Error> {
        match self.bytes.split_first_chunk::<4>() {
            Some((head, rest)) => {
                self.bytes = rest;
                Ok(u32::from_le_bytes(*head))
            }
            None => Err(truncated()),
        }
    }

    #[inline(always)]
    fn len(&mut self) -> Result<usize, Error> {
        self.u32().map(|n| n as usize)
    }

    #[inline(always)]
    fn str(&mut self) -> Result<&'de str, Error> {
        let offset = self.u32()? as usize;
        let len = self.u32()? as usize;
        match self.text.get(offset..offset + len) {
            Some(s) => Ok(s),
            None => Err(Error(
                "a string of the compiled catalog is out of bounds".into(),
            )),
        }
    }
}

impl<'de> serde::Deserializer<'de> for &mut Reader<'de> {
    type Error = Error;

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.tag()? {
            NULL => visitor.visit_unit(),
            FALSE => visitor.visit_bool(false),
            TRUE => visitor.visit_bool(true),
            U64 => visitor.visit_u64(u64::from_le_bytes(self.eight()?)),
            I64 => visitor.visit_i64(i64::from_le_bytes(self.eight()?)),
            F64 => visitor.visit_f64(f64::from_le_bytes(self.eight()?)),
            STR => visitor.visit_borrowed_str(self.str()?),
            SEQ => {
                let left = self.len()?;
                visitor.visit_seq(Items { reader: self, left })
            }
            MAP => {
                let left = self.len()?;
                visitor.visit_map(Items { reader: self, left })
            }
            tag => Err(Error(format!("unknown tag {tag} in the compiled catalog"))),
        }
    }

    fn deserialize_option<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.peek()? == NULL {
            self.tag()?;
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.tag()? {
            // A unit variant is written as its name...
            STR => visitor.visit_enum(Variant {
                reader: self,
                in_map: false,
            }),
            // ...any other as a mapping of its name to its content.
            MAP if self.len()? == 1 => visitor.visit_enum(Variant {
                reader: self,
                in_map: true,
            }),
            _ => Err(Error("expected an enum variant".into())),
        }
    }

    fn deserialize_ignored_any<V: serde::de::Visitor<'de>>(
        self,
        visitor: V,
    ) -> Result<V::Value, Error> {
        serde::de::IgnoredAny::deserialize(&mut *self)?;
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier
    }
}

use serde::Deserialize as _;

/// The entries of a sequence or a mapping still to read.
struct Items<'a, 'de> {
    reader: &'a mut Reader<'de>,
    left: usize,
}

impl<'de> serde::de::SeqAccess<'de> for Items<'_, 'de> {
    type Error = Error;

    fn next_element_seed<T: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        seed.deserialize(&mut *self.reader).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.left)
    }
}

impl<'de> serde::de::MapAccess<'de> for Items<'_, 'de> {
    type Error = Error;

    fn next_key_seed<K: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        let key = self.reader.str()?;
        seed.deserialize(serde::de::value::BorrowedStrDeserializer::new(key))
            .map(Some)
    }

    fn next_value_seed<V: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Error> {
        seed.deserialize(&mut *self.reader)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.left)
    }
}

/// An enum variant, its name next in the reader: a unit variant written as a string, or the key
/// of a one-entry mapping whose value is the variant's content.
struct Variant<'a, 'de> {
    reader: &'a mut Reader<'de>,
    in_map: bool,
}

impl<'de> serde::de::EnumAccess<'de> for Variant<'_, 'de> {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<V: serde::de::DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Self), Error> {
        let name = self.reader.str()?;
        let value = seed.deserialize(serde::de::value::BorrowedStrDeserializer::<Error>::new(
            name,
        ))?;
        Ok((value, self))
    }
}

impl<'de> serde::de::VariantAccess<'de> for Variant<'_, 'de> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        if self.in_map {
            serde::de::IgnoredAny::deserialize(&mut *self.reader)?;
        }
        Ok(())
    }

    fn newtype_variant_seed<T: serde::de::DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<T::Value, Error> {
        seed.deserialize(&mut *self.reader)
    }

    fn tuple_variant<V: serde::de::Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        serde::Deserializer::deserialize_any(&mut *self.reader, visitor)
    }

    fn struct_variant<V: serde::de::Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        serde::Deserializer::deserialize_any(&mut *self.reader, visitor)
    }
}
