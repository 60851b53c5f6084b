//! The STP operations of a CPC (any mode): Set STP Configuration, Change,
//! Join and Leave STP-only Coordinated Timing Network, Swap Current Time
//! Server. A CPC's `stp-id` names the CTN it belongs to (null: none); the
//! current time server of a CTN holds its `stp-configuration` (preferred
//! and backup time servers, arbiter, which of the two is current). CPCs
//! with one `stp-id` form a CTN, so renaming one renames it for all. The
//! conflicts are 409 reason 0 (our code; the book's was not checked).

use serde_json::{Map, Value, json};

use crate::api::HmcError;
use crate::ctx::Ctx;
use crate::resources::cpc::CPC;
use crate::resources::framework::descriptor::{Check, Done, Mode, Needs, Operation};
use crate::resources::framework::fields::required;
use crate::resources::framework::generic::set_properties;
use crate::store::Resource;

const STP_ID: &str = "stp-id";
const CONFIGURATION: &str = "stp-configuration";

/// 409.0: the CPC's place in the timing network does not allow the
/// operation.
fn conflict(message: String) -> HmcError {
    HmcError::conflict(0, message)
}

/// The body's `stp-id`: a string (400.5 without it, 400.7 otherwise).
fn stp_id(body: &Map<String, Value>, field: &str) -> Result<String, HmcError> {
    match required(body, field)? {
        Value::String(s) => Ok(s.clone()),
        other => Err(HmcError::invalid_field(field, other)),
    }
}

/// Whether the CPC is the current time server of its CTN.
fn is_current_time_server(cpc: &Resource) -> bool {
    cpc.props.get(CONFIGURATION).is_some_and(Value::is_object)
}

/// The CTN `cpc` belongs to; 409.0 if it is not `expected` (or none).
fn member_of<'r>(cpc: &'r Resource, expected: Option<&str>) -> Result<&'r str, HmcError> {
    match (cpc.str_prop(STP_ID), expected) {
        (Some(id), None) => Ok(id),
        (Some(id), Some(e)) if id == e => Ok(id),
        _ => Err(conflict(format!(
            "CPC {} is not a member of the STP-only CTN {}",
            cpc.name(),
            expected.or(cpc.str_prop(STP_ID)).unwrap_or("(none)")
        ))),
    }
}

/// 409.0 unless `cpc` is the current time server of its CTN.
fn require_current_time_server(cpc: &Resource) -> Result<(), HmcError> {
    if is_current_time_server(cpc) {
        return Ok(());
    }
    Err(conflict(format!(
        "CPC {} is not the current time server of its CTN",
        cpc.name()
    )))
}

/// Renames the CTN `old` to `new` on every CPC in it.
fn rename_ctn(ctx: &Ctx<'_>, old: &str, new: &str) -> Result<(), HmcError> {
    for mut cpc in ctx.tx.resources_of_class_with(CPC.class, STP_ID, old)? {
        set_properties(ctx.tx, &mut cpc, [(STP_ID, json!(new))])?;
    }
    Ok(())
}

/// An STP node of Set STP Configuration: an object, or (as zhmcclient's
/// `STPNode.json()` sends it) a string holding one (400.7 otherwise).
fn node(body: &Map<String, Value>, field: &str, needed: bool) -> Result<Value, HmcError> {
    let v = match body.get(field) {
        None | Some(Value::Null) if !needed => return Ok(Value::Null),
        _ => required(body, field)?,
    };
    let parsed = match v {
        Value::String(text) => serde_json::from_str::<Value>(text).ok(),
        other => Some(other.clone()),
    };
    parsed
        .filter(Value::is_object)
        .ok_or_else(|| HmcError::invalid_field(field, v))
}

/// Operation: Set STP Configuration. This CPC must be the current time
/// server of the CTN `stp-id` (409.0); `force` must be a boolean,
/// `current-time-server` `preferred` or `backup` (400.7); the CTN gets the
/// new servers and arbiter, and `new-stp-id` (if given) as its name.
fn set_stp_config(ctx: &mut Ctx<'_>, cpc: &mut Resource) -> Result<Done, HmcError> {
    let body = ctx.req.json_object()?;
    let id = stp_id(&body, STP_ID)?;
    member_of(cpc, Some(&id))?;
    require_current_time_server(cpc)?;
    let force = required(&body, "force")?;
    if !force.is_boolean() {
        return Err(HmcError::invalid_field("force", force));
    }
    let current = required(&body, "current-time-server")?;
    if !matches!(current.as_str(), Some("preferred" | "backup")) {
        return Err(HmcError::invalid_field("current-time-server", current));
    }
    let configuration = json!({
        "preferred-time-server": node(&body, "preferred-time-server", true)?,
        "backup-time-server": node(&body, "backup-time-server", false)?,
        "arbiter": node(&body, "arbiter", false)?,
        "current-time-server": current,
    });
    let new_id = match body.get("new-stp-id") {
        None | Some(Value::Null) => None,
        Some(_) => Some(stp_id(&body, "new-stp-id")?),
    };
    set_properties(ctx.tx, cpc, [(CONFIGURATION, configuration)])?;
    if let Some(new_id) = new_id {
        rename_ctn(ctx, &id, &new_id)?;
    }
    Ok(Done::Nothing)
}

