//! Workload ID wiring: the pod label, the ServiceAccount annotations, the webhook's other
//! annotations, namespaces the webhook never sees, and the federated-credential cap. Behaviour as
//! in azure-workload-identity's `pkg/webhook/webhook.go` and `deploy/azure-wi-webhook.yaml`.

use rustc_hash::{FxHashMap, FxHashSet};

use super::{Sink, is_guid, name, placeholder_kind};
use crate::catalog::Severity;
use crate::scan::index::{Index, SECRET_ENV};
use crate::scan::model::*;

/// Why a workload looks meant for Workload ID, for messages.
fn intent_reason(index: &Index, o: &Object, pod: &Pod) -> Option<String> {
    if let Some(a) = pod
        .annotations
        .iter()
        .find(|a| a.key.starts_with(WI_PREFIX))
    {
        return Some(format!("its pod template has the annotation {}", a.key));
    }
    if let Some(sa) = index.pod_service_account(o, pod) {
        if lookup(&sa.meta.annotations, WI_CLIENT_ID).is_some() {
            return Some(format!(
                "its ServiceAccount {} has the client-id annotation",
                sa.name
            ));
        }
        if lookup(&sa.meta.labels, WI_USE_LABEL).is_some() {
            return Some(format!("its ServiceAccount {} has the use label", sa.name));
        }
    }
    if crate::scan::index::runs_wi_proxy(pod) {
        return Some("it runs the Workload ID proxy".to_owned());
    }
    let token = pod.containers.iter().any(|c| {
        c.env.iter().any(|e| e.name == "AZURE_FEDERATED_TOKEN_FILE")
            || c.words.iter().any(|w| {
                w.value.contains("AZURE_FEDERATED_TOKEN_FILE")
                    || w.value.contains("/var/run/secrets/azure/")
            })
    });
    token.then(|| "a container refers to the federated token file".to_owned())
}

fn has_use_label(pod: &Pod) -> bool {
    lookup(&pod.labels, WI_USE_LABEL).is_some()
}

fn controller_label<'a>(o: &'a Object, w: &'a Workload) -> Option<&'a Entry> {
    if o.kind == "Pod" {
        return None;
    }
    lookup(&o.meta.labels, WI_USE_LABEL).or_else(|| lookup(&w.job_template_labels, WI_USE_LABEL))
}

pub fn label_missing(index: &Index, sink: &mut Sink) {
    for (i, o, w) in index.checked() {
        let pod = &w.pod;
        if has_use_label(pod) || controller_label(o, w).is_some() {
            continue;
        }
        let Some(reason) = intent_reason(index, o, pod) else {
            continue;
        };
        let note = if lookup(&pod.annotations, WI_USE_LABEL).is_some() {
            " (it is an annotation there: the webhook reads only labels)"
        } else {
            ""
        };
        sink.report(
            "wi-label-missing",
            i,
            pod.loc,
            format!(
                "{}: Workload ID is intended ({reason}) but the pod template has no label \
                 azure.workload.identity/use: \"true\"{note}; the webhook will not mutate its pods",
                name(o)
            ),
        );
    }
}

