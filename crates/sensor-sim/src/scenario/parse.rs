//! The scenario text format: tokens, values, statements, and the timeline
//! they compile to. The format itself is documented in the crate docs.

use std::time::Duration;

use super::{Axis, Fault, FaultKind, Hand, Impulse, Ramp, Scenario};

/// Longest time or duration accepted, seconds (about 116 days).
const MAX_SECONDS: f64 = 10_000_000.0;
/// Default duration of a `tilt` or `flip` move.
const DEFAULT_MOVE: Duration = Duration::from_millis(500);
/// Default width of one tap pulse.
const DEFAULT_TAP_WIDTH: Duration = Duration::from_millis(15);
/// Default time between the starts of the taps of one `tap count=N`.
const DEFAULT_TAP_GAP: Duration = Duration::from_millis(250);
/// Default duration of a `hand` dip.
const DEFAULT_HAND: Duration = Duration::from_millis(400);

const DEVICES: &str = "imu, light, and * (for loop)";
const IMU_EVENTS: &str = "orientation, tilt, flip, tap, shake, temperature, fault";
const LIGHT_EVENTS: &str = "level, hand, fault";
const ALL_EVENTS: &str = "loop";
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
        "`{found}` is not a time: {why}; write a number and a unit, e.g. 0s, 1.5s, 400ms, 2min (units: us, ms, s, min)"
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

/// One word of a line and where it starts.
#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    text: &'a str,
    column: usize,
}

impl Token<'_> {
    /// The column just after this word, where a missing word is reported.
    fn column_after(&self) -> usize {
        self.column + self.text.chars().count()
    }
}

/// Words of a line up to a `#` comment, with their columns (characters).
fn tokenize(line: &str) -> Vec<Token<'_>> {
    let mut tokens = Vec::new();
    let mut start: Option<(usize, usize)> = None;
    let mut end = line.len();
    for (column, (i, c)) in (1..).zip(line.char_indices()) {
        if c == '#' {
            end = i;
            break;
        }
        if c.is_whitespace() {
            if let Some((b, col)) = start.take() {
                tokens.push(Token {
                    text: &line[b..i],
                    column: col,
                });
            }
        } else if start.is_none() {
            start = Some((i, column));
        }
    }
    if let Some((b, col)) = start {
        tokens.push(Token {
            text: &line[b..end],
            column: col,
        });
    }
    tokens
}

/// What a line does, once its words are checked.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Action {
    Orientation {
        roll: Option<f64>,
        pitch: Option<f64>,
    },
    Tilt {
        roll: Option<f64>,
        pitch: Option<f64>,
        over: Duration,
        hold: Option<Duration>,
    },
    Flip {
        over: Duration,
        hold: Option<Duration>,
    },
    Tap {
        axis: Axis,
        peak_g: f64,
        width: Duration,
        count: u32,
        gap: Duration,
    },
    Shake {
        axis: Axis,
        amplitude_g: f64,
        freq_hz: f64,
        lasting: Duration,
    },
    Temperature {
        celsius: f64,
        over: Duration,
    },
    Level {
        lux: f64,
        over: Duration,
    },
    Hand {
        depth: f64,
        lasting: Duration,
    },
    Fault(FaultKind),
    Loop,
}

