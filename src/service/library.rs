//! The modality library: built-in items seeded idempotently, clinic items versioned, and
//! protocols (built-in and clinic).

use super::{now, Ctx};
use crate::authz::Permission;
use crate::db::ids::{ModalityId, ProtocolId};
use crate::db::library::{self as store, LibraryFilter, ModalityRow, NewModality, ProtocolRow};
use crate::db::DbConn;
use crate::domain::library;
use crate::domain::modality::{Category, ModalityDef, Stage, Technique};
use crate::domain::protocol::ProtocolContent;
use crate::domain::protocols_builtin::builtin_protocols;
use crate::domain::safety_floor;
use crate::error::AppError;
use diesel::Connection;
use serde::Deserialize;
use utoipa::IntoParams;

/// Library filters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LibraryParams {
    /// Category.
    #[param(value_type = Option<Category>)]
    pub category: Option<String>,
    /// Stage: `1`–`4` or its code (`pain_control mobility strength functional`).
    pub stage: Option<String>,
    /// Body region.
    pub region: Option<String>,
    /// Part of the name.
    pub q: Option<String>,
}

/// Parses the filters, naming a bad one.
pub fn filter_of(p: &LibraryParams) -> Result<LibraryFilter, AppError> {
    let text = crate::domain::filled;
    let category = match text(&p.category) {
        Some(c) => Some(c.parse::<Category>().map_err(|m| AppError::field("category", m))?.code().to_owned()),
        None => None,
    };
    let stage = match text(&p.stage) {
        Some(s) => Some(s.parse::<Stage>().map_err(|m| AppError::field("stage", m))?.code().to_owned()),
        None => None,
    };
    Ok(LibraryFilter { category, stage, region: text(&p.region), name: text(&p.q) })
}

/// A library item version with its parsed definition.
#[derive(Debug, Clone)]
pub struct LibraryItem {
    /// The stored row.
    pub row: ModalityRow,
    /// The definition.
    pub def: ModalityDef,
    /// The uploaded picture (clinic items; filled in by `list` and `get`).
    pub image: Option<crate::db::media::MediaRef>,
}

impl LibraryItem {
    /// Whether it is a built-in (read-only) item.
    pub fn builtin(&self) -> bool {
        self.row.clinic_id.is_none()
    }
}

/// Reads a stored item with its kind's safety floor applied, so an item stored before the
/// floor existed is shown and used with it.
pub(super) fn parse(row: ModalityRow) -> Result<LibraryItem, AppError> {
    let def: ModalityDef =
        serde_json::from_str(&row.definition).map_err(|e| crate::error::unreadable("library item", &e))?;
    Ok(LibraryItem { def: safety_floor::with_floor(&def), row, image: None })
}

fn stage_codes(def: &ModalityDef) -> String {
    def.stages.iter().map(|s| s.code()).collect::<Vec<_>>().join(" ")
}

fn new_row(
    def: &ModalityDef,
    clinic: Option<String>,
    version: i32,
    by: Option<String>,
) -> Result<NewModality, AppError> {
    Ok(NewModality {
        id: ModalityId::new(),
        clinic_id: clinic,
        code: def.code.clone(),
        version,
        is_current: true,
        category: def.category.code().to_owned(),
        name: def.name.clone(),
        body_region: def.body_region.clone(),
        stages: stage_codes(def),
        definition: serde_json::to_string(def).map_err(|e| AppError::Internal(e.to_string()))?,
        created_by: by,
        created_at: now(),
    })
}

/// Seeds the built-in items and protocols: missing ones are added, changed ones get a new
/// version (plans keep the version they used). Running it twice changes nothing.
pub fn seed(conn: &mut DbConn) -> Result<(), AppError> {
    conn.transaction(|conn| {
        let existing = store::current_builtins(conn)?;
        for def in library::builtin() {
            let json = serde_json::to_string(def).map_err(|e| AppError::Internal(e.to_string()))?;
            match existing.iter().find(|r| r.code == def.code) {
                Some(row) if row.definition == json => {}
                Some(row) => {
                    store::retire(conn, row.id)?;
                    store::insert_modality(conn, new_row(def, None, row.version + 1, None)?)?;
                }
                None => store::insert_modality(conn, new_row(def, None, 1, None)?)?,
            }
        }
        let protocols = store::list_protocols(conn, crate::authz::Scope::AllClinics, true)?;
        for p in builtin_protocols() {
            let json = serde_json::to_string(&p.content).map_err(|e| AppError::Internal(e.to_string()))?;
            match protocols.iter().find(|r| r.clinic_id.is_none() && r.code.as_deref() == Some(p.code)) {
                Some(row) if row.content == json && row.name == p.name && row.description == p.description => {}
                Some(row) => store::update_protocol_content(conn, row.id, p.name, p.description, &json)?,
                None => {
                    store::insert_protocol(conn, None, Some(p.code), p.name, p.description, &json, None, now())?;
                }
            }
        }
        Ok(())
    })
}

