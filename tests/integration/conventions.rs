//! The conventions users expect of a command-line tool, through the binary: help when a
//! subcommand is missing, one output vocabulary, YAML that YAML 1.1 readers read back as written,
//! answers that round-trip, "did you mean", colors, `--explain` in every format, a manual page per
//! command, and piped lines that do not fit the questionnaire.

use std::fs;
use std::process::Command as StdCommand;

use crate::support::*;

// --- Help when a subcommand is missing --------------------------------------------------------

#[test]
fn a_missing_subcommand_prints_that_commands_help_on_stderr_with_exit_2() {
    for (args, help_args) in [
        (&[][..], &["-h"][..]),
        (&["--color", "never"], &["-h"]),
        (&["rules"], &["rules", "-h"]),
        (&["--rules", "/nowhere", "rules"], &["rules", "-h"]),
    ] {
        let missing = run(args);
        assert_eq!(missing.code, 2, "{args:?}: {}", missing.stderr);
        assert_eq!(missing.stdout, "", "{args:?}: stdout stays clean for pipes");
        let help = run(help_args);
        assert_eq!(help.code, 0);
        assert_eq!(missing.stderr, help.stdout, "{args:?}: the normal help");
        assert!(!missing.stderr.contains("error"), "{}", missing.stderr);
        assert!(missing.stderr.lines().count() > 10, "multi-line help");
        assert!(missing.stderr.lines().all(|l| l.chars().count() <= 100));
    }
    let top = run(&[]);
    assert!(
        top.stderr.starts_with("Advises how workloads"),
        "{}",
        top.stderr
    );
    assert!(
        top.stderr.contains("\nCommands:\n  advise "),
        "{}",
        top.stderr
    );
    let rules = run(&["rules"]);
    assert!(
        rules
            .stderr
            .contains("Usage: aks-id rules [OPTIONS] <COMMAND>"),
        "{}",
        rules.stderr
    );
    // `--color always` paints it, even into a pipe.
    let painted = run(&["--color", "always"]);
    assert!(painted.stderr.contains("\x1b["), "{}", painted.stderr);
}

#[test]
fn help_follows_the_color_flag() {
    assert!(
        run(&["--color", "always", "--help"])
            .stdout
            .contains("\x1b[")
    );
    assert!(
        run(&["--color=always", "compare", "--help"])
            .stdout
            .contains("\x1b[")
    );
    let mut cmd = aks_id();
    cmd.args(["--color", "never", "--help"])
        .env_remove("NO_COLOR")
        .env("CLICOLOR_FORCE", "1");
    let never = run_cmd(&mut cmd);
    assert!(!never.stdout.contains('\x1b'), "{}", never.stdout);
}

// --- One output vocabulary ---------------------------------------------------------------------

#[test]
fn text_is_the_human_format_of_every_command_and_table_an_alias() {
    for args in [
        &["compare", "--width", "100"][..],
        &["models"],
        &["questions", "--width", "100"],
        &["show", "workload", "--width", "100"],
        &["advise", "--no-input", "--width", "100"],
    ] {
        let default = run_stdin(args, None);
        assert_eq!(default.code, 0, "{args:?}: {}", default.stderr);
        let text = run_stdin(&[args, &["-o", "text"]].concat(), None);
        assert_eq!(text.code, 0, "{args:?} -o text: {}", text.stderr);
        assert_eq!(
            text.stdout, default.stdout,
            "{args:?}: -o text is the default"
        );
        let help = run(&[&args[..1], &["--help"]].concat()).stdout;
        assert!(help.contains("[default: text]"), "{args:?}: {help}");
        assert!(help.contains("[possible values: text,"), "{args:?}: {help}");
        let values = help.split("[possible values: ").nth(1).unwrap_or_default();
        let values = &values[..values.find(']').unwrap_or_default()];
        assert!(
            !values.contains("table"),
            "{args:?}: the alias stays hidden: {values}"
        );
    }
    for args in [
        &["compare", "--width", "100"][..],
        &["models"],
        &["questions", "--width", "100"],
    ] {
        let text = run_stdin(&[args, &["-o", "text"]].concat(), None);
        let table = run_stdin(&[args, &["-o", "table"]].concat(), None);
        assert_eq!(table.code, 0, "{args:?} -o table: {}", table.stderr);
        assert_eq!(table.stdout, text.stdout, "{args:?}: table is text");
    }
}

