//! `advise -o script` and `-o manifests`: every example gives a script that shellcheck and
//! `bash -n` accept and manifests that parse with every placeholder filled; without values the
//! script stops at its checks before any command runs; hostile values are refused or reach the
//! command byte for byte; no model, no command.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use aks_id::catalog::ValueKind;
use tempfile::TempDir;

use crate::support::{
    aks_id, assert_clean_error, catalog, example, example_files, exported, path_str, replace, run,
    run_cmd,
};

/// A valid value for a placeholder of `kind`.
fn sample(kind: ValueKind) -> &'static str {
    match kind {
        ValueKind::AzureResourceGroup => "rg-orders",
        ValueKind::AzureResourceName => "orders-1",
        ValueKind::AzureResourceId => {
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-orders"
        }
        ValueKind::AzureResourceRef => "acrorders",
        ValueKind::Dns1123Label => "orders",
        ValueKind::Dns1123Subdomain => "orders-api",
        ValueKind::Guid => "33333333-3333-3333-3333-333333333333",
        ValueKind::HttpsUrl => "https://eastus.oic.prod-aks.azure.com/tenant/issuer/",
        ValueKind::SqlName => "orders",
        ValueKind::Text => "Reader",
    }
}

/// `--var ID=VALUE` for every placeholder of the catalog.
fn every_var() -> Vec<String> {
    catalog()
        .placeholders
        .iter()
        .flat_map(|p| ["--var".to_owned(), format!("{}={}", p.id, sample(p.kind))])
        .collect()
}

fn advise(answers: &Path, format: &str, vars: &[String]) -> (i32, String) {
    let mut cmd = aks_id();
    cmd.args([
        "advise",
        "--no-input",
        "--answers",
        path_str(answers),
        "-o",
        format,
    ]);
    cmd.args(vars);
    let run = run_cmd(&mut cmd);
    assert!(
        run.code == 0 || run.code == 3,
        "{}: exit {}: {}",
        answers.display(),
        run.code,
        run.stderr
    );
    (run.code, run.stdout)
}

/// The lines that are not comments.
fn commands(text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n")
}

fn has_placeholder(text: &str) -> Option<&str> {
    aks_id::catalog::placeholders::find(text)
        .first()
        .map(|f| f.name)
}

/// Every document of a multi-document stream, read by the project's YAML reader.
fn documents(stream: &str) -> Vec<serde_json::Value> {
    let mut docs = Vec::new();
    for (n, text) in stream.split("\n---\n").enumerate() {
        let doc = aks_id::yaml::Document::parse(&format!("doc {n}"), text)
            .unwrap_or_else(|d| panic!("document {n} does not parse: {d}\n{text}"));
        let value: serde_json::Value =
            serde_json::to_value(&doc.value).expect("YAML values convert to JSON");
        if !value.is_null() {
            docs.push(value);
        }
    }
    docs
}

fn shellcheck() -> Option<&'static str> {
    let path = "/usr/bin/shellcheck";
    Path::new(path).exists().then_some(path)
}