/// Current items visible to the actor, filtered.
pub fn list(conn: &mut DbConn, ctx: &Ctx, filter: &LibraryFilter) -> Result<Vec<LibraryItem>, AppError> {
    ctx.actor.require(Permission::TreatPatients)?;
    let mut items =
        store::list_current(conn, ctx.actor.scope(), filter)?.into_iter().map(parse).collect::<Result<Vec<_>, _>>()?;
    super::media::attach(conn, ctx, &mut items)?;
    Ok(items)
}

/// One item version visible to the actor.
pub fn get(conn: &mut DbConn, ctx: &Ctx, id: ModalityId) -> Result<LibraryItem, AppError> {
    let mut item = [parse(store::find_modality(conn, ctx.actor.scope(), id)?.ok_or(AppError::NotFound)?)?];
    super::media::attach(conn, ctx, &mut item)?;
    let [item] = item;
    Ok(item)
}

/// Checks a clinic item: names, codes, stages, text lengths, dosage.
fn validate(def: &ModalityDef) -> Result<(), AppError> {
    let mut errors = crate::error::FieldErrors::new();
    let mut add = |f: &str, m: &str| crate::error::add_field_error(&mut errors, f, m);
    let code_ok = !def.code.is_empty()
        && def.code.len() <= 60
        && def.code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && def.code.starts_with(|c: char| c.is_ascii_lowercase());
    if !code_ok {
        add("code", "Use a code of lower-case letters, digits and underscores, starting with a letter.");
    }
    if library::find(&def.code).is_some() {
        add("code", "This code belongs to a built-in item; choose another.");
    }
    if def.name.trim().is_empty() || def.name.chars().count() > 120 {
        add("name", "Enter a name of up to 120 characters.");
    }
    if def.patient_instructions.trim().is_empty() || def.patient_instructions.chars().count() > 2000 {
        add("patient_instructions", "Enter plain instructions for the patient (up to 2000 characters).");
    }
    if def.description.chars().count() > 4000 {
        add("description", "Keep the description under 4000 characters.");
    }
    if def.stages.is_empty() {
        add("stages", "Choose at least one stage the item suits.");
    }
    let techniques = Technique::for_category(def.category);
    match def.technique {
        None if !techniques.is_empty() => {
            let codes: Vec<&str> = techniques.iter().map(|t| t.code()).collect();
            add("technique", &format!("Say which technique this item uses: {}.", codes.join(", ")));
        }
        Some(t) if !techniques.contains(&t) => {
            let message = match techniques {
                [] => "This category takes no technique; leave it out.".to_string(),
                list => {
                    let codes: Vec<&str> = list.iter().map(|t| t.code()).collect();
                    format!("Choose one of: {}.", codes.join(", "))
                }
            };
            add("technique", &message);
        }
        _ => {}
    }
    if let Err(problems) = def.dosage.validate() {
        for (field, message) in problems {
            add(&format!("dosage.{field}"), &message);
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

/// Adds a clinic's own item (leads and admins), with its kind's safety floor applied.
pub fn create(conn: &mut DbConn, ctx: &Ctx, def: &ModalityDef) -> Result<ModalityId, AppError> {
    ctx.actor.require(Permission::ManageLibrary)?;
    validate(def)?;
    let def = &safety_floor::with_floor(def);
    let clinic = ctx.actor.clinic_id;
    if store::current_by_code(conn, clinic, &def.code)?.is_some_and(|r| r.clinic_id.is_some()) {
        return Err(AppError::field("code", "Your clinic has an item with this code already."));
    }
    let row = new_row(def, Some(clinic.to_string()), 1, Some(ctx.actor.user_id.to_string()))?;
    let id = row.id;
    conn.transaction(|conn| {
        store::insert_modality(conn, row).map_err(|e| match unique_violation(&e) {
            true => AppError::field("code", "Your clinic has an item with this code already."),
            false => e.into(),
        })?;
        ctx.audit(conn, "library.create", Some(clinic), None, Some(format!("modality={id}")))?;
        Ok(id)
    })
}

/// Edits a clinic item: the edit is a new version; plans keep the version they used.
pub fn update(conn: &mut DbConn, ctx: &Ctx, id: ModalityId, def: &ModalityDef) -> Result<ModalityId, AppError> {
    ctx.actor.require(Permission::ManageLibrary)?;
    let current = get(conn, ctx, id)?;
    if current.builtin() {
        return Err(AppError::Forbidden);
    }
    if !current.row.is_current {
        return Err(AppError::VersionConflict);
    }
    if current.row.retired {
        return Err(retired_item());
    }
    let mut def = def.clone();
    def.code = current.row.code.clone();
    validate(&def)?;
    let def = safety_floor::with_floor(&def);
    let row =
        new_row(&def, current.row.clinic_id.clone(), current.row.version + 1, Some(ctx.actor.user_id.to_string()))?;
    let new_id = row.id;
    conn.transaction(|conn| {
        // Only one edit can retire the version it was based on; the unique index on the
        // current version per (clinic, code) backs this up.
        if !store::retire(conn, id)? {
            return Err(AppError::VersionConflict);
        }
        store::insert_modality(conn, row).map_err(|e| match unique_violation(&e) {
            true => AppError::VersionConflict,
            false => e.into(),
        })?;
        ctx.audit(
            conn,
            "library.update",
            Some(ctx.actor.clinic_id),
            None,
            Some(format!("modality={new_id} replaces={id}")),
        )?;
        Ok(new_id)
    })
}

fn unique_violation(err: &crate::db::DbError) -> bool {
    matches!(err, crate::db::DbError::Query(e) if crate::db::is_unique_violation(e))
}

/// A protocol with its parsed content.
#[derive(Debug, Clone)]
pub struct Protocol {
    /// The stored row.
    pub row: ProtocolRow,
    /// The template.
    pub content: ProtocolContent,
}

pub(super) fn parse_protocol(row: ProtocolRow) -> Result<Protocol, AppError> {
    let content = serde_json::from_str(&row.content).map_err(|e| crate::error::unreadable("protocol", &e))?;
    Ok(Protocol { row, content })
}

/// Protocols offered for new plans (not retired), visible to the actor.
pub fn protocols(conn: &mut DbConn, ctx: &Ctx) -> Result<Vec<Protocol>, AppError> {
    ctx.actor.require(Permission::TreatPatients)?;
    store::list_protocols(conn, ctx.actor.scope(), false)?.into_iter().map(parse_protocol).collect()
}

/// One protocol visible to the actor.
pub fn protocol(conn: &mut DbConn, ctx: &Ctx, id: ProtocolId) -> Result<Protocol, AppError> {
    parse_protocol(store::find_protocol(conn, ctx.actor.scope(), id)?.ok_or(AppError::NotFound)?)
}

/// The message for a protocol name that is empty or too long.
pub const PROTOCOL_NAME_MESSAGE: &str = "Give the protocol a name of up to 120 characters.";

/// Saves a template as a clinic protocol (publishing: leads and admins only).
pub fn save_protocol(
    conn: &mut DbConn,
    ctx: &Ctx,
    name: &str,
    description: &str,
    content: &ProtocolContent,
) -> Result<ProtocolId, AppError> {
    ctx.actor.require(Permission::ManageLibrary)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(AppError::field("name", PROTOCOL_NAME_MESSAGE));
    }
    let json = serde_json::to_string(content).map_err(|e| AppError::Internal(e.to_string()))?;
    let clinic = ctx.actor.clinic_id;
    conn.transaction(|conn| {
        let id = store::insert_protocol(
            conn,
            Some(clinic),
            None,
            name,
            description.trim(),
            &json,
            Some(ctx.actor.user_id),
            now(),
        )?;
        ctx.audit(conn, "protocol.create", Some(clinic), None, Some(format!("protocol={id}")))?;
        Ok::<_, AppError>(id)
    })
}

/// The refusal for changing a retired clinic item.
fn retired_item() -> AppError {
    AppError::Conflict { code: "retired", message: "This item has been retired from the clinic library.".into() }
}

/// Retires a clinic item (leads and admins): no longer offered in the library or the
/// picker, refused for new plan items; plans that have it keep it and print it. `version`
/// is the item version the lead saw; a stale one is a conflict.
pub fn retire(conn: &mut DbConn, ctx: &Ctx, id: ModalityId, version: i32) -> Result<(), AppError> {
    ctx.actor.require(Permission::ManageLibrary)?;
    let current = get(conn, ctx, id)?;
    if current.builtin() {
        return Err(AppError::Forbidden);
    }
    if current.row.retired {
        return Err(retired_item());
    }
    conn.transaction(|conn| {
        if !store::retire_item(conn, id, version)? {
            return Err(AppError::VersionConflict);
        }
        let clinic = current.row.clinic_id.as_deref().and_then(|c| c.parse().ok());
        ctx.audit(conn, "library.retire", clinic, None, Some(format!("modality={id} version={version}")))?;
        Ok(())
    })
}
