//! Output discipline: a closed pipe ends quietly, a failed write is a one-line error with exit
//! 1, and no error ever shows a panic or a backtrace.

use std::process::Stdio;

use crate::support::aks_id_std;

/// `aks-id ARGS | head -0`: the reader is gone before aks-id writes anything.
fn into_closed_pipe(args: &[&str]) -> (i32, String) {
    let mut cmd = aks_id_std();
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("aks-id starts");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("aks-id ends");
    (
        out.status.code().expect("exits, not killed by SIGPIPE"),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn a_closed_pipe_ends_quietly() {
    for args in [
        &["compare"][..],
        &["compare", "-o", "json"],
        &["show", "workload"],
        &["rules", "schema"],
    ] {
        let (code, stderr) = into_closed_pipe(args);
        assert_eq!(code, 0, "{args:?}: {stderr}");
        assert_eq!(stderr, "", "{args:?}");
    }
}

#[test]
fn head_1_gets_the_first_line_and_aks_id_exits_0() {
    // The shell reports aks-id's own status on stderr; head keeps the first line of stdout.
    let bin = assert_cmd::cargo::cargo_bin("aks-id");
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(r#"{ "$0" compare -o json; echo "rc=$?" >&2; } | head -1"#)
        .arg(&bin)
        .env("NO_COLOR", "1")
        .env("RUST_BACKTRACE", "1")
        .env_remove("AKS_ID_RULES")
        .output()
        .expect("sh runs");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "{\n");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "rc=0\n");
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_a_one_line_error_with_exit_1() {
    for args in [
        &["compare"][..],
        &["compare", "-o", "csv"],
        &["models", "-o", "json"],
    ] {
        let full = std::fs::File::create("/dev/full").expect("/dev/full");
        let out = aks_id_std().args(args).stdout(full).output().unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.starts_with("aks-id: error: cannot write output: "),
            "{stderr}"
        );
        assert!(!stderr.contains("panicked") && !stderr.contains("backtrace"));
    }
}
