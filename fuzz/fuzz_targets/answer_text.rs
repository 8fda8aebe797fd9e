//! A typed or piped answer line, and a `--set` flag, for every question; and the same text as
//! display text (no hidden character left) and as Markdown code (kept exactly).
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

    let shown = aks_id::display::untrusted(text);
    assert!(!shown.chars().any(aks_id::display::is_hidden), "{shown:?}");
    let lines = aks_id::display::untrusted_lines(text);
    assert!(!lines.chars().any(|c| c != '\n' && aks_id::display::is_hidden(c)));
    let block = aks_id::render::markdown::code_block(text, "sh", "");
    assert!(block.contains(text));
    let fence_len = block.find("sh\n").unwrap_or_default();
    assert!(!text.contains(&block[..fence_len]), "the fence is longer than any run inside");
    let prose = aks_id::render::markdown::md_text(text);
    assert!(!prose.contains('\n'));
    let bytes = prose.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if matches!(b, b'[' | b']' | b'`' | b'<' | b'>') {
            assert!(*b != b'<' && *b != b'>' && i > 0 && bytes[i - 1] == b'\\', "{prose:?}");
        }
    }
});
