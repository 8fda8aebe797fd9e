//! `aks-id scan`: reads manifests and cluster dumps, tells every workload's identity mechanism,
//! reports findings from the catalog's `findings.yaml`, and advises a model per workload.
//!
//! The pipeline: [`input`] finds and reads the files (in parallel, bounded, reading as soon as
//! the walk finds them), [`manifest`] and [`template`] turn each text into the compact objects of
//! [`model`], [`index`] joins them across all inputs, the [`findings`] detectors run over the
//! index, and [`advice`] runs the advisor's engine on answers inferred per workload (detectors
//! and workloads shared out among the threads). The result is a [`Report`], which the renderers
//! in `render/` print.

pub mod advice;
pub mod findings;
pub mod index;
pub mod input;
pub mod manifest;
pub mod model;
pub mod template;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, mpsc};
use std::time::{Duration, Instant};

use crate::catalog::{Catalog, Severity};
use crate::error::Error;

use index::{Index, Mechanism};
use input::Source;
use manifest::{FileScan, Problem, ProblemKind};
use model::*;

/// The scan's settings, resolved from the command line.
#[derive(Clone, Debug, Default)]
pub struct Config {
    pub paths: Vec<PathBuf>,
    pub no_ignore: bool,
    /// The namespace of objects that name none.
    pub namespace: String,
    /// The input is a whole cluster: what is missing from it is missing.
    pub complete: bool,
    pub skip: Vec<String>,
    pub only: Vec<String>,
    /// Infer answers and run the advisor per workload.
    pub advice: bool,
    /// Draw a progress bar on stderr (a terminal) when the scan takes more than a second.
    pub progress: bool,
    /// Threads for reading, parsing and checking; 0 = the machine's parallelism.
    pub threads: usize,
}

/// A finding as reported: metadata resolved from the catalog, suppression applied.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// A detector's own id.
    pub id: &'static str,
    pub severity: Severity,
    /// Borrowed from the catalog's metadata (the built-in catalog's, from the binary).
    pub title: crate::catalog::Text,
    pub message: String,
    pub loc: Loc,
    /// The object it is about: an index into `index.objects` (see [`Report::object`]).
    pub object: usize,
    /// The source URLs of the finding's id, shared by every finding of that id.
    pub sources: std::sync::Arc<[String]>,
    /// The reason given in the object's `aks-id/skip` annotation.
    pub suppressed: Option<String>,
}

/// One workload and what the scan concluded about it.
#[derive(Clone, Debug)]
pub struct WorkloadRow {
    pub object: usize,
    pub mechanism: Mechanism,
    pub advice: Option<advice::WorkloadAdvice>,
}

/// The whole result of a scan.
pub struct Report {
    pub index: Index,
    pub workloads: Vec<WorkloadRow>,
    /// Identity-bearing objects (index into `index.objects`) with what they are.
    pub identity_objects: Vec<(usize, &'static str)>,
    pub findings: Vec<Finding>,
    pub problems: Vec<Problem>,
    pub documents: usize,
}

impl Report {
    pub fn file(&self, loc: Loc) -> &str {
        self.index
            .files
            .get(loc.file as usize)
            .map_or("-", String::as_str)
    }

    pub fn object(&self, i: usize) -> &Object {
        &self.index.objects[i]
    }

    /// Whether an input could not be read or parsed (exit 1).
    pub fn has_unreadable(&self) -> bool {
        self.problems
            .iter()
            .any(|p| matches!(p.kind, ProblemKind::Unreadable | ProblemKind::Syntax))
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.suppressed.is_none() && f.severity == severity)
            .count()
    }

    pub fn suppressed(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.suppressed.is_some())
            .count()
    }

    pub fn mechanism_count(&self, m: Mechanism) -> usize {
        self.workloads.iter().filter(|w| w.mechanism == m).count()
    }
}

/// Checks `--skip`/`--only` ids against the catalog.
pub fn check_ids(catalog: &Catalog, ids: &[String], flag: &str) -> Result<(), Error> {
    for id in ids {
        if catalog.finding(id).is_none() {
            let known: Vec<&str> = catalog.findings.iter().map(|f| f.id.as_ref()).collect();
            return Err(Error::Usage(format!(
                "{flag}: unknown finding id `{}` (see `aks-id findings`; ids: {})",
                crate::diag::clip(id, 80),
                known.join(", ")
            )));
        }
    }
    Ok(())
}

