//! HMC notifications, independent of STOMP: what an outbox row becomes on
//! the wire (the headers and JSON body zhmcclient's `NotificationReceiver`
//! and auto-updater read), who receives it, and the notifications that no
//! store write produces by itself (OS messages, changes made behind the
//! HMC's back, found by `mock-hmc notify URI`).

use serde_json::{Map, Value, json};

use crate::api::HmcError;
use crate::resources;
use crate::resources::console::CONSOLE;
use crate::resources::os_message;
use crate::secrets;
use crate::store::{
    LogRow, NewNotification, OsMessageFilter, OutboxRow, StoreError, Tx, status_report,
};

/// Who receives a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// Every subscriber of a session's object-notification topic.
    ObjectTopics,
    /// Every subscriber of a session's audit-notification topic.
    AuditTopics,
    /// Every subscriber of a session's security-notification topic.
    SecurityTopics,
    /// The subscribers of this one topic (a job topic, an OS-message topic).
    Topic(String),
}

/// A notification ready to send: its audience, headers (without
/// `session-sequence-nr`, which depends on the topic) and body.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub seq: i64,
    pub audience: Audience,
    pub headers: Vec<(String, String)>,
    /// JSON text, or empty.
    pub body: String,
}

/// The last segment of a URI: the id of the resource.
fn id_of(uri: &str) -> &str {
    uri.rsplit('/').next().unwrap_or(uri)
}

/// Whether `name` is write-only for some type of class `class` (never
/// shown: a password change is notified without the password).
fn write_only(class: &str, name: &str) -> bool {
    resources::ALL
        .iter()
        .any(|rt| rt.class == class && rt.write_only.contains(&name))
}

/// What `row` becomes on the wire; `None` if nothing is left to say (a
/// change of write-only properties only).
pub fn render(row: &OutboxRow) -> Option<Delivery> {
    let mut headers = vec![
        ("notification-type".to_string(), row.kind.clone()),
        ("timestamp".to_string(), row.created_at.to_string()),
    ];
    let class = row.class.clone().unwrap_or_default();
    if row.kind == "log-entry" {
        // About the console, whose log it is.
        headers.push(("object-uri".into(), CONSOLE.element.to_string()));
    } else if row.kind == "job-completion" {
        headers.push(("job-uri".into(), row.uri.clone()));
        if let Some(target) = row
            .body
            .as_ref()
            .and_then(|b| b.get("target-uri"))
            .and_then(Value::as_str)
        {
            headers.push(("object-uri".into(), target.to_string()));
        }
    } else {
        headers.push(("class".into(), class.clone()));
        if row.element {
            let parent = row.parent_uri.clone().unwrap_or_default();
            headers.push(("element-uri".into(), row.uri.clone()));
            headers.push(("element-id".into(), id_of(&row.uri).to_string()));
            headers.push(("object-id".into(), id_of(&parent).to_string()));
            headers.push(("object-uri".into(), parent));
        } else {
            headers.push(("object-uri".into(), row.uri.clone()));
            headers.push(("object-id".into(), id_of(&row.uri).to_string()));
        }
    }
    let body = match (row.kind.as_str(), &row.body) {
        ("inventory-change", Some(b)) => {
            if let Some(action) = b.get("action").and_then(Value::as_str) {
                headers.push(("action".into(), action.to_string()));
            }
            if let Some(name) = b.get("name").and_then(Value::as_str) {
                headers.push(("name".into(), name.to_string()));
            }
            String::new()
        }
        ("property-change", Some(b)) => {
            let reports: Vec<&Value> = b
                .get("change-reports")
                .and_then(Value::as_array)
                .map(|r| {
                    r.iter()
                        .filter(|r| {
                            let name = r.get("property-name").and_then(Value::as_str);
                            !name.is_some_and(|n| write_only(&class, n))
                        })
                        .collect()
                })
                .unwrap_or_default();
            if reports.is_empty() {
                return None;
            }
            json!({ "change-reports": reports }).to_string()
        }
        ("job-completion", _) => String::new(),
        ("log-entry", Some(b)) => json!({ "log-entries": b.get("log-entries") }).to_string(),
        (_, Some(b)) => b.to_string(),
        (_, None) => String::new(),
    };
    let log = row
        .body
        .as_ref()
        .and_then(|b| b.get("log"))
        .and_then(Value::as_str);
    let audience = match (&row.topic, row.kind.as_str(), log) {
        (Some(t), _, _) => Audience::Topic(t.clone()),
        (None, "log-entry", Some("security")) => Audience::SecurityTopics,
        (None, "log-entry", _) => Audience::AuditTopics,
        (None, _, _) => Audience::ObjectTopics,
    };
    Some(Delivery {
        seq: row.seq,
        audience,
        headers,
        body,
    })
}

