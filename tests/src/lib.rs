//! What only the system tests need: the simulated board's topologies,
//! rewritten for a test. The rest of their harness (the supervisor on a
//! topology, its log, waits with a deadline) is the workspace's
//! `test-support` crate.

use std::path::Path;

/// A topology of the simulated board (`board/sim/NAME`), rewritten for a
/// test: the programs as `test-support`'s placeholders (`@GUI@`, ...; the
/// test's own build of them), the scenario from `board/sim/` (`@BOARD@`),
/// and the screen and the log files in the test's directory (`screen.png`,
/// `log/`), where `test_support::Appliance::start` runs it.
pub fn board_topology(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../board/sim")
        .join(name);
    let mut text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    for (program, placeholder) in [
        ("appliance-motion", "@MOTION@"),
        ("appliance-light", "@LIGHT@"),
        ("appliance-gui", "@GUI@"),
        ("appliance-log", "@LOG@"),
    ] {
        text = text.replace(&format!("../../target/debug/{program}"), placeholder);
    }
    text.replace("sim:demo.scenario", "sim:@BOARD@/sim/demo.scenario")
        .replace("../../target/appliance-sim/", "")
}

/// `(seq, t)` of every IMU line in the LOG process's files in `dir`, oldest
/// file first (`appliance.log.N` ... `appliance.log.1`, `appliance.log`).
/// Panics on an IMU line without both: LOG never leaves a torn line.
pub fn logged_imu(dir: &Path) -> Vec<(u64, u64)> {
    let mut rotated: Vec<u32> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| {
                    e.file_name()
                        .to_str()?
                        .strip_prefix("appliance.log.")?
                        .parse()
                        .ok()
                })
                .collect()
        })
        .unwrap_or_default();
    rotated.sort_unstable_by(|a, b| b.cmp(a));
    let files = rotated
        .iter()
        .map(|n| format!("appliance.log.{n}"))
        .chain(["appliance.log".to_owned()]);
    let mut samples = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(dir.join(&file)).unwrap_or_default();
        for line in text.lines() {
            let Some((_, body)) = line.split_once(" IMU ") else {
                continue;
            };
            let field = |key: &str| {
                body.split(' ')
                    .find_map(|f| f.strip_prefix(key)?.parse::<u64>().ok())
                    .unwrap_or_else(|| panic!("no {key} in {file}: {line}"))
            };
            samples.push((field("seq="), field("t=")));
        }
    }
    samples
}
