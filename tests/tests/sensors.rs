//! Issue 5's "done when": MOTION and LIGHT run from the supervisor's
//! topology with simulated devices, their samples reach the GUI's pipe, and
//! they answer commands. A test child stands in for the GUI: one prints
//! every frame of the GUI's pipe (so it lands in the supervisor's log), two
//! others send commands.

use test_support::{Appliance, TempDir};

/// The GUI's pipe, printed by a test child, and MOTION and LIGHT on the
/// simulated `scenario` writing to it, each with its command pipe;
/// `motion` and `light` are more of their arguments (TOML array items).
/// The command pipes' writers are the test's to add.
fn gui_and_sensors(scenario: &str, motion: &str, light: &str) -> String {
    format!(
        r#"
[pipes.to_gui]
[pipes.to_motion]
[pipes.to_light]

[[process]]
name = "gui"
exec = "@TESTCHILD@"
args = ["--rx", "{{pipe.to_gui.read}}", "--print-frames", "1000000"]

[[process]]
name = "motion"
exec = "@MOTION@"
args = ["--rx", "{{pipe.to_motion.read}}", "--tx", "{{pipe.to_gui.write}}",
        "--device", "sim:{scenario}", {motion}]

[[process]]
name = "light"
exec = "@LIGHT@"
args = ["--rx", "{{pipe.to_light.read}}", "--tx", "{{pipe.to_gui.write}}",
        "--device", "sim:{scenario}", {light}]
"#
    )
}

/// Both sensors on the demo scenario; LIGHT as ADS1115 or VEML7700.
fn topology(part: &str) -> String {
    let sensors = gui_and_sensors(
        "@BOARD@/sim/demo.scenario",
        r#""--rate", "50""#,
        &format!(r#""--part", "{part}""#),
    );
    format!(
        r#"
[supervisor]
state_pipe = "to_gui"
{sensors}
[[process]]
name = "cmd-motion"
exec = "@TESTCHILD@"
args = ["--tx", "{{pipe.to_motion.write}}",
        "--send", "CMD id=1 op=hello", "--send", "CMD id=2 op=rate hz=20",
        "--send", "CMD id=3 op=stats", "--send", "CMD id=4 op=dance", "--pause"]
restart = "never"

[[process]]
name = "cmd-light"
exec = "@TESTCHILD@"
args = ["--tx", "{{pipe.to_light.write}}",
        "--send", "CMD id=11 op=hello", "--send", "CMD id=12 op=selftest",
        "--send", "CMD id=13 op=range accel=2", "--pause"]
restart = "never"
"#
    )
}

fn sensors_run_and_answer(test: &str, part: &str) {
    let mut app = Appliance::start(test, &topology(part));
    // The supervisor's STATE frames reach the GUI's pipe.
    app.wait_for(&["gui[", "frame STATE name=motion", "st=started"]);
    // Samples from both, with their sequence numbers.
    app.wait_for(&["gui[", "frame IMU seq=", " az="]);
    app.wait_for(&["gui[", "frame LIGHT seq=", " lux="]);
    // MOTION: hello, rate, stats, and an unknown op.
    app.wait_for(&["gui[", "frame HELLO name=motion"]);
    app.wait_for(&["gui[", "frame ACK id=2 op=rate"]);
    app.wait_for(&["gui[", "frame STATS name=motion id=3"]);
    app.wait_for(&["gui[", "frame ERR name=motion id=4 code=badcmd"]);
    // LIGHT: hello, selftest, and a command it does not support.
    app.wait_for(&["gui[", "frame HELLO name=light"]);
    app.wait_for(&["gui[", "frame ACK id=12 op=selftest"]);
    app.wait_for(&["gui[", "frame ERR name=light id=13 code=unsupported"]);
    // Flat on the desk at the demo's start: about +1 g on z.
    let (_, imu) = app.wait_for(&["gui[", "frame IMU seq="]);
    let az: i32 = field(&imu, "az").parse().expect("az is a number");
    assert!((900..=1100).contains(&az), "az {az} mg in {imu}");
    app.stop();
}

/// The value of `key=` in a frame line.
fn field<'a>(line: &'a str, key: &str) -> &'a str {
    let at = line
        .find(&format!(" {key}="))
        .unwrap_or_else(|| panic!("no {key}= in {line}"));
    let rest = &line[at + key.len() + 2..];
    rest.split(' ').next().unwrap_or_default()
}

#[test]
fn motion_and_an_ads1115_light_sensor_run_from_the_topology() {
    sensors_run_and_answer("sensors-ads1115", "ads1115");
}

#[test]
fn motion_and_a_veml7700_light_sensor_run_from_the_topology() {
    sensors_run_and_answer("sensors-veml7700", "veml7700");
}

/// Every fault kind of the simulated parts, early and short. A NACK burst
/// of N transactions costs N re-initialisation attempts, the first three
/// quick, the others spaced by the backoff (10 ms doubling), so bursts stay
/// short here.
const FAULTS: &str = "\
0s      imu    orientation roll=0 pitch=0
0s      light  level lux=300
300ms   imu    fault nack count=3
300ms   light  fault nack count=3
800ms   imu    fault stuck for=300ms
800ms   light  fault stuck for=300ms
1500ms  imu    fault vanish for=500ms
1500ms  light  fault vanish for=500ms
3s      imu    fault reset
3s      light  fault reset
";

#[test]
fn both_sensors_survive_every_fault_kind_without_a_restart() {
    let dir = TempDir::new("faults-scenario");
    let scenario = dir.join("faults.scenario");
    std::fs::write(&scenario, FAULTS).expect("write the scenario");
    let sensors = gui_and_sensors(
        &scenario.display().to_string(),
        r#""--rate", "50", "--name", "motion""#,
        r#""--rate", "20""#,
    );
    let topology = format!(
        r#"{sensors}
# The command pipes' writers (a GUI would be): silent here.
[[process]]
name = "cmd-motion"
exec = "@TESTCHILD@"
args = ["--tx", "{{pipe.to_motion.write}}", "--pause"]

[[process]]
name = "cmd-light"
exec = "@TESTCHILD@"
args = ["--tx", "{{pipe.to_light.write}}", "--pause"]
"#
    );
    let mut app = Appliance::start("faults", &topology);
    for name in ["motion", "light"] {
        // Up at start, then up again after the NACK burst, the vanished
        // part and the reset (a part back in its power-on state), each time
        // after an I/O error episode; then samples again.
        let ready = format!("frame READY name={name}");
        let err_io = format!("frame ERR name={name} code=io");
        let (mut at, _) = app.wait_for(&["gui[", &ready]);
        for _ in 0..3 {
            let (err, _) = app.wait_for_from(at + 1, &["gui[", &err_io]);
            at = app.wait_for_from(err + 1, &["gui[", &ready]).0;
        }
        let sample = if name == "motion" {
            "frame IMU seq="
        } else {
            "frame LIGHT seq="
        };
        app.wait_for_from(at + 1, &["gui[", sample]);
    }
    // Nobody was restarted: the processes rode the faults out themselves.
    let log = app.log();
    assert!(
        !log.iter()
            .any(|l| l.contains("exited") || l.contains("killed by")),
        "a sensor process died:\n{}",
        log.join("\n")
    );
    app.stop();
}