pub fn label_on_serviceaccount(index: &Index, sink: &mut Sink) {
    let labelled: Vec<(usize, &Object, &Entry)> = index
        .of_kind("ServiceAccount")
        .filter_map(|(i, sa)| lookup(&sa.meta.labels, WI_USE_LABEL).map(|l| (i, sa, l)))
        .collect();
    if labelled.is_empty() {
        return;
    }
    // The old documentation put the label on every ServiceAccount: the workloads are grouped by
    // the ServiceAccount they run as once, not searched again for each ServiceAccount. The value
    // is whether none of the workloads has the label.
    let mut users: FxHashMap<(&str, &str), bool> = FxHashMap::default();
    for (_, o, w) in index.workloads() {
        let none_labelled = users
            .entry((o.namespace.as_str(), Index::sa_name(&w.pod)))
            .or_insert(true);
        *none_labelled &= !has_use_label(&w.pod);
    }
    for (i, sa, label) in labelled {
        let unlabelled = users
            .get(&(sa.namespace.as_str(), sa.name.as_str()))
            .copied()
            .unwrap_or(false);
        let message = format!(
            "{}: the label azure.workload.identity/use on a ServiceAccount does nothing since \
             webhook v1.0.0{}",
            name(sa),
            if unlabelled {
                "; no pod using this ServiceAccount has the label, so none is mutated"
            } else {
                "; put it on the pod templates"
            }
        );
        if unlabelled {
            sink.report_as(
                "wi-label-on-serviceaccount",
                Severity::Error,
                i,
                label.key_loc,
                message,
            );
        } else {
            sink.report("wi-label-on-serviceaccount", i, label.key_loc, message);
        }
    }
}

pub fn label_on_controller(index: &Index, sink: &mut Sink) {
    for (i, o, w) in index.checked() {
        if has_use_label(&w.pod) {
            continue;
        }
        if let Some(label) = controller_label(o, w) {
            sink.report(
                "wi-label-on-controller-metadata",
                i,
                label.key_loc,
                format!(
                    "{}: the label azure.workload.identity/use is on the {} itself, not on its \
                     pod template, so its pods are not mutated",
                    name(o),
                    o.kind
                ),
            );
        }
    }
}

pub fn label_value_not_true(index: &Index, sink: &mut Sink) {
    for (i, o, w) in index.checked() {
        let Some(label) = lookup(&w.pod.labels, WI_USE_LABEL) else {
            continue;
        };
        if !label.is_string {
            sink.report(
                "wi-label-value-not-true",
                i,
                label.loc,
                format!(
                    "{}: the label azure.workload.identity/use is the unquoted {}, which \
                     Kubernetes reads as a YAML 1.1 {} and rejects (labels are strings); write \"true\"",
                    name(o),
                    if label.value.is_empty() {
                        "empty value"
                    } else {
                        label.value.as_str()
                    },
                    if label.value.is_empty() {
                        "null"
                    } else if label.value.parse::<f64>().is_ok() {
                        "number"
                    } else {
                        "boolean"
                    }
                ),
            );
        } else if label.value != "true" {
            sink.report(
                "wi-label-value-not-true",
                i,
                label.loc,
                format!(
                    "{}: the label azure.workload.identity/use is \"{}\"; the webhook selects only \
                     the exact string \"true\"",
                    name(o),
                    label.value
                ),
            );
        }
    }
}

pub fn label_in_selector(index: &Index, sink: &mut Sink) {
    for (i, o, w) in index.checked() {
        if let Some(key) = lookup(&w.selector, WI_USE_LABEL) {
            sink.report(
                "wi-label-in-selector",
                i,
                key.key_loc,
                format!(
                    "{}: azure.workload.identity/use is in spec.selector, which cannot change: \
                     turning Workload ID on or off later means recreating the {}",
                    name(o),
                    o.kind
                ),
            );
        }
    }
}

fn defines_env(pod: &Pod, env: &str) -> bool {
    pod.containers
        .iter()
        .any(|c| c.env.iter().any(|e| e.name == env))
}

