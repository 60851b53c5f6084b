//! Storage groups, storage volumes, virtual storage resources, storage
//! templates and template volumes, through the library and over HTTPS:
//! each operation's effect on the stored state, atomic volume requests,
//! and every error path as one table.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use mock_hmc::Method;
use serde_json::{Value, json};
use support::error_table::{self, Row, row};
use support::helpers::{create, delete, get, names, post, post_empty, props, strings, update};
use support::{Client, RawClient, both, both_raw};

const SG: &str = "/api/storage-groups/sg-fcp1";
const BOOT: &str = "/api/storage-groups/sg-fcp1/storage-volumes/boot";
const DATA: &str = "/api/storage-groups/sg-fcp1/storage-volumes/data";
const VSR: &str = "/api/storage-groups/sg-fcp1/virtual-storage-resources/vsr1";
const ST: &str = "/api/storage-templates/st-fcp";
const ST_BOOT: &str = "/api/storage-templates/st-fcp/storage-template-volumes/boot";
const PORT0: &str = "/api/adapters/fcp-0118/storage-ports/0";

/// POSTs and asserts the status.
fn post_ok(c: &dyn Client, s: &str, uri: &str, body: Value, status: u16) -> Value {
    let r = post(c, s, uri, body);
    assert_eq!(
        r.status,
        status,
        "{}: POST {uri}: {:?}",
        c.transport(),
        r.body
    );
    r.body
}

/// A Create Storage Group body on DPM1 named `name` with `volumes`.
fn group(name: &str, volumes: Value) -> Value {
    json!({"name": name, "cpc-uri": "/api/cpcs/dpm1", "type": "fcp", "storage-volumes": volumes})
}

/// A Create Storage Template body on DPM1 named `name` with `volumes`.
fn template(name: &str, volumes: Value) -> Value {
    json!({"name": name, "cpc-uri": "/api/cpcs/dpm1", "type": "fcp", "storage-template-volumes": volumes})
}

fn create_volume(name: &str, size: f64) -> Value {
    json!({"operation": "create", "name": name, "size": size})
}

/// Creates a storage group without volumes; returns its URI.
fn create_group(c: &dyn Client, s: &str, name: &str) -> String {
    create(c, s, "/api/storage-groups", group(name, json!([])))
}

/// Changes a stored resource behind the HMC's back (for states the API
/// cannot produce, such as a group loaded without a property).
fn sql(c: &dyn RawClient, statement: &str) {
    support::db(c.db_path())
        .execute_batch(&format!("PRAGMA foreign_keys = ON; {statement}"))
        .unwrap();
}

// ---------------------------------------------------------------------------
// Storage groups

#[test]
fn list_storage_groups_answers_the_list_properties_and_filters() {
    both(|c, s| {
        // Act
        let all = props(c, s, "/api/storage-groups");
        let by_type = props(c, s, "/api/storage-groups?type=fcp&cpc-uri=/api/cpcs/dpm1");
        let by_name = props(c, s, "/api/storage-groups?name=SG-.*");
        let none = props(c, s, "/api/storage-groups?fulfillment-state=pending");

        // Assert
        assert_eq!(
            all["storage-groups"],
            json!([{"object-uri": SG, "cpc-uri": "/api/cpcs/dpm1", "name": "SG-FCP1",
                    "fulfillment-state": "complete", "type": "fcp"}])
        );
        assert_eq!(names(&by_type["storage-groups"]), ["SG-FCP1"]);
        assert_eq!(names(&by_name["storage-groups"]), ["SG-FCP1"]);
        assert!(names(&none["storage-groups"]).is_empty());
    });
}

#[test]
fn get_storage_group_returns_its_properties() {
    both(|c, s| {
        // Act
        let sg = props(c, s, SG);

        // Assert
        assert_eq!(sg["object-id"], "sg-fcp1");
        assert_eq!(sg["class"], "storage-group");
        assert_eq!(sg["parent"], "/api/console");
        assert_eq!(strings(&sg["storage-volume-uris"]), [BOOT, DATA]);
        assert_eq!(strings(&sg["virtual-storage-resource-uris"]), [VSR]);
        assert_eq!(
            strings(&sg["attached-partition-uris"]),
            ["/api/partitions/linux1"]
        );
    });
}

#[test]
fn create_storage_group_sets_the_defaults_and_creates_its_volumes() {
    both(|c, s| {
        // Arrange
        let volumes = json!([create_volume("V1", 10.0),
                             {"operation": "create", "name": "V2", "size": 20.0, "usage": "boot"}]);

        // Act
        let r = post(c, s, "/api/storage-groups", group("SG-NEW", volumes));

        // Assert
        assert_eq!(r.status, 201, "{}: {:?}", c.transport(), r.body);
        let uri = r.body["object-uri"].as_str().unwrap().to_string();
        assert!(uri.starts_with("/api/storage-groups/"), "{uri}");
        let created = strings(&r.body["element-uris"]);
        assert_eq!(created.len(), 2);
        let sg = props(c, s, &uri);
        assert_eq!(sg["name"], "SG-NEW");
        assert_eq!(sg["shared"], true);
        assert_eq!(sg["description"], "");
        assert_eq!(sg["fulfillment-state"], "pending");
        assert_eq!(sg["candidate-adapter-port-uris"], json!([]));
        assert_eq!(sg["attached-partition-uris"], json!([]));
        assert_eq!(sg["virtual-storage-resource-uris"], json!([]));
        assert_eq!(strings(&sg["storage-volume-uris"]), created);
        assert!(sg.get("storage-volumes").is_none(), "{sg:?}");
        let v1 = props(c, s, &created[0]);
        assert_eq!(v1["name"], "V1");
        assert_eq!(v1["size"], 10.0);
        assert_eq!(v1["class"], "storage-volume");
        assert_eq!(v1["parent"], json!(uri));
        assert!(v1.get("operation").is_none(), "{v1:?}");
        // Create adds no volume defaults, like the Python mock.
        assert!(v1.get("usage").is_none(), "{v1:?}");
        assert_eq!(props(c, s, &created[1])["usage"], "boot");
        let listed = props(c, s, "/api/storage-groups");
        assert_eq!(names(&listed["storage-groups"]), ["SG-FCP1", "SG-NEW"]);
    });
}

