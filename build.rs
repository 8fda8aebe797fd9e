//! Build script: embeds the catalog in `rules/` into the binary.
//!
//! Every YAML file of `rules/` is embedded twice: as written (for `rules export`, the tests that
//! validate it, and the loader's fallback) and as Rust data that a run reads in place
//! (`src/catalog/construct.rs` writes it, from the catalog's own types, included here), so that
//! a run on the built-in catalog builds, copies and decodes nothing. A file that is not
//! valid YAML fails the build, naming the file, line and column. A file that does not fit its
//! type is embedded as written only: the run then loads it with the full loader, which reports
//! its problems with their places, as the test suite does for every file.
//! Also tells the compiler the catalog's as-of date for `--version`, and links the binary with
//! packed relative relocations where the toolchain and the C library support them.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

// The catalog's types, shared with the crate: their methods serve the crate, not this script.
#[allow(dead_code)]
#[path = "src/catalog/condition.rs"]
mod condition;
#[allow(dead_code)]
#[path = "src/catalog/construct.rs"]
mod construct;
#[allow(dead_code)]
#[path = "src/catalog/list.rs"]
mod list;
#[allow(dead_code)]
#[path = "src/catalog/placeholders.rs"]
mod placeholders;
#[allow(dead_code)]
#[path = "src/catalog/text.rs"]
mod text;
#[allow(dead_code, unused_imports)]
#[path = "src/catalog/types.rs"]
mod types;

use construct::{Code, Construct};

/// The built-in catalog's texts, which the crate reads stored texts from: the build script has
/// none (it reads the files into owned values).
mod strings {
    pub static STRINGS: &str = "";
}

// Shared with the start-up bench, which links its hello-world baseline the same way.
include!("build/packed_relocations.rs");

/// The names of the rule files, shared with the crate.
#[allow(dead_code)]
mod names {
    include!("src/catalog/names.rs");
}

fn main() {
    println!("cargo:rerun-if-changed=rules");
    println!("cargo:rerun-if-changed=build/packed_relocations.rs");
    for shared in [
        "condition",
        "construct",
        "list",
        "placeholders",
        "text",
        "types",
    ] {
        println!("cargo:rerun-if-changed=src/catalog/{shared}.rs");
    }
    println!("cargo:rerun-if-changed=src/catalog/names.rs");
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let rules = Path::new(&manifest).join("rules");

    let mut rels = Vec::new();
    yaml_files(&rules, "", &mut rels);
    // The required files first, in the order they are read (and `rules export` writes them);
    // any other file follows, the top folder's before those of subfolders, each group by name.
    rels.sort_by_key(|rel| {
        let required = &names::REQUIRED_FILES;
        let first = required
            .iter()
            .position(|f| f == rel)
            .unwrap_or(required.len());
        (first, rel.contains('/'), rel.clone())
    });

    let mut files = String::from("&[\n");
    let mut data = Code::default();
    // The ids of the sources, questions, targets and models, in catalog order, for the indexes.
    let mut ids: [Vec<types::Text>; 5] = Default::default();
    let mut code = String::new();
    let mut table = String::from("pub const BUILT: &[(&str, Built)] = &[\n");
    for (i, rel) in rels.iter().enumerate() {
        let source = rules.join(rel);
        let text = fs::read_to_string(&source)
            .unwrap_or_else(|e| fail(&format!("rules/{rel}: cannot read: {e}")));
        if let Err(e) = serde_yaml::from_str::<serde_yaml::Value>(&text) {
            fail(&format!("rules/{rel}: not valid YAML: {e}"));
        }
        let _ = writeln!(
            files,
            "    ({rel:?}, include_str!({:?})),",
            source.display().to_string()
        );
        match construct_file(rel, &text, &mut data) {
            Some((expr, kind, file_ids)) => {
                ids[kind as usize].extend(file_ids);
                let _ = writeln!(
                    code,
                    "fn file{i}() -> Box<dyn std::any::Any> {{ Box::new({expr}) }}"
                );
                let _ = writeln!(table, "    ({rel:?}, Built(Some(file{i}))),");
            }
            None => {
                let _ = writeln!(table, "    ({rel:?}, Built(None)),");
            }
        }
    }
    files.push(']');
    table.push_str("];\n");
    code.push_str(&table);
    let indexes: Vec<String> = ids[..4]
        .iter()
        .map(|ids| format!("Index::Table({})", data.index(ids)))
        .collect();
    let _ = writeln!(
        code,
        "/// The indexes by id of the sources, questions, targets and models.\npub const INDEXES: [Index; 4] = [{}];",
        indexes.join(", ")
    );
    fs::write(Path::new(&out).join("builtin_files.rs"), files).expect("OUT_DIR is writable");
    fs::write(Path::new(&out).join("builtin_catalog.rs"), code).expect("OUT_DIR is writable");
    fs::write(Path::new(&out).join("builtin_arena.rs"), data.arena_file())
        .expect("OUT_DIR is writable");
    fs::write(
        Path::new(&out).join("builtin_strings.rs"),
        data.strings_file(),
    )
    .expect("OUT_DIR is writable");
    link_packed_relocations(Path::new(&out));

    let catalog = fs::read_to_string(rules.join(names::CATALOG_FILE)).unwrap_or_default();
    let as_of = catalog
        .lines()
        .find_map(|line| line.strip_prefix("as_of:"))
        .map(|v| v.trim().trim_matches('"').trim_matches('\'').to_owned())
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=AKS_ID_CATALOG_AS_OF={as_of}");
}

