//! The statements `advise` can show (reasons, caveats, steps, grants, trade-offs), each with
//! where it is written, so that `rules check` can warn when two of them say the same thing in
//! the same words: the advice would then repeat itself, or the two should share an `id`.

use rustc_hash::FxHashMap as HashMap;

use super::Catalog;

/// Two statements with the same text, shown for the same model and without a shared id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repeated {
    pub first: String,
    pub second: String,
    pub text: String,
}

/// One statement: the model it is shown for (empty: any), its explicit id, where it is written.
struct Entry<'a> {
    model: &'a str,
    id: Option<&'a str>,
    place: String,
    text: &'a str,
}

/// Every pair of statements with the same text for the same model (or for any model), unless
/// they share an explicit id (then they are one statement on purpose).
pub fn repeated(catalog: &Catalog) -> Vec<Repeated> {
    let mut entries: Vec<Entry> = Vec::new();
    for rule in &catalog.rules {
        if let Some(reason) = &rule.reason {
            entries.push(Entry {
                model: "",
                id: None,
                place: format!("rules.yaml: rule `{}` reason", rule.id),
                text: reason.trim(),
            });
        }
        for (i, c) in rule.caveats.iter().enumerate() {
            entries.push(Entry {
                model: &c.model,
                id: c.id.as_deref(),
                place: format!("rules.yaml: rule `{}` caveats[{i}]", rule.id),
                text: c.text.trim(),
            });
        }
        for (i, s) in rule.steps.iter().enumerate() {
            entries.push(Entry {
                model: &s.model,
                id: s.id.as_deref(),
                place: format!("rules.yaml: rule `{}` steps[{i}]", rule.id),
                text: s.text.trim(),
            });
        }
        for (i, g) in rule.grants.iter().enumerate() {
            entries.push(Entry {
                model: &g.model,
                id: g.id.as_deref(),
                place: format!("rules.yaml: rule `{}` grants[{i}]", rule.id),
                text: g.how.trim(),
            });
        }
    }
    for model in &catalog.models {
        for (kind, facts) in [("pros", &model.pros), ("cons", &model.cons)] {
            for (i, f) in facts.iter().enumerate() {
                entries.push(Entry {
                    model: &model.id,
                    id: f.id.as_deref(),
                    place: format!("models/{}.yaml: {kind}[{i}]", model.id),
                    text: f.text.trim(),
                });
            }
        }
    }

    let mut first: HashMap<&str, Vec<usize>> = HashMap::default();
    let mut out = Vec::new();
    for (n, e) in entries.iter().enumerate() {
        let earlier = first.entry(e.text).or_default();
        for &m in earlier.iter() {
            let before = &entries[m];
            let same_model =
                before.model.is_empty() || e.model.is_empty() || before.model == e.model;
            let same_id = before.id.is_some() && before.id == e.id;
            if same_model && !same_id {
                out.push(Repeated {
                    first: before.place.clone(),
                    second: e.place.clone(),
                    text: e.text.to_owned(),
                });
                break;
            }
        }
        earlier.push(n);
    }
    out
}
