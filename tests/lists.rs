//! The List operations of table 5.5 that the descriptors serve: response
//! key, item properties, CPC mode gating and filters, over both transports,
//! on the condensed definition file (one resource of every type).

#![allow(clippy::unwrap_used, reason = "test helpers")]

mod support;

use serde_json::{Value, json};
use support::helpers::{get, names, props};
use support::{RawClient, both_loaded};

/// Runs `scenario` in-process and over HTTPS on the condensed definition
/// (plus user ensadmin), each on its own db.
fn on_condensed(scenario: impl Fn(&dyn RawClient, &str)) {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/condensed.yaml"
    ))
    .unwrap();
    both_loaded(&text, scenario);
}

#[test]
fn every_list_answers_its_key_with_exactly_its_item_properties() {
    // (uri, response key, item properties, names listed)
    let rows: &[(&str, &str, &[&str], &[&str])] = &[
        (
            "/api/console/users",
            "users",
            &["object-uri", "name", "type"],
            &["User1", "ensadmin"],
        ),
        (
            "/api/console/user-roles",
            "user-roles",
            &["object-uri", "name", "type"],
            &["hmc-operator-tasks"],
        ),
        (
            "/api/console/user-patterns",
            "user-patterns",
            &["element-uri", "name", "type"],
            &["UP1"],
        ),
        (
            "/api/console/password-rules",
            "password-rules",
            &["element-uri", "name", "type"],
            &["Basic"],
        ),
        (
            "/api/console/tasks",
            "tasks",
            &["element-uri", "name"],
            &["Task 1"],
        ),
        (
            "/api/console/ldap-server-definitions",
            "ldap-server-definitions",
            &["element-uri", "name"],
            &["LDAP1"],
        ),
        (
            "/api/console/sso-server-definitions",
            "sso-server-definitions",
            &["element-uri", "name", "type"],
            &["SSO1"],
        ),
        (
            "/api/storage-groups",
            "storage-groups",
            &["object-uri", "cpc-uri", "name", "fulfillment-state", "type"],
            &["SG1"],
        ),
        (
            "/api/storage-groups/sg1/storage-volumes",
            "storage-volumes",
            &["element-uri", "name", "fulfillment-state", "size", "usage"],
            &["SV1"],
        ),
        (
            "/api/tape-links",
            "tape-links",
            &[
                "object-uri",
                "cpc-uri",
                "name",
                "fulfillment-state",
                "tape-library-uri",
            ],
            &["Tape Link 1"],
        ),
        (
            "/api/tape-links/tlink1/virtual-tape-resources",
            "virtual-tape-resources",
            &[
                "element-uri",
                "name",
                "device-number",
                "adapter-port-uri",
                "partition-uri",
            ],
            &["VTR1"],
        ),
        (
            "/api/cpcs/cpc_dpm/capacity-groups",
            "capacity-groups",
            &["element-uri", "name"],
            &["CG1"],
        ),
        (
            "/api/cpcs/cpc_dpm/adapters",
            "adapters",
            &[
                "object-uri",
                "name",
                "adapter-id",
                "adapter-family",
                "type",
                "status",
            ],
            &["OSA1", "FCP1"],
        ),
        (
            "/api/cpcs/cpc_dpm/virtual-switches",
            "virtual-switches",
            &["object-uri", "name", "type"],
            &["VS OSA1"],
        ),
        (
            "/api/cpcs/cpc_cla/logical-partitions",
            "logical-partitions",
            &["object-uri", "name", "status"],
            &["LPAR1"],
        ),
        (
            "/api/cpcs/cpc_cla/reset-activation-profiles",
            "reset-activation-profiles",
            &["element-uri", "name"],
            &["CPC_CLA"],
        ),
        (
            "/api/cpcs/cpc_cla/image-activation-profiles",
            "image-activation-profiles",
            &["element-uri", "name"],
            &["LPAR1"],
        ),
        (
            "/api/cpcs/cpc_cla/load-activation-profiles",
            "load-activation-profiles",
            &["element-uri", "name"],
            &["STANDARDLOAD"],
        ),
    ];
    on_condensed(|c, s| {
        for (uri, key, item_props, expected) in rows {
            let body = props(c, s, uri);
            let obj = body.as_object().unwrap();
            assert_eq!(
                obj.keys().collect::<Vec<_>>(),
                vec![key],
                "{} {uri}",
                c.transport()
            );
            let items = &body[*key];
            assert_eq!(names(items), *expected, "{} {uri}", c.transport());
            for item in items.as_array().unwrap() {
                let keys: Vec<&str> = item
                    .as_object()
                    .unwrap()
                    .keys()
                    .map(String::as_str)
                    .collect();
                assert_eq!(keys, *item_props, "{} {uri}", c.transport());
            }
        }
    });
}

