//! LPARs of the default HMC's classic CPC: Update Logical Partition
//! Properties and the jobs (activate, deactivate, the loads and dumps,
//! start, stop, PSW restart, resets, load from FTP) with their status
//! transitions and error rules, through the library and over HTTPS.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use mock_hmc::Method::{Get, Post};
use serde_json::{Value, json};
use support::error_table::{self, Row, State, row, row_in};
use support::helpers::{post, post_empty, props, update};
use support::{Client, RawClient, Reply, both, both_raw, edit_hmc};

const LPAR1: &str = "/api/logical-partitions/classic1-lpar1";
const LPAR2: &str = "/api/logical-partitions/classic1-lpar2";
const IMAGE_LPAR2: &str = "/api/cpcs/classic1/image-activation-profiles/LPAR2";

fn op(lpar: &str, name: &str) -> String {
    format!("{lpar}/operations/{name}")
}

/// Asserts a 202 whose job is complete at the first poll without a result
/// (job status code 204), so zhmcclient returns `None` like its mock.
fn assert_done(c: &dyn Client, s: &str, r: &Reply) {
    let t = c.transport();
    assert_eq!(r.status, 202, "{t}: {:?}", r.body);
    assert!(r.location.is_none(), "{t}: no Location header");
    let job = props(c, s, r.body["job-uri"].as_str().unwrap());
    assert_eq!(job["status"], "complete", "{t}: {job:?}");
    assert_eq!(job["job-status-code"], 204, "{t}: {job:?}");
    assert!(
        job.get("job-results").is_none_or(Value::is_null),
        "{t}: {job:?}"
    );
}

/// The `status` of the LPAR as List Logical Partitions shows it (what
/// zhmcclient's `wait_for_status` reads).
fn listed_status(c: &dyn Client, s: &str, name: &str) -> Value {
    let list = props(
        c,
        s,
        &format!("/api/cpcs/classic1/logical-partitions?name={name}"),
    );
    let items = list["logical-partitions"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}: {list:?}", c.transport());
    items[0]["status"].clone()
}

/// POSTs `body` (or none) to the operation and asserts the completed job.
fn run(c: &dyn Client, s: &str, lpar: &str, name: &str, body: Option<Value>) {
    let r = match body {
        Some(b) => post(c, s, &op(lpar, name), b),
        None => post_empty(c, s, &op(lpar, name)),
    };
    assert_done(c, s, &r);
}

// ------------------------------------------------------ activate, deactivate

#[test]
fn activate_takes_a_not_activated_lpar_to_not_operating_with_its_profile() {
    both(|c, s| {
        // Act
        run(c, s, LPAR2, "activate", None);

        // Assert
        let t = c.transport();
        let p = props(c, s, LPAR2);
        assert_eq!(p["status"], "not-operating", "{t}");
        assert_eq!(listed_status(c, s, "LPAR2"), "not-operating", "{t}");
        assert_eq!(p["last-used-activation-profile"], "LPAR2", "{t}");
        assert_eq!(
            p["activation-mode"], "linux",
            "{t}: the image profile's mode"
        );
    });
}

#[test]
fn activate_with_load_at_activation_ends_operating_with_the_profiles_load_address() {
    both(|c, s| {
        // Arrange
        update(c, s, IMAGE_LPAR2, json!({"load-at-activation": true}));

        // Act
        run(
            c,
            s,
            LPAR2,
            "activate",
            Some(json!({"activation-profile-name": "LPAR2"})),
        );

        // Assert
        let p = props(c, s, LPAR2);
        assert_eq!(p["status"], "operating", "{}", c.transport());
        assert_eq!(p["last-used-load-address"], "05678", "{}", c.transport());
    });
}

#[test]
fn activate_with_a_load_profile_name_activates_and_loads() {
    both(|c, s| {
        // Act
        run(
            c,
            s,
            LPAR2,
            "activate",
            Some(json!({"activation-profile-name": "DEFAULTLOAD"})),
        );

        // Assert
        let p = props(c, s, LPAR2);
        assert_eq!(p["status"], "operating", "{}", c.transport());
        assert_eq!(
            p["last-used-activation-profile"],
            "DEFAULTLOAD",
            "{}",
            c.transport()
        );
        assert_eq!(p["last-used-load-address"], "01234", "{}", c.transport());
    });
}

