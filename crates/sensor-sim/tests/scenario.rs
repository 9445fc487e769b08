//! Scenarios: evaluation at given times, parse errors with positions, the
//! committed board scenarios, and random input that must never panic.

mod common;

use std::time::Duration;

use common::ms;
use proptest::prelude::*;
use sensor_sim::{Device, ImuInputs, LoadError, Problem, Scenario};

fn parse(text: &str) -> Scenario {
    Scenario::parse(text).unwrap_or_else(|e| panic!("{e}"))
}

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}

fn accel(s: &Scenario, t: f64) -> [i32; 3] {
    s.imu_at(secs(t)).accel_mg
}

fn lux_mlx(s: &Scenario, t: f64) -> u64 {
    s.light_at(secs(t)).illuminance_mlx
}

#[test]
fn before_any_line_the_board_is_flat_still_warm_and_dark() {
    let s = parse("# nothing yet\n\n");
    assert_eq!(
        s.imu_at(Duration::ZERO),
        ImuInputs {
            accel_mg: [0, 0, 1000],
            gyro_mdps: [0, 0, 0],
            temp_cc: 2500,
        }
    );
    assert_eq!(lux_mlx(&s, 100.0), 0);
    assert_eq!(s.loop_period(), None);
    assert_eq!(s.fault_at(Device::Imu, secs(1.0)), Default::default());
}

#[test]
fn orientation_tilt_and_flip_give_gravity_in_the_device_frame() {
    let s = parse(
        "0s imu orientation roll=30\n\
         1s imu tilt pitch=30 over=1s\n\
         3s imu flip over=1s\n\
         5s imu tilt roll=-30 pitch=0 over=200ms for=1s\n",
    );
    assert_eq!(accel(&s, 0.5), [0, 500, 866], "roll 30: right side down");
    assert_eq!(accel(&s, 2.5), [-500, 433, 750], "roll 30, pitch 30");
    // Flip turns roll 30 into 210 through 120 at mid-move.
    assert_eq!(accel(&s, 3.5), [-500, 750, -433]);
    assert_eq!(accel(&s, 4.5), [-500, -433, -750], "face down");
    // Tilt with for: move, hold, move back.
    assert_eq!(accel(&s, 5.5), [0, -500, 866]);
    assert_eq!(accel(&s, 6.5), [-500, -433, -750], "back where it was");
}

#[test]
fn moves_turn_the_gyroscope() {
    let s = parse("0s imu orientation roll=30\n1s imu tilt pitch=30 over=1s\n");
    // Mid-move the cosine ease turns at pi/2 * 30 deg/s = 47.12 deg/s in
    // pitch; at roll 30 that is q = 47.12 cos 30, r = -47.12 sin 30.
    let g = s.imu_at(secs(1.5)).gyro_mdps;
    assert_eq!(g[0], 0);
    assert!((g[1] - 40810).abs() <= 1, "{g:?}");
    assert!((g[2] + 23562).abs() <= 1, "{g:?}");
    assert_eq!(s.imu_at(secs(1.0)).gyro_mdps, [0, 0, 0], "starts from rest");
    assert_eq!(
        s.imu_at(secs(2.5)).gyro_mdps,
        [0, 0, 0],
        "still after the move"
    );
}

#[test]
fn taps_and_shakes_add_to_gravity() {
    let s = parse(
        "1s imu tap axis=z peak=2.5g\n\
         2s imu tap axis=x peak=-1g width=20ms count=2 gap=200ms\n\
         3s imu shake axis=y amplitude=1.5g freq=5hz for=1s\n",
    );
    assert_eq!(accel(&s, 0.99), [0, 0, 1000]);
    assert_eq!(accel(&s, 1.0075), [0, 0, 3500], "half-sine peak mid-width");
    assert_eq!(accel(&s, 1.015), [0, 0, 1000], "15 ms pulse by default");
    assert_eq!(accel(&s, 2.01)[0], -1000);
    assert_eq!(accel(&s, 2.21)[0], -1000, "second tap of the double tap");
    assert_eq!(accel(&s, 2.25)[0], 0);
    assert_eq!(accel(&s, 2.41)[0], 0, "only two");
    assert_eq!(accel(&s, 3.05)[1], 1500, "quarter period of 5 Hz");
    assert_eq!(accel(&s, 3.15)[1], -1500);
    assert_eq!(accel(&s, 4.05)[1], 0, "shake over");
}

