//! Typed messages: every message the appliance sends, with its TYPE, its
//! fields and their units.
//!
//! Units are integers named in each field's doc, so frames stay short and
//! no float formatting sits in the hot path. All times and durations are
//! microseconds (`_us`). Decoding accepts fields in any order and ignores
//! keys it does not know (newer senders may add some); encoding writes them
//! in the order documented here.

use crate::encode::BodyWriter;
use crate::error::{DecodeError, ValueProblem};
use crate::frame::{Cursor, Frame, Take};
use crate::text::{Text, Token};

/// Version of this protocol, sent in [`Hello`].
pub const PROTOCOL_VERSION: u16 = 1;

/// A value that can stand in a field.
pub(crate) trait Value<'a>: Sized {
    fn parse(v: &'a [u8]) -> Result<Self, ValueProblem>;
    fn write(&self, key: &str, w: &mut BodyWriter<'_>);
}

#[inline]
fn parse_u64(b: &[u8]) -> Result<u64, ValueProblem> {
    // Up to 19 digits cannot overflow a u64: no checks in the loop.
    if (1..=19).contains(&b.len()) {
        let mut n: u64 = 0;
        let mut bad = false;
        for &c in b {
            let d = c.wrapping_sub(b'0');
            bad |= d > 9;
            n = n.wrapping_mul(10).wrapping_add(u64::from(d));
        }
        return if bad {
            Err(ValueProblem::NotANumber)
        } else {
            Ok(n)
        };
    }
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return Err(ValueProblem::NotANumber);
    }
    // 20 digits or more: only some 20-digit numbers fit.
    b.iter()
        .try_fold(0u64, |n, &c| {
            n.checked_mul(10)?.checked_add(u64::from(c - b'0'))
        })
        .ok_or(ValueProblem::OutOfRange)
}

#[inline]
fn parse_i64(v: &[u8]) -> Result<i64, ValueProblem> {
    match v.strip_prefix(b"-") {
        Some(digits) => {
            let m = parse_u64(digits)?;
            0i64.checked_sub_unsigned(m).ok_or(ValueProblem::OutOfRange)
        }
        None => i64::try_from(parse_u64(v)?).map_err(|_| ValueProblem::OutOfRange),
    }
}

macro_rules! unsigned_values {
    ($($t:ty),*) => {$(
        impl<'a> Value<'a> for $t {
            #[inline]
            fn parse(v: &'a [u8]) -> Result<Self, ValueProblem> {
                <$t>::try_from(parse_u64(v)?).map_err(|_| ValueProblem::OutOfRange)
            }
            #[inline(always)]
            fn write(&self, key: &str, w: &mut BodyWriter<'_>) {
                w.u64(key, u64::from(*self));
            }
        }
    )*};
}
unsigned_values!(u8, u16, u32, u64);

impl<'a> Value<'a> for i32 {
    #[inline]
    fn parse(v: &'a [u8]) -> Result<Self, ValueProblem> {
        i32::try_from(parse_i64(v)?).map_err(|_| ValueProblem::OutOfRange)
    }
    #[inline(always)]
    fn write(&self, key: &str, w: &mut BodyWriter<'_>) {
        w.i64(key, i64::from(*self));
    }
}

impl<'a> Value<'a> for bool {
    fn parse(v: &'a [u8]) -> Result<Self, ValueProblem> {
        match v {
            b"1" => Ok(true),
            b"0" => Ok(false),
            _ => Err(ValueProblem::UnknownName),
        }
    }
    fn write(&self, key: &str, w: &mut BodyWriter<'_>) {
        w.u64(key, u64::from(*self));
    }
}

impl<'a> Value<'a> for Token<'a> {
    fn parse(v: &'a [u8]) -> Result<Self, ValueProblem> {
        Ok(Token::from_value(crate::frame::ascii(v)))
    }
    fn write(&self, key: &str, w: &mut BodyWriter<'_>) {
        w.token(key, *self);
    }
}

impl<'a> Value<'a> for Text<'a> {
    fn parse(v: &'a [u8]) -> Result<Self, ValueProblem> {
        Text::from_wire(v)
    }
    fn write(&self, key: &str, w: &mut BodyWriter<'_>) {
        w.text(key, self);
    }
}

