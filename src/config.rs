//! Settings, built once in `main` (or by a test) and passed in; no global configuration.

use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use std::path::PathBuf;

/// Where the data lives. The backend is chosen from the URL scheme and nothing else, so a
/// mistyped PostgreSQL URL is refused instead of silently becoming a new SQLite file.
#[derive(Clone)]
pub enum DatabaseUrl {
    /// A SQLite database file.
    SqliteFile(PathBuf),
    /// A private in-memory SQLite database (one connection; for quick experiments).
    SqliteMemory,
    /// A PostgreSQL server; the URL may hold a password, so it is kept secret.
    Postgres(SecretString),
}

impl DatabaseUrl {
    /// Parses `sqlite://PATH`, `sqlite::memory:`, `postgres://…` or `postgresql://…`.
    pub fn parse(url: &str) -> Result<Self, String> {
        let url = url.trim();
        if url == "sqlite::memory:" || url == "sqlite://:memory:" {
            return Ok(Self::SqliteMemory);
        }
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err("database URL sqlite:// needs a file path, e.g. sqlite://physioplan.db".into());
            }
            return Ok(Self::SqliteFile(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(SecretString::from(url.to_owned())));
        }
        let scheme = url.split(':').next().unwrap_or_default();
        Err(format!("unsupported database URL scheme '{scheme}': use sqlite://PATH, sqlite::memory: or postgres://…"))
    }

    /// The name reported by `/healthz`.
    pub fn backend(&self) -> &'static str {
        match self {
            Self::SqliteFile(_) | Self::SqliteMemory => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }

    /// The string handed to the driver. Never log it: it may hold a password.
    pub fn connection_string(&self) -> String {
        match self {
            Self::SqliteFile(path) => path.display().to_string(),
            Self::SqliteMemory => ":memory:".into(),
            Self::Postgres(url) => url.expose_secret().to_owned(),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SqliteFile(path) => write!(f, "sqlite://{}", path.display()),
            Self::SqliteMemory => f.write_str("sqlite::memory:"),
            Self::Postgres(_) => f.write_str("postgres://[redacted]"),
        }
    }
}

/// Everything the server needs to run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Address to listen on; port 0 picks a free port (tests).
    pub bind: String,
    /// The database.
    pub database: DatabaseUrl,
    /// Mark cookies `Secure` (set when served behind HTTPS).
    pub secure_cookies: bool,
    /// Connections in the pool.
    pub pool_size: u32,
    /// The reverse proxy whose `X-Forwarded-For` names the client (none: the peer is).
    pub trusted_proxy: Option<std::net::IpAddr>,
}

impl Settings {
    /// Settings for a server on `bind` using `database`, with defaults for the rest.
    pub fn new(bind: impl Into<String>, database: DatabaseUrl) -> Self {
        Self { bind: bind.into(), database, secure_cookies: false, pool_size: 8, trusted_proxy: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_and_postgres_urls_choose_their_backend() {
        assert_eq!(DatabaseUrl::parse("sqlite://x.db").map(|u| u.backend()), Ok("sqlite"));
        assert_eq!(DatabaseUrl::parse("sqlite::memory:").map(|u| u.backend()), Ok("sqlite"));
        assert_eq!(DatabaseUrl::parse("postgres://u@h/db").map(|u| u.backend()), Ok("postgres"));
        assert_eq!(DatabaseUrl::parse("postgresql://u@h/db").map(|u| u.backend()), Ok("postgres"));
    }

    #[test]
    fn a_mistyped_scheme_is_refused_with_its_name() {
        let err = DatabaseUrl::parse("postgress://u@h/db").err().unwrap_or_default();
        assert!(err.contains("'postgress'"), "{err}");
        assert!(DatabaseUrl::parse("physioplan.db").is_err());
    }

    #[test]
    fn a_postgres_password_never_shows_in_debug_output() {
        let url = DatabaseUrl::parse("postgres://u:hunter2@h/db").map(|u| format!("{u:?}"));
        assert_eq!(url.as_deref(), Ok("postgres://[redacted]"));
    }
}
