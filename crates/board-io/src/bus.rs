//! [`I2cBus`]: one device on a Linux I2C bus, over the transport the
//! adapter supports.

use std::fmt;
use std::fs::{self, OpenOptions};
use std::io;
use std::os::fd::AsFd;
use std::path::Path;
use std::sync::Arc;

use embedded_hal::i2c::{ErrorType, I2c, Operation, SevenBitAddress};
use i2cdev::linux::{LinuxI2CDevice, LinuxI2CError};
use linux_embedded_hal::{I2CError as LehI2cError, I2cdev};

use crate::access::Access;
use crate::error::{I2cError, I2cOpenError};
use crate::functionality::{AdapterFunctionality, Transport, choose_transport};
use crate::smbus::SmbusI2c;
use crate::sys;

/// One I2C device on a Linux bus (`/dev/i2c-N`, one address), usable by any
/// driver generic over [`embedded_hal::i2c::I2c`].
///
/// [`I2cBus::open`] reads what the adapter can do (`I2C_FUNCS`) and picks
/// the transport: plain I2C (`linux-embedded-hal`'s `I2cdev`, the
/// `I2C_RDWR` ioctl) when the adapter has `I2C_FUNC_I2C`, otherwise SMBus
/// ([`SmbusI2c`] over `i2cdev`'s `LinuxI2CDevice`) when it has the SMBus
/// commands the drivers' access patterns need. Both give the same
/// [`I2cError`]. Calls must name the address the bus was opened for.
///
/// ```no_run
/// use board_io::I2cBus;
/// use embedded_hal::i2c::I2c;
///
/// let mut imu = I2cBus::open("/dev/i2c-1", 0x68)?;
/// eprintln!("motion: {imu}"); // "/dev/i2c-1 address 0x68 via plain I2C (I2C_RDWR)"
/// let mut who_am_i = [0u8];
/// imu.write_read(0x68, &[0x75], &mut who_am_i)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct I2cBus {
    path: Arc<Path>,
    address: u8,
    functionality: AdapterFunctionality,
    link: Link,
}

enum Link {
    PlainI2c(I2cdev),
    Smbus(SmbusI2c<LinuxI2CDevice>),
}

impl fmt::Debug for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // I2cdev has no Debug; the transport is what matters here.
        f.write_str(match self {
            Link::PlainI2c(_) => "PlainI2c",
            Link::Smbus(_) => "Smbus",
        })
    }
}

impl I2cBus {
    /// Opens the device at 7-bit `address` on the bus at `path`, choosing
    /// the transport from the adapter's functionality.
    ///
    /// Fails with an [`I2cOpenError`] that says what to do: a missing node
    /// (i2c-dev not loaded, I2C not enabled), no permission, a path that is
    /// not an I2C bus, an adapter with neither plain I2C nor the SMBus
    /// commands needed (named, with what it lacks), an address owned by a
    /// kernel driver.
    pub fn open(path: impl AsRef<Path>, address: u8) -> Result<Self, I2cOpenError> {
        let path: Arc<Path> = Arc::from(path.as_ref());
        if address > 0x7f {
            return Err(I2cOpenError::InvalidAddress { path, address });
        }
        let functionality = probe_functionality(&path)?;
        let transport =
            choose_transport(functionality).map_err(|missing| I2cOpenError::NoUsableTransport {
                adapter: adapter_name(&path),
                path: Arc::clone(&path),
                functionality,
                missing,
            })?;
        let select_error = |error: LinuxI2CError| {
            I2cOpenError::from_select(Arc::clone(&path), address, error.into())
        };
        let link = match transport {
            Transport::PlainI2c => {
                let mut device = I2cdev::new(&path).map_err(select_error)?;
                // Select the address now so a kernel driver owning it fails
                // here (EBUSY), not at the first transfer. I2cdev reopens the
                // node with this address on its first transfer.
                device
                    .set_slave_address(u16::from(address))
                    .map_err(select_error)?;
                Link::PlainI2c(device)
            }
            Transport::Smbus => {
                let device =
                    LinuxI2CDevice::new(&path, u16::from(address)).map_err(select_error)?;
                Link::Smbus(SmbusI2c::with_shared_path(
                    device,
                    Arc::clone(&path),
                    address,
                ))
            }
        };
        Ok(Self {
            path,
            address,
            functionality,
            link,
        })
    }

    /// The transport [`open`](Self::open) chose.
    pub fn transport(&self) -> Transport {
        match self.link {
            Link::PlainI2c(_) => Transport::PlainI2c,
            Link::Smbus(_) => Transport::Smbus,
        }
    }

    /// What the adapter reported through `I2C_FUNCS`.
    pub fn functionality(&self) -> AdapterFunctionality {
        self.functionality
    }

