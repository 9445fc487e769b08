//! The command line: settings and the script of actions, parsed by hand.

use std::ffi::OsString;
use std::fmt;

use nix::sys::signal::Signal;

/// The usage, printed by `--help`.
pub const HELP: &str = "\
usage: appliance-testchild [SETTINGS] ACTION...

A scriptable child for applianced's tests. Settings apply wherever they
stand; actions run in the order given; when they are done it exits 0.

settings:
  --rx FD            read end of a pipe (made non-blocking)
  --tx FD            write end of a pipe (blocking unless --tx-nonblock)
  --tx-nonblock      make --tx non-blocking (a frame meeting a full pipe is dropped)
  --name NAME        name in frames (default testchild)

actions:
  --hello            send HELLO name=NAME ver=pid-PID proto=1 on --tx
  --report-fds       print `fd N -> TARGET` per open fd, then `fds end`
                     (and send each line as a LOG frame on --tx if given)
  --print TEXT       write TEXT and a newline to stdout
  --eprint TEXT      write TEXT and a newline to stderr
  --sleep-ms N       sleep N milliseconds
  --write-pid PATH   open PATH (a FIFO) for writing, write the pid and a newline
  --notify-fd N      write a newline to fd N and close it (s6's readiness
                     notification)
  --pause            wait until a signal ends the process
  --exit N           exit with code N (0-255) now
  --signal SIG       raise SIG (SIGTERM, TERM or 15) at itself; fault signals
                     (SEGV BUS ILL FPE ABRT TRAP SYS) are reset to SIG_DFL first
  --core             raise the soft core limit to the hard one, then SIGABRT
  --ignore-term      ignore SIGTERM and SIGINT from now on
  --fork-orphan MS   fork a grandchild that sleeps MS ms, prints `orphan ends:
                     its parent had exited` (or `... is alive`), exits 0;
                     print `orphan PID` (and send it as a LOG on --tx); don't wait
  --echo             send every good frame from --rx back on --tx until --rx ends
  --count-frames N   read --rx until N more good frames came; print `got N`
                     (and send it as a LOG on --tx)
  --print-frames N   print each good frame from --rx as `frame BODY` until
                     at least N were printed
  --send BODY        write CR BODY LF on --tx in one write, exactly as given
  -h, --help         print this

When the environment variable APPLIANCE_TESTCHILD_ARGS is set, its words
replace the arguments: runsv and s6-supervise start `./run` with none or
with the service directory, and the restart benchmark links `run` to this
program.

exit codes: N for --exit N; 64 for a bad argument or pipe end; 1 when an
action fails; 0 when the actions are done.
";

/// One step of the child's script.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Action {
    /// `--hello`: send `HELLO` with `ver=pid-PID` on `--tx`.
    Hello,
    /// `--report-fds`: list the open fds on stdout (and `--tx`).
    ReportFds,
    /// `--print TEXT`: a line on stdout.
    Print(String),
    /// `--eprint TEXT`: a line on stderr.
    Eprint(String),
    /// `--sleep-ms N`: sleep N milliseconds.
    SleepMs(u64),
    /// `--write-pid PATH`: write the pid and a newline to PATH (a FIFO).
    WritePid(String),
    /// `--notify-fd N`: write a newline to fd N (a pipe's write end, as
    /// given; checked when taken) and close it.
    NotifyFd(String),
    /// `--pause`: wait until a signal ends the process.
    Pause,
    /// `--exit N`: exit with code N.
    Exit(u8),
    /// `--signal SIG`: raise SIG at itself.
    Signal(Signal),
    /// `--core`: allow a core dump up to the hard limit, then SIGABRT.
    Core,
    /// `--ignore-term`: ignore SIGTERM and SIGINT.
    IgnoreTerm,
    /// `--fork-orphan MS`: leave a grandchild that lives MS milliseconds.
    ForkOrphan(u32),
    /// `--echo`: send frames from `--rx` back on `--tx` until `--rx` ends.
    Echo,
    /// `--count-frames N`: wait for N more good frames on `--rx`.
    CountFrames(u64),
    /// `--print-frames N`: print every good frame from `--rx` as
    /// `frame BODY` until at least N were printed.
    PrintFrames(u64),
    /// `--send BODY`: write CR BODY LF on `--tx` in one write, as given
    /// (no checksum added, nothing checked: hostile frames too).
    Send(String),
}

/// The parsed command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `--rx FD`, as given (checked when taken).
    pub rx: Option<String>,
    /// `--tx FD`, as given (checked when taken).
    pub tx: Option<String>,
    /// `--tx-nonblock`.
    pub tx_nonblock: bool,
    /// `--name NAME`: a valid wire token.
    pub name: String,
    /// The actions, in order.
    pub actions: Vec<Action>,
}

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// `--help`.
    Help,
    /// Run the script.
    Run(Config),
}

