//! Adapters and ports of DPM CPCs, and the CPC operations Start CPC, Stop
//! CPC and Export WWPN List: a success test per URI and method that checks
//! the resulting state, and every error path as table rows, all run
//! in-process and over HTTPS.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use mock_hmc::Method;
use serde_json::{Value, json};
use support::error_table::{self, Row, row};
use support::helpers::{
    completed_job, create, delete, get, keys, names, post, post_empty, props, update,
};
use support::{Client, RawClient, both, both_raw, edit_hmc};

// ---------------------------------------------------------------------------
// Helpers

/// Names of the partitions Get Partitions Assigned to Adapter reports.
fn assigned(c: &dyn Client, s: &str, adapter: &str, query: &str) -> Vec<String> {
    let uri = format!("{adapter}/operations/get-partitions-assigned-to-adapter{query}");
    names(&props(c, s, &uri)["partitions-assigned-to-adapter"])
}

/// The entry with `object-id` `id` in the list `items`.
fn entry<'a>(items: &'a mut Value, id: &str) -> &'a mut Value {
    items
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|e| e["properties"]["object-id"] == id)
        .unwrap()
}

/// Adds to the default HMC: a second DPM CPC with a partition, a
/// HiperSockets adapter on the classic CPC, a partition LINUX3 whose HBA
/// names a port that does not exist, and two virtual functions of LINUX2
/// (on zEDC 0130 first, on another adapter last).
fn extend_default(def: &mut Value) {
    let cpcs = &mut def["cpcs"];
    cpcs.as_array_mut().unwrap().push(json!({
        "properties": {"object-id": "dpm2", "name": "DPM2", "dpm-enabled": true, "se-version": "2.16.0"},
        "partitions": [{"properties": {"object-id": "p2", "name": "P2"}}],
    }));
    entry(cpcs, "classic1")["adapters"] = json!([{
        "properties": {"object-id": "hs-classic", "name": "HS CLASSIC", "type": "hipersockets"},
        "ports": [{"properties": {"element-id": "0", "index": 0}}],
    }]);
    let dpm1 = entry(cpcs, "dpm1");
    let partitions = &mut dpm1["partitions"];
    partitions.as_array_mut().unwrap().push(json!({
        "properties": {"object-id": "linux3", "name": "LINUX3"},
        "hbas": [{"properties": {
            "element-id": "lost",
            "name": "LOST",
            "adapter-port-uri": "/api/adapters/fcp-0118/storage-ports/9",
        }}],
    }));
    entry(partitions, "linux2")["virtual_functions"] = json!([
        {"properties": {"element-id": "vfa", "name": "VFA", "adapter-uri": "/api/adapters/zedc-0130"}},
        {"properties": {"element-id": "vfb", "name": "VFB", "adapter-uri": "/api/adapters/osa-0108"}},
    ]);
}

// ---------------------------------------------------------------------------
// CPC operations

#[test]
fn stop_and_start_cpc_answer_completed_jobs_and_set_the_status() {
    both(|c, s| {
        // Act
        let stopped = post(c, s, "/api/cpcs/dpm1/operations/stop", json!({}));
        let status_after_stop = props(c, s, "/api/cpcs/dpm1")["status"].clone();
        let started = post_empty(c, s, "/api/cpcs/dpm1/operations/start");

        // Assert
        let t = c.transport();
        for job in [&stopped, &started] {
            let status = completed_job(c, s, job);
            assert_eq!(status["job-results"], json!({}), "{t}");
        }
        assert_eq!(status_after_stop, "not-operating", "{t}");
        assert_eq!(props(c, s, "/api/cpcs/dpm1")["status"], "active", "{t}");
    });
}

