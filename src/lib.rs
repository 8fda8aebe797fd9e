//! aks-id: advises how workloads on Azure Kubernetes Service should get an Azure identity.
//!
//! [`run`] is the whole program minus the process: parse the command line (`cli`), resolve it
//! into plain values, and hand them to a command (`commands`), which writes into the writers it
//! is given. The layers, top to bottom (nothing imports a layer above it; see
//! docs/architecture.md): `cli` -> `commands` -> `render` -> `advise` -> `catalog` -> `yaml`,
//! `fsio`, `display`, `error`, `diag`.
//!
//! No output is written with `print!`-like macros, which panic when the stream fails: program
//! output goes through writers whose errors are handled, and a failing stderr never loses the
//! result (see `error::warn`).
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod advise;
pub mod catalog;
pub mod cli;
pub mod commands;
pub mod diag;
pub mod display;
pub mod error;
pub mod fsio;
pub mod migrate;
pub mod plan;
pub mod render;
pub mod scan;
pub mod startup_alloc;
pub mod yaml;

use std::ffi::OsString;
use std::io::{self, Write};

use crate::commands::Outputs;
use crate::error::{Error, ExitCode, output as out_err};
use crate::render::Terminal;

/// Runs the program with these arguments, writing output to stdout and errors to stderr, and
/// returns the exit code.
pub fn main_with(args: impl IntoIterator<Item = OsString>, terminal: Terminal) -> i32 {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let stderr = io::stderr();
    let result = run(args, &terminal, &mut out, &mut stderr.lock()).and_then(|code| {
        out.flush().map_err(out_err)?;
        Ok(code)
    });
    match result {
        Ok(code) => code as i32,
        Err(err) if err.is_broken_pipe() => ExitCode::Success as i32,
        Err(err) => {
            // Nothing is left to tell when stderr itself fails.
            let _ = err.report(&mut stderr.lock());
            err.exit_code() as i32
        }
    }
}

/// The program: parse `args`, do the work, write output into `out` and warnings into `err`.
pub fn run(
    args: impl IntoIterator<Item = OsString>,
    terminal: &Terminal,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitCode, Error> {
    let args: Vec<OsString> = args.into_iter().collect();
    let cli = match cli::parse(&args) {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            let color = cli::color_flag(&args);
            return match e.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                    let text = if terminal.color(color) {
                        e.render().ansi().to_string()
                    } else {
                        e.render().to_string()
                    };
                    out.write_all(text.as_bytes()).map_err(out_err)?;
                    Ok(ExitCode::Success)
                }
                ErrorKind::InvalidValue
                    if cli::empty_rules_variable(&args)
                        && e.get(clap::error::ContextKind::InvalidArg)
                            .is_some_and(|arg| arg.to_string().starts_with("--rules")) =>
                {
                    Err(Error::Usage(
                        "AKS_ID_RULES is set but empty: set it to a rules folder (see `aks-id rules export`), \
                         or unset it to use the built-in catalog"
                            .into(),
                    ))
                }
                // `aks-id` or `aks-id rules` alone: the help of that command, as git and kubectl
                // print it, but on stderr with exit 2, since no command ran (README, "Exit codes").
                ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
                | ErrorKind::MissingSubcommand => {
                    let help = cli::help_of(&e);
                    let text = if terminal.stderr_color(color) {
                        help.ansi().to_string()
                    } else {
                        help.to_string()
                    };
                    err.write_all(text.as_bytes())
                        .map_err(|e| Error::io("cannot write to stderr", e))?;
                    Ok(ExitCode::BadInput)
                }
                _ => Err(Error::Usage(cli::one_line_usage_error(
                    &e.render().to_string(),
                    &args,
                ))),
            };
        }
    };
    let (settings, invocation) = cli.resolve();
    commands::execute(&settings, invocation, terminal, Outputs { out, err })
}
