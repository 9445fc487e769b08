//! Value types that carry strings: [`Token`] (a name, sent as is) and
//! [`Text`] (free text, percent-encoded on the wire).

use crate::error::ValueProblem;
use crate::frame::{HEX_UPPER, is_value_byte};

/// A name sent as is: 1 or more printable bytes, no space, no `*`
/// (process names, versions).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Token<'a>(&'a str);

impl<'a> Token<'a> {
    /// What a token is, in the words of a message that refuses one (a
    /// process name on a command line).
    pub const RULE: &'static str = "a name of printable ASCII without spaces or `*`";

    /// Checks `s` is a valid token.
    pub const fn new(s: &'a str) -> Result<Self, ValueProblem> {
        let b = s.as_bytes();
        if b.is_empty() {
            return Err(ValueProblem::UnknownName);
        }
        let mut i = 0;
        while i < b.len() {
            if !is_value_byte(b[i]) {
                return Err(ValueProblem::UnknownName);
            }
            i += 1;
        }
        Ok(Token(s))
    }

    /// A token from a value the field parser has already checked.
    pub(crate) fn from_value(s: &'a str) -> Self {
        Token(s)
    }

    /// The token.
    pub const fn as_str(&self) -> &'a str {
        self.0
    }
}

impl core::fmt::Debug for Token<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(self.0, f)
    }
}

impl core::fmt::Display for Token<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.0)
    }
}

/// Free text (log lines, error descriptions). On the wire every byte that is
/// not a value byte, and `%`, is written `%HH`; an empty text is sent as an
/// absent field. Two texts are equal when their decoded bytes are, so a
/// text read off the wire equals the one that was sent.
#[derive(Clone, Copy)]
pub struct Text<'a>(Repr<'a>);

#[derive(Clone, Copy)]
enum Repr<'a> {
    /// Plain text, as given by the sender.
    Plain(&'a [u8]),
    /// Percent-encoded, as read off the wire (escapes already checked).
    Encoded(&'a [u8]),
}

impl<'a> Text<'a> {
    /// Text to send.
    pub const fn new(s: &'a str) -> Self {
        Text(Repr::Plain(s.as_bytes()))
    }

    /// Text from a received, percent-encoded value.
    pub(crate) fn from_wire(b: &'a [u8]) -> Result<Self, ValueProblem> {
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' {
                let ok = matches!(b.get(i + 1..i + 3), Some([h, l])
                    if h.is_ascii_hexdigit() && l.is_ascii_hexdigit());
                if !ok {
                    return Err(ValueProblem::BadEscape);
                }
                i += 3;
            } else {
                i += 1;
            }
        }
        Ok(Text(Repr::Encoded(b)))
    }

    /// The decoded bytes, one at a time.
    pub fn bytes(&self) -> impl Iterator<Item = u8> + 'a {
        let (src, encoded) = match self.0 {
            Repr::Plain(b) => (b, false),
            Repr::Encoded(b) => (b, true),
        };
        let mut i = 0;
        core::iter::from_fn(move || {
            let b = *src.get(i)?;
            if encoded && b == b'%' {
                let v = src
                    .get(i + 1..i + 3)
                    .map_or(0, |hl| hex(hl[0]) << 4 | hex(hl[1]));
                i += 3;
                Some(v)
            } else {
                i += 1;
                Some(b)
            }
        })
    }

    /// Whether the decoded text is empty.
    pub fn is_empty(&self) -> bool {
        match self.0 {
            Repr::Plain(b) | Repr::Encoded(b) => b.is_empty(),
        }
    }

    /// The plain text as sent, when this text was made with [`Text::new`].
    pub fn as_plain(&self) -> Option<&'a str> {
        match self.0 {
            Repr::Plain(b) => core::str::from_utf8(b).ok(),
            Repr::Encoded(_) => None,
        }
    }

    /// Writes the wire form into `out` (no bound check: the caller reserves).
    pub(crate) fn encoded_len(&self) -> usize {
        match self.0 {
            Repr::Plain(b) => b.iter().map(|&c| if needs_escape(c) { 3 } else { 1 }).sum(),
            Repr::Encoded(b) => b.len(),
        }
    }

    /// Calls `put` with the wire form, piece by piece.
    pub(crate) fn write_encoded(&self, mut put: impl FnMut(&[u8])) {
        match self.0 {
            Repr::Encoded(b) => put(b),
            Repr::Plain(b) => {
                let mut start = 0;
                for (i, &c) in b.iter().enumerate() {
                    if needs_escape(c) {
                        put(&b[start..i]);
                        put(&[
                            b'%',
                            HEX_UPPER[(c >> 4) as usize],
                            HEX_UPPER[(c & 15) as usize],
                        ]);
                        start = i + 1;
                    }
                }
                put(&b[start..]);
            }
        }
    }
}

