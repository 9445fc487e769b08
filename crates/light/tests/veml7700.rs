//! The VEML7700 adapter against the simulated VEML7700, with a manual
//! clock ticking as the loop's 10 Hz timer would: auto-ranging in bright
//! and dim light, one sample per integration, the commands, and faults.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{assert_lux_near, at, now_us};
use embedded_hal_mock::eh1::i2c::{Mock, Transaction};
use light::veml7700::{Ranging, Veml7700Light, Veml7700Settings};
use sensor_node::{Fault, Refusal, SensorDevice};
use sensor_sim::{ManualClock, Noise, Scenario, Veml7700Model};
use sensors::veml7700::{Gain, IntegrationTime, Setting};
use wire::{CommandOp, ErrorCode, LightSample};

/// At gains ×1 and ×2 the counts are linear; half a count is at most
/// 0.4 % of a reading the ranging keeps (at least 100 counts), so 0.5 %.
const LINEAR_TOLERANCE_PERCENT: f64 = 0.5;

/// At gains ×1/8 and ×1/4 the simulated sensor follows the application
/// note's non-linearity at every level and the driver corrects it at every
/// level: what is left is rounding to a count (at most 0.1 % at the
/// levels tested), so the same bound as the linear gains.
const LOW_GAIN_TOLERANCE_PERCENT: f64 = 0.5;

/// The loop's timer period at 10 Hz.
const TICK: Duration = Duration::from_millis(100);

struct Rig {
    clock: ManualClock,
    light: Veml7700Light<Veml7700Model>,
}

fn rig(scenario: &str, settings: Veml7700Settings) -> Rig {
    let clock = ManualClock::new();
    let scenario = Arc::new(Scenario::parse(scenario).expect("scenario"));
    let model = Veml7700Model::new(scenario, clock.clone()).with_noise(Noise::NONE);
    let light = Veml7700Light::new(model, "sim", settings).expect("settings");
    Rig { clock, light }
}

fn started(scenario: &str) -> Rig {
    let mut r = rig(scenario, Veml7700Settings::default());
    let wait = r.light.start().expect("start");
    r.clock.advance(wait);
    r
}

/// Ticks until a sample comes (at most `limit`); returns it and the
/// number of ticks that gave none.
fn next_sample(r: &mut Rig, limit: Duration) -> (LightSample, u32) {
    let end = r.clock_now() + limit;
    let mut empty = 0;
    while r.clock_now() <= end {
        let t = now_us(&r.clock);
        if let Some(sample) = r.light.sample(0, t).expect("sample") {
            return (sample, empty);
        }
        empty += 1;
        r.clock.advance(TICK);
    }
    panic!("no sample within {limit:?} ({empty} empty ticks)");
}

impl Rig {
    fn clock_now(&self) -> Duration {
        sensor_sim::SimClock::now(&self.clock)
    }
}

fn gain(gain_milli: Option<u32>, integration_ms: Option<u16>) -> CommandOp {
    CommandOp::SetGain {
        fullscale_mv: None,
        gain_milli,
        integration_ms,
    }
}

#[test]
fn room_light_needs_no_ranging() {
    let mut r = started("0s light level lux=300");
    let (sample, empty) = next_sample(&mut r, Duration::from_secs(1));
    assert_eq!(empty, 0);
    assert_eq!(r.light.setting(), Setting::AUTO_RANGE_START);
    // 292 lx linear at 0.5376 lx/count, corrected for gain 1/8.
    assert_eq!(sample.raw, 544);
    assert_lux_near(sample.lux_milli, 300.0, LOW_GAIN_TOLERANCE_PERCENT);
}

