//! Job jars: the SQL runner jar with the connector (or function) jars a
//! job needs under `lib/`. Flink's `PackagedProgram`, which runs a jar
//! submitted with `POST /jars/:id/run` (and a Kubernetes operator's
//! session job), extracts the jars under `lib/` of a job jar and adds them
//! to the job's user classpath; they reach the TaskManagers with the job
//! (ARCHITECTURE.md, "Jobs on Flink clusters"). So a job carries its
//! connectors and the cluster needs nothing installed.
//!
//! The zip format is written here, not with a crate: entries are copied
//! as they are (already compressed or not, CRC and sizes kept) from the
//! runner jar, and the nested jars are added stored (they are compressed
//! archives already) — a few dozen lines of the format's headers, no
//! deflate. ZIP64 (4 GiB, 65,535 entries) is refused, not written.

use crate::error::{Error, Result, SqlState};

/// One entry of a zip archive, its data as stored (maybe deflated).
struct Entry {
    name: Vec<u8>,
    method: u16,
    crc: u32,
    compressed: u32,
    size: u32,
    data: Vec<u8>,
}

const LOCAL: u32 = 0x0403_4b50;
const CENTRAL: u32 = 0x0201_4b50;
const END: u32 = 0x0605_4b50;
/// 1980-01-01 00:00 in DOS time: fixed, so the same inputs give the same
/// bytes (and the same content-hash name on a cluster).
const DOS_DATE: u16 = (1 << 5) | 1;

/// `base` (a jar) with `libs` added under `lib/`, each `(file name,
/// bytes)`. A name that is not a plain `*.jar` file name, a name given
/// twice or an archive the format cannot hold is 22023.
pub fn with_libs(base: &[u8], libs: &[(&str, &[u8])]) -> Result<Vec<u8>> {
    let mut entries = read(base)?;
    for (name, bytes) in libs {
        let plain = !name.is_empty()
            && name.ends_with(".jar")
            && !name.contains(['/', '\\'])
            && !name.starts_with('.');
        if !plain {
            return Err(invalid(format!("{name:?} is not a jar's file name")));
        }
        let path = format!("lib/{name}").into_bytes();
        if entries.iter().any(|e| e.name == path) {
            return Err(invalid(format!("the jar {name} is given twice")));
        }
        let size = u32::try_from(bytes.len())
            .map_err(|_| invalid(format!("the jar {name} is larger than 4 GiB")))?;
        entries.push(Entry {
            name: path,
            method: 0,
            crc: crc32(bytes),
            compressed: size,
            size,
            data: bytes.to_vec(),
        });
    }
    write(&entries)
}

fn invalid(message: String) -> Error {
    Error::new(SqlState::INVALID_PARAMETER_VALUE, message)
}

fn corrupt(why: &str) -> Error {
    Error::new(
        SqlState::DATA_EXCEPTION,
        format!("the job jar cannot be read as a zip archive: {why}"),
    )
}

fn u16_at(bytes: &[u8], at: usize) -> Result<u16> {
    bytes
        .get(at..at + 2)
        .map(|b| u16::from_le_bytes([b[0], b[1]]))
        .ok_or_else(|| corrupt("truncated"))
}

