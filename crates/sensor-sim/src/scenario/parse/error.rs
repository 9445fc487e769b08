//! What can be wrong in a scenario text, and where.

use std::time::Duration;

/// The devices, for messages.
const DEVICES: &str = "imu, light, and * (for loop)";
/// The fault kinds, for messages.
const FAULTS: &str = "nack, stuck, vanish, reset";

/// A scenario text could not be parsed: where, and what is wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{line}:{column}: {problem}")]
pub struct ParseError {
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
    /// What is wrong and what is allowed.
    pub problem: Problem,
}

/// What is wrong in a scenario line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// The first word is not a time.
    #[error(
        "`{found}` is not a time: {why}; write a number and a unit, e.g. 0s, 1.5s, 400ms, 2min (units: {units})",
        units = duration::UNITS
    )]
    BadTime {
        /// The word.
        found: String,
        /// Why not.
        why: &'static str,
    },
    /// A time with nothing after it.
    #[error("a device must follow the time; devices are {DEVICES}")]
    MissingDevice,
    /// The second word is not a device.
    #[error("unknown device `{found}`; devices are {DEVICES}")]
    UnknownDevice {
        /// The word.
        found: String,
    },
    /// A device with no event after it.
    #[error("an event must follow `{device}`; {device} events are {allowed}")]
    MissingEvent {
        /// The device.
        device: &'static str,
        /// Its events.
        allowed: &'static str,
    },
    /// An event the device does not have.
    #[error("unknown {device} event `{found}`; {device} events are {allowed}")]
    UnknownEvent {
        /// The device.
        device: &'static str,
        /// The word.
        found: String,
        /// Its events.
        allowed: &'static str,
    },
    /// `fault` with no kind after it.
    #[error("a fault kind must follow `fault`; faults are {FAULTS}")]
    MissingFault,
    /// A fault kind that does not exist.
    #[error("unknown fault `{found}`; faults are {FAULTS}")]
    UnknownFault {
        /// The word.
        found: String,
    },
    /// A word that should be `key=value` and is not.
    #[error("`{found}` is not key=value; {event} takes {usage}")]
    NotKeyValue {
        /// The word.
        found: String,
        /// The event.
        event: &'static str,
        /// What the event takes.
        usage: &'static str,
    },
    /// A key the event does not take.
    #[error("{event} has no key `{key}`; {event} takes {usage}")]
    UnknownKey {
        /// The key.
        key: String,
        /// The event.
        event: &'static str,
        /// What the event takes.
        usage: &'static str,
    },
    /// The same key twice on one line.
    #[error("`{key}` is given twice")]
    DuplicateKey {
        /// The key.
        key: String,
    },
    /// A required key is missing.
    #[error("{event} needs {key}; {event} takes {usage}")]
    MissingKey {
        /// The key (or keys, one of which is needed).
        key: &'static str,
        /// The event.
        event: &'static str,
        /// What the event takes.
        usage: &'static str,
    },
    /// A value that does not fit its key.
    #[error("`{found}` is not a valid {key}: expected {expected}")]
    BadValue {
        /// The key.
        key: &'static str,
        /// The value.
        found: String,
        /// What would fit.
        expected: &'static str,
    },
    /// Two moves of the same quantity at once.
    #[error(
        "this {event} starts at {at:?} while the {other} on line {other_line} lasts until {until:?}; start it at or after {until:?}"
    )]
    Overlap {
        /// This line's event.
        event: &'static str,
        /// This line's time.
        at: Duration,
        /// The earlier event.
        other: &'static str,
        /// Its line.
        other_line: usize,
        /// When it ends.
        until: Duration,
    },
    /// A line at or after the loop, which would never run.
    #[error(
        "this line is at {at:?}, at or after the loop at {loop_at:?} (line {loop_line}), so it would never run"
    )]
    AfterLoop {
        /// This line's time.
        at: Duration,
        /// The loop's time.
        loop_at: Duration,
        /// The loop's line.
        loop_line: usize,
    },
    /// A line that lasts past the loop.
    #[error(
        "this {event} lasts until {until:?}, past the loop at {loop_at:?} (line {loop_line}); end it before the loop or move the loop later"
    )]
    OutlastsLoop {
        /// This line's event.
        event: &'static str,
        /// When it ends.
        until: Duration,
        /// The loop's time.
        loop_at: Duration,
        /// The loop's line.
        loop_line: usize,
    },
    /// A second `loop` line.
    #[error("only one loop is allowed; the first is on line {first_line}")]
    DuplicateLoop {
        /// The first loop's line.
        first_line: usize,
    },
    /// `loop` at time 0.
    #[error("a loop at 0s would repeat nothing; put it after the last event")]
    LoopAtZero,
}
