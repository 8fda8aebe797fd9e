//! The rules engine: a pure function from a catalog and a complete set of answers to [`Advice`].
//!
//! Rules run in file order. Every model starts at 0; a rule whose `when` holds adds its score
//! changes, excludes models and attaches caveats and next steps. The recommendation is the
//! non-excluded model with the highest score; equal scores go to the model listed first in the
//! catalog's `tie_break`. Excluded models are never recommended, and when every model is excluded
//! there is no recommendation. The result is the JSON shape of design.md section 5.

use rustc_hash::FxHashSet as HashSet;

use serde::Serialize;

use super::answers::{Answer, Answers};
use super::conditions::{self, holds};
use crate::catalog::{Access, Catalog, CatalogRef, Fact, Model, NO_MODEL, Role, Rule, Text};

/// The question whose answer lists the target services.
pub const TARGETS_QUESTION: &str = "targets";

/// The shape of the JSON and YAML advice; 2 since statements carry ids and sources.
pub const SCHEMA_VERSION: u32 = 2;

#[derive(Debug, Serialize)]
pub struct Advice<'a> {
    pub schema_version: u32,
    pub catalog: CatalogRef<'a>,
    /// Every question asked, defaults included, in interview order.
    pub answers: Answers,
    pub defaulted: Vec<Text>,
    /// Answers that cannot be true together, or that were given and not used.
    pub warnings: Vec<Warning<'a>>,
    pub recommendation: Option<Recommendation<'a>>,
    pub ranking: Vec<Ranked<'a>>,
    pub reasons: Vec<Reason<'a>>,
    pub tradeoffs: Tradeoffs<'a>,
    pub caveats: Vec<Caveat<'a>>,
    pub grants: Vec<Grant<'a>>,
    /// What to do, in order, each step with its command apart.
    #[serde(rename = "next_steps")]
    pub steps: Vec<NextStep<'a>>,
    /// Every source the statements above cite, in order of first citation.
    pub sources: Vec<Cited<'a>>,
}

/// A source as a statement cites it.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Cited<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub url: &'a str,
    /// The page's own date (its ms.date or last change) when it was read.
    pub date: &'a str,
    /// When the page was last read against the catalog.
    pub checked: &'a str,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct Recommendation<'a> {
    pub model: &'a str,
    pub name: &'a str,
    pub score: i64,
    /// The id of the reason that weighs most for this model, if any.
    pub reason: Option<&'a str>,
}

#[derive(Debug, Serialize)]
pub struct Ranked<'a> {
    pub model: &'a str,
    pub name: &'a str,
    pub score: i64,
    pub excluded: bool,
    /// Ids of the reasons that changed this model's score or excluded it.
    pub reasons: Vec<&'a str>,
    /// For a model not recommended, the id of the reason that says why not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why_not: Option<&'a str>,
}

/// A rule that fired and changed scores or excluded models.
#[derive(Debug, Serialize)]
pub struct Reason<'a> {
    /// The statement's id: the id of the rule that gives it.
    pub id: &'a str,
    /// The rule (as in schema 1).
    pub rule: &'a str,
    pub text: &'a str,
    /// The reason in one short line, where the catalog gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<&'a str>,
    pub effects: crate::catalog::Map<&'a str, i64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub excludes: Vec<&'a str>,
    pub sources: Vec<Cited<'a>>,
}

#[derive(Debug, Serialize)]
pub struct Tradeoffs<'a> {
    pub pros: Vec<Statement<'a>>,
    pub cons: Vec<Statement<'a>>,
}

/// A trade-off of the recommended model.
#[derive(Debug, Serialize)]
pub struct Statement<'a> {
    pub id: String,
    pub text: &'a str,
    pub sources: Vec<Cited<'a>>,
}

#[derive(Debug, Serialize)]
pub struct Caveat<'a> {
    pub id: String,
    pub rule: &'a str,
    pub text: &'a str,
    /// True of every deployment of the model, or an alternative: text shows it with `--detail`.
    #[serde(skip_serializing_if = "is_false")]
    pub detail: bool,
    pub sources: Vec<Cited<'a>>,
}

