//! Markdown escaping, in one place for every Markdown output (advice, comparison, model sheet):
//! text from the catalog is shown as written, never taken for HTML, emphasis or table syntax.

/// A Markdown table cell: pipes escaped, line breaks as `<br>`, and no raw HTML (see
/// [`md_text`]).
pub fn md_cell(text: &str) -> String {
    md_text(text)
        .replace('|', "\\|")
        .replace("\r\n", "\n")
        .replace('\n', "<br>")
}

/// Markdown prose, shown as written: `<` and `>` escaped, so that placeholders such as
/// `<selector>` or `<resource>/.default` are not taken for HTML tags and dropped, and `*`, `_`
/// and backslashes escaped, so that names such as `azurekeyvaultsecretsprovider-*` or
/// `service_accounts` do not turn into emphasis.
pub fn md_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '*' | '_' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}
