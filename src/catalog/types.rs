//! The catalog's rule-file types: what each file of `rules/` holds, as the loader deserializes
//! it and `rules schema` describes it. Pure data: `build.rs` includes this file too, to write the
//! built-in catalog as static data at build time (see `builtin`), so nothing here may reach
//! outside the catalog's type modules (`condition`, `list`, `placeholders`). Lists are
//! [`List`]s and mappings [`Keyed`], which the built-in catalog reads in place.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::condition::{Condition, Literal};
pub use super::list::{Keyed, List, Lone, Map, Stored};
pub use super::text::Text;

/// A text a user can see, with the ids of the sources that back it.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Fact {
    /// A stable id for the statement, where one is needed: statements with the same id say the
    /// same thing and `advise` shows them once. Lowercase letters, digits, `-` and `_`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Text>,
    pub text: Text,
    /// Ids from `sources.yaml`; at least one.
    pub sources: List<Text>,
    /// Pros and cons only: the answers that make this trade-off relevant; absent, always.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Condition>,
}

/// `sources.yaml`.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SourcesFile {
    pub sources: List<Source>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Lowercase letters, digits and dashes.
    pub id: Text,
    pub title: Text,
    pub url: Text,
    /// The page's own date (its ms.date or last commit) as last read: YYYY-MM-DD or YYYY-MM.
    pub as_of: Text,
    /// When the page was last read against the catalog, if that differs from `as_of`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked: Option<Text>,
}

impl Source {
    /// When the page was last read: its `checked` date, else when the whole catalog was checked
    /// (`catalog_as_of`) or the page's own date if that is later.
    pub fn last_checked<'a>(&'a self, catalog_as_of: &'a str) -> &'a str {
        self.checked
            .as_deref()
            .unwrap_or(catalog_as_of.max(&self.as_of))
    }
}

/// `catalog.yaml`.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CatalogFile {
    /// When the catalog as a whole was last checked (YYYY-MM-DD).
    pub as_of: Text,
    /// Equal scores: the model listed first wins.
    pub tie_break: List<Text>,
    /// Comparison rows, in display order.
    pub rows: List<Row>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Row {
    pub id: Text,
    pub label: Text,
}

/// `models/MODEL.yaml`.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Model {
    /// Must match the file name.
    pub id: Text,
    pub name: Text,
    pub status: Status,
    pub summary: Fact,
    pub how_it_works: Fact,
    /// Who receives the role assignments when this model is used.
    pub grantee: Text,
    /// One fact per comparison row id, in any order.
    pub values: Keyed<Fact>,
    pub pros: List<Fact>,
    pub cons: List<Fact>,
    pub limits: List<Fact>,
    pub setup: List<Step>,
    pub example: Example,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Status {
    pub state: State,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Fact>,
    #[serde(default, skip_serializing_if = "List::is_empty")]
    pub dates: List<Milestone>,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Ga,
    Deprecated,
    Retired,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Ga => "ga",
            State::Deprecated => "deprecated",
            State::Retired => "retired",
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Milestone {
    pub event: Text,
    pub date: Text,
    pub sources: List<Text>,
}

/// A step with an optional command, for setup instructions and next steps.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub text: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<Text>,
    pub sources: List<Text>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub title: Text,
    pub text: Text,
    #[serde(default, skip_serializing_if = "List::is_empty")]
    pub commands: List<Text>,
    pub sources: List<Text>,
}

/// `targets.yaml`.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetsFile {
    pub targets: List<Target>,
}

/// An Azure service a workload may reach, and how access to it is granted.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub id: Text,
    pub name: Text,
    pub access: Access,
    pub granted_in: Fact,
    /// Least privilege first.
    #[serde(default)]
    pub roles: List<Role>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant: Option<Text>,
    #[serde(default)]
    pub notes: List<Fact>,
    pub sources: List<Text>,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Access {
    AzureRbac,
    CosmosDataPlane,
    DatabaseUser,
    Kubelet,
    None,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Role {
    pub name: Text,
    #[serde(rename = "for")]
    pub purpose: Text,
}

/// `questions.yaml`.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionsFile {
    pub questions: List<Question>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub id: Text,
    pub prompt: Text,
    pub help: Text,
    pub kind: Kind,
    #[serde(default, skip_serializing_if = "List::is_empty")]
    pub choices: List<Choice>,
    /// one_of: a choice id; any_of: a list of choice ids; yes_no: true/false; number: a number.
    pub default: Literal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    /// Absent: always asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asked_when: Option<Condition>,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    OneOf,
    AnyOf,
    YesNo,
    Number,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::OneOf => "one_of",
            Kind::AnyOf => "any_of",
            Kind::YesNo => "yes_no",
            Kind::Number => "number",
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub id: Text,
    pub label: Text,
}

