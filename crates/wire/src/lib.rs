//! The appliance's wire protocol: how every process talks to every other
//! over the pipes `applianced` hands out.
//!
//! A **frame** is `CR body LF`: 0x0D, then 1 to 510 bytes of printable ASCII
//! (0x20..=0x7E), then 0x0A; at most [`MAX_FRAME_LEN`] = 512 bytes in all.
//! That is well under `PIPE_BUF` (4096), and every frame is written with
//! exactly one `write(2)`, so frames from several writers sharing one pipe
//! never interleave.
//!
//! A **body** is `TYPE( key=value)*( *HH)?`:
//! - `TYPE`: 1-8 of `A-Z 0-9` (`IMU`, `CMD`, ...);
//! - each field: a space, a key of 1-16 of `a-z 0-9 _`, `=`, and a value of
//!   1 or more printable bytes other than space and `*`. Text values
//!   ([`Text`]) percent-encode space, `*`, `%` and non-printable bytes;
//! - the checksum ` *HH`: the XOR of every body byte before ` *`, as two
//!   upper-case hex digits (as NMEA 0183). Writers always add it; readers
//!   verify it when present and accept frames without it, so a person can
//!   type frames by hand.
//!
//! **Messages** ([`Message`]) are the typed view: one struct per TYPE with
//! integer fields whose units are in their docs (milli-g, milli-degrees/s,
//! centi-degrees C, milli-lux, microseconds). Unknown TYPEs decode to
//! [`Message::Unknown`] and are counted, not rejected.
//!
//! **Decoding** ([`FrameDecoder`]) takes bytes in arbitrary chunks: bytes
//! before a CR are noise (counted, skipped); a CR inside a frame restarts
//! the frame (the cut one is counted as truncated); a non-printable byte
//! drops the frame up to the next CR; a frame past 512 bytes is dropped up
//! to the next CR or LF; a bad checksum drops the frame. Every drop is
//! counted by reason in [`Counters`]. The decoder never panics and never
//! allocates. **Encoding** ([`FrameBuf`]) writes into a fixed buffer; a
//! message that does not fit is an error, never a truncated frame.
//!
//! With the default `std` feature, [`FrameWriter`] and [`FrameReader`] move
//! frames over non-blocking pipes in a `poll` loop, and the `wire-dump`
//! binary decodes a capture for a person. Without it the crate is `no_std`.
//!
//! ```
//! use wire::{FrameBuf, FrameDecoder, ImuSample, Message};
//!
//! let sample = Message::Imu(ImuSample {
//!     seq: 7,
//!     t_us: 1_250_000,
//!     accel_mg: [-12, 4, 1003],
//!     gyro_mdps: [150, -20, 0],
//!     temp_cc: 2512,
//! });
//! let mut buf = FrameBuf::new();
//! let bytes = buf.encode(&sample)?.to_vec();
//! assert_eq!(bytes, b"\rIMU seq=7 t=1250000 ax=-12 ay=4 az=1003 gx=150 gy=-20 gz=0 tc=2512 *78\n");
//!
//! let mut decoder = FrameDecoder::new();
//! decoder.decode_messages(&bytes, |m| assert_eq!(m.unwrap(), sample));
//! assert_eq!(decoder.counters().frames, 1);
//! # Ok::<(), wire::EncodeError>(())
//! ```
//!
//! The full specification is `docs/protocol.md` in the repository.

#![cfg_attr(not(feature = "std"), no_std)]

#[cfg(test)]
extern crate std;

mod decode;
mod encode;
mod error;
mod frame;
#[cfg(feature = "std")]
mod io;
mod message;
mod text;

pub use decode::{Counters, Event, FrameDecoder, Malformed};
pub use encode::FrameBuf;
pub use error::{DecodeError, DropReason, EncodeError, ValueProblem};
pub use frame::{
    CHECKSUM_LEN, CR, Field, Fields, Frame, LF, MAX_BODY_LEN, MAX_FRAME_LEN, MAX_KEY_LEN,
    MAX_TYPE_LEN, checksum, first_non_printable, is_key_byte, is_printable, is_type_byte,
    is_value_byte,
};
#[cfg(feature = "std")]
pub use io::{
    FrameReader, FrameWriter, ReadError, ReadStatus, SendError, WriterStats, write_frame,
};
pub use message::{
    Ack, Command, CommandOp, ErrorCode, ErrorReport, ExitStatus, Gesture, GestureKind, Heartbeat,
    Hello, ImuSample, KNOWN_TYPES, Level, LightSample, LogLine, Message, OpKind, PROTOCOL_VERSION,
    ProcessState, Ready, RunState, Stats, signal_name,
};
pub use text::{Text, Token};
