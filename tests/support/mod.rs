//! Test fixtures shared by the integration tests: a temporary HMC used
//! in-process, a `mock-hmc serve` process, and one `Client` interface over
//! both, so each scenario runs through the library API and over HTTPS.
//! `helpers` holds the short requests every file uses, `error_table` the
//! one runner of the error tables.

#![allow(dead_code, reason = "each test binary uses a different part")]
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test fixtures")]

pub mod error_table;
pub mod helpers;
pub mod stomp;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mock_hmc::{Hmc, Method, Request, Response};
use serde_json::Value;

/// The mock-hmc binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_mock-hmc");

/// A temporary db file (removed with the directory).
pub struct TempDb {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl TempDb {
    pub fn new() -> TempDb {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hmc.sqlite");
        TempDb { dir, path }
    }
}

/// A status and JSON body (Null when there is none), whatever the transport.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
    pub location: Option<String>,
}

impl Reply {
    /// The `reason` of an error body.
    pub fn reason(&self) -> i64 {
        self.body["reason"].as_i64().unwrap_or(-1)
    }

    /// (status, reason) of an error.
    pub fn code(&self) -> (u16, i64) {
        (self.status, self.reason())
    }

    fn from_response(r: &Response) -> Reply {
        Reply {
            status: r.status,
            body: r.json().cloned().unwrap_or(Value::Null),
            location: r.header("location").map(str::to_string),
        }
    }
}

/// Anything that sends HMC requests: the library or an HTTP connection.
pub trait Client {
    /// Sends a request with an optional session id and optional JSON body.
    fn send(&self, method: Method, uri: &str, session: Option<&str>, body: Option<&Value>)
    -> Reply;

    /// Logs on; panics unless it succeeds. Returns the session id.
    fn logon(&self, user: &str, password: &str) -> String {
        let r = self.send(
            Method::Post,
            "/api/sessions",
            None,
            Some(&serde_json::json!({"userid": user, "password": password})),
        );
        assert_eq!(r.status, 200, "logon failed: {:?}", r.body);
        r.body["api-session"].as_str().unwrap().to_string()
    }

    /// Human name of the transport, for failure messages.
    fn transport(&self) -> &'static str;
}

/// The library transport.
pub struct InProcess {
    pub hmc: Hmc,
    pub db: TempDb,
}

impl InProcess {
    /// A new db with the default HMC.
    pub fn new() -> InProcess {
        let db = TempDb::new();
        let hmc = Hmc::open(&db.path).unwrap();
        InProcess { hmc, db }
    }

    /// Handles one request with an optional session, content type and body.
    fn handle(
        &self,
        method: Method,
        uri: &str,
        session: Option<&str>,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Reply {
        let mut req = Request::new(method, uri);
        if let Some(s) = session {
            req = req.with_session(s);
        }
        req.content_type = content_type.map(str::to_string);
        req.body = body;
        Reply::from_response(&self.hmc.handle(&req))
    }
}

impl Client for InProcess {
    fn send(
        &self,
        method: Method,
        uri: &str,
        session: Option<&str>,
        body: Option<&Value>,
    ) -> Reply {
        let content_type = body.map(|_| "application/json");
        let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
        self.handle(method, uri, session, content_type, bytes)
    }

    fn transport(&self) -> &'static str {
        "library"
    }
}

/// A `mock-hmc serve` child process; killed when dropped.
pub struct Server {
    pub child: Child,
    pub port: u16,
    pub https: bool,
    pub db: PathBuf,
    agent: ureq::Agent,
    /// The temporary db the server owns (see `serving`), removed after it.
    owned_db: Option<TempDb>,
}

impl Server {
    /// Starts `mock-hmc --db <db> serve --port 0` (HTTPS unless `plain`),
    /// with extra arguments, and waits until it listens.
    pub fn start(db: &Path, plain: bool, extra: &[&str]) -> Server {
        Server::spawn(db, plain, extra, None)
    }

    /// Serves a new db with the default HMC over HTTPS; the db lives as
    /// long as the server.
    pub fn fresh() -> Server {
        Server::serving(TempDb::new())
    }

    /// Serves `db` over HTTPS and owns it, so it lives as long as the server.
    pub fn serving(db: TempDb) -> Server {
        let mut server = Server::start(&db.path, false, &[]);
        server.owned_db = Some(db);
        server
    }