#[test]
fn ranging_settles_in_daylight() {
    let mut r = started("0s light level lux=20000");
    let (sample, empty) = next_sample(&mut r, Duration::from_secs(5));
    // Two steps down the ladder (100 -> 50 -> 25 ms), each waiting for the
    // integration in progress and one with the new setting.
    assert!(empty >= 2, "{empty}");
    assert_eq!(
        r.light.setting(),
        Setting::new(Gain::OneEighth, IntegrationTime::Ms25)
    );
    assert!(sample.raw > 100 && sample.raw <= 10_000, "{}", sample.raw);
    assert_lux_near(sample.lux_milli, 20_000.0, LOW_GAIN_TOLERANCE_PERCENT);
    assert_eq!(r.light.ranging(), Ranging::Auto);
}

#[test]
fn ranging_settles_at_night() {
    let mut r = started("0s light level lux=0.5");
    let (sample, empty) = next_sample(&mut r, Duration::from_secs(10));
    // Six steps up: x1/4, x1, x2 at 100 ms, then 200, 400, 800 ms.
    assert!(empty >= 6, "{empty}");
    assert_eq!(
        r.light.setting(),
        Setting::new(Gain::Two, IntegrationTime::Ms800)
    );
    assert_lux_near(sample.lux_milli, 0.5, LINEAR_TOLERANCE_PERCENT);
}

#[test]
fn ranging_follows_the_light_down_and_up() {
    let mut r = started("0s light level lux=300\n2s light level lux=5\n6s light level lux=2000");
    let (first, _) = next_sample(&mut r, Duration::from_secs(1));
    assert_lux_near(first.lux_milli, 300.0, LOW_GAIN_TOLERANCE_PERCENT);
    at(&r.clock, Duration::from_secs(2));
    let (dim, _) = next_sample(&mut r, Duration::from_secs(4));
    assert_lux_near(dim.lux_milli, 5.0, LINEAR_TOLERANCE_PERCENT);
    at(&r.clock, Duration::from_secs(6));
    let (bright, _) = next_sample(&mut r, Duration::from_secs(6));
    assert_lux_near(bright.lux_milli, 2000.0, LOW_GAIN_TOLERANCE_PERCENT);
}

#[test]
fn one_sample_per_integration() {
    let mut r = started("0s light level lux=0.5");
    next_sample(&mut r, Duration::from_secs(10));
    let mut times = Vec::new();
    for _ in 0..40 {
        r.clock.advance(TICK);
        let t = now_us(&r.clock);
        if let Some(sample) = r.light.sample(0, t).unwrap() {
            times.push(sample.t_us);
        }
    }
    // 4 s of 10 Hz ticks at 800 ms integrations: a sample every 8 ticks.
    assert_eq!(times.len(), 5, "{times:?}");
    for pair in times.windows(2) {
        assert_eq!(pair[1] - pair[0], 800_000, "{times:?}");
    }
}

#[test]
fn a_fixed_gain_turns_ranging_off_and_can_saturate() {
    let mut r = started("0s light level lux=300");
    next_sample(&mut r, Duration::from_secs(1));
    r.light.command(&gain(Some(1000), Some(100))).unwrap();
    let fixed = Setting::new(Gain::One, IntegrationTime::Ms100);
    assert_eq!(r.light.ranging(), Ranging::Fixed(fixed));
    assert_eq!(r.light.setting(), fixed);
    r.clock.advance(TICK);
    let (sample, empty) = next_sample(&mut r, Duration::from_secs(2));
    assert!(empty >= 1, "the new setting settles first");
    // 300 lx / 0.0672 lx per count, linear at gain x1.
    assert_eq!(sample.raw, 4464);
    assert_lux_near(sample.lux_milli, 300.0, LINEAR_TOLERANCE_PERCENT);

    // x2, 800 ms: 0.0042 lx/count saturates at 275 lx. Only the gain is
    // given: the integration time stays.
    r.light.command(&gain(Some(2000), None)).unwrap();
    assert_eq!(
        r.light.setting(),
        Setting::new(Gain::Two, IntegrationTime::Ms100)
    );
    r.light.command(&gain(None, Some(800))).unwrap();
    r.clock.advance(TICK);
    let (sample, _) = next_sample(&mut r, Duration::from_secs(3));
    assert_eq!(sample.raw, 65_535, "full scale flags saturation");
    assert!(
        sample.lux_milli < 300_000,
        "a lower bound: {}",
        sample.lux_milli
    );
    // The ranging is off: it stays saturated.
    r.clock.advance(Duration::from_secs(1));
    let (again, _) = next_sample(&mut r, Duration::from_secs(2));
    assert_eq!(again.raw, 65_535);
    assert_eq!(
        r.light.ranging(),
        Ranging::Fixed(Setting::new(Gain::Two, IntegrationTime::Ms800))
    );
}

