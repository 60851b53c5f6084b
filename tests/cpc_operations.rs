//! The CPC operations of any mode: Set Auto-start List (DPM), Get
//! Historical Sustainability Data (CPCs, LPARs, partitions), the STP
//! operations and the firmware jobs of CPCs, through the library and over
//! HTTPS.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use mock_hmc::Method::Post;
use serde_json::{Value, json};
use support::error_table::{self, State, row, row_in};
use support::helpers::{post, post_empty, props};
use support::{Client, RawClient, Reply, both, both_raw};

const CLASSIC: &str = "/api/cpcs/classic1";
const DPM: &str = "/api/cpcs/dpm1";
const LPAR1: &str = "/api/logical-partitions/classic1-lpar1";
const LINUX1: &str = "/api/partitions/linux1";

fn op(target: &str, name: &str) -> String {
    format!("{target}/operations/{name}")
}

/// Asserts a 202 whose job is complete at the first poll; returns the job.
fn job(c: &dyn Client, s: &str, r: &Reply) -> Value {
    let t = c.transport();
    assert_eq!(r.status, 202, "{t}: {:?}", r.body);
    let job = props(c, s, r.body["job-uri"].as_str().unwrap());
    assert_eq!(job["status"], "complete", "{t}: {job:?}");
    job
}

// ------------------------------------------------------------ auto-start

#[test]
fn set_auto_start_list_stores_the_partitions_and_groups() {
    both(|c, s| {
        // Arrange
        let list = json!([
            {"type": "partition", "partition-uri": LINUX1, "post-start-delay": 0},
            {"type": "partition-group", "name": "G", "description": "d", "post-start-delay": 30,
             "partition-uris": ["/api/partitions/linux2"]},
        ]);

        // Act
        let r = post(
            c,
            s,
            &op(DPM, "set-auto-start-list"),
            json!({"auto-start-list": list}),
        );

        // Assert
        assert_eq!(r.status, 204, "{}: {:?}", c.transport(), r.body);
        assert_eq!(
            props(c, s, DPM)["auto-start-list"],
            list,
            "{}",
            c.transport()
        );
    });
}

// --------------------------------------------------------- sustainability

#[test]
fn sustainability_data_is_a_deterministic_series_over_the_range() {
    both(|c, s| {
        let t = c.transport();
        let day = 86_400_000i64;
        let body = json!({"range": "custom", "resolution": "one-hour",
                          "custom-range-start": 1_700_000_000_000i64,
                          "custom-range-end": 1_700_000_000_000i64 + day});
        for (target, metrics) in [
            (
                DPM,
                &["total-wattage", "heat-load", "ambient-temperature"][..],
            ),
            (LPAR1, &["wattage", "processor-utilization"][..]),
            (LINUX1, &["wattage", "processor-utilization"][..]),
        ] {
            // Act
            let a = post(
                c,
                s,
                &op(target, "get-historical-sustainability-data"),
                body.clone(),
            );
            let b = post(
                c,
                s,
                &op(target, "get-historical-sustainability-data"),
                body.clone(),
            );

            // Assert
            assert_eq!(a.status, 200, "{t} {target}: {:?}", a.body);
            assert_eq!(a.body, b.body, "{t} {target}: deterministic");
            for m in metrics {
                let points = a.body[*m]
                    .as_array()
                    .unwrap_or_else(|| panic!("{t} {target}: no {m}"));
                assert_eq!(
                    points.len(),
                    24,
                    "{t} {target} {m}: hourly points within the day"
                );
                let first = points[0]["timestamp"].as_i64().unwrap();
                assert_eq!(first % 3_600_000, 0, "{t}: aligned to the resolution");
                assert!(first >= 1_700_000_000_000, "{t}");
                assert_eq!(
                    points[1]["timestamp"].as_i64().unwrap() - first,
                    3_600_000,
                    "{t}"
                );
                assert!(points[0]["data"].is_number(), "{t}");
            }
        }
        let week = post(
            c,
            s,
            &op(DPM, "get-historical-sustainability-data"),
            json!({"range": "last-week", "resolution": "one-day"}),
        );
        assert_eq!(
            week.body["total-wattage"].as_array().unwrap().len(),
            7,
            "{t}"
        );
    });
}