    /// Like `start`, but with the default log filter (`MOCK_HMC_LOG` unset)
    /// and the server's stderr written to `log`.
    pub fn start_logging(db: &Path, plain: bool, extra: &[&str], log: &Path) -> Server {
        Server::spawn(db, plain, extra, Some(log))
    }

    fn spawn(db: &Path, plain: bool, extra: &[&str], log: Option<&Path>) -> Server {
        let port_file = db.with_extension(format!("port-{}", std::process::id()));
        let _ = std::fs::remove_file(&port_file);
        let mut cmd = Command::new(BIN);
        cmd.arg("--db").arg(db).arg("serve").arg("--port").arg("0");
        cmd.arg("--port-file").arg(&port_file);
        if plain {
            cmd.arg("--plain-http");
        }
        cmd.args(extra);
        cmd.stdout(Stdio::null());
        match log {
            Some(log) => {
                cmd.env_remove("MOCK_HMC_LOG");
                cmd.stderr(std::fs::File::create(log).unwrap());
            }
            None => {
                cmd.env("MOCK_HMC_LOG", "warn");
                cmd.stderr(Stdio::inherit());
            }
        }
        let child = cmd.spawn().unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        let port = loop {
            if let Ok(text) = std::fs::read_to_string(&port_file)
                && let Ok(p) = text.trim().parse::<u16>()
            {
                break p;
            }
            assert!(Instant::now() < deadline, "server did not start");
            std::thread::sleep(Duration::from_millis(20));
        };
        Server {
            child,
            port,
            https: !plain,
            db: db.to_path_buf(),
            agent: agent(),
            owned_db: None,
        }
    }

    /// The base URL (`https://127.0.0.1:PORT`).
    pub fn base(&self) -> String {
        let scheme = if self.https { "https" } else { "http" };
        format!("{scheme}://127.0.0.1:{}", self.port)
    }

    /// Sends SIGTERM and waits for the exit status.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let status = self.child.wait().unwrap();
        // Forgetting skips the kill in `drop`; the owned db still goes.
        drop(self.owned_db.take());
        std::mem::forget(self);
        status
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP agent that keeps connections alive, accepts the self-signed
/// certificate and does not turn error statuses into errors.
pub fn agent() -> ureq::Agent {
    agent_with(
        ureq::tls::TlsConfig::builder()
            .disable_verification(true)
            .build(),
    )
}

/// An HTTP agent with the given TLS settings that keeps connections alive
/// and does not turn error statuses into errors.
pub fn agent_with(tls: ureq::tls::TlsConfig) -> ureq::Agent {
    ureq::Agent::config_builder()
        .tls_config(tls)
        .http_status_as_error(false)
        .build()
        .new_agent()
}

/// Sends one request with `agent` to `base`.
pub fn http_send(
    agent: &ureq::Agent,
    base: &str,
    method: Method,
    uri: &str,
    session: Option<&str>,
    body: Option<&Value>,
) -> Reply {
    // zhmcclient sends `Content-Type: application/json` on every POST, with
    // or without a body.
    let content_type = (method == Method::Post).then_some("application/json");
    let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
    http_send_raw(
        agent,
        base,
        method.as_str(),
        uri,
        session,
        content_type,
        &bytes,
    )
}

impl Client for Server {
    fn send(
        &self,
        method: Method,
        uri: &str,
        session: Option<&str>,
        body: Option<&Value>,
    ) -> Reply {
        http_send(&self.agent, &self.base(), method, uri, session, body)
    }

    fn transport(&self) -> &'static str {
        "https"
    }
}

/// Runs `scenario` once in-process and once over HTTPS against fresh
/// default HMCs, with a logged-on ensadmin session.
pub fn both(scenario: impl Fn(&dyn Client, &str)) {
    both_raw(|c, s| scenario(c, s));
}

// ---------------------------------------------------------------------------
// Raw requests, other definitions and dev access to the db (the error
// tables, and tests that need states the API cannot produce).

