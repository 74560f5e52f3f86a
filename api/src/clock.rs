//! The one source of the current time. The app state, the claims engine and the job worker each
//! hold a [`Clock`]; services take `now` from it. Tests move it forward (all clones move
//! together) instead of backdating rows or sleeping. `clippy.toml` bans reading the system
//! clock anywhere else.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

/// The system clock, plus an offset that tests may advance.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_micros: Arc<AtomicI64>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self::default()
    }

    /// Now, as every part of the service sees it.
    #[expect(clippy::disallowed_methods, reason = "the one place that reads the system clock")]
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::microseconds(self.offset_micros.load(Ordering::Relaxed))
    }

    /// Moves this clock (and every clone of it) forward by `by`.
    pub fn advance(&self, by: Duration) {
        let micros = by.num_microseconds().unwrap_or(i64::MAX);
        self.offset_micros.fetch_add(micros, Ordering::Relaxed);
    }

    /// `now` plus a standard duration (saturating at an hour for absurd ones).
    pub fn after(&self, delay: std::time::Duration) -> DateTime<Utc> {
        self.now() + Duration::from_std(delay).unwrap_or(Duration::hours(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_advance_together() {
        let clock = Clock::system();
        let other = clock.clone();
        let before = other.now();
        clock.advance(Duration::days(2));
        let after = other.now();
        assert!(after - before >= Duration::days(2), "{before} → {after}");
        assert!(after - before < Duration::days(2) + Duration::minutes(1));
    }
}
