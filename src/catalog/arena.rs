//! The built-in catalog's data as `build.rs` wrote it (see `construct.rs`): `STRINGS`, every text
//! of the catalog once, and one static array per type the catalog keeps lists of, each with its
//! [`Stored`] impl. The arrays hold offsets into `STRINGS` and into each other, never addresses,
//! so they sit in read-only pages that need no relocation and are read in place.
//!
//! This module is what vouches for the offsets (the `stored` constructors are `unsafe`): the
//! short constructors below are for the code `build.rs` writes, which computes every offset with
//! the string or array it points into. The tests read back every text and list of the built-in
//! catalog, checked, in a debug build.

#![allow(clippy::all, clippy::pedantic)]

use super::*;

/// A stored text.
pub(super) const fn t(offset: usize, len: usize) -> Text {
    // SAFETY: see the module's note.
    unsafe { Text::stored(offset, len) }
}

/// A stored list.
pub(super) const fn l<T>(offset: usize, len: usize) -> List<T> {
    // SAFETY: see the module's note.
    unsafe { List::stored(offset, len) }
}

/// A stored value of a recursive type.
pub(super) const fn o<T>(offset: usize) -> Lone<T> {
    // SAFETY: see the module's note.
    unsafe { Lone::stored(offset) }
}

/// A stored mapping.
pub(super) const fn k<V>(offset: usize, len: usize) -> Keyed<V> {
    // SAFETY: see the module's note.
    unsafe { Keyed::stored(offset, len) }
}

include!(concat!(env!("OUT_DIR"), "/builtin_arena.rs"));