impl Action {
    /// When the line's effect ends (its start for instantaneous ones).
    fn end(&self, at: Duration) -> Duration {
        match *self {
            Action::Orientation { .. } | Action::Loop => at,
            Action::Tilt { over, hold, .. } | Action::Flip { over, hold } => match hold {
                Some(hold) => at + over + hold + over,
                None => at + over,
            },
            Action::Tap {
                width, count, gap, ..
            } => at + gap * count.saturating_sub(1) + width,
            Action::Shake { lasting, .. } | Action::Hand { lasting, .. } => at + lasting,
            Action::Temperature { over, .. } | Action::Level { over, .. } => at + over,
            Action::Fault(kind) => match kind {
                FaultKind::Stuck {
                    lasting: Some(lasting),
                }
                | FaultKind::Vanish {
                    lasting: Some(lasting),
                } => at + lasting,
                _ => at,
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Target {
    Device(super::Device),
    All,
}

#[derive(Debug, Clone)]
struct Statement {
    line: usize,
    column: usize,
    at: Duration,
    target: Target,
    event: &'static str,
    action: Action,
}

pub(super) fn parse(text: &str) -> Result<Scenario, ParseError> {
    let mut statements = Vec::new();
    for (line, content) in (1..).zip(text.lines()) {
        let tokens = tokenize(content);
        if tokens.is_empty() {
            continue;
        }
        statements.push(parse_statement(line, &tokens)?);
    }
    compile(statements)
}

fn parse_statement(line: usize, tokens: &[Token<'_>]) -> Result<Statement, ParseError> {
    let err = |column, problem| ParseError {
        line,
        column,
        problem,
    };
    let Some(&time) = tokens.first() else {
        return Err(err(1, Problem::MissingDevice));
    };
    let at = parse_time(time.text).map_err(|why| {
        err(
            time.column,
            Problem::BadTime {
                found: time.text.to_owned(),
                why,
            },
        )
    })?;
    let Some(&device) = tokens.get(1) else {
        return Err(err(time.column_after(), Problem::MissingDevice));
    };
    let (target, device_name, allowed) = match device.text {
        "imu" => (Target::Device(super::Device::Imu), "imu", IMU_EVENTS),
        "light" => (Target::Device(super::Device::Light), "light", LIGHT_EVENTS),
        "*" => (Target::All, "*", ALL_EVENTS),
        other => {
            return Err(err(
                device.column,
                Problem::UnknownDevice {
                    found: other.to_owned(),
                },
            ));
        }
    };
    let Some(&event) = tokens.get(2) else {
        return Err(err(
            device.column_after(),
            Problem::MissingEvent {
                device: device_name,
                allowed,
            },
        ));
    };
    let unknown_event = || {
        err(
            event.column,
            Problem::UnknownEvent {
                device: device_name,
                found: event.text.to_owned(),
                allowed,
            },
        )
    };
    let rest = tokens.get(3..).unwrap_or_default();
    let (name, action) = match (target, event.text) {
        (Target::All, "loop") => {
            Fields::new(line, "loop", "no keys", &[], event, rest)?;
            ("loop", Action::Loop)
        }
        (Target::All, _) => return Err(unknown_event()),
        (Target::Device(_), "fault") => {
            let Some(&kind) = rest.first() else {
                return Err(err(event.column_after(), Problem::MissingFault));
            };
            let keys = rest.get(1..).unwrap_or_default();
            parse_fault(line, kind, keys)?
        }
        (Target::Device(super::Device::Imu), name) => match name {
            "orientation" => ("orientation", parse_orientation(line, event, rest)?),
            "tilt" => ("tilt", parse_tilt(line, event, rest)?),
            "flip" => ("flip", parse_flip(line, event, rest)?),
            "tap" => ("tap", parse_tap(line, event, rest)?),
            "shake" => ("shake", parse_shake(line, event, rest)?),
            "temperature" => ("temperature", parse_temperature(line, event, rest)?),
            _ => return Err(unknown_event()),
        },
        (Target::Device(super::Device::Light), name) => match name {
            "level" => ("level", parse_level(line, event, rest)?),
            "hand" => ("hand", parse_hand(line, event, rest)?),
            _ => return Err(unknown_event()),
        },
    };
    Ok(Statement {
        line,
        column: time.column,
        at,
        target,
        event: name,
        action,
    })
}

const ORIENTATION_USAGE: &str = "roll=DEGREES and/or pitch=DEGREES";
const TILT_USAGE: &str =
    "roll=DEGREES and/or pitch=DEGREES, optional over=DURATION (default 500ms) and for=DURATION";
const FLIP_USAGE: &str = "optional over=DURATION (default 500ms) and for=DURATION";
const TAP_USAGE: &str = "axis=x|y|z, peak=ACCEL, optional width=DURATION (default 15ms), count=N (default 1), gap=DURATION (default 250ms)";
const SHAKE_USAGE: &str = "axis=x|y|z, amplitude=ACCEL, freq=HZ, for=DURATION";
const TEMPERATURE_USAGE: &str = "celsius=DEGREES, optional over=DURATION";
const LEVEL_USAGE: &str = "lux=LUX, optional over=DURATION";
const HAND_USAGE: &str =
    "depth=FRACTION (of the light blocked), optional for=DURATION (default 400ms)";
const NACK_USAGE: &str = "count=N";
const LASTING_USAGE: &str = "optional for=DURATION (default: for ever, or until the loop)";

fn parse_orientation(
    line: usize,
    event: Token<'_>,
    rest: &[Token<'_>],
) -> Result<Action, ParseError> {
    let f = Fields::new(
        line,
        "orientation",
        ORIENTATION_USAGE,
        &["roll", "pitch"],
        event,
        rest,
    )?;
    let roll = f.get("roll", angle)?;
    let pitch = f.get("pitch", angle)?;
    if roll.is_none() && pitch.is_none() {
        return Err(f.missing("roll or pitch"));
    }
    Ok(Action::Orientation { roll, pitch })
}

fn parse_tilt(line: usize, event: Token<'_>, rest: &[Token<'_>]) -> Result<Action, ParseError> {
    let f = Fields::new(
        line,
        "tilt",
        TILT_USAGE,
        &["roll", "pitch", "over", "for"],
        event,
        rest,
    )?;
    let roll = f.get("roll", angle)?;
    let pitch = f.get("pitch", angle)?;
    if roll.is_none() && pitch.is_none() {
        return Err(f.missing("roll or pitch"));
    }
    Ok(Action::Tilt {
        roll,
        pitch,
        over: f.get("over", duration)?.unwrap_or(DEFAULT_MOVE),
        hold: f.get("for", positive_duration)?,
    })
}

fn parse_flip(line: usize, event: Token<'_>, rest: &[Token<'_>]) -> Result<Action, ParseError> {
    let f = Fields::new(line, "flip", FLIP_USAGE, &["over", "for"], event, rest)?;
    Ok(Action::Flip {
        over: f.get("over", duration)?.unwrap_or(DEFAULT_MOVE),
        hold: f.get("for", positive_duration)?,
    })
}

fn parse_tap(line: usize, event: Token<'_>, rest: &[Token<'_>]) -> Result<Action, ParseError> {
    let f = Fields::new(
        line,
        "tap",
        TAP_USAGE,
        &["axis", "peak", "width", "count", "gap"],
        event,
        rest,
    )?;
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
    Ok(Action::Tap {
        axis,
        peak_g,
        width,
        count,
        gap,
    })
}

fn parse_shake(line: usize, event: Token<'_>, rest: &[Token<'_>]) -> Result<Action, ParseError> {
    let f = Fields::new(
        line,
        "shake",
        SHAKE_USAGE,
        &["axis", "amplitude", "freq", "for"],
        event,
        rest,
    )?;
    Ok(Action::Shake {
        axis: f.require("axis", axis)?,
        amplitude_g: f.require("amplitude", accel_g)?,
        freq_hz: f.require("freq", frequency_hz)?,
        lasting: f.require("for", positive_duration)?,
    })
}

fn parse_temperature(
    line: usize,
    event: Token<'_>,
    rest: &[Token<'_>],
) -> Result<Action, ParseError> {
    let f = Fields::new(
        line,
        "temperature",
        TEMPERATURE_USAGE,
        &["celsius", "over"],
        event,
        rest,
    )?;
    Ok(Action::Temperature {
        celsius: f.require("celsius", celsius)?,
        over: f.get("over", duration)?.unwrap_or(Duration::ZERO),
    })
}

fn parse_level(line: usize, event: Token<'_>, rest: &[Token<'_>]) -> Result<Action, ParseError> {
    let f = Fields::new(line, "level", LEVEL_USAGE, &["lux", "over"], event, rest)?;
    Ok(Action::Level {
        lux: f.require("lux", lux)?,
        over: f.get("over", duration)?.unwrap_or(Duration::ZERO),
    })
}

fn parse_hand(line: usize, event: Token<'_>, rest: &[Token<'_>]) -> Result<Action, ParseError> {
    let f = Fields::new(line, "hand", HAND_USAGE, &["depth", "for"], event, rest)?;
    Ok(Action::Hand {
        depth: f.require("depth", fraction)?,
        lasting: f.get("for", positive_duration)?.unwrap_or(DEFAULT_HAND),
    })
}

fn parse_fault(
    line: usize,
    kind: Token<'_>,
    rest: &[Token<'_>],
) -> Result<(&'static str, Action), ParseError> {
    let (name, fault) = match kind.text {
        "nack" => {
            let f = Fields::new(line, "fault nack", NACK_USAGE, &["count"], kind, rest)?;
            let count = f.require("count", nack_count)?;
            ("fault nack", FaultKind::Nack { count })
        }
        "stuck" => {
            let f = Fields::new(line, "fault stuck", LASTING_USAGE, &["for"], kind, rest)?;
            let lasting = f.get("for", positive_duration)?;
            ("fault stuck", FaultKind::Stuck { lasting })
        }
        "vanish" => {
            let f = Fields::new(line, "fault vanish", LASTING_USAGE, &["for"], kind, rest)?;
            let lasting = f.get("for", positive_duration)?;
            ("fault vanish", FaultKind::Vanish { lasting })
        }
        "reset" => {
            Fields::new(line, "fault reset", "no keys", &[], kind, rest)?;
            ("fault reset", FaultKind::Reset)
        }
        other => {
            return Err(ParseError {
                line,
                column: kind.column,
                problem: Problem::UnknownFault {
                    found: other.to_owned(),
                },
            });
        }
    };
    Ok((name, Action::Fault(fault)))
}

/// The `key=value` words of one line, checked against what the event takes.
struct Fields<'a> {
    line: usize,
    event: &'static str,
    usage: &'static str,
    /// The event word, where a missing key is reported.
    anchor: Token<'a>,
    items: Vec<Field<'a>>,
}

struct Field<'a> {
    key: &'a str,
    value: &'a str,
    value_column: usize,
}

