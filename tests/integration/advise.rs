//! `aks-id advise` through the real binary: every input path gives the same JSON, the examples
//! give the advice their comments promise, precedence, errors, output formats and the advice an
//! Azure expert would check.

use std::collections::BTreeMap;

use aks_id::advise::answers::Answer;
use aks_id::catalog::{Catalog, Kind, Question};
use serde_json::Value;

use crate::support::*;

// ---------------------------------------------------------------------------------------------
// 1. Every input path gives byte-identical JSON
// ---------------------------------------------------------------------------------------------

/// How an answer is typed on a flag or a piped line.
#[derive(Clone, Copy)]
enum Spelling {
    /// Choice ids as listed, lists comma-separated, yes/no.
    Plain,
    /// 1-based choice numbers, lists in reverse order, true/false.
    Numbers,
    /// Upper-case choice ids, lists in reverse order with spaces, Y/N.
    Shouted,
}

fn spell(question: &Question, answer: &Answer, spelling: Spelling) -> String {
    let number = |id: &str| {
        let i = question
            .choices
            .iter()
            .position(|c| c.id == id)
            .expect("a choice of the question");
        (i + 1).to_string()
    };
    match (answer, spelling) {
        (Answer::Choice(c), Spelling::Plain) => c.to_string(),
        (Answer::Choice(c), Spelling::Numbers) => number(c),
        (Answer::Choice(c), Spelling::Shouted) => c.to_uppercase(),
        (Answer::Choices(list), _) if list.is_empty() => match spelling {
            Spelling::Shouted => "NONE".into(),
            _ => "none".into(),
        },
        (Answer::Choices(list), Spelling::Plain) => list.join(","),
        (Answer::Choices(list), Spelling::Numbers) => list
            .iter()
            .rev()
            .map(|c| number(c))
            .collect::<Vec<_>>()
            .join(","),
        (Answer::Choices(list), Spelling::Shouted) => list
            .iter()
            .rev()
            .map(|c| c.to_uppercase())
            .collect::<Vec<_>>()
            .join(" , "),
        (Answer::YesNo(b), Spelling::Plain) => if *b { "yes" } else { "no" }.into(),
        (Answer::YesNo(b), Spelling::Numbers) => b.to_string(),
        (Answer::YesNo(b), Spelling::Shouted) => if *b { "Y" } else { "N" }.into(),
        (Answer::Number(n), _) => n.to_string(),
    }
}

/// The answers as a JSON object, with lists reversed when `shuffle`.
fn as_json(answers: &[(String, Answer)], shuffle: bool) -> Value {
    let mut map = serde_json::Map::new();
    for (id, answer) in answers {
        let value = match answer {
            Answer::Choices(list) if shuffle => {
                Value::from(list.iter().rev().map(|t| t.as_str()).collect::<Vec<_>>())
            }
            other => serde_json::to_value(other).unwrap(),
        };
        map.insert(id.clone(), value);
    }
    Value::Object(map)
}

