//! The command line and the server process: the contract of docs/api.md, migrations, logs.

use serde_json::{json, Value};
use std::io::Write;
use std::process::{Command, Stdio};
use tokio::io::{AsyncBufReadExt, BufReader};

const BIN: &str = env!("CARGO_BIN_EXE_physioplan");

fn names(dir: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR")))
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    names.sort();
    names
}

#[test]
fn sqlite_and_postgres_migrations_have_identical_names() {
    let sqlite = names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, names("postgres"));
}

#[test]
fn an_unknown_database_url_is_refused_with_a_one_line_reason_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let output = Command::new(BIN)
        .current_dir(dir.path())
        .args(["migrate", "--database-url", "postgress://user@localhost/physioplan"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("unsupported database URL scheme 'postgress'"), "{stderr}");
    assert_eq!(std::fs::read_dir(dir.path()).map(|d| d.count()).unwrap_or(1), 0, "no file was created");
}

#[test]
fn a_postgres_that_cannot_be_reached_is_one_line_and_a_failure() {
    // A closed port: bind one, note it, let it go.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"));
    let output = Command::new(BIN)
        .args(["migrate", "--database-url", &format!("postgres://physio:secret-pw@127.0.0.1:{port}/physioplan")])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("physioplan: cannot open database"), "{stderr}");
    assert!(!stderr.contains("secret-pw"), "the password stays out: {stderr}");
}

#[test]
fn a_role_outside_the_list_is_refused_by_the_command_line() {
    let output = Command::new(BIN)
        .args([
            "user",
            "add",
            "--email",
            "a@b.example",
            "--name",
            "A",
            "--role",
            "boss",
            "--clinic",
            "C",
            "--password-stdin",
        ])
        .env("DATABASE_URL", "sqlite::memory:")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("therapist") && stderr.contains("lead") && stderr.contains("admin"), "{stderr}");
}

