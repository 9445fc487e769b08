//! [`SmbusI2c`]: `embedded_hal::i2c::I2c` over SMBus commands, for adapters
//! without plain I2C (`i2c-stub`, some SMBus host controllers).

use std::io;
use std::path::Path;
use std::sync::Arc;

use embedded_hal::i2c::{ErrorType, I2c, Operation, SevenBitAddress};
use i2cdev::core::I2CDevice;

use crate::access::{Access, SmbusCommand, block_len};
use crate::error::I2cError;
use crate::functionality::Transport;

/// An `embedded_hal` I2C bus carried by SMBus commands, bound to one device
/// address: the drivers' register access patterns (see [`crate::access`])
/// each become one SMBus command; any other pattern fails with
/// [`I2cError::Unsupported`] (kind `Other`) before touching the bus.
///
/// `D` is the device: `i2cdev::linux::LinuxI2CDevice` on a board (what
/// [`I2cBus`](crate::I2cBus) uses), or a fake in tests. Its errors convert
/// to [`io::Error`], which keeps the errno for
/// [`error_kind_for_errno`](crate::error_kind_for_errno).
///
/// ```
/// use board_io::SmbusI2c;
/// use embedded_hal::i2c::I2c;
/// use i2cdev::mock::MockI2CDevice;
///
/// let mut device = MockI2CDevice::new();
/// device.regmap.write_regs(0x75, &[0x68]); // MPU-6050 WHO_AM_I
/// let mut bus = SmbusI2c::new(device, "/dev/i2c-0", 0x68);
/// let mut who_am_i = [0u8];
/// bus.write_read(0x68, &[0x75], &mut who_am_i)?; // SMBus read byte data
/// assert_eq!(who_am_i, [0x68]);
/// # Ok::<(), board_io::I2cError>(())
/// ```
#[derive(Debug)]
pub struct SmbusI2c<D> {
    device: D,
    path: Arc<Path>,
    address: u8,
}

impl<D> SmbusI2c<D>
where
    D: I2CDevice,
    D::Error: Into<io::Error>,
{
    /// Wraps a device already opened for `address` on the bus at `path`
    /// (the path only names the bus in errors).
    pub fn new(device: D, path: impl AsRef<Path>, address: u8) -> Self {
        Self::with_shared_path(device, Arc::from(path.as_ref()), address)
    }

    pub(crate) fn with_shared_path(device: D, path: Arc<Path>, address: u8) -> Self {
        Self {
            device,
            path,
            address,
        }
    }

    /// The address this handle talks to.
    pub fn address(&self) -> u8 {
        self.address
    }

    /// The bus device path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Gives the device back.
    pub fn into_inner(self) -> D {
        self.device
    }

    fn run(&mut self, command: SmbusCommand<'_>) -> Result<(), I2cError> {
        let access = command.access();
        let result = match command {
            SmbusCommand::WriteByte { register } => self.device.smbus_write_byte(register),
            SmbusCommand::WriteByteData { register, value } => {
                self.device.smbus_write_byte_data(register, value)
            }
            SmbusCommand::WriteI2cBlock { register, data } => {
                self.device.smbus_write_i2c_block_data(register, data)
            }
            SmbusCommand::ReadByte { out } => self.device.smbus_read_byte().map(|byte| *out = byte),
            SmbusCommand::ReadByteData { register, out } => self
                .device
                .smbus_read_byte_data(register)
                .map(|byte| *out = byte),
            SmbusCommand::ReadI2cBlock { register, out } => {
                let block = self
                    .device
                    .smbus_read_i2c_block_data(register, block_len(out.len()))
                    .map_err(|error| self.transfer_error(access, error))?;
                // The kernel may return fewer bytes than asked; a driver
                // must never see stale buffer bytes as data.
                if block.len() != out.len() {
                    return Err(I2cError::ShortRead {
                        path: Arc::clone(&self.path),
                        address: self.address,
                        access,
                        got: block.len(),
                    });
                }
                out.copy_from_slice(&block);
                Ok(())
            }
        };
        result.map_err(|error| self.transfer_error(access, error))
    }

    fn transfer_error(&self, access: Access, error: D::Error) -> I2cError {
        I2cError::Transfer {
            path: Arc::clone(&self.path),
            address: self.address,
            transport: Transport::Smbus,
            access,
            source: error.into(),
        }
    }
}

impl<D> ErrorType for SmbusI2c<D> {
    type Error = I2cError;
}

impl<D> I2c<SevenBitAddress> for SmbusI2c<D>
where
    D: I2CDevice,
    D::Error: Into<io::Error>,
{
    fn transaction(
        &mut self,
        address: SevenBitAddress,
        operations: &mut [Operation<'_>],
    ) -> Result<(), I2cError> {
        if address != self.address {
            return Err(I2cError::WrongAddress {
                path: Arc::clone(&self.path),
                bound: self.address,
                requested: address,
            });
        }
        let command = SmbusCommand::plan(operations).map_err(|pattern| I2cError::Unsupported {
            path: Arc::clone(&self.path),
            address,
            pattern,
        })?;
        self.run(command)
    }
}
