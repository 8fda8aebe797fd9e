//! `aks-id migrate`: the plan that moves a cluster from pod-managed identity (aad-pod-identity) to
//! Workload ID, computed from the same cross-object index `scan` builds. Pure: it reads the index
//! and the options, and returns a [`Plan`] that the renderers turn into a runbook, manifests and
//! scripts.
//!
//! What it decides, per workload carrying `aadpodidbinding` (controllers from manifests, so a
//! CronJob between runs or a Deployment scaled to zero is found like any other): the
//! AzureIdentityBindings its label matches (cluster-wide, as MIC does, unless MIC/NMI run with
//! `--forceNamespaced` or the identity is annotated `aadpodidentity.k8s.io/Behavior: namespaced`),
//! the identities behind them, the ServiceAccount it will use (one per namespace and selector, to
//! keep federated credentials few), and the path: the app's own Workload ID SDK, or the
//! migration proxy the webhook injects for a legacy IMDS client. What it cannot convert safely
//! becomes a manual step with its reason; a value that breaks its rule is refused with its place.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::plan::values::{Rule, identity_resource_id};
use crate::scan::index::{Index, param_true};
use crate::scan::model::*;

/// The plan's JSON shape version.
pub const SCHEMA_VERSION: u32 = 1;
/// Entra ID accepts at most this many federated credentials on one identity.
pub const CREDENTIAL_CAP: usize = 20;
/// From this many subjects on one identity the plan warns.
pub const CREDENTIAL_WARN: usize = 16;
/// The audience of a Workload ID federated credential.
pub const AUDIENCE: &str = "api://AzureADTokenExchange";
/// The annotation that sets one workload's SDK (on the workload or its pod template).
pub const SDK_ANNOTATION: &str = "aks-id/sdk";
/// The annotation by which one AzureIdentity is matched only in its own namespace.
pub const BEHAVIOR_ANNOTATION: &str = "aadpodidentity.k8s.io/Behavior";
/// The port the migration proxy listens on unless a container already uses it.
pub const PROXY_PORT: i64 = 8000;

/// How the application gets its tokens today.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Sdk {
    /// An Azure Identity SDK (or MSAL) that reads the federated token itself.
    Current,
    /// An old SDK or raw calls to IMDS (169.254.169.254) that cannot change soon.
    LegacyImds,
}

impl Sdk {
    pub fn as_str(self) -> &'static str {
        match self {
            Sdk::Current => "current",
            Sdk::LegacyImds => "legacy-imds",
        }
    }

    pub fn parse(text: &str) -> Option<Sdk> {
        match text.trim() {
            "current" => Some(Sdk::Current),
            "legacy-imds" => Some(Sdk::LegacyImds),
            _ => None,
        }
    }
}

/// What the manifests cannot tell, resolved from the command line.
#[derive(Clone, Debug)]
pub struct Options {
    pub issuer: Option<String>,
    pub tenant_id: Option<String>,
    pub sdk: Sdk,
    pub resource_group: Option<String>,
    pub cluster: Option<String>,
    /// The cluster runs Kubernetes 1.32 or later, where the webhook injects the proxy as a native
    /// sidecar, so a Job with the proxy still completes.
    pub native_sidecars: bool,
    /// Per-workload SDKs from the answers file, keyed `namespace/Kind/name`.
    pub sdk_answers: BTreeMap<String, Sdk>,
}

/// The way a workload moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Path {
    /// The app's SDK reads the projected token: label, ServiceAccount, nothing else.
    Sdk,
    /// The webhook injects the migration proxy, which answers the app's IMDS calls.
    Proxy,
}

impl Path {
    pub fn as_str(self) -> &'static str {
        match self {
            Path::Sdk => "sdk",
            Path::Proxy => "proxy",
        }
    }
}

/// A converted workload.
#[derive(Clone, Debug, Serialize)]
pub struct WorkloadPlan {
    pub namespace: String,
    pub kind: String,
    pub name: String,
    pub api_version: String,
    /// `file:line` of the object in the input.
    pub at: String,
    pub selector: String,
    /// `namespace/name` of each AzureIdentity; the first is the ServiceAccount's client id.
    pub identities: Vec<String>,
    pub service_account: String,
    pub sdk: Sdk,
    pub path: Path,
    pub why: String,
    /// The proxy's port, on the proxy path.
    pub proxy_port: Option<i64>,
    /// The patch file, relative to the output folder.
    pub patch: String,
    /// `aadpodidbinding` is in the controller's immutable `spec.selector`.
    pub label_in_selector: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct ServiceAccountPlan {
    pub namespace: String,
    pub name: String,
    /// The ServiceAccount is in the input already (it is annotated, not created).
    pub exists: bool,
    pub client_id: String,
    pub tenant_id: Option<String>,
    pub identity: String,
    pub workloads: Vec<String>,
}

/// How an identity gets federated credentials.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IdentityKind {
    /// Type 0: a user-assigned managed identity.
    ManagedIdentity,
    /// Types 1 and 2: a service principal, whose app registration holds the credentials.
    AppRegistration,
}

