//! `wire-dump`: decodes a capture of wire frames (files or stdin) into one
//! readable line per frame, with units, and says where and why anything was
//! dropped. Ends with the decoder's counters.
//!
//! ```text
//! wire-dump [--quiet] [FILE...]     # no FILE, or `-`: standard input
//! ```
//!
//! Exit codes (`cli::exit`): 0 when every input was read (or stdout was
//! closed: `| head`), 64 for a bad argument, 66 when a FILE cannot be
//! opened, 74 when reading or writing fails.
//!
//! A capture can come from a pipe (`cat /proc/PID/fd/N > capture` while
//! the reader is stopped) or from a file a process logged to.

use std::ffi::{OsStr, OsString};
use std::fmt::Write as _;
use std::io::{self, Read, Write};
use std::ops::ControlFlow;
use std::path::Path;
use std::process::ExitCode;

use cli::exit::{EX_IOERR, EX_NOINPUT};
use cli::{Args, Flag, Spec, UsageError};
use wire::{
    CommandOp, Counters, Event, ExitStatus, FrameDecoder, Message, ProcessState, signal_name,
};

const USAGE: &str = "usage: wire-dump [--quiet] [FILE...]
Decodes wire frames from each FILE (or standard input, also for `-`) into
readable lines, with offsets, units and the reason for every dropped
frame, then counters.
  -q, --quiet   print only the counters
  -h, --help    print this
  --version     print the name and version
exit codes: 0 when every input was read; 64 for a bad argument, 66 when a
FILE cannot be opened, 74 when reading or writing fails.
";

static SPEC: Spec = Spec::new(
    "wire-dump",
    env!("CARGO_PKG_VERSION"),
    USAGE,
    &[Flag::switch("--quiet").short(b'q')],
)
.operands(usize::MAX);

/// What to dump, and how.
struct Options {
    quiet: bool,
    /// The inputs; `-` is standard input.
    files: Vec<OsString>,
}

impl Options {
    fn from_args(args: &Args) -> Result<Options, UsageError> {
        let mut files: Vec<OsString> = args.operands().map(OsStr::to_owned).collect();
        if files.is_empty() {
            files.push("-".into());
        }
        Ok(Options {
            quiet: args.switch("--quiet"),
            files,
        })
    }
}

fn main() -> ExitCode {
    match SPEC.parse_or_answer(std::env::args_os().skip(1), Options::from_args) {
        ControlFlow::Continue(options) => ExitCode::from(dump_all(&options)),
        ControlFlow::Break(code) => ExitCode::from(code),
    }
}

/// Dumps every input in turn; the exit code.
fn dump_all(options: &Options) -> u8 {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    for file in &options.files {
        let name = Path::new(file).display();
        let result = if file == "-" {
            dump(io::stdin().lock(), "stdin", options.quiet, &mut out)
        } else {
            match std::fs::File::open(file) {
                Ok(f) => dump(f, &name.to_string(), options.quiet, &mut out),
                Err(e) => {
                    SPEC.report(&format_args!("cannot open {name}: {e}"));
                    return EX_NOINPUT;
                }
            }
        };
        if let Err(e) = result.and_then(|()| out.flush()) {
            // A closed stdout (`| head`) is an ordinary end, not an error.
            if e.kind() == io::ErrorKind::BrokenPipe {
                return 0;
            }
            SPEC.report(&format_args!("{name}: {e}"));
            return EX_IOERR;
        }
    }
    0
}

fn dump(mut input: impl Read, name: &str, quiet: bool, out: &mut impl Write) -> io::Result<()> {
    let mut decoder = FrameDecoder::new();
    let mut tally = Tally::default();
    let mut lines = String::new();
    let mut buf = vec![0; 64 * 1024];
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        decoder.decode_events(&buf[..n], |e| tally.render(e, quiet, &mut lines));
        out.write_all(lines.as_bytes())?;
        lines.clear();
    }
    if let Some(e) = decoder.finish() {
        tally.render(e, quiet, &mut lines);
    }
    out.write_all(lines.as_bytes())?;
    let mut counters: Counters = *decoder.counters();
    // Frames whose fields turned out malformed were not delivered.
    counters.frames -= tally.malformed;
    counters.malformed += tally.malformed;
    counters.unknown_type += tally.unknown;
    writeln!(out, "-- {name}: {counters}")
}

/// What only typed decoding can tell: the framing decoder counts framing
/// drops, field errors and unknown TYPEs are judged here.
#[derive(Default)]
struct Tally {
    malformed: u64,
    unknown: u64,
}

impl Tally {
    fn render(&mut self, e: Event<'_>, quiet: bool, lines: &mut String) {
        let (at, what) = match e {
            Event::Frame { at, frame } => match Message::decode(frame) {
                Ok(Message::Unknown(f)) => {
                    self.unknown += 1;
                    (at, format!("UNKNOWN  {}", f.content()))
                }
                Ok(m) => (at, format!("{:<8} {}", m.type_name(), describe(&m))),
                Err(err) => {
                    self.malformed += 1;
                    (
                        at,
                        format!("DROP     malformed: {err} | {}", frame.content()),
                    )
                }
            },
            Event::Noise { at, len } => (at, format!("NOISE    {len} bytes")),
            Event::Dropped {
                at,
                reason,
                content,
            } => (at, format!("DROP     {reason} | {}", escape(content))),
        };
        if !quiet {
            let _ = writeln!(lines, "@{at:<9} {what}");
        }
    }
}

