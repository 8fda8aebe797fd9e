//! YAML reader benchmark (docs/performance.md, "YAML reader"): how fast `yaml::tree::read_stream`
//! turns realistic Kubernetes manifests into trees with positions, on one core.
//!
//! The corpus is generated in memory, deterministically: Helm-rendered streams (`# Source:`
//! comments, Deployments, Services, ServiceAccounts, ConfigMaps with long literal blocks),
//! `kubectl get -o json` lists, and some of it with CRLF line ends. Each file is read on its own,
//! as `scan` reads them. In the same run it measures two floors that only look at the bytes (a
//! `memchr` count of newlines and `str::lines().count()`), the event parser alone, and the JSON
//! parser on the JSON files, and prints each as MB/s and as a ratio to the `lines()` floor.
//!
//! `--check` exits 1 when the reader is below 50 MB/s. `AKS_ID_BENCH_ITERATIONS` overrides the
//! number of passes (default 15; 2 without `--bench`, as in a smoke run from
//! `cargo test --benches`). `AKS_ID_BENCH_MB` sets the corpus size (default 32).

use std::fmt::Write as _;
use std::hint::black_box;
use std::io::Write as _;
use std::time::{Duration, Instant};

use aks_id::yaml::tree::{self, Limits};

const TARGET_MB_PER_S: f64 = 50.0;

