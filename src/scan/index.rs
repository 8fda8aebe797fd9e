//! The cross-object index: every object of every input in input order, with lookups by namespace
//! and name for the joins the findings make (a pod's ServiceAccount, a mounted
//! SecretProviderClass, a namespace's labels, a pod's owner), and the classification of each
//! workload's identity mechanism.

use rustc_hash::FxHashMap;

use super::model::*;

/// How a workload gets its Azure identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mechanism {
    WorkloadIdentity,
    PodIdentity,
    NodeIdentity,
    Secret,
    None,
}

impl Mechanism {
    pub const ALL: [Mechanism; 5] = [
        Mechanism::WorkloadIdentity,
        Mechanism::PodIdentity,
        Mechanism::NodeIdentity,
        Mechanism::Secret,
        Mechanism::None,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Mechanism::WorkloadIdentity => "workload-identity",
            Mechanism::PodIdentity => "pod-identity",
            Mechanism::NodeIdentity => "node-identity",
            Mechanism::Secret => "secret",
            Mechanism::None => "none",
        }
    }
}

/// Environment variables that carry a service principal's secret or certificate.
pub const SECRET_ENV: &[&str] = &[
    "AZURE_CLIENT_SECRET",
    "AZURE_CLIENT_CERTIFICATE_PATH",
    "AZURE_CLIENT_CERTIFICATE_PASSWORD",
    "AZURE_PASSWORD",
    // An SDK authentication file (a service principal's credentials).
    "AZURE_AUTH_LOCATION",
    // Terraform's azurerm provider.
    "ARM_CLIENT_SECRET",
    "ARM_CLIENT_CERTIFICATE_PATH",
];

/// Environment variables of managed-identity endpoints other than AKS's (App Service, Arc,
/// Service Fabric) or of legacy IMDS clients.
pub const IMDS_ENV: &[&str] = &[
    "MSI_ENDPOINT",
    "MSI_SECRET",
    "IDENTITY_ENDPOINT",
    "IDENTITY_HEADER",
    "IMDS_ENDPOINT",
    "IDENTITY_SERVER_THUMBPRINT",
];

/// Values by namespace, then name.
type ByName<T> = FxHashMap<String, FxHashMap<String, T>>;

/// Keeps the first value given for a namespace and name.
fn insert_first<T>(map: &mut ByName<T>, namespace: &str, name: &str, value: T) {
    if !map.contains_key(namespace) {
        map.insert(namespace.to_owned(), FxHashMap::default());
    }
    if let Some(names) = map.get_mut(namespace)
        && !names.contains_key(name)
    {
        names.insert(name.to_owned(), value);
    }
}

pub struct Index {
    /// Input names, by [`Loc::file`].
    pub files: Vec<String>,
    pub objects: Vec<Object>,
    /// `--complete`: the input is a whole cluster, so a missing object is missing.
    pub complete: bool,
    /// ServiceAccounts by namespace, then name: looked up with borrowed names, per workload.
    service_accounts: ByName<usize>,
    secret_provider_classes: ByName<usize>,
    namespaces: FxHashMap<String, usize>,
    /// Workloads' names by kind, then namespace.
    keys: FxHashMap<String, ByName<()>>,
    /// Parsed objects (not from templates) by kind, in input order: the detectors look up the
    /// few NetworkPolicies or bindings once per workload.
    by_kind: FxHashMap<String, Vec<usize>>,
    /// ServiceAccounts per client-id annotation (lowercase).
    client_ids: FxHashMap<String, usize>,
    /// The objects with a workload body, in input order: every detector walks them, and a walk
    /// over these few touches none of the other objects' memory.
    workloads: Vec<usize>,
    /// Of those, the ones findings are reported on (see [`Index::checked`]).
    checked: Vec<usize>,
}

