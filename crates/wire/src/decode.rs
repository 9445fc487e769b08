//! The streaming decoder: bytes in arbitrary chunks in, frames and
//! messages out, every dropped byte counted by reason.

use crate::error::{DecodeError, DropReason};
use crate::frame::{CR, Frame, LF, MAX_BODY_LEN, first_non_printable};
use crate::message::Message;

/// What the decoder has seen, by outcome. Public so processes can report
/// it (the `STATS` message) and tests can assert on it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// Frames delivered: they passed the framing rules (bytes, length,
    /// checksum, TYPE) and, when decoded as messages, the field rules too.
    /// Every CR starts a frame that ends up here or in a drop counter.
    pub frames: u64,
    /// Bytes outside any frame (before a CR, including stray LFs), skipped.
    pub noise_bytes: u64,
    /// Frames cut short by a new CR, or by the end of the stream.
    pub truncated: u64,
    /// Frames dropped for a byte outside 0x20..=0x7E.
    pub bad_byte: u64,
    /// Frames dropped for running past [`crate::MAX_FRAME_LEN`].
    pub oversize: u64,
    /// Frames dropped for a wrong checksum.
    pub bad_checksum: u64,
    /// Frames dropped for breaking the grammar: a bad TYPE (by the framing),
    /// or bad fields (when decoded as messages).
    pub malformed: u64,
    /// Well-formed frames of a TYPE this build does not know, delivered as
    /// [`Message::Unknown`] (not dropped).
    pub unknown_type: u64,
}

impl Counters {
    /// Frames dropped, all reasons (noise bytes are not frames and are not
    /// included).
    pub fn dropped(&self) -> u64 {
        self.truncated + self.bad_byte + self.oversize + self.bad_checksum + self.malformed
    }

    fn count(&mut self, reason: &DropReason) {
        match reason {
            DropReason::Truncated => self.truncated += 1,
            DropReason::BadByte(_) => self.bad_byte += 1,
            DropReason::Oversize => self.oversize += 1,
            DropReason::BadChecksum { .. } => self.bad_checksum += 1,
            DropReason::Malformed(_) => self.malformed += 1,
        }
    }
}

impl core::fmt::Display for Counters {
    /// One line, e.g. `120 frames, 3 dropped (2 truncated, 1 bad checksum), 13 noise bytes, 1 unknown TYPE`.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{} frames, {} dropped", self.frames, self.dropped())?;
        let reasons = [
            (self.truncated, "truncated"),
            (self.bad_byte, "bad byte"),
            (self.oversize, "oversize"),
            (self.bad_checksum, "bad checksum"),
            (self.malformed, "malformed"),
        ];
        let mut sep = " (";
        for (n, what) in reasons.into_iter().filter(|(n, _)| *n > 0) {
            write!(f, "{sep}{n} {what}")?;
            sep = ", ";
        }
        if sep == ", " {
            f.write_str(")")?;
        }
        write!(
            f,
            ", {} noise bytes, {} unknown TYPE",
            self.noise_bytes, self.unknown_type
        )
    }
}

/// What the decoder found, in stream order; see [`FrameDecoder::decode_events`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event<'a> {
    /// A frame that passed the framing rules.
    Frame {
        /// Stream offset of the frame's CR.
        at: u64,
        /// The frame.
        frame: Frame<'a>,
    },
    /// A run of bytes outside any frame.
    Noise {
        /// Stream offset of the first noise byte.
        at: u64,
        /// How many bytes.
        len: usize,
    },
    /// A dropped frame.
    Dropped {
        /// Stream offset of the frame's CR.
        at: u64,
        /// Why.
        reason: DropReason,
        /// The body as far as it was kept: up to the offending byte, at most
        /// [`MAX_BODY_LEN`] bytes.
        content: &'a [u8],
    },
}

/// A frame whose fields do not decode to a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Malformed<'a> {
    /// The frame (useful to answer it, e.g. with the `id` of a bad command).
    pub frame: Frame<'a>,
    /// What is wrong.
    pub error: DecodeError,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Outside a frame: every byte until a CR is noise.
    Seek,
    /// After a CR: collecting the body.
    InFrame,
    /// After a bad byte: skipping to the next CR.
    SkipToCr,
    /// After an oversize body: skipping to the next CR or LF.
    SkipToCrOrLf,
}