impl<'a> Fields<'a> {
    fn new(
        line: usize,
        event: &'static str,
        usage: &'static str,
        keys: &[&str],
        anchor: Token<'a>,
        tokens: &[Token<'a>],
    ) -> Result<Self, ParseError> {
        let mut items: Vec<Field<'a>> = Vec::with_capacity(tokens.len());
        for token in tokens {
            let err = |problem| ParseError {
                line,
                column: token.column,
                problem,
            };
            let Some((key, value)) = token.text.split_once('=') else {
                return Err(err(Problem::NotKeyValue {
                    found: token.text.to_owned(),
                    event,
                    usage,
                }));
            };
            if key.is_empty() || value.is_empty() {
                return Err(err(Problem::NotKeyValue {
                    found: token.text.to_owned(),
                    event,
                    usage,
                }));
            }
            if !keys.contains(&key) {
                return Err(err(Problem::UnknownKey {
                    key: key.to_owned(),
                    event,
                    usage,
                }));
            }
            if items.iter().any(|f| f.key == key) {
                return Err(err(Problem::DuplicateKey {
                    key: key.to_owned(),
                }));
            }
            items.push(Field {
                key,
                value,
                value_column: token.column + key.chars().count() + 1,
            });
        }
        Ok(Self {
            line,
            event,
            usage,
            anchor,
            items,
        })
    }

    fn field(&self, key: &str) -> Option<&Field<'a>> {
        self.items.iter().find(|f| f.key == key)
    }