/// Runs a scan. Input problems are in the report; only usage errors are `Err`.
pub fn run(catalog: &Catalog, config: &Config) -> Result<Report, Error> {
    check_ids(catalog, &config.skip, "--skip")?;
    check_ids(catalog, &config.only, "--only")?;
    let paths = if config.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        config.paths.clone()
    };
    let namespace = if config.namespace.is_empty() {
        "default"
    } else {
        config.namespace.as_str()
    };
    let (sources, walk_problems, scans) = read_all(&paths, namespace, config);
    let mut files: Vec<String> = sources.iter().map(Source::display).collect();
    let mut problems: Vec<Problem> = Vec::new();
    for p in walk_problems {
        let file = u32::try_from(files.len()).unwrap_or(u32::MAX);
        files.push(p.path);
        problems.push(Problem {
            kind: ProblemKind::Unreadable,
            loc: Loc {
                file,
                line: 0,
                column: 0,
            },
            message: p.message,
        });
    }
    let mut objects = Vec::with_capacity(scans.iter().map(|s| s.objects.len()).sum());
    let mut documents = 0;
    for scan in scans {
        documents += scan.documents;
        objects.extend(scan.objects);
        problems.extend(scan.problems);
    }
    problems.sort_by_key(|p| (p.loc.file, p.loc.line, p.loc.column));
    let index = Index::new(files, objects, config.complete);

    let (findings, (workloads, identity_objects)) = analyse(catalog, &index, config);
    Ok(Report {
        index,
        workloads,
        identity_objects,
        findings,
        problems,
        documents,
    })
}

