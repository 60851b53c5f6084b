//! Sessions like a real HMC: Query API Version without a session, Logon
//! checks the password of a defined, enabled user, every other request needs
//! a known `X-API-Session`, Logoff and idle expiry end a session.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use mock_hmc::Method;
use mock_hmc::test_support::session_key;
use rusqlite::params;
use serde_json::{Value, json};
use support::helpers::keys;
use support::{RawClient, Reply, both_raw, db};

const BAD_SESSION: &str = "x-api-session header did not map to a known session";

fn logon_reply(c: &dyn RawClient, user: &str, password: &str) -> Reply {
    c.send(
        Method::Post,
        "/api/sessions",
        None,
        Some(&json!({"userid": user, "password": password})),
    )
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// Sets one property of the stored resource at `uri` (as an operator would
/// with sqlite3), for properties no operation of the mock writes yet.
fn set_stored_property(path: &Path, uri: &str, name: &str, value: Value) {
    let conn = db(path);
    let text: String = conn
        .query_row(
            "SELECT properties FROM resources WHERE uri = ?1",
            [uri],
            |r| r.get(0),
        )
        .unwrap();
    let mut props: Value = serde_json::from_str(&text).unwrap();
    props[name] = value;
    let n = conn
        .execute(
            "UPDATE resources SET properties = ?2 WHERE uri = ?1",
            params![uri, props.to_string()],
        )
        .unwrap();
    assert_eq!(n, 1, "{uri}");
}

/// (last_used_at, expires_at) of a stored session (stored under the key
/// of its id).
fn session_times(path: &Path, id: &str) -> (i64, i64) {
    db(path)
        .query_row(
            "SELECT last_used_at, expires_at FROM sessions WHERE id = ?1",
            [session_key(id)],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

/// Rewrites a session's clock, as if time had passed since its last use.
fn set_session_times(path: &Path, id: &str, last_used_at: i64, expires_at: i64) {
    let n = db(path)
        .execute(
            "UPDATE sessions SET last_used_at = ?2, expires_at = ?3 WHERE id = ?1",
            params![session_key(id), last_used_at, expires_at],
        )
        .unwrap();
    assert_eq!(n, 1, "session {id}");
}

#[test]
fn query_api_version_works_without_a_session() {
    both_raw(|c, _| {
        // Act
        let r = c.send(Method::Get, "/api/version", None, None);

        // Assert
        assert_eq!(r.status, 200, "{}: {:?}", c.transport(), r.body);
        assert_eq!(
            keys(&r.body),
            [
                "api-major-version",
                "api-minor-version",
                "hmc-name",
                "hmc-version"
            ],
            "{}",
            c.transport()
        );
        assert_eq!(r.body["api-major-version"], 4, "{}", c.transport());
        assert_eq!(r.body["api-minor-version"], 10, "{}", c.transport());
        assert!(
            r.body["hmc-name"].is_string(),
            "{}: {:?}",
            c.transport(),
            r.body
        );
        assert!(
            r.body["hmc-version"].is_string(),
            "{}: {:?}",
            c.transport(),
            r.body
        );
    });
}

#[test]
fn every_other_uri_without_x_api_session_is_403_reason_4() {
    both_raw(|c, _| {
        for (method, uri) in [
            (Method::Get, "/api/console"),
            (Method::Get, "/api/cpcs"),
            (Method::Get, "/api/cpcs/dpm1"),
            (Method::Get, "/api/cpcs/dpm1/partitions"),
            (Method::Get, "/api/partitions/linux1"),
            (Method::Post, "/api/partitions/linux2/operations/start"),
            (Method::Delete, "/api/partitions/linux2"),
            (Method::Get, "/api/partitions/linux1/nics/nic1"),
            (
                Method::Get,
                "/api/sessions/operations/get-notification-topics",
            ),
            (Method::Delete, "/api/sessions/this-session"),
            (Method::Get, "/api/jobs/some-job"),
        ] {
            // Act
            let r = c.send(method, uri, None, None);

            // Assert
            assert_eq!(
                r.code(),
                (403, 4),
                "{} {method} {uri}: {:?}",
                c.transport(),
                r.body
            );
        }
        let p = c.send(
            Method::Get,
            "/api/partitions/linux2",
            Some(&c.logon("ensadmin", "password")),
            None,
        );
        assert_eq!(
            p.body["status"],
            "stopped",
            "{}: the refused start ran",
            c.transport()
        );
    });
}

#[test]
fn unknown_session_id_is_403_reason_5_with_the_message_zhmcclient_knows() {
    both_raw(|c, _| {
        // Act
        let r = c.send(Method::Get, "/api/console", Some("no-such-session"), None);

        // Assert
        assert_eq!(r.code(), (403, 5), "{}: {:?}", c.transport(), r.body);
        assert_eq!(r.body["message"], BAD_SESSION, "{}", c.transport());
    });
}

#[test]
fn logon_answers_a_fresh_64_hex_digit_session_id_each_time() {
    both_raw(|c, _| {
        // Act
        let a = logon_reply(c, "ensadmin", "password");
        let b = logon_reply(c, "ensadmin", "password");

        // Assert
        let id = |r: &Reply| r.body["api-session"].as_str().unwrap_or("").to_string();
        for r in [&a, &b] {
            assert_eq!(r.status, 200, "{}: {:?}", c.transport(), r.body);
            let s = id(r);
            assert_eq!(s.len(), 64, "{}: {s}", c.transport());
            assert!(
                s.chars().all(|ch| ch.is_ascii_hexdigit()),
                "{}: {s}",
                c.transport()
            );
            for key in [
                "session-credential",
                "notification-topic",
                "job-notification-topic",
                "api-major-version",
                "api-minor-version",
                "password-expires",
            ] {
                assert!(
                    r.body.get(key).is_some(),
                    "{}: no {key} in {:?}",
                    c.transport(),
                    r.body
                );
            }
            assert_eq!(r.body["api-major-version"], 4, "{}", c.transport());
            assert_eq!(r.body["api-minor-version"], 10, "{}", c.transport());
        }
        assert_ne!(id(&a), id(&b), "{}", c.transport());
        assert_ne!(
            a.body["notification-topic"],
            b.body["notification-topic"],
            "{}",
            c.transport()
        );
    });
}

#[test]
fn logoff_ends_the_session_and_its_id_is_then_403_reason_5() {
    both_raw(|c, other| {
        // Arrange
        let s = c.logon("ensoperator", "password");
        assert_eq!(
            c.send(Method::Get, "/api/console", Some(&s), None).status,
            200
        );

        // Act
        let off = c.send(Method::Delete, "/api/sessions/this-session", Some(&s), None);

        // Assert
        assert_eq!(off.status, 204, "{}: {:?}", c.transport(), off.body);
        let r = c.send(Method::Get, "/api/console", Some(&s), None);
        assert_eq!(r.code(), (403, 5), "{}: {:?}", c.transport(), r.body);
        assert_eq!(r.body["message"], BAD_SESSION, "{}", c.transport());
        let again = c.send(Method::Delete, "/api/sessions/this-session", Some(&s), None);
        assert_eq!(again.code(), (403, 5), "{}", c.transport());
        let still = c.send(Method::Get, "/api/console", Some(other), None);
        assert_eq!(
            still.status,
            200,
            "{}: another session ended too",
            c.transport()
        );
    });
}

#[test]
fn logon_with_a_wrong_password_is_403_reason_0() {
    both_raw(|c, _| {
        // Act
        let r = logon_reply(c, "ensadmin", "not-the-password");

        // Assert
        assert_eq!(r.code(), (403, 0), "{}: {:?}", c.transport(), r.body);
        assert!(r.body.get("api-session").is_none(), "{}", c.transport());
    });
}

#[test]
fn logon_of_an_unknown_user_is_403() {
    both_raw(|c, _| {
        // Act
        let r = logon_reply(c, "nobody", "password");

        // Assert
        assert_eq!(r.code(), (403, 0), "{}: {:?}", c.transport(), r.body);
    });
}

#[test]
fn userid_is_matched_ignoring_case_but_the_password_is_not() {
    both_raw(|c, _| {
        // Act
        let upper = logon_reply(c, "ENSADMIN", "password");
        let wrong_case = logon_reply(c, "ensadmin", "PASSWORD");

        // Assert
        assert_eq!(upper.status, 200, "{}: {:?}", c.transport(), upper.body);
        assert_eq!(wrong_case.code(), (403, 0), "{}", c.transport());
    });
}

#[test]
fn a_disabled_user_cannot_log_on() {
    both_raw(|c, _| {
        // Arrange
        assert_eq!(
            logon_reply(c, "ensoperator", "password").status,
            200,
            "{}",
            c.transport()
        );
        set_stored_property(
            c.db_path(),
            "/api/users/ensoperator",
            "disabled",
            json!(true),
        );

        // Act
        let r = logon_reply(c, "ensoperator", "password");

        // Assert
        assert_eq!(r.code(), (403, 0), "{}: {:?}", c.transport(), r.body);
    });
}

#[test]
fn logon_without_body_is_400_reason_3_and_without_password_400_reason_5() {
    both_raw(|c, _| {
        // Act
        let no_body = c.send(Method::Post, "/api/sessions", None, None);
        let no_password = c.send(
            Method::Post,
            "/api/sessions",
            None,
            Some(&json!({"userid": "ensadmin"})),
        );

        // Assert
        assert_eq!(
            no_body.code(),
            (400, 3),
            "{}: {:?}",
            c.transport(),
            no_body.body
        );
        assert_eq!(
            no_password.code(),
            (400, 5),
            "{}: {:?}",
            c.transport(),
            no_password.body
        );
        assert_eq!(
            no_password.body["message"],
            "Missing required field in request body: password",
            "{}",
            c.transport()
        );
    });
}

#[test]
fn get_notification_topics_returns_the_topics_of_the_logon_response() {
    both_raw(|c, _| {
        // Arrange
        let logon = logon_reply(c, "ensadmin", "password");
        let s = logon.body["api-session"].as_str().unwrap();

        // Act
        let r = c.send(
            Method::Get,
            "/api/sessions/operations/get-notification-topics",
            Some(s),
            None,
        );

        // Assert
        assert_eq!(r.status, 200, "{}: {:?}", c.transport(), r.body);
        let topics = r.body["topics"].as_array().unwrap();
        let name_of = |t: &str| {
            topics
                .iter()
                .find(|x| x["topic-type"] == t)
                .map(|x| x["topic-name"].clone())
                .unwrap_or(Value::Null)
        };
        assert_eq!(
            name_of("object-notification"),
            logon.body["notification-topic"],
            "{}",
            c.transport()
        );
        assert_eq!(
            name_of("job-notification"),
            logon.body["job-notification-topic"],
            "{}",
            c.transport()
        );
        assert!(
            logon.body["notification-topic"].is_string(),
            "{}",
            c.transport()
        );
        assert_ne!(
            logon.body["notification-topic"],
            logon.body["job-notification-topic"],
            "{}",
            c.transport()
        );
    });
}

#[test]
fn idle_session_expires_after_the_users_idle_timeout() {
    both_raw(|c, other| {
        // Arrange: ensoperator's sessions expire after one idle minute.
        set_stored_property(
            c.db_path(),
            "/api/users/ensoperator",
            "web-services-api-session-idle-timeout",
            json!(1),
        );
        let s = c.logon("ensoperator", "password");
        let (last_used, expires) = session_times(c.db_path(), &s);
        assert_eq!(
            expires - last_used,
            60_000,
            "{}: idle timeout not applied",
            c.transport()
        );
        assert_eq!(
            c.send(Method::Get, "/api/console", Some(&s), None).status,
            200
        );

        // Act: two idle minutes pass.
        let now = now_ms();
        set_session_times(c.db_path(), &s, now - 120_000, now - 60_000);
        let r = c.send(Method::Get, "/api/console", Some(&s), None);

        // Assert
        assert_eq!(r.code(), (403, 5), "{}: {:?}", c.transport(), r.body);
        assert_eq!(r.body["message"], BAD_SESSION, "{}", c.transport());
        let still = c.send(Method::Get, "/api/console", Some(other), None);
        assert_eq!(
            still.status,
            200,
            "{}: another session expired too",
            c.transport()
        );
    });
}

#[test]
fn a_session_in_use_has_its_idle_expiry_pushed_out_before_it_ends() {
    both_raw(|c, _| {
        // Arrange: last used 50 s ago, one idle minute allowed, 10 s left.
        set_stored_property(
            c.db_path(),
            "/api/users/ensoperator",
            "web-services-api-session-idle-timeout",
            json!(1),
        );
        let s = c.logon("ensoperator", "password");
        let now = now_ms();
        set_session_times(c.db_path(), &s, now - 50_000, now + 10_000);

        // Act
        let r = c.send(Method::Get, "/api/console", Some(&s), None);

        // Assert
        assert_eq!(r.status, 200, "{}: {:?}", c.transport(), r.body);
        let (last_used, expires) = session_times(c.db_path(), &s);
        assert!(
            last_used >= now,
            "{}: last_used_at not touched",
            c.transport()
        );
        assert_eq!(expires - last_used, 60_000, "{}", c.transport());
    });
}

#[test]
fn get_user_never_returns_the_password() {
    both_raw(|c, s| {
        // Act
        let all = c.send(Method::Get, "/api/users/ensadmin", Some(s), None);

        // Assert
        assert_eq!(all.status, 200, "{}: {:?}", c.transport(), all.body);
        assert!(all.body.get("password").is_none(), "{}", c.transport());
        assert!(all.body.get("name").is_some(), "{}", c.transport());
        assert!(
            !all.body.to_string().contains("\"password\""),
            "{}",
            c.transport()
        );
    });
}