pub fn clientid_missing(index: &Index, sink: &mut Sink) {
    for (i, o, w) in index.checked() {
        let pod = &w.pod;
        if !has_use_label(pod)
            || defines_env(pod, "AZURE_CLIENT_ID")
            || pod.containers.iter().any(|c| !c.env_from.is_empty())
        {
            continue;
        }
        let sa_name = Index::sa_name(pod);
        match index.pod_service_account(o, pod) {
            Some(sa) => {
                let annotated = lookup(&sa.meta.annotations, WI_CLIENT_ID).is_some();
                if annotated {
                    continue;
                }
                let default_note = if pod.service_account.is_none() {
                    " (the pod names no serviceAccountName, so it uses the namespace's shared \
                     default ServiceAccount)"
                } else {
                    ""
                };
                sink.report(
                    "wi-clientid-missing",
                    i,
                    pod.loc,
                    format!(
                        "{}: its ServiceAccount {sa_name}{default_note} has no annotation \
                         azure.workload.identity/client-id and no container sets AZURE_CLIENT_ID; \
                         the SDK will not know which identity to use",
                        name(o)
                    ),
                );
            }
            None if pod.service_account.is_none() => {
                sink.report_as(
                    "wi-clientid-missing",
                    Severity::Warning,
                    i,
                    pod.loc,
                    format!(
                        "{}: labelled for Workload ID but names no serviceAccountName: it uses \
                         the namespace's default ServiceAccount, shared by every pod there and \
                         rarely annotated with azure.workload.identity/client-id",
                        name(o)
                    ),
                );
            }
            None => {}
        }
    }
}

pub fn id_annotation_invalid(index: &Index, sink: &mut Sink) {
    for (i, sa) in index.of_kind("ServiceAccount") {
        if let Some(c) = lookup(&sa.meta.annotations, WI_CLIENT_ID)
            && placeholder_kind(&c.value).is_none()
            && !is_guid(&c.value)
        {
            let hint = if c.value.to_ascii_lowercase().starts_with("/subscriptions/") {
                "a resource ID, not a client ID (Entra answers AADSTS700016)"
            } else {
                "not a GUID"
            };
            sink.report(
                "wi-id-annotation-invalid",
                i,
                c.loc,
                format!(
                    "{}: azure.workload.identity/client-id \"{}\" is {hint}; use the identity's \
                     clientId",
                    name(sa),
                    c.value
                ),
            );
        }
        if let Some(t) = lookup(&sa.meta.annotations, WI_TENANT_ID)
            && placeholder_kind(&t.value).is_none()
            && !is_guid(&t.value)
        {
            let domain = t.value.ends_with(".onmicrosoft.com");
            sink.report_as(
                "wi-id-annotation-invalid",
                if domain {
                    Severity::Info
                } else {
                    Severity::Warning
                },
                i,
                t.loc,
                format!(
                    "{}: azure.workload.identity/tenant-id \"{}\" is {}",
                    name(sa),
                    t.value,
                    if domain {
                        "a domain name; the tenant's GUID is safer"
                    } else {
                        "not a tenant GUID"
                    }
                ),
            );
        }
    }
}

/// The annotation keys the webhook reads, after `azure.workload.identity/`.
const KNOWN_KEYS: &[&str] = &[
    "use",
    "client-id",
    "tenant-id",
    "service-account-token-expiration",
    "skip-containers",
    "inject-proxy-sidecar",
    "proxy-sidecar-port",
    "use-identity-binding",
];

/// `clientId`, `client_id`, `Client-ID` → `client-id`.
fn normalise(key: &str) -> String {
    let mut out = String::new();
    for (n, c) in key.chars().enumerate() {
        if c.is_ascii_uppercase() && n > 0 && !out.ends_with('-') {
            out.push('-');
        }
        out.push(if c == '_' {
            '-'
        } else {
            c.to_ascii_lowercase()
        });
    }
    out.replace("--", "-")
}

fn suggestion(rest: &str) -> Option<&'static str> {
    let n = normalise(rest);
    KNOWN_KEYS
        .iter()
        .find(|k| **k == n || n.replace('-', "") == k.replace('-', ""))
        .copied()
}

