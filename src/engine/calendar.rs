//! Rest days and working days, from the State Council's yearly holiday schedule
//! (`rules/calendar.toml`), for the two ways the law counts days around holidays:
//!
//! - a period in days or months whose last day is a rest day ends on the first working day
//!   after it (刑事诉讼法 第一百零五条第四款; 行政案件程序规定 第三十五条), except periods that
//!   deprive a person of liberty: [`Calendar::roll_over`];
//! - a period in working days counts only working days (行政处罚法 第八十五条; 行政强制法
//!   第六十九条): [`Calendar::deadline_workdays`].
//!
//! A year the file does not list is judged by a lenient presumption: weekends are rest days,
//! and so are up to `max_skipped_weekdays` weekdays in a row inside the windows where a
//! holiday may fall. A deadline so computed is never earlier than the true one, so a missing
//! year can only hide a finding, never make a false one. The years that needed it are
//! remembered and reported at the end of an audit ([`Calendar::presumed_years`]).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::Mutex;

use jiff::civil::{self, Weekday};
use serde::Deserialize;

use super::source::RuleFiles;
use super::RuleLoadError;
use crate::model::Ts;

/// The file name below the rules directory.
pub const FILE: &str = "calendar.toml";

/// Days a deadline may move at most (a year of rest days would be a broken file).
const MAX_DAYS: i64 = 3660;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    fallback: Fallback,
    #[serde(default)]
    year: Vec<YearEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Fallback {
    windows: Vec<String>,
    max_skipped_weekdays: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct YearEntry {
    year: i16,
    notice: String,
    rest: Vec<String>,
    #[serde(default)]
    work: Vec<String>,
}

/// What the calendar knows of one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Day {
    Work,
    Rest,
    /// a weekday of a year with no schedule, inside a window where a holiday may fall
    MaybeRest,
}

/// The holiday schedule, loaded from `rules/calendar.toml`.
#[derive(Debug)]
pub struct Calendar {
    /// years with a schedule, and the notice each was copied from
    years: BTreeMap<i16, String>,
    /// the days that differ from "weekends rest": holidays (true) and weekend workdays (false)
    days: HashMap<civil::Date, bool>,
    /// fallback windows as (month, day) pairs, inclusive; a window may wrap the new year
    windows: Vec<((i8, i8), (i8, i8))>,
    max_skipped_weekdays: u32,
    /// years judged by the presumption since this calendar was loaded
    presumed: Mutex<BTreeSet<i16>>,
    /// blake3 of the file: part of the effective version of the checks that read the
    /// calendar, so an edit re-runs those checks alone
    pub hash: String,
}

fn parse_day(s: &str) -> Result<civil::Date, String> {
    s.trim().parse::<civil::Date>().map_err(|_| format!("`{s}` is not a date `YYYY-MM-DD`"))
}

fn parse_month_day(s: &str) -> Result<(i8, i8), String> {
    let bad = || format!("`{s}` is not a month and day `MM-DD`");
    let (m, d) = s.trim().split_once('-').ok_or_else(bad)?;
    let (m, d) = (m.parse::<i8>().map_err(|_| bad())?, d.parse::<i8>().map_err(|_| bad())?);
    // 2024 is a leap year, so 02-29 is accepted
    civil::Date::new(2024, m, d).map_err(|_| bad())?;
    Ok((m, d))
}

