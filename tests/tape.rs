//! Tape libraries, tape links and virtual tape resources (spec 4.14),
//! through the library and over HTTPS.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use mock_hmc::test_support::{StoreError, store};
use mock_hmc::{Hmc, Method};
use serde_json::json;
use support::error_table::{self, Row, row};
use support::helpers::{completed_job, create, get, post, post_empty, props, update};
use support::{Client, RawClient, both, both_loaded, both_raw};

const TLS: &str = "/api/tape-libraries";
const TL1: &str = "/api/tape-libraries/tl1";
const ZONING: &str = "/api/tape-libraries/operations/request-tape-library-zoning";
const DISCOVER: &str = "/api/tape-libraries/operations/discover-tape-libraries";
const LINKS: &str = "/api/tape-links";
const TLINK1: &str = "/api/tape-links/tlink1";
const VTRS: &str = "/api/tape-links/tlink1/virtual-tape-resources";
const VTR1: &str = "/api/tape-links/tlink1/virtual-tape-resources/vtr1";
const DPM1: &str = "/api/cpcs/dpm1";

/// Zones dpm1; must succeed.
fn zone(c: &dyn Client, s: &str) {
    let r = post(c, s, ZONING, json!({"cpc-uri": DPM1}));
    assert_eq!(r.status, 200, "{}: {:?}", c.transport(), r.body);
}

/// Creates tape link `name` on dpm1; returns its URI.
fn create_link(c: &dyn Client, s: &str, name: &str) -> String {
    create(c, s, LINKS, json!({"name": name, "cpc-uri": DPM1}))
}

// ---------------------------------------------------------------------------
// Tape libraries.

#[test]
fn list_tape_libraries_answers_the_four_properties_and_filters() {
    both(|c, s| {
        // Act
        let all = get(c, s, TLS);
        let by_cpc = get(c, s, &format!("{TLS}?cpc-uri={DPM1}&state=complete"));
        let none = get(c, s, &format!("{TLS}?name=TL2"));

        // Assert
        let t = c.transport();
        let expected = json!({"tape-libraries": [
            {"object-uri": TL1, "cpc-uri": DPM1, "name": "TL1", "state": "complete"}
        ]});
        assert_eq!(all.body, expected, "{t}");
        assert_eq!(by_cpc.body, expected, "{t}");
        assert_eq!(none.body, json!({"tape-libraries": []}), "{t}");
    });
}

#[test]
fn get_tape_library_answers_all_properties() {
    both(|c, s| {
        // Act
        let tl = props(c, s, TL1);

        // Assert
        let t = c.transport();
        assert_eq!(tl["name"], "TL1", "{t}");
        assert_eq!(tl["class"], "tape-library", "{t}");
        assert_eq!(tl["parent"], "/api/console", "{t}");
        assert_eq!(tl["tape-link-uris"], json!([TLINK1]), "{t}");
    });
}

#[test]
fn update_tape_library_merges_the_body() {
    both(|c, s| {
        // Act
        let r = post(c, s, TL1, json!({"description": "robot", "name": "TL-ONE"}));

        // Assert
        let t = c.transport();
        assert_eq!(r.status, 204, "{t}: {:?}", r.body);
        let tl = props(c, s, TL1);
        assert_eq!(tl["description"], "robot", "{t}");
        assert_eq!(tl["name"], "TL-ONE", "{t}");
    });
}

#[test]
fn undefine_tape_library_removes_it() {
    both(|c, s| {
        // Act
        let r = post_empty(c, s, &format!("{TL1}/operations/undefine"));

        // Assert
        let t = c.transport();
        assert_eq!(r.status, 204, "{t}: {:?}", r.body);
        assert_eq!(get(c, s, TL1).code(), (404, 1), "{t}");
        assert_eq!(props(c, s, TLS), json!({"tape-libraries": []}), "{t}");
    });
}

#[test]
fn request_zoning_sets_the_cpcs_management_wwpn_and_answers_an_empty_object() {
    both(|c, s| {
        // Act
        let r = post(
            c,
            s,
            ZONING,
            json!({"cpc-uri": DPM1, "email-to-addresses": ["a@b.c"]}),
        );

        // Assert
        let t = c.transport();
        assert_eq!((r.status, r.body.clone()), (200, json!({})), "{t}");
        assert_eq!(
            props(c, s, DPM1)["management-world-wide-port-name"],
            "a1b2c3d4e5f60002",
            "{t}"
        );
    });
}

