//! The delay between two attempts to bring a failed device back.

use std::time::Duration;

/// Exponential backoff: the first retry after `initial`, each next one
/// after twice the last, never more than `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Delay before the first retry.
    pub initial: Duration,
    /// Longest delay.
    pub max: Duration,
}

impl Default for Backoff {
    /// 10 ms doubling up to 2 s: a glitch costs one sample period or two,
    /// a device gone for good costs one attempt every 2 s.
    fn default() -> Self {
        Backoff {
            initial: Duration::from_millis(10),
            max: Duration::from_secs(2),
        }
    }
}

impl Backoff {
    /// The delay after `failures` failed attempts in a row (1 for the
    /// first): `initial * 2^(failures-1)`, capped at `max`.
    pub fn delay(&self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(31);
        self.initial
            .checked_mul(1 << doublings)
            .map_or(self.max, |d| d.min(self.max))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_from_initial_up_to_max() {
        let b = Backoff::default();
        let ms = |n| b.delay(n).as_millis();
        assert_eq!(
            [ms(0), ms(1), ms(2), ms(3), ms(4), ms(8), ms(9)],
            [10, 10, 20, 40, 80, 1280, 2000]
        );
        assert_eq!(ms(10), 2000);
        assert_eq!(ms(u32::MAX), 2000);
    }

    #[test]
    fn an_overflowing_product_is_the_max() {
        let b = Backoff {
            initial: Duration::MAX / 2,
            max: Duration::from_secs(5),
        };
        assert_eq!(b.delay(1), Duration::from_secs(5));
        assert_eq!(b.delay(3), Duration::from_secs(5));
    }
}
