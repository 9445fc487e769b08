//! Errors of the I2C side: [`I2cError`] for transfers (both transports, one
//! type), [`I2cOpenError`] for [`I2cBus::open`](crate::I2cBus::open), and
//! the errno table [`error_kind_for_errno`].

use std::io;
use std::path::Path;
use std::sync::Arc;

use embedded_hal::i2c::{ErrorKind, NoAcknowledgeSource};
use nix::errno::Errno;

use crate::access::{Access, UnsupportedPattern};
use crate::functionality::{AdapterFunctionality, MissingFunctions, Transport};

/// Maps an errno from an I2C transfer to an [`ErrorKind`], for both
/// transports. The one table:
///
/// | errno | kind | who returns it |
/// |---|---|---|
/// | `ENXIO` | `NoAcknowledge(Unknown)` | adapters, for an address NACK (kernel `Documentation/i2c/fault-codes.rst`) |
/// | `EREMOTEIO` | `NoAcknowledge(Unknown)` | many bus drivers for any NACK: i2c-bcm2835 (Raspberry Pi), i2c-designware, i2c-imx |
/// | `ENODEV` | `NoAcknowledge(Unknown)` | `i2c-stub`, for an address with no chip (its `stub_xfer`) |
/// | `EAGAIN` | `ArbitrationLoss` | adapters that lost arbitration (fault-codes.rst) |
/// | `EIO`, `EPROTO` | `Bus` | generic bus failure; a device that broke the protocol |
/// | `ETIMEDOUT` and every other errno | `Other` | clock stretching too long, SCL stuck, `EOPNOTSUPP`, ... |
///
/// `Unknown` because neither errno tells the address phase from the data
/// phase. `linux-embedded-hal` has its own, different table (`ENODEV` as a
/// data NACK, `EBUSY` and `EINVAL` as `Bus`); [`I2cBus`](crate::I2cBus)
/// wraps its errors so that both transports answer from this one.
pub fn error_kind_for_errno(errno: Errno) -> ErrorKind {
    match errno {
        Errno::ENXIO | Errno::EREMOTEIO | Errno::ENODEV => {
            ErrorKind::NoAcknowledge(NoAcknowledgeSource::Unknown)
        }
        Errno::EAGAIN => ErrorKind::ArbitrationLoss,
        Errno::EIO | Errno::EPROTO => ErrorKind::Bus,
        _ => ErrorKind::Other,
    }
}

/// What to check after a failed transfer, by kind; empty when there is
/// nothing more specific to say than the errno.
fn transfer_hint(source: &io::Error) -> &'static str {
    match source
        .raw_os_error()
        .map(|raw| error_kind_for_errno(Errno::from_raw(raw)))
    {
        Some(ErrorKind::NoAcknowledge(_)) => {
            ": no device acknowledged: check the wiring, the power and the address (i2cdetect -y BUS)"
        }
        Some(ErrorKind::ArbitrationLoss) => ": arbitration lost: another master is driving the bus",
        Some(ErrorKind::Bus) => ": bus error: check the wiring and the pull-up resistors",
        _ => "",
    }
}

