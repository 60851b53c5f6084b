//! Error tables over states of the default HMC that its definition lacks
//! (a partition in transition, a CPC with a bad status or not in DPM mode):
//! each state is set through the API's generic updates before its rows run
//! and undone after them, and no row may change what the table watches.

use mock_hmc::Method;
use serde_json::{Value, json};

use super::{Client, Reply};

/// A state a row needs, set up with Update Properties on the default HMC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// The default HMC as it is.
    Default,
    /// LINUX1 has status `starting`.
    PartitionStarting,
    /// DPM1 has status `not-operating`.
    CpcNotOperating,
    /// DPM1 is not in DPM mode (`dpm-enabled` false).
    CpcClassic,
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
        }
    }
}

/// One error case: the state it needs, the request, and the expected
/// (status, reason).
#[derive(Debug)]
pub struct Row {
    pub state: State,
    pub method: Method,
    pub uri: String,
    pub body: Option<Value>,
    pub status: u16,
    pub reason: i64,
}

/// A row in the default state.
pub fn row(method: Method, uri: &str, body: Option<Value>, status: u16, reason: i64) -> Row {
    Row {
        state: State::Default,
        method,
        uri: uri.to_string(),
        body,
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

fn update(c: &dyn Client, s: &str, uri: &str, props: &Value) {
    let r = c.send(Method::Post, uri, Some(s), Some(props));
    assert_eq!(
        r.status,
        204,
        "{}: arranging {uri}: {:?}",
        c.transport(),
        r.body
    );
}

/// The properties of every watched URI, in order.
fn snapshot(c: &dyn Client, s: &str, watched: &[&str]) -> Vec<Value> {
    watched
        .iter()
        .map(|u| c.send(Method::Get, u, Some(s), None).body)
        .collect()
}

/// Asserts that `reply` is the HMC error body `r` expects.
fn assert_error(c: &dyn Client, r: &Row, reply: &Reply) {
    let what = format!(
        "{} {:?} {} {} {:?}",
        c.transport(),
        r.state,
        r.method,
        r.uri,
        r.body
    );
    assert_eq!(
        reply.code(),
        (r.status, r.reason),
        "{what}: {:?}",
        reply.body
    );
    assert_eq!(reply.body["http-status"], json!(r.status), "{what}");
    assert_eq!(reply.body["request-method"], r.method.as_str(), "{what}");
    assert!(
        reply.body["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{what}: {:?}",
        reply.body
    );
}

/// Runs every row in its state (states in the order they first appear) and
/// asserts its status and reason, and that no row changed `watched`.
pub fn run(c: &dyn Client, s: &str, rows: &[Row], watched: &[&str]) {
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
            update(c, s, uri, on);
        }
        let before = snapshot(c, s, watched);

        // Act / Assert
        for r in rows.iter().filter(|r| r.state == state) {
            let reply = c.send(r.method, &r.uri, Some(s), r.body.as_ref());
            assert_error(c, r, &reply);
        }
        assert_eq!(
            snapshot(c, s, watched),
            before,
            "{}: failed requests in state {state:?} changed state",
            c.transport()
        );
        if let Some((uri, _, off)) = &updates {
            update(c, s, uri, off);
        }
    }
}
