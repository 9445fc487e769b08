//! The one duration grammar of the appliance's files: topology files
//! (`stop_timeout = "5s"`) and scenario files (`1.5s imu tap ...
//! width=15ms`) both read durations with [`parse`]. The grammar, its units
//! and its rules are in `docs/durations.md`; in short, a decimal number and
//! a unit with nothing between or around them, exact to the nanosecond:
//!
//! ```
//! use std::time::Duration;
//!
//! assert_eq!(duration::parse("250ms"), Ok(Duration::from_millis(250)));
//! assert_eq!(duration::parse("1.5s"), Ok(Duration::from_millis(1500)));
//! assert_eq!(duration::parse("2min"), duration::parse("2m"));
//! assert_eq!(
//!     duration::parse("5").unwrap_err().to_string(),
//!     "it has no unit"
//! );
//! assert_eq!(duration::format(Duration::from_secs(90)), "90s");
//! ```
//!
//! [`format()`] writes a duration back in the grammar, so that what a program
//! prints (`applianced --check`, error messages) can be pasted into a file.

use std::fmt;
use std::time::Duration;

/// The units for messages (`"its unit is not one of ..."`), as a macro so
/// that a message can `concat!` it into a `&'static str`.
#[macro_export]
macro_rules! units {
    () => {
        "us, ms, s, m or min, h"
    };
}

/// The units for messages: `us, ms, s, m or min, h`.
pub const UNITS: &str = units!();

const NANOS_PER_SEC: u64 = 1_000_000_000;
const NANOS_PER_MIN: u64 = 60 * NANOS_PER_SEC;
const NANOS_PER_HOUR: u64 = 60 * NANOS_PER_MIN;

/// Each unit (matched in any case) and its length in nanoseconds.
const UNIT_NANOS: [(&str, u64); 6] = [
    ("us", 1_000),
    ("ms", 1_000_000),
    ("s", NANOS_PER_SEC),
    ("m", NANOS_PER_MIN),
    ("min", NANOS_PER_MIN),
    ("h", NANOS_PER_HOUR),
];

/// Why a text is not a duration. Its message is a reason to put in a
/// sentence: `"5" is not a duration (it has no unit)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DurationError {
    /// No digit where the number should be, or more than one `.`.
    NoNumber,
    /// A number with nothing after it.
    NoUnit,
    /// What follows the number is not a unit.
    UnknownUnit,
    /// A sign `-` before a number that is not zero.
    Negative,
    /// More than [`Duration::MAX`].
    TooLong,
}

impl DurationError {
    /// The reason, as a phrase (what [`Display`](fmt::Display) writes).
    #[must_use]
    pub fn reason(self) -> &'static str {
        match self {
            DurationError::NoNumber => "it does not start with a number",
            DurationError::NoUnit => "it has no unit",
            DurationError::UnknownUnit => concat!("its unit is not one of ", units!()),
            DurationError::Negative => "it is negative",
            DurationError::TooLong => {
                "it is longer than any duration can be (about 584 billion years)"
            }
        }
    }
}

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reason())
    }
}

impl std::error::Error for DurationError {}

/// Parses a duration: an optional sign, a decimal number (digits with at
/// most one `.`, at least one digit), then a unit (`us`, `ms`, `s`, `m` or
/// `min`, `h`, in any case), with nothing between or around them. Digits
/// beyond the nanosecond round to the nearest one, half up.
///
/// # Errors
/// Which rule `text` breaks, checked in the order of the [`DurationError`]
/// variants.
pub fn parse(text: &str) -> Result<Duration, DurationError> {
    let (negative, unsigned) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let end = unsigned
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(unsigned.len());
    let (number, unit) = unsigned.split_at(end);
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if !number.bytes().any(|b| b.is_ascii_digit()) || fraction.contains('.') {
        return Err(DurationError::NoNumber);
    }
    if unit.is_empty() {
        return Err(DurationError::NoUnit);
    }
    let unit_nanos = UNIT_NANOS
        .iter()
        .find(|(name, _)| unit.eq_ignore_ascii_case(name))
        .map(|&(_, nanos)| nanos)
        .ok_or(DurationError::UnknownUnit)?;
    if negative && number.bytes().any(|b| matches!(b, b'1'..=b'9')) {
        return Err(DurationError::Negative);
    }
    let nanos = whole_nanos(whole, unit_nanos)
        .and_then(|w| w.checked_add(u128::from(fraction_nanos(fraction, unit_nanos))))
        .ok_or(DurationError::TooLong)?;
    let nanos_per_sec = u128::from(NANOS_PER_SEC);
    let secs = u64::try_from(nanos / nanos_per_sec).map_err(|_| DurationError::TooLong)?;
    let subsec = u32::try_from(nanos % nanos_per_sec).map_err(|_| DurationError::TooLong)?;
    Ok(Duration::new(secs, subsec))
}

