//! What the whole-process benchmarks share: where cargo put the binaries they measure.
//!
//! `cargo bench` builds the crate's binary with the features the dev-dependencies unify in, so
//! the `target/release/aks-id` it leaves is not the one `cargo build --release` makes.
//! `scripts/bench.sh` builds the release binary first, copies it aside and names it in
//! `AKS_ID_BIN`; without it the benches measure `target/release/aks-id` as they find it.

use std::path::{Path, PathBuf};

/// `$CARGO_TARGET_DIR`, else `target` next to the manifest.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                Path::new(env!("CARGO_MANIFEST_DIR")).join(dir)
            }
        }
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("target"),
    }
}

/// The aks-id binary to measure: `$AKS_ID_BIN`, else `target/release/aks-id`.
pub fn release_binary() -> PathBuf {
    match std::env::var_os("AKS_ID_BIN") {
        Some(bin) if !bin.is_empty() => PathBuf::from(bin),
        _ => target_dir().join("release").join("aks-id"),
    }
}
