//! Pages and JSON compressed as they are sent, at a fast level, to requests
//! without a session only. An answer to a signed-in request holds the
//! user's details next to text an attacker can choose (a `return_to`
//! echoed into the logout form), and a compressed length would leak the
//! one through the other (BREACH), so it goes uncompressed; signed out, a
//! page holds no secret (its CSP nonce is new in every answer). Static
//! files are compressed once at start-up (`crate::assets`) and pass through
//! as they are. Called by `guards::by_session`, which knows whether the
//! request carried a session: one layer fewer per request (each axum layer
//! costs a few microseconds, and the logout benchmark counts them).

use axum::{
    body::Body,
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};

use crate::encoding::{brotli, gzip, preferred, Encoding, FAST};

/// Smaller answers are not worth it.
pub const MIN_BYTES: usize = 1024;
/// Pages are a few KB; this only bounds the buffer.
const MAX_BYTES: usize = 8 * 1024 * 1024;

/// A [`compressible`] answer to a request without a session, compressed if
/// the request accepts brotli or gzip (`accept_encoding`, its header).
pub async fn public(res: Response, accept_encoding: Option<HeaderValue>) -> Response {
    let (mut parts, body) = res.into_parts();
    parts
        .headers
        .append(header::VARY, HeaderValue::from_static("accept-encoding"));
    let mut asked = HeaderMap::new();
    if let Some(v) = accept_encoding {
        asked.insert(header::ACCEPT_ENCODING, v);
    }
    let encoding = preferred(&asked);
    let Some(value) = encoding.header_value() else {
        return Response::from_parts(parts, body);
    };
    let bytes = match axum::body::to_bytes(body, MAX_BYTES).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::warn!("an answer's body could not be read to compress it: {e}");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    if bytes.len() < MIN_BYTES {
        return Response::from_parts(parts, Body::from(bytes));
    }
    let packed = match encoding {
        Encoding::Brotli => brotli(&bytes, FAST),
        _ => gzip(&bytes, FAST),
    };
    parts
        .headers
        .insert(header::CONTENT_ENCODING, HeaderValue::from_static(value));
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(packed.len()));
    Response::from_parts(parts, Body::from(packed))
}

/// A page or JSON, not encoded yet, not too small.
pub fn compressible(res: &Response) -> bool {
    let h = res.headers();
    let text = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html") || ct.starts_with("application/json"));
    let small = h
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|n| n < MIN_BYTES);
    text && !small && !h.contains_key(header::CONTENT_ENCODING)
}
