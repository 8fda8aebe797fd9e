//! The JSON and YAML writers of every machine-readable output, in one place: the same
//! pretty-printing, the same trailing newline, the same error for every command.
//!
//! YAML is written for YAML 1.1 readers too. `yaml_serde` quotes a string that YAML 1.2 would
//! read as something else (`true`, `null`, `12`), but PyYAML, go-yaml v2 and the Kubernetes
//! tooling built on them read YAML 1.1, where `no`, `on`, `y`, `1_000`, `0b11` and `2026-11-28`
//! are booleans, numbers and dates. [`write_yaml`] puts such strings in quotes, so every reader
//! gets the text that was meant.

use std::io::Write;

use serde::Serialize;

use crate::error::{Error, output};

/// Writes `value` as pretty JSON with a final newline.
pub fn write_json<T: Serialize>(value: &T, out: &mut dyn Write) -> Result<(), Error> {
    super::json::write_pretty_to(out, value).map_err(output)
}

/// Writes `value` as YAML, with the strings a YAML 1.1 reader would misread quoted.
pub fn write_yaml<T: Serialize>(value: &T, out: &mut dyn Write) -> Result<(), Error> {
    // A value that YAML cannot hold is a failure of the program, not of the input (exit 1).
    let text = crate::yaml::to_string(value)
        .map_err(|e| Error::Runtime(anyhow::Error::new(e).context("cannot render YAML")))?;
    let text = crate::yaml::quote_plain_scalars(&text, is_yaml11_non_text);
    out.write_all(text.as_bytes()).map_err(output)
}

/// Whether a plain scalar is something other than a string to a YAML 1.1 reader: the implicit
/// types of the YAML 1.1 type repository (bool, null, int, float, timestamp, merge, value), as
/// PyYAML's resolver and go-yaml v2 apply them, erring on the side of quoting.
fn is_yaml11_non_text(scalar: &str) -> bool {
    const WORDS: &[&str] = &[
        // bool (https://yaml.org/type/bool.html)
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false",
        "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF",
        // null (https://yaml.org/type/null.html), merge and value keys
        "~", "null", "Null", "NULL", "", "<<", "=",
        // float specials (https://yaml.org/type/float.html)
        ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan",
        ".NaN", ".NAN",
    ];
    WORDS.contains(&scalar) || is_yaml11_number(scalar) || is_yaml11_timestamp(scalar)
}

/// int and float of YAML 1.1 (https://yaml.org/type/int.html, https://yaml.org/type/float.html):
/// binary, octal, decimal and hexadecimal with `_` separators, base 60 (`1:30`), and decimals
/// with a fraction or an exponent.
fn is_yaml11_number(scalar: &str) -> bool {
    let s = scalar.strip_prefix(['-', '+']).unwrap_or(scalar);
    let all = |t: &str, ok: fn(u8) -> bool| !t.is_empty() && t.bytes().all(ok);
    let decimal = |b: u8| b.is_ascii_digit() || b == b'_';
    if let Some(rest) = s.strip_prefix("0b") {
        return all(rest, |b| matches!(b, b'0' | b'1' | b'_'));
    }
    if let Some(rest) = s.strip_prefix("0x") {
        return all(rest, |b| b.is_ascii_hexdigit() || b == b'_');
    }
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    if let Some(exponent) = exponent {
        let digits = exponent.strip_prefix(['-', '+']).unwrap_or(exponent);
        if !all(digits, |b| b.is_ascii_digit()) {
            return false;
        }
    }
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (mantissa, None),
    };
    if fraction.is_some_and(|f| !f.bytes().all(|b| decimal(b) || b == b'.')) {
        return false;
    }
    if whole.is_empty() {
        // `.5`
        return fraction.is_some_and(|f| f.bytes().any(|b| b.is_ascii_digit()));
    }
    // Base 60: `190:20:30`; the parts after the first are 0 to 59.
    let mut parts = whole.split(':');
    let first = parts.next().unwrap_or_default();
    all(first, decimal)
        && first.starts_with(|c: char| c.is_ascii_digit())
        && parts.all(|p| p.len() <= 2 && p.parse::<u8>().is_ok_and(|n| n < 60))
}

/// A YAML 1.1 timestamp (https://yaml.org/type/timestamp.html): `2026-11-28`, or a date with a
/// time after `T`, `t` or spaces. Any scalar that starts with such a date is quoted.
fn is_yaml11_timestamp(scalar: &str) -> bool {
    let b = scalar.as_bytes();
    let digits_at = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    if !((0..4).all(digits_at) && b.get(4) == Some(&b'-')) {
        return false;
    }
    // Month, `-`, day: one or two digits each.
    let mut i = 5;
    for part in 0..2 {
        if !digits_at(i) {
            return false;
        }
        i += if digits_at(i + 1) { 2 } else { 1 };
        if part == 0 {
            if b.get(i) != Some(&b'-') {
                return false;
            }
            i += 1;
        }
    }
    matches!(b.get(i), None | Some(b'T' | b't' | b' ' | b'\t'))
}

#[cfg(test)]
mod tests {
    use super::is_yaml11_non_text;

    #[test]
    fn yaml11_implicit_types_are_recognised() {
        for s in [
            "no",
            "No",
            "NO",
            "yes",
            "y",
            "n",
            "Y",
            "N",
            "on",
            "off",
            "OFF",
            "true",
            "False",
            "~",
            "null",
            "",
            "1e3",
            "0x10",
            "010",
            "1_000",
            "0b101",
            ".inf",
            "-.Inf",
            ".nan",
            "1.5",
            ".5",
            "1.",
            "190:20:30",
            "1:30",
            "-12",
            "+7",
            "2026-11-28",
            "2026-1-2",
            "2001-12-14t21:59:43.10-05:00",
            "2001-12-14 21:59:43.10 -5",
            "<<",
            "=",
            "6.8523015e+5",
        ] {
            assert!(is_yaml11_non_text(s), "{s:?} is not text in YAML 1.1");
        }
        for s in [
            "workload",
            "key-vault",
            "none",
            "nope",
            "yess",
            "0x",
            "0b",
            "1.2.3.4x",
            "v1",
            "a1",
            "2026-11",
            "2026-11-28x",
            "1e",
            "e3",
            "12ab",
            ".",
            "-",
            "1:60",
            "aks",
            "n/a",
            "1-2",
        ] {
            assert!(!is_yaml11_non_text(s), "{s:?} is text in YAML 1.1");
        }
    }
}
