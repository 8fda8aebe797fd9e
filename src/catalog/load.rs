//! Turns the texts of a rules folder into a validated [`Catalog`], or into the full list of what
//! is wrong with them. Pure: the caller reads the files (or takes the embedded ones).
//!
//! Each list entry (a source, a target, a question, a rule) is deserialized on its own, so one bad
//! entry is reported without hiding the others; then `validate` checks what the types cannot
//! (unique ids, references, conditions that fit their questions).

use std::fmt;

use serde::de::DeserializeOwned;

use super::validate::Validator;
use super::*;
use crate::yaml::{Diagnostic, Document, NodePath, Position, Value};

/// Everything wrong with a catalog, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError {
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.diagnostics.len();
        write!(
            f,
            "the catalog has {n} problem{}",
            if n == 1 { "" } else { "s" }
        )
    }
}

impl std::error::Error for CatalogError {}

/// The files of a rules folder, relative to it, that a catalog is read from.
pub const CATALOG_FILE: &str = "catalog.yaml";
pub const SOURCES_FILE: &str = "sources.yaml";
pub const TARGETS_FILE: &str = "targets.yaml";
pub const QUESTIONS_FILE: &str = "questions.yaml";
pub const RULES_FILE: &str = "rules.yaml";
pub const MODELS_DIR: &str = "models";

/// An item of the catalog and where it was written, for messages.
pub(crate) struct Located<T> {
    pub value: T,
    pub doc: usize,
    pub path: NodePath,
}

/// The parsed documents with the items deserialized from them.
pub(crate) struct Parsed {
    pub docs: Vec<Document>,
    pub catalog: Option<Located<CatalogFile>>,
    pub sources: Vec<Located<Source>>,
    pub models: Vec<Located<Model>>,
    pub targets: Vec<Located<Target>>,
    pub questions: Vec<Located<Question>>,
    pub rules: Vec<Located<Rule>>,
}

/// Parses and validates a catalog from `(relative path, text)` pairs. `display_root` prefixes the
/// file names in diagnostics (the folder given with `--rules`, or `rules` for the built-in one).
pub fn parse(
    origin: Origin,
    display_root: &str,
    files: &[(String, String)],
) -> Result<Catalog, CatalogError> {
    let mut diagnostics = Vec::new();
    let display = |rel: &str| {
        if display_root.is_empty() {
            rel.to_owned()
        } else {
            format!("{}/{rel}", display_root.trim_end_matches('/'))
        }
    };
    let mut parsed = Parsed {
        docs: Vec::new(),
        catalog: None,
        sources: Vec::new(),
        models: Vec::new(),
        targets: Vec::new(),
        questions: Vec::new(),
        rules: Vec::new(),
    };

    let mut model_files: Vec<&(String, String)> =
        files.iter().filter(|(rel, _)| is_model_file(rel)).collect();
    model_files.sort_by(|a, b| a.0.cmp(&b.0));

    for required in [
        CATALOG_FILE,
        SOURCES_FILE,
        TARGETS_FILE,
        QUESTIONS_FILE,
        RULES_FILE,
    ] {
        if !files.iter().any(|(rel, _)| rel == required) {
            diagnostics.push(missing(&display(required), "file is missing"));
        }
    }
    if model_files.is_empty() {
        diagnostics.push(missing(
            &display(MODELS_DIR),
            "no model files (models/*.yaml)",
        ));
    }

    for (rel, text) in files {
        let file = display(rel);
        let doc = match Document::parse(&file, text) {
            Ok(doc) => doc,
            Err(d) => {
                diagnostics.push(d);
                continue;
            }
        };
        let index = parsed.docs.len();
        parsed.docs.push(doc);
        let doc = &parsed.docs[index];
        let root = NodePath::root();
        match rel.as_str() {
            CATALOG_FILE => match doc.deserialize::<CatalogFile>(&root, &doc.value) {
                Ok(value) => {
                    parsed.catalog = Some(Located {
                        value,
                        doc: index,
                        path: root,
                    })
                }
                Err(d) => diagnostics.push(d),
            },
            SOURCES_FILE => {
                parsed.sources = list(doc, index, "sources", &mut diagnostics);
            }
            TARGETS_FILE => {
                parsed.targets = list(doc, index, "targets", &mut diagnostics);
            }
            QUESTIONS_FILE => {
                parsed.questions = list(doc, index, "questions", &mut diagnostics);
            }
            RULES_FILE => {
                parsed.rules = list(doc, index, "rules", &mut diagnostics);
            }
            rel if is_model_file(rel) => match doc.deserialize::<Model>(&root, &doc.value) {
                Ok(value) => parsed.models.push(Located {
                    value,
                    doc: index,
                    path: root,
                }),
                Err(d) => diagnostics.push(d),
            },
            _ => {}
        }
    }
    parsed
        .models
        .sort_by(|a, b| parsed.docs[a.doc].file.cmp(&parsed.docs[b.doc].file));

    diagnostics.extend(Validator::new(&parsed).run());
    if !diagnostics.is_empty() {
        return Err(CatalogError { diagnostics });
    }
    let catalog = parsed
        .catalog
        .expect("a valid catalog has catalog.yaml")
        .value;
    Ok(Catalog {
        origin,
        as_of: catalog.as_of,
        tie_break: catalog.tie_break,
        rows: catalog.rows,
        sources: parsed.sources.into_iter().map(|s| s.value).collect(),
        models: parsed.models.into_iter().map(|m| m.value).collect(),
        targets: parsed.targets.into_iter().map(|t| t.value).collect(),
        questions: parsed.questions.into_iter().map(|q| q.value).collect(),
        rules: parsed.rules.into_iter().map(|r| r.value).collect(),
    })
}

