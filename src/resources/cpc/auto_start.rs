//! Set Auto-start List: the partitions (and groups of them) a DPM CPC
//! starts when it starts, in order, as zhmcclient's `Cpc.set_auto_start_list`
//! sends them.

use serde_json::{Map, Value};

use crate::api::HmcError;
use crate::ctx::Ctx;
use crate::resources::framework::descriptor::{Check, Done, Mode, Needs, Operation};
use crate::resources::framework::fields::{object_item, referenced, required};
use crate::resources::framework::generic::set_properties;
use crate::resources::partition::PARTITION;
use crate::store::Resource;

const LIST: &str = "auto-start-list";

/// 400.5 for a field an auto-start entry needs.
fn missing(name: &str) -> HmcError {
    HmcError::bad_request(
        5,
        format!("Missing required field in request body within {LIST}: {name}"),
    )
}

/// A partition an entry names: a URI (400.7) of a partition (404.2) of this
/// CPC (400.7).
fn partition_of(ctx: &Ctx<'_>, cpc: &Resource, field: &str, v: &Value) -> Result<(), HmcError> {
    let uri = v
        .as_str()
        .ok_or_else(|| HmcError::invalid_field(field, v))?;
    let partition = referenced(ctx.tx, &PARTITION, uri)?;
    if partition.parent.as_deref() != Some(cpc.uri.as_str()) {
        return Err(HmcError::invalid_field(field, v));
    }
    Ok(())
}

/// Checks one entry: `type` `partition` (with `partition-uri`) or
/// `partition-group` (with `name` and `partition-uris`), and an optional
/// non-negative integer `post-start-delay`.
fn check_entry(ctx: &Ctx<'_>, cpc: &Resource, entry: &Map<String, Value>) -> Result<(), HmcError> {
    if let Some(delay) = entry.get("post-start-delay")
        && delay.as_i64().is_none_or(|d| d < 0)
    {
        return Err(HmcError::invalid_field("post-start-delay", delay));
    }
    let kind = entry.get("type").ok_or_else(|| missing("type"))?;
    match kind.as_str() {
        Some("partition") => {
            let uri = entry
                .get("partition-uri")
                .ok_or_else(|| missing("partition-uri"))?;
            partition_of(ctx, cpc, "partition-uri", uri)
        }
        Some("partition-group") => {
            let name = entry.get("name").ok_or_else(|| missing("name"))?;
            if !name.is_string() {
                return Err(HmcError::invalid_field("name", name));
            }
            let uris = entry
                .get("partition-uris")
                .ok_or_else(|| missing("partition-uris"))?;
            let items = uris
                .as_array()
                .ok_or_else(|| HmcError::invalid_field("partition-uris", uris))?;
            items
                .iter()
                .try_for_each(|u| partition_of(ctx, cpc, "partition-uris", u))
        }
        _ => Err(HmcError::invalid_field("type", kind)),
    }
}

/// Operation: Set Auto-start List (DPM, as on the real HMC; the Python mock
/// takes any mode). The list (400.7 if not a list of entries) becomes the
/// CPC's `auto-start-list`.
fn set_auto_start_list(ctx: &mut Ctx<'_>, cpc: &mut Resource) -> Result<Done, HmcError> {
    let body = ctx.req.json_object()?;
    let list = required(&body, LIST)?;
    let entries = list
        .as_array()
        .ok_or_else(|| HmcError::invalid_field(LIST, list))?;
    for v in entries {
        check_entry(ctx, cpc, object_item(LIST, v)?)?;
    }
    set_properties(ctx.tx, cpc, [(LIST, list.clone())])?;
    Ok(Done::Nothing)
}

const AUTO_START: Needs = Needs {
    mode: Mode::Dpm,
    checks: &[Check::Fields(&[LIST])],
};

/// Operation row: Set Auto-start List.
pub const SET_AUTO_START_LIST: Operation = Operation {
    needs: AUTO_START,
    ..Operation::post(
        "Set Auto-start List",
        "/operations/set-auto-start-list",
        set_auto_start_list,
    )
};
