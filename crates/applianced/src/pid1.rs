//! What the supervisor does for the whole system rather than for one
//! child: the core-dump limit, adopting orphans, and the end of the
//! appliance when it is PID 1.

use nix::errno::Errno;

use crate::log::Log;

/// The end of the appliance when the supervisor is PID 1: sync the disks
/// and power off. Never returns: if power-off fails it says so and waits,
/// since PID 1 must not exit.
pub fn power_off(code: std::process::ExitCode) -> ! {
    let log = Log::new();
    log.line(&format!(
        "PID 1 is done ({code:?}): syncing and powering off"
    ));
    nix::unistd::sync();
    let Err(e) = nix::sys::reboot::reboot(nix::sys::reboot::RebootMode::RB_POWER_OFF);
    log.line(&format!(
        "power off failed: {e}; waiting (PID 1 must not exit)"
    ));
    loop {
        nix::unistd::pause();
    }
}

/// Raises RLIMIT_CORE: soft to hard, and hard to unlimited when allowed.
/// Returns what happened, for the log.
pub fn raise_core_limit() -> String {
    use nix::sys::resource::{RLIM_INFINITY, Resource, getrlimit, setrlimit};
    let show = |v: nix::sys::resource::rlim_t| {
        if v == RLIM_INFINITY {
            "unlimited".to_owned()
        } else {
            v.to_string()
        }
    };
    let Ok((soft, hard)) = getrlimit(Resource::RLIMIT_CORE) else {
        return "core limit: cannot read RLIMIT_CORE".to_owned();
    };
    if setrlimit(Resource::RLIMIT_CORE, RLIM_INFINITY, RLIM_INFINITY).is_ok() {
        return format!(
            "core limit: unlimited (was {} soft, {} hard)",
            show(soft),
            show(hard)
        );
    }
    match setrlimit(Resource::RLIMIT_CORE, hard, hard) {
        Ok(()) => format!(
            "core limit: {} (the hard limit; raising it needs privilege; was {} soft)",
            show(hard),
            show(soft)
        ),
        Err(e) => format!("core limit: left at {} soft: {e}", show(soft)),
    }
}

/// What the core pattern says about where cores go.
pub fn core_pattern() -> String {
    std::fs::read_to_string("/proc/sys/kernel/core_pattern")
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// Makes this process the reaper of its descendants' orphans (PID 1 is
/// one already): they are reparented here, and reaped by the loop.
pub fn adopt_orphans() -> Result<(), Errno> {
    nix::sys::prctl::set_child_subreaper(true)
}

/// Whether this process is PID 1 (of the machine or of a PID namespace).
pub fn is_pid_1() -> bool {
    std::process::id() == 1
}
