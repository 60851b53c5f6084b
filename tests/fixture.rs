//! The HMC as a test fixture (issue 11): checkpoints, forks, reset, the
//! controllable clock and fault rules, driven from another `Hmc` on the
//! same db (as another process would: in the HTTPS run the server is one)
//! and from the CLI.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use std::path::Path;
use std::process::{Command, Output};
use std::time::Instant;

use mock_hmc::{FaultSpec, Hmc, JournalFilter, JournalRow, Method, Request};
use serde_json::{Value, json};
use support::{BIN, Client, RawClient, Server, TempDb, agent, both_raw};

const START_LINUX2: &str = "/api/partitions/linux2/operations/start";

fn status(c: &dyn RawClient, s: &str, uri: &str) -> Value {
    c.send(Method::Get, uri, Some(s), None).body["status"].clone()
}

/// Creates partition `name` on DPM1; its URI.
fn create_partition(c: &dyn RawClient, s: &str, name: &str) -> String {
    let r = c.send(
        Method::Post,
        "/api/cpcs/dpm1/partitions",
        Some(s),
        Some(
            &json!({"name": name, "initial-memory": 1024, "maximum-memory": 2048,
                     "ifl-processors": 1}),
        ),
    );
    assert_eq!(r.status, 201, "{:?}", r.body);
    r.body["object-uri"].as_str().unwrap().to_string()
}

fn run(db: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("MOCK_HMC_DB")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Asserts exit code 1 and one `mock-hmc: ` line on stderr; returns it.
fn one_line_failure(o: &Output) -> String {
    assert_eq!(o.status.code(), Some(1), "{}", stdout(o));
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("mock-hmc: "), "{err}");
    err
}

#[test]
fn restore_brings_back_the_saved_state_for_everyone_and_keeps_sessions() {
    both_raw(|c, s| {
        let fixture = Hmc::open_unseeded(c.db_path()).unwrap();
        fixture.save_checkpoint("before").unwrap();
        let p1 = create_partition(c, s, "p1");
        let started = c.send(
            Method::Post,
            &format!("{p1}/operations/start"),
            Some(s),
            None,
        );
        assert_eq!(started.status, 202);
        let job = started.body["job-uri"].as_str().unwrap().to_string();
        assert_eq!(
            c.send(Method::Post, START_LINUX2, Some(s), None).status,
            202
        );

        let diff = fixture.diff_checkpoints("before", None).unwrap();
        assert_eq!(diff.added.len(), 1, "{diff:?}");
        assert_eq!(diff.added[0].uri, p1);
        assert!(diff.removed.is_empty());
        let linux2 = diff
            .changed
            .iter()
            .find(|r| r.resource.uri == "/api/partitions/linux2")
            .unwrap();
        let st = linux2
            .properties
            .iter()
            .find(|p| p.property == "status")
            .unwrap();
        assert_eq!(
            (st.before.clone(), st.after.clone()),
            (Some(json!("stopped")), Some(json!("active")))
        );

        fixture.restore_checkpoint("before", false).unwrap();
        // The session of the test survives; the state is the saved one.
        assert_eq!(
            c.send(Method::Get, &p1, Some(s), None).status,
            404,
            "{}",
            c.transport()
        );
        assert_eq!(status(c, s, "/api/partitions/linux2"), "stopped");
        // The job of the vanished partition is gone with it.
        assert_eq!(c.send(Method::Get, &job, Some(s), None).status, 404);
        assert!(fixture.diff_checkpoints("before", None).unwrap().is_empty());
        // The same name can be created again: allocations came back too.
        create_partition(c, s, "p1");

        fixture.restore_checkpoint("before", true).unwrap();
        assert_eq!(
            c.send(Method::Get, "/api/cpcs", Some(s), None).code(),
            (403, 5)
        );
    });
}

