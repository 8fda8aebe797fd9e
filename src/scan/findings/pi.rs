//! aad-pod-identity (retired): workloads that still use it, bindings, identities and exceptions
//! that MIC would not match as written, and the NMI/MIC components. Matching as in
//! aad-pod-identity's `pkg/mic/mic.go` and `pkg/pod/pod.go`.

use rustc_hash::FxHashMap;

use super::{Sink, is_guid, name, placeholder_kind};
use crate::catalog::Severity;
use crate::scan::index::Index;
use crate::scan::model::*;

fn bindings(index: &Index) -> impl Iterator<Item = (usize, &Object, Option<&Text>, Option<&Text>)> {
    index
        .of_kind("AzureIdentityBinding")
        .filter_map(|(i, o)| match &o.body {
            Body::AzureIdentityBinding(b) => {
                Some((i, o, b.azure_identity.as_ref(), b.selector.as_ref()))
            }
            _ => None,
        })
}

/// Whether NMI/MIC in the input run namespaced (`--forceNamespaced`), which limits bindings to
/// their own namespace.
fn force_namespaced(index: &Index) -> bool {
    index.workloads().any(|(_, _, w)| {
        w.pod.containers.iter().any(|c| {
            c.words
                .iter()
                .any(|t| t.value.starts_with("--forceNamespaced") && !t.value.ends_with("=false"))
                || c.env.iter().any(|e| {
                    e.name == "FORCENAMESPACED"
                        && e.value.as_ref().is_some_and(|v| v.value == "true")
                })
        })
    })
}

fn namespaced_identity(index: &Index, namespace: &str, identity: &str) -> bool {
    index.of_kind("AzureIdentity").any(|(_, o)| {
        o.namespace == namespace
            && o.name == identity
            && lookup(&o.meta.annotations, "aadpodidentity.k8s.io/Behavior")
                .is_some_and(|a| a.value == "namespaced")
    })
}

pub fn workload_uses_pod_identity(index: &Index, sink: &mut Sink) {
    for (i, o, w) in index.checked() {
        let pod = &w.pod;
        if let Some(key) = lookup(&w.selector, PI_LABEL) {
            sink.report_as(
                "pi-workload-uses-pod-identity",
                Severity::Error,
                i,
                key.key_loc,
                format!(
                    "{}: aadpodidbinding is in spec.selector, which cannot change: removing pod \
                     identity means recreating the {}",
                    name(o),
                    o.kind
                ),
            );
        }
        if let Some(label) = lookup(&pod.labels, PI_LABEL) {
            let matched: Vec<String> = bindings(index)
                .filter(|(_, _, _, s)| s.is_some_and(|s| s.value == label.value))
                .map(|(_, b, id, _)| {
                    format!(
                        "{}/{} -> {}",
                        b.namespace,
                        b.name,
                        id.map_or("?", |t| t.value.as_str())
                    )
                })
                .collect();
            let via = if matched.is_empty() {
                String::new()
            } else {
                format!(" (bindings: {})", matched.join(", "))
            };
            sink.report(
                "pi-workload-uses-pod-identity",
                i,
                label.key_loc,
                format!(
                    "{}: uses pod-managed identity through aadpodidbinding \"{}\"{via}; it is \
                     retired: migrate to Workload ID",
                    name(o),
                    label.value
                ),
            );
        } else if let Some(a) = lookup(&pod.annotations, PI_LABEL) {
            sink.report_as(
                "pi-workload-uses-pod-identity",
                Severity::Info,
                i,
                a.key_loc,
                format!(
                    "{}: aadpodidbinding is an annotation here, which MIC ignores (a leftover?)",
                    name(o)
                ),
            );
        }
    }
}

