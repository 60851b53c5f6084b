//! zhmcclient HMC definition files: loading (with the properties zhmcclient's
//! mock sets by itself), dumping, round trips, and refusing bad files.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use std::collections::BTreeSet;

use mock_hmc::definition::{self, DefinitionError};
use mock_hmc::test_support::{Resource, StoreError, store};
use mock_hmc::{Error, Hmc, Method, Request};
use serde_json::{Value, json};
use support::TempDb;

const DPM_EXAMPLE: &str = include_str!("data/example_mocked_z16_dpm.yaml");
const CLASSIC_EXAMPLE: &str = include_str!("data/example_mocked_z16_classic.yaml");
const CONDENSED: &str = include_str!("data/condensed.yaml");

/// An empty HMC in a fresh db (the db lives as long as the HMC).
fn empty() -> (Hmc, TempDb) {
    let db = TempDb::new();
    let hmc = Hmc::open_unseeded(&db.path).unwrap();
    (hmc, db)
}

/// A fresh HMC loaded with `text`.
fn loaded(text: &str) -> (Hmc, TempDb) {
    let (hmc, db) = empty();
    let def = definition::parse(text).unwrap();
    hmc.load(&def, false).unwrap();
    (hmc, db)
}

/// The stored properties of `uri`.
fn props(hmc: &Hmc, uri: &str) -> Value {
    let r = store(hmc)
        .read(|tx| -> Result<_, StoreError> { tx.resource(uri) })
        .unwrap()
        .unwrap_or_else(|| panic!("{uri} is not stored"));
    Value::Object(r.props)
}

/// The contents of the `resources` table (uri, class, parent_uri,
/// properties), ordered by URI.
fn table(hmc: &Hmc) -> Vec<Resource> {
    let mut all = store(hmc)
        .read(|tx| -> Result<_, StoreError> { tx.all_resources() })
        .unwrap();
    all.sort_by(|a, b| a.uri.cmp(&b.uri));
    all
}

/// The definition error of a load that must fail.
fn load_error(hmc: &Hmc, text: &str, replace: bool) -> DefinitionError {
    let def = match definition::parse(text) {
        Ok(d) => d,
        Err(e) => return e,
    };
    match hmc.load(&def, replace) {
        Err(Error::Definition(e)) => e,
        other => panic!("expected a definition error, got {other:?}"),
    }
}

fn contains(list: &Value, item: &str) -> bool {
    list.as_array()
        .is_some_and(|a| a.iter().any(|v| v.as_str() == Some(item)))
}

/// Load -> dump -> load into a fresh db -> dump: equal dumps and equal
/// `resources` tables; the same through YAML text.
fn assert_round_trip(text: &str) {
    let (a, _da) = loaded(text);
    let first = a.dump(true).unwrap();
    let (b, _db) = empty();
    b.load(&first, false).unwrap();
    let second = b.dump(true).unwrap();
    assert_eq!(first, second, "dump of the reloaded dump differs");
    assert_eq!(table(&a), table(&b), "resources table differs after reload");

    let yaml = definition::to_yaml(&first).unwrap();
    let reparsed = definition::parse(&yaml).unwrap();
    assert_eq!(
        reparsed, first,
        "YAML text of the dump reads back differently:\n{yaml}"
    );
    let (c, _dc) = empty();
    c.load(&reparsed, false).unwrap();
    assert_eq!(
        c.dump(true).unwrap(),
        first,
        "dump after a YAML round trip differs"
    );
    assert_eq!(
        table(&a),
        table(&c),
        "resources table differs after a YAML round trip"
    );
}

/// A small valid definition with one DPM CPC whose partitions are `partitions`
/// (YAML flow mappings of their properties).
fn with_partitions(console_version: &str, partitions: &[&str]) -> String {
    let mut text = format!(
        "hmc_definition:\n  host: h\n  api_version: '4.10'\n  consoles:\n  \
         - properties: {{name: HMC1, version: {console_version}}}\n  cpcs:\n  \
         - properties: {{object-id: c1, name: C1, dpm-enabled: true}}\n    partitions:\n"
    );
    for p in partitions {
        text.push_str(&format!("    - properties: {p}\n"));
    }
    text
}