#[derive(Debug, Serialize)]
pub struct Grant<'a> {
    pub id: String,
    pub target: &'a str,
    pub name: &'a str,
    /// The least-privilege role to grant (the first in the catalog).
    pub roles: Vec<&'a str>,
    /// Other roles, each for another need; grant one only when that need exists.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<&'a Role>,
    /// Who gets the role, when `how` does not say it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grantee: Option<&'a str>,
    pub how: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<&'a str>,
    pub sources: Vec<Cited<'a>>,
}

#[derive(Debug, Serialize)]
pub struct NextStep<'a> {
    pub id: String,
    pub rule: &'a str,
    pub text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<&'a str>,
    pub sources: Vec<Cited<'a>>,
}

/// Answers that cannot be true together (from a rule's `warning`), or an answer given for a
/// question these answers do not ask.
#[derive(Debug, Serialize)]
pub struct Warning<'a> {
    /// The questions whose answers conflict.
    pub questions: Vec<String>,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Cited<'a>>,
}

fn is_false(value: &bool) -> bool {
    !value
}

/// Every rule that fired, for `--explain`: what it changed, in evaluation order.
pub fn fired<'a>(catalog: &'a Catalog, answers: &Answers) -> Vec<&'a Rule> {
    catalog
        .rules
        .iter()
        .filter(|r| r.when.as_ref().is_none_or(|c| holds(c, answers)))
        .collect()
}

/// Evaluates the rules for `answers` (complete: every asked question has an answer).
pub fn evaluate<'a>(catalog: &'a Catalog, answers: Answers, defaulted: Vec<Text>) -> Advice<'a> {
    let fired = fired(catalog, &answers);
    evaluate_fired(catalog, &fired, answers, defaulted)
}

