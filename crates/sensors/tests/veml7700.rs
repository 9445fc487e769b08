//! VEML7700 driver: the exact bus traffic of every public operation, and
//! its errors.

mod common;

use core::time::Duration;

use common::{NACK, veml::*};
use embedded_hal::i2c::{Error as _, ErrorKind};
use embedded_hal_mock::eh1::i2c::{Mock, Transaction};
use sensors::veml7700::{
    AutoLux, Error, Gain, IntegrationTime, InterruptStatus, Persistence, PowerSavingMode,
    RangeStep, Setting, Veml7700,
};

fn als(transactions: &[Transaction]) -> Veml7700<Mock> {
    Veml7700::new(Mock::new(transactions))
}

/// `init` traffic: power saving off, then ALS_CONF_0 powered on.
fn init(conf: u16) -> [Transaction; 2] {
    [write(POWER_SAVING, 0), write(ALS_CONF_0, conf)]
}

#[test]
fn new_and_destroy_send_nothing() {
    als(&[]).destroy().done();
}

#[test]
fn init_writes_power_saving_then_config_and_returns_the_first_wait() {
    let mut dev = als(&init(GAIN_2 | IT_800));
    let wait = dev
        .init(Setting::new(Gain::Two, IntegrationTime::Ms800))
        .unwrap();
    // 4 ms start-up + (a running 800 ms integration + 800 ms) + 10 %.
    assert_eq!(wait, Duration::from_millis(1764));
    assert!(!dev.is_shut_down());
    dev.destroy().done();
}

#[test]
fn every_gain_and_integration_time_encodes() {
    let gains = [
        (Gain::One, GAIN_1),
        (Gain::Two, GAIN_2),
        (Gain::OneEighth, GAIN_1_8),
        (Gain::OneQuarter, GAIN_1_4),
    ];
    let times = [
        (IntegrationTime::Ms25, IT_25),
        (IntegrationTime::Ms50, IT_50),
        (IntegrationTime::Ms100, IT_100),
        (IntegrationTime::Ms200, IT_200),
        (IntegrationTime::Ms400, IT_400),
        (IntegrationTime::Ms800, IT_800),
    ];
    let mut t = init(GAIN_1 | IT_100).to_vec();
    t.extend(gains.iter().map(|&(_, g)| write(ALS_CONF_0, g | IT_100)));
    // The last gain (x1/4) stays while the integration time changes.
    t.extend(
        times
            .iter()
            .map(|&(_, it)| write(ALS_CONF_0, GAIN_1_4 | it)),
    );
    let mut dev = als(&t);
    dev.init(Setting::default()).unwrap();
    for (gain, _) in gains {
        dev.set_gain(gain).unwrap();
        assert_eq!(dev.setting().gain, gain);
    }
    for (it, _) in times {
        dev.set_integration_time(it).unwrap();
        assert_eq!(dev.setting().integration_time, it);
    }
    dev.destroy().done();
}

#[test]
fn a_setting_change_returns_both_integrations_with_margin() {
    let mut t = init(GAIN_1_8 | IT_100).to_vec();
    t.push(write(ALS_CONF_0, GAIN_2 | IT_400));
    let mut dev = als(&t);
    dev.start_auto_range().unwrap();
    let wait = dev
        .set_setting(Setting::new(Gain::Two, IntegrationTime::Ms400))
        .unwrap();
    // (100 + 400 ms) x 1.1.
    assert_eq!(wait, Duration::from_millis(550));
    dev.destroy().done();
}

#[test]
fn enable_and_shutdown_toggle_als_sd_only() {
    let mut t = init(GAIN_1_4 | IT_50).to_vec();
    t.extend([
        write(ALS_CONF_0, GAIN_1_4 | IT_50 | SD),
        write(ALS_CONF_0, GAIN_1_4 | IT_50),
    ]);
    let mut dev = als(&t);
    dev.init(Setting::new(Gain::OneQuarter, IntegrationTime::Ms50))
        .unwrap();
    dev.shutdown().unwrap();
    assert!(dev.is_shut_down());
    // 4 ms + 50 ms + 10 %.
    assert_eq!(dev.enable().unwrap(), Duration::from_millis(59));
    dev.destroy().done();
}

