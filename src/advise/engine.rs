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
use super::conditions::holds;
use crate::catalog::{Access, Catalog, CatalogRef, Model, NO_MODEL, Role, Rule};

/// The question whose answer lists the target services.
pub const TARGETS_QUESTION: &str = "targets";

#[derive(Debug, Serialize)]
pub struct Advice<'a> {
    pub schema_version: u32,
    pub catalog: CatalogRef<'a>,
    /// Every question asked, defaults included, in interview order.
    pub answers: Answers,
    pub defaulted: Vec<String>,
    pub recommendation: Option<Recommendation<'a>>,
    pub ranking: Vec<Ranked<'a>>,
    pub reasons: Vec<Reason<'a>>,
    pub tradeoffs: Tradeoffs<'a>,
    pub caveats: Vec<RuleText<'a>>,
    pub grants: Vec<Grant<'a>>,
    pub next_steps: Vec<String>,
    /// The next steps with their commands apart.
    pub steps: Vec<NextStep<'a>>,
    pub sources: Vec<&'a str>,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct Recommendation<'a> {
    pub model: &'a str,
    pub name: &'a str,
    pub score: i64,
}

#[derive(Debug, Serialize)]
pub struct Ranked<'a> {
    pub model: &'a str,
    pub name: &'a str,
    pub score: i64,
    pub excluded: bool,
    pub reasons: Vec<&'a str>,
}

/// A rule that fired and changed scores or excluded models.
#[derive(Debug, Serialize)]
pub struct Reason<'a> {
    pub rule: &'a str,
    pub text: &'a str,
    pub effects: crate::catalog::Map<&'a str, i64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub excludes: Vec<&'a str>,
}

#[derive(Debug, Serialize)]
pub struct Tradeoffs<'a> {
    pub pros: Vec<&'a str>,
    pub cons: Vec<&'a str>,
}

#[derive(Debug, Serialize)]
pub struct RuleText<'a> {
    pub rule: &'a str,
    pub text: &'a str,
}

#[derive(Debug, Serialize)]
pub struct Grant<'a> {
    pub target: &'a str,
    pub name: &'a str,
    /// The least-privilege role to grant (the first in the catalog).
    pub roles: Vec<&'a str>,
    /// Other roles, each for another need; grant one only when that need exists.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<&'a Role>,
    pub how: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<&'a str>,
}

#[derive(Debug, Serialize)]
pub struct NextStep<'a> {
    pub rule: &'a str,
    pub text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<&'a str>,
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
pub fn evaluate<'a>(catalog: &'a Catalog, answers: Answers, defaulted: Vec<String>) -> Advice<'a> {
    let fired = fired(catalog, &answers);
    evaluate_fired(catalog, &fired, answers, defaulted)
}

