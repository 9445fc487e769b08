//! Why the loop ended other than by a signal, and the exit code for each.

use std::fmt;
use std::time::Duration;

use cli::exit::{EX_IOERR, EX_OSERR, EX_UNAVAILABLE, EX_USAGE};
use nix::errno::Errno;

use crate::device::{DeviceError, Fault};

/// Why [`crate::Node`] stopped: each variant is one line for stderr that
/// says what failed and what to check (the program puts its name before
/// it), and has an exit code ([`NodeError::exit_code`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NodeError {
    /// The device never came up: `start()` failed for the configured
    /// number of attempts. Exit code 69.
    #[error(
        "device unavailable: {attempts} start attempts over {} ms failed, the last with: {}",
        waited.as_millis(),
        Checked { error, check: check.as_deref() }
    )]
    DeviceUnavailable {
        /// Attempts made.
        attempts: u32,
        /// Time from the first attempt to the last.
        waited: Duration,
        /// The last attempt's error.
        error: DeviceError,
        /// What to check after a bus fault ([`crate::NodeConfig::check`]).
        check: Option<String>,
    },
    /// The device is not the part expected. Exit code 69.
    #[error("wrong device: {0}")]
    WrongDevice(DeviceError),
    /// The process name is not a wire token. Exit code 64.
    #[error("process name `{0}` is not a wire token (printable ASCII without spaces or `*`)")]
    BadName(String),
    /// An output pipe failed other than by being full (EPIPE: its reader
    /// is gone; EBADF). Exit code 74.
    #[error("writing {output}: {source}")]
    Output {
        /// The output's label (`--tx`).
        output: String,
        /// The error.
        source: wire::SendError,
    },
    /// The command pipe failed. Exit code 74.
    #[error("reading commands: {source}")]
    Commands {
        /// The error.
        source: wire::ReadError,
    },
    /// The data-ready source failed (GPIO events, timerfd). Exit code 74.
    #[error("data-ready source: {source}")]
    Ready {
        /// The error.
        source: board_io::ReadyError,
    },
    /// A system call the loop needs failed (signalfd, timerfd, poll,
    /// fcntl). Exit code 71.
    #[error("{call} failed: {errno}")]
    Sys {
        /// The call.
        call: &'static str,
        /// Its error.
        errno: Errno,
    },
}

/// A device error as the loop writes it out: after a bus fault, what to
/// check (the wiring, the address, the scenario) follows.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Checked<'a> {
    pub(crate) error: &'a DeviceError,
    pub(crate) check: Option<&'a str>,
}

impl fmt::Display for Checked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.error)?;
        match (self.check, &self.error.fault) {
            (Some(check), Fault::Bus { .. }) => write!(f, ": {check}"),
            _ => Ok(()),
        }
    }
}

impl NodeError {
    /// The process exit code for this error: 69 for a device that is
    /// absent or wrong, 74 for a pipe or data-ready I/O error, 71 for a
    /// failed system call, 64 for a bad name.
    pub fn exit_code(&self) -> u8 {
        match self {
            NodeError::DeviceUnavailable { .. } | NodeError::WrongDevice(_) => EX_UNAVAILABLE,
            NodeError::Output { .. } | NodeError::Commands { .. } | NodeError::Ready { .. } => {
                EX_IOERR
            }
            NodeError::BadName(_) => EX_USAGE,
            NodeError::Sys { .. } => EX_OSERR,
        }
    }
}
