//! Waves on synthetic light traces: hands over the sensor at several
//! light levels and sample rates, and the light changes that are not
//! hands (dusk, dimmers, switches, a hand that stays, flicker, the dark).

mod common;

use common::*;
use gestures::{Config, Detector};
use wire::GestureKind::Wave;

/// Light sensor rates: a VEML7700 at 100 ms integration up to an ADS1115.
const LIGHT_RATES: [u32; 4] = [10, 20, 50, 100];

#[test]
fn a_hand_passing_over_is_one_wave_when_the_light_is_back() {
    for rate in LIGHT_RATES {
        for lux in [20.0, 300.0, 20_000.0] {
            let scene = LightScene::steady(lux)
                .noise(rate.into(), 0.01)
                .hand(2.0, 0.4, 0.9);
            let found = detect_light(&scene.samples(rate, 4.0));
            // Back within 20 % of the light about 0.35 s after it started.
            assert_one(&found, Wave, 2.25, 2.5, &format!("{rate} Hz at {lux} lx"));
        }
    }
}

#[test]
fn slow_and_quick_hands_within_150_to_1500_ms_are_waves() {
    for rate in LIGHT_RATES {
        for lasting in [0.3, 0.6, 1.2, 1.6] {
            let scene = LightScene::steady(500.0).hand(2.0, lasting, 0.85);
            let found = detect_light(&scene.samples(rate, 5.0));
            assert_one(
                &found,
                Wave,
                2.0,
                2.0 + lasting,
                &format!("{rate} Hz, hand for {lasting} s"),
            );
        }
    }
}

#[test]
fn waves_one_after_the_other_are_each_reported() {
    let scene = LightScene::steady(300.0)
        .hand(1.0, 0.4, 0.9)
        .hand(2.0, 0.4, 0.9)
        .hand(3.0, 0.5, 0.8);
    let found = detect_light(&scene.samples(20, 5.0));
    assert_eq!(kinds(&found), [Wave, Wave, Wave], "{found:?}");
}

#[test]
fn a_wave_while_the_light_slowly_changes_is_a_wave() {
    // Lights coming up over 10 s, a hand in the middle.
    let scene = LightScene::steady(100.0)
        .ramp(1.0, 1000.0, 10.0)
        .hand(5.0, 0.4, 0.9);
    let found = detect_light(&scene.samples(50, 12.0));
    assert_one(&found, Wave, 5.2, 5.5, "during a ramp");
}

#[test]
fn a_shallow_shadow_is_not_a_wave() {
    // 50 % blocked at the deepest: a person walking past, not a hand.
    for rate in LIGHT_RATES {
        let scene = LightScene::steady(300.0).hand(2.0, 0.5, 0.5);
        assert_eq!(detect_light(&scene.samples(rate, 4.0)), [], "{rate} Hz");
    }
}

#[test]
fn a_hand_that_stays_is_not_a_wave() {
    for rate in LIGHT_RATES {
        // Covers for about 3 s, then goes.
        let scene = LightScene::steady(300.0).hand(1.0, 3.5, 0.95);
        assert_eq!(detect_light(&scene.samples(rate, 6.0)), [], "{rate} Hz");
        // A hand resting on it: covered, then uncovered at once.
        let scene = LightScene::steady(300.0)
            .ramp(1.0, 10.0, 0.1)
            .ramp(4.0, 300.0, 0.1);
        assert_eq!(
            detect_light(&scene.samples(rate, 6.0)),
            [],
            "{rate} Hz, resting"
        );
    }
}

#[test]
fn dusk_and_dimmers_are_not_waves() {
    for rate in LIGHT_RATES {
        let dusk = LightScene::steady(300.0).noise(3, 0.01).ramp(1.0, 5.0, 5.0);
        assert_eq!(detect_light(&dusk.samples(rate, 8.0)), [], "{rate} Hz dusk");
        // Dimmed by 80 % over 2 s and brought back over 2 s.
        let dimmer = LightScene::steady(300.0)
            .ramp(1.0, 60.0, 2.0)
            .ramp(3.0, 300.0, 2.0);
        assert_eq!(
            detect_light(&dimmer.samples(rate, 6.0)),
            [],
            "{rate} Hz dimmer"
        );
        // Curtains drawn: 20 klx to 300 lx over 2 s.
        let curtains = LightScene::steady(20_000.0).ramp(1.0, 300.0, 2.0);
        assert_eq!(
            detect_light(&curtains.samples(rate, 5.0)),
            [],
            "{rate} Hz curtains"
        );
    }
}

#[test]
fn switching_lights_off_and_on_is_not_a_wave() {
    for rate in LIGHT_RATES {
        let off_on = LightScene::steady(300.0)
            .ramp(1.0, 0.5, 0.0)
            .ramp(4.0, 300.0, 0.0);
        assert_eq!(detect_light(&off_on.samples(rate, 6.0)), [], "{rate} Hz");
    }
}

#[test]
fn a_flicker_is_not_a_wave() {
    // 60 ms dark: a glitch, shorter than any hand.
    let scene = LightScene::steady(300.0)
        .ramp(1.0, 10.0, 0.0)
        .ramp(1.06, 300.0, 0.0);
    assert_eq!(detect_light(&scene.samples(100, 3.0)), []);
}

#[test]
fn in_the_dark_there_are_no_waves() {
    let scene = LightScene::steady(1.0).hand(2.0, 0.4, 0.9);
    assert_eq!(detect_light(&scene.samples(20, 4.0)), []);
}

#[test]
fn noisy_steady_light_is_nothing() {
    for seed in 1..=5 {
        let scene = LightScene::steady(300.0).noise(seed, 0.05);
        assert_eq!(detect_light(&scene.samples(50, 30.0)), [], "seed {seed}");
    }
}

#[test]
fn a_gap_in_the_middle_of_a_dip_loses_the_wave_and_not_the_next() {
    let scene = LightScene::steady(300.0)
        .hand(1.0, 0.6, 0.9)
        .hand(3.0, 0.4, 0.9);
    let mut samples = scene.samples(20, 5.0);
    // The sensor is away from 1.2 s to 1.5 s (longer than max_gap).
    samples.retain(|s| !(1_200_000..1_500_000).contains(&s.t_us));
    assert_one(&detect_light(&samples), Wave, 3.2, 3.5, "after a gap");
}

#[test]
fn the_light_stream_is_independent_of_the_imu_stream() {
    // Resetting happens per stream: an IMU gap does not lose a wave.
    let light = LightScene::steady(300.0)
        .hand(1.0, 0.4, 0.9)
        .samples(20, 2.0);
    let imu = ImuScene::rest().samples(100, 2.0);
    let mut detector = Detector::new(Config::default());
    let mut waves = Vec::new();
    for (i, l) in light.iter().enumerate() {
        // The IMU stream stalls for a second in the middle.
        for s in imu.iter().skip(i * 5).take(5) {
            if !(500_000..1_500_000).contains(&s.t_us) {
                assert_eq!(detector.on_imu(s), None);
            }
        }
        waves.extend(detector.on_light(l));
    }
    assert_eq!(waves, [Wave]);
}

#[test]
fn wave_thresholds_come_from_the_config() {
    // A 50 % shadow is a wave when 40 % is enough.
    let config = Config {
        wave_depth_pct: 40,
        ..Config::default()
    };
    let scene = LightScene::steady(300.0).hand(2.0, 0.5, 0.5);
    let mut detector = Detector::new(config);
    let found: Vec<_> = scene
        .samples(50, 4.0)
        .iter()
        .filter_map(|s| detector.on_light(s))
        .collect();
    assert_eq!(found, [Wave]);
}
