//! ADS1115 (+ LDR) and VEML7700 models: register behaviour through the I2C
//! trait.

mod common;

use std::time::Duration;

use common::{adc, ads, als, is_address_nack, ms, scenario, us, veml};
use embedded_hal::i2c::I2c;
use sensor_sim::{Ads1115Model, FixedInput, LdrCircuit, ManualClock, Noise, SimClock};

// ---------------------------------------------------------------- ADS1115

fn conversion(dev: &mut Ads1115Model) -> i16 {
    ads::read(dev, ads::CONVERSION).cast_signed()
}

/// A single-shot conversion of MUX code `mux` at PGA code `pga`, 860 SPS,
/// waited for.
fn single_shot(dev: &mut Ads1115Model, clock: &ManualClock, mux: u16, pga: u16) -> i16 {
    ads::write(
        dev,
        ads::CONFIG,
        ads::OS
            | ads::MODE_SINGLE
            | ads::mux(mux)
            | ads::pga(pga)
            | ads::DR_860
            | ads::COMP_QUE_OFF,
    );
    clock.advance(ms(2));
    assert_ne!(ads::read(dev, ads::CONFIG) & ads::OS, 0, "conversion done");
    conversion(dev)
}

#[test]
fn ads1115_power_on_registers() {
    let (mut dev, clock) = adc("0s light level lux=10");
    assert_eq!(ads::read(&mut dev, ads::CONFIG), 0x8583);
    assert_eq!(ads::read(&mut dev, ads::LO_THRESH), 0x8000);
    assert_eq!(ads::read(&mut dev, ads::HI_THRESH), 0x7FFF);
    assert_eq!(ads::read(&mut dev, ads::CONVERSION), 0);
    // Powered down in single-shot mode: nothing converts by itself.
    clock.set(ms(500));
    assert_eq!(ads::read(&mut dev, ads::CONVERSION), 0);
    assert_eq!(ads::read(&mut dev, ads::CONFIG), 0x8583);
}

#[test]
fn ads1115_single_shot_is_busy_for_one_over_dr_then_done() {
    let (mut dev, clock) = adc("0s light level lux=10");
    for (dr, sps) in (0..).zip([8u32, 16, 32, 64, 128, 250, 475, 860]) {
        let conversion_ns = 1_000_000_000u64.div_ceil(u64::from(sps));
        let start = clock.now();
        let config =
            ads::MODE_SINGLE | ads::MUX_A0 | ads::PGA_4_096 | ads::dr(dr) | ads::COMP_QUE_OFF;
        ads::write(&mut dev, ads::CONFIG, ads::OS | config);
        assert_eq!(
            ads::read(&mut dev, ads::CONFIG),
            config,
            "OS reads 0 while busy"
        );
        clock.set(start + Duration::from_nanos(conversion_ns - 1));
        assert_eq!(
            ads::read(&mut dev, ads::CONFIG),
            config,
            "{sps} SPS: still busy"
        );
        clock.set(start + Duration::from_nanos(conversion_ns));
        assert_eq!(
            ads::read(&mut dev, ads::CONFIG),
            ads::OS | config,
            "{sps} SPS: done"
        );
        // 10 lux: LDR 15 kOhm, 3.3 V * 10k / 25k = 1.32 V; / 4.096 V * 32768.
        assert_eq!(conversion(&mut dev), 10560);
        // Leave the conversion register at a known other value.
        ads::write(
            &mut dev,
            ads::CONFIG,
            ads::OS
                | ads::MODE_SINGLE
                | ads::MUX_A3
                | ads::PGA_4_096
                | ads::DR_860
                | ads::COMP_QUE_OFF,
        );
        clock.advance(ms(2));
        assert_eq!(conversion(&mut dev), 0);
    }
}

