//! The app's auth cookies. One builder makes both the `Set-Cookie` that sets
//! a cookie and the one that clears it, so their attributes cannot drift
//! (a clear with another Path or Domain would leave the cookie in place).
//!
//! Names: on plain-http origins (development) the NPM library's names. On
//! https origins the same names with the `__Host-` prefix, which browsers
//! accept only host-only, `Secure` and `Path=/`: a sibling subdomain cannot
//! plant ("toss") a cookie of that name with a wider Domain or a longer
//! Path that would shadow ours and survive our logout.

use cookie::{time::Duration, Cookie, SameSite};

/// The session cookie on http origins; name kept from CentralAuth's NPM library.
pub const ACCESS_TOKEN: &str = "access_token";
/// The PKCE verifier between login and callback, on http origins.
pub const CODE_VERIFIER: &str = "code_verifier";
/// The session cookie on https origins.
pub const HOST_ACCESS_TOKEN: &str = "__Host-access_token";
/// The PKCE verifier on https origins.
pub const HOST_CODE_VERIFIER: &str = "__Host-code_verifier";
/// Never set by this app, but cleared on logout in case a sibling app using
/// the NPM library's `unsafeIncludeUser` left one on this origin. Read as a
/// session only on http origins: on https it has no prefix to protect it.
pub const ID_TOKEN: &str = "id_token";

/// The session cookie's name for an origin with (`secure`) or without https.
pub const fn access_token(secure: bool) -> &'static str {
    if secure {
        HOST_ACCESS_TOKEN
    } else {
        ACCESS_TOKEN
    }
}

/// The PKCE verifier cookie's name.
pub const fn code_verifier(secure: bool) -> &'static str {
    if secure {
        HOST_CODE_VERIFIER
    } else {
        CODE_VERIFIER
    }
}

/// What a redirecting logout did, for the page it lands on (`here` or
/// `everywhere`), on http origins; read once, then cleared.
pub const LOGGED_OUT: &str = "logged_out";
/// The same on https origins.
pub const HOST_LOGGED_OUT: &str = "__Host-logged_out";
/// Long enough for the redirect to land, short enough not to speak for a
/// later visit.
pub const LOGGED_OUT_MAX_AGE_SECS: i64 = 60;

/// The logout-outcome cookie's name.
pub const fn logged_out(secure: bool) -> &'static str {
    if secure {
        HOST_LOGGED_OUT
    } else {
        LOGGED_OUT
    }
}

/// `Set-Cookie` for the outcome of a logout that redirects.
pub fn logout_outcome(everywhere: bool, secure: bool) -> String {
    let value = if everywhere { "everywhere" } else { "here" };
    set(logged_out(secure), value, LOGGED_OUT_MAX_AGE_SECS, secure)
}

/// Reads that cookie's value: `Some(everywhere)`, `None` for anything else.
pub fn logout_outcome_from(value: &str) -> Option<bool> {
    match value {
        "everywhere" => Some(true),
        "here" => Some(false),
        _ => None,
    }
}

/// Every cookie a logout clears.
pub const fn all(secure: bool) -> [&'static str; 3] {
    [access_token(secure), code_verifier(secure), ID_TOKEN]
}

/// The session token a request carries, as this origin recognises it.
pub fn session(headers: &http::HeaderMap, secure: bool) -> Option<String> {
    read(headers, access_token(secure)).or_else(|| {
        if secure {
            None
        } else {
            read(headers, ID_TOKEN)
        }
    })
}

/// A browser stores at most 4,096 bytes of name and value per cookie, so a
/// longer token cannot have come from our `Set-Cookie`.
pub const MAX_TOKEN_BYTES: usize = 4096;

/// Whether a cookie value can be a CentralAuth token: a compact JWE (five
/// base64url parts, only the encrypted key may be empty, as with `dir`) of
/// at most [`MAX_TOKEN_BYTES`]. Anything else is no session, and costs no
/// call to CentralAuth with the organisation's credentials.
pub fn plausible_token(value: &str) -> bool {
    if value.len() > MAX_TOKEN_BYTES {
        return false;
    }
    let mut parts = value.split('.');
    let mut count = 0;
    let well_formed = parts.all(|part| {
        count += 1;
        let b64url = part
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        // Part 2 is the encrypted key: empty for direct encryption.
        b64url && (count == 2 || !part.is_empty())
    });
    well_formed && count == 5
}

