//! IMU gestures on synthetic traces: tap, double tap, shake, tilt, flip,
//! each with the motions that must not be taken for it, at 50 Hz to 1 kHz.

mod common;

use common::*;
use gestures::{Config, Detector};
use wire::GestureKind::{DoubleTap, FlipDown, Shake, Tap, TiltLeft, TiltRight};

// ---- tap ----------------------------------------------------------------

#[test]
fn a_knock_on_the_top_is_one_tap_reported_after_the_double_tap_window() {
    for rate in IMU_RATES {
        // Off the sample grid on purpose.
        let scene = ImuScene::rest()
            .noise(rate.into(), 8.0)
            .tap(1.003, Z, 3000.0, 30.0);
        let found = detect_imu(&scene.samples(rate, 3.0));
        assert_one(&found, Tap, 1.503, 1.6, &format!("{rate} Hz"));
    }
}

#[test]
fn a_knock_on_the_side_is_a_tap_although_it_barely_changes_the_magnitude() {
    // 1.8 g along y on a board lying flat: |a| goes from 1 g to 2.06 g only.
    for rate in IMU_RATES {
        let scene = ImuScene::rest().tap(2.0, Y, -1800.0, 30.0);
        let found = detect_imu(&scene.samples(rate, 3.5));
        assert_one(&found, Tap, 2.5, 2.6, &format!("{rate} Hz"));
    }
}

#[test]
fn a_tap_while_tilted_is_a_tap() {
    let scene = ImuScene::rest()
        .tilt(0.5, -40.0, 0.3, None)
        .tap(3.0, Z, 2500.0, 20.0);
    let found = detect_imu(&scene.samples(200, 4.0));
    assert_eq!(kinds(&found), [TiltLeft, Tap], "{found:?}");
}

#[test]
fn two_knocks_80_to_500_ms_apart_are_one_double_tap_and_no_tap() {
    for rate in IMU_RATES {
        for gap_ms in [100.0, 250.0, 450.0] {
            let second = 1.0 + gap_ms / 1000.0;
            let scene = ImuScene::rest()
                .noise(7, 8.0)
                .double_tap(1.0, Z, 3000.0, 30.0, gap_ms);
            let found = detect_imu(&scene.samples(rate, 3.0));
            assert_one(
                &found,
                DoubleTap,
                second,
                second + 0.15,
                &format!("{rate} Hz, {gap_ms} ms apart"),
            );
        }
    }
}

#[test]
fn two_knocks_further_apart_are_two_taps() {
    for rate in IMU_RATES {
        let scene = ImuScene::rest()
            .tap(1.0, Z, 3000.0, 30.0)
            .tap(1.7, Z, 3000.0, 30.0);
        let found = detect_imu(&scene.samples(rate, 3.0));
        assert_eq!(kinds(&found), [Tap, Tap], "{rate} Hz: {found:?}");
        assert!(
            found[0].1 < 1.7,
            "the first is reported before the second knock"
        );
    }
}

#[test]
fn three_knocks_are_a_double_tap_then_a_tap() {
    let scene = ImuScene::rest()
        .double_tap(1.0, Z, 3000.0, 20.0, 200.0)
        .tap(1.4, Z, 3000.0, 20.0);
    let found = detect_imu(&scene.samples(500, 3.0));
    assert_eq!(kinds(&found), [DoubleTap, Tap], "{found:?}");
}

#[test]
fn a_bounce_right_after_a_knock_is_part_of_the_tap() {
    // 60 ms after the first: closer than the double tap's 80 ms.
    let scene = ImuScene::rest().double_tap(1.0, Z, 3000.0, 10.0, 60.0);
    let found = detect_imu(&scene.samples(1000, 2.5));
    assert_one(&found, Tap, 1.5, 1.6, "bounce");
}

#[test]
fn ringing_after_a_knock_is_still_a_tap_and_not_a_shake() {
    for rate in [200, 500, 1000] {
        let scene = ImuScene::rest().ringing_tap(1.0, Z, 3000.0, 16.0, 0.5);
        let found = detect_imu(&scene.samples(rate, 2.5));
        assert_one(&found, Tap, 1.5, 1.6, &format!("{rate} Hz"));

        let scene = ImuScene::rest()
            .ringing_tap(1.0, X, 3000.0, 16.0, 0.5)
            .ringing_tap(1.2, X, 3000.0, 16.0, 0.5);
        let found = detect_imu(&scene.samples(rate, 2.5));
        assert_one(&found, DoubleTap, 1.2, 1.35, &format!("{rate} Hz, double"));
    }
}

