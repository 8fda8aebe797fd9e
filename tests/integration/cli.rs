//! The command line itself: help text, version, usage errors and colors.

use crate::support::{aks_id, assert_clean_error, run, run_cmd};

fn help(args: &[&str]) -> String {
    let run = run(args);
    assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    assert_eq!(run.stderr, "");
    assert!(!run.stdout.contains('\x1b'), "no colors into a pipe");
    let widest = run.stdout.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(widest <= 100, "help wraps at 100 columns: {widest}");
    run.stdout
}

#[test]
fn help_main() {
    insta::assert_snapshot!(help(&["--help"]));
}

#[test]
fn help_compare() {
    insta::assert_snapshot!(help(&["compare", "--help"]));
}

#[test]
fn help_show() {
    insta::assert_snapshot!(help(&["show", "--help"]));
}

#[test]
fn help_advise() {
    insta::assert_snapshot!(help(&["advise", "--help"]));
}

#[test]
fn help_man() {
    insta::assert_snapshot!(help(&["man", "--help"]));
}

#[test]
fn help_rules() {
    insta::assert_snapshot!(help(&["rules", "--help"]));
}

#[test]
fn help_rules_check() {
    insta::assert_snapshot!(help(&["rules", "check", "--help"]));
}

#[test]
fn help_rules_export() {
    insta::assert_snapshot!(help(&["rules", "export", "--help"]));
}

#[test]
fn version_names_the_catalog_date() {
    let run = run(&["--version"]);
    assert_eq!(run.code, 0);
    let as_of = aks_id::catalog::builtin::load().unwrap().as_of;
    assert_eq!(
        run.stdout,
        format!(
            "aks-id {} (catalog as of {as_of})\n",
            env!("CARGO_PKG_VERSION")
        )
    );
}

#[test]
fn usage_errors_exit_2_with_one_error_prefix() {
    for args in [
        vec!["nope"],
        vec!["compare", "--bogus"],
        vec!["compare", "-o", "xml"],
        vec!["compare", "--width", "10"],
        vec!["show"],
    ] {
        let run = run(&args);
        assert_clean_error(&run, 2);
        assert!(
            run.stderr.starts_with("aks-id: error: "),
            "{args:?}: {}",
            run.stderr
        );
        assert!(
            !run.stderr.contains("error: error:"),
            "{args:?}: {}",
            run.stderr
        );
    }
}

#[test]
fn a_missing_rules_folder_is_an_error_not_a_panic() {
    let run = run(&["--rules", "/nonexistent/aks-id-rules", "compare"]);
    assert_clean_error(&run, 2);
    assert_eq!(
        run.stderr.lines().collect::<Vec<_>>(),
        [
            "aks-id: error: rules folder /nonexistent/aks-id-rules does not exist (export the built-in one with `aks-id rules export /nonexistent/aks-id-rules`)"
        ]
    );
}

fn table(color: Option<&str>, no_color: bool) -> String {
    let mut cmd = aks_id();
    cmd.args(["compare", "--width", "100", "--rows", "overview"]);
    if let Some(when) = color {
        cmd.args(["--color", when]);
    }
    if !no_color {
        cmd.env_remove("NO_COLOR");
    }
    let run = run_cmd(&mut cmd);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout
}

#[test]
fn color_always_paints_the_table() {
    let text = table(Some("always"), false);
    assert!(text.contains("\x1b["), "{text}");
    // Without the escapes it is the plain table.
    let plain = table(Some("never"), false);
    let mut stripped = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            stripped.push(c);
        }
    }
    assert_eq!(stripped, plain);
}

#[test]
fn no_colors_when_never_no_color_or_not_a_terminal() {
    for (color, no_color) in [
        (Some("never"), false),
        (None, true),          // NO_COLOR with auto
        (Some("auto"), false), // stdout is a pipe
        (Some("never"), true),
    ] {
        let text = table(color, no_color);
        assert!(!text.contains('\x1b'), "{color:?} NO_COLOR={no_color}");
    }
}

#[test]
fn every_subcommand_has_help_with_examples() {
    for args in [
        &["advise", "--help"][..],
        &["questions", "--help"],
        &["compare", "--help"],
        &["models", "--help"],
        &["show", "--help"],
        &["rules", "check", "--help"],
        &["rules", "export", "--help"],
        &["rules", "schema", "--help"],
        &["completions", "--help"],
        &["man", "--help"],
    ] {
        let text = help(args);
        assert!(text.contains("Examples:"), "{args:?} has examples:\n{text}");
        assert!(
            text.contains("  aks-id "),
            "{args:?} examples run aks-id:\n{text}"
        );
    }
}

#[test]
fn completions_are_produced_for_every_shell() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef aks-id"),
        ("fish", "complete -c aks-id"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[aks-id]"),
    ] {
        let run = run(&["completions", shell]);
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        assert!(run.stdout.contains(marker), "{shell} script has `{marker}`");
        for command in ["advise", "compare", "questions", "show", "rules"] {
            assert!(
                run.stdout.contains(command),
                "{shell} completes `{command}`"
            );
        }
    }
    let run = run(&["completions", "tcsh"]);
    assert_clean_error(&run, 2);
}