#[test]
fn create_storage_group_keeps_given_values_and_answers_no_volumes_without_requests() {
    both(|c, s| {
        // Arrange
        let body = json!({"name": "SG-X", "cpc-uri": "/api/cpcs/dpm1", "type": "fc",
                          "shared": false, "description": "d", "fulfillment-state": "complete",
                          "email-to-addresses": ["a@example.com"]});

        // Act
        let r = post_ok(c, s, "/api/storage-groups", body, 201);

        // Assert
        assert_eq!(r["element-uris"], json!([]));
        let sg = props(c, s, r["object-uri"].as_str().unwrap());
        assert_eq!(sg["shared"], false);
        assert_eq!(sg["description"], "d");
        assert_eq!(sg["type"], "fc");
        assert_eq!(sg["fulfillment-state"], "pending", "forced, like the mock");
        assert!(sg.get("email-to-addresses").is_none(), "{sg:?}");
    });
}

#[test]
fn create_storage_group_with_a_bad_volume_request_leaves_nothing_behind() {
    both(|c, s| {
        // Arrange
        let volumes =
            json!([create_volume("V1", 10.0), {"operation": "delete", "element-uri": BOOT}]);

        // Act
        let r = post(c, s, "/api/storage-groups", group("SG-BAD", volumes));

        // Assert
        assert_eq!(r.code(), (400, 5), "{}: {:?}", c.transport(), r.body);
        assert_eq!(
            r.body["message"],
            "Invalid value for storage-volumes 'operation' field: delete"
        );
        let listed = props(c, s, "/api/storage-groups");
        assert_eq!(names(&listed["storage-groups"]), ["SG-FCP1"]);
        assert_eq!(get(c, s, BOOT).status, 200);
    });
}

#[test]
fn create_storage_group_on_a_cpc_with_an_invalid_status_is_409_6() {
    both(|c, s| {
        // Arrange
        update(c, s, "/api/cpcs/dpm1", json!({"status": "not-operating"}));

        // Act
        let r = post(c, s, "/api/storage-groups", group("SG-X", json!([])));
        let t = post(c, s, "/api/storage-templates", template("ST-X", json!([])));

        // Assert
        assert_eq!(r.code(), (409, 6), "{}: {:?}", c.transport(), r.body);
        assert_eq!(t.code(), (409, 6), "{}: {:?}", c.transport(), t.body);
        assert_eq!(
            names(&props(c, s, "/api/storage-groups")["storage-groups"]),
            ["SG-FCP1"]
        );
    });
}

#[test]
fn storage_group_names_are_unique_on_create_and_rename() {
    both(|c, s| {
        // Arrange
        let uri = create_group(c, s, "SG-TWO");
        let modify = format!("{uri}/operations/modify");

        // Act
        let dup = post(c, s, "/api/storage-groups", group("SG-FCP1", json!([])));
        let rename = post(
            c,
            s,
            &modify,
            json!({"name": "SG-FCP1", "description": "x"}),
        );
        let same = post(c, s, &modify, json!({"name": "SG-TWO"}));

        // Assert
        assert_eq!(dup.code(), (400, 8), "{}: {:?}", c.transport(), dup.body);
        assert_eq!(
            rename.code(),
            (400, 8),
            "{}: {:?}",
            c.transport(),
            rename.body
        );
        assert_eq!(same.status, 200, "{:?}", same.body);
        let sg = props(c, s, &uri);
        assert_eq!(sg["name"], "SG-TWO");
        assert_eq!(sg["description"], "", "the refused rename changed nothing");
    });
}

#[test]
fn modify_storage_group_merges_properties_and_applies_volume_requests() {
    both(|c, s| {
        // Arrange
        let body = json!({
            "description": "changed",
            "email-to-addresses": ["admin@example.com"],
            "storage-volumes": [
                create_volume("NEW", 8.0),
                {"operation": "modify", "element-uri": BOOT, "size": 64.0, "description": "bigger"},
                {"operation": "delete", "element-uri": DATA},
            ],
        });

        // Act
        let r = post_ok(c, s, &format!("{SG}/operations/modify"), body, 200);

        // Assert
        let created = strings(&r["element-uris"]);
        assert_eq!(created.len(), 1);
        let sg = props(c, s, SG);
        assert_eq!(sg["description"], "changed");
        assert!(sg.get("email-to-addresses").is_none(), "{sg:?}");
        assert!(sg.get("storage-volumes").is_none(), "{sg:?}");
        assert_eq!(
            strings(&sg["storage-volume-uris"]),
            [BOOT, created[0].as_str()]
        );
        let new = props(c, s, &created[0]);
        assert_eq!(new["name"], "NEW");
        assert_eq!(new["fulfillment-state"], "pending");
        assert_eq!(new["usage"], "data");
        let boot = props(c, s, BOOT);
        assert_eq!(boot["size"], 64.0);
        assert_eq!(boot["description"], "bigger");
        assert_eq!(boot["name"], "BOOT");
        assert!(boot.get("operation").is_none(), "{boot:?}");
        assert_eq!(get(c, s, DATA).status, 404);
        let listed = props(c, s, &format!("{SG}/storage-volumes"));
        assert_eq!(names(&listed["storage-volumes"]), ["BOOT", "NEW"]);
    });
}

