//! The runtime both sensor processes (`appliance-motion`,
//! `appliance-light`) share: one `poll(2)` loop with the same rules, around
//! a device adapter each process supplies by implementing
//! [`SensorDevice`].
//!
//! The loop ([`Node`]):
//!
//! - sends `HELLO` first, then brings the device up ([`SensorDevice::start`],
//!   then after its wait [`SensorDevice::finish_start`], then after that
//!   wait the first sample) and sends `READY`;
//! - on each data-ready event (a GPIO edge, or a timerfd at
//!   [`SensorDevice::sample_rate_hz`]) reads a sample and writes the frame
//!   to every output pipe. Writes never block: on a full pipe (`EAGAIN`)
//!   the frame is dropped for that output and counted. Every sample frame
//!   takes the next `seq`, dropped or not, and so do data-ready events the
//!   loop was too late for, so a reader sees every loss as a gap;
//! - reads `CMD` frames from its command pipe and answers each with
//!   exactly one `ACK` or `ERR` carrying its `id`: `hello` gets `HELLO`
//!   then the `ACK`, `stats` gets `STATS id=..` (sent, drop, recv, rej,
//!   err) then the `ACK`, the others go to [`SensorDevice::command`]
//!   (a [`Reply::Pending`] one is acknowledged when
//!   [`SensorDevice::finished`] says so). A malformed or unknown command
//!   gets `ERR code=badcmd` with its `id` when that parses and the decoder's
//!   reason; any other frame on the command pipe gets `ERR code=badcmd`
//!   without an id. A device command that comes while the device is
//!   being brought up (at start, when the controller starting beside it
//!   sends its first commands, or while it recovers) or while a pending
//!   command runs waits, and runs in order when the device can take it
//!   ([`MAX_DEFERRED`] at most; past that it gets `ERR code=busy`; if the
//!   device is given up, each gets `ERR code=nodev`);
//! - sends `HB` every heartbeat interval (a timerfd);
//! - on a failed device operation ([`DeviceError`]) while running, sends
//!   one `ERR code=io` for the episode (a pending command gets its own
//!   `ERR code=io`), pauses sampling and re-initialises through `start()`
//!   on a one-shot timerfd: first with quick retries (3, 1 ms apart), then
//!   with exponential backoff (10 ms doubling to 2 s; see [`Backoff`]),
//!   then sends `READY` again;
//! - at start, gives up after [`NodeConfig::start_attempts`] failed
//!   attempts (default 5, with the exponential backoff between them) with
//!   [`NodeError::DeviceUnavailable`]; a [`Fault::WrongPart`] ends it at
//!   once ([`NodeError::WrongDevice`]). Both mean exit code 69 and come
//!   with one line for stderr naming the device, what failed and what to
//!   check (the same text goes out as `ERR code=nodev`);
//! - ends cleanly on SIGTERM or SIGINT, read from a signalfd (exit 0).
//!
//! It sleeps in `poll(2)` with no timeout; the sample timer exists only
//! while the device is up and the bring-up timer only while it is not.
//!
//! Every frame carries the process name ([`NodeConfig::name`]) where its
//! TYPE has one (`HELLO`, `READY`, `HB`, `STATS`, `ERR`). Every line the
//! loop writes to stderr starts with the program's name
//! ([`NodeConfig::program`]), as the program's own lines do.
//!
//! The command line both processes share is here too: their common flags
//! ([`FLAGS`], for a `cli::Spec`), `--device` ([`DeviceSpec`]) and
//! `--heartbeat-ms` ([`heartbeat`]; 0 sends no heartbeat). The exit codes
//! ([`NodeError::exit_code`]) are `cli::exit`'s.
//!
//! # The device contract
//!
//! - A device operation that fails returns a [`DeviceError`]: the part,
//!   the operation and the [`Fault`], which the loop keeps as they are
//!   until it writes them out (log line, `ERR` text, exit line), adding
//!   what to check after a bus fault ([`NodeConfig::check`]).
//! - [`SensorDevice::finish_start`], with a default that does nothing, is
//!   the second half of a bring-up that needs a pause (an MPU-6050 must
//!   wait 100 ms after its reset before it takes its configuration). The
//!   loop waits what `start` returned, calls it, then waits what it
//!   returns.
//! - `hello` and `stats` are the loop's: answered with `HELLO` /
//!   `STATS id=..` and then an `ACK`, so every command gets exactly one
//!   `ACK` or `ERR` with its id, whoever handles it.
//! - When the loop gives up on the device it also sends one
//!   `ERR code=nodev` with the stderr line before returning the error.
//!
//! ```no_run
//! use std::time::Duration;
//! use sensor_node::{DataReady, Node, NodeConfig, Output};
//! # use sensor_node::{DeviceError, Refusal, Reply, SensorDevice};
//! # struct Imu;
//! # impl SensorDevice for Imu {
//! #     type Sample = wire::ImuSample;
//! #     fn start(&mut self) -> Result<Duration, DeviceError> { Ok(Duration::ZERO) }
//! #     fn sample_rate_hz(&self) -> u32 { 100 }
//! #     fn sample(&mut self, _: u32, _: u64) -> Result<Option<wire::ImuSample>, DeviceError> { Ok(None) }
//! #     fn command(&mut self, _: &wire::CommandOp) -> Result<Reply, Refusal> { Err(Refusal::unsupported("no")) }
//! # }
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let tx = pipe_ends::PipeEnd::write_from_arg("--tx", "4")?;
//! let rx = pipe_ends::PipeEnd::read_from_arg("--rx", "3")?;
//! let mut node = Node::new(
//!     Imu,
//!     NodeConfig {
//!         name: "motion".to_owned(),
//!         program: "appliance-motion",
//!         outputs: vec![Output::new("--tx", tx)],
//!         commands: Some(rx.into()),
//!         ready: DataReady::Timer,
//!         heartbeat: Some(Duration::from_secs(1)),
//!         ..NodeConfig::default()
//!     },
//! )?;
//! match node.run() {
//!     Ok(_signal) => std::process::exit(0),
//!     Err(e) => {
//!         eprintln!("appliance-motion: {e}");
//!         std::process::exit(e.exit_code().into());
//!     }
//! }
//! # }
//! ```

mod args;
mod backoff;
mod device;
mod error;
mod node;

pub use args::{
    DEFAULT_HEARTBEAT, DeviceSpec, DeviceSpecError, FLAGS, MAX_HEARTBEAT_MS, heartbeat,
};
pub use backoff::{Backoff, Retry};
pub use device::{DeviceError, Fault, Refusal, Reply, SensorDevice};
pub use error::NodeError;
pub use node::{
    DataReady, Flow, MAX_DEFERRED, Node, NodeConfig, NodeStats, Output, block_stop_signals,
    monotonic_us,
};
