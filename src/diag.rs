//! Where a problem is and what it is: positions in text files, one diagnostic per problem
//! (`FILE:LINE:COL: message`), the list of them a catalog can fail with, and the clipping that
//! keeps a quoted value short and free of control characters, and the "did you mean" of every
//! unknown name (question ids, choices, models, rows). The lowest layer: it imports only
//! `display`, beside it.

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
/// The known name nearest to a mistyped one, for "did you mean `x`?": the closest by edit
/// distance (insertions, deletions, substitutions and swaps of neighbours, ignoring case and
/// `-`/`_`), when it is within a third of the name's length (at least 1, like cargo and clap);
/// else the one known name that starts with what was typed (`key` for `key-vault`). Ties go to
/// the name listed first.
pub fn nearest<'a>(typed: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let fold = |s: &str| -> Vec<char> {
        s.chars()
            .map(|c| {
                if c == '_' {
                    '-'
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect()
    };
    let typed_folded = fold(typed);
    if typed_folded.is_empty() || typed_folded.len() > 64 {
        return None;
    }
    let limit = (typed_folded.len() / 3).max(1);
    let mut best: Option<(usize, &str)> = None;
    let mut prefixed: Vec<&str> = Vec::new();
    for name in known {
        if name == typed {
            continue;
        }
        let folded = fold(name);
        if typed_folded.len() >= 3 && folded.starts_with(&typed_folded) {
            prefixed.push(name);
        }
        let d = edit_distance(&typed_folded, &folded);
        if d <= limit && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, name));
        }
    }
    best.map(|(_, name)| name).or(match prefixed.as_slice() {
        [only] => Some(*only),
        _ => None,
    })
}

/// `; did you mean `x`?` for a mistyped name, or nothing.
pub fn did_you_mean<'a>(typed: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    nearest(typed, known).map_or_else(String::new, |name| format!("; did you mean `{name}`?"))
}

/// Optimal string alignment distance: Levenshtein plus the swap of two neighbours.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut before: Vec<usize> = Vec::new();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut current = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            current[j] = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                current[j] = current[j].min(before[j - 2] + 1);
            }
        }
        before = std::mem::replace(&mut previous, current);
    }
    previous[b.len()]
}

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

/// Ids for a message, comma-separated: at most `MAX_LISTED` (20) of them, then how many more, so
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
    use super::{clip, nearest};

    #[test]
    fn the_nearest_name_is_suggested_only_when_close() {
        let models = ["cluster", "pod", "workload"];
        assert_eq!(nearest("worklaod", models), Some("workload"));
        assert_eq!(nearest("Workloads", models), Some("workload"));
        assert_eq!(nearest("pdo", models), Some("pod"));
        assert_eq!(nearest("cluser", models), Some("cluster"));
        assert_eq!(nearest("kubernetes", models), None);
        assert_eq!(
            nearest("workload", models),
            None,
            "an exact name is no typo"
        );
        let targets = ["key-vault", "storage", "sql", "postgresql"];
        assert_eq!(nearest("keyvault", targets), Some("key-vault"));
        assert_eq!(nearest("Key_Vault", targets), Some("key-vault"));
        assert_eq!(
            nearest("key", targets),
            Some("key-vault"),
            "a unique prefix"
        );
        assert_eq!(nearest("postgres", targets), Some("postgresql"));
        assert_eq!(nearest("sq", targets), Some("sql"));
        assert_eq!(nearest("", targets), None);
    }

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
