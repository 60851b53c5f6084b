//! The console's own operations: List Console API Features, Restart and
//! Shutdown Console (and the availability they take away), Make Console
//! Primary, Reorder User Patterns, the audit and security logs, Report a
//! Console Problem, List Unmanaged CPCs.

use crate::resources::cpc::firmware;
use serde_json::{Value, json};

use crate::api::{HmcError, Response};
use crate::ctx::Ctx;
use crate::resources::console::{UNMANAGED_CPC, permitted};
use crate::resources::framework::audit::{self, Event, Logs};
use crate::resources::framework::descriptor::{Answer, Check, Done, Needs, Operation};
use crate::resources::framework::fields::{referenced, required};
use crate::resources::framework::generic::{Pattern, set_properties};
use crate::resources::user_pattern::USER_PATTERN;
use crate::store::{LogKind, META_UNAVAILABLE_UNTIL, Resource, Tx};

/// Meta key: how long (ms) a Restart Console keeps the HMC unavailable.
const META_RESTART_MS: &str = "console-restart-ms";
/// The time a restart takes unless set otherwise (the mock's 5 s).
const DEFAULT_RESTART_MS: i64 = 5_000;

/// The meta key of the API features of the console or CPC at `uri`.
pub fn api_features_key(uri: &str) -> String {
    format!("api-features {uri}")
}

/// The API features of the console or CPC at `uri` (none unless set in a
/// definition file or through the library).
pub fn api_features(tx: &Tx<'_>, uri: &str) -> Result<Vec<String>, HmcError> {
    let Some(text) = tx.meta(&api_features_key(uri))? else {
        return Ok(Vec::new());
    };
    let features: Vec<String> =
        serde_json::from_str(&text).map_err(crate::store::StoreError::from)?;
    Ok(features)
}

/// List Console / CPC API Features: the features, those matching the
/// `name` pattern if given. (The mock's route takes no query, so
/// zhmcclient's `name=` becomes a 404 there and "no features"; the HMC
/// filters.)
pub fn list_features(ctx: &Ctx<'_>, uri: &str) -> Result<Done, HmcError> {
    let query = ctx.query()?;
    let patterns = query
        .values("name")
        .into_iter()
        .map(|v| Pattern::new(v, false))
        .collect::<Result<Vec<_>, _>>()?;
    let features: Vec<Value> = api_features(ctx.tx, uri)?
        .into_iter()
        .map(Value::String)
        .filter(|f| patterns.is_empty() || patterns.iter().any(|p| p.matches(Some(f))))
        .collect();
    Ok(Done::Json(Value::Array(features)))
}

/// Operation: List Console API Features.
fn list_console_features(ctx: &mut Ctx<'_>, console: &mut Resource) -> Result<Done, HmcError> {
    list_features(ctx, &console.uri)
}

/// 503 while a Restart or Shutdown Console keeps the HMC down: every
/// request, from every process sharing the db, is refused until the
/// restart time has passed or the HMC is enabled again (`mock-hmc enable`,
/// `Hmc::enable`). The server closes the connection after it, like an HMC
/// that went away.
pub fn check_available(tx: &Tx<'_>, now: i64) -> Result<(), HmcError> {
    check_until(tx.meta(META_UNAVAILABLE_UNTIL)?.as_deref(), now)
}

/// `check_available` given the stored `console-unavailable-until` value.
pub fn check_until(until: Option<&str>, now: i64) -> Result<(), HmcError> {
    let Some(until) = until else {
        return Ok(());
    };
    let until: i64 = until.parse().unwrap_or(i64::MAX);
    if now >= until {
        return Ok(());
    }
    let why = if until == i64::MAX {
        "has been shut down"
    } else {
        "is restarting"
    };
    Err(HmcError::new(
        503,
        0,
        format!("The HMC {why} and is not available"),
    ))
}

/// Makes the HMC available again after a Shutdown (or a Restart still in
/// progress).
pub fn enable(tx: &Tx<'_>) -> Result<(), HmcError> {
    tx.delete_meta(META_UNAVAILABLE_UNTIL)?;
    Ok(())
}

/// Makes the HMC unavailable until `enable`, as Shutdown Console does but
/// keeping the sessions (FakedHmc's `disable`).
pub fn disable(tx: &Tx<'_>) -> Result<(), HmcError> {
    tx.set_meta(META_UNAVAILABLE_UNTIL, &i64::MAX.to_string())?;
    Ok(())
}

/// Sets how long Restart Console keeps the HMC unavailable.
pub fn set_restart_ms(tx: &Tx<'_>, ms: i64) -> Result<(), HmcError> {
    tx.set_meta(META_RESTART_MS, &ms.to_string())?;
    Ok(())
}

const RESTART: Event = Event {
    id: "9201",
    name: "Console Restart",
    template: "A restart of the console was requested by {0}",
    logs: Logs::Audit,
};

