//! What generated plans and scripts share, whichever command writes them: the one shell quoting
//! function and the rules every value must pass before it is written into a script, a manifest
//! or a command.

pub mod shell;
pub mod values;
