//! Custom groups (spec 4.6) and the hardware messages of the console and
//! CPCs with their service operations (4.4 #36-40, 4.5 #47-51).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use mock_hmc::Method;
use serde_json::{Value, json};
use support::error_table::{self, row};
use support::helpers::{create, delete, get, names, post, props, update};
use support::{both, both_raw};

const GROUPS: &str = "/api/groups";
const LINUX1: &str = "/api/partitions/linux1";
const LINUX2: &str = "/api/partitions/linux2";
const HMC_MSGS: &str = "/api/console/hardware-messages";
const HMC_MSG1: &str = "/api/console/hardware-messages/hmc-msg1";
const HMC_MSG2: &str = "/api/console/hardware-messages/hmc-msg2";
const CPC_MSGS: &str = "/api/cpcs/dpm1/hardware-messages";
const CPC_MSG1: &str = "/api/cpcs/dpm1/hardware-messages/dpm1-msg1";
const CPC_MSG2: &str = "/api/cpcs/dpm1/hardware-messages/dpm1-msg2";

#[test]
fn create_custom_group_starts_empty_and_members_come_and_go() {
    both(|c, s| {
        // Act
        let g = create(
            c,
            s,
            GROUPS,
            json!({"name": "G1", "members": [LINUX1], "match-info": {"type": "x"}}),
        );
        let fresh = props(c, s, &g);
        update(
            c,
            s,
            &format!("{g}/operations/add-member"),
            json!({"object-uri": LINUX1}),
        );
        update(
            c,
            s,
            &format!("{g}/operations/add-member"),
            json!({"object-uri": "/api/cpcs/dpm1"}),
        );
        let members = props(c, s, &format!("{g}/members"));
        update(
            c,
            s,
            &format!("{g}/operations/remove-member"),
            json!({"object-uri": "/api/cpcs/dpm1"}),
        );

        // Assert
        let t = c.transport();
        assert_eq!(fresh["members"], json!([]), "{t}");
        assert_eq!(fresh["description"], "", "{t}");
        assert_eq!(fresh["match-info"], json!({"type": "x"}), "{t}");
        assert_eq!(
            members,
            json!({"members": [{"object-uri": LINUX1, "name": "LINUX1"},
                               {"object-uri": "/api/cpcs/dpm1", "name": "DPM1"}]}),
            "{t}"
        );
        assert_eq!(props(c, s, &g)["members"], json!([LINUX1]), "{t}");
        assert_eq!(
            props(c, s, GROUPS),
            json!({"groups": [{"object-uri": g, "name": "G1"}]}),
            "{t}"
        );
        assert_eq!(delete(c, s, &g).status, 204, "{t}");
        assert_eq!(get(c, s, &g).code(), (404, 1), "{t}");
    });
}

#[test]
fn a_deleted_resource_leaves_every_group() {
    both(|c, s| {
        // Arrange
        let g1 = create(c, s, GROUPS, json!({"name": "G1"}));
        let g2 = create(c, s, GROUPS, json!({"name": "G2"}));
        for g in [&g1, &g2] {
            update(
                c,
                s,
                &format!("{g}/operations/add-member"),
                json!({"object-uri": LINUX2}),
            );
        }
        update(
            c,
            s,
            &format!("{g2}/operations/add-member"),
            json!({"object-uri": LINUX1}),
        );

        // Act
        assert_eq!(delete(c, s, LINUX2).status, 204);

        // Assert
        let t = c.transport();
        assert_eq!(props(c, s, &g1)["members"], json!([]), "{t}");
        assert_eq!(props(c, s, &g2)["members"], json!([LINUX1]), "{t}");
        assert_eq!(
            names(&props(c, s, &format!("{g2}/members"))["members"]),
            ["LINUX1"],
            "{t}"
        );
    });
}

#[test]
fn custom_group_errors() {
    both_raw(|c, s| {
        // Arrange
        let g = create(c, s, GROUPS, json!({"name": "G1"}));
        update(
            c,
            s,
            &format!("{g}/operations/add-member"),
            json!({"object-uri": LINUX1}),
        );
        let add = format!("{g}/operations/add-member");
        let remove = format!("{g}/operations/remove-member");

        // Act / Assert
        let rows = [
            row(Method::Post, GROUPS, None, 400, 3),
            row(
                Method::Post,
                GROUPS,
                Some(json!({"description": "x"})),
                400,
                5,
            ),
            row(Method::Post, GROUPS, Some(json!({"name": "G1"})), 400, 8),
            row(Method::Post, &add, None, 400, 3),
            row(Method::Post, &add, Some(json!({})), 400, 5),
            row(Method::Post, &add, Some(json!({"object-uri": 3})), 400, 7),
            row(
                Method::Post,
                &add,
                Some(json!({"object-uri": "/api/partitions/nope"})),
                404,
                2,
            ),
            row(
                Method::Post,
                &add,
                Some(json!({"object-uri": LINUX1})),
                409,
                0,
            ),
            row(
                Method::Post,
                &remove,
                Some(json!({"object-uri": LINUX2})),
                409,
                0,
            ),
            row(
                Method::Post,
                "/api/groups/nope/operations/add-member",
                Some(json!({"object-uri": LINUX1})),
                404,
                1,
            ),
            row(Method::Get, &format!("{g}/members?x=1"), None, 404, 1),
            row(Method::Get, "/api/groups/nope/members", None, 404, 1),
            row(Method::Post, &g, Some(json!({"name": "x"})), 404, 1),
        ];
        error_table::run(c, s, &rows, &[&g, &format!("{g}/members")]);
    });
}

