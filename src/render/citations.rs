//! Numbered source references for documents that list their sources once at the end: the table,
//! the Markdown page and the model sheet cite `[1]`, `[2]` in cells and print the list below.

use crate::catalog::{Catalog, Source};

/// Sources in order of first citation.
pub struct Citations<'a> {
    catalog: &'a Catalog,
    cited: Vec<&'a Source>,
}

impl<'a> Citations<'a> {
    pub fn new(catalog: &'a Catalog) -> Self {
        Self {
            catalog,
            cited: Vec::new(),
        }
    }

    /// The reference marks for `ids`, e.g. `[1][3]`, numbering new sources as they come.
    pub fn cite(&mut self, ids: &[String]) -> String {
        self.cite_ids(ids.iter().map(String::as_str))
    }

    /// [`Citations::cite`] for ids as string slices.
    pub fn cite_ids<'i>(&mut self, ids: impl IntoIterator<Item = &'i str>) -> String {
        let mut marks = String::new();
        let mut seen = Vec::new();
        for id in ids {
            let Some(source) = self.catalog.source(id) else {
                continue;
            };
            let n = match self.cited.iter().position(|s| s.id == source.id) {
                Some(i) => i + 1,
                None => {
                    self.cited.push(source);
                    self.cited.len()
                }
            };
            if !seen.contains(&n) {
                seen.push(n);
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