// -------------------------------------------------------------------- STP

#[test]
fn stp_operations_change_the_cpcs_timing_network() {
    both(|c, s| {
        let t = c.transport();
        let ok = |r: Reply| assert_eq!(r.status, 204, "{t}: {:?}", r.body);
        // DPM1 joins CLASSIC1's CTN, becomes its current time server, and
        // the CTN is renamed.
        ok(post(
            c,
            s,
            &op(DPM, "join-stponly-ctn"),
            json!({"stp-id": "MOCKCTN"}),
        ));
        assert_eq!(props(c, s, DPM)["stp-id"], "MOCKCTN", "{t}");
        ok(post(
            c,
            s,
            &op(DPM, "swap-cts"),
            json!({"stp-id": "MOCKCTN"}),
        ));
        assert_eq!(
            props(c, s, CLASSIC)["stp-configuration"],
            Value::Null,
            "{t}"
        );
        assert_eq!(
            props(c, s, DPM)["stp-configuration"]["current-time-server"],
            "backup",
            "{t}"
        );
        ok(post(
            c,
            s,
            &op(DPM, "change-stponly-ctn"),
            json!({"stp-id": "NEWCTN"}),
        ));
        assert_eq!(
            props(c, s, CLASSIC)["stp-id"],
            "NEWCTN",
            "{t}: the whole CTN"
        );
        // Set STP Configuration as zhmcclient sends it (nodes as JSON text).
        let node = json!({"object-uri": DPM, "type": "003931", "model": "A01", "manuf": "IBM",
                          "po-manuf": "02", "seq-num": "000000012345", "node-name": "DPM1"});
        ok(post(
            c,
            s,
            &op(DPM, "set-stp-config"),
            json!({"stp-id": "NEWCTN", "new-stp-id": "CTN3", "force": true,
                   "preferred-time-server": node.to_string(), "current-time-server": "preferred"}),
        ));
        let p = props(c, s, DPM);
        assert_eq!(p["stp-id"], "CTN3", "{t}");
        assert_eq!(p["stp-configuration"]["preferred-time-server"], node, "{t}");
        assert_eq!(props(c, s, CLASSIC)["stp-id"], "CTN3", "{t}");
        // CLASSIC1, no longer the current time server, can leave.
        ok(post_empty(c, s, &op(CLASSIC, "leave-stponly-ctn")));
        assert_eq!(props(c, s, CLASSIC)["stp-id"], Value::Null, "{t}");
    });
}

// --------------------------------------------------------------- firmware

#[test]
fn cpc_firmware_operations_are_jobs_recording_the_requested_levels() {
    both(|c, s| {
        let t = c.transport();
        let message = |uri: &str, body: Value| {
            let r = post(c, s, uri, body);
            let j = job(c, s, &r);
            assert_eq!(j["job-status-code"], 200, "{t}: {j:?}");
            j["job-results"]["message"].as_str().unwrap().to_string()
        };
        assert!(
            message(
                &op(DPM, "single-step-install"),
                json!({"bundle-level": "S81", "accept-firmware": true})
            )
            .contains("bundle level S81"),
            "{t}"
        );
        assert!(
            message(
                &op(DPM, "install-and-activate"),
                json!({"ec-levels": [{"number": "P41499", "mcl": "123"}]})
            )
            .contains("EC levels P41499.123"),
            "{t}"
        );
        assert!(
            message(&op(CLASSIC, "delete-retrieved-internal-code"), json!({}))
                .contains("all EC levels"),
            "{t}"
        );
    });
}