#[test]
fn a_tap_followed_by_handling_is_reported_when_its_window_ends() {
    // Lifted 300 ms after the knock: a strong movement lasting 800 ms
    // starts inside the double-tap window but cannot be a second tap.
    let scene = ImuScene::rest()
        .tap(1.0, Z, 3000.0, 30.0)
        .tap(1.3, Z, 1500.0, 800.0);
    for rate in IMU_RATES {
        let found = detect_imu(&scene.samples(rate, 3.0));
        assert_one(&found, Tap, 1.5, 1.6, &format!("{rate} Hz"));
    }
}

#[test]
fn a_light_knock_is_not_a_tap() {
    let scene = ImuScene::rest().tap(1.0, Z, 900.0, 20.0);
    assert_eq!(detect_imu(&scene.samples(1000, 2.0)), []);
}

#[test]
fn a_long_bump_is_not_a_tap() {
    // Setting the box down hard: 1.5 g over 150 ms.
    for rate in IMU_RATES {
        let scene = ImuScene::rest().tap(1.0, Z, 1500.0, 150.0);
        assert_eq!(detect_imu(&scene.samples(rate, 2.5)), [], "{rate} Hz");
    }
}

#[test]
fn a_knock_amid_motion_is_not_a_tap() {
    // Not quiet before: the board is already moving hard.
    let scene = ImuScene::rest()
        .shake(1.0, Y, 700.0, 2.0, 0.5)
        .tap(1.2, Z, 3000.0, 20.0);
    assert_eq!(detect_imu(&scene.samples(1000, 2.5)), []);
}

// ---- nothing ------------------------------------------------------------

#[test]
fn rest_with_noise_is_nothing() {
    for rate in IMU_RATES {
        for seed in 1..=3 {
            let scene = ImuScene::rest().noise(seed, 30.0);
            assert_eq!(
                detect_imu(&scene.samples(rate, 10.0)),
                [],
                "{rate} Hz seed {seed}"
            );
        }
    }
}

#[test]
fn walking_with_the_box_is_nothing() {
    for rate in IMU_RATES {
        let scene = ImuScene::rest().noise(11, 20.0).walk(0.5, 10.0);
        assert_eq!(detect_imu(&scene.samples(rate, 11.0)), [], "{rate} Hz");
    }
}

#[test]
fn slow_tilts_below_the_threshold_are_nothing() {
    let scene = ImuScene::rest()
        .tilt(1.0, 20.0, 1.0, Some(2.0))
        .tilt(6.0, -20.0, 1.0, Some(2.0))
        .pitch(10.0, 40.0, 1.0, Some(2.0));
    assert_eq!(detect_imu(&scene.samples(100, 14.0)), []);
}

// ---- shake --------------------------------------------------------------

#[test]
fn a_shake_is_reported_once_within_its_first_second() {
    for rate in IMU_RATES {
        for axis in [X, Y, Z] {
            let scene = ImuScene::rest()
                .noise(3, 10.0)
                .shake(1.0, axis, 1500.0, 6.0, 1.5);
            let found = detect_imu(&scene.samples(rate, 4.0));
            assert_one(&found, Shake, 1.0, 2.0, &format!("{rate} Hz axis {axis}"));
        }
    }
}

#[test]
fn shakes_from_2_to_10_hz_are_shakes() {
    for freq in [2.0, 4.0, 10.0] {
        let scene = ImuScene::rest().shake(1.0, X, 1200.0, freq, 2.0);
        let found = detect_imu(&scene.samples(200, 4.5));
        assert_one(&found, Shake, 1.0, 2.0, &format!("{freq} Hz shake"));
    }
}

#[test]
fn a_long_shake_is_one_shake_and_two_shakes_apart_are_two() {
    let scene = ImuScene::rest().shake(1.0, X, 1500.0, 5.0, 4.0);
    assert_eq!(kinds(&detect_imu(&scene.samples(100, 6.0))), [Shake]);

    let scene = ImuScene::rest()
        .shake(1.0, X, 1500.0, 5.0, 1.0)
        .shake(3.0, Y, 1500.0, 5.0, 1.0);
    let found = detect_imu(&scene.samples(100, 5.0));
    assert_eq!(kinds(&found), [Shake, Shake], "{found:?}");
}

#[test]
fn one_back_and_forth_is_not_a_shake() {
    // One period: + then −, two swings.
    let scene = ImuScene::rest().shake(1.0, X, 1500.0, 3.0, 1.0 / 3.0);
    assert_eq!(detect_imu(&scene.samples(200, 3.0)), []);
}

#[test]
fn a_gentle_or_slow_swinging_is_not_a_shake() {
    let gentle = ImuScene::rest().shake(1.0, X, 500.0, 5.0, 3.0);
    assert_eq!(detect_imu(&gentle.samples(200, 5.0)), []);
    // 0.5 Hz: swings a second apart, a sway not a shake.
    let slow = ImuScene::rest().shake(1.0, X, 1500.0, 0.5, 6.0);
    assert_eq!(detect_imu(&slow.samples(200, 8.0)), []);
}