impl Index {
    pub fn new(files: Vec<String>, objects: Vec<Object>, complete: bool) -> Self {
        let mut index = Index {
            files,
            objects,
            complete,
            service_accounts: FxHashMap::default(),
            secret_provider_classes: FxHashMap::default(),
            namespaces: FxHashMap::default(),
            keys: FxHashMap::default(),
            by_kind: FxHashMap::default(),
            client_ids: FxHashMap::default(),
            workloads: Vec::new(),
            checked: Vec::new(),
        };
        for (i, o) in index.objects.iter().enumerate() {
            if !o.template {
                match index.by_kind.get_mut(&o.kind) {
                    Some(list) => list.push(i),
                    None => {
                        index.by_kind.insert(o.kind.clone(), vec![i]);
                    }
                }
            }
            match o.kind.as_str() {
                "ServiceAccount" if !o.template => {
                    insert_first(&mut index.service_accounts, &o.namespace, &o.name, i);
                    if let Some(c) = lookup(&o.meta.annotations, WI_CLIENT_ID) {
                        *index
                            .client_ids
                            .entry(c.value.to_ascii_lowercase())
                            .or_default() += 1;
                    }
                }
                "SecretProviderClass" if !o.template => {
                    insert_first(&mut index.secret_provider_classes, &o.namespace, &o.name, i);
                }
                "Namespace" => {
                    index.namespaces.entry(o.name.clone()).or_insert(i);
                }
                _ => {}
            }
            if matches!(o.body, Body::Workload(_)) {
                index.workloads.push(i);
            }
            if is_workload_kind(&o.kind) {
                if !index.keys.contains_key(&o.kind) {
                    index.keys.insert(o.kind.clone(), ByName::default());
                }
                if let Some(names) = index.keys.get_mut(&o.kind) {
                    insert_first(names, &o.namespace, &o.name, ());
                }
            }
        }
        // Owners are known once every workload's name is in `keys`.
        index.checked = index
            .workloads
            .iter()
            .copied()
            .filter(|&i| {
                let o = &index.objects[i];
                !o.template && !index.owned_by_input(o)
            })
            .collect();
        index
    }

    /// Every parsed workload (not from templates), in input order.
    pub fn workloads(&self) -> impl Iterator<Item = (usize, &Object, &Workload)> {
        self.workload_list(&self.workloads)
    }

    /// The workloads whose findings are reported on themselves: parsed, and not owned by another
    /// workload of the input (a ReplicaSet's Deployment, a Pod's ReplicaSet), so that a live
    /// dump reports each problem once, on the controller. In input order.
    pub fn checked(&self) -> impl Iterator<Item = (usize, &Object, &Workload)> {
        self.workload_list(&self.checked)
    }