const SHUTDOWN: Event = Event {
    id: "9202",
    name: "Console Shutdown",
    template: "A shutdown of the console was requested by {0}",
    logs: Logs::Audit,
};

/// Takes the HMC down until `until`: every session ends (a restarted HMC
/// knows none; zhmcclient logs on again), and the event is logged.
fn go_down(ctx: &Ctx<'_>, until: i64, event: &Event, reason: &str) -> Result<Done, HmcError> {
    let by = ctx.session.map_or("", |s| s.userid.as_str());
    audit::record(ctx.tx, ctx.now, audit::actor_of(ctx), event, &[by])?;
    for s in ctx.tx.end_all_sessions()? {
        audit::logged_off(ctx.tx, ctx.now, &s, reason)?;
    }
    ctx.tx
        .set_meta(META_UNAVAILABLE_UNTIL, &until.to_string())?;
    // 202 without a body, as the HMC answers both.
    Ok(Done::Response(Response {
        status: 202,
        headers: Vec::new(),
        body: crate::api::Body::Empty,
    }))
}

/// Operation: Restart Console. Unavailable for the restart time (default
/// 5 s), without blocking any request.
fn restart(ctx: &mut Ctx<'_>, _console: &mut Resource) -> Result<Done, HmcError> {
    let ms = ctx
        .tx
        .meta(META_RESTART_MS)?
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(DEFAULT_RESTART_MS);
    go_down(ctx, ctx.now.saturating_add(ms), &RESTART, "console restart")
}

/// Operation: Shutdown Console. Unavailable until enabled again.
fn shutdown(ctx: &mut Ctx<'_>, _console: &mut Resource) -> Result<Done, HmcError> {
    go_down(ctx, i64::MAX, &SHUTDOWN, "console shutdown")
}

/// Operation: Make Console Primary. The console becomes (or stays) the
/// primary HMC of its pair.
fn make_primary(ctx: &mut Ctx<'_>, console: &mut Resource) -> Result<Done, HmcError> {
    set_properties(ctx.tx, console, [("is-primary", json!(true))])?;
    const EVENT: Event = Event {
        id: "9203",
        name: "Console Made Primary",
        template: "The console was made the primary HMC by {0}",
        logs: Logs::Audit,
    };
    let by = ctx.session.map_or("", |s| s.userid.as_str());
    audit::record(ctx.tx, ctx.now, audit::actor_of(ctx), &EVENT, &[by])?;
    Ok(Done::Nothing)
}

/// Operation: Reorder User Patterns. The listed patterns move, in their
/// order, behind the others (the order the HMC searches them in), and each
/// pattern's `search-order-index` becomes its position. An unknown URI is
/// 404.2 naming it (the mock crashes), and nothing moves.
fn reorder_user_patterns(ctx: &mut Ctx<'_>, console: &mut Resource) -> Result<Done, HmcError> {
    let body = ctx.req.json_object()?;
    let uris = match required(&body, "user-pattern-uris")? {
        Value::Array(items) => items,
        other => return Err(HmcError::invalid_field("user-pattern-uris", other)),
    };
    let mut listed = Vec::new();
    for v in uris {
        let uri = v
            .as_str()
            .ok_or_else(|| HmcError::invalid_field("user-pattern-uris", v))?;
        listed.push(referenced(ctx.tx, &USER_PATTERN, uri)?.uri);
    }
    for uri in &listed {
        ctx.tx.move_to_end(uri)?;
    }
    for (i, mut p) in ctx
        .tx
        .children(&console.uri, USER_PATTERN.class)?
        .into_iter()
        .enumerate()
    {
        set_properties(ctx.tx, &mut p, [("search-order-index", json!(i))])?;
    }
    Ok(Done::Nothing)
}

/// A time bound of the log operations: unix milliseconds, or empty for
/// none; 400.1 for anything else.
fn time_bound(ctx: &Ctx<'_>, name: &str) -> Result<Option<i64>, HmcError> {
    let query = ctx.query()?;
    let Some(v) = query.values(name).last().copied() else {
        return Ok(None);
    };
    if v.is_empty() {
        return Ok(None);
    }
    v.parse::<i64>().map(Some).map_err(|_| {
        HmcError::bad_query(format!(
            "Invalid value for query parameter '{name}': '{v}' (a timestamp in milliseconds is required)"
        ))
    })
}

fn log(ctx: &Ctx<'_>, kind: LogKind) -> Result<Done, HmcError> {
    let begin = time_bound(ctx, "begin-time")?;
    let end = time_bound(ctx, "end-time")?;
    let entries: Vec<Value> = ctx
        .tx
        .log_entries(kind, begin, end)?
        .iter()
        .map(audit::entry_json)
        .collect();
    Ok(Done::Json(Value::Array(entries)))
}