#[test]
fn gain_auto_turns_ranging_back_on_after_a_fixed_gain() {
    let mut r = started("0s light level lux=300");
    next_sample(&mut r, Duration::from_secs(1));
    // Saturated at x2, 800 ms, and fixed there.
    r.light.command(&gain(Some(2000), Some(800))).unwrap();
    r.clock.advance(TICK);
    let (saturated, _) = next_sample(&mut r, Duration::from_secs(3));
    assert_eq!(saturated.raw, 65_535);
    // One reading per 800 ms integration: at most 1 Hz.
    assert!(r.light.command(&CommandOp::SetRate { hz: 10 }).is_err());
    r.light.command(&CommandOp::AutoGain).unwrap();
    assert_eq!(r.light.ranging(), Ranging::Auto);
    assert_eq!(r.light.setting(), Setting::AUTO_RANGE_START);
    // Nothing is sent until the ladder's start setting has settled; then
    // the reading is the auto-ranged one.
    r.clock.advance(TICK);
    let (sample, empty) = next_sample(&mut r, Duration::from_secs(3));
    assert!(empty >= 1, "the new setting settles first");
    assert_eq!(sample.raw, 544);
    assert_lux_near(sample.lux_milli, 300.0, LOW_GAIN_TOLERANCE_PERCENT);
    // Auto-ranging samples at up to 10 Hz again.
    r.light.command(&CommandOp::SetRate { hz: 10 }).unwrap();

    // In the dark, from a fixed setting for bright light, the ranging
    // climbs the whole ladder, as it does at start.
    let mut dim = started("0s light level lux=0.5");
    dim.light.command(&gain(Some(125), Some(25))).unwrap();
    dim.light.command(&CommandOp::AutoGain).unwrap();
    let (sample, _) = next_sample(&mut dim, Duration::from_secs(10));
    assert_eq!(
        dim.light.setting(),
        Setting::new(Gain::Two, IntegrationTime::Ms800)
    );
    assert_lux_near(sample.lux_milli, 0.5, LINEAR_TOLERANCE_PERCENT);
}

#[test]
fn gain_refuses_values_the_part_does_not_have() {
    let mut r = started("0s light level lux=300");
    let cases: [(CommandOp, &str); 4] = [
        (gain(Some(500), None), "gain=500"),
        (gain(Some(70_000), None), "gain=70000"),
        (gain(None, Some(75)), "it=75"),
        (
            CommandOp::SetGain {
                fullscale_mv: Some(4096),
                gain_milli: None,
                integration_ms: None,
            },
            "fs=",
        ),
    ];
    for (op, named) in cases {
        let e: Refusal = r.light.command(&op).unwrap_err();
        assert_eq!(e.code, ErrorCode::BadArgument, "{op:?}");
        assert!(e.text.contains(named), "{}", e.text);
    }
    assert_eq!(r.light.ranging(), Ranging::Auto, "nothing changed");
    for op in [
        CommandOp::SetRange {
            accel_g: None,
            gyro_dps: Some(250),
        },
        CommandOp::Calibrate,
    ] {
        assert_eq!(
            r.light.command(&op).unwrap_err().code,
            ErrorCode::Unsupported
        );
    }
}

