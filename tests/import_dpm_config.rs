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

/// The default HMC with more for DPM1 to export: LINUX1 in capacity group
/// CG1, a HiperSockets partition link between LINUX1 and LINUX2, and an
/// auto-start list.
fn source() -> InProcess {
    let src = InProcess::new();
    let s = src.logon("ensadmin", "password");
    let cg = src.send(
        Method::Post,
        "/api/cpcs/dpm1/capacity-groups/cg1/operations/add-partition",
        Some(&s),
        Some(&json!({"partition-uri": "/api/partitions/linux1"})),
    );
    assert_eq!(cg.status, 204, "{:?}", cg.body);
    let link = src.send(
        Method::Post,
        "/api/partition-links",
        Some(&s),
        Some(
            &json!({"name": "HS1", "type": "hipersockets", "cpc-uri": "/api/cpcs/dpm1",
                     "partitions": ["/api/partitions/linux1", "/api/partitions/linux2"]}),
        ),
    );
    assert_eq!(link.status, 202, "{:?}", link.body);
    let auto = src.send(
        Method::Post,
        "/api/cpcs/dpm1/operations/set-auto-start-list",
        Some(&s),
        Some(&json!({"auto-start-list": [
            {"type": "partition", "partition-uri": "/api/partitions/linux1", "post-start-delay": 0}]})),
    );
    assert_eq!(auto.status, 204, "{:?}", auto.body);
    src
}

/// The export of DPM1, as zhmcclient's `_convert_to_config` selects it from
/// the inventory: items by parent, by `cpc-uri` or by their group, and the
/// CPC's properties and capacity groups read from the CPC.
fn export_dpm1(src: &InProcess) -> Value {
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
    let templates = of("storage-template", "cpc-uri", &cpcs);
    let turis = uris(&templates, "object-uri");
    let tape_links = of("tape-link", "cpc-uri", &cpcs);
    let luris = uris(&tape_links, "object-uri");
    let cpc_props = src.send(Method::Get, cpc, Some(&s), None).body;
    let capacity_groups: Vec<Value> = src
        .send(
            Method::Get,
            &format!("{cpc}/capacity-groups"),
            Some(&s),
            None,
        )
        .body["capacity-groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            src.send(
                Method::Get,
                g["element-uri"].as_str().unwrap(),
                Some(&s),
                None,
            )
            .body
        })
        .collect();
    json!({
        "cpc-properties": {
            "auto-start-list": cpc_props["auto-start-list"],
            "description": cpc_props["description"],
            "management-world-wide-port-name": cpc_props["management-world-wide-port-name"],
        },
        "capacity-groups": capacity_groups,
        "partitions": partitions,
        "adapters": of("adapter", "parent", &cpcs),
        "nics": of("nic", "parent", &puris),
        "hbas": of("hba", "parent", &puris),
        "virtual-functions": of("virtual-function", "parent", &puris),
        "virtual-switches": of("virtual-switch", "parent", &cpcs),
        "storage-groups": groups,
        "storage-volumes": of("storage-volume", "parent", &guris),
        "storage-templates": templates,
        "storage-template-volumes": of("storage-template-volume", "parent", &turis),
        "virtual-storage-resources": of("virtual-storage-resource", "parent", &guris),
        "tape-links": tape_links,
        "tape-libraries": of("tape-library", "cpc-uri", &cpcs),
        "virtual-tape-resources": of("virtual-tape-resource", "parent", &luris),
        "partition-links": of("partition-link", "cpc-uri", &cpcs),
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
    let src = source();
    let export = export_dpm1(&src);
    assert_eq!(export["partitions"].as_array().unwrap().len(), 2);
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
    let mut export = export_dpm1(&source());
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

#[test]
fn links_templates_capacity_groups_and_cpc_properties_are_imported_too() {
    let export = export_dpm1(&source());
    both_loaded(TARGET, |c, s| {
        // Arrange
        let t = c.transport();
        let mut unknown_library = export.clone();
        unknown_library["tape-libraries"][0]["name"] = json!("NOPE");
        let refused = c.send(Method::Post, IMPORT, Some(s), Some(&unknown_library));
        assert_eq!(refused.code(), (400, 7), "{t}: {:?}", refused.body);

        // Act
        let r = c.send(Method::Post, IMPORT, Some(s), Some(&export));

        // Assert
        assert_eq!(r.status, 204, "{t}: {:?}", r.body);
        let find = |collection: &str, key: &str, name: &str| -> Value {
            let list = get(c, s, &format!("{collection}?name={name}"));
            let item = &list[key][0];
            let uri = item["object-uri"]
                .as_str()
                .or_else(|| item["element-uri"].as_str())
                .unwrap_or_else(|| panic!("{t}: no {name} in {list:?}"));
            get(c, s, uri)
        };
        let linux1 = find("/api/cpcs/dpm2/partitions", "partitions", "LINUX1");
        let linux2 = find("/api/cpcs/dpm2/partitions", "partitions", "LINUX2");
        let l1 = linux1["object-uri"].clone();
        let cg = find("/api/cpcs/dpm2/capacity-groups", "capacity-groups", "CG1");
        assert_eq!(cg["partition-uris"], json!([l1]), "{t}");
        assert_eq!(cg["absolute-ifl-capping"]["value"], 4.0, "{t}");
        let hs = find("/api/partition-links", "partition-links", "HS1");
        assert_eq!(hs["cpc-uri"], "/api/cpcs/dpm2", "{t}");
        assert_eq!(hs["cpc-name"], "DPM2", "{t}");
        let ends: Vec<&Value> = hs["bus-connections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| &b["partition-uri"])
            .collect();
        assert_eq!(ends, [&l1, &linux2["object-uri"]], "{t}");
        assert_eq!(
            linux1["partition-link-uris"],
            json!([hs["object-uri"]]),
            "{t}"
        );
        assert_eq!(
            linux2["partition-link-uris"],
            json!([hs["object-uri"]]),
            "{t}"
        );
        // The link's NICs are the imported partitions' own.
        for b in hs["bus-connections"].as_array().unwrap() {
            let nic = get(c, s, b["nics"][0]["nic-uri"].as_str().unwrap());
            assert_eq!(nic["parent"], b["partition-uri"], "{t}");
        }
        let tl = find("/api/tape-links", "tape-links", "TLINK1");
        assert_eq!(tl["tape-library-uri"], "/api/tape-libraries/tl2", "{t}");
        assert_eq!(tl["cpc-uri"], "/api/cpcs/dpm2", "{t}");
        let vtrs = get(
            c,
            s,
            &format!(
                "{}/virtual-tape-resources",
                tl["object-uri"].as_str().unwrap()
            ),
        );
        assert_eq!(
            vtrs["virtual-tape-resources"][0]["partition-uri"], l1,
            "{t}"
        );
        let st = find("/api/storage-templates", "storage-templates", "ST-FCP");
        assert_eq!(st["cpc-uri"], "/api/cpcs/dpm2", "{t}");
        assert_eq!(
            st["storage-template-volume-uris"].as_array().unwrap().len(),
            1,
            "{t}"
        );
        let cpc = get(c, s, "/api/cpcs/dpm2");
        assert_eq!(cpc["auto-start-list"][0]["partition-uri"], l1, "{t}");
        assert_eq!(cpc["description"], "z16 in DPM mode", "{t}");
    });
}
