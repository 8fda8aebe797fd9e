//! The files of a migration plan: the runbook (`README.md`), the manifests (ServiceAccounts and
//! one patch per workload and SecretProviderClass), `commands.sh` (phases 1 and 2),
//! `cleanup.sh` (phases 5 and 6) and `plan.json`. Every value placed in a script goes through
//! [`quote`]; every value placed in YAML was validated by the plan (DNS-1123 names, GUIDs), and
//! is written double-quoted where YAML could read it as something else.

use std::fmt::Write as _;

use crate::migrate::{AUDIENCE, IdentityKind, Plan, WorkloadPlan};
use crate::plan::shell::quote;
use crate::render::json::JsonError;
use crate::render::markdown::{md_cell, md_text};
use crate::scan::model::{
    PI_LABEL, WI_CLIENT_ID, WI_INJECT_PROXY, WI_PROXY_PORT, WI_TENANT_ID, WI_USE_LABEL,
};

/// The files, relative to the output folder, in the order they are written. Fails only when the
/// plan cannot be written as JSON (a map key that is not a string), which its types rule out.
pub fn files(plan: &Plan) -> Result<Vec<(String, Vec<u8>)>, JsonError> {
    let mut out = vec![
        ("README.md".to_owned(), readme(plan).into_bytes()),
        ("commands.sh".to_owned(), commands(plan).into_bytes()),
        ("cleanup.sh".to_owned(), cleanup(plan).into_bytes()),
        ("plan.json".to_owned(), json(plan)?.into_bytes()),
    ];
    if !plan.service_accounts.is_empty() {
        out.push((
            "manifests/serviceaccounts.yaml".to_owned(),
            service_accounts(plan).into_bytes(),
        ));
    }
    for w in &plan.workloads {
        out.push((w.patch.clone(), patch(w).into_bytes()));
    }
    for s in &plan.secret_provider_classes {
        let text = format!(
            "# Reads Key Vault with Workload ID instead of pod identity: usePodIdentity removed, the\n\
             # identity's client id set. The pods that mount it use a federated ServiceAccount.\n\
             apiVersion: secrets-store.csi.x-k8s.io/v1\n\
             kind: SecretProviderClass\n\
             metadata:\n  name: {}\n  namespace: {}\n\
             spec:\n  parameters:\n    usePodIdentity: null\n    clientID: \"{}\"\n",
            s.name, s.namespace, s.client_id
        );
        out.push((s.patch.clone(), text.into_bytes()));
    }
    Ok(out)
}

/// The plan as JSON, `schema_version` first.
pub fn json(plan: &Plan) -> Result<String, JsonError> {
    let mut text = super::json::to_pretty_string(plan)?;
    text.push('\n');
    Ok(text)
}

fn service_accounts(plan: &Plan) -> String {
    let mut text = String::from(
        "# The ServiceAccounts the migrated workloads use, annotated with their identity's client id.\n\
         # Apply with: kubectl apply -f manifests/serviceaccounts.yaml\n",
    );
    for sa in &plan.service_accounts {
        let _ = write!(
            text,
            "---\n# {} for {} ({})\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {}\n  namespace: {}\n  annotations:\n    {WI_CLIENT_ID}: \"{}\"\n",
            if sa.exists {
                "annotates the existing ServiceAccount"
            } else {
                "new ServiceAccount"
            },
            sa.workloads.join(", "),
            sa.identity,
            sa.name,
            sa.namespace,
            sa.client_id
        );
        if let Some(tenant) = &sa.tenant_id {
            let _ = writeln!(text, "    {WI_TENANT_ID}: \"{tenant}\"");
        }
    }
    text
}

/// The pod template's place in each kind.
fn template_path(kind: &str) -> &'static [&'static str] {
    match kind {
        "Pod" => &[],
        "CronJob" => &["spec", "jobTemplate", "spec", "template"],
        _ => &["spec", "template"],
    }
}