/// Operation: Change STP-only Coordinated Timing Network: the CTN whose
/// current time server this CPC is (409.0 otherwise) is renamed `stp-id`.
fn change_ctn(ctx: &mut Ctx<'_>, cpc: &mut Resource) -> Result<Done, HmcError> {
    let body = ctx.req.json_object()?;
    let new_id = stp_id(&body, STP_ID)?;
    let old = member_of(cpc, None)?.to_string();
    require_current_time_server(cpc)?;
    rename_ctn(ctx, &old, &new_id)?;
    Ok(Done::Nothing)
}

/// Operation: Join STP-only Coordinated Timing Network. A CPC that is the
/// current time server of another CTN cannot (409.0); one in another CTN
/// leaves it.
fn join_ctn(ctx: &mut Ctx<'_>, cpc: &mut Resource) -> Result<Done, HmcError> {
    let body = ctx.req.json_object()?;
    let id = stp_id(&body, STP_ID)?;
    if cpc.str_prop(STP_ID) == Some(id.as_str()) {
        return Ok(Done::Nothing);
    }
    if is_current_time_server(cpc) {
        return Err(conflict(format!(
            "CPC {} is the current time server of the STP-only CTN {}",
            cpc.name(),
            cpc.str_prop(STP_ID).unwrap_or_default()
        )));
    }
    set_properties(ctx.tx, cpc, [(STP_ID, json!(id))])?;
    Ok(Done::Nothing)
}

/// Operation: Leave STP-only Coordinated Timing Network. The CPC must be in
/// a CTN and not its current time server (409.0).
fn leave_ctn(ctx: &mut Ctx<'_>, cpc: &mut Resource) -> Result<Done, HmcError> {
    member_of(cpc, None)?;
    if is_current_time_server(cpc) {
        return Err(conflict(format!(
            "CPC {} is the current time server of its CTN and cannot leave it",
            cpc.name()
        )));
    }
    set_properties(ctx.tx, cpc, [(STP_ID, Value::Null)])?;
    Ok(Done::Nothing)
}

/// Operation: Swap Current Time Server. This CPC (a member of the CTN
/// `stp-id`, else 409.0) becomes its current time server: the
/// configuration moves over from the former one, whose role swaps between
/// preferred and backup.
fn swap_cts(ctx: &mut Ctx<'_>, cpc: &mut Resource) -> Result<Done, HmcError> {
    let body = ctx.req.json_object()?;
    let id = stp_id(&body, STP_ID)?;
    member_of(cpc, Some(&id))?;
    if is_current_time_server(cpc) {
        return Ok(Done::Nothing);
    }
    let former = ctx
        .tx
        .resources_of_class_with(CPC.class, STP_ID, &id)?
        .into_iter()
        .find(is_current_time_server);
    let Some(mut former) = former else {
        return Err(conflict(format!(
            "The STP-only CTN {id} has no current time server"
        )));
    };
    let mut configuration = former
        .props
        .get(CONFIGURATION)
        .cloned()
        .unwrap_or(Value::Null);
    if let Some(c) = configuration.as_object_mut() {
        let swapped = if c.get("current-time-server") == Some(&json!("backup")) {
            "preferred"
        } else {
            "backup"
        };
        c.insert("current-time-server".into(), json!(swapped));
    }
    set_properties(ctx.tx, &mut former, [(CONFIGURATION, Value::Null)])?;
    set_properties(ctx.tx, cpc, [(CONFIGURATION, configuration)])?;
    Ok(Done::Nothing)
}

/// The STP operations take a body (400.3) and run in any mode.
const WITH_BODY: Needs = Needs {
    mode: Mode::Any,
    checks: &[Check::Fields(&[])],
};

/// Operation rows of the STP operations.
pub const SET_STP_CONFIG: Operation = Operation {
    needs: WITH_BODY,
    ..Operation::post(
        "Set STP Configuration",
        "/operations/set-stp-config",
        set_stp_config,
    )
};

pub const CHANGE_STPONLY_CTN: Operation = Operation {
    needs: WITH_BODY,
    ..Operation::post(
        "Change STP-only Coordinated Timing Network",
        "/operations/change-stponly-ctn",
        change_ctn,
    )
};

pub const JOIN_STPONLY_CTN: Operation = Operation {
    needs: WITH_BODY,
    ..Operation::post(
        "Join STP-only Coordinated Timing Network",
        "/operations/join-stponly-ctn",
        join_ctn,
    )
};

pub const LEAVE_STPONLY_CTN: Operation = Operation::post(
    "Leave STP-only Coordinated Timing Network",
    "/operations/leave-stponly-ctn",
    leave_ctn,
);

pub const SWAP_CTS: Operation = Operation {
    needs: WITH_BODY,
    ..Operation::post("Swap Current Time Server", "/operations/swap-cts", swap_cts)
};