pub fn annotation_misplaced(index: &Index, sink: &mut Sink) {
    for (i, o) in index.objects.iter().enumerate() {
        if o.template {
            continue;
        }
        let is_sa = o.kind == "ServiceAccount";
        let mut places: Vec<(&[Entry], &str)> = vec![(&o.meta.annotations, "")];
        let pod_annotations;
        if let Body::Workload(w) = &o.body {
            if index.owned_by_input(o) {
                continue;
            }
            pod_annotations = &w.pod.annotations;
            places.push((pod_annotations, " pod template"));
        }
        for (annotations, place) in places {
            for a in annotations {
                let Some(rest) = a.key.strip_prefix(WI_PREFIX) else {
                    continue;
                };
                if rest == "client-id" || rest == "tenant-id" {
                    if !is_sa || !place.is_empty() {
                        sink.report(
                            "wi-annotation-misplaced",
                            i,
                            a.key_loc,
                            format!(
                                "{}{place}: the annotation {} is read only from the pod's \
                                 ServiceAccount; here it does nothing",
                                name(o),
                                a.key
                            ),
                        );
                    }
                } else if !KNOWN_KEYS.contains(&rest) && !rest.starts_with("use-") {
                    let hint = suggestion(rest)
                        .map(|k| format!(" (did you mean {WI_PREFIX}{k}?)"))
                        .unwrap_or_default();
                    sink.report_as(
                        "wi-annotation-misplaced",
                        Severity::Warning,
                        i,
                        a.key_loc,
                        format!(
                            "{}{place}: the webhook knows no annotation {}{hint}; it is ignored",
                            name(o),
                            a.key
                        ),
                    );
                }
            }
        }
    }
}

fn expiration_problem(value: &str) -> Option<String> {
    match value.parse::<i64>() {
        Ok(n) if (3600..=86400).contains(&n) => None,
        Ok(n) => Some(format!("{n} is outside 3600..86400 seconds")),
        Err(_) => Some(format!("\"{value}\" is not a whole number of seconds")),
    }
}

pub fn token_expiration_invalid(index: &Index, sink: &mut Sink) {
    for (i, o, w) in index.checked() {
        if !has_use_label(&w.pod) {
            continue;
        }
        // The pod's annotation wins over the ServiceAccount's when it is not empty.
        let pod_value =
            lookup(&w.pod.annotations, WI_TOKEN_EXPIRATION).filter(|a| !a.value.is_empty());
        if let Some(a) = pod_value {
            if let Some(problem) = expiration_problem(&a.value) {
                sink.report(
                    "wi-token-expiration-invalid",
                    i,
                    a.loc,
                    format!(
                        "{}: service-account-token-expiration {problem}; the webhook refuses the pod",
                        name(o)
                    ),
                );
            }
            continue;
        }
        if let Some(sa) = index.pod_service_account(o, &w.pod)
            && let Some(a) =
                lookup(&sa.meta.annotations, WI_TOKEN_EXPIRATION).filter(|a| !a.value.is_empty())
            && let Some(problem) = expiration_problem(&a.value)
        {
            sink.report(
                "wi-token-expiration-invalid",
                i,
                a.loc,
                format!(
                    "{}: its ServiceAccount {}'s service-account-token-expiration {problem}; the \
                     webhook refuses the pod",
                    name(o),
                    sa.name
                ),
            );
        }
    }
}

pub fn skip_containers_invalid(index: &Index, sink: &mut Sink) {
    for (i, o, w) in index.checked() {
        let Some(a) = lookup(&w.pod.annotations, WI_SKIP_CONTAINERS) else {
            continue;
        };
        if a.value.contains(',') {
            sink.report(
                "wi-skip-containers-invalid",
                i,
                a.loc,
                format!(
                    "{}: skip-containers \"{}\" uses commas; the webhook splits on \";\", so it \
                     reads one container name that matches nothing",
                    name(o),
                    a.value
                ),
            );
            continue;
        }
        let names: Vec<&str> = a
            .value
            .split(';')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .collect();
        let containers: Vec<&str> = w.pod.containers.iter().map(|c| c.name.as_str()).collect();
        let unknown: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| !containers.contains(n))
            .collect();
        if !unknown.is_empty() {
            sink.report(
                "wi-skip-containers-invalid",
                i,
                a.loc,
                format!(
                    "{}: skip-containers names {} that {} not in the pod",
                    name(o),
                    unknown.join(", "),
                    if unknown.len() == 1 { "is" } else { "are" }
                ),
            );
        } else if !containers.is_empty() && containers.iter().all(|c| names.contains(c)) {
            sink.report(
                "wi-skip-containers-invalid",
                i,
                a.loc,
                format!(
                    "{}: skip-containers lists every container, so none receives the token",
                    name(o)
                ),
            );
        }
    }
}