#[test]
fn modify_storage_group_with_an_unknown_volume_changes_nothing() {
    both(|c, s| {
        // Arrange
        let before = props(c, s, SG);
        let missing = format!("{SG}/storage-volumes/nope");
        let body = json!({
            "description": "changed",
            "storage-volumes": [
                create_volume("NEW", 8.0),
                {"operation": "delete", "element-uri": DATA},
                {"operation": "modify", "element-uri": missing, "size": 1.0},
            ],
        });

        // Act
        let uri = format!("{SG}/operations/modify");
        let r = post(c, s, &uri, body);

        // Assert
        assert_eq!(r.code(), (404, 1), "{}: {:?}", c.transport(), r.body);
        assert_eq!(
            r.body["message"],
            format!("Unknown resource with URI: {missing}")
        );
        assert_eq!(r.body["request-uri"], uri);
        assert_eq!(props(c, s, SG), before);
        assert_eq!(get(c, s, DATA).status, 200);
        let listed = props(c, s, &format!("{SG}/storage-volumes"));
        assert_eq!(names(&listed["storage-volumes"]), ["BOOT", "DATA"]);
    });
}

#[test]
fn modify_storage_group_cannot_address_a_volume_of_another_group() {
    both(|c, s| {
        // Arrange
        let other = create_group(c, s, "SG-OTHER");

        // Act
        let r = post(
            c,
            s,
            &format!("{other}/operations/modify"),
            json!({"storage-volumes": [{"operation": "delete", "element-uri": BOOT}]}),
        );

        // Assert
        assert_eq!(r.code(), (404, 1), "{}: {:?}", c.transport(), r.body);
        assert_eq!(get(c, s, BOOT).status, 200);
        assert_eq!(
            strings(&props(c, s, SG)["storage-volume-uris"]),
            [BOOT, DATA]
        );
    });
}

#[test]
fn delete_storage_group_refuses_a_group_attached_to_partitions() {
    both(|c, s| {
        // Act
        let r = post(c, s, &format!("{SG}/operations/delete"), json!({}));

        // Assert
        assert_eq!(r.code(), (409, 1), "{}: {:?}", c.transport(), r.body);
        assert!(
            r.body["message"]
                .as_str()
                .unwrap()
                .contains("/api/partitions/linux1"),
            "{:?}",
            r.body
        );
        assert_eq!(get(c, s, SG).status, 200);
        assert_eq!(get(c, s, BOOT).status, 200);
    });
}

#[test]
fn delete_storage_group_removes_it_with_its_volumes() {
    both(|c, s| {
        // Arrange
        let r = post_ok(
            c,
            s,
            "/api/storage-groups",
            group("SG-GONE", json!([create_volume("V", 1.0)])),
            201,
        );
        let uri = r["object-uri"].as_str().unwrap().to_string();
        let volume = strings(&r["element-uris"])[0].clone();

        // Act
        let d = post_empty(c, s, &format!("{uri}/operations/delete"));

        // Assert
        assert_eq!(d.status, 204, "{}: {:?}", c.transport(), d.body);
        assert_eq!(get(c, s, &uri).status, 404);
        assert_eq!(get(c, s, &volume).status, 404);
        assert_eq!(
            names(&props(c, s, "/api/storage-groups")["storage-groups"]),
            ["SG-FCP1"]
        );
    });
}

#[test]
fn delete_storage_group_accepts_the_email_fields_zhmcclient_sends() {
    both(|c, s| {
        // Arrange
        let uri = create_group(c, s, "SG-MAIL");

        // Act
        let d = post(
            c,
            s,
            &format!("{uri}/operations/delete"),
            json!({"email-to-addresses": ["a@example.com"], "email-insert": "bye"}),
        );

        // Assert
        assert_eq!(d.status, 204, "{}: {:?}", c.transport(), d.body);
        assert_eq!(get(c, s, &uri).status, 404);
    });
}

#[test]
fn request_fulfillment_answers_204_and_changes_nothing() {
    both(|c, s| {
        // Arrange
        let before = props(c, s, SG);

        // Act
        let r = post_empty(c, s, &format!("{SG}/operations/request-fulfillment"));

        // Assert
        assert_eq!(r.status, 204, "{}: {:?}", c.transport(), r.body);
        assert_eq!(props(c, s, SG), before);
    });
}

#[test]
fn candidate_adapter_ports_are_added_and_removed_in_order() {
    both(|c, s| {
        // Arrange
        let uri = create_group(c, s, "SG-PORTS");
        let p1 = "/api/adapters/fcp-0118/storage-ports/1";

        // Act
        let add = post(
            c,
            s,
            &format!("{uri}/operations/add-candidate-adapter-ports"),
            json!({"adapter-port-uris": [PORT0, p1]}),
        );
        let after_add = props(c, s, &uri)["candidate-adapter-port-uris"].clone();
        let remove = post(
            c,
            s,
            &format!("{uri}/operations/remove-candidate-adapter-ports"),
            json!({"adapter-port-uris": [PORT0]}),
        );

        // Assert
        assert_eq!(add.status, 204, "{}: {:?}", c.transport(), add.body);
        assert_eq!(after_add, json!([PORT0, p1]));
        assert_eq!(remove.status, 204, "{:?}", remove.body);
        assert_eq!(
            props(c, s, &uri)["candidate-adapter-port-uris"],
            json!([p1])
        );
    });
}

