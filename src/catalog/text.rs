//! The catalog's text type: every id and every line of prose of the catalog is a [`Text`],
//! borrowed from the binary or owned, in two words. `build.rs` includes this file too.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize};

/// Text of the catalog, prose and ids alike: borrowed from the binary for the built-in catalog,
/// owned when read from a folder. What `Cow<'static, str>` is, in 16 bytes instead of 24: the
/// built-in catalog holds a few thousand, inline in its values, and every byte of them is
/// written at each start. The top bits of the length say the text is owned or stored (no text is
/// that long).
///
/// A text of the built-in catalog's static arrays is *stored*: an offset into the one string
/// `build.rs` writes (`strings::STRINGS`), not a pointer, so that those arrays hold no address to
/// relocate at start-up (see [`List`](super::List)).
pub struct Text {
    /// Owned or borrowed: the text's address. Stored: its offset in `strings::STRINGS`, plus one.
    ptr: std::ptr::NonNull<u8>,
    /// The length in bytes, with [`Text::OWNED`] set when `ptr` came from a `Box<str>`, or
    /// [`Text::STORED`] when it is an offset.
    len: usize,
}

// SAFETY: a `Text` is a `&'static str` or a `Box<str>`, both `Send` and `Sync`; nothing is
// shared mutably.
unsafe impl Send for Text {}
// SAFETY: as above.
unsafe impl Sync for Text {}

impl Text {
    const OWNED: usize = 1 << (usize::BITS - 1);
    const STORED: usize = 1 << (usize::BITS - 2);
    const FLAGS: usize = Self::OWNED | Self::STORED;

    /// The text at `offset..offset + len` of `strings::STRINGS`: what `build.rs` writes.
    ///
    /// # Safety
    ///
    /// That range must lie in `strings::STRINGS`, on character boundaries: a release build reads
    /// it unchecked. `build.rs` writes each offset with the string, and the tests read back
    /// every text of the built-in catalog (checked, in a debug build).
    pub const unsafe fn stored(offset: usize, len: usize) -> Self {
        Text {
            // SAFETY: one more than an offset is never zero. The pointer is never dereferenced:
            // `as_str` turns it back into the offset.
            ptr: unsafe {
                std::ptr::NonNull::new_unchecked(std::ptr::without_provenance_mut(offset + 1))
            },
            len: len | Self::STORED,
        }
    }

    /// A text borrowed from the binary (or any text that lives as long).
    pub const fn borrowed(text: &'static str) -> Self {
        Text {
            // SAFETY: a reference is never null.
            ptr: unsafe { std::ptr::NonNull::new_unchecked(text.as_ptr().cast_mut()) },
            len: text.len(),
        }
    }

    /// A text that owns its bytes.
    pub fn owned(text: String) -> Self {
        let len = text.len();
        let boxed = Box::into_raw(text.into_boxed_str());
        Text {
            // SAFETY: `Box::into_raw` never gives a null pointer.
            ptr: unsafe { std::ptr::NonNull::new_unchecked(boxed.cast::<u8>()) },
            len: len | Self::OWNED,
        }
    }

    /// Whether the text is borrowed (from the binary, for the built-in catalog).
    pub fn is_borrowed(&self) -> bool {
        self.len & Self::OWNED == 0
    }

    #[inline]
    pub fn as_str(&self) -> &str {
        let len = self.len & !Self::FLAGS;
        if self.len & Self::STORED != 0 {
            let range = self.ptr.as_ptr().addr() - 1..self.ptr.as_ptr().addr() - 1 + len;
            if cfg!(debug_assertions) {
                return &super::strings::STRINGS[range];
            }
            // SAFETY: `Text::stored`'s caller vouches for the range.
            return unsafe { super::strings::STRINGS.get_unchecked(range) };
        }
        // SAFETY: `ptr` and the length (without the flag) come from a `&'static str` or a
        // `Box<str>` this text owns, so they are valid UTF-8 for as long as `self`.
        unsafe { std::str::from_utf8_unchecked(std::slice::from_raw_parts(self.ptr.as_ptr(), len)) }
    }
}

impl Drop for Text {
    fn drop(&mut self) {
        if !self.is_borrowed() {
            let len = self.len & !Self::OWNED;
            // SAFETY: an owned text's pointer and length are those of the `Box<str>` that
            // `Text::owned` took apart, given back exactly once, here.
            drop(unsafe {
                Box::from_raw(std::ptr::slice_from_raw_parts_mut(self.ptr.as_ptr(), len) as *mut str)
            });
        }
    }
}

impl Clone for Text {
    fn clone(&self) -> Self {
        if self.is_borrowed() {
            Text {
                ptr: self.ptr,
                len: self.len,
            }
        } else {
            Text::owned(self.as_str().to_owned())
        }
    }
}

impl Default for Text {
    fn default() -> Self {
        Text::borrowed("")
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    #[inline]
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl std::borrow::Borrow<str> for Text {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<Text> for str {
    fn eq(&self, other: &Text) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Text> for &str {
    fn eq(&self, other: &Text) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<Text> for String {
    fn eq(&self, other: &Text) -> bool {
        self == other.as_str()
    }
}

impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Text {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl std::hash::Hash for Text {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self.as_str(), f)
    }
}

impl From<&'static str> for Text {
    fn from(text: &'static str) -> Self {
        Text::borrowed(text)
    }
}

impl From<String> for Text {
    fn from(text: String) -> Self {
        Text::owned(text)
    }
}

impl From<Text> for String {
    fn from(text: Text) -> Self {
        text.as_str().to_owned()
    }
}

impl Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Text::owned)
    }
}

impl JsonSchema for Text {
    fn schema_name() -> Cow<'static, str> {
        String::schema_name()
    }

    fn schema_id() -> Cow<'static, str> {
        String::schema_id()
    }

    fn inline_schema() -> bool {
        String::inline_schema()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        String::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_is_sixteen_bytes_and_behaves_as_its_str() {
        assert_eq!(std::mem::size_of::<Text>(), 16);
        assert_eq!(std::mem::size_of::<Option<Text>>(), 16);
        let borrowed = Text::borrowed("key-vault");
        let owned = Text::owned(String::from("key-vault"));
        assert!(borrowed.is_borrowed() && !owned.is_borrowed());
        assert_eq!(borrowed, owned);
        assert_eq!(owned, "key-vault");
        assert_eq!("key-vault", owned);
        // Looked up by its `str`, as the id indexes are.
        let index: std::collections::HashMap<Text, u8> = [(owned.clone(), 1)].into();
        assert_eq!(index.get("key-vault"), Some(&1));
        // A clone of an owned text owns its own bytes; dropping one leaves the other whole.
        let copy = owned.clone();
        assert!(!copy.is_borrowed());
        assert_ne!(copy.as_ptr(), owned.as_ptr());
        drop(owned);
        assert_eq!(&*copy, "key-vault");
        assert_eq!(format!("{copy:?} {borrowed}"), "\"key-vault\" key-vault");
        let empty = Text::owned(String::new());
        assert_eq!(&*empty, "");
        assert_eq!(Text::default(), empty);
        let json = serde_json::to_string(&copy).expect("writes");
        let back: Text = serde_json::from_str(&json).expect("reads");
        assert_eq!(back, copy);
    }
}
