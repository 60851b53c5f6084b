//! The operations on partitions beyond Start/Stop: the dump and restart
//! jobs, ISO images, crypto configuration, Zeroize Crypto Domain and storage
//! group attachment, through the library and over HTTPS.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use mock_hmc::test_support::{STORAGE_GROUP, add_resource, store};
use mock_hmc::{Hmc, HmcError, Method};
use serde_json::{Value, json};
use support::error_table::{self, Row, State, row, row_in};
use support::helpers::{completed_job, delete, post, post_empty, props, update, uri_list};
use support::{Client, RawClient, Reply, both, both_raw};

const LINUX1: &str = "/api/partitions/linux1";
const LINUX2: &str = "/api/partitions/linux2";
const SG: &str = "/api/storage-groups/sg-fcp1";
const CRYPTO: &str = "/api/adapters/crypto-0120";

fn op(partition: &str, name: &str) -> String {
    format!("{partition}/operations/{name}")
}

/// Asserts a 202 whose job is complete at the first poll with result `{}`.
fn assert_completed_job(c: &dyn Client, s: &str, r: &Reply) {
    let job = completed_job(c, s, r);
    assert_eq!(job["job-results"], json!({}), "{}: {job:?}", c.transport());
}

// ------------------------------------------------------ dumps and restarts

#[test]
fn dump_partition_answers_a_completed_job_and_changes_nothing() {
    both(|c, s| {
        // Arrange
        let before = props(c, s, LINUX1);

        // Act
        let r = post(
            c,
            s,
            &op(LINUX1, "scsi-dump"),
            json!({"dump-load-hba-uri": "/api/partitions/linux1/hbas/hba1",
                   "dump-world-wide-port-name": "5005076810000001",
                   "dump-logical-unit-number": "0001000000000000"}),
        );

        // Assert
        assert_completed_job(c, s, &r);
        assert_eq!(props(c, s, LINUX1), before, "{}", c.transport());
    });
}

#[test]
fn start_dump_program_answers_a_completed_job_and_changes_nothing() {
    both(|c, s| {
        // Arrange
        let before = props(c, s, LINUX1);

        // Act
        let r = post(
            c,
            s,
            &op(LINUX1, "start-dump-program"),
            json!({"dump-program-info": {"storage-volume-uri": "/api/storage-groups/sg-fcp1/storage-volumes/boot"},
                   "dump-program-type": "storage"}),
        );

        // Assert
        assert_completed_job(c, s, &r);
        assert_eq!(props(c, s, LINUX1), before, "{}", c.transport());
    });
}

#[test]
fn start_dump_program_of_a_degraded_partition_is_allowed() {
    both(|c, s| {
        // Arrange
        update(c, s, LINUX1, json!({"status": "degraded"}));

        // Act
        let r = post(
            c,
            s,
            &op(LINUX1, "start-dump-program"),
            json!({"dump-program-info": {}, "dump-program-type": "storage"}),
        );

        // Assert
        assert_completed_job(c, s, &r);
        assert_eq!(
            props(c, s, LINUX1)["status"],
            "degraded",
            "{}",
            c.transport()
        );
    });
}

#[test]
fn psw_restart_answers_a_completed_job_and_changes_nothing() {
    both(|c, s| {
        // Arrange
        let before = props(c, s, LINUX1);

        // Act
        let r = post_empty(c, s, &op(LINUX1, "psw-restart"));

        // Assert
        assert_completed_job(c, s, &r);
        assert_eq!(props(c, s, LINUX1), before, "{}", c.transport());
    });
}

#[test]
fn psw_restart_of_a_terminated_partition_is_allowed() {
    both(|c, s| {
        // Arrange
        update(c, s, LINUX1, json!({"status": "terminated"}));

        // Act
        let r = post_empty(c, s, &op(LINUX1, "psw-restart"));

        // Assert
        assert_completed_job(c, s, &r);
        assert_eq!(
            props(c, s, LINUX1)["status"],
            "terminated",
            "{}",
            c.transport()
        );
    });
}

// ------------------------------------------------------------- ISO images

