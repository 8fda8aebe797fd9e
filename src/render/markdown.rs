//! Markdown escaping, in one place for every Markdown output (advice, comparison, model sheet):
//! each interpolated string escaped for the context it lands in, so that a catalog text shows as
//! written and never becomes markup.
//!
//! - Prose ([`md_text`]) and table cells ([`md_cell`]): emphasis, code, link and HTML characters
//!   escaped, bare `https://`/`www.` addresses kept from turning into links, line breaks kept
//!   from starting a new block.
//! - Code ([`code_span`], [`code_block`]): the text exactly as written, inside a fence longer than
//!   any run of backticks it holds, so that nothing in it can close the fence.
//! - Links ([`source_link`], [`autolink`]): only the catalog's sources become links, and only
//!   `https:` ones; characters that could end the link are percent-encoded.

/// Markdown prose, shown as written, on one line: `<` and `>` as entities (placeholders such as
/// `<resource-id>` are not taken for HTML tags), `\`, `*`, `_`, `` ` ``, `[`, `]`, `~` and `|`
/// escaped (no emphasis, code, link, image, strikethrough or table break), bare addresses kept
/// from becoming links, and a line break as a space (Markdown joins the lines of a paragraph
/// anyway, and a line that starts with `#` or `-` would otherwise start a new block).
pub fn md_text(text: &str) -> String {
    inline(text, " ")
}

/// A Markdown table cell: [`md_text`], with line breaks as `<br>`.
pub fn md_cell(text: &str) -> String {
    inline(text, "<br>")
}

fn inline(text: &str, line_break: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let len = c.len_utf8();
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '*' | '_' | '`' | '[' | ']' | '~' | '|' => {
                out.push('\\');
                out.push(c);
            }
            '\r' if rest[1..].starts_with('\n') => {}
            '\n' => out.push_str(line_break),
            // GitHub turns bare `https://…` and `www.…` into links: an escaped `:` or `.`
            // keeps them text.
            ':' if rest[1..].starts_with("//") => out.push_str("\\:"),
            'w' if starts_word(&out) && rest.starts_with("www.") => {
                out.push_str("www\\.");
                rest = &rest[4..];
                continue;
            }
            c => out.push(c),
        }
        rest = &rest[len..];
    }
    out
}

/// Whether the next character starts a word (for the `www.` autolink rule).
fn starts_word(before: &str) -> bool {
    before
        .chars()
        .next_back()
        .is_none_or(|c| !c.is_alphanumeric())
}

/// The longest run of backticks in `text`.
fn longest_backtick_run(text: &str) -> usize {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    longest
}

/// An inline code span holding `text` (one line) exactly: fenced with more backticks than any
/// run inside it, padded with a space where the text starts or ends with a backtick or a space.
/// In a table, pipes are escaped as `\|`, which GitHub shows as `|` inside code too.
pub fn code_span(text: &str, in_table: bool) -> String {
    let fence = "`".repeat(longest_backtick_run(text) + 1);
    let pad = if text.starts_with(['`', ' ']) || text.ends_with(['`', ' ']) {
        " "
    } else {
        ""
    };
    let body = if in_table {
        text.replace('|', "\\|")
    } else {
        text.to_owned()
    };
    format!("{fence}{pad}{body}{pad}{fence}")
}

/// A fenced code block holding `text` exactly, each line after `indent`, with a fence of at
/// least three backticks and longer than any run of backticks in the text; `info` names the
/// language. Ends with a line break.
pub fn code_block(text: &str, info: &str, indent: &str) -> String {
    let fence = "`".repeat((longest_backtick_run(text) + 1).max(3));
    let mut out = format!("{indent}{fence}{info}\n");
    for line in text.split('\n') {
        out.push_str(indent);
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(&format!("{indent}{fence}\n"));
    out
}

/// A URL that may be a link target: `https:` only, with every character that could end or
/// break the link (spaces, brackets, quotes, backslashes, pipes, control and non-ASCII
/// characters) percent-encoded. `None` for any other scheme.
pub fn link_target(url: &str) -> Option<String> {
    if !url.starts_with("https://") {
        return None;
    }
    let mut out = String::with_capacity(url.len());
    for byte in url.bytes() {
        let keep = byte.is_ascii_alphanumeric()
            || matches!(
                byte,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b':'
                    | b'/'
                    | b'?'
                    | b'#'
                    | b'@'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b'%'
                    | b'*'
            );
        if keep {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    Some(out)
}

/// A source as a link, `[title](url)`; a source whose URL is not `https:` is shown as text with
/// its URL in code, not linked.
pub fn source_link(title: &str, url: &str) -> String {
    match link_target(url) {
        Some(target) => format!("[{}]({target})", md_text(title)),
        None => format!("{} ({})", md_text(title), code_span(url, false)),
    }
}

/// A source URL as an autolink, `<url>`; not linked unless it is `https:`.
pub fn autolink(url: &str) -> String {
    match link_target(url) {
        Some(target) => format!("<{target}>"),
        None => code_span(url, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_never_becomes_markup() {
        assert_eq!(md_text("plain words, kept."), "plain words, kept.");
        assert_eq!(
            md_text("[click](https://evil.example) ![img](x)"),
            "\\[click\\](https\\://evil.example) !\\[img\\](x)"
        );
        assert_eq!(
            md_text("<script>*a*_b_`c`~~d~~"),
            "&lt;script&gt;\\*a\\*\\_b\\_\\`c\\`\\~\\~d\\~\\~"
        );
        assert_eq!(md_text("see www.evil.example"), "see www\\.evil.example");
        assert_eq!(md_text("awww.x"), "awww.x");
        assert_eq!(md_text("one\n# two\r\n- three"), "one # two - three");
        assert_eq!(md_cell("a|b\nc"), "a\\|b<br>c");
    }

    #[test]
    fn code_is_kept_exactly_inside_a_longer_fence() {
        assert_eq!(code_span("az login", false), "`az login`");
        assert_eq!(code_span("a `b` c", false), "``a `b` c``");
        assert_eq!(code_span("`x", false), "`` `x ``");
        assert_eq!(code_span("a | b", true), "`a \\| b`");
        assert_eq!(
            code_block("az login", "sh", "   "),
            "   ```sh\n   az login\n   ```\n"
        );
        let hostile = "echo hi\n```\n# Injected heading\n````";
        let block = code_block(hostile, "sh", "");
        assert!(block.starts_with("`````sh\n"), "{block}");
        assert!(block.ends_with("\n`````\n"), "{block}");
        assert!(block.contains(hostile));
    }

    #[test]
    fn only_https_sources_become_links() {
        assert_eq!(
            source_link("Docs [1]", "https://learn.microsoft.com/a_b?x=1#y"),
            "[Docs \\[1\\]](https://learn.microsoft.com/a_b?x=1#y)"
        );
        assert_eq!(
            source_link("t", "https://x.example/a) [b](javascript:alert(1)"),
            "[t](https://x.example/a%29%20%5Bb%5D%28javascript:alert%281%29)"
        );
        assert_eq!(
            source_link("t", "javascript:alert(1)"),
            "t (`javascript:alert(1)`)"
        );
        assert_eq!(
            autolink("https://x.example/<a>"),
            "<https://x.example/%3Ca%3E>"
        );
        assert_eq!(autolink("http://x.example"), "`http://x.example`");
    }
}