#[test]
fn ads1115_start_while_busy_is_ignored() {
    let (mut dev, clock) = adc("0s light level lux=0\n110ms light level lux=10");
    let config = ads::MODE_SINGLE | ads::MUX_A0 | ads::PGA_4_096 | ads::DR_8 | ads::COMP_QUE_OFF; // 8 SPS: 125 ms
    ads::write(&mut dev, ads::CONFIG, ads::OS | config);
    clock.set(ms(100));
    ads::write(&mut dev, ads::CONFIG, ads::OS | config);
    clock.set(ms(125));
    assert_eq!(ads::read(&mut dev, ads::CONFIG), ads::OS | config);
    // Done at 125 ms, sampled after the light came on: the first conversion.
    assert_eq!(conversion(&mut dev), 10560);
    clock.set(ms(300));
    assert_eq!(ads::read(&mut dev, ads::CONFIG), ads::OS | config);
}

#[test]
fn ads1115_continuous_mode_converts_every_period_and_restarts_on_config_change() {
    let (mut dev, clock) =
        adc("0s light level lux=10\n18ms light level lux=0\n22ms light level lux=10");
    let config =
        ads::MODE_CONTINUOUS | ads::MUX_A0 | ads::PGA_4_096 | ads::DR_250 | ads::COMP_QUE_OFF; // 250 SPS: every 4 ms
    ads::write(&mut dev, ads::CONFIG, config);
    assert_eq!(
        ads::read(&mut dev, ads::CONFIG),
        config,
        "OS reads 0 when continuous"
    );
    clock.set(ms(4) - us(1));
    assert_eq!(conversion(&mut dev), 0);
    clock.set(ms(4));
    assert_eq!(conversion(&mut dev), 10560);
    clock.set(ms(20) - us(1));
    assert_eq!(conversion(&mut dev), 10560, "the 16 ms conversion");
    clock.set(ms(20));
    assert_eq!(conversion(&mut dev), 0, "the 20 ms conversion saw the dark");
    clock.set(ms(21));
    let config =
        ads::MODE_CONTINUOUS | ads::MUX_A0 | ads::PGA_2_048 | ads::DR_250 | ads::COMP_QUE_OFF; // +-2.048 V
    ads::write(&mut dev, ads::CONFIG, config);
    clock.set(ms(25) - us(1));
    assert_eq!(
        conversion(&mut dev),
        0,
        "restarted at 21 ms: nothing ended at 24 ms"
    );
    clock.set(ms(25));
    assert_eq!(conversion(&mut dev), 21120);
    // Back to single shot: conversions stop.
    ads::write(
        &mut dev,
        ads::CONFIG,
        ads::MODE_SINGLE | ads::MUX_A0 | ads::PGA_2_048 | ads::DR_250 | ads::COMP_QUE_OFF,
    );
    assert_eq!(ads::read(&mut dev, ads::CONFIG) & ads::OS, ads::OS);
}

#[test]
fn ads1115_mux_and_pga_select_scale_and_saturate() {
    let (mut dev, clock) = adc("0s light level lux=10");
    dev.set_input_uv(FixedInput::Ain1, 1_000_000);
    dev.set_input_uv(FixedInput::Ain3, 2_000_000);
    let cases: [(u16, u16, i16); 12] = [
        (4, 1, 10560),  // AIN0-GND 1.32 V at 4.096
        (4, 2, 21120),  // at 2.048
        (4, 3, 32767),  // saturates at 1.024
        (0, 3, 10240),  // AIN0-AIN1 0.32 V at 1.024
        (0, 5, 32767),  // at 0.256: saturates
        (1, 2, -10880), // AIN0-AIN3 -0.68 V
        (2, 2, -16000), // AIN1-AIN3 -1 V
        (2, 6, -32768), // at 0.256 (PGA 6 = 5): saturates negative
        (3, 0, -10667), // AIN2-AIN3 -2 V at 6.144
        (5, 2, 16000),  // AIN1-GND 1 V
        (6, 2, 0),      // AIN2-GND 0 V (default)
        (7, 1, 16000),  // AIN3-GND 2 V at 4.096
    ];
    for (mux, pga, expected) in cases {
        assert_eq!(
            single_shot(&mut dev, &clock, mux, pga),
            expected,
            "MUX {mux:03b} PGA {pga:03b}"
        );
    }
}