#[test]
fn the_man_page_is_produced() {
    let run = run(&["man"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains(".TH aks-id 1"), "a section-1 page");
    assert!(
        run.stdout.contains("catalog as of"),
        "dated with the catalog"
    );
    for section in [".SH NAME", ".SH SYNOPSIS", ".SH OPTIONS", ".SH SUBCOMMANDS"] {
        assert!(run.stdout.contains(section), "has {section}");
    }
    assert!(run.stdout.contains("advise"), "lists the advise command");
}

#[test]
fn usage_errors_are_one_line_and_point_to_the_right_help() {
    for (args, expected) in [
        (
            &["compare", "-o", "nope"][..],
            "aks-id: error: invalid value 'nope' for '--output <FORMAT>' [possible values: text, markdown, csv, json, yaml] (see `aks-id compare --help`)",
        ),
        (
            &["compare", "--model", "x"],
            "aks-id: error: unexpected argument '--model' found; tip: a similar argument exists: '--models' (see `aks-id compare --help`)",
        ),
        (
            &["show"],
            "aks-id: error: the following required arguments were not provided: <MODEL> (see `aks-id show --help`)",
        ),
        (
            &["nope"],
            "aks-id: error: unrecognized subcommand 'nope' (see `aks-id --help`)",
        ),
    ] {
        let run = run(args);
        assert_clean_error(&run, 2);
        assert_eq!(run.stderr, format!("{expected}\n"), "{args:?}");
    }
}

/// The compare table with this environment (and no `NO_COLOR` unless given), into a pipe.
fn table_with(args: &[&str], env: &[(&str, &str)]) -> String {
    let mut cmd = aks_id();
    cmd.args(["compare", "--width", "100", "--rows", "overview"])
        .args(args)
        .env_remove("NO_COLOR");
    for (key, value) in env {
        cmd.env(key, value);
    }
    let run = run_cmd(&mut cmd);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout
}

#[test]
fn the_color_environment_is_honoured_and_an_explicit_flag_beats_it() {
    // CLICOLOR_FORCE paints even into a pipe, whatever TERM says.
    let forced = table_with(&[], &[("CLICOLOR_FORCE", "1"), ("TERM", "dumb")]);
    assert!(forced.contains("\x1b["), "{forced}");
    // NO_COLOR beats CLICOLOR_FORCE; `--color always` beats NO_COLOR.
    let off = table_with(&[], &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
    assert!(!off.contains('\x1b'), "{off}");
    let always = table_with(&["--color", "always"], &[("NO_COLOR", "1")]);
    assert_eq!(always, forced);
    // `--color never` beats CLICOLOR_FORCE.
    let never = table_with(&["--color", "never"], &[("CLICOLOR_FORCE", "1")]);
    assert!(!never.contains('\x1b'), "{never}");
}

/// The folder that `--rules` named, read from the error about it.
fn rules_folder_used(args: &[&str], env: Option<&str>) -> String {
    let mut cmd = aks_id();
    cmd.args(args);
    if let Some(dir) = env {
        cmd.env("AKS_ID_RULES", dir);
    }
    let run = run_cmd(&mut cmd);
    assert_clean_error(&run, 2);
    let rest = run
        .stderr
        .strip_prefix("aks-id: error: rules folder /")
        .unwrap_or_else(|| panic!("{args:?}: {}", run.stderr));
    rest.split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn rules_and_color_are_taken_before_and_after_the_subcommand() {
    // `--rules`: typed after the subcommand beats typed before it, which beats AKS_ID_RULES.
    for (args, env, used) in [
        (&["--rules", "/a", "compare"][..], None, "a"),
        (&["compare", "--rules", "/b"], None, "b"),
        (&["--rules", "/a", "compare", "--rules", "/b"], None, "b"),
        (&["compare"], Some("/e"), "e"),
        (&["--rules", "/a", "compare"], Some("/e"), "a"),
        (&["compare", "--rules", "/b"], Some("/e"), "b"),
        (&["rules", "check"], Some("/e"), "e"),
        (
            &["--rules", "/a", "rules", "--rules", "/r", "check"],
            None,
            "r",
        ),
        (
            &["--rules", "/a", "rules", "check", "--rules", "/c"],
            Some("/e"),
            "c",
        ),
        (&["rules", "--rules", "/r", "check"], Some("/e"), "r"),
    ] {
        assert_eq!(
            rules_folder_used(args, env),
            used,
            "{args:?} AKS_ID_RULES={env:?}"
        );
    }

    // `--color`: the last one typed wins, at any level.
    for (args, painted) in [
        (&["--color", "always"][..], true),
        (&["--color", "never", "findings", "--color", "always"], true),
        (
            &["--color", "always", "findings", "--color", "never"],
            false,
        ),
        (&["findings", "--color", "always"], true),
        (&["--color", "always", "findings", "--color", "auto"], false),
    ] {
        let mut args = args.to_vec();
        if !args.contains(&"findings") {
            args.push("findings");
        }
        let run = run(&args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        assert_eq!(run.stdout.contains('\x1b'), painted, "{args:?}");
    }
}
