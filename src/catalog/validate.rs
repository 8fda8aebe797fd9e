//! The checks that types alone cannot make: unique ids, references that resolve, comparison rows
//! that every model fills, and conditions that fit the questions they test. Each problem is a
//! diagnostic at the exact node that causes it; all of them are collected.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::condition::OPERATORS;
use super::names::PLACEHOLDERS_FILE;
use super::parsed::{Located, Parsed};
use super::*;
use crate::diag::Diagnostic;
use crate::yaml::{Document, NodePath};

pub(crate) struct Validator<'a> {
    parsed: &'a Parsed,
    source_ids: HashSet<&'a str>,
    model_ids: Vec<&'a str>,
    model_set: HashSet<&'a str>,
    /// Each question's choice ids, for conditions that name choices: a question may have
    /// thousands, and a catalog tens of thousands of conditions.
    choice_sets: HashMap<&'a str, HashSet<&'a str>>,
    target_ids: HashSet<&'a str>,
    placeholder_ids: HashSet<&'a str>,
    /// The placeholders the commands use, to find declared ones nothing uses.
    placeholders_used: HashSet<String>,
    diagnostics: Vec<Diagnostic>,
}

impl<'a> Validator<'a> {
    pub fn new(parsed: &'a Parsed) -> Self {
        Self {
            parsed,
            source_ids: parsed.sources.iter().map(|s| s.value.id.as_ref()).collect(),
            model_ids: parsed.models.iter().map(|m| m.value.id.as_ref()).collect(),
            model_set: parsed.models.iter().map(|m| m.value.id.as_ref()).collect(),
            choice_sets: parsed
                .questions
                .iter()
                .map(|q| {
                    let ids = q.value.choices.iter().map(|c| c.id.as_ref()).collect();
                    (q.value.id.as_ref(), ids)
                })
                .collect(),
            target_ids: parsed.targets.iter().map(|t| t.value.id.as_ref()).collect(),
            placeholder_ids: parsed
                .placeholders
                .iter()
                .map(|p| p.value.id.as_ref())
                .collect(),
            placeholders_used: HashSet::default(),
            diagnostics: Vec::new(),
        }
    }

    pub fn run(mut self) -> Vec<Diagnostic> {
        self.sources();
        self.catalog_file();
        self.models();
        self.targets();
        let questions = self.questions();
        self.tradeoff_conditions(&questions);
        self.rules(&questions);
        self.placeholders();
        self.findings();
        self.diagnostics
    }

