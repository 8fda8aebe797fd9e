//! Which files a scan reads and how: the paths named (files always, folders walked recursively
//! for `.yaml`, `.yml` and `.json`, skipping what `.gitignore` ignores unless told not to, in
//! a stable order), `-` for stdin, and bounded reads that tell a missing file, a folder, a file
//! over the limit and text that is not UTF-8 apart.

use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// The most bytes read from one input (a file or stdin). A `kubectl get -A -o yaml` of a large
/// cluster is tens of megabytes.
pub const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

/// One input to read, in scan order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    File(PathBuf),
    Stdin,
}

impl Source {
    /// The name shown in reports: the path as given or found, `-` for stdin.
    pub fn display(&self) -> String {
        match self {
            Source::File(path) => path.display().to_string(),
            Source::Stdin => "-".to_owned(),
        }
    }
}

/// A path that could not be walked: shown as an input problem, and the scan goes on.
#[derive(Debug)]
pub struct WalkProblem {
    pub path: String,
    pub message: String,
}

fn is_manifest_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "yaml" | "yml" | "json"))
}

/// Expands the paths given into the inputs to read: files as named (whatever their extension),
/// folders walked, `-` as stdin (once).
pub fn discover(paths: &[PathBuf], no_ignore: bool) -> (Vec<Source>, Vec<WalkProblem>) {
    let mut sources = Vec::new();
    let problems = discover_each(paths, no_ignore, &mut |source| sources.push(source));
    (sources, problems)
}

/// [`discover`], giving each input to `found` as soon as it is known (in the same order), so
/// that reading can start while folders are still walked.
pub fn discover_each(
    paths: &[PathBuf],
    no_ignore: bool,
    found: &mut dyn FnMut(Source),
) -> Vec<WalkProblem> {
    let mut problems = Vec::new();
    let mut stdin_seen = false;
    for path in paths {
        if path.as_os_str() == "-" {
            if !stdin_seen {
                found(Source::Stdin);
                stdin_seen = true;
            }
            continue;
        }
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk(path, no_ignore, found, &mut problems),
            Ok(_) => found(Source::File(path.clone())),
            Err(e) => problems.push(WalkProblem {
                path: path.display().to_string(),
                message: if e.kind() == io::ErrorKind::NotFound {
                    "no such file or folder".to_owned()
                } else {
                    e.to_string()
                },
            }),
        }
    }
    problems
}

fn walk(
    root: &Path,
    no_ignore: bool,
    found: &mut dyn FnMut(Source),
    problems: &mut Vec<WalkProblem>,
) {
    let mut builder = ignore::WalkBuilder::new(root);
    builder
        .hidden(false)
        .git_ignore(!no_ignore)
        .git_global(!no_ignore)
        .git_exclude(!no_ignore)
        .ignore(!no_ignore)
        .parents(!no_ignore)
        .require_git(false)
        .follow_links(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .filter_entry(|e| e.file_name() != ".git");
    for entry in builder.build() {
        match entry {
            Ok(entry) => {
                if entry.file_type().is_some_and(|t| t.is_file()) && is_manifest_name(entry.path())
                {
                    found(Source::File(entry.into_path()));
                }
            }
            Err(err) => problems.push(WalkProblem {
                path: root.display().to_string(),
                message: err.to_string(),
            }),
        }
    }
}

/// Reads one input as text, at most [`MAX_INPUT_BYTES`]; the message says why not.
pub fn read(source: &Source) -> Result<String, String> {
    let mut bytes = Vec::new();
    let result = match source {
        Source::Stdin => io::stdin()
            .lock()
            .take(MAX_INPUT_BYTES + 1)
            .read_to_end(&mut bytes),
        Source::File(path) => match std::fs::File::open(path) {
            Ok(file) => {
                // The reported size is only a hint for the buffer: at most the limit and one
                // byte are read, whatever it says.
                let hint = file.metadata().map_or(0, |m| m.len()).min(MAX_INPUT_BYTES) + 1;
                bytes.reserve_exact(usize::try_from(hint).unwrap_or(0));
                file.take(MAX_INPUT_BYTES + 1).read_to_end(&mut bytes)
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err("no such file".to_owned());
            }
            Err(e) => Err(e),
        },
    };
    if let Err(e) = result {
        return Err(format!("cannot read: {e}"));
    }
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(format!(
            "larger than the limit of {MAX_INPUT_BYTES} bytes per input; split it"
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}
