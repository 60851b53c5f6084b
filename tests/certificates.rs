//! Secure boot certificates (issue 15): Import on a CPC, List/Get/Update/
//! Delete, Get Encoded, Assign/Unassign on partitions, LPARs and image
//! profiles, definition files and Get Inventory; in-process and over HTTPS.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use mock_hmc::Method;
use serde_json::{Value, json};
use support::error_table::{self, Row, row};
use support::helpers::{delete, get, post, props, update};
use support::{Client, both, both_loaded, both_raw};

const IMPORT: &str = "/api/cpcs/dpm1/operations/import-certificate";
const CERTS: &str = "/api/certificates";
const LINUX1: &str = "/api/partitions/linux1";
const LPAR1: &str = "/api/logical-partitions/classic1-lpar1";
const PROFILE: &str = "/api/cpcs/classic1/image-activation-profiles/LPAR1";
const ENCODED: &str = "TUlNRS1DRVJUSUZJQ0FURQ==";

/// Imports certificate `name` onto dpm1; returns its URI.
fn import(c: &dyn Client, s: &str, name: &str) -> String {
    let r = post(
        c,
        s,
        IMPORT,
        json!({"name": name, "type": "secure-boot",
        "certificate": ENCODED, "format": "pem", "description": "test"}),
    );
    assert_eq!(r.status, 200, "{}: {:?}", c.transport(), r.body);
    r.body["certificate-uri"].as_str().unwrap().to_string()
}

#[test]
fn an_imported_certificate_is_listed_read_encoded_updated_and_deleted() {
    both(|c, s| {
        let t = c.transport();
        let uri = import(c, s, "CERT1");
        assert!(uri.starts_with("/api/certificates/"), "{t}: {uri}");

        let list = get(c, s, &format!("{CERTS}?name=CERT1&type=secure-boot"));
        assert_eq!(
            list.body["certificates"],
            json!([{"object-uri": uri, "name": "CERT1",
            "type": "secure-boot", "parent": "/api/cpcs/dpm1", "parent-name": "DPM1"}]),
            "{t}"
        );
        let cert = props(c, s, &uri);
        assert_eq!(
            (cert["class"].as_str(), cert["format"].as_str()),
            (Some("certificate"), Some("pem")),
            "{t}"
        );
        assert_eq!(
            cert.get("certificate"),
            None,
            "{t}: the encoded form is not a property"
        );
        let encoded = get(c, s, &format!("{uri}/operations/get-encoded"));
        assert_eq!(
            encoded.body,
            json!({"certificate": ENCODED, "format": "pem"}),
            "{t}"
        );

        update(
            c,
            s,
            &uri,
            json!({"name": "CERT-ONE", "description": "renamed"}),
        );
        assert_eq!(props(c, s, &uri)["name"], "CERT-ONE", "{t}");
        assert_eq!(delete(c, s, &uri).status, 204, "{t}");
        assert_eq!(get(c, s, &uri).status, 404, "{t}");
        assert_eq!(get(c, s, CERTS).body["certificates"], json!([]), "{t}");
    });
}

#[test]
fn assignment_is_kept_both_ways_and_blocks_delete() {
    both(|c, s| {
        let t = c.transport();
        let uri = import(c, s, "CERT1");
        let body = json!({"certificate-uri": uri});
        for target in [LINUX1, LPAR1, PROFILE] {
            update(
                c,
                s,
                &format!("{target}/operations/assign-certificate"),
                body.clone(),
            );
            assert_eq!(
                props(c, s, target)["assigned-certificate-uris"],
                json!([uri]),
                "{t}: {target}"
            );
        }
        assert_eq!(
            props(c, s, &uri)["assigned-to-uris"],
            json!([LINUX1, LPAR1, PROFILE]),
            "{t}"
        );
        assert_eq!(delete(c, s, &uri).code(), (409, 132), "{t}");

        update(
            c,
            s,
            &format!("{LPAR1}/operations/unassign-certificate"),
            body.clone(),
        );
        assert_eq!(
            props(c, s, LPAR1)["assigned-certificate-uris"],
            json!([]),
            "{t}"
        );
        // A deleted profile leaves the certificate's list.
        assert_eq!(delete(c, s, PROFILE).status, 204, "{t}");
        assert_eq!(
            props(c, s, &uri)["assigned-to-uris"],
            json!([LINUX1]),
            "{t}"
        );
        update(
            c,
            s,
            &format!("{LINUX1}/operations/unassign-certificate"),
            body,
        );
        assert_eq!(delete(c, s, &uri).status, 204, "{t}");
    });
}

#[test]
fn get_inventory_returns_certificates_for_secure_boot_certificate() {
    both(|c, s| {
        let t = c.transport();
        let uri = import(c, s, "CERT1");
        let r = post(
            c,
            s,
            "/api/services/inventory",
            json!({"resources": ["secure-boot-certificate"]}),
        );
        assert_eq!(r.status, 200, "{t}: {:?}", r.body);
        let items: Vec<&Value> = r.body.as_array().unwrap().iter().collect();
        assert_eq!(items.len(), 1, "{t}: {items:?}");
        assert_eq!(items[0]["object-uri"], uri.as_str(), "{t}");
        assert_eq!(items[0]["class"], "certificate", "{t}");
    });
}