    fn get<T>(
        &self,
        key: &'static str,
        parse: impl Fn(&str) -> Result<T, &'static str>,
    ) -> Result<Option<T>, ParseError> {
        let Some(field) = self.field(key) else {
            return Ok(None);
        };
        parse(field.value).map(Some).map_err(|expected| ParseError {
            line: self.line,
            column: field.value_column,
            problem: Problem::BadValue {
                key,
                found: field.value.to_owned(),
                expected,
            },
        })
    }

    fn require<T>(
        &self,
        key: &'static str,
        parse: impl Fn(&str) -> Result<T, &'static str>,
    ) -> Result<T, ParseError> {
        self.get(key, parse)?.ok_or_else(|| self.missing(key))
    }

    fn missing(&self, key: &'static str) -> ParseError {
        ParseError {
            line: self.line,
            column: self.anchor.column,
            problem: Problem::MissingKey {
                key,
                event: self.event,
                usage: self.usage,
            },
        }
    }

    /// A value that is fine alone but not with the others on its line.
    fn bad(&self, key: &'static str, expected: &'static str) -> ParseError {
        let (column, found) = match self.field(key) {
            Some(f) => (f.value_column, f.value.to_owned()),
            None => (self.anchor.column, String::new()),
        };
        ParseError {
            line: self.line,
            column,
            problem: Problem::BadValue {
                key,
                found,
                expected,
            },
        }
    }
}

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

/// A time or duration: a non-negative number and a unit.
fn parse_time(s: &str) -> Result<Duration, &'static str> {
    let (value, unit) = split_number(s).ok_or("it does not start with a number")?;
    let scale = match unit.to_ascii_lowercase().as_str() {
        "" => return Err("it has no unit"),
        "us" => 1e-6,
        "ms" => 1e-3,
        "s" => 1.0,
        "min" => 60.0,
        _ => return Err("its unit is not one of us, ms, s, min"),
    };
    if value < 0.0 {
        return Err("it is negative");
    }
    let seconds = value * scale;
    if seconds > MAX_SECONDS {
        return Err("it is longer than 10000000s");
    }
    Ok(Duration::from_nanos((seconds * 1e9).round() as u64))
}

