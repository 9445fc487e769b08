//! Signals as events: blocked, then read from a signalfd.

use std::os::fd::{AsFd, BorrowedFd};

use nix::errno::Errno;
use nix::sys::signal::{SigSet, SigmaskHow, Signal, pthread_sigmask};
use nix::sys::signalfd::{SfdFlags, SignalFd};

/// Signals blocked in the calling thread and waiting in a signalfd
/// (non-blocking, close-on-exec) until the loop takes them.
///
/// Create it on the main thread before any other thread starts: threads
/// inherit the mask, so a signal can then only be taken here. A blocked
/// mask is also inherited across exec; a child must unblock it (the
/// supervisor's spawn does).
#[derive(Debug)]
pub struct StopSignals {
    fd: SignalFd,
    mask: SigSet,
}

impl StopSignals {
    /// Blocks `signals` in this thread and opens a signalfd for them.
    pub fn block(signals: &[Signal]) -> Result<StopSignals, Errno> {
        let mut mask = SigSet::empty();
        for &signal in signals {
            mask.add(signal);
        }
        pthread_sigmask(SigmaskHow::SIG_BLOCK, Some(&mask), None)?;
        let fd = SignalFd::with_flags(&mask, SfdFlags::SFD_NONBLOCK | SfdFlags::SFD_CLOEXEC)?;
        Ok(StopSignals { fd, mask })
    }

    /// The next pending signal of the set, or `None` when none is pending.
    pub fn take(&mut self) -> Result<Option<Signal>, Errno> {
        loop {
            match self.fd.read_signal() {
                Ok(Some(info)) => {
                    // The kernel delivers only signals of the mask, all of
                    // which are `Signal`s; skip anything else.
                    let number = i32::try_from(info.ssi_signo).unwrap_or(0);
                    if let Ok(signal) = Signal::try_from(number)
                        && self.mask.contains(signal)
                    {
                        return Ok(Some(signal));
                    }
                }
                Ok(None) => return Ok(None),
                Err(Errno::EINTR) => {}
                Err(errno) => return Err(errno),
            }
        }
    }

    /// The blocked set.
    pub fn mask(&self) -> SigSet {
        self.mask
    }
}

impl AsFd for StopSignals {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nix::sys::signal::raise;

    #[test]
    fn a_blocked_signal_waits_in_the_fd_until_taken() {
        // SIGUSR2 is used by no other test of this crate.
        let mut signals = StopSignals::block(&[Signal::SIGUSR2]).expect("signalfd");
        assert_eq!(signals.take(), Ok(None), "nothing pending yet");
        raise(Signal::SIGUSR2).expect("raise");
        assert_eq!(signals.take(), Ok(Some(Signal::SIGUSR2)));
        assert_eq!(signals.take(), Ok(None), "taken once");
        assert!(signals.mask().contains(Signal::SIGUSR2));
    }
}
