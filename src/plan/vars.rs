//! The values that fill a command's placeholders: from `--var ID=VALUE` and from the `vars:`
//! mapping of an answers file, each checked against its placeholder's kind before anything is
//! written, so a script or manifest never carries a value that could not be the thing it names.

use crate::catalog::{Catalog, Placeholder};
use crate::error::Error;
use crate::yaml::{Document, NodePath, Value};

pub use crate::advise::answers::VARS_KEY;

/// Placeholder values by id, in the order given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Vars {
    values: Vec<(String, String)>,
}

impl Vars {
    pub fn get(&self, id: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(k, _)| k == id)
            .map(|(_, v)| v.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Sets `id`, replacing an earlier value (a flag replaces the answers file's).
    fn set(&mut self, id: String, value: String) {
        match self.values.iter_mut().find(|(k, _)| *k == id) {
            Some(slot) => slot.1 = value,
            None => self.values.push((id, value)),
        }
    }

    /// Adds the `--var` flags over these values. The same placeholder twice on the command line
    /// is an error: one of the two would be silently lost.
    pub fn add_flags(&mut self, catalog: &Catalog, flags: &[String]) -> Result<(), Error> {
        let mut seen: Vec<&str> = Vec::new();
        for flag in flags {
            let Some((name, value)) = flag.split_once('=') else {
                return Err(Error::Usage(format!(
                    "--var `{}`: expected NAME=VALUE, e.g. --var cluster=my-cluster",
                    shown(flag)
                )));
            };
            let origin = format!("--var {}", shown(name));
            let placeholder = find(catalog, name, &origin)?;
            if seen.contains(&placeholder.id.as_ref()) {
                return Err(Error::Usage(format!(
                    "--var {}: given twice; give each placeholder once",
                    placeholder.id
                )));
            }
            seen.push(&placeholder.id);
            check(placeholder, value, &origin)?;
            self.set(placeholder.id.to_string(), value.to_owned());
        }
        Ok(())
    }
}

/// The shell variable of a placeholder: `resource-group` -> `RESOURCE_GROUP`.
pub fn variable(id: &str) -> String {
    id.to_ascii_uppercase().replace('-', "_")
}

/// The placeholder `name` stands for: its id, or its variable name in any case.
fn find<'c>(catalog: &'c Catalog, name: &str, origin: &str) -> Result<&'c Placeholder, Error> {
    let wanted = name.to_ascii_lowercase().replace('_', "-");
    catalog
        .placeholders
        .iter()
        .find(|p| p.id == wanted)
        .ok_or_else(|| {
            let known: Vec<&str> = catalog.placeholders.iter().map(|p| p.id.as_ref()).collect();
            Error::Usage(format!(
                "{origin}: unknown placeholder; placeholders: {}",
                known.join(", ")
            ))
        })
}

/// Refuses a value that breaks its placeholder's rule, naming both.
fn check(placeholder: &Placeholder, value: &str, origin: &str) -> Result<(), Error> {
    if placeholder.kind.accepts(value) {
        return Ok(());
    }
    Err(Error::Answer(format!(
        "{origin}: `{}` is not a valid <{}> ({}): it must be {}",
        shown(value),
        placeholder.id,
        placeholder.meaning,
        placeholder.kind.rule()
    )))
}

/// A value as an error message shows it: control characters escaped, at most 80 characters.
fn shown(value: &str) -> String {
    let mut out = String::new();
    for (n, c) in value.chars().enumerate() {
        if n == 80 {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// The `vars:` mapping of an answers file, checked, with `FILE:LINE:COLUMN` in every error.
pub fn from_file(catalog: &Catalog, file: &str, text: &str) -> Result<Vars, Error> {
    let mut vars = Vars::default();
    let Ok(doc) = Document::parse(file, text) else {
        // The answers reader reports a file that is not YAML.
        return Ok(vars);
    };
    let Value::Mapping(root) = &doc.value else {
        return Ok(vars);
    };
    let Some(value) = root.get(VARS_KEY) else {
        return Ok(vars);
    };
    let path = NodePath::root().key(VARS_KEY);
    let at = |path: &NodePath| {
        let p = doc.position(path);
        format!("{file}:{}:{}", p.line, p.column)
    };
    let Value::Mapping(entries) = value else {
        return Err(Error::Answer(format!(
            "{}: `{VARS_KEY}` must be a mapping from placeholder to value, e.g. `cluster: my-cluster`",
            at(&path)
        )));
    };
    for (key, value) in entries {
        let Value::String(name) = key else {
            return Err(Error::Answer(format!(
                "{}: placeholder names are text",
                at(&path)
            )));
        };
        let entry = path.key(name);
        let origin = at(&entry);
        let placeholder = find(catalog, name, &format!("{origin}: `{}`", shown(name)))?;
        let value = match value {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => {
                return Err(Error::Answer(format!(
                    "{origin}: the value of `{}` must be text",
                    placeholder.id
                )));
            }
        };
        check(placeholder, &value, &origin)?;
        vars.set(placeholder.id.to_string(), value);
    }
    Ok(vars)
}
