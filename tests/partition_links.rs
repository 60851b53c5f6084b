//! Partition links: List, Create, Get, Modify and Delete Partition Link,
//! their endpoints (NICs, SMC-D numbers, CTC devices), the partitions'
//! `partition-link-uris`, what deleting a partition, NIC or adapter takes
//! out of links, the error cases as one table, and dump/load.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use mock_hmc::{Hmc, Method};
use serde_json::{Value, json};
use support::{Client, InProcess, Reply, TempDb, both};

const LINKS: &str = "/api/partition-links";
const CPC: &str = "/api/cpcs/dpm1";
const CLASSIC: &str = "/api/cpcs/classic1";
const LINUX1: &str = "/api/partitions/linux1";
const LINUX2: &str = "/api/partitions/linux2";
const FCP: &str = "/api/adapters/fcp-0118";
const FCP_PORT: &str = "/api/adapters/fcp-0118/storage-ports/0";

fn get(c: &dyn Client, s: &str, uri: &str) -> Value {
    let r = c.send(Method::Get, uri, Some(s), None);
    assert_eq!(
        r.status,
        200,
        "GET {uri} on {}: {:?}",
        c.transport(),
        r.body
    );
    r.body
}

fn post(c: &dyn Client, s: &str, uri: &str, body: &Value) -> Reply {
    c.send(Method::Post, uri, Some(s), Some(body))
}

/// The results of the complete job a 202 answer names.
fn job_results(c: &dyn Client, s: &str, r: &Reply) -> Value {
    assert_eq!(r.status, 202, "{}: {:?}", c.transport(), r.body);
    let job = get(c, s, r.body["job-uri"].as_str().unwrap());
    assert_eq!(job["status"], "complete");
    job.get("job-results").cloned().unwrap_or(Value::Null)
}

/// Creates a link; returns its URI (from `Location`) and the job results.
fn create(c: &dyn Client, s: &str, body: &Value) -> (String, Value) {
    let r = post(c, s, LINKS, body);
    let results = job_results(c, s, &r);
    let uri = r.location.clone().expect("Location header");
    assert!(uri.starts_with("/api/partition-links/"), "{uri}");
    (uri, results)
}

fn modify(c: &dyn Client, s: &str, link: &str, body: &Value) -> Value {
    let r = post(c, s, &format!("{link}/operations/modify"), body);
    job_results(c, s, &r)
}

fn link_names(c: &dyn Client, s: &str, query: &str) -> Vec<String> {
    let list = get(c, s, &format!("{LINKS}{query}"));
    list["partition-links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap().to_string())
        .collect()
}

fn uris(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap().to_string())
        .collect()
}

fn hs_link(name: &str) -> Value {
    json!({"name": name, "type": "hipersockets", "cpc-uri": CPC})
}

fn ctc_link(name: &str) -> Value {
    json!({"name": name, "type": "ctc", "cpc-uri": CPC,
           "paths": [{"adapter-port-uri": FCP_PORT, "connecting-adapter-port-uri": FCP}]})
}

#[test]
fn create_hipersockets_link_sets_defaults_and_lists_it() {
    both(|c, s| {
        let (uri, results) = create(c, s, &hs_link("HS1"));
        assert_eq!(results, json!({"operation-results": []}));
        let link = get(c, s, &uri);
        assert_eq!(link["name"], "HS1");
        assert_eq!(link["class"], "partition-link");
        assert_eq!(link["parent"], "/api/console");
        assert_eq!(link["object-uri"], uri.as_str());
        assert_eq!(link["cpc-uri"], CPC);
        assert_eq!(link["cpc-name"], "DPM1");
        assert_eq!(link["state"], "incomplete");
        assert_eq!(link["description"], "");
        assert_eq!(link["starting-device-number"], "7400");
        assert_eq!(link["maximum-transmission-unit-size"], 8);
        assert_eq!(link["bus-connections"], json!([]));

        let list = get(c, s, LINKS);
        let item = &list["partition-links"][0];
        let mut keys: Vec<&str> = item
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(keys, ["cpc-uri", "name", "object-uri", "state", "type"]);
        assert_eq!(item["type"], "hipersockets");
    });
}

#[test]
fn list_filters_by_name_type_state_and_cpc_with_additional_properties() {
    both(|c, s| {
        create(c, s, &hs_link("HS1"));
        create(
            c,
            s,
            &json!({"name": "SMC1", "type": "smc-d", "cpc-uri": CPC,
                             "partitions": [LINUX1, LINUX2]}),
        );
        assert_eq!(link_names(c, s, "?type=smc-d"), ["SMC1"]);
        assert_eq!(link_names(c, s, "?state=complete"), ["SMC1"]);
        assert_eq!(link_names(c, s, "?name=HS.*"), ["HS1"]);
        assert_eq!(
            link_names(c, s, &format!("?cpc-uri={CPC}")),
            ["HS1", "SMC1"]
        );
        assert!(link_names(c, s, "?cpc-uri=/api/cpcs/other").is_empty());
        let list = get(
            c,
            s,
            &format!("{LINKS}?name=SMC1&additional-properties=bus-connections,starting-fid"),
        );
        let item = &list["partition-links"][0];
        assert_eq!(item["starting-fid"], 4096);
        assert_eq!(item["bus-connections"].as_array().unwrap().len(), 2);
    });
}

