//! Conditions over answers (`asked_when`, a rule's `when`) and the literal values they compare
//! with. A condition is written as a mapping with one form (`question` with one operator, or
//! `all`, `any`, `not`): [`RawCondition`] is that mapping, as the rule files and their schema
//! spell it; it is read once into the [`Condition`] enum that everything else matches on.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize};

use super::list::{List, Lone};

/// Text of the catalog, prose and ids alike: borrowed from the binary for the built-in catalog,
/// owned when read from a folder. What `Cow<'static, str>` is, in 16 bytes instead of 24: the
/// built-in catalog holds a few thousand, inline in its values, and every byte of them is
/// written at each start. The top bits of the length say the text is owned or stored (no text is
/// that long).
///
/// A text of the built-in catalog's static arrays is *stored*: an offset into the one string
/// `build.rs` writes (`arena::STRINGS`), not a pointer, so that those arrays hold no address to
/// relocate at start-up (see [`List`](super::List)).
pub struct Text {
    /// Owned or borrowed: the text's address. Stored: its offset in `arena::STRINGS`, plus one.
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

    /// The text at `offset..offset + len` of `arena::STRINGS`: what `build.rs` writes.
    ///
    /// # Safety
    ///
    /// That range must lie in `arena::STRINGS`, on character boundaries: a release build reads
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
                return &super::arena::STRINGS[range];
            }
            // SAFETY: `Text::stored`'s caller vouches for the range.
            return unsafe { super::arena::STRINGS.get_unchecked(range) };
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

/// A value written in a rule file where a choice id, a list of them, a yes/no or a number is
/// expected. What does not fit any of these is kept as written, for the validator to name.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(from = "serde_json::Value", into = "serde_json::Value")]
pub enum Literal {
    Bool(bool),
    Number(i64),
    Text(Text),
    List(List<Literal>),
    /// Anything else: nothing, a mapping, a fraction. Boxed: it is rare (the validator refuses
    /// most), and unboxed it would make every literal, and so every condition, three times as
    /// large.
    Other(Box<serde_json::Value>),
}

impl From<serde_json::Value> for Literal {
    fn from(value: serde_json::Value) -> Self {
        use serde_json::Value as Json;
        match value {
            Json::Bool(b) => Literal::Bool(b),
            Json::Number(n) if n.is_i64() => Literal::Number(n.as_i64().unwrap_or_default()),
            Json::String(s) => Literal::Text(s.into()),
            Json::Array(items) => Literal::List(items.into_iter().map(Literal::from).collect()),
            other => Literal::Other(Box::new(other)),
        }
    }
}

impl From<Literal> for serde_json::Value {
    fn from(literal: Literal) -> Self {
        match literal {
            Literal::Bool(b) => b.into(),
            Literal::Number(n) => n.into(),
            Literal::Text(s) => String::from(s).into(),
            Literal::List(items) => items
                .into_vec()
                .into_iter()
                .map(serde_json::Value::from)
                .collect(),
            Literal::Other(value) => *value,
        }
    }
}

impl Literal {
    /// A short description of the value's kind, for messages: `the boolean true`, `a list`.
    pub fn describe(&self) -> String {
        match self {
            Literal::Bool(b) => format!("the boolean {b}"),
            Literal::Number(n) => format!("the number {n}"),
            Literal::Text(s) => format!("the string {s:?}"),
            Literal::List(_) => "a list".into(),
            Literal::Other(other) => match &**other {
                serde_json::Value::Null => "nothing".into(),
                serde_json::Value::Number(n) => format!("the number {n}"),
                serde_json::Value::Object(_) => "a mapping".into(),
                other => other.to_string(),
            },
        }
    }

    /// The value in words: a text as written, anything else as JSON.
    pub fn shown(&self) -> String {
        match self {
            Literal::Text(s) => s.to_string(),
            other => serde_json::Value::from(other.clone()).to_string(),
        }
    }
}

impl JsonSchema for Literal {
    fn schema_name() -> Cow<'static, str> {
        serde_json::Value::schema_name()
    }

    fn schema_id() -> Cow<'static, str> {
        serde_json::Value::schema_id()
    }

    fn inline_schema() -> bool {
        serde_json::Value::inline_schema()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        serde_json::Value::json_schema(generator)
    }
}