#[test]
fn reset_returns_to_the_loaded_state_and_checkpoints_list_and_delete() {
    both_raw(|c, s| {
        let fixture = Hmc::open_unseeded(c.db_path()).unwrap();
        assert_eq!(
            c.send(Method::Post, START_LINUX2, Some(s), None).status,
            202
        );
        fixture.save_checkpoint("started").unwrap();
        create_partition(c, s, "p2");
        fixture.reset().unwrap();
        assert_eq!(status(c, s, "/api/partitions/linux2"), "stopped");
        let names: Vec<String> = fixture
            .checkpoints()
            .unwrap()
            .into_iter()
            .map(|c| c.name)
            .collect();
        assert_eq!(names, ["initial", "started"]);
        fixture.restore_checkpoint("started", false).unwrap();
        assert_eq!(status(c, s, "/api/partitions/linux2"), "active");
        fixture.delete_checkpoint("started").unwrap();
        assert!(fixture.restore_checkpoint("started", false).is_err());
        assert!(
            fixture.save_checkpoint("initial").is_err(),
            "initial is reserved"
        );
        assert!(fixture.save_checkpoint("no spaces").is_err());
    });
}

#[test]
fn a_fork_is_an_independent_db_with_the_state_or_a_checkpoint() {
    let db = TempDb::new();
    let golden = Hmc::open(&db.path).unwrap();
    let s = golden.logon("ensadmin", "password").unwrap();
    golden.save_checkpoint("clean").unwrap();
    assert_eq!(s.post(START_LINUX2, &Value::Null).status, 202);

    let now = db.dir.path().join("now.sqlite");
    golden.fork(&now, None).unwrap();
    let clean = db.dir.path().join("clean.sqlite");
    golden.fork(&clean, Some("clean")).unwrap();
    assert!(
        golden.fork(&clean, None).is_err(),
        "an existing file is refused"
    );
    assert!(
        golden
            .fork(&db.dir.path().join("x.sqlite"), Some("nope"))
            .is_err()
    );
    assert!(!db.dir.path().join("x.sqlite").exists());
    // A fork holds the same secrets as its golden db: owner only.
    #[cfg(unix)]
    for path in [&now, &clean] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{}", path.display());
    }

    for (path, want) in [(&now, "active"), (&clean, "stopped")] {
        let fork = Hmc::open(path).unwrap();
        assert!(fork.sessions().unwrap().is_empty(), "sessions stay behind");
        let fs = fork.logon("ensadmin", "password").unwrap();
        assert_eq!(
            fs.get_json("/api/partitions/linux2").unwrap()["status"],
            want
        );
        // Changing a fork leaves the golden db alone; reset works in it.
        let body = json!({"description": "changed in the fork"});
        assert_eq!(fs.post("/api/partitions/linux1", &body).status, 204);
        fork.reset().unwrap();
        assert_eq!(
            fs.get_json("/api/partitions/linux2").unwrap()["status"],
            "stopped"
        );
    }
    assert_ne!(
        s.get_json("/api/partitions/linux1").unwrap()["description"],
        "changed in the fork"
    );
}

#[test]
fn advancing_the_clock_past_the_idle_timeout_expires_sessions_at_once() {
    both_raw(|c, s| {
        let fixture = Hmc::open_unseeded(c.db_path()).unwrap();
        let (before, _) = fixture.clock().unwrap();
        // The default idle timeout is 360 minutes.
        fixture.advance_clock(5 * 3_600_000).unwrap();
        assert_eq!(c.send(Method::Get, "/api/cpcs", Some(s), None).status, 200);
        let started = c.send(Method::Post, START_LINUX2, Some(s), None);
        let job = c.send(
            Method::Get,
            started.body["job-uri"].as_str().unwrap(),
            Some(s),
            None,
        );
        // Job timestamps come from the HMC clock.
        assert!(job.status == 200, "{:?}", job.body);
        fixture.advance_clock(7 * 3_600_000).unwrap();
        assert_eq!(
            c.send(Method::Get, "/api/cpcs", Some(s), None).code(),
            (403, 5)
        );
        assert!(fixture.sessions().unwrap().is_empty());
        let (after, offset) = fixture.clock().unwrap();
        assert!(after - before >= 12 * 3_600_000 && offset == 12 * 3_600_000);
        assert!(
            fixture.advance_clock(-after - 1000).is_err(),
            "before the epoch"
        );
        assert_eq!(
            fixture.clock().unwrap().1,
            offset,
            "unchanged after the error"
        );
        fixture.real_clock().unwrap();
        assert_eq!(fixture.clock().unwrap().1, 0);
    });
}

