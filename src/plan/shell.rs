//! The one way a value is placed in a generated shell script: single quotes, which the shell
//! reads literally (no `$(…)`, backticks, `$VAR`, globbing or word splitting inside them). A
//! single quote in the value ends the quoted part, adds an escaped quote and starts a new one.

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
