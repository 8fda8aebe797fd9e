//! The catalog as a human-readable output shows it: every text written in the catalog passed
//! through the display rule of [`crate::display`], so that no renderer can forget it. JSON and
//! YAML output use the catalog as loaded.

use std::borrow::Cow;

use super::{Catalog, Fact, Origin};
use crate::display::{untrusted, untrusted_lines};

/// The catalog as human-readable outputs show it: every free text through [`untrusted`] (one-line
/// texts: names, labels, titles, URLs, prompts) or [`untrusted_lines`] (texts that may hold lines:
/// facts, help, reasons, commands). Ids are not touched: the loader only accepts lowercase
/// letters, digits, `-` and `_` in them, so they are the same in both catalogs and answers match
/// either one.
///
/// The built-in catalog is part of the program and is known to be clean (a test says so), so it
/// is borrowed as it is.
pub fn for_display(catalog: &Catalog) -> Cow<'_, Catalog> {
    if catalog.origin == Origin::BuiltIn {
        return Cow::Borrowed(catalog);
    }
    let mut shown = catalog.clone();
    escape_catalog(&mut shown);
    Cow::Owned(shown)
}

/// A text field of the catalog: owned, or borrowed from the binary.
trait TextField {
    /// Replaces the text by `rule`'s form of it, when that differs.
    fn apply(&mut self, rule: for<'a> fn(&'a str) -> Cow<'a, str>);
}

impl TextField for String {
    fn apply(&mut self, rule: for<'a> fn(&'a str) -> Cow<'a, str>) {
        if let Cow::Owned(escaped) = rule(self) {
            *self = escaped;
        }
    }
}

impl TextField for crate::catalog::Text {
    fn apply(&mut self, rule: for<'a> fn(&'a str) -> Cow<'a, str>) {
        if let Cow::Owned(escaped) = rule(self) {
            *self = escaped.into();
        }
    }
}

/// Replaces `text` by its display form.
fn line(text: &mut impl TextField) {
    text.apply(untrusted);
}

/// Replaces `text` by its display form, keeping line feeds.
fn lines(text: &mut impl TextField) {
    text.apply(untrusted_lines);
}

fn fact(f: &mut Fact) {
    lines(&mut f.text);
}

fn escape_catalog(c: &mut Catalog) {
    if let Origin::Folder(path) = &c.origin {
        let shown = untrusted(&path.to_string_lossy()).into_owned();
        c.origin = Origin::Folder(shown.into());
    }
    line(&mut c.as_of);
    for row in &mut c.rows {
        line(&mut row.label);
    }
    for s in &mut c.sources {
        line(&mut s.title);
        line(&mut s.url);
        line(&mut s.as_of);
        if let Some(checked) = &mut s.checked {
            line(checked);
        }
    }
    for m in &mut c.models {
        line(&mut m.name);
        if let Some(note) = &mut m.status.note {
            fact(note);
        }
        for d in &mut m.status.dates {
            line(&mut d.event);
            line(&mut d.date);
        }
        fact(&mut m.summary);
        fact(&mut m.how_it_works);
        lines(&mut m.grantee);
        for f in m.values.values_mut() {
            fact(f);
        }
        for f in m.pros.iter_mut().chain(&mut m.cons).chain(&mut m.limits) {
            fact(f);
        }
        for step in &mut m.setup {
            lines(&mut step.text);
            if let Some(command) = &mut step.command {
                lines(command);
            }
        }
        line(&mut m.example.title);
        lines(&mut m.example.text);
        for command in &mut m.example.commands {
            lines(command);
        }
    }
    for t in &mut c.targets {
        line(&mut t.name);
        fact(&mut t.granted_in);
        for role in &mut t.roles {
            line(&mut role.name);
            line(&mut role.purpose);
        }
        if let Some(grant) = &mut t.grant {
            lines(grant);
        }
        for note in &mut t.notes {
            fact(note);
        }
    }
    for q in &mut c.questions {
        line(&mut q.prompt);
        lines(&mut q.help);
        for choice in &mut q.choices {
            line(&mut choice.label);
        }
    }
    for r in &mut c.rules {
        if let Some(reason) = &mut r.reason {
            lines(reason);
        }
        for caveat in &mut r.caveats {
            lines(&mut caveat.text);
        }
        for step in &mut r.steps {
            lines(&mut step.text);
            if let Some(command) = &mut step.command {
                lines(command);
            }
        }
        for grant in &mut r.grants {
            for role in &mut grant.roles {
                line(&mut role.name);
                line(&mut role.purpose);
            }
            lines(&mut grant.how);
            if let Some(command) = &mut grant.command {
                lines(command);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_catalog_needs_no_escaping() {
        let builtin = super::super::builtin::load().expect("the built-in catalog loads");
        let mut escaped = builtin.clone();
        escape_catalog(&mut escaped);
        assert_eq!(format!("{builtin:?}"), format!("{escaped:?}"));
    }
}