#[test]
fn the_dpm_example_loads_unchanged_with_the_properties_zhmcclient_sets() {
    let (hmc, _db) = loaded(DPM_EXAMPLE);

    let console = props(&hmc, "/api/console");
    assert_eq!(console["class"], "console");
    assert_eq!(console["parent"], Value::Null);
    assert_eq!(console["object-uri"], "/api/console");

    let cpc = props(&hmc, "/api/cpcs/cpc1");
    assert_eq!(cpc["class"], "cpc");
    assert_eq!(cpc["parent"], Value::Null);
    assert_eq!(cpc["object-uri"], "/api/cpcs/cpc1");

    let nic_uri = "/api/partitions/part1/nics/nic1";
    let part = props(&hmc, "/api/partitions/part1");
    assert_eq!(part["object-uri"], "/api/partitions/part1");
    assert_eq!(part["class"], "partition");
    assert_eq!(part["parent"], "/api/cpcs/cpc1");
    assert_eq!(part["partition-id"], 65, "partition-id: 0x41 reads as 65");
    assert_eq!(part["nic-uris"], json!([nic_uri]));
    for list in ["hba-uris", "virtual-function-uris", "storage-group-uris"] {
        assert_eq!(part[list], json!([]), "{list}");
    }

    let nic = props(&hmc, nic_uri);
    assert_eq!(nic["element-uri"], nic_uri);
    assert_eq!(nic["class"], "nic");
    assert_eq!(nic["parent"], "/api/partitions/part1");
    assert_eq!(
        nic["device-number"], "0010",
        "a given device number is kept"
    );

    let vswitch = props(&hmc, "/api/virtual-switches/vs-osa1");
    assert_eq!(vswitch["class"], "virtual-switch");
    assert_eq!(vswitch["connected-vnic-uris"], json!([nic_uri]));

    let osa = props(&hmc, "/api/adapters/osa1");
    assert_eq!(osa["parent"], "/api/cpcs/cpc1");
    assert_eq!(
        osa["network-port-uris"],
        json!([
            "/api/adapters/osa1/network-ports/port0",
            "/api/adapters/osa1/network-ports/port1"
        ])
    );
    assert!(osa.get("storage-port-uris").is_none());
    let port = props(&hmc, "/api/adapters/osa1/network-ports/port1");
    assert_eq!(port["class"], "network-port");
    assert_eq!(port["parent"], "/api/adapters/osa1");
    let fcp = props(&hmc, "/api/adapters/fcp1");
    assert_eq!(
        fcp["storage-port-uris"],
        json!(["/api/adapters/fcp1/storage-ports/port0"])
    );
    assert_eq!(
        props(&hmc, "/api/adapters/fcp1/storage-ports/port0")["class"],
        "storage-port"
    );

    let sg = props(&hmc, "/api/storage-groups/sg1");
    assert_eq!(sg["parent"], "/api/console");
    assert!(contains(
        &sg["storage-volume-uris"],
        "/api/storage-groups/sg1/storage-volumes/sv1"
    ));
    let sv = props(&hmc, "/api/storage-groups/sg1/storage-volumes/sv1");
    assert_eq!(sv["class"], "storage-volume");
    assert_eq!(sv["site"], 10.0);

    let user = props(&hmc, "/api/users/user1");
    assert_eq!(user["class"], "user");
    assert_eq!(user["parent"], "/api/console");
    assert_eq!(user["disabled"], false);
    let rule = props(&hmc, "/api/console/password-rules/Basic");
    assert_eq!(rule["element-uri"], "/api/console/password-rules/Basic");

    let version = hmc.handle(&Request::new(Method::Get, "/api/version"));
    let v = version.json().unwrap();
    assert_eq!(v["hmc-name"], "HMC 1");
    assert_eq!(v["hmc-version"], "2.16.0");
}

