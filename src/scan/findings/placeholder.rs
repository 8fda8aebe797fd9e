//! Identity fields holding a placeholder (`${VAR}`, `<ClientID>`, `{{ … }}`, `<no value>`, an
//! all-zero GUID, an empty string) instead of a value: passed through literally, they fail only
//! at run time.

use super::{Sink, name, placeholder_kind};
use crate::scan::index::Index;
use crate::scan::model::*;

pub fn unrendered_value(index: &Index, sink: &mut Sink) {
    let check = |sink: &mut Sink, i: usize, o: &Object, field: &str, value: &str, loc: Loc| {
        if let Some(kind) = placeholder_kind(value) {
            sink.report(
                "placeholder-unrendered-value",
                i,
                loc,
                format!(
                    "{}: {field} is {kind}{}",
                    name(o),
                    if value.is_empty() {
                        String::new()
                    } else {
                        format!(" (\"{value}\")")
                    }
                ),
            );
        }
    };
    for (i, o) in index.objects.iter().enumerate() {
        if o.template && !matches!(o.body, Body::Template(_)) {
            // Parsed from a template file: its placeholders are the template's, reported once
            // as a template.
            continue;
        }
        match &o.body {
            Body::ServiceAccount { .. } => {
                for key in [WI_CLIENT_ID, WI_TENANT_ID] {
                    if let Some(a) = lookup(&o.meta.annotations, key) {
                        check(sink, i, o, key, &a.value, a.loc);
                    }
                }
            }
            Body::SecretProviderClass { parameters, .. } => {
                for key in [
                    "clientID",
                    "tenantID",
                    "tenantId",
                    "keyvaultName",
                    "userAssignedIdentityID",
                ] {
                    if let Some(p) = lookup(parameters, key)
                        && !(p.value.is_empty() && key == "userAssignedIdentityID")
                    {
                        check(sink, i, o, key, &p.value, p.loc);
                    }
                }
            }
            Body::AzureIdentity(a) => {
                for (field, text) in [("clientID", &a.client_id), ("resourceID", &a.resource_id)] {
                    if let Some(t) = text {
                        check(sink, i, o, field, &t.value, t.loc);
                    }
                }
            }
            _ => {}
        }
    }
    for (i, o, w) in index.checked() {
        for c in &w.pod.containers {
            for e in &c.env {
                if matches!(e.name.as_str(), "AZURE_CLIENT_ID" | "AZURE_TENANT_ID")
                    && let Some(v) = &e.value
                {
                    check(sink, i, o, &format!("env {}", e.name), &v.value, v.loc);
                }
            }
        }
    }
}
