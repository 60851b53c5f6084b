//! Import DPM Configuration: a configuration exported from the default
//! HMC's DPM1 (Get Inventory data, shaped as zhmcclient's
//! `Cpc.export_dpm_configuration()` shapes it) imported into an empty DPM
//! CPC of another db reproduces its partitions, NICs, HBAs, virtual
//! functions and storage-group attachments; a bad body changes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use mock_hmc::Method;
use serde_json::{Value, json};
use support::{Client, InProcess, both_loaded};

const TARGET: &str = include_str!("data/empty_dpm_cpc.yaml");
const IMPORT: &str = "/api/cpcs/dpm2/operations/import-dpm-config";

/// The export of DPM1, as zhmcclient's `_convert_to_config` selects it from
/// the inventory: items by parent, by `cpc-uri` or by their group.
fn export_dpm1() -> Value {
    let src = InProcess::new();
    let s = src.logon("ensadmin", "password");
    let r = src.send(Method::Post, "/api/services/inventory", Some(&s), None);
    assert_eq!(r.status, 200, "{:?}", r.body);
    let inv = r.body.as_array().unwrap().clone();
    let cpc = "/api/cpcs/dpm1";
    let of = |class: &str, key: &str, within: &[String]| -> Vec<Value> {
        inv.iter()
            .filter(|i| i["class"] == class)
            .filter(|i| {
                i[key]
                    .as_str()
                    .is_some_and(|p| within.iter().any(|w| w == p))
            })
            .cloned()
            .collect()
    };
    let uris = |items: &[Value], key: &str| -> Vec<String> {
        items
            .iter()
            .map(|i| i[key].as_str().unwrap().to_string())
            .collect()
    };
    let cpcs = vec![cpc.to_string()];
    let partitions = of("partition", "parent", &cpcs);
    let puris = uris(&partitions, "object-uri");
    let groups = of("storage-group", "cpc-uri", &cpcs);
    let guris = uris(&groups, "object-uri");
    json!({
        "partitions": partitions,
        "adapters": of("adapter", "parent", &cpcs),
        "nics": of("nic", "parent", &puris),
        "hbas": of("hba", "parent", &puris),
        "virtual-functions": of("virtual-function", "parent", &puris),
        "virtual-switches": of("virtual-switch", "parent", &cpcs),
        "storage-groups": groups,
        "storage-volumes": of("storage-volume", "parent", &guris),
        "virtual-storage-resources": of("virtual-storage-resource", "parent", &guris),
    })
}

fn get(c: &dyn Client, s: &str, uri: &str) -> Value {
    let r = c.send(Method::Get, uri, Some(s), None);
    assert_eq!(r.status, 200, "{uri}: {:?}", r.body);
    r.body
}

