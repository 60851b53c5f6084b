//! Job policies (issue 11): jobs that complete after N polls, after a time
//! on the HMC clock, only by Cancel Job, with an error or a result status;
//! the resource changes only when the job completes. Policies are added
//! from another `Hmc` on the same db (the server is another one in the
//! HTTPS run) and from the CLI.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use std::path::Path;
use std::process::{Command, Output};

use mock_hmc::{Hmc, JobPolicySpec, Method};
use serde_json::Value;
use support::{BIN, RawClient, TempDb, both_raw};

const START_LINUX2: &str = "/api/partitions/linux2/operations/start";

fn status(c: &dyn RawClient, s: &str, uri: &str) -> Value {
    c.send(Method::Get, uri, Some(s), None).body["status"].clone()
}

/// Starts LINUX2 (answered 202); the job's URI.
fn start(c: &dyn RawClient, s: &str) -> String {
    let r = c.send(Method::Post, START_LINUX2, Some(s), None);
    assert_eq!(r.status, 202, "{:?}", r.body);
    r.body["job-uri"].as_str().unwrap().to_string()
}

fn add(c: &dyn RawClient, spec: JobPolicySpec) -> Hmc {
    let fixture = Hmc::open_unseeded(c.db_path()).unwrap();
    fixture.add_job_policy(&spec).unwrap();
    fixture
}

fn start_partition(spec: JobPolicySpec) -> JobPolicySpec {
    JobPolicySpec {
        operation: Some("start partition".into()),
        ..spec
    }
}

#[test]
fn after_two_polls_the_job_runs_twice_then_completes_and_starts_the_partition() {
    both_raw(|c, s| {
        add(
            c,
            start_partition(JobPolicySpec {
                polls: Some(2),
                ..JobPolicySpec::default()
            }),
        );
        let job = start(c, s);
        for _ in 0..2 {
            let r = c.send(Method::Get, &job, Some(s), None);
            assert_eq!(r.body["status"], "running", "{}", c.transport());
            assert!(r.body.get("job-status-code").is_none());
            assert_eq!(status(c, s, "/api/partitions/linux2"), "stopped");
            // A running job cannot be deleted.
            assert_eq!(
                c.send(Method::Delete, &job, Some(s), None).code(),
                (409, 40)
            );
        }
        let r = c.send(Method::Get, &job, Some(s), None);
        assert_eq!(r.body["status"], "complete");
        assert_eq!(r.body["job-status-code"], 200);
        assert_eq!(status(c, s, "/api/partitions/linux2"), "active");
        assert_eq!(c.send(Method::Delete, &job, Some(s), None).status, 204);
    });
}

#[test]
fn a_job_running_until_cancelled_is_canceled_and_changes_nothing() {
    both_raw(|c, s| {
        add(
            c,
            JobPolicySpec {
                uri: Some("/api/partitions/.*/operations/start".into()),
                until_cancel: true,
                ..JobPolicySpec::default()
            },
        );
        let job = start(c, s);
        for _ in 0..3 {
            assert_eq!(status(c, s, &job), "running");
        }
        let cancel = format!("{job}/operations/cancel");
        assert_eq!(c.send(Method::Post, &cancel, Some(s), None).status, 202);
        assert_eq!(status(c, s, &job), "canceled");
        assert_eq!(
            c.send(Method::Post, &cancel, Some(s), None).code(),
            (409, 41)
        );
        assert_eq!(status(c, s, "/api/partitions/linux2"), "stopped");
        assert_eq!(c.send(Method::Delete, &job, Some(s), None).status, 204);
    });
}

#[test]
fn a_job_after_a_time_completes_once_the_hmc_clock_has_moved() {
    both_raw(|c, s| {
        let fixture = add(
            c,
            start_partition(JobPolicySpec {
                after_ms: Some(30_000),
                ..JobPolicySpec::default()
            }),
        );
        let job = start(c, s);
        assert_eq!(status(c, s, &job), "running");
        fixture.advance_clock(31_000).unwrap();
        assert_eq!(status(c, s, &job), "complete");
        assert_eq!(status(c, s, "/api/partitions/linux2"), "active");
    });
}

