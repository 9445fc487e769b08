//! The topology: which pipes exist and which processes run, read from a
//! TOML file, checked, and resolved into plain data, down to the fd
//! numbers each child gets.
//!
//! # The file
//!
//! ```toml
//! # Optional supervisor settings.
//! [supervisor]
//! state_pipe = "to_gui"   # a pipe the supervisor writes STATE frames to
//!
//! # Pipes by name; each is a table, empty or with options.
//! [pipes.to_gui]
//! capacity = 65536        # bytes; a power of two from 4096 to 1048576
//! [pipes.to_motion]
//! [pipes.to_light]
//!
//! [[process]]
//! name = "gui"
//! exec = "../../target/debug/appliance-gui"
//! args = ["--rx", "{pipe.to_gui.read}", "--tx-motion", "{pipe.to_motion.write}",
//!         "--tx-light={pipe.to_light.write}"]
//! env = { RUST_LOG = "info" }
//! cwd = "/"
//! restart = "always"
//! stop_signal = "SIGTERM"
//! stop_timeout = "2s"
//! backoff = { initial = "0s", step = "100ms", factor = 2.0, max = "30s", reset_after = "10s" }
//! intensity = { restarts = 5, within = "10s", action = "hold", hold = "60s" }
//! rlimits = { nofile = 256, core = "unlimited" }
//! ```
//!
//! `[supervisor]` (optional):
//! - `state_pipe`: a pipe the supervisor writes `STATE` frames to; the
//!   supervisor then counts as a writer of it.
//!
//! `[pipes.NAME]`: one table per pipe; NAME is 1-32 of `a-z 0-9 _ -`.
//! - `capacity` (optional): the pipe's buffer in bytes (`F_SETPIPE_SZ`), a
//!   power of two from 4096 to 1048576; without it the kernel's default
//!   (64 KiB).
//!
//! Every pipe needs at least one reader and one writer among the
//! processes' args (or the supervisor, for writing).
//!
//! `[[process]]`: one table per process, started in file order.
//! - `name` (required): unique, 1-32 of `a-z 0-9 _ -`.
//! - `exec` (required): the program's path. A relative path is relative to
//!   the topology file's directory; a bare name without `/` is an error
//!   (there is no `PATH` search). It must be an executable regular file.
//! - `args`: the arguments after argv\[0\]. Inside them, and only there,
//!   `{pipe.NAME.read}` and `{pipe.NAME.write}` stand for the fd number of
//!   that pipe end in the child, anywhere in an argument and several times
//!   in one; `{{` and `}}` are literal braces; any other brace is an error.
//! - `env`: the child's environment is exactly this table: nothing is
//!   inherited from the supervisor (no `PATH`, no `HOME`) unless given
//!   here. Default: empty.
//! - `cwd`: an existing directory (relative to the topology file's
//!   directory); default `/`.
//! - `restart`: `"always"` (default), `"on-failure"` (when it exits with a
//!   status other than 0 or is killed by a signal) or `"never"`.
//! - `stop_signal`: a Linux signal name, default `"SIGTERM"`; the signals
//!   that pause a process (`SIGSTOP`, `SIGTSTP`, `SIGTTIN`, `SIGTTOU`) are
//!   refused.
//! - `stop_timeout`: how long to wait after `stop_signal` before
//!   `SIGKILL`, default `"5s"`.
//! - `backoff`: the delay before a restart: `initial` (default `"0s"`),
//!   multiplied by `factor` (default 2.0, at least 1.0) after each restart
//!   up to `max` (default `"30s"`, at least `initial`), back to `initial`
//!   once the process has run for `reset_after` (default `"10s"`).
//! - `intensity`: if it restarts more than `restarts` times (default 5)
//!   within `within` (default `"10s"`, not 0), do `action`: `"hold"`
//!   (default: stop restarting it for `hold`, default `"60s"`) or
//!   `"shutdown"` (stop the whole appliance; `hold` is then an error).
//! - `rlimits`: resource limits set in the child (soft and hard alike),
//!   each a non-negative integer or `"unlimited"`; the keys are the Linux
//!   limits `as core cpu data fsize locks memlock msgqueue nice nofile
//!   nproc rss rtprio rttime sigpending stack` (`RLIMIT_` + upper case).
//!
//! Durations are strings in the grammar of `docs/durations.md`, shared with
//! the scenario files: a number and a unit, `"250ms"`, `"2s"`, `"1.5s"`,
//! `"1m"`, `"1h"` ([`duration::parse`]).
//!
//! # The fd plan
//!
//! Each child gets fd 0 = `/dev/null`, fds 1 and 2 = pipes to the
//! supervisor's log, and its pipe ends at fds 3, 4, 5, ... in the order
//! they first appear in its `args`; a pipe end named twice gets one fd
//! ([`Process::fds`]). The plan depends only on the file, so `--check`
//! prints it without creating a pipe.
//!
//! # Errors
//!
//! [`Topology::load`] reports every problem it finds, each as one line
//! `FILE:LINE:COLUMN: what is wrong; what to do` ([`Diagnostic`]), except
//! that a TOML syntax error, an unknown key or a value of the wrong type
//! stops it at that one.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

