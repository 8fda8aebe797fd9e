//! `aks-id advise`: gather the answers (flags, a file, prompts or piped lines), run the rules
//! once, and render the advice. The exit code says whether a model fits.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::advise::answers::{self, MAX_ANSWERS_BYTES};
use crate::advise::engine;
use crate::advise::interview::{self, Asker};
use crate::catalog::Catalog;
use crate::error::{Error, ExitCode, warn};
use crate::fsio::{self, Unreadable};
use crate::plan::{self, shell, vars::Vars};
use crate::render::advice::{self, AdviceFormat};
use crate::render::{ColorChoice, Terminal};

/// `advise`'s options.
#[derive(Debug, Clone)]
pub struct Options {
    /// `--answers FILE` (`-` for stdin).
    pub answers_file: Option<PathBuf>,
    /// `ID=VALUE` answers, from the arguments then `--set`; at most one per question.
    pub flags: Vec<String>,
    pub no_input: bool,
    pub format: AdviceFormat,
    pub explain: bool,
    /// `--var ID=VALUE`: placeholder values for `-o script` and `-o manifests`.
    pub vars: Vec<String>,
    /// `--detail`: everything, not one screen.
    pub detail: bool,
    pub width: Option<u16>,
    /// `--rules DIR`, repeated in the command printed after prompts.
    pub rules: Option<PathBuf>,
}

/// The largest answers file or stdin read.
const MAX_ANSWERS_FILE: u64 = MAX_ANSWERS_BYTES as u64;

