//! Rendering [`Advice`]: text for people, a Markdown decision record to commit, and JSON/YAML
//! for tools.
//!
//! Text fits one screen by default: the recommendation and its main reason, the steps with
//! their commands, the role per target, the caveats these answers make relevant and one line
//! per model not chosen. `--detail` adds everything else (every reason, trade-off and caveat,
//! role alternatives and commands); `--explain` adds the rules that fired and the scores (a
//! `fired_rules` list in JSON and YAML). Text and Markdown footnote every statement with `[n]`
//! and list the cited sources at the end. The engine has already left out statements said
//! elsewhere; this file shows each once.

use std::io::Write;

use super::citations::Citations;
use super::data::{write_json, write_yaml};
use super::markdown::{code_block, code_span, md_cell, md_text, source_link};
use super::terminal::Look;
use crate::advise::answers::{self, Answer};
use crate::advise::engine::{Advice, Cited, Grant, Ranked, Reason};
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
    // A bash script to review and run (`--var` fills its values); a plain comment, so that
    // `--help` keeps the one-line list of values.
    Script,
    // The Kubernetes objects, as one multi-document YAML stream.
    Manifests,
}

/// How much of the advice people see: `--detail` and `--explain`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct View {
    /// Every reason, trade-off, caveat and role detail, and every source of each statement.
    pub detail: bool,
    /// The rules that fired and the scores.
    pub explain: bool,
}

