//! Typed messages: the exact wire form of each TYPE, round trips, and every
//! way a known TYPE's fields can be wrong.

use wire::{
    Ack, Command, CommandOp, DecodeError, EncodeError, ErrorCode, ErrorReport, ExitStatus,
    FrameBuf, FrameDecoder, Gesture, GestureKind, Heartbeat, Hello, ImuSample, KNOWN_TYPES, Level,
    LightSample, LogLine, MAX_FRAME_LEN, Message, OpKind, ProcessState, Ready, RunState, Stats,
    Text, Token, ValueProblem, checksum, signal_name,
};

fn tok(s: &str) -> Token<'_> {
    Token::new(s).unwrap()
}

/// One of each TYPE (and each command op, exit kind), with its exact body.
fn catalogue() -> Vec<(Message<'static>, &'static str)> {
    vec![
        (
            Message::Hello(Hello {
                name: tok("motion"),
                version: tok("0.1.0"),
                protocol: 1,
            }),
            "HELLO name=motion ver=0.1.0 proto=1",
        ),
        (
            Message::Ready(Ready { name: tok("light") }),
            "READY name=light",
        ),
        (
            Message::Heartbeat(Heartbeat {
                name: tok("gui"),
                seq: 41,
                uptime_us: 12_000_345,
            }),
            "HB name=gui seq=41 up=12000345",
        ),
        (
            Message::Imu(ImuSample {
                seq: 4_294_967_295,
                t_us: 18_446_744_073_709_551_615,
                accel_mg: [i32::MIN, -1, 0],
                gyro_mdps: [1, i32::MAX, -250_000],
                temp_cc: -4012,
            }),
            "IMU seq=4294967295 t=18446744073709551615 ax=-2147483648 ay=-1 az=0 gx=1 gy=2147483647 gz=-250000 tc=-4012",
        ),
        (
            Message::Light(LightSample {
                seq: 3,
                t_us: 500,
                lux_milli: 120_000_000,
                raw: 65535,
            }),
            "LIGHT seq=3 t=500 lux=120000000 raw=65535",
        ),
        (
            Message::Command(Command {
                id: 1,
                op: CommandOp::Hello,
            }),
            "CMD id=1 op=hello",
        ),
        (
            Message::Command(Command {
                id: 2,
                op: CommandOp::Stats,
            }),
            "CMD id=2 op=stats",
        ),
        (
            Message::Command(Command {
                id: 3,
                op: CommandOp::SetRate { hz: 200 },
            }),
            "CMD id=3 op=rate hz=200",
        ),
        (
            Message::Command(Command {
                id: 4,
                op: CommandOp::SetRange {
                    accel_g: Some(4),
                    gyro_dps: None,
                },
            }),
            "CMD id=4 op=range accel=4",
        ),
        (
            Message::Command(Command {
                id: 5,
                op: CommandOp::SetGain {
                    fullscale_mv: Some(2048),
                    gain_milli: Some(125),
                    integration_ms: Some(100),
                },
            }),
            "CMD id=5 op=gain fs=2048 gain=125 it=100",
        ),
        (
            Message::Command(Command {
                id: 8,
                op: CommandOp::AutoGain,
            }),
            "CMD id=8 op=gain gain=auto",
        ),
        (
            Message::Command(Command {
                id: 6,
                op: CommandOp::Calibrate,
            }),
            "CMD id=6 op=cal",
        ),
        (
            Message::Command(Command {
                id: 7,
                op: CommandOp::SelfTest,
            }),
            "CMD id=7 op=selftest",
        ),
        (
            Message::Ack(Ack {
                id: 3,
                op: OpKind::Rate,
            }),
            "ACK id=3 op=rate",
        ),
        (
            Message::Error(ErrorReport {
                name: Some(tok("motion")),
                id: Some(9),
                code: ErrorCode::BadArgument,
                text: Text::new("hz must be 1..=1000, got 0"),
            }),
            "ERR name=motion id=9 code=badarg text=hz%20must%20be%201..=1000,%20got%200",
        ),
        (
            // As a sender that predates `name` writes it.
            Message::Error(ErrorReport {
                name: None,
                id: None,
                code: ErrorCode::Io,
                text: Text::new(""),
            }),
            "ERR code=io",
        ),
        (
            Message::Stats(Stats {
                name: tok("motion"),
                id: Some(2),
                sent: 10,
                dropped: 1,
                received: 3,
                rejected: 0,
                errors: 0,
            }),
            "STATS name=motion id=2 sent=10 drop=1 recv=3 rej=0 err=0",
        ),
        (
            Message::State(ProcessState {
                name: tok("gui"),
                pid: 321,
                state: RunState::Started,
                exit: None,
                ran_us: None,
                restarts: 0,
                next_us: None,
            }),
            "STATE name=gui pid=321 st=started restarts=0",
        ),
        (
            Message::State(ProcessState {
                name: tok("gui"),
                pid: 321,
                state: RunState::Exited,
                exit: Some(ExitStatus::Signal {
                    number: 11,
                    core: true,
                }),
                ran_us: Some(2_500_000),
                restarts: 3,
                next_us: Some(400_000),
            }),
            "STATE name=gui pid=321 st=exited sig=SIGSEGV core=1 ran=2500000 restarts=3 next=400000",
        ),
        (
            Message::State(ProcessState {
                name: tok("log"),
                pid: 9,
                state: RunState::Failed,
                exit: Some(ExitStatus::Code(78)),
                ran_us: Some(1000),
                restarts: 5,
                next_us: None,
            }),
            "STATE name=log pid=9 st=failed exit=78 ran=1000 restarts=5",
        ),
        (
            Message::State(ProcessState {
                name: tok("x"),
                pid: 1,
                state: RunState::Stopped,
                exit: Some(ExitStatus::Signal {
                    number: 40,
                    core: false,
                }),
                ran_us: None,
                restarts: 0,
                next_us: None,
            }),
            "STATE name=x pid=1 st=stopped sig=40 restarts=0",
        ),
        (
            Message::Gesture(Gesture {
                kind: GestureKind::DoubleTap,
                t_us: 77,
            }),
            "GESTURE kind=dtap t=77",
        ),
        (
            Message::Log(LogLine {
                name: tok("log"),
                level: Level::Warn,
                text: Text::new("disk 95% full*"),
            }),
            "LOG name=log lvl=warn text=disk%2095%25%20full%2A",
        ),
    ]
}