fn u32_at(bytes: &[u8], at: usize) -> Result<u32> {
    bytes
        .get(at..at + 4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .ok_or_else(|| corrupt("truncated"))
}

/// The entries of the archive `bytes`, by its central directory.
fn read(bytes: &[u8]) -> Result<Vec<Entry>> {
    // The end record is the last 22 bytes unless the archive has a comment.
    let end = (0..=bytes.len().saturating_sub(22))
        .rev()
        .find(|&at| u32_at(bytes, at).ok() == Some(END))
        .ok_or_else(|| corrupt("no end of central directory"))?;
    let count = u16_at(bytes, end + 10)? as usize;
    let mut at = u32_at(bytes, end + 16)? as usize;
    let mut entries = Vec::with_capacity(count);
    for _ in 0..count {
        if u32_at(bytes, at)? != CENTRAL {
            return Err(corrupt("a central directory entry is missing"));
        }
        let method = u16_at(bytes, at + 10)?;
        let crc = u32_at(bytes, at + 16)?;
        let compressed = u32_at(bytes, at + 20)?;
        let size = u32_at(bytes, at + 24)?;
        let name_len = u16_at(bytes, at + 28)? as usize;
        let extra_len = u16_at(bytes, at + 30)? as usize;
        let comment_len = u16_at(bytes, at + 32)? as usize;
        let local = u32_at(bytes, at + 42)? as usize;
        let name = bytes
            .get(at + 46..at + 46 + name_len)
            .ok_or_else(|| corrupt("truncated"))?
            .to_vec();
        if u32_at(bytes, local)? != LOCAL {
            return Err(corrupt("a local header is missing"));
        }
        let data_at =
            local + 30 + u16_at(bytes, local + 26)? as usize + u16_at(bytes, local + 28)? as usize;
        let data = bytes
            .get(data_at..data_at + compressed as usize)
            .ok_or_else(|| corrupt("truncated"))?
            .to_vec();
        entries.push(Entry {
            name,
            method,
            crc,
            compressed,
            size,
            data,
        });
        at += 46 + name_len + extra_len + comment_len;
    }
    Ok(entries)
}

/// The archive of `entries`, in their order.
fn write(entries: &[Entry]) -> Result<Vec<u8>> {
    let count = u16::try_from(entries.len()).map_err(|_| invalid("too many entries".into()))?;
    let too_large = || invalid("the job jar would be larger than 4 GiB".into());
    let mut out = Vec::new();
    let mut central = Vec::new();
    for entry in entries {
        let offset = u32::try_from(out.len()).map_err(|_| too_large())?;
        let name_len = entry.name.len() as u16;
        out.extend_from_slice(&LOCAL.to_le_bytes());
        for field in [20u16, 0, entry.method, 0, DOS_DATE] {
            out.extend_from_slice(&field.to_le_bytes());
        }
        for field in [entry.crc, entry.compressed, entry.size] {
            out.extend_from_slice(&field.to_le_bytes());
        }
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&entry.name);
        out.extend_from_slice(&entry.data);

        central.extend_from_slice(&CENTRAL.to_le_bytes());
        for field in [20u16, 20, 0, entry.method, 0, DOS_DATE] {
            central.extend_from_slice(&field.to_le_bytes());
        }
        for field in [entry.crc, entry.compressed, entry.size] {
            central.extend_from_slice(&field.to_le_bytes());
        }
        // Name length, extra, comment, disk, internal attributes.
        for field in [name_len, 0, 0, 0, 0] {
            central.extend_from_slice(&field.to_le_bytes());
        }
        central.extend_from_slice(&0u32.to_le_bytes());
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(&entry.name);
    }
    let central_at = u32::try_from(out.len()).map_err(|_| too_large())?;
    let central_len = u32::try_from(central.len()).map_err(|_| too_large())?;
    out.extend_from_slice(&central);
    out.extend_from_slice(&END.to_le_bytes());
    for field in [0u16, 0, count, count] {
        out.extend_from_slice(&field.to_le_bytes());
    }
    out.extend_from_slice(&central_len.to_le_bytes());
    out.extend_from_slice(&central_at.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    Ok(out)
}

/// The CRC-32 (IEEE) zip entries carry.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flink::runner::RUNNER_JAR;

    #[test]
    fn crc32_is_the_zip_checksum() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn libs_are_added_under_lib_and_the_runner_kept() {
        let jar = with_libs(RUNNER_JAR, &[("a.jar", b"PK-a"), ("b.jar", b"PK-bb")]).unwrap();
        let entries = read(&jar).unwrap();
        let runner = read(RUNNER_JAR).unwrap();
        assert_eq!(entries.len(), runner.len() + 2);
        for (copied, original) in entries.iter().zip(&runner) {
            assert_eq!(copied.name, original.name);
            assert_eq!(copied.data, original.data);
            assert_eq!(copied.crc, original.crc);
        }
        let b = entries.last().unwrap();
        assert_eq!(
            (b.name.as_slice(), b.data.as_slice()),
            (&b"lib/b.jar"[..], &b"PK-bb"[..])
        );
        assert_eq!(b.crc, crc32(b"PK-bb"));
        assert_eq!(
            with_libs(RUNNER_JAR, &[("a.jar", b"PK-a")]).unwrap(),
            with_libs(RUNNER_JAR, &[("a.jar", b"PK-a")]).unwrap()
        );
        assert_eq!(
            read(&with_libs(RUNNER_JAR, &[]).unwrap()).unwrap().len(),
            runner.len()
        );
    }

    #[test]
    fn bad_names_and_archives_are_refused() {
        for name in ["../x.jar", "x.txt", "", "a/b.jar", ".jar"] {
            let err = with_libs(RUNNER_JAR, &[(name, b"x")]).unwrap_err();
            assert_eq!(err.sqlstate, SqlState::INVALID_PARAMETER_VALUE, "{name}");
        }
        let twice = with_libs(RUNNER_JAR, &[("a.jar", b"x"), ("a.jar", b"y")]).unwrap_err();
        assert!(twice.message.contains("twice"));
        assert_eq!(
            with_libs(b"not a zip", &[]).unwrap_err().sqlstate,
            SqlState::DATA_EXCEPTION
        );
        let mut cut = RUNNER_JAR.to_vec();
        cut.drain(100..400);
        assert!(with_libs(&cut, &[]).is_err());
    }
}
