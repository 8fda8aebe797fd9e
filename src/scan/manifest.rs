//! From the text of one input file to the objects in it: every document of a YAML stream (or a
//! JSON file), the items of `kind: List` (and `*List`) and of JSON arrays, each reduced to the
//! compact facts of [`super::model`]. Problems are returned with their positions, never raised:
//! one bad document does not hide the others, and one bad file does not stop the scan.

use std::sync::LazyLock;

use memchr::memmem;

use crate::yaml::tree::{Limits, Node, Value, read_stream};

use super::model::*;
use super::template;

/// What a problem with an input is, for the report and the exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// The file could not be read (missing, too large, not UTF-8, I/O).
    Unreadable,
    /// YAML or JSON that does not parse, or a document over a reader limit.
    Syntax,
    /// An unrendered template: reported, read line by line, never skipped silently.
    Template,
}

impl ProblemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemKind::Unreadable => "unreadable",
            ProblemKind::Syntax => "syntax",
            ProblemKind::Template => "template",
        }
    }
}

/// A problem with an input, at a position.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub kind: ProblemKind,
    pub loc: Loc,
    pub message: String,
}

/// Everything one file gave.
#[derive(Debug, Default)]
pub struct FileScan {
    pub objects: Vec<Object>,
    pub problems: Vec<Problem>,
    /// Documents read (parsed or from the line-level pass).
    pub documents: usize,
}

/// Reader bounds for manifests: a generated List of thousands of objects is normal, a nesting of
/// more than 64 levels is not.
const LIMITS: Limits = Limits {
    max_depth: 64,
    max_nodes: 4_000_000,
};

/// Reads the objects of one file's text. `file` is its index in the scan's file list;
/// `default_namespace` is given to namespaced objects that name none.
pub fn read(file: u32, text: &str, default_namespace: &str) -> FileScan {
    let mut out = FileScan::default();
    // JSON allows tabs wherever it allows spaces; YAML does not allow them as indentation. Outside
    // strings (where JSON escapes them) a tab is only whitespace, so spaces read the same and keep
    // every offset.
    let body = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let json_like = body.trim_start().starts_with(['{', '[']);
    let owned;
    let text = if json_like && text.contains('\t') {
        owned = text.replace('\t', " ");
        owned.as_str()
    } else {
        text
    };
    let templated = template::first_expression(text);
    let mut failed = false;
    // `{{ .Name }}` written bare parses as a flow mapping used as a key: a Go template.
    let mut go_template = false;
    let mut objects = Vec::new();
    for doc in read_stream(text, &LIMITS) {
        match doc {
            Ok(doc) => {
                out.documents += 1;
                go_template |= templated.is_some() && has_collection_key(&doc.root);
                collect(file, &doc.root, default_namespace, &mut objects);
            }
            Err(err) => {
                failed = true;
                if templated.is_none() {
                    out.problems.push(Problem {
                        kind: ProblemKind::Syntax,
                        loc: Loc {
                            file,
                            line: err.mark.line,
                            column: err.mark.column,
                        },
                        message: err.message,
                    });
                }
            }
        }
    }
    // A file that parses is a template only when it uses Helm's own names; other `{{ … }}` in
    // rendered output (alert rules, workflows) is data.
    let templated = templated.filter(|_| failed || go_template || template::helm_like(text));
    match templated {
        None => out.objects = objects,
        Some(at) => {
            let line = u32::try_from(at.0).unwrap_or(u32::MAX);
            let column = u32::try_from(at.1).unwrap_or(u32::MAX);
            if failed || go_template {
                // The YAML is not readable as it stands: read what the lines show.
                let pass = template::line_pass(file, text, default_namespace);
                out.documents = pass.documents;
                out.objects = pass.objects;
                let seen = if pass.markers == 0 {
                    "no identity markers seen".to_owned()
                } else {
                    format!(
                        "{} identity marker{} read line by line",
                        pass.markers,
                        if pass.markers == 1 { "" } else { "s" }
                    )
                };
                out.problems.push(Problem {
                    kind: ProblemKind::Template,
                    loc: Loc { file, line, column },
                    message: format!(
                        "unrendered template ({{{{ … }}}}): not valid YAML until rendered; {seen}; \
                         render it first (helm template, kustomize build) and scan the output"
                    ),
                });
            } else {
                for object in &mut objects {
                    object.template = true;
                }
                out.objects = objects;
                out.problems.push(Problem {
                    kind: ProblemKind::Template,
                    loc: Loc { file, line, column },
                    message: "unrendered template expressions ({{ … }}): values holding them are \
                              not the ones a cluster will see; render it first and scan the output"
                        .to_owned(),
                });
            }
        }
    }
    out
}