pub fn run(db: &str, args: &[&str], stdin: Option<&str>) -> String {
    let mut child = Command::new(BIN)
        .args(args)
        .env("DATABASE_URL", db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    if let (Some(text), Some(mut input)) = (stdin, child.stdin.take()) {
        input.write_all(text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    }
    let output = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// The "done when" path of the foundation: add a clinic and a user on the command line, get
/// a token, add a patient through the API; the patient's name never reaches the server log.
#[tokio::test]
async fn a_user_added_on_the_command_line_adds_a_patient_whose_name_never_reaches_the_log() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = format!("sqlite://{}", dir.path().join("cli.db").display());
    let clinic = run(&db, &["clinic", "add", "--name", "Northside"], None);
    assert!(clinic.parse::<uuid::Uuid>().is_ok(), "prints the clinic id: {clinic}");
    let args = [
        "user",
        "add",
        "--email",
        "kim@north.example",
        "--name",
        "Kim",
        "--role",
        "therapist",
        "--clinic",
        "Northside",
        "--password-stdin",
    ];
    let user = run(&db, &args, Some("a long enough secret\n"));
    assert!(user.parse::<uuid::Uuid>().is_ok(), "prints the user id: {user}");

    let log_path = dir.path().join("server.log");
    let log = std::fs::File::create(&log_path).unwrap_or_else(|e| panic!("{e}"));
    let mut server = tokio::process::Command::new(BIN)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("DATABASE_URL", &db)
        .env("RUST_LOG", "trace")
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log))
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = server.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    let mut lines = BufReader::new(stdout).lines();
    let mut base = String::new();
    while let Ok(Some(line)) = lines.next_line().await {
        if let Some(url) = line.split_whitespace().find(|w| w.starts_with("http://")) {
            base = url.to_owned();
            break;
        }
    }
    assert!(!base.is_empty(), "the server printed its address");

    let http = reqwest::Client::new();
    let token: Value = http
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({"email": "kim@north.example", "password": "a long enough secret"}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_default();
    let token = token["token"].as_str().unwrap_or_default().to_owned();
    let mut body = crate::helpers::patient_json("Zebedee", "Quartermaine");
    body["phone"] = json!("07700 900461");
    let created = http
        .post(format!("{base}/api/v1/patients"))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(created.status(), 201);
    let searched = http
        .get(format!("{base}/api/v1/patients?q=Quartermaine"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let found: Value = searched.json().await.unwrap_or_default();
    assert_eq!(found["total"], 1);
    let invalid = http
        .post(format!("{base}/api/v1/patients"))
        .bearer_auth(&token)
        .json(&json!({"given_name": "Zebedee", "family_name": "Quartermaine", "date_of_birth": "not a date"}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(invalid.status(), 422);

    server.kill().await.unwrap_or_else(|e| panic!("{e}"));
    let log = std::fs::read_to_string(&log_path).unwrap_or_default();
    assert!(log.contains("request finished"), "requests are logged:\n{log}");
    for secret in ["Zebedee", "Quartermaine", "1975-03-14", "07700 900461", "a long enough secret"] {
        assert!(!log.contains(secret), "'{secret}' appeared in the server log:\n{log}");
    }
}

#[test]
fn the_demo_loads_once_and_prints_its_logins() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = format!("sqlite://{}", dir.path().join("demo.db").display());

    let first = run(&db, &["demo"], None);
    let second = run(&db, &["demo"], None);

    assert!(first.contains("lead@riverside.example") && first.contains("physio-demo-2026"), "{first}");
    assert!(second.contains("already has users"), "{second}");
}

fn run_failing(db: &str, args: &[&str], stdin: Option<&str>) -> String {
    let mut child = Command::new(BIN)
        .args(args)
        .env("DATABASE_URL", db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    if let (Some(text), Some(mut input)) = (stdin, child.stdin.take()) {
        input.write_all(text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    }
    let output = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    assert!(!output.status.success(), "{args:?} should have failed");
    String::from_utf8_lossy(&output.stderr).trim().to_owned()
}

#[test]
fn the_command_line_applies_the_password_policy_resets_passwords_and_deactivates_users() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = format!("sqlite://{}", dir.path().join("users.db").display());
    run(&db, &["clinic", "add", "--name", "Northside"], None);
    let add = [
        "user",
        "add",
        "--email",
        "kim@north.example",
        "--name",
        "Kim Park",
        "--role",
        "lead",
        "--clinic",
        "Northside",
        "--password-stdin",
    ];

    let refused = run_failing(&db, &add, Some("password12\n"));
    assert!(refused.contains("password: This password is too easy to guess"), "{refused}");
    assert!(!refused.contains("password12"), "the password is never echoed: {refused}");
    run(&db, &add, Some("tulip canyon ferry lamp\n"));

    let reset = ["user", "reset-password", "--email", "kim@north.example", "--password-stdin"];
    let refused = run_failing(&db, &reset, Some("KimPark2026\n"));
    assert!(refused.contains("too easy to guess"), "a password built from the name is refused: {refused}");
    run(&db, &reset, Some("orchid lantern quarry bell\n"));
    run(&db, &["user", "deactivate", "--email", "kim@north.example"], None);
    let unknown = run_failing(&db, &["user", "deactivate", "--email", "nobody@north.example"], None);
    assert!(unknown.contains("email: No user has this e-mail."), "{unknown}");

    let url = physioplan::config::DatabaseUrl::parse(&db).unwrap_or_else(|e| panic!("{e}"));
    let pool = physioplan::db::Db::connect(&url, 1).unwrap_or_else(|e| panic!("{e}"));
    let mut conn = pool.conn().unwrap_or_else(|e| panic!("{e}"));
    let user = physioplan::db::users::find_by_email(&mut conn, "kim@north.example")
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("no user"));
    assert!(!user.active, "deactivated");
    assert!(physioplan::service::auth::verify_password("orchid lantern quarry bell", &user.password_hash));
}

fn attempt(db: &str, args: &[&str]) -> std::process::Output {
    Command::new(BIN).args(args).env("DATABASE_URL", db).output().unwrap_or_else(|e| panic!("{e}"))
}

fn one_line_failure(output: &std::process::Output, expected: &str) {
    assert!(!output.status.success(), "the command failed");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains(expected), "{stderr}");
}

#[test]
fn a_backup_of_a_mistyped_database_path_fails_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let missing = dir.path().join("physioplan-typo.db");
    let out = dir.path().join("copy.db");
    let db = format!("sqlite://{}", missing.display());

    let output = attempt(&db, &["backup", "--out", &out.display().to_string()]);

    one_line_failure(&output, "no SQLite database at");
    assert!(!missing.exists(), "no source database was created");
    assert!(!out.exists(), "no backup file was written");
}

#[cfg(unix)]
#[test]
fn a_backup_is_private_and_restores_the_data_after_a_change() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let live = dir.path().join("live.db");
    let db = format!("sqlite://{}", live.display());
    run(&db, &["clinic", "add", "--name", "Before Backup"], None);
    let out = dir.path().join("copy.db");
    run(&db, &["backup", "--out", &out.display().to_string()], None);
    let mode = std::fs::metadata(&out).map(|m| m.permissions().mode() & 0o777).unwrap_or_default();
    assert_eq!(mode, 0o600, "the backup is readable by its owner only");
    let again = attempt(&db, &["backup", "--out", &out.display().to_string()]);
    one_line_failure(&again, "exists already");

    run(&db, &["clinic", "add", "--name", "After Backup"], None);
    run(&db, &["restore", "--from", &out.display().to_string()], None);

    let args = ["user", "add", "--email", "a@b.example", "--name", "A", "--role", "admin", "--password-stdin"];
    let before = [&args[..], &["--clinic", "Before Backup"]].concat();
    run(&db, &before, Some("a long enough secret\n"));
    let after = [&args[..], &["--clinic", "After Backup"]].concat();
    let gone = Command::new(BIN)
        .args(&after)
        .env("DATABASE_URL", &db)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    one_line_failure(&gone, "no clinic named");
    assert!(!dir.path().join("live.db.restoring").exists(), "no temporary file is left behind");
}

#[test]
fn a_restore_refuses_a_file_that_is_not_a_sound_physioplan_database_and_keeps_the_old_one() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let live = dir.path().join("live.db");
    let db = format!("sqlite://{}", live.display());
    run(&db, &["clinic", "add", "--name", "Kept"], None);
    let before = std::fs::read(&live).unwrap_or_default();

    let garbage = dir.path().join("garbage.db");
    std::fs::write(&garbage, b"this is not a database at all, just some text").unwrap_or_else(|e| panic!("{e}"));
    one_line_failure(&attempt(&db, &["restore", "--from", &garbage.display().to_string()]), "not a usable SQLite");

    let foreign = dir.path().join("foreign.db");
    let other = format!("sqlite://{}", foreign.display());
    let created = Command::new(BIN).args(["migrate"]).env("DATABASE_URL", &other).output();
    assert!(created.map(|o| o.status.success()).unwrap_or(false));
    {
        use diesel::connection::SimpleConnection;
        use diesel::Connection;
        let mut c =
            diesel::SqliteConnection::establish(&foreign.display().to_string()).unwrap_or_else(|e| panic!("{e}"));
        c.batch_execute("DROP TABLE __diesel_schema_migrations;").unwrap_or_else(|e| panic!("{e}"));
    }
    one_line_failure(&attempt(&db, &["restore", "--from", &foreign.display().to_string()]), "no migrations table");

    let missing = dir.path().join("nowhere.db");
    one_line_failure(&attempt(&db, &["restore", "--from", &missing.display().to_string()]), "no SQLite database at");
    assert!(!missing.exists());

    assert_eq!(std::fs::read(&live).unwrap_or_default(), before, "the database was not touched");
    let args = ["user", "add", "--email", "a@b.example", "--name", "A", "--role", "admin", "--clinic", "Kept"];
    run(&db, &[&args[..], &["--password-stdin"]].concat(), Some("a long enough secret\n"));
}

#[test]
fn backup_and_restore_on_postgresql_point_to_pg_dump_and_pg_restore() {
    let db = "postgres://nobody@127.0.0.1:1/none";
    one_line_failure(&attempt(db, &["backup", "--out", "x.db"]), "pg_dump");
    one_line_failure(&attempt(db, &["restore", "--from", "x.db"]), "pg_restore");
}