mod describe;
mod error;
mod placeholder;
mod raw;
mod resolve;

pub use error::{Diagnostic, Issue, TopologyError};

/// The fd of a child's first pipe end; the rest follow one by one.
pub const FIRST_PIPE_FD: i32 = 3;

/// A checked topology, every name and path resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Topology {
    /// The file it was read from, as given.
    pub path: PathBuf,
    /// The pipes, in file order; [`ChildFd::pipe`] and
    /// [`Topology::state_pipe`] index this.
    pub pipes: Vec<Pipe>,
    /// The processes, in file order (the order to start them in).
    pub processes: Vec<Process>,
    /// The pipe the supervisor writes `STATE` frames to, if any.
    pub state_pipe: Option<usize>,
}

/// A pipe the supervisor creates and holds both ends of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pipe {
    /// Its name in the topology.
    pub name: String,
    /// Buffer size to set with `F_SETPIPE_SZ`; `None` keeps the kernel's
    /// default (64 KiB).
    pub capacity: Option<u32>,
    /// The processes (indexes into [`Topology::processes`]) given its read
    /// end, in file order; never empty.
    pub readers: Vec<usize>,
    /// The processes given its write end, in file order; empty only if
    /// the supervisor writes it ([`Pipe::supervisor_writes`]).
    pub writers: Vec<usize>,
    /// Whether the supervisor writes `STATE` frames to it.
    pub supervisor_writes: bool,
}

/// An end of a pipe: the same type the children use to take theirs.
pub use pipe_ends::End;

/// One pipe end a child gets, and the fd number it gets it at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChildFd {
    /// The fd in the child: [`FIRST_PIPE_FD`] and up.
    pub fd: i32,
    /// The pipe: an index into [`Topology::pipes`].
    pub pipe: usize,
    /// Which end.
    pub end: End,
}

/// A process to start and supervise.
#[derive(Debug, Clone, PartialEq)]
pub struct Process {
    /// Its unique name.
    pub name: String,
    /// The program: an absolute path (directories resolved, the file name
    /// kept as written, so a symlink such as a busybox applet stays one).
    pub exec: PathBuf,
    /// The arguments after argv\[0\], placeholders replaced by fd numbers.
    pub args: Vec<String>,
    /// Its pipe ends, by fd, in order: fds 3, 4, 5, ... with no gaps.
    pub fds: Vec<ChildFd>,
    /// Its whole environment, in file order (nothing is inherited).
    pub env: Vec<(String, String)>,
    /// Its working directory, absolute.
    pub cwd: PathBuf,
    /// When to restart it.
    pub restart: RestartPolicy,
    /// The signal that asks it to stop.
    pub stop_signal: Signal,
    /// How long to wait after [`Process::stop_signal`] before `SIGKILL`.
    pub stop_timeout: Duration,
    /// The delay before each restart.
    pub backoff: Backoff,
    /// What to do when it restarts too often.
    pub intensity: Intensity,
    /// Resource limits to set in the child, in file order.
    pub rlimits: Vec<Rlimit>,
}

/// When a process that ended is started again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RestartPolicy {
    /// Whenever it ends (`"always"`).
    #[default]
    Always,
    /// When it exits with a status other than 0 or is killed by a signal
    /// the supervisor did not send (`"on-failure"`).
    OnFailure,
    /// Never (`"never"`).
    Never,
}

impl RestartPolicy {
    /// The name used in the topology.
    pub fn as_str(self) -> &'static str {
        match self {
            RestartPolicy::Always => "always",
            RestartPolicy::OnFailure => "on-failure",
            RestartPolicy::Never => "never",
        }
    }
}

