//! The baseline of `benches/https_load.rs`: a minimal hyper + rustls +
//! r2d2/SQLite server that does the same I/O as mock-hmc for the four
//! benchmarked requests and nothing else, so that mock-hmc's rate divided
//! by this one's is mock-hmc's own overhead.
//!
//! It keeps mock-hmc's settings where they change the cost of a request:
//! WAL, `synchronous=NORMAL`, a 10 s busy timeout, a pool of 8 reader
//! connections, one writer connection behind a mutex taking `BEGIN
//! IMMEDIATE`, one transaction per request, `spawn_blocking` bounded by 8
//! permits, a session check (SHA-256 of `X-API-Session`, then a primary-key
//! SELECT in the request's transaction), TLS 1.3 with ring. Documents are
//! stored as JSON text in one table and sent as stored.
//!
//! `Writers::Pooled` is the same server as a minimal one is usually
//! written, and as the first measurement had it: writes take a
//! pooled connection too and wait for SQLite's write lock in its busy
//! handler, instead of queueing on one writer connection.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

/// The schema: sessions by hashed id, and every document in one table.
const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS sessions (
        id TEXT PRIMARY KEY, userid TEXT NOT NULL, expires_at INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS docs (
        uri TEXT PRIMARY KEY, parent TEXT, class TEXT NOT NULL, name TEXT,
        props TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS docs_parent_name ON docs (parent, class, name);
";

/// Reader connections (mock-hmc's `Store::CONNECTIONS`).
const CONNECTIONS: usize = 8;

fn configure(c: &Connection) -> rusqlite::Result<()> {
    c.busy_timeout(Duration::from_secs(10))?;
    c.pragma_update(None, "foreign_keys", "ON")?;
    c.pragma_update(None, "synchronous", "NORMAL")?;
    Ok(())
}

/// SHA-256 of `token` in hex, as mock-hmc keys its sessions.
pub fn token_key(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Creates the baseline db at `path`: the session `token` and the
/// documents `(uri, parent, class, name, props)`.
pub fn create_db(
    path: &Path,
    token: &str,
    docs: &[(String, Option<String>, String, String, String)],
) {
    let c = Connection::open(path).expect("baseline db");
    c.pragma_update(None, "journal_mode", "WAL").expect("wal");
    c.execute_batch(SCHEMA).expect("schema");
    c.execute(
        "INSERT INTO sessions (id, userid, expires_at) VALUES (?1, 'ensadmin', ?2)",
        params![token_key(token), i64::MAX],
    )
    .expect("session");
    for (uri, parent, class, name, props) in docs {
        c.execute(
            "INSERT INTO docs (uri, parent, class, name, props) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![uri, parent, class, name, props],
        )
        .expect("doc");
    }
}

/// How the server's writes reach SQLite.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Writers {
    /// One writer connection behind a mutex (mock-hmc's design).
    Single,
    /// Any pooled connection, `BEGIN IMMEDIATE` waiting in the busy handler.
    Pooled,
}

struct Db {
    readers: r2d2::Pool<SqliteConnectionManager>,
    /// `None` with `Writers::Pooled`.
    writer: Option<Mutex<Connection>>,
    /// The NIC document a create starts from.
    nic_template: Map<String, Value>,
}

/// An answer: status, optional JSON text, optional Location.
struct Answer(u16, Option<String>, Option<String>);

impl Answer {
    fn error(status: u16, reason: u16) -> Answer {
        Answer(
            status,
            Some(json!({"http-status": status, "reason": reason}).to_string()),
            None,
        )
    }
}

type DbResult = Result<Answer, rusqlite::Error>;

impl Db {
    fn read(&self, f: impl FnOnce(&Connection) -> DbResult) -> DbResult {
        let c = self
            .readers
            .get()
            .map_err(|_| rusqlite::Error::InvalidQuery)?;
        c.execute_batch("BEGIN")?;
        let r = f(&c);
        let _ = c.execute_batch("ROLLBACK");
        r
    }

    fn write(&self, f: impl FnOnce(&Connection) -> DbResult) -> DbResult {
        match &self.writer {
            Some(writer) => {
                let c = writer.lock().map_err(|_| rusqlite::Error::InvalidQuery)?;
                Db::write_on(&c, f)
            }
            None => {
                let c = self
                    .readers
                    .get()
                    .map_err(|_| rusqlite::Error::InvalidQuery)?;
                Db::write_on(&c, f)
            }
        }
    }

    fn write_on(c: &Connection, f: impl FnOnce(&Connection) -> DbResult) -> DbResult {
        c.execute_batch("BEGIN IMMEDIATE")?;
        match f(c) {
            Ok(a) if a.0 < 400 => {
                c.execute_batch("COMMIT")?;
                Ok(a)
            }
            other => {
                let _ = c.execute_batch("ROLLBACK");
                other
            }
        }
    }
}

fn session_ok(c: &Connection, token: Option<&str>) -> rusqlite::Result<bool> {
    let Some(token) = token else {
        return Ok(false);
    };
    let mut s = c.prepare_cached("SELECT 1 FROM sessions WHERE id = ?1 AND expires_at > ?2")?;
    s.exists(params![token_key(token), now_ms()])
}

fn props_of(c: &Connection, uri: &str) -> rusqlite::Result<Option<String>> {
    let mut s = c.prepare_cached("SELECT props FROM docs WHERE uri = ?1")?;
    s.query_row([uri], |r| r.get(0)).optional()
}

fn save(c: &Connection, uri: &str, props: &Map<String, Value>) -> rusqlite::Result<()> {
    let text = serde_json::to_string(props).map_err(|_| rusqlite::Error::InvalidQuery)?;
    c.prepare_cached("UPDATE docs SET props = ?2 WHERE uri = ?1")?
        .execute(params![uri, text])?;
    Ok(())
}

fn parse(text: &str) -> Option<Map<String, Value>> {
    serde_json::from_str(text).ok()
}

/// Adds (or with `add` false removes) `item` in the list property `key`
/// of the document at `uri`.
fn edit_list(
    c: &Connection,
    uri: &str,
    key: &str,
    item: &str,
    add: bool,
) -> rusqlite::Result<bool> {
    let Some(mut props) = props_of(c, uri)?.as_deref().and_then(parse) else {
        return Ok(false);
    };
    let mut list = props
        .get(key)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if add {
        list.push(Value::String(item.to_string()));
    } else {
        list.retain(|v| v.as_str() != Some(item));
    }
    props.insert(key.to_string(), Value::Array(list));
    save(c, uri, &props)?;
    Ok(true)
}

/// Percent-decoded value of `name` in a query string.
fn query_value(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| {
            percent_encoding::percent_decode_str(&v.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned()
        })
    })
}