#[test]
fn reads_are_refused_while_shut_down() {
    let mut dev = als(&[]);
    assert!(dev.is_shut_down()); // the power-on state
    assert_eq!(dev.read_als(), Err(Error::ShutDown));
    assert_eq!(dev.read_white(), Err(Error::ShutDown));
    assert_eq!(dev.read_lux(), Err(Error::ShutDown));
    let err = dev.auto_range_step().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Other);
    assert_eq!(
        err.to_string(),
        "VEML7700: the sensor is shut down: power it on (init or enable) before reading"
    );
    dev.destroy().done();
}

#[test]
fn als_and_white_are_little_endian() {
    let mut t = init(GAIN_1 | IT_100).to_vec();
    t.extend([read(ALS, 0x1234), read(WHITE, 0xFEDC)]);
    let mut dev = als(&t);
    dev.init(Setting::default()).unwrap();
    assert_eq!(dev.read_als().unwrap(), 0x1234);
    assert_eq!(dev.read_white().unwrap(), 0xFEDC);
    dev.destroy().done();
}

#[test]
fn read_lux_uses_the_current_setting() {
    let mut t = init(GAIN_1 | IT_100).to_vec();
    t.extend([
        read(ALS, 1000),
        write(ALS_CONF_0, GAIN_1_8 | IT_25),
        read(ALS, 1000),
    ]);
    let mut dev = als(&t);
    dev.init(Setting::default()).unwrap();
    let lux = dev.read_lux().unwrap();
    // 1000 x 0.0672 lx.
    assert_eq!(
        (lux.counts, lux.millilux, lux.saturated),
        (1000, 67_200, false)
    );
    dev.set_setting(Setting::new(Gain::OneEighth, IntegrationTime::Ms25))
        .unwrap();
    let lux = dev.read_lux().unwrap();
    // 1000 x 2.1504 = 2150.4 lx, corrected: 2451.626 lx.
    assert_eq!(lux.millilux, 2_451_626);
    assert_eq!(lux.setting.integration_time, IntegrationTime::Ms25);
    dev.destroy().done();
}

#[test]
fn power_saving_modes_and_their_pause() {
    let mut t = init(GAIN_1_8 | IT_100).to_vec();
    t.extend([
        write(POWER_SAVING, psm(0b10) | PSM_EN),
        write(ALS_CONF_0, GAIN_1_8 | IT_200),
        write(POWER_SAVING, psm(0b00) | PSM_EN),
        write(POWER_SAVING, psm(0b11) | PSM_EN),
        write(POWER_SAVING, psm(0b01) | PSM_EN),
        write(POWER_SAVING, 0),
    ]);
    let mut dev = als(&t);
    dev.start_auto_range().unwrap();
    dev.set_power_saving(Some(PowerSavingMode::Mode3)).unwrap();
    // (100 + 200 ms) x 1.1 + 2 s pause.
    let wait = dev.set_integration_time(IntegrationTime::Ms200).unwrap();
    assert_eq!(wait, Duration::from_millis(2330));
    dev.set_power_saving(Some(PowerSavingMode::Mode1)).unwrap();
    dev.set_power_saving(Some(PowerSavingMode::Mode4)).unwrap();
    dev.set_power_saving(Some(PowerSavingMode::Mode2)).unwrap();
    dev.set_power_saving(None).unwrap();
    dev.destroy().done();
}

#[test]
fn thresholds_interrupt_and_status() {
    let mut t = init(GAIN_1 | IT_100).to_vec();
    t.extend([
        write(ALS_WH, 5000),
        write(ALS_WL, 20),
        write(ALS_CONF_0, GAIN_1 | IT_100 | pers(0b11) | INT_EN),
        read(ALS_INT, INT_TH_HIGH),
        read(ALS_INT, INT_TH_LOW),
        read(ALS_INT, 0),
        write(ALS_CONF_0, GAIN_1 | IT_100),
    ]);
    let mut dev = als(&t);
    dev.init(Setting::default()).unwrap();
    dev.set_thresholds(20, 5000).unwrap();
    dev.set_interrupt(Some(Persistence::Eight)).unwrap();
    assert_eq!(
        dev.interrupt_status().unwrap(),
        InterruptStatus {
            crossed_high: true,
            crossed_low: false
        }
    );
    assert_eq!(
        dev.interrupt_status().unwrap(),
        InterruptStatus {
            crossed_high: false,
            crossed_low: true
        }
    );
    assert_eq!(dev.interrupt_status().unwrap(), InterruptStatus::default());
    dev.set_interrupt(None).unwrap();
    dev.destroy().done();
}

