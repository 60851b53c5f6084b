//! HBAs and virtual functions of partitions: create, get, update, delete,
//! Reassign Storage Adapter Port, and their device numbers and WWPNs,
//! through the library and over HTTPS.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use mock_hmc::test_support::{STORAGE_PORT, add_resource, store};
use mock_hmc::{Hmc, HmcError, Method};
use serde_json::{Value, json};
use support::error_table::{self, Row, State, row, row_in};
use support::helpers::{create, delete, get, post, props, uri_list};
use support::{Client, RawClient, both, both_raw};

const LINUX1: &str = "/api/partitions/linux1";
const LINUX2: &str = "/api/partitions/linux2";
const HBA1: &str = "/api/partitions/linux1/hbas/hba1";
const VF1: &str = "/api/partitions/linux1/virtual-functions/vf1";
const PORT0: &str = "/api/adapters/fcp-0118/storage-ports/0";
const PORT1: &str = "/api/adapters/fcp-0118/storage-ports/1";

/// Creates a child of `partition` in `collection` and returns its URI.
fn create_child(c: &dyn Client, s: &str, partition: &str, collection: &str, body: Value) -> String {
    create(c, s, &format!("{partition}/{collection}"), body)
}

fn create_hba(c: &dyn Client, s: &str, partition: &str, name: &str) -> String {
    create_child(
        c,
        s,
        partition,
        "hbas",
        json!({"name": name, "adapter-port-uri": PORT0}),
    )
}

/// Adds a second port to the FCP adapter through the library (ports are
/// not created over the API); Reassign Storage Adapter Port needs one.
fn add_second_storage_port(c: &dyn RawClient) {
    let hmc = Hmc::open(c.db_path()).unwrap();
    store(&hmc)
        .write(|tx| -> Result<(), HmcError> {
            let adapter = tx.resource("/api/adapters/fcp-0118")?.unwrap();
            let props = json!({"element-id": "1", "name": "Port 1", "index": 1});
            add_resource(
                tx,
                &STORAGE_PORT,
                Some(&adapter),
                props.as_object().unwrap().clone(),
            )?;
            Ok(())
        })
        .unwrap();
}

// ------------------------------------------------------------------- HBAs

#[test]
fn create_hba_takes_a_device_number_and_wwpn_and_joins_hba_uris() {
    both(|c, s| {
        // Act
        let r = post(
            c,
            s,
            &format!("{LINUX2}/hbas"),
            json!({"name": "HBA2", "adapter-port-uri": PORT0, "description": "boot"}),
        );

        // Assert
        let t = c.transport();
        assert_eq!(r.status, 201, "{t}: {:?}", r.body);
        let uri = r.body["element-uri"].as_str().unwrap();
        assert!(
            uri.starts_with("/api/partitions/linux2/hbas/"),
            "{t}: {uri}"
        );
        assert_eq!(r.location.as_deref(), Some(uri), "{t}");
        let hba = props(c, s, uri);
        assert_eq!(hba["name"], "HBA2", "{t}");
        assert_eq!(hba["description"], "boot", "{t}");
        assert_eq!(hba["class"], "hba", "{t}");
        assert_eq!(hba["parent"], LINUX2, "{t}");
        assert_eq!(hba["element-uri"], uri, "{t}");
        assert_eq!(hba["adapter-port-uri"], PORT0, "{t}");
        // LINUX2's NIC holds 8000; its WWPN pool is untouched.
        assert_eq!(hba["device-number"], "8001", "{t}");
        assert_eq!(hba["wwpn"], "AFFEAFFE00008000", "{t}");
        assert_eq!(uri_list(c, s, LINUX2, "hba-uris"), [uri], "{t}");
    });
}

#[test]
fn create_hba_keeps_a_supplied_device_number_and_wwpn() {
    both(|c, s| {
        // Act
        let uri = create_child(
            c,
            s,
            LINUX2,
            "hbas",
            json!({"name": "HBA2", "adapter-port-uri": PORT0,
                   "device-number": "1234", "wwpn": "C05076FFEB000001"}),
        );

        // Assert
        let hba = props(c, s, &uri);
        assert_eq!(hba["device-number"], "1234", "{}", c.transport());
        assert_eq!(hba["wwpn"], "C05076FFEB000001", "{}", c.transport());
    });
}

#[test]
fn get_hba_of_the_default_hmc() {
    both(|c, s| {
        // Act
        let hba = props(c, s, HBA1);

        // Assert
        let t = c.transport();
        assert_eq!(hba["name"], "HBA1", "{t}");
        assert_eq!(hba["adapter-port-uri"], PORT0, "{t}");
        assert!(
            hba["wwpn"]
                .as_str()
                .is_some_and(|w| w.starts_with("AFFEAFFE0000")),
            "{t}: {hba}"
        );
        assert_eq!(uri_list(c, s, LINUX1, "hba-uris"), [HBA1], "{t}");
    });
}

