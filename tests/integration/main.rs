mod advise;
mod advise_support;
mod pty;
mod questions;
