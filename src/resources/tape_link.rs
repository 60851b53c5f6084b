//! Tape links (`tape-link`) with their operations, and their virtual tape
//! resources (`virtual-tape-resource`).

use serde_json::{Map, Value, json};

use crate::api::HmcError;
use crate::ctx::Ctx;
use crate::resources::adapter::port::STORAGE_PORT;
use crate::resources::console::CONSOLE;
use crate::resources::framework::descriptor::{
    BASE, CreateSpec, Done, GetSpec, ListSpec, Operation, ResourceType, UpdateSpec,
};
use crate::resources::framework::fields::{referenced, required, uri_value};
use crate::resources::framework::generic::{
    merge_properties, remove, remove_serving, set_properties,
};
use crate::resources::framework::preconditions::prepare_on_dpm_cpc;
use crate::resources::framework::python::truthy;
use crate::resources::partition::{PARTITION, partitions_answer};
use crate::store::{Resource, Tx};

/// What Get Tape Link Environment Report answers while the link holds no
/// report of its own (the HMC mock's fixed report).
fn default_environment_report() -> Value {
    json!({"status": "ok", "last-updated": "2024-01-01T00:00:00Z", "details": {}})
}

/// Create Tape Link: the CPC checks and defaults of `prepare_on_dpm_cpc`
/// (404.1, DPM 409.5, status 409.6; `description` "", `fulfillment-state`
/// "pending").
fn prepare_create_link(
    ctx: &Ctx<'_>,
    _console: &Resource,
    body: &mut Map<String, Value>,
) -> Result<(), HmcError> {
    prepare_on_dpm_cpc(ctx, body)
}

/// Operation: Delete Tape Link. Its virtual tape resources go with it, and
/// its URI leaves the libraries' and partitions' `tape-link-uris`.
fn delete_link(ctx: &mut Ctx<'_>, link: &mut Resource) -> Result<Done, HmcError> {
    remove(ctx.tx, link)?;
    Ok(Done::Nothing)
}

/// Operation: Modify Tape Link: merges the body (400.3 without one, where
/// the mock crashes); a new name must be unique (400.8).
fn modify_link(ctx: &mut Ctx<'_>, link: &mut Resource) -> Result<Done, HmcError> {
    let body = ctx.req.json_object()?;
    merge_properties(ctx.tx, &TAPE_LINK, link, body)?;
    Ok(Done::Nothing)
}

/// Operation: Get Tape Link Histories. The faked HMC records none.
fn get_histories(_ctx: &mut Ctx<'_>, _link: &mut Resource) -> Result<Done, HmcError> {
    Ok(Done::Json(json!({ "tape-link-histories": [] })))
}

/// Operation: Get Partitions for a Tape Link: like the mock, every partition
/// of the link's CPC (none without a CPC).
fn get_partitions(ctx: &mut Ctx<'_>, link: &mut Resource) -> Result<Done, HmcError> {
    let partitions = match link.str_prop("cpc-uri") {
        Some(cpc) => ctx.tx.children(cpc, PARTITION.class)?,
        None => Vec::new(),
    };
    partitions_answer(ctx, &partitions)
}

/// Operation: Get Tape Link Environment Report: the one last stored by
/// Update Tape Link Environment Report, else the mock's fixed report.
fn get_environment_report(_ctx: &mut Ctx<'_>, link: &mut Resource) -> Result<Done, HmcError> {
    let report = link
        .props
        .get("environment-report")
        .filter(|r| truthy(Some(r)))
        .cloned()
        .unwrap_or_else(default_environment_report);
    Ok(Done::Json(report))
}

/// Operation: Update Tape Link Environment Report: a non-empty body becomes
/// the link's `environment-report`; answers `{}`.
fn update_environment_report(ctx: &mut Ctx<'_>, link: &mut Resource) -> Result<Done, HmcError> {
    if let Some(body) = ctx.req.json()?
        && truthy(Some(&body))
    {
        set_properties(ctx.tx, link, [("environment-report", body)])?;
    }
    Ok(Done::Json(json!({})))
}

/// The link's list of tape adapter ports.
const PORTS: &str = "adapter-port-uris";

// Reason codes of the adapter-port operations. The WS API book's exact codes
// were not available; these follow the storage group's candidate-port
// operations (409.483 already a member, 409.479 not a member) and choose
// 409.480 for a port still used by a virtual tape resource.
const ALREADY_MEMBER: i64 = 483;
const NOT_MEMBER: i64 = 479;
const PORT_IN_USE: i64 = 480;

