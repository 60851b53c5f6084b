//! Get Inventory (spec 4.7 #57): every category and class, element
//! resources after their parents, write-only properties left out.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use mock_hmc::Method;
use serde_json::{Value, json};
use support::error_table::{self, raw_row, row};
use support::helpers::post;
use support::{Client, both, both_raw};

const INVENTORY: &str = "/api/services/inventory";

fn inventory(c: &dyn Client, s: &str, body: Option<Value>) -> Vec<Value> {
    let r = c.send(Method::Post, INVENTORY, Some(s), body.as_ref());
    assert_eq!(r.status, 200, "{}: {:?}", c.transport(), r.body);
    r.body.as_array().unwrap().clone()
}

fn classes(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["class"].as_str().unwrap().to_string())
        .collect()
}

fn uri(i: &Value) -> &str {
    i.get("object-uri")
        .or_else(|| i.get("element-uri"))
        .and_then(Value::as_str)
        .unwrap()
}

#[test]
fn the_default_request_inventories_everything_once() {
    both(|c, s| {
        // Act
        let all = inventory(c, s, None);
        let empty_body = inventory(c, s, Some(json!({})));

        // Assert
        let t = c.transport();
        assert_eq!(all, empty_body, "{t}");
        let found = classes(&all);
        for class in [
            "adapter",
            "network-port",
            "storage-port",
            "partition",
            "nic",
            "hba",
            "virtual-function",
            "virtual-switch",
            "storage-group",
            "storage-volume",
            "virtual-storage-resource",
            "storage-template",
            "storage-template-volume",
            "tape-link",
            "virtual-tape-resource",
            "tape-library",
            "cpc",
            "logical-partition",
            "console",
            "user",
            "user-role",
        ] {
            assert!(
                found.iter().any(|c| c == class),
                "{t}: no {class} in {found:?}"
            );
        }
        let mut uris: Vec<&str> = all.iter().map(uri).collect();
        let n = uris.len();
        uris.sort_unstable();
        uris.dedup();
        assert_eq!(uris.len(), n, "{t}: a resource appears twice");
        assert!(all.iter().all(|i| i.get("password").is_none()), "{t}");
    });
}

#[test]
fn elements_follow_their_parents_whatever_the_adapter_family() {
    both(|c, s| {
        // Act
        let items = inventory(c, s, Some(json!({"resources": ["adapter", "partition"]})));

        // Assert
        let t = c.transport();
        let found = classes(&items);
        let at = |u: &str| items.iter().position(|i| uri(i) == u).unwrap();
        assert!(
            at("/api/adapters/osa-0108/network-ports/0") == at("/api/adapters/osa-0108") + 1,
            "{t}"
        );
        assert!(
            at("/api/adapters/fcp-0118/storage-ports/0") == at("/api/adapters/fcp-0118") + 1,
            "{t}"
        );
        assert!(found.iter().any(|c| c == "adapter"), "{t}");
        // Crypto and accelerator adapters have no ports; they are listed alone.
        let crypto = at("/api/adapters/crypto-0120");
        assert_eq!(items[crypto + 1]["class"], "adapter", "{t}");
        let linux1 = at("/api/partitions/linux1");
        assert_eq!(
            classes(&items[linux1..linux1 + 4]),
            ["partition", "nic", "hba", "virtual-function"],
            "{t}"
        );
        assert!(!found.iter().any(|c| c == "cpc"), "{t}");
    });
}

#[test]
fn console_and_certificate_categories_answer_what_exists() {
    both(|c, s| {
        // Act
        let console = inventory(c, s, Some(json!({"resources": ["console-resources"]})));
        let certificates = inventory(c, s, Some(json!({"resources": ["certificate-resources"]})));
        let links = inventory(
            c,
            s,
            Some(json!({"resources": ["partition-link", "storage-site"]})),
        );

        // Assert
        let t = c.transport();
        assert_eq!(console[0]["object-uri"], "/api/console", "{t}");
        assert_eq!(console[0]["name"], "MOCKHMC1", "{t}");
        let found = classes(&console);
        assert!(
            found
                .iter()
                .all(|c| ["console", "user", "user-role", "group"].contains(&c.as_str())),
            "{t}: {found:?}"
        );
        assert_eq!(certificates, Vec::<Value>::new(), "{t}");
        assert_eq!(links, Vec::<Value>::new(), "{t}");
    });
}

#[test]
fn created_custom_groups_are_inventoried() {
    both(|c, s| {
        // Arrange
        let g = post(c, s, "/api/groups", json!({"name": "G1"}));
        assert_eq!(g.status, 201, "{:?}", g.body);

        // Act
        let items = inventory(c, s, Some(json!({"resources": ["custom-group"]})));

        // Assert
        assert_eq!(items.len(), 1, "{}", c.transport());
        assert_eq!(items[0]["name"], "G1");
        assert_eq!(items[0]["class"], "group");
    });
}

#[test]
fn inventory_errors() {
    both_raw(|c, s| {
        let rows = [
            row(
                Method::Post,
                INVENTORY,
                Some(json!({"resources": "cpc"})),
                400,
                7,
            ),
            row(
                Method::Post,
                INVENTORY,
                Some(json!({"resources": ["nope"]})),
                400,
                7,
            ),
            row(
                Method::Post,
                INVENTORY,
                Some(json!({"resources": [3]})),
                400,
                7,
            ),
            row(Method::Post, INVENTORY, Some(json!([1])), 400, 7),
            raw_row(Method::Post, INVENTORY, "{", 400, 9),
            row(Method::Get, INVENTORY, None, 404, 1),
            row(Method::Post, &format!("{INVENTORY}?x=1"), None, 404, 1),
        ];
        error_table::run(c, s, &rows, &["/api/console"]);
    });
}