/// Bytes that cannot stand in a value, plus `%` itself.
const fn needs_escape(c: u8) -> bool {
    !is_value_byte(c) || c == b'%'
}

const fn hex(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        b'A'..=b'F' => c - b'A' + 10,
        _ => 0,
    }
}

impl PartialEq for Text<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.bytes().eq(other.bytes())
    }
}

impl Eq for Text<'_> {}

impl core::fmt::Display for Text<'_> {
    /// The decoded text; bytes that are not UTF-8 show as U+FFFD.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Decoded text is never longer than its wire form, which fits a frame.
        let mut buf = [0u8; crate::MAX_BODY_LEN];
        let mut n = 0;
        for b in self.bytes() {
            if let Some(slot) = buf.get_mut(n) {
                *slot = b;
                n += 1;
            }
        }
        for chunk in buf[..n].utf8_chunks() {
            f.write_str(chunk.valid())?;
            if !chunk.invalid().is_empty() {
                f.write_str("\u{FFFD}")?;
            }
        }
        Ok(())
    }
}

impl core::fmt::Debug for Text<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Text({:?})", DisplayAsDebug(self))
    }
}

struct DisplayAsDebug<'t, 'a>(&'t Text<'a>);

impl core::fmt::Debug for DisplayAsDebug<'_, '_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("\"")?;
        for b in self.0.bytes() {
            write!(f, "{}", core::ascii::escape_default(b))?;
        }
        f.write_str("\"")
    }
}

impl<'a> From<&'a str> for Text<'a> {
    fn from(s: &'a str) -> Self {
        Text::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(t: &Text<'_>) -> std::vec::Vec<u8> {
        let mut v = std::vec::Vec::new();
        t.write_encoded(|p| v.extend_from_slice(p));
        assert_eq!(v.len(), t.encoded_len());
        v
    }

    #[test]
    fn escapes_reserved_bytes_only() {
        assert_eq!(wire(&Text::new("plain-text_1.0")), b"plain-text_1.0");
        assert_eq!(wire(&Text::new("a b*c%d")), b"a%20b%2Ac%25d");
        assert_eq!(wire(&Text::new("tab\there\n")), b"tab%09here%0A");
        assert_eq!(wire(&Text::new("µ")), b"%C2%B5");
    }

    #[test]
    fn wire_form_decodes_to_the_same_text() {
        for s in ["", "x", "a b*c%d", "line\r\nbreak", "µs and °C", "%%%"] {
            let sent = Text::new(s);
            let w = std::string::String::from_utf8(wire(&sent)).unwrap();
            let got = Text::from_wire(w.as_bytes()).unwrap();
            assert_eq!(got, sent, "{s:?}");
            assert_eq!(std::format!("{got}"), s);
        }
    }

    #[test]
    fn lower_case_escapes_are_accepted() {
        assert_eq!(Text::from_wire(b"a%2ab").unwrap(), Text::new("a*b"));
    }

    #[test]
    fn bad_escapes_are_rejected() {
        for bad in ["%", "%2", "%G0", "ab%2"] {
            assert_eq!(
                Text::from_wire(bad.as_bytes()).err(),
                Some(ValueProblem::BadEscape),
                "{bad}"
            );
        }
    }

    #[test]
    fn invalid_utf8_displays_replacement() {
        let t = Text::from_wire(b"ok%FF").unwrap();
        assert_eq!(std::format!("{t}"), "ok\u{FFFD}");
    }

    #[test]
    fn tokens() {
        assert!(Token::new("motion").is_ok());
        assert!(Token::new("0.1.0-rc1+g1234").is_ok());
        assert!(Token::new("").is_err());
        assert!(Token::new("a b").is_err());
        assert!(Token::new("a*b").is_err());
        assert!(Token::new("µ").is_err());
    }
}
