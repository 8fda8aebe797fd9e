//! `aks-id questions`: the questionnaire, as the interview asks it.

use std::io::Write;

use crate::catalog::Catalog;
use crate::error::{Error, ExitCode};
use crate::render::{ListFormat, Look, questions};

pub fn run(
    catalog: &Catalog,
    format: ListFormat,
    look: Look,
    out: &mut dyn Write,
) -> Result<ExitCode, Error> {
    questions::render(catalog, format, look, out)?;
    Ok(ExitCode::Success)
}
