//! Conditions over answers (`asked_when`, a rule's `when`): whether one holds for a set of
//! answers, and how it reads in words.

use super::answers::{Answer, Answers};
use crate::catalog::{Condition, Literal, Question, Test, Text};

/// Whether `cond` holds for `answers`. A comparison on a question without an answer does not
/// hold, except `not_equals`.
pub fn holds(cond: &Condition, answers: &Answers) -> bool {
    let (id, test) = match cond {
        Condition::All(all) => return all.iter().all(|c| holds(c, answers)),
        Condition::Any(any) => return any.iter().any(|c| holds(c, answers)),
        Condition::Not(not) => return !holds(not, answers),
        Condition::Malformed(_) => return false,
        Condition::Compare { question, test } => (question, test),
    };
    // By id: a catalog may have thousands of questions, and this runs for every condition.
    let answer = answers.get(id.as_ref());
    if let Test::NotEquals(v) = test {
        return answer.is_none_or(|a| !same(a, v));
    }
    let Some(answer) = answer else {
        return false;
    };
    let picked = |c: &Text| matches!(answer, Answer::Choices(list) if list.contains(c));
    let number = match answer {
        Answer::Number(n) => Some(*n),
        _ => None,
    };
    match test {
        Test::Equals(v) => same(answer, v),
        Test::NotEquals(v) => !same(answer, v),
        Test::OneOf(list) => list.iter().any(|v| same(answer, v)),
        Test::ContainsAny(list) => list.iter().any(picked),
        Test::ContainsAll(list) => list.iter().all(picked),
        Test::Gt(x) => number.is_some_and(|n| n > *x),
        Test::Gte(x) => number.is_some_and(|n| n >= *x),
        Test::Lt(x) => number.is_some_and(|n| n < *x),
        Test::Lte(x) => number.is_some_and(|n| n <= *x),
    }
}

fn same(answer: &Answer, value: &Literal) -> bool {
    match (answer, value) {
        (Answer::Choice(c), Literal::Text(s)) => c == s,
        (Answer::YesNo(b), Literal::Bool(v)) => b == v,
        (Answer::Number(n), Literal::Number(v)) => n == v,
        _ => false,
    }
}

/// Whether `question` is asked, given the answers so far.
pub fn is_asked(question: &Question, answers: &Answers) -> bool {
    question
        .asked_when
        .as_ref()
        .is_none_or(|c| holds(c, answers))
}

/// The questions a condition compares, in the order they appear, each once.
pub fn questions(cond: &Condition) -> Vec<&str> {
    let mut out = Vec::new();
    collect_questions(cond, &mut out);
    out
}

fn collect_questions<'a>(cond: &'a Condition, out: &mut Vec<&'a str>) {
    match cond {
        Condition::All(list) | Condition::Any(list) => {
            for c in list {
                collect_questions(c, out);
            }
        }
        Condition::Not(inner) => collect_questions(inner, out),
        Condition::Malformed(_) => {}
        Condition::Compare { question, .. } => {
            if !out.contains(&question.as_ref()) {
                out.push(question);
            }
        }
    }
}

/// A condition in words: `scope is cluster`, `scope is not cluster`, `all of (…)`.
pub fn describe(cond: &Condition) -> String {
    let list = |items: &[Condition], word: &str| {
        let parts: Vec<String> = items.iter().map(describe).collect();
        parts.join(&format!(" {word} "))
    };
    let (q, test) = match cond {
        Condition::All(all) => return format!("({})", list(all, "and")),
        Condition::Any(any) => return format!("({})", list(any, "or")),
        Condition::Not(not) => return format!("not {}", describe(not)),
        Condition::Malformed(raw) => return raw.question.as_deref().unwrap_or_default().to_owned(),
        Condition::Compare { question, test } => (question, test),
    };
    let shown = |vs: &[Literal]| vs.iter().map(Literal::shown).collect::<Vec<_>>().join(", ");
    match test {
        Test::Equals(v) => format!("{q} is {}", v.shown()),
        Test::NotEquals(v) => format!("{q} is not {}", v.shown()),
        Test::OneOf(vs) => format!("{q} is one of {}", shown(vs)),
        Test::ContainsAny(vs) => format!("{q} includes any of {}", vs.join(", ")),
        Test::ContainsAll(vs) => format!("{q} includes all of {}", vs.join(", ")),
        Test::Gt(n) => format!("{q} > {n}"),
        Test::Gte(n) => format!("{q} >= {n}"),
        Test::Lt(n) => format!("{q} < {n}"),
        Test::Lte(n) => format!("{q} <= {n}"),
    }
}
