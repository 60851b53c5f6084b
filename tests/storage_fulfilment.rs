//! Tape-link adapter ports, virtual storage resource updates, volume
//! fulfilment, FCP storage discovery and the connection report (issue 15),
//! through the library and over HTTPS.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use mock_hmc::Method;
use serde_json::json;
use support::both_loaded;
use support::error_table::{self, Row, row};
use support::helpers::{get, post, props, update};

const TLINK1: &str = "/api/tape-links/tlink1";
const VTR1: &str = "/api/tape-links/tlink1/virtual-tape-resources/vtr1";
const PORT0: &str = "/api/adapters/fcp-0118/storage-ports/0";
const PORT1: &str = "/api/adapters/fcp-0118/storage-ports/1";
const SG: &str = "/api/storage-groups/sg-fcp1";
const BOOT: &str = "/api/storage-groups/sg-fcp1/storage-volumes/boot";
const DATA: &str = "/api/storage-groups/sg-fcp1/storage-volumes/data";
const VSR1: &str = "/api/storage-groups/sg-fcp1/virtual-storage-resources/vsr1";
const ADD: &str = "/api/tape-links/tlink1/operations/add-adapter-ports";
const REMOVE: &str = "/api/tape-links/tlink1/operations/remove-adapter-ports";
const REPLACE: &str = "/api/tape-links/tlink1/operations/replace-adapter-port";
const DISCOVER: &str = "/api/storage-groups/sg-fcp1/operations/start-fcp-storage-discovery";
const REPORT: &str = "/api/storage-groups/sg-fcp1/operations/get-connection-report";
const FULFILL_FCP: &str =
    "/api/storage-groups/sg-fcp1/storage-volumes/boot/operations/fulfill-fcp-storage-volume";
const FULFILL_FICON: &str =
    "/api/storage-groups/sg-fcp1/storage-volumes/boot/operations/fulfill-ficon-storage-volume";

/// The default HMC with a second port on FCP adapter 0118.
fn two_ports() -> String {
    let one = "        object-id: fcp-0118\n";
    let at = mock_hmc::definition::DEFAULT_HMC_YAML.find(one).unwrap();
    let (head, tail) = mock_hmc::definition::DEFAULT_HMC_YAML.split_at(at);
    let port0 = "      - properties: {element-id: '0', name: Port 0, index: 0}\n";
    let tail = tail.replacen(
        port0,
        &format!("{port0}      - properties: {{element-id: '1', name: Port 1, index: 1}}\n"),
        1,
    );
    format!("{head}{tail}")
}

#[test]
fn tape_link_adapter_ports_are_added_replaced_and_removed() {
    both_loaded(&two_ports(), |c, s| {
        // Act / Assert: add both ports.
        let t = c.transport();
        update(c, s, ADD, json!({"adapter-port-uris": [PORT0, PORT1]}));
        assert_eq!(
            props(c, s, TLINK1)["adapter-port-uris"],
            json!([PORT0, PORT1]),
            "{t}"
        );

        // Port 0 backs VTR1: it cannot be removed, but can be replaced by a
        // port not in the list, and VTR1 follows.
        assert_eq!(
            post(c, s, REMOVE, json!({"adapter-port-uris": [PORT0]})).code(),
            (409, 480),
            "{t}"
        );
        update(c, s, REMOVE, json!({"adapter-port-uris": [PORT1]}));
        update(
            c,
            s,
            REPLACE,
            json!({"current-adapter-port-uri": PORT0, "new-adapter-port-uri": PORT1}),
        );
        assert_eq!(
            props(c, s, TLINK1)["adapter-port-uris"],
            json!([PORT1]),
            "{t}"
        );
        assert_eq!(props(c, s, VTR1)["adapter-port-uri"], PORT1, "{t}");
    });
}

#[test]
fn virtual_storage_resource_update_writes_writable_properties_only() {
    both_loaded(&two_ports(), |c, s| {
        let t = c.transport();
        update(
            c,
            s,
            VSR1,
            json!({"name": "NEW", "device-number": "8101", "adapter-port-uri": PORT1}),
        );
        let vsr = props(c, s, VSR1);
        assert_eq!(
            (vsr["name"].as_str(), vsr["device-number"].as_str()),
            (Some("NEW"), Some("8101")),
            "{t}"
        );
        assert_eq!(vsr["adapter-port-uri"], PORT1, "{t}");
        assert_eq!(
            post(c, s, VSR1, json!({"partition-uri": "/api/partitions/x"})).code(),
            (400, 6),
            "{t}"
        );
    });
}

