//! `SmbusI2c` against a fake `I2CDevice` that records every SMBus call, and
//! against i2cdev's own `MockI2CDevice` register map.

use std::io;

use board_io::{Access, I2cError, SmbusI2c, UnsupportedPattern};
use embedded_hal::i2c::{Error as _, ErrorKind, I2c, NoAcknowledgeSource, Operation};
use i2cdev::core::I2CDevice;
use i2cdev::mock::MockI2CDevice;
use nix::errno::Errno;

const ADDRESS: u8 = 0x48;
const BUS: &str = "/dev/i2c-7";

/// One SMBus call as the adapter would see it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Call {
    WriteByte(u8),
    WriteByteData(u8, u8),
    WriteI2cBlock(u8, Vec<u8>),
    ReadByte,
    ReadByteData(u8),
    ReadI2cBlock(u8, u8),
    /// Anything the transport must never use (raw read/write, word, quick...).
    Unexpected(&'static str),
}

/// A 256-register device with an SMBus register pointer, like i2c-stub's
/// byte view. It records calls; `fail_with` makes the next call fail with an
/// errno; `short_by` makes block reads return fewer bytes.
#[derive(Default)]
struct FakeDevice {
    registers: Vec<u8>,
    pointer: u8,
    calls: Vec<Call>,
    fail_with: Option<Errno>,
    short_by: usize,
}

impl FakeDevice {
    fn new() -> Self {
        Self {
            registers: vec![0; 256],
            ..Self::default()
        }
    }

    fn call(&mut self, call: Call) -> io::Result<()> {
        self.calls.push(call);
        match self.fail_with.take() {
            Some(errno) => Err(io::Error::from_raw_os_error(errno as i32)),
            None => Ok(()),
        }
    }

    fn unexpected<T>(&mut self, what: &'static str) -> io::Result<T> {
        self.calls.push(Call::Unexpected(what));
        Err(io::Error::other(what))
    }
}

impl I2CDevice for FakeDevice {
    type Error = io::Error;

    fn read(&mut self, _data: &mut [u8]) -> io::Result<()> {
        self.unexpected("read")
    }

    fn write(&mut self, _data: &[u8]) -> io::Result<()> {
        self.unexpected("write")
    }

    fn smbus_write_quick(&mut self, _bit: bool) -> io::Result<()> {
        self.unexpected("write quick")
    }

    fn smbus_read_byte(&mut self) -> io::Result<u8> {
        self.call(Call::ReadByte)?;
        let value = self.registers[usize::from(self.pointer)];
        self.pointer = self.pointer.wrapping_add(1);
        Ok(value)
    }

    fn smbus_write_byte(&mut self, value: u8) -> io::Result<()> {
        self.call(Call::WriteByte(value))?;
        self.pointer = value;
        Ok(())
    }

    fn smbus_read_byte_data(&mut self, register: u8) -> io::Result<u8> {
        self.call(Call::ReadByteData(register))?;
        Ok(self.registers[usize::from(register)])
    }

    fn smbus_write_byte_data(&mut self, register: u8, value: u8) -> io::Result<()> {
        self.call(Call::WriteByteData(register, value))?;
        self.registers[usize::from(register)] = value;
        Ok(())
    }

    fn smbus_read_word_data(&mut self, _register: u8) -> io::Result<u16> {
        self.unexpected("read word data")
    }

    fn smbus_write_word_data(&mut self, _register: u8, _value: u16) -> io::Result<()> {
        self.unexpected("write word data")
    }

    fn smbus_process_word(&mut self, _register: u8, _value: u16) -> io::Result<u16> {
        self.unexpected("process call")
    }

    fn smbus_read_block_data(&mut self, _register: u8) -> io::Result<Vec<u8>> {
        self.unexpected("read block data")
    }

