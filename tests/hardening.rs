//! `mock-hmc serve` under abuse, and what the db file gives away: descriptor
//! exhaustion, the connection limit, slow and idle connections, oversized,
//! malformed and unauthenticated bodies, what hyper itself refuses, and
//! secrets at rest (issue 14).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mock_hmc::{Hmc, Method};
use serde_json::{Value, json};
use support::{BIN, Client, Server, TempDb, http_send_raw};

/// A server process started with `prefix` (e.g. `prlimit --nofile=..`)
/// and extra arguments, logging at the default level to a file.
struct Served {
    child: Child,
    port: u16,
    log: PathBuf,
    _db: TempDb,
}

impl Served {
    fn start(prefix: &[&str], extra: &[&str]) -> Served {
        let db = TempDb::new();
        let port_file = db.dir.path().join("port");
        let log = db.dir.path().join("server.log");
        let mut cmd = match prefix.split_first() {
            Some((first, rest)) => {
                let mut c = Command::new(first);
                c.args(rest).arg(BIN);
                c
            }
            None => Command::new(BIN),
        };
        cmd.arg("--db").arg(&db.path).args(["serve", "--port", "0"]);
        cmd.arg("--port-file").arg(&port_file).args(extra);
        cmd.env_remove("MOCK_HMC_LOG")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap());
        let child = cmd.spawn().unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        let port = loop {
            if let Some(p) = std::fs::read_to_string(&port_file)
                .ok()
                .and_then(|t| t.trim().parse().ok())
            {
                break p;
            }
            assert!(Instant::now() < deadline, "server did not start");
            std::thread::sleep(Duration::from_millis(20));
        };
        Served {
            child,
            port,
            log,
            _db: db,
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn connect(&self) -> TcpStream {
        let s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s
    }

    /// CPU seconds the server process has used (user + system).
    fn cpu_seconds(&self) -> f64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap();
        let fields: Vec<&str> = stat
            .rsplit(')')
            .next()
            .unwrap()
            .split_whitespace()
            .collect();
        // After the command name: state is field 3, utime 14, stime 15.
        let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
        ticks / 100.0
    }

