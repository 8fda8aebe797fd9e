//! Build script: embeds the catalog in `rules/` into the binary.
//!
//! Each rule file is embedded twice: as written (for `rules export` and the validation test) and
//! compiled to JSON, which loads in a fraction of the time YAML parsing takes, so that a run on
//! the built-in catalog costs little more than starting the process. A file that is not valid
//! YAML is embedded as written; the loader then reports it at run time (and the tests fail).
//! Also tells the compiler the catalog's as-of date for `--version`.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

/// The names of the rule files, shared with the crate.
#[allow(dead_code)]
mod names {
    include!("src/catalog/names.rs");
}

fn main() {
    println!("cargo:rerun-if-changed=rules");
    println!("cargo:rerun-if-changed=src/catalog/names.rs");
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let rules = Path::new(&manifest).join("rules");

    let mut rels: Vec<String> = names::REQUIRED_FILES
        .iter()
        .chain(names::OPTIONAL_FILES.iter())
        .map(|s| (*s).to_owned())
        .collect();
    let mut models: Vec<String> = fs::read_dir(rules.join(names::MODELS_DIR))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|name| name.ends_with(".yaml"))
                .map(|name| format!("{}/{name}", names::MODELS_DIR))
                .collect()
        })
        .unwrap_or_default();
    models.sort();
    rels.extend(models);

    let compiled_dir = Path::new(&out).join("compiled");
    let mut files = String::from("&[\n");
    let mut compiled = String::from("&[\n");
    for rel in &rels {
        let source = rules.join(rel);
        let text = fs::read_to_string(&source).unwrap_or_default();
        let json = serde_yaml::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|value| serde_json::to_string(&value).ok())
            .unwrap_or_else(|| text.clone());
        let target = compiled_dir.join(rel);
        fs::create_dir_all(target.parent().expect("a file has a folder"))
            .expect("OUT_DIR is writable");
        fs::write(&target, json).expect("OUT_DIR is writable");
        let _ = writeln!(
            files,
            "    ({rel:?}, include_str!({:?})),",
            source.display().to_string()
        );
        let _ = writeln!(
            compiled,
            "    ({rel:?}, include_str!({:?})),",
            target.display().to_string()
        );
    }
    files.push(']');
    compiled.push(']');
    fs::write(Path::new(&out).join("builtin_files.rs"), files).expect("OUT_DIR is writable");
    fs::write(Path::new(&out).join("builtin_compiled.rs"), compiled).expect("OUT_DIR is writable");

    let catalog = fs::read_to_string(rules.join(names::CATALOG_FILE)).unwrap_or_default();
    let as_of = catalog
        .lines()
        .find_map(|line| line.strip_prefix("as_of:"))
        .map(|v| v.trim().trim_matches('"').trim_matches('\'').to_owned())
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=AKS_ID_CATALOG_AS_OF={as_of}");
}
