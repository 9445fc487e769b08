//! The one error type of xtask. Every message says what failed and, where
//! there is something to do about it, what to do.

use std::fmt;
use std::io;
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::ExitStatus;

/// Everything that can go wrong in a task.
#[derive(Debug)]
pub(crate) enum Error {
    /// The command line is wrong; the message says how.
    Args(cli::UsageError),
    /// What the command line asks for does not exist (a stage, a fuzz
    /// target); the message says what there is.
    Usage(String),
    /// A program could not be started at all.
    Spawn {
        /// The command line, as printed before running it.
        cmd: String,
        /// Why it could not be started.
        source: io::Error,
    },
    /// A program ran and exited unsuccessfully.
    Failed {
        /// The command line, as printed before running it.
        cmd: String,
        /// How it ended.
        status: ExitStatus,
    },
    /// Installing something a stage needs failed.
    Setup {
        /// What failed.
        what: String,
        /// What to do by hand instead.
        fix: String,
    },
    /// A stage was not run because something it needs is missing.
    NotReady {
        /// The missing need, e.g. "the nightly toolchain".
        need: String,
        /// Why it is missing (the setup error).
        cause: String,
    },
    /// A file or directory of the workspace could not be read.
    Io {
        /// The path that could not be read.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// Several commands of one stage failed; each is reported.
    Many(Vec<Error>),
}

impl Error {
    /// The process exit code for this error: 64 (`EX_USAGE`) for usage
    /// errors, 1 (`EXIT_FAILURE`) for everything else.
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            Error::Args(_) | Error::Usage(_) => cli::exit::EX_USAGE,
            _ => cli::exit::EXIT_FAILURE,
        }
    }

    /// Combines the errors of commands that were all run: `Ok` if there are
    /// none, the error itself if there is one.
    pub(crate) fn collect(mut errors: Vec<Error>) -> Result<(), Error> {
        match errors.len() {
            0 => Ok(()),
            1 => Err(errors.remove(0)),
            _ => Err(Error::Many(errors)),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Args(e) => write!(f, "{e}"),
            Error::Usage(msg) => write!(f, "{msg} (see `cargo xtask --help`)"),
            Error::Spawn { cmd, source } => {
                write!(
                    f,
                    "could not start `{cmd}`: {source}; is it installed and on PATH?"
                )
            }
            Error::Failed { cmd, status } => {
                write!(f, "`{cmd}` failed ")?;
                match (status.code(), status.signal()) {
                    (Some(code), _) => write!(f, "(exit {code})"),
                    (None, Some(signal)) => write!(f, "(killed by signal {signal})"),
                    (None, None) => write!(f, "({status})"),
                }
            }
            Error::Setup { what, fix } => write!(f, "{what}; {fix}"),
            Error::NotReady { need, cause } => {
                write!(
                    f,
                    "not run: needs {need}, which could not be set up: {cause}"
                )
            }
            Error::Io { path, source } => write!(f, "could not read {}: {source}", path.display()),
            Error::Many(errors) => {
                write!(f, "{} commands failed:", errors.len())?;
                for error in errors {
                    write!(f, "\n  - {error}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for Error {}

impl From<cli::UsageError> for Error {
    fn from(e: cli::UsageError) -> Self {
        Error::Args(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_command_names_the_command_and_the_exit_code() {
        let status = ExitStatus::from_raw(101 << 8);
        let error = Error::Failed {
            cmd: "cargo clippy".into(),
            status,
        };
        assert_eq!(error.to_string(), "`cargo clippy` failed (exit 101)");
        let killed = Error::Failed {
            cmd: "x".into(),
            status: ExitStatus::from_raw(9),
        };
        assert_eq!(killed.to_string(), "`x` failed (killed by signal 9)");
    }

    #[test]
    fn collect_keeps_a_single_error_as_is() {
        assert!(Error::collect(vec![]).is_ok());
        let one = Error::collect(vec![Error::Usage("a".into())]).unwrap_err();
        assert!(matches!(one, Error::Usage(_)));
        let two = Error::collect(vec![Error::Usage("a".into()), Error::Usage("b".into())]);
        assert!(
            two.unwrap_err()
                .to_string()
                .starts_with("2 commands failed:")
        );
    }
}
