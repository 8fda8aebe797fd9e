//! Placeholders: the `<resource-group>`-style names that catalog commands leave for the user to
//! fill. Each is declared once in `placeholders.yaml` with what it means and the rule its values
//! must follow, so that `rules check` can refuse a command with an undeclared one and `advise`
//! can refuse a `--var` value that could not be the thing it names.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::list::List;
use super::text::Text;

/// `placeholders.yaml`.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlaceholdersFile {
    pub placeholders: List<Placeholder>,
}

/// One placeholder: `<id>` in a command.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Placeholder {
    /// The name between `<` and `>`: lowercase letters, digits and dashes.
    pub id: Text,
    /// What the user puts there, as a short phrase.
    pub meaning: Text,
    /// The rule every value must follow.
    pub kind: ValueKind,
    /// A read-only command that prints the value once earlier steps exist (for example the
    /// identity's client id): a script without the value runs it just before the value's first
    /// use instead of stopping at its checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Text>,
}

/// The rule a placeholder's value follows. Every kind refuses control characters (newlines
/// included), so a value fits on one line of a script comment or a YAML scalar.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum ValueKind {
    /// An Azure resource group name.
    AzureResourceGroup,
    /// An Azure resource name (managed identity, cluster, registry, account, credential...).
    AzureResourceName,
    /// An Azure resource id (`/subscriptions/...`).
    AzureResourceId,
    /// An Azure resource name or resource id.
    AzureResourceRef,
    /// A Kubernetes name that must be a DNS-1123 label (namespace, service account...).
    Dns1123Label,
    /// A Kubernetes name that must be a DNS-1123 subdomain (most object names).
    Dns1123Subdomain,
    /// A GUID (client id, tenant id, object id).
    Guid,
    /// An `https:` URL.
    HttpsUrl,
    /// A SQL identifier (database, schema).
    SqlName,
    /// Any one line of text (a role name, a label selector).
    Text,
}

impl ValueKind {
    /// The rule, in words, for messages.
    pub fn rule(self) -> &'static str {
        match self {
            ValueKind::AzureResourceGroup => {
                "an Azure resource group name: 1-90 letters, digits, `_`, `-`, `.`, `(` or `)`, not ending with `.`"
            }
            ValueKind::AzureResourceName => {
                "an Azure resource name: 1-128 letters, digits, `-`, `_` or `.`, starting with a letter or digit"
            }
            ValueKind::AzureResourceId => {
                "an Azure resource id: `/subscriptions/...` of letters, digits, `/`, `-`, `_`, `.`, `(` or `)`, at most 1024 characters"
            }
            ValueKind::AzureResourceRef => "an Azure resource name or an Azure resource id",
            ValueKind::Dns1123Label => {
                "a DNS-1123 label: at most 63 lowercase letters, digits or `-`, starting and ending with a letter or digit"
            }
            ValueKind::Dns1123Subdomain => {
                "a DNS-1123 subdomain: at most 253 characters, DNS-1123 labels joined by `.`"
            }
            ValueKind::Guid => "a GUID: 8-4-4-4-12 hexadecimal digits",
            ValueKind::HttpsUrl => {
                "an https: URL of at most 2048 characters, with no spaces, quotes or control characters"
            }
            ValueKind::SqlName => {
                "a SQL name: 1-128 letters, digits or `_`, starting with a letter or `_`"
            }
            ValueKind::Text => "one line of text: at most 256 characters, no control characters",
        }
    }

    /// Whether `value` follows the rule.
    pub fn accepts(self, value: &str) -> bool {
        if value.is_empty() || value.chars().any(char::is_control) {
            return false;
        }
        match self {
            ValueKind::AzureResourceGroup => {
                value.len() <= 90
                    && !value.ends_with('.')
                    && value
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"_-.()".contains(&b))
            }
            ValueKind::AzureResourceName => {
                value.len() <= 128
                    && value.as_bytes()[0].is_ascii_alphanumeric()
                    && value
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
            }
            ValueKind::AzureResourceId => {
                value.len() <= 1024
                    && value.starts_with("/subscriptions/")
                    && value
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"/-_.()".contains(&b))
            }
            ValueKind::AzureResourceRef => {
                ValueKind::AzureResourceName.accepts(value)
                    || ValueKind::AzureResourceId.accepts(value)
            }
            ValueKind::Dns1123Label => is_dns_label(value),
            ValueKind::Dns1123Subdomain => is_dns_subdomain(value),
            ValueKind::Guid => is_guid(value),
            ValueKind::HttpsUrl => {
                value.len() <= 2048
                    && value
                        .get(..8)
                        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
                    && value.len() > 8
                    && value
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-._~:/?#[]@!&()*+,;=%".contains(&b))
            }
            ValueKind::SqlName => {
                value.len() <= 128
                    && (value.as_bytes()[0].is_ascii_alphabetic() || value.starts_with('_'))
                    && value
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_')
            }
            ValueKind::Text => value.chars().count() <= 256,
        }
    }
}

