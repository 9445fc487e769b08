//! One turn's poll set.

use std::os::fd::BorrowedFd;
use std::time::Duration;

use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

/// The fds one turn of a loop waits on, each for readability. Build it
/// anew each turn (fds come and go with the state), then [`PollSet::wait`].
#[derive(Debug, Default)]
pub struct PollSet<'fd> {
    fds: Vec<PollFd<'fd>>,
}

/// Where an fd stands in its [`PollSet`]; ask the [`Ready`] about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot(usize);

/// What [`PollSet::wait`] found: the events of each slot.
#[derive(Debug, Default)]
pub struct Ready {
    events: Vec<PollFlags>,
}

impl<'fd> PollSet<'fd> {
    /// An empty set.
    pub fn new() -> Self {
        PollSet { fds: Vec::new() }
    }

    /// Adds `fd`, to wait until it is readable (or hung up, or in error).
    pub fn add(&mut self, fd: BorrowedFd<'fd>) -> Slot {
        self.fds.push(PollFd::new(fd, PollFlags::POLLIN));
        Slot(self.fds.len() - 1)
    }

    /// Adds `fd` if there is one this turn.
    pub fn add_some(&mut self, fd: Option<BorrowedFd<'fd>>) -> Option<Slot> {
        fd.map(|fd| self.add(fd))
    }

    /// Sleeps in `poll(2)` until an fd is ready or `timeout` has passed
    /// (`None`: no timeout; rounded up to whole milliseconds, so it never
    /// wakes early). A signal interrupting the wait (`EINTR`) is not an
    /// error: it returns with nothing ready, and the loop turns again.
    pub fn wait(mut self, timeout: Option<Duration>) -> Result<Ready, Errno> {
        let timeout = match timeout {
            None => PollTimeout::NONE,
            Some(t) => {
                let ms = t.as_nanos().div_ceil(1_000_000);
                PollTimeout::try_from(ms).unwrap_or(PollTimeout::MAX)
            }
        };
        match poll(&mut self.fds, timeout) {
            Ok(_) => Ok(Ready {
                events: self
                    .fds
                    .iter()
                    .map(|fd| fd.revents().unwrap_or(PollFlags::empty()))
                    .collect(),
            }),
            Err(Errno::EINTR) => Ok(Ready::default()),
            Err(errno) => Err(errno),
        }
    }
}

impl Ready {
    /// Whether the fd in `slot` has anything to say (readable, hung up or
    /// in error: a read tells which).
    pub fn fired(&self, slot: Slot) -> bool {
        self.events.get(slot.0).is_some_and(|e| !e.is_empty())
    }

    /// [`Ready::fired`] for a slot that may not be in the set this turn.
    pub fn fired_some(&self, slot: Option<Slot>) -> bool {
        slot.is_some_and(|s| self.fired(s))
    }

    /// Whether every writer of the pipe in `slot` has closed it (`POLLHUP`).
    pub fn hung_up(&self, slot: Slot) -> bool {
        self.events
            .get(slot.0)
            .is_some_and(|e| e.contains(PollFlags::POLLHUP))
    }

    /// Whether nothing is ready: the timeout passed, or a signal
    /// interrupted the wait.
    pub fn is_empty(&self) -> bool {
        self.events.iter().all(PollFlags::is_empty)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::os::fd::AsFd;

    #[test]
    fn only_the_fds_with_data_are_ready_and_a_closed_writer_is_a_hang_up() {
        let (quiet_r, _quiet_w) = std::io::pipe().expect("pipe");
        let (busy_r, mut busy_w) = std::io::pipe().expect("pipe");
        busy_w.write_all(b"x").expect("write");
        let mut set = PollSet::new();
        let quiet = set.add(quiet_r.as_fd());
        let absent = set.add_some(None);
        let busy = set.add_some(Some(busy_r.as_fd()));
        let ready = set.wait(Some(Duration::from_secs(30))).expect("poll");
        assert!(!ready.fired(quiet));
        assert!(!ready.fired_some(absent));
        assert!(ready.fired_some(busy));
        assert!(!ready.hung_up(busy.expect("in the set")));

        drop(busy_w);
        let mut set = PollSet::new();
        let busy = set.add(busy_r.as_fd());
        let ready = set.wait(None).expect("poll");
        assert!(ready.hung_up(busy));
    }

    #[test]
    fn a_timeout_with_nothing_ready_is_empty() {
        let (r, _w) = std::io::pipe().expect("pipe");
        let mut set = PollSet::new();
        let slot = set.add(r.as_fd());
        let ready = set.wait(Some(Duration::from_micros(1))).expect("poll");
        assert!(ready.is_empty());
        assert!(!ready.fired(slot));
    }
}
