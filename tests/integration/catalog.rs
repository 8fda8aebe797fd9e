//! The catalog: the built-in one validates and covers every file of `rules/`, and a broken
//! rules folder gets every problem reported as `FILE:LINE:COL: message` with exit 2.
//!
//! The bad catalogs are the built-in one exported into a temporary folder (so the fixtures never
//! drift from `rules/`) with one small edit each. Edits insert new entries right after a list's
//! key where they can, so the positions in the snapshots move only when a file's header does.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use crate::support::{
    aks_id, assert_clean_error, exported, locate, path_str, redact, replace, run, run_cmd,
};

#[test]
fn builtin_catalog_checks_ok() {
    let run = run(&["rules", "check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "");
    assert!(
        run.stdout.starts_with("built-in: ok (3 models, "),
        "{}",
        run.stdout
    );
}

#[test]
fn builtin_catalog_loads_through_the_library() {
    let catalog = aks_id::catalog::builtin::load().unwrap_or_else(|err| {
        let lines: Vec<String> = err.diagnostics.iter().map(|d| d.to_string()).collect();
        panic!("{err}:\n{}", lines.join("\n"))
    });
    assert_eq!(catalog.model_ids(), ["cluster", "pod", "workload"]);
    assert!(catalog.rows.len() >= 12, "{} rows", catalog.rows.len());
}

/// Every YAML file of `rules/` is embedded, and nothing else: a file added to the folder but not
/// to `builtin::FILES` would be silently left out of the binary.
#[test]
fn builtin_files_are_exactly_the_rules_folder() {
    fn walk(root: &Path, dir: &Path, found: &mut BTreeSet<String>) {
        for entry in fs::read_dir(dir).expect("rules/ is readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(root, &path, found);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                let rel = path.strip_prefix(root).expect("under rules/");
                found.insert(rel.to_str().expect("UTF-8").replace('\\', "/"));
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut on_disk = BTreeSet::new();
    walk(&root, &root, &mut on_disk);
    let embedded: BTreeSet<String> = aks_id::catalog::builtin::FILES
        .iter()
        .map(|(rel, _)| (*rel).to_owned())
        .collect();
    assert_eq!(on_disk, embedded);
    for required in [
        "catalog.yaml",
        "sources.yaml",
        "targets.yaml",
        "questions.yaml",
        "rules.yaml",
        "models/cluster.yaml",
        "models/pod.yaml",
        "models/workload.yaml",
    ] {
        assert!(embedded.contains(required), "{required} is embedded");
    }
}

#[test]
fn exported_catalog_checks_ok() {
    let dir = exported();
    let path = path_str(dir.path());
    for args in [
        vec!["--rules", path, "rules", "check"],
        vec!["rules", "check", path],
    ] {
        let run = run(&args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        assert_eq!(
            redact(&run.stdout, dir.path()),
            run_builtin_check().replacen("built-in", "[DIR]", 1)
        );
    }
}

fn run_builtin_check() -> String {
    run(&["rules", "check"]).stdout
}

/// Checks the broken folder `dir` and returns its diagnostics with the folder as `[DIR]`, after
/// asserting the shape of the report: exit 2, one `FILE:LINE:COL: message` per problem, then a
/// summary that counts them.
fn check(dir: &Path) -> String {
    let run = run_cmd(aks_id().args(["--rules", path_str(dir), "rules", "check"]));
    assert_clean_error(&run, 2);
    let stderr = redact(&run.stderr, dir);
    let lines: Vec<&str> = stderr.lines().collect();
    let (summary, problems) = lines.split_last().expect("some output");
    assert!(!problems.is_empty(), "at least one problem:\n{stderr}");
    let n = problems.len();
    let plural = if n == 1 { "" } else { "s" };
    assert_eq!(
        *summary,
        format!("aks-id: error: the catalog has {n} problem{plural}")
    );
    for line in problems {
        let rest = line
            .strip_prefix("[DIR]/")
            .unwrap_or_else(|| panic!("names a file in the folder: {line}"));
        let mut parts = rest.splitn(4, ':');
        let file = parts.next().unwrap_or_default();
        assert!(file.ends_with(".yaml"), "a YAML file: {line}");
        let numbers = (parts.next(), parts.next());
        let positioned = matches!(numbers, (Some(l), Some(c))
            if l.parse::<usize>().is_ok_and(|l| l > 0) && c.parse::<usize>().is_ok_and(|c| c > 0));
        assert!(positioned, "FILE:LINE:COL: message: {line}");
        assert!(
            parts
                .next()
                .is_some_and(|m| m.starts_with(' ') && m.len() > 1),
            "a message: {line}"
        );
    }
    stderr
}

/// The `FILE:LINE:COL: ` prefix of a diagnostic at `needle`, which occurs once in the file.
fn at(dir: &Path, rel: &str, needle: &str) -> String {
    at_sub(dir, rel, needle, needle)
}

/// The prefix of a diagnostic at `sub`, inside `unique` that occurs once in the file.
fn at_sub(dir: &Path, rel: &str, unique: &str, sub: &str) -> String {
    let (line, column) = locate(dir, rel, unique);
    let column = column + unique.find(sub).expect("sub in unique");
    format!("[DIR]/{rel}:{line}:{column}: ")
}

/// Inserts `entries` (YAML list items, two-space indented) first in the list `key` of `rel`.
fn insert_first(dir: &Path, rel: &str, key: &str, entries: &str) {
    replace(
        dir,
        rel,
        &format!("\n{key}:\n"),
        &format!("\n{key}:\n{entries}"),
    );
}

#[test]
fn broken_yaml_syntax() {
    let dir = exported();
    let d = dir.path();
    replace(
        d,
        "catalog.yaml",
        "tie_break: [workload, cluster, pod]",
        "tie_break: [workload, cluster, pod",
    );
    let stderr = check(d);
    // The parser notices the missing `]` at the `:` of the next key; the message says where the
    // list opened.
    let (open_line, open_col) = locate(d, "catalog.yaml", "[workload");
    let (rows_line, _) = locate(d, "catalog.yaml", "\nrows:");
    assert!(
        stderr.starts_with(&format!(
            "[DIR]/catalog.yaml:{}:5: invalid YAML: illegal placement of ':' indicator, inside the flow sequence opened at line {open_line} column {open_col}\n",
            rows_line + 1
        )),
        "{stderr}"
    );
    // One syntax error, one problem: no cascade of unknown rows from the model files.
    assert_eq!(stderr.lines().count(), 2, "{stderr}");
    insta::assert_snapshot!(stderr);
}

#[test]
fn unknown_key() {
    let dir = exported();
    let d = dir.path();
    replace(
        d,
        "catalog.yaml",
        "    label: Scope\n",
        "    label: Scope\n    colour: red\n",
    );
    let stderr = check(d);
    assert!(
        stderr.starts_with(&format!(
            "{}rows[1].colour: unknown field `colour`, expected `id` or `label`\n",
            at(d, "catalog.yaml", "colour")
        )),
        "{stderr}"
    );
    insta::assert_snapshot!(stderr);
}

#[test]
fn duplicate_ids() {
    let dir = exported();
    let d = dir.path();
    insert_first(
        d,
        "sources.yaml",
        "sources",
        "  - id: dup-source\n    title: First\n    url: https://example.com/1\n    as_of: \"2026-01\"\n\
         \x20 - id: dup-source\n    title: Second\n    url: https://example.com/2\n    as_of: \"2026-01\"\n",
    );
    fs::write(
        d.join("catalog.yaml"),
        fs::read_to_string(d.join("catalog.yaml")).unwrap()
            + "  - id: scope\n    label: Scope again\n",
    )
    .unwrap();
    let stderr = check(d);
    let (first, _) = locate(d, "sources.yaml", "title: First");
    let (second, _) = locate(d, "sources.yaml", "title: Second");
    let (again, _) = locate(d, "catalog.yaml", "Scope again");
    let expected = format!(
        "[DIR]/catalog.yaml:{}:9: duplicate row id `scope`\n\
         [DIR]/sources.yaml:{}:9: duplicate source id `dup-source` (first defined at line {})\n",
        again - 1,
        second - 1,
        first - 1,
    );
    assert!(stderr.starts_with(&expected), "{stderr}");
    insta::assert_snapshot!(stderr);
}

#[test]
fn dangling_references() {
    let dir = exported();
    let d = dir.path();
    insert_first(
        d,
        "targets.yaml",
        "targets",
        "  - id: test-target\n    name: Test target\n    access: azure-rbac\n    granted_in: {text: Somewhere, sources: [no-such-source]}\n    sources: [key-vault-rbac]\n",
    );
    replace(
        d,
        "catalog.yaml",
        "tie_break: [workload, cluster, pod]",
        "tie_break: [workload, cluster, pods]",
    );
    insert_first(
        d,
        "rules.yaml",
        "rules",
        "  - id: test-unknown-question\n    when: {question: no_such_question, equals: x}\n    reason: Test.\n    score: {workload: 1}\n    sources: [wi-overview]\n",
    );
    let stderr = check(d);
    for expected in [
        format!(
            "{}unknown model `pods` (models: cluster, pod, workload)",
            at_sub(d, "catalog.yaml", "pods]", "pods")
        ),
        format!(
            "{}tie_break must list every model; `pod` is missing",
            at_sub(d, "catalog.yaml", "tie_break: [", "[")
        ),
        format!(
            "{}unknown source `no-such-source` (not in sources.yaml)",
            at(d, "targets.yaml", "no-such-source")
        ),
        format!(
            "{}unknown question `no_such_question` (questions: scope, ",
            at(d, "rules.yaml", "no_such_question")
        ),
    ] {
        assert!(stderr.contains(&expected), "{expected}\nin:\n{stderr}");
    }
    assert_eq!(stderr.lines().count(), 5, "{stderr}");
    insta::assert_snapshot!(stderr);
}

#[test]
fn missing_row_value() {
    let dir = exported();
    let d = dir.path();
    fs::write(
        d.join("catalog.yaml"),
        fs::read_to_string(d.join("catalog.yaml")).unwrap()
            + "  - id: extra\n    label: Extra row\n",
    )
    .unwrap();
    for model in ["cluster", "workload"] {
        replace(
            d,
            &format!("models/{model}.yaml"),
            "\nvalues:\n",
            "\nvalues:\n  extra: {text: Extra, sources: [wi-overview]}\n",
        );
    }
    let stderr = check(d);
    // Reported at the `values` mapping of the model that lacks the row.
    let (values, _) = locate(d, "models/pod.yaml", "\nvalues:\n");
    assert_eq!(
        stderr.lines().next().unwrap(),
        format!(
            "[DIR]/models/pod.yaml:{}:3: missing a value for comparison row `extra`",
            values + 2
        )
    );
    insta::assert_snapshot!(stderr);
}

#[test]
fn wrong_types() {
    let dir = exported();
    let d = dir.path();
    insert_first(
        d,
        "sources.yaml",
        "sources",
        "  - id: numbered\n    title: 42\n    url: https://example.com/\n    as_of: \"2026-01\"\n",
    );
    insert_first(
        d,
        "rules.yaml",
        "rules",
        "  - id: test-exclude-string\n    reason: Test.\n    exclude: pod\n    sources: [wi-overview]\n",
    );
    let stderr = check(d);
    let expected = format!(
        "{}sources[0].title: invalid type: integer `42`, expected a string\n\
         {}rules[0].exclude: invalid type: string \"pod\", expected a sequence\n\
         aks-id: error: the catalog has 2 problems\n",
        at_sub(d, "sources.yaml", "title: 42", "42"),
        at_sub(d, "rules.yaml", "exclude: pod\n", "pod"),
    );
    assert_eq!(stderr, expected);
    insta::assert_snapshot!(stderr);
}

#[test]
fn conditions_must_fit_their_questions() {
    let dir = exported();
    let d = dir.path();
    insert_first(
        d,
        "rules.yaml",
        "rules",
        "  - id: test-yes-no-choice\n    when: {question: cross_tenant, equals: workload}\n    reason: Test.\n    score: {workload: 1}\n    sources: [wi-overview]\n\
         \x20 - id: test-yes-no-number\n    when: {question: cross_tenant, gt: 3}\n    reason: Test.\n    score: {workload: 1}\n    sources: [wi-overview]\n\
         \x20 - id: test-number-string\n    when: {question: service_accounts, equals: many}\n    reason: Test.\n    score: {workload: 1}\n    sources: [wi-overview]\n",
    );
    let stderr = check(d);
    let expected = format!(
        "{}`cross_tenant` is a yes_no question, so the string \"workload\" does not fit (expected true or false)\n\
         {}`gt` compares numbers, but `cross_tenant` is a yes_no question\n\
         {}`service_accounts` is a number question, so the string \"many\" does not fit (expected a whole number)\n\
         aks-id: error: the catalog has 3 problems\n",
        at_sub(d, "rules.yaml", "equals: workload}", "workload"),
        at_sub(d, "rules.yaml", "gt: 3}", "3"),
        at_sub(d, "rules.yaml", "equals: many}", "many"),
    );
    assert_eq!(stderr, expected);
    insta::assert_snapshot!(stderr);
}

#[test]
fn missing_file() {
    let dir = exported();
    fs::remove_file(dir.path().join("targets.yaml")).unwrap();
    let run = run_cmd(aks_id().args(["--rules", path_str(dir.path()), "rules", "check"]));
    assert_clean_error(&run, 2);
    // A missing file has no line to point at: FILE: message.
    assert_eq!(
        redact(&run.stderr, dir.path()),
        "[DIR]/targets.yaml: file is missing\naks-id: error: the catalog has 1 problem\n"
    );
}

#[test]
fn several_problems_in_different_files_are_all_reported_in_file_order() {
    let dir = exported();
    let d = dir.path();
    replace(
        d,
        "catalog.yaml",
        "tie_break: [workload, cluster, pod]",
        "tie_break: [workload, cluster, pods]",
    );
    insert_first(
        d,
        "sources.yaml",
        "sources",
        "  - id: numbered\n    title: 42\n    url: https://example.com/\n    as_of: \"2026-01\"\n",
    );
    replace(
        d,
        "models/pod.yaml",
        "\nvalues:\n",
        "\nvalues:\n  no_such_row: {text: Extra, sources: [wi-overview]}\n",
    );
    insert_first(
        d,
        "rules.yaml",
        "rules",
        "  - id: test-unknown-question\n    when: {question: no_such_question, equals: x}\n    reason: Test.\n    score: {workload: 1}\n    sources: [wi-overview]\n",
    );
    let stderr = check(d);
    let files: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("[DIR]/"))
        .map(|l| l.split(':').next().unwrap())
        .collect();
    assert_eq!(
        files,
        [
            "catalog.yaml",
            "catalog.yaml",
            "sources.yaml",
            "models/pod.yaml",
            "rules.yaml"
        ],
        "{stderr}"
    );
    assert!(stderr.contains(&at_sub(d, "catalog.yaml", "pods]", "pods")));
    assert!(stderr.contains(&at_sub(d, "sources.yaml", "title: 42", "42")));
    assert!(stderr.contains(&at(d, "models/pod.yaml", "no_such_row")));
    assert!(stderr.contains(&at(d, "rules.yaml", "no_such_question")));
    insta::assert_snapshot!(stderr);
}

#[test]
fn rule_grants_must_name_a_model_and_a_target_and_none_is_for_steps_only() {
    let dir = exported();
    let d = dir.path();
    insert_first(
        d,
        "rules.yaml",
        "rules",
        "  - id: test-bad-grants\n    grants:\n      - {model: workload, target: no-such-target, how: Somewhere.}\n      - {model: none, target: acr, how: Somewhere.}\n    steps:\n      - {model: none, text: What to do when no model fits.}\n    sources: [wi-overview]\n",
    );
    let stderr = check(d);
    for expected in [
        format!(
            "{}unknown target `no-such-target` (not in targets.yaml)",
            at(d, "rules.yaml", "no-such-target")
        ),
        format!(
            "{}unknown model `none` (models: cluster, pod, workload)",
            at(d, "rules.yaml", "none, target: acr")
        ),
    ] {
        assert!(stderr.contains(&expected), "{expected}\nin:\n{stderr}");
    }
    assert_eq!(
        stderr.lines().count(),
        3,
        "the `none` step is fine: {stderr}"
    );
}
