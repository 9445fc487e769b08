//! The command line: settings and the script of actions.

use std::ffi::OsString;

use cli::{Args, Command, Flag, Spec, UsageError, Value};
use nix::sys::signal::Signal;

use crate::PROGRAM;

/// The usage, printed by `--help`.
pub const HELP: &str = "\
usage: appliance-testchild [SETTINGS] ACTION...

A scriptable child for applianced's tests. Settings apply wherever they
stand, each given once; actions run in the order given, as often as
given; when they are done it exits 0.

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
  --sleep-ms N       sleep N milliseconds (at most 86400000, a day)
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
  --version          print the name and version

When the environment variable APPLIANCE_TESTCHILD_ARGS is set, its words
replace the arguments: runsv and s6-supervise start `./run` with none or
with the service directory, and the restart benchmark links `run` to this
program.

exit codes: N for --exit N; 64 for a bad argument or pipe end; 1 when an
action fails; 0 when the actions are done.
";

/// The command line.
pub static SPEC: Spec = Spec::new(PROGRAM, env!("CARGO_PKG_VERSION"), HELP, &FLAGS);

/// The flags: the settings, then the actions, which may repeat.
const FLAGS: [Flag; 21] = [
    Flag::value("--rx"),
    Flag::value("--tx"),
    Flag::switch("--tx-nonblock"),
    Flag::value("--name"),
    Flag::switch("--hello").repeatable(),
    Flag::switch("--report-fds").repeatable(),
    Flag::value("--print").repeatable(),
    Flag::value("--eprint").repeatable(),
    Flag::value("--sleep-ms").repeatable(),
    Flag::value("--write-pid").repeatable(),
    Flag::value("--notify-fd").repeatable(),
    Flag::switch("--pause").repeatable(),
    Flag::value("--exit").repeatable(),
    Flag::value("--signal").repeatable(),
    Flag::switch("--core").repeatable(),
    Flag::switch("--ignore-term").repeatable(),
    Flag::value("--fork-orphan").repeatable(),
    Flag::switch("--echo").repeatable(),
    Flag::value("--count-frames").repeatable(),
    Flag::value("--print-frames").repeatable(),
    Flag::value("--send").repeatable(),
];

/// The longest `--sleep-ms`: a day.
pub const MAX_SLEEP_MS: u64 = 86_400_000;

/// The most frames `--count-frames` and `--print-frames` wait for.
pub const MAX_FRAMES: u64 = 1_000_000_000;

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

impl Config {
    /// The settings and the script from the lexed command line.
    pub fn from_args(args: &Args) -> Result<Config, UsageError> {
        let mut actions = Vec::new();
        for (flag, value) in args.in_order() {
            if let Some(action) = action(flag, value)? {
                actions.push(action);
            }
        }
        let config = Config {
            rx: args.fd("--rx")?,
            tx: args.fd("--tx")?,
            tx_nonblock: args.switch("--tx-nonblock"),
            name: args
                .checked_text("--name", wire::Token::RULE, |n| wire::Token::new(n).is_ok())?
                .unwrap_or("testchild")
                .to_owned(),
            actions,
        };
        check_needs(&config)?;
        Ok(config)
    }
}

/// Parses argv without the program name.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command<Config>, UsageError> {
    SPEC.parse(args, Config::from_args)
}

