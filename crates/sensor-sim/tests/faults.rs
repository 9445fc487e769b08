//! Every scenario fault kind, seen through the I2C trait as a driver sees
//! it, on each model; and the multi-device bus.

mod common;

use std::time::Duration;

use common::{adc, ads, als, imu, is_address_nack, mpu, ms, scenario, us, veml};
use embedded_hal::i2c::I2c;
use sensor_sim::{Ads1115Model, BusError, ManualClock, Mpu6050Model, SimBus, Veml7700Model};

fn mpu_accel(dev: &mut Mpu6050Model) -> [u8; 6] {
    let mut b = [0u8; 6];
    dev.write_read(mpu::ADDR_AD0_LOW, &[mpu::ACCEL_XOUT_H], &mut b)
        .unwrap();
    b
}

fn gain1_100ms_on() -> u16 {
    veml::GAIN_1 | veml::IT_100
}

#[test]
fn nack_fault_nacks_exactly_the_next_n_transactions() {
    let (mut dev, clock) = imu("1s imu fault nack count=3");
    clock.set(ms(999));
    assert_eq!(mpu::try_read(&mut dev, mpu::WHO_AM_I), Ok(0x68));
    clock.set(ms(1000));
    for _ in 0..3 {
        // A NACKed write must not take effect.
        let e = dev
            .write(mpu::ADDR_AD0_LOW, &[mpu::PWR_MGMT_1, 0x00])
            .unwrap_err();
        assert!(is_address_nack(&e), "{e}");
        assert!(e.to_string().contains("MPU-6050 at 0x68"), "{e}");
        assert!(e.to_string().contains("fault nack"), "{e}");
    }
    assert_eq!(
        mpu::try_read(&mut dev, mpu::PWR_MGMT_1),
        Ok(0x40),
        "still asleep"
    );
    clock.set(ms(5000));
    assert_eq!(mpu::try_read(&mut dev, mpu::WHO_AM_I), Ok(0x68));

    // Light faults reach both light sensors.
    let text = "1s light fault nack count=2";
    let (mut adc, clock) = adc(text);
    clock.set(ms(1000));
    assert!(ads::try_read(&mut adc, ads::CONFIG).is_err_and(|e| is_address_nack(&e)));
    assert!(ads::try_read(&mut adc, ads::CONFIG).is_err());
    assert_eq!(ads::try_read(&mut adc, ads::CONFIG), Ok(0x8583));
    let (mut als, clock) = als(text);
    clock.set(ms(1500));
    assert!(veml::try_read(&mut als, veml::ALS_CONF_0).is_err_and(|e| is_address_nack(&e)));
    assert!(veml::try_read(&mut als, veml::ALS_CONF_0).is_err());
    assert_eq!(veml::try_read(&mut als, veml::ALS_CONF_0), Ok(0x0001));
}

#[test]
fn nack_faults_repeat_with_the_loop() {
    let (mut dev, clock) = imu("1s imu fault nack count=1\n5s * loop");
    for (t, ok) in [
        (500, true),
        (1000, false),
        (2000, true),
        (6000, false),
        (6001, true),
    ] {
        clock.set(ms(t));
        assert_eq!(
            mpu::try_read(&mut dev, mpu::WHO_AM_I).is_ok(),
            ok,
            "at {t} ms"
        );
    }
}

#[test]
fn vanish_fault_nacks_everything_for_its_duration_or_for_ever() {
    let (mut dev, clock) = imu("1s imu fault vanish for=2s");
    dev.write(mpu::ADDR_AD0_LOW, &[mpu::SMPLRT_DIV, 7]).unwrap();
    for t in [1000, 1500, 2999] {
        clock.set(ms(t));
        for _ in 0..5 {
            let e = mpu::try_read(&mut dev, mpu::WHO_AM_I).unwrap_err();
            assert!(is_address_nack(&e));
            assert!(e.to_string().contains("fault vanish"), "{e}");
        }
    }
    clock.set(ms(3000));
    assert_eq!(mpu::try_read(&mut dev, mpu::WHO_AM_I), Ok(0x68));
    assert_eq!(
        mpu::try_read(&mut dev, mpu::SMPLRT_DIV),
        Ok(7),
        "not a reset: registers kept"
    );

    let (mut adc, clock) = adc("1s light fault vanish");
    let (mut als, als_clock) = als("1s light fault vanish");
    assert!(ads::try_read(&mut adc, ads::CONFIG).is_ok());
    assert!(veml::try_read(&mut als, veml::ID).is_ok());
    clock.set(Duration::from_secs(3600));
    als_clock.set(Duration::from_secs(3600));
    assert!(ads::try_read(&mut adc, ads::CONFIG).is_err_and(|e| is_address_nack(&e)));
    assert!(veml::try_read(&mut als, veml::ID).is_err_and(|e| is_address_nack(&e)));
}