#[test]
fn ads1115_ldr_divider_follows_the_light_and_is_configurable() {
    let (mut dev, clock) = adc("0s light level lux=300\n1s light level lux=0");
    // 300 lux gives about 2.9 V: beyond +-2.048 V.
    assert_eq!(single_shot(&mut dev, &clock, 4, 2), 32767);
    let v = LdrCircuit::GL5528_10K_3V3.ain0_uv(300_000);
    assert!((2_890_000..2_905_000).contains(&v), "{v}");
    #[allow(
        clippy::cast_possible_truncation,
        reason = "v < 2 905 000 µV (asserted above): under 15 500 counts"
    )]
    let expected = (f64::from(v) / 6_144_000.0 * 32768.0).round() as i16;
    assert!((single_shot(&mut dev, &clock, 4, 0) - expected).abs() <= 1);
    clock.set(ms(1500));
    assert_eq!(single_shot(&mut dev, &clock, 4, 0), 0, "dark: LDR open");

    // 5 V over 10 k + 10 kOhm at 10 lux, gamma 1: 2.5 V.
    let clock = ManualClock::new();
    let mut dev = Ads1115Model::new(0x4B, scenario("0s light level lux=10"), clock.clone())
        .unwrap()
        .with_noise(Noise::NONE)
        .with_ldr(LdrCircuit {
            supply_uv: 5_000_000,
            fixed_ohms: 10_000,
            r10_ohms: 10_000,
            gamma: 1.0,
        });
    dev.write(0x4B, &[0x01, 0xC3, 0xE3]).unwrap(); // AIN0, 4.096 V, 860 SPS, start
    clock.advance(ms(2));
    let mut code = [0u8; 2];
    dev.write_read(0x4B, &[0x00], &mut code).unwrap();
    assert_eq!(i16::from_be_bytes(code), 20000);
}

#[test]
fn ads1115_pointer_register_and_read_lengths() {
    let (mut dev, _clock) = adc("");
    ads::write(&mut dev, ads::LO_THRESH, 0x1234);
    // The pointer stays where the last write put it.
    let mut b = [0u8; 2];
    dev.read(ads::ADDR_GND, &mut b).unwrap();
    assert_eq!(b, [0x12, 0x34]);
    let mut four = [0u8; 4];
    dev.read(ads::ADDR_GND, &mut four).unwrap();
    assert_eq!(four, [0x12, 0x34, 0x12, 0x34], "no auto-increment");
    let mut one = [0u8; 1];
    dev.write_read(ads::ADDR_GND, &[ads::HI_THRESH], &mut one)
        .unwrap();
    assert_eq!(one, [0x7F]);
    // The conversion register is read-only; a lone data byte is dropped.
    ads::write(&mut dev, ads::CONVERSION, 0x5555);
    assert_eq!(ads::read(&mut dev, ads::CONVERSION), 0);
    dev.write(ads::ADDR_GND, &[ads::LO_THRESH, 0x99]).unwrap();
    assert_eq!(ads::read(&mut dev, ads::LO_THRESH), 0x1234);
}

#[test]
fn ads1115_addresses() {
    for address in [0x48, 0x49, 0x4A, 0x4B] {
        assert!(Ads1115Model::new(address, scenario(""), ManualClock::new()).is_ok());
    }
    for address in [0x47, 0x4C, 0x10] {
        let e = Ads1115Model::new(address, scenario(""), ManualClock::new()).unwrap_err();
        assert_eq!(e.address, address);
    }
    let mut dev = Ads1115Model::new(0x49, scenario(""), ManualClock::new()).unwrap();
    let e = dev.write(0x48, &[0x01]).unwrap_err();
    assert!(is_address_nack(&e));
    assert!(dev.write(0x49, &[0x01]).is_ok());
}