/// `digits` (ASCII digits only) whole units, in nanoseconds; `None` past
/// `u128`.
fn whole_nanos(digits: &str, unit_nanos: u64) -> Option<u128> {
    let significant = digits.trim_start_matches('0');
    if significant.is_empty() {
        return Some(0);
    }
    significant
        .parse::<u128>()
        .ok()?
        .checked_mul(u128::from(unit_nanos))
}

/// `0.digits` units in nanoseconds, rounded half up: the digits times the
/// unit by long multiplication from the last digit, so that any number of
/// them is exact. What carries past the first digit is whole nanoseconds;
/// the product's digit at that place decides the rounding.
fn fraction_nanos(digits: &str, unit_nanos: u64) -> u64 {
    // Every product is below 11 units: an hour is 3.6e12 ns, far from
    // u64::MAX.
    let mut carry = 0;
    let mut first = 0;
    for digit in digits.bytes().rev() {
        let product = u64::from(digit - b'0') * unit_nanos + carry;
        first = product % 10;
        carry = product / 10;
    }
    carry + u64::from(first >= 5)
}

/// Writes `d` in the grammar, in the largest unit that keeps it short:
/// `0s`, `250ms`, `2s`, `1.5s`, `60s`, `90s`, `5m`, `2h`, `0.0015s`. What
/// it writes, [`parse`] reads back to the same value.
#[must_use]
pub fn format(d: Duration) -> String {
    let (per_hour, per_min, per_sec) = (
        u128::from(NANOS_PER_HOUR),
        u128::from(NANOS_PER_MIN),
        u128::from(NANOS_PER_SEC),
    );
    let nanos = d.as_nanos();
    if nanos == 0 {
        return "0s".to_owned();
    }
    if nanos.is_multiple_of(per_hour) {
        return format!("{}h", nanos / per_hour);
    }
    // Minutes from 2m up: "60s" reads better than "1m" next to "10s".
    if nanos.is_multiple_of(per_min) && nanos >= 2 * per_min {
        return format!("{}m", nanos / per_min);
    }
    if nanos < per_sec && nanos.is_multiple_of(1_000_000) {
        return format!("{}ms", nanos / 1_000_000);
    }
    let secs = nanos / per_sec;
    let frac = nanos % per_sec;
    if frac == 0 {
        format!("{secs}s")
    } else {
        let digits = format!("{frac:09}");
        format!("{secs}.{}s", digits.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn every_unit_in_any_case() {
        assert_eq!(parse("250us"), Ok(Duration::from_micros(250)));
        assert_eq!(parse("250ms"), Ok(ms(250)));
        assert_eq!(parse("2s"), Ok(ms(2000)));
        assert_eq!(parse("1m"), Ok(ms(60_000)));
        assert_eq!(parse("2min"), Ok(ms(120_000)));
        assert_eq!(parse("1h"), Ok(ms(3_600_000)));
        assert_eq!(parse("5S"), Ok(ms(5000)));
        assert_eq!(parse("5Ms"), Ok(ms(5)));
        assert_eq!(parse("1MIN"), Ok(ms(60_000)));
        assert_eq!(parse("1H"), Ok(ms(3_600_000)));
        assert_eq!(parse("3US"), Ok(Duration::from_micros(3)));
    }

    #[test]
    fn numbers_are_decimal_and_exact() {
        assert_eq!(parse("0s"), Ok(Duration::ZERO));
        assert_eq!(parse("0ms"), Ok(Duration::ZERO));
        assert_eq!(parse("1.5s"), Ok(ms(1500)));
        assert_eq!(parse(".5s"), Ok(ms(500)));
        assert_eq!(parse("5.s"), Ok(ms(5000)));
        assert_eq!(parse("007s"), Ok(ms(7000)));
        assert_eq!(parse("0.25m"), Ok(ms(15_000)));
        assert_eq!(parse("0.5ms"), Ok(Duration::from_micros(500)));
        assert_eq!(parse("1.000000001s"), Ok(Duration::new(1, 1)));
        assert_eq!(parse("0.1us"), Ok(Duration::from_nanos(100)));
        assert_eq!(parse("+1s"), Ok(ms(1000)));
        assert_eq!(parse("-0s"), Ok(Duration::ZERO));
        assert_eq!(parse("-0.000s"), Ok(Duration::ZERO));
        // Exact where a float is not: 0.1 + 0.2 of a second.
        assert_eq!(parse("0.3s"), Ok(ms(300)));
        assert_eq!(
            parse("9999999.123456789s"),
            Ok(Duration::new(9_999_999, 123_456_789))
        );
        // A thousand leading zeros change nothing.
        assert_eq!(parse(&format!("{}1s", "0".repeat(1000))), Ok(ms(1000)));
    }

    #[test]
    fn digits_past_the_nanosecond_round_half_up() {
        assert_eq!(parse("0.0000000004s"), Ok(Duration::ZERO));
        assert_eq!(parse("0.0000000005s"), Ok(Duration::from_nanos(1)));
        assert_eq!(parse("0.00000000049999999999999s"), Ok(Duration::ZERO));
        assert_eq!(parse("1.9999999999s"), Ok(ms(2000)));
        // A third of a minute is 20 s; of an hour, 20 min.
        assert_eq!(parse("0.333333333333333333333m"), Ok(ms(20_000)));
        assert_eq!(parse("0.3333333333333333333333h"), Ok(ms(1_200_000)));
        let long_fraction = format!("0.{}5s", "0".repeat(5000));
        assert_eq!(parse(&long_fraction), Ok(Duration::ZERO));
    }

    #[test]
    fn each_broken_rule_has_its_reason() {
        use DurationError::*;
        for (text, why) in [
            ("", NoNumber),
            ("s", NoNumber),
            (" 5s", NoNumber),
            (".s", NoNumber),
            ("1..2s", NoNumber),
            ("1.2.3s", NoNumber),
            ("--1s", NoNumber),
            ("+-1s", NoNumber),
            ("infs", NoNumber),
            ("five s", NoNumber),
            ("5", NoUnit),
            ("1.5", NoUnit),
            ("-1", NoUnit),
            ("5 s", UnknownUnit),
            ("5s ", UnknownUnit),
            ("5sec", UnknownUnit),
            ("5d", UnknownUnit),
            ("5ns", UnknownUnit),
            ("1e3s", UnknownUnit),
            ("1m30s", UnknownUnit),
            ("1-s", UnknownUnit),
            ("5µs", UnknownUnit),
            ("-1s", Negative),
            ("-0.0000000001s", Negative),
            ("99999999999999999999999h", TooLong),
            ("1000000000000000000000000000000000000000000s", TooLong),
            ("18446744073709551616s", TooLong),
        ] {
            assert_eq!(parse(text), Err(why), "{text:?}");
        }
        assert_eq!(parse("18446744073709551615.999999999s"), Ok(Duration::MAX));
        assert_eq!(
            UnknownUnit.to_string(),
            "its unit is not one of us, ms, s, m or min, h"
        );
    }

    #[test]
    fn formats_shortest_and_round_trips() {
        let cases = [
            (Duration::ZERO, "0s"),
            (ms(250), "250ms"),
            (ms(2000), "2s"),
            (ms(1500), "1.5s"),
            (ms(60_000), "60s"),
            (ms(90_000), "90s"),
            (ms(120_000), "2m"),
            (ms(300_000), "5m"),
            (ms(7_200_000), "2h"),
            (Duration::from_micros(1500), "0.0015s"),
            (Duration::new(1, 1), "1.000000001s"),
        ];
        for (d, text) in cases {
            assert_eq!(format(d), text);
            assert_eq!(parse(text), Ok(d));
        }
        assert_eq!(parse(&format(Duration::MAX)), Ok(Duration::MAX));
    }
}
