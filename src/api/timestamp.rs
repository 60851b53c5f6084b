//! Calendar arithmetic on Unix milliseconds, through the `time` crate: the
//! one place that turns dates into days and milliseconds into ISO 8601
//! text (the clock, metrics timestamps and the CLI all show times).

use time::{Date, Month, OffsetDateTime};

/// How an ISO 8601 text names UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Utc {
    /// `...Z`
    Zulu,
    /// `...+00:00` (the metrics format's timestamps)
    Offset,
}

/// Days since 1970-01-01 of a proleptic Gregorian date; `None` for a date
/// that does not exist (month 13, 30 February) or is out of range.
pub fn days_from_civil(year: i64, month: i64, day: i64) -> Option<i64> {
    let month = Month::try_from(u8::try_from(month).ok()?).ok()?;
    let date =
        Date::from_calendar_date(i32::try_from(year).ok()?, month, u8::try_from(day).ok()?).ok()?;
    Some(i64::from(
        date.to_julian_day()
            - Date::from_calendar_date(1970, Month::January, 1)
                .ok()?
                .to_julian_day(),
    ))
}

/// `ms` as `YYYY-MM-DDTHH:MM:SS.fff` in UTC, then `Z` or `+00:00`. Times
/// outside the calendar's range (years beyond 9999) show the epoch.
pub fn iso8601(ms: i64, utc: Utc) -> String {
    let t = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let zone = match utc {
        Utc::Zulu => "Z",
        Utc::Offset => "+00:00",
    };
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}{zone}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// Unix milliseconds of an ISO 8601 timestamp as Python's
/// `datetime.fromisoformat` reads it (`YYYY-MM-DD`, then `T` or a space,
/// `HH:MM[:SS[.fff...]]`, then `Z` or `+HH:MM`). A timestamp without an
/// offset is taken as UTC (the mock takes its process's local zone).
pub fn parse_iso8601(text: &str) -> Option<i64> {
    let text = text.trim();
    let num = |s: &str| -> Option<i64> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (date, rest) = if text.len() > 10 {
        text.split_at(10)
    } else {
        (text, "")
    };
    let mut d = date.split('-');
    let (y, m, day) = (num(d.next()?)?, num(d.next()?)?, num(d.next()?)?);
    if d.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return None;
    }
    let mut secs = 0i64;
    let mut millis = 0i64;
    let mut offset = 0i64;
    if !rest.is_empty() {
        let rest = rest.strip_prefix(['T', ' '])?;
        let (clock, zone) = match rest.find(['Z', 'z', '+', '-']) {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        let (hms, frac) = clock.split_once('.').unwrap_or((clock, ""));
        let mut parts = hms.split(':');
        let h = num(parts.next()?)?;
        let mi = num(parts.next()?)?;
        let s = parts.next().map_or(Some(0), num)?;
        if parts.next().is_some() || h > 23 || mi > 59 || s > 59 {
            return None;
        }
        secs = h * 3600 + mi * 60 + s;
        if !frac.is_empty() {
            let digits = format!("{frac:0<3}");
            millis = num(&digits[..3])?;
            num(frac)?;
        }
        if !zone.is_empty() && !zone.eq_ignore_ascii_case("z") {
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            let z = zone[1..].replace(':', "");
            if z.len() != 4 {
                return None;
            }
            offset = sign * (num(&z[..2])? * 3600 + num(&z[2..])? * 60);
        }
    }
    Some((days_from_civil(y, m, day)? * 86_400 + secs - offset) * 1000 + millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_utc_dates_across_leap_years_and_before_the_epoch() {
        assert_eq!(iso8601(0, Utc::Zulu), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            iso8601(951_782_400_123, Utc::Zulu),
            "2000-02-29T00:00:00.123Z"
        );
        assert_eq!(
            iso8601(1_709_251_199_999, Utc::Offset),
            "2024-02-29T23:59:59.999+00:00"
        );
        assert_eq!(iso8601(-1, Utc::Zulu), "1969-12-31T23:59:59.999Z");
    }

    #[test]
    fn days_count_from_the_epoch_and_refuse_impossible_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), Some(0));
        assert_eq!(days_from_civil(2000, 3, 1), Some(11_017));
        assert_eq!(days_from_civil(1969, 12, 31), Some(-1));
        assert_eq!(days_from_civil(2023, 2, 29), None);
        assert_eq!(days_from_civil(2024, 13, 1), None);
    }
}