fn duration(s: &str) -> Result<Duration, &'static str> {
    parse_time(s)
        .map_err(|_| "a duration with a unit, e.g. 0s, 400ms, 1.5s, 2min (units: us, ms, s, min)")
}

fn positive_duration(s: &str) -> Result<Duration, &'static str> {
    const EXPECTED: &str =
        "a duration above 0 with a unit, e.g. 400ms, 1.5s, 2min (units: us, ms, s, min)";
    match parse_time(s) {
        Ok(d) if !d.is_zero() => Ok(d),
        _ => Err(EXPECTED),
    }
}

fn tap_width(s: &str) -> Result<Duration, &'static str> {
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

fn angle(s: &str) -> Result<f64, &'static str> {
    number_in(
        s,
        &[("", 1.0), ("deg", 1.0)],
        -360.0..=360.0,
        "degrees from -360 to 360, e.g. 30 or -12.5deg",
    )
}

fn accel_g(s: &str) -> Result<f64, &'static str> {
    number_in(
        s,
        &[("g", 1.0), ("mg", 1e-3)],
        -64.0..=64.0,
        "an acceleration from -64g to 64g with its unit, e.g. 2.5g or -800mg",
    )
}

fn frequency_hz(s: &str) -> Result<f64, &'static str> {
    number_in(
        s,
        &[("hz", 1.0)],
        0.001..=200.0,
        "a frequency above 0 and at most 200hz, e.g. 6hz",
    )
}

fn lux(s: &str) -> Result<f64, &'static str> {
    number_in(
        s,
        &[("", 1.0), ("lx", 1.0), ("lux", 1.0)],
        0.0..=200_000.0,
        "an illuminance from 0 to 200000 lux, e.g. 300 or 12.5lx",
    )
}

fn fraction(s: &str) -> Result<f64, &'static str> {
    number_in(
        s,
        &[("", 1.0), ("%", 0.01)],
        0.0..=1.0,
        "a fraction from 0 to 1 or a percentage, e.g. 0.9 or 90%",
    )
}

fn celsius(s: &str) -> Result<f64, &'static str> {
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

fn tap_count(s: &str) -> Result<u32, &'static str> {
    whole_number(s, 20).ok_or("a whole number of taps from 1 to 20")
}

fn nack_count(s: &str) -> Result<u32, &'static str> {
    whole_number(s, 1_000_000).ok_or("a whole number of transactions from 1 to 1000000")
}

fn axis(s: &str) -> Result<Axis, &'static str> {
    match s {
        "x" | "X" => Ok(Axis::X),
        "y" | "Y" => Ok(Axis::Y),
        "z" | "Z" => Ok(Axis::Z),
        _ => Err("x, y or z"),
    }
}

/// Roll after a flip: face up becomes face down and back, without the angle
/// growing from flip to flip.
fn flipped_roll(roll: f64) -> f64 {
    if roll.to_radians().cos() >= 0.0 {
        roll + 180.0
    } else {
        roll - 180.0
    }
}

/// One smoothly moving quantity (orientation, temperature, light level):
/// its ramps, and which line is still moving it until when.
struct Mover<const N: usize> {
    ramps: Vec<Ramp<N>>,
    current: [f64; N],
    busy: Option<(Duration, usize, &'static str)>,
}

impl<const N: usize> Mover<N> {
    fn new(initial: [f64; N]) -> Self {
        Self {
            ramps: Vec::new(),
            current: initial,
            busy: None,
        }
    }