/// The answers as YAML written by hand: upper-case choice ids, lists reversed, yes/no words.
fn as_shouted_yaml(catalog: &Catalog, answers: &[(String, Answer)]) -> String {
    let mut text = String::from("# written by the test\n");
    for (id, answer) in answers {
        let q = catalog.question(id).unwrap();
        let value = match answer {
            Answer::Choices(list) => format!(
                "[{}]",
                list.iter()
                    .rev()
                    .map(|c| c.to_uppercase())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Answer::Choice(c) => format!("\"{}\"", c.to_uppercase()),
            other => spell(q, other, Spelling::Plain),
        };
        text.push_str(&format!("{id}: {value}\n"));
    }
    text
}

fn flags(
    catalog: &Catalog,
    answers: &[(String, Answer)],
    spelling: Spelling,
    positional: bool,
) -> Vec<String> {
    let mut args = Vec::new();
    for (id, answer) in answers {
        let q = catalog.question(id).unwrap();
        if !positional {
            args.push("--set".to_owned());
        }
        args.push(format!("{id}={}", spell(q, answer, spelling)));
    }
    args
}

/// One line per asked question, in interview order (the keys of the JSON `answers`).
fn lines(
    catalog: &Catalog,
    answers: &[(String, Answer)],
    asked: &[String],
    spelling: Spelling,
) -> String {
    let mut text = String::new();
    for id in asked {
        let q = catalog.question(id).unwrap();
        let (_, answer) = answers
            .iter()
            .find(|(i, _)| i == id)
            .unwrap_or_else(|| panic!("the example answers `{id}`"));
        text.push_str(&spell(q, answer, spelling));
        text.push('\n');
    }
    text
}

fn run_owned(args: &[String], stdin: Option<&str>) -> Run {
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    run_stdin(&refs, stdin)
}

#[test]
fn every_input_path_gives_byte_identical_json() {
    let catalog = catalog();
    let dir = tempfile::tempdir().unwrap();
    for file in example_files() {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let reference = run_stdin(
            &["advise", "--answers", path_str(&file), "-o", "json"],
            None,
        );
        let expected_code = reference.code;
        assert!(
            expected_code == 0 || expected_code == 3,
            "{name}: exit {expected_code}: {}",
            reference.stderr
        );
        assert!(reference.stderr.is_empty(), "{name}: {}", reference.stderr);
        let doc: Value = serde_json::from_str(&reference.stdout).unwrap();
        let asked: Vec<String> = doc["answers"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(
            doc["defaulted"],
            Value::Array(vec![]),
            "{name} answers everything"
        );

        let answers = file_answers(&catalog, &file);
        let yaml_text = std::fs::read_to_string(&file).unwrap();
        let shuffled_json = dir.path().join(name.replace(".yaml", ".json"));
        std::fs::write(
            &shuffled_json,
            serde_json::to_string_pretty(&as_json(&answers, true)).unwrap(),
        )
        .unwrap();
        let shouted_yaml = dir.path().join(name.replace(".yaml", ".shouted.yml"));
        std::fs::write(&shouted_yaml, as_shouted_yaml(&catalog, &answers)).unwrap();

        let base = || vec!["advise".to_owned(), "-o".to_owned(), "json".to_owned()];
        let with = |extra: Vec<String>| {
            let mut args = base();
            args.extend(extra);
            args
        };
        let path = |p: &std::path::Path| vec!["--answers".to_owned(), path_str(p).to_owned()];
        let stdin_file = vec!["--answers".to_owned(), "-".to_owned()];

        // Each process costs a catalog load, so spellings are spread over the paths rather
        // than multiplied with them: every path and every spelling is covered.
        let cases: Vec<(&str, Vec<String>, Option<String>)> = vec![
            (
                "answers file (JSON, lists shuffled)",
                with(path(&shuffled_json)),
                None,
            ),
            (
                "answers file (upper case, lists shuffled)",
                with(path(&shouted_yaml)),
                None,
            ),
            (
                "--answers - (YAML on stdin)",
                with(stdin_file),
                Some(yaml_text),
            ),
            (
                "--set",
                with(flags(&catalog, &answers, Spelling::Plain, false)),
                None,
            ),
            (
                "ID=VALUE",
                with(flags(&catalog, &answers, Spelling::Plain, true)),
                None,
            ),
            (
                "--set numbers",
                with(flags(&catalog, &answers, Spelling::Numbers, false)),
                None,
            ),
            (
                "ID=VALUE upper case",
                with(flags(&catalog, &answers, Spelling::Shouted, true)),
                None,
            ),
            (
                "piped lines",
                base(),
                Some(lines(&catalog, &answers, &asked, Spelling::Plain)),
            ),
            (
                "piped numbers",
                base(),
                Some(lines(&catalog, &answers, &asked, Spelling::Numbers)),
            ),
            (
                "piped upper case",
                base(),
                Some(lines(&catalog, &answers, &asked, Spelling::Shouted)),
            ),
        ];
        for (label, args, stdin) in cases {
            let out = run_owned(&args, stdin.as_deref());
            assert_eq!(
                out.code, expected_code,
                "{name} via {label}: {args:?}\nstdin: {stdin:?}\nstderr: {}",
                out.stderr
            );
            assert!(
                out.stdout == reference.stdout,
                "{name} via {label} gives different JSON: {args:?}\nstdin: {stdin:?}\n{}",
                out.stdout
            );
        }
    }
}

#[test]
fn piped_blank_lines_and_no_input_agree_on_the_defaults() {
    // Ten questions are asked with the defaults (scope workload): ten blank lines.
    let piped = run_stdin(&["advise", "-o", "json"], Some(&"\n".repeat(10)));
    let no_input = run_stdin(&["advise", "--no-input", "-o", "json"], None);
    assert_eq!(piped.code, 0, "{}", piped.stderr);
    assert_eq!(no_input.code, 0, "{}", no_input.stderr);
    assert_eq!(piped.stdout, no_input.stdout);
    let doc: Value = serde_json::from_str(&no_input.stdout).unwrap();
    let asked: Vec<&str> = doc["answers"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let defaulted: Vec<&str> = doc["defaulted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(asked, defaulted, "every asked question took its default");
    assert!(
        !asked.contains(&"cluster_need"),
        "not asked for scope workload"
    );
    assert_eq!(doc["answers"]["scope"], "workload");
    assert_eq!(doc["answers"]["targets"], serde_json::json!([]));
    assert_eq!(doc["answers"]["isolation"], true);
    assert_eq!(doc["answers"]["service_accounts"], 1);
    assert_eq!(doc["recommendation"]["model"], "workload");
}

// ---------------------------------------------------------------------------------------------
// 2. The examples give what they promise
// ---------------------------------------------------------------------------------------------

/// examples/README.md: the expected recommendation of each answers file (`None`: exit 3).
const EXPECTED: &[(&str, Option<&str>)] = &[
    ("automatic-cross-tenant.yaml", Some("workload")),
    ("cluster-image-pull.yaml", Some("cluster")),
    ("cluster-reaches-azure.yaml", Some("cluster")),
    ("controller-external-dns.yaml", Some("workload")),
    ("many-service-accounts.yaml", Some("workload")),
    ("migrate-from-pod-identity.yaml", Some("workload")),
    ("migrate-mixed-os.yaml", Some("workload")),
    ("other-kubernetes-infrastructure.yaml", None),
    ("pod-reads-key-vault.yaml", Some("workload")),
    ("virtual-node-addon.yaml", None),
    ("workload-reaches-database.yaml", Some("workload")),
];

#[test]
fn each_example_gives_the_recommendation_its_readme_states() {
    let readme = std::fs::read_to_string(repo().join("examples/README.md")).unwrap();
    let files: Vec<String> = example_files()
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let listed: Vec<&str> = EXPECTED.iter().map(|(f, _)| *f).collect();
    assert_eq!(files, listed, "every example has an expectation here");
    for (file, model) in EXPECTED {
        let row = readme
            .lines()
            .find(|l| l.contains(&format!("`answers/{file}`")))
            .unwrap_or_else(|| panic!("examples/README.md lists {file}"));
        let expected_cell = row.rsplit('|').nth(1).unwrap();
        match model {
            Some(m) => assert!(expected_cell.contains(&format!("`{m}`")), "{row}"),
            None => assert!(expected_cell.contains("exit 3"), "{row}"),
        }
        let comment: String = std::fs::read_to_string(example(file))
            .unwrap()
            .lines()
            .take_while(|l| l.starts_with('#'))
            .collect::<Vec<_>>()
            .join(" ");
        let path = example(file);
        let args = ["advise", "--answers", path_str(&path), "-o", "json"];
        match model {
            Some(m) => {
                assert!(
                    comment.contains(&format!("Expected: {m}")),
                    "{file}: {comment}"
                );
                let doc = json(&args, None, 0);
                assert_eq!(doc["recommendation"]["model"], *m, "{file}");
                assert_eq!(doc["ranking"][0]["model"], *m, "{file}");
            }
            None => {
                assert!(
                    comment.contains("no recommendation (exit 3)"),
                    "{file}: {comment}"
                );
                let doc = json(&args, None, 3);
                assert_eq!(doc["recommendation"], Value::Null, "{file}");
                for ranked in doc["ranking"].as_array().unwrap() {
                    assert_eq!(ranked["excluded"], true, "{file}: {ranked}");
                    assert!(
                        !ranked["reasons"].as_array().unwrap().is_empty(),
                        "{file}: {ranked}"
                    );
                }
                // The text and the decision record say why for each model.
                let text = run_stdin(
                    &["advise", "--answers", path_str(&path), "--width", "80"],
                    None,
                );
                assert_eq!(text.code, 3);
                let text = text.stdout;
                assert!(text.contains("Recommendation: none"), "{text}");
                assert_eq!(text.matches("excluded:").count(), 3, "{text}");
                let md = run_stdin(
                    &["advise", "--answers", path_str(&path), "-o", "markdown"],
                    None,
                );
                assert_eq!(md.code, 3);
                let md = md.stdout;
                for ranked in doc["ranking"].as_array().unwrap() {
                    let name = ranked["name"].as_str().unwrap();
                    let row = format!("| {name} (`");
                    assert!(
                        md.lines()
                            .any(|l| l.starts_with(&row) && l.contains("| excluded: ")),
                        "{file}: {name} excluded, with why\n{md}"
                    );
                }
            }
        }
    }
}

#[test]
fn pipe_answers_script_gives_json_with_a_recommendation() {
    let mut out = std::process::Command::new("bash");
    out.arg(repo().join("examples/pipe-answers.sh"))
        .env("AKS_ID", env!("CARGO_BIN_EXE_aks-id"))
        .env("NO_COLOR", "1")
        .env_remove("AKS_ID_RULES");
    let out = run_cmd(&mut assert_cmd::Command::from_std(out));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let doc: Value = serde_json::from_str(&out.stdout).expect("the script prints JSON");
    assert_eq!(doc["recommendation"]["model"], "workload");
    assert_eq!(doc["answers"]["scope"], "pod");
    assert_eq!(doc["answers"]["targets"], serde_json::json!(["key-vault"]));
    assert_eq!(
        doc["defaulted"],
        serde_json::json!(["node_os", "cross_tenant"])
    );
    assert!(out.stderr.contains("[1/10]"), "prompts on stderr");
}

// ---------------------------------------------------------------------------------------------
// 3. Precedence
// ---------------------------------------------------------------------------------------------

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn flags_win_over_the_answers_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir, "a.yaml", "scope: pod\nnode_os: windows\n");
    let doc = json(
        &[
            "advise",
            "--no-input",
            "-o",
            "json",
            "--answers",
            &file,
            "--set",
            "node_os=linux",
            "scope=workload",
        ],
        None,
        0,
    );
    assert_eq!(doc["answers"]["scope"], "workload");
    assert_eq!(doc["answers"]["node_os"], "linux");
    // Two flags for the same question are a mistake, named with both values (a later one
    // silently winning would hide it).
    let err = fails(
        &[
            "advise",
            "--no-input",
            "--set",
            "node_os=windows",
            "--set",
            "node-os=mixed",
        ],
        None,
    );
    assert_eq!(
        err,
        "aks-id: error: question `node_os` is answered twice: --set node_os=windows and --set node-os=mixed; give it once\n"
    );
}

#[test]
fn the_answers_file_wins_over_piped_lines_which_win_over_defaults() {
    let dir = tempfile::tempdir().unwrap();
    // The file answers scope and node_os; the flag answers platform; the lines answer the
    // others, in order, skipping what is answered: a line is never spent on a given answer.
    let file = write(&dir, "a.yaml", "scope: pod\nnode_os: windows\n");
    let piped = [
        "key-vault,storage", // targets
        "",                  // isolation: default
        "aci",               // virtual_nodes
        "legacy-imds",       // sdk
        "yes",               // existing_pod_identity
        "3",                 // service_accounts
        "",                  // cross_tenant: default
    ]
    .join("\n")
        + "\n";
    let out = run_stdin(
        &[
            "advise",
            "-o",
            "json",
            "--answers",
            &file,
            "--set",
            "platform=aks-automatic",
        ],
        Some(&piped),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let doc: Value = serde_json::from_str(&out.stdout).expect("stdout is pure JSON");
    let expected = serde_json::json!({
        "scope": "pod",
        "targets": ["key-vault", "storage"],
        "isolation": true,
        "node_os": "windows",
        "virtual_nodes": "aci",
        "sdk": "legacy-imds",
        "existing_pod_identity": true,
        "service_accounts": 3,
        "platform": "aks-automatic",
        "cross_tenant": false,
    });
    assert_eq!(doc["answers"], expected);
    assert_eq!(
        doc["defaulted"],
        serde_json::json!(["isolation", "cross_tenant"])
    );
    // Prompts go to stderr, numbered over the questions still to ask (7 of 11).
    let err = out.stderr;
    assert!(err.starts_with("[1/7] Which Azure services"), "{err}");
    assert!(
        err.contains("[7/7] Are the target resources in another"),
        "{err}"
    );
    assert!(
        !err.contains("What needs to reach Azure?"),
        "scope was answered: {err}"
    );
}

#[test]
fn no_input_takes_defaults_for_what_is_not_given() {
    let doc = json(
        &[
            "advise",
            "--no-input",
            "-o",
            "json",
            "--set",
            "scope=cluster",
            "--set",
            "cluster_need=controller",
        ],
        None,
        0,
    );
    let asked: Vec<&str> = doc["answers"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        asked,
        [
            "scope",
            "cluster_need",
            "targets",
            "isolation",
            "node_os",
            "existing_pod_identity",
            "platform",
            "cross_tenant"
        ],
        "questions for the pods of an application are not asked for scope cluster"
    );
    assert_eq!(
        doc["defaulted"],
        serde_json::json!([
            "targets",
            "isolation",
            "node_os",
            "existing_pod_identity",
            "platform",
            "cross_tenant"
        ])
    );
    // --no-input still reads the piped lines there are, then takes defaults (design.md 4).
    let out = run_stdin(&["advise", "--no-input", "-o", "json"], Some("cluster\n"));
    let doc: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["answers"]["scope"], "cluster");
    assert_eq!(doc["defaulted"][0], "cluster_need");
    assert!(out.stderr.is_empty(), "no prompts with --no-input");
}

#[test]
fn the_end_of_stdin_before_the_interview_is_complete_names_the_question() {
    let err = fails(&["advise", "-o", "json"], Some("pod\nkey-vault\n"));
    assert!(
        err.contains("stdin ended before question `isolation` (3 of 10)"),
        "{err}"
    );
    assert!(
        err.contains("--no-input"),
        "says how to take the defaults: {err}"
    );
    // Empty stdin: the first question.
    let err = fails(&["advise"], Some(""));
    assert!(err.contains("question `scope`"), "{err}");
    // The answers file on stdin leaves nothing to pipe lines from.
    let err = fails(&["advise", "--answers", "-"], Some("scope: pod\n"));
    assert!(err.contains("question `targets` is not answered"), "{err}");
    assert!(err.contains("--set targets=VALUE"), "{err}");
    // ...unless --no-input takes the defaults.
    let doc = json(
        &["advise", "--answers", "-", "--no-input", "-o", "json"],
        Some("scope: pod\n"),
        0,
    );
    assert_eq!(doc["answers"]["scope"], "pod");
    assert_eq!(doc["defaulted"].as_array().unwrap().len(), 9);
}

// ---------------------------------------------------------------------------------------------
// 4. Bad answers: exit 2, naming the question, the value, the origin and the valid choices
// ---------------------------------------------------------------------------------------------

const SCOPE_CHOICES: &str = "one of: cluster (1), pod (2), workload (3)";
const TARGET_CHOICES: &str = "key-vault (1), storage (2), sql (3)";
const QUESTION_IDS: &str = "scope, cluster_need, targets, isolation, node_os, virtual_nodes, sdk, existing_pod_identity, service_accounts, platform, cross_tenant";

fn assert_all(err: &str, parts: &[&str]) {
    for part in parts {
        assert!(err.contains(part), "missing {part:?} in:\n{err}");
    }
}

#[test]
fn bad_flags_name_the_question_value_origin_and_choices() {
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["--set", "scope=nope"],
            &[
                "--set scope=nope: question `scope`: unknown choice `nope`",
                SCOPE_CHOICES,
            ],
        ),
        (
            &["--set", "scope=4"],
            &["--set scope=4: question `scope`", "`4`", SCOPE_CHOICES],
        ),
        (
            &["--set", "scope=0"],
            &["--set scope=0: question `scope`", "`0`", SCOPE_CHOICES],
        ),
        (
            &["targets=key-vault,nope"],
            &[
                "--set targets=key-vault,nope: question `targets`: unknown choice `nope`",
                TARGET_CHOICES,
                "or none",
            ],
        ),
        (
            &["--set", "targets=1,13"],
            &["question `targets`", "`13`", TARGET_CHOICES],
        ),
        (
            &["--set", "targets=key-vault,,sql"],
            &["question `targets`: empty item", TARGET_CHOICES],
        ),
        (
            &["--set", "service_accounts=many"],
            &[
                "--set service_accounts=many: question `service_accounts`: not a whole number: `many`",
                "from 1 to 10000",
            ],
        ),
        (
            &["--set", "service_accounts=0"],
            &[
                "question `service_accounts`: out of range: `0`",
                "from 1 to 10000",
            ],
        ),
        (
            &["--set", "service_accounts=10001"],
            &["out of range: `10001`", "from 1 to 10000"],
        ),
        (
            &["--set", "service_accounts=99999999999999999999"],
            &[
                "question `service_accounts`",
                "`99999999999999999999`",
                "from 1 to 10000",
            ],
        ),
        (
            &["--set", "isolation=maybe"],
            &[
                "--set isolation=maybe: question `isolation`: not yes or no: `maybe`",
                "y/n, true/false",
            ],
        ),
        (
            &["--set", "scope="],
            &[
                "--set scope=: question `scope`: empty answer",
                SCOPE_CHOICES,
            ],
        ),
        (
            &["--set", "colour=blue"],
            &["--set colour=blue: unknown question `colour`", QUESTION_IDS],
        ),
        (
            &["--set", "scope"],
            &["--set scope: expected ID=VALUE", QUESTION_IDS],
        ),
    ];
    for (args, parts) in cases {
        let mut all = vec!["advise", "--no-input", "-o", "json"];
        all.extend_from_slice(args);
        let err = fails(&all, None);
        assert_all(&err, parts);
    }
}