#[test]
fn discover_before_zoning_is_409_501_also_when_the_cpc_lacks_the_property() {
    both(|c, s| {
        // Arrange: dpm1 has no management-world-wide-port-name at all.
        assert!(
            props(c, s, DPM1)
                .get("management-world-wide-port-name")
                .is_none()
        );

        // Act
        let missing = post(c, s, DISCOVER, json!({"cpc-uri": DPM1}));
        update(c, s, DPM1, json!({"management-world-wide-port-name": ""}));
        let empty = post(c, s, DISCOVER, json!({"cpc-uri": DPM1}));

        // Assert
        let t = c.transport();
        for r in [&missing, &empty] {
            assert_eq!(r.code(), (409, 501), "{t}: {:?}", r.body);
            assert_eq!(
                r.body["message"], "The CPC with the /api/cpcs/dpm1 has not been zoned.",
                "{t}"
            );
        }
    });
}

#[test]
fn discover_after_zoning_answers_a_completed_job_and_adds_no_library() {
    both(|c, s| {
        // Arrange
        zone(c, s);

        // Act
        let r = post(
            c,
            s,
            DISCOVER,
            json!({"cpc-uri": DPM1, "force-restart": false}),
        );

        // Assert
        let t = c.transport();
        completed_job(c, s, &r);
        assert_eq!(
            props(c, s, TLS)["tape-libraries"].as_array().unwrap().len(),
            1,
            "{t}"
        );
    });
}

#[test]
fn discover_on_a_cpc_whose_status_forbids_operations_is_409_6() {
    both(|c, s| {
        // Arrange
        zone(c, s);
        update(c, s, DPM1, json!({"status": "not-operating"}));

        // Act
        let r = post(c, s, DISCOVER, json!({"cpc-uri": DPM1}));

        // Assert
        assert_eq!(r.code(), (409, 6), "{}: {:?}", c.transport(), r.body);
    });
}

#[test]
fn zoning_needs_no_valid_cpc_status() {
    // Unlike Discover and Create Tape Link, zoning checks no CPC status
    // (like the mock), so it does not share their status check.
    both(|c, s| {
        // Arrange
        update(c, s, DPM1, json!({"status": "not-operating"}));

        // Act
        let r = post(c, s, ZONING, json!({"cpc-uri": DPM1}));

        // Assert
        let t = c.transport();
        assert_eq!(r.status, 200, "{t}: {:?}", r.body);
        assert_eq!(
            props(c, s, DPM1)["management-world-wide-port-name"],
            "a1b2c3d4e5f60002",
            "{t}"
        );
    });
}

/// A DPM CPC without adapters, besides the console (user ensadmin added).
const BARE_CPC: &str = "
hmc_definition:
  host: 127.0.0.1
  api_version: '4.10'
  consoles:
  - properties: {object-id: console1, name: HMC1}
  cpcs:
  - properties: {object-id: bare, name: BARE, dpm-enabled: true, status: active}
";

/// Runs `scenario` in-process and over HTTPS on `BARE_CPC`.
fn on_bare_cpc(scenario: impl Fn(&dyn RawClient, &str)) {
    both_loaded(BARE_CPC, scenario);
}

#[test]
fn zoning_a_cpc_without_adapters_is_409_487() {
    on_bare_cpc(|c, s| {
        // Act
        let r = post(c, s, ZONING, json!({"cpc-uri": "/api/cpcs/bare"}));

        // Assert
        let t = c.transport();
        assert_eq!(r.code(), (409, 487), "{t}: {:?}", r.body);
        assert_eq!(
            r.body["message"],
            "The CPC with the /api/cpcs/bare does not have any adapters configured as FCP",
            "{t}"
        );
        assert!(
            props(c, s, "/api/cpcs/bare")
                .get("management-world-wide-port-name")
                .is_none(),
            "{t}"
        );
    });
}

