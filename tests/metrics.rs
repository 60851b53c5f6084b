//! Metrics contexts: Create Metrics Context, Get Metrics (text format and
//! content type), Delete Metrics Context, ownership by sessions, prepared
//! values checked against their groups (definition files, library, CLI,
//! SQL) and synthetic values.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use std::process::Command;

use mock_hmc::{Hmc, Method, Request, Response};
use serde_json::{Value, json};
use support::{BIN, Server, TempDb};

const CONTEXTS: &str = "/api/services/metrics/context";

fn text(r: &Response) -> String {
    String::from_utf8(r.body_bytes()).unwrap()
}

fn create(s: &mock_hmc::Session<'_>, body: Value) -> (String, Value) {
    let r = s.post(CONTEXTS, &body);
    assert_eq!(r.status, 200, "{:?}", r.json());
    let b = r.json().unwrap().clone();
    (b["metrics-context-uri"].as_str().unwrap().to_string(), b)
}

fn partition_usage(values: [i64; 5]) -> serde_json::Map<String, Value> {
    let names = [
        "processor-usage",
        "network-usage",
        "storage-usage",
        "accelerator-usage",
        "crypto-usage",
    ];
    names
        .iter()
        .zip(values)
        .map(|(n, v)| (n.to_string(), json!(v)))
        .collect()
}

#[test]
fn create_answers_the_fourteen_groups_or_the_named_ones() {
    let db = TempDb::new();
    let hmc = Hmc::open(&db.path).unwrap();
    let s = hmc.logon("ensadmin", "password").unwrap();
    let (uri, all) = create(&s, json!({"anticipated-frequency-seconds": 15}));
    assert!(uri.starts_with("/api/services/metrics/context/"), "{uri}");
    let names: Vec<&str> = all["metric-group-infos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["group-name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 14);
    assert_eq!(names[0], "channel-usage");
    assert_eq!(names[6], "environmental-power-status");
    assert_eq!(names[13], "partition-attached-network-interface");
    assert_eq!(
        all["metric-group-infos"][4]["metric-infos"][0],
        json!({"metric-name": "processor-usage", "metric-type": "integer-metric"})
    );
    let (_, some) = create(
        &s,
        json!({"anticipated-frequency-seconds": "10",
               "metric-groups": ["partition-usage", "no-such-group", "cpc-usage-overview"]}),
    );
    let names: Vec<&str> = some["metric-group-infos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["group-name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["partition-usage", "cpc-usage-overview"]);
    // Required field and body.
    let r = s.post(CONTEXTS, &json!({"metric-groups": []}));
    assert_eq!((r.status, r.reason()), (400, Some(5)));
    let r = s.post(CONTEXTS, &Value::Null);
    assert_eq!((r.status, r.reason()), (400, Some(3)));
    let r = s.post(
        CONTEXTS,
        &json!({"anticipated-frequency-seconds": 15, "metric-groups": "partition-usage"}),
    );
    assert_eq!((r.status, r.reason()), (400, Some(7)));
    // The contexts are in the table, with their session.
    let contexts = hmc.metrics_contexts().unwrap();
    assert_eq!(contexts.len(), 2);
    let key = mock_hmc::test_support::session_key(s.id());
    assert!(
        contexts
            .iter()
            .all(|c| c.session_id.as_deref() == Some(key.as_str()))
    );
}