// --- YAML that YAML 1.1 readers read as written ----------------------------------------------

/// Whether PyYAML (a YAML 1.1 reader) is installed.
fn pyyaml() -> bool {
    StdCommand::new("python3")
        .args(["-c", "import yaml"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// `yaml` read by PyYAML's safe loader, as JSON.
fn through_pyyaml(yaml: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.yaml");
    fs::write(&path, yaml).unwrap();
    let out = StdCommand::new("python3")
        .args([
            "-c",
            "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
            path_str(&path),
        ])
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "PyYAML cannot read it: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON from Python")
}

/// For each command, its YAML read by a YAML 1.1 reader equals its JSON: every string stays a
/// string (`no`, dates, numbers as text) and every boolean and number stays one.
fn assert_yaml11_reads_as_json(rules: Option<&str>, commands: &[&[&str]]) {
    for args in commands {
        let with_rules = |format: &str| {
            let mut all: Vec<&str> = Vec::new();
            if let Some(dir) = rules {
                all.extend(["--rules", dir]);
            }
            all.extend(*args);
            all.extend(["-o", format]);
            all.into_iter().map(str::to_owned).collect::<Vec<_>>()
        };
        let yaml_args = with_rules("yaml");
        let yaml_args: Vec<&str> = yaml_args.iter().map(String::as_str).collect();
        let json_args = with_rules("json");
        let json_args: Vec<&str> = json_args.iter().map(String::as_str).collect();
        let yaml = run_stdin(&yaml_args, None);
        let json = run_stdin(&json_args, None);
        assert_eq!(yaml.code, json.code, "{args:?}: {}", yaml.stderr);
        let json: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
        if pyyaml() {
            assert_eq!(
                through_pyyaml(&yaml.stdout),
                json,
                "{args:?}\n{}",
                yaml.stdout
            );
        }
        // Whatever is installed: YAML 1.2 (our own reader) gives the same document.
        let ours: serde_json::Value = serde_yaml::from_str(&yaml.stdout).unwrap();
        assert_eq!(ours, json, "{args:?}");
    }
}

#[test]
fn yaml_output_reads_back_the_same_in_yaml_1_1() {
    let default = run_stdin(&["advise", "--no-input", "-o", "yaml"], None).stdout;
    for line in ["  virtual_nodes: 'no'\n", "  as_of: '2026-"] {
        assert!(default.contains(line), "{line:?} in\n{default}");
    }
    assert!(
        default.contains("  isolation: true\n"),
        "booleans stay plain"
    );
    assert!(
        default.contains("  service_accounts: 1\n"),
        "numbers stay plain"
    );
    assert_yaml11_reads_as_json(
        None,
        &[
            &["advise", "--no-input"],
            &[
                "advise",
                "--no-input",
                "--explain",
                "--set",
                "virtual_nodes=aci",
            ],
            &[
                "advise",
                "--no-input",
                "--set",
                "scope=cluster",
                "--set",
                "cross_tenant=yes",
            ],
            &["compare"],
            &["models"],
            &["questions"],
            &["show", "pod"],
        ],
    );
}

#[test]
fn catalog_text_that_yaml_1_1_would_misread_is_quoted() {
    let dir = exported();
    let tricky = [
        ("label: Overview", "label: 'no'"),
        ("label: Scope", "label: 'on'"),
        ("label: Identity type", "label: '0x10'"),
        ("label: Identity location", "label: '1_000'"),
        ("label: Usage", "label: '2026-11-28'"),
    ];
    for (from, to) in tricky {
        replace(dir.path(), "catalog.yaml", from, to);
    }
    let rules = path_str(dir.path());
    let yaml = run(&["--rules", rules, "compare", "-o", "yaml"]);
    assert_eq!(yaml.code, 0, "{}", yaml.stderr);
    for quoted in ["'no'", "'on'", "'0x10'", "'1_000'", "'2026-11-28'"] {
        assert!(
            yaml.stdout.contains(&format!("label: {quoted}\n")),
            "{quoted} in\n{}",
            yaml.stdout
        );
    }
    assert_yaml11_reads_as_json(Some(rules), &[&["compare"], &["questions"]]);
}

// --- Answers round trip --------------------------------------------------------------------------

#[test]
fn advise_output_read_back_with_answers_gives_the_same_output() {
    let dir = tempfile::tempdir().unwrap();
    let scenarios: Vec<Vec<String>> = example_files()
        .iter()
        .map(|f| vec!["--answers".to_owned(), path_str(f).to_owned()])
        .chain([
            vec![],
            vec![
                "--set".into(),
                "targets=key-vault,sql".into(),
                "--set".into(),
                "virtual_nodes=aci".into(),
            ],
        ])
        .collect();
    for (n, scenario) in scenarios.iter().enumerate() {
        for format in ["json", "yaml"] {
            let mut args = vec!["advise", "--no-input", "-o", format];
            args.extend(scenario.iter().map(String::as_str));
            let first = run_stdin(&args, None);
            assert!(
                first.code == 0 || first.code == 3,
                "{args:?}: {}",
                first.stderr
            );
            let file = dir.path().join(format!("{n}.{format}"));
            fs::write(&file, &first.stdout).unwrap();
            let again = run_stdin(
                &[
                    "advise",
                    "--no-input",
                    "-o",
                    format,
                    "--answers",
                    path_str(&file),
                ],
                None,
            );
            assert_eq!(again.code, first.code, "{args:?}: {}", again.stderr);
            assert_eq!(again.stderr, "", "{args:?}");
            assert_eq!(again.stdout, first.stdout, "{args:?}: the same advice back");
            // And from stdin, without --no-input: every asked question is answered.
            let piped = run_stdin(
                &["advise", "-o", format, "--answers", "-"],
                Some(&first.stdout),
            );
            assert_eq!(
                piped.stdout, first.stdout,
                "{args:?} via stdin: {}",
                piped.stderr
            );
        }
    }
}

#[test]
fn an_output_document_without_answers_is_an_error_that_says_where() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.yaml");
    fs::write(&file, "schema_version: 1\nanswers: [scope]\n").unwrap();
    let err = fails(
        &["advise", "--no-input", "--answers", path_str(&file)],
        None,
    );
    assert!(
        err.contains("out.yaml:2:10: a document with `schema_version`")
            && err.contains("must have an `answers` mapping; found a list"),
        "{err}"
    );
}

// --- Did you mean ------------------------------------------------------------------------------

#[test]
fn unknown_names_get_the_nearest_one_suggested() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.yaml");
    fs::write(&file, "scope: workload\nnode_sos: linux\n").unwrap();
    for (args, stdin, hint) in [
        (
            vec!["advise", "--no-input", "--set", "scop=pod"],
            None,
            "did you mean `scope`?",
        ),
        (
            vec!["advise", "--no-input", "--answers", path_str(&file)],
            None,
            "did you mean `node_os`?",
        ),
        (
            vec!["advise", "--no-input", "--set", "targets=sql,keyvault"],
            None,
            "did you mean `key-vault`?",
        ),
        (
            vec!["advise", "--no-input", "--set", "platform=AKS-automatc"],
            None,
            "did you mean `aks-automatic`?",
        ),
        (
            vec!["advise", "--no-input"],
            Some("worklod\n"),
            "did you mean `workload`?",
        ),
        (
            vec!["advise", "--no-input", "--set", "isolation=yse"],
            None,
            "did you mean `yes`?",
        ),
        (vec!["show", "worklaod"], None, "did you mean `workload`?"),
        (
            vec!["compare", "--models", "cluster,pdo"],
            None,
            "did you mean `pod`?",
        ),
        (
            vec!["compare", "--rows", "overveiw"],
            None,
            "did you mean `overview`?",
        ),
    ] {
        let err = fails(&args, stdin);
        assert!(err.trim_end().ends_with(hint), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    // Nothing near: no guess.
    let err = fails(&["show", "kubernetes"], None);
    assert!(!err.contains("did you mean"), "{err}");
    assert!(err.contains("(models: cluster, pod, workload)"), "{err}");
}

// --- --explain in every format -------------------------------------------------------------------

#[test]
fn explain_adds_the_fired_rules_to_json_and_yaml() {
    let plain = json(&["advise", "--no-input", "-o", "json"], None, 0);
    assert!(plain.get("fired_rules").is_none(), "only with --explain");
    let args = [
        "advise",
        "--no-input",
        "-o",
        "json",
        "--explain",
        "--set",
        "existing_pod_identity=yes",
    ];
    let doc = json(&args, None, 0);
    let fired = doc["fired_rules"].as_array().expect("a fired_rules list");
    assert!(!fired.is_empty());
    let ids: Vec<&str> = fired.iter().map(|r| r["rule"].as_str().unwrap()).collect();
    for rule in fired {
        assert!(rule["effect"].is_string(), "{rule}");
        assert!(!rule["sources"].as_array().unwrap().is_empty(), "{rule}");
    }
    // Every reason's rule fired; the rules come in catalog order.
    for reason in doc["reasons"].as_array().unwrap() {
        assert!(ids.contains(&reason["rule"].as_str().unwrap()), "{reason}");
    }
    let catalog = catalog();
    let order: Vec<usize> = ids
        .iter()
        .map(|id| catalog.rules.iter().position(|r| r.id == *id).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    // The other fields are those of the plain output.
    let mut without = doc.clone();
    without.as_object_mut().unwrap().remove("fired_rules");
    let plain = json(
        &[
            "advise",
            "--no-input",
            "-o",
            "json",
            "--set",
            "existing_pod_identity=yes",
        ],
        None,
        0,
    );
    assert_eq!(without, plain);
    // The text table names the same rules, in the same order.
    let text = run_stdin(
        &[
            "advise",
            "--no-input",
            "--explain",
            "--set",
            "existing_pod_identity=yes",
            "--width",
            "100",
        ],
        None,
    )
    .stdout;
    let mut at = 0;
    for id in &ids {
        let found = text[at..]
            .find(id)
            .unwrap_or_else(|| panic!("{id} in the text table"));
        at += found + id.len();
    }
    // YAML carries the same list.
    let yaml = run_stdin(&["advise", "--no-input", "-o", "yaml", "--explain"], None).stdout;
    assert!(yaml.contains("\nfired_rules:\n- rule: "), "{yaml}");
}

// --- Manual pages --------------------------------------------------------------------------------

const PAGES: &[&str] = &[
    "aks-id.1",
    "aks-id-advise.1",
    "aks-id-questions.1",
    "aks-id-compare.1",
    "aks-id-models.1",
    "aks-id-show.1",
    "aks-id-scan.1",
    "aks-id-migrate.1",
    "aks-id-findings.1",
    "aks-id-rules.1",
    "aks-id-rules-check.1",
    "aks-id-rules-export.1",
    "aks-id-rules-schema.1",
    "aks-id-completions.1",
    "aks-id-man.1",
];

#[test]
fn man_out_writes_a_page_per_command_that_names_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("man1");
    let wrote = run(&["man", "--out", path_str(&target)]);
    assert_eq!(wrote.code, 0, "{}", wrote.stderr);
    let expected: String = PAGES
        .iter()
        .map(|p| format!("wrote {}\n", target.join(p).display()))
        .collect();
    assert_eq!(wrote.stdout, expected);
    let mut files: Vec<String> = fs::read_dir(&target)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut want: Vec<String> = PAGES.iter().map(|p| p.to_string()).collect();
    want.sort();
    assert_eq!(files, want, "exactly the pages");
    for page in PAGES {
        let text = fs::read_to_string(target.join(page)).unwrap();
        let name = page.trim_end_matches(".1");
        assert!(
            text.contains(&format!(".TH {name} 1")),
            "{page}: titled {name}"
        );
        let see_also = text
            .split(".SH \"SEE ALSO\"\n")
            .nth(1)
            .expect("a SEE ALSO section");
        for other in PAGES.iter().filter(|p| *p != page) {
            let roff = format!(
                "\\fB{}\\fR(1)",
                other.trim_end_matches(".1").replace('-', "\\-")
            );
            assert!(see_also.contains(&roff), "{page} names {other}: {see_also}");
        }
        assert!(
            !see_also.contains(&format!("\\fB{}\\fR(1)", name.replace('-', "\\-"))),
            "{page} does not name itself"
        );
    }
    // `aks-id man` alone is the main page.
    assert_eq!(
        run(&["man"]).stdout,
        fs::read_to_string(target.join("aks-id.1")).unwrap()
    );
    let advise = fs::read_to_string(target.join("aks-id-advise.1")).unwrap();
    assert!(
        advise.contains("\\-\\-no\\-input"),
        "the advise page has its options"
    );
    // Nothing left beside the folder.
    let beside: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(beside.len(), 1, "no temporary folder left");
}

#[test]
fn man_out_never_overwrites_without_force_and_never_writes_through_a_link() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("man1");
    fs::create_dir(&target).unwrap();
    fs::write(target.join("other.1"), "someone else's page").unwrap();
    fs::write(target.join("aks-id-show.1"), "old").unwrap();
    let refused = run(&["man", "--out", path_str(&target)]);
    assert_clean_error(&refused, 2);
    assert!(
        refused
            .stderr
            .contains("refusing to overwrite existing files (use --force to replace them): "),
        "{}",
        refused.stderr
    );
    assert_eq!(
        fs::read_to_string(target.join("aks-id-show.1")).unwrap(),
        "old"
    );
    assert!(!target.join("aks-id.1").exists(), "all or nothing");
    let forced = run(&["man", "--out", path_str(&target), "--force"]);
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert!(
        fs::read_to_string(target.join("aks-id-show.1"))
            .unwrap()
            .contains(".TH aks-id-show 1")
    );
    assert_eq!(
        fs::read_to_string(target.join("other.1")).unwrap(),
        "someone else's page"
    );
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temporary folder left"
    );

    #[cfg(unix)]
    {
        let elsewhere = dir.path().join("elsewhere");
        fs::create_dir(&elsewhere).unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&elsewhere, &link).unwrap();
        let refused = run(&["man", "--out", path_str(&link), "--force"]);
        assert_clean_error(&refused, 2);
        assert!(
            refused
                .stderr
                .contains("is a symbolic link; refusing to write through it"),
            "{}",
            refused.stderr
        );
        assert_eq!(fs::read_dir(&elsewhere).unwrap().count(), 0);
        // A link where a page goes.
        fs::write(elsewhere.join("victim"), "keep").unwrap();
        fs::remove_file(target.join("aks-id-man.1")).unwrap();
        std::os::unix::fs::symlink(elsewhere.join("victim"), target.join("aks-id-man.1")).unwrap();
        let refused = run(&["man", "--out", path_str(&target), "--force"]);
        assert_clean_error(&refused, 2);
        assert_eq!(
            fs::read_to_string(elsewhere.join("victim")).unwrap(),
            "keep"
        );
    }
}

