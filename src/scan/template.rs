//! Unrendered Helm and Go templates. Such a file is never skipped silently: it is reported as a
//! template, and when its text is not valid YAML a tolerant pass over its lines names the objects
//! (`kind:`, `metadata.name`) and the identity markers it can see, each with its line, so that a
//! chart's workloads still appear in the report, marked as read from a template.

use super::model::*;

/// The 1-based line and column of the first `{{ … }}` outside a comment, if any.
pub fn first_expression(text: &str) -> Option<(usize, usize)> {
    // Fast path for the common case: no template at all (one vectorised pass over the text).
    memchr::memmem::find(text.as_bytes(), b"{{")?;
    for (n, line) in text.lines().enumerate() {
        let code = line.trim_start();
        if code.starts_with('#') {
            continue;
        }
        if let Some(open) = line.find("{{")
            && line[open..].contains("}}")
        {
            return Some((n + 1, line[..open].chars().count() + 1));
        }
    }
    None
}

/// Whether a text that parses as YAML is still a chart's unrendered template: one of its
/// `{{ … }}` uses what only Helm provides (`.Values`, `.Release`, `include`, `toYaml`...).
/// Rendered output keeps other Go templates as data (Prometheus rules' `{{ $labels.pod }}`,
/// Argo Workflows' `{{inputs.parameters.x}}`): those files are manifests, not templates.
pub fn helm_like(text: &str) -> bool {
    const HELM: &[&str] = &[
        ".Values",
        ".Release",
        ".Chart",
        ".Capabilities",
        ".Files",
        "include ",
        "toYaml",
        "nindent",
        "tpl ",
        "required ",
    ];
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            return false;
        };
        let expression = &after[..close];
        if HELM.iter().any(|h| expression.contains(h)) {
            return true;
        }
        rest = &after[close + 2..];
    }
    false
}

/// What the line-level pass found.
#[derive(Debug, Default)]
pub struct LinePass {
    pub objects: Vec<Object>,
    pub documents: usize,
    pub markers: usize,
}

/// The identity markers the pass looks for, in the order they are tested on a line.
const MARKERS: &[(&str, &str)] = &[
    (WI_USE_LABEL, "label azure.workload.identity/use"),
    (WI_CLIENT_ID, "annotation azure.workload.identity/client-id"),
    (WI_TENANT_ID, "annotation azure.workload.identity/tenant-id"),
    (
        WI_INJECT_PROXY,
        "annotation azure.workload.identity/inject-proxy-sidecar",
    ),
    ("AZURE_FEDERATED_TOKEN_FILE", "AZURE_FEDERATED_TOKEN_FILE"),
    (PI_LABEL, "label aadpodidbinding"),
    ("usePodIdentity", "SecretProviderClass usePodIdentity"),
    (
        "useVMManagedIdentity",
        "SecretProviderClass useVMManagedIdentity",
    ),
    ("nodePublishSecretRef", "nodePublishSecretRef"),
    ("AZURE_CLIENT_SECRET", "AZURE_CLIENT_SECRET"),
    ("169.254.169.254", "IMDS address 169.254.169.254"),
    ("MSI_ENDPOINT", "MSI_ENDPOINT"),
    ("IDENTITY_ENDPOINT", "IDENTITY_ENDPOINT"),
    ("serviceAccountName", "serviceAccountName"),
];