/// The action `flag` (with its value) stands for; `None` for a setting.
fn action(flag: &'static str, value: Option<Value<'_>>) -> Result<Option<Action>, UsageError> {
    let Some(value) = value else {
        return Ok(match flag {
            "--hello" => Some(Action::Hello),
            "--report-fds" => Some(Action::ReportFds),
            "--pause" => Some(Action::Pause),
            "--core" => Some(Action::Core),
            "--ignore-term" => Some(Action::IgnoreTerm),
            "--echo" => Some(Action::Echo),
            _ => None,
        });
    };
    Ok(Some(match flag {
        "--print" => Action::Print(value.text()?.to_owned()),
        "--eprint" => Action::Eprint(value.text()?.to_owned()),
        "--sleep-ms" => Action::SleepMs(value.number(0..=MAX_SLEEP_MS, "milliseconds")?),
        "--write-pid" => Action::WritePid(value.text()?.to_owned()),
        "--notify-fd" => Action::NotifyFd(value.fd()?),
        "--exit" => Action::Exit(value.number(0..=u8::MAX, "an exit code")?),
        "--signal" => Action::Signal(
            parse_signal(value.text()?)
                .ok_or_else(|| value.bad("a signal: SIGTERM, TERM or 15"))?,
        ),
        "--fork-orphan" => {
            Action::ForkOrphan(value.number(0..=i32::MAX.unsigned_abs(), "milliseconds")?)
        }
        "--count-frames" => {
            Action::CountFrames(value.number(0..=MAX_FRAMES, "a number of frames")?)
        }
        "--print-frames" => {
            Action::PrintFrames(value.number(0..=MAX_FRAMES, "a number of frames")?)
        }
        "--send" => Action::Send(value.text()?.to_owned()),
        _ => return Ok(None),
    }))
}

/// Every action that uses a pipe end has it.
fn check_needs(config: &Config) -> Result<(), UsageError> {
    if config.tx_nonblock && config.tx.is_none() {
        return Err(UsageError::Needs {
            flag: "--tx-nonblock",
            needs: "--tx",
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
                    flag: name,
                    needs: setting,
                });
            }
        }
    }
    Ok(())
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

    use test_support::{argv, to_run};

    fn config(args: &[&str]) -> Config {
        to_run(parse(argv(args))).unwrap_or_else(|e| panic!("{args:?}: {e}"))
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
    fn actions_repeat_settings_do_not() {
        let c = config(&["--tx=4", "--hello", "--print", "a", "--hello", "--print=b"]);
        assert_eq!(
            c.actions,
            [
                Action::Hello,
                Action::Print("a".into()),
                Action::Hello,
                Action::Print("b".into()),
            ]
        );
        for setting in [
            &["--tx", "4", "--tx", "4"][..],
            &["--tx-nonblock", "--tx-nonblock"],
            &["--name=a", "--name=a"],
        ] {
            assert!(
                matches!(parse(argv(setting)), Err(UsageError::Twice(_))),
                "{setting:?}"
            );
        }
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
                    expected: "an exit code, 0..=255".into(),
                },
            ),
            (
                &["--sleep-ms", "+5"],
                UsageError::BadValue {
                    flag: "--sleep-ms",
                    value: "+5".into(),
                    expected: "milliseconds, 0..=86400000".into(),
                },
            ),
            (
                &["--fork-orphan", "3000000000"],
                UsageError::BadValue {
                    flag: "--fork-orphan",
                    value: "3000000000".into(),
                    expected: "milliseconds, 0..=2147483647".into(),
                },
            ),
            (&["--rx", "3", "--rx", "5"], UsageError::Twice("--rx")),
            (
                &["--name", "two words"],
                UsageError::BadValue {
                    flag: "--name",
                    value: "two words".into(),
                    expected: "a name of printable ASCII without spaces or `*`".into(),
                },
            ),
            (
                &["--hello"],
                UsageError::Needs {
                    flag: "--hello",
                    needs: "--tx",
                },
            ),
            (
                &["--tx", "4", "--echo"],
                UsageError::Needs {
                    flag: "--echo",
                    needs: "--rx",
                },
            ),
            (
                &["--tx-nonblock"],
                UsageError::Needs {
                    flag: "--tx-nonblock",
                    needs: "--tx",
                },
            ),
        ];
        for (args, want) in cases {
            assert_eq!(parse(argv(args)).as_ref(), Err(want), "{args:?}");
        }
    }

    #[test]
    fn help_and_version_win() {
        assert_eq!(SPEC.problems(), Vec::<String>::new());
        assert_eq!(parse(argv(&["--exit", "1", "-h"])), Ok(Command::Help));
        assert_eq!(parse(argv(&["--hello", "--version"])), Ok(Command::Version));
        // As a value it is a value.
        let c = config(&["--print", "--version"]);
        assert_eq!(c.actions, [Action::Print("--version".into())]);
    }
}
