//! Logging: the subscriber (text or one JSON object per line) and the request line.
//!
//! The request line carries the request id, method, route pattern, status, latency and user
//! id, never the URL (query strings carry patient names) and never an error's text (errors
//! quote what was typed). A fault's cause is logged once, by the error renderers.

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line, fields at the top level.
    Json,
}

/// Installs the global subscriber: `RUST_LOG` filters (default `info`), standard error.
pub fn init(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match format {
        LogFormat::Text => {
            let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
            builder.with_ansi(ansi).init();
        }
        LogFormat::Json => builder.json().flatten_event(true).with_span_list(false).init(),
    }
}

/// The request's id: the caller's `X-Request-Id` when well-formed, else the trace id of a
/// W3C `traceparent`, else a new one. Echoed in the response's `X-Request-Id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Longest caller-chosen request id accepted.
const MAX_REQUEST_ID: usize = 64;

impl RequestId {
    /// Chooses the id from the request headers.
    pub fn from_headers(headers: &actix_web::http::header::HeaderMap) -> Self {
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
        if let Some(id) = text("x-request-id").filter(|id| well_formed_id(id)) {
            return Self(id.to_owned());
        }
        if let Some(trace) = text("traceparent").and_then(trace_id) {
            return Self(trace.to_owned());
        }
        Self(uuid::Uuid::now_v7().to_string())
    }
}

/// 1 to 64 characters of letters, digits, `-`, `_`, `.`, `:`.
fn well_formed_id(id: &str) -> bool {
    (1..=MAX_REQUEST_ID).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// The trace id of a `traceparent` (`00-<32 hex>-<16 hex>-<2 hex>`), unless all zeros.
fn trace_id(header: &str) -> Option<&str> {
    let parts: Vec<&str> = header.split('-').collect();
    let hex = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    let [version, trace, parent, flags] = parts.as_slice() else { return None };
    let ok = hex(version, 2) && *version != "ff" && hex(trace, 32) && hex(parent, 16) && hex(flags, 2);
    (ok && trace.bytes().any(|b| b != b'0')).then_some(trace)
}

/// The signed-in user of a request, noted by the authentication extractors for the log
/// (see `access_audit::note_actor`).
#[derive(Debug, Clone)]
pub struct LoggedUser(pub String);

/// What the request line says about one request.
pub struct RequestLine<'a> {
    /// The id.
    pub request_id: &'a str,
    /// `GET`, `POST`, ...
    pub method: &'a str,
    /// The route pattern, e.g. `/api/v1/patients/{id}`.
    pub route: &'a str,
    /// The response status.
    pub status: u16,
    /// Time to the response head, in milliseconds.
    pub latency_ms: f64,
    /// The signed-in user, if any.
    pub user_id: Option<&'a str>,
}

impl RequestLine<'_> {
    /// Writes the line: ERROR for a fault of ours (5xx), INFO otherwise (a refused or
    /// redirected request is not an error of the server).
    pub fn log(&self) {
        let user_id = self.user_id.unwrap_or("");
        let (id, method, route, status) = (self.request_id, self.method, self.route, self.status);
        let latency_ms = (self.latency_ms * 10.0).round() / 10.0;
        if status >= 500 {
            tracing::error!(request_id = id, method, route, status, latency_ms, user_id, "request finished");
        } else {
            tracing::info!(request_id = id, method, route, status, latency_ms, user_id, "request finished");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(HeaderName::from_static(k), HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn a_well_formed_caller_id_is_kept_and_a_malformed_one_replaced() {
        assert_eq!(RequestId::from_headers(&headers(&[("x-request-id", "abc-123")])).0, "abc-123");
        let odd = RequestId::from_headers(&headers(&[("x-request-id", "Zebedee Quartermaine")])).0;
        assert!(odd.parse::<uuid::Uuid>().is_ok(), "{odd}");
        let long = "a".repeat(65);
        assert_ne!(RequestId::from_headers(&headers(&[("x-request-id", long.leak())])).0.len(), 65);
    }

    #[test]
    fn a_traceparent_gives_its_trace_id() {
        let tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        assert_eq!(RequestId::from_headers(&headers(&[("traceparent", tp)])).0, "4bf92f3577b34da6a3ce929d0e0e4736");
        let zero = "00-00000000000000000000000000000000-00f067aa0ba902b7-01";
        assert_ne!(RequestId::from_headers(&headers(&[("traceparent", zero)])).0.len(), 32);
    }
}