/// The storage port at `uri` (the `field` of the body): 404.2 when no such
/// port exists.
fn existing_port(ctx: &Ctx<'_>, field: &str, value: Option<&Value>) -> Result<String, HmcError> {
    let uri = uri_value(field, value)?;
    Ok(referenced(ctx.tx, &STORAGE_PORT, uri)?.uri)
}

/// The `adapter-port-uris` of the body: 400.3 without a body, 400.5
/// without the field, 400.7 unless a list of strings.
fn requested_ports(ctx: &Ctx<'_>) -> Result<Vec<Value>, HmcError> {
    let body = ctx.req.json_object()?;
    let value = required(&body, PORTS)?;
    value
        .as_array()
        .cloned()
        .ok_or_else(|| HmcError::invalid_field(PORTS, value))
}

fn already_member(link: &Resource, port: &str) -> HmcError {
    HmcError::conflict(
        ALREADY_MEMBER,
        format!(
            "Adapter port {port} is already in the adapter ports of tape link {}",
            link.name()
        ),
    )
}

fn not_member(link: &Resource, port: &str) -> HmcError {
    HmcError::conflict(
        NOT_MEMBER,
        format!(
            "Adapter port {port} is not in the adapter ports of tape link {}",
            link.name()
        ),
    )
}

/// The link's virtual tape resources.
fn tape_resources(ctx: &Ctx<'_>, link: &Resource) -> Result<Vec<Resource>, HmcError> {
    Ok(ctx.tx.children(&link.uri, VIRTUAL_TAPE_RESOURCE.class)?)
}

/// Operation: Add Adapter Ports to a Tape Link. Each port must exist
/// (404.2) and not be in the list yet (409.483); all or none are added.
fn add_adapter_ports(ctx: &mut Ctx<'_>, link: &mut Resource) -> Result<Done, HmcError> {
    let mut ports: Vec<String> = link
        .str_list(PORTS)
        .into_iter()
        .map(str::to_string)
        .collect();
    for value in requested_ports(ctx)? {
        let uri = existing_port(ctx, PORTS, Some(&value))?;
        if ports.contains(&uri) {
            return Err(already_member(link, &uri));
        }
        ports.push(uri);
    }
    set_properties(ctx.tx, link, [(PORTS, json!(ports))])?;
    Ok(Done::Nothing)
}

/// Operation: Remove Adapter Ports from a Tape Link. Each port must be in
/// the list (409.479) and back no virtual tape resource of the link
/// (409.480); all or none are removed.
fn remove_adapter_ports(ctx: &mut Ctx<'_>, link: &mut Resource) -> Result<Done, HmcError> {
    let mut ports: Vec<String> = link
        .str_list(PORTS)
        .into_iter()
        .map(str::to_string)
        .collect();
    let in_use: Vec<Resource> = tape_resources(ctx, link)?;
    for value in requested_ports(ctx)? {
        let uri = uri_value(PORTS, Some(&value))?.to_string();
        let Some(at) = ports.iter().position(|p| *p == uri) else {
            return Err(not_member(link, &uri));
        };
        if let Some(vtr) = in_use
            .iter()
            .find(|v| v.str_prop("adapter-port-uri") == Some(uri.as_str()))
        {
            return Err(HmcError::conflict(
                PORT_IN_USE,
                format!(
                    "Adapter port {uri} backs virtual tape resource {}",
                    vtr.name()
                ),
            ));
        }
        ports.remove(at);
    }
    set_properties(ctx.tx, link, [(PORTS, json!(ports))])?;
    Ok(Done::Nothing)
}

/// Operation: Replace Adapter Port of a Tape Link. The current port must
/// be in the list (409.479), the new one must exist (404.2) and not be in
/// it (409.483). The new port takes the old one's place, and the link's
/// virtual tape resources backed by the old port move to the new one.
fn replace_adapter_port(ctx: &mut Ctx<'_>, link: &mut Resource) -> Result<Done, HmcError> {
    let body = ctx.req.json_object()?;
    let current = uri_value(
        "current-adapter-port-uri",
        Some(required(&body, "current-adapter-port-uri")?),
    )?
    .to_string();
    let new = required(&body, "new-adapter-port-uri")?;
    let mut ports: Vec<String> = link
        .str_list(PORTS)
        .into_iter()
        .map(str::to_string)
        .collect();
    let Some(at) = ports.iter().position(|p| *p == current) else {
        return Err(not_member(link, &current));
    };
    let new = existing_port(ctx, "new-adapter-port-uri", Some(new))?;
    if ports.contains(&new) {
        return Err(already_member(link, &new));
    }
    ports[at] = new.clone();
    set_properties(ctx.tx, link, [(PORTS, json!(ports))])?;
    for mut vtr in tape_resources(ctx, link)? {
        if vtr.str_prop("adapter-port-uri") == Some(current.as_str()) {
            set_properties(ctx.tx, &mut vtr, [("adapter-port-uri", json!(new))])?;
        }
    }
    Ok(Done::Nothing)
}

