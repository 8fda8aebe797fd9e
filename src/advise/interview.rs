//! The interview: walks the questionnaire in order, skipping questions whose `asked_when` does
//! not hold, and takes each answer from the flags and answers file first, then from an
//! [`Asker`] (arrow-key prompts on a terminal, or one piped line per question), else the default.
//!
//! Whichever way an answer arrives it is parsed by `answers`, so the same answers give the same
//! advice.

use std::io::{BufRead, Read, Write};

use super::answers::{self, Answer, Answers, Origin, expected};
use super::conditions::is_asked;
use crate::catalog::{Catalog, Kind, Question, Text};
use crate::display::untrusted;
use crate::error::Error;

/// Where answers that were not given up front come from.
pub trait Asker {
    /// Asks `question` (the `number`th of about `total`). `Ok(None)` takes the default.
    fn ask(
        &mut self,
        question: &Question,
        number: usize,
        total: usize,
    ) -> Result<Option<Answer>, Error>;
}

/// No prompts: every unanswered question takes its default (`--no-input` on a terminal).
pub struct Defaults;

impl Asker for Defaults {
    fn ask(&mut self, _: &Question, _: usize, _: usize) -> Result<Option<Answer>, Error> {
        Ok(None)
    }
}

/// One answer per line from a reader (piped stdin), prompts to a writer (stderr). A blank line
/// takes the default; the end of input before the interview is complete is an error.
pub struct Lines<R, W> {
    input: R,
    prompts: W,
    line: usize,
    /// `--no-input`: once the input ends, the remaining questions take their defaults.
    defaults_after_end: bool,
    ended: bool,
}

impl<R: BufRead, W: Write> Lines<R, W> {
    pub fn new(input: R, prompts: W) -> Self {
        Self {
            input,
            prompts,
            line: 0,
            defaults_after_end: false,
            ended: false,
        }
    }

    /// With `--no-input`: the end of input is not an error; later questions take defaults.
    pub fn defaults_after_end(mut self) -> Self {
        self.defaults_after_end = true;
        self
    }
}

impl<R, W> Lines<R, W> {
    /// How many lines were read, and whether the input has ended.
    pub fn position(&self) -> (usize, bool) {
        (self.line, self.ended)
    }
}

/// The lines of `rest`, the input left after line `read`, that hold an answer (blank ones are
/// not counted): the number of the first of them and how many there are, or `None`. At most the
/// size of an answers file is read.
pub fn leftover(rest: impl Read, read: usize) -> std::io::Result<Option<(usize, usize)>> {
    let mut bytes = Vec::new();
    rest.take(answers::MAX_ANSWERS_BYTES as u64)
        .read_to_end(&mut bytes)?;
    let text = String::from_utf8_lossy(&bytes);
    let mut unused = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty());
    Ok(unused
        .next()
        .map(|(first, _)| (read + first + 1, 1 + unused.count())))
}

/// The largest answer line read; a longer one is an error, not a memory hog.
const MAX_LINE_BYTES: u64 = 64 * 1024;

impl<R: BufRead, W: Write> Asker for Lines<R, W> {
    fn ask(
        &mut self,
        question: &Question,
        number: usize,
        total: usize,
    ) -> Result<Option<Answer>, Error> {
        if self.ended {
            return Ok(None);
        }
        let default = answers::default_of(question);
        // Prompts are a courtesy on stderr (none with `--no-input`); a closed stderr must not
        // stop a script.
        if !self.defaults_after_end {
            let _ = writeln!(
                self.prompts,
                "[{number}/{total}] {} ({}) [default: {default}]",
                untrusted(&question.prompt),
                untrusted(&expected(question))
            );
            let _ = self.prompts.flush();
        }
        let mut buf = Vec::new();
        // The answer, its line break (`\n` or `\r\n`) and one byte more, to tell an answer of
        // exactly the limit from a longer one.
        let read = Read::take(&mut self.input, MAX_LINE_BYTES + 3)
            .read_until(b'\n', &mut buf)
            .map_err(|e| Error::io("cannot read answers from stdin", e))?;
        self.line += 1;
        if read == 0 && self.defaults_after_end {
            self.ended = true;
            return Ok(None);
        }
        if read == 0 {
            return Err(Error::Answer(format!(
                "stdin ended before question `{}` ({number} of {total}) was answered; \
                 pipe one line per question, use --answers FILE, or --no-input to take the defaults",
                question.id
            )));
        }
        if buf.last() == Some(&b'\n') {
            buf.pop();
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
        }
        if buf.len() as u64 > MAX_LINE_BYTES {
            return Err(Error::Answer(format!(
                "stdin line {}: the answer to question `{}` is longer than {MAX_LINE_BYTES} bytes",
                self.line, question.id
            )));
        }
        let text = String::from_utf8(buf).map_err(|_| {
            Error::Answer(format!(
                "stdin line {}: the answer to question `{}` is not UTF-8 text",
                self.line, question.id
            ))
        })?;
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        answers::parse_text(question, text, &Origin::Stdin { line: self.line }).map(Some)
    }
}

