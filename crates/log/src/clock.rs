//! Receive timestamps: `CLOCK_REALTIME` as ISO-8601 UTC with microseconds.
//!
//! Wall-clock time, not monotonic, because the log is read by people and
//! set beside other logs and events, across reboots: monotonic time starts
//! again at each boot, so lines of two boots in the same rotated set could
//! not be told apart or placed. What monotonic time is good for, precise
//! intervals between samples, the frames already carry (their `t` is the
//! sender's monotonic clock). The price: the wall clock can step (a board
//! without an RTC starts in 1970 until NTP sets it), so line order, not the
//! timestamp, is the order of arrival.

use std::io::Write;

use nix::time::{ClockId, clock_gettime};

/// Length of a formatted timestamp, `2024-05-01T12:34:56.123456Z`.
pub const TIMESTAMP_LEN: usize = 27;

/// The largest time formatted as is: 9999-12-31T23:59:59.999999Z. Later
/// (and earlier than 1970) times are clamped, so every timestamp has
/// [`TIMESTAMP_LEN`] bytes.
const MAX_UNIX_US: i64 = 253_402_300_799_999_999;

/// A wall-clock time: microseconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct WallTime {
    /// Microseconds since the Unix epoch.
    pub unix_us: i64,
}

impl WallTime {
    /// Now, from `CLOCK_REALTIME`.
    pub fn now() -> WallTime {
        // CLOCK_REALTIME always exists; the epoch stands in if it did not.
        let unix_us = clock_gettime(ClockId::CLOCK_REALTIME)
            .map(|t| t.tv_sec() * 1_000_000 + t.tv_nsec() / 1000)
            .unwrap_or(0);
        WallTime { unix_us }
    }

    /// Appends the ISO-8601 form, exactly [`TIMESTAMP_LEN`] bytes:
    /// `2024-05-01T12:34:56.123456Z`.
    pub fn write_iso8601(&self, out: &mut Vec<u8>) {
        let us = self.unix_us.clamp(0, MAX_UNIX_US);
        let (secs, micros) = (us / 1_000_000, us % 1_000_000);
        let (days, day_secs) = (secs / 86_400, secs % 86_400);
        let (year, month, day) = civil_from_days(days);
        let (h, m, s) = (day_secs / 3600, day_secs / 60 % 60, day_secs % 60);
        // Writing to a Vec cannot fail.
        let _ = write!(
            out,
            "{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.{micros:06}Z"
        );
    }
}

impl std::fmt::Display for WallTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut text = Vec::with_capacity(TIMESTAMP_LEN);
        self.write_iso8601(&mut text);
        f.write_str(&String::from_utf8_lossy(&text))
    }
}

/// The proleptic Gregorian date of day `days` since 1970-01-01 (Howard
/// Hinnant's `civil_from_days`), for `days >= 0`.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097; // day of the 400-year era, 0..=146096
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // 0..=399
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // day of the March-based year
    let mp = (5 * doy + 2) / 153; // month from March, 0..=11
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(unix_us: i64) -> String {
        let mut out = Vec::new();
        WallTime { unix_us }.write_iso8601(&mut out);
        assert_eq!(out.len(), TIMESTAMP_LEN);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn known_instants() {
        assert_eq!(iso(0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(iso(951_782_400_000_001), "2000-02-29T00:00:00.000001Z");
        assert_eq!(iso(1_709_164_800_000_000), "2024-02-29T00:00:00.000000Z");
        assert_eq!(iso(1_714_566_896_123_456), "2024-05-01T12:34:56.123456Z");
        assert_eq!(iso(4_107_542_399_999_999), "2100-02-28T23:59:59.999999Z");
        assert_eq!(iso(4_107_542_400_000_000), "2100-03-01T00:00:00.000000Z");
    }

    #[test]
    fn out_of_range_is_clamped_to_the_fixed_width() {
        assert_eq!(iso(-1), "1970-01-01T00:00:00.000000Z");
        assert_eq!(iso(i64::MAX), "9999-12-31T23:59:59.999999Z");
    }

    #[test]
    fn every_day_follows_the_previous_one() {
        // Walks 1970..2100 a day at a time: the date must step by one day.
        let mut prev = civil_from_days(0);
        for d in 1..47_482 {
            let next = civil_from_days(d);
            let (y, m, day) = prev;
            let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            let month_len = [
                31,
                if leap { 29 } else { 28 },
                31,
                30,
                31,
                30,
                31,
                31,
                30,
                31,
                30,
                31,
            ];
            let expected = if day < month_len[usize::try_from(m - 1).unwrap()] {
                (y, m, day + 1)
            } else if m < 12 {
                (y, m + 1, 1)
            } else {
                (y + 1, 1, 1)
            };
            assert_eq!(next, expected, "day {d}");
            prev = next;
        }
    }

    #[test]
    fn now_has_the_fixed_width() {
        assert_eq!(WallTime::now().to_string().len(), TIMESTAMP_LEN);
    }
}
