//! Conditions over answers (`asked_when`, a rule's `when`): whether one holds for a set of
//! answers, and how it reads in words.

use super::answers::{Answer, Answers};
use crate::catalog::{Condition, Question};

/// Whether `cond` holds for `answers`. A comparison on a question without an answer does not
/// hold, except `not_equals`.
pub fn holds(cond: &Condition, answers: &Answers) -> bool {
    if let Some(all) = &cond.all {
        return all.iter().all(|c| holds(c, answers));
    }
    if let Some(any) = &cond.any {
        return any.iter().any(|c| holds(c, answers));
    }
    if let Some(not) = &cond.not {
        return !holds(not, answers);
    }
    let Some(id) = &cond.question else {
        return false;
    };
    // A handful of answers: a scan beats hashing the id, and this runs for every rule.
    let answer = answers.iter().find(|(k, _)| *k == id).map(|(_, a)| a);
    if let Some(v) = &cond.not_equals {
        return answer.is_none_or(|a| !same(a, v));
    }
    let Some(answer) = answer else {
        return false;
    };
    if let Some(v) = &cond.equals {
        return same(answer, v);
    }
    if let Some(list) = &cond.one_of {
        return list.iter().any(|v| same(answer, v));
    }
    let picked = |c: &String| matches!(answer, Answer::Choices(list) if list.contains(c));
    if let Some(list) = &cond.contains_any {
        return list.iter().any(picked);
    }
    if let Some(list) = &cond.contains_all {
        return list.iter().all(picked);
    }
    let Answer::Number(n) = answer else {
        return false;
    };
    cond.gt.is_some_and(|x| *n > x)
        || cond.gte.is_some_and(|x| *n >= x)
        || cond.lt.is_some_and(|x| *n < x)
        || cond.lte.is_some_and(|x| *n <= x)
}

fn same(answer: &Answer, value: &serde_json::Value) -> bool {
    match (answer, value) {
        (Answer::Choice(c), serde_json::Value::String(s)) => c == s,
        (Answer::YesNo(b), serde_json::Value::Bool(v)) => b == v,
        (Answer::Number(n), serde_json::Value::Number(v)) => v.as_i64() == Some(*n),
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

/// A condition in words: `scope is cluster`, `scope is not cluster`, `all of (…)`.
pub fn describe(cond: &Condition) -> String {
    let list = |items: &[Condition], word: &str| {
        let parts: Vec<String> = items.iter().map(describe).collect();
        parts.join(&format!(" {word} "))
    };
    if let Some(all) = &cond.all {
        return format!("({})", list(all, "and"));
    }
    if let Some(any) = &cond.any {
        return format!("({})", list(any, "or"));
    }
    if let Some(not) = &cond.not {
        return format!("not {}", describe(not));
    }
    let q = cond.question.as_deref().unwrap_or_default();
    let show = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let join = |items: &[String]| items.join(", ");
    if let Some(v) = &cond.equals {
        format!("{q} is {}", show(v))
    } else if let Some(v) = &cond.not_equals {
        format!("{q} is not {}", show(v))
    } else if let Some(vs) = &cond.one_of {
        format!(
            "{q} is one of {}",
            join(&vs.iter().map(show).collect::<Vec<_>>())
        )
    } else if let Some(vs) = &cond.contains_any {
        format!("{q} includes any of {}", join(vs))
    } else if let Some(vs) = &cond.contains_all {
        format!("{q} includes all of {}", join(vs))
    } else if let Some(n) = cond.gt {
        format!("{q} > {n}")
    } else if let Some(n) = cond.gte {
        format!("{q} >= {n}")
    } else if let Some(n) = cond.lt {
        format!("{q} < {n}")
    } else if let Some(n) = cond.lte {
        format!("{q} <= {n}")
    } else {
        q.to_owned()
    }
}
