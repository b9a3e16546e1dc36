//! Affirmation in the development provider: the session stays, only its
//! affirmation date moves. And, for tests, sessions made older.

use super::Store;

impl Store {
    /// Marks a live session affirmed at `now`; false when it is gone.
    pub fn affirm_session(&mut self, id: &str, now: u64) -> bool {
        match self.sessions.by_key.get_mut(id) {
            Some((_, session)) if session.expires > now => {
                session.affirmed = Some(now);
                self.version += 1;
                true
            }
            _ => false,
        }
    }

    /// Every session as if it had been created (and affirmed) `by_ms`
    /// earlier; when it expires does not change.
    pub fn age_sessions(&mut self, by_ms: u64) {
        for (_, session) in self.sessions.by_key.values_mut() {
            session.created = session.created.saturating_sub(by_ms);
            session.affirmed = session.affirmed.map(|a| a.saturating_sub(by_ms));
        }
        self.version += 1;
    }
}
