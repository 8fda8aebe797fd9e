//! Reading a rules folder from disk and writing the built-in one out: the only file I/O of the
//! catalog.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use super::load::MISSING_FILE;
use super::names::{MODELS_DIR, OPTIONAL_FILES, REQUIRED_FILES};
use super::{Catalog, Origin, builtin, parse};
use crate::diag::{CatalogError, Diagnostic, Position};
use crate::error::Error;
use crate::yaml::MAX_JSON_BYTES;

/// The most bytes read from one rules folder, all files together: room for a generated catalog of
/// tens of thousands of rules written as JSON. Each file also has its own limit
/// ([`crate::yaml::MAX_TEXT_BYTES`] for YAML, [`MAX_JSON_BYTES`] for JSON).
pub const MAX_FOLDER_BYTES: usize = 32 * 1024 * 1024;

/// Reads and validates the catalog in `dir`.
pub fn load_dir(dir: &Path) -> Result<Catalog, Error> {
    let meta = fs::metadata(dir).map_err(|e| match e.kind() {
        // A folder that is not there is a mistake in the command line, not an I/O failure.
        io::ErrorKind::NotFound => Error::Usage(format!(
            "rules folder {} does not exist (export the built-in one with `aks-id rules export {}`)",
            dir.display(),
            dir.display()
        )),
        _ => Error::io(format!("cannot read rules folder {}", dir.display()), e),
    })?;
    if !meta.is_dir() {
        return Err(Error::Usage(format!(
            "rules folder {} is not a folder",
            dir.display()
        )));
    }
    let display_root = dir.display().to_string();
    // Named as `parse` names them, so that its diagnostics and these agree.
    let display = |rel: &str| format!("{}/{rel}", display_root.trim_end_matches('/'));
    let mut files = Vec::new();
    let mut diagnostics = Vec::new();
    let mut unusable = Vec::new();
    let mut rels: Vec<String> = REQUIRED_FILES
        .iter()
        .chain(OPTIONAL_FILES.iter())
        .map(|s| (*s).to_owned())
        .collect();
    let models = dir.join(MODELS_DIR);
    if models.is_dir() {
        let entries = fs::read_dir(&models)
            .map_err(|e| Error::io(format!("cannot read {}", models.display()), e))?;
        let mut names = Vec::new();
        for entry in entries {
            let entry =
                entry.map_err(|e| Error::io(format!("cannot read {}", models.display()), e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".yaml") {
                names.push(name);
            }
        }
        names.sort();
        rels.extend(names.into_iter().map(|n| format!("{MODELS_DIR}/{n}")));
    }
    let mut total = 0;
    for rel in rels {
        let path = dir.join(&rel);
        match read_text(&path) {
            Ok(Some(text)) => {
                total += text.len();
                if total > MAX_FOLDER_BYTES {
                    return Err(Error::Catalog(CatalogError::new(vec![Diagnostic {
                        file: display_root.clone(),
                        position: Position::default(),
                        message: format!(
                            "the rules files together are larger than the limit of {MAX_FOLDER_BYTES} bytes \
                             (reached at {})",
                            display(&rel)
                        ),
                    }])));
                }
                files.push((rel, text));
            }
            Ok(None) => {} // missing: the parser reports it
            Err(message) => {
                unusable.push(display(&rel));
                diagnostics.push(Diagnostic {
                    file: display(&rel),
                    position: Position::default(),
                    message,
                });
            }
        }
    }
    match parse(Origin::Folder(dir.to_path_buf()), &display_root, &files) {
        Ok(catalog) if diagnostics.is_empty() => Ok(catalog),
        Ok(_) => Err(Error::Catalog(CatalogError::new(diagnostics))),
        Err(mut err) => {
            // A file that is there but unusable was not handed to `parse`, which takes it for
            // missing: its problem is already reported, once.
            err.diagnostics
                .retain(|d| !(d.message == MISSING_FILE && unusable.contains(&d.file)));
            let omitted = err.omitted;
            diagnostics.append(&mut err.diagnostics);
            let mut err = CatalogError::new(diagnostics);
            err.omitted += omitted;
            Err(Error::Catalog(err))
        }
    }
}

/// Reads a catalog file as UTF-8 text: `None` when it does not exist, a message when it cannot be
/// used.
fn read_text(path: &Path) -> Result<Option<String>, String> {
    use crate::fsio::{self, Unreadable};
    // The larger (JSON) limit: the parser applies the one for the file's format.
    match fsio::read(path, MAX_JSON_BYTES as u64) {
        Ok(text) => Ok(Some(text)),
        Err(Unreadable::Missing) => Ok(None),
        Err(Unreadable::Folder) => Err("is a folder, expected a YAML file".into()),
        Err(Unreadable::TooLarge(size)) => Err(format!(
            "file is {size} bytes; the limit is {MAX_JSON_BYTES} bytes"
        )),
        Err(Unreadable::NotUtf8(offset)) => {
            Err(format!("not UTF-8 text (invalid byte at offset {offset})"))
        }
        Err(Unreadable::Io(e)) => Err(format!("cannot read: {e}")),
    }
}

/// Writes the built-in catalog into `dir`, creating it. Refuses to replace any existing file
/// unless `force`; nothing is written when one would be replaced.
/// Failures carry their context (`cannot write PATH: ...`); a refusal is an [`Error::Usage`].
pub fn export(dir: &Path, force: bool) -> anyhow::Result<Vec<PathBuf>> {
    let schema = super::schema::rule_files_schema();
    let mut targets: Vec<(PathBuf, &str)> = builtin::FILES
        .iter()
        .map(|(rel, text)| (dir.join(rel), *text))
        .collect();
    // The YAML files name `schema.json` for editors (yaml-language-server).
    targets.push((dir.join("schema.json"), &schema));
    if !force {
        let existing: Vec<String> = targets
            .iter()
            .filter(|(path, _)| path.exists())
            .map(|(path, _)| path.display().to_string())
            .collect();
        if !existing.is_empty() {
            return Err(Error::Usage(format!(
                "refusing to overwrite existing files (use --force to replace them): {}",
                existing.join(", ")
            ))
            .into());
        }
    }
    let mut written = Vec::new();
    for (path, text) in targets {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}
