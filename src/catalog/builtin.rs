//! The catalog compiled into the binary, so `aks-id` works anywhere without its `rules/` folder.
//!
//! `build.rs` embeds every file of `rules/` as written and compiled to the binary form of
//! [`super::compiled`]. A run reads the compiled form straight into the catalog's types and does
//! not validate it: the test suite validates the files as written with the full loader and checks
//! that the compiled form reads back to the same catalog, and debug builds validate it on every
//! load as well.

use super::compiled;
use super::load::{Content, assemble, read_whole, validated};
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

/// Loads the built-in catalog from its compiled form. Should that fail (only a broken `rules/`
/// folder can make it fail, and the test suite would say so), the files as written are loaded
/// instead, so the problems are reported at their YAML lines and columns.
pub fn load() -> Result<Catalog, CatalogError> {
    match read_compiled() {
        Some(parsed) if cfg!(debug_assertions) => {
            validated(Origin::BuiltIn, parsed).map_or_else(load_as_written, Ok)
        }
        Some(parsed) => Ok(assemble(Origin::BuiltIn, parsed)),
        None => load_as_written(),
    }
}

fn read_compiled() -> Option<super::load::Parsed> {
    read_whole("rules", COMPILED.iter().map(|(rel, bytes)| (*rel, *bytes)))
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
            read_compiled().expect("the compiled catalog reads"),
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
