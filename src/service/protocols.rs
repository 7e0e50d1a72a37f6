//! Clinic protocols managed by leads and admins: list (retired ones too), rename and edit
//! (name, description, stages and their items), retire. Edits carry the protocol's
//! `version` (a stale one is 409); built-in protocols cannot be changed (403). A retired
//! protocol is no longer offered for new plans; plans made from it keep what they copied.

use super::library::{Protocol, PROTOCOL_NAME_MESSAGE};
use super::Ctx;
use crate::authz::Permission;
use crate::db::ids::{ClinicId, ProtocolId};
use crate::db::library as store;
use crate::db::DbConn;
use crate::domain::protocol::ProtocolContent;
use crate::error::{add_field_error, AppError, FieldErrors};
use diesel::Connection;

/// An edit of a clinic protocol.
#[derive(Debug, Clone)]
pub struct ProtocolEdit {
    /// The version the edit is based on.
    pub version: i32,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// The template.
    pub content: ProtocolContent,
}

/// Every protocol visible to a lead, retired ones included (the management list).
pub fn all(conn: &mut DbConn, ctx: &Ctx) -> Result<Vec<Protocol>, AppError> {
    ctx.actor.require(Permission::ManageLibrary)?;
    store::list_protocols(conn, ctx.actor.scope(), true)?.into_iter().map(super::library::parse_protocol).collect()
}

/// A clinic protocol a lead may change: built-in ones are refused, retired ones conflict.
fn changeable(conn: &mut DbConn, ctx: &Ctx, id: ProtocolId) -> Result<Protocol, AppError> {
    ctx.actor.require(Permission::ManageLibrary)?;
    let current = super::library::protocol(conn, ctx, id)?;
    if current.row.clinic_id.is_none() {
        return Err(AppError::Forbidden);
    }
    if current.row.retired {
        return Err(AppError::Conflict { code: "retired", message: "This protocol has been retired.".into() });
    }
    Ok(current)
}

/// Checks an edit: name, description, stages (1 to 6, named, 1–52 weeks, criteria in range)
/// and items (each a current library item visible to the clinic, not retired).
fn validate(conn: &mut DbConn, clinic: ClinicId, edit: &ProtocolEdit) -> Result<(), AppError> {
    let mut errors = FieldErrors::new();
    let name = edit.name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        add_field_error(&mut errors, "name", PROTOCOL_NAME_MESSAGE);
    }
    if edit.description.chars().count() > 2000 {
        add_field_error(&mut errors, "description", "Keep the description under 2000 characters.");
    }
    let stages = &edit.content.stages;
    if stages.is_empty() || stages.len() > 6 {
        add_field_error(&mut errors, "content.stages", "A protocol has one to six stages.");
    }
    let codes: Vec<String> = stages.iter().flat_map(|s| s.items.iter().map(|i| i.code.clone())).collect();
    let known = store::current_by_codes(conn, clinic, &codes)?;
    for (n, stage) in stages.iter().enumerate() {
        let field = |f: &str| format!("content.stages[{n}].{f}");
        if stage.name.trim().is_empty() || stage.name.chars().count() > 120 {
            add_field_error(&mut errors, &field("name"), "Give the stage a name of up to 120 characters.");
        }
        if stage.purpose.chars().count() > 1000 {
            add_field_error(&mut errors, &field("purpose"), "Keep the purpose under 1000 characters.");
        }
        if !(1..=52).contains(&stage.planned_weeks) {
            add_field_error(&mut errors, &field("planned_weeks"), "Plan 1 to 52 weeks for the stage.");
        }
        for (k, c) in stage.criteria.iter().enumerate() {
            if let Err(m) = c.validate() {
                add_field_error(&mut errors, &field(&format!("criteria[{k}]")), m);
            }
        }
        let unknown: Vec<&str> =
            stage.items.iter().filter(|i| !known.iter().any(|r| r.code == i.code)).map(|i| i.code.as_str()).collect();
        if !unknown.is_empty() {
            let message = "Some items are not in the library (or have been retired); choose current items.";
            add_field_error(&mut errors, &field("items"), message);
        }
        for (k, item) in stage.items.iter().enumerate() {
            if let Err(problems) = item.dosage_override.validate() {
                for (f, m) in problems {
                    add_field_error(&mut errors, &field(&format!("items[{k}].dosage_override.{f}")), m);
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

/// Saves an edit of a clinic protocol in one transaction, with an audit event.
pub fn update(conn: &mut DbConn, ctx: &Ctx, id: ProtocolId, edit: &ProtocolEdit) -> Result<Protocol, AppError> {
    let current = changeable(conn, ctx, id)?;
    if current.row.version != edit.version {
        return Err(AppError::VersionConflict);
    }
    let clinic = clinic_of(&current)?;
    validate(conn, clinic, edit)?;
    let json = serde_json::to_string(&edit.content).map_err(|e| AppError::Internal(e.to_string()))?;
    conn.transaction(|conn| {
        if !store::update_protocol(conn, id, edit.version, edit.name.trim(), edit.description.trim(), &json)? {
            return Err(AppError::VersionConflict);
        }
        let detail = format!("protocol={id} version={}", edit.version + 1);
        ctx.audit(conn, "protocol.update", Some(clinic), None, Some(detail))?;
        Ok(())
    })?;
    super::library::protocol(conn, ctx, id)
}

/// Retires a clinic protocol: no longer offered for new plans.
pub fn retire(conn: &mut DbConn, ctx: &Ctx, id: ProtocolId, version: i32) -> Result<Protocol, AppError> {
    let current = changeable(conn, ctx, id)?;
    if current.row.version != version {
        return Err(AppError::VersionConflict);
    }
    let clinic = clinic_of(&current)?;
    conn.transaction(|conn| {
        if !store::retire_protocol(conn, id, version)? {
            return Err(AppError::VersionConflict);
        }
        ctx.audit(conn, "protocol.retire", Some(clinic), None, Some(format!("protocol={id}")))?;
        Ok(())
    })?;
    super::library::protocol(conn, ctx, id)
}

/// The clinic a clinic protocol belongs to.
fn clinic_of(p: &Protocol) -> Result<ClinicId, AppError> {
    p.row.clinic_id.as_deref().and_then(|c| c.parse().ok()).ok_or(AppError::Forbidden)
}