/// Whether the pod is pinned to Windows nodes.
pub fn targets_windows(pod: &Pod) -> bool {
    pod.windows_options
        || pod.node_selector.iter().any(|e| {
            (e.key == "kubernetes.io/os" || e.key == "beta.kubernetes.io/os")
                && e.value.eq_ignore_ascii_case("windows")
        })
        || (!pod.affinity_os.is_empty()
            && pod
                .affinity_os
                .iter()
                .all(|v| v.eq_ignore_ascii_case("windows")))
}

pub fn proxy_unsupported_pod(index: &Index, sink: &mut Sink) {
    for (i, o, w) in index.checked() {
        let Some(a) = lookup(&w.pod.annotations, WI_INJECT_PROXY) else {
            continue;
        };
        if w.pod.host_network.is_some() {
            sink.report(
                "wi-proxy-unsupported-pod",
                i,
                a.key_loc,
                format!(
                    "{}: the proxy sidecar is requested on a pod with hostNetwork: true; the \
                     webhook refuses the pod",
                    name(o)
                ),
            );
        }
        if targets_windows(&w.pod) {
            sink.report(
                "wi-proxy-unsupported-pod",
                i,
                a.key_loc,
                format!(
                    "{}: the proxy sidecar is requested on a pod for Windows nodes; its images \
                     are Linux-only",
                    name(o)
                ),
            );
        }
    }
}

pub fn proxy_annotation_misuse(index: &Index, sink: &mut Sink) {
    for (i, o, w) in index.checked() {
        let pod = &w.pod;
        let inject = lookup(&pod.annotations, WI_INJECT_PROXY);
        if let Some(a) = inject
            && a.value != "true"
        {
            sink.report(
                "wi-proxy-annotation-misuse",
                i,
                a.loc,
                format!(
                    "{}: inject-proxy-sidecar is \"{}\", but the webhook injects the proxy \
                     whenever the annotation is present; remove it to turn the proxy off",
                    name(o),
                    a.value
                ),
            );
        }
        if let Some(p) = lookup(&pod.annotations, WI_PROXY_PORT) {
            match p.value.parse::<i32>() {
                Err(_) => sink.report_as(
                    "wi-proxy-annotation-misuse",
                    Severity::Error,
                    i,
                    p.loc,
                    format!(
                        "{}: proxy-sidecar-port \"{}\" is not a whole number; the webhook \
                         refuses the pod",
                        name(o),
                        p.value
                    ),
                ),
                Ok(port)
                    if inject.is_some()
                        && pod
                            .containers
                            .iter()
                            .any(|c| c.ports.contains(&i64::from(port))) =>
                {
                    sink.report(
                        "wi-proxy-annotation-misuse",
                        i,
                        p.loc,
                        format!(
                            "{}: proxy-sidecar-port {port} is a port a container already uses",
                            name(o)
                        ),
                    )
                }
                Ok(_) => {}
            }
        }
        let Some(a) = inject else { continue };
        if matches!(o.kind.as_str(), "Job" | "CronJob") {
            sink.report(
                "wi-proxy-annotation-misuse",
                i,
                a.key_loc,
                format!(
                    "{}: a proxy sidecar in a {} keeps it running unless the cluster runs it as a \
                     native sidecar (Kubernetes 1.32 and later); prefer the SDK's workload \
                     identity credential",
                    name(o),
                    o.kind
                ),
            );
        }
        if let Some(ns) = index.namespace(&o.namespace)
            && let Some(psa) = lookup(&ns.meta.labels, "pod-security.kubernetes.io/enforce")
            && matches!(psa.value.as_str(), "baseline" | "restricted")
        {
            sink.report(
                "wi-proxy-annotation-misuse",
                i,
                a.key_loc,
                format!(
                    "{}: namespace {} enforces the {} Pod Security Standard, which rejects the \
                     privileged proxy-init container",
                    name(o),
                    o.namespace,
                    psa.value
                ),
            );
        }
    }
}