#[test]
fn export_wwpn_list_has_one_line_per_hba_of_the_named_partitions() {
    both(|c, s| {
        // Arrange
        let hba = props(c, s, "/api/partitions/linux1/hbas/hba1");
        let expected = format!(
            "LINUX1,118,{},{}",
            hba["device-number"].as_str().unwrap(),
            hba["wwpn"].as_str().unwrap()
        );

        // Act
        let r = post(
            c,
            s,
            "/api/cpcs/dpm1/operations/export-port-names-list",
            json!({"partitions": ["/api/partitions/linux2", "/api/partitions/linux1"]}),
        );

        // Assert
        assert_eq!(r.status, 200, "{}: {:?}", c.transport(), r.body);
        assert_eq!(
            r.body,
            json!({"wwpn-list": [expected]}),
            "{}",
            c.transport()
        );
    });
}

// ---------------------------------------------------------------------------
// Create Hipersocket, Get / Update / Delete adapter

#[test]
fn create_hipersocket_adds_the_adapter_its_port_and_its_virtual_switch() {
    both(|c, s| {
        // Act
        let r = post(
            c,
            s,
            "/api/cpcs/dpm1/adapters",
            json!({"name": "HS NEW", "port-description": "the port", "maximum-transmission-unit-size": 16}),
        );

        // Assert
        let t = c.transport();
        assert_eq!(r.status, 201, "{t}: {:?}", r.body);
        assert_eq!(keys(&r.body), ["object-uri"], "{t}");
        let uri = r.body["object-uri"].as_str().unwrap();
        let adapter = props(c, s, uri);
        for (k, v) in [
            ("name", json!("HS NEW")),
            ("class", json!("adapter")),
            ("parent", json!("/api/cpcs/dpm1")),
            ("type", json!("hipersockets")),
            ("adapter-family", json!("hipersockets")),
            ("adapter-id", Value::Null),
            ("status", json!("active")),
            ("description", json!("")),
            ("maximum-transmission-unit-size", json!(16)),
            ("port-count", json!(1)),
            ("configured-capacity", json!(42)),
        ] {
            assert_eq!(adapter[k], v, "{t}: {k}");
        }
        let port_uri = format!("{uri}/network-ports/0");
        assert_eq!(adapter["network-port-uris"], json!([port_uri]), "{t}");
        let port = props(c, s, &port_uri);
        assert_eq!(port["name"], "Port 0", "{t}");
        assert_eq!(port["index"], 0, "{t}");
        assert_eq!(port["description"], "the port", "{t}");
        assert_eq!(port["class"], "network-port", "{t}");
        let vswitches = props(
            c,
            s,
            "/api/cpcs/dpm1/virtual-switches?name=HS%20NEW&additional-properties=backing-adapter-uri,port,description",
        )["virtual-switches"]
            .clone();
        assert_eq!(vswitches.as_array().unwrap().len(), 1, "{t}: {vswitches:?}");
        assert_eq!(vswitches[0]["backing-adapter-uri"], uri, "{t}");
        assert_eq!(vswitches[0]["type"], "hipersockets", "{t}");
        assert_eq!(vswitches[0]["port"], 0, "{t}");
        assert_eq!(vswitches[0]["description"], "vswitch for HS NEW", "{t}");
        let listed = props(c, s, "/api/cpcs/dpm1/adapters?type=hipersockets");
        assert_eq!(
            names(&listed["adapters"]),
            ["HIPERSOCKET 0200", "HS NEW"],
            "{t}"
        );
    });
}

#[test]
fn get_adapter_returns_its_properties() {
    both(|c, s| {
        // Act
        let a = props(c, s, "/api/adapters/osa-0108");

        // Assert
        assert_eq!(
            a["object-uri"],
            "/api/adapters/osa-0108",
            "{}",
            c.transport()
        );
        assert_eq!(a["adapter-id"], "108", "{}", c.transport());
        assert_eq!(
            a["network-port-uris"],
            json!([
                "/api/adapters/osa-0108/network-ports/0",
                "/api/adapters/osa-0108/network-ports/1"
            ]),
            "{}",
            c.transport()
        );
    });
}

