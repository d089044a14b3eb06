//! Calendar dates for the rule lists (`YYYY-MM-DD`) and the bounds the lists can state.

use std::fmt;

/// A calendar date, ordered; written `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year.
    pub year: u16,
    /// Month 1–12.
    pub month: u8,
    /// Day 1–31 (checked against the month).
    pub day: u8,
}

/// The 2020 census date (2020-10-01), the default `--as-of`.
pub const CENSUS_DATE: Date = Date {
    year: 2020,
    month: 10,
    day: 1,
};

impl Date {
    /// Parses `YYYY-MM-DD`; `None` for anything else or an impossible day.
    pub fn parse(text: &str) -> Option<Date> {
        let b = text.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |s: &str| -> Option<u32> {
            s.bytes()
                .all(|c| c.is_ascii_digit())
                .then(|| s.parse().ok())
                .flatten()
        };
        let (y, m, d) = (num(&text[..4])?, num(&text[5..7])?, num(&text[8..])?);
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let days = match m {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (y >= 1 && (1..=days).contains(&d)).then_some(Date {
            year: y as u16,
            month: m as u8,
            day: d as u8,
        })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// When a designation took effect, as far as the list knows: an exact date, or only a date
/// by which it was in force (`<=YYYY-MM-DD`: the list's source counts the city on that date
/// but the exact effective date was not transcribed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Since {
    /// Took effect on this date.
    On(Date),
    /// In force on this date at the latest.
    NoLaterThan(Date),
}

impl Since {
    /// Parses `YYYY-MM-DD` or `<=YYYY-MM-DD`.
    pub fn parse(text: &str) -> Option<Since> {
        match text.strip_prefix("<=") {
            Some(rest) => Date::parse(rest.trim()).map(Since::NoLaterThan),
            None => Date::parse(text).map(Since::On),
        }
    }

    /// Whether the designation was in force on `date`: `Some(true/false)`, or `None` when the
    /// list cannot tell (`date` before a `<=` bound).
    pub fn in_force_on(self, date: Date) -> Option<bool> {
        match self {
            Since::On(d) => Some(d <= date),
            Since::NoLaterThan(d) if d <= date => Some(true),
            Since::NoLaterThan(_) => None,
        }
    }
}

impl fmt::Display for Since {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Since::On(d) => write!(f, "{d}"),
            Since::NoLaterThan(d) => write!(f, "<={d}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_and_order() {
        let d = Date::parse("2021-04-01").unwrap();
        assert_eq!(d.to_string(), "2021-04-01");
        assert!(CENSUS_DATE < d);
        assert!(Date::parse("2021-02-29").is_none());
        assert!(Date::parse("2020-02-29").is_some());
        assert!(Date::parse("2021-4-01").is_none());
        assert!(Date::parse("2021-13-01").is_none());
        assert!(Date::parse("２０２１-04-01").is_none());
    }

    #[test]
    fn bounds_say_when_they_cannot_tell() {
        let s = Since::parse("<=2014-04-01").unwrap();
        assert_eq!(s.in_force_on(CENSUS_DATE), Some(true));
        assert_eq!(s.in_force_on(Date::parse("2014-03-31").unwrap()), None);
        let s = Since::parse("2021-04-01").unwrap();
        assert_eq!(s.in_force_on(CENSUS_DATE), Some(false));
        assert_eq!(
            s.in_force_on(Date::parse("2021-04-01").unwrap()),
            Some(true)
        );
    }
}
