//! Durations as users write them in options (`'30 s'`, `'5 min'`, `'2 h'`,
//! `'500ms'`, `'1 d'`), with the units Flink's configuration accepts; a
//! bare number is milliseconds, as in Flink.

use std::time::Duration;

/// Units by the names Flink accepts, with their length in milliseconds.
const UNITS: &[(&[&str], u64)] = &[
    (&["ms", "milli", "millis", "millisecond", "milliseconds"], 1),
    (&["s", "sec", "secs", "second", "seconds"], 1_000),
    (&["min", "m", "minute", "minutes"], 60_000),
    (&["h", "hour", "hours"], 3_600_000),
    (&["d", "day", "days"], 86_400_000),
];

/// Parses `text` as a duration; the error says what is accepted.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let trimmed = text.trim();
    let digits = trimmed
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(digits);
    let unit = unit.trim().to_ascii_lowercase();
    let invalid = || {
        format!(
            "'{text}' is not a duration: write a whole number and a unit (ms, s, min, h, d), like '30 s'"
        )
    };
    let value: u64 = number.parse().map_err(|_| invalid())?;
    let millis_per_unit = if unit.is_empty() {
        1
    } else {
        UNITS
            .iter()
            .find(|(names, _)| names.contains(&unit.as_str()))
            .map(|(_, ms)| *ms)
            .ok_or_else(invalid)?
    };
    value
        .checked_mul(millis_per_unit)
        .map(Duration::from_millis)
        .ok_or_else(|| format!("'{text}' is too long a duration"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_duration_reads_flink_units() {
        assert_eq!(parse_duration("30 s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("5 min"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse_duration("500"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration(" 1 DAYS "), Ok(Duration::from_secs(86_400)));
        for bad in [
            "",
            "s",
            "1.5 s",
            "-1 s",
            "10 parsecs",
            "99999999999999999999 d",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