/// A streaming decoder over a fixed internal buffer: feed it chunks as they
/// arrive; it never allocates and never panics.
///
/// Frames that lie whole inside a chunk are handed out straight from the
/// chunk; only a frame split across chunks is copied (into the internal
/// buffer, at most [`MAX_BODY_LEN`] bytes).
///
/// ```
/// use wire::{FrameDecoder, Message};
/// let mut dec = FrameDecoder::new();
/// let mut seen = Vec::new();
/// dec.decode_messages(b"noise\rHB name=motion seq=1 up=5\n\rHB name=m", |m| seen.push(format!("{m:?}")));
/// dec.decode_messages(b"otion seq=2 up=6 *00\n", |m| seen.push(format!("{m:?}")));
/// assert_eq!(seen.len(), 1);
/// assert_eq!(dec.counters().noise_bytes, 5);
/// assert_eq!(dec.counters().bad_checksum, 1);
/// ```
pub struct FrameDecoder {
    state: State,
    partial: [u8; MAX_BODY_LEN],
    partial_len: usize,
    /// Stream offset of the current frame's CR.
    frame_at: u64,
    /// Stream offset of the next byte fed.
    offset: u64,
    counters: Counters,
}

impl Default for FrameDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl FrameDecoder {
    /// A decoder at the start of a stream.
    pub const fn new() -> Self {
        FrameDecoder {
            state: State::Seek,
            partial: [0; MAX_BODY_LEN],
            partial_len: 0,
            frame_at: 0,
            offset: 0,
            counters: Counters {
                frames: 0,
                noise_bytes: 0,
                truncated: 0,
                bad_byte: 0,
                oversize: 0,
                bad_checksum: 0,
                malformed: 0,
                unknown_type: 0,
            },
        }
    }

