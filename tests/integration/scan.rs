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
                f.id.to_owned(),
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
    let meta: Vec<&str> = catalog.findings.iter().map(|f| f.id.as_ref()).collect();
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
        let dir = fixtures().join("findings").join(&*f.id);
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

#[test]
fn gitignored_files_are_skipped_unless_no_ignore() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join(".gitignore"), "generated/\n").expect("write");
    std::fs::create_dir(dir.path().join("generated")).expect("mkdir");
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers: [{name: c, image: i}]\n";
    std::fs::write(dir.path().join("generated/pod.yaml"), pod).expect("write");
    std::fs::write(
        dir.path().join("pod.yml"),
        pod.replace("name: p", "name: q"),
    )
    .expect("write");
    let workloads = |extra: &[&str]| {
        let mut args = vec!["scan", ".", "-o", "json"];
        args.extend_from_slice(extra);
        let out = run_cmd(crate::support::aks_id().args(&args).current_dir(dir.path()));
        assert_eq!(out.code, 0, "{}", out.stderr);
        let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
        json["workloads"]
            .as_array()
            .expect("workloads")
            .iter()
            .map(|w| w["name"].as_str().unwrap_or_default().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(workloads(&[]), ["q"]);
    assert_eq!(workloads(&["--no-ignore"]), ["p", "q"]);
}

#[test]
fn markdown_and_yaml_outputs() {
    let positive = fixtures().join("findings/pi-binding-dangling/positive.yaml");
    let dir = positive.parent().expect("folder");
    let md = run_cmd(
        crate::support::aks_id()
            .args([
                "scan",
                "positive.yaml",
                "-o",
                "markdown",
                "--fail-on",
                "never",
            ])
            .current_dir(dir),
    );
    assert_eq!(md.code, 0, "{}", md.stderr);
    insta::assert_snapshot!("scan-markdown", md.stdout);
    let yaml = run_cmd(
        crate::support::aks_id()
            .args(["scan", "positive.yaml", "-o", "yaml", "--fail-on", "never"])
            .current_dir(dir),
    );
    assert_eq!(yaml.code, 0, "{}", yaml.stderr);
    assert!(
        yaml.stdout.starts_with("schema_version: 1\n"),
        "{}",
        yaml.stdout
    );
}

#[test]
fn untrusted_names_reach_the_terminal_escaped() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("evil.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"evil\\e[31m\\u202e\"\n  labels:\n    aadpodidbinding: x\nspec:\n  containers: [{name: c, image: i}]\n",
    )
    .expect("write");
    let out = run_cmd(
        crate::support::aks_id()
            .args(["scan", "evil.yaml", "--fail-on", "never"])
            .current_dir(dir.path()),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stdout.contains('\u{1b}') && !out.stdout.contains('\u{202e}'));
    assert!(
        out.stdout.contains("evil\\u{1b}[31m\\u{202e}"),
        "{}",
        out.stdout
    );
}

#[test]
fn each_workload_gets_its_mechanism_and_webhooks_crds_and_policies_are_not_workloads() {
    let file = fixtures().join("mechanisms/cluster.yaml");
    let out = run(&[
        "scan",
        file.to_str().expect("UTF-8"),
        "-o",
        "json",
        "--fail-on",
        "never",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    let got: Vec<(String, String)> = json["workloads"]
        .as_array()
        .expect("workloads")
        .iter()
        .map(|w| {
            (
                format!(
                    "{} {}",
                    w["kind"].as_str().unwrap(),
                    w["name"].as_str().unwrap()
                ),
                w["mechanism"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let want = [
        ("Deployment orders", "workload-identity"),
        ("StatefulSet ledger", "pod-identity"),
        ("CronJob report", "node-identity"),
        ("DaemonSet shipper", "secret"),
        ("ReplicationController legacy", "node-identity"),
        ("Job migrate", "none"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(w, m)| ((*w).to_owned(), (*m).to_owned()))
        .collect();
    assert_eq!(got, want);
    let roles: Vec<&str> = json["objects"]
        .as_array()
        .expect("objects")
        .iter()
        .map(|o| o["role"].as_str().unwrap())
        .collect();
    assert_eq!(
        roles,
        [
            "workload-identity-service-account",
            "secret-provider-class",
            "workload-identity-webhook"
        ]
    );
}

#[test]
fn json_output_is_exactly_serde_json_pretty_output_in_input_order() {
    // More workloads and findings than one rendering batch, so that the items are rendered in
    // parallel pieces; the text must still be what serde_json's pretty printer writes.
    let dir = tempfile::tempdir().expect("temp dir");
    for i in 0..700 {
        let labels = if i % 2 == 0 {
            "      labels:\n        azure.workload.identity/use: \"true\"\n"
        } else {
            "      labels:\n        aadpodidbinding: \"legacy\"\n"
        };
        let skip = if i % 7 == 0 {
            "  annotations:\n    aks-id/skip: \"pi-workload-uses-pod-identity: migrating; wi-serviceaccount-not-found: elsewhere\"\n"
        } else {
            ""
        };
        std::fs::write(
            dir.path().join(format!("w{i:04}.yaml")),
            format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: \"app-{i}\\u00e9\\t\"\n  namespace: team{}\n{skip}spec:\n  template:\n    metadata:\n{labels}    spec:\n      serviceAccountName: sa{i}\n      nodeSelector:\n        kubernetes.io/os: linux\n      containers:\n      - name: c\n        image: a\n",
                i % 5
            ),
        )
        .expect("write");
    }
    std::fs::write(dir.path().join("x-broken.yaml"), "kind: Pod\nmetadata: [\n").expect("write");
    let out = run_cmd(
        crate::support::aks_id()
            .args(["scan", ".", "-o", "json"])
            .current_dir(dir.path()),
    );
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(json["workloads"].as_array().map(Vec::len), Some(700));
    assert!(json["findings"].as_array().map_or(0, Vec::len) > 700);
    assert_eq!(json["objects"], serde_json::json!([]));
    assert!(json["summary"]["findings"]["suppressed"].as_u64() > Some(0));
    assert!(json["workloads"][0]["advice"]["inferred_answers"].is_object());
    let pretty = serde_json::to_string_pretty(&json).expect("serializes") + "\n";
    assert!(
        out.stdout == pretty,
        "the JSON text is not serde_json's pretty layout"
    );
    assert_eq!(
        json["workloads"][1]["name"], "app-1\u{e9}\t",
        "input order, escapes read back"
    );
}

#[test]
fn a_labelled_service_account_is_an_error_only_when_none_of_its_own_pods_has_the_label() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let sa = |ns: &str, name: &str| {
        format!(
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {name}\n  namespace: {ns}\n  \
             labels:\n    azure.workload.identity/use: \"true\"\n"
        )
    };
    let deploy = |ns: &str, name: &str, sa: &str, labelled: bool| {
        let label = if labelled {
            "\n        azure.workload.identity/use: \"true\""
        } else {
            ""
        };
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: {ns}\n\
             spec:\n  template:\n    metadata:\n      labels:\n        app: {name}{label}\n    \
             spec:\n      serviceAccountName: {sa}\n      containers:\n        - name: app\n          \
             image: example.azurecr.io/app:1\n"
        )
    };
    let docs = [
        // Used by an unlabelled pod only: nothing is mutated.
        sa("a", "api"),
        deploy("a", "api", "api", false),
        // Used by one labelled and one unlabelled pod: only a warning.
        sa("b", "api"),
        deploy("b", "one", "api", true),
        deploy("b", "two", "api", false),
        // Unused here; the unlabelled pod of that name runs in another namespace.
        sa("c", "api"),
    ];
    std::fs::write(dir.path().join("all.yaml"), docs.join("---\n")).expect("write");
    let found = scan_ids(dir.path(), "wi-label-on-serviceaccount");
    let severities: Vec<&str> = found
        .iter()
        .map(|(_, text)| text.split(' ').nth(1).unwrap_or_default())
        .collect();
    assert_eq!(severities, ["error", "warning", "warning"], "{found:#?}");
    assert!(found[0].1.contains("ServiceAccount a/api"), "{found:#?}");
    assert!(found[0].1.contains("so none is mutated"), "{found:#?}");
    assert!(
        found[1].1.contains("put it on the pod templates"),
        "{found:#?}"
    );
}
