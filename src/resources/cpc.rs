//! CPCs (either mode): the DPM CPC operations Start CPC, Stop CPC and
//! Export WWPN List, and the console-side ones of either mode (API
//! features, power save and capping, energy data).

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::api::HmcError;
use crate::ctx::Ctx;
use crate::resources::console::operations::list_features;
use crate::resources::framework::descriptor::{
    BASE, Done, GetSpec, ListSpec, Needs, Operation, ResourceType, UpdateSpec,
};
use crate::resources::framework::fields::{referenced, required, string_items};
use crate::resources::framework::generic::set_properties;
use crate::resources::framework::preconditions::{DPM, is_dpm};
use crate::resources::framework::python::repr_str;
use crate::resources::partition::PARTITION;
use crate::resources::partition::hba::HBA;
use crate::store::{Resource, Tx};

/// A CPC's default status follows its mode: `active` in DPM mode,
/// `operating` in classic mode; so does its `iml-mode` (`dpm` or `lpar`).
fn on_add_cpc(_tx: &Tx<'_>, _parent: Option<&Resource>, r: &mut Resource) -> Result<(), HmcError> {
    let dpm = is_dpm(r);
    r.props
        .entry("status")
        .or_insert_with(|| Value::String(if dpm { "active" } else { "operating" }.into()));
    r.props
        .entry("iml-mode")
        .or_insert_with(|| Value::String(if dpm { "dpm" } else { "lpar" }.into()));
    Ok(())
}

/// Activate/Deactivate CPC and Import/Export Profiles (classic mode).
pub mod classic;

/// Add/Remove Temporary Capacity.
pub mod capacity;

/// Set Auto-start List (DPM).
pub mod auto_start;

/// The STP operations.
pub mod stp;

/// The firmware operations of a CPC.
pub mod firmware;

/// Import DPM Configuration.
pub mod import_dpm;

/// Operation: Start CPC (DPM; asynchronous: 202 and a job). Like the HMC
/// mock, any status may be started. The job's result is `{}`, not none:
/// zhmcclient reads a result from a job answered with a `Location` header,
/// and fails on a job without one.
fn start(ctx: &mut Ctx<'_>, cpc: &mut Resource) -> Result<Done, HmcError> {
    set_properties(ctx.tx, cpc, [("status", json!("active"))])?;
    Ok(Done::Json(json!({})))
}

/// Operation: Stop CPC (DPM; asynchronous: 202 and a job with result `{}`).
fn stop(ctx: &mut Ctx<'_>, cpc: &mut Resource) -> Result<Done, HmcError> {
    set_properties(ctx.tx, cpc, [("status", json!("not-operating"))])?;
    Ok(Done::Json(json!({})))
}

/// The id of a CPC as its URI names it.
fn cpc_id(cpc: &Resource) -> &str {
    cpc.str_prop("object-id")
        .unwrap_or_else(|| cpc.uri.rsplit('/').next().unwrap_or(""))
}

