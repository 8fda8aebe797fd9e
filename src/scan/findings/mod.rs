//! The findings: one detector function per finding id, each reading the cross-object index and
//! reporting what it sees with a position and a message. The metadata a user sees besides the
//! message (title, explanation, fix, sources, default severity) is in the catalog's
//! `findings.yaml`; [`DETECTORS`] and the catalog must name the same ids, which a test checks.

mod imds;
mod pi;
mod placeholder;
mod spc;
mod wi;

use crate::catalog::Severity;

use super::index::Index;
use super::model::*;

/// What a detector reports. The level is the catalog's default unless the detector names
/// another for a sub-case.
#[derive(Clone, Debug, PartialEq)]
pub struct Raw {
    pub id: &'static str,
    pub level: Option<Severity>,
    /// The object's index in [`Index::objects`].
    pub object: usize,
    pub loc: Loc,
    pub message: String,
}

/// Where detectors report.
pub struct Sink {
    pub found: Vec<Raw>,
}

impl Sink {
    pub fn new() -> Self {
        Sink { found: Vec::new() }
    }

    pub fn report(&mut self, id: &'static str, object: usize, loc: Loc, message: String) {
        self.found.push(Raw {
            id,
            level: None,
            object,
            loc,
            message,
        });
    }

    pub fn report_as(
        &mut self,
        id: &'static str,
        level: Severity,
        object: usize,
        loc: Loc,
        message: String,
    ) {
        self.found.push(Raw {
            id,
            level: Some(level),
            object,
            loc,
            message,
        });
    }
}

impl Default for Sink {
    fn default() -> Self {
        Self::new()
    }
}

pub type Detector = fn(&Index, &mut Sink);

/// Every finding id with its detector, in catalog order.
pub const DETECTORS: &[(&str, Detector)] = &[
    ("wi-label-missing", wi::label_missing),
    ("wi-label-on-serviceaccount", wi::label_on_serviceaccount),
    ("wi-label-on-controller-metadata", wi::label_on_controller),
    ("wi-label-value-not-true", wi::label_value_not_true),
    ("wi-label-in-selector", wi::label_in_selector),
    ("wi-clientid-missing", wi::clientid_missing),
    ("wi-id-annotation-invalid", wi::id_annotation_invalid),
    ("wi-annotation-misplaced", wi::annotation_misplaced),
    ("wi-token-expiration-invalid", wi::token_expiration_invalid),
    ("wi-skip-containers-invalid", wi::skip_containers_invalid),
    ("wi-proxy-unsupported-pod", wi::proxy_unsupported_pod),
    ("wi-proxy-annotation-misuse", wi::proxy_annotation_misuse),
    ("wi-excluded-namespace", wi::excluded_namespace),
    ("wi-serviceaccount-not-found", wi::serviceaccount_not_found),
    ("wi-env-conflict", wi::env_conflict),
    ("wi-hardcoded-token-path", wi::hardcoded_token_path),
    ("wi-virtual-node", wi::virtual_node),
    ("wi-fic-cap-exceeded", wi::fic_cap_exceeded),
    ("wi-automount-token-info", wi::automount_token_info),
    ("imds-usage-without-wi", imds::usage_without_wi),
    ("imds-reachable", imds::reachable),
    (
        "pi-workload-uses-pod-identity",
        pi::workload_uses_pod_identity,
    ),
    ("pi-binding-dangling", pi::binding_dangling),
    ("pi-azureidentity-invalid", pi::azureidentity_invalid),
    ("pi-cross-namespace-matching", pi::cross_namespace_matching),
    ("pi-exception-overbroad", pi::exception_overbroad),
    ("pi-nmi-mic-present", pi::nmi_mic_present),
    ("pi-multi-identity-selector", pi::multi_identity_selector),
    ("spc-pod-identity-mode", spc::pod_identity_mode),
    ("spc-identity-mode-conflict", spc::identity_mode_conflict),
    ("spc-clientid-sa-mismatch", spc::clientid_sa_mismatch),
    (
        "placeholder-unrendered-value",
        placeholder::unrendered_value,
    ),
];

