//! The one return-URL rule, used by login, callback and logout: a relative
//! path on this app, or an absolute URL on an allowed origin; else `/`.
//!
//! The rule is enforced on what it *returns*: whatever the input, the output
//! is checked once more as the browser will read it (resolved against the
//! app's origin) and must land on an allowed origin. Checking only the input
//! let `/.//evil.example` through: dot segments normalise it to
//! `//evil.example`, which a browser follows off-site.

use std::sync::LazyLock;
use url::Url;

pub const FALLBACK: &str = "/";

/// Longest return URL honoured; longer ones fall back.
pub const MAX_LEN: usize = 2048;

/// Relative paths are resolved against a fixed base, parsed once: only the
/// path, query and fragment are kept, so the host does not matter, and
/// parsing the app's origin on every call was the rule's main cost.
static RELATIVE_BASE: LazyLock<Url> =
    LazyLock::new(|| Url::parse("http://return-to.invalid/").expect("a valid constant URL"));

/// Returns a safe place to send the browser. `allowed_origins` always
/// contains the app's own origin first (see `Config`).
pub fn safe_return_url(raw: Option<&str>, allowed_origins: &[String]) -> String {
    raw.and_then(|r| candidate(r, allowed_origins))
        .filter(|out| output_is_safe(out, allowed_origins))
        .unwrap_or_else(|| FALLBACK.to_string())
}

/// The boundary check on the output, independent of how it was derived:
/// no character a browser strips or reinterprets, a single leading slash
/// for paths (never `//` or `/\`, which browsers read as another host), and
/// once resolved the way a browser resolves a `Location`, an allowed origin
/// (our own for paths).
pub fn output_is_safe(out: &str, allowed_origins: &[String]) -> bool {
    if allowed_origins.is_empty() || out.is_empty() || out.len() > MAX_LEN || has_trick(out) {
        return false;
    }
    let is_path = out.starts_with('/');
    if is_path && out.starts_with("//") {
        return false;
    }
    // A path keeps the origin of whatever base a browser resolves it
    // against, so the constant base stands in for ours (no parse per call).
    let resolved = if is_path {
        RELATIVE_BASE.join(out)
    } else {
        Url::parse(out)
    };
    let Ok(resolved) = resolved else {
        return false;
    };
    if resolved.path().starts_with("//") {
        // On our origin, but a client-side router would read the path as
        // protocol-relative.
        return false;
    }
    if is_path {
        return resolved.origin() == RELATIVE_BASE.origin();
    }
    matches!(resolved.scheme(), "http" | "https")
        && resolved.username().is_empty()
        && resolved.password().is_none()
        && allowed_origins.contains(&resolved.origin().ascii_serialization())
}

fn candidate(raw: &str, allowed_origins: &[String]) -> Option<String> {
    if allowed_origins.is_empty() || raw.is_empty() || raw.len() > MAX_LEN || has_trick(raw) {
        return None;
    }
    // Encoded variants (`%2F%2Fevil`, `%5C`, `%0A`, doubly encoded …) are
    // judged by what they decode to, too.
    let mut decoded = raw.to_string();
    for _ in 0..3 {
        let next = percent_encoding::percent_decode_str(&decoded)
            .decode_utf8()
            .ok()?
            .into_owned();
        if next == decoded {
            break;
        }
        if has_trick(&next) || is_protocol_relative(&next) || has_dangerous_scheme(&next) {
            return None;
        }
        decoded = next;
    }

    if raw.starts_with('/') {
        if is_protocol_relative(raw) {
            return None;
        }
        // Resolve it and insist it stays on the base's origin.
        let url = RELATIVE_BASE.join(raw).ok()?;
        if url.origin() != RELATIVE_BASE.origin() {
            return None;
        }
        let mut out = url.path().to_string();
        if let Some(q) = url.query() {
            out.push('?');
            out.push_str(q);
        }
        if let Some(f) = url.fragment() {
            out.push('#');
            out.push_str(f);
        }
        return Some(out);
    }

    let url = Url::parse(raw).ok()?;
    if !matches!(url.scheme(), "http" | "https")
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return None;
    }
    let origin = url.origin().ascii_serialization();
    allowed_origins.contains(&origin).then(|| url.to_string())
}

/// Characters browsers strip or reinterpret in URLs: backslashes (read as
/// slashes), control characters (tabs and newlines are dropped), and
/// leading or trailing spaces.
fn has_trick(s: &str) -> bool {
    s.contains('\\') || s.chars().any(|c| c.is_control()) || s.trim() != s
}

fn is_protocol_relative(s: &str) -> bool {
    s.starts_with("//")
}

