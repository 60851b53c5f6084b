//! Virtual switches (spec 4.11): List, Get, Update and Get Connected VNICs
//! (GET as zhmcclient sends it, POST as the HMC mock serves it), through the
//! library and over HTTPS.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use mock_hmc::Method;
use serde_json::{Value, json};
use support::error_table::{self, row};
use support::helpers::{create, delete, get, post, post_empty, props, update};
use support::{Client, both, both_raw};

const VS: &str = "/api/virtual-switches/vswitch-osa-0108";
const VNICS: &str = "/api/virtual-switches/vswitch-osa-0108/operations/get-connected-vnics";
const LINUX1_NIC1: &str = "/api/partitions/linux1/nics/nic1";

/// The answer of Get Connected VNICs with `method`; must succeed.
fn connected(c: &dyn Client, s: &str, method: Method) -> Value {
    let r = c.send(method, VNICS, Some(s), None);
    assert_eq!(r.status, 200, "{} {method}: {:?}", c.transport(), r.body);
    r.body
}

/// Creates a NIC on linux2 backed by the vswitch; returns its URI.
fn create_nic(c: &dyn Client, s: &str, name: &str) -> String {
    create(
        c,
        s,
        "/api/partitions/linux2/nics",
        json!({"name": name, "virtual-switch-uri": VS}),
    )
}

#[test]
fn list_virtual_switches_answers_dpm_switches_and_nothing_for_classic() {
    both(|c, s| {
        // Act
        let dpm = get(c, s, "/api/cpcs/dpm1/virtual-switches?type=osd");
        let classic = get(c, s, "/api/cpcs/classic1/virtual-switches");

        // Assert
        let t = c.transport();
        assert_eq!(
            dpm.body,
            json!({"virtual-switches": [
                {"object-uri": VS, "name": "VSWITCH OSA 0108", "type": "osd"},
                {"object-uri": "/api/virtual-switches/vswitch-osa-0109", "name": "VSWITCH OSA 0109", "type": "osd"},
            ]}),
            "{t}"
        );
        assert_eq!(classic.body, json!({"virtual-switches": []}), "{t}");
    });
}

#[test]
fn get_virtual_switch_answers_its_properties_with_connected_nics() {
    both(|c, s| {
        // Act
        let r = get(c, s, VS);

        // Assert
        let t = c.transport();
        assert_eq!(r.status, 200, "{t}: {:?}", r.body);
        assert_eq!(r.body["name"], "VSWITCH OSA 0108", "{t}");
        assert_eq!(r.body["class"], "virtual-switch", "{t}");
        assert_eq!(r.body["parent"], "/api/cpcs/dpm1", "{t}");
        assert_eq!(
            r.body["backing-adapter-uri"], "/api/adapters/osa-0108",
            "{t}"
        );
        assert_eq!(r.body["connected-vnic-uris"], json!([LINUX1_NIC1]), "{t}");
    });
}

#[test]
fn update_virtual_switch_merges_the_body() {
    both(|c, s| {
        // Act
        let r = post(
            c,
            s,
            VS,
            json!({"description": "uplink", "name": "VS 0108"}),
        );

        // Assert
        let t = c.transport();
        assert_eq!(r.status, 204, "{t}: {:?}", r.body);
        let vs = props(c, s, VS);
        assert_eq!(vs["description"], "uplink", "{t}");
        assert_eq!(vs["name"], "VS 0108", "{t}");
        assert_eq!(vs["connected-vnic-uris"], json!([LINUX1_NIC1]), "{t}");
    });
}

#[test]
fn get_connected_vnics_answers_get_and_post_alike() {
    both(|c, s| {
        // Act
        let by_get = connected(c, s, Method::Get);
        let by_post = connected(c, s, Method::Post);

        // Assert
        let t = c.transport();
        assert_eq!(by_get, json!({"connected-vnic-uris": [LINUX1_NIC1]}), "{t}");
        assert_eq!(by_get, by_post, "{t}");
    });
}

#[test]
fn a_new_nic_on_the_switch_is_connected() {
    both(|c, s| {
        // Act
        let nic = create_nic(c, s, "NIC2");

        // Assert
        assert_eq!(
            connected(c, s, Method::Get),
            json!({"connected-vnic-uris": [LINUX1_NIC1, nic]}),
            "{}",
            c.transport()
        );
    });
}

