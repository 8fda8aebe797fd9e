mod advise;
mod advise_support;
mod properties;
mod pty;
mod questions;
