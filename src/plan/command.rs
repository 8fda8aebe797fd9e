//! A catalog command read as bash reads it: lines of words and operators, quotes resolved, a
//! heredoc's body kept apart, and every `<placeholder>` found inside the words. Scripts are
//! written from this form, so a filled value is always referenced through a quoted variable and
//! never pasted into the command text; manifests read the Kubernetes objects out of it.

use super::shell;
use crate::catalog::placeholders;

/// Part of a word: literal text, or a placeholder by id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Placeholder(String),
}

/// One word of a command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    pub pieces: Vec<Piece>,
    /// Some of it was quoted in the catalog: its literal text may need quotes.
    pub quoted: bool,
}

impl Word {
    /// A word aks-id adds (a guard's), quoted in the script when bash would read it otherwise.
    fn plain(text: &str) -> Self {
        Word {
            pieces: vec![Piece::Text(text.to_owned())],
            quoted: true,
        }
    }

    /// The word's text when it holds no placeholder.
    pub fn literal(&self) -> Option<String> {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Placeholder(_) => return None,
            }
        }
        Some(out)
    }

    /// The word's text with each placeholder replaced by `fill(id)`.
    pub fn filled(&self, fill: &dyn Fn(&str) -> String) -> String {
        self.pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.clone(),
                Piece::Placeholder(id) => fill(id),
            })
            .collect()
    }

    pub fn placeholders(&self) -> impl Iterator<Item = &str> {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Placeholder(id) => Some(id.as_str()),
            Piece::Text(_) => None,
        })
    }

    /// The word as bash: a literal as the catalog wrote it (quoted when it was quoted), a word
    /// with placeholders double-quoted with each placeholder as `${VARIABLE}`.
    pub fn bash(&self, variable: &dyn Fn(&str) -> String) -> String {
        match self.literal() {
            Some(text) if self.quoted => shell::word(&text),
            Some(text) => text,
            None => {
                let mut out = String::from("\"");
                for piece in &self.pieces {
                    match piece {
                        Piece::Text(t) => out.push_str(&shell::in_double_quotes(t)),
                        Piece::Placeholder(id) => {
                            out.push_str("${");
                            out.push_str(&variable(id));
                            out.push('}');
                        }
                    }
                }
                out.push('"');
                out
            }
        }
    }
}

/// A word or an operator (`&&`, `||`, `|`, `;`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Token {
    Word(Word),
    Operator(String),
}

/// A heredoc's body, fed to the line's command on stdin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heredoc {
    pub tag: String,
    /// Lines, placeholders found.
    pub body: Vec<Vec<Piece>>,
}

/// One command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub tokens: Vec<Token>,
    pub heredoc: Option<Heredoc>,
}

impl Line {
    /// The words, when the line is one simple command (no operator, no heredoc).
    pub fn simple(&self) -> Option<Vec<&Word>> {
        if self.heredoc.is_some() {
            return None;
        }
        self.tokens
            .iter()
            .map(|t| match t {
                Token::Word(w) => Some(w),
                Token::Operator(_) => None,
            })
            .collect()
    }

    /// The leading words' literal texts, up to the first word that holds a placeholder.
    pub fn head(&self) -> Vec<String> {
        self.tokens
            .iter()
            .map_while(|t| match t {
                Token::Word(w) => w.literal(),
                Token::Operator(_) => None,
            })
            .collect()
    }

    /// The word after the first of `flags`.
    pub fn flag(&self, flags: &[&str]) -> Option<&Word> {
        let words: Vec<&Word> = self
            .tokens
            .iter()
            .filter_map(|t| match t {
                Token::Word(w) => Some(w),
                Token::Operator(_) => None,
            })
            .collect();
        words.windows(2).find_map(|pair| {
            pair[0]
                .literal()
                .filter(|f| flags.contains(&f.as_str()))
                .map(|_| pair[1])
        })
    }

