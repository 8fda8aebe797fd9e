//! Property tests for every parser: answers files, typed-in answer values and catalog files.
//! Whatever they are given they never panic, an accepted answer always fits its question, a
//! rejected one is bad input (exit 2), and every catalog diagnostic points into its file. Case
//! counts are modest so that the suite stays fast; the fuzz targets (`fuzz/`) go further.

use std::sync::OnceLock;

use proptest::prelude::*;
use serde_json::{Value as Json, json};

use aks_id::advise::answers::{self, Answer, Origin};
use aks_id::catalog::{self, Catalog, Kind, Question};
use aks_id::error::{Error, ExitCode};

fn builtin() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| catalog::builtin::load().expect("the built-in catalog loads"))
}

/// Whether `answer` is a valid answer to `question`: the right kind, choices from its list (in
/// its order, without repeats), numbers in its range.
fn fits(question: &Question, answer: &Answer) -> bool {
    let ids: Vec<&str> = question.choices.iter().map(|c| c.id.as_ref()).collect();
    match (question.kind, answer) {
        (Kind::OneOf, Answer::Choice(c)) => ids.contains(&c.as_ref()),
        (Kind::AnyOf, Answer::Choices(list)) => {
            let positions: Vec<usize> = list
                .iter()
                .filter_map(|c| ids.iter().position(|id| id == c))
                .collect();
            positions.len() == list.len() && positions.windows(2).all(|w| w[0] < w[1])
        }
        (Kind::YesNo, Answer::YesNo(_)) => true,
        (Kind::Number, Answer::Number(n)) => {
            question.min.is_none_or(|min| *n >= min) && question.max.is_none_or(|max| *n <= max)
        }
        _ => false,
    }
}

fn is_bad_input(err: &Error) -> bool {
    err.exit_code() == ExitCode::BadInput
}

/// Question ids: the real ones, their dashed spellings, and some that are not.
fn question_id() -> impl Strategy<Value = String> {
    let mut ids: Vec<String> = builtin()
        .questions
        .iter()
        .map(|q| q.id.to_string())
        .collect();
    ids.extend(ids.clone().iter().map(|id| id.replace('_', "-")));
    ids.extend(["bogus", "Scope", "scope ", "", "targets.0", "1"].map(String::from));
    prop_oneof![
        4 => proptest::sample::select(ids),
        1 => "[a-z_-]{0,12}",
    ]
}

/// Scalar texts likely to be near an answer: choice ids, numbers, yes/no words, and noise.
fn text() -> impl Strategy<Value = String> {
    let mut words: Vec<String> = builtin()
        .questions
        .iter()
        .flat_map(|q| q.choices.iter().map(|c| c.id.to_string()))
        .collect();
    words.extend(
        [
            "yes", "no", "Y", "false", "none", "0", "1", "3", "10000", "10001", "-1", " pod ",
        ]
        .map(String::from),
    );
    prop_oneof![
        3 => proptest::sample::select(words),
        1 => "[A-Za-z0-9 ,_-]{0,16}",
        1 => any::<String>(),
    ]
}

/// Any answers-file value: scalars of every kind, lists and nested mappings.
fn value() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        (-3i64..20_000).prop_map(|n| json!(n)),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        text().prop_map(Json::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Json::Array),
            proptest::collection::btree_map("[a-z_]{1,8}", inner, 0..4)
                .prop_map(|m| Json::Object(m.into_iter().collect())),
        ]
    })
}

/// An answers file: a mapping from ids to values, as YAML or as JSON text; sometimes not a
/// mapping at all.
fn answers_file() -> impl Strategy<Value = String> {
    let mapping = proptest::collection::vec((question_id(), value()), 0..8)
        .prop_map(|entries| Json::Object(entries.into_iter().collect()));
    let document = prop_oneof![4 => mapping, 1 => value()];
    (document, any::<bool>()).prop_map(|(doc, as_json)| {
        if as_json {
            serde_json::to_string_pretty(&doc).unwrap()
        } else {
            aks_id::yaml::to_string(&doc).unwrap()
        }
    })
}

