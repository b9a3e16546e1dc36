//! An opt-in, short memory of CentralAuth's answers about a session
//! (`AUTH_SESSION_CACHE_SECONDS`, default 0: off, every page asks).
//!
//! CentralAuth binds a session to the browser's address and agent, so an
//! answer is remembered for exactly that token, address and agent: a stolen
//! cookie replayed from elsewhere still goes to CentralAuth. Keys are
//! SHA-256 digests, so no token is kept. The trade-off, said in the README:
//! a "log out everywhere" done in another app shows here only after at most
//! the TTL. A logout on this server, and any "session gone" answer, forget
//! the token at once (every address and agent).

use std::{
    collections::{HashMap, VecDeque},
    sync::Mutex,
    time::{Duration, Instant},
};

use sha2::{Digest, Sha256};

use super::{ClientContext, User};

type Digest32 = [u8; 32];

pub struct SessionCache {
    ttl: Duration,
    max_entries: usize,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<Digest32, Entry>,
    /// Insertion order, for eviction; stale keys are skipped.
    order: VecDeque<(Digest32, Instant)>,
}

struct Entry {
    token: Digest32,
    user: User,
    stored: Instant,
}

fn token_digest(token: &str) -> Digest32 {
    Sha256::digest(token.as_bytes()).into()
}

/// Token, address and agent, unambiguously framed.
fn binding_key(token: &str, client: &ClientContext) -> Digest32 {
    let ip = client.ip.map(|ip| ip.to_string()).unwrap_or_default();
    let agent = client.user_agent.as_deref().unwrap_or_default();
    let mut h = Sha256::new();
    for part in [token, &ip, agent] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().into()
}

impl SessionCache {
    /// How many answers are kept at most; the oldest go first.
    pub const MAX_ENTRIES: usize = 10_000;

