//! Build script: tells the compiler the built-in catalog's as-of date for `--version`, and to
//! rebuild when the `rules/` folder changes (the YAML is embedded with `include_str!`).

fn main() {
    println!("cargo:rerun-if-changed=rules");
    let text = std::fs::read_to_string("rules/catalog.yaml").unwrap_or_default();
    let as_of = text
        .lines()
        .find_map(|line| line.strip_prefix("as_of:"))
        .map(|v| v.trim().trim_matches('"').trim_matches('\'').to_owned())
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=AKS_ID_CATALOG_AS_OF={as_of}");
}