    fn smbus_read_i2c_block_data(&mut self, register: u8, len: u8) -> io::Result<Vec<u8>> {
        self.call(Call::ReadI2cBlock(register, len))?;
        let start = usize::from(register);
        let end = start + usize::from(len) - self.short_by;
        Ok(self.registers[start..end].to_vec())
    }

    fn smbus_write_block_data(&mut self, _register: u8, _values: &[u8]) -> io::Result<()> {
        self.unexpected("write block data")
    }

    fn smbus_write_i2c_block_data(&mut self, register: u8, values: &[u8]) -> io::Result<()> {
        self.call(Call::WriteI2cBlock(register, values.to_vec()))?;
        let start = usize::from(register);
        self.registers[start..start + values.len()].copy_from_slice(values);
        Ok(())
    }

    fn smbus_process_block(&mut self, _register: u8, _values: &[u8]) -> io::Result<Vec<u8>> {
        self.unexpected("block process call")
    }
}

fn bus() -> SmbusI2c<FakeDevice> {
    SmbusI2c::new(FakeDevice::new(), BUS, ADDRESS)
}

fn calls(bus: SmbusI2c<FakeDevice>) -> Vec<Call> {
    bus.into_inner().calls
}

#[test]
fn pointer_write_is_write_byte() {
    let mut bus = bus();
    bus.write(ADDRESS, &[0x00]).expect("pointer write");
    assert_eq!(calls(bus), [Call::WriteByte(0x00)]);
}

#[test]
fn one_data_byte_is_write_byte_data() {
    let mut bus = bus();
    bus.write(ADDRESS, &[0x6b, 0x01]).expect("register write");
    assert_eq!(calls(bus), [Call::WriteByteData(0x6b, 0x01)]);
}

#[test]
fn several_data_bytes_are_one_i2c_block_write_in_order() {
    let mut bus = bus();
    // ADS1115 config register, MSB first: the bytes go out as given.
    bus.write(ADDRESS, &[0x01, 0xc3, 0x83]).expect("word write");
    let mut written = [0u8; 2];
    bus.write_read(ADDRESS, &[0x01], &mut written)
        .expect("read back");
    assert_eq!(written, [0xc3, 0x83]);
    assert_eq!(
        calls(bus),
        [
            Call::WriteI2cBlock(0x01, vec![0xc3, 0x83]),
            Call::ReadI2cBlock(0x01, 2)
        ]
    );
}

#[test]
fn thirty_two_data_bytes_fit_thirty_three_do_not() {
    let mut bus = bus();
    let mut max = vec![0x10];
    max.extend(1..=32u8);
    bus.write(ADDRESS, &max).expect("32 data bytes");

    let mut too_long = vec![0x10];
    too_long.extend(0..33u8);
    let error = bus.write(ADDRESS, &too_long).expect_err("33 data bytes");
    assert!(matches!(
        error,
        I2cError::Unsupported {
            pattern: UnsupportedPattern::WriteTooLong { data_len: 33 },
            ..
        }
    ));
    assert_eq!(calls(bus), [Call::WriteI2cBlock(0x10, (1..=32).collect())]);
}

#[test]
fn one_byte_register_read_is_read_byte_data() {
    let mut bus = bus();
    bus.write(ADDRESS, &[0x75, 0x68]).expect("set up");
    let mut who_am_i = [0u8];
    bus.write_read(ADDRESS, &[0x75], &mut who_am_i)
        .expect("register read");
    assert_eq!(who_am_i, [0x68]);
    assert_eq!(
        calls(bus),
        [Call::WriteByteData(0x75, 0x68), Call::ReadByteData(0x75)]
    );
}

