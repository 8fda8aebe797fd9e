//! The catalog compiled into the binary, so `aks-id` works anywhere without its `rules/` folder.
//!
//! `build.rs` embeds every file of `rules/` as written and compiled to the binary form of
//! [`super::compiled`]. A run reads the compiled form straight into the catalog's types and does
//! not validate it: the test suite validates the files as written with the full loader and checks
//! that the compiled form reads back to the same catalog, and debug builds validate it on every
//! load as well.

use super::compiled;
use super::load::{Content, assemble, read_whole, validated};
use super::names::{FINDINGS_FILE, PLACEHOLDERS_FILE, QUESTIONS_FILE, RULES_FILE, TARGETS_FILE};
use super::{Catalog, Origin, parse};
use crate::diag::CatalogError;

/// The files of `rules/`, relative to it, as written: what `rules export` writes out.
pub const FILES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_files.rs"));

/// The same files compiled at build time: what a run loads.
pub const COMPILED: &[(&str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/builtin_compiled.rs"));

impl Content for [u8] {
    fn decode<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        compiled::from_bytes(self).ok()
    }
}

/// The parts of the built-in catalog a command reads. Reading costs in proportion to the files
/// read (`rules.yaml` alone is half of the catalog), and a command that shows models needs no
/// rules, questions or targets: the lists of the files not read stay empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parts {
    /// Every file: what `advise` needs.
    All,
    /// Everything but the rules, scan's findings and the placeholders: the questionnaire, its
    /// targets and the models.
    NoRules,
    /// `catalog.yaml` (rows, tie break), the sources and the models: what `compare`, `models`
    /// and `show` need.
    Models,
}

impl Parts {
    /// Whether the file `rel` of the rules folder is read.
    pub fn wants(self, rel: &str) -> bool {
        match self {
            Parts::All => true,
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

/// Loads the built-in catalog from its compiled form, only the files `parts` names. Should that
/// fail (only a broken `rules/` folder can make it fail, and the test suite would say so), the
/// files as written are loaded instead, so the problems are reported at their YAML lines and
/// columns.
///
/// Debug builds read and validate every file, then leave out the lists of the files `parts`
/// does not name, so that every test run checks the catalog and sees what a release run sees.
pub fn load_parts(parts: Parts) -> Result<Catalog, CatalogError> {
    if cfg!(debug_assertions) {
        let catalog = match read_compiled(Parts::All) {
            Some(parsed) => validated(Origin::BuiltIn, parsed).map_or_else(load_as_written, Ok),
            None => load_as_written(),
        }?;
        return Ok(leave_out(catalog, parts));
    }
    match read_compiled(parts) {
        Some(parsed) => Ok(assemble(Origin::BuiltIn, parsed)),
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
    catalog
}

fn read_compiled(parts: Parts) -> Option<super::load::Parsed> {
    read_whole(
        "rules",
        COMPILED.iter().map(|(rel, bytes)| (*rel, *bytes)),
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
    use super::*;

    /// The test that fails when the built-in catalog is invalid: the files as written go through
    /// the full loader, and the compiled form must read back to the very same catalog.
    #[test]
    fn the_compiled_catalog_is_the_valid_one_written_in_rules() {
        let written = load_as_written().unwrap_or_else(|err| {
            let lines: Vec<String> = err.diagnostics.iter().map(|d| d.to_string()).collect();
            panic!("{err}:\n{}", lines.join("\n"))
        });
        let compiled = assemble(
            Origin::BuiltIn,
            read_compiled(Parts::All).expect("the compiled catalog reads"),
        );
        assert_eq!(format!("{compiled:?}"), format!("{written:?}"));
    }

    #[test]
    fn every_file_is_compiled() {
        let written: Vec<&str> = FILES.iter().map(|(rel, _)| *rel).collect();
        let compiled: Vec<&str> = COMPILED.iter().map(|(rel, _)| *rel).collect();
        assert_eq!(written, compiled);
    }

    /// The compiled form reads back every kind of value the YAML can hold, through serde.
    #[test]
    fn values_read_back_as_written() {
        let value = serde_json::json!({
            "null": null, "yes": true, "no": false, "small": 7, "negative": -3,
            "large": u64::MAX, "float": 1.5, "text": "a \"quoted\" é", "empty": "",
            "list": [1, "two", [3], {"four": 4}], "map": {}, "seq": []
        });
        let bytes = compiled::encode(&value);
        let back: serde_json::Value = compiled::from_bytes(&bytes).expect("reads");
        assert_eq!(back, value);
        assert!(compiled::from_bytes::<serde_json::Value>(&bytes[..bytes.len() - 1]).is_err());
    }

    #[test]
    fn enums_read_from_names_and_one_entry_mappings() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        #[serde(rename_all = "lowercase")]
        enum Shape {
            Dot,
            Line(u64),
            Box { w: u64 },
        }
        for (value, expected) in [
            (serde_json::json!("dot"), Shape::Dot),
            (serde_json::json!({"line": 3}), Shape::Line(3)),
            (serde_json::json!({"box": {"w": 2}}), Shape::Box { w: 2 }),
        ] {
            let bytes = compiled::encode(&value);
            assert_eq!(
                compiled::from_bytes::<Shape>(&bytes).expect("reads"),
                expected
            );
        }
    }
}
