//! Administration: users and clinics (admins only).

use super::components::{csrf, error_summary, input, select};
use super::layout::layout;
use super::session::{CsrfForm, SessionUser};
use super::{page, HtmlResult};
use crate::authz::{Permission, Role};
use crate::db::clinics::{self, Clinic};
use crate::db::ids::{ClinicId, UserId};
use crate::db::users::{self, User};
use crate::db::{Db, DbError};
use crate::domain::mcid::McidThresholds;
use crate::error::{AppError, FieldErrors};
use crate::service::accounts::{self, ClinicInput, McidInput, UserInput};
use crate::service::{passwords, user_admin};
use actix_web::web;
use maud::html;
use serde::Deserialize;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/users", web::get().to(users_page))
        .route("/admin/users", web::post().to(add_user))
        .route("/admin/clinics", web::get().to(clinics_page))
        .route("/admin/clinics", web::post().to(add_clinic))
        .route("/admin/users/{id}/active", web::post().to(set_active))
        .route("/admin/users/{id}/password", web::post().to(reset_password))
        .route("/admin/users/{id}/totp-reset", web::post().to(reset_totp))
        .route("/admin/clinics/{id}/mcid", web::post().to(set_mcid))
        .route("/admin/clinics/{id}/require-totp", web::post().to(set_require_totp))
        .route("/admin/clinics/{id}/time-zone", web::post().to(set_time_zone))
        .route("/admin/clinics/{id}/details", web::post().to(set_details));
}

type UserList = (Vec<(User, String)>, Vec<Clinic>);

async fn load_users(user: &SessionUser, db: &Db) -> Result<UserList, AppError> {
    user.actor().require(Permission::Administer)?;
    let scope = user.actor().scope();
    Ok(db.run(move |conn| -> Result<_, DbError> { Ok((users::list(conn, scope)?, clinics::list(conn)?)) }).await?)
}

/// A password reset that did not pass the policy: whose row, and the messages.
type ResetErrors = Option<(UserId, FieldErrors)>;

fn user_actions(user: &SessionUser, u: &User, reset: &ResetErrors) -> maud::Markup {
    let base = format!("/admin/users/{}", u.id);
    let errors = reset.as_ref().filter(|(id, _)| *id == u.id).map(|(_, e)| e.clone()).unwrap_or_default();
    html! {
        a.button href=(format!("{base}/edit")) { "Edit" }
        form.inline method="post" action=(format!("{base}/active")) {
            (csrf(user))
            input type="hidden" name="active" value=(if u.active { "false" } else { "true" });
            button type="submit" { @if u.active { "Deactivate" } @else { "Reactivate" } }
        }
        @if u.totp_enabled {
            form.inline method="post" action=(format!("{base}/totp-reset")) {
                (csrf(user))
                button type="submit" { "Reset second factor" }
            }
        }
        form.inline method="post" action=(format!("{base}/password")) novalidate {
            (csrf(user))
            (input("password", &format!("password-{}", u.id), "New password", "", &rename(&errors, u.id), true))
            button type="submit" { "Reset password" }
        }
    }
}

/// Field messages keyed by the row's input name.
fn rename(errors: &FieldErrors, id: UserId) -> FieldErrors {
    errors.values().map(|m| (format!("password-{id}"), m.clone())).collect()
}

fn users_view(user: &SessionUser, list: &UserList, form: &UserInput, errors: &FieldErrors) -> maud::Markup {
    users_view_with(user, list, form, errors, &None)
}