/// [`evaluate`] with the rules that fire for `answers` already found (by [`fired`]), for a
/// caller that also shows them.
pub fn evaluate_fired<'a>(
    catalog: &'a Catalog,
    fired: &[&'a Rule],
    answers: Answers,
    defaulted: Vec<Text>,
) -> Advice<'a> {
    // Per model, by its position in the catalog: a catalog has a few models, so finding one by
    // id is a short scan, cheaper than hashing for every effect of thousands of fired rules.
    let models = &catalog.models;
    let slot = |id: &str| models.iter().position(|m| m.id == id);
    let mut scores = vec![0i64; models.len()];
    let mut excluded = vec![false; models.len()];
    let mut model_reasons: Vec<Vec<&str>> = vec![Vec::new(); models.len()];
    // The reasons already in each model's list: a set beside the list, so a catalog with
    // thousands of fired rules does not compare every reason with every earlier one.
    let mut seen_reasons: Vec<HashSet<&str>> = vec![HashSet::default(); models.len()];
    // Reasons by text: two rules with the same reason give one reason with both effects, so a
    // catalog with thousands of fired rules does not compare every reason with every other.
    let mut reason_at: rustc_hash::FxHashMap<&str, usize> = Default::default();
    let mut reasons: Vec<Reason> = Vec::new();
    for rule in fired {
        for (model, change) in &rule.score {
            if let Some(i) = slot(model) {
                // Scores are bounded per rule at load time; saturating all the same, so no
                // catalog can wrap a vetoed model's score around to the top.
                scores[i] = scores[i].saturating_add(*change);
            }
        }
        for model in &rule.exclude {
            if let Some(i) = slot(model) {
                excluded[i] = true;
            }
        }
        if rule.score.is_empty() && rule.exclude.is_empty() {
            continue;
        }
        let text = rule.reason.as_deref().unwrap_or_default().trim();
        let at = *reason_at.entry(text).or_insert_with(|| {
            reasons.push(Reason {
                id: &rule.id,
                rule: &rule.id,
                text,
                summary: rule.summary.as_deref().map(str::trim),
                effects: Default::default(),
                excludes: Vec::new(),
                sources: cited(catalog, &rule.sources),
            });
            reasons.len() - 1
        });
        let reason = &mut reasons[at];
        for (model, change) in &rule.score {
            let effect = reason.effects.entry(model.as_ref()).or_insert(0);
            *effect = effect.saturating_add(*change);
        }
        for model in &rule.exclude {
            if !reason.excludes.contains(&model.as_ref()) {
                reason.excludes.push(model);
            }
        }
        let id = reason.id;
        for model in rule.score.keys().chain(rule.exclude.iter()) {
            if let Some(i) = slot(model)
                && seen_reasons[i].insert(id)
            {
                model_reasons[i].push(id);
            }
        }
    }

    // Ranking: eligible models by score, then excluded ones; ties by the tie-break order.
    let tie = |id: &str| {
        catalog
            .tie_break
            .iter()
            .position(|t| t == id)
            .unwrap_or(usize::MAX)
    };
    let mut ranking: Vec<Ranked> = models
        .iter()
        .enumerate()
        .map(|(i, m)| Ranked {
            model: &m.id,
            name: &m.name,
            score: scores[i],
            excluded: excluded[i],
            reasons: model_reasons[i].clone(),
            why_not: None,
        })
        .collect();
    ranking.sort_by(|a, b| {
        a.excluded
            .cmp(&b.excluded)
            .then(b.score.cmp(&a.score))
            .then(tie(a.model).cmp(&tie(b.model)))
    });

    let chosen: Option<&Model> = ranking
        .first()
        .filter(|r| !r.excluded)
        .and_then(|r| catalog.model(r.model));

    // The reason that weighs most for the chosen model, and for each other model the reason
    // that says why not: the first exclusion, else the change that cost it most, else the
    // chosen model's main reason.
    let main_reason = chosen.and_then(|m| {
        reasons
            .iter()
            .filter_map(|r| r.effects.get(m.id.as_ref()).map(|c| (r.id, *c)))
            .filter(|(_, c)| *c > 0)
            .fold(None::<(&str, i64)>, |best, (id, c)| match best {
                Some((_, b)) if b >= c => best,
                _ => Some((id, c)),
            })
            .map(|(id, _)| id)
    });
    let recommendation = chosen.map(|m| Recommendation {
        model: &m.id,
        name: &m.name,
        score: slot(&m.id).map_or(0, |i| scores[i]),
        reason: main_reason,
    });
    for r in &mut ranking {
        if chosen.is_some_and(|m| m.id == r.model) {
            continue;
        }
        let excluded_by = reasons
            .iter()
            .find(|x| x.excludes.contains(&r.model))
            .map(|x| x.id);
        let cost = reasons
            .iter()
            .filter_map(|x| x.effects.get(r.model).map(|c| (x.id, *c)))
            .filter(|(_, c)| *c < 0)
            .fold(None::<(&str, i64)>, |worst, (id, c)| match worst {
                Some((_, w)) if w <= c => worst,
                _ => Some((id, c)),
            })
            .map(|(id, _)| id);
        r.why_not = excluded_by.or(cost).or(main_reason);
    }

    let cite = |ids: &'a [Text]| -> Vec<Cited<'a>> { cited(catalog, ids) };

    // Each statement once: a later statement with an id or a text already shown is left out
    // (steps, then grants, then caveats, then trade-offs).
    let mut shown = Shown::default();
    for r in &reasons {
        shown.insert(None, r.text);
    }

    // Caveats and steps of the recommended model; when none fits, those written for that case.
    let shown_for = chosen.map_or(NO_MODEL, |m| m.id.as_ref());
    let mut steps = Vec::new();
    for rule in fired {
        for (i, step) in rule.steps.iter().enumerate() {
            if step.model != shown_for || step.when.as_ref().is_some_and(|c| !holds(c, &answers)) {
                continue;
            }
            if shown.insert(step.id.as_deref(), step.text.trim()) {
                steps.push(NextStep {
                    id: item_id(step.id.as_deref(), &rule.id, "steps", i),
                    rule: &rule.id,
                    text: step.text.trim(),
                    command: step.command.as_deref().map(str::trim),
                    sources: cite(or_rule(&step.sources, rule)),
                });
            }
        }
    }

    let targets: Vec<&str> = match answers.get(TARGETS_QUESTION) {
        Some(Answer::Choices(list)) => list.iter().map(|id| id.as_ref()).collect(),
        _ => Vec::new(),
    };
    let mut grants: Vec<Grant> = Vec::new();
    if let Some(model) = chosen {
        for t in targets.iter().filter_map(|id| catalog.target(id)) {
            // A fired rule may say how this model gets access to this target instead (the
            // last such rule wins).
            let special = fired.iter().rev().find_map(|r| {
                r.grants
                    .iter()
                    .enumerate()
                    .rfind(|(_, g)| g.model == model.id && g.target == t.id)
                    .map(|(i, g)| (*r, i, g))
            });
            let (grant, explicit, words) = if let Some((rule, i, g)) = special {
                let grant = Grant {
                    id: item_id(g.id.as_deref(), &rule.id, "grants", i),
                    target: &t.id,
                    name: &t.name,
                    roles: g.roles.iter().take(1).map(|r| &*r.name).collect(),
                    alternatives: g.roles.iter().skip(1).collect(),
                    grantee: None,
                    how: sentence(g.how.trim()),
                    command: g.command.as_deref().map(str::trim),
                    sources: cite(or_rule(&g.sources, rule)),
                };
                (grant, g.id.as_deref(), g.how.trim())
            } else {
                let grantee = if t.access == Access::Kubelet {
                    "the cluster's kubelet identity (image pulls always use it)"
                } else {
                    model.grantee.trim()
                };
                let mut sources = cite(&t.granted_in.sources);
                for c in cite(&t.sources) {
                    if !sources.contains(&c) {
                        sources.push(c);
                    }
                }
                let grant = Grant {
                    id: format!("targets/{}", t.id),
                    target: &t.id,
                    name: &t.name,
                    roles: t.roles.iter().take(1).map(|r| &*r.name).collect(),
                    alternatives: t.roles.iter().skip(1).collect(),
                    grantee: Some(grantee),
                    how: sentence(t.granted_in.text.trim()),
                    command: t.grant.as_deref().map(str::trim),
                    sources,
                };
                (grant, None, t.granted_in.text.trim())
            };
            if shown.insert(explicit, words) {
                // A command a step already gives is not given again.
                let mut grant = grant;
                if grant
                    .command
                    .is_some_and(|c| steps.iter().any(|s| s.command == Some(c)))
                {
                    grant.command = None;
                }
                grants.push(grant);
            }
        }
    }

    let mut caveats = Vec::new();
    for rule in fired {
        for (i, caveat) in rule.caveats.iter().enumerate() {
            if caveat.model != shown_for
                || caveat.when.as_ref().is_some_and(|c| !holds(c, &answers))
            {
                continue;
            }
            if shown.insert(caveat.id.as_deref(), caveat.text.trim()) {
                caveats.push(Caveat {
                    id: item_id(caveat.id.as_deref(), &rule.id, "caveats", i),
                    rule: &rule.id,
                    text: caveat.text.trim(),
                    detail: caveat.detail,
                    sources: cite(or_rule(&caveat.sources, rule)),
                });
            }
        }
    }

    // Trade-offs of the chosen model that these answers make relevant.
    let mut tradeoff_list = |model: &'a Model, kind: &str, facts: &'a [Fact]| {
        let mut out = Vec::new();
        for (i, fact) in facts.iter().enumerate() {
            if fact.when.as_ref().is_some_and(|c| !holds(c, &answers)) {
                continue;
            }
            if shown.insert(fact.id.as_deref(), fact.text.trim()) {
                out.push(Statement {
                    id: item_id(fact.id.as_deref(), &model.id, kind, i),
                    text: fact.text.trim(),
                    sources: cite(&fact.sources),
                });
            }
        }
        out
    };
    let tradeoffs = match chosen {
        Some(m) => Tradeoffs {
            pros: tradeoff_list(m, "pros", &m.pros),
            cons: tradeoff_list(m, "cons", &m.cons),
        },
        None => Tradeoffs {
            pros: Vec::new(),
            cons: Vec::new(),
        },
    };

    let warnings: Vec<Warning> = fired
        .iter()
        .filter_map(|rule| {
            let text = rule.warning.as_deref()?.trim();
            let questions: Vec<String> = rule
                .when
                .as_ref()
                .map(conditions::questions)
                .unwrap_or_default()
                .into_iter()
                .map(str::to_owned)
                .collect();
            Some(Warning {
                text: format!(
                    "{} cannot {} be true: {text}",
                    named(&questions, &answers),
                    if questions.len() > 2 { "all" } else { "both" }
                ),
                questions,
                rule: Some(&rule.id),
                sources: cite(&rule.sources),
            })
        })
        .collect();

    // The sources cited above, in order of first citation.
    let mut sources: Vec<Cited> = Vec::new();
    let all = reasons
        .iter()
        .flat_map(|r| &r.sources)
        .chain(steps.iter().flat_map(|s| &s.sources))
        .chain(grants.iter().flat_map(|g| &g.sources))
        .chain(caveats.iter().flat_map(|c| &c.sources))
        .chain(tradeoffs.pros.iter().flat_map(|t| &t.sources))
        .chain(tradeoffs.cons.iter().flat_map(|t| &t.sources))
        .chain(warnings.iter().flat_map(|w| &w.sources));
    for c in all {
        if !sources.iter().any(|s| s.id == c.id) {
            sources.push(*c);
        }
    }

    Advice {
        schema_version: SCHEMA_VERSION,
        catalog: CatalogRef::of(catalog),
        answers,
        defaulted,
        warnings,
        recommendation,
        ranking,
        reasons,
        tradeoffs,
        caveats,
        grants,
        steps,
        sources,
    }
}