    pub fn placeholders(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for token in &self.tokens {
            if let Token::Word(w) = token {
                out.extend(w.placeholders());
            }
        }
        if let Some(h) = &self.heredoc {
            for line in &h.body {
                out.extend(line.iter().filter_map(|p| match p {
                    Piece::Placeholder(id) => Some(id.as_str()),
                    Piece::Text(_) => None,
                }));
            }
        }
        out
    }
}

/// Reads a catalog command. Fails on an unclosed quote or heredoc, naming it.
pub fn parse(command: &str) -> Result<Vec<Line>, String> {
    let mut lines = Vec::new();
    let mut source = command.lines();
    while let Some(text) = source.next() {
        if text.trim().is_empty() {
            continue;
        }
        let (tokens, tag) = lex(text)?;
        let heredoc = match tag {
            Some(tag) => {
                let mut body = Vec::new();
                let mut closed = false;
                for body_line in source.by_ref() {
                    if body_line.trim() == tag {
                        closed = true;
                        break;
                    }
                    body.push(pieces(body_line));
                }
                if !closed {
                    return Err(format!("the heredoc `{tag}` is never closed"));
                }
                Some(Heredoc { tag, body })
            }
            None => None,
        };
        lines.push(Line { tokens, heredoc });
    }
    Ok(lines)
}

/// Splits `text` into literal text and placeholders.
pub fn pieces(text: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut at = 0;
    for found in placeholders::find(text) {
        if found.start > at {
            out.push(Piece::Text(text[at..found.start].to_owned()));
        }
        out.push(Piece::Placeholder(found.name.to_owned()));
        at = found.end;
    }
    if at < text.len() || out.is_empty() {
        out.push(Piece::Text(text[at..].to_owned()));
    }
    out
}

/// One line's tokens, and the tag of the heredoc it opens.
fn lex(text: &str) -> Result<(Vec<Token>, Option<String>), String> {
    let mut tokens = Vec::new();
    let mut heredoc = None;
    // The current word as (text, quoted) segments.
    let mut segments: Vec<(String, bool)> = Vec::new();
    let mut unquoted = String::new();
    let mut chars = text.chars().peekable();
    let flush_unquoted = |unquoted: &mut String, segments: &mut Vec<(String, bool)>| {
        if !unquoted.is_empty() {
            segments.push((std::mem::take(unquoted), false));
        }
    };
    let end_word = |segments: &mut Vec<(String, bool)>, tokens: &mut Vec<Token>| {
        if segments.is_empty() {
            return;
        }
        let quoted = segments.iter().any(|(_, q)| *q);
        let mut all = Vec::new();
        for (t, _) in segments.drain(..) {
            all.extend(pieces(&t));
        }
        // Adjacent literal pieces merge, so a word is a few pieces at most.
        let mut merged: Vec<Piece> = Vec::new();
        for piece in all {
            match (merged.last_mut(), piece) {
                (Some(Piece::Text(a)), Piece::Text(b)) => a.push_str(&b),
                (_, piece) => merged.push(piece),
            }
        }
        tokens.push(Token::Word(Word {
            pieces: merged,
            quoted,
        }));
    };
    while let Some(c) = chars.next() {
        let at_word_start = segments.is_empty() && unquoted.is_empty();
        match c {
            ' ' | '\t' => {
                flush_unquoted(&mut unquoted, &mut segments);
                end_word(&mut segments, &mut tokens);
            }
            '\'' => {
                flush_unquoted(&mut unquoted, &mut segments);
                let mut s = String::new();
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => s.push(c),
                        None => return Err("a single quote is never closed".into()),
                    }
                }
                segments.push((s, true));
            }
            '"' => {
                flush_unquoted(&mut unquoted, &mut segments);
                let mut s = String::new();
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(e @ ('"' | '\\' | '$' | '`')) => s.push(e),
                            Some(other) => {
                                s.push('\\');
                                s.push(other);
                            }
                            None => return Err("a double quote is never closed".into()),
                        },
                        Some(c) => s.push(c),
                        None => return Err("a double quote is never closed".into()),
                    }
                }
                segments.push((s, true));
            }
            '&' | '|' | ';' if at_word_start => {
                let mut op = c.to_string();
                if c != ';' && chars.peek() == Some(&c) {
                    op.push(c);
                    chars.next();
                }
                tokens.push(Token::Operator(op));
            }
            '<' if at_word_start && chars.peek() == Some(&'<') => {
                chars.next();
                let rest: String = chars.by_ref().collect();
                let tag = rest.trim().trim_matches(|c| c == '\'' || c == '"');
                if tag.is_empty() || !tag.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    return Err(format!("cannot read the heredoc tag in `{}`", rest.trim()));
                }
                heredoc = Some(tag.to_owned());
            }
            c => unquoted.push(c),
        }
    }
    flush_unquoted(&mut unquoted, &mut segments);
    end_word(&mut segments, &mut tokens);
    Ok((tokens, heredoc))
}

