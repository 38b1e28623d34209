//! Which option keys hold secrets, for masking wherever statements or
//! options are shown or logged. Until the datasource type registry marks
//! secrets per type, a key is secret when its name says so.

use super::lexer::{Token, TokenKind};

/// Words that make an option key secret: `password`, `sasl.jaas.config`,
/// `secret_key`, `access-token`, `private.key`, ...
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "credential",
    "jaas",
    "private",
];

/// Whether an option called `key` holds a secret.
pub fn is_secret_key(key: &str) -> bool {
    let key = key.as_bytes();
    SECRET_WORDS.iter().any(|w| {
        key.windows(w.len())
            .any(|window| window.eq_ignore_ascii_case(w.as_bytes()))
    }) || key
        .split(|b| matches!(b, b'.' | b'_' | b'-'))
        .any(|part| part.eq_ignore_ascii_case(b"key") || part.eq_ignore_ascii_case(b"pwd"))
}

/// A key's text without its quotes (an escaped quote inside stays doubled,
/// which makes no secret word): what [`is_secret_key`] reads, without
/// allocating.
fn unquoted(text: &str, kind: TokenKind) -> &str {
    match kind {
        TokenKind::String | TokenKind::QuotedIdent if text.len() >= 2 => &text[1..text.len() - 1],
        _ => text,
    }
}

/// How a secret is shown in text.
const MASKED_LITERAL: &str = "'******'";

/// `text` with the value of every `key = 'value'` pair whose key is secret
/// replaced by `'******'`. Works on any statement, extension or Flink, by
/// scanning tokens; text that does not tokenize is not shown at all, to be
/// safe.
pub fn redact(text: &str) -> String {
    let Ok(tokens) = super::lexer::tokenize(text) else {
        return "<statement not shown: it does not tokenize>".to_string();
    };
    redact_tokens(text, &tokens, 0, text.len()).unwrap_or_else(|| text.to_string())
}

/// The statement `script[start..end]`, made of `tokens` (spans in
/// `script`), with its secret values masked as [`redact`] does; `None`
/// when it has none, so the text as written may be shown.
pub fn redact_tokens(script: &str, tokens: &[Token], start: usize, end: usize) -> Option<String> {
    let mut out = String::new();
    let mut copied = start;
    for window in tokens.windows(3) {
        let [key, eq, value] = window else { continue };
        let keyish = matches!(
            key.kind,
            TokenKind::String | TokenKind::Word | TokenKind::QuotedIdent
        );
        if keyish
            && eq.kind == TokenKind::Punct('=')
            && value.kind == TokenKind::String
            && is_secret_key(unquoted(key.text(script), key.kind))
        {
            out.push_str(&script[copied..value.start]);
            out.push_str(MASKED_LITERAL);
            copied = value.end;
        }
    }
    if copied == start {
        return None;
    }
    out.push_str(&script[copied..end]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::{is_secret_key, redact};

    #[test]
    fn redact_masks_only_secret_values() {
        assert_eq!(
            redact("WITH (user = 'u', password = 'p''q', 'ssl.key' = 'k')"),
            "WITH (user = 'u', password = '******', 'ssl.key' = '******')"
        );
    }

    #[test]
    fn secret_keys_are_recognised_by_name() {
        for key in [
            "password",
            "PASSWORD",
            "sasl.jaas.config",
            "s3.secret-key",
            "access_token",
            "ssl.key",
            "pwd",
        ] {
            assert!(is_secret_key(key), "{key}");
        }
        for key in ["host", "port", "username", "keytab_path_name", "monkey"] {
            assert!(!is_secret_key(key), "{key}");
        }
    }
}
