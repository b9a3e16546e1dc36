use std::io::Read;

use super::*;

/// A site folder like cargo-leptos writes it, with hashed bundle names.
fn site() -> (PathBuf, StaticAssets) {
    let root = std::env::temp_dir().join(format!(
        "assets-test-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("pkg")).unwrap();
    let js = "export function hydrate() { console.log('hydrate'); }\n".repeat(50);
    std::fs::write(root.join("pkg/app.abc123.js"), &js).unwrap();
    std::fs::write(root.join("pkg/app.def456.wasm"), vec![7u8; 20_000]).unwrap();
    std::fs::write(root.join("pkg/app.css"), "body { margin: 0 }\n".repeat(40)).unwrap();
    std::fs::write(root.join("favicon.ico"), vec![0u8; 2_000]).unwrap();
    // Random bytes do not compress: no encoded copy is kept.
    let noise: Vec<u8> = (0..3_000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    std::fs::write(root.join("pkg/photo.png"), noise).unwrap();
    let assets = StaticAssets::load(&root, "pkg", &["abc123".into(), "def456".into()]).unwrap();
    (root, assets)
}

fn get(assets: &StaticAssets, path: &str, accept_encoding: Option<&str>) -> Response {
    let mut h = HeaderMap::new();
    if let Some(a) = accept_encoding {
        h.insert(header::ACCEPT_ENCODING, a.parse().unwrap());
    }
    assets.serve(&Method::GET, path, &h).expect("served")
}

fn body(res: Response) -> Vec<u8> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(axum::body::to_bytes(res.into_body(), usize::MAX))
        .unwrap()
        .to_vec()
}

fn header_of(res: &Response, name: header::HeaderName) -> Option<&str> {
    res.headers().get(name).map(|v| v.to_str().unwrap())
}

#[test]
fn each_request_gets_the_best_encoding_it_accepts_and_it_decodes_to_the_file() {
    let (root, assets) = site();
    let original = std::fs::read(root.join("pkg/app.abc123.js")).unwrap();
    for (accept, expected) in [
        (Some("gzip, deflate, br, zstd"), Some("br")),
        (Some("br;q=0, gzip"), Some("gzip")),
        (Some("gzip;q=0.5"), Some("gzip")),
        (Some("*"), Some("br")),
        (Some("*, br;q=0"), Some("gzip")),
        (Some("identity"), None),
        (Some("br;q=0, gzip;q=0"), None),
        (None, None),
    ] {
        let res = get(&assets, "/pkg/app.abc123.js", accept);
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(
            header_of(&res, header::CONTENT_ENCODING),
            expected,
            "{accept:?}"
        );
        assert_eq!(header_of(&res, header::VARY), Some("accept-encoding"));
        assert_eq!(
            header_of(&res, header::CONTENT_TYPE),
            Some("text/javascript; charset=utf-8")
        );
        let length: usize = header_of(&res, header::CONTENT_LENGTH)
            .unwrap()
            .parse()
            .unwrap();
        let bytes = body(res);
        assert_eq!(bytes.len(), length);
        let decoded = match expected {
            Some("br") => {
                let mut out = Vec::new();
                brotli::BrotliDecompress(&mut &bytes[..], &mut out).unwrap();
                out
            }
            Some("gzip") => {
                let mut out = Vec::new();
                flate2::read::GzDecoder::new(&bytes[..])
                    .read_to_end(&mut out)
                    .unwrap();
                out
            }
            _ => bytes.clone(),
        };
        assert_eq!(decoded, original, "{accept:?}");
        if expected.is_some() {
            assert!(
                bytes.len() < original.len() / 4,
                "{accept:?}: {}",
                bytes.len()
            );
        }
    }
}

#[test]
fn only_hashed_bundle_files_are_immutable() {
    let (_, assets) = site();
    for (path, immutable) in [
        ("/pkg/app.abc123.js", true),
        ("/pkg/app.def456.wasm", true),
        ("/pkg/app.css", false),
    ] {
        let res = get(&assets, path, Some("br"));
        let cache = header_of(&res, header::CACHE_CONTROL);
        assert_eq!(cache, immutable.then_some(IMMUTABLE), "{path}");
        assert!(header_of(&res, header::ETAG).is_some(), "{path}");
    }
}

#[test]
fn a_file_that_does_not_shrink_is_sent_as_it_is() {
    let (_, assets) = site();
    let res = get(&assets, "/pkg/photo.png", Some("br, gzip"));
    assert_eq!(header_of(&res, header::CONTENT_ENCODING), None);
    assert_eq!(header_of(&res, header::VARY), None);
    assert_eq!(header_of(&res, header::CONTENT_TYPE), Some("image/png"));
}

#[test]
fn a_matching_etag_gets_304_and_head_gets_no_body() {
    let (_, assets) = site();
    let first = get(&assets, "/pkg/app.css", Some("gzip"));
    let etag = header_of(&first, header::ETAG).unwrap().to_string();
    assert!(etag.ends_with("-gz\""), "{etag}");
    let mut h = HeaderMap::new();
    h.insert(header::ACCEPT_ENCODING, "gzip".parse().unwrap());
    h.insert(header::IF_NONE_MATCH, etag.parse().unwrap());
    let again = assets.serve(&Method::GET, "/pkg/app.css", &h).unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert!(body(again).is_empty());
    // Another encoding is another representation: no 304 for it.
    h.insert(header::ACCEPT_ENCODING, "br".parse().unwrap());
    let other = assets.serve(&Method::GET, "/pkg/app.css", &h).unwrap();
    assert_eq!(other.status(), StatusCode::OK);

    let head = assets
        .serve(&Method::HEAD, "/pkg/app.css", &HeaderMap::new())
        .unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(header_of(&head, header::CONTENT_LENGTH), Some("760"));
    assert!(body(head).is_empty());
}

#[test]
fn other_methods_and_paths_are_left_to_the_app() {
    let (_, assets) = site();
    assert!(assets
        .serve(&Method::POST, "/favicon.ico", &HeaderMap::new())
        .is_none());
    for path in [
        "/",
        "/account",
        "/pkg/",
        "/pkg/../favicon.ico",
        "/pkg/app.abc123.js/x",
    ] {
        assert!(
            assets
                .serve(&Method::GET, path, &HeaderMap::new())
                .is_none(),
            "{path}"
        );
    }
    // `public/` files stay on disk.
    assert!(assets
        .serve(&Method::GET, "/favicon.ico", &HeaderMap::new())
        .is_none());
    assert_eq!(assets.len(), 4);
}
