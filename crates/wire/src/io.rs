//! Frames over pipes: a writer that puts each frame in exactly one
//! `write(2)`, and a reader that fits a `poll` loop.

use std::io;
use std::os::fd::{AsFd, AsRawFd, RawFd};

use nix::errno::Errno;

use crate::Counters;
use crate::decode::{Event, FrameDecoder, Malformed};
use crate::encode::FrameBuf;
use crate::error::EncodeError;
use crate::frame::Frame;
use crate::message::Message;

/// Why a frame was not sent.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The pipe is full (EAGAIN): the frame was not written at all. The
    /// caller counts it as dropped; the writer's [`WriterStats`] does too.
    #[error("pipe on fd {fd} is full: frame dropped")]
    WouldBlock {
        /// The fd written to.
        fd: RawFd,
    },
    /// The message does not fit in a frame; nothing was written.
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// `write(2)` failed (EPIPE: no reader is left; EBADF: not open).
    #[error("write to fd {fd}: {source}")]
    Io {
        /// The fd written to.
        fd: RawFd,
        /// The error.
        source: io::Error,
    },
    /// Only part of the frame was written: the fd is not a pipe (pipes
    /// write frames of at most `PIPE_BUF` bytes whole or not at all).
    #[error("fd {fd} took {written} of {len} bytes: frames need a pipe")]
    Partial {
        /// The fd written to.
        fd: RawFd,
        /// Bytes written.
        written: usize,
        /// Frame length.
        len: usize,
    },
}

impl SendError {
    /// Whether the frame was dropped because the pipe was full.
    pub fn is_would_block(&self) -> bool {
        matches!(self, SendError::WouldBlock { .. })
    }
}

/// What a [`FrameWriter`] has done.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriterStats {
    /// Frames written whole.
    pub sent: u64,
    /// Frames dropped because the pipe was full.
    pub dropped_full: u64,
    /// Frames lost to other errors (encoding, I/O, short writes).
    pub errors: u64,
}

/// Writes frames to a (non-blocking) pipe, one `write(2)` per frame, so
/// frames of several writers sharing the pipe never interleave.
pub struct FrameWriter<F: AsFd> {
    fd: F,
    buf: FrameBuf,
    stats: WriterStats,
}

impl<F: AsFd> FrameWriter<F> {
    /// A writer on `fd` (usually the write end of a non-blocking pipe).
    pub fn new(fd: F) -> Self {
        FrameWriter {
            fd,
            buf: FrameBuf::new(),
            stats: WriterStats::default(),
        }
    }

    /// Encodes and writes one message. On a full pipe this returns
    /// [`SendError::WouldBlock`] at once and the frame is dropped whole.
    pub fn send(&mut self, msg: &Message<'_>) -> Result<(), SendError> {
        let frame = match self.buf.encode(msg) {
            Ok(frame) => frame,
            Err(e) => {
                self.stats.errors += 1;
                return Err(e.into());
            }
        };
        let result = write_frame(self.fd.as_fd(), frame);
        self.stats.count(&result);
        result
    }

    /// Writes an already encoded frame (CR ... LF) in one `write(2)`.
    pub fn send_encoded(&mut self, frame: &[u8]) -> Result<(), SendError> {
        let result = write_frame(self.fd.as_fd(), frame);
        self.stats.count(&result);
        result
    }

    /// What this writer has done.
    pub fn stats(&self) -> &WriterStats {
        &self.stats
    }

    /// The fd.
    pub fn get_ref(&self) -> &F {
        &self.fd
    }
}

impl WriterStats {
    fn count(&mut self, result: &Result<(), SendError>) {
        match result {
            Ok(()) => self.sent += 1,
            Err(SendError::WouldBlock { .. }) => self.dropped_full += 1,
            Err(_) => self.errors += 1,
        }
    }
}

/// One `write(2)` of a whole frame; EINTR (nothing written) is retried.
pub fn write_frame(fd: std::os::fd::BorrowedFd<'_>, frame: &[u8]) -> Result<(), SendError> {
    loop {
        return match nix::unistd::write(fd, frame) {
            Ok(n) if n == frame.len() => Ok(()),
            Ok(written) => Err(SendError::Partial {
                fd: fd.as_raw_fd(),
                written,
                len: frame.len(),
            }),
            Err(Errno::EINTR) => continue,
            Err(Errno::EAGAIN) => Err(SendError::WouldBlock { fd: fd.as_raw_fd() }),
            Err(e) => Err(SendError::Io {
                fd: fd.as_raw_fd(),
                source: e.into(),
            }),
        };
    }
}

