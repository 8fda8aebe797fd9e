//! A typed or piped answer line, and a `--set` flag, for every question.
#![no_main]

use std::sync::OnceLock;

use aks_id::advise::answers::{self, Origin};
use aks_id::catalog::{Catalog, builtin};
use libfuzzer_sys::fuzz_target;

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| builtin::load().expect("the built-in catalog is valid"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let catalog = catalog();
    for question in &catalog.questions {
        let _ = answers::parse_text(question, text, &Origin::Stdin { line: 1 });
    }
    let _ = answers::from_flags(catalog, &[text.to_owned()]);
});