#[test]
fn light_levels_ramp_and_hands_dip() {
    let s = parse(
        "0s light level lux=300\n\
         2s light level lux=1000 over=2s\n\
         5s light hand depth=0.9 for=400ms\n\
         6s light hand depth=50% for=1s\n",
    );
    assert_eq!(lux_mlx(&s, 1.0), 300_000);
    assert_eq!(lux_mlx(&s, 3.0), 650_000, "half-way through the ramp");
    assert_eq!(lux_mlx(&s, 4.0), 1_000_000);
    assert_eq!(
        lux_mlx(&s, 5.1),
        550_000,
        "a quarter into the dip: half its depth"
    );
    assert_eq!(lux_mlx(&s, 5.2), 100_000, "deepest: 90 % blocked");
    assert_eq!(lux_mlx(&s, 5.4), 1_000_000, "recovered");
    assert_eq!(lux_mlx(&s, 6.5), 500_000);
}

#[test]
fn temperature_steps_and_ramps() {
    let s = parse("0s imu temperature celsius=20\n10s imu temperature celsius=30 over=10s");
    assert_eq!(s.imu_at(secs(5.0)).temp_cc, 2000);
    assert_eq!(s.imu_at(secs(15.0)).temp_cc, 2500);
    assert_eq!(s.imu_at(secs(25.0)).temp_cc, 3000);
}

#[test]
fn lines_apply_in_time_order_whatever_their_order_in_the_file() {
    let a = parse("2s imu flip\n0s imu orientation roll=30\n1s light level lux=5");
    let b = parse("0s imu orientation roll=30\n1s light level lux=5\n2s imu flip");
    for t in [0.0, 1.5, 2.2, 3.0] {
        assert_eq!(a.imu_at(secs(t)), b.imu_at(secs(t)));
        assert_eq!(a.light_at(secs(t)), b.light_at(secs(t)));
    }
    // Same time: file order.
    let s = parse("1s imu orientation roll=10\n1s imu orientation roll=20");
    assert_eq!(
        accel(&s, 1.0),
        accel(&parse("0s imu orientation roll=20"), 0.0)
    );
}

#[test]
fn a_loop_replays_everything() {
    let s = parse(
        "0s imu tilt roll=90 over=1s for=1s\n\
         5s imu tap axis=z peak=3g\n\
         2s light level lux=100 over=1s\n\
         10s * loop\n",
    );
    assert_eq!(s.loop_period(), Some(ms(10_000)));
    for t in [0.0, 0.5, 1.5, 2.2, 2.5, 5.0075, 9.9] {
        for k in [1.0, 3.0, 100.0] {
            assert_eq!(
                s.imu_at(secs(t)),
                s.imu_at(secs(t + 10.0 * k)),
                "t={t} k={k}"
            );
            assert_eq!(s.light_at(secs(t)), s.light_at(secs(t + 10.0 * k)));
        }
    }
    assert_eq!(lux_mlx(&s, 10.5), 0, "the level starts again from the dark");
}

#[test]
fn fault_windows_and_occurrences_follow_the_loop() {
    let s = parse(
        "1s imu fault nack count=3\n\
         2s imu fault stuck for=1s\n\
         4s imu fault vanish for=500ms\n\
         5s imu fault reset\n\
         6s light fault vanish\n\
         10s * loop\n",
    );
    assert_eq!(
        s.fault_at(Device::Imu, secs(2.5)).stuck_since,
        Some(secs(2.0))
    );
    assert_eq!(
        s.fault_at(Device::Imu, secs(12.5)).stuck_since,
        Some(secs(12.0))
    );
    assert_eq!(s.fault_at(Device::Imu, secs(3.0)).stuck_since, None);
    assert!(s.fault_at(Device::Imu, secs(4.2)).vanished);
    assert!(!s.fault_at(Device::Imu, secs(4.5)).vanished);
    assert_eq!(
        s.fault_at(Device::Light, secs(2.5)),
        Default::default(),
        "imu only"
    );
    assert!(s.fault_at(Device::Light, secs(9.9)).vanished, "for ever...");
    assert!(
        !s.fault_at(Device::Light, secs(10.5)).vanished,
        "...until the loop"
    );
    assert!(s.fault_at(Device::Light, secs(16.0)).vanished);

    assert_eq!(s.nack_burst_between(Device::Imu, None, secs(0.5)), None);
    assert_eq!(s.nack_burst_between(Device::Imu, None, secs(1.0)), Some(3));
    assert_eq!(
        s.nack_burst_between(Device::Imu, Some(secs(1.0)), secs(2.0)),
        None
    );
    assert_eq!(
        s.nack_burst_between(Device::Imu, Some(secs(5.0)), secs(11.0)),
        Some(3)
    );
    assert_eq!(s.nack_burst_between(Device::Light, None, secs(50.0)), None);
    assert_eq!(
        s.last_reset_between(Device::Imu, Some(secs(4.0)), secs(36.0)),
        Some(secs(35.0))
    );
    assert_eq!(
        s.last_reset_between(Device::Imu, Some(secs(35.0)), secs(40.0)),
        None
    );
}

