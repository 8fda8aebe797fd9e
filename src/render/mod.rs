//! Everything that turns results into bytes: the terminal's look (colors, width), Markdown
//! escaping, the JSON/YAML writers, numbered citations, and one module per output (advice,
//! comparison, model sheet, questionnaire, script, manifests). The format enums live with their renderers and derive
//! clap's `ValueEnum`, so the command line names them without the renderers knowing the command
//! line.

pub mod advice;
pub mod citations;
pub mod compare;
pub mod data;
pub mod json;
pub mod manifests;
pub mod markdown;
pub mod migrate;
pub mod model_sheet;
pub mod questions;
pub mod sarif;
pub mod scan;
pub mod script;
pub mod terminal;

pub use terminal::{ColorChoice, Look, Terminal};

/// `models -o FORMAT` and `questions -o FORMAT`: the list outputs. Human output is `text` on
/// every command; `table`, its earlier name, is still accepted (a hidden alias).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    #[value(alias = "table")]
    Text,
    Json,
    Yaml,
}