#[test]
fn get_with_properties_query_returns_only_those() {
    both(|c, s| {
        let (uri, _) = create(c, s, &hs_link("HS1"));
        let props = get(c, s, &format!("{uri}?properties=name,state"));
        assert_eq!(props, json!({"name": "HS1", "state": "incomplete"}));
    });
}

#[test]
fn attaching_a_hipersockets_link_creates_nics_with_three_device_numbers() {
    both(|c, s| {
        let (uri, _) = create(c, s, &hs_link("HS1"));
        let results = modify(
            c,
            s,
            &uri,
            &json!({"added-connections": [
            {"partition-uri": LINUX2, "number-of-nics": 2,
             "nics": [{"device-numbers": ["1300"], "vlan-id": 53}]}]}),
        );
        assert_eq!(
            results,
            json!({"operation-results": [
            {"partition-uri": LINUX2, "operation-status": "attached"}]})
        );

        let link = get(c, s, &uri);
        let bc = &link["bus-connections"][0];
        assert_eq!(bc["partition-uri"], LINUX2);
        assert_eq!(bc["partition-name"], "LINUX2");
        let nics = bc["nics"].as_array().unwrap();
        assert_eq!(nics.len(), 2);
        assert_eq!(nics[0]["device-numbers"], json!(["1300", "1301", "1302"]));
        assert_eq!(nics[0]["vlan-id"], 53);
        assert_eq!(nics[1]["device-numbers"], json!(["7400", "7401", "7402"]));
        assert_eq!(link["state"], "incomplete");

        let part = get(c, s, LINUX2);
        assert_eq!(uris(&part["partition-link-uris"]), [uri.as_str()]);
        for (i, n) in nics.iter().enumerate() {
            let nic_uri = n["nic-uri"].as_str().unwrap();
            assert!(uris(&part["nic-uris"]).contains(&nic_uri.to_string()));
            let nic = get(c, s, nic_uri);
            assert_eq!(nic["type"], "iqd");
            assert_eq!(nic["device-number"], n["device-numbers"][0]);
            assert_eq!(nic["mac-address"], n["mac-address"]);
            assert!(nic["name"].as_str().unwrap().starts_with("HS1"), "nic {i}");
        }
    });
}

#[test]
fn detaching_a_hipersockets_link_deletes_its_nics_and_frees_their_numbers() {
    both(|c, s| {
        let (uri, _) = create(
            c,
            s,
            &json!({"name": "HS1", "type": "hipersockets",
            "cpc-uri": CPC, "partitions": [LINUX1, LINUX2]}),
        );
        assert_eq!(get(c, s, &uri)["state"], "complete");
        let nic = get(c, s, &uri)["bus-connections"][1]["nics"][0]["nic-uri"]
            .as_str()
            .unwrap()
            .to_string();

        let results = modify(c, s, &uri, &json!({"removed-partition-uris": [LINUX2]}));
        assert_eq!(
            results["operation-results"][0]["operation-status"],
            "detached"
        );
        let link = get(c, s, &uri);
        assert_eq!(link["state"], "incomplete");
        assert_eq!(link["bus-connections"].as_array().unwrap().len(), 1);
        assert_eq!(c.send(Method::Get, &nic, Some(s), None).status, 404);
        let part = get(c, s, LINUX2);
        assert!(uris(&part["partition-link-uris"]).is_empty());
        assert!(!uris(&part["nic-uris"]).contains(&nic));

        // The numbers are free again: a new attachment gets the same ones.
        modify(c, s, &uri, &json!({"added-partition-uris": [LINUX2]}));
        let link = get(c, s, &uri);
        assert_eq!(
            link["bus-connections"][1]["nics"][0]["device-numbers"][0],
            "7400"
        );
    });
}

#[test]
fn smc_d_endpoints_are_numbers_and_fids_not_nics() {
    both(|c, s| {
        let (uri, results) = create(
            c,
            s,
            &json!({"name": "SMC1", "type": "smc-d", "cpc-uri": CPC,
            "bus-connections": [{"partition-uri": LINUX1, "number-of-nics": 2,
                                 "nics": [{"device-numbers": ["0010"], "fid": 100}]}]}),
        );
        assert_eq!(results["operation-results"][0]["partition-uri"], LINUX1);
        let nics_before = get(c, s, LINUX1)["nic-uris"].clone();
        let link = get(c, s, &uri);
        let nics = link["bus-connections"][0]["nics"]
            .as_array()
            .unwrap()
            .clone();
        assert_eq!(nics[0], json!({"device-numbers": ["0010"], "fid": 100}));
        assert_eq!(nics[1]["fid"], 4096);
        assert!(nics[1].get("nic-uri").is_none());

        // Remove one endpoint by its FID: the partition stays attached.
        modify(
            c,
            s,
            &uri,
            &json!({"removed-connections": [
            {"partition-uri": LINUX1, "nics": [{"fid": 100}]}]}),
        );
        let link = get(c, s, &uri);
        assert_eq!(link["bus-connections"][0]["nics"], json!([nics[1]]));
        assert_eq!(
            uris(&get(c, s, LINUX1)["partition-link-uris"]),
            [uri.as_str()]
        );
        assert_eq!(get(c, s, LINUX1)["nic-uris"], nics_before);

        // The freed FID is handed out again.
        modify(
            c,
            s,
            &uri,
            &json!({"added-connections": [{"partition-uri": LINUX2}]}),
        );
        let link = get(c, s, &uri);
        assert_eq!(link["bus-connections"][1]["nics"][0]["fid"], 4097);
        assert_eq!(link["state"], "complete");
    });
}

