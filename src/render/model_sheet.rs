//! `aks-id models` and `aks-id show MODEL`: one identity model in full, as a sheet to read in a
//! terminal, a Markdown page, or JSON/YAML for tools.

use std::io::Write;

use serde::Serialize;

use super::ListFormat;
use super::citations::Citations;
use super::data::{write_json, write_yaml};
use super::markdown::{code_block, code_span, md_cell, md_text, source_link};
use super::terminal::Look;
use crate::catalog::{Catalog, CatalogRef, Fact, Model, State, Text};
use crate::error::{Error, output};

/// `aks-id models`.
/// `show -o FORMAT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DocFormat {
    Text,
    Json,
    Yaml,
    Markdown,
}

pub fn list(
    catalog: &Catalog,
    format: ListFormat,
    look: Look,
    out: &mut dyn Write,
) -> Result<(), Error> {
    #[derive(Serialize)]
    struct Entry<'a> {
        id: &'a str,
        name: &'a str,
        status: &'a str,
        summary: &'a str,
    }
    #[derive(Serialize)]
    struct Doc<'a> {
        schema_version: u32,
        catalog: CatalogRef<'a>,
        models: Vec<Entry<'a>>,
    }
    let doc = Doc {
        schema_version: 1,
        catalog: CatalogRef::of(catalog),
        models: catalog
            .models
            .iter()
            .map(|m| Entry {
                id: &m.id,
                name: &m.name,
                status: m.status.state.as_str(),
                summary: m.summary.text.trim(),
            })
            .collect(),
    };
    match format {
        ListFormat::Json => write_json(&doc, out),
        ListFormat::Yaml => write_yaml(&doc, out),
        ListFormat::Text => {
            let mut table = look.table();
            table.set_header(vec!["id", "name", "status", "summary"]);
            for (m, entry) in catalog.models.iter().zip(&doc.models) {
                table.add_row(vec![entry.id, entry.name, &state_label(m), entry.summary]);
            }
            writeln!(out, "{table}").map_err(output)
        }
    }
}

/// The status with its last milestone, e.g. `retired (AKS add-on out of support 2025-09)`.
fn state_label(model: &Model) -> String {
    let state = model.status.state.as_str();
    match model.status.dates.last() {
        Some(m) if model.status.state != State::Ga => format!("{state} ({} {})", m.event, m.date),
        _ => state.to_owned(),
    }
}

/// `aks-id show MODEL`.
pub fn show(
    catalog: &Catalog,
    model: &Model,
    format: DocFormat,
    look: Look,
    out: &mut dyn Write,
) -> Result<(), Error> {
    match format {
        DocFormat::Json => write_json(&sheet(catalog, model), out),
        DocFormat::Yaml => write_yaml(&sheet(catalog, model), out),
        DocFormat::Text => text(catalog, model, look, out),
        DocFormat::Markdown => markdown(catalog, model, out),
    }
}

#[derive(Serialize)]
struct Sheet<'a> {
    schema_version: u32,
    catalog: CatalogRef<'a>,
    #[serde(flatten)]
    model: &'a Model,
    sources_resolved: Vec<&'a crate::catalog::Source>,
}

fn sheet<'a>(catalog: &'a Catalog, model: &'a Model) -> Sheet<'a> {
    let mut ids: Vec<&Text> = Vec::new();
    for_each_fact(model, |_, f| ids.extend(f.sources.iter()));
    ids.extend(model.setup.iter().flat_map(|s| s.sources.iter()));
    ids.extend(model.example.sources.iter());
    ids.extend(model.status.dates.iter().flat_map(|d| d.sources.iter()));
    let mut sources: Vec<&crate::catalog::Source> = Vec::new();
    let mut seen = rustc_hash::FxHashSet::default();
    for id in ids {
        if let Some(s) = catalog.source(id)
            && seen.insert(s.id.as_ref())
        {
            sources.push(s);
        }
    }
    Sheet {
        schema_version: 1,
        catalog: CatalogRef::of(catalog),
        model,
        sources_resolved: sources,
    }
}

