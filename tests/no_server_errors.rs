//! No client mistake gets a 5xx: every route and method of the route table,
//! with existing and unknown ids, gets bodies that are missing, empty, of
//! the wrong JSON type, or full of wrongly typed fields, and must answer
//! with an HMC status below 500. Runs in-process: a 500 does not depend on
//! the transport, and thousands of requests stay fast.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use mock_hmc::Method;
use mock_hmc::test_support::RouteTable;
use serde_json::{Value, json};
use support::{Client, InProcess};

/// An id of the default HMC for each route parameter, so that requests get
/// past the lookups into the handlers.
fn existing_id(param: &str) -> &'static str {
    match param {
        "cpc-id" => "dpm1",
        "adapter-id" => "osa-0108",
        "network-port-id" | "storage-port-id" => "0",
        "partition-id" => "linux1",
        "nic-id" => "nic1",
        "hba-id" => "hba1",
        "virtual-function-id" => "vf1",
        "virtual-switch-id" => "vswitch-osa-0108",
        "capacity-group-id" => "cg1",
        "storage-group-id" => "sg-fcp1",
        "storage-volume-id" => "boot",
        "virtual-storage-resource-id" => "vsr1",
        "storage-template-id" => "st-fcp",
        "storage-template-volume-id" => "boot",
        "tape-library-id" => "tl1",
        "tape-link-id" => "tlink1",
        "virtual-tape-resource-id" => "vtr1",
        "logical-partition-id" => "classic1-lpar1",
        "user-id" => "ensoperator",
        "user-role-id" => "hmc-operator-tasks",
        "password-rule-id" => "strict",
        _ => "nope",
    }
}

/// Other ids worth trying: a second adapter kind, a classic CPC, a stopped
/// partition.
fn other_id(param: &str) -> &'static str {
    match param {
        "cpc-id" => "classic1",
        "adapter-id" => "crypto-0120",
        "partition-id" => "linux2",
        "virtual-switch-id" => "hs-0200",
        _ => "nope",
    }
}

/// Fills the route's `{param}`s with `pick(param)`.
fn concrete(pattern: &str, pick: fn(&str) -> &'static str) -> String {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').map_or(rest.len(), |e| start + e);
        out.push_str(pick(&rest[start + 1..end]));
        rest = &rest[(end + 1).min(rest.len())..];
    }
    out.push_str(rest);
    out
}

/// Bodies a careless or hostile client might send.
fn bodies() -> Vec<Option<Value>> {
    let wrong_types = json!({
        "name": 12, "description": [], "type": {}, "status": 3,
        "cpc-uri": 7, "partition-uri": [], "partitions": "x",
        "storage-group-uri": {}, "storage-volumes": [1, "x", null],
        "storage-template-volumes": {"operation": 1},
        "adapter-port-uri": 5, "adapter-port-uris": [1, {}],
        "network-adapter-port-uri": 1, "virtual-switch-uri": [],
        "crypto-adapter-uri": 2, "crypto-adapter-uris": "x",
        "crypto-domain-configurations": [1, "a", null, {"domain-index": "x"}],
        "crypto-domain-indexes": ["a", {}], "domain-index": "x",
        "access-mode": 3, "crypto-type": null, "zeroize": "yes",
        "device-number": 8000, "wwpn": 1, "initial-memory": "big",
        "maximum-memory": [], "ifl-processors": "two", "boot-device": 1,
        "added-connections": [1, {"partition-uri": 3}],
        "removed-connections": "x", "added-partition-uris": [{}],
        "removed-partition-uris": 1, "paths": [null], "force-detach": "x",
        "dump-load-hba-uri": 1, "dump-program-info": 2,
        "activation-profile-name": 1, "force": "no",
        "userid": 1, "password": [], "user-role-uri": 4,
    });
    vec![
        None,
        Some(json!({})),
        Some(json!([1, 2])),
        Some(json!("text")),
        Some(json!(null)),
        Some(wrong_types),
    ]
}

#[test]
fn no_route_answers_a_client_mistake_with_a_server_error() {
    // Arrange
    let lib = InProcess::new();
    let s = lib.logon("ensadmin", "password");
    let table = RouteTable::build();
    let mut requests = Vec::new();
    for route in table.routes() {
        for (method, _) in &route.methods {
            if route.pattern == "/api/sessions/this-session" {
                continue; // logging off would end the test's session
            }
            if route.pattern.ends_with("/operations/restart")
                || route.pattern.ends_with("/operations/shutdown")
            {
                // Taking the console down ends every session and answers
                // 503 until it is back (tests/console_ops.rs).
                continue;
            }
            for pick in [existing_id as fn(&str) -> &'static str, other_id] {
                for body in bodies() {
                    requests.push((*method, concrete(&route.pattern, pick), body));
                }
            }
        }
    }
    // Deleting things early would hide the handlers behind 404s: reads and
    // operations first, deletions last.
    requests.sort_by_key(|(m, u, _)| (*m == Method::Delete, u.ends_with("/operations/delete")));

    // Act
    let failures: Vec<String> = requests
        .iter()
        .filter_map(|(m, uri, body)| {
            let r = lib.send(*m, uri, Some(&s), body.as_ref());
            // 500.263 is the HMC's own answer when an LPAR operation needs
            // `force` (or names a foreign profile): defined, not a crash.
            let defined = r.code() == (500, 263);
            (r.status >= 500 && !defined)
                .then(|| format!("{m} {uri} {body:?} -> {} {:?}", r.status, r.body))
        })
        .collect();

    // Assert
    assert!(requests.len() > 500, "only {} requests", requests.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
