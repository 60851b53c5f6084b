//! Device numbers and WWPNs that clients supply or change: they are
//! reserved in the partition's pools like allocated ones, so no two
//! children of a partition share one (400.8), and a changed number frees
//! the old one.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use serde_json::{Value, json};
use support::helpers::{post, props};
use support::{Client, Reply, both};

const VSWITCH: &str = "/api/virtual-switches/vswitch-osa-0108";
const FCP_PORT: &str = "/api/adapters/fcp-0118/storage-ports/0";

fn prop(c: &dyn Client, s: &str, uri: &str, name: &str) -> Value {
    props(c, s, uri)[name].clone()
}

fn create_nic(c: &dyn Client, s: &str, partition: &str, body: Value) -> Reply {
    let mut body = body;
    body["virtual-switch-uri"] = json!(VSWITCH);
    post(c, s, &format!("/api/partitions/{partition}/nics"), body)
}

#[test]
fn a_supplied_device_number_in_use_in_the_partition_is_400_reason_8() {
    both(|c, s| {
        // Arrange: LINUX2's NIC1 holds 8000.
        let t = c.transport();

        // Act
        let nic = create_nic(
            c,
            s,
            "linux2",
            json!({"name": "N2", "device-number": "8000"}),
        );
        let hba = post(
            c,
            s,
            "/api/partitions/linux2/hbas",
            json!({"name": "H2", "adapter-port-uri": FCP_PORT, "device-number": "8000"}),
        );
        let nics_after_clash = prop(c, s, "/api/partitions/linux2", "nic-uris");
        let first = create_nic(
            c,
            s,
            "linux1",
            json!({"name": "N9", "device-number": "9100"}),
        );
        let other_partition = create_nic(
            c,
            s,
            "linux2",
            json!({"name": "N9", "device-number": "9100"}),
        );

        // Assert
        assert_eq!(nic.code(), (400, 8), "{t}: {:?}", nic.body);
        assert_eq!(hba.code(), (400, 8), "{t}: {:?}", hba.body);
        assert_eq!(
            nics_after_clash,
            json!(["/api/partitions/linux2/nics/nic1"]),
            "{t}"
        );
        // Pools are per partition: the same number in two partitions is fine.
        assert_eq!(first.status, 201, "{t}: {:?}", first.body);
        assert_eq!(
            other_partition.status, 201,
            "{t}: {:?}",
            other_partition.body
        );
    });
}

#[test]
fn a_supplied_device_number_is_reserved_and_skipped_by_allocation() {
    both(|c, s| {
        // Arrange
        let t = c.transport();
        let given = create_nic(
            c,
            s,
            "linux2",
            json!({"name": "N2", "device-number": "8001"}),
        );
        assert_eq!(given.status, 201, "{t}: {:?}", given.body);

        // Act
        let auto = create_nic(c, s, "linux2", json!({"name": "N3"}));
        let again = create_nic(
            c,
            s,
            "linux2",
            json!({"name": "N4", "device-number": "8001"}),
        );

        // Assert
        let auto_uri = auto.body["element-uri"].as_str().unwrap();
        assert_eq!(prop(c, s, auto_uri, "device-number"), "8002", "{t}");
        assert_eq!(again.code(), (400, 8), "{t}: {:?}", again.body);
    });
}

#[test]
fn changing_a_device_number_frees_the_old_one_and_rejects_a_taken_one() {
    both(|c, s| {
        // Arrange: LINUX2's NIC1 holds 8000; a second NIC gets 8001.
        let t = c.transport();
        let second = create_nic(c, s, "linux2", json!({"name": "N2"}));
        let second = second.body["element-uri"].as_str().unwrap().to_string();
        let nic1 = "/api/partitions/linux2/nics/nic1";

        // Act
        let taken = post(c, s, nic1, json!({"device-number": "8001"}));
        let moved = post(c, s, nic1, json!({"device-number": "9000"}));
        let reused = create_nic(c, s, "linux2", json!({"name": "N3"}));

        // Assert
        assert_eq!(taken.code(), (400, 8), "{t}: {:?}", taken.body);
        assert_eq!(moved.status, 204, "{t}: {:?}", moved.body);
        assert_eq!(prop(c, s, nic1, "device-number"), "9000", "{t}");
        assert_eq!(prop(c, s, &second, "device-number"), "8001", "{t}");
        let reused = reused.body["element-uri"].as_str().unwrap();
        assert_eq!(prop(c, s, reused, "device-number"), "8000", "{t}");
    });
}

#[test]
fn changing_an_hba_wwpn_moves_its_reservation() {
    both(|c, s| {
        // Arrange: LINUX1's HBA1 holds WWPN ...8000.
        let t = c.transport();
        let hba1 = "/api/partitions/linux1/hbas/hba1";
        assert_eq!(prop(c, s, hba1, "wwpn"), "AFFEAFFE00008000", "{t}");

        // Act
        let moved = post(c, s, hba1, json!({"wwpn": "AFFEAFFE00008010"}));
        let new = post(
            c,
            s,
            "/api/partitions/linux1/hbas",
            json!({"name": "HBA2", "adapter-port-uri": FCP_PORT}),
        );
        let taken = post(
            c,
            s,
            "/api/partitions/linux1/hbas",
            json!({"name": "HBA3", "adapter-port-uri": FCP_PORT, "wwpn": "AFFEAFFE00008010"}),
        );

        // Assert
        assert_eq!(moved.status, 204, "{t}: {:?}", moved.body);
        let new = new.body["element-uri"].as_str().unwrap();
        assert_eq!(prop(c, s, new, "wwpn"), "AFFEAFFE00008000", "{t}");
        assert_eq!(taken.code(), (400, 8), "{t}: {:?}", taken.body);
    });
}

#[test]
fn a_device_number_of_a_virtual_function_is_unique_too() {
    both(|c, s| {
        // Arrange: LINUX1's VF1 holds 8001 (after HBA1's 8000).
        let t = c.transport();
        let vf1 = "/api/partitions/linux1/virtual-functions/vf1";
        let held = prop(c, s, vf1, "device-number");

        // Act
        let clash = post(
            c,
            s,
            "/api/partitions/linux1/virtual-functions",
            json!({"name": "VF2", "device-number": held}),
        );

        // Assert
        assert_eq!(clash.code(), (400, 8), "{t}: {:?}", clash.body);
    });
}
