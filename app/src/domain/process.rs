//! Processes: their level, their schedule of phases, and what makes a valid one.

use super::localized::Localized;
use super::roles::Phase;
use crate::error::FieldError;
use crate::i18n::Msg;
use serde::{Deserialize, Serialize};

/// The level of government a process belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    National,
    Regional,
    Local,
}

impl Level {
    /// Every level.
    pub const ALL: [Level; 3] = [Level::National, Level::Regional, Level::Local];

    /// The stable code used in storage, forms and the open-data API.
    pub fn code(self) -> &'static str {
        match self {
            Level::National => "national",
            Level::Regional => "regional",
            Level::Local => "local",
        }
    }

    /// Parses [`Level::code`].
    pub fn from_code(code: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.code() == code)
    }

    /// The level's name in the interface.
    pub fn label(self) -> Msg {
        match self {
            Level::National => Msg::LevelNational,
            Level::Regional => Msg::LevelRegional,
            Level::Local => Msg::LevelLocal,
        }
    }
}

/// A calendar day, written `YYYY-MM-DD` everywhere (storage, forms, API).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Day {
    year: u16,
    month: u8,
    day: u8,
}

impl Day {
    /// Parses `YYYY-MM-DD`, refusing days that do not exist.
    pub fn parse(text: &str) -> Option<Day> {
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let year: u16 = text[0..4].parse().ok()?;
        let month: u8 = text[5..7].parse().ok()?;
        let day: u8 = text[8..10].parse().ok()?;
        let leap =
            (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
        let days_in_month = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (year >= 1900 && (1..=days_in_month).contains(&day)).then_some(Day { year, month, day })
    }

    /// The day `days` after 1970-01-01 (negative for before), by the civil calendar.
    pub fn from_unix_days(days: i64) -> Day {
        // Howard Hinnant's days_from_civil inverse.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as u16;
        Day { year, month, day }
    }

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    pub fn unix_days(self) -> i64 {
        let (month, day) = (i64::from(self.month), i64::from(self.day));
        let year = i64::from(self.year) - i64::from(month <= 2);
        let era = year.div_euclid(400);
        let yoe = year.rem_euclid(400);
        let mp = (month + 9) % 12;
        let doy = (153 * mp + 2) / 5 + day - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }
}

impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl TryFrom<String> for Day {
    type Error = String;
    fn try_from(text: String) -> Result<Day, String> {
        Day::parse(&text).ok_or_else(|| format!("not a date: {text}"))
    }
}

impl From<Day> for String {
    fn from(day: Day) -> String {
        day.to_string()
    }
}

/// When one phase is planned to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhaseDates {
    pub phase: Phase,
    pub starts_on: Day,
    pub ends_on: Day,
}

/// Checks a schedule: each phase at most once, in order, each ending on or after its start, and
/// no phase starting before the previous one ended.
pub fn check_schedule(schedule: &[PhaseDates]) -> Result<(), FieldError> {
    for (i, dates) in schedule.iter().enumerate() {
        let field = format!("phase.{}", dates.phase.code());
        if dates.ends_on < dates.starts_on {
            return Err(FieldError::new(&field, Msg::ErrorPhaseEndsBeforeStart));
        }
        if let Some(previous) = i.checked_sub(1).map(|p| schedule[p]) {
            if previous.phase >= dates.phase {
                return Err(FieldError::new(&field, Msg::ErrorPhaseOrder));
            }
            if dates.starts_on <= previous.ends_on {
                return Err(FieldError::new(&field, Msg::ErrorPhaseOverlap));
            }
        }
    }
    Ok(())
}

/// The longest title a process may have, in characters.
pub const MAX_TITLE: usize = 200;
/// The longest summary, rules or explanation text, in characters.
pub const MAX_LONG_TEXT: usize = 20_000;

