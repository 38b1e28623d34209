//! TLS for scaleph's listeners: a certificate chain and private key read
//! from PEM files into a rustls [`ServerConfig`], reloaded on SIGHUP.
//!
//! **Why a module of its own.** The HTTP server of job jars needs it now:
//! the Flink Kubernetes Operator 1.15+ fetches only `https` jar URLs by
//! default (`docs/flink-kubernetes-operator.md` §4). The PostgreSQL
//! listener will need the same files, checks and reload (issue 19). What
//! differs between the two stays with them. HTTP speaks TLS from the first
//! byte (`server::http`'s listener). PostgreSQL switches to TLS after an
//! `SSLRequest` inside its protocol (pgwire takes a `TlsAcceptor`). Both
//! start from [`server_config`] over a [`CertificateFiles`].
//!
//! **Why reload.** Certificates are short-lived: cert-manager renews them
//! as files in a mounted Secret. A restart would cut the jar downloads and
//! sessions under way. A reload reads both files again. If the new pair is
//! bad (unreadable, not PEM, the key not matching the certificate), the
//! pair in use stays and the reason is logged, so a renewal caught half
//! written never takes the server down. New handshakes get the new pair;
//! open connections keep the one they started with.
//!
//! **Secrets.** Errors name the file and say what is wrong with it, never
//! what it holds: a PEM parse error is described, not displayed, because
//! its text can quote the file. The key file's bytes are held as a secret
//! and zeroed when dropped.

use std::fmt;
use std::io::ErrorKind;
use std::path::Path;
use std::sync::{Arc, RwLock};

use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::{InconsistentKeys, ServerConfig};
use secrecy::{ExposeSecret, SecretSlice};

use crate::config::TlsFiles;
use crate::error::{Error, Result, SqlState};

/// A certificate chain and its private key, loaded from two PEM files and
/// reloadable; rustls asks it for the pair at every handshake.
pub struct CertificateFiles {
    files: TlsFiles,
    provider: Arc<CryptoProvider>,
    current: RwLock<Arc<CertifiedKey>>,
}

impl CertificateFiles {
    /// Loads the pair `files` names, with scaleph's crypto provider (ring).
    /// An error names the file at fault.
    pub fn load(files: &TlsFiles) -> Result<Arc<CertificateFiles>> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let pair = load_pair(files, &provider)?;
        Ok(Arc::new(CertificateFiles {
            files: files.clone(),
            provider,
            current: RwLock::new(Arc::new(pair)),
        }))
    }

    /// Reads both files again and serves the new pair from the next
    /// handshake on. On error the pair in use stays.
    pub fn reload(&self) -> Result<()> {
        let pair = load_pair(&self.files, &self.provider)?;
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(pair);
        Ok(())
    }

    /// The pair handshakes get now.
    pub fn current(&self) -> Arc<CertifiedKey> {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The files it reads.
    pub fn files(&self) -> &TlsFiles {
        &self.files
    }

    /// Reloads the pair on every SIGHUP until the runtime stops, logging
    /// what happened. The handler is installed now, so a SIGHUP sent as
    /// soon as this returns is not lost (and no longer ends the process).
    #[cfg(unix)]
    pub fn reload_on_sighup(self: &Arc<Self>) -> std::io::Result<tokio::task::JoinHandle<()>> {
        use tokio::signal::unix::{SignalKind, signal};
        let mut hangup = signal(SignalKind::hangup())?;
        let files = self.clone();
        Ok(tokio::spawn(async move {
            while hangup.recv().await.is_some() {
                let reloading = files.clone();
                // Two small file reads: off the runtime's threads all the same.
                match tokio::task::spawn_blocking(move || reloading.reload()).await {
                    Ok(Ok(())) => tracing::info!(
                        cert = %files.files.cert.display(),
                        key = %files.files.key.display(),
                        "TLS certificate reloaded"
                    ),
                    Ok(Err(e)) => tracing::warn!(
                        error = %e.message,
                        "TLS certificate not reloaded; the one in use stays"
                    ),
                    Err(e) => tracing::warn!(error = %e, "TLS certificate reload failed"),
                }
            }
        }))
    }
}

impl ResolvesServerCert for CertificateFiles {
    fn resolve(&self, _client_hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.current())
    }
}

impl fmt::Debug for CertificateFiles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertificateFiles")
            .field("cert", &self.files.cert)
            .field("key", &self.files.key)
            .finish_non_exhaustive()
    }
}

/// A rustls server configuration presenting `certificate`'s current pair,
/// offering `alpn` (`b"http/1.1"`; empty: no ALPN), with rustls's safe
/// default protocol versions and no client certificates.
pub fn server_config(
    certificate: Arc<CertificateFiles>,
    alpn: &[&[u8]],
) -> Result<Arc<ServerConfig>> {
    let mut config = ServerConfig::builder_with_provider(certificate.provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::internal(format!("cannot configure TLS: {e}")).with_source(e))?
        .with_no_client_auth()
        .with_cert_resolver(certificate);
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Ok(Arc::new(config))
}

