//! The command line of every program of the workspace (`applianced`, the
//! appliance processes, `appliance-testchild`, `wire-dump`, `cargo xtask`),
//! so that each reads its arguments the same way:
//!
//! - one lexer ([`Spec::parse`]): `--flag value` and `--flag=value`, a
//!   flag given twice is an error unless it is declared repeatable, `--`
//!   ends the flags, values may be any bytes;
//! - `-h`/`--help` and `--version` on every program ([`Spec`] says where
//!   they may stand);
//! - typed values ([`Value`]): numbers (digits only, in a range the error
//!   names as `MIN..=MAX`), fds (kept as given, for `pipe-ends`), paths,
//!   text, a choice of names, any [`FromStr`](std::str::FromStr) type;
//! - one error, [`UsageError`], whose message names the flag and what it
//!   expects;
//! - the exit codes ([`exit`]).
//!
//! What stays in each program is its [`Spec`] (the flags and the help
//! text), its configuration type and the function that builds it from
//! [`Args`], with the checks of flags against each other.
//!
//! ```
//! use cli::{Command, Flag, Spec, UsageError};
//!
//! static SPEC: Spec = Spec::new(
//!     "sampler",
//!     env!("CARGO_PKG_VERSION"),
//!     "usage: sampler --rx FD [--rate HZ] [--quiet]\n  -h, --help\n  --version\n",
//!     &[Flag::value("--rx"), Flag::value("--rate"), Flag::switch("--quiet")],
//! );
//!
//! #[derive(Debug, PartialEq)]
//! struct Config {
//!     rx: String,
//!     rate_hz: u16,
//!     quiet: bool,
//! }
//!
//! fn parse(argv: &[&str]) -> Result<Command<Config>, UsageError> {
//!     SPEC.parse(argv.iter().map(Into::into), |args| {
//!         Ok(Config {
//!             rx: args.required("--rx")?.fd()?,
//!             rate_hz: args.number("--rate", 1..=1000, "a rate in Hz")?.unwrap_or(100),
//!             quiet: args.switch("--quiet"),
//!         })
//!     })
//! }
//!
//! let config = Config { rx: "3".into(), rate_hz: 50, quiet: false };
//! assert_eq!(parse(&["--rx", "3", "--rate=50"]), Ok(Command::Run(config)));
//! assert_eq!(
//!     parse(&["--rx", "3", "--rate", "0"]).unwrap_err().to_string(),
//!     "--rate `0`: expected a rate in Hz, 1..=1000"
//! );
//! assert_eq!(parse(&["--rate", "0", "--version"]), Ok(Command::Version));
//! assert!(SPEC.problems().is_empty());
//! ```
//!
//! A program's `main` then only reads its command line and calls in:
//!
//! ```no_run
//! # use cli::{Args, Flag, Spec, UsageError};
//! # static SPEC: Spec = Spec::new("sampler", "1.0.0", "--help --version", &[]);
//! # struct Config;
//! # impl Config { fn from_args(_: &Args) -> Result<Config, UsageError> { Ok(Config) } }
//! # fn run(_: &Config) -> u8 { 0 }
//! use std::ops::ControlFlow;
//! use std::process::ExitCode;
//!
//! fn main() -> ExitCode {
//!     match SPEC.parse_or_answer(std::env::args_os().skip(1), Config::from_args) {
//!         ControlFlow::Continue(config) => ExitCode::from(run(&config)),
//!         ControlFlow::Break(code) => ExitCode::from(code),
//!     }
//! }
//! ```
//!
//! The lexer is this crate's own, about 60 lines. `lexopt` lexes the same
//! way (and adds short-option clusters), but in `applianced`, built static
//! and stripped for aarch64-musl, it cost 6,880 bytes more than this
//! lexer, more than the supervisor's size budget has room for.

mod args;
mod error;
pub mod exit;
mod spec;

pub use args::{Args, Value};
pub use error::UsageError;
pub use spec::{Command, Flag, Spec, join};

/// Writes `line` and a newline to stderr in one write, so that lines from
/// several processes sharing a pipe do not interleave. A write error is
/// ignored: there is nowhere left to report it (and `eprintln!` would
/// panic, which aborts a release build).
pub fn say(line: &dyn std::fmt::Display) {
    use std::io::Write as _;
    let text = format!("{line}\n");
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

#[cfg(test)]
mod tests;
