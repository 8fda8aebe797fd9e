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

/// A generous limit: a case that hangs fails instead of blocking the suite.
const TIMEOUT: Duration = Duration::from_secs(20);

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
            &["null.yaml:1:1: expected a mapping from question id to answer, found null"],
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
            &["escape.yaml:1:8: question `scope`: unknown choice `po\\u{1b}[31md`"],
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
            &["stdin line 1: question `scope`: unknown choice `work\\u{1b}[31mload`"],
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