#[test]
fn update_hba_merges_any_property() {
    both(|c, s| {
        // Act
        let r = post(
            c,
            s,
            HBA1,
            json!({"name": "HBA-RENAMED", "description": "changed", "device-number": "9000"}),
        );

        // Assert
        assert_eq!(r.status, 204, "{}: {:?}", c.transport(), r.body);
        let hba = props(c, s, HBA1);
        assert_eq!(hba["name"], "HBA-RENAMED", "{}", c.transport());
        assert_eq!(hba["description"], "changed", "{}", c.transport());
        assert_eq!(hba["device-number"], "9000", "{}", c.transport());
    });
}

#[test]
fn renaming_an_hba_to_a_sibling_name_is_400_8() {
    both(|c, s| {
        // Arrange
        create_hba(c, s, LINUX1, "HBA2");

        // Act
        let r = post(c, s, HBA1, json!({"name": "HBA2"}));

        // Assert
        assert_eq!(r.code(), (400, 8), "{}: {:?}", c.transport(), r.body);
        assert_eq!(props(c, s, HBA1)["name"], "HBA1", "{}", c.transport());
    });
}

#[test]
fn delete_hba_removes_it_and_its_uri() {
    both(|c, s| {
        // Act
        let r = delete(c, s, HBA1);

        // Assert
        assert_eq!(r.status, 204, "{}: {:?}", c.transport(), r.body);
        let gone = get(c, s, HBA1);
        assert_eq!(gone.code(), (404, 1), "{}", c.transport());
        assert!(
            uri_list(c, s, LINUX1, "hba-uris").is_empty(),
            "{}",
            c.transport()
        );
    });
}

#[test]
fn numbers_of_a_deleted_hba_are_handed_out_again() {
    both(|c, s| {
        // Arrange
        let first = create_hba(c, s, LINUX2, "A");
        let freed = props(c, s, &first);
        create_hba(c, s, LINUX2, "B");
        let deleted = delete(c, s, &first);
        assert_eq!(deleted.status, 204, "{}: {:?}", c.transport(), deleted.body);

        // Act
        let again = props(c, s, &create_hba(c, s, LINUX2, "C"));

        // Assert
        let t = c.transport();
        assert_eq!(again["device-number"], freed["device-number"], "{t}");
        assert_eq!(again["wwpn"], freed["wwpn"], "{t}");
    });
}

#[test]
fn nics_hbas_and_virtual_functions_share_one_device_number_pool() {
    both(|c, s| {
        // Act
        let hba = props(c, s, &create_hba(c, s, LINUX2, "HBA2"));
        let vf = props(
            c,
            s,
            &create_child(c, s, LINUX2, "virtual-functions", json!({"name": "VF2"})),
        );
        let nic = props(
            c,
            s,
            &create_child(
                c,
                s,
                LINUX2,
                "nics",
                json!({"name": "NIC2", "virtual-switch-uri": "/api/virtual-switches/vswitch-osa-0108"}),
            ),
        );

        // Assert: LINUX2's NIC1 holds 8000.
        let t = c.transport();
        assert_eq!(hba["device-number"], "8001", "{t}");
        assert_eq!(vf["device-number"], "8002", "{t}");
        assert_eq!(nic["device-number"], "8003", "{t}");
    });
}

#[test]
fn reassign_storage_adapter_port_moves_the_hba() {
    both_raw(|c, s| {
        // Arrange
        add_second_storage_port(c);

        // Act
        let r = post(
            c,
            s,
            &format!("{HBA1}/operations/reassign-storage-adapter-port"),
            json!({"adapter-port-uri": PORT1}),
        );

        // Assert
        assert_eq!(r.status, 204, "{}: {:?}", c.transport(), r.body);
        assert_eq!(
            props(c, s, HBA1)["adapter-port-uri"],
            PORT1,
            "{}",
            c.transport()
        );
    });
}

#[test]
fn deleting_a_partition_frees_its_hbas_wwpns_with_it() {
    both(|c, s| {
        // Arrange
        let hba = create_hba(c, s, LINUX2, "HBA2");

        // Act
        let r = delete(c, s, LINUX2);

        // Assert
        assert_eq!(r.status, 204, "{}: {:?}", c.transport(), r.body);
        let gone = get(c, s, &hba);
        assert_eq!(gone.code(), (404, 1), "{}", c.transport());
    });
}

// ------------------------------------------------------- virtual functions

