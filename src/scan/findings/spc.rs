//! Secrets Store CSI driver, Azure provider: which identity a SecretProviderClass makes the
//! provider use, as `pkg/provider/provider.go` decides it (mode flags parsed with Go's
//! `strconv.ParseBool`, a mode flag before `clientID`).

use super::{Sink, is_guid, name};
use crate::catalog::Severity;
use crate::scan::index::{Index, parse_bool};
use crate::scan::model::*;

const MODES: &[&str] = &[
    "usePodIdentity",
    "useVMManagedIdentity",
    "useAzureTokenProxy",
];

fn azure_spcs(index: &Index) -> impl Iterator<Item = (usize, &Object, &[Entry])> {
    index
        .of_kind("SecretProviderClass")
        .filter_map(|(i, o)| match &o.body {
            Body::SecretProviderClass {
                provider,
                parameters,
            } if provider.as_ref().is_some_and(|p| p.value == "azure") => {
                Some((i, o, parameters.as_slice()))
            }
            _ => None,
        })
}

pub fn pod_identity_mode(index: &Index, sink: &mut Sink) {
    for (i, o, params) in azure_spcs(index) {
        let Some(p) = lookup(params, "usePodIdentity") else {
            continue;
        };
        match parse_bool(&p.value) {
            Some(true) => sink.report(
                "spc-pod-identity-mode",
                i,
                p.loc,
                format!(
                    "{}: usePodIdentity \"{}\" gets the Key Vault token through NMI \
                     (pod-managed identity, retired)",
                    name(o),
                    p.value
                ),
            ),
            Some(false) => {}
            None => sink.report_as(
                "spc-pod-identity-mode",
                Severity::Error,
                i,
                p.loc,
                format!(
                    "{}: usePodIdentity \"{}\" is not a boolean the provider reads (true, false, \
                     1, 0); every mount fails",
                    name(o),
                    p.value
                ),
            ),
        }
    }
}

pub fn identity_mode_conflict(index: &Index, sink: &mut Sink) {
    for (i, o, params) in azure_spcs(index) {
        let on: Vec<&Entry> = MODES
            .iter()
            .filter_map(|m| lookup(params, m))
            .filter(|e| parse_bool(&e.value) == Some(true))
            .collect();
        for m in ["useVMManagedIdentity", "useAzureTokenProxy"] {
            if let Some(e) = lookup(params, m)
                && !e.value.is_empty()
                && parse_bool(&e.value).is_none()
            {
                sink.report(
                    "spc-identity-mode-conflict",
                    i,
                    e.loc,
                    format!(
                        "{}: {m} \"{}\" is not a boolean the provider reads; every mount fails",
                        name(o),
                        e.value
                    ),
                );
            }
        }
        if on.len() > 1 {
            let names: Vec<&str> = on.iter().map(|e| e.key.as_str()).collect();
            sink.report(
                "spc-identity-mode-conflict",
                i,
                on[1].key_loc,
                format!(
                    "{}: {} are all true; the provider accepts one mode",
                    name(o),
                    names.join(" and ")
                ),
            );
        }
        let client = lookup(params, "clientID").filter(|c| !c.value.is_empty());
        if let (Some(mode), Some(c)) = (on.first(), client) {
            sink.report_as(
                "spc-identity-mode-conflict",
                Severity::Warning,
                i,
                c.key_loc,
                format!(
                    "{}: clientID is ignored because {} is true{}",
                    name(o),
                    mode.key,
                    if mode.key == "useVMManagedIdentity" {
                        " (use userAssignedIdentityID for a VM identity, or drop the flag for \
                         Workload ID)"
                    } else {
                        ""
                    }
                ),
            );
        }
        if lookup(params, "tenantID").is_none() && lookup(params, "tenantId").is_none() {
            sink.report(
                "spc-identity-mode-conflict",
                i,
                o.loc,
                format!("{}: parameters.tenantID is missing", name(o)),
            );
        }
        if lookup(params, "keyvaultName").is_none_or(|k| k.value.is_empty()) {
            sink.report(
                "spc-identity-mode-conflict",
                i,
                o.loc,
                format!("{}: parameters.keyvaultName is missing or empty", name(o)),
            );
        }
        if on.is_empty() && client.is_none() {
            // Then only a nodePublishSecretRef (a service principal's secret) can work.
            for (_, w_obj, w) in index.checked() {
                for (v, spc) in index.mounted_spcs(w_obj, &w.pod) {
                    if spc.is_some_and(|s| std::ptr::eq(s, o)) && !v.node_publish_secret {
                        sink.report(
                            "spc-identity-mode-conflict",
                            i,
                            v.name.loc,
                            format!(
                                "{}: mounted by {} with no identity mode, no clientID and no \
                                 nodePublishSecretRef; the provider has no credential",
                                name(o),
                                name(w_obj)
                            ),
                        );
                    }
                }
            }
        }
    }
}

pub fn clientid_sa_mismatch(index: &Index, sink: &mut Sink) {
    let any_spc = index.of_kind("SecretProviderClass").next().is_some();
    for (i, o, w) in index.checked() {
        for (v, spc) in index.mounted_spcs(o, &w.pod) {
            let Some(spc) = spc else {
                if any_spc || index.complete {
                    let class = v.secret_provider_class.as_ref();
                    sink.report(
                        "spc-clientid-sa-mismatch",
                        i,
                        class.map_or(v.name.loc, |c| c.loc),
                        format!(
                            "{}: SecretProviderClass {}/{} is not in the input; it must be in \
                             the pod's namespace",
                            name(o),
                            o.namespace,
                            class.map_or("?", |c| c.value.as_str())
                        ),
                    );
                }
                continue;
            };
            let Body::SecretProviderClass { parameters, .. } = &spc.body else {
                continue;
            };
            if MODES
                .iter()
                .any(|m| lookup(parameters, m).is_some_and(|e| parse_bool(&e.value) == Some(true)))
            {
                continue;
            }
            let Some(spc_client) = lookup(parameters, "clientID").filter(|c| is_guid(&c.value))
            else {
                continue;
            };
            let Some(sa) = index.pod_service_account(o, &w.pod) else {
                continue;
            };
            if let Some(sa_client) =
                lookup(&sa.meta.annotations, WI_CLIENT_ID).filter(|c| is_guid(&c.value))
                && !sa_client.value.eq_ignore_ascii_case(&spc_client.value)
            {
                sink.report(
                    "spc-clientid-sa-mismatch",
                    i,
                    v.name.loc,
                    format!(
                        "{}: SecretProviderClass {} uses clientID {} but ServiceAccount {} has \
                         client-id {}; identity {} needs a federated credential for \
                         system:serviceaccount:{}:{}",
                        name(o),
                        spc.name,
                        spc_client.value,
                        sa.name,
                        sa_client.value,
                        spc_client.value,
                        o.namespace,
                        sa.name
                    ),
                );
            }
        }
    }
}