    pub fn new(ttl: Duration, max_entries: usize) -> Self {
        Self {
            ttl,
            max_entries: max_entries.max(1),
            inner: Mutex::new(Inner::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic elsewhere cannot leave the map half-updated in a way that
        // matters: at worst an answer is asked for again.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The remembered user, if this token was answered for this address and
    /// agent less than the TTL ago.
    pub fn get(&self, token: &str, client: &ClientContext, now: Instant) -> Option<User> {
        let key = binding_key(token, client);
        let mut inner = self.lock();
        match inner.entries.get(&key) {
            Some(e) if now.saturating_duration_since(e.stored) < self.ttl => Some(e.user.clone()),
            Some(_) => {
                inner.entries.remove(&key);
                None
            }
            None => None,
        }
    }

    pub fn insert(&self, token: &str, client: &ClientContext, user: User, now: Instant) {
        let key = binding_key(token, client);
        let mut inner = self.lock();
        while inner.entries.len() >= self.max_entries && !inner.entries.contains_key(&key) {
            let Some((old, stored)) = inner.order.pop_front() else {
                break;
            };
            if inner.entries.get(&old).is_some_and(|e| e.stored == stored) {
                inner.entries.remove(&old);
            }
        }
        inner.entries.insert(
            key,
            Entry {
                token: token_digest(token),
                user,
                stored: now,
            },
        );
        inner.order.push_back((key, now));
        // Keys replaced or forgotten leave stale places behind; keep the
        // queue within a small multiple of the map.
        if inner.order.len() > 2 * self.max_entries {
            let Inner { entries, order } = &mut *inner;
            order.retain(|(k, t)| entries.get(k).is_some_and(|e| e.stored == *t));
        }
    }

    /// Forgets every answer for this token, whatever address or agent,
    /// and says whose session it was, if it knew.
    pub fn forget(&self, token: &str) -> Option<User> {
        let digest = token_digest(token);
        let mut user = None;
        self.lock().entries.retain(|_, e| {
            let keep = e.token != digest;
            if !keep {
                user.get_or_insert_with(|| e.user.clone());
            }
            keep
        });
        user
    }

    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{IpAddr, Ipv4Addr};

    fn client(ip: u8, agent: &str) -> ClientContext {
        ClientContext {
            ip: Some(IpAddr::V4(Ipv4Addr::new(203, 0, 113, ip))),
            user_agent: Some(agent.to_string()),
        }
    }

    fn user(email: &str) -> User {
        User {
            id: email.to_string(),
            email: email.to_string(),
            gravatar: None,
            verified: true,
            blocked: false,
            organization_id: None,
            created: None,
            updated: None,
            last_login: None,
            affirmation_date: None,
        }
    }

    const TTL: Duration = Duration::from_secs(30);

    #[test]
    fn an_answer_is_reused_within_the_ttl_and_not_after() {
        let cache = SessionCache::new(TTL, 100);
        let t0 = Instant::now();
        cache.insert("tok", &client(1, "ua"), user("ada@example.com"), t0);
        assert_eq!(
            cache.get("tok", &client(1, "ua"), t0 + TTL - Duration::from_millis(1)),
            Some(user("ada@example.com"))
        );
        assert_eq!(cache.get("tok", &client(1, "ua"), t0 + TTL), None);
        assert!(cache.is_empty(), "an expired answer is dropped when met");
    }

    #[test]
    fn another_address_agent_or_token_is_asked_again() {
        let cache = SessionCache::new(TTL, 100);
        let t0 = Instant::now();
        cache.insert("tok", &client(1, "ua"), user("ada@example.com"), t0);
        assert_eq!(cache.get("tok", &client(2, "ua"), t0), None);
        assert_eq!(cache.get("tok", &client(1, "other"), t0), None);
        assert_eq!(cache.get("tok2", &client(1, "ua"), t0), None);
        let no_ip = ClientContext {
            ip: None,
            user_agent: Some("ua".into()),
        };
        assert_eq!(cache.get("tok", &no_ip, t0), None);
        // Framing: moving bytes between the parts is another key.
        cache.insert("ab", &client(1, "c"), user("x@example.com"), t0);
        assert_eq!(cache.get("a", &client(1, "bc"), t0), None);
    }

    #[test]
    fn forgetting_a_token_drops_it_for_every_address_and_agent_only() {
        let cache = SessionCache::new(TTL, 100);
        let t0 = Instant::now();
        cache.insert("tok", &client(1, "ua"), user("ada@example.com"), t0);
        cache.insert("tok", &client(2, "ua2"), user("ada@example.com"), t0);
        cache.insert("other", &client(1, "ua"), user("bob@example.com"), t0);
        cache.forget("tok");
        assert_eq!(cache.get("tok", &client(1, "ua"), t0), None);
        assert_eq!(cache.get("tok", &client(2, "ua2"), t0), None);
        assert_eq!(
            cache.get("other", &client(1, "ua"), t0),
            Some(user("bob@example.com"))
        );
    }

    #[test]
    fn the_size_is_bounded_and_the_oldest_go_first() {
        let cache = SessionCache::new(TTL, 3);
        let t0 = Instant::now();
        for i in 0..5u8 {
            cache.insert(
                &format!("tok{i}"),
                &client(i, "ua"),
                user("a@example.com"),
                t0 + Duration::from_millis(i.into()),
            );
            assert!(cache.len() <= 3);
        }
        assert_eq!(cache.len(), 3);
        assert_eq!(cache.get("tok0", &client(0, "ua"), t0), None);
        assert_eq!(cache.get("tok1", &client(1, "ua"), t0), None);
        assert!(cache.get("tok4", &client(4, "ua"), t0).is_some());
        // Refreshing a key at the cap evicts nothing.
        cache.insert("tok4", &client(4, "ua"), user("b@example.com"), t0);
        assert_eq!(cache.len(), 3);
    }

    #[test]
    fn many_refreshes_of_one_key_keep_the_queue_small() {
        let cache = SessionCache::new(TTL, 4);
        let t0 = Instant::now();
        for i in 0..1000u64 {
            cache.insert(
                "tok",
                &client(1, "ua"),
                user("a@example.com"),
                t0 + Duration::from_micros(i),
            );
        }
        assert_eq!(cache.len(), 1);
        assert!(cache.lock().order.len() <= 8);
    }
}
