//! The encoder: messages into whole frames in a fixed buffer, no allocation.

use crate::error::EncodeError;
use crate::frame::{CR, HEX_UPPER, LF, MAX_FRAME_LEN, checksum};
use crate::message::Message;
use crate::text::{Text, Token};

/// A reusable buffer that holds one encoded frame.
///
/// ```
/// use wire::{FrameBuf, Message, Ready, Token};
/// let mut buf = FrameBuf::new();
/// let frame = buf.encode(&Message::Ready(Ready { name: Token::new("gui").unwrap() })).unwrap();
/// assert_eq!(frame, b"\rREADY name=gui *2A\n");
/// ```
pub struct FrameBuf {
    buf: [u8; MAX_FRAME_LEN],
}

impl Default for FrameBuf {
    fn default() -> Self {
        Self::new()
    }
}

impl FrameBuf {
    /// An empty buffer.
    pub const fn new() -> Self {
        FrameBuf {
            buf: [0; MAX_FRAME_LEN],
        }
    }

    /// Encodes `msg` as one whole frame: CR, body, ` *HH`, LF. A message
    /// that would not fit is an error and nothing is produced.
    #[inline]
    pub fn encode(&mut self, msg: &Message<'_>) -> Result<&[u8], EncodeError> {
        let mut body = BodyWriter::new(&mut self.buf);
        msg.write_body(&mut body);
        body.finish(msg.type_name())
    }
}

/// Appends a body after the CR; counts the length it would need even past
/// the end, so an oversize message reports its full size.
pub(crate) struct BodyWriter<'b> {
    buf: &'b mut [u8; MAX_FRAME_LEN],
    len: usize,
}

/// Room for the checksum suffix and LF after the body.
const TAIL: usize = crate::frame::CHECKSUM_LEN + 1;

impl<'b> BodyWriter<'b> {
    fn new(buf: &'b mut [u8; MAX_FRAME_LEN]) -> Self {
        buf[0] = CR;
        BodyWriter { buf, len: 1 }
    }

    #[inline(always)]
    pub(crate) fn put(&mut self, bytes: &[u8]) {
        let end = self.len + bytes.len();
        if let Some(dst) = self.buf.get_mut(self.len..end) {
            dst.copy_from_slice(bytes);
        }
        self.len = end;
    }

    /// The TYPE.
    pub(crate) fn msg_type(&mut self, t: &[u8]) {
        self.put(t);
    }

    /// ` key=` with one bound check. Inlined so the key's length is known
    /// where it is a literal, and the copy is a few moves.
    #[inline(always)]
    fn key(&mut self, key: &str) {
        let k = key.as_bytes();
        let end = self.len + k.len() + 2;
        if let Some([space, dst @ .., eq]) = self.buf.get_mut(self.len..end) {
            *space = b' ';
            dst.copy_from_slice(k);
            *eq = b'=';
        }
        self.len = end;
    }

    /// Decimal digits, two at a time, written straight into the buffer
    /// (no temporary, no copy call: this is the hot path of every sample).
    #[inline(always)]
    fn digits(&mut self, mut v: u64) {
        const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
            2021222324252627282930313233343536373839\
            4041424344454647484950515253545556575859\
            6061626364656667686970717273747576777879\
            8081828384858687888990919293949596979899";
        let n = v.checked_ilog10().unwrap_or(0) as usize + 1;
        let end = self.len + n;
        if let Some(dst) = self.buf.get_mut(self.len..end) {
            let mut i = n;
            while v >= 100 {
                let pair = (v % 100) as usize * 2;
                v /= 100;
                i -= 2;
                dst[i] = PAIRS[pair];
                dst[i + 1] = PAIRS[pair + 1];
            }
            // The loop leaves v below 100: two digits or one.
            #[allow(clippy::cast_possible_truncation, reason = "v < 100 here")]
            if v >= 10 {
                let pair = v as usize * 2;
                dst[0] = PAIRS[pair];
                dst[1] = PAIRS[pair + 1];
            } else {
                dst[0] = b'0' + v as u8;
            }
        }
        self.len = end;
    }

    #[inline(always)]
    pub(crate) fn u64(&mut self, key: &str, v: u64) {
        self.key(key);
        self.digits(v);
    }

    #[inline(always)]
    pub(crate) fn i64(&mut self, key: &str, v: i64) {
        self.key(key);
        if v < 0 {
            self.put(b"-");
        }
        self.digits(v.unsigned_abs());
    }

    pub(crate) fn token(&mut self, key: &str, v: Token<'_>) {
        self.key(key);
        self.put(v.as_str().as_bytes());
    }

    pub(crate) fn name(&mut self, key: &str, v: &str) {
        self.key(key);
        self.put(v.as_bytes());
    }

    /// A text field; an empty text is left out (a value is never empty).
    pub(crate) fn text(&mut self, key: &str, v: &Text<'_>) {
        if v.is_empty() {
            return;
        }
        self.key(key);
        let start = self.len;
        let end = start + v.encoded_len();
        if end <= MAX_FRAME_LEN {
            v.write_encoded(|p| self.put(p));
        }
        self.len = end;
    }

    fn finish(self, msg_type: &'static str) -> Result<&'b [u8], EncodeError> {
        let total = self.len + TAIL;
        if total > MAX_FRAME_LEN {
            return Err(EncodeError::TooLong {
                msg_type,
                len: total,
            });
        }
        let sum = checksum(&self.buf[1..self.len]);
        let tail = [
            b' ',
            b'*',
            HEX_UPPER[(sum >> 4) as usize],
            HEX_UPPER[(sum & 15) as usize],
            LF,
        ];
        self.buf[self.len..total].copy_from_slice(&tail);
        Ok(&self.buf[..total])
    }
}