#[test]
fn the_classic_example_loads_unchanged_with_the_properties_zhmcclient_sets() {
    let (hmc, _db) = loaded(CLASSIC_EXAMPLE);
    let cpc = props(&hmc, "/api/cpcs/cpc1");
    assert_eq!(cpc["dpm-enabled"], false);
    assert_eq!(cpc["status"], "active", "a given status is kept");

    let lpar = props(&hmc, "/api/logical-partitions/lpar1");
    assert_eq!(lpar["class"], "logical-partition");
    assert_eq!(lpar["parent"], "/api/cpcs/cpc1");
    assert_eq!(lpar["object-uri"], "/api/logical-partitions/lpar1");
    assert_eq!(lpar["partition-number"], 65, "0x41 reads as 65");
    assert_eq!(
        props(&hmc, "/api/logical-partitions/lpar2")["partition-identifier"],
        66
    );

    for (kind, name) in [
        ("reset", "CPC1"),
        ("image", "LPAR1"),
        ("image", "LPAR2"),
        ("load", "STANDARDLOAD"),
        ("load", "SCSILOAD"),
    ] {
        let uri = format!("/api/cpcs/cpc1/{kind}-activation-profiles/{name}");
        let p = props(&hmc, &uri);
        assert_eq!(p["element-uri"], uri.as_str());
        assert_eq!(p["class"], format!("{kind}-activation-profile"));
        assert_eq!(p["parent"], "/api/cpcs/cpc1");
    }
    let scsi = props(&hmc, "/api/cpcs/cpc1/load-activation-profiles/SCSILOAD");
    assert_eq!(scsi["worldwide-port-name"], "1234");
    assert_eq!(scsi["disk-partition-id"], 0);
}

#[test]
fn the_examples_survive_dump_and_reload_also_as_yaml_text() {
    assert_round_trip(DPM_EXAMPLE);
    assert_round_trip(CLASSIC_EXAMPLE);
    assert_round_trip(definition::DEFAULT_HMC_YAML);
}

#[test]
fn yaml_text_of_a_dump_keeps_strings_that_look_like_numbers() {
    let (hmc, _db) = loaded(CONDENSED);
    let yaml = definition::to_yaml(&hmc.dump(false).unwrap()).unwrap();
    let back = definition::parse(&yaml).unwrap();
    let hmc_def = &back["hmc_definition"];
    assert_eq!(hmc_def["api_version"], "4.10", "api_version in:\n{yaml}");
    assert_eq!(hmc_def["consoles"][0]["properties"]["version"], "2.16.0");
    let dpm = &hmc_def["cpcs"][0];
    assert_eq!(dpm["properties"]["se-version"], "2.16.0");
    let nic = &dpm["partitions"][0]["nics"][0]["properties"];
    assert_eq!(nic["device-number"], "0010", "device-number in:\n{yaml}");
    assert_eq!(dpm["adapters"][0]["properties"]["adapter-id"], "108");
    let vtr = &hmc_def["consoles"][0]["tape_links"][0]["virtual_tape_resources"][0];
    assert_eq!(vtr["properties"]["device-number"], "0100");
}

