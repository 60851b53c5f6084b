//! Operating system messages of partitions (DPM) and LPARs (classic): List
//! OS Messages from the `os_messages` table, Send OS Command (recorded and
//! echoed as a new message, as a console shows it), Open OS Message Channel
//! (the topic is stored for the notifications that will deliver new
//! messages on it), and Get ASCII Console WebSocket URI for partitions.
//! Messages come in through `Hmc::add_os_message`, the `mock-hmc os-message`
//! command or one `INSERT` into `os_messages`.

use serde_json::{Value, json};

use crate::api::{HmcError, Query};
use crate::ctx::Ctx;
use crate::resources::framework::descriptor::{Check, Done, Mode, Needs, Operation, Statuses};
use crate::resources::framework::fields::{optional_body, required};
use crate::resources::framework::preconditions::{CLASSIC, DPM};
use crate::store::{NewOsMessage, OsMessageFilter, OsMessageRow, Resource, Tx};

/// The query parameters of List OS Messages.
const LIST_QUERY: &[&str] = &[
    "begin-sequence-number",
    "end-sequence-number",
    "is-held",
    "is-priority",
    "max-messages",
];

/// 400.1 for a query parameter whose value is not of its type.
fn bad_value(name: &str, value: &str, what: &str) -> HmcError {
    HmcError::bad_query(format!(
        "Invalid value for query parameter '{name}': '{value}' ({what} is required)"
    ))
}

/// The last value of the integer query parameter `name` (at least `min`).
fn integer(query: &Query, name: &str, min: i64) -> Result<Option<i64>, HmcError> {
    let Some(text) = query.values(name).last().copied() else {
        return Ok(None);
    };
    match text.trim().parse::<i64>() {
        Ok(n) if n >= min => Ok(Some(n)),
        _ => Err(bad_value(name, text, "an integer")),
    }
}

/// The last value of the boolean query parameter `name` (`true`/`false`).
fn boolean(query: &Query, name: &str) -> Result<Option<bool>, HmcError> {
    match query.values(name).last().copied() {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(other) => Err(bad_value(name, other, "true or false")),
    }
}

/// The book's `os-message-info` of a stored message; a message without an
/// OS message id shows its sequence number as id.
pub(crate) fn message_info(m: &OsMessageRow) -> Value {
    json!({
        "sequence-number": m.sequence_number,
        "message-text": m.message_text,
        "message-id": m.message_id.clone().unwrap_or_else(|| m.sequence_number.to_string()),
        "timestamp": m.timestamp,
        "sound-alarm": m.sound_alarm,
        "is-priority": m.is_priority,
        "is-held": m.is_held,
        "prompt-text": m.prompt_text,
        "os-name": m.os_name,
    })
}

/// Operation: List OS Messages (of a partition or an LPAR). Messages with
/// sequence numbers from `begin-sequence-number` to `end-sequence-number`,
/// held or not (`is-held`), priority or not (`is-priority`), at most
/// `max-messages` of them (0: no limit), the lowest numbers first.
fn list(ctx: &mut Ctx<'_>, target: &mut Resource) -> Result<Done, HmcError> {
    let query = ctx.query()?;
    let filter = OsMessageFilter {
        begin: integer(&query, "begin-sequence-number", 0)?,
        end: integer(&query, "end-sequence-number", 0)?,
        is_held: boolean(&query, "is-held")?,
        is_priority: boolean(&query, "is-priority")?,
        max: integer(&query, "max-messages", 0)?.filter(|n| *n > 0),
    };
    let messages = ctx.tx.os_messages(&target.uri, &filter)?;
    let infos: Vec<Value> = messages.iter().map(message_info).collect();
    Ok(Done::Json(json!({"os-messages": infos})))
}

/// An optional boolean body field (400.7 if it is not a boolean).
fn flag(
    body: &serde_json::Map<String, Value>,
    name: &str,
    default: bool,
) -> Result<bool, HmcError> {
    match body.get(name) {
        None => Ok(default),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(HmcError::invalid_field(name, other)),
    }
}