#[test]
fn activate_of_an_operating_lpar_with_force_keeps_it_active() {
    both(|c, s| {
        // Act
        run(c, s, LPAR1, "activate", Some(json!({"force": true})));

        // Assert: LPAR1's image profile does not load at activation.
        assert_eq!(
            props(c, s, LPAR1)["status"],
            "not-operating",
            "{}",
            c.transport()
        );
    });
}

#[test]
fn deactivate_with_force_takes_an_operating_lpar_to_not_activated() {
    both(|c, s| {
        // Act
        run(c, s, LPAR1, "deactivate", Some(json!({"force": true})));

        // Assert
        let p = props(c, s, LPAR1);
        assert_eq!(p["status"], "not-activated", "{}", c.transport());
        assert_eq!(p["activation-mode"], "not-set", "{}", c.transport());
        assert_eq!(
            listed_status(c, s, "LPAR1"),
            "not-activated",
            "{}",
            c.transport()
        );
    });
}

#[test]
fn deactivate_of_a_not_operating_lpar_needs_no_force() {
    both(|c, s| {
        // Arrange
        run(c, s, LPAR2, "activate", None);

        // Act
        run(c, s, LPAR2, "deactivate", None);

        // Assert
        assert_eq!(
            props(c, s, LPAR2)["status"],
            "not-activated",
            "{}",
            c.transport()
        );
    });
}

// ------------------------------------------------------------------ loads

#[test]
fn load_sets_the_last_used_address_and_clears_memory() {
    both(|c, s| {
        // Arrange
        run(c, s, LPAR2, "activate", None);

        // Act
        run(
            c,
            s,
            LPAR2,
            "load",
            Some(json!({"load-address": "0A000", "load-parameter": "X"})),
        );

        // Assert
        let t = c.transport();
        let p = props(c, s, LPAR2);
        assert_eq!(p["status"], "operating", "{t}");
        assert_eq!(p["last-used-load-address"], "0A000", "{t}");
        assert_eq!(p["last-used-load-parameter"], "X", "{t}");
        assert_eq!(p["memory"], "", "{t}");
        assert_eq!(p["stored-status"], Value::Null, "{t}");
    });
}

#[test]
fn load_without_an_address_reuses_the_last_used_one_and_can_store_the_status() {
    both(|c, s| {
        // Arrange: LPAR1 was loaded from 01234.
        update(c, s, LPAR1, json!({"memory": "kernel"}));

        // Act
        run(
            c,
            s,
            LPAR1,
            "load",
            Some(json!({"force": true, "clear-indicator": false, "store-status-indicator": true})),
        );

        // Assert
        let t = c.transport();
        let p = props(c, s, LPAR1);
        assert_eq!(p["last-used-load-address"], "01234", "{t}");
        assert_eq!(p["last-used-load-parameter"], "", "{t}");
        assert_eq!(p["memory"], "kernel", "{t}: not cleared");
        assert_eq!(p["stored-status"], "operating", "{t}");
    });
}

#[test]
fn scsi_load_records_every_last_used_property_on_hmc_2_16() {
    both(|c, s| {
        // Arrange
        run(c, s, LPAR2, "activate", None);

        // Act
        run(
            c,
            s,
            LPAR2,
            "scsi-load",
            Some(
                json!({"load-address": "1F00", "world-wide-port-name": "5005076810000001",
                        "logical-unit-number": "0001000000000000", "secure-boot": true}),
            ),
        );

        // Assert
        let t = c.transport();
        let p = props(c, s, LPAR2);
        let expected = json!({
            "status": "operating",
            "last-used-load-address": "1F00",
            "last-used-load-parameter": "",
            "last-used-world-wide-port-name": "5005076810000001",
            "last-used-logical-unit-number": "0001000000000000",
            "last-used-disk-partition-id": 0,
            "last-used-operating-system-specific-load-parameters": "",
            "last-used-boot-record-logical-block-address": "0",
            "last-used-load-type": "ipltype-scsi",
            "last-used-secure-boot": true,
            "last-used-clear-indicator": true,
        });
        for (k, v) in expected.as_object().unwrap() {
            assert_eq!(&p[k], v, "{t}: {k}");
        }
    });
}