/// The answers file was read from stdin, so nothing is left to prompt with: an unanswered
/// question is an error that says how to answer it.
pub struct FromFileOnly;

impl Asker for FromFileOnly {
    fn ask(&mut self, question: &Question, _: usize, _: usize) -> Result<Option<Answer>, Error> {
        Err(Error::Answer(format!(
            "question `{}` is not answered in the answers read from stdin; add it, pass --set {}=VALUE, or --no-input to take its default",
            question.id, question.id
        )))
    }
}

/// Answers fixed in advance, by question id; others take their defaults. For tests and tools.
pub struct Preset(pub Answers);

impl Asker for Preset {
    fn ask(&mut self, question: &Question, _: usize, _: usize) -> Result<Option<Answer>, Error> {
        Ok(self.0.get(&question.id).cloned())
    }
}

/// The result of an interview: every asked question's answer, in interview order.
pub struct Interview {
    pub answers: Answers,
    pub defaulted: Vec<Text>,
    /// Given answers that were not used, because their question was not asked.
    pub unused: Vec<(Text, Origin)>,
}

/// Runs the interview. `given` are the answers from flags and files, later ones winning.
///
/// Linear in the questions: each condition looks its answers up by id, and the "of M" of the
/// progress is recomputed only when an answer differs from the default it was estimated with
/// and a later condition reads it.
pub fn run(
    catalog: &Catalog,
    given: Vec<(Text, Answer, Origin)>,
    asker: &mut dyn Asker,
) -> Result<Interview, Error> {
    let mut preset: Answers = Answers::default();
    // The origin of each given answer, the last one for a question given twice.
    let mut origins: indexmap::IndexMap<Text, Origin, rustc_hash::FxBuildHasher> =
        indexmap::IndexMap::default();
    for (id, answer, origin) in given {
        preset.insert(id.clone(), answer);
        origins.shift_remove(&id);
        origins.insert(id, origin);
    }
    // The questions some condition reads: only an answer to one of them can change which
    // questions come later.
    let mut read_by_conditions = rustc_hash::FxHashSet::default();
    for q in &catalog.questions {
        if let Some(cond) = &q.asked_when {
            questions_read(cond, &mut read_by_conditions);
        }
    }
    let mut answers = Answers::default();
    let mut defaulted = Vec::new();
    let mut number = 0;
    let mut total: Option<usize> = None;
    for question in &catalog.questions {
        if !is_asked(question, &answers) {
            continue;
        }
        if let Some(answer) = preset.get(&question.id) {
            answers.insert(question.id.clone(), answer.clone());
            // An answer that was itself a default (an `advise` output read back) stays one.
            if origins
                .iter()
                .any(|(id, origin)| *id == question.id && *origin == Origin::Default)
            {
                defaulted.push(question.id.clone());
            }
            continue;
        }
        number += 1;
        let estimate = match total {
            Some(total) => total,
            None => number + remaining(catalog, question, &answers, &preset),
        };
        total = Some(estimate);
        let default = answers::default_of(question);
        match asker.ask(question, number, estimate.max(number))? {
            Some(answer) => {
                if answer != default && read_by_conditions.contains(question.id.as_ref()) {
                    total = None;
                }
                answers.insert(question.id.clone(), answer);
            }
            None => {
                answers.insert(question.id.clone(), default);
                defaulted.push(question.id.clone());
            }
        }
    }
    let unused = origins
        .into_iter()
        .filter(|(id, _)| !answers.contains_key(id))
        .collect();
    Ok(Interview {
        answers,
        defaulted,
        unused,
    })
}

/// Adds the ids of the questions `cond` reads to `ids`.
fn questions_read<'c>(
    cond: &'c crate::catalog::Condition,
    ids: &mut rustc_hash::FxHashSet<&'c str>,
) {
    use crate::catalog::Condition;
    match cond {
        Condition::Compare { question, .. } => {
            ids.insert(question.as_ref());
        }
        Condition::All(list) | Condition::Any(list) => {
            for inner in list {
                questions_read(inner, ids);
            }
        }
        Condition::Not(inner) => questions_read(inner, ids),
        Condition::Malformed(_) => {}
    }
}