#[test]
fn mount_iso_image_accepts_the_raw_image_and_records_its_names() {
    both_raw(|c, s| {
        // Arrange: bytes that are neither UTF-8 nor JSON, typed as zhmcclient does.
        let image: Vec<u8> = (0..=255u8).cycle().take(64 * 1024).collect();
        let uri = op(
            LINUX2,
            "mount-iso-image?image-name=SLES%2015.iso&ins-file-name=%2Fsuse.ins",
        );

        // Act
        let r = c.send_raw(
            "POST",
            &uri,
            Some(s),
            Some("application/octet-stream"),
            &image,
        );

        // Assert
        assert_eq!(r.status, 200, "{}: {:?}", c.transport(), r.body);
        assert_eq!(r.body, json!({}), "{}", c.transport());
        let p = props(c, s, LINUX2);
        assert_eq!(p["boot-iso-image-name"], "SLES 15.iso", "{}", c.transport());
        assert_eq!(p["boot-iso-ins-file"], "/suse.ins", "{}", c.transport());
    });
}

#[test]
fn mount_iso_image_replaces_a_mounted_image_of_an_active_partition() {
    both_raw(|c, s| {
        // Arrange
        for name in ["a.iso", "b.iso"] {
            // Act
            let r = c.send_raw(
                "POST",
                &op(
                    LINUX1,
                    &format!("mount-iso-image?image-name={name}&ins-file-name=x.ins"),
                ),
                Some(s),
                Some("application/octet-stream"),
                b"ISO",
            );
            assert_eq!(r.status, 200, "{}: {:?}", c.transport(), r.body);
        }

        // Assert
        assert_eq!(
            props(c, s, LINUX1)["boot-iso-image-name"],
            "b.iso",
            "{}",
            c.transport()
        );
    });
}

#[test]
fn unmount_iso_image_sets_both_names_to_null() {
    both_raw(|c, s| {
        // Arrange
        let mounted = c.send_raw(
            "POST",
            &op(
                LINUX2,
                "mount-iso-image?image-name=a.iso&ins-file-name=a.ins",
            ),
            Some(s),
            Some("application/octet-stream"),
            b"ISO",
        );
        assert_eq!(mounted.status, 200, "{}: {:?}", c.transport(), mounted.body);

        // Act
        let r = post_empty(c, s, &op(LINUX2, "unmount-iso-image"));

        // Assert
        assert_eq!(r.status, 200, "{}: {:?}", c.transport(), r.body);
        assert_eq!(r.body, json!({}), "{}", c.transport());
        let p = props(c, s, LINUX2);
        assert_eq!(p["boot-iso-image-name"], Value::Null, "{}", c.transport());
        assert_eq!(p["boot-iso-ins-file"], Value::Null, "{}", c.transport());
    });
}

// ---------------------------------------------------- crypto configuration

#[test]
fn increase_crypto_configuration_creates_a_missing_configuration() {
    both(|c, s| {
        // Act
        let r = post(
            c,
            s,
            &op(LINUX2, "increase-crypto-configuration"),
            json!({"crypto-adapter-uris": [CRYPTO],
                   "crypto-domain-configurations": [{"domain-index": 3, "access-mode": "control-usage"}]}),
        );

        // Assert
        assert_eq!(r.status, 204, "{}: {:?}", c.transport(), r.body);
        assert_eq!(
            props(c, s, LINUX2)["crypto-configuration"],
            json!({"crypto-adapter-uris": [CRYPTO],
                   "crypto-domain-configurations": [{"domain-index": 3, "access-mode": "control-usage"}]}),
            "{}",
            c.transport()
        );
    });
}

#[test]
fn increase_crypto_configuration_appends_only_what_is_new() {
    both(|c, s| {
        // Act
        let r = post(
            c,
            s,
            &op(LINUX1, "increase-crypto-configuration"),
            json!({"crypto-adapter-uris": [CRYPTO, "/api/adapters/crypto-0121"],
                   "crypto-domain-configurations": [
                       {"domain-index": 0, "access-mode": "control-usage"},
                       {"domain-index": 2, "access-mode": "control"}]}),
        );

        // Assert
        assert_eq!(r.status, 204, "{}: {:?}", c.transport(), r.body);
        assert_eq!(
            props(c, s, LINUX1)["crypto-configuration"],
            json!({"crypto-adapter-uris": [CRYPTO, "/api/adapters/crypto-0121"],
                   "crypto-domain-configurations": [
                       {"domain-index": 0, "access-mode": "control-usage"},
                       {"domain-index": 1, "access-mode": "control"},
                       {"domain-index": 2, "access-mode": "control"}]}),
            "{}",
            c.transport()
        );
    });
}

