//! List Permitted Partitions, Logical Partitions and Adapters (spec 4.2
//! #13-15), through the library and over HTTPS.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use mock_hmc::Method;
use serde_json::{Value, json};
use support::error_table::{self, row};
use support::helpers::{get, names, props};
use support::{both, both_loaded, both_raw};

const PARTITIONS: &str = "/api/console/operations/list-permitted-partitions";
const LPARS: &str = "/api/console/operations/list-permitted-logical-partitions";
const ADAPTERS: &str = "/api/console/operations/list-permitted-adapters";

/// Three DPM CPCs whose names make a prefix match differ from a full match,
/// and a classic CPC with SE 2.16 and an adapter.
const THREE_CPCS: &str = r#"
hmc_definition:
  host: 127.0.0.1
  api_version: '4.10'
  consoles:
  - properties: {name: HMC1, version: 2.16.0}
  cpcs:
  - properties: {object-id: cpc1, name: CPC1, dpm-enabled: true, se-version: 2.16.0}
    partitions:
    - properties: {object-id: p1, name: P1, type: linux, status: active}
  - properties: {object-id: cpc2, name: CPC2, dpm-enabled: true}
    partitions:
    - properties: {object-id: p2, name: P2, type: ssc, status: stopped}
  - properties: {object-id: xcpc3, name: XCPC3, dpm-enabled: true, se-version: 2.15.0}
    partitions:
    - properties: {object-id: p3, name: P3, type: linux}
  - properties: {object-id: cl1, name: CL1, dpm-enabled: false, se-version: 2.16.0}
    lpars:
    - properties: {object-id: l1, name: L1, activation-mode: linux, status: operating}
    adapters:
    - properties: {object-id: a1, name: A1, type: osd, adapter-id: '100'}
"#;

#[test]
fn list_permitted_partitions_answers_every_dpm_partition_with_its_cpc() {
    both(|c, s| {
        // Act
        let r = props(c, s, PARTITIONS);

        // Assert
        let t = c.transport();
        assert_eq!(
            r["partitions"][0],
            json!({
                "name": "LINUX1", "object-uri": "/api/partitions/linux1", "type": "linux",
                "status": "active", "has-unacceptable-status": null,
                "cpc-name": "DPM1", "cpc-object-uri": "/api/cpcs/dpm1", "se-version": "2.16.0",
            }),
            "{t}"
        );
        assert_eq!(names(&r["partitions"]), ["LINUX1", "LINUX2"], "{t}");
    });
}

#[test]
fn list_permitted_partitions_filters_by_name_type_status_and_adds_properties() {
    both(|c, s| {
        // Act
        let by_name = props(c, s, &format!("{PARTITIONS}?name=LINUX.*&status=stopped"));
        let by_type = props(c, s, &format!("{PARTITIONS}?type=ssc"));
        let added = props(
            c,
            s,
            &format!("{PARTITIONS}?name=LINUX1&additional-properties=ifl-processors,nope"),
        );

        // Assert
        let t = c.transport();
        assert_eq!(names(&by_name["partitions"]), ["LINUX2"], "{t}");
        assert_eq!(by_type["partitions"], json!([]), "{t}");
        let item = &added["partitions"][0];
        assert_eq!(item["ifl-processors"], 2, "{t}");
        assert_eq!(item["nope"], Value::Null, "{t}");
        assert!(item.as_object().unwrap().contains_key("nope"), "{t}");
    });
}

#[test]
fn cpc_name_is_a_full_match_applied_to_every_cpc() {
    both_loaded(THREE_CPCS, |c, s| {
        // Act
        let cpc2 = props(c, s, &format!("{PARTITIONS}?cpc-name=CPC2"));
        let both_cpcs = props(c, s, &format!("{PARTITIONS}?cpc-name=CPC1&cpc-name=XCPC3"));
        let all = props(c, s, PARTITIONS);

        // Assert
        let t = c.transport();
        // The mock would also list P3 of XCPC3 (prefix match, filter dropped).
        assert_eq!(names(&cpc2["partitions"]), ["P2"], "{t}");
        assert_eq!(cpc2["partitions"][0]["se-version"], Value::Null, "{t}");
        assert_eq!(names(&both_cpcs["partitions"]), ["P1", "P3"], "{t}");
        assert_eq!(names(&all["partitions"]), ["P1", "P2", "P3"], "{t}");
    });
}

