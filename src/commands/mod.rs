//! One file per subcommand: resolve the flags into plain values, run the core, render.

pub mod scan;
