//! The program's file I/O rules, in one place.
//!
//! Reads: what the user names or pipes in (an answers file, a rules file, stdin) is read with a
//! limit, and no read trusts a reported size: at most `limit + 1` bytes are ever read. Only
//! regular files are read by name: a FIFO would block forever, and a device (`/dev/zero`) or a
//! process substitution (`<(yes)`) never ends. [`Unreadable`] tells the failures apart so that
//! each caller words the error for its kind of input.
//!
//! Writes: [`write_folder`] writes a set of files into a folder all or nothing. New files are
//! written into a temporary folder beside the target, then renamed into place; a failure on the
//! way puts back what was there. No write goes through a symbolic link: a link where the folder,
//! a subfolder or an owned file should be is refused, or with `force` replaced (for a file),
//! never followed.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// Why a file could not be read as text.
#[derive(Debug)]
pub enum Unreadable {
    Missing,
    Folder,
    /// Not a regular file: a FIFO, a device, a socket. What it is, in words.
    NotRegular(&'static str),
    /// Over the limit: the size in bytes when the file system knows it, else at least
    /// `limit + 1`.
    TooLarge(u64),
    /// The offset of the first byte that is not UTF-8.
    NotUtf8(usize),
    Io(io::Error),
}

/// Reads the regular file `path` as UTF-8 text of at most `limit` bytes.
pub fn read(path: &Path, limit: u64) -> Result<String, Unreadable> {
    let file = open_regular(path)?;
    let reported = file.metadata().map(|m| m.len()).unwrap_or(0);
    if reported > limit {
        return Err(Unreadable::TooLarge(reported));
    }
    match read_at_most(file, limit).map_err(Unreadable::Io)? {
        Some(bytes) => text(bytes),
        // The file is larger than it said (or grew while being read).
        None => Err(Unreadable::TooLarge(reported.max(limit + 1))),
    }
}

/// Reads everything from `reader` (stdin) as UTF-8 text of at most `limit` bytes.
pub fn read_stream(reader: impl Read, limit: u64) -> Result<String, Unreadable> {
    match read_at_most(reader, limit).map_err(Unreadable::Io)? {
        Some(bytes) => text(bytes),
        None => Err(Unreadable::TooLarge(limit + 1)),
    }
}

/// Opens `path` for reading if it is a regular file. The file is opened without waiting for a
/// writer (a FIFO opened for reading otherwise blocks until one comes), and its type is checked
/// on the open handle, so a path swapped after the check is still refused.
fn open_regular(path: &Path) -> Result<fs::File, Unreadable> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => Unreadable::Missing,
        io::ErrorKind::IsADirectory => Unreadable::Folder,
        _ => Unreadable::Io(e),
    })?;
    let kind = file.metadata().map_err(Unreadable::Io)?.file_type();
    if kind.is_dir() {
        return Err(Unreadable::Folder);
    }
    if !kind.is_file() {
        return Err(Unreadable::NotRegular(describe_type(&kind)));
    }
    #[cfg(unix)]
    {
        // Back to ordinary blocking reads (a regular file ignores the flag, but say so).
        use std::os::fd::AsRawFd;
        // SAFETY: `fcntl` on a descriptor this function owns, with flags it just read.
        unsafe {
            let fd = file.as_raw_fd();
            let flags = libc::fcntl(fd, libc::F_GETFL);
            if flags >= 0 {
                libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK);
            }
        }
    }
    Ok(file)
}