#[test]
fn get_metrics_renders_prepared_values_in_the_group_order_with_the_hmc_content_type() {
    let db = TempDb::new();
    let hmc = Hmc::open(&db.path).unwrap();
    // Given out of order: rows are keyed by name and rendered in the group's order.
    let m: serde_json::Map<String, Value> = partition_usage([15, 0, 1, 0, 0])
        .into_iter()
        .rev()
        .collect();
    hmc.set_metric_values(
        "partition-usage",
        "/api/partitions/p1",
        Some("2024-01-02 03:04:05+00:00"),
        m,
    )
    .unwrap();
    let channel: serde_json::Map<String, Value> = json!({
        "channel-name": "CHP1", "shared-channel": true,
        "logical-partition-name": "LP1", "channel-usage": 7})
    .as_object()
    .unwrap()
    .clone();
    hmc.set_metric_values(
        "channel-usage",
        "/api/cpcs/c",
        Some("1970-01-01T00:00:01Z"),
        channel,
    )
    .unwrap();
    let s = hmc.logon("ensadmin", "password").unwrap();
    let (uri, _) = create(
        &s,
        json!({"anticipated-frequency-seconds": 15, "metric-groups": ["partition-usage"]}),
    );
    let r = s.get(&uri);
    assert_eq!(r.status, 200);
    assert_eq!(
        r.content_type(),
        Some("application/vnd.ibm-z-zmanager-metrics")
    );
    assert_eq!(
        text(&r),
        "\"partition-usage\"\n\"/api/partitions/p1\"\n1704164645000\n15,0,1,0,0\n\n\n\n"
    );
    // Without groups: every group with prepared values, in first-insertion
    // order; strings quoted, booleans as the HMC writes them.
    let (all, _) = create(&s, json!({"anticipated-frequency-seconds": 15}));
    assert_eq!(
        text(&s.get(&all)),
        "\"partition-usage\"\n\"/api/partitions/p1\"\n1704164645000\n15,0,1,0,0\n\n\n\
         \"channel-usage\"\n\"/api/cpcs/c\"\n1000\n\"CHP1\",true,\"LP1\",7\n\n\n\n"
    );
    // A context of groups without values: just the final empty line.
    let (none, _) = create(
        &s,
        json!({"anticipated-frequency-seconds": 15, "metric-groups": ["roce-usage"]}),
    );
    assert_eq!(text(&s.get(&none)), "\n");
    // Delete: then 404.1 for GET and DELETE.
    assert_eq!(s.delete(&uri).status, 204);
    assert_eq!((s.get(&uri).status, s.get(&uri).reason()), (404, Some(1)));
    assert_eq!(s.delete(&uri).status, 404);
}

#[test]
fn a_context_belongs_to_its_session_and_goes_with_it() {
    let db = TempDb::new();
    let hmc = Hmc::open(&db.path).unwrap();
    let owner = hmc.logon("ensadmin", "password").unwrap();
    let other = hmc.logon("ensadmin", "password").unwrap();
    let (uri, _) = create(&owner, json!({"anticipated-frequency-seconds": 15}));
    let r = other.get(&uri);
    assert_eq!((r.status, r.reason()), (404, Some(1)));
    let r = other.delete(&uri);
    assert_eq!((r.status, r.reason()), (404, Some(1)));
    assert_eq!(owner.get(&uri).status, 200);
    let owner_id = mock_hmc::test_support::session_key(owner.id());
    assert_eq!(owner.logoff().status, 204);
    assert!(
        hmc.metrics_contexts()
            .unwrap()
            .iter()
            .all(|c| c.session_id.as_deref() != Some(&owner_id)),
        "the context outlived its session"
    );
    // Without a session: 403.4.
    let r = hmc.handle(&Request::new(Method::Get, uri.clone()));
    assert_eq!((r.status, r.reason()), (403, Some(4)));
}

#[test]
fn prepared_values_that_do_not_fit_their_group_are_refused_with_the_reason() {
    let db = TempDb::new();
    let hmc = Hmc::open(&db.path).unwrap();
    let short: serde_json::Map<String, Value> =
        json!({"processor-usage": 1}).as_object().unwrap().clone();
    let e = hmc
        .set_metric_values("partition-usage", "/api/partitions/p", None, short)
        .unwrap_err()
        .to_string();
    assert!(e.contains("missing: network-usage"), "{e}");
    let mut typed = partition_usage([1, 2, 3, 4, 5]);
    typed.insert("crypto-usage".into(), json!(1.5));
    let e = hmc
        .set_metric_values("partition-usage", "/api/partitions/p", None, typed)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("'crypto-usage'") && e.contains("integer-metric"),
        "{e}"
    );
    let e = hmc
        .set_metric_values(
            "partition-usage",
            "/api/partitions/p",
            Some("last tuesday"),
            partition_usage([1, 2, 3, 4, 5]),
        )
        .unwrap_err()
        .to_string();
    assert!(e.contains("ISO 8601"), "{e}");
    assert!(hmc.metric_values().unwrap().is_empty());

    // A definition file: the error names the entry, and nothing is loaded.
    let empty = TempDb::new();
    let fresh = Hmc::open_unseeded(&empty.path).unwrap();
    let def = mock_hmc::definition::parse(
        "hmc_definition:\n  host: h\n  api_version: '4.10'\n  consoles: []\n  metric_values:\n  \
         - {group_name: partition-usage, resource_uri: /api/partitions/p, \
         timestamp: '2024-01-02 03:04:05', metrics: {processor-usage: 1}}\n",
    )
    .unwrap();
    let e = fresh.load(&def, false).unwrap_err().to_string();
    assert!(e.starts_with("metric_values[0]: "), "{e}");
    assert!(e.contains("missing: network-usage"), "{e}");
    assert!(fresh.is_empty().unwrap());
}