#[test]
fn every_example_with_every_var_gives_a_script_shellcheck_accepts_and_manifests_that_parse() {
    let vars = every_var();
    let dir = TempDir::new().unwrap();
    let checker = shellcheck();
    if checker.is_none() {
        // CI installs shellcheck (.ci/run); a workstation without it still runs bash -n.
        eprintln!(
            "shellcheck is not installed at /usr/bin/shellcheck: only bash -n checks the scripts"
        );
    }
    for file in example_files() {
        let name = file.file_stem().unwrap().to_string_lossy().into_owned();
        let (code, script) = advise(&file, "script", &vars);
        assert!(script.starts_with("#!/usr/bin/env bash\n"), "{name}");
        // Comments quote the catalog's text, which may name a placeholder; no command keeps one.
        assert_eq!(
            has_placeholder(&commands(&script)),
            None,
            "{name}: unfilled in\n{script}"
        );
        let path = dir.path().join(format!("{name}.sh"));
        fs::write(&path, &script).unwrap();
        let syntax = Command::new("bash").arg("-n").arg(&path).output().unwrap();
        assert!(
            syntax.status.success(),
            "{name}: bash -n: {}",
            String::from_utf8_lossy(&syntax.stderr)
        );
        if let Some(checker) = checker {
            let check = Command::new(checker).arg(&path).output().unwrap();
            assert!(
                check.status.success(),
                "{name}: shellcheck:\n{}\n{script}",
                String::from_utf8_lossy(&check.stdout)
            );
        }
        if code == 0 {
            assert!(script.contains("\nset -euo pipefail\n"), "{name}");
        }

        let (_, manifests) = advise(&file, "manifests", &vars);
        // Comments may cite a page; no object keeps a placeholder.
        assert_eq!(
            has_placeholder(&commands(&manifests)),
            None,
            "{name}:\n{manifests}"
        );
        for doc in documents(&manifests) {
            let name_of = |field: &str| doc["metadata"][field].as_str().map(str::to_owned);
            for value in [name_of("name"), name_of("namespace")]
                .into_iter()
                .flatten()
            {
                assert!(
                    ValueKind::Dns1123Subdomain.accepts(&value),
                    "{name}: {value} is not a Kubernetes name"
                );
            }
        }
    }
}

/// A folder with `az`, `kubectl` and `helm` stubs that record each call's arguments
/// (length-prefixed, so any byte survives) and report every identity, credential and Kubernetes
/// object as missing, so every guarded creation runs.
fn stubs() -> TempDir {
    let dir = TempDir::new().unwrap();
    let stub = r#"#!/usr/bin/env bash
export LC_ALL=C
{
  printf '%s' "$(basename "$0")"
  for a in "$@"; do printf ' %d:%s' "${#a}" "$a"; done
  printf '\n'
} >> "$STUB_LOG"
# Reads of an identity's ids or the cluster's issuer print one value.
for a in "$@"; do
  case "$a" in clientId|principalId|oidcIssuerProfile.issuerUrl) echo "$STUB_READ"; exit 0 ;; esac
done
# Identities, credentials and Kubernetes objects do not exist yet; role assignments list none.
case "$(basename "$0") $1 $2 $3" in
  "az identity show"*|"az identity federated-credential show"|"az acr token show"*) exit 1 ;;
  "kubectl get serviceaccount "*|"kubectl get secret "*|"kubectl get namespace "*) exit 1 ;;
esac
exit 0
"#;
    for name in ["az", "kubectl", "helm"] {
        let path = dir.path().join(name);
        fs::write(&path, stub).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    }
    dir
}

/// The calls a stub recorded: each the program and its arguments.
fn calls(log: &Path) -> Vec<Vec<String>> {
    let text = fs::read_to_string(log).unwrap_or_default();
    let mut out = Vec::new();
    let mut rest = text.as_str();
    while !rest.is_empty() {
        let (program, after) = rest.split_at(rest.find([' ', '\n']).unwrap());
        let mut call = vec![program.to_owned()];
        rest = after;
        while let Some(args) = rest.strip_prefix(' ') {
            let colon = args.find(':').unwrap();
            let len: usize = args[..colon].parse().unwrap();
            call.push(args[colon + 1..colon + 1 + len].to_owned());
            rest = &args[colon + 1 + len..];
        }
        rest = rest.strip_prefix('\n').expect("a call ends with a newline");
        out.push(call);
    }
    out
}

/// Runs `script` with bash, the stubs first on PATH and nothing else of the environment that
/// could fill a variable.
fn run_script(script: &str, stubs: &Path, work: &Path) -> (std::process::Output, Vec<Vec<String>>) {
    let path = work.join("setup.sh");
    let log = work.join("calls.log");
    fs::write(&path, script).unwrap();
    let output = Command::new("bash")
        .arg(&path)
        .env_clear()
        .env("PATH", format!("{}:/usr/bin:/bin", stubs.display()))
        .env("STUB_LOG", &log)
        .env("STUB_READ", STUB_READ)
        .current_dir(work)
        .output()
        .unwrap();
    (output, calls(&log))
}

