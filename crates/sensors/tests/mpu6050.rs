//! MPU-6050 driver: the exact bus traffic of every public operation, and
//! its errors.

mod common;

use core::num::NonZeroU16;
use core::time::Duration;

use common::{NACK, mpu::*};
use embedded_hal::i2c::{Error as _, ErrorKind, NoAcknowledgeSource};
use embedded_hal_mock::eh1::i2c::{Mock, Transaction};
use sensors::mpu6050::{
    AccelRange, Address, Axes, CalibrationProgress, Config, Dlpf, Error, GyroCalibration,
    GyroRange, InterruptPin, Mpu6050, PinDrive, PinLatch, PinLevel, RawSample, SelfTestFailure,
};

fn imu(transactions: &[Transaction]) -> Mpu6050<Mock> {
    Mpu6050::new(Mock::new(transactions), Address::Ad0Low)
}

// One data burst, as `read_data` sends it: accel, temperature, gyro.
const ACCEL: [i16; 3] = [1, -2, 16384];
const TEMP: i16 = -4260;
const GYRO: [i16; 3] = [131, -131, i16::MIN];

/// What the driver decodes from that burst.
fn burst_raw() -> RawSample {
    RawSample {
        accel: axes(ACCEL),
        temp: TEMP,
        gyro: axes(GYRO),
    }
}

/// `[x, y, z]` as [`Axes`].
fn axes<T>([x, y, z]: [T; 3]) -> Axes<T> {
    Axes { x, y, z }
}

/// The traffic of `configure(&Config::default())`.
fn default_configure() -> Vec<Transaction> {
    vec![
        write(PWR_MGMT_1, CLKSEL_PLL_XGYRO),
        write(CONFIG, DLPF_44HZ),
        write(SMPLRT_DIV, 9), // 1 kHz / 10 = 100 Hz
        write(GYRO_CONFIG, 1 << FS_SHIFT),
        write(ACCEL_CONFIG, 1 << FS_SHIFT),
        write(INT_PIN_CFG, 0x00),
        write(INT_ENABLE, DATA_RDY_EN),
    ]
}

#[test]
fn new_and_destroy_send_nothing() {
    let mut mock = imu(&[]).destroy();
    mock.done();
}

#[test]
fn who_am_i_and_identity_check() {
    let mut dev = imu(&[
        read(WHO_AM_I, WHO_AM_I_VALUE),
        read(WHO_AM_I, WHO_AM_I_VALUE),
    ]);
    assert_eq!(dev.who_am_i().unwrap(), 0x68);
    dev.check_identity().unwrap();
    dev.destroy().done();
}

#[test]
fn reset_checks_identity_then_resets() {
    let mut dev = imu(&[
        read(WHO_AM_I, WHO_AM_I_VALUE),
        write(PWR_MGMT_1, DEVICE_RESET),
    ]);
    assert_eq!(dev.reset().unwrap(), Duration::from_millis(100));
    dev.destroy().done();
}

#[test]
fn wrong_identity_reports_the_value_and_does_not_reset() {
    // An MPU-6500 answers 0x70: no reset may be written to it.
    let mut dev = imu(&[read(WHO_AM_I, 0x70)]);
    let err = dev.reset().unwrap_err();
    assert_eq!(err, Error::WrongIdentity { found: 0x70 });
    assert_eq!(err.i2c_error_kind(), None);
    assert_eq!(err.kind(), ErrorKind::Other);
    assert_eq!(
        err.to_string(),
        "MPU-6050: WHO_AM_I read 0x70, expected 0x68: check the address (AD0) and the part"
    );
    dev.destroy().done();
}

#[test]
fn nack_is_reported_as_a_bus_error_with_its_kind() {
    let mut dev =
        imu(&[Transaction::write_read(ADDR_AD0_LOW, vec![WHO_AM_I], vec![0]).with_error(NACK)]);
    let err = dev.reset().unwrap_err();
    assert_eq!(err, Error::I2c(NACK));
    assert_eq!(
        err.i2c_error_kind(),
        Some(ErrorKind::NoAcknowledge(NoAcknowledgeSource::Address))
    );
    assert_eq!(err.kind(), NACK);
    assert!(
        err.to_string()
            .starts_with("MPU-6050: I2C bus error: NoAcknowledge")
    );
    dev.destroy().done();
}

#[test]
fn the_ad0_high_address_is_used() {
    let t = Transaction::write_read(ADDR_AD0_HIGH, vec![WHO_AM_I], vec![WHO_AM_I_VALUE]);
    let mut dev = Mpu6050::new(Mock::new(&[t]), Address::Ad0High);
    dev.check_identity().unwrap();
    dev.destroy().done();
}

