//! The module layers of docs/architecture.md, checked from the source: every `crate::` and
//! `super::` path in `src/` names a module of the same layer or one below, and no two modules
//! import each other, directly or around a loop.

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

/// The module paths that the code of `module` (comments left out) names, as paths from the crate
/// root: those after `crate::`, and those after `super::` (`super::super::` and so on) resolved
/// from `module`, with `use crate::{a, b}` groups opened. Each says whether it is written in a
/// unit test module (`mod tests`).
fn crate_paths(module: &str, text: &str) -> Vec<(String, bool)> {
    let code: String = text
        .lines()
        .map(|line| match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let inline = inline_modules(&code);
    let in_tests = |at: usize| {
        inline
            .iter()
            .any(|(name, open, close)| name == "tests" && (*open..*close).contains(&at))
    };
    let mut found: Vec<(String, bool)> = Vec::new();
    let mut paths = Vec::new();
    let mut at = 0;
    while let Some(i) = code[at..].find("crate::") {
        let start = at + i;
        at = start + "crate::".len();
        // Not part of a longer name (`aks_crate::`).
        let before = code[..start].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        group_paths("", &code[at..], &mut paths);
        found.extend(paths.drain(..).map(|p| (p, in_tests(start))));
    }
    let mut at = 0;
    while let Some(i) = code[at..].find("super::") {
        let start = at + i;
        let before = code[..start].chars().next_back();
        let mut rest = &code[start + "super::".len()..];
        at = start + "super::".len();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        // The module the path is written in: the file's, then the inline modules around it.
        let mut base: Vec<&str> = module.split("::").collect();
        base.extend(
            inline
                .iter()
                .filter(|(_, open, close)| (*open..*close).contains(&start))
                .map(|(name, _, _)| name.as_str()),
        );
        base.pop();
        while let Some(more) = rest.strip_prefix("super::") {
            base.pop();
            rest = more;
        }
        // `super::*` and `super::{Name, ...}` name the parent module itself.
        group_paths(&base.join("::"), rest, &mut paths);
        if paths.is_empty() && !base.is_empty() {
            paths.push(base.join("::"));
        }
        found.extend(paths.drain(..).map(|p| (p, in_tests(start))));
    }
    found
}

/// The inline modules of `code` (`mod tests { ... }`): each name with the byte range of its
/// body, outermost first.
fn inline_modules(code: &str) -> Vec<(String, usize, usize)> {
    let mut modules = Vec::new();
    let mut open: Vec<(usize, Option<usize>)> = Vec::new();
    let bytes = code.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        match b {
            b'{' => {
                // `mod NAME {`: the words before the brace.
                let head = code[..i].trim_end();
                let name_start = head
                    .char_indices()
                    .rev()
                    .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
                    .map_or(0, |(p, c)| p + c.len_utf8());
                let is_mod = head[..name_start].trim_end().ends_with("mod")
                    && !head[name_start..].is_empty();
                if is_mod {
                    modules.push((head[name_start..].to_owned(), i, code.len()));
                    open.push((i, Some(modules.len() - 1)));
                } else {
                    open.push((i, None));
                }
            }
            b'}' => {
                if let Some((_, Some(index))) = open.pop() {
                    modules[index].2 = i;
                }
            }
            _ => {}
        }
    }
    modules
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
        for (path, in_tests) in crate_paths(module, text) {
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
            // A name of an enclosing module (`super::Text`, `super::*`) is one that module
            // declares or re-exports: a module's own namespace, not an import of another.
            // A unit test may take another module of its layer as test data (the built-in
            // files, for the loader's tests): the graph is the program's.
            let enclosing = module.starts_with(&format!("{target}::"));
            if in_tests {
                continue;
            }
            if *target != *module && !enclosing {
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
    // `super::` paths count, from the module that writes them.
    let siblings = fake(&[
        ("catalog", ""),
        ("catalog::load", "use super::validate::Validator;"),
        ("catalog::validate", "use super::{load::Parsed, Text};"),
    ]);
    assert_eq!(
        siblings,
        ["import cycle: catalog::load -> catalog::validate -> catalog::load"]
    );
    let nested = fake(&[
        ("render", ""),
        ("catalog", ""),
        ("catalog::load", "fn f() { super::super::render::show() }"),
    ]);
    assert_eq!(
        nested,
        ["catalog::load uses crate::render::show: `render` is a layer above `catalog`"]
    );
    // Within an inline module, `super` is the file's module.
    let inline = fake(&[
        ("catalog", ""),
        (
            "catalog::load",
            "mod generated { use super::parse; use super::super::validate::X; }",
        ),
        ("catalog::validate", "use super::load::Parsed;"),
    ]);
    assert_eq!(
        inline,
        ["import cycle: catalog::load -> catalog::validate -> catalog::load"]
    );
    // A unit test module may use a module that uses its own (as test data), but not a layer
    // above.
    let tests = fake(&[
        ("render", ""),
        ("catalog", ""),
        (
            "catalog::load",
            "mod tests { use super::super::builtin::FILES; use crate::render::X; }",
        ),
        ("catalog::builtin", "use super::load::parse;"),
    ]);
    assert_eq!(
        tests,
        ["catalog::load uses crate::render::X: `render` is a layer above `catalog`"]
    );
}