/// A DNS-1123 label: 1 to 63 lowercase letters, digits and `-`, not starting or ending with `-`.
/// Shared with the checks `migrate` runs on names read from manifests.
pub fn is_dns_label(label: &str) -> bool {
    let bytes = label.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 63
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && bytes[0] != b'-'
        && bytes[bytes.len() - 1] != b'-'
}

/// A DNS-1123 subdomain: 1 to 253 characters, DNS-1123 labels joined by `.`.
pub fn is_dns_subdomain(value: &str) -> bool {
    !value.is_empty() && value.len() <= 253 && value.split('.').all(is_dns_label)
}

/// A GUID: 8-4-4-4-12 hexadecimal digits.
pub fn is_guid(value: &str) -> bool {
    let groups: Vec<&str> = value.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// One `<name>` in a text: its byte range (brackets included) and the name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Found<'a> {
    pub start: usize,
    pub end: usize,
    pub name: &'a str,
}

/// Every `<name>` in `text`, in order: `<`, a lowercase letter, then lowercase letters, digits
/// or `-`, then `>`. A heredoc's `<<'EOF'` or a `<` before anything else is not one.
pub fn find(text: &str) -> Vec<Found<'_>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'<' && bytes.get(i + 1).is_some_and(u8::is_ascii_lowercase) {
            let mut j = i + 1;
            while j < bytes.len()
                && (bytes[j].is_ascii_lowercase() || bytes[j].is_ascii_digit() || bytes[j] == b'-')
            {
                j += 1;
            }
            if bytes.get(j) == Some(&b'>') {
                out.push(Found {
                    start: i,
                    end: j + 1,
                    name: &text[i + 1..j],
                });
                i = j + 1;
                continue;
            }
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_found_but_not_heredocs() {
        let names: Vec<&str> = find("kubectl apply -n <namespace> -f - <<'EOF' <a-1>x<B> <c")
            .iter()
            .map(|f| f.name)
            .collect();
        assert_eq!(names, ["namespace", "a-1"]);
    }

    #[test]
    fn each_kind_accepts_a_typical_value_and_refuses_a_hostile_one() {
        let cases = [
            (ValueKind::AzureResourceGroup, "rg-prod_1(eu)", "rg."),
            (ValueKind::AzureResourceName, "id-orders.v2", "-x"),
            (
                ValueKind::AzureResourceId,
                "/subscriptions/0/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv",
                "/subscriptions/$(id)",
            ),
            (ValueKind::AzureResourceRef, "myregistry", "a b"),
            (ValueKind::Dns1123Label, "orders-api", "Orders"),
            (ValueKind::Dns1123Subdomain, "a.b-c", "a..b"),
            (
                ValueKind::Guid,
                "00000000-0000-0000-0000-00000000000a",
                "0000-0000",
            ),
            (
                ValueKind::HttpsUrl,
                "https://eastus.oic.prod-aks.azure.com/t/u/",
                "http://x",
            ),
            (ValueKind::SqlName, "sales_2024", "x;drop"),
            (ValueKind::Text, "Key Vault Secrets User", "a\nb"),
        ];
        for (kind, good, bad) in cases {
            assert!(kind.accepts(good), "{kind:?} refused {good}");
            assert!(!kind.accepts(bad), "{kind:?} accepted {bad}");
            assert!(!kind.accepts(""), "{kind:?} accepted nothing");
            assert!(
                !kind.accepts(&format!("{good}\n")),
                "{kind:?} took a newline"
            );
        }
    }
}