#[test]
fn fulfilling_the_pending_volumes_completes_the_group() {
    both_loaded(&two_ports(), |c, s| {
        // Arrange: both volumes pending, the group too.
        let t = c.transport();
        for v in [BOOT, DATA] {
            let r = post(
                c,
                s,
                "/api/storage-groups/sg-fcp1/operations/modify",
                json!({"storage-volumes": [
                {"operation": "modify", "element-uri": v, "fulfillment-state": "pending"}
            ], "fulfillment-state": "pending"}),
            );
            assert_eq!(r.status, 200, "{t}: {:?}", r.body);
        }

        // Act
        update(
            c,
            s,
            FULFILL_FCP,
            json!({
                "world-wide-port-name": "5005076810000001",
                "logical-unit-number": "4000000000000000",
                "adapter-port-uri": PORT0,
            }),
        );
        let after_one = props(c, s, SG)["fulfillment-state"].clone();
        update(
            c,
            s,
            &FULFILL_FCP.replace("/boot/", "/data/"),
            json!({
                "world-wide-port-name": "5005076810000001",
                "logical-unit-number": "4001000000000000",
                "adapter-port-uri": PORT1,
            }),
        );

        // Assert
        let boot = props(c, s, BOOT);
        assert_eq!(boot["fulfillment-state"], "complete", "{t}");
        assert_eq!(
            boot["paths"],
            json!([{"adapter-port-uri": PORT0,
            "target-world-wide-port-name": "5005076810000001",
            "logical-unit-number": "4000000000000000"}]),
            "{t}"
        );
        assert_eq!(after_one, "pending", "{t}");
        assert_eq!(props(c, s, SG)["fulfillment-state"], "complete", "{t}");
    });
}

#[test]
fn discovery_fills_paths_from_the_candidate_ports_and_the_report_shows_them() {
    both_loaded(&two_ports(), |c, s| {
        let t = c.transport();
        // Arrange: both ports are candidates; BOOT was fulfilled at a LUN.
        update(
            c,
            s,
            "/api/storage-groups/sg-fcp1/operations/add-candidate-adapter-ports",
            json!({"adapter-port-uris": [PORT1]}),
        );
        update(
            c,
            s,
            FULFILL_FCP,
            json!({
                "world-wide-port-name": "5005076810000001",
                "logical-unit-number": "4000000000000000",
                "adapter-port-uri": PORT0,
            }),
        );

        // Act
        let started = post(c, s, DISCOVER, json!({"force-restart": false}));
        assert_eq!(started.status, 202, "{t}: {:?}", started.body);
        let job = props(c, s, started.body["job-uri"].as_str().unwrap());
        let report = get(c, s, REPORT);

        // Assert
        assert_eq!(
            (job["status"].as_str(), job["job-status-code"].as_u64()),
            (Some("complete"), Some(204)),
            "{t}: {job:?}"
        );
        let boot_paths = props(c, s, BOOT)["paths"].clone();
        assert_eq!(boot_paths.as_array().unwrap().len(), 2, "{t}");
        assert_eq!(boot_paths[1]["adapter-port-uri"], PORT1, "{t}");
        assert_eq!(
            boot_paths[1]["logical-unit-number"], "4000000000000000",
            "{t}"
        );
        let data_paths = props(c, s, DATA)["paths"].clone();
        // DATA's LUN comes from its uuid.
        assert_eq!(
            data_paths[0]["logical-unit-number"],
            "0160f000000000000a02".get(4..).unwrap(),
            "{t}"
        );
        assert_eq!(report.status, 200, "{t}");
        let subsystems = report.body["fcp-storage-subsystems"].as_array().unwrap();
        // BOOT sits at the fulfilled WWPN, DATA at the derived one.
        assert_eq!(subsystems.len(), 2, "{t}: {:?}", report.body);
        let configs = subsystems[0]["storage-configurations"].as_array().unwrap();
        assert_eq!(configs.len(), 2, "{t}");
        assert_eq!(
            configs[0]["volumes-configuration-status"], "missing-volumes",
            "{t}"
        );
        assert_eq!(
            configs[0]["partition-uris"],
            json!(["/api/partitions/linux1"]),
            "{t}"
        );
    });
}

const LUN_PATH: &str = "/api/cpcs/dpm1/operations/validate-lun-path";

fn lun_path(port: &str, wwpn: &str, lun: &str) -> serde_json::Value {
    json!({"host-world-wide-port-name": "c05076ffe0000001", "adapter-port-uri": port,
        "target-world-wide-port-name": wwpn, "logical-unit-number": lun})
}

#[test]
fn validate_lun_path_answers_from_the_discovered_paths() {
    both_loaded(&two_ports(), |c, s| {
        let t = c.transport();
        update(
            c,
            s,
            FULFILL_FCP,
            json!({
                "world-wide-port-name": "5005076810000001",
                "logical-unit-number": "4000000000000000",
                "adapter-port-uri": PORT0,
            }),
        );
        update(
            c,
            s,
            LUN_PATH,
            lun_path(PORT0, "5005076810000001", "4000000000000000"),
        );
        let wrong_lun = post(
            c,
            s,
            LUN_PATH,
            lun_path(PORT0, "5005076810000001", "4001000000000000"),
        );
        assert_eq!(wrong_lun.code(), (409, 485), "{t}");
        let other_port = post(
            c,
            s,
            LUN_PATH,
            lun_path(PORT1, "5005076810000001", "4000000000000000"),
        );
        assert_eq!(other_port.code(), (409, 484), "{t}");
    });
}

