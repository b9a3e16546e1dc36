//! Affirmation, the pure part: whether a user affirmed recently enough, and
//! the short-lived cookie that tells the callback an affirmation is under
//! way and for whom. CentralAuth's NPM library decides that from an
//! `affirm=1` in the callback URL, which anyone can drop or add; here the
//! expectation is signed, bound to the browser's PKCE verifier (so it
//! belongs to this very sign-in), and expires.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use cookie::time::{format_description::well_known::Rfc3339, OffsetDateTime};

use super::state::{encode_mac, mac_matches, StateKey};

/// The pending-affirmation cookie on http origins, and on https ones.
pub const PENDING: &str = "affirm_pending";
pub const HOST_PENDING: &str = "__Host-affirm_pending";
/// As long as a sign-in may take.
pub const PENDING_MAX_AGE_SECS: i64 = 10 * 60;
/// Tolerated clock difference with CentralAuth.
const FUTURE_SKEW_SECS: i64 = 60;

pub const fn pending_cookie(secure: bool) -> &'static str {
    if secure {
        HOST_PENDING
    } else {
        PENDING
    }
}

/// Who must come back from CentralAuth's affirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    pub user_id: String,
    pub email: String,
}

impl Expected {
    /// The same user: the same id and e-mail (e-mail compared without case,
    /// as CentralAuth treats addresses).
    pub fn matches(&self, user_id: &str, email: &str) -> bool {
        self.user_id == user_id && self.email.eq_ignore_ascii_case(email)
    }
}

fn payload(user: &Expected, issued: u64) -> String {
    format!(
        "v1.{}.{}.{issued}",
        URL_SAFE_NO_PAD.encode(&user.user_id),
        URL_SAFE_NO_PAD.encode(&user.email)
    )
}

fn mac_input(verifier: &str, payload: &str) -> String {
    format!("affirm/v1.{}.{verifier}.{payload}", verifier.len())
}

/// The cookie's value: `v1.<id>.<email>.<unix seconds>.<signature>`.
pub fn sign_pending(key: &StateKey, now_unix: u64, verifier: &str, user: &Expected) -> String {
    let payload = payload(user, now_unix);
    let sig = encode_mac(key.mac(&mac_input(verifier, &payload)));
    format!("{payload}.{sig}")
}

