//! The restart policy of one supervised process, as a pure state machine:
//! [`Record::step`] takes the record, an [`Event`] and the time, and gives
//! the next record and the [`Effect`]s the loop must carry out. It makes no
//! system call and reads no clock, so every cell of the table below is a
//! unit test without a process.
//!
//! | state ↓ event → | `Up` | `Spawned` | `SpawnFailed` | `Exited` | `Tick` (due) | `Down` | `Stop` | `Kill` |
//! |---|---|---|---|---|---|---|---|---|
//! | **Down** | Starting: Spawn | – | – | – | – | – | – | – |
//! | **Starting** | – | Running: Started | *decide* | – | – | wanted off | – | – |
//! | **Running** | – | – | – | *decide* | – | wanted off | Stopping: SendStop | Killing: Kill |
//! | **Pending** | – | – | – | – | Starting: Spawn | Down: Cancelled | Down: Cancelled | Down: Cancelled |
//! | **Held** | – | – | – | – | Starting: Spawn | Down: Cancelled | Down: Cancelled | Down: Cancelled |
//! | **Stopping** | – | – | – | Down: Stopped | Killing: Kill (timeout) | – | – | Killing: Kill |
//! | **Killing** | – | – | – | Down: Stopped | – | – | – | – |
//!
//! "–" leaves the record as it is, with no effect. `Up` also turns
//! *wanted* on and `Down`, `Stop` and `Kill` turn it off, in every state.
//! `Tick` acts only once the state's [deadline](Record::deadline) has come.
//!
//! *decide* (an end, or a failed start counted as a run of zero length)
//! goes, in this order:
//! 1. not *wanted* (the appliance is stopping): Down, [`Next::NotWanted`];
//! 2. the restart policy does not restart this end: Down,
//!    [`Next::NotRestarted`];
//! 3. a run of at least `backoff.reset_after` ends the crash loop: the
//!    backoff starts again from `initial`;
//! 4. `intensity.restarts` restarts within `intensity.within` already:
//!    Held until the hold is over ([`Next::Hold`]), or Down with
//!    [`Effect::ShutDown`] ([`Next::ShutDown`]); the window and the
//!    backoff start afresh;
//! 5. otherwise Pending for the backoff delay ([`Next::Restart`]).
//!
//! The loop around it ([`crate::supervise`]) turns signals, reaped pids
//! and timer expiries into events, and carries out the effects: spawning,
//! signalling a process group, logging, STATE frames.

use std::collections::VecDeque;
use std::fmt;
use std::time::{Duration, Instant};

use nix::unistd::Pid;

use crate::topology::{Backoff, Intensity, IntensityAction, Process, RestartPolicy, Signal};

/// Where a supervised process is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Not running and nothing due: not started yet, or not restarted.
    Down,
    /// To be spawned now ([`Effect::Spawn`]); the loop answers with
    /// [`Event::Spawned`] or [`Event::SpawnFailed`].
    Starting,
    /// Running since `since`.
    Running {
        /// Its pid (and process group).
        pid: Pid,
        /// When it started.
        since: Instant,
    },
    /// To be restarted at `at`.
    Pending {
        /// When.
        at: Instant,
    },
    /// Restarted too often: held off until `until`.
    Held {
        /// When the hold is over.
        until: Instant,
    },
    /// Sent its stop signal; SIGKILL at `deadline`.
    Stopping {
        /// Its pid.
        pid: Pid,
        /// When it started.
        since: Instant,
        /// When its stop timeout is over.
        deadline: Instant,
    },
    /// Sent SIGKILL; waiting to reap it.
    Killing {
        /// Its pid.
        pid: Pid,
        /// When it started.
        since: Instant,
    },
}

