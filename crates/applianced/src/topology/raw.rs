//! The topology file as TOML gives it: every key typed loosely enough that
//! the checks in `resolve` see it (and can report every problem at once),
//! strictly enough that unknown keys and wrong types stop here with their
//! own message. Every value keeps its span for the diagnostics.
//!
//! The TOML parser is the `toml` crate's, without its serde layer: the
//! document comes as spanned tables and values (`toml::de::DeTable`), and
//! this module walks them by hand. That keeps serde out of the supervisor
//! (about 100 KB of a static board binary) at the cost of this one file.

use std::collections::BTreeMap;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// The whole file.
#[derive(Debug)]
pub(crate) struct RawTopology {
    pub(crate) supervisor: Option<RawSupervisor>,
    pub(crate) pipes: BTreeMap<Spanned<String>, Spanned<RawPipe>>,
    pub(crate) process: Vec<Spanned<RawProcess>>,
}

/// `[supervisor]`.
#[derive(Debug, Default)]
pub(crate) struct RawSupervisor {
    pub(crate) state_pipe: Option<Spanned<String>>,
}

/// `[pipes.NAME]`.
#[derive(Debug, Default)]
pub(crate) struct RawPipe {
    pub(crate) capacity: Option<Spanned<Integer>>,
}

/// `[[process]]`.
#[derive(Debug, Default)]
pub(crate) struct RawProcess {
    pub(crate) name: Option<Spanned<String>>,
    pub(crate) exec: Option<Spanned<String>>,
    pub(crate) args: Vec<Spanned<String>>,
    pub(crate) env: BTreeMap<Spanned<String>, Spanned<String>>,
    pub(crate) cwd: Option<Spanned<String>>,
    pub(crate) restart: Option<Spanned<String>>,
    pub(crate) stop_signal: Option<Spanned<String>>,
    pub(crate) stop_timeout: Option<Spanned<DurationText>>,
    pub(crate) backoff: Option<RawBackoff>,
    pub(crate) intensity: Option<RawIntensity>,
    pub(crate) rlimits: BTreeMap<Spanned<String>, Spanned<Scalar>>,
}

/// `backoff = { ... }`.
#[derive(Debug, Default)]
pub(crate) struct RawBackoff {
    pub(crate) initial: Option<Spanned<DurationText>>,
    pub(crate) step: Option<Spanned<DurationText>>,
    pub(crate) factor: Option<Spanned<Number>>,
    pub(crate) max: Option<Spanned<DurationText>>,
    pub(crate) reset_after: Option<Spanned<DurationText>>,
}

/// `intensity = { ... }`.
#[derive(Debug, Default)]
pub(crate) struct RawIntensity {
    pub(crate) restarts: Option<Spanned<Integer>>,
    pub(crate) within: Option<Spanned<DurationText>>,
    pub(crate) action: Option<Spanned<String>>,
    pub(crate) hold: Option<Spanned<DurationText>>,
}

/// A TOML integer, any sign (ranges are checked later).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Integer(pub(crate) i64);

/// A TOML string holding a duration (parsed later).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DurationText(pub(crate) String);

/// A TOML float or integer.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Number(pub(crate) f64);

/// A value whose type `resolve` decides on (an rlimit: a number or
/// `"unlimited"`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scalar {
    /// An integer.
    Integer(i64),
    /// A string.
    String(String),
    /// Anything else, as a message shows it.
    Other(String),
}

/// Why the file does not have the topology's shape: where, and what.
#[derive(Debug)]
pub(crate) struct ShapeError {
    pub(crate) span: Range<usize>,
    pub(crate) message: String,
}

type Shaped<T> = Result<T, ShapeError>;