#[test]
fn a_fault_rule_fails_the_next_two_starts_then_lets_them_through() {
    both_raw(|c, s| {
        let fixture = Hmc::open_unseeded(c.db_path()).unwrap();
        fixture
            .add_fault(&FaultSpec {
                uri: Some("/api/partitions/.*/operations/start".into()),
                error: Some((409, 1, None)),
                count: Some(2),
                ..FaultSpec::default()
            })
            .unwrap();
        for _ in 0..2 {
            let r = c.send(Method::Post, START_LINUX2, Some(s), None);
            assert_eq!(r.code(), (409, 1), "{}", c.transport());
            assert_eq!(r.body["request-uri"], START_LINUX2);
            assert_eq!(status(c, s, "/api/partitions/linux2"), "stopped");
        }
        // Other requests are not matched.
        assert_eq!(
            c.send(Method::Get, "/api/partitions/linux2", Some(s), None)
                .status,
            200
        );
        assert_eq!(
            c.send(Method::Post, START_LINUX2, Some(s), None).status,
            202
        );
        assert_eq!(status(c, s, "/api/partitions/linux2"), "active");
        let rules = fixture.faults().unwrap();
        assert_eq!(
            (rules[0].matched, rules[0].applied, rules[0].remaining),
            (2, 2, Some(0))
        );
        fixture.clear_faults(None).unwrap();
        assert!(fixture.faults().unwrap().is_empty());
    });
}

#[test]
fn fault_rules_skip_match_by_operation_and_user_expire_and_delay() {
    both_raw(|c, s| {
        let fixture = Hmc::open_unseeded(c.db_path()).unwrap();
        // Let the first Get Partition Properties through, fail the second.
        fixture
            .add_fault(&FaultSpec {
                operation: Some("Get Partition Properties".into()),
                userid: Some("ensadmin".into()),
                error: Some((503, 0, Some("maintenance".into()))),
                skip: 1,
                count: Some(1),
                expires_in_ms: Some(60_000),
                ..FaultSpec::default()
            })
            .unwrap();
        let uri = "/api/partitions/linux1";
        assert_eq!(c.send(Method::Get, uri, Some(s), None).status, 200);
        let r = c.send(Method::Get, uri, Some(s), None);
        assert_eq!(r.code(), (503, 0));
        assert_eq!(r.body["message"], "maintenance");
        assert_eq!(
            c.send(Method::Get, uri, Some(s), None).status,
            200,
            "count used up"
        );

        // A rule for another user does not match; an expired rule neither.
        fixture
            .add_fault(&FaultSpec {
                userid: Some("ensoperator".into()),
                error: Some((409, 2, None)),
                ..FaultSpec::default()
            })
            .unwrap();
        fixture
            .add_fault(&FaultSpec {
                method: Some("get".into()),
                error: Some((403, 5, None)),
                expires_in_ms: Some(60_000),
                ..FaultSpec::default()
            })
            .unwrap();
        assert_eq!(c.send(Method::Get, uri, Some(s), None).code(), (403, 5));
        fixture.advance_clock(120_000).unwrap();
        assert_eq!(c.send(Method::Get, uri, Some(s), None).status, 200);

        fixture.clear_faults(None).unwrap();
        fixture
            .add_fault(&FaultSpec {
                uri: Some("/api/cpcs".into()),
                delay_ms: Some(300),
                ..FaultSpec::default()
            })
            .unwrap();
        let t = Instant::now();
        assert_eq!(c.send(Method::Get, "/api/cpcs", Some(s), None).status, 200);
        assert!(t.elapsed().as_millis() >= 300);
        fixture.real_clock().unwrap();
    });
}