/// A name, the bytes it reads, the rounds it runs, and the run.
type Contender<'a> = (&'static str, usize, usize, Box<dyn Fn() -> usize + 'a>);

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let check = args.iter().any(|a| a == "--check");
    let number = |name: &str, default: usize| match std::env::var(name) {
        Ok(v) => v.parse().unwrap_or_else(|_| {
            let _ = writeln!(
                std::io::stderr(),
                "{name} must be a positive number, got `{v}`"
            );
            std::process::exit(2)
        }),
        Err(_) => default,
    };
    let iterations = if args.iter().any(|a| a == "--bench") {
        number("AKS_ID_BENCH_ITERATIONS", 15)
    } else {
        number("AKS_ID_BENCH_ITERATIONS", 2)
    };
    let megabytes = number("AKS_ID_BENCH_MB", 32);

    let corpus = Corpus::generate(megabytes * 1024 * 1024);
    let bytes = corpus.total();
    let json_bytes: usize = corpus.json.iter().map(String::len).sum();
    let limits = Limits {
        max_depth: 128,
        max_nodes: 10_000_000,
    };

    // Sanity: every generated file reads without an error, by the direct path, to the same
    // trees as the event parser gives, so the figures are about real work.
    for file in corpus.all() {
        if !tree::reads_directly(file, &limits) {
            let _ = writeln!(
                std::io::stderr(),
                "generated file not read directly:\n{file}"
            );
            std::process::exit(1);
        }
        if tree::read_stream(file, &limits) != tree::read_stream_by_events(file, &limits) {
            let _ = writeln!(std::io::stderr(), "the two paths differ on:\n{file}");
            std::process::exit(1);
        }
        for doc in tree::read_stream(file, &limits) {
            if let Err(err) = doc {
                let _ = writeln!(std::io::stderr(), "generated file fails: {err}\n{file}");
                std::process::exit(1);
            }
        }
    }

    // Every contender runs once per round, in turn, so that a machine busy with other work
    // slows the floors and the readers alike; the event-parser rows, slow, run in three rounds.
    let json = &corpus.json;
    let contenders: Vec<Contender> = vec![
        (
            "memchr newline count (floor)",
            bytes,
            iterations,
            Box::new(|| {
                corpus
                    .all()
                    .map(|f| memchr::memchr_iter(b'\n', f.as_bytes()).count())
                    .sum()
            }),
        ),
        (
            "str::lines().count() (floor)",
            bytes,
            iterations,
            Box::new(|| corpus.all().map(|f| f.lines().count()).sum()),
        ),
        (
            "saphyr-parser events only",
            bytes,
            iterations.min(3),
            Box::new(|| {
                corpus
                    .all()
                    .map(|f| saphyr_parser::Parser::new_from_str(f).count())
                    .sum()
            }),
        ),
        (
            "tree from saphyr-parser events",
            bytes,
            iterations.min(3),
            Box::new(|| {
                corpus
                    .all()
                    .map(|f| tree::read_stream_by_events(f, &limits).len())
                    .sum()
            }),
        ),
        (
            "yaml::tree::read_stream",
            bytes,
            iterations,
            Box::new(|| {
                corpus
                    .all()
                    .map(|f| tree::read_stream(f, &limits).len())
                    .sum()
            }),
        ),
        (
            "  read_stream, JSON files only",
            json_bytes,
            iterations,
            Box::new(|| {
                json.iter()
                    .map(|f| tree::read_stream(f, &limits).len())
                    .sum()
            }),
        ),
        (
            "  serde_json::Value, JSON files only",
            json_bytes,
            iterations,
            Box::new(|| {
                json.iter()
                    .map(|f| usize::from(serde_json::from_str::<serde_json::Value>(f).is_ok()))
                    .sum()
            }),
        ),
    ];
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); contenders.len()];
    for round in 0..iterations.max(1) {
        for (i, (_, _, rounds, run)) in contenders.iter().enumerate() {
            if round < *rounds {
                let start = Instant::now();
                black_box(run());
                times[i].push(start.elapsed());
            }
        }
    }
    let medians: Vec<Duration> = times
        .iter_mut()
        .map(|t| {
            t.sort();
            t[t.len() / 2]
        })
        .collect();

    let mb = |n: usize, t: Duration| n as f64 / (1024.0 * 1024.0) / t.as_secs_f64();
    let floor = mb(bytes, medians[1]);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "corpus: {:.1} MB in {} files ({} YAML streams, {} JSON), {} rounds, median",
        bytes as f64 / (1024.0 * 1024.0),
        corpus.yaml.len() + corpus.json.len(),
        corpus.yaml.len(),
        corpus.json.len(),
        iterations
    );
    let mut speed = 0.0;
    for ((name, n, _, _), t) in contenders.iter().zip(&medians) {
        let s = mb(*n, *t);
        if *name == "yaml::tree::read_stream" {
            speed = s;
        }
        let _ = writeln!(out, "{name:<38} {s:>9.1} MB/s  {:>6.3}x lines()", s / floor);
    }
    let pass = speed >= TARGET_MB_PER_S;
    let _ = writeln!(
        out,
        "{} read_stream {speed:.1} MB/s, target {TARGET_MB_PER_S} MB/s",
        if pass { "PASS" } else { "FAIL" }
    );
    let _ = std::io::stdout().write_all(out.as_bytes());
    if check && !pass {
        std::process::exit(1);
    }
}

struct Corpus {
    yaml: Vec<String>,
    json: Vec<String>,
}

/// A small deterministic generator (an LCG): the same corpus on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const APPS: &[&str] = &[
    "checkout",
    "payments",
    "inventory",
    "frontend",
    "search",
    "ledger",
    "notifier",
    "gateway",
];
const IMAGES: &[&str] = &[
    "mcr.microsoft.com/azure-cli:2.61.0",
    "contoso.azurecr.io/shop/checkout:1.4.2",
    "nginx:1.27-alpine",
    "ghcr.io/contoso/worker@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
];

impl Corpus {
    fn generate(target: usize) -> Self {
        let mut rng = Rng(0x5eed);
        let mut yaml = Vec::new();
        let mut json = Vec::new();
        let mut total = 0;
        let mut n = 0;
        while total < target {
            n += 1;
            let file = if n % 5 == 0 {
                let f = kubectl_json(&mut rng, n);
                json.push(f);
                json.last().unwrap()
            } else {
                let mut f = helm_stream(&mut rng, n);
                if n % 7 == 0 {
                    f = f.replace('\n', "\r\n");
                }
                yaml.push(f);
                yaml.last().unwrap()
            };
            total += file.len();
        }
        Self { yaml, json }
    }

