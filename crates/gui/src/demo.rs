//! A fixed, deterministic state of the appliance for the golden images,
//! the benchmarks and the screenshots: a few seconds of a gently rocking
//! IMU, light going from night to day, processes that restarted, links
//! that lost frames, and a banner. Integer arithmetic only, so the same
//! state comes out on every machine.

use wire::{
    CommandOp, ErrorCode, ErrorReport, ExitStatus, GestureKind, Hello, ImuSample, LightSample,
    Message, ProcessState, RunState, Stats, Text, Token,
};

use crate::state::{BannerKind, HISTORY_LEN, State, StateConfig};

/// The time the demo state is built up to, microseconds.
pub const NOW_US: u64 = 60_000_000;

/// A triangle wave of `period` samples between `-amp` and `amp`.
fn triangle(i: i64, period: i64, amp: i64) -> i64 {
    let phase = i.rem_euclid(period);
    let half = period / 2;
    let up = if phase < half { phase } else { period - phase };
    up * 4 * amp / period - amp
}

/// A token from a literal the demo knows to be valid.
fn token(s: &'static str) -> Token<'static> {
    Token::new(s).unwrap_or_else(|_| Token::new("x").unwrap_or_else(|_| unreachable!()))
}

/// One IMU sample of the demo: tilted a little to the right and forward,
/// rocking, with a wobble on the gyroscope.
#[allow(
    clippy::cast_possible_truncation,
    reason = "each triangle stays within ±amp: every value is within ±90 000"
)]
pub fn imu_sample(i: u32) -> ImuSample {
    let n = i64::from(i);
    let ax = 60 + triangle(n, 200, 80);
    let ay = 120 + triangle(n + 37, 150, 60);
    let az = 985 + triangle(n, 64, 25);
    ImuSample {
        seq: i,
        t_us: u64::from(i) * 10_000,
        accel_mg: [ax as i32, ay as i32, az as i32],
        gyro_mdps: [
            triangle(n, 90, 40_000) as i32,
            triangle(n + 20, 120, 25_000) as i32,
            triangle(n, 300, 90_000) as i32,
        ],
        temp_cc: 2512,
    }
}

/// Illuminance of light sample `i`: from 0.05 lx up past 1 klx, growing
/// by 2.5 % a sample (dawn, sped up).
pub fn lux_milli(i: u32) -> u32 {
    let mut v: u64 = 50;
    for _ in 0..i {
        v = v * 1025 / 1000 + 1;
    }
    u32::try_from(v).unwrap_or(u32::MAX)
}

/// The demo state (see the module documentation), as at [`NOW_US`].
pub fn state() -> State {
    let mut s = State::new(StateConfig::default());
    let now = NOW_US;
    #[allow(clippy::cast_possible_truncation, reason = "HISTORY_LEN is 512")]
    let count = HISTORY_LEN as u32 + 40;
    for i in 0..count {
        // Two gaps: 3 samples, then 1, lost on the way.
        if i == 100 || i == 101 || i == 102 || i == 300 {
            continue;
        }
        let t = now - u64::from(count - i) * 10_000;
        s.apply(&Message::Imu(imu_sample(i)), t);
    }
    let lights = 420u32;
    for i in 0..lights {
        let sample = LightSample {
            seq: i,
            t_us: u64::from(i) * 50_000,
            lux_milli: lux_milli(i),
            raw: lux_milli(i) / 3,
        };
        let t = now - u64::from(lights - i) * 50_000;
        s.apply(&Message::Light(sample), t);
    }
    for (name, version) in [("motion", "0.1.0"), ("light", "0.1.0")] {
        let hello = Message::Hello(Hello {
            name: token(name),
            version: token(version),
            protocol: wire::PROTOCOL_VERSION,
        });
        s.apply(&hello, now - 30_000_000);
    }
    let stats = |name, sent, dropped, rejected| {
        Message::Stats(Stats {
            name: token(name),
            id: None,
            sent,
            dropped,
            received: 14,
            rejected,
            errors: 0,
        })
    };
    s.apply(&stats("motion", 5_994, 12, 0), now - 2_000_000);
    s.apply(&stats("light", 1_198, 0, 1), now - 2_000_000);
    s.command_sent(
        crate::state::Sensor::Light,
        9,
        &CommandOp::SetRate { hz: 20 },
    );
    let err = Message::Error(ErrorReport {
        name: Some(token("light")),
        id: Some(9),
        code: ErrorCode::Busy,
        text: Text::new("integrating"),
    });
    s.apply(&err, now - 20_000_000);
    let state = |name, pid, state, exit, restarts| {
        Message::State(ProcessState {
            name: token(name),
            pid,
            state,
            exit,
            ran_us: None,
            restarts,
            next_us: None,
        })
    };
    s.apply(&state("gui", 301, RunState::Started, None, 0), 0);
    s.apply(&state("motion", 355, RunState::Started, None, 2), 0);
    let segv = ExitStatus::Signal {
        number: 11,
        core: true,
    };
    s.apply(&state("light", 340, RunState::Exited, Some(segv), 3), 0);
    s.apply(
        &state("log", 312, RunState::Failed, Some(ExitStatus::Code(1)), 5),
        0,
    );
    s.show_gesture(GestureKind::Shake, now);
    s.tick(now);
    s
}

/// An error as long as the sensors report them (device, operation,
/// cause, what to check), as the GUI words an ERR frame without a command.
pub const LONG_ERROR: &str = "error: io (sim:/tmp/appliance-sim-1234/demo.scenario MPU-6050 at \
     0x68: read sample: MPU-6050 at 0x68 did not acknowledge (scenario fault nack): check the \
     scenario)";

/// The demo state with [`LONG_ERROR`] in the banner instead of a gesture.
pub fn error_state() -> State {
    let mut s = state();
    s.show_banner(BannerKind::Error, LONG_ERROR, NOW_US);
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Sensor;

    #[test]
    fn the_demo_state_has_something_on_every_widget() {
        let s = state();
        assert_eq!(s.motion_history().len(), HISTORY_LEN);
        assert_eq!(s.link(Sensor::Motion).lost, 4);
        assert!(
            s.light().unwrap().lux_milli > 1_000_000,
            "it ends in daylight"
        );
        assert_eq!(s.processes().len(), 4);
        assert_eq!(s.link(Sensor::Light).errors, 1);
        assert!(s.banner().is_some());
        assert!(!s.is_stale(Sensor::Motion) && !s.is_stale(Sensor::Light));
    }

    #[test]
    fn triangle_spans_its_amplitude() {
        let values: Vec<_> = (0..100).map(|i| triangle(i, 100, 50)).collect();
        assert_eq!(values.iter().min(), Some(&-50));
        assert_eq!(values.iter().max(), Some(&50));
    }
}
