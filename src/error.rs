//! The ways a run can fail, each with its exit code (design.md section 6). Every error is printed
//! once, by `main`, as `aks-id: error: ...`; nothing panics and nothing prints a backtrace.
//!
//! Code that only adds context to I/O failures may use `anyhow`; its errors become
//! [`Error::Runtime`] (exit 1) at the command boundary, unless they carry one of these typed
//! errors, which keeps its own exit code.

use std::io::{self, Write};

use crate::diag::CatalogError;

/// Process exit codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitCode {
    Success = 0,
    Failure = 1,
    BadInput = 2,
    NoModelFits = 3,
    /// `scan` reported findings at or above `--fail-on`.
    Findings = 4,
    Interrupted = 130,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A command line that cannot be carried out (exit 2).
    #[error("{0}")]
    Usage(String),
    /// A catalog with problems, each with its file, line and column (exit 2).
    #[error("{}", catalog_summary(.0))]
    Catalog(#[from] CatalogError),
    /// An answer that does not fit its question (exit 2).
    #[error("{0}")]
    Answer(String),
    /// Reading or writing failed (exit 1).
    #[error("{context}: {source}")]
    Io { context: String, source: io::Error },
    /// Any other failure of the run, with its context (exit 1).
    #[error("{0:#}")]
    Runtime(anyhow::Error),
    /// Ctrl-C or Esc at a prompt (exit 130).
    #[error("interrupted")]
    Interrupted,
}

fn catalog_summary(err: &CatalogError) -> String {
    let mut text = format!("{err}:");
    for d in &err.diagnostics {
        text.push_str(&format!("\n  {d}"));
    }
    text
}

impl Error {
    pub fn io(context: impl Into<String>, source: io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    pub fn exit_code(&self) -> ExitCode {
        match self {
            Error::Usage(_) | Error::Catalog(_) | Error::Answer(_) => ExitCode::BadInput,
            Error::Io { .. } | Error::Runtime(_) => ExitCode::Failure,
            Error::Interrupted => ExitCode::Interrupted,
        }
    }

    /// Whether this is stdout going away under us (`aks-id compare | head -1`): not an error.
    pub fn is_broken_pipe(&self) -> bool {
        let broken = |e: &io::Error| e.kind() == io::ErrorKind::BrokenPipe;
        match self {
            Error::Io { source, .. } => broken(source),
            Error::Runtime(err) => err
                .chain()
                .any(|e| e.downcast_ref::<io::Error>().is_some_and(broken)),
            _ => false,
        }
    }

    /// Writes the error for a person: catalog problems one per line as `FILE:LINE:COL: message`,
    /// then the one-line summary.
    pub fn report(&self, w: &mut dyn Write) -> io::Result<()> {
        if let Error::Catalog(catalog) = self {
            for d in &catalog.diagnostics {
                writeln!(w, "{d}")?;
            }
            writeln!(w, "aks-id: error: {catalog}")
        } else {
            writeln!(w, "aks-id: error: {self}")
        }
    }
}

/// An `anyhow` error keeps the exit code of the typed error it carries; any other is a runtime
/// failure.
impl From<anyhow::Error> for Error {
    fn from(err: anyhow::Error) -> Self {
        match err.downcast::<Error>() {
            Ok(typed) => typed,
            Err(err) => Error::Runtime(err),
        }
    }
}

/// Output writes: a closed pipe or a full disk, reported with what was being written.
pub fn output(source: io::Error) -> Error {
    Error::io("cannot write output", source)
}