#[test]
fn a_fault_rule_with_a_probability_applies_repeatably_from_its_seed() {
    both_raw(|c, s| {
        let fixture = Hmc::open_unseeded(c.db_path()).unwrap();
        let mut seen = Vec::new();
        for _ in 0..2 {
            fixture.clear_faults(None).unwrap();
            fixture
                .add_fault(&FaultSpec {
                    uri: Some("/api/cpcs".into()),
                    error: Some((409, 1, None)),
                    probability: Some(0.5),
                    seed: 42,
                    ..FaultSpec::default()
                })
                .unwrap();
            let got: Vec<bool> = (0..24)
                .map(|_| c.send(Method::Get, "/api/cpcs", Some(s), None).status == 409)
                .collect();
            seen.push(got);
        }
        let want = seen[0].clone();
        assert_eq!(seen[1], want, "the same seed fails the same requests");
        let applied = want.iter().filter(|&&w| w).count() as i64;
        assert!((4..=20).contains(&applied), "{}: {want:?}", c.transport());
        let rules = fixture.faults().unwrap();
        assert_eq!((rules[0].matched, rules[0].applied), (24, applied));
        for bad in [0.0, -0.5, 1.5, f64::NAN] {
            let spec = FaultSpec {
                error: Some((503, 0, None)),
                probability: Some(bad),
                ..FaultSpec::default()
            };
            assert!(fixture.add_fault(&spec).is_err(), "{bad}");
        }
        assert_eq!(fixture.faults().unwrap().len(), 1, "nothing added");
        fixture.clear_faults(None).unwrap();
    });
}

#[test]
fn a_job_error_fault_ends_the_job_with_it_and_answers_a_sync_request_with_it() {
    both_raw(|c, s| {
        let fixture = Hmc::open_unseeded(c.db_path()).unwrap();
        fixture
            .add_fault(&FaultSpec {
                operation: Some("Start Partition".into()),
                job_error: Some((500, 263, None)),
                count: Some(1),
                ..FaultSpec::default()
            })
            .unwrap();
        let r = c.send(Method::Post, START_LINUX2, Some(s), None);
        assert_eq!(r.status, 202, "{}: {:?}", c.transport(), r.body);
        let job = c.send(
            Method::Get,
            r.body["job-uri"].as_str().unwrap(),
            Some(s),
            None,
        );
        assert_eq!(job.body["status"], "complete");
        assert_eq!(job.body["job-status-code"], 500, "{:?}", job.body);
        assert_eq!(job.body["job-reason-code"], 263);
        assert_eq!(
            status(c, s, "/api/partitions/linux2"),
            "stopped",
            "no change"
        );
        // The rule is used up: the next start runs.
        let r = c.send(Method::Post, START_LINUX2, Some(s), None);
        let job = c.send(
            Method::Get,
            r.body["job-uri"].as_str().unwrap(),
            Some(s),
            None,
        );
        assert_eq!(job.body["job-status-code"], 200, "{:?}", job.body);
        assert_eq!(status(c, s, "/api/partitions/linux2"), "active");

        // A synchronous request is answered the error.
        fixture
            .add_fault(&FaultSpec {
                uri: Some("/api/cpcs".into()),
                job_error: Some((409, 2, Some("held".into()))),
                ..FaultSpec::default()
            })
            .unwrap();
        let r = c.send(Method::Get, "/api/cpcs", Some(s), None);
        assert_eq!(r.code(), (409, 2));
        assert_eq!(r.body["message"], "held");
        assert!(fixture.faults().unwrap()[1..].iter().all(|f| f.job_error));
        let both = FaultSpec {
            job_error: Some((500, 263, None)),
            error: Some((409, 1, None)),
            ..FaultSpec::default()
        };
        assert!(fixture.add_fault(&both).is_err());
        assert_eq!(fixture.faults().unwrap().len(), 2, "nothing added");
        fixture.clear_faults(None).unwrap();
    });
}

