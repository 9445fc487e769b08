//! The topology for a person: what `applianced --check` prints.

use std::fmt::{self, Display, Formatter};

use duration::format as dur;

use super::{IntensityAction, Process, RestartPolicy, RlimitValue, Topology};

impl Display for Topology {
    /// One line per pipe (capacity, readers, writers), then per process its
    /// argv with fd numbers, one line per fd, and its settings.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let names = |indexes: &[usize]| -> Vec<&str> {
            indexes
                .iter()
                .map(|&i| self.processes[i].name.as_str())
                .collect()
        };
        let count =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        writeln!(
            f,
            "topology {}: {}, {}",
            self.path.display(),
            count(self.pipes.len(), "pipe", "pipes"),
            count(self.processes.len(), "process", "processes"),
        )?;
        for pipe in &self.pipes {
            let capacity = match pipe.capacity {
                Some(bytes) => format!("capacity {bytes}"),
                None => "capacity default (65536)".to_owned(),
            };
            let mut writers = names(&pipe.writers);
            if pipe.supervisor_writes {
                writers.push("applianced (state_pipe)");
            }
            writeln!(
                f,
                "pipe {}: {capacity}; read by {}; written by {}",
                pipe.name,
                names(&pipe.readers).join(", "),
                writers.join(", ")
            )?;
        }
        for process in &self.processes {
            self.fmt_process(process, f)?;
        }
        Ok(())
    }
}

impl Topology {
    fn fmt_process(&self, p: &Process, f: &mut Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "process {}: {}",
            p.name,
            Quoted(&p.exec.to_string_lossy())
        )?;
        for arg in &p.args {
            write!(f, " {}", Quoted(arg))?;
        }
        writeln!(f)?;
        for child_fd in &p.fds {
            writeln!(
                f,
                "  fd {:<2} {} end of pipe {}",
                child_fd.fd,
                child_fd.end.as_str(),
                self.pipes[child_fd.pipe].name
            )?;
        }
        write!(f, "  restart {}", p.restart.as_str())?;
        if p.restart != RestartPolicy::Never {
            let b = &p.backoff;
            let i = &p.intensity;
            let action = match i.action {
                IntensityAction::Hold(d) => format!("hold {}", dur(d)),
                IntensityAction::Shutdown => "shut down".to_owned(),
            };
            write!(
                f,
                " (backoff {} then {} x{} up to {}, reset after {}; at most {} restarts in {}, then {action})",
                dur(b.initial),
                dur(b.step),
                super::factor_text(b.factor),
                dur(b.max),
                dur(b.reset_after),
                i.restarts,
                dur(i.within),
            )?;
        }
        writeln!(f, "; stop {}, {}", p.stop_signal.name, dur(p.stop_timeout))?;
        writeln!(f, "  cwd {}", Quoted(&p.cwd.to_string_lossy()))?;
        if p.env.is_empty() {
            writeln!(f, "  env empty (nothing is inherited)")?;
        } else {
            write!(f, "  env")?;
            for (key, value) in &p.env {
                write!(f, " {}", Quoted(&format!("{key}={value}")))?;
            }
            writeln!(f)?;
        }
        if p.rlimits.is_empty() {
            writeln!(f, "  rlimits as applianced's")?;
        } else {
            write!(f, "  rlimits")?;
            for r in &p.rlimits {
                match r.value {
                    RlimitValue::Limit(n) => write!(f, " {}={n}", r.resource.name())?,
                    RlimitValue::Unlimited => write!(f, " {}=unlimited", r.resource.name())?,
                }
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

/// A word as a shell would need it: as it is when that is unambiguous,
/// else in single quotes.
struct Quoted<'a>(&'a str);

impl Display for Quoted<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let plain = |c: char| c.is_ascii_alphanumeric() || "_-+=:,./@%".contains(c);
        if !self.0.is_empty() && self.0.chars().all(plain) {
            f.write_str(self.0)
        } else {
            write!(f, "'{}'", self.0.replace('\'', r"'\''"))
        }
    }
}
