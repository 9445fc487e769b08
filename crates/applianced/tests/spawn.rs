//! Spawning real children: only the planned fds reach them, in their own
//! process group, and a failed exec or chdir comes back as a clear error.

use std::os::fd::{AsRawFd, OwnedFd};
use std::path::Path;

use applianced::spawn::{ChildStack, FD_FLOOR, FdPlan, Recipe, SpawnError, lift, spawn};
use applianced::topology::Topology;
use nix::fcntl::OFlag;
use nix::sys::signal::{Signal, kill};
use nix::sys::wait::waitpid;
use nix::unistd::{Pid, getpgid, pipe2};
use test_support::procfs::fds;
use test_support::{TempDir, fifo, program};

/// A topology of one process running `exec` with `args`.
fn one_process(dir: &Path, exec: &str, args: &str) -> Topology {
    let text = format!(
        "[pipes.a]\n[pipes.b]\n\
         [[process]]\nname = \"p\"\nexec = \"{exec}\"\nargs = [{args}]\n\
         [[process]]\nname = \"peer\"\nexec = \"/bin/true\"\n\
         args = [\"{{pipe.a.write}}\", \"{{pipe.b.read}}\"]\n"
    );
    Topology::parse(&text, dir.join("topology.toml")).unwrap_or_else(|e| panic!("{e}"))
}

/// A topology of one process and no pipes.
fn solo(dir: &Path, exec: &str) -> Topology {
    let text = format!("[[process]]\nname = \"p\"\nexec = \"{exec}\"\nargs = [\"30\"]\n");
    Topology::parse(&text, dir.join("topology.toml")).unwrap_or_else(|e| panic!("{e}"))
}

fn lifted_pipe() -> (OwnedFd, OwnedFd) {
    let (r, w) = pipe2(OFlag::O_CLOEXEC).unwrap();
    (lift(r).unwrap(), lift(w).unwrap())
}

fn stdio() -> [OwnedFd; 3] {
    let null = || lift(std::fs::File::open("/dev/null").unwrap().into()).unwrap();
    [null(), null(), null()]
}

fn link(fd: &OwnedFd) -> String {
    std::fs::read_link(format!("/proc/self/fd/{}", fd.as_raw_fd()))
        .unwrap()
        .display()
        .to_string()
}

fn kill_and_reap(pid: Pid) {
    let _ = kill(pid, Signal::SIGKILL);
    let _ = waitpid(pid, None);
}