impl<'a, T: Value<'a>> Value<'a> for Option<T> {
    fn parse(v: &'a [u8]) -> Result<Self, ValueProblem> {
        T::parse(v).map(Some)
    }
    fn write(&self, key: &str, w: &mut BodyWriter<'_>) {
        if let Some(v) = self {
            v.write(key, w);
        }
    }
}

/// One known field while a frame is decoded.
struct Slot<T> {
    key: &'static str,
    value: Option<T>,
}

impl<'a, T: Value<'a>> Slot<T> {
    const fn new(key: &'static str) -> Self {
        Slot { key, value: None }
    }

    #[inline(always)]
    fn set(&mut self, value: &'a [u8]) -> Result<(), DecodeError> {
        if self.value.is_some() {
            return Err(DecodeError::DuplicateField(self.key));
        }
        let v = T::parse(value).map_err(|problem| DecodeError::InvalidValue {
            key: self.key,
            problem,
        })?;
        self.value = Some(v);
        Ok(())
    }

    fn req(self) -> Result<T, DecodeError> {
        self.value.ok_or(DecodeError::MissingField(self.key))
    }

    fn opt(self) -> Option<T> {
        self.value
    }

    fn invalid(&self, problem: ValueProblem) -> DecodeError {
        DecodeError::InvalidValue {
            key: self.key,
            problem,
        }
    }
}

/// Declares an enum whose variants travel as fixed lower-case names.
macro_rules! wire_names {
    ($(#[$m:meta])* pub enum $name:ident { $($(#[$vm:meta])* $variant:ident = $wire:literal,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vm])* $variant,)* }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant,)*];

            /// The name on the wire.
            pub const fn wire_name(self) -> &'static str {
                match self { $(Self::$variant => $wire,)* }
            }

            /// The variant with this wire name.
            pub fn from_wire_name(s: &str) -> Option<Self> {
                match s { $($wire => Some(Self::$variant),)* _ => None }
            }
        }

        impl<'a> Value<'a> for $name {
            fn parse(v: &'a [u8]) -> Result<Self, ValueProblem> {
                Self::from_wire_name(crate::frame::ascii(v)).ok_or(ValueProblem::UnknownName)
            }
            fn write(&self, key: &str, w: &mut BodyWriter<'_>) {
                w.name(key, self.wire_name());
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.wire_name())
            }
        }
    };
}

/// A message body: how it reads from fields and writes to them (its TYPE
/// is given once, in `messages!`).
trait Body<'a>: Sized {
    fn decode(frame: &Frame<'a>) -> Result<Self, DecodeError>;
    fn encode(&self, w: &mut BodyWriter<'_>);
}

/// Decodes a body into one slot per known key, then builds the value from
/// the slots. Slots are listed in the order encoders write them: a frame
/// with exactly those keys in that order takes the fast path ([`Cursor`]);
/// any other frame (other order, unknown keys, an error) is read field by
/// field, which accepts any order, ignores unknown keys and gives the exact
/// error. Both paths accept the same frames with the same result.
macro_rules! decode_fields {
    ($frame:expr, { $($slot:ident : $key:literal),* $(,)? }, $build:expr) => {{
        let frame: &Frame<'a> = $frame;
        $(let mut $slot = Slot::new($key);)*
        let mut cursor = Cursor::new(frame);
        let mut fast = true;
        $(
            if fast {
                match cursor.take($key) {
                    Take::Absent => {}
                    Take::Value(v) => fast = $slot.set(v).is_ok(),
                    Take::Invalid => fast = false,
                }
            }
        )*
        if !(fast && cursor.at_end()) {
            $($slot = Slot::new($key);)*
            for f in frame.fields() {
                let f = f?;
                match f.key_bytes() {
                    $(k if k == $key.as_bytes() => $slot.set(f.value_bytes())?,)*
                    _ => {}
                }
            }
        }
        $build
    }};
}

/// `HELLO`: who a process is. Sent when a process starts and in answer to
/// the `hello` command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hello<'a> {
    /// `name`: the process name, e.g. `motion`.
    pub name: Token<'a>,
    /// `ver`: the program version, e.g. `0.1.0`.
    pub version: Token<'a>,
    /// `proto`: the protocol version it speaks ([`PROTOCOL_VERSION`]).
    pub protocol: u16,
}