/// Checks a process's texts: a title in its first language, and no text over its limit.
pub fn check_texts(
    languages: &[String],
    title: &Localized,
    long_texts: &[(&str, &Localized)],
) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    match languages.first() {
        None => errors.push(FieldError::new("languages", Msg::ErrorLanguagesRequired)),
        Some(first) if title.get(first).is_none() => errors.push(FieldError::new(
            &format!("title.{first}"),
            Msg::ErrorTitleRequired,
        )),
        Some(_) => {}
    }
    for lang in languages {
        if !is_language_tag(lang) {
            errors.push(FieldError::new(
                "languages",
                Msg::ErrorLanguageTag { tag: lang.clone() },
            ));
        }
    }
    for (lang, text) in &title.0 {
        if text.chars().count() > MAX_TITLE {
            errors.push(FieldError::new(
                &format!("title.{lang}"),
                Msg::ErrorTooLong {
                    max: MAX_TITLE.to_string(),
                },
            ));
        }
    }
    for (name, localized) in long_texts {
        for (lang, text) in &localized.0 {
            if text.chars().count() > MAX_LONG_TEXT {
                errors.push(FieldError::new(
                    &format!("{name}.{lang}"),
                    Msg::ErrorTooLong {
                        max: MAX_LONG_TEXT.to_string(),
                    },
                ));
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// A plausible BCP 47 tag such as `en`, `zh-Hans` or `sw-KE`.
pub fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or("");
    (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_lowercase())
        && parts.all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_days_round_trip() {
        for days in [-1000, 0, 1, 59, 365, 10_957, 20_000, 24_000] {
            assert_eq!(Day::from_unix_days(days).unix_days(), days);
        }
        assert_eq!(Day::parse("2026-11-21").unwrap().unix_days(), 20_778);
    }

    fn dates(phase: Phase, start: &str, end: &str) -> PhaseDates {
        PhaseDates {
            phase,
            starts_on: Day::parse(start).unwrap(),
            ends_on: Day::parse(end).unwrap(),
        }
    }

    #[test]
    fn days_parse_only_real_dates() {
        assert_eq!(Day::parse("2026-02-28").unwrap().to_string(), "2026-02-28");
        assert!(Day::parse("2028-02-29").is_some());
        assert!(Day::parse("2026-02-29").is_none());
        assert!(Day::parse("2026-13-01").is_none());
        assert!(Day::parse("26-01-01").is_none());
        assert!(Day::parse("2026-1-01").is_none());
        assert!(Day::parse("２０２６-01-01").is_none());
    }

    #[test]
    fn unix_days_convert_to_the_civil_calendar() {
        assert_eq!(Day::from_unix_days(0).to_string(), "1970-01-01");
        assert_eq!(Day::from_unix_days(20_413).to_string(), "2025-11-21");
        assert_eq!(Day::from_unix_days(-1).to_string(), "1969-12-31");
        assert_eq!(Day::from_unix_days(11_016).to_string(), "2000-02-29");
    }

    #[test]
    fn schedules_must_be_ordered_and_not_overlap() {
        let good = [
            dates(Phase::Framing, "2026-01-01", "2026-01-31"),
            dates(Phase::Drafting, "2026-02-01", "2026-02-28"),
        ];
        assert!(check_schedule(&good).is_ok());
        let backwards = [dates(Phase::Framing, "2026-02-01", "2026-01-01")];
        assert_eq!(
            check_schedule(&backwards).unwrap_err().msg,
            Msg::ErrorPhaseEndsBeforeStart
        );
        let overlap = [
            dates(Phase::Framing, "2026-01-01", "2026-01-31"),
            dates(Phase::Drafting, "2026-01-31", "2026-02-28"),
        ];
        assert_eq!(
            check_schedule(&overlap).unwrap_err().msg,
            Msg::ErrorPhaseOverlap
        );
        let order = [
            dates(Phase::Drafting, "2026-01-01", "2026-01-31"),
            dates(Phase::Framing, "2026-02-01", "2026-02-28"),
        ];
        assert_eq!(
            check_schedule(&order).unwrap_err().msg,
            Msg::ErrorPhaseOrder
        );
    }

    #[test]
    fn texts_need_a_title_in_the_first_language() {
        let languages = vec!["zh-Hans".to_string(), "en".to_string()];
        let errors = check_texts(&languages, &Localized::one("en", "Charter"), &[]).unwrap_err();
        assert_eq!(errors[0].field, "title.zh-Hans");
        assert!(check_texts(&languages, &Localized::one("zh-Hans", "宪章"), &[]).is_ok());
        let long = Localized::one("en", &"x".repeat(MAX_LONG_TEXT + 1));
        assert!(
            check_texts(
                &languages,
                &Localized::one("zh-Hans", "宪章"),
                &[("rules", &long)]
            )
            .is_err()
        );
    }

    #[test]
    fn language_tags() {
        for good in ["en", "zh-Hans", "sw-KE", "yue"] {
            assert!(is_language_tag(good), "{good}");
        }
        for bad in ["", "e", "EN", "en_US", "zh-", "<b>"] {
            assert!(!is_language_tag(bad), "{bad}");
        }
    }
}
