//! Frames: the byte-level rules of the protocol, and a validated view of one
//! frame's body with its TYPE and fields.

use crate::error::DecodeError;

/// Start of a frame.
pub const CR: u8 = 0x0D;
/// End of a frame.
pub const LF: u8 = 0x0A;
/// The longest frame, CR and LF included. Well under `PIPE_BUF` (4096), so
/// one `write(2)` of a frame to a pipe is atomic.
pub const MAX_FRAME_LEN: usize = 512;
/// The longest body (everything between CR and LF, checksum included).
pub const MAX_BODY_LEN: usize = MAX_FRAME_LEN - 2;
/// The longest TYPE.
pub const MAX_TYPE_LEN: usize = 8;
/// The longest field key.
pub const MAX_KEY_LEN: usize = 16;
/// Length of the checksum suffix ` *HH`.
pub const CHECKSUM_LEN: usize = 4;

/// Is `b` allowed in a body (printable ASCII, 0x20..=0x7E)?
#[inline]
pub const fn is_printable(b: u8) -> bool {
    matches!(b, 0x20..=0x7E)
}

/// Is `b` allowed in a TYPE (A-Z, 0-9)?
#[inline]
pub const fn is_type_byte(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit()
}

/// Is `b` allowed in a key (a-z, 0-9, `_`)?
#[inline]
pub const fn is_key_byte(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'
}

/// Is `b` allowed in a value (printable, not space, not `*`)?
#[inline]
pub const fn is_value_byte(b: u8) -> bool {
    is_printable(b) && b != b' ' && b != b'*'
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// Bit 7 of each byte of the result is set where that byte of `w` is not
/// printable (below 0x20 or above 0x7E). Exact per byte: no carry crosses a
/// byte, because every addition works on 7-bit values.
#[inline]
const fn non_printable_mask(w: u64) -> u64 {
    let low7 = w & !HI;
    let is_7f = low7 + LO; // bit 7 set iff low7 == 0x7F
    let ge_20 = low7 + 0x60 * LO; // bit 7 set iff low7 >= 0x20
    (w | is_7f | !ge_20) & HI
}

/// Index of the first byte of `bytes` that is not printable ASCII (this
/// finds CR, LF and every other control byte at once), eight bytes a step.
#[inline]
pub fn first_non_printable(bytes: &[u8]) -> Option<usize> {
    let (words, tail) = bytes.as_chunks::<8>();
    for (n, word) in words.iter().enumerate() {
        let mask = non_printable_mask(u64::from_le_bytes(*word));
        if mask != 0 {
            return Some(n * 8 + (mask.trailing_zeros() / 8) as usize);
        }
    }
    let base = words.len() * 8;
    tail.iter()
        .position(|&b| !is_printable(b))
        .map(|i| base + i)
}

/// XOR of all bytes: the frame checksum (as NMEA 0183).
#[inline]
pub fn checksum(bytes: &[u8]) -> u8 {
    let (words, tail) = bytes.as_chunks::<8>();
    let mut acc = words
        .iter()
        .fold(0u64, |acc, w| acc ^ u64::from_le_bytes(*w));
    acc ^= acc >> 32;
    acc ^= acc >> 16;
    acc ^= acc >> 8;
    tail.iter().fold(acc as u8, |acc, b| acc ^ b)
}

/// Upper-case hex digit value (the checksum is always upper case).
#[inline]
pub(crate) const fn hex_upper(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

pub(crate) const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Bytes a checked body tells apart: its content and the checksum state.
pub(crate) enum Checked<'a> {
    /// The body carried a correct ` *HH` (stripped from the content).
    Valid(&'a [u8]),
    /// The body carried no checksum.
    Absent(&'a [u8]),
    /// The body carried ` *HH` that does not match its content.
    Mismatch { stated: u8, computed: u8 },
}

/// Splits off and verifies the optional ` *HH` checksum suffix.
#[inline]
pub(crate) fn check_checksum(body: &[u8]) -> Checked<'_> {
    if let [content @ .., b' ', b'*', h, l] = body
        && let (Some(h), Some(l)) = (hex_upper(*h), hex_upper(*l))
    {
        let stated = h << 4 | l;
        let computed = checksum(content);
        return if stated == computed {
            Checked::Valid(content)
        } else {
            Checked::Mismatch { stated, computed }
        };
    }
    Checked::Absent(body)
}

/// Length of the TYPE at the start of `content`, if it is valid: 1 to 8 of
/// A-Z 0-9, followed by the end or a space.
#[inline]
pub(crate) fn type_len(content: &[u8]) -> Option<usize> {
    let n = content
        .iter()
        .take(MAX_TYPE_LEN + 1)
        .position(|&b| !is_type_byte(b))
        .unwrap_or(content.len().min(MAX_TYPE_LEN + 1));
    let ends_well = matches!(content.get(n), None | Some(b' '));
    (1..=MAX_TYPE_LEN)
        .contains(&n)
        .then_some(n)
        .filter(|_| ends_well)
}

/// One received frame: its body is printable ASCII, at most
/// [`MAX_BODY_LEN`] bytes, carried a correct checksum or none, and starts
/// with a valid TYPE. Fields are checked as they are read ([`Frame::fields`]).
#[derive(Clone, Copy)]
pub struct Frame<'a> {
    content: &'a [u8],
    type_len: u8,
    checksummed: bool,
}

impl<'a> Frame<'a> {
    /// Checks a body (the bytes between CR and LF) against the frame rules.
    /// The decoder has already checked length and bytes; this is public for
    /// callers that frame by other means.
    pub fn parse(body: &'a [u8]) -> Result<Self, crate::DropReason> {
        if body.len() > MAX_BODY_LEN {
            return Err(crate::DropReason::Oversize);
        }
        if let Some(i) = first_non_printable(body) {
            return Err(crate::DropReason::BadByte(body[i]));
        }
        Self::from_printable(body)
    }

    /// [`Frame::parse`] for a body already known to be printable and short.
    #[inline]
    pub(crate) fn from_printable(body: &'a [u8]) -> Result<Self, crate::DropReason> {
        let (content, checksummed) = match check_checksum(body) {
            Checked::Valid(c) => (c, true),
            Checked::Absent(c) => (c, false),
            Checked::Mismatch { stated, computed } => {
                return Err(crate::DropReason::BadChecksum { stated, computed });
            }
        };
        let Some(type_len) = type_len(content) else {
            return Err(crate::DropReason::Malformed(DecodeError::BadType));
        };
        Ok(Frame {
            content,
            type_len: type_len as u8,
            checksummed,
        })
    }

    /// The TYPE, e.g. `"IMU"`.
    pub fn msg_type(&self) -> &'a str {
        ascii(&self.content[..self.type_len as usize])
    }

    /// The TYPE as bytes.
    pub fn type_bytes(&self) -> &'a [u8] {
        &self.content[..self.type_len as usize]
    }

    /// The body without its checksum: TYPE and fields, e.g.
    /// `"IMU seq=1 t=10"`.
    pub fn content(&self) -> &'a str {
        ascii(self.content)
    }

    /// Whether the frame carried a (correct) checksum.
    pub fn had_checksum(&self) -> bool {
        self.checksummed
    }

    /// The fields in order; each is checked against the grammar as it is
    /// read, and iteration ends after the first error.
    pub fn fields(&self) -> Fields<'a> {
        Fields {
            rest: &self.content[self.type_len as usize..],
            index: 0,
        }
    }

    /// The value of the first field named `key`, if the fields up to it are
    /// well formed. Handy for diagnostics, e.g. the `id` of a bad command.
    pub fn field(&self, key: &str) -> Option<&'a str> {
        self.fields()
            .map_while(Result::ok)
            .find(|f| f.key_bytes() == key.as_bytes())
            .map(|f| f.value())
    }

    /// Checks every field.
    pub fn validate_fields(&self) -> Result<(), DecodeError> {
        self.fields().try_for_each(|f| f.map(drop))
    }
}

