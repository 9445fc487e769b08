//! The ADS1115 adapter against the simulated ADS1115 and its LDR divider,
//! with a manual clock: what the adapter reports for the scenario's light,
//! saturation, the commands, and faults.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{assert_lux_near, at};
use embedded_hal_mock::eh1::i2c::{Mock, Transaction};
use light::ads1115::{Ads1115Light, Ads1115Settings};
use sensor_node::{Fault, Refusal, SensorDevice};
use sensor_sim::{Ads1115Model, ManualClock, Noise, Scenario};
use sensors::ads1115::{DataRate, Pga, ReadyPolarity};
use wire::{CommandOp, ErrorCode};

/// One count at ±4.096 V is 125 µV. Through the divider that is at most
/// 0.75 % of the illuminance at 20 klx (AIN0 is 24 mV below VDD there, so
/// the LDR's resistance moves 0.5 % per count, and lux goes as R^-1/0.7),
/// and 0.05 % at 300 lx: 1 % covers the range tested.
const TOLERANCE_PERCENT: f64 = 1.0;

struct Rig {
    clock: ManualClock,
    model: Ads1115Model,
    light: Ads1115Light<Ads1115Model>,
}

fn rig(scenario: &str, settings: Ads1115Settings) -> Rig {
    let clock = ManualClock::new();
    let scenario = Arc::new(Scenario::parse(scenario).expect("scenario"));
    let model = Ads1115Model::new(settings.address.bits(), scenario, clock.clone())
        .expect("address")
        .with_noise(Noise::NONE);
    let light = Ads1115Light::new(model.clone(), "sim", settings).expect("settings");
    Rig {
        clock,
        model,
        light,
    }
}

fn started(scenario: &str) -> Rig {
    let mut r = rig(scenario, Ads1115Settings::default());
    let wait = r.light.start().expect("start");
    r.clock.advance(wait);
    r
}

fn set_gain(fs: u16) -> CommandOp {
    CommandOp::SetGain {
        fullscale_mv: Some(fs),
        gain_milli: None,
        integration_ms: None,
    }
}

#[test]
fn lux_follows_the_scenario() {
    let mut r = started(
        "0s light level lux=1\n1s light level lux=10\n2s light level lux=300\n\
         3s light level lux=5000\n4s light level lux=20000\n",
    );
    assert_eq!(r.light.pga(), Pga::Fsr4_096V);
    for (second, lux) in [(0, 1.0), (1, 10.0), (2, 300.0), (3, 5000.0), (4, 20000.0)] {
        let t = at(
            &r.clock,
            Duration::from_millis(u64::from(second) * 1000 + 500),
        );
        let sample = r.light.sample(40 + second, t).unwrap().unwrap();
        assert_eq!((sample.seq, sample.t_us), (40 + second, t));
        assert_lux_near(sample.lux_milli, lux, TOLERANCE_PERCENT);
        assert!(sample.raw > 0 && sample.raw < 32_767, "{}", sample.raw);
    }
}

#[test]
fn darkness_reads_zero() {
    let mut r = started("0s light level lux=0");
    let t = at(&r.clock, Duration::from_millis(500));
    let sample = r.light.sample(0, t).unwrap().unwrap();
    assert_eq!((sample.lux_milli, sample.raw), (0, 0));
}

