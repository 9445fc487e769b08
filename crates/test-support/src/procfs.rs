//! What `/proc` says about a process.

use std::collections::BTreeMap;

use nix::unistd::Pid;

/// The fds `pid` has open and what each points to (`/dev/null`,
/// `pipe:[1234]`, ...); an fd that closes while it is read is left out.
pub fn fds(pid: Pid) -> BTreeMap<i32, String> {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap_or_else(|e| panic!("/proc/{pid}/fd: {e}"))
        .filter_map(|e| {
            let e = e.ok()?;
            let fd = e.file_name().to_str()?.parse().ok()?;
            let target = std::fs::read_link(e.path()).ok()?;
            Some((fd, target.display().to_string()))
        })
        .collect()
}

/// How many fds `pid` has open (0 once it is gone).
pub fn fd_count(pid: Pid) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, Iterator::count)
}

/// Whether `pid`'s `fd` has `O_NONBLOCK` set (`/proc/PID/fdinfo/FD`).
pub fn is_nonblocking(pid: Pid, fd: i32) -> bool {
    let info = std::fs::read_to_string(format!("/proc/{pid}/fdinfo/{fd}"))
        .unwrap_or_else(|e| panic!("/proc/{pid}/fdinfo/{fd}: {e}"));
    let flags = info
        .lines()
        .find_map(|l| l.strip_prefix("flags:"))
        .and_then(|f| u32::from_str_radix(f.trim(), 8).ok())
        .unwrap_or_else(|| panic!("no flags in /proc/{pid}/fdinfo/{fd}: {info}"));
    flags & nix::libc::O_NONBLOCK as u32 != 0
}

/// The state letter (`R`, `S`, `T`, `Z`, ...) and the parent of `pid`, if
/// it exists.
pub fn state_and_parent(pid: Pid) -> Option<(char, Pid)> {
    // `PID (COMM) STATE PPID ...`: COMM may hold spaces and parentheses,
    // so split after the last closing parenthesis.
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, rest) = stat.rsplit_once(") ")?;
    let mut fields = rest.split(' ');
    let state = fields.next()?.chars().next()?;
    Some((state, Pid::from_raw(fields.next()?.parse().ok()?)))
}

/// The state letter of `pid`, or `None` once it is gone (reaped).
pub fn state(pid: Pid) -> Option<char> {
    state_and_parent(pid).map(|(state, _)| state)
}

/// The children of `pid` (every thread's), in no particular order.
pub fn children(pid: Pid) -> Vec<Pid> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    tasks
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("children")).ok())
        .flat_map(|list| {
            list.split_whitespace()
                .filter_map(|p| p.parse().ok())
                .map(Pid::from_raw)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The children of `parent` that are zombies (exited, not reaped yet).
pub fn zombie_children(parent: Pid) -> Vec<Pid> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .map(Pid::from_raw)
        .filter(|&pid| state_and_parent(pid) == Some(('Z', parent)))
        .collect()
}

/// A number from `/proc/PID/status` (the first word after `key:`, e.g.
/// `VmRSS` in KiB), if there is one.
pub fn status_field(pid: Pid, key: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    text.lines().find_map(|l| {
        l.strip_prefix(key)?
            .strip_prefix(':')?
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    })
}

/// The context switches of `pid` so far, voluntary and involuntary: every
/// wakeup counts.
pub fn context_switches(pid: Pid) -> u64 {
    ["voluntary_ctxt_switches", "nonvoluntary_ctxt_switches"]
        .iter()
        .map(|key| {
            status_field(pid, key).unwrap_or_else(|| panic!("no {key} in /proc/{pid}/status"))
        })
        .sum()
}

/// Where `pid` sleeps in the kernel (`/proc/PID/wchan`: `do_sys_poll`,
/// `pipe_write`, ...), empty while it runs.
pub fn wchan(pid: Pid) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/wchan")).unwrap_or_default()
}

/// Whether `pid` is asleep in `poll` (or `ppoll`) with no timeout: nothing
/// but an event on one of its fds can wake it (`/proc/PID/syscall`).
pub fn sleeps_in_poll_without_timeout(pid: Pid) -> bool {
    let Ok(call) = std::fs::read_to_string(format!("/proc/{pid}/syscall")) else {
        return false;
    };
    // `NR ARG1 ARG2 ARG3 ...`, the arguments in hex; `running` while it runs.
    let words: Vec<&str> = call.split_whitespace().collect();
    let arg = |i: usize| {
        words
            .get(i)
            .and_then(|a| u64::from_str_radix(a.trim_start_matches("0x"), 16).ok())
    };
    let Some(nr) = words.first().and_then(|n| n.parse::<i64>().ok()) else {
        return false;
    };
    if Some(nr) == POLL {
        // poll(fds, nfds, timeout): an int timeout of -1, all ones in the
        // register's low 32 bits.
        arg(3).is_some_and(|t| t & u64::from(u32::MAX) == u64::from(u32::MAX))
    } else if nr == PPOLL {
        // ppoll(fds, nfds, tsp, sigmask, size): no timespec.
        arg(3) == Some(0)
    } else {
        false
    }
}

#[cfg(target_arch = "x86_64")]
const POLL: Option<i64> = Some(7);
#[cfg(target_arch = "x86_64")]
const PPOLL: i64 = 271;
// The generic syscall table (aarch64, riscv64) has no poll.
#[cfg(not(target_arch = "x86_64"))]
const POLL: Option<i64> = None;
#[cfg(not(target_arch = "x86_64"))]
const PPOLL: i64 = 73;
