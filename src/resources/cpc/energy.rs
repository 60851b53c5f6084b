//! Energy management of a CPC (any mode): Set CPC Power Save and Set CPC
//! Power Capping (jobs) and Get CPC Energy Management Data.

use serde_json::{Map, Value, json};

use crate::api::{HmcError, Method};
use crate::ctx::Ctx;
use crate::resources::framework::descriptor::{Check, Done, Mode, Needs, Operation};
use crate::resources::framework::generic::set_properties;
use crate::resources::framework::python::repr_value;
use crate::store::Resource;

/// The `power-saving` values Set CPC Power Save takes.
const POWER_SAVING: &[&str] = &["high-performance", "low-power", "custom"];
/// The `power-capping-state` values Set CPC Power Capping takes.
const POWER_CAPPING: &[&str] = &["disabled", "enabled", "custom"];

/// Operation: Set CPC Power Save (a job). `power-saving` must be one of
/// `POWER_SAVING` (400.7 with the mock's message); the CPC's and the
/// zCPC's power saving and its state take the value.
fn set_power_save(ctx: &mut Ctx<'_>, cpc: &mut Resource) -> Result<Done, HmcError> {
    let body = ctx.req.json_object()?;
    let value = body.get("power-saving").cloned().unwrap_or(Value::Null);
    if !value.as_str().is_some_and(|v| POWER_SAVING.contains(&v)) {
        return Err(HmcError::bad_request(
            7,
            format!("Invalid power-saving value: {}", repr_value(&value)),
        ));
    }
    set_properties(
        ctx.tx,
        cpc,
        [
            ("cpc-power-saving", value.clone()),
            ("cpc-power-saving-state", value.clone()),
            ("zcpc-power-saving", value.clone()),
            ("zcpc-power-saving-state", value),
        ],
    )?;
    Ok(Done::Nothing)
}

/// Operation: Set CPC Power Capping (a job). `power-capping-state` must be
/// one of `POWER_CAPPING` and `enabled` needs `power-cap-current` (400.7
/// with the mock's messages); the CPC's and the zCPC's state and current
/// cap take the values (no cap: null).
fn set_power_capping(ctx: &mut Ctx<'_>, cpc: &mut Resource) -> Result<Done, HmcError> {
    let body = ctx.req.json_object()?;
    let state = body
        .get("power-capping-state")
        .cloned()
        .unwrap_or(Value::Null);
    if !state.as_str().is_some_and(|v| POWER_CAPPING.contains(&v)) {
        return Err(HmcError::bad_request(
            7,
            format!("Invalid power-capping-state value: {}", repr_value(&state)),
        ));
    }
    let cap = body
        .get("power-cap-current")
        .cloned()
        .unwrap_or(Value::Null);
    if state == "enabled" && cap.is_null() {
        return Err(HmcError::bad_request(
            7,
            "Power-cap-current must be provided when enabling power capping",
        ));
    }
    set_properties(
        ctx.tx,
        cpc,
        [
            ("cpc-power-capping-state", state.clone()),
            ("cpc-power-cap-current", cap.clone()),
            ("zcpc-power-capping-state", state),
            ("zcpc-power-cap-current", cap),
        ],
    )?;
    Ok(Done::Nothing)
}

/// The CPC properties Get CPC Energy Management Data answers (null when
/// the CPC lacks one).
const ENERGY_PROPERTIES: [&str; 29] = [
    "cpc-power-cap-allowed",
    "cpc-power-cap-current",
    "cpc-power-cap-maximum",
    "cpc-power-cap-minimum",
    "cpc-power-capping-state",
    "cpc-power-consumption",
    "cpc-power-rating",
    "cpc-power-save-allowed",
    "cpc-power-saving",
    "cpc-power-saving-state",
    "zcpc-ambient-temperature",
    "zcpc-dew-point",
    "zcpc-exhaust-temperature",
    "zcpc-heat-load",
    "zcpc-heat-load-forced-air",
    "zcpc-heat-load-water",
    "zcpc-humidity",
    "zcpc-maximum-potential-heat-load",
    "zcpc-maximum-potential-power",
    "zcpc-power-cap-allowed",
    "zcpc-power-cap-current",
    "zcpc-power-cap-maximum",
    "zcpc-power-cap-minimum",
    "zcpc-power-capping-state",
    "zcpc-power-consumption",
    "zcpc-power-rating",
    "zcpc-power-save-allowed",
    "zcpc-power-saving",
    "zcpc-power-saving-state",
];

/// Operation: Get CPC Energy Management Data. One object for the CPC, with
/// the 29 energy properties (class `cpcs`, as the Python mock has it).
fn energy_management_data(_ctx: &mut Ctx<'_>, cpc: &mut Resource) -> Result<Done, HmcError> {
    let properties: Map<String, Value> = ENERGY_PROPERTIES
        .iter()
        .map(|p| {
            (
                (*p).to_string(),
                cpc.props.get(*p).cloned().unwrap_or(Value::Null),
            )
        })
        .collect();
    let id = cpc.uri.rsplit('/').next().unwrap_or_default();
    Ok(Done::Json(json!({
        "objects": [{
            "error-occurred": false,
            "object-uri": cpc.uri,
            "object-id": cpc.str_prop("object-id").unwrap_or(id),
            "class": "cpcs",
            "properties": properties,
        }]
    })))
}

const POWER_SAVE: Needs = Needs {
    mode: Mode::Any,
    checks: &[Check::Fields(&["power-saving"])],
};

const POWER_CAPPING_NEEDS: Needs = Needs {
    mode: Mode::Any,
    checks: &[Check::Fields(&["power-capping-state"])],
};

/// Operation row: Set CPC Power Save.
pub const SET_POWER_SAVE: Operation = Operation::job(
    "Set CPC Power Save",
    "/operations/set-cpc-power-save",
    POWER_SAVE,
    set_power_save,
);

/// Operation row: Set CPC Power Capping.
pub const SET_POWER_CAPPING: Operation = Operation::job(
    "Set CPC Power Capping",
    "/operations/set-cpc-power-capping",
    POWER_CAPPING_NEEDS,
    set_power_capping,
);

/// Operation row: Get CPC Energy Management Data (no query string).
pub const ENERGY_MANAGEMENT_DATA: Operation = Operation {
    method: Method::Get,
    ..Operation::post(
        "Get CPC Energy Management Data",
        "/energy-management-data",
        energy_management_data,
    )
};
