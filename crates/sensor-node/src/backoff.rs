//! The delay between two attempts to bring a failed device back.

use std::time::Duration;

/// When the next attempt comes after a run of failed ones.
///
/// At start the attempts back off exponentially: the first retry after
/// `initial`, each next one after twice the last, never more than `max`
/// ([`Backoff::delay`]). A device that fails while running (an I/O error
/// episode) first gets `quick_retries` retries `quick` apart, and only
/// then the same exponential backoff ([`Backoff::recovery_delay`]): a NACK
/// burst of a few transactions (a part busy for a moment, a glitch on the
/// bus) costs a few milliseconds instead of a doubling delay per NACK,
/// while a part that is gone still gets one attempt every `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Delay before the first retry.
    pub initial: Duration,
    /// Longest delay.
    pub max: Duration,
    /// Quick retries at the start of an I/O error episode.
    pub quick_retries: u32,
    /// Delay before each quick retry.
    pub quick: Duration,
}

impl Default for Backoff {
    /// 10 ms doubling up to 2 s, after 3 quick retries 1 ms apart in an
    /// episode: a glitch costs one sample period or two, a device gone for
    /// good costs one attempt every 2 s.
    fn default() -> Self {
        Backoff {
            initial: Duration::from_millis(10),
            max: Duration::from_secs(2),
            quick_retries: 3,
            quick: Duration::from_millis(1),
        }
    }
}

/// Which delay [`Backoff::recovery_delay`] chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// A quick retry.
    Quick(Duration),
    /// A step of the exponential backoff.
    Backoff(Duration),
}

impl Retry {
    /// The delay.
    pub fn delay(self) -> Duration {
        match self {
            Retry::Quick(d) | Retry::Backoff(d) => d,
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

    /// The delay after `failures` failures in a row in an I/O error
    /// episode (1: the operation that started it): a quick retry for the
    /// first `quick_retries`, then [`Backoff::delay`] counted from there.
    pub fn recovery_delay(&self, failures: u32) -> Retry {
        if failures <= self.quick_retries {
            Retry::Quick(self.quick)
        } else {
            Retry::Backoff(self.delay(failures - self.quick_retries))
        }
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
            ..Backoff::default()
        };
        assert_eq!(b.delay(1), Duration::from_secs(5));
        assert_eq!(b.delay(3), Duration::from_secs(5));
    }

    #[test]
    fn an_episode_retries_quickly_then_backs_off_from_initial() {
        let b = Backoff::default();
        let quick = Retry::Quick(Duration::from_millis(1));
        let backoff = |ms| Retry::Backoff(Duration::from_millis(ms));
        let steps: Vec<Retry> = (1..=7).map(|n| b.recovery_delay(n)).collect();
        assert_eq!(
            steps,
            [
                quick,
                quick,
                quick,
                backoff(10),
                backoff(20),
                backoff(40),
                backoff(80)
            ]
        );
        assert_eq!(b.recovery_delay(u32::MAX), backoff(2000));
        let none = Backoff {
            quick_retries: 0,
            ..b
        };
        assert_eq!(none.recovery_delay(1), backoff(10));
    }
}
