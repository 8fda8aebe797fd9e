//! The corrections of an AKS identity review, checked through the binary: each test fails when
//! the catalog goes back to the advice the review found wrong (issue 8, section 1).

use serde_json::Value;

use crate::support::{advise_set, run};

/// `advise` as text at 100 columns for `--set` answers: the exit code and what a person reads.
fn text(sets: &[&str]) -> (i32, String) {
    let mut args = vec!["advise", "--no-input", "--width", "100"];
    for s in sets {
        args.extend(["--set", s]);
    }
    let out = run(&args);
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    (out.code, out.stdout)
}

/// Every caveat, step (with its command) and grant of a JSON advice, one per line.
fn advice_lines(doc: &Value) -> Vec<String> {
    let mut all: Vec<String> = doc["caveats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["text"].as_str().unwrap().to_owned())
        .collect();
    all.extend(doc["next_steps"].as_array().unwrap().iter().map(step_line));
    // A grant's own words (not the titles of its sources).
    all.extend(doc["grants"].as_array().unwrap().iter().map(|g| {
        let mut g = g.clone();
        g["sources"].take();
        g.to_string()
    }));
    all
}

fn grant<'v>(doc: &'v Value, target: &str) -> &'v Value {
    doc["grants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["target"] == target)
        .unwrap_or_else(|| panic!("a grant for {target}: {doc}"))
}

/// A next step as one text: what to do, then its command on the next line.
fn step_line(step: &Value) -> String {
    let text = step["text"].as_str().unwrap();
    match step["command"].as_str() {
        Some(command) => format!("{text}\n{command}"),
        None => text.to_owned(),
    }
}

/// The index of the first next step containing `needle`.
fn step_index(doc: &Value, needle: &str) -> usize {
    doc["next_steps"]
        .as_array()
        .unwrap()
        .iter()
        .position(|s| step_line(s).contains(needle))
        .unwrap_or_else(|| panic!("a step with {needle:?}: {}", doc["next_steps"]))
}

#[test]
fn outside_aks_image_pulls_use_pull_secrets_never_attach_acr() {
    for platform in ["platform=other", "platform=arc"] {
        let (status, out) = text(&[platform, "targets=acr"]);
        assert_eq!(status, 0, "{platform}");
        assert!(!out.contains("--attach-acr"), "{platform}: {out}");
        assert!(
            !out.contains("az aks "),
            "{platform}: no AKS commands: {out}"
        );
        let (_, doc) = advise_set(&[platform, "targets=acr"]);
        let acr = grant(&doc, "acr").to_string();
        assert!(acr.contains("image pull secret"), "{platform}: {acr}");
        assert!(acr.contains("az acr token create"), "{platform}: {acr}");
        assert!(
            acr.contains("kubectl create secret docker-registry"),
            "{platform}: {acr}"
        );
    }
    // On AKS the kubelet identity still gets AcrPull through ACR integration.
    let (_, doc) = advise_set(&["platform=aks", "targets=acr"]);
    assert!(grant(&doc, "acr").to_string().contains("--attach-acr"));
}

#[test]
fn cluster_identities_get_no_data_roles_only_what_the_control_plane_needs() {
    let targets = "targets=key-vault,storage,sql,cosmos-db,service-bus";
    for need in ["cluster_need=aks-infrastructure", "cluster_need=image-pull"] {
        let (status, out) = text(&["scope=cluster", need, targets]);
        assert_eq!(status, 0, "{need}");
        for data_role in [
            "Key Vault Secrets User",
            "Storage Blob Data Reader",
            "Azure Service Bus Data Receiver",
            "az cosmosdb sql role assignment create",
            "CREATE USER",
        ] {
            assert!(
                !out.contains(data_role),
                "{need}: offers {data_role}: {out}"
            );
        }
        let (_, doc) = advise_set(&["scope=cluster", need, targets]);
        assert_eq!(doc["recommendation"]["model"], "cluster", "{need}");
        for target in ["key-vault", "sql", "cosmos-db", "service-bus"] {
            let g = grant(&doc, target);
            assert!(g["command"].is_null(), "{need}: {g}");
            assert!(
                g["how"].as_str().unwrap().starts_with("None"),
                "{need}: {g}"
            );
        }
    }
    // What the control plane does need: management roles, named with their purpose.
    let (_, doc) = advise_set(&[
        "scope=cluster",
        "cluster_need=aks-infrastructure",
        "targets=key-vault,storage,arm",
    ]);
    assert!(
        grant(&doc, "key-vault")["how"]
            .as_str()
            .unwrap()
            .contains("KMS")
    );
    assert_eq!(
        grant(&doc, "storage")["roles"][0],
        "Storage Account Contributor"
    );
    assert_eq!(grant(&doc, "arm")["roles"][0], "Network Contributor");
}