#[test]
fn candidate_port_requests_are_atomic() {
    both(|c, s| {
        // Arrange
        let p1 = "/api/adapters/fcp-0118/storage-ports/1";

        // Act
        let add = post(
            c,
            s,
            &format!("{SG}/operations/add-candidate-adapter-ports"),
            json!({"adapter-port-uris": [p1, PORT0]}),
        );
        let remove = post(
            c,
            s,
            &format!("{SG}/operations/remove-candidate-adapter-ports"),
            json!({"adapter-port-uris": [PORT0, p1]}),
        );

        // Assert
        assert_eq!(add.code(), (409, 483), "{}: {:?}", c.transport(), add.body);
        assert_eq!(
            add.body["message"],
            format!("Adapter port is already in candidate list of storage group SG-FCP1: {PORT0}")
        );
        assert_eq!(remove.code(), (409, 479), "{:?}", remove.body);
        assert_eq!(
            remove.body["message"],
            format!("Adapter port is not in candidate list of storage group SG-FCP1: {p1}")
        );
        assert_eq!(
            props(c, s, SG)["candidate-adapter-port-uris"],
            json!([PORT0])
        );
    });
}

#[test]
fn a_group_without_the_candidate_list_has_no_candidates() {
    both_raw(|c, s| {
        // Arrange
        sql(
            c,
            "UPDATE resources SET properties = \
             json_remove(properties, '$.\"candidate-adapter-port-uris\"') \
             WHERE uri = '/api/storage-groups/sg-fcp1'",
        );
        assert!(props(c, s, SG).get("candidate-adapter-port-uris").is_none());

        // Act
        let remove = post(
            c,
            s,
            &format!("{SG}/operations/remove-candidate-adapter-ports"),
            json!({"adapter-port-uris": [PORT0]}),
        );
        let add = post(
            c,
            s,
            &format!("{SG}/operations/add-candidate-adapter-ports"),
            json!({"adapter-port-uris": [PORT0]}),
        );

        // Assert
        assert_eq!(
            remove.code(),
            (409, 479),
            "{}: {:?}",
            c.transport(),
            remove.body
        );
        assert_eq!(add.status, 204, "{:?}", add.body);
        assert_eq!(
            props(c, s, SG)["candidate-adapter-port-uris"],
            json!([PORT0])
        );
    });
}

// ---------------------------------------------------------------------------
// Storage volumes and virtual storage resources

#[test]
fn list_storage_volumes_filters_by_name_usage_and_size_range() {
    both(|c, s| {
        // Arrange
        let list = |q: &str| props(c, s, &format!("{SG}/storage-volumes{q}"));

        // Act
        let all = list("");
        let small = list("?maximum-size=64");
        let large = list("?minimum-size=64");
        let exact = list("?minimum-size=32&maximum-size=32.0");
        let either = list("?maximum-size=1&maximum-size=40");
        let none = list("?maximum-size=10");
        let boot = list("?usage=boot&fulfillment-state=complete");
        let extra = list("?name=DATA&additional-properties=uuid,description");

        // Assert
        assert_eq!(
            all["storage-volumes"][0],
            json!({"element-uri": BOOT, "name": "BOOT", "fulfillment-state": "complete",
                   "size": 32.0, "usage": "boot"})
        );
        assert_eq!(names(&all["storage-volumes"]), ["BOOT", "DATA"]);
        assert_eq!(names(&small["storage-volumes"]), ["BOOT"]);
        assert_eq!(names(&large["storage-volumes"]), ["DATA"]);
        assert_eq!(names(&exact["storage-volumes"]), ["BOOT"]);
        assert_eq!(names(&either["storage-volumes"]), ["BOOT"]);
        assert!(names(&none["storage-volumes"]).is_empty());
        assert_eq!(names(&boot["storage-volumes"]), ["BOOT"]);
        assert_eq!(
            extra["storage-volumes"][0]["uuid"],
            "6005076810830160F000000000000A02"
        );
        assert_eq!(extra["storage-volumes"][0]["description"], "Data volume");
    });
}

#[test]
fn a_volume_without_a_size_is_outside_every_size_range() {
    both(|c, s| {
        // Arrange
        post_ok(
            c,
            s,
            &format!("{SG}/operations/modify"),
            json!({"storage-volumes": [{"operation": "create", "name": "NOSIZE"}]}),
            200,
        );

        // Act
        let all = props(c, s, &format!("{SG}/storage-volumes"));
        let ranged = props(c, s, &format!("{SG}/storage-volumes?minimum-size=0"));

        // Assert
        assert_eq!(names(&all["storage-volumes"]), ["BOOT", "DATA", "NOSIZE"]);
        assert_eq!(names(&ranged["storage-volumes"]), ["BOOT", "DATA"]);
    });
}

#[test]
fn get_storage_volume_returns_its_properties() {
    both(|c, s| {
        // Act
        let v = props(c, s, BOOT);

        // Assert
        assert_eq!(v["element-id"], "boot");
        assert_eq!(v["element-uri"], BOOT);
        assert_eq!(v["class"], "storage-volume");
        assert_eq!(v["parent"], SG);
        assert_eq!(v["uuid"], "6005076810830160F000000000000A01");
    });
}