    /// The bus device path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The device address this handle talks to.
    pub fn address(&self) -> u8 {
        self.address
    }
}

/// `/dev/i2c-1 address 0x68 via plain I2C (I2C_RDWR)`, for a log line.
impl fmt::Display for I2cBus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} address {:#04x} via {}",
            self.path.display(),
            self.address,
            self.transport()
        )
    }
}

impl ErrorType for I2cBus {
    type Error = I2cError;
}

impl I2c<SevenBitAddress> for I2cBus {
    fn transaction(
        &mut self,
        address: SevenBitAddress,
        operations: &mut [Operation<'_>],
    ) -> Result<(), I2cError> {
        match &mut self.link {
            Link::Smbus(smbus) => smbus.transaction(address, operations),
            Link::PlainI2c(device) => {
                if address != self.address {
                    return Err(I2cError::WrongAddress {
                        path: Arc::clone(&self.path),
                        bound: self.address,
                        requested: address,
                    });
                }
                I2c::<SevenBitAddress>::transaction(device, address, operations).map_err(|error| {
                    I2cError::Transfer {
                        path: Arc::clone(&self.path),
                        address,
                        transport: Transport::PlainI2c,
                        access: Access::of(operations),
                        source: io_error_of(&error),
                    }
                })
            }
        }
    }
}

/// Opens the node once to ask the adapter what it can do.
fn probe_functionality(path: &Arc<Path>) -> Result<AdapterFunctionality, I2cOpenError> {
    let node = OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(|error| I2cOpenError::from_open(Arc::clone(path), error))?;
    let bits =
        sys::adapter_functionality(node.as_fd()).map_err(|errno| I2cOpenError::NotAnI2cBus {
            path: Arc::clone(path),
            errno,
        })?;
    Ok(AdapterFunctionality::from_bits(bits))
}

/// The adapter's name from sysfs (`/sys/class/i2c-dev/i2c-N/name`), for
/// error messages; `None` when it cannot be read.
fn adapter_name(path: &Path) -> Option<String> {
    let node = fs::canonicalize(path).ok()?;
    let name = node.file_name()?;
    let sysfs = Path::new("/sys/class/i2c-dev").join(name).join("name");
    let text = fs::read_to_string(sysfs).ok()?;
    Some(text.trim().to_owned())
}

/// The errno-carrying `io::Error` behind linux-embedded-hal's error, so its
/// failures go through our errno table like the SMBus ones.
fn io_error_of(error: &LehI2cError) -> io::Error {
    match error.inner() {
        LinuxI2CError::Errno(errno) => io::Error::from_raw_os_error(*errno),
        LinuxI2CError::Io(inner) => match inner.raw_os_error() {
            Some(errno) => io::Error::from_raw_os_error(errno),
            None => io::Error::new(inner.kind(), inner.to_string()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use embedded_hal::i2c::{Error as _, ErrorKind, NoAcknowledgeSource};
    use nix::errno::Errno;

    #[test]
    fn linux_embedded_hal_errors_keep_their_errno() {
        let errno = LehI2cError::from(LinuxI2CError::Errno(Errno::EREMOTEIO as i32));
        assert_eq!(
            io_error_of(&errno).raw_os_error(),
            Some(Errno::EREMOTEIO as i32)
        );
        let io = LehI2cError::from(LinuxI2CError::Io(io::Error::from_raw_os_error(
            Errno::ETIMEDOUT as i32,
        )));
        assert_eq!(
            io_error_of(&io).raw_os_error(),
            Some(Errno::ETIMEDOUT as i32)
        );
        let plain = LehI2cError::from(LinuxI2CError::Io(io::Error::other("gone")));
        assert_eq!(io_error_of(&plain).raw_os_error(), None);
        assert_eq!(io_error_of(&plain).to_string(), "gone");
    }

    #[test]
    fn both_transports_give_one_kind_for_one_errno() {
        // linux-embedded-hal alone calls ENODEV a data NACK; wrapped, it is
        // the same Unknown NACK the SMBus transport reports.
        let leh = LehI2cError::from(LinuxI2CError::Errno(Errno::ENODEV as i32));
        assert_eq!(
            leh.kind(),
            ErrorKind::NoAcknowledge(NoAcknowledgeSource::Data)
        );
        let wrapped = I2cError::Transfer {
            path: Arc::from(Path::new("/dev/i2c-0")),
            address: 0x10,
            transport: Transport::PlainI2c,
            access: Access::ReadByte,
            source: io_error_of(&leh),
        };
        assert_eq!(
            wrapped.kind(),
            ErrorKind::NoAcknowledge(NoAcknowledgeSource::Unknown)
        );
    }
}
