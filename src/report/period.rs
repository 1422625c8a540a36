//! Reporting periods: a local day, an ISO week (Monday first) or a month, in Asia/Shanghai
//! time, with their bounds as epoch seconds. All calendar arithmetic is jiff's; the SQL
//! calendar of migration 0002 is checked against this module by a test.

use std::fmt;

use jiff::civil::{Date, ISOWeekDate, Weekday};
use jiff::ToSpan;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::ReportError;
use crate::model::Ts;

/// The length of a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Day,
    Week,
    Month,
}

impl PeriodKind {
    /// The `kind` column of the `periods` and `rollup` views.
    pub fn as_str(self) -> &'static str {
        match self {
            PeriodKind::Day => "day",
            PeriodKind::Week => "week",
            PeriodKind::Month => "month",
        }
    }
}

/// One period: `[start, end)` in epoch seconds, `first..=last` as local dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub kind: PeriodKind,
    /// `2026-03-01`, `2026-W09` or `2026-03`, as in the `periods` view
    pub key: String,
    pub first: Date,
    pub last: Date,
    pub start: i64,
    pub end: i64,
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key)
    }
}

fn calendar_error(e: jiff::Error) -> ReportError {
    ReportError::Date { input: String::new(), message: e.to_string() }
}

impl Period {
    /// The period of `kind` that contains the local date `d`.
    pub fn containing(kind: PeriodKind, d: Date) -> Result<Period, ReportError> {
        let (key, first, last) = match kind {
            PeriodKind::Day => (d.strftime("%Y-%m-%d").to_string(), d, d),
            PeriodKind::Week => {
                let iso = d.iso_week_date();
                let monday = ISOWeekDate::new(iso.year(), iso.week(), Weekday::Monday).map_err(calendar_error)?.date();
                let sunday = monday.checked_add(6.days()).map_err(calendar_error)?;
                (format!("{:04}-W{:02}", iso.year(), iso.week()), monday, sunday)
            }
            PeriodKind::Month => (d.strftime("%Y-%m").to_string(), d.first_of_month(), d.last_of_month()),
        };
        let after = last.tomorrow().map_err(calendar_error)?;
        Ok(Period {
            kind,
            key,
            first,
            last,
            start: Ts::start_of_local_day(first).0,
            end: Ts::start_of_local_day(after).0,
        })
    }

    /// Reads `--date`: `YYYY-MM-DD` (the period containing that day), `YYYY-Www` (a week),
    /// `YYYY-MM` (a month), `today`, `yesterday` or `last` (the period before the current one).
    pub fn parse(kind: PeriodKind, text: &str, today: Date) -> Result<Period, ReportError> {
        let bad = |message: &str| ReportError::Date { input: text.to_owned(), message: message.to_owned() };
        let t = text.trim();
        match t {
            "today" => return Period::containing(kind, today),
            "yesterday" => return Period::containing(kind, today.yesterday().map_err(calendar_error)?),
            "last" => return Period::containing(kind, today)?.previous(),
            _ => {}
        }
        if let Ok(d) = t.parse::<Date>() {
            return Period::containing(kind, d);
        }
        if let Some((y, w)) = t.split_once(['W', 'w']) {
            let y = y.trim_end_matches('-');
            let (Ok(y), Ok(w)) = (y.parse::<i16>(), w.parse::<i8>()) else {
                return Err(bad("expected an ISO week like `2026-W09`"));
            };
            let monday = ISOWeekDate::new(y, w, Weekday::Monday).map_err(|e| bad(&e.to_string()))?.date();
            return if kind == PeriodKind::Day {
                Err(bad("a daily report needs a day, e.g. `2026-03-01`"))
            } else {
                Period::containing(kind, monday)
            };
        }
        let parts: Vec<&str> = t.split('-').collect();
        if let [y, m] = parts.as_slice() {
            if let (Ok(y), Ok(m)) = (y.parse::<i16>(), m.parse::<i8>()) {
                let first = Date::new(y, m, 1).map_err(|e| bad(&e.to_string()))?;
                return if kind == PeriodKind::Month {
                    Period::containing(kind, first)
                } else {
                    Err(bad("only a monthly report takes a month; give a day, e.g. `2026-03-01`"))
                };
            }
        }
        Err(bad("expected `YYYY-MM-DD`, `YYYY-Www`, `YYYY-MM`, `today`, `yesterday` or `last`"))
    }

    /// The period just before this one.
    pub fn previous(&self) -> Result<Period, ReportError> {
        Period::containing(self.kind, self.first.yesterday().map_err(calendar_error)?)
    }