/// Whether a relative path names a model file: `models/NAME.yaml`.
pub fn is_model_file(rel: &str) -> bool {
    rel.strip_prefix("models/")
        .is_some_and(|name| name.ends_with(".yaml") && !name.contains('/'))
}

fn missing(file: &str, message: &str) -> Diagnostic {
    Diagnostic {
        file: file.to_owned(),
        position: Position::default(),
        message: message.to_owned(),
    }
}

/// Reads a file made of one mapping with one key, `key`, holding a list; each entry is
/// deserialized on its own.
fn list<T: DeserializeOwned>(
    doc: &Document,
    index: usize,
    key: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Located<T>> {
    let root = NodePath::root();
    let Value::Mapping(mapping) = &doc.value else {
        diagnostics.push(doc.error_at(
            &root,
            format!(
                "expected a mapping with the key `{key}`, found {}",
                describe(&doc.value)
            ),
        ));
        return Vec::new();
    };
    let mut items = Vec::new();
    let mut found = false;
    for (k, v) in mapping {
        let name = match k {
            Value::String(s) => s.clone(),
            other => describe(other),
        };
        if name != key {
            diagnostics.push(doc.error_at_key(
                &root.key(&name),
                format!("unknown key `{name}`, expected `{key}`"),
            ));
            continue;
        }
        found = true;
        let path = root.key(key);
        let Value::Sequence(entries) = v else {
            diagnostics.push(doc.error_at(
                &path,
                format!("`{key}` must be a list, found {}", describe(v)),
            ));
            continue;
        };
        for (i, entry) in entries.iter().enumerate() {
            let at = path.index(i);
            match doc.deserialize::<T>(&at, entry) {
                Ok(value) => items.push(Located {
                    value,
                    doc: index,
                    path: at,
                }),
                Err(d) => diagnostics.push(d),
            }
        }
    }
    if !found {
        diagnostics.push(doc.error_at(&root, format!("missing key `{key}`")));
    }
    items
}

/// A short description of a YAML value's kind, for messages.
pub fn describe(value: &Value) -> String {
    match value {
        Value::Null => "nothing".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {s:?}"),
        Value::Sequence(_) => "a list".into(),
        Value::Mapping(_) => "a mapping".into(),
        Value::Tagged(t) => format!("a value tagged {}", t.tag),
    }
}
