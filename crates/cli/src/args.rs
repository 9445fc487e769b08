//! The lexed command line ([`Args`]) and the typing of its values
//! ([`Value`]).

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::ops::RangeInclusive;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;
use std::str::FromStr;

use crate::{Flag, Spec, UsageError};

/// A command line lexed by its [`Spec`]: the flags given, in order, and
/// the operands. The values are typed when asked for; every error names
/// the flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Args {
    pub(crate) spec: &'static Spec,
    /// The arguments as given; the rest points into them.
    pub(crate) argv: Vec<OsString>,
    /// Each flag given, with where its value is.
    pub(crate) given: Vec<(&'static Flag, Option<Place>)>,
    /// The operands, by index in `argv`.
    pub(crate) operands: Vec<usize>,
}

/// Where a value is: argument `arg` of argv, from byte `start` (after the
/// `=` of `--flag=value`, else 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Place {
    pub(crate) arg: usize,
    pub(crate) start: usize,
}

impl Args {
    fn value(&self, flag: &'static str, place: Place) -> Value<'_> {
        let arg = self.argv.get(place.arg).map_or(&[][..], |a| a.as_bytes());
        Value {
            flag,
            raw: OsStr::from_bytes(arg.get(place.start..).unwrap_or_default()),
        }
    }

    /// Whether `flag` was given (a switch, or a flag with a value).
    pub fn switch(&self, flag: &'static str) -> bool {
        self.check_known(flag);
        self.given.iter().any(|(given, _)| given.name == flag)
    }

    /// The value of `flag`, if it was given (the first, for a flag that
    /// repeats: see [`Args::in_order`]).
    pub fn get(&self, flag: &'static str) -> Option<Value<'_>> {
        self.check_known(flag);
        self.given.iter().find_map(|&(given, place)| match place {
            Some(place) if given.name == flag => Some(self.value(given.name, place)),
            _ => None,
        })
    }

    /// The value of `flag`, which must be given.
    pub fn required(&self, flag: &'static str) -> Result<Value<'_>, UsageError> {
        self.get(flag).ok_or(UsageError::Required(flag))
    }

    /// [`Value::text`] of `flag`, if given.
    pub fn text(&self, flag: &'static str) -> Result<Option<&str>, UsageError> {
        self.get(flag).map(|v| v.text()).transpose()
    }

    /// [`Value::checked_text`] of `flag`, if given.
    pub fn checked_text(
        &self,
        flag: &'static str,
        expected: &'static str,
        valid: impl FnOnce(&str) -> bool,
    ) -> Result<Option<&str>, UsageError> {
        self.get(flag)
            .map(|v| v.checked_text(expected, valid))
            .transpose()
    }

    /// [`Value::fd`] of `flag`, if given.
    pub fn fd(&self, flag: &'static str) -> Result<Option<String>, UsageError> {
        self.get(flag).map(|v| v.fd()).transpose()
    }

    /// [`Value::path`] of `flag`, if given.
    pub fn path(&self, flag: &'static str) -> Result<Option<PathBuf>, UsageError> {
        self.get(flag).map(|v| v.path()).transpose()
    }

    /// [`Value::number`] of `flag`, if given.
    pub fn number<T>(
        &self,
        flag: &'static str,
        range: RangeInclusive<T>,
        what: &str,
    ) -> Result<Option<T>, UsageError>
    where
        T: Copy + Into<u64> + TryFrom<u64>,
    {
        self.get(flag).map(|v| v.number(range, what)).transpose()
    }

    /// [`Value::byte`] of `flag`, if given.
    pub fn byte(
        &self,
        flag: &'static str,
        expected: &'static str,
    ) -> Result<Option<u8>, UsageError> {
        self.get(flag).map(|v| v.byte(expected)).transpose()
    }

    /// [`Value::choice`] of `flag`, if given.
    pub fn choice<T: Copy>(
        &self,
        flag: &'static str,
        choices: &[(&str, T)],
    ) -> Result<Option<T>, UsageError> {
        self.get(flag).map(|v| v.choice(choices)).transpose()
    }

    /// [`Value::parse`] of `flag`, if given.
    pub fn parse<T>(&self, flag: &'static str) -> Result<Option<T>, UsageError>
    where
        T: FromStr,
        T::Err: fmt::Display,
    {
        self.get(flag).map(|v| v.parse()).transpose()
    }

    /// The operands (arguments that are not flags), in order.
    pub fn operands(&self) -> impl ExactSizeIterator<Item = &OsStr> {
        self.operands.iter().map(|&i| self.argv[i].as_os_str())
    }

    /// Every flag given, in argv order, with its value (`None` for a
    /// switch): for a program whose flags are a script.
    pub fn in_order(&self) -> impl Iterator<Item = (&'static str, Option<Value<'_>>)> {
        self.given.iter().map(|&(flag, place)| {
            let value = place.map(|place| self.value(flag.name, place));
            (flag.name, value)
        })
    }

    /// Asking for a flag the spec does not have is the program's bug:
    /// every program's tests run its spec, so it shows there.
    fn check_known(&self, flag: &str) {
        debug_assert!(
            self.spec.flag(flag.as_bytes()).is_some(),
            "{flag} is not a flag of {}",
            self.spec.name
        );
    }
}

/// The value of one flag, typed on demand. Each conversion's error names
/// the flag and the value, and says what is expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Value<'a> {
    flag: &'static str,
    raw: &'a OsStr,
}

impl<'a> Value<'a> {
    /// The flag this is the value of.
    pub fn flag(&self) -> &'static str {
        self.flag
    }

    /// The value as given.
    pub fn os(&self) -> &'a OsStr {
        self.raw
    }

    /// The value as text: it must be UTF-8.
    pub fn text(&self) -> Result<&'a str, UsageError> {
        self.raw
            .to_str()
            .ok_or_else(|| UsageError::ValueNotUnicode {
                flag: self.flag,
                value: self.raw.to_owned(),
            })
    }