/// A property as text for a WWPN line: strings bare, missing or null empty.
fn field(r: &Resource, name: &str) -> String {
    match r.props.get(name) {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// The partition at `uri` for Export WWPN List: 404.2 naming the URI if
/// there is none (the HMC mock crashes), 400.149 if it is in another CPC
/// (a partition's parent is its CPC).
fn wwpn_partition(ctx: &Ctx<'_>, cpc: &Resource, uri: &str) -> Result<Resource, HmcError> {
    let partition = referenced(ctx.tx, &PARTITION, uri)?;
    if partition.parent.as_deref() != Some(cpc.uri.as_str()) {
        let owner = match partition.parent.as_deref() {
            Some(parent) => ctx.tx.resource(parent)?,
            None => None,
        };
        let other = owner.as_ref().map(cpc_id).unwrap_or("");
        return Err(HmcError::bad_request(
            149,
            format!(
                "Partition '{uri}' specified in 'partitions' field is not in the targeted CPC with ID '{}' (but in the CPC with ID '{other}').",
                cpc_id(cpc)
            ),
        ));
    }
    Ok(partition)
}

/// The `adapter-id` of the adapter owning each HBA port seen so far, so an
/// export reads each port and its adapter once.
type AdapterIds = HashMap<String, String>;

/// The `adapter-id` of the owner of `port_uri` ("" if the port has no
/// adapter); a missing port is 404.2 naming it.
fn adapter_id_of_port(
    ctx: &Ctx<'_>,
    ids: &mut AdapterIds,
    port_uri: &str,
) -> Result<String, HmcError> {
    if let Some(id) = ids.get(port_uri) {
        return Ok(id.clone());
    }
    let port = ctx
        .tx
        .resource(port_uri)?
        .ok_or_else(|| HmcError::referenced_not_found(2, port_uri))?;
    let adapter = match port.parent.as_deref() {
        Some(a) => ctx.tx.resource(a)?,
        None => None,
    };
    let id = adapter.map(|a| field(&a, "adapter-id")).unwrap_or_default();
    ids.insert(port_uri.to_string(), id.clone());
    Ok(id)
}

/// One WWPN line per HBA of the partition, in HBA order:
/// `<partition name>,<adapter-id>,<device-number>,<wwpn>`. The adapter is
/// the owner of the HBA's port.
fn wwpn_lines(
    ctx: &Ctx<'_>,
    ids: &mut AdapterIds,
    partition: &Resource,
) -> Result<Vec<Value>, HmcError> {
    let mut lines = Vec::new();
    for hba in ctx.tx.children(&partition.uri, HBA.class)? {
        let adapter_id = match hba.str_prop("adapter-port-uri") {
            None => String::new(),
            Some(port_uri) => adapter_id_of_port(ctx, ids, port_uri)?,
        };
        lines.push(Value::String(format!(
            "{},{adapter_id},{},{}",
            field(partition, "name"),
            field(&hba, "device-number"),
            field(&hba, "wwpn")
        )));
    }
    Ok(lines)
}

/// Operation: Export WWPN List (DPM; synchronous). `partitions` must be a
/// non-empty list (400.149) of URIs (400.7) of partitions of this CPC.
fn export_wwpn_list(ctx: &mut Ctx<'_>, cpc: &mut Resource) -> Result<Done, HmcError> {
    let body = ctx.req.json_object()?;
    // Null is 400.7 like any other non-list (the HMC mock crashes on it),
    // not an empty list.
    let uris = match required(&body, "partitions")? {
        Value::Array(_) => string_items(&body, "partitions")?,
        other => return Err(HmcError::invalid_field("partitions", other)),
    };
    if uris.is_empty() {
        return Err(HmcError::bad_request(
            149,
            "'partitions' field in request body is empty.",
        ));
    }
    let mut ids = AdapterIds::new();
    let mut lines = Vec::new();
    for uri in uris {
        let partition = wwpn_partition(ctx, cpc, uri)?;
        lines.extend(wwpn_lines(ctx, &mut ids, &partition)?);
    }
    Ok(Done::Json(json!({"wwpn-list": lines})))
}

/// Operation: List CPC API Features (those set in a definition file or
/// through the library; `name` filters).
fn list_cpc_features(ctx: &mut Ctx<'_>, cpc: &mut Resource) -> Result<Done, HmcError> {
    list_features(ctx, &cpc.uri)
}

/// Operation: Set CPC Power Save (asynchronous). `power-saving` is
/// `high-performance`, `low-power` or `custom` (400.7 otherwise); the CPC
/// and its zCPC save power that way at once.
fn set_power_save(ctx: &mut Ctx<'_>, cpc: &mut Resource) -> Result<Done, HmcError> {
    let body = ctx.req.json_object()?;
    let v = required(&body, "power-saving")?;
    if !v
        .as_str()
        .is_some_and(|s| ["high-performance", "low-power", "custom"].contains(&s))
    {
        return Err(HmcError::bad_request(
            7,
            format!("Invalid power-saving value: {}", repr_value(v)),
        ));
    }
    let props = [
        "cpc-power-saving",
        "cpc-power-saving-state",
        "zcpc-power-saving",
        "zcpc-power-saving-state",
    ]
    .map(|p| (p, v.clone()));
    set_properties(ctx.tx, cpc, props)?;
    Ok(Done::Nothing)
}

/// Operation: Set CPC Power Capping (asynchronous). `power-capping-state`
/// is `disabled`, `enabled` or `custom` (400.7 otherwise); `enabled` needs
/// `power-cap-current` (400.7).
fn set_power_capping(ctx: &mut Ctx<'_>, cpc: &mut Resource) -> Result<Done, HmcError> {
    let body = ctx.req.json_object()?;
    let state = required(&body, "power-capping-state")?;
    let Some(name) = state
        .as_str()
        .filter(|s| ["disabled", "enabled", "custom"].contains(s))
    else {
        return Err(HmcError::bad_request(
            7,
            format!("Invalid power-capping-state value: {}", repr_value(state)),
        ));
    };
    let cap = body
        .get("power-cap-current")
        .cloned()
        .unwrap_or(Value::Null);
    if name == "enabled" && cap.is_null() {
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
            ("zcpc-power-capping-state", state.clone()),
            ("zcpc-power-cap-current", cap),
        ],
    )?;
    Ok(Done::Nothing)
}

/// The CPC properties Get CPC Energy Management Data reports.
const ENERGY_PROPERTIES: &[&str] = &[
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

/// Operation: Get CPC Energy Management Data: the CPC's energy properties
/// (null where it has none), in the HMC's layout (`class` is `cpcs`).
fn energy_management_data(_ctx: &mut Ctx<'_>, cpc: &mut Resource) -> Result<Done, HmcError> {
    let props: serde_json::Map<String, Value> = ENERGY_PROPERTIES
        .iter()
        .map(|p| {
            (
                (*p).to_string(),
                cpc.props.get(*p).cloned().unwrap_or(Value::Null),
            )
        })
        .collect();
    Ok(Done::Json(json!({"objects": [{
        "error-occurred": false,
        "object-uri": cpc.uri,
        "object-id": cpc_id(cpc),
        "class": "cpcs",
        "properties": props,
    }]})))
}

/// A value as the mock's messages show it (Python `repr` of a string).
fn repr_value(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), repr_str)
}