#[test]
fn jobs_end_with_a_policy_error_or_a_result_status_and_other_operations_are_untouched() {
    both_raw(|c, s| {
        let fixture = add(
            c,
            start_partition(JobPolicySpec {
                error: Some((409, 1, None)),
                ..JobPolicySpec::default()
            }),
        );
        let job = start(c, s);
        let r = c.send(Method::Get, &job, Some(s), None);
        assert_eq!(r.body["status"], "complete");
        assert_eq!(
            (
                r.body["job-status-code"].clone(),
                r.body["job-reason-code"].clone()
            ),
            (409.into(), 1.into())
        );
        assert!(r.body["job-results"]["message"].is_string());
        assert_eq!(status(c, s, "/api/partitions/linux2"), "stopped");

        fixture.clear_job_policies(None).unwrap();
        fixture
            .add_job_policy(&start_partition(JobPolicySpec {
                result_status: Some("degraded".into()),
                ..JobPolicySpec::default()
            }))
            .unwrap();
        let job = start(c, s);
        assert_eq!(status(c, s, &job), "complete");
        assert_eq!(status(c, s, "/api/partitions/linux2"), "degraded");
        // Stop Partition matches no policy: complete at once.
        let r = c.send(
            Method::Post,
            "/api/partitions/linux2/operations/stop",
            Some(s),
            None,
        );
        let job = r.body["job-uri"].as_str().unwrap();
        assert_eq!(status(c, s, job), "complete");
        assert_eq!(status(c, s, "/api/partitions/linux2"), "stopped");
    });
}

#[test]
fn a_held_back_job_whose_preconditions_fail_at_completion_ends_with_that_error() {
    both_raw(|c, s| {
        add(
            c,
            start_partition(JobPolicySpec {
                polls: Some(1),
                ..JobPolicySpec::default()
            }),
        );
        let job = start(c, s);
        assert_eq!(status(c, s, &job), "running");
        // Meanwhile the partition goes away.
        assert_eq!(
            c.send(Method::Delete, "/api/partitions/linux2", Some(s), None)
                .status,
            204
        );
        let r = c.send(Method::Get, &job, Some(s), None);
        assert_eq!(r.body["status"], "complete");
        assert_eq!(r.body["job-status-code"], 404, "{:?}", r.body);
    });
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

fn one_line_failure(o: &Output) -> String {
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(err.lines().count(), 1, "{err}");
    err
}

#[test]
fn the_cli_adds_lists_and_clears_job_policies_and_refuses_bad_input() {
    let db = TempDb::new();
    assert!(run(&db.path, &["init"]).status.success());
    let o = run(
        &db.path,
        &[
            "job-policy",
            "add",
            "--operation",
            "Start Partition",
            "--polls",
            "2",
        ],
    );
    assert!(o.status.success(), "{o:?}");
    assert_eq!(String::from_utf8_lossy(&o.stdout), "job-policy 1\n");
    let o = run(
        &db.path,
        &[
            "job-policy",
            "add",
            "--uri",
            "/api/logical-partitions/.*/operations/activate",
            "--result-status",
            "exceptions",
        ],
    );
    assert!(o.status.success(), "{o:?}");
    let o = run(
        &db.path,
        &["job-policy", "add", "--until-cancel", "--error", "500.263"],
    );
    assert!(o.status.success(), "{o:?}");
    let list = String::from_utf8_lossy(&run(&db.path, &["job-policy", "list"]).stdout).into_owned();
    assert_eq!(list.lines().count(), 3, "{list}");
    assert!(
        list.contains("operation=Start Partition  polls=2"),
        "{list}"
    );
    assert!(list.contains("result-status=exceptions"), "{list}");
    assert!(list.contains("until-cancel  error=500.263"), "{list}");

    for bad in [
        &["job-policy", "add", "--uri", "(", "--polls", "1"][..],
        &["job-policy", "add", "--error", "200"],
        &["job-policy", "add", "--polls=-1"],
        &["job-policy", "add", "--after", "soon"],
        &["job-policy", "clear", "99"],
    ] {
        let err = one_line_failure(&run(&db.path, bad));
        assert!(err.starts_with("mock-hmc: "), "{bad:?}: {err}");
    }
    assert_eq!(
        String::from_utf8_lossy(&run(&db.path, &["job-policy", "list"]).stdout)
            .lines()
            .count(),
        3,
        "nothing half-applied"
    );
    let o = run(&db.path, &["job-policy", "clear"]);
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "cleared 3 job policy(ies)\n"
    );
    assert!(run(&db.path, &["job-policy", "list"]).stdout.is_empty());
}
