//! Capacity groups of DPM CPCs: Create, Delete (only when empty), and Add /
//! Remove Partition with the HMC's reason codes.

use serde_json::Value;

use super::Service;
use super::cpc::CPC;
use super::descriptor::{BASE, CreateSpec, DeleteSpec, ListSpec, Mode, ResourceType, UpdateSpec};
use super::generic::{append_reference, lookup, remove_reference};
use super::partition::PARTITION;
use super::preconditions::{check_cpc_status, require_fields};
use super::python::{repr_list, repr_str};
use crate::api::{HmcError, Method, Response};
use crate::ctx::Ctx;
use crate::store::Resource;

/// Create Capacity Group: the CPC's status must allow operations (409.1).
fn check_create(ctx: &mut Ctx<'_>, cpc: &Resource) -> Result<(), HmcError> {
    check_cpc_status(ctx, cpc)
}

/// The list of a capacity group's member partitions (missing = none).
const MEMBERS: &str = "partition-uris";

/// Delete Capacity Group: 409.110 while partitions are still members.
fn check_delete(_ctx: &mut Ctx<'_>, cg: &Resource) -> Result<(), HmcError> {
    let uris = cg.str_list(MEMBERS);
    if uris.is_empty() {
        return Ok(());
    }
    Err(HmcError::conflict(
        110,
        format!(
            "Capacity group {} is not empty and contains partitions with URIs {}",
            repr_str(cg.name()),
            repr_list(&uris)
        ),
    ))
}

/// The CPC (404.1) and the capacity group (404.150) an Add/Remove Partition
/// request targets. Both not-found answers name the request URI, like the
/// HMC mock; the group's own reason code is why these two operations look
/// their target up themselves instead of leaving it to dispatch.
fn target_group(ctx: &Ctx<'_>) -> Result<(Resource, Resource), HmcError> {
    let cpc_uri = CPC.uri_for(None, ctx.param(CPC.param));
    let cpc = lookup(ctx.tx, &CPC, &cpc_uri)?.ok_or_else(|| HmcError::not_found(ctx.req.path()))?;
    let cg_uri = CAPACITY_GROUP.uri_for(Some(&cpc.uri), ctx.param(CAPACITY_GROUP.param));
    let cg = lookup(ctx.tx, &CAPACITY_GROUP, &cg_uri)?
        .ok_or_else(|| HmcError::referenced_not_found(150, ctx.req.path()))?;
    Ok((cpc, cg))
}

/// The partition named by the body's required `partition-uri`; a missing
/// one is 404 with `missing_reason` (naming the request URI, as the mock does).
fn body_partition(ctx: &Ctx<'_>, missing_reason: i64) -> Result<Resource, HmcError> {
    let body = ctx.req.json_object()?;
    require_fields(&body, &["partition-uri"])?;
    let uri = body
        .get("partition-uri")
        .and_then(Value::as_str)
        .unwrap_or_default();
    lookup(ctx.tx, &PARTITION, uri)?
        .ok_or_else(|| HmcError::referenced_not_found(missing_reason, ctx.req.path()))
}

/// Operation: Add Partition to Capacity Group. The partition must use shared
/// processors (409.170) and belong to no capacity group of the CPC yet
/// (409.130 this one, 409.120 another).
fn add_partition(ctx: &mut Ctx<'_>) -> Result<Response, HmcError> {
    let (cpc, cg) = target_group(ctx)?;
    let partition = body_partition(ctx, 2)?;
    let mode = partition.str_prop("processor-mode").unwrap_or("shared");
    if mode != "shared" {
        return Err(HmcError::conflict(
            170,
            format!("Partition {} is in {mode} processor mode", partition.name()),
        ));
    }
    if cg.lists(MEMBERS, &partition.uri) {
        return Err(HmcError::conflict(
            130,
            format!(
                "Partition {} is already a member of this capacity group {}",
                partition.name(),
                cg.name()
            ),
        ));
    }
    for other in ctx.tx.children(&cpc.uri, CAPACITY_GROUP.class)? {
        if other.lists(MEMBERS, &partition.uri) {
            return Err(HmcError::conflict(
                120,
                format!(
                    "Partition {} is already a member of another capacity group {}",
                    partition.name(),
                    other.name()
                ),
            ));
        }
    }
    append_reference(ctx.tx, &cg.uri, MEMBERS, &partition.uri)?;
    Ok(Response::no_content())
}

/// Operation: Remove Partition from Capacity Group. An unknown partition is
/// 404.1 here (404.2 on Add), and a non-member 409.140.
fn remove_partition(ctx: &mut Ctx<'_>) -> Result<Response, HmcError> {
    let (_cpc, cg) = target_group(ctx)?;
    let partition = body_partition(ctx, 1)?;
    if !cg.lists(MEMBERS, &partition.uri) {
        return Err(HmcError::conflict(
            140,
            format!(
                "Partition {} is not a member of capacity group {}",
                partition.name(),
                cg.name()
            ),
        ));
    }
    remove_reference(ctx.tx, &cg.uri, MEMBERS, &partition.uri)?;
    Ok(Response::no_content())
}

/// Add Partition to Capacity Group (a service: see `target_group`).
pub const ADD_PARTITION: Service = Service {
    title: "Add Partition to Capacity Group",
    method: Method::Post,
    pattern: "/api/cpcs/{cpc-id}/capacity-groups/{capacity-group-id}/operations/add-partition",
    query: None,
    auth: true,
    handler: "CapacityGroupAddPartitionHandler",
    run: add_partition,
};

/// Remove Partition from Capacity Group (a service: see `target_group`).
pub const REMOVE_PARTITION: Service = Service {
    title: "Remove Partition from Capacity Group",
    method: Method::Post,
    pattern: "/api/cpcs/{cpc-id}/capacity-groups/{capacity-group-id}/operations/remove-partition",
    query: None,
    auth: true,
    handler: "CapacityGroupRemovePartitionHandler",
    run: remove_partition,
};

/// Capacity groups: listed in either mode, created only in DPM mode. Names
/// are unique within the CPC, as on a real HMC (the mock does not check).
pub static CAPACITY_GROUP: ResourceType = ResourceType {
    class: "capacity-group",
    def_key: "capacity_groups",
    parent: Some(&CPC),
    element: "{parent}/capacity-groups/{id}",
    param: "capacity-group-id",
    id_prop: "element-id",
    uri_prop: "element-uri",
    defaults: &[("capping-enabled", "true"), ("partition-uris", "[]")],
    collection: Some("{parent}/capacity-groups"),
    list: Some(ListSpec {
        key: "capacity-groups",
        props: &["element-uri", "name"],
        filters: &["name"],
        additional: false,
        mode: Mode::Any,
        sparse: false,
    }),
    create: Some(CreateSpec {
        title: "Create Capacity Group",
        required: &["name"],
        mode: Mode::Dpm,
        check: Some(check_create),
        prepare: None,
        after: None,
        body_first: true,
    }),
    // The mock checks `name` before it looks the CPC up.
    update: Some(UpdateSpec {
        title: "Update Capacity Group Properties",
        writable: None,
        check: None,
    }),
    delete: Some(DeleteSpec {
        title: "Delete Capacity Group",
        check: Some(check_delete),
    }),
    unique_names: true,
    ..BASE
};