/// Why an I2C transfer failed, with the bus device path and the address;
/// one type for both transports. Implements [`embedded_hal::i2c::Error`]
/// (the kind follows [`error_kind_for_errno`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum I2cError {
    /// The kernel refused the transfer; `source` carries the errno.
    #[error(
        "{} address {address:#04x} ({transport}): {access} failed: {source}{}",
        path.display(),
        transfer_hint(source)
    )]
    Transfer {
        /// The bus device, e.g. `/dev/i2c-1`.
        path: Arc<Path>,
        /// The 7-bit device address.
        address: u8,
        /// The transport that made the transfer.
        transport: Transport,
        /// What the driver asked for.
        access: Access,
        /// The error from the transfer (an OS error with an errno when it
        /// came from the kernel).
        source: io::Error,
    },
    /// The SMBus transport cannot express this operation sequence.
    #[error(
        "{} address {address:#04x}: {pattern} is not supported by an SMBus-only adapter: \
         drivers must use register writes of 0..=32 data bytes and register reads of 1..=32 bytes, \
         or the board needs an adapter with plain I2C (I2C_FUNC_I2C)",
        path.display()
    )]
    Unsupported {
        /// The bus device.
        path: Arc<Path>,
        /// The 7-bit device address.
        address: u8,
        /// The sequence that was asked for.
        pattern: UnsupportedPattern,
    },
    /// A call named another address than the one the handle was opened for.
    #[error(
        "{} address {requested:#04x}: this handle is bound to address {bound:#04x}: \
         open one handle per device",
        path.display()
    )]
    WrongAddress {
        /// The bus device.
        path: Arc<Path>,
        /// The address the handle was opened for.
        bound: u8,
        /// The address the call named.
        requested: u8,
    },
    /// An SMBus block read returned another number of bytes than asked for.
    #[error(
        "{} address {address:#04x}: {access} returned {got} bytes: the adapter ended the block early",
        path.display()
    )]
    ShortRead {
        /// The bus device.
        path: Arc<Path>,
        /// The 7-bit device address.
        address: u8,
        /// The read that came back short.
        access: Access,
        /// How many bytes came back.
        got: usize,
    },
}

impl I2cError {
    /// The bus device path the error happened on.
    pub fn path(&self) -> &Path {
        match self {
            I2cError::Transfer { path, .. }
            | I2cError::Unsupported { path, .. }
            | I2cError::WrongAddress { path, .. }
            | I2cError::ShortRead { path, .. } => path,
        }
    }

    /// The errno of a failed transfer, when the kernel gave one.
    pub fn errno(&self) -> Option<Errno> {
        match self {
            I2cError::Transfer { source, .. } => source.raw_os_error().map(Errno::from_raw),
            _ => None,
        }
    }
}

impl embedded_hal::i2c::Error for I2cError {
    fn kind(&self) -> ErrorKind {
        self.errno().map_or(ErrorKind::Other, error_kind_for_errno)
    }
}

/// Why [`I2cBus::open`](crate::I2cBus::open) failed; each message names
/// the bus and says what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum I2cOpenError {
    /// The address does not fit in 7 bits.
    #[error(
        "{} address {address:#04x}: not a 7-bit I2C address: use the address i2cdetect shows (0x03..=0x77)",
        path.display()
    )]
    InvalidAddress {
        /// The bus device.
        path: Arc<Path>,
        /// The address given.
        address: u8,
    },
    /// No such device node, or no driver behind it.
    #[error(
        "{}: no such I2C bus: is the i2c-dev module loaded (modprobe i2c-dev) and I2C enabled \
         (dtparam=i2c_arm=on on a Raspberry Pi)?",
        path.display()
    )]
    NoSuchBus {
        /// The bus device.
        path: Arc<Path>,
    },
    /// The process may not open the device node.
    #[error(
        "{}: permission denied: run as root or add the user to the i2c group",
        path.display()
    )]
    PermissionDenied {
        /// The bus device.
        path: Arc<Path>,
    },
    /// Opening the device node failed otherwise.
    #[error("{}: cannot open the I2C bus: {source}", path.display())]
    Open {
        /// The bus device.
        path: Arc<Path>,
        /// The error from `open(2)`.
        source: io::Error,
    },
    /// The path opened but is not an i2c-dev node (`I2C_FUNCS` failed).
    #[error(
        "{}: not an I2C bus (the I2C_FUNCS ioctl failed: {errno}): use an i2c-dev node such as \
         /dev/i2c-1 (i2cdetect -l lists them)",
        path.display()
    )]
    NotAnI2cBus {
        /// The path given.
        path: Arc<Path>,
        /// The errno of the ioctl (`ENOTTY` for most other files).
        errno: Errno,
    },
    /// The adapter has neither plain I2C nor the SMBus commands needed.
    #[error(
        "{} (adapter {}, functionality {functionality}): it has neither plain I2C (I2C_FUNC_I2C) \
         nor the SMBus commands the drivers need; it lacks {missing}: put the sensor on a bus \
         with plain I2C (e.g. the SoC's controller or i2c-gpio)",
        path.display(),
        adapter.as_deref().unwrap_or("of unknown name")
    )]
    NoUsableTransport {
        /// The bus device.
        path: Arc<Path>,
        /// The adapter's name from sysfs, when it could be read.
        adapter: Option<String>,
        /// What the adapter reported.
        functionality: AdapterFunctionality,
        /// The SMBus commands it lacks.
        missing: MissingFunctions,
    },
    /// A kernel driver owns the address (`EBUSY` from `I2C_SLAVE`).
    #[error(
        "{} address {address:#04x}: in use by a kernel driver: unbind it \
         (/sys/bus/i2c/devices/*-00{address:02x}/driver/unbind) or remove the device-tree \
         overlay that binds it",
        path.display()
    )]
    AddressBusy {
        /// The bus device.
        path: Arc<Path>,
        /// The address.
        address: u8,
    },
    /// Selecting the device address failed otherwise.
    #[error("{} address {address:#04x}: cannot select the device: {source}", path.display())]
    SelectDevice {
        /// The bus device.
        path: Arc<Path>,
        /// The address.
        address: u8,
        /// The error from opening the transport.
        source: io::Error,
    },
}