#[test]
fn bad_piped_lines_name_the_stdin_line() {
    let err = fails(&["advise", "-o", "json"], Some("pod\nkey-vault,nope\n"));
    assert_all(
        &err,
        &[
            "stdin line 2: question `targets`: unknown choice `nope`",
            TARGET_CHOICES,
        ],
    );
    let err = fails(&["advise", "-o", "json"], Some("\n\nperhaps\n"));
    assert_all(
        &err,
        &["stdin line 3: question `isolation`: not yes or no: `perhaps`"],
    );
    let err = fails(
        &["advise", "-o", "json"],
        Some(&format!("{}lots\n", "\n".repeat(7))),
    );
    assert_all(
        &err,
        &["stdin line 8: question `service_accounts`: not a whole number: `lots`"],
    );
}

#[test]
fn bad_answers_files_name_the_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "choice.yaml",
            "scope: workload\nnode_os: beos\n",
            &[
                "choice.yaml:2:10: question `node_os`: unknown choice `beos`",
                "one of: linux (1), windows (2), mixed (3)",
            ],
        ),
        (
            "range.yaml",
            "service_accounts: 0\n",
            &[
                "range.yaml:1:19: question `service_accounts`: out of range: `0`",
                "from 1 to 10000",
            ],
        ),
        (
            "word.yaml",
            "service_accounts: several\n",
            &["word.yaml:1:19: question `service_accounts`: not a whole number: `several`"],
        ),
        (
            "float.json",
            "{\"service_accounts\": 2.5}",
            &["float.json:1:", "question `service_accounts`", "`2.5`"],
        ),
        (
            "number.yaml",
            "scope: 7\n",
            &["number.yaml:1:8: question `scope`", "`7`", SCOPE_CHOICES],
        ),
        (
            "unknown.yaml",
            "scope: pod\ncolour: blue\n",
            &["unknown.yaml:2:1: unknown question `colour`", QUESTION_IDS],
        ),
        (
            "empty.yaml",
            "",
            &["empty.yaml: the answers file is empty", "scope: workload"],
        ),
        (
            "comments.yaml",
            "# nothing yet\n",
            &["comments.yaml: the answers file is empty"],
        ),
        (
            "list.yaml",
            "- scope\n- workload\n",
            &["list.yaml:1:1: expected a mapping from question id to answer, found a list"],
        ),
        (
            "scalar.yaml",
            "workload\n",
            &["scalar.yaml:1:1: expected a mapping"],
        ),
        (
            "duplicate.yaml",
            "scope: workload\nscope: pod\n",
            &["duplicate.yaml:", "duplicate", "scope"],
        ),
        (
            "duplicate.json",
            "{\"scope\": \"pod\", \"scope\": \"pod\"}",
            &["duplicate.json:", "duplicate", "scope"],
        ),
        (
            "mapping.yaml",
            "targets: {key-vault: true}\n",
            &["mapping.yaml:1:10: question `targets`: wrong kind of value: `a mapping`"],
        ),
        (
            "nested.yaml",
            "targets: [[key-vault]]\n",
            &["nested.yaml:", "question `targets`", "a list"],
        ),
        (
            "blank.yaml",
            "scope: \"  \"\n",
            &["blank.yaml:1:8: question `scope`: empty answer"],
        ),
        (
            "syntax.yaml",
            "scope: [pod\n",
            &["syntax.yaml:", "invalid YAML"],
        ),
    ];
    for (name, text, parts) in cases {
        let file = write(&dir, name, text);
        let err = fails(
            &["advise", "--no-input", "-o", "json", "--answers", &file],
            None,
        );
        assert_all(&err, parts);
    }
    // The same through stdin: the origin is `stdin`.
    let err = fails(
        &["advise", "--no-input", "--answers", "-"],
        Some("scope: workload\nnode_os: beos\n"),
    );
    assert_all(
        &err,
        &["stdin:2:10: question `node_os`: unknown choice `beos`"],
    );
}

