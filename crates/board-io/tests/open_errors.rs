//! Opening paths that this host has, or lacks, for real: a missing I2C bus
//! and GPIO chip, and /dev/null (a character device that is neither).

use board_io::{Edge, I2cBus, I2cOpenError, ReadyError, ReadySource};
use nix::errno::Errno;

/// A bus number no board has, so the node is missing on any host.
const MISSING_BUS: &str = "/dev/i2c-231";

#[test]
fn a_missing_i2c_bus_says_to_load_i2c_dev_and_enable_i2c() {
    assert!(!std::path::Path::new(MISSING_BUS).exists());
    let error = I2cBus::open(MISSING_BUS, 0x68).expect_err("no such bus");
    assert!(matches!(error, I2cOpenError::NoSuchBus { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        "/dev/i2c-231: no such I2C bus: is the i2c-dev module loaded (modprobe i2c-dev) and \
         I2C enabled (dtparam=i2c_arm=on on a Raspberry Pi)?"
    );
}

#[test]
fn a_file_that_is_not_an_i2c_bus_is_named_as_such() {
    let error = I2cBus::open("/dev/null", 0x68).expect_err("/dev/null is no bus");
    match &error {
        I2cOpenError::NotAnI2cBus { errno, .. } => assert_eq!(*errno, Errno::ENOTTY),
        other => panic!("expected NotAnI2cBus, got {other:?}"),
    }
    assert!(
        error
            .to_string()
            .starts_with("/dev/null: not an I2C bus (the I2C_FUNCS ioctl failed: ENOTTY"),
        "{error}"
    );
}

#[test]
fn an_address_above_7_bits_is_refused_before_opening() {
    // Checked first: the missing bus is not even looked at.
    let error = I2cBus::open(MISSING_BUS, 0x80).expect_err("8-bit address");
    assert!(
        matches!(error, I2cOpenError::InvalidAddress { address: 0x80, .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("not a 7-bit I2C address"),
        "{error}"
    );
}

#[test]
fn a_missing_gpio_chip_says_to_check_the_board_profile() {
    assert!(!std::path::Path::new("/dev/gpiochip9").exists());
    let error =
        ReadySource::gpio_edge("/dev/gpiochip9", 17, Edge::Rising).expect_err("no such chip");
    assert!(matches!(error, ReadyError::NoSuchChip { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        "/dev/gpiochip9: no such device: check the board profile's chip name"
    );
}

#[test]
fn a_file_that_is_not_a_gpio_chip_is_named_as_such() {
    let error =
        ReadySource::gpio_edge("/dev/null", 0, Edge::Falling).expect_err("/dev/null is no chip");
    assert!(
        matches!(error, ReadyError::NotAGpioChip { .. }),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .starts_with("/dev/null: not a GPIO chip ("),
        "{error}"
    );
}
