//! What a sensor process supplies to the loop: a device adapter
//! implementing [`SensorDevice`], and the outcomes it reports.

use std::fmt;
use std::time::Duration;

use wire::{CommandOp, ErrorCode, Message};

/// Why a device operation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceError {
    /// The bus said no / the device is gone or misbehaves: retried with
    /// backoff and a re-init. The text names the device and the operation,
    /// e.g. `/dev/i2c-1 0x68: read sample: NACK`.
    Io(String),
    /// The device is there but is not the part we expect (wrong WHO_AM_I
    /// ...): not retried, the process exits with 69.
    Identity(String),
}

impl DeviceError {
    /// The text, whatever the kind.
    pub fn text(&self) -> &str {
        match self {
            DeviceError::Io(text) | DeviceError::Identity(text) => text,
        }
    }
}

impl fmt::Display for DeviceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text())
    }
}

impl std::error::Error for DeviceError {}

/// How a command ends, when the device handles it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// Done: the loop sends `ACK id op`.
    Done,
    /// Started; the loop sends the ACK (or ERR) when
    /// [`SensorDevice::finished`] reports it (e.g. a gyro calibration that
    /// needs N samples).
    Pending,
}

/// A command the device refuses: the loop sends `ERR id code text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The class of error on the wire.
    pub code: ErrorCode,
    /// What is wrong and, where it helps, what is allowed
    /// (`hz must be 1..=1000, got 5000`).
    pub text: String,
}

impl Refusal {
    /// A refusal with `code` and `text`.
    pub fn new(code: ErrorCode, text: impl Into<String>) -> Self {
        Refusal {
            code,
            text: text.into(),
        }
    }

    /// `badarg`: an argument out of range; say what is allowed.
    pub fn bad_argument(text: impl Into<String>) -> Self {
        Refusal::new(ErrorCode::BadArgument, text)
    }

    /// `unsupported`: this device cannot do that.
    pub fn unsupported(text: impl Into<String>) -> Self {
        Refusal::new(ErrorCode::Unsupported, text)
    }

    /// `io`: the device failed while doing it.
    pub fn io(text: impl Into<String>) -> Self {
        Refusal::new(ErrorCode::Io, text)
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.text)
    }
}

impl std::error::Error for Refusal {}

/// A sensor as the loop sees it. Each sensor process implements it once
/// (an MPU-6050 for `appliance-motion`, an ADS1115 or VEML7700 for
/// `appliance-light`) and hands it to [`crate::Node`].
///
/// No method may block or sleep: a wait the device needs is returned as a
/// [`Duration`] and the loop waits in `poll(2)` meanwhile.
pub trait SensorDevice {
    /// Short process name used in frames (`motion`, `light`): a wire token
    /// (printable ASCII, no space, no `*`).
    fn name(&self) -> &str;

    /// Brings the device up (reset, identity check, configure). Called at
    /// start and after I/O errors (re-init). Returns how long to wait
    /// before the first sample is valid (or before
    /// [`SensorDevice::finish_start`], when the device has a second step).
    ///
    /// A re-init must re-apply the settings commands changed (rate,
    /// ranges), and drop any `Pending` command: the loop has answered it
    /// with `ERR code=io` already.
    fn start(&mut self) -> Result<Duration, DeviceError>;

    /// The second half of a bring-up that needs a pause in the middle: the
    /// loop calls it once the wait [`SensorDevice::start`] returned has
    /// passed, and samples after the wait this returns. An MPU-6050 is
    /// reset in `start` (100 ms) and configured here. The default does
    /// nothing. Errors count as failed start attempts.
    ///
    /// (An addition to the contract the two sensor processes were written
    /// against; devices that do not need it keep the default.)
    fn finish_start(&mut self) -> Result<Duration, DeviceError> {
        Ok(Duration::ZERO)
    }

    /// The current sample rate in hertz (the loop programs its timer with
    /// it when no GPIO line drives data-ready).
    fn sample_rate_hz(&self) -> u32;

    /// Reads one sample; `Ok(None)` when there is nothing new (not ready
    /// yet). The loop gives the frame's `seq` and `t_us` (µs,
    /// CLOCK_MONOTONIC at the data-ready event).
    fn sample(&mut self, seq: u32, t_us: u64) -> Result<Option<Message<'static>>, DeviceError>;

    /// Handles rate / range / gain / cal / selftest (hello and stats are
    /// the loop's). After `SetRate` the loop re-reads
    /// [`SensorDevice::sample_rate_hz`] and reprograms its timer.
    fn command(&mut self, op: &CommandOp) -> Result<Reply, Refusal>;

    /// Polled after each sample: the result of a `Pending` command, once.
    fn finished(&mut self) -> Option<Result<(), Refusal>> {
        None
    }
}
