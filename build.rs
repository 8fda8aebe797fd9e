//! Build script: embeds the catalog in `rules/` into the binary.
//!
//! Every YAML file of `rules/` is embedded twice: as written (for `rules export` and the tests
//! that validate it) and compiled to the binary form of `src/catalog/compiled.rs`, which a run
//! reads back with no text to parse, so that a run on the built-in catalog costs little more than
//! starting the process. The compilation knows nothing of the catalog's types: a file or a field
//! added to `rules/` needs no change here. A file that is not valid YAML fails the build, naming
//! the file, line and column; what YAML cannot say (references, conditions that fit their
//! questions) the test suite checks with the full loader.
//! Also tells the compiler the catalog's as-of date for `--version`.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

#[allow(dead_code)] // the reader half serves the crate, not the build script
#[path = "src/catalog/compiled.rs"]
mod compiled;

/// The names of the rule files, shared with the crate.
#[allow(dead_code)]
mod names {
    include!("src/catalog/names.rs");
}

fn main() {
    println!("cargo:rerun-if-changed=rules");
    println!("cargo:rerun-if-changed=src/catalog/compiled.rs");
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

    let compiled_dir = Path::new(&out).join("compiled");
    let mut files = String::from("&[\n");
    let mut table = String::from("&[\n");
    for rel in &rels {
        let source = rules.join(rel);
        let text = fs::read_to_string(&source)
            .unwrap_or_else(|e| fail(&format!("rules/{rel}: cannot read: {e}")));
        let value: serde_json::Value = serde_yaml::from_str(&text)
            .unwrap_or_else(|e| fail(&format!("rules/{rel}: not valid YAML: {e}")));
        let bytes = compiled::encode(&value);
        let target = compiled_dir.join(format!("{rel}.bin"));
        fs::create_dir_all(target.parent().expect("a file has a folder"))
            .expect("OUT_DIR is writable");
        fs::write(&target, bytes).expect("OUT_DIR is writable");
        let _ = writeln!(
            files,
            "    ({rel:?}, include_str!({:?})),",
            source.display().to_string()
        );
        let _ = writeln!(
            table,
            "    ({rel:?}, include_bytes!({:?})),",
            target.display().to_string()
        );
    }
    files.push(']');
    table.push(']');
    fs::write(Path::new(&out).join("builtin_files.rs"), files).expect("OUT_DIR is writable");
    fs::write(Path::new(&out).join("builtin_compiled.rs"), table).expect("OUT_DIR is writable");

    let catalog = fs::read_to_string(rules.join(names::CATALOG_FILE)).unwrap_or_default();
    let as_of = catalog
        .lines()
        .find_map(|line| line.strip_prefix("as_of:"))
        .map(|v| v.trim().trim_matches('"').trim_matches('\'').to_owned())
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=AKS_ID_CATALOG_AS_OF={as_of}");
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
