//! The server process's log: nothing a user typed reaches it, at `info` or at `trace`, on
//! any route family; and the JSON request line carries what operators need.

use reqwest::Method;
use serde_json::{json, Value};
use std::process::Stdio;
use tokio::io::{AsyncBufReadExt, BufReader};

const BIN: &str = env!("CARGO_BIN_EXE_physioplan");

/// A `physioplan serve` child writing its log to a file.
pub struct Served {
    pub base: String,
    pub log_path: std::path::PathBuf,
    child: tokio::process::Child,
}

impl Served {
    /// Stops the server and returns its log.
    pub async fn stop(mut self) -> String {
        self.child.kill().await.unwrap_or_else(|e| panic!("{e}"));
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }
}

/// Starts `physioplan serve` on `db` with extra environment and arguments.
pub async fn serve(db: &str, dir: &std::path::Path, env: &[(&str, &str)], args: &[&str]) -> Served {
    let log_path = dir.join(format!("server-{}.log", uuid::Uuid::now_v7().simple()));
    let log = std::fs::File::create(&log_path).unwrap_or_else(|e| panic!("{e}"));
    let mut command = tokio::process::Command::new(BIN);
    command.args(["serve", "--bind", "127.0.0.1:0"]).args(args).env("DATABASE_URL", db);
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log))
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    let mut lines = BufReader::new(stdout).lines();
    let mut base = String::new();
    while let Ok(Some(line)) = lines.next_line().await {
        if let Some(url) = line.split_whitespace().find(|w| w.starts_with("http://")) {
            base = url.to_owned();
            break;
        }
    }
    assert!(!base.is_empty(), "the server printed its address");
    Served { base, log_path, child }
}

/// A SQLite database with a clinic and a therapist (password `a long enough secret`).
fn seeded_db(dir: &std::path::Path) -> String {
    let db = format!("sqlite://{}", dir.join("logs.db").display());
    crate::cli::run(&db, &["clinic", "add", "--name", "Northside"], None);
    let args = [
        "user",
        "add",
        "--email",
        "kim@north.example",
        "--name",
        "Kim",
        "--role",
        "lead",
        "--clinic",
        "Northside",
        "--password-stdin",
    ];
    crate::cli::run(&db, &args, Some("a long enough secret\n"));
    db
}

/// What the attacker's requests carry: none of it may reach the log.
const SECRETS: [&str; 7] = [
    "Quartermaine",
    "HIV positive on methotrexate",
    "07700 900461",
    "7700900461",
    "Zebedee",
    "a long enough secret",
    "wrongpassword-Zebedee",
];

async fn call(http: &reqwest::Client, method: Method, url: String, token: &str, body: Value) -> u16 {
    let request = http.request(method, url).bearer_auth(token);
    let request = if body.is_null() { request } else { request.json(&body) };
    request.send().await.map(|r| r.status().as_u16()).unwrap_or_else(|e| panic!("{e}"))
}