/// How many questions after `current` will probably be asked without a given answer, assuming
/// defaults for what is not answered yet: the "of M" in "question N of M".
fn remaining(catalog: &Catalog, current: &Question, answers: &Answers, preset: &Answers) -> usize {
    let mut assumed = answers.clone();
    let mut after = false;
    let mut count = 0;
    for q in &catalog.questions {
        if q.id == current.id {
            after = true;
            assumed.insert(q.id.clone(), answers::default_of(q));
            continue;
        }
        if !after || !is_asked(q, &assumed) {
            continue;
        }
        match preset.get(&q.id) {
            Some(a) => {
                assumed.insert(q.id.clone(), a.clone());
            }
            None => {
                count += 1;
                assumed.insert(q.id.clone(), answers::default_of(q));
            }
        }
    }
    count
}

/// Arrow-key prompts on a terminal (inquire), on stderr. Only used when stdin and stderr are
/// both terminals: prompt libraries hang or fail otherwise.
pub struct Terminal {
    /// Colors on stderr, as `--color` and the environment decide (inquire alone reads only
    /// `NO_COLOR`).
    pub color: bool,
}

impl Asker for Terminal {
    fn ask(
        &mut self,
        question: &Question,
        number: usize,
        total: usize,
    ) -> Result<Option<Answer>, Error> {
        use inquire::{Confirm, CustomType, MultiSelect, Select, ui::RenderConfig};
        let look = if self.color {
            RenderConfig::default_colored()
        } else {
            RenderConfig::empty()
        };
        let message = format!("[{number}/{total}] {}", untrusted(&question.prompt));
        let help = untrusted(question.help.trim());
        let help = help.as_ref();
        let default = answers::default_of(question);
        let labels: Vec<String> = question
            .choices
            .iter()
            .map(|c| format!("{} ({})", untrusted(&c.label), untrusted(&c.id)))
            .collect();
        let result = match (question.kind, &default) {
            (Kind::OneOf, Answer::Choice(d)) => {
                let start = question
                    .choices
                    .iter()
                    .position(|c| &c.id == d)
                    .unwrap_or(0);
                Select::new(&message, labels.clone())
                    .with_render_config(look)
                    .with_help_message(help)
                    .with_starting_cursor(start)
                    .raw_prompt()
                    .map(|picked| Answer::Choice(question.choices[picked.index].id.clone()))
            }
            (Kind::AnyOf, Answer::Choices(d)) => {
                let start: Vec<usize> = question
                    .choices
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| d.contains(&c.id))
                    .map(|(i, _)| i)
                    .collect();
                let help = format!("{help} (space to pick, enter to confirm)");
                MultiSelect::new(&message, labels.clone())
                    .with_render_config(look)
                    .with_help_message(&help)
                    .with_default(&start)
                    .raw_prompt()
                    .map(|picked| {
                        let mut ids: Vec<usize> = picked.iter().map(|p| p.index).collect();
                        ids.sort_unstable();
                        Answer::Choices(
                            ids.into_iter()
                                .map(|i| question.choices[i].id.clone())
                                .collect(),
                        )
                    })
            }
            (Kind::YesNo, Answer::YesNo(d)) => Confirm::new(&message)
                .with_render_config(look)
                .with_help_message(help)
                .with_default(*d)
                .prompt()
                .map(Answer::YesNo),
            (Kind::Number, Answer::Number(d)) => {
                let (min, max) = (question.min, question.max);
                let range = expected(question);
                CustomType::<i64>::new(&message)
                    .with_render_config(look)
                    .with_help_message(help)
                    .with_default(*d)
                    .with_error_message(&format!("Please type {range}"))
                    .with_validator(move |n: &i64| {
                        if min.is_some_and(|m| *n < m) || max.is_some_and(|m| *n > m) {
                            Ok(inquire::validator::Validation::Invalid(
                                format!("Expected {range}").into(),
                            ))
                        } else {
                            Ok(inquire::validator::Validation::Valid)
                        }
                    })
                    .prompt()
                    .map(Answer::Number)
            }
            _ => return Ok(None),
        };
        match result {
            Ok(answer) => Ok(Some(answer)),
            Err(
                inquire::InquireError::OperationInterrupted
                | inquire::InquireError::OperationCanceled,
            ) => Err(Error::Interrupted),
            Err(inquire::InquireError::IO(e)) => Err(Error::io("cannot prompt on the terminal", e)),
            Err(e) => Err(Error::Usage(format!("cannot prompt on the terminal: {e}"))),
        }
    }
}