/// The chain and key of `files`, checked to belong together.
fn load_pair(files: &TlsFiles, provider: &CryptoProvider) -> Result<CertifiedKey> {
    let chain = read_chain(&files.cert)?;
    let key = read_key(&files.key)?;
    let key = provider.key_provider.load_private_key(key).map_err(|e| {
        invalid(
            "TLS private key",
            &files.key,
            &format!("not a key scaleph can use ({e})"),
        )
        .with_hint("an RSA, ECDSA (P-256, P-384) or Ed25519 key in PEM")
    })?;
    let pair = CertifiedKey::new(chain, key);
    match pair.keys_match() {
        // Unknown: the key cannot tell its public half; the handshake will.
        Ok(()) | Err(rustls::Error::InconsistentKeys(InconsistentKeys::Unknown)) => Ok(pair),
        Err(rustls::Error::InconsistentKeys(InconsistentKeys::KeyMismatch)) => Err(Error::new(
            SqlState::INVALID_PARAMETER_VALUE,
            format!(
                "the TLS private key {} does not match the certificate {}",
                files.key.display(),
                files.cert.display()
            ),
        )
        .with_hint("the first certificate of the chain must be the key's")),
        Err(e) => Err(invalid(
            "TLS certificate",
            &files.cert,
            &format!("its first certificate is not valid ({e})"),
        )),
    }
}

/// Every certificate of the PEM file `path`, leaf first.
fn read_chain(path: &Path) -> Result<Vec<CertificateDer<'static>>> {
    const WHAT: &str = "TLS certificate";
    let bytes = read(WHAT, path)?;
    let chain = CertificateDer::pem_slice_iter(&bytes)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| invalid(WHAT, path, &pem_problem(&e)))?;
    if chain.is_empty() {
        return Err(invalid(
            WHAT,
            path,
            "holds no certificate (a \"-----BEGIN CERTIFICATE-----\" section)",
        ));
    }
    Ok(chain)
}

/// The first private key of the PEM file `path` (PKCS#8, PKCS#1 or SEC1).
fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>> {
    const WHAT: &str = "TLS private key";
    let bytes: SecretSlice<u8> = read(WHAT, path)?.into();
    PrivateKeyDer::from_pem_slice(bytes.expose_secret()).map_err(|e| match e {
        pem::Error::NoItemsFound => invalid(
            WHAT,
            path,
            "holds no private key (a \"-----BEGIN PRIVATE KEY-----\", \"RSA PRIVATE KEY\" or \"EC PRIVATE KEY\" section)",
        )
        .with_hint("a passphrase-protected key must be decrypted first (openssl pkey -in KEY -out PLAIN)"),
        e => invalid(WHAT, path, &pem_problem(&e)),
    })
}

/// The bytes of `path`, or an error naming it (58P01 when it is missing).
fn read(what: &str, path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        let sqlstate = if e.kind() == ErrorKind::NotFound {
            SqlState::UNDEFINED_FILE
        } else {
            SqlState::IO_ERROR
        };
        Error::new(
            sqlstate,
            format!("cannot read the {what} {}: {e}", path.display()),
        )
        .with_source(e)
    })
}

/// 22023: the file at `path` is not what it should be.
fn invalid(what: &str, path: &Path, problem: &str) -> Error {
    Error::new(
        SqlState::INVALID_PARAMETER_VALUE,
        format!("the {what} {}: {problem}", path.display()),
    )
}

