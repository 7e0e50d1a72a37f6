//! The audit trail as a hash chain: every event carries the hash of the one before it and
//! its own, computed over a canonical encoding of its fields. Changing, removing or
//! inserting an event breaks the chain at that event; [`ChainCheck`] finds the first break.

use chrono::NaiveDateTime;
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields an event's hash covers, in the order they are encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainedEvent {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// Event id.
    pub id: String,
    /// When (stored to the microsecond).
    pub at: NaiveDateTime,
    /// Actor.
    pub actor_id: Option<String>,
    /// Clinic.
    pub clinic_id: Option<String>,
    /// Action.
    pub action: String,
    /// Patient.
    pub patient_id: Option<String>,
    /// Request id.
    pub request_id: Option<String>,
    /// Client address.
    pub client_addr: Option<String>,
    /// Detail.
    pub detail: Option<String>,
    /// The previous event's hash ([`GENESIS`] for the first).
    pub prev_hash: String,
}

impl ChainedEvent {
    /// The canonical encoding: a JSON array of a format tag and every field in a fixed
    /// order (absent fields as `null`, the time as `YYYY-MM-DDTHH:MM:SS.ffffff`).
    pub fn canonical(&self) -> String {
        let at = self.at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string();
        serde_json::json!([
            "physioplan-audit-v1",
            self.seq,
            self.id,
            at,
            self.actor_id,
            self.clinic_id,
            self.action,
            self.patient_id,
            self.request_id,
            self.client_addr,
            self.detail,
            self.prev_hash,
        ])
        .to_string()
    }

    /// SHA-256 of the canonical encoding, in lower-case hex.
    pub fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.canonical().as_bytes()))
    }
}

/// A time as the databases keep it: whole microseconds.
pub fn to_micros(at: NaiveDateTime) -> NaiveDateTime {
    let micros = at.and_utc().timestamp_micros();
    chrono::DateTime::from_timestamp_micros(micros).map_or(at, |t| t.naive_utc())
}

/// The first place the chain does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Break {
    /// The event's fields no longer give its hash.
    Changed { seq: i64, id: String },
    /// Events before this one are missing.
    Removed { before_seq: i64, before_id: String },
    /// The event was not appended through the chain.
    Inserted { seq: i64, id: String },
    /// Events at the end are missing (the head names a later event).
    TailRemoved { head_seq: i64, last_seq: i64 },
}

impl std::fmt::Display for Break {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Changed { seq, id } => write!(f, "audit event #{seq} ({id}) was changed"),
            Self::Removed { before_seq, before_id } => {
                write!(f, "audit events before #{before_seq} ({before_id}) were removed")
            }
            Self::Inserted { seq, id } => write!(f, "audit event #{seq} ({id}) was inserted"),
            Self::TailRemoved { head_seq, last_seq } => {
                write!(f, "audit events after #{last_seq} were removed (the chain's head is #{head_seq})")
            }
        }
    }
}

/// Walks events in `seq` order, one at a time, against the chain's head (the last event
/// appended through the chain).
#[derive(Debug)]
pub struct ChainCheck {
    head_seq: i64,
    head_hash: String,
    last_seq: i64,
    last_hash: String,
    /// Events checked so far.
    pub checked: u64,
}

impl ChainCheck {
    /// A check against the head's position and hash.
    pub fn new(head_seq: i64, head_hash: &str) -> Self {
        Self { head_seq, head_hash: head_hash.to_owned(), last_seq: 0, last_hash: GENESIS.to_owned(), checked: 0 }
    }

    /// Checks the next stored event (`stored_hash` as kept in its row).
    pub fn next(&mut self, event: &ChainedEvent, stored_hash: &str) -> Result<(), Break> {
        let (seq, id) = (event.seq, event.id.clone());
        if seq <= self.last_seq || seq > self.head_seq {
            return Err(Break::Inserted { seq, id });
        }
        let recomputed = event.hash();
        if seq > self.last_seq + 1 {
            // A gap: either events were removed here, or this one was slipped in.
            return Err(if event.prev_hash == self.last_hash || recomputed != stored_hash {
                Break::Inserted { seq, id }
            } else {
                Break::Removed { before_seq: seq, before_id: id }
            });
        }
        if event.prev_hash != self.last_hash {
            return Err(if recomputed == stored_hash {
                Break::Removed { before_seq: seq, before_id: id }
            } else {
                Break::Inserted { seq, id }
            });
        }
        if recomputed != stored_hash {
            return Err(Break::Changed { seq, id });
        }
        self.last_seq = seq;
        self.last_hash = recomputed;
        self.checked += 1;
        Ok(())
    }

