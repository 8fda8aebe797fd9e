//! `aks-id migrate`: the generated folder of each fixture as a golden snapshot, the scripts
//! through shellcheck and `bash -n` and run against recording `az`/`kubectl` stand-ins, the YAML
//! parsed, hostile names refused or inert, the output folder's rules, and the round trip that
//! matters: the patches applied to the inputs, then `scan` finds no Workload ID wiring error on
//! the converted workloads.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use aks_id::catalog::{Severity, builtin};
use aks_id::scan::{self, Config};
use tempfile::TempDir;

use crate::support::{aks_id, path_str, run, run_cmd};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `aks-id migrate FIXTURE --out TMP/out ARGS` from the crate root (so the paths in the
/// plan are relative and stable) and returns the run and the output folder.
fn migrate(fixture: &str, args: &[&str]) -> (crate::support::Run, TempDir) {
    let tmp = TempDir::new().expect("a temporary folder");
    let out = tmp.path().join("out");
    let mut cmd = aks_id();
    cmd.current_dir(root())
        .arg("migrate")
        .arg(format!("tests/fixtures/migrate/{fixture}"))
        .arg("--out")
        .arg(&out)
        .args(args);
    (run_cmd(&mut cmd), tmp)
}

/// Every file of a folder, relative path to text, in order.
fn folder(dir: &Path) -> BTreeMap<String, String> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        for entry in fs::read_dir(dir).expect("readable folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                let rel = path
                    .strip_prefix(base)
                    .expect("inside")
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, fs::read_to_string(&path).expect("UTF-8 file"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// The folder as one text: each file under a header, for one snapshot per fixture.
fn golden(dir: &Path) -> String {
    folder(dir)
        .iter()
        .map(|(rel, text)| format!("=== {rel} ===\n{text}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn shellcheck_and_bash_n(dir: &Path) {
    for script in ["commands.sh", "cleanup.sh"] {
        let path = dir.join(script);
        let bash = std::process::Command::new("bash")
            .arg("-n")
            .arg(&path)
            .output()
            .expect("bash runs");
        assert!(
            bash.status.success(),
            "bash -n {script}: {}",
            String::from_utf8_lossy(&bash.stderr)
        );
        match std::process::Command::new("shellcheck").arg(&path).output() {
            Ok(out) => assert!(
                out.status.success(),
                "shellcheck {script}:\n{}",
                String::from_utf8_lossy(&out.stdout)
            ),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                eprintln!(
                    "note: shellcheck is not installed; {script} checked with bash -n only (CI installs it)"
                );
            }
            Err(e) => panic!("shellcheck: {e}"),
        }
    }
}

fn yaml_documents(text: &str) -> Vec<serde_yaml::Value> {
    use serde::Deserialize;
    serde_yaml::Deserializer::from_str(text)
        .map(|doc| serde_yaml::Value::deserialize(doc).expect("generated YAML parses"))
        .filter(|v| !v.is_null())
        .collect()
}

fn check_outputs(dir: &Path) {
    shellcheck_and_bash_n(dir);
    for (rel, text) in folder(dir) {
        if rel.ends_with(".yaml") {
            let docs = yaml_documents(&text);
            assert!(!docs.is_empty(), "{rel} holds a document");
        }
        if rel == "plan.json" {
            let plan: serde_json::Value = serde_json::from_str(&text).expect("plan.json parses");
            assert_eq!(plan["schema_version"], 1);
        }
    }
}

#[test]
fn cluster_fixture_golden_folder() {
    let (run, tmp) = migrate(
        "cluster",
        &[
            "--resource-group",
            "rg-aks",
            "--cluster",
            "aks-prod",
            "--tenant-id",
            "cccccccc-0000-0000-0000-000000000003",
            "--issuer",
            "https://eastus.oic.prod-aks.azure.com/cccccccc-0000-0000-0000-000000000003/dddddddd-0000-0000-0000-000000000004/",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = tmp.path().join("out");
    check_outputs(&out);
    insta::assert_snapshot!(
        "migrate-cluster-stdout",
        run.stdout.replace(path_str(tmp.path()), "TMP")
    );
    insta::assert_snapshot!("migrate-cluster-stderr", run.stderr);
    insta::assert_snapshot!("migrate-cluster-folder", golden(&out));
}

#[test]
fn cluster_fixture_decisions() {
    let (run, tmp) = migrate("cluster", &["--cluster", "aks"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let plan: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(tmp.path().join("out/plan.json")).unwrap())
            .unwrap();
    let path_of = |name: &str| {
        plan["workloads"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["name"] == name)
            .map(|w| {
                (
                    w["path"].as_str().unwrap().to_owned(),
                    w["service_account"].as_str().unwrap().to_owned(),
                )
            })
    };
    let manual_reason = |name: &str| {
        plan["manual"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == name)
            .map(|m| m["reason"].as_str().unwrap().to_owned())
            .unwrap_or_else(|| panic!("{name} is a manual step"))
    };
    // Scaled to zero and the CronJob are planned like any other, sharing one ServiceAccount.
    assert_eq!(
        path_of("orders-worker"),
        Some(("sdk".into(), "orders-wi".into()))
    );
    assert_eq!(
        path_of("orders-report"),
        Some(("sdk".into(), "orders-wi".into()))
    );
    assert_eq!(
        path_of("orders-api"),
        Some(("sdk".into(), "orders-wi".into()))
    );
    // Cluster-wide matching; its own ServiceAccount is kept.
    assert_eq!(
        path_of("orders-cache"),
        Some(("sdk".into(), "cache".into()))
    );
    // Legacy SDK on Linux: the proxy, on a port the pod does not use.
    assert_eq!(
        path_of("billing-sync"),
        Some(("proxy".into(), "billing-wi".into()))
    );
    assert!(manual_reason("billing-win").contains("Windows"));
    assert!(manual_reason("billing-agent").contains("hostNetwork"));
    assert!(manual_reason("node-agent").contains("AzurePodIdentityException"));
    assert!(manual_reason("reports-elsewhere").contains("only bindings of other namespaces"));
    assert!(manual_reason("old-app").contains("pre-v1.6.0"));
    assert!(manual_reason("ledger-legacy").contains("several identities"));
    assert!(manual_reason("payments-api").contains("already carries client-id"));
    let ledger = plan["workloads"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["name"] == "ledger")
        .unwrap();
    assert_eq!(ledger["identities"].as_array().unwrap().len(), 2);
    // Type 1 is federated on its app registration.
    let commands = fs::read_to_string(tmp.path().join("out/commands.sh")).unwrap();
    assert_eq!(
        commands
            .matches("az ad app federated-credential create")
            .count(),
        1
    );
    assert_eq!(
        commands
            .matches("az identity federated-credential create")
            .count(),
        plan["credentials"].as_array().unwrap().len() - 1
    );
    // The SecretProviderClass leaves pod identity.
    let spc = fs::read_to_string(
        tmp.path()
            .join("out/manifests/patches/billing.secretproviderclass.billing-kv.yaml"),
    )
    .unwrap();
    assert!(
        spc.contains("usePodIdentity: null")
            && spc.contains("clientID: \"bbbbbbbb-0000-0000-0000-000000000002\"")
    );
}

#[test]
fn the_cap_refuses_an_identity_over_twenty_subjects_and_warns_from_sixteen() {
    let (run, tmp) = migrate("cap", &["--cluster", "aks", "--resource-group", "rg"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = tmp.path().join("out");
    check_outputs(&out);
    assert!(
        run.stderr
            .contains("platform-id would need 25 federated credentials, over the cap of 20")
    );
    assert!(run.stderr.contains("metrics-id needs 17 of its 20"));
    let commands = fs::read_to_string(out.join("commands.sh")).unwrap();
    assert!(
        !commands.contains("'platform-id'"),
        "no credential on the identity over the cap"
    );
    assert_eq!(
        commands
            .matches("az identity federated-credential create")
            .count(),
        17
    );
    insta::assert_snapshot!("migrate-cap-folder", golden(&out));
}

/// A stand-in for `az` and `kubectl` that records each call's arguments, one per line, with
/// the bytes each argument arrived with.
fn recording_bin(dir: &Path) -> PathBuf {
    let bin = dir.join("bin");
    fs::create_dir_all(&bin).unwrap();
    let log = dir.join("calls.log");
    for tool in ["az", "kubectl"] {
        let script = format!(
            "#!/usr/bin/env bash\n{{ printf '%s' '{tool}'; for a in \"$@\"; do printf ' <%s>' \"$a\"; done; echo; }} >> '{}'\n\
             case \"$*\" in\n  *'aks show'*oidcIssuerProfile.issuerUrl*) echo 'https://issuer.example/t/c/' ;;\n  *'aks show'*) printf 'true\\ntrue\\n' ;;\n  *' show '*) exit 3 ;;\nesac\n",
            log.display()
        );
        let path = bin.join(tool);
        fs::write(&path, script).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
        }
    }
    bin
}

#[test]
fn hostile_names_are_refused_with_their_place_or_reach_commands_byte_for_byte() {
    // The inputs under a folder whose name is itself hostile.
    let tmp = TempDir::new().unwrap();
    let inputs = tmp.path().join("in $(touch pwned) `id` 'q'");
    fs::create_dir_all(&inputs).unwrap();
    fs::copy(
        root().join("tests/fixtures/migrate/hostile/hostile.yaml"),
        inputs.join("hostile.yaml"),
    )
    .unwrap();
    let out = tmp.path().join("out");
    let run = run(&[
        "migrate",
        path_str(&inputs),
        "--out",
        path_str(&out),
        "--cluster",
        "aks",
        "--resource-group",
        "rg(prod)",
    ]);
    assert_eq!(run.code, 2, "refused values exit 2: {}", run.stderr);
    for (needle, rule) in [
        (
            "hostile.yaml:12:13: `aaaaaaaa-0000-0000-0000-000000000020`id``",
            "is not a GUID",
        ),
        ("`api$(touch /tmp/pwned)`", "is not a DNS-1123 subdomain"),
        ("`team b`", "is not a DNS-1123 label"),
        ("`sa with space`id``", "is not a DNS-1123 subdomain"),
        ("\\nnext`", "is not a label value"),
    ] {
        assert!(
            run.stderr
                .lines()
                .any(|l| l.starts_with("aks-id: refused: ")
                    && l.contains(needle)
                    && l.contains(rule)),
            "{needle} {rule}:\n{}",
            run.stderr
        );
    }
    check_outputs(&out);
    let files = folder(&out);
    for (rel, text) in &files {
        if rel == "README.md" || rel == "plan.json" {
            continue;
        }
        for bad in [
            "$(touch",
            "`id`",
            "reboot",
            "team b",
            "aaaaaaaa-0000-0000-0000-000000000020",
        ] {
            assert!(!text.contains(bad), "{rel} holds {bad}");
        }
    }
    assert!(!tmp.path().join("pwned").exists());

    // The one converted workload's resource group `rg(prod).v1` and --resource-group `rg(prod)`
    // reach the commands exactly.
    let bin = recording_bin(tmp.path());
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let status = std::process::Command::new("bash")
        .arg(out.join("commands.sh"))
        .env("PATH", &path)
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let calls = fs::read_to_string(tmp.path().join("calls.log")).unwrap();
    assert!(
        calls.contains("az <aks> <show> <--resource-group> <rg(prod)> <--name> <aks>"),
        "{calls}"
    );
    assert!(calls.contains("az <identity> <federated-credential> <create> <--name> <aks-team-c-good-wi> <--identity-name> <good-id> <--resource-group> <rg(prod).v1>"), "{calls}");
    assert!(calls.contains("<--issuer> <https://issuer.example/t/c/> <--subject> <system:serviceaccount:team-c:good-wi>"), "{calls}");
    assert!(
        calls.contains("kubectl <apply> <-f> <manifests/serviceaccounts.yaml>"),
        "{calls}"
    );
    assert!(!tmp.path().join("pwned").exists());
    // The README shows the input folder's name escaped for Markdown (backticks included).
    let shown = path_str(&inputs).replace('`', "\\`");
    insta::assert_snapshot!(
        "migrate-hostile-readme",
        files["README.md"].replace(&shown, "IN")
    );
}

#[test]
fn hostile_options_are_usage_errors() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("out");
    for (flag, value, rule) in [
        ("--cluster", "aks$(id)", "an AKS cluster name"),
        ("--resource-group", "rg'x", "an Azure resource group name"),
        ("--issuer", "http://issuer.example/", "an https: URL"),
        ("--tenant-id", "`id`", "a GUID"),
    ] {
        let run = run(&[
            "migrate",
            "tests/fixtures/migrate/cluster",
            "--out",
            path_str(&out),
            flag,
            value,
        ]);
        crate::support::assert_clean_error(&run, 2);
        assert!(
            run.stderr.contains(flag) && run.stderr.contains(rule),
            "{}",
            run.stderr
        );
        assert!(!out.exists(), "nothing written");
    }
}

#[test]
fn the_output_folder_is_all_or_nothing_and_never_an_input() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("out");
    fs::create_dir_all(&out).unwrap();
    fs::write(out.join("keep.txt"), "mine").unwrap();
    let fixture = root().join("tests/fixtures/migrate/cluster");
    let run1 = run(&["migrate", path_str(&fixture), "--out", path_str(&out)]);
    crate::support::assert_clean_error(&run1, 2);
    assert!(
        run1.stderr.contains("is not empty; pass --force"),
        "{}",
        run1.stderr
    );
    assert_eq!(fs::read_to_string(out.join("keep.txt")).unwrap(), "mine");

    let run2 = run(&[
        "migrate",
        path_str(&fixture),
        "--out",
        path_str(&out),
        "--force",
    ]);
    assert_eq!(run2.code, 0, "{}", run2.stderr);
    assert!(out.join("README.md").exists());
    assert_eq!(
        fs::read_to_string(out.join("keep.txt")).unwrap(),
        "mine",
        "other files kept"
    );
    let leftovers: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        leftovers,
        vec![std::ffi::OsString::from("out")],
        "no temporary folder left"
    );

    // A symbolic link is never written through.
    #[cfg(unix)]
    {
        let target = tmp.path().join("elsewhere");
        fs::create_dir_all(&target).unwrap();
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let run3 = run(&[
            "migrate",
            path_str(&fixture),
            "--out",
            path_str(&link),
            "--force",
        ]);
        crate::support::assert_clean_error(&run3, 2);
        assert!(run3.stderr.contains("symbolic link"), "{}", run3.stderr);
        assert_eq!(fs::read_dir(&target).unwrap().count(), 0);
    }

    // The inputs' folder is refused as the output, even with --force.
    let copy = tmp.path().join("inputs");
    fs::create_dir_all(&copy).unwrap();
    fs::copy(fixture.join("workloads.yaml"), copy.join("workloads.yaml")).unwrap();
    let run4 = run(&[
        "migrate",
        path_str(&copy),
        "--out",
        path_str(&copy),
        "--force",
    ]);
    crate::support::assert_clean_error(&run4, 2);
    assert!(
        run4.stderr.contains("never writes over its inputs"),
        "{}",
        run4.stderr
    );
    assert!(copy.join("workloads.yaml").exists());
}

/// Merges a strategic-merge patch as kubectl would for these patches (maps merged, `null`
/// deletes, everything else replaced).
fn merge(target: &mut serde_yaml::Value, patch: &serde_yaml::Value) {
    match (target, patch) {
        (serde_yaml::Value::Mapping(t), serde_yaml::Value::Mapping(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else if let Some(existing) = t.get_mut(k) {
                    merge(existing, v);
                } else {
                    t.insert(k.clone(), v.clone());
                }
            }
        }
        (t, p) => *t = p.clone(),
    }
}

fn identity_of(doc: &serde_yaml::Value) -> (String, String, String) {
    let s = |v: &serde_yaml::Value| v.as_str().unwrap_or("").to_owned();
    let ns = s(&doc["metadata"]["namespace"]);
    (
        s(&doc["kind"]),
        if ns.is_empty() { "default".into() } else { ns },
        s(&doc["metadata"]["name"]),
    )
}

#[test]
fn patched_inputs_scan_without_workload_id_wiring_errors() {
    let (run, tmp) = migrate(
        "cluster",
        &[
            "--cluster",
            "aks",
            "--tenant-id",
            "cccccccc-0000-0000-0000-000000000003",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = tmp.path().join("out");
    let plan: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("plan.json")).unwrap()).unwrap();
    // The patches, and the ServiceAccounts as `kubectl apply` treats them: merged into the
    // input's ServiceAccount of the same name, else new.
    let mut patches: Vec<serde_yaml::Value> = folder(&out.join("manifests/patches"))
        .values()
        .flat_map(|t| yaml_documents(t))
        .collect();
    patches.extend(yaml_documents(
        &fs::read_to_string(out.join("manifests/serviceaccounts.yaml")).unwrap(),
    ));
    let applied = tmp.path().join("applied");
    fs::create_dir_all(&applied).unwrap();
    let mut used = 0;
    for (rel, text) in folder(&root().join("tests/fixtures/migrate/cluster")) {
        let mut docs = yaml_documents(&text);
        for doc in &mut docs {
            if let Some(patch) = patches.iter().find(|p| identity_of(p) == identity_of(doc)) {
                merge(doc, patch);
                used += 1;
            }
        }
        let text: Vec<String> = docs
            .iter()
            .map(|d| serde_yaml::to_string(d).unwrap())
            .collect();
        fs::write(applied.join(rel), text.join("---\n")).unwrap();
    }
    let inputs: Vec<serde_yaml::Value> = folder(&root().join("tests/fixtures/migrate/cluster"))
        .values()
        .flat_map(|t| yaml_documents(t))
        .collect();
    let new_accounts: Vec<String> = patches
        .iter()
        .filter(|p| !inputs.iter().any(|d| identity_of(d) == identity_of(p)))
        .map(|p| serde_yaml::to_string(p).unwrap())
        .collect();
    assert!(
        new_accounts
            .iter()
            .all(|a| a.contains("kind: ServiceAccount"))
    );
    assert_eq!(
        used + new_accounts.len(),
        patches.len(),
        "every patch names an input object"
    );
    fs::write(
        applied.join("zz-serviceaccounts.yaml"),
        new_accounts.join("---\n"),
    )
    .unwrap();

    let catalog = builtin::load().expect("the built-in catalog loads");
    let report = scan::run(
        &catalog,
        &Config {
            paths: vec![applied.clone()],
            namespace: "default".into(),
            threads: 1,
            ..Config::default()
        },
    )
    .expect("scan runs");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let converted: Vec<(String, String, String)> = plan["workloads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["kind"].as_str().unwrap().to_owned(),
                w["namespace"].as_str().unwrap().to_owned(),
                w["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(converted.len(), 7);
    let mut checked = 0;
    for row in &report.workloads {
        let o = report.object(row.object);
        let key = (o.kind.clone(), o.namespace.clone(), o.name.clone());
        if !converted.contains(&key) {
            continue;
        }
        checked += 1;
        assert_eq!(
            row.mechanism,
            scan::index::Mechanism::WorkloadIdentity,
            "{key:?}"
        );
        let wiring: Vec<String> = report
            .findings
            .iter()
            .filter(|f| f.object == row.object && f.severity == Severity::Error)
            .filter(|f| f.id.starts_with("wi-") || f.id.starts_with("spc-"))
            .map(|f| format!("{} {}", f.id, f.message))
            .collect();
        assert!(wiring.is_empty(), "{key:?}: {wiring:?}");
    }
    assert_eq!(checked, converted.len());
}

#[test]
fn the_sdk_comes_from_the_flag_then_an_answers_file_then_an_annotation() {
    let tmp = TempDir::new().unwrap();
    let answers = tmp.path().join("answers.yaml");
    fs::write(
        &answers,
        "sdk:\n  team-a/Deployment/orders-api: legacy-imds\n  billing/Deployment/billing-sync: current\n",
    )
    .unwrap();
    let plan = |extra: &[&str]| {
        let (run, out) = migrate("cluster", extra);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let plan: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(out.path().join("out/plan.json")).unwrap())
                .unwrap();
        let paths: BTreeMap<String, String> = plan["workloads"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| {
                (
                    w["name"].as_str().unwrap().to_owned(),
                    w["path"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let manual: Vec<String> = plan["manual"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["name"].as_str().unwrap().to_owned())
            .collect();
        (paths, manual)
    };
    // The answers file moves orders-api to the proxy; the workload's own annotation still wins
    // over it for billing-sync.
    let (paths, _) = plan(&["--answers", path_str(&answers)]);
    assert_eq!(paths["orders-api"], "proxy");
    assert_eq!(paths["billing-sync"], "proxy");
    // Every workload on a legacy SDK: the CronJob needs native sidecars.
    let (paths, manual) = plan(&["--sdk", "legacy-imds"]);
    assert!(manual.contains(&"orders-report".to_owned()), "{manual:?}");
    assert_eq!(paths["orders-worker"], "proxy");
    let (paths, _) = plan(&["--sdk", "legacy-imds", "--native-sidecars"]);
    assert_eq!(paths["orders-report"], "proxy");
    let (run, _) = migrate("cluster", &["--answers", "/nonexistent/answers.yaml"]);
    crate::support::assert_clean_error(&run, 2);
    assert!(run.stderr.contains("does not exist"), "{}", run.stderr);
}

#[test]
fn an_unrendered_template_is_a_manual_step_never_a_guess() {
    let (run, tmp) = migrate("template", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("deployment.yaml:5:9: unrendered template"),
        "{}",
        run.stderr
    );
    let plan: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(tmp.path().join("out/plan.json")).unwrap())
            .unwrap();
    assert_eq!(plan["workloads"].as_array().unwrap().len(), 0);
    let manual = &plan["manual"][0];
    assert_eq!(
        manual["at"],
        "tests/fixtures/migrate/template/deployment.yaml:3"
    );
    assert!(manual["reason"].as_str().unwrap().contains("render it"));
    assert!(
        !tmp.path().join("out/manifests").exists(),
        "no manifest for a guess"
    );
    check_outputs(&tmp.path().join("out"));
}

#[test]
fn force_namespaced_mic_matches_bindings_in_their_own_namespace_only() {
    let (run, tmp) = migrate("force-namespaced", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let plan: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(tmp.path().join("out/plan.json")).unwrap())
            .unwrap();
    assert_eq!(plan["force_namespaced"], true);
    assert_eq!(plan["workloads"][0]["name"], "same-namespace");
    assert_eq!(plan["workloads"].as_array().unwrap().len(), 1);
    assert_eq!(plan["manual"][0]["name"], "other-namespace");
    assert!(
        plan["manual"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("only bindings of other namespaces")
    );
    // MIC itself is removed in phase 6, never converted.
    let cleanup = fs::read_to_string(tmp.path().join("out/cleanup.sh")).unwrap();
    assert!(cleanup.contains("kubectl delete deployment 'mic' --namespace 'kube-system'"));
}
