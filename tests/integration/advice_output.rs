//! What a person reads in `advise` (issue 8, section 2): one screen by default, each statement
//! once, every statement traceable to a cited source, contradictions named, and trade-offs only
//! where the answers make them relevant. Every check runs the binary on the example answers
//! files or on `--set` answers.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use crate::support::{advise_set, example_files, exported, path_str, run, run_stdin};

/// The exit code `advise` gives for an example (3 where no model fits).
fn expected_code(file: &Path) -> i32 {
    let name = file.file_name().unwrap().to_string_lossy();
    if name.contains("virtual-node-addon") || name.contains("other-kubernetes") {
        3
    } else {
        0
    }
}

/// `advise --answers FILE ARGS`: stdout, after checking the exit code.
fn advise_file(file: &Path, extra: &[&str]) -> String {
    let mut args = vec!["advise", "--answers", path_str(file)];
    args.extend_from_slice(extra);
    let out = run_stdin(&args, None);
    assert_eq!(
        out.code,
        expected_code(file),
        "{file:?} {extra:?}: {}",
        out.stderr
    );
    out.stdout
}

/// The sentences of a text: whitespace folded, citation marks dropped, split after `.`, `!`,
/// `?` or `;`. Only sentences of five words or more count: "excluded, for the reason above"
/// may well come twice, a statement may not.
fn sentences(text: &str) -> Vec<String> {
    let folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut plain = String::new();
    let mut chars = folded.chars().peekable();
    while let Some(c) = chars.next() {
        // `[12]` and `[^12]` citation marks.
        if c == '[' {
            let rest: String = chars.clone().take_while(|c| *c != ']').collect();
            let digits = rest.trim_start_matches('^');
            if !digits.is_empty() && digits.chars().all(|d| d.is_ascii_digit()) {
                for _ in 0..=rest.len() {
                    chars.next();
                }
                continue;
            }
        }
        plain.push(c);
    }
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = plain.chars().peekable();
    while let Some(c) = chars.next() {
        current.push(c);
        if matches!(c, '.' | '!' | '?' | ';') && chars.peek().is_none_or(|n| *n == ' ') {
            out.push(current.trim().to_owned());
            current.clear();
        }
    }
    out.push(current.trim().to_owned());
    out.retain(|s| s.split_whitespace().count() >= 5);
    out
}

/// Sentences that come more than once.
fn repeated(sentences: Vec<String>) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for s in sentences {
        *seen.entry(s).or_default() += 1;
    }
    let mut twice: Vec<String> = seen
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(s, _)| s)
        .collect();
    twice.sort();
    twice
}

/// Every string of a JSON document that a person reads, leaving out the sources (their titles
/// come once per statement they back, by design), ids, and the grantee (a field of each grant,
/// as data).
fn json_texts(value: &Value, key: &str, out: &mut Vec<String>) {
    match value {
        Value::String(s)
            if !matches!(key, "id" | "rule" | "url" | "date" | "checked" | "grantee") =>
        {
            out.push(s.clone());
        }
        Value::Array(items) => {
            for item in items {
                json_texts(item, key, out);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                if k != "sources" {
                    json_texts(v, k, out);
                }
            }
        }
        _ => {}
    }
}

