//! Reading the shared pipe without losing what is read when the process
//! dies: look first, take out later.
//!
//! `tee(2)` copies the shared pipe's contents into a private pipe without
//! consuming them; the copy is read, parsed and written to the log file,
//! and only then are exactly those bytes read out of the shared pipe. A
//! kill at any moment leaves every byte not yet written in the shared
//! pipe, which `applianced` keeps open for the next logger. (What a kill
//! between the write and the taking out leaves twice, `resume.rs` skips.)

use std::io::{PipeReader, PipeWriter};
use std::os::fd::{AsFd, BorrowedFd};

use nix::errno::Errno;
use nix::fcntl::{FcntlArg, SpliceFFlags, fcntl, tee};
use pipe_ends::PipeEnd;

/// A pipe operation that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{op}: {errno}")]
pub struct PipeError {
    /// The call: `"tee(2) from --rx"`, `"read(2) from --rx"`, ...
    pub op: &'static str,
    /// Its error.
    pub errno: Errno,
}

fn pipe_error(op: &'static str) -> impl FnOnce(Errno) -> PipeError {
    move |errno| PipeError { op, errno }
}

/// What a look at the pipe found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Peek {
    /// Bytes at the head of the pipe, now in [`SharedPipe::peeked`].
    Data,
    /// Nothing there now.
    Empty,
    /// Nothing there, and every write end is closed.
    Eof,
}

/// The shared pipe (the `--rx` read end) and the private pipe its
/// contents are copied through.
#[derive(Debug)]
pub(crate) struct SharedPipe {
    shared: PipeEnd,
    copy_r: PipeReader,
    copy_w: PipeWriter,
    /// Bytes the private pipe holds; a look copies at most this much.
    capacity: usize,
    /// What the last look found (or, in the naive mode, read).
    peeked: Vec<u8>,
    peeked_len: usize,
    /// How much of `peeked` has been taken out of the shared pipe.
    consumed: usize,
    scratch: Vec<u8>,
    /// Times the bytes taken out differed from those looked at.
    diverged: u64,
}

impl SharedPipe {
    /// Wraps the `--rx` end (made non-blocking) and makes the private pipe,
    /// as large as the shared one so one look sees all it holds. Returns
    /// the pipe and, when the private pipe could not be made that large,
    /// the sizes (shared, private) for a warning.
    pub(crate) fn new(shared: PipeEnd) -> Result<(Self, Option<(usize, usize)>), PipeError> {
        pipe_ends::set_nonblocking(&shared, true)
            .map_err(pipe_error("fcntl(O_NONBLOCK) on --rx"))?;
        let wanted = fcntl(&shared, FcntlArg::F_GETPIPE_SZ)
            .map_err(pipe_error("fcntl(F_GETPIPE_SZ) on --rx"))?;
        let (copy_r, copy_w) = std::io::pipe().map_err(|e| PipeError {
            op: "pipe(2)",
            errno: crate::files::errno_of(&e),
        })?;
        pipe_ends::set_nonblocking(&copy_r, true).map_err(pipe_error("fcntl(O_NONBLOCK)"))?;
        // Refused above /proc/sys/fs/pipe-max-size without privileges.
        let _ = fcntl(&copy_w, FcntlArg::F_SETPIPE_SZ(wanted));
        let got =
            fcntl(&copy_w, FcntlArg::F_GETPIPE_SZ).map_err(pipe_error("fcntl(F_GETPIPE_SZ)"))?;
        let capacity = usize::try_from(got).unwrap_or(0).max(4096);
        let short = (got < wanted).then(|| {
            (
                usize::try_from(wanted).unwrap_or(0),
                usize::try_from(got).unwrap_or(0),
            )
        });
        Ok((
            SharedPipe {
                shared,
                copy_r,
                copy_w,
                capacity,
                peeked: vec![0; capacity],
                peeked_len: 0,
                consumed: 0,
                scratch: vec![0; capacity],
                diverged: 0,
            },
            short,
        ))
    }