#[test]
fn a_drop_connection_fault_closes_the_connection_unanswered_over_https() {
    let db = TempDb::new();
    let hmc = Hmc::open(&db.path).unwrap();
    // In-process there is no connection: the library answers 503.0.
    hmc.add_fault(&FaultSpec {
        uri: Some("/api/cpcs".into()),
        drop_connection: true,
        count: Some(1),
        ..FaultSpec::default()
    })
    .unwrap();
    let s = hmc.logon("ensadmin", "password").unwrap();
    let r = s.get("/api/cpcs");
    assert_eq!(r.status, 503);
    assert_eq!(r.json().unwrap()["reason"], 0);
    assert!(r.header(mock_hmc::DROP_CONNECTION).is_some());
    let both = FaultSpec {
        drop_connection: true,
        error: Some((503, 0, None)),
        ..FaultSpec::default()
    };
    assert!(hmc.add_fault(&both).is_err(), "one effect at a time");

    let server = Server::start(&db.path, false, &[]);
    let session = server.logon("ensadmin", "password");
    hmc.add_fault(&FaultSpec {
        uri: Some("/api/cpcs".into()),
        drop_connection: true,
        count: Some(1),
        ..FaultSpec::default()
    })
    .unwrap();
    let request = || {
        agent().run(
            ureq::http::Request::get(format!("{}/api/cpcs", server.base()))
                .header("X-API-Session", &session)
                .body(())
                .unwrap(),
        )
    };
    let dropped = request();
    assert!(dropped.is_err(), "no answer expected: {dropped:?}");
    // The rule is used up: the next request (a new connection) is answered,
    // without the internal header.
    let ok = request().unwrap();
    assert_eq!(ok.status(), 200);
    assert!(ok.headers().get(mock_hmc::DROP_CONNECTION).is_none());
    assert_eq!(hmc.faults().unwrap()[1].applied, 1);
}

#[test]
fn the_cli_drives_checkpoints_clock_and_faults_and_refuses_bad_input() {
    let db = TempDb::new();
    let p = &db.path;
    assert!(run(p, &["init"]).status.success());
    assert!(run(p, &["checkpoint", "save", "a"]).status.success());
    let list = stdout(&run(p, &["checkpoint", "list"]));
    assert!(
        list.starts_with("initial  ") && list.contains("\na  "),
        "{list}"
    );
    {
        let hmc = Hmc::open(p).unwrap();
        let s = hmc.logon("ensadmin", "password").unwrap();
        assert_eq!(s.post(START_LINUX2, &Value::Null).status, 202);
    }
    let diff = stdout(&run(p, &["checkpoint", "diff", "a"]));
    assert!(
        diff.contains(
            "~ partition LINUX2 /api/partitions/linux2\n    status: \"stopped\" -> \"active\"\n"
        ),
        "{diff}"
    );
    let json: Value = serde_json::from_str(&stdout(&run(
        p,
        &["checkpoint", "diff", "initial", "a", "--json"],
    )))
    .unwrap();
    assert_eq!(json, json!({"added": [], "removed": [], "changed": []}));
    assert!(run(p, &["reset"]).status.success());
    assert_eq!(stdout(&run(p, &["checkpoint", "diff", "a"])), "");
    let fork = db.dir.path().join("fork.sqlite");
    assert!(
        run(
            p,
            &[
                "fork",
                "--to",
                fork.to_str().unwrap(),
                "--from-checkpoint",
                "a"
            ]
        )
        .status
        .success()
    );
    assert!(fork.exists());
    assert!(stdout(&run(p, &["clock", "advance", "6h"])).contains("offset 21600000 ms"));
    assert!(
        stdout(&run(p, &["clock", "set", "2030-01-01T00:00:00Z"]))
            .starts_with("2030-01-01T00:00:0")
    );
    assert!(stdout(&run(p, &["clock", "real"])).contains("offset 0 ms"));
    let added = run(
        p,
        &[
            "fault",
            "add",
            "--uri",
            "/api/partitions/.*/operations/start",
            "--status",
            "409",
            "--reason",
            "1",
            "--count",
            "2",
        ],
    );
    assert_eq!(stdout(&added), "fault 1\n");
    assert!(stdout(&run(p, &["fault", "list"])).contains("error=409.1  remaining=2"));

    for (args, says) in [
        (
            &["checkpoint", "restore", "nope"][..],
            "no checkpoint named \"nope\"",
        ),
        (&["checkpoint", "delete", "nope"][..], "no checkpoint"),
        (&["checkpoint", "diff", "a", "nope"][..], "no checkpoint"),
        (
            &["checkpoint", "save", "a/b"][..],
            "invalid checkpoint name",
        ),
        (&["clock", "advance", "-100000d"][..], "before 1970"),
        (&["clock", "advance", "soon"][..], "invalid duration"),
        (&["clock", "set", "yesterday"][..], "invalid time"),
        (
            &["fault", "add", "--uri", "(", "--error", "409.1"][..],
            "not a valid regex",
        ),
        (&["fault", "add", "--uri", ".*"][..], "needs an effect"),
        (
            &["fault", "add", "--error", "200"][..],
            "invalid error code",
        ),
        (&["fault", "clear", "99"][..], "no fault rule 99"),
        (
            &[
                "fault",
                "add",
                "--error",
                "503",
                "--probability",
                "2",
                "--seed",
                "1",
            ][..],
            "--probability must be above 0",
        ),
        (
            &["fault", "add", "--job-error", "200.1"][..],
            "invalid error code",
        ),
        (
            &["fork", "--to", fork.to_str().unwrap()][..],
            "already exists",
        ),
    ] {
        let err = one_line_failure(&run(p, args));
        assert!(err.contains(says), "{args:?}: {err}");
    }
    // Nothing was half-applied.
    assert_eq!(stdout(&run(p, &["fault", "list"])).lines().count(), 1);
    assert!(stdout(&run(p, &["clock", "show"])).contains("offset 0 ms"));
    assert!(run(p, &["fault", "clear"]).status.success());
    assert_eq!(stdout(&run(p, &["fault", "list"])), "");
}