pub fn binding_dangling(index: &Index, sink: &mut Sink) {
    let namespaced = force_namespaced(index);
    let any_binding = bindings(index).next().is_some();
    let any_identity = index.of_kind("AzureIdentity").next().is_some();
    // (a) a pod label that no binding selects.
    if any_binding || index.complete {
        for (i, o, w) in index.checked() {
            let Some(label) = lookup(&w.pod.labels, PI_LABEL) else {
                continue;
            };
            let found = bindings(index).any(|(_, b, _, s)| {
                s.is_some_and(|s| s.value == label.value)
                    && (!namespaced || b.namespace == o.namespace)
            });
            if !found {
                let near = bindings(index)
                    .filter_map(|(_, _, _, s)| s)
                    .find(|s| s.value.eq_ignore_ascii_case(&label.value))
                    .map(|s| format!(" (a binding selects \"{}\": case matters)", s.value))
                    .unwrap_or_default();
                sink.report(
                    "pi-binding-dangling",
                    i,
                    label.loc,
                    format!(
                        "{}: no AzureIdentityBinding{} has selector \"{}\"{near}; NMI will answer \
                         \"no AzureAssignedIdentity found\"",
                        name(o),
                        if namespaced { " in its namespace" } else { "" },
                        label.value
                    ),
                );
            }
        }
    }
    for (i, b, identity, selector) in bindings(index) {
        // (c) empty fields, or an identity that is not in the binding's namespace.
        match identity.filter(|t| !t.value.is_empty()) {
            None => sink.report(
                "pi-binding-dangling",
                i,
                b.loc,
                format!("{}: spec.azureIdentity is missing or empty", name(b)),
            ),
            Some(id) if any_identity || index.complete => {
                let exists = index
                    .of_kind("AzureIdentity")
                    .any(|(_, o)| o.namespace == b.namespace && o.name == id.value);
                if !exists {
                    sink.report(
                        "pi-binding-dangling",
                        i,
                        id.loc,
                        format!(
                            "{}: AzureIdentity {}/{} is not in the input; MIC skips the binding \
                             (\"identity not found\")",
                            name(b),
                            b.namespace,
                            id.value
                        ),
                    );
                }
            }
            Some(_) => {}
        }
        match selector.filter(|t| !t.value.is_empty()) {
            None => sink.report(
                "pi-binding-dangling",
                i,
                b.loc,
                format!("{}: spec.selector is missing or empty", name(b)),
            ),
            Some(s) => {
                // (b) a binding that no workload of the input selects.
                let used = index.workloads().any(|(_, o, w)| {
                    lookup(&w.pod.labels, PI_LABEL).is_some_and(|l| l.value == s.value)
                        && (!namespaced || o.namespace == b.namespace)
                });
                let any_pi_workload = index
                    .workloads()
                    .any(|(_, _, w)| lookup(&w.pod.labels, PI_LABEL).is_some());
                if !used && (any_pi_workload || index.complete) {
                    sink.report_as(
                        "pi-binding-dangling",
                        Severity::Warning,
                        i,
                        s.loc,
                        format!(
                            "{}: no workload in the input has aadpodidbinding \"{}\" (a dead \
                             binding?)",
                            name(b),
                            s.value
                        ),
                    );
                }
            }
        }
    }
}

/// MIC's pattern for a user-assigned identity's resource ID.
fn is_uami_resource_id(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let parts: Vec<&str> = lower.split('/').collect();
    // /subscriptions/S/resourcegroups/G/providers/microsoft.managedidentity/userassignedidentities/N
    parts.len() >= 9
        && parts[0].is_empty()
        && parts[1] == "subscriptions"
        && parts[3] == "resourcegroups"
        && parts[5] == "providers"
        && parts[6] == "microsoft.managedidentity"
        && parts[7] == "userassignedidentities"
        && !parts[8].is_empty()
}

pub fn azureidentity_invalid(index: &Index, sink: &mut Sink) {
    for (i, o) in index.objects.iter().enumerate() {
        if o.template {
            continue;
        }
        let legacy: &[Text] = match &o.body {
            Body::AzureIdentity(a) => &a.legacy_keys,
            Body::AzureIdentityBinding(b) => &b.legacy_keys,
            Body::AzurePodIdentityException { legacy_keys, .. } => legacy_keys,
            _ => continue,
        };
        for key in legacy {
            sink.report(
                "pi-azureidentity-invalid",
                i,
                key.loc,
                format!(
                    "{}: {} is a pre-1.6 field name; the CRD prunes it, write {}",
                    name(o),
                    key.value,
                    lower_first(&key.value)
                ),
            );
        }
        let Body::AzureIdentity(a) = &o.body else {
            continue;
        };
        let type_ = a.type_.as_ref().map_or("0", |t| t.value.as_str());
        if !matches!(type_, "0" | "1" | "2") {
            sink.report(
                "pi-azureidentity-invalid",
                i,
                a.type_.as_ref().map_or(o.loc, |t| t.loc),
                format!(
                    "{}: spec.type {type_} is not 0 (user-assigned identity), 1 (service \
                     principal) or 2 (certificate)",
                    name(o)
                ),
            );
        }
        if type_ == "0"
            && let Some(r) = &a.resource_id
            && placeholder_kind(&r.value).is_none()
            && !is_uami_resource_id(&r.value)
        {
            sink.report(
                "pi-azureidentity-invalid",
                i,
                r.loc,
                format!(
                    "{}: resourceID is not a userAssignedIdentities resource ID; MIC ignores \
                     the identity",
                    name(o)
                ),
            );
        }
        match &a.client_id {
            None if a.legacy_keys.iter().all(|k| k.value != "ClientID") => sink.report(
                "pi-azureidentity-invalid",
                i,
                o.loc,
                format!("{}: spec.clientID is missing", name(o)),
            ),
            Some(c) if !a.client_id_is_string => sink.report(
                "pi-azureidentity-invalid",
                i,
                c.loc,
                format!("{}: clientID is not a string (quote it)", name(o)),
            ),
            Some(c) if placeholder_kind(&c.value).is_none() && !is_guid(&c.value) => sink.report(
                "pi-azureidentity-invalid",
                i,
                c.loc,
                format!("{}: clientID \"{}\" is not a GUID", name(o), c.value),
            ),
            _ => {}
        }
    }
}

