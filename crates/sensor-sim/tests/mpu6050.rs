//! MPU-6050 model: register behaviour through the I2C trait.

mod common;

use common::mpu::*;
use common::{imu, is_address_nack, ms, scenario, us};
use embedded_hal::i2c::{I2c, Operation};
use sensor_sim::{ManualClock, Mpu6050Model};

/// accel x y z, temperature, gyro x y z.
fn sample(dev: &mut Mpu6050Model) -> [i16; 7] {
    let mut b = [0u8; 14];
    dev.write_read(ADDR_AD0_LOW, &[ACCEL_XOUT_H], &mut b)
        .unwrap();
    std::array::from_fn(|i| i16::from_be_bytes([b[2 * i], b[2 * i + 1]]))
}

fn accel(dev: &mut Mpu6050Model) -> [i16; 3] {
    let s = sample(dev);
    [s[0], s[1], s[2]]
}

#[test]
fn power_on_state_is_asleep_with_datasheet_reset_values() {
    let (mut dev, clock) = imu("0s imu tilt roll=90 over=1ms");
    assert_eq!(read(&mut dev, WHO_AM_I), 0x68);
    assert_eq!(read(&mut dev, PWR_MGMT_1), 0x40);
    for reg in [
        SMPLRT_DIV,
        CONFIG,
        GYRO_CONFIG,
        ACCEL_CONFIG,
        INT_PIN_CFG,
        INT_ENABLE,
    ] {
        assert_eq!(read(&mut dev, reg), 0, "register {reg:#x}");
    }
    // Asleep: nothing updates, however long we wait.
    clock.set(ms(500));
    assert_eq!(sample(&mut dev), [0; 7]);
    assert_eq!(read(&mut dev, INT_STATUS), 0);
}

#[test]
fn who_am_i_is_0x68_at_the_ad0_high_address_too() {
    let clock = ManualClock::new();
    let mut dev = Mpu6050Model::new(0x69, scenario(""), clock).unwrap();
    let mut b = [0u8];
    dev.write_read(0x69, &[WHO_AM_I], &mut b).unwrap();
    assert_eq!(b, [0x68]);
    let e = dev.write_read(0x68, &[WHO_AM_I], &mut b).unwrap_err();
    assert!(is_address_nack(&e));
    assert!(Mpu6050Model::new(0x6A, scenario(""), ManualClock::new()).is_err());
}

#[test]
fn data_ready_follows_the_sample_rate_and_clears_on_status_read() {
    let (mut dev, clock) = imu("");
    write(&mut dev, PWR_MGMT_1, 0x00);
    // DLPF_CFG 0 and SMPLRT_DIV 0: 8 kHz, one sample every 125 us.
    clock.set(us(124));
    assert_eq!(read(&mut dev, INT_STATUS), 0);
    clock.set(us(125));
    assert_eq!(read(&mut dev, INT_STATUS), 0x01);
    assert_eq!(
        read(&mut dev, INT_STATUS),
        0x00,
        "reading INT_STATUS clears it"
    );
    clock.set(us(249));
    assert_eq!(read(&mut dev, INT_STATUS), 0);
    clock.set(us(250));
    assert_eq!(read(&mut dev, INT_STATUS), 1);

    // DLPF_CFG 3 (1 kHz) / (1 + 9) = 100 Hz.
    write(&mut dev, CONFIG, 3);
    write(&mut dev, SMPLRT_DIV, 9);
    assert_eq!(read(&mut dev, INT_STATUS), 0);
    clock.set(ms(9));
    assert_eq!(read(&mut dev, INT_STATUS), 0);
    clock.set(ms(10));
    assert_eq!(read(&mut dev, INT_STATUS), 1);
    clock.set(ms(19) + us(999));
    assert_eq!(read(&mut dev, INT_STATUS), 0);
    clock.set(ms(20));
    assert_eq!(read(&mut dev, INT_STATUS), 1);

    // DLPF_CFG 7 is 8 kHz again: 8 kHz / 10 = 1.25 ms.
    write(&mut dev, CONFIG, 7);
    clock.set(ms(21));
    assert_eq!(read(&mut dev, INT_STATUS), 0);
    clock.set(ms(21) + us(250));
    assert_eq!(read(&mut dev, INT_STATUS), 1);
}

