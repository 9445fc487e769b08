//! The whole simulated board, as `cargo xtask run` starts it
//! (`board/sim/arch2.toml`): the real supervisor, GUI, MOTION, LIGHT and
//! LOG over real pipes, the sensors playing the demo scenario.

use system_tests::{board_topology, logged_imu};
use test_support::{Appliance, eventually};

/// The IMU seq numbers in the LOG process's files.
fn logged_imu_seqs(app: &Appliance) -> Vec<u64> {
    logged_imu(&app.dir().join("log"))
        .into_iter()
        .map(|(seq, _)| seq)
        .collect()
}

#[test]
fn architecture_2_runs_end_to_end() {
    let mut app = Appliance::start("arch2", &board_topology("arch2.toml"));
    // The GUI hears from both sensors, and its commands are answered: it
    // says hello to each (an ACK from each) and sets MOTION's rate.
    app.wait_for(&["gui[", "appliance-gui: motion is up"]);
    app.wait_for(&["gui[", "appliance-gui: light is up"]);
    let (first, _) = app.wait_for(&["gui[", "appliance-gui: ACK", "op=hello"]);
    app.wait_for_from(first + 1, &["gui[", "appliance-gui: ACK", "op=hello"]);
    // Once each: a sensor's answer to the GUI's hello, right after its own
    // HELLO, is not another start.
    for name in ["motion", "light"] {
        let up = format!("appliance-gui: {name} is up");
        let log = app.log();
        let lines = log.iter().filter(|l| l.contains(&up)).count();
        assert_eq!(lines, 1, "{up}:\n{}", log.join("\n"));
    }
    app.wait_for(&["gui[", "appliance-gui: ACK", "op=rate"]);

    // The screen: a PNG that keeps changing as samples come in.
    let screen = app.dir().join("screen.png");
    eventually("the GUI writes screen.png", || screen.exists());
    let before = std::fs::read(&screen).expect("read screen.png");
    eventually("screen.png changes with new samples", || {
        std::fs::read(&screen).is_ok_and(|now| now != before)
    });

    // LOG: IMU frames from MOTION, in sequence.
    eventually("100 IMU frames in the log", || {
        logged_imu_seqs(&app).len() >= 100
    });
    let seqs = logged_imu_seqs(&app);
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "IMU seq not increasing in the log: {seqs:?}"
    );

    // The demo taps the board at 3 s: the GUI recognises it.
    app.wait_for(&["gui[", "appliance-gui: gesture tap"]);
    app.stop();
}
