//! The command line: the flags of `appliance-log` and their values.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use cli::{Args, Command, Flag, Spec, UsageError};

use crate::PROGRAM;

/// The usage, printed by `--help`.
pub const HELP: &str = "\
usage: appliance-log --rx FD --dir DIR [OPTIONS]

Writes every frame read from the pipe --rx to DIR/appliance.log, one line
per frame: the receive time (UTC, ISO-8601, microseconds), a space, the
frame body as received. Rotates appliance.log -> appliance.log.1 -> ...
Every IMU frame in the pipe reaches the files exactly once, in order, even
when this process is killed (SIGKILL included) and restarted on the same
pipe.

options:
  --rx FD             read end of the pipe to log (from applianced)
  --dir DIR           directory of the log files (created if missing)
  --max-bytes N       rotate before appliance.log would exceed N bytes
                      (default 1048576, 1024 to 1099511627776)
  --keep N            files kept, appliance.log included (default 5, 1-1000)
  --fsync-frames N    fsync after N frames written (default 100, up to
                      1000000; 0: never by count)
  --fsync-ms N        fsync N ms after the first unsynced frame (default
                      1000, up to 3600000; 0: never by time); always on
                      SIGTERM
  --name NAME         this process's name in marker lines (default log)
  --unsafe-read       test only: consume the pipe before writing and buffer
                      lines until the next fsync (a naive logger, which
                      loses frames on SIGKILL)
  -h, --help          print this
  --version           print the name and version

On a full disk or an I/O error it keeps reading the pipe, counts the frames
it could not write, retries with backoff and, once writing works again,
writes one line `LOST name=NAME frames=N imu=K seq_first=A seq_last=B
err=ERRNO since=TIME`.

exit codes: 0 on SIGTERM or SIGINT, or when every writer of the pipe has
closed it; 64 bad argument; 71 a system call the loop needs failed;
73 the log directory cannot be created or opened; 74 pipe I/O error.
";

/// The command line.
pub static SPEC: Spec = Spec::new(PROGRAM, env!("CARGO_PKG_VERSION"), HELP, &FLAGS);

/// The flags.
const FLAGS: [Flag; 8] = [
    Flag::value("--rx"),
    Flag::value("--dir"),
    Flag::value("--max-bytes"),
    Flag::value("--keep"),
    Flag::value("--fsync-frames"),
    Flag::value("--fsync-ms"),
    Flag::value("--name"),
    Flag::switch("--unsafe-read"),
];

/// The smallest `--max-bytes`: twice the longest line (a 510-byte body,
/// its timestamp and LF), so a file always holds at least one line.
pub const MIN_MAX_BYTES: u64 = 1024;

/// The largest `--max-bytes`: 1 TiB.
pub const MAX_MAX_BYTES: u64 = 1 << 40;

/// The largest `--keep`.
pub const MAX_KEEP: u32 = 1000;

/// The largest `--fsync-frames`.
pub const MAX_FSYNC_FRAMES: u64 = 1_000_000;

/// The largest `--fsync-ms`: an hour.
pub const MAX_FSYNC_MS: u64 = 3_600_000;

/// When the log file is fsynced (besides rotation and shutdown).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FsyncPolicy {
    /// After this many frames written since the last fsync (`None`: never
    /// by count).
    pub frames: Option<u64>,
    /// This long after the first frame written since the last fsync
    /// (`None`: never by time).
    pub after: Option<Duration>,
}

impl Default for FsyncPolicy {
    /// Every 100 frames or 1000 ms, whichever comes first.
    fn default() -> Self {
        FsyncPolicy {
            frames: Some(100),
            after: Some(Duration::from_millis(1000)),
        }
    }
}

/// What the process does, from its command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `--rx FD`, as given (checked when taken, by `pipe-ends`).
    pub rx: String,
    /// `--dir DIR`.
    pub dir: PathBuf,
    /// `--max-bytes N`: no file grows past this.
    pub max_bytes: u64,
    /// `--keep N`: files kept, `appliance.log` included.
    pub keep: u32,
    /// `--fsync-frames` and `--fsync-ms`.
    pub fsync: FsyncPolicy,
    /// `--name NAME`: a wire token.
    pub name: String,
    /// `--unsafe-read`: the naive mode, for the tests' negative control.
    pub unsafe_read: bool,
}

impl Config {
    /// A configuration with the defaults, logging the pipe at fd `rx` into
    /// `dir`.
    pub fn new(rx: impl Into<String>, dir: impl Into<PathBuf>) -> Self {
        Config {
            rx: rx.into(),
            dir: dir.into(),
            max_bytes: 1024 * 1024,
            keep: 5,
            fsync: FsyncPolicy::default(),
            name: "log".to_owned(),
            unsafe_read: false,
        }
    }
}

