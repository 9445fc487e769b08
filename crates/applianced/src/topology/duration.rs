//! Durations as the topology writes them: a decimal number and a unit,
//! `"250ms"`, `"2s"`, `"1.5s"`, `"1m"`, `"1h"`.

use std::time::Duration;

/// The units, longest suffix first, with their length in nanoseconds.
const UNITS: [(&str, u128); 4] = [
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("h", 3_600_000_000_000),
];

/// Parses a duration: digits, optionally `.` and more digits, then one of
/// the units `ms`, `s`, `m`, `h`, with nothing around it (`"1.5s"`,
/// `"250ms"`, `"0s"`). Fractions are exact to the nanosecond; digits
/// beyond are an error rather than rounded. `None` if `text` is not such a
/// duration or exceeds [`Duration::MAX`].
pub fn parse_duration(text: &str) -> Option<Duration> {
    let (number, unit_ns) = UNITS
        .iter()
        .find_map(|&(unit, ns)| Some((text.strip_suffix(unit)?, ns)))?;
    let (whole, fraction) = match number.split_once('.') {
        Some((whole, fraction)) => (whole, fraction),
        None => (number, ""),
    };
    let is_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty()
        || !is_digits(whole)
        || !is_digits(fraction)
        || (number.contains('.') && fraction.is_empty())
    {
        return None;
    }
    // whole * unit + fraction * unit / 10^digits, in u128 nanoseconds:
    // exact, and at most 39 digits fit in u128 so long inputs are refused.
    let whole: u128 = whole.parse().ok()?;
    let mut ns = whole.checked_mul(unit_ns)?;
    if !fraction.is_empty() {
        let scale = 10u128.checked_pow(u32::try_from(fraction.len()).ok()?)?;
        let part = fraction.parse::<u128>().ok()?.checked_mul(unit_ns)?;
        if part % scale != 0 {
            return None; // finer than a nanosecond
        }
        ns = ns.checked_add(part / scale)?;
    }
    let secs = u64::try_from(ns / 1_000_000_000).ok()?;
    Some(Duration::new(secs, (ns % 1_000_000_000) as u32))
}

/// Writes a duration the way the topology does, in the largest unit that
/// keeps it short: `0s`, `250ms`, `2s`, `1.5s`, `60s`, `90s`, `5m`, `2h`. What
/// this prints, [`parse_duration`] reads back to the same value.
pub fn format_duration(d: Duration) -> String {
    let ns = d.as_nanos();
    if ns == 0 {
        return "0s".to_owned();
    }
    const HOUR: u128 = 3_600_000_000_000;
    const MINUTE: u128 = 60_000_000_000;
    if ns.is_multiple_of(HOUR) {
        return format!("{}h", ns / HOUR);
    }
    // Minutes from 2m up: "60s" reads better than "1m" next to "10s".
    if ns.is_multiple_of(MINUTE) && ns >= 2 * MINUTE {
        return format!("{}m", ns / MINUTE);
    }
    if ns < 1_000_000_000 && ns.is_multiple_of(1_000_000) {
        return format!("{}ms", ns / 1_000_000);
    }
    let secs = ns / 1_000_000_000;
    let frac = ns % 1_000_000_000;
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
    fn parses_the_documented_forms() {
        assert_eq!(parse_duration("250ms"), Some(ms(250)));
        assert_eq!(parse_duration("2s"), Some(ms(2000)));
        assert_eq!(parse_duration("1.5s"), Some(ms(1500)));
        assert_eq!(parse_duration("1m"), Some(ms(60_000)));
        assert_eq!(parse_duration("1h"), Some(ms(3_600_000)));
        assert_eq!(parse_duration("0s"), Some(Duration::ZERO));
        assert_eq!(parse_duration("0ms"), Some(Duration::ZERO));
        assert_eq!(parse_duration("0.25m"), Some(ms(15_000)));
        assert_eq!(parse_duration("1.000000001s"), Some(Duration::new(1, 1)));
        assert_eq!(parse_duration("0.5ms"), Some(Duration::from_micros(500)));
        assert_eq!(parse_duration("007s"), Some(ms(7000)));
    }

    #[test]
    fn refuses_everything_else() {
        for bad in [
            "",
            "s",
            "5",
            "5 s",
            " 5s",
            "5s ",
            "-1s",
            "+1s",
            ".5s",
            "5.s",
            "1.2.3s",
            "5sec",
            "5S",
            "5us",
            "5d",
            "1e3s",
            "five s",
            "1m30s",
            "0.0000000001s",
            // Past Duration::MAX and past u128.
            "99999999999999999999999h",
            "1000000000000000000000000000000000000000000s",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad:?}");
        }
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
            assert_eq!(format_duration(d), text);
            assert_eq!(parse_duration(text), Some(d));
        }
    }
}
