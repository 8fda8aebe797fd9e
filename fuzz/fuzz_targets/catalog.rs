//! A rules folder with one file replaced by arbitrary text: the loader must report problems, not
//! panic. The first byte picks the file.
#![no_main]

use aks_id::catalog::{Origin, builtin, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let index = usize::from(pick) % builtin::FILES.len();
    let files: Vec<(String, String)> = builtin::FILES
        .iter()
        .enumerate()
        .map(|(i, (rel, builtin_text))| {
            let body = if i == index { text } else { builtin_text };
            ((*rel).to_owned(), body.to_owned())
        })
        .collect();
    let _ = parse(Origin::BuiltIn, "rules", &files);
});
