//! Building and running the HTTP server: used by `physioplan serve` and by the tests
//! (which bind port 0 and a fresh database).

use crate::config::Settings;
use crate::db::Db;
use crate::error::{AppError, ErrorBody, ErrorDetail};
use crate::service::auth::HashGate;
use crate::telemetry::{LoggedUser, RequestId, RequestLine};
use crate::web::security_headers::security_headers;
use actix_web::body::MessageBody;
use actix_web::dev::{Server, Service, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, App, HttpMessage, HttpResponse, HttpServer, ResponseError};
use std::net::TcpListener;
use std::time::Instant;
use tracing::Instrument;

/// A bound, not yet running server.
pub struct Application {
    server: Server,
    port: u16,
}

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
        let pool_threads = usize::try_from(settings.pool_size.max(1)).unwrap_or(8);
        let (db, gate, settings) = (web::Data::new(db), web::Data::new(gate), web::Data::new(settings));
        let server = HttpServer::new(move || {
            App::new()
                .wrap(security_headers(settings.secure_cookies))
                .wrap_fn(|req, srv| {
                    let id = RequestId::from_headers(req.headers());
                    req.extensions_mut().insert(id.clone());
                    let route = req.match_pattern().unwrap_or_else(|| "unmatched".into());
                    let method = req.method().to_string();
                    let is_api = req.path().starts_with("/api/");
                    let db = req.app_data::<web::Data<Db>>().cloned();
                    let span = tracing::info_span!("request", request_id = %id);
                    let started = Instant::now();
                    let pending = match crate::input::check_query(req.query_string()) {
                        Ok(()) => Ok(span.in_scope(|| srv.call(req))),
                        Err(refused) => Err(req.into_response(render_error(refused, is_api))),
                    };
                    async move {
                        let outcome = match pending {
                            Ok(call) => call.await.map(ServiceResponse::map_into_boxed_body),
                            Err(refused) => Ok(refused),
                        };
                        if let Ok(res) = &outcome {
                            crate::access_audit::record_refusal(db, res, &method).await;
                        }
                        let (status, user) = match &outcome {
                            Ok(res) => (res.status(), res.request().extensions().get::<LoggedUser>().cloned()),
                            Err(e) => (e.as_response_error().status_code(), None),
                        };
                        RequestLine {
                            request_id: &id.0,
                            method: &method,
                            route: &route,
                            status: status.as_u16(),
                            latency_ms: started.elapsed().as_secs_f64() * 1000.0,
                            user_id: user.as_ref().map(|u| u.0.as_str()),
                        }
                        .log();
                        outcome.map(|res| with_request_id(res, &id.0, is_api))
                    }
                    .instrument(span)
                })
                .app_data(db.clone())
                .app_data(gate.clone())
                .app_data(settings.clone())
                .configure(crate::configure)
        })
        // Database work runs on each worker's blocking threads and waits for a pooled
        // connection anyway: more threads than connections only add stacks and allocator arenas.
        .worker_max_blocking_threads(pool_threads)
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

/// An error as JSON (API) or as a page.
fn render_error(error: AppError, is_api: bool) -> HttpResponse {
    if is_api {
        error.error_response()
    } else {
        crate::web::HtmlError(error).error_response()
    }
}

/// Adds `X-Request-Id` to every response, and replaces the body of an unexpected 500 with
/// an opaque message carrying that id (the cause is in the server log under the same id).
fn with_request_id<B: MessageBody + 'static>(res: ServiceResponse<B>, id: &str, is_api: bool) -> ServiceResponse {
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
    if let Ok(value) = HeaderValue::from_str(id) {
        res.headers_mut().insert(HeaderName::from_static("x-request-id"), value);
    }
    res
}