#[test]
fn the_condensed_example_with_every_key_loads_round_trips_and_serves_every_type() {
    assert_round_trip(CONDENSED);

    let (hmc, _db) = loaded(CONDENSED);
    let version = hmc.handle(&Request::new(Method::Get, "/api/version"));
    let v = version.json().unwrap();
    assert_eq!(v["api-major-version"], 4);
    assert_eq!(v["api-minor-version"], 10);
    assert_eq!(v["hmc-name"], "HMC1");

    // Back-references and derived properties.
    assert_eq!(props(&hmc, "/api/adapters/osa1")["adapter-family"], "osa");
    assert_eq!(
        props(&hmc, "/api/adapters/osa1")["network-port-uris"],
        json!(["/api/adapters/osa1/network-ports/p0"])
    );
    assert_eq!(
        props(&hmc, "/api/adapters/fcp1")["storage-port-uris"],
        json!(["/api/adapters/fcp1/storage-ports/p0"])
    );
    let part = props(&hmc, "/api/partitions/part1");
    assert_eq!(part["hba-uris"], json!(["/api/partitions/part1/hbas/hba1"]));
    assert_eq!(
        part["virtual-function-uris"],
        json!(["/api/partitions/part1/virtual-functions/vf1"])
    );
    let sg = props(&hmc, "/api/storage-groups/sg1");
    assert_eq!(
        sg["virtual-storage-resource-uris"],
        json!(["/api/storage-groups/sg1/virtual-storage-resources/vsr1"])
    );
    let hba = props(&hmc, "/api/partitions/part1/hbas/hba1");
    assert!(hba["wwpn"].as_str().is_some_and(|w| w.len() == 16), "{hba}");
    assert!(hba["device-number"].is_string());

    // GET through the library, one resource of each type with a GET.
    hmc.set_user_password("tester", "secret").unwrap();
    let s = hmc.logon("tester", "secret").unwrap();
    let all = table(&hmc);
    let mut served = BTreeSet::new();
    for r in &all {
        // Unmanaged CPCs share /api/cpcs/ with managed ones.
        if r.class == "unmanaged-cpc" {
            continue;
        }
        let got = s
            .get_json(&r.uri)
            .unwrap_or_else(|e| panic!("GET {} ({}): {e}", r.uri, r.class));
        assert_eq!(got["class"], r.class.as_str(), "GET {}", r.uri);
        served.insert(r.class.clone());
    }
    let expected = [
        "adapter",
        "capacity-group",
        "console",
        "cpc",
        "hardware-message",
        "hba",
        "image-activation-profile",
        "ldap-server-definition",
        "load-activation-profile",
        "logical-partition",
        "network-port",
        "nic",
        "partition",
        "password-rule",
        "reset-activation-profile",
        "sso-server-definition",
        "storage-group",
        "storage-port",
        "storage-volume",
        "task",
        "tape-link",
        "user",
        "user-pattern",
        "user-role",
        "virtual-function",
        "virtual-storage-resource",
        "virtual-switch",
        "virtual-tape-resource",
    ];
    assert_eq!(served, expected.iter().map(|c| c.to_string()).collect());
    // Both hardware messages: the console's and the CPC's.
    assert_eq!(
        s.get_json("/api/console/hardware-messages/a").unwrap()["parent"],
        "/api/console"
    );
    assert_eq!(
        s.get_json("/api/cpcs/cpc_dpm/hardware-messages/a").unwrap()["parent"],
        "/api/cpcs/cpc_dpm"
    );
    // The unmanaged CPC is stored all the same; the metrics context is a
    // context of no session, which every session reads.
    assert!(all.iter().any(|r| r.uri == "/api/cpcs/ucpc1"));
    let contexts = mock_hmc::test_support::store(&hmc)
        .read(|tx| tx.metrics_contexts())
        .unwrap();
    assert_eq!(contexts.len(), 1);
    assert_eq!(contexts[0].session_id, None);
    assert_eq!(contexts[0].anticipated_frequency_seconds, 15);
    let metrics = s.get(&format!("/api/services/metrics/context/{}", contexts[0].id));
    assert_eq!(metrics.status, 200);
    assert_eq!(
        String::from_utf8(metrics.body_bytes()).unwrap(),
        "\"partition-usage\"\n\"/api/partitions/part1\"\n1704164645000\n15,0,1,0,0\n\n\n\n"
    );
    let dump = hmc.dump(false).unwrap();
    let mv = &dump["hmc_definition"]["metric_values"];
    assert_eq!(mv[0]["resource_uri"], "/api/partitions/part1");
    assert_eq!(mv[0]["metrics"]["processor-usage"], 15);
}