// --- Piped lines ---------------------------------------------------------------------------------

#[test]
fn more_piped_lines_than_questions_is_a_warning() {
    let answers = "workload\nkey-vault\n\n\n\n\n\n\n\n\n";
    let exact = run_stdin(&["advise", "-o", "json"], Some(answers));
    assert_eq!(exact.code, 0, "{}", exact.stderr);
    assert!(!exact.stderr.contains("warning"), "{}", exact.stderr);
    let extra = run_stdin(
        &["advise", "-o", "json"],
        Some(&format!("{answers}yes\n\nno\n")),
    );
    assert_eq!(extra.code, 0, "{}", extra.stderr);
    assert_eq!(extra.stdout, exact.stdout, "the extra lines change nothing");
    assert!(
        extra.stderr.ends_with(
            "aks-id: warning: stdin has 2 more lines than questions (from line 11); ignored (see `aks-id questions` for the order)\n"
        ),
        "{}",
        extra.stderr
    );
    // Trailing blank lines are no answers.
    let blank = run_stdin(&["advise", "-o", "json"], Some(&format!("{answers}\n\n")));
    assert!(!blank.stderr.contains("warning"), "{}", blank.stderr);
    // The same with --no-input, where prompts are not printed.
    let quiet = run_stdin(
        &["advise", "--no-input", "-o", "json"],
        Some(&format!("{answers}x\n")),
    );
    assert_eq!(
        quiet.stderr,
        "aks-id: warning: stdin has 1 more line than questions (from line 11); ignored (see `aks-id questions` for the order)\n"
    );
}