#[test]
fn a_narrow_range_saturates_and_says_so() {
    let mut r = started("0s light level lux=300");
    let t = at(&r.clock, Duration::from_millis(200));
    let wide = r.light.sample(0, t).unwrap().unwrap();
    assert!(wide.raw < 32_767);
    assert_lux_near(wide.lux_milli, 300.0, TOLERANCE_PERCENT);

    // 300 lx puts AIN0 at 2.9 V: past ±2.048 V.
    r.light.command(&set_gain(2048)).unwrap();
    assert_eq!(r.light.pga(), Pga::Fsr2_048V);
    // The sample right after the change may be an old-range conversion.
    let t = at(&r.clock, Duration::from_millis(300));
    assert_eq!(r.light.sample(1, t).unwrap(), None);
    let t = at(&r.clock, Duration::from_millis(400));
    let clipped = r.light.sample(2, t).unwrap().unwrap();
    assert_eq!(clipped.raw, 32_767, "the full-scale code flags saturation");
    // The lux at full scale: a lower bound, well under the real 300 lx.
    assert!(
        clipped.lux_milli > 10_000 && clipped.lux_milli < 300_000,
        "{}",
        clipped.lux_milli
    );

    // The widest range reads the light again (187.5 µV per count).
    r.light.command(&set_gain(6144)).unwrap();
    let t = at(&r.clock, Duration::from_millis(500));
    assert_eq!(r.light.sample(3, t).unwrap(), None);
    let t = at(&r.clock, Duration::from_millis(600));
    let wide = r.light.sample(4, t).unwrap().unwrap();
    assert!(wide.raw < 32_767);
    assert_lux_near(wide.lux_milli, 300.0, TOLERANCE_PERCENT);
}

#[test]
fn gain_refuses_what_the_ads1115_does_not_have() {
    let mut r = started("0s light level lux=300");
    let bad = r.light.command(&set_gain(3300)).unwrap_err();
    assert_eq!(bad.code, ErrorCode::BadArgument);
    assert!(bad.text.contains("fs=3300"), "{}", bad.text);
    assert!(
        bad.text.contains("6144") && bad.text.contains("256"),
        "{}",
        bad.text
    );
    let veml_args = r
        .light
        .command(&CommandOp::SetGain {
            fullscale_mv: None,
            gain_milli: Some(125),
            integration_ms: Some(100),
        })
        .unwrap_err();
    assert_eq!(veml_args.code, ErrorCode::BadArgument);
    assert!(veml_args.text.contains("fs="), "{}", veml_args.text);
    // Nothing changed.
    assert_eq!(r.light.pga(), Pga::Fsr4_096V);

    for op in [
        CommandOp::SetRange {
            accel_g: Some(2),
            gyro_dps: None,
        },
        CommandOp::Calibrate,
    ] {
        let e = r.light.command(&op).unwrap_err();
        assert_eq!(e.code, ErrorCode::Unsupported, "{op:?}");
    }
}

#[test]
fn rate_sets_the_data_rate() {
    let mut r = started("0s light level lux=300");
    assert_eq!(r.light.sample_rate_hz(), 10);
    assert_eq!(r.light.data_rate(), DataRate::Sps16);
    r.light.command(&CommandOp::SetRate { hz: 100 }).unwrap();
    assert_eq!(r.light.sample_rate_hz(), 100);
    assert_eq!(r.light.data_rate(), DataRate::Sps128);
    for hz in [0, 861] {
        let e = r.light.command(&CommandOp::SetRate { hz }).unwrap_err();
        assert_eq!(e.code, ErrorCode::BadArgument);
        assert!(e.text.contains("1..=860"), "{}", e.text);
    }
    assert_eq!(r.light.sample_rate_hz(), 100);
    // The part got it: the config register holds DR = 128 SPS, which the
    // self-test reads back.
    r.light.command(&CommandOp::SelfTest).unwrap();
    // Samples keep coming at the new rate (one skipped after the change).
    let t = at(&r.clock, Duration::from_millis(200));
    assert_eq!(r.light.sample(0, t).unwrap(), None);
    let t = at(&r.clock, Duration::from_millis(210));
    assert_lux_near(
        r.light.sample(1, t).unwrap().unwrap().lux_milli,
        300.0,
        TOLERANCE_PERCENT,
    );
}

#[test]
fn ready_pin_paces_at_the_data_rate() {
    let settings = Ads1115Settings {
        ready_pin: Some(ReadyPolarity::ActiveLow),
        ..Ads1115Settings::default()
    };
    let mut r = rig("0s light level lux=300", settings);
    // 10 Hz rounds up to the next data rate: the pin pulses at 16 Hz.
    assert_eq!(r.light.sample_rate_hz(), 16);
    r.light.start().unwrap();
    assert_eq!(r.model.take_alert_edges(), 0);
    r.clock.advance(Duration::from_secs(1));
    assert_eq!(r.model.take_alert_edges(), 16, "one pulse per conversion");
    let t = common::now_us(&r.clock);
    assert_lux_near(
        r.light.sample(0, t).unwrap().unwrap().lux_milli,
        300.0,
        TOLERANCE_PERCENT,
    );
}