type Rows = (Vec<WorkloadRow>, Vec<(usize, &'static str)>);

/// What one detector job found, with the job's number.
type JobFindings = (usize, Vec<Finding>);

/// A finding id's catalog metadata and source URLs.
type Resolved<'c> = (&'c crate::catalog::FindingMeta, std::sync::Arc<[String]>);

/// A detector's findings with their catalog metadata and suppressions; findings whose id the
/// catalog does not have are left out. A detector reports under its own id, so the metadata and
/// the source URLs are looked up once per id, not per finding.
fn resolve(catalog: &Catalog, index: &Index, raw: Vec<findings::Raw>) -> Vec<Finding> {
    let mut known: Vec<(&str, Option<Resolved<'_>>)> = Vec::new();
    let mut out = Vec::with_capacity(raw.len());
    for r in raw {
        let at = match known.iter().position(|(id, _)| *id == r.id) {
            Some(at) => at,
            None => {
                let meta = catalog.finding(r.id).map(|meta| {
                    let urls = catalog.urls(&meta.sources);
                    (meta, urls.into_iter().map(str::to_owned).collect())
                });
                known.push((r.id, meta));
                known.len() - 1
            }
        };
        let Some((meta, sources)) = &known[at].1 else {
            continue;
        };
        let object = &index.objects[r.object];
        out.push(Finding {
            id: r.id,
            severity: r.level.unwrap_or(meta.severity),
            title: meta.title.clone(),
            message: r.message,
            loc: r.loc,
            object: r.object,
            sources: sources.clone(),
            suppressed: suppression(object, r.id),
        });
    }
    out
}

/// The findings and the per-workload rows. Each detector and the rows read the index only, so
/// they are jobs for as many threads as the machine has, taken in turn; their results are put
/// back in detector order, as one thread would give them.
fn analyse(catalog: &Catalog, index: &Index, config: &Config) -> (Vec<Finding>, Rows) {
    let wanted = |id: &str| {
        !config.skip.iter().any(|s| s == id)
            && (config.only.is_empty() || config.only.iter().any(|s| s == id))
    };
    let detectors: Vec<findings::Detector> = findings::DETECTORS
        .iter()
        .filter(|(id, _)| wanted(id))
        .map(|(_, detector)| *detector)
        .collect();
    let threads = if config.threads > 0 {
        config.threads
    } else {
        std::thread::available_parallelism().map_or(1, |p| p.get())
    };
    // Job 0 is the rows (the longest, so it starts first); job `d + 1` is detector `d`.
    let next = AtomicUsize::new(0);
    let work = || {
        let mut rows = None;
        let mut found = Vec::new();
        loop {
            let job = next.fetch_add(1, Ordering::Relaxed);
            if job == 0 {
                rows = Some(workload_rows(catalog, index, config.advice));
                continue;
            }
            let Some(detector) = detectors.get(job - 1) else {
                break;
            };
            let mut sink = findings::Sink::new();
            detector(index, &mut sink);
            found.push((job, resolve(catalog, index, sink.found)));
        }
        (rows, found)
    };
    let results: Vec<(Option<Rows>, Vec<JobFindings>)> = if threads <= 1 {
        vec![work()]
    } else {
        std::thread::scope(|scope| {
            let others: Vec<_> = (1..threads.min(detectors.len() + 1))
                .map(|_| scope.spawn(work))
                .collect();
            let mut results = vec![work()];
            for handle in others {
                results.push(
                    handle
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                );
            }
            results
        })
    };
    let mut rows = None;
    let mut by_detector = Vec::new();
    for (r, found) in results {
        rows = rows.or(r);
        by_detector.extend(found);
    }
    by_detector.sort_unstable_by_key(|(job, _)| *job);
    let mut resolved: Vec<Finding> = by_detector
        .into_iter()
        .flat_map(|(_, found)| found)
        .collect();
    // Input order: by position, then by id for findings at one place.
    resolved.sort_by(|a, b| (a.loc, &a.id, &a.message).cmp(&(b.loc, &b.id, &b.message)));
    resolved.dedup_by(|a, b| a.loc == b.loc && a.id == b.id && a.message == b.message);
    (
        resolved,
        rows.unwrap_or_else(|| workload_rows(catalog, index, config.advice)),
    )
}

/// Every workload with its mechanism (and advice), and the identity-bearing objects.
fn workload_rows(catalog: &Catalog, index: &Index, advice: bool) -> Rows {
    let mut workloads = Vec::new();
    let mut identity_objects = Vec::new();
    for (i, o) in index.objects.iter().enumerate() {
        if is_workload_kind(&o.kind) {
            workloads.push(WorkloadRow {
                object: i,
                mechanism: index.mechanism(o),
                advice: None,
            });
        }
        if let Some(role) = identity_role(o) {
            identity_objects.push((i, role));
        }
    }
    if advice {
        let mut memo = advice::Memo::default();
        for row in &mut workloads {
            row.advice = advice::advise(
                catalog,
                index,
                &index.objects[row.object],
                row.mechanism,
                &mut memo,
            );
        }
    }
    (workloads, identity_objects)
}

/// What an identity-bearing object is, for the `objects` list.
fn identity_role(o: &Object) -> Option<&'static str> {
    let wi_meta = o
        .meta
        .annotations
        .iter()
        .chain(&o.meta.labels)
        .any(|e| e.key.starts_with(WI_PREFIX));
    match o.kind.as_str() {
        "ServiceAccount" if wi_meta => Some("workload-identity-service-account"),
        "AzureIdentity" => Some("pod-identity-identity"),
        "AzureIdentityBinding" => Some("pod-identity-binding"),
        "AzurePodIdentityException" => Some("pod-identity-exception"),
        "SecretProviderClass" => Some("secret-provider-class"),
        "MutatingWebhookConfiguration" if o.name.contains("azure-wi-webhook") => {
            Some("workload-identity-webhook")
        }
        _ => match &o.body {
            Body::Workload(w) => {
                // Images are short: a search per image costs less than building a searcher.
                let image = |needle: &str| {
                    w.pod.containers.iter().any(|c| {
                        memchr::memmem::find(c.image.as_bytes(), needle.as_bytes()).is_some()
                    })
                };
                if image("aad-pod-identity/nmi") {
                    Some("pod-identity-nmi")
                } else if image("aad-pod-identity/mic") {
                    Some("pod-identity-mic")
                } else if image("workload-identity/webhook") {
                    Some("workload-identity-webhook")
                } else {
                    None
                }
            }
            _ => None,
        },
    }
}

/// The reason the object's `aks-id/skip` annotation gives for skipping `id`, if it does.
/// Entries are `ID: reason`, separated by `;` or new lines; an entry without a reason does not
/// suppress.
pub fn suppression(object: &Object, id: &str) -> Option<String> {
    let annotation = lookup(&object.meta.annotations, SUPPRESS_ANNOTATION)?;
    annotation
        .value
        .split([';', '\n'])
        .filter_map(|entry| entry.split_once(':'))
        .find(|(key, reason)| key.trim() == id && !reason.trim().is_empty())
        .map(|(_, reason)| reason.trim().to_owned())
}

/// Finds the inputs, then reads and parses each, in parallel, keeping input order. Reading
/// starts while folders are still being walked.
fn read_all(
    paths: &[PathBuf],
    namespace: &str,
    config: &Config,
) -> (Vec<Source>, Vec<input::WalkProblem>, Vec<FileScan>) {
    let scan_one = |i: usize, source: &Source| -> FileScan {
        let file = u32::try_from(i).unwrap_or(u32::MAX);
        match input::read(source) {
            Ok(text) => manifest::read(file, &text, namespace),
            Err(message) => FileScan {
                problems: vec![Problem {
                    kind: ProblemKind::Unreadable,
                    loc: Loc {
                        file,
                        line: 0,
                        column: 0,
                    },
                    message,
                }],
                ..FileScan::default()
            },
        }
    };
    let threads = if config.threads > 0 {
        config.threads
    } else {
        std::thread::available_parallelism().map_or(1, |p| p.get())
    };
    if threads <= 1 {
        let (sources, problems) = input::discover(paths, config.no_ignore);
        let scans = sources
            .iter()
            .enumerate()
            .map(|(i, source)| scan_one(i, source))
            .collect();
        return (sources, problems, scans);
    }
    let (sender, receiver) = mpsc::channel::<(usize, Source)>();
    let receiver = Mutex::new(receiver);
    let done = AtomicUsize::new(0);
    let (sources, problems, chunks) = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let next = match receiver.lock() {
                            Ok(receiver) => receiver.recv(),
                            Err(_) => break,
                        };
                        let Ok((i, source)) = next else {
                            break;
                        };
                        mine.push((i, scan_one(i, &source)));
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                    mine
                })
            })
            .collect();
        let mut sources: Vec<Source> = Vec::new();
        let problems = input::discover_each(paths, config.no_ignore, &mut |source| {
            // Should every worker be gone, the input is read after the walk (below).
            let _ = sender.send((sources.len(), source.clone()));
            sources.push(source);
        });
        drop(sender);
        if config.progress {
            progress(&done, sources.len(), &workers);
        }
        let chunks: Vec<Vec<(usize, FileScan)>> = workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect();
        (sources, problems, chunks)
    });
    let mut results: Vec<Option<FileScan>> = (0..sources.len()).map(|_| None).collect();
    for (i, scan) in chunks.into_iter().flatten() {
        results[i] = Some(scan);
    }
    let scans = results
        .into_iter()
        .enumerate()
        .map(|(i, scan)| scan.unwrap_or_else(|| scan_one(i, &sources[i])))
        .collect();
    (sources, problems, scans)
}

/// A progress bar on stderr, shown only once the scan has run for a second.
fn progress<T>(done: &AtomicUsize, total: usize, workers: &[std::thread::ScopedJoinHandle<'_, T>]) {
    let start = Instant::now();
    let bar = indicatif::ProgressBar::hidden();
    bar.set_length(total as u64);
    let mut shown = false;
    while !workers.iter().all(|w| w.is_finished()) {
        std::thread::sleep(Duration::from_millis(100));
        if !shown && start.elapsed() > Duration::from_secs(1) {
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            bar.set_style(
                indicatif::ProgressStyle::with_template("scanning {bar:30} {pos}/{len} files")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            shown = true;
        }
        bar.set_position(done.load(Ordering::Relaxed) as u64);
    }
    bar.finish_and_clear();
}
