//! The console's audit and security logs, built from what really happens on
//! this HMC: logons, logoffs (also sessions ended by a deleted or disabled
//! user, or by a console restart), refused logons, changes to users, roles
//! and the other security objects (types with `logged`), console
//! operations. Event ids are the HMC's message numbers where its help
//! system names one (1941/1942 Web Services API logon/logoff, 522 invalid
//! password, 1286 disabled user, 1852-1854 user patterns, 1801-1803 user
//! templates); the others are mock-hmc's own, from 9000 up.

use serde_json::{Value, json};

use crate::api::HmcError;
use crate::ctx::Ctx;
use crate::resources::framework::descriptor::ResourceType;
use crate::store::{LogRow, SessionRow, Tx};

/// Which logs an event goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Logs {
    Audit,
    Both,
}

/// One event: its message number, name, message template (`{0}`, `{1}`
/// are the inserts) and logs.
pub struct Event {
    pub id: &'static str,
    pub name: &'static str,
    pub template: &'static str,
    pub logs: Logs,
}

/// Who caused an event: the user's name and URI (none: the HMC itself).
pub type Actor<'a> = Option<(&'a str, Option<&'a str>)>;

/// Records `event` with `inserts` at `now`, caused by `actor`.
pub fn record(
    tx: &Tx<'_>,
    now: i64,
    actor: Actor<'_>,
    event: &Event,
    inserts: &[&str],
) -> Result<(), HmcError> {
    let mut message = event.template.to_string();
    for (i, v) in inserts.iter().enumerate() {
        message = message.replace(&format!("{{{i}}}"), v);
    }
    let logged = Logged {
        id: event.id.to_string(),
        name: event.name.to_string(),
        message,
        security: event.logs == Logs::Both,
    };
    insert(tx, now, actor, logged, inserts)
}

/// An event's text as it is stored.
struct Logged {
    id: String,
    name: String,
    message: String,
    security: bool,
}

/// Stores an event; every event is in the audit log.
fn insert(
    tx: &Tx<'_>,
    now: i64,
    actor: Actor<'_>,
    e: Logged,
    inserts: &[&str],
) -> Result<(), HmcError> {
    let items: Vec<Value> = inserts
        .iter()
        .enumerate()
        .map(|(i, v)| json!({"data-item-number": i, "data-item-type": "string", "data-item-value": v}))
        .collect();
    store_and_notify(
        tx,
        &LogRow {
            event_time: now,
            event_id: e.id,
            event_name: e.name,
            event_message: e.message,
            data_items: Value::Array(items),
            userid: actor.map(|(name, _)| name.to_string()),
            user_uri: actor.and_then(|(_, uri)| uri.map(str::to_string)),
            audit: true,
            security: e.security,
        },
    )?;
    Ok(())
}

/// The actor of a request: its session's user.
pub fn actor_of<'a>(ctx: &'a Ctx<'_>) -> Actor<'a> {
    ctx.session
        .map(|s| (s.userid.as_str(), s.user_uri.as_deref()))
}

/// What the logs call a session: the random tag of its topic names (the
/// session id is a secret and never logged).
fn session_tag(s: &SessionRow) -> &str {
    s.notification_topic.split('.').rev().nth(1).unwrap_or("")
}

const LOGON: Event = Event {
    id: "1941",
    name: "Web Services API Logon",
    template: "User {0} has logged on to Web Services API session {1} from location {2}",
    logs: Logs::Both,
};

const LOGOFF: Event = Event {
    id: "1942",
    name: "Web Services API Logoff",
    template: "User {0} has logged off from Web Services API session {1} due to {2}",
    logs: Logs::Both,
};

const BAD_PASSWORD: Event = Event {
    id: "522",
    name: "Unsuccessful Logon",
    template: "User {0} attempted to log on with a user identification or password that was not valid",
    logs: Logs::Both,
};

const DISABLED: Event = Event {
    id: "1286",
    name: "Unsuccessful Logon",
    template: "User {0} was not permitted to log on since the userid is disabled",
    logs: Logs::Both,
};

