//! Answers to the questionnaire: typed values, parsed the same way wherever they come from (a
//! `--set` flag, an answers file, a piped line, a prompt), with the origin kept for messages.
//!
//! Values are normalized on the way in (choice ids lowercased, lists in the question's choice
//! order without repeats), so the same answers always give the same advice and the same JSON.

use std::fmt;

use indexmap::IndexMap;
use serde::Serialize;

use crate::catalog::{Catalog, Kind, Literal, Question};
use crate::diag::{clip, did_you_mean};
use crate::error::Error;
use crate::yaml::{Document, NodePath, Value};

/// Largest answers file accepted, in bytes. A complete answers file is a few hundred bytes; the
/// YAML parser needs about two seconds per megabyte of densely packed nodes, so a larger limit
/// would let a bad file stall a pipeline.
pub const MAX_ANSWERS_BYTES: usize = 64 * 1024;

/// One answer, typed by its question's kind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Answer {
    Choice(String),
    Choices(Vec<String>),
    YesNo(bool),
    Number(i64),
}

impl fmt::Display for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Answer::Choice(c) => f.write_str(c),
            Answer::Choices(list) if list.is_empty() => f.write_str("none"),
            Answer::Choices(list) => f.write_str(&list.join(", ")),
            Answer::YesNo(true) => f.write_str("yes"),
            Answer::YesNo(false) => f.write_str("no"),
            Answer::Number(n) => write!(f, "{n}"),
        }
    }
}

/// Where an answer came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    Flag(String),
    File {
        file: String,
        line: usize,
        column: usize,
    },
    Stdin {
        line: usize,
    },
    Prompt,
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Flag(text) => write!(f, "--set {}", clip(text, MAX_SHOWN)),
            Origin::File { file, line, column } => write!(f, "{file}:{line}:{column}"),
            Origin::Stdin { line } => write!(f, "stdin line {line}"),
            Origin::Prompt => f.write_str("prompt"),
            Origin::Default => f.write_str("default"),
        }
    }
}

/// The answers given so far, by question id, in the order they were given.
pub type Answers = IndexMap<String, Answer>;

/// The most characters of a value, question id or flag echoed in a message.
const MAX_SHOWN: usize = 80;

/// A bad answer: names the question, the value, where it came from and what would fit.
pub fn bad_answer(origin: &Origin, question: &Question, value: &str, problem: &str) -> Error {
    Error::Answer(format!(
        "{origin}: question `{}`: {problem} `{}`; expected {}",
        question.id,
        clip(value, MAX_SHOWN),
        expected(question)
    ))
}

/// What a question accepts, for messages and prompts.
pub fn expected(question: &Question) -> String {
    let numbered = || {
        question
            .choices
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{} ({})", c.id, i + 1))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match question.kind {
        Kind::OneOf => format!("one of: {}", numbered()),
        Kind::AnyOf => format!("a comma-separated list of: {}; or none", numbered()),
        Kind::YesNo => "yes or no (y/n, true/false)".to_owned(),
        Kind::Number => match (question.min, question.max) {
            (Some(min), Some(max)) => format!("a whole number from {min} to {max}"),
            (Some(min), None) => format!("a whole number from {min}"),
            (None, Some(max)) => format!("a whole number up to {max}"),
            (None, None) => "a whole number".to_owned(),
        },
    }
}

/// Parses a typed-in answer (flag, piped line, prompt). The caller handles blank input.
pub fn parse_text(question: &Question, text: &str, origin: &Origin) -> Result<Answer, Error> {
    let text = text.trim();
    match question.kind {
        Kind::OneOf => choice(question, text)
            .map(|c| Answer::Choice(c.to_owned()))
            .ok_or_else(|| unknown_choice(origin, question, text)),
        Kind::AnyOf => {
            if text.eq_ignore_ascii_case("none") {
                return Ok(Answer::Choices(Vec::new()));
            }
            let items: Vec<&str> = text.split(',').map(str::trim).collect();
            choices(question, &items, origin)
        }
        Kind::YesNo => yes_no(text).map(Answer::YesNo).ok_or_else(|| {
            let hint = did_you_mean(text, ["yes", "no", "true", "false"]);
            match bad_answer(origin, question, text, "not yes or no:") {
                Error::Answer(message) => Error::Answer(message + &hint),
                other => other,
            }
        }),
        Kind::Number => number(question, text.parse::<i64>().ok(), text, origin),
    }
}