#[test]
fn a_hipersockets_run_may_end_at_ffff_and_given_numbers_are_held_across_links() {
    both(|c, s| {
        // Arrange: HS1's endpoint in LINUX1 holds FFFD-FFFF, SMC1's 9000 and
        // FID 7 (FIDs are unique per CPC).
        let (hs, _) = create(
            c,
            s,
            &json!({"name": "HS1", "type": "hipersockets", "cpc-uri": CPC,
            "bus-connections": [{"partition-uri": LINUX1, "nics": [{"device-numbers": ["FFFD"]}]}]}),
        );
        let (smc, _) = create(
            c,
            s,
            &json!({"name": "SMC1", "type": "smc-d", "cpc-uri": CPC,
            "bus-connections": [{"partition-uri": LINUX1, "nics": [{"device-numbers": ["9000"], "fid": 7}]}]}),
        );
        let smc_modify = format!("{smc}/operations/modify");

        // Act
        let devno = post(
            c,
            s,
            &smc_modify,
            &json!({"added-connections": [{"partition-uri": LINUX1, "nics": [{"device-numbers": ["FFFE"]}]}]}),
        );
        let fid = post(
            c,
            s,
            LINKS,
            &json!({"name": "SMC2", "type": "smc-d", "cpc-uri": CPC,
            "bus-connections": [{"partition-uri": LINUX2, "nics": [{"fid": 7}]}]}),
        );
        let nic_devno = post(
            c,
            s,
            "/api/partitions/linux1/nics",
            &json!({"name": "N9", "virtual-switch-uri": "/api/virtual-switches/vswitch-osa-0108",
                    "device-number": "9000"}),
        );

        // Assert
        let nics = &get(c, s, &hs)["bus-connections"][0]["nics"];
        assert_eq!(nics[0]["device-numbers"], json!(["FFFD", "FFFE", "FFFF"]));
        assert_eq!(devno.code(), (400, 8), "{:?}", devno.body);
        assert_eq!(fid.code(), (400, 8), "{:?}", fid.body);
        assert_eq!(nic_devno.code(), (400, 8), "{:?}", nic_devno.body);
        assert_eq!(link_names(c, s, ""), ["HS1", "SMC1"]);
    });
}

#[test]
fn ctc_link_has_devices_for_every_pair_of_partitions_on_every_path() {
    both(|c, s| {
        let mut body = ctc_link("CTC1");
        body["partitions"] = json!([LINUX1, LINUX2]);
        body["devices-per-path"] = json!(2);
        let (uri, results) = create(c, s, &body);
        assert_eq!(results["operation-results"].as_array().unwrap().len(), 2);
        let link = get(c, s, &uri);
        assert_eq!(link["state"], "complete");
        assert_eq!(link["devices-per-path"], 2);
        let path = &link["paths"][0];
        assert_eq!(path["starting-device-number"], "4000");
        assert_eq!(
            path["adapter-port-info"],
            json!({"adapter-uri": FCP, "adapter-name": "FCP 0118"})
        );
        assert_eq!(path["connecting-adapter-port-info"]["adapter-uri"], FCP);
        let pair = path["devices"][0]["endpoint-pair"].as_array().unwrap();
        assert_eq!(pair[0]["partition-uri"], LINUX1);
        assert_eq!(pair[0]["device-numbers"], json!(["4000", "4001"]));
        assert_eq!(pair[1]["partition-uri"], LINUX2);
        assert_eq!(pair[1]["partition-name"], "LINUX2");

        // A second path gets devices for the attached pair at once.
        modify(
            c,
            s,
            &uri,
            &json!({"added-paths": [
            {"adapter-port-uri": FCP, "connecting-adapter-port-uri": FCP,
             "starting-device-number": "5000"}]}),
        );
        let link = get(c, s, &uri);
        assert_eq!(
            link["paths"][1]["devices"][0]["endpoint-pair"][0]["device-numbers"],
            json!(["5000", "5001"])
        );

        // Detaching a partition removes its devices on all paths.
        let results = modify(c, s, &uri, &json!({"removed-partition-uris": [LINUX1]}));
        assert_eq!(
            results["operation-results"][0]["operation-status"],
            "detached"
        );
        let link = get(c, s, &uri);
        assert_eq!(link["paths"][0]["devices"], json!([]));
        assert_eq!(link["paths"][1]["devices"], json!([]));
        assert_eq!(link["state"], "incomplete");

        // Re-attaching reuses the freed numbers; removing a path drops it.
        modify(
            c,
            s,
            &uri,
            &json!({"added-partition-uris": [LINUX1],
            "removed-paths": [{"adapter-port-uri": FCP, "connecting-adapter-port-uri": FCP}]}),
        );
        let link = get(c, s, &uri);
        assert_eq!(link["paths"].as_array().unwrap().len(), 1);
        assert_eq!(
            link["paths"][0]["devices"][0]["endpoint-pair"][0]["device-numbers"],
            json!(["4000", "4001"])
        );
    });
}

