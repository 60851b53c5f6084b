//! The console's operations (spec 4.2) and the CPC's console-side ones
//! (4.5 #43-46): API features, Restart / Shutdown Console and the
//! unavailability they cause, Make Primary, Reorder User Patterns, the
//! audit and security logs, Report a Console Problem, List Unmanaged CPCs,
//! power save and capping, energy data.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use std::time::{Duration, Instant};

use mock_hmc::{Hmc, Method};
use serde_json::{Value, json};
use support::error_table::{self, row};
use support::helpers::{create, get, names, post, post_empty, props, update};
use support::{BIN, Client, both, both_loaded, both_raw};

const CONSOLE: &str = "/api/console";
const FEATURES: &str = "/api/console/operations/list-features";
const AUDIT: &str = "/api/console/operations/get-audit-log";
const SECURITY: &str = "/api/console/operations/get-security-log";
const PATTERNS: &str = "/api/console/user-patterns";
const REORDER: &str = "/api/console/operations/reorder-user-patterns";

/// Waits until the HMC answers Query API Version again (at most `limit`).
fn wait_available(c: &dyn Client, limit: Duration) {
    let start = Instant::now();
    loop {
        let r = c.send(Method::Get, "/api/version", None, None);
        if r.status == 200 {
            return;
        }
        assert_eq!(r.status, 503, "{}: {:?}", c.transport(), r.body);
        assert!(
            start.elapsed() < limit,
            "{}: still unavailable",
            c.transport()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn api_features_are_empty_by_default_and_set_through_the_library() {
    both_raw(|c, s| {
        // Arrange
        assert_eq!(props(c, s, FEATURES), json!([]), "{}", c.transport());
        let hmc = Hmc::open(c.db_path()).unwrap();
        hmc.set_api_features(
            CONSOLE,
            &["dpm-ctc-partition-link-management", "secure-boot"],
        )
        .unwrap();
        hmc.set_api_features("/api/cpcs/dpm1", &["network-express-support"])
            .unwrap();

        // Act
        let all = props(c, s, FEATURES);
        let some = props(c, s, &format!("{FEATURES}?name=dpm-.*"));
        let cpc = props(c, s, "/api/cpcs/dpm1/operations/list-features");
        let classic = props(c, s, "/api/cpcs/classic1/operations/list-features");

        // Assert
        let t = c.transport();
        assert_eq!(
            all,
            json!(["dpm-ctc-partition-link-management", "secure-boot"]),
            "{t}"
        );
        assert_eq!(some, json!(["dpm-ctc-partition-link-management"]), "{t}");
        assert_eq!(cpc, json!(["network-express-support"]), "{t}");
        assert_eq!(classic, json!([]), "{t}");
    });
}

const WITH_FEATURES: &str = r#"
hmc_definition:
  host: 127.0.0.1
  api_version: '4.10'
  consoles:
  - properties: {name: HMC1, version: 2.16.0}
    api_features: [feature-a, feature-b]
    unmanaged_cpcs:
    - properties: {object-id: u1, name: UNMANAGED1}
    - properties: {object-id: u2}
  cpcs:
  - properties: {object-id: c1, name: C1, dpm-enabled: true}
    api_features: [cpc-feature]
"#;

#[test]
fn api_features_load_from_a_definition_file_and_dump_back() {
    both_loaded(WITH_FEATURES, |c, s| {
        // Act
        let console = props(c, s, FEATURES);
        let cpc = props(c, s, "/api/cpcs/c1/operations/list-features");
        let dump = Hmc::open(c.db_path()).unwrap().dump(false).unwrap();

        // Assert
        let t = c.transport();
        assert_eq!(console, json!(["feature-a", "feature-b"]), "{t}");
        assert_eq!(cpc, json!(["cpc-feature"]), "{t}");
        let hmc = &dump["hmc_definition"];
        assert_eq!(hmc["consoles"][0]["api_features"], console, "{t}");
        assert_eq!(hmc["cpcs"][0]["api_features"], cpc, "{t}");
    });
}

#[test]
fn list_unmanaged_cpcs_lists_and_filters_by_name() {
    both_loaded(WITH_FEATURES, |c, s| {
        // Act
        let all = props(c, s, "/api/console/operations/list-unmanaged-cpcs");
        let one = props(
            c,
            s,
            "/api/console/operations/list-unmanaged-cpcs?name=UN.*",
        );

        // Assert
        let t = c.transport();
        assert_eq!(
            all,
            json!({"cpcs": [{"name": "UNMANAGED1", "object-uri": "/api/cpcs/u1"},
                            {"name": null, "object-uri": "/api/cpcs/u2"}]}),
            "{t}"
        );
        assert_eq!(names(&one["cpcs"]), ["UNMANAGED1"], "{t}");
    });
}

#[test]
fn restart_console_refuses_requests_for_the_restart_time_and_ends_sessions() {
    both_raw(|c, s| {
        // Arrange
        Hmc::open(c.db_path())
            .unwrap()
            .set_restart_time(Duration::from_secs(2))
            .unwrap();

        // Act
        let r = post_empty(c, s, "/api/console/operations/restart");
        let during = c.send(Method::Get, "/api/version", None, None);
        wait_available(c, Duration::from_secs(20));

        // Assert
        let t = c.transport();
        assert_eq!(r.status, 202, "{t}: {:?}", r.body);
        assert_eq!(r.body, Value::Null, "{t}: no body");
        assert_eq!(during.status, 503, "{t}: {:?}", during.body);
        assert_eq!(during.body["http-status"], 503, "{t}");
        assert_eq!(
            get(c, s, "/api/cpcs").code(),
            (403, 5),
            "{t}: sessions ended"
        );
        let s2 = c.logon("ensadmin", "password");
        assert_eq!(get(c, &s2, "/api/cpcs").status, 200, "{t}");
    });
}

#[test]
fn shutdown_console_refuses_every_request_until_enabled_from_another_process() {
    both_raw(|c, s| {
        // Act
        let r = post(
            c,
            s,
            "/api/console/operations/shutdown",
            json!({"force": true}),
        );
        let refused = [
            c.send(Method::Get, "/api/version", None, None),
            get(c, s, "/api/cpcs"),
            c.send(Method::Get, "/api/nowhere", None, None),
        ];
        let enable = std::process::Command::new(BIN)
            .arg("--db")
            .arg(c.db_path())
            .arg("enable")
            .output()
            .unwrap();

        // Assert
        let t = c.transport();
        assert_eq!(r.status, 202, "{t}: {:?}", r.body);
        for reply in &refused {
            assert_eq!(reply.status, 503, "{t}: {:?}", reply.body);
        }
        assert!(enable.status.success(), "{t}: {enable:?}");
        assert_eq!(
            c.send(Method::Get, "/api/version", None, None).status,
            200,
            "{t}"
        );
        let s2 = c.logon("ensadmin", "password");
        assert_eq!(get(c, &s2, "/api/cpcs").status, 200, "{t}");
    });
}

#[test]
fn make_primary_makes_the_console_primary() {
    both_raw(|c, _| {
        // Arrange: the console is not primary (a definition edit).
        let s = support::edit_hmc(c, |def| {
            def["consoles"][0]["properties"]["is-primary"] = json!(false);
        });

        // Act
        let r = post_empty(c, &s, "/api/console/operations/make-primary");

        // Assert
        assert_eq!(r.status, 204, "{}: {:?}", c.transport(), r.body);
        assert_eq!(props(c, &s, CONSOLE)["is-primary"], true);
    });
}

fn pattern(c: &dyn Client, s: &str, name: &str) -> String {
    create(
        c,
        s,
        PATTERNS,
        json!({"name": name, "pattern": format!("{name}.*"), "type": "glob",
               "retention-time": 7, "template-name-override": "t"}),
    )
}

#[test]
fn reorder_user_patterns_moves_the_listed_ones_behind_the_others() {
    both_raw(|c, s| {
        // Arrange
        let p1 = pattern(c, s, "p1");
        let p2 = pattern(c, s, "p2");
        let p3 = pattern(c, s, "p3");

        // Act
        update(c, s, REORDER, json!({"user-pattern-uris": [p2, p1]}));

        // Assert
        let t = c.transport();
        let listed = props(c, s, PATTERNS);
        assert_eq!(names(&listed["user-patterns"]), ["p3", "p2", "p1"], "{t}");
        assert_eq!(props(c, s, &p3)["search-order-index"], 0, "{t}");
        assert_eq!(props(c, s, &p1)["search-order-index"], 2, "{t}");
        let rows = [
            row(Method::Post, REORDER, None, 400, 3),
            row(Method::Post, REORDER, Some(json!({})), 400, 5),
            row(
                Method::Post,
                REORDER,
                Some(json!({"user-pattern-uris": "x"})),
                400,
                7,
            ),
            row(
                Method::Post,
                REORDER,
                Some(json!({"user-pattern-uris": [p1, "/api/console/user-patterns/nope"]})),
                404,
                2,
            ),
        ];
        error_table::run(c, s, &rows, &[PATTERNS]);
    });
}

/// The entries of a log whose message mentions `text`.
fn entries_about(log: &Value, text: &str) -> Vec<Value> {
    log.as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event-message"].as_str().unwrap().contains(text))
        .cloned()
        .collect()
}

#[test]
fn the_logs_record_what_happened() {
    both(|c, s| {
        // Arrange
        let before = props(c, s, SECURITY).as_array().unwrap().len();
        let refused = c.send(
            Method::Post,
            "/api/sessions",
            None,
            Some(&json!({"userid": "mallory", "password": "guess"})),
        );
        let user = create(
            c,
            s,
            "/api/console/users",
            json!({"name": "dave", "type": "standard", "authentication-type": "local",
                   "password": "secret12", "password-rule-uri": "/api/console/password-rules/basic"}),
        );
        let dave = c.logon("dave", "secret12");
        assert_eq!(c.send(Method::Delete, &user, Some(s), None).status, 204);

        // Act
        let security = props(c, s, SECURITY);
        let audit = props(c, s, AUDIT);

        // Assert
        let t = c.transport();
        assert_eq!(refused.code(), (403, 0), "{t}");
        let entries = security.as_array().unwrap();
        assert!(entries.len() >= before + 4, "{t}: {entries:?}");
        let bad = entries_about(&security, "mallory");
        assert_eq!(bad.len(), 1, "{t}: {bad:?}");
        assert_eq!(bad[0]["event-id"], "522", "{t}");
        assert_eq!(bad[0]["userid"], Value::Null, "{t}");
        assert_eq!(
            bad[0]["event-data-items"][0]["data-item-value"], "mallory",
            "{t}"
        );
        let about_dave = entries_about(&security, "dave");
        let ids: Vec<&str> = about_dave
            .iter()
            .map(|e| e["event-id"].as_str().unwrap())
            .collect();
        // added, logged on, logged off (its session ended with the user), deleted
        assert_eq!(ids, ["9001", "1941", "1942", "9002"], "{t}: {about_dave:?}");
        assert_eq!(about_dave[0]["userid"], "ensadmin", "{t}");
        assert_eq!(about_dave[0]["user-uri"], "/api/users/ensadmin", "{t}");
        assert!(
            about_dave[2]["event-message"]
                .as_str()
                .unwrap()
                .ends_with("due to user deleted"),
            "{t}"
        );
        assert!(
            about_dave[0]["event-time"].as_i64().unwrap() > 1_600_000_000_000,
            "{t}"
        );
        assert!(!entries_about(&audit, "dave").is_empty(), "{t}");
        assert!(
            !security.to_string().contains(&dave),
            "{t}: session ids are secret"
        );
    });
}

#[test]
fn the_logs_filter_by_time_and_check_their_query() {
    both_raw(|c, s| {
        // Act
        let all = props(c, s, AUDIT);
        let last = all.as_array().unwrap().last().unwrap()["event-time"]
            .as_i64()
            .unwrap();
        let later = props(c, s, &format!("{AUDIT}?begin-time={}", last + 1));
        let earlier = props(c, s, &format!("{SECURITY}?end-time=1000&begin-time="));
        let bounded = props(c, s, &format!("{AUDIT}?begin-time={last}&end-time={last}"));

        // Assert
        let t = c.transport();
        assert_eq!(later, json!([]), "{t}");
        assert_eq!(earlier, json!([]), "{t}");
        assert!(!bounded.as_array().unwrap().is_empty(), "{t}");
        let rows = [
            row(
                Method::Get,
                &format!("{AUDIT}?begin-time=yesterday"),
                None,
                400,
                1,
            ),
            row(Method::Get, &format!("{SECURITY}?since=1"), None, 400, 1),
            row(Method::Post, AUDIT, None, 404, 1),
        ];
        error_table::run(c, s, &rows, &[CONSOLE]);
    });
}

#[test]
fn report_a_console_problem_is_a_job_and_is_recorded() {
    both_raw(|c, s| {
        // Act
        let r = post(
            c,
            s,
            "/api/console/operations/report-problem",
            json!({"customer-name": "ACME", "customer-phone-number": "555",
                   "problem-description": "fan noise", "problem-type": "hmc"}),
        );

        // Assert
        let t = c.transport();
        assert_eq!(r.status, 202, "{t}: {:?}", r.body);
        let job = props(c, s, r.body["job-uri"].as_str().unwrap());
        assert_eq!(job["status"], "complete", "{t}");
        assert_eq!(job["job-status-code"], 204, "{t}");
        let audit = props(c, s, AUDIT);
        assert_eq!(entries_about(&audit, "fan noise").len(), 1, "{t}");
        let report = "/api/console/operations/report-problem";
        let ok = json!({"customer-name": "A", "customer-phone-number": "1",
                        "problem-description": "d", "problem-type": "test"});
        let mut bad_type = ok.clone();
        bad_type["problem-type"] = json!("boom");
        let mut bad_name = ok.clone();
        bad_name["customer-name"] = json!(5);
        let rows = [
            row(Method::Post, report, None, 400, 3),
            row(
                Method::Post,
                report,
                Some(json!({"customer-name": "A"})),
                400,
                5,
            ),
            row(Method::Post, report, Some(bad_type), 400, 7),
            row(Method::Post, report, Some(bad_name), 400, 7),
        ];
        error_table::run(c, s, &rows, &[CONSOLE]);
    });
}

#[test]
fn cpc_power_save_and_capping_are_jobs_and_show_in_the_energy_data() {
    both_raw(|c, s| {
        // Act
        let save = post(
            c,
            s,
            "/api/cpcs/dpm1/operations/set-cpc-power-save",
            json!({"power-saving": "low-power"}),
        );
        let cap = post(
            c,
            s,
            "/api/cpcs/classic1/operations/set-cpc-power-capping",
            json!({"power-capping-state": "enabled", "power-cap-current": 2000}),
        );
        let energy = props(c, s, "/api/cpcs/dpm1/energy-management-data");

        // Assert
        let t = c.transport();
        assert_eq!(save.status, 202, "{t}: {:?}", save.body);
        assert_eq!(
            props(c, s, save.body["job-uri"].as_str().unwrap())["job-status-code"],
            204
        );
        assert_eq!(cap.status, 202, "{t}: {:?}", cap.body);
        let classic = props(c, s, "/api/cpcs/classic1");
        assert_eq!(classic["zcpc-power-cap-current"], 2000, "{t}");
        assert_eq!(classic["cpc-power-capping-state"], "enabled", "{t}");
        let o = &energy["objects"][0];
        assert_eq!(o["class"], "cpcs", "{t}");
        assert_eq!(o["object-id"], "dpm1", "{t}");
        assert_eq!(o["error-occurred"], false, "{t}");
        assert_eq!(o["properties"]["cpc-power-saving"], "low-power", "{t}");
        assert_eq!(o["properties"]["zcpc-humidity"], Value::Null, "{t}");
        assert_eq!(o["properties"].as_object().unwrap().len(), 29, "{t}");
        let save_uri = "/api/cpcs/dpm1/operations/set-cpc-power-save";
        let cap_uri = "/api/cpcs/dpm1/operations/set-cpc-power-capping";
        let rows = [
            row(Method::Post, save_uri, None, 400, 3),
            row(Method::Post, save_uri, Some(json!({})), 400, 5),
            row(
                Method::Post,
                save_uri,
                Some(json!({"power-saving": "max"})),
                400,
                7,
            ),
            row(
                Method::Post,
                cap_uri,
                Some(json!({"power-capping-state": 1})),
                400,
                7,
            ),
            row(
                Method::Post,
                cap_uri,
                Some(json!({"power-capping-state": "enabled"})),
                400,
                7,
            ),
            row(
                Method::Post,
                "/api/cpcs/nope/operations/set-cpc-power-save",
                Some(json!({"power-saving": "custom"})),
                404,
                1,
            ),
            row(
                Method::Get,
                "/api/cpcs/dpm1/energy-management-data?x=1",
                None,
                404,
                1,
            ),
        ];
        error_table::run(c, s, &rows, &["/api/cpcs/dpm1"]);
    });
}

#[test]
fn console_operation_errors() {
    both_raw(|c, s| {
        let rows = [
            row(Method::Get, &format!("{FEATURES}?foo=1"), None, 400, 1),
            row(Method::Get, &format!("{FEATURES}?name=("), None, 400, 1),
            row(Method::Post, FEATURES, None, 404, 1),
            row(Method::Get, "/api/console/operations/restart", None, 404, 1),
            row(
                Method::Post,
                "/api/console/operations/make-primary?x=1",
                None,
                404,
                1,
            ),
            row(
                Method::Get,
                "/api/console/operations/list-unmanaged-cpcs?type=x",
                None,
                400,
                1,
            ),
        ];
        error_table::run(c, s, &rows, &[CONSOLE]);
    });
}

#[test]
fn serve_prints_a_logon_that_works() {
    // Arrange: a db whose only user with a password is not ensadmin.
    let db = support::TempDb::new();
    let def = mock_hmc::definition::parse(WITH_FEATURES).unwrap();
    let hmc = Hmc::open_unseeded(&db.path).unwrap();
    hmc.load(&def, false).unwrap();
    hmc.set_user_password("zoe", "zoe-pw").unwrap();
    drop(hmc);

    // Act
    let mut child = std::process::Command::new(BIN)
        .arg("--db")
        .arg(&db.path)
        .args(["serve", "--port", "0", "--plain-http"])
        .env("MOCK_HMC_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut lines = Vec::new();
    for _ in 0..3 {
        let mut line = String::new();
        std::io::BufRead::read_line(&mut out, &mut line).unwrap();
        lines.push(line);
    }
    let _ = child.kill();
    let _ = child.wait();

    // Assert
    assert_eq!(
        lines[2].trim(),
        "log on as userid 'zoe' with the password set for it (stored hashed, so not shown)",
        "{lines:?}"
    );
}

#[test]
fn the_default_hmc_prints_ensadmin() {
    let lib = support::InProcess::new();
    assert_eq!(
        lib.hmc.logon_hint().unwrap(),
        Some(("ensadmin".to_string(), Some("password".to_string())))
    );
}
