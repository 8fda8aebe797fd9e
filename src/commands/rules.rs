//! `aks-id rules check|export|schema`: the catalog as files.

use std::io::Write;
use std::path::Path;

use crate::catalog::{self, schema};
use crate::error::{Error, ExitCode, output};

/// `rules check [DIR]`: loads the folder (or the built-in catalog) and sums it up; warns on
/// statements that repeat each other's words.
pub fn check(
    dir: Option<&std::path::PathBuf>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitCode, Error> {
    let catalog = match dir {
        Some(dir) => catalog::files::load_dir(dir)?,
        // The files as written, through the full loader: `check` validates.
        None => catalog::builtin::load_as_written()?,
    };
    for r in catalog::statements::repeated(&catalog) {
        writeln!(
            err,
            "aks-id: warning: {} says the same as {}: \"{}\" (give both the same `id`, or remove one)",
            r.second,
            r.first,
            clip(&r.text)
        )
        .map_err(|e| Error::io("cannot write a warning", e))?;
    }
    writeln!(
        out,
        "{}: ok ({} models, {} rows, {} sources, {} targets, {} questions, {} rules; as of {})",
        catalog.origin,
        catalog.models.len(),
        catalog.rows.len(),
        catalog.sources.len(),
        catalog.targets.len(),
        catalog.questions.len(),
        catalog.rules.len(),
        catalog.as_of
    )
    .map_err(output)?;
    Ok(ExitCode::Success)
}

/// At most 80 characters of a statement, for a message.
fn clip(text: &str) -> String {
    if text.chars().count() <= 80 {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(79).collect::<String>())
    }
}

/// `rules export DIR`: writes the built-in catalog's files.
pub fn export(dir: &Path, force: bool, out: &mut dyn Write) -> Result<ExitCode, Error> {
    // The boundary: context-carrying failures become the typed error that sets the exit code.
    let written = catalog::files::export(dir, force).map_err(Error::from)?;
    for path in written {
        writeln!(out, "wrote {}", path.display()).map_err(output)?;
    }
    Ok(ExitCode::Success)
}

/// `rules schema`: the JSON Schema of the rule files.
pub fn schema(out: &mut dyn Write) -> Result<ExitCode, Error> {
    out.write_all(schema::rule_files_schema().as_bytes())
        .map_err(output)?;
    Ok(ExitCode::Success)
}
