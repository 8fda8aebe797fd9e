//! Answers to the questionnaire: typed values, parsed the same way wherever they come from (a
//! `--set` flag, an answers file, a piped line, a prompt), with the origin kept for messages.
//!
//! Values are normalized on the way in (choice ids lowercased, lists in the question's choice
//! order without repeats), so the same answers always give the same advice and the same JSON.

use std::fmt;

use indexmap::IndexMap;
use serde::Serialize;

use crate::catalog::{Catalog, Kind, Literal, Question, Text};
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
    Choice(Text),
    Choices(Vec<Text>),
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

/// The answers given so far, by question id, in the order they were given. A fast hash (the ids
/// come from the catalog), and no random seed to ask the system for.
pub type Answers = IndexMap<Text, Answer, rustc_hash::FxBuildHasher>;

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
        let items: Vec<String> = question
            .choices
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{} ({})", c.id, i + 1))
            .collect();
        crate::diag::listing(&items.iter().map(String::as_str).collect::<Vec<_>>())
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
            .map(|c| Answer::Choice(c.to_owned().into()))
            .ok_or_else(|| unknown_choice(origin, question, text)),
        Kind::AnyOf => {
            if text.eq_ignore_ascii_case(NONE) {
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
        Kind::Number => number(question, whole_number(text), text, origin),
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
            let index = ChoiceIndex::new(question, items.len());
            for (i, item) in items.iter().enumerate() {
                let at = item_origin(i);
                let Some(text) = scalar(item) else {
                    return Err(bad_answer(&at, question, &show(item), "not a choice id:"));
                };
                let text = text.trim().to_owned();
                if text.is_empty() {
                    return Err(bad_answer(&at, question, &text, "empty item"));
                }
                if index.position(&text).is_none() && !text.eq_ignore_ascii_case(NONE) {
                    return Err(unknown_choice(&at, question, &text));
                }
                texts.push(text);
            }
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            if refs.len() == 1 && refs[0].eq_ignore_ascii_case(NONE) {
                return Ok(Answer::Choices(Vec::new()));
            }
            choices(question, &refs, origin)
        }
        (Kind::AnyOf, Value::Null) => Ok(Answer::Choices(Vec::new())),
        (Kind::YesNo, Value::Bool(b)) => Ok(Answer::YesNo(*b)),
        (Kind::Number, Value::Number(n)) => number(question, yaml_number(n), &shown, origin),
        (Kind::Number, Value::String(s)) => number(question, whole_number(s.trim()), s, origin),
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
    let hint = did_you_mean(text, question.choices.iter().map(|c| c.id.as_ref()));
    match bad_answer(origin, question, text, "unknown choice") {
        Error::Answer(message) => Error::Answer(message + &hint),
        other => other,
    }
}

/// A choice by id (case-insensitive) or 1-based number. An id wins over a number: where a
/// catalog has a choice `3`, the text `3` means that choice, whatever its position.
fn choice<'q>(question: &'q Question, text: &str) -> Option<&'q str> {
    ChoiceIndex::new(question, 1).find(text)
}

/// Finds choices by id (case-insensitive) or 1-based number: by a scan for one lookup, by a
/// map built once for an answer that lists many, so that a long list against a question with
/// many choices stays linear.
struct ChoiceIndex<'q> {
    question: &'q Question,
    /// Lowercased id to position, when built.
    by_id: Option<rustc_hash::FxHashMap<String, usize>>,
}

impl<'q> ChoiceIndex<'q> {
    fn new(question: &'q Question, lookups: usize) -> Self {
        let by_id = (lookups > 4 && question.choices.len() > 8).then(|| {
            let mut map = rustc_hash::FxHashMap::default();
            for (i, c) in question.choices.iter().enumerate() {
                map.entry(c.id.to_ascii_lowercase()).or_insert(i);
            }
            map
        });
        Self { question, by_id }
    }

    /// The position of the choice `text` names.
    fn position(&self, text: &str) -> Option<usize> {
        let by_id = match &self.by_id {
            Some(map) => map.get(&text.to_ascii_lowercase()).copied(),
            None => self
                .question
                .choices
                .iter()
                .position(|c| c.id.eq_ignore_ascii_case(text)),
        };
        by_id.or_else(|| {
            let n = text.parse::<usize>().ok()?;
            n.checked_sub(1)
                .filter(|i| *i < self.question.choices.len())
        })
    }

    fn find(&self, text: &str) -> Option<&'q str> {
        self.position(text)
            .map(|i| self.question.choices[i].id.as_ref())
    }
}

/// The word for "no choice" in a list answer.
const NONE: &str = "none";

/// `none` among other items of a list answer.
fn none_combined(origin: &Origin, question: &Question, items: &[&str]) -> Error {
    bad_answer(
        origin,
        question,
        &items.join(","),
        "`none` means no choice and cannot be combined with other choices:",
    )
}

