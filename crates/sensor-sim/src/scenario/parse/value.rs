//! The values of a line: times and durations (the grammar of
//! `docs/durations.md`, through the `duration` crate), numbers with their
//! units and ranges, counts and axes. Each reader returns what it read or
//! what would have fitted, for the message.

use std::time::Duration;

use crate::scenario::Axis;

/// Splits `-12.5deg` into (-12.5, "deg"); `None` if there is no number.
fn split_number(s: &str) -> Option<(f64, &str)> {
    let end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+'))
        .unwrap_or(s.len());
    let (number, unit) = s.split_at(end);
    let digits = number.strip_prefix(['-', '+']).unwrap_or(number);
    let well_formed = !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.chars().filter(|&c| c == '.').count() <= 1
        && digits.chars().any(|c| c.is_ascii_digit())
        && digits.len() <= 24;
    if !well_formed {
        return None;
    }
    let value: f64 = number.parse().ok()?;
    value.is_finite().then_some((value, unit))
}

/// Longest time or duration accepted (about 116 days).
const LONGEST: Duration = Duration::from_secs(10_000_000);

/// A time or duration, in the grammar of `docs/durations.md`, up to
/// [`LONGEST`]; the error is why not, as a phrase.
pub(super) fn parse_time(s: &str) -> Result<Duration, &'static str> {
    match duration::parse(s) {
        Ok(d) if d > LONGEST => Err("it is longer than 10000000s"),
        Ok(d) => Ok(d),
        Err(why) => Err(why.reason()),
    }
}

pub(super) fn duration(s: &str) -> Result<Duration, &'static str> {
    parse_time(s).map_err(|_| {
        concat!(
            "a duration with a unit, e.g. 0s, 400ms, 1.5s, 2min (units: ",
            duration::units!(),
            ")"
        )
    })
}

pub(super) fn positive_duration(s: &str) -> Result<Duration, &'static str> {
    const EXPECTED: &str = concat!(
        "a duration above 0 with a unit, e.g. 400ms, 1.5s, 2min (units: ",
        duration::units!(),
        ")"
    );
    match parse_time(s) {
        Ok(d) if !d.is_zero() => Ok(d),
        _ => Err(EXPECTED),
    }
}

pub(super) fn tap_width(s: &str) -> Result<Duration, &'static str> {
    match parse_time(s) {
        Ok(d) if d >= Duration::from_millis(1) && d <= Duration::from_secs(1) => Ok(d),
        _ => Err("a pulse width from 1ms to 1s, e.g. 15ms"),
    }
}

fn number_in(
    s: &str,
    units: &[(&str, f64)],
    range: std::ops::RangeInclusive<f64>,
    expected: &'static str,
) -> Result<f64, &'static str> {
    let (value, unit) = split_number(s).ok_or(expected)?;
    let unit = unit.to_ascii_lowercase();
    let scale = units
        .iter()
        .find(|(name, _)| *name == unit)
        .map(|&(_, scale)| scale)
        .ok_or(expected)?;
    let value = value * scale;
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(expected)
    }
}

pub(super) fn angle(s: &str) -> Result<f64, &'static str> {
    number_in(
        s,
        &[("", 1.0), ("deg", 1.0)],
        -360.0..=360.0,
        "degrees from -360 to 360, e.g. 30 or -12.5deg",
    )
}

pub(super) fn accel_g(s: &str) -> Result<f64, &'static str> {
    number_in(
        s,
        &[("g", 1.0), ("mg", 1e-3)],
        -64.0..=64.0,
        "an acceleration from -64g to 64g with its unit, e.g. 2.5g or -800mg",
    )
}

pub(super) fn frequency_hz(s: &str) -> Result<f64, &'static str> {
    number_in(
        s,
        &[("hz", 1.0)],
        0.001..=200.0,
        "a frequency above 0 and at most 200hz, e.g. 6hz",
    )
}

pub(super) fn lux(s: &str) -> Result<f64, &'static str> {
    number_in(
        s,
        &[("", 1.0), ("lx", 1.0), ("lux", 1.0)],
        0.0..=200_000.0,
        "an illuminance from 0 to 200000 lux, e.g. 300 or 12.5lx",
    )
}

pub(super) fn fraction(s: &str) -> Result<f64, &'static str> {
    number_in(
        s,
        &[("", 1.0), ("%", 0.01)],
        0.0..=1.0,
        "a fraction from 0 to 1 or a percentage, e.g. 0.9 or 90%",
    )
}

pub(super) fn celsius(s: &str) -> Result<f64, &'static str> {
    number_in(
        s,
        &[("", 1.0), ("c", 1.0)],
        -40.0..=85.0,
        "a temperature from -40 to 85 degrees C, e.g. 25 or 31.5c",
    )
}

fn whole_number(s: &str, max: u32) -> Option<u32> {
    if s.is_empty() || s.len() > 10 || !s.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok().filter(|&n| (1..=max).contains(&n))
}

pub(super) fn tap_count(s: &str) -> Result<u32, &'static str> {
    whole_number(s, 20).ok_or("a whole number of taps from 1 to 20")
}

pub(super) fn nack_count(s: &str) -> Result<u32, &'static str> {
    whole_number(s, 1_000_000).ok_or("a whole number of transactions from 1 to 1000000")
}

pub(super) fn axis(s: &str) -> Result<Axis, &'static str> {
    match s {
        "x" | "X" => Ok(Axis::X),
        "y" | "Y" => Ok(Axis::Y),
        "z" | "Z" => Ok(Axis::Z),
        _ => Err("x, y or z"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_need_units_and_are_exact_to_the_nanosecond() {
        assert_eq!(parse_time("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_time("400ms"), Ok(Duration::from_millis(400)));
        assert_eq!(parse_time("2min"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_time("250us"), Ok(Duration::from_micros(250)));
        assert_eq!(parse_time(".5S"), Ok(Duration::from_millis(500)));
        assert!(parse_time("3").is_err());
        assert!(parse_time("-1s").is_err());
        assert!(parse_time("1e3s").is_err());
        assert!(parse_time("1..2s").is_err());
        assert!(parse_time("infs").is_err());
        assert!(parse_time("99999999999s").is_err());
    }

    #[test]
    fn times_share_the_topology_units_and_stop_at_the_longest() {
        assert_eq!(parse_time("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_time("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_time("10000000s"), Ok(LONGEST));
        assert_eq!(
            parse_time("10000000.000000001s"),
            Err("it is longer than 10000000s")
        );
        assert_eq!(
            parse_time("1d"),
            Err("its unit is not one of us, ms, s, m or min, h")
        );
    }

    #[test]
    fn values_check_units_and_ranges() {
        assert_eq!(accel_g("2.5g"), Ok(2.5));
        assert_eq!(accel_g("-800mg"), Ok(-0.8));
        assert!(accel_g("2.5").is_err());
        assert!(accel_g("65g").is_err());
        assert_eq!(fraction("90%"), Ok(0.9));
        assert!(fraction("1.5").is_err());
        assert_eq!(frequency_hz("6Hz"), Ok(6.0));
        assert!(frequency_hz("0hz").is_err());
        assert_eq!(angle("-30deg"), Ok(-30.0));
        assert_eq!(tap_count("2"), Ok(2));
        assert!(tap_count("0").is_err());
        assert!(nack_count("+5").is_err());
    }
}
