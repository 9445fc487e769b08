//! The supervisor end to end: the real `applianced` binary supervising
//! real `appliance-testchild` processes over real pipes, with real signals.
//! Every wait is for a condition in the supervisor's log, with a generous
//! deadline.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use test_support::procfs::{self, fd_count, zombie_children};
use test_support::{Appliance, Frames, Got, TempDir, eventually, pid_in};

#[test]
fn every_exit_reason_is_logged_by_name() {
    let mut d = Appliance::start(
        "reasons",
        r#"
        [[process]]
        name = "code"
        exec = "@TESTCHILD@"
        args = ["--exit", "3"]
        restart = "never"
        cwd = "."
        [[process]]
        name = "segv"
        exec = "@TESTCHILD@"
        args = ["--signal", "SIGSEGV"]
        restart = "never"
        cwd = "."
        rlimits = { core = 0 }
        [[process]]
        name = "core"
        exec = "@TESTCHILD@"
        args = ["--core"]
        restart = "never"
        cwd = "."
        [[process]]
        name = "clean"
        exec = "@TESTCHILD@"
        args = ["--exit", "0"]
        restart = "on-failure"
        "#,
    );
    d.wait_for(&["core limit: "]);
    d.wait_for(&[
        "code[",
        "] exited with code 3 after ",
        "; not restarted (restart = never; 0 restarts before)",
    ]);
    d.wait_for(&["segv[", "] killed by SIGSEGV after "]);
    d.wait_for(&[
        "core[",
        "] killed by SIGABRT (core dumped; core pattern: ",
        ") after ",
    ]);
    if std::fs::read_to_string("/proc/sys/kernel/core_pattern").is_ok_and(|p| p.trim() == "core") {
        // With the plain pattern the core lands in the process's cwd.
        assert!(
            d.dir().join("core").exists(),
            "no core file in {}",
            d.dir().display()
        );
    }
    d.wait_for(&[
        "clean[",
        "] exited with code 0 after ",
        "not restarted (restart = on-failure",
    ]);
    let log = d.stop();
    assert!(
        !log.iter()
            .any(|l| l.contains("segv") && l.contains("signal 11")),
        "names, not numbers"
    );
}