impl<'a> Body<'a> for Hello<'a> {
    fn decode(frame: &Frame<'a>) -> Result<Self, DecodeError> {
        decode_fields!(frame, { name: "name", ver: "ver", proto: "proto" }, {
            Ok(Hello { name: name.req()?, version: ver.req()?, protocol: proto.req()? })
        })
    }
    fn encode(&self, w: &mut BodyWriter<'_>) {
        self.name.write("name", w);
        self.version.write("ver", w);
        self.protocol.write("proto", w);
    }
}

/// `READY`: the process has its devices and pipes and is serving.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ready<'a> {
    /// `name`: the process name.
    pub name: Token<'a>,
}

impl<'a> Body<'a> for Ready<'a> {
    fn decode(frame: &Frame<'a>) -> Result<Self, DecodeError> {
        decode_fields!(frame, { name: "name" }, Ok(Ready { name: name.req()? }))
    }
    fn encode(&self, w: &mut BodyWriter<'_>) {
        self.name.write("name", w);
    }
}

/// `HB`: the process is alive, sent at a configured interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Heartbeat<'a> {
    /// `name`: the process name.
    pub name: Token<'a>,
    /// `seq`: counts heartbeats from 0; a gap means frames were lost.
    pub seq: u32,
    /// `up`: time since the process started, microseconds.
    pub uptime_us: u64,
}

impl<'a> Body<'a> for Heartbeat<'a> {
    fn decode(frame: &Frame<'a>) -> Result<Self, DecodeError> {
        decode_fields!(frame, { name: "name", seq: "seq", up: "up" }, {
            Ok(Heartbeat { name: name.req()?, seq: seq.req()?, uptime_us: up.req()? })
        })
    }
    fn encode(&self, w: &mut BodyWriter<'_>) {
        self.name.write("name", w);
        self.seq.write("seq", w);
        self.uptime_us.write("up", w);
    }
}

/// `IMU`: one accelerometer + gyroscope + temperature sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImuSample {
    /// `seq`: sample number, +1 per sample; a gap means samples were lost.
    pub seq: u32,
    /// `t`: sample time on the sender's monotonic clock, microseconds.
    pub t_us: u64,
    /// `ax` `ay` `az`: acceleration, milli-g.
    pub accel_mg: [i32; 3],
    /// `gx` `gy` `gz`: angular rate, milli-degrees per second.
    pub gyro_mdps: [i32; 3],
    /// `tc`: die temperature, centi-degrees Celsius.
    pub temp_cc: i32,
}

impl<'a> Body<'a> for ImuSample {
    fn decode(frame: &Frame<'a>) -> Result<Self, DecodeError> {
        decode_fields!(frame, {
            seq: "seq", t: "t", ax: "ax", ay: "ay", az: "az",
            gx: "gx", gy: "gy", gz: "gz", tc: "tc",
        }, {
            Ok(ImuSample {
                seq: seq.req()?,
                t_us: t.req()?,
                accel_mg: [ax.req()?, ay.req()?, az.req()?],
                gyro_mdps: [gx.req()?, gy.req()?, gz.req()?],
                temp_cc: tc.req()?,
            })
        })
    }
    fn encode(&self, w: &mut BodyWriter<'_>) {
        self.seq.write("seq", w);
        self.t_us.write("t", w);
        // Written out, not looped, so each key is a literal where inlined.
        let ([ax, ay, az], [gx, gy, gz]) = (self.accel_mg, self.gyro_mdps);
        ax.write("ax", w);
        ay.write("ay", w);
        az.write("az", w);
        gx.write("gx", w);
        gy.write("gy", w);
        gz.write("gz", w);
        self.temp_cc.write("tc", w);
    }
}

/// `LIGHT`: one ambient light sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LightSample {
    /// `seq`: sample number, +1 per sample.
    pub seq: u32,
    /// `t`: sample time on the sender's monotonic clock, microseconds.
    pub t_us: u64,
    /// `lux`: illuminance, milli-lux.
    pub lux_milli: u32,
    /// `raw`: the sensor's raw reading (ADC counts or ALS counts).
    pub raw: u32,
}

