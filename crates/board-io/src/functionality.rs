//! What an I2C adapter can do (the `I2C_FUNCS` bits) and which transport
//! [`I2cBus`](crate::I2cBus) picks from them.
//!
//! The decision is a pure function, [`choose_transport`], so it is tested
//! with the bit patterns real adapters report (a Raspberry Pi's bcm2835
//! controller has `I2C_FUNC_I2C`; `i2c-stub` reports `0x0c7f0000`, SMBus
//! only).

use std::fmt;

/// The functionality bits an adapter reports through the `I2C_FUNCS` ioctl
/// (`<linux/i2c.h>`, `I2C_FUNC_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AdapterFunctionality(u32);

impl AdapterFunctionality {
    /// `I2C_FUNC_I2C`: plain I2C messages (the `I2C_RDWR` ioctl).
    pub const I2C: u32 = 0x0000_0001;

    /// Wraps the value the `I2C_FUNCS` ioctl wrote (an `unsigned long`;
    /// the kernel defines bits 0..=31 only, the rest are dropped).
    #[allow(
        clippy::cast_possible_truncation,
        reason = "no functionality bit lives above bit 31"
    )]
    pub fn from_bits(bits: u64) -> Self {
        Self((bits & u64::from(u32::MAX)) as u32)
    }

    /// The raw bits, for a log line (`0x0c7f0000`).
    pub fn bits(self) -> u32 {
        self.0
    }

    /// Whether the adapter carries plain I2C messages (`I2C_FUNC_I2C`).
    pub fn has_plain_i2c(self) -> bool {
        self.0 & Self::I2C != 0
    }

    /// Whether the adapter implements one SMBus command.
    pub fn has(self, function: SmbusFunction) -> bool {
        self.0 & function.bit() != 0
    }

    /// The SMBus commands the drivers' access patterns need that this
    /// adapter lacks (empty when the SMBus transport can carry them all).
    pub fn missing_smbus(self) -> MissingFunctions {
        MissingFunctions(
            SmbusFunction::NEEDED
                .iter()
                .filter(|function| !self.has(**function))
                .fold(0, |mask, function| mask | function.bit()),
        )
    }
}

impl fmt::Display for AdapterFunctionality {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#010x}", self.0)
    }
}

/// One SMBus command the SMBus transport uses, with its `I2C_FUNC_SMBUS_*`
/// bit. Each register access pattern of the drivers maps to one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SmbusFunction {
    /// `read(buf of 1)`: receive byte.
    ReadByte,
    /// `write([reg])`: send byte, sets the register pointer.
    WriteByte,
    /// `write_read([reg], buf of 1)`: read byte data.
    ReadByteData,
    /// `write([reg, v])`: write byte data.
    WriteByteData,
    /// `write_read([reg], buf of 2..=32)`: read I2C block data.
    ReadI2cBlock,
    /// `write([reg, v0, .., vn])`, 2..=32 data bytes: write I2C block data.
    WriteI2cBlock,
}

impl SmbusFunction {
    /// Every command the SMBus transport needs, in the order errors list them.
    pub const NEEDED: [SmbusFunction; 6] = [
        SmbusFunction::ReadByte,
        SmbusFunction::WriteByte,
        SmbusFunction::ReadByteData,
        SmbusFunction::WriteByteData,
        SmbusFunction::ReadI2cBlock,
        SmbusFunction::WriteI2cBlock,
    ];

    /// The `I2C_FUNC_SMBUS_*` bit.
    pub fn bit(self) -> u32 {
        match self {
            SmbusFunction::ReadByte => 0x0002_0000,
            SmbusFunction::WriteByte => 0x0004_0000,
            SmbusFunction::ReadByteData => 0x0008_0000,
            SmbusFunction::WriteByteData => 0x0010_0000,
            SmbusFunction::ReadI2cBlock => 0x0400_0000,
            SmbusFunction::WriteI2cBlock => 0x0800_0000,
        }
    }

    /// The kernel's name for the bit, as `i2cdetect -F` prints it.
    pub fn name(self) -> &'static str {
        match self {
            SmbusFunction::ReadByte => "I2C_FUNC_SMBUS_READ_BYTE",
            SmbusFunction::WriteByte => "I2C_FUNC_SMBUS_WRITE_BYTE",
            SmbusFunction::ReadByteData => "I2C_FUNC_SMBUS_READ_BYTE_DATA",
            SmbusFunction::WriteByteData => "I2C_FUNC_SMBUS_WRITE_BYTE_DATA",
            SmbusFunction::ReadI2cBlock => "I2C_FUNC_SMBUS_READ_I2C_BLOCK",
            SmbusFunction::WriteI2cBlock => "I2C_FUNC_SMBUS_WRITE_I2C_BLOCK",
        }
    }
}

/// The SMBus commands an adapter lacks, listed by kernel name when shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MissingFunctions(u32);

impl MissingFunctions {
    /// Whether nothing is missing.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether this command is among the missing ones.
    pub fn contains(self, function: SmbusFunction) -> bool {
        self.0 & function.bit() != 0
    }