/// (text, line, column, a phrase of the message)
const BAD: &[(&str, usize, usize, &str)] = &[
    ("1.5 imu flip", 1, 1, "`1.5` is not a time: it has no unit"),
    ("-1s imu flip", 1, 1, "it is negative"),
    (
        "1d imu flip",
        1,
        1,
        "its unit is not one of us, ms, s, m or min, h",
    ),
    (
        "1s gyro flip",
        1,
        4,
        "unknown device `gyro`; devices are imu, light",
    ),
    ("1s", 1, 3, "a device must follow the time"),
    (
        "1s imu",
        1,
        7,
        "an event must follow `imu`; imu events are orientation, tilt",
    ),
    ("1s imu jump", 1, 8, "unknown imu event `jump`"),
    (
        "1s light tap axis=z",
        1,
        10,
        "light events are level, hand, fault",
    ),
    ("1s * flip", 1, 6, "* events are loop"),
    (
        "1s imu fault",
        1,
        13,
        "faults are nack, stuck, vanish, reset",
    ),
    ("1s imu fault melt", 1, 14, "unknown fault `melt`"),
    (
        "0s imu tap axis=z peak=2.5g height=3",
        1,
        29,
        "tap has no key `height`; tap takes axis=",
    ),
    ("0s imu tap axis=z", 1, 8, "tap needs peak"),
    (
        "0s imu tap axis=w peak=1g",
        1,
        17,
        "`w` is not a valid axis: expected x, y or z",
    ),
    (
        "0s imu tap axis=z axis=x peak=1g",
        1,
        19,
        "`axis` is given twice",
    ),
    (
        "0s imu shake axis=x amplitude=2 freq=5hz for=1s",
        1,
        31,
        "e.g. 2.5g or -800mg",
    ),
    ("0s imu tilt over=1s", 1, 8, "tilt needs roll or pitch"),
    (
        "0s imu flip 2s",
        1,
        13,
        "`2s` is not key=value; flip takes optional over=",
    ),
    ("0s imu flip =2s", 1, 13, "is not key=value"),
    (
        "0s light level lux=-5",
        1,
        20,
        "an illuminance from 0 to 200000 lux",
    ),
    ("0s light hand depth=1.5", 1, 21, "a fraction from 0 to 1"),
    ("1s imu fault nack", 1, 14, "fault nack needs count"),
    ("1s imu fault nack count=0", 1, 25, "from 1 to 1000000"),
    ("1s imu fault stuck for=0s", 1, 24, "a duration above 0"),
    (
        "1s imu fault reset now=1",
        1,
        20,
        "fault reset has no key `now`; fault reset takes no keys",
    ),
    (
        "1s imu tap axis=z peak=1g count=2 gap=10ms width=20ms",
        1,
        39,
        "at least as long as width",
    ),
    (
        "0s imu tilt roll=30 over=1s\n500ms imu flip",
        2,
        1,
        "this flip starts at 500ms while the tilt on line 1 lasts until 1s",
    ),
    (
        "500ms imu flip\n0s imu tilt roll=30 over=1s",
        1,
        1,
        "the tilt on line 2 lasts until 1s",
    ),
    (
        "0s imu tilt roll=30 for=1s\n1s imu flip",
        2,
        1,
        "lasts until 2s",
    ),
    (
        "0s light level lux=5 over=2s\n1s light level lux=9",
        2,
        1,
        "the level on line 1",
    ),
    (
        "5s * loop\n6s imu flip",
        2,
        1,
        "at or after the loop at 5s (line 1), so it would never run",
    ),
    (
        "5s * loop\n4s light hand depth=0.5 for=2s",
        2,
        1,
        "this hand lasts until 6s, past the loop at 5s",
    ),
    (
        "5s * loop\n6s * loop",
        2,
        1,
        "only one loop is allowed; the first is on line 1",
    ),
    ("0s * loop", 1, 1, "a loop at 0s would repeat nothing"),
    (
        "# header\n\n0s imu flip\n  1s  imu  bogus",
        4,
        12,
        "unknown imu event `bogus`",
    ),
    // Columns count characters, not bytes: U+3000 is one (3-byte) space.
    (
        "0s light level\u{3000}lux=x",
        1,
        20,
        "`x` is not a valid lux",
    ),
];

