//! Building and running the HTTP server: used by `physioplan serve` and by the tests
//! (which bind port 0 and a fresh database).

use crate::config::Settings;
use crate::db::Db;
use crate::error::{ErrorBody, ErrorDetail};
use crate::service::auth::HashGate;
use actix_web::body::MessageBody;
use actix_web::dev::{Server, Service, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::DefaultHeaders;
use actix_web::{web, App, HttpMessage, HttpResponse, HttpServer};
use std::net::TcpListener;
use tracing::Span;
use tracing_actix_web::{DefaultRootSpanBuilder, RequestId, RootSpanBuilder, TracingLogger};

/// A bound, not yet running server.
pub struct Application {
    server: Server,
    port: u16,
}

/// Content Security Policy: no inline script or style, nothing from elsewhere, no framing.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

impl Application {
    /// Connects to the database, applies migrations and binds the address.
    pub async fn build(settings: Settings) -> Result<Self, String> {
        let db = Db::connect(&settings.database, settings.pool_size)?;
        crate::prepare(&db)?;
        Self::with_db(settings, db)
    }

    /// Binds the address, serving an already migrated database.
    pub fn with_db(settings: Settings, db: Db) -> Result<Self, String> {
        let listener =
            TcpListener::bind(&settings.bind).map_err(|e| format!("cannot listen on {}: {e}", settings.bind))?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        let gate = HashGate::new(std::thread::available_parallelism().map_or(2, |n| n.get()));
        let (db, gate, settings) = (web::Data::new(db), web::Data::new(gate), web::Data::new(settings));
        let server = HttpServer::new(move || {
            App::new()
                .wrap(
                    DefaultHeaders::new()
                        .add(("Content-Security-Policy", CSP))
                        .add(("X-Content-Type-Options", "nosniff"))
                        .add(("X-Frame-Options", "DENY"))
                        .add(("Referrer-Policy", "no-referrer"))
                        .add(("Cache-Control", "no-store")),
                )
                .wrap_fn(|req, srv| {
                    let id = req.extensions().get::<RequestId>().map(|id| id.to_string());
                    let is_api = req.path().starts_with("/api/");
                    let call = srv.call(req);
                    async move { Ok(with_request_id(call.await?, id, is_api)) }
                })
                .wrap(TracingLogger::<SafeRootSpan>::new())
                .app_data(db.clone())
                .app_data(gate.clone())
                .app_data(settings.clone())
                .configure(crate::configure)
        })
        .listen(listener)
        .map_err(|e| e.to_string())?
        .run();
        Ok(Self { server, port })
    }

    /// The bound port (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until stopped.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Adds `X-Request-Id` to every response, and replaces the body of an unexpected 500 with
/// an opaque message carrying that id (the cause is in the server log under the same id).
fn with_request_id<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
    id: Option<String>,
    is_api: bool,
) -> ServiceResponse {
    let id = id.unwrap_or_default();
    let mut res = if res.status() == StatusCode::INTERNAL_SERVER_ERROR {
        let message = format!("Something went wrong on our side. Reference: {id}");
        let replacement = if is_api {
            HttpResponse::InternalServerError()
                .json(ErrorBody { error: ErrorDetail { code: "internal".into(), message, fields: None } })
        } else {
            crate::web::error_page(StatusCode::INTERNAL_SERVER_ERROR, &message)
        };
        res.into_response(replacement)
    } else {
        res.map_into_boxed_body()
    };
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(HeaderName::from_static("x-request-id"), value);
    }
    res
}

/// The request span: method, route pattern and request id only. The URL itself is never
/// logged, because query strings carry patient names (search) and paths carry ids only
/// through their pattern.
pub struct SafeRootSpan;

impl RootSpanBuilder for SafeRootSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let route = request.match_pattern().unwrap_or_else(|| "unmatched".into());
        let request_id = request.extensions().get::<RequestId>().map(|id| id.to_string()).unwrap_or_default();
        tracing::info_span!("request", method = %request.method(), route = %route, request_id = %request_id)
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, actix_web::Error>) {
        DefaultRootSpanBuilder::on_request_end(span.clone(), outcome);
        let status = match outcome {
            Ok(res) => res.status().as_u16(),
            Err(e) => e.as_response_error().status_code().as_u16(),
        };
        tracing::info!(parent: &span, status, "request finished");
    }
}