#[test]
fn an_exec_failure_is_logged_as_exec_path_reason() {
    let dir = TempDir::new("badinterp");
    let prog = dir.join("prog");
    std::fs::write(&prog, "#!/nonexistent/interpreter\n").unwrap();
    std::fs::set_permissions(&prog, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut d = Appliance::start(
        "execfail",
        &format!(
            "[[process]]\nname = \"bad\"\nexec = \"{}\"\nintensity = {{ restarts = 1, within = \"60s\", action = \"hold\", hold = \"60s\" }}\n",
            prog.display()
        ),
    );
    d.wait_for(&[&format!(
        "bad: exec {}: No such file or directory (os error 2); restart 1 in 0ms",
        prog.display()
    )]);
    d.wait_for(&[
        "bad: exec ",
        "FAILED: restarted 1 time within 60.000s; holding it 60.000s before trying again",
    ]);
    d.stop();
}

#[test]
fn a_child_sees_only_its_own_pipe_ends_and_is_restarted_after_sigkill() {
    let mut d = Appliance::start(
        "fds",
        r#"
        [pipes.to_a]
        [pipes.to_b]
        [[process]]
        name = "a"
        exec = "@TESTCHILD@"
        args = ["--rx", "{pipe.to_a.read}", "--tx", "{pipe.to_b.write}", "--report-fds", "--pause"]
        [[process]]
        name = "b"
        exec = "@TESTCHILD@"
        args = ["--rx", "{pipe.to_b.read}", "--tx", "{pipe.to_a.write}", "--pause"]
        "#,
    );
    let (i, started) = d.wait_for(&["a[", "] started: "]);
    let pid = pid_in(&started, "a");
    d.wait_for_from(i, &["a[", "]: fds end"]);
    let fds: Vec<String> = d
        .log()
        .iter()
        .filter(|l| l.contains(&format!("a[{pid}]: fd ")))
        .map(|l| l.split("]: ").nth(1).unwrap().to_owned())
        .collect();
    let numbers: Vec<&str> = fds.iter().map(|l| l.split(' ').nth(1).unwrap()).collect();
    assert_eq!(numbers, ["0", "1", "2", "3", "4"], "{fds:?}");
    assert!(fds[0].ends_with("/dev/null"), "{fds:?}");
    assert!(
        fds[3].contains("pipe:[") && fds[4].contains("pipe:["),
        "{fds:?}"
    );
    // stdout (the output pipe) blocks, as programs expect; the topology's
    // pipe ends do not, so a writer meeting a full pipe drops its frame
    // (fd 4, testchild's --tx, is made blocking by testchild itself).
    let nonblocking = |fd| procfs::is_nonblocking(pid, fd);
    assert!(!nonblocking(1) && !nonblocking(2));
    assert!(nonblocking(3));

    kill(pid, Signal::SIGKILL).unwrap();
    let (j, _) = d.wait_for(&[
        &format!("a[{pid}] killed by SIGKILL after "),
        "; restart 1 in 0ms",
    ]);
    let (_, again) = d.wait_for_from(j, &["a[", "] started: "]);
    assert_ne!(pid_in(&again, "a"), pid);
    d.stop();
}

#[test]
fn frames_written_while_a_reader_is_down_are_read_by_its_successor() {
    const K: usize = 25;
    let mut d = Appliance::start(
        "survive",
        &format!(
            r#"
        [pipes.data]
        [[process]]
        name = "reader"
        exec = "@TESTCHILD@"
        args = ["--rx", "{{pipe.data.read}}", "--count-frames", "{K}", "--pause"]
        backoff = {{ initial = "1s" }}
        [[process]]
        name = "writer"
        exec = "@TESTCHILD@"
        args = ["--tx", "{{pipe.data.write}}", "--pause"]
        "#
        ),
    );
    let (_, started) = d.wait_for(&["reader[", "] started: "]);
    let reader = pid_in(&started, "reader");
    // A write end of the same pipe, opened through procfs: anyone may write
    // to a reader's pipe while the reader is down.
    let mut pipe = std::fs::OpenOptions::new()
        .write(true)
        .open(format!("/proc/{reader}/fd/3"))
        .unwrap();
    kill(reader, Signal::SIGKILL).unwrap();
    let (i, _) = d.wait_for(&[
        &format!("reader[{reader}] killed by SIGKILL"),
        "restart 1 in 1.000s",
    ]);
    // The reader is down for a second: every frame now waits in the pipe.
    let mut buf = wire::FrameBuf::new();
    for seq in 0..u32::try_from(K).unwrap() {
        let msg = wire::Message::Heartbeat(wire::Heartbeat {
            name: wire::Token::new("test").unwrap(),
            seq,
            uptime_us: 0,
        });
        pipe.write_all(buf.encode(&msg).unwrap()).unwrap();
    }
    let (_, again) = d.wait_for_from(i, &["reader[", "] started: "]);
    let successor = pid_in(&again, "reader");
    d.wait_for(&[&format!("reader[{successor}]: got {K}")]);
    d.stop();
}

#[test]
fn stopping_goes_in_reverse_start_order_and_escalates_to_sigkill() {
    let mut d = Appliance::start(
        "stop",
        r#"
        [[process]]
        name = "first"
        exec = "@TESTCHILD@"
        args = ["--print", "up", "--pause"]
        [[process]]
        name = "stubborn"
        exec = "@TESTCHILD@"
        args = ["--ignore-term", "--print", "up", "--pause"]
        stop_timeout = "300ms"
        [[process]]
        name = "last"
        exec = "@TESTCHILD@"
        args = ["--print", "up", "--pause"]
        "#,
    );
    for name in ["first", "stubborn", "last"] {
        d.wait_for(&[&format!("{name}["), "]: up"]);
    }
    let log = d.stop();
    let at = |parts: &[&str]| {
        log.iter()
            .position(|l| parts.iter().all(|p| l.contains(p)))
            .unwrap_or_else(|| panic!("no line with {parts:?}:\n{}", log.join("\n")))
    };
    let last = at(&["last[", "stopping: SIGTERM to its process group"]);
    let last_gone = at(&["last[", "killed by SIGTERM; stopped"]);
    let stubborn = at(&["stubborn[", "stopping: SIGTERM"]);
    let escalated = at(&["stubborn[", "still running after its stop timeout: SIGKILL"]);
    let stubborn_gone = at(&["stubborn[", "killed by SIGKILL; stopped"]);
    let first = at(&["first[", "stopping: SIGTERM"]);
    let done = at(&["every process has stopped; exiting"]);
    assert!(last < last_gone && last_gone < stubborn && stubborn < escalated);
    assert!(escalated < stubborn_gone && stubborn_gone < first && first < done);
}

#[test]
fn orphaned_grandchildren_are_reaped() {
    let mut d = Appliance::start(
        "orphan",
        r#"
        [[process]]
        name = "parent"
        exec = "@TESTCHILD@"
        args = ["--fork-orphan", "200", "--exit", "0"]
        restart = "never"
        "#,
    );
    let (_, line) = d.wait_for(&["parent[", "]: orphan "]);
    let orphan = line.rsplit(' ').next().unwrap().to_owned();
    d.wait_for(&[&format!("reaped orphan {orphan}: exited with code 0")]);
    d.stop();
}

#[test]
fn backoff_delays_grow_and_the_intensity_limit_holds_the_process() {
    let mut d = Appliance::start(
        "backoff",
        r#"
        [[process]]
        name = "crash"
        exec = "@TESTCHILD@"
        args = ["--exit", "1"]
        backoff = { initial = "0s", step = "150ms", factor = 2.0, max = "10s" }
        intensity = { restarts = 4, within = "60s", action = "hold", hold = "60s" }
        "#,
    );
    d.wait_for(&[
        "crash[",
        "FAILED: restarted 4 times within 60.000s; holding it 60.000s",
    ]);
    let log = d.log();
    let starts: Vec<f64> = log
        .iter()
        .filter(|l| l.contains("crash[") && l.contains("] started: "))
        .map(|l| l[1..l.find(']').unwrap()].trim().parse().unwrap())
        .collect();
    assert_eq!(starts.len(), 5, "{}", log.join("\n"));
    // Lower bounds only: 0, 150ms, 300ms, 600ms between starts.
    for (gap, want) in starts
        .windows(2)
        .map(|w| w[1] - w[0])
        .zip([0.0, 0.150, 0.300, 0.600])
    {
        assert!(
            gap + 0.0015 >= want,
            "gap {gap} < {want}:\n{}",
            log.join("\n")
        );
    }
    for (k, delay) in ["0ms", "150ms", "300ms", "600ms"].iter().enumerate() {
        assert!(
            log.iter()
                .any(|l| l.contains(&format!("; restart {} in {delay}", k + 1)))
        );
    }
    d.stop();
}

#[test]
fn a_thousand_crashes_leave_no_zombie_and_no_fd_behind() {
    // Crash loops of 250 restarts, each ended by the intensity limit with a
    // short hold: the holds are quiet moments to count the supervisor's fds
    // (mid-spawn it briefly holds the error pipe, and a crash child's output
    // pipe is open while it runs).
    let mut d = Appliance::start(
        "thousand",
        r#"
        [pipes.p]
        [[process]]
        name = "crash"
        exec = "@TESTCHILD@"
        args = ["--rx", "{pipe.p.read}", "--exit", "1"]
        backoff = { initial = "0s", step = "0s" }
        intensity = { restarts = 250, within = "60s", action = "hold", hold = "500ms" }
        [[process]]
        name = "steady"
        exec = "@TESTCHILD@"
        args = ["--tx", "{pipe.p.write}", "--print", "up", "--pause"]
        "#,
    );
    let (_, up) = d.wait_for(&["steady[", "]: up"]);
    let steady = pid_in(&up, "steady");
    let held = |from| {
        d.wait_for_from(from, &["crash[", "FAILED: restarted 250 times"])
            .0
    };
    let first = held(0);
    // Counted while `crash` is held (steady is the only child, before and
    // after the count): the log line may reach the test after the hold.
    let quiet = || procfs::children(d.pid()) == [steady];
    let mut baseline = None;
    eventually(
        "a count of the supervisor's fds while crash is held",
        || {
            let before = quiet();
            let count = fd_count(d.pid());
            baseline = (before && quiet()).then_some(count);
            baseline.is_some()
        },
    );
    let baseline = baseline.expect("counted");
    let mut at = first;
    for _ in 0..3 {
        at = held(at + 1);
    }
    // A leaked fd would keep the count above the baseline for good.
    eventually(
        &format!("the supervisor's fds after 1,000 crashes back at {baseline}, as after 250"),
        || fd_count(d.pid()) == baseline,
    );
    let log = d.log();
    let starts = log
        .iter()
        .filter(|l| l.contains("crash[") && l.contains("] started: "))
        .count();
    assert!(starts >= 1000, "{starts} starts");
    // A crash child is a zombie for a moment before it is reaped; a leaked
    // one stays.
    eventually("no zombie child of the supervisor", || {
        zombie_children(d.pid()).is_empty()
    });
    d.stop();
}

/// One test child that says `up` and waits.
const QUIET: &str = r#"
[[process]]
name = "quiet"
exec = "@TESTCHILD@"
args = ["--print", "up", "--pause"]
"#;

#[test]
fn nothing_wakes_the_supervisor_while_nothing_happens() {
    let mut d = Appliance::start("idle", QUIET);
    d.wait_for(&["quiet[", "]: up"]);
    let switches = || procfs::context_switches(d.pid());
    // Start counting once it is asleep in poll: the iteration that logged
    // "up" may still be finishing, and going to sleep counts one switch.
    eventually("the supervisor asleep in poll", || {
        procfs::wchan(d.pid()).contains("poll")
    });
    let before = switches();
    // An interval to observe, not a wait for a condition.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert_eq!(
        switches(),
        before,
        "the supervisor woke up while idle:\n{}",
        d.log().join("\n")
    );
    d.stop();
}

