//! The OpenAPI 3 document, served at `GET /api/v1/openapi.json` (public: it holds no data).

use super::{op, ApiRoute};
use actix_web::http::Method;
use actix_web::HttpResponse;
use utoipa::openapi::path::ParameterIn;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi};

/// The document.
#[derive(OpenApi)]
#[openapi(
    info(title = "physioplan API", description = "Staged treatment plans for physiotherapy clinics. \
        Errors are `{\"error\":{\"code\",\"message\",\"fields\"}}`; dates `YYYY-MM-DD`; times RFC 3339 UTC."),
    paths(
        super::auth::token,
        super::auth::revoke,
        super::auth::me,
        super::auth::totp_begin,
        super::auth::totp_confirm,
        super::account::change_password,
        super::account::list,
        super::account::end,
        super::account::end_others,
        super::patients::list,
        super::patients::create,
        super::patients::get,
        super::patients::update,
        super::assessments::create,
        super::assessments::list,
        super::assessments::get,
        super::assessments::update,
        super::assessments::sign,
        super::assessments::amend,
        super::assessments::act,
        super::assessments::progress,
        super::library::list,
        super::library::get,
        super::library::create,
        super::library::update,
        super::library::protocols,
        super::media::put,
        super::media::delete,
        super::protocols::get,
        super::protocols::update,
        super::protocols::retire,
        super::protocols::retire_item,
        super::plans::create,
        super::plans::list,
        super::plans::get,
        super::plans::version,
        super::plans::add_item,
        super::plans::update_item,
        super::plans::remove_item,
        super::plans::move_item,
        super::plans::review_item,
        super::plans::withdraw_consent,
        super::plans::edit_stage,
        super::plans::set_criteria,
        super::plans::add_goal,
        super::plans::remove_goal,
        super::plans::activate,
        super::plans::amend,
        super::plans::advance,
        super::plans::complete,
        super::plans::discontinue,
        super::plans::save_protocol,
        super::plans::fhir,
        super::caseload::caseload,
    ),
    components(schemas(crate::error::ErrorBody, crate::error::ErrorDetail, crate::error::ErrorCode, crate::domain::patient::PatientInput,
        crate::service::caseload::CaseloadSort, super::patients::StatusFilter, super::plans::FhirBundleType, crate::domain::caseload::Flag, crate::domain::modality::Category)),
    modifiers(&BearerAuth, &ErrorResponses),
    tags((name = "auth", description = "Tokens, second factor, sessions, password"), (name = "patients", description = "Patients and episodes"),
        (name = "assessments", description = "Structured assessments, scores, red flags, progress"),
        (name = "library", description = "Modality library and protocols"),
        (name = "plans", description = "Staged plans, safety engine, lifecycle, versions"),
        (name = "caseload", description = "Caseload review for clinic leads"))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

/// The error responses every operation can give, documented once as components and
/// referenced from each operation where they apply (an answer the operation documents
/// itself is kept):
/// - 401 `unauthenticated` and 403 `forbidden` for every operation that needs a token;
/// - 404 `not_found` for every path with an id (another clinic's records too);
/// - 409 (`version_conflict` and the lifecycle codes) for every change to an existing record;
/// - 422 `validation_failed` for every operation that takes a body or query parameters.
struct ErrorResponses;

const ERRORS: [(&str, &str, &str); 5] = [
    ("401", "Unauthenticated", "`unauthenticated`: no valid bearer token"),
    ("403", "Forbidden", "`forbidden`: this role may not do this"),
    ("404", "NotFound", "`not_found`: no such record, or another clinic's"),
    ("409", "Conflict", "`version_conflict`, or the record's state refuses the change (e.g. `locked`, `plan_locked`)"),
    (
        "422",
        "Unprocessable",
        "`validation_failed` naming each field, or a clinical refusal (`contraindicated`, `consent_required`)",
    ),
];

impl Modify for ErrorResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for (_, name, description) in ERRORS {
            let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build();
            let response = ResponseBuilder::new().description(description).content("application/json", content).build();
            components.responses.insert(name.to_owned(), RefOr::T(response));
        }
        for (path, item) in openapi.paths.paths.iter_mut() {
            let has_id = path.contains('{');
            let ops = [
                (false, item.get.as_mut()),
                (true, item.post.as_mut()),
                (true, item.put.as_mut()),
                (true, item.patch.as_mut()),
                (true, item.delete.as_mut()),
            ];
            for (changes, op) in ops {
                let Some(op) = op else { continue };
                let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
                let queried = op
                    .parameters
                    .as_ref()
                    .is_some_and(|ps| ps.iter().any(|p| matches!(p.parameter_in, ParameterIn::Query)));
                let applies = |status: &str| match status {
                    "401" | "403" => secured,
                    "404" => has_id,
                    "409" => changes && has_id,
                    _ => changes || queried,
                };
                for (status, name, _) in ERRORS {
                    if applies(status) && !op.responses.responses.contains_key(status) {
                        op.responses.responses.insert(status.to_owned(), RefOr::Ref(Ref::from_response_name(name)));
                    }
                }
            }
        }
    }
}

/// The routes of this module (see [`super::routes`]).
pub fn routes() -> Vec<ApiRoute> {
    vec![op(Method::GET, "/openapi.json", document)]
}

async fn document() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn documented() -> Vec<(String, String, utoipa::openapi::path::Operation)> {
        let doc = ApiDoc::openapi();
        let mut out = Vec::new();
        for (path, item) in doc.paths.paths {
            let ops = [
                ("GET", item.get),
                ("POST", item.post),
                ("PUT", item.put),
                ("PATCH", item.patch),
                ("DELETE", item.delete),
            ];
            for (method, op) in ops {
                if let Some(op) = op {
                    out.push((method.to_owned(), path.clone(), op));
                }
            }
        }
        out
    }

    #[test]
    fn the_route_table_and_the_document_name_the_same_operations() {
        let routed: BTreeSet<(String, String)> = super::super::routes()
            .iter()
            .filter(|r| r.path != "/openapi.json")
            .map(|r| (r.method.to_string(), format!("/api/v1{}", r.path)))
            .collect();
        let documented: BTreeSet<(String, String)> = documented().into_iter().map(|(m, p, _)| (m, p)).collect();
        assert_eq!(
            routed.difference(&documented).collect::<Vec<_>>(),
            Vec::<&(String, String)>::new(),
            "routed, not documented"
        );
        assert_eq!(
            documented.difference(&routed).collect::<Vec<_>>(),
            Vec::<&(String, String)>::new(),
            "documented, not routed"
        );
    }

    #[test]
    fn operation_ids_are_unique_and_path_parameters_are_in_the_path() {
        let mut ids = BTreeSet::new();
        for (method, path, op) in documented() {
            let id = op.operation_id.clone().unwrap_or_default();
            assert!(ids.insert(id.clone()), "{method} {path}: operationId {id} used twice");
            for p in op.parameters.unwrap_or_default() {
                if matches!(p.parameter_in, ParameterIn::Path) {
                    assert!(
                        path.contains(&format!("{{{}}}", p.name)),
                        "{method} {path}: {} is not in the path",
                        p.name
                    );
                }
            }
        }
    }

    #[test]
    fn every_operation_with_a_token_documents_401_and_every_id_404() {
        for (method, path, op) in documented() {
            let statuses: Vec<&String> = op.responses.responses.keys().collect();
            if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
                assert!(statuses.iter().any(|s| *s == "401"), "{method} {path}: {statuses:?}");
            }
            if path.contains('{') {
                assert!(statuses.iter().any(|s| *s == "404"), "{method} {path}: {statuses:?}");
            }
        }
    }
}
