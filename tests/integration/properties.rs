//! Properties of the advisor over random answers, against the library: any valid answer set gives
//! deterministic advice that never recommends an excluded model or pod-managed identity; any
//! invalid answer is bad input (exit 2), never a panic.

use aks_id::advise::answers::{self, Answer, Answers, Origin};
use aks_id::advise::engine;
use aks_id::advise::interview::{self, Preset};
use aks_id::catalog::{Catalog, Kind, Question};
use aks_id::error::ExitCode;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use crate::support::*;

fn builtin() -> &'static Catalog {
    static CATALOG: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
    CATALOG.get_or_init(catalog)
}

/// Random material for one question: whether it is answered, a number, and a pick per choice.
type Draw = (bool, u32, Vec<bool>);

fn draws() -> impl Strategy<Value = Vec<Draw>> {
    let n = builtin().questions.len();
    prop::collection::vec(
        (
            any::<bool>(),
            any::<u32>(),
            prop::collection::vec(any::<bool>(), 16),
        ),
        n..=n,
    )
}

/// A valid answer for `question` from `draw`.
fn valid_answer(question: &Question, (_, n, picks): &Draw) -> Answer {
    match question.kind {
        Kind::OneOf => Answer::Choice(
            question.choices[*n as usize % question.choices.len()]
                .id
                .clone(),
        ),
        Kind::AnyOf => Answer::Choices(
            question
                .choices
                .iter()
                .zip(picks)
                .filter(|(_, p)| **p)
                .map(|(c, _)| c.id.clone())
                .collect(),
        ),
        Kind::YesNo => Answer::YesNo(n % 2 == 0),
        Kind::Number => {
            let min = question.min.unwrap_or(0);
            let max = question.max.unwrap_or(min + 100_000);
            // Edges half the time: the rules compare numbers with thresholds.
            let span = (max - min + 1) as u64;
            let value = match n % 4 {
                0 => min,
                1 => max,
                _ => min + (u64::from(*n) % span) as i64,
            };
            Answer::Number(value)
        }
    }
}

/// A random valid answer set: some questions answered, the rest left to their defaults.
fn answer_set(draws: &[Draw]) -> Answers {
    builtin()
        .questions
        .iter()
        .zip(draws)
        .filter(|(_, d)| d.0)
        .map(|(q, d)| (q.id.clone(), valid_answer(q, d)))
        .collect()
}

fn check_advice(preset: Answers) -> Result<(), TestCaseError> {
    let catalog = builtin();
    let interview = interview::run(catalog, Vec::new(), &mut Preset(preset.clone()))
        .map_err(|e| TestCaseError::fail(format!("interview failed: {e}")))?;
    let first = engine::evaluate(
        catalog,
        interview.answers.clone(),
        interview.defaulted.clone(),
    );
    let again = engine::evaluate(
        catalog,
        interview.answers.clone(),
        interview.defaulted.clone(),
    );
    let first_json = serde_json::to_string(&first).unwrap();
    prop_assert_eq!(&first_json, &serde_json::to_string(&again).unwrap());

    // Every asked question has an answer; the preset ones are kept as given.
    for (id, answer) in &interview.answers {
        if let Some(given) = preset.get(id) {
            prop_assert_eq!(given, answer);
        }
    }
    match &first.recommendation {
        Some(r) => {
            prop_assert_ne!(r.model, "pod", "{}", first_json);
            let ranked = first.ranking.iter().find(|x| x.model == r.model).unwrap();
            prop_assert!(
                !ranked.excluded,
                "recommended an excluded model: {}",
                first_json
            );
            prop_assert_eq!(first.ranking[0].model, r.model);
            for other in first.ranking.iter().filter(|x| !x.excluded) {
                prop_assert!(other.score <= r.score, "{}", first_json);
            }
        }
        None => {
            prop_assert!(
                first.ranking.iter().all(|x| x.excluded),
                "no recommendation, yet a model is not excluded: {}",
                first_json
            );
            prop_assert!(
                first.grants.is_empty(),
                "no model, no grants: {}",
                first_json
            );
        }
    }
    let pod = first.ranking.iter().find(|x| x.model == "pod").unwrap();
    prop_assert!(pod.excluded, "pod-managed identity is always excluded");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn valid_answers_give_deterministic_advice_that_never_picks_an_excluded_model(
        draws in draws()
    ) {
        check_advice(answer_set(&draws))?;
    }

    #[test]
    fn valid_answers_for_every_question_parse_back_from_their_text(draws in draws()) {
        // Text answers (flags, piped lines) parse to the very answers they spell.
        let catalog = builtin();
        for (q, d) in catalog.questions.iter().zip(&draws) {
            let answer = valid_answer(q, d);
            let text = match &answer {
                Answer::Choices(list) if list.is_empty() => "none".to_owned(),
                Answer::Choices(list) => list.join(","),
                other => other.to_string(),
            };
            let parsed = answers::parse_text(q, &text, &Origin::Prompt)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(parsed, answer);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Invalid answers
// ---------------------------------------------------------------------------------------------

/// Whether `text` is a valid typed answer to `question` (an oracle written from design.md §4).
fn is_valid_text(question: &Question, text: &str) -> bool {
    let text = text.trim();
    let one = |item: &str| {
        question
            .choices
            .iter()
            .any(|c| c.id.eq_ignore_ascii_case(item))
            || item
                .parse::<usize>()
                .is_ok_and(|n| (1..=question.choices.len()).contains(&n))
    };
    match question.kind {
        Kind::OneOf => one(text),
        Kind::AnyOf => text.eq_ignore_ascii_case("none") || text.split(',').map(str::trim).all(one),
        Kind::YesNo => {
            ["y", "yes", "true", "n", "no", "false"].contains(&text.to_ascii_lowercase().as_str())
        }
        Kind::Number => text.parse::<i64>().is_ok_and(|n| {
            question.min.is_none_or(|m| n >= m) && question.max.is_none_or(|m| n <= m)
        }),
    }
}

fn question_index() -> impl Strategy<Value = usize> {
    0..builtin().questions.len()
}

/// Text that is unlikely to be a valid answer: words, numbers (often out of range), separators.
fn garbage() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z_-]{1,14}",
        "-?[0-9]{1,22}",
        "[a-z0-9, ]{0,20}",
        "\\PC{0,16}",
        Just(",".to_owned()),
        Just("key-vault,".to_owned()),
        Just("yes please".to_owned()),
        Just("1.5".to_owned()),
    ]
}

