//! `appliance-motion` at 1 kHz on the simulated IMU, read by a reader that
//! keeps up: frames produced, frames dropped (from `STATS` and from seq
//! gaps), the process's CPU use (utime + stime from `/proc/PID/stat` over
//! the run) and the sample-to-frame latency, p50 and p99: the reader's
//! CLOCK_MONOTONIC when `read(2)` returned the frame, minus the frame's
//! `t` (the sender's CLOCK_MONOTONIC at the data-ready event), both µs.
//! Goal: no drops, p99 at most 2 ms.
//!
//! Seq gaps count samples lost either way: frames dropped on a full pipe
//! (`STATS drop`) and data-ready ticks the loop woke too late for (the
//! timerfd had expired more than once: the device made a sample nobody
//! read). For the second kind the bench runs a floor beside it, in the same
//! window: this binary re-executed as a bare timerfd loop at the same rate
//! that does nothing else and counts the ticks it was too late for. What
//! the floor misses, the machine's scheduling costs, not the process.
//!
//! `cargo bench -p motion --bench rate` runs 60 s (`-- --secs N` to
//! shorten, `--rate HZ` for another rate). Under `cargo test` it runs a
//! 1 s smoke version.
//!
//! The child gets its pipe ends at the bench's own fd numbers: they are
//! made inheritable (close-on-exec cleared) just for the spawn.

use std::io::Write;
use std::os::fd::{AsFd, AsRawFd};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use nix::fcntl::{FcntlArg, FdFlag, fcntl};
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::{Signal, kill};
use nix::sys::time::TimeSpec;
use nix::sys::timerfd::{ClockId, Expiration, TimerFd, TimerFlags, TimerSetTimeFlags};
use nix::unistd::{SysconfVar, sysconf};
use wire::{Command as Cmd, CommandOp, FrameBuf, FrameReader, Message, ReadStatus};

/// Still, then taps, a shake, a tilt and a flip; no faults (a fault would
/// stop sampling for its recovery and show up as lost samples).
const SCENARIO: &str = "\
0s   imu orientation roll=0 pitch=0
2s   imu tap axis=z peak=2.5g
5s   imu shake axis=x amplitude=1.5g freq=6hz for=1500ms
10s  imu tilt roll=30 over=500ms for=3s
16s  imu flip over=800ms for=2s
20s  * loop
";

/// Set (to `RATE:SECS`) when this binary runs as the floor.
const FLOOR_ROLE: &str = "MOTION_RATE_BENCH_FLOOR";

fn monotonic_us() -> u64 {
    let t = nix::time::clock_gettime(nix::time::ClockId::CLOCK_MONOTONIC).expect("clock");
    let seconds = u64::try_from(t.tv_sec()).expect("CLOCK_MONOTONIC is not negative");
    let nanoseconds = u64::try_from(t.tv_nsec()).expect("tv_nsec is 0..1e9");
    seconds * 1_000_000 + nanoseconds / 1000
}

/// utime + stime of `pid`, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc/PID/stat");
    // `PID (COMM) S ...`: fields after the last `)` start at field 3.
    let rest: Vec<&str> = stat
        .rsplit_once(')')
        .expect("stat format")
        .1
        .split_whitespace()
        .collect();
    let utime: u64 = rest[11].parse().expect("utime");
    let stime: u64 = rest[12].parse().expect("stime");
    utime + stime
}

fn set_cloexec(fd: impl AsFd, on: bool) {
    let flags = if on {
        FdFlag::FD_CLOEXEC
    } else {
        FdFlag::empty()
    };
    fcntl(fd, FcntlArg::F_SETFD(flags)).expect("F_SETFD");
}