#[test]
fn every_type_has_an_exact_wire_form_that_decodes_back() {
    let mut buf = FrameBuf::new();
    let mut seen_types = std::collections::BTreeSet::new();
    for (msg, body) in catalogue() {
        let bytes = buf.encode(&msg).unwrap().to_vec();
        let want = format!("\r{body} *{:02X}\n", checksum(body.as_bytes()));
        assert_eq!(String::from_utf8_lossy(&bytes), want);
        let mut dec = FrameDecoder::new();
        let mut got = Vec::new();
        dec.decode_messages(&bytes, |m| {
            got.push(format!("{:?}", m.map_err(|e| e.error)))
        });
        assert_eq!(got, [format!("{:?}", Ok::<_, DecodeError>(msg))]);
        assert_eq!(dec.counters().dropped(), 0);
        seen_types.insert(msg.type_name());
    }
    let known: std::collections::BTreeSet<_> = KNOWN_TYPES.iter().copied().collect();
    assert_eq!(seen_types, known, "the catalogue covers every TYPE");
}

fn decode_one(body: &str) -> Result<String, DecodeError> {
    let frame = wire::Frame::parse(body.as_bytes()).unwrap();
    Message::decode(frame).map(|m| format!("{m:?}"))
}

#[test]
fn fields_in_any_order_and_unknown_keys_are_accepted() {
    let canonical = decode_one("ACK id=3 op=rate").unwrap();
    assert_eq!(decode_one("ACK op=rate id=3").unwrap(), canonical);
    assert_eq!(
        decode_one("ACK id=3 op=rate future_key=1").unwrap(),
        canonical
    );
}

#[test]
fn signals_by_number_decode_like_names() {
    assert_eq!(
        decode_one("STATE name=a pid=1 st=exited sig=11 restarts=0"),
        decode_one("STATE name=a pid=1 st=exited sig=SIGSEGV restarts=0")
    );
    assert_eq!(signal_name(9), Some("SIGKILL"));
    assert_eq!(signal_name(0), None);
    assert_eq!(signal_name(34), None);
}