#[test]
fn ads1115_alert_rdy_pulses_in_conversion_ready_mode() {
    let (mut dev, clock) = adc("0s light level lux=10");
    let pin = dev.clone();
    let period = Duration::from_nanos(1_000_000_000u64.div_ceil(860));

    // Default thresholds and COMP_QUE = 11: pin idle (pulled high).
    ads::write(
        &mut dev,
        ads::CONFIG,
        ads::MODE_CONTINUOUS | ads::MUX_A0 | ads::PGA_4_096 | ads::DR_860 | ads::COMP_QUE_OFF,
    );
    clock.set(period * 10);
    assert_eq!(pin.take_alert_edges(), 0);
    assert!(pin.alert_pin_high());

    // Conversion-ready mode: Hi_thresh MSB 1, Lo_thresh MSB 0, COMP_QUE 00.
    ads::write(&mut dev, ads::HI_THRESH, 0x8000);
    ads::write(&mut dev, ads::LO_THRESH, 0x0000);
    let start = period * 10;
    ads::write(
        &mut dev,
        ads::CONFIG,
        ads::MODE_CONTINUOUS | ads::MUX_A0 | ads::PGA_4_096 | ads::DR_860 | ads::COMP_QUE_ONE,
    );
    clock.set(start + period * 10);
    assert_eq!(pin.take_alert_edges(), 10, "one pulse per conversion");
    assert!(
        !pin.alert_pin_high(),
        "active low (COMP_POL 0), in the 8 us pulse"
    );
    clock.set(start + period * 10 + us(7));
    assert!(!pin.alert_pin_high());
    clock.set(start + period * 10 + us(8));
    assert!(pin.alert_pin_high(), "pulse over");

    // COMP_POL = 1: active high.
    let start = clock.now();
    ads::write(
        &mut dev,
        ads::CONFIG,
        ads::MODE_CONTINUOUS
            | ads::MUX_A0
            | ads::PGA_4_096
            | ads::DR_860
            | ads::COMP_POL_HIGH
            | ads::COMP_QUE_ONE,
    );
    assert!(!pin.alert_pin_high());
    clock.set(start + period);
    assert!(pin.alert_pin_high());
    assert_eq!(pin.take_alert_edges(), 1);

    // Single shot: active from the end of the conversion until the next start.
    ads::write(
        &mut dev,
        ads::CONFIG,
        ads::OS | ads::MODE_SINGLE | ads::MUX_A0 | ads::PGA_4_096 | ads::DR_860 | ads::COMP_QUE_ONE,
    );
    assert!(pin.alert_pin_high(), "inactive while converting");
    clock.advance(period);
    assert!(!pin.alert_pin_high(), "active (low) once done");
    clock.advance(ms(50));
    assert!(!pin.alert_pin_high(), "and held");
    assert_eq!(pin.take_alert_edges(), 1);
    ads::write(
        &mut dev,
        ads::CONFIG,
        ads::OS | ads::MODE_SINGLE | ads::MUX_A0 | ads::PGA_4_096 | ads::DR_860 | ads::COMP_QUE_ONE,
    );
    assert!(pin.alert_pin_high(), "released by the next start");
}

// --------------------------------------------------------------- VEML7700

/// The application note's correction polynomial (gains 1/4 and 1/8).
fn corrected(x: f64) -> f64 {
    (((6.0135e-13 * x - 9.3924e-9) * x + 8.1488e-5) * x + 1.0023) * x
}

#[test]
fn veml7700_powers_up_shut_down() {
    let (mut dev, clock) = als("0s light level lux=42");
    assert_eq!(veml::read(&mut dev, veml::ALS_CONF_0), 0x0001, "ALS_SD = 1");
    clock.set(ms(2000));
    assert_eq!(
        veml::read(&mut dev, veml::ALS),
        0,
        "shut down: no measurement"
    );
    assert_eq!(veml::read(&mut dev, veml::WHITE), 0);
    for command in [
        veml::ALS_WH,
        veml::ALS_WL,
        veml::POWER_SAVING,
        veml::ALS_INT,
    ] {
        assert_eq!(veml::read(&mut dev, command), 0);
    }
    let mut id = [0u8; 2];
    dev.write_read(veml::ADDR, &[veml::ID], &mut id).unwrap();
    assert_eq!(id, [0x81, 0xC4]);
    let e = dev.write(0x11, &[0]).unwrap_err();
    assert!(is_address_nack(&e));
}

