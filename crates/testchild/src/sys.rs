//! The calls that need `unsafe`: setting a signal's disposition and
//! forking the orphan. Each sits in one small function with its reason.

use nix::errno::Errno;
use nix::poll::{PollTimeout, poll};
use nix::sys::signal::{SigHandler, Signal, signal};
use nix::sys::time::TimeValLike;
use nix::time::{ClockId, clock_gettime};
use nix::unistd::{ForkResult, Pid, fork, getpid, getppid};

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

/// Forks a grandchild that sleeps `ms` milliseconds, says on stdout
/// whether its parent is still there (`orphan ends: its parent had
/// exited`, or `... is alive`) and exits 0; returns its pid. Nothing waits
/// for it.
#[allow(
    unsafe_code,
    reason = "fork(2) is unsafe: the child of a multi-threaded process may only call async-signal-safe functions"
)]
pub(crate) fn fork_orphan(ms: i32) -> Result<Pid, Errno> {
    let parent = getpid();
    // SAFETY: this program starts no threads (and std starts none for
    // it), so the process is single-threaded here and no lock can be held
    // by a thread that does not exist in the child. Even so, the child
    // only runs `orphan_life`, which calls clock_gettime, poll, getppid,
    // write and _exit: all async-signal-safe, none allocates, none returns
    // into Rust code that would run destructors or flush the parent's
    // stdio buffers.
    match unsafe { fork() }? {
        ForkResult::Parent { child } => Ok(child),
        ForkResult::Child => orphan_life(ms, parent),
    }
}

/// The orphan's last line when its parent had exited before it: it was
/// reparented (to init or a subreaper), so nothing waited for it.
const ORPHAN_END_PARENT_GONE: &str = "orphan ends: its parent had exited\n";

/// The orphan's last line when its parent still runs.
const ORPHAN_END_PARENT_ALIVE: &str = "orphan ends: its parent is alive\n";

/// The orphan's whole life: sleep `ms` (poll(2) with no fds, resumed
/// after EINTR for the time left), say whether `parent` is still its
/// parent, then `_exit(0)`.
fn orphan_life(ms: i32, parent: Pid) -> ! {
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
    let last = if getppid() == parent {
        ORPHAN_END_PARENT_ALIVE
    } else {
        ORPHAN_END_PARENT_GONE
    };
    write_stdout(last.as_bytes());
    exit_now(0)
}

/// One `write(2)` of `bytes` to fd 1; a failure has nowhere to go.
#[allow(
    unsafe_code,
    reason = "the forked orphan must not touch std's stdout, whose lock and buffer belong to the parent's copy"
)]
fn write_stdout(bytes: &[u8]) {
    // SAFETY: write(2) on fd 1 from a buffer valid for `bytes.len()`
    // bytes; it only reads the buffer, and an fd 1 that is closed gives
    // EBADF.
    let _ = unsafe { nix::libc::write(1, bytes.as_ptr().cast(), bytes.len()) };
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
