//! aks-id: advises how workloads on Azure Kubernetes Service should get an Azure identity.
//!
//! `run` is the whole program minus the process: it parses the command line, loads the catalog
//! (built in, or a `--rules` folder), and renders the command's output into a writer. `main.rs`
//! only gathers the terminal facts and maps the result to an exit code.
//!
//! No output is written with `print!`-like macros, which panic when the stream fails: program
//! output goes through a writer whose errors are handled, diagnostics through [`report`] and
//! [`warn`], which never fail (a lost warning must not lose the result).
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod advice;
pub mod answers;
pub mod catalog;
pub mod citations;
pub mod cli;
pub mod compare;
pub mod display;
pub mod engine;
pub mod error;
pub mod fsio;
pub mod interview;
pub mod markdown;
pub mod model_sheet;
pub mod output;
pub mod questionnaire;
pub mod schema;
pub mod yaml;

use std::ffi::OsString;
use std::io::{self, Write};

use clap::Parser;

use crate::catalog::Catalog;
use crate::cli::{Cli, Command, RulesCommand};
use crate::error::{Error, ExitCode, output as out_err};
use crate::output::Terminal;

/// `--version`: the program's version and the built-in catalog's as-of date.
pub const VERSION_LINE: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (catalog as of ",
    env!("AKS_ID_CATALOG_AS_OF"),
    ")"
);

/// Runs the program with these arguments, writing output to stdout and errors to stderr, and
/// returns the exit code.
pub fn main_with(args: impl IntoIterator<Item = OsString>, terminal: Terminal) -> i32 {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let result = run(args, &terminal, &mut out).and_then(|code| {
        out.flush().map_err(out_err)?;
        Ok(code)
    });
    match result {
        Ok(code) => code as i32,
        Err(err) if err.is_broken_pipe() => ExitCode::Success as i32,
        Err(err) => {
            report(&err);
            err.exit_code() as i32
        }
    }
}

/// Prints an error to stderr: catalog problems one per line as `FILE:LINE:COL: message`, then
/// the one-line summary. Every line is display text (paths, values and messages may come from
/// files); a failing stderr is ignored, since there is nowhere left to report it.
pub fn report(err: &Error) {
    let stderr = io::stderr();
    let mut e = stderr.lock();
    if let Error::Catalog(catalog) = err {
        for d in &catalog.diagnostics {
            let _ = writeln!(e, "{}", display::untrusted(&d.to_string()));
        }
        let _ = writeln!(e, "aks-id: error: {catalog}");
    } else {
        let _ = writeln!(e, "aks-id: error: {}", display::untrusted(&err.to_string()));
    }
}

/// Prints a warning to stderr as display text. A failing stderr loses the warning, never the
/// result on stdout.
pub fn warn(message: &str) {
    let _ = writeln!(
        io::stderr().lock(),
        "aks-id: warning: {}",
        display::untrusted(message)
    );
}

/// The program: parse `args`, do the work, write output into `out`.
pub fn run(
    args: impl IntoIterator<Item = OsString>,
    terminal: &Terminal,
    out: &mut dyn Write,
) -> Result<ExitCode, Error> {
    let args: Vec<OsString> = args.into_iter().collect();
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(err) => {
            use clap::error::ErrorKind;
            return match err.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                    let text = if terminal.color(cli::ColorChoice::Auto) {
                        err.render().ansi().to_string()
                    } else {
                        err.render().to_string()
                    };
                    out.write_all(text.as_bytes()).map_err(out_err)?;
                    Ok(ExitCode::Success)
                }
                ErrorKind::InvalidValue
                    if empty_rules_variable(&args)
                        && err.get(clap::error::ContextKind::InvalidArg).is_some_and(|arg| {
                            arg.to_string().starts_with("--rules")
                        }) => Err(Error::Usage(
                    "AKS_ID_RULES is set but empty: set it to a rules folder (see `aks-id rules export`), \
                     or unset it to use the built-in catalog"
                        .into(),
                )),
                _ => Err(Error::Usage(one_line_usage_error(
                    &err.render().to_string(),
                    &args,
                ))),
            };
        }
    };
    match &cli.command {
        Command::Advise(args) => {
            let catalog = load_catalog(&cli)?;
            let human = matches!(
                args.output,
                advice::AdviceFormat::Text | advice::AdviceFormat::Markdown
            );
            let catalog = shown(&catalog, human);
            return advise(&catalog, args, terminal, cli.color, out);
        }
        Command::Questions(args) => {
            let catalog = load_catalog(&cli)?;
            let catalog = shown(&catalog, args.output == cli::ListFormat::Table);
            questionnaire::render(
                &catalog,
                args.output,
                terminal.look(cli.color, args.width),
                out,
            )?;
        }
        Command::Compare(args) => {
            let catalog = load_catalog(&cli)?;
            let human = !matches!(
                args.output,
                cli::CompareFormat::Json | cli::CompareFormat::Yaml
            );
            let catalog = shown(&catalog, human);
            let comparison = compare::Comparison::select(&catalog, &args.models, &args.rows)?;
            comparison.render(args.output, terminal.look(cli.color, args.width), out)?;
        }
        Command::Models(args) => {
            let catalog = load_catalog(&cli)?;
            let catalog = shown(&catalog, args.output == cli::ListFormat::Table);
            model_sheet::list(&catalog, args.output, terminal.look(cli.color, None), out)?;
        }
        Command::Show(args) => {
            let catalog = load_catalog(&cli)?;
            let human = matches!(args.output, cli::DocFormat::Text | cli::DocFormat::Markdown);
            let catalog = shown(&catalog, human);
            let model = catalog.model(&args.model).ok_or_else(|| {
                Error::Usage(format!(
                    "unknown model `{}` (models: {})",
                    error::clip(&args.model, 80),
                    error::listing(&catalog.model_ids())
                ))
            })?;
            model_sheet::show(
                &catalog,
                model,
                args.output,
                terminal.look(cli.color, args.width),
                out,
            )?;
        }
        Command::Rules(command) => return rules(&cli, command, out),
        Command::Completions { shell } => {
            // Generated into memory: clap_complete panics when its writer fails.
            let mut command = <Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut command, "aks-id", &mut script);
            out.write_all(&script).map_err(out_err)?;
        }
        Command::Man => {
            let command = <Cli as clap::CommandFactory>::command();
            clap_mangen::Man::new(command)
                .render(out)
                .map_err(out_err)?;
        }
    }
    Ok(ExitCode::Success)
}