/// A command line that cannot run; each names the argument at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UsageError {
    /// An argument that is not a flag of this program.
    Unknown(String),
    /// A flag at the end of argv without its value.
    MissingValue(&'static str),
    /// An argument that is not valid UTF-8.
    NotUnicode(OsString),
    /// A value the flag does not take.
    BadValue {
        /// The flag.
        flag: &'static str,
        /// The value.
        value: String,
        /// What it should be.
        expected: &'static str,
    },
    /// A setting given twice.
    Twice(&'static str),
    /// An action without the pipe end it uses.
    Needs {
        /// The action.
        action: &'static str,
        /// The missing setting.
        setting: &'static str,
    },
}

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UsageError::Unknown(arg) => {
                write!(f, "unknown argument `{arg}` (--help lists them)")
            }
            UsageError::MissingValue(flag) => write!(f, "{flag} needs a value"),
            UsageError::NotUnicode(arg) => {
                write!(f, "argument {arg:?} is not valid UTF-8")
            }
            UsageError::BadValue {
                flag,
                value,
                expected,
            } => write!(f, "{flag} `{value}`: expected {expected}"),
            UsageError::Twice(flag) => write!(f, "{flag} given twice"),
            UsageError::Needs { action, setting } => {
                write!(f, "{action} needs {setting}")
            }
        }
    }
}

impl std::error::Error for UsageError {}

/// Parses argv without the program name.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Parsed, UsageError> {
    let mut args = args.into_iter();
    let mut config = Config {
        rx: None,
        tx: None,
        tx_nonblock: false,
        name: "testchild".to_owned(),
        actions: Vec::new(),
    };
    let mut name_given = false;
    while let Some(arg) = args.next() {
        let arg = arg.into_string().map_err(UsageError::NotUnicode)?;
        let mut value = |flag: &'static str| -> Result<String, UsageError> {
            args.next()
                .ok_or(UsageError::MissingValue(flag))?
                .into_string()
                .map_err(UsageError::NotUnicode)
        };
        let action = match arg.as_str() {
            "-h" | "--help" => return Ok(Parsed::Help),
            "--rx" => {
                set_once(&mut config.rx, "--rx", value("--rx")?)?;
                continue;
            }
            "--tx" => {
                set_once(&mut config.tx, "--tx", value("--tx")?)?;
                continue;
            }
            "--tx-nonblock" => {
                if config.tx_nonblock {
                    return Err(UsageError::Twice("--tx-nonblock"));
                }
                config.tx_nonblock = true;
                continue;
            }
            "--name" => {
                if name_given {
                    return Err(UsageError::Twice("--name"));
                }
                let name = value("--name")?;
                if wire::Token::new(&name).is_err() {
                    return Err(UsageError::BadValue {
                        flag: "--name",
                        value: name,
                        expected: "a name of printable ASCII without spaces or `*`",
                    });
                }
                config.name = name;
                name_given = true;
                continue;
            }
            "--hello" => Action::Hello,
            "--report-fds" => Action::ReportFds,
            "--print" => Action::Print(value("--print")?),
            "--eprint" => Action::Eprint(value("--eprint")?),
            "--sleep-ms" => {
                Action::SleepMs(number("--sleep-ms", value("--sleep-ms")?, "milliseconds")?)
            }
            "--pause" => Action::Pause,
            "--notify-fd" => Action::NotifyFd(value("--notify-fd")?),
            "--write-pid" => Action::WritePid(value("--write-pid")?),
            "--exit" => Action::Exit(number(
                "--exit",
                value("--exit")?,
                "an exit code, 0 to 255",
            )?),
            "--signal" => {
                let v = value("--signal")?;
                match parse_signal(&v) {
                    Some(signal) => Action::Signal(signal),
                    None => {
                        return Err(UsageError::BadValue {
                            flag: "--signal",
                            value: v,
                            expected: "a signal: SIGTERM, TERM or 15",
                        });
                    }
                }
            }
            "--core" => Action::Core,
            "--ignore-term" => Action::IgnoreTerm,
            "--fork-orphan" => {
                let expected = "milliseconds, at most 2147483647";
                let v = value("--fork-orphan")?;
                let ms: u32 = number("--fork-orphan", v.clone(), expected)?;
                if i32::try_from(ms).is_err() {
                    return Err(UsageError::BadValue {
                        flag: "--fork-orphan",
                        value: v,
                        expected,
                    });
                }
                Action::ForkOrphan(ms)
            }
            "--echo" => Action::Echo,
            "--count-frames" => Action::CountFrames(number(
                "--count-frames",
                value("--count-frames")?,
                "a number of frames",
            )?),
            "--print-frames" => Action::PrintFrames(number(
                "--print-frames",
                value("--print-frames")?,
                "a number of frames",
            )?),
            "--send" => Action::Send(value("--send")?),
            _ => return Err(UsageError::Unknown(arg)),
        };
        config.actions.push(action);
    }
    check_needs(&config)?;
    Ok(Parsed::Run(config))
}