#[test]
fn every_field_error_names_the_field() {
    use DecodeError::*;
    use ValueProblem::*;
    let cases: &[(&str, DecodeError)] = &[
        (
            "IMU seq=1 t=2 ax=0 ay=0 az=0 gx=0 gy=0 gz=0",
            MissingField("tc"),
        ),
        ("ACK id=1 id=2 op=rate", DuplicateField("id")),
        (
            "ACK id=x op=rate",
            InvalidValue {
                key: "id",
                problem: NotANumber,
            },
        ),
        (
            "ACK id=-1 op=rate",
            InvalidValue {
                key: "id",
                problem: NotANumber,
            },
        ),
        (
            "ACK id=4294967296 op=rate",
            InvalidValue {
                key: "id",
                problem: OutOfRange,
            },
        ),
        (
            "ACK id=99999999999999999999999 op=rate",
            InvalidValue {
                key: "id",
                problem: OutOfRange,
            },
        ),
        (
            "ACK id=1 op=dance",
            InvalidValue {
                key: "op",
                problem: UnknownName,
            },
        ),
        (
            "IMU seq=1 t=2 ax=2147483648 ay=0 az=0 gx=0 gy=0 gz=0 tc=0",
            InvalidValue {
                key: "ax",
                problem: OutOfRange,
            },
        ),
        (
            "IMU seq=1 t=2 ax=- ay=0 az=0 gx=0 gy=0 gz=0 tc=0",
            InvalidValue {
                key: "ax",
                problem: NotANumber,
            },
        ),
        (
            "IMU seq=1 t=2 ax=+1 ay=0 az=0 gx=0 gy=0 gz=0 tc=0",
            InvalidValue {
                key: "ax",
                problem: NotANumber,
            },
        ),
        ("CMD id=1 op=rate", MissingField("hz")),
        (
            "CMD id=1 op=rate hz=0",
            InvalidValue {
                key: "hz",
                problem: OutOfRange,
            },
        ),
        (
            "CMD id=1 op=range",
            InvalidValue {
                key: "accel",
                problem: NothingToSet,
            },
        ),
        (
            "CMD id=1 op=gain",
            InvalidValue {
                key: "gain",
                problem: NothingToSet,
            },
        ),
        (
            "CMD id=1 op=gain gain=auto it=100",
            InvalidValue {
                key: "gain",
                problem: Conflict,
            },
        ),
        (
            "CMD id=1 op=gain fs=4096 gain=auto",
            InvalidValue {
                key: "gain",
                problem: Conflict,
            },
        ),
        (
            "CMD id=1 op=gain gain=manual",
            InvalidValue {
                key: "gain",
                problem: NotANumber,
            },
        ),
        ("CMD op=cal", MissingField("id")),
        (
            "STATE name=a pid=1 st=exited exit=1 sig=SIGKILL restarts=0",
            InvalidValue {
                key: "sig",
                problem: Conflict,
            },
        ),
        (
            "STATE name=a pid=1 st=exited exit=1 core=1 restarts=0",
            InvalidValue {
                key: "core",
                problem: Conflict,
            },
        ),
        (
            "STATE name=a pid=1 st=exited sig=SIGNOPE restarts=0",
            InvalidValue {
                key: "sig",
                problem: NotANumber,
            },
        ),
        (
            "STATE name=a pid=1 st=exited sig=65 restarts=0",
            InvalidValue {
                key: "sig",
                problem: OutOfRange,
            },
        ),
        (
            "STATE name=a pid=1 st=zombie restarts=0",
            InvalidValue {
                key: "st",
                problem: UnknownName,
            },
        ),
        (
            "LOG name=a lvl=info text=50%",
            InvalidValue {
                key: "text",
                problem: BadEscape,
            },
        ),
        ("GESTURE kind=tap t=1 kind=wave", DuplicateField("kind")),
        (
            "HELLO name=a ver=1 proto=70000",
            InvalidValue {
                key: "proto",
                problem: OutOfRange,
            },
        ),
    ];
    for (body, want) in cases {
        assert_eq!(decode_one(body), Err(*want), "{body}");
    }
    assert_eq!(
        InvalidValue {
            key: "hz",
            problem: OutOfRange
        }
        .to_string(),
        "field `hz`: number out of range"
    );
}

#[test]
fn an_oversize_message_is_an_error_and_never_a_truncated_frame() {
    let long = "é".repeat(100); // 600 bytes on the wire
    let msg = Message::Log(LogLine {
        name: tok("a"),
        level: Level::Info,
        text: Text::new(&long),
    });
    let mut buf = FrameBuf::new();
    match buf.encode(&msg) {
        Err(EncodeError::TooLong {
            msg_type: "LOG",
            len,
        }) => assert!(len > MAX_FRAME_LEN),
        other => panic!("expected TooLong, got {other:?}"),
    }
    // The longest text that fits encodes to exactly MAX_FRAME_LEN bytes.
    let overhead = "\rLOG name=a lvl=info text= *HH\n".len();
    let fits = "x".repeat(MAX_FRAME_LEN - overhead);
    let msg = Message::Log(LogLine {
        name: tok("a"),
        level: Level::Info,
        text: Text::new(&fits),
    });
    assert_eq!(buf.encode(&msg).unwrap().len(), MAX_FRAME_LEN);
    let one_more = format!("{fits}x");
    let msg = Message::Log(LogLine {
        name: tok("a"),
        level: Level::Info,
        text: Text::new(&one_more),
    });
    assert_eq!(
        buf.encode(&msg),
        Err(EncodeError::TooLong {
            msg_type: "LOG",
            len: MAX_FRAME_LEN + 1
        })
    );
}

#[test]
fn unknown_frames_re_encode_with_a_checksum() {
    let frame = wire::Frame::parse(b"FUTURE a=1 b=two").unwrap();
    let msg = Message::decode(frame).unwrap();
    assert_eq!(msg, Message::Unknown(frame));
    let mut buf = FrameBuf::new();
    let bytes = buf.encode(&msg).unwrap();
    assert_eq!(
        bytes,
        format!(
            "\rFUTURE a=1 b=two *{:02X}\n",
            checksum(b"FUTURE a=1 b=two")
        )
        .as_bytes()
    );
}

#[test]
fn names_round_trip() {
    for k in GestureKind::ALL {
        assert_eq!(GestureKind::from_wire_name(k.wire_name()), Some(*k));
    }
    for c in ErrorCode::ALL {
        assert_eq!(ErrorCode::from_wire_name(c.wire_name()), Some(*c));
    }
    assert_eq!(RunState::from_wire_name("nope"), None);
}