/// A read from the fd failed.
#[derive(Debug, thiserror::Error)]
#[error("read from fd {fd}: {source}")]
pub struct ReadError {
    /// The fd read from.
    pub fd: RawFd,
    /// The error.
    pub source: io::Error,
}

/// Whether the writers are still there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadStatus {
    /// The pipe is open; poll again for more.
    Open,
    /// Every write end is closed and all data was read.
    Eof,
}

/// Reads frames from a non-blocking fd, for a `poll` loop: on each
/// readiness call one of the `read_*` methods; it reads what is there
/// (at most [`FrameReader::READ_BUDGET`] reads, so one busy pipe cannot
/// starve the loop), hands out what it decoded, and returns.
pub struct FrameReader<F: AsFd> {
    fd: F,
    decoder: FrameDecoder,
    buf: Box<[u8]>,
}

impl<F: AsFd> FrameReader<F> {
    /// Bytes read per `read(2)`: a whole default pipe buffer.
    pub const BUF_LEN: usize = 64 * 1024;
    /// Most `read(2)` calls per `read_*` call.
    pub const READ_BUDGET: usize = 4;

    /// A reader on `fd` (usually the read end of a non-blocking pipe).
    pub fn new(fd: F) -> Self {
        FrameReader {
            fd,
            decoder: FrameDecoder::new(),
            buf: vec![0; Self::BUF_LEN].into_boxed_slice(),
        }
    }

    /// Reads what is there and calls `on_message` for each frame, decoded
    /// or malformed (see [`FrameDecoder::decode_messages`]).
    pub fn read_messages(
        &mut self,
        mut on_message: impl FnMut(Result<Message<'_>, Malformed<'_>>),
    ) -> Result<ReadStatus, ReadError> {
        let status = self.pump(|dec, chunk| dec.decode_messages(chunk, &mut on_message));
        self.end_if_eof(status)
    }

    /// Reads what is there and calls `on_frame` for each good frame.
    pub fn read_frames(
        &mut self,
        mut on_frame: impl FnMut(Frame<'_>),
    ) -> Result<ReadStatus, ReadError> {
        let status = self.pump(|dec, chunk| dec.decode(chunk, &mut on_frame));
        self.end_if_eof(status)
    }

    /// Reads what is there and reports every event (frames, noise, drops).
    pub fn read_events(
        &mut self,
        mut on_event: impl FnMut(Event<'_>),
    ) -> Result<ReadStatus, ReadError> {
        let status = self.pump(|dec, chunk| dec.decode_events(chunk, &mut on_event))?;
        if status == ReadStatus::Eof
            && let Some(e) = self.decoder.finish()
        {
            on_event(e);
        }
        Ok(status)
    }

    /// The decoder's counters.
    pub fn counters(&self) -> &Counters {
        self.decoder.counters()
    }

    /// The fd.
    pub fn get_ref(&self) -> &F {
        &self.fd
    }

    /// At the end of the stream a frame in progress counts as truncated.
    fn end_if_eof(
        &mut self,
        status: Result<ReadStatus, ReadError>,
    ) -> Result<ReadStatus, ReadError> {
        if let Ok(ReadStatus::Eof) = status {
            self.decoder.finish();
        }
        status
    }

    fn pump(
        &mut self,
        mut feed: impl FnMut(&mut FrameDecoder, &[u8]),
    ) -> Result<ReadStatus, ReadError> {
        for _ in 0..Self::READ_BUDGET {
            let n = match nix::unistd::read(self.fd.as_fd(), &mut self.buf) {
                Ok(0) => return Ok(ReadStatus::Eof),
                Ok(n) => n,
                Err(Errno::EINTR) => continue,
                Err(Errno::EAGAIN) => return Ok(ReadStatus::Open),
                Err(e) => {
                    return Err(ReadError {
                        fd: self.fd.as_fd().as_raw_fd(),
                        source: e.into(),
                    });
                }
            };
            feed(&mut self.decoder, &self.buf[..n]);
            if n < self.buf.len() {
                // A short read drained the pipe (as of that moment); poll
                // reports anything newer, so skip the read that would say
                // EAGAIN.
                return Ok(ReadStatus::Open);
            }
        }
        Ok(ReadStatus::Open)
    }
}
