//! The one way a value is placed in a generated shell script: single quotes, which the shell
//! reads literally (no `$(…)`, backticks, `$VAR`, globbing or word splitting inside them). A
//! single quote in the value ends the quoted part, adds an escaped quote and starts a new one.
//! Every script aks-id writes (`advise -o script`, `migrate`) quotes values here. Beside it: the
//! escaping of catalog text placed inside double quotes or a comment of a generated script.

/// `value` as one shell word that the shell reads back byte for byte.
pub fn quote(value: &str) -> String {
    let mut quoted = String::with_capacity(value.len() + 2);
    quoted.push('\'');
    for c in value.chars() {
        if c == '\'' {
            quoted.push_str("'\\''");
        } else {
            quoted.push(c);
        }
    }
    quoted.push('\'');
    quoted
}

/// Whether `word` means itself in bash without any quoting: letters, digits and `_-./:=@%+,`.
pub fn is_plain(word: &str) -> bool {
    !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-./:=@%+,".contains(&b))
}

/// `word` as bash reads it back: as written when it is plain, else single-quoted.
pub fn word(word: &str) -> String {
    if is_plain(word) {
        word.to_owned()
    } else {
        quote(word)
    }
}

/// Literal text placed inside a double-quoted bash word: `\`, `"`, `$` and backticks escaped.
pub fn in_double_quotes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '"' | '$' | '`') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Text for a `# ` comment: one line, control characters (newlines included) shown as `\u{…}`
/// escapes so nothing after them can start a command.
pub fn comment_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// `text` as `# ` comment lines of at most `width` columns (a longer word gets a line of its
/// own).
pub fn comment(text: &str, width: usize) -> String {
    let text = comment_text(text);
    let mut out = String::new();
    let mut line = String::new();
    for w in text.split(' ').filter(|w| !w.is_empty()) {
        if !line.is_empty() && line.len() + 1 + w.len() > width {
            out.push_str("# ");
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(w);
    }
    if !line.is_empty() {
        out.push_str("# ");
        out.push_str(&line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn plain_values_are_wrapped_in_single_quotes() {
        assert_eq!(quote("my-rg"), "'my-rg'");
        assert_eq!(quote(""), "''");
    }

    #[test]
    fn a_single_quote_closes_escapes_and_reopens() {
        assert_eq!(quote("it's"), "'it'\\''s'");
    }

    #[test]
    fn hostile_values_are_inert_in_bash() {
        let hostile = [
            "$(touch /tmp/aks-id-pwned)",
            "`id`",
            "a'b\"c",
            "two\nlines",
            "with space",
            "${HOME}",
            "back\\slash",
            "*",
            "';rm -rf /;'",
        ];
        let Ok(bash) = which_bash() else {
            return;
        };
        for value in hostile {
            let script = format!("printf '%s' {}", quote(value));
            let out = std::process::Command::new(&bash)
                .args(["-c", &script])
                .output()
                .expect("bash runs");
            assert_eq!(String::from_utf8_lossy(&out.stdout), value, "{script}");
        }
    }

    fn which_bash() -> Result<std::path::PathBuf, ()> {
        ["/bin/bash", "/usr/bin/bash"]
            .iter()
            .map(std::path::PathBuf::from)
            .find(|p| p.exists())
            .ok_or(())
    }
}

#[cfg(test)]
mod text_tests {
    use super::*;

    #[test]
    fn words_are_quoted_only_when_needed() {
        assert_eq!(word("--role"), "--role");
        assert_eq!(word("Key Vault Secrets User"), "'Key Vault Secrets User'");
        assert_eq!(word("/"), "/");
        assert_eq!(word("a*"), "'a*'");
        assert_eq!(word("targets=key-vault,sql"), "targets=key-vault,sql");
        assert_eq!(word("/tmp/my-rules"), "/tmp/my-rules");
        assert_eq!(word("my rules"), "'my rules'");
        assert_eq!(word("it's"), r"'it'\''s'");
        assert_eq!(word("$HOME"), "'$HOME'");
        assert_eq!(word(""), "''");
    }

    #[test]
    fn comments_stay_on_their_lines() {
        assert_eq!(comment("a\nrm -rf /", 80), "# a\\u{a}rm -rf /\n");
        assert_eq!(comment("one two three", 5), "# one\n# two\n# three\n");
        assert_eq!(in_double_quotes(r#"a"$`\"#), r#"a\"\$\`\\"#);
    }
}