/// How a generated script makes a line safe to run twice: a read that succeeds when the thing
/// already exists, or an argument that lets a change replace itself.
pub enum Guard {
    /// Skip the line when this command succeeds.
    Exists(Vec<Word>),
    /// Skip the line when this command prints something.
    Lists(Vec<Word>),
    /// Add these words to the line.
    Append(Vec<Word>),
}

/// The guard for a command that creates something, when aks-id knows how to check for it.
pub fn guard(line: &Line) -> Option<Guard> {
    line.simple()?;
    let head = line.head();
    let h: Vec<&str> = head.iter().map(String::as_str).collect();
    let words = |fixed: &[&str], flags: &[&[&str]]| -> Option<Vec<Word>> {
        let mut out: Vec<Word> = fixed.iter().map(|w| Word::plain(w)).collect();
        for names in flags {
            if let Some(value) = line.flag(names) {
                out.push(Word::plain(names[0]));
                out.push(value.clone());
            }
        }
        Some(out)
    };
    const GROUP: &[&str] = &["-g", "--resource-group"];
    const NAME: &[&str] = &["-n", "--name"];
    const NAMESPACE: &[&str] = &["-n", "--namespace"];
    match h.as_slice() {
        ["az", "identity", "create", ..] => {
            words(&["az", "identity", "show"], &[GROUP, NAME]).map(Guard::Exists)
        }
        ["az", "identity", "federated-credential", "create", ..] => words(
            &["az", "identity", "federated-credential", "show"],
            &[NAME, &["--identity-name"], GROUP],
        )
        .map(Guard::Exists),
        ["az", "aks", "create", ..] => {
            words(&["az", "aks", "show"], &[GROUP, NAME]).map(Guard::Exists)
        }
        ["az", "acr", "token", "create", ..] => words(
            &["az", "acr", "token", "show"],
            &[NAME, &["-r", "--registry"]],
        )
        .map(Guard::Exists),
        ["az", "role", "assignment", "create", ..] => {
            let assignee = line.flag(&["--assignee-object-id", "--assignee"])?;
            let mut out = words(
                &["az", "role", "assignment", "list"],
                &[&["--role"], &["--scope"]],
            )?;
            out.push(Word::plain("--assignee"));
            out.push(assignee.clone());
            out.extend(["--query", "[].id", "-o", "tsv"].map(Word::plain));
            Some(Guard::Lists(out))
        }
        [
            "kubectl",
            "create",
            kind @ ("serviceaccount" | "namespace"),
            ..,
        ] => {
            let name = kubectl_name(line, 3)?;
            let mut out = vec![
                Word::plain("kubectl"),
                Word::plain("get"),
                Word::plain(kind),
            ];
            out.push(name);
            out.extend(words(&[], &[NAMESPACE])?);
            Some(Guard::Exists(out))
        }
        ["kubectl", "create", "secret", _, ..] => {
            let name = kubectl_name(line, 4)?;
            let mut out = vec![
                Word::plain("kubectl"),
                Word::plain("get"),
                Word::plain("secret"),
                name,
            ];
            out.extend(words(&[], &[NAMESPACE])?);
            Some(Guard::Exists(out))
        }
        ["kubectl", "annotate", ..] => {
            let given = line.tokens.iter().any(
                |t| matches!(t, Token::Word(w) if w.literal().as_deref() == Some("--overwrite")),
            );
            (!given).then(|| Guard::Append(vec![Word::plain("--overwrite")]))
        }
        _ => None,
    }
}

