//! `aks-id compare`: the comparison table of the identity models, in five formats. The selection
//! (which models, which rows) is resolved once; each renderer writes it to a `Write`.

use std::io::Write;

use comfy_table::{Attribute, Cell};
use serde::Serialize;

use super::citations::Citations;
use super::data::{write_json, write_yaml};
use super::markdown::{code_span, md_cell, md_text, source_link};
use super::terminal::Look;
use crate::catalog::{Catalog, CatalogRef, Model, Row};
use crate::diag::{clip, did_you_mean, listing};
use crate::error::{Error, output};

/// `compare -o FORMAT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CompareFormat {
    // The table for people; `table`, its earlier name, is a hidden alias.
    #[value(alias = "table")]
    Text,
    Markdown,
    Csv,
    Json,
    Yaml,
}

/// The models and rows to compare, in display order.
pub struct Comparison<'a> {
    pub catalog: &'a Catalog,
    pub models: Vec<&'a Model>,
    pub rows: Vec<&'a Row>,
}

impl<'a> Comparison<'a> {
    /// Selects models and rows by id; empty selections mean all of them, in catalog order. An
    /// id given twice is refused: a table shows each model and row once.
    pub fn select(catalog: &'a Catalog, models: &[String], rows: &[String]) -> Result<Self, Error> {
        let models = if models.is_empty() {
            catalog.models.iter().collect()
        } else {
            let mut seen = rustc_hash::FxHashSet::default();
            models
                .iter()
                .map(|id| {
                    let id = id.trim();
                    let model = catalog.model(id).ok_or_else(|| {
                        Error::Usage(format!(
                            "unknown model `{}` in --models (models: {}){}",
                            clip(id, 80),
                            listing(&catalog.model_ids()),
                            did_you_mean(id, catalog.model_ids())
                        ))
                    })?;
                    if !seen.insert(id) {
                        return Err(Error::Usage(format!(
                            "model `{id}` is listed twice in --models"
                        )));
                    }
                    Ok(model)
                })
                .collect::<Result<Vec<_>, _>>()?
        };
        let rows = if rows.is_empty() {
            catalog.rows.iter().collect()
        } else {
            let by_id: rustc_hash::FxHashMap<&str, &Row> =
                catalog.rows.iter().map(|r| (r.id.as_ref(), r)).collect();
            let mut seen = rustc_hash::FxHashSet::default();
            rows.iter()
                .map(|id| {
                    let id = id.trim();
                    let row = by_id.get(id).copied().ok_or_else(|| {
                        let ids: Vec<&str> = catalog.rows.iter().map(|r| r.id.as_ref()).collect();
                        Error::Usage(format!(
                            "unknown row `{}` in --rows (rows: {}){}",
                            clip(id, 80),
                            listing(&ids),
                            did_you_mean(id, ids.iter().copied())
                        ))
                    })?;
                    if !seen.insert(id) {
                        return Err(Error::Usage(format!(
                            "row `{id}` is listed twice in --rows"
                        )));
                    }
                    Ok(row)
                })
                .collect::<Result<Vec<_>, _>>()?
        };
        Ok(Self {
            catalog,
            models,
            rows,
        })
    }

    pub fn render(
        &self,
        format: CompareFormat,
        look: Look,
        out: &mut dyn Write,
    ) -> Result<(), Error> {
        match format {
            CompareFormat::Text => self.table(look, out),
            CompareFormat::Markdown => self.markdown(out),
            CompareFormat::Csv => self.csv(out),
            CompareFormat::Json => write_json(&self.document(), out),
            CompareFormat::Yaml => write_yaml(&self.document(), out),
        }
    }

    fn table(&self, look: Look, out: &mut dyn Write) -> Result<(), Error> {
        let mut citations = Citations::new(self.catalog);
        let mut table = look.table();
        let mut header = vec![Cell::new("")];
        header.extend(
            self.models.iter().map(|m| {
                Cell::new(format!("{}\n({})", m.name, m.id)).add_attribute(Attribute::Bold)
            }),
        );
        table.set_header(header);
        for row in &self.rows {
            let mut cells = vec![Cell::new(&row.label).add_attribute(Attribute::Bold)];
            for model in &self.models {
                let fact = &model.values[&row.id];
                let marks = citations.cite(&fact.sources);
                cells.push(Cell::new(format!("{} {marks}", fact.text.trim())));
            }
            table.add_row(cells);
        }
        writeln!(out, "{table}").map_err(output)?;
        writeln!(
            out,
            "\n{}",
            look.bold(&format!(
                "Sources (catalog as of {}, {}):",
                self.catalog.as_of, self.catalog.origin
            ))
        )
        .map_err(output)?;
        for (n, source) in citations.list() {
            let line = format!("[{n}] {} (as of {})", source.title, source.as_of);
            writeln!(out, "{}", look.wrap_hanging(&line, "", "    ")).map_err(output)?;
            writeln!(out, "    {}", source.url).map_err(output)?;
        }
        Ok(())
    }