fn is_weekend(d: civil::Date) -> bool {
    matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// The last instant (23:59:59 Asia/Shanghai) of a local date.
fn end_of(d: civil::Date) -> i64 {
    match d.tomorrow() {
        Ok(next) => Ts::start_of_local_day(next).0 - 1,
        Err(_) => i64::MAX,
    }
}

impl Calendar {
    /// Reads and checks `calendar.toml` in the rules directory.
    pub fn load(dir: &Path) -> Result<Calendar, RuleLoadError> {
        let path = dir.join(FILE);
        let text = std::fs::read_to_string(&path).map_err(|cause| RuleLoadError::Read { path: path.clone(), cause })?;
        Calendar::parse(&text).map_err(|message| RuleLoadError::Invalid { path, message })
    }

    /// The calendar of a rule set (built in or a directory).
    pub fn from_files(files: &RuleFiles) -> Result<Calendar, RuleLoadError> {
        Calendar::parse(files.read(FILE)?).map_err(|message| RuleLoadError::Invalid { path: files.path(FILE), message })
    }

    /// Parses the file's text; the error names the entry and the value at fault.
    pub fn parse(text: &str) -> Result<Calendar, String> {
        let file: File = toml::from_str(text).map_err(|e| e.to_string().trim_end().to_owned())?;
        let windows = file
            .fallback
            .windows
            .iter()
            .map(|w| {
                let (a, b) =
                    w.split_once("..").ok_or_else(|| format!("fallback window `{w}` is not `MM-DD..MM-DD`"))?;
                Ok((parse_month_day(a)?, parse_month_day(b)?))
            })
            .collect::<Result<Vec<_>, String>>()
            .map_err(|e| format!("[fallback] windows: {e}"))?;
        let mut years = BTreeMap::new();
        let mut days = HashMap::new();
        for y in &file.year {
            let at = |e: String| format!("[[year]] {}: {e}", y.year);
            if years.insert(y.year, y.notice.clone()).is_some() {
                return Err(at("the year is listed twice".into()));
            }
            for r in &y.rest {
                let (a, b) = match r.split_once("..") {
                    Some((a, b)) => (parse_day(a).map_err(at)?, parse_day(b).map_err(at)?),
                    None => {
                        let d = parse_day(r).map_err(at)?;
                        (d, d)
                    }
                };
                if b < a || (b - a).get_days() > 31 {
                    return Err(at(format!("rest `{r}`: the range must run forwards and span at most a month")));
                }
                let mut d = a;
                while d <= b {
                    days.insert(d, true);
                    d = d.tomorrow().map_err(|e| at(e.to_string()))?;
                }
            }
            for w in &y.work {
                let d = parse_day(w).map_err(at)?;
                if !is_weekend(d) {
                    return Err(at(format!(
                        "work `{w}` is a {:?}: only a Saturday or Sunday can be made a working day",
                        d.weekday()
                    )));
                }
                if days.insert(d, false) == Some(true) {
                    return Err(at(format!("`{w}` is listed both as a rest day and as a working day")));
                }
            }
        }
        Ok(Calendar {
            years,
            days,
            windows,
            max_skipped_weekdays: file.fallback.max_skipped_weekdays,
            presumed: Mutex::new(BTreeSet::new()),
            hash: blake3::hash(text.as_bytes()).to_hex()[..16].to_owned(),
        })
    }

    /// The years with a schedule, each with the notice it was copied from.
    pub fn years(&self) -> &BTreeMap<i16, String> {
        &self.years
    }

    fn in_window(&self, d: civil::Date) -> bool {
        let md = (d.month(), d.day());
        self.windows.iter().any(|&(a, b)| if a <= b { a <= md && md <= b } else { md >= a || md <= b })
    }

    /// Whether `d` is a working day, a rest day, or (in a year with no schedule) maybe a
    /// holiday.
    pub fn day(&self, d: civil::Date) -> Day {
        if let Some(&rest) = self.days.get(&d) {
            return if rest { Day::Rest } else { Day::Work };
        }
        let weekend = is_weekend(d);
        if !self.years.contains_key(&d.year()) {
            if let Ok(mut p) = self.presumed.lock() {
                p.insert(d.year());
            }
            if !weekend && self.in_window(d) {
                return Day::MaybeRest;
            }
        }
        if weekend {
            Day::Rest
        } else {
            Day::Work
        }
    }

    /// The deadline moved over rest days: when the day of `deadline` is a rest day,
    /// 23:59:59 of the first working day after it; otherwise `deadline` unchanged.
    pub fn roll_over(&self, deadline: i64) -> i64 {
        let first = Ts(deadline).local_date();
        let mut d = first;
        let mut budget = self.max_skipped_weekdays;
        for _ in 0..MAX_DAYS {
            match self.day(d) {
                Day::Work => break,
                Day::MaybeRest if budget == 0 => break,
                Day::MaybeRest => budget -= 1,
                Day::Rest => {}
            }
            match d.tomorrow() {
                Ok(next) => d = next,
                Err(_) => return i64::MAX,
            }
        }
        if d == first {
            deadline
        } else {
            end_of(d)
        }
    }

    /// 23:59:59 of the `n`-th working day after the day of `start` (the start day does not
    /// count). Under the presumption, a weekday in a holiday window counts only once
    /// `max_skipped_weekdays` of them in a row have been passed over.
    pub fn deadline_workdays(&self, start: i64, n: i64) -> Result<i64, String> {
        if !(0..=MAX_DAYS / 2).contains(&n) {
            return Err(format!("deadline_workdays: {n} working days is out of range (0 to {})", MAX_DAYS / 2));
        }
        let mut d = Ts(start).local_date();
        let mut counted = 0;
        let mut budget = self.max_skipped_weekdays;
        while counted < n {
            d = d.tomorrow().map_err(|e| format!("deadline_workdays: {e}"))?;
            match self.day(d) {
                Day::Work => {
                    counted += 1;
                    budget = self.max_skipped_weekdays;
                }
                Day::MaybeRest if budget == 0 => counted += 1,
                Day::MaybeRest => budget -= 1,
                Day::Rest => {}
            }
        }
        Ok(end_of(d))
    }

    /// The years judged by the presumption since the calendar was loaded, earliest first.
    pub fn presumed_years(&self) -> Vec<i16> {
        self.presumed.lock().map(|p| p.iter().copied().collect()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cal() -> Calendar {
        Calendar::parse(include_str!("../../rules/calendar.toml")).expect("the bundled calendar parses")
    }

    fn at(s: &str) -> i64 {
        Ts::parse(s).unwrap().0
    }

    fn day_end(s: &str) -> i64 {
        end_of(s.parse().unwrap())
    }

    #[test]
    fn bundled_schedule_rest_and_work_days() {
        let c = cal();
        let d = |s: &str| c.day(s.parse().unwrap());
        // 2026 春节: 2-15 (Sun) to 2-23 (Mon) off, 2-14 (Sat) and 2-28 (Sat) worked
        assert_eq!(d("2026-02-14"), Day::Work);
        assert_eq!(d("2026-02-15"), Day::Rest);
        assert_eq!(d("2026-02-23"), Day::Rest);
        assert_eq!(d("2026-02-24"), Day::Work);
        assert_eq!(d("2026-02-28"), Day::Work);
        assert_eq!(d("2026-03-01"), Day::Rest);
        // an ordinary Wednesday in a holiday window of a listed year is simply a working day
        assert_eq!(d("2026-02-04"), Day::Work);
        // 2025 国庆中秋: 10-01 to 10-08, 10-11 (Sat) worked
        assert_eq!(d("2025-10-08"), Day::Rest);
        assert_eq!(d("2025-10-09"), Day::Work);
        assert_eq!(d("2025-10-11"), Day::Work);
        assert!(c.presumed_years().is_empty());
    }

    #[test]
    fn roll_over_moves_a_rest_day_to_the_next_working_day_only() {
        let c = cal();
        // last day on the first day of the 2026 Spring Festival: the 24th, a Tuesday
        assert_eq!(c.roll_over(day_end("2026-02-15")), day_end("2026-02-24"));
        // the working Saturday before it does not move
        assert_eq!(c.roll_over(day_end("2026-02-14")), day_end("2026-02-14"));
        // an ordinary Saturday moves to Monday
        assert_eq!(c.roll_over(day_end("2026-03-07")), day_end("2026-03-09"));
        // a weekday stays, whatever its time of day
        let t = at("2026-03-04T10:00:00+08:00");
        assert_eq!(c.roll_over(t), t);
        // 2025-10-08 (last day of the National Day break) to Thursday 10-09
        assert_eq!(c.roll_over(day_end("2025-10-05")), day_end("2025-10-09"));
    }

    #[test]
    fn working_days_skip_weekends_and_holidays_but_count_makeup_saturdays() {
        let c = cal();
        // decided Friday 2026-02-13: working days 14 (Sat, worked), 24, 25, 26, 27, 28 (Sat, worked), 3-02
        assert_eq!(c.deadline_workdays(at("2026-02-13T09:00:00+08:00"), 7), Ok(day_end("2026-03-02")));
        // two working days from a Thursday: Friday and Monday
        assert_eq!(c.deadline_workdays(at("2026-03-05T18:00:00+08:00"), 2), Ok(day_end("2026-03-09")));
        assert_eq!(c.deadline_workdays(at("2026-03-05T18:00:00+08:00"), 0), Ok(day_end("2026-03-05")));
        assert!(c.deadline_workdays(0, -1).is_err());
    }

    #[test]
    fn a_year_without_a_schedule_is_presumed_leniently_and_remembered() {
        let c = cal();
        // 2027: no schedule. 2027-02-08 is a Monday in the Spring Festival window: presumed rest
        assert_eq!(c.day("2027-02-08".parse().unwrap()), Day::MaybeRest);
        assert_eq!(c.day("2027-03-08".parse().unwrap()), Day::Work);
        // a run of window weekdays is skipped up to the budget (8), weekends freely:
        // from Mon 02-08 the 8 weekdays 02-08..02-17 are skipped, then Thursday 02-18 stands
        assert_eq!(c.roll_over(day_end("2027-02-08")), day_end("2027-02-18"));
        assert_eq!(c.presumed_years(), vec![2027]);
    }

    /// The presumption must never give an earlier deadline than a real schedule: judge every
    /// day of the listed years both ways.
    #[test]
    fn the_presumption_is_never_stricter_than_the_real_schedules() {
        let text = include_str!("../../rules/calendar.toml");
        let real = cal();
        let presumed = Calendar::parse(&text[..text.find("\n[[year]]\n").unwrap()]).unwrap();
        let (first, last) = (*real.years().keys().next().unwrap(), *real.years().keys().last().unwrap());
        let mut d = civil::date(first, 1, 1);
        while d.year() <= last {
            let t = end_of(d);
            assert!(presumed.roll_over(t) >= real.roll_over(t), "roll_over from {d}");
            for n in 1..=10 {
                assert!(
                    presumed.deadline_workdays(t, n).unwrap() >= real.deadline_workdays(t, n).unwrap(),
                    "{n} working days from {d}"
                );
            }
            d = d.tomorrow().unwrap();
        }
    }

    #[test]
    fn bad_files_are_refused_with_the_entry_named() {
        let base = "[fallback]\nwindows = [\"12-30..01-03\"]\nmax_skipped_weekdays = 8\n";
        let bad = |year: &str| Calendar::parse(&format!("{base}{year}")).unwrap_err();
        let e = bad("[[year]]\nyear = 2026\nnotice = \"n\"\nrest = [\"2026-13-01\"]\n");
        assert!(e.contains("[[year]] 2026") && e.contains("2026-13-01"), "{e}");
        let e = bad("[[year]]\nyear = 2026\nnotice = \"n\"\nrest = []\nwork = [\"2026-01-05\"]\n");
        assert!(e.contains("2026-01-05") && e.contains("Monday"), "{e}");
        let e = bad("[[year]]\nyear = 2026\nnotice = \"n\"\nrest = [\"2026-02-23..2026-02-15\"]\n");
        assert!(e.contains("forwards"), "{e}");
        let e = bad("[[year]]\nyear = 2026\nnotice = \"n\"\nrest = [\"2026-02-14\"]\nwork = [\"2026-02-14\"]\n");
        assert!(e.contains("both"), "{e}");
        let e = Calendar::parse("[fallback]\nwindows = [\"13-01..01-03\"]\nmax_skipped_weekdays = 8\n").unwrap_err();
        assert!(e.contains("13-01"), "{e}");
    }
}
