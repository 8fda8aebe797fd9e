//! `aks-id man`: the manual pages. Alone it prints the main page; with `--out DIR` it writes
//! `aks-id.1` and one page per subcommand (`aks-id-advise.1`, `aks-id-rules-check.1`...), each
//! with a SEE ALSO section naming the others, as `git` and `cargo` install theirs.
//!
//! The pages are written all or nothing: into a temporary folder beside DIR, then renamed into
//! place, old pages moved aside first and moved back if anything fails. Nothing is ever written
//! through a symbolic link.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::diag::clip;
use crate::error::{Error, ExitCode, output};

/// `aks-id man`: the main page, with SEE ALSO naming the subcommands' pages.
pub fn page(command: clap::Command, out: &mut dyn Write) -> Result<ExitCode, Error> {
    let pages = render_all(command)?;
    let (_, main) = pages
        .first()
        .ok_or_else(|| Error::Runtime(anyhow::anyhow!("the command line has no manual page")))?;
    out.write_all(main).map_err(output)?;
    Ok(ExitCode::Success)
}

/// `aks-id man --out DIR [--force]`: every page into DIR.
pub fn pages(
    command: clap::Command,
    dir: &Path,
    force: bool,
    out: &mut dyn Write,
) -> Result<ExitCode, Error> {
    let pages = render_all(command)?;
    for path in write_folder(dir, &pages, force)? {
        writeln!(out, "wrote {}", shown(&path)).map_err(output)?;
    }
    Ok(ExitCode::Success)
}

/// Every page as (file name, roff), the main page first, then the subcommands depth first in
/// the order of `--help`. Hidden commands and clap's `help` have no page.
fn render_all(command: clap::Command) -> Result<Vec<(String, Vec<u8>)>, Error> {
    fn collect(cmd: &clap::Command, into: &mut Vec<clap::Command>) {
        into.push(cmd.clone());
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            collect(sub, into);
        }
    }
    let mut root = command.disable_help_subcommand(true);
    root.build();
    let mut commands = Vec::new();
    collect(&root, &mut commands);
    let names: Vec<String> = commands
        .iter()
        .map(|c| c.get_display_name().unwrap_or(c.get_name()).to_owned())
        .collect();
    let mut pages = Vec::new();
    for (cmd, name) in commands.into_iter().zip(&names) {
        let man = clap_mangen::Man::new(cmd);
        let file = man.get_filename();
        let mut roff = Vec::new();
        man.render(&mut roff).map_err(output)?;
        if !roff.ends_with(b"\n") {
            roff.push(b'\n');
        }
        let others: Vec<String> = names
            .iter()
            .filter(|other| *other != name)
            .map(|other| format!("\\fB{}\\fR(1)", other.replace('-', "\\-")))
            .collect();
        roff.extend_from_slice(format!(".SH \"SEE ALSO\"\n{}\n", others.join(", ")).as_bytes());
        pages.push((file, roff));
    }
    Ok(pages)
}

fn shown(path: &Path) -> String {
    clip(&path.display().to_string(), 400)
}

/// Writes `files` (names, with their bytes) into `dir`, all or nothing, and returns the paths
/// written. An existing page is replaced only with `force`; a symbolic link at `dir` or at a
/// page is refused.
fn write_folder(
    dir: &Path,
    files: &[(String, Vec<u8>)],
    force: bool,
) -> Result<Vec<PathBuf>, Error> {
    let refuse = |path: &Path, why: &str| Error::Usage(format!("{} {why}", shown(path)));
    let exists = match fs::symlink_metadata(dir) {
        Ok(meta) if meta.file_type().is_symlink() => {
            return Err(refuse(
                dir,
                "is a symbolic link; refusing to write through it",
            ));
        }
        Ok(meta) if meta.is_dir() => true,
        Ok(_) => return Err(refuse(dir, "is not a folder")),
        Err(e) if e.kind() == io::ErrorKind::NotFound => false,
        Err(e) => return Err(Error::io(format!("cannot read {}", shown(dir)), e)),
    };
    let mut replaced = Vec::new();
    if exists {
        for (name, _) in files {
            let path = dir.join(name);
            match fs::symlink_metadata(&path) {
                Ok(meta) if meta.file_type().is_symlink() => {
                    return Err(refuse(
                        &path,
                        "is a symbolic link; refusing to write through it",
                    ));
                }
                Ok(meta) if !meta.is_file() => {
                    return Err(refuse(&path, "is in the way: it is not a regular file"));
                }
                Ok(_) => replaced.push(path),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io(format!("cannot read {}", shown(&path)), e)),
            }
        }
        if !replaced.is_empty() && !force {
            let list: Vec<String> = replaced.iter().map(|p| shown(p)).collect();
            return Err(Error::Usage(format!(
                "refusing to overwrite existing files (use --force to replace them): {}",
                list.join(", ")
            )));
        }
    }
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !exists {
        fs::create_dir_all(&parent)
            .map_err(|e| Error::io(format!("cannot create {}", shown(&parent)), e))?;
    }
    let staging = Scratch::new(&parent, dir, "new")?;
    for (name, bytes) in files {
        let path = staging.0.join(name);
        fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
            .map_err(|e| Error::io(format!("cannot write {}", shown(&dir.join(name))), e))?;
    }
    let written: Vec<PathBuf> = files.iter().map(|(name, _)| dir.join(name)).collect();
    if !exists {
        fs::rename(&staging.0, dir)
            .map_err(|e| Error::io(format!("cannot create {}", shown(dir)), e))?;
        return Ok(written);
    }
    // Into an existing folder: each old page aside, then the new one in; undone on failure.
    let aside = Scratch::new(&parent, dir, "old")?;
    let mut placed: Vec<(&str, bool)> = Vec::new();
    for (name, _) in files {
        let target = dir.join(name);
        let had_old = replaced.contains(&target);
        let step = (|| {
            if had_old {
                fs::rename(&target, aside.0.join(name))?;
            }
            fs::rename(staging.0.join(name), &target)
        })();
        if let Err(e) = step {
            if had_old && !target.exists() {
                let _ = fs::rename(aside.0.join(name), &target);
            }
            for (done, old) in placed.into_iter().rev() {
                let _ = fs::remove_file(dir.join(done));
                if old {
                    let _ = fs::rename(aside.0.join(done), dir.join(done));
                }
            }
            return Err(Error::io(format!("cannot write {}", shown(&target)), e));
        }
        placed.push((name, had_old));
    }
    Ok(written)
}

/// A temporary folder beside the target, removed with what it holds when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(parent: &Path, dir: &Path, kind: &str) -> Result<Self, Error> {
        let base = dir
            .file_name()
            .map_or_else(|| "man".into(), |n| n.to_string_lossy().into_owned());
        for attempt in 0..100u32 {
            let path = parent.join(format!(
                ".{base}.aks-id-{kind}-{}-{attempt}",
                std::process::id()
            ));
            match fs::create_dir(&path) {
                Ok(()) => return Ok(Self(path)),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => {
                    return Err(Error::io(
                        format!("cannot create a temporary folder in {}", shown(parent)),
                        e,
                    ));
                }
            }
        }
        Err(Error::Usage(format!(
            "cannot create a temporary folder in {}: too many left over",
            shown(parent)
        )))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}
