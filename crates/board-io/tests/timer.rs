//! The timerfd data-ready source against the real kernel. No timing
//! asserts: waits are generous deadlines for something that must happen,
//! and "nothing pending" checks use periods far longer than the test.

use std::os::fd::AsFd;
use std::time::Duration;

use board_io::{ReadySource, SampleRate, TimerSource};
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

/// Waits until the source's fd is readable; fails the test after 10 s.
fn wait_readable(source: &impl AsFd) {
    let mut fds = [PollFd::new(source.as_fd(), PollFlags::POLLIN)];
    let ready = poll(&mut fds, PollTimeout::from(10_000u16)).expect("poll");
    assert_eq!(ready, 1, "no timer event within 10 s");
}

/// True when the fd is not readable right now.
fn nothing_pending(source: &impl AsFd) -> bool {
    let mut fds = [PollFd::new(source.as_fd(), PollFlags::POLLIN)];
    poll(&mut fds, PollTimeout::ZERO).expect("poll") == 0
}

fn rate(millihertz: u32) -> SampleRate {
    SampleRate::from_millihertz(millihertz).expect("valid rate")
}

#[test]
fn events_arrive_and_are_counted() {
    let mut source = ReadySource::timer(rate(200_000)).expect("timer at 200 Hz");
    assert_eq!(source.to_string(), "timer at 200 Hz");
    wait_readable(&source);
    let first = source.drain().expect("drain");
    assert!(first >= 1, "readable but drained {first}");
    // Events keep coming: the timer is periodic.
    wait_readable(&source);
    assert!(source.drain().expect("drain") >= 1);
}

#[test]
fn drain_resets_the_count() {
    // 1 Hz: the first expiration is 1 s away, the next one 1 s after it, so
    // a drain right after a drain finds nothing.
    let mut source = TimerSource::new(rate(1_000)).expect("timer at 1 Hz");
    assert_eq!(source.drain().expect("drain before any expiration"), 0);
    wait_readable(&source);
    assert!(source.drain().expect("first drain") >= 1);
    assert_eq!(source.drain().expect("second drain"), 0);
    assert!(nothing_pending(&source), "fd still readable after a drain");
}

#[test]
fn set_rate_reprograms_the_timer_and_discards_pending_expirations() {
    let mut source = TimerSource::new(rate(500_000)).expect("timer at 500 Hz");
    assert_eq!(
        source.programmed_period().expect("gettime"),
        Some(Duration::from_millis(2))
    );
    wait_readable(&source);
    // Pending expirations are dropped by the kernel on a new setting; with a
    // 1000 s period nothing new can expire during the test.
    source.set_rate(rate(1)).expect("slow down");
    assert_eq!(source.rate(), rate(1));
    assert_eq!(
        source.programmed_period().expect("gettime"),
        Some(Duration::from_secs(1000))
    );
    assert_eq!(source.drain().expect("drain"), 0);
    assert!(nothing_pending(&source));

    // And back up: events arrive at the new rate.
    source.set_rate(rate(250_000)).expect("speed up");
    wait_readable(&source);
    assert!(source.drain().expect("drain") >= 1);
}

#[test]
fn ready_source_set_rate_reaches_the_timer() {
    let mut source = ReadySource::timer(rate(1)).expect("timer");
    source.set_rate(rate(12_500)).expect("set rate");
    assert_eq!(source.to_string(), "timer at 12.5 Hz");
    match &source {
        ReadySource::Timer(timer) => assert_eq!(
            timer.programmed_period().expect("gettime"),
            Some(Duration::from_millis(80))
        ),
        ReadySource::GpioEdge(_) => unreachable!("built as a timer"),
    }
}
