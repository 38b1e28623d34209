//! Secrets at rest.

/// Encrypts and decrypts secret option values with the data dir's key file.
pub struct SecretBox {}
