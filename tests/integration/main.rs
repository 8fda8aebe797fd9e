//! The integration tests of aks-id: one binary (`autotests = false`), one module per area. Every
//! test runs the real `aks-id` binary (or the library's public API) and checks what a user sees.

mod advice_output;
mod advise;
mod architecture;
mod catalog;
mod cli;
mod compare;
mod conventions;
mod expert;
mod hardening;
mod migrate;
mod output;
mod parser_properties;
mod properties;
mod pty;
mod questions;
mod scan;
mod script;
mod support;