/// A strategic-merge patch, usable with `kubectl patch --patch-file` and as a kustomize patch:
/// the label on the pod template, the ServiceAccount, and the proxy annotations on that path.
pub fn patch(w: &WorkloadPlan) -> String {
    let mut text = format!(
        "# {} {}/{}: {}\n# Adds the Workload ID label next to aadpodidbinding (both run in parallel until phase 5).\n",
        w.kind, w.namespace, w.name, w.why
    );
    let _ = write!(
        text,
        "apiVersion: {}\nkind: {}\nmetadata:\n  name: {}\n  namespace: {}\n",
        yaml_plain(&w.api_version),
        w.kind,
        w.name,
        w.namespace
    );
    let path = template_path(&w.kind);
    let mut indent = 0;
    let body = if path.is_empty() {
        // A Pod: its own metadata is the pod's.
        let mut t = String::new();
        let _ = write!(t, "  labels:\n    {WI_USE_LABEL}: \"true\"\n");
        if let Some(port) = w.proxy_port {
            let _ = write!(
                t,
                "  annotations:\n    {WI_INJECT_PROXY}: \"true\"\n    {WI_PROXY_PORT}: \"{port}\"\n"
            );
        }
        let _ = write!(t, "spec:\n  serviceAccountName: {}\n", w.service_account);
        return text + &t;
    } else {
        let mut t = String::new();
        for key in path {
            let _ = writeln!(t, "{}{key}:", "  ".repeat(indent));
            indent += 1;
        }
        let pad = "  ".repeat(indent);
        let _ = write!(
            t,
            "{pad}metadata:\n{pad}  labels:\n{pad}    {WI_USE_LABEL}: \"true\"\n"
        );
        if let Some(port) = w.proxy_port {
            let _ = write!(
                t,
                "{pad}  annotations:\n{pad}    {WI_INJECT_PROXY}: \"true\"\n{pad}    {WI_PROXY_PORT}: \"{port}\"\n"
            );
        }
        let _ = write!(
            t,
            "{pad}spec:\n{pad}  serviceAccountName: {}\n",
            w.service_account
        );
        t
    };
    text + &body
}

/// A value for a plain YAML scalar, quoted when it could be read as something else.
fn yaml_plain(value: &str) -> String {
    if !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '-'))
        && value
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
    {
        value.to_owned()
    } else {
        super::json::quoted(value)
    }
}

/// The JSON-pointer segment of a key.
fn pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// `kubectl` resource name of a kind.
fn resource(kind: &str) -> String {
    kind.to_ascii_lowercase()
}

fn variables(plan: &Plan, text: &mut String) {
    text.push_str("# Variables: given to aks-id migrate, or required from the environment.\n");
    match &plan.resource_group {
        Some(rg) => {
            let _ = writeln!(text, "RESOURCE_GROUP={}", quote(rg));
        }
        None => text.push_str(
            ": \"${RESOURCE_GROUP:?set RESOURCE_GROUP to the resource group of the cluster}\"\n",
        ),
    }
    match &plan.cluster {
        Some(c) => {
            let _ = writeln!(text, "CLUSTER={}", quote(c));
        }
        None => text.push_str(": \"${CLUSTER:?set CLUSTER to the name of the cluster}\"\n"),
    }
}

