mod advise;
mod advise_support;
mod questions;
