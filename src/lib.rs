//! aks-id: advises how workloads on Azure Kubernetes Service should get an Azure identity.
//!
//! `run` is the whole program minus the process: it parses the command line, loads the catalog
//! (built in, or a `--rules` folder), and renders the command's output into a writer. `main.rs`
//! only gathers the terminal facts and maps the result to an exit code.

pub mod catalog;
pub mod citations;
pub mod cli;
pub mod compare;
pub mod error;
pub mod model_sheet;
pub mod output;
pub mod schema;
pub mod yaml;

use std::ffi::OsString;
use std::io::{self, Write};

use clap::Parser;

use crate::catalog::Catalog;
use crate::cli::{Cli, Command, RulesCommand};
use crate::error::{Error, ExitCode, output as out_err};
use crate::output::Terminal;

/// `--version`: the program's version and the built-in catalog's as-of date.
pub const VERSION_LINE: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (catalog as of ",
    env!("AKS_ID_CATALOG_AS_OF"),
    ")"
);

/// Runs the program with these arguments, writing output to stdout and errors to stderr, and
/// returns the exit code.
pub fn main_with(args: impl IntoIterator<Item = OsString>, terminal: Terminal) -> i32 {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let result = run(args, &terminal, &mut out).and_then(|code| {
        out.flush().map_err(out_err)?;
        Ok(code)
    });
    match result {
        Ok(code) => code as i32,
        Err(err) if err.is_broken_pipe() => ExitCode::Success as i32,
        Err(err) => {
            report(&err);
            err.exit_code() as i32
        }
    }
}

/// Prints an error to stderr: catalog problems one per line as `FILE:LINE:COL: message`, then
/// the one-line summary.
pub fn report(err: &Error) {
    let stderr = io::stderr();
    let mut e = stderr.lock();
    if let Error::Catalog(catalog) = err {
        for d in &catalog.diagnostics {
            let _ = writeln!(e, "{d}");
        }
        let _ = writeln!(e, "aks-id: error: {catalog}");
    } else {
        let _ = writeln!(e, "aks-id: error: {err}");
    }
}

/// The program: parse `args`, do the work, write output into `out`.
pub fn run(
    args: impl IntoIterator<Item = OsString>,
    terminal: &Terminal,
    out: &mut dyn Write,
) -> Result<ExitCode, Error> {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            use clap::error::ErrorKind;
            return match err.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                    let text = if terminal.color(cli::ColorChoice::Auto) {
                        err.render().ansi().to_string()
                    } else {
                        err.render().to_string()
                    };
                    out.write_all(text.as_bytes()).map_err(out_err)?;
                    Ok(ExitCode::Success)
                }
                _ => {
                    let text = err.render().to_string();
                    let text = text.trim_end().trim_start_matches("error: ");
                    Err(Error::Usage(text.to_owned()))
                }
            };
        }
    };
    match &cli.command {
        Command::Compare(args) => {
            let catalog = load_catalog(&cli)?;
            let comparison = compare::Comparison::select(&catalog, &args.models, &args.rows)?;
            comparison.render(args.output, terminal.look(cli.color, args.width), out)?;
        }
        Command::Models(args) => {
            let catalog = load_catalog(&cli)?;
            model_sheet::list(&catalog, args.output, terminal.look(cli.color, None), out)?;
        }
        Command::Show(args) => {
            let catalog = load_catalog(&cli)?;
            let model = catalog.model(&args.model).ok_or_else(|| {
                Error::Usage(format!(
                    "unknown model `{}` (models: {})",
                    args.model,
                    catalog.model_ids().join(", ")
                ))
            })?;
            model_sheet::show(
                &catalog,
                model,
                args.output,
                terminal.look(cli.color, args.width),
                out,
            )?;
        }
        Command::Rules(command) => return rules(&cli, command, out),
    }
    Ok(ExitCode::Success)
}

fn load_catalog(cli: &Cli) -> Result<Catalog, Error> {
    match &cli.rules {
        Some(dir) => catalog::files::load_dir(dir),
        None => Ok(catalog::builtin::load()?),
    }
}

fn rules(cli: &Cli, command: &RulesCommand, out: &mut dyn Write) -> Result<ExitCode, Error> {
    match command {
        RulesCommand::Check { dir } => {
            let catalog = match dir.as_ref().or(cli.rules.as_ref()) {
                Some(dir) => catalog::files::load_dir(dir)?,
                None => catalog::builtin::load()?,
            };
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
            .map_err(out_err)?;
        }
        RulesCommand::Export { dir, force } => {
            let written = catalog::files::export(dir, *force)?;
            for path in written {
                writeln!(out, "wrote {}", path.display()).map_err(out_err)?;
            }
        }
        RulesCommand::Schema => {
            let text = schema::rule_files_schema();
            out.write_all(text.as_bytes()).map_err(out_err)?;
        }
    }
    Ok(ExitCode::Success)
}