#[test]
fn default_answers_fit_in_40_lines_at_width_100() {
    let out = run_stdin(&["advise", "--no-input", "--width", "100"], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines = out.stdout.lines().count();
    assert!(lines <= 40, "{lines} lines:\n{}", out.stdout);
    // The screen has what a person needs: the recommendation, its reason, the steps with their
    // commands, the caveats, the models not chosen, and the sources.
    for part in [
        "Recommendation: Microsoft Entra Workload ID",
        "What to do",
        "az aks update",
        "Caveats",
        "Not chosen",
        "AKS managed identity (cluster): excluded",
        "Sources (catalog as of",
    ] {
        assert!(out.stdout.contains(part), "{part}:\n{}", out.stdout);
    }
    // Scores are for --explain.
    assert!(!out.stdout.contains("score 35"), "{}", out.stdout);
    assert!(!out.stdout.contains("│ 35"), "{}", out.stdout);
}

#[test]
fn every_example_fits_in_under_60_lines_at_width_100() {
    let mut longest = (0, String::new());
    for file in example_files() {
        let text = advise_file(&file, &["--width", "100"]);
        let lines = text.lines().count();
        assert!(lines < 60, "{file:?}: {lines} lines:\n{text}");
        if lines > longest.0 {
            longest = (lines, text);
        }
    }
    assert!(
        longest.0 > 40,
        "the longest example says more than the default"
    );
}

#[test]
fn no_sentence_appears_twice_in_any_output() {
    let views: &[&[&str]] = &[
        &["--width", "100"],
        &["--width", "100", "--detail"],
        &["--width", "100", "--explain"],
        &["--width", "100", "--detail", "--explain"],
        &["-o", "markdown"],
        &["-o", "markdown", "--explain"],
    ];
    for file in example_files() {
        for view in views {
            let text = advise_file(&file, view);
            let twice = repeated(sentences(&text));
            assert!(twice.is_empty(), "{file:?} {view:?}: {twice:#?}\n{text}");
        }
        for format in ["json", "yaml"] {
            let text = advise_file(&file, &["-o", format]);
            let doc: Value = if format == "json" {
                serde_json::from_str(&text).unwrap()
            } else {
                serde_yaml::from_str(&text).unwrap()
            };
            let mut texts = Vec::new();
            json_texts(&doc, "", &mut texts);
            let all: Vec<String> = texts.iter().flat_map(|t| sentences(t)).collect();
            let twice = repeated(all);
            assert!(twice.is_empty(), "{file:?} {format}: {twice:#?}");
        }
    }
}

/// Every statement of a JSON advice with the list it belongs to.
fn statements(doc: &Value) -> Vec<(&'static str, &Value)> {
    let mut out = Vec::new();
    for (kind, list) in [
        ("reason", &doc["reasons"]),
        ("caveat", &doc["caveats"]),
        ("pro", &doc["tradeoffs"]["pros"]),
        ("con", &doc["tradeoffs"]["cons"]),
        ("grant", &doc["grants"]),
        ("step", &doc["next_steps"]),
    ] {
        for item in list.as_array().unwrap() {
            out.push((kind, item));
        }
    }
    out
}

#[test]
fn every_json_statement_has_a_source_with_url_and_dates() {
    let mut docs: Vec<(String, Value)> = Vec::new();
    for file in example_files() {
        let text = advise_file(&file, &["-o", "json"]);
        docs.push((format!("{file:?}"), serde_json::from_str(&text).unwrap()));
    }
    for sets in [
        &["cross_tenant=yes", "targets=acr,key-vault"][..],
        &["scope=cluster", "cluster_need=image-pull", "targets=acr"],
        &["platform=arc", "targets=storage"],
    ] {
        let (_, doc) = advise_set(sets);
        docs.push((format!("{sets:?}"), doc));
    }
    for (name, doc) in docs {
        let listed: Vec<&Value> = doc["sources"].as_array().unwrap().iter().collect();
        let mut count = 0;
        for (kind, item) in statements(&doc) {
            count += 1;
            let sources = item["sources"].as_array().unwrap();
            assert!(
                !sources.is_empty(),
                "{name}: a {kind} without a source: {item}"
            );
            for s in sources {
                let url = s["url"].as_str().unwrap();
                assert!(url.starts_with("https://"), "{name}: {s}");
                assert!(s["title"].is_string() && s["id"].is_string(), "{s}");
                // The page's own date, and when it was last read: never before that date.
                let date = s["date"].as_str().unwrap();
                let checked = s["checked"].as_str().unwrap();
                assert!(checked >= date, "{name}: {s}");
                assert!(listed.contains(&s), "{name}: {s} is in the sources list");
            }
        }
        assert!(count > 3, "{name}: statements");
    }
}

/// The numbers cited in a text (`[3]`, `[^3]`) and the numbers of its source list.
fn citations(text: &str, list_start: &str, mark: &str) -> (Vec<usize>, Vec<usize>) {
    let (body, list) = text
        .split_once(list_start)
        .unwrap_or_else(|| panic!("a source list after {list_start:?}:\n{text}"));
    let numbers = |s: &str, lead: &str| -> Vec<usize> {
        s.split(lead)
            .skip(1)
            .filter_map(|rest| rest.split(']').next()?.parse().ok())
            .collect()
    };
    let mut cited = numbers(body, mark);
    cited.sort_unstable();
    cited.dedup();
    let listed: Vec<usize> = list
        .lines()
        .filter_map(|l| {
            let l = l.trim_start();
            let n = l.strip_prefix(mark)?.split(']').next()?;
            n.parse().ok()
        })
        .collect();
    (cited, listed)
}

#[test]
fn footnote_numbers_resolve_to_listed_sources() {
    for file in example_files() {
        for view in [&["--width", "100"][..], &["--width", "100", "--detail"]] {
            let text = advise_file(&file, view);
            let (cited, listed) = citations(&text, "\nSources (catalog as of", "[");
            assert!(!cited.is_empty(), "{file:?}: nothing cited\n{text}");
            let expected: Vec<usize> = (1..=listed.len()).collect();
            assert_eq!(
                listed, expected,
                "{file:?} {view:?}: numbered from 1\n{text}"
            );
            assert_eq!(cited, listed, "{file:?} {view:?}: cited = listed\n{text}");
        }
        let md = advise_file(&file, &["-o", "markdown"]);
        let (cited, listed) = citations(&md, "\n## Sources", "[^");
        let expected: Vec<usize> = (1..=listed.len()).collect();
        assert_eq!(listed, expected, "{file:?}: markdown numbered from 1\n{md}");
        assert_eq!(cited, listed, "{file:?}: markdown cited = listed\n{md}");
        for line in md.split("\n## Sources").nth(1).unwrap().lines() {
            if line.starts_with("[^") {
                assert!(line.contains("](https://"), "{line}");
                assert!(
                    line.contains("page dated") && line.contains("checked"),
                    "{line}"
                );
            }
        }
    }
}

#[test]
fn detail_and_explain_show_the_extra_sections() {
    let plain = run_stdin(&["advise", "--no-input", "--width", "100"], None).stdout;
    let detail = run_stdin(
        &["advise", "--no-input", "--width", "100", "--detail"],
        None,
    )
    .stdout;
    let explain = run_stdin(
        &["advise", "--no-input", "--width", "100", "--explain"],
        None,
    )
    .stdout;
    for section in [
        "Why",
        "Trade-offs",
        "https://",
        "page dated",
        "Answers: scope=workload*",
    ] {
        assert!(
            !plain.contains(section),
            "{section} only with --detail:\n{plain}"
        );
        assert!(
            detail.contains(section),
            "{section} with --detail:\n{detail}"
        );
    }
    // Generic caveats (true of every Workload ID deployment) are on the second screen.
    let generic = "AADSTS70021";
    assert!(!plain.contains(generic) && detail.contains(generic));
    for section in [
        "Rules that fired (--explain)",
        "Ranking (--explain)",
        "score 35",
    ] {
        assert!(!plain.contains(section), "{section}:\n{plain}");
        assert!(!detail.contains(section), "{section}:\n{detail}");
        assert!(
            explain.contains(section),
            "{section} with --explain:\n{explain}"
        );
    }
    assert!(
        plain.contains("--detail") && plain.contains("--explain"),
        "{plain}"
    );
}

#[test]
fn contradictory_answers_are_named_in_a_warning_in_text_and_json() {
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["existing_pod_identity=yes", "node_os=windows"],
            &[
                "existing_pod_identity=yes",
                "node_os=windows",
                "cannot both be true",
            ],
        ),
        (
            &["platform=other", "virtual_nodes=addon"],
            &[
                "virtual_nodes=addon",
                "platform=other",
                "cannot both be true",
            ],
        ),
        (
            &["scope=cluster", "sdk=legacy-imds"],
            &["sdk", "scope=cluster", "not asked"],
        ),
        (
            &["scope=cluster", "service_accounts=40"],
            &["service_accounts", "scope=cluster", "not asked"],
        ),
    ];
    for (sets, says) in cases {
        let mut args = vec!["advise", "--no-input", "--width", "100"];
        for s in *sets {
            args.extend(["--set", s]);
        }
        let text = run_stdin(&args, None);
        assert!(
            text.stderr.starts_with("aks-id: warning: "),
            "{sets:?}: {}",
            text.stderr
        );
        for part in *says {
            assert!(
                text.stderr.contains(part),
                "{sets:?}: {part}: {}",
                text.stderr
            );
        }
        let (_, doc) = advise_set(sets);
        let warnings = doc["warnings"].as_array().unwrap();
        assert!(!warnings.is_empty(), "{sets:?}: {doc}");
        let all = serde_json::to_string(warnings).unwrap();
        for part in *says {
            assert!(all.contains(part), "{sets:?}: {part}: {all}");
        }
        for w in warnings {
            assert!(w["questions"].as_array().unwrap().len() >= 2, "{w}");
        }
    }
    // Answers that fit together: no warning.
    let (_, doc) = advise_set(&["existing_pod_identity=yes", "node_os=mixed"]);
    assert_eq!(doc["warnings"], serde_json::json!([]), "{doc}");
}

