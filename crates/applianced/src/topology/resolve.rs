//! From [`RawTopology`] to [`Topology`]: every check, every problem
//! collected with its place in the file.

use std::collections::HashMap;
use std::fs;
use std::ops::Range;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use nix::unistd::{AccessFlags, access};
use toml::Spanned;

use super::placeholder::{self, Segment, TemplateError};
use super::raw::{self, DurationText, RawBackoff, RawIntensity, RawProcess, RawTopology, Scalar};
use super::{
    Backoff, ChildFd, Diagnostic, End, FIRST_PIPE_FD, Intensity, IntensityAction, Issue, Pipe,
    Process, RestartPolicy, Rlimit, RlimitResource, RlimitValue, Signal, Topology, TopologyError,
};
use crate::signal::{signal_name, signal_number};

/// Checks and resolves `text`, read from `path`.
pub(super) fn resolve(text: &str, path: &Path) -> Result<Topology, TopologyError> {
    let mut cx = Checker {
        text,
        path,
        dir: base_dir(path),
        diagnostics: Vec::new(),
    };
    let raw: RawTopology = match raw::parse(text) {
        Ok(raw) => raw,
        Err(e) => {
            cx.report(e.span, Issue::Toml { message: e.message });
            return Err(TopologyError::Invalid(cx.diagnostics));
        }
    };
    let topology = cx.topology(raw);
    if cx.diagnostics.is_empty() {
        Ok(topology)
    } else {
        // Sorting is stable: problems at one place keep the order found.
        cx.diagnostics.sort_by_key(|d| (d.line, d.column));
        Err(TopologyError::Invalid(cx.diagnostics))
    }
}

/// The absolute directory of the topology file, where relative paths
/// start.
fn base_dir(path: &Path) -> PathBuf {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    fs::canonicalize(dir)
        .or_else(|_| std::path::absolute(dir))
        .unwrap_or_else(|_| dir.to_owned())
}