impl Config {
    /// The configuration from the lexed command line.
    pub fn from_args(args: &Args) -> Result<Config, UsageError> {
        let mut config = Config::new(
            args.required("--rx")?.fd()?,
            args.required("--dir")?.path()?,
        );
        if let Some(n) = args.number(
            "--max-bytes",
            MIN_MAX_BYTES..=MAX_MAX_BYTES,
            "a number of bytes",
        )? {
            config.max_bytes = n;
        }
        if let Some(n) = args.number("--keep", 1..=MAX_KEEP, "a number of files")? {
            config.keep = n;
        }
        if let Some(n) = args.number(
            "--fsync-frames",
            0..=MAX_FSYNC_FRAMES,
            "a number of frames (0: never by count)",
        )? {
            config.fsync.frames = (n > 0).then_some(n);
        }
        if let Some(ms) = args.number(
            "--fsync-ms",
            0..=MAX_FSYNC_MS,
            "a number of milliseconds (0: never by time)",
        )? {
            config.fsync.after = (ms > 0).then(|| Duration::from_millis(ms));
        }
        let name =
            args.checked_text("--name", wire::Token::RULE, |n| wire::Token::new(n).is_ok())?;
        if let Some(name) = name {
            config.name = name.to_owned();
        }
        config.unsafe_read = args.switch("--unsafe-read");
        Ok(config)
    }
}

/// Parses argv without the program name.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command<Config>, UsageError> {
    SPEC.parse(args, Config::from_args)
}

#[cfg(test)]
mod tests {
    use super::*;

    use test_support::{argv, to_run};

    fn config(list: &[&str]) -> Config {
        to_run(parse(argv(list))).unwrap_or_else(|e| panic!("{list:?}: {e}"))
    }

    fn error(list: &[&str]) -> UsageError {
        parse(argv(list)).expect_err("a usage error")
    }

    #[test]
    fn defaults() {
        let c = config(&["--rx", "3", "--dir", "/var/log/appliance"]);
        assert_eq!(c, Config::new("3", "/var/log/appliance"));
        assert_eq!(c.max_bytes, 1024 * 1024);
        assert_eq!(c.keep, 5);
        assert_eq!(c.fsync.frames, Some(100));
        assert_eq!(c.fsync.after, Some(Duration::from_secs(1)));
        assert_eq!(c.name, "log");
        assert!(!c.unsafe_read);
    }

    #[test]
    fn every_setting() {
        let c = config(&[
            "--name",
            "logger",
            "--dir",
            "d",
            "--max-bytes",
            "4096",
            "--keep",
            "9",
            "--fsync-frames",
            "0",
            "--fsync-ms",
            "250",
            "--unsafe-read",
            "--rx",
            "7",
        ]);
        assert_eq!(c.rx, "7");
        assert_eq!(c.dir, PathBuf::from("d"));
        assert_eq!(c.max_bytes, 4096);
        assert_eq!(c.keep, 9);
        assert_eq!(c.fsync.frames, None);
        assert_eq!(c.fsync.after, Some(Duration::from_millis(250)));
        assert_eq!(c.name, "logger");
        assert!(c.unsafe_read);
        let c = config(&["--rx", "3", "--dir", "d", "--fsync-ms", "0"]);
        assert_eq!(c.fsync.after, None);
    }

    #[test]
    fn help_wins() {
        assert_eq!(SPEC.problems(), Vec::<String>::new());
        assert_eq!(parse(argv(&["--rx", "3", "-h"])), Ok(Command::Help));
        assert_eq!(parse(argv(&["--help"])), Ok(Command::Help));
        assert_eq!(
            parse(argv(&["--keep", "0", "--version"])),
            Ok(Command::Version)
        );
    }

    #[test]
    fn errors_name_the_argument() {
        assert_eq!(error(&["--dir", "d"]), UsageError::Required("--rx"));
        assert_eq!(error(&["--rx", "3"]), UsageError::Required("--dir"));
        assert_eq!(error(&["--rx"]), UsageError::MissingValue("--rx"));
        assert_eq!(
            error(&["--rx", "3", "--rx", "4"]),
            UsageError::Twice("--rx")
        );
        assert_eq!(
            error(&["--rx", "3", "--dir", "d", "--verbose"]),
            UsageError::Unknown("--verbose".into())
        );
        assert_eq!(
            error(&["--rx", "3", "--dir", "d", "--unsafe-read", "--unsafe-read"]),
            UsageError::Twice("--unsafe-read")
        );
        for (flag, value) in [
            ("--max-bytes", "1023"),
            ("--max-bytes", "1k"),
            ("--max-bytes", "-5"),
            ("--keep", "0"),
            ("--keep", "1001"),
            ("--keep", "+3"),
            ("--max-bytes", "1099511627777"),
            ("--fsync-frames", ""),
            ("--fsync-frames", "1000001"),
            ("--fsync-ms", "1.5"),
            ("--fsync-ms", "3600001"),
            ("--name", "two words"),
            ("--name", "a*b"),
        ] {
            match error(&["--rx", "3", "--dir", "d", flag, value]) {
                UsageError::BadValue {
                    flag: f, value: v, ..
                } => {
                    assert_eq!((f, v.to_str()), (flag, Some(value)));
                }
                other => panic!("{flag} {value}: {other:?}"),
            }
        }
        assert_eq!(
            error(&["--rx", "3", "--dir", ""]),
            UsageError::bad_value("--dir", "", "a path")
        );
        let message = error(&["--rx", "3", "--dir", "d", "--keep", "0"]).to_string();
        assert_eq!(message, "--keep `0`: expected a number of files, 1..=1000");
    }
}