/// Reads objects from a template's lines: documents split at `---`, `kind:` and the first
/// `name:`/`namespace:` under `metadata:`, and every marker line.
pub fn line_pass(file: u32, text: &str, default_namespace: &str) -> LinePass {
    let mut pass = LinePass::default();
    let mut current: Option<Object> = None;
    let mut in_metadata = false;
    let mut saw_content = false;
    let mut pending: Vec<Marker> = Vec::new();
    let finish = |current: &mut Option<Object>, pending: &mut Vec<Marker>, pass: &mut LinePass| {
        if let Some(mut object) = current.take() {
            if let Body::Template(markers) = &mut object.body {
                markers.append(pending);
            }
            pass.objects.push(object);
        }
        pending.clear();
    };
    // Only the markers the text holds at all are looked for line by line.
    let markers: Vec<(memchr::memmem::Finder<'_>, &'static str)> = MARKERS
        .iter()
        .map(|(needle, what)| (memchr::memmem::Finder::new(needle), *what))
        .filter(|(finder, _)| finder.find(text.as_bytes()).is_some())
        .collect();
    for (n, raw) in text.lines().enumerate() {
        let line_no = u32::try_from(n + 1).unwrap_or(u32::MAX);
        let line = raw.trim_end_matches('\r');
        if line.starts_with("---") {
            finish(&mut current, &mut pending, &mut pass);
            if saw_content {
                pass.documents += 1;
            }
            saw_content = false;
            in_metadata = false;
            continue;
        }
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        saw_content = true;
        let indent = line.len() - trimmed.len();
        if indent == 0 {
            in_metadata = trimmed.starts_with("metadata:");
            if let Some(kind) = trimmed.strip_prefix("kind:") {
                finish(&mut current, &mut pending, &mut pass);
                let kind = clean(kind);
                current = Some(Object {
                    namespace: if is_cluster_scoped(&kind) {
                        String::new()
                    } else {
                        default_namespace.to_owned()
                    },
                    kind,
                    api_version: String::new(),
                    name: String::new(),
                    loc: Loc {
                        file,
                        line: line_no,
                        column: 1,
                    },
                    template: true,
                    meta: Meta::default(),
                    body: Body::Template(Vec::new()),
                });
            }
        } else if in_metadata
            && indent <= 2
            && let Some(object) = current.as_mut()
        {
            {
                if let Some(name) = trimmed.strip_prefix("name:")
                    && object.name.is_empty()
                {
                    object.name = clean(name);
                } else if let Some(ns) = trimmed.strip_prefix("namespace:") {
                    let ns = clean(ns);
                    if !ns.is_empty() && !object.namespace.is_empty() {
                        object.namespace = ns;
                    }
                }
            }
        }
        for (finder, what) in &markers {
            if let Some(at) = finder.find(line.as_bytes()) {
                pass.markers += 1;
                pending.push(Marker {
                    what,
                    loc: Loc {
                        file,
                        line: line_no,
                        column: u32::try_from(line[..at].chars().count() + 1).unwrap_or(1),
                    },
                });
                break;
            }
        }
    }
    finish(&mut current, &mut pending, &mut pass);
    if saw_content {
        pass.documents += 1;
    }
    pass
}

/// A value as written on a template line, without quotes and trailing comment.
fn clean(value: &str) -> String {
    let value = value.trim();
    let value = match value.find(" #") {
        Some(at) => &value[..at],
        None => value,
    };
    value.trim().trim_matches(['"', '\'']).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_expression_outside_comments() {
        assert_eq!(first_expression("a: 1\n"), None);
        assert_eq!(
            first_expression("# {{ x }}\nb: {{ .Values.b }}\n"),
            Some((2, 4))
        );
    }

    #[test]
    fn only_helm_expressions_make_a_parsed_file_a_template() {
        assert!(helm_like("name: \"{{ .Release.Name }}\""));
        assert!(helm_like("labels: {{- include \"x\" . | nindent 4 }}"));
        assert!(!helm_like("summary: \"{{ $labels.pod }} is down\""));
        assert!(!helm_like("args: [\"{{inputs.parameters.x}}\"]"));
    }

    #[test]
    fn line_pass_names_objects_and_markers() {
        let text = "{{- if .Values.enabled }}\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-api\n  namespace: apps\nspec:\n  template:\n    metadata:\n      labels:\n        azure.workload.identity/use: \"true\"\n---\nkind: ServiceAccount\nmetadata:\n  name: api\n";
        let pass = line_pass(0, text, "default");
        assert_eq!(pass.documents, 2);
        assert_eq!(pass.objects.len(), 2);
        let d = &pass.objects[0];
        assert_eq!(
            (d.kind.as_str(), d.name.as_str(), d.namespace.as_str()),
            ("Deployment", "{{ .Release.Name }}-api", "apps")
        );
        let Body::Template(markers) = &d.body else {
            panic!("a template body")
        };
        assert_eq!(markers.len(), 1);
        assert_eq!(markers[0].loc.line, 11);
        assert_eq!(pass.objects[1].name, "api");
    }
}
