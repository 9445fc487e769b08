//! The light sensor's events: level, hand.

use std::time::Duration;

use super::compile::Action;
use super::fields::Fields;
use super::value::{duration, fraction, lux, positive_duration};
use super::{Event, ParseError, Reader};
use crate::scenario::Hand;

/// Default duration of a `hand` dip.
const DEFAULT_HAND: Duration = Duration::from_millis(400);

const LEVEL_USAGE: &str = "lux=LUX, optional over=DURATION";
const HAND_USAGE: &str =
    "depth=FRACTION (of the light blocked), optional for=DURATION (default 400ms)";

/// The light sensor's events and their readers.
pub(super) const EVENTS: [(&str, Reader); 2] = [("level", level), ("hand", hand)];

fn level(e: &Event<'_>) -> Result<Action, ParseError> {
    let f = Fields::new(e, "level", LEVEL_USAGE, &["lux", "over"])?;
    Ok(Action::Level {
        lux: f.require("lux", lux)?,
        over: f.get("over", duration)?.unwrap_or(Duration::ZERO),
    })
}

fn hand(e: &Event<'_>) -> Result<Action, ParseError> {
    let f = Fields::new(e, "hand", HAND_USAGE, &["depth", "for"])?;
    Ok(Action::Hand(Hand {
        depth: f.require("depth", fraction)?,
        start: e.at,
        lasting: f.get("for", positive_duration)?.unwrap_or(DEFAULT_HAND),
    }))
}