#[test]
fn create_virtual_function_takes_a_device_number_and_joins_its_list() {
    both(|c, s| {
        // Act
        let r = post(
            c,
            s,
            &format!("{LINUX2}/virtual-functions"),
            json!({"name": "VF2", "adapter-uri": "/api/adapters/zedc-0130"}),
        );

        // Assert
        let t = c.transport();
        assert_eq!(r.status, 201, "{t}: {:?}", r.body);
        let uri = r.body["element-uri"].as_str().unwrap();
        assert!(
            uri.starts_with("/api/partitions/linux2/virtual-functions/"),
            "{t}: {uri}"
        );
        let vf = props(c, s, uri);
        assert_eq!(vf["name"], "VF2", "{t}");
        assert_eq!(vf["class"], "virtual-function", "{t}");
        assert_eq!(vf["parent"], LINUX2, "{t}");
        assert_eq!(vf["adapter-uri"], "/api/adapters/zedc-0130", "{t}");
        assert_eq!(vf["device-number"], "8001", "{t}");
        assert_eq!(
            uri_list(c, s, LINUX2, "virtual-function-uris"),
            [uri],
            "{t}"
        );
    });
}

#[test]
fn get_virtual_function_of_the_default_hmc() {
    both(|c, s| {
        // Act
        let vf = props(c, s, VF1);

        // Assert
        assert_eq!(vf["name"], "VF1", "{}", c.transport());
        assert_eq!(vf["element-uri"], VF1, "{}", c.transport());
        assert!(vf["device-number"].is_string(), "{}: {vf}", c.transport());
    });
}

#[test]
fn update_virtual_function_merges_any_property() {
    both(|c, s| {
        // Act
        let r = post(
            c,
            s,
            VF1,
            json!({"description": "changed", "device-number": "7000"}),
        );

        // Assert
        assert_eq!(r.status, 204, "{}: {:?}", c.transport(), r.body);
        let vf = props(c, s, VF1);
        assert_eq!(vf["description"], "changed", "{}", c.transport());
        assert_eq!(vf["device-number"], "7000", "{}", c.transport());
    });
}

#[test]
fn delete_virtual_function_removes_it_and_frees_its_device_number() {
    both(|c, s| {
        // Arrange
        let freed = props(c, s, VF1)["device-number"].clone();

        // Act
        let r = delete(c, s, VF1);

        // Assert
        let t = c.transport();
        assert_eq!(r.status, 204, "{t}: {:?}", r.body);
        assert_eq!(get(c, s, VF1).code(), (404, 1), "{t}");
        assert!(
            uri_list(c, s, LINUX1, "virtual-function-uris").is_empty(),
            "{t}"
        );
        let again = create_child(c, s, LINUX1, "virtual-functions", json!({"name": "VF1"}));
        assert_eq!(props(c, s, &again)["device-number"], freed, "{t}");
    });
}

// ------------------------------------------------------------------ errors

