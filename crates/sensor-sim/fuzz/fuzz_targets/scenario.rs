//! Fuzzes the scenario parser with arbitrary UTF-8 and checks what must
//! hold for any text: no panic; an error names a line:column inside the
//! text; an accepted scenario parses again to the same value, and
//! evaluating it (inputs, faults, NACK bursts, resets) at any time, the
//! extremes included, does not panic either.

#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use sensor_sim::{Device, Scenario};
use test_support::position_in;

fuzz_target!(|text: &str| {
    match Scenario::parse(text) {
        Ok(scenario) => {
            assert_eq!(
                Scenario::parse(text).as_ref(),
                Ok(&scenario),
                "a second parse differs"
            );
            let mut times = vec![
                Duration::ZERO,
                Duration::from_micros(1),
                Duration::from_millis(1500),
                Duration::from_secs(3600),
                Duration::from_secs(u64::from(u32::MAX)),
                Duration::MAX,
            ];
            if let Some(period) = scenario.loop_period() {
                times.extend([period, period.saturating_mul(3), period / 2]);
            }
            for &t in &times {
                let _ = scenario.imu_at(t);
                let _ = scenario.light_at(t);
                for device in [Device::Imu, Device::Light] {
                    let _ = scenario.fault_at(device, t);
                    let _ = scenario.nack_burst_between(device, None, t);
                    let _ = scenario.last_reset_between(device, None, t);
                    let _ = scenario.nack_burst_between(device, Some(t / 2), t);
                    let _ = scenario.last_reset_between(device, Some(t / 2), t);
                }
            }
        }
        Err(e) => assert!(
            position_in(text, e.line, e.column),
            "{}:{} is outside the text: {e}",
            e.line,
            e.column
        ),
    }
});
