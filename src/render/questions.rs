//! `aks-id questions`: the questionnaire as a table, JSON or YAML, in interview order, so that
//! scripts know which line answers which question.

use std::io::Write;

use comfy_table::ColumnConstraint;
use serde::Serialize;

use super::ListFormat;
use super::data::{write_json, write_yaml};
use super::terminal::Look;
use crate::advise::answers::default_of;
use crate::advise::conditions;
use crate::catalog::{Catalog, CatalogRef, Choice, Kind, Question};
use crate::error::{Error, output};

#[derive(Serialize)]
struct Doc<'a> {
    schema_version: u32,
    catalog: CatalogRef<'a>,
    questions: Vec<Entry<'a>>,
}

#[derive(Serialize)]
struct Entry<'a> {
    id: &'a str,
    prompt: &'a str,
    help: &'a str,
    kind: &'a str,
    choices: &'a [Choice],
    default: crate::advise::answers::Answer,
    #[serde(skip_serializing_if = "Option::is_none")]
    min: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max: Option<i64>,
    asked_when: String,
}

pub fn render(
    catalog: &Catalog,
    format: ListFormat,
    look: Look,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let doc = Doc {
        schema_version: 1,
        catalog: CatalogRef::of(catalog),
        questions: catalog
            .questions
            .iter()
            .map(|q| Entry {
                id: &q.id,
                prompt: q.prompt.trim(),
                help: q.help.trim(),
                kind: q.kind.as_str(),
                choices: &q.choices,
                default: default_of(q),
                min: q.min,
                max: q.max,
                asked_when: q
                    .asked_when
                    .as_ref()
                    .map(conditions::describe)
                    .unwrap_or_else(|| "always".into()),
            })
            .collect(),
    };
    match format {
        ListFormat::Json => write_json(&doc, out),
        ListFormat::Yaml => write_yaml(&doc, out),
        ListFormat::Text => {
            let mut table = look.table();
            table.set_header(vec!["id", "question and answers", "default, asked when"]);
            for (i, (q, e)) in catalog.questions.iter().zip(&doc.questions).enumerate() {
                let answers = match q.kind {
                    Kind::OneOf => ids(q).join(" | "),
                    Kind::AnyOf => format!("any of: {}", ids(q).join(", ")),
                    Kind::YesNo => "yes | no".into(),
                    Kind::Number => crate::advise::answers::expected(q),
                };
                table.add_row(vec![
                    format!("{}. {}", i + 1, e.id),
                    format!("{}\n{answers}", e.prompt),
                    format!("{}\n({})", e.default, e.asked_when),
                ]);
            }
            // Ids are copied into answers files: never split them.
            for index in [0, 2] {
                if let Some(column) = table.column_mut(index) {
                    column.set_constraint(ColumnConstraint::ContentWidth);
                }
            }
            writeln!(out, "{table}").map_err(output)
        }
    }
}

fn ids(question: &Question) -> Vec<&str> {
    question.choices.iter().map(|c| c.id.as_ref()).collect()
}