/// The floor: a bare timerfd at `rate` for `secs`, counting the ticks
/// that expired more than once before it read them. Prints
/// `floor TICKS MISSED`.
fn floor(rate: u64, secs: u64) {
    let timer = TimerFd::new(ClockId::CLOCK_MONOTONIC, TimerFlags::TFD_CLOEXEC).expect("timerfd");
    let period = TimeSpec::from_duration(Duration::from_nanos(1_000_000_000 / rate));
    timer
        .set(Expiration::Interval(period), TimerSetTimeFlags::empty())
        .expect("timerfd_settime");
    let (mut ticks, mut missed) = (0u64, 0u64);
    let mut count = [0u8; 8];
    while ticks < rate * secs {
        // Blocking read: returns at the next expiration.
        let n = nix::unistd::read(&timer, &mut count).expect("read timerfd");
        assert_eq!(n, 8);
        let expired = u64::from_ne_bytes(count);
        ticks += expired;
        missed += expired - 1;
    }
    println!("floor {ticks} {missed}");
}

fn percentile(sorted: &[u64], p: usize) -> u64 {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let full = args.iter().any(|a| a == "--bench");
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse::<u64>().ok())
    };
    let secs = if full {
        flag("--secs").unwrap_or(60)
    } else {
        1
    };
    let rate = flag("--rate").unwrap_or(1000);
    if let Some(spec) = std::env::var_os(FLOOR_ROLE) {
        let spec = spec.to_string_lossy().into_owned();
        let (rate, secs) = spec.split_once(':').expect("RATE:SECS");
        floor(rate.parse().expect("rate"), secs.parse().expect("secs"));
        return;
    }

    let scenario =
        std::env::temp_dir().join(format!("motion-rate-{}.scenario", std::process::id()));
    std::fs::write(&scenario, SCENARIO).expect("write scenario");

    let (cmd_r, mut cmd_w) = std::io::pipe().expect("pipe");
    let (tx_r, tx_w) = std::io::pipe().expect("pipe");
    set_cloexec(&cmd_r, false);
    set_cloexec(&tx_w, false);
    let mut child = Command::new(env!("CARGO_BIN_EXE_appliance-motion"))
        .args(["--rx", &cmd_r.as_raw_fd().to_string()])
        .args(["--tx", &tx_w.as_raw_fd().to_string()])
        .arg("--device")
        .arg(format!("sim:{}", scenario.display()))
        .args(["--rate", &rate.to_string(), "--heartbeat-ms", "1000"])
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn appliance-motion");
    drop((cmd_r, tx_w));
    let pid = child.id();
    pipe_ends::set_nonblocking(&tx_r, true).expect("O_NONBLOCK");
    let mut reader = FrameReader::new(tx_r);

    let mut ready = false;
    let mut latencies: Vec<u64> = Vec::with_capacity(
        usize::try_from(secs * rate + 1000).expect("a sample count fits a usize"),
    );
    let mut seqs: (Option<u32>, u32, u64) = (None, 0, 0); // first, last, gaps
    let mut frames = 0u64;
    let mut stats = None;
    let mut window: Option<(Instant, u64)> = None;
    let mut stats_asked = false;
    let mut floor_child: Option<std::process::Child> = None;
    let give_up = Instant::now() + Duration::from_secs(secs + 30);
    loop {
        assert!(Instant::now() < give_up, "the bench did not finish");
        let mut fds = [PollFd::new(reader.get_ref().as_fd(), PollFlags::POLLIN)];
        poll(&mut fds, PollTimeout::from(200u16)).expect("poll");
        let mut ready_now = false;
        let status = reader
            .read_messages(|m| {
                let received_us = monotonic_us();
                match m {
                    Ok(Message::Ready(_)) => ready_now = true,
                    Ok(Message::Imu(s)) if ready && stats.is_none() => {
                        latencies.push(received_us.saturating_sub(s.t_us));
                        frames += 1;
                        match seqs.0 {
                            None => seqs.0 = Some(s.seq),
                            Some(_) => {
                                seqs.2 += u64::from(s.seq.wrapping_sub(seqs.1).saturating_sub(1))
                            }
                        }
                        seqs.1 = s.seq;
                    }
                    Ok(Message::Stats(s)) if s.id == Some(1) => stats = Some((s.sent, s.dropped)),
                    Ok(Message::Error(e)) => eprintln!("rate bench: ERR {} {:?}", e.code, e.text),
                    _ => {}
                }
            })
            .expect("read");
        assert_eq!(status, ReadStatus::Open, "appliance-motion ended");
        if ready_now && !ready {
            ready = true;
            window = Some((Instant::now(), cpu_ticks(pid)));
            floor_child = Some(
                Command::new(std::env::current_exe().expect("current_exe"))
                    .env(FLOOR_ROLE, format!("{rate}:{secs}"))
                    .stdout(Stdio::piped())
                    .spawn()
                    .expect("spawn the floor"),
            );
        }
        if let Some((start, _)) = window
            && start.elapsed() >= Duration::from_secs(secs)
            && !stats_asked
        {
            let ticks = cpu_ticks(pid);
            window = window.map(|(s, t0)| (s, ticks - t0));
            let frame = FrameBuf::new()
                .encode(&Message::Command(Cmd {
                    id: 1,
                    op: CommandOp::Stats,
                }))
                .expect("encode")
                .to_vec();
            cmd_w.write_all(&frame).expect("send stats");
            stats_asked = true;
        }
        if stats.is_some() {
            break;
        }
    }
    let (start, cpu) = window.expect("READY");
    let wall = start.elapsed().as_secs_f64();
    kill(test_support::pid_of(&child), Signal::SIGTERM).expect("SIGTERM");
    let status = child.wait().expect("wait");
    let _ = std::fs::remove_file(&scenario);
    assert_eq!(status.code(), Some(0), "appliance-motion: {status}");

    let floor = floor_child
        .expect("floor")
        .wait_with_output()
        .expect("floor");
    let floor = String::from_utf8_lossy(&floor.stdout).into_owned();
    let (floor_ticks, floor_missed): (u64, u64) = floor
        .trim()
        .strip_prefix("floor ")
        .and_then(|r| r.split_once(' '))
        .and_then(|(t, m)| Some((t.parse().ok()?, m.parse().ok()?)))
        .expect("floor TICKS MISSED");
    let tick_hz = sysconf(SysconfVar::CLK_TCK).ok().flatten().unwrap_or(100) as f64;
    let (sent, dropped) = stats.expect("STATS");
    latencies.sort_unstable();
    let cpu_percent = cpu as f64 / tick_hz / secs as f64 * 100.0;
    println!("motion rate bench: {rate} Hz for {secs} s (sim IMU, timer-paced), reader keeping up");
    println!(
        "  IMU frames received   {frames} ({:.1}/s over the window)",
        frames as f64 / secs as f64
    );
    println!(
        "  seq gaps              {} missing seqs between seq {} and {}",
        seqs.2,
        seqs.0.unwrap_or(0),
        seqs.1
    );
    println!("  STATS                 sent={sent} drop={dropped}");
    println!("  floor (bare timerfd)  {floor_missed} ticks missed of {floor_ticks}, same window");
    println!(
        "  CPU (utime+stime)     {cpu_percent:.2} % of one core ({cpu} ticks at {tick_hz} Hz over {secs} s; wall {wall:.1} s to STATS)"
    );
    if latencies.is_empty() {
        println!("  latency               no frames");
    } else {
        println!(
            "  latency t->receipt    p50 {} µs, p99 {} µs, max {} µs (n={})",
            percentile(&latencies, 50),
            percentile(&latencies, 99),
            latencies[latencies.len() - 1],
            latencies.len()
        );
    }
    let p99 = latencies
        .last()
        .map(|_| percentile(&latencies, 99))
        .unwrap_or(0);
    // Seq gaps the floor also had are the machine's; only those beyond
    // it are the process's.
    let beyond_floor = seqs.2.saturating_sub(floor_missed);
    println!("  seq gaps beyond floor {beyond_floor}");
    println!(
        "  goal (0 dropped on the pipe, 0 lost beyond the floor, p99 <= 2000 µs): {}",
        if dropped == 0 && beyond_floor == 0 && p99 <= 2000 {
            "met"
        } else {
            "NOT met"
        }
    );
}