/// Writes `advice` in `format`; `vars` fill the placeholders of a script or manifests.
#[allow(clippy::too_many_arguments)]
pub fn render(
    catalog: &Catalog,
    advice: &Advice,
    fired: &[&Rule],
    format: AdviceFormat,
    view: View,
    vars: &Vars,
    look: Look,
    out: &mut dyn Write,
) -> Result<(), Error> {
    match format {
        AdviceFormat::Script => super::script::write(catalog, advice, vars, out),
        AdviceFormat::Manifests => super::manifests::write(catalog, advice, vars, out),
        AdviceFormat::Json if view.explain => write_json(&Explained::new(advice, fired), out),
        AdviceFormat::Yaml if view.explain => write_yaml(&Explained::new(advice, fired), out),
        AdviceFormat::Json => write_json(advice, out),
        AdviceFormat::Yaml => write_yaml(advice, out),
        AdviceFormat::Text => {
            let text = text(catalog, advice, view.explain.then_some(fired), view, look);
            out.write_all(text.as_bytes()).map_err(output)
        }
        AdviceFormat::Markdown => {
            let text = markdown(catalog, advice, view.explain.then_some(fired));
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
        let models: Vec<&str> = rule.caveats.iter().map(|c| c.model.as_ref()).collect();
        parts.push(format!("caveat for {}", dedup(&models).join(", ")));
    }
    if !rule.steps.is_empty() {
        let models: Vec<&str> = rule.steps.iter().map(|c| c.model.as_ref()).collect();
        parts.push(format!("step for {}", dedup(&models).join(", ")));
    }
    if !rule.grants.is_empty() {
        let models: Vec<&str> = rule.grants.iter().map(|g| g.model.as_ref()).collect();
        parts.push(format!("grant for {}", dedup(&models).join(", ")));
    }
    if rule.warning.is_some() {
        parts.push("warning".to_owned());
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

/// The questions that took their defaults, for lookups while listing every answer.
fn defaulted<'a>(advice: &'a Advice) -> rustc_hash::FxHashSet<&'a str> {
    advice.defaulted.iter().map(|id| id.as_ref()).collect()
}

/// `scope=workload targets=key-vault*`: the answers, `*` marking defaults; unless `all`, only
/// those that differ from their question's default.
fn answer_line(catalog: &Catalog, advice: &Advice, all: bool) -> String {
    let defaulted = defaulted(advice);
    advice
        .answers
        .iter()
        .filter(|(id, a)| {
            all || catalog
                .question(id)
                .is_none_or(|q| answers::default_of(q) != **a)
        })
        .map(|(id, a)| {
            let mark = if all && defaulted.contains(id.as_ref()) {
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

/// A statement's first clause, for a line that sums it up: the text up to its first `; `, `: `
/// or `. ` when the whole text is longer than `room` characters and that clause says enough
/// (three words or more).
fn headline(text: &str, room: usize) -> String {
    if text.chars().count() <= room {
        return text.to_owned();
    }
    let cut = ["; ", ": ", ". "]
        .iter()
        .filter_map(|sep| text.find(sep))
        .min();
    match cut {
        Some(i) if text[..i].split_whitespace().count() >= 3 => {
            format!("{}.", text[..i].trim_end_matches('.'))
        }
        _ => text.to_owned(),
    }
}

/// The grants by who gets them (in order of first appearance); `None`: the grant says who.
fn grant_groups<'b, 'a>(advice: &'b Advice<'a>) -> Vec<(Option<&'a str>, Vec<&'b Grant<'a>>)> {
    let mut groups: Vec<(Option<&str>, Vec<&Grant>)> = Vec::new();
    for g in &advice.grants {
        match groups.iter_mut().find(|(to, _)| *to == g.grantee) {
            Some((_, list)) => list.push(g),
            None => groups.push((g.grantee, vec![g])),
        }
    }
    groups
}

/// The role to grant, or that none is needed.
fn roles_of(grant: &Grant) -> String {
    if grant.roles.is_empty() {
        "no role to grant".to_owned()
    } else {
        grant.roles.join(", ")
    }
}

/// The reason with this id.
fn reason<'b, 'a>(advice: &'b Advice<'a>, id: &str) -> Option<&'b Reason<'a>> {
    advice.reasons.iter().find(|r| r.id == id)
}

/// What a model's line in "not chosen" starts with.
fn verdict(ranked: &Ranked) -> &'static str {
    if ranked.excluded {
        "excluded"
    } else {
        "lower score"
    }
}

/// The text output, built line by line.
struct Text<'c, 'a> {
    catalog: &'c Catalog,
    s: String,
    look: Look,
    cites: Citations<'c>,
    view: View,
    advice: &'a Advice<'a>,
    /// Reasons already shown (in full, or summed up at the top).
    reasons_shown: Vec<&'a str>,
    /// The sources the first screen cites (see [`Text::choose_cover`]).
    cover: Vec<&'a str>,
}

impl<'c, 'a> Text<'c, 'a> {
    /// A section's title: on the first screen sections follow each other without a blank
    /// line (the titles stand out flush left); with `--detail` a blank line comes first.
    fn heading(&mut self, title: &str) {
        if self.view.detail {
            self.s.push('\n');
        }
        self.s.push_str(&self.look.bold(title));
        self.s.push('\n');
    }

    /// The marks for a statement's sources: all of them with `--detail`; otherwise one, from
    /// the few sources chosen to cover the first screen (a source already cited first).
    fn marks(&mut self, sources: &[Cited]) -> String {
        if self.view.detail {
            return self.cites.cite_ids(sources.iter().map(|c| c.id));
        }
        let pick = sources
            .iter()
            .find(|c| self.cites.is_cited(c.id))
            .or_else(|| sources.iter().find(|c| self.cover.contains(&c.id)))
            .or(sources.first());
        self.cites.cite_ids(pick.map(|c| c.id))
    }

    /// Chooses few sources that together back every statement of the first screen: the
    /// source most of the statements not yet covered cite, again and again (greedy set cover).
    fn choose_cover(&mut self) {
        let advice = self.advice;
        let mut lists: Vec<&[Cited]> = Vec::new();
        if let Some(id) = advice.recommendation.as_ref().and_then(|r| r.reason) {
            lists.extend(reason(advice, id).map(|r| r.sources.as_slice()));
        }
        lists.extend(advice.steps.iter().map(|s| s.sources.as_slice()));
        lists.extend(advice.grants.iter().map(|g| g.sources.as_slice()));
        lists.extend(
            advice
                .caveats
                .iter()
                .filter(|c| !c.detail)
                .map(|c| c.sources.as_slice()),
        );
        for r in &advice.ranking {
            lists.extend(
                r.why_not
                    .and_then(|id| reason(advice, id))
                    .map(|x| x.sources.as_slice()),
            );
        }
        lists.retain(|l| !l.is_empty());
        while !lists.is_empty() {
            // The source cited by most uncovered statements; ties go to the one met first.
            let mut best: Option<(&str, usize)> = None;
            for c in lists.iter().flat_map(|l| l.iter()) {
                let n = lists
                    .iter()
                    .filter(|l| l.iter().any(|x| x.id == c.id))
                    .count();
                if best.is_none_or(|(_, b)| n > b) {
                    best = Some((c.id, n));
                }
            }
            let Some((id, _)) = best else { break };
            self.cover.push(id);
            lists.retain(|l| !l.iter().any(|x| x.id == id));
        }
    }

    /// A wrapped line: `first` before the text, `rest` before its continuation lines.
    fn line(&mut self, text: &str, first: &str, rest: &str) {
        self.s.push_str(&self.look.wrap_hanging(text, first, rest));
        self.s.push('\n');
    }

    fn cited_line(&mut self, text: &str, sources: &[Cited], first: &str, rest: &str) {
        let marks = self.marks(sources);
        let text = if marks.is_empty() {
            text.to_owned()
        } else {
            format!("{text} {marks}")
        };
        self.line(&text, first, rest);
    }

    fn commands(&mut self, command: &str, indent: &str) {
        for line in command.lines() {
            let dim = self.look.dim(line);
            self.s.push_str(&format!("{indent}{dim}\n"));
        }
    }

    fn headline(&mut self) {
        let advice = self.advice;
        match &advice.recommendation {
            Some(r) => {
                let score = if self.view.explain {
                    format!(", score {}", r.score)
                } else {
                    String::new()
                };
                let defaults = if answer_line(self.catalog, advice, false).is_empty() {
                    ", for the default answers"
                } else {
                    ""
                };
                let line = format!(
                    "{} {} ({}){score}{defaults}",
                    self.look.bold("Recommendation:"),
                    self.look.green(r.name),
                    r.model,
                );
                self.s.push_str(&line);
                self.s.push('\n');
                if !self.view.detail
                    && let Some(main) = r.reason.and_then(|id| reason(advice, id))
                {
                    let room = self.look.width.saturating_sub(8);
                    let text = main
                        .summary
                        .map_or_else(|| headline(main.text, room), str::to_owned);
                    self.cited_line(&text, &main.sources, "  ", "  ");
                    self.reasons_shown.push(main.id);
                }
            }
            None => {
                let line = format!(
                    "{} {}",
                    self.look.bold("Recommendation:"),
                    self.look.red("none: no model fits these answers")
                );
                self.s.push_str(&line);
                self.s.push('\n');
            }
        }
        let given = answer_line(self.catalog, advice, false);
        if self.view.detail {
            let legend = if advice.defaulted.is_empty() {
                ""
            } else {
                " (* = default)"
            };
            let line = format!(
                "Answers: {}{legend}",
                answer_line(self.catalog, advice, true)
            );
            self.line(&line, "", "  ");
        } else if given.is_empty() {
            // Said on the first line.
        } else {
            self.line(&format!("Answers: {given} (others default)"), "", "  ");
        }
    }

    /// Every reason of the recommended model, in full (`--detail`).
    fn why(&mut self) {
        let advice = self.advice;
        let Some(r) = &advice.recommendation else {
            return;
        };
        let Some(ranked) = advice.ranking.iter().find(|x| x.model == r.model) else {
            return;
        };
        if ranked.reasons.is_empty() {
            return;
        }
        self.heading("Why");
        for id in &ranked.reasons {
            if let Some(reason) = reason(advice, id) {
                self.cited_line(reason.text, &reason.sources, "  - ", "    ");
                self.reasons_shown.push(reason.id);
            }
        }
    }

    fn steps(&mut self) {
        let advice = self.advice;
        if advice.steps.is_empty() {
            return;
        }
        self.heading(if advice.recommendation.is_some() {
            "What to do"
        } else {
            "What to do instead"
        });
        for (i, step) in advice.steps.iter().enumerate() {
            let number = format!("{:>2}. ", i + 1);
            self.cited_line(step.text, &step.sources, &format!("  {number}"), "      ");
            if let Some(command) = step.command {
                self.commands(command, "      ");
            }
        }
    }

    fn roles(&mut self) {
        let advice = self.advice;
        if advice.grants.is_empty() {
            return;
        }
        self.heading("Roles per target");
        if !self.view.detail {
            for grant in &advice.grants {
                let roles = roles_of(grant);
                self.cited_line(
                    &format!("{}: {roles}", grant.name),
                    &grant.sources,
                    "  ",
                    "    ",
                );
            }
            return;
        }
        // Who gets the roles, said once for the grants that share it.
        for (grantee, grants) in grant_groups(advice) {
            if let Some(to) = grantee {
                self.line(&format!("To {to}:"), "  ", "  ");
            }
            for grant in grants {
                self.line(
                    &format!("{}: {}", grant.name, roles_of(grant)),
                    "  ",
                    "    ",
                );
                if !grant.alternatives.is_empty() {
                    let others: Vec<String> = grant
                        .alternatives
                        .iter()
                        .map(|r| format!("{} — {}", r.name, r.purpose))
                        .collect();
                    self.line(
                        &format!("Only for other needs: {}.", others.join("; ")),
                        "    ",
                        "    ",
                    );
                }
                self.cited_line(&grant.how, &grant.sources, "    ", "    ");
                if let Some(command) = grant.command {
                    self.commands(command, "    ");
                }
            }
        }
    }

    fn caveats(&mut self) {
        let advice = self.advice;
        let shown: Vec<_> = advice
            .caveats
            .iter()
            .filter(|c| self.view.detail || !c.detail)
            .collect();
        if shown.is_empty() {
            return;
        }
        self.heading("Caveats");
        for caveat in shown {
            self.cited_line(caveat.text, &caveat.sources, "  ! ", "    ");
        }
    }

    fn tradeoffs(&mut self) {
        let advice = self.advice;
        let t = &advice.tradeoffs;
        if t.pros.is_empty() && t.cons.is_empty() {
            return;
        }
        self.heading("Trade-offs");
        for pro in &t.pros {
            self.cited_line(pro.text, &pro.sources, "  + ", "    ");
        }
        for con in &t.cons {
            self.cited_line(con.text, &con.sources, "  - ", "    ");
        }
    }

    /// One line per model not recommended, saying why.
    fn not_chosen(&mut self) {
        let advice = self.advice;
        let chosen = advice.recommendation.as_ref().map(|r| r.model);
        let others: Vec<&Ranked> = advice
            .ranking
            .iter()
            .filter(|r| Some(r.model) != chosen)
            .collect();
        if others.is_empty() {
            return;
        }
        self.heading(if chosen.is_some() {
            "Not chosen"
        } else {
            "Why no model fits"
        });
        for ranked in others {
            let lead = format!("{} ({}): {}", ranked.name, ranked.model, verdict(ranked));
            match ranked.why_not.and_then(|id| reason(advice, id)) {
                Some(why) if self.reasons_shown.contains(&why.id) => {
                    self.line(&format!("{lead}, for the reason above"), "  ", "    ");
                }
                Some(why) => {
                    let text = if self.view.detail {
                        why.text.to_owned()
                    } else {
                        let room = self.look.width.saturating_sub(lead.len() + 10);
                        why.summary
                            .map_or_else(|| headline(why.text, room), str::to_owned)
                    };
                    self.cited_line(&format!("{lead}: {text}"), &why.sources, "  ", "    ");
                    self.reasons_shown.push(why.id);
                }
                None => self.line(&lead, "  ", "    "),
            }
        }
    }

    fn explain(&mut self, fired: &[&Rule]) {
        let advice = self.advice;
        self.heading("Ranking (--explain)");
        let mut table = self.look.table();
        table.set_header(vec!["model", "score", "verdict"]);
        for (i, r) in advice.ranking.iter().enumerate() {
            let verdict = if i == 0 && advice.recommendation.is_some() {
                "recommended".to_owned()
            } else {
                let because = r
                    .why_not
                    .and_then(|id| reason(advice, id))
                    .map(|x| format!(": rule {}", x.id))
                    .unwrap_or_default();
                format!("{}{because}", verdict(r))
            };
            table.add_row(vec![
                format!("{} ({})", r.name, r.model),
                r.score.to_string(),
                verdict,
            ]);
        }
        self.s.push_str(&table.to_string());
        self.s.push('\n');

        self.heading("Rules that fired (--explain)");
        let mut table = self.look.table();
        table.set_header(vec!["#", "rule", "effect"]);
        for (i, rule) in fired.iter().enumerate() {
            table.add_row(vec![
                (i + 1).to_string(),
                rule.id.to_string(),
                effects(rule),
            ]);
        }
        self.s.push_str(&table.to_string());
        self.s.push('\n');
    }

    fn sources(&mut self) {
        let advice = self.advice;
        let listed: Vec<_> = self.cites.list().collect();
        if listed.is_empty() {
            return;
        }
        self.heading(&format!(
            "Sources (catalog as of {}, {})",
            advice.catalog.as_of, advice.catalog.source
        ));
        for (n, source) in listed {
            if self.view.detail {
                let checked = source.last_checked(advice.catalog.as_of);
                let line = format!(
                    "[{n}] {} (page dated {}, checked {checked})",
                    source.title.trim(),
                    source.as_of
                );
                self.line(&line, "  ", "      ");
                self.s.push_str(&format!("      {}\n", source.url));
            } else {
                // One line each on the first screen; `--detail` adds the links.
                let line = format!("[{n}] {} ({})", source.title.trim(), source.as_of);
                self.line(&line, "  ", "      ");
            }
        }
    }

    /// What `--detail` and `--explain` would add, when they would add something.
    fn more(&mut self) {
        let advice = self.advice;
        if self.view.detail && self.view.explain {
            return;
        }
        let mut parts = Vec::new();
        if !self.view.detail {
            let tradeoffs = advice.tradeoffs.pros.len() + advice.tradeoffs.cons.len();
            let caveats = advice.caveats.iter().filter(|c| c.detail).count();
            let mut detail = vec!["answers".to_owned()];
            let plural = |n: usize, one: &str| {
                if n == 1 {
                    format!("1 {one}")
                } else {
                    format!("{n} {one}s")
                }
            };
            if tradeoffs > 0 {
                detail.push(plural(tradeoffs, "trade-off"));
            }
            if caveats > 0 {
                detail.push(plural(caveats, "caveat"));
            }
            if !advice.grants.is_empty() {
                detail.push("role commands".to_owned());
            }
            detail.push("links".to_owned());
            parts.push(format!("--detail ({})", detail.join(", ")));
        }
        if !self.view.explain {
            parts.push("--explain (rules, scores)".to_owned());
        }
        let line = format!("More: {}", parts.join(", "));
        if self.view.detail {
            self.s.push('\n');
        }
        for l in self.look.wrap_hanging(&line, "", "  ").lines() {
            let dim = self.look.dim(l);
            self.s.push_str(&dim);
            self.s.push('\n');
        }
    }
}

fn text(
    catalog: &Catalog,
    advice: &Advice,
    fired: Option<&[&Rule]>,
    view: View,
    look: Look,
) -> String {
    let look = Look {
        width: look.width.min(100),
        ..look
    };
    let mut t = Text {
        catalog,
        s: String::new(),
        look,
        cites: Citations::new(catalog),
        view,
        advice,
        reasons_shown: Vec::new(),
        cover: Vec::new(),
    };
    if !view.detail {
        t.choose_cover();
    }
    t.headline();
    if !view.detail {
        t.s.push('\n');
    }
    if view.detail {
        t.why();
    }
    t.steps();
    t.roles();
    t.caveats();
    if view.detail {
        t.tradeoffs();
    }
    t.not_chosen();
    if let Some(fired) = fired {
        t.explain(fired);
    }
    t.sources();
    t.more();
    t.s
}

/// Markdown footnote marks for every source of a statement.
fn md_marks(c: &mut Citations, sources: &[Cited]) -> String {
    c.cite_ids(sources.iter().map(|s| s.id)).replace('[', "[^")
}

fn markdown(catalog: &Catalog, advice: &Advice, fired: Option<&[&Rule]>) -> String {
    let mut c = Citations::new(catalog);
    let mut s = String::new();
    let title = match &advice.recommendation {
        Some(r) => format!("Use {} for Azure access from AKS", r.name),
        None => "No AKS identity model fits these requirements".to_owned(),
    };
    s.push_str(&format!("# Decision record: {}\n\n", md_text(&title)));
    s.push_str(&format!(
        "- Status: proposed\n- Advised by: aks-id {} (catalog as of {}, {})\n\n",
        env!("CARGO_PKG_VERSION"),
        md_text(advice.catalog.as_of),
        md_text(&advice.catalog.source)
    ));
    s.push_str("## Context\n\n| Question | Answer |\n|---|---|\n");
    let defaulted = defaulted(advice);
    for (id, answer) in &advice.answers {
        let prompt = catalog.question(id).map(|q| &*q.prompt).unwrap_or(id);
        let shown = match (catalog.question(id), answer) {
            (Some(q), Answer::Choice(c)) => label(q, c),
            (Some(q), Answer::Choices(list)) if !list.is_empty() => list
                .iter()
                .map(|c| label(q, c))
                .collect::<Vec<_>>()
                .join(", "),
            (_, other) => md_cell(&other.to_string()),
        };
        let mark = if defaulted.contains(id.as_ref()) {
            " (default)"
        } else {
            ""
        };
        s.push_str(&format!(
            "| {} ({}) | {}{mark} |\n",
            md_cell(prompt),
            code_span(id, true),
            shown
        ));
    }
    for warning in &advice.warnings {
        s.push_str(&format!(
            "\n> **Warning:** {}{}\n",
            md_text(&warning.text),
            md_marks(&mut c, &warning.sources)
        ));
    }

    let mut reasons_shown: Vec<&str> = Vec::new();
    s.push_str("\n## Decision\n\n");
    match &advice.recommendation {
        Some(r) => {
            let score = if fired.is_some() {
                format!(", score {}", r.score)
            } else {
                String::new()
            };
            s.push_str(&format!(
                "Use **{}** ({}{score}).\n\n",
                md_text(r.name),
                code_span(r.model, false)
            ));
            if let Some(ranked) = advice.ranking.iter().find(|x| x.model == r.model) {
                for id in &ranked.reasons {
                    if let Some(reason) = reason(advice, id) {
                        s.push_str(&format!(
                            "- {}{}\n",
                            md_text(reason.text),
                            md_marks(&mut c, &reason.sources)
                        ));
                        reasons_shown.push(reason.id);
                    }
                }
            }
        }
        None => {
            s.push_str("No model is recommended: no model fits these requirements.\n");
        }
    }

    if advice.recommendation.is_some() {
        s.push_str("\n## Consequences\n\n");
        for pro in &advice.tradeoffs.pros {
            s.push_str(&format!(
                "- Good: {}{}\n",
                md_text(pro.text),
                md_marks(&mut c, &pro.sources)
            ));
        }
        for con in &advice.tradeoffs.cons {
            s.push_str(&format!(
                "- Bad: {}{}\n",
                md_text(con.text),
                md_marks(&mut c, &con.sources)
            ));
        }
    }
    if !advice.caveats.is_empty() {
        if advice.recommendation.is_none() {
            s.push('\n');
        }
        for caveat in &advice.caveats {
            s.push_str(&format!(
                "- Caveat: {}{}\n",
                md_text(caveat.text),
                md_marks(&mut c, &caveat.sources)
            ));
        }
    }
    if !advice.grants.is_empty() {
        s.push_str("\n### Roles to grant\n");
        for (grantee, grants) in grant_groups(advice) {
            if let Some(to) = grantee {
                s.push_str(&format!("\nGranted to {}:\n", md_text(to)));
            }
            s.push_str("\n| Service | Roles | How |\n|---|---|---|\n");
            for g in grants {
                // Prose is escaped for Markdown; the command is a code span, where only the
                // table's pipe needs escaping.
                let marks = md_marks(&mut c, &g.sources);
                let how = match g.command {
                    Some(command) => format!(
                        "{}{marks} {}",
                        md_cell(&g.how),
                        code_span(&command.replace('\n', " "), true)
                    ),
                    None => format!("{}{marks}", md_cell(&g.how)),
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
    }
    if !advice.steps.is_empty() {
        s.push_str(if advice.recommendation.is_some() {
            "\n### Next steps\n\n"
        } else {
            "\n### What to do instead\n\n"
        });
        for (i, step) in advice.steps.iter().enumerate() {
            s.push_str(&format!(
                "{}. {}{}\n",
                i + 1,
                md_text(step.text),
                md_marks(&mut c, &step.sources)
            ));
            if let Some(command) = step.command {
                s.push('\n');
                s.push_str(&code_block(command, "sh", "   "));
                s.push('\n');
            }
        }
    }

    if fired.is_some() {
        s.push_str("\n## Alternatives considered\n\n| Model | Score | Verdict |\n|---|---|---|\n");
    } else {
        s.push_str("\n## Alternatives considered\n\n| Model | Verdict |\n|---|---|\n");
    }
    for (i, r) in advice.ranking.iter().enumerate() {
        let verdict = if i == 0 && advice.recommendation.is_some() {
            "chosen".to_owned()
        } else {
            match r.why_not.and_then(|id| reason(advice, id)) {
                Some(why) if reasons_shown.contains(&why.id) => {
                    format!("{}, for a reason under Decision", verdict(r))
                }
                Some(why) => {
                    reasons_shown.push(why.id);
                    format!(
                        "{}: {}{}",
                        verdict(r),
                        md_cell(why.text),
                        md_marks(&mut c, &why.sources)
                    )
                }
                None => verdict(r).to_owned(),
            }
        };
        let score = if fired.is_some() {
            format!(" {} |", r.score)
        } else {
            String::new()
        };
        s.push_str(&format!(
            "| {} ({}) |{score} {verdict} |\n",
            md_cell(r.name),
            code_span(r.model, true),
        ));
    }

    if let Some(fired) = fired {
        s.push_str("\n## Rules that fired\n\n| # | Rule | Effect |\n|---|---|---|\n");
        for (i, rule) in fired.iter().enumerate() {
            s.push_str(&format!(
                "| {} | {} | {} |\n",
                i + 1,
                code_span(&rule.id, true),
                md_cell(&effects(rule))
            ));
        }
    }

    s.push_str("\n## Sources\n\n");
    for (n, source) in c.list() {
        let checked = source.last_checked(advice.catalog.as_of);
        s.push_str(&format!(
            "[^{n}]: {} (page dated {}, checked {checked})\n",
            source_link(source.title.trim(), &source.url),
            source.as_of
        ));
    }
    s
}

/// A choice as a Markdown table cell: its label and, in code, its id.
fn label(question: &crate::catalog::Question, id: &str) -> String {
    question
        .choices
        .iter()
        .find(|c| c.id == id)
        .map(|c| format!("{} ({})", md_cell(&c.label), code_span(id, true)))
        .unwrap_or_else(|| md_cell(id))
}

/// The advice with `--explain`'s `fired_rules` after its own fields (JSON and YAML).
#[derive(serde::Serialize)]
struct Explained<'a> {
    #[serde(flatten)]
    advice: &'a Advice<'a>,
    fired_rules: Vec<FiredRule<'a>>,
}

/// One rule that fired, in evaluation order: when it fires, what it changed and its sources.
#[derive(serde::Serialize)]
struct FiredRule<'a> {
    rule: &'a str,
    /// The condition in words; absent for a rule that always fires.
    #[serde(skip_serializing_if = "Option::is_none")]
    when: Option<String>,
    /// The same summary as the text table (`workload +30; cluster excluded`).
    effect: String,
    #[serde(skip_serializing_if = "is_empty_map")]
    score: &'a crate::catalog::Keyed<i64>,
    #[serde(skip_serializing_if = "is_empty_list")]
    excludes: &'a [crate::catalog::Text],
    sources: &'a [crate::catalog::Text],
}

impl<'a> Explained<'a> {
    fn new(advice: &'a Advice<'a>, fired: &[&'a Rule]) -> Self {
        let fired_rules = fired
            .iter()
            .map(|rule| FiredRule {
                rule: &rule.id,
                when: rule.when.as_ref().map(crate::advise::conditions::describe),
                effect: effects(rule),
                score: &rule.score,
                excludes: &rule.exclude,
                sources: &rule.sources,
            })
            .collect();
        Self {
            advice,
            fired_rules,
        }
    }
}

fn is_empty_map(map: &&crate::catalog::Keyed<i64>) -> bool {
    map.is_empty()
}

fn is_empty_list(list: &&[crate::catalog::Text]) -> bool {
    list.is_empty()
}