fn has_dangerous_scheme(s: &str) -> bool {
    let lower = s.trim_start().to_ascii_lowercase();
    ["javascript:", "data:", "vbscript:", "file:", "blob:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn allowed() -> Vec<String> {
        vec![
            "http://127.0.0.1:3000".into(),
            "https://docs.example".into(),
        ]
    }

    fn rule(raw: &str) -> String {
        safe_return_url(Some(raw), &allowed())
    }

    #[test]
    fn honours_relative_paths_on_this_app() {
        for (input, expected) in [
            ("/", "/"),
            ("/account", "/account"),
            ("/account?tab=security#keys", "/account?tab=security#keys"),
            ("/a/../account", "/account"),
            ("/%E2%9C%93", "/%E2%9C%93"),
            ("/search?q=a%20b", "/search?q=a%20b"),
        ] {
            assert_eq!(rule(input), expected, "{input:?}");
        }
    }

    #[test]
    fn honours_absolute_urls_on_allowed_origins() {
        assert_eq!(
            rule("http://127.0.0.1:3000/account"),
            "http://127.0.0.1:3000/account"
        );
        assert_eq!(
            rule("https://docs.example/guide?x=1"),
            "https://docs.example/guide?x=1"
        );
    }

    #[test]
    fn everything_else_falls_back_to_root() {
        let hostile = [
            "https://evil.example",
            "https://evil.example/account",
            "//evil.example",
            "//evil.example/path",
            "///evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "\\/evil.example",
            "/%2Fevil.example",
            "%2F%2Fevil.example",
            "/%5Cevil.example",
            "%5C%5Cevil.example",
            "/%252F%252Fevil.example",
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "javascript%3Aalert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox(1)",
            "/\tevil",
            "/account\n",
            "/%0d%0aSet-Cookie:x=1",
            " /account",
            "http://127.0.0.1:3000@evil.example/",
            "http://user:pass@127.0.0.1:3000/",
            "https://127.0.0.1:3000/",
            "http://127.0.0.1:3001/",
            "https://docs.example.evil.example/",
            "ftp://docs.example/",
            "account",
            "",
            "/%ff",
            // Dot segments that normalise to a protocol-relative path.
            "/.//evil.example",
            "/..//evil.example",
            "/a/..//evil.example",
            "/%2e//evil.example",
            "/%2E%2e//evil.example",
            "/./%2e//evil.example/x?y#z",
            "/.//",
            "http://127.0.0.1:3000/.//evil.example",
        ];
        for input in hostile {
            assert_eq!(rule(input), "/", "{input:?} must fall back");
        }
        assert_eq!(safe_return_url(None, &allowed()), "/");
        assert_eq!(rule(&format!("/{}", "a".repeat(3000))), "/");
    }

    /// Pieces an attacker combines: separators and their encodings, dot
    /// segments, schemes, credentials, hosts, whitespace and controls.
    fn piece() -> impl Strategy<Value = String> {
        let pick = |items: &'static [&'static str]| {
            proptest::sample::select(items)
                .prop_map(str::to_string)
                .boxed()
        };
        proptest::strategy::Union::new_weighted(vec![
            (12, pick(&["/", "//", "/./", "/../"])),
            (
                8,
                pick(&[".", "..", "%2e", "%2E", "%2e%2e", ".%2e", "%2E."]),
            ),
            (
                5,
                pick(&["\\", "%5c", "%5C", "%2f", "%2F", "%252f", "%255c"]),
            ),
            (
                5,
                pick(&[
                    "evil.example",
                    "127.0.0.1:3000",
                    "docs.example",
                    "a",
                    "account",
                ]),
            ),
            (3, pick(&["@", ":", "?", "#", "%40", "%3a", "&", "="])),
            (
                3,
                pick(&[
                    "http:",
                    "https:",
                    "http://",
                    "https://",
                    "javascript:",
                    "data:",
                    "HTTP:",
                ]),
            ),
            (
                2,
                pick(&[
                    "\t", "\n", "\r", "\0", " ", "%09", "%0a", "%0d", "%00", "\u{7f}", "\u{a0}",
                ]),
            ),
            (1, any::<char>().prop_map(String::from).boxed()),
        ])
    }

    fn attacker_string() -> impl Strategy<Value = String> {
        proptest::collection::vec(piece(), 1..10).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        /// Whatever goes in, what comes out lands on an allowed origin when a
        /// browser follows it, and a path lands on our own.
        #[test]
        fn every_output_stays_on_an_allowed_origin(
            raw in prop_oneof![attacker_string(), any::<String>()],
        ) {
            let allowed = allowed();
            let out = safe_return_url(Some(&raw), &allowed);
            prop_assert!(!out.chars().any(|c| c.is_control() || c == '\\' || c.is_whitespace()), "{raw:?} -> {out:?}");
            for base in ["http://127.0.0.1:3000/", "http://127.0.0.1:3000/api/auth/logout?x=1", "http://127.0.0.1:3000/a/b/c/"] {
                let resolved = Url::parse(base).unwrap().join(&out);
                prop_assert!(resolved.is_ok(), "{raw:?} -> {out:?} does not resolve");
                let resolved = resolved.unwrap();
                let origin = resolved.origin().ascii_serialization();
                prop_assert!(allowed.contains(&origin), "{raw:?} -> {out:?} leaves for {origin}");
                prop_assert!(!resolved.path().starts_with("//"), "{raw:?} -> {out:?}: path {}", resolved.path());
                if out.starts_with('/') {
                    prop_assert_eq!(&origin, &allowed[0], "{:?} -> {:?}", raw, out);
                }
            }
        }
    }
}
