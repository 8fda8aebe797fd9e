//! Turns the texts of a rules folder into a validated [`Catalog`], or into the full list of what
//! is wrong with them. Pure: the caller reads the files (or takes the embedded ones).
//!
//! Each list entry (a source, a target, a question, a rule) is deserialized on its own, so one bad
//! entry is reported without hiding the others; then `validate` checks what the types cannot
//! (unique ids, references, conditions that fit their questions).

use serde::de::DeserializeOwned;

use super::parsed::{Located, Parsed, Partial, Unread};
use super::validate::Validator;
use super::*;
use crate::diag::{CatalogError, Diagnostic, Position, clip};
use crate::yaml::{Document, NodePath, Value};

/// The most bad entries of one list (`rules`, `sources`...) deserialized before the rest of the
/// list is skipped.
const MAX_BAD_ENTRIES: usize = 20;

pub use super::names::{
    CATALOG_FILE, FINDINGS_FILE, MODELS_DIR, OPTIONAL_FILES, PLACEHOLDERS_FILE, QUESTIONS_FILE,
    REQUIRED_FILES, RULES_FILE, SOURCES_FILE, TARGETS_FILE, is_model_file,
};

/// The message for a required file that is not in the folder.
pub const MISSING_FILE: &str = "file is missing";

/// Parses and validates a catalog from `(relative path, text)` pairs. `display_root` prefixes the
/// file names in diagnostics (the folder given with `--rules`, or `rules` for the built-in one).
///
/// A sound catalog takes the fast path: each file deserialized in one go (JSON text with the
/// JSON parser), then validated. Anything wrong sends it down the thorough path, which reads
/// entry by entry and reports every problem with its position.
pub fn parse(
    origin: Origin,
    display_root: &str,
    files: &[(String, String)],
) -> Result<Catalog, CatalogError> {
    match parse_fast(&origin, display_root, files) {
        Some(catalog) => Ok(catalog),
        None => parse_thorough(origin, display_root, files),
    }
}

fn display_name(display_root: &str, rel: &str) -> String {
    if display_root.is_empty() {
        rel.to_owned()
    } else {
        format!("{}/{rel}", display_root.trim_end_matches('/'))
    }
}

/// The fast path: `None` unless every file is there, deserializes whole and validates.
fn parse_fast(origin: &Origin, display_root: &str, files: &[(String, String)]) -> Option<Catalog> {
    let parsed = read_whole(
        display_root,
        files
            .iter()
            .map(|(rel, text)| (rel.as_str(), text.as_str())),
    )?;
    validated(origin.clone(), parsed)
}

/// A file's content that deserializes whole into any of the catalog's types: rule-file text
/// (JSON or YAML), or a file of the built-in catalog as built by code.
pub(crate) trait Content {
    fn decode<T: DeserializeOwned + 'static>(&self) -> Option<T>;
}

impl Content for str {
    fn decode<T: DeserializeOwned + 'static>(&self) -> Option<T> {
        crate::yaml::from_str_fast(self)
    }
}

/// Reads `(relative path, content)` pairs, each file deserialized whole, not validated: `None`
/// unless every required file is there and every file deserializes.
pub(crate) fn read_whole<'a, C: Content + ?Sized + 'a>(
    display_root: &str,
    files: impl IntoIterator<Item = (&'a str, &'a C)> + Clone,
) -> Option<Parsed> {
    if !REQUIRED_FILES
        .iter()
        .all(|required| files.clone().into_iter().any(|(rel, _)| rel == *required))
    {
        return None;
    }
    let mut parsed = Parsed::default();
    let root = NodePath::root();
    for (rel, content) in files {
        let index = parsed.docs.len();
        // Without its text: on the fast path a document only names its file, since any problem
        // sends the catalog down the thorough path, which reports positions.
        parsed
            .docs
            .push(Document::unparsed(&display_name(display_root, rel), ""));
        match rel {
            CATALOG_FILE => {
                parsed.catalog = Some(Located {
                    value: content.decode::<CatalogFile>()?,
                    doc: index,
                    path: root.clone(),
                })
            }
            SOURCES_FILE => fast_list::<SourcesFile, C>(&mut parsed, index, content)?,
            TARGETS_FILE => fast_list::<TargetsFile, C>(&mut parsed, index, content)?,
            QUESTIONS_FILE => fast_list::<QuestionsFile, C>(&mut parsed, index, content)?,
            RULES_FILE => fast_list::<RulesFile, C>(&mut parsed, index, content)?,
            PLACEHOLDERS_FILE => fast_list::<PlaceholdersFile, C>(&mut parsed, index, content)?,
            FINDINGS_FILE => fast_list::<FindingsFile, C>(&mut parsed, index, content)?,
            rel if is_model_file(rel) => parsed.models.push(Located {
                value: content.decode::<Model>()?,
                doc: index,
                path: root.clone(),
            }),
            _ => {}
        }
    }
    if parsed.models.is_empty() {
        return None;
    }
    parsed
        .models
        .sort_by(|a, b| parsed.docs[a.doc].file.cmp(&parsed.docs[b.doc].file));
    Some(parsed)
}