/// Operation: Get Console Audit Log (entries between `begin-time` and
/// `end-time`, both optional).
fn get_audit_log(ctx: &mut Ctx<'_>, _console: &mut Resource) -> Result<Done, HmcError> {
    log(ctx, LogKind::Audit)
}

/// Operation: Get Console Security Log.
fn get_security_log(ctx: &mut Ctx<'_>, _console: &mut Resource) -> Result<Done, HmcError> {
    log(ctx, LogKind::Security)
}

/// The problem types Report a Console Problem accepts.
const PROBLEM_TYPES: &[&str] = &["health", "hmc", "test"];

/// Operation: Report a Console Problem (asynchronous). The report is
/// recorded (`reported_problems`) and logged; the job has no result, which
/// zhmcclient takes as success.
fn report_problem(ctx: &mut Ctx<'_>, _console: &mut Resource) -> Result<Done, HmcError> {
    let body = ctx.req.json_object()?;
    for field in [
        "customer-name",
        "customer-phone-number",
        "problem-description",
    ] {
        if !required(&body, field)?.is_string() {
            return Err(HmcError::invalid_field(field, &body[field]));
        }
    }
    let kind = required(&body, "problem-type")?;
    if !kind.as_str().is_some_and(|k| PROBLEM_TYPES.contains(&k)) {
        return Err(HmcError::invalid_field("problem-type", kind));
    }
    let userid = ctx.session.map(|s| s.userid.as_str());
    let number = ctx
        .tx
        .insert_problem(ctx.now, userid, &Value::Object(body.clone()))?;
    const EVENT: Event = Event {
        id: "9204",
        name: "Console Problem Reported",
        template: "Problem {0} of type {1} was reported: {2}",
        logs: Logs::Audit,
    };
    let description = body["problem-description"].as_str().unwrap_or("");
    let kind = kind.as_str().unwrap_or("");
    audit::record(
        ctx.tx,
        ctx.now,
        audit::actor_of(ctx),
        &EVENT,
        &[&number.to_string(), kind, description],
    )?;
    Ok(Done::Nothing)
}

/// Operation: List Unmanaged CPCs (`name` filters; a CPC without a name is
/// listed with null, where the mock crashes).
fn list_unmanaged_cpcs(ctx: &mut Ctx<'_>, console: &mut Resource) -> Result<Done, HmcError> {
    let query = ctx.query()?;
    let patterns = query
        .values("name")
        .into_iter()
        .map(|v| Pattern::new(v, false))
        .collect::<Result<Vec<_>, _>>()?;
    let cpcs: Vec<Value> = ctx
        .tx
        .children(&console.uri, UNMANAGED_CPC.class)?
        .into_iter()
        .filter(|c| patterns.is_empty() || patterns.iter().any(|p| p.matches(c.props.get("name"))))
        .map(|c| json!({"name": c.props.get("name").cloned().unwrap_or(Value::Null), "object-uri": c.uri}))
        .collect();
    Ok(Done::Json(json!({ "cpcs": cpcs })))
}

/// The console's operations, as its descriptor lists them.
pub const OPERATIONS: [Operation; 14] = [
    permitted::LIST_PERMITTED_PARTITIONS,
    permitted::LIST_PERMITTED_LPARS,
    permitted::LIST_PERMITTED_ADAPTERS,
    Operation::get(
        "List Console API Features",
        "/operations/list-features",
        &["name"],
        list_console_features,
    ),
    Operation::post("Restart Console", "/operations/restart", restart),
    Operation::post("Shutdown Console", "/operations/shutdown", shutdown),
    Operation::post(
        "Make Console Primary",
        "/operations/make-primary",
        make_primary,
    ),
    Operation::post(
        "Reorder User Patterns",
        "/operations/reorder-user-patterns",
        reorder_user_patterns,
    ),
    Operation::get(
        "Get Console Audit Log",
        "/operations/get-audit-log",
        &["begin-time", "end-time"],
        get_audit_log,
    ),
    Operation::get(
        "Get Console Security Log",
        "/operations/get-security-log",
        &["begin-time", "end-time"],
        get_security_log,
    ),
    Operation {
        answer: Answer::Job,
        needs: Needs {
            checks: &[Check::Fields(&[
                "customer-name",
                "customer-phone-number",
                "problem-description",
                "problem-type",
            ])],
            ..Needs::NONE
        },
        ..Operation::post(
            "Report a Console Problem",
            "/operations/report-problem",
            report_problem,
        )
    },
    Operation::get(
        "List Unmanaged CPCs",
        "/operations/list-unmanaged-cpcs",
        &["name"],
        list_unmanaged_cpcs,
    ),
    firmware::CONSOLE_SINGLE_STEP_INSTALL,
    firmware::CONSOLE_DELETE_RETRIEVED,
];
