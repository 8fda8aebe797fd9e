mod advise;
mod advise_support;