/// The journal rows `filter` selects, once there are `n` (or after 10 s):
/// the rows of reads in another process (or `Hmc`) reach the table from
/// its journal flusher, normally within `FLUSH_MS` of their answer.
fn settled_journal(hmc: &Hmc, filter: &JournalFilter, n: usize) -> Vec<JournalRow> {
    let deadline = Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let rows = hmc.journal(filter).unwrap();
        if rows.len() >= n || Instant::now() > deadline {
            return rows;
        }
    }
}

#[test]
fn the_journal_records_each_request_without_passwords_with_test_tags_and_faults() {
    both_raw(|c, s| {
        let fixture = Hmc::open_unseeded(c.db_path()).unwrap();
        // The logon of `both_raw` is journaled, its password is not.
        let all = settled_journal(&fixture, &JournalFilter::default(), 1);
        let logon = all.iter().find(|j| j.uri == "/api/sessions").unwrap();
        assert_eq!(logon.body.as_ref().unwrap()["password"], "********");
        assert_eq!(logon.status, 200);
        fixture.clear_journal().unwrap();

        let rule = fixture
            .add_fault(&FaultSpec {
                uri: Some("/api/partitions/linux1".into()),
                error: Some((409, 1, None)),
                count: Some(1),
                ..FaultSpec::default()
            })
            .unwrap();
        assert_eq!(
            c.send(Method::Get, "/api/partitions/linux1", Some(s), None)
                .status,
            409
        );
        assert_eq!(
            c.send(Method::Post, START_LINUX2, Some(s), None).status,
            202
        );
        assert_eq!(c.send(Method::Get, "/api/nope", Some(s), None).status, 404);
        let rows = settled_journal(&fixture, &JournalFilter::default(), 3);
        let got: Vec<(&str, &str, u16, Option<i64>)> = rows
            .iter()
            .map(|j| (j.method.as_str(), j.uri.as_str(), j.status, j.reason))
            .collect();
        assert_eq!(
            got,
            [
                ("GET", "/api/partitions/linux1", 409, Some(1)),
                ("POST", START_LINUX2, 202, None),
                ("GET", "/api/nope", 404, Some(1)),
            ],
            "{}",
            c.transport()
        );
        assert_eq!(rows[0].fault_id, Some(rule));
        assert_eq!(rows[0].userid.as_deref(), Some("ensadmin"));
        assert!(
            rows[1]
                .job_uri
                .as_deref()
                .unwrap()
                .starts_with("/api/jobs/")
        );
        assert_eq!(rows[1].userid.as_deref(), Some("ensadmin"));
        let starts = JournalFilter {
            uri: Some("operations/start$".into()),
            ..JournalFilter::default()
        };
        assert_eq!(fixture.journal(&starts).unwrap().len(), 1);
        let later = JournalFilter {
            since: Some(rows[2].at + 1),
            ..JournalFilter::default()
        };
        assert!(fixture.journal(&later).unwrap().is_empty());
        fixture.clear_faults(None).unwrap();
    });
}

