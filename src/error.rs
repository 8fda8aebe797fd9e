//! The ways a run can fail, each with its exit code (design.md section 6). Every error is printed
//! once, by `main`, as `aks-id: error: ...`; nothing panics and nothing prints a backtrace.

use std::fmt;
use std::io;

use crate::catalog::CatalogError;

/// Process exit codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitCode {
    Success = 0,
    Failure = 1,
    BadInput = 2,
    NoModelFits = 3,
    Interrupted = 130,
}

#[derive(Debug)]
pub enum Error {
    /// A command line that cannot be carried out (exit 2).
    Usage(String),
    /// A catalog with problems, each with its file, line and column (exit 2).
    Catalog(CatalogError),
    /// An answer that does not fit its question (exit 2).
    Answer(String),
    /// Reading or writing failed (exit 1).
    Io { context: String, source: io::Error },
    /// Ctrl-C or Esc at a prompt (exit 130).
    Interrupted,
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
            Error::Io { .. } => ExitCode::Failure,
            Error::Interrupted => ExitCode::Interrupted,
        }
    }

    /// Whether this is stdout going away under us (`aks-id compare | head -1`): not an error.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == io::ErrorKind::BrokenPipe)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(message) | Error::Answer(message) => f.write_str(message),
            Error::Catalog(err) => {
                write!(f, "{err}:")?;
                for d in &err.diagnostics {
                    write!(f, "\n  {d}")?;
                }
                Ok(())
            }
            Error::Io { context, source } => write!(f, "{context}: {source}"),
            Error::Interrupted => f.write_str("interrupted"),
        }
    }
}

impl std::error::Error for Error {}

impl From<CatalogError> for Error {
    fn from(err: CatalogError) -> Self {
        Error::Catalog(err)
    }
}

/// Output writes: a closed pipe or a full disk, reported with what was being written.
pub fn output(source: io::Error) -> Error {
    Error::io("cannot write output", source)
}

/// `text` made safe to echo in a one-line message: display text (see [`crate::display`]: a
/// value never moves the cursor or colours the terminal) and at most `max` characters kept, the middle
/// elided, so a megabyte-long value gives a short error.
pub fn clip(text: &str, max: usize) -> String {
    let shown = crate::display::untrusted(text);
    let count = shown.chars().count();
    if count <= max {
        return shown.into_owned();
    }
    let head = max * 2 / 3;
    let tail = max.saturating_sub(head + 1);
    let mut out: String = shown.chars().take(head).collect();
    out.push('…');
    out.extend(shown.chars().skip(count - tail));
    out
}

/// The most items named in a list inside a message.
const MAX_LISTED: usize = 20;

/// Ids for a message, comma-separated: at most [`MAX_LISTED`] of them, then how many more, so
/// that a catalog with thousands of questions or choices still gives a one-line error.
pub fn listing(items: &[&str]) -> String {
    let mut out = items
        .iter()
        .take(MAX_LISTED)
        .map(|item| clip(item, 80))
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > MAX_LISTED {
        out.push_str(&format!(" and {} more", items.len() - MAX_LISTED));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::clip;

    #[test]
    fn clip_escapes_control_characters_and_elides_the_middle() {
        assert_eq!(clip("pod", 10), "pod");
        assert_eq!(clip("a\u{1b}[31mb\n", 40), "a\\x1b[31mb\\n");
        let long = "x".repeat(1000) + "END";
        let short = clip(&long, 30);
        assert_eq!(short.chars().count(), 30);
        assert!(short.contains('…') && short.ends_with("END"), "{short}");
    }
}
