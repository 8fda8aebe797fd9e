//! The rules a value must pass before it is written into a generated script, manifest or command:
//! Kubernetes names (DNS-1123), GUIDs, Azure resource ids and names, and `https:` issuer URLs.
//! A value that fails is refused with the rule's description; nothing is ever repaired silently.
//! The Kubernetes-name and GUID checks are the catalog's (the ones `--var` values and
//! `rules check` use); the kinds only `migrate` needs live here.

use crate::catalog::placeholders::{is_dns_label, is_dns_subdomain, is_guid};

/// A rule for one kind of value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// A namespace (and other label-like names): DNS-1123 label.
    Dns1123Label,
    /// An object name (ServiceAccount, Deployment...): DNS-1123 subdomain.
    Dns1123Subdomain,
    /// A label value (an `aadpodidbinding` selector): at most 63 letters, digits, `-`, `_`
    /// and `.`, starting and ending with a letter or digit.
    LabelValue,
    /// A client or tenant id.
    Guid,
    /// A user-assigned managed identity's resource id.
    IdentityResourceId,
    /// An Azure resource group name.
    ResourceGroup,
    /// An AKS cluster name.
    ClusterName,
    /// An OIDC issuer URL.
    HttpsUrl,
}

impl Rule {
    /// What the rule requires, for the message that refuses a value.
    pub fn describe(self) -> &'static str {
        match self {
            Rule::Dns1123Label => {
                "a DNS-1123 label: 1 to 63 lowercase letters, digits and '-', starting and ending with a letter or digit"
            }
            Rule::Dns1123Subdomain => {
                "a DNS-1123 subdomain: at most 253 characters, labels of lowercase letters, digits and '-' separated by '.'"
            }
            Rule::LabelValue => {
                "a label value: at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit"
            }
            Rule::Guid => "a GUID: 8-4-4-4-12 hexadecimal digits",
            Rule::IdentityResourceId => {
                "a user-assigned identity resource id: /subscriptions/<GUID>/resourceGroups/<group>/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>"
            }
            Rule::ResourceGroup => {
                "an Azure resource group name: 1 to 90 letters, digits, '-', '_', '.', '(' or ')', not ending with '.'"
            }
            Rule::ClusterName => {
                "an AKS cluster name: 1 to 63 letters, digits, '-' or '_', starting and ending with a letter or digit"
            }
            Rule::HttpsUrl => {
                "an https: URL without spaces, quotes, backslashes or control characters"
            }
        }
    }

    /// Whether `value` passes the rule.
    pub fn accepts(self, value: &str) -> bool {
        match self {
            Rule::Dns1123Label => is_dns_label(value),
            Rule::Dns1123Subdomain => is_dns_subdomain(value),
            Rule::LabelValue => short_name(value, b"-_."),
            Rule::Guid => is_guid(value),
            Rule::IdentityResourceId => identity_resource_id(value).is_some(),
            Rule::ResourceGroup => resource_group(value),
            Rule::ClusterName => short_name(value, b"-_"),
            Rule::HttpsUrl => https_url(value),
        }
    }

    /// `Ok(value)` when it passes, else the refusal.
    pub fn check(self, value: &str) -> Result<&str, Refused> {
        if self.accepts(value) {
            Ok(value)
        } else {
            Err(Refused {
                value: value.to_owned(),
                rule: self,
            })
        }
    }
}