#[test]
fn veml7700_data_is_valid_one_integration_time_after_power_on_or_a_change() {
    let (mut dev, clock) = als("0s light level lux=42");
    clock.set(ms(5));
    veml::write(&mut dev, veml::ALS_CONF_0, veml::GAIN_1 | veml::IT_100);
    clock.set(ms(105) - us(1));
    assert_eq!(veml::read(&mut dev, veml::ALS), 0);
    clock.set(ms(105));
    // 42 lx / 0.0672 lx per count (gain 1, 100 ms).
    assert_eq!(veml::read(&mut dev, veml::ALS), 625);
    assert_eq!(veml::read(&mut dev, veml::WHITE), 750, "1.2 x ALS");

    clock.set(ms(200));
    veml::write(&mut dev, veml::ALS_CONF_0, veml::GAIN_2 | veml::IT_100);
    clock.set(ms(300) - us(1));
    assert_eq!(
        veml::read(&mut dev, veml::ALS),
        625,
        "old value until the new IT ends"
    );
    clock.set(ms(300));
    assert_eq!(veml::read(&mut dev, veml::ALS), 1250);

    // Writing the same settings again does not restart the measurement.
    veml::write(&mut dev, veml::ALS_CONF_0, veml::GAIN_2 | veml::IT_100);
    clock.set(ms(400));
    assert_eq!(veml::read(&mut dev, veml::ALS), 1250);

    // Shut down: the registers keep the last result.
    veml::write(
        &mut dev,
        veml::ALS_CONF_0,
        veml::GAIN_2 | veml::IT_100 | veml::SD,
    );
    let mut other = dev.clone();
    clock.set(ms(5000));
    assert_eq!(veml::read(&mut other, veml::ALS), 1250);
}

#[test]
fn veml7700_updates_once_per_integration_time() {
    let (mut dev, clock) = als("0s light level lux=42\n150ms light level lux=84");
    veml::write(&mut dev, veml::ALS_CONF_0, veml::GAIN_1 | veml::IT_100);
    clock.set(ms(200) - us(1));
    assert_eq!(veml::read(&mut dev, veml::ALS), 625, "the 100 ms result");
    clock.set(ms(200));
    assert_eq!(veml::read(&mut dev, veml::ALS), 1250, "the 200 ms result");
}

#[test]
fn veml7700_power_saving_mode_adds_its_wait_time() {
    let (mut dev, clock) = als("0s light level lux=42\n300ms light level lux=84");
    veml::write(&mut dev, veml::POWER_SAVING, 0x0001); // PSM_EN, mode 1: 500 ms
    veml::write(&mut dev, veml::ALS_CONF_0, veml::GAIN_1 | veml::IT_100);
    clock.set(ms(100));
    assert_eq!(veml::read(&mut dev, veml::ALS), 625);
    clock.set(ms(700) - us(1));
    assert_eq!(veml::read(&mut dev, veml::ALS), 625);
    clock.set(ms(700));
    assert_eq!(veml::read(&mut dev, veml::ALS), 1250);
}

