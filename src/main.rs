//! The `aks-id` binary: gather the terminal facts, run, print any error once, exit with its code.
#![deny(clippy::print_stdout, clippy::print_stderr)]

fn main() {
    let code = aks_id::main_with(std::env::args_os(), aks_id::render::Terminal::detect());
    std::process::exit(code);
}