#[test]
fn update_adapter_properties_writes_any_property_and_may_rename() {
    both(|c, s| {
        // Act
        let r = post(
            c,
            s,
            "/api/adapters/osa-0109",
            json!({"description": "renamed", "name": "OSA NINE"}),
        );

        // Assert
        assert_eq!(r.status, 204, "{}: {:?}", c.transport(), r.body);
        let a = props(c, s, "/api/adapters/osa-0109");
        assert_eq!(a["description"], "renamed", "{}", c.transport());
        assert_eq!(a["name"], "OSA NINE", "{}", c.transport());
    });
}

#[test]
fn delete_hipersocket_removes_the_adapter_its_ports_and_its_virtual_switch() {
    both(|c, s| {
        // Arrange
        let uri = create(c, s, "/api/cpcs/dpm1/adapters", json!({"name": "HS GONE"}));

        // Act
        let r = delete(c, s, &uri);
        let default_hs = delete(c, s, "/api/adapters/hs-0200");

        // Assert
        let t = c.transport();
        assert_eq!(r.status, 204, "{t}: {:?}", r.body);
        assert_eq!(default_hs.status, 204, "{t}: {:?}", default_hs.body);
        for gone in [
            uri.clone(),
            format!("{uri}/network-ports/0"),
            "/api/adapters/hs-0200".into(),
            "/api/adapters/hs-0200/network-ports/0".into(),
            "/api/virtual-switches/hs-0200".into(),
        ] {
            let reply = get(c, s, &gone);
            assert_eq!(reply.code(), (404, 1), "{t}: {gone}");
        }
        let vswitches = props(c, s, "/api/cpcs/dpm1/virtual-switches");
        assert_eq!(
            names(&vswitches["virtual-switches"]),
            ["VSWITCH OSA 0108", "VSWITCH OSA 0109"],
            "{t}"
        );
        let adapters = props(c, s, "/api/cpcs/dpm1/adapters?adapter-family=hipersockets");
        assert!(names(&adapters["adapters"]).is_empty(), "{t}");
    });
}

#[test]
fn a_deleted_hipersocket_name_can_be_used_again() {
    both(|c, s| {
        // Arrange
        let first = create(c, s, "/api/cpcs/dpm1/adapters", json!({"name": "HS AGAIN"}));
        delete(c, s, &first);

        // Act
        let second = post(c, s, "/api/cpcs/dpm1/adapters", json!({"name": "HS AGAIN"}));

        // Assert
        assert_eq!(second.status, 201, "{}: {:?}", c.transport(), second.body);
    });
}

// ---------------------------------------------------------------------------
// Change Crypto Type, Change Adapter Type

#[test]
fn change_crypto_type_sets_the_crypto_type() {
    both(|c, s| {
        // Act
        let r = post(
            c,
            s,
            "/api/adapters/crypto-0120/operations/change-crypto-type",
            json!({"crypto-type": "cca-coprocessor", "zeroize": true}),
        );

        // Assert
        assert_eq!(r.status, 204, "{}: {:?}", c.transport(), r.body);
        let a = props(c, s, "/api/adapters/crypto-0120");
        assert_eq!(a["crypto-type"], "cca-coprocessor", "{}", c.transport());
    });
}

#[test]
fn change_adapter_type_sets_the_type_of_a_ficon_adapter() {
    both(|c, s| {
        // Act
        let r = post(
            c,
            s,
            "/api/adapters/fcp-0118/operations/change-adapter-type",
            json!({"type": "fc"}),
        );

        // Assert
        assert_eq!(r.status, 204, "{}: {:?}", c.transport(), r.body);
        assert_eq!(
            props(c, s, "/api/adapters/fcp-0118")["type"],
            "fc",
            "{}",
            c.transport()
        );
    });
}

#[test]
fn change_adapter_type_of_an_adapter_with_exceptions_is_400_18() {
    both(|c, s| {
        // Arrange
        update(
            c,
            s,
            "/api/adapters/fcp-0118",
            json!({"status": "exceptions"}),
        );

        // Act
        let r = post(
            c,
            s,
            "/api/adapters/fcp-0118/operations/change-adapter-type",
            json!({"type": "fc"}),
        );

        // Assert
        assert_eq!(r.code(), (400, 18), "{}: {:?}", c.transport(), r.body);
        assert_eq!(
            props(c, s, "/api/adapters/fcp-0118")["type"],
            "fcp",
            "{}",
            c.transport()
        );
    });
}