#[test]
fn configure_default_wakes_and_writes_every_setting() {
    let mut dev = imu(&default_configure());
    let applied = dev.configure(&Config::default()).unwrap();
    assert_eq!(applied.sample_rate.divider, 9);
    assert_eq!(applied.sample_rate.millihertz(), 100_000);
    assert_eq!(applied.settle, Duration::from_millis(30));
    assert_eq!(dev.gyro_range(), GyroRange::Dps500);
    assert_eq!(dev.accel_range(), AccelRange::G4);
    assert_eq!(dev.dlpf(), Dlpf::Hz44);
    dev.destroy().done();
}

#[test]
fn configure_custom_settings() {
    let config = Config {
        sample_rate_hz: 1000,
        dlpf: Dlpf::Hz260, // 8 kHz output: divider 7
        gyro_range: GyroRange::Dps2000,
        accel_range: AccelRange::G16,
        data_ready_interrupt: false,
        interrupt_pin: InterruptPin {
            level: PinLevel::ActiveLow,
            drive: PinDrive::OpenDrain,
            latch: PinLatch::UntilAnyRead,
        },
    };
    let mut dev = imu(&[
        write(PWR_MGMT_1, CLKSEL_PLL_XGYRO),
        write(CONFIG, 0),
        write(SMPLRT_DIV, 7),
        write(GYRO_CONFIG, 3 << FS_SHIFT),
        write(ACCEL_CONFIG, 3 << FS_SHIFT),
        write(
            INT_PIN_CFG,
            INT_LEVEL_LOW | INT_OPEN_DRAIN | LATCH_INT_EN | INT_RD_CLEAR,
        ),
        write(INT_ENABLE, 0),
    ]);
    let applied = dev.configure(&config).unwrap();
    assert_eq!(applied.sample_rate.period_us(), 1000);
    dev.destroy().done();
}

#[test]
fn configure_reports_the_achievable_rate() {
    // 300 Hz is not 1 kHz / n: 333.333 Hz (divider 2) is nearest.
    let mut t = default_configure();
    t[2] = write(SMPLRT_DIV, 2);
    let mut dev = imu(&t);
    let applied = dev
        .configure(&Config {
            sample_rate_hz: 300,
            ..Config::default()
        })
        .unwrap();
    assert_eq!(applied.sample_rate.millihertz(), 333_333);
    dev.destroy().done();
}

#[test]
fn configure_refuses_zero_hz_before_any_traffic() {
    let mut dev = imu(&[]);
    let err = dev
        .configure(&Config {
            sample_rate_hz: 0,
            ..Config::default()
        })
        .unwrap_err();
    assert_eq!(err, Error::InvalidSampleRate { requested_hz: 0 });
    assert_eq!(
        err.to_string(),
        "MPU-6050: sample rate 0 Hz is invalid: ask for 1 Hz or more"
    );
    dev.destroy().done();
}

#[test]
fn configure_stops_at_the_first_bus_error() {
    let mut dev = imu(&[
        write(PWR_MGMT_1, CLKSEL_PLL_XGYRO),
        Transaction::write(ADDR_AD0_LOW, vec![CONFIG, DLPF_44HZ]).with_error(ErrorKind::Bus),
    ]);
    let err = dev.configure(&Config::default()).unwrap_err();
    assert_eq!(err.i2c_error_kind(), Some(ErrorKind::Bus));
    dev.destroy().done();
}

#[test]
fn runtime_setters() {
    let mut t = default_configure();
    t.extend([
        write(SMPLRT_DIV, 4),               // 200 Hz at 1 kHz
        write(CONFIG, 0),                   // DLPF off: 8 kHz output...
        write(SMPLRT_DIV, 39),              // ...so 200 Hz is 8 kHz / 40
        write(GYRO_CONFIG, 0),              // ±250 °/s
        write(ACCEL_CONFIG, 2 << FS_SHIFT), // ±8 g
        write(INT_PIN_CFG, LATCH_INT_EN),
        write(INT_ENABLE, DATA_RDY_EN),
    ]);
    let mut dev = imu(&t);
    dev.configure(&Config::default()).unwrap();
    assert_eq!(dev.set_sample_rate(200).unwrap().divider, 4);
    let rate = dev.set_dlpf(Dlpf::Hz260).unwrap();
    assert_eq!((rate.divider, rate.millihertz()), (39, 200_000));
    assert_eq!(dev.sample_rate(), rate);
    dev.set_gyro_range(GyroRange::Dps250).unwrap();
    dev.set_accel_range(AccelRange::G8).unwrap();
    let pin = InterruptPin {
        latch: PinLatch::UntilStatusRead,
        ..InterruptPin::default()
    };
    dev.set_interrupts(true, pin).unwrap();
    assert_eq!(
        dev.set_sample_rate(0),
        Err(Error::InvalidSampleRate { requested_hz: 0 })
    );
    dev.destroy().done();
}

