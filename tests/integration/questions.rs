//! `aks-id questions`: the questionnaire contract of design.md section 4, which scripts that pipe
//! answers rely on.

use serde_json::{Value, json};

use crate::support::*;

fn questions_json() -> Value {
    json(&["questions", "-o", "json"], None, 0)
}

fn ids(doc: &Value) -> Vec<&str> {
    doc["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_str().unwrap())
        .collect()
}

fn question<'v>(doc: &'v Value, id: &str) -> &'v Value {
    doc["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["id"] == id)
        .unwrap()
}

fn choice_ids(q: &Value) -> Vec<&str> {
    q["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect()
}

#[test]
fn questions_are_the_contract_ids_in_interview_order() {
    let doc = questions_json();
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(
        ids(&doc),
        [
            "scope",
            "cluster_need",
            "targets",
            "isolation",
            "node_os",
            "virtual_nodes",
            "sdk",
            "existing_pod_identity",
            "service_accounts",
            "platform",
            "cross_tenant",
        ]
    );
    for q in doc["questions"].as_array().unwrap() {
        for field in [
            "id",
            "prompt",
            "help",
            "kind",
            "choices",
            "default",
            "asked_when",
        ] {
            assert!(q.get(field).is_some(), "{} has {field}", q["id"]);
        }
        assert!(!q["prompt"].as_str().unwrap().is_empty());
        assert!(!q["help"].as_str().unwrap().is_empty());
        for c in q["choices"].as_array().unwrap() {
            assert!(c["label"].as_str().is_some_and(|l| !l.is_empty()), "{c}");
        }
    }
}

#[test]
fn kinds_choices_defaults_and_conditions_match_design_section_4() {
    let doc = questions_json();
    // (id, kind, choice ids, default, asked when)
    let contract: &[(&str, &str, &[&str], Value, &str)] = &[
        (
            "scope",
            "one_of",
            &["cluster", "pod", "workload"],
            json!("workload"),
            "always",
        ),
        (
            "cluster_need",
            "one_of",
            &["aks-infrastructure", "image-pull", "controller"],
            json!("aks-infrastructure"),
            "scope is cluster",
        ),
        (
            "targets",
            "any_of",
            &[
                "key-vault",
                "storage",
                "sql",
                "postgresql",
                "mysql",
                "cosmos-db",
                "service-bus",
                "event-hubs",
                "acr",
                "app-configuration",
                "arm",
                "other",
            ],
            json!([]),
            "always",
        ),
        ("isolation", "yes_no", &[], json!(true), "always"),
        (
            "node_os",
            "one_of",
            &["linux", "windows", "mixed"],
            json!("linux"),
            "always",
        ),
        (
            "virtual_nodes",
            "one_of",
            &["no", "addon", "aci"],
            json!("no"),
            "scope is not cluster",
        ),
        (
            "sdk",
            "one_of",
            &["current", "legacy-imds", "unknown"],
            json!("current"),
            "scope is not cluster",
        ),
        (
            "existing_pod_identity",
            "yes_no",
            &[],
            json!(false),
            "always",
        ),
        (
            "service_accounts",
            "number",
            &[],
            json!(1),
            "scope is not cluster",
        ),
        (
            "platform",
            "one_of",
            &["aks", "aks-automatic", "arc", "other"],
            json!("aks"),
            "always",
        ),
        ("cross_tenant", "yes_no", &[], json!(false), "always"),
    ];
    for (id, kind, choices, default, asked_when) in contract {
        let q = question(&doc, id);
        assert_eq!(q["kind"], *kind, "{id}");
        assert_eq!(choice_ids(q), *choices, "{id}");
        assert_eq!(q["default"], *default, "{id}");
        assert_eq!(q["asked_when"], *asked_when, "{id}");
    }
    let n = question(&doc, "service_accounts");
    assert_eq!(
        (n["min"].clone(), n["max"].clone()),
        (json!(1), json!(10000))
    );
}

#[test]
fn yaml_parses_to_the_same_document_as_json() {
    let out = run_stdin(&["questions", "-o", "yaml"], None);
    assert_eq!(out.code, 0);
    let from_yaml: Value = serde_yaml::from_str(&out.stdout).expect("questions -o yaml parses");
    assert_eq!(from_yaml, questions_json());
}

#[test]
fn the_table_is_snapshotted() {
    for width in [80, 100] {
        let out = run_stdin(&["questions", "--width", &width.to_string()], None);
        assert_eq!(out.code, 0);
        let text = out.stdout;
        for line in text.lines() {
            assert!(line.chars().count() <= width, "{width}: {line}");
        }
        insta::assert_snapshot!(format!("questions-table-{width}"), text);
    }
}
