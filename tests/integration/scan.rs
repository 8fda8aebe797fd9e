//! `aks-id scan`: every finding's detector against its own positive and negative fixture (and a
//! snapshot of its message), the catalog and the detectors naming the same ids, the SARIF output
//! against the OASIS SARIF 2.1.0 schema, the JSON shape, templates, broken files and exit codes.

use std::path::{Path, PathBuf};

use aks_id::catalog::builtin;
use aks_id::scan::{self, Config};

use crate::support::{run, run_cmd};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan")
}

fn scan_ids(path: &Path, only: &str) -> Vec<(String, String)> {
    let catalog = builtin::load().expect("the built-in catalog loads");
    let config = Config {
        paths: vec![path.to_path_buf()],
        namespace: "default".into(),
        only: vec![only.to_owned()],
        threads: 1,
        ..Config::default()
    };
    let report = scan::run(&catalog, &config).expect("scan runs");
    assert!(
        report.problems.is_empty(),
        "{}: {:?}",
        path.display(),
        report.problems
    );
    report
        .findings
        .iter()
        .map(|f| {
            (
                f.id.clone(),
                format!(
                    "{}:{} {} {}",
                    f.loc.line,
                    f.loc.column,
                    f.severity.as_str(),
                    f.message
                ),
            )
        })
        .collect()
}

#[test]
fn every_finding_has_a_detector_and_every_detector_has_metadata() {
    let catalog = builtin::load().expect("the built-in catalog loads");
    let meta: Vec<&str> = catalog.findings.iter().map(|f| f.id.as_str()).collect();
    let detectors: Vec<&str> = scan::findings::DETECTORS
        .iter()
        .map(|(id, _)| *id)
        .collect();
    for id in &meta {
        assert!(detectors.contains(id), "finding {id} has no detector");
    }
    for id in &detectors {
        assert!(
            meta.contains(id),
            "detector {id} has no entry in rules/findings.yaml"
        );
    }
    assert_eq!(meta, detectors, "the same ids in the same order");
}

#[test]
fn each_finding_fires_on_its_positive_fixture_and_not_on_its_negative_one() {
    let catalog = builtin::load().expect("the built-in catalog loads");
    for f in &catalog.findings {
        let dir = fixtures().join("findings").join(&f.id);
        let positive = dir.join("positive.yaml");
        let negative = dir.join("negative.yaml");
        assert!(
            positive.is_file() && negative.is_file(),
            "{} needs fixtures",
            f.id
        );
        let found = scan_ids(&positive, &f.id);
        assert!(
            found.iter().any(|(id, _)| id == &f.id),
            "{} does not fire on {}",
            f.id,
            positive.display()
        );
        let messages: Vec<String> = found.into_iter().map(|(_, m)| m).collect();
        insta::assert_snapshot!(format!("finding-{}", f.id), messages.join("\n"));
        let quiet = scan_ids(&negative, &f.id);
        assert!(
            quiet.is_empty(),
            "{} fires on {}: {quiet:?}",
            f.id,
            negative.display()
        );
    }
}

#[test]
fn sarif_output_validates_against_the_sarif_2_1_0_schema() {
    let schema_text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sarif/sarif-schema-2.1.0.json"),
    )
    .expect("the SARIF schema is committed");
    let schema: serde_json::Value = serde_json::from_str(&schema_text).expect("schema is JSON");
    let validator = jsonschema::draft4::new(&schema).expect("the SARIF schema compiles");
    let dir = fixtures().join("findings");
    let out = run(&[
        "scan",
        dir.to_str().expect("UTF-8 path"),
        "-o",
        "sarif",
        "--fail-on",
        "never",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let sarif: serde_json::Value = serde_json::from_str(&out.stdout).expect("SARIF is JSON");
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert!(results.len() > 32, "every positive fixture gives a result");
    let first = &results[0];
    assert!(first["partialFingerprints"]["aksIdFinding/v1"].is_string());
    assert!(first["locations"][0]["physicalLocation"]["region"]["startLine"].is_u64());
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    assert_eq!(rules.len(), 32);
}

#[test]
fn suppressed_findings_are_reported_as_suppressed_and_do_not_fail() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("app.yaml");
    std::fs::write(
        &file,
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  annotations:\n    aks-id/skip: \"wi-serviceaccount-not-found: the ServiceAccount comes from the platform repo\"\nspec:\n  template:\n    metadata:\n      labels:\n        azure.workload.identity/use: \"true\"\n    spec:\n      serviceAccountName: api\n      containers: [{name: app, image: a}]\n",
    )
    .expect("write");
    let path = file.to_str().expect("UTF-8");
    let out = run(&[
        "scan",
        path,
        "-o",
        "json",
        "--only",
        "wi-serviceaccount-not-found",
        "--complete",
    ]);
    assert_eq!(
        out.code, 0,
        "a suppressed error does not fail: {}",
        out.stdout
    );
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(
        json["findings"][0]["suppressed"]["reason"],
        "the ServiceAccount comes from the platform repo"
    );
    let sarif = run(&[
        "scan",
        path,
        "-o",
        "sarif",
        "--only",
        "wi-serviceaccount-not-found",
        "--complete",
    ]);
    let sarif: serde_json::Value = serde_json::from_str(&sarif.stdout).expect("JSON");
    assert_eq!(
        sarif["runs"][0]["results"][0]["suppressions"][0]["kind"],
        "inSource"
    );
}