fn check_answers_file(text: &str) -> Result<(), TestCaseError> {
    let catalog = builtin();
    match answers::from_file(catalog, "f.yaml", text) {
        Ok(given) => {
            for (id, answer, origin) in given {
                let question = catalog.question(&id);
                prop_assert!(question.is_some(), "answer to unknown question {id}");
                prop_assert!(
                    fits(question.unwrap(), &answer),
                    "{id}: {answer:?} does not fit; text:\n{text}"
                );
                let from_file = matches!(origin, Origin::File { .. });
                prop_assert!(from_file, "origin {}", origin);
            }
        }
        Err(err) => prop_assert!(is_bad_input(&err), "{err}"),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn answers_files_give_fitting_answers_or_bad_input(text in answers_file()) {
        check_answers_file(&text)?;
    }

    #[test]
    fn answers_files_of_random_bytes_never_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..512)
    ) {
        check_answers_file(&String::from_utf8_lossy(&bytes))?;
    }

    #[test]
    fn typed_answers_fit_their_question_or_are_bad_input(
        index in 0..64usize,
        typed in prop_oneof![text(), any::<String>()],
    ) {
        let questions = &builtin().questions;
        let question = &questions[index % questions.len()];
        let origin = Origin::Stdin { line: 1 };
        match answers::parse_text(question, &typed, &origin) {
            Ok(answer) => prop_assert!(fits(question, &answer), "{typed:?} -> {answer:?}"),
            Err(err) => prop_assert!(is_bad_input(&err), "{err}"),
        }
    }

    #[test]
    fn a_choice_id_in_any_case_with_spaces_or_its_number_picks_that_choice(
        index in 0..64usize,
        choice in 0..64usize,
        upper in proptest::collection::vec(any::<bool>(), 32),
        before in " {0,3}",
        after in "[ \t]{0,3}",
        by_number in any::<bool>(),
    ) {
        let questions: Vec<&Question> = builtin()
            .questions
            .iter()
            .filter(|q| matches!(q.kind, Kind::OneOf | Kind::AnyOf))
            .collect();
        let question = questions[index % questions.len()];
        let n = choice % question.choices.len();
        let id = &question.choices[n].id;
        let spelled: String = if by_number {
            (n + 1).to_string()
        } else {
            id.chars()
                .zip(upper.iter().cycle())
                .map(|(c, up)| if *up { c.to_ascii_uppercase() } else { c })
                .collect()
        };
        let typed = format!("{before}{spelled}{after}");
        let answer = answers::parse_text(question, &typed, &Origin::Prompt);
        let expected = match question.kind {
            Kind::OneOf => Answer::Choice(id.clone()),
            _ => Answer::Choices(vec![id.clone()]),
        };
        prop_assert_eq!(answer.ok(), Some(expected), "{:?}", typed);
    }
}

/// One change to a catalog file.
#[derive(Clone, Debug)]
enum Mutation {
    DeleteLine(usize),
    DuplicateLine(usize),
    Insert(usize, String),
    SwapLines(usize, usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let inserted = prop_oneof![
        "[ -~]{0,12}",
        proptest::sample::select(vec![
            ": ".to_owned(),
            "\n- ".to_owned(),
            "[".to_owned(),
            "{".to_owned(),
            "&a ".to_owned(),
            "*a".to_owned(),
            "\t".to_owned(),
            "\"".to_owned(),
            "\n  ".to_owned(),
            "---\n".to_owned(),
            "!!int ".to_owned(),
            "é".to_owned(),
        ]),
    ];
    prop_oneof![
        any::<usize>().prop_map(Mutation::DeleteLine),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        (any::<usize>(), inserted).prop_map(|(at, text)| Mutation::Insert(at, text)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

/// `text` with `mutation` applied; positions are taken modulo the text's lines or characters.
fn mutate(text: &str, mutation: &Mutation) -> String {
    let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
    let chars = text.chars().count().max(1);
    let at_char = |n: usize| {
        text.char_indices()
            .nth(n % chars)
            .map_or(text.len(), |(i, _)| i)
    };
    let len = lines.len().max(1);
    match mutation {
        Mutation::DeleteLine(n) if !lines.is_empty() => {
            lines.remove(n % len);
            lines.concat()
        }
        Mutation::DuplicateLine(n) if !lines.is_empty() => {
            let line = lines[n % len];
            lines.insert(n % len, line);
            lines.concat()
        }
        Mutation::SwapLines(a, b) if !lines.is_empty() => {
            lines.swap(a % len, b % len);
            lines.concat()
        }
        Mutation::Insert(n, inserted) => {
            let at = at_char(*n);
            format!("{}{inserted}{}", &text[..at], &text[at..])
        }
        Mutation::Truncate(n) => text[..at_char(*n)].to_owned(),
        _ => text.to_owned(),
    }
}

#[test]
fn the_builtin_catalog_parses() {
    let files: Vec<(String, String)> = catalog::builtin::FILES
        .iter()
        .map(|(rel, text)| ((*rel).to_owned(), (*text).to_owned()))
        .collect();
    assert!(catalog::parse(catalog::Origin::BuiltIn, "rules", &files).is_ok());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_mutated_catalog_never_panics_and_points_into_its_files(
        file in 0..catalog::builtin::FILES.len(),
        mutation in mutation(),
    ) {
        let mut files: Vec<(String, String)> = catalog::builtin::FILES
            .iter()
            .map(|(rel, text)| ((*rel).to_owned(), (*text).to_owned()))
            .collect();
        files[file].1 = mutate(&files[file].1, &mutation);
        let Err(err) = catalog::parse(catalog::Origin::BuiltIn, "rules", &files) else {
            return Ok(());
        };
        prop_assert!(!err.diagnostics.is_empty());
        prop_assert!(err.diagnostics.len() <= aks_id::diag::MAX_DIAGNOSTICS);
        for d in &err.diagnostics {
            let text = files
                .iter()
                .find(|(rel, _)| d.file == format!("rules/{rel}"))
                .map(|(_, text)| text);
            prop_assert!(
                text.is_some() || d.file == "rules/models",
                "{d}: not a file of the catalog"
            );
            let lines = text.map_or(0, |t| t.lines().count());
            // One past the last line: the end of the file, where an unfinished text stops.
            prop_assert!(d.position.line <= lines + 1, "{d}: beyond line {lines}");
            if d.position.line >= 1 {
                prop_assert!(d.position.column >= 1, "{d}: column 0");
            }
        }
    }
}