#[test]
fn list_virtual_storage_resources_answers_the_present_properties_and_filters() {
    both_raw(|c, s| {
        // Arrange
        sql(
            c,
            "UPDATE resources SET properties = json_remove(properties, '$.\"device-number\"') \
             WHERE uri = '/api/storage-groups/sg-fcp1/virtual-storage-resources/vsr1'",
        );
        let list = |q: &str| props(c, s, &format!("{SG}/virtual-storage-resources{q}"));

        // Act
        let all = list("");
        let by_partition = list("?partition-uri=/api/partitions/linux1&adapter-port-uri=.*/0");
        let by_name = list("?name=nothing");

        // Assert
        assert_eq!(
            all["virtual-storage-resources"],
            json!([{"element-uri": VSR, "name": "LINUX1 FCP 0118",
                    "adapter-port-uri": PORT0, "partition-uri": "/api/partitions/linux1"}])
        );
        assert_eq!(
            names(&by_partition["virtual-storage-resources"]),
            ["LINUX1 FCP 0118"]
        );
        assert!(names(&by_name["virtual-storage-resources"]).is_empty());
    });
}

#[test]
fn get_virtual_storage_resource_returns_its_properties() {
    both(|c, s| {
        // Act
        let v = props(c, s, VSR);

        // Assert
        assert_eq!(v["element-id"], "vsr1");
        assert_eq!(v["class"], "virtual-storage-resource");
        assert_eq!(v["parent"], SG);
        assert_eq!(v["device-number"], "8100");
    });
}

// ---------------------------------------------------------------------------
// Storage templates

#[test]
fn list_storage_templates_answers_the_list_properties_and_filters() {
    both(|c, s| {
        // Act
        let all = props(c, s, "/api/storage-templates");
        let filtered = props(
            c,
            s,
            "/api/storage-templates?type=fcp&name=ST-.*&cpc-uri=/api/cpcs/dpm1",
        );
        let none = props(c, s, "/api/storage-templates?type=fc");

        // Assert
        assert_eq!(
            all["storage-templates"],
            json!([{"object-uri": ST, "cpc-uri": "/api/cpcs/dpm1", "name": "ST-FCP", "type": "fcp"}])
        );
        assert_eq!(names(&filtered["storage-templates"]), ["ST-FCP"]);
        assert!(names(&none["storage-templates"]).is_empty());
    });
}

#[test]
fn create_storage_template_sets_the_defaults_and_creates_its_volumes() {
    both(|c, s| {
        // Act
        let r = post_ok(
            c,
            s,
            "/api/storage-templates",
            template("ST-NEW", json!([create_volume("TV1", 16.0)])),
            201,
        );

        // Assert
        let uri = r["object-uri"].as_str().unwrap().to_string();
        assert!(uri.starts_with("/api/storage-templates/"), "{uri}");
        let created = strings(&r["element-uris"]);
        let st = props(c, s, &uri);
        assert_eq!(st["class"], "storage-template");
        assert_eq!(st["shared"], true);
        assert_eq!(st["description"], "");
        assert_eq!(st["fulfillment-state"], "pending");
        assert_eq!(strings(&st["storage-template-volume-uris"]), created);
        assert!(st.get("storage-template-volumes").is_none(), "{st:?}");
        let tv = props(c, s, &created[0]);
        assert_eq!(tv["name"], "TV1");
        assert_eq!(tv["class"], "storage-template-volume");
        assert_eq!(tv["parent"], json!(uri));
        let listed = props(c, s, "/api/storage-templates");
        assert_eq!(names(&listed["storage-templates"]), ["ST-FCP", "ST-NEW"]);
    });
}

#[test]
fn create_storage_template_with_a_bad_volume_request_leaves_nothing_behind() {
    both(|c, s| {
        // Arrange
        let volumes = json!([create_volume("TV1", 1.0),
                             {"operation": "create", "name": "X", "element-uri": ST_BOOT}]);

        // Act
        let r = post(c, s, "/api/storage-templates", template("ST-BAD", volumes));

        // Assert
        assert_eq!(r.code(), (400, 7), "{}: {:?}", c.transport(), r.body);
        assert_eq!(
            r.body["message"],
            "The 'element-uri' field in storage-template-volumes is invalid for the create operation"
        );
        let listed = props(c, s, "/api/storage-templates");
        assert_eq!(names(&listed["storage-templates"]), ["ST-FCP"]);
    });
}

#[test]
fn create_storage_template_accepts_only_create_requests_naming_its_own_field() {
    // Create names the template's volume field in its message, while
    // Modify names `storage-volumes` (the mock's texts differ).
    both(|c, s| {
        // Arrange
        let volumes = json!([create_volume("TV1", 1.0),
                             {"operation": "delete", "element-uri": ST_BOOT}]);

        // Act
        let r = post(c, s, "/api/storage-templates", template("ST-BAD", volumes));

        // Assert
        assert_eq!(r.code(), (400, 5), "{}: {:?}", c.transport(), r.body);
        assert_eq!(
            r.body["message"],
            "Invalid value for storage-template-volumes 'operation' field: delete"
        );
        let listed = props(c, s, "/api/storage-templates");
        assert_eq!(names(&listed["storage-templates"]), ["ST-FCP"]);
        assert_eq!(get(c, s, ST_BOOT).status, 200);
    });
}

#[test]
fn storage_template_names_are_unique_on_create_and_rename() {
    both(|c, s| {
        // Arrange
        let r = post_ok(
            c,
            s,
            "/api/storage-templates",
            template("ST-TWO", json!([])),
            201,
        );
        let uri = r["object-uri"].as_str().unwrap().to_string();

        // Act
        let dup = post(
            c,
            s,
            "/api/storage-templates",
            template("ST-FCP", json!([])),
        );
        let rename = post(
            c,
            s,
            &format!("{uri}/operations/modify"),
            json!({"name": "ST-FCP"}),
        );

        // Assert
        assert_eq!(dup.code(), (400, 8), "{}: {:?}", c.transport(), dup.body);
        assert_eq!(rename.code(), (400, 8), "{:?}", rename.body);
        assert_eq!(props(c, s, &uri)["name"], "ST-TWO");
    });
}

