//! The harness of the system tests: runs the real `applianced` on a
//! topology, with the real appliance programs as its children, and lets a
//! test wait (with a deadline, never a sleep) for lines in the
//! supervisor's log, where every child's stdout and stderr arrive
//! prefixed with `NAME[PID]: `.
//!
//! The programs are the workspace's binaries in the same target directory
//! as the test (`cargo test --workspace` builds them all; `cargo xtask ci`
//! runs that). A topology names them with placeholders: `@MOTION@`,
//! `@LIGHT@`, `@GUI@`, `@LOG@` and `@TESTCHILD@` stand for the programs'
//! paths, `@BOARD@` for the repository's `board/` directory.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

/// How long a condition may take on a loaded CI machine; it usually holds
/// in milliseconds.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// The path of a workspace binary next to the running test, or a panic
/// that says how to build it.
pub fn program(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test's own path");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("tests run from target/<profile>/deps");
    let path = dir.join(name);
    assert!(
        path.exists(),
        "{} is not built: run the tests with `cargo test --workspace` (or `cargo xtask ci`)",
        path.display()
    );
    path
}

/// The repository's `board/` directory.
pub fn board_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ lives in the repository")
        .join("board")
}

/// Replaces the placeholders of a topology (see the crate docs).
pub fn expand(topology: &str) -> String {
    let mut text = topology.replace("@BOARD@", &board_dir().display().to_string());
    for (key, bin) in [
        ("@MOTION@", "appliance-motion"),
        ("@LIGHT@", "appliance-light"),
        ("@GUI@", "appliance-gui"),
        ("@LOG@", "appliance-log"),
        ("@TESTCHILD@", "appliance-testchild"),
    ] {
        if text.contains(key) {
            text = text.replace(key, &program(bin).display().to_string());
        }
    }
    text
}

/// A topology of the simulated board (`board/sim/NAME`), rewritten for a
/// test: the programs from the test's own target directory, the scenario
/// from `board/sim/`, and the screen and the log files in the test's
/// directory (`screen.png`, `log/`), where [`Appliance::start`] puts it.
pub fn board_topology(name: &str) -> String {
    let path = board_dir().join("sim").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let programs = program("applianced");
    let programs = programs.parent().expect("a directory");
    text.replace("../../target/debug/", &format!("{}/", programs.display()))
        .replace(
            "sim:demo.scenario",
            &format!("sim:{}/sim/demo.scenario", board_dir().display()),
        )
        .replace("../../target/appliance-sim/", "")
}

/// A running `applianced` and every line of its log so far.
pub struct Appliance {
    child: Child,
    log: Arc<(Mutex<Log>, Condvar)>,
    dir: PathBuf,
}

/// The supervisor's log as read so far.
#[derive(Default)]
struct Log {
    lines: Vec<String>,
    /// Its stderr reached end of file: it has exited, nothing more comes.
    ended: bool,
}

impl Appliance {
    /// Writes `topology` (placeholders expanded) into a fresh directory
    /// named after `test` and starts `applianced` on it there.
    pub fn start(test: &str, topology: &str) -> Appliance {
        let dir = std::env::temp_dir().join(format!("system-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let config = dir.join("topology.toml");
        std::fs::write(&config, expand(topology)).expect("write the topology");
        let mut child = Command::new(program("applianced"))
            .arg("--config")
            .arg(&config)
            .current_dir(&dir)
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
        &self.dir
    }

    /// The supervisor's pid.
    pub fn pid(&self) -> Pid {
        Pid::from_raw(i32::try_from(self.child.id()).expect("a pid fits in i32"))
    }

    /// Waits until a line from index `from` on contains every one of
    /// `parts`, in order; returns its index and text. Panics with the
    /// whole log at the deadline, or at once if the supervisor has exited
    /// without such a line.
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

    /// Sends SIGTERM and waits for the supervisor to stop every process
    /// and exit; returns its exit code.
    pub fn stop(self) -> Option<i32> {
        self.stop_with_log().0
    }

    /// [`Appliance::stop`], and then every line of the log, the
    /// processes' last words included.
    pub fn stop_with_log(mut self) -> (Option<i32>, Vec<String>) {
        let _ = kill(self.pid(), Signal::SIGTERM);
        let deadline = Instant::now() + DEADLINE;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return (status.code(), self.log_to_the_end());
            }
            assert!(
                Instant::now() < deadline,
                "applianced did not stop within {DEADLINE:?}; the log:\n{}",
                self.log().join("\n")
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Appliance {
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
        // kills every process at once.
        if let Ok(None) = self.child.try_wait() {
            let _ = kill(self.pid(), Signal::SIGINT);
            let _ = kill(self.pid(), Signal::SIGINT);
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