#[test]
fn state_changes_go_to_the_state_pipe_as_frames() {
    let mut d = Appliance::start(
        "state",
        r#"
        [supervisor]
        state_pipe = "to_gui"
        [pipes.to_gui]
        [[process]]
        name = "gui"
        exec = "@TESTCHILD@"
        args = ["--rx", "{pipe.to_gui.read}", "--print", "up", "--pause"]
        [[process]]
        name = "crash"
        exec = "@TESTCHILD@"
        args = ["--exit", "7"]
        restart = "on-failure"
        backoff = { initial = "5s" }
        "#,
    );
    let (_, line) = d.wait_for(&["gui[", "]: up"]);
    let gui = pid_in(&line, "gui");
    let (_, line) = d.wait_for(&["crash[", "] exited with code 7", "restart 1 in 5.000s"]);
    let crash = pid_in(&line, "crash");
    // Read the GUI's pipe through procfs, without the GUI (paused, it never
    // reads), until both frames are there: the supervisor writes them
    // after (or while) it logs.
    let pipe = std::fs::File::open(format!("/proc/{gui}/fd/3")).unwrap();
    let mut frames = Frames::new(pipe);
    let pid = |p: Pid| u32::try_from(p.as_raw()).expect("a positive pid");
    let started = Got::State {
        name: "gui".into(),
        pid: pid(gui),
        state: wire::RunState::Started,
        exit: None,
        next_us: None,
    };
    let exited = Got::State {
        name: "crash".into(),
        pid: pid(crash),
        state: wire::RunState::Exited,
        exit: Some(wire::ExitStatus::Code(7)),
        next_us: Some(5_000_000),
    };
    frames.until("the STATE frames of gui's start and crash's exit", |got| {
        got.contains(&started) && got.contains(&exited)
    });
    assert_eq!(frames.counters().dropped(), 0);
    d.stop();
}