#[test]
fn a_pipe_left_open_after_the_answers_does_not_stall_the_advice() {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = aks_id_std()
        .args(["advise", "--no-input", "-o", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("aks-id starts");
    let mut stdin = child.stdin.take().unwrap();
    // One line per question (the interview waits for each), then the writer keeps the pipe
    // open: aks-id must finish anyway.
    stdin
        .write_all(b"workload\nkey-vault\n\n\n\n\n\n\n\n\n")
        .unwrap();
    stdin.flush().unwrap();
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > std::time::Duration::from_secs(30) {
            let _ = child.kill();
            panic!("aks-id waited for the end of a pipe that stays open");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    drop(stdin);
    assert!(status.success(), "{status:?}");
}

#[test]
fn a_question_answered_twice_on_the_command_line_is_an_error() {
    let err = fails(
        &[
            "advise",
            "--no-input",
            "scope=pod",
            "--set",
            "scope=workload",
        ],
        None,
    );
    assert_eq!(
        err,
        "aks-id: error: question `scope` is answered twice: --set scope=pod and --set scope=workload; give it once\n"
    );
    // A flag over the answers file is precedence, not a repeat.
    let doc = json(
        &[
            "advise",
            "--no-input",
            "-o",
            "json",
            "--answers",
            path_str(&example("pod-reads-key-vault.yaml")),
            "--set",
            "scope=workload",
        ],
        None,
        0,
    );
    assert_eq!(doc["answers"]["scope"], "workload");
}

/// `main.rs` defines `pow` so that the binary does not load `libm.so` at every start for
/// indicatif's one call: a dependency that starts calling another libm function would bring
/// the library back, unnoticed but for this test.
#[cfg(target_os = "linux")]
#[test]
fn the_binary_loads_no_libm() {
    let binary = assert_cmd::cargo::cargo_bin("aks-id");
    let out = std::process::Command::new("readelf")
        .arg("--dynamic")
        .arg(&binary)
        .output()
        .expect("readelf (binutils, installed with the C toolchain the build links with) runs");
    assert!(out.status.success(), "readelf failed: {out:?}");
    let dynamic = String::from_utf8_lossy(&out.stdout);
    let needed: Vec<&str> = dynamic.lines().filter(|l| l.contains("(NEEDED)")).collect();
    assert!(
        needed.iter().any(|l| l.contains("libc.so")),
        "the dynamic section lists the libraries: {dynamic}"
    );
    assert!(
        !needed.iter().any(|l| l.contains("libm.so")),
        "the binary needs libm.so again: {needed:#?}"
    );
}