#[test]
fn data_registers_hold_the_sample_quantised_to_the_sample_period() {
    let (mut dev, clock) = imu("1s imu orientation roll=90");
    write(&mut dev, PWR_MGMT_1, 0x00);
    write(&mut dev, CONFIG, 1);
    write(&mut dev, SMPLRT_DIV, 9); // 100 Hz
    clock.set(ms(999));
    assert_eq!(accel(&mut dev), [0, 0, 16384]);
    clock.set(ms(1000) - us(1));
    assert_eq!(
        accel(&mut dev),
        [0, 0, 16384],
        "sample at 990 ms still shown"
    );
    clock.set(ms(1000));
    assert_eq!(accel(&mut dev), [0, 16384, 0]);
}

#[test]
fn sleep_stops_updates_and_wakeup_resumes_them() {
    let (mut dev, clock) = imu("100ms imu orientation roll=90");
    write(&mut dev, PWR_MGMT_1, 0x00);
    clock.set(ms(10));
    let before = accel(&mut dev);
    assert_eq!(before, [0, 0, 16384]);
    assert_eq!(read(&mut dev, INT_STATUS), 1);
    write(&mut dev, PWR_MGMT_1, 0x40);
    clock.set(ms(500));
    assert_eq!(accel(&mut dev), before, "asleep: the data registers stay");
    assert_eq!(read(&mut dev, INT_STATUS), 0);
    write(&mut dev, PWR_MGMT_1, 0x00);
    // The first sample comes strictly after waking.
    assert_eq!(accel(&mut dev), before);
    clock.set(ms(500) + us(125));
    assert_eq!(read(&mut dev, INT_STATUS), 1);
    assert_eq!(accel(&mut dev), [0, 16384, 0]);
}

#[test]
fn burst_reads_auto_increment_across_accel_temperature_and_gyro() {
    // Mid-way through a 0..90 degree roll over 1 s, the cosine ease turns
    // at pi/2 * 90 deg/s = 141.37 deg/s; 31.5 C on the die.
    let (mut dev, clock) = imu("0s imu tilt roll=90 over=1s\n0s imu temperature celsius=31.5");
    write(&mut dev, PWR_MGMT_1, 0x00);
    clock.set(ms(500));
    let s = sample(&mut dev);
    assert_eq!(&s[..3], &[0, 11585, 11585]);
    assert_eq!(s[3], -1710, "(31.5 - 36.53) * 340");
    assert_eq!(&s[4..], &[18520, 0, 0], "141.37 dps * 131 LSB/dps");

    // The same bytes read in pieces: the pointer keeps counting.
    let mut first = [0u8; 6];
    let mut rest = [0u8; 8];
    dev.transaction(
        ADDR_AD0_LOW,
        &mut [
            Operation::Write(&[ACCEL_XOUT_H]),
            Operation::Read(&mut first),
            Operation::Read(&mut rest),
        ],
    )
    .unwrap();
    assert_eq!(i16::from_be_bytes([first[2], first[3]]), 11585);
    assert_eq!(i16::from_be_bytes([rest[0], rest[1]]), -1710);
    assert_eq!(i16::from_be_bytes([rest[2], rest[3]]), 18520);
    // 14 bytes from 0x3B end at 0x48: a plain read goes on at 0x49
    // (EXT_SENS_DATA_00, zero without external sensors).
    let mut next = [0xFFu8; 1];
    dev.read(ADDR_AD0_LOW, &mut next).unwrap();
    assert_eq!(next, [0]);
    // A pointer write, then plain reads that continue from it.
    dev.write(ADDR_AD0_LOW, &[TEMP_OUT_H]).unwrap();
    let mut temp = [0u8; 2];
    dev.read(ADDR_AD0_LOW, &mut temp).unwrap();
    assert_eq!(i16::from_be_bytes(temp), -1710);
    let mut gyro_x = [0u8; 2];
    dev.read(ADDR_AD0_LOW, &mut gyro_x).unwrap();
    assert_eq!(
        i16::from_be_bytes(gyro_x),
        18520,
        "continues at GYRO_XOUT_H"
    );
    assert_eq!(read(&mut dev, GYRO_XOUT_H), gyro_x[0]);

    // Burst writes auto-increment too.
    dev.write(ADDR_AD0_LOW, &[SMPLRT_DIV, 4, 2, 0x18, 0x10])
        .unwrap();
    let mut cfg = [0u8; 4];
    dev.write_read(ADDR_AD0_LOW, &[SMPLRT_DIV], &mut cfg)
        .unwrap();
    assert_eq!(cfg, [4, 2, 0x18, 0x10]);
}

