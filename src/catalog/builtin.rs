//! The catalog compiled into the binary, so `aks-id` works anywhere without its `rules/` folder.
//!
//! `build.rs` embeds every file of `rules/` as written and as Rust data read in place (see
//! `construct.rs` and `arena`): each file's value is a few words pointing into static arrays, and
//! the indexes by id are written too. A run assembles the catalog from those values and does not
//! validate it: the test suite validates the files as written with the full loader and checks
//! that the built catalog is the same one, and debug builds validate it on every load as well.

use std::any::Any;

use serde::de::DeserializeOwned;

use super::load::{Content, Files, read_whole, validated};
use super::names::{
    CATALOG_FILE, FINDINGS_FILE, PLACEHOLDERS_FILE, QUESTIONS_FILE, RULES_FILE, SOURCES_FILE,
    TARGETS_FILE, is_model_file,
};
use super::{Catalog, List, Origin, parse};
use crate::diag::CatalogError;

/// The files of `rules/`, relative to it, as written: what `rules export` writes out.
pub const FILES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_files.rs"));

/// A rule file as built by the code `build.rs` wrote: `None` for a file the loader must read as
/// written (of no known kind, or not fitting its type).
pub struct Built(Option<fn() -> Box<dyn Any>>);

impl Content for Built {
    fn decode<T: DeserializeOwned + 'static>(&self) -> Option<T> {
        let value = (self.0?)();
        value.downcast::<T>().ok().map(|value| *value)
    }
}

/// The code `build.rs` wrote: [`BUILT`](generated::BUILT), each file of `rules/` with the
/// function that gives its value, and the indexes by id.
#[allow(clippy::all, clippy::pedantic)]
mod generated {
    use super::Built;
    #[allow(unused_imports)]
    use crate::catalog::arena::{k, l, o, t};
    use crate::catalog::*;

    include!(concat!(env!("OUT_DIR"), "/builtin_catalog.rs"));
}

/// Loads the built-in catalog. A release run assembles it from the files' values as `build.rs`
/// wrote them (every list and text read in place, the indexes written too) and does not validate
/// it. Should that fail (only a broken `rules/` folder can make it fail, and the test suite would
/// say so), the files as written are loaded instead, so the problems are reported at their YAML
/// lines and columns.
///
/// Debug builds read the same values through the loader and validate them, so that every test
/// run checks the catalog.
pub fn load() -> Result<Catalog, CatalogError> {
    if cfg!(debug_assertions) {
        return match read_built() {
            Some(parsed) => validated(Origin::BuiltIn, parsed).map_or_else(load_as_written, Ok),
            None => load_as_written(),
        };
    }
    match build() {
        Some(files) => Ok(files.assemble_indexed(Origin::BuiltIn, generated::INDEXES)),
        None => load_as_written(),
    }
}

/// The files' values as `build.rs` wrote them, for a release run. `None` when a file the catalog
/// needs is missing or not built by code.
fn build() -> Option<Files> {
    let mut catalog = None;
    let (mut sources, mut targets, mut questions) = (List::new(), List::new(), List::new());
    let (mut rules, mut placeholders, mut findings) = (List::new(), List::new(), List::new());
    let mut models = Vec::new();
    // `build.rs` lists the model files by name, the order the catalog keeps them in.
    for (rel, built) in generated::BUILT {
        match *rel {
            CATALOG_FILE => catalog = Some(built.decode::<super::CatalogFile>()?),
            SOURCES_FILE => sources = built.decode::<super::SourcesFile>()?.sources,
            TARGETS_FILE => targets = built.decode::<super::TargetsFile>()?.targets,
            QUESTIONS_FILE => questions = built.decode::<super::QuestionsFile>()?.questions,
            RULES_FILE => rules = built.decode::<super::RulesFile>()?.rules,
            PLACEHOLDERS_FILE => {
                placeholders = built.decode::<super::PlaceholdersFile>()?.placeholders;
            }
            FINDINGS_FILE => findings = built.decode::<super::FindingsFile>()?.findings,
            rel if is_model_file(rel) => models.push(built.decode::<super::Model>()?),
            _ => {}
        }
    }
    if models.is_empty() {
        return None;
    }
    Some(Files {
        catalog: catalog?,
        sources,
        models: models.into(),
        targets,
        questions,
        rules,
        placeholders,
        findings,
    })
}