impl<'a> Body<'a> for LightSample {
    fn decode(frame: &Frame<'a>) -> Result<Self, DecodeError> {
        decode_fields!(frame, { seq: "seq", t: "t", lux: "lux", raw: "raw" }, {
            Ok(LightSample { seq: seq.req()?, t_us: t.req()?, lux_milli: lux.req()?, raw: raw.req()? })
        })
    }
    fn encode(&self, w: &mut BodyWriter<'_>) {
        self.seq.write("seq", w);
        self.t_us.write("t", w);
        self.lux_milli.write("lux", w);
        self.raw.write("raw", w);
    }
}

wire_names! {
    /// Which command an [`Ack`] answers (the `op` of a [`Command`]).
    pub enum OpKind {
        /// `hello`
        Hello = "hello",
        /// `stats`
        Stats = "stats",
        /// `rate`
        Rate = "rate",
        /// `range`
        Range = "range",
        /// `gain`
        Gain = "gain",
        /// `cal`
        Calibrate = "cal",
        /// `selftest`
        SelfTest = "selftest",
    }
}

/// What a [`Command`] asks a sensor to do (`op` and its arguments).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandOp {
    /// `op=hello`: answer with [`Hello`].
    Hello,
    /// `op=stats`: answer with [`Stats`].
    Stats,
    /// `op=rate hz=N`: sample at N hertz (N >= 1).
    SetRate {
        /// `hz`: samples per second.
        hz: u32,
    },
    /// `op=range [accel=G] [gyro=DPS]`: IMU full-scale ranges, at least one.
    SetRange {
        /// `accel`: accelerometer full scale, ±g (2, 4, 8, 16 on an MPU-6050).
        accel_g: Option<u16>,
        /// `gyro`: gyroscope full scale, ±degrees per second.
        gyro_dps: Option<u16>,
    },
    /// `op=gain [fs=MV] [gain=MILLI] [it=MS]`: a fixed light sensor gain,
    /// at least one.
    SetGain {
        /// `fs`: ADC full-scale range, millivolts (ADS1115 PGA).
        fullscale_mv: Option<u16>,
        /// `gain`: sensor gain, thousandths (VEML7700: 125 = 1/8).
        gain_milli: Option<u32>,
        /// `it`: integration time, milliseconds.
        integration_ms: Option<u16>,
    },
    /// `op=gain gain=auto`: the light sensor chooses its gain and
    /// integration time itself again (VEML7700 auto-ranging, as at start),
    /// after a fixed [`CommandOp::SetGain`]. It takes no `fs` or `it`.
    AutoGain,
    /// `op=cal`: calibrate at rest (IMU gyro bias).
    Calibrate,
    /// `op=selftest`: run the device self-test, answer with ack or error.
    SelfTest,
}

impl CommandOp {
    /// The `op` name.
    pub const fn kind(&self) -> OpKind {
        match self {
            CommandOp::Hello => OpKind::Hello,
            CommandOp::Stats => OpKind::Stats,
            CommandOp::SetRate { .. } => OpKind::Rate,
            CommandOp::SetRange { .. } => OpKind::Range,
            CommandOp::SetGain { .. } | CommandOp::AutoGain => OpKind::Gain,
            CommandOp::Calibrate => OpKind::Calibrate,
            CommandOp::SelfTest => OpKind::SelfTest,
        }
    }
}

/// The value of `gain=` in a `gain` command: a gain in thousandths, or
/// `auto`.
enum GainValue {
    Milli(u32),
    Auto,
}

impl<'a> Value<'a> for GainValue {
    fn parse(v: &'a [u8]) -> Result<Self, ValueProblem> {
        match v {
            b"auto" => Ok(GainValue::Auto),
            _ => u32::parse(v).map(GainValue::Milli),
        }
    }
    fn write(&self, key: &str, w: &mut BodyWriter<'_>) {
        match self {
            GainValue::Milli(milli) => milli.write(key, w),
            GainValue::Auto => w.name(key, "auto"),
        }
    }
}

/// `CMD`: a command from the controller to a sensor process, answered by
/// an [`Ack`] or an [`ErrorReport`] with the same `id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Command {
    /// `id`: chosen by the sender, echoed in the answer.
    pub id: u32,
    /// `op` and its arguments.
    pub op: CommandOp,
}

