//! The child side of `applianced`'s pipes. The supervisor starts each
//! process with the pipe ends it may use already open, and names them by fd
//! number in its argv (`--rx 3 --tx 4`). This crate turns such an argument
//! into an owned pipe end, so every child does it the same way and with the
//! same checks: the number parses, the fd is open, it is a pipe (FIFO), it
//! is the end asked for (read end `O_RDONLY`, write end `O_WRONLY`), and no
//! other part of the process has taken it already.
//!
//! ```no_run
//! use pipe_ends::PipeEnd;
//!
//! # fn main() -> Result<(), pipe_ends::PipeEndError> {
//! // argv: my-child --rx 3 --tx 4
//! let args: Vec<String> = std::env::args().collect();
//! let rx = PipeEnd::read_from_arg("--rx", &args[2])?; // std::io::PipeReader
//! let tx = PipeEnd::write_from_arg("--tx", &args[4])?; // std::io::PipeWriter
//!
//! // For a poll loop: take the end, make it non-blocking, then convert.
//! let events = PipeEnd::from_arg("--events", "5", pipe_ends::End::Read)?;
//! events.set_nonblocking(true)?;
//! let events = std::io::PipeReader::from(events.into_owned_fd());
//! # drop((rx, tx, events));
//! # Ok(())
//! # }
//! ```
//!
//! Each error names the flag and the fd and says what to do
//! (`fd 7 given for --rx is not open: start this program from applianced,
//! or pass an open pipe`).
//!
//! Each fd number is taken at most once per process: the crate keeps a
//! process-wide record of the fds it handed out, and a second
//! [`PipeEnd::from_arg`] of the same number fails with
//! [`PipeEndError::AlreadyTaken`], even after the first owner closed it
//! (the number may by then be another open file). That is what makes the
//! returned value the fd's only owner. Fds 0, 1 and 2 are never taken: they
//! are the standard streams, and closing them by dropping an owner would
//! break the process's logging.

use std::collections::BTreeSet;
use std::io::{PipeReader, PipeWriter};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, IntoRawFd, OwnedFd, RawFd};
use std::sync::{Mutex, PoisonError};

use nix::errno::Errno;
use nix::fcntl::{FcntlArg, OFlag, fcntl};
use nix::sys::stat::{SFlag, fstat};

/// An end of a pipe (`pipe(2)`'s `fds[0]` is the read end, `fds[1]` the
/// write end). The supervisor's topology names ends with it too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum End {
    /// The end data is read from: must be open `O_RDONLY`.
    Read,
    /// The end data is written to: must be open `O_WRONLY`.
    Write,
}

impl End {
    /// `"read"` or `"write"`, as in the topology's placeholders.
    pub fn as_str(self) -> &'static str {
        match self {
            End::Read => "read",
            End::Write => "write",
        }
    }

    fn access_mode(self) -> OFlag {
        match self {
            End::Read => OFlag::O_RDONLY,
            End::Write => OFlag::O_WRONLY,
        }
    }
}

/// Why a pipe end could not be taken from an argument.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PipeEndError {
    /// The value is not a decimal fd number.
    #[error(
        "`{value}` given for {flag} is not an fd number: pass the decimal number of an open pipe end (applianced puts it there)"
    )]
    NotANumber {
        /// The flag the value came with.
        flag: String,
        /// The value.
        value: String,
    },
    /// The fd is 0, 1 or 2.
    #[error(
        "fd {fd} given for {flag} is standard {}: pipe ends are fds 3 and up; start this program from applianced",
        match .fd { 0 => "input", 1 => "output", _ => "error" }
    )]
    StandardStream {
        /// The flag.
        flag: String,
        /// The fd.
        fd: RawFd,
    },
    /// No such fd is open.
    #[error(
        "fd {fd} given for {flag} is not open: start this program from applianced, or pass an open pipe"
    )]
    NotOpen {
        /// The flag.
        flag: String,
        /// The fd.
        fd: RawFd,
    },
    /// The fd is open but is not a pipe.
    #[error(
        "fd {fd} given for {flag} is {kind}, not a pipe: pass a pipe end (applianced's topology gives one)"
    )]
    NotAPipe {
        /// The flag.
        flag: String,
        /// The fd.
        fd: RawFd,
        /// What it is: `"a regular file"`, `"a character device"`, ...
        kind: &'static str,
    },
    /// The fd is a pipe, but not open for the direction asked for.
    #[error(
        "fd {fd} given for {flag} is {found}, but {flag} needs the {} end: check the topology gives {{pipe.NAME.{}}} here",
        .wanted.as_str(), .wanted.as_str()
    )]
    WrongEnd {
        /// The flag.
        flag: String,
        /// The fd.
        fd: RawFd,
        /// The end asked for.
        wanted: End,
        /// What it is: `"the read end"`, `"the write end"`, `"open for
        /// reading and writing"`.
        found: &'static str,
    },
    /// This process has taken the fd before.
    #[error(
        "fd {fd} given for {flag} is already taken (given twice?): give each pipe end to one flag"
    )]
    AlreadyTaken {
        /// The flag.
        flag: String,
        /// The fd.
        fd: RawFd,
    },
    /// `fstat` or `fcntl` failed other than with `EBADF`.
    #[error("fd {fd} given for {flag}: {call} failed: {errno}")]
    Sys {
        /// The flag.
        flag: String,
        /// The fd.
        fd: RawFd,
        /// The call: `"fstat"`, `"fcntl(F_GETFL)"`, `"fcntl(O_NONBLOCK)"`.
        call: &'static str,
        /// Its error.
        errno: Errno,
    },
}

