//! The one ioctl this crate makes itself: `I2C_FUNCS`, which neither
//! `i2cdev` nor `linux-embedded-hal` exposes. A safe wrapper around nix's
//! generated call.

use std::os::fd::{AsRawFd, BorrowedFd};

use nix::errno::Errno;

/// `I2C_FUNCS` from `<linux/i2c-dev.h>`: a "bad" ioctl number (no
/// direction/size encoding) that writes one `unsigned long`.
const I2C_FUNCS: u16 = 0x0705;

mod ffi {
    nix::ioctl_read_bad!(i2c_funcs, super::I2C_FUNCS, nix::libc::c_ulong);
}

/// Reads an I2C adapter's functionality bits from an open i2c-dev node.
/// Fails with the ioctl's errno (`ENOTTY` for a file that is not one).
pub(crate) fn adapter_functionality(bus: BorrowedFd<'_>) -> Result<u64, Errno> {
    let mut bits: nix::libc::c_ulong = 0;
    // SAFETY: I2C_FUNCS writes one `unsigned long` through the pointer, which
    // points at `bits`, a live, writable c_ulong for the whole call; `bus`
    // is an open fd borrowed for the duration of the call.
    unsafe { ffi::i2c_funcs(bus.as_raw_fd(), &mut bits) }?;
    #[allow(
        clippy::useless_conversion,
        reason = "c_ulong is u32 on 32-bit ARM, u64 on aarch64"
    )]
    Ok(u64::from(bits))
}