#[test]
fn parse_errors_name_line_column_problem_and_what_is_allowed() {
    for &(text, line, column, phrase) in BAD {
        let e = match Scenario::parse(text) {
            Ok(_) => panic!("{text:?} parsed"),
            Err(e) => e,
        };
        let shown = e.to_string();
        assert_eq!((e.line, e.column), (line, column), "{text:?}: {shown}");
        assert!(shown.starts_with(&format!("{line}:{column}: ")), "{shown}");
        assert!(shown.contains(phrase), "{text:?}: {shown}");
    }
    let e = Scenario::parse("0s imu tap axis=z peak=2.5g height=3").unwrap_err();
    assert_eq!(
        e.problem,
        Problem::UnknownKey {
            key: "height".to_owned(),
            event: "tap",
            usage: "axis=x|y|z, peak=ACCEL, optional width=DURATION (default 15ms), count=N (default 1), gap=DURATION (default 250ms)",
        }
    );
}

#[test]
fn every_documented_form_parses() {
    parse(
        "# time   device  event ...\n\
         0s       imu     orientation roll=0 pitch=0          # flat, face up\n\
         0s       imu     temperature celsius=25c\n\
         1.5s     imu     tap axis=z peak=2.5g\n\
         2s       imu     tap axis=Z peak=-800mg width=20ms count=2 gap=250ms\n\
         3s       imu     shake axis=x amplitude=1.5g freq=6Hz for=1s\n\
         5s       imu     tilt roll=30 for=2s\n\
         8s       imu     flip                                 # face down, held\n\
         9s       imu     tilt pitch=-12.5deg over=0s\n\
         0s       light   level lux=300\n\
         1s       light   level lux=12.5lx over=250us\n\
         6s       light   hand depth=0.05 for=400ms            # a hand passes\n\
         7s       light   hand depth=90%\n\
         10s      imu     fault nack count=5\n\
         12s      light   fault stuck for=2s\n\
         14s      imu     fault vanish for=3s\n\
         15s      light   fault reset\n\
         16s      imu     fault stuck\n\
         0.3min   *       loop\n",
    );
}

#[test]
fn load_reports_the_file_with_its_errors() {
    let missing = std::env::temp_dir().join("sensor-sim-no-such-dir/none.scenario");
    let e = Scenario::load(&missing).unwrap_err();
    assert!(matches!(e, LoadError::Read { ref path, .. } if *path == missing));
    assert!(e.to_string().contains("none.scenario"), "{e}");

    let path =
        std::env::temp_dir().join(format!("sensor-sim-test-{}.scenario", std::process::id()));
    std::fs::write(&path, "0s imu flip\n1s imu tap axis=q peak=1g\n").unwrap();
    let e = Scenario::load(&path).unwrap_err();
    let _ = std::fs::remove_file(&path);
    let shown = e.to_string();
    assert!(
        shown.starts_with(&format!("{}:2:17: ", path.display())),
        "{shown}"
    );
    assert!(matches!(e, LoadError::Parse { ref source, .. } if source.line == 2));
}

fn board_file(name: &str) -> (Scenario, String) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../board/sim")
        .join(name);
    let scenario = Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let text = std::fs::read_to_string(&path).unwrap();
    (scenario, text)
}

