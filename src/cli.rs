//! The command line as the user typed it (clap derive), and its translation into plain values
//! ([`Cli::resolve`]): the commands below never see clap's types, only what to do. Nothing here
//! reads files or the environment beyond what clap does for `--rules`/`AKS_ID_RULES`.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::commands::{self, Invocation, Settings};
use crate::render::ColorChoice;
use crate::render::ListFormat;
use crate::render::advice::AdviceFormat;
use crate::render::compare::CompareFormat;
use crate::render::model_sheet::DocFormat;

/// The command line, parsed as [`Parser::try_parse_from`] parses it. clap's command and its
/// matches are left in memory rather than dropped: the process ends soon after, and taking
/// apart their thousands of pieces cost more than a tenth of parsing (the built-in catalog is
/// kept to the end the same way).
pub fn parse(args: &[OsString]) -> Result<Cli, clap::Error> {
    let mut command = Cli::command();
    let parsed = match command.try_get_matches_from_mut(args) {
        Ok(mut matches) => {
            let cli = Cli::from_arg_matches_mut(&mut matches).map_err(|e| e.format(&mut command));
            std::mem::forget(matches);
            cli
        }
        Err(e) => Err(e),
    };
    std::mem::forget(command);
    parsed
}

/// `--version`: the program's version and the built-in catalog's as-of date.
pub const VERSION_LINE: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (catalog as of ",
    env!("AKS_ID_CATALOG_AS_OF"),
    ")"
);

const AFTER_HELP: &str = "\
Examples:
  aks-id advise                          answer the questions, get a recommendation
  aks-id advise --set scope=workload --set targets=key-vault,sql --no-input
  aks-id compare -o markdown > identity-options.md
  aks-id show workload

Exit codes: 0 done, 1 runtime failure, 2 bad input (and no command: this help, on stderr), 3 no
model fits the answers, 4 scan findings at or above --fail-on, 130 interrupted.";

/// Advises how workloads on Azure Kubernetes Service should get an Azure identity, and why.
///
/// Three models are compared: `cluster` (AKS managed identity: control plane + kubelet), `pod`
/// (Microsoft Entra pod-managed identity, retired) and `workload` (Microsoft Entra Workload ID).
/// Every fact comes from a sourced catalog, built in or loaded with --rules.
#[derive(Debug, Parser)]
#[command(name = "aks-id", version = VERSION_LINE, after_help = AFTER_HELP)]
#[command(propagate_version = true, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub shared: Shared,

    #[command(subcommand)]
    pub command: Command,
}

/// `--rules DIR` and `--color WHEN`, accepted before the subcommand and after it. Each command
/// declares them itself rather than with clap's `global = true`, which copies both into every
/// subcommand at each start; a subcommand's copy is built only when it runs (`defer`). The
/// levels are merged by `Shared::merge` as clap merges a global option.
#[derive(Debug)]
pub struct Shared {
    /// `--rules` or `AKS_ID_RULES`, and whether it was typed (not taken from the environment).
    rules: Option<(PathBuf, bool)>,
    /// `--color`, when typed.
    color: Option<ColorChoice>,
}

const RULES_HELP: &str =
    "Load the catalog from this folder instead of the built-in one (see `aks-id rules export`)";
const COLOR_HELP: &str = "When to use colors (auto: on a terminal unless NO_COLOR or TERM=dumb; \
                          CLICOLOR_FORCE=1 forces them)";

impl Args for Shared {
    fn augment_args(command: clap::Command) -> clap::Command {
        use clap::builder::EnumValueParser;
        use clap::{Arg, ArgAction};
        // Listed first in every command's help, as the root's first two options.
        command
            .arg(
                Arg::new("rules")
                    .long("rules")
                    .env("AKS_ID_RULES")
                    .value_name("DIR")
                    .value_parser(clap::value_parser!(PathBuf))
                    .action(ArgAction::Set)
                    .display_order(0)
                    .help(RULES_HELP),
            )
            .arg(
                Arg::new("color")
                    .long("color")
                    .value_name("WHEN")
                    .value_parser(EnumValueParser::<ColorChoice>::new())
                    // clap's debug build checks it is one of the values.
                    .default_value("auto")
                    .action(ArgAction::Set)
                    .display_order(1)
                    .help(COLOR_HELP),
            )
    }

    fn augment_args_for_update(command: clap::Command) -> clap::Command {
        Self::augment_args(command)
    }
}

