//! The catalog's lists, read in place. A list of the built-in catalog is a range of one static
//! array per element type that `build.rs` writes (see `construct.rs`), so a run builds nothing
//! and copies nothing to read it; a list read from a folder owns its elements. Neither form holds
//! a pointer into the binary: a stored list is an offset, so the static arrays need no relocation
//! at start-up and stay in read-only pages that the program touches only where it reads them.
//! `build.rs` includes this file too.

use std::borrow::Cow;
use std::marker::PhantomData;
use std::ptr::NonNull;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize};

use super::text::Text;

/// An ordered map with a fast hash: catalogs are local files, and a generated one holds tens of
/// thousands of these.
pub type Map<K, V> = indexmap::IndexMap<K, V, rustc_hash::FxBuildHasher>;

/// A type the built-in catalog stores lists of: [`Stored::arena`] is the one static array that
/// holds every element of every such list, each list a range of it.
pub trait Stored: Sized + 'static {
    fn arena() -> &'static [Self];
}

/// A list of the catalog: a range of [`Stored::arena`] (the built-in catalog) or a boxed slice
/// of its own (a catalog read from a folder). Reads as a slice; writing through it
/// ([`std::ops::DerefMut`]) first copies a stored list into one of its own, as `Cow` does.
pub struct List<T> {
    /// Owned: the boxed slice's pointer. Stored: the offset in the arena, plus one (so that it is
    /// never null and an `Option<List>` costs nothing more).
    ptr: NonNull<T>,
    /// The length, with [`OWNED`] set when `ptr` came from a `Box<[T]>`.
    len: usize,
    _owns: PhantomData<T>,
}

/// The top bit of [`List::len`]: no list is that long.
const OWNED: usize = 1 << (usize::BITS - 1);

// SAFETY: a list is a shared range of a static array or a `Box<[T]>`; it is as `Send` and `Sync`
// as its elements.
unsafe impl<T: Send> Send for List<T> {}
// SAFETY: as above.
unsafe impl<T: Sync> Sync for List<T> {}

impl<T> List<T> {
    /// An empty list.
    pub const fn new() -> Self {
        // SAFETY: the empty range at the start lies in any arena.
        unsafe { List::stored(0, 0) }
    }

    /// The range `offset..offset + len` of the arena: what `build.rs` writes.
    ///
    /// # Safety
    ///
    /// That range must lie in `T`'s arena ([`Stored::arena`]): a release build reads it
    /// unchecked. `build.rs` writes each range with the arena, and the tests read back every
    /// list of the built-in catalog (checked, in a debug build).
    pub const unsafe fn stored(offset: usize, len: usize) -> Self {
        List {
            // SAFETY: one more than an offset is never zero. The pointer is never dereferenced:
            // `as_slice` turns it back into the offset.
            ptr: unsafe { NonNull::new_unchecked(std::ptr::without_provenance_mut(offset + 1)) },
            len,
            _owns: PhantomData,
        }
    }

    /// A list that owns its elements.
    pub fn owned(items: Vec<T>) -> Self {
        let boxed = Box::into_raw(items.into_boxed_slice());
        List {
            len: boxed.len() | OWNED,
            // SAFETY: `Box::into_raw` never gives a null pointer.
            ptr: unsafe { NonNull::new_unchecked(boxed.cast::<T>()) },
            _owns: PhantomData,
        }
    }

    pub fn len(&self) -> usize {
        self.length()
    }

    pub fn is_empty(&self) -> bool {
        self.length() == 0
    }

    fn is_owned(&self) -> bool {
        self.len & OWNED != 0
    }

    fn length(&self) -> usize {
        self.len & !OWNED
    }
}

