//! The `aks-id` binary: gather the terminal facts, run, print any error once, exit with its code.
#![deny(clippy::print_stdout, clippy::print_stderr)]

#[global_allocator]
static ALLOC: aks_id::startup_alloc::StartupAlloc = aks_id::startup_alloc::StartupAlloc;

/// The C `pow`, for the one caller the binary has: indicatif's rate estimate for the progress
/// bar of `scan`. Defined here (musl's implementation, from the `libm` crate), the binary does
/// not load `libm.so` at every start only for it: a shared library less to map and relocate
/// in every run, for every command (docs/performance.md). A test checks the binary does not
/// need `libm.so`.
#[unsafe(no_mangle)]
pub extern "C" fn pow(x: f64, y: f64) -> f64 {
    libm::pow(x, y)
}

fn main() {
    let code = aks_id::main_with(std::env::args_os(), aks_id::render::Terminal::detect());
    std::process::exit(code);
}