/// The expectation in `value`, if this server signed it for the browser
/// holding `verifier` less than [`PENDING_MAX_AGE_SECS`] ago.
pub fn read_pending(
    key: &StateKey,
    value: &str,
    verifier: &str,
    now_unix: u64,
) -> Option<Expected> {
    if verifier.is_empty() {
        return None;
    }
    let (payload, sig) = value.rsplit_once('.')?;
    if !mac_matches(key.mac(&mac_input(verifier, payload)), sig) {
        return None;
    }
    let mut parts = payload.split('.');
    let (Some("v1"), Some(id), Some(email), Some(issued), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    let issued: i64 = issued.parse().ok()?;
    let age = now_unix as i64 - issued;
    if !(-FUTURE_SKEW_SECS..=PENDING_MAX_AGE_SECS).contains(&age) {
        return None;
    }
    let text = |b64: &str| String::from_utf8(URL_SAFE_NO_PAD.decode(b64).ok()?).ok();
    Some(Expected {
        user_id: text(id)?,
        email: text(email)?,
    })
}

/// Whether CentralAuth's `affirmationDate` (RFC 3339) lies at most
/// `max_age_secs` before `now_unix`. Missing, unreadable or in the future
/// (beyond a minute of clock skew): no, so the action asks again.
pub fn affirmed_within(affirmation_date: Option<&str>, max_age_secs: u64, now_unix: u64) -> bool {
    let Some(at) = affirmation_date.and_then(|d| OffsetDateTime::parse(d.trim(), &Rfc3339).ok())
    else {
        return false;
    };
    let age = now_unix as i64 - at.unix_timestamp();
    (-FUTURE_SKEW_SECS..=max_age_secs as i64).contains(&age)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const NOW: u64 = 1_800_000_000;

    fn key() -> StateKey {
        StateKey::derive("dev-secret-not-for-production-v2")
    }

    fn ada() -> Expected {
        Expected {
            user_id: "dev-1".into(),
            email: "ada@example.com".into(),
        }
    }

    #[test]
    fn a_pending_affirmation_reads_back_only_for_its_browser_and_in_time() {
        let v = sign_pending(&key(), NOW, "verifier-a", &ada());
        assert_eq!(
            read_pending(&key(), &v, "verifier-a", NOW + 30),
            Some(ada())
        );
        assert_eq!(
            read_pending(&key(), &v, "verifier-b", NOW),
            None,
            "another browser"
        );
        assert_eq!(read_pending(&key(), &v, "", NOW), None, "no verifier");
        assert_eq!(
            read_pending(&key(), &v, "verifier-a", NOW + 601),
            None,
            "expired"
        );
        assert_eq!(
            read_pending(&key(), &v, "verifier-a", NOW - 61),
            None,
            "from the future"
        );
        let other = StateKey::derive("another-secret-of-32-bytes-long!");
        assert_eq!(
            read_pending(&other, &v, "verifier-a", NOW),
            None,
            "another key"
        );
        // Another user named in an otherwise valid value.
        let eve = payload(
            &Expected {
                user_id: "dev-2".into(),
                email: "eve@example.com".into(),
            },
            NOW,
        );
        let forged = format!("{eve}.{}", v.rsplit_once('.').unwrap().1);
        assert_eq!(
            read_pending(&key(), &forged, "verifier-a", NOW),
            None,
            "forged"
        );
    }

    #[test]
    fn the_same_user_is_the_same_id_and_address() {
        assert!(ada().matches("dev-1", "Ada@Example.com"));
        assert!(!ada().matches("dev-2", "ada@example.com"));
        assert!(!ada().matches("dev-1", "eve@example.com"));
    }

    #[test]
    fn recent_means_within_the_window_and_not_from_the_future() {
        let at = |secs_ago: i64| {
            OffsetDateTime::from_unix_timestamp(NOW as i64 - secs_ago)
                .unwrap()
                .format(&Rfc3339)
                .unwrap()
        };
        assert!(affirmed_within(Some(&at(0)), 300, NOW));
        assert!(affirmed_within(Some(&at(300)), 300, NOW));
        assert!(!affirmed_within(Some(&at(301)), 300, NOW));
        assert!(affirmed_within(Some(&at(-30)), 300, NOW), "small skew");
        assert!(
            !affirmed_within(Some(&at(-3600)), 300, NOW),
            "an hour ahead"
        );
        // CentralAuth writes milliseconds; 1_800_000_000 is 2027-01-15T08:00:00Z.
        assert!(affirmed_within(Some("2027-01-15T08:00:00.123Z"), 300, NOW));
        assert!(affirmed_within(Some("2027-01-15T09:00:00+01:00"), 300, NOW));
        for bad in [
            None,
            Some(""),
            Some("yesterday"),
            Some("2026-13-01T00:00:00Z"),
        ] {
            assert!(!affirmed_within(bad, 300, NOW), "{bad:?}");
        }
    }

    proptest! {
        /// Any user round-trips; any other value, or any change, is refused.
        #[test]
        fn only_what_was_signed_reads_back(
            id in "\\PC{0,40}", email in "\\PC{0,60}", junk in "\\PC{0,120}", flip in 0usize..200
        ) {
            let user = Expected { user_id: id, email };
            let v = sign_pending(&key(), NOW, "verifier-a", &user);
            prop_assert_eq!(read_pending(&key(), &v, "verifier-a", NOW), Some(user));
            prop_assert_eq!(read_pending(&key(), &junk, "verifier-a", NOW), None);
            let mut bytes = v.clone().into_bytes();
            let i = flip % bytes.len();
            bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
            if let Ok(changed) = String::from_utf8(bytes) {
                if changed != v {
                    prop_assert_eq!(read_pending(&key(), &changed, "verifier-a", NOW), None);
                }
            }
        }
    }
}