/// A Linux signal, by number and name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signal {
    /// Its number (15 for SIGTERM).
    pub number: i32,
    /// Its name (`"SIGTERM"`).
    pub name: &'static str,
}

impl Default for Signal {
    fn default() -> Self {
        Signal {
            number: 15,
            name: "SIGTERM",
        }
    }
}

/// The delay before a restart. The first restart of a crash loop waits
/// `initial` (default 0: at once), the second `step`, each next one
/// `factor` times longer, up to `max`; a run of at least `reset_after`
/// ends the loop, so the next restart waits `initial` again. With the
/// defaults: 0, 100ms, 200ms, 400ms, ... 30s.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    /// The first delay (default 0s).
    pub initial: Duration,
    /// The second delay (default 100ms), the base of the growth.
    pub step: Duration,
    /// The multiplier, at least 1.0 (default 2.0).
    pub factor: f64,
    /// The cap, at least `initial` (default 30s).
    pub max: Duration,
    /// A run at least this long resets the delay (default 10s).
    pub reset_after: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            initial: Duration::ZERO,
            step: Duration::from_millis(100),
            factor: 2.0,
            max: Duration::from_secs(30),
            reset_after: Duration::from_secs(10),
        }
    }
}

impl Backoff {
    /// The delay before restart number `k` of a crash loop (0 for the
    /// first): `initial`, then `step * factor^(k-1)`, never above `max`.
    pub fn delay(&self, k: u32) -> Duration {
        if k == 0 {
            return self.initial.min(self.max);
        }
        let exponent = i32::try_from(k - 1).unwrap_or(i32::MAX);
        let grown = self.step.as_secs_f64() * self.factor.powi(exponent);
        if grown.is_finite() && grown < self.max.as_secs_f64() {
            Duration::from_secs_f64(grown)
        } else {
            self.max
        }
    }
}

/// A backoff factor for messages, to three decimals with at least one
/// (`2.0`, `1.25`, `NaN`). Integer formatting only: Rust's float
/// formatting would add about 10 KB to the board binary for this one
/// number.
pub(crate) fn factor_text(factor: f64) -> String {
    if factor.is_nan() {
        return "NaN".to_owned();
    }
    if factor.is_infinite() || factor.abs() >= 1e15 {
        return if factor > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    let sign = if factor < 0.0 { "-" } else { "" };
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "0 <= factor.abs() * 1000 < 1e18 here, within u64"
    )]
    let milli = (factor.abs() * 1000.0).round() as u64;
    let mut frac = format!("{:03}", milli % 1000);
    while frac.len() > 1 && frac.ends_with('0') {
        frac.pop();
    }
    format!("{sign}{}.{frac}", milli / 1000)
}

/// The crash-loop limit: more than `restarts` restarts within `within`
/// triggers `action`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Intensity {
    /// Restarts allowed in the window (default 5).
    pub restarts: u32,
    /// The window, more than 0 (default 10s).
    pub within: Duration,
    /// What happens past the limit (default hold 60s).
    pub action: IntensityAction,
}

impl Default for Intensity {
    fn default() -> Self {
        Intensity {
            restarts: 5,
            within: Duration::from_secs(10),
            action: IntensityAction::Hold(Duration::from_secs(60)),
        }
    }
}

/// What the supervisor does with a process that restarts too often.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntensityAction {
    /// Stop restarting it for this long, then try again (`"hold"`).
    Hold(Duration),
    /// Stop every process and exit (`"shutdown"`).
    Shutdown,
}

/// A resource limit to set in a child, soft and hard alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rlimit {
    /// Which limit.
    pub resource: RlimitResource,
    /// Its value.
    pub value: RlimitValue,
}

/// The value of a resource limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RlimitValue {
    /// A number (bytes, seconds, files, ... as the resource counts).
    Limit(u64),
    /// `RLIM_INFINITY` (`"unlimited"`).
    Unlimited,
}

/// The Linux resource limits (`RLIMIT_*`), by their topology names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(
    missing_docs,
    reason = "each variant is RLIMIT_ + its name in upper case"
)]
pub enum RlimitResource {
    As,
    Core,
    Cpu,
    Data,
    Fsize,
    Locks,
    Memlock,
    Msgqueue,
    Nice,
    Nofile,
    Nproc,
    Rss,
    Rtprio,
    Rttime,
    Sigpending,
    Stack,
}