impl<T: Stored> List<T> {
    #[inline]
    pub fn as_slice(&self) -> &[T] {
        let len = self.length();
        if self.is_owned() {
            // SAFETY: an owned list's pointer and length are those of the `Box<[T]>` that
            // `List::owned` took apart, alive for as long as `self`.
            return unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), len) };
        }
        let start = self.ptr.as_ptr().addr() - 1;
        if cfg!(debug_assertions) {
            return &T::arena()[start..start + len];
        }
        // SAFETY: `List::stored`'s caller vouches for the range.
        unsafe { T::arena().get_unchecked(start..start + len) }
    }
}

impl<T: Stored + Clone> List<T> {
    /// The elements as a `Vec` of their own.
    pub fn into_vec(self) -> Vec<T> {
        if !self.is_owned() {
            return self.as_slice().to_vec();
        }
        let this = std::mem::ManuallyDrop::new(self);
        let len = this.length();
        // SAFETY: the `Box<[T]>` that `List::owned` took apart, given back once: `this` is not
        // dropped.
        unsafe {
            Box::from_raw(std::ptr::slice_from_raw_parts_mut(this.ptr.as_ptr(), len)).into_vec()
        }
    }

    /// Appends an element (copying a stored list into one of its own first).
    pub fn push(&mut self, item: T) {
        let mut items = std::mem::take(self).into_vec();
        items.push(item);
        *self = List::owned(items);
    }
}

impl<T> Drop for List<T> {
    fn drop(&mut self) {
        if self.is_owned() {
            let len = self.length();
            // SAFETY: the `Box<[T]>` that `List::owned` took apart, given back exactly once.
            drop(unsafe {
                Box::from_raw(std::ptr::slice_from_raw_parts_mut(self.ptr.as_ptr(), len))
            });
        }
    }
}

impl<T> Default for List<T> {
    fn default() -> Self {
        List::new()
    }
}

impl<T: Stored + Clone> Clone for List<T> {
    fn clone(&self) -> Self {
        if self.is_owned() {
            List::owned(self.as_slice().to_vec())
        } else {
            // SAFETY: the range of `self`, which `List::stored`'s caller vouched for.
            unsafe { List::stored(self.ptr.as_ptr().addr() - 1, self.len) }
        }
    }
}

impl<T: Stored> std::ops::Deref for List<T> {
    type Target = [T];
    #[inline]
    fn deref(&self) -> &[T] {
        self.as_slice()
    }
}

impl<T: Stored + Clone> std::ops::DerefMut for List<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        if !self.is_owned() {
            *self = List::owned(self.as_slice().to_vec());
        }
        // SAFETY: now owned (above): the `Box<[T]>` that `List::owned` took apart, borrowed
        // mutably through `self`.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.length()) }
    }
}

impl<T: Stored + std::fmt::Debug> std::fmt::Debug for List<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_slice(), f)
    }
}

impl<T: Stored + PartialEq> PartialEq for List<T> {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<T> From<Vec<T>> for List<T> {
    fn from(items: Vec<T>) -> Self {
        List::owned(items)
    }
}

/// Allocated at its final size when the iterator knows it (not collected in place into the
/// source's allocation, which would then have to be shrunk to become a boxed slice).
impl<T> FromIterator<T> for List<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let iter = iter.into_iter();
        let items = match iter.size_hint() {
            (low, Some(high)) if low == high => {
                let mut items = Vec::with_capacity(low);
                items.extend(iter);
                items
            }
            _ => iter.collect(),
        };
        List::owned(items)
    }
}

impl<'a, T: Stored> IntoIterator for &'a List<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

impl<'a, T: Stored + Clone> IntoIterator for &'a mut List<T> {
    type Item = &'a mut T;
    type IntoIter = std::slice::IterMut<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        use std::ops::DerefMut;
        self.deref_mut().iter_mut()
    }
}

impl<T: Stored + Serialize> Serialize for List<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.as_slice())
    }
}

