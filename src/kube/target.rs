//! Where a Kubernetes API server is and who scaleph is to it: a
//! [`KubeTarget`] resolved to kube-rs's `Config`, in the order kubectl
//! users expect — an explicit server (with an optional bearer token),
//! else a kubeconfig (the given file, else `$KUBECONFIG` or
//! `~/.kube/config`, with an optional context), else the pod's service
//! account.
//!
//! The resolution also names the identity in words (`as kubeconfig user
//! "admin"`), so that an authorization failure can say who was refused
//! without ever showing a credential.

use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine as _;
use kube::config::{Config, KubeConfigOptions, Kubeconfig};
use secrecy::SecretString;

use crate::error::{Error, Result, SqlState};

/// How to reach an API server: explicit `api_server` (+ optional bearer
/// `token`, `insecure_skip_tls_verify`) or else a kubeconfig (`kubeconfig`
/// path or `$KUBECONFIG`/`~/.kube/config`, optional `context`), or else
/// the in-cluster service account. `namespace` is always given: every
/// call is in it.
#[derive(Clone)]
pub struct KubeTarget {
    /// The API server's URL (`https://10.0.0.1:6443`); `None` reads a
    /// kubeconfig or the pod's service account.
    pub api_server: Option<String>,
    /// The bearer token sent to `api_server` (a secret: never shown).
    pub token: Option<SecretString>,
    /// Accept any certificate of the API server (tests, self-signed
    /// development clusters).
    pub insecure_skip_tls_verify: bool,
    /// The kubeconfig file to read, instead of `$KUBECONFIG` or `~/.kube/config`.
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use, instead of its current context.
    pub context: Option<String>,
    /// The namespace of every resource scaleph manages through this target.
    pub namespace: String,
    /// How long one request may take (connecting included); watches are
    /// bounded by their own timeouts instead.
    pub request_timeout: Duration,
}

impl Default for KubeTarget {
    /// The kubeconfig's current context or the pod's service account, in
    /// namespace `default`, 30 s a request.
    fn default() -> KubeTarget {
        KubeTarget {
            api_server: None,
            token: None,
            insecure_skip_tls_verify: false,
            kubeconfig: None,
            context: None,
            namespace: "default".to_string(),
            request_timeout: Duration::from_secs(30),
        }
    }
}

impl std::fmt::Debug for KubeTarget {
    /// The token is masked.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KubeTarget")
            .field("api_server", &self.api_server)
            .field("token", &self.token.as_ref().map(|_| "******"))
            .field("insecure_skip_tls_verify", &self.insecure_skip_tls_verify)
            .field("kubeconfig", &self.kubeconfig)
            .field("context", &self.context)
            .field("namespace", &self.namespace)
            .field("request_timeout", &self.request_timeout)
            .finish()
    }
}

/// A target resolved: kube-rs's configuration and who it authenticates as.
pub(super) struct Resolved {
    /// What `kube::Client` is built from.
    pub config: Config,
    /// `as kubeconfig user "admin"`, `as service account "ns:sa"`…
    pub identity: String,
}

impl KubeTarget {
    /// The configuration this target describes; a URL, kubeconfig or
    /// context that cannot be used is 22023.
    pub(super) async fn resolve(&self, owner: &str) -> Result<Resolved> {
        let invalid = |what: String, cause: Option<Box<dyn std::error::Error + Send + Sync>>| {
            let error = Error::new(
                SqlState::INVALID_PARAMETER_VALUE,
                format!("{owner}: {what}"),
            );
            match cause {
                Some(cause) => error.with_source(cause),
                None => error,
            }
        };
        let (mut config, identity) = if let Some(server) = &self.api_server {
            let url = server.parse::<http::Uri>().map_err(|e| {
                invalid(
                    format!("invalid Kubernetes API server URL '{server}': {e}"),
                    Some(Box::new(e)),
                )
            })?;
            let mut config = Config::new(url);
            let identity = match &self.token {
                Some(token) => {
                    config.auth_info.token = Some(token.clone());
                    "with the configured bearer token"
                }
                None => "without credentials",
            };
            (config, identity.to_string())
        } else if let Some((kubeconfig, shown)) = self.kubeconfig_file().map_err(|e| {
            invalid(
                format!(
                    "cannot read the kubeconfig: {}",
                    super::errors::innermost(&e)
                ),
                Some(Box::new(e)),
            )
        })? {
            let options = KubeConfigOptions {
                context: self.context.clone(),
                ..KubeConfigOptions::default()
            };
            let identity = kubeconfig_user(&kubeconfig, self.context.as_deref());
            let config = Config::from_custom_kubeconfig(kubeconfig, &options)
                .await
                .map_err(|e| {
                    invalid(
                        format!("cannot use the kubeconfig {shown}: {e}"),
                        Some(Box::new(e)),
                    )
                })?;
            (config, identity)
        } else if let Some(context) = &self.context {
            return Err(invalid(
                format!(
                    "the Kubernetes context '{context}' was given, but there is no kubeconfig ($KUBECONFIG, ~/.kube/config)"
                ),
                None,
            ));
        } else {
            let config = Config::incluster().map_err(|e| {
                invalid(
                    format!(
                        "no Kubernetes API server: none is configured, there is no kubeconfig ($KUBECONFIG, ~/.kube/config), and scaleph does not run in a pod ({e})"
                    ),
                    Some(Box::new(e)),
                )
            })?;
            let identity = service_account(config.auth_info.token_file.as_deref().map(Path::new));
            (config, identity)
        };
        if self.insecure_skip_tls_verify {
            config.accept_invalid_certs = true;
        }
        config.default_namespace = self.namespace.clone();
        config.connect_timeout = Some(self.request_timeout);
        Ok(Resolved { config, identity })
    }