#[test]
fn veml7700_resolution_table_and_non_linearity() {
    // lx per count by gain and IT, from the datasheet rev 1.7 table.
    let table: [(u16, [f64; 6]); 4] = [
        (
            veml::GAIN_2,
            [0.1344, 0.0672, 0.0336, 0.0168, 0.0084, 0.0042],
        ),
        (
            veml::GAIN_1,
            [0.2688, 0.1344, 0.0672, 0.0336, 0.0168, 0.0084],
        ),
        (
            veml::GAIN_1_4,
            [1.0752, 0.5376, 0.2688, 0.1344, 0.0672, 0.0336],
        ),
        (
            veml::GAIN_1_8,
            [2.1504, 1.0752, 0.5376, 0.2688, 0.1344, 0.0672],
        ),
    ];
    for (gain, per_count) in table {
        for ((it, it_ms), resolution) in veml::IT_MS.into_iter().zip(per_count) {
            let linear = gain == veml::GAIN_1 || gain == veml::GAIN_2;
            let lux = if linear { 10.0 } else { 2000.0 };
            let (mut dev, clock) = als(&format!("0s light level lux={lux}"));
            veml::write(&mut dev, veml::ALS_CONF_0, gain | it);
            clock.set(ms(it_ms));
            let counts = f64::from(veml::read(&mut dev, veml::ALS));
            let white = f64::from(veml::read(&mut dev, veml::WHITE));
            let what = format!("gain bits {gain:#06x} IT {it_ms} ms");
            assert_eq!(
                white,
                (lux * 1.2 / resolution).round().min(65535.0),
                "{what}"
            );
            if linear {
                assert_eq!(counts, (lux / resolution).round(), "{what}");
            } else {
                // A driver applying the app note's correction gets the lux
                // back, to within a count.
                let recovered = corrected(counts * resolution);
                assert!(
                    (recovered - lux).abs() <= 2.0 * resolution,
                    "{what}: {recovered}"
                );
            }
        }
    }

    // At 50 klx the raw reading is far below the truth; corrected, it is right.
    let (mut dev, clock) = als("0s light level lux=50000");
    veml::write(&mut dev, veml::ALS_CONF_0, veml::GAIN_1_8 | veml::IT_25);
    clock.set(ms(25));
    let raw_lux = f64::from(veml::read(&mut dev, veml::ALS)) * 2.1504;
    assert!(raw_lux < 20_000.0, "{raw_lux}");
    assert!(
        (corrected(raw_lux) - 50_000.0).abs() < 50.0,
        "{}",
        corrected(raw_lux)
    );
}

#[test]
fn veml7700_saturates_at_65535() {
    let (mut dev, clock) = als("0s light level lux=1000");
    veml::write(&mut dev, veml::ALS_CONF_0, veml::GAIN_2 | veml::IT_800);
    clock.set(ms(800));
    assert_eq!(veml::read(&mut dev, veml::ALS), 65535);
    assert_eq!(veml::read(&mut dev, veml::WHITE), 65535);
}

#[test]
fn veml7700_threshold_interrupts_with_persistence_clear_on_read() {
    let (mut dev, clock) = als("0s light level lux=84\n1s light level lux=2");
    veml::write(&mut dev, veml::ALS_WH, 1000);
    veml::write(&mut dev, veml::ALS_WL, 100);
    let mut bytes = [0u8; 2];
    dev.write_read(veml::ADDR, &[veml::ALS_WH], &mut bytes)
        .unwrap();
    assert_eq!(bytes, [0xE8, 0x03], "little-endian");
    // Persistence 4 (code 10): four results above ALS_WH.
    veml::write(
        &mut dev,
        veml::ALS_CONF_0,
        veml::GAIN_1 | veml::IT_100 | veml::pers(0b10) | veml::INT_EN,
    );
    clock.set(ms(400) - us(1));
    assert_eq!(veml::read(&mut dev, veml::ALS_INT), 0);
    clock.set(ms(400));
    assert_eq!(
        veml::read(&mut dev, veml::ALS_INT),
        0x4000,
        "high threshold crossed"
    );
    assert_eq!(veml::read(&mut dev, veml::ALS_INT), 0, "cleared by reading");
    // Persistence 1 from now on; the light drops below ALS_WL at 1 s.
    veml::write(
        &mut dev,
        veml::ALS_CONF_0,
        veml::GAIN_1 | veml::IT_100 | veml::pers(0b00) | veml::INT_EN,
    );
    clock.set(ms(999));
    assert_eq!(
        veml::read(&mut dev, veml::ALS_INT),
        0x4000,
        "still above until 1 s"
    );
    clock.set(ms(1100));
    assert_eq!(
        veml::read(&mut dev, veml::ALS_INT),
        0x8000,
        "low threshold crossed"
    );
    // Without ALS_INT_EN, no flags.
    veml::write(&mut dev, veml::ALS_CONF_0, veml::GAIN_1 | veml::IT_100);
    clock.set(ms(2000));
    assert_eq!(veml::read(&mut dev, veml::ALS_INT), 0);
}