/// Parses `text` as TOML and takes the topology's shape from it.
pub(crate) fn parse(text: &str) -> Shaped<RawTopology> {
    let doc = DeTable::parse(text).map_err(|e| ShapeError {
        span: e.span().unwrap_or(0..0),
        message: e.message().trim().replace('\n', "; "),
    })?;
    let mut top = RawTopology {
        supervisor: None,
        pipes: BTreeMap::new(),
        process: Vec::new(),
    };
    for (key, value) in fields(doc.get_ref(), &["supervisor", "pipes", "process"])? {
        match key {
            "supervisor" => {
                let mut s = RawSupervisor::default();
                for (key, value) in fields(table(value)?, &["state_pipe"])? {
                    if key == "state_pipe" {
                        s.state_pipe = Some(string(value)?);
                    }
                }
                top.supervisor = Some(s);
            }
            "pipes" => {
                for (name, pipe) in table(value)? {
                    let mut p = RawPipe::default();
                    for (key, value) in fields(table(pipe)?, &["capacity"])? {
                        if key == "capacity" {
                            p.capacity = Some(integer(value)?);
                        }
                    }
                    let name = Spanned::new(name.span(), name.get_ref().to_string());
                    top.pipes.insert(name, Spanned::new(pipe.span(), p));
                }
            }
            _ => {
                let DeValue::Array(items) = value.get_ref() else {
                    return Err(wrong_type(value, "an array of tables, `[[process]]`"));
                };
                for item in items.iter() {
                    top.process
                        .push(Spanned::new(item.span(), process(table(item)?)?));
                }
            }
        }
    }
    Ok(top)
}

const PROCESS_KEYS: &[&str] = &[
    "name",
    "exec",
    "args",
    "env",
    "cwd",
    "restart",
    "stop_signal",
    "stop_timeout",
    "backoff",
    "intensity",
    "rlimits",
];

fn process(t: &DeTable<'_>) -> Shaped<RawProcess> {
    let mut p = RawProcess::default();
    for (key, value) in fields(t, PROCESS_KEYS)? {
        match key {
            "name" => p.name = Some(string(value)?),
            "exec" => p.exec = Some(string(value)?),
            "args" => {
                let DeValue::Array(items) = value.get_ref() else {
                    return Err(wrong_type(value, "an array of strings"));
                };
                p.args = items.iter().map(string).collect::<Shaped<_>>()?;
            }
            "env" => {
                for (k, v) in table(value)? {
                    let k = Spanned::new(k.span(), k.get_ref().to_string());
                    p.env.insert(k, string(v)?);
                }
            }
            "cwd" => p.cwd = Some(string(value)?),
            "restart" => p.restart = Some(string(value)?),
            "stop_signal" => p.stop_signal = Some(string(value)?),
            "stop_timeout" => p.stop_timeout = Some(duration(value)?),
            "backoff" => {
                let mut b = RawBackoff::default();
                let keys = &["initial", "step", "factor", "max", "reset_after"];
                for (key, value) in fields(table(value)?, keys)? {
                    match key {
                        "factor" => b.factor = Some(number(value)?),
                        "initial" => b.initial = Some(duration(value)?),
                        "step" => b.step = Some(duration(value)?),
                        "max" => b.max = Some(duration(value)?),
                        _ => b.reset_after = Some(duration(value)?),
                    }
                }
                p.backoff = Some(b);
            }
            "intensity" => {
                let mut i = RawIntensity::default();
                let keys = &["restarts", "within", "action", "hold"];
                for (key, value) in fields(table(value)?, keys)? {
                    match key {
                        "restarts" => i.restarts = Some(integer(value)?),
                        "within" => i.within = Some(duration(value)?),
                        "action" => i.action = Some(string(value)?),
                        _ => i.hold = Some(duration(value)?),
                    }
                }
                p.intensity = Some(i);
            }
            _ => {
                for (k, v) in table(value)? {
                    let scalar = match v.get_ref() {
                        DeValue::Integer(n) => match i64::from_str_radix(n.as_str(), n.radix()) {
                            Ok(n) => Scalar::Integer(n),
                            Err(_) => Scalar::Other(n.to_string()),
                        },
                        DeValue::String(s) => Scalar::String(s.to_string()),
                        DeValue::Float(f) => Scalar::Other(f.to_string()),
                        DeValue::Boolean(b) => Scalar::Other(b.to_string()),
                        DeValue::Datetime(d) => Scalar::Other(d.to_string()),
                        other => Scalar::Other(describe(other)),
                    };
                    let k = Spanned::new(k.span(), k.get_ref().to_string());
                    p.rlimits.insert(k, Spanned::new(v.span(), scalar));
                }
            }
        }
    }
    Ok(p)
}