/// Tape links. Every operation is synchronous (zhmcclient waits for none).
/// Names are unique among the console's tape links, as on a real HMC.
pub static TAPE_LINK: ResourceType = ResourceType {
    class: "tape-link",
    def_key: "tape_links",
    parent: Some(&CONSOLE),
    element: "/api/tape-links/{id}",
    param: "tape-link-id",
    collection: Some("/api/tape-links"),
    list: Some(ListSpec {
        title: "List Tape Links",
        key: "tape-links",
        props: &[
            "object-uri",
            "cpc-uri",
            "name",
            "fulfillment-state",
            "tape-library-uri",
        ],
        filters: &["cpc-uri", "name", "fulfillment-state", "tape-library-uri"],
        ..ListSpec::BASE
    }),
    create: Some(CreateSpec {
        title: "Create Tape Link",
        required: &["name", "cpc-uri"],
        prepare: Some(prepare_create_link),
        ..CreateSpec::BASE
    }),
    update: Some(UpdateSpec::any("Update Tape Link Properties")),
    unique_names: true,
    operations: &[
        Operation::post("Delete Tape Link", "/operations/delete", delete_link),
        Operation::post(
            "Modify Tape Link Properties",
            "/operations/modify",
            modify_link,
        ),
        Operation::get(
            "Get Tape Link Histories",
            "/operations/get-tape-link-histories",
            &[],
            get_histories,
        ),
        Operation::get(
            "Get Partitions for a Tape Link",
            "/operations/get-partitions",
            &["name", "status"],
            get_partitions,
        ),
        Operation::get(
            "Get Tape Link Environment Report",
            "/operations/get-tape-link-environment-report",
            &[],
            get_environment_report,
        ),
        Operation::post(
            "Add Adapter Ports to a Tape Link",
            "/operations/add-adapter-ports",
            add_adapter_ports,
        ),
        Operation::post(
            "Remove Adapter Ports from a Tape Link",
            "/operations/remove-adapter-ports",
            remove_adapter_ports,
        ),
        Operation::post(
            "Replace Adapter Port of a Tape Link",
            "/operations/replace-adapter-port",
            replace_adapter_port,
        ),
        Operation {
            query: Some(&[]),
            ..Operation::post(
                "Update Tape Link Environment Report",
                "/operations/update-tape-link-environment-report",
                update_environment_report,
            )
        },
    ],
    get: Some(GetSpec::titled("Get Tape Link Properties")),
    ..BASE
};

/// Virtual tape resources of a tape link (the partition's view of a tape
/// device); updated without checks, like the HMC mock's generic update.
pub static VIRTUAL_TAPE_RESOURCE: ResourceType = ResourceType {
    // Go with their deleted partition, as virtual storage resources do.
    after_delete: Some(forget_partitions),
    class: "virtual-tape-resource",
    def_key: "virtual_tape_resources",
    parent: Some(&TAPE_LINK),
    element: "{parent}/virtual-tape-resources/{id}",
    param: "virtual-tape-resource-id",
    id_prop: "element-id",
    uri_prop: "element-uri",
    collection: Some("{parent}/virtual-tape-resources"),
    list: Some(ListSpec {
        title: "List Virtual Tape Resources of a Tape Link",
        key: "virtual-tape-resources",
        props: &[
            "element-uri",
            "name",
            "device-number",
            "adapter-port-uri",
            "partition-uri",
        ],
        filters: &["name", "device-number", "adapter-port-uri", "partition-uri"],
        ..ListSpec::BASE
    }),
    update: Some(UpdateSpec::any("Update Virtual Tape Resource Properties")),
    get: Some(GetSpec::titled("Get Virtual Tape Resource Properties")),
    ..BASE
};

/// Removes the virtual tape resources of deleted partitions.
fn forget_partitions(tx: &Tx<'_>, gone: &[String]) -> Result<(), HmcError> {
    remove_serving(tx, &VIRTUAL_TAPE_RESOURCE, "partition-uri", gone)
}
