//! Why a frame was dropped, why a message did not decode, why one could not
//! be encoded.

/// Why a body breaks the message grammar or a known TYPE's fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The TYPE is missing, longer than 8, or has bytes other than A-Z 0-9.
    #[error("TYPE must be 1-8 of A-Z 0-9, followed by a space or the end")]
    BadType,
    /// A field is not `key=value` with a key of 1-16 of a-z 0-9 `_`
    /// (also: two spaces in a row, a trailing space).
    #[error("field {index}: expected key=value with a key of 1-16 of a-z 0-9 _")]
    BadKey {
        /// Position of the field, 0 for the first after the TYPE.
        index: u8,
    },
    /// A value is empty or contains `*`.
    #[error("field {index}: the value is empty or contains '*'")]
    BadValue {
        /// Position of the field, 0 for the first after the TYPE.
        index: u8,
    },
    /// A field the TYPE requires is absent.
    #[error("missing field `{0}`")]
    MissingField(&'static str),
    /// A known key appears twice.
    #[error("field `{0}` appears twice")]
    DuplicateField(&'static str),
    /// A known key's value does not fit its type.
    #[error("field `{key}`: {problem}")]
    InvalidValue {
        /// The key.
        key: &'static str,
        /// What is wrong with its value.
        problem: ValueProblem,
    },
}

/// What is wrong with a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ValueProblem {
    /// Not a decimal integer (an optional `-`, then digits).
    #[error("not a decimal integer")]
    NotANumber,
    /// A number outside the field's range.
    #[error("number out of range")]
    OutOfRange,
    /// A name this protocol version does not define for the field.
    #[error("unknown name")]
    UnknownName,
    /// A `%` not followed by two hex digits.
    #[error("bad percent escape")]
    BadEscape,
    /// Fields that cannot stand together (e.g. `exit` and `sig`).
    #[error("conflicts with another field")]
    Conflict,
    /// A field that needs at least one of several companions has none.
    #[error("needs at least one setting")]
    NothingToSet,
}

/// Why the decoder dropped a frame. Each reason has a counter in
/// [`crate::Counters`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DropReason {
    /// A CR, or the end of the stream, came before the frame's LF.
    #[error("truncated: a new CR or the end of the stream came before LF")]
    Truncated,
    /// A byte outside 0x20..=0x7E inside the frame.
    #[error("byte {0:#04x} is not printable ASCII")]
    BadByte(u8),
    /// No LF within [`crate::MAX_FRAME_LEN`] bytes.
    #[error("longer than {} bytes", crate::MAX_FRAME_LEN)]
    Oversize,
    /// The ` *HH` checksum does not match the body.
    #[error("bad checksum: frame says {stated:02X}, body gives {computed:02X}")]
    BadChecksum {
        /// The checksum the frame carried.
        stated: u8,
        /// The XOR of the body.
        computed: u8,
    },
    /// The body breaks the grammar.
    #[error("malformed: {0}")]
    Malformed(DecodeError),
}

/// Why a message could not be encoded. Nothing is written in that case:
/// a frame is never truncated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// The frame would be longer than [`crate::MAX_FRAME_LEN`].
    #[error(
        "{msg_type} frame would be {len} bytes, over the {} byte limit",
        crate::MAX_FRAME_LEN
    )]
    TooLong {
        /// The TYPE of the message.
        msg_type: &'static str,
        /// The length the frame would have had.
        len: usize,
    },
}
