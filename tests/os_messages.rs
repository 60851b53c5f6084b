//! Operating system messages of partitions and LPARs: List OS Messages with
//! the book's query parameters, Send OS Command (echoed as a message), Open
//! OS Message Channel (a topic of the session), Get ASCII Console WebSocket
//! URI, and the three ways messages come in (library, `mock-hmc
//! os-message`, one sqlite `INSERT`), through the library and over HTTPS.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use std::process::Command;

use mock_hmc::Hmc;
use mock_hmc::Method::{Get, Post};
use serde_json::{Value, json};
use support::error_table::{self, State, row, row_in};
use support::helpers::{get, post, post_empty, props};
use support::{BIN, Client, RawClient, both, both_raw, db};

const LPAR1: &str = "/api/logical-partitions/classic1-lpar1";
const LPAR2: &str = "/api/logical-partitions/classic1-lpar2";
const LINUX1: &str = "/api/partitions/linux1";
const LINUX2: &str = "/api/partitions/linux2";

fn op(target: &str, name: &str) -> String {
    format!("{target}/operations/{name}")
}

/// The messages List OS Messages answers for `target` with `query`.
fn messages(c: &dyn Client, s: &str, target: &str, query: &str) -> Vec<Value> {
    let uri = format!("{}{query}", op(target, "list-os-messages"));
    let body = props(c, s, &uri);
    body["os-messages"].as_array().unwrap().clone()
}

fn texts(items: &[Value]) -> Vec<&str> {
    items
        .iter()
        .map(|m| m["message-text"].as_str().unwrap())
        .collect()
}

fn numbers(items: &[Value]) -> Vec<i64> {
    items
        .iter()
        .map(|m| m["sequence-number"].as_i64().unwrap())
        .collect()
}

#[test]
fn the_default_hmc_has_os_messages_in_the_books_layout() {
    both(|c, s| {
        let t = c.transport();
        // Act
        let lpar = messages(c, s, LPAR1, "");
        let linux = messages(c, s, LINUX1, "");

        // Assert
        assert_eq!(numbers(&lpar), [0, 1, 2], "{t}");
        assert_eq!(
            texts(&linux),
            ["Linux version 6.8.0 (buildd@s390x) #1 SMP", "linux1 login:"],
            "{t}"
        );
        let held = &lpar[2];
        let mut keys: Vec<&str> = held
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "is-held",
                "is-priority",
                "message-id",
                "message-text",
                "os-name",
                "prompt-text",
                "sequence-number",
                "sound-alarm",
                "timestamp"
            ],
            "{t}"
        );
        assert_eq!(held["is-held"], true, "{t}");
        assert_eq!(held["is-priority"], true, "{t}");
        assert_eq!(held["message-id"], "2", "{t}");
        assert_eq!(held["os-name"], "LPAR1LNX", "{t}: the LPAR's os-name");
        assert!(
            held["timestamp"].as_i64().unwrap() > 1_600_000_000_000,
            "{t}"
        );
        assert!(messages(c, s, LPAR2, "").is_empty(), "{t}");
    });
}

#[test]
fn list_os_messages_filters_by_the_books_query_parameters() {
    both(|c, s| {
        let t = c.transport();
        let q = |query: &str| numbers(&messages(c, s, LPAR1, query));
        assert_eq!(q("?begin-sequence-number=1"), [1, 2], "{t}");
        assert_eq!(q("?end-sequence-number=1"), [0, 1], "{t}");
        assert_eq!(
            q("?begin-sequence-number=1&end-sequence-number=1"),
            [1],
            "{t}"
        );
        assert_eq!(q("?is-held=true"), [2], "{t}");
        assert_eq!(q("?is-held=false"), [0, 1], "{t}");
        assert_eq!(q("?is-priority=false&max-messages=1"), [0], "{t}");
        assert_eq!(q("?max-messages=2"), [0, 1], "{t}");
        assert_eq!(q("?max-messages=0"), [0, 1, 2], "{t}: 0 is no limit");
    });
}

