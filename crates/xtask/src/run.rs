//! `cargo xtask run`: build and start the appliance on this machine: the
//! supervisor `applianced` on the simulated board's topology
//! (`board/sim/arch2.toml`, or `arch1.toml` with `--arch 1`), simulated
//! sensors, the GUI on a headless screen refreshed as a PNG, the LOG
//! process writing under `target/`.
//!
//! After building, this process *becomes* `applianced` (exec), so Ctrl-C
//! reaches the supervisor alone (every child leads its own process group),
//! which stops the processes in order and exits 0; a second Ctrl-C kills
//! them at once.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use crate::cmd::Cmd;
use crate::error::Error;

/// `cargo xtask run` options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RunArgs {
    /// The simulated board's architecture: 1 (GUI, MOTION, LIGHT) or 2 (+ LOG).
    pub(crate) arch: u8,
}

impl Default for RunArgs {
    fn default() -> Self {
        RunArgs { arch: 2 }
    }
}

/// Builds the programs, prepares `target/appliance-sim/`, says where to
/// look, and execs `applianced`; returns only on failure.
pub(crate) fn main(args: RunArgs) -> Result<ExitCode, Error> {
    Cmd::cargo([
        "build",
        "-p",
        "applianced",
        "-p",
        "motion",
        "-p",
        "light",
        "-p",
        "gui",
        "-p",
        "log",
    ])
    .run()?;
    let root = std::env::current_dir().map_err(|source| Error::Io {
        path: PathBuf::from("."),
        source,
    })?;
    let target = target_dir(&root);
    let sim = target.join("appliance-sim");
    std::fs::create_dir_all(&sim).map_err(|source| Error::Io {
        path: sim.clone(),
        source,
    })?;
    let board = root.join("board/sim");
    let name = format!("arch{}.toml", args.arch);
    let mut topology = board.join(&name);
    if target != root.join("target") {
        // The committed topology finds the programs in ../../target; with
        // another target directory, run a copy that points there.
        topology = retarget(&topology, &board, &target, &sim.join(&name))?;
    }
    let screen = sim.join("screen.png");
    let log_dir = sim.join("log");
    eprintln!(
        "cargo xtask run: starting the appliance (architecture {arch}) on {topology}\n\
         \x20 screen  {screen} (a PNG, refreshed twice a second: open it in an image viewer)\n\
         \x20 log     {logs}{log_note}\n\
         \x20 scenario {board}/demo.scenario (a minute of gestures and faults, looping)\n\
         \x20 below: the supervisor's log, every process's output prefixed NAME[PID].\n\
         \x20 Ctrl-C stops every process in order (twice: at once).",
        arch = args.arch,
        topology = topology.display(),
        screen = screen.display(),
        logs = log_dir.display(),
        log_note = if args.arch == 1 {
            " (architecture 1 has no LOG process)"
        } else {
            "/appliance.log (IMU frames, rotated)"
        },
        board = board.display(),
    );
    let applianced = target.join("debug/applianced");
    let error = Command::new(&applianced)
        .arg("--config")
        .arg(&topology)
        .exec();
    Err(Error::Spawn {
        cmd: format!("{} --config {}", applianced.display(), topology.display()),
        source: error,
    })
}

/// Cargo's target directory: `CARGO_TARGET_DIR` (relative to the
/// workspace root) or `target/`.
fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root.join(dir),
        _ => root.join("target"),
    }
}

/// Writes a copy of `topology` to `out` with the programs in `target`,
/// the scenario and working directories in `board`, all absolute.
fn retarget(topology: &Path, board: &Path, target: &Path, out: &Path) -> Result<PathBuf, Error> {
    let text = std::fs::read_to_string(topology).map_err(|source| Error::Io {
        path: topology.to_owned(),
        source,
    })?;
    let text = text
        .replace("../../target/", &format!("{}/", target.display()))
        .replace(
            "sim:demo.scenario",
            &format!("sim:{}/demo.scenario", board.display()),
        )
        .replace("cwd = \".\"", &format!("cwd = \"{}\"", board.display()));
    std::fs::write(out, text).map_err(|source| Error::Io {
        path: out.to_owned(),
        source,
    })?;
    Ok(out.to_owned())
}
