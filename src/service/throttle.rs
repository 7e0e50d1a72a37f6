//! Sign-in throttling that holds under concurrency and across app instances: an attempt is
//! counted in the database, under a lock on the client address's row, before any password is
//! hashed. Limits are per (account, address) and per address, so a stranger's failures from
//! elsewhere never lock a clinician out of their own address.

use super::now;
use crate::db::throttle as store;
use crate::db::DbConn;
use crate::error::AppError;
use chrono::{Duration, NaiveDateTime};
use diesel::Connection;

/// Guesses checked per account and client address within [`WINDOW`].
pub const MAX_PER_ACCOUNT: i64 = 5;
/// Guesses checked per client address, over all accounts, within [`WINDOW`].
pub const MAX_PER_ADDRESS: i64 = 20;
/// The sliding window for counting.
pub const WINDOW: Duration = Duration::minutes(15);

/// A counted attempt, to be resolved with [`succeeded`] (or left standing as a failure).
#[derive(Debug, Clone)]
pub struct Attempt {
    /// The normalised e-mail.
    pub email: String,
    /// The client address (or `unknown`).
    pub addr: String,
}

fn address(addr: Option<&str>) -> String {
    addr.filter(|a| !a.is_empty()).unwrap_or("unknown").to_owned()
}

fn retry_after(oldest: Option<NaiveDateTime>, at: NaiveDateTime) -> u64 {
    let free_at = oldest.unwrap_or(at) + WINDOW;
    u64::try_from((free_at - at).num_seconds()).unwrap_or(0).max(1)
}

/// Counts an attempt for `email` from `addr`, or refuses it with `Throttled` (and counts
/// nothing) when a limit is reached. One transaction: lock, count, insert.
pub fn reserve(conn: &mut DbConn, email: &str, addr: Option<&str>) -> Result<Attempt, AppError> {
    let attempt = Attempt { email: email.to_owned(), addr: address(addr) };
    let at = now();
    let since = at - WINDOW;
    conn.transaction(|conn| -> Result<(), AppError> {
        store::lock_address(conn, &attempt.addr, at)?;
        let (for_account, oldest) = store::count_since(conn, &attempt.addr, Some(&attempt.email), since)?;
        if for_account >= MAX_PER_ACCOUNT {
            return Err(AppError::Throttled { retry_after: retry_after(oldest, at) });
        }
        let (for_address, oldest) = store::count_since(conn, &attempt.addr, None, since)?;
        if for_address >= MAX_PER_ADDRESS {
            return Err(AppError::Throttled { retry_after: retry_after(oldest, at) });
        }
        store::insert(conn, &attempt.email, &attempt.addr, at)?;
        Ok(())
    })?;
    Ok(attempt)
}

/// The attempt succeeded: the account's failures from this address are forgotten, and old
/// attempts everywhere are purged (cheap: indexed by time).
pub fn succeeded(conn: &mut DbConn, attempt: &Attempt) -> Result<(), AppError> {
    store::clear(conn, &attempt.email, &attempt.addr)?;
    store::purge(conn, now() - WINDOW)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_counts_down_from_the_oldest_attempt_and_is_never_zero() {
        let at = now();
        assert_eq!(retry_after(Some(at - Duration::minutes(10)), at), 300);
        assert_eq!(retry_after(Some(at - WINDOW), at), 1);
        assert_eq!(retry_after(None, at), 900);
    }
}
