//! `compare`, `models`, `show` and `rules schema|export` through the real binary: every format,
//! the selection flags, the content of the seven original rows, and an exported catalog giving
//! the same output as the built-in one.

use std::fs;

use serde_json::Value;

use crate::support::{aks_id, assert_clean_error, exported, path_str, redact, run, run_cmd};

fn json(args: &[&str]) -> Value {
    let run = run(args);
    assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    assert_eq!(run.stderr, "");
    serde_json::from_str(&run.stdout).expect("valid JSON")
}

fn stdout(args: &[&str]) -> String {
    let run = run(args);
    assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    assert_eq!(run.stderr, "");
    run.stdout
}

/// The text of row `row` for model `model` in `compare -o json`.
fn cell<'a>(doc: &'a Value, row: &str, model: &str) -> &'a str {
    doc["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == row)
        .unwrap_or_else(|| panic!("row {row}"))["values"][model]
        .as_str()
        .unwrap_or_else(|| panic!("{row}/{model} is text"))
}

const ORIGINAL_ROWS: [&str; 7] = [
    "overview",
    "scope",
    "identity_type",
    "identity_location",
    "usage",
    "limitations",
    "configuration_complexity",
];

#[test]
fn the_seven_original_rows_are_there_for_every_model() {
    let doc = json(&["compare", "-o", "json"]);
    let ids: Vec<&str> = doc["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(ids.len() >= 12, "at least 12 rows: {ids:?}");
    assert_eq!(ids[..7], ORIGINAL_ROWS, "the original rows come first");
    for row in ORIGINAL_ROWS {
        for model in ["cluster", "pod", "workload"] {
            assert!(cell(&doc, row, model).len() > 10, "{row}/{model}");
        }
    }
}

#[test]
fn the_original_rows_are_corrected() {
    let doc = json(&["compare", "-o", "json"]);
    let lower = |row, model| cell(&doc, row, model).to_lowercase();

    // The cluster's identity is a managed identity, not "a service principal".
    let cluster_type = lower("identity_type", "cluster");
    assert!(cluster_type.contains("managed identit"), "{cluster_type}");
    assert!(
        !cluster_type.starts_with("service principal")
            && !cluster_type.starts_with("a service principal"),
        "{cluster_type}"
    );
    // Two identities: control plane and kubelet.
    let cluster_location = lower("identity_location", "cluster");
    assert!(
        cluster_location.contains("control plane") || cluster_location.contains("control-plane")
    );
    assert!(cluster_location.contains("kubelet"), "{cluster_location}");
    // Workload ID lives in no node, and has real limits.
    let workload_location = lower("identity_location", "workload");
    assert!(workload_location.contains("no node"), "{workload_location}");
    let workload_limits = lower("limitations", "workload");
    assert!(workload_limits.contains("20 "), "{workload_limits}");
    assert!(
        workload_limits.contains("federated") || workload_limits.contains("fic"),
        "{workload_limits}"
    );
    // Pod-managed identity is retired.
    let pod = doc["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "pod")
        .unwrap();
    assert_eq!(pod["status"], "retired");
}

#[test]
fn compare_table() {
    insta::assert_snapshot!(stdout(&["compare", "--width", "100"]));
}

#[test]
fn compare_table_keeps_to_its_width() {
    for width in ["60", "100", "140"] {
        let text = stdout(&["compare", "--width", width]);
        let max = text
            .lines()
            .take_while(|l| !l.is_empty())
            .map(|l| l.chars().count())
            .max()
            .unwrap();
        assert!(max <= width.parse().unwrap(), "width {width}: {max}");
    }
}

#[test]
fn compare_markdown() {
    let text = stdout(&["compare", "-o", "markdown"]);
    assert!(text.starts_with("| |"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn compare_json() {
    let text = stdout(&["compare", "-o", "json"]);
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["catalog"]["source"], "built-in");
    let models: Vec<(&str, &str)> = doc["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let keys: Vec<&str> = m.as_object().unwrap().keys().map(|k| k.as_str()).collect();
            assert_eq!(keys, ["id", "name", "status"]);
            (m["id"].as_str().unwrap(), m["status"].as_str().unwrap())
        })
        .collect();
    assert_eq!(
        models,
        [("cluster", "ga"), ("pod", "retired"), ("workload", "ga")]
    );
    // Rows in display order (catalog.yaml's), each with a text per model in model order.
    let catalog = aks_id::catalog::builtin::load().unwrap();
    let rows = doc["rows"].as_array().unwrap();
    assert_eq!(rows.len(), catalog.rows.len());
    for (row, expected) in rows.iter().zip(&catalog.rows) {
        assert_eq!(row["id"], expected.id.as_ref());
        assert_eq!(row["label"], &*expected.label);
        let keys: Vec<&str> = row["values"]
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        assert_eq!(keys, ["cluster", "pod", "workload"]);
    }
    insta::assert_snapshot!(text);
}

#[test]
fn compare_yaml_is_the_json_data() {
    let from_json = json(&["compare", "-o", "json"]);
    let text = stdout(&["compare", "-o", "yaml"]);
    let from_yaml: Value = serde_yaml::from_str(&text).expect("valid YAML");
    assert_eq!(from_yaml, from_json);
}

/// A minimal RFC 4180 reader: records of fields, quoted fields may hold commas, quotes and line
/// breaks.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => assert_eq!(chars.next(), Some('\n'), "CRLF line ends"),
            (false, '\n') => panic!("a bare LF ends a record"),
            (false, c) => field.push(c),
        }
        if !quoted && c == '\r' {
            record.push(std::mem::take(&mut field));
            records.push(std::mem::take(&mut record));
        }
    }
    assert!(
        field.is_empty() && record.is_empty(),
        "the last record ends"
    );
    records
}