#[test]
fn decrease_crypto_configuration_removes_adapters_and_every_matching_domain() {
    both(|c, s| {
        // Arrange: a second configuration of domain 1 right after the first.
        let added = post(
            c,
            s,
            &op(LINUX1, "increase-crypto-configuration"),
            json!({"crypto-domain-configurations": [{"domain-index": 1, "access-mode": "control-usage"}]}),
        );
        assert_eq!(added.status, 204, "{}: {:?}", c.transport(), added.body);

        // Act
        let r = post(
            c,
            s,
            &op(LINUX1, "decrease-crypto-configuration"),
            json!({"crypto-adapter-uris": [CRYPTO], "crypto-domain-indexes": [1]}),
        );

        // Assert
        assert_eq!(r.status, 204, "{}: {:?}", c.transport(), r.body);
        assert_eq!(
            props(c, s, LINUX1)["crypto-configuration"],
            json!({"crypto-adapter-uris": [],
                   "crypto-domain-configurations": [{"domain-index": 0, "access-mode": "control-usage"}]}),
            "{}",
            c.transport()
        );
    });
}

#[test]
fn change_crypto_domain_configuration_sets_the_access_mode() {
    both(|c, s| {
        // Act
        let r = post(
            c,
            s,
            &op(LINUX1, "change-crypto-domain-configuration"),
            json!({"domain-index": 1, "access-mode": "control-usage"}),
        );

        // Assert
        assert_eq!(r.status, 204, "{}: {:?}", c.transport(), r.body);
        assert_eq!(
            props(c, s, LINUX1)["crypto-configuration"]["crypto-domain-configurations"],
            json!([{"domain-index": 0, "access-mode": "control-usage"},
                   {"domain-index": 1, "access-mode": "control-usage"}]),
            "{}",
            c.transport()
        );
    });
}

#[test]
fn change_crypto_domain_configuration_of_an_unknown_domain_changes_nothing() {
    both(|c, s| {
        // Arrange
        let before = props(c, s, LINUX1)["crypto-configuration"].clone();

        // Act
        let r = post(
            c,
            s,
            &op(LINUX1, "change-crypto-domain-configuration"),
            json!({"domain-index": 9, "access-mode": "control"}),
        );

        // Assert
        assert_eq!(r.status, 204, "{}: {:?}", c.transport(), r.body);
        assert_eq!(
            props(c, s, LINUX1)["crypto-configuration"],
            before,
            "{}",
            c.transport()
        );
    });
}

#[test]
fn zeroize_crypto_domain_of_a_controlled_domain_answers_204_and_changes_nothing() {
    both(|c, s| {
        // Arrange
        let before = props(c, s, LINUX1);

        // Act
        let r = post(
            c,
            s,
            &op(LINUX1, "zeroize-crypto-domain"),
            json!({"crypto-adapter-uri": CRYPTO, "domain-index": 0}),
        );

        // Assert
        assert_eq!(r.status, 204, "{}: {:?}", c.transport(), r.body);
        assert_eq!(props(c, s, LINUX1), before, "{}", c.transport());
    });
}

#[test]
fn zeroize_crypto_domain_without_control_usage_names_the_domain() {
    both(|c, s| {
        // Act
        let r = post(
            c,
            s,
            &op(LINUX1, "zeroize-crypto-domain"),
            json!({"crypto-adapter-uri": CRYPTO, "domain-index": 1}),
        );

        // Assert
        assert_eq!(r.code(), (409, 123), "{}: {:?}", c.transport(), r.body);
        assert_eq!(
            r.body["message"],
            format!(
                "Crypto domain 1 of adapter {CRYPTO} is not assigned to partition LINUX1 in control-usage mode"
            ),
            "{}",
            c.transport()
        );
    });
}

