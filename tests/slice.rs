//! The first vertical slice of the HMC: console, CPCs, partitions (with the
//! Start/Stop jobs), NICs, cascading deletes and atomic requests, through the
//! library and over HTTPS.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use mock_hmc::Method;
use serde_json::{Value, json};
use support::helpers::{
    create, delete, get, get_ok, keys, names, post, post_empty, props, update, uri_list,
};
use support::{Client, Reply, both, both_raw};

const VSWITCH_0108: &str = "/api/virtual-switches/vswitch-osa-0108";
const VSWITCH_0109: &str = "/api/virtual-switches/vswitch-osa-0109";

fn sorted(names: &[&str]) -> Vec<String> {
    let mut k: Vec<String> = names.iter().map(|s| (*s).to_string()).collect();
    k.sort_unstable();
    k
}

fn partition_body(name: &str) -> Value {
    json!({"name": name, "initial-memory": 1024, "maximum-memory": 2048, "ifl-processors": 1})
}

/// Creates a partition on DPM1 and returns its URI.
fn create_partition(c: &dyn Client, s: &str, name: &str) -> String {
    create(c, s, "/api/cpcs/dpm1/partitions", partition_body(name))
}

/// Creates a NIC backed by `vswitch` in `partition` and returns its URI.
fn create_nic(c: &dyn Client, s: &str, partition: &str, name: &str, vswitch: &str) -> String {
    create(
        c,
        s,
        &format!("{partition}/nics"),
        json!({"name": name, "virtual-switch-uri": vswitch}),
    )
}