#[test]
fn lists_of_a_cpc_in_the_other_mode_are_empty() {
    let rows = [
        ("/api/cpcs/cpc_cla/adapters", "adapters"),
        ("/api/cpcs/cpc_cla/virtual-switches", "virtual-switches"),
        ("/api/cpcs/cpc_cla/partitions", "partitions"),
        ("/api/cpcs/cpc_dpm/logical-partitions", "logical-partitions"),
        (
            "/api/cpcs/cpc_dpm/reset-activation-profiles",
            "reset-activation-profiles",
        ),
        (
            "/api/cpcs/cpc_dpm/image-activation-profiles",
            "image-activation-profiles",
        ),
        (
            "/api/cpcs/cpc_dpm/load-activation-profiles",
            "load-activation-profiles",
        ),
    ];
    on_condensed(|c, s| {
        for (uri, key) in rows {
            assert_eq!(
                props(c, s, uri),
                json!({ key: [] }),
                "{} {uri}",
                c.transport()
            );
        }
    });
}

#[test]
fn list_filters_follow_hmc_semantics() {
    on_condensed(|c, s| {
        let t = c.transport();
        // Full-match regular expressions, case-sensitive for most classes.
        assert_eq!(
            names(&props(c, s, "/api/cpcs/cpc_dpm/adapters?name=O.*")["adapters"]),
            ["OSA1"],
            "{t}"
        );
        assert!(
            names(&props(c, s, "/api/cpcs/cpc_dpm/adapters?name=OSA")["adapters"]).is_empty(),
            "{t}"
        );
        assert!(
            names(&props(c, s, "/api/cpcs/cpc_dpm/adapters?name=osa1")["adapters"]).is_empty(),
            "{t}"
        );
        // Names of users ignore case.
        assert_eq!(
            names(&props(c, s, "/api/console/users?name=user1")["users"]),
            ["User1"],
            "{t}"
        );
        // Repeated parameters are ORed, different ones ANDed.
        let both = props(
            c,
            s,
            "/api/cpcs/cpc_dpm/adapters?name=OSA1&name=FCP1&type=fcp",
        );
        assert_eq!(names(&both["adapters"]), ["FCP1"], "{t}");
        // The adapter family derived from the type is filterable.
        assert_eq!(
            names(&props(c, s, "/api/cpcs/cpc_dpm/adapters?adapter-family=osa")["adapters"]),
            ["OSA1"],
            "{t}"
        );
    });
}

#[test]
fn additional_properties_are_added_with_null_when_missing() {
    on_condensed(|c, s| {
        let body = props(
            c,
            s,
            "/api/cpcs/cpc_dpm/adapters?name=OSA1&additional-properties=network-port-uris,detected-card-type",
        );
        let item = &body["adapters"][0];
        assert_eq!(
            item["network-port-uris"],
            json!(["/api/adapters/osa1/network-ports/p0"]),
            "{}",
            c.transport()
        );
        assert!(
            item.as_object().unwrap().contains_key("detected-card-type"),
            "{}",
            c.transport()
        );
        assert_eq!(item["detected-card-type"], Value::Null, "{}", c.transport());
    });
}

#[test]
fn lists_reject_unknown_query_parameters_and_unknown_parents() {
    on_condensed(|c, s| {
        let t = c.transport();
        // Lists without additional-properties reject it like any unknown name.
        let r = get(c, s, "/api/console/users?additional-properties=x");
        assert_eq!(r.code(), (400, 1), "{t}: {:?}", r.body);
        let r = get(c, s, "/api/console/hardware-messages?name=a");
        assert_eq!(r.code(), (400, 1), "{t}: {:?}", r.body);
        let r = get(c, s, "/api/cpcs/nope/adapters");
        assert_eq!(r.code(), (404, 1), "{t}: {:?}", r.body);
        let r = get(c, s, "/api/storage-groups/nope/storage-volumes");
        assert_eq!(r.code(), (404, 1), "{t}: {:?}", r.body);
    });
}
