//! Shared helpers for the `advise` and `questions` tests: the binary with a stable environment,
//! the example answers files, and the answers of a file in the library's own types.

use std::path::{Path, PathBuf};
use std::process::Output;

use aks_id::advise::answers::{self, Answer};
use aks_id::catalog::Catalog;
use assert_cmd::Command;

/// `aks-id` with the environment of [`crate::support::aks_id`] (no colors, the built-in
/// catalog, backtraces on so a panic would show), but no `COLUMNS`: these tests give `--width`.
pub fn aks_id() -> Command {
    let mut cmd = crate::support::aks_id();
    cmd.env_remove("COLUMNS");
    cmd
}

/// Runs `aks-id` with `args` and `stdin` (empty when `None`).
pub fn run(args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = aks_id();
    cmd.args(args).write_stdin(stdin.unwrap_or(""));
    cmd.output().expect("aks-id runs")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("stderr is UTF-8")
}

/// The exit code; a signal (no code) fails the test.
pub fn code(out: &Output) -> i32 {
    out.status.code().expect("aks-id exited, not killed")
}

/// Runs `aks-id` and parses its stdout as JSON, asserting the expected exit code.
pub fn json(args: &[&str], stdin: Option<&str>, expected_code: i32) -> serde_json::Value {
    let out = run(args, stdin);
    assert_eq!(
        code(&out),
        expected_code,
        "aks-id {args:?}\nstderr: {}",
        stderr(&out)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout of aks-id {args:?} is not JSON ({e}):\n{}",
            stdout(&out)
        )
    })
}

/// `advise --no-input -o json` with these `--set` answers.
pub fn advise_set(sets: &[&str]) -> (i32, serde_json::Value) {
    let mut args = vec!["advise", "--no-input", "-o", "json"];
    for s in sets {
        args.extend(["--set", s]);
    }
    let out = run(&args, None);
    assert!(
        !stderr(&out).contains("panicked"),
        "aks-id panicked: {}",
        stderr(&out)
    );
    let value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\nstderr: {}",
            stdout(&out),
            stderr(&out)
        )
    });
    (code(&out), value)
}

/// An error run: exit 2, nothing on stdout, no panic, and the one-line message on stderr.
pub fn fails(args: &[&str], stdin: Option<&str>) -> String {
    let out = run(args, stdin);
    let err = stderr(&out);
    assert_eq!(code(&out), 2, "aks-id {args:?}\nstderr: {err}");
    assert!(out.stdout.is_empty(), "stdout: {}", stdout(&out));
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

pub fn path_str(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
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
        .map(|(id, answer, _)| (id, answer))
        .collect()
}