impl<'a> Body<'a> for Command {
    fn decode(frame: &Frame<'a>) -> Result<Self, DecodeError> {
        decode_fields!(frame, {
            id: "id", op: "op", hz: "hz", accel: "accel", gyro: "gyro",
            fs: "fs", gain: "gain", it: "it",
        }, {
            let op = match op.req()? {
                OpKind::Hello => CommandOp::Hello,
                OpKind::Stats => CommandOp::Stats,
                OpKind::Rate => {
                    let problem = hz.invalid(ValueProblem::OutOfRange);
                    let hz = hz.req()?;
                    if hz == 0 {
                        return Err(problem);
                    }
                    CommandOp::SetRate { hz }
                }
                OpKind::Range => {
                    let problem = accel.invalid(ValueProblem::NothingToSet);
                    let (accel_g, gyro_dps) = (accel.opt(), gyro.opt());
                    if accel_g.is_none() && gyro_dps.is_none() {
                        return Err(problem);
                    }
                    CommandOp::SetRange { accel_g, gyro_dps }
                }
                OpKind::Gain => {
                    let problem = gain.invalid(ValueProblem::NothingToSet);
                    let conflict = gain.invalid(ValueProblem::Conflict);
                    let (fullscale_mv, gain, integration_ms) = (fs.opt(), gain.opt(), it.opt());
                    let gain_milli = match gain {
                        Some(GainValue::Auto) if fullscale_mv.is_some() || integration_ms.is_some() => {
                            return Err(conflict);
                        }
                        Some(GainValue::Auto) => return Ok(Command { id: id.req()?, op: CommandOp::AutoGain }),
                        Some(GainValue::Milli(milli)) => Some(milli),
                        None => None,
                    };
                    if fullscale_mv.is_none() && gain_milli.is_none() && integration_ms.is_none() {
                        return Err(problem);
                    }
                    CommandOp::SetGain { fullscale_mv, gain_milli, integration_ms }
                }
                OpKind::Calibrate => CommandOp::Calibrate,
                OpKind::SelfTest => CommandOp::SelfTest,
            };
            Ok(Command { id: id.req()?, op })
        })
    }
    fn encode(&self, w: &mut BodyWriter<'_>) {
        self.id.write("id", w);
        self.op.kind().write("op", w);
        match self.op {
            CommandOp::SetRate { hz } => hz.write("hz", w),
            CommandOp::SetRange { accel_g, gyro_dps } => {
                accel_g.write("accel", w);
                gyro_dps.write("gyro", w);
            }
            CommandOp::SetGain {
                fullscale_mv,
                gain_milli,
                integration_ms,
            } => {
                fullscale_mv.write("fs", w);
                gain_milli.write("gain", w);
                integration_ms.write("it", w);
            }
            CommandOp::AutoGain => GainValue::Auto.write("gain", w),
            CommandOp::Hello | CommandOp::Stats | CommandOp::Calibrate | CommandOp::SelfTest => {}
        }
    }
}

/// `ACK`: a command was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ack {
    /// `id`: the command's id.
    pub id: u32,
    /// `op`: the command's op.
    pub op: OpKind,
}

impl<'a> Body<'a> for Ack {
    fn decode(frame: &Frame<'a>) -> Result<Self, DecodeError> {
        decode_fields!(frame, { id: "id", op: "op" }, Ok(Ack { id: id.req()?, op: op.req()? }))
    }
    fn encode(&self, w: &mut BodyWriter<'_>) {
        self.id.write("id", w);
        self.op.write("op", w);
    }
}

wire_names! {
    /// The class of an [`ErrorReport`].
    pub enum ErrorCode {
        /// `badcmd`: unknown or malformed command.
        BadCommand = "badcmd",
        /// `badarg`: a command argument out of range.
        BadArgument = "badarg",
        /// `unsupported`: the device cannot do that.
        Unsupported = "unsupported",
        /// `busy`: try again later.
        Busy = "busy",
        /// `io`: a device or file I/O error.
        Io = "io",
        /// `nodev`: the device is absent.
        NoDevice = "nodev",
        /// `nospace`: the disk is full.
        NoSpace = "nospace",
        /// `internal`: a bug; the text says where.
        Internal = "internal",
    }
}

