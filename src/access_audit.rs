//! Refused accesses are audited in one place, from the response: a 403 (no permission, or a
//! CSRF token missing or wrong) and a 404 of a signed-in user on a matched route (another
//! clinic's record, or none). The event names the route pattern and, for a patient route,
//! the patient id asked for; never anything else from the request.

use crate::db::ids::PatientId;
use crate::db::Db;
use crate::error::Refusal;
use crate::http_origin::origin_of;
use crate::service::{record, Ctx};
use actix_web::body::BoxBody;
use actix_web::dev::ServiceResponse;
use actix_web::{HttpMessage, HttpRequest};

/// Notes the signed-in caller of a request, for the request line and for auditing a
/// refusal of this request.
pub fn note_actor(req: &HttpRequest, ctx: &Ctx) {
    req.extensions_mut().insert(crate::telemetry::LoggedUser(ctx.actor.user_id.to_string()));
    req.extensions_mut().insert(ctx.clone());
}

/// The audit action for a refused response, if it is one.
fn refusal(res: &ServiceResponse<BoxBody>, signed_in: bool, route_matched: bool) -> Option<&'static str> {
    // Both transports' error renderings note what they refused (`AppError::mark`).
    let refusal = res.response().extensions().get::<Refusal>().copied()?;
    match refusal {
        Refusal::Forbidden => Some("access.forbidden"),
        Refusal::CsrfRejected => Some("access.csrf_rejected"),
        Refusal::NotFound if signed_in && route_matched => Some("access.not_found"),
        Refusal::NotFound => None,
    }
}

/// Records `res` in the audit trail when it refused access. A failure to record is
/// logged (without detail) and does not change the response.
pub async fn record_refusal(db: Option<actix_web::web::Data<Db>>, res: &ServiceResponse<BoxBody>, method: &str) {
    let request = res.request();
    let ctx = request.extensions().get::<Ctx>().cloned();
    let route = request.match_pattern();
    let Some(action) = refusal(res, ctx.is_some(), route.is_some()) else { return };
    let Some(db) = db else { return };
    let route = route.unwrap_or_else(|| "unmatched".into());
    let patient = route
        .starts_with("/api/v1/patients/{id}")
        .then(|| request.match_info().get("id").and_then(|id| id.parse::<PatientId>().ok()))
        .flatten()
        .or_else(|| {
            route.starts_with("/patients/{id}").then(|| request.match_info().get("id")?.parse().ok()).flatten()
        });
    let origin = ctx.as_ref().map_or_else(|| origin_of(request), |c| c.origin.clone());
    let detail = format!("status={} method={method} route={route}", res.status().as_u16());
    let outcome = db
        .run(move |conn| record(conn, ctx.as_ref().map(|c| &c.actor), &origin, action, None, patient, Some(detail)))
        .await;
    if let Err(e) = outcome {
        tracing::error!(cause = %e.describe(), action, "auditing a refused access failed");
    }
}