#[test]
fn a_duplicate_partition_name_is_refused_naming_the_entry_and_changes_nothing() {
    let (hmc, _db) = empty();
    let text = with_partitions(
        "2.16.0",
        &["{object-id: p1, name: P}", "{object-id: p2, name: P}"],
    );
    let e = load_error(&hmc, &text, false);
    assert_eq!(e.path, "cpcs[0].partitions[1].properties.name", "{e}");
    assert!(
        hmc.is_empty().unwrap(),
        "a failed load left resources behind"
    );
    let version = hmc.handle(&Request::new(Method::Get, "/api/version"));
    assert_eq!(
        version.json().unwrap()["hmc-name"],
        Value::Null,
        "meta was written"
    );
}

#[test]
fn an_entry_without_properties_is_refused_naming_the_entry() {
    let (hmc, _db) = empty();
    let text = format!("{}    - {{}}\n", with_partitions("2.16.0", &["{name: P1}"]));
    let e = load_error(&hmc, &text, false);
    assert_eq!(e.path, "cpcs[0].partitions[1]", "{e}");
    assert!(e.message.contains("no properties"), "{e}");
    assert!(hmc.is_empty().unwrap());
}

#[test]
fn an_unknown_key_is_refused_naming_it() {
    let (hmc, _db) = empty();
    let text = format!(
        "{}    bogus: []\n",
        with_partitions("2.16.0", &["{name: P1}"])
    );
    let e = load_error(&hmc, &text, false);
    assert_eq!(e.path, "cpcs[0].bogus", "{e}");
    assert!(hmc.is_empty().unwrap());

    let text = with_partitions("2.16.0", &[]).replace("  host: h\n", "  host: h\n  hots: x\n");
    let e = load_error(&hmc, &text, false);
    assert!(e.path.contains("hots"), "{e}");
    assert!(hmc.is_empty().unwrap());
}

#[test]
fn a_console_version_written_as_a_float_is_refused() {
    let (hmc, _db) = empty();
    let e = load_error(&hmc, &with_partitions("2.16", &["{name: P1}"]), false);
    assert_eq!(e.path, "consoles[0].properties.version", "{e}");
    assert!(hmc.is_empty().unwrap());
    // Quoted, it loads.
    let def = definition::parse(&with_partitions("'2.16'", &["{name: P1}"])).unwrap();
    hmc.load(&def, false).unwrap();
}

#[test]
fn invalid_yaml_is_refused() {
    let (hmc, _db) = empty();
    let e = load_error(&hmc, "hmc_definition: [unclosed\n", false);
    assert!(e.message.contains("YAML"), "{e}");
    assert!(hmc.is_empty().unwrap());
}

#[test]
fn a_failed_replace_keeps_the_old_content() {
    let (hmc, _db) = loaded(DPM_EXAMPLE);
    let before = hmc.dump(true).unwrap();
    let rows = table(&hmc);
    // Without replace, a second load is refused.
    let def = definition::parse(CLASSIC_EXAMPLE).unwrap();
    assert!(matches!(hmc.load(&def, false), Err(Error::NotEmpty)));
    let bad = with_partitions(
        "2.16.0",
        &["{object-id: p1, name: P}", "{object-id: p2, name: P}"],
    );
    let e = load_error(&hmc, &bad, true);
    assert_eq!(e.path, "cpcs[0].partitions[1].properties.name");
    assert_eq!(hmc.dump(true).unwrap(), before);
    assert_eq!(table(&hmc), rows);
    // A good replace does replace.
    hmc.load(&def, true).unwrap();
    assert!(
        table(&hmc)
            .iter()
            .any(|r| r.uri == "/api/logical-partitions/lpar1")
    );
    assert!(!table(&hmc).iter().any(|r| r.uri == "/api/partitions/part1"));
}