#[test]
fn without_a_console_the_console_scoped_tape_collections_are_404_1() {
    both_raw(|c, s| {
        // Arrange: the console goes (with its users, libraries and links);
        // the session stays valid.
        let hmc = Hmc::open_unseeded(c.db_path()).unwrap();
        store(&hmc)
            .write::<_, StoreError>(|tx| tx.delete_resource("/api/console"))
            .unwrap();

        for (method, uri, body) in [
            (Method::Get, TLS, None),
            (Method::Get, LINKS, None),
            (
                Method::Post,
                LINKS,
                Some(json!({"name": "L", "cpc-uri": DPM1})),
            ),
        ] {
            // Act
            let r = c.send(method, uri, Some(s), body.as_ref());

            // Assert
            let what = format!("{} {method} {uri}", c.transport());
            assert_eq!(r.code(), (404, 1), "{what}: {:?}", r.body);
            assert_eq!(
                r.body["message"],
                format!("Unknown resource with URI: {uri}"),
                "{what}"
            );
        }
    });
}

// ---------------------------------------------------------------------------
// Tape links.

#[test]
fn list_tape_links_answers_the_five_properties_and_filters() {
    both(|c, s| {
        // Act
        let all = get(c, s, LINKS);
        let by_library = get(c, s, &format!("{LINKS}?tape-library-uri={TL1}"));
        let pending = get(c, s, &format!("{LINKS}?fulfillment-state=pending"));

        // Assert
        let t = c.transport();
        let expected = json!({"tape-links": [{
            "object-uri": TLINK1, "cpc-uri": DPM1, "name": "TLINK1",
            "fulfillment-state": "complete", "tape-library-uri": TL1
        }]});
        assert_eq!(all.body, expected, "{t}");
        assert_eq!(by_library.body, expected, "{t}");
        assert_eq!(pending.body, json!({"tape-links": []}), "{t}");
    });
}

#[test]
fn create_tape_link_sets_defaults_forces_pending_and_is_listed() {
    both(|c, s| {
        // Act
        let r = post(
            c,
            s,
            LINKS,
            json!({"name": "TLINK2", "cpc-uri": DPM1, "fulfillment-state": "complete",
                   "tape-library-uri": TL1, "max-partitions": 4}),
        );

        // Assert
        let t = c.transport();
        assert_eq!(r.status, 201, "{t}: {:?}", r.body);
        let uri = r.body["object-uri"].as_str().unwrap();
        assert!(uri.starts_with("/api/tape-links/"), "{t}: {uri}");
        let link = props(c, s, uri);
        assert_eq!(link["name"], "TLINK2", "{t}");
        assert_eq!(link["description"], "", "{t}");
        assert_eq!(link["fulfillment-state"], "pending", "{t}");
        assert_eq!(link["max-partitions"], 4, "{t}");
        assert_eq!(link["class"], "tape-link", "{t}");
        assert_eq!(link["parent"], "/api/console", "{t}");
        let listed = props(c, s, &format!("{LINKS}?name=TLINK2"));
        assert_eq!(listed["tape-links"][0]["object-uri"], uri, "{t}");
    });
}

#[test]
fn create_tape_link_keeps_a_given_description() {
    both(|c, s| {
        // Act
        let r = post(
            c,
            s,
            LINKS,
            json!({"name": "T2", "cpc-uri": DPM1, "description": "d"}),
        );

        // Assert
        let uri = r.body["object-uri"].as_str().unwrap();
        assert_eq!(props(c, s, uri)["description"], "d", "{}", c.transport());
    });
}

#[test]
fn create_tape_link_on_a_cpc_whose_status_forbids_operations_is_409_6() {
    both(|c, s| {
        // Arrange
        update(c, s, DPM1, json!({"status": "service"}));

        // Act
        let r = post(c, s, LINKS, json!({"name": "T2", "cpc-uri": DPM1}));

        // Assert
        let t = c.transport();
        assert_eq!(r.code(), (409, 6), "{t}: {:?}", r.body);
        assert_eq!(
            props(c, s, LINKS)["tape-links"].as_array().unwrap().len(),
            1,
            "{t}"
        );
    });
}

#[test]
fn get_and_update_tape_link_properties() {
    both(|c, s| {
        // Act
        let r = post(
            c,
            s,
            TLINK1,
            json!({"description": "updated", "name": "TLINK-ONE"}),
        );

        // Assert
        let t = c.transport();
        assert_eq!(r.status, 204, "{t}: {:?}", r.body);
        let link = props(c, s, TLINK1);
        assert_eq!(link["description"], "updated", "{t}");
        assert_eq!(link["name"], "TLINK-ONE", "{t}");
        assert_eq!(link["connectivity"], 1, "{t}");
    });
}

