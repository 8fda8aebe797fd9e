//! What the whole-process benchmarks share: where cargo put the binaries they measure.

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