/// Every fd this process has taken with [`PipeEnd::from_arg`].
static TAKEN: Mutex<BTreeSet<RawFd>> = Mutex::new(BTreeSet::new());

/// A pipe end taken from an argument: the only owner of its fd.
#[derive(Debug)]
pub struct PipeEnd {
    fd: OwnedFd,
    end: End,
    flag: String,
}

impl PipeEnd {
    /// Takes the pipe end whose fd number is `value`, given with command
    /// line flag `flag` (used in errors), checking that it is an open pipe
    /// open for `end`'s direction and not taken before.
    pub fn from_arg(flag: &str, value: &str, end: End) -> Result<PipeEnd, PipeEndError> {
        let flag_owned = || flag.to_owned();
        let fd = parse_fd(value).ok_or_else(|| PipeEndError::NotANumber {
            flag: flag_owned(),
            value: value.to_owned(),
        })?;
        if fd <= 2 {
            return Err(PipeEndError::StandardStream {
                flag: flag_owned(),
                fd,
            });
        }
        // Held until the fd is recorded, so two threads cannot both take it.
        let mut taken = TAKEN.lock().unwrap_or_else(PoisonError::into_inner);
        if taken.contains(&fd) {
            return Err(PipeEndError::AlreadyTaken {
                flag: flag_owned(),
                fd,
            });
        }
        let owned = adopt(fd, |borrowed| check(borrowed, flag, end))?;
        taken.insert(fd);
        Ok(PipeEnd {
            fd: owned,
            end,
            flag: flag_owned(),
        })
    }

    /// Takes a read end ([`PipeEnd::from_arg`] with [`End::Read`]).
    pub fn read_from_arg(flag: &str, value: &str) -> Result<PipeReader, PipeEndError> {
        Ok(PipeReader::from(
            PipeEnd::from_arg(flag, value, End::Read)?.fd,
        ))
    }

    /// Takes a write end ([`PipeEnd::from_arg`] with [`End::Write`]).
    pub fn write_from_arg(flag: &str, value: &str) -> Result<PipeWriter, PipeEndError> {
        Ok(PipeWriter::from(
            PipeEnd::from_arg(flag, value, End::Write)?.fd,
        ))
    }

    /// Which end this is.
    pub fn end(&self) -> End {
        self.end
    }

    /// Sets or clears `O_NONBLOCK` (for a `poll` loop). The flag belongs to
    /// the open file description, which this process shares with the
    /// supervisor's copy of the same end (fds passed through exec are
    /// duplicates); `applianced` creates every pipe end non-blocking, so
    /// setting it is a no-op there and clearing it affects the supervisor
    /// too.
    pub fn set_nonblocking(&self, nonblocking: bool) -> Result<(), PipeEndError> {
        set_nonblocking(&self.fd, nonblocking).map_err(|errno| PipeEndError::Sys {
            flag: self.flag.clone(),
            fd: self.fd.as_raw_fd(),
            call: "fcntl(O_NONBLOCK)",
            errno,
        })
    }

