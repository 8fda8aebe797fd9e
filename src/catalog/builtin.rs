//! The catalog compiled into the binary, so `aks-id` works anywhere without its `rules/` folder.
//! `build.rs` embeds every file of `rules/` as written and compiled to JSON.

use super::{Catalog, Origin, parse};
use crate::diag::CatalogError;

/// The files of `rules/`, relative to it, as written: what `rules export` writes out.
pub const FILES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_files.rs"));

/// The same files compiled to JSON at build time: what a run loads.
pub const COMPILED: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_compiled.rs"));

/// Loads the built-in catalog from its compiled form. Should that fail (only a broken `rules/`
/// folder can make it fail, and the test suite would say so), the files as written are loaded
/// instead, so the problems are reported at their YAML lines and columns.
pub fn load() -> Result<Catalog, CatalogError> {
    parse(Origin::BuiltIn, "rules", &owned(COMPILED)).or_else(|_| load_as_written())
}

/// Loads the built-in catalog from the files as written (the YAML), the way `--rules` loads a
/// folder.
pub fn load_as_written() -> Result<Catalog, CatalogError> {
    parse(Origin::BuiltIn, "rules", &owned(FILES))
}

fn owned(files: &[(&str, &str)]) -> Vec<(String, String)> {
    files
        .iter()
        .map(|(rel, text)| ((*rel).to_owned(), (*text).to_owned()))
        .collect()
}