    fn all(&self) -> impl Iterator<Item = &str> {
        self.yaml.iter().chain(&self.json).map(String::as_str)
    }

    fn total(&self) -> usize {
        self.all().map(str::len).sum()
    }
}

/// A `helm template` output: several documents with `# Source:` comments.
fn helm_stream(rng: &mut Rng, n: usize) -> String {
    let mut out = String::new();
    let app = rng.pick(APPS);
    let release = format!("{app}-{n}");
    let docs = 2 + rng.below(5);
    for d in 0..docs {
        match (d + rng.below(4)) % 4 {
            0 => deployment(&mut out, rng, &release, app),
            1 => service(&mut out, rng, &release, app),
            2 => config_map(&mut out, rng, &release),
            _ => service_account(&mut out, rng, &release),
        }
    }
    out
}

fn labels(out: &mut String, indent: &str, release: &str, app: &str) {
    let _ = write!(
        out,
        "{indent}labels:\n{indent}  app.kubernetes.io/name: {app}\n{indent}  app.kubernetes.io/instance: {release}\n{indent}  app.kubernetes.io/version: \"1.4.2\"\n{indent}  app.kubernetes.io/managed-by: Helm\n{indent}  helm.sh/chart: {app}-0.3.1\n"
    );
}

fn deployment(out: &mut String, rng: &mut Rng, release: &str, app: &str) {
    let _ = write!(
        out,
        "---\n# Source: {app}/templates/deployment.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {release}\n  namespace: shop\n"
    );
    labels(out, "  ", release, app);
    let _ = write!(
        out,
        "  annotations:\n    deployment.kubernetes.io/revision: '3'\nspec:\n  replicas: {}\n  revisionHistoryLimit: 10\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: {app}\n      app.kubernetes.io/instance: {release}\n  strategy:\n    type: RollingUpdate\n    rollingUpdate: {{maxSurge: 25%, maxUnavailable: 0}}\n  template:\n    metadata:\n",
        1 + rng.below(5)
    );
    labels(out, "      ", release, app);
    let _ = write!(
        out,
        "        azure.workload.identity/use: \"true\"\n    spec:\n      serviceAccountName: {release}\n      securityContext:\n        runAsNonRoot: true\n        fsGroup: 2000\n      nodeSelector:\n        kubernetes.io/os: linux\n      containers:\n"
    );
    for c in 0..1 + rng.below(3) {
        let image = rng.pick(IMAGES);
        let _ = write!(
            out,
            "        - name: {app}-{c}\n          image: \"{image}\"\n          imagePullPolicy: IfNotPresent\n          args: [\"--port\", \"8080\", \"--log-level=info\"]\n          ports:\n            - name: http\n              containerPort: 8080\n              protocol: TCP\n          env:\n"
        );
        for e in 0..3 + rng.below(6) {
            let _ = write!(
                out,
                "            - name: SETTING_{e}\n              value: 'value-{}-for-{app}'\n",
                rng.below(100_000)
            );
        }
        let _ = write!(
            out,
            "            - name: AZURE_CLIENT_ID\n              valueFrom:\n                configMapKeyRef: {{name: {release}-config, key: clientId}}\n          resources:\n            limits:\n              cpu: 500m\n              memory: 512Mi\n            requests:\n              cpu: 100m\n              memory: 128Mi\n          livenessProbe:\n            httpGet:\n              path: /healthz\n              port: http\n            initialDelaySeconds: 10\n            periodSeconds: 15\n          readinessProbe:\n            httpGet: {{path: /ready, port: http}}\n          volumeMounts:\n            - name: config\n              mountPath: /etc/{app}\n              readOnly: true\n"
        );
    }
    let _ = write!(
        out,
        "      volumes:\n        - name: config\n          configMap:\n            name: {release}-config\n      tolerations:\n        - key: \"kubernetes.azure.com/scalesetpriority\"\n          operator: \"Equal\"\n          value: \"spot\"\n          effect: \"NoSchedule\"\n"
    );
}

