//! The scenario text format, by job: [`lex`] splits lines into words,
//! this module reads each line's time, device and event word, [`imu`],
//! [`light`] and [`fault`] read the events of each kind (with [`fields`]
//! for their `key=value` words and [`value`] for each value), and
//! [`compile`] turns the lines into the timeline. The format itself is
//! documented in the crate docs.

mod compile;
mod error;
mod fault;
mod fields;
mod imu;
mod lex;
mod light;
mod value;

use std::time::Duration;

pub use error::{ParseError, Problem};

use super::{Device, Scenario};
use compile::{Action, Statement, Target, compile};
use lex::{Token, tokenize};
use value::parse_time;

const IMU_EVENTS: &str = "orientation, tilt, flip, tap, shake, temperature, fault";
const LIGHT_EVENTS: &str = "level, hand, fault";
const ALL_EVENTS: &str = "loop";

/// One line's event: its word, the words after it, and the line's number
/// and time.
#[derive(Debug, Clone, Copy)]
struct Event<'a> {
    line: usize,
    at: Duration,
    /// The event word, where a missing word or key is reported.
    word: Token<'a>,
    rest: &'a [Token<'a>],
}

impl Event<'_> {
    /// `problem` at `column` of this line.
    fn error(&self, column: usize, problem: Problem) -> ParseError {
        ParseError {
            line: self.line,
            column,
            problem,
        }
    }
}

/// Reads an event's words into what the line does.
type Reader = fn(&Event<'_>) -> Result<Action, ParseError>;

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
        "imu" => (Target::Device(Device::Imu), "imu", IMU_EVENTS),
        "light" => (Target::Device(Device::Light), "light", LIGHT_EVENTS),
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
    let Some(&word) = tokens.get(2) else {
        return Err(err(
            device.column_after(),
            Problem::MissingEvent {
                device: device_name,
                allowed,
            },
        ));
    };
    let event = Event {
        line,
        at,
        word,
        rest: tokens.get(3..).unwrap_or_default(),
    };
    let readers: &[(&'static str, Reader)] = match (target, word.text) {
        (Target::All, "loop") => &[("loop", |e| {
            fields::Fields::new(e, "loop", "no keys", &[])?;
            Ok(Action::Loop)
        })],
        (Target::Device(_), "fault") => &[("fault", fault::read)],
        (Target::All, _) => &[],
        (Target::Device(Device::Imu), _) => &imu::EVENTS,
        (Target::Device(Device::Light), _) => &light::EVENTS,
    };
    let Some(&(name, read)) = readers.iter().find(|(name, _)| *name == word.text) else {
        return Err(err(
            word.column,
            Problem::UnknownEvent {
                device: device_name,
                found: word.text.to_owned(),
                allowed,
            },
        ));
    };
    let action = read(&event)?;
    Ok(Statement {
        line,
        column: time.column,
        at,
        target,
        event: match action {
            Action::Fault(kind) => fault::name(kind),
            _ => name,
        },
        action,
    })
}
