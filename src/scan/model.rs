//! The compact facts `scan` keeps about each Kubernetes object once its file is parsed: only what
//! the mechanism classification, the findings and the cross-object joins read, each with its
//! position. The parsed trees themselves are dropped file by file, so a scan of a large folder
//! holds this index, not the documents.

/// A position in an input: the file's index in the scan's file list, 1-based line and column.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Loc {
    pub file: u32,
    pub line: u32,
    pub column: u32,
}

/// A scalar value as written, with its position.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Text {
    pub value: String,
    pub loc: Loc,
}

/// A key and its value in a mapping of strings (labels, annotations, parameters, data).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Entry {
    pub key: String,
    pub value: String,
    /// Whether Kubernetes reads the value as a string. Its YAML library follows YAML 1.1, where an
    /// unquoted `true`, `yes` or `on` is a boolean and `1` a number: such a label is rejected.
    pub is_string: bool,
    pub key_loc: Loc,
    pub loc: Loc,
}

/// Looks up `key` in a list of entries.
pub fn lookup<'a>(entries: &'a [Entry], key: &str) -> Option<&'a Entry> {
    // Every detector looks labels and annotations up, for every workload: keys of the same
    // length and last byte are rare, so most entries are passed over without a `memcmp` call.
    let wanted = key.as_bytes();
    let last = wanted.last().copied();
    entries.iter().find(|e| {
        let k = e.key.as_bytes();
        k.len() == wanted.len() && k.last().copied() == last && k == wanted
    })
}

#[derive(Clone, Debug, Default)]
pub struct Meta {
    pub labels: Vec<Entry>,
    pub annotations: Vec<Entry>,
    /// `(kind, name)` of each owner reference.
    pub owners: Vec<(String, String)>,
    /// The object was read back from a cluster (it has a status, uid or resourceVersion): a live
    /// pod carries what the webhook injected.
    pub live: bool,
}

/// One Kubernetes object found in the input.
#[derive(Clone, Debug)]
pub struct Object {
    pub kind: String,
    pub api_version: String,
    pub name: String,
    /// `metadata.namespace`, else `--namespace`, else `default`; empty for cluster-scoped kinds.
    pub namespace: String,
    pub loc: Loc,
    /// Read from an unrendered template by the line-level pass, not parsed.
    pub template: bool,
    pub meta: Meta,
    pub body: Body,
}

/// What the scan keeps of an object, by kind.
#[derive(Clone, Debug)]
pub enum Body {
    Workload(Box<Workload>),
    ServiceAccount {
        automount: Option<(bool, Loc)>,
    },
    AzureIdentity(Box<AzureIdentity>),
    // The pod-identity bodies are boxed: few objects have them, and every object's size is
    // that of its largest body.
    AzureIdentityBinding(Box<AzureIdentityBinding>),
    AzurePodIdentityException {
        pod_labels: Vec<Entry>,
        legacy_keys: Vec<Text>,
    },
    SecretProviderClass {
        provider: Option<Text>,
        parameters: Vec<Entry>,
    },
    NetworkPolicy(NetworkPolicy),
    Namespace,
    /// An unrendered template's object, as far as the line-level pass can see.
    Template(Vec<Marker>),
    /// Any other kind (kept for its metadata: misplaced annotations, suppressions).
    Other,
}

#[derive(Clone, Debug, Default)]
pub struct AzureIdentityBinding {
    pub azure_identity: Option<Text>,
    pub selector: Option<Text>,
    /// Pre-1.6 capitalised keys (`AzureIdentity`, `Selector`), pruned by the CRD.
    pub legacy_keys: Vec<Text>,
}

#[derive(Clone, Debug, Default)]
pub struct AzureIdentity {
    pub type_: Option<Text>,
    pub resource_id: Option<Text>,
    pub client_id: Option<Text>,
    pub client_id_is_string: bool,
    pub legacy_keys: Vec<Text>,
}

#[derive(Clone, Debug, Default)]
pub struct NetworkPolicy {
    /// `spec.podSelector.matchLabels`; `None` when it has `matchExpressions` (not evaluated).
    pub pod_selector: Option<Vec<Entry>>,
    pub egress_type: bool,
    /// Each egress rule: `None` allows every destination (no `to`), else its ipBlocks
    /// `(cidr, except)`; a rule with only pod or namespace selectors has an empty list.
    pub egress: Vec<EgressRule>,
}

#[derive(Clone, Debug, Default)]
pub struct EgressRule {
    pub to_all: bool,
    pub ip_blocks: Vec<(Text, Vec<String>)>,
    /// Ports allowed; empty means all.
    pub ports: Vec<(Option<String>, Option<i64>)>,
}

