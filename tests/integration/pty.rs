//! The interactive interview in a pseudo-terminal: arrow keys, space and Enter drive the prompts,
//! and Ctrl-C ends the run with exit 130 and no panic. Each key is sent only after the prompt it
//! answers is on the screen, so the tests don't depend on timing.
#![cfg(unix)]

use std::process::Command;
use std::time::Duration;

use expectrl::{Eof, Session, WaitStatus};

const DOWN: &str = "\x1b[B";
const UP: &str = "\x1b[A";
const SPACE: &str = " ";
const ENTER: &str = "\r";
const CTRL_C: &str = "\x03";

fn spawn(args: &[&str]) -> Session {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aks-id"));
    cmd.args(args)
        .env("TERM", "xterm")
        .env("NO_COLOR", "1")
        .env("RUST_BACKTRACE", "1")
        .env_remove("AKS_ID_RULES")
        .env_remove("COLUMNS");
    let mut session = Session::spawn(cmd).expect("aks-id starts in a pseudo-terminal");
    session
        .get_process_mut()
        .set_window_size(120, 40)
        .expect("the terminal gets a size");
    session.set_expect_timeout(Some(Duration::from_secs(10)));
    session
}

/// Waits for the prompt `text`, then types `keys`.
fn answer(session: &mut Session, text: &str, keys: &[&str]) {
    if let Err(e) = session.expect(text) {
        panic!("prompt {text:?} did not appear: {e}");
    }
    session.send(keys.concat()).expect("keys are sent");
}

/// Everything the program writes until it exits, and its exit code.
fn finish(session: &mut Session) -> (String, i32) {
    let output = session.expect(Eof).expect("aks-id exits");
    let text = String::from_utf8_lossy(output.as_bytes()).into_owned();
    match session.get_process().wait().expect("the exit status") {
        WaitStatus::Exited(_, code) => (text, code),
        other => panic!("aks-id did not exit normally: {other:?}\n{text}"),
    }
}

#[test]
fn arrow_keys_answer_every_question() {
    let mut s = spawn(&["advise", "-o", "json"]);
    // scope: the default (workload) is preselected; up twice goes to cluster.
    answer(
        &mut s,
        "[1/10] What needs to reach Azure?",
        &[UP, UP, ENTER],
    );
    // cluster_need: from aks-infrastructure down twice to controller.
    answer(
        &mut s,
        "[2/8] What does the cluster need",
        &[DOWN, DOWN, ENTER],
    );
    // targets: pick key-vault, skip storage, pick sql.
    answer(
        &mut s,
        "[3/8] Which Azure services",
        &[SPACE, DOWN, DOWN, SPACE, ENTER],
    );
    // isolation: no.
    answer(&mut s, "[4/8] Must other pods", &["n", ENTER]);
    // node_os: the default.
    answer(&mut s, "[5/8] Which OS", &[ENTER]);
    // existing_pod_identity: the default (no).
    answer(&mut s, "[6/8] Does the cluster use pod-managed", &[ENTER]);
    // platform: down once to AKS Automatic.
    answer(&mut s, "[7/8] Where does the cluster run?", &[DOWN, ENTER]);
    // cross_tenant: the default (no).
    answer(&mut s, "[8/8] Are the target resources", &[ENTER]);
    let (text, code) = finish(&mut s);
    assert_eq!(code, 0, "{text}");
    assert!(!text.contains("panicked"), "{text}");
    let json_start = text
        .find("{\r\n")
        .unwrap_or_else(|| panic!("JSON output:\n{text}"));
    // After the advice, stderr gives the one command that repeats these answers without prompts.
    let rerun = "aks-id: to get this advice again: aks-id advise --set scope=cluster \
        --set cluster_need=controller --set targets=key-vault,sql --set isolation=no \
        --set node_os=linux --set existing_pod_identity=no --set platform=aks-automatic \
        --set cross_tenant=no --no-input -o json\r\n";
    assert!(
        text.ends_with(rerun),
        "the rerun line ends the output:\n{text}"
    );
    let json_text = &text[json_start..text.len() - rerun.len()];
    let doc: serde_json::Value = serde_json::from_str(&json_text.replace("\r\n", "\n"))
        .unwrap_or_else(|e| panic!("the output ends with JSON ({e}):\n{text}"));
    assert_eq!(
        doc["answers"],
        serde_json::json!({
            "scope": "cluster",
            "cluster_need": "controller",
            "targets": ["key-vault", "sql"],
            "isolation": false,
            "node_os": "linux",
            "existing_pod_identity": false,
            "platform": "aks-automatic",
            "cross_tenant": false,
        })
    );
    assert_eq!(doc["recommendation"]["model"], "workload");
    // The printed command, run without a terminal, gives the same document.
    let words: Vec<&str> = rerun
        .trim_end()
        .trim_start_matches("aks-id: to get this advice again: aks-id ")
        .split(' ')
        .collect();
    let again = crate::support::run(&words);
    assert_eq!(again.code, 0, "{}", again.stderr);
    let again: serde_json::Value = serde_json::from_str(&again.stdout).expect("JSON");
    assert_eq!(again, doc);
}