fn users_view_with(
    user: &SessionUser,
    list: &UserList,
    form: &UserInput,
    errors: &FieldErrors,
    reset: &ResetErrors,
) -> maud::Markup {
    let (people, clinic_list) = list;
    let roles: Vec<(String, String)> = Role::ALL.iter().map(|r| (r.code().to_owned(), r.label().to_owned())).collect();
    let clinic_options: Vec<(String, String)> =
        clinic_list.iter().map(|c| (c.id.to_string(), c.name.clone())).collect();
    let body = html! {
        h1 { "Users" }
        table.list {
            thead { tr { th { "Name" } th { "E-mail" } th { "Role" } th { "Clinic" } th { "Sign-in" } th { "Actions" } } }
            tbody {
                @for (u, clinic) in people {
                    tr {
                        td { (u.name) } td { (u.email) } td { (u.role) } td { (clinic) }
                        td { @if !u.active { "Deactivated" } @else if u.totp_enabled { "Password + second factor" } @else { "Password" } }
                        td { (user_actions(user, u, reset)) }
                    }
                }
            }
        }
        h2 { "Add a user" }
        (error_summary(errors))
        form method="post" action="/admin/users" novalidate {
            (csrf(user))
            div.row {
                (input("text", "name", "Name", &form.name, errors, true))
                (input("email", "email", "E-mail", &form.email, errors, true))
            }
            div.row {
                (select("role", "Role", &roles, &form.role, errors, None))
                (select("clinic_id", "Clinic", &clinic_options, &form.clinic_id, errors, None))
            }
            (input("password", "password", "Initial password (at least 10 characters, not easy to guess)", "", errors, true))
            button.primary type="submit" { "Add user" }
        }
    };
    layout("Users", user, body)
}

async fn users_page(user: SessionUser, db: web::Data<Db>) -> HtmlResult {
    let list = load_users(&user, &db).await?;
    let blank =
        UserInput { role: "therapist".into(), clinic_id: user.actor().clinic_id.to_string(), ..UserInput::default() };
    Ok(page(users_view(&user, &list, &blank, &FieldErrors::new())))
}

async fn add_user(form: CsrfForm<UserInput>, db: web::Data<Db>) -> HtmlResult {
    form.user.actor().require(Permission::Administer)?;
    let (ctx, input) = (form.user.ctx.clone(), form.form.clone());
    let outcome = db
        .run(move |conn| -> Result<_, AppError> {
            let id = accounts::add_user(conn, &input)?;
            ctx.audit(conn, "user.create", input.clinic_id.parse().ok(), None, Some(format!("user={id}")))?;
            Ok(id)
        })
        .await;
    match outcome {
        Ok(_) => Ok(form.done("/admin/users")),
        Err(AppError::Validation(errors)) => {
            let list = load_users(&form.user, &db).await?;
            Ok(form.invalid("/admin/users", users_view(&form.user, &list, &form.form, &errors)))
        }
        Err(other) => Err(other.into()),
    }
}

/// A refused time-zone change, re-shown in its clinic's row with what was typed.
struct ZoneFailure {
    clinic: crate::db::ids::ClinicId,
    typed: String,
    message: String,
    /// For a refused details edit: what was typed, and the messages by field.
    details: Option<ClinicInput>,
    errors: FieldErrors,
}

fn time_zone_form(user: &SessionUser, c: &Clinic, failure: Option<&ZoneFailure>) -> maud::Markup {
    let fail = failure.filter(|f| f.clinic == c.id && f.details.is_none());
    let id = format!("tz-{}", c.id);
    html! {
        form.inline.tiny method="post" action=(format!("/admin/clinics/{}/time-zone", c.id)) {
            (csrf(user))
            input type="hidden" name="version" value=(c.version);
            input id=(id) type="text" name="time_zone" value=(fail.map_or(c.time_zone.as_str(), |f| f.typed.as_str()))
                aria-label=(format!("Time zone of {}", c.name)) aria-invalid=[fail.map(|_| "true")]
                aria-describedby=[fail.map(|_| format!("{id}-error"))] size="18";
            button type="submit" { "Save" }
        }
        @if let Some(f) = fail { p.field-error id=(format!("{id}-error")) { (f.message) } }
    }
}

