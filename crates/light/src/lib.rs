//! `appliance-light`, the appliance's ambient light sensor process. It reads
//! an ADS1115 ADC measuring an LDR in a voltage divider ([`ads1115`]) or a
//! VEML7700 light sensor ([`veml7700`]), on a Linux I2C bus or on the
//! simulated board (`--device sim:SCENARIO`), and sends `LIGHT` frames
//! (illuminance in milli-lux and the raw counts) to the GUI. The device
//! adapters here are the shared `sensor-node` runtime's
//! [`sensor_node::SensorDevice`]s: they bring the part up, take one sample
//! per data-ready event and handle the light commands (`gain`, `rate`,
//! `selftest`); the poll loop, its pipes, heartbeats, statistics and error
//! recovery are the runtime's.
//!
//! # Exit codes
//!
//! | code | when |
//! |---|---|
//! | 0 (`EX_OK`) | SIGTERM or SIGINT |
//! | 64 (`EX_USAGE`) | a bad argument or pipe end, a scenario that does not parse (the message names it) |
//! | 69 (`EX_UNAVAILABLE`) | the device is absent (also: a scenario that cannot be read), keeps failing at start, or is not the part named |
//! | 71 (`EX_OSERR`) | a system call the loop needs failed (signalfd, timerfd, poll) |
//! | 74 (`EX_IOERR`) | reading or writing a pipe failed |
//!
//! The codes are `cli::exit`'s. `--help` lists the arguments ([`HELP`]);
//! each takes its value as `--flag VALUE` or `--flag=VALUE`, once.
//! `--heartbeat-ms 0` sends no heartbeat. `--version` prints
//! `appliance-light VERSION`.
//!
//! The 69 at start comes after one line on stderr naming the device, what
//! failed and what to check, e.g. `appliance-light: device unavailable: 5
//! start attempts over 150 ms failed, the last with: VEML7700 at
//! /dev/i2c-1 0x10: read the ID register: ...: check that the VEML7700 is
//! powered and wired to /dev/i2c-1 and answers at 0x10 ...`.

pub mod ads1115;
pub mod args;
mod process;
mod shared_bus;
pub mod veml7700;

pub use args::{HELP, MAX_OHMS, Options, Part, READY_EDGE, SPEC, parse};
pub use process::run;

/// The program name, at the start of every diagnostic.
pub const PROGRAM: &str = "appliance-light";

/// The bus an adapter runs on: an embedded-hal I2C bus whose errors have a
/// text for messages (`board_io::I2cBus`, a simulated part, a mock bus).
pub trait Bus: embedded_hal::i2c::I2c<Error: std::fmt::Display> {}

impl<B: embedded_hal::i2c::I2c<Error: std::fmt::Display>> Bus for B {}

/// A setting an adapter cannot be built with (a rate out of range); the
/// text says what is allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidSetting(pub String);

/// Writes `PROGRAM: line` to stderr in one write ([`cli::Spec::report`]);
/// a write error is ignored.
pub fn report(line: std::fmt::Arguments<'_>) {
    SPEC.report(&line);
}
