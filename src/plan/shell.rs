//! Shell quoting for generated bash: the ONE function that turns a value into a single-quoted
//! word, and the escaping of text placed inside double quotes or a comment. Every script aks-id
//! writes (`advise -o script`, migration scripts) quotes through here, so a value can never
//! become code.

/// `value` as one single-quoted bash word: `'it'\''s'`. Inside single quotes bash gives no
/// character a meaning, so `$(…)`, backticks, `"`, `\` and newlines stay literal; a `'` closes
/// the quote, is written as `\'` and the quote reopens.
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
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
    use super::*;

    #[test]
    fn quote_keeps_every_character_literal() {
        assert_eq!(quote("plain"), "'plain'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote("$(id) `id` \"x\" \\n\n"), "'$(id) `id` \"x\" \\n\n'");
        assert_eq!(quote(""), "''");
    }

    #[test]
    fn words_are_quoted_only_when_needed() {
        assert_eq!(word("--role"), "--role");
        assert_eq!(word("Key Vault Secrets User"), "'Key Vault Secrets User'");
        assert_eq!(word("/"), "/");
        assert_eq!(word("a*"), "'a*'");
    }

    #[test]
    fn comments_stay_on_their_lines() {
        assert_eq!(comment("a\nrm -rf /", 80), "# a\\u{a}rm -rf /\n");
        assert_eq!(comment("one two three", 5), "# one\n# two\n# three\n");
        assert_eq!(in_double_quotes(r#"a"$`\"#), r#"a\"\$\`\\"#);
    }
}