// ---------------------------------------------------------------------------
// Get Partitions Assigned to Adapter

#[test]
fn partitions_assigned_to_each_adapter_family_of_the_default_hmc() {
    both(|c, s| {
        // Act / Assert: NIC through a virtual switch; NIC through a port
        // (an OSD NIC below SE 2.17 that has no virtual switch); crypto
        // configuration; virtual function; HBA and virtual storage resource;
        // a HiperSockets adapter no NIC uses.
        let t = c.transport();
        let cases = [
            ("osa-0108", vec!["LINUX1"]),
            ("osa-0109", vec!["LINUX2"]),
            ("crypto-0120", vec!["LINUX1"]),
            ("zedc-0130", vec!["LINUX1"]),
            ("fcp-0118", vec!["LINUX1"]),
            ("hs-0200", vec![]),
        ];
        for (adapter, expected) in cases {
            let uri = format!("/api/adapters/{adapter}");
            assert_eq!(assigned(c, s, &uri, ""), expected, "{t}: {adapter}");
        }
        let full = props(
            c,
            s,
            "/api/adapters/osa-0108/operations/get-partitions-assigned-to-adapter",
        );
        assert_eq!(
            full,
            json!({"partitions-assigned-to-adapter": [
                {"object-uri": "/api/partitions/linux1", "name": "LINUX1", "status": "active"}
            ]}),
            "{t}"
        );
    });
}

#[test]
fn partitions_assigned_are_filtered_by_name_and_status() {
    both(|c, s| {
        let t = c.transport();
        let osa = "/api/adapters/osa-0108";
        assert_eq!(assigned(c, s, osa, "?name=LIN.*"), ["LINUX1"], "{t}");
        assert!(assigned(c, s, osa, "?name=LINUX2").is_empty(), "{t}");
        assert_eq!(assigned(c, s, osa, "?status=active"), ["LINUX1"], "{t}");
        assert!(assigned(c, s, osa, "?status=stopped").is_empty(), "{t}");
        assert_eq!(
            assigned(c, s, osa, "?status=stopped&status=active&name=LINUX1"),
            ["LINUX1"],
            "{t}"
        );
    });
}

#[test]
fn a_nic_on_a_new_hipersocket_assigns_its_partition() {
    both(|c, s| {
        // Arrange
        let hs_uri = create(c, s, "/api/cpcs/dpm1/adapters", json!({"name": "HS NIC"}));
        let vswitches = props(c, s, "/api/cpcs/dpm1/virtual-switches?name=HS%20NIC");
        let vs_uri = vswitches["virtual-switches"][0]["object-uri"]
            .as_str()
            .unwrap()
            .to_string();
        create(
            c,
            s,
            "/api/partitions/linux2/nics",
            json!({"name": "HSNIC", "virtual-switch-uri": vs_uri}),
        );

        // Act
        let names = assigned(c, s, &hs_uri, "");

        // Assert
        assert_eq!(names, ["LINUX2"], "{}", c.transport());
    });
}

#[test]
fn from_se_2_17_nics_are_judged_by_their_port_and_a_missing_version_counts_as_older() {
    both(|c, s| {
        let t = c.transport();
        for version in [json!("2.17.0"), Value::Null] {
            // Arrange
            update(c, s, "/api/cpcs/dpm1", json!({"se-version": version}));

            // Act / Assert: each NIC has only one backing property, which is used.
            assert_eq!(
                assigned(c, s, "/api/adapters/osa-0108", ""),
                ["LINUX1"],
                "{t} {version}"
            );
            assert_eq!(
                assigned(c, s, "/api/adapters/osa-0109", ""),
                ["LINUX2"],
                "{t} {version}"
            );
        }
    });
}

