//! Error cases of the HMC operations and of dispatch, as one table run
//! through both transports, plus the dispatch details that a table row
//! cannot express (messages, `request-uri`, methods the library lacks).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use mock_hmc::Method;
use serde_json::{Value, json};
use support::error_table::{self, Auth, Row, assert_error_body, raw_row, row};
use support::helpers::{delete, get, props};
use support::{Client, RawClient, Server, both_raw};

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
    use Method::{Delete, Get, Post};
    vec![
        // Dispatch.
        row(Get, "/api/no-such-thing", None, 404, 1),
        row(Get, "/api/cpcs/", None, 404, 1),
        row(Get, "/API/CPCS", None, 404, 1),
        row(Get, "/api/version?x=1", None, 404, 1),
        row(Get, "/api/jobs/x?foo=1", None, 404, 1),
        row(Post, "/api/version", Some(json!({})), 404, 1),
        row(Delete, "/api/cpcs", None, 404, 1),
        row(Get, "/api/sessions", None, 404, 1),
        row(Get, "/api/partitions/linux1/nics", None, 404, 1),
        raw_row(Post, "/api/sessions", "{nope", 400, 9),
        raw_row(Post, "/api/partitions/linux2", "[1, 2", 400, 9),
        raw_row(Post, "/api/cpcs/dpm1/partitions", "{\"name\": }", 400, 9),
        // Console.
        row(Get, "/api/console?properties=no-such-property", None, 400, 14),
        row(Get, "/api/console?foo=1", None, 400, 1),
        row(Get, "/api/console?properties", None, 400, 1),
        row(Get, "/api/console?a=b=c", None, 400, 1),
        // CPCs.
        row(Get, "/api/cpcs?foo=1", None, 400, 1),
        row(Get, "/api/cpcs?name=%5Babc", None, 400, 1),
        row(Get, "/api/cpcs/nope", None, 404, 1),
        row(Get, "/api/cpcs/dpm1?properties=name,no-such-property", None, 400, 14),
        row(Get, "/api/cpcs/dpm1?foo=1", None, 400, 1),
        row(Post, "/api/cpcs/nope", Some(json!({"description": "x"})), 404, 1),
        // Partitions.
        row(Get, "/api/cpcs/nope/partitions", None, 404, 1),
        row(Get, "/api/cpcs/dpm1/partitions?foo=1", None, 400, 1),
        row(Get, "/api/cpcs/dpm1/partitions?name=%5B", None, 400, 1),
        row(Post, "/api/cpcs/dpm1/partitions", None, 400, 3),
        row(Post, "/api/cpcs/dpm1/partitions", Some(json!({"name": "P", "initial-memory": 1})), 400, 5),
        row(Post, "/api/cpcs/dpm1/partitions", Some(json!({"initial-memory": 1, "maximum-memory": 1})), 400, 5),
        row(Post, "/api/cpcs/dpm1/partitions", Some(partition_with("P", "status", json!("active"))), 400, 6),
        row(Post, "/api/cpcs/dpm1/partitions", Some(partition_with("P", "nic-uris", json!([]))), 400, 6),
        row(Post, "/api/cpcs/dpm1/partitions", Some(partition_with("P", "partition-id", json!("0A"))), 400, 6),
        row(Post, "/api/cpcs/dpm1/partitions", Some(json!({"name": "P", "initial-memory": 1, "maximum-memory": 1})), 400, 1),
        row(Post, "/api/cpcs/dpm1/partitions", Some(partition_with("P", "ifl-processors", json!(0))), 400, 1),
        row(Post, "/api/cpcs/dpm1/partitions", Some(partition("LINUX1")), 400, 8),
        row(Post, "/api/cpcs/dpm1/partitions", Some(partition_with("P", "boot-device", json!("ftp"))), 400, 5),
        // Fields of another boot device or partition type are not input.
        row(Post, "/api/cpcs/dpm1/partitions", Some(partition_with("P", "boot-ftp-host", json!("ftp.example.com"))), 400, 6),
        row(Post, "/api/cpcs/dpm1/partitions", Some(partition_with("P", "ssc-host-name", json!("ssc1"))), 400, 6),
        row(Post, "/api/cpcs/classic1/partitions", Some(partition("P")), 409, 5),
        row(Post, "/api/cpcs/nope/partitions", Some(partition("P")), 404, 1),
        row(Get, "/api/partitions/nope", None, 404, 1),
        row(Get, "/api/partitions/linux1?properties=no-such-property", None, 400, 14),
        row(Get, "/api/partitions/linux1?cached-acceptable=true", None, 400, 1),
        row(Post, "/api/partitions/nope", Some(json!({"description": "x"})), 404, 1),
        row(Post, "/api/partitions/linux2", None, 400, 3),
        row(Post, "/api/partitions/linux2", Some(json!({"name": "LINUX1"})), 400, 8),
        row(Delete, "/api/partitions/nope", None, 404, 1),
        row(Delete, "/api/partitions/linux1", None, 409, 1),
        row(Post, "/api/partitions/nope/operations/start", None, 404, 1),
        row(Post, "/api/partitions/linux1/operations/start", None, 409, 1),
        row(Post, "/api/partitions/linux2/operations/stop", None, 409, 1),
        row(Post, "/api/partitions/linux2/operations/start?x=1", None, 404, 1),
        // NICs.
        row(Post, "/api/partitions/nope/nics", Some(nic(VSWITCH, "/api/virtual-switches/vswitch-osa-0108")), 404, 1),
        row(Post, "/api/partitions/linux2/nics", None, 400, 3),
        row(Post, "/api/partitions/linux2/nics", Some(json!({VSWITCH: "/api/virtual-switches/vswitch-osa-0108"})), 400, 5),
        row(Post, "/api/partitions/linux2/nics", Some(json!({"name": "NEWNIC"})), 400, 5),
        row(Post, "/api/partitions/linux2/nics", Some(nic(PORT, "/api/adapters/osa-0108/storage-ports/0")), 404, 6),
        row(Post, "/api/partitions/linux2/nics", Some(nic(PORT, "/api/adapters/osa-0108")), 404, 6),
        row(Post, "/api/partitions/linux2/nics", Some(nic(PORT, "/api/adapters/nope/network-ports/0")), 404, 2),
        row(Post, "/api/partitions/linux2/nics", Some(nic(PORT, "/api/adapters/osa-0108/network-ports/9")), 404, 6),
        row(Post, "/api/partitions/linux2/nics", Some(nic(VSWITCH, "/api/virtual-switches/nope")), 404, 2),
        row(Post, "/api/partitions/linux2/nics", Some(nic(VSWITCH, "/api/adapters/osa-0108")), 404, 2),
        row(Post, "/api/partitions/linux1/nics", Some(json!({"name": "NIC1", VSWITCH: "/api/virtual-switches/vswitch-osa-0108"})), 400, 8),
        // The mock's own check (the virtual switch) comes before our unique names.
        row(Post, "/api/partitions/linux1/nics", Some(json!({"name": "NIC1", VSWITCH: "/api/virtual-switches/nope"})), 404, 2),
        row(Get, "/api/partitions/linux1/nics/nope", None, 404, 1),
        row(Get, "/api/partitions/linux1/nics/nic1?properties=name", None, 400, 1),
        row(Post, "/api/partitions/linux1/nics/nic1", Some(json!({"type": "osd"})), 400, 6),
        row(Post, "/api/partitions/linux1/nics/nic1", Some(json!({"name": "X", "element-uri": "/x"})), 400, 6),
        row(Post, "/api/partitions/linux1/nics/nope", Some(json!({"name": "X"})), 404, 1),
        row(Delete, "/api/partitions/linux1/nics/nope", None, 404, 1),
        // Jobs.
        row(Get, "/api/jobs/nope", None, 404, 1),
        row(Delete, "/api/jobs/nope", None, 404, 1),
        row(Post, "/api/jobs/nope/operations/cancel", None, 404, 1),
        // Sessions.
        row(Post, "/api/sessions", None, 400, 3),
        row(Post, "/api/sessions", Some(json!({"userid": "ensadmin"})), 400, 5),
        row(Post, "/api/sessions", Some(json!({"password": "password"})), 400, 5),
        row(Post, "/api/sessions", Some(json!({"userid": "ensadmin", "password": "wrong"})), 403, 0),
        row(Post, "/api/sessions", Some(json!({"userid": "nobody", "password": "password"})), 403, 0),
        row(Get, "/api/console", None, 403, 4).with_auth(Auth::Without),
        row(Get, "/api/partitions/nope", None, 403, 4).with_auth(Auth::Without),
        row(Delete, "/api/sessions/this-session", None, 403, 4).with_auth(Auth::Without),
        row(Get, "/api/cpcs", None, 403, 5).with_auth(Auth::Unknown),
        row(Post, "/api/partitions/linux2/operations/start", None, 403, 5).with_auth(Auth::Unknown),
    ]
}

#[test]
fn every_error_case_answers_its_status_and_reason_with_an_hmc_error_body() {
    both_raw(|c, s| {
        error_table::run(
            c,
            s,
            &table(),
            &["/api/cpcs/dpm1/partitions?additional-properties=nic-uris"],
        );
    });
}

#[test]
fn unknown_uri_is_404_reason_1_naming_the_uri_with_its_query() {
    both_raw(|c, s| {
        // Act
        let r = get(c, s, "/api/no-such-thing?a=b");

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
        let r = get(c, s, "/api/version?x=1");

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
        let r = delete(c, s, "/api/cpcs?name=DPM1");

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
        let r = get(c, s, "/api/console?properties=no-such-property");

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
        let r = get(c, s, "/api/console?foo=1");

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
        assert_eq!(
            props(c, s, "/api/partitions/linux2")["description"],
            "A stopped Linux partition",
            "{}",
            c.transport()
        );
    });
}

#[test]
fn methods_the_hmc_does_not_use_are_404_reason_1_json_over_https() {
    // Arrange
    let served = Server::fresh();
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
