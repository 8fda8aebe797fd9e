//! Numbered source references for documents that list their sources once at the end: the table,
//! the Markdown page and the model sheet cite `[1]`, `[2]` in cells and print the list below.

use crate::catalog::{Catalog, Source, Text};

/// Sources in order of first citation.
pub struct Citations<'a> {
    catalog: &'a Catalog,
    cited: Vec<&'a Source>,
    /// Each cited source's number, by id.
    numbers: rustc_hash::FxHashMap<&'a str, usize>,
}

impl<'a> Citations<'a> {
    pub fn new(catalog: &'a Catalog) -> Self {
        Self {
            catalog,
            cited: Vec::new(),
            numbers: rustc_hash::FxHashMap::default(),
        }
    }

    /// The reference marks for `ids`, e.g. `[1][3]`, numbering new sources as they come.
    pub fn cite(&mut self, ids: &[Text]) -> String {
        self.cite_ids(ids.iter().map(|id| id.as_ref()))
    }

    /// [`Citations::cite`] for ids as string slices.
    pub fn cite_ids<'i>(&mut self, ids: impl IntoIterator<Item = &'i str>) -> String {
        let mut marks = String::new();
        let mut seen = rustc_hash::FxHashSet::default();
        for id in ids {
            let Some(source) = self.catalog.source(id) else {
                continue;
            };
            let n = match self.numbers.get(source.id.as_ref()) {
                Some(n) => *n,
                None => {
                    self.cited.push(source);
                    self.numbers.insert(&source.id, self.cited.len());
                    self.cited.len()
                }
            };
            if seen.insert(n) {
                marks.push_str(&format!("[{n}]"));
            }
        }
        marks
    }

    /// Whether the source `id` has a number already.
    pub fn is_cited(&self, id: &str) -> bool {
        self.cited.iter().any(|s| s.id == id)
    }

    /// The cited sources, numbered from 1.
    pub fn list(&self) -> impl Iterator<Item = (usize, &'a Source)> + '_ {
        self.cited.iter().enumerate().map(|(i, s)| (i + 1, *s))
    }
}