#[test]
fn console_firmware_operations_are_jobs_too() {
    both(|c, s| {
        let t = c.transport();
        let r = post(
            c,
            s,
            "/api/console/operations/single-step-install",
            json!({"bundle-level": "H25"}),
        );
        let j = job(c, s, &r);
        assert_eq!(j["job-status-code"], 200, "{t}: {j:?}");
        assert!(
            j["job-results"]["message"]
                .as_str()
                .unwrap()
                .contains("bundle level H25"),
            "{t}"
        );
        let r = post(
            c,
            s,
            "/api/console/operations/delete-retrieved-internal-code",
            json!({"ec-levels": [{"number": "P41499", "mcl": "7"}]}),
        );
        let j = job(c, s, &r);
        assert!(
            j["job-results"]["message"]
                .as_str()
                .unwrap()
                .contains("P41499.7"),
            "{t}"
        );
        let bad = post(
            c,
            s,
            "/api/console/operations/single-step-install",
            json!({"bundle-level": 25}),
        );
        assert_eq!(bad.code(), (400, 7), "{t}");
    });
}

// ------------------------------------------------------------ error rules

#[test]
fn cpc_operation_errors_answer_the_hmc_codes_and_change_nothing() {
    both_raw(|c: &dyn RawClient, s| {
        let j = Some;
        let auto = |list: Value| j(json!({"auto-start-list": list}));
        let sus = |body: Value| j(body);
        let rows = vec![
            // Set Auto-start List: DPM, a list of valid entries.
            row(
                Post,
                &op(CLASSIC, "set-auto-start-list"),
                auto(json!([])),
                409,
                5,
            ),
            row(Post, &op(DPM, "set-auto-start-list"), j(json!({})), 400, 5),
            row(
                Post,
                &op(DPM, "set-auto-start-list"),
                auto(json!({})),
                400,
                7,
            ),
            row(
                Post,
                &op(DPM, "set-auto-start-list"),
                auto(json!([{"type": "lpar"}])),
                400,
                7,
            ),
            row(
                Post,
                &op(DPM, "set-auto-start-list"),
                auto(json!([{"partition-uri": LINUX1}])),
                400,
                5,
            ),
            row(
                Post,
                &op(DPM, "set-auto-start-list"),
                auto(json!([{"type": "partition", "partition-uri": "/api/partitions/nope"}])),
                404,
                2,
            ),
            row(
                Post,
                &op(DPM, "set-auto-start-list"),
                auto(
                    json!([{"type": "partition", "partition-uri": LINUX1, "post-start-delay": -1}]),
                ),
                400,
                7,
            ),
            row(
                Post,
                &op(DPM, "set-auto-start-list"),
                auto(json!([{"type": "partition-group", "name": "G"}])),
                400,
                5,
            ),
            row(
                Post,
                &op(DPM, "set-auto-start-list"),
                auto(json!([{"type": "partition-group", "name": "G", "partition-uris": [5]}])),
                400,
                7,
            ),
            // Sustainability data.
            row(
                Post,
                &op(DPM, "get-historical-sustainability-data"),
                j(json!({"range": "last-day"})),
                400,
                5,
            ),
            row(
                Post,
                &op(DPM, "get-historical-sustainability-data"),
                sus(json!({"range": "yesterday", "resolution": "one-hour"})),
                400,
                7,
            ),
            row(
                Post,
                &op(DPM, "get-historical-sustainability-data"),
                sus(json!({"range": "last-day", "resolution": "one-second"})),
                400,
                7,
            ),
            row(
                Post,
                &op(DPM, "get-historical-sustainability-data"),
                sus(json!({"range": "custom", "resolution": "one-hour"})),
                400,
                5,
            ),
            row(
                Post,
                &op(DPM, "get-historical-sustainability-data"),
                sus(
                    json!({"range": "custom", "resolution": "one-hour", "custom-range-start": 10, "custom-range-end": 5}),
                ),
                400,
                7,
            ),
            // More than a year of fifteen-minute points.
            row(
                Post,
                &op(DPM, "get-historical-sustainability-data"),
                sus(
                    json!({"range": "custom", "resolution": "fifteen-minutes", "custom-range-start": 0, "custom-range-end": 1_700_000_000_000i64}),
                ),
                400,
                7,
            ),
            row_in(
                State::ClassicInDpm,
                Post,
                &op(LPAR1, "get-historical-sustainability-data"),
                sus(json!({"range": "last-day", "resolution": "one-hour"})),
                409,
                4,
            ),
            row_in(
                State::CpcClassic,
                Post,
                &op(LINUX1, "get-historical-sustainability-data"),
                sus(json!({"range": "last-day", "resolution": "one-hour"})),
                409,
                5,
            ),
            // STP.
            row(Post, &op(DPM, "join-stponly-ctn"), None, 400, 3),
            row(Post, &op(DPM, "join-stponly-ctn"), j(json!({})), 400, 5),
            row(
                Post,
                &op(DPM, "join-stponly-ctn"),
                j(json!({"stp-id": 1})),
                400,
                7,
            ),
            row(
                Post,
                &op(CLASSIC, "join-stponly-ctn"),
                j(json!({"stp-id": "OTHER"})),
                409,
                0,
            ),
            row(Post, &op(CLASSIC, "leave-stponly-ctn"), None, 409, 0),
            row(Post, &op(DPM, "leave-stponly-ctn"), None, 409, 0),
            row(
                Post,
                &op(DPM, "change-stponly-ctn"),
                j(json!({"stp-id": "X"})),
                409,
                0,
            ),
            row(
                Post,
                &op(DPM, "swap-cts"),
                j(json!({"stp-id": "MOCKCTN"})),
                409,
                0,
            ),
            row(
                Post,
                &op(CLASSIC, "set-stp-config"),
                j(
                    json!({"stp-id": "OTHER", "force": true, "preferred-time-server": {}, "current-time-server": "preferred"}),
                ),
                409,
                0,
            ),
            row(
                Post,
                &op(CLASSIC, "set-stp-config"),
                j(
                    json!({"stp-id": "MOCKCTN", "force": "yes", "preferred-time-server": {}, "current-time-server": "preferred"}),
                ),
                400,
                7,
            ),
            row(
                Post,
                &op(CLASSIC, "set-stp-config"),
                j(
                    json!({"stp-id": "MOCKCTN", "force": true, "preferred-time-server": "not json", "current-time-server": "preferred"}),
                ),
                400,
                7,
            ),
            row(
                Post,
                &op(CLASSIC, "set-stp-config"),
                j(
                    json!({"stp-id": "MOCKCTN", "force": true, "preferred-time-server": {}, "current-time-server": "arbiter"}),
                ),
                400,
                7,
            ),
            row(
                Post,
                &op(CLASSIC, "set-stp-config"),
                j(json!({"stp-id": "MOCKCTN", "force": true, "current-time-server": "preferred"})),
                400,
                5,
            ),
            // Firmware.
            row(
                Post,
                &op(DPM, "single-step-install"),
                j(json!({"bundle-level": 81})),
                400,
                7,
            ),
            row(
                Post,
                &op(DPM, "single-step-install"),
                j(json!({"ftp-retrieve": true, "ftp-server-host": "h"})),
                400,
                5,
            ),
            row(
                Post,
                &op(DPM, "single-step-install"),
                j(
                    json!({"ftp-retrieve": true, "ftp-server-host": "h", "ftp-server-user": "u", "ftp-server-password": "p", "ftp-server-directory": "/", "ftp-server-protocol": "tftp"}),
                ),
                400,
                7,
            ),
            row(
                Post,
                &op(DPM, "install-and-activate"),
                j(json!({"ec-levels": [{"number": "P1"}]})),
                400,
                7,
            ),
            row(
                Post,
                &op(DPM, "install-and-activate"),
                j(json!({"install-disruptive": "yes"})),
                400,
                7,
            ),
            row(
                Post,
                &op(DPM, "delete-retrieved-internal-code"),
                j(json!({"ec-levels": "P1"})),
                400,
                7,
            ),
        ];
        error_table::run(c, s, &rows, &[DPM, CLASSIC]);
    });
}