#[test]
fn a_write_journals_in_its_own_transaction_with_its_fault_rule() {
    // A successful write writes its journal row inside its transaction;
    // a failed one (rolled back) still gets its row afterwards.
    let db = TempDb::new();
    let hmc = Hmc::open(&db.path).unwrap();
    let s = hmc.logon("ensadmin", "password").unwrap();
    hmc.clear_journal().unwrap();
    let rule = hmc
        .add_fault(&FaultSpec {
            uri: Some("/api/partitions/linux2".into()),
            delay_ms: Some(1),
            count: Some(1),
            ..FaultSpec::default()
        })
        .unwrap();
    let update = s.post("/api/partitions/linux2", &json!({"description": "j"}));
    assert_eq!(update.status, 204);
    let refused = s.post("/api/partitions/no-such", &json!({"description": "j"}));
    assert_eq!(refused.status, 404);
    let rows = hmc.journal(&JournalFilter::default()).unwrap();
    let got: Vec<(&str, u16, Option<i64>)> = rows
        .iter()
        .map(|j| (j.method.as_str(), j.status, j.fault_id))
        .collect();
    assert_eq!(
        got,
        [("POST", 204, Some(rule)), ("POST", refused.status, None)]
    );
    assert_eq!(rows[0].userid.as_deref(), Some("ensadmin"));
    assert_eq!(rows[0].body.as_ref().unwrap()["description"], "j");
    assert!(rows[0].duration_us >= 1000, "the fault's delay is in it");
}

#[test]
fn a_write_is_journaled_once_whether_it_succeeds_fails_or_meets_a_fault() {
    // A write that succeeds, a failed one (rolled back) and a write that
    // met a fault rule each get one row, in the order of their answers.
    both_raw(|c, s| {
        let fixture = Hmc::open_unseeded(c.db_path()).unwrap();
        // The logon's row is queued in the other `Hmc`: let it land first.
        settled_journal(&fixture, &JournalFilter::default(), 1);
        fixture.clear_journal().unwrap();
        let rule = fixture
            .add_fault(&FaultSpec {
                uri: Some("/api/partitions/linux2".into()),
                method: Some("POST".into()),
                delay_ms: Some(1),
                count: Some(1),
                ..FaultSpec::default()
            })
            .unwrap();
        let body = json!({"description": "journaled"});
        let sent = |b: &Value| c.send(Method::Post, "/api/partitions/linux2", Some(s), Some(b));
        assert_eq!(sent(&body).status, 204);
        assert_eq!(sent(&json!({"name": "LINUX1"})).status, 400);
        assert_eq!(sent(&body).status, 204);
        let rows = settled_journal(&fixture, &JournalFilter::default(), 3);
        let got: Vec<_> = rows
            .iter()
            .map(|j| (j.status, j.reason, j.fault_id, j.userid.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                (204, None, Some(rule), Some("ensadmin")),
                // As before: a failed request's row names no session.
                (400, Some(8), None, None),
                (204, None, None, Some("ensadmin")),
            ],
            "{}",
            c.transport()
        );
        assert_eq!(rows[0].body.as_ref().unwrap()["description"], "journaled");
        fixture.clear_faults(None).unwrap();
    });
}

#[test]
fn requests_tagged_with_x_mock_test_id_are_found_by_test() {
    let db = TempDb::new();
    let hmc = Hmc::open(&db.path).unwrap();
    let s = hmc.logon("ensadmin", "password").unwrap();
    let tagged = Request::new(Method::Get, "/api/cpcs")
        .with_session(s.id())
        .with_test_id("test_a");
    assert_eq!(hmc.handle(&tagged).status, 200);
    assert_eq!(s.get("/api/version").status, 200);
    let by_test = |t: &str| {
        hmc.journal(&JournalFilter {
            test: Some(t.into()),
            ..JournalFilter::default()
        })
        .unwrap()
    };
    assert_eq!(by_test("test_a").len(), 1);
    assert_eq!(by_test("test_a")[0].uri, "/api/cpcs");
    // Over HTTPS the header does the same; `serve --no-journal` records nothing.
    let server = support::Server::start(&db.path, false, &["--no-journal"]);
    let before = hmc.journal(&JournalFilter::default()).unwrap().len();
    let r = support::agent()
        .get(format!("{}/api/version", server.base()))
        .header("X-Mock-Test-Id", "test_b")
        .call()
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        hmc.journal(&JournalFilter::default()).unwrap().len(),
        before
    );
    drop(server);
    let server = support::Server::start(&db.path, false, &[]);
    support::agent()
        .get(format!("{}/api/version", server.base()))
        .header("X-Mock-Test-Id", "test_b")
        .call()
        .unwrap();
    let test_b = JournalFilter {
        test: Some("test_b".into()),
        ..JournalFilter::default()
    };
    assert_eq!(settled_journal(&hmc, &test_b, 1).len(), 1);
    let o = run(&db.path, &["journal", "--test", "test_b", "--json"]);
    let rows: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(rows[0]["uri"], "/api/version");
    assert!(
        stdout(&run(&db.path, &["journal", "--uri", "cpcs"]))
            .contains("200  GET /api/cpcs  ensadmin")
    );
    let err = one_line_failure(&run(&db.path, &["journal", "--uri", "("]));
    assert!(err.contains("not a valid regex"), "{err}");
    assert!(run(&db.path, &["journal", "clear"]).status.success());
    assert_eq!(stdout(&run(&db.path, &["journal"])), "");
}

