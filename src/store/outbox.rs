//! SQL for `notification_outbox`: notifications written by the change that
//! causes them, inside its transaction (a rolled-back request notifies
//! nobody), and read in order by every `serve` process that delivers them.
//! The resource writes in `resources.rs` and job creation in `jobs.rs` call
//! `emit`, so every path that changes the HMC (requests, definition
//! loading, the library, the CLI) notifies.

use rusqlite::{OptionalExtension, params};
use serde_json::{Map, Value, json};

use super::{Resource, StoreError, Tx};

/// Properties whose changes are status changes (`status-change`), not
/// property changes.
pub const STATUS_PROPERTIES: [&str; 3] = ["status", "additional-status", "has-unacceptable-status"];

/// SQL for "now" in Unix milliseconds, readable by old sqlite3 CLIs too.
const NOW_MS: &str = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";

/// A listener whose heartbeat is older than this is gone (it beats every
/// few seconds).
pub const LISTENER_TIMEOUT_MS: i64 = 30_000;

/// One notification as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxRow {
    pub seq: i64,
    /// `property-change`, `status-change`, `inventory-change`,
    /// `job-completion`, `os-message`, ...
    pub kind: String,
    /// `None`: for every session's object-notification topic; else the one
    /// topic it goes to (a job topic, an OS-message topic).
    pub topic: Option<String>,
    /// The resource (or job) it is about.
    pub uri: String,
    pub class: Option<String>,
    pub parent_uri: Option<String>,
    /// An element (`element-uri`; `object-uri` is then the parent).
    pub element: bool,
    /// The kind's payload: change reports, the inventory action, ...
    pub body: Option<Value>,
    pub created_at: i64,
}

/// A notification to write (`seq` and time are given by the store).
#[derive(Debug, Clone, PartialEq)]
pub struct NewNotification<'a> {
    pub kind: &'a str,
    pub topic: Option<&'a str>,
    pub uri: &'a str,
    pub class: Option<&'a str>,
    pub parent_uri: Option<&'a str>,
    pub element: bool,
    pub body: Option<Value>,
}

/// Whether a resource is an element (its URI is its `element-uri`).
fn is_element(uri: &str, props: &Map<String, Value>) -> bool {
    props.get("element-uri").and_then(Value::as_str) == Some(uri)
}

/// The notifications for a change of `uri` from `old` to `new`: one
/// `property-change` with a report per changed property (status
/// properties excepted), one `status-change` if a status property changed.
pub(super) fn change_notifications(
    tx: &Tx<'_>,
    uri: &str,
    class: &str,
    parent: Option<&str>,
    old: &Map<String, Value>,
    new: &Map<String, Value>,
) -> Result<(), StoreError> {
    let mut reports = Vec::new();
    let mut status_changed = false;
    let names = new
        .keys()
        .chain(old.keys().filter(|k| !new.contains_key(*k)));
    for name in names {
        let before = old.get(name).unwrap_or(&Value::Null);
        let after = new.get(name).unwrap_or(&Value::Null);
        if before == after {
            continue;
        }
        if STATUS_PROPERTIES.contains(&name.as_str()) {
            status_changed = true;
        } else {
            reports.push(json!({"property-name": name, "old-value": before, "new-value": after}));
        }
    }
    let element = is_element(uri, new);
    if !reports.is_empty() {
        tx.emit(&NewNotification {
            kind: "property-change",
            topic: None,
            uri,
            class: Some(class),
            parent_uri: parent,
            element,
            body: Some(json!({ "change-reports": reports })),
        })?;
    }
    if status_changed {
        tx.emit(&NewNotification {
            kind: "status-change",
            topic: None,
            uri,
            class: Some(class),
            parent_uri: parent,
            element,
            body: Some(json!({ "change-reports": [status_report(Some(old), new)] })),
        })?;
    }
    Ok(())
}

/// The change report of a `status-change` (old values when known).
pub fn status_report(old: Option<&Map<String, Value>>, new: &Map<String, Value>) -> Value {
    let get = |m: &Map<String, Value>, k: &str| m.get(k).cloned().unwrap_or(Value::Null);
    // Additional status only for resources that have one (zhmcclient would
    // otherwise set a property the resource does not have).
    let additional = new.contains_key("additional-status");
    let mut report = Map::new();
    if let Some(old) = old {
        report.insert("old-status".into(), get(old, "status"));
        if additional {
            report.insert(
                "old-additional-status".into(),
                get(old, "additional-status"),
            );
        }
    }
    report.insert("new-status".into(), get(new, "status"));
    if additional {
        report.insert(
            "new-additional-status".into(),
            get(new, "additional-status"),
        );
    }
    report.insert(
        "has-unacceptable-status".into(),
        new.get("has-unacceptable-status")
            .cloned()
            .unwrap_or(Value::Bool(false)),
    );
    Value::Object(report)
}