#[test]
fn compare_csv() {
    let records = parse_csv(&stdout(&["compare", "-o", "csv"]));
    let doc = json(&["compare", "-o", "json"]);
    let (header, rows) = records.split_first().unwrap();
    assert_eq!(
        header,
        &["row", "label", "cluster", "pod", "workload", "sources"]
    );
    assert_eq!(rows.len(), doc["rows"].as_array().unwrap().len());
    for record in rows {
        assert_eq!(record.len(), 6, "{record:?}");
        assert_eq!(record[2], cell(&doc, &record[0], "cluster"));
        assert_eq!(record[4], cell(&doc, &record[0], "workload"));
        assert!(
            record[5].split(' ').all(|u| u.starts_with("https://")),
            "{record:?}"
        );
    }
}

#[test]
fn compare_selects_models_and_rows_in_the_order_given() {
    let doc = json(&[
        "compare",
        "--models",
        "workload,cluster",
        "--rows",
        "overview,scope",
        "-o",
        "json",
    ]);
    let models: Vec<&str> = doc["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(models, ["workload", "cluster"]);
    let rows = doc["rows"].as_array().unwrap();
    let ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["overview", "scope"]);
    for row in rows {
        let keys: Vec<&str> = row["values"]
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        assert_eq!(keys, ["workload", "cluster"]);
    }
    let csv = parse_csv(&stdout(&[
        "compare",
        "--models",
        "workload,cluster",
        "--rows",
        "scope",
        "-o",
        "csv",
    ]));
    assert_eq!(csv[0], ["row", "label", "workload", "cluster", "sources"]);
    assert_eq!(csv.len(), 2);
}

#[test]
fn compare_rejects_unknown_models_and_rows() {
    let run_ = run(&["compare", "--models", "workload,nope"]);
    assert_clean_error(&run_, 2);
    assert_eq!(
        run_.stderr,
        "aks-id: error: unknown model `nope` in --models (models: cluster, pod, workload)\n"
    );
    let run_ = run(&["compare", "--rows", "overview,nope"]);
    assert_clean_error(&run_, 2);
    assert!(
        run_.stderr.starts_with(
            "aks-id: error: unknown row `nope` in --rows (rows: overview, scope, identity_type, "
        ),
        "{}",
        run_.stderr
    );
    assert_eq!(run_.stderr.lines().count(), 1);
}

#[test]
fn models_table() {
    insta::assert_snapshot!(stdout(&["models"]));
}

#[test]
fn models_json() {
    let doc = json(&["models", "-o", "json"]);
    assert_eq!(doc["schema_version"], 1);
    let models: Vec<(&str, &str)> = doc["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            assert!(m["name"].as_str().is_some_and(|n| !n.is_empty()));
            assert!(m["summary"].as_str().is_some_and(|n| !n.is_empty()));
            (m["id"].as_str().unwrap(), m["status"].as_str().unwrap())
        })
        .collect();
    assert_eq!(
        models,
        [("cluster", "ga"), ("pod", "retired"), ("workload", "ga")]
    );
}

#[test]
fn show_workload_text() {
    insta::assert_snapshot!(stdout(&["show", "workload", "--width", "100"]));
}

#[test]
fn show_pod_markdown() {
    insta::assert_snapshot!(stdout(&["show", "pod", "-o", "markdown"]));
}

#[test]
fn show_cluster_json() {
    let doc = json(&["show", "cluster", "-o", "json"]);
    assert_eq!(doc["id"], "cluster");
    assert_eq!(doc["name"], "AKS managed identity");
    assert_eq!(doc["status"]["state"], "ga");
    let values = doc["values"].as_object().unwrap();
    for row in ORIGINAL_ROWS {
        assert!(values[row]["text"].is_string(), "{row}");
    }
}