#[derive(Clone, Debug, Serialize)]
pub struct IdentityPlan {
    pub namespace: String,
    pub name: String,
    #[serde(rename = "type")]
    pub type_: u8,
    pub kind: IdentityKind,
    pub client_id: String,
    pub resource_id: Option<String>,
    pub subscription: Option<String>,
    pub resource_group: Option<String>,
    pub identity_name: Option<String>,
    /// Distinct (namespace, ServiceAccount) subjects this plan federates, for one issuer.
    pub subjects: usize,
    /// `ok`, `warning` (16 to 20 subjects) or `over-cap` (no credential emitted).
    pub status: &'static str,
}

impl IdentityPlan {
    pub fn key(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// One federated credential: (identity, issuer, namespace, ServiceAccount).
#[derive(Clone, Debug, Serialize)]
pub struct Credential {
    pub identity: String,
    pub name: String,
    pub namespace: String,
    pub service_account: String,
    pub subject: String,
}

/// A SecretProviderClass that reads Key Vault through pod identity today.
#[derive(Clone, Debug, Serialize)]
pub struct SecretProviderClassPlan {
    pub namespace: String,
    pub name: String,
    pub at: String,
    pub client_id: String,
    pub patch: String,
}

/// What the plan leaves to a person, and why.
#[derive(Clone, Debug, Serialize)]
pub struct ManualStep {
    pub namespace: String,
    pub kind: String,
    pub name: String,
    pub at: String,
    pub reason: String,
}

/// A value from the input that broke its rule.
#[derive(Clone, Debug, Serialize)]
pub struct Refusal {
    pub at: String,
    pub value: String,
    pub rule: Rule,
    pub message: String,
}

/// An object to delete at the end, `kind namespace/name`.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct ObjectRef {
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Plan {
    pub schema_version: u32,
    pub issuer: Option<String>,
    pub tenant_id: Option<String>,
    pub resource_group: Option<String>,
    pub cluster: Option<String>,
    pub default_sdk: Sdk,
    /// MIC/NMI match bindings only in their own namespace (`--forceNamespaced` seen).
    pub force_namespaced: bool,
    pub workloads: Vec<WorkloadPlan>,
    pub service_accounts: Vec<ServiceAccountPlan>,
    pub identities: Vec<IdentityPlan>,
    pub credentials: Vec<Credential>,
    pub secret_provider_classes: Vec<SecretProviderClassPlan>,
    pub manual: Vec<ManualStep>,
    pub refused: Vec<Refusal>,
    pub warnings: Vec<String>,
    /// Bindings every one of whose workloads is converted: deleted in phase 5.
    pub bindings_to_delete: Vec<ObjectRef>,
    /// What phase 6 removes: identities, exceptions, NMI and MIC.
    pub pod_identity_objects: Vec<ObjectRef>,
    /// NMI runs as the AKS add-on (`--operation-mode=managed` or managed by AKS).
    pub addon: bool,
}

/// An AzureIdentity as the plan reads it, or why it cannot be used.
struct Identity {
    at: String,
    namespaced: bool,
    usable: Result<IdentityPlan, String>,
}

struct Binding {
    namespace: String,
    name: String,
    selector: String,
    identity: String,
}

/// A workload on its way through the plan, before ServiceAccounts and caps are settled.
struct Candidate {
    object: usize,
    plan: WorkloadPlan,
    /// Keys of `identities`, in binding order.
    identity_keys: Vec<String>,
    spcs: Vec<(String, String)>,
}

/// `file:line` of a position.
fn at(index: &Index, loc: Loc) -> String {
    let file = index
        .files
        .get(loc.file as usize)
        .map_or("-", String::as_str);
    format!("{file}:{}", loc.line)
}

fn at_col(index: &Index, loc: Loc) -> String {
    format!("{}:{}", at(index, loc), loc.column)
}

/// Builds the plan.
pub fn plan(index: &Index, options: &Options) -> Plan {
    let mut refused = Vec::new();
    let mut warnings = Vec::new();
    let mut manual = Vec::new();
    let refuse = |loc: Loc, value: &str, rule: Rule, refused: &mut Vec<Refusal>| -> bool {
        match rule.check(value) {
            Ok(_) => true,
            Err(r) => {
                refused.push(Refusal {
                    at: at_col(index, loc),
                    value: value.to_owned(),
                    rule,
                    message: r.to_string(),
                });
                false
            }
        }
    };

    let force_namespaced = index.workloads().any(|(_, _, w)| {
        w.pod.containers.iter().any(|c| {
            (c.image.contains("aad-pod-identity/mic") || c.image.contains("aad-pod-identity/nmi"))
                && (c.words.iter().any(|t| {
                    t.value == "--forceNamespaced"
                        || t.value == "--forceNamespaced=true"
                        || t.value == "-forceNamespaced"
                }) || c.env.iter().any(|e| {
                    e.name == "FORCENAMESPACED"
                        && e.value.as_ref().is_some_and(|v| v.value == "true")
                }))
        })
    });
    let addon = index.workloads().any(|(_, o, w)| {
        w.pod.containers.iter().any(|c| {
            c.image.contains("aad-pod-identity/nmi")
                && (c
                    .words
                    .iter()
                    .any(|t| t.value == "--operation-mode=managed")
                    || lookup(&o.meta.labels, "kubernetes.azure.com/managedby")
                        .is_some_and(|e| e.value == "aks"))
        })
    });

    // AzureIdentities.
    let mut identities: BTreeMap<String, Identity> = BTreeMap::new();
    for (_, o) in index.of_kind("AzureIdentity") {
        let Body::AzureIdentity(id) = &o.body else {
            continue;
        };
        let key = format!("{}/{}", o.namespace, o.name);
        let namespaced = force_namespaced
            || lookup(&o.meta.annotations, BEHAVIOR_ANNOTATION)
                .is_some_and(|e| e.value == "namespaced");
        let usable = (|| -> Result<IdentityPlan, String> {
            if !refuse(o.loc, &o.namespace, Rule::Dns1123Label, &mut refused)
                || !refuse(o.loc, &o.name, Rule::Dns1123Subdomain, &mut refused)
            {
                return Err("its name or namespace was refused".into());
            }
            let type_ = match id.type_.as_ref().map(|t| t.value.as_str()) {
                None | Some("0") => 0,
                Some("1") => 1,
                Some("2") => 2,
                Some(other) => {
                    return Err(format!(
                        "spec.type `{}` is not 0, 1 or 2",
                        crate::diag::clip(other, 40)
                    ));
                }
            };
            let Some(client) = &id.client_id else {
                if !id.legacy_keys.is_empty() {
                    return Err(format!(
                        "it uses pre-v1.6.0 capitalised keys ({}), which the CRD prunes: rename them (clientID, resourceID) and run migrate again",
                        id.legacy_keys
                            .iter()
                            .map(|k| k.value.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                return Err("it has no spec.clientID".into());
            };
            if !refuse(client.loc, &client.value, Rule::Guid, &mut refused) {
                return Err("its clientID was refused".into());
            }
            let (kind, resource) = if type_ == 0 {
                let Some(resource) = &id.resource_id else {
                    return Err("a type-0 identity without spec.resourceID".into());
                };
                if !refuse(
                    resource.loc,
                    &resource.value,
                    Rule::IdentityResourceId,
                    &mut refused,
                ) {
                    return Err("its resourceID was refused".into());
                }
                (
                    IdentityKind::ManagedIdentity,
                    identity_resource_id(&resource.value).map(|p| (resource.value.clone(), p)),
                )
            } else {
                (IdentityKind::AppRegistration, None)
            };
            Ok(IdentityPlan {
                namespace: o.namespace.clone(),
                name: o.name.clone(),
                type_,
                kind,
                client_id: client.value.clone(),
                resource_id: resource.as_ref().map(|(r, _)| r.clone()),
                subscription: resource.as_ref().map(|(_, p)| p.subscription.clone()),
                resource_group: resource.as_ref().map(|(_, p)| p.resource_group.clone()),
                identity_name: resource.as_ref().map(|(_, p)| p.name.clone()),
                subjects: 0,
                status: "ok",
            })
        })();
        identities.entry(key).or_insert(Identity {
            at: at(index, o.loc),
            namespaced,
            usable,
        });
    }

    // AzureIdentityBindings.
    let mut bindings = Vec::new();
    for (_, o) in index.of_kind("AzureIdentityBinding") {
        let Body::AzureIdentityBinding(binding) = &o.body else {
            continue;
        };
        let (Some(identity), Some(selector)) = (&binding.azure_identity, &binding.selector) else {
            continue;
        };
        if selector.value.is_empty() || identity.value.is_empty() {
            continue;
        }
        let key = format!("{}/{}", o.namespace, identity.value);
        if !identities.contains_key(&key) {
            warnings.push(format!(
                "{}: AzureIdentityBinding {}/{} names AzureIdentity `{}`, which is not in the input (MIC skips the binding)",
                at(index, o.loc),
                o.namespace,
                o.name,
                crate::diag::clip(&identity.value, 80)
            ));
            continue;
        }
        bindings.push(Binding {
            namespace: o.namespace.clone(),
            name: o.name.clone(),
            selector: selector.value.clone(),
            identity: key,
        });
    }
    bindings.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));

    // Exceptions: namespace and pod labels.
    let exceptions: Vec<(String, String, Vec<Entry>)> = index
        .of_kind("AzurePodIdentityException")
        .filter_map(|(_, o)| match &o.body {
            Body::AzurePodIdentityException { pod_labels, .. } => {
                Some((o.namespace.clone(), o.name.clone(), pod_labels.clone()))
            }
            _ => None,
        })
        .collect();

    // Templates with pod-identity markers: never guessed.
    for o in &index.objects {
        let marked = match &o.body {
            Body::Template(markers) => markers.iter().any(|m| {
                m.what == "label aadpodidbinding" || m.what == "SecretProviderClass usePodIdentity"
            }),
            Body::Workload(w) if o.template => lookup(&w.pod.labels, PI_LABEL).is_some(),
            _ => false,
        };
        if marked {
            manual.push(ManualStep {
                namespace: o.namespace.clone(),
                kind: o.kind.clone(),
                name: o.name.clone(),
                at: at(index, o.loc),
                reason: "an unrendered template uses pod identity: render it (helm template, kustomize build) and run migrate on the output".into(),
            });
        }
    }

    // Workloads.
    let mut candidates = Vec::new();
    for (i, o, w) in index.workloads() {
        if o.template
            || index.owned_by_input(o)
            || crate::scan::index::is_pod_identity_component(&w.pod)
            || lookup(&o.meta.labels, "kubernetes.azure.com/managedby")
                .is_some_and(|e| e.value == "aks")
        {
            continue;
        }
        let pod = &w.pod;
        let label = lookup(&pod.labels, PI_LABEL);
        let pod_identity_spcs: Vec<&Object> = index
            .mounted_spcs(o, pod)
            .into_iter()
            .filter_map(|(_, spc)| spc)
            .filter(|spc| match &spc.body {
                Body::SecretProviderClass { parameters, .. } => {
                    param_true(parameters, "usePodIdentity")
                }
                _ => false,
            })
            .collect();
        let excepted = exceptions.iter().find(|(ns, _, labels)| {
            *ns == o.namespace
                && labels.iter().any(|l| {
                    lookup(&pod.labels, &l.key)
                        .is_some_and(|v| v.value.eq_ignore_ascii_case(&l.value))
                })
        });
        let step = |reason: String, manual: &mut Vec<ManualStep>| {
            manual.push(ManualStep {
                namespace: o.namespace.clone(),
                kind: o.kind.clone(),
                name: o.name.clone(),
                at: at(index, o.loc),
                reason,
            })
        };
        if let Some((_, name, _)) = excepted {
            step(
                format!(
                    "AzurePodIdentityException {}/{name} lets it reach IMDS directly (the node's identities): Workload ID has no equivalent; give it its own identity or keep it on the kubelet identity deliberately",
                    o.namespace
                ),
                &mut manual,
            );
            continue;
        }
        let Some(label) = label else {
            if let Some(spc) = pod_identity_spcs.first() {
                step(
                    format!(
                        "it mounts SecretProviderClass {} (usePodIdentity) without an aadpodidbinding label: choose the identity for the SecretProviderClass's clientID",
                        spc.name
                    ),
                    &mut manual,
                );
            }
            continue;
        };
        if !o.meta.owners.is_empty() {
            step(
                format!(
                    "a live object owned by {} {}, which is not in the input: migrate the owner's manifest",
                    o.meta.owners[0].0, o.meta.owners[0].1
                ),
                &mut manual,
            );
            continue;
        }
        if !refuse(o.loc, &o.namespace, Rule::Dns1123Label, &mut refused)
            || !refuse(o.loc, &o.name, Rule::Dns1123Subdomain, &mut refused)
        {
            step(
                "its name or namespace was refused (see the refused values)".into(),
                &mut manual,
            );
            continue;
        }
        if !refuse(label.loc, &label.value, Rule::LabelValue, &mut refused) {
            step(
                "its aadpodidbinding label was refused (see the refused values)".into(),
                &mut manual,
            );
            continue;
        }
        let selector = label.value.clone();
        let matched: Vec<&Binding> = bindings
            .iter()
            .filter(|b| {
                b.selector == selector
                    && (!identities[&b.identity].namespaced || b.namespace == o.namespace)
            })
            .collect();
        if matched.is_empty() {
            let elsewhere = bindings.iter().any(|b| b.selector == selector);
            step(
                if elsewhere {
                    format!(
                        "its aadpodidbinding label `{}` matches only bindings of other namespaces, and they are namespaced (--forceNamespaced or the Behavior annotation): NMI gives it no identity today",
                        crate::diag::clip(&selector, 80)
                    )
                } else {
                    format!(
                        "its aadpodidbinding label `{}` matches no AzureIdentityBinding in the input (NMI gives it no identity today)",
                        crate::diag::clip(&selector, 80)
                    )
                },
                &mut manual,
            );
            continue;
        }
        let mut identity_keys: Vec<String> = Vec::new();
        for b in &matched {
            if !identity_keys.contains(&b.identity) {
                identity_keys.push(b.identity.clone());
            }
        }
        if let Some(bad) = identity_keys
            .iter()
            .find_map(|k| identities[k].usable.as_ref().err().map(|e| (k, e)))
        {
            step(
                format!(
                    "AzureIdentity {} ({}) cannot be used: {}",
                    bad.0, identities[bad.0].at, bad.1
                ),
                &mut manual,
            );
            continue;
        }
        let client_ids: BTreeSet<&str> = identity_keys
            .iter()
            .filter_map(|k| {
                identities[k]
                    .usable
                    .as_ref()
                    .ok()
                    .map(|p| p.client_id.as_str())
            })
            .collect();
        let sdk = lookup(&o.meta.annotations, SDK_ANNOTATION)
            .or_else(|| lookup(&pod.annotations, SDK_ANNOTATION))
            .and_then(|e| Sdk::parse(&e.value))
            .or_else(|| {
                options
                    .sdk_answers
                    .get(&format!("{}/{}/{}", o.namespace, o.kind, o.name))
                    .copied()
            })
            .unwrap_or(options.sdk);
        let windows = lookup(&pod.node_selector, "kubernetes.io/os")
            .is_some_and(|e| e.value == "windows")
            || pod.affinity_os.iter().any(|v| v == "windows")
            || pod.windows_options;
        let host_network = pod.host_network.is_some();
        let job = matches!(o.kind.as_str(), "Job" | "CronJob");
        let psa = index
            .namespace(&o.namespace)
            .and_then(|ns| lookup(&ns.meta.labels, "pod-security.kubernetes.io/enforce"))
            .filter(|e| e.value == "baseline" || e.value == "restricted")
            .map(|e| e.value.clone());
        let (path, why) = match sdk {
            Sdk::Current if client_ids.len() > 1 => (
                Path::Sdk,
                format!(
                    "current SDK; {} identities: the ServiceAccount's client-id is the first, the app must name the others' client ids (each is federated with this ServiceAccount)",
                    client_ids.len()
                ),
            ),
            Sdk::Current => (
                Path::Sdk,
                "current SDK: it reads the projected token itself; no proxy".to_owned(),
            ),
            Sdk::LegacyImds => {
                let blocker = if client_ids.len() > 1 {
                    Some("several identities on one pod: the migration proxy answers only requests naming a client_id, and the legacy SDK cannot be told which identity to use; upgrade the SDK first".to_owned())
                } else if windows {
                    Some("a Windows pod on a legacy IMDS SDK: the migration proxy runs on Linux only; upgrade the SDK to one that supports Workload ID".to_owned())
                } else if host_network {
                    Some("a hostNetwork pod on a legacy IMDS SDK: the webhook refuses to inject the proxy into it; upgrade the SDK, or run the pod without hostNetwork".to_owned())
                } else if job && !options.native_sidecars {
                    Some(format!(
                        "a {} on a legacy IMDS SDK: the proxy is a sidecar that keeps a Job from finishing unless the cluster has native sidecars (Kubernetes 1.32+ and a current webhook; pass --native-sidecars)",
                        o.kind
                    ))
                } else {
                    psa.as_ref().map(|level| format!(
                        "namespace {} enforces Pod Security `{level}`, which rejects the proxy's privileged init container; upgrade the SDK",
                        o.namespace
                    ))
                };
                match blocker {
                    Some(reason) => {
                        step(reason, &mut manual);
                        continue;
                    }
                    None => (
                        Path::Proxy,
                        format!(
                            "legacy IMDS SDK on Linux: the webhook injects the migration proxy{}",
                            if job { " as a native sidecar" } else { "" }
                        ),
                    ),
                }
            }
        };
        let proxy_port = (path == Path::Proxy).then(|| {
            let used: BTreeSet<i64> = pod
                .containers
                .iter()
                .flat_map(|c| c.ports.iter().copied())
                .collect();
            (PROXY_PORT..)
                .find(|p| !used.contains(p))
                .unwrap_or(PROXY_PORT)
        });
        let spcs = pod_identity_spcs
            .iter()
            .map(|s| (s.namespace.clone(), s.name.clone()))
            .collect();
        candidates.push(Candidate {
            object: i,
            plan: WorkloadPlan {
                namespace: o.namespace.clone(),
                kind: o.kind.clone(),
                name: o.name.clone(),
                api_version: o.api_version.clone(),
                at: at(index, o.loc),
                selector,
                identities: identity_keys.clone(),
                service_account: String::new(),
                sdk,
                path,
                why,
                proxy_port,
                patch: format!(
                    "manifests/patches/{}.{}.{}.yaml",
                    o.namespace,
                    o.kind.to_ascii_lowercase(),
                    o.name
                ),
                label_in_selector: lookup(&w.selector, PI_LABEL).is_some(),
            },
            identity_keys,
            spcs,
        });
    }

    // ServiceAccounts: one per (namespace, selector) for workloads on `default`; a workload that
    // names its own ServiceAccount keeps it (its Kubernetes RBAC is bound to it).
    let mut sa_owner: BTreeMap<(String, String), String> = BTreeMap::new(); // -> primary identity
    let mut kept = Vec::new();
    for mut c in candidates {
        let o = &index.objects[c.object];
        let Body::Workload(w) = &o.body else { continue };
        let named = w
            .pod
            .service_account
            .as_ref()
            .filter(|t| t.value != "default");
        let sa = match named {
            Some(t) => {
                if !refuse(t.loc, &t.value, Rule::Dns1123Subdomain, &mut refused) {
                    manual.push(ManualStep {
                        namespace: o.namespace.clone(),
                        kind: o.kind.clone(),
                        name: o.name.clone(),
                        at: at(index, o.loc),
                        reason: "its serviceAccountName was refused (see the refused values)"
                            .into(),
                    });
                    continue;
                }
                t.value.clone()
            }
            None => service_account_for(&c.plan.selector),
        };
        let primary = c.identity_keys[0].clone();
        // A ServiceAccount already federated with another identity keeps it.
        let planned = identities[&primary]
            .usable
            .as_ref()
            .map(|p| p.client_id.clone())
            .unwrap_or_default();
        if let Some(existing) = index
            .service_account(&o.namespace, &sa)
            .and_then(|a| lookup(&a.meta.annotations, WI_CLIENT_ID))
            .filter(|e| !e.value.eq_ignore_ascii_case(&planned))
        {
            manual.push(ManualStep {
                namespace: o.namespace.clone(),
                kind: o.kind.clone(),
                name: o.name.clone(),
                at: at(index, o.loc),
                reason: format!(
                    "ServiceAccount {sa} already carries client-id {} ({}), not the client id of AzureIdentity {primary}: give this workload its own ServiceAccount",
                    crate::diag::clip(&existing.value, 40),
                    at(index, existing.loc)
                ),
            });
            continue;
        }
        match sa_owner.get(&(o.namespace.clone(), sa.clone())) {
            Some(owner) if *owner != primary => {
                manual.push(ManualStep {
                    namespace: o.namespace.clone(),
                    kind: o.kind.clone(),
                    name: o.name.clone(),
                    at: at(index, o.loc),
                    reason: format!(
                        "ServiceAccount {sa} is shared with workloads bound to AzureIdentity {owner}, but this one is bound to {primary}: a ServiceAccount carries one client-id; give this workload its own ServiceAccount"
                    ),
                });
                continue;
            }
            _ => {
                sa_owner.insert((o.namespace.clone(), sa.clone()), primary);
            }
        }
        c.plan.service_account = sa;
        kept.push(c);
    }

    // Subjects per identity: the cap.
    let mut subjects: BTreeMap<String, BTreeSet<(String, String)>> = BTreeMap::new();
    for c in &kept {
        for k in &c.identity_keys {
            subjects
                .entry(k.clone())
                .or_default()
                .insert((c.plan.namespace.clone(), c.plan.service_account.clone()));
        }
    }
    let mut identity_plans: BTreeMap<String, IdentityPlan> = BTreeMap::new();
    for (key, subs) in &subjects {
        let Ok(mut p) = identities[key].usable.clone() else {
            continue;
        };
        // ServiceAccounts in the input already federated with this identity count too.
        let already: BTreeSet<(String, String)> = index
            .of_kind("ServiceAccount")
            .filter(|(_, sa)| {
                lookup(&sa.meta.annotations, WI_CLIENT_ID)
                    .is_some_and(|e| e.value.eq_ignore_ascii_case(&p.client_id))
            })
            .map(|(_, sa)| (sa.namespace.clone(), sa.name.clone()))
            .filter(|s| !subs.contains(s))
            .collect();
        p.subjects = subs.len() + already.len();
        p.status = if p.subjects > CREDENTIAL_CAP {
            warnings.push(format!(
                "AzureIdentity {key} would need {} federated credentials, over the cap of {CREDENTIAL_CAP} per identity: none is emitted for it; split its workloads across identities (one per team or namespace) or use AKS identity bindings (one credential per identity for the whole cluster)",
                p.subjects
            ));
            "over-cap"
        } else if p.subjects >= CREDENTIAL_WARN {
            warnings.push(format!(
                "AzureIdentity {key} needs {} of its {CREDENTIAL_CAP} federated credentials (other clusters and ServiceAccounts count too)",
                p.subjects
            ));
            "warning"
        } else {
            "ok"
        };
        identity_plans.insert(key.clone(), p);
    }
    let over: BTreeSet<String> = identity_plans
        .iter()
        .filter(|(_, p)| p.status == "over-cap")
        .map(|(k, _)| k.clone())
        .collect();
    let mut converted = Vec::new();
    for c in kept {
        if let Some(k) = c.identity_keys.iter().find(|k| over.contains(*k)) {
            manual.push(ManualStep {
                namespace: c.plan.namespace.clone(),
                kind: c.plan.kind.clone(),
                name: c.plan.name.clone(),
                at: c.plan.at.clone(),
                reason: format!(
                    "AzureIdentity {k} is over the cap of {CREDENTIAL_CAP} federated credentials: split the workloads across identities or use AKS identity bindings"
                ),
            });
            continue;
        }
        converted.push(c);
    }

    // SecretProviderClasses: the client id of the identity of every pod that mounts them.
    let mut spc_ids: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for c in &converted {
        let client = identity_plans[&c.identity_keys[0]].client_id.clone();
        for s in &c.spcs {
            spc_ids.entry(s.clone()).or_default().insert(client.clone());
        }
    }
    let mut spcs = Vec::new();
    let mut bad_spcs = BTreeSet::new();
    for ((ns, name), ids) in &spc_ids {
        let Some(o) = index.secret_provider_class(ns, name) else {
            continue;
        };
        if ids.len() > 1 || !Rule::Dns1123Subdomain.accepts(name) {
            manual.push(ManualStep {
                namespace: ns.clone(),
                kind: "SecretProviderClass".into(),
                name: name.clone(),
                at: at(index, o.loc),
                reason: if ids.len() > 1 {
                    "pods bound to different identities mount it: a SecretProviderClass names one clientID; split it per identity".into()
                } else {
                    "its name is not a DNS-1123 subdomain".into()
                },
            });
            bad_spcs.insert((ns.clone(), name.clone()));
            continue;
        }
        spcs.push(SecretProviderClassPlan {
            namespace: ns.clone(),
            name: name.clone(),
            at: at(index, o.loc),
            client_id: ids.iter().next().cloned().unwrap_or_default(),
            patch: format!("manifests/patches/{ns}.secretproviderclass.{name}.yaml"),
        });
    }

    let workloads: Vec<WorkloadPlan> = converted.iter().map(|c| c.plan.clone()).collect();

    // ServiceAccounts to create or annotate.
    let mut service_accounts: BTreeMap<(String, String), ServiceAccountPlan> = BTreeMap::new();
    for w in &workloads {
        let key = (w.namespace.clone(), w.service_account.clone());
        let identity = &identity_plans[&w.identities[0]];
        let entry = service_accounts
            .entry(key)
            .or_insert_with(|| ServiceAccountPlan {
                namespace: w.namespace.clone(),
                name: w.service_account.clone(),
                exists: index
                    .service_account(&w.namespace, &w.service_account)
                    .is_some(),
                client_id: identity.client_id.clone(),
                tenant_id: options.tenant_id.clone(),
                identity: identity.key(),
                workloads: Vec::new(),
            });
        entry.workloads.push(format!("{}/{}", w.kind, w.name));
    }

    // Credentials: one per (identity, namespace, ServiceAccount) for this cluster's issuer.
    let mut credentials = Vec::new();
    let cluster = options.cluster.clone().unwrap_or_else(|| "aks".into());
    let mut seen = BTreeSet::new();
    for w in &workloads {
        for k in &w.identities {
            if seen.insert((k.clone(), w.namespace.clone(), w.service_account.clone())) {
                credentials.push(Credential {
                    identity: k.clone(),
                    name: credential_name(&cluster, &w.namespace, &w.service_account),
                    namespace: w.namespace.clone(),
                    service_account: w.service_account.clone(),
                    subject: format!(
                        "system:serviceaccount:{}:{}",
                        w.namespace, w.service_account
                    ),
                });
            }
        }
    }
    credentials.sort_by(|a, b| {
        (&a.identity, &a.namespace, &a.service_account).cmp(&(
            &b.identity,
            &b.namespace,
            &b.service_account,
        ))
    });

    // Phase 5: bindings whose every matching workload is converted.
    let converted_keys: BTreeSet<(String, String, String)> = workloads
        .iter()
        .map(|w| (w.namespace.clone(), w.kind.clone(), w.name.clone()))
        .collect();
    let mut bindings_to_delete = Vec::new();
    for b in &bindings {
        let namespaced = identities[&b.identity].namespaced;
        let users: Vec<&Object> = index
            .workloads()
            .filter(|(_, o, w)| {
                !index.owned_by_input(o)
                    && lookup(&w.pod.labels, PI_LABEL).is_some_and(|l| l.value == b.selector)
                    && (!namespaced || o.namespace == b.namespace)
            })
            .map(|(_, o, _)| o)
            .collect();
        let all_converted = !users.is_empty()
            && users.iter().all(|o| {
                converted_keys.contains(&(o.namespace.clone(), o.kind.clone(), o.name.clone()))
            });
        if all_converted
            && Rule::Dns1123Subdomain.accepts(&b.name)
            && Rule::Dns1123Label.accepts(&b.namespace)
        {
            bindings_to_delete.push(ObjectRef {
                kind: "AzureIdentityBinding".into(),
                namespace: b.namespace.clone(),
                name: b.name.clone(),
            });
        }
    }

    // Phase 6: the rest of pod identity.
    let mut pod_identity_objects = Vec::new();
    for kind in ["AzureIdentity", "AzurePodIdentityException"] {
        for (_, o) in index.of_kind(kind) {
            if Rule::Dns1123Subdomain.accepts(&o.name) && Rule::Dns1123Label.accepts(&o.namespace) {
                pod_identity_objects.push(ObjectRef {
                    kind: kind.into(),
                    namespace: o.namespace.clone(),
                    name: o.name.clone(),
                });
            }
        }
    }
    for (_, o, w) in index.workloads() {
        if crate::scan::index::is_pod_identity_component(&w.pod)
            && Rule::Dns1123Subdomain.accepts(&o.name)
            && Rule::Dns1123Label.accepts(&o.namespace)
        {
            pod_identity_objects.push(ObjectRef {
                kind: o.kind.clone(),
                namespace: o.namespace.clone(),
                name: o.name.clone(),
            });
        }
    }
    pod_identity_objects.sort();
    pod_identity_objects.dedup();

    for w in &workloads {
        if w.label_in_selector {
            warnings.push(format!(
                "{}: {} {}/{} has aadpodidbinding in its spec.selector, which is immutable: phase 5 cannot remove the label with a patch; recreate the {} without it",
                w.at, w.kind, w.namespace, w.name, w.kind
            ));
        }
    }
    manual.sort_by(|a, b| (&a.namespace, &a.kind, &a.name).cmp(&(&b.namespace, &b.kind, &b.name)));
    manual.dedup_by(|a, b| {
        a.namespace == b.namespace && a.kind == b.kind && a.name == b.name && a.reason == b.reason
    });

    Plan {
        schema_version: SCHEMA_VERSION,
        issuer: options.issuer.clone(),
        tenant_id: options.tenant_id.clone(),
        resource_group: options.resource_group.clone(),
        cluster: options.cluster.clone(),
        default_sdk: options.sdk,
        force_namespaced,
        workloads,
        service_accounts: service_accounts.into_values().collect(),
        identities: identity_plans.into_values().collect(),
        credentials,
        secret_provider_classes: spcs,
        manual,
        refused,
        warnings,
        bindings_to_delete,
        pod_identity_objects,
        addon,
    }
}

/// The ServiceAccount shared by the workloads of one namespace bound through `selector`: the
/// selector in DNS-1123 form (a label value may hold capitals, `_` and `.`), always valid.
pub fn service_account_for(selector: &str) -> String {
    let mut name: String = selector
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                '-'
            }
        })
        .collect();
    name = name.trim_matches('-').to_owned();
    while name.contains("--") {
        name = name.replace("--", "-");
    }
    name.truncate(50);
    let name = name.trim_end_matches('-');
    if name.is_empty() {
        "workload-identity".to_owned()
    } else {
        format!("{name}-wi")
    }
}

/// A federated credential's name: letters, digits, `-` and `_`, at most 120 characters, unique
/// per (cluster, namespace, ServiceAccount) (a `.` in a name becomes `_`, which no Kubernetes
/// name holds).
pub fn credential_name(cluster: &str, namespace: &str, service_account: &str) -> String {
    let name = format!("{cluster}-{namespace}-{service_account}").replace('.', "_");
    if name.len() <= 120 {
        return name;
    }
    // FNV-1a, so that two long names that share a prefix stay distinct.
    let mut hash: u32 = 0x811c_9dc5;
    for b in name.bytes() {
        hash ^= u32::from(b);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    format!("{}-{hash:08x}", &name[..111])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_account_names_are_valid_whatever_the_selector() {
        assert_eq!(service_account_for("orders"), "orders-wi");
        assert_eq!(service_account_for("Orders_API.v2"), "orders-api-v2-wi");
        assert_eq!(service_account_for("$(id)"), "id-wi");
        assert_eq!(service_account_for("___"), "workload-identity");
        for s in ["a", "A.B", &"x".repeat(300), "-a-", "ü"] {
            assert!(Rule::Dns1123Label.accepts(&service_account_for(s)), "{s}");
        }
    }

    #[test]
    fn credential_names_fit_entra_rules() {
        assert_eq!(credential_name("aks", "ns", "a.b"), "aks-ns-a_b");
        let long = credential_name("aks", &"n".repeat(63), &"s".repeat(200));
        assert_eq!(long.len(), 120);
        assert_ne!(
            long,
            credential_name("aks", &"n".repeat(63), &format!("{}t", "s".repeat(199)))
        );
    }
}
