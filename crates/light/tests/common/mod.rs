//! Shared by the adapter tests: the simulated board's time as the loop's
//! `t_us`, and a relative comparison.
#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

use sensor_sim::{ManualClock, SimClock};

/// The clock's time in µs, as the loop would pass it to `sample`.
pub fn now_us(clock: &ManualClock) -> u64 {
    u64::try_from(clock.now().as_micros()).expect("test times fit")
}

/// Moves the clock to `t` (from the scenario's start).
pub fn at(clock: &ManualClock, t: Duration) -> u64 {
    clock.set(t);
    now_us(clock)
}

/// Asserts `actual` milli-lux is within `percent` % of `expected_lux`.
#[track_caller]
pub fn assert_lux_near(actual_mlx: u32, expected_lux: f64, percent: f64) {
    let expected = expected_lux * 1000.0;
    let error = (f64::from(actual_mlx) - expected).abs() / expected * 100.0;
    assert!(
        error <= percent,
        "{actual_mlx} mlx is {error:.3} % off {expected_lux} lx (allowed {percent} %)"
    );
}