#[test]
fn show_rejects_an_unknown_model() {
    let run = run(&["show", "nope"]);
    assert_clean_error(&run, 2);
    assert_eq!(
        run.stderr,
        "aks-id: error: unknown model `nope` (models: cluster, pod, workload)\n"
    );
}

#[test]
fn rules_schema_is_json_schema() {
    let schema = json(&["rules", "schema"]);
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    let defs = schema["$defs"].as_object().expect("$defs");
    for name in ["Fact", "Source", "Row", "Condition"] {
        assert!(defs.contains_key(name), "$defs.{name}");
    }
    assert_eq!(schema["anyOf"].as_array().unwrap().len(), 8);
}

/// `catalog.source` is the one field that tells the built-in catalog from a folder.
fn without_source(mut doc: Value) -> Value {
    doc["catalog"]["source"] = Value::Null;
    doc
}

#[test]
fn an_exported_catalog_gives_the_same_comparison() {
    let dir = exported();
    let path = path_str(dir.path());
    let builtin = json(&["compare", "-o", "json"]);
    let folder = json(&["--rules", path, "compare", "-o", "json"]);
    assert_eq!(folder["catalog"]["source"], path);
    assert_eq!(without_source(folder), without_source(builtin.clone()));

    let builtin_md = stdout(&["compare", "-o", "markdown"]);
    let folder_md = stdout(&["--rules", path, "compare", "-o", "markdown"]);
    assert_ne!(builtin_md, folder_md, "the source line differs");
    assert_eq!(
        folder_md.replace(&format!("({path})"), "(built-in)"),
        builtin_md
    );

    // AKS_ID_RULES is --rules.
    let run = run_cmd(
        aks_id()
            .env("AKS_ID_RULES", path)
            .args(["compare", "-o", "json"]),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let from_env: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(from_env["catalog"]["source"], path);
    assert_eq!(without_source(from_env), without_source(builtin));
}

#[test]
fn an_edited_export_changes_the_output() {
    // The folder is really read: an edit shows up.
    let dir = exported();
    crate::support::replace(
        dir.path(),
        "catalog.yaml",
        "label: Overview",
        "label: In short",
    );
    let doc = json(&["--rules", path_str(dir.path()), "compare", "-o", "json"]);
    assert_eq!(doc["rows"][0]["label"], "In short");
}

#[test]
fn export_refuses_to_overwrite_unless_forced() {
    let dir = exported();
    let path = path_str(dir.path());
    let catalog = dir.path().join("catalog.yaml");
    fs::write(&catalog, "# mine\n").unwrap();
    let run_ = run(&["rules", "export", path]);
    assert_clean_error(&run_, 2);
    let stderr = redact(&run_.stderr, dir.path());
    assert!(
        stderr.starts_with("aks-id: error: refusing to overwrite existing files (use --force to replace them): [DIR]/catalog.yaml, [DIR]/sources.yaml, "),
        "{stderr}"
    );
    assert!(stderr.contains("[DIR]/models/workload.yaml"), "{stderr}");
    assert_eq!(
        fs::read_to_string(&catalog).unwrap(),
        "# mine\n",
        "unchanged"
    );

    let run_ = run(&["rules", "export", "--force", path]);
    assert_eq!(run_.code, 0, "{}", run_.stderr);
    assert_eq!(
        redact(&run_.stdout, dir.path()).lines().next(),
        Some("wrote [DIR]/catalog.yaml")
    );
    assert_eq!(
        fs::read_to_string(&catalog).unwrap(),
        aks_id::catalog::builtin::FILES[0].1
    );
}

#[test]
fn export_writes_every_builtin_file() {
    let dir = exported();
    for (rel, text) in aks_id::catalog::builtin::FILES {
        assert_eq!(
            fs::read_to_string(dir.path().join(rel)).unwrap(),
            *text,
            "{rel}"
        );
    }
}

/// Placeholders such as `<selector>` must show as written: outside code blocks, the Markdown has
/// no raw HTML but the `<br>` line breaks of table cells.
fn assert_no_raw_html(markdown: &str) {
    let mut in_code = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if !in_code {
            let rest = line.replace("<br>", "");
            assert!(!rest.contains('<'), "raw HTML in: {line}");
        }
    }
}

#[test]
fn markdown_shows_placeholders_as_written() {
    let table = stdout(&["compare", "-o", "markdown"]);
    assert_no_raw_html(&table);
    assert!(table.contains("aadpodidbinding: &lt;selector&gt;"));
    for model in ["cluster", "pod", "workload"] {
        assert_no_raw_html(&stdout(&["show", model, "-o", "markdown"]));
    }
}
