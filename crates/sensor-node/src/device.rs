//! What a sensor process supplies to the loop: a device adapter
//! implementing [`SensorDevice`], and the outcomes it reports.
//!
//! A failed device operation is a [`DeviceError`]: which part, doing what,
//! and the [`Fault`], kept apart until the loop writes them out (its log
//! line, the `ERR` frame, the line the process exits with), so the loop
//! decides on the fault and not on a text.

use std::fmt;
use std::time::Duration;

use wire::{CommandOp, ErrorCode, Message};

/// A device operation that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceError {
    /// The part and where it is: `VEML7700 at /dev/i2c-1 0x10`.
    pub device: String,
    /// What the adapter was doing: `read sample`.
    pub operation: &'static str,
    /// What went wrong.
    pub fault: Fault,
}

/// What went wrong in a [`DeviceError`]. Every fault but
/// [`Fault::WrongPart`] is retried with a re-init.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// A transfer failed (a NACK: the part is gone or busy; a bus fault),
    /// or the driver refused one; `detail` is the bus's or the driver's own
    /// account (`MPU-6050 at 0x68 did not acknowledge`).
    Bus {
        /// The bus error's or the driver's text.
        detail: String,
    },
    /// The part answers but a register does not hold what was written to
    /// it: the part was reset (a brown-out, a glitch on its supply) and is
    /// back in its power-on state, or another master wrote to it.
    ConfigLost {
        /// The register's name from the datasheet (`ALS_CONF_0`).
        register: &'static str,
        /// What the adapter last wrote.
        written: u16,
        /// What it reads.
        read: u16,
    },
    /// The part stopped producing samples and does not hold its
    /// configuration (a reset or brown-out leaves it asleep with its
    /// power-on registers), noticed after `periods` sample periods without
    /// a new sample.
    Stalled {
        /// Sample periods without a new sample.
        periods: u32,
    },
    /// Something answers that is not the part expected (a wrong WHO_AM_I
    /// or ID register): not retried, the process exits with 69.
    WrongPart {
        /// What was found, and what to check.
        detail: String,
    },
}

impl DeviceError {
    /// `device` failed at `operation` with `fault`.
    pub fn new(device: impl Into<String>, operation: &'static str, fault: Fault) -> Self {
        DeviceError {
            device: device.into(),
            operation,
            fault,
        }
    }

    /// A [`Fault::Bus`] of `device` at `operation`.
    pub fn bus(
        device: impl Into<String>,
        operation: &'static str,
        detail: impl fmt::Display,
    ) -> Self {
        DeviceError::new(
            device,
            operation,
            Fault::Bus {
                detail: detail.to_string(),
            },
        )
    }

    /// Whether the part is not the one expected (a re-init cannot help).
    pub fn is_wrong_part(&self) -> bool {
        matches!(self.fault, Fault::WrongPart { .. })
    }
}

impl fmt::Display for DeviceError {
    /// `DEVICE: OPERATION: FAULT`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.device, self.operation, self.fault)
    }
}

impl std::error::Error for DeviceError {}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Bus { detail } | Fault::WrongPart { detail } => f.write_str(detail),
            Fault::ConfigLost {
                register,
                written,
                read,
            } => write!(
                f,
                "{register} reads {read:#06x}, {written:#06x} was written: the part was reset \
                 (power glitch?) or another master wrote to it"
            ),
            Fault::Stalled { periods } => write!(
                f,
                "no new sample for {periods} periods and its configuration is gone \
                 (reset or brown-out?)"
            ),
        }
    }
}

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

    /// `internal`: `op` is one the loop answers itself (`hello`, `stats`),
    /// so it never reaches [`SensorDevice::command`]; what a device answers
    /// it with all the same.
    pub fn not_a_device_command(op: &CommandOp) -> Self {
        Refusal::new(
            ErrorCode::Internal,
            format!("op={} is the loop's, not the device's", op.kind()),
        )
    }
}

/// A device error while doing a command: `ERR code=io` with its text.
impl From<DeviceError> for Refusal {
    fn from(error: DeviceError) -> Self {
        Refusal::io(error.to_string())
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.text)
    }
}

impl std::error::Error for Refusal {}

/// A sensor as the loop sees it. Each sensor process implements it for
/// its parts (an MPU-6050 for `appliance-motion`, an ADS1115 or VEML7700
/// for `appliance-light`) and hands one to [`crate::Node`].
///
/// No method may block or sleep: a wait the device needs is returned as a
/// [`Duration`] and the loop waits in `poll(2)` meanwhile.
pub trait SensorDevice {
    /// What one sample is (`wire::ImuSample`, `wire::LightSample`): the
    /// loop sends it as a frame.
    type Sample: Into<Message<'static>>;

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
    fn finish_start(&mut self) -> Result<Duration, DeviceError> {
        Ok(Duration::ZERO)
    }

    /// The current sample rate in hertz (the loop programs its timer with
    /// it when no GPIO line drives data-ready).
    fn sample_rate_hz(&self) -> u32;

    /// Reads one sample; `Ok(None)` when there is nothing new (not ready
    /// yet). The loop gives the frame's `seq` and `t_us` (µs,
    /// CLOCK_MONOTONIC at the data-ready event).
    fn sample(&mut self, seq: u32, t_us: u64) -> Result<Option<Self::Sample>, DeviceError>;

    /// Handles rate / range / gain / cal / selftest (hello and stats are
    /// the loop's). After `SetRate` the loop re-reads
    /// [`SensorDevice::sample_rate_hz`] and reprograms its timer.
    fn command(&mut self, op: &CommandOp) -> Result<Reply, Refusal>;

    /// Polled after each sample: the result of a `Pending` command, once.
    fn finished(&mut self) -> Option<Result<(), Refusal>> {
        None
    }
}
