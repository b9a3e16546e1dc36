use std::time::Duration;

use http::StatusCode;

/// Everything a CentralAuth call can end in. Never carries a token or the
/// secret: API messages come from CentralAuth, transport details from the
/// HTTP stack (which sees only URLs, and ours carry no credentials).
#[derive(Debug, thiserror::Error)]
pub enum CentralAuthError {
    /// CentralAuth answered with an error status and (usually) its
    /// `{errorCode, message}` JSON.
    #[error("CentralAuth answered {status} ({code}): {message}")]
    Api {
        status: StatusCode,
        code: String,
        message: String,
    },
    /// No answer within the request timeout.
    #[error("CentralAuth did not answer within {0:?}")]
    Timeout(Duration),
    /// The connection could not be made (refused, DNS, TLS handshake).
    #[error("could not connect to CentralAuth: {0}")]
    Connect(String),
    /// The connection broke during the exchange (reset, closed early).
    #[error("the connection to CentralAuth failed: {0}")]
    Transport(String),
    /// A success status with a body that is not what the contract says.
    #[error("CentralAuth sent an undecodable response (HTTP {status}): {detail}")]
    Decode { status: StatusCode, detail: String },
}

/// Error codes that mean the session behind a token no longer exists, so
/// the caller should treat the user as logged out rather than as a failure.
const SESSION_GONE_CODES: &[&str] = &[
    "sessionMissing",
    "sessionExpired",
    "sessionInvalid",
    "sessionInactive",
    "sessionNotVerified",
    "tokenInvalid",
    "tokenMissing",
    // jose errors surface as codes after a failed local decrypt
    "JWEDecryptionFailed",
    "JWTExpired",
    "JWEInvalid",
];

/// Of those, the ones about a session that existed (not a token that
/// never was one): what the app's hooks hear about.
const SESSION_ENDED_CODES: &[&str] = &[
    "sessionExpired",
    "sessionInvalid",
    "sessionInactive",
    "sessionNotVerified",
    "JWTExpired",
];

impl CentralAuthError {
    /// A [`session_gone`](Self::session_gone) answer about a real session
    /// that ended, not a made-up or damaged token.
    pub fn session_ended(&self) -> bool {
        self.session_gone()
            && matches!(self, Self::Api { code, .. } if SESSION_ENDED_CODES.contains(&code.as_str()))
    }

    /// True when CentralAuth says the session is already gone (expired,
    /// ended elsewhere, unknown token). The status decides first: only a
    /// client error (4xx, not 429) with a session-gone code is that answer;
    /// a 5xx or 429 is a failure whatever its body says, and so is a
    /// transport failure: not hearing back is not the same as hearing "gone".
    pub fn session_gone(&self) -> bool {
        matches!(self, Self::Api { status, code, .. }
            if status.is_client_error()
                && *status != StatusCode::TOO_MANY_REQUESTS
                && SESSION_GONE_CODES.contains(&code.as_str()))
    }

    /// A short, log-friendly classification: the API error code, or the
    /// transport class.
    pub fn error_code(&self) -> &str {
        match self {
            Self::Api { code, .. } => code,
            Self::Timeout(_) => "timeout",
            Self::Connect(_) => "connect",
            Self::Transport(_) => "transport",
            Self::Decode { .. } => "decode",
        }
    }

    /// The HTTP status CentralAuth answered with, if it answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Api { status, .. } | Self::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub(crate) fn from_reqwest(err: reqwest::Error, timeout: Duration) -> Self {
        // reqwest's Display includes the URL, which never holds a secret here,
        // and the source chain, which says what broke.
        let detail = chain(&err);
        if err.is_timeout() {
            Self::Timeout(timeout)
        } else if err.is_connect() {
            Self::Connect(detail)
        } else {
            Self::Transport(detail)
        }
    }

    /// Builds the error for a non-2xx answer from its status and body.
    pub(crate) fn from_response(status: StatusCode, body: &[u8]) -> Self {
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct ApiErrorBody {
            error_code: Option<String>,
            message: Option<String>,
        }
        match serde_json::from_slice::<ApiErrorBody>(body) {
            Ok(ApiErrorBody {
                error_code,
                message,
            }) if error_code.is_some() || message.is_some() => Self::Api {
                status,
                // Both end up in log lines: no forged lines, no megabytes.
                code: error_code
                    .map(|c| log_safe(&c, MAX_CODE_CHARS))
                    .unwrap_or_else(|| "genericError".into()),
                message: log_safe(&message.unwrap_or_default(), MAX_MESSAGE_CHARS),
            },
            _ => Self::Api {
                status,
                code: fallback_code(status).into(),
                message: snippet(body),
            },
        }
    }
}