#[test]
fn full_scale_settings_scale_and_saturate_the_outputs() {
    let (mut dev, clock) = imu("0s imu shake axis=z amplitude=3g freq=1hz for=10s");
    write(&mut dev, PWR_MGMT_1, 0x00);
    // At 250 ms the shake peaks: 1 g + 3 g = 4 g on z.
    clock.set(ms(250));
    assert_eq!(accel(&mut dev)[2], 32767, "4 g saturates the +-2 g range");
    for (afs, lsb_per_g) in [(1u8, 8192), (2, 4096), (3, 2048)] {
        write(&mut dev, ACCEL_CONFIG, afs << 3);
        clock.set(ms(1250) + ms(1000 * u64::from(afs)));
        let expected = (4 * lsb_per_g).min(32767);
        assert_eq!(
            accel(&mut dev)[2],
            i16::try_from(expected).unwrap(),
            "AFS_SEL {afs}"
        );
    }
    // At 750 ms into a cycle: 1 g - 3 g = -2 g: exactly -32768 at +-2 g.
    write(&mut dev, ACCEL_CONFIG, 0);
    clock.set(ms(4750));
    assert_eq!(accel(&mut dev)[2], -32768);

    // Gyro full scale: 2000 dps range at 16.4 LSB/dps.
    let (mut dev, clock) = imu("0s imu tilt roll=90 over=1s");
    write(&mut dev, PWR_MGMT_1, 0x00);
    write(&mut dev, GYRO_CONFIG, 3 << 3);
    clock.set(ms(500));
    assert_eq!(sample(&mut dev)[4], 2318);
}

#[test]
fn device_reset_restores_power_on_defaults() {
    let (mut dev, clock) = imu("0s imu orientation roll=90");
    dev.write(ADDR_AD0_LOW, &[SMPLRT_DIV, 9, 3, 0x08, 0x08])
        .unwrap();
    write(&mut dev, INT_ENABLE, 1);
    write(&mut dev, PWR_MGMT_1, 0x01);
    clock.set(ms(50));
    assert_ne!(accel(&mut dev), [0; 3]);
    write(&mut dev, PWR_MGMT_1, 0x80);
    assert_eq!(
        read(&mut dev, PWR_MGMT_1),
        0x40,
        "reset bit clears itself; asleep"
    );
    for reg in [SMPLRT_DIV, CONFIG, GYRO_CONFIG, ACCEL_CONFIG, INT_ENABLE] {
        assert_eq!(read(&mut dev, reg), 0, "register {reg:#x}");
    }
    assert_eq!(sample(&mut dev), [0; 7]);
    assert_eq!(read(&mut dev, WHO_AM_I), 0x68);
    clock.set(ms(100));
    assert_eq!(read(&mut dev, INT_STATUS), 0, "asleep again after reset");
}

