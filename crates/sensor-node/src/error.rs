//! Why the loop ended other than by a signal, and the exit code for each.

use std::time::Duration;

use cli::exit::{EX_IOERR, EX_OSERR, EX_UNAVAILABLE, EX_USAGE};
use nix::errno::Errno;

/// Why [`crate::Node`] stopped: each variant is one line for stderr that
/// says what failed and what to check, and has an exit code
/// ([`NodeError::exit_code`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NodeError {
    /// The device never came up: `start()` failed with I/O errors for the
    /// configured number of attempts. Exit code 69.
    #[error(
        "{name}: device unavailable: {attempts} start attempts over {} ms failed, the last with: {error}",
        waited.as_millis()
    )]
    DeviceUnavailable {
        /// The process name.
        name: String,
        /// Attempts made.
        attempts: u32,
        /// Time from the first attempt to the last.
        waited: Duration,
        /// The last attempt's error (names the device, the operation and
        /// what to check).
        error: String,
    },
    /// The device is not the part expected. Exit code 69.
    #[error("{name}: wrong device: {error}")]
    WrongDevice {
        /// The process name.
        name: String,
        /// What was found (from the device adapter).
        error: String,
    },
    /// The device's name is not a wire token. Exit code 64.
    #[error("device name `{0}` is not a wire token (printable ASCII without spaces or `*`)")]
    BadName(String),
    /// An output pipe failed other than by being full (EPIPE: its reader
    /// is gone; EBADF). Exit code 74.
    #[error("{name}: writing {output}: {source}")]
    Output {
        /// The process name.
        name: String,
        /// The output's label (`--tx`).
        output: String,
        /// The error.
        source: wire::SendError,
    },
    /// The command pipe failed. Exit code 74.
    #[error("{name}: reading commands: {source}")]
    Commands {
        /// The process name.
        name: String,
        /// The error.
        source: wire::ReadError,
    },
    /// The data-ready source failed (GPIO events, timerfd). Exit code 74.
    #[error("{name}: data-ready source: {source}")]
    Ready {
        /// The process name.
        name: String,
        /// The error.
        source: board_io::ReadyError,
    },
    /// A system call the loop needs failed (signalfd, timerfd, poll,
    /// fcntl). Exit code 71.
    #[error("{name}: {call} failed: {errno}")]
    Sys {
        /// The process name.
        name: String,
        /// The call.
        call: &'static str,
        /// Its error.
        errno: Errno,
    },
}

impl NodeError {
    /// The process exit code for this error: 69 for a device that is
    /// absent or wrong, 74 for a pipe or data-ready I/O error, 71 for a
    /// failed system call, 64 for a bad name.
    pub fn exit_code(&self) -> u8 {
        match self {
            NodeError::DeviceUnavailable { .. } | NodeError::WrongDevice { .. } => EX_UNAVAILABLE,
            NodeError::Output { .. } | NodeError::Commands { .. } | NodeError::Ready { .. } => {
                EX_IOERR
            }
            NodeError::BadName(_) => EX_USAGE,
            NodeError::Sys { .. } => EX_OSERR,
        }
    }
}