/// Most lists of a catalog hold one to three entries (a statement's sources, a rule's caveats):
/// those are read first and allocated at their exact size, since a growing `Vec` would have to
/// be shrunk (reallocated) to become a boxed slice.
impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Items<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Items<T> {
            type Value = List<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a sequence")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<List<T>, A::Error> {
                let Some(a) = seq.next_element()? else {
                    return Ok(List::new());
                };
                let Some(b) = seq.next_element()? else {
                    return Ok(List::owned(vec![a]));
                };
                let Some(c) = seq.next_element()? else {
                    return Ok(List::owned(vec![a, b]));
                };
                let Some(d) = seq.next_element()? else {
                    return Ok(List::owned(vec![a, b, c]));
                };
                let mut items = Vec::with_capacity(8);
                items.extend([a, b, c, d]);
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(List::owned(items))
            }
        }
        deserializer.deserialize_seq(Items(PhantomData))
    }
}

impl<T: JsonSchema> JsonSchema for List<T> {
    fn schema_name() -> Cow<'static, str> {
        Vec::<T>::schema_name()
    }

    fn schema_id() -> Cow<'static, str> {
        Vec::<T>::schema_id()
    }

    fn inline_schema() -> bool {
        Vec::<T>::inline_schema()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        Vec::<T>::json_schema(generator)
    }
}

/// One value held the way a [`List`] holds its elements: what a `Box` is to a value of a
/// recursive type (`not` in a condition), for a catalog read in place.
pub struct Lone<T>(List<T>);

impl<T> Lone<T> {
    pub fn new(value: T) -> Self {
        Lone(List::owned(vec![value]))
    }

    /// The element at `offset` of the arena: what `build.rs` writes.
    ///
    /// # Safety
    ///
    /// As for [`List::stored`] with a length of one.
    pub const unsafe fn stored(offset: usize) -> Self {
        // SAFETY: the caller vouches for the range.
        Lone(unsafe { List::stored(offset, 1) })
    }
}

impl<T: Stored + Clone> Lone<T> {
    pub fn into_inner(self) -> T {
        self.0.into_vec().swap_remove(0)
    }
}

impl<T: Stored + Clone> Clone for Lone<T> {
    fn clone(&self) -> Self {
        Lone(self.0.clone())
    }
}

impl<T: Stored> std::ops::Deref for Lone<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0.as_slice()[0]
    }
}

impl<T: Stored + PartialEq> PartialEq for Lone<T> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl<T: Stored + std::fmt::Debug> std::fmt::Debug for Lone<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

/// A mapping of the catalog with text keys, in the order written: a [`List`] of pairs. A few
/// entries (a rule's score changes, the built-in models' row values) are looked up by walking
/// them; a larger mapping read from a folder (a generated catalog's thousands of row values)
/// also keeps its positions sorted by key, and is looked up by binary search.
pub struct Keyed<V> {
    pairs: List<(Text, V)>,
    /// Owned mappings of more than [`Keyed::WALKED`] entries: the positions of `pairs`, sorted
    /// by key.
    sorted: Option<Box<[u32]>>,
}

impl<V> Keyed<V> {
    /// The most entries looked up by walking them.
    const WALKED: usize = 16;

    /// The pairs at `offset..offset + len` of the arena: what `build.rs` writes.
    ///
    /// # Safety
    ///
    /// As for [`List::stored`].
    pub const unsafe fn stored(offset: usize, len: usize) -> Self {
        Keyed {
            // SAFETY: the caller vouches for the range.
            pairs: unsafe { List::stored(offset, len) },
            sorted: None,
        }
    }

    /// The pairs, in the order written.
    pub fn pairs(&self) -> &[(Text, V)]
    where
        (Text, V): Stored,
    {
        &self.pairs
    }

    /// The pairs in this order; the caller keeps the keys unique.
    pub fn owned(pairs: Vec<(Text, V)>) -> Self {
        let sorted = (pairs.len() > Self::WALKED).then(|| {
            let mut positions: Vec<u32> = (0..pairs.len())
                .map(|at| u32::try_from(at).expect("fewer than 2^32 entries"))
                .collect();
            positions.sort_unstable_by(|a, b| pairs[*a as usize].0.cmp(&pairs[*b as usize].0));
            positions.into_boxed_slice()
        });
        Keyed {
            pairs: List::owned(pairs),
            sorted,
        }
    }
}