#[test]
fn a_second_sigint_kills_everything_at_once() {
    let d = Appliance::start(
        "sigint",
        r#"
        [[process]]
        name = "stubborn"
        exec = "@TESTCHILD@"
        args = ["--ignore-term", "--print", "up", "--pause"]
        stop_signal = "SIGTERM"
        stop_timeout = "1h"
        "#,
    );
    d.wait_for(&["stubborn[", "]: up"]);
    kill(d.pid(), Signal::SIGINT).unwrap();
    d.wait_for(&[
        "stubborn[",
        "stopping: SIGTERM to its process group, SIGKILL in 3600.000s",
    ]);
    kill(d.pid(), Signal::SIGINT).unwrap();
    d.wait_for(&["second SIGINT: killing every process now"]);
    d.wait_for(&["stubborn[", "killed by SIGKILL; stopped"]);
    d.wait_for(&["every process has stopped; exiting"]);
}

#[test]
fn the_shutdown_action_stops_the_appliance_when_a_process_fails() {
    let mut d = Appliance::start(
        "shutdown",
        r#"
        [[process]]
        name = "other"
        exec = "@TESTCHILD@"
        args = ["--print", "up", "--pause"]
        [[process]]
        name = "crash"
        exec = "@TESTCHILD@"
        args = ["--exit", "1"]
        intensity = { restarts = 2, within = "60s", action = "shutdown" }
        "#,
    );
    d.wait_for(&[
        "crash[",
        "FAILED: restarted 2 times within 60.000s; shutting the appliance down",
    ]);
    d.wait_for(&["other[", "killed by SIGTERM; stopped"]);
    d.wait_for(&["every process has stopped; exiting"]);
    d.wait_exit();
}