#[test]
fn a_bad_list_item_in_an_answers_file_points_at_the_item() {
    let dir = tempfile::tempdir().unwrap();
    let flow = write(
        &dir,
        "flow.yaml",
        "scope: workload\ntargets: [key-vault, nope]\n",
    );
    let err = fails(&["advise", "--no-input", "--answers", &flow], None);
    assert_all(
        &err,
        &[
            "flow.yaml:2:22: question `targets`: unknown choice `nope`",
            TARGET_CHOICES,
        ],
    );
    let block = write(
        &dir,
        "block.yaml",
        "targets:\n  - key-vault\n  - sql\n  - {x: 1}\n",
    );
    let err = fails(&["advise", "--no-input", "--answers", &block], None);
    assert_all(
        &err,
        &["block.yaml:4:5: question `targets`: not a choice id: `a mapping`"],
    );
    let json_file = write(&dir, "items.json", "{\"targets\": [\"sql\",\n  \"nope\"]}");
    let err = fails(&["advise", "--no-input", "--answers", &json_file], None);
    assert_all(
        &err,
        &["items.json:2:3: question `targets`: unknown choice `nope`"],
    );
}

#[test]
fn missing_and_folder_answers_files_are_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.yaml");
    let err = fails(&["advise", "--answers", path_str(&missing)], None);
    assert_all(&err, &["answers file", "missing.yaml does not exist"]);
    let err = fails(&["advise", "--answers", path_str(dir.path())], None);
    assert_all(&err, &["is a folder, expected a YAML or JSON file"]);
}

