//! `advise -o manifests`: the Kubernetes objects the advice's kubectl steps create or change, as
//! one multi-document YAML stream: the ServiceAccount with its annotations, the patch of the pod
//! template, the NetworkPolicy that blocks egress to the instance metadata endpoint. They are
//! read out of the same steps `-o script` runs, so what does not apply (no Workload ID, virtual
//! nodes without network policies) is simply not there.

use std::io::Write;

use serde_json::{Map, Value, json};

use crate::advise::engine::Advice;
use crate::catalog::Catalog;
use crate::error::{Error, output};
use crate::plan::command::{Line, Piece, Word};
use crate::plan::shell::comment;
use crate::plan::vars::Vars;
use crate::plan::{self, Work};

const WIDTH: usize = 98;

/// One object and the comment above it.
struct Manifest {
    comment: String,
    object: Value,
}

pub fn write(
    catalog: &Catalog,
    advice: &Advice,
    vars: &Vars,
    out: &mut dyn Write,
) -> Result<(), Error> {
    out.write_all(manifests(catalog, advice, vars)?.as_bytes())
        .map_err(output)
}

/// The whole stream.
pub fn manifests(catalog: &Catalog, advice: &Advice, vars: &Vars) -> Result<String, Error> {
    let mut s = comment(
        &format!(
            "Written by aks-id {} from its catalog as of {} ({}). Review before you apply.",
            env!("CARGO_PKG_VERSION"),
            advice.catalog.as_of,
            advice.catalog.source
        ),
        WIDTH,
    );
    if advice.recommendation.is_none() {
        s += &comment(
            "No identity model fits these answers (aks-id advise exits with 3), so there is no manifest.",
            WIDTH,
        );
        return Ok(s);
    }
    let fill = |word: &Word| -> String {
        word.filled(&|id| {
            vars.get(id)
                .map_or_else(|| format!("<{id}>"), str::to_owned)
        })
    };
    let mut docs: Vec<Manifest> = Vec::new();
    let mut missing: Vec<String> = Vec::new();
    for step in plan::steps(catalog, advice) {
        let Work::Commands(lines) = &step.work else {
            continue;
        };
        for line in lines {
            for id in line.placeholders() {
                if vars.get(id).is_none() && !missing.iter().any(|m| m == id) {
                    missing.push(id.to_owned());
                }
            }
            let note = || {
                let mut c = comment(&step.text, WIDTH);
                for url in &step.sources {
                    c += &comment(&format!("Source: {url}"), usize::MAX);
                }
                c
            };
            read_line(line, &fill, vars, &note, &mut docs)?;
        }
    }
    // Only objects whose placeholders are all in use count as missing values.
    if docs.is_empty() {
        s += &comment(
            "These answers need no Kubernetes object: the steps of aks-id advise (or -o script) are all Azure commands.",
            WIDTH,
        );
        return Ok(s);
    }
    let unfilled: Vec<String> = missing
        .iter()
        .filter(|id| {
            docs.iter()
                .any(|d| d.object.to_string().contains(&format!("<{id}>")))
        })
        .map(|id| format!("--var {id}=…"))
        .collect();
    if !unfilled.is_empty() {
        s += &comment(
            &format!(
                "Not filled in yet (kubectl refuses these <placeholders>): {}",
                unfilled.join(" ")
            ),
            WIDTH,
        );
    }
    for doc in docs {
        s += "---\n";
        s += &doc.comment;
        let text = crate::yaml::to_string(&doc.object)
            .map_err(|e| Error::Runtime(anyhow::Error::new(e).context("cannot render YAML")))?;
        s += &text;
    }
    Ok(s)
}

