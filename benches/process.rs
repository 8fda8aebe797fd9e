//! Whole-process benchmark (design.md section 7): `aks-id advise --no-input -o json` and
//! `aks-id compare -o json`, run interleaved with a hello-world Rust binary built with the same
//! toolchain and the same release profile, so the noise of a shared machine hits them all alike.
//! `aks-id --version` runs too, for reference: the cost of the process and the command line alone.
//!
//! Reports per command the median and p90 wall time, the ratio of medians to hello-world (target
//! at most 1.5x), the peak RSS of the child (target under 10 MB) and the size of the release
//! binary (target under 5 MB). Prints PASS/FAIL per target; exits 1 on a failure only with
//! `--check`.
//!
//! Needs the release binary: `cargo build --release` first (or `scripts/bench.sh`).
//! `AKS_ID_BENCH_ITERATIONS` overrides the number of runs per command (default 200).

#[path = "support.rs"]
mod support;
use support::{release_binary, target_dir};

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const DEFAULT_ITERATIONS: usize = 200;
const MAX_RATIO: f64 = 1.5;
const MAX_RSS_BYTES: u64 = 10 * 1000 * 1000;
const MAX_SIZE_BYTES: u64 = 5 * 1000 * 1000;

struct Subject {
    name: &'static str,
    program: PathBuf,
    args: &'static [&'static str],
    times: Vec<Duration>,
    max_rss_kib: u64,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let check = args.iter().any(|a| a == "--check");
    // `cargo bench` passes `--bench`. Without it (`cargo test --benches`/`--all-targets` runs
    // the bench as a smoke test) a few iterations are enough, and no release binary is no error.
    let smoke = !args.iter().any(|a| a == "--bench");
    let iterations = match std::env::var("AKS_ID_BENCH_ITERATIONS") {
        Ok(v) => v.parse().unwrap_or_else(|_| {
            eprintln!("AKS_ID_BENCH_ITERATIONS must be a positive number, got `{v}`");
            std::process::exit(2)
        }),
        Err(_) if smoke => 5,
        Err(_) => DEFAULT_ITERATIONS,
    };

    let target_dir = target_dir();
    let aks_id = release_binary();
    if !aks_id.is_file() {
        eprintln!(
            "{}: {} not found; build it first with `cargo build --release` (or run scripts/bench.sh)",
            if smoke { "skipped" } else { "error" },
            aks_id.display()
        );
        std::process::exit(if smoke { 0 } else { 2 });
    }
    let hello = build_hello(&target_dir);

    let mut subjects = [
        Subject {
            name: "hello-world",
            program: hello,
            args: &[],
            times: Vec::new(),
            max_rss_kib: 0,
        },
        Subject {
            name: "--version (reference)",
            program: aks_id.clone(),
            args: &["--version"],
            times: Vec::new(),
            max_rss_kib: 0,
        },
        Subject {
            name: "advise --no-input -o json",
            program: aks_id.clone(),
            args: &["advise", "--no-input", "-o", "json"],
            times: Vec::new(),
            max_rss_kib: 0,
        },
        Subject {
            name: "compare -o json",
            program: aks_id.clone(),
            args: &["compare", "-o", "json"],
            times: Vec::new(),
            max_rss_kib: 0,
        },
    ];

    // Warm-up: page cache, first exec.
    for s in &mut subjects {
        for _ in 0..3 {
            run_once(s);
        }
        s.times.clear();
    }
    for i in 0..iterations {
        // Rotate the order too, so no command always runs right after the same one.
        for k in 0..subjects.len() {
            let idx = (i + k) % subjects.len();
            run_once(&mut subjects[idx]);
        }
    }

    let hello_median = median(&subjects[0].times);
    let size = std::fs::metadata(&aks_id).map(|m| m.len()).unwrap_or(0);

    println!(
        "aks-id process benchmark: {iterations} interleaved runs each, {}",
        aks_id.display()
    );
    println!();
    println!(
        "{:<28} {:>10} {:>10} {:>8} {:>10}",
        "command", "median ms", "p90 ms", "ratio", "peak RSS"
    );
    for s in &subjects {
        let med = median(&s.times);
        println!(
            "{:<28} {:>10.3} {:>10.3} {:>7.2}x {:>7.2} MB",
            s.name,
            ms(med),
            ms(percentile(&s.times, 0.9)),
            med.as_secs_f64() / hello_median.as_secs_f64(),
            s.max_rss_kib as f64 * 1024.0 / 1e6,
        );
    }
    println!();
    println!("release binary: {:.2} MB ({size} bytes)", size as f64 / 1e6);
    println!();

    let mut failed = false;
    let mut verdict = |ok: bool, what: String| {
        println!("{} {what}", if ok { "PASS" } else { "FAIL" });
        failed |= !ok;
    };
    for s in &subjects[2..] {
        let ratio = median(&s.times).as_secs_f64() / hello_median.as_secs_f64();
        verdict(
            ratio <= MAX_RATIO,
            format!(
                "{}: median wall time {ratio:.2}x hello-world (target <= {MAX_RATIO}x)",
                s.name
            ),
        );
    }
    for s in &subjects[2..] {
        let rss = s.max_rss_kib * 1024;
        verdict(
            rss < MAX_RSS_BYTES,
            format!(
                "{}: peak RSS {:.2} MB (target < {} MB)",
                s.name,
                rss as f64 / 1e6,
                MAX_RSS_BYTES / 1_000_000
            ),
        );
    }
    verdict(
        size < MAX_SIZE_BYTES,
        format!(
            "release binary {:.2} MB (target < {} MB)",
            size as f64 / 1e6,
            MAX_SIZE_BYTES / 1_000_000
        ),
    );
    if check && failed {
        std::process::exit(1);
    }
}