#[test]
fn dumps_and_nvme_loads_record_their_load_type_without_wwpn_or_clear_indicator() {
    both(|c, s| {
        let t = c.transport();
        // Arrange
        run(c, s, LPAR2, "activate", None);
        let scsi = json!({"load-address": "1F00", "world-wide-port-name": "W", "logical-unit-number": "L"});

        for (name, body, load_type) in [
            ("scsi-dump", scsi.clone(), "ipltype-scsidump"),
            (
                "nvme-load",
                json!({"load-address": "2F00", "force": true, "clear-indicator": false}),
                "ipltype-nvme",
            ),
            (
                "nvme-dump",
                json!({"load-address": "3F00", "force": true}),
                "ipltype-nvmedump",
            ),
        ] {
            // Act
            run(c, s, LPAR2, name, Some(body));

            // Assert
            let p = props(c, s, LPAR2);
            assert_eq!(p["last-used-load-type"], load_type, "{t}: {name}");
            assert_eq!(p["status"], "operating", "{t}: {name}");
        }
        let p = props(c, s, LPAR2);
        assert_eq!(p["last-used-load-address"], "3F00", "{t}");
        assert_eq!(
            p["last-used-world-wide-port-name"], "W",
            "{t}: NVMe leaves the WWPN"
        );
        assert_eq!(
            p["last-used-clear-indicator"], false,
            "{t}: only loads set it"
        );
    });
}

#[test]
fn scsi_load_on_an_older_hmc_records_only_what_that_version_has() {
    both_raw(|c, _| {
        // Arrange: HMC 2.14.0 knows only the load address and parameter.
        let s = edit_hmc(c, |def| {
            def["consoles"][0]["properties"]["version"] = json!("2.14.0")
        });
        run(c, &s, LPAR2, "activate", None);

        // Act
        run(
            c,
            &s,
            LPAR2,
            "scsi-load",
            Some(
                json!({"load-address": "1F00", "world-wide-port-name": "W", "logical-unit-number": "L"}),
            ),
        );

        // Assert
        let p = props(c, &s, LPAR2);
        assert_eq!(p["last-used-load-address"], "1F00", "{}", c.transport());
        for absent in [
            "last-used-world-wide-port-name",
            "last-used-load-type",
            "last-used-clear-indicator",
        ] {
            assert!(
                p.get(absent).is_none(),
                "{}: {absent} in {p:?}",
                c.transport()
            );
        }
    });
}

#[test]
fn load_from_ftp_runs_what_it_loaded_and_keeps_no_password() {
    both(|c, s| {
        // Arrange
        run(c, s, LPAR2, "activate", None);

        // Act
        run(
            c,
            s,
            LPAR2,
            "load-from-ftp",
            Some(
                json!({"host-name": "ftp.example.com", "user-name": "u", "password": "secret",
                        "file-path": "/images/linux.ins", "protocol": "sftp"}),
            ),
        );

        // Assert
        let p = props(c, s, LPAR2);
        assert_eq!(p["status"], "operating", "{}", c.transport());
        assert!(
            !p.to_string().contains("secret"),
            "{}: {p:?}",
            c.transport()
        );
    });
}

// ------------------------------------------- start, stop, restart, resets

#[test]
fn stop_and_start_move_an_lpar_between_operating_and_not_operating() {
    both(|c, s| {
        let t = c.transport();
        // Act / Assert
        run(c, s, LPAR1, "stop", None);
        assert_eq!(listed_status(c, s, "LPAR1"), "not-operating", "{t}");
        run(c, s, LPAR1, "start", None);
        assert_eq!(listed_status(c, s, "LPAR1"), "operating", "{t}");
    });
}

#[test]
fn psw_restart_of_a_stopped_lpar_runs_it_again() {
    both(|c, s| {
        // Arrange
        run(c, s, LPAR1, "stop", None);

        // Act
        run(c, s, LPAR1, "psw-restart", None);

        // Assert
        assert_eq!(
            props(c, s, LPAR1)["status"],
            "operating",
            "{}",
            c.transport()
        );
    });
}

#[test]
fn reset_clear_with_force_clears_memory_and_reset_normal_keeps_it() {
    both(|c, s| {
        let t = c.transport();
        // Arrange
        update(c, s, LPAR1, json!({"memory": "kernel"}));

        // Act / Assert
        run(c, s, LPAR1, "reset-normal", Some(json!({"force": true})));
        let p = props(c, s, LPAR1);
        assert_eq!(
            (&p["status"], &p["memory"]),
            (&json!("not-operating"), &json!("kernel")),
            "{t}"
        );
        run(c, s, LPAR1, "reset-clear", None);
        let p = props(c, s, LPAR1);
        assert_eq!(
            (&p["status"], &p["memory"]),
            (&json!("not-operating"), &json!("")),
            "{t}"
        );
    });
}

