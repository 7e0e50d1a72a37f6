//! Sign-in attempts, counted per client address and per (account, address). An attempt is
//! stored before the password is checked and removed when it succeeds, so the rows in the
//! window are the guesses that failed or are being checked. Counting happens while the
//! address's `login_throttle` row is locked, so concurrent attempts (from any number of app
//! instances) are counted one after another.

use super::ids::UserId;
use super::schema::{login_attempts, login_throttle};
use super::{DbConn, DbError};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// Locks the address's throttle row until the transaction ends (creating it if needed).
/// Must be the transaction's first statement, so that SQLite takes its write lock at once.
pub fn lock_address(conn: &mut DbConn, addr: &str, now: NaiveDateTime) -> Result<(), DbError> {
    let touch = |conn: &mut DbConn| {
        diesel::update(login_throttle::table.find(addr)).set(login_throttle::touched_at.eq(now)).execute(conn)
    };
    if touch(conn)? == 0 {
        let row = (login_throttle::client_addr.eq(addr), login_throttle::touched_at.eq(now));
        let insert = diesel::insert_into(login_throttle::table).values(row);
        match conn {
            DbConn::Sqlite(c) => insert.on_conflict_do_nothing().execute(c)?,
            DbConn::Pg(c) => insert.on_conflict_do_nothing().execute(c)?,
        };
        touch(conn)?;
    }
    Ok(())
}

/// The number of attempts from `addr` (for `email` only, when given) since `since`, and the
/// oldest of them.
pub fn count_since(
    conn: &mut DbConn,
    addr: &str,
    email: Option<&str>,
    since: NaiveDateTime,
) -> Result<(i64, Option<NaiveDateTime>), DbError> {
    let mut query = login_attempts::table
        .filter(login_attempts::client_addr.eq(addr))
        .filter(login_attempts::attempted_at.ge(since))
        .select((diesel::dsl::count_star(), diesel::dsl::min(login_attempts::attempted_at)))
        .into_boxed();
    if let Some(email) = email {
        query = query.filter(login_attempts::email.eq(email));
    }
    Ok(query.first(conn)?)
}

/// Stores an attempt; returns its id.
pub fn insert(conn: &mut DbConn, email: &str, addr: &str, now: NaiveDateTime) -> Result<String, DbError> {
    let id = UserId::new().to_string();
    diesel::insert_into(login_attempts::table)
        .values((
            login_attempts::id.eq(&id),
            login_attempts::email.eq(email),
            login_attempts::client_addr.eq(addr),
            login_attempts::attempted_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Forgets the attempts for an account from an address (after it signed in there).
pub fn clear(conn: &mut DbConn, email: &str, addr: &str) -> Result<(), DbError> {
    diesel::delete(
        login_attempts::table.filter(login_attempts::email.eq(email)).filter(login_attempts::client_addr.eq(addr)),
    )
    .execute(conn)?;
    Ok(())
}

/// Removes attempts older than `before`, and throttle rows untouched since then.
pub fn purge(conn: &mut DbConn, before: NaiveDateTime) -> Result<usize, DbError> {
    let attempts =
        diesel::delete(login_attempts::table.filter(login_attempts::attempted_at.lt(before))).execute(conn)?;
    let locks = diesel::delete(login_throttle::table.filter(login_throttle::touched_at.lt(before))).execute(conn)?;
    Ok(attempts + locks)
}
