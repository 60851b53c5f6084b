//! Submit Requests (spec 4.17): nested requests run through the same
//! dispatch, each with its own result, one failing not undoing the others.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use mock_hmc::Method;
use serde_json::{Value, json};
use support::error_table::{self, raw_row, row};
use support::helpers::{get, post, props};
use support::{both, both_raw};

const SUBMIT: &str = "/api/services/aggregation/submit";

fn submit(c: &dyn support::Client, s: &str, requests: Value) -> Vec<Value> {
    let r = post(c, s, SUBMIT, json!({"requests": requests, "threads": 2}));
    assert_eq!(r.status, 200, "{}: {:?}", c.transport(), r.body);
    r.body.as_array().unwrap().clone()
}

#[test]
fn gets_answer_each_resource_with_its_id() {
    both(|c, s| {
        // Act
        let answers = submit(
            c,
            s,
            json!([
                {"method": "GET", "uri": "/api/cpcs/dpm1", "id": "1"},
                {"method": "GET", "uri": "/api/partitions/linux1?properties=name,status", "id": "2"},
                {"method": "GET", "uri": "/api/users/ensadmin"},
            ]),
        );

        // Assert
        let t = c.transport();
        assert_eq!(answers.len(), 3, "{t}");
        assert_eq!(answers[0]["status"], 200, "{t}");
        assert_eq!(answers[0]["id"], "1", "{t}");
        assert_eq!(answers[0]["headers"], json!([]), "{t}");
        assert_eq!(answers[0]["body"], props(c, s, "/api/cpcs/dpm1"), "{t}");
        assert_eq!(
            answers[1]["body"],
            json!({"name": "LINUX1", "status": "active"}),
            "{t}"
        );
        assert_eq!(answers[1]["id"], "2", "{t}");
        assert!(answers[2].get("id").is_none(), "{t}: {:?}", answers[2]);
        assert!(answers[2]["body"].get("password").is_none(), "{t}");
    });
}

#[test]
fn a_failing_request_undoes_only_itself() {
    both(|c, s| {
        // Act
        let answers = submit(
            c,
            s,
            json!([
                {"method": "POST", "uri": "/api/cpcs/dpm1/capacity-groups",
                 "body": {"name": "CG2"}, "id": "create"},
                // Adds the group, then fails on its second volume request:
                // nothing of it may stay.
                {"method": "POST", "uri": "/api/storage-groups", "id": "sg",
                 "body": {"name": "SG-X", "cpc-uri": "/api/cpcs/dpm1", "type": "fcp",
                          "storage-volumes": [{"operation": "create", "size": 1.0},
                                              {"operation": "nope"}]}},
                {"method": "POST", "uri": "/api/cpcs/dpm1/capacity-groups/cg1",
                 "body": {"description": "changed"}, "id": "update"},
                {"method": "GET", "uri": "/api/cpcs/dpm1/capacity-groups?name=CG2", "id": "sees"},
            ]),
        );

        // Assert
        let t = c.transport();
        let codes: Vec<&Value> = answers.iter().map(|a| &a["status"]).collect();
        assert_eq!(
            codes,
            [&json!(201), &json!(400), &json!(204), &json!(200)],
            "{t}"
        );
        assert!(answers[0]["body"]["element-uri"].is_string(), "{t}");
        assert_eq!(answers[1]["body"]["reason"], 5, "{t}");
        assert_eq!(answers[2]["body"], Value::Null, "{t}");
        assert_eq!(
            answers[3]["body"]["capacity-groups"][0]["name"], "CG2",
            "{t}: a later request sees an earlier one"
        );
        let groups = props(c, s, "/api/storage-groups?name=SG-X");
        assert_eq!(groups["storage-groups"], json!([]), "{t}");
        let cg1 = props(c, s, "/api/cpcs/dpm1/capacity-groups/cg1");
        assert_eq!(cg1["description"], "changed", "{t}");
        let cgs = props(c, s, "/api/cpcs/dpm1/capacity-groups?name=CG2");
        assert_eq!(cgs["capacity-groups"].as_array().unwrap().len(), 1, "{t}");
    });
}

