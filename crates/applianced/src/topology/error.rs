//! What can be wrong with a topology file, and where.

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::time::Duration;

use duration::DurationError;
use nix::errno::Errno;

/// Why a topology could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum TopologyError {
    /// The file could not be read.
    #[error("{}: cannot read the topology: {source}; check the --config path", .path.display())]
    Read {
        /// The file, as given.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The file was read but is not a valid topology. Shown as one line
    /// per diagnostic, in file order.
    #[error("{}", DiagnosticLines(.0))]
    Invalid(Vec<Diagnostic>),
}

impl TopologyError {
    /// The problems found in the file, in file order (empty for
    /// [`TopologyError::Read`]).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            TopologyError::Read { .. } => &[],
            TopologyError::Invalid(diagnostics) => diagnostics,
        }
    }
}

/// Displays diagnostics one per line.
struct DiagnosticLines<'a>(&'a [Diagnostic]);

impl fmt::Display for DiagnosticLines<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

/// One problem at one place in a topology file. Displayed as one line,
/// `FILE:LINE:COLUMN: what is wrong; what to do`.
#[derive(Debug, thiserror::Error)]
#[error("{}:{line}:{column}: {issue}", .path.display())]
pub struct Diagnostic {
    /// The topology file, as given.
    pub path: PathBuf,
    /// 1-based line of the offending key or value.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong.
    pub issue: Issue,
}