/// Parses an answer from a YAML/JSON value of an answers file. A problem with one item of a
/// list is reported at `origin`; see [`parse_value_at`] to point at the item itself.
pub fn parse_value(question: &Question, value: &Value, origin: &Origin) -> Result<Answer, Error> {
    parse_value_at(question, value, origin, &|_| origin.clone())
}

/// Parses an answer from a YAML/JSON value found at `origin`; `item_origin(i)` is where the
/// `i`th item of a list starts, so that a bad item is reported where it is written.
pub fn parse_value_at(
    question: &Question,
    value: &Value,
    origin: &Origin,
    item_origin: &dyn Fn(usize) -> Origin,
) -> Result<Answer, Error> {
    let shown = show(value);
    match (question.kind, value) {
        (Kind::AnyOf, Value::Sequence(items)) => {
            let mut texts = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let at = item_origin(i);
                let Some(text) = scalar(item) else {
                    return Err(bad_answer(&at, question, &show(item), "not a choice id:"));
                };
                let text = text.trim().to_owned();
                if text.is_empty() {
                    return Err(bad_answer(&at, question, &text, "empty item"));
                }
                if choice(question, &text).is_none() {
                    return Err(unknown_choice(&at, question, &text));
                }
                texts.push(text);
            }
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            choices(question, &refs, origin)
        }
        (Kind::AnyOf, Value::Null) => Ok(Answer::Choices(Vec::new())),
        (Kind::YesNo, Value::Bool(b)) => Ok(Answer::YesNo(*b)),
        (Kind::Number, Value::Number(n)) => number(question, n.as_i64(), &shown, origin),
        (Kind::Number, Value::String(s)) => number(question, s.trim().parse().ok(), s, origin),
        (Kind::OneOf, Value::Number(n)) => parse_text(question, &n.to_string(), origin),
        (_, Value::String(s)) => {
            if s.trim().is_empty() {
                return Err(bad_answer(origin, question, s, "empty answer"));
            }
            parse_text(question, s, origin)
        }
        (_, Value::Tagged(t)) => parse_value_at(question, &t.value, origin, item_origin),
        _ => Err(bad_answer(origin, question, &shown, "wrong kind of value:")),
    }
}

fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn show(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Sequence(_) => "a list".into(),
        Value::Mapping(_) => "a mapping".into(),
        Value::Tagged(t) => format!("{} {}", t.tag, show(&t.value)),
    }
}

/// A text that is no choice: a number out of range, or an unknown id with the nearest choice
/// suggested.
fn unknown_choice(origin: &Origin, question: &Question, text: &str) -> Error {
    if text.parse::<usize>().is_ok() {
        return bad_answer(origin, question, text, "no choice has the number");
    }
    let hint = did_you_mean(text, question.choices.iter().map(|c| c.id.as_str()));
    match bad_answer(origin, question, text, "unknown choice") {
        Error::Answer(message) => Error::Answer(message + &hint),
        other => other,
    }
}

/// A choice by id (case-insensitive) or 1-based number.
fn choice<'q>(question: &'q Question, text: &str) -> Option<&'q str> {
    if let Ok(n) = text.parse::<usize>() {
        return n
            .checked_sub(1)
            .and_then(|i| question.choices.get(i))
            .map(|c| c.id.as_str());
    }
    question
        .choices
        .iter()
        .find(|c| c.id.eq_ignore_ascii_case(text))
        .map(|c| c.id.as_str())
}