    fn doc(&self, index: usize) -> &'a Document {
        &self.parsed.docs[index]
    }

    fn error(&mut self, doc: usize, path: &NodePath, message: impl Into<String>) {
        let d = self.doc(doc).error_at(path, message);
        self.diagnostics.push(d);
    }

    fn error_key(&mut self, doc: usize, path: &NodePath, message: impl Into<String>) {
        let d = self.doc(doc).error_at_key(path, message);
        self.diagnostics.push(d);
    }

    /// Reports every id seen before in `items` (by `id_of`), at the repeated entry's `id`.
    fn unique<T>(&mut self, what: &str, items: &'a [Located<T>], id_of: impl Fn(&'a T) -> &'a str) {
        let mut seen: HashMap<&str, usize> = HashMap::default();
        for (n, item) in items.iter().enumerate() {
            let id = id_of(&item.value);
            if let Some(first) = seen.get(id) {
                let first_at = self
                    .doc(items[*first].doc)
                    .position(&items[*first].path.key("id"));
                self.error(
                    item.doc,
                    &item.path.key("id"),
                    format!(
                        "duplicate {what} id `{id}` (first defined at line {})",
                        first_at.line
                    ),
                );
            } else {
                seen.insert(id, n);
            }
            if !is_id(id) {
                self.error(
                    item.doc,
                    &item.path.key("id"),
                    format!("{what} id `{id}` must be lowercase letters, digits, `-` or `_`"),
                );
            }
        }
    }

    fn is_model(&self, id: &str) -> bool {
        self.model_set.contains(id)
    }

    /// The choice ids of `question`.
    fn choices_of(&self, question: &Question) -> Option<&HashSet<&'a str>> {
        self.choice_sets.get(question.id.as_ref())
    }

    /// Checks source references. Like every check here, it builds the node's path (`at`) only
    /// for a message: a catalog has thousands of facts and almost never a problem in them.
    fn source_refs(&mut self, doc: usize, at: &dyn Fn() -> NodePath, ids: &[Text]) {
        if ids.is_empty() {
            self.error(doc, &at(), "needs at least one source");
        }
        for (i, id) in ids.iter().enumerate() {
            if !self.source_ids.contains(id.as_ref()) && !self.parsed.unread.sources.excuses(id) {
                self.error(
                    doc,
                    &at().index(i),
                    format!("unknown source `{id}` (not in sources.yaml)"),
                );
            }
        }
    }

    fn fact(&mut self, doc: usize, at: &dyn Fn() -> NodePath, fact: &Fact) {
        self.statement(doc, at, fact);
        if fact.when.is_some() {
            self.error(
                doc,
                &at().key("when"),
                "`when` is read only on pros and cons",
            );
        }
    }

    /// A fact whose `when` may be present (checked once the questions are known).
    fn statement(&mut self, doc: usize, at: &dyn Fn() -> NodePath, fact: &Fact) {
        if fact.text.trim().is_empty() {
            self.error(doc, &at().key("text"), "text is empty");
        }
        self.statement_id(doc, &|| at().key("id"), fact.id.as_deref());
        self.source_refs(doc, &|| at().key("sources"), &fact.sources);
    }

    fn facts(&mut self, doc: usize, at: &dyn Fn() -> NodePath, facts: &[Fact]) {
        for (i, fact) in facts.iter().enumerate() {
            self.fact(doc, &|| at().index(i), fact);
        }
    }

    /// An explicit statement id: the key that lets `advise` show a statement once.
    fn statement_id(&mut self, doc: usize, at: &dyn Fn() -> NodePath, id: Option<&str>) {
        if let Some(id) = id
            && !is_id(id)
        {
            self.error(
                doc,
                &at(),
                format!("statement id `{id}` must be lowercase letters, digits, `-` or `_`"),
            );
        }
    }

    /// A rule item's own sources: absent means the rule's.
    fn item_sources(&mut self, doc: usize, at: &dyn Fn() -> NodePath, ids: &[Text]) {
        if !ids.is_empty() {
            self.source_refs(doc, at, ids);
        }
    }

    /// The `when` of the models' pros and cons, once the questions are known.
    fn tradeoff_conditions(&mut self, questions: &HashMap<&'a str, (usize, &'a Question)>) {
        let models = &self.parsed.models;
        for m in models {
            for (key, facts) in [("pros", &m.value.pros), ("cons", &m.value.cons)] {
                for (i, fact) in facts.iter().enumerate() {
                    if let Some(cond) = &fact.when {
                        let at = || m.path.key(key).index(i).key("when");
                        self.condition(m.doc, &at, cond, questions, None);
                    }
                }
            }
        }
    }

    fn model_ref(&mut self, doc: usize, path: &NodePath, id: &str) {
        if !self.is_model(id) && !self.parsed.unread.models.excuses(id) {
            let known = crate::diag::listing(&self.model_ids);
            self.error(doc, path, format!("unknown model `{id}` (models: {known})"));
        }
    }

    fn sources(&mut self) {
        let sources = &self.parsed.sources;
        self.unique("source", sources, |s| &s.id);
        for s in sources {
            if !s.value.url.starts_with("https://") {
                self.error(s.doc, &s.path.key("url"), "url must start with https://");
            }
            if !is_date(&s.value.as_of) {
                self.error(
                    s.doc,
                    &s.path.key("as_of"),
                    format!(
                        "as_of `{}` must be a date, YYYY-MM-DD or YYYY-MM",
                        s.value.as_of
                    ),
                );
            }
            if let Some(checked) = &s.value.checked
                && !is_date(checked)
            {
                self.error(
                    s.doc,
                    &s.path.key("checked"),
                    format!("checked `{checked}` must be a date, YYYY-MM-DD or YYYY-MM"),
                );
            }
        }
    }

    fn catalog_file(&mut self) {
        let Some(catalog) = &self.parsed.catalog else {
            return;
        };
        let (doc, path, file) = (catalog.doc, &catalog.path, &catalog.value);
        if !is_date(&file.as_of) {
            self.error(
                doc,
                &path.key("as_of"),
                format!("as_of `{}` must be a date, YYYY-MM-DD", file.as_of),
            );
        }
        if file.rows.is_empty() {
            self.error(doc, &path.key("rows"), "needs at least one comparison row");
        }
        let mut seen = HashSet::default();
        for (i, row) in file.rows.iter().enumerate() {
            let at = path.key("rows").index(i).key("id");
            if !seen.insert(row.id.as_ref()) {
                self.error(doc, &at, format!("duplicate row id `{}`", row.id));
            }
            if !is_id(&row.id) {
                self.error(
                    doc,
                    &at,
                    format!(
                        "row id `{}` must be lowercase letters, digits, `-` or `_`",
                        row.id
                    ),
                );
            }
        }
        let mut listed = HashSet::default();
        for (i, id) in file.tie_break.iter().enumerate() {
            let at = path.key("tie_break").index(i);
            self.model_ref(doc, &at, id);
            if !listed.insert(id.as_ref()) {
                self.error(doc, &at, format!("model `{id}` is listed twice"));
            }
        }
        for id in self.model_ids.clone() {
            if !listed.contains(id) {
                self.error(
                    doc,
                    &path.key("tie_break"),
                    format!("tie_break must list every model; `{id}` is missing"),
                );
            }
        }
    }

    fn models(&mut self) {
        let rows: Vec<&str> = self
            .parsed
            .catalog
            .as_ref()
            .map(|c| c.value.rows.iter().map(|r| r.id.as_ref()).collect())
            .unwrap_or_default();
        // Looked up once per value of every model: a generated catalog may have thousands.
        let known_rows: HashSet<&str> = rows.iter().copied().collect();
        let models = &self.parsed.models;
        self.unique("model", models, |m| &m.id);
        for m in models {
            let (doc, path, model) = (m.doc, &m.path, &m.value);
            let file = &self.doc(doc).file;
            let stem = file
                .rsplit('/')
                .next()
                .and_then(|name| name.strip_suffix(".yaml"))
                .unwrap_or_default();
            if model.id != stem {
                self.error(
                    doc,
                    &path.key("id"),
                    format!(
                        "model id `{}` must match its file name `{stem}.yaml`",
                        model.id
                    ),
                );
            }
            if model.id == NO_MODEL {
                self.error(
                    doc,
                    &path.key("id"),
                    format!("`{NO_MODEL}` is reserved for steps shown when no model fits"),
                );
            }
            if let Some(note) = &model.status.note {
                self.fact(doc, &|| path.key("status").key("note"), note);
            }
            for (i, milestone) in model.status.dates.iter().enumerate() {
                let at = path.key("status").key("dates").index(i);
                if !is_date(&milestone.date) {
                    self.error(
                        doc,
                        &at.key("date"),
                        format!("date `{}` must be YYYY-MM-DD or YYYY-MM", milestone.date),
                    );
                }
                self.source_refs(doc, &|| at.key("sources"), &milestone.sources);
            }
            self.fact(doc, &|| path.key("summary"), &model.summary);
            self.fact(doc, &|| path.key("how_it_works"), &model.how_it_works);
            let values = path.key("values");
            for row in &rows {
                if !model.values.contains_key(row) {
                    self.error(
                        doc,
                        &values,
                        format!("missing a value for comparison row `{row}`"),
                    );
                }
            }
            for (row, fact) in &model.values {
                if !known_rows.contains(row.as_str()) && !self.parsed.unread.rows.excuses(row) {
                    self.error_key(
                        doc,
                        &values.key(row),
                        format!("unknown comparison row `{row}` (rows: {})", rows.join(", ")),
                    );
                }
                self.fact(doc, &|| values.key(row), fact);
            }
            for (key, list) in [("pros", &model.pros), ("cons", &model.cons)] {
                for (i, fact) in list.iter().enumerate() {
                    self.statement(doc, &|| path.key(key).index(i), fact);
                }
            }
            self.facts(doc, &|| path.key("limits"), &model.limits);
            for (i, step) in model.setup.iter().enumerate() {
                if let Some(command) = &step.command {
                    self.command(doc, &|| path.key("setup").index(i).key("command"), command);
                }
                self.source_refs(
                    doc,
                    &|| path.key("setup").index(i).key("sources"),
                    &step.sources,
                );
            }
            for (i, command) in model.example.commands.iter().enumerate() {
                self.command(
                    doc,
                    &|| path.key("example").key("commands").index(i),
                    command,
                );
            }
            self.source_refs(
                doc,
                &|| path.key("example").key("sources"),
                &model.example.sources,
            );
        }
    }

    fn targets(&mut self) {
        let targets = &self.parsed.targets;
        self.unique("target", targets, |t| &t.id);
        for t in targets {
            self.fact(t.doc, &|| t.path.key("granted_in"), &t.value.granted_in);
            self.facts(t.doc, &|| t.path.key("notes"), &t.value.notes);
            if let Some(grant) = &t.value.grant {
                self.command(t.doc, &|| t.path.key("grant"), grant);
            }
            self.source_refs(t.doc, &|| t.path.key("sources"), &t.value.sources);
        }
    }

    /// Checks that every `<placeholder>` in a command is declared in `placeholders.yaml`.
    fn command(&mut self, doc: usize, at: &dyn Fn() -> NodePath, command: &str) {
        let mut reported: Vec<&str> = Vec::new();
        for found in placeholders::find(command) {
            if reported.contains(&found.name) {
                continue;
            }
            reported.push(found.name);
            if !self.placeholders_used.contains(found.name) {
                self.placeholders_used.insert(found.name.to_owned());
            }
            if !self.placeholder_ids.contains(found.name)
                && !self.parsed.unread.placeholders.excuses(found.name)
            {
                self.error(
                    doc,
                    &at(),
                    format!(
                        "command uses the undeclared placeholder `<{}>`; declare it in {PLACEHOLDERS_FILE}",
                        found.name
                    ),
                );
            }
        }
    }

    fn placeholders(&mut self) {
        let placeholders = &self.parsed.placeholders;
        self.unique("placeholder", placeholders, |p| &p.id);
        // With other problems, some commands may not have been read: "unused" would mislead.
        let report_unused = self.diagnostics.is_empty() && !self.parsed.incomplete;
        for p in placeholders {
            if report_unused && !self.placeholders_used.contains(&*p.value.id) {
                self.error(
                    p.doc,
                    &p.path.key("id"),
                    format!(
                        "placeholder `{}` is declared but no command uses it",
                        p.value.id
                    ),
                );
            }
            if let Some(from) = &p.value.from {
                self.command(p.doc, &|| p.path.key("from"), from);
                if placeholders::find(from)
                    .iter()
                    .any(|f| f.name == p.value.id)
                {
                    self.error(
                        p.doc,
                        &p.path.key("from"),
                        format!("`from` of `{}` uses the placeholder itself", p.value.id),
                    );
                }
            }
            if p.value.meaning.trim().is_empty() {
                self.error(p.doc, &p.path.key("meaning"), "meaning is empty");
            }
            if placeholders::find(&format!("<{}>", p.value.id))
                .first()
                .is_none_or(|f| f.name != p.value.id)
            {
                self.error(
                    p.doc,
                    &p.path.key("id"),
                    format!(
                        "placeholder id `{}` must be a lowercase letter followed by lowercase letters, digits or `-`",
                        p.value.id
                    ),
                );
            }
        }
    }

    /// Scan findings: unique ids that fit a SARIF rule id and a suppression key, texts present,
    /// sources known.
    fn findings(&mut self) {
        let findings = &self.parsed.findings;
        self.unique("finding", findings, |f| &f.id);
        for f in findings {
            if !is_id(&f.value.id) {
                self.error(
                    f.doc,
                    &f.path.key("id"),
                    format!(
                        "finding id `{}` must be lowercase letters, digits and dashes",
                        f.value.id
                    ),
                );
            }
            for (key, text) in [
                ("title", &f.value.title),
                ("explanation", &f.value.explanation),
                ("fix", &f.value.fix),
            ] {
                if text.trim().is_empty() {
                    self.error(f.doc, &f.path.key(key), format!("{key} must not be empty"));
                }
            }
            if f.value.sources.is_empty() {
                self.error(
                    f.doc,
                    &f.path.key("sources"),
                    "at least one source is required",
                );
            }
            self.source_refs(f.doc, &|| f.path.key("sources"), &f.value.sources);
        }
    }

    /// Checks the questions and returns them by id, with their interview position.
    fn questions(&mut self) -> HashMap<&'a str, (usize, &'a Question)> {
        let questions = &self.parsed.questions;
        self.unique("question", questions, |q| &q.id);
        let mut known: HashMap<&str, (usize, &Question)> = HashMap::default();
        for (n, q) in questions.iter().enumerate() {
            known.entry(q.value.id.as_ref()).or_insert((n, &q.value));
        }
        for (n, q) in questions.iter().enumerate() {
            let (doc, path, question) = (q.doc, &q.path, &q.value);
            let has_choices = matches!(question.kind, Kind::OneOf | Kind::AnyOf);
            if has_choices && question.choices.is_empty() {
                self.error(
                    doc,
                    &path.key("kind"),
                    format!("a `{}` question needs `choices`", question.kind.as_str()),
                );
            }
            if !has_choices && !question.choices.is_empty() {
                self.error_key(
                    doc,
                    &path.key("choices"),
                    format!("a `{}` question has no `choices`", question.kind.as_str()),
                );
            }
            let mut seen = HashSet::default();
            for (i, choice) in question.choices.iter().enumerate() {
                let at = path.key("choices").index(i).key("id");
                if !seen.insert(choice.id.as_ref()) {
                    self.error(doc, &at, format!("duplicate choice id `{}`", choice.id));
                }
                if !is_id(&choice.id) || choice.id == "none" {
                    self.error(doc, &at, format!("choice id `{}` must be lowercase letters, digits, `-` or `_`, and not `none`", choice.id));
                }
            }
            if question.kind == Kind::Number {
                if let (Some(min), Some(max)) = (question.min, question.max)
                    && min > max
                {
                    self.error(
                        doc,
                        &path.key("min"),
                        format!("min {min} is greater than max {max}"),
                    );
                }
            } else {
                for key in ["min", "max"] {
                    let set = if key == "min" {
                        question.min
                    } else {
                        question.max
                    };
                    if set.is_some() {
                        self.error_key(
                            doc,
                            &path.key(key),
                            format!("`{key}` is only for `number` questions"),
                        );
                    }
                }
            }
            let fits = fits_default(question, self.choices_of(question), &question.default);
            if let Err(message) = fits {
                self.error(doc, &path.key("default"), message);
            }
            if let Some(cond) = &question.asked_when {
                self.condition(doc, &|| path.key("asked_when"), cond, &known, Some(n));
            }
        }
        known
    }

    fn rules(&mut self, questions: &HashMap<&'a str, (usize, &'a Question)>) {
        let rules = &self.parsed.rules;
        self.unique("rule", rules, |r| &r.id);
        for r in rules {
            let (doc, path, rule) = (r.doc, &r.path, &r.value);
            if let Some(cond) = &rule.when {
                self.condition(doc, &|| path.key("when"), cond, questions, None);
            }
            // Paths are built only for a message (see `condition`).
            for (model, change) in &rule.score {
                if !self.is_model(model) {
                    self.model_ref(doc, &path.key("score").key(model), model);
                }
                if !SCORE_RANGE.contains(change) {
                    self.error(
                        doc,
                        &path.key("score").key(model),
                        format!(
                            "score {change} for `{model}` is out of range; a rule changes a score by {} to {}",
                            SCORE_RANGE.start(),
                            SCORE_RANGE.end()
                        ),
                    );
                }
            }
            for (i, model) in rule.exclude.iter().enumerate() {
                if !self.is_model(model) {
                    self.model_ref(doc, &path.key("exclude").index(i), model);
                }
            }
            for (i, caveat) in rule.caveats.iter().enumerate() {
                let at = || path.key("caveats").index(i);
                if caveat.model != NO_MODEL && !self.is_model(&caveat.model) {
                    self.model_ref(doc, &at().key("model"), &caveat.model);
                }
                self.statement_id(doc, &|| at().key("id"), caveat.id.as_deref());
                self.item_sources(doc, &|| at().key("sources"), &caveat.sources);
                if let Some(cond) = &caveat.when {
                    self.condition(doc, &|| at().key("when"), cond, questions, None);
                }
            }
            for (i, step) in rule.steps.iter().enumerate() {
                let at = || path.key("steps").index(i);
                if step.model != NO_MODEL && !self.is_model(&step.model) {
                    self.model_ref(doc, &at().key("model"), &step.model);
                }
                self.statement_id(doc, &|| at().key("id"), step.id.as_deref());
                self.item_sources(doc, &|| at().key("sources"), &step.sources);
                if let Some(cond) = &step.when {
                    self.condition(doc, &|| at().key("when"), cond, questions, None);
                }
                if let Some(command) = &step.command {
                    self.command(doc, &|| path.key("steps").index(i).key("command"), command);
                }
            }
            for (i, grant) in rule.grants.iter().enumerate() {
                let at = || path.key("grants").index(i);
                self.statement_id(doc, &|| at().key("id"), grant.id.as_deref());
                self.item_sources(doc, &|| at().key("sources"), &grant.sources);
                if !self.is_model(&grant.model) {
                    self.model_ref(doc, &at().key("model"), &grant.model);
                }
                if !self.target_ids.contains(grant.target.as_ref())
                    && !self.parsed.unread.targets.excuses(&grant.target)
                {
                    self.error(
                        doc,
                        &at().key("target"),
                        format!("unknown target `{}` (not in targets.yaml)", grant.target),
                    );
                }
                if grant.how.trim().is_empty() {
                    self.error(doc, &at().key("how"), "how is empty");
                }
                if let Some(command) = &grant.command {
                    self.command(doc, &|| at().key("command"), command);
                }
            }
            let changes = !rule.score.is_empty() || !rule.exclude.is_empty();
            if changes && rule.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
                self.error(
                    doc,
                    path,
                    format!(
                        "rule `{}` changes a score or excludes a model, so it needs a `reason`",
                        rule.id
                    ),
                );
            }
            if rule.warning.as_deref().is_some_and(|w| w.trim().is_empty()) {
                self.error(doc, &path.key("warning"), "warning is empty");
            }
            if !changes
                && rule.caveats.is_empty()
                && rule.steps.is_empty()
                && rule.grants.is_empty()
                && rule.warning.is_none()
            {
                self.error(
                    doc,
                    path,
                    format!(
                        "rule `{}` has no effect (no score, exclude, caveats, steps, grants or warning)",
                        rule.id
                    ),
                );
            }
            self.source_refs(doc, &|| path.key("sources"), &rule.sources);
        }
    }

    /// Checks one condition. `questions` are all the questions by id, with their positions;
    /// `asked_before`, for an `asked_when`, is the position of the question it belongs to: it may
    /// only refer to questions before that one. `at` gives the condition's path, built only for
    /// a message: a large catalog has tens of thousands of conditions and almost never a problem
    /// in them.
    fn condition(
        &mut self,
        doc: usize,
        at: &dyn Fn() -> NodePath,
        cond: &Condition,
        questions: &HashMap<&'a str, (usize, &'a Question)>,
        asked_before: Option<usize>,
    ) {
        let (id, test) = match cond {
            Condition::Malformed(raw) => {
                if raw.forms() != 1 {
                    self.error(
                        doc,
                        &at(),
                        "a condition needs exactly one of `question`, `all`, `any` or `not`",
                    );
                } else {
                    let id = raw.question.as_deref().unwrap_or_default();
                    self.error(
                        doc,
                        &at(),
                        format!(
                            "a comparison on `{id}` needs exactly one of {}",
                            OPERATORS
                                .iter()
                                .map(|o| format!("`{o}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    );
                }
                return;
            }
            Condition::All(list) | Condition::Any(list) => {
                let key = if matches!(cond, Condition::All(_)) {
                    "all"
                } else {
                    "any"
                };
                if list.is_empty() {
                    self.error(
                        doc,
                        &at().key(key),
                        format!("`{key}` needs at least one condition"),
                    );
                }
                for (i, inner) in list.iter().enumerate() {
                    self.condition(
                        doc,
                        &|| at().key(key).index(i),
                        inner,
                        questions,
                        asked_before,
                    );
                }
                return;
            }
            Condition::Not(inner) => {
                self.condition(doc, &|| at().key("not"), inner, questions, asked_before);
                return;
            }
            Condition::Compare { question, test } => (question, test),
        };
        let found = questions.get(id.as_ref());
        let later = match (found, asked_before) {
            (Some((position, _)), Some(limit)) => *position >= limit,
            _ => false,
        };
        let Some((_, question)) = found.filter(|_| !later) else {
            if self.parsed.unread.questions.excuses(id) {
                return;
            }
            let message = if later {
                format!(
                    "`asked_when` may only refer to questions asked before this one; `{id}` comes later"
                )
            } else {
                let mut ids: Vec<_> = questions
                    .iter()
                    .filter(|(_, (n, _))| asked_before.is_none_or(|limit| *n < limit))
                    .collect();
                ids.sort_by_key(|(_, (n, _))| *n);
                let ids: Vec<&str> = ids.into_iter().map(|(k, _)| *k).collect();
                format!(
                    "unknown question `{id}` (questions: {})",
                    crate::diag::listing(&ids)
                )
            };
            self.error(doc, &at().key("question"), message);
            return;
        };
        let op = test.key();
        let choices = self.choices_of(question);
        let fits_value =
            |question: &Question, value: &Literal| fits_value(question, choices, value);
        let result = match test {
            Test::Equals(v) | Test::NotEquals(v) => match question.kind {
                Kind::AnyOf => Err(format!(
                    "`{id}` is an any_of question: use `contains_any` or `contains_all`, not `{op}`"
                )),
                _ => fits_value(question, v),
            },
            Test::OneOf(list) => match question.kind {
                Kind::AnyOf => Err(format!(
                    "`{id}` is an any_of question: use `contains_any`, not `one_of`"
                )),
                _ => list.iter().try_for_each(|v| fits_value(question, v)),
            },
            Test::ContainsAny(list) | Test::ContainsAll(list) => {
                if question.kind != Kind::AnyOf {
                    Err(format!(
                        "`{op}` is for any_of questions; `{id}` is {}",
                        question.kind.as_str()
                    ))
                } else {
                    list.iter()
                        .try_for_each(|c| fits_value(question, &Literal::Text(c.clone())))
                }
            }
            Test::Gt(_) | Test::Gte(_) | Test::Lt(_) | Test::Lte(_) => {
                if question.kind == Kind::Number {
                    Ok(())
                } else {
                    Err(format!(
                        "`{op}` compares numbers, but `{id}` is a {} question",
                        question.kind.as_str()
                    ))
                }
            }
        };
        if let Err(message) = result {
            self.error(doc, &at().key(op), message);
        }
    }
}

/// How much one rule may change a model's score. Sums of many rules stay far from overflow,
/// and the engine adds with saturation besides.
pub const SCORE_RANGE: std::ops::RangeInclusive<i64> = -1000..=1000;

/// Whether `value` is a possible answer to `question` (one element for any_of questions);
/// `choices` are the question's choice ids.
fn fits_value(
    question: &Question,
    choices: Option<&HashSet<&str>>,
    value: &Literal,
) -> Result<(), String> {
    let id = &question.id;
    match (question.kind, value) {
        (Kind::OneOf | Kind::AnyOf, Literal::Text(s)) => {
            if choices.is_some_and(|c| c.contains(s.as_ref())) {
                Ok(())
            } else {
                Err(format!(
                    "`{s}` is not a choice of `{id}` (choices: {})",
                    question
                        .choices
                        .iter()
                        .map(|c| c.id.as_ref())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            }
        }
        (Kind::YesNo, Literal::Bool(_)) => Ok(()),
        (Kind::Number, Literal::Number(n)) => {
            let n = *n;
            match (question.min, question.max) {
                (Some(min), _) if n < min => {
                    Err(format!("{n} is below the minimum {min} of `{id}`"))
                }
                (_, Some(max)) if n > max => {
                    Err(format!("{n} is above the maximum {max} of `{id}`"))
                }
                _ => Ok(()),
            }
        }
        (kind, other) => Err(format!(
            "`{id}` is a {} question, so {} does not fit (expected {})",
            kind.as_str(),
            other.describe(),
            match kind {
                Kind::OneOf | Kind::AnyOf => "a choice id",
                Kind::YesNo => "true or false",
                Kind::Number => "a whole number",
            }
        )),
    }
}

fn fits_default(
    question: &Question,
    choices: Option<&HashSet<&str>>,
    value: &Literal,
) -> Result<(), String> {
    match (question.kind, value) {
        (Kind::AnyOf, Literal::List(items)) => items
            .iter()
            .try_for_each(|v| fits_value(question, choices, v)),
        (Kind::AnyOf, other) => Err(format!(
            "the default of an any_of question is a list of choice ids, not {}",
            other.describe()
        )),
        _ => fits_value(question, choices, value),
    }
}

fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// YYYY-MM-DD or YYYY-MM.
fn is_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let digits = |s: &str, n: usize| s.len() == n && s.chars().all(|c| c.is_ascii_digit());
    match parts.as_slice() {
        [y, m] => digits(y, 4) && digits(m, 2) && (1..=12).contains(&m.parse::<u32>().unwrap_or(0)),
        [y, m, d] => {
            digits(y, 4)
                && digits(m, 2)
                && digits(d, 2)
                && (1..=12).contains(&m.parse::<u32>().unwrap_or(0))
                && (1..=31).contains(&d.parse::<u32>().unwrap_or(0))
        }
        _ => false,
    }
}

/// What is allowed but likely to surprise, for `rules check`: choice ids made only of digits,
/// which typed answers read as the id, not as the choice at that position.
pub fn warnings(catalog: &Catalog) -> Vec<String> {
    let mut out = Vec::new();
    for q in &catalog.questions {
        for (i, choice) in q.choices.iter().enumerate() {
            if !choice.id.is_empty() && choice.id.bytes().all(|b| b.is_ascii_digit()) {
                out.push(format!(
                    "question `{}`: choice id `{}` is made of digits: the answer `{}` picks this \
                     choice (number {}), not choice number {}; an id with a letter avoids the doubt",
                    q.id,
                    choice.id,
                    choice.id,
                    i + 1,
                    choice.id
                ));
            }
        }
    }
    out
}
