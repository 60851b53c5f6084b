//! The operations on a partition (`/api/partitions/{id}/operations/...`):
//! Start/Stop, the dump and restart jobs, ISO images, storage group
//! attachment, and (from `crypto_configuration`) the crypto operations.

use serde_json::{Value, json};

use super::crypto_configuration;
use super::descriptor::Operation;
use super::fields::{referenced, required, uri_value};
use super::generic::{append_reference, remove_reference, set_properties};
use super::partition::{check_changeable, check_dpm_and_cpc};
use super::preconditions::{Statuses, check_partition_status, require_fields};
use super::storage::STORAGE_GROUP;
use crate::api::{HmcError, Method, Query, Response};
use crate::ctx::Ctx;
use crate::store::Resource;

/// Partition statuses in which a dump or a PSW restart can run.
const RUNNING: &[&str] = &["active", "paused", "terminated"];

/// The partition's list of attached storage groups.
const SG_URIS: &str = "storage-group-uris";
/// The storage group's list of the partitions it is attached to.
const ATTACHED_URIS: &str = "attached-partition-uris";

/// Operation: Start Partition (asynchronous: 202 and a job).
fn start(ctx: &mut Ctx<'_>, p: &Resource) -> Result<Response, HmcError> {
    check_dpm_and_cpc(ctx, p)?;
    check_partition_status(ctx, p, Statuses::Only(&["stopped"]))?;
    set_properties(ctx.tx, &mut p.clone(), [("status", json!("active"))])?;
    ctx.job("Start Partition", &p.uri, Some(json!({})))
}

/// Operation: Stop Partition (asynchronous: 202 and a job). Like the real
/// HMC, a degraded or reservation-error partition can be stopped too.
fn stop(ctx: &mut Ctx<'_>, p: &Resource) -> Result<Response, HmcError> {
    check_dpm_and_cpc(ctx, p)?;
    check_partition_status(
        ctx,
        p,
        Statuses::Only(&[
            "active",
            "paused",
            "terminated",
            "degraded",
            "reservation-error",
        ]),
    )?;
    set_properties(ctx.tx, &mut p.clone(), [("status", json!("stopped"))])?;
    ctx.job("Stop Partition", &p.uri, Some(json!({})))
}

/// The preconditions and body fields of a job that changes nothing here
/// (a dump or restart runs inside the partition), then the finished job.
fn stateless_job(
    ctx: &mut Ctx<'_>,
    p: &Resource,
    title: &str,
    statuses: &'static [&'static str],
    fields: &[&str],
) -> Result<Response, HmcError> {
    check_dpm_and_cpc(ctx, p)?;
    check_partition_status(ctx, p, Statuses::Only(statuses))?;
    if !fields.is_empty() {
        require_fields(&ctx.req.json_object()?, fields)?;
    }
    ctx.job(title, &p.uri, Some(json!({})))
}

/// Operation: Dump Partition (asynchronous).
fn scsi_dump(ctx: &mut Ctx<'_>, p: &Resource) -> Result<Response, HmcError> {
    stateless_job(
        ctx,
        p,
        "Dump Partition",
        RUNNING,
        &[
            "dump-load-hba-uri",
            "dump-world-wide-port-name",
            "dump-logical-unit-number",
        ],
    )
}

/// Operation: Start Dump Program (asynchronous).
fn start_dump_program(ctx: &mut Ctx<'_>, p: &Resource) -> Result<Response, HmcError> {
    stateless_job(
        ctx,
        p,
        "Start Dump Program",
        &["active", "degraded", "paused", "terminated"],
        &["dump-program-info", "dump-program-type"],
    )
}

/// Operation: Perform PSW Restart (asynchronous).
fn psw_restart(ctx: &mut Ctx<'_>, p: &Resource) -> Result<Response, HmcError> {
    stateless_job(ctx, p, "Perform PSW Restart", RUNNING, &[])
}

/// The first value of the required query parameter `name` (400.1 if absent).
fn required_query(query: &Query, name: &str) -> Result<String, HmcError> {
    query
        .values(name)
        .first()
        .map(|v| (*v).to_string())
        .ok_or_else(|| {
            HmcError::bad_query(format!("Missing required URI query parameter '{name}'"))
        })
}

/// Operation: Mount ISO Image. The body is the image itself (any content
/// type, typically `application/octet-stream`); it is accepted and not
/// kept, only its names are recorded.
fn mount_iso_image(ctx: &mut Ctx<'_>, p: &Resource) -> Result<Response, HmcError> {
    check_changeable(ctx, p)?;
    let query = ctx.query()?;
    let image = required_query(&query, "image-name")?;
    let ins_file = required_query(&query, "ins-file-name")?;
    set_properties(
        ctx.tx,
        &mut p.clone(),
        [
            ("boot-iso-image-name", Value::String(image)),
            ("boot-iso-ins-file", Value::String(ins_file)),
        ],
    )?;
    Ok(Response::ok(json!({})))
}

/// Operation: Unmount ISO Image.
fn unmount_iso_image(ctx: &mut Ctx<'_>, p: &Resource) -> Result<Response, HmcError> {
    check_changeable(ctx, p)?;
    set_properties(
        ctx.tx,
        &mut p.clone(),
        [
            ("boot-iso-image-name", Value::Null),
            ("boot-iso-ins-file", Value::Null),
        ],
    )?;
    Ok(Response::ok(json!({})))
}