/// A list of choices, normalized to the question's choice order without repeats.
fn choices(question: &Question, items: &[&str], origin: &Origin) -> Result<Answer, Error> {
    let mut picked = vec![false; question.choices.len()];
    for item in items {
        if item.is_empty() {
            return Err(bad_answer(
                origin,
                question,
                &items.join(","),
                "empty item in",
            ));
        }
        let id = choice(question, item).ok_or_else(|| unknown_choice(origin, question, item))?;
        if let Some(i) = question.choices.iter().position(|c| c.id == id) {
            picked[i] = true;
        }
    }
    Ok(Answer::Choices(
        question
            .choices
            .iter()
            .zip(picked)
            .filter(|(_, p)| *p)
            .map(|(c, _)| c.id.clone())
            .collect(),
    ))
}

fn yes_no(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "y" | "yes" | "true" => Some(true),
        "n" | "no" | "false" => Some(false),
        _ => None,
    }
}

fn number(
    question: &Question,
    n: Option<i64>,
    shown: &str,
    origin: &Origin,
) -> Result<Answer, Error> {
    let n = n.ok_or_else(|| bad_answer(origin, question, shown, "not a whole number:"))?;
    if question.min.is_some_and(|min| n < min) || question.max.is_some_and(|max| n > max) {
        return Err(bad_answer(origin, question, shown, "out of range:"));
    }
    Ok(Answer::Number(n))
}

/// A question's default as an answer. Defaults are validated with the catalog.
pub fn default_of(question: &Question) -> Answer {
    let text = |v: &Literal| match v {
        Literal::Text(s) => Some(s.clone()),
        _ => None,
    };
    match (question.kind, &question.default) {
        (Kind::OneOf, d) => Answer::Choice(text(d).unwrap_or_default()),
        (Kind::AnyOf, Literal::List(items)) => {
            Answer::Choices(items.iter().filter_map(text).collect())
        }
        (Kind::AnyOf, _) => Answer::Choices(Vec::new()),
        (Kind::YesNo, Literal::Bool(b)) => Answer::YesNo(*b),
        (Kind::YesNo, _) => Answer::YesNo(false),
        (Kind::Number, Literal::Number(n)) => Answer::Number(*n),
        (Kind::Number, _) => Answer::Number(0),
    }
}

/// `--set ID=VALUE` flags, in order. Two flags for the same question are an error naming both:
/// a script that sets a question twice has a bug, and the last one silently winning would hide
/// it.
pub fn from_flags(
    catalog: &Catalog,
    flags: &[String],
) -> Result<Vec<(String, Answer, Origin)>, Error> {
    let mut out: Vec<(String, Answer, Origin)> = Vec::new();
    for flag in flags {
        let origin = Origin::Flag(flag.clone());
        let Some((id, value)) = flag.split_once('=') else {
            return Err(Error::Answer(format!(
                "--set {}: expected ID=VALUE, e.g. --set scope=workload (questions: {})",
                clip(flag, MAX_SHOWN),
                question_ids(catalog)
            )));
        };
        let question = find_question(catalog, id.trim(), &origin)?;
        if let Some((_, _, Origin::Flag(first))) = out.iter().find(|(q, ..)| *q == question.id) {
            return Err(Error::Answer(format!(
                "question `{}` is answered twice: --set {} and --set {}; give it once",
                question.id,
                clip(first, MAX_SHOWN),
                clip(flag, MAX_SHOWN)
            )));
        }
        if value.trim().is_empty() {
            return Err(bad_answer(&origin, question, value, "empty answer"));
        }
        out.push((
            question.id.clone(),
            parse_text(question, value, &origin)?,
            origin,
        ));
    }
    Ok(out)
}

/// Parses an answers file (YAML or JSON): a mapping from question id to value.
/// The key of an answers file that holds placeholder values (`vars: {cluster: my-cluster}`)
/// rather than an answer.
pub const VARS_KEY: &str = "vars";

