//! The `aks-id` binary: gather the terminal facts, run, print any error once, exit with its code.

#[global_allocator]
static ALLOC: aks_id::startup_alloc::StartupAlloc = aks_id::startup_alloc::StartupAlloc;

fn main() {
    let code = aks_id::main_with(std::env::args_os(), aks_id::render::Terminal::detect());
    std::process::exit(code);
}
