//! Capacity groups (spec 4.15): List, Create, Get, Update, Delete and the
//! Add / Remove Partition operations, through the library and over HTTPS.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use mock_hmc::Method;
use serde_json::{Value, json};
use support::error_table::{self, Row, row};
use support::helpers::{create, delete, get, names, post, props, update};
use support::{Client, both, both_raw};

const CGS: &str = "/api/cpcs/dpm1/capacity-groups";
const CG1: &str = "/api/cpcs/dpm1/capacity-groups/cg1";
const ADD: &str = "/api/cpcs/dpm1/capacity-groups/cg1/operations/add-partition";
const REMOVE: &str = "/api/cpcs/dpm1/capacity-groups/cg1/operations/remove-partition";
const LINUX1: &str = "/api/partitions/linux1";
const LINUX2: &str = "/api/partitions/linux2";

/// The `partition-uris` of capacity group `uri`.
fn members(c: &dyn Client, s: &str, uri: &str) -> Value {
    props(c, s, uri)["partition-uris"].clone()
}

/// Adds the partition `partition` to capacity group `cg`; must succeed.
fn add(c: &dyn Client, s: &str, cg: &str, partition: &str) {
    update(
        c,
        s,
        &format!("{cg}/operations/add-partition"),
        json!({"partition-uri": partition}),
    );
}

/// Creates capacity group `name` in dpm1; returns its URI.
fn create_group(c: &dyn Client, s: &str, name: &str) -> String {
    create(c, s, CGS, json!({"name": name}))
}

#[test]
fn list_capacity_groups_answers_element_uri_and_name_and_filters_by_name() {
    both(|c, s| {
        // Act
        let all = get(c, s, CGS);
        let none = get(c, s, &format!("{CGS}?name=CG9"));
        let classic = get(c, s, "/api/cpcs/classic1/capacity-groups");

        // Assert
        let t = c.transport();
        assert_eq!(all.status, 200, "{t}");
        assert_eq!(
            all.body,
            json!({"capacity-groups": [{"element-uri": CG1, "name": "CG1"}]}),
            "{t}"
        );
        assert_eq!(none.body, json!({"capacity-groups": []}), "{t}");
        assert_eq!(classic.body, json!({"capacity-groups": []}), "{t}");
    });
}

#[test]
fn create_capacity_group_sets_defaults_and_is_listed() {
    both(|c, s| {
        // Act
        let r = post(
            c,
            s,
            CGS,
            json!({"name": "CG2", "description": "second", "absolute-ifl-capping": {"type": "none"}}),
        );

        // Assert
        let t = c.transport();
        assert_eq!(r.status, 201, "{t}: {:?}", r.body);
        let uri = r.body["element-uri"].as_str().unwrap();
        assert!(uri.starts_with(&format!("{CGS}/")), "{t}: {uri}");
        assert_eq!(r.location.as_deref(), Some(uri), "{t}");
        let cg = props(c, s, uri);
        assert_eq!(cg["name"], "CG2", "{t}");
        assert_eq!(cg["description"], "second", "{t}");
        assert_eq!(cg["capping-enabled"], true, "{t}");
        assert_eq!(cg["partition-uris"], json!([]), "{t}");
        assert_eq!(cg["absolute-ifl-capping"], json!({"type": "none"}), "{t}");
        assert_eq!(cg["class"], "capacity-group", "{t}");
        assert_eq!(cg["parent"], "/api/cpcs/dpm1", "{t}");
        assert_eq!(cg["element-uri"], uri, "{t}");
        let names = names(&props(c, s, CGS)["capacity-groups"]);
        assert_eq!(names, ["CG1", "CG2"], "{t}");
    });
}

#[test]
fn create_keeps_a_given_capping_flag() {
    both(|c, s| {
        // Act
        let uri = create(c, s, CGS, json!({"name": "CG2", "capping-enabled": false}));

        // Assert
        let cg = props(c, s, &uri);
        assert_eq!(cg["capping-enabled"], false, "{}", c.transport());
    });
}

