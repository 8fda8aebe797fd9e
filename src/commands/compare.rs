//! `aks-id compare`: the comparison of the identity models, optionally narrowed to some models
//! and rows.

use std::io::Write;

use crate::catalog::Catalog;
use crate::error::{Error, ExitCode};
use crate::render::Look;
use crate::render::compare::{CompareFormat, Comparison};

/// `compare`'s options.
#[derive(Debug, Clone)]
pub struct Options {
    pub format: CompareFormat,
    /// Model ids, in display order; empty: all.
    pub models: Vec<String>,
    /// Row ids, in display order; empty: all.
    pub rows: Vec<String>,
    pub width: Option<u16>,
}

pub fn run(
    catalog: &Catalog,
    options: &Options,
    look: Look,
    out: &mut dyn Write,
) -> Result<ExitCode, Error> {
    let comparison = Comparison::select(catalog, &options.models, &options.rows)?;
    comparison.render(options.format, look, out)?;
    Ok(ExitCode::Success)
}