fn read_built() -> Option<super::parsed::Parsed> {
    read_whole(
        "rules",
        generated::BUILT.iter().map(|(rel, built)| (*rel, built)),
    )
}

/// Loads and validates the built-in catalog from the files as written (the YAML), the way
/// `--rules` loads a folder.
pub fn load_as_written() -> Result<Catalog, CatalogError> {
    let files: Vec<(String, String)> = FILES
        .iter()
        .map(|(rel, text)| ((*rel).to_owned(), (*text).to_owned()))
        .collect();
    parse(Origin::BuiltIn, "rules", &files)
}

#[cfg(test)]
mod tests {
    use super::super::load::assemble;
    use super::*;

    /// The test that fails when the built-in catalog is invalid: the files as written go through
    /// the full loader, and the code built from them must construct the very same catalog.
    #[test]
    fn the_built_catalog_is_the_valid_one_written_in_rules() {
        let written = load_as_written().unwrap_or_else(|err| {
            let lines: Vec<String> = err.diagnostics.iter().map(|d| d.to_string()).collect();
            panic!("{err}:\n{}", lines.join("\n"))
        });
        let built = assemble(
            Origin::BuiltIn,
            read_built().expect("the built catalog is whole"),
        );
        assert_eq!(format!("{built:?}"), format!("{written:?}"));
    }

    /// What a release run builds, with the indexes `build.rs` wrote, is what the loader
    /// assembles from the same files, and every id is found at the same entry through either
    /// index.
    #[test]
    fn the_direct_build_is_the_assembled_one() {
        let direct = build()
            .expect("the catalog builds")
            .assemble_indexed(Origin::BuiltIn, generated::INDEXES);
        let assembled = assemble(Origin::BuiltIn, read_built().expect("reads"));
        assert_eq!(format!("{direct:?}"), format!("{assembled:?}"));
        assert!(matches!(direct.source_index, super::super::Index::Table(_)));
        assert!(matches!(
            assembled.source_index,
            super::super::Index::Hashed(_)
        ));
        let found = |c: &Catalog, id: &str| {
            (
                c.source(id).map(|s| s.url.to_string()),
                c.question(id).map(|q| q.prompt.to_string()),
                c.target(id).map(|t| t.name.to_string()),
                c.model(id).map(|m| m.name.to_string()),
            )
        };
        let ids = assembled
            .sources
            .iter()
            .map(|s| &s.id)
            .chain(assembled.questions.iter().map(|q| &q.id))
            .chain(assembled.targets.iter().map(|t| &t.id))
            .chain(assembled.models.iter().map(|m| &m.id));
        for id in ids
            .map(|id| id.as_str())
            .chain(["", "no-such-id", "workload-x"])
        {
            assert_eq!(found(&direct, id), found(&assembled, id), "{id:?}");
        }
    }

    /// Every file of `rules/` is embedded, and every file of a known kind is built by code (none
    /// is left to the loader at run time).
    #[test]
    fn every_file_is_built() {
        let written: Vec<&str> = FILES.iter().map(|(rel, _)| *rel).collect();
        let built: Vec<&str> = generated::BUILT.iter().map(|(rel, _)| *rel).collect();
        assert_eq!(written, built);
        for (rel, built) in generated::BUILT {
            assert!(built.0.is_some(), "{rel} is not built by code");
        }
    }

    /// A file asked for as another kind is not built: the loader then reads the files as
    /// written, and reports.
    #[test]
    fn a_file_asked_for_as_another_kind_is_none() {
        let (_, catalog_file) = generated::BUILT
            .iter()
            .find(|(rel, _)| *rel == super::super::names::CATALOG_FILE)
            .expect("catalog.yaml is built");
        assert!(catalog_file.decode::<super::super::RulesFile>().is_none());
        assert!(catalog_file.decode::<super::super::CatalogFile>().is_some());
        assert!(Built(None).decode::<super::super::CatalogFile>().is_none());
    }
}
