//! The JSON and YAML writers of every machine-readable output, in one place: the same
//! pretty-printing, the same trailing newline, the same error for every command.

use std::io::Write;

use serde::Serialize;

use crate::error::{Error, output};

/// Writes `value` as pretty JSON with a final newline.
pub fn write_json<T: Serialize>(value: &T, out: &mut dyn Write) -> Result<(), Error> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(|e| output(e.into()))?;
    writeln!(out).map_err(output)
}

/// Writes `value` as YAML.
pub fn write_yaml<T: Serialize>(value: &T, out: &mut dyn Write) -> Result<(), Error> {
    // A value that YAML cannot hold is a failure of the program, not of the input (exit 1).
    let text = crate::yaml::to_string(value)
        .map_err(|e| Error::Runtime(anyhow::Error::new(e).context("cannot render YAML")))?;
    out.write_all(text.as_bytes()).map_err(output)
}
