//! Build time only (`build.rs` includes this file): writes the built-in catalog as Rust data that
//! a run reads in place. Every list becomes a range of one static array per element type
//! ([`Stored`]), every text a range of one string, and a rule file's value an expression of
//! those ranges: a run builds and copies nothing, and the arrays hold offsets, not addresses, so
//! nothing in them is relocated at start-up.
//!
//! Each struct's impl destructures it whole, so a field added to a type and not written here
//! fails the build.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::condition::{Condition, Literal, Test};
use super::list::{FREE, Keyed, List, Lone, Stored, probe};
use super::placeholders::{Placeholder, PlaceholdersFile, ValueKind};
use super::text::Text;
use super::types::*;

/// The data written so far, for the whole catalog.
#[derive(Default)]
pub struct Code {
    /// Every distinct text, one after the other.
    pub strings: String,
    string_at: HashMap<String, usize>,
    /// The elements of each stored type's array, as Rust expressions, by type ([`STORED`]).
    pub arenas: HashMap<&'static str, Vec<String>>,
    /// A value the generated code does not construct (a malformed condition, a literal of no
    /// supported kind): the file is then left to the loader, which reports it with its place.
    pub unsupported: bool,
}

impl Code {
    /// The file `strings::STRINGS` includes: every text, as one string literal.
    pub fn strings_file(&self) -> String {
        format!("{:?}", self.strings)
    }

    /// The file that holds the arrays: one static array per stored type and its [`Stored`]
    /// impl.
    pub fn arena_file(&self) -> String {
        let mut out = String::new();
        for (i, ty) in STORED.iter().enumerate() {
            let items = self.arenas.get(ty).map(Vec::as_slice).unwrap_or_default();
            let _ = writeln!(out, "static A{i}: [{ty}; {}] = [", items.len());
            for item in items {
                let _ = writeln!(out, "    {item},");
            }
            let _ = writeln!(
                out,
                "];\nimpl Stored for {ty} {{ fn arena() -> &'static [Self] {{ &A{i} }} }}"
            );
        }
        out
    }

    /// A table of `ids` by position (the first of equal ids): a `List<(Text, u32)>` expression
    /// for `catalog::Index::Table`, each id where [`probe`] finds it at run time. More than twice
    /// as many slots as ids, so a lookup walks few and always meets a free one.
    pub fn index(&mut self, ids: &[Text]) -> String {
        let size = (ids.len() * 2 + 1).next_power_of_two();
        let mut slots: Vec<(Text, u32)> = vec![(Text::default(), FREE); size];
        for (position, id) in ids.iter().enumerate() {
            let at = probe(&slots, id);
            if slots[at].1 == FREE {
                slots[at] = (
                    id.clone(),
                    u32::try_from(position).expect("fewer than 2^32 ids"),
                );
            }
        }
        List::owned(slots).construct(self)
    }

    /// Appends `items` to `ty`'s array: their offset there.
    fn store(&mut self, ty: &'static str, items: Vec<String>) -> usize {
        let arena = self.arenas.entry(ty).or_default();
        let offset = arena.len();
        arena.extend(items);
        offset
    }
}

/// A value that can be written as a constant Rust expression.
pub trait Construct {
    fn construct(&self, code: &mut Code) -> String;
}

/// A type the catalog keeps lists of: the name of its array's element type.
pub trait Element: Construct {
    const TYPE: &'static str;
}

/// Every type stored in an array, as written in Rust. Build time only, each also gets an empty
/// arena: the build script reads the files into owned lists and never reads a stored one.
macro_rules! stored {
    ($($ty:ty),* $(,)?) => {
        pub const STORED: &[&str] = &[$(stringify!($ty)),*];
        $(
            impl Element for $ty {
                const TYPE: &'static str = stringify!($ty);
            }
            impl Stored for $ty {
                fn arena() -> &'static [Self] {
                    &[]
                }
            }
        )*
    };
}

stored! {
    Text, Fact, Source, Row, Milestone, Step, Target, Role, Question, Choice, Rule, RuleGrant,
    Caveat, RuleStep, FindingMeta, Placeholder, Condition, Literal, Model, (Text, Fact),
    (Text, i64), (Text, u32),
}

impl Construct for Text {
    fn construct(&self, code: &mut Code) -> String {
        let offset = match code.string_at.get(self.as_str()) {
            Some(offset) => *offset,
            None => {
                let offset = code.strings.len();
                code.strings.push_str(self);
                code.string_at.insert(self.to_string(), offset);
                offset
            }
        };
        format!("t({offset}, {})", self.len())
    }
}

impl Construct for bool {
    fn construct(&self, _: &mut Code) -> String {
        self.to_string()
    }
}

impl Construct for u32 {
    fn construct(&self, _: &mut Code) -> String {
        format!("{self}u32")
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

impl<V: Construct> Construct for (Text, V) {
    fn construct(&self, code: &mut Code) -> String {
        format!("({}, {})", self.0.construct(code), self.1.construct(code))
    }
}

/// The items' expressions, each written before any is stored: an item's own lists go to their
/// arrays first, so the items of one list stay together in theirs.
fn items<'a, T: Construct + 'a>(
    list: impl IntoIterator<Item = &'a T>,
    code: &mut Code,
) -> Vec<String> {
    list.into_iter().map(|item| item.construct(code)).collect()
}

impl<T: Element + Stored> Construct for List<T> {
    fn construct(&self, code: &mut Code) -> String {
        if self.is_empty() {
            return "l(0, 0)".to_owned();
        }
        let items = items(self.iter(), code);
        let offset = code.store(T::TYPE, items);
        format!("l({offset}, {})", self.len())
    }
}

impl<T: Element + Stored> Construct for Lone<T> {
    fn construct(&self, code: &mut Code) -> String {
        let item = (**self).construct(code);
        let offset = code.store(T::TYPE, vec![item]);
        format!("o({offset})")
    }
}

impl<V: Construct> Construct for Keyed<V>
where
    (Text, V): Element + Stored,
{
    fn construct(&self, code: &mut Code) -> String {
        if self.is_empty() {
            return "k(0, 0)".to_owned();
        }
        let pairs = items(self.pairs(), code);
        let offset = code.store(<(Text, V)>::TYPE, pairs);
        format!("k({offset}, {})", self.len())
    }
}

/// Structs: every field, by name.
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
                body
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
