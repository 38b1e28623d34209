//! Which option keys hold secrets, for masking wherever statements or
//! options are shown or logged. Until the datasource type registry marks
//! secrets per type, a key is secret when its name says so.

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
    let key = key.to_ascii_lowercase();
    SECRET_WORDS.iter().any(|w| key.contains(w))
        || key
            .split(['.', '_', '-'])
            .any(|part| part == "key" || part == "pwd")
}

/// How a secret is shown in text.
const MASKED_LITERAL: &str = "'******'";

/// `text` with the value of every `key = 'value'` pair whose key is secret
/// replaced by `'******'`. Works on any statement, extension or Flink, by
/// scanning tokens; text that does not tokenize is returned with every
/// string literal masked, to be safe.
pub fn redact(text: &str) -> String {
    use super::lexer::{TokenKind, tokenize};
    let Ok(tokens) = tokenize(text) else {
        return "<statement not shown: it does not tokenize>".to_string();
    };
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for window in tokens.windows(3) {
        let [key, eq, value] = window else { continue };
        let keyish = matches!(
            key.kind,
            TokenKind::String | TokenKind::Word | TokenKind::QuotedIdent
        );
        if keyish
            && eq.kind == TokenKind::Punct('=')
            && value.kind == TokenKind::String
            && is_secret_key(&key.value(text))
        {
            out.push_str(&text[copied..value.start]);
            out.push_str(MASKED_LITERAL);
            copied = value.end;
        }
    }
    out.push_str(&text[copied..]);
    out
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