/// `ERR`: something went wrong; in answer to a command when `id` is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorReport<'a> {
    /// `name`: the process that sends it. Every sender fills it in; it is
    /// optional on input, so an `ERR` from a sender that predates the
    /// field still decodes (its sender is then known only through `id`).
    pub name: Option<Token<'a>>,
    /// `id`: the command this answers, if any.
    pub id: Option<u32>,
    /// `code`: the class of error.
    pub code: ErrorCode,
    /// `text`: what went wrong, for a person (percent-encoded).
    pub text: Text<'a>,
}

impl<'a> Body<'a> for ErrorReport<'a> {
    fn decode(frame: &Frame<'a>) -> Result<Self, DecodeError> {
        decode_fields!(frame, { name: "name", id: "id", code: "code", text: "text" }, {
            Ok(ErrorReport {
                name: name.opt(),
                id: id.opt(),
                code: code.req()?,
                text: text.opt().unwrap_or(Text::new("")),
            })
        })
    }
    fn encode(&self, w: &mut BodyWriter<'_>) {
        self.name.write("name", w);
        self.id.write("id", w);
        self.code.write("code", w);
        self.text.write("text", w);
    }
}

/// `STATS`: a process's frame counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stats<'a> {
    /// `name`: the process name.
    pub name: Token<'a>,
    /// `id`: the `stats` command this answers, if any.
    pub id: Option<u32>,
    /// `sent`: frames written.
    pub sent: u64,
    /// `drop`: frames not written because the pipe was full.
    pub dropped: u64,
    /// `recv`: good frames received.
    pub received: u64,
    /// `rej`: received frames rejected by the decoder (all reasons).
    pub rejected: u64,
    /// `err`: device or I/O errors.
    pub errors: u64,
}

impl<'a> Body<'a> for Stats<'a> {
    fn decode(frame: &Frame<'a>) -> Result<Self, DecodeError> {
        decode_fields!(frame, {
            name: "name", id: "id", sent: "sent", drop: "drop",
            recv: "recv", rej: "rej", err: "err",
        }, {
            Ok(Stats {
                name: name.req()?,
                id: id.opt(),
                sent: sent.req()?,
                dropped: drop.req()?,
                received: recv.req()?,
                rejected: rej.req()?,
                errors: err.req()?,
            })
        })
    }
    fn encode(&self, w: &mut BodyWriter<'_>) {
        self.name.write("name", w);
        self.id.write("id", w);
        self.sent.write("sent", w);
        self.dropped.write("drop", w);
        self.received.write("recv", w);
        self.rejected.write("rej", w);
        self.errors.write("err", w);
    }
}

wire_names! {
    /// A supervised process's state in a [`ProcessState`].
    pub enum RunState {
        /// `started`: spawned (exec succeeded).
        Started = "started",
        /// `exited`: it died; a restart may follow.
        Exited = "exited",
        /// `failed`: restarted too often; held off or escalated.
        Failed = "failed",
        /// `stopped`: stopped on purpose (shutdown).
        Stopped = "stopped",
    }
}

/// How a process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// `exit=N`: it exited with this code.
    Code(u8),
    /// `sig=NAME [core=1]`: a signal killed it.
    Signal {
        /// The signal number (the name is on the wire).
        number: u8,
        /// Whether it dumped core.
        core: bool,
    },
}

/// Linux signal names 1..=31 (the same numbers on x86 and ARM).
const SIGNAL_NAMES: [&str; 31] = [
    "SIGHUP",
    "SIGINT",
    "SIGQUIT",
    "SIGILL",
    "SIGTRAP",
    "SIGABRT",
    "SIGBUS",
    "SIGFPE",
    "SIGKILL",
    "SIGUSR1",
    "SIGSEGV",
    "SIGUSR2",
    "SIGPIPE",
    "SIGALRM",
    "SIGTERM",
    "SIGSTKFLT",
    "SIGCHLD",
    "SIGCONT",
    "SIGSTOP",
    "SIGTSTP",
    "SIGTTIN",
    "SIGTTOU",
    "SIGURG",
    "SIGXCPU",
    "SIGXFSZ",
    "SIGVTALRM",
    "SIGPROF",
    "SIGWINCH",
    "SIGIO",
    "SIGPWR",
    "SIGSYS",
];