/// The `inventory-change` of a resource added or removed.
pub(super) fn inventory_notification(
    tx: &Tx<'_>,
    r: &Resource,
    action: &str,
) -> Result<(), StoreError> {
    tx.emit(&NewNotification {
        kind: "inventory-change",
        topic: None,
        uri: &r.uri,
        class: Some(&r.class),
        parent_uri: r.parent.as_deref(),
        element: is_element(&r.uri, &r.props),
        body: Some(json!({ "action": action, "name": r.props.get("name") })),
    })
}

impl Tx<'_> {
    /// Whether some `serve` process delivers notifications: without one,
    /// changes write none (nobody would read them).
    pub fn notifications_wanted(&self) -> Result<bool, StoreError> {
        if let Some(listened) = self.listened.get() {
            return Ok(listened);
        }
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT 1 FROM notification_listeners WHERE heartbeat_at > {NOW_MS} - ?1 LIMIT 1"
        ))?;
        let listened = stmt.exists([LISTENER_TIMEOUT_MS])?;
        self.listened.set(Some(listened));
        Ok(listened)
    }

    /// Records (or refreshes) the listener `id` of process `pid` as alive.
    pub fn listener_heartbeat(&self, id: &str, pid: u32) -> Result<(), StoreError> {
        self.exec(
            &format!(
                "INSERT INTO notification_listeners (id, pid, heartbeat_at) VALUES (?1, ?2, {NOW_MS})
                 ON CONFLICT(id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at"
            ),
            params![id, pid],
        )?;
        self.exec(
            &format!("DELETE FROM notification_listeners WHERE heartbeat_at <= {NOW_MS} - ?1"),
            [LISTENER_TIMEOUT_MS],
        )?;
        Ok(())
    }

    /// Forgets the listener `id` (a `serve` process shutting down).
    pub fn remove_listener(&self, id: &str) -> Result<(), StoreError> {
        self.exec("DELETE FROM notification_listeners WHERE id = ?1", [id])?;
        Ok(())
    }

    /// Writes a notification, delivered once the transaction commits (if a
    /// `serve` process listens; otherwise nothing is written).
    pub fn emit(&self, n: &NewNotification<'_>) -> Result<(), StoreError> {
        if !self.notifications_wanted()? {
            return Ok(());
        }
        let body = n.body.as_ref().map(serde_json::to_string).transpose()?;
        let mut stmt = self.conn.prepare_cached(&format!(
            "INSERT INTO notification_outbox
                 (kind, topic, uri, class, parent_uri, element, body, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, {NOW_MS})"
        ))?;
        stmt.execute(params![
            n.kind,
            n.topic,
            n.uri,
            n.class,
            n.parent_uri,
            n.element,
            body
        ])?;
        Ok(())
    }

    /// Up to `limit` notifications after `seq`, in order.
    pub fn notifications_after(&self, seq: i64, limit: i64) -> Result<Vec<OutboxRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, kind, topic, uri, class, parent_uri, element, body, created_at
             FROM notification_outbox WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![seq, limit], |r| {
            Ok((
                OutboxRow {
                    seq: r.get(0)?,
                    kind: r.get(1)?,
                    topic: r.get(2)?,
                    uri: r.get(3)?,
                    class: r.get(4)?,
                    parent_uri: r.get(5)?,
                    element: r.get(6)?,
                    body: None,
                    created_at: r.get(8)?,
                },
                r.get::<_, Option<String>>(7)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (mut n, body) = row?;
            n.body = body.map(|b| serde_json::from_str(&b)).transpose()?;
            out.push(n);
        }
        Ok(out)
    }

    /// The newest notification's `seq` (0 if none).
    pub fn last_notification_seq(&self) -> Result<i64, StoreError> {
        Ok(self.conn.query_row(
            "SELECT coalesce(max(seq), 0) FROM notification_outbox",
            [],
            |r| r.get(0),
        )?)
    }

    /// Deletes the notifications up to `seq` that are older than
    /// `before_ms` (Unix ms). Returns how many went.
    pub fn prune_notifications(&self, seq: i64, before_ms: i64) -> Result<usize, StoreError> {
        Ok(self.exec(
            "DELETE FROM notification_outbox WHERE seq <= ?1 AND created_at < ?2",
            params![seq, before_ms],
        )?)
    }

    /// The topics of the OS message channels open to `object_uri`.
    pub fn os_message_topics(&self, object_uri: &str) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT topic_name FROM os_message_channels WHERE object_uri = ?1 ORDER BY created_at",
        )?;
        let rows = stmt.query_map([object_uri], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The session whose object-notification (`true`) or job-notification
    /// (`false`) topic `topic` is.
    pub fn session_of_topic(&self, topic: &str) -> Result<Option<(String, bool)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, notification_topic = ?1 FROM sessions
             WHERE notification_topic = ?1 OR job_notification_topic = ?1",
        )?;
        Ok(stmt
            .query_row([topic], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }
}