#[test]
fn a_partition_without_crypto_configuration_uses_no_crypto_adapter() {
    both(|c, s| {
        // Arrange: Create Partition sets crypto-configuration to null.
        create(
            c,
            s,
            "/api/cpcs/dpm1/partitions",
            json!({"name": "NOCRYPTO", "initial-memory": 1024, "maximum-memory": 1024, "ifl-processors": 1}),
        );

        // Act
        let names = assigned(c, s, "/api/adapters/crypto-0120", "");

        // Assert
        assert_eq!(names, ["LINUX1"], "{}", c.transport());
    });
}

#[test]
fn every_virtual_function_of_a_partition_is_compared() {
    both_raw(|c, _| {
        // Arrange: LINUX2's first VF is on zEDC 0130, its last on another adapter.
        let s = &edit_hmc(c, extend_default);

        // Act
        let names = assigned(c, s, "/api/adapters/zedc-0130", "");

        // Assert
        assert_eq!(names, ["LINUX1", "LINUX2"], "{}", c.transport());
    });
}

#[test]
fn a_nic_whose_port_is_gone_is_404_1_naming_the_port() {
    both(|c, s| {
        // Arrange
        let port = "/api/adapters/osa-0109/network-ports/9";
        update(
            c,
            s,
            "/api/partitions/linux2/nics/nic1",
            json!({"network-adapter-port-uri": port}),
        );

        // Act
        let r = get(
            c,
            s,
            "/api/adapters/osa-0109/operations/get-partitions-assigned-to-adapter",
        );

        // Assert
        assert_eq!(r.code(), (404, 1), "{}: {:?}", c.transport(), r.body);
        assert_eq!(r.body["request-uri"], port, "{}", c.transport());
    });
}

/// Changes stored resources behind the HMC's back (for states the API
/// cannot produce, such as a partition without status).
fn sql(c: &dyn RawClient, statement: &str) {
    support::db(c.db_path())
        .execute_batch(&format!("PRAGMA foreign_keys = ON; {statement}"))
        .unwrap();
}

#[test]
fn a_ficon_adapter_is_assigned_through_a_virtual_storage_or_tape_resource() {
    // LINUX1 uses FCP 0118's port 0 through an HBA, a VSR and a VTR; each
    // case lets one of the two resources name LINUX2 instead.
    let resources = [
        "/api/storage-groups/sg-fcp1/virtual-storage-resources/vsr1",
        "/api/tape-links/tlink1/virtual-tape-resources/vtr1",
    ];
    for uri in resources {
        both_raw(|c, s| {
            // Arrange
            sql(
                c,
                &format!(
                    "UPDATE resources SET properties = \
                     json_set(properties, '$.\"partition-uri\"', '/api/partitions/linux2') \
                     WHERE uri = '{uri}'"
                ),
            );

            // Act
            let names = assigned(c, s, "/api/adapters/fcp-0118", "");

            // Assert
            assert_eq!(names, ["LINUX1", "LINUX2"], "{}: {uri}", c.transport());
        });
    }
}

