// Included by build.rs, and by the build script of the hello-world baseline that
// benches/process.rs builds, so that both link the same way. Needs `use std::fs` and
// `use std::path::Path` in scope.

/// Packs the binary's relative relocations (`-z pack-relative-relocs`, DT_RELR): the dynamic
/// loader then applies them from a bitmap, a fraction of the work and of the pages of the usual
/// table. Only where a probe program links with the option and runs (binutils 2.38 and glibc
/// 2.36 or later, and not when cross-compiling); otherwise the binary links as before.
fn link_packed_relocations(out: &Path) {
    let target = std::env::var("TARGET").unwrap_or_default();
    let host = std::env::var("HOST").unwrap_or_default();
    if target != host || !target.ends_with("-linux-gnu") {
        return;
    }
    let source = out.join("relr_probe.c");
    let exe = out.join("relr_probe");
    if fs::write(&source, "int main(void) { return 0; }\n").is_err() {
        return;
    }
    let linked = std::process::Command::new("cc")
        .arg(&source)
        .arg("-o")
        .arg(&exe)
        .args(["-Wl,-z,pack-relative-relocs", "-Wl,--fatal-warnings"])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if linked
        && std::process::Command::new(&exe)
            .status()
            .is_ok_and(|s| s.success())
    {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}