#[test]
fn the_demo_scenario_parses_loops_and_exercises_everything() {
    let (s, text) = board_file("demo.scenario");
    let period = s.loop_period().expect("demo loops");
    assert!((50..=70).contains(&period.as_secs()), "{period:?}");
    for word in [" tap ", "count=2", " shake ", " hand ", " fault "] {
        assert!(text.contains(word), "demo has no {word:?}");
    }
    let mut tilted_right = Duration::ZERO;
    let mut tilted_left = Duration::ZERO;
    let mut face_down = Duration::ZERO;
    let (mut brightest, mut darkest) = (0u64, u64::MAX);
    let mut faulted = false;
    let step = ms(10);
    let mut t = Duration::ZERO;
    while t < period {
        let a = s.imu_at(t).accel_mg;
        // Held tilts: about 30 degrees either way, nothing else going on.
        if (400..=600).contains(&a[1]) && a[2] > 800 {
            tilted_right += step;
        }
        if (-600..=-400).contains(&a[1]) && a[2] > 800 {
            tilted_left += step;
        }
        if a[2] < -950 {
            face_down += step;
        }
        let lux = s.light_at(t).illuminance_mlx;
        brightest = brightest.max(lux);
        darkest = darkest.min(lux);
        let f = (s.fault_at(Device::Imu, t), s.fault_at(Device::Light, t));
        faulted |=
            f.0.vanished || f.1.vanished || f.0.stuck_since.is_some() || f.1.stuck_since.is_some();
        t += step;
    }
    assert!(tilted_right >= ms(1000), "{tilted_right:?}");
    assert!(tilted_left >= ms(1000), "{tilted_left:?}");
    assert!(face_down >= ms(1000), "{face_down:?}");
    assert!(brightest >= 5_000_000, "daylight: {brightest}");
    assert!(darkest <= 50_000, "night: {darkest}");
    assert!(faulted || s.nack_burst_between(Device::Imu, None, period).is_some());
}

#[test]
fn the_faults_scenario_has_every_fault_kind_for_both_devices() {
    let (s, _) = board_file("faults.scenario");
    let end = s.loop_period().unwrap_or(Duration::from_secs(600));
    for device in [Device::Imu, Device::Light] {
        let mut vanished = false;
        let mut stuck = false;
        let mut t = Duration::ZERO;
        while t < end {
            let f = s.fault_at(device, t);
            vanished |= f.vanished;
            stuck |= f.stuck_since.is_some();
            t += ms(50);
        }
        assert!(vanished, "{device:?} vanish");
        assert!(stuck, "{device:?} stuck");
        assert!(
            s.nack_burst_between(device, None, end).is_some(),
            "{device:?} nack"
        );
        assert!(
            s.last_reset_between(device, None, end).is_some(),
            "{device:?} reset"
        );
    }
}

/// Words a scenario is made of, to build plausible random lines from.
const WORDS: &[&str] = &[
    "0s",
    "1s",
    "1.5s",
    "400ms",
    "2min",
    "-1s",
    "1e9s",
    "99999999s",
    "imu",
    "light",
    "*",
    "orientation",
    "tilt",
    "flip",
    "tap",
    "shake",
    "temperature",
    "level",
    "hand",
    "fault",
    "nack",
    "stuck",
    "vanish",
    "reset",
    "loop",
    "roll=30",
    "pitch=-400",
    "over=0s",
    "for=1s",
    "for=0s",
    "axis=z",
    "axis=",
    "peak=2g",
    "peak=99g",
    "width=1ms",
    "count=20",
    "count=99999999999",
    "gap=1us",
    "amplitude=1g",
    "freq=200hz",
    "celsius=85",
    "lux=200000",
    "lux=1e5",
    "depth=100%",
    "=",
    "==",
    "#",
    "é",
    "\u{3000}",
    "\t",
    "\r",
];

proptest! {
    #[test]
    fn arbitrary_text_never_panics(text in ".{0,400}") {
        let _ = Scenario::parse(&text);
    }

    #[test]
    fn plausible_lines_never_panic_and_evaluate_everywhere(
        lines in prop::collection::vec(prop::collection::vec(prop::sample::select(WORDS), 0..8), 0..12),
        times in prop::collection::vec(0u64..200_000_000_000, 8),
    ) {
        let text: String = lines.iter().map(|l| l.join(" ") + "\n").collect();
        if let Ok(s) = Scenario::parse(&text) {
            for &ns in &times {
                let t = Duration::from_nanos(ns);
                let _ = s.imu_at(t);
                let _ = s.light_at(t);
                let _ = s.fault_at(Device::Imu, t);
                let _ = s.nack_burst_between(Device::Light, Some(t / 2), t);
                let _ = s.last_reset_between(Device::Imu, None, t);
            }
        }
    }
}