impl<V> Default for Keyed<V> {
    fn default() -> Self {
        Keyed {
            pairs: List::new(),
            sorted: None,
        }
    }
}

impl<V> Keyed<V>
where
    (Text, V): Stored,
{
    pub fn get(&self, key: &str) -> Option<&V> {
        let pairs = self.pairs.as_slice();
        match &self.sorted {
            Some(sorted) => sorted
                .binary_search_by(|at| pairs[*at as usize].0.as_str().cmp(key))
                .ok()
                .map(|found| &pairs[sorted[found] as usize].1),
            None => pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v),
        }
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    pub fn iter(&self) -> KeyedIter<'_, V> {
        self.pairs.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &Text> {
        self.pairs.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.pairs.iter().map(|(_, v)| v)
    }
}

impl<V: Clone> Keyed<V>
where
    (Text, V): Stored,
{
    /// The values, to change in place (the keys, and so the lookup order, stay).
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.pairs.iter_mut().map(|(_, v)| v)
    }
}

/// The pairs of a [`Keyed`], as references.
pub type KeyedIter<'a, V> =
    std::iter::Map<std::slice::Iter<'a, (Text, V)>, fn(&'a (Text, V)) -> (&'a Text, &'a V)>;

impl<'a, V> IntoIterator for &'a Keyed<V>
where
    (Text, V): Stored,
{
    type Item = (&'a Text, &'a V);
    type IntoIter = KeyedIter<'a, V>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<V> std::ops::Index<&str> for Keyed<V>
where
    (Text, V): Stored,
{
    type Output = V;
    fn index(&self, key: &str) -> &V {
        self.get(key).expect("the key is in the mapping")
    }
}

impl<V: Clone> Clone for Keyed<V>
where
    (Text, V): Stored,
{
    fn clone(&self) -> Self {
        Keyed {
            pairs: self.pairs.clone(),
            sorted: self.sorted.clone(),
        }
    }
}

impl<V: PartialEq> PartialEq for Keyed<V>
where
    (Text, V): Stored,
{
    fn eq(&self, other: &Self) -> bool {
        self.pairs == other.pairs
    }
}

impl<V: std::fmt::Debug> std::fmt::Debug for Keyed<V>
where
    (Text, V): Stored,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<V: Serialize> Serialize for Keyed<V>
where
    (Text, V): Stored,
{
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

/// A mapping whose keys must not repeat. Parsers that stream into a map keep the last of two
/// equal keys; a catalog must say which one it means.
impl<'de, V: Deserialize<'de>> Deserialize<'de> for Keyed<V> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Unique<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> serde::de::Visitor<'de> for Unique<V> {
            type Value = Map<Text, V>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a mapping")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut out = Map::default();
                while let Some((key, value)) = map.next_entry::<Text, V>()? {
                    if out.contains_key(&key) {
                        return Err(serde::de::Error::custom(format!("duplicate key `{key}`")));
                    }
                    out.insert(key, value);
                }
                Ok(out)
            }
        }
        deserializer
            .deserialize_map(Unique(PhantomData))
            .map(|map| Keyed::owned(map.into_iter().collect()))
    }
}

impl<V: JsonSchema> JsonSchema for Keyed<V> {
    fn schema_name() -> Cow<'static, str> {
        Map::<Text, V>::schema_name()
    }

    fn schema_id() -> Cow<'static, str> {
        Map::<Text, V>::schema_id()
    }

    fn inline_schema() -> bool {
        Map::<Text, V>::inline_schema()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        Map::<Text, V>::json_schema(generator)
    }
}

/// The position of a free slot of a table of ids (see `catalog::Index::Table`).
pub const FREE: u32 = u32::MAX;