/// What is wrong with a PEM file, in words that quote none of it (the
/// error's own text may).
fn pem_problem(error: &pem::Error) -> String {
    match error {
        pem::Error::MissingSectionEnd { .. } => "not valid PEM (a section has no END line)".into(),
        pem::Error::IllegalSectionStart { .. } => "not valid PEM (a malformed BEGIN line)".into(),
        pem::Error::Base64Decode(_) => "not valid PEM (a section is not base64)".into(),
        pem::Error::Io(e) => format!("cannot read it: {e}"),
        pem::Error::NoItemsFound => "holds nothing of the kind needed".into(),
        pem::Error::SectionTooLarge => "not valid PEM (a section over 256 MB)".into(),
        _ => "not valid PEM".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// A file of the committed test fixtures (`tests/fixtures/tls`).
    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/tls")
            .join(name)
    }

    fn files(cert: PathBuf, key: PathBuf) -> TlsFiles {
        TlsFiles { cert, key }
    }

    fn leaf(files: &CertificateFiles) -> Vec<u8> {
        files.current().cert[0].to_vec()
    }

    fn fixture_leaf(name: &str) -> Vec<u8> {
        CertificateDer::from_pem_file(fixture(name))
            .unwrap()
            .to_vec()
    }

    #[test]
    fn the_fixture_pair_loads_into_a_server_config() {
        let loaded =
            CertificateFiles::load(&files(fixture("server.pem"), fixture("server.key"))).unwrap();
        assert_eq!(leaf(&loaded), fixture_leaf("server.pem"));
        let config = server_config(loaded, &[b"http/1.1"]).unwrap();
        assert_eq!(config.alpn_protocols, vec![b"http/1.1".to_vec()]);
    }

    #[test]
    fn a_missing_file_is_58p01_naming_it() {
        let missing = fixture("nope.pem");
        let err =
            CertificateFiles::load(&files(missing.clone(), fixture("server.key"))).unwrap_err();
        assert_eq!(err.sqlstate, SqlState::UNDEFINED_FILE);
        assert!(
            err.message.starts_with(&format!(
                "cannot read the TLS certificate {}: ",
                missing.display()
            )),
            "{}",
            err.message
        );
    }

    #[test]
    fn bad_pem_is_22023_naming_the_file_and_quoting_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            path
        };
        let secret = "c2VjcmV0LWtleS1tYXRlcmlhbA";
        let cases = [
            (
                write("cert.txt", "not a certificate at all\n"),
                fixture("server.key"),
                "holds no certificate",
                true,
            ),
            (
                write(
                    "truncated.pem",
                    &format!("-----BEGIN CERTIFICATE-----\n{secret}\n"),
                ),
                fixture("server.key"),
                "no END line",
                true,
            ),
            (
                fixture("server.pem"),
                write(
                    "key.pem",
                    &format!(
                        "-----BEGIN PRIVATE KEY-----\n{secret}!!\n-----END PRIVATE KEY-----\n"
                    ),
                ),
                "not base64",
                false,
            ),
            (
                fixture("server.pem"),
                fixture("server.pem"),
                "holds no private key",
                false,
            ),
            (
                fixture("server.pem"),
                write(
                    "garbage.key",
                    &format!(
                        "-----BEGIN PRIVATE KEY-----\n{secret}==\n-----END PRIVATE KEY-----\n"
                    ),
                ),
                "not a key scaleph can use",
                false,
            ),
        ];
        for (cert, key, problem, cert_at_fault) in cases {
            let at_fault = if cert_at_fault { &cert } else { &key };
            let err = CertificateFiles::load(&files(cert.clone(), key.clone())).unwrap_err();
            assert_eq!(
                err.sqlstate,
                SqlState::INVALID_PARAMETER_VALUE,
                "{}",
                err.message
            );
            assert!(
                err.message.contains(&at_fault.display().to_string()),
                "{}",
                err.message
            );
            assert!(err.message.contains(problem), "{}", err.message);
            let everything = format!("{} {:?} {:?}", err.chain(), err.detail, err.hint);
            assert!(!everything.contains(secret), "{everything}");
        }
    }

    #[test]
    fn a_key_of_another_certificate_is_refused_naming_both() {
        let err = CertificateFiles::load(&files(fixture("server.pem"), fixture("other.key")))
            .unwrap_err();
        assert_eq!(err.sqlstate, SqlState::INVALID_PARAMETER_VALUE);
        assert_eq!(
            err.message,
            format!(
                "the TLS private key {} does not match the certificate {}",
                fixture("other.key").display(),
                fixture("server.pem").display()
            )
        );
    }

    #[test]
    fn a_reload_takes_a_good_pair_and_keeps_the_old_one_on_a_bad_one() {
        let dir = tempfile::tempdir().unwrap();
        let cert = dir.path().join("tls.crt");
        let key = dir.path().join("tls.key");
        let install = |name: &str| {
            std::fs::copy(fixture(&format!("{name}.pem")), &cert).unwrap();
            std::fs::copy(fixture(&format!("{name}.key")), &key).unwrap();
        };
        install("server");
        let loaded = CertificateFiles::load(&files(cert.clone(), key.clone())).unwrap();
        assert_eq!(leaf(&loaded), fixture_leaf("server.pem"));

        // A renewal caught half written: the new certificate, the old key.
        std::fs::copy(fixture("other.pem"), &cert).unwrap();
        let err = loaded.reload().unwrap_err();
        assert!(err.message.contains("does not match"), "{}", err.message);
        assert_eq!(
            leaf(&loaded),
            fixture_leaf("server.pem"),
            "the old pair stays"
        );
        // A file gone, then garbage: the same.
        std::fs::remove_file(&key).unwrap();
        assert_eq!(
            loaded.reload().unwrap_err().sqlstate,
            SqlState::UNDEFINED_FILE
        );
        std::fs::write(&key, "garbage").unwrap();
        assert!(loaded.reload().is_err());
        assert_eq!(leaf(&loaded), fixture_leaf("server.pem"));

        install("other");
        loaded.reload().unwrap();
        assert_eq!(leaf(&loaded), fixture_leaf("other.pem"));
    }

    #[test]
    fn debug_shows_the_paths_not_the_key() {
        let loaded =
            CertificateFiles::load(&files(fixture("server.pem"), fixture("server.key"))).unwrap();
        let shown = format!("{loaded:?}");
        assert!(shown.contains("server.key"), "{shown}");
        let key_pem = std::fs::read_to_string(fixture("server.key")).unwrap();
        let body = key_pem.lines().nth(1).unwrap();
        assert!(!shown.contains(body), "{shown}");
    }
}