    /// The kubeconfig to read and how to name it: the given file, else
    /// `$KUBECONFIG` (which may list several, merged), else
    /// `~/.kube/config` if it exists; `None` when there is none.
    fn kubeconfig_file(
        &self,
    ) -> Result<Option<(Kubeconfig, String)>, kube::config::KubeconfigError> {
        if let Some(path) = &self.kubeconfig {
            return Ok(Some((
                Kubeconfig::read_from(path)?,
                path.display().to_string(),
            )));
        }
        if std::env::var_os("KUBECONFIG").is_some_and(|v| !v.is_empty()) {
            return Ok(Some((Kubeconfig::read()?, "of $KUBECONFIG".to_string())));
        }
        let home = std::env::var_os("HOME").map(PathBuf::from);
        match home.map(|h| h.join(".kube").join("config")) {
            Some(path) if path.is_file() => Ok(Some((
                Kubeconfig::read_from(&path)?,
                path.display().to_string(),
            ))),
            _ => Ok(None),
        }
    }
}

/// `as kubeconfig user "admin"`: the user entry of the context used.
fn kubeconfig_user(kubeconfig: &Kubeconfig, context: Option<&str>) -> String {
    let name = context.or(kubeconfig.current_context.as_deref());
    let user = kubeconfig
        .contexts
        .iter()
        .find(|c| Some(c.name.as_str()) == name)
        .and_then(|c| c.context.as_ref()?.user.clone());
    match user {
        Some(user) => format!("as kubeconfig user \"{user}\""),
        None => "as the kubeconfig's user".to_string(),
    }
}

/// `as service account "ns:name"`, read from the `sub` claim of the
/// pod's token (`system:serviceaccount:<ns>:<name>`); the claim is a
/// name, not a secret, and the token itself is never kept.
fn service_account(token_file: Option<&Path>) -> String {
    let subject = token_file
        .and_then(|path| std::fs::read_to_string(path).ok())
        .and_then(|token| jwt_subject(&token));
    match subject {
        Some(subject) => format!(
            "as service account \"{}\"",
            subject
                .strip_prefix("system:serviceaccount:")
                .unwrap_or(&subject)
        ),
        None => "as the pod's service account".to_string(),
    }
}

/// The `sub` claim of a JWT's payload, unverified (for naming only).
fn jwt_subject(token: &str) -> Option<String> {
    let payload = token.trim().split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    claims["sub"].as_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_debug_masks_the_token() {
        let target = KubeTarget {
            api_server: Some("https://10.0.0.1:6443".into()),
            token: Some(SecretString::from("s3cr3t-token")),
            ..KubeTarget::default()
        };
        let shown = format!("{target:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("token: Some(\"******\")"), "{shown}");
    }

    #[test]
    fn target_service_account_is_the_token_subject() {
        let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(r#"{"sub":"system:serviceaccount:flink:scaleph"}"#);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("token");
        std::fs::write(&file, format!("e30.{claims}.c2ln")).unwrap();
        assert_eq!(
            service_account(Some(&file)),
            "as service account \"flink:scaleph\""
        );
        assert_eq!(service_account(None), "as the pod's service account");
    }

    #[tokio::test]
    async fn target_bad_kubeconfig_is_22023() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config");
        std::fs::write(&file, "clusters: [not: a: kubeconfig").unwrap();
        let target = KubeTarget {
            kubeconfig: Some(file.clone()),
            ..KubeTarget::default()
        };
        let error = target.resolve("cluster \"k8s\"").await.err().unwrap();
        assert_eq!(error.sqlstate, SqlState::INVALID_PARAMETER_VALUE);
        assert!(
            error
                .message
                .starts_with("cluster \"k8s\": cannot read the kubeconfig"),
            "{}",
            error.message
        );

        let missing = KubeTarget {
            kubeconfig: Some(dir.path().join("absent")),
            ..KubeTarget::default()
        };
        let error = missing.resolve("cluster \"k8s\"").await.err().unwrap();
        assert_eq!(error.sqlstate, SqlState::INVALID_PARAMETER_VALUE);

        std::fs::write(
            &file,
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://10.0.0.1:6443\nusers:\n- name: admin\n  user:\n    token: abc\ncontexts:\n- name: ctx\n  context:\n    cluster: c\n    user: admin\ncurrent-context: ctx\n",
        )
        .unwrap();
        let good = KubeTarget {
            kubeconfig: Some(file.clone()),
            namespace: "flink".into(),
            ..KubeTarget::default()
        };
        let resolved = good.resolve("cluster \"k8s\"").await.unwrap();
        assert_eq!(resolved.identity, "as kubeconfig user \"admin\"");
        assert_eq!(resolved.config.default_namespace, "flink");
        let other = KubeTarget {
            context: Some("nope".into()),
            ..good
        };
        let error = other.resolve("cluster \"k8s\"").await.err().unwrap();
        assert_eq!(error.sqlstate, SqlState::INVALID_PARAMETER_VALUE);
        assert!(error.message.contains("nope"), "{}", error.message);
    }
}