/// [`evaluate`] with the rules that fire for `answers` already found (by [`fired`]), for a
/// caller that also shows them.
pub fn evaluate_fired<'a>(
    catalog: &'a Catalog,
    fired: &[&'a Rule],
    answers: Answers,
    defaulted: Vec<String>,
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
    let mut reasons = Vec::new();
    for rule in fired {
        let text = rule.reason.as_deref().unwrap_or_default();
        for (model, change) in &rule.score {
            if let Some(i) = slot(model) {
                scores[i] += change;
            }
        }
        for model in &rule.exclude {
            if let Some(i) = slot(model) {
                excluded[i] = true;
            }
        }
        let touched = rule.score.keys().chain(rule.exclude.iter());
        for model in touched {
            if let Some(i) = slot(model)
                && seen_reasons[i].insert(text)
            {
                model_reasons[i].push(text);
            }
        }
        if !rule.score.is_empty() || !rule.exclude.is_empty() {
            reasons.push(Reason {
                rule: &rule.id,
                text,
                effects: rule.score.iter().map(|(m, c)| (m.as_str(), *c)).collect(),
                excludes: rule.exclude.iter().map(String::as_str).collect(),
            });
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
    let recommendation = chosen.map(|m| Recommendation {
        model: &m.id,
        name: &m.name,
        score: slot(&m.id).map_or(0, |i| scores[i]),
    });

    // Caveats and steps of the recommended model; when none fits, those written for that case.
    let shown_for = chosen.map_or(NO_MODEL, |m| m.id.as_str());
    let mut caveats = Vec::new();
    let mut steps = Vec::new();
    for rule in fired {
        caveats.extend(
            rule.caveats
                .iter()
                .filter(|c| c.model == shown_for)
                .map(|c| RuleText {
                    rule: &rule.id,
                    text: c.text.trim(),
                }),
        );
        steps.extend(
            rule.steps
                .iter()
                .filter(|s| s.model == shown_for)
                .map(|s| NextStep {
                    rule: &rule.id,
                    text: s.text.trim(),
                    command: s.command.as_deref().map(str::trim),
                }),
        );
    }
    let next_steps = steps
        .iter()
        .map(|s| match s.command {
            Some(command) => format!("{}\n{command}", s.text),
            None => s.text.to_owned(),
        })
        .collect();

    let targets: Vec<&str> = match answers.get(TARGETS_QUESTION) {
        Some(Answer::Choices(list)) => list.iter().map(String::as_str).collect(),
        _ => Vec::new(),
    };
    let grants: Vec<Grant> = match chosen {
        Some(model) => targets
            .iter()
            .filter_map(|id| catalog.target(id))
            .map(|t| {
                // A fired rule may say how this model gets access to this target instead (the
                // last such rule wins).
                let special = fired
                    .iter()
                    .flat_map(|r| r.grants.iter())
                    .rfind(|g| g.model == model.id && g.target == t.id);
                if let Some(g) = special {
                    return Grant {
                        target: &t.id,
                        name: &t.name,
                        roles: g.roles.iter().take(1).map(|r| r.name.as_str()).collect(),
                        alternatives: g.roles.iter().skip(1).collect(),
                        how: sentence(g.how.trim()),
                        command: g.command.as_deref().map(str::trim),
                    };
                }
                let grantee = if t.access == Access::Kubelet {
                    "the cluster's kubelet identity (image pulls always use it)"
                } else {
                    model.grantee.trim()
                };
                Grant {
                    target: &t.id,
                    name: &t.name,
                    roles: t.roles.iter().take(1).map(|r| r.name.as_str()).collect(),
                    alternatives: t.roles.iter().skip(1).collect(),
                    how: format!("{} Grant to {grantee}.", sentence(t.granted_in.text.trim())),
                    command: t.grant.as_deref().map(str::trim),
                }
            })
            .collect(),
        None => Vec::new(),
    };

    let tradeoffs = match chosen {
        Some(m) => Tradeoffs {
            pros: m.pros.iter().map(|f| f.text.trim()).collect(),
            cons: m.cons.iter().map(|f| f.text.trim()).collect(),
        },
        None => Tradeoffs {
            pros: Vec::new(),
            cons: Vec::new(),
        },
    };

    let mut source_ids: Vec<&String> = fired.iter().flat_map(|r| r.sources.iter()).collect();
    if let Some(m) = chosen {
        source_ids.extend(m.summary.sources.iter());
        source_ids.extend(m.pros.iter().chain(&m.cons).flat_map(|f| f.sources.iter()));
        for id in &targets {
            if let Some(t) = catalog.target(id) {
                source_ids.extend(t.sources.iter());
                source_ids.extend(t.granted_in.sources.iter());
            }
        }
    }
    let sources = catalog.urls(source_ids);

    Advice {
        schema_version: 1,
        catalog: CatalogRef::of(catalog),
        answers,
        defaulted,
        recommendation,
        ranking,
        reasons,
        tradeoffs,
        caveats,
        grants,
        next_steps,
        steps,
        sources,
    }
}

/// `text` ending with a full stop.
fn sentence(text: &str) -> String {
    if text.ends_with(['.', '!', '?']) {
        text.to_owned()
    } else {
        format!("{text}.")
    }
}
