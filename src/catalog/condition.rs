//! Conditions over answers (`asked_when`, a rule's `when`) and the literal values they compare
//! with. A condition is written as a mapping with one form (`question` with one operator, or
//! `all`, `any`, `not`): [`RawCondition`] is that mapping, as the rule files and their schema
//! spell it; it is read once into the [`Condition`] enum that everything else matches on.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize};

use super::list::{List, Lone};
use super::text::Text;

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
    pub contains_any: Option<List<Text>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contains_all: Option<List<Text>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gt: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gte: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lt: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lte: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all: Option<List<Condition>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub any: Option<List<Condition>>,
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
            return Condition::All(all);
        }
        if let Some(any) = any {
            return Condition::Any(any);
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
            Test::ContainsAny(vs)
        } else if let Some(vs) = contains_all {
            Test::ContainsAll(vs)
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
            Condition::All(all) => raw.all = Some(all),
            Condition::Any(any) => raw.any = Some(any),
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
                    Test::ContainsAny(vs) => raw.contains_any = Some(vs),
                    Test::ContainsAll(vs) => raw.contains_all = Some(vs),
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