/// Notifies the current state of `uri` as if it had just changed: a
/// `property-change` reporting every property (without old values) and a
/// `status-change`, for a change made behind the HMC's back (`sqlite3`).
/// Returns whether some `serve` process listens (otherwise nothing is
/// written: nobody would deliver it).
pub fn notify_resource(tx: &Tx<'_>, uri: &str) -> Result<bool, HmcError> {
    let r = tx.resource(uri)?.ok_or_else(|| HmcError::not_found(uri))?;
    if !tx.notifications_wanted()? {
        return Ok(false);
    }
    let element = r.props.get("element-uri").and_then(Value::as_str) == Some(uri);
    let reports: Vec<Value> = r
        .props
        .iter()
        .filter(|(k, _)| !crate::store::STATUS_PROPERTIES.contains(&k.as_str()))
        .map(|(k, v)| json!({"property-name": k, "new-value": v}))
        .collect();
    let base = NewNotification {
        kind: "property-change",
        topic: None,
        uri,
        class: Some(&r.class),
        parent_uri: r.parent.as_deref(),
        element,
        body: Some(json!({ "change-reports": reports })),
    };
    tx.emit(&base)?;
    if r.props.contains_key("status") {
        tx.emit(&NewNotification {
            kind: "status-change",
            body: Some(json!({ "change-reports": [status_report(None, &r.props)] })),
            ..base
        })?;
    }
    Ok(true)
}

/// Notifies OS messages of the partition or LPAR `object_uri` on the
/// OS-message topic `topic` (the one Open OS Message Channel answered).
/// Each message is an object with at least `message-id` and
/// `message-text`. The hook for the OS-message store: call it in the
/// transaction that adds the messages.
pub fn emit_os_messages(
    tx: &Tx<'_>,
    topic: &str,
    object_uri: &str,
    messages: &[Value],
) -> Result<(), StoreError> {
    let class = tx.resource(object_uri)?.map(|r| r.class);
    tx.emit(&NewNotification {
        kind: "os-message",
        topic: Some(topic),
        uri: object_uri,
        class: class.as_deref(),
        parent_uri: None,
        element: false,
        body: Some(json!({ "os-messages": messages })),
    })
}

/// Notifies the new OS message `seq` of `object_uri` on every OS-message
/// channel open to it (Open OS Message Channel), with the message as List
/// OS Messages shows it. Called where messages are added (`mock-hmc
/// os-message`, `Hmc::add_os_message`, Send OS Command's echo).
pub fn os_message_added(tx: &Tx<'_>, object_uri: &str, seq: i64) -> Result<(), StoreError> {
    if !tx.notifications_wanted()? {
        return Ok(());
    }
    let topics = tx.os_message_topics(object_uri)?;
    if topics.is_empty() {
        return Ok(());
    }
    let filter = OsMessageFilter {
        begin: Some(seq),
        end: Some(seq),
        ..OsMessageFilter::default()
    };
    let infos: Vec<Value> = tx
        .os_messages(object_uri, &filter)?
        .iter()
        .map(os_message::message_info)
        .collect();
    for topic in &topics {
        emit_os_messages(tx, topic, object_uri, &infos)?;
    }
    Ok(())
}

/// The kind of a session's topic, from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopicKind {
    Objects,
    Jobs,
    Audit,
    Security,
}

/// The audit-notification topic of a session with this object topic.
pub fn audit_topic(object_topic: &str) -> String {
    format!(
        "{}.audit",
        object_topic
            .strip_suffix(".objects")
            .unwrap_or(object_topic)
    )
}