/// The clinic's name, telephone and address (shown on handouts), editable in its row.
fn details_form(user: &SessionUser, c: &Clinic, failure: Option<&ZoneFailure>) -> maud::Markup {
    let fail = failure.filter(|f| f.clinic == c.id && f.details.is_some());
    let typed = fail.and_then(|f| f.details.clone());
    let errors = fail.map(|f| f.errors.clone()).unwrap_or_default();
    let value = |typed: Option<&String>, saved: Option<&String>| typed.or(saved).cloned().unwrap_or_default();
    let n = c.id.to_string();
    html! {
        details.clinic-details open[fail.is_some()] {
            summary { "Edit name, telephone and address" }
            form method="post" action=(format!("/admin/clinics/{}/details", c.id)) novalidate {
                (csrf(user))
                input type="hidden" name="version" value=(c.version);
                @if let Some(f) = fail { p.field-error role="alert" { (f.message) } }
                @let t = typed.as_ref();
                label for=(format!("name-{n}")) { "Name" }
                input id=(format!("name-{n}")) type="text" name="name" required value=(value(t.map(|d| &d.name), Some(&c.name)));
                (super::components::field_errors(&errors, "name"))
                label for=(format!("phone-{n}")) { "Telephone" }
                input id=(format!("phone-{n}")) type="tel" name="phone" value=(value(t.and_then(|d| d.phone.as_ref()), if t.is_some() { None } else { c.phone.as_ref() }));
                (super::components::field_errors(&errors, "phone"))
                label for=(format!("address-{n}")) { "Address" }
                input id=(format!("address-{n}")) type="text" name="address" value=(value(t.and_then(|d| d.address.as_ref()), if t.is_some() { None } else { c.address.as_ref() }));
                (super::components::field_errors(&errors, "address"))
                button type="submit" { "Save details" }
            }
        }
    }
}

fn clinics_view(user: &SessionUser, list: &[Clinic], form: &ClinicInput, errors: &FieldErrors) -> maud::Markup {
    clinics_page_view(user, list, form, errors, None)
}

fn clinics_page_view(
    user: &SessionUser,
    list: &[Clinic],
    form: &ClinicInput,
    errors: &FieldErrors,
    zone: Option<&ZoneFailure>,
) -> maud::Markup {
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    let body = html! {
        h1 { "Clinics" }
        table.list {
            thead { tr { th { "Name" } th { "Telephone" } th { "Address" } th { "Time zone (IANA)" } th { "MCID (points / % of baseline)" } } }
            tbody {
                @for c in list {
                    @let t: McidThresholds = c.mcid.as_deref().and_then(|j| serde_json::from_str(j).ok()).unwrap_or_default();
                    @let pct = |p: Option<f64>| p.map(|p| p.to_string()).unwrap_or_default();
                    tr {
                        td {
                            (c.name)
                            (details_form(user, c, zone))
                            form.inline method="post" action=(format!("/admin/clinics/{}/require-totp", c.id)) {
                                (csrf(user))
                                input type="hidden" name="require" value=(if c.require_totp { "false" } else { "true" });
                                input type="hidden" name="version" value=(c.version);
                                button type="submit" {
                                    @if c.require_totp { "Second factor required: stop requiring" } @else { "Require a second factor" }
                                }
                            }
                        }
                        td { (opt(&c.phone)) } td { (opt(&c.address)) }
                        td { (time_zone_form(user, c, zone)) }
                        td {
                            form.mcid method="post" action=(format!("/admin/clinics/{}/mcid", c.id)) {
                                (csrf(user))
                                input type="hidden" name="version" value=(c.version);
                                label { "ODI " input type="number" step="any" name="odi_points" value=(t.odi.points) aria-label="ODI points"; }
                                label { " / " input type="number" step="any" name="odi_percent" value=(pct(t.odi.percent)) aria-label="ODI percent"; " %" }
                                label { " NPRS " input type="number" step="any" name="nprs_points" value=(t.nprs.points) aria-label="NPRS points"; }
                                label { " / " input type="number" step="any" name="nprs_percent" value=(pct(t.nprs.percent)) aria-label="NPRS percent"; " %" }
                                label { " RMDQ " input type="number" step="any" name="rmdq_points" value=(t.roland_morris.points) aria-label="Roland-Morris points"; }
                                label { " PSFS " input type="number" step="any" name="psfs_points" value=(t.psfs.points) aria-label="PSFS points"; }
                                button type="submit" { "Save" }
                            }
                        }
                    }
                }
            }
        }
        h2 { "Add a clinic" }
        (error_summary(errors))
        form method="post" action="/admin/clinics" novalidate {
            (csrf(user))
            (input("text", "name", "Name", &form.name, errors, true))
            div.row {
                (input("tel", "phone", "Telephone", &opt(&form.phone), errors, false))
                (input("text", "address", "Address", &opt(&form.address), errors, false))
            }
            button.primary type="submit" { "Add clinic" }
        }
    };
    layout("Clinics", user, body)
}