/// Reads one kubectl line into the objects it creates or changes.
fn read_line(
    line: &Line,
    fill: &dyn Fn(&Word) -> String,
    vars: &Vars,
    note: &dyn Fn() -> String,
    docs: &mut Vec<Manifest>,
) -> Result<(), Error> {
    let head = line.head();
    let h: Vec<&str> = head.iter().map(String::as_str).collect();
    let namespace = line
        .flag(&["-n", "--namespace"])
        .map(fill)
        .unwrap_or_else(|| "default".to_owned());
    let words = line.simple().unwrap_or_default();
    let word = |i: usize| words.get(i).map(|w| fill(w));
    match h.as_slice() {
        ["kubectl", "create", "serviceaccount", ..] => {
            if let Some(name) = word(3) {
                service_account(docs, &name, &namespace, note);
            }
        }
        ["kubectl", "annotate", "serviceaccount", ..] => {
            let Some(name) = word(3) else { return Ok(()) };
            let mut annotations = Map::new();
            for w in words.iter().skip(4) {
                let text = fill(w);
                if text.starts_with('-') {
                    continue;
                }
                if let Some((key, value)) = text.split_once('=') {
                    annotations.insert(key.to_owned(), Value::String(value.to_owned()));
                }
            }
            let sa = service_account(docs, &name, &namespace, note);
            merge(sa, &json!({"metadata": {"annotations": annotations}}));
        }
        ["kubectl", "patch", kind, ..] => {
            let Some(patch) = line.flag(&["-p", "--patch"]) else {
                return Ok(());
            };
            let Some(name) = word(3) else { return Ok(()) };
            let Ok(mut patch) =
                serde_json::from_str::<Value>(&patch.filled(&|id| format!("<{id}>")))
            else {
                return Ok(());
            };
            fill_strings(&mut patch, vars);
            match *kind {
                "serviceaccount" | "sa" => {
                    let sa = service_account(docs, &name, &namespace, note);
                    merge(sa, &patch);
                }
                "deployment" => {
                    let mut object = json!({
                        "apiVersion": "apps/v1",
                        "kind": "Deployment",
                        "metadata": {"name": name, "namespace": namespace},
                    });
                    merge(&mut object, &patch);
                    docs.push(Manifest {
                        comment: note()
                            + &comment(
                                &format!(
                                    "A patch, not a whole Deployment: apply it with kubectl patch deployment {name} -n {namespace} --patch-file FILE (this document alone in FILE)."
                                ),
                                WIDTH,
                            ),
                        object,
                    });
                }
                _ => {}
            }
        }
        ["kubectl", "apply", ..] => {
            let Some(heredoc) = &line.heredoc else {
                return Ok(());
            };
            let body: String = heredoc
                .body
                .iter()
                .map(|pieces| {
                    let mut l: String = pieces
                        .iter()
                        .map(|p| match p {
                            Piece::Text(t) => t.clone(),
                            Piece::Placeholder(id) => format!("<{id}>"),
                        })
                        .collect();
                    l.push('\n');
                    l
                })
                .collect();
            let Some(mut object) = crate::yaml::from_str_fast::<Value>(&body) else {
                return Ok(());
            };
            fill_strings(&mut object, vars);
            if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
                metadata.insert("namespace".into(), Value::String(namespace));
            }
            let mut c = note();
            if object.get("kind").and_then(Value::as_str) == Some("NetworkPolicy") {
                c += &comment(
                    "Takes effect only where a network-policy engine enforces NetworkPolicy (aks-id advise names the engines).",
                    WIDTH,
                );
            }
            docs.push(Manifest { comment: c, object });
        }
        _ => {}
    }
    Ok(())
}

/// The ServiceAccount `name` in `namespace`, added when new.
fn service_account<'d>(
    docs: &'d mut Vec<Manifest>,
    name: &str,
    namespace: &str,
    note: &dyn Fn() -> String,
) -> &'d mut Value {
    let found = docs.iter().position(|d| {
        d.object["kind"] == "ServiceAccount"
            && d.object["metadata"]["name"] == name
            && d.object["metadata"]["namespace"] == namespace
    });
    let index = match found {
        Some(i) => i,
        None => {
            docs.push(Manifest {
                comment: note(),
                object: json!({
                    "apiVersion": "v1",
                    "kind": "ServiceAccount",
                    "metadata": {"name": name, "namespace": namespace},
                }),
            });
            docs.len() - 1
        }
    };
    &mut docs[index].object
}

/// Merges `patch` into `target`, mappings key by key (a JSON merge patch without deletion).
fn merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                merge(t.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        (t, p) => *t = p.clone(),
    }
}

/// Replaces the `<placeholder>`s inside every string of `value` with their values.
fn fill_strings(value: &mut Value, vars: &Vars) {
    match value {
        Value::String(s) => {
            *s = crate::plan::command::pieces(s)
                .into_iter()
                .map(|p| match p {
                    Piece::Text(t) => t,
                    Piece::Placeholder(id) => vars
                        .get(&id)
                        .map_or_else(|| format!("<{id}>"), str::to_owned),
                })
                .collect();
        }
        Value::Array(items) => items.iter_mut().for_each(|v| fill_strings(v, vars)),
        Value::Object(map) => map.values_mut().for_each(|v| fill_strings(v, vars)),
        _ => {}
    }
}
