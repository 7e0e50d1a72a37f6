//! Reading the audit log: leads their clinic, admins every clinic. Reading it is itself
//! audited; an export once for every patient it holds.

use super::Ctx;
use crate::authz::Permission;
use crate::db::audit::{self, AuditFilter, AuditRow};
use crate::db::DbConn;
use crate::error::AppError;

/// Whether the rows are shown on a page or exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// Shown on the audit page.
    Read,
    /// Downloaded as CSV.
    Export,
}

/// One page of events matching `filter` in the actor's scope, and the total.
pub fn list(
    conn: &mut DbConn,
    ctx: &Ctx,
    filter: &AuditFilter,
    offset: i64,
    limit: i64,
    purpose: Use,
) -> Result<(Vec<AuditRow>, i64), AppError> {
    ctx.actor.require(Permission::ViewAudit)?;
    let found = audit::list(conn, ctx.actor.scope(), filter, offset, limit)?;
    match purpose {
        Use::Export => {
            let patients = found.0.iter().filter_map(|(e, _)| e.patient_id.as_deref());
            super::exports::record_patients(conn, ctx, "audit.export", None, patients)?;
        }
        Use::Read => ctx.audit(conn, "audit.read", None, None, Some(format!("rows={}", found.0.len())))?,
    }
    Ok(found)
}