/// Operations: List CPC Objects, Get CPC Properties, Update CPC Properties,
/// Start CPC, Stop CPC, Export WWPN List; List CPC API Features, Set CPC
/// Power Save / Power Capping, Get CPC Energy Management Data.
pub static CPC: ResourceType = ResourceType {
    class: "cpc",
    def_key: "cpcs",
    element: "/api/cpcs/{id}",
    param: "cpc-id",
    collection: Some("/api/cpcs"),
    list: Some(ListSpec {
        title: "List CPC Objects",
        key: "cpcs",
        props: &[
            "object-uri",
            "name",
            "status",
            "has-unacceptable-status",
            "dpm-enabled",
            "se-version",
        ],
        ..ListSpec::BASE
    }),
    get: Some(GetSpec {
        title: "Get CPC Properties",
        query: &["properties", "cached-acceptable", "group-uri"],
    }),
    update: Some(UpdateSpec::any("Update CPC Properties")),
    // What zhmc tools read of every CPC, null where a definition leaves it out.
    defaults: &[
        ("dpm-enabled", "false"),
        ("is-ensemble-member", "false"),
        ("description", "\"\""),
        ("machine-type", "null"),
        ("machine-model", "null"),
        ("machine-serial-number", "null"),
        ("se-version", "null"),
        ("has-unacceptable-status", "false"),
        ("available-features-list", "[]"),
    ],
    on_add: Some(on_add_cpc),
    operations: &[
        // Classic mode, then any mode (issue 9; the submodules hold them).
        classic::ACTIVATE_CPC,
        classic::DEACTIVATE_CPC,
        classic::IMPORT_PROFILES,
        classic::EXPORT_PROFILES,
        capacity::ADD_TEMP_CAPACITY,
        capacity::REMOVE_TEMP_CAPACITY,
        auto_start::SET_AUTO_START_LIST,
        crate::resources::sustainability::CPC,
        stp::SET_STP_CONFIG,
        stp::CHANGE_STPONLY_CTN,
        stp::JOIN_STPONLY_CTN,
        Operation {
            needs: crate::resources::storage_discovery::LUN_PATH,
            ..Operation::post(
                "Validate LUN Path",
                "/operations/validate-lun-path",
                crate::resources::storage_discovery::validate_lun_path,
            )
        },
        Operation::post(
            "Import Certificate",
            "/operations/import-certificate",
            crate::resources::certificate::import_certificate,
        ),
        import_dpm::IMPORT_DPM_CONFIG,
        stp::LEAVE_STPONLY_CTN,
        stp::SWAP_CTS,
        firmware::CPC_SINGLE_STEP_INSTALL,
        firmware::CPC_INSTALL_AND_ACTIVATE,
        firmware::CPC_DELETE_RETRIEVED,
        Operation::job("Start CPC", "/operations/start", DPM, start),
        Operation::job("Stop CPC", "/operations/stop", DPM, stop),
        Operation {
            needs: DPM,
            ..Operation::post(
                "Export WWPN List",
                "/operations/export-port-names-list",
                export_wwpn_list,
            )
        },
        // Either mode: the console-side CPC operations (spec 4.5).
        Operation::get(
            "List CPC API Features",
            "/operations/list-features",
            &["name"],
            list_cpc_features,
        ),
        Operation::job(
            "Set CPC Power Save",
            "/operations/set-cpc-power-save",
            Needs::NONE,
            set_power_save,
        ),
        Operation::job(
            "Set CPC Power Capping",
            "/operations/set-cpc-power-capping",
            Needs::NONE,
            set_power_capping,
        ),
        Operation {
            query: None,
            ..Operation::get(
                "Get CPC Energy Management Data",
                "/energy-management-data",
                &[],
                energy_management_data,
            )
        },
    ],
    ..BASE
};
