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
    "auth_param",
];

/// Parts of a key (split on `.`, `_`, `-`) that make it secret on their
/// own: `ssl.key`, `pwd`.
const SECRET_PARTS: &[&str] = &["key", "pwd"];

/// Last parts of a key that make it secret: a `keytab` or `keystore` is
/// the file's content (`keytab_path`, `ssl.keystore.location` name a file
/// and are not secret).
const SECRET_LAST_PARTS: &[&str] = &["keytab", "keystore", "sslkey"];

/// Whether an option called `key` holds a secret.
pub fn is_secret_key(key: &str) -> bool {
    let key = key.as_bytes();
    SECRET_WORDS.iter().any(|w| {
        key.windows(w.len())
            .any(|window| window.eq_ignore_ascii_case(w.as_bytes()))
    }) || key.split(|b| matches!(b, b'.' | b'_' | b'-')).any(|part| {
        SECRET_PARTS
            .iter()
            .any(|p| part.eq_ignore_ascii_case(p.as_bytes()))
    }) || key
        .rsplit(|b| matches!(b, b'.' | b'_' | b'-'))
        .next()
        .is_some_and(|last| {
            SECRET_LAST_PARTS
                .iter()
                .any(|p| last.eq_ignore_ascii_case(p.as_bytes()))
        })
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
        if !(keyish && eq.kind == TokenKind::Punct('=') && value.kind == TokenKind::String) {
            continue;
        }
        if is_secret_key(unquoted(key.text(script), key.kind)) {
            out.push_str(&script[copied..value.start]);
            out.push_str(MASKED_LITERAL);
            copied = value.end;
        } else if let Some((from, to)) = url_password(value.text(script)) {
            // `'uri' = 'mongodb://user:pw@host'`: whatever the key, a
            // password inside a URL is a secret.
            out.push_str(&script[copied..value.start + from]);
            out.push_str("******");
            copied = value.start + to;
        }
    }
    if copied == start {
        return None;
    }
    out.push_str(&script[copied..end]);
    Some(out)
}

/// The secret values of `text` that `shown` masks, where `shown` is
/// `text` with secret literals masked ([`redact`]'s output, or a stored
/// statement's shown text): the literals that differ between the two, token
/// for token — a whole value shown as `'******'`, or the password of a
/// URL. Anything that answers `text` (an error echoing it) can be scrubbed
/// of these. Empty when the two do not line up.
pub fn masked_values(text: &str, shown: &str) -> Vec<String> {
    let (Ok(real), Ok(masked)) = (super::lexer::tokenize(text), super::lexer::tokenize(shown))
    else {
        return Vec::new();
    };
    if real.len() != masked.len() {
        return Vec::new();
    }
    real.iter()
        .zip(&masked)
        .filter(|(r, m)| r.kind == TokenKind::String && m.kind == TokenKind::String)
        .filter_map(|(r, m)| {
            let (value, shown) = (r.value(text), m.value(shown));
            if value == shown {
                None
            } else if shown == "******" {
                Some(value)
            } else {
                url_password(&value).map(|(from, to)| value[from..to].to_string())
            }
        })
        .filter(|secret| !secret.is_empty())
        .collect()
}

/// Where the password of a URL's user info is in `text`
/// (`scheme://user:password@host...`, also inside `jdbc:mysql://...`).
fn url_password(text: &str) -> Option<(usize, usize)> {
    let authority = text.find("://")? + 3;
    let rest = &text[authority..];
    let host_start = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let at = rest[..host_start].rfind('@')?;
    let colon = rest[..at].find(':')?;
    (colon + 1 < at).then_some((authority + colon + 1, authority + at))
}

#[cfg(test)]
mod tests {
    use super::{is_secret_key, masked_values, redact};

    #[test]
    fn redact_masks_passwords_inside_urls_whatever_the_key() {
        assert_eq!(
            redact(
                "WITH ('uri' = 'mongodb://app:s3cr3t@db:27017/shop?x=1', url = 'http://h/a@b', 'keytab' = '/k')"
            ),
            "WITH ('uri' = 'mongodb://app:******@db:27017/shop?x=1', url = 'http://h/a@b', 'keytab' = '******')"
        );
        assert_eq!(
            redact(
                "WITH (url = 'jdbc:postgresql://u:p@h:5432/db', other = 'x://@h', b = 'x://u:@h')"
            ),
            "WITH (url = 'jdbc:postgresql://u:******@h:5432/db', other = 'x://@h', b = 'x://u:@h')"
        );
    }

    #[test]
    fn masked_values_are_the_literals_the_shown_text_hides() {
        let text =
            "CREATE CATALOG c WITH ('type' = 'jdbc', 'password' = 'p''w', 'uri' = 'x://u:pw2@h')";
        assert_eq!(masked_values(text, &redact(text)), ["p'w", "pw2"]);
        assert!(masked_values(text, "CREATE CATALOG c").is_empty());
        assert!(masked_values("SELECT 1", "SELECT 1").is_empty());
    }

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
            "keytab",
            "ssl.keystore",
            "sslkey",
            "auth_params",
        ] {
            assert!(is_secret_key(key), "{key}");
        }
        for key in [
            "host",
            "port",
            "username",
            "keytab_path_name",
            "monkey",
            "ssl.keystore.location",
        ] {
            assert!(!is_secret_key(key), "{key}");
        }
    }
}