#[test]
fn int_pin_pulses_50us_per_sample_and_counts_edges() {
    let (mut dev, clock) = imu("");
    let pin = dev.clone();
    write(&mut dev, PWR_MGMT_1, 0x00);
    clock.set(ms(5));
    assert_eq!(pin.take_int_edges(), 0, "DATA_RDY_EN off: no interrupts");
    assert!(!pin.int_pin_high());

    write(&mut dev, INT_ENABLE, 0x01);
    clock.set(ms(5) + us(125 * 10));
    assert_eq!(pin.take_int_edges(), 10);
    assert_eq!(pin.take_int_edges(), 0, "taking resets the count");
    assert!(pin.int_pin_high(), "at a sample instant the pulse is on");
    clock.set(ms(5) + us(125 * 10 + 49));
    assert!(pin.int_pin_high());
    clock.set(ms(5) + us(125 * 10 + 50));
    assert!(!pin.int_pin_high(), "pulse over after 50 us");

    // INT_LEVEL: active low, so idle high and pulses low.
    write(&mut dev, INT_PIN_CFG, 0x80);
    assert!(pin.int_pin_high());
    clock.set(ms(5) + us(125 * 11));
    assert!(!pin.int_pin_high());
    assert_eq!(pin.take_int_edges(), 1);

    // Asleep: no more edges.
    write(&mut dev, PWR_MGMT_1, 0x40);
    clock.set(ms(50));
    assert_eq!(pin.take_int_edges(), 0);
}

#[test]
fn latched_int_holds_until_status_is_read_or_any_read_with_rd_clear() {
    let (mut dev, clock) = imu("");
    let pin = dev.clone();
    write(&mut dev, PWR_MGMT_1, 0x00);
    write(&mut dev, INT_ENABLE, 0x01);
    write(&mut dev, INT_PIN_CFG, 0x20); // LATCH_INT_EN
    clock.set(ms(2));
    assert!(pin.int_pin_high());
    assert_eq!(pin.take_int_edges(), 1, "held: one edge for many samples");
    let _ = read(&mut dev, WHO_AM_I);
    assert!(pin.int_pin_high(), "other reads do not clear it");
    assert_eq!(read(&mut dev, INT_STATUS), 1);
    assert!(!pin.int_pin_high(), "reading INT_STATUS clears it");
    clock.set(ms(2) + us(125));
    assert!(pin.int_pin_high());
    assert_eq!(pin.take_int_edges(), 1);

    write(&mut dev, INT_PIN_CFG, 0x30); // LATCH_INT_EN | INT_RD_CLEAR
    clock.set(ms(3));
    assert!(pin.int_pin_high());
    let _ = accel(&mut dev);
    assert!(!pin.int_pin_high(), "with INT_RD_CLEAR any read clears it");
    assert_eq!(read(&mut dev, INT_STATUS), 0);
}

#[test]
fn noise_is_small_deterministic_and_on_by_default() {
    let text = "0s imu orientation roll=0";
    let make = || {
        let clock = ManualClock::new();
        let dev = Mpu6050Model::new(ADDR_AD0_LOW, scenario(text), clock.clone()).unwrap();
        (dev, clock)
    };
    let (mut a, clock_a) = make();
    let (mut b, clock_b) = make();
    write(&mut a, PWR_MGMT_1, 0);
    write(&mut b, PWR_MGMT_1, 0);
    let mut distinct = std::collections::BTreeSet::new();
    for i in 1..=200u64 {
        clock_a.set(us(125 * i));
        clock_b.set(us(125 * i));
        let sa = sample(&mut a);
        assert_eq!(sa, sample(&mut b), "same seed, same time, same sample");
        // 5 mg sigma, bounded at 3.5 sigma: 17.5 mg = 287 LSB at 16384/g.
        assert!((i32::from(sa[2]) - 16384).abs() <= 287, "{sa:?}");
        assert!(sa[0].abs() <= 287 && sa[1].abs() <= 287);
        // 50 mdps sigma: 0.175 dps = 23 LSB at 131/dps.
        assert!(sa[4..].iter().all(|g| g.abs() <= 23), "{sa:?}");
        distinct.insert(sa[2]);
    }
    assert!(distinct.len() > 20, "noise varies from sample to sample");
}
