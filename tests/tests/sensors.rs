//! Issue 5's "done when": MOTION and LIGHT run from the supervisor's
//! topology with simulated devices, their samples reach the GUI's pipe, and
//! they answer commands. A test child stands in for the GUI: one prints
//! every frame of the GUI's pipe (so it lands in the supervisor's log), two
//! others send commands.

use system_tests::Appliance;

/// Both sensors on the demo scenario; LIGHT as ADS1115 or VEML7700.
fn topology(part: &str) -> String {
    format!(
        r#"
[supervisor]
state_pipe = "to_gui"

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
        "--device", "sim:@BOARD@/sim/demo.scenario", "--rate", "50"]

[[process]]
name = "light"
exec = "@LIGHT@"
args = ["--rx", "{{pipe.to_light.read}}", "--tx", "{{pipe.to_gui.write}}",
        "--part", "{part}", "--device", "sim:@BOARD@/sim/demo.scenario"]

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
    let app = Appliance::start(test, &topology(part));
    // The supervisor's STATE frames reach the GUI's pipe.
    app.wait_for(&["gui[", "frame STATE name=motion", "st=started"]);
    // Samples from both, with their sequence numbers.
    app.wait_for(&["gui[", "frame IMU seq=", " az="]);
    app.wait_for(&["gui[", "frame LIGHT seq=", " lux="]);
    // MOTION: hello, rate, stats, and an unknown op.
    app.wait_for(&["gui[", "frame HELLO name=motion"]);
    app.wait_for(&["gui[", "frame ACK id=2 op=rate"]);
    app.wait_for(&["gui[", "frame STATS name=motion id=3"]);
    app.wait_for(&["gui[", "frame ERR id=4 code=badcmd"]);
    // LIGHT: hello, selftest, and a command it does not support.
    app.wait_for(&["gui[", "frame HELLO name=light"]);
    app.wait_for(&["gui[", "frame ACK id=12 op=selftest"]);
    app.wait_for(&["gui[", "frame ERR id=13 code=unsupported"]);
    // Flat on the desk at the demo's start: about +1 g on z.
    let (_, imu) = app.wait_for(&["gui[", "frame IMU seq="]);
    let az: i32 = field(&imu, "az").parse().expect("az is a number");
    assert!((900..=1100).contains(&az), "az {az} mg in {imu}");
    assert_eq!(app.stop(), Some(0));
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