#[test]
fn users_with_a_password_in_the_file_can_log_on_and_dumps_hide_it() {
    let text = "hmc_definition:
  host: h
  api_version: '4.10'
  consoles:
  - properties: {name: HMC1, version: 2.16.0}
    users:
    - properties: {object-id: alice, name: alice, type: standard, password: s3cret}
    - properties: {object-id: bob, name: bob, type: standard}
";
    let (hmc, _db) = loaded(text);
    let s = hmc.logon("alice", "s3cret").unwrap();
    let user = s.get_json("/api/users/alice").unwrap();
    assert!(
        user.get("password").is_none(),
        "GET shows the password: {user}"
    );
    drop(s);
    assert!(hmc.logon("alice", "wrong").is_err());
    assert!(
        hmc.logon("bob", "").is_err(),
        "a user without a password logged on"
    );

    let hidden = hmc.dump(false).unwrap();
    let alice = &hidden["hmc_definition"]["consoles"][0]["users"][0]["properties"];
    assert_eq!(alice["name"], "alice");
    assert!(
        alice.get("password").is_none(),
        "dump shows the password: {alice}"
    );
    assert!(!hidden.to_string().contains("s3cret"));
    let yaml = definition::to_yaml(&hidden).unwrap();
    assert!(!yaml.contains("s3cret"));

    // With passwords, the dump holds the salted hash that is stored (the
    // password itself is kept nowhere).
    let shown = hmc.dump(true).unwrap();
    let stored = shown["hmc_definition"]["consoles"][0]["users"][0]["properties"]["password"]
        .as_str()
        .unwrap();
    assert!(stored.starts_with("sha256$"), "{stored}");
    assert!(!shown.to_string().contains("s3cret"));
    // A dump with passwords loads into an HMC where alice still logs on.
    let (copy, _dc) = empty();
    copy.load(&shown, false).unwrap();
    assert!(copy.logon("alice", "s3cret").is_ok());
}

#[test]
fn a_cpc_loaded_without_status_gets_the_default_status_of_its_mode() {
    let text = "hmc_definition:\n  host: h\n  api_version: '4.10'\n  consoles:\n  \
                - properties: {name: HMC1, version: 2.16.0}\n  cpcs:\n  \
                - properties: {object-id: classic, name: CLASSIC}\n  \
                - properties: {object-id: dpm, name: DPM, dpm-enabled: true}\n";
    let (hmc, _db) = loaded(text);
    assert_eq!(props(&hmc, "/api/cpcs/classic")["status"], "operating");
    assert_eq!(props(&hmc, "/api/cpcs/dpm")["status"], "active");
}

#[test]
fn an_adapter_without_family_or_known_type_is_refused_naming_the_entry() {
    // (adapter properties, what the message says)
    let cases = [
        (
            "{object-id: a1, name: A1}",
            "FakedAdapter with object-id=a1 must have 'adapter-family' or 'type' property specified.",
        ),
        (
            "{object-id: a1, name: A1, type: nope}",
            "FakedAdapter with object-id=a1 has an unknown value in its 'type' property: nope.",
        ),
    ];
    for (adapter, message) in cases {
        let (hmc, _db) = empty();
        let text = format!(
            "{}    adapters:\n    - properties: {adapter}\n",
            with_partitions("2.16.0", &["{object-id: p1, name: P1}"])
        );
        let e = load_error(&hmc, &text, false);
        assert_eq!(e.path, "cpcs[0].adapters[0].properties", "{e}");
        assert!(e.message.contains(message), "{e}");
        assert!(hmc.is_empty().unwrap(), "{adapter}");
    }
}

/// A definition with one console and `rest` appended (under
/// `hmc_definition`, or under the console when it starts with `    `).
fn with_console(users: &str, rest: &str) -> String {
    format!(
        "hmc_definition:\n  host: h\n  api_version: '4.10'\n  consoles:\n  \
         - properties: {{name: HMC1, version: 2.16.0}}\n{users}{rest}"
    )
}