#[test]
fn list_permitted_logical_partitions_answers_classic_lpars() {
    both(|c, s| {
        // Act
        let all = props(c, s, LPARS);
        let active = props(c, s, &format!("{LPARS}?status=operating&cpc-name=CLASSIC1"));
        let by_mode = props(c, s, &format!("{LPARS}?activation-mode=not-set"));

        // Assert
        let t = c.transport();
        assert_eq!(names(&all["logical-partitions"]), ["LPAR1", "LPAR2"], "{t}");
        assert_eq!(
            active["logical-partitions"],
            json!([{
                "name": "LPAR1", "object-uri": "/api/logical-partitions/classic1-lpar1",
                "activation-mode": "linux", "status": "operating",
                "has-unacceptable-status": null, "cpc-name": "CLASSIC1",
                "cpc-object-uri": "/api/cpcs/classic1", "se-version": "2.15.0",
            }]),
            "{t}"
        );
        assert_eq!(names(&by_mode["logical-partitions"]), ["LPAR2"], "{t}");
    });
}

#[test]
fn list_permitted_adapters_covers_dpm_cpcs_and_se_2_16() {
    both_loaded(THREE_CPCS, |c, s| {
        // Act
        let all = props(c, s, ADAPTERS);
        let classic = props(c, s, &format!("{ADAPTERS}?dpm-enabled=false"));
        let dpm = props(c, s, &format!("{ADAPTERS}?dpm-enabled=true"));

        // Assert
        let t = c.transport();
        assert_eq!(
            all["adapters"],
            json!([{
                "object-uri": "/api/adapters/a1", "name": "A1", "adapter-id": "100",
                "adapter-family": "osa", "type": "osd", "status": "active",
                "firmware-update-pending": null, "cpc-name": "CL1",
                "cpc-object-uri": "/api/cpcs/cl1", "se-version": "2.16.0", "dpm-enabled": false,
            }]),
            "{t}"
        );
        assert_eq!(classic["adapters"], all["adapters"], "{t}");
        assert_eq!(dpm["adapters"], json!([]), "{t}");
    });
}

#[test]
fn list_permitted_adapters_filters_the_default_hmc() {
    both(|c, s| {
        // Act
        let osa = props(c, s, &format!("{ADAPTERS}?adapter-family=osa"));
        let by_id = props(c, s, &format!("{ADAPTERS}?adapter-id=118&cpc-name=DPM1"));
        let all = props(c, s, ADAPTERS);

        // Assert
        let t = c.transport();
        assert_eq!(names(&osa["adapters"]), ["OSA 0108", "OSA 0109"], "{t}");
        assert_eq!(names(&by_id["adapters"]), ["FCP 0118"], "{t}");
        // CLASSIC1 (SE 2.15) is not covered; every DPM1 adapter is.
        assert_eq!(all["adapters"].as_array().unwrap().len(), 6, "{t}");
        assert_eq!(all["adapters"][0]["dpm-enabled"], true, "{t}");
    });
}

#[test]
fn a_write_only_property_is_never_added() {
    both(|c, s| {
        // Act
        let r = props(
            c,
            s,
            &format!("{PARTITIONS}?name=LINUX1&additional-properties=boot-ftp-password"),
        );

        // Assert
        let item = r["partitions"][0].as_object().unwrap();
        assert!(!item.contains_key("boot-ftp-password"), "{}", c.transport());
    });
}

#[test]
fn list_permitted_errors() {
    both_raw(|c, s| {
        let rows = [
            row(
                Method::Get,
                &format!("{PARTITIONS}?activation-mode=x"),
                None,
                400,
                1,
            ),
            row(Method::Get, &format!("{LPARS}?type=linux"), None, 400, 1),
            row(Method::Get, &format!("{ADAPTERS}?foo=1"), None, 400, 1),
            row(
                Method::Get,
                &format!("{PARTITIONS}?name=[abc"),
                None,
                400,
                1,
            ),
            row(
                Method::Get,
                &format!("{PARTITIONS}?cpc-name=(x"),
                None,
                400,
                1,
            ),
            row(Method::Get, &format!("{PARTITIONS}?name"), None, 400, 1),
            row(Method::Post, PARTITIONS, None, 404, 1),
            row(Method::Delete, LPARS, None, 404, 1),
        ];
        error_table::run(c, s, &rows, &[PARTITIONS]);
    });
}

#[test]
fn zhmcclient_filters_that_the_hmc_cannot_apply_still_parse() {
    both(|c, s| {
        // Act: zhmcclient sends only server-side filters; a regular expression
        // with alternatives is one of them.
        let r = get(c, s, &format!("{PARTITIONS}?name=LINUX1%7CLINUX2"));

        // Assert
        assert_eq!(r.status, 200, "{}", c.transport());
        assert_eq!(names(&r.body["partitions"]), ["LINUX1", "LINUX2"]);
    });
}