/// What is wrong at a [`Diagnostic`]'s place, and what to do about it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Issue {
    /// A TOML syntax error, an unknown key, a wrong type: the parser stops
    /// at the first of these. The message comes from the TOML parser and
    /// names the allowed keys or the expected type.
    #[error("{message}; see docs/topology.md for the format")]
    Toml {
        /// The parser's message, on one line.
        message: String,
    },
    /// There is no `[[process]]` table.
    #[error("no processes: add a [[process]] table with a name and an exec")]
    NoProcesses,
    /// A process without `name`.
    #[error("this process has no name: add name = \"...\" (1-32 of a-z 0-9 _ -)")]
    MissingName,
    /// A process or pipe name outside `[a-z0-9_-]{1,32}`.
    #[error("{what} name `{name}` is not allowed: use 1-32 of a-z 0-9 _ -")]
    BadName {
        /// `"process"` or `"pipe"`.
        what: &'static str,
        /// The name.
        name: String,
    },
    /// A second process with a name already used.
    #[error(
        "process `{name}` is already defined at line {first_line}: give each process its own name"
    )]
    DuplicateProcess {
        /// The name.
        name: String,
        /// The line of the first process's name.
        first_line: usize,
    },
    /// A process without `exec`.
    #[error("this process has no exec: add exec = \"/path/to/program\"")]
    MissingExec,
    /// `exec` is a name without `/`.
    #[error(
        "exec `{exec}` is a bare name and there is no PATH search: give a path, absolute or relative to the topology file's directory (\"./{exec}\", \"/usr/bin/{exec}\")"
    )]
    BareExec {
        /// The name.
        exec: String,
    },
    /// `exec` names nothing that exists (or cannot be looked at).
    #[error(
        "exec {} cannot be found ({source}): fix the path (a relative one starts at the topology file's directory) or install the program",
        .path.display()
    )]
    ExecNotFound {
        /// The resolved path.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// `exec` is a directory or other non-file.
    #[error("exec {} is not a regular file: point exec at the program itself", .path.display())]
    ExecNotFile {
        /// The resolved path.
        path: PathBuf,
    },
    /// `exec` has no execute permission bit.
    #[error("exec {} is not executable (mode {mode:03o}): chmod +x it", .path.display())]
    ExecNotExecutable {
        /// The resolved path.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// `access(X_OK)` refuses `exec` although a permission bit is set.
    #[error(
        "exec {} cannot be executed by this user ({source}): check its owner and mode, and that its filesystem is not mounted noexec",
        .path.display()
    )]
    ExecNoAccess {
        /// The resolved path.
        path: PathBuf,
        /// What `access(2)` said.
        source: Errno,
    },
    /// `cwd` does not exist.
    #[error(
        "cwd {} cannot be found ({source}): give an existing directory (a relative one starts at the topology file's directory)",
        .path.display()
    )]
    CwdNotFound {
        /// The resolved path.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// `cwd` is not a directory.
    #[error("cwd {} is not a directory: give a directory", .path.display())]
    CwdNotDirectory {
        /// The resolved path.
        path: PathBuf,
    },
    /// A string passed to the child (exec, argument, env) holds a NUL.
    #[error("this {what} contains a NUL character, which cannot be passed to a program: remove it")]
    Nul {
        /// `"exec"`, `"argument"`, `"environment variable"`, `"cwd"`.
        what: &'static str,
    },
    /// An environment variable name that is empty or holds `=`.
    #[error(
        "environment variable name `{name}` is not allowed: use a non-empty name without `=` (e.g. RUST_LOG)"
    )]
    BadEnvName {
        /// The name.
        name: String,
    },
    /// A duration that does not parse.
    #[error(
        "{key} = \"{text}\" is not a duration: {why}; write a number and a unit ({units}), such as \"250ms\", \"2s\", \"1.5s\" or \"1m\"",
        units = duration::UNITS
    )]
    BadDuration {
        /// The key.
        key: &'static str,
        /// The text given.
        text: String,
        /// Which rule of the grammar it breaks.
        why: DurationError,
    },
    /// A stop signal name not in the Linux table.
    #[error(
        "unknown signal `{name}`: {}",
        match .suggestion {
            Some(s) => format!("did you mean {s}?"),
            None => "use a Linux signal name such as SIGTERM, SIGINT, SIGHUP, SIGQUIT or SIGUSR1".to_owned(),
        }
    )]
    UnknownSignal {
        /// The name given.
        name: String,
        /// A known name it is close to (`SIGTERM` for `TERM`).
        suggestion: Option<&'static str>,
    },
    /// A stop signal that pauses the process instead of ending it.
    #[error(
        "{name} pauses a process instead of stopping it: use SIGTERM (the default), SIGINT, SIGQUIT or SIGKILL"
    )]
    PausingSignal {
        /// The name given.
        name: String,
    },
    /// `restart` is not a known policy.
    #[error("restart = \"{value}\" is not a policy: use \"always\", \"on-failure\" or \"never\"")]
    BadRestart {
        /// The value given.
        value: String,
    },
    /// `intensity.action` is not a known action.
    #[error("action = \"{value}\" is not an action: use \"hold\" or \"shutdown\"")]
    BadAction {
        /// The value given.
        value: String,
    },
    /// `intensity.hold` with `action = "shutdown"`.
    #[error(
        "hold only applies to action = \"hold\", but the action is \"shutdown\": remove hold, or set action = \"hold\""
    )]
    HoldNotApplicable,
    /// A pipe capacity that is not a power of two in range.
    #[error(
        "capacity {value} is not a power of two between 4096 and 1048576: use e.g. 4096, 65536 (the kernel's default) or 1048576"
    )]
    BadCapacity {
        /// The value given.
        value: i64,
    },
    /// A backoff factor below 1.
    #[error(
        "backoff factor {} would shrink the delay: use a number of at least 1.0 (1.0 keeps it constant, 2.0 doubles it)",
        crate::topology::factor_text(*value)
    )]
    BadFactor {
        /// The value given.
        value: f64,
    },
    /// A backoff whose cap is below its first delay.
    #[error(
        "backoff max {} is less than initial {}: raise max or lower initial",
        duration::format(*.max),
        duration::format(*.initial)
    )]
    BackoffMaxBelowInitial {
        /// `backoff.initial`.
        initial: Duration,
        /// `backoff.max`.
        max: Duration,
    },
    /// `intensity.within` of zero.
    #[error("within = \"0s\" counts no restarts: give a window such as \"10s\"")]
    WithinZero,
    /// An integer out of its range.
    #[error("{key} = {value} is out of range: use {range}")]
    OutOfRange {
        /// The key.
        key: &'static str,
        /// The value given.
        value: i64,
        /// The allowed range, in words.
        range: &'static str,
    },
    /// An rlimit key that is not a Linux resource limit.
    #[error(
        "unknown rlimit `{name}`: use one of {}",
        super::RlimitResource::names()
    )]
    UnknownRlimit {
        /// The key.
        name: String,
    },
    /// An rlimit value that is neither a non-negative integer nor
    /// `"unlimited"`.
    #[error("rlimit {name} = {value} is not a limit: use a non-negative integer or \"unlimited\"")]
    BadRlimitValue {
        /// The key.
        name: String,
        /// The value, as TOML.
        value: String,
    },
    /// A `{` in an argument that is never closed.
    #[error(
        "unclosed `{{` in this argument: end the placeholder with `}}`, or write `{{{{` for a literal brace"
    )]
    UnclosedBrace,
    /// A `}` in an argument with no `{` before it.
    #[error("`}}` without `{{` in this argument: write `}}}}` for a literal brace")]
    UnopenedBrace,
    /// Braces around something other than `pipe.NAME.END`.
    #[error(
        "`{text}` is not a placeholder: the placeholders are {{pipe.NAME.read}} and {{pipe.NAME.write}}; write `{{{{` and `}}}}` for literal braces"
    )]
    NotAPlaceholder {
        /// The placeholder, braces included.
        text: String,
    },
    /// `{pipe.NAME.END}` with a bad END.
    #[error("`{text}` names no pipe end: use .read or .write")]
    BadEnd {
        /// The placeholder, braces included.
        text: String,
    },
    /// A placeholder naming a pipe that is not defined.
    #[error("no pipe named `{name}`: {}", known_pipes(.known, .name))]
    UnknownPipe {
        /// The name used.
        name: String,
        /// The pipes defined.
        known: Vec<String>,
    },
    /// `[supervisor] state_pipe` naming a pipe that is not defined.
    #[error("state_pipe names no pipe `{name}`: {}", known_pipes(.known, .name))]
    UnknownStatePipe {
        /// The name used.
        name: String,
        /// The pipes defined.
        known: Vec<String>,
    },
    /// A pipe that no process reads.
    #[error(
        "pipe `{pipe}` has no reader: add `{{pipe.{pipe}.read}}` to a process's args, or remove the pipe"
    )]
    NoReader {
        /// The pipe.
        pipe: String,
    },
    /// A pipe that no process (nor the supervisor) writes.
    #[error(
        "pipe `{pipe}` has no writer: add `{{pipe.{pipe}.write}}` to a process's args, or remove the pipe"
    )]
    NoWriter {
        /// The pipe.
        pipe: String,
    },
}

/// "the pipes are `a`, `b`; or add [pipes.NAME]", for an unknown name.
fn known_pipes(known: &[String], name: &str) -> String {
    if known.is_empty() {
        format!("there are no pipes; add a [pipes.{name}] table")
    } else {
        let list: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
        format!(
            "the pipes are {}; use one of them or add a [pipes.{name}] table",
            list.join(", ")
        )
    }
}