impl RlimitResource {
    /// Every limit, in alphabetical order.
    pub const ALL: [RlimitResource; 16] = [
        RlimitResource::As,
        RlimitResource::Core,
        RlimitResource::Cpu,
        RlimitResource::Data,
        RlimitResource::Fsize,
        RlimitResource::Locks,
        RlimitResource::Memlock,
        RlimitResource::Msgqueue,
        RlimitResource::Nice,
        RlimitResource::Nofile,
        RlimitResource::Nproc,
        RlimitResource::Rss,
        RlimitResource::Rtprio,
        RlimitResource::Rttime,
        RlimitResource::Sigpending,
        RlimitResource::Stack,
    ];

    /// Its name in the topology: `RLIMIT_NOFILE` is `"nofile"`.
    pub fn name(self) -> &'static str {
        match self {
            RlimitResource::As => "as",
            RlimitResource::Core => "core",
            RlimitResource::Cpu => "cpu",
            RlimitResource::Data => "data",
            RlimitResource::Fsize => "fsize",
            RlimitResource::Locks => "locks",
            RlimitResource::Memlock => "memlock",
            RlimitResource::Msgqueue => "msgqueue",
            RlimitResource::Nice => "nice",
            RlimitResource::Nofile => "nofile",
            RlimitResource::Nproc => "nproc",
            RlimitResource::Rss => "rss",
            RlimitResource::Rtprio => "rtprio",
            RlimitResource::Rttime => "rttime",
            RlimitResource::Sigpending => "sigpending",
            RlimitResource::Stack => "stack",
        }
    }

    /// The limit called `name` in the topology.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.name() == name)
    }

    /// Every name, space-separated, for messages.
    pub(crate) fn names() -> String {
        Self::ALL.map(Self::name).join(" ")
    }
}

impl Topology {
    /// Reads, checks and resolves the topology file at `path`. Relative
    /// paths inside it are relative to its directory.
    pub fn load(path: impl AsRef<Path>) -> Result<Topology, TopologyError> {
        let path = path.as_ref();
        let text = fs::read_to_string(path).map_err(|source| TopologyError::Read {
            path: path.to_owned(),
            source,
        })?;
        Topology::parse(&text, path)
    }

    /// Checks and resolves topology `text`. `path` names the file in
    /// diagnostics, and its directory is where relative `exec` and `cwd`
    /// paths start (the file itself need not exist).
    pub fn parse(text: &str, path: impl AsRef<Path>) -> Result<Topology, TopologyError> {
        resolve::resolve(text, path.as_ref())
    }

    /// The pipe called `name`, by index.
    pub fn pipe_index(&self, name: &str) -> Option<usize> {
        self.pipes.iter().position(|p| p.name == name)
    }

    /// The process called `name`.
    pub fn process(&self, name: &str) -> Option<&Process> {
        self.processes.iter().find(|p| p.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factor_text_is_what_debug_formatting_would_say() {
        for (f, text) in [
            (2.0, "2.0"),
            (1.0, "1.0"),
            (1.5, "1.5"),
            (1.25, "1.25"),
            (0.5, "0.5"),
            (10.125, "10.125"),
            (-3.0, "-3.0"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "inf"),
        ] {
            assert_eq!(factor_text(f), text);
        }
        // Beyond three decimals it rounds.
        assert_eq!(factor_text(1.0004), "1.0");
        assert_eq!(factor_text(1.9996), "2.0");
    }

    #[test]
    fn backoff_starts_at_initial_then_grows_from_step_up_to_max() {
        let b = Backoff::default();
        let ms = |k| b.delay(k).as_millis();
        assert_eq!([ms(0), ms(1), ms(2), ms(3), ms(4)], [0, 100, 200, 400, 800]);
        assert_eq!(b.delay(9), Duration::from_millis(25_600));
        assert_eq!(b.delay(10), Duration::from_secs(30), "capped");
        assert_eq!(b.delay(u32::MAX), Duration::from_secs(30), "no overflow");
        let constant = Backoff {
            initial: Duration::from_secs(1),
            step: Duration::from_secs(1),
            factor: 1.0,
            ..b
        };
        assert!((0..50).all(|k| constant.delay(k) == Duration::from_secs(1)));
    }
}