    /// Every local date of the period, in order.
    pub fn days(&self) -> Vec<Date> {
        let mut out = Vec::new();
        let mut d = self.first;
        while d <= self.last {
            out.push(d);
            match d.tomorrow() {
                Ok(n) => d = n,
                Err(_) => break,
            }
        }
        out
    }

    /// Whether the period has ended at instant `now`.
    pub fn closed_at(&self, now: i64) -> bool {
        now >= self.end
    }
}

/// The local (Asia/Shanghai) date of an instant.
pub fn local_date(at: i64) -> Date {
    Ts(at).local_date()
}

/// `2026-03-01`.
pub fn ymd(d: Date) -> String {
    d.strftime("%Y-%m-%d").to_string()
}

/// The date `n` days after `d` (or `d` itself if that leaves jiff's range).
pub fn add_days(d: Date, n: i64) -> Date {
    d.checked_add(n.days()).unwrap_or(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> Date {
        s.parse().unwrap_or_default()
    }

    fn ts(s: &str) -> i64 {
        Ts::parse(s).map(|t| t.0).unwrap_or(i64::MIN)
    }

    #[test]
    fn iso_week_53_spans_the_new_year() {
        let a = Period::containing(PeriodKind::Week, date("2020-12-31")).ok();
        let b = Period::containing(PeriodKind::Week, date("2021-01-03")).ok();
        let c = Period::containing(PeriodKind::Week, date("2021-01-04")).ok();
        assert_eq!(a.as_ref().map(|p| p.key.as_str()), Some("2020-W53"));
        assert_eq!(a, b);
        assert_eq!(c.as_ref().map(|p| p.key.as_str()), Some("2021-W01"));
        let a = a.unwrap_or_else(|| panic!("no week"));
        assert_eq!((ymd(a.first), ymd(a.last)), ("2020-12-28".to_owned(), "2021-01-03".to_owned()));
        assert_eq!(a.start, ts("2020-12-28T00:00:00+08:00"));
        assert_eq!(a.end, ts("2021-01-04T00:00:00+08:00"));
    }

    #[test]
    fn a_week_of_2026_starts_on_monday() {
        let w = Period::containing(PeriodKind::Week, date("2026-03-01")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(w.key, "2026-W09");
        assert_eq!(ymd(w.first), "2026-02-23");
        assert_eq!(w.days().len(), 7);
        assert_eq!(
            Period::containing(PeriodKind::Week, date("2026-03-02")).map(|p| p.key).ok(),
            Some("2026-W10".to_owned())
        );
    }

    #[test]
    fn days_and_months_follow_shanghai_midnight() {
        let d = Period::containing(PeriodKind::Day, date("2026-03-01")).unwrap_or_else(|e| panic!("{e}"));
        assert!(d.start <= ts("2026-03-01T23:30:00+08:00") && ts("2026-03-01T23:30:00+08:00") < d.end);
        assert_eq!(d.end, ts("2026-03-02T00:00:00+08:00"));
        assert!(ts("2026-03-02T00:10:00+08:00") >= d.end);
        let m = Period::containing(PeriodKind::Month, date("2024-02-10")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((m.key.as_str(), m.days().len()), ("2024-02", 29));
        assert_eq!(m.start, ts("2024-02-01T00:00:00+08:00"));
        assert_eq!(m.previous().map(|p| p.key).ok(), Some("2024-01".to_owned()));
        let y = Period::containing(PeriodKind::Month, date("2026-01-15")).and_then(|p| p.previous());
        assert_eq!(y.map(|p| p.key).ok(), Some("2025-12".to_owned()));
    }

    #[test]
    fn date_option_forms() {
        let today = date("2026-03-04");
        let key = |k, s| Period::parse(k, s, today).map(|p| p.key);
        assert_eq!(key(PeriodKind::Day, "today").ok(), Some("2026-03-04".to_owned()));
        assert_eq!(key(PeriodKind::Day, "yesterday").ok(), Some("2026-03-03".to_owned()));
        assert_eq!(key(PeriodKind::Week, "last").ok(), Some("2026-W09".to_owned()));
        assert_eq!(key(PeriodKind::Month, "last").ok(), Some("2026-02".to_owned()));
        assert_eq!(key(PeriodKind::Month, "2026-03").ok(), Some("2026-03".to_owned()));
        assert_eq!(key(PeriodKind::Week, "2020-W53").ok(), Some("2020-W53".to_owned()));
        assert_eq!(key(PeriodKind::Week, "2021-01-03").ok(), Some("2020-W53".to_owned()));
        assert!(key(PeriodKind::Week, "2021-W54").is_err());
        assert!(key(PeriodKind::Day, "2026-03").is_err());
        assert!(key(PeriodKind::Day, "2026/03/01").is_err());
    }
}
