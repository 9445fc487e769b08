//! Recorded traces: the simulated board (crate `sensor-sim`) plays the
//! demonstration scenario `board/sim/demo.scenario`; the production
//! drivers (crate `sensors`) read the simulated MPU-6050 and VEML7700 over
//! their I2C models on a manual clock, with the models' realistic noise
//! and the scenario's faults (NACKs, a vanished IMU, a stuck light
//! sensor); the samples go to the detector as the sensor processes would
//! send them. The detector must find exactly the gestures the script
//! performs, at about the scripted times, and nothing else: not the
//! nose-up pitch, not the flip back, not dusk, night or the lights coming
//! on, not the faults.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use gestures::{Config, Detector};
use sensor_sim::{ManualClock, Mpu6050Model, Noise, Scenario, Veml7700Model};
use sensors::mpu6050::{self, Mpu6050};
use sensors::veml7700::{Setting, Veml7700};
use wire::GestureKind::{self, DoubleTap, FlipDown, Shake, Tap, TiltLeft, TiltRight, Wave};
use wire::{ImuSample, LightSample};

/// One loop of the demonstration, seconds.
const LOOP_S: f64 = 60.0;

/// What `demo.scenario` performs in one loop: the gesture, the scenario
/// line's time and the latest time it may be reported (after the
/// gesture's own duration: the double-tap window, the hold, the hand).
const DEMO_IMU: [(GestureKind, f64, f64); 7] = [
    // 3s imu tap: a single tap waits out the 500 ms double-tap window.
    (Tap, 3.0, 3.7),
    // 6s imu tap count=2 gap=250ms.
    (DoubleTap, 6.25, 6.5),
    // 10s imu shake x 1.5 g 6 Hz for 1.5 s.
    (Shake, 10.0, 11.0),
    // 14s imu tilt roll=30 over 500 ms, held 3 s.
    (TiltRight, 14.5, 15.6),
    // 20s imu tilt roll=-30 over 500 ms, held 3 s.
    (TiltLeft, 20.5, 21.6),
    // 32s imu flip over 800 ms, held until 38 s.
    (FlipDown, 32.5, 33.8),
    // 52s imu tap y −1.8 g 20 ms.
    (Tap, 52.0, 52.7),
];

const DEMO_LIGHT: [(GestureKind, f64, f64); 4] = [
    // 9s light hand depth 0.9 for 500 ms (at 20 klx).
    (Wave, 9.0, 9.8),
    // 12s light hand depth 0.8 for 400 ms.
    (Wave, 12.0, 12.7),
    // 22s light hand depth 0.95 for 600 ms (at 300 lx).
    (Wave, 22.0, 22.9),
    // 56s light hand depth 0.9 for 400 ms.
    (Wave, 56.0, 56.7),
];

fn demo() -> Arc<Scenario> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../board/sim/demo.scenario");
    match Scenario::load(&path) {
        Ok(s) => Arc::new(s),
        Err(e) => panic!("{e}"),
    }
}

/// `loops` loops of the script's gestures, with times shifted.
fn expected(script: &[(GestureKind, f64, f64)], loops: u32) -> Vec<(GestureKind, f64, f64)> {
    (0..loops)
        .flat_map(|l| {
            let offset = f64::from(l) * LOOP_S;
            script
                .iter()
                .map(move |&(k, from, to)| (k, from + offset, to + offset))
        })
        .collect()
}

/// Asserts that `found` is exactly `expected`, in order, each in its window.
#[track_caller]
fn assert_matches(found: &[(GestureKind, f64)], expected: &[(GestureKind, f64, f64)], what: &str) {
    let ok = found.len() == expected.len()
        && found
            .iter()
            .zip(expected)
            .all(|(&(k, t), &(ek, from, to))| k == ek && (from..=to).contains(&t));
    assert!(ok, "{what}:\n  found    {found:?}\n  expected {expected:?}");
}

/// Plays the scenario into a simulated MPU-6050 and reads it with the
/// driver at `rate_hz` for `seconds`, as `appliance-motion` does: `seq`
/// counts sample periods, so a read lost to a fault is a sequence gap.
fn record_imu(scenario: Arc<Scenario>, rate_hz: u16, seconds: u64) -> Vec<ImuSample> {
    let clock = ManualClock::new();
    let model = match Mpu6050Model::new(0x68, scenario, clock.clone()) {
        Ok(m) => m.with_noise(Noise::REALISTIC),
        Err(e) => panic!("{e}"),
    };
    let mut imu = Mpu6050::new(model, mpu6050::Address::Ad0Low);
    let wait = imu.reset().expect("the simulated IMU resets");
    clock.advance(wait);
    let config = mpu6050::Config {
        sample_rate_hz: rate_hz,
        ..mpu6050::Config::default()
    };
    let applied = imu
        .configure(&config)
        .expect("the simulated IMU takes the settings");
    let period_us = u64::from(applied.sample_rate.period_us());
    let first = u64::try_from(wait.as_micros()).unwrap() / period_us + 1;
    let last = seconds * 1_000_000 / period_us;
    let mut samples = Vec::new();
    for k in first..last {
        let t_us = k * period_us;
        clock.set(Duration::from_micros(t_us));
        // NACKs and the vanished IMU: the sample is lost.
        let Ok(true) = imu.data_ready() else { continue };
        let Ok(s) = imu.read_sample() else { continue };
        samples.push(ImuSample {
            seq: u32::try_from(k).unwrap_or(u32::MAX),
            t_us,
            accel_mg: [s.accel_mg.x, s.accel_mg.y, s.accel_mg.z],
            gyro_mdps: [s.gyro_mdps.x, s.gyro_mdps.y, s.gyro_mdps.z],
            temp_cc: s.temp_centi_celsius,
        });
    }
    samples
}