#[test]
fn a_deleted_nic_is_no_longer_connected() {
    both(|c, s| {
        // Arrange
        let nic = create_nic(c, s, "NIC2");

        // Act
        let r = delete(c, s, &nic);

        // Assert
        let t = c.transport();
        assert_eq!(r.status, 204, "{t}: {:?}", r.body);
        assert_eq!(
            connected(c, s, Method::Get),
            json!({"connected-vnic-uris": [LINUX1_NIC1]}),
            "{t}"
        );
        assert_eq!(
            props(c, s, VS)["connected-vnic-uris"],
            json!([LINUX1_NIC1]),
            "{t}"
        );
    });
}

#[test]
fn the_nics_of_a_deleted_partition_are_no_longer_connected() {
    both(|c, s| {
        // Arrange: linux1 holds nic1 and must be stopped to be deleted.
        let r = post_empty(c, s, "/api/partitions/linux1/operations/stop");
        assert_eq!(r.status, 202, "{}: {:?}", c.transport(), r.body);

        // Act
        let r = delete(c, s, "/api/partitions/linux1");

        // Assert
        let t = c.transport();
        assert_eq!(r.status, 204, "{t}: {:?}", r.body);
        assert_eq!(
            connected(c, s, Method::Post),
            json!({"connected-vnic-uris": []}),
            "{t}"
        );
    });
}

#[test]
fn uris_of_nics_that_do_not_exist_are_left_out() {
    both(|c, s| {
        // Arrange: a stored list naming a NIC that never existed.
        let r = post(
            c,
            s,
            VS,
            json!({"connected-vnic-uris": ["/api/partitions/linux1/nics/gone", LINUX1_NIC1]}),
        );
        assert_eq!(r.status, 204, "{}: {:?}", c.transport(), r.body);

        // Act
        let answer = connected(c, s, Method::Get);

        // Assert
        assert_eq!(
            answer,
            json!({"connected-vnic-uris": [LINUX1_NIC1]}),
            "{}",
            c.transport()
        );
    });
}

#[test]
fn get_connected_vnics_on_a_classic_cpc_is_409_5() {
    both(|c, s| {
        // Arrange: the switch's CPC leaves DPM mode.
        update(c, s, "/api/cpcs/dpm1", json!({"dpm-enabled": false}));

        for method in [Method::Get, Method::Post] {
            // Act
            let r = c.send(method, VNICS, Some(s), None);

            // Assert
            let what = format!("{} {method}", c.transport());
            assert_eq!(r.code(), (409, 5), "{what}: {:?}", r.body);
            assert_eq!(
                r.body["message"], "CPC is not in DPM mode: /api/cpcs/dpm1",
                "{what}"
            );
        }
    });
}

#[test]
fn every_error_path_answers_its_status_and_reason_and_changes_nothing() {
    #[rustfmt::skip]
    let rows = vec![
        row(Method::Get, "/api/cpcs/nope/virtual-switches", None, 404, 1),
        row(Method::Get, "/api/cpcs/dpm1/virtual-switches?foo=1", None, 400, 1),
        row(Method::Get, "/api/virtual-switches/nope", None, 404, 1),
        row(Method::Get, "/api/virtual-switches/vswitch-osa-0108?properties=name", None, 400, 1),
        row(Method::Post, "/api/virtual-switches/nope", Some(json!({"description": "x"})), 404, 1),
        row(Method::Post, VS, None, 400, 3),
        row(Method::Delete, VS, None, 404, 1),
        row(Method::Get, "/api/virtual-switches/nope/operations/get-connected-vnics", None, 404, 1),
        row(Method::Post, "/api/virtual-switches/nope/operations/get-connected-vnics", None, 404, 1),
        row(Method::Get, "/api/virtual-switches/vswitch-osa-0108/operations/get-connected-vnics?x=1", None, 404, 1),
        row(Method::Delete, VNICS, None, 404, 1),
    ];
    both_raw(|c, s| error_table::run(c, s, &rows, &[VS]));
}