    /// The fd, to convert into a [`PipeReader`], [`PipeWriter`] or other.
    pub fn into_owned_fd(self) -> OwnedFd {
        self.fd
    }
}

impl AsFd for PipeEnd {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl AsRawFd for PipeEnd {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

impl IntoRawFd for PipeEnd {
    fn into_raw_fd(self) -> RawFd {
        self.fd.into_raw_fd()
    }
}

impl From<PipeEnd> for OwnedFd {
    fn from(end: PipeEnd) -> OwnedFd {
        end.fd
    }
}

/// Sets or clears `O_NONBLOCK` on any fd (a [`PipeReader`] after
/// conversion, say), keeping its other status flags.
pub fn set_nonblocking(fd: impl AsFd, nonblocking: bool) -> Result<(), Errno> {
    let fd = fd.as_fd();
    let mut flags = OFlag::from_bits_retain(fcntl(fd, FcntlArg::F_GETFL)?);
    flags.set(OFlag::O_NONBLOCK, nonblocking);
    fcntl(fd, FcntlArg::F_SETFL(flags))?;
    Ok(())
}

/// A decimal fd number: digits only (no sign, no spaces), fitting an fd.
fn parse_fd(value: &str) -> Option<RawFd> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok()
}

/// Checks that `fd` is an open pipe open for `end`.
fn check(fd: BorrowedFd<'_>, flag: &str, end: End) -> Result<(), PipeEndError> {
    let raw = fd.as_raw_fd();
    let sys = |call, errno| match errno {
        Errno::EBADF => PipeEndError::NotOpen {
            flag: flag.to_owned(),
            fd: raw,
        },
        errno => PipeEndError::Sys {
            flag: flag.to_owned(),
            fd: raw,
            call,
            errno,
        },
    };
    let stat = fstat(fd).map_err(|e| sys("fstat", e))?;
    let kind = SFlag::from_bits_truncate(stat.st_mode) & SFlag::S_IFMT;
    if kind != SFlag::S_IFIFO {
        let kind = match kind {
            SFlag::S_IFREG => "a regular file",
            SFlag::S_IFDIR => "a directory",
            SFlag::S_IFCHR => "a character device",
            SFlag::S_IFBLK => "a block device",
            SFlag::S_IFSOCK => "a socket",
            SFlag::S_IFLNK => "a symbolic link",
            _ => "an unknown kind of file",
        };
        return Err(PipeEndError::NotAPipe {
            flag: flag.to_owned(),
            fd: raw,
            kind,
        });
    }
    let flags = fcntl(fd, FcntlArg::F_GETFL).map_err(|e| sys("fcntl(F_GETFL)", e))?;
    let mode = OFlag::from_bits_retain(flags) & OFlag::O_ACCMODE;
    if mode != end.access_mode() {
        let found = if mode == OFlag::O_RDONLY {
            "the read end"
        } else if mode == OFlag::O_WRONLY {
            "the write end"
        } else {
            "open for reading and writing"
        };
        return Err(PipeEndError::WrongEnd {
            flag: flag.to_owned(),
            fd: raw,
            wanted: end,
            found,
        });
    }
    Ok(())
}

/// Runs `check` on fd number `fd` and, if it passes, takes ownership of
/// the fd. The only `unsafe` in the crate.
#[allow(
    unsafe_code,
    reason = "an fd inherited through exec arrives as a number; owning it needs from_raw_fd"
)]
fn adopt(
    fd: RawFd,
    check: impl FnOnce(BorrowedFd<'_>) -> Result<(), PipeEndError>,
) -> Result<OwnedFd, PipeEndError> {
    // SAFETY: the borrow lives only for `check`'s fstat/fcntl calls in this
    // call, and nothing closes `fd` meanwhile: the caller holds the `TAKEN`
    // lock and this crate has never handed `fd` out, so no owner of it
    // exists in this process. If `fd` is not open, the kernel answers
    // EBADF; no memory is reached through it.
    let borrowed = unsafe { BorrowedFd::borrow_raw(fd) };
    check(borrowed)?;
    // SAFETY: `fd` is open (fstat succeeded) and is a pipe end that the
    // supervisor passed to this process by number for this flag; the
    // `TAKEN` record (the caller holds its lock and adds `fd` once this
    // returns) guarantees this is the only `OwnedFd` ever made for it here,
    // so it is closed once, by this owner.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}