    fn markdown(&self, out: &mut dyn Write) -> Result<(), Error> {
        let mut citations = Citations::new(self.catalog);
        let mut text = String::new();
        text.push_str("| |");
        for model in &self.models {
            let id = code_span(&model.id, true);
            text.push_str(&format!(" {} ({id}) |", md_cell(&model.name)));
        }
        text.push_str("\n|---|");
        text.push_str(&"---|".repeat(self.models.len()));
        text.push('\n');
        for row in &self.rows {
            text.push_str(&format!("| **{}** |", md_cell(&row.label)));
            for model in &self.models {
                let fact = &model.values[&row.id];
                let marks: String = citations.cite(&fact.sources).replace('[', "[^").to_string();
                text.push_str(&format!(" {}{} |", md_cell(fact.text.trim()), marks));
            }
            text.push('\n');
        }
        text.push_str(&format!(
            "\nCatalog as of {} ({}); generated by aks-id {}.\n\n",
            md_text(&self.catalog.as_of),
            md_text(&self.catalog.origin.to_string()),
            env!("CARGO_PKG_VERSION")
        ));
        for (n, source) in citations.list() {
            text.push_str(&format!(
                "[^{n}]: {} (as of {})\n",
                source_link(&source.title, &source.url),
                md_text(&source.as_of)
            ));
        }
        out.write_all(text.as_bytes()).map_err(output)
    }

    fn csv(&self, out: &mut dyn Write) -> Result<(), Error> {
        let mut text = String::new();
        let mut header = vec!["row".to_owned(), "label".to_owned()];
        header.extend(self.models.iter().map(|m| m.id.to_string()));
        header.push("sources".to_owned());
        text.push_str(&csv_line(&header));
        for row in &self.rows {
            let mut fields = vec![row.id.to_string(), row.label.to_string()];
            let mut ids = Vec::new();
            for model in &self.models {
                let fact = &model.values[&row.id];
                fields.push(fact.text.trim().to_owned());
                ids.extend(fact.sources.iter());
            }
            fields.push(self.catalog.urls(ids).join(" "));
            text.push_str(&csv_line(&fields));
        }
        out.write_all(text.as_bytes()).map_err(output)
    }

    /// The machine-readable shape (design.md section 2).
    pub fn document(&self) -> ComparisonDoc<'a> {
        ComparisonDoc {
            schema_version: 1,
            catalog: CatalogRef::of(self.catalog),
            models: self
                .models
                .iter()
                .map(|m| ModelRef {
                    id: &m.id,
                    name: &m.name,
                    status: m.status.state.as_str(),
                })
                .collect(),
            rows: self
                .rows
                .iter()
                .map(|row| RowDoc {
                    id: &row.id,
                    label: &row.label,
                    values: self
                        .models
                        .iter()
                        .map(|m| (m.id.as_ref(), m.values[&row.id].text.trim()))
                        .collect(),
                    sources: self
                        .models
                        .iter()
                        .map(|m| (m.id.as_ref(), self.catalog.urls(&m.values[&row.id].sources)))
                        .collect(),
                })
                .collect(),
        }
    }
}

#[derive(Serialize)]
pub struct ComparisonDoc<'a> {
    pub schema_version: u32,
    pub catalog: CatalogRef<'a>,
    pub models: Vec<ModelRef<'a>>,
    pub rows: Vec<RowDoc<'a>>,
}

#[derive(Serialize)]
pub struct ModelRef<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub status: &'a str,
}

#[derive(Serialize)]
pub struct RowDoc<'a> {
    pub id: &'a str,
    pub label: &'a str,
    pub values: crate::catalog::Map<&'a str, &'a str>,
    pub sources: crate::catalog::Map<&'a str, Vec<&'a str>>,
}

/// One CSV record (RFC 4180): each field through [`csv_cell`].
fn csv_line(fields: &[String]) -> String {
    let cells: Vec<String> = fields.iter().map(|f| csv_cell(f)).collect();
    format!("{}\r\n", cells.join(","))
}

/// One CSV field. A field that a spreadsheet would read as a formula (it starts with `=`, `+`,
/// `-`, `@`, a tab or a carriage return) gets a leading `'`, as the OWASP guidance on CSV
/// injection says, so that it shows as text; a field holding a comma, quote or line break (or
/// made safe that way) is quoted, its quotes doubled.
pub fn csv_cell(field: &str) -> String {
    let formula = field.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let text = if formula {
        format!("'{field}")
    } else {
        field.to_owned()
    };
    if formula || text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}