/// Every error case of HBAs and virtual functions. One row per line.
#[rustfmt::skip]
fn table() -> Vec<Row> {
    use Method::{Delete, Get, Post};
    use State::{CpcClassic, CpcNotOperating, PartitionStarting};
    let hba = |port: Value| Some(json!({"name": "NEWHBA", "adapter-port-uri": port}));
    let port = |uri: &str| Some(json!({"adapter-port-uri": uri}));
    let vf = || Some(json!({"name": "NEWVF"}));
    let reassign = format!("{HBA1}/operations/reassign-storage-adapter-port");
    let hbas = format!("{LINUX1}/hbas");
    let vfs = format!("{LINUX1}/virtual-functions");
    vec![
        // Create HBA, in the mock's order of checks.
        row(Post, "/api/partitions/nope/hbas", hba(json!(PORT0)), 404, 1),
        row(Get, &hbas, None, 404, 1),
        row(Post, &format!("{LINUX2}/hbas"), None, 400, 3),
        row(Post, &format!("{LINUX2}/hbas"), Some(json!({"adapter-port-uri": PORT0})), 400, 5),
        row(Post, &format!("{LINUX2}/hbas"), Some(json!({"name": "NEWHBA"})), 400, 5),
        row(Post, &format!("{LINUX2}/hbas"), hba(json!("/api/adapters/osa-0108/network-ports/0")), 404, 6),
        row(Post, &format!("{LINUX2}/hbas"), hba(json!("/api/adapters/fcp-0118")), 404, 6),
        row(Post, &format!("{LINUX2}/hbas"), hba(json!(42)), 404, 6),
        row(Post, &format!("{LINUX2}/hbas"), hba(json!("/api/adapters/nope/storage-ports/0")), 404, 2),
        row(Post, &format!("{LINUX2}/hbas"), hba(json!("/api/adapters/fcp-0118/storage-ports/9")), 404, 6),
        row(Post, &hbas, Some(json!({"name": "HBA1", "adapter-port-uri": PORT0})), 400, 8),
        row(Post, &hbas, Some(json!({"name": "NEWHBA", "adapter-port-uri": PORT0, "element-id": "hba1"})), 400, 8),
        row_in(PartitionStarting, Post, &hbas, hba(json!(PORT0)), 409, 1),
        row_in(CpcNotOperating, Post, &hbas, hba(json!(PORT0)), 409, 6),
        row_in(CpcClassic, Post, &hbas, hba(json!(PORT0)), 409, 5),
        // Get / Update / Delete HBA
        row(Get, "/api/partitions/linux1/hbas/nope", None, 404, 1),
        row(Get, "/api/partitions/nope/hbas/hba1", None, 404, 1),
        row(Get, &format!("{HBA1}?properties=name"), None, 400, 1),
        row(Post, HBA1, None, 400, 3),
        row(Post, "/api/partitions/linux1/hbas/nope", Some(json!({"name": "X"})), 404, 1),
        row(Delete, "/api/partitions/linux1/hbas/nope", None, 404, 1),
        row_in(PartitionStarting, Delete, HBA1, None, 409, 1),
        row_in(CpcNotOperating, Delete, HBA1, None, 409, 6),
        row_in(CpcClassic, Delete, HBA1, None, 409, 5),
        // Reassign Storage Adapter Port
        row(Post, "/api/partitions/linux1/hbas/nope/operations/reassign-storage-adapter-port", port(PORT0), 404, 1),
        row(Get, &reassign, None, 404, 1),
        row(Post, &reassign, None, 400, 3),
        row(Post, &reassign, Some(json!({})), 400, 5),
        row(Post, &reassign, port("/api/adapters/osa-0108/network-ports/0"), 404, 6),
        row(Post, &reassign, port("/api/adapters/nope/storage-ports/0"), 404, 2),
        row(Post, &reassign, port("/api/adapters/fcp-0118/storage-ports/9"), 404, 6),
        row_in(PartitionStarting, Post, &reassign, port(PORT0), 409, 1),
        row_in(CpcNotOperating, Post, &reassign, port(PORT0), 409, 6),
        row_in(CpcClassic, Post, &reassign, port(PORT0), 409, 5),
        // Create Virtual Function
        row(Post, "/api/partitions/nope/virtual-functions", vf(), 404, 1),
        row(Get, &vfs, None, 404, 1),
        row(Post, &vfs, None, 400, 3),
        row(Post, &vfs, Some(json!({"adapter-uri": "/api/adapters/zedc-0130"})), 400, 5),
        row(Post, &vfs, Some(json!({"name": "VF1"})), 400, 8),
        row_in(PartitionStarting, Post, &vfs, vf(), 409, 1),
        row_in(CpcNotOperating, Post, &vfs, vf(), 409, 6),
        row_in(CpcClassic, Post, &vfs, vf(), 409, 5),
        // Get / Update / Delete Virtual Function
        row(Get, "/api/partitions/linux1/virtual-functions/nope", None, 404, 1),
        row(Get, &format!("{VF1}?properties=name"), None, 400, 1),
        row(Post, VF1, None, 400, 3),
        row(Post, "/api/partitions/linux1/virtual-functions/nope", Some(json!({"name": "X"})), 404, 1),
        row(Delete, "/api/partitions/linux1/virtual-functions/nope", None, 404, 1),
        row_in(PartitionStarting, Delete, VF1, None, 409, 1),
        row_in(CpcNotOperating, Delete, VF1, None, 409, 6),
        row_in(CpcClassic, Delete, VF1, None, 409, 5),
    ]
}

#[test]
fn every_error_case_of_hbas_and_virtual_functions_answers_its_status_and_reason() {
    both_raw(|c, s| {
        error_table::run(c, s, &table(), &[LINUX1, LINUX2, HBA1, VF1]);
    });
}

#[test]
fn create_hba_with_a_missing_adapter_names_the_adapter() {
    both(|c, s| {
        // Act
        let r = post(
            c,
            s,
            &format!("{LINUX2}/hbas"),
            json!({"name": "X", "adapter-port-uri": "/api/adapters/nope/storage-ports/0"}),
        );

        // Assert
        assert_eq!(r.code(), (404, 2), "{}: {:?}", c.transport(), r.body);
        assert_eq!(
            r.body["message"],
            "Unknown resource with URI: /api/adapters/nope",
            "{}",
            c.transport()
        );
    });
}