fn device_number(c: &dyn Client, s: &str, nic: &str) -> String {
    props(c, s, nic)["device-number"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

// ---------------------------------------------------------------- console

#[test]
fn get_console_returns_its_properties() {
    both(|c, s| {
        // Act
        let r = get(c, s, "/api/console");

        // Assert
        assert_eq!(r.status, 200, "{}", c.transport());
        assert_eq!(r.body["name"], "MOCKHMC1", "{}", c.transport());
        assert_eq!(r.body["object-uri"], "/api/console", "{}", c.transport());
        assert_eq!(r.body["class"], "console", "{}", c.transport());
    });
}

#[test]
fn get_console_with_properties_returns_only_those_in_order() {
    both(|c, s| {
        // Act
        let r = get_ok(c, s, "/api/console?properties=version,name");

        // Assert
        let order: Vec<&String> = r.body.as_object().unwrap().keys().collect();
        assert_eq!(order, ["version", "name"], "{}", c.transport());
        assert_eq!(r.body["name"], "MOCKHMC1", "{}", c.transport());
    });
}

#[test]
fn get_console_with_an_unknown_property_name_is_400_reason_14() {
    both(|c, s| {
        // Act
        let r = get(c, s, "/api/console?properties=name,nope");

        // Assert
        assert_eq!(r.code(), (400, 14), "{}: {:?}", c.transport(), r.body);
    });
}

#[test]
fn get_console_with_an_unknown_query_parameter_is_400_reason_1() {
    both(|c, s| {
        // Act
        let r = get(c, s, "/api/console?name=MOCKHMC1");

        // Assert
        assert_eq!(r.code(), (400, 1), "{}: {:?}", c.transport(), r.body);
    });
}

// ---------------------------------------------------------------- CPCs

#[test]
fn list_cpcs_returns_both_cpcs_with_exactly_the_list_properties() {
    both(|c, s| {
        // Act
        let r = get_ok(c, s, "/api/cpcs");

        // Assert
        assert_eq!(
            names(&r.body["cpcs"]),
            ["DPM1", "CLASSIC1"],
            "{}",
            c.transport()
        );
        let expected = sorted(&[
            "object-uri",
            "name",
            "status",
            "has-unacceptable-status",
            "dpm-enabled",
            "se-version",
        ]);
        for item in r.body["cpcs"].as_array().unwrap() {
            assert_eq!(keys(item), expected, "{}", c.transport());
        }
        assert_eq!(
            r.body["cpcs"][0]["object-uri"],
            "/api/cpcs/dpm1",
            "{}",
            c.transport()
        );
        assert_eq!(r.body["cpcs"][0]["dpm-enabled"], true, "{}", c.transport());
        assert_eq!(r.body["cpcs"][1]["dpm-enabled"], false, "{}", c.transport());
    });
}

#[test]
fn list_cpcs_name_filter_is_a_full_match_regular_expression() {
    both(|c, s| {
        // Act
        let pattern = get_ok(c, s, "/api/cpcs?name=DPM.*");
        let prefix = get_ok(c, s, "/api/cpcs?name=DPM");
        let exact = get_ok(c, s, "/api/cpcs?name=CLASSIC1");
        let either = get_ok(c, s, "/api/cpcs?name=DPM1&name=CLASSIC1");

        // Assert
        assert_eq!(names(&pattern.body["cpcs"]), ["DPM1"], "{}", c.transport());
        assert!(names(&prefix.body["cpcs"]).is_empty(), "{}", c.transport());
        assert_eq!(
            names(&exact.body["cpcs"]),
            ["CLASSIC1"],
            "{}",
            c.transport()
        );
        assert_eq!(
            names(&either.body["cpcs"]),
            ["DPM1", "CLASSIC1"],
            "{}",
            c.transport()
        );
    });
}

#[test]
fn list_cpcs_with_an_invalid_regular_expression_is_400_reason_1() {
    both(|c, s| {
        // Act
        let r = get(c, s, "/api/cpcs?name=%5Babc");

        // Assert
        assert_eq!(r.code(), (400, 1), "{}: {:?}", c.transport(), r.body);
    });
}

#[test]
fn get_cpc_returns_all_or_the_named_properties() {
    both(|c, s| {
        // Act
        let all = get_ok(c, s, "/api/cpcs/dpm1");
        let some = get_ok(c, s, "/api/cpcs/dpm1?properties=name,dpm-enabled");

        // Assert
        assert_eq!(all.body["name"], "DPM1", "{}", c.transport());
        assert_eq!(all.body["machine-type"], "3931", "{}", c.transport());
        assert_eq!(all.body["class"], "cpc", "{}", c.transport());
        assert_eq!(
            keys(&some.body),
            sorted(&["name", "dpm-enabled"]),
            "{}",
            c.transport()
        );
        assert_eq!(some.body["dpm-enabled"], true, "{}", c.transport());
    });
}

#[test]
fn update_cpc_merges_the_properties_and_answers_204() {
    both(|c, s| {
        // Act
        let r = post(
            c,
            s,
            "/api/cpcs/dpm1",
            json!({"description": "changed", "acceptable-status": ["active"]}),
        );

        // Assert
        assert_eq!(r.status, 204, "{}: {:?}", c.transport(), r.body);
        assert_eq!(r.body, Value::Null, "{}", c.transport());
        let after = get_ok(c, s, "/api/cpcs/dpm1");
        assert_eq!(after.body["description"], "changed", "{}", c.transport());
        assert_eq!(
            after.body["acceptable-status"],
            json!(["active"]),
            "{}",
            c.transport()
        );
        assert_eq!(after.body["name"], "DPM1", "{}", c.transport());
        assert_eq!(after.body["machine-type"], "3931", "{}", c.transport());
    });
}

// ---------------------------------------------------------------- partitions

#[test]
fn list_partitions_of_dpm1_returns_linux1_and_linux2_with_the_list_properties() {
    both(|c, s| {
        // Act
        let r = get_ok(c, s, "/api/cpcs/dpm1/partitions");

        // Assert
        assert_eq!(
            names(&r.body["partitions"]),
            ["LINUX1", "LINUX2"],
            "{}",
            c.transport()
        );
        for item in r.body["partitions"].as_array().unwrap() {
            assert_eq!(
                keys(item),
                sorted(&["object-uri", "name", "status", "type"]),
                "{}",
                c.transport()
            );
        }
        assert_eq!(
            r.body["partitions"][0]["object-uri"],
            "/api/partitions/linux1",
            "{}",
            c.transport()
        );
        assert_eq!(
            r.body["partitions"][0]["status"],
            "active",
            "{}",
            c.transport()
        );
        assert_eq!(
            r.body["partitions"][1]["status"],
            "stopped",
            "{}",
            c.transport()
        );
    });
}

#[test]
fn list_partitions_of_a_classic_cpc_is_empty() {
    both(|c, s| {
        // Act
        let r = get_ok(c, s, "/api/cpcs/classic1/partitions");

        // Assert
        assert_eq!(r.body, json!({"partitions": []}), "{}", c.transport());
    });
}

#[test]
fn list_partitions_filters_by_status_and_type() {
    both(|c, s| {
        // Act
        let stopped = get_ok(c, s, "/api/cpcs/dpm1/partitions?status=stopped");
        let linux = get_ok(c, s, "/api/cpcs/dpm1/partitions?type=linux");
        let ssc = get_ok(c, s, "/api/cpcs/dpm1/partitions?type=ssc");
        let both_filters = get_ok(c, s, "/api/cpcs/dpm1/partitions?type=linux&status=active");

        // Assert
        assert_eq!(
            names(&stopped.body["partitions"]),
            ["LINUX2"],
            "{}",
            c.transport()
        );
        assert_eq!(
            names(&linux.body["partitions"]),
            ["LINUX1", "LINUX2"],
            "{}",
            c.transport()
        );
        assert!(
            names(&ssc.body["partitions"]).is_empty(),
            "{}",
            c.transport()
        );
        assert_eq!(
            names(&both_filters.body["partitions"]),
            ["LINUX1"],
            "{}",
            c.transport()
        );
    });
}

#[test]
fn list_partitions_adds_additional_properties_null_when_absent() {
    both(|c, s| {
        // Act
        let r = get_ok(
            c,
            s,
            "/api/cpcs/dpm1/partitions?additional-properties=description,no-such-property",
        );

        // Assert
        let first = &r.body["partitions"][0];
        assert_eq!(
            first["description"],
            "A running Linux partition",
            "{}",
            c.transport()
        );
        assert_eq!(
            first.get("no-such-property"),
            Some(&Value::Null),
            "{}",
            c.transport()
        );
        assert_eq!(first["name"], "LINUX1", "{}", c.transport());
    });
}

#[test]
fn write_only_partition_properties_are_never_returned() {
    both(|c, s| {
        // Arrange
        let set = post(
            c,
            s,
            "/api/partitions/linux2",
            json!({"boot-ftp-password": "s3cret-ftp", "ssc-master-pw": "s3cret-ssc"}),
        );
        assert_eq!(set.status, 204, "{}: {:?}", c.transport(), set.body);

        // Act
        let all = get_ok(c, s, "/api/partitions/linux2");
        let named = get_ok(
            c,
            s,
            "/api/partitions/linux2?properties=name,boot-ftp-password,ssc-master-pw",
        );
        let listed = get_ok(
            c,
            s,
            "/api/cpcs/dpm1/partitions?additional-properties=boot-ftp-password,ssc-master-pw",
        );

        // Assert
        for r in [&all, &named, &listed] {
            let text = r.body.to_string();
            assert!(!text.contains("s3cret"), "{}: {text}", c.transport());
            assert!(
                !text.contains("boot-ftp-password"),
                "{}: {text}",
                c.transport()
            );
            assert!(!text.contains("ssc-master-pw"), "{}: {text}", c.transport());
        }
        assert_eq!(keys(&named.body), ["name"], "{}", c.transport());
    });
}

#[test]
fn create_partition_answers_201_with_object_uri_and_location() {
    both(|c, s| {
        // Act
        let r = post(c, s, "/api/cpcs/dpm1/partitions", partition_body("NEWPART"));

        // Assert
        assert_eq!(r.status, 201, "{}: {:?}", c.transport(), r.body);
        assert_eq!(keys(&r.body), ["object-uri"], "{}", c.transport());
        let uri = r.body["object-uri"].as_str().unwrap();
        assert!(
            uri.starts_with("/api/partitions/"),
            "{}: {uri}",
            c.transport()
        );
        assert_eq!(r.location.as_deref(), Some(uri), "{}", c.transport());
        let listed = get_ok(c, s, "/api/cpcs/dpm1/partitions");
        assert_eq!(
            names(&listed.body["partitions"]),
            ["LINUX1", "LINUX2", "NEWPART"],
            "{}",
            c.transport()
        );
        let p = get_ok(c, s, uri);
        assert_eq!(p.body["object-uri"], uri, "{}", c.transport());
        assert_eq!(p.body["name"], "NEWPART", "{}", c.transport());
    });
}

#[test]
fn create_partition_sets_the_hmc_defaults() {
    both(|c, s| {
        // Act
        let uri = create_partition(c, s, "p1");

        // Assert
        let p = props(c, s, &uri);
        let t = c.transport();
        assert_eq!(p["status"], "stopped", "{t}");
        assert_eq!(p["class"], "partition", "{t}");
        assert_eq!(p["parent"], "/api/cpcs/dpm1", "{t}");
        assert_eq!(p["type"], "linux", "{t}");
        assert_eq!(p["description"], "", "{t}");
        assert_eq!(p["processor-mode"], "shared", "{t}");
        assert_eq!(p["reserved-memory"], 1024, "{t}");
        assert_eq!(p["ifl-processors"], 1, "{t}");
        assert_eq!(p["cp-processors"], 0, "{t}");
        assert_eq!(p["has-unacceptable-status"], false, "{t}");
        assert_eq!(p["boot-device"], "none", "{t}");
        assert_eq!(p["boot-timeout"], 60, "{t}");
        assert_eq!(p["boot-ftp-host"], Value::Null, "{t}");
        assert_eq!(p["nic-uris"], json!([]), "{t}");
        assert_eq!(p["hba-uris"], json!([]), "{t}");
        assert_eq!(p["acceptable-status"], json!(["stopped", "active"]), "{t}");
        assert_eq!(p["autogenerate-partition-id"], true, "{t}");
        let short = p["short-name"].as_str().unwrap();
        assert_eq!(short.len(), 8, "{t}: {short}");
        assert!(short.starts_with("P1__"), "{t}: {short}");
        assert!(
            short[4..]
                .chars()
                .all(|ch| ch.is_ascii_hexdigit() && !ch.is_ascii_lowercase()),
            "{t}: {short}"
        );
    });
}

#[test]
fn create_partition_allocates_unique_two_hex_digit_partition_ids() {
    both(|c, s| {
        // Act
        let a = create_partition(c, s, "PA");
        let b = create_partition(c, s, "PB");

        // Assert
        let id = |uri: &str| {
            props(c, s, uri)["partition-id"]
                .as_str()
                .unwrap_or("")
                .to_string()
        };
        let ids = [
            id("/api/partitions/linux1"),
            id("/api/partitions/linux2"),
            id(&a),
            id(&b),
        ];
        for i in &ids[2..] {
            assert_eq!(i.len(), 2, "{}: {i}", c.transport());
            assert!(
                i.chars()
                    .all(|ch| ch.is_ascii_digit() || ch.is_ascii_uppercase()),
                "{}: {i}",
                c.transport()
            );
            assert!(u8::from_str_radix(i, 16).is_ok(), "{}: {i}", c.transport());
        }
        for (n, i) in ids.iter().enumerate() {
            assert!(
                !ids[n + 1..].contains(i),
                "{}: partition id {i} given twice: {ids:?}",
                c.transport()
            );
        }
    });
}

#[test]
fn create_partition_with_a_non_input_property_is_400_reason_6() {
    both(|c, s| {
        // Arrange
        let mut body = partition_body("P");
        body["status"] = json!("active");

        // Act
        let r = post(c, s, "/api/cpcs/dpm1/partitions", body);

        // Assert
        assert_eq!(r.code(), (400, 6), "{}: {:?}", c.transport(), r.body);
        assert_eq!(
            r.body["message"],
            "Property cannot be provided as input: 'status'",
            "{}",
            c.transport()
        );
    });
}

#[test]
fn create_partition_without_processors_is_400_reason_1() {
    both(|c, s| {
        // Act
        let r = post(
            c,
            s,
            "/api/cpcs/dpm1/partitions",
            json!({"name": "P", "initial-memory": 1024, "maximum-memory": 1024}),
        );

        // Assert
        assert_eq!(r.code(), (400, 1), "{}: {:?}", c.transport(), r.body);
        assert_eq!(
            r.body["message"],
            "At least one of 'ifl-processors' or 'cp-processors' is required",
            "{}",
            c.transport()
        );
    });
}

#[test]
fn create_partition_body_and_target_errors() {
    both(|c, s| {
        // Arrange
        let cases: [(&str, Option<Value>, (u16, i64)); 5] = [
            ("/api/cpcs/dpm1/partitions", None, (400, 3)),
            (
                "/api/cpcs/dpm1/partitions",
                Some(json!({"name": "P", "maximum-memory": 1})),
                (400, 5),
            ),
            (
                "/api/cpcs/dpm1/partitions",
                Some(partition_body("LINUX2")),
                (400, 8),
            ),
            (
                "/api/cpcs/classic1/partitions",
                Some(partition_body("P")),
                (409, 5),
            ),
            (
                "/api/cpcs/nope/partitions",
                Some(partition_body("P")),
                (404, 1),
            ),
        ];
        for (uri, body, code) in cases {
            // Act
            let r = c.send(Method::Post, uri, Some(s), body.as_ref());

            // Assert
            assert_eq!(
                r.code(),
                code,
                "{}: POST {uri} {body:?}: {:?}",
                c.transport(),
                r.body
            );
        }
        let listed = get_ok(c, s, "/api/cpcs/dpm1/partitions");
        assert_eq!(
            names(&listed.body["partitions"]),
            ["LINUX1", "LINUX2"],
            "{}",
            c.transport()
        );
    });
}

#[test]
fn update_partition_merges_and_reads_back() {
    both(|c, s| {
        // Act
        let r = post(
            c,
            s,
            "/api/partitions/linux2",
            json!({"description": "new", "ifl-processors": 4}),
        );

        // Assert
        assert_eq!(r.status, 204, "{}: {:?}", c.transport(), r.body);
        let p = props(c, s, "/api/partitions/linux2");
        assert_eq!(p["description"], "new", "{}", c.transport());
        assert_eq!(p["ifl-processors"], 4, "{}", c.transport());
        assert_eq!(p["name"], "LINUX2", "{}", c.transport());
        assert_eq!(p["initial-memory"], 4096, "{}", c.transport());
    });
}

#[test]
fn rename_partition_to_a_free_name_works_and_to_a_used_name_is_400_reason_8() {
    both(|c, s| {
        // Act
        let same = post(c, s, "/api/partitions/linux2", json!({"name": "LINUX2"}));
        let free = post(c, s, "/api/partitions/linux2", json!({"name": "LINUX2B"}));
        let used = post(c, s, "/api/partitions/linux2", json!({"name": "LINUX1"}));

        // Assert
        assert_eq!(same.status, 204, "{}: {:?}", c.transport(), same.body);
        assert_eq!(free.status, 204, "{}: {:?}", c.transport(), free.body);
        assert_eq!(used.code(), (400, 8), "{}: {:?}", c.transport(), used.body);
        let listed = get_ok(c, s, "/api/cpcs/dpm1/partitions");
        assert_eq!(
            names(&listed.body["partitions"]),
            ["LINUX1", "LINUX2B"],
            "{}",
            c.transport()
        );
    });
}

#[test]
fn delete_stopped_partition_answers_204_and_then_get_is_404_reason_1() {
    both(|c, s| {
        // Arrange
        let uri = create_partition(c, s, "DOOMED");

        // Act
        let r = delete(c, s, &uri);

        // Assert
        assert_eq!(r.status, 204, "{}: {:?}", c.transport(), r.body);
        let gone = get(c, s, &uri);
        assert_eq!(gone.code(), (404, 1), "{}: {:?}", c.transport(), gone.body);
        let listed = get_ok(c, s, "/api/cpcs/dpm1/partitions");
        assert_eq!(
            names(&listed.body["partitions"]),
            ["LINUX1", "LINUX2"],
            "{}",
            c.transport()
        );
    });
}

#[test]
fn delete_active_partition_is_409_reason_1_and_keeps_it() {
    both(|c, s| {
        // Act
        let r = delete(c, s, "/api/partitions/linux1");

        // Assert
        assert_eq!(r.code(), (409, 1), "{}: {:?}", c.transport(), r.body);
        assert_eq!(
            props(c, s, "/api/partitions/linux1")["status"],
            "active",
            "{}",
            c.transport()
        );
    });
}

// ---------------------------------------------------------------- jobs

/// Checks a 202 job answer and returns the job URI.
fn job_uri(c: &dyn Client, r: &Reply) -> String {
    assert_eq!(r.status, 202, "{}: {:?}", c.transport(), r.body);
    let uri = r.body["job-uri"].as_str().unwrap().to_string();
    assert!(uri.starts_with("/api/jobs/"), "{}: {uri}", c.transport());
    // zhmcclient would take a Location header for a created resource's URI.
    assert_eq!(r.location, None, "{}", c.transport());
    uri
}

#[test]
fn start_partition_answers_a_job_that_is_complete_when_first_polled() {
    both(|c, s| {
        // Act
        let r = post_empty(c, s, "/api/partitions/linux2/operations/start");

        // Assert
        let job = job_uri(c, &r);
        assert_eq!(
            props(c, s, "/api/partitions/linux2")["status"],
            "active",
            "{}",
            c.transport()
        );
        let status = props(c, s, &job);
        assert_eq!(
            status["status"],
            "complete",
            "{}: {status:?}",
            c.transport()
        );
        assert_eq!(
            status["job-status-code"],
            200,
            "{}: {status:?}",
            c.transport()
        );
    });
}

#[test]
fn stop_partition_answers_a_job_and_stops_it() {
    both(|c, s| {
        // Act
        let r = post_empty(c, s, "/api/partitions/linux1/operations/stop");

        // Assert
        let job = job_uri(c, &r);
        assert_eq!(
            props(c, s, "/api/partitions/linux1")["status"],
            "stopped",
            "{}",
            c.transport()
        );
        let status = props(c, s, &job);
        assert_eq!(status["status"], "complete", "{}", c.transport());
        assert_eq!(status["job-status-code"], 200, "{}", c.transport());
    });
}

#[test]
fn a_degraded_or_reservation_error_partition_can_be_stopped() {
    both(|c, s| {
        for status in ["degraded", "reservation-error"] {
            // Arrange
            update(c, s, "/api/partitions/linux1", json!({"status": status}));

            // Act
            let r = post_empty(c, s, "/api/partitions/linux1/operations/stop");

            // Assert
            assert_eq!(r.status, 202, "{} {status}: {:?}", c.transport(), r.body);
            assert_eq!(
                props(c, s, "/api/partitions/linux1")["status"],
                "stopped",
                "{} {status}",
                c.transport()
            );
        }
    });
}

#[test]
fn delete_completed_job_answers_204_and_then_the_job_is_404_reason_1() {
    both(|c, s| {
        // Arrange
        let r = post_empty(c, s, "/api/partitions/linux2/operations/start");
        let job = job_uri(c, &r);

        // Act
        let deleted = delete(c, s, &job);

        // Assert
        assert_eq!(deleted.status, 204, "{}: {:?}", c.transport(), deleted.body);
        let gone = get(c, s, &job);
        assert_eq!(gone.code(), (404, 1), "{}: {:?}", c.transport(), gone.body);
    });
}

#[test]
fn start_of_active_partition_is_409_reason_1() {
    both(|c, s| {
        // Act
        let r = post_empty(c, s, "/api/partitions/linux1/operations/start");

        // Assert
        assert_eq!(r.code(), (409, 1), "{}: {:?}", c.transport(), r.body);
    });
}

#[test]
fn stop_of_stopped_partition_is_409_reason_1() {
    both(|c, s| {
        // Act
        let r = post_empty(c, s, "/api/partitions/linux2/operations/stop");

        // Assert
        assert_eq!(r.code(), (409, 1), "{}: {:?}", c.transport(), r.body);
        assert_eq!(
            props(c, s, "/api/partitions/linux2")["status"],
            "stopped",
            "{}",
            c.transport()
        );
    });
}

#[test]
fn start_with_json_content_type_and_empty_body_works_like_zhmcclient_sends_it() {
    both_raw(|c, s| {
        // Act
        let r = c.send_raw(
            "POST",
            "/api/partitions/linux2/operations/start",
            Some(s),
            Some("application/json"),
            b"",
        );

        // Assert
        job_uri(c, &r);
        assert_eq!(
            props(c, s, "/api/partitions/linux2")["status"],
            "active",
            "{}",
            c.transport()
        );
    });
}

#[test]
fn cancel_of_a_complete_job_is_409_reason_41() {
    both(|c, s| {
        // Arrange
        let r = post_empty(c, s, "/api/partitions/linux2/operations/start");
        let job = job_uri(c, &r);

        // Act
        let cancel = post_empty(c, s, &format!("{job}/operations/cancel"));

        // Assert
        assert_eq!(
            cancel.code(),
            (409, 41),
            "{}: {:?}",
            c.transport(),
            cancel.body
        );
        assert_eq!(props(c, s, &job)["status"], "complete", "{}", c.transport());
    });
}

#[test]
fn unknown_job_is_404_reason_1_and_job_uris_take_no_query() {
    both(|c, s| {
        // Arrange
        let r = post_empty(c, s, "/api/partitions/linux2/operations/start");
        let job = job_uri(c, &r);

        // Act
        let unknown = get(c, s, "/api/jobs/no-such-job");
        let with_query = get(c, s, &format!("{job}?foo=1"));

        // Assert
        assert_eq!(
            unknown.code(),
            (404, 1),
            "{}: {:?}",
            c.transport(),
            unknown.body
        );
        assert_eq!(
            with_query.code(),
            (404, 1),
            "{}: {:?}",
            c.transport(),
            with_query.body
        );
    });
}

// ---------------------------------------------------------------- NICs

#[test]
fn create_nic_on_a_virtual_switch_links_it_everywhere() {
    both(|c, s| {
        // Act
        let r = post(
            c,
            s,
            "/api/partitions/linux2/nics",
            json!({"name": "NIC2", "virtual-switch-uri": VSWITCH_0108}),
        );

        // Assert
        assert_eq!(r.status, 201, "{}: {:?}", c.transport(), r.body);
        assert_eq!(keys(&r.body), ["element-uri"], "{}", c.transport());
        let uri = r.body["element-uri"].as_str().unwrap();
        assert!(
            uri.starts_with("/api/partitions/linux2/nics/"),
            "{}: {uri}",
            c.transport()
        );
        assert_eq!(r.location.as_deref(), Some(uri), "{}", c.transport());
        let nic = props(c, s, uri);
        assert_eq!(nic["name"], "NIC2", "{}", c.transport());
        assert_eq!(nic["element-uri"], uri, "{}", c.transport());
        assert_eq!(nic["class"], "nic", "{}", c.transport());
        assert_eq!(nic["parent"], "/api/partitions/linux2", "{}", c.transport());
        assert_eq!(nic["virtual-switch-uri"], VSWITCH_0108, "{}", c.transport());
        assert_eq!(nic["type"], "iqd", "{}", c.transport());
        // LINUX2 has one NIC (8000).
        assert_eq!(nic["device-number"], "8001", "{}", c.transport());
        let nics = uri_list(c, s, "/api/partitions/linux2", "nic-uris");
        assert_eq!(
            nics.last().map(String::as_str),
            Some(uri),
            "{}: {nics:?}",
            c.transport()
        );
        assert_eq!(nics.len(), 2, "{}: {nics:?}", c.transport());
        let vnics = uri_list(c, s, VSWITCH_0108, "connected-vnic-uris");
        assert!(
            vnics.iter().any(|v| v == uri),
            "{}: {vnics:?}",
            c.transport()
        );
        assert!(
            vnics
                .iter()
                .any(|v| v == "/api/partitions/linux1/nics/nic1"),
            "{}: {vnics:?}",
            c.transport()
        );
    });
}

#[test]
fn create_nic_on_a_network_port() {
    both(|c, s| {
        // Act
        let r = post(
            c,
            s,
            "/api/partitions/linux1/nics",
            json!({"name": "NIC2", "network-adapter-port-uri": "/api/adapters/osa-0108/network-ports/1"}),
        );

        // Assert
        assert_eq!(r.status, 201, "{}: {:?}", c.transport(), r.body);
        let uri = r.body["element-uri"].as_str().unwrap();
        let nic = props(c, s, uri);
        assert_eq!(
            nic["network-adapter-port-uri"],
            "/api/adapters/osa-0108/network-ports/1",
            "{}",
            c.transport()
        );
        // LINUX1's HBA, virtual function and NIC hold 8000-8002.
        assert_eq!(nic["device-number"], "8003", "{}", c.transport());
        assert!(
            uri_list(c, s, "/api/partitions/linux1", "nic-uris")
                .iter()
                .any(|n| n == uri),
            "{}",
            c.transport()
        );
    });
}

#[test]
fn device_numbers_are_the_lowest_free_from_8000_per_partition_and_reused() {
    both(|c, s| {
        // Arrange
        let p = create_partition(c, s, "DEVNO");

        // Act
        let a = create_nic(c, s, &p, "A", VSWITCH_0108);
        let b = create_nic(c, s, &p, "B", VSWITCH_0108);
        let other = create_nic(c, s, "/api/partitions/linux2", "OTHER", VSWITCH_0109);
        assert_eq!(delete(c, s, &a).status, 204);
        let reused = create_nic(c, s, &p, "C", VSWITCH_0109);
        let next = create_nic(c, s, &p, "D", VSWITCH_0109);

        // Assert
        assert_eq!(device_number(c, s, &b), "8001", "{}", c.transport());
        assert_eq!(device_number(c, s, &other), "8001", "{}", c.transport());
        assert_eq!(device_number(c, s, &reused), "8000", "{}", c.transport());
        assert_eq!(device_number(c, s, &next), "8002", "{}", c.transport());
    });
}

#[test]
fn create_nic_with_bad_backing_is_404_with_the_hmc_reason() {
    both(|c, s| {
        let cases = [
            (
                "network-adapter-port-uri",
                "/api/adapters/osa-0108/storage-ports/0",
                6,
            ),
            (
                "network-adapter-port-uri",
                "/api/adapters/nope/network-ports/0",
                2,
            ),
            (
                "network-adapter-port-uri",
                "/api/adapters/osa-0108/network-ports/7",
                6,
            ),
            ("virtual-switch-uri", "/api/virtual-switches/nope", 2),
        ];
        for (prop, uri, reason) in cases {
            // Act
            let r = post(
                c,
                s,
                "/api/partitions/linux2/nics",
                json!({"name": "BAD", prop: uri}),
            );

            // Assert
            assert_eq!(
                r.code(),
                (404, reason),
                "{}: {prop} {uri}: {:?}",
                c.transport(),
                r.body
            );
        }
        assert_eq!(
            uri_list(c, s, "/api/partitions/linux2", "nic-uris").len(),
            1,
            "{}",
            c.transport()
        );
    });
}

#[test]
fn create_nic_with_unknown_adapter_names_the_adapter_in_the_message() {
    both(|c, s| {
        // Act
        let r = post(
            c,
            s,
            "/api/partitions/linux2/nics",
            json!({"name": "BAD", "network-adapter-port-uri": "/api/adapters/nope/network-ports/0"}),
        );

        // Assert
        assert_eq!(r.code(), (404, 2), "{}", c.transport());
        assert_eq!(
            r.body["message"],
            "Unknown resource with URI: /api/adapters/nope",
            "{}",
            c.transport()
        );
    });
}

#[test]
fn create_nic_without_backing_is_400_reason_5() {
    both(|c, s| {
        // Act
        let r = post(c, s, "/api/partitions/linux2/nics", json!({"name": "BAD"}));

        // Assert
        assert_eq!(r.code(), (400, 5), "{}: {:?}", c.transport(), r.body);
        let message = r.body["message"].as_str().unwrap_or("");
        assert!(
            message.contains("'network-adapter-port-uri'"),
            "{}: {message}",
            c.transport()
        );
        assert!(
            message.contains("'virtual-switch-uri'"),
            "{}: {message}",
            c.transport()
        );
    });
}

#[test]
fn nic_operations_on_a_starting_partition_are_409_reason_1() {
    both(|c, s| {
        // Arrange
        let set = post(
            c,
            s,
            "/api/partitions/linux2",
            json!({"status": "starting"}),
        );
        assert_eq!(set.status, 204, "{}: {:?}", c.transport(), set.body);

        // Act
        let create = post(
            c,
            s,
            "/api/partitions/linux2/nics",
            json!({"name": "NIC2", "virtual-switch-uri": VSWITCH_0108}),
        );
        let update = post(
            c,
            s,
            "/api/partitions/linux2/nics/nic1",
            json!({"description": "x"}),
        );
        let delete = delete(c, s, "/api/partitions/linux2/nics/nic1");

        // Assert
        assert_eq!(
            create.code(),
            (409, 1),
            "{}: {:?}",
            c.transport(),
            create.body
        );
        assert_eq!(
            update.code(),
            (409, 1),
            "{}: {:?}",
            c.transport(),
            update.body
        );
        assert_eq!(
            delete.code(),
            (409, 1),
            "{}: {:?}",
            c.transport(),
            delete.body
        );
        assert_eq!(
            uri_list(c, s, "/api/partitions/linux2", "nic-uris"),
            ["/api/partitions/linux2/nics/nic1"],
            "{}",
            c.transport()
        );
    });
}

#[test]
fn get_nic_returns_its_properties() {
    both(|c, s| {
        // Act
        let r = get_ok(c, s, "/api/partitions/linux2/nics/nic1");

        // Assert
        assert_eq!(r.body["name"], "NIC1", "{}", c.transport());
        assert_eq!(
            r.body["element-uri"],
            "/api/partitions/linux2/nics/nic1",
            "{}",
            c.transport()
        );
        assert_eq!(
            r.body["network-adapter-port-uri"],
            "/api/adapters/osa-0109/network-ports/0",
            "{}",
            c.transport()
        );
        assert_eq!(r.body["device-number"], "8000", "{}", c.transport());
    });
}

#[test]
fn update_nic_writes_writable_properties_and_rejects_others_with_400_reason_6() {
    both(|c, s| {
        // Act
        let ok = post(
            c,
            s,
            "/api/partitions/linux1/nics/nic1",
            json!({"name": "RENAMED", "description": "d", "vlan-id": 12}),
        );
        let bad = post(
            c,
            s,
            "/api/partitions/linux1/nics/nic1",
            json!({"type": "roce"}),
        );

        // Assert
        assert_eq!(ok.status, 204, "{}: {:?}", c.transport(), ok.body);
        assert_eq!(bad.code(), (400, 6), "{}: {:?}", c.transport(), bad.body);
        assert_eq!(
            bad.body["message"],
            "Property is not writable: 'type'",
            "{}",
            c.transport()
        );
        let nic = props(c, s, "/api/partitions/linux1/nics/nic1");
        assert_eq!(nic["name"], "RENAMED", "{}", c.transport());
        assert_eq!(nic["description"], "d", "{}", c.transport());
        assert_eq!(nic["vlan-id"], 12, "{}", c.transport());
        assert_eq!(nic["type"], "osd", "{}", c.transport());
    });
}

#[test]
fn delete_nic_unlinks_it_and_frees_its_device_number() {
    both(|c, s| {
        // Arrange
        let nic = create_nic(c, s, "/api/partitions/linux2", "NIC2", VSWITCH_0109);
        let devno = device_number(c, s, &nic);

        // Act
        let r = delete(c, s, &nic);

        // Assert
        assert_eq!(r.status, 204, "{}: {:?}", c.transport(), r.body);
        assert_eq!(get(c, s, &nic).code(), (404, 1), "{}", c.transport());
        assert!(
            !uri_list(c, s, "/api/partitions/linux2", "nic-uris").contains(&nic),
            "{}",
            c.transport()
        );
        assert!(
            !uri_list(c, s, VSWITCH_0109, "connected-vnic-uris").contains(&nic),
            "{}",
            c.transport()
        );
        let again = create_nic(c, s, "/api/partitions/linux2", "NIC3", VSWITCH_0109);
        assert_eq!(device_number(c, s, &again), devno, "{}", c.transport());
    });
}

#[test]
fn list_nics_uri_does_not_exist_get_is_404_reason_1_invalid_method() {
    both(|c, s| {
        // Act
        let r = get(c, s, "/api/partitions/linux1/nics");

        // Assert
        assert_eq!(r.code(), (404, 1), "{}: {:?}", c.transport(), r.body);
        let message = r.body["message"].as_str().unwrap_or("");
        assert!(
            message.starts_with("Invalid HTTP method GET"),
            "{}: {message}",
            c.transport()
        );
    });
}

// ---------------------------------------------------------------- consistency

#[test]
fn deleting_a_stopped_partition_deletes_its_nics_and_cleans_the_vswitch() {
    both(|c, s| {
        // Arrange
        let nic = create_nic(c, s, "/api/partitions/linux2", "NIC2", VSWITCH_0109);
        assert!(uri_list(c, s, VSWITCH_0109, "connected-vnic-uris").contains(&nic));

        // Act
        let r = delete(c, s, "/api/partitions/linux2");

        // Assert
        assert_eq!(r.status, 204, "{}: {:?}", c.transport(), r.body);
        for gone in [
            &nic,
            "/api/partitions/linux2/nics/nic1",
            "/api/partitions/linux2",
        ] {
            let g = get(c, s, gone);
            assert_eq!(
                g.code(),
                (404, 1),
                "{}: GET {gone}: {:?}",
                c.transport(),
                g.body
            );
        }
        assert!(
            uri_list(c, s, VSWITCH_0109, "connected-vnic-uris").is_empty(),
            "{}",
            c.transport()
        );
        assert_eq!(
            uri_list(c, s, VSWITCH_0108, "connected-vnic-uris"),
            ["/api/partitions/linux1/nics/nic1"],
            "{}",
            c.transport()
        );
    });
}

#[test]
fn create_nic_that_fails_after_its_checks_leaves_no_partial_state() {
    both_raw(|c, s| {
        // Arrange: a valid port passes the checks; the unknown virtual switch
        // fails only when the NIC is linked, after it was stored and numbered.
        let nics_before = uri_list(c, s, "/api/partitions/linux2", "nic-uris");
        let count = || -> i64 {
            rusqlite::Connection::open(c.db_path())
                .unwrap()
                .query_row(
                    "SELECT count(*) FROM resources WHERE class = 'nic'",
                    [],
                    |r| r.get(0),
                )
                .unwrap()
        };
        let stored_before = count();

        // Act
        let r = post(
            c,
            s,
            "/api/partitions/linux2/nics",
            json!({
                "name": "HALF",
                "network-adapter-port-uri": "/api/adapters/osa-0108/network-ports/1",
                "virtual-switch-uri": "/api/virtual-switches/nope",
            }),
        );

        // Assert
        assert_eq!(r.code(), (404, 2), "{}: {:?}", c.transport(), r.body);
        assert_eq!(
            uri_list(c, s, "/api/partitions/linux2", "nic-uris"),
            nics_before,
            "{}",
            c.transport()
        );
        assert_eq!(
            count(),
            stored_before,
            "{}: a NIC row was left behind",
            c.transport()
        );
        let next = create_nic(c, s, "/api/partitions/linux2", "HALF", VSWITCH_0109);
        assert_eq!(
            device_number(c, s, &next),
            "8001",
            "{}: device number leaked",
            c.transport()
        );
    });
}
