//! Logging, for the app and the standalone development provider alike:
//! text for people (the default), or one JSON object per line for log
//! collectors (`LOG_FORMAT=json`). Lines written while a request is handled
//! carry its id (`src/request_id.rs`): `request{request_id=…}` in text, a
//! `span.request_id` field in JSON.

use tracing_subscriber::{fmt::MakeWriter, util::SubscriberInitExt, EnvFilter};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

impl LogFormat {
    /// `LOG_FORMAT`: `text` or `json`, any case; unset is text.
    pub fn parse(raw: Option<&str>) -> Result<Self, String> {
        match raw.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
            None | Some("text") => Ok(Self::Text),
            Some("json") => Ok(Self::Json),
            Some(_) => Err("use text or json".into()),
        }
    }
}

/// `RUST_LOG` decides; without it, our own crate logs at info and noisy
/// dependencies at warn.
pub fn default_filter() -> EnvFilter {
    EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,hyper=warn,reqwest=warn"))
}

/// The subscriber the server uses, writing to `writer` (tests capture it).
pub fn subscriber<W>(
    format: LogFormat,
    filter: EnvFilter,
    writer: W,
) -> Box<dyn tracing::Subscriber + Send + Sync>
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    match format {
        LogFormat::Text => Box::new(builder.finish()),
        LogFormat::Json => Box::new(
            builder
                .json()
                .flatten_event(true)
                .with_current_span(true)
                .with_span_list(false)
                .with_ansi(false)
                .finish(),
        ),
    }
}

pub fn init_tracing(format: LogFormat) {
    let _ = subscriber(format, default_filter(), std::io::stdout).try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_format_is_text_or_json_and_nothing_else() {
        assert_eq!(LogFormat::parse(None), Ok(LogFormat::Text));
        assert_eq!(LogFormat::parse(Some(" Text ")), Ok(LogFormat::Text));
        assert_eq!(LogFormat::parse(Some("JSON")), Ok(LogFormat::Json));
        for bad in ["", "yaml", "json,text", "jsonl"] {
            assert!(LogFormat::parse(Some(bad)).is_err(), "{bad:?}");
        }
    }
}