/// A partition's name, with the names of its NICs (and their backing),
/// HBAs (and adapter port), VFs (and adapter) and storage groups.
fn summary(c: &dyn Client, s: &str, p: &str) -> Value {
    let part = get(c, s, p);
    let kids = |list: &str, refp: &str| -> Vec<(String, String)> {
        let mut v: Vec<_> = part[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| {
                let k = get(c, s, u.as_str().unwrap());
                let r = k[refp].as_str().map(|u| {
                    get(
                        c,
                        s,
                        u.split("/network-ports")
                            .next()
                            .unwrap()
                            .split("/storage-ports")
                            .next()
                            .unwrap(),
                    )["object-uri"]
                        .as_str()
                        .unwrap()
                        .to_string()
                });
                (
                    k["name"].as_str().unwrap().to_string(),
                    r.unwrap_or_default(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let groups: Vec<String> = part["storage-group-uris"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let g = get(c, s, g.as_str().unwrap());
            assert!(
                g["attached-partition-uris"]
                    .as_array()
                    .unwrap()
                    .contains(&json!(p))
            );
            g["name"].as_str().unwrap().to_string()
        })
        .collect();
    json!({
        "name": part["name"], "ifl": part["ifl-processors"], "memory": part["initial-memory"],
        "nics-vs": kids("nic-uris", "virtual-switch-uri"),
        "nics-port": kids("nic-uris", "network-adapter-port-uri"),
        "hbas": kids("hba-uris", "adapter-port-uri"),
        "vfs": kids("virtual-function-uris", "adapter-uri"),
        "groups": groups,
    })
}

fn partitions(c: &dyn Client, s: &str, cpc: &str) -> Vec<String> {
    let mut v: Vec<String> = get(c, s, &format!("{cpc}/partitions"))["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["object-uri"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn an_export_imported_into_an_empty_cpc_reproduces_its_partitions() {
    // Arrange
    let export = export_dpm1();
    assert_eq!(export["partitions"].as_array().unwrap().len(), 2);
    let src = InProcess::new();
    let ss = src.logon("ensadmin", "password");
    let mut expected: Vec<Value> = partitions(&src, &ss, "/api/cpcs/dpm1")
        .iter()
        .map(|p| summary(&src, &ss, p))
        .collect();
    // Backing adapters are named alike on both CPCs; compare by name.
    let by_name = |v: &mut Vec<Value>| {
        v.sort_by_key(|p| p["name"].as_str().unwrap().to_string());
    };
    by_name(&mut expected);
    let names = |c: &dyn Client, s: &str, mut v: Vec<Value>| -> Vec<Value> {
        // Adapter and switch URIs differ between the CPCs: keep only names.
        for p in &mut v {
            for key in ["nics-vs", "nics-port", "hbas", "vfs"] {
                for pair in p[key].as_array_mut().unwrap() {
                    let u = pair[1].as_str().unwrap().to_string();
                    if !u.is_empty() {
                        pair[1] = get(c, s, &u)["name"].clone();
                    }
                }
            }
        }
        v
    };
    let expected = names(&src, &ss, expected);
    drop(src);

    both_loaded(TARGET, |c, s| {
        let t = c.transport();
        // A body naming an adapter this CPC lacks is refused, and nothing
        // is created.
        let mut bad = export.clone();
        bad["adapters"][0]["adapter-id"] = json!("fff");
        let r = c.send(Method::Post, IMPORT, Some(s), Some(&bad));
        assert_eq!(r.code(), (400, 7), "{t}: {:?}", r.body);
        assert!(partitions(c, s, "/api/cpcs/dpm2").is_empty(), "{t}");
        // An error after the partitions were created (a NIC of a partition
        // the body does not describe) rolls them back.
        let mut late = export.clone();
        late["nics"][0]["parent"] = json!("/api/partitions/nope");
        let r = c.send(Method::Post, IMPORT, Some(s), Some(&late));
        assert_eq!(r.code(), (400, 7), "{t}: {:?}", r.body);
        assert!(partitions(c, s, "/api/cpcs/dpm2").is_empty(), "{t}");
        let no_parts = c.send(Method::Post, IMPORT, Some(s), Some(&json!({})));
        assert_eq!(no_parts.code(), (400, 5), "{t}");

        // Act
        let r = c.send(Method::Post, IMPORT, Some(s), Some(&export));

        // Assert
        assert_eq!(r.status, 204, "{t}: {:?}", r.body);
        let mut got: Vec<Value> = partitions(c, s, "/api/cpcs/dpm2")
            .iter()
            .map(|p| summary(c, s, p))
            .collect();
        by_name(&mut got);
        assert_eq!(names(c, s, got), expected, "{t}");
        // Partitions got new URIs (preserve-uris not given).
        assert!(
            partitions(c, s, "/api/cpcs/dpm2")
                .iter()
                .all(|p| !p.ends_with("/linux1")),
            "{t}"
        );
    });
}

#[test]
fn preserve_uris_keeps_the_exported_uris() {
    let mut export = export_dpm1();
    export["preserve-uris"] = json!(true);
    both_loaded(TARGET, |c, s| {
        let r = c.send(Method::Post, IMPORT, Some(s), Some(&export));
        assert_eq!(r.status, 204, "{}: {:?}", c.transport(), r.body);
        let p = get(c, s, "/api/partitions/linux1");
        assert_eq!(p["parent"], "/api/cpcs/dpm2");
        assert_eq!(
            p["storage-group-uris"],
            json!(["/api/storage-groups/sg-fcp1"])
        );
        let sg = get(c, s, "/api/storage-groups/sg-fcp1");
        let vsr = get(
            c,
            s,
            sg["virtual-storage-resource-uris"][0].as_str().unwrap(),
        );
        assert_eq!(vsr["partition-uri"], "/api/partitions/linux1");
        assert_eq!(
            vsr["adapter-port-uri"],
            "/api/adapters/new-fcp-0118/storage-ports/0"
        );
        let hba = get(c, s, "/api/partitions/linux1/hbas/hba1");
        assert_eq!(
            hba["adapter-port-uri"],
            "/api/adapters/new-fcp-0118/storage-ports/0"
        );
    });
}