#[test]
fn definition_files_carry_certificates_under_a_cpc() {
    let yaml = "hmc_definition:\n  host: h\n  api_version: '4.10'\n  consoles:\n  \
        - properties: {name: HMC1}\n  cpcs:\n  \
        - properties: {object-id: c1, name: C1, dpm-enabled: true}\n    certificates:\n    \
        - properties: {object-id: cert1, name: CERT1, certificate: TUlNRQ==, format: der}\n";
    both_loaded(yaml, |c, s| {
        let t = c.transport();
        let cert = props(c, s, "/api/certificates/cert1");
        assert_eq!(
            (cert["parent"].as_str(), cert["format"].as_str()),
            (Some("/api/cpcs/c1"), Some("der")),
            "{t}"
        );
        let encoded = get(c, s, "/api/certificates/cert1/operations/get-encoded");
        assert_eq!(
            encoded.body,
            json!({"certificate": "TUlNRQ==", "format": "der"}),
            "{t}"
        );
    });
    // A dump carries the encoded certificate, so it loads back.
    let db = support::TempDb::new();
    let hmc = mock_hmc::Hmc::open_unseeded(&db.path).unwrap();
    hmc.load(&mock_hmc::definition::parse(yaml).unwrap(), false)
        .unwrap();
    let dumped = hmc.dump(false).unwrap();
    let cert = &dumped["hmc_definition"]["cpcs"][0]["certificates"][0]["properties"];
    assert_eq!(cert["certificate"], "TUlNRQ==");
}

#[rustfmt::skip]
fn table() -> Vec<Row> {
    use Method::{Delete, Get, Post};
    let imp = |v: Value| Some(v);
    vec![
        row(Post, IMPORT, None, 400, 3),
        row(Post, IMPORT, imp(json!({"name": "X", "type": "secure-boot"})), 400, 5),
        row(Post, IMPORT, imp(json!({"name": "X", "type": "secure-boot", "certificate": "not base64!"})), 400, 7),
        row(Post, IMPORT, imp(json!({"name": "X", "type": "secure-boot", "certificate": ENCODED, "format": "txt"})), 400, 7),
        row(Post, IMPORT, imp(json!({"name": "X", "type": "secure-boot", "certificate": ENCODED, "colour": 1})), 400, 6),
        row(Post, IMPORT, imp(json!({"name": "CERT1", "type": "secure-boot", "certificate": ENCODED})), 400, 8),
        row(Post, "/api/cpcs/nope/operations/import-certificate", imp(json!({"name": "X"})), 404, 1),
        row(Get, "/api/certificates?foo=1", None, 400, 1),
        row(Get, "/api/certificates/nope", None, 404, 1),
        row(Get, "/api/certificates/nope/operations/get-encoded", None, 404, 1),
        row(Post, "/api/certificates/cert1", imp(json!({"type": "x"})), 400, 6),
        row(Delete, "/api/certificates/cert1", None, 409, 132),
        row(Post, &format!("{LINUX1}/operations/assign-certificate"), None, 400, 3),
        row(Post, &format!("{LINUX1}/operations/assign-certificate"), imp(json!({})), 400, 5),
        row(Post, &format!("{LINUX1}/operations/assign-certificate"), imp(json!({"certificate-uri": "/api/certificates/nope"})), 404, 2),
        row(Post, &format!("{LINUX1}/operations/assign-certificate"), imp(json!({"certificate-uri": "/api/certificates/cert1"})), 409, 130),
        row(Post, &format!("{LPAR1}/operations/unassign-certificate"), imp(json!({"certificate-uri": "/api/certificates/cert1"})), 409, 131),
        row(Post, "/api/partitions/nope/operations/assign-certificate", imp(json!({"certificate-uri": "/api/certificates/cert1"})), 404, 1),
    ]
}

#[test]
fn every_error_path_answers_its_status_and_reason_and_changes_nothing() {
    both_raw(|c, s| {
        let r = post(
            c,
            s,
            IMPORT,
            json!({"name": "CERT1", "type": "secure-boot",
            "certificate": ENCODED, "object-id": "cert1"}),
        );
        // object-id is not an input of Import Certificate.
        assert_eq!(r.code(), (400, 6), "{}", c.transport());
        let uri = import(c, s, "CERT1");
        let cert1 = "/api/certificates/cert1";
        assert_ne!(uri, cert1);
        // The rows name the certificate cert1; the imported one's URI
        // (a generated id) takes its place.
        let rows: Vec<Row> = table()
            .into_iter()
            .map(|mut r| {
                r.uri = r.uri.replace(cert1, &uri);
                if let support::error_table::Body::Json(v) = &mut r.body {
                    *v = serde_json::from_str(&v.to_string().replace(cert1, &uri)).unwrap();
                }
                r
            })
            .collect();
        update(
            c,
            s,
            &format!("{LINUX1}/operations/assign-certificate"),
            json!({"certificate-uri": uri}),
        );
        error_table::run(c, s, &rows, &[CERTS, &uri, LINUX1, LPAR1]);
    });
}
