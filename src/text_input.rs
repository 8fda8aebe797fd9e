//! Reading a text file that the user names (an answers file, a rules file) with a size limit:
//! one place that tells a missing path, a folder, a file over the limit, bytes that are not
//! UTF-8 and other I/O failures apart, so each caller can word the error for its kind of file.

use std::io;
use std::path::Path;

/// Why a file could not be read as text.
#[derive(Debug)]
pub enum Unreadable {
    Missing,
    Folder,
    /// The file's size in bytes, over the limit.
    TooLarge(u64),
    /// The offset of the first byte that is not UTF-8.
    NotUtf8(usize),
    Io(io::Error),
}

/// Reads `path` as UTF-8 text of at most `limit` bytes; the size is checked before reading.
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
    let bytes = std::fs::read(path).map_err(Unreadable::Io)?;
    String::from_utf8(bytes).map_err(|e| Unreadable::NotUtf8(e.utf8_error().valid_up_to()))
}