#[test]
fn send_os_command_is_echoed_as_the_next_message() {
    both(|c, s| {
        let t = c.transport();
        for (target, next) in [(LPAR1, 3), (LINUX1, 2)] {
            // Act
            let r = post(
                c,
                s,
                &op(target, "send-os-cmd"),
                json!({"operating-system-command-text": "D T", "is-priority": true}),
            );

            // Assert
            assert_eq!(r.status, 204, "{t}: {:?}", r.body);
            let last = messages(c, s, target, &format!("?begin-sequence-number={next}"));
            assert_eq!(texts(&last), ["D T"], "{t} {target}");
            assert_eq!(last[0]["is-priority"], true, "{t}");
            assert_eq!(last[0]["is-held"], false, "{t}");
        }
    });
}

#[test]
fn messages_come_in_through_the_library_the_cli_and_one_sqlite_insert() {
    both_raw(|c, s| {
        let t = c.transport();
        // Act: the library.
        let seq = Hmc::open(c.db_path())
            .unwrap()
            .add_os_message(LPAR2, "from Rust", true, false)
            .unwrap();
        // Act: the command line.
        let out = Command::new(BIN)
            .arg("--db")
            .arg(c.db_path())
            .args(["os-message", LPAR2, "from the CLI", "--priority"])
            .env_remove("MOCK_HMC_LOG")
            .output()
            .unwrap();
        // Act: the README's sqlite3 INSERT.
        db(c.db_path())
            .execute(
                "insert into os_messages (object_uri, message_text) values (?1, 'from sqlite3')",
                [LPAR2],
            )
            .unwrap();

        // Assert
        assert_eq!(seq, 0, "{t}");
        assert!(
            out.status.success(),
            "{t}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "1", "{t}");
        let all = messages(c, s, LPAR2, "");
        assert_eq!(
            texts(&all),
            ["from Rust", "from the CLI", "from sqlite3"],
            "{t}"
        );
        assert_eq!(numbers(&all), [0, 1, 2], "{t}");
        assert_eq!(
            (&all[0]["is-held"], &all[1]["is-priority"]),
            (&json!(true), &json!(true)),
            "{t}"
        );
        assert!(
            all[2]["timestamp"].as_i64().unwrap() > 1_600_000_000_000,
            "{t}: defaults to now"
        );
    });
}

#[test]
fn os_message_cli_refuses_a_uri_that_is_no_partition_or_lpar() {
    let tmp = support::TempDb::new();
    let out = Command::new(BIN)
        .arg("--db")
        .arg(&tmp.path)
        .args(["os-message", "/api/cpcs/dpm1", "x"])
        .env_remove("MOCK_HMC_LOG")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/api/cpcs/dpm1"));
}

#[test]
fn open_os_message_channel_answers_a_topic_the_session_lists() {
    both(|c, s| {
        let t = c.transport();
        // Act
        let r = post(
            c,
            s,
            &op(LPAR1, "open-os-message-channel"),
            json!({"include-refresh-messages": false}),
        );

        // Assert
        assert_eq!(r.status, 200, "{t}: {:?}", r.body);
        let topic = r.body["topic-name"].as_str().unwrap().to_string();
        let topics =
            props(c, s, "/api/sessions/operations/get-notification-topics")["topics"].clone();
        let os: Vec<&Value> = topics
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["topic-type"] == "os-message-notification")
            .collect();
        assert_eq!(os.len(), 1, "{t}: {topics:?}");
        assert_eq!(os[0]["topic-name"], topic.as_str(), "{t}");
        assert_eq!(os[0]["object-uri"], LPAR1, "{t}");
        assert_eq!(os[0]["include-refresh-messages"], false, "{t}");

        // Act: a second channel of the session to the same LPAR.
        let again = post(c, s, &op(LPAR1, "open-os-message-channel"), json!({}));

        // Assert
        assert_eq!(again.code(), (409, 331), "{t}: {:?}", again.body);
        let other = c.logon("ensadmin", "password");
        let r = post(c, &other, &op(LINUX1, "open-os-message-channel"), json!({}));
        assert_eq!(r.status, 200, "{t}: {:?}", r.body);
        assert_ne!(r.body["topic-name"], topic.as_str(), "{t}");
    });
}

#[test]
fn get_ascii_console_websocket_uri_answers_a_new_websocket() {
    both(|c, s| {
        // Act
        let a = post(
            c,
            s,
            &op(LINUX1, "get-ascii-console-websocket-uri"),
            json!({"force-takeover": false}),
        );
        let b = post_empty(c, s, &op(LINUX1, "get-ascii-console-websocket-uri"));

        // Assert
        let t = c.transport();
        assert_eq!(a.status, 200, "{t}: {:?}", a.body);
        let uri = a.body["websocket-uri"].as_str().unwrap();
        assert!(
            uri.starts_with("/api/websock/") && uri.ends_with("/1"),
            "{t}: {uri}"
        );
        assert_ne!(a.body, b.body, "{t}: each call is a new WebSocket");
    });
}