pub fn excluded_namespace(index: &Index, sink: &mut Sink) {
    for (i, o, w) in index.checked() {
        let Some(label) = lookup(&w.pod.labels, WI_USE_LABEL) else {
            continue;
        };
        let why = if o.namespace == "kube-system" {
            Some("kube-system".to_owned())
        } else if let Some(ns) = index.namespace(&o.namespace) {
            if let Some(l) = lookup(&ns.meta.labels, "control-plane") {
                Some(format!("a namespace labelled control-plane: {}", l.value))
            } else {
                lookup(&ns.meta.labels, "kubernetes.azure.com/managedby")
                    .filter(|l| l.value == "aks")
                    .map(|_| "a namespace labelled kubernetes.azure.com/managedby: aks".to_owned())
            }
        } else {
            None
        };
        if let Some(why) = why {
            sink.report(
                "wi-excluded-namespace",
                i,
                label.key_loc,
                format!(
                    "{}: pods in {why} are never sent to the Workload ID webhook on AKS, so they \
                     start without its environment and token",
                    name(o)
                ),
            );
        }
    }
}

pub fn serviceaccount_not_found(index: &Index, sink: &mut Sink) {
    for (i, o, w) in index.checked() {
        let pod = &w.pod;
        let Some(sa) = &pod.service_account else {
            // `default` exists in every namespace.
            continue;
        };
        if !has_use_label(pod) || sa.value == "default" {
            continue;
        }
        if index.service_account(&o.namespace, &sa.value).is_some() {
            continue;
        }
        let message = format!(
            "{}: ServiceAccount {}/{} is not in the scanned input; the webhook refuses pods whose \
             ServiceAccount does not exist{}",
            name(o),
            o.namespace,
            sa.value,
            if index.complete {
                ""
            } else {
                " (scan the files that define it, or --complete for a whole-cluster dump)"
            }
        );
        if index.complete {
            sink.report_as(
                "wi-serviceaccount-not-found",
                Severity::Error,
                i,
                sa.loc,
                message,
            );
        } else {
            sink.report("wi-serviceaccount-not-found", i, sa.loc, message);
        }
    }
}

pub fn env_conflict(index: &Index, sink: &mut Sink) {
    for (i, o, w) in index.checked() {
        let pod = &w.pod;
        if o.meta.live || !index.wi_intent(o, pod) {
            continue;
        }
        let sa = index.pod_service_account(o, pod);
        let sa_value = |key: &str| sa.and_then(|s| lookup(&s.meta.annotations, key));
        for c in &pod.containers {
            for e in &c.env {
                let literal = e.value.as_ref().map(|v| v.value.as_str());
                let problem = match e.name.as_str() {
                    "AZURE_CLIENT_ID" => match (literal, sa_value(WI_CLIENT_ID)) {
                        (Some(v), Some(a)) if v != a.value => Some(format!(
                            "sets AZURE_CLIENT_ID \"{v}\", which wins over the ServiceAccount's \
                             client-id \"{}\"",
                            a.value
                        )),
                        (None, Some(_)) if e.value_from.is_some() => Some(
                            "sets AZURE_CLIENT_ID from a reference, which wins over the \
                             ServiceAccount's client-id"
                                .to_owned(),
                        ),
                        _ => None,
                    },
                    "AZURE_TENANT_ID" => match (literal, sa_value(WI_TENANT_ID)) {
                        (Some(v), Some(a)) if v != a.value => Some(format!(
                            "sets AZURE_TENANT_ID \"{v}\", which wins over the ServiceAccount's \
                             tenant-id \"{}\"",
                            a.value
                        )),
                        _ => None,
                    },
                    "AZURE_FEDERATED_TOKEN_FILE" | "AZURE_AUTHORITY_HOST" => Some(format!(
                        "sets {}, which the webhook then leaves as written",
                        e.name
                    )),
                    name if SECRET_ENV.contains(&name) || name == "AZURE_USERNAME" => {
                        Some(format!(
                            "sets {name}: DefaultAzureCredential tries the environment's \
                             credential before Workload ID"
                        ))
                    }
                    "AZURE_TOKEN_CREDENTIALS" => literal
                        .filter(|v| {
                            !v.eq_ignore_ascii_case("prod")
                                && !v.eq_ignore_ascii_case("WorkloadIdentityCredential")
                        })
                        .map(|v| {
                            format!(
                                "sets AZURE_TOKEN_CREDENTIALS \"{v}\", which leaves Workload ID \
                                 out of DefaultAzureCredential"
                            )
                        }),
                    _ => None,
                };
                if let Some(problem) = problem {
                    sink.report(
                        "wi-env-conflict",
                        i,
                        e.loc,
                        format!("{}: container {} {problem}", name(o), c.name),
                    );
                }
            }
        }
    }
}

