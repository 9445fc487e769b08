//! The event-loop kit every long-running process of the appliance uses:
//! the supervisor, the sensor processes, the GUI and the logger each
//! sleep in one `poll(2)` over the same three kinds of fd.
//!
//! - [`StopSignals`]: signals blocked in the calling thread and read from
//!   a signalfd, so a SIGTERM is an event of the loop (every destructor
//!   runs, no handler runs on arbitrary code).
//! - [`Timer`]: a `CLOCK_MONOTONIC` timerfd, armed once for a deadline or
//!   for a period, and disarmed while nothing is due, so an idle process
//!   has no wakeups.
//! - [`PollSet`]: the fds of one turn of the loop, some of them present
//!   only in some turns; [`PollSet::wait`] says which ones are ready.
//!
//! ```no_run
//! use std::os::fd::AsFd;
//! use std::time::Duration;
//! use event_loop::{PollSet, StopSignals, Timer};
//! use nix::sys::signal::Signal;
//!
//! # fn main() -> Result<(), nix::errno::Errno> {
//! let mut signals = StopSignals::block(&[Signal::SIGTERM, Signal::SIGINT])?;
//! let timer = Timer::new()?;
//! timer.arm_after(Duration::from_secs(1))?;
//! loop {
//!     let mut set = PollSet::new();
//!     let signal = set.add(signals.as_fd());
//!     let tick = set.add(timer.as_fd());
//!     let ready = set.wait(None)?;
//!     if ready.fired(signal) && signals.take()?.is_some() {
//!         return Ok(());
//!     }
//!     if ready.fired(tick) && timer.take()? > 0 {
//!         timer.arm_after(Duration::from_secs(1))?;
//!     }
//! }
//! # }
//! ```
//!
//! Every call returns the raw [`Errno`]; each process wraps it in its own
//! error type, which names the call.

mod poll;
mod signals;
mod timer;

pub use nix::errno::Errno;
pub use poll::{PollSet, Ready, Slot};
pub use signals::StopSignals;
pub use timer::Timer;