impl PartialEq for Frame<'_> {
    /// Frames are equal when their TYPE and fields are; the checksum is
    /// transport, not content.
    fn eq(&self, other: &Self) -> bool {
        self.content == other.content
    }
}

impl Eq for Frame<'_> {}

impl core::fmt::Debug for Frame<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Frame({:?})", self.content())
    }
}

/// One `key=value` field.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Field<'a> {
    key: &'a [u8],
    value: &'a [u8],
}

impl<'a> Field<'a> {
    /// The key.
    pub fn key(&self) -> &'a str {
        ascii(self.key)
    }
    /// The key as bytes.
    pub fn key_bytes(&self) -> &'a [u8] {
        self.key
    }
    /// The value as it stands on the wire (text values are still
    /// percent-encoded).
    pub fn value(&self) -> &'a str {
        ascii(self.value)
    }
    /// The value as bytes.
    pub fn value_bytes(&self) -> &'a [u8] {
        self.value
    }
}

impl core::fmt::Debug for Field<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}={}", self.key(), self.value())
    }
}

/// Iterator over a frame's fields; see [`Frame::fields`].
#[derive(Clone)]
pub struct Fields<'a> {
    /// Empty, or starts with the space before the next field.
    rest: &'a [u8],
    index: u8,
}

impl<'a> Iterator for Fields<'a> {
    type Item = Result<Field<'a>, DecodeError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let [b' ', s @ ..] = self.rest else {
            // The TYPE check guarantees a space or the end here.
            return None;
        };
        let index = self.index;
        self.index = self.index.saturating_add(1);
        let key_len = s
            .iter()
            .take(MAX_KEY_LEN + 1)
            .position(|&b| !is_key_byte(b))
            .unwrap_or(s.len());
        if key_len == 0 || key_len > MAX_KEY_LEN || s.get(key_len) != Some(&b'=') {
            self.rest = &[];
            return Some(Err(DecodeError::BadKey { index }));
        }
        let v = &s[key_len + 1..];
        let value_len = v.iter().position(|&b| b == b' ').unwrap_or(v.len());
        let value = &v[..value_len];
        if value.is_empty() || value.contains(&b'*') {
            self.rest = &[];
            return Some(Err(DecodeError::BadValue { index }));
        }
        self.rest = &v[value_len..];
        Some(Ok(Field {
            key: &s[..key_len],
            value,
        }))
    }
}

