//! `aks-id migrate`: reads the inputs with `scan`'s reader and index, checks the options, builds
//! the plan, and writes its folder all or nothing. Refused values and unreadable inputs are
//! reported on stderr with their place; the folder is still written (the refused objects are
//! manual steps in it) and the exit code says so.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::catalog::Catalog;
use crate::error::{Error, ExitCode, output as out_err};
use crate::migrate::{self, Sdk};
use crate::plan::values::Rule;
use crate::scan;

/// The largest answers file read.
const MAX_ANSWERS_BYTES: u64 = 1024 * 1024;

/// `migrate`'s flags, as plain values.
#[derive(Debug, Clone)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub out: PathBuf,
    pub force: bool,
    pub issuer: Option<String>,
    pub tenant_id: Option<String>,
    pub sdk: Sdk,
    pub answers: Option<PathBuf>,
    pub resource_group: Option<String>,
    pub cluster: Option<String>,
    pub native_sidecars: bool,
    pub namespace: String,
}

pub fn run(
    catalog: &Catalog,
    options: &Options,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitCode, Error> {
    let checks = [
        (&options.issuer, Rule::HttpsUrl, "--issuer"),
        (&options.tenant_id, Rule::Guid, "--tenant-id"),
        (
            &options.resource_group,
            Rule::ResourceGroup,
            "--resource-group",
        ),
        (&options.cluster, Rule::ClusterName, "--cluster"),
    ];
    for (value, rule, flag) in checks {
        if let Some(value) = value
            && let Err(refused) = rule.check(value)
        {
            return Err(Error::Usage(format!("{flag}: {refused}")));
        }
    }
    let sdk_answers = match &options.answers {
        Some(path) => read_answers(path)?,
        None => BTreeMap::new(),
    };
    check_output(&options.out, &options.paths, options.force)?;

    let config = scan::Config {
        paths: options.paths.clone(),
        no_ignore: false,
        namespace: options.namespace.clone(),
        complete: false,
        skip: Vec::new(),
        only: Vec::new(),
        advice: false,
        progress: false,
        threads: 0,
    };
    let report = scan::run(catalog, &config)?;
    let plan = migrate::plan(
        &report.index,
        &migrate::Options {
            issuer: options.issuer.clone(),
            tenant_id: options.tenant_id.clone(),
            sdk: options.sdk,
            resource_group: options.resource_group.clone(),
            cluster: options.cluster.clone(),
            native_sidecars: options.native_sidecars,
            sdk_answers,
        },
    );
    let files = crate::render::migrate::files(&plan)
        .map_err(|e| Error::Runtime(anyhow::Error::new(e).context("cannot write plan.json")))?;
    crate::fsio::write_folder(&options.out, &files, options.force)
        .map_err(|e| Error::Runtime(anyhow::anyhow!("{e}")))?;

    for p in &report.problems {
        let _ = writeln!(
            err,
            "aks-id: warning: {}:{}:{}: {}",
            crate::display::untrusted(report.file(p.loc)),
            p.loc.line,
            p.loc.column,
            crate::display::untrusted(&p.message)
        );
    }
    for r in &plan.refused {
        let _ = writeln!(
            err,
            "aks-id: refused: {}: {}",
            crate::display::untrusted(&r.at),
            crate::display::untrusted(&r.message)
        );
    }
    for w in &plan.warnings {
        let _ = writeln!(err, "aks-id: warning: {}", crate::display::untrusted(w));
    }
    writeln!(
        out,
        "wrote {}: {} workload(s) converted, {} manual step(s), {} ServiceAccount(s), {} federated credential(s), {} refused value(s)",
        crate::display::untrusted(&options.out.display().to_string()),
        plan.workloads.len(),
        plan.manual.len(),
        plan.service_accounts.len(),
        plan.credentials.len(),
        plan.refused.len()
    )
    .map_err(out_err)?;
    Ok(if report.has_unreadable() {
        ExitCode::Failure
    } else if !plan.refused.is_empty() {
        ExitCode::BadInput
    } else {
        ExitCode::Success
    })
}

/// Refuses an output folder that is not empty (without `--force`), is a symbolic link, or holds
/// an input (which `--force` would replace).
fn check_output(dir: &Path, inputs: &[PathBuf], force: bool) -> Result<(), Error> {
    let shown = || crate::diag::clip(&dir.display().to_string(), 200);
    match std::fs::symlink_metadata(dir) {
        Ok(meta) if meta.file_type().is_symlink() => {
            return Err(Error::Usage(format!(
                "--out {} is a symbolic link; refusing to write through it",
                shown()
            )));
        }
        Ok(meta) if !meta.is_dir() => {
            return Err(Error::Usage(format!("--out {} is not a folder", shown())));
        }
        Ok(_) => {
            let empty = std::fs::read_dir(dir)
                .map_err(|e| Error::io(format!("cannot read {}", shown()), e))?
                .next()
                .is_none();
            if !empty && !force {
                return Err(Error::Usage(format!(
                    "--out {} is not empty; pass --force to write the plan into it (its files are replaced, other files kept)",
                    shown()
                )));
            }
            if let Ok(out) = dir.canonicalize() {
                for input in inputs {
                    if let Ok(input) = input.canonicalize()
                        && (input.starts_with(&out) || out.starts_with(&input))
                    {
                        return Err(Error::Usage(format!(
                            "--out {} holds or is inside the input {}: migrate never writes over its inputs",
                            shown(),
                            crate::diag::clip(&input.display().to_string(), 200)
                        )));
                    }
                }
            }
        }
        Err(_) => {}
    }
    Ok(())
}

/// The answers file: `sdk: {NAMESPACE/KIND/NAME: current | legacy-imds}`.
fn read_answers(path: &Path) -> Result<BTreeMap<String, Sdk>, Error> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Answers {
        #[serde(default)]
        sdk: BTreeMap<String, String>,
    }
    let shown = crate::diag::clip(&path.display().to_string(), 200);
    use crate::fsio::Unreadable;
    let text = crate::fsio::read(path, MAX_ANSWERS_BYTES).map_err(|e| match e {
        Unreadable::Missing => Error::Usage(format!("answers file {shown} does not exist")),
        Unreadable::Folder => Error::Usage(format!("answers file {shown} is a folder")),
        Unreadable::NotRegular(what) => Error::Usage(format!("answers file {shown} is {what}")),
        Unreadable::TooLarge(_) => Error::Answer(format!(
            "answers file {shown} is larger than {MAX_ANSWERS_BYTES} bytes"
        )),
        Unreadable::NotUtf8(at) => Error::Answer(format!(
            "answers file {shown} is not UTF-8 text (invalid byte at offset {at})"
        )),
        Unreadable::Io(e) => Error::io(format!("cannot read answers file {shown}"), e),
    })?;
    let answers: Answers = crate::yaml::from_str_fast(&text).ok_or_else(|| {
        Error::Answer(format!(
            "answers file {shown}: expected `sdk: {{NAMESPACE/KIND/NAME: current | legacy-imds}}`"
        ))
    })?;
    let mut out = BTreeMap::new();
    for (key, value) in answers.sdk {
        let sdk = Sdk::parse(&value).ok_or_else(|| {
            Error::Answer(format!(
                "answers file {shown}: `{}`: sdk `{}` is not current or legacy-imds",
                crate::diag::clip(&key, 120),
                crate::diag::clip(&value, 40)
            ))
        })?;
        out.insert(key, sdk);
    }
    Ok(out)
}