/// What happened to a process, or what is asked of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// It should run: start it if it is down.
    Up,
    /// The spawn asked for succeeded.
    Spawned(Pid),
    /// The spawn asked for failed.
    SpawnFailed,
    /// It ended (reaped); `failed`: with a status other than 0, or by a
    /// signal.
    Exited {
        /// A failure, as the restart policy `on-failure` means it.
        failed: bool,
    },
    /// The loop's timer expired (or it woke for another reason): a
    /// deadline of the state may have come.
    Tick,
    /// It should no longer be restarted (the appliance is stopping); a
    /// pending restart or a hold is cancelled, a running process keeps
    /// running until [`Event::Stop`].
    Down,
    /// Ask it to stop: its stop signal, then SIGKILL after its timeout.
    Stop,
    /// SIGKILL now.
    Kill,
}

/// What the loop must do after a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Spawn the process now, then send [`Event::Spawned`] or
    /// [`Event::SpawnFailed`].
    Spawn,
    /// It started: log it, send STATE `started`.
    Started {
        /// Its pid.
        pid: Pid,
    },
    /// A run ended, or a start failed, and this follows: log it, send
    /// STATE `exited` (for a run) and `failed` (when [`Next::failed`]).
    Ended {
        /// How long it ran (zero for a failed start).
        ran: Duration,
        /// What follows.
        next: Next,
    },
    /// It ended after it was asked to stop: log it, send STATE `stopped`,
    /// go on stopping the next process.
    Stopped {
        /// How long it ran.
        ran: Duration,
    },
    /// Send its stop signal to its process group; SIGKILL follows after
    /// `timeout`.
    SendStop {
        /// Its pid (the process group).
        pid: Pid,
        /// The signal.
        signal: Signal,
        /// Its stop timeout.
        timeout: Duration,
    },
    /// Send SIGKILL to its process group.
    Kill {
        /// Its pid (the process group).
        pid: Pid,
        /// Because its stop timeout is over (else: because it was asked).
        timed_out: bool,
    },
    /// A pending restart or a hold was cancelled.
    Cancelled,
    /// The intensity action says: stop the whole appliance.
    ShutDown,
}

/// What follows the end of a run (or a failed start).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Restart number `number` (of the process's life) after `delay`.
    Restart {
        /// The restart count, this one included.
        number: u32,
        /// The backoff delay.
        delay: Duration,
    },
    /// Not restarted: the appliance is stopping.
    NotWanted,
    /// Not restarted: its restart policy says so.
    NotRestarted {
        /// The policy.
        policy: RestartPolicy,
        /// Restarts it had.
        restarts: u32,
    },
    /// Restarted too often: held for `hold`, then started again.
    Hold {
        /// Restarts within the window.
        restarts: u32,
        /// The window.
        within: Duration,
        /// The hold.
        hold: Duration,
    },
    /// Restarted too often: the appliance shuts down.
    ShutDown {
        /// Restarts within the window.
        restarts: u32,
        /// The window.
        within: Duration,
    },
}

impl Next {
    /// The delay until it is started again, if it is.
    pub fn delay(self) -> Option<Duration> {
        match self {
            Next::Restart { delay, .. } => Some(delay),
            Next::Hold { hold, .. } => Some(hold),
            Next::NotWanted | Next::NotRestarted { .. } | Next::ShutDown { .. } => None,
        }
    }

    /// Whether the intensity limit was hit (STATE `failed`).
    pub fn failed(self) -> bool {
        matches!(self, Next::Hold { .. } | Next::ShutDown { .. })
    }
}

impl fmt::Display for Next {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Next::Restart { number, delay } => {
                write!(f, "restart {number} in {}", Secs(delay))
            }
            Next::NotWanted => f.write_str("not restarted: stopping"),
            Next::NotRestarted { policy, restarts } => write!(
                f,
                "not restarted (restart = {}; {} before)",
                policy.as_str(),
                Plural(restarts, "restart")
            ),
            Next::Hold {
                restarts,
                within,
                hold,
            } => write!(
                f,
                "FAILED: restarted {} within {}; holding it {} before trying again",
                Plural(restarts, "time"),
                Secs(within),
                Secs(hold)
            ),
            Next::ShutDown { restarts, within } => write!(
                f,
                "FAILED: restarted {} within {}; shutting the appliance down (intensity action)",
                Plural(restarts, "time"),
                Secs(within)
            ),
        }
    }
}