#[test]
fn without_a_ready_pin_alert_stays_quiet() {
    let mut r = rig("0s light level lux=300", Ads1115Settings::default());
    r.light.start().unwrap();
    r.clock.advance(Duration::from_secs(1));
    assert_eq!(r.model.take_alert_edges(), 0);
    assert!(r.model.alert_pin_high(), "comparator off: high impedance");
}

#[test]
fn selftest_passes_on_the_part_and_fails_when_it_is_gone() {
    let mut r = started("0s light level lux=300\n2s light fault vanish");
    r.light.command(&CommandOp::SelfTest).unwrap();
    at(&r.clock, Duration::from_secs(3));
    let e: Refusal = r.light.command(&CommandOp::SelfTest).unwrap_err();
    assert_eq!(e.code, ErrorCode::Io);
    assert!(e.text.contains("ADS1115 at sim 0x48"), "{}", e.text);
}

#[test]
fn a_reset_part_is_noticed_and_recovers_after_a_restart() {
    let mut r = started("0s light level lux=300\n1s light fault reset");
    let t = at(&r.clock, Duration::from_millis(500));
    assert!(r.light.sample(0, t).unwrap().is_some());
    let t = at(&r.clock, Duration::from_millis(1500));
    let fault = r.light.sample(1, t).unwrap_err();
    assert!(
        matches!(fault.fault, Fault::ConfigLost { read: 0x8583, .. }),
        "{fault}"
    );
    assert!(!fault.is_wrong_part());
    assert!(fault.to_string().contains("reset"), "{fault}");
    // What the loop does: start again after a backoff.
    let wait = r.light.start().unwrap();
    r.clock.advance(wait);
    let t = common::now_us(&r.clock);
    assert_lux_near(
        r.light.sample(2, t).unwrap().unwrap().lux_milli,
        300.0,
        TOLERANCE_PERCENT,
    );
}

#[test]
fn a_missing_part_is_a_bus_fault_naming_it() {
    let mut r = rig(
        "0s light level lux=300\n0s light fault vanish",
        Ads1115Settings::default(),
    );
    let fault = r.light.start().unwrap_err();
    assert!(matches!(fault.fault, Fault::Bus { .. }), "{fault}");
    assert!(!fault.is_wrong_part());
    let text = fault.to_string();
    assert!(
        text.starts_with("ADS1115 at sim 0x48: configure:"),
        "{text}"
    );
    assert!(text.contains("did not acknowledge"), "{text}");
}

#[test]
fn a_part_that_does_not_keep_its_config_is_the_wrong_part() {
    // Something at 0x48 that takes the writes and reads back zeros.
    // Config: AIN0 (100), ±4.096 V (001), 16 SPS (001), comparator off.
    let mut bus = Mock::new(&[
        Transaction::write(0x48, vec![0x01, 0x43, 0x23]),
        Transaction::write(0x48, vec![0x01, 0x42, 0x23]),
        Transaction::write_read(0x48, vec![0x01], vec![0x00, 0x00]),
    ]);
    let mut light =
        Ads1115Light::new(bus.clone(), "/dev/i2c-1", Ads1115Settings::default()).expect("settings");
    let fault = light.start().unwrap_err();
    assert!(fault.is_wrong_part(), "{fault}");
    assert!(fault.to_string().contains("not an ADS1115"), "{fault}");
    bus.done();
}

#[test]
fn rates_out_of_range_are_refused_at_construction() {
    let clock = ManualClock::new();
    let model = Ads1115Model::new(0x48, Arc::new(Scenario::default()), clock).unwrap();
    for rate_hz in [0, 861] {
        let settings = Ads1115Settings {
            rate_hz,
            ..Ads1115Settings::default()
        };
        let e = Ads1115Light::new(model.clone(), "sim", settings).unwrap_err();
        assert!(e.to_string().contains("1..=860"), "{e}");
    }
}