pub const CODE_VERIFIER_MAX_AGE_SECS: i64 = 3600;
/// Used when CentralAuth gives neither `expires_in` nor `expires_at`: the
/// cookie is only a carrier, CentralAuth still checks the session on every
/// request, so a day keeps stale cookies from lingering.
pub const ACCESS_TOKEN_FALLBACK_MAX_AGE_SECS: i64 = 24 * 3600;

fn builder(name: &'static str, value: String, secure: bool) -> cookie::CookieBuilder<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
}

/// `Set-Cookie` value that sets `name`.
pub fn set(name: &'static str, value: &str, max_age_secs: i64, secure: bool) -> String {
    builder(name, value.to_string(), secure)
        .max_age(Duration::seconds(max_age_secs.max(0)))
        .build()
        .to_string()
}

/// `Set-Cookie` value that removes `name`: same attributes, empty value,
/// `Max-Age=0` and an `Expires` in the past for old browsers.
pub fn clear(name: &'static str, secure: bool) -> String {
    builder(name, String::new(), secure)
        .max_age(Duration::ZERO)
        .expires(cookie::time::OffsetDateTime::UNIX_EPOCH)
        .build()
        .to_string()
}

/// The `Set-Cookie` values that clear every auth cookie. They never change
/// for a process, so they are formatted once.
pub fn clear_all(secure: bool) -> Vec<String> {
    static CLEARED: std::sync::OnceLock<[Vec<String>; 2]> = std::sync::OnceLock::new();
    let [insecure, secure_set] = CLEARED.get_or_init(|| {
        [false, true].map(|secure| all(secure).iter().map(|name| clear(name, secure)).collect())
    });
    if secure {
        secure_set.clone()
    } else {
        insecure.clone()
    }
}

/// Reads one cookie from the request's `Cookie` headers.
pub fn read(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| {
            let (k, v) = pair.trim().split_once('=')?;
            (k == name).then(|| v.to_string())
        })
        .find(|v| !v.is_empty())
}