/// A client that can also send a raw body with any content type (malformed
/// JSON, an empty body typed `application/json`), and that names its db file
/// for tests that inspect or age the stored state directly.
pub trait RawClient: Client {
    /// Sends `method` (an HTTP method name) with `content_type` and `body`
    /// as given. The library can only express GET, POST and DELETE.
    fn send_raw(
        &self,
        method: &str,
        uri: &str,
        session: Option<&str>,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Reply;

    /// The SQLite file that holds this HMC.
    fn db_path(&self) -> &Path;
}

impl RawClient for InProcess {
    fn send_raw(
        &self,
        method: &str,
        uri: &str,
        session: Option<&str>,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Reply {
        let method = Method::parse(method)
            .unwrap_or_else(|| panic!("the library API has no method {method}"));
        self.handle(method, uri, session, content_type, body.to_vec())
    }

    fn db_path(&self) -> &Path {
        &self.db.path
    }
}

/// Sends one request with any method name, content type and raw body.
pub fn http_send_raw(
    agent: &ureq::Agent,
    base: &str,
    method: &str,
    uri: &str,
    session: Option<&str>,
    content_type: Option<&str>,
    body: &[u8],
) -> Reply {
    let url = format!("{base}{uri}");
    let mut builder = ureq::http::Request::builder().method(method).uri(&url);
    if let Some(s) = session {
        builder = builder.header("X-API-Session", s);
    }
    if let Some(ct) = content_type {
        builder = builder.header("Content-Type", ct);
    }
    let result = if body.is_empty() {
        agent.run(builder.body(()).unwrap())
    } else {
        agent.run(builder.body(body.to_vec()).unwrap())
    };
    let mut resp = result.unwrap();
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let text = resp.body_mut().read_to_string().unwrap_or_default();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    Reply {
        status,
        body,
        location,
    }
}

impl RawClient for Server {
    fn send_raw(
        &self,
        method: &str,
        uri: &str,
        session: Option<&str>,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Reply {
        http_send_raw(
            &self.agent,
            &self.base(),
            method,
            uri,
            session,
            content_type,
            body,
        )
    }

    fn db_path(&self) -> &Path {
        &self.db
    }
}

/// Like `both`, with clients that also send raw requests and name their db.
pub fn both_raw(scenario: impl Fn(&dyn RawClient, &str)) {
    run_both(InProcess::new(), Server::fresh, scenario);
}

/// Like `both_raw`, on fresh dbs filled from the definition `yaml` (plus
/// user ensadmin with password `password`) instead of the default HMC.
pub fn both_loaded(yaml: &str, scenario: impl Fn(&dyn RawClient, &str)) {
    let def = mock_hmc::definition::parse(yaml).unwrap();
    let fill = |db: &TempDb| {
        let hmc = Hmc::open_unseeded(&db.path).unwrap();
        hmc.load(&def, false).unwrap();
        hmc.set_user_password("ensadmin", "password").unwrap();
        hmc
    };
    let db = TempDb::new();
    let lib = InProcess { hmc: fill(&db), db };
    let served = || {
        let db = TempDb::new();
        drop(fill(&db));
        Server::serving(db)
    };
    run_both(lib, served, scenario);
}

/// Runs `scenario` with an ensadmin session on `lib`, then on the served
/// HMC `served` makes (only then, so one HMC runs at a time).
fn run_both(
    lib: InProcess,
    served: impl FnOnce() -> Server,
    scenario: impl Fn(&dyn RawClient, &str),
) {
    let s = lib.logon("ensadmin", "password");
    scenario(&lib, &s);
    drop(lib);
    let served = served();
    let s = served.logon("ensadmin", "password");
    scenario(&served, &s);
}

/// Changes the stored HMC through a definition edit (dump, edit, load with
/// replace), which any process sharing the db sees; returns a new ensadmin
/// session, since loading replaces the sessions too.
pub fn edit_hmc(c: &dyn RawClient, edit: impl FnOnce(&mut Value)) -> String {
    let hmc = Hmc::open(c.db_path()).unwrap();
    let mut def = hmc.dump(true).unwrap();
    edit(&mut def["hmc_definition"]);
    hmc.load(&def, true).unwrap();
    drop(hmc);
    c.logon("ensadmin", "password")
}

/// Dev access: a connection to the db file of a running HMC, shared with
/// it, for states the API cannot produce.
pub fn db(path: &Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.busy_timeout(Duration::from_secs(10)).unwrap();
    conn
}
