//! Tape links (`tape-link`) with their operations, and their virtual tape
//! resources (`virtual-tape-resource`).

use serde_json::{Map, Value, json};

use crate::api::HmcError;
use crate::ctx::Ctx;
use crate::resources::console::CONSOLE;
use crate::resources::framework::descriptor::{
    BASE, CreateSpec, Done, GetSpec, ListSpec, Operation, ResourceType, UpdateSpec,
};
use crate::resources::framework::generic::{merge_properties, remove, set_properties};
use crate::resources::framework::preconditions::prepare_on_dpm_cpc;
use crate::resources::framework::python::truthy;
use crate::resources::partition::{PARTITION, partitions_answer};
use crate::store::Resource;

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
