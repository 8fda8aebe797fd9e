//! The module layers of docs/architecture.md, checked from the source: every `crate::` path in
//! `src/` names a module of the same layer or one below, and no two modules import each other,
//! directly or around a loop.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The layers, top to bottom. A module may use its own layer and the ones below it; within a
/// layer, the imports must not form a cycle. `scan`, `migrate`, `plan` and `display` are places
/// kept for what comes next.
const LAYERS: &[&[&str]] = &[
    &["lib"],
    &["cli"],
    &["commands"],
    &["render"],
    &["advise", "scan", "migrate", "plan"],
    &["catalog"],
    &["yaml", "fsio", "display", "error", "diag", "startup_alloc"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// Every `.rs` file under `src/` but `main.rs` (the binary, above everything), as its module
/// path (`catalog::load`, `render`, `lib`) and its text.
fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, prefix: &[String], out: &mut Vec<(String, String)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .expect("src/ is readable")
            .map(|e| e.expect("a readable entry").path())
            .collect();
        entries.sort();
        for path in entries {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                let mut inner = prefix.to_vec();
                inner.push(name);
                walk(&path, &inner, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let mut module = prefix.to_vec();
                if name != "mod" {
                    module.push(name);
                }
                let module = module.join("::");
                if module == "main" {
                    continue;
                }
                let text = std::fs::read_to_string(&path).expect("a readable source file");
                out.push((module, text));
            }
        }
    }
    let mut out = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &[],
        &mut out,
    );
    out
}

/// The module paths named after `crate::` in code (comments left out), with `use crate::{a, b}`
/// groups opened.
fn crate_paths(text: &str) -> Vec<String> {
    let code: String = text
        .lines()
        .map(|line| match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut paths = Vec::new();
    let mut rest = code.as_str();
    while let Some(i) = rest.find("crate::") {
        // Not part of a longer name (`aks_crate::`).
        let before = rest[..i].chars().next_back();
        rest = &rest[i + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        group_paths("", rest, &mut paths);
    }
    paths
}

/// Reads one path (or `{...}` group) at the start of `text`, prefixed by `prefix`.
fn group_paths(prefix: &str, text: &str, out: &mut Vec<String>) {
    if let Some(inner) = text.strip_prefix('{') {
        let mut depth = 0;
        let mut start = 0;
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    group_paths(prefix, inner[start..i].trim_start(), out);
                    return;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    group_paths(prefix, inner[start..i].trim_start(), out);
                    start = i + 1;
                }
                _ => {}
            }
        }
        return;
    }
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
        .unwrap_or(text.len());
    let path = text[..end].trim_end_matches(':');
    let full = if prefix.is_empty() {
        path.to_owned()
    } else {
        format!("{prefix}::{path}")
    };
    if text[end..].starts_with('{') && text[..end].ends_with("::") {
        group_paths(&full, &text[end..], out);
    } else if !full.is_empty() && full != "self" {
        out.push(full);
    }
}

/// The longest module of `modules` that `path` names (`catalog::load::describe` ->
/// `catalog::load`).
fn module_of<'m>(path: &str, modules: &'m BTreeSet<String>) -> Option<&'m String> {
    let parts: Vec<&str> = path.split("::").collect();
    (1..=parts.len())
        .rev()
        .find_map(|n| modules.get(&parts[..n].join("::")))
}

/// What is wrong with these sources' imports: upward imports, unknown top-level modules and
/// cycles.
fn problems(sources: &[(String, String)]) -> Vec<String> {
    let modules: BTreeSet<String> = sources.iter().map(|(m, _)| m.clone()).collect();
    let mut problems = Vec::new();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let top = |m: &str| m.split("::").next().unwrap_or_default().to_owned();
    for (module, text) in sources {
        let from = top(module);
        let Some(from_layer) = layer_of(&from) else {
            problems.push(format!("module `{from}` is in no layer: add it to LAYERS"));
            continue;
        };
        for path in crate_paths(text) {
            let Some(target) = module_of(&path, &modules) else {
                // A name of the crate root itself (lib.rs): the top layer.
                if from_layer != 0 {
                    problems.push(format!("{module} uses crate::{path}, from the crate root"));
                }
                continue;
            };
            let to = top(target);
            match layer_of(&to) {
                Some(to_layer) if to_layer < from_layer => problems.push(format!(
                    "{module} uses crate::{path}: `{to}` is a layer above `{from}`"
                )),
                None => problems.push(format!("module `{to}` is in no layer")),
                _ => {}
            }
            if *target != *module {
                edges
                    .entry(module.clone())
                    .or_default()
                    .insert(target.clone());
            }
            if to != from {
                edges.entry(from.clone()).or_default().insert(to);
            }
        }
    }
    problems.extend(cycles(&edges));
    problems
}

/// A cycle of the graph, if any, as `a -> b -> a`.
fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<String> {
    fn visit<'g>(
        node: &'g str,
        edges: &'g BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<&'g str>,
        done: &mut BTreeSet<&'g str>,
    ) -> Option<String> {
        if let Some(i) = stack.iter().position(|n| *n == node) {
            let mut cycle = stack[i..].to_vec();
            cycle.push(node);
            return Some(format!("import cycle: {}", cycle.join(" -> ")));
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node);
        for next in edges.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, edges, stack, done) {
                return Some(cycle);
            }
        }
        stack.pop();
        done.insert(node);
        None
    }
    let mut done = BTreeSet::new();
    edges
        .keys()
        .find_map(|node| visit(node, edges, &mut Vec::new(), &mut done))
}

#[test]
fn every_import_goes_down_the_layers_without_a_cycle() {
    let sources = sources();
    assert!(sources.len() > 20, "found {} source files", sources.len());
    let problems = problems(&sources);
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_layer_check_sees_upward_imports_groups_and_cycles() {
    let fake = |files: &[(&str, &str)]| {
        problems(
            &files
                .iter()
                .map(|(m, t)| ((*m).to_owned(), (*t).to_owned()))
                .collect::<Vec<_>>(),
        )
    };
    // An upward import inside a `use` group.
    let up = fake(&[
        ("render", ""),
        (
            "catalog::load",
            "use crate::{diag::Position, render::Look};",
        ),
        ("diag", ""),
    ]);
    assert_eq!(
        up,
        ["catalog::load uses crate::render::Look: `render` is a layer above `catalog`"]
    );
    // A cycle between two modules of one layer.
    let cycle = fake(&[
        ("yaml", "use crate::diag::Position;"),
        ("diag", "fn f() { crate::yaml::parse() }"),
    ]);
    assert_eq!(cycle, ["import cycle: diag -> yaml -> diag"]);
    // A comment is not an import.
    assert!(fake(&[("diag", "// see crate::render"), ("render", "")]).is_empty());
}