#[test]
fn tradeoffs_tied_to_an_answer_show_only_when_it_holds() {
    let across = "Works across tenants";
    let texts = |doc: &Value| doc["tradeoffs"].to_string();
    let (_, same) = advise_set(&["cross_tenant=no"]);
    assert!(!texts(&same).contains(across), "{}", texts(&same));
    let (_, other) = advise_set(&["cross_tenant=yes"]);
    assert!(texts(&other).contains(across), "{}", texts(&other));
    let detail = run_stdin(
        &["advise", "--no-input", "--detail", "--width", "100"],
        None,
    )
    .stdout;
    assert!(!detail.contains(across), "{detail}");
    // ACR integration is a plus of the cluster identity only where it is there to use.
    let attach = "ACR integration is one command";
    let (_, acr) = advise_set(&["scope=cluster", "cluster_need=image-pull", "targets=acr"]);
    assert!(texts(&acr).contains(attach), "{}", texts(&acr));
    let (_, arm) = advise_set(&["scope=cluster", "targets=arm"]);
    assert!(!texts(&arm).contains(attach), "{}", texts(&arm));
}

#[test]
fn json_statements_have_stable_ids_from_the_catalog() {
    let (_, a) = advise_set(&["targets=key-vault"]);
    let (_, b) = advise_set(&["targets=key-vault", "service_accounts=3"]);
    let ids = |doc: &Value| -> Vec<String> {
        statements(doc)
            .iter()
            .map(|(_, s)| s["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let first = ids(&a);
    let mut unique = first.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), first.len(), "ids are unique: {first:?}");
    // The same statement keeps its id whatever else the answers change.
    for id in &first {
        assert!(ids(&b).contains(id) || id.starts_with("steps-"), "{id}");
    }
    assert!(first.contains(&"targets/key-vault".to_owned()), "{first:?}");
    assert!(
        first
            .iter()
            .any(|id| id.contains("/caveats/") || !id.contains('/'))
    );
}

#[test]
fn rules_check_warns_on_two_statements_with_the_same_text() {
    let dir = exported();
    let rules = dir.path().join("rules.yaml");
    let text = std::fs::read_to_string(&rules).unwrap();
    // A second rule that repeats a caveat of the workload model word for word.
    let repeated = text.replace(
        "\nrules:\n",
        "\nrules:\n  - id: says-it-again\n    caveats:\n      - model: workload\n        text: A new federated credential takes seconds to minutes to propagate; early token requests fail with AADSTS70021, so retry with a delay.\n    sources: [wi-overview]\n",
    );
    assert_ne!(repeated, text, "the rule was added");
    std::fs::write(&rules, repeated).unwrap();
    let out = run(&["rules", "check", path_str(dir.path())]);
    assert_eq!(out.code, 0, "a warning, not an error: {}", out.stderr);
    assert!(
        out.stderr.contains("aks-id: warning: rules.yaml: rule `")
            && out.stderr.contains("says-it-again")
            && out.stderr.contains("propagate"),
        "{}",
        out.stderr
    );
    // The built-in catalog says each thing once.
    let builtin = run(&["rules", "check"]);
    assert_eq!(builtin.code, 0);
    assert!(builtin.stderr.is_empty(), "{}", builtin.stderr);
}

#[test]
fn every_example_first_screen_is_snapshotted() {
    for file in example_files() {
        let text = advise_file(&file, &["--width", "100"]);
        let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
        insta::assert_snapshot!(format!("first-screen-{stem}"), text);
    }
}