/// What a file that is neither a regular file nor a folder is, for messages.
fn describe_type(kind: &fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    let _ = kind;
    "not a regular file"
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

/// Why a folder could not be written. Nothing in the folder changed.
#[derive(Debug)]
pub enum Unwritable {
    /// These owned files exist already and `force` was not given.
    Exists(Vec<PathBuf>),
    /// A symbolic link where the folder, a subfolder or (without `force`) an owned file goes.
    Link(PathBuf),
    /// Something other than a file (or a folder, for a subfolder) where one goes.
    InTheWay(PathBuf),
    /// A relative path that leaves the folder (`..`, absolute) or is empty.
    BadPath(String),
    /// Reading or writing failed at this path.
    Io(PathBuf, io::Error),
}

impl std::fmt::Display for Unwritable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::display::untrusted;
        let shown = |p: &Path| untrusted(&p.to_string_lossy()).into_owned();
        match self {
            Unwritable::Exists(paths) => write!(
                f,
                "refusing to overwrite existing files (use --force to replace them): {}",
                paths
                    .iter()
                    .map(|p| shown(p))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Unwritable::Link(path) => write!(
                f,
                "{} is a symbolic link; refusing to write through it",
                shown(path)
            ),
            Unwritable::InTheWay(path) => write!(
                f,
                "{} is in the way: it is not a regular file or folder",
                shown(path)
            ),
            Unwritable::BadPath(rel) => write!(
                f,
                "cannot write `{}`: not a path inside the folder",
                untrusted(rel)
            ),
            Unwritable::Io(path, e) => write!(f, "cannot write {}: {e}", shown(path)),
        }
    }
}

/// Writes `files` (paths relative to `dir`, with their bytes) into `dir`, all or nothing, and
/// returns the paths written, in order.
///
/// - `dir` missing: everything is written into a temporary folder beside it, which is then
///   renamed to `dir`.
/// - `dir` present: the new files are written into a temporary folder beside it; then each file
///   already at an owned path is moved aside, and the new one renamed into place. A failure
///   moves everything back. Other files in `dir` are never touched.
/// - An owned file that exists is an error unless `force`. A symbolic link at `dir` or at a
///   subfolder is always an error; at an owned file it is an error without `force` and replaced
///   (the link itself, not what it points to) with it.
pub fn write_folder(
    dir: &Path,
    files: &[(String, Vec<u8>)],
    force: bool,
) -> Result<Vec<PathBuf>, Unwritable> {
    write_folder_failing_at(dir, files, force, None)
}

