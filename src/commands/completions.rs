//! `aks-id completions SHELL`: the command line described for shells.

use std::io::Write;

use crate::error::{Error, ExitCode, output};

/// A completion script for `shell`.
pub fn completions(
    shell: clap_complete::Shell,
    mut command: clap::Command,
    out: &mut dyn Write,
) -> Result<ExitCode, Error> {
    // Generated into memory: clap_complete panics when its writer fails.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "aks-id", &mut script);
    out.write_all(&script).map_err(output)?;
    Ok(ExitCode::Success)
}