/// The lists of the catalog that are looked up by id, in the order of `catalog::Indexes`.
#[derive(Clone, Copy)]
enum Indexed {
    Sources,
    Questions,
    Targets,
    Models,
    /// The file's entries are not looked up by id.
    No,
}

/// The Rust expression of the typed value of the rule file `rel`, its lists and texts added to
/// `data`, with the list its entries go to and their ids. `None` when the file is of no known
/// kind or does not fit its type.
fn construct_file(
    rel: &str,
    text: &str,
    data: &mut Code,
) -> Option<(String, Indexed, Vec<types::Text>)> {
    fn typed<T: serde::de::DeserializeOwned + Construct>(
        text: &str,
        data: &mut Code,
        kind: Indexed,
        ids: fn(&T) -> Vec<types::Text>,
    ) -> Option<(String, Indexed, Vec<types::Text>)> {
        let value: T = serde_yaml::from_str(text).ok()?;
        data.unsupported = false;
        let expr = value.construct(data);
        (!data.unsupported).then(|| (expr, kind, ids(&value)))
    }
    use Indexed::*;
    match rel {
        names::CATALOG_FILE => typed::<types::CatalogFile>(text, data, No, |_| Vec::new()),
        names::SOURCES_FILE => typed::<types::SourcesFile>(text, data, Sources, |f| {
            f.sources.iter().map(|s| s.id.clone()).collect()
        }),
        names::TARGETS_FILE => typed::<types::TargetsFile>(text, data, Targets, |f| {
            f.targets.iter().map(|t| t.id.clone()).collect()
        }),
        names::QUESTIONS_FILE => typed::<types::QuestionsFile>(text, data, Questions, |f| {
            f.questions.iter().map(|q| q.id.clone()).collect()
        }),
        names::RULES_FILE => typed::<types::RulesFile>(text, data, No, |_| Vec::new()),
        names::PLACEHOLDERS_FILE => {
            typed::<placeholders::PlaceholdersFile>(text, data, No, |_| Vec::new())
        }
        names::FINDINGS_FILE => typed::<types::FindingsFile>(text, data, No, |_| Vec::new()),
        rel if names::is_model_file(rel) => {
            typed::<types::Model>(text, data, Models, |m| vec![m.id.clone()])
        }
        _ => None,
    }
}

/// The `.yaml` and `.yml` files under `dir`, relative to the rules folder, `/`-separated.
fn yaml_files(dir: &Path, prefix: &str, out: &mut Vec<String>) {
    let entries =
        fs::read_dir(dir).unwrap_or_else(|e| fail(&format!("cannot read {}: {e}", dir.display())));
    for entry in entries {
        let entry = entry.unwrap_or_else(|e| fail(&format!("cannot read {}: {e}", dir.display())));
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if path.is_dir() {
            yaml_files(&path, &format!("{prefix}{name}/"), out);
        } else if name.ends_with(".yaml") || name.ends_with(".yml") {
            out.push(format!("{prefix}{name}"));
        }
    }
}

/// Stops the build with one clear line.
fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1)
}
