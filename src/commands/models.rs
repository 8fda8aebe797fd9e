//! `aks-id models` and `aks-id show MODEL`: the identity models, listed or one in full.

use std::io::Write;

use crate::catalog::Catalog;
use crate::diag::{clip, did_you_mean};
use crate::error::{Error, ExitCode};
use crate::render::model_sheet::{self, DocFormat};
use crate::render::{ListFormat, Look};

/// `models`: every model with its status.
pub fn list(
    catalog: &Catalog,
    format: ListFormat,
    look: Look,
    out: &mut dyn Write,
) -> Result<ExitCode, Error> {
    model_sheet::list(catalog, format, look, out)?;
    Ok(ExitCode::Success)
}

/// `show MODEL`: one model's sheet; an unknown id is a usage error naming the known ones.
pub fn show(
    catalog: &Catalog,
    id: &str,
    format: DocFormat,
    look: Look,
    out: &mut dyn Write,
) -> Result<ExitCode, Error> {
    let model = catalog.model(id).ok_or_else(|| {
        Error::Usage(format!(
            "unknown model `{}` (models: {}){}",
            clip(id, 80),
            catalog.model_ids().join(", "),
            did_you_mean(id, catalog.model_ids())
        ))
    })?;
    model_sheet::show(catalog, model, format, look, out)?;
    Ok(ExitCode::Success)
}