#[test]
fn modify_storage_template_merges_properties_and_applies_volume_requests() {
    both(|c, s| {
        // Arrange
        let body = json!({
            "name": "ST-RENAMED",
            "storage-template-volumes": [
                create_volume("TV-NEW", 4.0),
                {"operation": "modify", "element-uri": ST_BOOT, "size": 40.0},
            ],
        });

        // Act
        let r = post_ok(c, s, &format!("{ST}/operations/modify"), body, 200);

        // Assert
        let created = strings(&r["element-uris"]);
        let st = props(c, s, ST);
        assert_eq!(st["name"], "ST-RENAMED");
        assert_eq!(
            strings(&st["storage-template-volume-uris"]),
            [ST_BOOT, created[0].as_str()]
        );
        let new = props(c, s, &created[0]);
        assert_eq!(new["usage"], "data");
        assert!(new.get("fulfillment-state").is_none(), "{new:?}");
        assert_eq!(props(c, s, ST_BOOT)["size"], 40.0);
    });
}

#[test]
fn modify_storage_template_deletes_volumes_and_their_references() {
    both(|c, s| {
        // Act
        let r = post_ok(
            c,
            s,
            &format!("{ST}/operations/modify"),
            json!({"storage-template-volumes": [{"operation": "delete", "element-uri": ST_BOOT}]}),
            200,
        );

        // Assert
        assert_eq!(r["element-uris"], json!([]));
        assert_eq!(get(c, s, ST_BOOT).status, 404);
        assert_eq!(props(c, s, ST)["storage-template-volume-uris"], json!([]));
        let listed = props(c, s, &format!("{ST}/storage-template-volumes"));
        assert!(names(&listed["storage-template-volumes"]).is_empty());
    });
}

#[test]
fn modify_storage_template_with_a_bad_request_changes_nothing() {
    both(|c, s| {
        // Arrange
        let before = props(c, s, ST);
        let body = json!({
            "description": "changed",
            "storage-template-volumes": [
                {"operation": "delete", "element-uri": ST_BOOT},
                {"operation": "rename"},
            ],
        });

        // Act
        let r = post(c, s, &format!("{ST}/operations/modify"), body);

        // Assert
        assert_eq!(r.code(), (400, 5), "{}: {:?}", c.transport(), r.body);
        // The mock's Modify Storage Template message names storage-volumes.
        assert_eq!(
            r.body["message"],
            "Invalid value for storage-volumes 'operation' field: rename"
        );
        assert_eq!(props(c, s, ST), before);
        assert_eq!(get(c, s, ST_BOOT).status, 200);
    });
}

#[test]
fn delete_storage_template_removes_it_with_its_volumes() {
    both(|c, s| {
        // Act
        let r = delete(c, s, ST);

        // Assert
        assert_eq!(r.status, 204, "{}: {:?}", c.transport(), r.body);
        assert_eq!(get(c, s, ST).status, 404);
        assert_eq!(get(c, s, ST_BOOT).status, 404);
        assert!(names(&props(c, s, "/api/storage-templates")["storage-templates"]).is_empty());
    });
}

#[test]
fn list_storage_template_volumes_filters_by_name_usage_and_size_range() {
    both(|c, s| {
        // Arrange
        post_ok(
            c,
            s,
            &format!("{ST}/operations/modify"),
            json!({"storage-template-volumes": [create_volume("BIG", 500.0)]}),
            200,
        );
        let list = |q: &str| props(c, s, &format!("{ST}/storage-template-volumes{q}"));

        // Act
        let all = list("");
        let small = list("?maximum-size=100");
        let large = list("?minimum-size=100&usage=data");
        let named = list("?name=B.*");

        // Assert
        assert_eq!(
            all["storage-template-volumes"][0],
            json!({"element-uri": ST_BOOT, "name": "BOOT", "size": 32.0, "usage": "boot"})
        );
        assert_eq!(names(&small["storage-template-volumes"]), ["BOOT"]);
        assert_eq!(names(&large["storage-template-volumes"]), ["BIG"]);
        assert_eq!(names(&named["storage-template-volumes"]), ["BOOT", "BIG"]);
    });
}

#[test]
fn get_storage_template_and_template_volume_return_their_properties() {
    both(|c, s| {
        // Act
        let st = props(c, s, ST);
        let tv = props(c, s, ST_BOOT);

        // Assert
        assert_eq!(st["name"], "ST-FCP");
        assert_eq!(st["parent"], "/api/console");
        assert_eq!(strings(&st["storage-template-volume-uris"]), [ST_BOOT]);
        assert_eq!(tv["element-id"], "boot");
        assert_eq!(tv["parent"], ST);
    });
}

// ---------------------------------------------------------------------------
// Without a console

#[test]
fn console_scoped_storage_collections_without_a_console_are_404_1() {
    both_raw(|c, s| {
        // Arrange: the session outlives the console (and its users).
        sql(c, "DELETE FROM resources WHERE uri = '/api/console'");

        // Act
        let replies = [
            get(c, s, "/api/storage-groups"),
            post(c, s, "/api/storage-groups", group("SG-X", json!([]))),
            get(c, s, "/api/storage-templates"),
            post(c, s, "/api/storage-templates", template("ST-X", json!([]))),
        ];

        // Assert
        for r in &replies {
            assert_eq!(r.code(), (404, 1), "{}: {:?}", c.transport(), r.body);
        }
    });
}

