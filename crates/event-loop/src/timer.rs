//! A monotonic timerfd.

use std::os::fd::{AsFd, BorrowedFd};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::sys::time::TimeSpec;
use nix::sys::timerfd::{ClockId, Expiration, TimerFd, TimerFlags, TimerSetTimeFlags};

/// A `CLOCK_MONOTONIC` timerfd (non-blocking, close-on-exec): readable
/// once it has expired, until [`Timer::take`] reads the count.
#[derive(Debug)]
pub struct Timer {
    fd: TimerFd,
}

impl Timer {
    /// A disarmed timer.
    pub fn new() -> Result<Timer, Errno> {
        let fd = TimerFd::new(
            ClockId::CLOCK_MONOTONIC,
            TimerFlags::TFD_NONBLOCK | TimerFlags::TFD_CLOEXEC,
        )?;
        Ok(Timer { fd })
    }

    /// Arms it to expire once, `delay` from now. A zero delay expires at
    /// once (the kernel takes a zero expiration as "disarm", so it waits
    /// a nanosecond instead).
    pub fn arm_after(&self, delay: Duration) -> Result<(), Errno> {
        let delay = delay.max(Duration::from_nanos(1));
        self.fd.set(
            Expiration::OneShot(TimeSpec::from_duration(delay)),
            TimerSetTimeFlags::empty(),
        )
    }

    /// Arms it to expire once at `deadline` (at once if it has passed).
    pub fn arm_at(&self, deadline: Instant) -> Result<(), Errno> {
        self.arm_after(deadline.saturating_duration_since(Instant::now()))
    }

    /// Arms it to expire every `period`, the first time one period from
    /// now. Expirations not yet taken are discarded.
    pub fn arm_every(&self, period: Duration) -> Result<(), Errno> {
        let period = TimeSpec::from_duration(period.max(Duration::from_nanos(1)));
        self.fd
            .set(Expiration::Interval(period), TimerSetTimeFlags::empty())
    }

    /// Disarms it; expirations not yet taken are discarded.
    pub fn disarm(&self) -> Result<(), Errno> {
        self.fd.unset()
    }

    /// The period it is armed with (`None`: disarmed or one-shot), read
    /// back from the kernel.
    pub fn period(&self) -> Result<Option<Duration>, Errno> {
        Ok(match self.fd.get()? {
            Some(Expiration::Interval(period) | Expiration::IntervalDelayed(_, period)) => {
                Some(Duration::from(period))
            }
            Some(Expiration::OneShot(_)) | None => None,
        })
    }

    /// Expirations since the last call; 0 when there are none (a
    /// spurious wakeup, or a re-arm discarded them). Never blocks.
    pub fn take(&self) -> Result<u64, Errno> {
        let mut count = [0u8; 8];
        loop {
            return match nix::unistd::read(&self.fd, &mut count) {
                Ok(8) => Ok(u64::from_ne_bytes(count)),
                // A timerfd read is all 8 bytes or an error.
                Ok(_) => Err(Errno::EIO),
                Err(Errno::EAGAIN) => Ok(0),
                Err(Errno::EINTR) => continue,
                Err(errno) => Err(errno),
            };
        }
    }
}

impl AsFd for Timer {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PollSet;

    /// Waits (up to 30 s) until the timer is readable.
    fn wait(timer: &Timer) -> bool {
        let mut set = PollSet::new();
        let slot = set.add(timer.as_fd());
        set.wait(Some(Duration::from_secs(30)))
            .expect("poll")
            .fired(slot)
    }

    #[test]
    fn a_one_shot_fires_once_and_a_zero_delay_fires_at_once() {
        let timer = Timer::new().expect("timerfd");
        assert_eq!(timer.take(), Ok(0), "disarmed");
        timer.arm_after(Duration::ZERO).expect("arm");
        assert!(wait(&timer));
        assert_eq!(timer.take(), Ok(1));
        assert_eq!(timer.take(), Ok(0), "taken");
        assert_eq!(timer.period(), Ok(None));
        timer
            .arm_at(Instant::now() - Duration::from_secs(1))
            .expect("arm in the past");
        assert!(wait(&timer));
        assert_eq!(timer.take(), Ok(1));
    }

    #[test]
    fn a_periodic_timer_counts_periods_and_disarm_discards_them() {
        let timer = Timer::new().expect("timerfd");
        timer.arm_every(Duration::from_millis(1)).expect("arm");
        assert_eq!(timer.period(), Ok(Some(Duration::from_millis(1))));
        assert!(wait(&timer));
        assert!(timer.take().expect("read") >= 1);
        timer.disarm().expect("disarm");
        assert_eq!(timer.period(), Ok(None));
        assert_eq!(timer.take(), Ok(0));
    }
}