/// A count and a noun, pluralised: `1 restart`, `2 restarts`.
struct Plural(u32, &'static str);

impl fmt::Display for Plural {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = if self.0 == 1 { "" } else { "s" };
        write!(f, "{} {}{s}", self.0, self.1)
    }
}

/// A duration for the log: `0ms`, `250ms`, `1.500s`.
pub struct Secs(pub Duration);

impl fmt::Display for Secs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        if d < Duration::from_secs(1) {
            write!(f, "{}ms", d.as_millis())
        } else {
            write!(f, "{}.{:03}s", d.as_secs(), d.subsec_millis())
        }
    }
}

/// What the policy needs to know of a process: its topology entry's
/// restart settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rules {
    /// When it is restarted.
    pub restart: RestartPolicy,
    /// The delays before restarts.
    pub backoff: Backoff,
    /// The crash-loop limit.
    pub intensity: Intensity,
    /// The signal that asks it to stop.
    pub stop_signal: Signal,
    /// How long after the stop signal SIGKILL follows.
    pub stop_timeout: Duration,
}

impl Rules {
    /// The rules of a topology process.
    pub fn of(process: &Process) -> Rules {
        Rules {
            restart: process.restart,
            backoff: process.backoff,
            intensity: process.intensity,
            stop_signal: process.stop_signal,
            stop_timeout: process.stop_timeout,
        }
    }
}

/// Everything the policy knows of one process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Where it is.
    pub state: State,
    /// Whether it is to be restarted when it ends.
    pub wanted: bool,
    /// Restarts over its whole life.
    pub restarts: u32,
    /// Restarts in the current crash loop: the backoff's step.
    in_loop: u32,
    /// When the restarts within the intensity window happened.
    recent: VecDeque<Instant>,
}

impl Default for Record {
    fn default() -> Self {
        Record::new()
    }
}

impl Record {
    /// A process not started yet.
    pub fn new() -> Record {
        Record {
            state: State::Down,
            wanted: false,
            restarts: 0,
            in_loop: 0,
            recent: VecDeque::new(),
        }
    }

    /// The pid of the running (or stopping) process.
    pub fn pid(&self) -> Option<Pid> {
        match self.state {
            State::Running { pid, .. }
            | State::Stopping { pid, .. }
            | State::Killing { pid, .. } => Some(pid),
            State::Down | State::Starting | State::Pending { .. } | State::Held { .. } => None,
        }
    }

    /// When the state's next [`Event::Tick`] is due, if it has a deadline.
    pub fn deadline(&self) -> Option<Instant> {
        match self.state {
            State::Pending { at } => Some(at),
            State::Held { until } => Some(until),
            State::Stopping { deadline, .. } => Some(deadline),
            State::Down | State::Starting | State::Running { .. } | State::Killing { .. } => None,
        }
    }