// ------------------------------------------------------------- update

#[test]
fn update_lpar_properties_of_an_active_lpar_on_an_operating_cpc_merges() {
    both(|c, s| {
        // Act
        update(
            c,
            s,
            LPAR1,
            json!({"description": "web server", "next-activation-profile-name": "LPAR1"}),
        );

        // Assert
        assert_eq!(
            props(c, s, LPAR1)["description"],
            "web server",
            "{}",
            c.transport()
        );
    });
}

// ------------------------------------------------------------ error rules

/// Every error path of the LPAR operations; none may change anything.
fn lpar_error_rows() -> Vec<Row> {
    let j = Some;
    let scsi =
        json!({"load-address": "1", "world-wide-port-name": "W", "logical-unit-number": "L"});
    let ftp = json!({"host-name": "h", "user-name": "u", "password": "p", "file-path": "/f"});
    let mut rows = vec![
        // Update: the LPAR must be active, its CPC valid.
        row(Post, LPAR2, j(json!({"description": "x"})), 409, 1),
        row_in(
            State::ClassicNoPower,
            Post,
            LPAR1,
            j(json!({"description": "x"})),
            409,
            6,
        ),
        row(Post, LPAR1, None, 400, 3),
        // Activate / Deactivate need force in some statuses, a profile named
        // like the LPAR (or a load profile).
        row(Post, &op(LPAR1, "activate"), None, 500, 263),
        row(
            Post,
            &op(LPAR2, "activate"),
            j(json!({"activation-profile-name": "OTHER"})),
            500,
            263,
        ),
        row(
            Post,
            &op(LPAR1, "deactivate"),
            j(json!({"force": false})),
            500,
            263,
        ),
        row(Post, &op(LPAR2, "deactivate"), None, 500, 263),
        // Loads: not-activated 409.0, operating without force 500.263,
        // required fields 400.3/400.5.
        row(
            Post,
            &op(LPAR2, "load"),
            j(json!({"load-address": "1"})),
            409,
            0,
        ),
        row(Post, &op(LPAR1, "load"), None, 500, 263),
        row(Post, &op(LPAR2, "scsi-load"), j(scsi.clone()), 409, 0),
        row(Post, &op(LPAR1, "scsi-load"), j(scsi.clone()), 500, 263),
        row(Post, &op(LPAR1, "scsi-load"), None, 400, 3),
        row(
            Post,
            &op(LPAR1, "scsi-load"),
            j(json!({"load-address": "1", "world-wide-port-name": "W"})),
            400,
            5,
        ),
        row(Post, &op(LPAR2, "scsi-dump"), j(scsi.clone()), 409, 0),
        row(Post, &op(LPAR1, "scsi-dump"), j(scsi.clone()), 500, 263),
        row(Post, &op(LPAR1, "nvme-load"), j(json!({})), 400, 5),
        row(
            Post,
            &op(LPAR2, "nvme-load"),
            j(json!({"load-address": "1"})),
            409,
            0,
        ),
        row(
            Post,
            &op(LPAR1, "nvme-dump"),
            j(json!({"load-address": "1"})),
            500,
            263,
        ),
        row(
            Post,
            &op(LPAR2, "nvme-dump"),
            j(json!({"load-address": "1"})),
            409,
            0,
        ),
        // The operations the mock leaves as TODO: an active LPAR (409.1).
        row(Post, &op(LPAR2, "start"), None, 409, 1),
        row(Post, &op(LPAR2, "stop"), None, 409, 1),
        row(Post, &op(LPAR2, "psw-restart"), None, 409, 1),
        row(Post, &op(LPAR2, "reset-clear"), None, 409, 1),
        row(
            Post,
            &op(LPAR2, "reset-normal"),
            j(json!({"force": true})),
            409,
            1,
        ),
        row(
            Post,
            &op(LPAR1, "reset-clear"),
            j(json!({"force": false})),
            500,
            263,
        ),
        row(Post, &op(LPAR1, "reset-normal"), None, 500, 263),
        row(Post, &op(LPAR2, "load-from-ftp"), j(ftp.clone()), 409, 1),
        row(
            Post,
            &op(LPAR1, "load-from-ftp"),
            j(json!({"host-name": "h"})),
            400,
            5,
        ),
        row(
            Post,
            &op(LPAR1, "load-from-ftp"),
            j(
                json!({"protocol": "tftp", "host-name": "h", "user-name": "u", "password": "p", "file-path": "/f"}),
            ),
            400,
            7,
        ),
        // Unknown LPAR, unknown method.
        row(
            Post,
            "/api/logical-partitions/nope/operations/activate",
            None,
            404,
            1,
        ),
        row(Get, &op(LPAR1, "activate"), None, 404, 1),
    ];
    // Every operation on a CPC in DPM mode: 409.4.
    for name in [
        "activate",
        "deactivate",
        "load",
        "scsi-load",
        "scsi-dump",
        "nvme-load",
        "nvme-dump",
        "load-from-ftp",
        "start",
        "stop",
        "psw-restart",
        "reset-clear",
        "reset-normal",
    ] {
        rows.push(row_in(
            State::ClassicInDpm,
            Post,
            &op(LPAR1, name),
            j(json!({"force": true})),
            409,
            4,
        ));
    }
    rows.push(row_in(
        State::ClassicInDpm,
        Post,
        LPAR1,
        j(json!({"description": "x"})),
        409,
        4,
    ));
    rows
}

