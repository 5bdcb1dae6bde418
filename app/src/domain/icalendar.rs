//! iCalendar text (RFC 5545) for a process's sittings and phase dates, so that people can put
//! them in the calendar program they already use. Pure: the server chooses the events and their
//! words; this writes them as the standard wants (escaped text, lines folded at 75 octets, CRLF).

use crate::domain::process::Day;

const DAY_MS: i64 = 86_400_000;

/// When an event starts or ends: an instant (written in UTC) or a whole day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    /// Milliseconds since the Unix epoch.
    At(i64),
    /// A date without a time (an all-day event).
    Day(Day),
}

/// One event of a calendar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// Unique for all time and all sites (`sitting-3@example.org`), so that a calendar updates
    /// the event it already has instead of adding a second one.
    pub uid: String,
    pub start: When,
    /// The end; `None` for an instant with no planned length. For a day, the last day it covers
    /// (written as the day after, which RFC 5545 excludes).
    pub end: Option<When>,
    pub summary: String,
    pub location: String,
    pub description: String,
    /// The event's page, absolute.
    pub url: String,
    /// The language of the summary and location (a BCP 47 tag).
    pub language: String,
}

/// A whole calendar: its name, when it was made (milliseconds) and its events.
pub fn calendar(name: &str, made_at: i64, events: &[Event]) -> String {
    let mut out = String::new();
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Baraza//Baraza//EN",
        "CALSCALE:GREGORIAN",
    ] {
        push(&mut out, line);
    }
    push(&mut out, &format!("X-WR-CALNAME:{}", text(name)));
    let stamp = instant(made_at);
    for event in events {
        push(&mut out, "BEGIN:VEVENT");
        push(&mut out, &format!("UID:{}", text(&event.uid)));
        push(&mut out, &format!("DTSTAMP:{stamp}"));
        push(&mut out, &format!("DTSTART{}", value(event.start, false)));
        if let Some(end) = event.end {
            push(&mut out, &format!("DTEND{}", value(end, true)));
        }
        let language = text(&event.language);
        push(
            &mut out,
            &format!("SUMMARY;LANGUAGE={language}:{}", text(&event.summary)),
        );
        if !event.location.trim().is_empty() {
            push(
                &mut out,
                &format!("LOCATION;LANGUAGE={language}:{}", text(&event.location)),
            );
        }
        if !event.description.is_empty() {
            // No LANGUAGE: a description may mix the reader's language with the content's.
            push(
                &mut out,
                &format!("DESCRIPTION:{}", text(&event.description)),
            );
        }
        // A URI is not TEXT: it is written as it is, without line breaks.
        push(
            &mut out,
            &format!("URL:{}", event.url.replace(['\r', '\n'], "")),
        );
        push(&mut out, "STATUS:CONFIRMED");
        push(&mut out, "END:VEVENT");
    }
    push(&mut out, "END:VCALENDAR");
    out
}

/// `:20261210T140000Z` for an instant, `;VALUE=DATE:20261210` for a day (the day after when it
/// ends one, as RFC 5545's end is exclusive).
fn value(when: When, is_end: bool) -> String {
    match when {
        When::At(ms) => format!(":{}", instant(ms)),
        When::Day(day) => {
            let day = if is_end {
                Day::from_unix_days(day.unix_days() + 1)
            } else {
                day
            };
            format!(";VALUE=DATE:{}", compact(day))
        }
    }
}

/// `20261210` (the date's ISO form without its dashes).
fn compact(day: Day) -> String {
    day.to_string().replace('-', "")
}

/// An instant in UTC, to the second: `20261210T140000Z`.
fn instant(ms: i64) -> String {
    let day = Day::from_unix_days(ms.div_euclid(DAY_MS));
    let seconds = ms.rem_euclid(DAY_MS) / 1000;
    format!(
        "{}T{:02}{:02}{:02}Z",
        compact(day),
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

/// A TEXT value: backslashes, semicolons, commas and line breaks escaped; other control
/// characters dropped (they are not allowed in a content line).
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => out.push_str("\\n"),
            c if c.is_control() && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends a content line, folded so that no line is longer than 75 octets (a continuation
/// starts with a space) and never inside a character, ending with CRLF.
fn push(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Day {
        Day::parse(text).unwrap()
    }

    fn event() -> Event {
        Event {
            uid: "sitting-1@example.org".into(),
            start: When::At(1_796_392_800_000),
            end: None,
            summary: "Hearing; budget, part 1".into(),
            location: "Town hall\nRoom 2".into(),
            description: String::new(),
            url: "https://example.org/processes/1/sittings/1".into(),
            language: "en".into(),
        }
    }

    #[test]
    fn instants_are_written_in_utc_to_the_second() {
        assert_eq!(instant(0), "19700101T000000Z");
        assert_eq!(instant(1_796_392_800_000), "20261204T140000Z");
        assert_eq!(instant(1_796_392_861_999), "20261204T140101Z");
    }

    #[test]
    fn text_is_escaped_and_lines_end_in_crlf() {
        let ics = calendar("Kalden, sittings", 0, &[event()]);
        assert!(ics.contains("X-WR-CALNAME:Kalden\\, sittings\r\n"));
        assert!(ics.contains("SUMMARY;LANGUAGE=en:Hearing\\; budget\\, part 1\r\n"));
        assert!(ics.contains("LOCATION;LANGUAGE=en:Town hall\\nRoom 2\r\n"));
        assert!(ics.contains("DTSTART:20261204T140000Z\r\n"));
        assert!(!ics.contains("DTEND"), "no invented length");
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert!(
            !ics.replace("\r\n", "").contains('\n'),
            "every line ends in CRLF"
        );
    }

    #[test]
    fn a_whole_day_ends_the_day_after() {
        let mut e = event();
        e.start = When::Day(day("2027-01-01"));
        e.end = Some(When::Day(day("2027-01-31")));
        let ics = calendar("C", 0, &[e]);
        assert!(ics.contains("DTSTART;VALUE=DATE:20270101\r\n"));
        assert!(ics.contains("DTEND;VALUE=DATE:20270201\r\n"));
    }

    #[test]
    fn long_lines_fold_at_75_octets_between_characters() {
        let mut e = event();
        e.description = "讨论".repeat(60);
        let ics = calendar("C", 0, &[e]);
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "{line:?} is {} octets", line.len());
        }
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains(&format!("DESCRIPTION:{}", "讨论".repeat(60))));
    }

    #[test]
    fn control_characters_do_not_break_a_line() {
        assert_eq!(text("a\r\nb\u{7}c\rd"), "a\\nbc\\nd");
    }
}
