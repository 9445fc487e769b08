//! The `applianced` binary: `--check` on good and bad topologies, the
//! usage errors, and the not-yet-implemented run.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Output};

use test_support::TempDir;

const GOOD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/good.toml");
const BAD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/bad.toml");

fn applianced(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_applianced"))
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[test]
fn check_prints_the_resolved_topology() {
    let out = applianced(&["--config", GOOD, "--check"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
    assert!(
        stdout.starts_with(&format!("topology {GOOD}: 3 pipes, 3 processes\n")),
        "{stdout}"
    );
    let true_path = fs::canonicalize("/bin").unwrap().join("true");
    for line in [
        "pipe to_gui: capacity 65536; read by gui; written by motion, light, applianced (state_pipe)".to_owned(),
        format!("process gui: {} --rx 3 --tx-motion 4 --tx-light=5", true_path.display()),
        "  fd 3  read end of pipe to_gui".to_owned(),
        "  fd 4  write end of pipe to_motion".to_owned(),
        "  fd 5  write end of pipe to_light".to_owned(),
        "  restart always (backoff 0s then 100ms x2.0 up to 30s, reset after 10s; at most 5 restarts in 10s, then hold 60s); stop SIGTERM, 2s".to_owned(),
        format!("process light: {} --rx=3 --tx=4 --again=3", true_path.display()),
    ] {
        assert!(stdout.lines().any(|l| l == line), "missing {line:?} in\n{stdout}");
    }
}

#[test]
fn check_accepts_config_equals_and_any_order() {
    let out = applianced(&["--check", &format!("--config={GOOD}")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn check_resolves_relative_execs_from_the_file() {
    let dir = TempDir::new("cli-rel");
    fs::create_dir_all(dir.join("bin")).unwrap();
    let prog = dir.join("bin/sensor");
    fs::write(&prog, "#!/bin/sh\nexit 0\n").unwrap();
    fs::set_permissions(&prog, fs::Permissions::from_mode(0o755)).unwrap();
    let config = dir.join("topology.toml");
    fs::write(
        &config,
        "[pipes.data]\n[[process]]\nname = \"sensor\"\nexec = \"bin/sensor\"\nargs = [\"--tx\", \"{pipe.data.write}\"]\n\
         [[process]]\nname = \"sink\"\nexec = \"./bin/sensor\"\nargs = [\"--rx\", \"{pipe.data.read}\"]\n",
    )
    .unwrap();
    // Run from elsewhere: the paths follow the file, not the working directory.
    let out = Command::new(env!("CARGO_BIN_EXE_applianced"))
        .args(["--check", "--config"])
        .arg(&config)
        .current_dir("/")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let prog = fs::canonicalize(&prog).unwrap();
    assert!(
        stdout.contains(&format!("process sensor: {} --tx 3\n", prog.display())),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("process sink: {} --rx 3\n", prog.display())),
        "{stdout}"
    );
}

#[test]
fn check_reports_every_problem_and_exits_78() {
    let out = applianced(&["--config", BAD, "--check"]);
    assert_eq!(out.status.code(), Some(78));
    assert!(out.stdout.is_empty());
    let stderr = text(&out.stderr);
    let lines: Vec<_> = stderr.lines().collect();
    assert_eq!(lines.len(), 8, "{stderr}");
    for line in &lines {
        assert!(line.starts_with(&format!("{BAD}:")), "{line}");
    }
    assert!(lines[0].starts_with(&format!("{BAD}:2:12: capacity 5000 is not a power of two")));
    assert!(lines[4].starts_with(&format!("{BAD}:8:45: no pipe named `to_moton`")));
    assert!(lines[6].contains("process `gui` is already defined at line 6"));
}

#[test]
fn a_missing_file_is_a_config_error() {
    let out = applianced(&["--config", "/nonexistent/topology.toml", "--check"]);
    assert_eq!(out.status.code(), Some(78));
    assert!(text(&out.stderr).starts_with("/nonexistent/topology.toml: cannot read the topology"));
}

#[test]
fn running_a_bad_topology_starts_nothing_and_exits_78() {
    let out = applianced(&["--config", BAD]);
    assert_eq!(out.status.code(), Some(78));
    assert!(text(&out.stderr).contains("pipe `unused` has no reader"));
}

#[test]
fn help_and_usage_errors() {
    let out = applianced(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).starts_with("usage: applianced --config FILE [--check]"));
    for args in [
        &[][..],
        &["--check"],
        &["--config"],
        &["--config="],
        &["--config", GOOD, "--verbose"],
        &["-c", GOOD],
    ] {
        let out = applianced(args);
        assert_eq!(out.status.code(), Some(64), "{args:?}");
        let stderr = text(&out.stderr);
        assert!(stderr.starts_with("applianced: "), "{stderr}");
        assert!(stderr.contains("usage: applianced"), "{stderr}");
    }
}
