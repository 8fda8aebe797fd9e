//! Rendering [`Advice`]: text for people (readable in 80 columns), a Markdown decision record to
//! commit, and JSON/YAML for tools. `--explain` adds the table of every rule that fired.

use std::io::Write;

use super::data::{write_json, write_yaml};
use super::markdown::{md_cell, md_text};
use super::terminal::Look;
use crate::advise::answers::Answer;
use crate::advise::engine::Advice;
use crate::catalog::{Catalog, Rule};
use crate::error::{Error, output};
use crate::plan::vars::Vars;

/// `advise -o FORMAT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AdviceFormat {
    Text,
    Json,
    Yaml,
    Markdown,
    /// A bash script to review and run (`--var` fills its values).
    Script,
    /// The Kubernetes objects, as one multi-document YAML stream.
    Manifests,
}

/// Writes `advice` in `format`; `vars` fill the placeholders of a script or manifests.
#[allow(clippy::too_many_arguments)]
pub fn render(
    catalog: &Catalog,
    advice: &Advice,
    fired: &[&Rule],
    format: AdviceFormat,
    explain: bool,
    vars: &Vars,
    look: Look,
    out: &mut dyn Write,
) -> Result<(), Error> {
    match format {
        AdviceFormat::Script => super::script::write(catalog, advice, vars, out),
        AdviceFormat::Manifests => super::manifests::write(catalog, advice, vars, out),
        AdviceFormat::Json => write_json(advice, out),
        AdviceFormat::Yaml => write_yaml(advice, out),
        AdviceFormat::Text => {
            let text = text(advice, explain.then_some(fired), look);
            out.write_all(text.as_bytes()).map_err(output)
        }
        AdviceFormat::Markdown => {
            let text = markdown(catalog, advice, explain.then_some(fired));
            out.write_all(text.as_bytes()).map_err(output)
        }
    }
}

/// `workload +30, cluster excluded` for one rule.
fn effects(rule: &Rule) -> String {
    let mut parts: Vec<String> = rule
        .score
        .iter()
        .map(|(m, c)| format!("{m} {c:+}"))
        .collect();
    parts.extend(rule.exclude.iter().map(|m| format!("{m} excluded")));
    if !rule.caveats.is_empty() {
        let models: Vec<&str> = rule.caveats.iter().map(|c| c.model.as_str()).collect();
        parts.push(format!("caveat for {}", dedup(&models).join(", ")));
    }
    if !rule.steps.is_empty() {
        let models: Vec<&str> = rule.steps.iter().map(|c| c.model.as_str()).collect();
        parts.push(format!("step for {}", dedup(&models).join(", ")));
    }
    if !rule.grants.is_empty() {
        let models: Vec<&str> = rule.grants.iter().map(|g| g.model.as_str()).collect();
        parts.push(format!("grant for {}", dedup(&models).join(", ")));
    }
    parts.join("; ")
}

fn dedup<'a>(items: &[&'a str]) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for i in items {
        if !out.contains(i) {
            out.push(i);
        }
    }
    out
}