/// A condition over answers, read once from its mapping.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(from = "RawCondition", into = "RawCondition")]
pub enum Condition {
    /// A comparison on the answer to one question.
    Compare {
        question: Text,
        test: Test,
    },
    All(List<Condition>),
    Any(List<Condition>),
    Not(Lone<Condition>),
    /// A mapping with no form or several, or a comparison without exactly one operator: kept as
    /// written, so that the validator reports it at its place among the catalog's other
    /// problems. A validated catalog has none; one never holds.
    Malformed(Box<RawCondition>),
}

/// What a comparison checks about an answer.
#[derive(Clone, Debug, PartialEq)]
pub enum Test {
    Equals(Literal),
    NotEquals(Literal),
    OneOf(List<Literal>),
    ContainsAny(List<Text>),
    ContainsAll(List<Text>),
    Gt(i64),
    Gte(i64),
    Lt(i64),
    Lte(i64),
}

impl Test {
    /// The operator's key in the rule files.
    pub fn key(&self) -> &'static str {
        match self {
            Test::Equals(_) => "equals",
            Test::NotEquals(_) => "not_equals",
            Test::OneOf(_) => "one_of",
            Test::ContainsAny(_) => "contains_any",
            Test::ContainsAll(_) => "contains_all",
            Test::Gt(_) => "gt",
            Test::Gte(_) => "gte",
            Test::Lt(_) => "lt",
            Test::Lte(_) => "lte",
        }
    }
}

/// A condition over answers. Exactly one form per mapping: a comparison on a question, or
/// `all`, `any` or `not`.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Default)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Condition")]
pub struct RawCondition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_equals: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_of: Option<Vec<serde_json::Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contains_any: Option<Vec<Text>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contains_all: Option<Vec<Text>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gt: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gte: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lt: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lte: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all: Option<Vec<Condition>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub any: Option<Vec<Condition>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not: Option<Box<Condition>>,
}

/// The comparison operators, in the order messages list them.
pub const OPERATORS: [&str; 9] = [
    "equals",
    "not_equals",
    "one_of",
    "contains_any",
    "contains_all",
    "gt",
    "gte",
    "lt",
    "lte",
];

impl RawCondition {
    /// How many of the forms `question`, `all`, `any`, `not` the mapping has.
    pub fn forms(&self) -> usize {
        [
            self.question.is_some(),
            self.all.is_some(),
            self.any.is_some(),
            self.not.is_some(),
        ]
        .into_iter()
        .filter(|f| *f)
        .count()
    }

    /// The operators the mapping has, in `OPERATORS` order.
    pub fn operators(&self) -> Vec<&'static str> {
        let set = [
            self.equals.is_some(),
            self.not_equals.is_some(),
            self.one_of.is_some(),
            self.contains_any.is_some(),
            self.contains_all.is_some(),
            self.gt.is_some(),
            self.gte.is_some(),
            self.lt.is_some(),
            self.lte.is_some(),
        ];
        OPERATORS
            .iter()
            .zip(set)
            .filter(|(_, s)| *s)
            .map(|(o, _)| *o)
            .collect()
    }
}

impl From<RawCondition> for Condition {
    fn from(raw: RawCondition) -> Self {
        if raw.forms() != 1 || (raw.question.is_some() && raw.operators().len() != 1) {
            return Condition::Malformed(Box::new(raw));
        }
        let RawCondition {
            question,
            equals,
            not_equals,
            one_of,
            contains_any,
            contains_all,
            gt,
            gte,
            lt,
            lte,
            all,
            any,
            not,
        } = raw;
        if let Some(all) = all {
            return Condition::All(all.into());
        }
        if let Some(any) = any {
            return Condition::Any(any.into());
        }
        if let Some(not) = not {
            return Condition::Not(Lone::new(*not));
        }
        let test = if let Some(v) = equals {
            Test::Equals(v.into())
        } else if let Some(v) = not_equals {
            Test::NotEquals(v.into())
        } else if let Some(vs) = one_of {
            Test::OneOf(vs.into_iter().map(Literal::from).collect())
        } else if let Some(vs) = contains_any {
            Test::ContainsAny(vs.into())
        } else if let Some(vs) = contains_all {
            Test::ContainsAll(vs.into())
        } else if let Some(n) = gt {
            Test::Gt(n)
        } else if let Some(n) = gte {
            Test::Gte(n)
        } else if let Some(n) = lt {
            Test::Lt(n)
        } else {
            Test::Lte(lte.unwrap_or_default())
        };
        Condition::Compare {
            question: question.unwrap_or_default(),
            test,
        }
    }
}

