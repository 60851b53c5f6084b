//! The one runner of the error tables: rows of (method, URI, body, expected
//! status and reason), each sent through the transport under test, whose
//! answers must be complete HMC error bodies, and none of which may change
//! anything.
//!
//! A row may need a state of the default HMC that its definition lacks (a
//! partition in transition, a CPC with a bad status or not in DPM mode):
//! each state is set through the API's generic updates before its rows run
//! and undone after them. A row may send no session or an unknown one, and
//! a raw (malformed) body. "Nothing changed" means the whole stored HMC
//! (its definition dump) and the GET answers of the URIs the table watches,
//! which also cover properties computed when read.

use mock_hmc::{Hmc, Method};
use serde_json::{Value, json};

use super::helpers::{props, update};
use super::{RawClient, Reply};

/// A state a row needs, set up with Update Properties on the default HMC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// The HMC as the table's test left it.
    Default,
    /// LINUX1 has status `starting`.
    PartitionStarting,
    /// DPM1 has status `not-operating`.
    CpcNotOperating,
    /// DPM1 is not in DPM mode (`dpm-enabled` false).
    CpcClassic,
    /// CLASSIC1 is in DPM mode (`dpm-enabled` true).
    ClassicInDpm,
    /// CLASSIC1 has status `no-power` (not valid for operations).
    ClassicNoPower,
    /// CLASSIC1 has status `status-check` (a bad status).
    ClassicStatusCheck,
}

impl State {
    /// (URI, properties to set, properties that undo them).
    fn updates(self) -> Option<(&'static str, Value, Value)> {
        match self {
            State::Default => None,
            State::PartitionStarting => Some((
                "/api/partitions/linux1",
                json!({"status": "starting"}),
                json!({"status": "active"}),
            )),
            State::CpcNotOperating => Some((
                "/api/cpcs/dpm1",
                json!({"status": "not-operating"}),
                json!({"status": "active"}),
            )),
            State::CpcClassic => Some((
                "/api/cpcs/dpm1",
                json!({"dpm-enabled": false}),
                json!({"dpm-enabled": true}),
            )),
            State::ClassicInDpm => Some((
                "/api/cpcs/classic1",
                json!({"dpm-enabled": true}),
                json!({"dpm-enabled": false}),
            )),
            State::ClassicNoPower => Some((
                "/api/cpcs/classic1",
                json!({"status": "no-power"}),
                json!({"status": "operating"}),
            )),
            State::ClassicStatusCheck => Some((
                "/api/cpcs/classic1",
                json!({"status": "status-check"}),
                json!({"status": "operating"}),
            )),
        }
    }
}

/// Which session a row sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Auth {
    /// The logged-on session the table runs with.
    Session,
    /// No `X-API-Session` header.
    Without,
    /// An id that no logon handed out.
    Unknown,
}