#[test]
fn data_ready_reads_int_status_bit_0() {
    let mut dev = imu(&[
        read(INT_STATUS, DATA_RDY_INT),
        read(INT_STATUS, 0b1111_1110), // other events only
        read(INT_STATUS, 0),
    ]);
    assert!(dev.data_ready().unwrap());
    assert!(!dev.data_ready().unwrap());
    assert!(!dev.data_ready().unwrap());
    dev.destroy().done();
}

#[test]
fn read_raw_is_one_14_byte_burst() {
    let mut dev = imu(&[read_data(ACCEL, TEMP, GYRO)]);
    assert_eq!(dev.read_raw().unwrap(), burst_raw());
    dev.destroy().done();
}

#[test]
fn read_fresh_raw_is_one_15_byte_burst_from_int_status() {
    let mut bytes = vec![DATA_RDY_INT];
    for word in ACCEL.into_iter().chain([TEMP]).chain(GYRO) {
        bytes.extend_from_slice(&word.to_be_bytes());
    }
    let mut stale = bytes.clone();
    stale[0] = 0b1111_1110; // other events only
    let mut dev = imu(&[
        Transaction::write_read(ADDR_AD0_LOW, vec![INT_STATUS], bytes),
        Transaction::write_read(ADDR_AD0_LOW, vec![INT_STATUS], stale),
    ]);
    let (fresh, raw) = dev.read_fresh_raw().unwrap();
    assert!(fresh);
    assert_eq!(raw, burst_raw());
    let (fresh, _) = dev.read_fresh_raw().unwrap();
    assert!(!fresh);
    dev.destroy().done();
}

#[test]
fn configuration_intact_reads_power_and_divider() {
    let mut traffic = default_configure();
    // Still configured; then asleep after a reset; then awake but with
    // another divider.
    traffic.extend([read(PWR_MGMT_1, CLKSEL_PLL_XGYRO), read(SMPLRT_DIV, 9)]);
    traffic.extend([read(PWR_MGMT_1, 0x40), read(SMPLRT_DIV, 0)]);
    traffic.extend([read(PWR_MGMT_1, CLKSEL_PLL_XGYRO), read(SMPLRT_DIV, 0)]);
    let mut dev = imu(&traffic);
    dev.configure(&Config::default()).unwrap();
    assert!(dev.configuration_intact().unwrap());
    assert!(!dev.configuration_intact().unwrap());
    assert!(!dev.configuration_intact().unwrap());
    dev.destroy().done();
}

#[test]
fn read_sample_converts_at_the_configured_ranges() {
    let mut t = default_configure();
    // ±4 g: 8192 counts/g; ±500 °/s: 65.5 counts/(°/s).
    t.push(read_data([8192, -4096, 0], 340, [655, -131, 0]));
    let mut dev = imu(&t);
    dev.configure(&Config::default()).unwrap();
    let s = dev.read_sample().unwrap();
    assert_eq!(s.accel_mg, axes([1000, -500, 0]));
    assert_eq!(s.gyro_mdps, axes([10_000, -2_000, 0]));
    assert_eq!(s.temp_centi_celsius, 3753);
    dev.destroy().done();
}

#[test]
fn before_configure_the_reset_ranges_apply() {
    let mut dev = imu(&[read_data([16384, 0, 0], 0, [131, 0, 0])]);
    let s = dev.read_sample().unwrap();
    assert_eq!(s.accel_mg.x, 1000); // ±2 g
    assert_eq!(s.gyro_mdps.x, 1000); // ±250 °/s
    dev.destroy().done();
}