/// Where the id `id` goes in a table of ids of `size` slots, a power of two: `build.rs` places
/// the built-in catalog's ids with it, and a run finds them with it. The id's bytes eight at a
/// time, little-endian, mixed by a multiply (as `FxHasher` does), the high half taken.
pub fn slot(id: &str, size: usize) -> usize {
    let mut hash = id.len() as u64;
    for chunk in id.as_bytes().chunks(8) {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        hash = (hash.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    ((hash >> 32) as usize) & size.wrapping_sub(1)
}

/// The slot of a table of ids (see `catalog::Index::Table`) that holds `id`, or else the free
/// slot where `id` goes: from its [`slot`] on, the first that holds it or is free. The table
/// has a free slot (`build.rs` makes it more than twice as large as its ids).
pub fn probe(slots: &[(Text, u32)], id: &str) -> usize {
    let mut at = slot(id, slots.len());
    while slots[at].1 != FREE && slots[at].0 != id {
        at = (at + 1) % slots.len();
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Rule, builtin};

    #[test]
    fn a_list_costs_two_words_and_a_mapping_four() {
        assert_eq!(std::mem::size_of::<List<Text>>(), 16);
        assert_eq!(std::mem::size_of::<Option<List<Text>>>(), 16);
        assert_eq!(std::mem::size_of::<Keyed<i64>>(), 32);
        assert_eq!(std::mem::size_of::<Lone<Text>>(), 16);
    }

    /// An owned list reads, compares, prints, clones and round-trips as a `Vec` does.
    #[test]
    fn an_owned_list_behaves_as_a_vec() {
        let items: Vec<Text> = vec!["a".into(), String::from("b").into(), "c".into()];
        let list = List::owned(items.clone());
        assert!(list.is_owned());
        assert_eq!(&*list, &items[..]);
        assert_eq!(list.len(), 3);
        assert!(!list.is_empty() && List::<Text>::new().is_empty());
        assert_eq!(format!("{list:?}"), format!("{items:?}"));
        let mut copy = list.clone();
        copy[0] = "z".into();
        copy.push("d".into());
        assert_eq!(list.as_slice(), &items[..], "the original is untouched");
        assert_eq!(copy.iter().map(|t| t.as_str()).collect::<String>(), "zbcd");
        assert_eq!(copy.clone().into_vec().len(), 4);
        let json = serde_json::to_string(&list).expect("writes");
        assert_eq!(json, serde_json::to_string(&items).expect("writes"));
        assert_eq!(
            serde_json::from_str::<List<Text>>(&json).expect("reads"),
            list
        );
        assert_eq!(
            serde_json::to_value(schemars::schema_for!(List<Text>)).expect("schema"),
            serde_json::to_value(schemars::schema_for!(Vec<Text>)).expect("schema")
        );
    }

    /// Every length reads back as written, from JSON and from YAML.
    #[test]
    fn a_list_of_any_length_reads_back() {
        for n in 0..7 {
            let items: Vec<i64> = (0..n).collect();
            let json = serde_json::to_string(&items).expect("writes");
            let list: List<(Text, i64)> = serde_json::from_str(&format!(
                "[{}]",
                items
                    .iter()
                    .map(|i| format!("[\"k{i}\", {i}]"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .expect("reads pairs");
            assert_eq!(list.len(), items.len(), "{json}");
            assert!(
                list.iter()
                    .enumerate()
                    .all(|(i, (k, v))| *k == format!("k{i}") && *v == i as i64)
            );
            let texts: List<Text> = serde_yaml::from_str(&format!(
                "[{}]",
                items
                    .iter()
                    .map(|i| format!("t{i}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .expect("reads YAML");
            assert_eq!(texts.len(), items.len());
        }
        assert!(serde_json::from_str::<List<Text>>("{}").is_err());
    }

    /// The built-in catalog's lists are read in place; writing to one copies it first, and the
    /// stored one stays as it was.
    #[test]
    fn a_stored_list_is_copied_before_it_is_written() {
        let catalog = builtin::load().expect("the built-in catalog loads");
        let rule: &Rule = catalog
            .rules
            .iter()
            .find(|r| r.sources.len() > 1)
            .expect("a rule with sources");
        assert!(!rule.sources.is_owned(), "read in place");
        let stored = rule.sources.clone();
        assert!(
            !stored.is_owned(),
            "a clone of a stored list is the same range"
        );
        assert_eq!(stored, rule.sources);
        let mut written = stored.clone();
        written[0] = "changed".into();
        assert!(written.is_owned());
        assert_eq!(written[1], rule.sources[1]);
        assert_ne!(written[0], rule.sources[0]);
        assert_eq!(stored, rule.sources, "the stored list is unchanged");
        assert_eq!(stored.into_vec(), rule.sources.to_vec());
    }

    /// A mapping keeps the order written, finds by key, prints and serializes as a map, and
    /// refuses a repeated key.
    #[test]
    fn a_keyed_mapping_reads_as_an_ordered_map() {
        let keyed: Keyed<i64> =
            serde_json::from_str(r#"{"workload": 2, "cluster": -1}"#).expect("reads");
        assert_eq!(keyed.get("cluster"), Some(&-1));
        assert_eq!(keyed["workload"], 2);
        assert!(keyed.contains_key("workload") && !keyed.contains_key("pod"));
        assert_eq!(
            keyed.keys().map(|k| k.as_str()).collect::<Vec<_>>(),
            ["workload", "cluster"]
        );
        assert_eq!(format!("{keyed:?}"), r#"{"workload": 2, "cluster": -1}"#);
        assert_eq!(
            serde_json::to_string(&keyed).expect("writes"),
            r#"{"workload":2,"cluster":-1}"#
        );
        let err = serde_json::from_str::<Keyed<i64>>(r#"{"a": 1, "a": 2}"#).unwrap_err();
        assert!(err.to_string().contains("duplicate key `a`"), "{err}");
    }

    /// A large mapping (a generated catalog's row values) is found by key whatever the order
    /// written, and still iterates and prints in that order.
    #[test]
    fn a_large_mapping_is_found_by_key_and_keeps_its_order() {
        let n = 40;
        let json = format!(
            "{{{}}}",
            (0..n)
                .rev()
                .map(|i| format!("\"row-{i}\": {i}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let keyed: Keyed<i64> = serde_json::from_str(&json).expect("reads");
        assert!(keyed.sorted.is_some(), "indexed");
        for i in 0..n {
            assert_eq!(keyed.get(&format!("row-{i}")), Some(&i), "row-{i}");
        }
        assert_eq!(keyed.get("row-40"), None);
        assert_eq!(keyed.get(""), None);
        assert_eq!(keyed.keys().next().map(|k| k.as_str()), Some("row-39"));
        assert_eq!(
            serde_json::to_string(&keyed)
                .expect("writes")
                .replace(':', ": ")
                .replace(",", ", "),
            json
        );
        let mut copy = keyed.clone();
        copy.values_mut().for_each(|v| *v += 1);
        assert_eq!(copy.get("row-7"), Some(&8));
        assert_eq!(keyed.get("row-7"), Some(&7));
        let small: Keyed<i64> = serde_json::from_str(r#"{"b": 1, "a": 2}"#).expect("reads");
        assert!(small.sorted.is_none(), "walked");
    }

    #[test]
    fn a_lone_value_reads_as_the_value() {
        let lone = Lone::new(Text::from("x"));
        assert_eq!(lone.as_str(), "x");
        assert_eq!(format!("{lone:?}"), "\"x\"");
        assert_eq!(lone.clone(), lone);
        assert_eq!(lone.into_inner(), "x");
    }

    /// Every id has a slot in the table, whatever the size.
    #[test]
    fn a_slot_lies_in_its_table() {
        for size in [1, 2, 8, 256] {
            for id in ["", "a", "workload", "key-vault-secrets-provider-addon"] {
                assert!(slot(id, size) < size);
            }
        }
    }
}
