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

#[cfg(test)]
mod tests {
    use super::is_secret_key;

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