const OLD_TOKEN_PATH: &str = "/var/run/secrets/azure/tokens";
const NEW_TOKEN_PATH: &str = "/var/run/secrets/azure/wi";

pub fn hardcoded_token_path(index: &Index, sink: &mut Sink) {
    for (i, o, w) in index.checked() {
        if o.meta.live {
            continue;
        }
        let pod = &w.pod;
        let mut hits: Vec<(Loc, String)> = Vec::new();
        for c in &pod.containers {
            for t in c
                .words
                .iter()
                .chain(c.env.iter().filter_map(|e| e.value.as_ref()))
            {
                if t.value.contains(OLD_TOKEN_PATH) || t.value.contains(NEW_TOKEN_PATH) {
                    hits.push((
                        t.loc,
                        format!("container {} names the token's path", c.name),
                    ));
                }
            }
            for m in &c.mount_paths {
                if m.value.starts_with(OLD_TOKEN_PATH) || m.value.starts_with(NEW_TOKEN_PATH) {
                    hits.push((
                        m.loc,
                        format!(
                            "container {} mounts {} itself (a copied webhook mount)",
                            c.name, m.value
                        ),
                    ));
                }
            }
        }
        for v in &pod.volumes {
            if v.name.value == "azure-identity-token"
                || v.name
                    .value
                    .starts_with("azure-workload-identity-reserved-")
            {
                hits.push((
                    v.name.loc,
                    format!(
                        "declares the webhook's volume {} (copied from a mutated pod)",
                        v.name.value
                    ),
                ));
            }
        }
        for (loc, what) in hits {
            sink.report(
                "wi-hardcoded-token-path",
                i,
                loc,
                format!(
                    "{}: {what}; the webhook moved it in v1.6.0: read $AZURE_FEDERATED_TOKEN_FILE",
                    name(o)
                ),
            );
        }
    }
}

/// Whether the pod is scheduled on virtual nodes (Virtual Kubelet, ACI).
pub fn on_virtual_nodes(pod: &Pod) -> bool {
    pod.node_selector
        .iter()
        .any(|e| e.key == "type" && e.value == "virtual-kubelet")
        || pod.affinity_type.iter().any(|v| v == "virtual-kubelet")
        || pod
            .tolerations
            .iter()
            .any(|t| t == "virtual-kubelet.io/provider")
        || pod
            .node_name
            .as_deref()
            .is_some_and(|n| n.starts_with("virtual-node-aci"))
}

