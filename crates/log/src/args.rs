//! The command line, parsed by hand: no parser crate for eight flags.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

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
                      (default 1048576, at least 1024)
  --keep N            files kept, appliance.log included (default 5, 1-1000)
  --fsync-frames N    fsync after N frames written (default 100; 0: never by count)
  --fsync-ms N        fsync N ms after the first unsynced frame
                      (default 1000; 0: never by time); always on SIGTERM
  --name NAME         this process's name in marker lines (default log)
  --unsafe-read       test only: consume the pipe before writing and buffer
                      lines until the next fsync (a naive logger, which
                      loses frames on SIGKILL)
  -h, --help          print this

On a full disk or an I/O error it keeps reading the pipe, counts the frames
it could not write, retries with backoff and, once writing works again,
writes one line `LOST name=NAME frames=N imu=K seq_first=A seq_last=B
err=ERRNO since=TIME`.

exit codes: 0 on SIGTERM or SIGINT, or when every writer of the pipe has
closed it; 64 bad argument; 71 a system call the loop needs failed;
73 the log directory cannot be created or opened; 74 pipe I/O error.
";

/// The smallest `--max-bytes`: twice the longest line (a 510-byte body,
/// its timestamp and LF), so a file always holds at least one line.
pub const MIN_MAX_BYTES: u64 = 1024;

/// The largest `--keep`.
pub const MAX_KEEP: u32 = 1000;

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

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// `--help`.
    Help,
    /// Log.
    Run(Config),
}

/// A command line that cannot run; each names the argument at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UsageError {
    /// An argument that is not a flag of this program.
    #[error("unknown argument `{0}` (--help lists them)")]
    Unknown(String),
    /// A flag at the end of argv without its value.
    #[error("{0} needs a value")]
    MissingValue(&'static str),
    /// A required flag is absent.
    #[error("{0} is required (--help shows the usage)")]
    Missing(&'static str),
    /// An argument that is not valid UTF-8.
    #[error("argument {0:?} is not valid UTF-8")]
    NotUnicode(OsString),
    /// A value the flag does not take.
    #[error("{flag} `{value}`: expected {expected}")]
    BadValue {
        /// The flag.
        flag: &'static str,
        /// The value.
        value: String,
        /// What it should be.
        expected: &'static str,
    },
    /// A flag given twice.
    #[error("{0} given twice")]
    Twice(&'static str),
}

/// Parses argv without the program name.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Parsed, UsageError> {
    let mut args = args.into_iter();
    let mut rx = None;
    let mut dir = None;
    let mut max_bytes = None;
    let mut keep = None;
    let mut fsync_frames = None;
    let mut fsync_ms = None;
    let mut name = None;
    let mut unsafe_read = false;
    while let Some(arg) = args.next() {
        let arg = arg.into_string().map_err(UsageError::NotUnicode)?;
        let mut value = |flag: &'static str| -> Result<String, UsageError> {
            args.next()
                .ok_or(UsageError::MissingValue(flag))?
                .into_string()
                .map_err(UsageError::NotUnicode)
        };
        match arg.as_str() {
            "-h" | "--help" => return Ok(Parsed::Help),
            "--rx" => set_once(&mut rx, "--rx", value("--rx")?)?,
            "--dir" => {
                let v = value("--dir")?;
                if v.is_empty() {
                    return Err(bad("--dir", v, "a directory path"));
                }
                set_once(&mut dir, "--dir", PathBuf::from(v))?;
            }
            "--max-bytes" => {
                let v = value("--max-bytes")?;
                let n = number(&v)
                    .filter(|&n| n >= MIN_MAX_BYTES)
                    .ok_or_else(|| bad("--max-bytes", v, "a number of bytes, at least 1024"))?;
                set_once(&mut max_bytes, "--max-bytes", n)?;
            }
            "--keep" => {
                let v = value("--keep")?;
                let n = number(&v)
                    .and_then(|n| u32::try_from(n).ok())
                    .filter(|n| (1..=MAX_KEEP).contains(n))
                    .ok_or_else(|| bad("--keep", v, "a number of files, 1 to 1000"))?;
                set_once(&mut keep, "--keep", n)?;
            }
            "--fsync-frames" => {
                let v = value("--fsync-frames")?;
                let n = number(&v).ok_or_else(|| {
                    bad(
                        "--fsync-frames",
                        v,
                        "a number of frames (0: never by count)",
                    )
                })?;
                set_once(&mut fsync_frames, "--fsync-frames", n)?;
            }
            "--fsync-ms" => {
                let v = value("--fsync-ms")?;
                let n = number(&v).ok_or_else(|| {
                    bad(
                        "--fsync-ms",
                        v,
                        "a number of milliseconds (0: never by time)",
                    )
                })?;
                set_once(&mut fsync_ms, "--fsync-ms", n)?;
            }
            "--name" => {
                let v = value("--name")?;
                if wire::Token::new(&v).is_err() {
                    return Err(bad(
                        "--name",
                        v,
                        "a wire token (printable ASCII, no space, `*` or `%`)",
                    ));
                }
                set_once(&mut name, "--name", v)?;
            }
            "--unsafe-read" => {
                if unsafe_read {
                    return Err(UsageError::Twice("--unsafe-read"));
                }
                unsafe_read = true;
            }
            _ => return Err(UsageError::Unknown(arg)),
        }
    }
    let mut config = Config::new(
        rx.ok_or(UsageError::Missing("--rx"))?,
        dir.ok_or(UsageError::Missing("--dir"))?,
    );
    if let Some(n) = max_bytes {
        config.max_bytes = n;
    }
    if let Some(n) = keep {
        config.keep = n;
    }
    if let Some(n) = fsync_frames {
        config.fsync.frames = (n > 0).then_some(n);
    }
    if let Some(ms) = fsync_ms {
        config.fsync.after = (ms > 0).then(|| Duration::from_millis(ms));
    }
    if let Some(name) = name {
        config.name = name;
    }
    config.unsafe_read = unsafe_read;
    Ok(Parsed::Run(config))
}