fn commands(plan: &Plan) -> String {
    let mut text = String::from(
        "#!/usr/bin/env bash\n\
         # Phases 1 and 2 of the move from pod-managed identity to Workload ID, planned by\n\
         # `aks-id migrate`. Review it before running it; aks-id never runs it. Every step checks\n\
         # before it creates, so running it again is safe. Role assignments stay as they are: the\n\
         # identities do not change, only how pods prove who they are.\n\
         set -euo pipefail\n\
         cd \"$(dirname \"$0\")\"\n\n",
    );
    variables(plan, &mut text);
    if let Some(issuer) = &plan.issuer {
        let _ = writeln!(text, "ISSUER={}", quote(issuer));
    }
    text.push_str(
        "\n# Phase 1: the OIDC issuer and Workload ID on the cluster.\n\
         enabled=\"$(az aks show --resource-group \"$RESOURCE_GROUP\" --name \"$CLUSTER\" \\\n    \
         --query '[oidcIssuerProfile.enabled, securityProfile.workloadIdentity.enabled]' -o tsv | tr -d '[:space:]')\"\n\
         if [ \"$enabled\" != 'truetrue' ]; then\n    \
         az aks update --resource-group \"$RESOURCE_GROUP\" --name \"$CLUSTER\" --enable-oidc-issuer --enable-workload-identity\n\
         fi\n",
    );
    if plan.issuer.is_none() {
        text.push_str(
            "ISSUER=\"$(az aks show --resource-group \"$RESOURCE_GROUP\" --name \"$CLUSTER\" --query 'oidcIssuerProfile.issuerUrl' -o tsv)\"\n",
        );
    }
    text.push_str(
        "case \"$ISSUER\" in\n    https://*) ;;\n    *) echo \"the cluster's OIDC issuer is not an https: URL: $ISSUER\" >&2; exit 1 ;;\nesac\n",
    );
    text.push_str(
        "\n# Phase 2: one federated credential per (identity, issuer, namespace, ServiceAccount),\n\
         # created one at a time (parallel writes to one identity fail), each skipped if it exists.\n",
    );
    for c in &plan.credentials {
        let Some(identity) = plan.identities.iter().find(|i| i.key() == c.identity) else {
            continue;
        };
        let _ = writeln!(text, "\n# {} -> {}", c.identity, c.subject);
        match (
            identity.kind,
            &identity.identity_name,
            &identity.resource_group,
            &identity.subscription,
        ) {
            (IdentityKind::ManagedIdentity, Some(name), Some(group), Some(sub)) => {
                let target = format!(
                    "--name {} --identity-name {} --resource-group {} --subscription {}",
                    quote(&c.name),
                    quote(name),
                    quote(group),
                    quote(sub)
                );
                let _ = write!(
                    text,
                    "if az identity federated-credential show {target} >/dev/null 2>&1; then\n    \
                     echo {}\nelse\n    \
                     az identity federated-credential create {target} \\\n        \
                     --issuer \"$ISSUER\" --subject {} --audiences {}\nfi\n",
                    quote(&format!("exists: {} on {}", c.name, c.identity)),
                    quote(&c.subject),
                    quote(AUDIENCE)
                );
            }
            _ => {
                let app = quote(&identity.client_id);
                let _ = write!(
                    text,
                    "if az ad app federated-credential show --id {app} --federated-credential-id {} >/dev/null 2>&1; then\n    \
                     echo {}\nelse\n    \
                     az ad app federated-credential create --id {app} --parameters \\\n        \
                     \"$(printf '{{\"name\":\"%s\",\"issuer\":\"%s\",\"subject\":\"%s\",\"audiences\":[\"%s\"]}}' {} \"$ISSUER\" {} {})\"\nfi\n",
                    quote(&c.name),
                    quote(&format!("exists: {} on {}", c.name, c.identity)),
                    quote(&c.name),
                    quote(&c.subject),
                    quote(AUDIENCE)
                );
            }
        }
    }
    if !plan.service_accounts.is_empty() {
        text.push_str(
            "\n# The ServiceAccounts, annotated with their identity's client id.\n\
             kubectl apply -f manifests/serviceaccounts.yaml\n",
        );
    }
    text.push_str(
        "\necho 'Phases 1 and 2 done. Next: roll out the patches (README.md, phase 3).'\n",
    );
    text
}

fn rollout_command(w: &WorkloadPlan) -> String {
    format!(
        "kubectl patch {} {} --namespace {} --patch-file {}",
        resource(&w.kind),
        quote(&w.name),
        quote(&w.namespace),
        quote(&w.patch)
    )
}

