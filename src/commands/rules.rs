//! `aks-id rules check|export|schema`: the catalog as files.

use std::io::Write;
use std::path::Path;

use crate::catalog::{self, schema};
use crate::display::untrusted;
use crate::error::{Error, ExitCode, output, warn};

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
        warn(
            err,
            &format!(
                "{} says the same as {}: \"{}\" (give both the same `id`, or remove one)",
                r.second,
                r.first,
                clip(&r.text)
            ),
        );
    }
    writeln!(
        out,
        "{}: ok ({} models, {} rows, {} sources, {} targets, {} questions, {} rules, {} findings; as of {})",
        untrusted(&catalog.origin.to_string()),
        catalog.models.len(),
        catalog.rows.len(),
        catalog.sources.len(),
        catalog.targets.len(),
        catalog.questions.len(),
        catalog.rules.len(),
        catalog.findings.len(),
        catalog.as_of
    )
    .map_err(output)?;
    let file = match &catalog.origin {
        catalog::Origin::BuiltIn => "rules/questions.yaml".to_owned(),
        catalog::Origin::Folder(dir) => dir.join("questions.yaml").display().to_string(),
    };
    for warning in catalog::warnings(&catalog) {
        warn(err, &format!("{file}: {warning}"));
    }
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
    let written = catalog::files::export(dir, force)?;
    for path in written {
        let path = path.to_string_lossy();
        writeln!(out, "wrote {}", untrusted(&path)).map_err(output)?;
    }
    Ok(ExitCode::Success)
}

/// `rules schema`: the JSON Schema of the rule files.
pub fn schema(out: &mut dyn Write) -> Result<ExitCode, Error> {
    out.write_all(schema::rule_files_schema().as_bytes())
        .map_err(output)?;
    Ok(ExitCode::Success)
}
