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
use crate::scan::{Finding, Report, WorkloadRow};

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

fn summary(report: &Report) -> Value {
    let mut mechanisms = serde_json::Map::new();
    for m in Mechanism::ALL {
        mechanisms.insert(m.as_str().to_owned(), json!(report.mechanism_count(m)));
    }
    json!({
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
    })
}

/// A workload as `-o json` shows it; fields in output order.
#[derive(serde::Serialize)]
struct WorkloadItem<'a> {
    kind: &'a str,
    namespace: &'a str,
    name: &'a str,
    file: &'a str,
    line: u32,
    column: u32,
    mechanism: &'static str,
    template: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    advice: Option<AdviceItem<'a>>,
}

#[derive(serde::Serialize)]
struct AdviceItem<'a> {
    model: &'a Option<String>,
    inferred_answers: InferredMap<'a>,
    inferred_from: InferredMap<'a>,
}

/// The inferred answers (or their reasons) by question, in inference order.
struct InferredMap<'a> {
    inferred: &'a [crate::scan::advice::Inferred],
    reasons: bool,
}

impl serde::Serialize for InferredMap<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.inferred.len()))?;
        for i in self.inferred {
            if self.reasons {
                map.serialize_entry(&i.question, &i.because)?;
            } else {
                map.serialize_entry(&i.question, &i.answer)?;
            }
        }
        map.end()
    }
}

fn workload<'a>(report: &'a Report, row: &'a WorkloadRow) -> WorkloadItem<'a> {
    let o = report.object(row.object);
    WorkloadItem {
        kind: &o.kind,
        namespace: &o.namespace,
        name: &o.name,
        file: report.file(o.loc),
        line: o.loc.line,
        column: o.loc.column,
        mechanism: row.mechanism.as_str(),
        template: o.template,
        advice: row.advice.as_ref().map(|advice| AdviceItem {
            model: &advice.model,
            inferred_answers: InferredMap {
                inferred: &advice.inferred,
                reasons: false,
            },
            inferred_from: InferredMap {
                inferred: &advice.inferred,
                reasons: true,
            },
        }),
    }
}

#[derive(serde::Serialize)]
struct IdentityItem<'a> {
    kind: &'a str,
    namespace: &'a str,
    name: &'a str,
    file: &'a str,
    line: u32,
    role: &'a str,
}

fn identity_object<'a>(report: &'a Report, (i, role): &'a (usize, &str)) -> IdentityItem<'a> {
    let o = report.object(*i);
    IdentityItem {
        kind: &o.kind,
        namespace: &o.namespace,
        name: &o.name,
        file: report.file(o.loc),
        line: o.loc.line,
        role,
    }
}

#[derive(serde::Serialize)]
struct FindingItem<'a> {
    id: &'a str,
    severity: &'static str,
    title: &'a str,
    message: &'a str,
    file: &'a str,
    line: u32,
    column: u32,
    object: ObjectRef<'a>,
    sources: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressed: Option<Suppressed<'a>>,
}

#[derive(serde::Serialize)]
struct ObjectRef<'a> {
    kind: &'a str,
    namespace: &'a str,
    name: &'a str,
}

#[derive(serde::Serialize)]
struct Suppressed<'a> {
    reason: &'a str,
}

fn finding<'a>(report: &'a Report, f: &'a Finding) -> FindingItem<'a> {
    let o = report.object(f.object);
    FindingItem {
        id: f.id,
        severity: f.severity.as_str(),
        title: &f.title,
        message: &f.message,
        file: report.file(f.loc),
        line: f.loc.line,
        column: f.loc.column,
        object: ObjectRef {
            kind: &o.kind,
            namespace: &o.namespace,
            name: &o.name,
        },
        sources: &f.sources,
        suppressed: f.suppressed.as_deref().map(|reason| Suppressed { reason }),
    }
}

#[derive(serde::Serialize)]
struct ProblemItem<'a> {
    file: &'a str,
    line: u32,
    column: u32,
    kind: &'static str,
    message: &'a str,
}

fn problem<'a>(report: &'a Report, p: &'a crate::scan::manifest::Problem) -> ProblemItem<'a> {
    ProblemItem {
        file: report.file(p.loc),
        line: p.loc.line,
        column: p.loc.column,
        kind: p.kind.as_str(),
        message: &p.message,
    }
}

/// The document of `-o json` and `-o yaml`, serialized item by item: a scan of thousands of
/// files never holds its whole report as one JSON value.
pub struct Document<'a>(pub &'a Report);

/// A list serialized from an iterator made on demand.
struct Items<F>(F);

impl<F, I> serde::Serialize for Items<F>
where
    F: Fn() -> I,
    I: Iterator,
    I::Item: serde::Serialize,
{
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq((self.0)())
    }
}

