//! Cron expressions in an IANA time zone (croner + chrono-tz): 5 fields
//! (minute hour day-of-month month day-of-week) or 6 with seconds first,
//! nicknames (`@daily`), `L`, `W` and `#`. Fire times follow croner's DST
//! rules: a time in a spring-forward gap fires right after the gap, an
//! hour repeated at fall-back fires once.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use croner::Cron;
use croner::parser::{CronParser, Seconds, Year};

/// A checked cron expression and the zone it is read in.
#[derive(Clone, Debug)]
pub struct CronSchedule {
    cron: Cron,
    zone: Tz,
}

/// Why a cron expression or time zone was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CronError {
    /// The expression does not parse.
    #[error("invalid cron expression '{expression}': {reason}")]
    Expression {
        /// The expression.
        expression: String,
        /// What is wrong.
        reason: String,
    },
    /// The expression parses but never fires (`0 0 30 2 *`).
    #[error("cron expression '{0}' never fires")]
    NeverFires(String),
    /// The zone is not in the IANA database.
    #[error("unknown time zone '{zone}'{suggestion}")]
    Zone {
        /// The zone as written.
        zone: String,
        /// `: did you mean ...?`, or empty.
        suggestion: String,
    },
}

impl CronSchedule {
    /// Parses `expression` read in `zone` (UTC when `None`), and checks
    /// that it fires at least once.
    pub fn parse(expression: &str, zone: Option<&str>) -> Result<CronSchedule, CronError> {
        let zone = match zone {
            None => Tz::UTC,
            Some(name) => parse_zone(name)?,
        };
        let fields = expression.split_whitespace().count();
        let nickname = expression.trim_start().starts_with('@');
        if !nickname && !(5..=6).contains(&fields) {
            return Err(CronError::Expression {
                expression: expression.to_string(),
                reason: format!(
                    "it has {fields} fields; expected 5 (minute hour day month weekday) or 6 (seconds first)"
                ),
            });
        }
        let cron = CronParser::builder()
            .seconds(Seconds::Optional)
            .year(Year::Disallowed)
            .build()
            .parse(expression)
            .map_err(|e| CronError::Expression {
                expression: expression.to_string(),
                reason: e.to_string(),
            })?;
        let schedule = CronSchedule { cron, zone };
        if schedule.next_after(Utc::now()).is_none() {
            return Err(CronError::NeverFires(expression.to_string()));
        }
        Ok(schedule)
    }

    /// The first fire time strictly after `instant`, in the schedule's zone.
    pub fn next_after(&self, instant: DateTime<Utc>) -> Option<DateTime<Tz>> {
        self.cron
            .find_next_occurrence(&instant.with_timezone(&self.zone), false)
            .ok()
    }
}

/// An IANA zone by name (`Asia/Shanghai`, `UTC`), case-sensitively as the
/// database spells it, with did-you-mean on a near miss.
pub fn parse_zone(name: &str) -> Result<Tz, CronError> {
    name.parse::<Tz>().map_err(|_| {
        let suggestion = chrono_tz::TZ_VARIANTS
            .iter()
            .map(|tz| tz.name())
            .find(|known| known.eq_ignore_ascii_case(name))
            .map(|known| format!(": did you mean '{known}'?"))
            .unwrap_or_default();
        CronError::Zone {
            zone: name.to_string(),
            suggestion,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn five_and_six_fields_parse_and_fire_in_their_zone() {
        let schedule = CronSchedule::parse("0 2 * * *", Some("Asia/Shanghai")).unwrap();
        let after = Utc.with_ymd_and_hms(2026, 11, 24, 0, 0, 0).unwrap();
        let next = schedule.next_after(after).unwrap();
        assert_eq!(next.to_rfc3339(), "2026-11-25T02:00:00+08:00");
        let seconds = CronSchedule::parse("30 0 2 * * *", None).unwrap();
        let next = seconds.next_after(after).unwrap();
        assert_eq!(next.to_rfc3339(), "2026-11-24T02:00:30+00:00");
        assert!(CronSchedule::parse("@daily", None).is_ok());
    }

    #[test]
    fn bad_expressions_and_zones_are_refused() {
        for bad in ["0 2 * *", "0 0 2 * * * 2026", "61 * * * *", "x y z a b", ""] {
            assert!(
                matches!(
                    CronSchedule::parse(bad, None),
                    Err(CronError::Expression { .. })
                ),
                "{bad}"
            );
        }
        assert_eq!(
            CronSchedule::parse("0 0 30 2 *", None).unwrap_err(),
            CronError::NeverFires("0 0 30 2 *".into())
        );
        let err = CronSchedule::parse("0 2 * * *", Some("asia/shanghai")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown time zone 'asia/shanghai': did you mean 'Asia/Shanghai'?"
        );
        assert!(CronSchedule::parse("0 2 * * *", Some("Mars/Olympus")).is_err());
    }
}
