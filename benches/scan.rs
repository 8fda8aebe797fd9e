//! `aks-id scan` benchmark (design.md section 7, issue "aks-id scan"): generates corpora of
//! realistic manifests (multi-document files, Helm output with `# Source:` comments, kubectl
//! `List` dumps, JSON, CRLF line ends, some unrendered templates, some broken files; about 5 KB
//! a file) of 1,000, 5,000 and 20,000 files, and measures `aks-id scan -o json DIR` against
//! `find DIR -type f -print0 | xargs -0 cat >/dev/null` on the same corpus in the same run.
//!
//! Reports per size the median wall time of each, their ratio (target at most 2x), the scan's
//! peak RSS (target under 200 MB) and time and RSS per 1,000 files (linear growth: the per-file
//! figures stay flat). Exits 1 on a missed target only with `--check`.
//!
//! Needs the release binary: `cargo build --release` first. `AKS_ID_BENCH_SIZES` (e.g.
//! `1000,20000`) and `AKS_ID_BENCH_ITERATIONS` (default 3) override the defaults.

#[path = "support.rs"]
mod support;
use support::{release_binary, target_dir};

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const MAX_RATIO: f64 = 2.0;
const MAX_RSS_BYTES: u64 = 200 * 1000 * 1000;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let check = args.iter().any(|a| a == "--check");
    let smoke = !args.iter().any(|a| a == "--bench");
    let sizes: Vec<usize> = match std::env::var("AKS_ID_BENCH_SIZES") {
        Ok(v) => v.split(',').filter_map(|s| s.trim().parse().ok()).collect(),
        Err(_) if smoke => vec![200],
        Err(_) => vec![1_000, 5_000, 20_000],
    };
    let iterations: usize = std::env::var("AKS_ID_BENCH_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if smoke { 1 } else { 3 });
    let target = target_dir();
    let aks_id = release_binary();
    if !aks_id.is_file() {
        eprintln!(
            "{}: {} not found; build it first with `cargo build --release`",
            if smoke { "skipped" } else { "error" },
            aks_id.display()
        );
        std::process::exit(if smoke { 0 } else { 2 });
    }
    let mut failed = false;
    let mut report = String::new();
    let _ = writeln!(
        report,
        "{:>7} {:>9} {:>10} {:>10} {:>6} {:>9} {:>11} {:>11}",
        "files", "MB", "cat ms", "scan ms", "ratio", "RSS MB", "ms/1k files", "RSS/1k MB"
    );
    for &n in &sizes {
        let dir = target.join("bench-scan").join(n.to_string());
        let bytes = generate(&dir, n);
        let dir_s = dir.to_string_lossy().into_owned();
        let cat = vec![
            "sh".to_owned(),
            "-c".to_owned(),
            format!("find '{dir_s}' -type f -print0 | xargs -0 cat >/dev/null"),
        ];
        let scan = vec![
            aks_id.to_string_lossy().into_owned(),
            "scan".to_owned(),
            "-o".to_owned(),
            "json".to_owned(),
            "--fail-on".to_owned(),
            "never".to_owned(),
            dir_s.clone(),
        ];
        // Warm the page cache for both.
        run_once(&cat);
        run_once(&scan);
        let (mut cat_times, mut scan_times, mut rss) = (Vec::new(), Vec::new(), 0u64);
        for _ in 0..iterations {
            cat_times.push(run_once(&cat).0);
            let (t, r) = run_once(&scan);
            scan_times.push(t);
            rss = rss.max(r);
        }
        let (c, s) = (median(&cat_times), median(&scan_times));
        let ratio = s.as_secs_f64() / c.as_secs_f64().max(1e-9);
        let rss_bytes = rss * 1024;
        let per_k = s.as_secs_f64() * 1000.0 / (n as f64 / 1000.0);
        let _ = writeln!(
            report,
            "{:>7} {:>9.1} {:>10.0} {:>10.0} {:>5.2}x {:>9.1} {:>11.0} {:>11.2}",
            n,
            bytes as f64 / 1e6,
            c.as_secs_f64() * 1000.0,
            s.as_secs_f64() * 1000.0,
            ratio,
            rss_bytes as f64 / 1e6,
            per_k,
            rss_bytes as f64 / 1e6 / (n as f64 / 1000.0),
        );
        if ratio > MAX_RATIO || rss_bytes > MAX_RSS_BYTES {
            failed = true;
        }
    }
    print!("{report}");
    println!(
        "targets: ratio <= {MAX_RATIO}x, RSS < {} MB: {}",
        MAX_RSS_BYTES / 1_000_000,
        if failed { "FAIL" } else { "PASS" }
    );
    if check && failed {
        std::process::exit(1);
    }
}