/// The word at `index` of a kubectl command: the name of the object it creates.
fn kubectl_name(line: &Line, index: usize) -> Option<Word> {
    match line.tokens.get(index)? {
        Token::Word(w) => Some(w.clone()),
        Token::Operator(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn var(id: &str) -> String {
        id.to_uppercase().replace('-', "_")
    }

    fn bash(line: &Line) -> String {
        line.tokens
            .iter()
            .map(|t| match t {
                Token::Word(w) => w.bash(&var),
                Token::Operator(o) => o.clone(),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn placeholders_become_quoted_variables() {
        let lines = parse(
            r#"az identity federated-credential create --name <credential-name> --subject system:serviceaccount:<namespace>:<service-account> --role "Key Vault Secrets User" --scope "/""#,
        )
        .unwrap();
        assert_eq!(
            bash(&lines[0]),
            r#"az identity federated-credential create --name "${CREDENTIAL_NAME}" --subject "system:serviceaccount:${NAMESPACE}:${SERVICE_ACCOUNT}" --role 'Key Vault Secrets User' --scope /"#
        );
    }

    #[test]
    fn single_quoted_json_with_a_placeholder_is_double_quoted_and_escaped() {
        let lines =
            parse(r#"kubectl patch sa <service-account> -p '{"name": "<pull-secret>"}'"#).unwrap();
        assert_eq!(
            bash(&lines[0]),
            r#"kubectl patch sa "${SERVICE_ACCOUNT}" -p "{\"name\": \"${PULL_SECRET}\"}""#
        );
    }

    #[test]
    fn heredocs_and_operators_are_kept_apart() {
        let lines =
            parse("kubectl get a -A && kubectl get b\nkubectl apply -n <namespace> -f - <<'EOF'\nkind: X\nEOF\naz x")
                .unwrap();
        assert_eq!(lines.len(), 3);
        assert_eq!(bash(&lines[0]), "kubectl get a -A && kubectl get b");
        let heredoc = lines[1].heredoc.as_ref().unwrap();
        assert_eq!(heredoc.tag, "EOF");
        assert_eq!(heredoc.body, vec![vec![Piece::Text("kind: X".into())]]);
        assert!(parse("cat <<'EOF'\nx").is_err());
        assert!(parse("echo 'x").is_err());
    }

    #[test]
    fn creations_are_guarded() {
        let lines = parse("az identity create -g <resource-group> -n <identity-name>").unwrap();
        let Some(Guard::Exists(words)) = guard(&lines[0]) else {
            panic!("no guard")
        };
        let shown: Vec<String> = words.iter().map(|w| w.bash(&var)).collect();
        assert_eq!(
            shown.join(" "),
            r#"az identity show -g "${RESOURCE_GROUP}" -n "${IDENTITY_NAME}""#
        );
        let lines =
            parse("kubectl create serviceaccount <service-account> -n <namespace>").unwrap();
        let Some(Guard::Exists(words)) = guard(&lines[0]) else {
            panic!("no guard")
        };
        let shown: Vec<String> = words.iter().map(|w| w.bash(&var)).collect();
        assert_eq!(
            shown.join(" "),
            r#"kubectl get serviceaccount "${SERVICE_ACCOUNT}" -n "${NAMESPACE}""#
        );
        assert!(guard(&parse("az aks update -g x").unwrap()[0]).is_none());
    }
}