/// 409.120: Attach Storage Group for a group that is already attached
/// (our reason code; the Python mock has no such operation).
fn already_attached(sg: &Resource, p: &Resource) -> HmcError {
    HmcError::conflict(
        120,
        format!(
            "Storage group {} is already attached to partition {}",
            sg.name(),
            p.name()
        ),
    )
}

/// 409.121: Attach Storage Group for a group of another CPC (our reason code).
fn other_cpc(sg: &Resource, p: &Resource) -> HmcError {
    HmcError::conflict(
        121,
        format!(
            "Storage group {} is not associated with the CPC of partition {}",
            sg.name(),
            p.name()
        ),
    )
}

/// 409.122: Detach Storage Group for a group that is not attached (our
/// reason code).
fn not_attached(sg: &Resource, p: &Resource) -> HmcError {
    HmcError::conflict(
        122,
        format!(
            "Storage group {} is not attached to partition {}",
            sg.name(),
            p.name()
        ),
    )
}

/// The storage group named by the body's `storage-group-uri`: 400.3/400.5
/// without it, 400.7 if it is not a string, 404.2 if there is no such group.
fn storage_group_of_body(ctx: &Ctx<'_>) -> Result<Resource, HmcError> {
    let body = ctx.req.json_object()?;
    let field = "storage-group-uri";
    let uri = uri_value(field, Some(required(&body, field)?))?;
    referenced(ctx.tx, &STORAGE_GROUP, uri)
}

/// Operation: Attach Storage Group to Partition. Both sides record the
/// attachment: the partition's `storage-group-uris` and the group's
/// `attached-partition-uris`.
fn attach_storage_group(ctx: &mut Ctx<'_>, p: &Resource) -> Result<Response, HmcError> {
    check_changeable(ctx, p)?;
    let sg = storage_group_of_body(ctx)?;
    if let Some(cpc) = sg.str_prop("cpc-uri")
        && Some(cpc) != p.parent.as_deref()
    {
        return Err(other_cpc(&sg, p));
    }
    if p.lists(SG_URIS, &sg.uri) {
        return Err(already_attached(&sg, p));
    }
    append_reference(ctx.tx, &p.uri, SG_URIS, &sg.uri)?;
    append_reference(ctx.tx, &sg.uri, ATTACHED_URIS, &p.uri)?;
    Ok(Response::no_content())
}

/// Operation: Detach Storage Group from Partition; undoes both sides of
/// the attachment.
fn detach_storage_group(ctx: &mut Ctx<'_>, p: &Resource) -> Result<Response, HmcError> {
    check_changeable(ctx, p)?;
    let sg = storage_group_of_body(ctx)?;
    if !p.lists(SG_URIS, &sg.uri) {
        return Err(not_attached(&sg, p));
    }
    remove_reference(ctx.tx, &p.uri, SG_URIS, &sg.uri)?;
    remove_reference(ctx.tx, &sg.uri, ATTACHED_URIS, &p.uri)?;
    Ok(Response::no_content())
}

/// A POST operation without query parameters (partitions, adapters, CPCs
/// and HBAs use it).
pub(super) const fn post(
    title: &'static str,
    path: &'static str,
    run: super::descriptor::OpFn,
) -> Operation {
    Operation {
        title,
        method: Method::Post,
        path,
        query: None,
        run,
    }
}

/// Every operation of a partition, in the order of the HMC mock's URI table.
pub const OPERATIONS: &[Operation] = &[
    post("Start Partition", "/operations/start", start),
    post("Stop Partition", "/operations/stop", stop),
    post("Dump Partition", "/operations/scsi-dump", scsi_dump),
    post(
        "Start Dump Program",
        "/operations/start-dump-program",
        start_dump_program,
    ),
    post(
        "Perform PSW Restart",
        "/operations/psw-restart",
        psw_restart,
    ),
    Operation {
        title: "Mount ISO Image",
        method: Method::Post,
        path: "/operations/mount-iso-image",
        query: Some(&["image-name", "ins-file-name"]),
        run: mount_iso_image,
    },
    post(
        "Unmount ISO Image",
        "/operations/unmount-iso-image",
        unmount_iso_image,
    ),
    post(
        "Increase Crypto Configuration",
        "/operations/increase-crypto-configuration",
        crypto_configuration::increase,
    ),
    post(
        "Decrease Crypto Configuration",
        "/operations/decrease-crypto-configuration",
        crypto_configuration::decrease,
    ),
    post(
        "Change Crypto Domain Configuration",
        "/operations/change-crypto-domain-configuration",
        crypto_configuration::change_domain,
    ),
    post(
        "Zeroize Crypto Domain",
        "/operations/zeroize-crypto-domain",
        crypto_configuration::zeroize,
    ),
    post(
        "Attach Storage Group to Partition",
        "/operations/attach-storage-group",
        attach_storage_group,
    ),
    post(
        "Detach Storage Group from Partition",
        "/operations/detach-storage-group",
        detach_storage_group,
    ),
];
