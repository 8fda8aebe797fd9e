//! Every text of the built-in catalog, once, as one string that `build.rs` writes: a stored
//! [`Text`](super::Text) is a range of it. A module of its own, below the catalog's types, so
//! that reading a text needs nothing of the data that holds it.

/// The texts, one after the other.
pub static STRINGS: &str = include!(concat!(env!("OUT_DIR"), "/builtin_strings.rs"));