#[test]
fn restores_while_another_process_writes_neither_fail_nor_tear() {
    let db = TempDb::new();
    let fixture = Hmc::open(&db.path).unwrap();
    fixture.save_checkpoint("clean").unwrap();
    let server = support::Server::start(&db.path, false, &[]);
    let s = support::Client::logon(&server, "ensadmin", "password");
    std::thread::scope(|scope| {
        let writer = scope.spawn(|| {
            for i in 0..60 {
                let body = json!({"description": format!("update {i}")});
                let r = support::Client::send(
                    &server,
                    Method::Post,
                    "/api/partitions/linux2",
                    Some(&s),
                    Some(&body),
                );
                assert_eq!(r.status, 204, "{:?}", r.body);
            }
        });
        for _ in 0..20 {
            fixture.restore_checkpoint("clean", false).unwrap();
            // Each restore leaves exactly the saved state behind it, or the
            // saved state plus one description update.
            let diff = fixture.diff_checkpoints("clean", None).unwrap();
            assert!(diff.added.is_empty() && diff.removed.is_empty(), "{diff:?}");
            assert!(diff.changed.len() <= 1, "{diff:?}");
        }
        writer.join().unwrap();
    });
    fixture.restore_checkpoint("clean", false).unwrap();
    assert!(fixture.diff_checkpoints("clean", None).unwrap().is_empty());
}

#[test]
fn checkpoints_cover_os_messages_and_exported_profile_areas() {
    both_raw(|c, s| {
        let lpar = "/api/logical-partitions/classic1-lpar1";
        let fixture = Hmc::open_unseeded(c.db_path()).unwrap();
        fixture
            .add_os_message(lpar, "BEFORE", false, false)
            .unwrap();
        let count = |table: &str| -> i64 {
            let conn = rusqlite::Connection::open(c.db_path()).unwrap();
            conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
                .unwrap()
        };
        let (messages, areas) = (count("os_messages"), count("profile_areas"));
        fixture.save_checkpoint("msgs").unwrap();
        fixture.add_os_message(lpar, "AFTER", false, false).unwrap();
        let r = c.send(
            Method::Post,
            "/api/cpcs/classic1/operations/export-profiles",
            Some(s),
            Some(&json!({"profile-area": 2})),
        );
        assert_eq!(r.status, 204, "{:?}", r.body);
        assert!(count("profile_areas") > areas);
        fixture.restore_checkpoint("msgs", false).unwrap();
        assert_eq!(
            (count("os_messages"), count("profile_areas")),
            (messages, areas)
        );
        let r = c.send(
            Method::Get,
            &format!("{lpar}/operations/list-os-messages"),
            Some(s),
            None,
        );
        let texts: Vec<&str> = r.body["os-messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["message-text"].as_str().unwrap())
            .collect();
        assert!(
            texts.contains(&"BEFORE") && !texts.contains(&"AFTER"),
            "{texts:?}"
        );
        // A new message is numbered after the restored ones.
        let n = fixture.add_os_message(lpar, "AGAIN", false, false).unwrap();
        assert_eq!(n, messages_of(&r.body) as i64);
    });
}

fn messages_of(body: &Value) -> usize {
    body["os-messages"].as_array().unwrap().len()
}