/// A workload (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job,
/// CronJob) and its pod template.
#[derive(Clone, Debug, Default)]
pub struct Workload {
    /// A CronJob's `spec.jobTemplate.metadata.labels`.
    pub job_template_labels: Vec<Entry>,
    /// `spec.selector.matchLabels` of a controller.
    pub selector: Vec<Entry>,
    pub pod: Pod,
}

#[derive(Clone, Debug, Default)]
pub struct Pod {
    pub loc: Loc,
    pub labels: Vec<Entry>,
    pub annotations: Vec<Entry>,
    /// `serviceAccountName`, else the deprecated `serviceAccount`.
    pub service_account: Option<Text>,
    pub automount: Option<(bool, Loc)>,
    pub host_network: Option<Loc>,
    pub node_selector: Vec<Entry>,
    /// Values of required node-affinity terms on `kubernetes.io/os` (operator In).
    pub affinity_os: Vec<String>,
    /// Values of required node-affinity terms on `type` (virtual-kubelet).
    pub affinity_type: Vec<String>,
    pub tolerations: Vec<String>,
    pub node_name: Option<String>,
    pub windows_options: bool,
    pub containers: Vec<Container>,
    pub volumes: Vec<Volume>,
}

#[derive(Clone, Debug, Default)]
pub struct Container {
    pub name: String,
    pub loc: Loc,
    pub init: bool,
    pub image: String,
    pub env: Vec<Env>,
    /// ConfigMap and Secret names of `envFrom`.
    pub env_from: Vec<Text>,
    /// `command` and `args`, each string with its position.
    pub words: Vec<Text>,
    pub ports: Vec<i64>,
    pub mount_paths: Vec<Text>,
}

#[derive(Clone, Debug, Default)]
pub struct Env {
    pub name: String,
    pub loc: Loc,
    pub value: Option<Text>,
    /// `valueFrom`'s kind: `secretKeyRef`, `configMapKeyRef`, `fieldRef`...
    pub value_from: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct Volume {
    pub name: Text,
    /// `csi.driver`.
    pub csi_driver: Option<String>,
    /// `csi.volumeAttributes.secretProviderClass`.
    pub secret_provider_class: Option<Text>,
    pub node_publish_secret: bool,
    pub host_path: Option<Text>,
    pub secret_name: Option<String>,
}

/// An identity marker the line-level pass found in an unrendered template.
#[derive(Clone, Debug, PartialEq)]
pub struct Marker {
    /// What was seen: `label azure.workload.identity/use`, `annotation ...client-id`...
    pub what: &'static str,
    pub loc: Loc,
}

/// The kinds that run pods.
pub const WORKLOAD_KINDS: &[&str] = &[
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
];

pub fn is_workload_kind(kind: &str) -> bool {
    WORKLOAD_KINDS.contains(&kind)
}

/// Kinds without a namespace: their objects are not given `default`.
pub fn is_cluster_scoped(kind: &str) -> bool {
    matches!(
        kind,
        "Namespace"
            | "ClusterRole"
            | "ClusterRoleBinding"
            | "MutatingWebhookConfiguration"
            | "ValidatingWebhookConfiguration"
            | "CustomResourceDefinition"
            | "ClusterIssuer"
            | "CSIDriver"
            | "StorageClass"
            | "PersistentVolume"
            | "Node"
            | "PriorityClass"
            | "ConstraintTemplate"
            | "ClusterPolicy"
            | "APIService"
            | "ClusterTriggerAuthentication"
    )
}

pub const WI_USE_LABEL: &str = "azure.workload.identity/use";
pub const WI_PREFIX: &str = "azure.workload.identity/";
pub const WI_CLIENT_ID: &str = "azure.workload.identity/client-id";
pub const WI_TENANT_ID: &str = "azure.workload.identity/tenant-id";
pub const WI_TOKEN_EXPIRATION: &str = "azure.workload.identity/service-account-token-expiration";
pub const WI_SKIP_CONTAINERS: &str = "azure.workload.identity/skip-containers";
pub const WI_INJECT_PROXY: &str = "azure.workload.identity/inject-proxy-sidecar";
pub const WI_PROXY_PORT: &str = "azure.workload.identity/proxy-sidecar-port";
pub const PI_LABEL: &str = "aadpodidbinding";
pub const SPC_DRIVER: &str = "secrets-store.csi.k8s.io";
/// The annotation that suppresses findings on an object: `ID: reason`, entries separated by `;`
/// or new lines.
pub const SUPPRESS_ANNOTATION: &str = "aks-id/skip";