#[test]
fn hardware_messages_are_listed_read_and_deleted() {
    both(|c, s| {
        // Act
        let console = props(c, s, HMC_MSGS);
        let cpc = props(c, s, CPC_MSGS);
        let later = props(c, s, &format!("{CPC_MSGS}?begin-time=1735702000000"));
        let bounded = props(
            c,
            s,
            &format!("{HMC_MSGS}?begin-time=1735689600000&end-time=1735689600000"),
        );
        let msg = props(c, s, HMC_MSG1);
        let deleted = delete(c, s, CPC_MSG2);

        // Assert
        let t = c.transport();
        assert_eq!(
            console["hardware-messages"][0],
            json!({"element-uri": HMC_MSG1, "text": "A redundant power supply of the console has failed",
                   "timestamp": 1_735_689_600_000_i64}),
            "{t}"
        );
        assert_eq!(
            console["hardware-messages"].as_array().unwrap().len(),
            2,
            "{t}"
        );
        assert_eq!(cpc["hardware-messages"].as_array().unwrap().len(), 2, "{t}");
        assert_eq!(
            later["hardware-messages"][0]["element-uri"], CPC_MSG2,
            "{t}"
        );
        assert_eq!(
            later["hardware-messages"].as_array().unwrap().len(),
            1,
            "{t}"
        );
        assert_eq!(
            bounded["hardware-messages"][0]["element-uri"], HMC_MSG1,
            "{t}"
        );
        assert_eq!(msg["class"], "hardware-message", "{t}");
        assert_eq!(msg["parent"], "/api/console", "{t}");
        assert_eq!(msg["service-supported"], true, "{t}");
        assert_eq!(deleted.status, 204, "{t}");
        assert_eq!(get(c, s, CPC_MSG2).code(), (404, 1), "{t}");
    });
}

#[test]
fn get_service_information_answers_the_machine_and_problem() {
    both(|c, s| {
        // Act
        let info = props(
            c,
            s,
            &format!("{CPC_MSG1}/operations/get-service-information?delete=False"),
        );
        let console = props(
            c,
            s,
            &format!("{HMC_MSG1}/operations/get-service-information"),
        );
        let deleting = get(
            c,
            s,
            &format!("{HMC_MSG1}/operations/get-service-information?delete=True"),
        );

        // Assert
        let t = c.transport();
        assert_eq!(info["machine-type"], "3931", "{t}");
        assert_eq!(info["machine-model"], "A01", "{t}");
        assert_eq!(
            info["machine-serial-number"],
            props(c, s, "/api/cpcs/dpm1")["machine-serial-number"],
            "{t}"
        );
        assert_eq!(info["problem-number"], 4712, "{t}");
        assert_eq!(info["reference-code"], "1B2D0108", "{t}");
        assert_eq!(info["customer-name"], Value::Null, "{t}");
        assert_eq!(
            get(c, s, CPC_MSG1).status,
            200,
            "{t}: delete=False keeps it"
        );
        assert_eq!(console["machine-type"], "7382", "{t}");
        assert_eq!(deleting.status, 200, "{t}");
        assert_eq!(
            get(c, s, HMC_MSG1).code(),
            (404, 1),
            "{t}: delete=True removes it"
        );
    });
}

#[test]
fn request_and_decline_service_delete_the_message() {
    both(|c, s| {
        // Act
        let requested = post(
            c,
            s,
            &format!("{CPC_MSG1}/operations/request-service"),
            json!({"customer-name": "ACME", "customer-phone": "555"}),
        );
        let declined = post(
            c,
            s,
            &format!("{HMC_MSG1}/operations/decline-service"),
            json!({}),
        );

        // Assert
        let t = c.transport();
        assert_eq!(requested.status, 204, "{t}: {:?}", requested.body);
        assert_eq!(declined.status, 204, "{t}: {:?}", declined.body);
        assert_eq!(get(c, s, CPC_MSG1).code(), (404, 1), "{t}");
        assert_eq!(get(c, s, HMC_MSG1).code(), (404, 1), "{t}");
    });
}

#[test]
fn hardware_message_errors() {
    both_raw(|c, s| {
        let rows = [
            row(
                Method::Post,
                &format!("{HMC_MSG2}/operations/request-service"),
                None,
                400,
                340,
            ),
            row(
                Method::Get,
                &format!("{HMC_MSG2}/operations/get-service-information"),
                None,
                400,
                340,
            ),
            row(
                Method::Post,
                &format!("{CPC_MSG2}/operations/decline-service"),
                None,
                400,
                340,
            ),
            row(
                Method::Post,
                &format!("{HMC_MSGS}/nope/operations/request-service"),
                None,
                404,
                1,
            ),
            row(
                Method::Post,
                "/api/cpcs/nope/hardware-messages/x/operations/decline-service",
                None,
                404,
                1,
            ),
            row(
                Method::Get,
                &format!("{CPC_MSG1}/operations/get-service-information?delete=maybe"),
                None,
                400,
                1,
            ),
            row(
                Method::Get,
                &format!("{CPC_MSG1}/operations/get-service-information?x=1"),
                None,
                400,
                1,
            ),
            row(Method::Get, &format!("{HMC_MSGS}?name=x"), None, 400, 1),
            row(
                Method::Get,
                &format!("{CPC_MSGS}?begin-time=soon"),
                None,
                400,
                1,
            ),
            row(Method::Post, HMC_MSG1, Some(json!({"text": "x"})), 404, 1),
            row(Method::Delete, &format!("{HMC_MSGS}/nope"), None, 404, 1),
        ];
        error_table::run(c, s, &rows, &[HMC_MSG1, CPC_MSG1, HMC_MSGS]);
    });
}