    /// Whether GET /api/version on a new connection answers 200.
    fn answers(&self) -> bool {
        let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let _ = s.write_all(b"GET /api/version HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        out.starts_with(b"HTTP/1.1 200")
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One answer read from a raw connection: status, headers (lower-case
/// names) and body.
struct Answer {
    status: u16,
    head: String,
    body: Value,
}

/// Sends `bytes` and reads one answer, up to its Content-Length.
fn exchange(s: &mut TcpStream, bytes: &[u8]) -> Answer {
    s.write_all(bytes).unwrap();
    read_answer(s)
}

fn read_answer(s: &mut TcpStream) -> Answer {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = s.read(&mut chunk).expect("no answer");
        assert!(n > 0, "connection closed without an answer");
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let status = head[9..12].parse().unwrap();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .map_or(0, |v| v.trim().parse().unwrap());
    while buf.len() < head_end + length {
        let n = s.read(&mut chunk).unwrap();
        assert!(n > 0, "connection closed inside the body");
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = serde_json::from_slice(&buf[head_end..head_end + length]).unwrap_or(Value::Null);
    Answer { status, head, body }
}

/// Whether the server closes `s` within `within` (a read gives EOF or a
/// reset), sending nothing.
fn closed_within(s: &mut TcpStream, within: Duration) -> bool {
    s.set_read_timeout(Some(within)).unwrap();
    let mut b = [0u8; 1];
    match s.read(&mut b) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => e.kind() == std::io::ErrorKind::ConnectionReset,
    }
}

/// Asserts an HMC error body with `status`.
fn assert_hmc_error(a: &Answer, status: u16, what: &str) {
    assert_eq!(a.status, status, "{what}: {}", a.head);
    assert!(
        a.head.contains("content-type: application/json"),
        "{what}: {}",
        a.head
    );
    for k in [
        "http-status",
        "reason",
        "message",
        "request-method",
        "request-uri",
    ] {
        assert!(a.body.get(k).is_some(), "{what}: no {k} in {}", a.body);
    }
    assert_eq!(a.body["http-status"], status, "{what}");
}

// ------------------------------------------------------------ descriptors

#[test]
fn out_of_descriptors_the_accept_loop_backs_off_without_flooding_the_log() {
    // A limit far above the descriptors there are: accepting fails with
    // EMFILE once the 40 are used.
    let server = Served::start(
        &["prlimit", "--nofile=40:40"],
        &["--plain-http", "--max-connections", "1000"],
    );
    let held: Vec<TcpStream> = (0..60)
        .filter_map(|_| TcpStream::connect(("127.0.0.1", server.port)).ok())
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let cpu_before = server.cpu_seconds();
    std::thread::sleep(Duration::from_secs(2));
    let cpu = server.cpu_seconds() - cpu_before;
    let log = server.log();
    let failures = log.lines().filter(|l| l.contains("accept failed")).count();
    assert!(failures >= 1, "no accept failure logged:\n{log}");
    assert!(failures <= 2, "{failures} accept-failure lines in 2 s");
    assert!(
        cpu < 0.5,
        "the server used {cpu} s of CPU in 2 s while out of descriptors"
    );

    drop(held);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !server.answers() {
        assert!(
            Instant::now() < deadline,
            "no answer after the descriptors came back"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn the_default_connection_limit_stays_under_the_descriptor_limit() {
    let server = Served::start(&["prlimit", "--nofile=64:64"], &["--plain-http"]);
    let held: Vec<TcpStream> = (0..100)
        .filter_map(|_| TcpStream::connect(("127.0.0.1", server.port)).ok())
        .collect();
    let deadline = Instant::now() + Duration::from_secs(5);
    while !server.log().contains("connection limit reached") {
        assert!(
            Instant::now() < deadline,
            "no limit reached:\n{}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let log = server.log();
    assert!(
        !log.contains("accept failed"),
        "descriptors ran out:\n{log}"
    );
    drop(held);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !server.answers() {
        assert!(
            Instant::now() < deadline,
            "no answer after the connections closed"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn connections_over_the_limit_are_closed_and_the_rest_are_served() {
    let server = Served::start(&[], &["--plain-http", "--max-connections", "2"]);
    let mut first = server.connect();
    let _second = server.connect();
    std::thread::sleep(Duration::from_millis(200));
    let mut third = server.connect();
    assert!(
        closed_within(&mut third, Duration::from_secs(3)),
        "the third connection stayed open"
    );
    let a = exchange(&mut first, b"GET /api/version HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(a.status, 200);
    let log = server.log();
    assert_eq!(log.matches("connection limit reached").count(), 1, "{log}");
}

// --------------------------------------------------------------- timeouts

#[test]
fn a_request_head_that_does_not_end_is_closed_after_the_header_timeout() {
    let server = Served::start(&[], &["--plain-http", "--header-timeout", "1"]);
    let mut s = server.connect();
    s.write_all(b"GET /api/version HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    let t = Instant::now();
    assert!(
        closed_within(&mut s, Duration::from_secs(5)),
        "a slow head stayed open"
    );
    assert!(
        t.elapsed() >= Duration::from_millis(800),
        "closed before the timeout"
    );
}

#[test]
fn an_idle_kept_alive_connection_is_closed_after_the_idle_timeout() {
    let server = Served::start(
        &[],
        &[
            "--plain-http",
            "--idle-timeout",
            "1",
            "--header-timeout",
            "30",
        ],
    );
    let mut s = server.connect();
    let a = exchange(&mut s, b"GET /api/version HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(a.status, 200);
    let t = Instant::now();
    assert!(
        closed_within(&mut s, Duration::from_secs(5)),
        "an idle connection stayed open"
    );
    assert!(
        t.elapsed() >= Duration::from_millis(800),
        "closed before the timeout"
    );
    // A connection that says nothing at all is idle too.
    let mut silent = server.connect();
    assert!(closed_within(&mut silent, Duration::from_secs(5)));
}

#[test]
fn a_stalled_body_gets_408_after_the_body_timeout() {
    let server = Served::start(&[], &["--plain-http", "--body-timeout", "1"]);
    let mut s = server.connect();
    let t = Instant::now();
    let a = exchange(
        &mut s,
        b"POST /api/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"userid\"",
    );
    assert_hmc_error(&a, 408, "stalled body");
    assert!(
        t.elapsed() >= Duration::from_millis(800),
        "answered before the timeout"
    );
}

#[test]
fn a_tls_handshake_that_does_not_come_is_closed_after_the_handshake_timeout() {
    let server = Served::start(&[], &["--handshake-timeout", "1"]);
    let mut s = server.connect();
    let t = Instant::now();
    assert!(
        closed_within(&mut s, Duration::from_secs(5)),
        "a silent TLS connection stayed open"
    );
    assert!(
        t.elapsed() >= Duration::from_millis(800),
        "closed before the timeout"
    );
}

#[test]
fn a_large_body_without_a_session_gets_its_403_before_it_is_sent() {
    let server = Served::start(&[], &["--plain-http"]);
    let mut s = server.connect();
    // 50 MB announced, 1 KB sent: the answer cannot wait for the rest.
    let mut req = b"POST /api/cpcs/dpm1/partitions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50000000\r\n\r\n".to_vec();
    req.extend_from_slice(&[b' '; 1024]);
    let a = exchange(&mut s, &req);
    assert_hmc_error(&a, 403, "no session");
    assert_eq!(a.body["reason"], 4);
    let mut s = server.connect();
    let mut req = b"POST /api/cpcs/dpm1/partitions HTTP/1.1\r\nHost: x\r\nX-API-Session: nope\r\nContent-Length: 50000000\r\n\r\n".to_vec();
    req.extend_from_slice(&[b' '; 1024]);
    let a = exchange(&mut s, &req);
    assert_hmc_error(&a, 403, "unknown session");
    assert_eq!(a.body["reason"], 5);
}

// ---------------------------------------------------- bodies and parsing

#[test]
fn bodies_over_the_limit_get_the_413_even_when_sent_whole_over_tls() {
    let server = Server::start(&TempDb::new().path, false, &["--body-limit", "1000"]);
    let agent = support::agent();
    let body = vec![b'x'; 2_000_000];
    for i in 0..20 {
        let r = http_send_raw(
            &agent,
            &server.base(),
            "POST",
            "/api/sessions",
            None,
            Some("application/json"),
            &body,
        );
        assert_eq!(r.status, 413, "attempt {i}: {:?}", r.body);
        assert_eq!(r.body["http-status"], 413, "attempt {i}");
        assert_eq!(r.body["request-uri"], "/api/sessions");
    }
    // The server still serves.
    assert_eq!(
        server.send(Method::Get, "/api/version", None, None).status,
        200
    );
}

#[test]
fn a_content_length_over_the_limit_is_answered_before_any_body() {
    let server = Served::start(&[], &["--plain-http"]);
    let mut s = server.connect();
    let t = Instant::now();
    let a = exchange(
        &mut s,
        b"POST /api/sessions HTTP/1.1\r\nHost: x\r\nContent-Length: 70000000\r\n\r\n",
    );
    assert_hmc_error(&a, 413, "announced 70 MB");
    assert!(t.elapsed() < Duration::from_secs(2));
}

#[test]
fn a_malformed_chunked_body_is_400() {
    let server = Served::start(&[], &["--plain-http"]);
    let mut s = server.connect();
    let a = exchange(
        &mut s,
        b"POST /api/sessions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    );
    assert_hmc_error(&a, 400, "chunk size zz");
    assert!(
        a.body["message"].as_str().unwrap().contains("chunk"),
        "{}",
        a.body
    );
}

#[test]
fn what_the_http_layer_cannot_parse_gets_the_hmc_error_body() {
    let server = Served::start(&[], &["--plain-http"]);
    let many: Vec<u8> = (0..200)
        .flat_map(|i| format!("X-{i}: y\r\n").into_bytes())
        .collect();
    let rows: Vec<(&str, Vec<u8>, u16)> = vec![
        (
            "bad header name",
            b"GET /api/version HTTP/1.1\r\nBad Header: x\r\n\r\n".to_vec(),
            400,
        ),
        (
            "NUL in the URI",
            b"GET /api/ver\0sion HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
            400,
        ),
        (
            "control character",
            b"GET /api/\x01 HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
            400,
        ),
        (
            "bad method",
            b"G(T /api/version HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
            400,
        ),
        (
            "too many headers",
            [
                b"GET /api/version HTTP/1.1\r\n".to_vec(),
                many,
                b"\r\n".to_vec(),
            ]
            .concat(),
            431,
        ),
        (
            "URI too long",
            [
                b"GET /api/".to_vec(),
                vec![b'a'; 70_000],
                b" HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
            ]
            .concat(),
            414,
        ),
        (
            "huge header",
            [
                b"GET /api/version HTTP/1.1\r\nX: ".to_vec(),
                vec![b'a'; 500_000],
                b"\r\n\r\n".to_vec(),
            ]
            .concat(),
            431,
        ),
    ];
    for (what, bytes, status) in rows {
        let mut s = server.connect();
        let a = exchange(&mut s, &bytes);
        assert_hmc_error(&a, status, what);
    }
    let mut s = server.connect();
    let a = exchange(
        &mut s,
        b"GET /api/version HTTP/1.1\r\nBad Header: x\r\n\r\n",
    );
    assert_eq!(a.body["request-method"], "GET");
    assert_eq!(a.body["request-uri"], "/api/version");
}

// ------------------------------------------------------- secrets at rest

/// Every byte of the db and its `-wal`/`-shm` files.
fn file_bytes(db: &Path) -> Vec<u8> {
    ["", "-wal", "-shm"]
        .iter()
        .filter_map(|s| {
            let mut n = db.as_os_str().to_owned();
            n.push(s);
            std::fs::read(PathBuf::from(n)).ok()
        })
        .flatten()
        .collect()
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn the_db_file_is_private_and_holds_no_password_or_live_session_id() {
    use std::os::unix::fs::PermissionsExt;
    let db = TempDb::new();
    let hmc = Hmc::open(&db.path).unwrap();
    let s = hmc.logon("ensadmin", "password").unwrap();
    // Write-only secrets from an update over the API and from the CLI's
    // --user (a new user, then a changed password).
    let parts = s.get_json("/api/cpcs/dpm1/partitions").unwrap();
    let part = parts["partitions"][0]["object-uri"]
        .as_str()
        .unwrap()
        .to_string();
    let updated = s.post(&part, &json!({"boot-ftp-password": "Updated-Secret-2"}));
    assert_eq!(updated.status, 204, "{:?}", updated.json());
    hmc.set_user_password("carol", "Cli-Secret-3").unwrap();
    hmc.set_user_password("carol", "Cli-Secret-4").unwrap();
    let carol_session = hmc.logon("carol", "Cli-Secret-4").unwrap();
    assert!(hmc.logon("carol", "Cli-Secret-3").is_err());
    for suffix in ["", "-wal", "-shm"] {
        let mut n = db.path.as_os_str().to_owned();
        n.push(suffix);
        let mode = std::fs::metadata(PathBuf::from(n))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "mode of hmc.sqlite{suffix}");
    }
    let bytes = file_bytes(&db.path);
    for secret in [
        "Created-Secret-1",
        "Updated-Secret-2",
        "Cli-Secret-3",
        "Cli-Secret-4",
    ] {
        assert!(!contains(&bytes, secret), "{secret} in the db file");
    }
    for session in [s.id(), carol_session.id(), s.credential()] {
        assert!(
            !contains(&bytes, session),
            "a live session id is in the db file"
        );
    }
}

#[test]
fn a_password_stored_in_plain_text_is_hashed_when_the_db_is_opened() {
    let db = TempDb::new();
    drop(Hmc::open(&db.path).unwrap());
    // As an older mock-hmc, or an operator with sqlite3, would leave it.
    let conn = support::db(&db.path);
    conn.execute(
        "UPDATE resources SET properties = json_set(properties, '$.password', 'Plain-Old-4') \
         WHERE class = 'user' AND name = 'ensoperator'",
        [],
    )
    .unwrap();
    drop(conn);
    let hmc = Hmc::open(&db.path).unwrap();
    assert!(hmc.logon("ensoperator", "Plain-Old-4").is_ok());
    hmc.checkpoint().unwrap();
    assert!(
        !contains(&file_bytes(&db.path), "Plain-Old-4"),
        "the plain password stayed"
    );
}
