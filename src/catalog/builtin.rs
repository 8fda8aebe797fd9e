//! The catalog compiled into the binary, so `aks-id` works anywhere without its `rules/` folder.
//!
//! `build.rs` embeds every file of `rules/` as written and as Rust code that constructs its typed
//! value (see `construct.rs`). A run calls that code for the files it needs and does not validate
//! the result: the test suite validates the files as written with the full loader and checks
//! that the constructed catalog is the same one, and debug builds validate it on every load as
//! well.

use std::any::Any;

use serde::de::DeserializeOwned;

use super::load::{Content, Files, read_whole, validated};
use super::names::{
    CATALOG_FILE, FINDINGS_FILE, PLACEHOLDERS_FILE, QUESTIONS_FILE, RULES_FILE, SOURCES_FILE,
    TARGETS_FILE, is_model_file,
};
use super::{Catalog, Origin, parse};
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

/// The code `build.rs` wrote, and [`BUILT`](generated::BUILT): each file of `rules/` with the
/// function that builds it.
#[allow(clippy::all, clippy::pedantic)]
mod generated {
    use super::Built;
    use crate::catalog::*;

    const fn t(text: &'static str) -> Text {
        Text::borrowed(text)
    }

    fn map<V, const N: usize>(pairs: [(Text, V); N]) -> Map<Text, V> {
        pairs.into_iter().collect()
    }

    include!(concat!(env!("OUT_DIR"), "/builtin_catalog.rs"));
}

/// The parts of the built-in catalog a command reads. Reading costs in proportion to the files
/// read (`rules.yaml` alone is half of the catalog), and a command that shows models needs no
/// rules, questions or targets: the lists of the files not read stay empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parts {
    /// Every file: what `scan`, `findings` and `migrate` need.
    All,
    /// Every file but scan's findings: what `advise` needs.
    Advice,
    /// Everything but the rules, scan's findings and the placeholders: the questionnaire, its
    /// targets and the models.
    NoRules,
    /// `catalog.yaml` (rows, tie break), the sources and the models: what `compare`, `models`
    /// and `show` need.
    Models,
}

impl Parts {
    /// How many choices there are, for a table with a slot per choice: `Models` is the last.
    pub const COUNT: usize = Parts::Models as usize + 1;

    /// Whether the file `rel` of the rules folder is read.
    pub fn wants(self, rel: &str) -> bool {
        match self {
            Parts::All => true,
            Parts::Advice => rel != FINDINGS_FILE,
            Parts::NoRules => !matches!(rel, RULES_FILE | FINDINGS_FILE | PLACEHOLDERS_FILE),
            Parts::Models => !matches!(
                rel,
                RULES_FILE | QUESTIONS_FILE | TARGETS_FILE | FINDINGS_FILE | PLACEHOLDERS_FILE
            ),
        }
    }
}

/// Loads the whole built-in catalog: [`load_parts`] with [`Parts::All`].
pub fn load() -> Result<Catalog, CatalogError> {
    load_parts(Parts::All)
}

/// Builds the built-in catalog, only the files `parts` names. Should that
/// fail (only a broken `rules/` folder can make it fail, and the test suite would say so), the
/// files as written are loaded instead, so the problems are reported at their YAML lines and
/// columns.
///
/// Debug builds read and validate every file, then leave out the lists of the files `parts`
/// does not name, so that every test run checks the catalog and sees what a release run sees.
pub fn load_parts(parts: Parts) -> Result<Catalog, CatalogError> {
    if cfg!(debug_assertions) {
        let catalog = match read_built(Parts::All) {
            Some(parsed) => validated(Origin::BuiltIn, parsed).map_or_else(load_as_written, Ok),
            None => load_as_written(),
        }?;
        return Ok(leave_out(catalog, parts));
    }
    match build(parts) {
        Some(files) => Ok(files.assemble(Origin::BuiltIn)),
        None => load_as_written().map(|catalog| leave_out(catalog, parts)),
    }
}

/// Empties the lists of the files `parts` does not name.
fn leave_out(mut catalog: Catalog, parts: Parts) -> Catalog {
    if !parts.wants(RULES_FILE) {
        catalog.rules = Vec::new();
    }
    if !parts.wants(QUESTIONS_FILE) {
        catalog.questions = Vec::new();
    }
    if !parts.wants(TARGETS_FILE) {
        catalog.targets = Vec::new();
    }
    if !parts.wants(PLACEHOLDERS_FILE) {
        catalog.placeholders = Vec::new();
    }
    if !parts.wants(FINDINGS_FILE) {
        catalog.findings = Vec::new();
    }
    catalog
}

/// Builds the files `parts` names straight into their values: what a release run does. `None`
/// when a file the catalog needs is missing or not built by code.
fn build(parts: Parts) -> Option<Files> {
    let mut catalog = None;
    let (mut sources, mut targets, mut questions) = (Vec::new(), Vec::new(), Vec::new());
    let (mut rules, mut placeholders, mut findings) = (Vec::new(), Vec::new(), Vec::new());
    let mut models = Vec::new();
    // `build.rs` lists the model files by name, the order the catalog keeps them in.
    for (rel, built) in generated::BUILT.iter().filter(|(rel, _)| parts.wants(rel)) {
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
        models,
        targets,
        questions,
        rules,
        placeholders,
        findings,
    })
}

fn read_built(parts: Parts) -> Option<super::load::Parsed> {
    read_whole(
        "rules",
        generated::BUILT.iter().map(|(rel, built)| (*rel, built)),
        |rel| parts.wants(rel),
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
            read_built(Parts::All).expect("the built catalog is whole"),
        );
        assert_eq!(format!("{built:?}"), format!("{written:?}"));
    }

    /// What a release run builds is what the loader assembles from the same files, for every
    /// choice of parts.
    #[test]
    fn the_direct_build_is_the_assembled_one() {
        for parts in [Parts::All, Parts::Advice, Parts::NoRules, Parts::Models] {
            let direct = build(parts)
                .expect("the catalog builds")
                .assemble(Origin::BuiltIn);
            let assembled = assemble(Origin::BuiltIn, read_built(parts).expect("reads"));
            assert_eq!(format!("{direct:?}"), format!("{assembled:?}"), "{parts:?}");
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
