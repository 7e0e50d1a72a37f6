//! The database: one connection type over SQLite and PostgreSQL, a pool, migrations, and one
//! file of query functions per aggregate. Query functions are synchronous
//! (`fn(&mut DbConn, …) -> Result<_, DbError>`) and run on the blocking pool via [`Db::run`].

pub mod assessments;
pub mod audit;
pub mod audit_chain;
pub mod auth;
pub mod backup;
pub mod caseload;
pub mod caseload_counts;
pub mod caseload_summary;
pub mod clinics;
pub mod held_posts;
pub mod ids;
pub mod library;
pub mod media;
pub mod mfa;
pub mod patients;
pub mod plan_storage;
pub mod plans;
pub mod schema;
pub mod throttle;
pub mod users;

use crate::config::DatabaseUrl;
use diesel::connection::SimpleConnection;
use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel::r2d2::{self, ManageConnection};
use diesel::{Connection, PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// One connection, to whichever database the URL named.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    /// Embedded SQLite (the default).
    Sqlite(SqliteConnection),
    /// PostgreSQL (multi-site, multi-instance).
    Pg(PgConnection),
}

/// Migrations for each backend; the folders hold the same names (a test checks).
pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
/// See [`SQLITE_MIGRATIONS`].
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Per-connection SQLite settings. `synchronous = FULL` with WAL: every acknowledged commit
/// survives power loss; measured at ~2,900 commits/s here, far above a clinic's write rate.
/// `optimize` (SQLite's advice for long-lived connections, run as each pooled connection
/// opens; the pool renews them every 30 minutes) refreshes the planner's statistics of the
/// tables that need it, sampling at most 400 rows per index: without them the planner takes
/// any index on `clinic_id` for selective, and scans a whole clinic where one lookup per
/// search match would do.
const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; \
     PRAGMA synchronous = FULL; PRAGMA analysis_limit = 400; PRAGMA optimize = 0x10002;";