/// Sends patient data in wrong fields and of wrong types to every route family.
async fn attack(base: &str) {
    let http = reqwest::Client::new();
    let bad_login = json!({"email": "Zebedee@north.example", "password": "wrongpassword-Zebedee"});
    let status = call(&http, Method::POST, format!("{base}/api/v1/auth/token"), "", bad_login).await;
    assert_eq!(status, 401);
    let typed_login = json!({"email": 7700900461_u64, "password": ["Quartermaine"]});
    assert_eq!(call(&http, Method::POST, format!("{base}/api/v1/auth/token"), "", typed_login).await, 422);
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
    let created: Value = http
        .post(format!("{base}/api/v1/patients"))
        .bearer_auth(&token)
        .json(&crate::helpers::patient_json("Ada", "Lovelace"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_default();
    let patient = created["id"].as_str().unwrap_or_default().to_owned();
    assert!(!patient.is_empty(), "{created}");
    let plan = uuid::Uuid::now_v7();

    let api: Vec<(Method, String, Value)> = vec![
        (
            Method::POST,
            "/patients".into(),
            json!({"given_name": 7700900461_u64, "family_name": "Quartermaine", "date_of_birth": "07700 900461",
                   "condition": "x", "side": "HIV positive on methotrexate", "history": ["HIV positive on methotrexate"]}),
        ),
        (Method::POST, "/patients".into(), json!({"Quartermaine": "HIV positive on methotrexate"})),
        (Method::PATCH, format!("/patients/{patient}"), json!({"phone": ["07700 900461"], "date_of_birth": "Zebedee"})),
        (
            Method::PATCH,
            format!("/patients/{patient}"),
            json!({"status": "discharged", "discharged_on": "Quartermaine"}),
        ),
        (
            Method::POST,
            format!("/patients/{patient}/assessments"),
            json!({"assessed_on": "07700 900461", "findings": [{"code": "HIV positive on methotrexate", "value": "Zebedee"}]}),
        ),
        (
            Method::POST,
            format!("/patients/{patient}/plans"),
            json!({"title": ["Quartermaine"], "protocol_id": 7700900461_u64}),
        ),
        (
            Method::POST,
            format!("/plans/{plan}/stages/1/items"),
            json!({"modality_id": "Quartermaine", "dosage": "Zebedee"}),
        ),
        (Method::PATCH, format!("/plans/{plan}/items/{plan}"), json!({"clinician_notes": 7700900461_u64})),
        (
            Method::POST,
            format!("/plans/{plan}/goals"),
            json!({"measure": "HIV positive on methotrexate", "target": "Zebedee"}),
        ),
        (Method::POST, "/modalities".into(), json!({"name": 7700900461_u64, "category": "Quartermaine"})),
        (Method::GET, "/patients?q=Quartermaine&page=Zebedee".into(), Value::Null),
        (Method::GET, "/caseload?therapist_id=Quartermaine&page=07700%20900461&sort=Zebedee".into(), Value::Null),
        (Method::GET, "/modalities?q=Zebedee&category=Quartermaine".into(), Value::Null),
    ];
    for (method, path, body) in api {
        let status = call(&http, method.clone(), format!("{base}/api/v1{path}"), &token, body).await;
        assert!((400..500).contains(&status), "{method} {path}: {status}");
    }

    // The HTML forms and pages, signed in through the login form.
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let page = |path: &str| {
        let url = format!("{base}{path}");
        let b = browser.clone();
        async move { b.get(url).send().await.unwrap_or_else(|e| panic!("{e}")).text().await.unwrap_or_default() }
    };
    let login_page = page("/login").await;
    let csrf = crate::helpers::csrf_token(&login_page);
    let wrong = [("email", "Zebedee@north.example"), ("password", "wrongpassword-Zebedee"), ("csrf_token", &csrf)];
    let refused = browser.post(format!("{base}/login")).form(&wrong).send().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(refused.status(), 401);
    let login_page = page("/login").await;
    let csrf = crate::helpers::csrf_token(&login_page);
    let right = [("email", "kim@north.example"), ("password", "a long enough secret"), ("csrf_token", &csrf)];
    let signed = browser.post(format!("{base}/login")).form(&right).send().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(signed.status(), 303);
    let csrf = crate::helpers::csrf_token(&page("/patients/new").await);
    let real_plan: Value = http
        .post(format!("{base}/api/v1/patients/{patient}/plans"))
        .bearer_auth(&token)
        .json(&json!({"title": "Plan"}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_default();
    let (real, stage) = (real_plan["id"].as_str().unwrap_or_default(), real_plan["stages"][0]["id"].as_str());
    let stage = stage.unwrap_or_default();
    let forms: Vec<(String, Vec<(&str, &str)>)> = vec![
        (
            format!("/patients/{patient}/discharge"),
            vec![("version", "1"), ("status", "discharged"), ("discharged_on", "Quartermaine")],
        ),
        ("/caseload/reassign".into(), vec![("patient_id", &patient), ("therapist_id", "Zebedee")]),
        (
            format!("/plans/{real}/stages/{stage}/edit"),
            vec![("version", "1"), ("name", "Zebedee"), ("purpose", "07700 900461"), ("planned_weeks", "Quartermaine")],
        ),
        (
            format!("/plans/{real}/stages/{stage}/criteria"),
            vec![("version", "1"), ("measure", "nprs_now"), ("comparator", "le"), ("value", "Quartermaine")],
        ),
        (
            "/patients".into(),
            vec![
                ("given_name", "Zebedee"),
                ("family_name", "Quartermaine"),
                ("date_of_birth", "07700 900461"),
                ("history", "HIV positive on methotrexate"),
            ],
        ),
        (format!("/patients/{patient}/edit"), vec![("version", "Quartermaine"), ("phone", "07700 900461")]),
        (format!("/patients/{patient}/assessments"), vec![("assessed_on", "Zebedee"), ("nprs_now", "Quartermaine")]),
        (format!("/plans/{plan}/goals"), vec![("measure", "HIV positive on methotrexate"), ("target", "Zebedee")]),
        ("/patients".into(), vec![("given_name", "Zebedee\u{0}Quartermaine")]),
    ];
    for (path, mut fields) in forms {
        fields.push(("csrf_token", &csrf));
        let response =
            browser.post(format!("{base}{path}")).form(&fields).send().await.unwrap_or_else(|e| panic!("{e}"));
        assert!((400..500).contains(&response.status().as_u16()), "POST {path}: {}", response.status());
    }
    let forged = [("given_name", "Zebedee"), ("family_name", "Quartermaine"), ("csrf_token", "7700900461")];
    let response =
        browser.post(format!("{base}/patients")).form(&forged).send().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), 403, "a forged form is refused");
    for path in [
        "/patients?q=Quartermaine",
        "/audit?patient_id=Quartermaine&from=07700-900461&action=Zebedee",
        "/audit.csv?patient_id=Zebedee",
        "/caseload?therapist_id=Quartermaine&flag=Zebedee",
        "/library?q=Quartermaine",
    ] {
        let status = browser.get(format!("{base}{path}")).send().await.map(|r| r.status().as_u16()).unwrap_or(0);
        assert!(status < 500, "GET {path}: {status}");
    }
}

async fn log_after_attack(level: &str) -> String {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = seeded_db(dir.path());
    let served = serve(&db, dir.path(), &[("RUST_LOG", level)], &[]).await;
    attack(&served.base).await;
    served.stop().await
}

#[tokio::test]
async fn patient_data_sent_in_wrong_fields_and_types_never_reaches_the_log_at_info_or_trace() {
    for level in ["info", "trace"] {
        let log = log_after_attack(level).await;
        assert!(log.contains("request finished"), "requests are logged at {level}:\n{log}");
        for secret in SECRETS {
            assert!(!log.contains(secret), "'{secret}' appeared in the {level} log:\n{log}");
        }
    }
}

#[tokio::test]
async fn a_json_request_line_carries_the_callers_request_id_status_latency_and_route() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = seeded_db(dir.path());
    let served = serve(&db, dir.path(), &[("RUST_LOG", "info")], &["--log-format", "json"]).await;
    let http = reqwest::Client::new();
    let response = http
        .get(format!("{}/api/v1/patients?q=Quartermaine", served.base))
        .header("X-Request-Id", "caller-id-42")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers().get("x-request-id").and_then(|v| v.to_str().ok()), Some("caller-id-42"));
    let traced = http
        .get(format!("{}/login", served.base))
        .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        traced.headers().get("x-request-id").and_then(|v| v.to_str().ok()),
        Some("4bf92f3577b34da6a3ce929d0e0e4736")
    );
    let anonymous = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let redirected = anonymous.get(format!("{}/patients", served.base)).send().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(redirected.status(), 303);
    let token: Value = http
        .post(format!("{}/api/v1/auth/token", served.base))
        .json(&json!({"email": "kim@north.example", "password": "a long enough secret"}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_default();
    let me: Value = http
        .get(format!("{}/api/v1/me", served.base))
        .bearer_auth(token["token"].as_str().unwrap_or_default())
        .header("X-Request-Id", "signed-in-call")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_default();
    let log = served.stop().await;

    let lines: Vec<Value> =
        log.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
    let line = lines
        .iter()
        .find(|l| l["request_id"] == "caller-id-42")
        .unwrap_or_else(|| panic!("no request line with the caller's id:\n{log}"));
    assert_eq!(line["status"], 401);
    assert_eq!(line["method"], "GET");
    assert_eq!(line["route"], "/api/v1/patients", "the pattern, never the URL with its query");
    assert!(line["latency_ms"].as_f64().is_some_and(|ms| ms >= 0.0), "{line}");
    assert!(lines.iter().any(|l| l["request_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"), "{log}");
    let visit = lines.iter().find(|l| l["route"] == "/patients" && l["status"] == 303);
    assert_eq!(visit.map(|l| l["level"].clone()), Some(json!("INFO")), "a redirect to sign in is no error:\n{log}");
    assert!(!log.contains("ERROR"), "{log}");
    let signed_in = lines.iter().find(|l| l["request_id"] == "signed-in-call");
    let user_id = signed_in.and_then(|l| l["user_id"].as_str()).unwrap_or_default();
    assert!(!user_id.is_empty() && me.to_string().contains(user_id), "the user id is on the line: {me} {log}");
}

#[tokio::test]
async fn secure_cookies_set_to_1_turn_on_hsts_and_secure_cookies() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = seeded_db(dir.path());
    let served = serve(&db, dir.path(), &[("PHYSIOPLAN_SECURE_COOKIES", "1")], &[]).await;
    let response = reqwest::get(format!("{}/login", served.base)).await.unwrap_or_else(|e| panic!("{e}"));
    let hsts = response.headers().get("strict-transport-security").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let cookie = response.headers().get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    served.stop().await;
    assert!(hsts.as_deref().is_some_and(|h| h.starts_with("max-age=")), "{hsts:?}");
    assert!(cookie.contains("Secure"), "{cookie}");

    let plain = serve(&db, dir.path(), &[], &[]).await;
    let response = reqwest::get(format!("{}/login", plain.base)).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(response.headers().get("strict-transport-security").is_none(), "no HSTS over plain HTTP");
    plain.stop().await;
}