#[test]
fn a_tap_before_a_shake_is_swallowed_by_it() {
    // The tap waits for its double-tap window; the shake starts inside it.
    let scene = ImuScene::rest()
        .tap(1.0, Z, 3000.0, 20.0)
        .shake(1.2, X, 1500.0, 6.0, 1.0);
    let found = detect_imu(&scene.samples(500, 3.0));
    assert_eq!(kinds(&found), [Shake], "{found:?}");
}

// ---- tilt ---------------------------------------------------------------

#[test]
fn a_held_tilt_is_reported_once() {
    for rate in IMU_RATES {
        let right = ImuScene::rest()
            .noise(5, 10.0)
            .tilt(1.0, 30.0, 0.5, Some(4.0));
        let found = detect_imu(&right.samples(rate, 7.0));
        assert_one(&found, TiltRight, 1.9, 2.4, &format!("{rate} Hz right"));

        let left = ImuScene::rest()
            .noise(6, 10.0)
            .tilt(1.0, -45.0, 0.5, Some(4.0));
        let found = detect_imu(&left.samples(rate, 7.0));
        assert_one(&found, TiltLeft, 1.8, 2.3, &format!("{rate} Hz left"));
    }
}

#[test]
fn a_tilt_not_held_long_enough_is_nothing() {
    let scene = ImuScene::rest().tilt(1.0, 35.0, 0.3, Some(0.3));
    assert_eq!(detect_imu(&scene.samples(100, 3.0)), []);
}

#[test]
fn each_hold_after_returning_level_is_reported() {
    let scene = ImuScene::rest()
        .tilt(1.0, 30.0, 0.5, Some(1.5))
        .tilt(4.0, -30.0, 0.5, Some(1.5))
        .tilt(7.0, 30.0, 0.5, Some(1.5));
    let found = detect_imu(&scene.samples(100, 10.0));
    assert_eq!(kinds(&found), [TiltRight, TiltLeft, TiltRight], "{found:?}");
}

#[test]
fn wobbling_inside_the_hysteresis_does_not_report_again() {
    // 30°, back to 18° (not within 15° of level), 30° again.
    let scene = ImuScene::rest()
        .tilt(1.0, 30.0, 0.5, None)
        .tilt(3.0, 18.0, 0.5, None)
        .tilt(5.0, 30.0, 0.5, None);
    let found = detect_imu(&scene.samples(100, 8.0));
    assert_eq!(kinds(&found), [TiltRight], "{found:?}");
}

#[test]
fn on_its_side_is_not_a_tilt() {
    let scene = ImuScene::rest().tilt(1.0, 90.0, 0.3, Some(3.0));
    assert_eq!(detect_imu(&scene.samples(100, 5.0)), []);
}

#[test]
fn a_tilt_held_since_the_start_is_not_reported_until_level_first() {
    // Tilted before the first sample, held until 3.5 s.
    let scene = ImuScene::rest()
        .tilt(-1.0, 30.0, 0.5, Some(4.0))
        .tilt(5.0, 30.0, 0.5, Some(2.0));
    let found = detect_imu(&scene.samples(100, 9.0));
    assert_one(&found, TiltRight, 5.9, 6.4, "tilted from the start");
}

// ---- flip ---------------------------------------------------------------

#[test]
fn turning_face_down_is_one_flip_and_turning_back_is_nothing() {
    for rate in IMU_RATES {
        let scene = ImuScene::rest().noise(9, 10.0).flip(1.0, 0.8, Some(3.0));
        let found = detect_imu(&scene.samples(rate, 7.0));
        assert_one(&found, FlipDown, 1.8, 2.4, &format!("{rate} Hz"));
    }
}

#[test]
fn every_flip_from_face_up_is_reported() {
    let scene = ImuScene::rest()
        .flip(1.0, 0.5, Some(2.0))
        .flip(5.0, 0.5, Some(2.0));
    let found = detect_imu(&scene.samples(100, 9.0));
    assert_eq!(kinds(&found), [FlipDown, FlipDown], "{found:?}");
}

#[test]
fn face_down_briefly_is_not_a_flip() {
    let scene = ImuScene::rest().flip(1.0, 0.5, Some(0.3));
    assert_eq!(detect_imu(&scene.samples(100, 3.0)), []);
}

#[test]
fn lying_face_down_from_the_start_is_not_a_flip() {
    let scene = ImuScene::rest().face_down();
    assert_eq!(detect_imu(&scene.samples(100, 3.0)), []);
}

// ---- several at once ----------------------------------------------------