#[test]
fn lpar_operation_errors_answer_the_hmc_codes_and_change_nothing() {
    both_raw(|c: &dyn RawClient, s| {
        error_table::run(c, s, &lpar_error_rows(), &[LPAR1, LPAR2]);
    });
}

#[test]
fn lpar_errors_use_the_hmc_mocks_messages() {
    both(|c, s| {
        let t = c.transport();
        let message = |uri: &str, body: Option<Value>| {
            let r = match body {
                Some(b) => post(c, s, uri, b),
                None => post_empty(c, s, uri),
            };
            r.body["message"].as_str().unwrap_or_default().to_string()
        };
        assert_eq!(
            message(&op(LPAR1, "activate"), None),
            "LPAR 'LPAR1' could not be activated because the LPAR is in status operating (and force was not specified).",
            "{t}"
        );
        assert_eq!(
            message(
                &op(LPAR2, "activate"),
                Some(json!({"activation-profile-name": "OTHER"}))
            ),
            "LPAR 'LPAR2' could not be activated because the name of the image activation profile 'OTHER' is different from the LPAR name.",
            "{t}"
        );
        assert_eq!(
            message(&op(LPAR2, "deactivate"), None),
            "LPAR 'LPAR2' could not be deactivated because the LPAR is already deactivated (and force was not specified).",
            "{t}"
        );
        assert_eq!(
            message(&op(LPAR2, "load"), None),
            "LPAR 'LPAR2' could not be loaded because the LPAR is in status not-activated.",
            "{t}"
        );
        assert_eq!(
            message(&op(LPAR1, "load"), None),
            "LPAR 'LPAR1' could not be loaded because the LPAR is already loaded (and force was not specified).",
            "{t}"
        );
        assert_eq!(
            message(LPAR2, Some(json!({"description": "x"}))),
            "Cannot update LPAR properties in status not-activated",
            "{t}"
        );
        assert_eq!(
            message(&op(LPAR2, "stop"), None),
            "The operation cannot be performed because the targeted LPAR LPAR2 has a status that is not valid for the operation: not-activated",
            "{t}"
        );
    });
}

#[test]
fn load_without_any_load_address_is_400_5_naming_the_lpar() {
    both(|c, s| {
        // Arrange: LPAR2 is active but was never loaded.
        run(c, s, LPAR2, "activate", None);

        // Act
        let r = post_empty(c, s, &op(LPAR2, "load"));

        // Assert
        assert_eq!(r.code(), (400, 5), "{}: {:?}", c.transport(), r.body);
        assert_eq!(
            r.body["message"],
            "LPAR 'LPAR2' could not be loaded because a load address is not specified in the request or in the Lpar last-used property",
            "{}",
            c.transport()
        );
        assert_eq!(
            props(c, s, LPAR2)["status"],
            "not-operating",
            "{}",
            c.transport()
        );
    });
}

#[test]
fn start_and_stop_of_an_appliance_lpar_are_409_1() {
    both(|c, s| {
        // Arrange
        update(c, s, LPAR1, json!({"activation-mode": "ssc"}));

        // Act
        let r = post_empty(c, s, &op(LPAR1, "stop"));

        // Assert
        assert_eq!(r.code(), (409, 1), "{}: {:?}", c.transport(), r.body);
        assert_eq!(
            props(c, s, LPAR1)["status"],
            "operating",
            "{}",
            c.transport()
        );
    });
}