#[test]
fn block_register_read_is_read_i2c_block_data() {
    let mut device = FakeDevice::new();
    let sample: Vec<u8> = (0x01..=0x0e).collect();
    device.registers[0x3b..0x3b + 14].copy_from_slice(&sample);
    let mut bus = SmbusI2c::new(device, BUS, ADDRESS);
    // MPU-6050: accel, temperature, gyro in one 14-byte burst from 0x3b.
    let mut burst = [0u8; 14];
    bus.write_read(ADDRESS, &[0x3b], &mut burst)
        .expect("burst read");
    assert_eq!(burst.to_vec(), sample);
    let mut max = [0u8; 32];
    bus.write_read(ADDRESS, &[0x00], &mut max)
        .expect("32 bytes");
    assert_eq!(
        calls(bus),
        [Call::ReadI2cBlock(0x3b, 14), Call::ReadI2cBlock(0x00, 32)]
    );
}

#[test]
fn a_short_block_read_is_an_error_and_leaves_the_buffer_alone() {
    let mut device = FakeDevice::new();
    device.registers[0x3b..0x3b + 6].copy_from_slice(&[1, 2, 3, 4, 5, 6]);
    device.short_by = 2;
    let mut bus = SmbusI2c::new(device, BUS, ADDRESS);
    let mut accel = [0xaa; 6];
    let error = bus
        .write_read(ADDRESS, &[0x3b], &mut accel)
        .expect_err("short read");
    assert!(
        matches!(
            error,
            I2cError::ShortRead {
                got: 4,
                access: Access::ReadRegister {
                    register: 0x3b,
                    len: 6
                },
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(error.kind(), ErrorKind::Other);
    assert_eq!(accel, [0xaa; 6]);
    assert!(error.to_string().contains("returned 4 bytes"), "{error}");
}

#[test]
fn single_byte_read_is_read_byte_at_the_pointer() {
    let mut bus = bus();
    bus.write(ADDRESS, &[0x20, 0x5a]).expect("set up");
    bus.write(ADDRESS, &[0x20]).expect("pointer");
    let mut byte = [0u8];
    bus.read(ADDRESS, &mut byte).expect("read byte");
    assert_eq!(byte, [0x5a]);
    assert_eq!(
        calls(bus),
        [
            Call::WriteByteData(0x20, 0x5a),
            Call::WriteByte(0x20),
            Call::ReadByte
        ]
    );
}

#[test]
fn transaction_of_the_register_read_shape_works() {
    let mut device = FakeDevice::new();
    device.registers[0x02] = 0x7f;
    device.registers[0x03] = 0xff;
    let mut bus = SmbusI2c::new(device, BUS, ADDRESS);
    let mut threshold = [0u8; 2];
    bus.transaction(
        ADDRESS,
        &mut [Operation::Write(&[0x02]), Operation::Read(&mut threshold)],
    )
    .expect("transaction");
    assert_eq!(threshold, [0x7f, 0xff]);
    assert_eq!(calls(bus), [Call::ReadI2cBlock(0x02, 2)]);
}

/// Every pattern the SMBus transport refuses: kind `Other`, a message that
/// says so, and nothing sent to the device.
#[test]
fn unsupported_patterns_fail_before_touching_the_bus() {
    let mut bus = bus();
    let mut two = [0u8; 2];
    let mut one = [0u8; 1];
    let mut long = [0u8; 33];
    let mut none: [u8; 0] = [];
    let cases: Vec<(&str, Result<(), I2cError>)> = vec![
        ("empty write", bus.write(ADDRESS, &[])),
        ("multi-byte raw read", bus.read(ADDRESS, &mut two)),
        ("empty raw read", bus.read(ADDRESS, &mut none)),
        (
            "register read of 33",
            bus.write_read(ADDRESS, &[0x00], &mut long),
        ),
        (
            "register read of 0",
            bus.write_read(ADDRESS, &[0x00], &mut none),
        ),
        (
            "16-bit register address",
            bus.write_read(ADDRESS, &[0x00, 0x10], &mut two),
        ),
        ("empty transaction", bus.transaction(ADDRESS, &mut [])),
        (
            "read then write",
            bus.transaction(
                ADDRESS,
                &mut [Operation::Read(&mut one), Operation::Write(&[0x00])],
            ),
        ),
        (
            "two writes",
            bus.transaction(
                ADDRESS,
                &mut [Operation::Write(&[0x00]), Operation::Write(&[0x01, 0x02])],
            ),
        ),
        (
            "three operations",
            bus.transaction(
                ADDRESS,
                &mut [
                    Operation::Write(&[0x00]),
                    Operation::Read(&mut one),
                    Operation::Read(&mut two),
                ],
            ),
        ),
    ];
    for (name, result) in cases {
        let error = result.expect_err(name);
        assert!(
            matches!(error, I2cError::Unsupported { .. }),
            "{name}: {error:?}"
        );
        assert_eq!(error.kind(), ErrorKind::Other, "{name}");
        let text = error.to_string();
        assert!(
            text.starts_with("/dev/i2c-7 address 0x48: ")
                && text.contains("is not supported by an SMBus-only adapter"),
            "{name}: {text}"
        );
    }
    assert_eq!(calls(bus), []);
}

#[test]
fn another_address_is_refused() {
    let mut bus = bus();
    let error = bus.write(0x49, &[0x00]).expect_err("wrong address");
    assert!(matches!(
        error,
        I2cError::WrongAddress {
            bound: ADDRESS,
            requested: 0x49,
            ..
        }
    ));
    assert_eq!(
        error.to_string(),
        "/dev/i2c-7 address 0x49: this handle is bound to address 0x48: open one handle per device"
    );
    assert_eq!(calls(bus), []);
}

#[test]
fn device_errnos_map_through_the_table_with_context() {
    let cases = [
        (
            Errno::ENXIO,
            ErrorKind::NoAcknowledge(NoAcknowledgeSource::Unknown),
        ),
        (
            Errno::ENODEV,
            ErrorKind::NoAcknowledge(NoAcknowledgeSource::Unknown),
        ),
        (
            Errno::EREMOTEIO,
            ErrorKind::NoAcknowledge(NoAcknowledgeSource::Unknown),
        ),
        (Errno::EAGAIN, ErrorKind::ArbitrationLoss),
        (Errno::EIO, ErrorKind::Bus),
        (Errno::ETIMEDOUT, ErrorKind::Other),
    ];
    for (errno, kind) in cases {
        let mut device = FakeDevice::new();
        device.fail_with = Some(errno);
        let mut bus = SmbusI2c::new(device, BUS, ADDRESS);
        let mut config = [0u8; 2];
        let error = bus
            .write_read(ADDRESS, &[0x01], &mut config)
            .expect_err("device fails");
        assert_eq!(error.errno(), Some(errno));
        assert_eq!(error.kind(), kind, "{errno}");
        assert_eq!(error.path(), std::path::Path::new(BUS));
        let text = error.to_string();
        assert!(
            text.starts_with(
                "/dev/i2c-7 address 0x48 (SMBus (I2C_SMBUS)): read of 2 bytes from register 0x01 failed: "
            ),
            "{text}"
        );
    }
}

#[test]
fn i2cdev_mock_register_map_round_trips() {
    // i2cdev's own mock: a write sets the offset and stores the data bytes,
    // a read returns bytes from the offset (byte commands only: its block
    // commands are unimplemented).
    let mut device = MockI2CDevice::new();
    device.regmap.write_regs(0x0c, &[0x81]); // VEML7700-ish ID byte
    let mut bus = SmbusI2c::new(device, "/dev/i2c-0", 0x10);

    let mut id = [0u8];
    bus.write_read(0x10, &[0x0c], &mut id)
        .expect("read byte data");
    assert_eq!(id, [0x81]);

    bus.write(0x10, &[0x00, 0x42]).expect("write byte data");
    bus.write(0x10, &[0x00]).expect("pointer write");
    let mut byte = [0u8];
    bus.read(0x10, &mut byte).expect("read byte");
    assert_eq!(byte, [0x42]);
}