    /// The missing commands, in [`SmbusFunction::NEEDED`] order.
    pub fn iter(self) -> impl Iterator<Item = SmbusFunction> {
        SmbusFunction::NEEDED
            .into_iter()
            .filter(move |function| self.contains(*function))
    }
}

impl fmt::Display for MissingFunctions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, function) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(function.name())?;
        }
        Ok(())
    }
}

/// How [`I2cBus`](crate::I2cBus) talks to the adapter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    /// Plain I2C messages through `I2C_RDWR`: `linux-embedded-hal`'s `I2cdev`.
    PlainI2c,
    /// SMBus commands through `I2C_SMBUS`: the `i2cdev` crate's
    /// `LinuxI2CDevice`, wrapped in [`SmbusI2c`](crate::SmbusI2c).
    Smbus,
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Transport::PlainI2c => "plain I2C (I2C_RDWR)",
            Transport::Smbus => "SMBus (I2C_SMBUS)",
        })
    }
}

/// Picks the transport for an adapter: plain I2C when it has
/// `I2C_FUNC_I2C` (it can then carry any access, and SMBus would only be
/// emulated on top of it), else SMBus when it implements every command in
/// [`SmbusFunction::NEEDED`], else the commands it lacks.
pub fn choose_transport(
    functionality: AdapterFunctionality,
) -> Result<Transport, MissingFunctions> {
    if functionality.has_plain_i2c() {
        return Ok(Transport::PlainI2c);
    }
    let missing = functionality.missing_smbus();
    if missing.is_empty() {
        Ok(Transport::Smbus)
    } else {
        Err(missing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `i2c-stub` reports (measured under QEMU, see the lab notes):
    /// quick, byte, byte data, word data, I2C block; no plain I2C.
    const I2C_STUB: u64 = 0x0c7f_0000;
    /// What i2c-bcm2835 (Raspberry Pi) reports: I2C plus SMBus emulation.
    const BCM2835: u64 = 0x0eff_0009;

    #[test]
    fn plain_i2c_wins_whenever_the_adapter_has_it() {
        let bcm = AdapterFunctionality::from_bits(BCM2835);
        assert!(bcm.has_plain_i2c());
        assert_eq!(choose_transport(bcm), Ok(Transport::PlainI2c));
        // Even with no SMBus command at all.
        let bare = AdapterFunctionality::from_bits(0x1);
        assert_eq!(choose_transport(bare), Ok(Transport::PlainI2c));
    }

    #[test]
    fn i2c_stub_gets_the_smbus_transport() {
        let stub = AdapterFunctionality::from_bits(I2C_STUB);
        assert!(!stub.has_plain_i2c());
        for function in SmbusFunction::NEEDED {
            assert!(stub.has(function), "{function:?}");
        }
        assert!(stub.missing_smbus().is_empty());
        assert_eq!(choose_transport(stub), Ok(Transport::Smbus));
    }

    #[test]
    fn each_missing_smbus_command_is_reported_by_name() {
        for function in SmbusFunction::NEEDED {
            let bits = I2C_STUB & !u64::from(function.bit());
            let missing = choose_transport(AdapterFunctionality::from_bits(bits))
                .expect_err("a needed command is missing");
            assert_eq!(missing.iter().collect::<Vec<_>>(), vec![function]);
            assert_eq!(missing.to_string(), function.name());
        }
    }

    #[test]
    fn an_adapter_without_block_transfers_lists_both() {
        // Byte and word commands only (i2c-stub loaded with functionality=0x7f0000).
        let missing = choose_transport(AdapterFunctionality::from_bits(0x007f_0000))
            .expect_err("no I2C block commands");
        assert_eq!(
            missing.to_string(),
            "I2C_FUNC_SMBUS_READ_I2C_BLOCK, I2C_FUNC_SMBUS_WRITE_I2C_BLOCK"
        );
        let nothing =
            choose_transport(AdapterFunctionality::from_bits(0)).expect_err("nothing at all");
        assert_eq!(nothing.iter().count(), SmbusFunction::NEEDED.len());
    }

    #[test]
    fn bits_above_31_are_ignored_and_display_is_hex() {
        let funcs = AdapterFunctionality::from_bits(0xffff_ffff_0000_0000 | I2C_STUB);
        assert_eq!(funcs.bits(), 0x0c7f_0000);
        assert_eq!(funcs.to_string(), "0x0c7f0000");
    }

    #[test]
    fn bits_match_linux_i2c_h() {
        // <linux/i2c.h>: the composite SMBus groups are unions of these.
        let byte = SmbusFunction::ReadByte.bit() | SmbusFunction::WriteByte.bit();
        let byte_data = SmbusFunction::ReadByteData.bit() | SmbusFunction::WriteByteData.bit();
        let i2c_block = SmbusFunction::ReadI2cBlock.bit() | SmbusFunction::WriteI2cBlock.bit();
        assert_eq!(byte, 0x0006_0000); // I2C_FUNC_SMBUS_BYTE
        assert_eq!(byte_data, 0x0018_0000); // I2C_FUNC_SMBUS_BYTE_DATA
        assert_eq!(i2c_block, 0x0c00_0000); // I2C_FUNC_SMBUS_I2C_BLOCK
    }
}