    /// One step: the record after `event` at `now`, and what the loop must
    /// do. The table is in the module docs; each arm below is one cell (or
    /// a row of cells that do the same).
    pub fn step(mut self, event: Event, now: Instant, rules: &Rules) -> (Record, Vec<Effect>) {
        use Event as E;
        use State as S;
        match event {
            E::Up => self.wanted = true,
            E::Down | E::Stop | E::Kill => self.wanted = false,
            E::Spawned(_) | E::SpawnFailed | E::Exited { .. } | E::Tick => {}
        }
        let due = self.deadline().is_some_and(|at| at <= now);
        let (state, effects) = match (self.state, event) {
            (S::Down, E::Up) => (S::Starting, vec![Effect::Spawn]),
            (S::Starting, E::Spawned(pid)) => (
                S::Running { pid, since: now },
                vec![Effect::Started { pid }],
            ),
            (S::Starting, E::SpawnFailed) => self.decide(Duration::ZERO, true, now, rules),
            (S::Running { since, .. }, E::Exited { failed }) => {
                self.decide(now.saturating_duration_since(since), failed, now, rules)
            }
            (S::Running { pid, since }, E::Stop) => (
                S::Stopping {
                    pid,
                    since,
                    deadline: now + rules.stop_timeout,
                },
                vec![Effect::SendStop {
                    pid,
                    signal: rules.stop_signal,
                    timeout: rules.stop_timeout,
                }],
            ),
            (S::Running { pid, since } | S::Stopping { pid, since, .. }, E::Kill) => (
                S::Killing { pid, since },
                vec![Effect::Kill {
                    pid,
                    timed_out: false,
                }],
            ),
            (S::Pending { .. } | S::Held { .. }, E::Tick) if due => {
                (S::Starting, vec![Effect::Spawn])
            }
            (S::Pending { .. } | S::Held { .. }, E::Down | E::Stop | E::Kill) => {
                (S::Down, vec![Effect::Cancelled])
            }
            (S::Stopping { pid, since, .. }, E::Tick) if due => (
                S::Killing { pid, since },
                vec![Effect::Kill {
                    pid,
                    timed_out: true,
                }],
            ),
            (S::Stopping { since, .. } | S::Killing { since, .. }, E::Exited { .. }) => (
                S::Down,
                vec![Effect::Stopped {
                    ran: now.saturating_duration_since(since),
                }],
            ),
            // Every other cell: nothing happens.
            (state, _) => (state, Vec::new()),
        };
        self.state = state;
        (self, effects)
    }

