//! The register access patterns the drivers use, recognised in an
//! `embedded_hal` operation list.
//!
//! The drivers talk to a bus only with these patterns (the shared hardware
//! conventions), so that an SMBus-only adapter can carry them:
//!
//! | driver call | [`Access`] | SMBus command |
//! |---|---|---|
//! | `write(a, &[reg])` | [`Access::SetPointer`] | write byte |
//! | `write(a, &[reg, v])` | [`Access::WriteRegister`] (1 byte) | write byte data |
//! | `write(a, &[reg, v0, .., vn])`, 2..=32 data bytes | [`Access::WriteRegister`] | write I2C block data |
//! | `write_read(a, &[reg], buf)`, 1 byte | [`Access::ReadRegister`] (1 byte) | read byte data |
//! | `write_read(a, &[reg], buf)`, 2..=32 bytes | [`Access::ReadRegister`] | read I2C block data |
//! | `read(a, buf)`, 1 byte | [`Access::ReadByte`] | read byte |
//!
//! A `transaction` with the same single operation, or with
//! `[Write([reg]), Read(buf)]`, is the same access. Anything else is an
//! [`UnsupportedPattern`] on the SMBus transport and an
//! [`Access::Transfer`] on the plain I2C one.

use std::fmt;

use embedded_hal::i2c::Operation;

/// The most data bytes one SMBus block command carries (`I2C_SMBUS_BLOCK_MAX`).
pub const SMBUS_BLOCK_MAX: usize = 32;

/// One bus access, named the way a driver thinks of it; errors carry it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    /// `write([reg])`: sets the device's register pointer.
    SetPointer {
        /// The register address written.
        register: u8,
    },
    /// `write([reg, data..])`: writes 1..=32 data bytes from `register` on.
    WriteRegister {
        /// The first register written.
        register: u8,
        /// How many data bytes (1..=32).
        len: u8,
    },
    /// `write_read([reg], buf)`: reads 1..=32 bytes from `register` on.
    ReadRegister {
        /// The first register read.
        register: u8,
        /// How many bytes (1..=32).
        len: u8,
    },
    /// `read(buf of 1)`: reads one byte at the current register pointer.
    ReadByte,
    /// Any other operation sequence, sent as one `I2C_RDWR` transfer (plain
    /// I2C transport only).
    Transfer {
        /// How many operations the transaction had.
        operations: usize,
    },
}

impl Access {
    /// Names the access an operation list makes: one of the register
    /// patterns, or [`Access::Transfer`] for anything else.
    pub fn of(operations: &mut [Operation<'_>]) -> Access {
        let count = operations.len();
        match SmbusCommand::plan(operations) {
            Ok(command) => command.access(),
            Err(_) => Access::Transfer { operations: count },
        }
    }
}

impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Access::SetPointer { register } => {
                write!(f, "register pointer write ({register:#04x})")
            }
            Access::WriteRegister { register, len } => {
                write!(
                    f,
                    "write of {len} {} to register {register:#04x}",
                    bytes(len)
                )
            }
            Access::ReadRegister { register, len } => {
                write!(
                    f,
                    "read of {len} {} from register {register:#04x}",
                    bytes(len)
                )
            }
            Access::ReadByte => f.write_str("read of 1 byte at the register pointer"),
            Access::Transfer { operations } => {
                write!(f, "I2C transfer of {operations} operations")
            }
        }
    }
}

fn bytes(len: u8) -> &'static str {
    if len == 1 { "byte" } else { "bytes" }
}

/// An operation sequence the SMBus transport cannot carry, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnsupportedPattern {
    /// A transaction with no operations.
    NoOperations,
    /// A write of no bytes (an SMBus quick command, not a register access).
    EmptyWrite,
    /// A register write of more than 32 data bytes.
    WriteTooLong {
        /// Data bytes after the register address.
        data_len: usize,
    },
    /// A read of other than 1 byte without selecting a register first.
    ReadWithoutRegister {
        /// Bytes asked for.
        len: usize,
    },
    /// A register read whose register address is not exactly one byte.
    RegisterAddressLength {
        /// Bytes in the write before the read.
        len: usize,
    },
    /// A register read of 0 or more than 32 bytes.
    ReadLength {
        /// Bytes asked for.
        len: usize,
    },
    /// Any other shape: several writes, a read before a write, three or more
    /// operations.
    Sequence {
        /// How many operations the transaction had.
        operations: usize,
    },
}

impl fmt::Display for UnsupportedPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            UnsupportedPattern::NoOperations => f.write_str("an empty transaction"),
            UnsupportedPattern::EmptyWrite => f.write_str("a write of 0 bytes"),
            UnsupportedPattern::WriteTooLong { data_len } => write!(
                f,
                "a register write of {data_len} data bytes (at most {SMBUS_BLOCK_MAX})"
            ),
            UnsupportedPattern::ReadWithoutRegister { len } => {
                write!(f, "a read of {len} bytes without a register write first")
            }
            UnsupportedPattern::RegisterAddressLength { len } => {
                write!(f, "a register read after a {len}-byte write (1 expected)")
            }
            UnsupportedPattern::ReadLength { len } => write!(
                f,
                "a register read of {len} bytes (1..={SMBUS_BLOCK_MAX} expected)"
            ),
            UnsupportedPattern::Sequence { operations } => write!(
                f,
                "a transaction of {operations} operations other than [write [register], read]"
            ),
        }
    }
}