fn lower_first(key: &str) -> String {
    match key {
        "ResourceID" => "resourceID".into(),
        "ClientID" => "clientID".into(),
        "TenantID" => "tenantID".into(),
        other => {
            let mut c = other.chars();
            c.next()
                .map(|f| f.to_ascii_lowercase().to_string() + c.as_str())
                .unwrap_or_default()
        }
    }
}

pub fn cross_namespace_matching(index: &Index, sink: &mut Sink) {
    if force_namespaced(index) {
        return;
    }
    for (i, b, identity, selector) in bindings(index) {
        let Some(s) = selector else { continue };
        if identity.is_some_and(|id| namespaced_identity(index, &b.namespace, &id.value)) {
            continue;
        }
        let others: Vec<String> = index
            .workloads()
            .filter(|(_, o, w)| {
                o.namespace != b.namespace
                    && !index.owned_by_input(o)
                    && lookup(&w.pod.labels, PI_LABEL).is_some_and(|l| l.value == s.value)
            })
            .map(|(_, o, _)| name(o))
            .collect();
        if !others.is_empty() {
            sink.report(
                "pi-cross-namespace-matching",
                i,
                s.loc,
                format!(
                    "{}: its selector also matches {} in other namespaces; without \
                     --forceNamespaced any namespace can claim this identity",
                    name(b),
                    others.join(", ")
                ),
            );
        }
    }
}

const GENERIC_KEYS: &[&str] = &["app", "component", "name", "tier", "role", "version"];

pub fn exception_overbroad(index: &Index, sink: &mut Sink) {
    for (i, e) in index.of_kind("AzurePodIdentityException") {
        let Body::AzurePodIdentityException { pod_labels, .. } = &e.body else {
            continue;
        };
        for l in pod_labels {
            let generic =
                GENERIC_KEYS.contains(&l.key.as_str()) || l.key.starts_with("app.kubernetes.io/");
            let matched: Vec<String> = index
                .checked()
                .filter(|(_, o, w)| {
                    o.namespace == e.namespace
                        && lookup(&w.pod.labels, &l.key)
                            .is_some_and(|v| v.value.eq_ignore_ascii_case(&l.value))
                })
                .map(|(_, o, _)| name(o))
                .collect();
            if generic || (!matched.is_empty() && e.namespace != "kube-system") {
                let which = if matched.is_empty() {
                    String::new()
                } else {
                    format!("; it matches {}", matched.join(", "))
                };
                sink.report(
                    "pi-exception-overbroad",
                    i,
                    l.key_loc,
                    format!(
                        "{}: podLabels {}={} lets matching pods reach IMDS and the node's \
                         identities directly{which}",
                        name(e),
                        l.key,
                        l.value
                    ),
                );
            }
        }
    }
}

pub fn nmi_mic_present(index: &Index, sink: &mut Sink) {
    for (i, o, w) in index.checked() {
        for c in &w.pod.containers {
            let nmi = c.image.contains("aad-pod-identity/nmi");
            let mic = c.image.contains("aad-pod-identity/mic");
            if !nmi && !mic {
                continue;
            }
            sink.report(
                "pi-nmi-mic-present",
                i,
                c.loc,
                format!(
                    "{}: runs aad-pod-identity {} ({}), retired software",
                    name(o),
                    if nmi { "NMI" } else { "MIC" },
                    c.image
                ),
            );
            if nmi {
                for t in &c.words {
                    let risk = match t.value.as_str() {
                        "--allow-network-plugin-kubenet=true"
                        | "--allow-network-plugin-kubenet" => {
                            Some("allows kubenet, where pods can spoof ARP to steal tokens")
                        }
                        "--metadata-header-required=false" => {
                            Some("accepts requests without the Metadata header (SSRF)")
                        }
                        _ => None,
                    };
                    if let Some(risk) = risk {
                        sink.report_as(
                            "pi-nmi-mic-present",
                            Severity::Error,
                            i,
                            t.loc,
                            format!("{}: NMI {} {risk}", name(o), t.value),
                        );
                    }
                }
            }
        }
    }
}

pub fn multi_identity_selector(index: &Index, sink: &mut Sink) {
    let mut by_selector: FxHashMap<&str, Vec<(usize, &Object, &Text)>> = FxHashMap::default();
    let mut order: Vec<&str> = Vec::new();
    for (i, b, _, s) in bindings(index) {
        let Some(s) = s.filter(|s| !s.value.is_empty()) else {
            continue;
        };
        by_selector
            .entry(s.value.as_str())
            .or_insert_with(|| {
                order.push(s.value.as_str());
                Vec::new()
            })
            .push((i, b, s));
    }
    for selector in order {
        let list = &by_selector[selector];
        if list.len() < 2 {
            continue;
        }
        let names: Vec<String> = list.iter().map(|(_, b, _)| name(b)).collect();
        let (i, _, s) = list[1];
        sink.report(
            "pi-multi-identity-selector",
            i,
            s.loc,
            format!(
                "selector \"{selector}\" is used by {} bindings ({}): its pods have several \
                 identities; with Workload ID each needs its own federated credential and the \
                 app must pass the client IDs",
                list.len(),
                names.join(", ")
            ),
        );
    }
}
