//! The instance metadata service (IMDS, 169.254.169.254): workloads that get their tokens there
//! (the node's identities once pod-managed identity is gone) and Workload ID pods that can still
//! reach it because no NetworkPolicy stops them.

use super::{Sink, name};
use crate::scan::index::{IMDS_ENV, Index, SECRET_ENV, imds_command};
use crate::scan::model::*;

pub fn usage_without_wi(index: &Index, sink: &mut Sink) {
    for (i, o, w) in index.checked() {
        let pod = &w.pod;
        let wi = index.wi_intent(o, pod);
        let proxy = lookup(&pod.annotations, WI_INJECT_PROXY).is_some();
        if wi && proxy {
            // The proxy sidecar answers IMDS-style requests with Workload ID tokens.
            continue;
        }
        let pi = lookup(&pod.labels, PI_LABEL).is_some();
        for c in &pod.containers {
            let mut hits: Vec<(Loc, String)> = Vec::new();
            for e in &c.env {
                if IMDS_ENV.contains(&e.name.as_str()) {
                    hits.push((e.loc, format!("sets {}", e.name)));
                }
            }
            for word in c
                .words
                .iter()
                .chain(c.env.iter().filter_map(|e| e.value.as_ref()))
            {
                if imds_command(&word.value) {
                    hits.push((
                        word.loc,
                        "logs in with the managed identity of IMDS".to_owned(),
                    ));
                }
            }
            if !wi && !pi {
                let client = c.env.iter().find(|e| e.name == "AZURE_CLIENT_ID");
                let other = c.env.iter().any(|e| {
                    SECRET_ENV.contains(&e.name.as_str()) || e.name == "AZURE_FEDERATED_TOKEN_FILE"
                });
                if let Some(e) = client
                    && !other
                    && c.env_from.is_empty()
                {
                    hits.push((
                        e.loc,
                        "sets AZURE_CLIENT_ID without Workload ID or a secret, so the SDK's \
                         managed identity credential asks IMDS"
                            .to_owned(),
                    ));
                }
            }
            for (loc, what) in hits {
                let tail = if wi {
                    "; in a Workload ID pod without the proxy sidecar this still goes to IMDS"
                } else if pi {
                    "; today NMI answers it, after pod identity is removed the node's identity does"
                } else {
                    ": the token is the node's (kubelet) identity, shared by every pod on the node"
                };
                sink.report(
                    "imds-usage-without-wi",
                    i,
                    loc,
                    format!("{}: container {} {what}{tail}", name(o), c.name),
                );
            }
        }
    }
}

/// An IPv4 CIDR as (network, prefix length).
fn parse_cidr(text: &str) -> Option<(u32, u32)> {
    let (addr, len) = text.split_once('/')?;
    let len: u32 = len.parse().ok().filter(|l| *l <= 32)?;
    let parts: Vec<u32> = addr
        .split('.')
        .map(|p| p.parse::<u8>().ok().map(u32::from))
        .collect::<Option<_>>()?;
    if parts.len() != 4 {
        return None;
    }
    Some((
        (parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3],
        len,
    ))
}

const IMDS_IP: u32 = (169 << 24) | (254 << 16) | (169 << 8) | 254;

fn contains_imds(cidr: &str) -> Option<bool> {
    let (net, len) = parse_cidr(cidr)?;
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    Some(net & mask == IMDS_IP & mask)
}

fn selects(selector: &[Entry], labels: &[Entry]) -> bool {
    selector
        .iter()
        .all(|s| lookup(labels, &s.key).is_some_and(|l| l.value == s.value))
}

fn port_80(ports: &[(Option<String>, Option<i64>)]) -> bool {
    ports.is_empty()
        || ports.iter().any(|(protocol, port)| {
            protocol.as_deref().is_none_or(|p| p == "TCP") && port.is_none_or(|p| p == 80)
        })
}

pub fn reachable(index: &Index, sink: &mut Sink) {
    // Sample CIDRs that do not parse, wherever they are.
    for (i, o) in index.of_kind("NetworkPolicy") {
        if let Body::NetworkPolicy(policy) = &o.body {
            for rule in &policy.egress {
                for (cidr, _) in &rule.ip_blocks {
                    if parse_cidr(&cidr.value).is_none() && !cidr.value.contains(':') {
                        sink.report(
                            "imds-reachable",
                            i,
                            cidr.loc,
                            format!(
                                "{}: ipBlock cidr \"{}\" is not a valid CIDR; the API server \
                                 rejects the policy",
                                name(o),
                                cidr.value
                            ),
                        );
                    }
                }
            }
        }
    }
    for (i, o, w) in index.checked() {
        let pod = &w.pod;
        if o.namespace == "kube-system" {
            continue;
        }
        if let Some(loc) = pod.host_network {
            sink.report(
                "imds-reachable",
                i,
                loc,
                format!(
                    "{}: with hostNetwork: true the pod reaches IMDS and the node's identities \
                     whatever NetworkPolicies or IMDS restriction say",
                    name(o)
                ),
            );
            continue;
        }
        if lookup(&pod.labels, WI_USE_LABEL).is_none() {
            continue;
        }
        let policies: Vec<&NetworkPolicy> = index
            .of_kind("NetworkPolicy")
            .filter(|(_, p)| p.namespace == o.namespace)
            .filter_map(|(_, p)| match &p.body {
                Body::NetworkPolicy(np) => Some(np),
                _ => None,
            })
            .filter(|np| {
                np.egress_type
                    && np
                        .pod_selector
                        .as_ref()
                        .is_some_and(|s| selects(s, &pod.labels))
            })
            .collect();
        let open = policies.is_empty()
            || policies.iter().any(|p| {
                p.egress.iter().any(|rule| {
                    port_80(&rule.ports)
                        && (rule.to_all
                            || rule.ip_blocks.iter().any(|(cidr, except)| {
                                contains_imds(&cidr.value) == Some(true)
                                    && !except.iter().any(|e| contains_imds(e) == Some(true))
                            }))
                })
            });
        if open {
            sink.report(
                "imds-reachable",
                i,
                pod.loc,
                format!(
                    "{}: {}, so the Workload ID pod can still get the node's identities from IMDS",
                    name(o),
                    if policies.is_empty() {
                        "no egress NetworkPolicy in the input selects this pod"
                    } else {
                        "its egress NetworkPolicies allow 169.254.169.254"
                    }
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidrs_that_hold_the_metadata_address() {
        assert_eq!(contains_imds("0.0.0.0/0"), Some(true));
        assert_eq!(contains_imds("169.254.169.254/32"), Some(true));
        assert_eq!(contains_imds("10.0.0.0/8"), Some(false));
        assert_eq!(contains_imds("10.10.0.0/0#example"), None);
    }
}
