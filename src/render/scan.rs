//! How a scan report looks: text for people (a summary, then each workload with its mechanism and
//! its findings at `file:line:col`, 80 columns), JSON and YAML for tools (schema_version 1, input
//! order), and Markdown for a pull-request comment. SARIF is in `sarif.rs`.
//!
//! Everything read from the inputs (names, values in messages, paths) is untrusted: it reaches the
//! terminal only through [`display_text`], and Markdown through its own escaping.

use std::borrow::Cow;
use std::io::Write;

use serde_json::{Value, json};

use crate::catalog::{Catalog, Severity};
use crate::error::{Error, output as out_err};
use crate::render::Look;
use crate::scan::index::Mechanism;
use crate::scan::manifest::ProblemKind;
use crate::scan::model::{Loc, Object};
use crate::scan::{Finding, Report};

/// Output formats of `aks-id scan`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ScanFormat {
    Text,
    Json,
    Yaml,
    Sarif,
    Markdown,
}

/// Untrusted text made safe for a terminal: C0 and C1 control characters, DEL, ESC and the
/// bidirectional-override and isolate characters are shown as `\u{…}` escapes, so no input can
/// move the cursor, colour the screen or reorder what is shown.
pub fn display_text(text: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| {
        c.is_control()
            || matches!(
                c,
                '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
            )
    };
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn object_name(o: &Object) -> String {
    let name = if o.name.is_empty() {
        "(unnamed)"
    } else {
        &o.name
    };
    if o.namespace.is_empty() {
        format!("{} {name}", o.kind)
    } else {
        format!("{} {}/{name}", o.kind, o.namespace)
    }
}

fn at(report: &Report, loc: Loc) -> String {
    if loc.line == 0 {
        report.file(loc).to_owned()
    } else {
        format!("{}:{}:{}", report.file(loc), loc.line, loc.column)
    }
}

fn summary_lines(report: &Report) -> Vec<String> {
    let files = report.index.files.len();
    let mut lines = vec![format!(
        "Scanned {}: {}, {}, {}.",
        plural(files, "input", "inputs"),
        plural(report.documents, "document", "documents"),
        plural(report.index.objects.len(), "object", "objects"),
        plural(report.workloads.len(), "workload", "workloads"),
    )];
    let mechanisms: Vec<String> = Mechanism::ALL
        .iter()
        .map(|m| format!("{} {}", report.mechanism_count(*m), m.as_str()))
        .collect();
    lines.push(format!("Mechanisms: {}.", mechanisms.join(", ")));
    lines.push(format!(
        "Findings: {}, {}, {}{}.",
        plural(report.count(Severity::Error), "error", "errors"),
        plural(report.count(Severity::Warning), "warning", "warnings"),
        plural(report.count(Severity::Info), "info", "info"),
        match report.suppressed() {
            0 => String::new(),
            n => format!(" ({n} suppressed)"),
        }
    ));
    let unreadable = report
        .problems
        .iter()
        .filter(|p| p.kind != ProblemKind::Template)
        .count();
    let templates = report
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::Template)
        .count();
    if unreadable + templates > 0 {
        lines.push(format!(
            "Inputs: {} not read, {} unrendered.",
            plural(unreadable, "input", "inputs"),
            plural(templates, "template", "templates"),
        ));
    }
    lines
}

fn severity_word(look: &Look, severity: Severity) -> String {
    let word = format!("{:<7}", severity.as_str());
    match severity {
        Severity::Error => look.red(&word),
        Severity::Warning => look.yellow(&word),
        Severity::Info => look.dim(&word),
    }
}