/// Builds `fn main() { println!("hello") }` as a cargo package whose `[profile.release]` is a
/// copy of aks-id's (opt-level, LTO, codegen units, panic, strip), linked the way aks-id's build
/// script links it (`build/packed_relocations.rs`), with the toolchain that runs this bench
/// (`$CARGO`), so that the ratio measures aks-id's own work and nothing of the profile or the
/// linking. Rebuilt when either changes.
fn build_hello(target_dir: &Path) -> PathBuf {
    let dir = target_dir.join("bench-hello");
    let manifest_text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
            .expect("read Cargo.toml");
    let manifest = format!(
        "[package]\nname = \"hello\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n\
         [workspace]\n\n{}",
        release_profile(&manifest_text)
    );
    let code = "fn main() {\n    println!(\"hello\");\n}\n";
    let build_script = format!(
        "use std::fs;\nuse std::path::Path;\n\n{}\nfn main() {{\n    \
         let out = std::env::var(\"OUT_DIR\").expect(\"cargo sets OUT_DIR\");\n    \
         link_packed_relocations(Path::new(&out));\n}}\n",
        std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("build/packed_relocations.rs")
        )
        .expect("read build/packed_relocations.rs")
    );
    let exe = dir.join("target").join("release").join("hello");
    let manifest_path = dir.join("Cargo.toml");
    let src = dir.join("src").join("main.rs");
    let build_path = dir.join("build.rs");
    let unchanged = std::fs::read_to_string(&manifest_path).is_ok_and(|m| m == manifest)
        && std::fs::read_to_string(&src).is_ok_and(|s| s == code)
        && std::fs::read_to_string(&build_path).is_ok_and(|s| s == build_script);
    if exe.is_file() && unchanged {
        return exe;
    }
    std::fs::create_dir_all(dir.join("src")).expect("create the hello-world folder");
    std::fs::write(&manifest_path, &manifest).expect("write the hello-world Cargo.toml");
    std::fs::write(&src, code).expect("write the hello-world main.rs");
    std::fs::write(&build_path, &build_script).expect("write the hello-world build.rs");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(&cargo)
        .args(["build", "--release", "--quiet", "--manifest-path"])
        .arg(&manifest_path)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .status()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", cargo.to_string_lossy()));
    assert!(
        status.success(),
        "cargo failed to build the hello-world baseline"
    );
    exe
}

/// The `[profile.release]` table of a manifest, as written (up to the next table).
fn release_profile(manifest: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in manifest.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            inside = trimmed == "[profile.release]";
        }
        if inside {
            out.push_str(line);
            out.push('\n');
        }
    }
    assert!(!out.is_empty(), "Cargo.toml has no [profile.release]");
    out
}

/// Runs one child with stdout to /dev/null, records its wall time, and its peak RSS from wait4.
fn run_once(s: &mut Subject) {
    let start = Instant::now();
    let child = Command::new(&s.program)
        .args(s.args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", s.program.display()));
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain data; wait4 fills it for our own child, reaped exactly once here
    // (the `Child` is never waited on, and dropping it does not wait).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = loop {
        let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if rc == -1 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
            continue;
        }
        break rc;
    };
    let elapsed = start.elapsed();
    drop(child);
    assert_eq!(rc, pid, "wait4 failed: {}", std::io::Error::last_os_error());
    let exited_ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    assert!(
        exited_ok,
        "{} {:?} failed (wait status {status})",
        s.program.display(),
        s.args
    );
    s.times.push(elapsed);
    // Linux: ru_maxrss is in KiB.
    s.max_rss_kib = s.max_rss_kib.max(usage.ru_maxrss as u64);
}

fn sorted(times: &[Duration]) -> Vec<Duration> {
    let mut v = times.to_vec();
    v.sort_unstable();
    v
}

fn median(times: &[Duration]) -> Duration {
    let v = sorted(times);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2
    }
}

fn percentile(times: &[Duration], p: f64) -> Duration {
    let v = sorted(times);
    let i = ((v.len() as f64 * p).ceil() as usize).clamp(1, v.len()) - 1;
    v[i]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