#[test]
fn stuck_fault_freezes_the_mpu6050_data_registers() {
    let motion = "0s imu tilt roll=90 over=2s\n";
    let (mut dev, clock) = imu(&format!("{motion}500ms imu fault stuck for=1s"));
    let (mut reference, reference_clock) = imu(motion);
    for d in [&mut dev, &mut reference] {
        d.write(mpu::ADDR_AD0_LOW, &[mpu::PWR_MGMT_1, 0x00])
            .unwrap();
    }
    clock.set(ms(400));
    let early = mpu_accel(&mut dev);
    // The last sample before the fault, 125 us before it.
    reference_clock.set(ms(500) - us(125));
    let frozen = mpu_accel(&mut reference);
    assert_ne!(early, frozen, "the board is moving");
    for t in [600, 1000, 1499] {
        clock.set(ms(t));
        assert_eq!(mpu_accel(&mut dev), frozen, "at {t} ms");
        // Samples still tick: DATA_RDY keeps coming, with the same data.
        assert_eq!(mpu::try_read(&mut dev, mpu::INT_STATUS), Ok(1));
    }
    clock.set(ms(1500));
    reference_clock.set(ms(1500));
    assert_eq!(
        mpu_accel(&mut dev),
        mpu_accel(&mut reference),
        "moving again"
    );
}

#[test]
fn stuck_fault_freezes_the_ads1115_conversion_register() {
    let (mut dev, clock) =
        adc("0s light level lux=10\n50ms light level lux=0\n20ms light fault stuck for=100ms");
    // Continuous, AIN0, 4.096 V, 250 SPS: a conversion every 4 ms.
    ads::write(
        &mut dev,
        ads::CONFIG,
        ads::MODE_CONTINUOUS | ads::MUX_A0 | ads::PGA_4_096 | ads::DR_250 | ads::COMP_QUE_OFF,
    );
    clock.set(ms(10));
    assert_eq!(ads::try_read(&mut dev, ads::CONVERSION), Ok(10560));
    clock.set(ms(60));
    assert_eq!(
        ads::try_read(&mut dev, ads::CONVERSION),
        Ok(10560),
        "dark, but stuck"
    );
    clock.set(ms(120) - us(1));
    assert_eq!(ads::try_read(&mut dev, ads::CONVERSION), Ok(10560));
    clock.set(ms(120));
    assert_eq!(ads::try_read(&mut dev, ads::CONVERSION), Ok(0));

    // Single shot during a stuck window: the conversion completes (OS = 1)
    // but the register keeps its value.
    let (mut dev, clock) = adc("0s light level lux=10\n1s light fault stuck for=1s");
    ads::write(
        &mut dev,
        ads::CONFIG,
        ads::OS | ads::MODE_SINGLE | ads::MUX_A0 | ads::PGA_4_096 | ads::DR_860 | ads::COMP_QUE_OFF,
    );
    clock.set(ms(500));
    assert_eq!(ads::try_read(&mut dev, ads::CONVERSION), Ok(10560));
    let ain3 =
        ads::OS | ads::MODE_SINGLE | ads::MUX_A3 | ads::PGA_4_096 | ads::DR_860 | ads::COMP_QUE_OFF; // AIN3: 0 V
    clock.set(ms(1050));
    ads::write(&mut dev, ads::CONFIG, ain3);
    clock.set(ms(1100));
    assert_eq!(
        ads::try_read(&mut dev, ads::CONFIG).map(|c| c & ads::OS),
        Ok(ads::OS)
    );
    assert_eq!(
        ads::try_read(&mut dev, ads::CONVERSION),
        Ok(10560),
        "stuck: not 0"
    );
    clock.set(ms(2050));
    ads::write(&mut dev, ads::CONFIG, ain3);
    clock.set(ms(2100));
    assert_eq!(
        ads::try_read(&mut dev, ads::CONVERSION),
        Ok(0),
        "updating again"
    );
}

