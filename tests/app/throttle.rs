//! Sign-in throttling under concurrency: attempts are counted before any password is checked,
//! per (account, client address) and per address, and never lock a clinician out of their own
//! address.

use crate::helpers::{spawn_app, TestApp, PASSWORD, THERAPIST_A};
use serde_json::json;
use std::net::IpAddr;

/// An API client whose requests come from `addr` (any 127.x address reaches the app).
fn client_from(addr: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder().local_address(IpAddr::from(addr)).build().unwrap_or_else(|e| panic!("{e}"))
}

/// Requests a token; returns the status and the `Retry-After` header.
async fn token_request(app: &TestApp, client: &reqwest::Client, email: &str, password: &str) -> (u16, Option<u64>) {
    post_token(client.clone(), app.url("/api/v1/auth/token"), email.to_owned(), password.to_owned()).await
}

async fn post_token(client: reqwest::Client, url: String, email: String, password: String) -> (u16, Option<u64>) {
    let response = client
        .post(url)
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let retry = response.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
    (response.status().as_u16(), retry)
}

/// Fires the guesses for THERAPIST_A all at once; returns each (status, Retry-After).
async fn in_parallel(app: &TestApp, client: &reqwest::Client, guesses: &[&str]) -> Vec<(u16, Option<u64>)> {
    let mut set = tokio::task::JoinSet::new();
    for password in guesses {
        let call = post_token(client.clone(), app.url("/api/v1/auth/token"), THERAPIST_A.into(), (*password).into());
        set.spawn(call);
    }
    set.join_all().await
}

#[tokio::test]
async fn forty_parallel_wrong_guesses_check_at_most_five_and_the_rest_wait() {
    let app = spawn_app().await;
    let client = client_from([127, 0, 0, 1]);
    let guesses: Vec<String> = (0..40).map(|i| format!("wrong guess {i}")).collect();
    let refs: Vec<&str> = guesses.iter().map(String::as_str).collect();

    let outcomes = in_parallel(&app, &client, &refs).await;

    let checked = outcomes.iter().filter(|(s, _)| *s == 401).count();
    let throttled: Vec<_> = outcomes.iter().filter(|(s, _)| *s == 429).collect();
    assert!(checked <= 5, "{checked} guesses were checked: {outcomes:?}");
    assert_eq!(checked + throttled.len(), 40, "{outcomes:?}");
    assert!(throttled.iter().all(|(_, retry)| retry.is_some_and(|s| (1..=900).contains(&s))), "{throttled:?}");
    assert_eq!(app.audit_events("auth.sign_in_failed").len(), checked, "only checked guesses are failures");
    assert_eq!(token_request(&app, &client, THERAPIST_A, PASSWORD).await.0, 429, "the right password waits too");
}

#[tokio::test]
async fn a_right_password_among_parallel_guesses_does_not_get_in_once_the_limit_is_used() {
    let app = spawn_app().await;
    let client = client_from([127, 0, 0, 1]);
    // From a fresh start, at most five of 31 parallel guesses are checked, whatever the mix.
    let mut mixed: Vec<&str> = vec!["wrong guess"; 30];
    mixed.insert(17, PASSWORD);
    let outcomes = in_parallel(&app, &client, &mixed).await;
    let checked = outcomes.iter().filter(|(s, _)| *s != 429).count();
    assert!(checked <= 5, "{outcomes:?}");

    // Use up the limit, then hide the password among 31 parallel guesses.
    let other = spawn_app().await;
    for _ in 0..5 {
        assert_eq!(token_request(&other, &client, THERAPIST_A, "wrong guess").await.0, 401);
    }
    let outcomes = in_parallel(&other, &client, &mixed).await;
    assert!(outcomes.iter().all(|(s, _)| *s == 429), "{outcomes:?}");
    assert!(other.audit_events("auth.sign_in").is_empty());
}

#[tokio::test]
async fn a_strangers_failures_from_another_address_do_not_lock_the_clinician_out() {
    let app = spawn_app().await;
    let stranger = client_from([127, 0, 0, 2]);
    for _ in 0..5 {
        assert_eq!(token_request(&app, &stranger, THERAPIST_A, "wrong guess").await.0, 401);
    }
    assert_eq!(token_request(&app, &stranger, THERAPIST_A, PASSWORD).await.0, 429, "the stranger's address waits");

    let clinician = client_from([127, 0, 0, 1]);
    assert_eq!(token_request(&app, &clinician, THERAPIST_A, PASSWORD).await.0, 200, "the clinician still signs in");
}

#[tokio::test]
async fn one_address_guessing_across_many_accounts_is_slowed_after_twenty() {
    let app = spawn_app().await;
    let sprayer = client_from([127, 0, 0, 3]);
    for i in 0..20 {
        let email = format!("person{}@a.example", i % 5);
        assert_eq!(token_request(&app, &sprayer, &email, "Summer2026!").await.0, 401, "guess {i}");
    }

    let (status, retry) = token_request(&app, &sprayer, THERAPIST_A, PASSWORD).await;

    assert_eq!(status, 429, "the address is slowed for every account");
    assert!(retry.is_some());
    assert_eq!(token_request(&app, &client_from([127, 0, 0, 1]), THERAPIST_A, PASSWORD).await.0, 200);
}

#[tokio::test]
async fn the_html_sign_in_answers_429_with_retry_after() {
    let app = spawn_app().await;
    let client = crate::helpers::browser();
    for _ in 0..5 {
        assert_eq!(app.login_as(&client, THERAPIST_A, "wrong guess").await.status(), 401);
    }

    let response = app.login_as(&client, THERAPIST_A, PASSWORD).await;

    assert_eq!(response.status(), 429);
    let retry: Option<u64> =
        response.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
    assert!(retry.is_some_and(|s| (1..=900).contains(&s)), "{retry:?}");
    let html = response.text().await.unwrap_or_default();
    assert!(html.contains("Too many failed sign-ins. Wait 15 minutes"), "{html}");
}

#[tokio::test]
async fn a_successful_sign_in_forgets_earlier_failures_from_that_address() {
    let app = spawn_app().await;
    let client = client_from([127, 0, 0, 1]);
    for _ in 0..4 {
        assert_eq!(token_request(&app, &client, THERAPIST_A, "wrong guess").await.0, 401);
    }
    assert_eq!(token_request(&app, &client, THERAPIST_A, PASSWORD).await.0, 200);
    for _ in 0..4 {
        assert_eq!(token_request(&app, &client, THERAPIST_A, "wrong guess").await.0, 401);
    }
    assert_eq!(token_request(&app, &client, THERAPIST_A, PASSWORD).await.0, 200, "the count started again");
}
