//! Get Partitions for a Storage Group (zhmcclient's
//! `StorageGroup.list_attached_partitions`): the partitions attached with
//! Attach Storage Group, filtered by name and status.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use mock_hmc::Method;
use serde_json::{Value, json};
use support::helpers::get;
use support::{RawClient, Reply, both, both_raw};

const SG: &str = "/api/storage-groups/sg-fcp1";

fn names(r: &Reply) -> Vec<String> {
    r.body["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn attached_partitions_are_listed_with_uri_name_and_status() {
    both(|c, s| {
        // Arrange: SG-FCP1 is attached to LINUX1; attach LINUX2 too.
        let t = c.transport();
        let attach = c.send(
            Method::Post,
            "/api/partitions/linux2/operations/attach-storage-group",
            Some(s),
            Some(&json!({"storage-group-uri": SG})),
        );
        assert_eq!(attach.status, 204, "{t}: {:?}", attach.body);

        // Act
        let all = get(c, s, &format!("{SG}/operations/get-partitions"));
        let stopped = get(
            c,
            s,
            &format!("{SG}/operations/get-partitions?status=stopped"),
        );
        let by_name = get(c, s, &format!("{SG}/operations/get-partitions?name=LINUX1"));

        // Assert
        assert_eq!(all.status, 200, "{t}: {:?}", all.body);
        assert_eq!(
            all.body["partitions"][0],
            json!({"object-uri": "/api/partitions/linux1", "name": "LINUX1", "status": "active"}),
            "{t}"
        );
        assert_eq!(names(&all), ["LINUX1", "LINUX2"], "{t}");
        assert_eq!(names(&stopped), ["LINUX2"], "{t}");
        assert_eq!(names(&by_name), ["LINUX1"], "{t}");
    });
}

#[test]
fn a_detached_or_deleted_partition_is_no_longer_listed() {
    both(|c, s| {
        // Arrange
        let t = c.transport();
        let attach = c.send(
            Method::Post,
            "/api/partitions/linux2/operations/attach-storage-group",
            Some(s),
            Some(&json!({"storage-group-uri": SG})),
        );
        assert_eq!(attach.status, 204, "{t}: {:?}", attach.body);
        let detach = c.send(
            Method::Post,
            "/api/partitions/linux1/operations/detach-storage-group",
            Some(s),
            Some(&json!({"storage-group-uri": SG})),
        );
        assert_eq!(detach.status, 204, "{t}: {:?}", detach.body);

        // Act
        let after_detach = get(c, s, &format!("{SG}/operations/get-partitions"));
        let delete = c.send(Method::Delete, "/api/partitions/linux2", Some(s), None);
        let after_delete = get(c, s, &format!("{SG}/operations/get-partitions"));

        // Assert
        assert_eq!(names(&after_detach), ["LINUX2"], "{t}");
        assert_eq!(delete.status, 204, "{t}: {:?}", delete.body);
        assert_eq!(after_delete.body, json!({"partitions": []}), "{t}");
        let sg = get(c, s, SG).body;
        assert_eq!(sg["attached-partition-uris"], Value::Array(vec![]), "{t}");
    });
}

#[test]
fn get_partitions_answers_only_partitions_of_the_attached_list() {
    both_raw(|c, s| {
        // Arrange: a group whose list (as a definition file may give it)
        // also names a CPC, which is no partition.
        let t = c.transport();
        set_attached(c, &["/api/partitions/linux1", "/api/cpcs/dpm1"]);

        // Act
        let all = get(c, s, &format!("{SG}/operations/get-partitions"));

        // Assert
        assert_eq!(all.status, 200, "{t}: {:?}", all.body);
        assert_eq!(names(&all), ["LINUX1"], "{t}: {:?}", all.body);
    });
}

/// Sets SG-FCP1's `attached-partition-uris` behind the HMC's back.
fn set_attached(c: &dyn RawClient, uris: &[&str]) {
    let list = serde_json::to_string(uris).unwrap();
    support::db(c.db_path())
        .execute(
            "UPDATE resources SET properties = \
             json_set(properties, '$.\"attached-partition-uris\"', json(?1)) WHERE uri = ?2",
            [list.as_str(), SG],
        )
        .unwrap();
}

#[test]
fn get_partitions_errors() {
    both(|c, s| {
        let t = c.transport();
        for (uri, code) in [
            (
                "/api/storage-groups/nope/operations/get-partitions",
                (404, 1),
            ),
            (
                &format!("{SG}/operations/get-partitions?foo=1") as &str,
                (400, 1),
            ),
            (
                &format!("{SG}/operations/get-partitions?name=%5B") as &str,
                (400, 1),
            ),
        ] {
            // Act
            let r = get(c, s, uri);

            // Assert
            assert_eq!(r.code(), code, "{t} {uri}: {:?}", r.body);
        }
        let post = c.send(
            Method::Post,
            &format!("{SG}/operations/get-partitions"),
            Some(s),
            None,
        );
        assert_eq!(post.code(), (404, 1), "{t}: {:?}", post.body);
    });
}

#[test]
fn deleting_a_partition_removes_the_virtual_storage_and_tape_resources_serving_it() {
    both(|c, s| {
        // Arrange: LINUX1 has VSR1 in SG-FCP1 and VTR1 in TLINK1; stop it.
        let t = c.transport();
        let stop = c.send(
            Method::Post,
            "/api/partitions/linux1/operations/stop",
            Some(s),
            None,
        );
        assert_eq!(stop.status, 202, "{t}: {:?}", stop.body);

        // Act
        let delete = c.send(Method::Delete, "/api/partitions/linux1", Some(s), None);

        // Assert
        assert_eq!(delete.status, 204, "{t}: {:?}", delete.body);
        let vsr = get(c, s, &format!("{SG}/virtual-storage-resources/vsr1"));
        assert_eq!(vsr.status, 404, "{t}: {:?}", vsr.body);
        let vsrs = get(c, s, &format!("{SG}/virtual-storage-resources"));
        assert_eq!(vsrs.body["virtual-storage-resources"], json!([]), "{t}");
        assert_eq!(
            get(c, s, SG).body["virtual-storage-resource-uris"],
            json!([]),
            "{t}"
        );
        let vtr = get(c, s, "/api/tape-links/tlink1/virtual-tape-resources/vtr1");
        assert_eq!(vtr.status, 404, "{t}: {:?}", vtr.body);
        // The volumes and the group itself stay.
        assert_eq!(get(c, s, SG).status, 200, "{t}");
        assert_eq!(
            get(c, s, &format!("{SG}/storage-volumes/boot")).status,
            200,
            "{t}"
        );
    });
}