/// Seconds the access-token cookie should live.
pub fn access_token_max_age(expires_in: Option<u64>, expires_at: Option<&str>) -> i64 {
    if let Some(secs) = expires_in {
        return secs.min(i64::MAX as u64) as i64;
    }
    if let Some(at) = expires_at.and_then(|s| {
        cookie::time::OffsetDateTime::parse(
            s,
            &cookie::time::format_description::well_known::Rfc3339,
        )
        .ok()
    }) {
        return (at - cookie::time::OffsetDateTime::now_utc())
            .whole_seconds()
            .max(0);
    }
    ACCESS_TOKEN_FALLBACK_MAX_AGE_SECS
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn only_a_compact_jwe_of_cookie_size_is_a_token() {
        assert!(plausible_token("eyJh.a_b-c.iv.cipher.tag"));
        // `dir`: no encrypted key.
        assert!(plausible_token("eyJh..iv.cipher.tag"));
        for bad in [
            "",
            "dev_at_unknown",
            "a.b.c",
            "a.b.c.d",
            "a.b.c.d.e.f",
            ".b.c.d.e",
            "a.b..d.e",
            "a.b.c.d.",
            "a.b.c.d.e=",
            "a.b.c+d.e",
            "a.b.c/d.e",
            "a.b.c d.e",
        ] {
            assert!(!plausible_token(bad), "{bad:?}");
        }
        let long = format!("h.k.i.{}.t", "c".repeat(MAX_TOKEN_BYTES));
        assert!(!plausible_token(&long));
        let at_limit = format!("h.k.i.{}.t", "c".repeat(MAX_TOKEN_BYTES - 8));
        assert_eq!(at_limit.len(), MAX_TOKEN_BYTES);
        assert!(plausible_token(&at_limit));
    }

    proptest! {
        /// Whatever a client puts in the cookie, what passes is five
        /// base64url parts within the size bound.
        #[test]
        fn what_passes_as_a_token_is_a_bounded_compact_jwe(value in "[ -~]{0,64}|[A-Za-z0-9_.=+/-]{0,5000}") {
            if plausible_token(&value) {
                prop_assert!(value.len() <= MAX_TOKEN_BYTES);
                let parts: Vec<&str> = value.split('.').collect();
                prop_assert_eq!(parts.len(), 5);
                for (i, p) in parts.iter().enumerate() {
                    prop_assert!(i == 1 || !p.is_empty());
                    prop_assert!(p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
                }
            }
        }
    }

    /// Attributes other than value and lifetime, as a browser keys them.
    fn identity(
        set_cookie: &str,
    ) -> (
        String,
        Option<String>,
        Option<String>,
        Option<bool>,
        Option<SameSite>,
        bool,
    ) {
        let c = Cookie::parse(set_cookie.to_string()).unwrap();
        (
            c.name().to_string(),
            c.path().map(str::to_string),
            c.domain().map(str::to_string),
            c.http_only(),
            c.same_site(),
            c.secure().unwrap_or(false),
        )
    }

    #[test]
    fn clearing_uses_exactly_the_setting_attributes() {
        for secure in [false, true] {
            for name in all(secure) {
                let set = set(name, "v", 60, secure);
                let clear = clear(name, secure);
                assert_eq!(identity(&set), identity(&clear), "{name} secure={secure}");
                let parsed = Cookie::parse(clear.clone()).unwrap();
                assert_eq!(parsed.value(), "");
                assert_eq!(parsed.max_age(), Some(Duration::ZERO));
                assert!(
                    clear.contains("Expires=Thu, 01 Jan 1970 00:00:00 GMT"),
                    "{clear}"
                );
            }
        }
    }

    #[test]
    fn access_token_cookie_has_the_specified_attributes() {
        let c = set(ACCESS_TOKEN, "tok", 3600, true);
        assert_eq!(
            c,
            "access_token=tok; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=3600"
        );
        let dev = set(ACCESS_TOKEN, "tok", 3600, false);
        assert!(!dev.contains("Secure"), "{dev}");
    }

    #[test]
    fn max_age_comes_from_expires_in_then_expires_at_then_the_fallback() {
        assert_eq!(access_token_max_age(Some(120), None), 120);
        let in_an_hour = (cookie::time::OffsetDateTime::now_utc() + Duration::hours(1))
            .format(&cookie::time::format_description::well_known::Rfc3339)
            .unwrap();
        let secs = access_token_max_age(None, Some(&in_an_hour));
        assert!((3590..=3600).contains(&secs), "{secs}");
        assert_eq!(
            access_token_max_age(None, Some("garbage")),
            ACCESS_TOKEN_FALLBACK_MAX_AGE_SECS
        );
        assert_eq!(
            access_token_max_age(None, None),
            ACCESS_TOKEN_FALLBACK_MAX_AGE_SECS
        );
    }

    #[test]
    fn https_names_carry_the_host_prefix_and_meet_its_rules() {
        assert_eq!(all(false), ["access_token", "code_verifier", "id_token"]);
        assert_eq!(
            all(true),
            ["__Host-access_token", "__Host-code_verifier", "id_token"]
        );
        // A browser drops a __Host- cookie unless it is Secure, Path=/ and
        // has no Domain; both the set and the clear must qualify.
        for name in all(true).into_iter().filter(|n| n.starts_with("__Host-")) {
            for header in [set(name, "v", 60, true), clear(name, true)] {
                let c = Cookie::parse(header.clone()).unwrap();
                assert_eq!(c.secure(), Some(true), "{header}");
                assert_eq!(c.path(), Some("/"), "{header}");
                assert_eq!(c.domain(), None, "{header}");
            }
        }
    }

    #[test]
    fn on_https_a_tossed_unprefixed_cookie_is_not_a_session() {
        let mut h = http::HeaderMap::new();
        h.append(
            http::header::COOKIE,
            "access_token=tossed; id_token=tossed-too".parse().unwrap(),
        );
        assert_eq!(session(&h, true), None);
        assert_eq!(session(&h, false).as_deref(), Some("tossed"));
        h.append(
            http::header::COOKIE,
            "__Host-access_token=ours".parse().unwrap(),
        );
        assert_eq!(session(&h, true).as_deref(), Some("ours"));
        let mut only_id = http::HeaderMap::new();
        only_id.append(http::header::COOKIE, "id_token=t".parse().unwrap());
        assert_eq!(session(&only_id, false).as_deref(), Some("t"));
    }

    #[test]
    fn reads_one_cookie_among_many() {
        let mut h = http::HeaderMap::new();
        h.append(
            http::header::COOKIE,
            "a=1; access_token=abc.def=; b=2".parse().unwrap(),
        );
        assert_eq!(read(&h, ACCESS_TOKEN).as_deref(), Some("abc.def="));
        assert_eq!(read(&h, CODE_VERIFIER), None);
    }
}