impl FromArgMatches for Shared {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        Self::from_arg_matches_mut(&mut matches.clone())
    }

    fn from_arg_matches_mut(matches: &mut clap::ArgMatches) -> Result<Self, clap::Error> {
        use clap::parser::ValueSource;
        let typed = |m: &clap::ArgMatches, id| m.value_source(id) == Some(ValueSource::CommandLine);
        let rules_typed = typed(matches, "rules");
        let color_typed = typed(matches, "color");
        let rules = matches.remove_one::<PathBuf>("rules");
        let color = matches.remove_one::<ColorChoice>("color");
        Ok(Shared {
            rules: rules.map(|dir| (dir, rules_typed)),
            color: color.filter(|_| color_typed),
        })
    }

    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl Shared {
    /// The values of the levels typed, outermost first (`aks-id --rules A rules check --rules
    /// B`: the root's, `rules`'s, `check`'s): the innermost level typed wins, then the value
    /// from `AKS_ID_RULES`, then the default.
    fn merge(levels: [Option<&Shared>; 3]) -> (Option<PathBuf>, ColorChoice) {
        let levels = levels.iter().flatten();
        let typed_rules = levels
            .clone()
            .rev()
            .find_map(|l| l.rules.as_ref().filter(|(_, typed)| *typed));
        let rules = typed_rules
            .or_else(|| levels.clone().find_map(|l| l.rules.as_ref()))
            .map(|(dir, _)| dir.clone());
        let color = levels
            .rev()
            .find_map(|l| l.color)
            .unwrap_or(ColorChoice::Auto);
        (rules, color)
    }
}

#[derive(Debug, Subcommand)]
// Each subcommand's arguments are built only when it runs (or for help and completions), and
// so is its `after_help`, which is why that sits on the arguments struct, not on the variant.
#[command(defer = true)]
pub enum Command {
    /// Ask about the workload and recommend an identity model, with reasons, roles and next steps
    Advise(AdviseArgs),

    /// List the questionnaire: ids, prompts, kinds, choices, defaults, when each is asked
    Questions(QuestionsArgs),

    /// Print the comparison table of the three identity models
    Compare(CompareArgs),

    /// List the identity models with their status
    Models(ModelsArgs),

    /// Show everything about one model: how it works, pros, cons, limits, setup, sources
    Show(ShowArgs),

    /// Scan manifests and cluster dumps: every workload's identity mechanism, findings, advice
    Scan(ScanArgs),

    /// Plan the move from pod-managed identity to Workload ID: runbook, manifests, scripts
    Migrate(MigrateArgs),

    /// List what `scan` can find, or explain one finding id
    Findings(FindingsArgs),

    /// Validate, export or describe rules folders (the catalog)
    Rules {
        #[command(subcommand)]
        command: RulesCommand,

        #[command(flatten)]
        shared: Shared,
    },

    /// Print a shell completion script
    #[command(after_help = "\
Examples:
  aks-id completions bash > ~/.local/share/bash-completion/completions/aks-id
  aks-id completions zsh > ~/.zfunc/_aks-id
  aks-id completions fish > ~/.config/fish/completions/aks-id.fish
  aks-id completions powershell >> $PROFILE")]
    Completions {
        /// The shell
        #[arg(value_enum, value_name = "SHELL")]
        shell: clap_complete::Shell,

        #[command(flatten)]
        shared: Shared,
    },

    /// Print the manual page (roff), or write a page for every command into a folder
    Man(ManArgs),
}

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  aks-id man | man -l -
  aks-id man --out ~/.local/share/man/man1     aks-id.1, aks-id-advise.1, aks-id-rules-check.1...")]
pub struct ManArgs {
    /// Write aks-id.1 and one page per subcommand (aks-id-advise.1...) into DIR, all or nothing
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// With --out: replace pages that already exist
    #[arg(long, requires = "out")]
    pub force: bool,

    #[command(flatten)]
    pub shared: Shared,
}

const ADVISE_HELP: &str = "\
Answers come from, in order of precedence: --set flags (and ID=VALUE arguments; one per
question), the --answers file (or what `advise -o json|yaml` printed), then prompts (arrow keys,
when stdin and stderr are terminals; the command that repeats them is printed after the advice)
or one piped line per question (in `aks-id questions` order; a blank line takes the default),
then the defaults.

Values: a choice id (any case) or its number; lists comma-separated or `none`; yes/no also y/n,
true/false; whole numbers in range.

