//! Files an object of a type can have attached (`FILES (name = '/path')`),
//! as `[[files]]` of a catalog file declares them: a datasource type's
//! keytabs and certificates, a Kubernetes cluster type's pod templates.
//! One spec and one check for both kinds, so a file is declared, looked
//! up and refused the same way wherever it is attached.

use serde::Deserialize;

use super::option::OptionSpec;

/// A file an object of this type can have attached: read once when it is
/// attached (CREATE, ALTER ... SET FILES), stored with its size and
/// SHA-256, never read from its path again.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSpec {
    /// The name in `FILES (...)`.
    pub name: String,
    /// Encrypted at rest (keytabs, private keys).
    #[serde(default)]
    pub secret: bool,
    /// What it is.
    pub description: String,
}

/// Checks a type's `[[files]]` as a catalog file gives them: no name
/// twice, and none that is also an option (a key means one thing).
pub(super) fn check_files(files: &[FileSpec], options: &[OptionSpec]) -> Result<(), String> {
    let mut seen = std::collections::HashSet::new();
    for file in files {
        if !seen.insert(file.name.to_ascii_lowercase()) {
            return Err(format!("file \"{}\" is listed twice", file.name));
        }
        if options
            .iter()
            .any(|o| o.name.eq_ignore_ascii_case(&file.name))
        {
            return Err(format!(
                "\"{}\" is both an option and a file; a key is one or the other",
                file.name
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str) -> FileSpec {
        FileSpec {
            name: name.into(),
            secret: false,
            description: "d".into(),
        }
    }

    #[test]
    fn check_files_refuses_a_name_twice_or_shared_with_an_option() {
        assert!(check_files(&[file("a"), file("b")], &[]).is_ok());
        let err = check_files(&[file("a"), file("A")], &[]).unwrap_err();
        assert!(err.contains("listed twice"), "{err}");
        let option: OptionSpec = toml::from_str(
            "name = \"b\"\ntype = \"string\"\ngroup = \"basic\"\ndescription = \"d\"",
        )
        .unwrap();
        let err = check_files(&[file("b")], &[option]).unwrap_err();
        assert!(err.contains("both an option and a file"), "{err}");
    }
}
