//! The audit log: append-only records of who read or wrote what, when, from where.

use super::ids::{AuditId, ClinicId, PatientId, UserId};
use super::schema::{audit_events, users};
use super::{DbConn, DbError};
use crate::authz::Scope;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// An event to append.
#[derive(Debug, Clone)]
pub struct NewAuditEvent {
    /// Id.
    pub id: AuditId,
    /// When.
    pub at: NaiveDateTime,
    /// Who (absent for failed sign-ins of unknown users).
    pub actor_id: Option<String>,
    /// The clinic the record belongs to.
    pub clinic_id: Option<String>,
    /// What, e.g. `patient.read`.
    pub action: String,
    /// Which patient, if any.
    pub patient_id: Option<String>,
    /// Correlates with the server log.
    pub request_id: Option<String>,
    /// Client address.
    pub client_addr: Option<String>,
    /// Ids or counts only; never names or free text.
    pub detail: Option<String>,
}

/// A read's result with the audit events that put it on record. A page or API handler hands
/// it to [`super::Db::read`], which commits the events by group commit before the response;
/// a command, or a read inside a write, appends them in its transaction ([`Audited::append`]).
#[derive(Debug)]
#[must_use = "a read of patient data must be put on record: Db::read or Audited::append"]
pub struct Audited<T> {
    value: T,
    events: Vec<NewAuditEvent>,
}

impl<T> Audited<T> {
    /// `value`, recorded by `event`.
    pub fn new(value: T, event: NewAuditEvent) -> Self {
        Self { value, events: vec![event] }
    }

    /// Appends the events in the caller's transaction and returns the value.
    pub fn append(self, conn: &mut DbConn) -> Result<T, DbError> {
        super::audit_chain::append_all(conn, self.events)?;
        Ok(self.value)
    }

    /// The value and its events, for the group commit.
    pub(super) fn into_parts(self) -> (T, Vec<NewAuditEvent>) {
        (self.value, self.events)
    }
}

/// The reads of one page: collects each read's events while it hands back the value.
#[derive(Debug, Default)]
pub struct Reads(Vec<NewAuditEvent>);

impl Reads {
    /// The value of `read`, keeping its events.
    pub fn take<T>(&mut self, read: Audited<T>) -> T {
        self.0.extend(read.events);
        read.value
    }

    /// `value`, recorded by every read taken.
    pub fn with<T>(self, value: T) -> Audited<T> {
        Audited { value, events: self.0 }
    }
}

/// An event as stored, with the actor's name.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_events)]
pub struct AuditEvent {
    /// Id.
    pub id: String,
    /// When.
    pub at: NaiveDateTime,
    /// Who.
    pub actor_id: Option<String>,
    /// Clinic.
    pub clinic_id: Option<String>,
    /// What.
    pub action: String,
    /// Which patient.
    pub patient_id: Option<String>,
    /// Request id.
    pub request_id: Option<String>,
    /// Client address.
    pub client_addr: Option<String>,
    /// Detail.
    pub detail: Option<String>,
}

/// An event with its actor's name.
pub type AuditRow = (AuditEvent, Option<String>);

/// Appends an event to the hash chain (see [`super::audit_chain::append`]).
pub fn record(conn: &mut DbConn, event: NewAuditEvent) -> Result<(), DbError> {
    super::audit_chain::append(conn, event)
}

/// Filters for the audit page and export.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only this action.
    pub action: Option<String>,
    /// Only this patient.
    pub patient_id: Option<PatientId>,
    /// Only this actor.
    pub actor_id: Option<UserId>,
    /// Only this clinic (within scope).
    pub clinic_id: Option<ClinicId>,
    /// From this time on.
    pub from: Option<NaiveDateTime>,
    /// Before this time.
    pub until: Option<NaiveDateTime>,
}

/// One page of events in scope, newest first, with actor names and the total count.
pub fn list(
    conn: &mut DbConn,
    scope: Scope,
    filter: &AuditFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<AuditRow>, i64), DbError> {
    let build = || {
        let mut query = audit_events::table
            .left_join(users::table.on(users::id.nullable().eq(audit_events::actor_id)))
            .into_boxed();
        if let Some(clinic) = scope.clinic().or(filter.clinic_id) {
            query = query.filter(audit_events::clinic_id.eq(clinic.to_string()));
        }
        if let Some(action) = &filter.action {
            query = query.filter(audit_events::action.eq(action.clone()));
        }
        if let Some(patient) = filter.patient_id {
            query = query.filter(audit_events::patient_id.eq(patient.to_string()));
        }
        if let Some(actor) = filter.actor_id {
            query = query.filter(audit_events::actor_id.eq(actor.to_string()));
        }
        if let Some(from) = filter.from {
            query = query.filter(audit_events::at.ge(from));
        }
        if let Some(until) = filter.until {
            query = query.filter(audit_events::at.lt(until));
        }
        query
    };
    let total = build().count().get_result(conn)?;
    let rows = build()
        .order((audit_events::at.desc(), audit_events::id.desc()))
        .offset(offset)
        .limit(limit)
        .select((AuditEvent::as_select(), users::name.nullable()))
        .load(conn)?;
    Ok((rows, total))
}

/// Group commit of audit events: one writer thread appends the events of concurrent
/// requests to the hash chain in one transaction (one commit, one fsync on SQLite) and
/// answers each request when its batch is committed. A request awaits that answer before
/// it responds, so an audited read is on record before the user sees it.
#[derive(Clone)]
pub struct AuditWriter {
    queue: std::sync::mpsc::Sender<Pending>,
}

type Pending = (Vec<NewAuditEvent>, tokio::sync::oneshot::Sender<Result<(), (bool, String)>>);

/// Requests per batch at most.
const BATCH: usize = 512;

impl AuditWriter {
    /// Starts the writer on `pool`; it stops when the last clone of the writer is dropped.
    pub fn start(pool: diesel::r2d2::Pool<super::Manager>) -> Self {
        let (queue, pending) = std::sync::mpsc::channel::<Pending>();
        let spawned = std::thread::Builder::new().name("audit-writer".into()).spawn(move || {
            while let Ok(first) = pending.recv() {
                let mut batch = vec![first];
                while batch.len() < BATCH {
                    match pending.try_recv() {
                        Ok(next) => batch.push(next),
                        Err(_) => break,
                    }
                }
                let (events, waiting): (Vec<Vec<_>>, Vec<_>) = batch.into_iter().unzip();
                let events = events.into_iter().flatten().collect();
                let outcome = pool
                    .get()
                    .map_err(DbError::from)
                    .and_then(|mut conn| super::audit_chain::append_all(&mut conn, events))
                    .map_err(|e| (e.is_busy(), e.describe()));
                for waiter in waiting {
                    // A request that went away no longer waits; its event is committed anyway.
                    let _ = waiter.send(outcome.clone());
                }
            }
        });
        if let Err(e) = spawned {
            tracing::error!(cause = %e, "the audit writer did not start; audited requests will fail");
        }
        Self { queue }
    }

    /// Appends `events` with the batch they join; returns once that batch is committed.
    pub async fn append(&self, events: Vec<NewAuditEvent>) -> Result<(), DbError> {
        if events.is_empty() {
            return Ok(());
        }
        let (done, committed) = tokio::sync::oneshot::channel();
        self.queue.send((events, done)).map_err(|_| DbError::Cancelled)?;
        match committed.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err((busy, cause))) => Err(DbError::Batch { busy, cause }),
            Err(_) => Err(DbError::Cancelled),
        }
    }
}
