//! `mock-hmc serve` as a process: ports, HTTPS and plain HTTP, certificates,
//! listen addresses, the body limit, SIGTERM and request logging.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use mock_hmc::{FaultSpec, Hmc, Method};
use serde_json::json;
use support::helpers::{create, props};
use support::{BIN, Client, Server, TempDb, agent, agent_with, http_send};

/// An agent that verifies the server against `pem` as its only trusted root.
fn agent_trusting(pem: &str) -> ureq::Agent {
    let cert = ureq::tls::Certificate::from_pem(pem.as_bytes()).unwrap();
    agent_with(
        ureq::tls::TlsConfig::builder()
            .root_certs(ureq::tls::RootCerts::Specific(Arc::new(vec![cert])))
            .build(),
    )
}

/// Whether GET /api/version at `base` answers 200 through `agent`.
fn version_ok(agent: &ureq::Agent, base: &str) -> bool {
    agent
        .get(&format!("{base}/api/version"))
        .call()
        .is_ok_and(|r| r.status() == 200)
}

fn is_pem_certificate(text: &str) -> bool {
    text.starts_with("-----BEGIN CERTIFICATE-----")
        && text.trim_end().ends_with("-----END CERTIFICATE-----")
}

#[test]
fn serve_on_port_zero_writes_the_port_file_and_answers_over_https() {
    let db = TempDb::new();
    let server = Server::start(&db.path, false, &[]);
    let port_file = db
        .path
        .with_extension(format!("port-{}", std::process::id()));
    let written: u16 = std::fs::read_to_string(&port_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(written, server.port);
    assert_ne!(written, 0);

    let r = http_send(
        &agent(),
        &format!("https://127.0.0.1:{written}"),
        Method::Get,
        "/api/version",
        None,
        None,
    );
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["api-major-version"], 4);
    assert_eq!(r.body["hmc-name"], "MOCKHMC1");
    // HTTPS only: a plain HTTP request gets no HMC answer.
    assert!(!version_ok(
        &agent(),
        &format!("http://127.0.0.1:{written}")
    ));
    // The library sees what the server serves, and vice versa.
    let s = server.logon("ensadmin", "password");
    let hmc = Hmc::open(&db.path).unwrap();
    let key = mock_hmc::test_support::session_key(&s);
    assert!(hmc.sessions().unwrap().iter().any(|row| row.id == key));
}

#[test]
fn plain_http_serves_http() {
    let db = TempDb::new();
    let server = Server::start(&db.path, true, &[]);
    assert!(server.base().starts_with("http://"));
    let r = server.send(Method::Get, "/api/version", None, None);
    assert_eq!(r.status, 200, "{:?}", r.body);
    let s = server.logon("ensadmin", "password");
    let console = server.send(Method::Get, "/api/console", Some(&s), None);
    assert_eq!(console.body["name"], "MOCKHMC1");
    assert!(!version_ok(
        &agent(),
        &format!("https://127.0.0.1:{}", server.port)
    ));
}

#[test]
fn the_generated_certificate_is_served_written_out_and_kept_across_restarts() {
    let db = TempDb::new();
    let first = db.dir.path().join("first.pem");
    let server = Server::start(&db.path, false, &["--cert-out", first.to_str().unwrap()]);
    let pem = std::fs::read_to_string(&first).unwrap();
    assert!(is_pem_certificate(&pem), "{pem}");
    // The served certificate is the one written out, valid for 127.0.0.1.
    assert!(version_ok(&agent_trusting(&pem), &server.base()));
    assert!(server.terminate().success());

    let second = db.dir.path().join("second.pem");
    let server = Server::start(&db.path, false, &["--cert-out", second.to_str().unwrap()]);
    assert_eq!(
        std::fs::read_to_string(&second).unwrap(),
        pem,
        "certificate changed"
    );
    assert!(version_ok(&agent_trusting(&pem), &server.base()));
    let localhost = format!("https://localhost:{}", server.port);
    assert!(
        version_ok(&agent_trusting(&pem), &localhost),
        "not valid for localhost"
    );

    // Another db has another certificate, which this server does not match.
    let other = TempDb::new();
    let other_pem = mock_hmc::test_support::self_signed_pem(&Hmc::open(&other.path).unwrap())
        .unwrap()
        .0;
    assert_ne!(other_pem, pem);
    assert!(!version_ok(&agent_trusting(&other_pem), &server.base()));
}