/// The name of Linux signal `number` (`SIGSEGV` for 11), if it has one.
pub fn signal_name(number: u8) -> Option<&'static str> {
    SIGNAL_NAMES
        .get(usize::from(number).checked_sub(1)?)
        .copied()
}

/// A signal on the wire: its name when it has one, else its number.
struct SignalNumber(u8);

impl<'a> Value<'a> for SignalNumber {
    fn parse(v: &'a [u8]) -> Result<Self, ValueProblem> {
        if let Some((number, _)) = (1..).zip(SIGNAL_NAMES).find(|(_, n)| n.as_bytes() == v) {
            return Ok(SignalNumber(number));
        }
        match u8::parse(v)? {
            n @ 1..=64 => Ok(SignalNumber(n)),
            _ => Err(ValueProblem::OutOfRange),
        }
    }
    fn write(&self, key: &str, w: &mut BodyWriter<'_>) {
        match signal_name(self.0) {
            Some(name) => w.name(key, name),
            None => self.0.write(key, w),
        }
    }
}

/// `STATE`: a supervised process changed state (from the supervisor).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessState<'a> {
    /// `name`: the process name from the topology.
    pub name: Token<'a>,
    /// `pid`: its process id.
    pub pid: u32,
    /// `st`: the new state.
    pub state: RunState,
    /// `exit=N`, or `sig=NAME` and `core=1`: how it ended, when it did.
    pub exit: Option<ExitStatus>,
    /// `ran`: how long it ran, microseconds.
    pub ran_us: Option<u64>,
    /// `restarts`: restarts so far.
    pub restarts: u32,
    /// `next`: delay before the next restart, microseconds, if one is due.
    pub next_us: Option<u64>,
}

impl<'a> Body<'a> for ProcessState<'a> {
    fn decode(frame: &Frame<'a>) -> Result<Self, DecodeError> {
        decode_fields!(frame, {
            name: "name", pid: "pid", st: "st", exit: "exit", sig: "sig",
            core: "core", ran: "ran", restarts: "restarts", next: "next",
        }, {
            let conflict = sig.invalid(ValueProblem::Conflict);
            let core_alone = core.invalid(ValueProblem::Conflict);
            let exit = match (exit.opt(), sig.opt(), core.opt()) {
                (None, None, None) => None,
                (Some(code), None, None) => Some(ExitStatus::Code(code)),
                (None, Some(SignalNumber(number)), core) => Some(ExitStatus::Signal {
                    number,
                    core: core.unwrap_or(false),
                }),
                (Some(_), Some(_), _) => return Err(conflict),
                (_, None, Some(_)) => return Err(core_alone),
            };
            Ok(ProcessState {
                name: name.req()?,
                pid: pid.req()?,
                state: st.req()?,
                exit,
                ran_us: ran.opt(),
                restarts: restarts.req()?,
                next_us: next.opt(),
            })
        })
    }
    fn encode(&self, w: &mut BodyWriter<'_>) {
        self.name.write("name", w);
        self.pid.write("pid", w);
        self.state.write("st", w);
        match self.exit {
            None => {}
            Some(ExitStatus::Code(code)) => code.write("exit", w),
            Some(ExitStatus::Signal { number, core }) => {
                SignalNumber(number).write("sig", w);
                if core {
                    true.write("core", w);
                }
            }
        }
        self.ran_us.write("ran", w);
        self.restarts.write("restarts", w);
        self.next_us.write("next", w);
    }
}

wire_names! {
    /// A gesture the controller recognised.
    pub enum GestureKind {
        /// `tap`
        Tap = "tap",
        /// `dtap`: double tap.
        DoubleTap = "dtap",
        /// `shake`
        Shake = "shake",
        /// `tiltl`: tilted left and held.
        TiltLeft = "tiltl",
        /// `tiltr`: tilted right and held.
        TiltRight = "tiltr",
        /// `flip`: turned face down.
        FlipDown = "flip",
        /// `wave`: a hand passed over the light sensor.
        Wave = "wave",
    }
}

/// `GESTURE`: a recognised gesture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gesture {
    /// `kind`
    pub kind: GestureKind,
    /// `t`: when it completed, on the sender's monotonic clock, microseconds.
    pub t_us: u64,
}