Examples:
  aks-id advise
  aks-id advise scope=workload targets=key-vault,sql --no-input
  aks-id advise --answers answers.yaml -o markdown > docs/adr/0007-aks-identity.md
  printf 'workload\\nkey-vault\\n' | aks-id advise --no-input -o json > advice.json
  aks-id advise --answers advice.json -o markdown     the same answers, read back
  aks-id advise --set existing_pod_identity=yes --set sdk=legacy-imds --no-input --explain

Exit codes: 0 a model is recommended, 2 bad answer or usage, 3 no model fits, 130 interrupted.";

#[derive(Debug, Args)]
#[command(after_help = ADVISE_HELP)]
pub struct AdviseArgs {
    /// Answers as ID=VALUE (same as --set)
    #[arg(value_name = "ID=VALUE")]
    pub answers: Vec<String>,

    /// Answer a question: ID=VALUE (repeatable, once per question; lists comma-separated)
    #[arg(short, long = "set", value_name = "ID=VALUE")]
    pub set: Vec<String>,

    /// Read answers from a YAML or JSON file (`-` for stdin): a mapping from question id to
    /// value, or the output of `advise -o json|yaml`
    #[arg(short, long = "answers", value_name = "FILE")]
    pub answers_file: Option<PathBuf>,

    /// Never prompt: unanswered questions take their defaults
    #[arg(long)]
    pub no_input: bool,

    /// Output format
    #[arg(short, long, value_enum, default_value_t = AdviceFormat::Text, value_name = "FORMAT")]
    pub output: AdviceFormat,

    /// Add every rule that fired and what it changed, and the scores (a table in text and
    /// markdown, a `fired_rules` list in json and yaml)
    #[arg(long)]
    pub explain: bool,

    /// Fill a placeholder of the commands, e.g. cluster=my-cluster (repeatable; for -o script
    /// and -o manifests; also `vars:` in the answers file)
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub var: Vec<String>,
    /// Show everything, not one screen: every reason, trade-off and caveat, role alternatives and commands, every source of each statement (text)
    #[arg(long)]
    pub detail: bool,

    /// Text width in columns [default: the terminal's width, else COLUMNS, else 100]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(40..))]
    pub width: Option<u16>,

    #[command(flatten)]
    pub shared: Shared,
}

const SCAN_HELP: &str = "\
Reads YAML and JSON manifests (folders recursively, honouring .gitignore), multi-document
streams, `kind: List` dumps and stdin (`-`). Unrendered Helm templates are reported and read
line by line; a file that cannot be read is reported and the scan goes on.

