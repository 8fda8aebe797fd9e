//! Advice per workload: the advisor's own engine run on answers inferred from the manifest
//! (node OS from nodeSelector and affinity, virtual nodes from selectors and tolerations, pod
//! identity in use, ServiceAccounts sharing a client ID, Key Vault from a mounted
//! SecretProviderClass, legacy IMDS calls). Questions the manifest says nothing about take their
//! defaults, as `advise --no-input` does; `--explain` shows which answers were inferred and why.

use std::borrow::Cow;

use crate::advise::answers::{Answer, Origin};
use crate::advise::{engine, interview};
use crate::catalog::Catalog;

use super::findings::is_guid;
use super::index::{Index, Mechanism, imds_command};
use super::model::*;

/// One inferred answer and what in the manifest it comes from.
#[derive(Clone, Debug, PartialEq)]
pub struct Inferred {
    pub question: &'static str,
    pub answer: Answer,
    pub because: Cow<'static, str>,
}

#[derive(Clone, Debug)]
pub struct WorkloadAdvice {
    /// The recommended model's id, `None` when no model fits.
    pub model: Option<String>,
    pub inferred: Vec<Inferred>,
}

/// Infers the answers for one workload and evaluates them; `None` for objects read from a
/// template (too little is known) or when the catalog's questions do not take the answers.
pub fn advise(
    catalog: &Catalog,
    index: &Index,
    object: &Object,
    mechanism: Mechanism,
    memo: &mut Memo,
) -> Option<WorkloadAdvice> {
    let Body::Workload(w) = &object.body else {
        return None;
    };
    let inferred = infer(index, object, &w.pod, mechanism);
    // Most workloads of a cluster give the same answers: evaluate each set once.
    let key: Vec<(&'static str, String)> = inferred
        .iter()
        .map(|i| (i.question, i.answer.to_string()))
        .collect();
    if let Some(model) = memo.models.get(&key) {
        return Some(WorkloadAdvice {
            model: model.clone(),
            inferred,
        });
    }
    let given: Vec<(crate::catalog::Text, Answer, Origin)> = inferred
        .iter()
        .filter(|i| catalog.question(i.question).is_some())
        .map(|i| {
            (
                i.question.to_owned().into(),
                i.answer.clone(),
                Origin::Flag(format!("{}={}", i.question, i.answer)),
            )
        })
        .collect();
    let interview = interview::run(catalog, given, &mut interview::Defaults).ok()?;
    let advice = engine::evaluate(catalog, interview.answers, interview.defaulted);
    let model = advice.recommendation.map(|r| r.model.to_owned());
    memo.models.insert(key, model.clone());
    Some(WorkloadAdvice { model, inferred })
}

/// The models already recommended, by inferred answers.
#[derive(Default)]
pub struct Memo {
    models: std::collections::HashMap<Vec<(&'static str, String)>, Option<String>>,
}

fn answer(
    question: &'static str,
    answer: Answer,
    because: impl Into<Cow<'static, str>>,
) -> Inferred {
    Inferred {
        question,
        answer,
        because: because.into(),
    }
}

pub fn infer(index: &Index, object: &Object, pod: &Pod, mechanism: Mechanism) -> Vec<Inferred> {
    let mut out = vec![answer(
        "scope",
        Answer::Choice("workload".into()),
        format!("a {}", object.kind),
    )];
    if super::findings::wi_targets_windows(pod) {
        out.push(answer(
            "node_os",
            Answer::Choice("windows".into()),
            "nodeSelector or affinity kubernetes.io/os: windows",
        ));
    } else if pod
        .node_selector
        .iter()
        .any(|e| e.key == "kubernetes.io/os" && e.value == "linux")
        || pod.affinity_os.iter().any(|v| v == "linux")
    {
        out.push(answer(
            "node_os",
            Answer::Choice("linux".into()),
            "nodeSelector or affinity kubernetes.io/os: linux",
        ));
    }
    if super::findings::wi_on_virtual_nodes(pod) {
        out.push(answer(
            "virtual_nodes",
            Answer::Choice("addon".into()),
            "nodeSelector type: virtual-kubelet or a virtual-kubelet toleration",
        ));
    }
    let pod_identity = mechanism == Mechanism::PodIdentity;
    out.push(answer(
        "existing_pod_identity",
        Answer::YesNo(pod_identity),
        if pod_identity {
            "the workload uses pod-managed identity (aadpodidbinding or usePodIdentity)"
        } else {
            "no aadpodidbinding label or usePodIdentity on this workload"
        },
    ));
    let spcs = index.mounted_spcs(object, pod);
    if !spcs.is_empty() {
        out.push(answer(
            "targets",
            Answer::Choices(vec!["key-vault".into()]),
            "mounts a SecretProviderClass (Secrets Store CSI, Key Vault)",
        ));
    }
    if pod
        .containers
        .iter()
        .any(|c| c.words.iter().any(|w| imds_command(&w.value)))
    {
        out.push(answer(
            "sdk",
            Answer::Choice("legacy-imds".into()),
            "a command logs in with the managed identity of IMDS",
        ));
    }
    if let Some(sa) = index.pod_service_account(object, pod)
        && let Some(client) =
            lookup(&sa.meta.annotations, WI_CLIENT_ID).filter(|c| is_guid(&c.value))
    {
        let sharing = index.service_accounts_with_client_id(&client.value).max(1);
        out.push(answer(
            "service_accounts",
            Answer::Number(i64::try_from(sharing).unwrap_or(i64::MAX)),
            format!(
                "ServiceAccounts in the input with client-id {}",
                client.value
            ),
        ));
    }
    out
}
