//! Capacity groups of DPM CPCs: Create, Delete (only when empty), and Add /
//! Remove Partition with the HMC's reason codes.

use serde_json::Value;

use crate::api::HmcError;
use crate::ctx::Ctx;
use crate::resources::cpc::CPC;
use crate::resources::framework::descriptor::{
    BASE, Check, CreateSpec, DeleteSpec, Done, GetSpec, ListSpec, Missing, Needs, OpFn, Operation,
    ResourceType, UpdateSpec,
};
use crate::resources::framework::generic::{append_reference, lookup, remove_reference};
use crate::resources::framework::preconditions::{DPM_VALID_CPC, require_fields};
use crate::resources::framework::python::{repr_list, repr_str};
use crate::resources::partition::PARTITION;
use crate::store::Resource;

/// The list of a capacity group's member partitions (missing = none).
const MEMBERS: &str = "partition-uris";

/// Delete Capacity Group: 409.110 while partitions are still members.
fn check_delete(_ctx: &Ctx<'_>, cg: &Resource) -> Result<(), HmcError> {
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
fn add_partition(ctx: &mut Ctx<'_>, cg: &mut Resource) -> Result<Done, HmcError> {
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
    let cpc = cg.parent.as_deref().unwrap_or_default();
    for other in ctx.tx.children(cpc, CAPACITY_GROUP.class)? {
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
    Ok(Done::Nothing)
}

/// Operation: Remove Partition from Capacity Group. An unknown partition is
/// 404.1 here (404.2 on Add), and a non-member 409.140.
fn remove_partition(ctx: &mut Ctx<'_>, cg: &mut Resource) -> Result<Done, HmcError> {
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
    Ok(Done::Nothing)
}

/// A membership operation: the mock looks the group up itself, so a
/// missing CPC is 404.1 and a missing group 404.150, both naming the
/// request URI.
const fn membership(title: &'static str, path: &'static str, run: OpFn) -> Operation {
    Operation {
        missing: Missing::Reason(150),
        ..Operation::post(title, path, run)
    }
}

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
        title: "List Capacity Groups of a CPC",
        key: "capacity-groups",
        props: &["element-uri", "name"],
        ..ListSpec::BASE
    }),
    create: Some(CreateSpec {
        title: "Create Capacity Group",
        required: &["name"],
        // The mock checks `name` before it looks the CPC up.
        body_first: true,
        needs: DPM_VALID_CPC,
        ..CreateSpec::BASE
    }),
    update: Some(UpdateSpec::any("Update Capacity Group Properties")),
    delete: Some(DeleteSpec {
        title: "Delete Capacity Group",
        needs: Needs {
            checks: &[Check::Rule(check_delete)],
            ..Needs::NONE
        },
    }),
    unique_names: true,
    operations: &[
        membership(
            "Add Partition to Capacity Group",
            "/operations/add-partition",
            add_partition,
        ),
        membership(
            "Remove Partition from Capacity Group",
            "/operations/remove-partition",
            remove_partition,
        ),
    ],
    get: Some(GetSpec::titled("Get Capacity Group Properties")),
    ..BASE
};
