//! What can go wrong in a light sensor adapter, and how a command is
//! refused: the two kinds of device failure the poll loop tells apart
//! (retry with a re-init, or give up) and the `ERR` a command earns.

use std::fmt;

use wire::ErrorCode;

/// A device operation failed. Every variant names the device (part, bus,
/// address) and the operation, so the one `ERR code=io` frame of a failure
/// episode and the exit line at start say what to check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeviceFault {
    /// The bus refused a transfer (NACK, the part is gone, a bus fault):
    /// retried through a re-init with backoff.
    #[error("{device}: {operation}: {detail}")]
    Bus {
        /// The part and where it is, e.g. `ADS1115 at /dev/i2c-1 0x48`.
        device: String,
        /// What the adapter was doing, e.g. `read sample`.
        operation: &'static str,
        /// The bus error's text.
        detail: String,
    },
    /// The part answers but no longer holds the configuration written to
    /// it: it lost power and came back in its power-on state (a brown-out),
    /// or something else wrote to it. Retried through a re-init.
    #[error(
        "{device}: {operation}: {register} reads {read:#06x}, {written:#06x} was written: \
         the part was reset (power glitch?) or another master wrote to it"
    )]
    ConfigLost {
        /// The part and where it is.
        device: String,
        /// What the adapter was doing.
        operation: &'static str,
        /// The register name from the datasheet.
        register: &'static str,
        /// What the adapter last wrote.
        written: u16,
        /// What the register reads.
        read: u16,
    },
    /// Something answers at the address but is not the part expected: not
    /// retried (the process exits with 69).
    #[error("{device}: {operation}: {detail}")]
    WrongPart {
        /// The part expected and where.
        device: String,
        /// What the adapter was doing.
        operation: &'static str,
        /// What was found, and what to check.
        detail: String,
    },
}

impl DeviceFault {
    /// True when retrying cannot help: the part is not the one expected.
    pub fn is_identity(&self) -> bool {
        matches!(self, DeviceFault::WrongPart { .. })
    }
}

/// A command the device refuses: answered with `ERR id code text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The `ERR` code (`badarg`, `unsupported`, `io` ...).
    pub code: ErrorCode,
    /// What was wrong and what is allowed, for a person.
    pub text: String,
}

impl Rejection {
    /// `ERR code=badarg`: an argument out of range; `text` names the
    /// allowed values.
    pub fn bad_argument(text: impl Into<String>) -> Self {
        Self {
            code: ErrorCode::BadArgument,
            text: text.into(),
        }
    }

    /// `ERR code=unsupported`: the part cannot do that.
    pub fn unsupported(text: impl Into<String>) -> Self {
        Self {
            code: ErrorCode::Unsupported,
            text: text.into(),
        }
    }

    /// `ERR code=io`: the device failed while doing it.
    pub fn io(fault: &DeviceFault) -> Self {
        Self {
            code: ErrorCode::Io,
            text: fault.to_string(),
        }
    }

    /// `ERR code=internal`: the command should never have reached the
    /// device (`hello` and `stats` are the loop's).
    pub fn internal(text: impl Into<String>) -> Self {
        Self {
            code: ErrorCode::Internal,
            text: text.into(),
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.text)
    }
}

impl std::error::Error for Rejection {}