/// The security-notification topic of a session with this object topic.
pub fn security_topic(object_topic: &str) -> String {
    format!(
        "{}.security",
        object_topic
            .strip_suffix(".objects")
            .unwrap_or(object_topic)
    )
}

/// The session `topic` belongs to (its key) and what kind of topic it is.
pub fn topic_owner(tx: &Tx<'_>, topic: &str) -> Result<Option<(String, TopicKind)>, StoreError> {
    if let Some((session, objects)) = tx.session_of_topic(topic)? {
        let kind = if objects {
            TopicKind::Objects
        } else {
            TopicKind::Jobs
        };
        return Ok(Some((session, kind)));
    }
    for (suffix, kind) in [
        (".audit", TopicKind::Audit),
        (".security", TopicKind::Security),
    ] {
        if let Some(base) = topic.strip_suffix(suffix)
            && let Some((session, true)) = tx.session_of_topic(&format!("{base}.objects"))?
        {
            return Ok(Some((session, kind)));
        }
    }
    Ok(None)
}

/// Notifies a new console log entry (`log-entry`, body `{"log-entries":
/// [entry]}` as Get Console Audit/Security Log shows it) on the audit
/// topics, and on the security topics if it is in the security log.
pub fn log_entry_added(tx: &Tx<'_>, e: &LogRow, entry: &Value) -> Result<(), StoreError> {
    for (wanted, log) in [(e.audit, "audit"), (e.security, "security")] {
        if wanted {
            tx.emit(&NewNotification {
                kind: "log-entry",
                topic: None,
                uri: CONSOLE.element,
                class: Some("console"),
                parent_uri: None,
                element: false,
                body: Some(json!({ "log": log, "log-entries": [entry] })),
            })?;
        }
    }
    Ok(())
}

/// Whether `login`/`passcode` of a STOMP CONNECT may receive
/// notifications: a live session's id and credential, or a console
/// user's name and password (like Logon: an enabled user with that
/// password). The db holds only hashes of both; they are compared as
/// Logon and dispatch compare them.
pub fn stomp_login_ok(
    tx: &Tx<'_>,
    login: &str,
    passcode: &str,
    now: i64,
) -> Result<bool, StoreError> {
    if let Some(s) = tx.session(login)? {
        return Ok(s.expires_at > now && s.credential == secrets::token_key(passcode));
    }
    let users = tx.children_named(Some(CONSOLE.element), "user", login, true)?;
    Ok(users.iter().any(|u| {
        let props: &Map<String, Value> = &u.props;
        props
            .get("password")
            .and_then(Value::as_str)
            .is_some_and(|stored| secrets::verify_password(stored, passcode))
            && props.get("disabled").and_then(Value::as_bool) != Some(true)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(kind: &str, element: bool, body: Value) -> OutboxRow {
        OutboxRow {
            seq: 1,
            kind: kind.into(),
            topic: None,
            uri: "/api/partitions/p/nics/n".into(),
            class: Some("nic".into()),
            parent_uri: Some("/api/partitions/p".into()),
            element,
            body: Some(body),
            created_at: 5,
        }
    }

    #[test]
    fn an_element_names_its_parent_as_object() {
        let d = render(&row(
            "property-change",
            true,
            json!({"change-reports": [{"property-name": "name", "new-value": "x"}]}),
        ))
        .unwrap();
        let h = |k: &str| {
            d.headers
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(h("element-uri"), Some("/api/partitions/p/nics/n"));
        assert_eq!(h("object-uri"), Some("/api/partitions/p"));
        assert_eq!(h("element-id"), Some("n"));
        assert_eq!(h("class"), Some("nic"));
        assert_eq!(d.audience, Audience::ObjectTopics);
    }

    #[test]
    fn write_only_properties_are_not_notified() {
        let mut r = row(
            "property-change",
            false,
            json!({"change-reports": [{"property-name": "password", "new-value": "s"}]}),
        );
        r.class = Some("user".into());
        assert_eq!(render(&r), None);
    }
}