#[test]
fn an_error_entry_names_the_request_as_the_hmc_does() {
    both(|c, s| {
        // Act
        let answers = submit(
            c,
            s,
            json!([
                {"method": "GET", "uri": "/api/partitions/nope?properties=name&properties=status", "id": 7},
                {"method": "POST", "uri": "/api/partitions/linux1/nics/nic1", "body": {"status": 5}, "id": "bad"},
            ]),
        );

        // Assert
        let t = c.transport();
        let e = &answers[0];
        assert_eq!(e["status"], 404, "{t}");
        assert_eq!(e["id"], 7, "{t}");
        let body = &e["body"];
        assert_eq!(body["http-status"], 404, "{t}");
        assert_eq!(body["reason"], 1, "{t}");
        assert_eq!(body["request-method"], "GET", "{t}");
        assert_eq!(body["request-uri"], "/api/partitions/nope", "{t}");
        assert_eq!(body["request-headers"], json!([]), "{t}");
        assert_eq!(body["request-authenticated-as"], "ensadmin", "{t}");
        assert_eq!(
            body["request-query-parms"],
            json!({"properties": ["name", "status"]}),
            "{t}"
        );
        assert!(body.get("request-body").is_none(), "{t}");
        assert!(body["message"].as_str().unwrap().contains("nope"), "{t}");
        let post = &answers[1]["body"];
        assert_eq!(answers[1]["status"], 400, "{t}");
        assert_eq!(post["request-body"], json!({"status": 5}), "{t}");
    });
}

#[test]
fn unsupported_methods_and_uris_are_error_entries() {
    both(|c, s| {
        // Act
        let answers = submit(
            c,
            s,
            json!([
                {"method": "PUT", "uri": "/api/cpcs/dpm1", "id": "1"},
                {"method": "GET", "uri": 12, "id": "2"},
                {"method": "GET", "uri": "/api/nowhere", "id": "3"},
                {"method": "POST", "uri": "/api/version", "id": "4"},
                {"method": "POST", "uri": SUBMIT, "body": {"requests": []}, "id": "5"},
                {"method": "GET", "uri": "/api/version", "id": "6"},
            ]),
        );

        // Assert
        let t = c.transport();
        let codes: Vec<(i64, i64)> = answers
            .iter()
            .map(|a| {
                (
                    a["status"].as_i64().unwrap(),
                    a["body"]["reason"].as_i64().unwrap_or(-1),
                )
            })
            .collect();
        assert_eq!(
            codes,
            [(400, 7), (400, 7), (404, 1), (404, 1), (400, 7), (200, -1)],
            "{t}: {answers:?}"
        );
        assert_eq!(answers[0]["body"]["request-method"], "PUT", "{t}");
        assert_eq!(answers[5]["body"]["hmc-name"], "MOCKHMC1", "{t}");
    });
}

#[test]
fn a_nested_job_is_answered_with_its_job_uri() {
    both(|c, s| {
        // Act
        let answers = submit(
            c,
            s,
            json!([{"method": "POST", "uri": "/api/partitions/linux2/operations/start", "id": "s"}]),
        );

        // Assert
        let t = c.transport();
        assert_eq!(answers[0]["status"], 202, "{t}");
        let job = answers[0]["body"]["job-uri"].as_str().unwrap();
        assert_eq!(props(c, s, job)["status"], "complete", "{t}");
        assert_eq!(
            props(c, s, "/api/partitions/linux2")["status"],
            "active",
            "{t}"
        );
    });
}

#[test]
fn an_empty_list_answers_an_empty_list() {
    both(|c, s| {
        assert_eq!(submit(c, s, json!([])), Vec::<Value>::new());
        let r = get(c, s, SUBMIT);
        assert_eq!(r.code(), (404, 1), "{}", c.transport());
    });
}

#[test]
fn submit_requests_errors() {
    both_raw(|c, s| {
        let rows = [
            row(Method::Post, SUBMIT, None, 400, 3),
            row(Method::Post, SUBMIT, Some(json!({})), 400, 5),
            row(Method::Post, SUBMIT, Some(json!({"requests": {}})), 400, 7),
            row(Method::Post, SUBMIT, Some(json!({"requests": [1]})), 400, 7),
            row(
                Method::Post,
                SUBMIT,
                Some(json!({"requests": [{"uri": "/api/cpcs"}]})),
                400,
                5,
            ),
            // A missing field fails the whole request before any runs.
            row(
                Method::Post,
                SUBMIT,
                Some(json!({"requests": [
                    {"method": "POST", "uri": "/api/cpcs/dpm1", "body": {"description": "x"}},
                    {"method": "GET"}]})),
                400,
                5,
            ),
            raw_row(Method::Post, SUBMIT, "{", 400, 9),
            row(
                Method::Post,
                &format!("{SUBMIT}?x=1"),
                Some(json!({"requests": []})),
                404,
                1,
            ),
            row(Method::Post, SUBMIT, Some(json!({"requests": []})), 403, 4)
                .with_auth(error_table::Auth::Without),
        ];
        error_table::run(c, s, &rows, &["/api/cpcs/dpm1"]);
    });
}
