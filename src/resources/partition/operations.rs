//! The operations on a partition (`/api/partitions/{id}/operations/...`):
//! Start/Stop, the dump and restart jobs, ISO images, storage group
//! attachment, (from `crypto_configuration`) the crypto operations and
//! (from `os_message`) the OS message and console operations.

use serde_json::{Value, json};

use crate::api::{HmcError, Query};
use crate::ctx::Ctx;
use crate::resources::framework::descriptor::{
    Check, Done, Mode, Needs, OpFn, Operation, Statuses,
};
use crate::resources::framework::fields::{referenced, required, uri_value};
use crate::resources::framework::generic::{append_reference, remove_reference, set_properties};
use crate::resources::framework::preconditions::CHANGEABLE;
use crate::resources::os_message;
use crate::resources::partition::crypto_configuration;
use crate::resources::storage_group::STORAGE_GROUP;
use crate::resources::sustainability;
use crate::store::Resource;
/// The partition's list of attached storage groups.
const SG_URIS: &str = "storage-group-uris";
/// The storage group's list of the partitions it is attached to.
const ATTACHED_URIS: &str = "attached-partition-uris";

/// Operation: Start Partition.
fn start(ctx: &mut Ctx<'_>, p: &mut Resource) -> Result<Done, HmcError> {
    set_properties(ctx.tx, p, [("status", json!("active"))])?;
    Ok(Done::Json(json!({})))
}

/// Operation: Stop Partition.
fn stop(ctx: &mut Ctx<'_>, p: &mut Resource) -> Result<Done, HmcError> {
    set_properties(ctx.tx, p, [("status", json!("stopped"))])?;
    Ok(Done::Json(json!({})))
}

/// A job that changes nothing here (a dump or restart runs inside the
/// partition): its row's needs are all it checks.
fn runs_inside(_ctx: &mut Ctx<'_>, _p: &mut Resource) -> Result<Done, HmcError> {
    Ok(Done::Json(json!({})))
}

/// Partition statuses in which a dump or a PSW restart can run.
const RUNNING: Statuses = Statuses::Only(&["active", "paused", "terminated"]);

/// Start Partition: DPM, the CPC's status, a stopped partition.
const START: Needs = Needs {
    mode: Mode::Dpm,
    checks: &[
        Check::CpcStatus,
        Check::PartitionStatus(Statuses::Only(&["stopped"])),
    ],
};

/// Stop Partition: like the real HMC, a degraded or reservation-error
/// partition can be stopped too.
const STOP: Needs = Needs {
    mode: Mode::Dpm,
    checks: &[
        Check::CpcStatus,
        Check::PartitionStatus(Statuses::Only(&[
            "active",
            "paused",
            "terminated",
            "degraded",
            "reservation-error",
        ])),
    ],
};

const SCSI_DUMP: Needs = Needs {
    mode: Mode::Dpm,
    checks: &[
        Check::CpcStatus,
        Check::PartitionStatus(RUNNING),
        Check::Fields(&[
            "dump-load-hba-uri",
            "dump-world-wide-port-name",
            "dump-logical-unit-number",
        ]),
    ],
};

const START_DUMP_PROGRAM: Needs = Needs {
    mode: Mode::Dpm,
    checks: &[
        Check::CpcStatus,
        Check::PartitionStatus(Statuses::Only(&[
            "active",
            "degraded",
            "paused",
            "terminated",
        ])),
        Check::Fields(&["dump-program-info", "dump-program-type"]),
    ],
};

const PSW_RESTART: Needs = Needs {
    mode: Mode::Dpm,
    checks: &[Check::CpcStatus, Check::PartitionStatus(RUNNING)],
};

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
fn mount_iso_image(ctx: &mut Ctx<'_>, p: &mut Resource) -> Result<Done, HmcError> {
    let query = ctx.query()?;
    let image = required_query(&query, "image-name")?;
    let ins_file = required_query(&query, "ins-file-name")?;
    set_properties(
        ctx.tx,
        p,
        [
            ("boot-iso-image-name", Value::String(image)),
            ("boot-iso-ins-file", Value::String(ins_file)),
        ],
    )?;
    Ok(Done::Json(json!({})))
}