#[test]
fn gyro_calibration_stores_and_subtracts_the_bias() {
    let mut t = default_configure();
    // Three samples at rest at ±500 °/s: x 1.5 °/s (98.25 counts).
    t.push(read_data([0, 0, 8192], 0, [98, -33, 7]));
    t.push(read_data([0, 0, 8192], 0, [99, -33, 6]));
    t.push(read_data([0, 0, 8192], 0, [98, -32, 7]));
    t.push(read_data([0, 0, 8192], 0, [98, -33, 7]));
    let mut dev = imu(&t);
    dev.configure(&Config::default()).unwrap();
    let mut cal = GyroCalibration::new(NonZeroU16::new(3).unwrap());
    assert_eq!(
        dev.calibrate_gyro(&mut cal).unwrap(),
        CalibrationProgress::Collecting {
            taken: 1,
            wanted: 3
        }
    );
    assert_eq!(dev.gyro_bias(), Axes::default());
    dev.calibrate_gyro(&mut cal).unwrap();
    // 98, 99, 98 counts = 1496.2, 1511.5, 1496.2 m°/s -> mean 1501.3.
    let bias = match dev.calibrate_gyro(&mut cal).unwrap() {
        CalibrationProgress::Done(bias) => bias,
        other => panic!("not done: {other:?}"),
    };
    assert_eq!(bias, axes([1501, -499, 102]));
    assert_eq!(dev.gyro_bias(), bias);
    let s = dev.read_sample().unwrap();
    assert_eq!(s.gyro_mdps, axes([1496 - 1501, -504 + 499, 107 - 102]));
    dev.destroy().done();
}

#[test]
fn gyro_calibration_fails_when_moved() {
    let mut t = default_configure();
    t.push(read_data([0, 0, 8192], 0, [0, 0, 0]));
    t.push(read_data([0, 0, 8192], 0, [0, 655, 0])); // 10 °/s on y
    let mut dev = imu(&t);
    dev.configure(&Config::default()).unwrap();
    let mut cal = GyroCalibration::new(NonZeroU16::new(2).unwrap());
    dev.calibrate_gyro(&mut cal).unwrap();
    let err = dev.calibrate_gyro(&mut cal).unwrap_err();
    match err {
        Error::MovedDuringCalibration(m) => {
            assert_eq!(m.spread_mdps, axes([0, 10_000, 0]));
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("keep it still"));
    assert_eq!(dev.gyro_bias(), Axes::default());
    dev.destroy().done();
}

#[test]
fn gyro_bias_is_settable_and_saturates() {
    let mut dev = imu(&[read_data([0; 3], 0, [i16::MIN, 0, 0])]);
    dev.set_gyro_bias(axes([i32::MAX, -5, 0]));
    assert_eq!(dev.gyro_bias(), axes([i32::MAX, -5, 0]));
    let s = dev.read_sample().unwrap();
    assert_eq!(s.gyro_mdps, axes([i32::MIN, 5, 0]));
    dev.destroy().done();
}

#[test]
fn self_test_passes_at_rest() {
    let mut t = default_configure();
    t.extend([
        read(WHO_AM_I, WHO_AM_I_VALUE),
        read(PWR_MGMT_1, CLKSEL_PLL_XGYRO),
        read_data([100, -200, 8150], -4260, [65, -100, 30]),
    ]);
    let mut dev = imu(&t);
    dev.configure(&Config::default()).unwrap();
    let report = dev.self_test().unwrap();
    assert_eq!(report.accel_magnitude_mg, 995); // (12, -24, 995) mg
    assert_eq!(report.sample.temp_centi_celsius, 2400);
    dev.destroy().done();
}

#[test]
fn self_test_fails_when_asleep() {
    let mut dev = imu(&[read(WHO_AM_I, WHO_AM_I_VALUE), read(PWR_MGMT_1, SLEEP)]);
    let err = dev.self_test().unwrap_err();
    assert_eq!(err, Error::SelfTest(SelfTestFailure::Asleep));
    assert_eq!(
        err.to_string(),
        "MPU-6050: self-test failed: the device is asleep: configure it first"
    );
    dev.destroy().done();
}

#[test]
fn self_test_fails_on_a_dead_sample() {
    // Zeros everywhere: no gravity.
    let mut dev = imu(&[
        read(WHO_AM_I, WHO_AM_I_VALUE),
        read(PWR_MGMT_1, CLKSEL_PLL_XGYRO),
        read_data([0; 3], 0, [0; 3]),
    ]);
    assert_eq!(
        dev.self_test().unwrap_err(),
        Error::SelfTest(SelfTestFailure::Acceleration { magnitude_mg: 0 })
    );
    dev.destroy().done();
}

#[test]
fn self_test_fails_on_wrong_identity() {
    let mut dev = imu(&[read(WHO_AM_I, 0x00)]);
    assert_eq!(
        dev.self_test().unwrap_err(),
        Error::WrongIdentity { found: 0 }
    );
    dev.destroy().done();
}

#[test]
fn address_parses_from_a_number() {
    assert_eq!(Address::try_from(0x69), Ok(Address::Ad0High));
    let err = Address::try_from(0x10).unwrap_err();
    assert_eq!(
        err.to_string(),
        "I2C address 0x10 is not an address of the MPU-6050: use 0x68 (AD0 low) or 0x69 (AD0 high)"
    );
}
