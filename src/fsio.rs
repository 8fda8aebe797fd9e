//! Bounded reads of what the user names or pipes in (an answers file, a rules file, stdin): one
//! place that tells a missing path, a folder, a text over the limit, bytes that are not UTF-8 and
//! other I/O failures apart, so each caller can word the error for its kind of input. No read
//! trusts a reported size: at most `limit + 1` bytes are ever read.

use std::io::{self, Read};
use std::path::Path;

/// Why a file could not be read as text.
#[derive(Debug)]
pub enum Unreadable {
    Missing,
    Folder,
    /// The file's size in bytes (at least the limit plus one), over the limit.
    TooLarge(u64),
    /// The offset of the first byte that is not UTF-8.
    NotUtf8(usize),
    Io(io::Error),
}

/// Reads `path` as UTF-8 text of at most `limit` bytes.
pub fn read(path: &Path, limit: u64) -> Result<String, Unreadable> {
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => Unreadable::Missing,
        _ => Unreadable::Io(e),
    })?;
    if meta.is_dir() {
        return Err(Unreadable::Folder);
    }
    if meta.len() > limit {
        return Err(Unreadable::TooLarge(meta.len()));
    }
    let file = std::fs::File::open(path).map_err(Unreadable::Io)?;
    let bytes = read_at_most(file, limit).map_err(Unreadable::Io)?;
    let Some(bytes) = bytes else {
        // The file grew after its size was read.
        return Err(Unreadable::TooLarge(meta.len().max(limit + 1)));
    };
    text(bytes)
}

/// Reads everything from `reader` as UTF-8 text of at most `limit` bytes.
pub fn read_stream(reader: impl Read, limit: u64) -> Result<String, Unreadable> {
    match read_at_most(reader, limit).map_err(Unreadable::Io)? {
        Some(bytes) => text(bytes),
        None => Err(Unreadable::TooLarge(limit + 1)),
    }
}

/// The bytes of `reader`, or `None` when there are more than `limit`.
fn read_at_most(reader: impl Read, limit: u64) -> io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}

fn text(bytes: Vec<u8>) -> Result<String, Unreadable> {
    String::from_utf8(bytes).map_err(|e| Unreadable::NotUtf8(e.utf8_error().valid_up_to()))
}
