//! The bundled SQLite is built the way the performance figures assume.

use crate::helpers::spawn_app;
use diesel::prelude::*;
use diesel::sql_types::Text;
use physioplan::db::DbConn;

#[derive(QueryableByName)]
struct CompileOption {
    #[diesel(sql_type = Text)]
    compile_options: String,
}

/// Without the query planner stability guarantee SQLite re-prepares a cached statement each
/// time a rebound `LIMIT ?` or partial-index comparison could change its plan: every page
/// paid for parsing its SQL again (`.cargo/config.toml` sets the flag).
#[tokio::test]
async fn the_bundled_sqlite_keeps_a_cached_statement_when_its_parameters_change() {
    let app = spawn_app().await;
    let mut conn = app.db.conn().unwrap_or_else(|e| panic!("{e}"));
    let DbConn::Sqlite(sqlite) = &mut *conn else {
        return; // PostgreSQL plans prepared statements its own way.
    };
    let options: Vec<CompileOption> =
        diesel::sql_query("PRAGMA compile_options").load(sqlite).unwrap_or_else(|e| panic!("{e}"));
    let options: Vec<&str> = options.iter().map(|o| o.compile_options.as_str()).collect();
    assert!(options.contains(&"ENABLE_QPSG"), "{options:?}");
}
