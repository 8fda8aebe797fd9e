//! `advise -o script`: the advice as a bash script to review and run. aks-id runs nothing: it
//! writes the script. Values come first (filled from `--var`, the others checked with
//! `: "${NAME:?…}"` before any command runs); each step is a commented block with its source;
//! commands reference the values as quoted variables and skip what already exists where aks-id
//! knows how to check; what a shell cannot do is a comment saying what to do by hand, and
//! database statements are a separate commented SQL section.

use std::io::Write;

use crate::advise::engine::Advice;
use crate::catalog::Catalog;
use crate::error::{Error, output};
use crate::plan::command::{Guard, Line, Piece, Token, Word};
use crate::plan::shell::{comment, quote};
use crate::plan::vars::{Vars, variable};
use crate::plan::{self, Work};

/// The width of comment lines.
const WIDTH: usize = 98;

pub fn write(
    catalog: &Catalog,
    advice: &Advice,
    vars: &Vars,
    out: &mut dyn Write,
) -> Result<(), Error> {
    out.write_all(script(catalog, advice, vars).as_bytes())
        .map_err(output)
}

/// The whole script.
pub fn script(catalog: &Catalog, advice: &Advice, vars: &Vars) -> String {
    let mut s = String::from("#!/usr/bin/env bash\n");
    s += &comment(
        &format!(
            "Written by aks-id {} from its catalog as of {} ({}). Review every step before you run it; aks-id itself runs nothing.",
            env!("CARGO_PKG_VERSION"),
            advice.catalog.as_of,
            advice.catalog.source
        ),
        WIDTH,
    );
    s += &comment(&format!("Answers: {}", answers_line(advice)), WIDTH);
    let Some(recommendation) = &advice.recommendation else {
        s += &comment(
            "No identity model fits these answers (aks-id advise exits with 3), so this script runs no command.",
            WIDTH,
        );
        // Why each model is out: the reasons of the rules that exclude it.
        for reason in advice.reasons.iter().filter(|r| !r.excludes.is_empty()) {
            s += &comment(
                &format!("Excludes {}: {}", reason.excludes.join(", "), reason.text),
                WIDTH,
            );
        }
        if !advice.steps.is_empty() {
            s += "#\n# What to do instead (aks-id advise shows the commands):\n";
            for (n, step) in advice.steps.iter().enumerate() {
                s += &comment(&format!("{}. {}", n + 1, step.text), WIDTH);
            }
        }
        return s;
    };
    s += &comment(
        &format!(
            "Recommendation: {} ({}).",
            recommendation.name, recommendation.model
        ),
        WIDTH,
    );
    s += "set -euo pipefail\n";

    let steps = plan::steps(catalog, advice);
    // Every placeholder a command uses, in order of first use.
    let mut used: Vec<&str> = Vec::new();
    for step in &steps {
        if let Work::Commands(lines) = &step.work {
            for line in lines {
                for id in line.placeholders() {
                    if !used.contains(&id) {
                        used.push(id);
                    }
                }
            }
        }
    }
    // A value the catalog can read from Azure (`from`) is read just before its first use when
    // not given; what that read needs is checked with the rest.
    let derived = |id: &str| -> Option<&str> {
        if vars.get(id).is_some() {
            return None;
        }
        catalog.placeholder(id).and_then(|p| p.from.as_deref())
    };
    let mut i = 0;
    while i < used.len() {
        if let Some(from) = derived(used[i]) {
            for found in crate::catalog::placeholders::find(from) {
                if !used.contains(&found.name) {
                    used.push(found.name);
                }
            }
        }
        i += 1;
    }
    if !used.is_empty() {
        s += "\n# Values. Those not given with --var are read from the environment and checked here,\n# before any command runs.\n";
        for id in &used {
            if derived(id).is_some() {
                s += &format!(
                    "# {}: read from Azure before its first use, unless set.\n",
                    variable(id)
                );
                continue;
            }
            let name = variable(id);
            let meaning = catalog
                .placeholder(id)
                .map(|p| p.meaning.as_ref())
                .unwrap_or_default();
            match vars.get(id) {
                Some(value) => {
                    s += &format!("{name}={}", quote(value));
                    s += &format!("  # {}\n", crate::plan::shell::comment_text(meaning));
                }
                // The message holds only the variable's name and the placeholder's id (both
                // letters, digits, `-` and `_`); the meaning goes in a comment.
                None => {
                    s += &format!(
                        ": \"${{{name}:?set {name} or run aks-id advise with --var {id}=VALUE}}\"  # {}\n",
                        crate::plan::shell::comment_text(meaning)
                    );
                }
            }
        }
    }

    let total = steps.len();
    let mut sql = Vec::new();
    // The values already read from Azure.
    let mut read: Vec<&str> = Vec::new();
    for (n, step) in steps.iter().enumerate() {
        let number = n + 1;
        match &step.work {
            Work::Commands(lines) => {
                s += "\n";
                s += &comment(&format!("Step {number} of {total}: {}", step.text), WIDTH);
                s += &sources(&step.sources);
                for line in lines {
                    for id in line.placeholders() {
                        if let Some(from) = derived(id)
                            && !read.contains(&id)
                        {
                            read.push(id);
                            s += &read_value(id, from);
                        }
                    }
                    s += &bash_line(line);
                }
            }
            Work::ByHand { command } => {
                s += "\n";
                s += &comment(
                    &format!("Step {number} of {total}, by hand: {}", step.text),
                    WIDTH,
                );
                if let Some(command) = command {
                    for line in command.lines() {
                        s += &comment(&format!("  {line}"), usize::MAX);
                    }
                }
                s += &sources(&step.sources);
            }
            Work::Sql(statements) => {
                s += "\n";
                s += &comment(
                    &format!(
                        "Step {number} of {total}, by hand, in the database: {} The statements are in the SQL section at the end.",
                        step.text
                    ),
                    WIDTH,
                );
                s += &sources(&step.sources);
                sql.push((number, step, statements));
            }
        }
    }
    if !sql.is_empty() {
        s += "\n# ---------------------------------------------------------------------------------------------\n";
        s += "# SQL: not run by this script. Connect to the database as the server's Microsoft Entra admin\n# (with Entra authentication) and run:\n";
        for (number, _, statements) in sql {
            s += &format!("#\n# -- step {number}\n");
            let filled: String = crate::plan::command::pieces(statements)
                .iter()
                .map(|p| match p {
                    Piece::Text(t) => t.clone(),
                    Piece::Placeholder(id) => vars
                        .get(id)
                        .map_or_else(|| format!("<{id}>"), str::to_owned),
                })
                .collect();
            for statement in filled.split_inclusive(';') {
                let statement = statement.trim();
                if !statement.is_empty() {
                    s += &comment(statement, usize::MAX);
                }
            }
        }
        s += "# ---------------------------------------------------------------------------------------------\n";
    }
    s
}