#[test]
fn a_session_of_gestures_is_recognised_in_order() {
    let scene = ImuScene::rest()
        .noise(42, 15.0)
        .tap(1.0, Z, 2500.0, 15.0)
        .double_tap(3.0, Z, 2500.0, 15.0, 250.0)
        .shake(5.0, X, 1500.0, 6.0, 1.5)
        .tilt(8.0, 30.0, 0.5, Some(2.0))
        .tilt(12.0, -30.0, 0.5, Some(2.0))
        .walk(15.0, 3.0)
        .flip(19.0, 0.8, Some(3.0));
    for rate in [100, 1000] {
        let found = detect_imu(&scene.samples(rate, 24.0));
        assert_eq!(
            kinds(&found),
            [Tap, DoubleTap, Shake, TiltRight, TiltLeft, FlipDown],
            "{rate} Hz: {found:?}"
        );
    }
}

// ---- gaps, duplicates, reset ---------------------------------------------

#[test]
fn a_few_lost_samples_do_not_break_a_hold() {
    let scene = ImuScene::rest().tilt(1.0, 30.0, 0.5, Some(3.0));
    let mut samples = scene.samples(100, 5.0);
    // Lose 100 ms in the middle of the hold (within max_gap).
    samples.retain(|s| !(1_800_000..1_900_000).contains(&s.t_us));
    assert_one(
        &detect_imu(&samples),
        TiltRight,
        1.9,
        2.4,
        "with lost samples",
    );
}

#[test]
fn a_gap_longer_than_max_gap_forgets_the_hold() {
    let scene = ImuScene::rest()
        .tilt(1.0, 30.0, 0.5, Some(3.0))
        .tilt(6.0, 30.0, 0.5, Some(1.5));
    let mut samples = scene.samples(100, 9.0);
    // 400 ms lost while tilted, before the hold completed.
    samples.retain(|s| !(1_600_000..2_000_000).contains(&s.t_us));
    let found = detect_imu(&samples);
    // The first hold is not reported (not level since the gap); the next is.
    assert_one(&found, TiltRight, 6.9, 7.4, "after a long gap");
}

#[test]
fn a_tap_cut_by_lost_samples_is_dropped() {
    let scene = ImuScene::rest().tap(1.0, Z, 3000.0, 20.0);
    let mut samples = scene.samples(100, 2.5);
    samples.retain(|s| !(1_030_000..1_060_000).contains(&s.t_us));
    assert_eq!(detect_imu(&samples), []);
}

#[test]
fn duplicated_samples_change_nothing() {
    let scene = ImuScene::rest()
        .double_tap(1.0, Z, 3000.0, 20.0, 200.0)
        .tilt(2.0, 30.0, 0.5, Some(1.0));
    let samples = scene.samples(100, 5.0);
    let doubled: Vec<_> = samples.iter().flat_map(|s| [*s, *s]).collect();
    assert_eq!(kinds(&detect_imu(&doubled)), kinds(&detect_imu(&samples)));
    assert_eq!(kinds(&detect_imu(&samples)), [DoubleTap, TiltRight]);
}

#[test]
fn a_restarted_sender_starts_afresh() {
    // The sender restarts at 1 s (seq from 0 again, same clock) while a
    // tap waits for its double-tap window: that tap is forgotten, the
    // next one is found.
    let scene = ImuScene::rest()
        .tap(0.8, Z, 3000.0, 20.0)
        .tap(2.0, Z, 3000.0, 20.0);
    let mut samples = scene.samples(100, 3.0);
    for (i, s) in samples
        .iter_mut()
        .filter(|s| s.t_us >= 1_000_000)
        .enumerate()
    {
        s.seq = u32::try_from(i).unwrap_or(u32::MAX);
    }
    assert_one(&detect_imu(&samples), Tap, 2.5, 2.6, "after a restart");
}

#[test]
fn reset_forgets_a_tap_waiting_for_its_window() {
    let samples = ImuScene::rest().tap(1.0, Z, 3000.0, 20.0).samples(100, 2.5);
    let (before, after) = samples.split_at(120);
    let mut detector = Detector::new(Config::default());
    assert_eq!(detect_imu_with(&mut detector, before), []);
    detector.reset();
    assert_eq!(detect_imu_with(&mut detector, after), []);
    // Without the reset it would have been reported.
    assert_eq!(kinds(&detect_imu(&samples)), [Tap]);
}

#[test]
fn thresholds_come_from_the_config() {
    // With a 4 g threshold the 3 g knock is nothing; a 10° tilt counts
    // with a 5° one.
    let config = Config {
        tap_threshold_mg: 4000,
        tilt_enter_deg: 5.0,
        tilt_exit_deg: 2.0,
        ..Config::default()
    };
    assert_eq!(config.validate(), Ok(()));
    let scene = ImuScene::rest()
        .tap(1.0, Z, 3000.0, 20.0)
        .tilt(2.0, 10.0, 0.5, Some(1.0));
    let found = detect_imu_with(&mut Detector::new(config), &scene.samples(100, 4.0));
    assert_eq!(kinds(&found), [TiltRight], "{found:?}");
}