impl<'a> Body<'a> for Gesture {
    fn decode(frame: &Frame<'a>) -> Result<Self, DecodeError> {
        decode_fields!(frame, { kind: "kind", t: "t" }, Ok(Gesture { kind: kind.req()?, t_us: t.req()? }))
    }
    fn encode(&self, w: &mut BodyWriter<'_>) {
        self.kind.write("kind", w);
        self.t_us.write("t", w);
    }
}

wire_names! {
    /// Severity of a [`LogLine`].
    pub enum Level {
        /// `error`
        Error = "error",
        /// `warn`
        Warn = "warn",
        /// `info`
        Info = "info",
        /// `debug`
        Debug = "debug",
    }
}

/// `LOG`: a line for the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogLine<'a> {
    /// `name`: who says it.
    pub name: Token<'a>,
    /// `lvl`: severity.
    pub level: Level,
    /// `text`: the line (percent-encoded).
    pub text: Text<'a>,
}

impl<'a> Body<'a> for LogLine<'a> {
    fn decode(frame: &Frame<'a>) -> Result<Self, DecodeError> {
        decode_fields!(frame, { name: "name", lvl: "lvl", text: "text" }, {
            Ok(LogLine { name: name.req()?, level: lvl.req()?, text: text.opt().unwrap_or(Text::new("")) })
        })
    }
    fn encode(&self, w: &mut BodyWriter<'_>) {
        self.name.write("name", w);
        self.level.write("lvl", w);
        self.text.write("text", w);
    }
}

macro_rules! messages {
    ($($(#[$doc:meta])* $variant:ident($ty:ty) = $wire:literal,)*) => {
        /// Every message of the protocol, borrowed from the frame it was
        /// read from (or from the values it was built from).
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Message<'a> {
            $($(#[$doc])* $variant($ty),)*
            /// A well-formed frame of a TYPE this build does not know. The
            /// decoder counts these; they are not errors.
            Unknown(Frame<'a>),
        }

        /// Every TYPE this build knows.
        pub const KNOWN_TYPES: &[&str] = &[$($wire,)*];

        impl<'a> Message<'a> {
            /// Decodes a frame. A known TYPE must have its required fields
            /// with valid values; an unknown TYPE must have well-formed fields.
            #[inline]
            pub fn decode(frame: Frame<'a>) -> Result<Self, DecodeError> {
                match frame.type_bytes() {
                    $(t if t == $wire.as_bytes() => <$ty as Body<'a>>::decode(&frame).map(Message::$variant),)*
                    _ => {
                        frame.validate_fields()?;
                        Ok(Message::Unknown(frame))
                    }
                }
            }

            /// The TYPE (`"?"` for [`Message::Unknown`], whose TYPE is in its frame).
            pub fn type_name(&self) -> &'static str {
                match self {
                    $(Message::$variant(_) => $wire,)*
                    Message::Unknown(_) => "?",
                }
            }

            #[inline]
            pub(crate) fn write_body(&self, w: &mut BodyWriter<'_>) {
                match self {
                    $(Message::$variant(m) => {
                        w.msg_type($wire.as_bytes());
                        m.encode(w);
                    })*
                    Message::Unknown(frame) => w.put(frame.content().as_bytes()),
                }
            }
        }
    };
}

messages! {
    /// `HELLO`
    Hello(Hello<'a>) = "HELLO",
    /// `READY`
    Ready(Ready<'a>) = "READY",
    /// `HB`
    Heartbeat(Heartbeat<'a>) = "HB",
    /// `IMU`
    Imu(ImuSample) = "IMU",
    /// `LIGHT`
    Light(LightSample) = "LIGHT",
    /// `CMD`
    Command(Command) = "CMD",
    /// `ACK`
    Ack(Ack) = "ACK",
    /// `ERR`
    Error(ErrorReport<'a>) = "ERR",
    /// `STATS`
    Stats(Stats<'a>) = "STATS",
    /// `STATE`
    State(ProcessState<'a>) = "STATE",
    /// `GESTURE`
    Gesture(Gesture) = "GESTURE",
    /// `LOG`
    Log(LogLine<'a>) = "LOG",
}

impl From<ImuSample> for Message<'_> {
    fn from(sample: ImuSample) -> Self {
        Message::Imu(sample)
    }
}

impl From<LightSample> for Message<'_> {
    fn from(sample: LightSample) -> Self {
        Message::Light(sample)
    }
}