fn answer(
    db: &Db,
    method: &str,
    path: &str,
    query: Option<&str>,
    token: Option<&str>,
    body: &[u8],
) -> DbResult {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (method, parts.as_slice()) {
        ("GET", ["api", "partitions", _]) => db.read(|c| {
            if !session_ok(c, token)? {
                return Ok(Answer::error(403, 5));
            }
            Ok(match props_of(c, path)? {
                Some(text) => Answer(200, Some(text), None),
                None => Answer::error(404, 1),
            })
        }),
        ("GET", ["api", "cpcs", _, "partitions"]) => db.read(|c| {
            if !session_ok(c, token)? {
                return Ok(Answer::error(403, 5));
            }
            let parent = path.trim_end_matches("/partitions");
            let name = query.and_then(|q| query_value(q, "name"));
            let mut s = c.prepare_cached(
                "SELECT uri, name, json_extract(props, '$.status'), json_extract(props, '$.type')
                 FROM docs WHERE parent = ?1 AND class = 'partition' AND (?2 IS NULL OR name = ?2)",
            )?;
            let rows = s.query_map(params![parent, name], |r| {
                Ok(json!({"object-uri": r.get::<_, String>(0)?, "name": r.get::<_, String>(1)?,
                          "status": r.get::<_, Option<String>>(2)?, "type": r.get::<_, Option<String>>(3)?}))
            })?;
            let items = rows.collect::<Result<Vec<_>, _>>()?;
            Ok(Answer(200, Some(json!({"partitions": items}).to_string()), None))
        }),
        ("POST", ["api", "partitions", _]) => db.write(|c| {
            if !session_ok(c, token)? {
                return Ok(Answer::error(403, 5));
            }
            let Some(update) = std::str::from_utf8(body).ok().and_then(parse) else {
                return Ok(Answer::error(400, 3));
            };
            let Some(mut props) = props_of(c, path)?.as_deref().and_then(parse) else {
                return Ok(Answer::error(404, 1));
            };
            props.extend(update);
            save(c, path, &props)?;
            Ok(Answer(204, None, None))
        }),
        ("POST", ["api", "partitions", _, "nics"]) => db.write(|c| {
            if !session_ok(c, token)? {
                return Ok(Answer::error(403, 5));
            }
            let Some(fields) = std::str::from_utf8(body).ok().and_then(parse) else {
                return Ok(Answer::error(400, 3));
            };
            let parent = path.trim_end_matches("/nics");
            let id = uuid::Uuid::new_v4().to_string();
            let uri = format!("{path}/{id}");
            let mut props = db.nic_template.clone();
            props.extend(fields);
            props.insert("element-uri".into(), Value::String(uri.clone()));
            props.insert("element-id".into(), Value::String(id));
            props.insert("parent".into(), Value::String(parent.to_string()));
            if !edit_list(c, parent, "nic-uris", &uri, true)? {
                return Ok(Answer::error(404, 1));
            }
            let name = props.get("name").and_then(Value::as_str).unwrap_or("").to_string();
            let text = serde_json::to_string(&props).map_err(|_| rusqlite::Error::InvalidQuery)?;
            c.prepare_cached(
                "INSERT INTO docs (uri, parent, class, name, props) VALUES (?1, ?2, 'nic', ?3, ?4)",
            )?
            .execute(params![uri, parent, name, text])?;
            let body = json!({"element-uri": uri}).to_string();
            Ok(Answer(201, Some(body), Some(uri)))
        }),
        ("DELETE", ["api", "partitions", _, "nics", _]) => db.write(|c| {
            if !session_ok(c, token)? {
                return Ok(Answer::error(403, 5));
            }
            let parent = path.rsplit_once("/nics/").map_or("", |(p, _)| p);
            let gone = c
                .prepare_cached("DELETE FROM docs WHERE uri = ?1")?
                .execute([path])?;
            if gone == 0 {
                return Ok(Answer::error(404, 1));
            }
            edit_list(c, parent, "nic-uris", path, false)?;
            Ok(Answer(204, None, None))
        }),
        _ => Ok(Answer::error(404, 1)),
    }
}