Suppress a finding on one object with an annotation giving a reason:
  metadata.annotations: {aks-id/skip: \"wi-serviceaccount-not-found: created by the platform repo\"}

Examples:
  aks-id scan deploy/
  kubectl get deploy,sts,ds,cj,job,pod,sa,ns,netpol -A -o yaml | aks-id scan - --complete
  helm template my-release ./chart | aks-id scan -
  aks-id scan k8s/ -o sarif > aks-id.sarif
  aks-id scan k8s/ --fail-on warning --skip wi-automount-token-info

Exit codes: 0 nothing at or above --fail-on, 1 an input could not be read (the rest was
scanned), 2 bad usage, 4 findings at or above --fail-on.";

#[derive(Debug, Args)]
#[command(after_help = SCAN_HELP)]
pub struct ScanArgs {
    /// Files and folders to scan; `-` reads stdin [default: .]
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Output format
    #[arg(short, long, value_enum, default_value_t = crate::render::scan::ScanFormat::Text, value_name = "FORMAT")]
    pub output: crate::render::scan::ScanFormat,

    /// Exit 4 when a finding at or above this severity is reported
    #[arg(long, value_enum, default_value_t = commands::scan::FailOn::Error, value_name = "LEVEL")]
    pub fail_on: commands::scan::FailOn,

    /// Skip these finding ids (comma-separated or repeated)
    #[arg(long, value_delimiter = ',', value_name = "ID")]
    pub skip: Vec<String>,

    /// Report only these finding ids (comma-separated or repeated)
    #[arg(long, value_delimiter = ',', value_name = "ID")]
    pub only: Vec<String>,

    /// Namespace of objects that name none
    #[arg(short, long, default_value = "default", value_name = "NS")]
    pub namespace: String,

    /// The input is a whole cluster: a ServiceAccount not found is an error, not a warning
    #[arg(long)]
    pub complete: bool,

    /// Also scan files that .gitignore and .ignore files exclude
    #[arg(long)]
    pub no_ignore: bool,

    /// Show the answers inferred from each workload for its advice
    #[arg(long)]
    pub explain: bool,

    /// Text width in columns [default: the terminal's width, else COLUMNS, else 80]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(40..))]
    pub width: Option<u16>,

    #[command(flatten)]
    pub shared: Shared,
}

const MIGRATE_HELP: &str = "\
Reads manifests, rendered charts or a `kubectl get -A -o yaml` dump (the same inputs as scan)
and writes, all or nothing, into DIR: README.md (the runbook: one line per workload, six phases
with a check and a rollback each), manifests/ (ServiceAccounts and one patch per workload),
commands.sh (phases 1-2), cleanup.sh (phases 5-6) and plan.json. Nothing is applied or run.

The SDK of one workload can also be set by the annotation `aks-id/sdk: legacy-imds` on the
workload or its pod template, or in an answers file:
  sdk: {\"team-a/Deployment/orders\": legacy-imds}

Examples:
  kubectl get deploy,sts,ds,job,cronjob,pod,sa,ns,secretproviderclass,azureidentity,azureidentitybinding,azurepodidentityexception -A -o yaml > cluster.yaml
  aks-id migrate cluster.yaml --out migration --resource-group rg --cluster aks
  aks-id migrate k8s/ --out migration --sdk legacy-imds --issuer https://eastus.oic.prod-aks.azure.com/TENANT/ID/

Exit codes: 0 written, 1 an input could not be read (the rest was planned), 2 bad usage or a
refused value (the folder is written; refused objects are manual steps).";

#[derive(Debug, Args)]
#[command(after_help = MIGRATE_HELP)]
pub struct MigrateArgs {
    /// Files and folders to read; `-` reads stdin [default: .]
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// The folder to write the plan into (refused if not empty, unless --force)
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// Write into a non-empty --out folder: the plan's files are replaced, other files kept
    #[arg(long)]
    pub force: bool,

    /// The cluster's OIDC issuer URL (https:); else commands.sh reads it with `az aks show`
    #[arg(long, value_name = "URL")]
    pub issuer: Option<String>,

    /// Tenant id written on the ServiceAccounts (azure.workload.identity/tenant-id)
    #[arg(long, value_name = "GUID")]
    pub tenant_id: Option<String>,

    /// How the applications get tokens today, unless a workload says otherwise
    #[arg(long, value_enum, default_value_t = crate::migrate::Sdk::Current, value_name = "SDK")]
    pub sdk: crate::migrate::Sdk,

    /// Per-workload SDKs: `sdk: {NAMESPACE/KIND/NAME: current|legacy-imds}`
    #[arg(long, value_name = "FILE")]
    pub answers: Option<PathBuf>,

    /// The cluster's resource group, for the commands
    #[arg(long, value_name = "GROUP")]
    pub resource_group: Option<String>,

    /// The cluster's name, for the commands and the federated credentials' names
    #[arg(long, value_name = "NAME")]
    pub cluster: Option<String>,

    /// The cluster runs Kubernetes 1.32+ (native sidecars): Jobs may use the migration proxy
    #[arg(long)]
    pub native_sidecars: bool,

    /// Namespace of objects that name none
    #[arg(short, long, default_value = "default", value_name = "NS")]
    pub namespace: String,

    #[command(flatten)]
    pub shared: Shared,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  aks-id findings                        every finding id, severity and title
  aks-id findings wi-label-missing       what it means, how to fix it, sources")]
pub struct FindingsArgs {
    /// A finding id to explain
    #[arg(value_name = "ID")]
    pub id: Option<String>,

    #[command(flatten)]
    pub shared: Shared,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  aks-id questions                  the order in which piped lines answer questions
  aks-id questions -o json | jq -r '.questions[].id'")]
pub struct QuestionsArgs {
    /// Output format
    #[arg(short, long, value_enum, default_value_t = ListFormat::Text, value_name = "FORMAT")]
    pub output: ListFormat,

    /// Table width in columns [default: the terminal's width, else COLUMNS, else 100]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(40..))]
    pub width: Option<u16>,

    #[command(flatten)]
    pub shared: Shared,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  aks-id compare                          terminal table
  aks-id compare -o markdown > options.md table to paste into a design document
  aks-id compare --models cluster,workload --rows overview,limitations
  aks-id compare -o json | jq '.rows[].id'")]
pub struct CompareArgs {
    /// Output format
    #[arg(short, long, value_enum, default_value_t = CompareFormat::Text, value_name = "FORMAT")]
    pub output: CompareFormat,

    /// Only these models, in this order (comma-separated ids)
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub models: Vec<String>,

    /// Only these rows, in this order (comma-separated ids; see `-o json` for the ids)
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub rows: Vec<String>,

    /// Table width in columns [default: the terminal's width, else COLUMNS, else 100]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(40..))]
    pub width: Option<u16>,

    #[command(flatten)]
    pub shared: Shared,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  aks-id models
  aks-id models -o json | jq -r '.models[] | select(.status == \"ga\") | .id'")]
pub struct ModelsArgs {
    /// Output format
    #[arg(short, long, value_enum, default_value_t = ListFormat::Text, value_name = "FORMAT")]
    pub output: ListFormat,

    #[command(flatten)]
    pub shared: Shared,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  aks-id show workload
  aks-id show pod -o markdown")]
pub struct ShowArgs {
    /// Model id: cluster, pod or workload
    #[arg(value_name = "MODEL")]
    pub model: String,

    /// Output format
    #[arg(short, long, value_enum, default_value_t = DocFormat::Text, value_name = "FORMAT")]
    pub output: DocFormat,

    /// Text width in columns [default: the terminal's width, else COLUMNS, else 100]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(40..))]
    pub width: Option<u16>,

    #[command(flatten)]
    pub shared: Shared,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Validate a rules folder and report every problem as FILE:LINE:COLUMN: message
    #[command(after_help = "\
Examples:
  aks-id rules check                 check the built-in catalog
  aks-id rules check ./my-rules      check an edited copy")]
    Check {
        /// The folder to check [default: the --rules folder, else the built-in catalog]
        #[arg(value_name = "DIR")]
        dir: Option<PathBuf>,

        #[command(flatten)]
        shared: Shared,
    },

    /// Write the built-in catalog into a folder, to edit it and load it with --rules
    #[command(after_help = "\
Examples:
  aks-id rules export ./my-rules && aks-id --rules ./my-rules compare")]
    Export {
        /// The folder to write (created when missing)
        #[arg(value_name = "DIR")]
        dir: PathBuf,

        /// Replace files that already exist
        #[arg(long)]
        force: bool,

        #[command(flatten)]
        shared: Shared,
    },

    /// Print the JSON Schema of the rule files (rules/schema.json)
    #[command(after_help = "\
Examples:
  aks-id rules schema > my-rules/schema.json")]
    Schema {
        #[command(flatten)]
        shared: Shared,
    },
}

impl Cli {
    /// The command line as plain values: the global settings and the one thing to do.
    pub fn resolve(self) -> (Settings, Invocation) {
        let Cli { shared, command } = self;
        let (own, inner) = match &command {
            Command::Advise(args) => (&args.shared, None),
            Command::Questions(args) => (&args.shared, None),
            Command::Compare(args) => (&args.shared, None),
            Command::Models(args) => (&args.shared, None),
            Command::Show(args) => (&args.shared, None),
            Command::Scan(args) => (&args.shared, None),
            Command::Migrate(args) => (&args.shared, None),
            Command::Findings(args) => (&args.shared, None),
            Command::Man(args) => (&args.shared, None),
            Command::Completions { shared, .. } => (shared, None),
            Command::Rules { command, shared } => (
                shared,
                Some(match command {
                    RulesCommand::Check { shared, .. }
                    | RulesCommand::Export { shared, .. }
                    | RulesCommand::Schema { shared } => shared,
                }),
            ),
        };
        let (rules, color) = Shared::merge([Some(&shared), Some(own), inner]);
        let settings = Settings {
            rules: rules.clone(),
            color,
        };
        let invocation = match command {
            Command::Advise(args) => Invocation::Advise(commands::advise::Options {
                answers_file: args.answers_file,
                flags: args.answers.into_iter().chain(args.set).collect(),
                no_input: args.no_input,
                format: args.output,
                explain: args.explain,
                vars: args.var,
                detail: args.detail,
                width: args.width,
                rules,
            }),
            Command::Questions(args) => Invocation::Questions {
                format: args.output,
                width: args.width,
            },
            Command::Compare(args) => Invocation::Compare(commands::compare::Options {
                format: args.output,
                models: args.models,
                rows: args.rows,
                width: args.width,
            }),
            Command::Models(args) => Invocation::Models {
                format: args.output,
            },
            Command::Show(args) => Invocation::Show {
                model: args.model,
                format: args.output,
                width: args.width,
            },
            Command::Migrate(args) => Invocation::Migrate(commands::migrate::Options {
                paths: args.paths,
                out: args.out,
                force: args.force,
                issuer: args.issuer,
                tenant_id: args.tenant_id,
                sdk: args.sdk,
                answers: args.answers,
                resource_group: args.resource_group,
                cluster: args.cluster,
                native_sidecars: args.native_sidecars,
                namespace: args.namespace,
            }),
            Command::Rules { command, .. } => match command {
                RulesCommand::Check { dir, .. } => Invocation::RulesCheck { dir },
                RulesCommand::Export { dir, force, .. } => Invocation::RulesExport { dir, force },
                RulesCommand::Schema { .. } => Invocation::RulesSchema,
            },
            Command::Scan(args) => Invocation::Scan(commands::scan::Options {
                paths: args.paths,
                format: args.output,
                fail_on: args.fail_on,
                skip: args.skip,
                only: args.only,
                namespace: args.namespace,
                complete: args.complete,
                no_ignore: args.no_ignore,
                explain: args.explain,
                width: args.width,
            }),
            Command::Findings(args) => Invocation::Findings { id: args.id },
            Command::Completions { shell, .. } => Invocation::Completions {
                shell,
                command: Cli::command(),
            },
            Command::Man(args) => Invocation::Man {
                command: Cli::command(),
                out: args.out,
                force: args.force,
            },
        };
        (settings, invocation)
    }
}

/// Whether an empty value comes from `AKS_ID_RULES=` rather than from the command line: clap
/// would call it a missing value of `--rules`, which the user never typed.
pub fn empty_rules_variable(args: &[OsString]) -> bool {
    let typed = args.iter().skip(1).any(|a| {
        a.to_str()
            .is_some_and(|a| a == "--rules" || a.starts_with("--rules="))
    });
    !typed && std::env::var_os("AKS_ID_RULES").is_some_and(|v| v.is_empty())
}

/// clap's usage error on one line: the problem, its possible values and tips, then where to
/// read more (`see \`aks-id compare --help\``), instead of a usage block over several lines.
pub fn one_line_usage_error(rendered: &str, args: &[OsString]) -> String {
    // The subcommand typed, for the pointer to its help when clap shows no usage line.
    let commands = Cli::command();
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

/// The `--color` typed, read before clap has parsed the command line (help and version are
/// printed from clap's error, before any value exists): the last `--color WHEN` or
/// `--color=WHEN` before `--`, else `auto`.
pub fn color_flag(args: &[OsString]) -> ColorChoice {
    use clap::ValueEnum;
    let mut choice = ColorChoice::Auto;
    let mut words = args.iter().skip(1).filter_map(|a| a.to_str());
    while let Some(word) = words.next() {
        let value = match word {
            "--" => break,
            "--color" => words.next(),
            _ => word.strip_prefix("--color="),
        };
        if let Some(parsed) = value.and_then(|v| ColorChoice::from_str(v, true).ok()) {
            choice = parsed;
        }
    }
    choice
}

/// The help of the command that is missing its subcommand (`aks-id`, `aks-id rules`).
pub fn help_of(error: &clap::Error) -> clap::builder::StyledStr {
    use clap::error::{ContextKind, ContextValue};
    if let Some(ContextValue::String(parent)) = error.get(ContextKind::InvalidSubcommand) {
        let mut root = Cli::command();
        root.build();
        let mut command = root;
        for name in parent.split_whitespace().skip(1) {
            match command.find_subcommand(name).cloned() {
                Some(sub) => command = sub,
                None => break,
            }
        }
        return command.render_help();
    }
    // clap rendered the help itself (nothing at all was typed).
    error.render()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every command, at every level, takes `--rules` and `--color`, as the root does: they are
    /// declared on each (see [`Shared`]), so a new subcommand must flatten them too.
    #[test]
    fn every_command_takes_rules_and_color() {
        fn check(command: &clap::Command, path: &str) {
            for id in ["rules", "color"] {
                assert!(
                    command.get_arguments().any(|a| a.get_id() == id),
                    "`{path}` has no --{id}"
                );
            }
            for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
                check(sub, &format!("{path} {}", sub.get_name()));
            }
        }
        let mut root = Cli::command();
        root.build();
        check(&root, "aks-id");
    }
}
