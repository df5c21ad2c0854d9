//! Date search values: a prefix and the implicit range of a (possibly partial) date.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};

use crate::Prefix;

/// `[start, end)` of a search date. Without an offset the value is the clinic's local time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateValue {
    pub prefix: Prefix,
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    pub offset: Option<FixedOffset>,
}

impl DateValue {
    pub fn parse(raw: &str) -> Option<DateValue> {
        let (prefix, value) = Prefix::split(raw);
        let (start, end, offset) = range(value)?;
        Some(DateValue { prefix, start, end, offset })
    }
}

/// The range `ap` searches around `[start, end)`: widened on each side by a tenth of that side's
/// distance from `now`, as HAPI FHIR does (the specification leaves the width to the server), so
/// "about 2020" is looser than "about yesterday". All three are in the same time zone.
pub fn approximate_range(
    start: NaiveDateTime,
    end: NaiveDateTime,
    now: NaiveDateTime,
) -> (NaiveDateTime, NaiveDateTime) {
    let tenth = |t: NaiveDateTime| (now - t).abs() / 10;
    (start - tenth(start), end + tenth(end))
}

fn range(value: &str) -> Option<(NaiveDateTime, NaiveDateTime, Option<FixedOffset>)> {
    let midnight = NaiveTime::MIN;
    match value.len() {
        4 => {
            let year: i32 = value.parse().ok()?;
            let start = NaiveDate::from_ymd_opt(year, 1, 1)?;
            Some((
                start.and_time(midnight),
                NaiveDate::from_ymd_opt(year + 1, 1, 1)?.and_time(midnight),
                None,
            ))
        }
        7 => {
            let start = NaiveDate::parse_from_str(&format!("{value}-01"), "%Y-%m-%d").ok()?;
            let next = if start.month() == 12 {
                NaiveDate::from_ymd_opt(start.year() + 1, 1, 1)?
            } else {
                NaiveDate::from_ymd_opt(start.year(), start.month() + 1, 1)?
            };
            Some((start.and_time(midnight), next.and_time(midnight), None))
        }
        10 => {
            let day = NaiveDate::parse_from_str(value, "%Y-%m-%d").ok()?;
            Some((day.and_time(midnight), day.succ_opt()?.and_time(midnight), None))
        }
        _ => {
            let parsed = DateTime::parse_from_rfc3339(value).ok()?;
            let start = parsed.naive_local();
            let precision =
                if value.contains('.') { Duration::milliseconds(1) } else { Duration::seconds(1) };
            Some((start, start + precision, Some(*parsed.offset())))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_dates_cover_their_whole_period() {
        let year = DateValue::parse("1980").unwrap();
        assert_eq!(
            (year.start.to_string(), year.end.to_string()),
            ("1980-01-01 00:00:00".into(), "1981-01-01 00:00:00".into())
        );
        let month = DateValue::parse("ge1980-12").unwrap();
        assert_eq!(month.prefix, Prefix::Ge);
        assert_eq!(month.end.to_string(), "1981-01-01 00:00:00");
        let instant = DateValue::parse("lt2026-01-02T03:04:05+07:00").unwrap();
        assert_eq!(instant.offset.unwrap().local_minus_utc(), 7 * 3600);
        assert!(DateValue::parse("1980-13").is_none());
        assert!(DateValue::parse("yesterday").is_none());
    }

    #[test]
    fn approximately_is_a_tenth_of_the_distance_from_now_either_side() {
        let at = |text: &str| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").unwrap();
        let now = at("2026-01-01 00:00:00");
        // 2016: 3,653 days before now at its start, 3,287 at its end.
        let year = DateValue::parse("ap2016").unwrap();
        assert_eq!(year.prefix, Prefix::Ap);
        let (low, high) = approximate_range(year.start, year.end, now);
        assert_eq!((low, high), (at("2014-12-31 16:48:00"), at("2017-11-25 16:48:00")));
        // Now itself is only its own precision.
        assert_eq!(approximate_range(now, at("2026-01-01 00:00:01"), now).0, now);
    }
}
