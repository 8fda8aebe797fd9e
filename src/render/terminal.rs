//! How output looks on this terminal: colors on or off, and how wide text may be. Resolved once
//! from the flags and the environment, then handed to the pure renderers.

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
        self.paint("1", text)
    }

    pub fn dim(&self, text: &str) -> String {
        self.paint("2", text)
    }

    pub fn green(&self, text: &str) -> String {
        self.paint("32", text)
    }

    pub fn yellow(&self, text: &str) -> String {
        self.paint("33", text)
    }

    pub fn red(&self, text: &str) -> String {
        self.paint("31", text)
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
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
    /// Whether `NO_COLOR` is set to a non-empty value.
    pub no_color: bool,
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
        Self {
            stdout_is_tty,
            stdin_is_tty: std::io::stdin().is_terminal(),
            interactive: std::io::stdin().is_terminal() && std::io::stderr().is_terminal(),
            columns,
            env_columns: std::env::var("COLUMNS").ok(),
            no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
        }
    }

    /// Colors: `always` wins, `never` and `NO_COLOR` turn them off, `auto` follows stdout.
    pub fn color(&self, choice: ColorChoice) -> bool {
        match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => self.stdout_is_tty && !self.no_color,
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