#[test]
fn modify_renames_and_describes() {
    both(|c, s| {
        let (uri, _) = create(c, s, &hs_link("HS1"));
        let results = modify(c, s, &uri, &json!({"name": "HS2", "description": "new"}));
        assert_eq!(results, json!({"operation-results": []}));
        let link = get(c, s, &uri);
        assert_eq!(
            (link["name"].as_str(), link["description"].as_str()),
            (Some("HS2"), Some("new"))
        );
        assert_eq!(link_names(c, s, "?name=HS1"), Vec::<String>::new());
        // Renaming to its own name is no clash.
        modify(c, s, &uri, &json!({"name": "HS2"}));
    });
}

#[test]
fn delete_detaches_stopped_partitions_and_removes_the_link() {
    both(|c, s| {
        let (uri, _) = create(
            c,
            s,
            &json!({"name": "HS1", "type": "hipersockets",
            "cpc-uri": CPC, "partitions": [LINUX2]}),
        );
        let nic = get(c, s, &uri)["bus-connections"][0]["nics"][0]["nic-uri"]
            .as_str()
            .unwrap()
            .to_string();
        let r = post(c, s, &format!("{uri}/operations/delete"), &json!({}));
        assert_eq!(job_results(c, s, &r), json!({}));
        assert_eq!(c.send(Method::Get, &uri, Some(s), None).status, 404);
        assert_eq!(c.send(Method::Get, &nic, Some(s), None).status, 404);
        assert!(uris(&get(c, s, LINUX2)["partition-link-uris"]).is_empty());
        // The name is free again.
        create(c, s, &hs_link("HS1"));
    });
}

#[test]
fn delete_with_force_detach_detaches_active_partitions() {
    both(|c, s| {
        let (uri, _) = create(
            c,
            s,
            &json!({"name": "SMC1", "type": "smc-d",
            "cpc-uri": CPC, "partitions": [LINUX1]}),
        );
        let refused = post(c, s, &format!("{uri}/operations/delete"), &json!({}));
        assert_eq!(refused.code(), (409, 100));
        assert_eq!(get(c, s, &uri)["name"], "SMC1");
        let r = post(
            c,
            s,
            &format!("{uri}/operations/delete"),
            &json!({"force-detach": true}),
        );
        job_results(c, s, &r);
        assert_eq!(c.send(Method::Get, &uri, Some(s), None).status, 404);
        assert!(uris(&get(c, s, LINUX1)["partition-link-uris"]).is_empty());
    });
}

#[test]
fn delete_without_body_works() {
    both(|c, s| {
        let (uri, _) = create(c, s, &hs_link("HS1"));
        let r = c.send(
            Method::Post,
            &format!("{uri}/operations/delete"),
            Some(s),
            None,
        );
        job_results(c, s, &r);
        assert!(link_names(c, s, "").is_empty());
    });
}

fn delete(c: &dyn Client, s: &str, uri: &str) {
    let r = c.send(Method::Delete, uri, Some(s), None);
    assert_eq!(
        r.status,
        204,
        "DELETE {uri} on {}: {:?}",
        c.transport(),
        r.body
    );
}

/// A new stopped partition of DPM1; returns its URI.
fn new_partition(c: &dyn Client, s: &str, name: &str) -> String {
    let body = json!({"name": name, "initial-memory": 1024, "maximum-memory": 1024,
                      "ifl-processors": 1});
    let r = post(c, s, "/api/cpcs/dpm1/partitions", &body);
    assert_eq!(r.status, 201, "{}: {:?}", c.transport(), r.body);
    r.body["object-uri"].as_str().unwrap().to_string()
}

