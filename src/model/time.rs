//! Timestamps and dates as the case format carries them, parsed once on import.
//!
//! A [`Ts`] is an instant in epoch seconds; it is read from an RFC 3339 string *with* an
//! offset and serialises as a plain integer, so scripts compare numbers and never parse
//! strings. A [`Date`] is a calendar date (birth dates, offence dates) kept as the integer
//! `yyyymmdd`, which makes "age in full years" integer arithmetic. Reporting days, weeks
//! and months are Asia/Shanghai local time ([`shanghai`]).

use std::fmt;
use std::sync::OnceLock;

use jiff::civil;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The reporting time zone, loaded once from the bundled tz database.
pub fn shanghai() -> &'static TimeZone {
    static TZ: OnceLock<TimeZone> = OnceLock::new();
    TZ.get_or_init(|| TimeZone::get("Asia/Shanghai").unwrap_or_else(|_| TimeZone::fixed(jiff::tz::offset(8))))
}

thread_local! {
    static EXPORT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Serialises with timestamps and dates as the exchange format writes them (RFC 3339 with
/// +08:00, `YYYY-MM-DD`) instead of the integers the engine uses.
pub fn exporting<R>(f: impl FnOnce() -> R) -> R {
    EXPORT.with(|e| e.set(true));
    let r = f();
    EXPORT.with(|e| e.set(false));
    r
}

thread_local! {
    static LEAVE_OUT_ABSENT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Serialises with absent optional fields left out instead of written as null (`()` in rhai),
/// for the maps a check reads: a script reads an absent field as `()` all the same, and a map
/// without them is cheaper to build and to copy.
pub fn leaving_out_absent<R>(f: impl FnOnce() -> R) -> R {
    let before = LEAVE_OUT_ABSENT.with(|e| e.replace(true));
    let r = f();
    LEAVE_OUT_ABSENT.with(|e| e.set(before));
    r
}

/// `skip_serializing_if` of every optional field of the case model.
pub fn absent_left_out<T>(v: &Option<T>) -> bool {
    v.is_none() && LEAVE_OUT_ABSENT.with(std::cell::Cell::get)
}

thread_local! {
    static INTERNAL: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Deserialises from the engine's own representation (integers), e.g. a case a generator
/// script changed. The exchange format never accepts integers for timestamps.
pub fn from_internal<R>(f: impl FnOnce() -> R) -> R {
    INTERNAL.with(|e| e.set(true));
    let r = f();
    INTERNAL.with(|e| e.set(false));
    r
}

fn internal<E: de::Error>(v: i64, what: &str) -> Result<i64, E> {
    if INTERNAL.with(std::cell::Cell::get) {
        Ok(v)
    } else {
        Err(E::custom(format!("expected {what} as a string, found the number {v}")))
    }
}

fn is_exporting() -> bool {
    EXPORT.with(std::cell::Cell::get)
}

/// An instant, in seconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ts(pub i64);

impl Ts {
    /// Parses an RFC 3339 timestamp; the offset is required.
    pub fn parse(s: &str) -> Result<Ts, String> {
        s.parse::<Timestamp>().map(|t| Ts(t.as_second())).map_err(|_| {
            format!("expected an RFC 3339 timestamp with offset (e.g. `2026-03-02T14:05:00+08:00`), found `{s}`")
        })
    }

    /// The Asia/Shanghai calendar date of this instant.
    pub fn local_date(self) -> civil::Date {
        match Timestamp::from_second(self.0) {
            Ok(t) => t.to_zoned(shanghai().clone()).date(),
            Err(_) => civil::date(1970, 1, 1),
        }
    }

    /// The Asia/Shanghai date as `yyyymmdd`.
    pub fn local_ymd(self) -> i64 {
        Date::from_civil(self.local_date()).0
    }

    /// `2026-03-02 14:05` in Asia/Shanghai time, for messages and reports.
    pub fn local_text(self) -> String {
        match Timestamp::from_second(self.0) {
            Ok(t) => t.to_zoned(shanghai().clone()).strftime("%Y-%m-%d %H:%M").to_string(),
            Err(_) => self.0.to_string(),
        }
    }

    /// RFC 3339 with the +08:00 offset.
    pub fn rfc3339(self) -> String {
        match Timestamp::from_second(self.0) {
            Ok(t) => t.to_zoned(shanghai().clone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            Err(_) => self.0.to_string(),
        }
    }

    /// The first instant of a local date (00:00 Asia/Shanghai).
    pub fn start_of_local_day(d: civil::Date) -> Ts {
        match d.to_zoned(shanghai().clone()) {
            Ok(z) => Ts(z.timestamp().as_second()),
            Err(_) => Ts(0),
        }
    }
}

impl Serialize for Ts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if is_exporting() {
            s.serialize_str(&self.rfc3339())
        } else {
            s.serialize_i64(self.0)
        }
    }
}

impl<'de> Deserialize<'de> for Ts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Ts, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Ts;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an RFC 3339 timestamp with offset, e.g. `2026-03-02T14:05:00+08:00`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Ts, E> {
                Ts::parse(v).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Ts, E> {
                internal(v, "an RFC 3339 timestamp").map(Ts)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Ts, E> {
                internal(i64::try_from(v).map_err(E::custom)?, "an RFC 3339 timestamp").map(Ts)
            }
        }
        d.deserialize_any(V)
    }
}

/// A calendar date as the integer `yyyymmdd`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub i64);

impl Date {
    pub fn parse(s: &str) -> Result<Date, String> {
        s.parse::<civil::Date>().map(Date::from_civil).map_err(|_| format!("expected a date `YYYY-MM-DD`, found `{s}`"))
    }

    pub fn from_civil(d: civil::Date) -> Date {
        Date(i64::from(d.year()) * 10_000 + i64::from(d.month()) * 100 + i64::from(d.day()))
    }

    pub fn to_civil(self) -> Option<civil::Date> {
        let y = i16::try_from(self.0 / 10_000).ok()?;
        let m = i8::try_from(self.0 / 100 % 100).ok()?;
        let d = i8::try_from(self.0 % 100).ok()?;
        civil::Date::new(y, m, d).ok()
    }

    /// Age in full years on `on`. Per 最高人民法院法释〔2006〕1号 art. 2 a person is a year
    /// older from the day *after* the birthday, so on the birthday itself the age is not
    /// yet reached.
    pub fn age_on(self, on: Date) -> i64 {
        let mut years = on.0 / 10_000 - self.0 / 10_000;
        if on.0 % 10_000 <= self.0 % 10_000 {
            years -= 1;
        }
        years
    }

    /// The first day on which someone born on this date is `years` old (by [`Date::age_on`],
    /// the day after the birthday; after 28 February for a 29 February birthday in a common
    /// year). `None` when out of range.
    pub fn first_day_aged(self, years: i64) -> Option<civil::Date> {
        let y = i16::try_from(self.0 / 10_000 + years).ok()?;
        let m = i8::try_from(self.0 / 100 % 100).ok()?;
        let d = i8::try_from(self.0 % 100).ok()?;
        match civil::Date::new(y, m, d) {
            Ok(birthday) => birthday.tomorrow().ok(),
            Err(_) if m == 2 && d == 29 => civil::Date::new(y, 3, 1).ok(),
            Err(_) => None,
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.0 / 10_000, self.0 / 100 % 100, self.0 % 100)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if is_exporting() {
            s.serialize_str(&self.to_string())
        } else {
            s.serialize_i64(self.0)
        }
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Date;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a date `YYYY-MM-DD`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Date, E> {
                Date::parse(v).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Date, E> {
                internal(v, "a date YYYY-MM-DD").map(Date)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Date, E> {
                internal(i64::try_from(v).map_err(E::custom)?, "a date YYYY-MM-DD").map(Date)
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_day_aged_is_where_age_on_turns() {
        for (birth, years) in [(19_560_314, 70), (20_080_229, 18), (20_070_229, 18), (19_991_231, 16), (20_100_101, 14)]
        {
            let b = Date(birth);
            let Some(first) = b.first_day_aged(years) else { continue };
            let first = Date::from_civil(first);
            assert_eq!(b.age_on(first), years, "{birth} on {first}");
            let before = Date::from_civil(first.to_civil().and_then(|d| d.yesterday().ok()).expect("a day before"));
            assert_eq!(b.age_on(before), years - 1, "{birth} on {before}");
        }
        // born 29 February: 18 from 1 March of a common year
        assert_eq!(Date(20_080_229).first_day_aged(18).map(Date::from_civil), Some(Date(20_260_301)));
    }

    #[test]
    fn timestamp_needs_an_offset() {
        assert_eq!(Ts::parse("2026-03-02T14:05:00+08:00").map(|t| t.0), Ok(1_772_431_500));
        assert!(Ts::parse("2026-03-02T14:05:00").is_err());
        assert!(Ts::parse("2020/3/1 10:00").is_err());
    }

    #[test]
    fn local_date_follows_shanghai_midnight() {
        let late = Ts::parse("2026-03-01T23:30:00+08:00").unwrap_or(Ts(0));
        let early = Ts::parse("2026-03-02T00:10:00+08:00").unwrap_or(Ts(0));
        assert_eq!(late.local_ymd(), 20_260_301);
        assert_eq!(early.local_ymd(), 20_260_302);
        assert_eq!(Ts::parse("2026-03-01T16:10:00Z").map(Ts::local_ymd), Ok(20_260_302));
    }

    #[test]
    fn age_counts_from_the_day_after_the_birthday() {
        let born = Date(20_100_301);
        assert_eq!(born.age_on(Date(20_260_228)), 15);
        assert_eq!(born.age_on(Date(20_260_301)), 15);
        assert_eq!(born.age_on(Date(20_260_302)), 16);
    }
}

mod schema {
    use schemars::gen::SchemaGenerator;
    use schemars::schema::{InstanceType, Schema, SchemaObject};
    use schemars::JsonSchema;

    fn string_with_format(format: &str, pattern: Option<&str>) -> Schema {
        let mut s = SchemaObject {
            instance_type: Some(InstanceType::String.into()),
            format: Some(format.to_owned()),
            ..Default::default()
        };
        if let Some(p) = pattern {
            s.string().pattern = Some(p.to_owned());
        }
        Schema::Object(s)
    }

    impl JsonSchema for super::Ts {
        fn schema_name() -> String {
            "Timestamp".to_owned()
        }
        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            string_with_format("date-time", Some(r"(Z|[+-]\d{2}:\d{2})$"))
        }
    }

    impl JsonSchema for super::Date {
        fn schema_name() -> String {
            "Date".to_owned()
        }
        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            string_with_format("date", Some(r"^\d{4}-\d{2}-\d{2}$"))
        }
    }
}