#[test]
fn identity_changes_say_which_ones_reimage_nodes() {
    let (_, doc) = advise_set(&["scope=cluster", "cluster_need=aks-infrastructure"]);
    let all = advice_lines(&doc).join("\n");
    assert!(
        !all.contains("Changing a cluster's identity reimages its nodes"),
        "{all}"
    );
    assert!(all.contains("causes no downtime"), "{all}");
    // Service principal -> user-assigned: the kubelet waits for a node-image upgrade.
    let update = step_index(&doc, "--enable-managed-identity --assign-identity");
    let upgrade = step_index(&doc, "az aks nodepool upgrade");
    assert!(update < upgrade, "{}", doc["next_steps"]);
    assert!(step_line(&doc["next_steps"][upgrade]).contains("--node-image-only"));
    for step in doc["next_steps"].as_array().unwrap() {
        let step = step_line(step);
        if step.contains("az aks create") {
            assert!(step.contains("--generate-ssh-keys"), "{step}");
        }
    }
}

#[test]
fn a_dns_controller_gets_dns_zone_contributor_not_reader() {
    let (_, doc) = advise_set(&["scope=cluster", "cluster_need=controller", "targets=arm"]);
    assert_eq!(doc["recommendation"]["model"], "workload");
    let arm = grant(&doc, "arm");
    assert_eq!(arm["roles"][0], "DNS Zone Contributor", "{arm}");
    assert!(
        arm["command"]
            .as_str()
            .unwrap()
            .contains("<dns-zone-resource-id>")
    );
    let all = advice_lines(&doc).join("\n");
    assert!(!all.contains("Prefer Reader"), "{all}");
    // The application routing add-on: NGINX support ends, the Gateway API successor uses
    // Workload ID; said only on AKS.
    assert!(
        all.contains("November 2026") && all.contains("Gateway API"),
        "{all}"
    );
    let (_, other) = advise_set(&[
        "scope=cluster",
        "cluster_need=controller",
        "targets=arm",
        "platform=other",
    ]);
    assert!(
        !advice_lines(&other)
            .join("\n")
            .contains("application routing")
    );
}

#[test]
fn nothing_fits_on_the_legacy_virtual_node_addon_but_the_steps_say_what_to_do() {
    let (status, out) = text(&["virtual_nodes=addon", "targets=storage"]);
    assert_eq!(status, 3);
    assert!(out.contains("What to do instead"), "{out}");
    assert!(out.contains("regular node pool"), "{out}");
    assert!(
        out.contains("virtual nodes on Azure Container Instances"),
        "{out}"
    );
    assert!(out.contains("az aks disable-addons"), "{out}");
    let (_, doc) = advise_set(&["virtual_nodes=addon", "targets=storage"]);
    assert!(doc["recommendation"].is_null());
    assert!(doc["grants"].as_array().unwrap().is_empty());
    assert_eq!(doc["next_steps"].as_array().unwrap().len(), 3, "{doc}");
    let all = advice_lines(&doc).join("\n");
    assert!(all.contains("attaching managed identities to virtual nodes is not supported"));
    let out = run(&[
        "advise",
        "--no-input",
        "-o",
        "markdown",
        "--set",
        "virtual_nodes=addon",
    ]);
    assert_eq!(out.code, 3);
    assert!(
        out.stdout.contains("### What to do instead"),
        "{}",
        out.stdout
    );
}