#[test]
fn cert_and_key_files_of_the_user_are_served() {
    let db = TempDb::new();
    let own = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
    let cert_file = db.dir.path().join("own-cert.pem");
    let key_file = db.dir.path().join("own-key.pem");
    let own_pem = own.cert.pem();
    std::fs::write(&cert_file, &own_pem).unwrap();
    std::fs::write(&key_file, own.signing_key.serialize_pem()).unwrap();
    let out = db.dir.path().join("out.pem");
    let server = Server::start(
        &db.path,
        false,
        &[
            "--cert",
            cert_file.to_str().unwrap(),
            "--key",
            key_file.to_str().unwrap(),
            "--cert-out",
            out.to_str().unwrap(),
        ],
    );
    assert!(
        version_ok(&agent_trusting(&own_pem), &server.base()),
        "own certificate not served"
    );
    // --cert-out writes the certificate that is served.
    assert_eq!(std::fs::read_to_string(&out).unwrap(), own_pem);
    // The db's own generated certificate is not the one served.
    let generated = mock_hmc::test_support::self_signed_pem(&Hmc::open(&db.path).unwrap())
        .unwrap()
        .0;
    assert_ne!(generated, own_pem);
    assert!(!version_ok(&agent_trusting(&generated), &server.base()));
}

#[test]
fn a_missing_cert_file_is_a_one_line_error_naming_it() {
    let db = TempDb::new();
    let missing = db.dir.path().join("missing-cert.pem");
    let o = Command::new(BIN)
        .arg("--db")
        .arg(&db.path)
        .args(["serve", "--port", "0", "--cert"])
        .arg(&missing)
        .arg("--key")
        .arg(&missing)
        .env("MOCK_HMC_LOG", "warn")
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("missing-cert.pem"), "{err}");
}

#[test]
fn listen_binds_another_loopback_address() {
    let db = TempDb::new();
    let server = Server::start(&db.path, true, &["--listen", "127.0.0.2"]);
    let there = format!("http://127.0.0.2:{}", server.port);
    let r = http_send(&agent(), &there, Method::Get, "/api/version", None, None);
    assert_eq!(r.status, 200, "{:?}", r.body);
    let not_there = format!("http://127.0.0.1:{}", server.port);
    assert!(
        agent()
            .get(&format!("{not_there}/api/version"))
            .call()
            .is_err(),
        "the server also listens on 127.0.0.1"
    );
}

#[test]
fn a_body_over_the_limit_gets_an_hmc_error_413() {
    let db = TempDb::new();
    let server = Server::start(&db.path, true, &["--body-limit", "1024"]);
    let big = json!({"userid": "ensadmin", "password": "password", "pad": "x".repeat(3000)});
    let r = server.send(Method::Post, "/api/sessions", None, Some(&big));
    assert_eq!(r.status, 413, "{:?}", r.body);
    assert_eq!(r.body["http-status"], 413, "{:?}", r.body);
    assert!(r.body["reason"].is_i64(), "{:?}", r.body);
    assert!(
        r.body["message"]
            .as_str()
            .is_some_and(|m| m.contains("1024")),
        "{:?}",
        r.body
    );
    assert_eq!(r.body["request-method"], "POST");
    assert_eq!(r.body["request-uri"], "/api/sessions");
    // A body under the limit is served as usual.
    let small = json!({"userid": "ensadmin", "password": "password"});
    let r = server.send(Method::Post, "/api/sessions", None, Some(&small));
    assert_eq!(r.status, 200, "{:?}", r.body);
}

#[test]
fn sigterm_ends_the_server_cleanly_and_checkpoints_the_wal() {
    let db = TempDb::new();
    let server = Server::start(&db.path, false, &[]);
    let s = server.logon("ensadmin", "password");
    let cpcs = props(&server, &s, "/api/cpcs?name=DPM1");
    let cpc = cpcs["cpcs"][0]["object-uri"].as_str().unwrap();
    let uri = create(
        &server,
        &s,
        &format!("{cpc}/partitions"),
        json!({"name": "kept", "initial-memory": 1024, "maximum-memory": 1024,
               "ifl-processors": 1}),
    );

    // The agent still holds a keep-alive connection: shutdown must not wait for it.
    let started = Instant::now();
    let status = server.terminate();
    assert!(status.success(), "exit status {status:?}");
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "shutdown took {:?}",
        started.elapsed()
    );
    let wal = wal_path(&db.path);
    let wal_len = std::fs::metadata(&wal).map_or(0, |m| m.len());
    assert_eq!(wal_len, 0, "{} not checkpointed", wal.display());

    let hmc = Hmc::open(&db.path).unwrap();
    let s = hmc.logon("ensadmin", "password").unwrap();
    assert_eq!(s.get_json(&uri).unwrap()["name"], "kept");
}

fn wal_path(db: &Path) -> std::path::PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push("-wal");
    p.into()
}

