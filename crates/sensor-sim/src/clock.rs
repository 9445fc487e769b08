//! Where the simulated parts get the time from.
//!
//! Every model reads "time since the scenario started" from a [`SimClock`].
//! A running simulation uses [`MonotonicClock`]; tests use [`ManualClock`]
//! and move time by hand, so nothing depends on how fast the machine is.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A source of scenario time: how long since the scenario started.
///
/// Implementations must never go backwards; a model that sees an earlier
/// time than before treats it as the later one.
pub trait SimClock: Send + Sync {
    /// Time since the start of the scenario.
    fn now(&self) -> Duration;
}

impl<C: SimClock + ?Sized> SimClock for Arc<C> {
    fn now(&self) -> Duration {
        (**self).now()
    }
}

/// Real time: the monotonic clock, counted from when this value was made.
#[derive(Debug, Clone, Copy)]
pub struct MonotonicClock {
    start: Instant,
}

impl MonotonicClock {
    /// A clock whose time 0 is now.
    #[must_use]
    pub fn start_now() -> Self {
        Self {
            start: Instant::now(),
        }
    }

    /// A clock whose time 0 is `start` (e.g. shared by several processes'
    /// models started together).
    #[must_use]
    pub fn starting_at(start: Instant) -> Self {
        Self { start }
    }
}

impl SimClock for MonotonicClock {
    fn now(&self) -> Duration {
        self.start.elapsed()
    }
}

/// Time that moves only when told to, for deterministic tests.
///
/// Clones share the same time: keep one clone in the test and give another
/// to the model.
///
/// ```
/// use sensor_sim::{ManualClock, SimClock};
/// use std::time::Duration;
///
/// let clock = ManualClock::new();
/// let model_side = clock.clone();
/// clock.advance(Duration::from_millis(250));
/// assert_eq!(model_side.now(), Duration::from_millis(250));
/// ```
#[derive(Debug, Clone, Default)]
pub struct ManualClock {
    nanos: Arc<AtomicU64>,
}

impl ManualClock {
    /// A clock at time 0.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the time (saturating at about 584 years).
    pub fn set(&self, t: Duration) {
        self.nanos.store(saturating_nanos(t), Ordering::SeqCst);
    }

    /// Moves the time forward by `dt` (saturating).
    pub fn advance(&self, dt: Duration) {
        let dt = saturating_nanos(dt);
        // fetch_update never fails with a closure that always returns Some.
        let _ = self
            .nanos
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                Some(n.saturating_add(dt))
            });
    }
}

impl SimClock for ManualClock {
    fn now(&self) -> Duration {
        Duration::from_nanos(self.nanos.load(Ordering::SeqCst))
    }
}

fn saturating_nanos(t: Duration) -> u64 {
    u64::try_from(t.as_nanos()).unwrap_or(u64::MAX)
}
