//! Configuration rules, one test per rule.

use super::*;
use std::collections::HashMap;

fn parse(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    parse_at("127.0.0.1:3000", vars)
}

/// As served from `site_addr` (LEPTOS_SITE_ADDR).
fn parse_at(site_addr: &str, vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let options = LeptosOptions::builder()
        .output_name("t")
        .site_addr(site_addr.parse::<std::net::SocketAddr>().unwrap())
        .build();
    Config::from_lookup(options, |k| map.get(k).cloned())
}

fn embedded(c: &Config) -> Option<bool> {
    match c.provider {
        ProviderMode::Embedded { explicit } => Some(explicit),
        ProviderMode::Remote { .. } => None,
    }
}

// Needs the embedded provider (no credentials given).
#[cfg(feature = "dev-provider")]
#[test]
fn without_credentials_the_dev_provider_starts_on_loopback_origins_only() {
    for origin in [
        "http://127.0.0.1:3000",
        "http://localhost:3000",
        "http://LOCALHOST:8080",
        "http://[::1]:3000",
        "http://127.0.0.2:3000",
        "https://localhost:3443",
    ] {
        let c = parse(&[("APP_ORIGIN", origin)]).unwrap();
        assert_eq!(embedded(&c), Some(false), "{origin}");
        assert!(c.warnings().is_empty(), "{origin}");
    }
    let c = parse_at("[::1]:3000", &[]).unwrap();
    assert_eq!(c.public_origin, "http://[::1]:3000");
    assert_eq!(embedded(&c), Some(false));
}

// Needs the embedded provider (no credentials given).
#[cfg(feature = "dev-provider")]
#[test]
fn without_credentials_a_public_origin_stops_start_up_naming_the_credentials() {
    for (site, vars) in [
        (
            "127.0.0.1:3000",
            &[("APP_ORIGIN", "https://app.example")][..],
        ),
        (
            "127.0.0.1:3000",
            &[("APP_ORIGIN", "http://192.168.1.20:3000")][..],
        ),
        (
            "127.0.0.1:3000",
            &[("APP_ORIGIN", "http://localhost.evil.example")][..],
        ),
        // A loopback origin served on every interface is reachable from outside.
        ("0.0.0.0:3000", &[][..]),
        (
            "0.0.0.0:3000",
            &[("APP_ORIGIN", "http://localhost:3000")][..],
        ),
        ("192.0.2.10:3000", &[][..]),
        // Behind a proxy, as deployed: loopback origin and address, yet
        // anybody's requests arrive through it.
        (
            "127.0.0.1:3011",
            &[
                ("APP_ORIGIN", "https://127.0.0.1:3443"),
                ("TRUSTED_PROXIES", "127.0.0.2"),
            ][..],
        ),
        ("127.0.0.1:3000", &[("TRUSTED_PROXIES", "127.0.0.1")][..]),
    ] {
        let err = parse_at(site, vars).unwrap_err();
        assert!(
            matches!(err, ConfigError::DevProviderNotLocal { .. }),
            "{site} {vars:?}: {err}"
        );
        let text = err.to_string();
        for name in ["AUTH_ORGANIZATION_ID", "AUTH_SECRET", "DEV_CENTRALAUTH=1"] {
            assert!(text.contains(name), "{text}");
        }
    }
}

// Needs the embedded provider (no credentials given).
#[cfg(feature = "dev-provider")]
#[test]
fn dev_centralauth_opts_in_anywhere_and_is_logged_loudly() {
    let c = parse(&[
        ("APP_ORIGIN", "https://app.example"),
        ("DEV_CENTRALAUTH", "1"),
    ])
    .unwrap();
    assert_eq!(embedded(&c), Some(true));
    let warnings = c.warnings().join("\n");
    assert!(
        warnings.contains("DEV_CENTRALAUTH=1") && warnings.contains("ANYONE CAN SIGN IN"),
        "{warnings}"
    );
    let c = parse_at("0.0.0.0:3000", &[("DEV_CENTRALAUTH", "true")]).unwrap();
    assert_eq!(embedded(&c), Some(true));
    // Off is off: the loopback rule applies again.
    let err = parse(&[
        ("APP_ORIGIN", "https://app.example"),
        ("DEV_CENTRALAUTH", "0"),
    ])
    .unwrap_err();
    assert!(
        matches!(err, ConfigError::DevProviderNotLocal { .. }),
        "{err}"
    );
    // Both at once is a contradiction, not a guess.
    let err = parse(&[
        ("DEV_CENTRALAUTH", "1"),
        ("AUTH_ORGANIZATION_ID", "o"),
        ("AUTH_SECRET", "s"),
    ])
    .unwrap_err();
    assert!(
        matches!(err, ConfigError::DevProviderWithCredentials),
        "{err}"
    );
}