/// Calls `f` with a heading and each fact of the model, in reading order.
fn for_each_fact<'a>(model: &'a Model, mut f: impl FnMut(&'static str, &'a Fact)) {
    if let Some(note) = &model.status.note {
        f("status", note);
    }
    f("summary", &model.summary);
    f("how_it_works", &model.how_it_works);
    for fact in model.values.values() {
        f("values", fact);
    }
    for fact in &model.pros {
        f("pros", fact);
    }
    for fact in &model.cons {
        f("cons", fact);
    }
    for fact in &model.limits {
        f("limits", fact);
    }
}

fn text(catalog: &Catalog, model: &Model, look: Look, out: &mut dyn Write) -> Result<(), Error> {
    let mut c = Citations::new(catalog);
    let mut s = String::new();
    let status = match model.status.state {
        State::Ga => look.green("ga"),
        State::Deprecated => look.yellow("deprecated"),
        State::Retired => look.red("retired"),
    };
    s.push_str(&format!(
        "{} ({})  status: {status}\n",
        look.bold(&model.name),
        model.id
    ));
    let para = |s: &mut String, c: &mut Citations, fact: &Fact, indent: &str| {
        let text = format!("{} {}", fact.text.trim(), c.cite(&fact.sources));
        s.push_str(&look.wrap(&text, indent));
        s.push('\n');
    };
    if let Some(note) = &model.status.note {
        para(&mut s, &mut c, note, "");
    }
    for d in &model.status.dates {
        let line = format!("- {}: {} {}", d.date, d.event, c.cite(&d.sources));
        s.push_str(&look.wrap_hanging(&line, "", "  "));
        s.push('\n');
    }
    s.push('\n');
    para(&mut s, &mut c, &model.summary, "");
    s.push_str(&format!("\n{}\n", look.bold("How it works")));
    para(&mut s, &mut c, &model.how_it_works, "  ");
    s.push_str(&format!("\n{}\n", look.bold("Comparison")));
    for row in &catalog.rows {
        if let Some(fact) = model.values.get(&row.id) {
            let line = format!(
                "{}: {} {}",
                row.label,
                fact.text.trim(),
                c.cite(&fact.sources)
            );
            s.push_str(&look.wrap_hanging(&line, "  ", "      "));
            s.push('\n');
        }
    }
    for (title, facts) in [
        ("Pros", &model.pros),
        ("Cons", &model.cons),
        ("Limits", &model.limits),
    ] {
        if facts.is_empty() {
            continue;
        }
        s.push_str(&format!("\n{}\n", look.bold(title)));
        for fact in facts {
            let line = format!("- {} {}", fact.text.trim(), c.cite(&fact.sources));
            s.push_str(&look.wrap_hanging(&line, "  ", "    "));
            s.push('\n');
        }
    }
    if !model.setup.is_empty() {
        s.push_str(&format!("\n{}\n", look.bold("Setup")));
        for (i, step) in model.setup.iter().enumerate() {
            let line = format!("{}. {} {}", i + 1, step.text.trim(), c.cite(&step.sources));
            s.push_str(&look.wrap_hanging(&line, "  ", "     "));
            s.push('\n');
            if let Some(command) = &step.command {
                for l in command.trim().lines() {
                    s.push_str(&format!("     {}\n", look.dim(l)));
                }
            }
        }
    }
    s.push_str(&format!(
        "\n{}\n",
        look.bold(&format!("Example: {}", model.example.title))
    ));
    let line = format!(
        "{} {}",
        model.example.text.trim(),
        c.cite(&model.example.sources)
    );
    s.push_str(&look.wrap(&line, "  "));
    s.push('\n');
    for command in &model.example.commands {
        for l in command.trim().lines() {
            s.push_str(&format!("     {}\n", look.dim(l)));
        }
    }
    s.push_str(&format!(
        "\n{}\n",
        look.bold(&format!("Sources (catalog as of {})", catalog.as_of))
    ));
    for (n, source) in c.list() {
        let line = format!("[{n}] {} (as of {})", source.title, source.as_of);
        s.push_str(&look.wrap_hanging(&line, "  ", "      "));
        s.push_str(&format!("\n      {}\n", source.url));
    }
    out.write_all(s.as_bytes()).map_err(output)
}