#[test]
fn modify_tape_link_merges_the_body() {
    both(|c, s| {
        // Act
        let r = post(
            c,
            s,
            &format!("{TLINK1}/operations/modify"),
            json!({"name": "TLINK1", "max-partitions": 8, "description": "modified"}),
        );

        // Assert
        let t = c.transport();
        assert_eq!(r.status, 204, "{t}: {:?}", r.body);
        let link = props(c, s, TLINK1);
        assert_eq!(link["max-partitions"], 8, "{t}");
        assert_eq!(link["description"], "modified", "{t}");
    });
}

#[test]
fn delete_tape_link_removes_it_its_resources_and_its_references() {
    both(|c, s| {
        // Act
        let r = post(c, s, &format!("{TLINK1}/operations/delete"), json!({}));

        // Assert
        let t = c.transport();
        assert_eq!(r.status, 204, "{t}: {:?}", r.body);
        assert_eq!(get(c, s, TLINK1).code(), (404, 1), "{t}");
        assert_eq!(get(c, s, VTR1).code(), (404, 1), "{t}");
        assert_eq!(props(c, s, LINKS), json!({"tape-links": []}), "{t}");
        assert_eq!(props(c, s, TL1)["tape-link-uris"], json!([]), "{t}");
    });
}

#[test]
fn delete_tape_link_accepts_no_body() {
    both(|c, s| {
        // Arrange
        let uri = create_link(c, s, "T2");

        // Act
        let r = post_empty(c, s, &format!("{uri}/operations/delete"));

        // Assert
        let t = c.transport();
        assert_eq!(r.status, 204, "{t}: {:?}", r.body);
        assert_eq!(get(c, s, &uri).code(), (404, 1), "{t}");
    });
}

#[test]
fn get_tape_link_histories_answers_an_empty_list() {
    both(|c, s| {
        // Act
        let r = get(
            c,
            s,
            &format!("{TLINK1}/operations/get-tape-link-histories"),
        );

        // Assert
        assert_eq!(
            (r.status, r.body),
            (200, json!({"tape-link-histories": []})),
            "{}",
            c.transport()
        );
    });
}

#[test]
fn get_partitions_answers_the_partitions_of_the_links_cpc_filtered_by_name_and_status() {
    both(|c, s| {
        let base = format!("{TLINK1}/operations/get-partitions");

        // Act
        let all = props(c, s, &base);
        let by_name = props(c, s, &format!("{base}?name=LINUX1"));
        let stopped = props(c, s, &format!("{base}?status=stopped"));

        // Assert
        let t = c.transport();
        let linux1 =
            json!({"object-uri": "/api/partitions/linux1", "name": "LINUX1", "status": "active"});
        let linux2 =
            json!({"object-uri": "/api/partitions/linux2", "name": "LINUX2", "status": "stopped"});
        assert_eq!(all, json!({"partitions": [linux1, linux2]}), "{t}");
        assert_eq!(by_name, json!({"partitions": [linux1]}), "{t}");
        assert_eq!(stopped, json!({"partitions": [linux2]}), "{t}");
    });
}

#[test]
fn get_partitions_of_a_link_without_cpc_is_empty() {
    both(|c, s| {
        // Arrange
        update(c, s, TLINK1, json!({"cpc-uri": null}));

        // Act
        let r = props(c, s, &format!("{TLINK1}/operations/get-partitions"));

        // Assert
        assert_eq!(r, json!({"partitions": []}), "{}", c.transport());
    });
}