/// `rules.yaml`.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RulesFile {
    pub rules: List<Rule>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: Text,
    /// Absent: the rule always fires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Condition>,
    /// Why; required when the rule changes a score or excludes a model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Text>,
    /// The reason in one short line, for the first screen; absent, its first clause.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<Text>,
    /// Model id -> score change.
    #[serde(default, skip_serializing_if = "Keyed::<i64>::is_empty")]
    pub score: Keyed<i64>,
    #[serde(default, skip_serializing_if = "List::is_empty")]
    pub exclude: List<Text>,
    #[serde(default, skip_serializing_if = "List::is_empty")]
    pub caveats: List<Caveat>,
    #[serde(default, skip_serializing_if = "List::is_empty")]
    pub steps: List<RuleStep>,
    /// Grants that replace a target's own grant for one model when the rule fires.
    #[serde(default, skip_serializing_if = "List::is_empty")]
    pub grants: List<RuleGrant>,
    /// The answers in `when` cannot be true together: why, as one or two sentences. `advise`
    /// warns, naming those answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning: Option<Text>,
    pub sources: List<Text>,
}

/// The model id of caveats and steps shown when no model fits the answers.
pub const NO_MODEL: &str = "none";

/// How access to one target is granted under one model when a rule's answers hold: the
/// principal, role and command differ from the target's own grant (for example, image pulls
/// outside AKS, or what the control plane needs from a service applications use).
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RuleGrant {
    /// A stable id (see [`Fact::id`]); absent, `RULE/grants/INDEX`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Text>,
    pub model: Text,
    /// A target id from `targets.yaml`.
    pub target: Text,
    /// Least privilege first; empty when the model needs no role on the target.
    #[serde(default)]
    pub roles: List<Role>,
    /// Where access is granted and to whom, as one or two sentences.
    pub how: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<Text>,
    /// The rule's sources that back this grant; absent, all of the rule's sources.
    #[serde(default, skip_serializing_if = "List::is_empty")]
    pub sources: List<Text>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Caveat {
    /// A stable id (see [`Fact::id`]); absent, `RULE/caveats/INDEX`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Text>,
    /// The model whose recommendation shows it, or `none`: shown when no model fits.
    pub model: Text,
    pub text: Text,
    /// The rule's sources that back this caveat; absent, all of the rule's sources.
    #[serde(default, skip_serializing_if = "List::is_empty")]
    pub sources: List<Text>,
    /// True of every deployment of the model, or an alternative: `advise` shows it with
    /// `--detail`, not on the first screen.
    #[serde(default, skip_serializing_if = "is_false")]
    pub detail: bool,
    /// Shown only when these answers also hold (besides the rule's `when`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Condition>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RuleStep {
    /// A stable id (see [`Fact::id`]); absent, `RULE/steps/INDEX`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Text>,
    /// The model whose recommendation shows it, or `none`: shown when no model fits.
    pub model: Text,
    pub text: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<Text>,
    /// The rule's sources that back this step; absent, all of the rule's sources.
    #[serde(default, skip_serializing_if = "List::is_empty")]
    pub sources: List<Text>,
    /// Shown only when these answers also hold (besides the rule's `when`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Condition>,
}

fn is_false(value: &bool) -> bool {
    !value
}

/// `findings.yaml`: what `aks-id scan` can report. Optional in a rules folder (a catalog without
/// it has no findings metadata, and `scan` says so).
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingsFile {
    pub findings: List<FindingMeta>,
}

/// One scan finding's metadata: the detection is code, keyed by `id`.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FindingMeta {
    /// Stable: a SARIF rule id and a suppression key. Lowercase letters, digits and dashes.
    pub id: Text,
    /// The default level; a detector may report another for a sub-case its explanation names.
    pub severity: Severity,
    pub title: Text,
    pub explanation: Text,
    pub fix: Text,
    /// Ids from `sources.yaml`; at least one.
    pub sources: List<Text>,
}

/// How bad a scan finding is: `error` (it will fail), `warning` (likely to fail, or a security
/// risk), `info` (advice).
#[derive(
    Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq, PartialOrd, Ord, Hash,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}
