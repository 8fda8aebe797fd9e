//! `aks-id advise`: gather the answers (flags, a file, prompts or piped lines), run the rules
//! once, and render the advice. The exit code says whether a model fits.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::advise::answers::{self, MAX_ANSWERS_BYTES};
use crate::advise::interview::{self, Asker};
use crate::advise::{conditions, engine};
use crate::catalog::Catalog;
use crate::error::{Error, ExitCode};
use crate::fsio::{self, Unreadable};
use crate::plan::{self, vars::Vars};
use crate::render::advice::{self, AdviceFormat};
use crate::render::{ColorChoice, Terminal};

/// `advise`'s options.
#[derive(Debug, Clone)]
pub struct Options {
    /// `--answers FILE` (`-` for stdin).
    pub answers_file: Option<PathBuf>,
    /// `ID=VALUE` answers, from the arguments then `--set`, later ones winning.
    pub flags: Vec<String>,
    pub no_input: bool,
    pub format: AdviceFormat,
    pub explain: bool,
    /// `--var ID=VALUE`: placeholder values for `-o script` and `-o manifests`.
    pub vars: Vec<String>,
    pub width: Option<u16>,
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
    let mut lines;
    let asker: &mut dyn Asker = if stdin_used || terminal.stdin_is_tty {
        if options.no_input {
            &mut interview::Defaults
        } else if stdin_used {
            &mut interview::FromFileOnly
        } else if terminal.interactive {
            &mut interview::Terminal
        } else {
            return Err(Error::Usage(
                "cannot prompt: stdin is a terminal but stderr is not; pass --no-input, --answers FILE or --set ID=VALUE".into(),
            ));
        }
    } else {
        lines = interview::Lines::new(stdin.lock(), io::stderr());
        if options.no_input {
            lines = lines.defaults_after_end();
        }
        &mut lines
    };
    let interview = interview::run(catalog, given, asker)?;

    for (id, origin) in &interview.unused {
        let when = catalog
            .question(id)
            .and_then(|q| q.asked_when.as_ref())
            .map(conditions::describe)
            .unwrap_or_default();
        writeln!(
            err,
            "aks-id: warning: {origin}: question `{id}` is not asked when these answers are given (it is asked when {when}); ignored"
        )
        .map_err(|e| Error::io("cannot write a warning", e))?;
    }

    let fired = engine::fired(catalog, &interview.answers);
    let advice = engine::evaluate_fired(catalog, &fired, interview.answers, interview.defaulted);
    advice::render(
        catalog,
        &advice,
        &fired,
        options.format,
        options.explain,
        &vars,
        terminal.look(color, options.width),
        out,
    )?;
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
        Unreadable::TooLarge(size) => Error::Answer(format!(
            "answers file {shown} is {size} bytes; the limit is {MAX_ANSWERS_FILE} bytes"
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
        Unreadable::Missing | Unreadable::Folder => {
            Error::Usage("stdin cannot be read as answers".into())
        }
        Unreadable::Io(e) => Error::io("cannot read answers from stdin", e),
    })
}
