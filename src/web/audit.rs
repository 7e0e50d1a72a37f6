//! The audit log page (leads see their clinic, admins every clinic), with filters and CSV.

use super::components::{csv_response, pagination, Cell};
use super::layout::layout;
use super::session::SessionUser;
use super::{page, HtmlResult};
use crate::db::audit::{AuditFilter, AuditRow};
use crate::db::Db;
use crate::error::AppError;
use crate::service::audit_log::{self, Use};
use actix_web::web;
use maud::html;
use serde::Deserialize;

/// Events per page.
const PER_PAGE: i64 = 50;
/// Most rows in one CSV export.
const EXPORT_LIMIT: i64 = 100_000;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/audit", web::get().to(audit_page)).route("/audit.csv", web::get().to(audit_csv));
}

/// Filters as typed in the query string; anything unreadable is ignored.
#[derive(Debug, Default, Deserialize)]
struct AuditQuery {
    action: Option<String>,
    patient_id: Option<String>,
    actor_id: Option<String>,
    from: Option<String>,
    until: Option<String>,
    page: Option<String>,
}

impl AuditQuery {
    fn filter(&self) -> AuditFilter {
        let text = crate::domain::filled;
        let day = |v: &Option<String>| text(v).and_then(|d| crate::domain::dates::parse_day(&d));
        AuditFilter {
            action: text(&self.action),
            patient_id: text(&self.patient_id).and_then(|p| p.parse().ok()),
            actor_id: text(&self.actor_id).and_then(|p| p.parse().ok()),
            clinic_id: None,
            from: day(&self.from).and_then(|d| d.and_hms_opt(0, 0, 0)),
            until: day(&self.until).and_then(|d| d.succ_opt()).and_then(|d| d.and_hms_opt(0, 0, 0)),
        }
    }

    fn query_string(&self) -> String {
        super::components::query_string(&[
            ("action", &self.action),
            ("patient_id", &self.patient_id),
            ("actor_id", &self.actor_id),
            ("from", &self.from),
            ("until", &self.until),
        ])
    }
}

type Rows = Vec<AuditRow>;

async fn load(
    user: &SessionUser,
    db: &Db,
    query: &AuditQuery,
    offset: i64,
    limit: i64,
    purpose: Use,
) -> Result<(Rows, i64), AppError> {
    let (ctx, filter) = (user.ctx.clone(), query.filter());
    db.run(move |conn| audit_log::list(conn, &ctx, &filter, offset, limit, purpose)).await
}

async fn audit_page(user: SessionUser, query: web::Query<AuditQuery>, db: web::Data<Db>) -> HtmlResult {
    let page_no = crate::input::page_number(query.page.as_deref()).unwrap_or(1);
    let (rows, total) = load(&user, &db, &query, (page_no - 1) * PER_PAGE, PER_PAGE, Use::Read).await?;
    let value = |v: &Option<String>| v.clone().unwrap_or_default();
    let qs = query.query_string();
    let body = html! {
        div.page-head {
            h1 { "Audit log" }
            a.button href=(format!("/audit.csv?{qs}")) { "Export CSV" }
        }
        form.search method="get" action="/audit" {
            label { "Action " input type="text" name="action" value=(value(&query.action)) placeholder="e.g. patient.read"; }
            label { "Patient id " input type="text" name="patient_id" value=(value(&query.patient_id)); }
            label { "User id " input type="text" name="actor_id" value=(value(&query.actor_id)); }
            label { "From " input type="date" name="from" value=(value(&query.from)); }
            label { "Until " input type="date" name="until" value=(value(&query.until)); }
            button type="submit" { "Filter" }
        }
        table.list.audit {
            thead { tr { th { "When (UTC)" } th { "Who" } th { "Action" } th { "Patient" } th { "From" } th { "Request" } th { "Detail" } } }
            tbody {
                @for (e, name) in &rows {
                    tr {
                        td { (e.at.format("%Y-%m-%d %H:%M:%S")) }
                        td { (name.as_deref().unwrap_or("—")) }
                        td { code { (e.action) } }
                        td { @if let Some(p) = &e.patient_id { a href=(format!("/patients/{p}")) { (p.get(..8).unwrap_or(p)) "…" } } }
                        td { (e.client_addr.as_deref().unwrap_or("")) }
                        td { small { (e.request_id.as_deref().unwrap_or("")) } }
                        td { small { (e.detail.as_deref().unwrap_or("")) } }
                    }
                }
            }
        }
        (pagination(&format!("/audit?{qs}"), page_no, PER_PAGE, total))
    };
    Ok(page(layout("Audit log", &user, body)))
}

async fn audit_csv(user: SessionUser, query: web::Query<AuditQuery>, db: web::Data<Db>) -> HtmlResult {
    let (rows, _) = load(&user, &db, &query, 0, EXPORT_LIMIT, Use::Export).await?;
    let lines = rows.iter().map(|(e, name)| {
        let text = |v: &Option<String>| Cell::Text(v.clone().unwrap_or_default());
        vec![
            Cell::Text(e.at.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
            text(&e.actor_id),
            text(name),
            Cell::Text(e.action.clone()),
            text(&e.clinic_id),
            text(&e.patient_id),
            text(&e.client_addr),
            text(&e.request_id),
            text(&e.detail),
        ]
    });
    let header =
        ["at", "actor_id", "actor_name", "action", "clinic_id", "patient_id", "client_addr", "request_id", "detail"];
    Ok(csv_response("audit.csv", &header, lines)?)
}