#[test]
fn an_answer_to_a_question_that_is_not_asked_is_a_warning_and_changes_nothing() {
    let plain = run_stdin(
        &[
            "advise",
            "--no-input",
            "-o",
            "json",
            "--set",
            "scope=workload",
        ],
        None,
    );
    assert!(plain.stderr.is_empty(), "{}", plain.stderr);
    let extra = run_stdin(
        &[
            "advise",
            "--no-input",
            "-o",
            "json",
            "--set",
            "scope=workload",
            "--set",
            "cluster_need=controller",
        ],
        None,
    );
    assert_eq!(extra.code, 0);
    // The advice is unchanged but for the warning, which the JSON carries too.
    let mut with: Value = serde_json::from_str(&extra.stdout).unwrap();
    let without: Value = serde_json::from_str(&plain.stdout).unwrap();
    let warnings = with["warnings"].take();
    assert_eq!(
        warnings[0]["questions"],
        serde_json::json!(["scope", "cluster_need"])
    );
    with["warnings"] = serde_json::json!([]);
    assert_eq!(with, without, "the advice is unchanged");
    assert_all(
        &extra.stderr,
        &[
            "aks-id: warning: --set cluster_need=controller: question `cluster_need` is not asked",
            "scope is cluster",
            "ignored",
        ],
    );

    let dir = tempfile::tempdir().unwrap();
    let file = write(
        &dir,
        "a.yaml",
        "scope: cluster\ncluster_need: controller\nsdk: legacy-imds\n",
    );
    let out = run_stdin(
        &["advise", "--no-input", "-o", "json", "--answers", &file],
        None,
    );
    assert_eq!(out.code, 0);
    assert_all(
        &out.stderr,
        &[
            "a.yaml:3:6: question `sdk` is not asked",
            "scope is not cluster",
        ],
    );
    let doc: Value = serde_json::from_str(&out.stdout).unwrap();
    assert!(
        doc["answers"].get("sdk").is_none(),
        "an unasked question has no answer"
    );
}

// ---------------------------------------------------------------------------------------------
// 5. Output formats
// ---------------------------------------------------------------------------------------------

const SNAPSHOT_SCENARIOS: &[&str] = &[
    "pod-reads-key-vault",
    "controller-external-dns",
    "migrate-from-pod-identity",
    "virtual-node-addon",
];

fn render(scenario: &str, extra: &[&str]) -> (i32, String) {
    let path = example(&format!("{scenario}.yaml"));
    let mut args = vec!["advise", "--answers", path_str(&path)];
    args.extend_from_slice(extra);
    let out = run_stdin(&args, None);
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    (out.code, out.stdout)
}

#[test]
fn output_formats_are_snapshotted() {
    let formats: &[(&str, &[&str])] = &[
        ("text", &["--width", "80"]),
        ("text-explain", &["--width", "80", "--explain"]),
        ("text-detail", &["--width", "80", "--detail"]),
        ("json", &["-o", "json"]),
        ("yaml", &["-o", "yaml"]),
        ("markdown", &["-o", "markdown"]),
        ("markdown-explain", &["-o", "markdown", "--explain"]),
    ];
    for scenario in SNAPSHOT_SCENARIOS {
        let expected = if *scenario == "virtual-node-addon" {
            3
        } else {
            0
        };
        for (format, args) in formats {
            let (status, text) = render(scenario, args);
            assert_eq!(status, expected, "{scenario} {format}");
            insta::assert_snapshot!(format!("advise-{scenario}-{format}"), text);
        }
    }
}

#[test]
fn yaml_output_has_the_same_content_as_json() {
    for scenario in SNAPSHOT_SCENARIOS {
        let (_, json_text) = render(scenario, &["-o", "json"]);
        let (_, yaml_text) = render(scenario, &["-o", "yaml"]);
        let from_json: Value = serde_json::from_str(&json_text).unwrap();
        let from_yaml: Value = serde_yaml::from_str(&yaml_text).unwrap();
        assert_eq!(from_json, from_yaml, "{scenario}");
    }
}

fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect()
}

fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("a list: {value}"))
        .iter()
        .map(|v| v.as_str().unwrap_or_else(|| panic!("text: {v}")))
        .collect()
}