    /// The shared pipe, to poll.
    pub(crate) fn fd(&self) -> BorrowedFd<'_> {
        self.shared.as_fd()
    }

    /// The size of a look: the private pipe's capacity.
    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }

    /// Times the bytes taken out of the shared pipe were not the bytes
    /// looked at: another process reads it.
    pub(crate) fn diverged(&self) -> u64 {
        self.diverged
    }

    /// Copies what the shared pipe holds (up to [`Self::capacity`]) into
    /// [`Self::peeked`], without taking it out.
    pub(crate) fn peek(&mut self) -> Result<Peek, PipeError> {
        self.peeked_len = 0;
        self.consumed = 0;
        let n = loop {
            match tee(
                &self.shared,
                &self.copy_w,
                self.capacity,
                SpliceFFlags::SPLICE_F_NONBLOCK,
            ) {
                Ok(0) => return Ok(Peek::Eof),
                Ok(n) => break n,
                Err(Errno::EINTR) => continue,
                Err(Errno::EAGAIN) => return Ok(Peek::Empty),
                Err(e) => {
                    return Err(PipeError {
                        op: "tee(2) from --rx",
                        errno: e,
                    });
                }
            }
        };
        // The private pipe holds exactly these n bytes: read them all.
        while self.peeked_len < n {
            match nix::unistd::read(&self.copy_r, &mut self.peeked[self.peeked_len..n]) {
                Ok(0) => break,
                Ok(k) => self.peeked_len += k,
                Err(Errno::EINTR) => {}
                Err(e) => {
                    return Err(PipeError {
                        op: "read(2) from the private pipe",
                        errno: e,
                    });
                }
            }
        }
        if self.peeked_len < n {
            return Err(PipeError {
                op: "read(2) from the private pipe",
                errno: Errno::EIO,
            });
        }
        Ok(Peek::Data)
    }

    /// The naive mode's read: takes what the shared pipe holds out of it
    /// at once, into [`Self::peeked`] (already consumed).
    pub(crate) fn read_consuming(&mut self) -> Result<Peek, PipeError> {
        self.peeked_len = 0;
        self.consumed = 0;
        loop {
            match nix::unistd::read(&self.shared, &mut self.peeked) {
                Ok(0) => return Ok(Peek::Eof),
                Ok(n) => {
                    self.peeked_len = n;
                    self.consumed = n;
                    return Ok(Peek::Data);
                }
                Err(Errno::EINTR) => {}
                Err(Errno::EAGAIN) => return Ok(Peek::Empty),
                Err(e) => {
                    return Err(PipeError {
                        op: "read(2) from --rx",
                        errno: e,
                    });
                }
            }
        }
    }

    /// What the last look found.
    pub(crate) fn peeked(&self) -> &[u8] {
        &self.peeked[..self.peeked_len]
    }

    /// Takes the looked-at bytes up to offset `end` out of the shared pipe
    /// (those before `end` not taken out yet). They are there: only this
    /// process reads the pipe, and it has not taken them.
    pub(crate) fn consume_to(&mut self, end: usize) -> Result<(), PipeError> {
        let end = end.min(self.peeked_len);
        while self.consumed < end {
            let want = end - self.consumed;
            match nix::unistd::read(&self.shared, &mut self.scratch[..want]) {
                Ok(0) => {
                    return Err(PipeError {
                        op: "read(2) from --rx: end of file before the bytes looked at",
                        errno: Errno::EIO,
                    });
                }
                Ok(k) => {
                    if self.scratch[..k] != self.peeked[self.consumed..self.consumed + k] {
                        self.diverged += 1;
                    }
                    self.consumed += k;
                }
                Err(Errno::EINTR) => {}
                Err(e) => {
                    return Err(PipeError {
                        op: "read(2) from --rx",
                        errno: e,
                    });
                }
            }
        }
        Ok(())
    }
}