/// The objects of one document's root: an object, a `List`, or a JSON array of either.
fn collect(file: u32, node: &Node, default_namespace: &str, out: &mut Vec<Object>) {
    match &node.value {
        Value::Seq(items) => {
            for item in items {
                collect(file, item, default_namespace, out);
            }
        }
        Value::Map(_) => {
            let kind = node.get("kind").and_then(Node::as_str).unwrap_or_default();
            if let Some(items) = node.get("items").and_then(Node::as_seq)
                && (kind.ends_with("List") || kind.is_empty())
            {
                for item in items {
                    collect(file, item, default_namespace, out);
                }
                return;
            }
            if !kind.is_empty()
                && let Some(object) = object(file, node, kind, default_namespace)
            {
                out.push(object);
            }
        }
        Value::Scalar(_) => {}
    }
}

/// Whether any mapping under `node` has a key that is itself a mapping or a sequence.
fn has_collection_key(node: &Node) -> bool {
    match &node.value {
        Value::Map(entries) => entries
            .iter()
            .any(|(k, v)| k.as_scalar().is_none() || has_collection_key(v)),
        Value::Seq(items) => items.iter().any(has_collection_key),
        Value::Scalar(_) => false,
    }
}

pub(crate) fn loc(file: u32, node: &Node) -> Loc {
    Loc {
        file,
        line: node.mark.line,
        column: node.mark.column,
    }
}

fn text(file: u32, node: &Node) -> Option<Text> {
    node.as_scalar().map(|s| Text {
        value: s.text.to_string(),
        loc: loc(file, node),
    })
}

/// A scalar's text, or the JSON text of a collection.
fn scalar_or_json(node: &Node) -> String {
    match node.as_str() {
        Some(s) if !node.is_null() => s.to_owned(),
        Some(_) => String::new(),
        None => node.to_json().to_string(),
    }
}

/// Environment variables the identity checks read: the Azure SDKs', Terraform's, the other
/// managed-identity endpoints' and NMI's.
fn relevant_env(name: &str) -> bool {
    ["AZURE_", "ARM_", "MSI_", "IDENTITY_", "IMDS_"]
        .iter()
        .any(|p| name.starts_with(p))
        || name == "FORCENAMESPACED"
}

/// Command words and values the identity checks read: IMDS, managed-identity logins, the
/// federated token, NMI's flags.
fn relevant_word(word: &str) -> bool {
    // Every env value and command word of every container is tested, and almost none has a
    // marker: one automaton for all of them, letters in either case, rules a word out in one
    // pass; the few it lets through get the exact test.
    static ANY_CASE: LazyLock<Option<aho_corasick::AhoCorasick>> = LazyLock::new(|| {
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(MARKERS.iter().chain(MARKERS_ANY_CASE))
            .ok()
    });
    match &*ANY_CASE {
        Some(automaton) => automaton.is_match(word) && has_marker(word),
        None => has_marker(word),
    }
}

/// Markers of [`relevant_word`], matched as written.
const MARKERS: &[&str] = &[
    "169.254.169.254",
    "/var/run/secrets/azure",
    "AZURE_FEDERATED_TOKEN_FILE",
    "--forceNamespaced",
    "--allow-network-plugin-kubenet",
    "--metadata-header-required",
];

/// Markers of [`relevant_word`], ASCII letters matched in either case.
const MARKERS_ANY_CASE: &[&str] = &["login", "connect-azaccount"];

fn has_marker(word: &str) -> bool {
    let bytes = word.as_bytes();
    MARKERS
        .iter()
        .any(|m| memmem::find(bytes, m.as_bytes()).is_some())
        || MARKERS_ANY_CASE
            .iter()
            .any(|m| contains_ignoring_case(bytes, m.as_bytes()))
}

/// Whether `needle` (lowercase ASCII) occurs in `text`, ASCII letters compared in either case.
fn contains_ignoring_case(text: &[u8], needle: &[u8]) -> bool {
    let Some(&first) = needle.first() else {
        return true;
    };
    memchr::memchr2_iter(first, first.to_ascii_uppercase(), text).any(|i| {
        text.get(i..i + needle.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(needle))
    })
}

/// Annotations too large to keep and never read: kubectl's copy of the whole object.
const DROPPED_ANNOTATIONS: &[&str] = &["kubectl.kubernetes.io/last-applied-configuration"];

/// Whether Kubernetes' YAML 1.1 reading gives a string: YAML 1.2 strings less the 1.1 booleans.
fn k8s_string(node: &Node) -> bool {
    node.is_string() && node.yaml11_bool().is_none()
}