    /// Checks the end of the chain against the head; returns the head hash.
    pub fn finish(self) -> Result<String, Break> {
        if self.head_seq > self.last_seq {
            return Err(Break::TailRemoved { head_seq: self.head_seq, last_seq: self.last_seq });
        }
        if self.head_hash != self.last_hash {
            return Err(Break::Changed { seq: self.last_seq, id: "head".into() });
        }
        Ok(self.last_hash)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<(ChainedEvent, String)> {
        let mut prev = GENESIS.to_owned();
        let at =
            chrono::DateTime::from_timestamp(1_790_000_000, 123_456_000).map(|t| t.naive_utc()).unwrap_or_default();
        (1..=n)
            .map(|seq| {
                let event = ChainedEvent {
                    seq,
                    id: format!("e{seq}"),
                    at,
                    actor_id: Some("u1".into()),
                    clinic_id: None,
                    action: "patient.read".into(),
                    patient_id: Some(format!("p{seq}")),
                    request_id: None,
                    client_addr: Some("127.0.0.1".into()),
                    detail: None,
                    prev_hash: prev.clone(),
                };
                let hash = event.hash();
                prev = hash.clone();
                (event, hash)
            })
            .collect()
    }

    fn verify(events: &[(ChainedEvent, String)], head_seq: i64, head_hash: &str) -> Result<String, Break> {
        let mut check = ChainCheck::new(head_seq, head_hash);
        for (event, hash) in events {
            check.next(event, hash)?;
        }
        check.finish()
    }

    #[test]
    fn an_intact_chain_verifies_to_its_head() {
        let events = chain(5);
        let head = events[4].1.clone();
        assert_eq!(verify(&events, 5, &head), Ok(head));
        assert_eq!(verify(&[], 0, GENESIS), Ok(GENESIS.to_owned()));
    }

    #[test]
    fn a_changed_field_is_named() {
        let mut events = chain(5);
        events[2].0.patient_id = Some("someone else".into());
        let head = events[4].1.clone();
        assert_eq!(verify(&events, 5, &head), Err(Break::Changed { seq: 3, id: "e3".into() }));
    }

    #[test]
    fn a_removed_event_is_named_by_the_one_after_it() {
        let mut events = chain(5);
        events.remove(2);
        let head = events[3].1.clone();
        assert_eq!(verify(&events, 5, &head), Err(Break::Removed { before_seq: 4, before_id: "e4".into() }));
        let mut tail = chain(5);
        tail.pop();
        let head = tail[3].1.clone();
        assert_eq!(verify(&tail, 5, &head), Err(Break::TailRemoved { head_seq: 5, last_seq: 4 }));
    }

    #[test]
    fn an_inserted_event_is_named() {
        let mut events = chain(3);
        let mut forged = events[2].0.clone();
        forged.seq = 0;
        forged.id = "forged".into();
        events.insert(0, (forged, "x".into()));
        let head = events[3].1.clone();
        assert_eq!(verify(&events, 3, &head), Err(Break::Inserted { seq: 0, id: "forged".into() }));
        let mut appended = chain(3);
        let mut forged = appended[2].0.clone();
        forged.seq = 4;
        forged.id = "late".into();
        forged.prev_hash = appended[2].1.clone();
        let hash = forged.hash();
        appended.push((forged, hash));
        let head = appended[2].1.clone();
        assert_eq!(verify(&appended, 3, &head), Err(Break::Inserted { seq: 4, id: "late".into() }));
    }

    #[test]
    fn times_are_kept_to_the_microsecond() {
        let at =
            chrono::DateTime::from_timestamp(1_790_000_000, 123_456_789).map(|t| t.naive_utc()).unwrap_or_default();
        assert_eq!(to_micros(at).and_utc().timestamp_subsec_nanos(), 123_456_000);
    }
}