#[test]
fn json_has_the_shape_of_design_section_5() {
    let catalog = catalog();
    for file in example_files() {
        let doc = json(
            &["advise", "--answers", path_str(&file), "-o", "json"],
            None,
            {
                let name = file.file_name().unwrap().to_string_lossy();
                if name.contains("virtual-node-addon") || name.contains("other-kubernetes") {
                    3
                } else {
                    0
                }
            },
        );
        let required = [
            "schema_version",
            "catalog",
            "answers",
            "defaulted",
            "warnings",
            "recommendation",
            "ranking",
            "reasons",
            "tradeoffs",
            "caveats",
            "grants",
            "next_steps",
            "sources",
        ];
        let present = keys(&doc);
        let mut in_order: Vec<&str> = present
            .iter()
            .copied()
            .filter(|k| required.contains(k))
            .collect();
        in_order.dedup();
        assert_eq!(
            in_order, required,
            "{file:?}: fields in the documented order"
        );
        assert_eq!(doc["schema_version"], 2);
        assert_eq!(doc["catalog"]["source"], "built-in");
        let as_of = doc["catalog"]["as_of"].as_str().unwrap();
        assert!(as_of.len() == 10 && as_of.as_bytes()[4] == b'-', "{as_of}");

        // answers: every asked question, in questionnaire order, defaults included.
        let order: Vec<&str> = catalog.questions.iter().map(|q| q.id.as_ref()).collect();
        let answered = keys(&doc["answers"]);
        let mut sorted = answered.clone();
        sorted.sort_by_key(|id| order.iter().position(|o| o == id).unwrap());
        assert_eq!(answered, sorted, "{file:?}");
        for id in strings(&doc["defaulted"]) {
            assert!(
                answered.contains(&id),
                "{file:?}: defaulted {id} is answered"
            );
        }
        for (id, value) in doc["answers"].as_object().unwrap() {
            let q = catalog.question(id).unwrap();
            let fits = match q.kind {
                Kind::OneOf => value
                    .as_str()
                    .is_some_and(|c| q.choices.iter().any(|x| x.id == c)),
                Kind::AnyOf => value
                    .as_array()
                    .is_some_and(|l| l.iter().all(|v| v.is_string())),
                Kind::YesNo => value.is_boolean(),
                Kind::Number => value.is_i64(),
            };
            assert!(fits, "{file:?}: {id} = {value}");
        }

        match &doc["recommendation"] {
            Value::Null => {}
            r => {
                assert_eq!(keys(r), ["model", "name", "score", "reason"]);
                assert_eq!(r["model"], doc["ranking"][0]["model"]);
                assert_eq!(r["score"], doc["ranking"][0]["score"]);
            }
        }
        let reason_ids: Vec<&str> = doc["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        let ranking = doc["ranking"].as_array().unwrap();
        assert_eq!(ranking.len(), 3);
        let mut models: Vec<&str> = ranking
            .iter()
            .map(|r| r["model"].as_str().unwrap())
            .collect();
        models.sort_unstable();
        assert_eq!(models, ["cluster", "pod", "workload"]);
        for (i, r) in ranking.iter().enumerate() {
            assert!(r["score"].is_i64() && r["excluded"].is_boolean(), "{r}");
            // v2: the reasons by id, and for a model not chosen the one that says why not.
            for id in strings(&r["reasons"]) {
                assert!(reason_ids.contains(&id), "{file:?}: reason {id}");
            }
            if i > 0 || doc["recommendation"].is_null() {
                let why = r["why_not"]
                    .as_str()
                    .unwrap_or_else(|| panic!("why_not: {r}"));
                assert!(reason_ids.contains(&why), "{file:?}: why_not {why}");
            }
        }
        for reason in doc["reasons"].as_array().unwrap() {
            assert!(
                reason["id"].is_string() && reason["text"].is_string(),
                "{reason}"
            );
            for (model, change) in reason["effects"].as_object().unwrap() {
                assert!(["cluster", "pod", "workload"].contains(&model.as_str()));
                assert!(change.is_i64());
            }
        }
        for item in doc["tradeoffs"]["pros"]
            .as_array()
            .unwrap()
            .iter()
            .chain(doc["tradeoffs"]["cons"].as_array().unwrap())
        {
            assert!(item["id"].is_string() && item["text"].is_string(), "{item}");
        }
        for caveat in doc["caveats"].as_array().unwrap() {
            assert!(
                caveat["id"].is_string()
                    && caveat["rule"].is_string()
                    && caveat["text"].is_string(),
                "{caveat}"
            );
        }
        for grant in doc["grants"].as_array().unwrap() {
            assert!(
                grant["id"].is_string() && grant["target"].is_string() && grant["how"].is_string(),
                "{grant}"
            );
            strings(&grant["roles"]);
        }
        for step in doc["next_steps"].as_array().unwrap() {
            assert!(
                step["id"].is_string() && step["rule"].is_string() && step["text"].is_string(),
                "{step}"
            );
        }
        let sources: Vec<&str> = doc["sources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                assert_eq!(keys(s), ["id", "title", "url", "date", "checked"], "{s}");
                assert!(s["url"].as_str().unwrap().starts_with("https://"), "{s}");
                s["id"].as_str().unwrap()
            })
            .collect();
        let mut unique = sources.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(
            unique.len(),
            sources.len(),
            "{file:?}: sources without repeats"
        );
        if doc["recommendation"].is_null() {
            // No model gets grants; the caveats and steps are those written for this case.
            assert!(doc["grants"].as_array().unwrap().is_empty());
        }
    }
}

/// A line of text output that shows a command (or a URL): these may be longer than the width.
fn is_command_or_url(line: &str) -> bool {
    let t = line.trim_start();
    let indent = line.len() - t.len();
    // Commands are indented six columns (four under a role with --detail) and never wrapped;
    // wrapped prose never passes the width.
    t.starts_with("$ ") || t.starts_with("https://") || indent >= 4
}