/// Operation: Send OS Command (to a partition or an LPAR). The command
/// text (400.5 without it, 400.7 if not a string) is recorded as the next
/// message of the target, as the operating system's console echoes it,
/// with `is-priority` as sent.
fn send(ctx: &mut Ctx<'_>, target: &mut Resource) -> Result<Done, HmcError> {
    let body = ctx.req.json_object()?;
    let field = "operating-system-command-text";
    let text = match required(&body, field)? {
        Value::String(s) => s.clone(),
        other => return Err(HmcError::invalid_field(field, other)),
    };
    let priority = flag(&body, "is-priority", false)?;
    let seq = ctx.tx.insert_os_message(
        &target.uri,
        &NewOsMessage {
            message_text: &text,
            is_priority: priority,
            timestamp: Some(ctx.now),
            os_name: target.str_prop("os-name"),
            ..NewOsMessage::default()
        },
    )?;
    crate::notifications::os_message_added(ctx.tx, &target.uri, seq)?;
    Ok(Done::Nothing)
}

/// 409.331: the session has a channel to the target already (zhmcclient's
/// OS message forwarder then finds its topic with Get Notification Topics).
fn channel_open(target: &Resource) -> HmcError {
    HmcError::conflict(
        331,
        format!(
            "An OS message channel to {} is already open for this session",
            target.name()
        ),
    )
}

/// Operation: Open OS Message Channel (to a partition or an LPAR). Answers
/// the channel's topic, which the session's notification topics list from
/// then on; `include-refresh-messages` (default true) is kept for the
/// notifications, which deliver the messages on it.
fn open(ctx: &mut Ctx<'_>, target: &mut Resource) -> Result<Done, HmcError> {
    let body = optional_body(ctx.req)?;
    let refresh = flag(&body, "include-refresh-messages", true)?;
    let Some(session) = ctx.session else {
        return Err(HmcError::no_session());
    };
    if ctx
        .tx
        .os_message_channel(&session.id, &target.uri)?
        .is_some()
    {
        return Err(channel_open(target));
    }
    // The session's topics share a prefix (`<user>.<short>.`); the channel's
    // adds the target's id.
    let prefix = session
        .notification_topic
        .strip_suffix(".objects")
        .unwrap_or(&session.notification_topic);
    let id = target.uri.rsplit('/').next().unwrap_or_default();
    let topic = format!("{prefix}.os.{id}");
    ctx.tx
        .insert_os_message_channel(&session.id, &target.uri, &topic, refresh, ctx.now)?;
    Ok(Done::Json(json!({"topic-name": topic})))
}

/// The `os-message-notification` topics of the session, for Get
/// Notification Topics.
pub fn session_topics(tx: &Tx<'_>, session_id: &str) -> Result<Vec<Value>, HmcError> {
    Ok(tx
        .os_message_channels(session_id)?
        .into_iter()
        .map(|(object_uri, topic, refresh)| {
            json!({
                "topic-type": "os-message-notification",
                "topic-name": topic,
                "object-uri": object_uri,
                "include-refresh-messages": refresh,
            })
        })
        .collect())
}

/// Operation: Get ASCII Console WebSocket URI (partitions). Answers the
/// URI of a new WebSocket to the partition's console (`force-takeover`, if
/// given, must be a boolean: 400.7).
fn websocket_uri(ctx: &mut Ctx<'_>, _partition: &mut Resource) -> Result<Done, HmcError> {
    let body = optional_body(ctx.req)?;
    flag(&body, "force-takeover", false)?;
    let token = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    Ok(Done::Json(
        json!({"websocket-uri": format!("/api/websock/{token}/1")}),
    ))
}

/// An LPAR runs an operating system that takes commands.
const LPAR_RUNNING: Statuses = Statuses::Only(&["operating", "exceptions"]);
/// A partition runs an operating system that takes commands.
const PARTITION_RUNNING: Statuses = Statuses::Only(&["active", "degraded"]);