fn expect_bad_input<T: std::fmt::Debug>(
    result: Result<T, aks_id::error::Error>,
    what: &str,
) -> Result<(), TestCaseError> {
    match result {
        Ok(value) => Err(TestCaseError::fail(format!(
            "{what} was accepted: {value:?}"
        ))),
        Err(e) => {
            prop_assert_eq!(e.exit_code(), ExitCode::BadInput, "{}: {}", what, e);
            Ok(())
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn invalid_typed_answers_are_bad_input(i in question_index(), text in garbage()) {
        let q = &builtin().questions[i];
        prop_assume!(!is_valid_text(q, &text) && !text.trim().is_empty());
        let origin = Origin::Stdin { line: 1 };
        let result = answers::parse_text(q, &text, &origin);
        expect_bad_input(result, &format!("{} = {text:?}", q.id))?;
    }

    #[test]
    fn invalid_flags_are_bad_input(i in question_index(), text in garbage(), id in "[a-z_]{1,12}") {
        let catalog = builtin();
        let q = &catalog.questions[i];
        // A known question with a bad value, an unknown question, and no `=` at all.
        if !is_valid_text(q, &text) {
            let flag = format!("{}={text}", q.id);
            expect_bad_input(answers::from_flags(catalog, std::slice::from_ref(&flag)), &flag)?;
        }
        if catalog.questions.iter().all(|q| q.id != id && q.id.replace('_', "-") != id) {
            let flag = format!("{id}=workload");
            expect_bad_input(answers::from_flags(catalog, std::slice::from_ref(&flag)), &flag)?;
        }
        let flag = text.replace('=', "");
        expect_bad_input(answers::from_flags(catalog, std::slice::from_ref(&flag)), &flag)?;
    }

    #[test]
    fn invalid_answers_files_are_bad_input(i in question_index(), text in garbage()) {
        let catalog = builtin();
        let q = &catalog.questions[i];
        prop_assume!(!is_valid_text(q, &text) && !text.trim().is_empty());
        // As a quoted scalar, and as an item of a list for list questions.
        let quoted = serde_json::to_string(&text).unwrap();
        let file = format!("{}: {quoted}\n", q.id);
        expect_bad_input(answers::from_file(catalog, "a.yaml", &file), &file)?;
        if q.kind == Kind::AnyOf && !text.contains(',') {
            let file = format!("{}: [{quoted}]\n", q.id);
            expect_bad_input(answers::from_file(catalog, "a.yaml", &file), &file)?;
        }
    }

    #[test]
    fn arbitrary_answers_file_text_never_panics(text in "\\PC{0,200}") {
        // Valid or not, the parser returns: an error is bad input.
        if let Err(e) = answers::from_file(builtin(), "a.yaml", &text) {
            prop_assert_eq!(e.exit_code(), ExitCode::BadInput);
        }
    }
}

proptest! {
    // Each case starts a process: a handful is enough to prove the wiring.
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn the_binary_exits_2_without_a_panic_on_invalid_answers(
        i in question_index(),
        text in garbage(),
        how in 0..3usize,
    ) {
        // Piped lines answer the first question first.
        let i = if how == 2 { 0 } else { i };
        let q = &builtin().questions[i];
        prop_assume!(!is_valid_text(q, &text) && !text.trim().is_empty());
        let flag = format!("{}={text}", q.id);
        let file = format!("{}: {}\n", q.id, serde_json::to_string(&text).unwrap());
        let out = match how {
            0 => run_stdin(&["advise", "--no-input", "-o", "json", "--set", &flag], None),
            1 => run_stdin(&["advise", "--no-input", "-o", "json", "--answers", "-"], Some(&file)),
            _ => run_stdin(&["advise", "-o", "json"], Some(&format!("{text}\n"))),
        };
        let err = out.stderr;
        prop_assert_eq!(out.code, 2, "{}", err);
        prop_assert!(!err.contains("panicked"), "{}", err);
        prop_assert!(err.contains(&format!("question `{}`", q.id)), "{}", err);
        prop_assert!(out.stdout.is_empty());
    }
}