/// A failure inside the database layer. The cause is kept for the log, never shown to users.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// A query failed (including "no row").
    #[error("database query failed: {0}")]
    Query(#[from] diesel::result::Error),
    /// No connection could be had from the pool.
    #[error("no database connection: {0}")]
    Pool(#[from] r2d2::PoolError),
    /// The blocking task running the query was cancelled.
    #[error("database task cancelled")]
    Cancelled,
    /// A group-committed audit batch failed: whether the database was busy, and the
    /// cause as [`DbError::describe`] gave it (shared by every request of the batch).
    #[error("audit batch not committed: {cause}")]
    Batch {
        /// The database stayed busy.
        busy: bool,
        /// The described cause.
        cause: String,
    },
}

impl DbError {
    /// Whether the database stayed busy: no pooled connection in time, SQLite's lock not
    /// released within `busy_timeout`, or PostgreSQL giving up on a lock or serialisation.
    pub fn is_busy(&self) -> bool {
        use diesel::result::{DatabaseErrorKind as Kind, Error};
        match self {
            Self::Pool(_) => true,
            Self::Batch { busy, .. } => *busy,
            Self::Query(Error::DatabaseError(Kind::SerializationFailure, _)) => true,
            Self::Query(Error::DatabaseError(_, info)) => {
                let message = info.message();
                message.contains("database is locked")
                    || message.contains("database is busy")
                    || message.contains("lock timeout")
                    || message.contains("canceling statement due to lock timeout")
            }
            _ => false,
        }
    }

    /// The cause for the log. Database messages can quote values (PostgreSQL quotes the
    /// input it could not convert), so a message with a quoted part is withheld and the
    /// error is described by its kind, table, column and constraint.
    pub fn describe(&self) -> String {
        use diesel::result::Error;
        let withheld = |text: String| {
            if text.contains(['\'', '"', '`']) {
                "(message withheld: it may quote data)".to_owned()
            } else {
                text
            }
        };
        match self {
            Self::Query(Error::DatabaseError(kind, info)) => {
                let names = [
                    ("table", info.table_name()),
                    ("column", info.column_name()),
                    ("constraint", info.constraint_name()),
                ];
                let names: Vec<String> =
                    names.iter().filter_map(|(what, name)| name.map(|n| format!("{what} {n}"))).collect();
                format!("database error {kind:?} [{}]: {}", names.join(", "), withheld(info.message().to_owned()))
            }
            other => withheld(other.to_string()),
        }
    }
}

/// Counts the queries run on every connection of a pool (diesel instrumentation), so tests
/// can prove a page needs the same number of queries whatever the data size.
#[derive(Debug, Clone, Default)]
pub struct QueryCounter(Arc<AtomicU64>);

impl QueryCounter {
    /// Queries run so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

impl Instrumentation for QueryCounter {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if matches!(event, InstrumentationEvent::StartQuery { .. }) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Opens connections for the pool, choosing the backend from the parsed URL (never guessing).
#[derive(Debug)]
pub struct Manager {
    url: DatabaseUrl,
    counter: QueryCounter,
}

impl ManageConnection for Manager {
    type Connection = DbConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConn, r2d2::Error> {
        let mut conn = self.open()?;
        conn.set_instrumentation(self.counter.clone());
        Ok(conn)
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1").map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut DbConn) -> bool {
        std::thread::panicking()
    }
}

impl Manager {
    fn open(&self) -> Result<DbConn, r2d2::Error> {
        let target = self.url.connection_string();
        match &self.url {
            DatabaseUrl::Postgres(_) => {
                PgConnection::establish(&target).map(DbConn::Pg).map_err(r2d2::Error::ConnectionError)
            }
            DatabaseUrl::SqliteFile(_) | DatabaseUrl::SqliteMemory => {
                let mut conn = SqliteConnection::establish(&target).map_err(r2d2::Error::ConnectionError)?;
                conn.batch_execute(SQLITE_PRAGMAS).map_err(r2d2::Error::QueryError)?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }
}

/// A pooled connection.
pub type PooledConn = r2d2::PooledConnection<Manager>;

/// The shared handle to the database: a pool plus the backend's name.
#[derive(Clone)]
pub struct Db {
    pool: r2d2::Pool<Manager>,
    backend: &'static str,
    counter: QueryCounter,
    audit: audit::AuditWriter,
}

impl Db {
    /// Connects (failing fast with a readable reason) and builds the pool.
    pub fn connect(url: &DatabaseUrl, pool_size: u32) -> Result<Self, String> {
        // An in-memory SQLite database exists per connection: keep exactly one.
        let size = if matches!(url, DatabaseUrl::SqliteMemory) { 1 } else { pool_size.max(1) };
        let counter = QueryCounter::default();
        let manager = Manager { url: url.clone(), counter: counter.clone() };
        // Try once directly so the reason is the driver's, not the pool's time-out.
        manager.connect().map_err(|e| format!("cannot open database {url:?}: {e}"))?;
        let pool = r2d2::Pool::builder()
            .max_size(size)
            .connection_timeout(Duration::from_secs(10))
            // A PostgreSQL connection can drop; an open SQLite file cannot, so SQLite skips the
            // round trip of a test query on every checkout.
            .test_on_check_out(matches!(url, DatabaseUrl::Postgres(_)))
            .build(manager)
            .map_err(|e| format!("cannot open database {url:?}: {e}"))?;
        let audit = audit::AuditWriter::start(pool.clone());
        Ok(Self { pool, backend: url.backend(), counter, audit })
    }

    /// `"sqlite"` or `"postgres"`.
    pub fn backend(&self) -> &'static str {
        self.backend
    }

    /// Queries run through this pool so far.
    pub fn queries(&self) -> u64 {
        self.counter.get()
    }

    /// A connection for synchronous callers (commands, tests). Web handlers use [`Db::run`].
    pub fn conn(&self) -> Result<PooledConn, DbError> {
        Ok(self.pool.get()?)
    }

    /// Runs `f` with a pooled connection on the blocking thread pool.
    pub async fn run<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool.get().map_err(DbError::from)?;
            f(&mut conn)
        })
        .await
        .map_err(|_| E::from(DbError::Cancelled))?
    }

    /// Runs the reads `f` like [`Db::run`], then commits their audit events by group commit
    /// (see [`audit::AuditWriter`]): returns the value once they are on record.
    pub async fn read<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<audit::Audited<T>, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let (value, events) = self.run(f).await?.into_parts();
        self.audit.append(events).await?;
        Ok(value)
    }

    /// Applies pending migrations for this backend.
    pub fn migrate(&self) -> Result<(), String> {
        let mut conn = self.conn().map_err(|e| e.to_string())?;
        let applied = match &mut *conn {
            DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
            DbConn::Pg(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|v| v.len()),
        };
        let applied = applied.map_err(|e| format!("migration failed: {e}"))?;
        if applied > 0 {
            tracing::info!(applied, backend = self.backend, "migrations applied");
        }
        // Rows written before the plan storage form changed are converted once.
        plan_storage::convert(&mut conn).map_err(|e| format!("converting stored plans failed: {e}"))?;
        Ok(())
    }
}

/// A `LIKE` pattern matching `text` anywhere, its wildcards escaped with a backslash (use
/// with `.escape('\\')`): a `%` typed into a search is a literal.
pub fn contains_pattern(text: &str) -> String {
    let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

/// Whether an error is a unique-constraint violation (e.g. a duplicate e-mail).
pub fn is_unique_violation(err: &diesel::result::Error) -> bool {
    matches!(err, diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _))
}