/// One SMBus command, with the buffers of the operations it came from.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum SmbusCommand<'a> {
    WriteByte { register: u8 },
    WriteByteData { register: u8, value: u8 },
    WriteI2cBlock { register: u8, data: &'a [u8] },
    ReadByte { out: &'a mut u8 },
    ReadByteData { register: u8, out: &'a mut u8 },
    ReadI2cBlock { register: u8, out: &'a mut [u8] },
}

impl<'a> SmbusCommand<'a> {
    /// Maps an operation list to the SMBus command that carries it.
    pub(crate) fn plan(
        operations: &'a mut [Operation<'_>],
    ) -> Result<SmbusCommand<'a>, UnsupportedPattern> {
        match operations {
            [] => Err(UnsupportedPattern::NoOperations),
            [Operation::Write(bytes)] => Self::write(bytes),
            [Operation::Read(buf)] => match &mut **buf {
                [out] => Ok(SmbusCommand::ReadByte { out }),
                other => Err(UnsupportedPattern::ReadWithoutRegister { len: other.len() }),
            },
            [Operation::Write(select), Operation::Read(buf)] => match **select {
                [register] => Self::read_register(register, buf),
                _ => Err(UnsupportedPattern::RegisterAddressLength { len: select.len() }),
            },
            _ => Err(UnsupportedPattern::Sequence {
                operations: operations.len(),
            }),
        }
    }

    fn write(bytes: &'a [u8]) -> Result<SmbusCommand<'a>, UnsupportedPattern> {
        match *bytes {
            [] => Err(UnsupportedPattern::EmptyWrite),
            [register] => Ok(SmbusCommand::WriteByte { register }),
            [register, value] => Ok(SmbusCommand::WriteByteData { register, value }),
            [register, ref data @ ..] if data.len() <= SMBUS_BLOCK_MAX => {
                Ok(SmbusCommand::WriteI2cBlock { register, data })
            }
            [_, ref data @ ..] => Err(UnsupportedPattern::WriteTooLong {
                data_len: data.len(),
            }),
        }
    }

    fn read_register(
        register: u8,
        buf: &'a mut [u8],
    ) -> Result<SmbusCommand<'a>, UnsupportedPattern> {
        match buf {
            [] => Err(UnsupportedPattern::ReadLength { len: 0 }),
            [out] => Ok(SmbusCommand::ReadByteData { register, out }),
            out if out.len() <= SMBUS_BLOCK_MAX => Ok(SmbusCommand::ReadI2cBlock { register, out }),
            out => Err(UnsupportedPattern::ReadLength { len: out.len() }),
        }
    }

    /// The driver-level access this command carries.
    pub(crate) fn access(&self) -> Access {
        match self {
            SmbusCommand::WriteByte { register } => Access::SetPointer {
                register: *register,
            },
            SmbusCommand::WriteByteData { register, .. } => Access::WriteRegister {
                register: *register,
                len: 1,
            },
            SmbusCommand::WriteI2cBlock { register, data } => Access::WriteRegister {
                register: *register,
                len: block_len(data.len()),
            },
            SmbusCommand::ReadByte { .. } => Access::ReadByte,
            SmbusCommand::ReadByteData { register, .. } => Access::ReadRegister {
                register: *register,
                len: 1,
            },
            SmbusCommand::ReadI2cBlock { register, out } => Access::ReadRegister {
                register: *register,
                len: block_len(out.len()),
            },
        }
    }
}

/// A block length as the `u8` SMBus uses; `plan` only makes blocks of
/// at most 32 bytes, so this never saturates.
pub(crate) fn block_len(len: usize) -> u8 {
    u8::try_from(len).unwrap_or(u8::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan_access(operations: &mut [Operation<'_>]) -> Result<Access, UnsupportedPattern> {
        SmbusCommand::plan(operations).map(|command| command.access())
    }

    #[test]
    fn writes_map_by_length() {
        assert_eq!(
            SmbusCommand::plan(&mut [Operation::Write(&[0x6b])]),
            Ok(SmbusCommand::WriteByte { register: 0x6b })
        );
        assert_eq!(
            SmbusCommand::plan(&mut [Operation::Write(&[0x6b, 0x00])]),
            Ok(SmbusCommand::WriteByteData {
                register: 0x6b,
                value: 0x00
            })
        );
        // ADS1115 config: MSB first, order kept.
        assert_eq!(
            SmbusCommand::plan(&mut [Operation::Write(&[0x01, 0xc3, 0x83])]),
            Ok(SmbusCommand::WriteI2cBlock {
                register: 0x01,
                data: &[0xc3, 0x83]
            })
        );
        let mut max = [0u8; 1 + SMBUS_BLOCK_MAX];
        max[0] = 0x10;
        assert_eq!(
            plan_access(&mut [Operation::Write(&max)]),
            Ok(Access::WriteRegister {
                register: 0x10,
                len: 32
            })
        );
    }

    #[test]
    fn writes_smbus_cannot_carry() {
        assert_eq!(
            SmbusCommand::plan(&mut [Operation::Write(&[])]),
            Err(UnsupportedPattern::EmptyWrite)
        );
        let long = [0u8; 2 + SMBUS_BLOCK_MAX];
        assert_eq!(
            SmbusCommand::plan(&mut [Operation::Write(&long)]),
            Err(UnsupportedPattern::WriteTooLong { data_len: 33 })
        );
    }

    #[test]
    fn register_reads_map_by_length() {
        let mut one = [0u8; 1];
        assert_eq!(
            plan_access(&mut [Operation::Write(&[0x00]), Operation::Read(&mut one)]),
            Ok(Access::ReadRegister {
                register: 0x00,
                len: 1
            })
        );
        let mut imu = [0u8; 14];
        let mut operations = [Operation::Write(&[0x3b]), Operation::Read(&mut imu)];
        match SmbusCommand::plan(&mut operations) {
            Ok(SmbusCommand::ReadI2cBlock { register, out }) => {
                assert_eq!(register, 0x3b);
                assert_eq!(out.len(), 14);
            }
            other => panic!("expected an I2C block read, got {other:?}"),
        }
        let mut max = [0u8; SMBUS_BLOCK_MAX];
        assert_eq!(
            plan_access(&mut [Operation::Write(&[0x3b]), Operation::Read(&mut max)]),
            Ok(Access::ReadRegister {
                register: 0x3b,
                len: 32
            })
        );
    }

    #[test]
    fn reads_smbus_cannot_carry() {
        let mut none: [u8; 0] = [];
        assert_eq!(
            plan_access(&mut [Operation::Write(&[0x3b]), Operation::Read(&mut none)]),
            Err(UnsupportedPattern::ReadLength { len: 0 })
        );
        let mut long = [0u8; SMBUS_BLOCK_MAX + 1];
        assert_eq!(
            plan_access(&mut [Operation::Write(&[0x3b]), Operation::Read(&mut long)]),
            Err(UnsupportedPattern::ReadLength { len: 33 })
        );
        let mut two = [0u8; 2];
        assert_eq!(
            plan_access(&mut [Operation::Write(&[0x00, 0x10]), Operation::Read(&mut two)]),
            Err(UnsupportedPattern::RegisterAddressLength { len: 2 })
        );
        assert_eq!(
            plan_access(&mut [Operation::Read(&mut two)]),
            Err(UnsupportedPattern::ReadWithoutRegister { len: 2 })
        );
        let mut one = [0u8; 1];
        assert_eq!(
            plan_access(&mut [Operation::Read(&mut one)]),
            Ok(Access::ReadByte)
        );
    }

    #[test]
    fn other_sequences_are_unsupported() {
        let mut buf = [0u8; 2];
        assert_eq!(plan_access(&mut []), Err(UnsupportedPattern::NoOperations));
        assert_eq!(
            plan_access(&mut [Operation::Read(&mut buf), Operation::Write(&[0x00])]),
            Err(UnsupportedPattern::Sequence { operations: 2 })
        );
        assert_eq!(
            plan_access(&mut [Operation::Write(&[0x00]), Operation::Write(&[0x01])]),
            Err(UnsupportedPattern::Sequence { operations: 2 })
        );
        let mut more = [0u8; 1];
        assert_eq!(
            plan_access(&mut [
                Operation::Write(&[0x00]),
                Operation::Read(&mut buf),
                Operation::Read(&mut more)
            ]),
            Err(UnsupportedPattern::Sequence { operations: 3 })
        );
    }

    #[test]
    fn access_of_falls_back_to_transfer() {
        let mut buf = [0u8; 40];
        assert_eq!(
            Access::of(&mut [Operation::Write(&[0x3b]), Operation::Read(&mut buf)]),
            Access::Transfer { operations: 2 }
        );
        assert_eq!(
            Access::of(&mut [Operation::Write(&[0x01, 0x02])]),
            Access::WriteRegister {
                register: 0x01,
                len: 1
            }
        );
    }

    #[test]
    fn accesses_read_as_driver_actions() {
        assert_eq!(
            Access::ReadRegister {
                register: 0x3b,
                len: 14
            }
            .to_string(),
            "read of 14 bytes from register 0x3b"
        );
        assert_eq!(
            Access::WriteRegister {
                register: 0x01,
                len: 1
            }
            .to_string(),
            "write of 1 byte to register 0x01"
        );
        assert_eq!(
            Access::SetPointer { register: 0x00 }.to_string(),
            "register pointer write (0x00)"
        );
    }
}