/// The `partition-uri`s of a link's bus connections.
fn connected(link: &Value) -> Vec<String> {
    link["bus-connections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["partition-uri"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn deleting_a_partition_takes_it_out_of_a_hipersockets_link_and_recomputes_state() {
    both(|c, s| {
        // Arrange
        let (uri, _) = create(
            c,
            s,
            &json!({"name": "HS1", "type": "hipersockets",
            "cpc-uri": CPC, "partitions": [LINUX1, LINUX2]}),
        );
        let link = get(c, s, &uri);
        assert_eq!(link["state"], "complete");
        let nic = link["bus-connections"][1]["nics"][0]["nic-uri"]
            .as_str()
            .unwrap()
            .to_string();

        // Act
        delete(c, s, LINUX2);

        // Assert
        let link = get(c, s, &uri);
        assert_eq!(link["state"], "incomplete");
        assert_eq!(connected(&link), [LINUX1]);
        assert!(!link.to_string().contains(LINUX2), "{link}");
        assert_eq!(c.send(Method::Get, &nic, Some(s), None).status, 404);
        assert_eq!(
            uris(&get(c, s, LINUX1)["partition-link-uris"]),
            [uri.as_str()]
        );
    });
}

#[test]
fn deleting_a_link_nic_takes_it_out_of_bus_connections() {
    both(|c, s| {
        // Arrange
        let (uri, _) = create(
            c,
            s,
            &json!({"name": "HS1", "type": "hipersockets", "cpc-uri": CPC,
            "partitions": [LINUX1],
            "bus-connections": [{"partition-uri": LINUX2, "number-of-nics": 2}]}),
        );
        let nics = get(c, s, &uri)["bus-connections"][1]["nics"].clone();
        let nic = |i: usize| nics[i]["nic-uri"].as_str().unwrap().to_string();

        // Act: one of two endpoints goes; LINUX2 stays attached.
        delete(c, s, &nic(0));

        // Assert
        let link = get(c, s, &uri);
        assert_eq!(link["bus-connections"][1]["nics"], json!([nics[1]]));
        assert_eq!(link["state"], "complete");
        assert_eq!(
            uris(&get(c, s, LINUX2)["partition-link-uris"]),
            [uri.as_str()]
        );

        // Act: the last endpoint goes; LINUX2 is detached.
        delete(c, s, &nic(1));

        // Assert
        let link = get(c, s, &uri);
        assert_eq!(connected(&link), [LINUX1]);
        assert_eq!(link["state"], "incomplete");
        assert!(!link.to_string().contains(LINUX2), "{link}");
        assert!(uris(&get(c, s, LINUX2)["partition-link-uris"]).is_empty());
    });
}

#[test]
fn deleting_a_partition_frees_the_fid_of_its_smc_d_endpoint() {
    both(|c, s| {
        // Arrange
        let gone = new_partition(c, s, "GONE");
        let (uri, _) = create(
            c,
            s,
            &json!({"name": "SMC1", "type": "smc-d",
            "cpc-uri": CPC, "partitions": [LINUX1, gone]}),
        );
        assert_eq!(
            get(c, s, &uri)["bus-connections"][1]["nics"][0]["fid"],
            4097
        );

        // Act
        delete(c, s, &gone);

        // Assert
        let link = get(c, s, &uri);
        assert_eq!(connected(&link), [LINUX1]);
        assert_eq!(link["state"], "incomplete");
        modify(c, s, &uri, &json!({"added-partition-uris": [LINUX2]}));
        let link = get(c, s, &uri);
        assert_eq!(link["bus-connections"][1]["nics"][0]["fid"], 4097);
        assert_eq!(link["state"], "complete");
    });
}

#[test]
fn deleting_a_partition_or_an_adapter_takes_its_ctc_devices_or_paths_away() {
    both(|c, s| {
        // Arrange
        let hs = post(c, s, "/api/cpcs/dpm1/adapters", &json!({"name": "HS CTC"}));
        assert_eq!(hs.status, 201, "{}: {:?}", c.transport(), hs.body);
        let hs = hs.body["object-uri"].as_str().unwrap().to_string();
        let gone = new_partition(c, s, "GONE");
        let mut body = ctc_link("CTC1");
        body["paths"]
            .as_array_mut()
            .unwrap()
            .push(json!({"adapter-port-uri": hs, "connecting-adapter-port-uri": hs}));
        body["partitions"] = json!([LINUX1, LINUX2, gone]);
        let (uri, _) = create(c, s, &body);
        let devices =
            |link: &Value, i: usize| link["paths"][i]["devices"].as_array().unwrap().len();
        let link = get(c, s, &uri);
        assert_eq!((devices(&link, 0), devices(&link, 1)), (3, 3));

        // Act
        delete(c, s, &gone);

        // Assert: only the LINUX1-LINUX2 device is left on each path.
        let link = get(c, s, &uri);
        assert_eq!((devices(&link, 0), devices(&link, 1)), (1, 1));
        assert!(!link.to_string().contains(&gone), "{link}");
        assert_eq!(link["state"], "complete");

        // Act
        delete(c, s, &hs);

        // Assert: the path over the deleted adapter is gone.
        let link = get(c, s, &uri);
        let paths = link["paths"].as_array().unwrap();
        assert_eq!(paths.len(), 1);
        assert_eq!(paths[0]["adapter-port-uri"], FCP_PORT);
        assert!(!link.to_string().contains(&hs), "{link}");
        assert_eq!(link["state"], "complete");
    });
}

#[test]
fn deleting_a_partition_of_a_ctc_link_without_paths_recounts_its_state() {
    both(|c, s| {
        // Arrange: no path left, so no CTC device names the partitions.
        let gone = new_partition(c, s, "GONE");
        let mut body = ctc_link("CTC1");
        body["partitions"] = json!([LINUX1, gone]);
        let (uri, _) = create(c, s, &body);
        modify(
            c,
            s,
            &uri,
            &json!({"removed-paths": [{"adapter-port-uri": FCP_PORT, "connecting-adapter-port-uri": FCP}]}),
        );
        let link = get(c, s, &uri);
        assert_eq!(link["paths"], json!([]));
        assert_eq!(link["state"], "complete");

        // Act
        delete(c, s, &gone);

        // Assert
        assert_eq!(get(c, s, &uri)["state"], "incomplete");
        assert_eq!(
            uris(&get(c, s, LINUX1)["partition-link-uris"]),
            [uri.as_str()]
        );
    });
}

#[test]
fn one_modify_can_detach_and_attach_the_same_partition_again() {
    both(|c, s| {
        for mut body in [hs_link("L1"), ctc_link("L2")] {
            // Arrange
            body["partitions"] = json!([LINUX1, LINUX2]);
            let (uri, _) = create(c, s, &body);

            // Act
            let results = modify(
                c,
                s,
                &uri,
                &json!({"removed-partition-uris": [LINUX2], "added-partition-uris": [LINUX2]}),
            );

            // Assert
            let statuses: Vec<&Value> = results["operation-results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| &r["operation-status"])
                .collect();
            assert_eq!(statuses, [&json!("detached"), &json!("attached")]);
            assert_eq!(get(c, s, &uri)["state"], "complete");
            assert!(uris(&get(c, s, LINUX2)["partition-link-uris"]).contains(&uri));
        }
    });
}

/// A link named `EXISTING` with LINUX2 attached, and the URI of its modify.
fn arrange_existing(c: &dyn Client, s: &str) -> String {
    let (uri, _) = create(
        c,
        s,
        &json!({"name": "EXISTING", "type": "hipersockets",
        "cpc-uri": CPC, "partitions": [LINUX2]}),
    );
    uri
}

/// Every error case: (method, uri, body, status, reason). `{link}` stands
/// for the existing hipersockets link, `{ctc}` for a CTC link.
#[rustfmt::skip]
fn error_rows() -> Vec<(Method, &'static str, Option<Value>, u16, i64)> {
    use Method::{Get, Post};
    let hs = |extra: Value| {
        let mut b = hs_link("NEW");
        for (k, v) in extra.as_object().unwrap() { b[k] = v.clone(); }
        Some(b)
    };
    vec![
        // List / Get.
        (Get, "/api/partition-links?bogus=1", None, 400, 1),
        (Get, "/api/partition-links/nope", None, 404, 1),
        (Get, "{link}?properties=bogus", None, 400, 14),
        // Create.
        (Post, LINKS, None, 400, 3),
        (Post, "/api/partition-links?x=1", hs(json!({})), 400, 1),
        (Post, LINKS, Some(json!({})), 400, 5),
        (Post, LINKS, Some(json!({"name": "x"})), 400, 5),
        (Post, LINKS, Some(json!({"name": "x", "cpc-uri": CPC})), 400, 5),
        (Post, LINKS, hs(json!({"type": "osa"})), 400, 7),
        (Post, LINKS, hs(json!({"state": "complete"})), 400, 6),
        (Post, LINKS, hs(json!({"paths": []})), 400, 6),
        (Post, LINKS, hs(json!({"name": ""})), 400, 7),
        (Post, LINKS, hs(json!({"name": "EXISTING"})), 400, 8),
        (Post, LINKS, hs(json!({"cpc-uri": "/api/cpcs/nope"})), 404, 2),
        (Post, LINKS, hs(json!({"cpc-uri": CLASSIC})), 409, 5),
        (Post, LINKS, hs(json!({"maximum-transmission-unit-size": 9})), 400, 7),
        (Post, LINKS, hs(json!({"starting-device-number": "12345"})), 400, 7),
        (Post, LINKS, hs(json!({"partitions": ["/api/partitions/nope"]})), 404, 2),
        (Post, LINKS, hs(json!({"partitions": [LINUX1, LINUX1]})), 409, 0),
        (Post, LINKS, Some(json!({"name": "C", "type": "ctc", "cpc-uri": CPC, "partitions": [LINUX1, LINUX2, LINUX1], "paths": [{"adapter-port-uri": FCP, "connecting-adapter-port-uri": FCP}]})), 409, 0),
        (Post, "{ctc}/operations/modify", Some(json!({"added-partition-uris": [LINUX2, LINUX2]})), 409, 0),
        (Post, LINKS, hs(json!({"bus-connections": [{"number-of-nics": 1}]})), 400, 5),
        (Post, LINKS, hs(json!({"bus-connections": [{"partition-uri": LINUX1, "number-of-nics": 0}]})), 400, 7),
        (Post, LINKS, hs(json!({"bus-connections": [{"partition-uri": LINUX1, "nics": [{}, {}]}]})), 400, 7),
        (Post, LINKS, Some(json!({"name": "C", "type": "smc-d", "cpc-uri": CPC, "starting-fid": -1})), 400, 7),
        // Given device numbers and FIDs are reserved like Create NIC's: LINUX2's
        // NIC1 holds 8000, and a run of three must end at FFFF.
        (Post, LINKS, Some(json!({"name": "C", "type": "smc-d", "cpc-uri": CPC, "bus-connections": [{"partition-uri": LINUX2, "nics": [{"device-numbers": ["8000"]}]}]})), 400, 8),
        (Post, LINKS, Some(json!({"name": "C", "type": "smc-d", "cpc-uri": CPC, "bus-connections": [{"partition-uri": LINUX1, "number-of-nics": 2, "nics": [{"device-numbers": ["9000"]}, {"device-numbers": ["9000"]}]}]})), 400, 8),
        (Post, LINKS, Some(json!({"name": "C", "type": "smc-d", "cpc-uri": CPC, "bus-connections": [{"partition-uri": LINUX1, "number-of-nics": 2, "nics": [{"fid": 5}, {"fid": 5}]}]})), 400, 8),
        (Post, LINKS, hs(json!({"bus-connections": [{"partition-uri": LINUX2, "nics": [{"device-numbers": ["7FFF"]}]}]})), 400, 8),
        (Post, LINKS, hs(json!({"bus-connections": [{"partition-uri": LINUX2, "nics": [{"device-numbers": ["7FFE"]}]}]})), 400, 8),
        (Post, LINKS, hs(json!({"bus-connections": [{"partition-uri": LINUX1, "nics": [{"device-numbers": ["FFFF"]}]}]})), 400, 7),
        (Post, LINKS, hs(json!({"bus-connections": [{"partition-uri": LINUX1, "nics": [{"device-numbers": ["FFFE"]}]}]})), 400, 7),
        (Post, LINKS, Some(json!({"name": "C", "type": "ctc", "cpc-uri": CPC})), 400, 5),
        (Post, LINKS, Some(json!({"name": "C", "type": "ctc", "cpc-uri": CPC, "paths": []})), 400, 7),
        (Post, LINKS, Some(json!({"name": "C", "type": "ctc", "cpc-uri": CPC, "paths": [{"adapter-port-uri": FCP}]})), 400, 5),
        (Post, LINKS, Some(json!({"name": "C", "type": "ctc", "cpc-uri": CPC, "paths": [{"adapter-port-uri": "/api/x", "connecting-adapter-port-uri": FCP}]})), 404, 6),
        (Post, LINKS, Some(json!({"name": "C", "type": "ctc", "cpc-uri": CPC, "paths": [{"adapter-port-uri": "/api/adapters/nope", "connecting-adapter-port-uri": FCP}]})), 404, 2),
        (Post, LINKS, Some(json!({"name": "C", "type": "ctc", "cpc-uri": CPC, "paths": [{"adapter-port-uri": "/api/adapters/fcp-0118/storage-ports/9", "connecting-adapter-port-uri": FCP}]})), 404, 6),
        (Post, LINKS, Some(json!({"name": "C", "type": "ctc", "cpc-uri": CPC, "devices-per-path": 0, "paths": [{"adapter-port-uri": FCP, "connecting-adapter-port-uri": FCP}]})), 400, 7),
        // Modify.
        (Post, "/api/partition-links/nope/operations/modify", Some(json!({})), 404, 1),
        (Post, "{link}/operations/modify", None, 400, 3),
        (Post, "{link}/operations/modify", Some(json!({"type": "ctc"})), 400, 6),
        (Post, "{link}/operations/modify", Some(json!({"name": "OTHER"})), 400, 8),
        (Post, "{link}/operations/modify", Some(json!({"name": 5})), 400, 7),
        (Post, "{link}/operations/modify", Some(json!({"description": 5})), 400, 7),
        (Post, "{link}/operations/modify", Some(json!({"added-partition-uris": [LINUX2]})), 409, 0),
        (Post, "{link}/operations/modify", Some(json!({"removed-partition-uris": [LINUX1]})), 409, 0),
        (Post, "{link}/operations/modify", Some(json!({"removed-connections": [{"partition-uri": LINUX1}]})), 409, 0),
        (Post, "{link}/operations/modify", Some(json!({"removed-connections": [{"partition-uri": LINUX2, "nics": [{"fid": 1}]}]})), 400, 7),
        (Post, "{link}/operations/modify", Some(json!({"added-partition-uris": ["/api/partitions/nope"]})), 404, 2),
        (Post, "{link}/operations/modify", Some(json!({"added-partition-uris": "x"})), 400, 7),
        (Post, "{link}/operations/modify", Some(json!({"added-connections": [{"partition-uri": LINUX1, "number-of-nics": "2"}]})), 400, 7),
        (Post, "{link}/operations/modify", Some(json!({"added-paths": []})), 400, 7),
        (Post, "{ctc}/operations/modify", Some(json!({"added-connections": []})), 400, 7),
        (Post, "{ctc}/operations/modify", Some(json!({"removed-paths": [{"adapter-port-uri": FCP, "connecting-adapter-port-uri": FCP}]})), 400, 7),
        (Post, "{ctc}/operations/modify", Some(json!({"added-paths": [{"adapter-port-uri": FCP_PORT, "connecting-adapter-port-uri": FCP}]})), 400, 7),
        // Delete.
        (Post, "/api/partition-links/nope/operations/delete", None, 404, 1),
        (Post, "{link}/operations/delete", Some(json!({"force-detach": "yes"})), 400, 7),
        (Post, "{link}/operations/delete", Some(json!({"bogus": true})), 400, 6),
        (Post, "{ctc}/operations/delete", Some(json!({"force-detach": false})), 409, 100),
        // Methods the collection and operations lack.
        (Method::Delete, LINKS, None, 404, 1),
        (Get, "{link}/operations/modify", None, 404, 1),
    ]
}

#[test]
fn error_cases_answer_their_status_and_reason_and_change_nothing() {
    both(|c, s| {
        let link = arrange_existing(c, s);
        create(c, s, &hs_link("OTHER"));
        let mut ctc = ctc_link("CTC1");
        ctc["partitions"] = json!([LINUX1]);
        let (ctc, _) = create(c, s, &ctc);
        let before = get(
            c,
            s,
            &format!("{LINKS}?additional-properties=bus-connections,paths,description"),
        );
        let part_before = get(c, s, LINUX2);
        for (method, uri, body, status, reason) in error_rows() {
            let uri = uri.replace("{link}", &link).replace("{ctc}", &ctc);
            let r = c.send(method, &uri, Some(s), body.as_ref());
            assert_eq!(
                r.code(),
                (status, reason),
                "{} {} {uri} {body:?}: {:?}",
                c.transport(),
                method.as_str(),
                r.body
            );
            assert_eq!(r.body["http-status"], status);
        }
        let after = get(
            c,
            s,
            &format!("{LINKS}?additional-properties=bus-connections,paths,description"),
        );
        assert_eq!(
            before,
            after,
            "{}: an error changed the links",
            c.transport()
        );
        assert_eq!(part_before, get(c, s, LINUX2));
    });
}

#[test]
fn partition_links_survive_dump_and_load() {
    let a = InProcess::new();
    let s = a.logon("ensadmin", "password");
    let (hs, _) = create(
        &a,
        &s,
        &json!({"name": "HS1", "type": "hipersockets",
        "cpc-uri": CPC, "partitions": [LINUX1, LINUX2]}),
    );
    let (smc, _) = create(
        &a,
        &s,
        &json!({"name": "SMC1", "type": "smc-d",
        "cpc-uri": CPC, "partitions": [LINUX2]}),
    );
    let mut ctc = ctc_link("CTC1");
    ctc["partitions"] = json!([LINUX1, LINUX2]);
    create(&a, &s, &ctc);
    let first = a.hmc.dump(true).unwrap();
    let links = &first["hmc_definition"]["consoles"][0]["partition_links"];
    assert_eq!(links.as_array().unwrap().len(), 3);

    let db = TempDb::new();
    let b = Hmc::open_unseeded(&db.path).unwrap();
    b.load(&first, false).unwrap();
    assert_eq!(b.dump(true).unwrap(), first);

    // The reloaded link works, and its numbers stay taken: a new SMC-D
    // endpoint in LINUX2 does not get the device number or FID of the first.
    let session = b.logon("ensadmin", "password").unwrap();
    let r = session.post(
        &format!("{smc}/operations/modify"),
        &json!({"added-connections": [{"partition-uri": LINUX2}]}),
    );
    assert_eq!(r.status, 202);
    let link = session.get_json(&smc).unwrap();
    let nics = link["bus-connections"][0]["nics"].as_array().unwrap();
    assert_ne!(nics[0]["device-numbers"], nics[1]["device-numbers"]);
    assert_ne!(nics[0]["fid"], nics[1]["fid"]);
    let r = session.post(
        &format!("{hs}/operations/delete"),
        &json!({"force-detach": true}),
    );
    assert_eq!(r.status, 202);
    let part = session.get_json(LINUX1).unwrap();
    assert!(!uris(&part["partition-link-uris"]).contains(&hs));
}

/// Tries to move HiperSockets NIC `a` onto numbers that `b`'s endpoint and
/// its own link endpoint hold: each is 400.8 and nothing moves.
fn assert_link_numbers_are_held(c: &dyn Client, s: &str, link: &str, a: &str, b: &str) {
    for taken in ["7403", "7404", "7401"] {
        let r = post(c, s, a, &json!({"device-number": taken}));
        assert_eq!(r.code(), (400, 8), "{taken}: {:?}", r.body);
    }
    assert_eq!(get(c, s, a)["device-number"], "7400");
    assert_eq!(get(c, s, b)["device-number"], "7403");
    let nics = &get(c, s, link)["bus-connections"][0]["nics"];
    assert_eq!(nics[1]["device-numbers"], json!(["7403", "7404", "7405"]));
}

#[test]
fn every_endpoint_number_has_one_owner_before_and_after_a_reload() {
    // Arrange: two endpoints in LINUX1, A 7400-7402 and B 7403-7405.
    let hmc = InProcess::new();
    let s = hmc.logon("ensadmin", "password");
    let (link, _) = create(
        &hmc,
        &s,
        &json!({"name": "HS1", "type": "hipersockets", "cpc-uri": CPC,
        "bus-connections": [{"partition-uri": LINUX1, "number-of-nics": 2}]}),
    );
    let nics = get(&hmc, &s, &link)["bus-connections"][0]["nics"].clone();
    let a = nics[0]["nic-uri"].as_str().unwrap();
    let b = nics[1]["nic-uri"].as_str().unwrap();

    // Act and assert: live, then after dump and load with replace (which
    // rebuilds the pools from the loaded links and NICs).
    assert_link_numbers_are_held(&hmc, &s, &link, a, b);
    let def = hmc.hmc.dump(true).unwrap();
    hmc.hmc.load(&def, true).unwrap();
    let s = hmc.logon("ensadmin", "password");
    assert_link_numbers_are_held(&hmc, &s, &link, a, b);

    // Deleting B frees all three of its numbers: A may move onto them.
    delete(&hmc, &s, b);
    let r = post(&hmc, &s, a, &json!({"device-number": "7404"}));
    assert_eq!(r.status, 204, "{:?}", r.body);
    let r = post(&hmc, &s, a, &json!({"device-number": "7403"}));
    assert_eq!(r.status, 204, "{:?}", r.body);
}
