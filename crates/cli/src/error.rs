//! The one error of a command line that cannot run.

use std::borrow::Cow;
use std::ffi::OsString;

/// A command line that cannot run. Each names the argument at fault (the
/// flag, or the argument as given) and, for a value, what is expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UsageError {
    /// A flag this program does not have (as given, before any `=`).
    #[error("unknown argument `{}` (--help lists them)", .0.to_string_lossy())]
    Unknown(OsString),
    /// An argument that is not a flag where the program takes no (more)
    /// operands.
    #[error("unexpected argument `{}` (--help shows the usage)", .0.to_string_lossy())]
    Unexpected(OsString),
    /// A flag that takes a value, last in argv.
    #[error("{0} needs a value")]
    MissingValue(&'static str),
    /// A switch given a value (`--check=yes`).
    #[error("{flag} takes no value (given `{flag}={}`)", .value.to_string_lossy())]
    NoValue {
        /// The switch.
        flag: &'static str,
        /// The value given.
        value: OsString,
    },
    /// A flag that may be given once, given again.
    #[error("{0} given twice")]
    Twice(&'static str),
    /// A required flag is absent.
    #[error("{0} is required (--help shows the usage)")]
    Required(&'static str),
    /// A value that must be text and is not valid UTF-8.
    #[error("{flag} {value:?}: expected UTF-8 text")]
    ValueNotUnicode {
        /// The flag.
        flag: &'static str,
        /// The value given.
        value: OsString,
    },
    /// A value the flag does not take.
    #[error("{flag} `{}`: expected {expected}", .value.to_string_lossy())]
    BadValue {
        /// The flag (or the operand's name, e.g. `TARGET`).
        flag: &'static str,
        /// The value given.
        value: OsString,
        /// What it should be, e.g. `a rate in Hz, 1..=1000`.
        expected: Cow<'static, str>,
    },
    /// A value its type's parser refused, with the parser's reason.
    #[error("{flag} `{}`: {reason}", .value.to_string_lossy())]
    Invalid {
        /// The flag (or the operand's name).
        flag: &'static str,
        /// The value given.
        value: OsString,
        /// Why, from the value's parser.
        reason: String,
    },
    /// A flag that does not go with the others.
    #[error("{flag}: {reason}")]
    Conflict {
        /// The flag.
        flag: &'static str,
        /// Why it does not apply, and what to do.
        reason: Cow<'static, str>,
    },
    /// A flag that needs another one, absent.
    #[error("{flag} needs {needs}")]
    Needs {
        /// The flag.
        flag: &'static str,
        /// The flag it needs.
        needs: &'static str,
    },
}

impl UsageError {
    /// [`UsageError::BadValue`]: `flag` does not take `value`.
    pub fn bad_value(
        flag: &'static str,
        value: impl Into<OsString>,
        expected: impl Into<Cow<'static, str>>,
    ) -> Self {
        UsageError::BadValue {
            flag,
            value: value.into(),
            expected: expected.into(),
        }
    }

    /// [`UsageError::Conflict`]: `flag` does not go with the others.
    pub fn conflict(flag: &'static str, reason: impl Into<Cow<'static, str>>) -> Self {
        UsageError::Conflict {
            flag,
            reason: reason.into(),
        }
    }
}
