//! Spawning the app and talking to it like a browser or a script would.

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use physioplan::config::{DatabaseUrl, Settings};
use physioplan::db::ids::ClinicId;
use physioplan::db::Db;
use physioplan::service::accounts::{add_clinic, add_user, ClinicInput, UserInput};
use reqwest::redirect::Policy;
use serde_json::{json, Value};

/// Every seeded user's password.
pub const PASSWORD: &str = "correct horse battery";

/// Seeded accounts: two clinics, a therapist in each, a lead and an admin in clinic A.
pub const THERAPIST_A: &str = "thera@a.example";
pub const LEAD_A: &str = "lead@a.example";
pub const ADMIN: &str = "admin@a.example";
pub const THERAPIST_B: &str = "thera@b.example";

/// A running app with a fresh database.
pub struct TestApp {
    pub address: String,
    pub db: Db,
    /// The database URL, as the command line takes it.
    pub database_url: String,
    pub clinic_a: ClinicId,
    _dir: Option<tempfile::TempDir>,
    pg_drop: Option<(String, String)>,
}

/// A fresh database: a temp SQLite file, or a new PostgreSQL database when
/// `TEST_DATABASE_URL` is set.
fn fresh_database() -> (DatabaseUrl, Option<tempfile::TempDir>, Option<(String, String)>) {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(admin_url) if !admin_url.is_empty() => {
            let name = format!("pp_test_{}", uuid::Uuid::now_v7().simple());
            let mut admin = PgConnection::establish(&admin_url).unwrap_or_else(|e| panic!("TEST_DATABASE_URL: {e}"));
            admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap_or_else(|e| panic!("create db: {e}"));
            let base = admin_url.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin_url);
            let url = DatabaseUrl::parse(&format!("{base}/{name}")).unwrap_or_else(|e| panic!("{e}"));
            (url, None, Some((admin_url.clone(), name)))
        }
        _ => {
            let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
            let path = dir.path().join("test.db");
            let url = DatabaseUrl::parse(&format!("sqlite://{}", path.display())).unwrap_or_else(|e| panic!("{e}"));
            (url, Some(dir), None)
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = &self.pg_drop {
            if let Ok(mut admin) = PgConnection::establish(admin_url) {
                let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

/// Starts the app on a free port with a fresh, seeded database.
pub async fn spawn_app() -> TestApp {
    start(seed).await
}

/// Starts the app on a fresh database loaded with the demo data set (`physioplan demo`):
/// two clinics, their staff (password `DEMO_PASSWORD`) and twenty patients with plans.
pub async fn spawn_demo_app() -> TestApp {
    start(|db| {
        let mut conn = db.conn().unwrap_or_else(|e| panic!("{e}"));
        physioplan::seed::demo::load(&mut conn).unwrap_or_else(|e| panic!("{e:?}"));
        ClinicId::new()
    })
    .await
}

async fn start(load: impl FnOnce(&Db) -> ClinicId) -> TestApp {
    let (url, dir, pg_drop) = fresh_database();
    let settings = Settings::new("127.0.0.1:0", url.clone());
    let db = Db::connect(&url, 4).unwrap_or_else(|e| panic!("{e}"));
    physioplan::prepare(&db).unwrap_or_else(|e| panic!("{e}"));
    let clinic_a = load(&db);
    let app = physioplan::startup::Application::with_db(settings, db.clone()).unwrap_or_else(|e| panic!("{e}"));
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let database_url = match &url {
        DatabaseUrl::SqliteFile(path) => format!("sqlite://{}", path.display()),
        other => other.connection_string(),
    };
    TestApp { address, db, database_url, clinic_a, _dir: dir, pg_drop }
}

fn seed(db: &Db) -> ClinicId {
    let mut conn = db.conn().unwrap_or_else(|e| panic!("{e}"));
    let clinic = |conn: &mut _, name: &str| {
        add_clinic(conn, &ClinicInput { name: name.into(), ..ClinicInput::default() })
            .unwrap_or_else(|e| panic!("{e:?}"))
    };
    let a = clinic(&mut conn, "Clinic A");
    let b = clinic(&mut conn, "Clinic B");
    for (email, role, clinic) in
        [(THERAPIST_A, "therapist", a), (LEAD_A, "lead", a), (ADMIN, "admin", a), (THERAPIST_B, "therapist", b)]
    {
        let input = UserInput {
            email: email.into(),
            name: format!("{role} {email}"),
            role: role.into(),
            clinic_id: clinic.to_string(),
            password: PASSWORD.into(),
        };
        add_user(&mut conn, &input).unwrap_or_else(|e| panic!("{e:?}"));
    }
    a
}

/// A client that keeps cookies and does not follow redirects (so tests see them).
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(Policy::none()).build().unwrap_or_else(|e| panic!("{e}"))
}

/// Pulls the CSRF token out of a page.
pub fn csrf_token(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).unwrap_or_else(|| panic!("no csrf token in page:\n{html}")) + marker.len();
    html[start..].split('"').next().unwrap_or_default().to_owned()
}

impl TestApp {
    /// Another app instance on the same database (as a second server behind a balancer);
    /// returns its address.
    pub fn second_instance(&self) -> String {
        let url = DatabaseUrl::parse(&self.database_url).unwrap_or_else(|e| panic!("{e}"));
        let db = Db::connect(&url, 4).unwrap_or_else(|e| panic!("{e}"));
        let app = physioplan::startup::Application::with_db(Settings::new("127.0.0.1:0", url), db)
            .unwrap_or_else(|e| panic!("{e}"));
        let address = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        address
    }

    /// A full URL.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Signs in through the login form; returns the response to the POST.
    pub async fn login_as(&self, client: &reqwest::Client, email: &str, password: &str) -> reqwest::Response {
        let page = client.get(self.url("/login")).send().await.unwrap_or_else(|e| panic!("{e}"));
        let token = csrf_token(&page.text().await.unwrap_or_default());
        client
            .post(self.url("/login"))
            .form(&[("email", email), ("password", password), ("csrf_token", &token)])
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// A browser session signed in as `email`.
    pub async fn signed_in(&self, email: &str) -> reqwest::Client {
        let client = browser();
        let response = self.login_as(&client, email, PASSWORD).await;
        assert_eq!(response.status(), 303, "sign-in as {email} failed");
        client
    }

    /// GET a page's HTML.
    pub async fn page(&self, client: &reqwest::Client, path: &str) -> (u16, String) {
        let response = client.get(self.url(path)).send().await.unwrap_or_else(|e| panic!("{e}"));
        (response.status().as_u16(), response.text().await.unwrap_or_default())
    }

    /// Posts a form with the CSRF token of the page at `form_page`; returns status and body
    /// (for a redirect, the body is the `Location`).
    pub async fn post_form(
        &self,
        client: &reqwest::Client,
        form_page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> (u16, String) {
        let (_, html) = self.page(client, form_page).await;
        let token = csrf_token(&html);
        let mut body: Vec<(&str, &str)> = fields.to_vec();
        body.push(("csrf_token", &token));
        // Edit forms carry the version they were rendered with, as a browser sends it: the
        // one in the form posting to `action`, or (plan forms drawn by script) the page's.
        let version_in = |html: &str| -> Option<String> {
            html.split("name=\"version\" value=\"").nth(1).and_then(|s| s.split('"').next()).map(str::to_owned)
        };
        let in_form = html
            .split(&format!("action=\"{action}\""))
            .nth(1)
            .and_then(|rest| rest.split("</form>").next())
            .and_then(version_in);
        let version = in_form.or_else(|| action.starts_with("/plans/").then(|| version_in(&html)).flatten());
        let version = version.unwrap_or_default();
        if !fields.iter().any(|(k, _)| *k == "version") && !version.is_empty() {
            body.push(("version", &version));
        }
        let response = client.post(self.url(action)).form(&body).send().await.unwrap_or_else(|e| panic!("{e}"));
        let status = response.status().as_u16();
        if let Some(location) = response.headers().get("location").and_then(|l| l.to_str().ok()) {
            return (status, location.to_owned());
        }
        (status, response.text().await.unwrap_or_default())
    }

    /// A bearer token for `email`.
    pub async fn token(&self, email: &str) -> String {
        let response = reqwest::Client::new()
            .post(self.url("/api/v1/auth/token"))
            .json(&json!({"email": email, "password": PASSWORD}))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap_or_default();
        body["token"].as_str().unwrap_or_default().to_owned()
    }

    /// Calls the API with a token; returns status and JSON body.
    pub async fn api(&self, method: reqwest::Method, path: &str, token: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = reqwest::Client::new().request(method, self.url(path)).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap_or_else(|e| panic!("{e}"));
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Calls a plan edit route of the API with the plan's current `version` added to the body
    /// (the path starts `/api/v1/plans/{id}`).
    pub async fn plan_api(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let id = path.trim_start_matches("/api/v1/plans/").split('/').next().unwrap_or_default();
        let (_, plan) = self.api(reqwest::Method::GET, &format!("/api/v1/plans/{id}"), token, None).await;
        let mut body = body.unwrap_or_else(|| json!({}));
        body["version"] = plan["version"].clone();
        self.api(method, path, token, Some(body)).await
    }

    /// Creates a patient through the API as `token`'s user; returns its JSON.
    pub async fn create_patient(&self, token: &str, given: &str, family: &str) -> Value {
        let (status, body) =
            self.api(reqwest::Method::POST, "/api/v1/patients", token, Some(patient_json(given, family))).await;
        assert_eq!(status, 201, "{body}");
        body
    }

    /// Records and signs an initial assessment on `on` answering every cauda equina item
    /// negative (plus `findings`), so a plan may be activated; returns the assessment.
    pub async fn sign_screen(&self, token: &str, patient: &str, on: &str, findings: Value) -> Value {
        let mut all = negative_screen();
        all.extend(findings.as_array().cloned().unwrap_or_default());
        let body = json!({"kind": "initial", "assessed_on": on, "findings": all});
        let path = format!("/api/v1/patients/{patient}/assessments");
        let (status, a) = self.api(reqwest::Method::POST, &path, token, Some(body)).await;
        assert_eq!(status, 201, "{a}");
        let sign = format!("/api/v1/assessments/{}/sign", a["id"].as_str().unwrap_or_default());
        let (status, signed) = self.api(reqwest::Method::POST, &sign, token, None).await;
        assert_eq!(status, 200, "{signed}");
        signed
    }

    /// Audit events with this action.
    pub fn audit_events(&self, action: &str) -> Vec<AuditedAs> {
        use diesel::prelude::*;
        use physioplan::db::schema::audit_events::dsl as a;
        let mut conn = self.db.conn().unwrap_or_else(|e| panic!("{e}"));
        a::audit_events
            .filter(a::action.eq(action))
            .select((a::actor_id, a::patient_id, a::request_id, a::client_addr))
            .load(&mut *conn)
            .unwrap_or_else(|e| panic!("{e}"))
    }
}

/// An audit event's (actor_id, patient_id, request_id, client_addr).
pub type AuditedAs = (Option<String>, Option<String>, Option<String>, Option<String>);

/// The cauda equina red-flag items an initial assessment must answer before it is signed.
pub const CAUDA_EQUINA: [&str; 6] = [
    "rf_saddle_anaesthesia",
    "rf_bladder_dysfunction",
    "rf_bowel_dysfunction",
    "rf_sexual_dysfunction",
    "rf_bilateral_leg_symptoms",
    "rf_progressive_neuro_deficit",
];

/// Every cauda equina item answered negative, as findings.
pub fn negative_screen() -> Vec<Value> {
    screened(json!([])).as_array().cloned().unwrap_or_default()
}

/// A valid patient body.
pub fn patient_json(given: &str, family: &str) -> Value {
    json!({
        "given_name": given,
        "family_name": family,
        "date_of_birth": "1975-03-14",
        "sex": "female",
        "condition": "Lumbar radiculopathy (L5)",
        "side": "left",
        "onset_date": "2026-10-01",
        "history": ["anticoagulants", "diabetes"]
    })
}

/// `findings` with every cauda equina item it does not answer itself answered negative.
pub fn screened(findings: Value) -> Value {
    let mut list = findings.as_array().cloned().unwrap_or_default();
    for code in CAUDA_EQUINA {
        if !list.iter().any(|f| f["code"] == code) {
            list.push(serde_json::json!({"code": code, "value": "negative"}));
        }
    }
    Value::Array(list)
}
