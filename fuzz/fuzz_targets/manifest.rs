//! Fuzzes the manifest reader of `aks-id scan`: any text (YAML, JSON, templates, garbage) must
//! give objects and problems, never a panic, a hang or unbounded memory.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let scan = aks_id::scan::manifest::read(0, text, "default");
        for problem in &scan.problems {
            assert!(!problem.message.is_empty());
        }
    }
});