/// Bytes known to be ASCII as `&str`.
#[inline]
pub(crate) fn ascii(bytes: &[u8]) -> &str {
    // Bodies are checked printable before any Frame exists, so this never
    // falls back; the fallback keeps the path free of panics.
    core::str::from_utf8(bytes).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_printable_scan_matches_the_definition_for_every_byte_at_every_lane() {
        for b in 0..=255u8 {
            for lane in 0..17 {
                let mut buf = [b'A'; 17];
                buf[lane] = b;
                let want = (!is_printable(b)).then_some(lane);
                assert_eq!(first_non_printable(&buf), want, "byte {b:#04x} lane {lane}");
            }
        }
    }

    #[test]
    fn checksum_is_xor_of_all_bytes() {
        let data: [u8; 23] = core::array::from_fn(|i| (i * 37 + 11) as u8);
        for n in 0..data.len() {
            let want = data[..n].iter().fold(0, |a, b| a ^ b);
            assert_eq!(checksum(&data[..n]), want);
        }
        // The NMEA example sentence body.
        assert_eq!(checksum(b"GPGLL,5300.97914,N,00259.98174,E,125926,A"), 0x28);
    }

    #[test]
    fn checksum_suffix_is_verified_and_stripped() {
        let body = b"HB seq=1";
        let sum = checksum(body);
        let mut full = body.to_vec();
        full.extend_from_slice(b" *");
        full.push(HEX_UPPER[(sum >> 4) as usize]);
        full.push(HEX_UPPER[(sum & 15) as usize]);
        let f = Frame::parse(&full).unwrap();
        assert!(f.had_checksum());
        assert_eq!(f.content(), "HB seq=1");

        let last = full.len() - 1;
        full[last] = if full[last] == b'0' { b'1' } else { b'0' };
        assert!(matches!(
            Frame::parse(&full),
            Err(crate::DropReason::BadChecksum { .. })
        ));
    }

    #[test]
    fn lower_case_checksum_is_not_a_checksum_and_makes_a_bad_field() {
        let f = Frame::parse(b"HB seq=1 *ab").unwrap();
        assert!(!f.had_checksum());
        assert_eq!(f.validate_fields(), Err(DecodeError::BadKey { index: 1 }));
    }

    #[test]
    fn type_rules() {
        for good in ["A", "HB", "IMU", "ABCDEFGH", "X1", "9"] {
            assert!(Frame::parse(good.as_bytes()).is_ok(), "{good}");
            assert!(
                Frame::parse(format!("{good} k=v").as_bytes()).is_ok(),
                "{good}"
            );
        }
        for bad in ["", "ABCDEFGHI", "imu", "IMU=", "IM-U", " IMU", "IMUx k=v"] {
            assert_eq!(
                Frame::parse(bad.as_bytes()),
                Err(crate::DropReason::Malformed(DecodeError::BadType)),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn field_rules() {
        let ok = |s: &str| Frame::parse(s.as_bytes()).unwrap().validate_fields();
        assert_eq!(ok("T a=1 b_2=x% c=%20"), Ok(()));
        assert_eq!(ok("T abcdefghijklmnop=1"), Ok(()));
        assert_eq!(ok("T a==b"), Ok(()), "a value may contain '='");
        assert_eq!(
            ok("T abcdefghijklmnopq=1"),
            Err(DecodeError::BadKey { index: 0 })
        );
        assert_eq!(ok("T A=1"), Err(DecodeError::BadKey { index: 0 }));
        assert_eq!(ok("T =1"), Err(DecodeError::BadKey { index: 0 }));
        assert_eq!(ok("T a"), Err(DecodeError::BadKey { index: 0 }));
        assert_eq!(ok("T a=1  b=2"), Err(DecodeError::BadKey { index: 1 }));
        assert_eq!(ok("T a=1 "), Err(DecodeError::BadKey { index: 1 }));
        assert_eq!(ok("T a="), Err(DecodeError::BadValue { index: 0 }));
        assert_eq!(ok("T a=1 b=x*y"), Err(DecodeError::BadValue { index: 1 }));
    }

    #[test]
    fn field_lookup() {
        let f = Frame::parse(b"CMD id=7 op=frob").unwrap();
        assert_eq!(f.msg_type(), "CMD");
        assert_eq!(f.field("op"), Some("frob"));
        assert_eq!(f.field("id"), Some("7"));
        assert_eq!(f.field("nope"), None);
    }
}
