//! The catalog: everything aks-id knows, as typed data.
//!
//! These types are the rule-file format (see `rules/README.md`): the loader deserializes them,
//! `rules schema` derives the JSON Schema from them, and the commands read them. Nothing in here
//! does I/O; `load` turns texts into a validated [`Catalog`], `files` reads and writes folders.

mod arena;
pub mod builtin;
mod condition;
pub mod files;
mod list;
pub mod load;
pub mod names;
mod parsed;
pub mod placeholders;
pub mod schema;
mod shown;
pub mod statements;
mod strings;
mod text;
mod types;
mod validate;

pub use condition::{Condition, Literal, RawCondition, Test};
pub use load::parse;
pub use placeholders::{Placeholder, PlaceholdersFile, ValueKind};
pub use shown::for_display;
pub use types::*;
pub use validate::{SCORE_RANGE, warnings};

/// The `catalog` block shared by the machine-readable outputs.
#[derive(Debug, serde::Serialize)]
pub struct CatalogRef<'a> {
    pub as_of: &'a str,
    pub source: String,
}

impl<'a> CatalogRef<'a> {
    pub fn of(catalog: &'a Catalog) -> Self {
        Self {
            as_of: &catalog.as_of,
            source: catalog.origin.to_string(),
        }
    }
}

/// Where a catalog came from, for messages and for the `catalog` block of the advice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    BuiltIn,
    Folder(std::path::PathBuf),
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::BuiltIn => f.write_str("built-in"),
            Origin::Folder(path) => write!(f, "{}", path.display()),
        }
    }
}

/// A loaded, validated catalog. Every reference in it resolves.
#[derive(Clone, Debug)]
pub struct Catalog {
    pub origin: Origin,
    pub as_of: Text,
    pub tie_break: List<Text>,
    pub rows: List<Row>,
    pub sources: List<Source>,
    /// In file-name order (cluster, pod, workload for the built-in catalog).
    pub models: List<Model>,
    pub targets: List<Target>,
    pub questions: List<Question>,
    pub rules: List<Rule>,
    /// The placeholders commands use, each declared once.
    pub placeholders: List<Placeholder>,
    /// Scan findings metadata, in file order (empty when the folder has no `findings.yaml`).
    pub findings: List<FindingMeta>,
    /// Source positions by id, for the many lookups of a rendering.
    pub(crate) source_index: Index,
    /// Question, target and model positions by id: a generated catalog may have thousands, and
    /// answers, grants and `--models` look them up one by one.
    pub(crate) question_index: Index,
    pub(crate) target_index: Index,
    pub(crate) model_index: Index,
}

/// Positions in a list of the catalog by id (the first of equal ids; a valid catalog has none).
#[derive(Clone)]
pub(crate) enum Index {
    /// Built when a catalog is read from files. The built-in catalog's ids are borrowed, so the
    /// keys cost no copy.
    Hashed(rustc_hash::FxHashMap<Text, usize>),
    /// Written by `build.rs` for the built-in catalog: nothing to build at run time. An open
    /// addressing table of a power-of-two size, more than twice the entries: each id at the slot
    /// [`list::probe`] finds; a free slot holds [`list::FREE`].
    Table(List<(Text, u32)>),
}

impl Index {
    pub(crate) fn of<'a>(ids: impl ExactSizeIterator<Item = &'a Text>) -> Index {
        let mut map = rustc_hash::FxHashMap::default();
        map.reserve(ids.len());
        for (i, id) in ids.enumerate() {
            map.entry(id.clone()).or_insert(i);
        }
        Index::Hashed(map)
    }

    fn get(&self, id: &str) -> Option<usize> {
        match self {
            Index::Hashed(map) => map.get(id).copied(),
            Index::Table(slots) => {
                let (_, position) = &slots[list::probe(slots, id)];
                (*position != list::FREE).then_some(*position as usize)
            }
        }
    }

    /// The pairs, sorted by id.
    fn sorted(&self) -> Vec<(&str, usize)> {
        let mut pairs: Vec<(&str, usize)> = match self {
            Index::Hashed(map) => map.iter().map(|(k, v)| (k.as_str(), *v)).collect(),
            Index::Table(slots) => slots
                .iter()
                .filter(|(_, v)| *v != list::FREE)
                .map(|(k, v)| (k.as_str(), *v as usize))
                .collect(),
        };
        pairs.sort_unstable();
        pairs
    }
}

/// The same for either form: the pairs, sorted.
impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.sorted()).finish()
    }
}

impl Catalog {
    pub fn model(&self, id: &str) -> Option<&Model> {
        self.model_index.get(id).map(|i| &self.models[i])
    }

    pub fn source(&self, id: &str) -> Option<&Source> {
        self.source_index.get(id).map(|i| &self.sources[i])
    }

    pub fn target(&self, id: &str) -> Option<&Target> {
        self.target_index.get(id).map(|i| &self.targets[i])
    }

    pub fn placeholder(&self, id: &str) -> Option<&Placeholder> {
        self.placeholders.iter().find(|p| p.id == id)
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.question_index.get(id).map(|i| &self.questions[i])
    }

    pub fn finding(&self, id: &str) -> Option<&FindingMeta> {
        self.findings.iter().find(|f| f.id == id)
    }

    pub fn model_ids(&self) -> Vec<&str> {
        self.models.iter().map(|m| m.id.as_ref()).collect()
    }

    /// URLs for source ids, in the order given, without repeats. Ids are validated at load time.
    ///
    /// Most statements cite one to three sources: repeats are found by looking through the URLs
    /// kept so far, and a set takes over only once there are many.
    pub fn urls<'a>(&'a self, ids: impl IntoIterator<Item = &'a Text>) -> Vec<&'a str> {
        const FEW: usize = 16;
        let mut urls: Vec<&str> = Vec::new();
        let mut seen: Option<rustc_hash::FxHashSet<&str>> = None;
        for id in ids {
            let Some(source) = self.source(id) else {
                continue;
            };
            let url: &str = &source.url;
            let new = match &mut seen {
                Some(seen) => seen.insert(url),
                None => !urls.contains(&url),
            };
            if new {
                urls.push(url);
                if seen.is_none() && urls.len() > FEW {
                    seen = Some(urls.iter().copied().collect());
                }
            }
        }
        urls
    }
}

#[cfg(test)]
mod tests {
    use super::Text;

    /// `urls` keeps the first of repeated URLs, in order, whether few (looked up in the list)
    /// or many (in a set).
    #[test]
    fn urls_keep_the_order_and_drop_repeats() {
        let catalog = super::builtin::load().expect("the built-in catalog loads");
        for count in [3, 16, 17, 40, catalog.sources.len()] {
            let mut ids: Vec<Text> = catalog
                .sources
                .iter()
                .take(count)
                .map(|s| s.id.clone())
                .collect();
            // Every id twice, the second time in reverse order, and one unknown id.
            let again: Vec<Text> = ids.iter().rev().cloned().collect();
            ids.extend(again);
            ids.push("no-such-source".into());
            let mut expected: Vec<&str> = Vec::new();
            for id in &ids {
                if let Some(source) = catalog.source(id)
                    && !expected.contains(&source.url.as_ref())
                {
                    expected.push(&source.url);
                }
            }
            assert_eq!(catalog.urls(&ids), expected, "{count} ids");
        }
    }
}