fn sources(urls: &[&str]) -> String {
    urls.iter()
        .map(|url| comment(&format!("Source: {url}"), usize::MAX))
        .collect()
}

/// The line that reads the value of `id` with the catalog's `from` command, unless it is set.
fn read_value(id: &str, from: &str) -> String {
    let name = variable(id);
    let command = match crate::plan::command::parse(from) {
        Ok(lines) if lines.len() == 1 && lines[0].heredoc.is_none() => tokens_as_bash(&lines[0]),
        // `rules check` reads every `from`; one that is not a single command is not run.
        _ => {
            return format!(
                ": \"${{{name}:?set {name} or run aks-id advise with --var {id}=VALUE}}\"\n"
            );
        }
    };
    format!("if [ -z \"${{{name}:-}}\" ]; then {name}=\"$({command})\"; fi\n")
}

/// The answers as `id=value` pairs: lists comma-separated, yes/no as yes and no.
fn answers_line(advice: &Advice) -> String {
    let Ok(serde_json::Value::Object(map)) = serde_json::to_value(&advice.answers) else {
        return String::new();
    };
    map.iter()
        .map(|(id, value)| {
            let shown = match value {
                serde_json::Value::Array(items) if items.is_empty() => "none".to_owned(),
                serde_json::Value::Array(items) => items
                    .iter()
                    .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                    .collect::<Vec<_>>()
                    .join(","),
                serde_json::Value::Bool(true) => "yes".to_owned(),
                serde_json::Value::Bool(false) => "no".to_owned(),
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            format!("{id}={shown}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn words_bash(words: &[Word]) -> String {
    words
        .iter()
        .map(|w| w.bash(&variable))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A command line's words and operators as bash, placeholders as the script's variables.
fn tokens_as_bash(line: &Line) -> String {
    line.tokens
        .iter()
        .map(|t| match t {
            Token::Word(w) => w.bash(&variable),
            Token::Operator(o) => o.clone(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// One command line as bash, guarded when aks-id knows how, with its heredoc.
fn bash_line(line: &Line) -> String {
    let mut command = tokens_as_bash(line);
    match plan::command::guard(line) {
        Some(Guard::Exists(check)) => {
            command = format!("{} >/dev/null 2>&1 || {command}", words_bash(&check));
        }
        Some(Guard::Lists(check)) => {
            command = format!("[ -n \"$({})\" ] || {command}", words_bash(&check));
        }
        Some(Guard::Append(extra)) => {
            command = format!("{command} {}", words_bash(&extra));
        }
        None => {}
    }
    let mut s = command;
    if let Some(heredoc) = &line.heredoc {
        let expands = heredoc
            .body
            .iter()
            .flatten()
            .any(|p| matches!(p, Piece::Placeholder(_)));
        if expands {
            s += &format!(" <<{}\n", heredoc.tag);
        } else {
            s += &format!(" <<'{}'\n", heredoc.tag);
        }
        for body in &heredoc.body {
            for piece in body {
                match piece {
                    // An unquoted heredoc expands `$`, backticks and `\`: escape them.
                    Piece::Text(t) if expands => {
                        for c in t.chars() {
                            if matches!(c, '\\' | '$' | '`') {
                                s.push('\\');
                            }
                            s.push(c);
                        }
                    }
                    Piece::Text(t) => s += t,
                    Piece::Placeholder(id) => s += &format!("${{{}}}", variable(id)),
                }
            }
            s.push('\n');
        }
        s += &heredoc.tag;
    }
    s.push('\n');
    s
}