/// `-o text`.
pub fn text(report: &Report, explain: bool, look: Look, out: &mut dyn Write) -> Result<(), Error> {
    let mut s = String::new();
    for line in summary_lines(report) {
        s.push_str(&look.wrap(&line, ""));
        s.push('\n');
    }
    // Findings by object, in input order; workloads first appear with their mechanism.
    let mut by_object: Vec<Vec<&Finding>> = vec![Vec::new(); report.index.objects.len()];
    for f in &report.findings {
        by_object[f.object].push(f);
    }
    let mut listed = vec![false; report.index.objects.len()];
    if !report.workloads.is_empty() {
        s.push_str(&format!("\n{}\n", look.bold("Workloads")));
    }
    for row in &report.workloads {
        let o = report.object(row.object);
        listed[row.object] = true;
        let mut head = format!(
            "{}  {}",
            display_text(&object_name(o)),
            look.bold(row.mechanism.as_str())
        );
        if o.template {
            head.push_str("  (unrendered template)");
        }
        if let Some(advice) = &row.advice {
            head.push_str(&format!(
                "  advice: {}",
                advice.model.as_deref().unwrap_or("none fits")
            ));
        }
        s.push_str(&look.wrap_hanging(&head, "", "    "));
        s.push('\n');
        s.push_str(&look.dim(&format!("    {}", display_text(&at(report, o.loc)))));
        s.push('\n');
        if explain && let Some(advice) = &row.advice {
            for i in &advice.inferred {
                let line = format!(
                    "{} = {} ({})",
                    i.question,
                    i.answer,
                    display_text(&i.because)
                );
                s.push_str(&look.wrap_hanging(&line, "    inferred: ", "      "));
                s.push('\n');
            }
        }
        write_findings(&mut s, report, &by_object[row.object], look);
    }
    let others: Vec<usize> = (0..report.index.objects.len())
        .filter(|i| !listed[*i] && !by_object[*i].is_empty())
        .collect();
    if !others.is_empty() {
        s.push_str(&format!("\n{}\n", look.bold("Other objects")));
        for i in others {
            let o = report.object(i);
            s.push_str(&format!(
                "{}\n",
                look.wrap_hanging(&display_text(&object_name(o)), "", "    ")
            ));
            s.push_str(&look.dim(&format!("    {}", display_text(&at(report, o.loc)))));
            s.push('\n');
            write_findings(&mut s, report, &by_object[i], look);
        }
    }
    if !report.problems.is_empty() {
        s.push_str(&format!("\n{}\n", look.bold("Inputs")));
        for p in &report.problems {
            let line = format!(
                "{}: {}: {}",
                display_text(&at(report, p.loc)),
                p.kind.as_str(),
                display_text(&p.message)
            );
            s.push_str(&look.wrap_hanging(&line, "", "    "));
            s.push('\n');
        }
    }
    out.write_all(s.as_bytes()).map_err(out_err)
}

fn write_findings(s: &mut String, report: &Report, findings: &[&Finding], look: Look) {
    for f in findings {
        let mut head = format!("  {} {}", severity_word(&look, f.severity), f.id);
        if f.suppressed.is_some() {
            head.push_str(" (suppressed)");
        }
        s.push_str(&head);
        s.push('\n');
        s.push_str(&look.wrap(&display_text(&at(report, f.loc)), "          "));
        s.push('\n');
        s.push_str(&look.wrap(&display_text(&f.message), "          "));
        s.push('\n');
        if let Some(reason) = &f.suppressed {
            s.push_str(&look.wrap(
                &format!("suppressed: {}", display_text(reason)),
                "          ",
            ));
            s.push('\n');
        }
    }
}

/// The JSON document of `-o json` and `-o yaml`.
pub fn document(report: &Report) -> Value {
    let mut mechanisms = serde_json::Map::new();
    for m in Mechanism::ALL {
        mechanisms.insert(m.as_str().to_owned(), json!(report.mechanism_count(m)));
    }
    let summary = json!({
        "inputs": report.index.files.len(),
        "documents": report.documents,
        "objects": report.index.objects.len(),
        "workloads": report.workloads.len(),
        "mechanisms": mechanisms,
        "findings": {
            "error": report.count(Severity::Error),
            "warning": report.count(Severity::Warning),
            "info": report.count(Severity::Info),
            "suppressed": report.suppressed(),
        },
        "errors": report.problems.iter().filter(|p| p.kind != ProblemKind::Template).count(),
        "templates": report.problems.iter().filter(|p| p.kind == ProblemKind::Template).count(),
    });
    let workloads: Vec<Value> = report
        .workloads
        .iter()
        .map(|row| {
            let o = report.object(row.object);
            let mut w = json!({
                "kind": o.kind,
                "namespace": o.namespace,
                "name": o.name,
                "file": report.file(o.loc),
                "line": o.loc.line,
                "column": o.loc.column,
                "mechanism": row.mechanism.as_str(),
                "template": o.template,
            });
            if let Some(advice) = &row.advice {
                let mut answers = serde_json::Map::new();
                let mut because = serde_json::Map::new();
                for i in &advice.inferred {
                    answers.insert(i.question.clone(), json!(i.answer));
                    because.insert(i.question.clone(), json!(i.because));
                }
                w["advice"] = json!({
                    "model": advice.model,
                    "inferred_answers": answers,
                    "inferred_from": because,
                });
            }
            w
        })
        .collect();
    let objects: Vec<Value> = report
        .identity_objects
        .iter()
        .map(|(i, role)| {
            let o = report.object(*i);
            json!({
                "kind": o.kind,
                "namespace": o.namespace,
                "name": o.name,
                "file": report.file(o.loc),
                "line": o.loc.line,
                "role": role,
            })
        })
        .collect();
    let findings: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let o = report.object(f.object);
            let mut v = json!({
                "id": f.id,
                "severity": f.severity.as_str(),
                "title": f.title,
                "message": f.message,
                "file": report.file(f.loc),
                "line": f.loc.line,
                "column": f.loc.column,
                "object": { "kind": o.kind, "namespace": o.namespace, "name": o.name },
                "sources": f.sources,
            });
            if let Some(reason) = &f.suppressed {
                v["suppressed"] = json!({ "reason": reason });
            }
            v
        })
        .collect();
    let errors: Vec<Value> = report
        .problems
        .iter()
        .map(|p| {
            json!({
                "file": report.file(p.loc),
                "line": p.loc.line,
                "column": p.loc.column,
                "kind": p.kind.as_str(),
                "message": p.message,
            })
        })
        .collect();
    json!({
        "schema_version": 1,
        "summary": summary,
        "workloads": workloads,
        "objects": objects,
        "findings": findings,
        "errors": errors,
    })
}

