//! Bounded reads of what the user names or pipes in (an answers file, a rules file, stdin): one
//! place that tells a missing path, a folder, a text over the limit, bytes that are not UTF-8 and
//! other I/O failures apart, so each caller can word the error for its kind of input. No read
//! trusts a reported size: at most `limit + 1` bytes are ever read. Writes of generated folders
//! are all or nothing ([`write_folder`]): staged beside the folder and renamed into place.

use std::io::{self, Read};
use std::path::{Path, PathBuf};

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

/// Why a folder could not be written. Nothing at the folder's path changed.
#[derive(Debug)]
pub enum Unwritable {
    /// A symbolic link where the folder or one of its subfolders goes.
    Link(PathBuf),
    /// Something other than a folder where the folder goes.
    InTheWay(PathBuf),
    /// A relative path that leaves the folder (`..`, absolute) or is empty.
    BadPath(String),
    /// Reading or writing failed at this path.
    Io(PathBuf, io::Error),
}

impl std::fmt::Display for Unwritable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = |p: &Path| crate::diag::clip(&p.to_string_lossy(), 200);
        match self {
            Unwritable::Link(path) => write!(
                f,
                "{} is a symbolic link; refusing to write through it",
                shown(path)
            ),
            Unwritable::InTheWay(path) => {
                write!(f, "{} is in the way: it is not a folder", shown(path))
            }
            Unwritable::BadPath(rel) => write!(
                f,
                "cannot write `{}`: not a path inside the folder",
                crate::diag::clip(rel, 200)
            ),
            Unwritable::Io(path, e) => write!(f, "cannot write {}: {e}", shown(path)),
        }
    }
}

/// Writes `files` (paths relative to `dir`, `/`-separated, with their bytes) as the whole content
/// of `dir`, all or nothing, and returns the paths written, in order. Everything is written into
/// a temporary folder beside `dir` and renamed into place; a `dir` that exists (the caller has
/// decided it may be replaced) is moved aside first, put back if the rename fails, and removed
/// after. A symbolic link at `dir` is never followed.
pub fn write_folder(
    dir: &Path,
    files: &[(String, Vec<u8>)],
    force: bool,
) -> Result<Vec<PathBuf>, Unwritable> {
    for (rel, _) in files {
        let path = Path::new(rel);
        if rel.is_empty()
            || !path
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)))
        {
            return Err(Unwritable::BadPath(rel.clone()));
        }
    }
    let existing = match std::fs::symlink_metadata(dir) {
        Ok(meta) if meta.file_type().is_symlink() => return Err(Unwritable::Link(dir.into())),
        Ok(meta) if meta.is_dir() => true,
        Ok(_) => return Err(Unwritable::InTheWay(dir.into())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => false,
        Err(e) => return Err(Unwritable::Io(dir.into(), e)),
    };
    if existing && !force {
        let empty = std::fs::read_dir(dir)
            .map_err(|e| Unwritable::Io(dir.into(), e))?
            .next()
            .is_none();
        if !empty {
            return Err(Unwritable::InTheWay(dir.into()));
        }
    }
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let base = dir
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let scratch = |what: &str| parent.join(format!(".{base}.{what}-{}", std::process::id()));
    let staging = scratch("new");
    let result = (|| -> Result<(), Unwritable> {
        std::fs::create_dir(&staging).map_err(|e| Unwritable::Io(staging.clone(), e))?;
        for (rel, bytes) in files {
            let path = staging.join(rel);
            if let Some(folder) = path.parent() {
                std::fs::create_dir_all(folder).map_err(|e| Unwritable::Io(folder.into(), e))?;
            }
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
                .map_err(|e| Unwritable::Io(dir.join(rel), e))?;
            io::Write::write_all(&mut file, bytes).map_err(|e| Unwritable::Io(dir.join(rel), e))?;
            file.sync_all()
                .map_err(|e| Unwritable::Io(dir.join(rel), e))?;
        }
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }
    if existing {
        let aside = scratch("old");
        if let Err(e) = std::fs::rename(dir, &aside) {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(Unwritable::Io(dir.into(), e));
        }
        if let Err(e) = std::fs::rename(&staging, dir) {
            let _ = std::fs::rename(&aside, dir);
            let _ = std::fs::remove_dir_all(&staging);
            return Err(Unwritable::Io(dir.into(), e));
        }
        let _ = std::fs::remove_dir_all(&aside);
    } else if let Err(e) = std::fs::rename(&staging, dir) {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(Unwritable::Io(dir.into(), e));
    }
    Ok(files.iter().map(|(rel, _)| dir.join(rel)).collect())
}
