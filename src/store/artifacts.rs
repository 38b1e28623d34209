//! Job jars scaleph serves over HTTP (`serve --http-listen`), kept as
//! files under `<data_dir>/artifacts/<token>/<name>`.
//!
//! The Flink Kubernetes Operator fetches a `FlinkSessionJob`'s `jarURI`
//! itself, on every submission, resubmission and upgrade, possibly long
//! after the job was created and after scaleph restarted
//! (`docs/flink-kubernetes-operator.md` §4). So an artifact is a file,
//! written once and atomically, not a row or a cache entry: a restarted
//! scaleph serves it again, and the HTTP server reads it per request, so a
//! jar put by another process on the same data dir is served at once.
//!
//! A jar may carry a job's script and its connectors, and the HTTP
//! listener has no authentication (the operator can send only fixed
//! headers): the URL itself is the credential. Each artifact gets a
//! random 128-bit token as its first path segment, so a URL cannot be
//! guessed from a job's name or from another URL. Tokens and names are
//! checked before any path is built from them, so a request cannot leave
//! the directory.

use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::StoreError;

/// The directory of the data dir that holds the artifacts.
const DIR: &str = "artifacts";
/// How temporary files of an unfinished [`Artifacts::put`] start; never a
/// token, never a valid name.
const TMP_PREFIX: &str = ".tmp-";
/// A temporary file older than this is left over from a crash, and removed
/// by [`Artifacts::open`].
const STALE_TMP: std::time::Duration = std::time::Duration::from_secs(3600);
/// The longest artifact name (file systems allow 255 bytes).
const MAX_NAME_LEN: usize = 200;

/// The artifacts of one data dir.
#[derive(Debug)]
pub struct Artifacts {
    /// `<data_dir>/artifacts`.
    dir: PathBuf,
}

/// One artifact: what its URL is made of and what it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Artifact {
    /// 32 lower-case hex digits, random: the secret part of the URL.
    pub token: String,
    /// Its file name (`scaleph-job-ab12.jar`), the last part of the URL.
    pub name: String,
    /// SHA-256 of its bytes, lower-case hex (the HTTP `ETag`).
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
}

impl Artifact {
    /// `/artifacts/<token>/<name>` — the path under the HTTP base URL.
    pub fn path(&self) -> String {
        format!("/{DIR}/{}/{}", self.token, self.name)
    }
}

impl Artifacts {
    /// The artifacts under `data_dir`, creating `<data_dir>/artifacts`
    /// (mode 0700) if needed and removing temporary files a crash left.
    pub fn open(data_dir: &Path) -> Result<Artifacts, StoreError> {
        let dir = data_dir.join(DIR);
        create_private_dir(&dir)?;
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            let stale = entry.file_name().to_string_lossy().starts_with(TMP_PREFIX)
                && entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.elapsed().ok())
                    .is_some_and(|age| age > STALE_TMP);
            if stale {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        Ok(Artifacts { dir })
    }

    /// Keeps `bytes` as a new artifact called `name` under a fresh token.
    /// `name` must be a plain file name (`[A-Za-z0-9._-]+`, not starting
    /// with `.`); the file (mode 0600) appears whole or not at all.
    pub async fn put(&self, name: &str, bytes: &[u8]) -> Result<Artifact, StoreError> {
        if !valid_name(name) {
            return Err(StoreError::Io(std::io::Error::new(
                ErrorKind::InvalidInput,
                format!(
                    "artifact name \"{}\" is not a plain file name ([A-Za-z0-9._-], at most {MAX_NAME_LEN} characters, not starting with '.')",
                    name.escape_default()
                ),
            )));
        }
        let artifact = Artifact {
            token: hex(&rand::random::<[u8; 16]>()),
            name: name.to_string(),
            sha256: hex(&Sha256::digest(bytes)),
            size: bytes.len() as u64,
        };
        let dir = self.dir.clone();
        let bytes = bytes.to_vec();
        let (token, name) = (artifact.token.clone(), artifact.name.clone());
        blocking(move || write_atomically(&dir, &token, &name, &bytes)).await?;
        Ok(artifact)
    }