/// Validates parts read by [`read_whole`] and assembles them: `None` when anything is wrong.
pub(crate) fn validated(origin: Origin, parsed: Parsed) -> Option<Catalog> {
    if !Validator::new(&parsed).run().is_empty() {
        return None;
    }
    Some(assemble(origin, parsed))
}

/// A file made of one list under one key (`sources`, `targets`, `questions`, `rules`), and where
/// its entries go in [`Parsed`].
trait ListFile: DeserializeOwned + 'static {
    type Item: DeserializeOwned;
    const KEY: &'static str;
    fn into_items(self) -> Vec<Self::Item>;
    /// The entries read so far, and the record of unreadable ones when references to them are
    /// checked.
    fn slot(parsed: &mut Parsed) -> (&mut Vec<Located<Self::Item>>, Option<&mut Partial>);
}

macro_rules! list_file {
    ($file:ty, $item:ty, $key:ident, $unread:expr) => {
        impl ListFile for $file {
            type Item = $item;
            const KEY: &'static str = stringify!($key);
            fn into_items(self) -> Vec<$item> {
                self.$key.into_vec()
            }
            fn slot(parsed: &mut Parsed) -> (&mut Vec<Located<$item>>, Option<&mut Partial>) {
                let unread: fn(&mut Unread) -> Option<&mut Partial> = $unread;
                (&mut parsed.$key, unread(&mut parsed.unread))
            }
        }
    };
}

list_file!(SourcesFile, Source, sources, |u| Some(&mut u.sources));
list_file!(TargetsFile, Target, targets, |u| Some(&mut u.targets));
list_file!(QuestionsFile, Question, questions, |u| Some(
    &mut u.questions
));
list_file!(RulesFile, Rule, rules, |_| None);
list_file!(PlaceholdersFile, Placeholder, placeholders, |u| Some(
    &mut u.placeholders
));
list_file!(FindingsFile, FindingMeta, findings, |_| None);

/// Reads a list file whole on the fast path.
fn fast_list<F: ListFile, C: Content + ?Sized>(
    parsed: &mut Parsed,
    doc: usize,
    content: &C,
) -> Option<()> {
    let items = content.decode::<F>()?.into_items();
    *F::slot(parsed).0 = listed(F::KEY, doc, items);
    Some(())
}

/// Reads a list file entry by entry on the thorough path.
fn thorough_list<F: ListFile>(parsed: &mut Parsed, doc: usize, diagnostics: &mut Vec<Diagnostic>) {
    let mut unread = Partial::default();
    let items = list(&parsed.docs[doc], doc, F::KEY, &mut unread, diagnostics);
    let (slot, partial) = F::slot(parsed);
    *slot = items;
    if let Some(partial) = partial {
        partial.merge(unread);
    }
}

/// The entries of a list file, with the paths the thorough path would give them.
fn listed<T>(key: &str, doc: usize, items: Vec<T>) -> Vec<Located<T>> {
    let list = NodePath::root().key(key);
    items
        .into_iter()
        .enumerate()
        .map(|(i, value)| Located {
            value,
            doc,
            path: list.index(i),
        })
        .collect()
}