#[test]
fn auto_range_steps_up_in_the_dark_gain_first() {
    let start = GAIN_1_8 | IT_100;
    let mut t = init(start).to_vec();
    t.extend([
        read(ALS, 3),
        write(ALS_CONF_0, GAIN_1_4 | IT_100),
        read(ALS, 7),
        write(ALS_CONF_0, GAIN_1 | IT_100),
        read(ALS, 30),
        write(ALS_CONF_0, GAIN_2 | IT_100),
        read(ALS, 60),
        write(ALS_CONF_0, GAIN_2 | IT_200),
        read(ALS, 150),
    ]);
    let mut dev = als(&t);
    // 4 ms + (800 + 100 ms) x 1.1.
    assert_eq!(dev.start_auto_range().unwrap(), Duration::from_millis(994));
    let step = dev.auto_range_step().unwrap();
    assert_eq!(
        step,
        RangeStep::Changed {
            from: Setting::AUTO_RANGE_START,
            to: Setting::new(Gain::OneQuarter, IntegrationTime::Ms100),
            wait: Duration::from_millis(220),
        }
    );
    for _ in 0..3 {
        assert!(matches!(
            dev.auto_range_step().unwrap(),
            RangeStep::Changed { .. }
        ));
    }
    assert_eq!(
        dev.auto_range_step().unwrap(),
        RangeStep::Kept { counts: 150 }
    );
    assert_eq!(
        dev.setting(),
        Setting::new(Gain::Two, IntegrationTime::Ms200)
    );
    dev.destroy().done();
}

#[test]
fn auto_range_steps_down_in_bright_light_and_stops_at_25_ms() {
    let mut t = init(GAIN_1_8 | IT_100).to_vec();
    t.extend([
        read(ALS, 40_000),
        write(ALS_CONF_0, GAIN_1_8 | IT_50),
        read(ALS, 20_000),
        write(ALS_CONF_0, GAIN_1_8 | IT_25),
        read(ALS, 65_535),
    ]);
    let mut dev = als(&t);
    dev.start_auto_range().unwrap();
    let first = dev.read_lux_auto().unwrap();
    assert_eq!(
        first,
        AutoLux::Settling {
            setting: Setting::new(Gain::OneEighth, IntegrationTime::Ms50),
            wait: Duration::from_millis(165),
        }
    );
    assert!(matches!(
        dev.read_lux_auto().unwrap(),
        AutoLux::Settling { .. }
    ));
    // At the ladder's end the reading is given, flagged saturated.
    match dev.read_lux_auto().unwrap() {
        AutoLux::Lux(lux) => {
            assert!(lux.saturated);
            assert_eq!(lux.counts, 65_535);
            assert_eq!(
                lux.setting,
                Setting::new(Gain::OneEighth, IntegrationTime::Ms25)
            );
        }
        other => panic!("{other:?}"),
    }
    dev.destroy().done();
}

#[test]
fn auto_range_keeps_a_good_reading() {
    let mut t = init(GAIN_1_8 | IT_100).to_vec();
    t.push(read(ALS, 5000));
    let mut dev = als(&t);
    dev.start_auto_range().unwrap();
    match dev.read_lux_auto().unwrap() {
        // 5000 x 0.5376 = 2688 lx, corrected: 3131.938 lx.
        AutoLux::Lux(lux) => assert_eq!(lux.millilux, 3_131_938),
        other => panic!("{other:?}"),
    }
    dev.destroy().done();
}

#[test]
fn a_failed_ranging_write_keeps_the_old_setting() {
    let mut t = init(GAIN_1_8 | IT_100).to_vec();
    t.extend([
        read(ALS, 0),
        Transaction::write(ADDR, vec![ALS_CONF_0, 0x00, 0x18]).with_error(NACK),
    ]);
    let mut dev = als(&t);
    dev.start_auto_range().unwrap();
    let err = dev.auto_range_step().unwrap_err();
    assert_eq!(err.i2c_error_kind(), Some(NACK));
    assert_eq!(dev.setting(), Setting::AUTO_RANGE_START);
    dev.destroy().done();
}

#[test]
fn nack_on_init_is_reported_with_its_kind() {
    let mut dev = als(&[Transaction::write(ADDR, vec![POWER_SAVING, 0, 0]).with_error(NACK)]);
    let err = dev.start_auto_range().unwrap_err();
    assert_eq!(err, Error::I2c(NACK));
    assert_eq!(err.kind(), NACK);
    assert!(
        err.to_string()
            .starts_with("VEML7700: I2C bus error: NoAcknowledge")
    );
    // Nothing was powered on.
    assert!(dev.is_shut_down());
    dev.destroy().done();
}