#[test]
fn environment_report_is_the_fixed_one_until_updated() {
    both(|c, s| {
        let get_uri = format!("{TLINK1}/operations/get-tape-link-environment-report");
        let update_uri = format!("{TLINK1}/operations/update-tape-link-environment-report");

        // Act
        let initial = props(c, s, &get_uri);
        let empty = post(c, s, &update_uri, json!({}));
        let after_empty = props(c, s, &get_uri);
        let update = post(c, s, &update_uri, json!({"status": "degraded", "paths": 2}));
        let after = props(c, s, &get_uri);
        let no_body = post_empty(c, s, &update_uri);
        let after_no_body = props(c, s, &get_uri);

        // Assert
        let t = c.transport();
        let fixed = json!({"status": "ok", "last-updated": "2024-01-01T00:00:00Z", "details": {}});
        assert_eq!(initial, fixed, "{t}");
        assert_eq!((empty.status, empty.body), (200, json!({})), "{t}");
        assert_eq!(after_empty, fixed, "{t}");
        assert_eq!((update.status, update.body), (200, json!({})), "{t}");
        let report = json!({"status": "degraded", "paths": 2});
        assert_eq!(after, report, "{t}");
        assert_eq!(props(c, s, TLINK1)["environment-report"], report, "{t}");
        assert_eq!(no_body.status, 200, "{t}");
        assert_eq!(after_no_body, report, "{t}");
    });
}

// ---------------------------------------------------------------------------
// Virtual tape resources.

#[test]
fn list_virtual_tape_resources_answers_the_five_properties_and_filters() {
    both(|c, s| {
        // Act
        let all = get(c, s, VTRS);
        let by_partition = get(
            c,
            s,
            &format!("{VTRS}?partition-uri=/api/partitions/linux2"),
        );

        // Assert
        let t = c.transport();
        assert_eq!(
            all.body,
            json!({"virtual-tape-resources": [{
                "element-uri": VTR1, "name": "LINUX1 TAPE", "device-number": "8200",
                "adapter-port-uri": "/api/adapters/fcp-0118/storage-ports/0",
                "partition-uri": "/api/partitions/linux1"
            }]}),
            "{t}"
        );
        assert_eq!(
            by_partition.body,
            json!({"virtual-tape-resources": []}),
            "{t}"
        );
    });
}

#[test]
fn get_and_update_virtual_tape_resource() {
    both(|c, s| {
        // Act
        let r = post(
            c,
            s,
            VTR1,
            json!({"device-number": "8201", "description": "tape"}),
        );

        // Assert
        let t = c.transport();
        assert_eq!(r.status, 204, "{t}: {:?}", r.body);
        let vtr = props(c, s, VTR1);
        assert_eq!(vtr["device-number"], "8201", "{t}");
        assert_eq!(vtr["description"], "tape", "{t}");
        assert_eq!(vtr["class"], "virtual-tape-resource", "{t}");
        assert_eq!(vtr["parent"], TLINK1, "{t}");
    });
}

// ---------------------------------------------------------------------------
// Error paths.

