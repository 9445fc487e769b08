//! The real `applianced` on a topology, and its log.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::{DEADLINE, TempDir, programs};

/// The placeholders of a topology ([`expand`]) and the binaries they stand
/// for.
const PROGRAMS: [(&str, &str); 6] = [
    ("@APPLIANCED@", "applianced"),
    ("@MOTION@", "appliance-motion"),
    ("@LIGHT@", "appliance-light"),
    ("@GUI@", "appliance-gui"),
    ("@LOG@", "appliance-log"),
    ("@TESTCHILD@", "appliance-testchild"),
];

/// The repository's root directory (the workspace).
pub fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/test-support lives in the repository")
        .to_path_buf()
}

/// A topology for a test: `@APPLIANCED@`, `@MOTION@`, `@LIGHT@`, `@GUI@`,
/// `@LOG@` and `@TESTCHILD@` replaced by the programs' paths (see
/// [`crate::program`]), `@BOARD@` by the repository's `board/` directory.
pub fn expand(topology: &str) -> String {
    let used: Vec<(&str, &str)> = PROGRAMS
        .into_iter()
        .filter(|(key, _)| topology.contains(key))
        .collect();
    let paths = programs(&used.iter().map(|(_, bin)| *bin).collect::<Vec<_>>());
    let board = repository().join("board");
    let mut text = topology.replace("@BOARD@", &board.display().to_string());
    for ((key, _), path) in used.iter().zip(paths) {
        text = text.replace(key, &path.display().to_string());
    }
    text
}

/// A running `applianced` (started by [`Appliance::start`]) and every line
/// of its log so far, where every child's stdout and stderr arrive
/// prefixed with `NAME[PID]: `. The waits panic with the whole log.
pub struct Appliance {
    child: Child,
    log: Arc<(Mutex<Log>, Condvar)>,
    dir: TempDir,
}

/// The supervisor's log as read so far.
#[derive(Default)]
struct Log {
    lines: Vec<String>,
    /// Its stderr reached end of file: it has exited, nothing more comes.
    ended: bool,
}

impl Appliance {
    /// Writes `topology` ([`expand`]ed) into a fresh directory for `test`
    /// (`topology.toml`) and starts `applianced` on it there.
    pub fn start(test: &str, topology: &str) -> Appliance {
        Appliance::start_under(test, topology, &[])
    }

