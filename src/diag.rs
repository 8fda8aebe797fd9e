//! Where a problem is and what it is: positions in text files, one diagnostic per problem
//! (`FILE:LINE:COL: message`), the list of them a catalog can fail with, and the clipping that
//! keeps a quoted value short and free of control characters. The lowest layer: it imports
//! only `display`, beside it.

use std::fmt;

/// A place in a text file: 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// One problem found in a file, with where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: String,
    pub position: Position,
    pub message: String,
}

/// The most characters of a message shown: a message may quote a value from the file (serde's
/// "invalid type: string ..."), and one line of a few hundred characters is enough to find it.
const MAX_MESSAGE_CHARS: usize = 500;

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = clip(&self.message, MAX_MESSAGE_CHARS);
        if self.position.line == 0 {
            write!(f, "{}: {message}", self.file)
        } else {
            write!(
                f,
                "{}:{}:{}: {message}",
                self.file, self.position.line, self.position.column
            )
        }
    }
}

/// Everything wrong with a catalog, in file order: the first [`MAX_DIAGNOSTICS`] problems, and
/// how many more were found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CatalogError {
    pub diagnostics: Vec<Diagnostic>,
    /// Problems found but not listed: a broken generated file can have hundreds of thousands,
    /// and printing them all helps nobody.
    pub omitted: usize,
}

/// The most problems listed for one catalog.
pub const MAX_DIAGNOSTICS: usize = 100;

impl CatalogError {
    /// Keeps the first [`MAX_DIAGNOSTICS`] diagnostics and counts the rest.
    pub fn new(mut diagnostics: Vec<Diagnostic>) -> Self {
        let omitted = diagnostics.len().saturating_sub(MAX_DIAGNOSTICS);
        diagnostics.truncate(MAX_DIAGNOSTICS);
        Self {
            diagnostics,
            omitted,
        }
    }
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.diagnostics.len() + self.omitted;
        write!(
            f,
            "the catalog has {n} problem{}",
            if n == 1 { "" } else { "s" }
        )?;
        if self.omitted > 0 {
            write!(f, " (the first {} are listed)", self.diagnostics.len())?;
        }
        Ok(())
    }
}

impl std::error::Error for CatalogError {}
/// `text` made safe to echo in a one-line message: display text (see [`crate::display`]: a
/// value never moves the cursor or colours the terminal) and at most `max` characters kept, the
/// middle elided, so a megabyte-long value gives a short error.
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