#[test]
fn rlimits_from_the_topology_apply_to_the_child() {
    let mut d = Appliance::start(
        "rlimits",
        r#"
        [[process]]
        name = "limited"
        exec = "@TESTCHILD@"
        args = ["--print", "up", "--pause"]
        rlimits = { nofile = 64, core = "unlimited" }
        "#,
    );
    let (_, line) = d.wait_for(&["limited[", "]: up"]);
    let pid = pid_in(&line, "limited");
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let row = |name: &str| {
        limits
            .lines()
            .find(|l| l.starts_with(name))
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap()
    };
    assert_eq!(row("Max open files"), "Max open files 64 64 files");
    assert_eq!(
        row("Max core file size"),
        "Max core file size unlimited unlimited bytes"
    );
    d.stop();
}

#[test]
fn as_pid_1_it_stops_everything_and_powers_off_instead_of_exiting() {
    // A PID namespace makes applianced its PID 1; reboot(2) there ends the
    // namespace (its init is killed by SIGINT) instead of the machine.
    let unshare = std::path::Path::new("/usr/bin/unshare");
    let root = std::fs::read_to_string("/proc/self/status").is_ok_and(|s| {
        s.lines()
            .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(2) == Some("0"))
    });
    if !unshare.exists() || !root {
        eprintln!("skipped: needs root and util-linux's unshare");
        return;
    }
    let mut d = Appliance::start_under(
        "pid1",
        QUIET,
        &["/usr/bin/unshare", "--pid", "--fork", "--kill-child"],
    );
    let (at, first) = d.wait_for(&["applianced 0.1.0 (pid "]);
    assert!(first.contains("(pid 1)"), "{first}");
    let (at, _) = d.wait_for_from(at, &["]: up"]);
    // The supervisor as the parent namespace sees it: unshare's child.
    let daemon = *procfs::children(d.pid())
        .first()
        .expect("unshare's child, the supervisor");
    kill(daemon, Signal::SIGTERM).unwrap();
    let (at, _) = d.wait_for_from(at, &["every process has stopped; exiting"]);
    d.wait_for_from(at, &["PID 1 is done"]);
    let (status, _) = d.wait_exit();
    assert!(
        !status.success(),
        "the namespace ended by power-off, not an exit: {status:?}"
    );
}