#[test]
fn credentials_work_on_any_origin() {
    let c = parse_at(
        "0.0.0.0:8080",
        &[
            ("APP_ORIGIN", "https://app.example"),
            ("AUTH_ORGANIZATION_ID", "o"),
            ("AUTH_SECRET", "s"),
        ],
    )
    .unwrap();
    assert_eq!(embedded(&c), None);
    assert!(c.warnings().is_empty());
}

#[test]
fn a_variable_set_but_empty_stops_start_up_naming_it() {
    for var in VARIABLES {
        for empty in ["", "  "] {
            let err = parse(&[(var, empty)]).unwrap_err();
            assert!(matches!(err, ConfigError::Empty { .. }), "{var}: {err}");
            assert!(err.to_string().starts_with(var), "{var}: {err}");
        }
    }
    // The deploy whose secret came out empty: refused, not embedded.
    let err = parse(&[
        ("APP_ORIGIN", "https://app.example"),
        ("AUTH_ORGANIZATION_ID", "o"),
        ("AUTH_SECRET", ""),
    ])
    .unwrap_err();
    assert!(err.to_string().starts_with("AUTH_SECRET"), "{err}");
}

/// Only in a build without the development provider
/// (`scripts/test.sh` runs it with `--no-default-features --features ssr`).
#[cfg(not(feature = "dev-provider"))]
#[test]
fn a_build_without_the_dev_provider_needs_credentials() {
    for vars in [&[][..], &[("DEV_CENTRALAUTH", "1")][..]] {
        let err = parse(vars).unwrap_err();
        assert!(
            matches!(err, ConfigError::DevProviderNotBuilt),
            "{vars:?}: {err}"
        );
        assert!(err.to_string().contains("AUTH_SECRET"), "{err}");
    }
    assert!(parse(&[("AUTH_ORGANIZATION_ID", "o"), ("AUTH_SECRET", "s")]).is_ok());
}

#[cfg(feature = "dev-provider")]
#[test]
fn the_dev_provider_keeps_state_under_target_unless_told_otherwise() {
    let c = parse(&[]).unwrap();
    assert_eq!(
        c.dev.state_file.as_deref(),
        Some(std::path::Path::new(
            "target/dev-centralauth/embedded-127.0.0.1-3000.json"
        ))
    );
    assert_eq!(c.dev.max_sessions, DEFAULT_MAX_SESSIONS);
    let c = parse(&[
        ("DEV_CENTRALAUTH_STATE", "/tmp/x.json"),
        ("DEV_CENTRALAUTH_MAX_SESSIONS", "50"),
    ])
    .unwrap();
    assert_eq!(
        c.dev.state_file.as_deref(),
        Some(std::path::Path::new("/tmp/x.json"))
    );
    assert_eq!(c.dev.max_sessions, 50);
    assert_eq!(
        parse(&[("DEV_CENTRALAUTH_STATE", "off")])
            .unwrap()
            .dev
            .state_file,
        None
    );
    for bad in ["0", "-1", "many"] {
        let err = parse(&[("DEV_CENTRALAUTH_MAX_SESSIONS", bad)]).unwrap_err();
        assert!(
            err.to_string().starts_with("DEV_CENTRALAUTH_MAX_SESSIONS"),
            "{err}"
        );
    }
}

#[test]
fn plain_http_centralauth_off_loopback_is_warned_about() {
    let with_base = |base: &str| {
        parse(&[
            ("AUTH_ORGANIZATION_ID", "o"),
            ("AUTH_SECRET", "s"),
            ("AUTH_BASE_URL", base),
        ])
        .unwrap()
        .warnings()
    };
    let w = with_base("http://centralauth.internal:8080");
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].starts_with("AUTH_BASE_URL") && w[0].contains("clear"),
        "{w:?}"
    );
    assert_eq!(with_base("http://10.0.0.5").len(), 1);
    for quiet in [
        "https://centralauth.com",
        "http://127.0.0.1:3000/dev-centralauth",
        "http://localhost:3000/dev-centralauth",
        "http://[::1]:9000",
    ] {
        assert!(with_base(quiet).is_empty(), "{quiet}");
    }
}

// Needs the embedded provider (no credentials given).
#[cfg(feature = "dev-provider")]
#[test]
fn server_limits_have_defaults_and_the_request_timeout_outlasts_centralauth_calls() {
    let c = parse(&[]).unwrap();
    assert_eq!(c.limits.header_read_timeout, Duration::from_secs(10));
    assert_eq!(c.limits.request_timeout, Duration::from_secs(30));
    let derived = super::default_max_connections(32 + 128);
    assert_eq!(c.limits.max_connections, derived);
    let c = parse(&[
        ("HTTP_HEADER_READ_TIMEOUT_MS", "1500"),
        ("HTTP_REQUEST_TIMEOUT_MS", "9000"),
        ("HTTP_MAX_CONNECTIONS", "64"),
    ])
    .unwrap();
    assert_eq!(c.limits.header_read_timeout, Duration::from_millis(1500));
    assert_eq!(c.limits.request_timeout, Duration::from_millis(9000));
    assert_eq!(c.limits.max_connections, 64);
    let err = parse(&[("HTTP_REQUEST_TIMEOUT_MS", "5000")])
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("HTTP_REQUEST_TIMEOUT_MS") && err.contains("AUTH_REQUEST_TIMEOUT_MS"),
        "{err}"
    );
    for (var, bad) in [
        ("HTTP_MAX_CONNECTIONS", "0"),
        ("HTTP_HEADER_READ_TIMEOUT_MS", "soon"),
    ] {
        let err = parse(&[(var, bad)]).unwrap_err().to_string();
        assert!(err.starts_with(var), "{err}");
    }
}