#[rustfmt::skip]
fn table() -> Vec<Row> {
    use Method::{Get, Post};
    let fcp = |wwpn: &str, lun: &str, port: &str| Some(json!({
        "world-wide-port-name": wwpn, "logical-unit-number": lun, "adapter-port-uri": port}));
    vec![
        // Tape-link adapter ports.
        row(Post, ADD, None, 400, 3),
        row(Post, ADD, Some(json!({})), 400, 5),
        row(Post, ADD, Some(json!({"adapter-port-uris": "x"})), 400, 7),
        row(Post, ADD, Some(json!({"adapter-port-uris": ["/api/adapters/fcp-0118/storage-ports/9"]})), 404, 2),
        row(Post, ADD, Some(json!({"adapter-port-uris": ["/api/adapters/osa-0109/network-ports/0"]})), 404, 2),
        row(Post, ADD, Some(json!({"adapter-port-uris": [PORT0, PORT0]})), 409, 483),
        row(Post, "/api/tape-links/nope/operations/add-adapter-ports", Some(json!({"adapter-port-uris": [PORT0]})), 404, 1),
        row(Get, ADD, None, 404, 1),
        row(Post, REMOVE, Some(json!({"adapter-port-uris": [PORT0]})), 409, 479),
        row(Post, REPLACE, Some(json!({"new-adapter-port-uri": PORT1})), 400, 5),
        row(Post, REPLACE, Some(json!({"current-adapter-port-uri": PORT0, "new-adapter-port-uri": PORT1})), 409, 479),
        // Virtual storage resources.
        row(Post, VSR1, Some(json!({"element-id": "x"})), 400, 6),
        row(Post, "/api/storage-groups/sg-fcp1/virtual-storage-resources/nope", Some(json!({"name": "x"})), 404, 1),
        // Fulfill FCP / FICON Storage Volume.
        row(Post, FULFILL_FCP, None, 400, 3),
        row(Post, FULFILL_FCP, Some(json!({"world-wide-port-name": "5005076810000001"})), 400, 5),
        row(Post, FULFILL_FCP, fcp("5005", "4000000000000000", PORT0), 400, 7),
        row(Post, FULFILL_FCP, fcp("5005076810000001", "400000000000000G", PORT0), 400, 7),
        row(Post, FULFILL_FCP, fcp("5005076810000001", "4000000000000000", "/api/adapters/nope/storage-ports/0"), 404, 2),
        row(Post, FULFILL_FICON, Some(json!({"control-unit-uri": "/api/cpcs/dpm1/storage-control-units/cu1", "unit-address": "0a"})), 409, 487),
        row(Post, FULFILL_FICON, Some(json!({"control-unit-uri": "x"})), 400, 5),
        // Discovery and report.
        row(Post, DISCOVER, Some(json!({"force-restart": "yes"})), 400, 7),
        row(Post, "/api/storage-groups/nope/operations/start-fcp-storage-discovery", None, 404, 1),
        row(Get, DISCOVER, None, 404, 1),
        row(Post, REPORT, None, 404, 1),
        row(Get, "/api/storage-groups/nope/operations/get-connection-report", None, 404, 1),
        // Validate LUN Path.
        row(Post, LUN_PATH, None, 400, 3),
        row(Post, LUN_PATH, Some(json!({"adapter-port-uri": PORT0})), 400, 5),
        row(Post, LUN_PATH, Some(lun_path(PORT0, "5005", "4000000000000000")), 400, 7),
        row(Post, LUN_PATH, Some(lun_path("/api/adapters/osa-0109/network-ports/0", "5005076810000001", "4000000000000000")), 404, 2),
        row(Post, LUN_PATH, Some(lun_path(PORT0, "5005076810000009", "4000000000000000")), 409, 484),
        row(Post, "/api/cpcs/classic1/operations/validate-lun-path", Some(lun_path(PORT0, "5005076810000001", "4000000000000000")), 409, 5),
    ]
}

#[test]
fn every_error_path_answers_its_status_and_reason_and_changes_nothing() {
    both_loaded(&two_ports(), |c, s| {
        error_table::run(c, s, &table(), &[TLINK1, VTR1, SG, BOOT, DATA, VSR1]);
    });
}

#[test]
fn discovery_and_fcp_fulfilment_need_an_fcp_group() {
    let yaml = two_ports().replace(
        "        type: fcp\n        shared: false\n        fulfillment-state: complete",
        "        type: fc\n        shared: false\n        fulfillment-state: complete",
    );
    both_loaded(&yaml, |c, s| {
        let t = c.transport();
        assert_eq!(post(c, s, DISCOVER, json!({})).code(), (409, 487), "{t}");
        let r = post(
            c,
            s,
            FULFILL_FCP,
            json!({"world-wide-port-name": "5005076810000001",
            "logical-unit-number": "4000000000000000", "adapter-port-uri": PORT0}),
        );
        assert_eq!(r.code(), (409, 487), "{t}");
        update(
            c,
            s,
            FULFILL_FICON,
            json!({"control-unit-uri": "/api/cpcs/dpm1/storage-control-units/cu1", "unit-address": "0a"}),
        );
        assert_eq!(props(c, s, BOOT)["unit-address"], "0a", "{t}");
    });
}