#[test]
fn stuck_fault_freezes_the_veml7700_outputs() {
    let (mut dev, clock) =
        als("0s light level lux=42\n150ms light level lux=84\n120ms light fault stuck for=500ms");
    veml::write(&mut dev, veml::ALS_CONF_0, gain1_100ms_on());
    clock.set(ms(100));
    assert_eq!(veml::try_read(&mut dev, veml::ALS), Ok(625));
    clock.set(ms(300));
    assert_eq!(
        veml::try_read(&mut dev, veml::ALS),
        Ok(625),
        "brighter, but stuck"
    );
    clock.set(ms(699));
    assert_eq!(veml::try_read(&mut dev, veml::ALS), Ok(625));
    clock.set(ms(700));
    assert_eq!(veml::try_read(&mut dev, veml::ALS), Ok(1250));
}

#[test]
fn reset_fault_puts_each_device_back_in_its_power_on_state() {
    let (mut dev, clock) = imu("2s imu fault reset");
    dev.write(mpu::ADDR_AD0_LOW, &[mpu::SMPLRT_DIV, 9, 3])
        .unwrap();
    dev.write(mpu::ADDR_AD0_LOW, &[mpu::PWR_MGMT_1, 0x00])
        .unwrap();
    clock.set(ms(1000));
    assert_eq!(mpu::try_read(&mut dev, mpu::INT_STATUS), Ok(1));
    assert_ne!(mpu_accel(&mut dev), [0; 6]);
    clock.set(ms(2500));
    assert_eq!(
        mpu::try_read(&mut dev, mpu::PWR_MGMT_1),
        Ok(0x40),
        "asleep again"
    );
    assert_eq!(mpu::try_read(&mut dev, mpu::SMPLRT_DIV), Ok(0));
    assert_eq!(mpu::try_read(&mut dev, mpu::INT_STATUS), Ok(0));
    assert_eq!(mpu_accel(&mut dev), [0; 6]);

    let (mut adc, clock) = adc("0s light level lux=10\n2s light fault reset");
    ads::write(
        &mut adc,
        ads::CONFIG,
        ads::MODE_CONTINUOUS | ads::MUX_A0 | ads::PGA_4_096 | ads::DR_860 | ads::COMP_QUE_OFF,
    );
    clock.set(ms(1000));
    assert_eq!(ads::try_read(&mut adc, ads::CONVERSION), Ok(10560));
    clock.set(ms(2500));
    assert_eq!(ads::try_read(&mut adc, ads::CONFIG), Ok(0x8583));
    assert_eq!(ads::try_read(&mut adc, ads::CONVERSION), Ok(0));

    let (mut als, clock) = als("0s light level lux=42\n2s light fault reset");
    veml::write(&mut als, veml::ALS_CONF_0, gain1_100ms_on());
    clock.set(ms(1000));
    assert_eq!(veml::try_read(&mut als, veml::ALS), Ok(625));
    clock.set(ms(2500));
    assert_eq!(
        veml::try_read(&mut als, veml::ALS_CONF_0),
        Ok(0x0001),
        "shut down"
    );
    assert_eq!(veml::try_read(&mut als, veml::ALS), Ok(0));
}

#[test]
fn a_bus_routes_by_address_and_nacks_the_rest() {
    let s = scenario("0s light level lux=10\n1s imu fault vanish");
    let clock = ManualClock::new();
    let mut bus = SimBus::new();
    bus.attach(Mpu6050Model::new(0x68, s.clone(), clock.clone()).unwrap())
        .unwrap()
        .attach(Ads1115Model::new(0x48, s.clone(), clock.clone()).unwrap())
        .unwrap()
        .attach(Veml7700Model::new(s.clone(), clock.clone()))
        .unwrap();
    assert_eq!(
        bus.attach(Ads1115Model::new(0x48, s, clock.clone()).unwrap())
            .unwrap_err()
            .address,
        0x48
    );
    let mut b = [0u8; 2];
    bus.write_read(0x68, &[mpu::WHO_AM_I], &mut b[..1]).unwrap();
    assert_eq!(b[0], 0x68);
    bus.write_read(0x48, &[ads::CONFIG], &mut b).unwrap();
    assert_eq!(b, [0x85, 0x83]);
    bus.write_read(0x10, &[veml::ALS_CONF_0], &mut b).unwrap();
    assert_eq!(b, [0x01, 0x00]);
    let e = bus.write(0x50, &[0]).unwrap_err();
    assert!(is_address_nack(&e));
    assert_eq!(e, BusError::NoDevice { address: 0x50 });
    assert_eq!(e.to_string(), "no device answers at address 0x50");

    clock.set(ms(1000));
    assert!(bus.write_read(0x68, &[mpu::WHO_AM_I], &mut b[..1]).is_err());
    assert!(
        bus.write_read(0x48, &[ads::CONFIG], &mut b).is_ok(),
        "only the imu vanished"
    );
}