/// Whether `name` is 1-32 of `a-z 0-9 _ -`.
fn is_valid_name(name: &str) -> bool {
    (1..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// Sorts map entries into file order by their keys' spans.
fn in_file_order<K, V>(map: impl IntoIterator<Item = (Spanned<K>, V)>) -> Vec<(Spanned<K>, V)> {
    let mut entries: Vec<_> = map.into_iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    entries
}

/// The signals that pause a process rather than end it.
const PAUSING_SIGNALS: [&str; 4] = ["SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU"];

/// The state of one check: the text for locations, the problems so far.
struct Checker<'a> {
    text: &'a str,
    path: &'a Path,
    dir: PathBuf,
    diagnostics: Vec<Diagnostic>,
}

impl Checker<'_> {
    /// Records `issue` at byte offset `span.start`.
    fn report(&mut self, span: Range<usize>, issue: Issue) {
        let (line, column) = self.line_column(span.start);
        self.diagnostics.push(Diagnostic {
            path: self.path.to_owned(),
            line,
            column,
            issue,
        });
    }

    /// The 1-based line and column (in characters) of byte `offset`.
    fn line_column(&self, offset: usize) -> (usize, usize) {
        let before = self.text.get(..offset).unwrap_or(self.text);
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line = before.matches('\n').count() + 1;
        (line, before[line_start..].chars().count() + 1)
    }

    /// The byte offset in the file of byte `at` of string value `value`,
    /// when the string is written without escapes; else the string's
    /// start.
    fn offset_in_string(&self, value: &Spanned<String>, at: usize) -> usize {
        let span = value.span();
        let written = self.text.get(span.clone()).unwrap_or("");
        let inner = written
            .strip_prefix('"')
            .and_then(|w| w.strip_suffix('"'))
            .or_else(|| {
                written
                    .strip_prefix('\'')
                    .and_then(|w| w.strip_suffix('\''))
            });
        if inner == Some(value.get_ref().as_str()) {
            span.start + 1 + at
        } else {
            span.start
        }
    }

    fn topology(&mut self, raw: RawTopology) -> Topology {
        let mut pipes = Vec::new();
        let mut pipe_spans = Vec::new();
        for (name, pipe) in in_file_order(raw.pipes) {
            if !is_valid_name(name.get_ref()) {
                self.report(
                    name.span(),
                    Issue::BadName {
                        what: "pipe",
                        name: name.get_ref().clone(),
                    },
                );
            }
            let capacity = pipe.get_ref().capacity.as_ref().and_then(|c| {
                let value = c.get_ref().0;
                let ok = (4096..=1_048_576).contains(&value)
                    && u64::try_from(value).is_ok_and(u64::is_power_of_two);
                if !ok {
                    self.report(c.span(), Issue::BadCapacity { value });
                }
                u32::try_from(value).ok().filter(|_| ok)
            });
            pipe_spans.push(name.span());
            pipes.push(Pipe {
                name: name.into_inner(),
                capacity,
                readers: Vec::new(),
                writers: Vec::new(),
                supervisor_writes: false,
            });
        }

        let mut processes = Vec::new();
        let mut first_lines: HashMap<String, usize> = HashMap::new();
        for raw_process in &raw.process {
            let header = raw_process.span();
            let process = self.process(raw_process.get_ref(), header, &pipes, &mut first_lines);
            processes.push(process);
        }
        if processes.is_empty() {
            self.report(0..0, Issue::NoProcesses);
        }

        for (index, process) in processes.iter().enumerate() {
            for child_fd in &process.fds {
                let pipe = &mut pipes[child_fd.pipe];
                match child_fd.end {
                    End::Read => pipe.readers.push(index),
                    End::Write => pipe.writers.push(index),
                }
            }
        }

        let mut state_pipe = None;
        if let Some(name) = raw.supervisor.and_then(|s| s.state_pipe) {
            match pipes.iter().position(|p| p.name == *name.get_ref()) {
                Some(index) => {
                    pipes[index].supervisor_writes = true;
                    state_pipe = Some(index);
                }
                None => self.report(
                    name.span(),
                    Issue::UnknownStatePipe {
                        name: name.get_ref().clone(),
                        known: pipes.iter().map(|p| p.name.clone()).collect(),
                    },
                ),
            }
        }

        // Without processes every pipe would be unused: one problem is enough.
        if !processes.is_empty() {
            for (pipe, span) in pipes.iter().zip(pipe_spans) {
                if pipe.readers.is_empty() {
                    let issue = Issue::NoReader {
                        pipe: pipe.name.clone(),
                    };
                    self.report(span.clone(), issue);
                }
                if pipe.writers.is_empty() && !pipe.supervisor_writes {
                    let issue = Issue::NoWriter {
                        pipe: pipe.name.clone(),
                    };
                    self.report(span, issue);
                }
            }
        }

        Topology {
            path: self.path.to_owned(),
            pipes,
            processes,
            state_pipe,
        }
    }

    /// Checks one `[[process]]`. With problems, the parts at fault are
    /// left at defaults (the caller discards the result then).
    fn process(
        &mut self,
        raw: &RawProcess,
        header: Range<usize>,
        pipes: &[Pipe],
        first_lines: &mut HashMap<String, usize>,
    ) -> Process {
        let name = match &raw.name {
            None => {
                self.report(header.clone(), Issue::MissingName);
                String::new()
            }
            Some(name) => {
                let (line, _) = self.line_column(name.span().start);
                if !is_valid_name(name.get_ref()) {
                    let issue = Issue::BadName {
                        what: "process",
                        name: name.get_ref().clone(),
                    };
                    self.report(name.span(), issue);
                } else if let Some(&first_line) = first_lines.get(name.get_ref()) {
                    let issue = Issue::DuplicateProcess {
                        name: name.get_ref().clone(),
                        first_line,
                    };
                    self.report(name.span(), issue);
                } else {
                    first_lines.insert(name.get_ref().clone(), line);
                }
                name.get_ref().clone()
            }
        };

        let exec = match &raw.exec {
            None => {
                self.report(header, Issue::MissingExec);
                PathBuf::new()
            }
            Some(exec) => self.exec(exec).unwrap_or_default(),
        };

        let mut fds = Vec::new();
        let args = raw
            .args
            .iter()
            .map(|arg| self.arg(arg, pipes, &mut fds))
            .collect();

        let mut env = Vec::new();
        for (key, value) in in_file_order(raw.env.iter().map(|(k, v)| (k.clone(), v))) {
            let key_text = key.get_ref();
            if key_text.contains('\0') || value.get_ref().contains('\0') {
                let span = if key_text.contains('\0') {
                    key.span()
                } else {
                    value.span()
                };
                let issue = Issue::Nul {
                    what: "environment variable",
                };
                self.report(span, issue);
            } else if key_text.is_empty() || key_text.contains('=') {
                let issue = Issue::BadEnvName {
                    name: key_text.clone(),
                };
                self.report(key.span(), issue);
            }
            env.push((key.into_inner(), value.get_ref().clone()));
        }

        let cwd = match &raw.cwd {
            None => PathBuf::from("/"),
            Some(cwd) => self.cwd(cwd).unwrap_or_default(),
        };

        let restart = match &raw.restart {
            None => RestartPolicy::default(),
            Some(value) => match value.get_ref().as_str() {
                "always" => RestartPolicy::Always,
                "on-failure" => RestartPolicy::OnFailure,
                "never" => RestartPolicy::Never,
                other => {
                    let issue = Issue::BadRestart {
                        value: other.to_owned(),
                    };
                    self.report(value.span(), issue);
                    RestartPolicy::default()
                }
            },
        };

        let stop_signal = match &raw.stop_signal {
            None => Signal::default(),
            Some(name) => self.signal(name).unwrap_or_default(),
        };

        let stop_timeout = self.duration(
            "stop_timeout",
            raw.stop_timeout.as_ref(),
            Duration::from_secs(5),
        );
        let backoff = self.backoff(raw.backoff.as_ref());
        let intensity = self.intensity(raw.intensity.as_ref());

        let mut rlimits = Vec::new();
        for (key, value) in in_file_order(raw.rlimits.iter().map(|(k, v)| (k.clone(), v))) {
            let Some(resource) = RlimitResource::from_name(key.get_ref()) else {
                let issue = Issue::UnknownRlimit {
                    name: key.get_ref().clone(),
                };
                self.report(key.span(), issue);
                continue;
            };
            let limit = match value.get_ref() {
                Scalar::Integer(n) => u64::try_from(*n).ok().map(RlimitValue::Limit),
                Scalar::String(s) if s == "unlimited" => Some(RlimitValue::Unlimited),
                _ => None,
            };
            match limit {
                Some(value) => rlimits.push(Rlimit { resource, value }),
                None => {
                    let issue = Issue::BadRlimitValue {
                        name: key.get_ref().clone(),
                        value: scalar_text(value.get_ref()),
                    };
                    self.report(value.span(), issue);
                }
            }
        }

        Process {
            name,
            exec,
            args,
            fds,
            env,
            cwd,
            restart,
            stop_signal,
            stop_timeout,
            backoff,
            intensity,
            rlimits,
        }
    }

    /// Resolves and checks `exec`.
    fn exec(&mut self, exec: &Spanned<String>) -> Option<PathBuf> {
        let text = exec.get_ref();
        let issue = if text.contains('\0') {
            Issue::Nul { what: "exec" }
        } else if !text.contains('/') {
            Issue::BareExec { exec: text.clone() }
        } else {
            let path = resolve_file_path(&self.dir.join(text));
            match fs::metadata(&path) {
                Err(source) => Issue::ExecNotFound { path, source },
                Ok(m) if !m.is_file() || text.ends_with('/') => Issue::ExecNotFile { path },
                Ok(m) if m.permissions().mode() & 0o111 == 0 => Issue::ExecNotExecutable {
                    path,
                    mode: m.permissions().mode() & 0o7777,
                },
                Ok(_) => match access(&path, AccessFlags::X_OK) {
                    Err(source) => Issue::ExecNoAccess { path, source },
                    Ok(()) => return Some(path),
                },
            }
        };
        self.report(exec.span(), issue);
        None
    }

    /// Resolves and checks `cwd`.
    fn cwd(&mut self, cwd: &Spanned<String>) -> Option<PathBuf> {
        if cwd.get_ref().contains('\0') {
            self.report(cwd.span(), Issue::Nul { what: "cwd" });
            return None;
        }
        let path = self.dir.join(cwd.get_ref());
        let issue = match fs::metadata(&path) {
            Err(source) => Issue::CwdNotFound { path, source },
            Ok(m) if !m.is_dir() => Issue::CwdNotDirectory { path },
            Ok(_) => return Some(fs::canonicalize(&path).unwrap_or(path)),
        };
        self.report(cwd.span(), issue);
        None
    }

    /// Substitutes the placeholders of one argument, giving each new pipe
    /// end the next fd.
    fn arg(&mut self, arg: &Spanned<String>, pipes: &[Pipe], fds: &mut Vec<ChildFd>) -> String {
        if arg.get_ref().contains('\0') {
            self.report(arg.span(), Issue::Nul { what: "argument" });
            return String::new();
        }
        let segments = match placeholder::parse(arg.get_ref()) {
            Ok(segments) => segments,
            Err(e) => {
                let (at, issue) = match e {
                    TemplateError::Unclosed { at } => (at, Issue::UnclosedBrace),
                    TemplateError::Unopened { at } => (at, Issue::UnopenedBrace),
                    TemplateError::NotAPlaceholder { at, text } => {
                        (at, Issue::NotAPlaceholder { text })
                    }
                    TemplateError::BadEnd { at, text } => (at, Issue::BadEnd { text }),
                };
                let offset = self.offset_in_string(arg, at);
                self.report(offset..offset, issue);
                return String::new();
            }
        };
        let mut out = String::new();
        for segment in segments {
            match segment {
                Segment::Text(text) => out.push_str(text),
                Segment::Pipe { name, end, at } => {
                    let Some(pipe) = pipes.iter().position(|p| p.name == name) else {
                        let offset = self.offset_in_string(arg, at);
                        let issue = Issue::UnknownPipe {
                            name: name.to_owned(),
                            known: pipes.iter().map(|p| p.name.clone()).collect(),
                        };
                        self.report(offset..offset, issue);
                        continue;
                    };
                    let fd = match fds.iter().find(|f| f.pipe == pipe && f.end == end) {
                        Some(f) => f.fd,
                        None => {
                            #[allow(
                                clippy::cast_possible_truncation,
                                clippy::cast_possible_wrap,
                                reason = "at most one fd per end of a pipe the file declares: far below 2^31"
                            )]
                            let fd = FIRST_PIPE_FD + fds.len() as i32;
                            fds.push(ChildFd { fd, pipe, end });
                            fd
                        }
                    };
                    out.push_str(&fd.to_string());
                }
            }
        }
        out
    }

    /// Reads a stop signal name.
    fn signal(&mut self, name: &Spanned<String>) -> Option<Signal> {
        let text = name.get_ref();
        let issue = match signal_number(text) {
            Some(_) if PAUSING_SIGNALS.contains(&text.as_str()) => {
                Issue::PausingSignal { name: text.clone() }
            }
            Some(number) => {
                let name = signal_name(number)?;
                return Some(Signal { number, name });
            }
            None => {
                let upper = text.to_ascii_uppercase();
                let suggestion = [upper.clone(), format!("SIG{upper}")]
                    .iter()
                    .find_map(|candidate| signal_number(candidate).and_then(signal_name));
                Issue::UnknownSignal {
                    name: text.clone(),
                    suggestion,
                }
            }
        };
        self.report(name.span(), issue);
        None
    }

    /// Reads an optional duration, `default` if absent or bad.
    fn duration(
        &mut self,
        key: &'static str,
        value: Option<&Spanned<DurationText>>,
        default: Duration,
    ) -> Duration {
        let Some(value) = value else {
            return default;
        };
        match duration::parse(&value.get_ref().0) {
            Ok(d) => d,
            Err(why) => {
                let issue = Issue::BadDuration {
                    key,
                    text: value.get_ref().0.clone(),
                    why,
                };
                self.report(value.span(), issue);
                default
            }
        }
    }

    fn backoff(&mut self, raw: Option<&RawBackoff>) -> Backoff {
        let defaults = Backoff::default();
        let Some(raw) = raw else {
            return defaults;
        };
        let initial = self.duration("initial", raw.initial.as_ref(), defaults.initial);
        let step = self.duration("step", raw.step.as_ref(), defaults.step);
        let max = self.duration("max", raw.max.as_ref(), defaults.max);
        let reset_after = self.duration(
            "reset_after",
            raw.reset_after.as_ref(),
            defaults.reset_after,
        );
        let mut factor = defaults.factor;
        if let Some(f) = &raw.factor {
            factor = f.get_ref().0;
            // NaN fails too.
            if factor.partial_cmp(&1.0).is_none_or(|o| o.is_lt()) {
                self.report(f.span(), Issue::BadFactor { value: factor });
            }
        }
        if max < initial {
            let span = raw
                .max
                .as_ref()
                .or(raw.initial.as_ref())
                .map_or(0..0, Spanned::span);
            self.report(span, Issue::BackoffMaxBelowInitial { initial, max });
        }
        Backoff {
            initial,
            step,
            factor,
            max,
            reset_after,
        }
    }

    fn intensity(&mut self, raw: Option<&RawIntensity>) -> Intensity {
        let defaults = Intensity::default();
        let Some(raw) = raw else {
            return defaults;
        };
        let mut restarts = defaults.restarts;
        if let Some(value) = &raw.restarts {
            match u32::try_from(value.get_ref().0) {
                Ok(n) => restarts = n,
                Err(_) => self.report(
                    value.span(),
                    Issue::OutOfRange {
                        key: "restarts",
                        value: value.get_ref().0,
                        range: "0 to 4294967295",
                    },
                ),
            }
        }
        let within = self.duration("within", raw.within.as_ref(), defaults.within);
        if within.is_zero() {
            let span = raw.within.as_ref().map_or(0..0, Spanned::span);
            self.report(span, Issue::WithinZero);
        }
        let hold_default = Duration::from_secs(60);
        let action = match raw.action.as_ref().map(|a| (a, a.get_ref().as_str())) {
            None | Some((_, "hold")) => {
                IntensityAction::Hold(self.duration("hold", raw.hold.as_ref(), hold_default))
            }
            Some((_, "shutdown")) => {
                if let Some(hold) = &raw.hold {
                    self.report(hold.span(), Issue::HoldNotApplicable);
                }
                IntensityAction::Shutdown
            }
            Some((value, other)) => {
                let issue = Issue::BadAction {
                    value: other.to_owned(),
                };
                self.report(value.span(), issue);
                defaults.action
            }
        };
        Intensity {
            restarts,
            within,
            action,
        }
    }
}

/// `path` made absolute with its directories resolved (symlinks, `..`),
/// its last component kept as written: exec'ing a symlink to a multi-call
/// binary must keep the link's name.
fn resolve_file_path(path: &Path) -> PathBuf {
    match (path.parent(), path.file_name()) {
        (Some(dir), Some(name)) => match fs::canonicalize(dir) {
            Ok(dir) => dir.join(name),
            Err(_) => path.to_owned(),
        },
        _ => path.to_owned(),
    }
}

/// A value written back for a message.
fn scalar_text(value: &Scalar) -> String {
    match value {
        Scalar::String(s) => format!("{s:?}"),
        Scalar::Integer(n) => n.to_string(),
        Scalar::Other(text) => text.clone(),
    }
}
