//! The `physioplan` command: parses the command line, builds settings, dispatches.
#![allow(clippy::print_stdout)]

use clap::{Parser, Subcommand};
use physioplan::config::{DatabaseUrl, Settings};
use physioplan::db::{Db, DbConn};
use physioplan::service::accounts::{add_clinic, add_user, ClinicInput, UserInput};
use physioplan::startup::Application;
use std::io::Read;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "physioplan", version, about = "Staged treatment plans for physiotherapy clinics")]
struct Cli {
    /// sqlite://PATH, sqlite::memory: or postgres://USER:PASSWORD@HOST/DB
    #[arg(long, global = true, env = "DATABASE_URL", default_value = "sqlite://physioplan.db", hide_env_values = true)]
    database_url: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply migrations, then serve HTTP.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "PHYSIOPLAN_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
        /// Load the demo data first when the database has no users, and print the logins.
        #[arg(long)]
        demo: bool,
        /// Mark cookies Secure (set when served over HTTPS).
        #[arg(long, env = "PHYSIOPLAN_SECURE_COOKIES")]
        secure_cookies: bool,
    },
    /// Apply pending migrations and exit.
    Migrate,
    /// Manage clinics.
    Clinic {
        #[command(subcommand)]
        action: ClinicAction,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Load the demo data set.
    Demo,
    /// Generate synthetic clinics, staff and patients at scale (for benchmarks).
    Generate {
        /// Clinics to create ("Generated Clinic 1..N").
        #[arg(long)]
        clinics: u32,
        /// Therapists per clinic (each clinic also gets one lead).
        #[arg(long)]
        therapists: u32,
        /// Patients in all, spread over the clinics and their therapists.
        #[arg(long)]
        patients: u32,
        /// Seed: the same seed gives the same patients, findings and scores.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Copy a running SQLite database consistently (online backup).
    Backup {
        /// The copy to write; must not exist yet.
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Replace the SQLite database with a backup, after checking the backup's integrity.
    /// Stop the server first.
    Restore {
        /// The backup to restore (a file written by `physioplan backup`).
        #[arg(long)]
        from: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum ClinicAction {
    /// Add a clinic; prints its id.
    Add {
        /// The clinic's unique name.
        #[arg(long)]
        name: String,
    },
}

#[derive(Subcommand)]
enum UserAction {
    /// Add a user; reads the password from standard input; prints the user's id.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// therapist, lead or admin
        #[arg(long)]
        role: String,
        /// The clinic's name.
        #[arg(long)]
        clinic: String,
        /// Read the password from standard input (required: never on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi).init();
}

fn open(url: &DatabaseUrl) -> Result<Db, String> {
    let db = Db::connect(url, 4)?;
    physioplan::prepare(&db)?;
    Ok(db)
}

fn with_conn<T>(db: &Db, f: impl FnOnce(&mut DbConn) -> Result<T, String>) -> Result<T, String> {
    let mut conn = db.conn().map_err(|e| e.to_string())?;
    f(&mut conn)
}

/// An application error as one line for standard error.
fn one_line(e: physioplan::error::AppError) -> String {
    match e.fields() {
        Some(fields) => fields.iter().map(|(f, m)| format!("{f}: {}", m.join(" "))).collect::<Vec<_>>().join("; "),
        None => e.to_string(),
    }
}

fn print_logins(logins: &[physioplan::demo::DemoLogin]) {
    if logins.is_empty() {
        println!("Demo data not loaded: the database already has users.");
        return;
    }
    println!("Demo logins (password for all: {}):", physioplan::demo::DEMO_PASSWORD);
    for l in logins {
        println!("  {:<28} {:<10} {}", l.email, l.role, l.clinic);
    }
}

fn print_generated(s: &physioplan::generate::GenerateSummary) {
    println!(
        "Generated {} clinics, {} users, {} patients ({} assessments, {} drafts; {} plans, {} active, {} stage moves; \
         {} red flags, {} open; {} overrides; {} discharged) in {:.1} s",
        s.clinics,
        s.users,
        s.patients,
        s.assessments,
        s.draft_assessments,
        s.plans,
        s.active_plans,
        s.stage_moves,
        s.red_flags,
        s.open_red_flags,
        s.overrides,
        s.discharged,
        s.elapsed.as_secs_f64()
    );
    println!("Generated logins (password for all: {}):", physioplan::generate::GENERATED_PASSWORD);
    for l in &s.logins {
        println!("  {:<36} {:<10} {}", l.email, l.role, l.clinic);
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let url = DatabaseUrl::parse(&cli.database_url)?;
    match cli.command {
        Command::Serve { bind, demo, secure_cookies } => {
            let db = open(&url)?;
            if demo {
                let logins = with_conn(&db, |c| physioplan::demo::load(c).map_err(one_line))?;
                print_logins(&logins);
            }
            let mut settings = Settings::new(bind, url.clone());
            settings.secure_cookies = secure_cookies;
            let app = Application::with_db(settings.clone(), db)?;
            let host = settings.bind.rsplit_once(':').map_or("127.0.0.1", |(h, _)| h).to_owned();
            println!("physioplan listening on http://{host}:{} ({})", app.port(), url.backend());
            app.run_until_stopped().await.map_err(|e| e.to_string())
        }
        Command::Migrate => open(&url).map(|_| println!("migrations applied ({})", url.backend())),
        Command::Clinic { action: ClinicAction::Add { name } } => {
            let db = open(&url)?;
            let id =
                with_conn(&db, |c| add_clinic(c, &ClinicInput { name, ..ClinicInput::default() }).map_err(one_line))?;
            println!("{id}");
            Ok(())
        }
        Command::User { action: UserAction::Add { email, name, role, clinic, password_stdin: _ } } => {
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password).map_err(|e| format!("cannot read the password: {e}"))?;
            let password = password.trim_end_matches(['\r', '\n']).to_owned();
            let db = open(&url)?;
            let id = with_conn(&db, |c| {
                let found = physioplan::db::clinics::find_by_name(c, &clinic).map_err(|e| e.to_string())?;
                let clinic = found.ok_or_else(|| format!("no clinic named '{clinic}'"))?;
                let input = UserInput { email, name, role, clinic_id: clinic.id.to_string(), password };
                add_user(c, &input).map_err(one_line)
            })?;
            println!("{id}");
            Ok(())
        }
        Command::Demo => {
            let db = open(&url)?;
            let logins = with_conn(&db, |c| physioplan::demo::load(c).map_err(one_line))?;
            print_logins(&logins);
            Ok(())
        }
        Command::Generate { clinics, therapists, patients, seed } => {
            let db = open(&url)?;
            let summary = with_conn(&db, |c| {
                physioplan::generate::run(c, clinics, therapists, patients, seed).map_err(one_line)
            })?;
            print_generated(&summary);
            Ok(())
        }
        Command::Backup { out } => match &url {
            DatabaseUrl::SqliteFile(source) => {
                physioplan::db::backup::backup_sqlite(source, &out)?;
                println!("backup written to {}", out.display());
                Ok(())
            }
            DatabaseUrl::SqliteMemory => Err("an in-memory database cannot be backed up".into()),
            DatabaseUrl::Postgres(_) => {
                Err("for PostgreSQL use pg_dump (e.g. pg_dump --format=custom DBNAME > physioplan.dump)".into())
            }
        },
        Command::Restore { from } => match &url {
            DatabaseUrl::SqliteFile(target) => {
                physioplan::db::backup::restore_sqlite(&from, target)?;
                println!("{} restored from {}", target.display(), from.display());
                Ok(())
            }
            DatabaseUrl::SqliteMemory => Err("an in-memory database cannot be restored".into()),
            DatabaseUrl::Postgres(_) => {
                Err("for PostgreSQL use pg_restore (e.g. pg_restore --clean --dbname DBNAME physioplan.dump)".into())
            }
        },
    }
}

#[actix_web::main]
async fn main() -> ExitCode {
    init_tracing();
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(reason) => {
            eprintln!("physioplan: {reason}");
            ExitCode::FAILURE
        }
    }
}
