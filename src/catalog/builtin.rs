//! The catalog compiled into the binary, so `aks-id` works anywhere without its `rules/` folder.

use super::{Catalog, CatalogError, Origin, parse};

/// The files of `rules/`, relative to it, with their contents.
pub const FILES: &[(&str, &str)] = &[
    ("catalog.yaml", include_str!("../../rules/catalog.yaml")),
    ("sources.yaml", include_str!("../../rules/sources.yaml")),
    (
        "models/cluster.yaml",
        include_str!("../../rules/models/cluster.yaml"),
    ),
    (
        "models/pod.yaml",
        include_str!("../../rules/models/pod.yaml"),
    ),
    (
        "models/workload.yaml",
        include_str!("../../rules/models/workload.yaml"),
    ),
    ("targets.yaml", include_str!("../../rules/targets.yaml")),
    ("questions.yaml", include_str!("../../rules/questions.yaml")),
    ("rules.yaml", include_str!("../../rules/rules.yaml")),
];

/// Loads the built-in catalog. It is validated by the test suite, so an error here means the
/// binary was built from a broken `rules/` folder.
pub fn load() -> Result<Catalog, CatalogError> {
    let files: Vec<(String, String)> = FILES
        .iter()
        .map(|(rel, text)| ((*rel).to_owned(), (*text).to_owned()))
        .collect();
    parse(Origin::BuiltIn, "rules", &files)
}
