//! Restart latency of a stable child killed with SIGKILL, applianced beside
//! runsv (runit), s6-supervise and the floor, supervising the same child in
//! one run.
//!
//! The child is `appliance-testchild --write-pid FIFO --pause`: it writes
//! its pid into a FIFO and waits. Every supervisor starts the same file,
//! `run`, a symbolic link to the test child, without arguments; the child
//! takes its arguments from `APPLIANCE_TESTCHILD_ARGS` (runsv and
//! s6-supervise start `./run` without arguments, and no shell stands between
//! supervisor and child). Latency is `kill()` to the successor's pid read
//! from the FIFO. Each child runs 1.1 s before it is killed, so the 1 s
//! throttles of runsv and s6-supervise for fast-exiting services do not
//! apply (as in `../shared/notes/anchors.md`); s6-supervise gets a
//! `notification-fd` and the child reports ready at once (`--notify-fd 3`),
//! without which it waits a second between launches.
//!
//! The floor is what the kernel costs: this bench binary itself, run as
//! `--floor-loop DIR`, restarting `DIR/run` in a loop of
//! `Command::spawn` + blocking `wait` (std spawns with vfork-style
//! `posix_spawn`), with none of a supervisor's bookkeeping.
//!
//! Rounds interleave the supervisors, so machine noise hits all alike, and
//! each round starts with the next one in turn. At
//! the end: the supervisors' RSS, and their context switches over an idle
//! window.
//!
//! `cargo bench -p applianced --bench restart` (it builds the test child
//! when it is missing; `-- --rounds N`, default 1000; `--idle-secs N`, default 30;
//! `--subjects applianced,floor,runsv,s6-supervise` to choose;
//! `--stable-ms N`, default 1100; `--before PATH` adds another applianced
//! build, such as the one of the previous commit, as the subject
//! `applianced-before`, so a change is measured against its base in the
//! same run). Needs the
//! Debian packages runit and s6 for the comparison; without them they are
//! skipped. Under `cargo test` it runs 3 rounds of applianced alone, as a
//! smoke test.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

/// The test child's environment variable for its arguments.
const ARGS_ENV: &str = "APPLIANCE_TESTCHILD_ARGS";

/// The floor: restart `dir/run` for ever, nothing else.
fn floor_loop(dir: &Path) -> ! {
    let run = dir.join("run");
    loop {
        match Command::new(&run).spawn() {
            Ok(mut child) => {
                let _ = child.wait();
            }
            Err(e) => {
                eprintln!("restart bench: floor: {}: {e}", run.display());
                std::process::exit(1);
            }
        }
    }
}

/// One supervisor with its child.
struct Subject {
    name: &'static str,
    process: Child,
    fifo: BufReader<std::fs::File>,
    child: Pid,
    since: Instant,
    latencies: Vec<Duration>,
}

fn have(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(program).exists()))
}

impl Subject {
    /// Starts supervisor `name`; `before` is the applianced build of the
    /// subject `applianced-before`.
    fn start(
        name: &'static str,
        work: &Path,
        child: &Path,
        stable: Duration,
        before: Option<&Path>,
    ) -> Subject {
        let dir = work.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let fifo_path = dir.join("pid.fifo");
        // Read-write, so it never sees EOF between two children.
        let fifo = test_support::fifo(&fifo_path);
        let mut args = format!("--write-pid {} --pause", fifo_path.display());
        // s6-supervise waits 1 s between launches unless the service says it
        // is ready (notification-fd), as the anchors measured.
        if name == "s6-supervise" {
            std::fs::write(dir.join("notification-fd"), "3\n").unwrap();
            args = format!("--notify-fd 3 {args}");
        }
        let run = dir.join("run");
        std::os::unix::fs::symlink(child, &run).unwrap();
        let process = match name {
            "applianced" | "applianced-before" => {
                let topology = dir.join("topology.toml");
                std::fs::write(
                    &topology,
                    format!(
                        "[[process]]\nname = \"child\"\nexec = \"{}\"\n\
                         env = {{ {ARGS_ENV} = \"{args}\" }}\n\
                         backoff = {{ reset_after = \"{}ms\" }}\n\
                         intensity = {{ restarts = 1000000, within = \"1s\" }}\n",
                        run.display(),
                        // A child that ran `stable` counts as stable: every
                        // restart is immediate, as in runsv and s6.
                        stable.as_millis() / 2
                    ),
                )
                .unwrap();
                let program = match (name, before) {
                    ("applianced-before", Some(before)) => before,
                    _ => Path::new(env!("CARGO_BIN_EXE_applianced")),
                };
                Command::new(program)
                    .arg("--config")
                    .arg(&topology)
                    .env_clear()
                    .stderr(Stdio::null())
                    .spawn()
                    .unwrap()
            }
            "floor" => Command::new(std::env::current_exe().unwrap())
                .arg("--floor-loop")
                .arg(&dir)
                .env_clear()
                .env(ARGS_ENV, &args)
                .spawn()
                .unwrap(),
            _ => Command::new(name)
                .arg(&dir)
                .env_clear()
                .env(ARGS_ENV, &args)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        };
        let mut s = Subject {
            name,
            process,
            fifo: BufReader::new(fifo),
            child: Pid::from_raw(0),
            since: Instant::now(),
            latencies: Vec::new(),
        };
        s.child = s.next_pid();
        s.since = Instant::now();
        s
    }