// ---------------------------------------------------------- storage groups

#[test]
fn attach_storage_group_links_partition_and_group() {
    both(|c, s| {
        // Act
        let r = post(
            c,
            s,
            &op(LINUX2, "attach-storage-group"),
            json!({"storage-group-uri": SG}),
        );

        // Assert
        assert_eq!(r.status, 204, "{}: {:?}", c.transport(), r.body);
        assert_eq!(
            uri_list(c, s, LINUX2, "storage-group-uris"),
            [SG],
            "{}",
            c.transport()
        );
        assert_eq!(
            uri_list(c, s, SG, "attached-partition-uris"),
            [LINUX1, LINUX2],
            "{}",
            c.transport()
        );
    });
}

#[test]
fn detach_storage_group_unlinks_partition_and_group() {
    both(|c, s| {
        // Act
        let r = post(
            c,
            s,
            &op(LINUX1, "detach-storage-group"),
            json!({"storage-group-uri": SG}),
        );

        // Assert
        assert_eq!(r.status, 204, "{}: {:?}", c.transport(), r.body);
        assert!(
            uri_list(c, s, LINUX1, "storage-group-uris").is_empty(),
            "{}",
            c.transport()
        );
        assert!(
            uri_list(c, s, SG, "attached-partition-uris").is_empty(),
            "{}",
            c.transport()
        );
    });
}

#[test]
fn a_detached_storage_group_can_be_attached_again() {
    both(|c, s| {
        // Arrange
        let body = json!({"storage-group-uri": SG});
        update(c, s, &op(LINUX1, "detach-storage-group"), body.clone());

        // Act
        let r = post(c, s, &op(LINUX1, "attach-storage-group"), body);

        // Assert
        assert_eq!(r.status, 204, "{}: {:?}", c.transport(), r.body);
        assert_eq!(
            uri_list(c, s, LINUX1, "storage-group-uris"),
            [SG],
            "{}",
            c.transport()
        );
        assert_eq!(
            uri_list(c, s, SG, "attached-partition-uris"),
            [LINUX1],
            "{}",
            c.transport()
        );
    });
}

/// Adds, through the library, a storage group of the classic CPC (there
/// is no API in this crate's scope to create one); returns its URI.
fn add_storage_group_of_classic_cpc(c: &dyn RawClient) -> String {
    let hmc = Hmc::open(c.db_path()).unwrap();
    store(&hmc)
        .write(|tx| -> Result<String, HmcError> {
            let console = tx.resource("/api/console")?.unwrap();
            let props = json!({"object-id": "sg-classic", "name": "SG-CLASSIC",
                               "cpc-uri": "/api/cpcs/classic1", "type": "fcp"});
            let props = props.as_object().unwrap().clone();
            Ok(add_resource(tx, &STORAGE_GROUP, Some(&console), props)?.uri)
        })
        .unwrap()
}

#[test]
fn attach_storage_group_of_another_cpc_is_409_121() {
    both_raw(|c, s| {
        // Arrange
        let sg = add_storage_group_of_classic_cpc(c);

        // Act
        let r = post(
            c,
            s,
            &op(LINUX2, "attach-storage-group"),
            json!({"storage-group-uri": sg}),
        );

        // Assert
        assert_eq!(r.code(), (409, 121), "{}: {:?}", c.transport(), r.body);
        assert!(
            uri_list(c, s, LINUX2, "storage-group-uris").is_empty(),
            "{}",
            c.transport()
        );
    });
}

#[test]
fn deleting_a_partition_removes_it_from_its_storage_groups() {
    both(|c, s| {
        // Arrange
        let attached = post(
            c,
            s,
            &op(LINUX2, "attach-storage-group"),
            json!({"storage-group-uri": SG}),
        );
        assert_eq!(
            attached.status,
            204,
            "{}: {:?}",
            c.transport(),
            attached.body
        );

        // Act
        let r = delete(c, s, LINUX2);

        // Assert
        assert_eq!(r.status, 204, "{}: {:?}", c.transport(), r.body);
        assert_eq!(
            uri_list(c, s, SG, "attached-partition-uris"),
            [LINUX1],
            "{}",
            c.transport()
        );
    });
}