fn set_once<T>(slot: &mut Option<T>, flag: &'static str, value: T) -> Result<(), UsageError> {
    if slot.is_some() {
        return Err(UsageError::Twice(flag));
    }
    *slot = Some(value);
    Ok(())
}

fn bad(flag: &'static str, value: String, expected: &'static str) -> UsageError {
    UsageError::BadValue {
        flag,
        value,
        expected,
    }
}

/// A decimal number: digits only (no sign, no spaces, no suffix).
fn number(value: &str) -> Option<u64> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    fn config(list: &[&str]) -> Config {
        match parse(args(list)) {
            Ok(Parsed::Run(c)) => c,
            other => panic!("{list:?}: {other:?}"),
        }
    }

    fn error(list: &[&str]) -> UsageError {
        parse(args(list)).expect_err("a usage error")
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
        assert_eq!(parse(args(&["--rx", "3", "-h"])), Ok(Parsed::Help));
        assert_eq!(parse(args(&["--help"])), Ok(Parsed::Help));
    }

    #[test]
    fn errors_name_the_argument() {
        assert_eq!(error(&["--dir", "d"]), UsageError::Missing("--rx"));
        assert_eq!(error(&["--rx", "3"]), UsageError::Missing("--dir"));
        assert_eq!(error(&["--rx"]), UsageError::MissingValue("--rx"));
        assert_eq!(
            error(&["--rx", "3", "--rx", "4"]),
            UsageError::Twice("--rx")
        );
        assert_eq!(
            error(&["--rx", "3", "--dir", "d", "--verbose"]),
            UsageError::Unknown("--verbose".into())
        );
        for (flag, value) in [
            ("--max-bytes", "1023"),
            ("--max-bytes", "1k"),
            ("--max-bytes", "-5"),
            ("--keep", "0"),
            ("--keep", "1001"),
            ("--keep", "+3"),
            ("--fsync-frames", ""),
            ("--fsync-ms", "1.5"),
            ("--name", "two words"),
            ("--name", "a*b"),
            ("--dir", ""),
        ] {
            match error(&["--rx", "3", "--dir", "d", flag, value]) {
                UsageError::BadValue {
                    flag: f, value: v, ..
                } => {
                    assert_eq!((f, v.as_str()), (flag, value));
                }
                other => panic!("{flag} {value}: {other:?}"),
            }
        }
        let message = error(&["--rx", "3", "--dir", "d", "--keep", "0"]).to_string();
        assert_eq!(message, "--keep `0`: expected a number of files, 1 to 1000");
    }
}