#[test]
fn rows_added_with_sql_that_do_not_fit_are_left_out_of_get_metrics() {
    let db = TempDb::new();
    let hmc = Hmc::open(&db.path).unwrap();
    hmc.set_metric_values(
        "partition-usage",
        "/api/partitions/good",
        Some("2024-01-02"),
        partition_usage([1, 2, 3, 4, 5]),
    )
    .unwrap();
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    conn.execute(
        "INSERT INTO metric_values (group_name, resource_uri, timestamp, metrics)
         VALUES ('partition-usage', '/api/partitions/bad', '2024-01-02', '{\"processor-usage\": 1}')",
        [],
    )
    .unwrap();
    let s = hmc.logon("ensadmin", "password").unwrap();
    let (uri, _) = create(&s, json!({"anticipated-frequency-seconds": 15}));
    let t = text(&s.get(&uri));
    assert!(t.contains("/api/partitions/good"), "{t}");
    assert!(!t.contains("/api/partitions/bad"), "{t}");
}

#[test]
fn synthetic_metrics_cover_every_resource_of_each_group_and_prepared_rows_win() {
    let db = TempDb::new();
    let hmc = Hmc::open(&db.path).unwrap();
    hmc.set_metrics_source(mock_hmc::MetricsSource::Synthetic { seed: 7 })
        .unwrap();
    let s = hmc.logon("ensadmin", "password").unwrap();
    let partitions = s.get_json("/api/cpcs/dpm1/partitions").unwrap();
    let uris: Vec<String> = partitions["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["object-uri"].as_str().unwrap().to_string())
        .collect();
    assert!(uris.len() >= 2);
    hmc.set_metric_values(
        "partition-usage",
        &uris[0],
        Some("2024-01-02"),
        partition_usage([99, 0, 0, 0, 0]),
    )
    .unwrap();
    let (uri, _) = create(
        &s,
        json!({"anticipated-frequency-seconds": 15,
               "metric-groups": ["partition-usage", "dpm-system-usage-overview",
                                 "cpc-usage-overview", "logical-partition-usage",
                                 "partition-attached-network-interface"]}),
    );
    let t = text(&s.get(&uri));
    for u in &uris {
        assert_eq!(t.matches(&format!("\"{u}\"\n")).count(), 1, "{u} in\n{t}");
    }
    assert!(
        t.contains(&format!("\"{}\"\n1704153600000\n99,0,0,0,0\n", uris[0])),
        "{t}"
    );
    for g in [
        "dpm-system-usage-overview",
        "cpc-usage-overview",
        "logical-partition-usage",
        "partition-attached-network-interface",
    ] {
        assert!(t.contains(&format!("\"{g}\"\n")), "{g} missing in\n{t}");
    }
}

#[test]
fn the_cli_sets_lists_and_clears_prepared_values() {
    let db = TempDb::new();
    Hmc::open(&db.path).unwrap();
    let run = |args: &[&str]| {
        let o = Command::new(BIN)
            .arg("--db")
            .arg(&db.path)
            .args(args)
            .output()
            .unwrap();
        (
            o.status.success(),
            String::from_utf8_lossy(&o.stdout).to_string(),
            String::from_utf8_lossy(&o.stderr).to_string(),
        )
    };
    let (ok, _, err) = run(&[
        "metrics",
        "set",
        "partition-usage",
        "/api/partitions/p1",
        "processor-usage=12",
        "network-usage=1",
        "storage-usage=2",
        "accelerator-usage=0",
        "crypto-usage=0",
        "--timestamp",
        "2024-01-02T03:04:05Z",
    ]);
    assert!(ok, "{err}");
    let (ok, out, _) = run(&["metrics", "list"]);
    assert!(ok);
    assert!(
        out.contains(
            "partition-usage  /api/partitions/p1  2024-01-02T03:04:05Z  processor-usage=12"
        ),
        "{out}"
    );
    // Typed by the group: a bad value, an unknown metric, a missing one.
    let (ok, _, err) = run(&[
        "metrics",
        "set",
        "partition-usage",
        "/p",
        "processor-usage=high",
    ]);
    assert!(
        !ok && err.contains("processor-usage=high: not of type integer-metric"),
        "{err}"
    );
    let (ok, _, err) = run(&["metrics", "set", "partition-usage", "/p", "speed=1"]);
    assert!(!ok && err.contains("no metric 'speed'"), "{err}");
    let (ok, _, err) = run(&[
        "metrics",
        "set",
        "partition-usage",
        "/p",
        "processor-usage=1",
    ]);
    assert!(!ok && err.contains("missing: network-usage"), "{err}");
    let (ok, out, _) = run(&["metrics", "clear", "partition-usage"]);
    assert!(ok && out.contains("removed 1 rows"), "{out}");
    let (_, out, _) = run(&["metrics", "list"]);
    assert!(out.is_empty(), "{out}");
}

#[test]
fn serve_answers_get_metrics_as_text_over_https_and_sets_the_source() {
    let db = TempDb::new();
    let server = Server::start(&db.path, false, &["--metrics", "synthetic:3"]);
    let agent = support::agent();
    let base = server.base();
    let logon = agent
        .post(format!("{base}/api/sessions"))
        .send_json(json!({"userid": "ensadmin", "password": "password"}))
        .unwrap()
        .into_body()
        .read_json::<Value>()
        .unwrap();
    let sid = logon["api-session"].as_str().unwrap();
    let created = agent
        .post(format!("{base}{CONTEXTS}"))
        .header("X-API-Session", sid)
        .send_json(
            json!({"anticipated-frequency-seconds": 15, "metric-groups": ["partition-usage"]}),
        )
        .unwrap()
        .into_body()
        .read_json::<Value>()
        .unwrap();
    let uri = created["metrics-context-uri"].as_str().unwrap();
    let mut r = agent
        .get(format!("{base}{uri}"))
        .header("X-API-Session", sid)
        .call()
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers().get("content-type").unwrap(),
        "application/vnd.ibm-z-zmanager-metrics"
    );
    let body = r.body_mut().read_to_string().unwrap();
    assert!(
        body.starts_with("\"partition-usage\"\n\"/api/partitions/"),
        "{body}"
    );
    // `sqlite3 hmc.sqlite 'select * from metrics_contexts'` shows it.
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    let (count, session): (i64, String) = conn
        .query_row(
            "SELECT count(*), session_id FROM metrics_contexts",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let key = mock_hmc::test_support::session_key(sid);
    assert_eq!((count, session.as_str()), (1, key.as_str()));
    let source: String = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'metrics-source'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(source, "synthetic:3");
}

#[test]
fn a_context_of_an_expired_session_is_gone_after_the_next_logon() {
    let db = TempDb::new();
    let hmc = Hmc::open(&db.path).unwrap();
    let s = hmc.logon("ensadmin", "password").unwrap();
    let (uri, _) = create(&s, json!({"anticipated-frequency-seconds": 15}));
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    let key = mock_hmc::test_support::session_key(s.id());
    conn.execute("UPDATE sessions SET expires_at = 1 WHERE id = ?1", [key])
        .unwrap();
    // The expired session cannot reach it any more (403.5) ...
    assert_eq!((s.get(&uri).status, s.get(&uri).reason()), (403, Some(5)));
    // ... and the next logon removes the session with its contexts.
    let _other = hmc.logon("ensadmin", "password").unwrap();
    assert!(hmc.metrics_contexts().unwrap().is_empty());
}