pub fn from_file(
    catalog: &Catalog,
    file: &str,
    text: &str,
) -> Result<Vec<(String, Answer, Origin)>, Error> {
    if text.len() > MAX_ANSWERS_BYTES {
        return Err(Error::Answer(format!(
            "{file}: answers file is {} bytes; the limit is {MAX_ANSWERS_BYTES} bytes",
            text.len()
        )));
    }
    let doc = Document::parse(file, text).map_err(|d| Error::Answer(d.to_string()))?;
    let top = NodePath::root();
    let (root, mapping, defaulted) = match &doc.value {
        // What `advise -o json|yaml` printed: the answers are its `answers` field, and the
        // questions it lists under `defaulted` stay defaulted, so the same advice comes back.
        Value::Mapping(m) if m.contains_key("schema_version") => match m.get("answers") {
            Some(Value::Mapping(answers)) => {
                (top.key("answers"), answers, defaulted_ids(&doc.value))
            }
            other => {
                let (at, found) = match other {
                    Some(value) => (top.key("answers"), crate::catalog::load::describe(value)),
                    None => (top.clone(), "no `answers` field".to_owned()),
                };
                return Err(Error::Answer(
                    doc.error_at(
                        &at,
                        format!(
                            "a document with `schema_version` (the output of `aks-id advise -o json|yaml`) must have an `answers` mapping; found {found}"
                        ),
                    )
                    .to_string(),
                ));
            }
        },
        Value::Mapping(m) => (top.clone(), m, Vec::new()),
        Value::Null => {
            return Err(Error::Answer(format!(
                "{file}: the answers file is empty; expected a mapping from question id to answer, e.g. `scope: workload`"
            )));
        }
        other => {
            return Err(Error::Answer(
                doc.error_at(
                    &top,
                    format!(
                        "expected a mapping from question id to answer, found {}",
                        crate::catalog::load::describe(other)
                    ),
                )
                .to_string(),
            ));
        }
    };
    let mut out = Vec::new();
    for (key, value) in mapping {
        let id = match key {
            Value::String(s) => s.clone(),
            other => {
                return Err(Error::Answer(
                    doc.error_at(
                        &root,
                        format!(
                            "question ids are text, found {}",
                            crate::catalog::load::describe(other)
                        ),
                    )
                    .to_string(),
                ));
            }
        };
        if id == VARS_KEY {
            // Placeholder values, read by `plan::vars`.
            continue;
        }
        let path = root.key(&id);
        let pos = doc.position(&path);
        let origin = Origin::File {
            file: file.to_owned(),
            line: pos.line,
            column: pos.column,
        };
        let key_pos = doc.key_position(&path);
        let key_origin = Origin::File {
            file: file.to_owned(),
            line: key_pos.line,
            column: key_pos.column,
        };
        let question = find_question(catalog, &id, &key_origin)?;
        let item_origin = |i: usize| {
            let pos = doc.position(&path.index(i));
            Origin::File {
                file: file.to_owned(),
                line: pos.line,
                column: pos.column,
            }
        };
        let answer = parse_value_at(question, value, &origin, &item_origin)?;
        let origin = if defaulted.contains(&question.id) && answer == default_of(question) {
            Origin::Default
        } else {
            origin
        };
        out.push((question.id.clone(), answer, origin));
    }
    Ok(out)
}

/// The `defaulted` question ids of an `advise` output document.
fn defaulted_ids(document: &Value) -> Vec<String> {
    match document.get("defaulted") {
        Some(Value::Sequence(items)) => items
            .iter()
            .filter_map(|item| item.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

fn question_ids(catalog: &Catalog) -> String {
    catalog
        .questions
        .iter()
        .map(|q| q.id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn find_question<'c>(
    catalog: &'c Catalog,
    id: &str,
    origin: &Origin,
) -> Result<&'c Question, Error> {
    catalog
        .questions
        .iter()
        .find(|q| q.id == id || q.id.replace('_', "-") == id)
        .ok_or_else(|| {
            Error::Answer(format!(
                "{origin}: unknown question `{}`; questions: {}{}",
                clip(id, MAX_SHOWN),
                question_ids(catalog),
                did_you_mean(id, catalog.questions.iter().map(|q| q.id.as_str()))
            ))
        })
}
