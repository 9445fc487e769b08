//! Linux signal names, in one place: `wire::signal_name` holds the table
//! (numbers 1 to 31); this is the lookup the other way.

/// The number of the Linux signal called `name` (`"SIGTERM"` gives 15).
/// Names are upper case with the `SIG` prefix, as `kill -l` prints them
/// with it.
pub fn signal_number(name: &str) -> Option<i32> {
    (1..=31u8)
        .find(|&n| wire::signal_name(n) == Some(name))
        .map(i32::from)
}

/// The name of signal `number`, if it is one of Linux's 1 to 31.
pub fn signal_name(number: i32) -> Option<&'static str> {
    wire::signal_name(u8::try_from(number).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers_round_trip() {
        assert_eq!(signal_number("SIGTERM"), Some(15));
        assert_eq!(signal_number("SIGKILL"), Some(9));
        assert_eq!(signal_number("SIGHUP"), Some(1));
        assert_eq!(signal_number("SIGSYS"), Some(31));
        assert_eq!(signal_number("TERM"), None);
        assert_eq!(signal_number("sigterm"), None);
        for n in 1..=31 {
            assert_eq!(signal_number(signal_name(n).unwrap()), Some(n));
        }
        assert_eq!(signal_name(0), None);
        assert_eq!(signal_name(32), None);
        assert_eq!(signal_name(-1), None);
    }
}