async fn load_clinics(user: &SessionUser, db: &Db) -> Result<Vec<Clinic>, AppError> {
    user.actor().require(Permission::Administer)?;
    Ok(db.run(clinics::list).await?)
}

async fn clinics_page(user: SessionUser, db: web::Data<Db>) -> HtmlResult {
    let list = load_clinics(&user, &db).await?;
    Ok(page(clinics_view(&user, &list, &ClinicInput::default(), &FieldErrors::new())))
}

async fn set_mcid(
    path: web::Path<crate::db::ids::ClinicId>,
    form: CsrfForm<McidForm>,
    db: web::Data<Db>,
) -> HtmlResult {
    let (ctx, clinic) = (form.user.ctx.clone(), path.into_inner());
    let (input, version) = (form.form.thresholds.clone(), form_version(&form.form.version)?);
    db.run(move |conn| accounts::set_mcid(conn, &ctx, clinic, version, &input)).await?;
    Ok(form.done("/admin/clinics"))
}

async fn add_clinic(form: CsrfForm<ClinicInput>, db: web::Data<Db>) -> HtmlResult {
    form.user.actor().require(Permission::Administer)?;
    let (ctx, input) = (form.user.ctx.clone(), form.form.clone());
    let outcome = db
        .run(move |conn| -> Result<_, AppError> {
            let id = accounts::add_clinic(conn, &input)?;
            ctx.audit(conn, "clinic.create", Some(id), None, None)?;
            Ok(id)
        })
        .await;
    match outcome {
        Ok(_) => Ok(form.done("/admin/clinics")),
        Err(AppError::Validation(errors)) => {
            let list = load_clinics(&form.user, &db).await?;
            Ok(form.invalid("/admin/clinics", clinics_view(&form.user, &list, &form.form, &errors)))
        }
        Err(other) => Err(other.into()),
    }
}

/// The time-zone form as posted.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
struct TimeZoneForm {
    time_zone: String,
    version: String,
}

async fn set_time_zone(
    path: web::Path<crate::db::ids::ClinicId>,
    form: CsrfForm<TimeZoneForm>,
    db: web::Data<Db>,
) -> HtmlResult {
    let clinic = path.into_inner();
    let ctx = form.user.ctx.clone();
    let f = form.form.clone();
    let version = form_version(&f.version)?;
    let outcome = db
        .run(move |conn| crate::service::clinic_settings::set_time_zone(conn, &ctx, clinic, version, &f.time_zone))
        .await;
    let message = match outcome {
        Ok(()) => return Ok(form.done("/admin/clinics")),
        Err(AppError::Validation(fields)) => fields.values().flatten().cloned().collect::<Vec<_>>().join(" "),
        Err(AppError::VersionConflict) => {
            "Someone changed this clinic's settings first. Check the time zone and save again.".to_owned()
        }
        Err(other) => return Err(other.into()),
    };
    let list = load_clinics(&form.user, &db).await?;
    let failure =
        ZoneFailure { clinic, typed: form.form.time_zone.clone(), message, details: None, errors: FieldErrors::new() };
    let markup = clinics_page_view(&form.user, &list, &ClinicInput::default(), &FieldErrors::new(), Some(&failure));
    Ok(form.invalid("/admin/clinics", markup))
}

#[derive(Deserialize)]
struct ActiveForm {
    #[serde(default)]
    active: bool,
}

async fn set_active(path: web::Path<UserId>, form: CsrfForm<ActiveForm>, db: web::Data<Db>) -> HtmlResult {
    let (ctx, id, active) = (form.user.ctx.clone(), path.into_inner(), form.form.active);
    db.run(move |conn| user_admin::set_active(conn, &ctx, id, active)).await?;
    Ok(form.done("/admin/users"))
}

