//! The bundle (the wasm, its JavaScript, the CSS: the site's `pkg/`
//! folder), served from memory in production: read once at start-up and
//! compressed then, with brotli and gzip at their best levels, never per
//! request. Each
//! request gets the smallest encoding its `Accept-Encoding` allows, with
//! `Vary: Accept-Encoding`. A file whose name carries its content hash
//! (cargo-leptos `hash-files`) is cached for a year as immutable; the others
//! are revalidated by their ETag. Under `cargo leptos watch` the files
//! change while the server runs, so they are served from disk as before;
//! so are the files from `public/` (a favicon: nothing to gain, and served
//! from here with an ETag it kept Chromium from restoring signed-in pages
//! from its back/forward cache).

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
};

use axum::{
    body::Body,
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    response::Response,
};
use bytes::Bytes;
use sha2::{Digest, Sha256};

use crate::encoding::{accepted, brotli, gzip, Encoding, BEST};

/// A year: long enough for "never changes", as browsers read it.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

pub struct StaticAssets {
    files: HashMap<String, Asset>,
}

struct Asset {
    content_type: HeaderValue,
    /// Strong validator of the identity bytes; the encodings add a suffix.
    tag: String,
    immutable: bool,
    identity: Bytes,
    br: Option<Bytes>,
    gzip: Option<Bytes>,
}

#[derive(Debug, thiserror::Error)]
pub enum AssetsError {
    #[error("cannot read the site folder (LEPTOS_SITE_ROOT) at {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl StaticAssets {
    /// Reads and compresses every file under `site_root/pkg_dir`. A file
    /// whose name holds one of `hashes` is immutable.
    pub fn load(site_root: &Path, pkg_dir: &str, hashes: &[String]) -> Result<Self, AssetsError> {
        let mut paths = Vec::new();
        let pkg_dir = pkg_dir.trim_matches('/');
        collect(site_root, &site_root.join(pkg_dir), &mut paths)?;
        let pkg_prefix = format!("/{pkg_dir}/");
        let loaded: Vec<(String, Vec<u8>)> = paths
            .into_iter()
            .map(|(url, path)| {
                std::fs::read(&path)
                    .map(|bytes| (url, bytes))
                    .map_err(|source| AssetsError::Read { path, source })
            })
            .collect::<Result<_, _>>()?;
        // Brotli at its best level is the slow part (about a second for the
        // wasm bundle): the files are shared out over the cores.
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        let chunk = loaded.len().div_ceil(threads).max(1);
        let files = std::thread::scope(|scope| {
            let workers: Vec<_> = loaded
                .chunks(chunk)
                .map(|part| {
                    let pkg_prefix = &pkg_prefix;
                    scope.spawn(move || {
                        part.iter()
                            .map(|(url, bytes)| {
                                let name = url.rsplit('/').next().unwrap_or_default();
                                let immutable = url.starts_with(pkg_prefix.as_str())
                                    && hashes.iter().any(|h| name.contains(&format!(".{h}.")));
                                (url.clone(), Asset::new(url, bytes, immutable))
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|w| w.join().expect("compressing a file does not panic"))
                .collect()
        });
        Ok(Self { files })
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The answer to a GET or HEAD of a file held here; `None` for anything
    /// else (the caller's other handlers decide).
    pub fn serve(&self, method: &Method, path: &str, headers: &HeaderMap) -> Option<Response> {
        if method != Method::GET && method != Method::HEAD {
            return None;
        }
        let asset = self.files.get(path)?;
        let accepted = accepted(headers);
        let (encoding, body) = [
            (Encoding::Brotli, asset.br.as_ref()),
            (Encoding::Gzip, asset.gzip.as_ref()),
        ]
        .into_iter()
        .find_map(|(e, b)| b.filter(|_| accepted.contains(&e)).map(|b| (e, b.clone())))
        .unwrap_or((Encoding::Identity, asset.identity.clone()));
        let etag = match encoding {
            Encoding::Brotli => format!("\"{}-br\"", asset.tag),
            Encoding::Gzip => format!("\"{}-gz\"", asset.tag),
            Encoding::Identity => format!("\"{}\"", asset.tag),
        };
        let not_modified = headers
            .get_all(header::IF_NONE_MATCH)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|t| t.trim().trim_start_matches("W/") == etag || t.trim() == "*");
        let mut res = Response::new(Body::empty());
        let h = res.headers_mut();
        if let Ok(v) = HeaderValue::from_str(&etag) {
            h.insert(header::ETAG, v);
        }
        if asset.br.is_some() || asset.gzip.is_some() {
            h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        }
        if asset.immutable {
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
        }
        if not_modified {
            *res.status_mut() = StatusCode::NOT_MODIFIED;
            return Some(res);
        }
        h.insert(header::CONTENT_TYPE, asset.content_type.clone());
        h.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
        if let Some(value) = encoding.header_value() {
            h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(value));
        }
        if method == Method::GET {
            *res.body_mut() = Body::from(body);
        }
        Some(res)
    }
}

impl Asset {
    fn new(url: &str, bytes: &[u8], immutable: bool) -> Self {
        let digest = Sha256::digest(bytes);
        let tag = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
        let ext = url.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
        let (content_type, compressible) = kind(ext.as_deref().unwrap_or(""));
        // Kept only when smaller: a tiny file can grow.
        let smaller = |b: Vec<u8>| (b.len() < bytes.len()).then(|| Bytes::from(b));
        Self {
            content_type: HeaderValue::from_static(content_type),
            tag,
            immutable,
            br: compressible.then(|| brotli(bytes, BEST)).and_then(smaller),
            gzip: compressible.then(|| gzip(bytes, BEST)).and_then(smaller),
            identity: Bytes::copy_from_slice(bytes),
        }
    }
}

/// The content type of a file extension, and whether compressing it pays.
fn kind(ext: &str) -> (&'static str, bool) {
    match ext {
        "wasm" => ("application/wasm", true),
        "js" | "mjs" => ("text/javascript; charset=utf-8", true),
        "css" => ("text/css; charset=utf-8", true),
        "html" | "htm" => ("text/html; charset=utf-8", true),
        "json" | "map" => ("application/json", true),
        "webmanifest" => ("application/manifest+json", true),
        "svg" => ("image/svg+xml", true),
        "ico" => ("image/x-icon", true),
        "txt" => ("text/plain; charset=utf-8", true),
        "xml" => ("application/xml", true),
        "png" => ("image/png", false),
        "jpg" | "jpeg" => ("image/jpeg", false),
        "gif" => ("image/gif", false),
        "webp" => ("image/webp", false),
        "avif" => ("image/avif", false),
        "woff2" => ("font/woff2", false),
        "woff" => ("font/woff", false),
        _ => ("application/octet-stream", false),
    }
}

/// Every file under `dir`, with the URL path it answers.
fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) -> Result<(), AssetsError> {
    let read = |path: &Path| {
        std::fs::read_dir(path).map_err(|source| AssetsError::Read {
            path: path.to_path_buf(),
            source,
        })
    };
    for entry in read(dir)? {
        let entry = entry.map_err(|source| AssetsError::Read {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = entry.path();
        if path.is_dir() {
            collect(root, &path, out)?;
        } else if let Some(url) = path
            .strip_prefix(root)
            .ok()
            .and_then(|rel| rel.to_str())
            .map(|rel| format!("/{}", rel.replace(std::path::MAIN_SEPARATOR, "/")))
        {
            out.push((url, path));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