/// The thorough path: every entry on its own, every problem reported.
fn parse_thorough(
    origin: Origin,
    display_root: &str,
    files: &[(String, String)],
) -> Result<Catalog, CatalogError> {
    let mut diagnostics = Vec::new();
    let display = |rel: &str| display_name(display_root, rel);
    let mut parsed = Parsed::default();

    let mut model_files: Vec<&(String, String)> =
        files.iter().filter(|(rel, _)| is_model_file(rel)).collect();
    model_files.sort_by(|a, b| a.0.cmp(&b.0));

    for required in REQUIRED_FILES {
        if !files.iter().any(|(rel, _)| rel == required) {
            diagnostics.push(missing(&display(required), MISSING_FILE));
            parsed.unread.whole_file(required);
        }
    }
    if model_files.is_empty() {
        diagnostics.push(missing(
            &display(MODELS_DIR),
            "no model files (models/*.yaml)",
        ));
        parsed.unread.models.all = true;
    }

    for (rel, text) in files {
        let file = display(rel);
        let doc = match Document::parse(&file, text) {
            Ok(doc) => doc,
            Err(d) => {
                diagnostics.push(d);
                parsed.unread.whole_file(rel);
                continue;
            }
        };
        let index = parsed.docs.len();
        parsed.docs.push(doc);
        let doc = &parsed.docs[index];
        let root = NodePath::root();
        match rel.as_str() {
            CATALOG_FILE => match doc.deserialize::<CatalogFile>(&root, &doc.value) {
                Ok(value) => {
                    parsed.catalog = Some(Located {
                        value,
                        doc: index,
                        path: root,
                    })
                }
                Err(d) => {
                    diagnostics.push(d);
                    parsed.unread.rows.all = true;
                }
            },
            SOURCES_FILE => thorough_list::<SourcesFile>(&mut parsed, index, &mut diagnostics),
            TARGETS_FILE => thorough_list::<TargetsFile>(&mut parsed, index, &mut diagnostics),
            QUESTIONS_FILE => thorough_list::<QuestionsFile>(&mut parsed, index, &mut diagnostics),
            RULES_FILE => thorough_list::<RulesFile>(&mut parsed, index, &mut diagnostics),
            PLACEHOLDERS_FILE => {
                thorough_list::<PlaceholdersFile>(&mut parsed, index, &mut diagnostics)
            }
            FINDINGS_FILE => thorough_list::<FindingsFile>(&mut parsed, index, &mut diagnostics),
            rel if is_model_file(rel) => match doc.deserialize::<Model>(&root, &doc.value) {
                Ok(value) => parsed.models.push(Located {
                    value,
                    doc: index,
                    path: root,
                }),
                Err(d) => {
                    diagnostics.push(d);
                    parsed.unread.whole_file(rel);
                    parsed.unread.models.entry(&doc.value);
                }
            },
            _ => {}
        }
    }
    parsed
        .models
        .sort_by(|a, b| parsed.docs[a.doc].file.cmp(&parsed.docs[b.doc].file));

    parsed.incomplete = !diagnostics.is_empty();
    diagnostics.extend(Validator::new(&parsed).run());
    // In file order (the order of the README's table), then by position; a problem with the
    // file as a whole (no position) comes first.
    let root = display("");
    diagnostics.sort_by_cached_key(|d| {
        let rel = d.file.strip_prefix(&root).unwrap_or(&d.file);
        (
            file_rank(rel),
            d.file.clone(),
            d.position.line,
            d.position.column,
        )
    });
    if !diagnostics.is_empty() {
        return Err(CatalogError::new(diagnostics));
    }
    Ok(assemble(origin, parsed))
}

/// The catalog from validated parts.
pub(crate) fn assemble(origin: Origin, parsed: Parsed) -> Catalog {
    fn values<T>(list: Vec<Located<T>>) -> List<T> {
        list.into_iter().map(|l| l.value).collect()
    }
    let catalog = parsed
        .catalog
        .expect("a valid catalog has catalog.yaml")
        .value;
    Files {
        catalog,
        sources: values(parsed.sources),
        models: values(parsed.models),
        targets: values(parsed.targets),
        questions: values(parsed.questions),
        rules: values(parsed.rules),
        placeholders: values(parsed.placeholders),
        findings: values(parsed.findings),
    }
    .assemble(origin)
}

/// The values of a catalog's files, with nothing of where they were read: what the built-in
/// catalog's code builds, and what [`assemble`] takes out of [`Parsed`].
pub(crate) struct Files {
    pub catalog: CatalogFile,
    pub sources: List<Source>,
    /// In file-name order.
    pub models: List<Model>,
    pub targets: List<Target>,
    pub questions: List<Question>,
    pub rules: List<Rule>,
    pub placeholders: List<Placeholder>,
    pub findings: List<FindingMeta>,
}

/// The indexes of a catalog by id, in the order sources, questions, targets, models.
pub(crate) type Indexes = [Index; 4];

impl Files {
    pub(crate) fn assemble(self, origin: Origin) -> Catalog {
        let indexes = [
            Index::of(self.sources.iter().map(|s| &s.id)),
            Index::of(self.questions.iter().map(|q| &q.id)),
            Index::of(self.targets.iter().map(|t| &t.id)),
            Index::of(self.models.iter().map(|m| &m.id)),
        ];
        self.assemble_indexed(origin, indexes)
    }

    /// The catalog with indexes already built (the built-in catalog's, by `build.rs`).
    pub(crate) fn assemble_indexed(self, origin: Origin, indexes: Indexes) -> Catalog {
        let [source_index, question_index, target_index, model_index] = indexes;
        Catalog {
            origin,
            as_of: self.catalog.as_of,
            tie_break: self.catalog.tie_break,
            rows: self.catalog.rows,
            source_index,
            question_index,
            target_index,
            model_index,
            sources: self.sources,
            models: self.models,
            targets: self.targets,
            questions: self.questions,
            rules: self.rules,
            placeholders: self.placeholders,
            findings: self.findings,
        }
    }
}