pub fn run(
    catalog: &Catalog,
    options: &Options,
    terminal: &Terminal,
    color: ColorChoice,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitCode, Error> {
    let mut given = Vec::new();
    let mut stdin_used = false;
    let mut vars = Vars::default();
    if let Some(path) = &options.answers_file {
        let (name, text) = if path.as_os_str() == "-" {
            stdin_used = true;
            ("stdin".to_owned(), read_stdin()?)
        } else {
            (path.display().to_string(), read_answers_file(path)?)
        };
        given.extend(answers::from_file(catalog, &name, &text)?);
        vars = plan::vars::from_file(catalog, &name, &text)?;
    }
    given.extend(answers::from_flags(catalog, &options.flags)?);
    vars.add_flags(catalog, &options.vars)?;

    // Where answers not given up front come from: prompts only on a terminal; piped lines
    // otherwise, where `--no-input` turns the end of input into "take the defaults". When stdin
    // held the answers file or is a terminal, no line is read from it.
    let stdin = io::stdin();
    let mut lines = None;
    let mut prompted = false;
    let mut terminal_asker;
    let asker: &mut dyn Asker = if stdin_used || terminal.stdin_is_tty {
        if options.no_input {
            &mut interview::Defaults
        } else if stdin_used {
            &mut interview::FromFileOnly
        } else if terminal.interactive {
            prompted = true;
            terminal_asker = interview::Terminal {
                color: terminal.stderr_color(color),
            };
            &mut terminal_asker
        } else {
            return Err(Error::Usage(
                "cannot prompt: stdin is a terminal but stderr is not; pass --no-input, --answers FILE or --set ID=VALUE".into(),
            ));
        }
    } else {
        let mut piped = interview::Lines::new(stdin.lock(), io::stderr());
        if options.no_input {
            piped = piped.defaults_after_end();
        }
        lines.insert(piped)
    };
    let interview = interview::run(catalog, given, asker)?;

    // More piped lines than questions: the script and the questionnaire disagree.
    let position = lines.as_ref().map(interview::Lines::position);
    drop(lines);
    if let Some((read @ 1.., false)) = position
        && let Some((first, count)) = unused_stdin_lines(read)
    {
        let s = if count == 1 { "" } else { "s" };
        warn(
            err,
            &format!(
                "stdin has {count} more line{s} than questions (from line {first}); ignored (see `aks-id questions` for the order)"
            ),
        );
    }

    let unused: Vec<_> = interview
        .unused
        .iter()
        .map(|(id, origin)| {
            engine::unused_answer(catalog, &interview.answers, id, &origin.to_string())
        })
        .collect();
    let fired = engine::fired(catalog, &interview.answers);
    let mut advice =
        engine::evaluate_fired(catalog, &fired, interview.answers, interview.defaulted);
    advice.warnings.splice(0..0, unused);
    for warning in &advice.warnings {
        warn(err, &warning.text);
    }
    let view = advice::View {
        detail: options.detail,
        explain: options.explain,
    };
    advice::render(
        catalog,
        &advice,
        &fired,
        options.format,
        view,
        &vars,
        terminal.look(color, options.width),
        out,
    )?;
    // After prompts, the command that gives the same advice without them, last on the screen.
    if prompted {
        out.flush().map_err(crate::error::output)?;
        writeln!(
            err,
            "aks-id: to get this advice again: {}",
            rerun_command(&advice.answers, options)
        )
        .map_err(|e| Error::io("cannot write to stderr", e))?;
    }
    Ok(if advice.recommendation.is_some() {
        ExitCode::Success
    } else {
        ExitCode::NoModelFits
    })
}

fn read_answers_file(path: &Path) -> Result<String, Error> {
    let shown = path.display();
    fsio::read(path, MAX_ANSWERS_FILE).map_err(|problem| match problem {
        Unreadable::Missing => Error::Usage(format!("answers file {shown} does not exist")),
        Unreadable::Folder => Error::Usage(format!(
            "answers file {shown} is a folder, expected a YAML or JSON file"
        )),
        Unreadable::NotRegular(what) => Error::Usage(format!(
            "answers file {shown} is {what}, not a regular file; to pipe answers in, use `--answers -` and stdin"
        )),
        Unreadable::TooLarge(size) if size > MAX_ANSWERS_FILE + 1 => Error::Answer(format!(
            "answers file {shown} is {size} bytes; the limit is {MAX_ANSWERS_FILE} bytes"
        )),
        Unreadable::TooLarge(_) => Error::Answer(format!(
            "answers file {shown} is larger than the limit of {MAX_ANSWERS_FILE} bytes"
        )),
        Unreadable::NotUtf8(offset) => Error::Answer(format!(
            "answers file {shown} is not UTF-8 text (invalid byte at offset {offset})"
        )),
        Unreadable::Io(e) => Error::io(format!("cannot read answers file {shown}"), e),
    })
}

fn read_stdin() -> Result<String, Error> {
    fsio::read_stream(io::stdin().lock(), MAX_ANSWERS_FILE).map_err(|problem| match problem {
        Unreadable::TooLarge(_) => Error::Answer(format!(
            "answers on stdin are larger than {MAX_ANSWERS_FILE} bytes"
        )),
        Unreadable::NotUtf8(offset) => Error::Answer(format!(
            "answers on stdin are not UTF-8 text (invalid byte at offset {offset})"
        )),
        Unreadable::Missing | Unreadable::Folder | Unreadable::NotRegular(_) => {
            Error::Usage("stdin cannot be read as answers".into())
        }
        Unreadable::Io(e) => Error::io("cannot read answers from stdin", e),
    })
}

/// The piped lines left after the `read` lines the interview used (see
/// [`interview::leftover`]). The input is read on another thread for at most half a second: a
/// program that pipes the answers and then keeps the pipe open must not stall the advice, and a
/// failure to read only loses the warning.
fn unused_stdin_lines(read: usize) -> Option<(usize, usize)> {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(interview::leftover(io::stdin().lock(), read));
    });
    receiver
        .recv_timeout(std::time::Duration::from_millis(500))
        .ok()?
        .ok()?
}

/// The one-line command that answers every question as `answers` do, with the same output
/// options, quoted for a POSIX shell.
pub fn rerun_command(answers: &answers::Answers, options: &Options) -> String {
    let mut words = vec!["aks-id".to_owned()];
    if let Some(dir) = &options.rules {
        words.push("--rules".to_owned());
        // Control characters escaped: this line goes to a terminal.
        words.push(shell::word(&crate::diag::clip(
            &dir.to_string_lossy(),
            4096,
        )));
    }
    words.push("advise".to_owned());
    for (id, answer) in answers {
        let value = match answer {
            answers::Answer::Choices(list) if list.is_empty() => "none".to_owned(),
            answers::Answer::Choices(list) => list.join(","),
            other => other.to_string(),
        };
        words.push("--set".to_owned());
        words.push(shell::word(&format!("{id}={value}")));
    }
    words.push("--no-input".to_owned());
    if options.format != AdviceFormat::Text {
        let format = clap::ValueEnum::to_possible_value(&options.format)
            .map(|v| v.get_name().to_owned())
            .unwrap_or_default();
        words.extend(["-o".to_owned(), format]);
    }
    if options.explain {
        words.push("--explain".to_owned());
    }
    if let Some(width) = options.width {
        words.extend(["--width".to_owned(), width.to_string()]);
    }
    words.join(" ")
}