#[test]
fn get_capacity_group_answers_all_properties() {
    both(|c, s| {
        // Act
        let r = get(c, s, CG1);

        // Assert
        let t = c.transport();
        assert_eq!(r.status, 200, "{t}");
        assert_eq!(r.body["element-id"], "cg1", "{t}");
        assert_eq!(r.body["name"], "CG1", "{t}");
        assert_eq!(
            r.body["absolute-ifl-capping"],
            json!({"type": "processors", "value": 4.0}),
            "{t}"
        );
    });
}

#[test]
fn update_capacity_group_merges_the_body() {
    both(|c, s| {
        // Act
        let r = post(
            c,
            s,
            CG1,
            json!({"name": "CG-ONE", "description": "renamed", "capping-enabled": false}),
        );

        // Assert
        let t = c.transport();
        assert_eq!(r.status, 204, "{t}: {:?}", r.body);
        let cg = props(c, s, CG1);
        assert_eq!(cg["name"], "CG-ONE", "{t}");
        assert_eq!(cg["description"], "renamed", "{t}");
        assert_eq!(cg["capping-enabled"], false, "{t}");
        assert_eq!(cg["partition-uris"], json!([]), "{t}");
    });
}

#[test]
fn update_may_keep_the_groups_own_name() {
    both(|c, s| {
        // Act
        let r = post(c, s, CG1, json!({"name": "CG1"}));

        // Assert
        assert_eq!(r.status, 204, "{}: {:?}", c.transport(), r.body);
    });
}

#[test]
fn delete_empty_capacity_group_removes_it() {
    both(|c, s| {
        // Act
        let r = delete(c, s, CG1);

        // Assert
        let t = c.transport();
        assert_eq!(r.status, 204, "{t}: {:?}", r.body);
        assert_eq!(get(c, s, CG1).code(), (404, 1), "{t}");
        assert_eq!(props(c, s, CGS), json!({"capacity-groups": []}), "{t}");
    });
}

#[test]
fn delete_non_empty_capacity_group_is_409_110_naming_the_members_like_python() {
    both(|c, s| {
        // Arrange
        add(c, s, CG1, LINUX1);
        add(c, s, CG1, LINUX2);

        // Act
        let r = delete(c, s, CG1);

        // Assert
        let t = c.transport();
        assert_eq!(r.code(), (409, 110), "{t}: {:?}", r.body);
        assert_eq!(
            r.body["message"],
            "Capacity group 'CG1' is not empty and contains partitions with URIs \
             ['/api/partitions/linux1', '/api/partitions/linux2']",
            "{t}"
        );
        assert_eq!(get(c, s, CG1).status, 200, "{t}");
    });
}

#[test]
fn add_partition_appends_its_uri_in_order() {
    both(|c, s| {
        // Act
        let first = post(c, s, ADD, json!({"partition-uri": LINUX2}));
        let second = post(c, s, ADD, json!({"partition-uri": LINUX1}));

        // Assert
        let t = c.transport();
        assert_eq!(first.status, 204, "{t}: {:?}", first.body);
        assert_eq!(second.status, 204, "{t}: {:?}", second.body);
        assert_eq!(members(c, s, CG1), json!([LINUX2, LINUX1]), "{t}");
    });
}

#[test]
fn remove_partition_takes_its_uri_out() {
    both(|c, s| {
        // Arrange
        add(c, s, CG1, LINUX1);
        add(c, s, CG1, LINUX2);

        // Act
        let r = post(c, s, REMOVE, json!({"partition-uri": LINUX1}));

        // Assert
        let t = c.transport();
        assert_eq!(r.status, 204, "{t}: {:?}", r.body);
        assert_eq!(members(c, s, CG1), json!([LINUX2]), "{t}");
    });
}

#[test]
fn a_removed_partition_may_join_another_group() {
    both(|c, s| {
        // Arrange
        let cg2 = create_group(c, s, "CG2");
        add(c, s, CG1, LINUX1);
        update(c, s, REMOVE, json!({"partition-uri": LINUX1}));

        // Act
        add(c, s, &cg2, LINUX1);

        // Assert
        let t = c.transport();
        assert_eq!(members(c, s, &cg2), json!([LINUX1]), "{t}");
        assert_eq!(members(c, s, CG1), json!([]), "{t}");
    });
}

