//! Error cases of the HMC operations and of dispatch, as one table run
//! through both transports, plus the dispatch details that a table row
//! cannot express (messages, `request-uri`, methods the library lacks).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use mock_hmc::Method;
use serde_json::{Value, json};
use support::{Client, RawClient, Reply, Served, both_raw};

/// Which session a row sends.
#[derive(Clone, Copy, Debug)]
enum Auth {
    /// The logged-on ensadmin session.
    Admin,
    /// No `X-API-Session` header.
    Without,
    /// An id that no logon handed out.
    Unknown,
}

/// The body a row sends.
#[derive(Clone, Debug)]
enum Body {
    None,
    Json(Value),
    /// Raw bytes typed `application/json`.
    Raw(&'static str),
}

/// One error case: request and the expected (status, reason).
struct Row {
    method: Method,
    uri: &'static str,
    auth: Auth,
    body: Body,
    status: u16,
    reason: i64,
}

const fn row(method: Method, uri: &'static str, body: Body, status: u16, reason: i64) -> Row {
    Row {
        method,
        uri,
        auth: Auth::Admin,
        body,
        status,
        reason,
    }
}

/// A complete Create Partition body named `name`.
fn partition(name: &str) -> Value {
    json!({"name": name, "initial-memory": 1024, "maximum-memory": 2048, "ifl-processors": 1})
}

/// A partition body with one more property.
fn partition_with(name: &str, key: &str, value: Value) -> Value {
    let mut p = partition(name);
    p[key] = value;
    p
}

fn nic(backing: &str, uri: &str) -> Value {
    json!({"name": "NEWNIC", backing: uri})
}

const PORT: &str = "network-adapter-port-uri";
const VSWITCH: &str = "virtual-switch-uri";

/// Every error case, in the default HMC. No row changes state (errors
/// leave no trace), so their order does not matter. One row per line.
#[rustfmt::skip]
fn table() -> Vec<Row> {
    use Body::{Json, Raw};
    use Method::{Delete, Get, Post};
    let none = || Body::None;
    vec![
        // Dispatch.
        row(Get, "/api/no-such-thing", none(), 404, 1),
        row(Get, "/api/cpcs/", none(), 404, 1),
        row(Get, "/API/CPCS", none(), 404, 1),
        row(Get, "/api/version?x=1", none(), 404, 1),
        row(Get, "/api/jobs/x?foo=1", none(), 404, 1),
        row(Post, "/api/version", Json(json!({})), 404, 1),
        row(Delete, "/api/cpcs", none(), 404, 1),
        row(Get, "/api/sessions", none(), 404, 1),
        row(Get, "/api/partitions/linux1/nics", none(), 404, 1),
        row(Post, "/api/sessions", Raw("{nope"), 400, 9),
        row(Post, "/api/partitions/linux2", Raw("[1, 2"), 400, 9),
        row(Post, "/api/cpcs/dpm1/partitions", Raw("{\"name\": }"), 400, 9),
        // Console.
        row(Get, "/api/console?properties=no-such-property", none(), 400, 14),
        row(Get, "/api/console?foo=1", none(), 400, 1),
        row(Get, "/api/console?properties", none(), 400, 1),
        row(Get, "/api/console?a=b=c", none(), 400, 1),
        // CPCs.
        row(Get, "/api/cpcs?foo=1", none(), 400, 1),
        row(Get, "/api/cpcs?name=%5Babc", none(), 400, 1),
        row(Get, "/api/cpcs/nope", none(), 404, 1),
        row(Get, "/api/cpcs/dpm1?properties=name,no-such-property", none(), 400, 14),
        row(Get, "/api/cpcs/dpm1?foo=1", none(), 400, 1),
        row(Post, "/api/cpcs/nope", Json(json!({"description": "x"})), 404, 1),
        // Partitions.
        row(Get, "/api/cpcs/nope/partitions", none(), 404, 1),
        row(Get, "/api/cpcs/dpm1/partitions?foo=1", none(), 400, 1),
        row(Get, "/api/cpcs/dpm1/partitions?name=%5B", none(), 400, 1),
        row(Post, "/api/cpcs/dpm1/partitions", none(), 400, 3),
        row(Post, "/api/cpcs/dpm1/partitions", Json(json!({"name": "P", "initial-memory": 1})), 400, 5),
        row(Post, "/api/cpcs/dpm1/partitions", Json(json!({"initial-memory": 1, "maximum-memory": 1})), 400, 5),
        row(Post, "/api/cpcs/dpm1/partitions", Json(partition_with("P", "status", json!("active"))), 400, 6),
        row(Post, "/api/cpcs/dpm1/partitions", Json(partition_with("P", "nic-uris", json!([]))), 400, 6),
        row(Post, "/api/cpcs/dpm1/partitions", Json(partition_with("P", "partition-id", json!("0A"))), 400, 6),
        row(Post, "/api/cpcs/dpm1/partitions", Json(json!({"name": "P", "initial-memory": 1, "maximum-memory": 1})), 400, 1),
        row(Post, "/api/cpcs/dpm1/partitions", Json(partition_with("P", "ifl-processors", json!(0))), 400, 1),
        row(Post, "/api/cpcs/dpm1/partitions", Json(partition("LINUX1")), 400, 8),
        row(Post, "/api/cpcs/dpm1/partitions", Json(partition_with("P", "boot-device", json!("ftp"))), 400, 5),
        row(Post, "/api/cpcs/classic1/partitions", Json(partition("P")), 409, 5),
        row(Post, "/api/cpcs/nope/partitions", Json(partition("P")), 404, 1),
        row(Get, "/api/partitions/nope", none(), 404, 1),
        row(Get, "/api/partitions/linux1?properties=no-such-property", none(), 400, 14),
        row(Get, "/api/partitions/linux1?cached-acceptable=true", none(), 400, 1),
        row(Post, "/api/partitions/nope", Json(json!({"description": "x"})), 404, 1),
        row(Post, "/api/partitions/linux2", none(), 400, 3),
        row(Post, "/api/partitions/linux2", Json(json!({"name": "LINUX1"})), 400, 8),
        row(Delete, "/api/partitions/nope", none(), 404, 1),
        row(Delete, "/api/partitions/linux1", none(), 409, 1),
        row(Post, "/api/partitions/nope/operations/start", none(), 404, 1),
        row(Post, "/api/partitions/linux1/operations/start", none(), 409, 1),
        row(Post, "/api/partitions/linux2/operations/stop", none(), 409, 1),
        row(Post, "/api/partitions/linux2/operations/start?x=1", none(), 404, 1),
        // NICs.
        row(Post, "/api/partitions/nope/nics", Json(nic(VSWITCH, "/api/virtual-switches/vswitch-osa-0108")), 404, 1),
        row(Post, "/api/partitions/linux2/nics", none(), 400, 3),
        row(Post, "/api/partitions/linux2/nics", Json(json!({VSWITCH: "/api/virtual-switches/vswitch-osa-0108"})), 400, 5),
        row(Post, "/api/partitions/linux2/nics", Json(json!({"name": "NEWNIC"})), 400, 5),
        row(Post, "/api/partitions/linux2/nics", Json(nic(PORT, "/api/adapters/osa-0108/storage-ports/0")), 404, 6),
        row(Post, "/api/partitions/linux2/nics", Json(nic(PORT, "/api/adapters/osa-0108")), 404, 6),
        row(Post, "/api/partitions/linux2/nics", Json(nic(PORT, "/api/adapters/nope/network-ports/0")), 404, 2),
        row(Post, "/api/partitions/linux2/nics", Json(nic(PORT, "/api/adapters/osa-0108/network-ports/9")), 404, 6),
        row(Post, "/api/partitions/linux2/nics", Json(nic(VSWITCH, "/api/virtual-switches/nope")), 404, 2),
        row(Post, "/api/partitions/linux2/nics", Json(nic(VSWITCH, "/api/adapters/osa-0108")), 404, 2),
        row(Post, "/api/partitions/linux1/nics", Json(json!({"name": "NIC1", VSWITCH: "/api/virtual-switches/vswitch-osa-0108"})), 400, 8),
        row(Get, "/api/partitions/linux1/nics/nope", none(), 404, 1),
        row(Get, "/api/partitions/linux1/nics/nic1?properties=name", none(), 400, 1),
        row(Post, "/api/partitions/linux1/nics/nic1", Json(json!({"type": "osd"})), 400, 6),
        row(Post, "/api/partitions/linux1/nics/nic1", Json(json!({"name": "X", "element-uri": "/x"})), 400, 6),
        row(Post, "/api/partitions/linux1/nics/nope", Json(json!({"name": "X"})), 404, 1),
        row(Delete, "/api/partitions/linux1/nics/nope", none(), 404, 1),
        // Jobs.
        row(Get, "/api/jobs/nope", none(), 404, 1),
        row(Delete, "/api/jobs/nope", none(), 404, 1),
        row(Post, "/api/jobs/nope/operations/cancel", none(), 404, 1),
        // Sessions.
        row(Post, "/api/sessions", none(), 400, 3),
        row(Post, "/api/sessions", Json(json!({"userid": "ensadmin"})), 400, 5),
        row(Post, "/api/sessions", Json(json!({"password": "password"})), 400, 5),
        row(Post, "/api/sessions", Json(json!({"userid": "ensadmin", "password": "wrong"})), 403, 0),
        row(Post, "/api/sessions", Json(json!({"userid": "nobody", "password": "password"})), 403, 0),
        Row { auth: Auth::Without, ..row(Get, "/api/console", none(), 403, 4) },
        Row { auth: Auth::Without, ..row(Get, "/api/partitions/nope", none(), 403, 4) },
        Row { auth: Auth::Without, ..row(Delete, "/api/sessions/this-session", none(), 403, 4) },
        Row { auth: Auth::Unknown, ..row(Get, "/api/cpcs", none(), 403, 5) },
        Row { auth: Auth::Unknown, ..row(Post, "/api/partitions/linux2/operations/start", none(), 403, 5) },
    ]
}

/// Sends `r` through `c` with the admin session `s`.
fn send(c: &dyn RawClient, s: &str, r: &Row) -> Reply {
    let session = match r.auth {
        Auth::Admin => Some(s),
        Auth::Without => None,
        Auth::Unknown => Some("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
    };
    match &r.body {
        Body::None => c.send(r.method, r.uri, session, None),
        Body::Json(v) => c.send(r.method, r.uri, session, Some(v)),
        Body::Raw(text) => c.send_raw(
            r.method.as_str(),
            r.uri,
            session,
            Some("application/json"),
            text.as_bytes(),
        ),
    }
}

/// The five fields of an HMC error body, and nothing else.
fn assert_error_body(reply: &Reply, method: &str, what: &str) {
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

#[test]
fn every_error_case_answers_its_status_and_reason_with_an_hmc_error_body() {
    both_raw(|c, s| {
        // Arrange
        let rows = table();
        let before = c.send(
            Method::Get,
            "/api/cpcs/dpm1/partitions?additional-properties=nic-uris",
            Some(s),
            None,
        );

        // Act
        let replies: Vec<Reply> = rows.iter().map(|r| send(c, s, r)).collect();

        // Assert
        for (r, reply) in rows.iter().zip(&replies) {
            let what = format!(
                "{} {} {} (auth {:?}, body {:?})",
                c.transport(),
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
        let after = c.send(
            Method::Get,
            "/api/cpcs/dpm1/partitions?additional-properties=nic-uris",
            Some(s),
            None,
        );
        assert_eq!(
            before.body,
            after.body,
            "{}: the failed requests changed state",
            c.transport()
        );
    });
}

#[test]
fn unknown_uri_is_404_reason_1_naming_the_uri_with_its_query() {
    both_raw(|c, s| {
        // Act
        let r = c.send(Method::Get, "/api/no-such-thing?a=b", Some(s), None);

        // Assert
        assert_eq!(r.code(), (404, 1), "{}", c.transport());
        assert_eq!(
            r.body["request-uri"],
            "/api/no-such-thing?a=b",
            "{}",
            c.transport()
        );
        assert_eq!(
            r.body["message"],
            "Unknown resource with URI: /api/no-such-thing?a=b",
            "{}",
            c.transport()
        );
    });
}

#[test]
fn query_on_a_route_without_query_is_404_reason_1_naming_the_uri_with_its_query() {
    both_raw(|c, s| {
        // Act
        let r = c.send(Method::Get, "/api/version?x=1", Some(s), None);

        // Assert
        assert_eq!(r.code(), (404, 1), "{}", c.transport());
        assert_eq!(
            r.body["request-uri"],
            "/api/version?x=1",
            "{}",
            c.transport()
        );
    });
}

#[test]
fn unsupported_method_on_a_known_uri_is_404_reason_1_invalid_http_method() {
    both_raw(|c, s| {
        for (method, uri) in [
            (Method::Post, "/api/version"),
            (Method::Delete, "/api/cpcs"),
            (Method::Get, "/api/sessions"),
            (Method::Delete, "/api/console"),
            (Method::Get, "/api/partitions/linux1/nics"),
        ] {
            // Act
            let r = c.send(method, uri, Some(s), None);

            // Assert
            let what = format!("{} {method} {uri}", c.transport());
            assert_eq!(r.code(), (404, 1), "{what}: {:?}", r.body);
            let message = r.body["message"].as_str().unwrap_or("");
            assert!(
                message.starts_with(&format!("Invalid HTTP method {method} on URI: {uri}")),
                "{what}: {message}"
            );
            assert_eq!(r.body["request-uri"], uri, "{what}");
        }
    });
}

#[test]
fn unsupported_method_keeps_the_query_in_the_request_uri() {
    both_raw(|c, s| {
        // Act
        let r = c.send(Method::Delete, "/api/cpcs?name=DPM1", Some(s), None);

        // Assert
        assert_eq!(r.code(), (404, 1), "{}", c.transport());
        assert_eq!(
            r.body["request-uri"],
            "/api/cpcs?name=DPM1",
            "{}",
            c.transport()
        );
        let message = r.body["message"].as_str().unwrap_or("");
        assert!(
            message.starts_with("Invalid HTTP method DELETE on URI: /api/cpcs?name=DPM1"),
            "{}: {message}",
            c.transport()
        );
    });
}

#[test]
fn errors_raised_after_query_parsing_name_the_uri_without_query() {
    both_raw(|c, s| {
        // Act
        let r = c.send(
            Method::Get,
            "/api/console?properties=no-such-property",
            Some(s),
            None,
        );

        // Assert
        assert_eq!(r.code(), (400, 14), "{}", c.transport());
        assert_eq!(r.body["request-uri"], "/api/console", "{}", c.transport());
        assert_eq!(
            r.body["message"],
            "Invalid property 'no-such-property' in 'properties' query parameter for resource with URI '/api/console'",
            "{}",
            c.transport()
        );
    });
}

#[test]
fn unknown_query_parameter_message_lists_the_names_like_the_hmc() {
    both_raw(|c, s| {
        // Act
        let r = c.send(Method::Get, "/api/console?foo=1", Some(s), None);

        // Assert
        assert_eq!(r.code(), (400, 1), "{}", c.transport());
        assert_eq!(
            r.body["message"],
            "Unrecognized or unsupported query parameters: ['foo']",
            "{}",
            c.transport()
        );
    });
}

#[test]
fn malformed_json_body_is_400_reason_9_with_an_hmc_error_body() {
    both_raw(|c, s| {
        // Act
        let r = c.send_raw(
            "POST",
            "/api/partitions/linux2",
            Some(s),
            Some("application/json"),
            b"{\"description\": ",
        );

        // Assert
        assert_eq!(r.code(), (400, 9), "{}: {:?}", c.transport(), r.body);
        assert_error_body(&r, "POST", c.transport());
        let p = c.send(Method::Get, "/api/partitions/linux2", Some(s), None);
        assert_eq!(
            p.body["description"],
            "A stopped Linux partition",
            "{}",
            c.transport()
        );
    });
}

#[test]
fn methods_the_hmc_does_not_use_are_404_reason_1_json_over_https() {
    // Arrange
    let served = Served::new();
    let s = served.logon("ensadmin", "password");

    for method in ["PUT", "PATCH"] {
        // Act
        let r = served.send_raw(
            method,
            "/api/console",
            Some(&s),
            Some("application/json"),
            b"{}",
        );

        // Assert
        assert_eq!(r.code(), (404, 1), "{method}: {:?}", r.body);
        assert_error_body(&r, method, method);
        assert_eq!(r.body["request-uri"], "/api/console", "{method}");
        let message = r.body["message"].as_str().unwrap_or("");
        assert!(
            message.starts_with(&format!("Invalid HTTP method {method}")),
            "{method}: {message}"
        );
    }
}
