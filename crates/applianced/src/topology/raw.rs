//! The topology file as TOML gives it: every key typed loosely enough that
//! the checks in `resolve` see it (and can report every problem at once),
//! strictly enough that unknown keys and wrong types stop the parser with
//! its own message. Every value keeps its span for the diagnostics.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use toml::Spanned;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTopology {
    pub(crate) supervisor: Option<RawSupervisor>,
    #[serde(default)]
    pub(crate) pipes: BTreeMap<Spanned<String>, Spanned<RawPipe>>,
    #[serde(default)]
    pub(crate) process: Vec<Spanned<RawProcess>>,
}

/// `[supervisor]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSupervisor {
    pub(crate) state_pipe: Option<Spanned<String>>,
}

/// `[pipes.NAME]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPipe {
    pub(crate) capacity: Option<Spanned<Integer>>,
}

/// `[[process]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawProcess {
    pub(crate) name: Option<Spanned<String>>,
    pub(crate) exec: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) args: Vec<Spanned<String>>,
    #[serde(default)]
    pub(crate) env: BTreeMap<Spanned<String>, Spanned<String>>,
    pub(crate) cwd: Option<Spanned<String>>,
    pub(crate) restart: Option<Spanned<String>>,
    pub(crate) stop_signal: Option<Spanned<String>>,
    pub(crate) stop_timeout: Option<Spanned<DurationText>>,
    pub(crate) backoff: Option<RawBackoff>,
    pub(crate) intensity: Option<RawIntensity>,
    #[serde(default)]
    pub(crate) rlimits: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
}

/// `backoff = { ... }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBackoff {
    pub(crate) initial: Option<Spanned<DurationText>>,
    pub(crate) step: Option<Spanned<DurationText>>,
    pub(crate) factor: Option<Spanned<Number>>,
    pub(crate) max: Option<Spanned<DurationText>>,
    pub(crate) reset_after: Option<Spanned<DurationText>>,
}

/// `intensity = { ... }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawIntensity {
    pub(crate) restarts: Option<Spanned<Integer>>,
    pub(crate) within: Option<Spanned<DurationText>>,
    pub(crate) action: Option<Spanned<String>>,
    pub(crate) hold: Option<Spanned<DurationText>>,
}

/// Declares a newtype deserialised through one visitor method, so that a
/// wrong type reads "expected <what the topology wants>" rather than
/// "expected i64".
macro_rules! leaf {
    ($(#[$doc:meta])* $name:ident($ty:ty), $expecting:literal, $method:ident, $visit:ident($arg:ty) => $conv:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq)]
        pub(crate) struct $name(pub(crate) $ty);

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl Visitor<'_> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str($expecting)
                    }
                    fn $visit<E: de::Error>(self, v: $arg) -> Result<$name, E> {
                        let conv: fn($arg) -> $ty = $conv;
                        Ok($name(conv(v)))
                    }
                }
                d.$method(V)
            }
        }
    };
}

leaf!(
    /// A TOML integer, any sign (ranges are checked later).
    Integer(i64), "an integer", deserialize_i64, visit_i64(i64) => |v| v
);

leaf!(
    /// A TOML string holding a duration (parsed later).
    DurationText(String),
    "a duration in quotes, such as \"5s\" or \"250ms\"",
    deserialize_str,
    visit_str(&str) => str::to_owned
);

/// A TOML float or integer.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Number(pub(crate) f64);

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Number;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number such as 2.0")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Number, E> {
                Ok(Number(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Number, E> {
                Ok(Number(v as f64))
            }
        }
        d.deserialize_f64(V)
    }
}