    /// Moves to `target` over `over`, optionally holding it for `hold` and
    /// moving back.
    fn go(
        &mut self,
        s: &Statement,
        target: [f64; N],
        over: Duration,
        hold: Option<Duration>,
    ) -> Result<(), ParseError> {
        if let Some((until, other_line, other)) = self.busy
            && s.at < until
        {
            return Err(ParseError {
                line: s.line,
                column: s.column,
                problem: Problem::Overlap {
                    event: s.event,
                    at: s.at,
                    other,
                    other_line,
                    until,
                },
            });
        }
        let from = self.current;
        self.ramps.push(Ramp {
            start: s.at,
            end: s.at + over,
            from,
            to: target,
        });
        match hold {
            Some(hold) => {
                let back = s.at + over + hold;
                self.ramps.push(Ramp {
                    start: back,
                    end: back + over,
                    from: target,
                    to: from,
                });
            }
            None => self.current = target,
        }
        self.busy = Some((s.action.end(s.at), s.line, s.event));
        Ok(())
    }
}

fn compile(mut statements: Vec<Statement>) -> Result<Scenario, ParseError> {
    // Stable: lines at the same time keep their order in the file.
    statements.sort_by_key(|s| s.at);

    let mut loop_at: Option<(Duration, usize)> = None;
    for s in statements.iter().filter(|s| s.action == Action::Loop) {
        let err = |problem| ParseError {
            line: s.line,
            column: s.column,
            problem,
        };
        if let Some((_, first_line)) = loop_at {
            return Err(err(Problem::DuplicateLoop { first_line }));
        }
        if s.at.is_zero() {
            return Err(err(Problem::LoopAtZero));
        }
        loop_at = Some((s.at, s.line));
    }
    if let Some((loop_time, loop_line)) = loop_at {
        for s in statements.iter().filter(|s| s.action != Action::Loop) {
            let err = |problem| ParseError {
                line: s.line,
                column: s.column,
                problem,
            };
            if s.at >= loop_time {
                return Err(err(Problem::AfterLoop {
                    at: s.at,
                    loop_at: loop_time,
                    loop_line,
                }));
            }
            let until = s.action.end(s.at);
            if until > loop_time {
                return Err(err(Problem::OutlastsLoop {
                    event: s.event,
                    until,
                    loop_at: loop_time,
                    loop_line,
                }));
            }
        }
    }

    let mut orientation = Mover::new([0.0, 0.0]);
    let mut temperature = Mover::new([super::INITIAL_TEMPERATURE_C]);
    let mut level = Mover::new([0.0]);
    let mut scenario = Scenario {
        loop_period: loop_at.map(|(at, _)| at),
        ..Scenario::default()
    };
    for s in &statements {
        match s.action {
            Action::Orientation { roll, pitch } => {
                let [r, p] = orientation.current;
                let target = [roll.unwrap_or(r), pitch.unwrap_or(p)];
                orientation.go(s, target, Duration::ZERO, None)?;
            }
            Action::Tilt {
                roll,
                pitch,
                over,
                hold,
            } => {
                let [r, p] = orientation.current;
                let target = [roll.unwrap_or(r), pitch.unwrap_or(p)];
                orientation.go(s, target, over, hold)?;
            }
            Action::Flip { over, hold } => {
                let [r, p] = orientation.current;
                orientation.go(s, [flipped_roll(r), p], over, hold)?;
            }
            Action::Temperature { celsius, over } => temperature.go(s, [celsius], over, None)?,
            Action::Level { lux, over } => level.go(s, [lux], over, None)?,
            Action::Tap {
                axis,
                peak_g,
                width,
                count,
                gap,
            } => scenario.impulses.push(Impulse::Tap {
                axis,
                peak_g,
                start: s.at,
                width,
                count,
                gap,
            }),
            Action::Shake {
                axis,
                amplitude_g,
                freq_hz,
                lasting,
            } => scenario.impulses.push(Impulse::Shake {
                axis,
                amplitude_g,
                freq_hz,
                start: s.at,
                lasting,
            }),
            Action::Hand { depth, lasting } => scenario.hands.push(Hand {
                start: s.at,
                lasting,
                depth,
            }),
            Action::Fault(kind) => {
                let fault = Fault { at: s.at, kind };
                match s.target {
                    Target::Device(super::Device::Imu) => scenario.imu_faults.push(fault),
                    Target::Device(super::Device::Light) => scenario.light_faults.push(fault),
                    Target::All => {}
                }
            }
            Action::Loop => {}
        }
    }
    scenario.orientation = orientation.ramps;
    scenario.temperature = temperature.ramps;
    scenario.level = level.ramps;
    Ok(scenario)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_carry_character_columns_and_stop_at_comments() {
        let t = tokenize("  1.5s\timu  tap axis=z # peak=9g");
        let words: Vec<(&str, usize)> = t.iter().map(|t| (t.text, t.column)).collect();
        assert_eq!(
            words,
            [("1.5s", 3), ("imu", 8), ("tap", 13), ("axis=z", 17)]
        );
        let t = tokenize("é 0s#x");
        assert_eq!(t[1].text, "0s");
        assert_eq!(t[1].column, 3);
    }

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

    #[test]
    fn flips_alternate_between_face_up_and_face_down() {
        assert_eq!(flipped_roll(0.0), 180.0);
        assert_eq!(flipped_roll(180.0), 0.0);
        assert_eq!(flipped_roll(-30.0), 150.0);
    }
}
