//! CPCs (either mode) and their hardware messages; the DPM CPC operations
//! Start CPC, Stop CPC and Export WWPN List.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::api::HmcError;
use crate::ctx::Ctx;
use crate::resources::framework::descriptor::{
    BASE, Done, GetSpec, ListSpec, Operation, ResourceType, UpdateSpec,
};
use crate::resources::framework::fields::{referenced, required, string_items};
use crate::resources::framework::generic::set_properties;
use crate::resources::framework::preconditions::{DPM, is_dpm};
use crate::resources::partition::PARTITION;
use crate::resources::partition::hba::HBA;
use crate::store::{Resource, Tx};

/// A CPC's default status follows its mode: `active` in DPM mode,
/// `operating` in classic mode.
fn on_add_cpc(_tx: &Tx<'_>, _parent: Option<&Resource>, r: &mut Resource) -> Result<(), HmcError> {
    let dpm = is_dpm(r);
    r.props
        .entry("status")
        .or_insert_with(|| Value::String(if dpm { "active" } else { "operating" }.into()));
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

/// Operations: List CPC Objects, Get CPC Properties, Update CPC Properties,
/// Start CPC, Stop CPC, Export WWPN List.
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
    defaults: &[("dpm-enabled", "false"), ("is-ensemble-member", "false")],
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
    ],
    ..BASE
};

pub static CPC_HW_MESSAGE: ResourceType = ResourceType {
    class: "hardware-message",
    def_key: "hw_messages",
    parent: Some(&CPC),
    element: "{parent}/hardware-messages/{id}",
    param: "hardware-message-id",
    id_prop: "element-id",
    uri_prop: "element-uri",
    collection: Some("{parent}/hardware-messages"),
    list: Some(ListSpec {
        title: "List CPC Hardware Messages",
        key: "hardware-messages",
        props: &["element-uri", "timestamp", "text"],
        filters: &[],
        ..ListSpec::BASE
    }),
    get: Some(GetSpec::titled("Get CPC Hardware Message Properties")),
    ..BASE
};
