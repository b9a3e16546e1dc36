//! The store's rules: codes, sessions, caps, expiry, what is saved.

use super::*;

const CB: &str = "http://127.0.0.1:3000/api/auth/callback";
const NOW: u64 = 1_800_000_000_000;

fn signed_in() -> (Store, Session, String, String) {
    let mut store = Store::new(crate::config::DEFAULT_MAX_SESSIONS);
    let session = store.create_session("ada@example.com", NOW);
    let verifier = crate::centralauth::new_verifier();
    let code = store.issue_code(
        &session.id,
        &format!("{CB}?return_to=%2F"),
        &challenge_s256(&verifier),
        NOW,
    );
    (store, session, code, verifier)
}

#[test]
fn code_is_redeemed_once_with_the_right_verifier() {
    let (mut store, session, code, verifier) = signed_in();
    let redeemed = store.redeem_code(&code, CB, &verifier, NOW + 1).unwrap();
    assert_eq!(redeemed, session);
    assert_eq!(
        store.redeem_code(&code, CB, &verifier, NOW + 2).err(),
        Some(VerifyError::CodeInvalid)
    );
    assert_eq!(store.counts(), (1, 0));
}

#[test]
fn wrong_verifier_or_callback_is_refused_and_burns_the_code() {
    let (mut store, _, code, verifier) = signed_in();
    assert_eq!(
        store
            .redeem_code(&code, CB, "x".repeat(43).as_str(), NOW)
            .err(),
        Some(VerifyError::ChallengeInvalid)
    );
    assert_eq!(
        store.redeem_code(&code, CB, &verifier, NOW).err(),
        Some(VerifyError::CodeInvalid)
    );
    let (mut store, _, code, _) = signed_in();
    assert_eq!(
        store.redeem_code(&code, CB, "undefined", NOW).err(),
        Some(VerifyError::ChallengeMissing)
    );
    let (mut store, _, code, _) = signed_in();
    assert_eq!(
        store
            .redeem_code(
                &code,
                "http://evil.example/api/auth/callback",
                &verifier,
                NOW
            )
            .err(),
        Some(VerifyError::CallbackMismatch)
    );
}

#[test]
fn a_code_expires_and_an_ended_session_redeems_nothing() {
    let (mut store, _, code, verifier) = signed_in();
    assert_eq!(
        store
            .redeem_code(&code, CB, &verifier, NOW + CODE_TTL_MS)
            .err(),
        Some(VerifyError::CodeInvalid)
    );
    let (mut store, session, code, verifier) = signed_in();
    assert!(store.end_session(&session.id));
    assert!(!store.end_session(&session.id));
    assert_eq!(
        store.redeem_code(&code, CB, &verifier, NOW).err(),
        Some(VerifyError::SessionGone)
    );
    assert!(store.live_session(&session.id, NOW).is_none());
}

#[test]
fn sessions_expire_after_their_lifetime() {
    let (store, session, _, _) = signed_in();
    assert!(store
        .live_session(&session.id, NOW + SESSION_TTL_MS - 1)
        .is_some());
    assert!(store
        .live_session(&session.id, NOW + SESSION_TTL_MS)
        .is_none());
}

#[test]
fn live_sessions_are_capped_oldest_first() {
    let mut store = Store::new(3);
    let ids: Vec<String> = (0..5)
        .map(|i| {
            store
                .create_session(&format!("u{i}@example.com"), NOW + i)
                .id
        })
        .collect();
    assert_eq!(store.counts().0, 3);
    assert!(store.live_session(&ids[0], NOW + 5).is_none());
    assert!(store.live_session(&ids[1], NOW + 5).is_none());
    for id in &ids[2..] {
        assert!(store.live_session(id, NOW + 5).is_some());
    }
}

#[test]
fn expired_sessions_and_codes_are_evicted_not_just_ignored() {
    let (mut store, _, _, _) = signed_in();
    assert_eq!(store.counts(), (1, 1));
    store.create_session("grace@example.com", NOW + SESSION_TTL_MS);
    assert_eq!(store.counts(), (1, 0));
}

#[test]
fn codes_are_capped_oldest_first() {
    let mut store = Store::new(10);
    let s = store.create_session("ada@example.com", NOW);
    let first = store.issue_code(&s.id, CB, "c", NOW);
    for _ in 0..MAX_CODES {
        store.issue_code(&s.id, CB, "c", NOW);
    }
    assert_eq!(store.counts().1, MAX_CODES);
    assert_eq!(
        store.redeem_code(&first, CB, "v", NOW).err(),
        Some(VerifyError::CodeInvalid)
    );
}

#[test]
fn what_is_saved_comes_back_in_order_without_the_expired() {
    let (mut store, session, code, verifier) = signed_in();
    let later = store.create_session("grace@example.com", NOW + 10);
    let saved = store.durable();
    assert_eq!(saved.sessions, vec![session.clone(), later.clone()]);
    let json = serde_json::to_string(&saved).unwrap();

    let mut restored = Store::new(crate::config::DEFAULT_MAX_SESSIONS);
    restored.restore(serde_json::from_str(&json).unwrap(), NOW + 20);
    assert_eq!(restored.durable(), saved);
    assert_eq!(
        restored
            .redeem_code(&code, CB, &verifier, NOW + 30)
            .unwrap(),
        session
    );

    let mut late = Store::new(crate::config::DEFAULT_MAX_SESSIONS);
    late.restore(
        serde_json::from_str(&json).unwrap(),
        NOW + SESSION_TTL_MS + 5,
    );
    assert_eq!(late.counts(), (1, 0));
    assert!(late
        .live_session(&later.id, NOW + SESSION_TTL_MS + 5)
        .is_some());
}

#[test]
fn every_change_to_durable_state_bumps_the_version() {
    let (mut store, session, code, verifier) = signed_in();
    let v = store.version();
    store.redeem_code(&code, CB, &verifier, NOW).unwrap();
    let v2 = store.version();
    assert!(v2 > v);
    store.record(CallRecord {
        endpoint: Endpoint::Verify,
        basic_auth_ok: true,
        content_type: None,
        auth_ip: None,
        token_fingerprint: None,
        session_id: None,
        status: 200,
    });
    assert_eq!(store.version(), v2, "the call log is not durable");
    store.end_session(&session.id);
    assert!(store.version() > v2);
}

#[test]
fn faults_count_down_and_match_their_endpoint() {
    let mut store = Store::new(1);
    store.add_fault(Fault {
        endpoint: Some(Endpoint::Logout),
        status: Some(500),
        times: Some(2),
        ..Fault::default()
    });
    assert!(store.take_fault(Endpoint::Userinfo).is_none());
    assert!(store.take_fault(Endpoint::Logout).is_some());
    assert!(store.take_fault(Endpoint::Logout).is_some());
    assert!(store.take_fault(Endpoint::Logout).is_none());
}