async fn reset_totp(path: web::Path<UserId>, form: CsrfForm<Empty>, db: web::Data<Db>) -> HtmlResult {
    let (ctx, id) = (form.user.ctx.clone(), path.into_inner());
    db.run(move |conn| user_admin::reset_second_factor(conn, &ctx, id)).await?;
    Ok(form.done("/admin/users"))
}

#[derive(Deserialize)]
struct Empty {}

async fn reset_password(path: web::Path<UserId>, form: CsrfForm<Empty>, db: web::Data<Db>) -> HtmlResult {
    let id = path.into_inner();
    let fields: std::collections::HashMap<String, String> = form.parse()?;
    let password = fields.get(&format!("password-{id}")).cloned().unwrap_or_default();
    let ctx = form.user.ctx.clone();
    match db.run(move |conn| passwords::reset(conn, &ctx, id, &password)).await {
        Ok(()) => Ok(form.done("/admin/users")),
        Err(AppError::Validation(errors)) => {
            let list = load_users(&form.user, &db).await?;
            let blank = UserInput {
                role: "therapist".into(),
                clinic_id: form.user.actor().clinic_id.to_string(),
                ..UserInput::default()
            };
            let page = users_view_with(&form.user, &list, &blank, &FieldErrors::new(), &Some((id, errors)));
            Ok(form.invalid("/admin/users", page))
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize)]
struct RequireForm {
    #[serde(default)]
    require: bool,
    #[serde(default)]
    version: String,
}

/// The MCID form as posted: the thresholds and the clinic version they were based on.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct McidForm {
    #[serde(flatten)]
    thresholds: McidInput,
    version: String,
}

/// The clinic version a settings form was rendered with (a missing one reads as stale).
fn form_version(text: &str) -> Result<i32, AppError> {
    text.trim().parse().map_err(|_| AppError::VersionConflict)
}

async fn set_require_totp(path: web::Path<ClinicId>, form: CsrfForm<RequireForm>, db: web::Data<Db>) -> HtmlResult {
    let (ctx, clinic, require) = (form.user.ctx.clone(), path.into_inner(), form.form.require);
    let version = form_version(&form.form.version)?;
    db.run(move |conn| user_admin::set_require_totp(conn, &ctx, clinic, version, require)).await?;
    Ok(form.done("/admin/clinics"))
}

/// The clinic details form as posted.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
struct DetailsForm {
    name: String,
    phone: String,
    address: String,
    version: String,
}

async fn set_details(
    path: web::Path<crate::db::ids::ClinicId>,
    form: CsrfForm<DetailsForm>,
    db: web::Data<Db>,
) -> HtmlResult {
    let clinic = path.into_inner();
    let ctx = form.user.ctx.clone();
    let f = form.form.clone();
    let input = ClinicInput { name: f.name.clone(), phone: Some(f.phone.clone()), address: Some(f.address.clone()) };
    let version = form_version(&f.version)?;
    let typed = input.clone();
    let outcome =
        db.run(move |conn| crate::service::clinic_settings::set_details(conn, &ctx, clinic, version, &input)).await;
    let (message, errors, status) = match outcome {
        Ok(()) => return Ok(form.done("/admin/clinics")),
        Err(AppError::Validation(fields)) => ("Check the clinic's details.".to_owned(), fields, 422),
        Err(AppError::VersionConflict) => (
            "Someone changed this clinic's settings first. Check its details and save again.".to_owned(),
            FieldErrors::new(),
            409,
        ),
        Err(other) => return Err(other.into()),
    };
    let list = load_clinics(&form.user, &db).await?;
    let failure = ZoneFailure { clinic, typed: String::new(), message, details: Some(typed), errors };
    let markup = clinics_page_view(&form.user, &list, &ClinicInput::default(), &FieldErrors::new(), Some(&failure));
    let status = if status == 409 {
        actix_web::http::StatusCode::CONFLICT
    } else {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(form.reshow("/admin/clinics", status, markup))
}