/// An id of the right form that no logon hands out.
const UNKNOWN_SESSION: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// The body a row sends.
#[derive(Clone, Debug)]
pub enum Body {
    None,
    Json(Value),
    /// Raw bytes typed `application/json` (e.g. malformed JSON).
    Raw(&'static str),
}

/// One error case: the state and session it needs, the request, and the
/// expected (status, reason).
#[derive(Debug)]
pub struct Row {
    pub state: State,
    pub auth: Auth,
    pub method: Method,
    pub uri: String,
    pub body: Body,
    pub status: u16,
    pub reason: i64,
}

impl Row {
    /// The same row sent with `auth` instead of the session.
    pub fn with_auth(self, auth: Auth) -> Row {
        Row { auth, ..self }
    }
}

/// A row in the default state with the session and a JSON body or none.
pub fn row(method: Method, uri: &str, body: Option<Value>, status: u16, reason: i64) -> Row {
    Row {
        state: State::Default,
        auth: Auth::Session,
        method,
        uri: uri.to_string(),
        body: body.map_or(Body::None, Body::Json),
        status,
        reason,
    }
}

/// A row in `state`.
pub fn row_in(
    state: State,
    method: Method,
    uri: &str,
    body: Option<Value>,
    status: u16,
    reason: i64,
) -> Row {
    Row {
        state,
        ..row(method, uri, body, status, reason)
    }
}

/// A row whose body is the raw `text`, typed `application/json`.
pub fn raw_row(method: Method, uri: &str, text: &'static str, status: u16, reason: i64) -> Row {
    Row {
        body: Body::Raw(text),
        ..row(method, uri, None, status, reason)
    }
}

/// Sends `r` through `c`, with the session `s` unless the row says otherwise.
fn send(c: &dyn RawClient, s: &str, r: &Row) -> Reply {
    let session = match r.auth {
        Auth::Session => Some(s),
        Auth::Without => None,
        Auth::Unknown => Some(UNKNOWN_SESSION),
    };
    match &r.body {
        Body::None => c.send(r.method, &r.uri, session, None),
        Body::Json(v) => c.send(r.method, &r.uri, session, Some(v)),
        Body::Raw(text) => c.send_raw(
            r.method.as_str(),
            &r.uri,
            session,
            Some("application/json"),
            text.as_bytes(),
        ),
    }
}

/// Asserts that `reply` is an HMC error body with exactly its five fields:
/// its own status, the request's method, a message and the request URI.
pub fn assert_error_body(reply: &Reply, method: &str, what: &str) {
    let body = reply
        .body
        .as_object()
        .unwrap_or_else(|| panic!("{what}: not an object: {:?}", reply.body));
    let mut keys: Vec<&str> = body.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "http-status",
            "message",
            "reason",
            "request-method",
            "request-uri"
        ],
        "{what}: {body:?}"
    );
    assert_eq!(body["http-status"], json!(reply.status), "{what}");
    assert_eq!(body["request-method"], method, "{what}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{what}: {body:?}"
    );
    assert!(
        body["request-uri"]
            .as_str()
            .is_some_and(|u| u.starts_with("/api/") || u.starts_with("/API/")),
        "{what}: {body:?}"
    );
}

/// Asserts that `reply` is the HMC error `r` expects.
fn assert_error(c: &dyn RawClient, r: &Row, reply: &Reply) {
    let what = format!(
        "{} {:?} {} {} (auth {:?}, body {:?})",
        c.transport(),
        r.state,
        r.method,
        r.uri,
        r.auth,
        r.body
    );
    assert_eq!(
        reply.code(),
        (r.status, r.reason),
        "{what}: {:?}",
        reply.body
    );
    assert_error_body(reply, r.method.as_str(), &what);
}

/// What no row may change: the dump of the whole stored HMC and the GET
/// answer (asserted 200) of every watched URI, in order.
fn snapshot(c: &dyn RawClient, s: &str, watched: &[&str]) -> (Value, Vec<Value>) {
    let dump = Hmc::open_unseeded(c.db_path()).unwrap().dump(true).unwrap();
    let answers = watched.iter().map(|u| props(c, s, u)).collect();
    (dump, answers)
}

/// Runs every row in its state (states in the order they first appear) and
/// asserts its status, reason and error body, and that no row changed the
/// stored HMC or the answers of `watched`.
pub fn run(c: &dyn RawClient, s: &str, rows: &[Row], watched: &[&str]) {
    let mut states: Vec<State> = Vec::new();
    for r in rows {
        if !states.contains(&r.state) {
            states.push(r.state);
        }
    }
    for state in states {
        // Arrange
        let updates = state.updates();
        if let Some((uri, on, _)) = &updates {
            update(c, s, uri, on.clone());
        }
        let before = snapshot(c, s, watched);

        // Act / Assert
        for r in rows.iter().filter(|r| r.state == state) {
            let reply = send(c, s, r);
            assert_error(c, r, &reply);
        }
        let (dump, answers) = snapshot(c, s, watched);
        assert_eq!(
            answers,
            before.1,
            "{}: failed requests in state {state:?} changed a watched URI",
            c.transport()
        );
        assert_eq!(
            dump,
            before.0,
            "{}: failed requests in state {state:?} changed the stored HMC",
            c.transport()
        );
        if let Some((uri, _, off)) = &updates {
            update(c, s, uri, off.clone());
        }
    }
}