/// A logon to session `s`.
pub fn logged_on(tx: &Tx<'_>, now: i64, s: &SessionRow) -> Result<(), HmcError> {
    let actor = Some((s.userid.as_str(), s.user_uri.as_deref()));
    // The WS API request carries no client address into the core.
    record(
        tx,
        now,
        actor,
        &LOGON,
        &[&s.userid, session_tag(s), "Web Services API"],
    )
}

/// The end of session `s`, for `reason` ("logoff", "user deleted", ...).
pub fn logged_off(tx: &Tx<'_>, now: i64, s: &SessionRow, reason: &str) -> Result<(), HmcError> {
    let actor = Some((s.userid.as_str(), s.user_uri.as_deref()));
    record(
        tx,
        now,
        actor,
        &LOGOFF,
        &[&s.userid, session_tag(s), reason],
    )
}

/// A refused logon of `userid`: a wrong password (or unknown user), or a
/// disabled user.
pub fn logon_refused(tx: &Tx<'_>, now: i64, userid: &str, disabled: bool) -> Result<(), HmcError> {
    let event = if disabled { &DISABLED } else { &BAD_PASSWORD };
    record(tx, now, None, event, &[userid])
}

/// What happened to a resource of a logged type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Added,
    Deleted,
    Changed,
}

/// The first message number (added; deleted and changed follow) and the
/// noun of each logged class.
fn change_event_base(class: &str, user_type: Option<&str>) -> (u32, &'static str) {
    match (class, user_type) {
        ("user", Some("template")) => (1801, "user template"),
        ("user", _) => (9001, "user"),
        ("user-pattern", _) => (1852, "user pattern"),
        ("user-role", _) => (9011, "user role"),
        ("password-rule", _) => (9021, "password rule"),
        ("ldap-server-definition", _) => (9031, "LDAP server definition"),
        ("mfa-server-definition", _) => (9041, "MFA server definition"),
        ("sso-server-definition", _) => (9051, "SSO server definition"),
        ("group", _) => (9061, "custom group"),
        _ => (9091, "object"),
    }
}

/// Records that the request in `ctx` added, deleted or changed `name`, a
/// resource of type `rt` (`user_type`: a user's `type`).
pub fn changed(
    ctx: &Ctx<'_>,
    rt: &ResourceType,
    name: &str,
    user_type: Option<&str>,
    change: Change,
) -> Result<(), HmcError> {
    let (base, noun) = change_event_base(rt.class, user_type);
    let (offset, verb, title) = match change {
        Change::Added => (0, "added", "Added"),
        Change::Deleted => (1, "deleted", "Deleted"),
        Change::Changed => (2, "changed", "Changed"),
    };
    let logged = Logged {
        id: (base + offset).to_string(),
        name: format!("{} {title}", capitalized(noun)),
        message: format!("The {noun} {name} was {verb}"),
        security: true,
    };
    insert(ctx.tx, ctx.now, actor_of(ctx), logged, &[name])
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// Records `e` and notifies it (`log-entry`) on the audit and security
/// topics of its logs.
fn store_and_notify(tx: &Tx<'_>, e: &LogRow) -> Result<(), HmcError> {
    tx.insert_log_entry(e)?;
    crate::notifications::log_entry_added(tx, e, &entry_json(e))?;
    Ok(())
}

/// An entry of Get Console Audit Log / Get Console Security Log.
pub fn entry_json(e: &LogRow) -> Value {
    json!({
        "event-time": e.event_time,
        "event-name": e.event_name,
        "event-id": e.event_id,
        "event-message": e.event_message,
        "event-data-items": e.data_items,
        "userid": e.userid,
        "user-uri": e.user_uri,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_tag_is_the_middle_of_the_topic_name() {
        let s = SessionRow {
            id: "secret".into(),
            userid: "u".into(),
            user_uri: None,
            credential: "c".into(),
            notification_topic: "u.abc123.objects".into(),
            job_notification_topic: "u.abc123.jobs".into(),
            created_at: 0,
            last_used_at: 0,
            expires_at: 0,
        };
        assert_eq!(session_tag(&s), "abc123");
    }

    #[test]
    fn user_templates_have_the_hmcs_numbers() {
        assert_eq!(change_event_base("user", Some("template")).0, 1801);
        assert_eq!(change_event_base("user-pattern", None).0, 1852);
    }
}
