//! `aks-id questions`: the questionnaire as a table, JSON or YAML, in interview order, so that
//! scripts know which line answers which question.

use std::io::Write;

use comfy_table::ColumnConstraint;
use serde::Serialize;

use crate::answers::default_of;
use crate::catalog::{Catalog, Choice, Condition, Kind, Question};
use crate::cli::ListFormat;
use crate::compare::CatalogRef;
use crate::error::{Error, output};
use crate::model_sheet::{write_json, write_yaml};
use crate::output::Look;

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
    default: crate::answers::Answer,
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
                    .map(describe_condition)
                    .unwrap_or_else(|| "always".into()),
            })
            .collect(),
    };
    match format {
        ListFormat::Json => write_json(&doc, out),
        ListFormat::Yaml => write_yaml(&doc, out),
        ListFormat::Table => {
            let mut table = look.table();
            table.set_header(vec!["id", "question and answers", "default, asked when"]);
            for (i, (q, e)) in catalog.questions.iter().zip(&doc.questions).enumerate() {
                let answers = match q.kind {
                    Kind::OneOf => ids(q).join(" | "),
                    Kind::AnyOf => format!("any of: {}", ids(q).join(", ")),
                    Kind::YesNo => "yes | no".into(),
                    Kind::Number => crate::answers::expected(q),
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

/// A condition in words: `scope is cluster`, `scope is not cluster`, `all of (…)`.
pub fn describe_condition(cond: &Condition) -> String {
    let list = |items: &[Condition], word: &str| {
        let parts: Vec<String> = items.iter().map(describe_condition).collect();
        parts.join(&format!(" {word} "))
    };
    if let Some(all) = &cond.all {
        return format!("({})", list(all, "and"));
    }
    if let Some(any) = &cond.any {
        return format!("({})", list(any, "or"));
    }
    if let Some(not) = &cond.not {
        return format!("not {}", describe_condition(not));
    }
    let q = cond.question.as_deref().unwrap_or_default();
    let show = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let join = |items: &[String]| items.join(", ");
    if let Some(v) = &cond.equals {
        format!("{q} is {}", show(v))
    } else if let Some(v) = &cond.not_equals {
        format!("{q} is not {}", show(v))
    } else if let Some(vs) = &cond.one_of {
        format!(
            "{q} is one of {}",
            join(&vs.iter().map(show).collect::<Vec<_>>())
        )
    } else if let Some(vs) = &cond.contains_any {
        format!("{q} includes any of {}", join(vs))
    } else if let Some(vs) = &cond.contains_all {
        format!("{q} includes all of {}", join(vs))
    } else if let Some(n) = cond.gt {
        format!("{q} > {n}")
    } else if let Some(n) = cond.gte {
        format!("{q} >= {n}")
    } else if let Some(n) = cond.lt {
        format!("{q} < {n}")
    } else if let Some(n) = cond.lte {
        format!("{q} <= {n}")
    } else {
        q.to_owned()
    }
}

fn ids(question: &Question) -> Vec<&str> {
    question.choices.iter().map(|c| c.id.as_str()).collect()
}
