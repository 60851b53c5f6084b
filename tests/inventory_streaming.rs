//! Get Inventory over HTTPS is sent while it is produced (chunked, no
//! `Content-Length`) and is the same answer the library gives; small
//! answers and errors still go out whole, with their length; clients that
//! go away in the middle of an answer leave no producer behind.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

#[path = "../benches/common/generated.rs"]
mod generated;

use std::io::Read;
use std::time::{Duration, Instant};

use generated::Layout;
use mock_hmc::test_support::Store;
use mock_hmc::{Hmc, JournalFilter, Method, Request};
use serde_json::{Value, json};
use support::{Client, Server, TempDb, agent};

const INVENTORY: &str = "/api/services/inventory";

/// A db with a generated HMC of about `resources` resources and user
/// ensadmin, and the library's Get Inventory of everything on it.
fn generated_hmc(resources: usize) -> (TempDb, Value) {
    let db = TempDb::new();
    let hmc = Hmc::open_unseeded(&db.path).unwrap();
    let text = Layout::for_resources(resources).definition().to_string();
    hmc.load(&mock_hmc::definition::parse(&text).unwrap(), false)
        .unwrap();
    hmc.set_user_password("ensadmin", "password").unwrap();
    let session = hmc.logon("ensadmin", "password").unwrap();
    let req = Request::new(Method::Post, INVENTORY)
        .with_json(&json!({}))
        .with_session(session.id());
    let r = hmc.handle(&req);
    assert_eq!(r.status, 200, "{:?}", r.json());
    let expected = r.json().unwrap().clone();
    drop(session);
    (db, expected)
}

/// A Get Inventory with `body` over HTTPS: (status, headers, body text).
fn post(
    agent: &ureq::Agent,
    server: &Server,
    session: &str,
    body: &Value,
) -> (u16, ureq::http::HeaderMap, String) {
    let mut resp = agent
        .post(format!("{}{INVENTORY}", server.base()))
        .header("X-API-Session", session)
        .content_type("application/json")
        .send(body.to_string())
        .unwrap();
    let text = resp
        .body_mut()
        .with_config()
        .limit(u64::MAX)
        .read_to_string()
        .unwrap();
    (resp.status().as_u16(), resp.headers().clone(), text)
}

/// `support::agent` that gives up after two minutes, so that a server
/// that stopped answering fails the test instead of hanging it.
fn patient_agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .tls_config(
            ureq::tls::TlsConfig::builder()
                .disable_verification(true)
                .build(),
        )
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .new_agent()
}

fn header<'h>(headers: &'h ureq::http::HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

#[test]
fn a_large_inventory_is_streamed_and_equals_the_library_answer() {
    // Arrange
    let (db, expected) = generated_hmc(2_000);
    let server = Server::serving(db);
    let s = server.logon("ensadmin", "password");
    let agent = agent();

    // Act
    let (status, headers, text) = post(&agent, &server, &s, &json!({}));
    let small = post(&agent, &server, &s, &json!({"resources": ["user"]}));
    let console = agent
        .get(format!("{}/api/console", server.base()))
        .header("X-API-Session", &s)
        .call()
        .unwrap();

    // Assert
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "content-type"), Some("application/json"));
    assert_eq!(header(&headers, "transfer-encoding"), Some("chunked"));
    assert_eq!(header(&headers, "content-length"), None);
    assert!(
        text.len() > 8 * 64 * 1024,
        "only {} bytes: too few pieces to tell",
        text.len()
    );
    let answer: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(answer, expected);
    // An answer shorter than one piece goes out whole, as every other.
    let (status, headers, text) = small;
    assert_eq!(status, 200);
    assert_eq!(
        header(&headers, "content-length"),
        Some(text.len().to_string().as_str())
    );
    assert_eq!(header(&headers, "transfer-encoding"), None);
    assert!(serde_json::from_str::<Value>(&text).unwrap()[0]["class"] == "user");
    assert_eq!(console.status().as_u16(), 200);
    assert!(header(console.headers(), "content-length").is_some());
}

#[test]
fn an_unknown_class_is_refused_before_anything_is_streamed() {
    // Arrange: the unknown class comes after one with many resources.
    let (db, _) = generated_hmc(2_000);
    let server = Server::serving(db);
    let s = server.logon("ensadmin", "password");
    let agent = agent();

    // Act
    let (status, headers, text) = post(
        &agent,
        &server,
        &s,
        &json!({"resources": ["partition", "nope"]}),
    );

    // Assert
    assert_eq!(status, 400);
    assert_eq!(header(&headers, "content-type"), Some("application/json"));
    assert_eq!(
        header(&headers, "content-length"),
        Some(text.len().to_string().as_str())
    );
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["http-status"], 400);
    assert_eq!(body["reason"], 7);
    assert_eq!(body["request-method"], "POST");
    assert_eq!(body["request-uri"], INVENTORY);
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
}

#[test]
fn clients_that_go_away_mid_answer_leave_no_producer_behind() {
    // Arrange: a body timeout far longer than the test, so only noticing
    // the closed connection can free a producer.
    let (db, expected) = generated_hmc(2_000);
    let server = Server::start(&db.path, false, &["--body-timeout", "3600"]);
    let s = server.logon("ensadmin", "password");

    // Act: more clients than the server has blocking threads each read
    // the start of an inventory and hang up.
    for _ in 0..Store::CONNECTIONS + 2 {
        let agent = patient_agent();
        let resp = agent
            .post(format!("{}{INVENTORY}", server.base()))
            .header("X-API-Session", &s)
            .header("X-Mock-Test-Id", "hung-up")
            .content_type("application/json")
            .send("{}")
            .unwrap();
        let mut start = [0u8; 4096];
        resp.into_body()
            .into_reader()
            .read_exact(&mut start)
            .unwrap();
        assert_eq!(start[0], b'[');
    }

    // Assert: a producer still blocked would hold its blocking thread; a
    // full inventory (which needs one) still answers, and in whole.
    let agent = patient_agent();
    let (status, _, text) = post(&agent, &server, &s, &json!({}));
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), expected);
    // Each cut-short answer is journaled as the failure it was.
    let hmc = Hmc::open(&db.path).unwrap();
    let hung_up = JournalFilter {
        test: Some("hung-up".into()),
        ..JournalFilter::default()
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    let rows = loop {
        let rows = hmc.journal(&hung_up).unwrap();
        if rows.len() >= Store::CONNECTIONS + 2 || Instant::now() > deadline {
            break rows;
        }
    };
    assert_eq!(rows.len(), Store::CONNECTIONS + 2);
    assert!(rows.iter().all(|r| r.status == 500), "{rows:?}");
    drop(server);
}