/// Where a file of the rules folder comes in reports: catalog, sources, models, targets,
/// questions, rules.
fn file_rank(rel: &str) -> usize {
    match rel {
        CATALOG_FILE => 0,
        SOURCES_FILE => 1,
        MODELS_DIR => 2,
        rel if rel.starts_with("models/") => 2,
        TARGETS_FILE => 3,
        QUESTIONS_FILE => 4,
        RULES_FILE => 5,
        PLACEHOLDERS_FILE => 6,
        FINDINGS_FILE => 7,
        _ => 8,
    }
}

fn missing(file: &str, message: &str) -> Diagnostic {
    Diagnostic {
        file: file.to_owned(),
        position: Position::default(),
        message: message.to_owned(),
    }
}

/// Reads a file made of one mapping with one key, `key`, holding a list; each entry is
/// deserialized on its own.
fn list<T: DeserializeOwned>(
    doc: &Document,
    index: usize,
    key: &str,
    unread: &mut Partial,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Located<T>> {
    let root = NodePath::root();
    let Value::Mapping(mapping) = &doc.value else {
        diagnostics.push(doc.error_at(
            &root,
            format!(
                "expected a mapping with the key `{key}`, found {}",
                describe(&doc.value)
            ),
        ));
        unread.all = true;
        return Vec::new();
    };
    let mut items = Vec::new();
    let mut found = false;
    for (k, v) in mapping {
        let name = match k {
            Value::String(s) => s.clone(),
            other => describe(other),
        };
        if name != key {
            diagnostics.push(doc.error_at_key(
                &root.key(&name),
                format!("unknown key `{name}`, expected `{key}`"),
            ));
            continue;
        }
        found = true;
        let path = root.key(key);
        let Value::Sequence(entries) = v else {
            diagnostics.push(doc.error_at(
                &path,
                format!("`{key}` must be a list, found {}", describe(v)),
            ));
            unread.all = true;
            continue;
        };
        let mut bad = 0;
        for (i, entry) in entries.iter().enumerate() {
            let at = path.index(i);
            if bad == MAX_BAD_ENTRIES {
                diagnostics.push(doc.error_at(
                    &at,
                    format!(
                        "`{key}` has more than {MAX_BAD_ENTRIES} bad entries; the {} after this one were not checked",
                        entries.len() - i - 1
                    ),
                ));
                unread.all = true;
                break;
            }
            match doc.deserialize::<T>(&at, entry) {
                Ok(value) => items.push(Located {
                    value,
                    doc: index,
                    path: at,
                }),
                Err(d) => {
                    diagnostics.push(d);
                    unread.entry(entry);
                    bad += 1;
                }
            }
        }
    }
    if !found {
        diagnostics.push(doc.error_at(&root, format!("missing key `{key}`")));
        unread.all = true;
    }
    items
}

/// A short description of a YAML value's kind, for messages.
pub fn describe(value: &Value) -> String {
    match value {
        Value::Null => "nothing".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string \"{}\"", clip(s, 60)),
        Value::Sequence(_) => "a list".into(),
        Value::Mapping(_) => "a mapping".into(),
        Value::Tagged(t) => format!("a value tagged {}", t.tag),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::builtin;

    fn owned(files: &[(&str, &str)]) -> Vec<(String, String)> {
        files
            .iter()
            .map(|(rel, text)| ((*rel).to_owned(), (*text).to_owned()))
            .collect()
    }

    #[test]
    fn the_fast_and_thorough_paths_read_the_same_catalog() {
        let files = owned(builtin::FILES);
        let fast = parse_fast(&Origin::BuiltIn, "rules", &files)
            .expect("the fast path takes a valid catalog");
        let thorough = parse_thorough(Origin::BuiltIn, "rules", &files).expect("valid");
        assert_eq!(format!("{fast:?}"), format!("{thorough:?}"));
    }

    #[test]
    fn a_problem_sends_the_catalog_down_the_thorough_path() {
        let mut files = owned(builtin::FILES);
        let rules = files.iter_mut().find(|(rel, _)| rel == RULES_FILE).unwrap();
        rules.1 = rules.1.replacen("equals: cluster", "equals: clutser", 1);
        assert!(parse_fast(&Origin::BuiltIn, "rules", &files).is_none());
        let err = parse(Origin::BuiltIn, "rules", &files).unwrap_err();
        assert_eq!(err.diagnostics.len(), 1);
        assert!(
            err.diagnostics[0]
                .to_string()
                .starts_with("rules/rules.yaml:")
        );
    }
}