/// A small deterministic generator, so every run scans the same corpus.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

/// Writes `n` files into `dir` (once: a marker file records a finished corpus) and returns the
/// corpus's size in bytes.
fn generate(dir: &Path, n: usize) -> u64 {
    let marker = dir.join(".complete");
    if let Ok(size) = std::fs::read_to_string(&marker)
        && let Ok(size) = size.trim().parse()
    {
        return size;
    }
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).expect("create the corpus folder");
    let mut rng = Lcg(n as u64);
    let mut total = 0u64;
    for i in 0..n {
        let sub = dir.join(format!("team{:03}", i % 200));
        if i < 200 {
            std::fs::create_dir_all(&sub).expect("create a team folder");
        }
        let (name, text) = file(i, &mut rng);
        total += text.len() as u64;
        std::fs::write(sub.join(name), text).expect("write a corpus file");
    }
    // The marker starts with a dot: `find -type f` counts it, a few bytes.
    std::fs::write(&marker, total.to_string()).expect("write the marker");
    total
}

fn deployment(app: &str, ns: &str, mode: u64) -> String {
    let labels = match mode {
        0 => "        azure.workload.identity/use: \"true\"\n".to_owned(),
        1 => "        aadpodidbinding: legacy\n".to_owned(),
        _ => String::new(),
    };
    let mut env = String::new();
    for k in 0..24 {
        let _ = write!(
            env,
            "            - name: SETTING_{k}\n              value: \"value-{k}-for-{app}-with-some-length\"\n"
        );
    }
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {app}\n  namespace: {ns}\n  labels:\n    app.kubernetes.io/name: {app}\n    app.kubernetes.io/part-of: shop\nspec:\n  replicas: 3\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: {app}\n  template:\n    metadata:\n      labels:\n        app.kubernetes.io/name: {app}\n{labels}      annotations:\n        prometheus.io/scrape: \"true\"\n    spec:\n      serviceAccountName: {app}\n      securityContext:\n        runAsNonRoot: true\n      containers:\n        - name: {app}\n          image: example.azurecr.io/{app}:1.2.3\n          ports:\n            - containerPort: 8080\n          resources:\n            requests: {{cpu: 100m, memory: 128Mi}}\n            limits: {{cpu: 500m, memory: 512Mi}}\n          env:\n{env}          volumeMounts:\n            - name: config\n              mountPath: /etc/{app}\n      volumes:\n        - name: config\n          configMap:\n            name: {app}-config\n"
    )
}

fn service_account(app: &str, ns: &str, i: usize) -> String {
    format!(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {app}\n  namespace: {ns}\n  annotations:\n    azure.workload.identity/client-id: \"6d1f2f4a-8f3c-4a6b-9a57-{:012x}\"\n",
        i % 5000
    )
}

fn service(app: &str, ns: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {app}\n  namespace: {ns}\nspec:\n  selector:\n    app.kubernetes.io/name: {app}\n  ports:\n    - port: 80\n      targetPort: 8080\n"
    )
}

fn config_map(app: &str, ns: &str) -> String {
    let mut data = String::new();
    for k in 0..40 {
        let _ = writeln!(data, "    key{k}: \"some configuration value number {k}\"");
    }
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {app}-config\n  namespace: {ns}\ndata:\n{data}"
    )
}