#[test]
fn deleting_a_member_partition_takes_it_out_of_partition_uris() {
    both(|c, s| {
        // Arrange: linux2 is stopped, so it may be deleted.
        add(c, s, CG1, LINUX1);
        add(c, s, CG1, LINUX2);

        // Act
        let r = delete(c, s, LINUX2);

        // Assert
        let t = c.transport();
        assert_eq!(r.status, 204, "{t}: {:?}", r.body);
        assert_eq!(members(c, s, CG1), json!([LINUX1]), "{t}");
    });
}

#[test]
fn a_group_emptied_by_partition_deletion_can_be_deleted() {
    both(|c, s| {
        // Arrange
        add(c, s, CG1, LINUX2);
        let r = delete(c, s, LINUX2);
        assert_eq!(r.status, 204, "{}: {:?}", c.transport(), r.body);

        // Act
        let r = delete(c, s, CG1);

        // Assert
        assert_eq!(r.status, 204, "{}: {:?}", c.transport(), r.body);
    });
}

#[test]
fn create_on_a_cpc_whose_status_forbids_operations_is_409_1() {
    both(|c, s| {
        // Arrange
        update(c, s, "/api/cpcs/dpm1", json!({"status": "not-operating"}));

        // Act
        let r = post(c, s, CGS, json!({"name": "CG2"}));

        // Assert
        let t = c.transport();
        assert_eq!(r.code(), (409, 1), "{t}: {:?}", r.body);
        assert_eq!(
            r.body["message"],
            "The operation cannot be performed because the targeted CPC DPM1 has a status \
             that is not valid for the operation: not-operating",
            "{t}"
        );
        assert_eq!(
            props(c, s, CGS)["capacity-groups"]
                .as_array()
                .unwrap()
                .len(),
            1,
            "{t}"
        );
    });
}

#[test]
fn missing_group_is_404_150_and_missing_cpc_404_1_both_naming_the_request_uri() {
    both(|c, s| {
        for (uri, reason) in [
            (
                "/api/cpcs/dpm1/capacity-groups/nope/operations/add-partition",
                150,
            ),
            (
                "/api/cpcs/dpm1/capacity-groups/nope/operations/remove-partition",
                150,
            ),
            (
                "/api/cpcs/nope/capacity-groups/cg1/operations/add-partition",
                1,
            ),
        ] {
            // Act
            let r = post(c, s, uri, json!({"partition-uri": LINUX1}));

            // Assert
            let what = format!("{} {uri}", c.transport());
            assert_eq!(r.code(), (404, reason), "{what}: {:?}", r.body);
            assert_eq!(
                r.body["message"],
                format!("Unknown resource with URI: {uri}"),
                "{what}"
            );
            assert_eq!(r.body["request-uri"], uri, "{what}");
        }
    });
}

#[test]
fn membership_conflicts_name_partition_and_group() {
    both(|c, s| {
        // Arrange
        let cg2 = create_group(c, s, "CG2");
        add(c, s, CG1, LINUX1);

        // Act
        let again = post(c, s, ADD, json!({"partition-uri": LINUX1}));
        let other = post(
            c,
            s,
            &format!("{cg2}/operations/add-partition"),
            json!({"partition-uri": LINUX1}),
        );
        let absent = post(c, s, REMOVE, json!({"partition-uri": LINUX2}));

        // Assert
        let t = c.transport();
        assert_eq!(
            (again.code(), again.body["message"].clone()),
            (
                (409, 130),
                json!("Partition LINUX1 is already a member of this capacity group CG1")
            ),
            "{t}"
        );
        assert_eq!(
            (other.code(), other.body["message"].clone()),
            (
                (409, 120),
                json!("Partition LINUX1 is already a member of another capacity group CG1")
            ),
            "{t}"
        );
        assert_eq!(
            (absent.code(), absent.body["message"].clone()),
            (
                (409, 140),
                json!("Partition LINUX2 is not a member of capacity group CG1")
            ),
            "{t}"
        );
    });
}

