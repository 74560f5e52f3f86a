//! The one source of the current time. The app state, the claims engine and the job worker each
//! hold a [`Clock`]; services take `now` from it. Tests move it forward (all clones move
//! together) instead of backdating rows or sleeping. `clippy.toml` bans reading the system
//! clock anywhere else.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

/// The system clock, plus an offset that tests may advance.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_micros: Arc<AtomicI64>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self::default()
    }

    /// Now, as every part of the service sees it.
    #[expect(clippy::disallowed_methods, reason = "the one place that reads the system clock")]
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::microseconds(self.offset_micros.load(Ordering::Relaxed))
    }

    /// Moves this clock (and every clone of it) forward by `by`.
    pub fn advance(&self, by: Duration) {
        let micros = by.num_microseconds().unwrap_or(i64::MAX);
        self.offset_micros.fetch_add(micros, Ordering::Relaxed);
    }

    /// `now` plus a standard duration (saturating at an hour for absurd ones).
    pub fn after(&self, delay: std::time::Duration) -> DateTime<Utc> {
        self.now() + Duration::from_std(delay).unwrap_or(Duration::hours(1))
    }
}

/// Writes timestamps into JSON exactly as chrono's `Serialize` does (RFC 3339 in UTC, `Z`, with 0,
/// 3, 6 or 9 fractional digits, as many as the value needs), without going through `core::fmt`:
/// lists write several per row, and formatting them was a measurable share of a page.
/// For `#[serde(serialize_with = "crate::clock::rfc3339")]`.
pub fn rfc3339<S: serde::Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    let mut buf = [0u8; 32];
    match write_rfc3339(at, &mut buf) {
        Some(text) => serializer.serialize_str(text),
        None => serde::Serialize::serialize(at, serializer),
    }
}

/// [`rfc3339`] for an optional timestamp (`null` when absent).
pub fn rfc3339_opt<S: serde::Serializer>(at: &Option<DateTime<Utc>>, serializer: S) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => rfc3339(at, serializer),
        None => serializer.serialize_none(),
    }
}

/// `at` as chrono's `to_rfc3339_opts(SecondsFormat::AutoSi, true)` writes it, into `buf`; `None`
/// for what it does not cover (years outside 0–9999, leap seconds), which go the slow way.
fn write_rfc3339<'b>(at: &DateTime<Utc>, buf: &'b mut [u8; 32]) -> Option<&'b str> {
    use chrono::{Datelike, Timelike};
    let (year, nanos) = (at.year(), at.nanosecond());
    if !(0..=9999).contains(&year) || nanos >= 1_000_000_000 {
        return None;
    }
    fn digits(buf: &mut [u8], mut value: u32) {
        for slot in buf.iter_mut().rev() {
            *slot = b'0' + (value % 10) as u8;
            value /= 10;
        }
    }
    digits(&mut buf[0..4], year.unsigned_abs());
    buf[4] = b'-';
    digits(&mut buf[5..7], at.month());
    buf[7] = b'-';
    digits(&mut buf[8..10], at.day());
    buf[10] = b'T';
    digits(&mut buf[11..13], at.hour());
    buf[13] = b':';
    digits(&mut buf[14..16], at.minute());
    buf[16] = b':';
    digits(&mut buf[17..19], at.second());
    let mut end = 19;
    let (shown, places) = match nanos {
        0 => (0, 0),
        n if n % 1_000_000 == 0 => (n / 1_000_000, 3),
        n if n % 1_000 == 0 => (n / 1_000, 6),
        n => (n, 9),
    };
    if places > 0 {
        buf[end] = b'.';
        digits(&mut buf[end + 1..end + 1 + places], shown);
        end += 1 + places;
    }
    buf[end] = b'Z';
    std::str::from_utf8(&buf[..=end]).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Timelike;

    #[test]
    fn clones_advance_together() {
        let clock = Clock::system();
        let other = clock.clone();
        let before = other.now();
        clock.advance(Duration::days(2));
        let after = other.now();
        assert!(after - before >= Duration::days(2), "{before} → {after}");
        assert!(after - before < Duration::days(2) + Duration::minutes(1));
    }

    #[test]
    fn timestamps_are_written_as_chrono_writes_them() {
        use chrono::TimeZone;
        let whole = Utc.with_ymd_and_hms(2026, 12, 2, 4, 27, 18).unwrap();
        let mut cases = vec![whole, Utc.with_ymd_and_hms(1, 1, 1, 0, 0, 0).unwrap()];
        for nanos in [
            1,
            999,
            1_000,
            777_284_000,
            120_000_000,
            5_000_000,
            123_456_789,
            999_999_999,
        ] {
            cases.push(whole + Duration::nanoseconds(nanos));
        }
        for at in cases {
            let ours = serde_json::to_string(&Wrapped(at)).unwrap();
            assert_eq!(ours, serde_json::to_string(&at).unwrap(), "{at:?}");
        }
        // Outside what the fast path writes, chrono's own serialisation answers.
        let far = Utc.with_ymd_and_hms(12_345, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(
            serde_json::to_string(&Wrapped(far)).unwrap(),
            serde_json::to_string(&far).unwrap()
        );
        let leap = Utc.with_ymd_and_hms(2016, 12, 31, 23, 59, 59).unwrap() + Duration::nanoseconds(999_999_999);
        let leap = leap.with_nanosecond(1_500_000_000).unwrap();
        assert_eq!(
            serde_json::to_string(&Wrapped(leap)).unwrap(),
            serde_json::to_string(&leap).unwrap()
        );
        assert_eq!(serde_json::to_string(&Optional(None)).unwrap(), "null");
        assert_eq!(
            serde_json::to_string(&Optional(Some(whole))).unwrap(),
            "\"2026-12-02T04:27:18Z\""
        );
    }

    #[derive(serde::Serialize)]
    struct Wrapped(#[serde(serialize_with = "rfc3339")] DateTime<Utc>);

    #[derive(serde::Serialize)]
    struct Optional(#[serde(serialize_with = "rfc3339_opt")] Option<DateTime<Utc>>);
}