fn file(i: usize, rng: &mut Lcg) -> (String, String) {
    let app = format!("app{i}");
    let ns = format!("team{:03}", i % 200);
    let mode = rng.next() % 4;
    match i % 20 {
        // An unrendered chart template.
        0 => (
            format!("{app}-template.yaml"),
            format!(
                "{{{{- if .Values.enabled }}}}\n{}{{{{- end }}}}\n",
                deployment(&app, &ns, mode).replace(
                    &format!("name: {app}\n  namespace"),
                    "name: {{ .Release.Name }}\n  namespace"
                )
            ),
        ),
        // A broken file.
        1 => (
            format!("{app}-broken.yaml"),
            format!("{}  bad: [unclosed\n", service(&app, &ns)),
        ),
        // JSON.
        2 | 3 => {
            let doc = format!(
                "{{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [{}, {}]}}",
                json_of(&service_account(&app, &ns, i)),
                json_of(&config_map(&app, &ns))
            );
            (format!("{app}.json"), doc)
        }
        // CRLF line ends.
        4..=6 => (
            format!("{app}-crlf.yaml"),
            [
                deployment(&app, &ns, mode),
                service_account(&app, &ns, i),
                config_map(&app, &ns),
            ]
            .join("---\n")
            .replace('\n', "\r\n"),
        ),
        // Helm output with `# Source:` comments.
        7..=12 => (
            format!("{app}-rendered.yaml"),
            format!(
                "---\n# Source: {app}/templates/serviceaccount.yaml\n{}---\n# Source: {app}/templates/service.yaml\n{}---\n# Source: {app}/templates/configmap.yaml\n{}---\n# Source: {app}/templates/deployment.yaml\n{}",
                service_account(&app, &ns, i),
                service(&app, &ns),
                config_map(&app, &ns),
                deployment(&app, &ns, mode)
            ),
        ),
        // Plain multi-document manifests.
        _ => (
            format!("{app}.yaml"),
            [
                service_account(&app, &ns, i),
                deployment(&app, &ns, mode),
                service(&app, &ns),
                config_map(&app, &ns),
            ]
            .join("---\n"),
        ),
    }
}

/// The YAML documents above as JSON, through a tiny converter for their simple shapes: the
/// corpus generator needs no YAML library.
fn json_of(yaml: &str) -> String {
    // The documents used for JSON are flat enough: metadata with one map, data with strings.
    let mut out = String::from("{");
    let mut section: Option<&str> = None;
    let mut first_top = true;
    let mut first_inner = true;
    let mut sub_open = false;
    for line in yaml.lines() {
        let indent = line.len() - line.trim_start().len();
        let (key, value) = match line.trim().split_once(':') {
            Some((k, v)) => (k.trim(), v.trim()),
            None => continue,
        };
        if indent == 0 {
            if section.is_some() {
                if sub_open {
                    out.push('}');
                    sub_open = false;
                }
                out.push('}');
            }
            if !first_top {
                out.push_str(", ");
            }
            first_top = false;
            if value.is_empty() {
                let _ = write!(out, "\"{key}\": {{");
                section = Some(key);
                first_inner = true;
            } else {
                let _ = write!(out, "\"{key}\": \"{}\"", value.trim_matches('"'));
                section = None;
            }
        } else if indent == 2 {
            if sub_open {
                out.push('}');
                sub_open = false;
            }
            if !first_inner {
                out.push_str(", ");
            }
            first_inner = false;
            if value.is_empty() {
                let _ = write!(out, "\"{key}\": {{");
                sub_open = true;
            } else {
                let _ = write!(out, "\"{key}\":\t\"{}\"", value.trim_matches('"'));
            }
        } else {
            if !out.ends_with('{') {
                out.push_str(", ");
            }
            let _ = write!(out, "\"{key}\": \"{}\"", value.trim_matches('"'));
        }
    }
    if sub_open {
        out.push('}');
    }
    if section.is_some() {
        out.push('}');
    }
    out.push('}');
    out
}

/// Runs a command with stdout to /dev/null; returns its wall time and peak RSS in KiB.
fn run_once(argv: &[String]) -> (Duration, u64) {
    let start = Instant::now();
    let child = Command::new(&argv[0])
        .args(&argv[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", argv[0]));
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain data; wait4 fills it for our own child, reaped once here.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if rc == -1 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
            continue;
        }
        assert_eq!(rc, pid, "wait4 failed");
        break;
    }
    let elapsed = start.elapsed();
    drop(child);
    // The scan exits 1 for the broken files it reports; anything else is a failure.
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    assert!(code == 0 || code == 1, "{argv:?} exited with {code}");
    (elapsed, usage.ru_maxrss as u64)
}

fn median(times: &[Duration]) -> Duration {
    let mut v = times.to_vec();
    v.sort_unstable();
    v[v.len() / 2]
}