// Needs the embedded provider (no credentials given).
#[cfg(feature = "dev-provider")]
#[test]
fn no_credentials_selects_the_embedded_provider() {
    let c = parse(&[]).unwrap();
    assert!(matches!(
        c.provider,
        ProviderMode::Embedded { explicit: false }
    ));
    assert_eq!(c.public_origin, "http://127.0.0.1:3000");
    assert!(!c.secure_cookies());
}

#[test]
fn full_credentials_select_the_remote_provider_with_default_base_url() {
    let c = parse(&[("AUTH_ORGANIZATION_ID", "org"), ("AUTH_SECRET", "s3cr3t")]).unwrap();
    match c.provider {
        ProviderMode::Remote {
            base_url, secret, ..
        } => {
            assert_eq!(base_url.as_str(), "https://centralauth.com/");
            assert_eq!(secret.expose(), "s3cr3t");
        }
        ProviderMode::Embedded { .. } => panic!("expected remote"),
    }
}

#[test]
fn partial_credentials_name_what_is_missing() {
    let err = parse(&[("AUTH_SECRET", "x")]).unwrap_err().to_string();
    assert!(err.contains("AUTH_ORGANIZATION_ID"), "{err}");
    let err = parse(&[("AUTH_ORGANIZATION_ID", "x")])
        .unwrap_err()
        .to_string();
    assert!(err.contains("AUTH_SECRET"), "{err}");
    let err = parse(&[("AUTH_BASE_URL", "https://x.example")])
        .unwrap_err()
        .to_string();
    assert!(err.contains("AUTH_BASE_URL"), "{err}");
}

// Needs the embedded provider (no credentials given).
#[cfg(feature = "dev-provider")]
#[test]
fn malformed_values_name_the_variable() {
    for (var, value) in [
        ("APP_ORIGIN", "ftp://x"),
        ("APP_ORIGIN", "http://x/path"),
        ("AUTH_REQUEST_TIMEOUT_MS", "soon"),
        ("AUTH_REQUEST_TIMEOUT_MS", "0"),
        ("TRUSTED_PROXIES", "not-an-ip"),
        ("DEV_CENTRALAUTH_TEST_HOOKS", "maybe"),
        ("RETURN_TO_ALLOWED_ORIGINS", "javascript:alert(1)"),
    ] {
        let err = parse(&[(var, value)]).unwrap_err().to_string();
        assert!(err.starts_with(var), "{var}={value}: {err}");
    }
    let err = parse(&[
        ("AUTH_ORGANIZATION_ID", "o"),
        ("AUTH_SECRET", "s"),
        ("AUTH_BASE_URL", "centralauth.com"),
    ])
    .unwrap_err()
    .to_string();
    assert!(err.starts_with("AUTH_BASE_URL"), "{err}");
}

#[test]
fn base_url_keeps_its_path_without_trailing_slash() {
    let c = parse(&[
        ("AUTH_ORGANIZATION_ID", "o"),
        ("AUTH_SECRET", "s"),
        ("AUTH_BASE_URL", "http://127.0.0.1:3000/dev-centralauth/"),
    ])
    .unwrap();
    let ProviderMode::Remote { base_url, .. } = c.provider else {
        panic!()
    };
    assert_eq!(base_url.as_str(), "http://127.0.0.1:3000/dev-centralauth");
}

#[test]
fn allowed_return_origins_always_include_our_own() {
    let c = parse(&[
        ("APP_ORIGIN", "https://app.example"),
        ("AUTH_ORGANIZATION_ID", "o"),
        ("AUTH_SECRET", "s"),
        (
            "RETURN_TO_ALLOWED_ORIGINS",
            "https://docs.example, https://app.example",
        ),
    ])
    .unwrap();
    assert_eq!(
        c.return_to_allowed_origins,
        vec!["https://app.example", "https://docs.example"]
    );
    assert!(c.secure_cookies());
}

#[test]
fn the_env_example_lists_every_variable_commented_out() {
    let example = include_str!("../../.env.example");
    for var in VARIABLES {
        assert!(
            example.contains(&format!("# {var}=")),
            "{var} is missing from .env.example"
        );
    }
    // Nothing is set by copying it: a variable set but empty stops start-up.
    assert!(example
        .lines()
        .all(|l| l.trim().is_empty() || l.starts_with('#')));
}