const SEND_TO_LPAR: Needs = Needs {
    mode: Mode::Classic,
    checks: &[Check::PartitionStatus(LPAR_RUNNING)],
};

const SEND_TO_PARTITION: Needs = Needs {
    mode: Mode::Dpm,
    checks: &[Check::PartitionStatus(PARTITION_RUNNING)],
};

/// Operation row: List OS Messages of a Logical Partition.
pub const LIST_LPAR: Operation = Operation {
    needs: CLASSIC,
    ..Operation::get(
        "List OS Messages of a Logical Partition",
        "/operations/list-os-messages",
        LIST_QUERY,
        list,
    )
};

/// Operation row: Send OS Command to a Logical Partition.
pub const SEND_LPAR: Operation = Operation {
    needs: SEND_TO_LPAR,
    ..Operation::post(
        "Send OS Command to a Logical Partition",
        "/operations/send-os-cmd",
        send,
    )
};

/// Operation row: Open OS Message Channel of a Logical Partition.
pub const OPEN_LPAR: Operation = Operation {
    needs: CLASSIC,
    ..Operation::post(
        "Open OS Message Channel of a Logical Partition",
        "/operations/open-os-message-channel",
        open,
    )
};

/// Operation row: List OS Messages of a Partition.
pub const LIST_PARTITION: Operation = Operation {
    needs: DPM,
    ..Operation::get(
        "List OS Messages of a Partition",
        "/operations/list-os-messages",
        LIST_QUERY,
        list,
    )
};

/// Operation row: Send OS Command to a Partition.
pub const SEND_PARTITION: Operation = Operation {
    needs: SEND_TO_PARTITION,
    ..Operation::post(
        "Send OS Command to a Partition",
        "/operations/send-os-cmd",
        send,
    )
};

/// Operation row: Open OS Message Channel of a Partition.
pub const OPEN_PARTITION: Operation = Operation {
    needs: DPM,
    ..Operation::post(
        "Open OS Message Channel of a Partition",
        "/operations/open-os-message-channel",
        open,
    )
};

/// The messages the default HMC starts with: (partition or LPAR URI, text,
/// held, priority), as a booting Linux and a z/OS-like console show them.
pub const DEFAULT_MESSAGES: &[(&str, &str, bool, bool)] = &[
    (
        "/api/partitions/linux1",
        "Linux version 6.8.0 (buildd@s390x) #1 SMP",
        false,
        false,
    ),
    ("/api/partitions/linux1", "linux1 login:", false, false),
    (
        "/api/logical-partitions/classic1-lpar1",
        "Uncompressing Linux... ",
        false,
        false,
    ),
    (
        "/api/logical-partitions/classic1-lpar1",
        "Ok, booting the kernel.",
        false,
        false,
    ),
    (
        "/api/logical-partitions/classic1-lpar1",
        "*01 IEA347A SPECIFY MASTER CATALOG PARAMETER",
        true,
        true,
    ),
];

/// Adds a message for the partition or LPAR at `uri` (404.1 for another
/// URI); returns its sequence number. `Hmc::add_os_message` and the default
/// HMC use it.
pub fn add(
    tx: &Tx<'_>,
    uri: &str,
    text: &str,
    held: bool,
    priority: bool,
) -> Result<i64, HmcError> {
    let target = tx
        .resource(uri)?
        .filter(|r| r.class == "partition" || r.class == "logical-partition")
        .ok_or_else(|| HmcError::not_found(uri))?;
    let seq = tx.insert_os_message(
        uri,
        &NewOsMessage {
            message_text: text,
            is_held: held,
            is_priority: priority,
            timestamp: None,
            os_name: target.str_prop("os-name"),
        },
    )?;
    crate::notifications::os_message_added(tx, uri, seq)?;
    Ok(seq)
}

/// Operation row: Get ASCII Console WebSocket URI (partitions).
pub const WEBSOCKET_PARTITION: Operation = Operation {
    needs: DPM,
    ..Operation::post(
        "Get ASCII Console WebSocket URI",
        "/operations/get-ascii-console-websocket-uri",
        websocket_uri,
    )
};
