//! The admin API (`serve --admin`, issue 11): the fixture commands under
//! `/mock/...` over HTTPS, for sessions of users marked as admins; off
//! without `--admin`.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use mock_hmc::{Hmc, Method};
use serde_json::json;
use support::{Client, Server, TempDb};

const START_LINUX2: &str = "/api/partitions/linux2/operations/start";

fn served(admin: bool) -> (TempDb, Server) {
    let db = TempDb::new();
    let hmc = Hmc::open(&db.path).unwrap();
    hmc.set_admin_user("ensadmin", true).unwrap();
    drop(hmc);
    let args: &[&str] = if admin { &["--admin"] } else { &[] };
    let server = Server::start(&db.path, false, args);
    (db, server)
}

#[test]
fn without_admin_the_mock_uris_are_404_1() {
    let (_db, c) = served(false);
    let s = c.logon("ensadmin", "password");
    let r = c.send(Method::Get, "/mock/clock", Some(&s), None);
    assert_eq!(r.code(), (404, 1), "{:?}", r.body);
}

#[test]
fn admins_only_and_bad_input_is_an_hmc_400_that_changes_nothing() {
    let (_db, c) = served(true);
    let r = c.send(Method::Get, "/mock/clock", None, None);
    assert_eq!(r.code(), (403, 4), "{:?}", r.body);
    let r = c.send(Method::Get, "/mock/clock", Some("no-such-session"), None);
    assert_eq!(r.code(), (403, 5), "{:?}", r.body);
    let op = c.logon("ensoperator", "password");
    let r = c.send(Method::Get, "/mock/clock", Some(&op), None);
    assert_eq!(r.code(), (403, 1), "{:?}", r.body);
    let s = c.logon("ensadmin", "password");
    for (method, uri, body) in [
        (
            Method::Post,
            "/mock/faults",
            json!({"uri": "(", "error": "409.1"}),
        ),
        (Method::Post, "/mock/faults", json!({"error": "200"})),
        (Method::Post, "/mock/job-policies", json!({"polls": "two"})),
        (Method::Post, "/mock/checkpoints/nope/restore", json!({})),
        (Method::Post, "/mock/clock", json!({"advance": "soon"})),
        (Method::Post, "/mock/clock", json!({})),
    ] {
        let r = c.send(method, uri, Some(&s), Some(&body));
        assert_eq!(r.status, 400, "{uri} {body}: {:?}", r.body);
        assert_eq!(r.body["request-uri"], uri);
        assert!(r.body["message"].is_string());
    }
    assert_eq!(
        c.send(Method::Get, "/mock/nothing", Some(&s), None).code(),
        (404, 1)
    );
    let faults = c.send(Method::Get, "/mock/faults", Some(&s), None);
    assert_eq!(faults.body["faults"], json!([]));
}

#[test]
fn the_fixture_commands_work_over_https() {
    let (_db, c) = served(true);
    let s = c.logon("ensadmin", "password");
    let post =
        |uri: &str, body: serde_json::Value| c.send(Method::Post, uri, Some(&s), Some(&body));
    let status = || {
        c.send(Method::Get, "/api/partitions/linux2", Some(&s), None)
            .body["status"]
            .clone()
    };

    // Checkpoints and reset.
    assert_eq!(
        post("/mock/checkpoints", json!({"name": "clean"})).status,
        204
    );
    assert_eq!(
        c.send(Method::Post, START_LINUX2, Some(&s), None).status,
        202
    );
    assert_eq!(status(), "active");
    let diff = c.send(Method::Get, "/mock/checkpoints/clean/diff", Some(&s), None);
    assert_eq!(diff.status, 200, "{:?}", diff.body);
    assert!(diff.body.to_string().contains("/api/partitions/linux2"));
    assert_eq!(
        post("/mock/checkpoints/clean/restore", json!({})).status,
        204
    );
    assert_eq!(status(), "stopped");
    let list = c.send(Method::Get, "/mock/checkpoints", Some(&s), None);
    let names: Vec<_> = list.body["checkpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].clone())
        .collect();
    assert!(
        names.contains(&json!("clean")) && names.contains(&json!("initial")),
        "{names:?}"
    );
    assert_eq!(
        c.send(Method::Delete, "/mock/checkpoints/clean", Some(&s), None)
            .status,
        204
    );
    assert_eq!(post("/mock/reset", json!({})).status, 204);

    // Faults.
    let r = post(
        "/mock/faults",
        json!({"uri": START_LINUX2, "error": "409.1", "count": 1}),
    );
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        c.send(Method::Post, START_LINUX2, Some(&s), None).code(),
        (409, 1)
    );
    assert_eq!(
        c.send(Method::Delete, "/mock/faults", Some(&s), None).body["cleared"],
        1
    );

    // Job policies: held back for one poll.
    assert_eq!(
        post(
            "/mock/job-policies",
            json!({"operation": "Start Partition", "polls": 1})
        )
        .status,
        200
    );
    let job = c.send(Method::Post, START_LINUX2, Some(&s), None).body["job-uri"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        c.send(Method::Get, &job, Some(&s), None).body["status"],
        "running"
    );
    assert_eq!(status(), "stopped");
    assert_eq!(
        c.send(Method::Get, &job, Some(&s), None).body["status"],
        "complete"
    );
    assert_eq!(status(), "active");
    let policies = c.send(Method::Get, "/mock/job-policies", Some(&s), None);
    assert_eq!(policies.body["job-policies"].as_array().unwrap().len(), 1);
    assert_eq!(
        c.send(Method::Delete, "/mock/job-policies/1", Some(&s), None)
            .body["cleared"],
        1
    );

    // The clock and the journal.
    let before = c.send(Method::Get, "/mock/clock", Some(&s), None).body["time"]
        .as_i64()
        .unwrap();
    let r = post("/mock/clock", json!({"advance": "1h"}));
    assert!(
        r.body["time"].as_i64().unwrap() >= before + 3_600_000,
        "{:?}",
        r.body
    );
    assert_eq!(
        post("/mock/clock", json!({"real": true})).body["offset-ms"],
        0
    );
    let journal = c.send(
        Method::Get,
        "/mock/journal?uri=operations/start",
        Some(&s),
        None,
    );
    assert!(
        !journal.body["journal"].as_array().unwrap().is_empty(),
        "{:?}",
        journal.body
    );
    assert!(
        c.send(Method::Delete, "/mock/journal", Some(&s), None).body["cleared"]
            .as_u64()
            .unwrap()
            > 0
    );
}

#[test]
fn the_cli_marks_and_unmarks_admin_users() {
    let db = TempDb::new();
    let run = |args: &[&str]| {
        std::process::Command::new(support::BIN)
            .arg("--db")
            .arg(&db.path)
            .args(args)
            .env_remove("MOCK_HMC_DB")
            .output()
            .unwrap()
    };
    assert!(run(&["init"]).status.success());
    assert!(run(&["admin", "add", "ensadmin"]).status.success());
    assert!(run(&["admin", "add", "ensoperator"]).status.success());
    assert!(run(&["admin", "remove", "ensadmin"]).status.success());
    assert_eq!(
        String::from_utf8_lossy(&run(&["admin", "list"]).stdout),
        "ensoperator\n"
    );
    // Checkpoints leave the admins alone.
    assert!(run(&["reset"]).status.success());
    assert_eq!(
        String::from_utf8_lossy(&run(&["admin", "list"]).stdout),
        "ensoperator\n"
    );
}