#[test]
fn os_message_errors_answer_the_hmc_codes_and_change_nothing() {
    both_raw(|c: &dyn RawClient, s| {
        let j = Some;
        let cmd = json!({"operating-system-command-text": "D T"});
        let rows = vec![
            row(
                Get,
                &format!("{}?begin-sequence-number=x", op(LPAR1, "list-os-messages")),
                None,
                400,
                1,
            ),
            row(
                Get,
                &format!("{}?end-sequence-number=-1", op(LPAR1, "list-os-messages")),
                None,
                400,
                1,
            ),
            row(
                Get,
                &format!("{}?is-held=yes", op(LPAR1, "list-os-messages")),
                None,
                400,
                1,
            ),
            row(
                Get,
                &format!("{}?max-messages=1.5", op(LINUX1, "list-os-messages")),
                None,
                400,
                1,
            ),
            row(
                Get,
                &format!("{}?name=x", op(LINUX1, "list-os-messages")),
                None,
                400,
                1,
            ),
            row(
                Get,
                &op("/api/logical-partitions/nope", "list-os-messages"),
                None,
                404,
                1,
            ),
            row(Post, &op(LPAR1, "send-os-cmd"), None, 400, 3),
            row(
                Post,
                &op(LPAR1, "send-os-cmd"),
                j(json!({"is-priority": true})),
                400,
                5,
            ),
            row(
                Post,
                &op(LPAR1, "send-os-cmd"),
                j(json!({"operating-system-command-text": 5})),
                400,
                7,
            ),
            row(
                Post,
                &op(LINUX1, "send-os-cmd"),
                j(json!({"operating-system-command-text": "x", "is-priority": "yes"})),
                400,
                7,
            ),
            row(Post, &op(LPAR2, "send-os-cmd"), j(cmd.clone()), 409, 1),
            row(Post, &op(LINUX2, "send-os-cmd"), j(cmd.clone()), 409, 1),
            row(
                Post,
                &op(LPAR1, "open-os-message-channel"),
                j(json!({"include-refresh-messages": "x"})),
                400,
                7,
            ),
            row(
                Post,
                &op(LINUX1, "get-ascii-console-websocket-uri"),
                j(json!({"force-takeover": 1})),
                400,
                7,
            ),
            row(
                Post,
                &op(LPAR1, "get-ascii-console-websocket-uri"),
                None,
                404,
                1,
            ),
        ];
        let lpar_list = op(LPAR1, "list-os-messages");
        let linux_list = op(LINUX1, "list-os-messages");
        error_table::run(c, s, &rows, &[lpar_list.as_str(), linux_list.as_str()]);
        // In the other mode the lists fail too, so only the stored HMC and
        // the targets are watched there.
        let mut wrong_mode = Vec::new();
        for name in [
            "send-os-cmd",
            "open-os-message-channel",
            "get-ascii-console-websocket-uri",
        ] {
            wrong_mode.push(row_in(
                State::CpcClassic,
                Post,
                &op(LINUX1, name),
                j(cmd.clone()),
                409,
                5,
            ));
        }
        wrong_mode.push(row_in(State::CpcClassic, Get, &linux_list, None, 409, 5));
        for name in ["send-os-cmd", "open-os-message-channel"] {
            wrong_mode.push(row_in(
                State::ClassicInDpm,
                Post,
                &op(LPAR1, name),
                j(cmd.clone()),
                409,
                4,
            ));
        }
        wrong_mode.push(row_in(State::ClassicInDpm, Get, &lpar_list, None, 409, 4));
        error_table::run(c, s, &wrong_mode, &[LPAR1, LINUX1]);
        assert_eq!(messages(c, s, LPAR1, "").len(), 3, "{}", c.transport());
        assert_eq!(messages(c, s, LINUX1, "").len(), 2, "{}", c.transport());
        assert_eq!(
            get(c, s, "/api/sessions/operations/get-notification-topics").body["topics"]
                .as_array()
                .unwrap()
                .len(),
            4, // object, job, audit and security topics
            "{}: no channel was opened",
            c.transport()
        );
    });
}
