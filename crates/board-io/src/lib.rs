//! The Linux edge of the sensor processes (`appliance-motion`,
//! `appliance-light`) on a real board: an I2C bus handle the drivers of the
//! `sensors` crate run on unchanged, and a data-ready event source for the
//! process's poll loop.
//!
//! - [`I2cBus`] opens one device on `/dev/i2c-N`, asks the adapter what it
//!   can do (`I2C_FUNCS`) and picks the transport: plain I2C
//!   (`linux-embedded-hal`'s `I2cdev`) on a real controller, SMBus
//!   ([`SmbusI2c`] over the `i2cdev` crate) on SMBus-only adapters such as
//!   the kernel's `i2c-stub` test device. It implements
//!   [`embedded_hal::i2c::I2c`]. On SMBus, only the drivers' register access
//!   patterns are carried (see [`access`]); others fail with an error saying
//!   so.
//! - Transfer errors ([`I2cError`]) are the same for both transports: they
//!   carry the bus path, the address, what was accessed and the errno, and
//!   their [`embedded_hal::i2c::ErrorKind`] comes from one table,
//!   [`error_kind_for_errno`].
//! - [`ReadySource`] is either a GPIO line's edges ([`GpioEdgeSource`],
//!   `gpio-cdev`) or a periodic timerfd ([`TimerSource`]); both are an fd to
//!   poll and a non-blocking `drain` that counts the events since the last
//!   one, so the caller sees overruns. [`GpioLine`] is how a command line
//!   names the line (`gpio:CHIP:LINE[:rising|falling]`).
//!
//! Every error names the thing (path, address, line) and says what to do,
//! e.g. `/dev/i2c-1: no such I2C bus: is the i2c-dev module loaded
//! (modprobe i2c-dev) and I2C enabled (dtparam=i2c_arm=on on a Raspberry
//! Pi)?`.
//!
//! ```no_run
//! use board_io::{Edge, I2cBus, ReadySource, SampleRate};
//!
//! let imu = I2cBus::open("/dev/i2c-1", 0x68)?;
//! eprintln!("motion: {imu}"); // "/dev/i2c-1 address 0x68 via plain I2C (I2C_RDWR)"
//! let ready = match Some(("/dev/gpiochip0", 17)) {
//!     Some((chip, line)) => ReadySource::gpio_edge(chip, line, Edge::Rising)?,
//!     None => ReadySource::timer(SampleRate::from_hz(100)?)?,
//! };
//! eprintln!("motion: data ready from {ready}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod access;
mod bus;
mod error;
mod functionality;
mod gpio_line;
mod ready;
mod smbus;
#[allow(
    unsafe_code,
    reason = "the I2C_FUNCS ioctl, behind a safe wrapper in this module"
)]
mod sys;

pub use access::{Access, UnsupportedPattern};
pub use bus::I2cBus;
pub use error::{I2cError, I2cOpenError, error_kind_for_errno};
pub use functionality::{
    AdapterFunctionality, MissingFunctions, SmbusFunction, Transport, choose_transport,
};
pub use gpio_line::{GpioLine, GpioLineError};
pub use ready::{
    Edge, GPIO_CONSUMER, GpioEdgeSource, RateError, ReadyError, ReadySource, SampleRate,
    TimerSource,
};
pub use smbus::SmbusI2c;