fn answer_line(advice: &Advice) -> String {
    advice
        .answers
        .iter()
        .map(|(id, a)| {
            let mark = if advice.defaulted.contains(id) {
                "*"
            } else {
                ""
            };
            format!("{id}={}{mark}", compact(a))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn compact(answer: &Answer) -> String {
    match answer {
        Answer::Choices(list) if list.is_empty() => "none".into(),
        Answer::Choices(list) => list.join(","),
        other => other.to_string(),
    }
}

fn text(advice: &Advice, fired: Option<&[&Rule]>, look: Look) -> String {
    let look = Look {
        width: look.width.min(100),
        ..look
    };
    let mut s = String::new();
    match &advice.recommendation {
        Some(r) => s.push_str(&format!(
            "{} {} ({}), score {}\n",
            look.bold("Recommendation:"),
            look.green(r.name),
            r.model,
            r.score
        )),
        None => s.push_str(&format!(
            "{} {}\n",
            look.bold("Recommendation:"),
            look.red("none: every model is excluded by these answers")
        )),
    }
    let legend = if advice.defaulted.is_empty() {
        ""
    } else {
        " (* = default)"
    };
    s.push_str(&look.wrap_hanging(
        &format!("Answers: {}{legend}", answer_line(advice)),
        "",
        "  ",
    ));
    s.push('\n');

    if let Some(r) = &advice.recommendation {
        heading(&mut s, &look, "Why");
        let why: Vec<&str> = advice
            .ranking
            .iter()
            .find(|x| x.model == r.model)
            .map(|x| x.reasons.clone())
            .unwrap_or_default();
        for reason in why {
            s.push_str(&look.wrap_hanging(&format!("- {reason}"), "  ", "    "));
            s.push('\n');
        }
        if !advice.tradeoffs.pros.is_empty() || !advice.tradeoffs.cons.is_empty() {
            heading(&mut s, &look, "Trade-offs");
            for pro in &advice.tradeoffs.pros {
                s.push_str(&look.wrap_hanging(&format!("+ {pro}"), "  ", "    "));
                s.push('\n');
            }
            for con in &advice.tradeoffs.cons {
                s.push_str(&look.wrap_hanging(&format!("- {con}"), "  ", "    "));
                s.push('\n');
            }
        }
        write_caveats(&mut s, advice, &look);
        if !advice.grants.is_empty() {
            heading(&mut s, &look, "Roles to grant");
            for grant in &advice.grants {
                let roles = if grant.roles.is_empty() {
                    "no built-in role: see how".to_owned()
                } else {
                    grant.roles.join(", ")
                };
                s.push_str(&look.wrap_hanging(&format!("{}: {roles}", grant.name), "  ", "    "));
                s.push('\n');
                if !grant.alternatives.is_empty() {
                    let others: Vec<String> = grant
                        .alternatives
                        .iter()
                        .map(|r| format!("{} — {}", r.name, r.purpose))
                        .collect();
                    s.push_str(&look.wrap(
                        &format!("Only for other needs: {}.", others.join("; ")),
                        "    ",
                    ));
                    s.push('\n');
                }
                s.push_str(&look.wrap(&grant.how, "    "));
                s.push('\n');
                if let Some(command) = grant.command {
                    for line in command.lines() {
                        s.push_str(&format!("    {}\n", look.dim(&format!("$ {line}"))));
                    }
                }
            }
        }
        write_steps(&mut s, advice, &look);
    } else {
        // No model fits: what to do instead.
        write_caveats(&mut s, advice, &look);
        write_steps(&mut s, advice, &look);
    }

    heading(&mut s, &look, "Ranking");
    let mut table = look.table();
    table.set_header(vec!["model", "score", "verdict"]);
    for (i, r) in advice.ranking.iter().enumerate() {
        let verdict = if r.excluded {
            exclusion_reason(advice, r.model).unwrap_or_else(|| "excluded".to_owned())
        } else if i == 0 {
            "recommended".to_owned()
        } else {
            "possible, lower score".to_owned()
        };
        table.add_row(vec![
            format!("{} ({})", r.name, r.model),
            r.score.to_string(),
            verdict,
        ]);
    }
    s.push_str(&table.to_string());
    s.push('\n');

    if let Some(fired) = fired {
        heading(&mut s, &look, "Rules that fired (--explain)");
        let mut table = look.table();
        table.set_header(vec!["#", "rule", "effect"]);
        for (i, rule) in fired.iter().enumerate() {
            table.add_row(vec![(i + 1).to_string(), rule.id.clone(), effects(rule)]);
        }
        s.push_str(&table.to_string());
        s.push('\n');
    }

    heading(
        &mut s,
        &look,
        &format!(
            "Sources (catalog as of {}, {})",
            advice.catalog.as_of, advice.catalog.source
        ),
    );
    for url in &advice.sources {
        s.push_str(&format!("  {url}\n"));
    }
    s
}

fn heading(s: &mut String, look: &Look, title: &str) {
    s.push('\n');
    s.push_str(&look.bold(title));
    s.push('\n');
}

fn write_caveats(s: &mut String, advice: &Advice, look: &Look) {
    if !advice.caveats.is_empty() {
        heading(s, look, "Caveats");
        for caveat in &advice.caveats {
            s.push_str(&look.wrap_hanging(&format!("! {}", caveat.text), "  ", "    "));
            s.push('\n');
        }
    }
}

fn write_steps(s: &mut String, advice: &Advice, look: &Look) {
    if !advice.steps.is_empty() {
        heading(s, look, "Next steps");
        for (i, step) in advice.steps.iter().enumerate() {
            let number = format!("{:>2}. ", i + 1);
            s.push_str(&look.wrap_hanging(&format!("{number}{}", step.text), "  ", "      "));
            s.push('\n');
            if let Some(command) = step.command {
                for line in command.lines() {
                    s.push_str(&format!("      {}\n", look.dim(line)));
                }
            }
        }
    }
}

/// The reason of the first rule that excluded `model`.
fn exclusion_reason(advice: &Advice, model: &str) -> Option<String> {
    advice
        .reasons
        .iter()
        .find(|r| r.excludes.contains(&model))
        .map(|r| format!("excluded: {}", r.text))
}

fn markdown(catalog: &Catalog, advice: &Advice, fired: Option<&[&Rule]>) -> String {
    let mut s = String::new();
    let title = match &advice.recommendation {
        Some(r) => format!("Use {} for Azure access from AKS", r.name),
        None => "No AKS identity model fits these requirements".to_owned(),
    };
    s.push_str(&format!("# Decision record: {title}\n\n"));
    s.push_str(&format!(
        "- Status: proposed\n- Advised by: aks-id {} (catalog as of {}, {})\n\n",
        env!("CARGO_PKG_VERSION"),
        advice.catalog.as_of,
        advice.catalog.source
    ));
    s.push_str("## Context\n\n| Question | Answer |\n|---|---|\n");
    for (id, answer) in &advice.answers {
        let prompt = catalog
            .question(id)
            .map(|q| q.prompt.as_str())
            .unwrap_or(id);
        let shown = match (catalog.question(id), answer) {
            (Some(q), Answer::Choice(c)) => label(q, c),
            (Some(q), Answer::Choices(list)) if !list.is_empty() => list
                .iter()
                .map(|c| label(q, c))
                .collect::<Vec<_>>()
                .join(", "),
            (_, other) => other.to_string(),
        };
        let mark = if advice.defaulted.contains(id) {
            " (default)"
        } else {
            ""
        };
        s.push_str(&format!(
            "| {} (`{id}`) | {}{mark} |\n",
            md_cell(prompt),
            md_cell(&shown)
        ));
    }

    s.push_str("\n## Decision\n\n");
    match &advice.recommendation {
        Some(r) => {
            s.push_str(&format!(
                "Use **{}** (`{}`, score {}).\n\n",
                r.name, r.model, r.score
            ));
            if let Some(ranked) = advice.ranking.iter().find(|x| x.model == r.model) {
                for reason in &ranked.reasons {
                    s.push_str(&format!("- {}\n", md_text(reason)));
                }
            }
        }
        None => {
            s.push_str(
                "No model is recommended: every model is excluded by these requirements.\n\n",
            );
            for r in &advice.ranking {
                if let Some(reason) = exclusion_reason(advice, r.model) {
                    s.push_str(&format!("- **{}**: {}\n", r.name, md_text(&reason)));
                }
            }
            if !advice.caveats.is_empty() {
                s.push('\n');
            }
            for caveat in &advice.caveats {
                s.push_str(&format!("- Caveat: {}\n", md_text(caveat.text)));
            }
            md_steps(&mut s, advice);
        }
    }

    if advice.recommendation.is_some() {
        s.push_str("\n## Consequences\n\n");
        for pro in &advice.tradeoffs.pros {
            s.push_str(&format!("- Good: {}\n", md_text(pro)));
        }
        for con in &advice.tradeoffs.cons {
            s.push_str(&format!("- Bad: {}\n", md_text(con)));
        }
        for caveat in &advice.caveats {
            s.push_str(&format!("- Caveat: {}\n", md_text(caveat.text)));
        }
        if !advice.grants.is_empty() {
            s.push_str("\n### Roles to grant\n\n| Service | Roles | How |\n|---|---|---|\n");
            for g in &advice.grants {
                // Prose is escaped for Markdown; the command is a code span, where only the
                // table's pipe needs escaping.
                let how = match g.command {
                    Some(c) => format!(
                        "{} `{}`",
                        md_cell(&g.how),
                        c.replace('`', "'").replace('|', "\\|").replace('\n', " ")
                    ),
                    None => md_cell(&g.how),
                };
                let mut roles = md_cell(&g.roles.join(", "));
                if !g.alternatives.is_empty() {
                    let others: Vec<String> = g
                        .alternatives
                        .iter()
                        .map(|r| format!("{} — {}", r.name, r.purpose))
                        .collect();
                    roles.push_str(&format!(
                        "<br>Only for other needs: {}",
                        md_cell(&others.join("; "))
                    ));
                }
                s.push_str(&format!("| {} | {roles} | {how} |\n", md_cell(g.name)));
            }
        }
        md_steps(&mut s, advice);
    }

    s.push_str("\n## Alternatives considered\n\n| Model | Score | Verdict |\n|---|---|---|\n");
    for (i, r) in advice.ranking.iter().enumerate() {
        let verdict = if r.excluded {
            exclusion_reason(advice, r.model).unwrap_or_else(|| "excluded".into())
        } else if i == 0 && advice.recommendation.is_some() {
            "chosen".to_owned()
        } else {
            format!("lower score: {}", r.reasons.join(" "))
        };
        s.push_str(&format!(
            "| {} (`{}`) | {} | {} |\n",
            md_cell(r.name),
            r.model,
            r.score,
            md_cell(&verdict)
        ));
    }

    if let Some(fired) = fired {
        s.push_str("\n## Rules that fired\n\n| # | Rule | Effect |\n|---|---|---|\n");
        for (i, rule) in fired.iter().enumerate() {
            s.push_str(&format!(
                "| {} | `{}` | {} |\n",
                i + 1,
                rule.id,
                md_cell(&effects(rule))
            ));
        }
    }

    s.push_str("\n## Sources\n\n");
    for url in &advice.sources {
        s.push_str(&format!("- <{url}>\n"));
    }
    s
}

fn md_steps(s: &mut String, advice: &Advice) {
    if !advice.steps.is_empty() {
        s.push_str("\n### Next steps\n\n");
        for (i, step) in advice.steps.iter().enumerate() {
            s.push_str(&format!("{}. {}\n", i + 1, md_text(step.text)));
            if let Some(command) = step.command {
                s.push_str("\n   ```sh\n");
                for line in command.lines() {
                    s.push_str(&format!("   {line}\n"));
                }
                s.push_str("   ```\n\n");
            }
        }
    }
}

fn label(question: &crate::catalog::Question, id: &str) -> String {
    question
        .choices
        .iter()
        .find(|c| c.id == id)
        .map(|c| format!("{} (`{id}`)", c.label))
        .unwrap_or_else(|| id.to_owned())
}