/// Operation: Unmount ISO Image.
fn unmount_iso_image(ctx: &mut Ctx<'_>, p: &mut Resource) -> Result<Done, HmcError> {
    set_properties(
        ctx.tx,
        p,
        [
            ("boot-iso-image-name", Value::Null),
            ("boot-iso-ins-file", Value::Null),
        ],
    )?;
    Ok(Done::Json(json!({})))
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
fn attach_storage_group(ctx: &mut Ctx<'_>, p: &mut Resource) -> Result<Done, HmcError> {
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
    Ok(Done::Nothing)
}

/// Operation: Detach Storage Group from Partition; undoes both sides of
/// the attachment.
fn detach_storage_group(ctx: &mut Ctx<'_>, p: &mut Resource) -> Result<Done, HmcError> {
    let sg = storage_group_of_body(ctx)?;
    if !p.lists(SG_URIS, &sg.uri) {
        return Err(not_attached(&sg, p));
    }
    remove_reference(ctx.tx, &p.uri, SG_URIS, &sg.uri)?;
    remove_reference(ctx.tx, &sg.uri, ATTACHED_URIS, &p.uri)?;
    Ok(Done::Nothing)
}

/// Every operation of a partition, in the order of the HMC mock's URI table.
pub const OPERATIONS: &[Operation] = &[
    Operation::job("Start Partition", "/operations/start", START, start),
    Operation::job("Stop Partition", "/operations/stop", STOP, stop),
    Operation::job(
        "Dump Partition",
        "/operations/scsi-dump",
        SCSI_DUMP,
        runs_inside,
    ),
    Operation::job(
        "Start Dump Program",
        "/operations/start-dump-program",
        START_DUMP_PROGRAM,
        runs_inside,
    ),
    Operation::job(
        "Perform PSW Restart",
        "/operations/psw-restart",
        PSW_RESTART,
        runs_inside,
    ),
    Operation {
        query: Some(&["image-name", "ins-file-name"]),
        needs: CHANGEABLE,
        ..Operation::post(
            "Mount ISO Image",
            "/operations/mount-iso-image",
            mount_iso_image,
        )
    },
    changes(
        "Unmount ISO Image",
        "/operations/unmount-iso-image",
        unmount_iso_image,
    ),
    changes(
        "Increase Crypto Configuration",
        "/operations/increase-crypto-configuration",
        crypto_configuration::increase,
    ),
    changes(
        "Decrease Crypto Configuration",
        "/operations/decrease-crypto-configuration",
        crypto_configuration::decrease,
    ),
    changes(
        "Change Crypto Domain Configuration",
        "/operations/change-crypto-domain-configuration",
        crypto_configuration::change_domain,
    ),
    changes(
        "Zeroize Crypto Domain",
        "/operations/zeroize-crypto-domain",
        crypto_configuration::zeroize,
    ),
    changes(
        "Attach Storage Group to Partition",
        "/operations/attach-storage-group",
        attach_storage_group,
    ),
    changes(
        "Detach Storage Group from Partition",
        "/operations/detach-storage-group",
        detach_storage_group,
    ),
    os_message::LIST_PARTITION,
    os_message::SEND_PARTITION,
    os_message::OPEN_PARTITION,
    os_message::WEBSOCKET_PARTITION,
    sustainability::PARTITION,
    Operation::post(
        "Assign Certificate to a Partition",
        "/operations/assign-certificate",
        crate::resources::certificate::assign,
    ),
    Operation::post(
        "Unassign Certificate from a Partition",
        "/operations/unassign-certificate",
        crate::resources::certificate::unassign,
    ),
];

/// A synchronous change of the partition's configuration (`CHANGEABLE`).
const fn changes(title: &'static str, path: &'static str, run: OpFn) -> Operation {
    Operation {
        needs: CHANGEABLE,
        ..Operation::post(title, path, run)
    }
}
