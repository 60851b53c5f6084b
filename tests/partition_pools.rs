//! The CPC-wide pools of partitions: partition ids (two hex digits, unique
//! per CPC, moved by an update) and the suffixes of generated short names
//! (held by the partition, freed when it is deleted).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use serde_json::{Value, json};
use support::helpers::{create, delete, post, props, update};
use support::{Client, both};

const PARTITIONS: &str = "/api/cpcs/dpm1/partitions";

fn partition(name: &str) -> Value {
    json!({"name": name, "initial-memory": 1024, "maximum-memory": 1024, "ifl-processors": 1})
}

fn with_id(name: &str, id: &str) -> Value {
    let mut body = partition(name);
    body["autogenerate-partition-id"] = json!(false);
    body["partition-id"] = json!(id);
    body
}

fn short_name(c: &dyn Client, s: &str, uri: &str) -> String {
    props(c, s, uri)["short-name"].as_str().unwrap().to_string()
}

#[test]
fn a_supplied_partition_id_in_use_in_the_cpc_is_400_reason_8() {
    both(|c, s| {
        // Arrange: LINUX1 has partition id 01.
        let t = c.transport();

        // Act
        let clash = post(c, s, PARTITIONS, with_id("P1", "01"));
        let free = post(c, s, PARTITIONS, with_id("P2", "0A"));
        let again = post(c, s, PARTITIONS, with_id("P3", "0A"));

        // Assert
        assert_eq!(clash.code(), (400, 8), "{t}: {:?}", clash.body);
        assert_eq!(free.status, 201, "{t}: {:?}", free.body);
        assert_eq!(again.code(), (400, 8), "{t}: {:?}", again.body);
    });
}

#[test]
fn changing_a_partition_id_frees_the_old_one_and_rejects_a_taken_one() {
    both(|c, s| {
        // Arrange: LINUX1 has 01, LINUX2 02.
        let t = c.transport();
        let linux1 = "/api/partitions/linux1";

        // Act
        let taken = post(c, s, linux1, json!({"partition-id": "02"}));
        update(c, s, linux1, json!({"partition-id": "0B"}));
        let reused = post(c, s, PARTITIONS, with_id("P1", "01"));
        let generated = create(c, s, PARTITIONS, partition("P2"));

        // Assert
        assert_eq!(taken.code(), (400, 8), "{t}: {:?}", taken.body);
        assert_eq!(props(c, s, linux1)["partition-id"], "0B", "{t}");
        assert_eq!(reused.status, 201, "{t}: {:?}", reused.body);
        // 00 is free; 01 P1, 02 LINUX2.
        assert_eq!(props(c, s, &generated)["partition-id"], "00", "{t}");
        let moved_back = post(c, s, linux1, json!({"partition-id": "0B"}));
        assert_eq!(moved_back.status, 204, "{t}: {:?}", moved_back.body);
    });
}

#[test]
fn short_names_with_the_same_prefix_differ_and_a_deleted_ones_suffix_is_reused() {
    both(|c, s| {
        // Arrange
        let t = c.transport();
        let a = create(c, s, PARTITIONS, partition("SAME-A"));
        let b = create(c, s, PARTITIONS, partition("SAME-B"));
        let (short_a, short_b) = (short_name(c, s, &a), short_name(c, s, &b));

        // Act
        let r = delete(c, s, &a);
        let again = create(c, s, PARTITIONS, partition("SAME-C"));

        // Assert
        assert!(short_a.starts_with("SAME"), "{t}: {short_a}");
        assert_ne!(short_a, short_b, "{t}");
        assert_eq!(r.status, 204, "{t}: {:?}", r.body);
        assert_eq!(short_name(c, s, &again), short_a, "{t}");
    });
}

#[test]
fn a_given_short_name_is_kept_and_takes_no_suffix() {
    both(|c, s| {
        // Arrange
        let t = c.transport();
        let mut body = partition("GIVEN");
        body["short-name"] = json!("MINE");

        // Act
        let given = create(c, s, PARTITIONS, body);
        let generated = create(c, s, PARTITIONS, partition("GEN"));

        // Assert
        assert_eq!(short_name(c, s, &given), "MINE", "{t}");
        assert_eq!(short_name(c, s, &generated), "GEN_0000", "{t}");
    });
}
