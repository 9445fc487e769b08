//! The IMU's events: orientation, tilt, flip, tap, shake, temperature.

use std::time::Duration;

use super::compile::Action;
use super::fields::Fields;
use super::value::{
    accel_g, angle, axis, celsius, duration, frequency_hz, positive_duration, tap_count, tap_width,
};
use super::{Event, ParseError, Reader};
use crate::scenario::Impulse;

/// Default duration of a `tilt` or `flip` move.
const DEFAULT_MOVE: Duration = Duration::from_millis(500);
/// Default width of one tap pulse.
const DEFAULT_TAP_WIDTH: Duration = Duration::from_millis(15);
/// Default time between the starts of the taps of one `tap count=N`.
const DEFAULT_TAP_GAP: Duration = Duration::from_millis(250);

const ORIENTATION_USAGE: &str = "roll=DEGREES and/or pitch=DEGREES";
const TILT_USAGE: &str =
    "roll=DEGREES and/or pitch=DEGREES, optional over=DURATION (default 500ms) and for=DURATION";
const FLIP_USAGE: &str = "optional over=DURATION (default 500ms) and for=DURATION";
const TAP_USAGE: &str = "axis=x|y|z, peak=ACCEL, optional width=DURATION (default 15ms), count=N (default 1), gap=DURATION (default 250ms)";
const SHAKE_USAGE: &str = "axis=x|y|z, amplitude=ACCEL, freq=HZ, for=DURATION";
const TEMPERATURE_USAGE: &str = "celsius=DEGREES, optional over=DURATION";

/// The IMU's events and their readers.
pub(super) const EVENTS: [(&str, Reader); 6] = [
    ("orientation", orientation),
    ("tilt", tilt),
    ("flip", flip),
    ("tap", tap),
    ("shake", shake),
    ("temperature", temperature),
];

/// `roll` and `pitch`, at least one of them.
fn roll_and_pitch(f: &Fields<'_>) -> Result<(Option<f64>, Option<f64>), ParseError> {
    let roll = f.get("roll", angle)?;
    let pitch = f.get("pitch", angle)?;
    if roll.is_none() && pitch.is_none() {
        return Err(f.missing("roll or pitch"));
    }
    Ok((roll, pitch))
}

fn orientation(e: &Event<'_>) -> Result<Action, ParseError> {
    let f = Fields::new(e, "orientation", ORIENTATION_USAGE, &["roll", "pitch"])?;
    let (roll, pitch) = roll_and_pitch(&f)?;
    Ok(Action::Orientation { roll, pitch })
}

fn tilt(e: &Event<'_>) -> Result<Action, ParseError> {
    let keys = ["roll", "pitch", "over", "for"];
    let f = Fields::new(e, "tilt", TILT_USAGE, &keys)?;
    let (roll, pitch) = roll_and_pitch(&f)?;
    Ok(Action::Tilt {
        roll,
        pitch,
        over: f.get("over", duration)?.unwrap_or(DEFAULT_MOVE),
        hold: f.get("for", positive_duration)?,
    })
}

fn flip(e: &Event<'_>) -> Result<Action, ParseError> {
    let f = Fields::new(e, "flip", FLIP_USAGE, &["over", "for"])?;
    Ok(Action::Flip {
        over: f.get("over", duration)?.unwrap_or(DEFAULT_MOVE),
        hold: f.get("for", positive_duration)?,
    })
}

fn tap(e: &Event<'_>) -> Result<Action, ParseError> {
    let keys = ["axis", "peak", "width", "count", "gap"];
    let f = Fields::new(e, "tap", TAP_USAGE, &keys)?;
    let axis = f.require("axis", axis)?;
    let peak_g = f.require("peak", accel_g)?;
    let width = f.get("width", tap_width)?.unwrap_or(DEFAULT_TAP_WIDTH);
    let count = f.get("count", tap_count)?.unwrap_or(1);
    let gap = f.get("gap", positive_duration)?.unwrap_or(DEFAULT_TAP_GAP);
    if count > 1 && gap < width {
        return Err(f.bad(
            "gap",
            "a gap (from one tap's start to the next) at least as long as width",
        ));
    }
    Ok(Action::Impulse(Impulse::Tap {
        axis,
        peak_g,
        start: e.at,
        width,
        count,
        gap,
    }))
}

fn shake(e: &Event<'_>) -> Result<Action, ParseError> {
    let keys = ["axis", "amplitude", "freq", "for"];
    let f = Fields::new(e, "shake", SHAKE_USAGE, &keys)?;
    Ok(Action::Impulse(Impulse::Shake {
        axis: f.require("axis", axis)?,
        amplitude_g: f.require("amplitude", accel_g)?,
        freq_hz: f.require("freq", frequency_hz)?,
        start: e.at,
        lasting: f.require("for", positive_duration)?,
    }))
}

fn temperature(e: &Event<'_>) -> Result<Action, ParseError> {
    let f = Fields::new(e, "temperature", TEMPERATURE_USAGE, &["celsius", "over"])?;
    Ok(Action::Temperature {
        celsius: f.require("celsius", celsius)?,
        over: f.get("over", duration)?.unwrap_or(Duration::ZERO),
    })
}
