//! Running programs: every command a task runs is printed first (`$ ...`,
//! in a form that can be pasted into a shell) and runs from the workspace
//! root with its output streamed, so a CI log reads like a shell session.

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::error::Error;

/// A command to run: program, arguments, extra environment. It runs in the
/// current directory, which `main` sets to the workspace root.
#[derive(Debug, Clone)]
pub(crate) struct Cmd {
    program: String,
    args: Vec<String>,
    envs: Vec<(String, String)>,
}

impl Cmd {
    /// A command running `program`.
    pub(crate) fn new(program: &str) -> Self {
        Cmd {
            program: program.to_owned(),
            args: Vec::new(),
            envs: Vec::new(),
        }
    }

    /// `cargo` with the given arguments.
    pub(crate) fn cargo<I, S>(args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Cmd::new("cargo").args(args)
    }

    /// Appends one argument.
    pub(crate) fn arg(mut self, arg: impl AsRef<str>) -> Self {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    /// Appends arguments.
    pub(crate) fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// Sets an environment variable for this command only.
    pub(crate) fn env(mut self, key: &str, value: &str) -> Self {
        self.envs.push((key.to_owned(), value.to_owned()));
        self
    }

    /// Prints the command, runs it with inherited stdio and fails unless it
    /// exits with 0.
    pub(crate) fn run(&self) -> Result<(), Error> {
        eprintln!("$ {self}");
        let status = self.command().status().map_err(|source| Error::Spawn {
            cmd: self.to_string(),
            source,
        })?;
        if status.success() {
            Ok(())
        } else {
            Err(Error::Failed {
                cmd: self.to_string(),
                status,
            })
        }
    }

    /// Runs the command quietly and captures its output, whatever its exit
    /// status; for checks like "is this installed?", which are not printed.
    pub(crate) fn output(&self) -> Result<Output, Error> {
        self.command()
            .stdin(Stdio::null())
            .output()
            .map_err(|source| Error::Spawn {
                cmd: self.to_string(),
                source,
            })
    }

    /// Like [`Cmd::output`], but fails unless the command exits with 0, and
    /// returns only stdout.
    pub(crate) fn stdout(&self) -> Result<String, Error> {
        let output = self.output()?;
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout).into_owned())
        } else {
            // Not printed before, so show what it said.
            eprint!("{}", String::from_utf8_lossy(&output.stderr));
            Err(Error::Failed {
                cmd: self.to_string(),
                status: output.status,
            })
        }
    }

    fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        command.args(&self.args);
        // `cargo xtask` runs under rustup, which exports the toolchain it
        // picked (also for `cargo +nightly xtask`). Dropping it lets each
        // command pick its toolchain as a shell would: rust-toolchain.toml,
        // or an explicit `+nightly`.
        command
            .env_remove("RUSTUP_TOOLCHAIN")
            .env_remove("RUSTUP_TOOLCHAIN_SOURCE");
        for (key, value) in &self.envs {
            command.env(key, value);
        }
        command
    }
}

impl std::fmt::Display for Cmd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (key, value) in &self.envs {
            write!(f, "{key}={} ", quote(value))?;
        }
        write!(f, "{}", quote(&self.program))?;
        for arg in &self.args {
            write!(f, " {}", quote(arg))?;
        }
        Ok(())
    }
}

/// Quotes a word for a POSIX shell, only when needed.
fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=+:,@%".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// Measures how long something took.
#[derive(Debug)]
pub(crate) struct Stopwatch(Instant);

impl Stopwatch {
    /// Starts measuring now.
    pub(crate) fn start() -> Self {
        Stopwatch(Instant::now())
    }

    /// Time since [`Stopwatch::start`].
    pub(crate) fn elapsed(&self) -> Duration {
        self.0.elapsed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_pasteable_into_a_shell() {
        let cmd = Cmd::cargo(["doc", "--no-deps"]).env("RUSTDOCFLAGS", "-D warnings");
        assert_eq!(
            cmd.to_string(),
            "RUSTDOCFLAGS='-D warnings' cargo doc --no-deps"
        );
        let cmd = Cmd::new("echo").arg("it's");
        assert_eq!(cmd.to_string(), r"echo 'it'\''s'");
        assert_eq!(Cmd::new("x").arg("").to_string(), "x ''");
    }

    #[test]
    fn run_reports_the_exit_code() {
        assert!(Cmd::new("true").run().is_ok());
        let error = Cmd::new("sh").args(["-c", "exit 3"]).run().unwrap_err();
        assert_eq!(error.to_string(), "`sh -c 'exit 3'` failed (exit 3)");
        let missing = Cmd::new("no-such-program-xtask").run().unwrap_err();
        assert!(matches!(missing, Error::Spawn { .. }));
    }
}