/// A list of choices, normalized to the question's choice order without repeats.
fn choices(question: &Question, items: &[&str], origin: &Origin) -> Result<Answer, Error> {
    let mut picked = vec![false; question.choices.len()];
    if items.len() > 1 && items.iter().any(|i| i.eq_ignore_ascii_case(NONE)) {
        return Err(none_combined(origin, question, items));
    }
    let index = ChoiceIndex::new(question, items.len());
    for item in items {
        if item.is_empty() {
            return Err(bad_answer(
                origin,
                question,
                &items.join(","),
                "empty item in",
            ));
        }
        let i = index
            .position(item)
            .ok_or_else(|| unknown_choice(origin, question, item))?;
        picked[i] = true;
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

/// Why a text is not a whole number the program can use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumberProblem {
    /// Not written as a whole number at all.
    NotANumber,
    /// A whole number, but beyond what any answer can hold (a 64-bit signed integer).
    OutOfRange,
}

/// A whole number as typed (a flag, a piped line, a quoted string in an answers file), in the
/// forms an answers file's YAML reads as numbers, so that `0x10` means 16 everywhere: an optional
/// sign, then decimal digits, or `0x` hexadecimal, `0o` octal or `0b` binary digits.
pub fn whole_number(text: &str) -> Result<i64, NumberProblem> {
    let (negative, unsigned) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let (radix, digits) = if let Some(d) = unsigned.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = unsigned.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = unsigned.strip_prefix("0b") {
        (2, d)
    } else {
        (10, unsigned)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return Err(NumberProblem::NotANumber);
    }
    // The magnitude with the sign applied, checked: `-9223372036854775808` fits, one more does not.
    let magnitude = u128::from_str_radix(digits, radix).map_err(|_| NumberProblem::OutOfRange)?;
    let value = if negative {
        -i128::try_from(magnitude).map_err(|_| NumberProblem::OutOfRange)?
    } else {
        i128::try_from(magnitude).map_err(|_| NumberProblem::OutOfRange)?
    };
    i64::try_from(value).map_err(|_| NumberProblem::OutOfRange)
}

/// A number read by the YAML or JSON parser as a whole number: beyond 64 bits is out of range,
/// a fraction is not a whole number.
fn yaml_number(n: &serde_yaml::Number) -> Result<i64, NumberProblem> {
    if let Some(n) = n.as_i64() {
        return Ok(n);
    }
    if n.is_u64() {
        return Err(NumberProblem::OutOfRange);
    }
    match n.as_f64() {
        Some(f) if f.is_finite() && f.fract() == 0.0 && f.abs() >= 9.2e18 => {
            Err(NumberProblem::OutOfRange)
        }
        _ => Err(NumberProblem::NotANumber),
    }
}

fn number(
    question: &Question,
    n: Result<i64, NumberProblem>,
    shown: &str,
    origin: &Origin,
) -> Result<Answer, Error> {
    let n = n.map_err(|problem| {
        let problem = match problem {
            NumberProblem::NotANumber => "not a whole number:",
            NumberProblem::OutOfRange => "out of range:",
        };
        bad_answer(origin, question, shown, problem)
    })?;
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
) -> Result<Vec<(Text, Answer, Origin)>, Error> {
    let mut out: Vec<(Text, Answer, Origin)> = Vec::new();
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
) -> Result<Vec<(Text, Answer, Origin)>, Error> {
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
        Value::Null if doc.is_empty() => {
            return Err(Error::Answer(format!(
                "{file}: the answers file is empty; expected a mapping from question id to answer, e.g. `scope: workload`"
            )));
        }
        Value::Null => {
            return Err(Error::Answer(
                doc.error_at(
                    &top,
                    "the answers file holds `null`; expected a mapping from question id to answer, e.g. `scope: workload`",
                )
                .to_string(),
            ));
        }
        other => {
            return Err(Error::Answer(
                doc.error_at(
                    &top,
                    format!(
                        "expected a mapping from question id to answer, found {}",
                        if other.is_null() {
                            "null".to_owned()
                        } else {
                            crate::catalog::load::describe(other)
                        }
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
fn defaulted_ids(document: &Value) -> Vec<Text> {
    match document.get("defaulted") {
        Some(Value::Sequence(items)) => items
            .iter()
            .filter_map(|item| item.as_str().map(|id| Text::from(id.to_owned())))
            .collect(),
        _ => Vec::new(),
    }
}

fn question_ids(catalog: &Catalog) -> String {
    let ids: Vec<&str> = catalog.questions.iter().map(|q| q.id.as_ref()).collect();
    crate::diag::listing(&ids)
}

fn find_question<'c>(
    catalog: &'c Catalog,
    id: &str,
    origin: &Origin,
) -> Result<&'c Question, Error> {
    // `service-accounts` for `service_accounts`.
    catalog
        .question(id)
        .or_else(|| catalog.question(&id.replace('-', "_")))
        .ok_or_else(|| {
            Error::Answer(format!(
                "{origin}: unknown question `{}`; questions: {}{}",
                clip(id, MAX_SHOWN),
                question_ids(catalog),
                did_you_mean(id, catalog.questions.iter().map(|q| q.id.as_ref()))
            ))
        })
}