#[test]
fn virtual_nodes_outside_aks_are_not_an_exclusion() {
    let (status, doc) = advise_set(&["platform=other", "virtual_nodes=addon"]);
    assert_eq!(status, 0);
    assert_eq!(doc["recommendation"]["model"], "workload");
    assert!(advice_lines(&doc).join("\n").contains("exist only on AKS"));
}

#[test]
fn cross_tenant_is_one_sequence_in_the_resources_tenant() {
    let (_, doc) = advise_set(&["cross_tenant=yes", "targets=storage,acr"]);
    let steps: Vec<String> = doc["next_steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(step_line)
        .collect();
    let creates = steps
        .iter()
        .filter(|s| s.contains("az identity create"))
        .count();
    assert_eq!(creates, 1, "one identity, created once: {steps:#?}");
    let login = step_index(&doc, "az login --tenant <resource-tenant-id>");
    let identity = step_index(&doc, "az identity create");
    let fic = step_index(&doc, "az identity federated-credential create");
    let service_account = step_index(
        &doc,
        "azure.workload.identity/tenant-id=<resource-tenant-id>",
    );
    assert!(
        login <= identity && identity < fic && fic < service_account,
        "{steps:#?}"
    );
    assert!(
        steps[identity].contains("resource-tenant"),
        "{}",
        steps[identity]
    );
    let all = advice_lines(&doc).join("\n");
    assert!(
        !all.contains("--attach-acr"),
        "no ACR integration across tenants: {all}"
    );
}

#[test]
fn aks_automatic_rejects_the_privileged_migration_sidecar() {
    let sets = [
        "platform=aks-automatic",
        "existing_pod_identity=yes",
        "sdk=legacy-imds",
        "node_os=linux",
    ];
    let (status, doc) = advise_set(&sets);
    assert_eq!(status, 0);
    let all = advice_lines(&doc).join("\n");
    assert!(!all.contains("inject-proxy-sidecar"), "{all}");
    assert!(all.contains("baseline Pod Security Standards"), "{all}");
    assert!(all.contains("Path C ("), "{all}");
    assert!(!all.contains("Alternatively, IMDS restriction"), "{all}");
    assert!(
        all.contains("IMDS restriction (preview) can't be used there"),
        "{all}"
    );
}

#[test]
fn virtual_nodes_on_aci_have_no_network_policies_and_say_imds_restriction_once() {
    let (_, doc) = advise_set(&["virtual_nodes=aci", "targets=storage"]);
    let all = advice_lines(&doc);
    let restriction = all
        .iter()
        .filter(|l| l.contains("IMDS restriction"))
        .count();
    assert_eq!(restriction, 1, "{all:#?}");
    let all = all.join("\n");
    assert!(
        all.contains("network policies aren't supported on virtual nodes"),
        "{all}"
    );
    assert!(
        all.contains("Contributor on the node resource group"),
        "{all}"
    );
}

#[test]
fn windows_apps_on_raw_imds_upgrade_before_imds_is_blocked() {
    for existing in ["existing_pod_identity=no", "existing_pod_identity=yes"] {
        let (_, doc) = advise_set(&["node_os=windows", "sdk=legacy-imds", existing]);
        let upgrade = step_index(&doc, "WorkloadIdentityCredential");
        let block = step_index(&doc, "kind: NetworkPolicy");
        assert!(upgrade < block, "{existing}: {}", doc["next_steps"]);
        let all = advice_lines(&doc).join("\n");
        assert!(all.contains("only Calico"), "{existing}: {all}");
        assert!(all.contains("2026-09-30"), "{existing}: {all}");
    }
}

#[test]
fn blocking_imds_gives_the_network_policy_and_its_engine() {
    let (_, doc) = advise_set(&["targets=key-vault"]);
    let step = step_line(&doc["next_steps"][step_index(&doc, "kind: NetworkPolicy")]);
    for part in [
        "kubectl apply",
        "policyTypes: [Egress]",
        "except: [169.254.169.254/32]",
        "namespaceSelector: {}",
    ] {
        assert!(step.contains(part), "{part}: {step}");
    }
    let all = advice_lines(&doc).join("\n");
    assert!(all.contains("network policy engine"), "{all}");
    for prerequisite in [
        "IMDSRestrictionPreview",
        "aks-preview",
        "OIDC issuer",
        "--node-image-only",
    ] {
        assert!(all.contains(prerequisite), "{prerequisite}: {all}");
    }
    // No IMDS block where nobody asked for isolation, and none outside AKS.
    for sets in [&["isolation=no"][..], &["platform=other"][..]] {
        let (_, doc) = advise_set(sets);
        assert!(
            !advice_lines(&doc)
                .join("\n")
                .contains("kind: NetworkPolicy"),
            "{sets:?}"
        );
    }
}

#[test]
fn outside_aks_no_aks_only_caveats() {
    for platform in ["platform=other", "platform=arc"] {
        let (_, doc) = advise_set(&[platform, "targets=key-vault", "virtual_nodes=aci"]);
        let all = advice_lines(&doc).join("\n");
        for aks_only in [
            "azurekeyvaultsecretsprovider",
            "az aks ",
            "IMDS restriction",
        ] {
            assert!(!all.contains(aks_only), "{platform}: {aks_only}: {all}");
        }
    }
}

#[test]
fn workload_id_steps_create_a_dedicated_service_account_and_use_audiences() {
    let (_, doc) = advise_set(&[]);
    let all = advice_lines(&doc).join("\n");
    assert!(all.contains("kubectl create serviceaccount"), "{all}");
    assert!(all.contains("never `default`"), "{all}");
    assert!(
        all.contains("--audiences api://AzureADTokenExchange"),
        "{all}"
    );
    assert!(!all.contains("--audience "), "{all}");
}

#[test]
fn arc_steps_give_the_issuer_url_and_the_k3s_setting() {
    let (_, doc) = advise_set(&["platform=arc"]);
    let all = advice_lines(&doc).join("\n");
    assert!(
        all.contains("az connectedk8s show -g <resource-group> -n <cluster> --query oidcIssuerProfile.issuerUrl"),
        "{all}"
    );
    assert!(all.contains("service-account-issuer=<issuer-url>"), "{all}");
}

#[test]
fn database_grants_use_the_flexible_server_syntax_and_name_token_scopes() {
    let (_, doc) = advise_set(&["targets=mysql,postgresql,sql"]);
    let mysql = grant(&doc, "mysql")["command"].as_str().unwrap().to_owned();
    assert!(
        mysql.starts_with("CREATE AADUSER '<identity-name>';"),
        "{mysql}"
    );
    assert!(
        !mysql.contains("IDENTIFIED BY"),
        "single-server syntax: {mysql}"
    );
    let postgresql = grant(&doc, "postgresql")["command"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        postgresql.contains("pgaadauth_create_principal_with_oid"),
        "{postgresql}"
    );
    let all = advice_lines(&doc).join("\n");
    assert!(
        all.contains("https://ossrdbms-aad.database.windows.net/.default"),
        "{all}"
    );
    assert!(
        all.contains("https://database.windows.net/.default"),
        "{all}"
    );
}

#[test]
fn model_sheets_carry_the_corrected_facts() {
    let out = run(&["show", "workload"]);
    let workload = out.stdout;
    assert!(workload.contains("60-90 minutes"), "{workload}");
    assert!(!workload.contains("--audience "), "{workload}");
    let out = run(&["show", "cluster"]);
    let cluster = out.stdout;
    for line in cluster.lines().filter(|l| l.contains("az aks create")) {
        if line.contains("--name") {
            assert!(line.contains("--generate-ssh-keys"), "{line}");
        }
    }
    assert!(cluster.contains("--node-image-only"), "{cluster}");
    let out = run(&["show", "pod", "-o", "markdown"]);
    assert!(
        out.stdout
            .contains("attaching managed identities to virtual nodes is not supported"),
        "{}",
        out.stdout
    );
}