pub fn json_out(report: &Report, out: &mut dyn Write) -> Result<(), Error> {
    let mut text = serde_json::to_string_pretty(&document(report)).unwrap_or_default();
    text.push('\n');
    out.write_all(text.as_bytes()).map_err(out_err)
}

pub fn yaml_out(report: &Report, out: &mut dyn Write) -> Result<(), Error> {
    let text = crate::yaml::to_string(&document(report)).unwrap_or_default();
    out.write_all(text.as_bytes()).map_err(out_err)
}

/// `-o markdown`: a pull-request comment.
pub fn markdown(report: &Report, out: &mut dyn Write) -> Result<(), Error> {
    use crate::render::markdown::{md_cell, md_text};
    let mut s = String::from("## aks-id scan\n\n");
    for line in summary_lines(report) {
        s.push_str(&md_text(&line));
        s.push_str("  \n");
    }
    if !report.workloads.is_empty() {
        s.push_str("\n### Workloads\n\n| workload | mechanism | advice | where |\n| --- | --- | --- | --- |\n");
        for row in &report.workloads {
            let o = report.object(row.object);
            let advice = row
                .advice
                .as_ref()
                .map(|a| a.model.clone().unwrap_or_else(|| "none fits".into()))
                .unwrap_or_default();
            s.push_str(&format!(
                "| {}{} | {} | {} | `{}` |\n",
                md_cell(&object_name(o)),
                if o.template { " (template)" } else { "" },
                row.mechanism.as_str(),
                advice,
                at(report, o.loc).replace('`', "'").replace('|', "\\|")
            ));
        }
    }
    if !report.findings.is_empty() {
        s.push_str(
            "\n### Findings\n\n| severity | id | object | message | where |\n| --- | --- | --- | --- | --- |\n",
        );
        for f in &report.findings {
            let o = report.object(f.object);
            let mut message = md_cell(&f.message);
            if let Some(reason) = &f.suppressed {
                message.push_str(&format!(" (suppressed: {})", md_cell(reason)));
            }
            s.push_str(&format!(
                "| {} | [{}]({}) | {} | {} | `{}` |\n",
                f.severity.as_str(),
                f.id,
                f.sources.first().map_or("", String::as_str),
                md_cell(&object_name(o)),
                message,
                at(report, f.loc).replace('`', "'").replace('|', "\\|")
            ));
        }
    }
    if !report.problems.is_empty() {
        s.push_str("\n### Inputs\n\n");
        for p in &report.problems {
            s.push_str(&format!(
                "- `{}` {}: {}\n",
                at(report, p.loc).replace('`', "'"),
                p.kind.as_str(),
                md_text(&p.message)
            ));
        }
    }
    out.write_all(s.as_bytes()).map_err(out_err)
}

/// `aks-id findings`: every finding id with its severity and title.
pub fn findings_list(catalog: &Catalog, look: Look, out: &mut dyn Write) -> Result<(), Error> {
    let mut s = String::new();
    for f in &catalog.findings {
        let line = format!("{} {}  {}", severity_word(&look, f.severity), f.id, f.title);
        s.push_str(&look.wrap_hanging(&line, "", "        "));
        s.push('\n');
    }
    out.write_all(s.as_bytes()).map_err(out_err)
}

/// `aks-id findings ID`: one finding in full.
pub fn finding_explain(
    catalog: &Catalog,
    id: &str,
    look: Look,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let Some(f) = catalog.finding(id) else {
        return Err(Error::Usage(format!(
            "unknown finding id `{}` (see `aks-id findings`)",
            crate::diag::clip(id, 80)
        )));
    };
    let mut s = format!("{} ({})\n", look.bold(&f.id), f.severity.as_str());
    s.push_str(&look.wrap(&f.title, ""));
    s.push_str("\n\n");
    s.push_str(&look.wrap(&f.explanation, ""));
    s.push_str("\n\n");
    s.push_str(&look.wrap_hanging(&f.fix, "Fix: ", "     "));
    s.push_str("\n\nSources:\n");
    for url in catalog.urls(&f.sources) {
        s.push_str(&format!("  {url}\n"));
    }
    out.write_all(s.as_bytes()).map_err(out_err)
}

#[cfg(test)]
mod tests {
    use super::display_text;

    #[test]
    fn display_text_escapes_controls_and_bidi() {
        assert_eq!(display_text("api"), "api");
        assert_eq!(display_text("a\u{1b}[31m"), "a\\u{1b}[31m");
        assert_eq!(display_text("x\u{202E}y\u{85}"), "x\\u{202e}y\\u{85}");
    }
}
