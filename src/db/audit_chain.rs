//! Appending to, sealing and verifying the audit hash chain (rules in
//! [`crate::domain::audit_chain`]).
//!
//! Appends are serialised through the one-row `audit_head` table: the appending
//! transaction first bumps the head's position, which takes PostgreSQL's row lock (other
//! instances wait for the commit) and SQLite's write lock, then reads the previous hash,
//! inserts the event and stores its hash as the new head.

use super::audit::NewAuditEvent;
use super::schema::{audit_events, audit_head};
use super::{DbConn, DbError};
use crate::domain::audit_chain::{to_micros, Break, ChainCheck, ChainedEvent, GENESIS};
use diesel::prelude::*;

/// An event row with its chain fields.
#[derive(Debug, Clone, Insertable, Queryable, Selectable)]
#[diesel(table_name = audit_events, treat_none_as_default_value = false)]
struct ChainRow {
    id: String,
    at: chrono::NaiveDateTime,
    actor_id: Option<String>,
    clinic_id: Option<String>,
    action: String,
    patient_id: Option<String>,
    request_id: Option<String>,
    client_addr: Option<String>,
    detail: Option<String>,
    seq: i64,
    prev_hash: String,
    hash: String,
}

impl ChainRow {
    fn event(&self) -> ChainedEvent {
        ChainedEvent {
            seq: self.seq,
            id: self.id.clone(),
            at: self.at,
            actor_id: self.actor_id.clone(),
            clinic_id: self.clinic_id.clone(),
            action: self.action.clone(),
            patient_id: self.patient_id.clone(),
            request_id: self.request_id.clone(),
            client_addr: self.client_addr.clone(),
            detail: self.detail.clone(),
            prev_hash: self.prev_hash.clone(),
        }
    }
}

/// Appends `event` as the chain's next link (see [`append_all`]).
pub fn append(conn: &mut DbConn, event: NewAuditEvent) -> Result<(), DbError> {
    append_all(conn, vec![event])
}

/// Rows per multi-row insert (SQLite allows 32,766 bound values; 12 per row).
const INSERT_CHUNK: usize = 1000;

/// Appends `events` as the chain's next links, in order, in one transaction (a savepoint
/// when the caller's transaction is open, so they commit or roll back with the change).
/// The queries are the same for one event as for thousands (an export).
pub fn append_all(conn: &mut DbConn, events: Vec<NewAuditEvent>) -> Result<(), DbError> {
    if events.is_empty() {
        return Ok(());
    }
    let count = i64::try_from(events.len()).unwrap_or(i64::MAX);
    conn.transaction(|conn| {
        diesel::update(audit_head::table.find(1)).set(audit_head::seq.eq(audit_head::seq + count)).execute(conn)?;
        let (last, prev): (i64, String) =
            audit_head::table.find(1).select((audit_head::seq, audit_head::hash)).first(conn)?;
        let mut prev = if prev.is_empty() { GENESIS.to_owned() } else { prev };
        let mut rows = Vec::with_capacity(events.len());
        for (seq, event) in (last - count + 1..).zip(events) {
            let chained = ChainedEvent {
                seq,
                id: event.id.to_string(),
                at: to_micros(event.at),
                actor_id: event.actor_id,
                clinic_id: event.clinic_id,
                action: event.action,
                patient_id: event.patient_id,
                request_id: event.request_id,
                client_addr: event.client_addr,
                detail: event.detail,
                prev_hash: prev,
            };
            prev = chained.hash();
            rows.push(row(chained, prev.clone()));
        }
        for chunk in rows.chunks(INSERT_CHUNK) {
            match conn {
                DbConn::Sqlite(c) => diesel::insert_into(audit_events::table).values(chunk).execute(c)?,
                DbConn::Pg(c) => diesel::insert_into(audit_events::table).values(chunk).execute(c)?,
            };
        }
        diesel::update(audit_head::table.find(1)).set(audit_head::hash.eq(prev)).execute(conn)?;
        Ok(())
    })
}

fn row(e: ChainedEvent, hash: String) -> ChainRow {
    ChainRow {
        id: e.id,
        at: e.at,
        actor_id: e.actor_id,
        clinic_id: e.clinic_id,
        action: e.action,
        patient_id: e.patient_id,
        request_id: e.request_id,
        client_addr: e.client_addr,
        detail: e.detail,
        seq: e.seq,
        prev_hash: e.prev_hash,
        hash,
    }
}

/// Events read per query while walking the chain.
const BATCH: i64 = 1000;

/// Hashes the events that predate the chain, once (the migration numbered them); later
/// starts do nothing, so an event slipped into the table afterwards stays unhashed.
pub fn seal(conn: &mut DbConn) -> Result<(), DbError> {
    conn.transaction(|conn| {
        let sealed: bool = audit_head::table.find(1).select(audit_head::sealed).first(conn)?;
        if sealed {
            return Ok(());
        }
        let (mut last_seq, mut prev) = (0_i64, GENESIS.to_owned());
        loop {
            let rows: Vec<ChainRow> = audit_events::table
                .filter(audit_events::seq.gt(last_seq))
                .order(audit_events::seq.asc())
                .limit(BATCH)
                .select(ChainRow::as_select())
                .load(conn)?;
            let Some(last) = rows.last() else { break };
            last_seq = last.seq;
            for stored in rows {
                let mut event = stored.event();
                event.at = to_micros(event.at);
                event.prev_hash = prev;
                let hash = event.hash();
                diesel::update(audit_events::table.find(&stored.id))
                    .set((
                        audit_events::at.eq(event.at),
                        audit_events::prev_hash.eq(&event.prev_hash),
                        audit_events::hash.eq(&hash),
                    ))
                    .execute(conn)?;
                prev = hash;
            }
        }
        diesel::update(audit_head::table.find(1))
            .set((audit_head::seq.eq(last_seq), audit_head::hash.eq(prev), audit_head::sealed.eq(true)))
            .execute(conn)?;
        Ok(())
    })
}

/// The outcome of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The head hash (of the last event).
    pub head: String,
    /// Events checked.
    pub events: u64,
}

/// Walks the whole chain in order; `Ok(Err(break))` names the first event that was
/// changed, removed or inserted.
pub fn verify(conn: &mut DbConn) -> Result<Result<Verified, Break>, DbError> {
    let (head_seq, head_hash): (i64, String) =
        audit_head::table.find(1).select((audit_head::seq, audit_head::hash)).first(conn)?;
    let head_hash = if head_hash.is_empty() { GENESIS.to_owned() } else { head_hash };
    let mut check = ChainCheck::new(head_seq, &head_hash);
    let mut after = i64::MIN;
    loop {
        let rows: Vec<ChainRow> = audit_events::table
            .filter(audit_events::seq.gt(after))
            .order(audit_events::seq.asc())
            .limit(BATCH)
            .select(ChainRow::as_select())
            .load(conn)?;
        let Some(last) = rows.last() else { break };
        after = last.seq;
        for row in &rows {
            if let Err(found) = check.next(&row.event(), &row.hash) {
                return Ok(Err(found));
            }
        }
    }
    let events = check.checked;
    Ok(check.finish().map(|head| Verified { head, events }))
}