/// Every action that uses a pipe end has it.
fn check_needs(config: &Config) -> Result<(), UsageError> {
    if config.tx_nonblock && config.tx.is_none() {
        return Err(UsageError::Needs {
            action: "--tx-nonblock",
            setting: "--tx",
        });
    }
    for action in &config.actions {
        let (name, needs_rx, needs_tx) = match action {
            Action::Hello => ("--hello", false, true),
            Action::Echo => ("--echo", true, true),
            Action::CountFrames(_) => ("--count-frames", true, false),
            Action::PrintFrames(_) => ("--print-frames", true, false),
            Action::Send(_) => ("--send", false, true),
            _ => continue,
        };
        for (needed, setting, given) in [
            (needs_rx, "--rx", config.rx.is_some()),
            (needs_tx, "--tx", config.tx.is_some()),
        ] {
            if needed && !given {
                return Err(UsageError::Needs {
                    action: name,
                    setting,
                });
            }
        }
    }
    Ok(())
}

fn set_once(
    slot: &mut Option<String>,
    flag: &'static str,
    value: String,
) -> Result<(), UsageError> {
    if slot.is_some() {
        return Err(UsageError::Twice(flag));
    }
    *slot = Some(value);
    Ok(())
}

/// A decimal number: digits only.
fn number<T: std::str::FromStr>(
    flag: &'static str,
    value: String,
    expected: &'static str,
) -> Result<T, UsageError> {
    let parsed = if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        value.parse().ok()
    } else {
        None
    };
    parsed.ok_or(UsageError::BadValue {
        flag,
        value,
        expected,
    })
}

/// `SIGTERM`, `TERM`, `sigterm` or `15`.
fn parse_signal(value: &str) -> Option<Signal> {
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Signal::try_from(value.parse::<i32>().ok()?).ok();
    }
    let upper = value.to_ascii_uppercase();
    if upper.starts_with("SIG") {
        upper.parse().ok()
    } else {
        format!("SIG{upper}").parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_strs(args: &[&str]) -> Result<Parsed, UsageError> {
        parse(args.iter().map(OsString::from))
    }

    fn config(args: &[&str]) -> Config {
        match parse_strs(args) {
            Ok(Parsed::Run(config)) => config,
            other => panic!("{args:?} gave {other:?}"),
        }
    }

    #[test]
    fn actions_keep_their_order_and_settings_apply_anywhere() {
        let c = config(&[
            "--print",
            "ready",
            "--hello",
            "--tx",
            "4",
            "--signal",
            "TERM",
            "--name",
            "imu",
            "--sleep-ms",
            "5",
            "--exit",
            "3",
        ]);
        assert_eq!(c.tx.as_deref(), Some("4"));
        assert_eq!(c.name, "imu");
        assert_eq!(
            c.actions,
            [
                Action::Print("ready".into()),
                Action::Hello,
                Action::Signal(Signal::SIGTERM),
                Action::SleepMs(5),
                Action::Exit(3),
            ]
        );
    }

    #[test]
    fn values_that_look_like_flags_are_values() {
        let c = config(&["--print", "--exit"]);
        assert_eq!(c.actions, [Action::Print("--exit".into())]);
    }

    #[test]
    fn signals_by_name_short_name_or_number() {
        for s in ["SIGSEGV", "SEGV", "segv", "11"] {
            assert_eq!(parse_signal(s), Some(Signal::SIGSEGV), "{s}");
        }
        for s in ["", "SIG", "NOPE", "0", "999", "-9"] {
            assert_eq!(parse_signal(s), None, "{s}");
        }
    }

    #[test]
    fn bad_arguments_are_named() {
        let cases: &[(&[&str], UsageError)] = &[
            (
                &["--frobnicate"],
                UsageError::Unknown("--frobnicate".into()),
            ),
            (&["--exit"], UsageError::MissingValue("--exit")),
            (
                &["--exit", "256"],
                UsageError::BadValue {
                    flag: "--exit",
                    value: "256".into(),
                    expected: "an exit code, 0 to 255",
                },
            ),
            (
                &["--sleep-ms", "+5"],
                UsageError::BadValue {
                    flag: "--sleep-ms",
                    value: "+5".into(),
                    expected: "milliseconds",
                },
            ),
            (
                &["--fork-orphan", "3000000000"],
                UsageError::BadValue {
                    flag: "--fork-orphan",
                    value: "3000000000".into(),
                    expected: "milliseconds, at most 2147483647",
                },
            ),
            (&["--rx", "3", "--rx", "5"], UsageError::Twice("--rx")),
            (
                &["--name", "two words"],
                UsageError::BadValue {
                    flag: "--name",
                    value: "two words".into(),
                    expected: "a name of printable ASCII without spaces or `*`",
                },
            ),
            (
                &["--hello"],
                UsageError::Needs {
                    action: "--hello",
                    setting: "--tx",
                },
            ),
            (
                &["--tx", "4", "--echo"],
                UsageError::Needs {
                    action: "--echo",
                    setting: "--rx",
                },
            ),
            (
                &["--tx-nonblock"],
                UsageError::Needs {
                    action: "--tx-nonblock",
                    setting: "--tx",
                },
            ),
        ];
        for (args, want) in cases {
            assert_eq!(parse_strs(args).as_ref(), Err(want), "{args:?}");
        }
    }

    #[test]
    fn help_wins() {
        assert_eq!(parse_strs(&["--exit", "1", "-h"]), Ok(Parsed::Help));
    }
}