/// Waits (10 s at most) for a line on `fifo`, opened read-write.
fn line_from(fifo: &std::fs::File) -> String {
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
    use std::os::fd::AsFd;
    let mut fds = [PollFd::new(fifo.as_fd(), PollFlags::POLLIN)];
    let ready = poll(&mut fds, PollTimeout::from(10_000u16)).unwrap();
    assert_eq!(ready, 1, "no line on the FIFO within 10 s");
    let mut buf = [0u8; 64];
    let n = nix::unistd::read(fifo, &mut buf).unwrap();
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

#[test]
fn a_child_gets_exactly_stdio_and_its_planned_pipe_ends_in_its_own_group() {
    let dir = TempDir::new("fds");
    let fifo_path = dir.join("started.fifo");
    let fifo = fifo(&fifo_path);
    let t = one_process(
        dir.path(),
        program("appliance-testchild").to_str().unwrap(),
        &format!(
            "\"--rx\", \"{{pipe.a.read}}\", \"--tx\", \"{{pipe.b.write}}\", \
             \"--write-pid\", \"{}\", \"--pause\"",
            fifo_path.display()
        ),
    );
    let p = &t.processes[0];
    assert_eq!(p.args[..4], ["--rx", "3", "--tx", "4"]);
    // Extra fds open in the "supervisor" that the child must not see.
    let (a_r, a_w) = lifted_pipe();
    let (b_r, b_w) = lifted_pipe();
    let _decoy = lifted_pipe();
    let io = stdio();
    let pipes = [(a_r.as_raw_fd(), 3), (b_w.as_raw_fd(), 4)];
    let recipe = Recipe::new(p).unwrap();
    let pid = spawn(
        &recipe,
        &FdPlan {
            stdio: [io[0].as_raw_fd(), io[1].as_raw_fd(), io[2].as_raw_fd()],
            pipes: &pipes,
        },
        &mut ChildStack::new().unwrap(),
    )
    .unwrap();
    // Read its fds once it has started (its loader opens files for a
    // moment after exec) and closed the FIFO again.
    assert_eq!(line_from(&fifo).trim(), pid.to_string());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let fds = loop {
        let fds = fds(pid);
        if !fds.values().any(|target| target.ends_with("started.fifo")) {
            break fds;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the FIFO stays open: {fds:?}"
        );
        std::thread::yield_now();
    };
    kill_and_reap(pid);
    assert_eq!(
        fds.keys().copied().collect::<Vec<_>>(),
        [0, 1, 2, 3, 4],
        "{fds:?}"
    );
    assert_eq!(fds[&0], "/dev/null");
    assert_eq!(fds[&3], link(&a_r));
    assert_eq!(fds[&4], link(&b_w));
    assert!(
        a_r.as_raw_fd() >= FD_FLOOR && a_w.as_raw_fd() >= FD_FLOOR && b_r.as_raw_fd() >= FD_FLOOR
    );
}

/// A `SigXxx:` mask from a /proc status file.
fn signal_mask(status: &str, key: &str) -> u64 {
    let line = status
        .lines()
        .find(|l| l.starts_with(key))
        .unwrap_or_else(|| panic!("no {key} in {status}"));
    u64::from_str_radix(line[key.len()..].trim(), 16).unwrap()
}

#[test]
fn a_child_starts_with_default_dispositions_and_an_empty_mask() {
    use nix::sys::signal::{SigSet, SigmaskHow, pthread_sigmask};
    let dir = TempDir::new("signals");
    let t = solo(dir.path(), "/bin/sleep");
    let io = stdio();
    let recipe = Recipe::new(&t.processes[0]).unwrap();
    // The spawning thread blocks SIGUSR1, and the Rust runtime ignores
    // SIGPIPE in this process: both would reach the child unless reset.
    let mut usr1 = SigSet::empty();
    usr1.add(Signal::SIGUSR1);
    pthread_sigmask(SigmaskHow::SIG_BLOCK, Some(&usr1), None).unwrap();
    let ours = std::fs::read_to_string("/proc/thread-self/status").unwrap();
    let spawned = spawn(
        &recipe,
        &FdPlan {
            stdio: [io[0].as_raw_fd(), io[1].as_raw_fd(), io[2].as_raw_fd()],
            pipes: &[],
        },
        &mut ChildStack::new().unwrap(),
    );
    pthread_sigmask(SigmaskHow::SIG_UNBLOCK, Some(&usr1), None).unwrap();
    let pid = spawned.unwrap();
    let theirs = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    kill_and_reap(pid);
    // The negative control: the spawner's state is not the default.
    assert_ne!(signal_mask(&ours, "SigBlk:") & (1 << (libc_usr1() - 1)), 0);
    assert_ne!(
        signal_mask(&ours, "SigIgn:") & (1 << (13 - 1)),
        0,
        "SIGPIPE ignored"
    );
    assert_eq!(signal_mask(&theirs, "SigBlk:"), 0, "{theirs}");
    assert_eq!(signal_mask(&theirs, "SigIgn:"), 0, "{theirs}");
    assert_eq!(signal_mask(&theirs, "SigCgt:"), 0, "{theirs}");
}

fn libc_usr1() -> u32 {
    u32::try_from(Signal::SIGUSR1 as i32).expect("signal numbers are positive")
}

#[test]
fn a_child_leads_its_own_process_group() {
    let dir = TempDir::new("pgid");
    let t = solo(dir.path(), "/bin/sleep");
    let io = stdio();
    let recipe = Recipe::new(&t.processes[0]).unwrap();
    let pid = spawn(
        &recipe,
        &FdPlan {
            stdio: [io[0].as_raw_fd(), io[1].as_raw_fd(), io[2].as_raw_fd()],
            pipes: &[],
        },
        &mut ChildStack::new().unwrap(),
    )
    .unwrap();
    let pgid = getpgid(Some(pid)).unwrap();
    kill_and_reap(pid);
    assert_eq!(pgid, pid);
}

#[test]
fn an_exec_failure_is_reported_as_exec_path_reason_and_reaped() {
    let dir = TempDir::new("exec");
    let prog = dir.join("prog");
    std::fs::write(&prog, "#!/bin/sh\nexit 0\n").unwrap();
    std::fs::set_permissions(&prog, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let t = solo(dir.path(), "./prog");
    let io = stdio();
    let recipe = Recipe::new(&t.processes[0]).unwrap();
    let plan = FdPlan {
        stdio: [io[0].as_raw_fd(), io[1].as_raw_fd(), io[2].as_raw_fd()],
        pipes: &[],
    };

    std::fs::remove_file(&prog).unwrap();
    let err = spawn(&recipe, &plan, &mut ChildStack::new().unwrap()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "p: exec {}: No such file or directory (os error 2)",
            prog.display()
        )
    );

    std::fs::write(&prog, "not a program").unwrap();
    std::fs::set_permissions(&prog, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let err = spawn(&recipe, &plan, &mut ChildStack::new().unwrap()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "p: exec {}: Permission denied (os error 13)",
            prog.display()
        )
    );
    assert!(matches!(err, SpawnError::Child { .. }));

    // The failed child was reaped by spawn: waiting for it finds nothing.
    let SpawnError::Child { pid, .. } = err else {
        unreachable!()
    };
    assert_eq!(
        waitpid(pid, Some(nix::sys::wait::WaitPidFlag::WNOHANG)),
        Err(nix::errno::Errno::ECHILD)
    );
}

#[test]
fn a_missing_working_directory_is_reported_as_chdir() {
    let dir = TempDir::new("cwd");
    let cwd = dir.join("work");
    std::fs::create_dir(&cwd).unwrap();
    let text = "[[process]]\nname = \"p\"\nexec = \"/bin/true\"\ncwd = \"work\"\n";
    let t = Topology::parse(text, dir.join("topology.toml")).unwrap();
    std::fs::remove_dir(&cwd).unwrap();
    let io = stdio();
    let recipe = Recipe::new(&t.processes[0]).unwrap();
    let plan = FdPlan {
        stdio: [io[0].as_raw_fd(), io[1].as_raw_fd(), io[2].as_raw_fd()],
        pipes: &[],
    };
    let err = spawn(&recipe, &plan, &mut ChildStack::new().unwrap()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "p: chdir {}: No such file or directory (os error 2)",
            cwd.display()
        )
    );
}
