//! Properties over generated input: nothing panics, whatever the samples
//! and the configuration; recognition depends on time differences only,
//! not on where the clock or the sequence numbers start (including
//! `seq` wrapping around).

mod common;

use std::time::Duration;

use common::*;
use gestures::{Config, Detector};
use proptest::prelude::*;
use wire::{ImuSample, LightSample};

fn any_duration() -> impl Strategy<Value = Duration> {
    prop_oneof![
        (0u64..3_000_000).prop_map(Duration::from_micros),
        any::<u64>().prop_map(Duration::from_micros),
        Just(Duration::MAX),
    ]
}

fn any_config() -> impl Strategy<Value = Config> {
    let times = proptest::collection::vec(any_duration(), 16);
    let levels = (
        any::<u32>(),
        any::<u32>(),
        any::<u32>(),
        any::<u32>(),
        any::<u32>(),
    );
    let angles = (any::<f32>(), any::<f32>(), any::<f32>());
    let small = (any::<u8>(), any::<u8>(), any::<u8>());
    (times, levels, angles, small).prop_map(|(t, l, a, s)| Config {
        max_gap: t[0],
        gravity_tau: t[1],
        orientation_tau: t[2],
        tap_threshold_mg: l.0,
        tap_quiet_mg: l.1,
        tap_max_duration: t[3],
        tap_quiet_time: t[4],
        double_tap_min_gap: t[5],
        double_tap_max_gap: t[6],
        shake_threshold_mg: l.2,
        shake_min_excursions: s.0,
        shake_window: t[7],
        shake_min_half_period: t[8],
        shake_max_half_period: t[9],
        shake_rearm: t[10],
        tilt_enter_deg: a.0,
        tilt_exit_deg: a.1,
        tilt_max_deg: a.2,
        tilt_hold: t[11],
        flip_level_mg: l.3,
        flip_hold: t[12],
        wave_depth_pct: s.1,
        wave_edge_pct: s.2,
        wave_min_duration: t[13],
        wave_max_duration: t[14],
        wave_baseline_tau: t[15],
        wave_min_baseline_milli_lux: l.4,
    })
}

/// Samples anywhere in the value ranges, or near a plausible stream.
fn any_imu() -> impl Strategy<Value = ImuSample> {
    (
        any::<u32>(),
        prop_oneof![any::<u64>(), 0u64..10_000_000],
        prop_oneof![
            proptest::array::uniform3(any::<i32>()),
            proptest::array::uniform3(-4000i32..4000)
        ],
    )
        .prop_map(|(seq, t_us, accel_mg)| ImuSample {
            seq,
            t_us,
            accel_mg,
            gyro_mdps: [0; 3],
            temp_cc: 0,
        })
}

fn any_light() -> impl Strategy<Value = LightSample> {
    (any::<u32>(), any::<u64>(), any::<u32>()).prop_map(|(seq, t_us, lux_milli)| LightSample {
        seq,
        t_us,
        lux_milli,
        raw: 0,
    })
}

proptest! {
    #[test]
    fn nothing_panics_on_any_input(
        config in any_config(),
        imu in proptest::collection::vec(any_imu(), 0..200),
        light in proptest::collection::vec(any_light(), 0..100),
        reset_at in 0usize..200,
    ) {
        let mut detector = Detector::new(config);
        let _ = config.validate();
        for (i, s) in imu.iter().enumerate() {
            if i == reset_at {
                detector.reset();
            }
            let _ = detector.on_imu(s);
        }
        for s in &light {
            let _ = detector.on_light(s);
        }
    }

    #[test]
    fn monotonic_streams_with_extreme_values_never_panic(
        steps in proptest::collection::vec((0u64..50_000, 0u32..4, proptest::array::uniform3(any::<i32>()), any::<u32>()), 0..400),
    ) {
        let mut detector = Detector::new(Config::default());
        let (mut seq, mut t_us) = (u32::MAX - 100, u64::MAX - 20_000_000);
        for (dt, dseq, accel_mg, lux_milli) in steps {
            seq = seq.wrapping_add(dseq);
            t_us = t_us.saturating_add(dt);
            let _ = detector.on_imu(&ImuSample { seq, t_us, accel_mg, gyro_mdps: [0; 3], temp_cc: 0 });
            let _ = detector.on_light(&LightSample { seq, t_us, lux_milli, raw: 0 });
        }
    }

    #[test]
    fn only_time_differences_matter(
        t0 in 0u64..1_000_000_000_000,
        seq0 in any::<u32>(),
        tap_at in 0.5f64..1.5,
        roll in prop_oneof![-60.0f64..-30.0, 30.0f64..60.0],
        seed in any::<u64>(),
    ) {
        let scene = ImuScene::rest()
            .noise(seed, 10.0)
            .tap(tap_at, Z, 3000.0, 20.0)
            .tilt(2.5, roll, 0.5, Some(1.0))
            .flip(5.0, 0.6, Some(1.0));
        let base = scene.samples(200, 8.0);
        let shifted: Vec<ImuSample> = base
            .iter()
            .map(|s| ImuSample { seq: s.seq.wrapping_add(seq0), t_us: s.t_us + t0, ..*s })
            .collect();
        let mut a = Detector::new(Config::default());
        let mut b = Detector::new(Config::default());
        for (x, y) in base.iter().zip(&shifted) {
            prop_assert_eq!(a.on_imu(x), b.on_imu(y), "at t = {} us", x.t_us);
        }
        let light = LightScene::steady(300.0).noise(seed, 0.02).hand(1.0, 0.4, 0.9).samples(20, 3.0);
        let mut waves = 0;
        for s in &light {
            let moved = LightSample { seq: s.seq.wrapping_add(seq0), t_us: s.t_us + t0, ..*s };
            let (x, y) = (a.on_light(s), b.on_light(&moved));
            prop_assert_eq!(x, y);
            waves += usize::from(x.is_some());
        }
        prop_assert_eq!(waves, 1);
    }
}