fn cleanup(plan: &Plan) -> String {
    let mut text = String::from(
        "#!/usr/bin/env bash\n\
         # Phases 5 and 6: remove pod-managed identity once every workload runs on Workload ID and\n\
         # has been verified (README.md, phase 4). Planned by `aks-id migrate`, never run by it.\n\
         set -euo pipefail\n\n",
    );
    variables(plan, &mut text);
    text.push_str("\n# Phase 5: the aadpodidbinding labels and the bindings.\n");
    let remove = format!(
        "[{{\"op\":\"remove\",\"path\":\"/{}/metadata/labels/{}\"}}]",
        "spec/template",
        pointer(PI_LABEL)
    );
    for w in &plan.workloads {
        if w.label_in_selector {
            let _ = writeln!(
                text,
                "# {} {}/{}: aadpodidbinding is in spec.selector (immutable): recreate it without the label.",
                w.kind, w.namespace, w.name
            );
            continue;
        }
        let path = match w.kind.as_str() {
            "Pod" => format!(
                "[{{\"op\":\"remove\",\"path\":\"/metadata/labels/{}\"}}]",
                pointer(PI_LABEL)
            ),
            "CronJob" => format!(
                "[{{\"op\":\"remove\",\"path\":\"/spec/jobTemplate/spec/template/metadata/labels/{}\"}}]",
                pointer(PI_LABEL)
            ),
            _ => remove.clone(),
        };
        let _ = writeln!(
            text,
            "kubectl patch {} {} --namespace {} --type json --patch {} || echo {}",
            resource(&w.kind),
            quote(&w.name),
            quote(&w.namespace),
            quote(&path),
            quote(&format!(
                "label already gone: {} {}/{}",
                w.kind, w.namespace, w.name
            ))
        );
    }
    for b in &plan.bindings_to_delete {
        let _ = writeln!(
            text,
            "kubectl delete azureidentitybinding {} --namespace {} --ignore-not-found",
            quote(&b.name),
            quote(&b.namespace)
        );
    }
    text.push_str(
        "\n# Phase 6: pod identity itself, last. POD_IDENTITY_INSTALL says how it was installed:\n\
         # addon (az aks pod-identity) or helm (the aad-pod-identity chart).\n",
    );
    let _ = writeln!(
        text,
        "POD_IDENTITY_INSTALL=\"${{POD_IDENTITY_INSTALL:-{}}}\"",
        if plan.addon { "addon" } else { "helm" }
    );
    text.push_str("case \"$POD_IDENTITY_INSTALL\" in\n    addon)\n");
    text.push_str(
        "        # As the AKS documentation removes the add-on (az aks pod-identity needs the aks-preview\n        \
         # extension): each pod identity from the cluster first, then the add-on. The managed\n        \
         # identities themselves stay: Workload ID uses them now.\n",
    );
    for o in plan
        .pod_identity_objects
        .iter()
        .filter(|o| o.kind == "AzureIdentity")
    {
        let _ = writeln!(
            text,
            "        az aks pod-identity delete --resource-group \"$RESOURCE_GROUP\" --cluster-name \"$CLUSTER\" --namespace {} --name {} \\\n            || echo {}",
            quote(&o.namespace),
            quote(&o.name),
            quote(&format!(
                "not an add-on pod identity: {}/{} (delete it with kubectl)",
                o.namespace, o.name
            ))
        );
    }
    text.push_str(
        "        az aks update --resource-group \"$RESOURCE_GROUP\" --name \"$CLUSTER\" --disable-pod-identity\n        ;;\n    helm)\n",
    );
    for o in &plan.pod_identity_objects {
        let _ = writeln!(
            text,
            "        kubectl delete {} {} --namespace {} --ignore-not-found",
            resource(&o.kind),
            quote(&o.name),
            quote(&o.namespace)
        );
    }
    text.push_str(
        "        helm uninstall \"${HELM_RELEASE:-aad-pod-identity}\" --namespace \"${HELM_NAMESPACE:-default}\" || true\n",
    );
    for crd in [
        "azureassignedidentities.aadpodidentity.k8s.io",
        "azureidentities.aadpodidentity.k8s.io",
        "azureidentitybindings.aadpodidentity.k8s.io",
        "azurepodidentityexceptions.aadpodidentity.k8s.io",
    ] {
        let _ = writeln!(
            text,
            "        kubectl delete crd {} --ignore-not-found",
            quote(crd)
        );
    }
    text.push_str(
        "        ;;\n    *)\n        echo \"POD_IDENTITY_INSTALL must be addon or helm, not $POD_IDENTITY_INSTALL\" >&2\n        exit 2\n        ;;\nesac\n",
    );
    text
}