impl From<Condition> for RawCondition {
    fn from(condition: Condition) -> Self {
        let mut raw = RawCondition::default();
        match condition {
            Condition::Malformed(raw) => return *raw,
            Condition::All(all) => raw.all = Some(all.into_vec()),
            Condition::Any(any) => raw.any = Some(any.into_vec()),
            Condition::Not(not) => raw.not = Some(Box::new(not.into_inner())),
            Condition::Compare { question, test } => {
                raw.question = Some(question);
                match test {
                    Test::Equals(v) => raw.equals = Some(v.into()),
                    Test::NotEquals(v) => raw.not_equals = Some(v.into()),
                    Test::OneOf(vs) => {
                        raw.one_of = Some(
                            vs.into_vec()
                                .into_iter()
                                .map(serde_json::Value::from)
                                .collect(),
                        )
                    }
                    Test::ContainsAny(vs) => raw.contains_any = Some(vs.into_vec()),
                    Test::ContainsAll(vs) => raw.contains_all = Some(vs.into_vec()),
                    Test::Gt(n) => raw.gt = Some(n),
                    Test::Gte(n) => raw.gte = Some(n),
                    Test::Lt(n) => raw.lt = Some(n),
                    Test::Lte(n) => raw.lte = Some(n),
                }
            }
        }
        raw
    }
}

impl JsonSchema for Condition {
    fn schema_name() -> Cow<'static, str> {
        RawCondition::schema_name()
    }

    fn schema_id() -> Cow<'static, str> {
        RawCondition::schema_id()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        RawCondition::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(yaml: &str) -> Condition {
        serde_yaml::from_str(yaml).expect("a condition mapping")
    }

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

    #[test]
    fn each_form_reads_into_its_variant_and_writes_back_the_same() {
        let compare = read("question: scope\nequals: cluster\n");
        assert_eq!(
            compare,
            Condition::Compare {
                question: "scope".into(),
                test: Test::Equals(Literal::Text("cluster".into())),
            }
        );
        let nested = read(
            "all:\n  - question: service_accounts\n    gt: 20\n  - not:\n      question: targets\n      contains_any: [sql]\n",
        );
        let Condition::All(items) = &nested else {
            panic!("{nested:?}")
        };
        assert!(matches!(
            &items[0],
            Condition::Compare {
                test: Test::Gt(20),
                ..
            }
        ));
        assert!(matches!(&items[1], Condition::Not(_)));
        for condition in [compare, nested] {
            let json = serde_json::to_value(&condition).unwrap();
            assert_eq!(
                serde_json::from_value::<Condition>(json).unwrap(),
                condition
            );
        }
    }

    #[test]
    fn a_mapping_without_exactly_one_form_or_operator_is_kept_for_the_validator() {
        for yaml in [
            "{}\n",
            "question: scope\nall: []\n",
            "question: scope\n",
            "question: scope\nequals: cluster\nnot_equals: pod\n",
        ] {
            assert!(matches!(read(yaml), Condition::Malformed(_)), "{yaml}");
        }
        // The format stays strict: an unknown key is an error of the mapping.
        assert!(serde_yaml::from_str::<Condition>("question: scope\nequal: x\n").is_err());
    }

    #[test]
    fn literals_keep_what_does_not_fit_for_the_message() {
        assert_eq!(
            Literal::from(serde_json::json!(1.5)).describe(),
            "the number 1.5"
        );
        assert_eq!(Literal::from(serde_json::json!(null)).describe(), "nothing");
        assert_eq!(Literal::from(serde_json::json!(["a"])).shown(), "[\"a\"]");
        assert_eq!(Literal::from(serde_json::json!(7)), Literal::Number(7));
    }
}