fn markdown(catalog: &Catalog, model: &Model, out: &mut dyn Write) -> Result<(), Error> {
    let mut c = Citations::new(catalog);
    let mut s = String::new();
    let cite = |c: &mut Citations, ids: &[Text]| c.cite(ids).replace('[', "[^");
    s.push_str(&format!(
        "# {} ({})\n\n",
        md_text(&model.name),
        code_span(&model.id, false)
    ));
    s.push_str(&format!("**Status:** {}", model.status.state.as_str()));
    if let Some(note) = &model.status.note {
        s.push_str(&format!(
            ". {}{}",
            md_text(note.text.trim()),
            cite(&mut c, &note.sources)
        ));
    }
    s.push_str("\n\n");
    for d in &model.status.dates {
        s.push_str(&format!(
            "- {}: {}{}\n",
            md_text(&d.date),
            md_text(&d.event),
            cite(&mut c, &d.sources)
        ));
    }
    s.push_str(&format!(
        "\n{}{}\n\n## How it works\n\n{}{}\n\n## Comparison\n\n| | |\n|---|---|\n",
        md_text(model.summary.text.trim()),
        cite(&mut c, &model.summary.sources),
        md_text(model.how_it_works.text.trim()),
        cite(&mut c, &model.how_it_works.sources)
    ));
    for row in &catalog.rows {
        if let Some(fact) = model.values.get(&row.id) {
            s.push_str(&format!(
                "| **{}** | {}{} |\n",
                md_cell(&row.label),
                md_cell(fact.text.trim()),
                cite(&mut c, &fact.sources)
            ));
        }
    }
    for (title, facts) in [
        ("Pros", &model.pros),
        ("Cons", &model.cons),
        ("Limits", &model.limits),
    ] {
        if facts.is_empty() {
            continue;
        }
        s.push_str(&format!("\n## {title}\n\n"));
        for fact in facts {
            s.push_str(&format!(
                "- {}{}\n",
                md_text(fact.text.trim()),
                cite(&mut c, &fact.sources)
            ));
        }
    }
    if !model.setup.is_empty() {
        s.push_str("\n## Setup\n\n");
        for (i, step) in model.setup.iter().enumerate() {
            s.push_str(&format!(
                "{}. {}{}\n",
                i + 1,
                md_text(step.text.trim()),
                cite(&mut c, &step.sources)
            ));
            if let Some(command) = &step.command {
                s.push('\n');
                s.push_str(&code_block(command.trim(), "sh", "   "));
                s.push('\n');
            }
        }
    }
    s.push_str(&format!(
        "\n## Example: {}\n\n{}{}\n",
        md_text(&model.example.title),
        md_text(model.example.text.trim()),
        cite(&mut c, &model.example.sources)
    ));
    if !model.example.commands.is_empty() {
        let commands: Vec<&str> = model.example.commands.iter().map(|c| c.trim()).collect();
        s.push('\n');
        s.push_str(&code_block(&commands.join("\n"), "sh", ""));
    }
    s.push_str(&format!(
        "\nCatalog as of {} ({}).\n\n",
        md_text(&catalog.as_of),
        md_text(&catalog.origin.to_string())
    ));
    for (n, source) in c.list() {
        s.push_str(&format!(
            "[^{n}]: {} (as of {})\n",
            source_link(&source.title, &source.url),
            md_text(&source.as_of)
        ));
    }
    out.write_all(s.as_bytes()).map_err(output)
}