/// A frame body for a person: printable bytes as they are, others as `\xNN`.
fn escape(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| std::ascii::escape_default(b).to_string())
        .collect()
}

/// Microseconds as seconds with six decimals.
fn secs(us: u64) -> String {
    format!("{}.{:06}s", us / 1_000_000, us % 1_000_000)
}

/// A scaled integer (`value / 10^decimals`) with its decimals.
fn fixed(value: i64, decimals: u32) -> String {
    let scale = 10i64.pow(decimals);
    let sign = if value < 0 { "-" } else { "" };
    let v = value.unsigned_abs();
    let scale = scale.unsigned_abs();
    format!(
        "{sign}{}.{:0width$}",
        v / scale,
        v % scale,
        width = decimals as usize
    )
}

/// A message with its units spelled out.
fn describe(m: &Message<'_>) -> String {
    let mut s = String::new();
    let _ = match m {
        Message::Hello(h) => write!(
            s,
            "{} version {} protocol {}",
            h.name, h.version, h.protocol
        ),
        Message::Ready(r) => write!(s, "{} is ready", r.name),
        Message::Heartbeat(h) => write!(s, "{} #{} up {}", h.name, h.seq, secs(h.uptime_us)),
        Message::Imu(i) => {
            let [ax, ay, az] = i.accel_mg.map(|v| fixed(v.into(), 3));
            let [gx, gy, gz] = i.gyro_mdps.map(|v| fixed(v.into(), 3));
            write!(
                s,
                "#{} at {}  accel ({ax}, {ay}, {az}) g  gyro ({gx}, {gy}, {gz}) °/s  {} °C",
                i.seq,
                secs(i.t_us),
                fixed(i.temp_cc.into(), 2)
            )
        }
        Message::Light(l) => write!(
            s,
            "#{} at {}  {} lx (raw {})",
            l.seq,
            secs(l.t_us),
            fixed(l.lux_milli.into(), 3),
            l.raw
        ),
        Message::Command(c) => {
            let _ = write!(s, "#{} {}", c.id, c.op.kind());
            match c.op {
                CommandOp::SetRate { hz } => write!(s, " {hz} Hz"),
                CommandOp::SetRange { accel_g, gyro_dps } => {
                    if let Some(g) = accel_g {
                        let _ = write!(s, " accel ±{g} g");
                    }
                    match gyro_dps {
                        Some(d) => write!(s, " gyro ±{d} °/s"),
                        None => Ok(()),
                    }
                }
                CommandOp::SetGain {
                    fullscale_mv,
                    gain_milli,
                    integration_ms,
                } => {
                    if let Some(mv) = fullscale_mv {
                        let _ = write!(s, " full scale {mv} mV");
                    }
                    if let Some(g) = gain_milli {
                        let _ = write!(s, " gain {}", fixed(g.into(), 3));
                    }
                    match integration_ms {
                        Some(ms) => write!(s, " integration {ms} ms"),
                        None => Ok(()),
                    }
                }
                CommandOp::AutoGain => write!(s, " auto"),
                _ => Ok(()),
            }
        }
        Message::Ack(a) => write!(s, "#{} {} done", a.id, a.op),
        Message::Error(e) => {
            if let Some(name) = e.name {
                let _ = write!(s, "{name} ");
            }
            if let Some(id) = e.id {
                let _ = write!(s, "#{id} ");
            }
            write!(s, "{}: {}", e.code, e.text)
        }
        Message::Stats(st) => write!(
            s,
            "{} sent {} dropped {} received {} rejected {} errors {}",
            st.name, st.sent, st.dropped, st.received, st.rejected, st.errors
        ),
        Message::State(p) => write!(s, "{}", describe_state(p)),
        Message::Gesture(g) => write!(s, "{} at {}", g.kind, secs(g.t_us)),
        Message::Log(l) => write!(s, "{} {}: {}", l.name, l.level, l.text),
        Message::Unknown(f) => write!(s, "{}", f.content()),
    };
    s
}

fn describe_state(p: &ProcessState<'_>) -> String {
    let mut s = format!("{} (pid {}) {}", p.name, p.pid, p.state);
    match p.exit {
        Some(ExitStatus::Code(c)) => {
            let _ = write!(s, " with exit code {c}");
        }
        Some(ExitStatus::Signal { number, core }) => {
            let name =
                signal_name(number).map_or_else(|| format!("signal {number}"), str::to_owned);
            let _ = write!(s, " by {name}{}", if core { " (core dumped)" } else { "" });
        }
        None => {}
    }
    if let Some(ran) = p.ran_us {
        let _ = write!(s, " after {}", secs(ran));
    }
    let _ = write!(s, ", {} restarts", p.restarts);
    if let Some(next) = p.next_us {
        let _ = write!(s, ", next in {}", secs(next));
    }
    s
}