#[test]
fn without_values_the_script_stops_at_its_checks_before_any_command() {
    let stubs = stubs();
    for file in example_files() {
        let name = file.file_stem().unwrap().to_string_lossy().into_owned();
        let (code, script) = advise(&file, "script", &[]);
        let work = TempDir::new().unwrap();
        let (output, calls) = run_script(&script, stubs.path(), work.path());
        assert_eq!(calls, Vec::<Vec<String>>::new(), "{name} ran a command");
        if code == 0 {
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(!output.status.success(), "{name} succeeded with no values");
            assert!(
                stderr.contains(": set ") && stderr.contains("--var "),
                "{name}: {stderr}"
            );
        }
    }
}

#[test]
fn with_values_the_script_runs_each_command_once_with_the_values_as_given() {
    let stubs = stubs();
    let work = TempDir::new().unwrap();
    let (_, script) = advise(&example("pod-reads-key-vault.yaml"), "script", &every_var());
    let (output, calls) = run_script(&script, stubs.path(), work.path());
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let created: Vec<&Vec<String>> = calls
        .iter()
        .filter(|c| c.iter().any(|a| a == "create"))
        .collect();
    // The identity, the service account, the federated credential, the role assignment.
    assert_eq!(created.len(), 4, "{calls:?}");
    let fic = calls
        .iter()
        .find(|c| c[..4] == ["az", "identity", "federated-credential", "create"])
        .expect("the federated credential is created");
    let subject = fic.iter().position(|a| a == "--subject").unwrap();
    assert_eq!(fic[subject + 1], "system:serviceaccount:orders:orders-api");
    let annotate = calls.iter().find(|c| c[1] == "annotate").unwrap();
    assert!(annotate.contains(&"--overwrite".to_owned()), "{annotate:?}");
}

/// What the stubs print for an identity's ids and the cluster's issuer.
const STUB_READ: &str = "99999999-9999-9999-9999-999999999999";

#[test]
fn ids_not_given_are_read_from_azure_after_the_identity_exists() {
    let stubs = stubs();
    let work = TempDir::new().unwrap();
    let mut vars = every_var();
    for id in ["client-id", "principal-id", "issuer-url"] {
        let at = vars
            .iter()
            .position(|v| v.starts_with(&format!("{id}=")))
            .unwrap();
        vars.drain(at - 1..=at);
    }
    let (_, script) = advise(&example("pod-reads-key-vault.yaml"), "script", &vars);
    assert!(script.contains("# CLIENT_ID: read from Azure before its first use, unless set."));
    let (output, calls) = run_script(&script, stubs.path(), work.path());
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let position = |pred: &dyn Fn(&Vec<String>) -> bool| calls.iter().position(pred);
    let created = position(&|c| c[..3] == ["az", "identity", "create"]).unwrap();
    let read = position(&|c| c.contains(&"clientId".to_owned())).unwrap();
    assert!(
        created < read,
        "the client id is read after the identity exists"
    );
    let annotate = &calls[position(&|c| c[1] == "annotate").unwrap()];
    assert!(
        annotate.contains(&format!("azure.workload.identity/client-id={STUB_READ}")),
        "{annotate:?}"
    );
    let grant = &calls[position(&|c| c[..4] == ["az", "role", "assignment", "create"]).unwrap()];
    assert!(grant.contains(&STUB_READ.to_owned()), "{grant:?}");
}

const HOSTILE: &[&str] = &[
    "$(touch pwned)",
    "`touch pwned`",
    "it's \"quoted\" \\ ${HOME} ; touch pwned &",
    "'; touch pwned; '",
];

/// The answers whose grant uses text placeholders (`--role "<least-privileged-role>"`).
fn other_target_answers(dir: &Path, extra: &str) -> std::path::PathBuf {
    let path = dir.join("answers.yaml");
    fs::write(
        &path,
        format!("scope: workload\ntargets: [other]\nisolation: false\n{extra}"),
    )
    .unwrap();
    path
}