    fn workload_list<'a>(
        &'a self,
        list: &'a [usize],
    ) -> impl Iterator<Item = (usize, &'a Object, &'a Workload)> {
        list.iter().filter_map(|&i| {
            let o = &self.objects[i];
            match &o.body {
                Body::Workload(w) => Some((i, o, w.as_ref())),
                _ => None,
            }
        })
    }

    /// Objects of one kind, in input order, parsed (not from templates).
    pub fn of_kind<'a>(&'a self, kind: &str) -> impl Iterator<Item = (usize, &'a Object)> {
        self.by_kind
            .get(kind)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|i| (*i, &self.objects[*i]))
    }

    /// Whether any ServiceAccount was read: without any, a missing one says nothing.
    pub fn has_service_accounts(&self) -> bool {
        !self.service_accounts.is_empty()
    }

    pub fn service_account(&self, namespace: &str, name: &str) -> Option<&Object> {
        self.service_accounts
            .get(namespace)
            .and_then(|names| names.get(name))
            .map(|i| &self.objects[*i])
    }

    /// The pod's ServiceAccount name: `serviceAccountName`, else `default`.
    pub fn sa_name(pod: &Pod) -> &str {
        pod.service_account
            .as_ref()
            .map_or("default", |t| t.value.as_str())
    }

    pub fn pod_service_account(&self, object: &Object, pod: &Pod) -> Option<&Object> {
        self.service_account(&object.namespace, Self::sa_name(pod))
    }

    pub fn secret_provider_class(&self, namespace: &str, name: &str) -> Option<&Object> {
        self.secret_provider_classes
            .get(namespace)
            .and_then(|names| names.get(name))
            .map(|i| &self.objects[*i])
    }

    /// The position of a SecretProviderClass in [`Index::objects`].
    pub fn secret_provider_class_at(&self, namespace: &str, name: &str) -> Option<usize> {
        self.secret_provider_classes
            .get(namespace)
            .and_then(|names| names.get(name))
            .copied()
    }

    /// How many ServiceAccounts of the input carry this client-id annotation.
    pub fn service_accounts_with_client_id(&self, client_id: &str) -> usize {
        self.client_ids
            .get(&client_id.to_ascii_lowercase())
            .copied()
            .unwrap_or_default()
    }

    pub fn namespace(&self, name: &str) -> Option<&Object> {
        self.namespaces.get(name).map(|i| &self.objects[*i])
    }

    /// Whether an owner of this object (a Deployment of a ReplicaSet, a ReplicaSet of a Pod) is
    /// itself in the input: findings are then reported once, on the owner.
    pub fn owned_by_input(&self, object: &Object) -> bool {
        object.meta.owners.iter().any(|(kind, name)| {
            self.keys
                .get(kind)
                .and_then(|by_namespace| by_namespace.get(&object.namespace))
                .is_some_and(|names| names.contains_key(name))
        })
    }

    /// The SecretProviderClasses the pod mounts through the Secrets Store CSI driver, with the
    /// volume that names each (`None` when the class is not in the input).
    pub fn mounted_spcs<'a>(
        &'a self,
        object: &Object,
        pod: &'a Pod,
    ) -> Vec<(&'a Volume, Option<&'a Object>)> {
        pod.volumes
            .iter()
            .filter(|v| v.csi_driver.as_deref() == Some(SPC_DRIVER))
            .filter_map(|v| {
                let name = v.secret_provider_class.as_ref()?;
                Some((
                    v,
                    self.secret_provider_class(&object.namespace, &name.value),
                ))
            })
            .collect()
    }

    /// Signs that the workload means to use Workload ID (research "WI intent"): its
    /// ServiceAccount has the client-id annotation or the use label, its pod has the label or any
    /// `azure.workload.identity/` annotation, or a container refers to the federated token.
    pub fn wi_intent(&self, object: &Object, pod: &Pod) -> bool {
        if lookup(&pod.labels, WI_USE_LABEL).is_some()
            || pod.annotations.iter().any(|a| a.key.starts_with(WI_PREFIX))
        {
            return true;
        }
        if let Some(sa) = self.pod_service_account(object, pod)
            && (lookup(&sa.meta.annotations, WI_CLIENT_ID).is_some()
                || lookup(&sa.meta.labels, WI_USE_LABEL).is_some())
        {
            return true;
        }
        refers_to_federated_token(pod)
    }

    /// The identity mechanism of the workload at `index`.
    pub fn mechanism(&self, object: &Object) -> Mechanism {
        match &object.body {
            Body::Workload(w) => {
                // A label on the controller instead of its pods still says what was meant.
                let on_controller = object.kind != "Pod"
                    && (lookup(&object.meta.labels, WI_USE_LABEL).is_some()
                        || lookup(&w.job_template_labels, WI_USE_LABEL).is_some());
                if on_controller && lookup(&w.pod.labels, PI_LABEL).is_none() {
                    return Mechanism::WorkloadIdentity;
                }
                self.pod_mechanism(object, &w.pod)
            }
            Body::Template(markers) => template_mechanism(markers),
            _ => Mechanism::None,
        }
    }

    fn pod_mechanism(&self, object: &Object, pod: &Pod) -> Mechanism {
        if lookup(&pod.labels, WI_USE_LABEL).is_some() {
            return Mechanism::WorkloadIdentity;
        }
        if lookup(&pod.labels, PI_LABEL).is_some() {
            return Mechanism::PodIdentity;
        }
        if self.wi_intent(object, pod) {
            return Mechanism::WorkloadIdentity;
        }
        for (volume, spc) in self.mounted_spcs(object, pod) {
            if let Some(Object {
                body: Body::SecretProviderClass { parameters, .. },
                ..
            }) = spc
            {
                if param_true(parameters, "usePodIdentity") {
                    return Mechanism::PodIdentity;
                }
                if param_true(parameters, "useVMManagedIdentity") {
                    return Mechanism::NodeIdentity;
                }
                if param_true(parameters, "useAzureTokenProxy")
                    || lookup(parameters, "clientID").is_some_and(|c| !c.value.is_empty())
                {
                    return Mechanism::WorkloadIdentity;
                }
            }
            if volume.node_publish_secret {
                return Mechanism::Secret;
            }
        }
        if pod
            .containers
            .iter()
            .any(|c| c.env.iter().any(|e| SECRET_ENV.contains(&e.name.as_str())))
        {
            return Mechanism::Secret;
        }
        if uses_imds(pod) || is_pod_identity_component(pod) || mounts_cloud_config(pod) {
            return Mechanism::NodeIdentity;
        }
        Mechanism::None
    }
}

