//! The one page layout, with navigation by role.

use super::session::SessionUser;
use crate::authz::Permission;
use maud::{html, Markup, DOCTYPE};

fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            meta name="htmx-config" content=r#"{"includeIndicatorStyles":false,"scrollIntoViewOnBoost":false,"responseHandling":[{"code":"204","swap":false},{"code":"[23]..","swap":true},{"code":"40[39]","swap":true},{"code":"422","swap":true},{"code":"[45]..","swap":false,"error":true}]}"#;
            title { (title) " · physioplan" }
            link rel="stylesheet" href="/assets/app.css";
            script src="/assets/htmx.min.js" defer {}
            script src="/assets/app.js" defer {}
            script src="/assets/autosave.js" defer {}
        }
    }
}

/// A full page for a signed-in person.
pub fn layout(title: &str, user: &SessionUser, body: Markup) -> Markup {
    let actor = user.actor();
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body {
                a.skip href="#main" { "Skip to content" }
                header.topbar {
                    a.brand href="/patients" { "physioplan" }
                    nav aria-label="Main" {
                        a href="/patients" { "Patients" }
                        a href="/caseload" { @if actor.may(Permission::ReviewCaseload) { "Caseload" } @else { "My caseload" } }
                        a href="/library" { "Library" }
                        @if actor.may(Permission::ViewAudit) { a href="/audit" { "Audit log" } }
                        @if actor.may(Permission::Administer) {
                            a href="/admin/users" { "Users" }
                            a href="/admin/clinics" { "Clinics" }
                        }
                    }
                    div.who {
                        a href="/account" { (actor.name) " · " (actor.role.label()) }
                        form method="post" action="/logout" {
                            (super::components::csrf(user))
                            button.link type="submit" { "Sign out" }
                        }
                    }
                }
                main #main { (body) }
            }
        }
    }
}

/// A page without navigation (sign-in, errors).
pub fn bare(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body { (body) }
        }
    }
}