    /// The value as text that passes the program's own check `valid`;
    /// else the error is `expected EXPECTED`.
    pub fn checked_text(
        &self,
        expected: &'static str,
        valid: impl FnOnce(&str) -> bool,
    ) -> Result<&'a str, UsageError> {
        let text = self.text()?;
        if valid(text) {
            Ok(text)
        } else {
            Err(self.bad(expected))
        }
    }

    /// A file descriptor, kept as given: `pipe-ends` checks it when the
    /// program takes it (a number, open, a pipe, the right end).
    pub fn fd(&self) -> Result<String, UsageError> {
        self.text().map(str::to_owned)
    }

    /// A path: any bytes but none.
    pub fn path(&self) -> Result<PathBuf, UsageError> {
        if self.raw.is_empty() {
            return Err(self.bad("a path"));
        }
        Ok(PathBuf::from(self.raw))
    }

    /// A decimal number in `range`: digits only (no sign, space, `_` or
    /// suffix). The error says `expected WHAT, MIN..=MAX`.
    pub fn number<T>(&self, range: RangeInclusive<T>, what: &str) -> Result<T, UsageError>
    where
        T: Copy + Into<u64> + TryFrom<u64>,
    {
        let (min, max) = ((*range.start()).into(), (*range.end()).into());
        self.number_in(min, max, what)
            .and_then(|n| T::try_from(n).map_err(|_| self.out_of(min, max, what)))
    }

    fn number_in(&self, min: u64, max: u64, what: &str) -> Result<u64, UsageError> {
        let digits = self.raw.as_bytes();
        let n = if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) {
            self.raw.to_str().and_then(|s| s.parse::<u64>().ok())
        } else {
            None
        };
        n.filter(|n| (min..=max).contains(n))
            .ok_or_else(|| self.out_of(min, max, what))
    }

    fn out_of(&self, min: u64, max: u64, what: &str) -> UsageError {
        self.bad(format!("{what}, {min}..={max}"))
    }

    /// A byte, as `0x` and hex digits or as decimal digits (an I2C
    /// address: `0x68`, `104`). The error is `expected EXPECTED`: say
    /// which bytes the flag takes.
    pub fn byte(&self, expected: &'static str) -> Result<u8, UsageError> {
        let digits = self.raw.as_bytes();
        let (digits, radix) = match digits {
            [b'0', b'x' | b'X', hex @ ..] => (hex, 16),
            _ => (digits, 10),
        };
        let valid = !digits.is_empty() && digits.iter().all(|d| (*d as char).is_digit(radix));
        std::str::from_utf8(digits)
            .ok()
            .filter(|_| valid)
            .and_then(|d| u8::from_str_radix(d, radix).ok())
            .ok_or_else(|| self.bad(expected))
    }

    /// One of `choices`, by name; the error lists the names.
    pub fn choice<T: Copy>(&self, choices: &[(&str, T)]) -> Result<T, UsageError> {
        if let Some(&(_, value)) = choices.iter().find(|(name, _)| self.raw == *name) {
            return Ok(value);
        }
        let mut expected = String::new();
        for (i, (name, _)) in choices.iter().enumerate() {
            let sep = match i {
                0 => "",
                _ if i + 1 == choices.len() => " or ",
                _ => ", ",
            };
            expected.push_str(sep);
            expected.push_str(name);
        }
        Err(self.bad(expected))
    }

    /// The value parsed by its type's [`FromStr`]; the error is the
    /// parser's, after the flag and the value.
    pub fn parse<T>(&self) -> Result<T, UsageError>
    where
        T: FromStr,
        T::Err: fmt::Display,
    {
        self.text()?
            .parse()
            .map_err(|e: T::Err| UsageError::Invalid {
                flag: self.flag,
                value: self.raw.to_owned(),
                reason: e.to_string(),
            })
    }

    /// [`UsageError::BadValue`] for this value: the program's own check
    /// of it failed.
    pub fn bad(&self, expected: impl Into<std::borrow::Cow<'static, str>>) -> UsageError {
        UsageError::bad_value(self.flag, self.raw, expected)
    }
}
