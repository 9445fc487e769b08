//! `applianced`, the appliance's supervisor: the first process of the
//! appliance, in the tradition of init and runit. It reads the **topology**
//! (a TOML file naming the pipes and the processes), creates every pipe
//! itself and keeps both ends open, starts each process with only the pipe
//! ends it may use (their fd numbers substituted into its argv), then
//! watches the processes and restarts them by their policy. Because the
//! supervisor holds every pipe, a process that dies and restarts finds its
//! pipe as it left it, and its peers never see EOF or EPIPE.
//!
//! - [`topology`]: [`topology::Topology::load`] parses, validates and
//!   resolves a topology file into plain data (the fd plan of every process
//!   included); `applianced --config FILE --check` prints it.
//! - [`spawn`]: starts one child with only its fds, the careful way.
//! - [`policy`]: the restart policy of one process as a pure state
//!   machine (state × event → state, effects), tested cell by cell.
//! - [`supervise`]: the event loop around it: starts, watches, restarts
//!   and stops the processes, turning what happens into policy events and
//!   carrying out their effects.
//! - [`pid1`]: what the supervisor does for the whole system: the core
//!   limit, adopting orphans, powering off as PID 1.
//!
//! The child side of the pipes, taking the fds from argv, is the
//! `pipe-ends` crate.

mod log;
pub mod pid1;
pub mod policy;
pub mod signal;
pub mod spawn;
pub mod supervise;
pub mod topology;
