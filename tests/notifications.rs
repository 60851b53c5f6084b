//! Notifications: the outbox is written by the change itself (a rolled-back
//! request writes nothing), and `mock-hmc serve` delivers what any process
//! committed to its STOMP subscribers: property, status and inventory
//! changes on object topics, job completion on the session's job topic, OS
//! messages on their topic; `mock-hmc notify` for changes behind the HMC's
//! back; CONNECT, heart-beats, receipts and bad credentials.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use std::process::Command;
use std::time::Duration;

use mock_hmc::Hmc;
use serde_json::{Value, json};
use support::stomp::Client;
use support::{BIN, Server, TempDb};

/// `serve` with plain STOMP on a free port; returns (server, stomp port).
fn serve(db: &TempDb) -> (Server, u16) {
    let server = Server::start(&db.path, false, &["--stomp-port", "0", "--stomp-plain"]);
    let port = support::stomp::port_of(&db.path);
    (server, port)
}

/// The rows of `table` in the db.
fn rows(db: &TempDb, table: &str) -> i64 {
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

fn outbox_count(db: &TempDb) -> i64 {
    rows(db, "notification_outbox")
}

/// The name of session topic `i` (0: objects, 1: jobs) of `s`.
fn topic(s: &mock_hmc::Session<'_>, i: usize) -> String {
    let topics = s
        .get_json("/api/sessions/operations/get-notification-topics")
        .unwrap();
    topics["topics"][i]["topic-name"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Registers a listener that never expires, as a `serve` process would.
fn listen(db: &TempDb) {
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    conn.execute(
        "INSERT INTO notification_listeners (id, pid, heartbeat_at) VALUES ('test', 0, 9e15)",
        [],
    )
    .unwrap();
}

#[test]
fn without_a_listening_serve_process_changes_write_no_notifications() {
    let db = TempDb::new();
    let hmc = Hmc::open(&db.path).unwrap();
    let s = hmc.logon("ensadmin", "password").unwrap();
    let r = s.post("/api/partitions/linux2", &json!({"description": "unheard"}));
    assert_eq!(r.status, 204);
    assert_eq!(outbox_count(&db), 0);
    listen(&db);
    let r = s.post("/api/partitions/linux2", &json!({"description": "heard"}));
    assert_eq!(r.status, 204);
    assert_eq!(outbox_count(&db), 1);
}

fn listeners(db: &TempDb) -> i64 {
    rows(db, "notification_listeners")
}

#[test]
fn a_serve_process_listens_only_while_a_stomp_client_is_connected() {
    let db = TempDb::new();
    let (server, port) = serve(&db);
    let hmc = Hmc::open(&db.path).unwrap();
    let s = hmc.logon("ensadmin", "password").unwrap();
    let topic = topic(&s, 0);

    // Nobody to deliver to: nothing registered, no rows written.
    let r = s.post("/api/partitions/linux2", &json!({"description": "unheard"}));
    assert_eq!(r.status, 204);
    assert_eq!((listeners(&db), outbox_count(&db)), (0, 0));

    // Registered once CONNECTED: the next change is written and delivered.
    let mut c = Client::logged_in(port, "ensadmin", "password");
    assert_eq!(listeners(&db), 1);
    c.subscribe(&topic, "objects");
    let r = s.post("/api/partitions/linux2", &json!({"description": "heard"}));
    assert_eq!(r.status, 204);
    let m = c.message();
    assert_eq!(
        m.json()["change-reports"][0]["new-value"],
        json!("heard"),
        "{m:?}"
    );

    // The last client gone: unregistered, and changes write nothing again.
    c.send("DISCONNECT", &[("receipt", "bye")]);
    assert_eq!(c.frame().command, "RECEIPT");
    drop(c);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while listeners(&db) > 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(listeners(&db), 0);
    let before = outbox_count(&db);
    let r = s.post(
        "/api/partitions/linux2",
        &json!({"description": "unheard again"}),
    );
    assert_eq!(r.status, 204);
    assert_eq!(outbox_count(&db), before);
    drop(server);
}

#[test]
fn a_change_writes_its_notifications_and_a_rolled_back_request_writes_none() {
    let db = TempDb::new();
    let hmc = Hmc::open(&db.path).unwrap();
    listen(&db);
    let s = hmc.logon("ensadmin", "password").unwrap();
    let before = outbox_count(&db);
    // A transaction that wrote a notification and then fails leaves none.
    let failed: Result<(), mock_hmc::test_support::StoreError> =
        mock_hmc::test_support::store(&hmc).write(|tx| {
            tx.emit(&mock_hmc::test_support::NewNotification {
                kind: "property-change",
                topic: None,
                uri: "/api/partitions/linux2",
                class: Some("partition"),
                parent_uri: None,
                element: false,
                body: None,
            })?;
            Err(mock_hmc::test_support::StoreError::Commit(
                "rolled back on purpose".into(),
            ))
        });
    assert!(failed.is_err());
    assert_eq!(outbox_count(&db), before, "a rolled-back write notified");
    // A failing request (a name clash, 400.8) notifies nothing either.
    let r = s.post(
        "/api/cpcs/dpm1/partitions",
        &json!({"name": "LINUX1", "initial-memory": 1024, "maximum-memory": 2048,
                "ifl-processors": 1}),
    );
    assert_eq!(r.status, 400);
    assert_eq!(outbox_count(&db), before, "a failed request notified");
    let r = s.post("/api/partitions/linux2", &json!({"description": "changed"}));
    assert_eq!(r.status, 204);
    assert_eq!(outbox_count(&db), before + 1);
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    let (kind, uri, body): (String, String, String) = conn
        .query_row(
            "SELECT kind, uri, body FROM notification_outbox ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        (kind.as_str(), uri.as_str()),
        ("property-change", "/api/partitions/linux2")
    );
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["change-reports"][0]["property-name"], "description");
    assert_eq!(body["change-reports"][0]["new-value"], "changed");
}

#[test]
fn old_notifications_are_pruned_so_the_outbox_stays_bounded() {
    let db = TempDb::new();
    let hmc = Hmc::open(&db.path).unwrap();
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    conn.execute(
        "INSERT INTO notification_outbox (kind, uri, created_at) VALUES ('property-change', '/x', 0)",
        [],
    )
    .unwrap();
    // Any logon prunes what is older than ten minutes.
    let _s = hmc.logon("ensadmin", "password").unwrap();
    let old: i64 = conn
        .query_row(
            "SELECT count(*) FROM notification_outbox WHERE created_at = 0",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(old, 0);
}

#[test]
fn serve_delivers_changes_made_by_another_process_through_the_library() {
    let db = TempDb::new();
    let (server, port) = serve(&db);
    // This test process is the other process: it changes the HMC through
    // the library, on the same db.
    let hmc = Hmc::open(&db.path).unwrap();
    let s = hmc.logon("ensadmin", "password").unwrap();
    let (object_topic, job_topic) = (topic(&s, 0), topic(&s, 1));
    let mut c = Client::logged_in(port, "ensadmin", "password");
    c.subscribe(&object_topic, "objects");
    c.subscribe(&job_topic, "jobs");

    assert_eq!(
        s.post(
            "/api/partitions/linux2",
            &json!({"description": "from the library"})
        )
        .status,
        204
    );
    let m = c.message();
    assert_eq!(m.get("notification-type"), Some("property-change"));
    assert_eq!(
        m.get("destination"),
        Some(format!("/topic/{object_topic}").as_str())
    );
    assert_eq!(m.get("subscription"), Some("objects"));
    assert_eq!(m.get("session-sequence-nr"), Some("0"));
    assert_eq!(m.get("object-uri"), Some("/api/partitions/linux2"));
    assert_eq!(m.get("object-id"), Some("linux2"));
    assert_eq!(m.get("class"), Some("partition"));
    assert_eq!(
        m.json()["change-reports"][0],
        json!({"property-name": "description", "old-value": "A stopped Linux partition",
               "new-value": "from the library"})
    );

    // Start Partition: a status change, then the job's completion on the
    // job topic of the session that started it.
    let started = s.post("/api/partitions/linux2/operations/start", &Value::Null);
    assert_eq!(started.status, 202);
    let job_uri = started.json().unwrap()["job-uri"]
        .as_str()
        .unwrap()
        .to_string();
    let mut kinds = Vec::new();
    // The session's topics share one numbering.
    let mut numbers = Vec::new();
    for _ in 0..2 {
        let m = c.message();
        match m.get("notification-type") {
            Some("status-change") => {
                numbers.push(m.get("session-sequence-nr").unwrap().to_string());
                let report = &m.json()["change-reports"][0];
                assert_eq!(report["new-status"], "active");
                assert_eq!(report["old-status"], "stopped");
            }
            Some("job-completion") => {
                assert_eq!(m.get("subscription"), Some("jobs"));
                assert_eq!(m.get("job-uri"), Some(job_uri.as_str()));
                numbers.push(m.get("session-sequence-nr").unwrap().to_string());
            }
            other => panic!("unexpected {other:?}: {m:?}"),
        }
        kinds.push(m.get("notification-type").unwrap().to_string());
    }
    kinds.sort();
    assert_eq!(kinds, ["job-completion", "status-change"]);
    numbers.sort();
    assert_eq!(numbers, ["1", "2"]);

    // An element: a NIC of the partition, added and removed.
    let created = s.post(
        "/api/partitions/linux2/nics",
        &json!({"name": "nic-x", "virtual-switch-uri": "/api/virtual-switches/vswitch-osa-0109"}),
    );
    assert_eq!(created.status, 201, "{:?}", created.json());
    {
        let nic = created.json().unwrap()["element-uri"]
            .as_str()
            .unwrap()
            .to_string();
        let mut saw_add = false;
        for _ in 0..6 {
            let m = c.message();
            if m.get("notification-type") == Some("inventory-change") {
                assert_eq!(m.get("action"), Some("add"));
                assert_eq!(m.get("element-uri"), Some(nic.as_str()));
                assert_eq!(m.get("object-uri"), Some("/api/partitions/linux2"));
                assert_eq!(m.get("class"), Some("nic"));
                saw_add = true;
                break;
            }
        }
        assert!(saw_add);
    }

    // UNSUBSCRIBE: nothing more on that subscription.
    c.send("UNSUBSCRIBE", &[("id", "objects"), ("receipt", "u1")]);
    // Notifications of the NIC's creation may come before the receipt.
    while c.frame().command != "RECEIPT" {}
    s.post("/api/partitions/linux2", &json!({"description": "unheard"}));
    let mut beats = 0;
    let more = c.next(Duration::from_millis(500), &mut beats);
    assert!(more.is_none(), "{more:?}");
    c.send("DISCONNECT", &[("receipt", "bye")]);
    let r = c.frame();
    assert_eq!(
        (r.command.as_str(), r.get("receipt-id")),
        ("RECEIPT", Some("bye"))
    );
    drop(server);
}

#[test]
fn connect_needs_good_credentials_and_heart_beats_are_sent() {
    let db = TempDb::new();
    let (_server, port) = serve(&db);
    let mut bad = Client::connect(port);
    bad.send(
        "CONNECT",
        &[
            ("accept-version", "1.1"),
            ("login", "ensadmin"),
            ("passcode", "nope"),
        ],
    );
    let f = bad.frame();
    assert_eq!(f.command, "ERROR", "{f:?}");
    assert!(
        f.get("message").unwrap().contains("Authentication failed"),
        "{f:?}"
    );

    // A session id and its credential are accepted too.
    let hmc = Hmc::open(&db.path).unwrap();
    let s = hmc.logon("ensadmin", "password").unwrap();
    let mut c = Client::connect(port);
    c.send(
        "CONNECT",
        &[
            ("accept-version", "1.0,1.1"),
            ("login", s.id()),
            ("passcode", s.credential()),
            ("heart-beat", "0,1000"),
        ],
    );
    let f = c.frame();
    assert_eq!(f.command, "CONNECTED", "{f:?}");
    assert_eq!(f.get("heart-beat"), Some("1000,0"));
    let mut beats = 0;
    let none = c.next(Duration::from_millis(2500), &mut beats);
    assert!(none.is_none());
    assert!(beats >= 2, "{beats} heart-beats in 2.5 s");

    // Frames before CONNECT and other ack modes are errors.
    let mut early = Client::connect(port);
    early.send("SUBSCRIBE", &[("destination", "/topic/x"), ("id", "1")]);
    assert_eq!(early.frame().command, "ERROR");
    c.send(
        "SUBSCRIBE",
        &[("destination", "/topic/x"), ("id", "1"), ("ack", "client")],
    );
    assert_eq!(c.frame().command, "ERROR");
}

#[test]
fn notify_reports_a_change_made_with_sqlite_and_os_messages_reach_their_topic() {
    let db = TempDb::new();
    let (_server, port) = serve(&db);
    let hmc = Hmc::open(&db.path).unwrap();
    let s = hmc.logon("ensadmin", "password").unwrap();
    let object_topic = topic(&s, 0);
    let mut c = Client::logged_in(port, "ensadmin", "password");
    c.subscribe(&object_topic, "o");
    c.subscribe("os-msgs-linux1", "os");
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    conn.execute(
        "UPDATE resources SET properties = json_set(properties, '$.status', 'terminated')
         WHERE uri = '/api/partitions/linux1'",
        [],
    )
    .unwrap();
    let mut beats = 0;
    assert!(
        c.next(Duration::from_millis(300), &mut beats).is_none(),
        "sqlite3 changes are not seen by the outbox"
    );
    let done = Command::new(BIN)
        .arg("--db")
        .arg(&db.path)
        .args(["notify", "/api/partitions/linux1"])
        .output()
        .unwrap();
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let p = c.message();
    assert_eq!(p.get("notification-type"), Some("property-change"));
    assert!(
        p.json()["change-reports"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["property-name"] == "name" && r["new-value"] == "LINUX1")
    );
    let st = c.message();
    assert_eq!(st.get("notification-type"), Some("status-change"));
    assert_eq!(st.json()["change-reports"][0]["new-status"], "terminated");
    let e = Command::new(BIN)
        .arg("--db")
        .arg(&db.path)
        .args(["notify", "/api/partitions/nope"])
        .output()
        .unwrap();
    assert!(!e.status.success());

    hmc.emit_os_messages(
        "os-msgs-linux1",
        "/api/partitions/linux1",
        &[json!({"message-id": 1, "message-text": "login:"})],
    )
    .unwrap();
    let m = c.message();
    assert_eq!(m.get("subscription"), Some("os"));
    assert_eq!(m.get("notification-type"), Some("os-message"));
    assert_eq!(m.get("object-uri"), Some("/api/partitions/linux1"));
    assert_eq!(m.json()["os-messages"][0]["message-text"], "login:");
}

#[test]
fn os_message_channels_and_the_console_logs_notify_their_topics() {
    let db = TempDb::new();
    let (_server, port) = serve(&db);
    let hmc = Hmc::open(&db.path).unwrap();
    let s = hmc.logon("ensadmin", "password").unwrap();
    let opened = s.post(
        "/api/partitions/linux1/operations/open-os-message-channel",
        &json!({"include-refresh-messages": false}),
    );
    assert_eq!(opened.status, 200, "{:?}", opened.json());
    let os_topic = opened.json().unwrap()["topic-name"]
        .as_str()
        .unwrap()
        .to_string();
    let topics = s
        .get_json("/api/sessions/operations/get-notification-topics")
        .unwrap();
    let topic_of = |kind: &str| {
        topics["topics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["topic-type"] == kind)
            .unwrap_or_else(|| panic!("no {kind} in {topics}"))["topic-name"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let mut c = Client::logged_in(port, "ensadmin", "password");
    c.subscribe(&os_topic, "os");
    c.subscribe(&topic_of("audit-notification"), "audit");
    c.subscribe(&topic_of("security-notification"), "security");
    // What happened before (the logon, the channel) may still be on its way.
    let mut beats = 0;
    while c.next(Duration::from_millis(300), &mut beats).is_some() {}

    // A message added by another process (here: the library) reaches the channel.
    hmc.add_os_message("/api/partitions/linux1", "login: ", false, false)
        .unwrap();
    let m = c.message();
    assert_eq!(m.get("subscription"), Some("os"));
    assert_eq!(m.get("notification-type"), Some("os-message"));
    let info = &m.json()["os-messages"][0];
    assert_eq!(info["message-text"], "login: ");
    assert!(info["sequence-number"].is_i64(), "{info}");
    // Send OS Command echoes the command as a message: notified too.
    let sent = s.post(
        "/api/partitions/linux1/operations/send-os-cmd",
        &json!({"operating-system-command-text": "uname -a"}),
    );
    assert_eq!(sent.status, 204, "{:?}", sent.json());
    let m = c.message();
    assert_eq!(m.json()["os-messages"][0]["message-text"], "uname -a");

    // A logon is an event of both logs: a log-entry on each topic.
    let _other = hmc.logon("ensadmin", "password").unwrap();
    let mut logs = Vec::new();
    for _ in 0..2 {
        let m = c.message();
        assert_eq!(m.get("notification-type"), Some("log-entry"));
        let entry = &m.json()["log-entries"][0];
        assert_eq!(entry["userid"], "ensadmin", "{entry}");
        logs.push(m.get("subscription").unwrap().to_string());
    }
    logs.sort();
    assert_eq!(logs, ["audit", "security"]);
}
