//! Converting stored plans to the referencing form of [`crate::domain::plan_storage`]: items
//! lose the library copies that equal their library item version, versions become
//! manifests over shared stage blobs and get their stored changes. Run by
//! [`super::Db::migrate`] right after the schema migrations (so by `physioplan migrate` and
//! `serve`), on both databases; idempotent: converted rows are not selected again.

use super::schema::{modalities, plan_versions, plans};
use super::{plans as store, DbConn, DbError};
use crate::domain::modality::ModalityDef;
use crate::domain::plan::{diff, PlanContent};
use crate::domain::plan_storage::{LibraryCopy, StoredContent, VersionManifest};
use diesel::prelude::*;
use std::collections::HashMap;

/// Plans converted per transaction.
const CHUNK: usize = 200;

/// What each library item version gives a plan item: one query.
pub fn library_copies(conn: &mut DbConn, ids: &[String]) -> Result<HashMap<String, LibraryCopy>, DbError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(String, i32, String)> = modalities::table
        .filter(modalities::id.eq_any(ids))
        .select((modalities::id, modalities::version, modalities::definition))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, version, json)| {
            let def: ModalityDef = serde_json::from_str(&json).ok()?;
            Some((id, LibraryCopy::of(version, &def)))
        })
        .collect())
}

/// A stored version's content: a manifest over blobs, or a full document (schema 1).
pub fn read_version(conn: &mut DbConn, json: &str) -> Result<Option<StoredContent>, DbError> {
    match VersionManifest::parse(json) {
        Some(manifest) => {
            let blobs = store::blobs(conn, &manifest.stages)?;
            Ok(manifest.assemble(&blobs))
        }
        None => Ok(serde_json::from_str(json).ok()),
    }
}

/// Converts every plan and version not converted yet; returns how many rows changed.
pub fn convert(conn: &mut DbConn) -> Result<usize, DbError> {
    let mut changed = 0;
    let pending: Vec<String> =
        plans::table.filter(plans::content.not_like("{\"schema\":2,%")).select(plans::id).load(conn)?;
    for chunk in pending.chunks(CHUNK) {
        changed += conn.transaction(|conn| convert_working(conn, chunk))?;
    }
    let pending: Vec<String> = plan_versions::table
        .filter(plan_versions::changes.is_null())
        .select(plan_versions::plan_id)
        .distinct()
        .load(conn)?;
    for plan in pending {
        changed += conn.transaction(|conn| convert_versions(conn, &plan))?;
    }
    if changed > 0 {
        tracing::info!(changed, "plan rows converted to the referencing form");
    }
    Ok(changed)
}

fn convert_working(conn: &mut DbConn, ids: &[String]) -> Result<usize, DbError> {
    let rows: Vec<(String, String)> =
        plans::table.filter(plans::id.eq_any(ids)).select((plans::id, plans::content)).load(conn)?;
    let mut parsed: Vec<(String, StoredContent)> = rows
        .into_iter()
        // An unreadable row is left as it is (reading it reports it, as before).
        .filter_map(|(id, json)| Some((id, serde_json::from_str::<StoredContent>(&json).ok()?)))
        .collect();
    let mut wanted: Vec<String> = parsed.iter().flat_map(|(_, c)| c.modality_ids()).collect();
    wanted.sort();
    wanted.dedup();
    let library = library_copies(conn, &wanted)?;
    let mut changed = 0;
    for (id, content) in &mut parsed {
        if content.drop_redundant_copies(&library) {
            diesel::update(plans::table.find(id.as_str())).set(plans::content.eq(content.to_json())).execute(conn)?;
            changed += 1;
        }
    }
    Ok(changed)
}

fn convert_versions(conn: &mut DbConn, plan: &str) -> Result<usize, DbError> {
    let rows: Vec<(String, i32, String, Option<String>)> = plan_versions::table
        .filter(plan_versions::plan_id.eq(plan))
        .order(plan_versions::number.asc())
        .select((plan_versions::id, plan_versions::number, plan_versions::content, plan_versions::changes))
        .load(conn)?;
    let mut parsed = Vec::with_capacity(rows.len());
    for (id, number, json, changes) in rows {
        parsed.push((id, number, read_version(conn, &json)?, changes));
    }
    let mut wanted: Vec<String> =
        parsed.iter().filter_map(|(_, _, c, _)| c.as_ref()).flat_map(|c| c.modality_ids()).collect();
    wanted.sort();
    wanted.dedup();
    let library = library_copies(conn, &wanted)?;
    let mut previous: Option<PlanContent> = None;
    let mut changed = 0;
    for (id, number, content, changes) in parsed {
        let Some(mut content) = content else {
            previous = None;
            continue;
        };
        let shown = content.clone().hydrate(&library);
        if changes.is_none() {
            let list = match (&previous, number > 1) {
                (Some(old), true) => diff(old, &shown),
                _ => Vec::new(),
            };
            content.drop_redundant_copies(&library);
            let (manifest, blobs) = content.manifest();
            store::insert_blobs(conn, &blobs)?;
            diesel::update(plan_versions::table.find(id.as_str()))
                .set((
                    plan_versions::content.eq(manifest.to_json()),
                    plan_versions::changes.eq(serde_json::to_string(&list).unwrap_or_else(|_| "[]".into())),
                ))
                .execute(conn)?;
            changed += 1;
        }
        previous = Some(shown);
    }
    Ok(changed)
}
