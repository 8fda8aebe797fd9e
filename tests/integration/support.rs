//! The shared harness of every test module: an `aks-id` command with a fixed, colorless
//! environment, runs with or without stdin, exported catalogs in temporary folders that tests
//! break on purpose, the example answers files, and the built-in catalog in the library's types.

use std::fs;
use std::path::{Path, PathBuf};

use aks_id::advise::answers::{self, Answer};
use aks_id::catalog::Catalog;
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
    let run = run(&["rules", "export", path_str(dir.path())]);
    assert_eq!(run.code, 0, "rules export: {}", run.stderr);
    dir
}

pub fn path_str(path: &Path) -> &str {
    path.to_str().expect("test paths are UTF-8")
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
    text.replace(path_str(dir), "[DIR]")
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

/// Runs `aks-id ARGS` with `stdin` (empty when `None`), and without `COLUMNS`: these runs give
/// `--width` when they need one.
pub fn run_stdin(args: &[&str], stdin: Option<&str>) -> Run {
    let mut cmd = aks_id();
    cmd.env_remove("COLUMNS")
        .args(args)
        .write_stdin(stdin.unwrap_or(""));
    run_cmd(&mut cmd)
}

/// Runs `aks-id` and parses its stdout as JSON, asserting the expected exit code.
pub fn json(args: &[&str], stdin: Option<&str>, expected_code: i32) -> serde_json::Value {
    let out = run_stdin(args, stdin);
    assert_eq!(
        out.code, expected_code,
        "aks-id {args:?}\nstderr: {}",
        out.stderr
    );
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout of aks-id {args:?} is not JSON ({e}):\n{}",
            out.stdout
        )
    })
}

/// `advise --no-input -o json` with these `--set` answers.
pub fn advise_set(sets: &[&str]) -> (i32, serde_json::Value) {
    let mut args = vec!["advise", "--no-input", "-o", "json"];
    for s in sets {
        args.extend(["--set", s]);
    }
    let out = run_stdin(&args, None);
    assert!(
        !out.stderr.contains("panicked"),
        "aks-id panicked: {}",
        out.stderr
    );
    let value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\nstderr: {}",
            out.stdout, out.stderr
        )
    });
    (out.code, value)
}

/// An error run: exit 2, nothing on stdout, no panic, and the one-line message on stderr.
pub fn fails(args: &[&str], stdin: Option<&str>) -> String {
    let out = run_stdin(args, stdin);
    let err = out.stderr;
    assert_eq!(out.code, 2, "aks-id {args:?}\nstderr: {err}");
    assert!(out.stdout.is_empty(), "stdout: {}", out.stdout);
    assert!(!err.contains("panicked"), "{err}");
    assert!(!err.contains("stack backtrace"), "{err}");
    assert!(err.contains("aks-id: error: "), "{err}");
    err
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The example answers files, sorted by name.
pub fn example_files() -> Vec<PathBuf> {
    let dir = repo().join("examples/answers");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("examples/answers exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 3, "expected example answers in {dir:?}");
    files
}

pub fn example(name: &str) -> PathBuf {
    repo().join("examples/answers").join(name)
}

pub fn catalog() -> Catalog {
    aks_id::catalog::builtin::load().expect("the built-in catalog loads")
}

/// The answers of an answers file, in file order, through the library's parser.
pub fn file_answers(catalog: &Catalog, path: &Path) -> Vec<(String, Answer)> {
    let text = std::fs::read_to_string(path).expect("readable answers file");
    answers::from_file(catalog, path_str(path), &text)
        .expect("example answers parse")
        .into_iter()
        .map(|(id, answer, _)| (String::from(id), answer))
        .collect()
}
