//! SQLite backup and restore that cannot lie: the source must exist, the copy is private
//! (mode 0600), and a restore checks the file before it replaces anything, atomically.

use diesel::connection::SimpleConnection;
use diesel::sql_types::Text;
use diesel::{Connection, QueryableByName, RunQueryDsl, SqliteConnection};
use std::path::{Path, PathBuf};

/// What `PRAGMA integrity_check` says, one row per finding ("ok" when sound).
#[derive(QueryableByName)]
struct IntegrityRow {
    #[diesel(sql_type = Text)]
    integrity_check: String,
}

#[derive(QueryableByName)]
struct CountRow {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// Opens an existing SQLite file without ever creating one (`mode=rw` or `mode=ro`).
fn open_existing(path: &Path, mode: &str) -> Result<SqliteConnection, String> {
    if !path.is_file() {
        return Err(format!("no SQLite database at {}", path.display()));
    }
    let text = path.to_str().ok_or("the database path must be valid UTF-8")?;
    let uri = format!("file:{}?mode={mode}", text.replace('%', "%25").replace('?', "%3f").replace('#', "%23"));
    let mut conn = SqliteConnection::establish(&uri).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    conn.batch_execute("PRAGMA busy_timeout = 5000;").map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    Ok(conn)
}

/// Creates `out` empty with mode 0600 (refusing an existing file), so the copy is never readable by others.
fn create_private(out: &Path) -> Result<(), String> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(out).map(|_| ()).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => format!("{} exists already; choose a new file", out.display()),
        _ => format!("cannot create {}: {e}", out.display()),
    })
}

/// Writes a consistent copy of the live SQLite database at `source` to `out` (`VACUUM INTO`:
/// readers and writers carry on). Refuses a source that does not exist and an existing `out`.
pub fn backup_sqlite(source: &Path, out: &Path) -> Result<(), String> {
    let mut conn = open_existing(source, "ro")?;
    check_sound(&mut conn, source)?;
    let target = out.to_str().ok_or("the backup path must be valid UTF-8")?;
    create_private(out)?;
    let done = diesel::sql_query("VACUUM INTO ?").bind::<Text, _>(target).execute(&mut conn);
    if let Err(e) = done {
        let _ = std::fs::remove_file(out);
        return Err(format!("backup failed: {e}"));
    }
    Ok(())
}

/// Refuses a file that is not a sound SQLite database holding physioplan's migrations.
fn check_sound(conn: &mut SqliteConnection, path: &Path) -> Result<(), String> {
    let not_db = |e: diesel::result::Error| format!("{} is not a usable SQLite database: {e}", path.display());
    let rows: Vec<IntegrityRow> = diesel::sql_query("PRAGMA integrity_check").load(conn).map_err(not_db)?;
    if rows.len() != 1 || rows[0].integrity_check != "ok" {
        return Err(format!("{} fails the SQLite integrity check", path.display()));
    }
    let tables: Vec<CountRow> = diesel::sql_query(
        "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = '__diesel_schema_migrations'",
    )
    .load(conn)
    .map_err(not_db)?;
    if tables.first().map_or(0, |r| r.n) == 0 {
        return Err(format!("{} is not a physioplan database (no migrations table)", path.display()));
    }
    Ok(())
}

fn beside(target: &Path, suffix: &str) -> PathBuf {
    let mut name = target.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(suffix);
    target.with_file_name(name)
}

/// Replaces the database at `target` with the backup `from`, after checking that `from` is a
/// sound physioplan database. The copy is written beside `target` and renamed over it, so a
/// failure at any point leaves the old database whole. The server must be stopped.
pub fn restore_sqlite(from: &Path, target: &Path) -> Result<(), String> {
    let mut source = open_existing(from, "ro")?;
    check_sound(&mut source, from)?;
    let temp = beside(target, ".restoring");
    let _ = std::fs::remove_file(&temp);
    let temp_text = temp.to_str().ok_or("the database path must be valid UTF-8")?;
    create_private(&temp)?;
    let copied = diesel::sql_query("VACUUM INTO ?").bind::<Text, _>(temp_text).execute(&mut source);
    drop(source);
    let result = copied.map_err(|e| format!("restore failed: {e}")).and_then(|_| {
        std::fs::File::open(&temp).and_then(|f| f.sync_all()).map_err(|e| format!("restore failed: {e}"))
    });
    if let Err(e) = result.and_then(|()| fold_wal(target)) {
        let _ = std::fs::remove_file(&temp);
        return Err(e);
    }
    std::fs::rename(&temp, target).map_err(|e| format!("restore failed: {e}"))?;
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(beside(target, suffix));
    }
    Ok(())
}

/// Checkpoints and empties the old database's write-ahead log, so no stale log is replayed
/// onto the restored file.
fn fold_wal(target: &Path) -> Result<(), String> {
    if !target.exists() {
        return Ok(());
    }
    let mut conn = open_existing(target, "rw")?;
    conn.batch_execute("PRAGMA wal_checkpoint(TRUNCATE);")
        .map_err(|e| format!("cannot checkpoint {} (is the server still running?): {e}", target.display()))
}
