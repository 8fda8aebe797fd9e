// The names of the files of a rules folder, written once. Compiled as `catalog::names` and also
// `include!`d by build.rs, so it holds plain constants and functions only and imports nothing.

/// `catalog.yaml`: the as-of date, the tie break and the comparison rows.
pub const CATALOG_FILE: &str = "catalog.yaml";
/// `sources.yaml`: every source a fact cites.
pub const SOURCES_FILE: &str = "sources.yaml";
/// `targets.yaml`: the Azure services a workload may reach.
pub const TARGETS_FILE: &str = "targets.yaml";
/// `questions.yaml`: the questionnaire.
pub const QUESTIONS_FILE: &str = "questions.yaml";
/// `rules.yaml`: the rules the engine runs.
pub const RULES_FILE: &str = "rules.yaml";
/// `placeholders.yaml`: the placeholders commands leave for the user to fill.
pub const PLACEHOLDERS_FILE: &str = "placeholders.yaml";
/// The folder of the model files, one `models/MODEL.yaml` per identity model.
pub const MODELS_DIR: &str = "models";

/// The files every rules folder has besides its model files, in the order they are read.
pub const REQUIRED_FILES: [&str; 6] = [
    CATALOG_FILE,
    SOURCES_FILE,
    TARGETS_FILE,
    QUESTIONS_FILE,
    RULES_FILE,
    PLACEHOLDERS_FILE,
];
/// `findings.yaml`: what `aks-id scan` can report. Optional: a folder without it loads, and scan
/// says it has nothing to report against.
pub const FINDINGS_FILE: &str = "findings.yaml";

/// The files a rules folder may have besides the required ones, read when present.
pub const OPTIONAL_FILES: [&str; 1] = [FINDINGS_FILE];

/// Whether a relative path names a model file: `models/NAME.yaml`.
pub fn is_model_file(rel: &str) -> bool {
    rel.strip_prefix("models/")
        .is_some_and(|name| name.ends_with(".yaml") && !name.contains('/'))
}