// ---------------------------------------------------------------------------
// Error table

/// Every error path of these families, in the default HMC. No row changes
/// state, so their order does not matter. One row per line.
#[rustfmt::skip]
fn table() -> Vec<Row> {
    use Method::{Delete, Get, Post};
    let sg_op = |op: &str| format!("{SG}/operations/{op}");
    let st_op = |op: &str| format!("{ST}/operations/{op}");
    let sv = |reqs: Value| Some(json!({"storage-volumes": reqs}));
    let stv = |reqs: Value| Some(json!({"storage-template-volumes": reqs}));
    let g = |v: Value| Some(group("SG-ERR", v));
    let t = |v: Value| Some(template("ST-ERR", v));
    let other_sg_volume = ST_BOOT;
    vec![
        // List / Create Storage Group.
        row(Get, "/api/storage-groups?foo=1", None, 400, 1),
        row(Get, "/api/storage-groups?name=[abc", None, 400, 1),
        row(Get, "/api/storage-groups?additional-properties=shared", None, 400, 1),
        row(Post, "/api/storage-groups", None, 400, 3),
        row(Post, "/api/storage-groups", Some(json!({"cpc-uri": "/api/cpcs/dpm1", "type": "fcp"})), 400, 5),
        row(Post, "/api/storage-groups", Some(json!({"name": "X", "type": "fcp"})), 400, 5),
        row(Post, "/api/storage-groups", Some(json!({"name": "X", "cpc-uri": "/api/cpcs/dpm1"})), 400, 5),
        row(Post, "/api/storage-groups", Some(json!({"name": "X", "cpc-uri": "/api/cpcs/nope", "type": "fcp"})), 404, 1),
        row(Post, "/api/storage-groups", Some(json!({"name": "X", "cpc-uri": "/api/partitions/linux1", "type": "fcp"})), 404, 1),
        row(Post, "/api/storage-groups", Some(json!({"name": "X", "cpc-uri": 7, "type": "fcp"})), 404, 1),
        row(Post, "/api/storage-groups", Some(json!({"name": "X", "cpc-uri": "/api/cpcs/classic1", "type": "fcp"})), 409, 5),
        row(Post, "/api/storage-groups", Some(group("SG-FCP1", json!([]))), 400, 8),
        row(Post, "/api/storage-groups", g(json!([{"name": "V"}])), 400, 5),
        row(Post, "/api/storage-groups", g(json!([{"operation": "modify", "element-uri": BOOT}])), 400, 5),
        row(Post, "/api/storage-groups", g(json!([{"operation": "create", "element-uri": BOOT}])), 400, 7),
        row(Post, "/api/storage-groups", g(json!("V")), 400, 7),
        row(Post, "/api/storage-groups", g(json!(["V"])), 400, 7),
        // Storage group.
        row(Get, "/api/storage-groups/nope", None, 404, 1),
        row(Get, &format!("{SG}?properties=name"), None, 400, 1),
        row(Post, SG, Some(json!({"description": "x"})), 404, 1),
        row(Delete, SG, None, 404, 1),
        row(Post, "/api/storage-groups/nope/operations/delete", None, 404, 1),
        row(Post, &sg_op("delete"), None, 409, 1),
        row(Post, "/api/storage-groups/nope/operations/modify", Some(json!({})), 404, 1),
        row(Post, &sg_op("modify"), None, 400, 3),
        row(Post, &sg_op("modify"), sv(json!([{"name": "V"}])), 400, 5),
        row(Post, &sg_op("modify"), sv(json!([{"operation": "bogus"}])), 400, 5),
        row(Post, &sg_op("modify"), sv(json!([{"operation": "create", "element-uri": BOOT}])), 400, 7),
        row(Post, &sg_op("modify"), sv(json!([{"operation": "modify", "size": 1}])), 400, 5),
        row(Post, &sg_op("modify"), sv(json!([{"operation": "delete"}])), 400, 5),
        row(Post, &sg_op("modify"), sv(json!([{"operation": "modify", "element-uri": format!("{SG}/storage-volumes/nope")}])), 404, 1),
        row(Post, &sg_op("modify"), sv(json!([{"operation": "delete", "element-uri": format!("{SG}/storage-volumes/nope")}])), 404, 1),
        row(Post, &sg_op("modify"), sv(json!([{"operation": "delete", "element-uri": other_sg_volume}])), 404, 1),
        row(Post, &sg_op("modify"), sv(json!([{"operation": "delete", "element-uri": VSR}])), 404, 1),
        row(Post, &sg_op("modify"), sv(json!([{"operation": "delete", "element-uri": 5}])), 404, 1),
        row(Post, &sg_op("modify"), sv(json!({"operation": "create"})), 400, 7),
        row(Post, &format!("{}?x=1", sg_op("modify")), Some(json!({})), 404, 1),
        row(Post, "/api/storage-groups/nope/operations/request-fulfillment", None, 404, 1),
        row(Get, &sg_op("request-fulfillment"), None, 404, 1),
        row(Post, "/api/storage-groups/nope/operations/add-candidate-adapter-ports", Some(json!({"adapter-port-uris": []})), 404, 1),
        row(Post, &sg_op("add-candidate-adapter-ports"), None, 400, 3),
        row(Post, &sg_op("add-candidate-adapter-ports"), Some(json!({})), 400, 5),
        row(Post, &sg_op("add-candidate-adapter-ports"), Some(json!({"adapter-port-uris": PORT0})), 400, 7),
        row(Post, &sg_op("add-candidate-adapter-ports"), Some(json!({"adapter-port-uris": [PORT0]})), 409, 483),
        row(Post, "/api/storage-groups/nope/operations/remove-candidate-adapter-ports", Some(json!({"adapter-port-uris": []})), 404, 1),
        row(Post, &sg_op("remove-candidate-adapter-ports"), None, 400, 3),
        row(Post, &sg_op("remove-candidate-adapter-ports"), Some(json!({})), 400, 5),
        row(Post, &sg_op("remove-candidate-adapter-ports"), Some(json!({"adapter-port-uris": [1]})), 400, 7),
        row(Post, &sg_op("remove-candidate-adapter-ports"), Some(json!({"adapter-port-uris": ["/api/adapters/fcp-0118/storage-ports/9"]})), 409, 479),
        // Storage volumes.
        row(Get, &format!("{SG}/storage-volumes?foo=1"), None, 400, 1),
        row(Get, &format!("{SG}/storage-volumes?maximum-size=big"), None, 400, 1),
        row(Get, &format!("{SG}/storage-volumes?minimum-size="), None, 400, 1),
        row(Get, &format!("{SG}/storage-volumes?name=(x"), None, 400, 1),
        row(Get, "/api/storage-groups/nope/storage-volumes", None, 404, 1),
        row(Post, &format!("{SG}/storage-volumes"), Some(json!({"name": "V"})), 404, 1),
        row(Get, &format!("{SG}/storage-volumes/nope"), None, 404, 1),
        row(Get, &format!("{BOOT}?properties=name"), None, 400, 1),
        row(Delete, BOOT, None, 404, 1),
        // Virtual storage resources.
        row(Get, &format!("{SG}/virtual-storage-resources?foo=1"), None, 400, 1),
        row(Get, &format!("{SG}/virtual-storage-resources?additional-properties=name"), None, 400, 1),
        row(Get, "/api/storage-groups/nope/virtual-storage-resources", None, 404, 1),
        row(Get, &format!("{SG}/virtual-storage-resources/nope"), None, 404, 1),
        row(Get, &format!("{VSR}?properties=name"), None, 400, 1),
        // Storage templates.
        row(Get, "/api/storage-templates?foo=1", None, 400, 1),
        row(Get, "/api/storage-templates?fulfillment-state=pending", None, 400, 1),
        row(Post, "/api/storage-templates", None, 400, 3),
        row(Post, "/api/storage-templates", Some(json!({"name": "X", "cpc-uri": "/api/cpcs/dpm1"})), 400, 5),
        row(Post, "/api/storage-templates", Some(json!({"name": "X", "cpc-uri": "/api/cpcs/nope", "type": "fcp"})), 404, 1),
        row(Post, "/api/storage-templates", Some(json!({"name": "X", "cpc-uri": "/api/cpcs/classic1", "type": "fcp"})), 409, 5),
        row(Post, "/api/storage-templates", Some(template("ST-FCP", json!([]))), 400, 8),
        row(Post, "/api/storage-templates", t(json!([{"operation": "delete", "element-uri": ST_BOOT}])), 400, 5),
        row(Post, "/api/storage-templates", t(json!([{"operation": "create", "element-uri": ST_BOOT}])), 400, 7),
        row(Post, "/api/storage-templates", t(json!([{"size": 1}])), 400, 5),
        row(Get, "/api/storage-templates/nope", None, 404, 1),
        row(Get, &format!("{ST}?properties=name"), None, 400, 1),
        row(Delete, "/api/storage-templates/nope", None, 404, 1),
        row(Post, ST, Some(json!({"description": "x"})), 404, 1),
        row(Post, "/api/storage-templates/nope/operations/modify", Some(json!({})), 404, 1),
        row(Post, &st_op("modify"), None, 400, 3),
        row(Post, &st_op("modify"), stv(json!([{"operation": "bogus"}])), 400, 5),
        row(Post, &st_op("modify"), stv(json!([{"operation": "modify"}])), 400, 5),
        row(Post, &st_op("modify"), stv(json!([{"operation": "create", "element-uri": ST_BOOT}])), 400, 7),
        row(Post, &st_op("modify"), stv(json!([{"operation": "delete", "element-uri": format!("{ST}/storage-template-volumes/nope")}])), 404, 1),
        row(Post, &st_op("modify"), stv(json!([{"operation": "modify", "element-uri": BOOT}])), 404, 1),
        row(Post, &st_op("delete"), None, 404, 1),
        // Storage template volumes.
        row(Get, &format!("{ST}/storage-template-volumes?foo=1"), None, 400, 1),
        row(Get, &format!("{ST}/storage-template-volumes?additional-properties=size"), None, 400, 1),
        row(Get, &format!("{ST}/storage-template-volumes?minimum-size=1GiB"), None, 400, 1),
        row(Get, "/api/storage-templates/nope/storage-template-volumes", None, 404, 1),
        row(Get, &format!("{ST}/storage-template-volumes/nope"), None, 404, 1),
        row(Get, &format!("{ST_BOOT}?properties=name"), None, 400, 1),
        row(Delete, ST_BOOT, None, 404, 1),
    ]
}

#[test]
fn every_storage_error_case_answers_its_status_and_reason() {
    both_raw(|c, s| {
        error_table::run(
            c,
            s,
            &table(),
            &[
                "/api/storage-groups",
                SG,
                BOOT,
                DATA,
                "/api/storage-templates",
                ST,
                ST_BOOT,
            ],
        );
    });
}