/// The warning for an answer given to a question that these answers do not ask: it names the
/// answer (by where it came from) and the answers that leave the question out.
pub fn unused_answer<'a>(
    catalog: &Catalog,
    answers: &Answers,
    question: &str,
    origin: &str,
) -> Warning<'a> {
    let asked_when = catalog
        .question(question)
        .and_then(|q| q.asked_when.as_ref());
    let mut questions: Vec<String> = asked_when
        .map(conditions::questions)
        .unwrap_or_default()
        .into_iter()
        .map(str::to_owned)
        .collect();
    let because = named(&questions, answers);
    let when = asked_when.map(conditions::describe).unwrap_or_default();
    questions.push(question.to_owned());
    Warning {
        text: format!(
            "{origin}: question `{question}` is not asked when {because} (it is asked when {when}); ignored"
        ),
        questions,
        rule: None,
        sources: Vec::new(),
    }
}

/// `scope=cluster and sdk=legacy-imds`: the questions with their answers.
fn named(questions: &[String], answers: &Answers) -> String {
    let parts: Vec<String> = questions
        .iter()
        .map(|q| match answers.get(q.as_str()) {
            Some(Answer::Choices(list)) if !list.is_empty() => format!("{q}={}", list.join(",")),
            Some(a) => format!("{q}={a}"),
            None => format!("{q} unanswered"),
        })
        .collect();
    match parts.as_slice() {
        [] => "these answers".to_owned(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The statement ids and texts already in the advice. Only explicit ids are kept: an id derived
/// from a statement's place (`RULE/caveats/N`) is unique by construction, and an explicit id
/// cannot look like one (it has no `/`).
#[derive(Default)]
struct Shown<'a> {
    ids: HashSet<&'a str>,
    texts: HashSet<&'a str>,
}

impl<'a> Shown<'a> {
    /// Records a statement; false when its id or its text was shown before.
    fn insert(&mut self, explicit_id: Option<&'a str>, text: &'a str) -> bool {
        if explicit_id.is_some_and(|id| self.ids.contains(id)) || self.texts.contains(text) {
            return false;
        }
        self.ids.extend(explicit_id);
        self.texts.insert(text);
        true
    }
}

/// A statement's id: the explicit one, else `OWNER/KIND/INDEX` from its place in the catalog.
fn item_id(explicit: Option<&str>, owner: &str, kind: &str, index: usize) -> String {
    match explicit {
        Some(id) => id.to_owned(),
        // Put together by hand: `format!` costs several times as much, once per statement.
        None => {
            let mut index_text = itoa::Buffer::new();
            let index_text = index_text.format(index);
            let mut id = String::with_capacity(owner.len() + kind.len() + index_text.len() + 2);
            for part in [owner, "/", kind, "/", index_text] {
                id.push_str(part);
            }
            id
        }
    }
}

/// An item's own sources, or its rule's.
fn or_rule<'a>(own: &'a [Text], rule: &'a Rule) -> &'a [Text] {
    if own.is_empty() { &rule.sources } else { own }
}

/// The sources for ids, each once. Ids are validated at load time.
fn cited<'a>(catalog: &'a Catalog, ids: &[Text]) -> Vec<Cited<'a>> {
    let mut out: Vec<Cited> = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(s) = catalog.source(id)
            && !out.iter().any(|c| c.id == s.id)
        {
            out.push(Cited {
                id: &s.id,
                title: s.title.trim(),
                url: &s.url,
                date: &s.as_of,
                checked: s.last_checked(&catalog.as_of),
            });
        }
    }
    out
}

/// `text` ending with a full stop.
fn sentence(text: &str) -> String {
    if text.ends_with(['.', '!', '?']) {
        text.to_owned()
    } else {
        format!("{text}.")
    }
}