// ------------------------------------------------------------------ errors

fn body(v: Value) -> Option<Value> {
    Some(v)
}

/// Every error case of the partition operations. One row per line.
#[rustfmt::skip]
fn table() -> Vec<Row> {
    use Method::{Get, Post};
    use State::{CpcClassic, CpcNotOperating, PartitionStarting};
    let dump = || body(json!({"dump-load-hba-uri": "/api/partitions/linux1/hbas/hba1", "dump-world-wide-port-name": "1", "dump-logical-unit-number": "0"}));
    let program = || body(json!({"dump-program-info": {}, "dump-program-type": "storage"}));
    let zeroize = |adapter: &str, index: Value| body(json!({"crypto-adapter-uri": adapter, "domain-index": index}));
    let sg = |uri: Value| body(json!({"storage-group-uri": uri}));
    let mount = |p: &str| op(p, "mount-iso-image?image-name=a.iso&ins-file-name=a.ins");
    vec![
        // Dump Partition
        row(Post, "/api/partitions/nope/operations/scsi-dump", dump(), 404, 1),
        row(Get, &op(LINUX1, "scsi-dump"), None, 404, 1),
        row(Post, &op(LINUX2, "scsi-dump"), dump(), 409, 1),
        row(Post, &op(LINUX1, "scsi-dump"), None, 400, 3),
        row(Post, &op(LINUX1, "scsi-dump"), body(json!({"dump-load-hba-uri": "/x", "dump-world-wide-port-name": "1"})), 400, 5),
        row_in(PartitionStarting, Post, &op(LINUX1, "scsi-dump"), dump(), 409, 1),
        row_in(CpcNotOperating, Post, &op(LINUX1, "scsi-dump"), dump(), 409, 6),
        row_in(CpcClassic, Post, &op(LINUX1, "scsi-dump"), dump(), 409, 5),
        // Start Dump Program
        row(Post, "/api/partitions/nope/operations/start-dump-program", program(), 404, 1),
        row(Post, &op(LINUX2, "start-dump-program"), program(), 409, 1),
        row(Post, &op(LINUX1, "start-dump-program"), None, 400, 3),
        row(Post, &op(LINUX1, "start-dump-program"), body(json!({"dump-program-info": {}})), 400, 5),
        row_in(CpcNotOperating, Post, &op(LINUX1, "start-dump-program"), program(), 409, 6),
        row_in(CpcClassic, Post, &op(LINUX1, "start-dump-program"), program(), 409, 5),
        // Perform PSW Restart
        row(Post, "/api/partitions/nope/operations/psw-restart", None, 404, 1),
        row(Post, &op(LINUX1, "psw-restart?x=1"), None, 404, 1),
        row(Post, &op(LINUX2, "psw-restart"), None, 409, 1),
        row_in(PartitionStarting, Post, &op(LINUX1, "psw-restart"), None, 409, 1),
        row_in(CpcNotOperating, Post, &op(LINUX1, "psw-restart"), None, 409, 6),
        row_in(CpcClassic, Post, &op(LINUX1, "psw-restart"), None, 409, 5),
        // Mount ISO Image: unknown query parameters are checked first.
        row(Post, "/api/partitions/nope/operations/mount-iso-image?foo=1", None, 400, 1),
        row(Post, "/api/partitions/nope/operations/mount-iso-image?image-name=a&ins-file-name=b", None, 404, 1),
        row(Post, &op(LINUX2, "mount-iso-image?ins-file-name=a.ins"), None, 400, 1),
        row(Post, &op(LINUX2, "mount-iso-image?image-name=a.iso"), None, 400, 1),
        row(Post, &op(LINUX2, "mount-iso-image"), None, 400, 1),
        row(Post, &op(LINUX2, "mount-iso-image?image-name"), None, 400, 1),
        row_in(PartitionStarting, Post, &mount(LINUX1), None, 409, 1),
        row_in(CpcNotOperating, Post, &mount(LINUX1), None, 409, 6),
        row_in(CpcClassic, Post, &mount(LINUX1), None, 409, 5),
        // Unmount ISO Image
        row(Post, "/api/partitions/nope/operations/unmount-iso-image", None, 404, 1),
        row(Post, &op(LINUX1, "unmount-iso-image?a=b"), None, 404, 1),
        row_in(PartitionStarting, Post, &op(LINUX1, "unmount-iso-image"), None, 409, 1),
        row_in(CpcNotOperating, Post, &op(LINUX1, "unmount-iso-image"), None, 409, 6),
        row_in(CpcClassic, Post, &op(LINUX1, "unmount-iso-image"), None, 409, 5),
        // Increase / Decrease / Change Crypto (Domain) Configuration
        row(Post, "/api/partitions/nope/operations/increase-crypto-configuration", body(json!({})), 404, 1),
        row(Post, &op(LINUX2, "increase-crypto-configuration"), None, 400, 3),
        row(Post, &op(LINUX2, "increase-crypto-configuration"), body(json!({"crypto-adapter-uris": CRYPTO})), 400, 7),
        row(Post, &op(LINUX2, "increase-crypto-configuration"), body(json!({"crypto-domain-configurations": {"domain-index": 1}})), 400, 7),
        row(Post, &op(LINUX1, "decrease-crypto-configuration"), None, 400, 3),
        row(Post, &op(LINUX1, "decrease-crypto-configuration"), body(json!({"crypto-domain-indexes": 1})), 400, 7),
        row(Post, &op(LINUX1, "change-crypto-domain-configuration"), None, 400, 3),
        row(Post, &op(LINUX1, "change-crypto-domain-configuration"), body(json!({"domain-index": 1})), 400, 5),
        row(Post, &op(LINUX1, "change-crypto-domain-configuration"), body(json!({"access-mode": "control"})), 400, 5),
        row_in(PartitionStarting, Post, &op(LINUX1, "increase-crypto-configuration"), body(json!({})), 409, 1),
        row_in(PartitionStarting, Post, &op(LINUX1, "decrease-crypto-configuration"), body(json!({})), 409, 1),
        row_in(PartitionStarting, Post, &op(LINUX1, "change-crypto-domain-configuration"), body(json!({"domain-index": 1, "access-mode": "control"})), 409, 1),
        row_in(CpcNotOperating, Post, &op(LINUX1, "increase-crypto-configuration"), body(json!({})), 409, 6),
        row_in(CpcNotOperating, Post, &op(LINUX1, "decrease-crypto-configuration"), body(json!({})), 409, 6),
        row_in(CpcNotOperating, Post, &op(LINUX1, "change-crypto-domain-configuration"), body(json!({"domain-index": 1, "access-mode": "control"})), 409, 6),
        row_in(CpcClassic, Post, &op(LINUX1, "increase-crypto-configuration"), body(json!({})), 409, 5),
        row_in(CpcClassic, Post, &op(LINUX1, "decrease-crypto-configuration"), body(json!({})), 409, 5),
        row_in(CpcClassic, Post, &op(LINUX1, "change-crypto-domain-configuration"), body(json!({"domain-index": 1, "access-mode": "control"})), 409, 5),
        // Zeroize Crypto Domain
        row(Post, "/api/partitions/nope/operations/zeroize-crypto-domain", zeroize(CRYPTO, json!(0)), 404, 1),
        row(Post, &op(LINUX1, "zeroize-crypto-domain"), None, 400, 3),
        row(Post, &op(LINUX1, "zeroize-crypto-domain"), body(json!({"crypto-adapter-uri": CRYPTO})), 400, 5),
        row(Post, &op(LINUX1, "zeroize-crypto-domain"), body(json!({"domain-index": 0})), 400, 5),
        row(Post, &op(LINUX1, "zeroize-crypto-domain"), body(json!({"crypto-adapter-uri": 7, "domain-index": 0})), 400, 7),
        row(Post, &op(LINUX1, "zeroize-crypto-domain"), zeroize(CRYPTO, json!("0")), 400, 7),
        row(Post, &op(LINUX1, "zeroize-crypto-domain"), zeroize(CRYPTO, json!(-1)), 400, 7),
        row(Post, &op(LINUX1, "zeroize-crypto-domain"), zeroize("/api/adapters/nope", json!(0)), 404, 2),
        row(Post, &op(LINUX1, "zeroize-crypto-domain"), zeroize(LINUX2, json!(0)), 404, 2),
        row(Post, &op(LINUX1, "zeroize-crypto-domain"), zeroize("/api/adapters/osa-0108", json!(0)), 409, 123),
        row(Post, &op(LINUX1, "zeroize-crypto-domain"), zeroize(CRYPTO, json!(1)), 409, 123),
        row(Post, &op(LINUX1, "zeroize-crypto-domain"), zeroize(CRYPTO, json!(5)), 409, 123),
        row(Post, &op(LINUX2, "zeroize-crypto-domain"), zeroize(CRYPTO, json!(0)), 409, 123),
        row_in(PartitionStarting, Post, &op(LINUX1, "zeroize-crypto-domain"), zeroize(CRYPTO, json!(0)), 409, 1),
        row_in(CpcNotOperating, Post, &op(LINUX1, "zeroize-crypto-domain"), zeroize(CRYPTO, json!(0)), 409, 6),
        row_in(CpcClassic, Post, &op(LINUX1, "zeroize-crypto-domain"), zeroize(CRYPTO, json!(0)), 409, 5),
        // Attach / Detach Storage Group
        row(Post, "/api/partitions/nope/operations/attach-storage-group", sg(json!(SG)), 404, 1),
        row(Post, &op(LINUX2, "attach-storage-group"), None, 400, 3),
        row(Post, &op(LINUX2, "attach-storage-group"), body(json!({})), 400, 5),
        row(Post, &op(LINUX2, "attach-storage-group"), sg(json!(5)), 400, 7),
        row(Post, &op(LINUX2, "attach-storage-group"), sg(json!("/api/storage-groups/nope")), 404, 2),
        row(Post, &op(LINUX2, "attach-storage-group"), sg(json!("/api/storage-templates/st-fcp")), 404, 2),
        row(Post, &op(LINUX1, "attach-storage-group"), sg(json!(SG)), 409, 120),
        row(Post, "/api/partitions/nope/operations/detach-storage-group", sg(json!(SG)), 404, 1),
        row(Post, &op(LINUX1, "detach-storage-group"), None, 400, 3),
        row(Post, &op(LINUX1, "detach-storage-group"), body(json!({"x": 1})), 400, 5),
        row(Post, &op(LINUX1, "detach-storage-group"), sg(json!("/api/storage-groups/nope")), 404, 2),
        row(Post, &op(LINUX2, "detach-storage-group"), sg(json!(SG)), 409, 122),
        row_in(PartitionStarting, Post, &op(LINUX1, "detach-storage-group"), sg(json!(SG)), 409, 1),
        row_in(CpcNotOperating, Post, &op(LINUX2, "attach-storage-group"), sg(json!(SG)), 409, 6),
        row_in(CpcNotOperating, Post, &op(LINUX1, "detach-storage-group"), sg(json!(SG)), 409, 6),
        row_in(CpcClassic, Post, &op(LINUX2, "attach-storage-group"), sg(json!(SG)), 409, 5),
        row_in(CpcClassic, Post, &op(LINUX1, "detach-storage-group"), sg(json!(SG)), 409, 5),
    ]
}

#[test]
fn every_error_case_of_the_partition_operations_answers_its_status_and_reason() {
    both_raw(|c, s| {
        error_table::run(c, s, &table(), &[LINUX1, LINUX2, SG, "/api/cpcs/dpm1"]);
    });
}

#[test]
fn missing_image_name_message_names_the_parameter() {
    both(|c, s| {
        // Act
        let r = post_empty(c, s, &op(LINUX2, "mount-iso-image?ins-file-name=a.ins"));

        // Assert
        assert_eq!(r.code(), (400, 1), "{}: {:?}", c.transport(), r.body);
        assert_eq!(
            r.body["message"],
            "Missing required URI query parameter 'image-name'",
            "{}",
            c.transport()
        );
    });
}
