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
/// finds CR, LF and every other control byte at once). Each 32-byte block
/// is first judged as a whole, an OR of per-byte flags that compilers turn
/// into SIMD compares; only the block that holds the answer is searched,
/// eight bytes a step.
#[inline]
pub fn first_non_printable(bytes: &[u8]) -> Option<usize> {
    let (blocks, rest) = bytes.as_chunks::<32>();
    for (n, block) in blocks.iter().enumerate() {
        let bad = block
            .iter()
            .fold(0u8, |acc, &b| acc | u8::from(!is_printable(b)));
        if bad != 0 {
            return first_non_printable_swar(block).map(|i| n * 32 + i);
        }
    }
    let base = blocks.len() * 32;
    first_non_printable_swar(rest).map(|i| base + i)
}

/// [`first_non_printable`] eight bytes a step.
#[inline]
fn first_non_printable_swar(bytes: &[u8]) -> Option<usize> {
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

/// XOR of all bytes: the frame checksum (as NMEA 0183). 32 bytes a step
/// into 32 lanes (SIMD XORs), then folded.
#[inline]
pub fn checksum(bytes: &[u8]) -> u8 {
    let (blocks, rest) = bytes.as_chunks::<32>();
    let mut lanes = [0u8; 32];
    for block in blocks {
        for (lane, b) in lanes.iter_mut().zip(block) {
            *lane ^= b;
        }
    }
    lanes.iter().chain(rest).fold(0u8, |acc, b| acc ^ b)
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
        let Some(type_len) = type_len(content).and_then(|n| u8::try_from(n).ok()) else {
            return Err(crate::DropReason::Malformed(DecodeError::BadType));
        };
        Ok(Frame {
            content,
            type_len,
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
        Fields::new(self.content, self.type_len as usize)
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

/// Words of 64 bits covering a whole body, one bit per byte.
const MASK_WORDS: usize = MAX_BODY_LEN.div_ceil(64);

/// Bit 7 of each byte of the result is set where that byte of `w` equals `c`.
#[inline]
const fn eq_mask(w: u64, c: u8) -> u64 {
    let x = w ^ (c as u64 * LO);
    !(((x & !HI) + !HI) | x) & HI
}

/// Bit 7 of each byte set where `lo <= byte <= hi`, for bytes below 0x80
/// (a body is printable, so every byte is).
#[inline]
const fn range_mask(w: u64, lo: u8, hi: u8) -> u64 {
    let ge_lo = w + (0x80 - lo as u64) * LO;
    let gt_hi = w + (0x7F - hi as u64) * LO;
    ge_lo & !gt_hi & HI
}

/// Bit 7 of each byte set where that byte cannot stand in a key.
#[inline]
const fn non_key_mask(w: u64) -> u64 {
    let key = range_mask(w, b'a', b'z') | range_mask(w, b'0', b'9') | eq_mask(w, b'_');
    !key & HI
}

/// Gathers bit 7 of each byte into the low 8 bits (byte i to bit i).
#[inline]
const fn movemask(m: u64) -> u64 {
    ((m >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56
}

/// Iterator over a frame's fields; see [`Frame::fields`].
///
/// It finds field boundaries in bit masks of the whole body built eight
/// bytes a step, so splitting fields does not branch per byte.
#[derive(Clone)]
pub struct Fields<'a> {
    content: &'a [u8],
    /// At the space before the next field, or at the end.
    pos: usize,
    /// Bit i set where `content[i]` is a space.
    spaces: [u64; MASK_WORDS],
    /// Where the first `*` is (none may stand in a value), or the end.
    first_star: usize,
    index: u8,
}

impl<'a> Fields<'a> {
    #[inline]
    fn new(content: &'a [u8], pos: usize) -> Self {
        let mut spaces = [0u64; MASK_WORDS];
        let mut first_star = content.len();
        let (words, tail) = content.as_chunks::<8>();
        let mut last = [0u8; 8];
        last[..tail.len()].copy_from_slice(tail);
        for (j, w) in words.iter().chain(core::iter::once(&last)).enumerate() {
            let w = u64::from_le_bytes(*w);
            if let Some(slot) = spaces.get_mut(j / 8) {
                *slot |= movemask(eq_mask(w, b' ')) << (8 * (j % 8));
            }
            let stars = eq_mask(w, b'*');
            if stars != 0 && first_star == content.len() {
                first_star = j * 8 + (stars.trailing_zeros() / 8) as usize;
            }
        }
        Fields {
            content,
            pos,
            spaces,
            first_star,
            index: 0,
        }
    }

    /// The first space at or after `from`, or the end of the content.
    #[inline]
    fn next_space(&self, from: usize) -> usize {
        let mut word = from / 64;
        let Some(&first) = self.spaces.get(word) else {
            return self.content.len();
        };
        let mut bits = first & (!0u64 << (from % 64));
        while bits == 0 {
            word += 1;
            match self.spaces.get(word) {
                Some(&b) => bits = b,
                None => return self.content.len(),
            }
        }
        (word * 64 + bits.trailing_zeros() as usize).min(self.content.len())
    }

    /// Length of the run of key bytes at the start of `rest` (17 meaning
    /// "more than 16"). Sixteen bytes at once where the body has them.
    #[inline]
    fn key_len(rest: &[u8]) -> usize {
        let Some(head) = rest.first_chunk::<16>() else {
            // Near the end of the body: few bytes, plain loop.
            return rest
                .iter()
                .take(MAX_KEY_LEN + 1)
                .position(|&b| !is_key_byte(b))
                .unwrap_or(rest.len().min(MAX_KEY_LEN + 1));
        };
        let (a, b) = head.split_at(8);
        let lo = non_key_mask(u64::from_le_bytes(a.try_into().unwrap_or_default()));
        let hi = non_key_mask(u64::from_le_bytes(b.try_into().unwrap_or_default()));
        let bits = movemask(lo) | movemask(hi) << 8;
        if bits == 0 {
            // Sixteen key bytes: a 16-byte key if the next byte ends it.
            return 16 + usize::from(rest.get(16).is_some_and(|&b| is_key_byte(b)));
        }
        bits.trailing_zeros() as usize
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = Result<Field<'a>, DecodeError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.content.len() {
            return None;
        }
        // Here content[pos] is a space: the TYPE check and the previous
        // field ensure it.
        let start = self.pos + 1;
        let end = self.next_space(start);
        let index = self.index;
        self.index = self.index.saturating_add(1);
        let field = &self.content[start..end];
        // The key ends at or before the space that ends the field, so
        // looking past the field is harmless.
        let key_len = Self::key_len(&self.content[start..]);
        if key_len == 0 || key_len > MAX_KEY_LEN || field.get(key_len) != Some(&b'=') {
            self.pos = self.content.len();
            return Some(Err(DecodeError::BadKey { index }));
        }
        let value_at = start + key_len + 1;
        if value_at == end || (value_at..end).contains(&self.first_star) {
            self.pos = self.content.len();
            return Some(Err(DecodeError::BadValue { index }));
        }
        self.pos = end;
        Some(Ok(Field {
            key: &field[..key_len],
            value: &self.content[value_at..end],
        }))
    }
}

/// What [`Cursor::take`] found.
pub(crate) enum Take<'a> {
    /// The next field has another key.
    Absent,
    /// The next field has this key; its value (non-empty, no `*`).
    Value(&'a [u8]),
    /// The next field has this key but a bad value.
    Invalid,
}

/// Reads fields that are expected in a known order, without building the
/// masks of [`Fields`]: the fast path for frames from our own encoder,
/// which writes every TYPE's keys in one order. Whatever it cannot take,
/// the caller re-reads with [`Fields`], which gives the exact error.
pub(crate) struct Cursor<'a> {
    /// Empty, or starts with the space before the next field.
    rest: &'a [u8],
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(frame: &Frame<'a>) -> Self {
        Cursor {
            rest: &frame.content[frame.type_len as usize..],
        }
    }

    /// Takes the next field if its key is `key`.
    #[inline(always)]
    pub(crate) fn take(&mut self, key: &str) -> Take<'a> {
        let k = key.as_bytes();
        let [b' ', rest @ ..] = self.rest else {
            return Take::Absent;
        };
        match rest.split_at_checked(k.len()) {
            Some((head, [b'=', v @ ..])) if head == k => {
                let end = value_end(v);
                if end == 0 || v.get(end) == Some(&b'*') {
                    return Take::Invalid;
                }
                self.rest = &v[end..];
                Take::Value(&v[..end])
            }
            _ => Take::Absent,
        }
    }

    /// Whether every field was taken.
    pub(crate) fn at_end(&self) -> bool {
        self.rest.is_empty()
    }
}

/// Index of the first space or `*` in `v`, or its length; eight bytes a step.
#[inline(always)]
fn value_end(v: &[u8]) -> usize {
    let (words, tail) = v.as_chunks::<8>();
    for (n, w) in words.iter().enumerate() {
        let w = u64::from_le_bytes(*w);
        let m = eq_mask(w, b' ') | eq_mask(w, b'*');
        if m != 0 {
            return n * 8 + (m.trailing_zeros() / 8) as usize;
        }
    }
    let base = words.len() * 8;
    base + tail
        .iter()
        .position(|&b| b == b' ' || b == b'*')
        .unwrap_or(tail.len())
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
    fn masks_match_their_definitions_for_every_printable_byte_at_every_lane() {
        for b in 0x20..=0x7Eu8 {
            for lane in 0..8 {
                let mut w = [b'A'; 8];
                w[lane] = b;
                let w = u64::from_le_bytes(w);
                let bit = |m: u64| movemask(m) >> lane & 1 == 1;
                assert_eq!(bit(eq_mask(w, b' ')), b == b' ', "{b:#x} {lane}");
                assert_eq!(bit(eq_mask(w, b'*')), b == b'*', "{b:#x} {lane}");
                assert_eq!(bit(non_key_mask(w)), !is_key_byte(b), "{b:#x} {lane}");
                assert_eq!(movemask(eq_mask(w, b)) >> lane & 1, 1);
            }
        }
    }

    #[test]
    fn fields_split_across_mask_words() {
        // Fields straddling 64-byte word edges, up to the longest body.
        for pad in 1..70 {
            let body = format!("T a={} bb=2 c={}", "x".repeat(pad), "y".repeat(400));
            let f = Frame::parse(body.as_bytes()).unwrap();
            let got: std::vec::Vec<_> = f.fields().map(|f| f.unwrap().key()).collect();
            assert_eq!(got, ["a", "bb", "c"], "pad {pad}");
            assert_eq!(f.field("c").map(str::len), Some(400));
        }
    }

    #[test]
    fn checksum_is_xor_of_all_bytes() {
        let data: [u8; 23] = core::array::from_fn(|i| {
            let i = u8::try_from(i).unwrap();
            i.wrapping_mul(37).wrapping_add(11)
        });
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
