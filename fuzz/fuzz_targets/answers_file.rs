//! An answers file, whatever its bytes: parsing, the interview and the engine must answer with a
//! value or an error, never a panic.
#![no_main]

use std::sync::OnceLock;

use aks_id::catalog::{Catalog, builtin};
use aks_id::advise::{answers, engine, interview};
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
    let Ok(given) = answers::from_file(catalog, "fuzz.yaml", text) else {
        return;
    };
    if let Ok(done) = interview::run(catalog, given, &mut interview::Defaults) {
        let advice = engine::evaluate(catalog, done.answers, done.defaulted);
        let _ = serde_json::to_string(&advice);
    }
});