/// Whether an empty value comes from `AKS_ID_RULES=` rather than from the command line: clap
/// would call it a missing value of `--rules`, which the user never typed.
fn empty_rules_variable(args: &[OsString]) -> bool {
    let typed = args.iter().skip(1).any(|a| {
        a.to_str()
            .is_some_and(|a| a == "--rules" || a.starts_with("--rules="))
    });
    !typed && std::env::var_os("AKS_ID_RULES").is_some_and(|v| v.is_empty())
}

/// clap's usage error on one line: the problem, its possible values and tips, then where to
/// read more (`see \`aks-id compare --help\``), instead of a usage block over several lines.
fn one_line_usage_error(rendered: &str, args: &[OsString]) -> String {
    // The subcommand typed, for the pointer to its help when clap shows no usage line.
    let commands = <Cli as clap::CommandFactory>::command();
    let mut command = args
        .iter()
        .skip(1)
        .filter_map(|a| a.to_str())
        .find(|a| commands.get_subcommands().any(|c| c.get_name() == *a))
        .map_or_else(|| "aks-id".to_owned(), |sub| format!("aks-id {sub}"));
    let mut message = String::new();
    for line in rendered.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(usage) = line.strip_prefix("Usage: ") {
            let words: Vec<&str> = usage
                .split_whitespace()
                .take_while(|w| !w.starts_with(['[', '<', '-']))
                .collect();
            if !words.is_empty() {
                command = words.join(" ");
            }
        } else if !line.starts_with("For more information") {
            let part = line.strip_prefix("error: ").unwrap_or(line);
            let glue = if message.is_empty() {
                ""
            } else if part.starts_with("tip:") {
                "; "
            } else {
                " "
            };
            message.push_str(glue);
            message.push_str(part);
        }
    }
    format!("{message} (see `{command} --help`)")
}

/// `aks-id advise`: gather the answers (flags, file, prompts or piped lines), evaluate, render.
fn advise(
    catalog: &Catalog,
    args: &cli::AdviseArgs,
    terminal: &Terminal,
    color: cli::ColorChoice,
    out: &mut dyn Write,
) -> Result<ExitCode, Error> {
    let mut given = Vec::new();
    let mut stdin_used = false;
    if let Some(path) = &args.answers_file {
        let (name, text) = if path.as_os_str() == "-" {
            stdin_used = true;
            ("stdin".to_owned(), read_stdin()?)
        } else {
            (path.display().to_string(), read_answers_file(path)?)
        };
        given.extend(answers::from_file(catalog, &name, &text)?);
    }
    let flags: Vec<String> = args.answers.iter().chain(&args.set).cloned().collect();
    given.extend(answers::from_flags(catalog, &flags)?);

    // Where answers not given up front come from: prompts only on a terminal; piped lines
    // otherwise, where `--no-input` turns the end of input into "take the defaults".
    let stdin_is_terminal = terminal.stdin_is_tty;
    let interview = if stdin_used {
        if args.no_input {
            interview::run(catalog, given, &mut interview::Defaults)?
        } else {
            interview::run(catalog, given, &mut interview::FromFileOnly)?
        }
    } else if stdin_is_terminal {
        if args.no_input {
            interview::run(catalog, given, &mut interview::Defaults)?
        } else if terminal.interactive {
            interview::run(catalog, given, &mut interview::Terminal)?
        } else {
            return Err(Error::Usage(
                "cannot prompt: stdin is a terminal but stderr is not; pass --no-input, --answers FILE or --set ID=VALUE".into(),
            ));
        }
    } else {
        let stdin = io::stdin();
        let mut lines = interview::Lines::new(stdin.lock(), io::stderr());
        if args.no_input {
            lines = lines.defaults_after_end();
        }
        interview::run(catalog, given, &mut lines)?
    };
    for (id, origin) in &interview.unused {
        let when = catalog
            .question(id)
            .and_then(|q| q.asked_when.as_ref())
            .map(questionnaire::describe_condition)
            .unwrap_or_default();
        warn(&format!(
            "{origin}: question `{id}` is not asked when these answers are given (it is asked when {when}); ignored"
        ));
    }
    // The rules that fired are listed only with --explain; the engine finds them again itself.
    let fired = if args.explain {
        engine::fired(catalog, &interview.answers)
    } else {
        Vec::new()
    };
    let advice = engine::evaluate(catalog, interview.answers, interview.defaulted);
    advice::render(
        catalog,
        &advice,
        &fired,
        args.output,
        args.explain,
        terminal.look(color, args.width),
        out,
    )?;
    Ok(if advice.recommendation.is_some() {
        ExitCode::Success
    } else {
        ExitCode::NoModelFits
    })
}