    /// What the decoder has seen so far.
    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// Bytes fed so far.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Feeds a chunk and calls `on_frame` for every good frame in it.
    #[inline]
    pub fn decode(&mut self, input: &[u8], mut on_frame: impl FnMut(Frame<'_>)) {
        self.run(input, |e, counters| {
            if let Event::Frame { frame, .. } = e {
                counters.frames += 1;
                on_frame(frame);
            }
        });
    }

    /// Feeds a chunk and calls `on_message` for every frame in it that
    /// passed the framing rules: decoded, or [`Malformed`] (counted) when its
    /// fields are wrong. Unknown TYPEs arrive as [`Message::Unknown`] and
    /// are counted.
    #[inline]
    pub fn decode_messages(
        &mut self,
        input: &[u8],
        mut on_message: impl FnMut(Result<Message<'_>, Malformed<'_>>),
    ) {
        self.run(input, |e, counters| {
            if let Event::Frame { frame, .. } = e {
                match Message::decode(frame) {
                    Ok(m) => {
                        counters.frames += 1;
                        if matches!(m, Message::Unknown(_)) {
                            counters.unknown_type += 1;
                        }
                        on_message(Ok(m));
                    }
                    Err(error) => {
                        counters.malformed += 1;
                        on_message(Err(Malformed { frame, error }));
                    }
                }
            }
        });
    }

    /// Feeds a chunk and reports everything: frames, noise runs and dropped
    /// frames with their offsets. For diagnostics (`wire-dump`).
    pub fn decode_events(&mut self, input: &[u8], mut on_event: impl FnMut(Event<'_>)) {
        self.run(input, |e, counters| {
            if let Event::Frame { .. } = e {
                counters.frames += 1;
            }
            on_event(e);
        });
    }

    /// Ends the stream: a frame in progress is counted as truncated.
    /// Returns the drop event for it, if there was one. The decoder is then
    /// ready for a new stream (its counters and offset go on).
    pub fn finish(&mut self) -> Option<Event<'_>> {
        let was = self.state;
        self.state = State::Seek;
        if was != State::InFrame {
            return None;
        }
        self.counters.truncated += 1;
        Some(Event::Dropped {
            at: self.frame_at,
            reason: DropReason::Truncated,
            content: &self.partial[..self.partial_len],
        })
    }

    /// The state machine. It counts every drop; `emit` gets every event and
    /// the counters, and counts delivered frames (only the caller knows
    /// whether it delivers a frame or finds its fields malformed).
    #[inline]
    fn run(&mut self, input: &[u8], mut emit: impl FnMut(Event<'_>, &mut Counters)) {
        let base = self.offset;
        let mut i = 0;
        while i < input.len() {
            match self.state {
                State::Seek => {
                    // Back-to-back frames: the next byte is usually the CR.
                    let k = if input[i] == CR {
                        Some(0)
                    } else {
                        memchr::memchr(CR, &input[i..])
                    };
                    let noise = k.unwrap_or(input.len() - i);
                    if noise > 0 {
                        self.counters.noise_bytes += noise as u64;
                        emit(
                            Event::Noise {
                                at: base + i as u64,
                                len: noise,
                            },
                            &mut self.counters,
                        );
                    }
                    i += noise;
                    if k.is_some() {
                        self.start_frame(base + i as u64);
                        i += 1;
                    }
                }
                State::InFrame => {
                    let rest = &input[i..];
                    // Looking one byte past the room left tells "ends in
                    // time" from "too long" without scanning further.
                    let room = MAX_BODY_LEN - self.partial_len;
                    let window = &rest[..rest.len().min(room + 1)];
                    match first_non_printable(window) {
                        Some(k) => {
                            let b = window[k];
                            let at = self.frame_at;
                            if self.partial_len == 0 {
                                self.end_frame(at, &window[..k], b, &mut emit);
                            } else {
                                self.partial[self.partial_len..self.partial_len + k]
                                    .copy_from_slice(&window[..k]);
                                let n = self.partial_len + k;
                                self.partial_len = 0;
                                let FrameDecoder {
                                    partial, counters, ..
                                } = self;
                                let step = end_of_body(at, &partial[..n], b, counters, &mut emit);
                                self.state = step;
                            }
                            i += k + 1;
                            if b == CR {
                                self.start_frame(base + (i - 1) as u64);
                            }
                        }
                        None if window.len() > room => {
                            let reason = DropReason::Oversize;
                            self.counters.count(&reason);
                            let kept_in_chunk = room.min(window.len());
                            let content: &[u8] = if self.partial_len == 0 {
                                &window[..kept_in_chunk]
                            } else {
                                &self.partial[..self.partial_len]
                            };
                            emit(
                                Event::Dropped {
                                    at: self.frame_at,
                                    reason,
                                    content,
                                },
                                &mut self.counters,
                            );
                            self.partial_len = 0;
                            self.state = State::SkipToCrOrLf;
                            i += window.len();
                        }
                        None => {
                            // The chunk ends inside the frame: keep the part.
                            self.partial[self.partial_len..self.partial_len + window.len()]
                                .copy_from_slice(window);
                            self.partial_len += window.len();
                            i += window.len();
                        }
                    }
                }
                State::SkipToCr => match memchr::memchr(CR, &input[i..]) {
                    Some(k) => {
                        i += k + 1;
                        self.start_frame(base + (i - 1) as u64);
                    }
                    None => i = input.len(),
                },
                State::SkipToCrOrLf => match memchr::memchr2(CR, LF, &input[i..]) {
                    Some(k) => {
                        i += k + 1;
                        if input[i - 1] == CR {
                            self.start_frame(base + (i - 1) as u64);
                        } else {
                            self.state = State::Seek;
                        }
                    }
                    None => i = input.len(),
                },
            }
        }
        self.offset = base + input.len() as u64;
    }

    #[inline]
    fn start_frame(&mut self, at: u64) {
        self.state = State::InFrame;
        self.partial_len = 0;
        self.frame_at = at;
    }

    /// A frame whose body lies whole in the chunk ended at byte `b`.
    #[inline]
    fn end_frame(
        &mut self,
        at: u64,
        body: &[u8],
        b: u8,
        emit: &mut impl FnMut(Event<'_>, &mut Counters),
    ) {
        self.state = end_of_body(at, body, b, &mut self.counters, emit);
    }
}

/// Judges a body that ended at byte `b` and says which state follows.
#[inline]
fn end_of_body(
    at: u64,
    body: &[u8],
    b: u8,
    counters: &mut Counters,
    emit: &mut impl FnMut(Event<'_>, &mut Counters),
) -> State {
    let (result, next) = match b {
        LF => (Frame::from_printable(body), State::Seek),
        CR => (Err(DropReason::Truncated), State::InFrame),
        other => (Err(DropReason::BadByte(other)), State::SkipToCr),
    };
    match result {
        Ok(frame) => emit(Event::Frame { at, frame }, counters),
        Err(reason) => {
            counters.count(&reason);
            emit(
                Event::Dropped {
                    at,
                    reason,
                    content: body,
                },
                counters,
            );
        }
    }
    next
}