#[test]
fn the_server_logs_one_line_per_request() {
    let db = TempDb::new();
    let log = db.dir.path().join("server.log");
    let server = Server::start_logging(&db.path, true, &[], &log);
    let s = server.logon("ensadmin", "password");
    let requests = [
        (Method::Get, "/api/version"),
        (Method::Get, "/api/console"),
        (Method::Get, "/api/cpcs?name=DPM1"),
        (Method::Get, "/api/no/such/thing"),
    ];
    for (m, uri) in requests {
        server.send(m, uri, Some(&s), None);
    }
    assert!(server.terminate().success());
    let text = std::fs::read_to_string(&log).unwrap();
    let mut all = vec![(Method::Post, "/api/sessions")];
    all.extend(requests);
    for (m, uri) in all {
        let lines: Vec<&str> = text
            .lines()
            .filter(|l| l.contains(m.as_str()) && l.contains(&format!("{uri} ")))
            .collect();
        assert_eq!(lines.len(), 1, "{m} {uri}: {lines:?}\nlog:\n{text}");
    }
    assert!(!text.contains(&s), "the session id is logged:\n{text}");
    // Plain text in a file (no colour codes), so `grep uri=/api/console` works.
    assert!(
        !text.contains('\x1b'),
        "colour codes in a log file:\n{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.contains("method=GET") && l.contains("uri=/api/console ")),
        "{text}"
    );
}

#[test]
fn the_generated_certificate_names_the_listen_address_and_keeps_the_old_ones() {
    let db = TempDb::new();
    let first = db.dir.path().join("first.pem");
    let server = Server::start(
        &db.path,
        false,
        &[
            "--listen",
            "127.0.0.4",
            "--cert-out",
            first.to_str().unwrap(),
        ],
    );
    let pem = std::fs::read_to_string(&first).unwrap();
    let there = format!("https://127.0.0.4:{}", server.port);
    assert!(
        version_ok(&agent_trusting(&pem), &there),
        "not valid for 127.0.0.4"
    );
    assert!(server.terminate().success());

    // Another address extends the certificate: valid there, and for the
    // first address and the defaults still.
    let second = db.dir.path().join("second.pem");
    let server = Server::start(
        &db.path,
        false,
        &[
            "--listen",
            "127.0.0.5",
            "--cert-out",
            second.to_str().unwrap(),
        ],
    );
    let pem2 = std::fs::read_to_string(&second).unwrap();
    assert_ne!(
        pem2, pem,
        "the certificate did not change for a new address"
    );
    let there = format!("https://127.0.0.5:{}", server.port);
    assert!(
        version_ok(&agent_trusting(&pem2), &there),
        "not valid for 127.0.0.5"
    );
    assert!(server.terminate().success());
    let third = db.dir.path().join("third.pem");
    let server = Server::start(
        &db.path,
        false,
        &[
            "--listen",
            "127.0.0.4",
            "--cert-out",
            third.to_str().unwrap(),
        ],
    );
    assert_eq!(
        std::fs::read_to_string(&third).unwrap(),
        pem2,
        "not settled"
    );
    let there = format!("https://127.0.0.4:{}", server.port);
    assert!(version_ok(&agent_trusting(&pem2), &there));
}

#[test]
fn listen_takes_a_host_name() {
    let db = TempDb::new();
    let out = db.dir.path().join("cert.pem");
    let server = Server::start(
        &db.path,
        false,
        &["--listen", "localhost", "--cert-out", out.to_str().unwrap()],
    );
    let pem = std::fs::read_to_string(&out).unwrap();
    let base = format!("https://localhost:{}", server.port);
    assert!(
        version_ok(&agent_trusting(&pem), &base),
        "not served on localhost"
    );
}

/// Plain writes run one after the other on the server's writer thread; a
/// write that meets a fault rule's delay sleeps elsewhere, so the writes
/// behind it do not wait for it.
#[test]
fn a_write_delayed_by_a_fault_rule_does_not_hold_up_the_writes_behind_it() {
    let server = Server::fresh();
    let s = server.logon("ensadmin", "password");
    let fixture = Hmc::open_unseeded(&server.db).unwrap();
    fixture
        .add_fault(&FaultSpec {
            method: Some("post".into()),
            uri: Some("/api/partitions/linux1".into()),
            delay_ms: Some(2_000),
            ..FaultSpec::default()
        })
        .unwrap();
    let delayed_done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let delayed = scope.spawn(|| {
            let body = json!({"description": "late"});
            let r = server.send(
                Method::Post,
                "/api/partitions/linux1",
                Some(&s),
                Some(&body),
            );
            delayed_done.store(true, Ordering::SeqCst);
            r.status
        });
        // The delayed write is in its fault's sleep by now.
        std::thread::sleep(Duration::from_millis(300));
        for i in 0..20 {
            let body = json!({"description": format!("on time {i}")});
            let r = server.send(
                Method::Post,
                "/api/partitions/linux2",
                Some(&s),
                Some(&body),
            );
            assert_eq!(r.status, 204, "{:?}", r.body);
        }
        assert!(
            !delayed_done.load(Ordering::SeqCst),
            "the writes behind the delayed one answered before it"
        );
        assert_eq!(delayed.join().unwrap(), 204);
    });
    let get = |uri: &str| server.send(Method::Get, uri, Some(&s), None).body["description"].clone();
    assert_eq!(get("/api/partitions/linux1"), "late");
    assert_eq!(get("/api/partitions/linux2"), "on time 19");
}
