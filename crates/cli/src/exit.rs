//! Exit codes. The programs of the workspace exit with the codes of BSD's
//! `sysexits.h`, which say what kind of thing failed, and 1 (C's
//! `EXIT_FAILURE`) where none of them fits. Only the codes in use are
//! here.

/// Success (`EX_OK`).
pub const EX_OK: u8 = 0;
/// A failure none of the codes below describes (C's `EXIT_FAILURE`).
pub const EXIT_FAILURE: u8 = 1;
/// The command line is wrong: an unknown flag, a bad value, a bad pipe
/// end (`EX_USAGE`).
pub const EX_USAGE: u8 = 64;
/// An input file does not exist or cannot be read (`EX_NOINPUT`).
pub const EX_NOINPUT: u8 = 66;
/// A service the program needs is not there: the device is absent or is
/// not the part named (`EX_UNAVAILABLE`).
pub const EX_UNAVAILABLE: u8 = 69;
/// A system call failed: fork, signalfd, timerfd, poll (`EX_OSERR`).
pub const EX_OSERR: u8 = 71;
/// An output file or directory cannot be created (`EX_CANTCREAT`).
pub const EX_CANTCREAT: u8 = 73;
/// Reading or writing failed (`EX_IOERR`).
pub const EX_IOERR: u8 = 74;
/// The configuration is wrong (`EX_CONFIG`).
pub const EX_CONFIG: u8 = 78;