#[test]
fn hostile_values_reach_the_command_byte_for_byte_and_run_nothing() {
    let stubs = stubs();
    for hostile in HOSTILE {
        let work = TempDir::new().unwrap();
        let answers = other_target_answers(work.path(), "");
        let mut vars = every_var();
        vars.push("--var".into());
        vars.push(format!("least-privileged-role={hostile}"));
        // A flag replaces the value given earlier... only in the answers file; on the command
        // line the same placeholder twice is refused, so drop the sample one.
        let at = vars
            .iter()
            .position(|v| v.starts_with("least-privileged-role="))
            .unwrap();
        vars.drain(at - 1..=at);
        let (code, script) = advise(&answers, "script", &vars);
        assert_eq!(code, 0);
        let (output, calls) = run_script(&script, stubs.path(), work.path());
        assert!(
            output.status.success(),
            "{hostile}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(!work.path().join("pwned").exists(), "{hostile} ran");
        let grant = calls
            .iter()
            .find(|c| c[..4] == ["az", "role", "assignment", "create"])
            .expect("the role assignment runs");
        let role = grant.iter().position(|a| a == "--role").unwrap();
        assert_eq!(grant[role + 1].as_bytes(), hostile.as_bytes());
    }
}

#[test]
fn hostile_values_through_the_answers_file_are_inert_too() {
    let stubs = stubs();
    let work = TempDir::new().unwrap();
    let hostile = "$(touch pwned) `touch pwned` '\"";
    let mut vars = String::from("vars:\n");
    for p in &catalog().placeholders {
        let value = if p.id == "least-privileged-role" {
            hostile
        } else {
            sample(p.kind)
        };
        vars.push_str(&format!(
            "  {}: {}\n",
            p.id,
            serde_json::to_string(value).unwrap()
        ));
    }
    let answers = other_target_answers(work.path(), &vars);
    let (_, script) = advise(&answers, "script", &[]);
    let (output, calls) = run_script(&script, stubs.path(), work.path());
    assert!(output.status.success());
    assert!(!work.path().join("pwned").exists());
    let grant = calls
        .iter()
        .find(|c| c[..4] == ["az", "role", "assignment", "create"])
        .unwrap();
    assert!(grant.iter().any(|a| a == hostile), "{grant:?}");
}

#[test]
fn values_that_break_their_rule_are_refused_with_the_placeholder_and_the_rule() {
    let file = example("pod-reads-key-vault.yaml");
    for (var, rule) in [
        ("namespace=$(id)", "DNS-1123 label"),
        ("namespace=Orders", "DNS-1123 label"),
        ("cluster=a`id`", "Azure resource name"),
        ("client-id=not-a-guid", "GUID"),
        ("issuer-url=http://example.com", "https: URL"),
        (
            "least-privileged-role=Reader\ntouch pwned",
            "one line of text",
        ),
        ("resource-group=rg\n", "resource group"),
    ] {
        let r = run(&[
            "advise",
            "--answers",
            path_str(&file),
            "-o",
            "script",
            "--var",
            var,
        ]);
        assert_clean_error(&r, 2);
        let id = var.split('=').next().unwrap();
        assert!(r.stderr.contains(&format!("<{id}>")), "{}", r.stderr);
        assert!(r.stderr.contains(rule), "{}", r.stderr);
        assert!(!r.stderr.contains('\n') || r.stderr.ends_with('\n'));
        assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    }
    let r = run(&["advise", "--no-input", "--var", "clustr=x"]);
    assert_clean_error(&r, 2);
    assert!(r.stderr.contains("unknown placeholder"), "{}", r.stderr);
    let r = run(&[
        "advise",
        "--no-input",
        "--var",
        "cluster=a",
        "--var",
        "CLUSTER=b",
    ]);
    assert_clean_error(&r, 2);
    assert!(r.stderr.contains("given twice"), "{}", r.stderr);
}

#[test]
fn a_bad_value_in_the_answers_file_names_its_line() {
    let work = TempDir::new().unwrap();
    let answers = other_target_answers(work.path(), "vars:\n  namespace: \"a b\"\n");
    let r = run(&["advise", "--answers", path_str(&answers), "-o", "script"]);
    assert_clean_error(&r, 2);
    assert!(r.stderr.contains("answers.yaml:5:14"), "{}", r.stderr);
    assert!(r.stderr.contains("<namespace>"), "{}", r.stderr);
}

#[test]
fn no_model_means_no_command_and_no_manifest() {
    for name in [
        "virtual-node-addon.yaml",
        "other-kubernetes-infrastructure.yaml",
    ] {
        for format in ["script", "manifests"] {
            let (code, text) = advise(&example(name), format, &every_var());
            assert_eq!(code, 3, "{name}");
            assert!(text.contains("No identity model fits"), "{name}:\n{text}");
            for line in text.lines().filter(|l| !l.is_empty()) {
                assert!(
                    line.starts_with('#'),
                    "{name} -o {format} has a command: {line}"
                );
            }
        }
    }
}

#[test]
fn manifests_hold_the_service_account_the_patch_and_the_network_policy_where_they_apply() {
    let kinds = |answers: &[&str]| -> Vec<String> {
        let mut cmd = aks_id();
        cmd.args(["advise", "--no-input", "-o", "manifests"])
            .args(answers.iter().flat_map(|a| ["--set", a]))
            .args(every_var());
        let run = run_cmd(&mut cmd);
        assert_eq!(run.code, 0, "{}", run.stderr);
        documents(&run.stdout)
            .iter()
            .map(|d| d["kind"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(
        kinds(&["targets=key-vault"]),
        ["ServiceAccount", "Deployment", "NetworkPolicy"]
    );
    // Virtual nodes enforce no network policy.
    assert_eq!(
        kinds(&["targets=key-vault", "virtual_nodes=aci"]),
        ["ServiceAccount", "Deployment"]
    );
    // Without isolation there is nothing to block.
    assert_eq!(
        kinds(&["targets=key-vault", "isolation=no"]),
        ["ServiceAccount", "Deployment"]
    );
    let (_, text) = advise(
        &example("pod-reads-key-vault.yaml"),
        "manifests",
        &every_var(),
    );
    assert!(text.contains("network-policy engine"), "{text}");
    assert!(
        text.contains("azure.workload.identity/use: 'true'"),
        "{text}"
    );
    assert!(text.contains("cidr: 0.0.0.0/0"), "{text}");
    insta::assert_snapshot!("manifests-pod-reads-key-vault", text);
}

#[test]
fn the_script_for_a_database_target_keeps_sql_apart() {
    let (_, script) = advise(
        &example("workload-reaches-database.yaml"),
        "script",
        &every_var(),
    );
    let sql = script
        .split("# SQL: not run by this script")
        .nth(1)
        .expect("a SQL section");
    assert!(
        sql.contains("# CREATE USER [orders-1] FROM EXTERNAL PROVIDER;"),
        "{sql}"
    );
    assert!(!script.lines().any(|l| l.starts_with("CREATE")), "{script}");
    insta::assert_snapshot!("script-workload-reaches-database", script);
}

#[test]
fn rules_check_refuses_a_command_with_an_undeclared_placeholder() {
    let dir = exported();
    replace(
        dir.path(),
        "rules.yaml",
        "command: az aks update -g <resource-group> -n <cluster> --enable-oidc-issuer --enable-workload-identity",
        "command: az aks update -g <resource-group> -n <clustr> --enable-oidc-issuer --enable-workload-identity",
    );
    let r = run(&["--rules", path_str(dir.path()), "rules", "check"]);
    assert_clean_error(&r, 2);
    assert!(
        r.stderr.contains(
            "command uses the undeclared placeholder `<clustr>`; declare it in placeholders.yaml"
        ),
        "{}",
        r.stderr
    );
}