    /// The bytes of the artifact `name` under `token`; `None` when the
    /// token or the name is malformed, unknown, or not each other's.
    pub async fn read(&self, token: &str, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        if !valid_token(token) || !valid_name(name) {
            return Ok(None);
        }
        match tokio::fs::read(self.dir.join(token).join(name)).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => {
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Removes the artifact under `token`; whether there was one.
    pub async fn remove(&self, token: &str) -> Result<bool, StoreError> {
        if !valid_token(token) {
            return Ok(false);
        }
        let dir = self.dir.join(token);
        blocking(move || match std::fs::remove_dir_all(&dir) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        })
        .await
    }

    /// Every artifact, by name then token (each file is read to hash it).
    pub async fn list(&self) -> Result<Vec<Artifact>, StoreError> {
        let dir = self.dir.clone();
        blocking(move || {
            let mut artifacts = Vec::new();
            for entry in std::fs::read_dir(&dir)? {
                let entry = entry?;
                let token = entry.file_name().to_string_lossy().into_owned();
                if !valid_token(&token) || !entry.file_type()?.is_dir() {
                    continue;
                }
                for file in std::fs::read_dir(entry.path())? {
                    let file = file?;
                    let name = file.file_name().to_string_lossy().into_owned();
                    if !valid_name(&name) || !file.file_type()?.is_file() {
                        continue;
                    }
                    let bytes = match std::fs::read(file.path()) {
                        Ok(bytes) => bytes,
                        // Removed meanwhile.
                        Err(e) if e.kind() == ErrorKind::NotFound => continue,
                        Err(e) => return Err(e),
                    };
                    artifacts.push(Artifact {
                        token: token.clone(),
                        name,
                        sha256: hex(&Sha256::digest(&bytes)),
                        size: bytes.len() as u64,
                    });
                }
            }
            artifacts.sort_by(|a, b| (&a.name, &a.token).cmp(&(&b.name, &b.token)));
            Ok(artifacts)
        })
        .await
    }
}

/// Whether `token` is what [`Artifacts::put`] makes: 32 lower-case hex digits.
fn valid_token(token: &str) -> bool {
    token.len() == 32
        && token
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Whether `name` is a plain file name: `[A-Za-z0-9._-]+`, not `.`, `..`
/// or hidden (temporary files start with `.`).
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Lower-case hex of `bytes`.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Creates `dir` (and its parents) and makes it 0700.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Writes `<dir>/<token>/<name>`: to a temporary file first, synced, then
/// renamed into place, so a reader never sees part of a jar.
fn write_atomically(dir: &Path, token: &str, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = dir.join(format!("{TMP_PREFIX}{token}"));
    let written = (|| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        let target = dir.join(token);
        create_private_dir(&target)?;
        std::fs::rename(&tmp, target.join(name))?;
        std::fs::File::open(&target)?.sync_all()?;
        std::fs::File::open(dir)?.sync_all()
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Runs file system work off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(std::io::Error::other)?
        .map_err(StoreError::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn put_then_read_round_trips_and_lists() {
        let dir = tempfile::tempdir().unwrap();
        let artifacts = Artifacts::open(dir.path()).unwrap();
        let jar = b"PK\x03\x04 not really a jar".to_vec();
        let artifact = artifacts.put("scaleph-job-ab12.jar", &jar).await.unwrap();
        assert!(valid_token(&artifact.token), "{}", artifact.token);
        assert_eq!(artifact.size, jar.len() as u64);
        assert_eq!(artifact.sha256, hex(&Sha256::digest(&jar)));
        assert_eq!(
            artifact.path(),
            format!("/artifacts/{}/scaleph-job-ab12.jar", artifact.token)
        );
        assert_eq!(
            artifacts
                .read(&artifact.token, "scaleph-job-ab12.jar")
                .await
                .unwrap(),
            Some(jar.clone())
        );
        let other = artifacts.put("scaleph-job-ab12.jar", b"v2").await.unwrap();
        assert_ne!(other.token, artifact.token, "every put has its own token");
        let mut listed = artifacts.list().await.unwrap();
        listed.sort_by_key(|a| a.size);
        assert_eq!(listed, vec![other, artifact]);
    }

    #[tokio::test]
    async fn bad_names_are_refused_and_bad_tokens_read_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let artifacts = Artifacts::open(dir.path()).unwrap();
        for name in [
            "",
            ".",
            "..",
            ".hidden.jar",
            "a/b.jar",
            "../x.jar",
            "a b.jar",
            "a\\b.jar",
            "é.jar",
            "a\0.jar",
            &"x".repeat(MAX_NAME_LEN + 1),
        ] {
            let err = artifacts.put(name, b"x").await.unwrap_err();
            assert!(
                matches!(&err, StoreError::Io(e) if e.kind() == ErrorKind::InvalidInput),
                "{name:?}: {err}"
            );
        }
        let artifact = artifacts.put("job.jar", b"x").await.unwrap();
        let upper = artifact.token.to_uppercase();
        let short = &artifact.token[..31];
        for (token, name) in [
            (upper.as_str(), "job.jar"),
            (short, "job.jar"),
            ("..", "job.jar"),
            ("../artifacts", "job.jar"),
            (artifact.token.as_str(), "other.jar"),
            (artifact.token.as_str(), "../job.jar"),
            (artifact.token.as_str(), ""),
            ("00000000000000000000000000000000", "job.jar"),
        ] {
            assert_eq!(
                artifacts.read(token, name).await.unwrap(),
                None,
                "{token}/{name}"
            );
        }
        assert!(!artifacts.remove("..").await.unwrap());
        assert!(!artifacts.remove(&upper).await.unwrap());
        assert!(dir.path().join(DIR).join(&artifact.token).is_dir());
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn files_are_0600_and_directories_0700() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let artifacts = Artifacts::open(dir.path()).unwrap();
        let artifact = artifacts.put("job.jar", b"x").await.unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let root = dir.path().join(DIR);
        assert_eq!(mode(&root), 0o700);
        assert_eq!(mode(&root.join(&artifact.token)), 0o700);
        assert_eq!(mode(&root.join(&artifact.token).join("job.jar")), 0o600);
        let names: Vec<String> = std::fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec![artifact.token], "no temporary file is left");
    }

    #[tokio::test]
    async fn artifacts_survive_reopening_and_remove_deletes_them() {
        let dir = tempfile::tempdir().unwrap();
        let artifact = Artifacts::open(dir.path())
            .unwrap()
            .put("job.jar", b"bytes")
            .await
            .unwrap();
        let reopened = Artifacts::open(dir.path()).unwrap();
        assert_eq!(reopened.list().await.unwrap(), vec![artifact.clone()]);
        assert_eq!(
            reopened.read(&artifact.token, "job.jar").await.unwrap(),
            Some(b"bytes".to_vec())
        );
        assert!(reopened.remove(&artifact.token).await.unwrap());
        assert!(!reopened.remove(&artifact.token).await.unwrap());
        assert_eq!(
            reopened.read(&artifact.token, "job.jar").await.unwrap(),
            None
        );
        assert!(reopened.list().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn stray_entries_are_not_listed() {
        let dir = tempfile::tempdir().unwrap();
        let artifacts = Artifacts::open(dir.path()).unwrap();
        let root = dir.path().join(DIR);
        std::fs::write(root.join(".tmp-0123"), b"partial").unwrap();
        std::fs::create_dir(root.join("not-a-token")).unwrap();
        std::fs::write(root.join("not-a-token").join("job.jar"), b"x").unwrap();
        assert!(artifacts.list().await.unwrap().is_empty());
        // A fresh temporary file may be another process's put: kept.
        Artifacts::open(dir.path()).unwrap();
        assert!(root.join(".tmp-0123").exists());
    }
}