/// A mapping's entries as strings (labels, annotations, parameters).
pub(crate) fn entries(file: u32, node: Option<&Node>) -> Vec<Entry> {
    let Some(map) = node.and_then(Node::as_map) else {
        return Vec::new();
    };
    map.iter()
        .filter(|(k, _)| !k.as_str().is_some_and(|k| DROPPED_ANNOTATIONS.contains(&k)))
        .map(|(k, v)| Entry {
            key: scalar_or_json(k),
            value: scalar_or_json(v),
            is_string: k8s_string(v),
            key_loc: loc(file, k),
            loc: loc(file, v),
        })
        .collect()
}

fn truthy(node: Option<&Node>) -> Option<bool> {
    node.and_then(|n| n.as_bool().or_else(|| n.yaml11_bool()))
}

fn object(file: u32, node: &Node, kind: &str, default_namespace: &str) -> Option<Object> {
    let metadata = node.get("metadata");
    let name = metadata
        .and_then(|m| m.get("name").or_else(|| m.get("generateName")))
        .map(scalar_or_json)
        .unwrap_or_default();
    let namespace = if is_cluster_scoped(kind) {
        String::new()
    } else {
        metadata
            .and_then(|m| m.get("namespace"))
            .map(scalar_or_json)
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| default_namespace.to_owned())
    };
    let owners = metadata
        .and_then(|m| m.get("ownerReferences"))
        .and_then(Node::as_seq)
        .map(|refs| {
            refs.iter()
                .map(|r| {
                    (
                        r.get("kind").map(scalar_or_json).unwrap_or_default(),
                        r.get("name").map(scalar_or_json).unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let live = node.get("status").is_some()
        || metadata.is_some_and(|m| m.get("uid").is_some() || m.get("resourceVersion").is_some());
    let meta = Meta {
        labels: entries(file, metadata.and_then(|m| m.get("labels"))),
        annotations: entries(file, metadata.and_then(|m| m.get("annotations"))),
        owners,
        live,
    };
    let spec = node.get("spec");
    let body = match kind {
        k if is_workload_kind(k) => Body::Workload(Box::new(workload(file, node, kind))),
        "ServiceAccount" => Body::ServiceAccount {
            automount: node
                .get("automountServiceAccountToken")
                .and_then(|n| truthy(Some(n)).map(|b| (b, loc(file, n)))),
        },
        "AzureIdentity" => Body::AzureIdentity(Box::new(azure_identity(file, spec))),
        "AzureIdentityBinding" => Body::AzureIdentityBinding(Box::new(AzureIdentityBinding {
            azure_identity: spec
                .and_then(|s| s.get("azureIdentity"))
                .and_then(|n| text(file, n)),
            selector: spec
                .and_then(|s| s.get("selector"))
                .and_then(|n| text(file, n)),
            legacy_keys: legacy_keys(file, spec, &["AzureIdentity", "Selector"]),
        })),
        "AzurePodIdentityException" => Body::AzurePodIdentityException {
            pod_labels: entries(file, spec.and_then(|s| s.get("podLabels"))),
            legacy_keys: legacy_keys(file, spec, &["PodLabels"]),
        },
        "SecretProviderClass" => Body::SecretProviderClass {
            provider: spec
                .and_then(|s| s.get("provider"))
                .and_then(|n| text(file, n)),
            parameters: entries(file, spec.and_then(|s| s.get("parameters"))),
        },
        "NetworkPolicy" => Body::NetworkPolicy(network_policy(file, spec)),
        "Namespace" => Body::Namespace,
        _ => Body::Other,
    };
    Some(Object {
        kind: kind.to_owned(),
        api_version: node
            .get("apiVersion")
            .map(scalar_or_json)
            .unwrap_or_default(),
        name,
        namespace,
        loc: loc(file, node),
        template: false,
        meta,
        body,
    })
}

fn legacy_keys(file: u32, spec: Option<&Node>, keys: &[&str]) -> Vec<Text> {
    let Some(map) = spec.and_then(Node::as_map) else {
        return Vec::new();
    };
    map.iter()
        .filter_map(|(k, _)| {
            let key = k.as_str()?;
            keys.contains(&key).then(|| Text {
                value: key.to_owned(),
                loc: loc(file, k),
            })
        })
        .collect()
}

fn azure_identity(file: u32, spec: Option<&Node>) -> AzureIdentity {
    let get = |key: &str| spec.and_then(|s| s.get(key));
    AzureIdentity {
        type_: get("type").and_then(|n| text(file, n)),
        resource_id: get("resourceID").and_then(|n| text(file, n)),
        client_id: get("clientID").and_then(|n| text(file, n)),
        client_id_is_string: get("clientID").is_some_and(k8s_string),
        legacy_keys: legacy_keys(
            file,
            spec,
            &[
                "ResourceID",
                "ClientID",
                "TenantID",
                "ClientPassword",
                "Type",
            ],
        ),
    }
}

fn network_policy(file: u32, spec: Option<&Node>) -> NetworkPolicy {
    let Some(spec) = spec else {
        return NetworkPolicy::default();
    };
    let selector = spec.get("podSelector");
    let pod_selector = match selector {
        None => Some(Vec::new()),
        Some(s) if s.get("matchExpressions").is_some() => None,
        Some(s) => Some(entries(file, s.get("matchLabels"))),
    };
    let egress_type = spec
        .get("policyTypes")
        .and_then(Node::as_seq)
        .is_some_and(|types| types.iter().any(|t| t.as_str() == Some("Egress")))
        || spec.get("egress").is_some();
    let egress = spec
        .get("egress")
        .and_then(Node::as_seq)
        .map(|rules| {
            rules
                .iter()
                .map(|rule| {
                    let to = rule.get("to").and_then(Node::as_seq);
                    let ip_blocks = to
                        .map(|peers| {
                            peers
                                .iter()
                                .filter_map(|p| p.get("ipBlock"))
                                .filter_map(|b| {
                                    let cidr = text(file, b.get("cidr")?)?;
                                    let except = b
                                        .get("except")
                                        .and_then(Node::as_seq)
                                        .map(|e| e.iter().map(scalar_or_json).collect())
                                        .unwrap_or_default();
                                    Some((cidr, except))
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    let ports = rule
                        .get("ports")
                        .and_then(Node::as_seq)
                        .map(|ports| {
                            ports
                                .iter()
                                .map(|p| {
                                    (
                                        p.get("protocol").map(scalar_or_json),
                                        p.get("port").and_then(|n| {
                                            n.as_i64().or_else(|| n.as_str()?.parse().ok())
                                        }),
                                    )
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    EgressRule {
                        to_all: to.is_none_or(<[Node]>::is_empty),
                        ip_blocks,
                        ports,
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    NetworkPolicy {
        pod_selector,
        egress_type,
        egress,
    }
}

/// The pod template of a workload kind: Pod `.spec`, CronJob `.spec.jobTemplate.spec.template`,
/// the others `.spec.template`.
fn workload(file: u32, node: &Node, kind: &str) -> Workload {
    let spec = node.get("spec");
    let (template, job_template_labels) = match kind {
        "Pod" => (Some(node), Vec::new()),
        "CronJob" => {
            let jt = spec.and_then(|s| s.get("jobTemplate"));
            (
                jt.and_then(|j| j.get_path(&["spec", "template"])),
                entries(file, jt.and_then(|j| j.get_path(&["metadata", "labels"]))),
            )
        }
        _ => (spec.and_then(|s| s.get("template")), Vec::new()),
    };
    let selector = spec
        .and_then(|s| s.get("selector"))
        .map(|s| entries(file, s.get("matchLabels").or(Some(s))))
        .unwrap_or_default();
    let selector = if kind == "Pod" { Vec::new() } else { selector };
    Workload {
        job_template_labels,
        selector,
        pod: template.map(|t| pod(file, t)).unwrap_or_default(),
    }
}

fn pod(file: u32, template: &Node) -> Pod {
    let metadata = template.get("metadata");
    let spec = template.get("spec");
    let get = |key: &str| spec.and_then(|s| s.get(key));
    let mut pod = Pod {
        loc: loc(file, template),
        labels: entries(file, metadata.and_then(|m| m.get("labels"))),
        annotations: entries(file, metadata.and_then(|m| m.get("annotations"))),
        service_account: get("serviceAccountName")
            .or_else(|| get("serviceAccount"))
            .and_then(|n| text(file, n))
            .filter(|t| !t.value.is_empty()),
        automount: get("automountServiceAccountToken")
            .and_then(|n| truthy(Some(n)).map(|b| (b, loc(file, n)))),
        host_network: get("hostNetwork")
            .filter(|n| truthy(Some(n)) == Some(true))
            .map(|n| loc(file, n)),
        node_selector: entries(file, get("nodeSelector")),
        node_name: get("nodeName").map(scalar_or_json),
        windows_options: get("securityContext")
            .and_then(|s| s.get("windowsOptions"))
            .is_some(),
        ..Pod::default()
    };
    if let Some(terms) = spec
        .and_then(|s| {
            s.get_path(&[
                "affinity",
                "nodeAffinity",
                "requiredDuringSchedulingIgnoredDuringExecution",
                "nodeSelectorTerms",
            ])
        })
        .and_then(Node::as_seq)
    {
        for term in terms {
            for expr in term
                .get("matchExpressions")
                .and_then(Node::as_seq)
                .unwrap_or_default()
            {
                let key = expr.get("key").and_then(Node::as_str).unwrap_or_default();
                let op = expr
                    .get("operator")
                    .and_then(Node::as_str)
                    .unwrap_or_default();
                if op != "In" {
                    continue;
                }
                let values = expr
                    .get("values")
                    .and_then(Node::as_seq)
                    .unwrap_or_default()
                    .iter()
                    .map(scalar_or_json);
                match key {
                    "kubernetes.io/os" | "beta.kubernetes.io/os" => pod.affinity_os.extend(values),
                    "type" => pod.affinity_type.extend(values),
                    _ => {}
                }
            }
        }
    }
    pod.tolerations = get("tolerations")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|t| t.get("key").map(scalar_or_json))
        .collect();
    for (list, init) in [("initContainers", true), ("containers", false)] {
        for c in get(list).and_then(Node::as_seq).unwrap_or_default() {
            pod.containers.push(container(file, c, init));
        }
    }
    for v in get("volumes").and_then(Node::as_seq).unwrap_or_default() {
        let csi = v.get("csi");
        pod.volumes.push(Volume {
            name: v.get("name").and_then(|n| text(file, n)).unwrap_or(Text {
                value: String::new(),
                loc: loc(file, v),
            }),
            csi_driver: csi.and_then(|c| c.get("driver")).map(scalar_or_json),
            secret_provider_class: csi
                .and_then(|c| c.get_path(&["volumeAttributes", "secretProviderClass"]))
                .and_then(|n| text(file, n)),
            node_publish_secret: csi.and_then(|c| c.get("nodePublishSecretRef")).is_some(),
            host_path: v
                .get_path(&["hostPath", "path"])
                .and_then(|n| text(file, n)),
            secret_name: v.get_path(&["secret", "secretName"]).map(scalar_or_json),
        });
    }
    pod
}

fn container(file: u32, c: &Node, init: bool) -> Container {
    let mut out = Container {
        name: c.get("name").map(scalar_or_json).unwrap_or_default(),
        loc: loc(file, c),
        init,
        image: c.get("image").map(scalar_or_json).unwrap_or_default(),
        ..Container::default()
    };
    for e in c.get("env").and_then(Node::as_seq).unwrap_or_default() {
        let name = e.get("name").and_then(Node::as_str).unwrap_or_default();
        let value = e.get("value").and_then(Node::as_str).unwrap_or_default();
        // Only what identity checks read is kept: a pod's other settings are most of its text.
        if !relevant_env(name) && !relevant_word(value) {
            continue;
        }
        out.env.push(Env {
            name: name.to_owned(),
            loc: loc(file, e),
            value: e.get("value").and_then(|n| text(file, n)),
            value_from: e
                .get("valueFrom")
                .and_then(Node::as_map)
                .and_then(|m| m.first())
                .and_then(|(k, _)| k.as_str().map(str::to_owned)),
        });
    }
    for e in c.get("envFrom").and_then(Node::as_seq).unwrap_or_default() {
        if let Some(name) = e
            .get_path(&["configMapRef", "name"])
            .or_else(|| e.get_path(&["secretRef", "name"]))
            .and_then(|n| text(file, n))
        {
            out.env_from.push(name);
        }
    }
    for key in ["command", "args"] {
        match c.get(key).map(|n| &n.value) {
            Some(Value::Seq(words)) => {
                out.words.extend(
                    words
                        .iter()
                        .filter(|w| w.as_str().is_some_and(relevant_word))
                        .filter_map(|w| text(file, w)),
                );
            }
            Some(Value::Scalar(_)) => out.words.extend(
                c.get(key)
                    .filter(|n| n.as_str().is_some_and(relevant_word))
                    .and_then(|n| text(file, n)),
            ),
            _ => {}
        }
    }
    for p in c.get("ports").and_then(Node::as_seq).unwrap_or_default() {
        if let Some(port) = p.get("containerPort").and_then(Node::as_i64) {
            out.ports.push(port);
        }
    }
    for m in c
        .get("volumeMounts")
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        if let Some(path) = m
            .get("mountPath")
            .filter(|n| {
                n.as_str()
                    .is_some_and(|p| p.starts_with("/var/run/secrets/azure"))
            })
            .and_then(|n| text(file, n))
        {
            out.mount_paths.push(path);
        }
    }
    out
}