#[test]
fn a_partition_stored_without_status_is_reported_as_stopped() {
    both_raw(|c, s| {
        // Arrange: every partition gets a status when added; only a stored
        // HMC edited behind its back lacks one.
        sql(
            c,
            "UPDATE resources SET properties = json_remove(properties, '$.status') \
             WHERE uri = '/api/partitions/linux1'",
        );

        // Act
        let by_adapter = props(
            c,
            s,
            "/api/adapters/osa-0108/operations/get-partitions-assigned-to-adapter",
        );
        let by_tape_link = props(c, s, "/api/tape-links/tlink1/operations/get-partitions");

        // Assert
        let t = c.transport();
        assert_eq!(
            by_adapter,
            json!({"partitions-assigned-to-adapter": [
                {"object-uri": "/api/partitions/linux1", "name": "LINUX1", "status": "stopped"}
            ]}),
            "{t}"
        );
        let linux1 = by_tape_link["partitions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["object-uri"] == "/api/partitions/linux1")
            .cloned();
        assert_eq!(
            linux1,
            Some(
                json!({"object-uri": "/api/partitions/linux1", "name": "LINUX1", "status": "stopped"})
            ),
            "{t}"
        );
    });
}

// ---------------------------------------------------------------------------
// Network and storage ports

#[test]
fn update_network_port_writes_its_description() {
    both(|c, s| {
        // Act
        let uri = "/api/adapters/osa-0108/network-ports/1";
        let r = post(c, s, uri, json!({"description": "uplink"}));

        // Assert
        assert_eq!(r.status, 204, "{}: {:?}", c.transport(), r.body);
        let port = props(c, s, uri);
        assert_eq!(port["description"], "uplink", "{}", c.transport());
        assert_eq!(port["name"], "Port 1", "{}", c.transport());
    });
}

#[test]
fn update_storage_port_writes_description_and_connection_endpoint() {
    both(|c, s| {
        // Act
        let uri = "/api/adapters/fcp-0118/storage-ports/0";
        let r = post(
            c,
            s,
            uri,
            json!({"description": "fabric A", "connection-endpoint-uri": "/api/storage-switches/x"}),
        );

        // Assert
        assert_eq!(r.status, 204, "{}: {:?}", c.transport(), r.body);
        let port = props(c, s, uri);
        assert_eq!(port["description"], "fabric A", "{}", c.transport());
        assert_eq!(
            port["connection-endpoint-uri"],
            "/api/storage-switches/x",
            "{}",
            c.transport()
        );
        assert_eq!(port["class"], "storage-port", "{}", c.transport());
    });
}

// ---------------------------------------------------------------------------
// Error paths

const START: &str = "/api/cpcs/dpm1/operations/start";
const EXPORT: &str = "/api/cpcs/dpm1/operations/export-port-names-list";
const CRYPTO: &str = "/api/adapters/crypto-0120/operations/change-crypto-type";
const FCP_TYPE: &str = "/api/adapters/fcp-0118/operations/change-adapter-type";
const ASSIGNED: &str = "/api/adapters/osa-0108/operations/get-partitions-assigned-to-adapter";

fn partitions(uris: Value) -> Option<Value> {
    Some(json!({"partitions": uris}))
}

/// Every error case in the default HMC; none changes state.
#[rustfmt::skip]
fn table() -> Vec<Row> {
    use Method::{Delete, Get, Post};
    let j = |v: Value| Some(v);
    vec![
        // Start / Stop CPC.
        row(Post, "/api/cpcs/nope/operations/start", None, 404, 1),
        row(Post, "/api/cpcs/nope/operations/stop", None, 404, 1),
        row(Post, "/api/cpcs/classic1/operations/start", None, 409, 5),
        row(Post, "/api/cpcs/classic1/operations/stop", None, 409, 5),
        row(Post, "/api/cpcs/dpm1/operations/stop?x=1", None, 404, 1),
        row(Get, START, None, 404, 1),
        // Export WWPN List.
        row(Post, "/api/cpcs/nope/operations/export-port-names-list", partitions(json!(["/api/partitions/linux1"])), 404, 1),
        row(Post, "/api/cpcs/classic1/operations/export-port-names-list", partitions(json!(["/api/partitions/linux1"])), 409, 5),
        row(Post, EXPORT, None, 400, 3),
        row(Post, EXPORT, j(json!({})), 400, 5),
        row(Post, EXPORT, partitions(json!([])), 400, 149),
        row(Post, EXPORT, partitions(json!("/api/partitions/linux1")), 400, 7),
        row(Post, EXPORT, partitions(json!(null)), 400, 7),
        row(Post, EXPORT, partitions(json!([1])), 400, 7),
        row(Post, EXPORT, partitions(json!(["/api/partitions/nope"])), 404, 2),
        row(Post, EXPORT, partitions(json!(["/api/partitions/linux1", "/api/adapters/osa-0108"])), 404, 2),
        // Create Hipersocket.
        row(Post, "/api/cpcs/nope/adapters", j(json!({"name": "X"})), 404, 1),
        row(Post, "/api/cpcs/classic1/adapters", j(json!({"name": "X"})), 409, 5),
        row(Post, "/api/cpcs/dpm1/adapters", None, 400, 3),
        row(Post, "/api/cpcs/dpm1/adapters", j(json!({"description": "no name"})), 400, 5),
        row(Post, "/api/cpcs/dpm1/adapters", j(json!({"name": "X", "adapter-family": "crypto"})), 400, 5),
        row(Post, "/api/cpcs/dpm1/adapters", j(json!({"name": "OSA 0108"})), 400, 8),
        row(Post, "/api/cpcs/dpm1/adapters", j(json!({"name": "X", "object-id": "osa-0108"})), 400, 8),
        // Get / Update / Delete adapter.
        row(Get, "/api/adapters/nope", None, 404, 1),
        row(Get, "/api/adapters/osa-0108?properties=name", None, 400, 1),
        row(Post, "/api/adapters/nope", j(json!({"description": "x"})), 404, 1),
        row(Post, "/api/adapters/osa-0108", None, 400, 3),
        row(Post, "/api/adapters/osa-0109", j(json!({"name": "OSA 0108"})), 400, 8),
        row(Delete, "/api/adapters/nope", None, 404, 1),
        row(Delete, "/api/adapters/osa-0108", None, 400, 18),
        row(Delete, "/api/adapters/crypto-0120", None, 400, 18),
        // Change Crypto Type.
        row(Post, "/api/adapters/nope/operations/change-crypto-type", j(json!({"crypto-type": "accelerator"})), 404, 1),
        row(Post, CRYPTO, None, 400, 3),
        row(Post, CRYPTO, j(json!({"zeroize": true})), 400, 5),
        row(Post, CRYPTO, j(json!({"crypto-type": "cca"})), 400, 8),
        row(Post, CRYPTO, j(json!({"crypto-type": null})), 400, 8),
        row(Get, CRYPTO, None, 404, 1),
        // Change Adapter Type.
        row(Post, "/api/adapters/nope/operations/change-adapter-type", j(json!({"type": "fc"})), 404, 1),
        row(Post, FCP_TYPE, None, 400, 3),
        row(Post, FCP_TYPE, j(json!({})), 400, 5),
        row(Post, "/api/adapters/osa-0108/operations/change-adapter-type", j(json!({"type": "fc"})), 400, 18),
        row(Post, FCP_TYPE, j(json!({"type": "osd"})), 400, 8),
        row(Post, FCP_TYPE, j(json!({"type": "fcp"})), 400, 8),
        // Get Partitions Assigned to Adapter.
        row(Get, "/api/adapters/nope/operations/get-partitions-assigned-to-adapter", None, 404, 1),
        row(Get, "/api/adapters/osa-0108/operations/get-partitions-assigned-to-adapter?foo=1", None, 400, 1),
        row(Get, "/api/adapters/osa-0108/operations/get-partitions-assigned-to-adapter?name=%5B", None, 400, 1),
        row(Get, "/api/adapters/osa-0108/operations/get-partitions-assigned-to-adapter?name", None, 400, 1),
        row(Post, ASSIGNED, j(json!({})), 404, 1),
        // Network and storage ports.
        row(Get, "/api/adapters/osa-0108/network-ports/9", None, 404, 1),
        row(Get, "/api/adapters/osa-0108/storage-ports/0", None, 404, 1),
        row(Get, "/api/adapters/osa-0108/network-ports/0?properties=name", None, 400, 1),
        row(Post, "/api/adapters/osa-0108/network-ports/9", j(json!({"description": "x"})), 404, 1),
        row(Post, "/api/adapters/osa-0108/network-ports/0", None, 400, 3),
        row(Post, "/api/adapters/osa-0108/network-ports/0", j(json!({"description": "x", "name": "P"})), 400, 6),
        row(Post, "/api/adapters/fcp-0118/storage-ports/0", j(json!({"index": 3})), 400, 6),
        row(Post, "/api/adapters/fcp-0118/storage-ports/9", j(json!({"description": "x"})), 404, 1),
        row(Get, "/api/adapters/fcp-0118/network-ports/0", None, 404, 1),
        row(Delete, "/api/adapters/hs-0200/network-ports/0", None, 404, 1),
    ]
}

/// Error cases that need the extended HMC of `extend_default`.
#[rustfmt::skip]
fn extended_table() -> Vec<Row> {
    use Method::{Delete, Get, Post};
    vec![
        row(Post, EXPORT, partitions(json!(["/api/partitions/linux1", "/api/partitions/p2"])), 400, 149),
        row(Post, "/api/cpcs/dpm2/operations/export-port-names-list", partitions(json!(["/api/partitions/linux1"])), 400, 149),
        row(Post, EXPORT, partitions(json!(["/api/partitions/linux3"])), 404, 2),
        row(Delete, "/api/adapters/hs-classic", None, 409, 5),
        row(Post, "/api/adapters/hs-classic/operations/change-crypto-type", Some(json!({"crypto-type": "accelerator"})), 409, 5),
        row(Post, "/api/adapters/hs-classic/operations/change-adapter-type", Some(json!({"type": "fc"})), 409, 5),
        row(Get, "/api/adapters/hs-classic/operations/get-partitions-assigned-to-adapter", None, 409, 5),
    ]
}

#[test]
fn every_error_case_answers_its_status_and_reason_and_changes_nothing() {
    both_raw(|c, s| error_table::run(c, s, &table(), &[]));
}

#[test]
fn error_cases_of_other_cpcs_and_lost_ports_answer_their_status_and_reason() {
    both_raw(|c, _| {
        let s = edit_hmc(c, extend_default);
        error_table::run(c, &s, &extended_table(), &[]);
    });
}

#[test]
fn error_messages_name_what_is_wrong() {
    both_raw(|c, _| {
        // Arrange
        let s = &edit_hmc(c, extend_default);
        let t = c.transport();
        let message = |uri: &str, body: Option<Value>| {
            let r = c.send(Method::Post, uri, Some(s), body.as_ref());
            r.body["message"].as_str().unwrap().to_string()
        };

        // Act / Assert
        assert_eq!(
            message(EXPORT, partitions(json!([]))),
            "'partitions' field in request body is empty.",
            "{t}"
        );
        assert_eq!(
            message(EXPORT, partitions(json!(["/api/partitions/p2"]))),
            "Partition '/api/partitions/p2' specified in 'partitions' field is not in the targeted CPC with ID 'dpm1' (but in the CPC with ID 'dpm2').",
            "{t}"
        );
        assert_eq!(
            message(EXPORT, partitions(json!(["/api/partitions/nope"]))),
            "Unknown resource with URI: /api/partitions/nope",
            "{t}"
        );
        assert_eq!(
            message(EXPORT, partitions(json!(["/api/partitions/linux3"]))),
            "Unknown resource with URI: /api/adapters/fcp-0118/storage-ports/9",
            "{t}"
        );
        assert_eq!(
            message(CRYPTO, Some(json!({"crypto-type": "cca"}))),
            "Invalid value for 'crypto-type' field: cca",
            "{t}"
        );
        assert_eq!(
            message(
                "/api/adapters/osa-0108/operations/change-adapter-type",
                Some(json!({"type": "fc"}))
            ),
            "The adapter type cannot be changed for adapter family: osa",
            "{t}"
        );
        assert_eq!(
            message(FCP_TYPE, Some(json!({"type": "osd"}))),
            "Invalid new value for 'type' field: osd",
            "{t}"
        );
        assert_eq!(
            message(FCP_TYPE, Some(json!({"type": "fcp"}))),
            "New value for 'type' field is already set: fcp",
            "{t}"
        );
        assert_eq!(
            message("/api/cpcs/classic1/operations/start", None),
            "CPC is not in DPM mode: /api/cpcs/classic1",
            "{t}"
        );
    });
}