impl I2cOpenError {
    /// Classifies an error from `open(2)` on the bus device node.
    pub(crate) fn from_open(path: Arc<Path>, source: io::Error) -> Self {
        match source.raw_os_error().map(Errno::from_raw) {
            // ENODEV/ENXIO: the node exists but no adapter is behind it.
            Some(Errno::ENOENT | Errno::ENODEV | Errno::ENXIO) => I2cOpenError::NoSuchBus { path },
            Some(Errno::EACCES | Errno::EPERM) => I2cOpenError::PermissionDenied { path },
            _ => I2cOpenError::Open { path, source },
        }
    }

    /// Classifies an error from opening a transport for one address (the
    /// node was already opened once, so this is the `I2C_SLAVE` ioctl or a
    /// race with the node going away).
    pub(crate) fn from_select(path: Arc<Path>, address: u8, source: io::Error) -> Self {
        match source.raw_os_error().map(Errno::from_raw) {
            Some(Errno::EBUSY) => I2cOpenError::AddressBusy { path, address },
            Some(Errno::ENOENT | Errno::ENODEV | Errno::ENXIO | Errno::EACCES | Errno::EPERM) => {
                Self::from_open(path, source)
            }
            _ => I2cOpenError::SelectDevice {
                path,
                address,
                source,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use embedded_hal::i2c::Error as _;

    fn path() -> Arc<Path> {
        Arc::from(Path::new("/dev/i2c-1"))
    }

    #[test]
    fn errno_table() {
        let nack = ErrorKind::NoAcknowledge(NoAcknowledgeSource::Unknown);
        let table = [
            (Errno::ENXIO, nack),
            (Errno::EREMOTEIO, nack),
            (Errno::ENODEV, nack),
            (Errno::EAGAIN, ErrorKind::ArbitrationLoss),
            (Errno::EIO, ErrorKind::Bus),
            (Errno::EPROTO, ErrorKind::Bus),
            (Errno::ETIMEDOUT, ErrorKind::Other),
            (Errno::EOPNOTSUPP, ErrorKind::Other),
            (Errno::EBUSY, ErrorKind::Other),
            (Errno::EINVAL, ErrorKind::Other),
            (Errno::EBADMSG, ErrorKind::Other),
        ];
        for (errno, kind) in table {
            assert_eq!(error_kind_for_errno(errno), kind, "{errno}");
        }
    }

    #[test]
    fn transfer_error_carries_path_address_errno_and_kind() {
        let error = I2cError::Transfer {
            path: path(),
            address: 0x68,
            transport: Transport::Smbus,
            access: Access::ReadRegister {
                register: 0x3b,
                len: 14,
            },
            source: io::Error::from_raw_os_error(Errno::EREMOTEIO as i32),
        };
        assert_eq!(error.errno(), Some(Errno::EREMOTEIO));
        assert_eq!(error.path(), Path::new("/dev/i2c-1"));
        assert_eq!(
            error.kind(),
            ErrorKind::NoAcknowledge(NoAcknowledgeSource::Unknown)
        );
        let text = error.to_string();
        assert!(
            text.starts_with(
                "/dev/i2c-1 address 0x68 (SMBus (I2C_SMBUS)): read of 14 bytes from register 0x3b failed: "
            ),
            "{text}"
        );
        assert!(text.contains("check the wiring"), "{text}");
    }

    #[test]
    fn an_error_without_errno_is_other() {
        let error = I2cError::Transfer {
            path: path(),
            address: 0x48,
            transport: Transport::PlainI2c,
            access: Access::ReadByte,
            source: io::Error::other("mock failure"),
        };
        assert_eq!(error.errno(), None);
        assert_eq!(error.kind(), ErrorKind::Other);
        assert!(!error.to_string().contains("check"), "{error}");
    }

    #[test]
    fn unsupported_says_smbus_only() {
        let error = I2cError::Unsupported {
            path: path(),
            address: 0x48,
            pattern: UnsupportedPattern::ReadWithoutRegister { len: 2 },
        };
        assert_eq!(error.kind(), ErrorKind::Other);
        let text = error.to_string();
        assert!(
            text.starts_with(
                "/dev/i2c-1 address 0x48: a read of 2 bytes without a register write first \
                 is not supported by an SMBus-only adapter"
            ),
            "{text}"
        );
    }

    #[test]
    fn open_errors_are_classified_by_errno() {
        let enoent = io::Error::from_raw_os_error(Errno::ENOENT as i32);
        let missing = I2cOpenError::from_open(path(), enoent);
        assert!(matches!(missing, I2cOpenError::NoSuchBus { .. }));
        assert_eq!(
            missing.to_string(),
            "/dev/i2c-1: no such I2C bus: is the i2c-dev module loaded (modprobe i2c-dev) and \
             I2C enabled (dtparam=i2c_arm=on on a Raspberry Pi)?"
        );

        let eacces = io::Error::from_raw_os_error(Errno::EACCES as i32);
        let denied = I2cOpenError::from_open(path(), eacces);
        assert_eq!(
            denied.to_string(),
            "/dev/i2c-1: permission denied: run as root or add the user to the i2c group"
        );

        let eio = io::Error::from_raw_os_error(Errno::EIO as i32);
        assert!(matches!(
            I2cOpenError::from_open(path(), eio),
            I2cOpenError::Open { .. }
        ));
    }

    #[test]
    fn select_errors_name_a_busy_address() {
        let ebusy = io::Error::from_raw_os_error(Errno::EBUSY as i32);
        let busy = I2cOpenError::from_select(path(), 0x48, ebusy);
        assert!(matches!(
            busy,
            I2cOpenError::AddressBusy { address: 0x48, .. }
        ));
        assert!(
            busy.to_string().contains(
                "in use by a kernel driver: unbind it (/sys/bus/i2c/devices/*-0048/driver/unbind)"
            ),
            "{busy}"
        );
        let eacces = io::Error::from_raw_os_error(Errno::EACCES as i32);
        assert!(matches!(
            I2cOpenError::from_select(path(), 0x48, eacces),
            I2cOpenError::PermissionDenied { .. }
        ));
        let einval = io::Error::from_raw_os_error(Errno::EINVAL as i32);
        assert!(matches!(
            I2cOpenError::from_select(path(), 0x48, einval),
            I2cOpenError::SelectDevice { .. }
        ));
    }

    #[test]
    fn no_usable_transport_names_adapter_and_what_it_lacks() {
        let functionality = AdapterFunctionality::from_bits(0x007f_0000);
        let error = I2cOpenError::NoUsableTransport {
            path: Arc::from(Path::new("/dev/i2c-5")),
            adapter: Some("SMBus stub driver".to_owned()),
            functionality,
            missing: functionality.missing_smbus(),
        };
        assert_eq!(
            error.to_string(),
            "/dev/i2c-5 (adapter SMBus stub driver, functionality 0x007f0000): it has neither \
             plain I2C (I2C_FUNC_I2C) nor the SMBus commands the drivers need; it lacks \
             I2C_FUNC_SMBUS_READ_I2C_BLOCK, I2C_FUNC_SMBUS_WRITE_I2C_BLOCK: put the sensor on \
             a bus with plain I2C (e.g. the SoC's controller or i2c-gpio)"
        );
    }
}