/// `Kind namespace/name` for messages.
pub(crate) fn name(o: &Object) -> String {
    if o.namespace.is_empty() {
        format!("{} {}", o.kind, o.name)
    } else {
        format!("{} {}/{}", o.kind, o.namespace, o.name)
    }
}

/// Whether a text is a GUID (8-4-4-4-12 hexadecimal digits).
pub(crate) fn is_guid(text: &str) -> bool {
    text.len() == 36
        && text.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// Words of documentation samples left in a value, ASCII letters in either case.
const PLACEHOLDER_WORDS: &[&str] = &["REPLACE", "CHANGEME", "CHANGE_ME", "TODO", "YOUR-", "YOUR_"];

/// Whether `value` has one of [`PLACEHOLDER_WORDS`]. Every annotation and env value of the input
/// is tested: one automaton, built once, finds any of them in one pass without a copy.
fn has_placeholder_word(value: &str) -> bool {
    static WORDS: std::sync::LazyLock<Option<aho_corasick::AhoCorasick>> =
        std::sync::LazyLock::new(|| {
            aho_corasick::AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(PLACEHOLDER_WORDS)
                .ok()
        });
    match &*WORDS {
        Some(words) => words.is_match(value),
        None => {
            let upper = value.to_ascii_uppercase();
            PLACEHOLDER_WORDS.iter().any(|w| upper.contains(w))
        }
    }
}

/// A value that a template, a variable or a documentation sample left in place of the real one.
pub(crate) fn placeholder_kind(value: &str) -> Option<&'static str> {
    let v = value.trim();
    if v.is_empty() {
        return Some("an empty value");
    }
    if v.contains("{{") && v.contains("}}") {
        return Some("an unrendered template expression");
    }
    if v.contains("<no value>") {
        return Some("Helm's <no value> (a missing value)");
    }
    if (v.starts_with("${") && v.ends_with('}'))
        || (v.starts_with('$')
            && v.len() > 1
            && v[1..]
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
            && v.as_bytes()[1].is_ascii_uppercase())
    {
        return Some("an unsubstituted variable");
    }
    if let Some(open) = v.find('<')
        && v[open..].find('>').is_some_and(|close| close > 1)
    {
        return Some("a documentation placeholder");
    }
    if has_placeholder_word(v) {
        return Some("a placeholder word");
    }
    if v.eq_ignore_ascii_case("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx")
        || (v.len() == 36 && v.bytes().all(|b| b == b'x' || b == b'X' || b == b'-'))
    {
        return Some("a sample GUID of x's");
    }
    if v == "00000000-0000-0000-0000-000000000000" {
        return Some("the all-zero GUID of documentation samples");
    }
    None
}

/// The pod is pinned to Windows nodes (for the advice).
pub(crate) fn wi_targets_windows(pod: &Pod) -> bool {
    wi::targets_windows(pod)
}

/// The pod is scheduled on virtual nodes (for the advice).
pub(crate) fn wi_on_virtual_nodes(pod: &Pod) -> bool {
    wi::on_virtual_nodes(pod)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_and_placeholders() {
        assert!(is_guid("6d1f2f4a-8f3c-4a6b-9a57-1d2e3f4a5b6c"));
        assert!(!is_guid("/subscriptions/x"));
        for p in [
            "",
            "${USER_ASSIGNED_CLIENT_ID}",
            "$CLIENT_ID",
            "<ClientID>",
            "{{ .Values.clientId }}",
            "<no value>",
            "REPLACE_ME",
            "00000000-0000-0000-0000-000000000000",
            "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
        ] {
            assert!(placeholder_kind(p).is_some(), "{p}");
        }
        assert_eq!(
            placeholder_kind("6d1f2f4a-8f3c-4a6b-9a57-1d2e3f4a5b6c"),
            None
        );
        assert_eq!(placeholder_kind("$5"), None);
    }
}