impl serde::Serialize for Document<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let r = self.0;
        let mut map = serializer.serialize_map(Some(6))?;
        map.serialize_entry("schema_version", &1)?;
        map.serialize_entry("summary", &summary(r))?;
        map.serialize_entry(
            "workloads",
            &Items(|| r.workloads.iter().map(|w| workload(r, w))),
        )?;
        map.serialize_entry(
            "objects",
            &Items(|| r.identity_objects.iter().map(|o| identity_object(r, o))),
        )?;
        map.serialize_entry(
            "findings",
            &Items(|| r.findings.iter().map(|f| finding(r, f))),
        )?;
        map.serialize_entry(
            "errors",
            &Items(|| r.problems.iter().map(|p| problem(r, p))),
        )?;
        map.end()
    }
}

/// The whole document as one JSON value (for tests and small reports).
pub fn document(report: &Report) -> Value {
    serde_json::to_value(Document(report)).unwrap_or(Value::Null)
}

/// `-o json`: the bytes `serde_json::to_writer_pretty` gives for [`Document`], with the items of
/// each list rendered in parallel, each by [`crate::render::json`] starting at the item's depth.
pub fn json_out(report: &Report, out: &mut dyn Write) -> Result<(), Error> {
    let r = report;
    let mut writer = std::io::BufWriter::with_capacity(64 * 1024, &mut *out);
    let w = &mut writer;
    let mut head = b"{\n  \"schema_version\": 1,\n  \"summary\": ".to_vec();
    crate::render::json::write_pretty(&mut head, &summary(r), 1).map_err(json_err)?;
    w.write_all(&head).map_err(out_err)?;
    w.write_all(b",\n  \"workloads\": ").map_err(out_err)?;
    json_list(w, &r.workloads, |x| workload(r, x))?;
    w.write_all(b",\n  \"objects\": ").map_err(out_err)?;
    json_list(w, &r.identity_objects, |x| identity_object(r, x))?;
    w.write_all(b",\n  \"findings\": ").map_err(out_err)?;
    json_list(w, &r.findings, |x| finding(r, x))?;
    w.write_all(b",\n  \"errors\": ").map_err(out_err)?;
    json_list(w, &r.problems, |x| problem(r, x))?;
    w.write_all(b"\n}\n").map_err(out_err)?;
    writer.flush().map_err(out_err)
}

fn json_err(e: crate::render::json::JsonError) -> Error {
    out_err(std::io::Error::other(e))
}

/// Items rendered per batch and thread: enough to keep the threads busy, few enough that the
/// rendered text of a batch stays small beside the report.
const JSON_BATCH: usize = 512;

/// A list of the top-level document (its `[` right after the key), as `to_writer_pretty` writes
/// it, its items rendered by as many threads as the machine has.
fn json_list<'a, T: Sync, S: serde::Serialize>(
    w: &mut dyn Write,
    items: &'a [T],
    item: impl Fn(&'a T) -> S + Sync,
) -> Result<(), Error> {
    if items.is_empty() {
        return w.write_all(b"[]").map_err(out_err);
    }
    const SEPARATOR: &[u8] = b",\n    ";
    let render = |chunk: &'a [T]| -> Result<Vec<u8>, crate::render::json::JsonError> {
        let mut buf = Vec::with_capacity(chunk.len() * 1024);
        for (n, x) in chunk.iter().enumerate() {
            if n > 0 {
                buf.extend_from_slice(SEPARATOR);
            }
            crate::render::json::write_pretty(&mut buf, &item(x), 2)?;
        }
        Ok(buf)
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    w.write_all(b"[\n    ").map_err(out_err)?;
    for (n, round) in items.chunks(JSON_BATCH * threads).enumerate() {
        if n > 0 {
            w.write_all(SEPARATOR).map_err(out_err)?;
        }
        let parts: Vec<Result<Vec<u8>, crate::render::json::JsonError>> =
            if threads <= 1 || round.len() <= JSON_BATCH {
                vec![render(round)]
            } else {
                std::thread::scope(|scope| {
                    let mut chunks = round.chunks(round.len().div_ceil(threads));
                    let first = chunks.next().unwrap_or_default();
                    let others: Vec<_> = chunks.map(|c| scope.spawn(move || render(c))).collect();
                    let mut parts = vec![render(first)];
                    for handle in others {
                        parts.push(handle.join().unwrap_or_else(|_| {
                            Err(serde::ser::Error::custom("a rendering thread failed"))
                        }));
                    }
                    parts
                })
            };
        for (i, part) in parts.into_iter().enumerate() {
            if i > 0 {
                w.write_all(SEPARATOR).map_err(out_err)?;
            }
            w.write_all(&part.map_err(json_err)?).map_err(out_err)?;
        }
    }
    w.write_all(b"\n  ]").map_err(out_err)
}

pub fn yaml_out(report: &Report, out: &mut dyn Write) -> Result<(), Error> {
    crate::render::data::write_yaml(&Document(report), out)
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