fn readme(plan: &Plan) -> String {
    let mut t = String::from("# Migration from pod-managed identity to Workload ID\n\n");
    t.push_str(
        "Planned by `aks-id migrate` from manifests, not from running pods: CronJobs between runs and \
         workloads scaled to zero are included. Review every file before applying it.\n\n",
    );
    let _ = writeln!(
        t,
        "{} workload(s) converted, {} manual step(s), {} ServiceAccount(s), {} federated credential(s) on {} identit{}.\n",
        plan.workloads.len(),
        plan.manual.len(),
        plan.service_accounts.len(),
        plan.credentials.len(),
        plan.identities.len(),
        if plan.identities.len() == 1 {
            "y"
        } else {
            "ies"
        }
    );
    t.push_str("## Workloads\n\n| namespace | kind | name | identity | ServiceAccount | path | why |\n|---|---|---|---|---|---|---|\n");
    for w in &plan.workloads {
        let _ = writeln!(
            t,
            "| {} | {} | {} | {} | {} | {} | {} |",
            md_cell(&w.namespace),
            md_cell(&w.kind),
            md_cell(&w.name),
            md_cell(&w.identities.join(", ")),
            md_cell(&w.service_account),
            w.path.as_str(),
            md_cell(&w.why)
        );
    }
    if !plan.manual.is_empty() {
        t.push_str("\n## Manual steps (not converted)\n\n| namespace | kind | name | where | why |\n|---|---|---|---|---|\n");
        for m in &plan.manual {
            let _ = writeln!(
                t,
                "| {} | {} | {} | {} | {} |",
                md_cell(&m.namespace),
                md_cell(&m.kind),
                md_cell(&m.name),
                md_cell(&m.at),
                md_cell(&m.reason)
            );
        }
    }
    if !plan.refused.is_empty() {
        t.push_str(
            "\n## Refused values\n\nThese values broke their rule and were written nowhere:\n\n",
        );
        for r in &plan.refused {
            let _ = writeln!(t, "- {}: {}", md_text(&r.at), md_text(&r.message));
        }
    }
    if !plan.warnings.is_empty() {
        t.push_str("\n## Warnings\n\n");
        for w in &plan.warnings {
            let _ = writeln!(t, "- {}", md_text(w));
        }
    }
    t.push_str("\n## Identities and federated credentials\n\n| identity | type | client id | subjects | status |\n|---|---|---|---|---|\n");
    for i in &plan.identities {
        let _ = writeln!(
            t,
            "| {} | {} ({}) | {} | {} | {} |",
            md_cell(&i.key()),
            i.type_,
            match i.kind {
                IdentityKind::ManagedIdentity => "managed identity",
                IdentityKind::AppRegistration => "app registration",
            },
            i.client_id,
            i.subjects,
            i.status
        );
    }
    t.push_str(
        "\nAn identity holds at most 20 federated credentials (one per issuer, namespace and \
         ServiceAccount, across every cluster). Workloads of one namespace bound through one selector \
         share one ServiceAccount to keep the count low.\n",
    );

    t.push_str("\n## Phases\n\nEach phase has a check; do not start the next one before it passes. Each has a rollback.\n");
    t.push_str(
        "\n### 1. Enable the OIDC issuer and Workload ID\n\n\
         Run the first part of `commands.sh` (it stops after phase 2).\n\n\
         - Check: `az aks show -g \"$RESOURCE_GROUP\" -n \"$CLUSTER\" --query '[oidcIssuerProfile.enabled, securityProfile.workloadIdentity.enabled]'` prints `true` twice, and \
         `kubectl get mutatingwebhookconfiguration azure-wi-webhook-mutating-webhook-configuration` exists.\n\
         - Rollback: nothing to undo for the workloads; `az aks update --disable-workload-identity` removes the webhook (the issuer cannot be disabled once enabled).\n",
    );
    t.push_str(
        "\n### 2. Create the ServiceAccounts and federated credentials\n\n\
         `commands.sh` creates each federated credential once (skipped when it exists) and applies `manifests/serviceaccounts.yaml`.\n\n\
         - Check: `az identity federated-credential list --identity-name NAME -g GROUP` lists one credential per subject below; `kubectl get sa -n NS NAME -o yaml` shows the client-id annotation.\n\
         - Rollback: `az identity federated-credential delete` for each; remove the client-id annotations. Pods still on pod identity are not affected.\n\n",
    );
    for c in &plan.credentials {
        let _ = writeln!(
            t,
            "- {}: `{}` as `{}`",
            md_text(&c.identity),
            c.subject,
            c.name
        );
    }
    t.push_str(
        "\n### 3. Roll out with both labels (parallel run)\n\n\
         Each patch adds `azure.workload.identity/use: \"true\"` to the pod template (never to the ServiceAccount or the controller's own metadata) \
         and sets `serviceAccountName`; `aadpodidbinding` stays, so pod identity still answers until phase 5. \
         The proxy path asks the webhook for the migration proxy by annotation: the webhook injects a hardened, correctly ordered sidecar. \
         A SecretProviderClass that used `usePodIdentity` is patched first (its volume is mounted when a pod starts, with the pod's ServiceAccount). \
         With kustomize, add each file under `patches:`; with kubectl:\n\n```sh\n",
    );
    for sp in &plan.secret_provider_classes {
        // Before the pods that mount it: a CSI volume is mounted when a pod starts.
        let _ = writeln!(
            t,
            "kubectl patch secretproviderclass {} --namespace {} --type merge --patch-file {}",
            quote(&sp.name),
            quote(&sp.namespace),
            quote(&sp.patch)
        );
    }
    for w in &plan.workloads {
        let _ = writeln!(t, "{}", rollout_command(w));
    }
    t.push_str(
        "```\n\n\
         A bare Pod cannot change its ServiceAccount: recreate it from its manifest with the patch applied.\n\n\
         - Check: `kubectl rollout status`; new pods have `AZURE_CLIENT_ID` and `AZURE_FEDERATED_TOKEN_FILE` in their env (`kubectl exec ... -- env`), proxy-path pods an `azwi-proxy` container.\n\
         - Rollback: `kubectl rollout undo` (or revert the patch in Git): the pods return to pod identity alone.\n",
    );
    t.push_str(
        "\n### 4. Verify\n\n\
         Watch each workload reach its Azure resources with the new pods; look for `AADSTS70021` (no matching federated credential) or `AADSTS700016` in their logs, and run `aks-id scan` on the patched manifests.\n\n\
         - Check: no authentication errors over a full cycle of the workload (a CronJob's next run included).\n\
         - Rollback: as in phase 3.\n",
    );
    t.push_str(
        "\n### 5. Remove the aadpodidbinding labels and the bindings\n\n\
         `cleanup.sh` (first part) removes the label from each converted pod template and deletes the bindings whose every workload is converted. Remove the label from your manifests in Git too.\n\n\
         - Check: `kubectl get pods -A -l aadpodidbinding` lists only the workloads of the manual steps.\n\
         - Rollback: put the label back (`kubectl patch` or revert in Git) and re-apply the bindings from your manifests.\n",
    );
    t.push_str(
        "\n### 6. Remove pod identity, last\n\n\
         `cleanup.sh` (second part) removes the add-on (`--disable-pod-identity`) or, for a Helm install, the identities, exceptions, NMI and MIC, then the CRDs. \
         Only when the manual steps above are done.\n\n\
         - Check: `kubectl get pods -A | grep -E 'nmi|mic'` is empty; `kubectl get crd | grep aadpodidentity` is empty.\n\
         - Rollback: reinstall pod identity (add-on or chart) and re-apply the identities and bindings from your manifests.\n",
    );
    t.push_str(
        "\n## Sources\n\n\
         - https://learn.microsoft.com/azure/aks/workload-identity-migrate-from-pod-identity\n\
         - https://learn.microsoft.com/azure/aks/workload-identity-overview\n\
         - https://azure.github.io/azure-workload-identity/docs/topics/service-account-labels-and-annotations.html\n\
         - https://azure.github.io/aad-pod-identity/docs/configure/match_pods_in_namespace/\n",
    );
    t
}

#[cfg(test)]
mod tests {
    use super::yaml_plain;

    /// A value YAML could misread is written as a JSON string (a YAML double-quoted scalar),
    /// escaped as serde_json escapes it; a plain name stays plain.
    #[test]
    fn values_yaml_could_misread_are_double_quoted() {
        assert_eq!(yaml_plain("apps/v1"), "apps/v1");
        for value in [
            "",
            "1.0",
            "a b",
            "x\"y",
            "back\\slash",
            "tab\there",
            "é",
            "-x",
        ] {
            let expected = serde_json::to_string(value).expect("a string writes as JSON");
            assert_eq!(yaml_plain(value), expected, "{value:?}");
        }
    }
}
