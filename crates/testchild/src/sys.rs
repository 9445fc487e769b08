//! The calls that need `unsafe`: setting a signal's disposition and
//! forking the orphan. Each sits in one small function with its reason.

use nix::errno::Errno;
use nix::poll::{PollTimeout, poll};
use nix::sys::signal::{SigHandler, Signal, signal};
use nix::sys::time::TimeValLike;
use nix::time::{ClockId, clock_gettime};
use nix::unistd::{ForkResult, Pid, fork};

/// What the process does on a signal, of the kinds that run no code here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Disposition {
    /// `SIG_DFL`: the kernel's default action (die, dump core, ignore...).
    Default,
    /// `SIG_IGN`: discard the signal.
    Ignore,
}

/// Sets `sig`'s disposition to `SIG_DFL` or `SIG_IGN`.
#[allow(
    unsafe_code,
    reason = "signal(2) is unsafe in nix because a handler could be any code; here it is only SIG_DFL or SIG_IGN"
)]
pub(crate) fn set_disposition(sig: Signal, disposition: Disposition) -> Result<(), Errno> {
    let handler = match disposition {
        Disposition::Default => SigHandler::SigDfl,
        Disposition::Ignore => SigHandler::SigIgn,
    };
    // SAFETY: SIG_DFL and SIG_IGN run no code in this process, so no
    // handler can break async-signal-safety or touch Rust state. Replacing
    // the Rust runtime's SIGSEGV/SIGBUS handler loses only its "stack
    // overflow" message, which is the point: the fault must kill us.
    unsafe { signal(sig, handler) }.map(drop)
}

/// Forks a grandchild that sleeps `ms` milliseconds and exits 0; returns
/// its pid. Nothing waits for it.
#[allow(
    unsafe_code,
    reason = "fork(2) is unsafe: the child of a multi-threaded process may only call async-signal-safe functions"
)]
pub(crate) fn fork_orphan(ms: i32) -> Result<Pid, Errno> {
    // SAFETY: this program starts no threads (and std starts none for
    // it), so the process is single-threaded here and no lock can be held
    // by a thread that does not exist in the child. Even so, the child
    // only runs `orphan_life`, which calls clock_gettime, poll and _exit:
    // all async-signal-safe, none allocates, none returns into Rust code
    // that would run destructors or flush the parent's stdio buffers.
    match unsafe { fork() }? {
        ForkResult::Parent { child } => Ok(child),
        ForkResult::Child => orphan_life(ms),
    }
}

/// The orphan's whole life: sleep `ms` (poll(2) with no fds, resumed
/// after EINTR for the time left), then `_exit(0)`.
fn orphan_life(ms: i32) -> ! {
    let now_ms = || clock_gettime(ClockId::CLOCK_MONOTONIC).map(|t| t.num_milliseconds());
    if let Ok(start) = now_ms() {
        let end = start + i64::from(ms);
        let mut left = i64::from(ms);
        while left > 0 {
            let timeout = PollTimeout::try_from(left).unwrap_or(PollTimeout::MAX);
            match poll(&mut [], timeout) {
                Err(Errno::EINTR) => {}
                _ => break,
            }
            match now_ms() {
                Ok(now) => left = end - now,
                Err(_) => break,
            }
        }
    }
    exit_now(0)
}

/// `_exit(2)`: ends the process at once, without atexit handlers or stdio
/// flushes (which belong to the parent's copy of the process).
#[allow(
    unsafe_code,
    reason = "libc's _exit is an extern fn; the forked child must not run std's exit path"
)]
fn exit_now(code: i32) -> ! {
    // SAFETY: _exit is async-signal-safe, takes a plain int, touches no
    // memory of ours, and does not return.
    unsafe { nix::libc::_exit(code) }
}