/// [`write_folder`], failing on purpose before the `fail_at`th file is put in place (tests).
fn write_folder_failing_at(
    dir: &Path,
    files: &[(String, Vec<u8>)],
    force: bool,
    fail_at: Option<usize>,
) -> Result<Vec<PathBuf>, Unwritable> {
    for (rel, _) in files {
        check_relative(rel)?;
    }
    let existing_dir = match fs::symlink_metadata(dir) {
        Ok(meta) if meta.file_type().is_symlink() => {
            return Err(Unwritable::Link(dir.to_path_buf()));
        }
        Ok(meta) if meta.is_dir() => true,
        Ok(_) => return Err(Unwritable::InTheWay(dir.to_path_buf())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => false,
        Err(e) => return Err(Unwritable::Io(dir.to_path_buf(), e)),
    };
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if existing_dir {
        check_existing(dir, files, force)?;
    } else {
        fs::create_dir_all(&parent).map_err(|e| Unwritable::Io(parent.clone(), e))?;
    }

    let staging = Scratch::new(&parent, dir, "new")?;
    for (rel, bytes) in files {
        let path = staging.path.join(rel);
        if let Some(folder) = path.parent() {
            fs::create_dir_all(folder).map_err(|e| Unwritable::Io(folder.to_path_buf(), e))?;
        }
        write_new(&path, bytes).map_err(|e| Unwritable::Io(dir.join(rel), e))?;
    }
    let written: Vec<PathBuf> = files.iter().map(|(rel, _)| dir.join(rel)).collect();

    if !existing_dir {
        if fail_at.is_some() {
            return Err(Unwritable::Io(dir.to_path_buf(), injected()));
        }
        fs::rename(&staging.path, dir).map_err(|e| Unwritable::Io(dir.to_path_buf(), e))?;
        staging.forget();
        return Ok(written);
    }

    // Into an existing folder: move each old file aside, then the new one in; undo on failure.
    let aside = Scratch::new(&parent, dir, "old")?;
    let mut done: Vec<Placed> = Vec::new();
    let mut result = Ok(());
    for (n, (rel, _)) in files.iter().enumerate() {
        if fail_at == Some(n) {
            result = Err(Unwritable::Io(dir.join(rel), injected()));
            break;
        }
        match place(dir, &staging.path, &aside.path, rel, n) {
            Ok(placed) => done.push(placed),
            Err(e) => {
                result = Err(e);
                break;
            }
        }
    }
    if let Err(e) = result {
        for placed in done.into_iter().rev() {
            placed.undo(dir, &aside.path);
        }
        return Err(e);
    }
    Ok(written)
}

/// One file put in place, and what it replaced, so that it can be undone.
struct Placed {
    rel: String,
    /// The name of the old file in the aside folder, when there was one.
    old: Option<String>,
    /// Folders created for it, innermost last.
    created: Vec<PathBuf>,
}

impl Placed {
    fn undo(self, dir: &Path, aside: &Path) {
        let target = dir.join(&self.rel);
        let _ = fs::remove_file(&target);
        if let Some(old) = self.old {
            let _ = fs::rename(aside.join(old), &target);
        }
        for folder in self.created.into_iter().rev() {
            let _ = fs::remove_dir(folder);
        }
    }
}

/// Puts the staged file `rel` into `dir`, moving any old one into `aside` first.
fn place(
    dir: &Path,
    staging: &Path,
    aside: &Path,
    rel: &str,
    n: usize,
) -> Result<Placed, Unwritable> {
    let target = dir.join(rel);
    let mut created = Vec::new();
    // Subfolders: real folders only, created when missing.
    let mut folder = dir.to_path_buf();
    let components: Vec<&str> = rel.split('/').collect();
    for part in &components[..components.len() - 1] {
        folder.push(part);
        match fs::symlink_metadata(&folder) {
            Ok(meta) if meta.file_type().is_symlink() => {
                undo_folders(&created);
                return Err(Unwritable::Link(folder));
            }
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => {
                undo_folders(&created);
                return Err(Unwritable::InTheWay(folder));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if let Err(e) = fs::create_dir(&folder) {
                    undo_folders(&created);
                    return Err(Unwritable::Io(folder, e));
                }
                created.push(folder.clone());
            }
            Err(e) => {
                undo_folders(&created);
                return Err(Unwritable::Io(folder, e));
            }
        }
    }
    let old = match fs::symlink_metadata(&target) {
        Ok(meta) if meta.is_dir() => {
            undo_folders(&created);
            return Err(Unwritable::InTheWay(target));
        }
        Ok(_) => {
            // A file or a link: the entry itself is moved aside, never what a link points to.
            let name = format!("{n}");
            if let Err(e) = fs::rename(&target, aside.join(&name)) {
                undo_folders(&created);
                return Err(Unwritable::Io(target, e));
            }
            Some(name)
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => {
            undo_folders(&created);
            return Err(Unwritable::Io(target, e));
        }
    };
    if let Err(e) = fs::rename(staging.join(rel), &target) {
        let placed = Placed {
            rel: rel.to_owned(),
            old,
            created,
        };
        // Nothing new is in place: only the old file and folders need restoring.
        if let Some(old) = &placed.old {
            let _ = fs::rename(aside.join(old), &target);
        }
        undo_folders(&placed.created);
        return Err(Unwritable::Io(target, e));
    }
    Ok(Placed {
        rel: rel.to_owned(),
        old,
        created,
    })
}

fn undo_folders(created: &[PathBuf]) {
    for folder in created.iter().rev() {
        let _ = fs::remove_dir(folder);
    }
}

/// Before anything is written into an existing folder: the owned files that exist (refused
/// without `force`), links and things in the way.
fn check_existing(dir: &Path, files: &[(String, Vec<u8>)], force: bool) -> Result<(), Unwritable> {
    let mut existing = Vec::new();
    for (rel, _) in files {
        let mut folder = dir.to_path_buf();
        let components: Vec<&str> = rel.split('/').collect();
        for part in &components[..components.len() - 1] {
            folder.push(part);
            match fs::symlink_metadata(&folder) {
                Ok(meta) if meta.file_type().is_symlink() => return Err(Unwritable::Link(folder)),
                Ok(meta) if !meta.is_dir() => return Err(Unwritable::InTheWay(folder)),
                _ => {}
            }
        }
        let target = dir.join(rel);
        match fs::symlink_metadata(&target) {
            Ok(meta) if meta.file_type().is_symlink() && !force => {
                return Err(Unwritable::Link(target));
            }
            Ok(meta) if meta.is_dir() => return Err(Unwritable::InTheWay(target)),
            Ok(meta) if !meta.is_file() && !meta.file_type().is_symlink() => {
                return Err(Unwritable::InTheWay(target));
            }
            Ok(_) => existing.push(target),
            Err(_) => {}
        }
    }
    if !existing.is_empty() && !force {
        return Err(Unwritable::Exists(existing));
    }
    Ok(())
}

/// A relative path inside the folder: no `..`, no root, nothing empty.
fn check_relative(rel: &str) -> Result<(), Unwritable> {
    let bad = rel.is_empty()
        || rel.starts_with('/')
        || rel
            .split('/')
            .any(|part| part.is_empty() || part == "." || part == "..");
    if bad {
        Err(Unwritable::BadPath(rel.to_owned()))
    } else {
        Ok(())
    }
}

/// Creates `path`, which must not exist (never opens an existing file or a link).
fn write_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

fn injected() -> io::Error {
    io::Error::other("failure injected by a test")
}

/// A temporary folder beside the target folder, removed when dropped unless forgotten.
struct Scratch {
    path: PathBuf,
    keep: bool,
}

impl Scratch {
    fn new(parent: &Path, dir: &Path, role: &str) -> Result<Self, Unwritable> {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "folder".to_owned());
        let pid = std::process::id();
        for attempt in 0..100u32 {
            let path = parent.join(format!(".{name}.aks-id-{role}-{pid}-{attempt}"));
            match fs::create_dir(&path) {
                Ok(()) => return Ok(Self { path, keep: false }),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(Unwritable::Io(parent.to_path_buf(), e)),
            }
        }
        Err(Unwritable::Io(
            parent.to_path_buf(),
            io::Error::other("cannot create a temporary folder"),
        ))
    }

    fn forget(mut self) {
        self.keep = true;
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if !self.keep {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> Vec<(String, Vec<u8>)> {
        vec![
            ("a.yaml".into(), b"new a".to_vec()),
            ("models/b.yaml".into(), b"new b".to_vec()),
            ("c.json".into(), b"new c".to_vec()),
        ]
    }

    fn listing(dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        for entry in fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            out.push(entry.file_name().to_string_lossy().into_owned());
        }
        out.sort();
        out
    }

    #[test]
    fn a_new_folder_is_written_whole() {
        let tmp = tempfile::TempDir::new().unwrap();
        let dir = tmp.path().join("out");
        let written = write_folder(&dir, &files(), false).unwrap();
        assert_eq!(written.len(), 3);
        assert_eq!(fs::read(dir.join("models/b.yaml")).unwrap(), b"new b");
        assert_eq!(listing(tmp.path()), ["out"], "no temporary folder is left");
    }

    #[test]
    fn a_failure_half_way_leaves_the_folder_as_it_was() {
        let tmp = tempfile::TempDir::new().unwrap();
        let dir = tmp.path().join("out");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("a.yaml"), "old a").unwrap();
        fs::write(dir.join("mine.txt"), "not owned").unwrap();
        let err = write_folder_failing_at(&dir, &files(), true, Some(2)).unwrap_err();
        assert!(matches!(err, Unwritable::Io(..)));
        assert_eq!(fs::read_to_string(dir.join("a.yaml")).unwrap(), "old a");
        assert_eq!(
            listing(&dir),
            ["a.yaml", "mine.txt"],
            "models/ is gone again"
        );
        assert_eq!(listing(tmp.path()), ["out"], "no temporary folder is left");
        // A rerun is not refused because of leftovers of the failed one.
        write_folder(&dir, &files(), true).unwrap();
        assert_eq!(fs::read_to_string(dir.join("a.yaml")).unwrap(), "new a");
        assert_eq!(
            fs::read_to_string(dir.join("mine.txt")).unwrap(),
            "not owned"
        );
    }

    #[test]
    fn a_failure_before_a_new_folder_is_renamed_leaves_nothing() {
        let tmp = tempfile::TempDir::new().unwrap();
        let dir = tmp.path().join("out");
        assert!(write_folder_failing_at(&dir, &files(), false, Some(0)).is_err());
        assert!(listing(tmp.path()).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn links_are_refused_or_replaced_never_followed() {
        use std::os::unix::fs::symlink;
        let tmp = tempfile::TempDir::new().unwrap();
        let outside = tmp.path().join("outside.txt");
        fs::write(&outside, "precious").unwrap();
        let dir = tmp.path().join("out");
        fs::create_dir(&dir).unwrap();
        symlink(&outside, dir.join("a.yaml")).unwrap();
        assert!(matches!(
            write_folder(&dir, &files(), false),
            Err(Unwritable::Link(_))
        ));
        write_folder(&dir, &files(), true).unwrap();
        assert_eq!(fs::read_to_string(&outside).unwrap(), "precious");
        assert_eq!(fs::read_to_string(dir.join("a.yaml")).unwrap(), "new a");
        assert!(
            !fs::symlink_metadata(dir.join("a.yaml"))
                .unwrap()
                .file_type()
                .is_symlink()
        );

        // A link at the folder itself, or at a subfolder, is refused even with force.
        let link = tmp.path().join("link");
        symlink(&dir, &link).unwrap();
        assert!(matches!(
            write_folder(&link, &files(), true),
            Err(Unwritable::Link(_))
        ));
        let other = tmp.path().join("other");
        fs::create_dir(&other).unwrap();
        let elsewhere = tmp.path().join("elsewhere");
        fs::create_dir(&elsewhere).unwrap();
        symlink(&elsewhere, other.join("models")).unwrap();
        assert!(matches!(
            write_folder(&other, &files(), true),
            Err(Unwritable::Link(_))
        ));
        assert!(listing(&elsewhere).is_empty());
    }

    #[test]
    fn paths_that_leave_the_folder_are_refused() {
        let tmp = tempfile::TempDir::new().unwrap();
        for rel in ["../x", "/etc/x", "a//b", "", "a/./b"] {
            let files = vec![(rel.to_owned(), Vec::new())];
            assert!(matches!(
                write_folder(&tmp.path().join("out"), &files, true),
                Err(Unwritable::BadPath(_))
            ));
        }
    }

    #[cfg(unix)]
    #[test]
    fn only_regular_files_are_read() {
        let err = read(Path::new("/dev/zero"), 10).unwrap_err();
        assert!(matches!(err, Unreadable::NotRegular("a device")), "{err:?}");
        let tmp = tempfile::TempDir::new().unwrap();
        let fifo = tmp.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid C string naming a path in a fresh temporary folder.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let err = read(&fifo, 10).unwrap_err();
        assert!(
            matches!(err, Unreadable::NotRegular("a FIFO (named pipe)")),
            "{err:?}"
        );
        assert!(matches!(read(tmp.path(), 10), Err(Unreadable::Folder)));
    }

    #[test]
    fn at_most_the_limit_is_read() {
        assert_eq!(read_stream(&b"12345"[..], 5).unwrap(), "12345");
        assert!(matches!(
            read_stream(io::repeat(b'y'), 5),
            Err(Unreadable::TooLarge(6))
        ));
    }
}
