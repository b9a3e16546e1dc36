//! The one return-URL rule, used by login, callback and logout: a relative
//! path on this app, or an absolute URL on an allowed origin; else `/`.

use std::sync::LazyLock;
use url::Url;

pub const FALLBACK: &str = "/";

/// Relative paths are resolved against a fixed base, parsed once: only the
/// path, query and fragment are kept, so the host does not matter, and
/// parsing the app's origin on every call was the rule's main cost.
static RELATIVE_BASE: LazyLock<Url> =
    LazyLock::new(|| Url::parse("http://return-to.invalid/").expect("a valid constant URL"));

/// Returns a safe place to send the browser. `allowed_origins` always
/// contains the app's own origin first (see `Config`).
pub fn safe_return_url(raw: Option<&str>, allowed_origins: &[String]) -> String {
    raw.and_then(|r| check(r, allowed_origins))
        .unwrap_or_else(|| FALLBACK.to_string())
}

fn check(raw: &str, allowed_origins: &[String]) -> Option<String> {
    if allowed_origins.is_empty() || raw.is_empty() || raw.len() > 2048 || has_trick(raw) {
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
        ];
        for input in hostile {
            assert_eq!(rule(input), "/", "{input:?} must fall back");
        }
        assert_eq!(safe_return_url(None, &allowed()), "/");
        assert_eq!(rule(&format!("/{}", "a".repeat(3000))), "/");
    }
}