/// The largest answers file read.
const MAX_ANSWERS_FILE: u64 = answers::MAX_ANSWERS_BYTES as u64;

fn read_answers_file(path: &std::path::Path) -> Result<String, Error> {
    use fsio::Unreadable;
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
    use fsio::Unreadable;
    fsio::read_stream(io::stdin().lock(), MAX_ANSWERS_FILE).map_err(|problem| match problem {
        Unreadable::TooLarge(_) => Error::Answer(format!(
            "answers on stdin are larger than {MAX_ANSWERS_FILE} bytes"
        )),
        Unreadable::NotUtf8(offset) => Error::Answer(format!(
            "answers on stdin are not UTF-8 text (invalid byte at offset {offset})"
        )),
        Unreadable::Io(e) => Error::io("cannot read answers from stdin", e),
        Unreadable::Missing | Unreadable::Folder | Unreadable::NotRegular(_) => {
            Error::Usage("cannot read answers from stdin".into())
        }
    })
}

/// The catalog as a command's output shows it: for human-readable output, with every free text
/// as display text (see [`display::catalog`]); for JSON and YAML, exact.
fn shown(catalog: &Catalog, human: bool) -> std::borrow::Cow<'_, Catalog> {
    if human {
        display::catalog(catalog)
    } else {
        std::borrow::Cow::Borrowed(catalog)
    }
}

/// The catalog a command works on: a `--rules` folder, or the built-in one. The built-in
/// catalog is loaded once per process and never freed: it lives as long as the process, and
/// freeing its thousands of small allocations on the way out would cost more than rendering.
fn load_catalog(cli: &Cli) -> Result<std::borrow::Cow<'static, Catalog>, Error> {
    static BUILT_IN: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
    match &cli.rules {
        Some(dir) => Ok(std::borrow::Cow::Owned(catalog::files::load_dir(dir)?)),
        None => {
            if let Some(catalog) = BUILT_IN.get() {
                return Ok(std::borrow::Cow::Borrowed(catalog));
            }
            let catalog = catalog::builtin::load()?;
            Ok(std::borrow::Cow::Borrowed(BUILT_IN.get_or_init(|| catalog)))
        }
    }
}

fn rules(cli: &Cli, command: &RulesCommand, out: &mut dyn Write) -> Result<ExitCode, Error> {
    match command {
        RulesCommand::Check { dir } => {
            let catalog = match dir.as_ref().or(cli.rules.as_ref()) {
                Some(dir) => catalog::files::load_dir(dir)?,
                None => catalog::builtin::load()?,
            };
            writeln!(
                out,
                "{}: ok ({} models, {} rows, {} sources, {} targets, {} questions, {} rules; as of {})",
                display::untrusted(&catalog.origin.to_string()),
                catalog.models.len(),
                catalog.rows.len(),
                catalog.sources.len(),
                catalog.targets.len(),
                catalog.questions.len(),
                catalog.rules.len(),
                catalog.as_of
            )
            .map_err(out_err)?;
            let file = match &catalog.origin {
                catalog::Origin::BuiltIn => "rules/questions.yaml".to_owned(),
                catalog::Origin::Folder(dir) => dir.join("questions.yaml").display().to_string(),
            };
            for warning in catalog::warnings(&catalog) {
                warn(&format!("{file}: {warning}"));
            }
        }
        RulesCommand::Export { dir, force } => {
            let written = catalog::files::export(dir, *force)?;
            for path in written {
                let path = path.to_string_lossy();
                writeln!(out, "wrote {}", display::untrusted(&path)).map_err(out_err)?;
            }
        }
        RulesCommand::Schema => {
            let text = schema::rule_files_schema();
            out.write_all(text.as_bytes()).map_err(out_err)?;
        }
    }
    Ok(ExitCode::Success)
}