#[test]
fn broken_and_templated_files_are_reported_and_the_scan_goes_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("a-broken.yaml"), "kind: Pod\nmetadata: [\n").expect("write");
    std::fs::write(
        dir.path().join("b-chart.yaml"),
        "kind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  template:\n    metadata:\n      labels:\n        {{- include \"labels\" . | nindent 8 }}\n        aadpodidbinding: {{ .Values.binding }}\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("c-ok.json"),
        "{\"kind\": \"List\", \"items\": [{\"kind\": \"Pod\",\t\"metadata\": {\"name\": \"p\", \"namespace\": \"x\"}, \"spec\": {\"containers\": []}}]}",
    )
    .expect("write");
    std::fs::write(dir.path().join("ignored.txt"), "kind: Pod\n").expect("write");
    let out = run_cmd(
        crate::support::aks_id()
            .args(["scan", ".", "-o", "json"])
            .current_dir(dir.path()),
    );
    assert_eq!(out.code, 1, "an unparsable input gives 1: {}", out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    insta::assert_json_snapshot!("scan-broken-and-templated", json);
}

#[test]
fn stdin_multi_document_dump_with_crlf_and_bom() {
    let dump = "\u{feff}apiVersion: v1\r\nkind: List\r\nitems:\r\n- apiVersion: v1\r\n  kind: ServiceAccount\r\n  metadata:\r\n    name: api\r\n    namespace: apps\r\n    annotations:\r\n      azure.workload.identity/client-id: 6d1f2f4a-8f3c-4a6b-9a57-1d2e3f4a5b6c\r\n- apiVersion: apps/v1\r\n  kind: Deployment\r\n  metadata:\r\n    name: api\r\n    namespace: apps\r\n  spec:\r\n    template:\r\n      metadata:\r\n        labels:\r\n          azure.workload.identity/use: \"true\"\r\n      spec:\r\n        serviceAccountName: api\r\n        containers: [{name: app, image: a}]\r\n---\r\napiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n  name: legacy\r\n  labels: {aadpodidbinding: legacy}\r\nspec:\r\n  containers: [{name: c, image: a}]\r\n";
    let out = run_cmd(
        crate::support::aks_id()
            .args(["scan", "-", "-o", "text", "--fail-on", "never", "--explain"])
            .write_stdin(dump),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!("scan-stdin-text", out.stdout);
}

#[test]
fn fail_on_sets_exit_code_4() {
    let positive = fixtures().join("findings/wi-label-missing/positive.yaml");
    let path = positive.to_str().expect("UTF-8");
    assert_eq!(run(&["scan", path, "-o", "json"]).code, 4);
    assert_eq!(
        run(&["scan", path, "-o", "json", "--fail-on", "never"]).code,
        0
    );
    let bad = run(&["scan", path, "--skip", "no-such-finding"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
}

#[test]
fn findings_command_lists_and_explains() {
    let list = run(&["findings"]);
    assert_eq!(list.code, 0);
    assert_eq!(
        list.stdout.lines().filter(|l| !l.starts_with(' ')).count(),
        32
    );
    let one = run(&["findings", "wi-label-missing"]);
    assert_eq!(one.code, 0);
    insta::assert_snapshot!("findings-explain-wi-label-missing", one.stdout);
}