    /// [`Appliance::start`] with `applianced` started by `launcher` (a
    /// program and its arguments, e.g. `unshare --pid --fork`): the pid is
    /// then the launcher's.
    pub fn start_under(test: &str, topology: &str, launcher: &[&str]) -> Appliance {
        let dir = TempDir::new(test);
        let config = dir.join("topology.toml");
        std::fs::write(&config, expand(topology)).expect("write the topology");
        let applianced = crate::program("applianced");
        let mut command = match launcher {
            [] => Command::new(&applianced),
            [program, args @ ..] => {
                let mut command = Command::new(program);
                command.args(args).arg(&applianced);
                command
            }
        };
        let mut child = command
            .arg("--config")
            .arg(&config)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start applianced");
        let log = Arc::new((Mutex::new(Log::default()), Condvar::new()));
        let stderr = child.stderr.take().expect("piped stderr");
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            let (lock, cvar) = &*sink;
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                lock.lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .lines
                    .push(line);
                cvar.notify_all();
            }
            lock.lock().unwrap_or_else(PoisonError::into_inner).ended = true;
            cvar.notify_all();
        });
        Appliance { child, log, dir }
    }

    /// The directory the topology and the processes' files live in.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The supervisor's pid (the launcher's, if it has one).
    pub fn pid(&self) -> Pid {
        crate::pid_of(&self.child)
    }

    /// Waits until a line from index `from` on contains every one of
    /// `parts`, in order; returns its index and text. Panics with the
    /// whole log at the deadline, or at once if the supervisor has exited
    /// without such a line.
    #[track_caller]
    pub fn wait_for_from(&self, from: usize, parts: &[&str]) -> (usize, String) {
        let (lock, cvar) = &*self.log;
        let deadline = Instant::now() + DEADLINE;
        let mut log = lock.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some((i, l)) = log
                .lines
                .iter()
                .enumerate()
                .skip(from)
                .find(|(_, l)| contains_in_order(l, parts))
            {
                return (i, l.clone());
            }
            assert!(
                !log.ended,
                "applianced exited without a log line with {parts:?}; the log:\n{}",
                log.lines.join("\n")
            );
            let now = Instant::now();
            assert!(
                now < deadline,
                "no log line with {parts:?} within {DEADLINE:?}; the log:\n{}",
                log.lines.join("\n")
            );
            log = cvar
                .wait_timeout(log, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// [`Appliance::wait_for_from`] the first line.
    #[track_caller]
    pub fn wait_for(&self, parts: &[&str]) -> (usize, String) {
        self.wait_for_from(0, parts)
    }

    /// Every line so far.
    pub fn log(&self) -> Vec<String> {
        self.log
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .lines
            .clone()
    }

    /// Sends SIGTERM, waits for the supervisor to stop every process and
    /// exit, and returns every line of the log, the processes' last words
    /// included. Panics, with the log, unless it exits with code 0. The
    /// directory stays until the `Appliance` is dropped.
    #[track_caller]
    pub fn stop(&mut self) -> Vec<String> {
        let _ = kill(self.pid(), Signal::SIGTERM);
        let (status, log) = self.wait_exit();
        assert_eq!(
            status.code(),
            Some(0),
            "applianced's exit ({status}); the log:\n{}",
            log.join("\n")
        );
        log
    }

    /// Waits for the supervisor to exit by itself; its status and every
    /// line of its log.
    #[track_caller]
    pub fn wait_exit(&mut self) -> (ExitStatus, Vec<String>) {
        let deadline = Instant::now() + DEADLINE;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return (status, self.log_to_the_end());
            }
            assert!(
                Instant::now() < deadline,
                "applianced did not exit within {DEADLINE:?}; the log:\n{}",
                self.log().join("\n")
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Every line, once the supervisor's stderr has ended (it has exited);
    /// what came so far if that takes longer than the deadline.
    fn log_to_the_end(&self) -> Vec<String> {
        let (lock, cvar) = &*self.log;
        let log = lock.lock().unwrap_or_else(PoisonError::into_inner);
        let (log, _) = cvar
            .wait_timeout_while(log, DEADLINE, |log| !log.ended)
            .unwrap_or_else(PoisonError::into_inner);
        log.lines.clone()
    }
}

impl Drop for Appliance {
    fn drop(&mut self) {
        // A failed test must not leave the appliance running: SIGINT twice
        // kills every process at once; SIGKILL if even that takes too long.
        if let Ok(None) = self.child.try_wait() {
            let _ = kill(self.pid(), Signal::SIGINT);
            let _ = kill(self.pid(), Signal::SIGINT);
            let deadline = Instant::now() + DEADLINE;
            while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(5));
            }
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Whether `line` contains each of `parts`, one after the other.
pub fn contains_in_order(line: &str, parts: &[&str]) -> bool {
    let mut at = 0;
    parts.iter().all(|p| match line[at..].find(p) {
        Some(k) => {
            at += k + p.len();
            true
        }
        None => false,
    })
}

/// The pid in a log line `... NAME[PID]...`.
#[track_caller]
pub fn pid_in(line: &str, name: &str) -> Pid {
    let start = line
        .find(&format!("{name}["))
        .unwrap_or_else(|| panic!("no {name}[PID] in {line}"))
        + name.len()
        + 1;
    let end = start
        + line[start..]
            .find(']')
            .unwrap_or_else(|| panic!("no {name}[PID] in {line}"));
    Pid::from_raw(
        line[start..end]
            .parse()
            .unwrap_or_else(|e| panic!("{name}[PID] in {line}: {e}")),
    )
}
