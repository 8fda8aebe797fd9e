//! `aks-id scan` and `aks-id findings`: the flags resolved into a [`scan::Config`], the scan
//! run, the report rendered in the chosen format, and the exit code chosen from unreadable inputs
//! and `--fail-on`.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use crate::catalog::{Catalog, Severity};
use crate::error::{Error, ExitCode};
use crate::render::scan::ScanFormat;
use crate::render::{ColorChoice, Look, Terminal};
use crate::scan;

/// `--fail-on`: the lowest severity that makes the scan exit 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum FailOn {
    Info,
    Warning,
    Error,
    Never,
}

/// `scan`'s command line as plain values.
#[derive(Debug)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub format: ScanFormat,
    pub fail_on: FailOn,
    pub skip: Vec<String>,
    pub only: Vec<String>,
    pub namespace: String,
    pub complete: bool,
    pub no_ignore: bool,
    pub explain: bool,
    pub width: Option<u16>,
}

pub fn run(
    catalog: &Catalog,
    args: &Options,
    terminal: &Terminal,
    color: ColorChoice,
    out: &mut dyn Write,
) -> Result<ExitCode, Error> {
    if catalog.findings.is_empty() {
        return Err(Error::Usage(format!(
            "the catalog {} has no findings.yaml: scan has nothing to report against",
            catalog.origin
        )));
    }
    let config = scan::Config {
        paths: args.paths.clone(),
        no_ignore: args.no_ignore,
        namespace: args.namespace.clone(),
        complete: args.complete,
        skip: args.skip.clone(),
        only: args.only.clone(),
        advice: true,
        progress: std::io::stderr().is_terminal(),
        threads: 0,
    };
    let report = scan::run(catalog, &config)?;
    match args.format {
        ScanFormat::Text => {
            let mut look = terminal.look(color, args.width);
            if args.width.is_none() && terminal.columns.is_none() && terminal.env_columns.is_none()
            {
                look.width = 80;
            }
            crate::render::scan::text(&report, args.explain, look, out)?
        }
        ScanFormat::Json => crate::render::scan::json_out(&report, out)?,
        ScanFormat::Yaml => crate::render::scan::yaml_out(&report, out)?,
        ScanFormat::Sarif => crate::render::sarif::write(catalog, &report, out)?,
        ScanFormat::Markdown => crate::render::scan::markdown(&report, out)?,
    }
    let code = exit_code(&report, args.fail_on);
    // The report of a large scan is hundreds of thousands of small allocations, and the process
    // ends right after this command: freeing them one by one only delays the exit.
    std::mem::forget(report);
    Ok(code)
}

/// `aks-id findings [ID]`.
pub fn findings(
    catalog: &Catalog,
    id: Option<&str>,
    look: Look,
    out: &mut dyn Write,
) -> Result<ExitCode, Error> {
    match id {
        Some(id) => crate::render::scan::finding_explain(catalog, id, look, out)?,
        None => crate::render::scan::findings_list(catalog, look, out)?,
    }
    Ok(ExitCode::Success)
}

/// 1 when an input could not be read; else 4 when a finding (not suppressed) is at or above
/// the threshold; else 0.
pub fn exit_code(report: &scan::Report, fail_on: FailOn) -> ExitCode {
    if report.has_unreadable() {
        return ExitCode::Failure;
    }
    let threshold = match fail_on {
        FailOn::Never => return ExitCode::Success,
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
        FailOn::Info => Severity::Info,
    };
    if report
        .findings
        .iter()
        .any(|f| f.suppressed.is_none() && f.severity >= threshold)
    {
        ExitCode::Findings
    } else {
        ExitCode::Success
    }
}
