//! Fuzzes the topology parser with arbitrary UTF-8 and checks what must
//! hold for any text: no panic; a rejected text gets at least one
//! diagnostic, each naming the given path and a line:column inside the
//! text, in file order; an accepted text parses again to the same
//! topology. `parse` looks for the programs on disk: that only decides
//! which diagnostics there are.

#![no_main]

use std::path::Path;

use applianced::topology::{Topology, TopologyError};
use libfuzzer_sys::fuzz_target;
use test_support::position_in;

/// Where diagnostics say the text came from (it need not exist).
const PATH: &str = "fuzz/topology.toml";

fuzz_target!(|text: &str| {
    match Topology::parse(text, PATH) {
        Ok(topology) => {
            let again = Topology::parse(text, PATH).expect("parsed once, fails the second time");
            assert_eq!(topology, again, "a second parse differs");
        }
        Err(TopologyError::Invalid(diagnostics)) => {
            assert!(!diagnostics.is_empty(), "rejected without a diagnostic");
            for d in &diagnostics {
                assert_eq!(d.path, Path::new(PATH));
                assert!(
                    position_in(text, d.line, d.column),
                    "{}:{} is outside the text: {d}",
                    d.line,
                    d.column
                );
                assert!(!d.to_string().is_empty());
            }
            assert!(
                diagnostics
                    .windows(2)
                    .all(|w| (w[0].line, w[0].column) <= (w[1].line, w[1].column)),
                "diagnostics out of file order"
            );
        }
        Err(e @ TopologyError::Read { .. }) => panic!("parse read a file: {e}"),
    }
});
