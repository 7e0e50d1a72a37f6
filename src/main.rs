//! The `physioplan` command: parses the command line, builds settings, dispatches.
#![allow(clippy::print_stdout)]

use clap::builder::BoolishValueParser;
use clap::{Parser, Subcommand, ValueEnum};
use physioplan::config::{DatabaseUrl, Settings};
use physioplan::db::{Db, DbConn};
use physioplan::service::accounts::{add_clinic, add_user, ClinicInput, UserInput};
use physioplan::startup::Application;
use physioplan::telemetry::LogFormat;
use std::io::Read;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "physioplan", version, about = "Staged treatment plans for physiotherapy clinics")]
struct Cli {
    /// sqlite://PATH, sqlite::memory: or postgres://USER:PASSWORD@HOST/DB
    #[arg(long, global = true, env = "DATABASE_URL", default_value = "sqlite://physioplan.db", hide_env_values = true)]
    database_url: String,
    /// Log lines as human-readable text or one JSON object per line.
    #[arg(long, global = true, env = "PHYSIOPLAN_LOG_FORMAT", value_enum, ignore_case = true, default_value = "text")]
    log_format: LogFormat,
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
        /// Mark cookies Secure and send Strict-Transport-Security (set when served over HTTPS;
        /// the variable takes true/false, 1/0, yes/no, on/off).
        #[arg(long, env = "PHYSIOPLAN_SECURE_COOKIES", value_parser = BoolishValueParser::new())]
        secure_cookies: bool,
        /// Address of the reverse proxy whose X-Forwarded-For names the client.
        #[arg(long, env = "PHYSIOPLAN_TRUSTED_PROXY", value_name = "ADDR")]
        trusted_proxy: Option<std::net::IpAddr>,
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
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        action: AuditAction,
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

/// A user's role on the command line.
#[derive(Clone, Copy, ValueEnum)]
enum RoleArg {
    /// Assesses and treats patients of their clinic.
    Therapist,
    /// Reviews the clinic's caseload and audit log.
    Lead,
    /// Administers users, clinics and the audit log of the whole organisation.
    Admin,
}

impl RoleArg {
    fn role(self) -> physioplan::authz::Role {
        use physioplan::authz::Role;
        match self {
            Self::Therapist => Role::Therapist,
            Self::Lead => Role::Lead,
            Self::Admin => Role::Admin,
        }
    }
}

#[derive(Subcommand)]
enum AuditAction {
    /// Walk the hash chain; print the head hash; fail naming the first event changed,
    /// removed or inserted.
    Verify,
}

#[derive(Subcommand)]
enum UserAction {
    /// Add a user; reads the password from standard input; prints the user's id.
    Add {
        /// Sign-in e-mail (unique).
        #[arg(long)]
        email: String,
        /// The user's name as staff see it.
        #[arg(long)]
        name: String,
        /// What the user may do.
        #[arg(long, value_enum)]
        role: RoleArg,
        /// The clinic's name.
        #[arg(long)]
        clinic: String,
        /// Read the password from standard input (required: never on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Stop a user's sign-in and end all their sessions and API tokens.
    Deactivate {
        #[arg(long)]
        email: String,
    },
    /// Set a user's password (the password policy applies), read from standard input; ends
    /// all their sessions and API tokens.
    ResetPassword {
        #[arg(long)]
        email: String,
        /// Read the password from standard input (required: never on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
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

/// The password piped to standard input, without its line ending.
fn read_password() -> Result<String, String> {
    let mut password = String::new();
    std::io::stdin().read_to_string(&mut password).map_err(|e| format!("cannot read the password: {e}"))?;
    Ok(password.trim_end_matches(['\r', '\n']).to_owned())
}

fn print_logins(logins: &[physioplan::seed::demo::DemoLogin]) {
    if logins.is_empty() {
        println!("Demo data not loaded: the database already has users.");
        return;
    }
    println!("Demo logins (password for all: {}):", physioplan::seed::demo::DEMO_PASSWORD);
    for l in logins {
        println!("  {:<28} {:<10} {}", l.email, l.role, l.clinic);
    }
}

fn print_generated(s: &physioplan::seed::generate::GenerateSummary) {
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
    println!("Generated logins (password for all: {}):", physioplan::seed::generate::GENERATED_PASSWORD);
    for l in &s.logins {
        println!("  {:<36} {:<10} {}", l.email, l.role, l.clinic);
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let url = DatabaseUrl::parse(&cli.database_url)?;
    match cli.command {
        Command::Serve { bind, demo, secure_cookies, trusted_proxy } => {
            let db = open(&url)?;
            if demo {
                let logins = with_conn(&db, |c| physioplan::seed::demo::load(c).map_err(one_line))?;
                print_logins(&logins);
            }
            let mut settings = Settings::new(bind, url.clone());
            settings.secure_cookies = secure_cookies;
            settings.trusted_proxy = trusted_proxy;
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
            let password = read_password()?;
            let db = open(&url)?;
            let id = with_conn(&db, |c| {
                let found = physioplan::db::clinics::find_by_name(c, &clinic).map_err(|e| e.to_string())?;
                let clinic = found.ok_or_else(|| format!("no clinic named '{clinic}'"))?;
                let input = UserInput {
                    email,
                    name,
                    role: role.role().code().to_owned(),
                    clinic_id: clinic.id.to_string(),
                    password,
                };
                add_user(c, &input).map_err(one_line)
            })?;
            println!("{id}");
            Ok(())
        }
        Command::User { action: UserAction::Deactivate { email } } => {
            let db = open(&url)?;
            let id =
                with_conn(&db, |c| physioplan::service::user_admin::deactivate_by_email(c, &email).map_err(one_line))?;
            println!("{id} deactivated; its sessions and tokens have ended");
            Ok(())
        }
        Command::User { action: UserAction::ResetPassword { email, password_stdin: _ } } => {
            let password = read_password()?;
            let db = open(&url)?;
            let id = with_conn(&db, |c| {
                physioplan::service::passwords::reset_by_email(c, &email, &password).map_err(one_line)
            })?;
            println!("{id} has a new password; its sessions and tokens have ended");
            Ok(())
        }
        Command::Demo => {
            let db = open(&url)?;
            let logins = with_conn(&db, |c| physioplan::seed::demo::load(c).map_err(one_line))?;
            print_logins(&logins);
            Ok(())
        }
        Command::Generate { clinics, therapists, patients, seed } => {
            let db = open(&url)?;
            let summary = with_conn(&db, |c| {
                physioplan::seed::generate::run(c, clinics, therapists, patients, seed).map_err(one_line)
            })?;
            print_generated(&summary);
            Ok(())
        }
        Command::Audit { action: AuditAction::Verify } => {
            // Read only: no migrations, no sealing, so what is checked is what is stored.
            let db = Db::connect(&url, 1)?;
            let outcome = with_conn(&db, |c| physioplan::db::audit_chain::verify(c).map_err(|e| e.describe()))?;
            match outcome {
                Ok(done) => {
                    println!("audit chain intact: {} events; head {}", done.events, done.head);
                    Ok(())
                }
                Err(found) => Err(format!("audit chain broken: {found}")),
            }
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
    let cli = Cli::parse();
    physioplan::telemetry::init(cli.log_format);
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(reason) => {
            // One line, whatever the driver said (libpq's reasons span several lines).
            let reason = reason.split_whitespace().collect::<Vec<_>>().join(" ");
            eprintln!("physioplan: {reason}");
            ExitCode::FAILURE
        }
    }
}