/// Every error path on the default HMC plus a second link `TLINK2` (id
/// tlink2).
#[rustfmt::skip]
fn table() -> Vec<Row> {
    use Method::{Delete, Get, Post};
    let cpc = |uri: &str| Some(json!({"cpc-uri": uri}));
    vec![
        // Tape libraries.
        row(Get, "/api/tape-libraries?foo=1", None, 400, 1),
        row(Get, "/api/tape-libraries?name=%5B", None, 400, 1),
        row(Get, "/api/tape-libraries/nope", None, 404, 1),
        row(Get, "/api/tape-libraries/tl1?properties=name", None, 400, 1),
        row(Post, "/api/tape-libraries/nope", Some(json!({"description": "x"})), 404, 1),
        row(Post, TL1, None, 400, 3),
        row(Delete, TL1, None, 404, 1),
        row(Post, "/api/tape-libraries/nope/operations/undefine", None, 404, 1),
        row(Get, "/api/tape-libraries/tl1/operations/undefine", None, 404, 1),
        // Request Tape Library Zoning.
        row(Post, ZONING, None, 400, 3),
        row(Post, ZONING, Some(json!({"email-to-addresses": []})), 400, 5),
        row(Post, ZONING, cpc("/api/cpcs/nope"), 404, 1),
        row(Post, ZONING, cpc("/api/tape-libraries/tl1"), 404, 1),
        row(Post, ZONING, cpc("/api/cpcs/classic1"), 409, 5),
        row(Get, ZONING, None, 404, 1),
        // Discover Tape Libraries.
        row(Post, DISCOVER, None, 400, 3),
        row(Post, DISCOVER, Some(json!({"force-restart": true})), 400, 5),
        row(Post, DISCOVER, cpc("/api/cpcs/nope"), 404, 1),
        row(Post, DISCOVER, cpc("/api/cpcs/classic1"), 409, 5),
        row(Post, DISCOVER, cpc(DPM1), 409, 501),
        row(Post, "/api/tape-libraries/operations/discover-tape-libraries?x=1", cpc(DPM1), 404, 1),
        // Tape links: list and create.
        row(Get, "/api/tape-links?foo=1", None, 400, 1),
        row(Post, LINKS, None, 400, 3),
        row(Post, LINKS, Some(json!({"cpc-uri": DPM1})), 400, 5),
        row(Post, LINKS, Some(json!({"name": "T3"})), 400, 5),
        row(Post, LINKS, Some(json!({"name": "T3", "cpc-uri": "/api/cpcs/nope"})), 404, 1),
        row(Post, LINKS, Some(json!({"name": "T3", "cpc-uri": "/api/cpcs/classic1"})), 409, 5),
        row(Post, LINKS, Some(json!({"name": "TLINK1", "cpc-uri": DPM1})), 400, 8),
        // Tape links: element and operations.
        row(Get, "/api/tape-links/nope", None, 404, 1),
        row(Get, "/api/tape-links/tlink1?properties=name", None, 400, 1),
        row(Post, "/api/tape-links/nope", Some(json!({"description": "x"})), 404, 1),
        row(Post, TLINK1, None, 400, 3),
        row(Post, TLINK1, Some(json!({"name": "TLINK2"})), 400, 8),
        row(Delete, TLINK1, None, 404, 1),
        row(Post, "/api/tape-links/nope/operations/delete", None, 404, 1),
        row(Post, "/api/tape-links/tlink1/operations/delete?x=1", None, 404, 1),
        row(Post, "/api/tape-links/nope/operations/modify", Some(json!({"description": "x"})), 404, 1),
        row(Post, "/api/tape-links/tlink1/operations/modify", None, 400, 3),
        row(Post, "/api/tape-links/tlink1/operations/modify", Some(json!({"name": "TLINK2"})), 400, 8),
        row(Get, "/api/tape-links/nope/operations/get-tape-link-histories", None, 404, 1),
        row(Get, "/api/tape-links/tlink1/operations/get-tape-link-histories?x=1", None, 400, 1),
        row(Post, "/api/tape-links/tlink1/operations/get-tape-link-histories", None, 404, 1),
        row(Get, "/api/tape-links/nope/operations/get-partitions", None, 404, 1),
        row(Get, "/api/tape-links/tlink1/operations/get-partitions?foo=1", None, 400, 1),
        row(Get, "/api/tape-links/tlink1/operations/get-partitions?name=%5B", None, 400, 1),
        row(Get, "/api/tape-links/nope/operations/get-tape-link-environment-report", None, 404, 1),
        row(Get, "/api/tape-links/tlink1/operations/get-tape-link-environment-report?x=1", None, 400, 1),
        row(Post, "/api/tape-links/nope/operations/update-tape-link-environment-report", Some(json!({"a": 1})), 404, 1),
        row(Get, "/api/tape-links/tlink1/operations/update-tape-link-environment-report", None, 404, 1),
        // Virtual tape resources.
        row(Get, "/api/tape-links/nope/virtual-tape-resources", None, 404, 1),
        row(Get, "/api/tape-links/tlink1/virtual-tape-resources?foo=1", None, 400, 1),
        row(Get, "/api/tape-links/tlink1/virtual-tape-resources/nope", None, 404, 1),
        row(Get, "/api/tape-links/tlink2/virtual-tape-resources/vtr1", None, 404, 1),
        row(Post, "/api/tape-links/tlink1/virtual-tape-resources/nope", Some(json!({"name": "x"})), 404, 1),
        row(Post, VTR1, None, 400, 3),
        row(Delete, VTR1, None, 404, 1),
    ]
}

#[test]
fn every_error_path_answers_its_status_and_reason_and_changes_nothing() {
    both_raw(|c, s| {
        create(
            c,
            s,
            LINKS,
            json!({"name": "TLINK2", "cpc-uri": DPM1, "object-id": "tlink2"}),
        );
        error_table::run(c, s, &table(), &[TLS, TL1, LINKS, TLINK1, VTRS, VTR1, DPM1]);
    });
}