    fn next_pid(&mut self) -> Pid {
        let mut line = String::new();
        self.fifo.read_line(&mut line).unwrap();
        Pid::from_raw(line.trim().parse().unwrap())
    }

    /// Kills the child once it has run `stable`, times until the next one
    /// reports.
    fn round(&mut self, stable: Duration) {
        let ran = self.since.elapsed();
        if ran < stable {
            std::thread::sleep(stable - ran);
        }
        let t0 = Instant::now();
        kill(self.child, Signal::SIGKILL).unwrap();
        let next = self.next_pid();
        self.latencies.push(t0.elapsed());
        self.since = Instant::now();
        assert_ne!(next, self.child);
        self.child = next;
    }

    /// The supervisor's /proc status lines.
    fn status(&self) -> String {
        std::fs::read_to_string(format!("/proc/{}/status", self.process.id())).unwrap()
    }

    fn switches(&self) -> u64 {
        self.status()
            .lines()
            .filter(|l| l.contains("ctxt_switches"))
            .map(|l| l.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap())
            .sum()
    }

    fn rss_kib(&self) -> u64 {
        self.status()
            .lines()
            .find(|l| l.starts_with("VmRSS:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }

    fn stop(mut self) {
        let _ = kill(test_support::pid_of(&self.process), Signal::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.process.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.process.kill();
        let _ = self.process.wait();
        let _ = kill(self.child, Signal::SIGKILL);
    }
}

#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "p is 0..=1: the rounded product is an index of sorted"
)]
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1000.0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--floor-loop") {
        floor_loop(Path::new(&args[i + 1]));
    }
    let full = args.iter().any(|a| a == "--bench");
    let flag = |name: &str, default: u64| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let rounds = if full { flag("--rounds", 1000) } else { 3 };
    let idle = Duration::from_secs(if full { flag("--idle-secs", 30) } else { 0 });
    // Below 1 s, runsv and s6-supervise throttle: shorter runs are only
    // for comparing applianced with the floor (`--subjects`).
    let stable = Duration::from_millis(flag("--stable-ms", 1100));

    let child = test_support::program("appliance-testchild");
    let work =
        std::env::temp_dir().join(format!("applianced-restart-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let before = args
        .iter()
        .position(|a| a == "--before")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from);
    let mut names = vec!["applianced"];
    if full {
        let chosen = args
            .iter()
            .position(|a| a == "--subjects")
            .and_then(|i| args.get(i + 1));
        let wanted = |name: &str| chosen.is_none_or(|c| c.split(',').any(|n| n == name));
        names.retain(|n| wanted(n));
        if before.is_some() {
            names.push("applianced-before");
        }
        if wanted("floor") {
            names.push("floor");
        }
        for name in ["runsv", "s6-supervise"] {
            if !wanted(name) {
                continue;
            }
            if have(name) {
                names.push(name);
            } else {
                eprintln!("restart bench: {name} not found (apt-get install runit s6): skipped");
            }
        }
    }
    let mut subjects: Vec<Subject> = names
        .iter()
        .map(|n| Subject::start(n, &work, &child, stable, before.as_deref()))
        .collect();
    let started = Instant::now();
    for r in 0..rounds {
        // Rotate who goes first: the first kill of a round comes after the
        // bench slept, when the CPUs are idle and slow to wake (worth about
        // 0.5 ms here), the others right after it.
        let n = subjects.len();
        let first = usize::try_from(r).expect("a round number fits a usize");
        for k in 0..n {
            subjects[(first + k) % n].round(stable);
        }
        if full && (r + 1) % 100 == 0 {
            eprintln!(
                "restart bench: {} rounds, {:.0} s",
                r + 1,
                started.elapsed().as_secs_f64()
            );
        }
    }
    // Idle: nothing happens for `idle`; count each supervisor's switches.
    let before: Vec<u64> = subjects.iter().map(Subject::switches).collect();
    std::thread::sleep(idle);
    let wakeups: Vec<u64> = subjects
        .iter()
        .zip(&before)
        .map(|(s, b)| s.switches() - b)
        .collect();

    println!(
        "restart latency, kill -> successor's pid, {rounds} restarts each, child ran {} ms before each kill:",
        stable.as_millis()
    );
    println!(
        "{:<17} {:>9} {:>9} {:>9} {:>9} {:>9}  {:>8}  wakeups in {} s idle",
        "supervisor",
        "median",
        "p90",
        "p99",
        "min",
        "max",
        "RSS KiB",
        idle.as_secs()
    );
    let mut medians = Vec::new();
    let first = subjects[0].name;
    for (s, w) in subjects.iter().zip(&wakeups) {
        let mut l = s.latencies.clone();
        l.sort();
        medians.push(percentile(&l, 0.5));
        println!(
            "{:<17} {:>9} {:>9} {:>9} {:>9} {:>9}  {:>8}  {w}",
            s.name,
            ms(percentile(&l, 0.5)),
            ms(percentile(&l, 0.9)),
            ms(percentile(&l, 0.99)),
            ms(l[0]),
            ms(l[l.len() - 1]),
            s.rss_kib()
        );
    }
    for (s, m) in subjects.iter().zip(&medians).skip(1) {
        println!(
            "ratio {first} / {}: {:.2}",
            s.name,
            medians[0].as_secs_f64() / m.as_secs_f64()
        );
    }
    for s in subjects {
        s.stop();
    }
    let _ = std::fs::remove_dir_all(&work);
}