fn service(out: &mut String, rng: &mut Rng, release: &str, app: &str) {
    let _ = write!(
        out,
        "---\n# Source: {app}/templates/service.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: {release}\n"
    );
    labels(out, "  ", release, app);
    let _ = write!(
        out,
        "spec:\n  type: ClusterIP\n  ports:\n    - port: {}\n      targetPort: http\n      protocol: TCP\n      name: http\n  selector:\n    app.kubernetes.io/name: {app}\n    app.kubernetes.io/instance: {release}\n",
        80 + rng.below(9000)
    );
}

fn service_account(out: &mut String, rng: &mut Rng, release: &str) {
    let _ = write!(
        out,
        "---\n# Source: identity/templates/serviceaccount.yaml\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {release}\n  namespace: shop\n  annotations:\n    azure.workload.identity/client-id: {:08x}-1c2d-4e5f-8a9b-{:012x}\n    azure.workload.identity/tenant-id: \"72f988bf-86f1-41af-91ab-2d7cd011db47\"\n",
        rng.next(),
        rng.next()
    );
}

fn config_map(out: &mut String, rng: &mut Rng, release: &str) {
    let _ = write!(
        out,
        "---\n# Source: app/templates/configmap.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {release}-config\ndata:\n  clientId: \"{:08x}\"\n  nginx.conf: |\n",
        rng.next()
    );
    for i in 0..40 + rng.below(160) {
        let _ = writeln!(
            out,
            "    location /api/v{i}/ {{ proxy_pass http://backend-{}:8080/; proxy_set_header Host $host; }}",
            rng.below(50)
        );
    }
    let _ = write!(
        out,
        "  settings.json: >-\n    {{\"retries\": 3,\n    \"timeoutSeconds\": 30}}\n"
    );
}

/// `kubectl get deploy,sa -A -o json`: one `List` object, pretty-printed.
fn kubectl_json(rng: &mut Rng, n: usize) -> String {
    let mut items = Vec::new();
    for i in 0..3 + rng.below(8) {
        let app = rng.pick(APPS);
        let name = format!("{app}-{n}-{i}");
        let env: Vec<serde_json::Value> = (0..4 + rng.below(6))
            .map(|e| serde_json::json!({"name": format!("SETTING_{e}"), "value": format!("v{}", rng.below(1000))}))
            .collect();
        items.push(serde_json::json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {
                "name": name,
                "namespace": "shop",
                "uid": format!("{:016x}-{:016x}", rng.next(), rng.next()),
                "resourceVersion": rng.below(1_000_000).to_string(),
                "labels": {"app.kubernetes.io/name": app, "aadpodidbinding": format!("{app}-binding")},
                "annotations": {"deployment.kubernetes.io/revision": "7"}
            },
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": {"app.kubernetes.io/name": app}},
                "template": {
                    "metadata": {"labels": {"app.kubernetes.io/name": app, "aadpodidbinding": format!("{app}-binding")}},
                    "spec": {
                        "containers": [{
                            "name": app,
                            "image": rng.pick(IMAGES),
                            "env": env,
                            "resources": {"limits": {"cpu": "1", "memory": "1Gi"}},
                            "ports": [{"containerPort": 8080, "protocol": "TCP"}]
                        }],
                        "restartPolicy": "Always",
                        "terminationGracePeriodSeconds": 30
                    }
                }
            },
            "status": {"replicas": 2, "readyReplicas": 2, "conditions": [
                {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"}
            ]}
        }));
    }
    let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items, "metadata": {"resourceVersion": ""}});
    let mut text = serde_json::to_string_pretty(&list).expect("JSON");
    text.push('\n');
    text
}
