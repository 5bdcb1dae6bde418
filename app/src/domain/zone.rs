//! A person's time zone: when their day and week end (for digests), and how a time reads to
//! them. The IANA tz database comes with `jiff`, so every server counts the same days.

use super::notice::Period;
use crate::model::Millis;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ZonedDateTime};

/// The zone of people who have not chosen one.
pub const DEFAULT: &str = "UTC";

/// Whether `name` is a time zone of the tz database (`Africa/Nairobi`, `UTC`).
pub fn is_known(name: &str) -> bool {
    !name.is_empty() && name.len() <= 64 && TimeZone::get(name).is_ok()
}

/// Every time zone a person may choose, sorted: the tz database's canonical names of places
/// (`Area/Location`) and UTC.
pub fn choices() -> Vec<String> {
    let mut names: Vec<String> = jiff::tz::db()
        .available()
        .map(|name| name.to_string())
        .filter(|name| {
            let area = name.split('/').next().unwrap_or_default();
            name == DEFAULT
                || (name.contains('/')
                    && matches!(
                        area,
                        "Africa"
                            | "America"
                            | "Antarctica"
                            | "Asia"
                            | "Atlantic"
                            | "Australia"
                            | "Europe"
                            | "Indian"
                            | "Pacific"
                    ))
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

fn zone(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap_or(TimeZone::UTC)
}

fn zoned(at: Millis, name: &str) -> ZonedDateTime {
    Timestamp::from_millisecond(at)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_zoned_datetime(zone(name))
}

/// The last end of a `period` at or before `now` in the zone `name` (local midnight, on a
/// Monday for a week), and the key of the period that ended then (`2026-12-06`, `2026-W49`).
/// A digest holds what came before that end, and goes once per key.
pub fn period_end(period: Period, name: &str, now: Millis) -> (Millis, String) {
    let here = zoned(now, name);
    let today = here.date();
    let start = match period {
        Period::Daily => today,
        Period::Weekly => {
            let back = i64::from(today.weekday().to_monday_zero_offset());
            today
                .checked_sub(jiff::Span::new().days(back))
                .unwrap_or(today)
        }
    };
    let end = start
        .to_zoned_datetime(zone(name))
        .map(|z| z.timestamp().as_millisecond())
        .unwrap_or(now);
    let ended = start.yesterday().unwrap_or(start);
    let key = match period {
        Period::Daily => ended.strftime("%Y-%m-%d").to_string(),
        Period::Weekly => {
            let week = ended.iso_week_date();
            format!("{:04}-W{:02}", week.year(), week.week())
        }
    };
    (end, key)
}

/// A time as a person in the zone `name` reads it: `2026-12-07 14:00 (Africa/Nairobi)`.
pub fn local_time(at: Millis, name: &str) -> String {
    format!("{} ({name})", zoned(at, name).strftime("%Y-%m-%d %H:%M"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-07T20:30:00Z, a Monday.
    const MONDAY_EVENING_UTC: Millis = 1_796_675_400_000;

    #[test]
    fn a_day_ends_at_local_midnight() {
        let (end, key) = period_end(Period::Daily, "UTC", MONDAY_EVENING_UTC);
        assert_eq!(end, 1_796_601_600_000, "2026-12-07T00:00Z");
        assert_eq!(key, "2026-12-06");
        // In Shanghai (UTC+8) it is already Tuesday 04:30: Monday has ended there.
        let (end, key) = period_end(Period::Daily, "Asia/Shanghai", MONDAY_EVENING_UTC);
        assert_eq!(end, 1_796_659_200_000, "2026-12-07T16:00Z");
        assert_eq!(key, "2026-12-07");
        // In Los Angeles (UTC-8) it is Monday 12:30: Sunday is the day that ended.
        let (_, key) = period_end(Period::Daily, "America/Los_Angeles", MONDAY_EVENING_UTC);
        assert_eq!(key, "2026-12-06");
    }

    #[test]
    fn a_week_ends_at_midnight_before_monday() {
        let (end, key) = period_end(Period::Weekly, "UTC", MONDAY_EVENING_UTC);
        assert_eq!(end, 1_796_601_600_000);
        assert_eq!(key, "2026-W49");
        // Sunday evening in Los Angeles: the week that ended is the one before.
        let (_, key) = period_end(
            Period::Weekly,
            "America/Los_Angeles",
            MONDAY_EVENING_UTC - 13 * 3_600_000,
        );
        assert_eq!(key, "2026-W48");
    }

    #[test]
    fn only_zones_of_the_database_are_known() {
        assert!(is_known("Africa/Nairobi"));
        assert!(is_known("UTC"));
        assert!(!is_known("Mars/Olympus_Mons"));
        assert!(!is_known(""));
        let choices = choices();
        assert!(choices.iter().any(|c| c == "Asia/Shanghai"));
        assert!(choices.iter().all(|c| is_known(c)));
        assert_eq!(
            local_time(MONDAY_EVENING_UTC, "Asia/Shanghai"),
            "2026-12-08 04:30 (Asia/Shanghai)"
        );
    }
}