/// Every error path, on the default HMC after `arrange` (linux2 in CG1, an
/// empty CG2, a partition DED with dedicated processors).
#[rustfmt::skip]
fn table() -> Vec<Row> {
    use Method::{Delete, Get, Post};
    let p = |uri: &str| Some(json!({"partition-uri": uri}));
    vec![
        // List.
        row(Get, "/api/cpcs/nope/capacity-groups", None, 404, 1),
        row(Get, "/api/cpcs/dpm1/capacity-groups?foo=1", None, 400, 1),
        row(Get, "/api/cpcs/dpm1/capacity-groups?name=%5B", None, 400, 1),
        // Create: the body is checked before the CPC.
        row(Post, CGS, None, 400, 3),
        row(Post, CGS, Some(json!({"description": "x"})), 400, 5),
        row(Post, "/api/cpcs/nope/capacity-groups", Some(json!({"description": "x"})), 400, 5),
        row(Post, "/api/cpcs/classic1/capacity-groups", None, 400, 3),
        row(Post, "/api/cpcs/nope/capacity-groups", Some(json!({"name": "X"})), 404, 1),
        row(Post, "/api/cpcs/classic1/capacity-groups", Some(json!({"name": "X"})), 409, 5),
        row(Post, CGS, Some(json!({"name": "CG1"})), 400, 8),
        // Get, Update, Delete.
        row(Get, "/api/cpcs/dpm1/capacity-groups/nope", None, 404, 1),
        row(Get, "/api/cpcs/nope/capacity-groups/cg1", None, 404, 1),
        row(Get, "/api/cpcs/dpm1/capacity-groups/cg1?properties=name", None, 400, 1),
        row(Post, "/api/cpcs/dpm1/capacity-groups/nope", Some(json!({"description": "x"})), 404, 1),
        row(Post, CG1, None, 400, 3),
        row(Post, CG1, Some(json!({"name": "CG2"})), 400, 8),
        row(Delete, "/api/cpcs/dpm1/capacity-groups/nope", None, 404, 1),
        row(Delete, CG1, None, 409, 110),
        // Add Partition.
        row(Post, "/api/cpcs/nope/capacity-groups/cg1/operations/add-partition", p(LINUX1), 404, 1),
        row(Post, "/api/cpcs/dpm1/capacity-groups/nope/operations/add-partition", p(LINUX1), 404, 150),
        row(Post, ADD, None, 400, 3),
        row(Post, ADD, Some(json!({"partition": LINUX1})), 400, 5),
        row(Post, ADD, p("/api/partitions/nope"), 404, 2),
        row(Post, ADD, p("/api/cpcs/dpm1"), 404, 2),
        row(Post, ADD, p("/api/partitions/ded"), 409, 170),
        row(Post, ADD, p(LINUX2), 409, 130),
        row(Post, "/api/cpcs/dpm1/capacity-groups/cg2/operations/add-partition", p(LINUX2), 409, 120),
        row(Post, "/api/cpcs/dpm1/capacity-groups/cg1/operations/add-partition?x=1", p(LINUX1), 404, 1),
        row(Get, ADD, None, 404, 1),
        // Remove Partition.
        row(Post, "/api/cpcs/nope/capacity-groups/cg1/operations/remove-partition", p(LINUX2), 404, 1),
        row(Post, "/api/cpcs/dpm1/capacity-groups/nope/operations/remove-partition", p(LINUX2), 404, 150),
        row(Post, REMOVE, None, 400, 3),
        row(Post, REMOVE, Some(json!({})), 400, 5),
        row(Post, REMOVE, p("/api/partitions/nope"), 404, 1),
        row(Post, REMOVE, p(LINUX1), 409, 140),
    ]
}

/// linux2 in CG1, an empty CG2 (id cg2), and a partition `ded` with
/// dedicated processors.
fn arrange(c: &dyn Client, s: &str) {
    add(c, s, CG1, LINUX2);
    create(c, s, CGS, json!({"name": "CG2", "element-id": "cg2"}));
    create(
        c,
        s,
        "/api/cpcs/dpm1/partitions",
        json!({"name": "DED", "object-id": "ded", "initial-memory": 1024,
               "maximum-memory": 1024, "ifl-processors": 1, "processor-mode": "dedicated"}),
    );
}

#[test]
fn every_error_path_answers_its_status_and_reason_and_changes_nothing() {
    both_raw(|c, s| {
        arrange(c, s);
        error_table::run(c, s, &table(), &[CG1, CGS]);
    });
}