#[test]
fn text_fits_in_80_columns_except_commands() {
    for file in example_files() {
        for extra in [&[][..], &["--explain"][..]] {
            let mut args = vec!["advise", "--answers", path_str(&file), "--width", "80"];
            args.extend_from_slice(extra);
            let out = run_stdin(&args, None);
            let text = out.stdout;
            assert!(text.starts_with("Recommendation: "), "{text}");
            for line in text.lines() {
                let width = line.chars().count();
                assert!(
                    width <= 80 || is_command_or_url(line),
                    "{file:?}: {width} columns: {line:?}"
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 6. The advice an Azure expert would check
// ---------------------------------------------------------------------------------------------

fn ranked<'v>(doc: &'v Value, model: &str) -> &'v Value {
    doc["ranking"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["model"] == model)
        .unwrap_or_else(|| panic!("{model} is ranked"))
}

/// The texts of the reasons that changed a model's score or excluded it (v2 lists their ids).
fn reasons_of(doc: &Value, model: &str) -> String {
    let ids = &ranked(doc, model)["reasons"];
    doc["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| ids.as_array().unwrap().contains(&r["id"]))
        .map(|r| r["text"].as_str().unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Caveats, next steps and grants as one text to search.
fn guidance(doc: &Value) -> String {
    let mut all: Vec<String> = doc["caveats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["text"].as_str().unwrap().to_owned())
        .collect();
    for step in doc["next_steps"].as_array().unwrap() {
        all.push(step["text"].as_str().unwrap().to_owned());
        all.extend(step["command"].as_str().map(str::to_owned));
    }
    for g in doc["grants"].as_array().unwrap() {
        all.push(g.to_string());
    }
    all.join("\n")
}

fn recommended(doc: &Value) -> Option<&str> {
    doc["recommendation"]["model"].as_str()
}

/// What a case expects of the recommendation.
#[derive(Clone, Copy)]
enum Expect {
    Model(&'static str),
    NoModel,
    Not(&'static str),
}

/// One scenario of the rules: `--set` answers and what the advice must show.
#[derive(Clone, Copy)]
struct Case {
    name: &'static str,
    sets: &'static [&'static str],
    /// The exit code, when the case cares.
    code: Option<i32>,
    expect: Expect,
    /// Models ranked as excluded.
    excluded: &'static [&'static str],
    /// Texts the caveats, next steps and grants contain.
    says: &'static [&'static str],
    /// Texts they must not contain.
    never_says: &'static [&'static str],
    /// Anything else to check in the JSON.
    check: Option<fn(&Value)>,
}

const CASE: Case = Case {
    name: "",
    sets: &[],
    code: Some(0),
    expect: Expect::Model("workload"),
    excluded: &[],
    says: &[],
    never_says: &[],
    check: None,
};

/// Pod-managed identity is never recommended and always excluded, whatever the answers.
const POD_NEVER: Case = Case {
    code: None,
    expect: Expect::Not("pod"),
    excluded: &["pod"],
    ..CASE
};

fn grant_targets(doc: &Value) -> Vec<&str> {
    doc["grants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["target"].as_str().unwrap())
        .collect()
}

const CASES: &[Case] = &[
    Case {
        name: "pod: defaults",
        ..POD_NEVER
    },
    Case {
        name: "pod: scope=pod",
        sets: &["scope=pod"],
        ..POD_NEVER
    },
    Case {
        name: "pod: existing",
        sets: &["existing_pod_identity=yes"],
        ..POD_NEVER
    },
    Case {
        name: "pod: existing with legacy IMDS on Linux",
        sets: &[
            "existing_pod_identity=yes",
            "sdk=legacy-imds",
            "node_os=linux",
        ],
        ..POD_NEVER
    },
    Case {
        name: "pod: existing, cluster scope",
        sets: &["scope=cluster", "existing_pod_identity=yes"],
        ..POD_NEVER
    },
    Case {
        name: "pod: existing, virtual node add-on",
        sets: &["virtual_nodes=addon", "existing_pod_identity=yes"],
        ..POD_NEVER
    },
    Case {
        name: "pod: outside AKS",
        sets: &["platform=other", "scope=cluster"],
        ..POD_NEVER
    },
    Case {
        name: "AKS infrastructure goes to the cluster identity",
        sets: &[
            "scope=cluster",
            "cluster_need=aks-infrastructure",
            "targets=arm",
        ],
        expect: Expect::Model("cluster"),
        excluded: &["workload"],
        says: &["user-assigned", "Network Contributor"],
        ..CASE
    },
    Case {
        name: "image pulls from ACR go to the kubelet identity with AcrPull",
        sets: &["scope=cluster", "cluster_need=image-pull", "targets=acr"],
        expect: Expect::Model("cluster"),
        excluded: &["workload"],
        says: &["--attach-acr", "AcrPull"],
        check: Some(|doc| {
            let grant = &doc["grants"][0];
            assert_eq!(grant["target"], "acr");
            assert!(strings(&grant["roles"]).contains(&"AcrPull"));
            assert!(
                grant["how"].as_str().unwrap().contains("kubelet identity"),
                "{grant}"
            );
        }),
        ..CASE
    },
    Case {
        name: "image pulls without targets go to the kubelet identity with AcrPull",
        sets: &["scope=cluster", "cluster_need=image-pull", "targets=none"],
        expect: Expect::Model("cluster"),
        excluded: &["workload"],
        says: &["--attach-acr", "AcrPull"],
        ..CASE
    },
    Case {
        name: "a controller you install gets Workload ID (isolation)",
        sets: &[
            "scope=cluster",
            "cluster_need=controller",
            "targets=arm",
            "isolation=yes",
        ],
        says: &["az identity federated-credential create"],
        ..CASE
    },
    Case {
        name: "a controller you install gets Workload ID (no isolation)",
        sets: &[
            "scope=cluster",
            "cluster_need=controller",
            "targets=arm",
            "isolation=no",
        ],
        says: &["az identity federated-credential create"],
        ..CASE
    },
    Case {
        name: "a workload app gets Workload ID, never the cluster identity (isolation)",
        sets: &[
            "scope=workload",
            "isolation=yes",
            "targets=key-vault,storage",
        ],
        excluded: &["cluster"],
        check: Some(|doc| assert_eq!(grant_targets(doc), ["key-vault", "storage"])),
        ..CASE
    },
    Case {
        name: "a workload app gets Workload ID, never the cluster identity (no isolation)",
        sets: &[
            "scope=workload",
            "isolation=no",
            "targets=key-vault,storage",
        ],
        excluded: &["cluster"],
        check: Some(|doc| assert_eq!(grant_targets(doc), ["key-vault", "storage"])),
        ..CASE
    },
    Case {
        name: "a pod gets Workload ID, never the cluster identity (isolation)",
        sets: &["scope=pod", "isolation=yes", "targets=key-vault,storage"],
        excluded: &["cluster"],
        check: Some(|doc| assert_eq!(grant_targets(doc), ["key-vault", "storage"])),
        ..CASE
    },
    Case {
        name: "a pod gets Workload ID, never the cluster identity (no isolation)",
        sets: &["scope=pod", "isolation=no", "targets=key-vault,storage"],
        excluded: &["cluster"],
        check: Some(|doc| assert_eq!(grant_targets(doc), ["key-vault", "storage"])),
        ..CASE
    },
    Case {
        name: "migration with a current SDK runs side by side, then removes pod identity",
        sets: &["existing_pod_identity=yes", "sdk=current"],
        says: &["az aks pod-identity delete", "--disable-pod-identity"],
        never_says: &["inject-proxy-sidecar"],
        check: Some(|doc| {
            let text = guidance(doc);
            let reasons = doc["reasons"].to_string();
            assert!(
                reasons.contains("side by side") || text.contains("side by side"),
                "{text}"
            );
        }),
        ..CASE
    },
    Case {
        name: "legacy IMDS on Linux, migrating, gets the proxy sidecar",
        sets: &[
            "sdk=legacy-imds",
            "node_os=linux",
            "existing_pod_identity=yes",
        ],
        says: &["inject-proxy-sidecar", "privileged"],
        ..CASE
    },
    Case {
        name: "legacy IMDS on Linux, new, gets the proxy sidecar",
        sets: &[
            "sdk=legacy-imds",
            "node_os=linux",
            "existing_pod_identity=no",
        ],
        says: &["inject-proxy-sidecar", "privileged"],
        ..CASE
    },
    Case {
        name: "legacy IMDS on Windows, migrating, upgrades the SDK without a sidecar",
        sets: &[
            "sdk=legacy-imds",
            "node_os=windows",
            "existing_pod_identity=yes",
        ],
        says: &["Azure Identity version with WorkloadIdentityCredential"],
        never_says: &["inject-proxy-sidecar"],
        ..CASE
    },
    Case {
        name: "legacy IMDS on Windows, new, upgrades the SDK without a sidecar",
        sets: &[
            "sdk=legacy-imds",
            "node_os=windows",
            "existing_pod_identity=no",
        ],
        says: &["Azure Identity version with WorkloadIdentityCredential"],
        never_says: &["inject-proxy-sidecar"],
        ..CASE
    },
    Case {
        name: "the virtual node add-on excludes Workload ID",
        sets: &["virtual_nodes=addon"],
        code: Some(3),
        expect: Expect::NoModel,
        excluded: &["workload"],
        check: Some(|doc| {
            let reasons = reasons_of(doc, "workload");
            assert!(
                reasons.contains("can't project service-account tokens"),
                "{reasons}"
            );
            assert!(reasons.contains("virtual nodes on ACI"), "{reasons}");
        }),
        ..CASE
    },
    Case {
        name: "virtual nodes on ACI support Workload ID",
        sets: &["virtual_nodes=aci", "targets=storage"],
        ..CASE
    },
    Case {
        name: "20 service accounts stay under the federated credential cap",
        sets: &["service_accounts=20"],
        code: None,
        expect: Expect::Not("pod"),
        never_says: &["20 federated credentials"],
        ..CASE
    },
    Case {
        name: "more than 20 service accounts hit the federated credential cap",
        sets: &["service_accounts=25"],
        says: &["20 federated credentials", "identity bindings"],
        ..CASE
    },
    Case {
        name: "on Arc a controller gets Workload ID, no AKS commands",
        sets: &["scope=cluster", "cluster_need=controller", "platform=arc"],
        excluded: &["cluster"],
        never_says: &["az aks update"],
        ..CASE
    },
    Case {
        name: "elsewhere a controller gets Workload ID, no AKS commands",
        sets: &["scope=cluster", "cluster_need=controller", "platform=other"],
        excluded: &["cluster"],
        never_says: &["az aks update"],
        ..CASE
    },
    Case {
        name: "on Arc nothing does AKS's own work",
        sets: &[
            "scope=cluster",
            "cluster_need=aks-infrastructure",
            "platform=arc",
        ],
        code: Some(3),
        expect: Expect::NoModel,
        excluded: &["cluster"],
        ..CASE
    },
    Case {
        name: "elsewhere nothing does AKS's own work",
        sets: &[
            "scope=cluster",
            "cluster_need=aks-infrastructure",
            "platform=other",
        ],
        code: Some(3),
        expect: Expect::NoModel,
        excluded: &["cluster"],
        ..CASE
    },
    Case {
        name: "cross-tenant access gets a Workload ID caveat and step",
        sets: &["cross_tenant=yes", "targets=storage"],
        says: &["resources' tenant", "azure.workload.identity/tenant-id"],
        ..CASE
    },
    Case {
        name: "Cosmos DB brings its data-plane grant",
        sets: &["targets=cosmos-db"],
        code: None,
        expect: Expect::Not("pod"),
        says: &[
            "az cosmosdb sql role assignment create",
            "don't appear in Azure role assignments",
        ],
        check: Some(|doc| {
            let grant: BTreeMap<String, Value> =
                serde_json::from_value(doc["grants"][0].clone()).unwrap();
            assert!(
                grant["how"].as_str().unwrap().contains("data-plane"),
                "{grant:?}"
            );
        }),
        ..CASE
    },
    Case {
        name: "SQL brings its database-user grant",
        sets: &["targets=sql"],
        code: None,
        expect: Expect::Not("pod"),
        says: &[
            "database users, not Azure RBAC roles",
            "Active Directory Workload Identity",
        ],
        ..CASE
    },
    Case {
        name: "Key Vault brings its RBAC grant",
        sets: &["targets=key-vault"],
        code: None,
        expect: Expect::Not("pod"),
        says: &["Key Vault Secrets User", "RBAC permission model"],
        ..CASE
    },
];

/// Checks one case; the failures of every case are listed together.
fn check_case(case: &Case) -> Vec<String> {
    let (code, doc) = advise_set(case.sets);
    let mut problems = Vec::new();
    let mut expect = |ok: bool, what: String| {
        if !ok {
            problems.push(format!("{}: {what}", case.name));
        }
    };
    if let Some(want) = case.code {
        expect(code == want, format!("exit code {code}, expected {want}"));
    }
    let got = recommended(&doc);
    match case.expect {
        Expect::Model(model) => expect(
            got == Some(model),
            format!("recommended {got:?}, expected {model}"),
        ),
        Expect::NoModel => expect(
            doc["recommendation"] == Value::Null,
            format!("recommended {got:?}, expected none"),
        ),
        Expect::Not(model) => expect(got != Some(model), format!("recommended {model}")),
    }
    for model in case.excluded {
        expect(
            ranked(&doc, model)["excluded"] == true,
            format!("{model} is not excluded"),
        );
    }
    let text = guidance(&doc);
    for needle in case.says {
        expect(
            text.contains(needle),
            format!("no {needle:?} in the guidance:\n{text}"),
        );
    }
    for needle in case.never_says {
        expect(
            !text.contains(needle),
            format!("{needle:?} in the guidance:\n{text}"),
        );
    }
    if let Some(check) = case.check
        && let Err(panic) = std::panic::catch_unwind(|| check(&doc))
    {
        let message = panic
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_else(|| "a check failed".to_owned());
        problems.push(format!("{}: {message}", case.name));
    }
    problems
}

#[test]
fn each_scenario_gives_the_advice_the_rules_promise() {
    assert!(CASES.len() >= 15);
    // Four at a time: most of the time is spent waiting for the binary.
    let queue = std::sync::Mutex::new(CASES.iter());
    let problems = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                loop {
                    let Some(case) = queue.lock().unwrap().next() else {
                        break;
                    };
                    let found = check_case(case);
                    problems.lock().unwrap().extend(found);
                }
            });
        }
    });
    let problems = problems.into_inner().unwrap();
    assert!(problems.is_empty(), "{problems:#?}");
}
