//! One module per subcommand. Each takes plain values (resolved from the command line by
//! `cli`), loads the catalog it needs, calls the core (`advise`, `catalog`) and hands the result
//! to its renderer. The exit code is decided here, from the typed [`Error`].

pub mod advise;
pub mod compare;
pub mod completions;
pub mod man;
pub mod migrate;
pub mod models;
pub mod questions;
pub mod rules;
pub mod scan;

use std::borrow::Cow;
use std::io::Write;
use std::path::PathBuf;
use std::sync::OnceLock;

use crate::catalog::{self, Catalog};
use crate::error::{Error, ExitCode};
use crate::render::advice::AdviceFormat;
use crate::render::compare::CompareFormat;
use crate::render::model_sheet::DocFormat;
use crate::render::{ColorChoice, ListFormat, Terminal};

/// The options every command shares.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `--rules DIR`: the catalog folder, instead of the built-in catalog.
    pub rules: Option<PathBuf>,
    pub color: ColorChoice,
}

/// What to do, as plain values.
#[derive(Debug)]
pub enum Invocation {
    Advise(advise::Options),
    Questions {
        format: ListFormat,
        width: Option<u16>,
    },
    Compare(compare::Options),
    Models {
        format: ListFormat,
    },
    Show {
        model: String,
        format: DocFormat,
        width: Option<u16>,
    },
    RulesCheck {
        dir: Option<PathBuf>,
    },
    RulesExport {
        dir: PathBuf,
        force: bool,
    },
    RulesSchema,
    Scan(scan::Options),
    Migrate(migrate::Options),
    /// `findings [ID]`: list the findings, or explain one.
    Findings {
        id: Option<String>,
    },
    Completions {
        shell: clap_complete::Shell,
        /// The command line's definition, to describe.
        command: clap::Command,
    },
    Man {
        command: clap::Command,
        /// `--out DIR`: every page into a folder; else the main page to `out`.
        out: Option<PathBuf>,
        force: bool,
    },
}

/// Where a command writes: the result to `out`, warnings to `err`.
pub struct Outputs<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
}

/// Runs one invocation.
pub fn execute(
    settings: &Settings,
    invocation: Invocation,
    terminal: &Terminal,
    outputs: Outputs<'_>,
) -> Result<ExitCode, Error> {
    let Outputs { out, err } = outputs;
    match invocation {
        Invocation::Advise(options) => {
            let catalog = load_catalog(settings)?;
            let human = !matches!(options.format, AdviceFormat::Json | AdviceFormat::Yaml);
            let catalog = shown(&catalog, human);
            advise::run(&catalog, &options, terminal, settings.color, out, err)
        }
        Invocation::Questions { format, width } => {
            let catalog = load_catalog(settings)?;
            let catalog = shown(&catalog, format == ListFormat::Text);
            questions::run(&catalog, format, terminal.look(settings.color, width), out)
        }
        Invocation::Compare(options) => {
            let catalog = load_catalog(settings)?;
            let human = !matches!(options.format, CompareFormat::Json | CompareFormat::Yaml);
            let catalog = shown(&catalog, human);
            compare::run(
                &catalog,
                &options,
                terminal.look(settings.color, options.width),
                out,
            )
        }
        Invocation::Models { format } => {
            let catalog = load_catalog(settings)?;
            let catalog = shown(&catalog, format == ListFormat::Text);
            models::list(&catalog, format, terminal.look(settings.color, None), out)
        }
        Invocation::Show {
            model,
            format,
            width,
        } => {
            let catalog = load_catalog(settings)?;
            let catalog = shown(
                &catalog,
                !matches!(format, DocFormat::Json | DocFormat::Yaml),
            );
            models::show(
                &catalog,
                &model,
                format,
                terminal.look(settings.color, width),
                out,
            )
        }
        Invocation::RulesCheck { dir } => {
            rules::check(dir.as_ref().or(settings.rules.as_ref()), out, err)
        }
        Invocation::RulesExport { dir, force } => rules::export(&dir, force, out),
        Invocation::RulesSchema => rules::schema(out),
        Invocation::Migrate(options) => {
            let catalog = load_catalog(settings)?;
            migrate::run(&catalog, &options, out, err)
        }
        Invocation::Scan(options) => {
            let catalog = load_catalog(settings)?;
            scan::run(&catalog, &options, terminal, settings.color, out)
        }
        Invocation::Findings { id } => {
            let catalog = load_catalog(settings)?;
            scan::findings(
                &catalog,
                id.as_deref(),
                terminal.look(settings.color, None),
                out,
            )
        }
        Invocation::Completions { shell, command } => completions::completions(shell, command, out),
        Invocation::Man {
            command, out: None, ..
        } => man::page(command, out),
        Invocation::Man {
            command,
            out: Some(dir),
            force,
        } => man::pages(command, &dir, force, out),
    }
}

/// The catalog as a command's output shows it: for human-readable output (text, tables,
/// Markdown, CSV), every text as display text (see [`catalog::for_display`]); for JSON and
/// YAML, exact.
fn shown(catalog: &Catalog, human: bool) -> Cow<'_, Catalog> {
    if human {
        catalog::for_display(catalog)
    } else {
        Cow::Borrowed(catalog)
    }
}

/// The catalog a command works on: a `--rules` folder, or the built-in one. The built-in catalog
/// is loaded once per process and never freed: it lives as long as the process.
fn load_catalog(settings: &Settings) -> Result<Cow<'static, Catalog>, Error> {
    static BUILT_IN: OnceLock<Catalog> = OnceLock::new();
    match &settings.rules {
        Some(dir) => Ok(Cow::Owned(catalog::files::load_dir(dir)?)),
        None => {
            if let Some(catalog) = BUILT_IN.get() {
                return Ok(Cow::Borrowed(catalog));
            }
            let catalog = catalog::builtin::load()?;
            Ok(Cow::Borrowed(BUILT_IN.get_or_init(|| catalog)))
        }
    }
}