type Entry<'a, 'i> = (&'a str, &'a Spanned<DeValue<'i>>);

/// The entries of `t` in file order; the first key not in `allowed` (in
/// file order) is an error naming the allowed ones.
fn fields<'a, 'i>(t: &'a DeTable<'i>, allowed: &[&str]) -> Shaped<Vec<Entry<'a, 'i>>> {
    let mut entries: Vec<_> = t.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    entries
        .into_iter()
        .map(|(k, v)| {
            if allowed.contains(&k.get_ref().as_ref()) {
                Ok((k.get_ref().as_ref(), v))
            } else {
                let expected: Vec<String> = allowed.iter().map(|a| format!("`{a}`")).collect();
                Err(ShapeError {
                    span: k.span(),
                    message: format!(
                        "unknown field `{}`, expected one of {}",
                        k.get_ref(),
                        expected.join(", ")
                    ),
                })
            }
        })
        .collect()
}

fn table<'a, 'i>(v: &'a Spanned<DeValue<'i>>) -> Shaped<&'a DeTable<'i>> {
    match v.get_ref() {
        DeValue::Table(t) => Ok(t),
        _ => Err(wrong_type(v, "a table")),
    }
}

fn string(v: &Spanned<DeValue<'_>>) -> Shaped<Spanned<String>> {
    match v.get_ref() {
        DeValue::String(s) => Ok(Spanned::new(v.span(), s.to_string())),
        _ => Err(wrong_type(v, "a string")),
    }
}

fn integer(v: &Spanned<DeValue<'_>>) -> Shaped<Spanned<Integer>> {
    match v.get_ref() {
        DeValue::Integer(n) => i64::from_str_radix(n.as_str(), n.radix())
            .map(|n| Spanned::new(v.span(), Integer(n)))
            .map_err(|_| wrong_type(v, "an integer that fits in 64 bits")),
        _ => Err(wrong_type(v, "an integer")),
    }
}

fn number(v: &Spanned<DeValue<'_>>) -> Shaped<Spanned<Number>> {
    let n = match v.get_ref() {
        DeValue::Float(f) => f.as_str().replace('_', "").parse().ok(),
        DeValue::Integer(n) => i64::from_str_radix(n.as_str(), n.radix())
            .ok()
            .map(|n| n as f64),
        _ => None,
    };
    n.map(|n| Spanned::new(v.span(), Number(n)))
        .ok_or_else(|| wrong_type(v, "a number such as 2.0"))
}

fn duration(v: &Spanned<DeValue<'_>>) -> Shaped<Spanned<DurationText>> {
    match v.get_ref() {
        DeValue::String(s) => Ok(Spanned::new(v.span(), DurationText(s.to_string()))),
        _ => Err(wrong_type(
            v,
            "a duration in quotes, such as \"5s\" or \"250ms\"",
        )),
    }
}

fn wrong_type(v: &Spanned<DeValue<'_>>, expected: &str) -> ShapeError {
    ShapeError {
        span: v.span(),
        message: format!(
            "invalid type: {}, expected {expected}",
            describe(v.get_ref())
        ),
    }
}

/// A value as a message shows it: its type, and a scalar's text.
fn describe(v: &DeValue<'_>) -> String {
    match v {
        DeValue::String(s) => format!("string {s:?}"),
        DeValue::Integer(n) => format!("integer `{n}`"),
        DeValue::Float(f) => format!("float `{f}`"),
        DeValue::Boolean(b) => format!("boolean `{b}`"),
        DeValue::Datetime(d) => format!("datetime `{d}`"),
        DeValue::Array(_) => "an array".to_owned(),
        DeValue::Table(_) => "a table".to_owned(),
    }
}