#[test]
fn rate_is_limited_by_the_integration_time() {
    let mut r = started("0s light level lux=300");
    r.light.command(&CommandOp::SetRate { hz: 5 }).unwrap();
    assert_eq!(r.light.sample_rate_hz(), 5);
    for hz in [0, 11] {
        let e = r.light.command(&CommandOp::SetRate { hz }).unwrap_err();
        assert_eq!(e.code, ErrorCode::BadArgument);
        assert!(e.text.contains("1..=10"), "{}", e.text);
    }
    r.light.command(&gain(Some(1000), Some(400))).unwrap();
    let e = r.light.command(&CommandOp::SetRate { hz: 3 }).unwrap_err();
    assert_eq!(e.code, ErrorCode::BadArgument);
    assert!(
        e.text.contains("it=400 ms") && e.text.contains("at most 2 Hz"),
        "{}",
        e.text
    );
    r.light.command(&CommandOp::SetRate { hz: 2 }).unwrap();
    assert_eq!(r.light.sample_rate_hz(), 2);
}

#[test]
fn selftest_reads_the_config_back() {
    let mut r = started("0s light level lux=300\n2s light fault vanish");
    r.light.command(&CommandOp::SelfTest).unwrap();
    at(&r.clock, Duration::from_secs(3));
    let e = r.light.command(&CommandOp::SelfTest).unwrap_err();
    assert_eq!(e.code, ErrorCode::Io);
    assert!(e.text.contains("VEML7700 at sim 0x10"), "{}", e.text);
}

#[test]
fn a_reset_sensor_is_noticed_and_recovers_after_a_restart() {
    let mut r = started("0s light level lux=300\n3s light fault reset");
    next_sample(&mut r, Duration::from_secs(1));
    let t = at(&r.clock, Duration::from_millis(3100));
    let fault = r.light.sample(0, t).unwrap_err();
    // Shut down, gain x1, 100 ms: the power-on ALS_CONF_0.
    assert!(
        matches!(fault.fault, Fault::ConfigLost { read: 0x0001, .. }),
        "{fault}"
    );
    assert!(!fault.is_wrong_part());
    let wait = r.light.start().unwrap();
    r.clock.advance(wait);
    let (sample, _) = next_sample(&mut r, Duration::from_secs(1));
    assert_lux_near(sample.lux_milli, 300.0, LOW_GAIN_TOLERANCE_PERCENT);
}

#[test]
fn a_missing_sensor_is_a_bus_fault_naming_it() {
    let mut r = rig("0s light fault vanish", Veml7700Settings::default());
    let fault = r.light.start().unwrap_err();
    assert!(matches!(fault.fault, Fault::Bus { .. }), "{fault}");
    assert!(
        fault
            .to_string()
            .starts_with("VEML7700 at sim 0x10: read the ID register:"),
        "{fault}"
    );
}

#[test]
fn another_part_at_0x10_is_the_wrong_part() {
    let mut bus = Mock::new(&[Transaction::write_read(0x10, vec![0x07], vec![0x48, 0x00])]);
    let mut light =
        Veml7700Light::new(bus.clone(), "/dev/i2c-1", Veml7700Settings::default()).unwrap();
    let fault = light.start().unwrap_err();
    assert!(fault.is_wrong_part(), "{fault}");
    assert!(fault.to_string().contains("0x0048"), "{fault}");
    bus.done();
}

#[test]
fn rates_out_of_range_are_refused_at_construction() {
    let model = Veml7700Model::new(Arc::new(Scenario::default()), ManualClock::new());
    let settings = Veml7700Settings {
        rate_hz: 11,
        ..Veml7700Settings::default()
    };
    assert!(Veml7700Light::new(model.clone(), "sim", settings).is_err());
    let slow = Veml7700Settings {
        rate_hz: 5,
        ranging: Ranging::Fixed(Setting::new(Gain::One, IntegrationTime::Ms800)),
    };
    let e = Veml7700Light::new(model, "sim", slow).unwrap_err();
    assert!(e.to_string().contains("at most 1 Hz"), "{e}");
}
