//! `aks-id scan -o sarif`: SARIF 2.1.0 for code-scanning services (GitHub code scanning through
//! `github/codeql-action/upload-sarif`). Each finding id is a rule with its catalog metadata;
//! each finding a result with its file, line and column, a fingerprint that does not move when
//! lines do, and the object's suppression annotation as an in-source suppression.

use std::io::Write;

use serde_json::{Value, json};

use crate::catalog::{Catalog, Severity};
use crate::error::Error;
use crate::scan::Report;

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A file name as a URI reference: forward slashes, no leading `./`, and the characters that
/// end or escape a URI part percent-encoded.
pub fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = path.strip_prefix("./").unwrap_or(&path);
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' | b':' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// FNV-1a, 64 bits: a stable fingerprint without a hashing dependency.
fn fingerprint(parts: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

pub fn document(catalog: &Catalog, report: &Report) -> Value {
    let rules: Vec<Value> = catalog
        .findings
        .iter()
        .map(|f| {
            let urls = catalog.urls(&f.sources);
            json!({
                "id": f.id,
                "shortDescription": { "text": f.title },
                "fullDescription": { "text": f.explanation },
                "help": { "text": format!("{}\n\nSources:\n{}", f.fix, urls.join("\n")) },
                "helpUri": urls.first().copied().unwrap_or("https://learn.microsoft.com/azure/aks/workload-identity-overview"),
                "defaultConfiguration": { "level": level(f.severity) },
                "properties": { "tags": ["security", "azure", "kubernetes", "identity"] },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let o = report.object(f.object);
            let rule_index = catalog
                .findings
                .iter()
                .position(|m| m.id == f.id)
                .unwrap_or_default();
            let mut physical = json!({
                "artifactLocation": { "uri": uri(report.file(f.loc)) },
            });
            if f.loc.line > 0 {
                physical["region"] = json!({
                    "startLine": f.loc.line,
                    "startColumn": f.loc.column.max(1),
                });
            }
            let qualified = format!("{}/{}/{}", o.kind, o.namespace, o.name);
            let mut result = json!({
                "ruleId": f.id,
                "ruleIndex": rule_index,
                "level": level(f.severity),
                "message": { "text": f.message },
                "locations": [{
                    "physicalLocation": physical,
                    "logicalLocations": [{
                        "name": o.name,
                        "fullyQualifiedName": qualified,
                        "kind": "object",
                    }],
                }],
                "partialFingerprints": {
                    "aksIdFinding/v1": fingerprint(&[f.id, &o.kind, &o.namespace, &o.name, &f.message]),
                },
            });
            if let Some(reason) = &f.suppressed {
                result["suppressions"] = json!([{ "kind": "inSource", "justification": reason }]);
            }
            result
        })
        .collect();
    let notifications: Vec<Value> = report
        .problems
        .iter()
        .map(|p| {
            let mut physical = json!({ "artifactLocation": { "uri": uri(report.file(p.loc)) } });
            if p.loc.line > 0 {
                physical["region"] = json!({ "startLine": p.loc.line, "startColumn": p.loc.column.max(1) });
            }
            json!({
                "level": if p.kind == crate::scan::manifest::ProblemKind::Template { "note" } else { "error" },
                "message": { "text": format!("{}: {}", p.kind.as_str(), p.message) },
                "locations": [{ "physicalLocation": physical }],
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "aks-id",
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                },
            },
            "invocations": [{
                "executionSuccessful": !report.has_unreadable(),
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }],
    })
}

pub fn write(catalog: &Catalog, report: &Report, out: &mut dyn Write) -> Result<(), Error> {
    crate::render::data::write_json(&document(catalog, report), out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_and_fingerprints() {
        assert_eq!(uri("./deploy/my app.yaml"), "deploy/my%20app.yaml");
        assert_eq!(uri("a\\b.yaml"), "a/b.yaml");
        assert_eq!(fingerprint(&["a", "b"]), fingerprint(&["a", "b"]));
        assert_ne!(fingerprint(&["ab", ""]), fingerprint(&["a", "b"]));
    }
}