pub fn virtual_node(index: &Index, sink: &mut Sink) {
    for (i, o, w) in index.checked() {
        if has_use_label(&w.pod) && on_virtual_nodes(&w.pod) {
            sink.report(
                "wi-virtual-node",
                i,
                w.pod.loc,
                format!(
                    "{}: a Workload ID pod scheduled on virtual nodes, which do not support its \
                     projected token",
                    name(o)
                ),
            );
        }
    }
}

/// The cap of federated identity credentials per identity, and where the warning starts.
const FIC_CAP: usize = 20;
const FIC_WARN: usize = 16;

/// The ServiceAccounts `(namespace, name)` federated with one client ID, and the first object
/// naming it.
type Subjects<'a> = (FxHashSet<(&'a str, &'a str)>, usize, Loc);

pub fn fic_cap_exceeded<'a>(index: &'a Index, sink: &mut Sink) {
    // Client ID -> distinct subjects (namespace, ServiceAccount), and the first object naming it.
    let mut subjects: FxHashMap<String, Subjects<'a>> = FxHashMap::default();
    let mut order: Vec<String> = Vec::new();
    let mut add = |client: &str, subject: (&'a str, &'a str), object: usize, loc: Loc| {
        if !is_guid(client) {
            return;
        }
        let key = client.to_ascii_lowercase();
        if !subjects.contains_key(&key) {
            order.push(key.clone());
            subjects.insert(key.clone(), (FxHashSet::default(), object, loc));
        }
        if let Some(entry) = subjects.get_mut(&key) {
            entry.0.insert(subject);
        }
    };
    for (i, sa) in index.of_kind("ServiceAccount") {
        if let Some(c) = lookup(&sa.meta.annotations, WI_CLIENT_ID) {
            add(&c.value, (&sa.namespace, &sa.name), i, c.loc);
        }
    }
    for (_, o, w) in index.workloads() {
        for v in &w.pod.volumes {
            let Some(class) = v
                .secret_provider_class
                .as_ref()
                .filter(|_| v.csi_driver.as_deref() == Some(SPC_DRIVER))
            else {
                continue;
            };
            let Some(at) = index.secret_provider_class_at(&o.namespace, &class.value) else {
                continue;
            };
            if let Body::SecretProviderClass { parameters, .. } = &index.objects[at].body
                && let Some(c) = lookup(parameters, "clientID")
            {
                add(&c.value, (&o.namespace, Index::sa_name(&w.pod)), at, c.loc);
            }
        }
    }
    for client in order {
        let (set, object, loc) = &subjects[&client];
        let n = set.len();
        if n < FIC_WARN {
            continue;
        }
        let message = format!(
            "client ID {client} is used by {n} ServiceAccounts; one identity holds at most \
             {FIC_CAP} federated credentials (one per ServiceAccount and cluster)"
        );
        if n > FIC_CAP {
            sink.report("wi-fic-cap-exceeded", *object, *loc, message);
        } else {
            sink.report_as(
                "wi-fic-cap-exceeded",
                Severity::Warning,
                *object,
                *loc,
                message,
            );
        }
    }
}

pub fn automount_token_info(index: &Index, sink: &mut Sink) {
    for (i, o, w) in index.checked() {
        let pod = &w.pod;
        if !has_use_label(pod) {
            continue;
        }
        let sa_automount = index
            .pod_service_account(o, pod)
            .and_then(|sa| match &sa.body {
                Body::ServiceAccount { automount } => *automount,
                _ => None,
            });
        match pod.automount.or(sa_automount) {
            Some((false, loc)) => sink.report(
                "wi-automount-token-info",
                i,
                loc,
                format!(
                    "{}: automountServiceAccountToken: false is compatible with Workload ID, \
                     which mounts its own token",
                    name(o)
                ),
            ),
            Some((true, loc)) if pod.automount.is_some() => sink.report(
                "wi-automount-token-info",
                i,
                loc,
                format!(
                    "{}: automountServiceAccountToken: true is not needed for Workload ID; it \
                     only gives the pod a Kubernetes API token",
                    name(o)
                ),
            ),
            _ => {}
        }
    }
}