/// A SecretProviderClass parameter that Go's strconv.ParseBool reads as true.
pub fn param_true(parameters: &[Entry], key: &str) -> bool {
    lookup(parameters, key).is_some_and(|e| parse_bool(&e.value) == Some(true))
}

/// Go's `strconv.ParseBool`.
pub fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// A container's env values and command words, each with its position.
pub fn pod_strings(pod: &Pod) -> impl Iterator<Item = &Text> {
    pod.containers.iter().flat_map(|c| {
        c.words
            .iter()
            .chain(c.env.iter().filter_map(|e| e.value.as_ref()))
    })
}

fn refers_to_federated_token(pod: &Pod) -> bool {
    runs_wi_proxy(pod)
        || pod.containers.iter().any(|c| {
            c.env.iter().any(|e| e.name == "AZURE_FEDERATED_TOKEN_FILE")
                || c.words.iter().any(|w| {
                    w.value.contains("AZURE_FEDERATED_TOKEN_FILE")
                        || w.value.contains("/var/run/secrets/azure/")
                })
        })
}

/// The Workload ID migration proxy (or its init container) written into the manifest, as
/// `azwi podidentity detect` does.
pub fn runs_wi_proxy(pod: &Pod) -> bool {
    pod.containers
        .iter()
        .any(|c| c.image.contains("azure/workload-identity/proxy"))
}

/// Command words that log in with the managed identity of IMDS.
pub fn imds_command(word: &str) -> bool {
    let w = word.to_ascii_lowercase();
    w.contains("169.254.169.254")
        || w.contains("az login --identity")
        || w.contains("az login -i")
        || w.contains("connect-azaccount -identity")
        || w.contains("azcopy login --identity")
}

/// Signs of a token from IMDS (the node's identities once pod identity is gone).
pub fn uses_imds(pod: &Pod) -> bool {
    pod.containers.iter().any(|c| {
        c.env
            .iter()
            .any(|e| e.name == "ARM_USE_MSI" && e.value.as_ref().is_some_and(|v| v.value == "true"))
            || c.env.iter().any(|e| {
                IMDS_ENV.contains(&e.name.as_str())
                    || e.value
                        .as_ref()
                        .is_some_and(|v| v.value.contains("169.254.169.254"))
            })
            || c.words.iter().any(|w| imds_command(&w.value))
            || (c.env.iter().any(|e| e.name == "AZURE_CLIENT_ID")
                && c.env_from.is_empty()
                && !c.env.iter().any(|e| {
                    SECRET_ENV.contains(&e.name.as_str()) || e.name == "AZURE_FEDERATED_TOKEN_FILE"
                }))
    })
}

/// NMI and MIC, the aad-pod-identity components, work with the node's identities.
pub fn is_pod_identity_component(pod: &Pod) -> bool {
    pod.containers.iter().any(|c| {
        c.image.contains("aad-pod-identity/nmi") || c.image.contains("aad-pod-identity/mic")
    })
}

/// The node's cloud-provider configuration (`/etc/kubernetes/azure.json`) mounted from the host:
/// the kubelet identity or the cluster's service principal.
pub fn mounts_cloud_config(pod: &Pod) -> bool {
    pod.volumes.iter().any(|v| {
        v.host_path
            .as_ref()
            .is_some_and(|p| p.value.starts_with("/etc/kubernetes/azure.json"))
    })
}

fn template_mechanism(markers: &[Marker]) -> Mechanism {
    let has = |prefix: &str| markers.iter().any(|m| m.what.starts_with(prefix));
    if has("label azure.workload.identity") {
        Mechanism::WorkloadIdentity
    } else if has("label aadpodidbinding") {
        Mechanism::PodIdentity
    } else if has("annotation azure.workload.identity") || has("AZURE_FEDERATED_TOKEN_FILE") {
        Mechanism::WorkloadIdentity
    } else if has("SecretProviderClass usePodIdentity") {
        Mechanism::PodIdentity
    } else if has("AZURE_CLIENT_SECRET") || has("nodePublishSecretRef") {
        Mechanism::Secret
    } else if has("SecretProviderClass useVMManagedIdentity")
        || has("IMDS")
        || has("MSI_ENDPOINT")
        || has("IDENTITY_ENDPOINT")
    {
        Mechanism::NodeIdentity
    } else {
        Mechanism::None
    }
}
