//! Attached files (`FILES (name = '/path', ...)`) as the object handlers
//! use them — a datasource's, a cluster's: each read once when it is
//! attached (CREATE, ALTER CLUSTER ... SET FILES), checked against its
//! type's `[[files]]`, at most [`MAX_FILE_SIZE`], kept with its size and
//! SHA-256 (sealed when the type marks it secret), and shown the same way
//! by DESCRIBE and SHOW CREATE. Reading once is the point: what uses a
//! file later (a keytab, a pod template) gets the content as it was
//! attached, not whatever the path holds by then, and a file deleted
//! afterwards breaks nothing.

use std::collections::BTreeMap;

use base64::Engine;
use secrecy::SecretString;
use sha2::{Digest, Sha256};

use crate::catalog::TypedOptions;
use crate::error::{Error, Result, SqlState};
use crate::sql::ast::{OptionValue, Options, SqlOption};
use crate::store::{AttachedFile, OptionEntry};

/// The largest file that can be attached (1 MiB).
pub const MAX_FILE_SIZE: u64 = 1 << 20;

/// Reads the files of `FILES (name = '/path', ...)`: each must be one
/// `typed` takes (22023 otherwise) and readable (58P01) and at most
/// [`MAX_FILE_SIZE`] (54000); each error names the file and has its key
/// as subject. Secret ones are kept as secrets. Keyed by the type's
/// spelling of the name.
pub async fn attach_files(
    typed: &impl TypedOptions,
    files: &Options,
) -> Result<BTreeMap<String, AttachedFile>> {
    let mut attached = BTreeMap::new();
    for file in &files.0 {
        let spec = typed.file_spec(&file.key)?;
        let path = file.value.as_text();
        let unreadable = |e: std::io::Error| {
            Error::new(
                SqlState::UNDEFINED_FILE,
                format!("cannot read file {} from '{path}': {e}", spec.name),
            )
            .with_subject(file.key.as_str())
            .with_source(e)
        };
        let too_big = |size: u64| {
            Error::new(
                SqlState::PROGRAM_LIMIT_EXCEEDED,
                format!(
                    "file {} ('{path}') has {size} bytes; the limit is {MAX_FILE_SIZE}",
                    spec.name
                ),
            )
            .with_subject(file.key.as_str())
        };
        // The size first, so a huge file is never read into memory; the
        // length read is checked again (the file may have grown).
        let size = tokio::fs::metadata(&path).await.map_err(unreadable)?.len();
        if size > MAX_FILE_SIZE {
            return Err(too_big(size));
        }
        let bytes = tokio::fs::read(&path).await.map_err(unreadable)?;
        let size = bytes.len() as u64;
        if size > MAX_FILE_SIZE {
            return Err(too_big(size));
        }
        let sha256: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let content = base64::engine::general_purpose::STANDARD.encode(&bytes);
        let content = if spec.secret {
            OptionEntry::Secret(SecretString::from(content))
        } else {
            OptionEntry::Plain(content)
        };
        attached.insert(
            spec.name.clone(),
            AttachedFile {
                path,
                size,
                sha256,
                content,
            },
        );
    }
    Ok(attached)
}

/// Checks that every file of `FILES (...)` is one `typed` takes, without
/// reading any (`scaleph check`: the paths are the server's).
pub fn check_file_names(typed: &impl TypedOptions, files: &Options) -> Result<()> {
    for file in &files.0 {
        typed.file_spec(&file.key)?;
    }
    Ok(())
}

/// Kept files as a `FILES (...)` list (SHOW CREATE): name and the path
/// each was read from.
pub fn files_clause(files: &BTreeMap<String, AttachedFile>) -> Options {
    Options(
        files
            .iter()
            .map(|(name, file)| SqlOption {
                key: name.clone(),
                value: OptionValue::String(file.path.clone()),
            })
            .collect(),
    )
}

/// DESCRIBE's rows for kept files: `[files, name, "<size> bytes, sha256
/// <hex>", path]`, never the content.
pub fn describe_file_rows(files: &BTreeMap<String, AttachedFile>) -> Vec<Vec<String>> {
    files
        .iter()
        .map(|(name, file)| {
            vec![
                "files".to_string(),
                name.clone(),
                format!("{} bytes, sha256 {}", file.size, file.sha256),
                file.path.clone(),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Registry;

    fn files(pairs: &[(&str, &str)]) -> Options {
        Options(
            pairs
                .iter()
                .map(|(k, v)| SqlOption {
                    key: k.to_string(),
                    value: OptionValue::String(v.to_string()),
                })
                .collect(),
        )
    }

    #[tokio::test]
    async fn attach_files_reads_once_hashes_and_seals_what_the_type_says() {
        let dir = tempfile::tempdir().unwrap();
        let keytab = dir.path().join("k.keytab");
        std::fs::write(&keytab, b"abc").unwrap();
        let registry = Registry::embedded();
        let hive = registry.get("hive").unwrap();
        let path = keytab.display().to_string();
        let kept = attach_files(hive, &files(&[("KEYTAB", &path), ("krb5_conf", &path)]))
            .await
            .unwrap();
        let file = &kept["keytab"];
        assert_eq!((file.size, file.path.as_str()), (3, path.as_str()));
        assert_eq!(
            file.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(matches!(file.content, OptionEntry::Secret(_)));
        assert_eq!(kept["krb5_conf"].content.masked(), "YWJj");
        // Gone afterwards: what was kept stays.
        std::fs::remove_file(&keytab).unwrap();
        assert_eq!(
            describe_file_rows(&kept)[0][2],
            format!("3 bytes, sha256 {}", file.sha256)
        );
        assert_eq!(
            files_clause(&kept).to_string(),
            format!("(keytab = '{path}', krb5_conf = '{path}')")
        );
    }

    #[tokio::test]
    async fn attach_files_names_the_file_in_every_refusal() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'x'; MAX_FILE_SIZE as usize + 1]).unwrap();
        let registry = Registry::embedded();
        let session = registry.cluster_type("kubernetes_session").unwrap();
        let big = big.display().to_string();
        for (key, path, sqlstate, words) in [
            ("pod.template", big.as_str(), "54000", "file pod.template"),
            (
                "jobmanager.pod.template",
                "/no/such/pod.yaml",
                "58P01",
                "cannot read file jobmanager.pod.template",
            ),
            ("pod.templat", "/x", "22023", "did you mean pod.template?"),
        ] {
            let err = attach_files(session, &files(&[(key, path)]))
                .await
                .unwrap_err();
            assert_eq!(err.sqlstate.code(), sqlstate, "{err:?}");
            assert!(err.message.contains(words), "{}", err.message);
            assert_eq!(err.subject.unwrap().0, key);
        }
        let remote = registry.cluster_type("remote").unwrap();
        let err = check_file_names(remote, &files(&[("pod.template", "/x")])).unwrap_err();
        assert!(err.hint.unwrap().contains("takes no files"));
    }
}
