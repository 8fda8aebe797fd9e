//! Build time only (`build.rs` includes this file): writes a rule file's typed value as Rust code
//! that constructs it, so that a run builds the built-in catalog with plain code (a vector per
//! list; every text borrowed from the binary) instead of decoding it.
//!
//! Every struct becomes a small function of its own, which keeps each stack frame small in debug
//! builds. Each struct's impl destructures it whole, so a field added to a type and not written
//! here fails the build.

use std::fmt::Write as _;

use super::condition::{Condition, Literal, Test};
use super::placeholders::{Placeholder, PlaceholdersFile, ValueKind};
use super::types::*;

/// The code written so far: one function per struct value.
pub struct Code {
    pub functions: String,
    /// Prefixes the functions' names: one per file, so that files' names do not collide.
    prefix: String,
    count: usize,
    /// A value the generated code does not construct (a malformed condition, a literal of no
    /// supported kind): the file is then left to the loader, which reports it with its place.
    pub unsupported: bool,
}

impl Code {
    pub fn new(prefix: &str) -> Self {
        Code {
            functions: String::new(),
            prefix: prefix.to_owned(),
            count: 0,
            unsupported: false,
        }
    }

    /// Writes `fn cN() -> TYPE { BODY }` and returns the call.
    fn function(&mut self, ty: &str, body: &str) -> String {
        let name = format!("{}{}", self.prefix, self.count);
        self.count += 1;
        let _ = writeln!(self.functions, "fn {name}() -> {ty} {{ {body} }}");
        format!("{name}()")
    }
}

/// A value that can be written as a Rust expression that constructs it.
pub trait Construct {
    fn construct(&self, code: &mut Code) -> String;
}

impl Construct for Text {
    fn construct(&self, _: &mut Code) -> String {
        // Borrowed from the binary. `Debug` writes a string as a valid Rust literal, escapes
        // included.
        format!("t({self:?})")
    }
}

impl Construct for bool {
    fn construct(&self, _: &mut Code) -> String {
        self.to_string()
    }
}

impl Construct for i64 {
    fn construct(&self, _: &mut Code) -> String {
        format!("{self}i64")
    }
}

impl<T: Construct> Construct for Option<T> {
    fn construct(&self, code: &mut Code) -> String {
        match self {
            None => "None".to_owned(),
            Some(value) => format!("Some({})", value.construct(code)),
        }
    }
}

impl<T: Construct> Construct for Box<T> {
    fn construct(&self, code: &mut Code) -> String {
        format!("Box::new({})", (**self).construct(code))
    }
}

impl<T: Construct> Construct for Vec<T> {
    fn construct(&self, code: &mut Code) -> String {
        if self.is_empty() {
            return "Vec::new()".to_owned();
        }
        let items: Vec<String> = self.iter().map(|item| item.construct(code)).collect();
        format!("vec![{}]", items.join(", "))
    }
}

impl<V: Construct> Construct for Map<Text, V> {
    fn construct(&self, code: &mut Code) -> String {
        let pairs: Vec<String> = self
            .iter()
            .map(|(key, value)| format!("({}, {})", key.construct(code), value.construct(code)))
            .collect();
        format!("map([{}])", pairs.join(", "))
    }
}

/// Structs: every field, by name, in a function of its own.
macro_rules! structs {
    ($($ty:ident { $($field:ident),* $(,)? })*) => {$(
        impl Construct for $ty {
            fn construct(&self, code: &mut Code) -> String {
                let $ty { $($field),* } = self;
                let mut body = String::from(concat!(stringify!($ty), " { "));
                $(
                    let value = $field.construct(code);
                    let _ = write!(body, concat!(stringify!($field), ": {}, "), value);
                )*
                body.push('}');
                code.function(stringify!($ty), &body)
            }
        }
    )*};
}

structs! {
    Fact { id, text, sources, when }
    SourcesFile { sources }
    Source { id, title, url, as_of, checked }
    CatalogFile { as_of, tie_break, rows }
    Row { id, label }
    Model { id, name, status, summary, how_it_works, grantee, values, pros, cons, limits, setup, example }
    Status { state, note, dates }
    Milestone { event, date, sources }
    Step { text, command, sources }
    Example { title, text, commands, sources }
    TargetsFile { targets }
    Target { id, name, access, granted_in, roles, grant, notes, sources }
    Role { name, purpose }
    QuestionsFile { questions }
    Question { id, prompt, help, kind, choices, default, min, max, asked_when }
    Choice { id, label }
    RulesFile { rules }
    Rule { id, when, reason, summary, score, exclude, caveats, steps, grants, warning, sources }
    RuleGrant { id, model, target, roles, how, command, sources }
    Caveat { id, model, text, sources, detail, when }
    RuleStep { id, model, text, command, sources, when }
    FindingsFile { findings }
    FindingMeta { id, severity, title, explanation, fix, sources }
    PlaceholdersFile { placeholders }
    Placeholder { id, meaning, kind, from }
}

/// Enums without data: the variant by its name (`Debug` of a derived enum).
macro_rules! unit_enums {
    ($($ty:ident)*) => {$(
        impl Construct for $ty {
            fn construct(&self, _: &mut Code) -> String {
                format!(concat!(stringify!($ty), "::{:?}"), self)
            }
        }
    )*};
}

unit_enums! { State Access Kind Severity ValueKind }

impl Construct for Condition {
    fn construct(&self, code: &mut Code) -> String {
        match self {
            Condition::Compare { question, test } => format!(
                "Condition::Compare {{ question: {}, test: {} }}",
                question.construct(code),
                test.construct(code)
            ),
            Condition::All(all) => format!("Condition::All({})", all.construct(code)),
            Condition::Any(any) => format!("Condition::Any({})", any.construct(code)),
            Condition::Not(not) => format!("Condition::Not({})", not.construct(code)),
            Condition::Malformed(_) => {
                code.unsupported = true;
                String::new()
            }
        }
    }
}

impl Construct for Test {
    fn construct(&self, code: &mut Code) -> String {
        match self {
            Test::Equals(v) => format!("Test::Equals({})", v.construct(code)),
            Test::NotEquals(v) => format!("Test::NotEquals({})", v.construct(code)),
            Test::OneOf(v) => format!("Test::OneOf({})", v.construct(code)),
            Test::ContainsAny(v) => format!("Test::ContainsAny({})", v.construct(code)),
            Test::ContainsAll(v) => format!("Test::ContainsAll({})", v.construct(code)),
            Test::Gt(n) => format!("Test::Gt({})", n.construct(code)),
            Test::Gte(n) => format!("Test::Gte({})", n.construct(code)),
            Test::Lt(n) => format!("Test::Lt({})", n.construct(code)),
            Test::Lte(n) => format!("Test::Lte({})", n.construct(code)),
        }
    }
}

impl Construct for Literal {
    fn construct(&self, code: &mut Code) -> String {
        match self {
            Literal::Bool(b) => format!("Literal::Bool({b})"),
            Literal::Number(n) => format!("Literal::Number({})", n.construct(code)),
            Literal::Text(s) => format!("Literal::Text({})", s.construct(code)),
            Literal::List(items) => format!("Literal::List({})", items.construct(code)),
            Literal::Other(_) => {
                code.unsupported = true;
                String::new()
            }
        }
    }
}