/// A value that broke its rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    pub value: String,
    pub rule: Rule,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` is not {}",
            crate::diag::clip(&self.value, 80),
            self.rule.describe()
        )
    }
}

/// 1 to 63 bytes: ASCII letters and digits, and `inner` bytes between the first and the last
/// (a label value, a cluster name).
fn short_name(value: &str, inner: &[u8]) -> bool {
    let b = value.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || inner.contains(c))
}

fn resource_group(value: &str) -> bool {
    !value.is_empty()
        && value.chars().count() <= 90
        && !value.ends_with('.')
        && value
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '(' | ')'))
}

/// An Azure resource name segment as the scripts use it: letters, digits, '-' and '_'.
fn identity_name(value: &str) -> bool {
    let b = value.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && b[0].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_')
}

/// The parts of a user-assigned identity's resource id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentityId {
    pub subscription: String,
    pub resource_group: String,
    pub name: String,
}

/// Splits a resource id of the form MIC accepts (segment names compared case-insensitively),
/// with each part valid on its own.
pub fn identity_resource_id(value: &str) -> Option<IdentityId> {
    let parts: Vec<&str> = value.split('/').collect();
    let [
        "",
        subscriptions,
        subscription,
        resource_groups,
        group,
        providers,
        namespace,
        kind,
        name,
    ] = parts.as_slice()
    else {
        return None;
    };
    let eq = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    (eq(subscriptions, "subscriptions")
        && is_guid(subscription)
        && eq(resource_groups, "resourcegroups")
        && resource_group(group)
        && eq(providers, "providers")
        && eq(namespace, "Microsoft.ManagedIdentity")
        && eq(kind, "userAssignedIdentities")
        && identity_name(name))
    .then(|| IdentityId {
        subscription: (*subscription).to_owned(),
        resource_group: (*group).to_owned(),
        name: (*name).to_owned(),
    })
}

fn https_url(value: &str) -> bool {
    let Some(rest) = value.strip_prefix("https://") else {
        return false;
    };
    let host = rest.split('/').next().unwrap_or("");
    !host.is_empty()
        && value.len() <= 2048
        && value.chars().all(|c| {
            c.is_ascii_graphic() && !matches!(c, '"' | '\'' | '\\' | '`' | '$' | '<' | '>')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each rule with values it accepts and values it refuses.
    #[test]
    fn each_rule_accepts_and_refuses() {
        let long_label = "a".repeat(64);
        let cases: [(Rule, &[&str], &[&str]); 7] = [
            (
                Rule::Dns1123Label,
                &["team-a"],
                &["Team-A", "-a", "a.b", long_label.as_str()],
            ),
            (
                Rule::Dns1123Subdomain,
                &["api.v1-x"],
                &["a..b", "$(id)", "a b", ""],
            ),
            (
                Rule::LabelValue,
                &["Orders_API.v2"],
                &["good $(reboot)", "a\nb", "_a"],
            ),
            (
                Rule::Guid,
                &[
                    "00000000-1111-2222-3333-444444444444",
                    "ABCDEF00-1111-2222-3333-444444444444",
                ],
                &[
                    "00000000-1111-2222-3333-44444444444",
                    "0000000g-1111-2222-3333-444444444444",
                    "<ClientID>",
                ],
            ),
            (
                Rule::HttpsUrl,
                &["https://eastus.oic.prod-aks.azure.com/t/c/"],
                &[
                    "http://example.com/",
                    "https://",
                    "https://a/$(id)",
                    "https://a/ b",
                ],
            ),
            (Rule::ResourceGroup, &["my_rg(1).x"], &["rg.", "rg;id"]),
            (Rule::ClusterName, &["aks_1-prod"], &["aks prod"]),
        ];
        for (rule, good, bad) in cases {
            for value in good {
                assert!(rule.accepts(value), "{rule:?} refused {value:?}");
            }
            for value in bad {
                assert!(!rule.accepts(value), "{rule:?} accepted {value:?}");
            }
        }
    }

    #[test]
    fn identity_resource_ids() {
        let id = "/subscriptions/00000000-1111-2222-3333-444444444444/resourcegroups/rg.1/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-a";
        assert_eq!(
            identity_resource_id(id),
            Some(IdentityId {
                subscription: "00000000-1111-2222-3333-444444444444".into(),
                resource_group: "rg.1".into(),
                name: "id-a".into()
            })
        );
        assert!(!Rule::IdentityResourceId.accepts(&id.replace("id-a", "id a")));
        assert!(!Rule::IdentityResourceId.accepts(&id.replace("userAssigned", "system")));
        assert!(!Rule::IdentityResourceId.accepts(&format!("{id}/extra")));
    }
}