async fn handle(
    db: Arc<Db>,
    permits: Arc<Semaphore>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let method = parts.method.as_str().to_string();
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().map(str::to_string);
    let token = parts
        .headers
        .get("x-api-session")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let answer = match permits.acquire().await {
        Ok(_permit) => tokio::task::spawn_blocking(move || {
            answer(
                &db,
                &method,
                &path,
                query.as_deref(),
                token.as_deref(),
                &body,
            )
        })
        .await
        .ok()
        .and_then(Result::ok),
        Err(_) => None,
    };
    let Answer(status, text, location) = answer.unwrap_or_else(|| Answer::error(500, 0));
    let mut out = Response::new(Full::new(Bytes::from(text.unwrap_or_default())));
    *out.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if status != 204 {
        out.headers_mut().insert(
            hyper::header::CONTENT_TYPE,
            hyper::header::HeaderValue::from_static("application/json"),
        );
    }
    if let Some(l) = location.and_then(|l| hyper::header::HeaderValue::from_str(&l).ok()) {
        out.headers_mut().insert(hyper::header::LOCATION, l);
    }
    Ok(out)
}

/// Serves the baseline db at `db_path` over HTTPS on 127.0.0.1 until the
/// process is killed; writes the bound port to `port_file`.
pub fn serve(db_path: &Path, port_file: &Path, nic_template: Map<String, Value>, writers: Writers) {
    let manager = SqliteConnectionManager::file(db_path).with_init(|c| configure(c));
    let readers = r2d2::Pool::builder()
        .max_size(CONNECTIONS as u32)
        .min_idle(Some(0))
        // As mock-hmc's pool: r2d2_sqlite's test at each check-out prepares
        // and runs a statement that no request needs.
        .test_on_check_out(false)
        .build(manager)
        .expect("pool");
    let writer = (writers == Writers::Single).then(|| {
        let writer = Connection::open(db_path).expect("writer");
        configure(&writer).expect("configure");
        Mutex::new(writer)
    });
    let db = Arc::new(Db {
        readers,
        writer,
        nic_template,
    });
    let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).expect("cert");
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(cert.signing_key.serialize_der().into());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(vec![cert.cert.der().clone()], key)
        .expect("tls");
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(16)
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        std::fs::write(port_file, port.to_string()).expect("port file");
        let permits = Arc::new(Semaphore::new(CONNECTIONS));
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                continue;
            };
            let _ = tcp.set_nodelay(true);
            let (acceptor, db, permits) = (acceptor.clone(), db.clone(), permits.clone());
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let service =
                    hyper::service::service_fn(move |req| handle(db.clone(), permits.clone(), req));
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tls), service)
                    .await;
            });
        }
    });
}