/// Longest error code and message kept from CentralAuth's answers.
pub const MAX_CODE_CHARS: usize = 64;
pub const MAX_MESSAGE_CHARS: usize = 300;

/// Text from outside (CentralAuth's codes and messages, callback
/// parameters) made fit for a log line: control characters escaped (`\r`,
/// `\n`, `\u{1b}`: a CRLF cannot start a forged line), at most `max_chars`
/// characters kept, a cut marked with `…`.
pub fn log_safe(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars * 2));
    for (i, c) in text.chars().enumerate() {
        if i == max_chars {
            out.push('…');
            break;
        }
        if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// For error answers without the JSON body (a proxy's HTML 502, say).
fn fallback_code(status: StatusCode) -> &'static str {
    match status {
        StatusCode::TOO_MANY_REQUESTS => "tooManyRequests",
        StatusCode::FORBIDDEN => "noPermission",
        s if s.is_server_error() => "serverError",
        _ => "genericError",
    }
}

fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text: String = text.chars().filter(|c| !c.is_control()).take(200).collect();
    text.trim().to_string()
}

fn chain(err: &dyn std::error::Error) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_error_json_is_parsed() {
        let e = CentralAuthError::from_response(
            StatusCode::BAD_REQUEST,
            br#"{"errorCode":"sessionExpired","message":"The session has expired"}"#,
        );
        assert_eq!(e.error_code(), "sessionExpired");
        assert!(e.session_gone());
        assert_eq!(e.status(), Some(StatusCode::BAD_REQUEST));
    }

    #[test]
    fn provider_text_cannot_forge_log_lines_or_flood_them() {
        let e = CentralAuthError::from_response(
            StatusCode::BAD_REQUEST,
            format!(
                r#"{{"errorCode":"bad\r\nINFO forged line","message":"{}\u001b[31m"}}"#,
                "x".repeat(5000)
            )
            .as_bytes(),
        );
        let shown = e.to_string();
        assert!(
            !shown.contains('\r') && !shown.contains('\n') && !shown.contains('\u{1b}'),
            "{shown:?}"
        );
        assert!(shown.contains(r"bad\r\nINFO forged line"), "{shown}");
        assert!(shown.len() < 600, "{} bytes", shown.len());
        assert_eq!(log_safe("ok", 10), "ok");
        assert_eq!(log_safe("abcdef", 3), "abc…");
        assert_eq!(log_safe("a\u{0}b\tc", 10), r"a\u{0}b\tc");
    }

    #[test]
    fn non_json_error_bodies_get_a_code_from_the_status() {
        let e =
            CentralAuthError::from_response(StatusCode::BAD_GATEWAY, b"<html>bad gateway</html>");
        assert_eq!(e.error_code(), "serverError");
        assert!(!e.session_gone());
        let e = CentralAuthError::from_response(StatusCode::TOO_MANY_REQUESTS, b"");
        assert_eq!(e.error_code(), "tooManyRequests");
    }

    #[test]
    fn only_session_codes_mean_gone() {
        for code in [
            "sessionMissing",
            "sessionInvalid",
            "sessionInactive",
            "tokenInvalid",
        ] {
            let e = CentralAuthError::Api {
                status: StatusCode::BAD_REQUEST,
                code: code.into(),
                message: String::new(),
            };
            assert!(e.session_gone(), "{code}");
        }
        for e in [
            CentralAuthError::Timeout(Duration::from_secs(1)),
            CentralAuthError::Connect("refused".into()),
            CentralAuthError::Api {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                code: "genericError".into(),
                message: String::new(),
            },
            CentralAuthError::Api {
                status: StatusCode::TOO_MANY_REQUESTS,
                code: "tooManyRequests".into(),
                message: String::new(),
            },
        ] {
            assert!(!e.session_gone(), "{e}");
        }
    }

    #[test]
    fn a_failure_status_is_never_session_gone_whatever_its_code() {
        for status in [500, 502, 503, 504, 429, 200, 302] {
            for code in SESSION_GONE_CODES {
                let e = CentralAuthError::Api {
                    status: StatusCode::from_u16(status).unwrap(),
                    code: code.to_string(),
                    message: String::new(),
                };
                assert!(!e.session_gone(), "{status} {code}");
            }
        }
        for status in [400, 401, 403, 404, 410] {
            let e = CentralAuthError::Api {
                status: StatusCode::from_u16(status).unwrap(),
                code: "sessionMissing".into(),
                message: String::new(),
            };
            assert!(e.session_gone(), "{status}");
        }
    }
}