/// Plays the scenario into a simulated VEML7700 and reads it with the
/// driver every 100 ms (gain 1/8, 100 ms integration: 10 Hz, 0.54 lx per
/// count, up to 35 klx) for `seconds`.
fn record_light(scenario: Arc<Scenario>, seconds: u64) -> Vec<LightSample> {
    let clock = ManualClock::new();
    let model = Veml7700Model::new(scenario, clock.clone()).with_noise(Noise::REALISTIC);
    let mut als = Veml7700::new(model);
    let wait = als
        .init(Setting::AUTO_RANGE_START)
        .expect("the simulated VEML7700 starts");
    let start_us = u64::try_from(wait.as_micros()).unwrap();
    let period_us = 100_000;
    let mut samples = Vec::new();
    for k in 0..(seconds * 1_000_000 - start_us) / period_us {
        let t_us = start_us + k * period_us;
        clock.set(Duration::from_micros(t_us));
        let Ok(lux) = als.read_lux() else { continue };
        samples.push(LightSample {
            seq: u32::try_from(k).unwrap_or(u32::MAX),
            t_us,
            lux_milli: lux.millilux,
            raw: u32::from(lux.counts),
        });
    }
    samples
}

fn detect_imu(samples: &[ImuSample]) -> Vec<(GestureKind, f64)> {
    let mut detector = Detector::new(Config::default());
    samples
        .iter()
        .filter_map(|s| detector.on_imu(s).map(|g| (g, s.t_us as f64 / 1e6)))
        .collect()
}

fn detect_light(samples: &[LightSample]) -> Vec<(GestureKind, f64)> {
    let mut detector = Detector::new(Config::default());
    samples
        .iter()
        .filter_map(|s| detector.on_light(s).map(|g| (g, s.t_us as f64 / 1e6)))
        .collect()
}

#[test]
fn the_demo_imu_at_100_hz_gives_the_scripted_gestures_twice() {
    let samples = record_imu(demo(), 100, 120);
    // The faults happened: NACKed reads and two seconds without the IMU.
    let lost = samples
        .windows(2)
        .filter(|w| w[1].seq != w[0].seq + 1)
        .count();
    assert!(
        lost >= 2,
        "expected sequence gaps from the faults, saw {lost}"
    );
    assert_matches(
        &detect_imu(&samples),
        &expected(&DEMO_IMU, 2),
        "IMU at 100 Hz",
    );
}

#[test]
fn the_demo_imu_at_1_khz_gives_the_scripted_gestures() {
    let samples = record_imu(demo(), 1000, 60);
    assert_matches(
        &detect_imu(&samples),
        &expected(&DEMO_IMU, 1),
        "IMU at 1 kHz",
    );
}

#[test]
fn the_demo_light_through_the_veml7700_gives_the_scripted_waves_twice() {
    let samples = record_light(demo(), 120);
    assert_matches(
        &detect_light(&samples),
        &expected(&DEMO_LIGHT, 2),
        "VEML7700 at 10 Hz",
    );
}

#[test]
fn the_demo_light_sampled_at_50_hz_gives_the_scripted_waves() {
    // The scenario's illuminance itself, as a fast ADC path would see it.
    let scenario = demo();
    let samples: Vec<LightSample> = (0..60 * 50u32)
        .map(|k| {
            let t_us = u64::from(k) * 20_000;
            let mlx = scenario
                .light_at(Duration::from_micros(t_us))
                .illuminance_mlx;
            let lux_milli = u32::try_from(mlx).unwrap_or(u32::MAX);
            LightSample {
                seq: k,
                t_us,
                lux_milli,
                raw: lux_milli / 1000,
            }
        })
        .collect();
    assert_matches(
        &detect_light(&samples),
        &expected(&DEMO_LIGHT, 1),
        "light at 50 Hz",
    );
}

#[test]
fn the_demo_imu_without_its_gestures_gives_nothing() {
    // Negative control: the demo's moves that are not gestures (pitch,
    // warming, faults), a light knock, walking-like bobbing, a short tilt.
    let text = "
        0s  imu orientation roll=0 pitch=0
        3s  imu tap axis=z peak=0.8g
        10s imu shake axis=z amplitude=300mg freq=2hz for=5s
        20s imu tilt roll=30 over=300ms for=200ms
        26s imu tilt pitch=20 over=1s for=2s
        40s imu temperature celsius=30 over=15s
        42s imu fault nack count=3
        45s imu fault vanish for=2s
    ";
    let scenario = Arc::new(Scenario::parse(text).expect("the control scenario parses"));
    let samples = record_imu(scenario, 100, 60);
    assert_eq!(detect_imu(&samples), []);
}
