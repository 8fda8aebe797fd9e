//! The shared harness: an `aks-id` command with a fixed, colorless environment, and exported
//! catalogs in temporary folders that tests break on purpose.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use tempfile::TempDir;

/// `aks-id` with a stable environment: no colors, a fixed width, no `--rules` from outside, and
/// `RUST_BACKTRACE=1` so that any test of an error also proves no backtrace is printed.
pub fn aks_id() -> Command {
    Command::from_std(aks_id_std())
}

/// What a run printed, as text.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `aks-id ARGS` and returns its exit code and output.
pub fn run(args: &[&str]) -> Run {
    run_cmd(aks_id().args(args))
}

pub fn run_cmd(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("aks-id runs");
    Run {
        code: out.status.code().expect("aks-id exits, not killed"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// Asserts that an error run looks like one: exit 2, nothing on stdout, and no panic or
/// backtrace on stderr.
pub fn assert_clean_error(run: &Run, code: i32) {
    assert_eq!(run.code, code, "exit code; stderr:\n{}", run.stderr);
    assert_eq!(run.stdout, "", "an error prints nothing on stdout");
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(!run.stderr.contains("stack backtrace"), "{}", run.stderr);
    assert!(!run.stderr.contains("RUST_BACKTRACE"), "{}", run.stderr);
}

/// The built-in catalog written out with `aks-id rules export` into a new temporary folder.
pub fn exported() -> TempDir {
    let dir = TempDir::new().expect("a temporary folder");
    let run = run(&["rules", "export", &path_str(dir.path())]);
    assert_eq!(run.code, 0, "rules export: {}", run.stderr);
    dir
}

pub fn path_str(path: &Path) -> String {
    path.to_str().expect("temporary paths are UTF-8").to_owned()
}

/// Replaces the one occurrence of `from` in the file `rel` of `dir`. Panics when `from` is not
/// there exactly once, so a fixture never silently stops breaking what it should.
pub fn replace(dir: &Path, rel: &str, from: &str, to: &str) {
    let path = dir.join(rel);
    let text = fs::read_to_string(&path).expect("the exported file exists");
    assert_eq!(
        text.matches(from).count(),
        1,
        "{rel} should contain {from:?} exactly once"
    );
    fs::write(&path, text.replacen(from, to, 1)).expect("the file is writable");
}

/// The 1-based line and column where `needle` starts in the file `rel` of `dir`.
pub fn locate(dir: &Path, rel: &str, needle: &str) -> (usize, usize) {
    let text = fs::read_to_string(dir.join(rel)).expect("the file exists");
    assert_eq!(text.matches(needle).count(), 1, "{needle:?} once in {rel}");
    let offset = text.find(needle).expect("found");
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = offset - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, column)
}

/// `text` with the folder `dir` replaced by `[DIR]`, for snapshots.
pub fn redact(text: &str, dir: &Path) -> String {
    text.replace(&path_str(dir), "[DIR]")
}

/// `aks-id` as a plain `std::process::Command`, for tests that wire its stdout themselves (pipes,
/// `/dev/full`), with the same environment as [`aks_id`].
pub fn aks_id_std() -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("aks-id"));
    cmd.env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .env("RUST_BACKTRACE", "1")
        .env_remove("AKS_ID_RULES")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR");
    cmd
}
