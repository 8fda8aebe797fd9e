//! What the loader read from a rules folder, before it is validated and assembled: each entry
//! with where it was written, and what could not be read. The loader fills it; the validator
//! reads it.

use super::names::{
    CATALOG_FILE, PLACEHOLDERS_FILE, QUESTIONS_FILE, SOURCES_FILE, TARGETS_FILE, is_model_file,
};
use super::*;
use crate::yaml::{Document, NodePath, Value};

/// An item of the catalog and where it was written, for messages.
pub(crate) struct Located<T> {
    pub value: T,
    pub doc: usize,
    pub path: NodePath,
}

/// The parsed documents with the items deserialized from them.
#[derive(Default)]
pub(crate) struct Parsed {
    pub docs: Vec<Document>,
    pub catalog: Option<Located<CatalogFile>>,
    pub sources: Vec<Located<Source>>,
    pub models: Vec<Located<Model>>,
    pub targets: Vec<Located<Target>>,
    pub questions: Vec<Located<Question>>,
    pub rules: Vec<Located<Rule>>,
    pub placeholders: Vec<Located<Placeholder>>,
    /// Some file or entry could not be read: checks over the whole catalog (a placeholder no
    /// command uses) would mislead.
    pub incomplete: bool,
    pub findings: Vec<Located<FindingMeta>>,
    /// What could not be read, so that references to it are not also reported as unknown.
    pub unread: Unread,
}

/// Ids of entries (or whole files) that could not be read. A reference to one of them is not an
/// error of its own: the entry's problem is already reported, and repeating it at every reference
/// would bury it.
#[derive(Default)]
pub(crate) struct Unread {
    pub sources: Partial,
    pub models: Partial,
    pub questions: Partial,
    pub rows: Partial,
    pub targets: Partial,
    pub placeholders: Partial,
}

#[derive(Default)]
pub(crate) struct Partial {
    /// The whole file is unreadable: any id may have been in it.
    pub all: bool,
    pub ids: std::collections::HashSet<String>,
}

impl Partial {
    /// Whether a reference to `id` may be to an entry that could not be read.
    pub fn excuses(&self, id: &str) -> bool {
        self.all || self.ids.contains(id)
    }

    /// Adds what `other` could not read.
    pub(crate) fn merge(&mut self, other: Partial) {
        self.all |= other.all;
        self.ids.extend(other.ids);
    }

    /// Records an entry that failed to deserialize, by its `id` when it has a readable one.
    pub(crate) fn entry(&mut self, value: &Value) {
        match id_of(value) {
            Some(id) => {
                self.ids.insert(id);
            }
            None => self.all = true,
        }
    }
}

fn id_of(value: &Value) -> Option<String> {
    match value.get("id") {
        Some(Value::String(id)) => Some(id.clone()),
        _ => None,
    }
}

impl Unread {
    /// Records that the file `rel` (relative to the rules folder) could not be read at all.
    pub(crate) fn whole_file(&mut self, rel: &str) {
        match rel {
            CATALOG_FILE => self.rows.all = true,
            SOURCES_FILE => self.sources.all = true,
            QUESTIONS_FILE => self.questions.all = true,
            TARGETS_FILE => self.targets.all = true,
            PLACEHOLDERS_FILE => self.placeholders.all = true,
            rel if is_model_file(rel) => {
                let stem = rel.trim_start_matches("models/").trim_end_matches(".yaml");
                self.models.ids.insert(stem.to_owned());
            }
            _ => {}
        }
    }
}
