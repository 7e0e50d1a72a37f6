//! An administrator edits a user's name and role. The form carries the user's version: a
//! stale save is refused (409) with "changed by someone else", the user as they are now and
//! what was typed kept in the form.

use super::components::{csrf, error_summary, input, select};
use super::layout::layout;
use super::session::{CsrfForm, SessionUser};
use super::{page, HtmlError, HtmlResult};
use crate::authz::Role;
use crate::db::ids::UserId;
use crate::db::users::User;
use crate::db::Db;
use crate::error::{AppError, FieldErrors};
use crate::service::passwords::managed_user;
use crate::service::user_admin::{self, UserEdit};
use actix_web::http::StatusCode;
use actix_web::web;
use maud::{html, Markup};
use serde::Deserialize;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/users/{id}/edit", web::get().to(edit_form))
        .route("/admin/users/{id}/edit", web::post().to(update));
}

/// How the form is drawn again after a refusal.
struct Refusal<'a> {
    errors: &'a FieldErrors,
    conflict: bool,
    /// The version the form carries: the user's current one after a conflict, else the one sent.
    version: i32,
}

/// The edit page of `u` with `typed` in the form.
fn edit_page(user: &SessionUser, u: &User, typed: &UserEdit, refusal: &Refusal<'_>) -> Markup {
    let (errors, conflict) = (refusal.errors, refusal.conflict);
    let roles: Vec<(String, String)> = Role::ALL.iter().map(|r| (r.code().to_owned(), r.label().to_owned())).collect();
    let body = html! {
        p.crumbs { a href="/admin/users" { "← Users" } }
        h1 { "Edit " (u.name) }
        p.hint { (u.email) }
        @if conflict {
            div.error-summary.conflict role="alert" tabindex="-1" data-autofocus="true" {
                p { strong { "This user was changed by someone else since you opened the form; your change was not saved." } }
                p { "The form now shows what you entered, based on the user as they are now: save again if it still applies." }
            }
        }
        (error_summary(errors))
        form method="post" action=(format!("/admin/users/{}/edit", u.id)) novalidate {
            (csrf(user))
            input type="hidden" name="version" value=(refusal.version);
            (input("text", "name", "Name", &typed.name, errors, true))
            (select("role", "Role", &roles, &typed.role, errors, None))
            button.primary type="submit" { "Save" }
        }
    };
    layout("Edit user", user, body)
}

async fn find(user: &SessionUser, db: &Db, id: UserId) -> Result<User, HtmlError> {
    let actor = user.actor().clone();
    Ok(db.run(move |conn| managed_user(conn, &actor, id)).await?)
}

async fn edit_form(user: SessionUser, path: web::Path<UserId>, db: web::Data<Db>) -> HtmlResult {
    let u = find(&user, &db, path.into_inner()).await?;
    let typed = UserEdit { name: u.name.clone(), role: u.role.code().to_owned() };
    let fresh = Refusal { errors: &FieldErrors::new(), conflict: false, version: u.version };
    Ok(page(edit_page(&user, &u, &typed, &fresh)))
}

/// The form as sent; the version as text, so a damaged one is a conflict, not a bare error.
#[derive(Deserialize, Default)]
#[serde(default)]
struct EditForm {
    name: String,
    role: String,
    version: String,
}

async fn update(path: web::Path<UserId>, form: CsrfForm<EditForm>, db: web::Data<Db>) -> HtmlResult {
    let id = path.into_inner();
    let f = &form.form;
    let edit = UserEdit { name: f.name.clone(), role: f.role.clone() };
    let ctx = form.user.ctx.clone();
    let sent = f.version.trim().parse::<i32>();
    let outcome = match sent {
        Ok(version) => {
            let edit = edit.clone();
            db.run(move |conn| user_admin::update(conn, &ctx, id, version, &edit)).await
        }
        Err(_) => Err(AppError::VersionConflict),
    };
    let (status, errors) = match outcome {
        Ok(()) => return Ok(form.done("/admin/users")),
        Err(AppError::Validation(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
        Err(AppError::VersionConflict) => (StatusCode::CONFLICT, FieldErrors::new()),
        Err(other) => return Err(other.into()),
    };
    // Re-shown against the user as they are now, so a second save is based on the current version.
    let current = find(&form.user, &db, id).await?;
    let conflict = status == StatusCode::CONFLICT;
    let version = match sent {
        Ok(v) if !conflict => v,
        _ => current.version,
    };
    let markup = edit_page(&form.user, &current, &edit, &Refusal { errors: &errors, conflict, version });
    Ok(form.reshow(&format!("/admin/users/{id}/edit"), status, markup))
}
