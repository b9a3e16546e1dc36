//! Content encodings: which ones a request accepts, and the two this app
//! writes, brotli and gzip, at a best or a fast level.

use std::io::Write;

use axum::http::{header, HeaderMap};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

impl Encoding {
    pub fn header_value(self) -> Option<&'static str> {
        match self {
            Self::Brotli => Some("br"),
            Self::Gzip => Some("gzip"),
            Self::Identity => None,
        }
    }
}

/// How hard to compress: once, ahead of time, or per answer.
#[derive(Clone, Copy, Debug)]
pub struct Level {
    brotli_quality: i32,
    gzip_level: u32,
}

/// For files compressed once: the smallest output.
pub const BEST: Level = Level {
    brotli_quality: 11,
    gzip_level: 9,
};
/// For answers compressed as they are sent: little CPU.
pub const FAST: Level = Level {
    brotli_quality: 1,
    gzip_level: 1,
};

pub fn brotli(bytes: &[u8], level: Level) -> Vec<u8> {
    let mut out = Vec::new();
    let params = ::brotli::enc::BrotliEncoderParams {
        quality: level.brotli_quality,
        lgwin: 22,
        ..Default::default()
    };
    ::brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).expect("in-memory brotli");
    out
}

pub fn gzip(bytes: &[u8], level: Level) -> Vec<u8> {
    let mut enc =
        flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level.gzip_level));
    enc.write_all(bytes).expect("in-memory gzip");
    enc.finish().expect("in-memory gzip")
}

/// The encodings `Accept-Encoding` allows (q above 0), `*` included.
pub fn accepted(headers: &HeaderMap) -> Vec<Encoding> {
    let mut allowed = Vec::new();
    let mut refused = Vec::new();
    let mut any = false;
    for item in headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
    {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        let list = if q > 0.0 { &mut allowed } else { &mut refused };
        match name.as_str() {
            "br" => list.push(Encoding::Brotli),
            "gzip" | "x-gzip" => list.push(Encoding::Gzip),
            "*" => any = q > 0.0,
            _ => {}
        }
    }
    if any {
        for e in [Encoding::Brotli, Encoding::Gzip] {
            if !allowed.contains(&e) && !refused.contains(&e) {
                allowed.push(e);
            }
        }
    }
    allowed
}

/// The smaller of the two the request accepts: brotli, else gzip, else none.
pub fn preferred(headers: &HeaderMap) -> Encoding {
    let accepted = accepted(headers);
    [Encoding::Brotli, Encoding::Gzip]
        .into_iter()
        .find(|e| accepted.contains(e))
        .unwrap_or(Encoding::Identity)
}
