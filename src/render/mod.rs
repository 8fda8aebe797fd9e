//! Renderers: how each command's result looks in each output format.

pub mod sarif;
pub mod scan;