#[test]
fn no_colors_on_a_dumb_terminal_and_colors_on_a_capable_one() {
    let colored = |term: &str| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_aks-id"));
        cmd.args(["compare", "--rows", "overview", "--width", "100"])
            .env("TERM", term)
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR")
            .env_remove("CLICOLOR_FORCE")
            .env_remove("AKS_ID_RULES");
        let mut session = Session::spawn(cmd).expect("aks-id starts in a pseudo-terminal");
        session.set_expect_timeout(Some(Duration::from_secs(10)));
        let (text, code) = finish(&mut session);
        assert_eq!(code, 0, "{text}");
        assert!(text.contains("Workload ID"), "{text}");
        text.contains("\x1b[")
    };
    assert!(
        colored("xterm-256color"),
        "a terminal that supports colors gets them"
    );
    assert!(!colored("dumb"), "TERM=dumb gets no colors");
}

/// Whether `text` holds an SGR sequence (`ESC [ ... m`), the escape that sets colors.
fn has_sgr(text: &str) -> bool {
    text.split('\x1b').skip(1).any(|rest| {
        rest.strip_prefix('[').is_some_and(|r| {
            let end = r.find(|c: char| !(c.is_ascii_digit() || c == ';'));
            end.is_some_and(|i| r[i..].starts_with('m'))
        })
    })
}

#[test]
fn prompts_follow_the_color_flag() {
    let prompt = |color: &str| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_aks-id"));
        cmd.args([
            "--color",
            color,
            "advise",
            "-o",
            "json",
            "--set",
            "scope=workload",
        ])
        .args([
            "--set",
            "targets=none",
            "--set",
            "isolation=yes",
            "--set",
            "node_os=linux",
        ])
        .args([
            "--set",
            "virtual_nodes=no",
            "--set",
            "sdk=current",
            "--set",
            "platform=aks",
        ])
        .args([
            "--set",
            "existing_pod_identity=no",
            "--set",
            "service_accounts=1",
        ])
        .env("TERM", "xterm-256color")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("AKS_ID_RULES");
        let mut session = Session::spawn(cmd).expect("aks-id starts in a pseudo-terminal");
        session.set_expect_timeout(Some(Duration::from_secs(10)));
        answer(&mut session, "Are the target resources", &[ENTER]);
        let (text, code) = finish(&mut session);
        assert_eq!(code, 0, "{text}");
        has_sgr(&text)
    };
    assert!(!prompt("never"), "--color never: no colors in the prompts");
    assert!(prompt("always"), "--color always: colored prompts");
}

#[test]
fn ctrl_c_at_the_first_prompt_exits_130_without_a_panic() {
    let mut s = spawn(&["advise"]);
    answer(&mut s, "[1/10] What needs to reach Azure?", &[CTRL_C]);
    let (text, code) = finish(&mut s);
    assert_eq!(code, 130, "{text}");
    assert!(!text.contains("panicked"), "{text}");
    assert!(!text.contains("backtrace"), "{text}");
    assert!(text.contains("aks-id: error: interrupted"), "{text}");
    assert!(
        !text.contains("Recommendation"),
        "no advice after Ctrl-C: {text}"
    );
}
