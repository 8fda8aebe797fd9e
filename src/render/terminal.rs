//! How output looks on this terminal: colors on or off, and how wide text may be. Resolved once
//! from the flags and the environment, then handed to the pure renderers.
//!
//! Colors follow the usual conventions, as `anstream` reads them (the policy of clap and cargo):
//! `NO_COLOR` turns them off, `CLICOLOR_FORCE` on even into a pipe, `CLICOLOR=0` and
//! `TERM=dumb` off; an explicit `--color always` or `--color never` beats them all. Styles are
//! `anstyle` values.

use anstyle::{AnsiColor, Style};

/// `--color WHEN`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// What the renderers need to know about where their output goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Look {
    pub color: bool,
    pub width: usize,
}

impl Look {
    pub const PLAIN: Look = Look {
        color: false,
        width: 100,
    };

    pub fn bold(&self, text: &str) -> String {
        self.paint(Style::new().bold(), text)
    }

    pub fn dim(&self, text: &str) -> String {
        self.paint(Style::new().dimmed(), text)
    }

    pub fn green(&self, text: &str) -> String {
        self.paint(AnsiColor::Green.on_default(), text)
    }

    pub fn yellow(&self, text: &str) -> String {
        self.paint(AnsiColor::Yellow.on_default(), text)
    }

    pub fn red(&self, text: &str) -> String {
        self.paint(AnsiColor::Red.on_default(), text)
    }

    fn paint(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_owned()
        }
    }

    /// An empty table in the house style, as wide as the output allows; cell attributes (bold)
    /// show only when colors are on.
    pub fn table(&self) -> comfy_table::Table {
        let mut table = comfy_table::Table::new();
        table
            .load_style(comfy_table::presets::UTF8_FULL)
            .set_content_arrangement(comfy_table::ContentArrangement::Dynamic)
            .set_width(u16::try_from(self.width).unwrap_or(u16::MAX));
        if self.color {
            table.enforce_styling();
        } else {
            table.force_no_tty();
        }
        table
    }

    /// `text` wrapped to the width, every line starting with `indent`.
    pub fn wrap(&self, text: &str, indent: &str) -> String {
        self.wrap_hanging(text, indent, indent)
    }

    /// `text` wrapped to the width: the first line starts with `first`, the others with `rest`.
    pub fn wrap_hanging(&self, text: &str, first: &str, rest: &str) -> String {
        let options = textwrap::Options::new(self.width.max(20))
            .initial_indent(first)
            .subsequent_indent(rest)
            .break_words(false)
            .word_splitter(textwrap::WordSplitter::NoHyphenation);
        textwrap::fill(text, options)
    }
}

/// What the process knows about its environment, gathered at the edge (`main`) so that `run` can
/// be tested with any terminal.
#[derive(Clone, Debug, Default)]
pub struct Terminal {
    /// Whether stdout is a terminal.
    pub stdout_is_tty: bool,
    /// Whether stdin is a terminal.
    pub stdin_is_tty: bool,
    /// Whether stdin and stderr are both terminals: prompts are possible.
    pub interactive: bool,
    /// The terminal's width, when stdout is one.
    pub columns: Option<usize>,
    /// `COLUMNS` from the environment.
    pub env_columns: Option<String>,
    /// Whether `--color auto` paints stdout: a terminal that supports colors, unless `NO_COLOR`
    /// or `CLICOLOR=0` says otherwise; or `CLICOLOR_FORCE`.
    pub auto_color: bool,
    /// The same for stderr (help printed there when a subcommand is missing).
    pub auto_color_stderr: bool,
}

impl Terminal {
    /// Reads the real process environment.
    pub fn detect() -> Self {
        use std::io::IsTerminal;
        let stdout_is_tty = std::io::stdout().is_terminal();
        let columns = if stdout_is_tty {
            crossterm::terminal::size()
                .ok()
                .map(|(w, _)| usize::from(w))
                .filter(|w| *w > 0)
        } else {
            None
        };
        // anstream lets a CI variable turn colour on even for `TERM=dumb`; a dumb terminal gets
        // none unless CLICOLOR_FORCE asks for it.
        let forced = std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0");
        let dumb = !forced && std::env::var_os("TERM").is_some_and(|t| t == "dumb");
        Self {
            stdout_is_tty,
            stdin_is_tty: std::io::stdin().is_terminal(),
            interactive: std::io::stdin().is_terminal() && std::io::stderr().is_terminal(),
            columns,
            env_columns: std::env::var("COLUMNS").ok(),
            auto_color: !dumb
                && anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never,
            auto_color_stderr: !dumb
                && anstream::AutoStream::choice(&std::io::stderr()) != anstream::ColorChoice::Never,
        }
    }

    /// Colors: `always` and `never` win; `auto` follows stdout and the environment.
    pub fn color(&self, choice: ColorChoice) -> bool {
        match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => self.auto_color,
        }
    }

    /// Colors on stderr, by the same rules.
    pub fn stderr_color(&self, choice: ColorChoice) -> bool {
        match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => self.auto_color_stderr,
        }
    }

    /// The width for tables and wrapped text: `--width`, else the terminal's, else `COLUMNS`,
    /// else 100.
    pub fn width(&self, flag: Option<u16>) -> usize {
        flag.map(usize::from)
            .or(self.columns)
            .or_else(|| {
                self.env_columns
                    .as_deref()
                    .and_then(|c| c.trim().parse::<usize>().ok())
                    .filter(|w| *w >= 20)
            })
            .unwrap_or(100)
    }

    pub fn look(&self, choice: ColorChoice, width: Option<u16>) -> Look {
        Look {
            color: self.color(choice),
            width: self.width(width),
        }
    }
}