#[test]
fn ids_that_no_uri_can_reach_are_refused_naming_the_entry() {
    let user = |id: &str| format!("    users:\n    - properties: {{object-id: {id}, name: u}}\n");
    let cpc = |props: &str| format!("  cpcs:\n  - properties: {{{props}}}\n");
    let rows = [
        (
            with_console("", &cpc("object-id: [a, b], name: C")),
            "cpcs[0].properties.object-id",
            "must be a string",
        ),
        (
            with_console(&user("[]"), ""),
            "consoles[0].users[0].properties.object-id",
            "must be a string",
        ),
        (
            with_console("", &cpc("object-id: '', name: C")),
            "cpcs[0].properties.object-id",
            "not a valid id",
        ),
        (
            with_console(&user("'../u2/%00'"), ""),
            "consoles[0].users[0].properties.object-id",
            "not a valid id",
        ),
        (
            with_console(&user("'a b'"), ""),
            "consoles[0].users[0].properties.object-id",
            "not a valid id",
        ),
        (
            with_console(&user("'..'"), ""),
            "consoles[0].users[0].properties.object-id",
            "not a valid id",
        ),
        (
            with_console("", &cpc("object-id: c, object-uri: /api/cpcs/d, name: C")),
            "cpcs[0].properties.object-uri",
            "not the URI",
        ),
        (
            with_console("", &cpc("object-uri: /api/cpcs/a/b, name: C")),
            "cpcs[0].properties.object-uri",
            "not the URI",
        ),
        (
            with_console("", &cpc("object-id: c, name: 42")),
            "cpcs[0].properties.name",
            "must be a string",
        ),
    ];
    for (text, path, message) in rows {
        let (hmc, _db) = empty();
        let e = load_error(&hmc, &text, false);
        assert_eq!(e.path, path, "{text}");
        assert!(e.message.contains(message), "{text}: {}", e.message);
        assert!(
            hmc.is_empty().unwrap(),
            "a refused file changed the db: {text}"
        );
    }
}

#[test]
fn a_uri_without_an_id_gives_the_id_so_the_resource_is_reachable() {
    let text = with_console(
        "",
        "  cpcs:\n  - properties: {object-uri: /api/cpcs/c9, name: C}\n",
    );
    let (hmc, _db) = loaded(&text);
    assert_eq!(props(&hmc, "/api/cpcs/c9")["object-id"], "c9");
}

#[test]
fn unknown_yaml_tags_are_refused_like_pyyamls_safe_loader_does() {
    let (hmc, _db) = empty();
    let text = with_console(
        "",
        "  cpcs:\n  - properties: {object-id: c, name: !custom C}\n",
    );
    let e = load_error(&hmc, &text, false);
    assert!(e.message.contains("!custom"), "{}", e.message);
    // Standard tags still read as PyYAML reads them.
    let text = with_console(
        "",
        "  cpcs:\n  - properties: {object-id: c, name: !!str C}\n",
    );
    let (hmc, _db) = loaded(&text);
    assert_eq!(props(&hmc, "/api/cpcs/c")["name"], "C");
}

#[test]
fn yaml_reader_errors_speak_to_the_author_of_the_file() {
    let text = with_console("", "");
    let e = definition::parse(&format!("{text}---\n{text}")).unwrap_err();
    assert!(
        e.message.contains("more than one YAML document"),
        "{}",
        e.message
    );
    assert!(!e.message.contains("from_str_multiple"), "{}", e.message);
    // 260,000 values, over the YAML reader's own default, load (the limit
    // of too many values is unit-tested in src/definition).
    let big = format!(
        "{text}  metric_values: [{}]\n",
        vec!["1"; 260_000].join(", ")
    );
    let e = definition::parse(&big).err();
    assert!(e.is_none(), "{e:?}");
}