    /// What follows a run of `ran` that ended (`failed` or not), or a
    /// failed start: steps 1 to 5 of the module docs.
    fn decide(
        &mut self,
        ran: Duration,
        failed: bool,
        now: Instant,
        rules: &Rules,
    ) -> (State, Vec<Effect>) {
        let ended = |next: Next| vec![Effect::Ended { ran, next }];
        if !self.wanted {
            return (State::Down, ended(Next::NotWanted));
        }
        let restart = match rules.restart {
            RestartPolicy::Always => true,
            RestartPolicy::OnFailure => failed,
            RestartPolicy::Never => false,
        };
        if !restart {
            let next = Next::NotRestarted {
                policy: rules.restart,
                restarts: self.restarts,
            };
            return (State::Down, ended(next));
        }
        if ran >= rules.backoff.reset_after {
            self.in_loop = 0;
        }
        let within = rules.intensity.within;
        while self
            .recent
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) > within)
        {
            self.recent.pop_front();
        }
        let in_window = u32::try_from(self.recent.len()).unwrap_or(u32::MAX);
        if in_window >= rules.intensity.restarts {
            self.recent.clear();
            self.in_loop = 0;
            return match rules.intensity.action {
                IntensityAction::Hold(hold) => (
                    State::Held { until: now + hold },
                    ended(Next::Hold {
                        restarts: in_window,
                        within,
                        hold,
                    }),
                ),
                IntensityAction::Shutdown => {
                    self.wanted = false;
                    let next = Next::ShutDown {
                        restarts: in_window,
                        within,
                    };
                    (
                        State::Down,
                        vec![Effect::Ended { ran, next }, Effect::ShutDown],
                    )
                }
            };
        }
        let delay = rules.backoff.delay(self.in_loop);
        self.in_loop += 1;
        self.restarts += 1;
        self.recent.push_back(now);
        let next = Next::Restart {
            number: self.restarts,
            delay,
        };
        (State::Pending { at: now + delay }, ended(next))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PID: Pid = Pid::from_raw(4242);

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn rules() -> Rules {
        Rules {
            restart: RestartPolicy::Always,
            backoff: Backoff::default(),
            intensity: Intensity::default(),
            stop_signal: Signal::default(),
            stop_timeout: Duration::from_secs(5),
        }
    }

    /// A record in `state`, wanted, with no history.
    fn at(state: State) -> Record {
        Record {
            state,
            wanted: true,
            ..Record::new()
        }
    }

    fn step(record: Record, event: Event, now: Instant) -> (Record, Vec<Effect>) {
        record.step(event, now, &rules())
    }

    const EVENTS: [Event; 8] = [
        Event::Up,
        Event::Spawned(PID),
        Event::SpawnFailed,
        Event::Exited { failed: true },
        Event::Tick,
        Event::Down,
        Event::Stop,
        Event::Kill,
    ];

    /// The table of the module docs, cell by cell: (state, event, the time
    /// since `t0`, the state after, the effects). Deadlines are at
    /// `t0 + 100ms`; a Tick is asked both before (99 ms) and at them.
    /// Every (state, event) pair that is not listed must leave the record
    /// as it is, with no effect.
    fn table(t0: Instant) -> Vec<(State, Event, Duration, State, Vec<Effect>)> {
        let running = State::Running {
            pid: PID,
            since: t0,
        };
        let pending = State::Pending { at: t0 + ms(100) };
        let held = State::Held {
            until: t0 + ms(100),
        };
        let stopping = State::Stopping {
            pid: PID,
            since: t0,
            deadline: t0 + ms(100),
        };
        let killing = State::Killing {
            pid: PID,
            since: t0,
        };
        let kill = |timed_out| {
            vec![Effect::Kill {
                pid: PID,
                timed_out,
            }]
        };
        let ended = |ran, next| vec![Effect::Ended { ran, next }];
        let first_restart = Next::Restart {
            number: 1,
            delay: Duration::ZERO,
        };
        let mut cells = vec![
            (
                State::Down,
                Event::Up,
                ms(0),
                State::Starting,
                vec![Effect::Spawn],
            ),
            (
                State::Starting,
                Event::Spawned(PID),
                ms(0),
                State::Running {
                    pid: PID,
                    since: t0,
                },
                vec![Effect::Started { pid: PID }],
            ),
            // A start that fails is a failed run of zero length.
            (
                State::Starting,
                Event::SpawnFailed,
                ms(3),
                State::Pending { at: t0 + ms(3) },
                ended(Duration::ZERO, first_restart),
            ),
            (
                running,
                Event::Exited { failed: true },
                ms(250),
                State::Pending { at: t0 + ms(250) },
                ended(ms(250), first_restart),
            ),
            (
                running,
                Event::Stop,
                ms(10),
                State::Stopping {
                    pid: PID,
                    since: t0,
                    deadline: t0 + ms(10) + Duration::from_secs(5),
                },
                vec![Effect::SendStop {
                    pid: PID,
                    signal: Signal::default(),
                    timeout: Duration::from_secs(5),
                }],
            ),
            (running, Event::Kill, ms(0), killing, kill(false)),
            (stopping, Event::Tick, ms(100), killing, kill(true)),
            (stopping, Event::Kill, ms(0), killing, kill(false)),
        ];
        for due in [pending, held] {
            cells.push((
                due,
                Event::Tick,
                ms(100),
                State::Starting,
                vec![Effect::Spawn],
            ));
            for cancel in [Event::Down, Event::Stop, Event::Kill] {
                cells.push((due, cancel, ms(0), State::Down, vec![Effect::Cancelled]));
            }
        }
        for stopped in [stopping, killing] {
            let fx = vec![Effect::Stopped { ran: ms(40) }];
            cells.push((
                stopped,
                Event::Exited { failed: true },
                ms(40),
                State::Down,
                fx,
            ));
        }
        cells
    }

    #[test]
    fn every_cell_of_the_table() {
        let t0 = Instant::now();
        let cells = table(t0);
        for (state, event, after, next, effects) in &cells {
            let (r, fx) = step(at(*state), *event, t0 + *after);
            assert_eq!((&r.state, &fx), (next, effects), "{state:?} x {event:?}");
        }
        // The other cells, and a Tick before the deadline: nothing.
        let states = cells.iter().map(|c| c.0).chain([State::Down]);
        for state in states {
            for event in EVENTS {
                let listed = cells.iter().any(|c| c.0 == state && c.1 == event);
                let now = if listed && event == Event::Tick {
                    t0 + ms(99)
                } else if listed {
                    continue;
                } else {
                    t0 + Duration::from_secs(3600)
                };
                let (r, fx) = step(at(state), event, now);
                assert_eq!((r.state, fx), (state, vec![]), "{state:?} x {event:?}");
            }
        }
    }

    #[test]
    fn wanted_follows_up_down_stop_and_kill_in_every_state() {
        let t0 = Instant::now();
        for state in table(t0).into_iter().map(|c| c.0) {
            let (r, _) = step(
                Record {
                    state,
                    ..Record::new()
                },
                Event::Up,
                t0,
            );
            assert!(r.wanted, "{state:?} x Up");
            for event in [Event::Down, Event::Stop, Event::Kill] {
                let (r, _) = step(at(state), event, t0);
                assert!(!r.wanted, "{state:?} x {event:?}");
            }
        }
    }

    #[test]
    fn a_start_that_fails_restarts_even_on_failure_only() {
        let on_failure = Rules {
            restart: RestartPolicy::OnFailure,
            ..rules()
        };
        let (r, _) = at(State::Starting).step(Event::SpawnFailed, Instant::now(), &on_failure);
        assert!(matches!(r.state, State::Pending { .. }), "{:?}", r.state);
    }

    #[test]
    fn an_end_that_is_not_wanted_stays_down_from_running_and_starting() {
        let t0 = Instant::now();
        for (state, event, ran) in [
            (State::Starting, Event::SpawnFailed, Duration::ZERO),
            (
                State::Running {
                    pid: PID,
                    since: t0,
                },
                Event::Exited { failed: true },
                ms(3),
            ),
        ] {
            let (r, fx) = step(at(state), Event::Down, t0);
            assert_eq!((r.state, r.wanted, fx), (state, false, vec![]));
            let (r, fx) = step(r, event, t0 + ms(3));
            assert_eq!(r.state, State::Down);
            assert_eq!(
                fx,
                [Effect::Ended {
                    ran,
                    next: Next::NotWanted
                }]
            );
        }
        assert_eq!(Next::NotWanted.to_string(), "not restarted: stopping");
    }

    #[test]
    fn the_restart_policy_decides_which_ends_restart() {
        let t0 = Instant::now();
        let running = State::Running {
            pid: PID,
            since: t0,
        };
        for (policy, failed, restarted) in [
            (RestartPolicy::Always, false, true),
            (RestartPolicy::Always, true, true),
            (RestartPolicy::OnFailure, false, false),
            (RestartPolicy::OnFailure, true, true),
            (RestartPolicy::Never, false, false),
            (RestartPolicy::Never, true, false),
        ] {
            let rules = Rules {
                restart: policy,
                ..rules()
            };
            let (r, fx) = at(running).step(Event::Exited { failed }, t0 + ms(5), &rules);
            if restarted {
                assert!(matches!(r.state, State::Pending { .. }), "{policy:?}");
                continue;
            }
            assert_eq!(r.state, State::Down, "{policy:?} {failed}");
            let next = Next::NotRestarted {
                policy,
                restarts: 0,
            };
            assert_eq!(fx, [Effect::Ended { ran: ms(5), next }]);
            assert_eq!(
                next.to_string(),
                format!(
                    "not restarted (restart = {}; 0 restarts before)",
                    policy.as_str()
                )
            );
        }
    }

    // Decisions over several runs.

    /// A wanted record running since `t0`.
    fn running_at(t0: Instant) -> Record {
        at(State::Running {
            pid: PID,
            since: t0,
        })
    }

    /// When the running `record` started.
    fn started(record: &Record) -> Instant {
        match record.state {
            State::Running { since, .. } => since,
            other => panic!("not running: {other:?}"),
        }
    }

    /// Runs one crash of a process started at `start` that runs for `ran`,
    /// from Running through the restart to Running again; returns the
    /// decision and the record, running again at the restart time.
    fn crash(record: Record, ran: Duration, rules: &Rules) -> (Next, Record) {
        let end = started(&record) + ran;
        let (r, fx) = record.step(Event::Exited { failed: true }, end, rules);
        let [Effect::Ended { next, .. }, ..] = fx[..] else {
            panic!("no decision: {fx:?}");
        };
        let Some(at) = r.deadline() else {
            return (next, r);
        };
        let (r, fx) = r.step(Event::Tick, at, rules);
        assert_eq!(fx, [Effect::Spawn]);
        let (r, _) = r.step(Event::Spawned(PID), at, rules);
        (next, r)
    }

    #[test]
    fn the_backoff_grows_in_a_crash_loop_and_a_long_run_resets_it() {
        let rules = Rules {
            intensity: Intensity {
                restarts: 100,
                ..Intensity::default()
            },
            ..rules()
        };
        let t0 = Instant::now();
        let mut r = running_at(t0);
        let mut delays = Vec::new();
        for _ in 0..5 {
            let (next, after) = crash(r, ms(1), &rules);
            delays.push(next.delay().expect("restarted"));
            r = after;
        }
        assert_eq!(delays, [ms(0), ms(100), ms(200), ms(400), ms(800)]);
        // A run of exactly reset_after (10 s) ends the loop.
        let (next, r) = crash(r, Duration::from_secs(10), &rules);
        assert_eq!(
            next,
            Next::Restart {
                number: 6,
                delay: ms(0)
            }
        );
        let (next, _) = crash(r, ms(1), &rules);
        assert_eq!(next.delay(), Some(ms(100)));
    }

    #[test]
    fn the_intensity_limit_holds_then_the_hold_expires_into_a_fresh_start() {
        let rules = Rules {
            backoff: Backoff {
                step: ms(1),
                factor: 1.0,
                ..Backoff::default()
            },
            ..rules()
        };
        let t0 = Instant::now();
        let mut r = running_at(t0);
        for k in 1..=5 {
            let (next, after) = crash(r, ms(1), &rules);
            assert!(matches!(next, Next::Restart { number, .. } if number == k));
            r = after;
        }
        let since = started(&r);
        let end = since + ms(1);
        let (r, fx) = r.step(Event::Exited { failed: true }, end, &rules);
        let next = Next::Hold {
            restarts: 5,
            within: Duration::from_secs(10),
            hold: Duration::from_secs(60),
        };
        assert_eq!(fx, [Effect::Ended { ran: ms(1), next }]);
        assert!(next.failed());
        assert_eq!(
            next.to_string(),
            "FAILED: restarted 5 times within 10.000s; holding it 60.000s before trying again"
        );
        assert_eq!(
            r.state,
            State::Held {
                until: end + Duration::from_secs(60)
            }
        );
        assert_eq!(r.restarts, 5, "a hold is not a restart");
        // The hold expires: started again, with a fresh window and backoff.
        let until = end + Duration::from_secs(60);
        let (r, fx) = r.step(Event::Tick, until, &rules);
        assert_eq!((r.state, fx), (State::Starting, vec![Effect::Spawn]));
        let (r, _) = r.step(Event::Spawned(PID), until, &rules);
        let (next, _) = crash(r, ms(1), &rules);
        assert_eq!(
            next,
            Next::Restart {
                number: 6,
                delay: ms(0)
            }
        );
    }

    #[test]
    fn restarts_older_than_the_window_do_not_count() {
        let rules = Rules {
            intensity: Intensity {
                restarts: 2,
                within: Duration::from_secs(1),
                action: IntensityAction::Hold(Duration::from_secs(60)),
            },
            // Restarts at once, so only the runs' lengths space them.
            backoff: Backoff {
                step: Duration::ZERO,
                factor: 1.0,
                ..Backoff::default()
            },
            ..rules()
        };
        let t0 = Instant::now();
        let mut r = running_at(t0);
        // Two crashes 1.2 s apart never have two restarts within 1 s.
        for _ in 0..10 {
            let (next, after) = crash(r, ms(1200), &rules);
            assert!(matches!(next, Next::Restart { .. }), "{next}");
            r = after;
        }
        let (next, after) = crash(r, ms(1), &rules);
        assert!(matches!(next, Next::Restart { .. }));
        let (next, _) = crash(after, ms(1), &rules);
        assert!(matches!(next, Next::Hold { restarts: 2, .. }), "{next}");
    }

    #[test]
    fn the_shutdown_action_ends_down_and_asks_for_a_shutdown() {
        let rules = Rules {
            intensity: Intensity {
                restarts: 1,
                within: Duration::from_secs(10),
                action: IntensityAction::Shutdown,
            },
            ..rules()
        };
        let t0 = Instant::now();
        let (_, r) = crash(running_at(t0), ms(1), &rules);
        let since = started(&r);
        let (r, fx) = r.step(Event::Exited { failed: true }, since + ms(1), &rules);
        let next = Next::ShutDown {
            restarts: 1,
            within: Duration::from_secs(10),
        };
        assert_eq!(fx, [Effect::Ended { ran: ms(1), next }, Effect::ShutDown]);
        assert_eq!((r.state, r.wanted), (State::Down, false));
        assert_eq!(
            next.to_string(),
            "FAILED: restarted 1 time within 10.000s; shutting the appliance down (intensity action)"
        );
    }

    #[test]
    fn stop_during_a_pending_restart_cancels_it_and_nothing_starts_later() {
        let t0 = Instant::now();
        let (_, r) = crash(running_at(t0), ms(1), &rules());
        let since = started(&r);
        let (r, _) = r.step(Event::Exited { failed: true }, since + ms(500), &rules());
        assert!(matches!(r.state, State::Pending { .. }));
        let (r, fx) = r.step(Event::Stop, since + ms(501), &rules());
        assert_eq!((r.state, fx), (State::Down, vec![Effect::Cancelled]));
        let (r, fx) = r.step(Event::Tick, since + Duration::from_secs(3600), &rules());
        assert_eq!((r.state, fx), (State::Down, vec![]));
    }

    #[test]
    fn deadlines_and_pids_follow_the_state() {
        let t0 = Instant::now();
        for state in table(t0).into_iter().map(|c| c.0) {
            let (deadline, pid) = match state {
                State::Pending { .. } | State::Held { .. } => (Some(t0 + ms(100)), None),
                State::Stopping { .. } => (Some(t0 + ms(100)), Some(PID)),
                State::Running { .. } | State::Killing { .. } => (None, Some(PID)),
                State::Down | State::Starting => (None, None),
            };
            assert_eq!(at(state).deadline(), deadline, "{state:?}");
            assert_eq!(at(state).pid(), pid, "{state:?}");
        }
    }

    #[test]
    fn durations_in_the_log() {
        assert_eq!(Secs(Duration::ZERO).to_string(), "0ms");
        assert_eq!(Secs(ms(250)).to_string(), "250ms");
        assert_eq!(Secs(ms(1500)).to_string(), "1.500s");
        assert_eq!(
            Next::Restart {
                number: 3,
                delay: ms(400)
            }
            .to_string(),
            "restart 3 in 400ms"
        );
    }
}
