//! The jobs of an LPAR (`/api/logical-partitions/{id}/operations/...`):
//! Activate and Deactivate, the loads (plain, SCSI, NVMe, from FTP) and
//! dumps, Start and Stop, PSW Restart, Reset Clear and Reset Normal. Each
//! is complete when first polled and answers no result, so zhmcclient's
//! `Lpar` methods return `None` as with its mock; the LPAR is in its end
//! status before the job is recorded, so zhmcclient's wait for the status
//! ends at its first look.

use serde_json::{Map, Value, json};

use crate::api::HmcError;
use crate::ctx::Ctx;
use crate::resources::activation_profile::{IMAGE_PROFILE, LOAD_PROFILE};
use crate::resources::framework::descriptor::{Check, Done, Mode, Needs, Operation, Statuses};
use crate::resources::framework::fields::optional_body;
use crate::resources::framework::generic::{lookup, set_properties};
use crate::resources::framework::python::{repr_str, repr_value, truthy};
use crate::resources::logon::META_HMC_VERSION;
use crate::resources::os_message;
use crate::resources::sustainability;
use crate::store::Resource;

/// Statuses of an active LPAR: the TODO operations of the Python mock
/// (start, stop, PSW restart, resets, load from FTP) need one of them, as
/// zhmcclient's documentation of them says.
const ACTIVE: Statuses = Statuses::Only(&["not-operating", "operating", "exceptions"]);

/// Whether the request's (optional) body asks for `force`, as Python reads
/// it (`body.get('force', False)`, then its truthiness).
fn forced(ctx: &Ctx<'_>) -> Result<bool, HmcError> {
    Ok(truthy(optional_body(ctx.req)?.get("force")))
}

/// 500.263: the SE refused the operation (the HMC mock's answer when
/// `force` would have been needed, and for a foreign activation profile).
fn failed(message: String) -> HmcError {
    HmcError::new(500, 263, message)
}

/// Activate Logical Partition: an `operating` LPAR needs `force`.
fn check_activatable(ctx: &Ctx<'_>, lpar: &Resource) -> Result<(), HmcError> {
    let status = lpar.str_prop("status");
    if status == Some("operating") && !forced(ctx)? {
        return Err(failed(format!(
            "LPAR {} could not be activated because the LPAR is in status operating (and force was not specified).",
            repr_str(lpar.name())
        )));
    }
    Ok(())
}

/// Deactivate Logical Partition: a `not-activated` or `operating` LPAR
/// needs `force`.
fn check_deactivatable(ctx: &Ctx<'_>, lpar: &Resource) -> Result<(), HmcError> {
    let name = repr_str(lpar.name());
    match lpar.str_prop("status") {
        Some("not-activated") if !forced(ctx)? => Err(failed(format!(
            "LPAR {name} could not be deactivated because the LPAR is already deactivated (and force was not specified)."
        ))),
        Some("operating") if !forced(ctx)? => Err(failed(format!(
            "LPAR {name} could not be deactivated because the LPAR is in status operating (and force was not specified)."
        ))),
        _ => Ok(()),
    }
}

/// The loads and dumps: a `not-activated` LPAR cannot load (409.0), an
/// `operating` one needs `force` (500.263).
fn check_loadable(ctx: &Ctx<'_>, lpar: &Resource) -> Result<(), HmcError> {
    let name = repr_str(lpar.name());
    match lpar.str_prop("status") {
        Some("not-activated") => Err(HmcError::conflict(
            0,
            format!("LPAR {name} could not be loaded because the LPAR is in status not-activated."),
        )),
        Some("operating") if !forced(ctx)? => Err(failed(format!(
            "LPAR {name} could not be loaded because the LPAR is already loaded (and force was not specified)."
        ))),
        _ => Ok(()),
    }
}

/// Reset Clear and Reset Normal: an `operating` LPAR or one with
/// `exceptions` needs `force` (500.263, worded like the loads).
fn check_resettable(ctx: &Ctx<'_>, lpar: &Resource) -> Result<(), HmcError> {
    match lpar.str_prop("status") {
        Some(status @ ("operating" | "exceptions")) if !forced(ctx)? => Err(failed(format!(
            "LPAR {} could not be reset because the LPAR is in status {status} (and force was not specified).",
            repr_str(lpar.name())
        ))),
        _ => Ok(()),
    }
}

/// Start, Stop and Load from FTP are not permitted for an LPAR whose
/// `activation-mode` is `zaware` or `ssc` (409.1; the firmware runs
/// there, not an operating system).
fn check_not_appliance(_ctx: &Ctx<'_>, lpar: &Resource) -> Result<(), HmcError> {
    match lpar.str_prop("activation-mode") {
        Some(mode @ ("zaware" | "ssc")) => Err(HmcError::conflict(
            1,
            format!(
                "The operation cannot be performed because LPAR {} has activation mode {mode}",
                lpar.name()
            ),
        )),
        _ => Ok(()),
    }
}

/// The image profile of the CPC named like the LPAR (the one zhmcclient's
/// `Lpar.activate` reads), if there is one.
fn own_image_profile(ctx: &Ctx<'_>, lpar: &Resource) -> Result<Option<Resource>, HmcError> {
    let uri = IMAGE_PROFILE.uri_for(lpar.parent.as_deref(), lpar.name());
    lookup(ctx.tx, &IMAGE_PROFILE, &uri)
}

/// Operation: Activate Logical Partition. The profile is the body's
/// `activation-profile-name` (if truthy), else `next-activation-profile-name`.
/// An image profile must be named like the LPAR (500.263 otherwise, as in
/// the Python mock), except that, like a real HMC, the name of a load
/// profile of the CPC activates the LPAR and loads it with that profile.
/// The LPAR ends `operating` when it loads at activation (a load profile,
/// `load-at-activation` of its image profile, or an `ssc`/`zaware`
/// operating mode, which zhmcclient waits for) and `not-operating`
/// otherwise; its `activation-mode` becomes the image profile's
/// `operating-mode`.
fn activate(ctx: &mut Ctx<'_>, lpar: &mut Resource) -> Result<Done, HmcError> {
    let body = optional_body(ctx.req)?;
    let profile = match body.get("activation-profile-name") {
        v if truthy(v) => v.cloned().unwrap_or(Value::Null),
        _ => match lpar.props.get("next-activation-profile-name") {
            None | Some(Value::Null) => json!(""),
            Some(v) => v.clone(),
        },
    };
    let mut changes: Vec<(&str, Value)> = Vec::new();
    let mut loads = false;
    if profile.as_str() != Some(lpar.name()) {
        let uri = LOAD_PROFILE.uri_for(lpar.parent.as_deref(), profile.as_str().unwrap_or(""));
        let Some(load_profile) = lookup(ctx.tx, &LOAD_PROFILE, &uri)? else {
            return Err(failed(format!(
                "LPAR {} could not be activated because the name of the image activation profile {} is different from the LPAR name.",
                repr_str(lpar.name()),
                repr_value(&profile)
            )));
        };
        loads = true;
        load_from_profile(&load_profile, "ipl-address", "ipl-parameter", &mut changes);
    }
    if let Some(image) = own_image_profile(ctx, lpar)? {
        let mode = image.str_prop("operating-mode");
        if truthy(image.props.get("load-at-activation")) {
            loads = true;
            load_from_profile(&image, "load-address", "load-parameter", &mut changes);
        }
        if matches!(mode, Some("ssc" | "zaware")) {
            loads = true;
        }
        if let Some(mode) = mode {
            changes.push(("activation-mode", json!(mode)));
        }
    }
    let status = if loads { "operating" } else { "not-operating" };
    changes.push(("status", json!(status)));
    changes.push(("last-used-activation-profile", profile));
    set_properties(ctx.tx, lpar, changes)?;
    Ok(Done::Nothing)
}

/// The `last-used-load-*` a load at activation leaves: the profile's load
/// address and parameter, where it has them.
fn load_from_profile(
    profile: &Resource,
    address: &str,
    parameter: &str,
    changes: &mut Vec<(&'static str, Value)>,
) {
    if let Some(v) = profile.props.get(address).filter(|v| !v.is_null()) {
        changes.push(("last-used-load-address", v.clone()));
    }
    if let Some(v) = profile.props.get(parameter).filter(|v| !v.is_null()) {
        changes.push(("last-used-load-parameter", v.clone()));
    }
}

/// Operation: Deactivate Logical Partition. The LPAR is `not-activated`
/// and, as on a real HMC, its `activation-mode` is `not-set` again.
fn deactivate(ctx: &mut Ctx<'_>, lpar: &mut Resource) -> Result<Done, HmcError> {
    set_properties(
        ctx.tx,
        lpar,
        [
            ("status", json!("not-activated")),
            ("activation-mode", json!("not-set")),
        ],
    )?;
    Ok(Done::Nothing)
}

/// The value of `name` in `body` if truthy, else the LPAR's `last_used`
/// property (a missing or null one is `None`).
fn given_or_last_used(
    body: &Map<String, Value>,
    lpar: &Resource,
    name: &str,
    last_used: &str,
) -> Option<Value> {
    match body.get(name) {
        v if truthy(v) => v.cloned(),
        _ => lpar.props.get(last_used).filter(|v| !v.is_null()).cloned(),
    }
}

/// Operation: Load Logical Partition. The load address is the body's or
/// the LPAR's `last-used-load-address` (400.5 without either); with
/// `clear-indicator` (default true) the memory is cleared; with
/// `store-status-indicator` the status before the load is kept in
/// `stored-status`.
fn load(ctx: &mut Ctx<'_>, lpar: &mut Resource) -> Result<Done, HmcError> {
    let body = optional_body(ctx.req)?;
    let clear = body.get("clear-indicator").is_none_or(|v| truthy(Some(v)));
    let store_status = truthy(body.get("store-status-indicator"));
    let Some(address) = given_or_last_used(&body, lpar, "load-address", "last-used-load-address")
    else {
        return Err(HmcError::bad_request(
            5,
            format!(
                "LPAR {} could not be loaded because a load address is not specified in the request or in the Lpar last-used property",
                repr_str(lpar.name())
            ),
        ));
    };
    let parameter = given_or_last_used(&body, lpar, "load-parameter", "last-used-load-parameter")
        .unwrap_or_else(|| json!(""));
    let before = lpar.props.get("status").cloned().unwrap_or(Value::Null);
    let mut changes: Vec<(&str, Value)> = Vec::new();
    if clear {
        changes.push(("memory", json!("")));
    }
    changes.push((
        "stored-status",
        if store_status { before } else { Value::Null },
    ));
    changes.push(("status", json!("operating")));
    changes.push(("last-used-load-address", address));
    changes.push(("last-used-load-parameter", parameter));
    set_properties(ctx.tx, lpar, changes)?;
    Ok(Done::Nothing)
}

/// A SCSI or NVMe load or dump.
struct Ipl {
    /// `last-used-load-type` it leaves (HMC 2.15.0 and later).
    load_type: &'static str,
    /// SCSI: the WWPN and LUN are recorded too.
    scsi: bool,
    /// A load, not a dump: `last-used-clear-indicator` is recorded (HMC
    /// 2.16.0 and later).
    load: bool,
}

/// The HMC version (meta `hmc-version`) as numbers; a missing or unreadable
/// one is taken as new enough for every `last-used-*` property.
fn hmc_version(ctx: &Ctx<'_>) -> Result<Vec<i64>, HmcError> {
    let text = ctx.tx.meta(META_HMC_VERSION)?.unwrap_or_default();
    let parts: Option<Vec<i64>> = text.split('.').map(|p| p.trim().parse().ok()).collect();
    Ok(parts.unwrap_or_else(|| vec![i64::MAX]))
}

/// The body's value of `name`, or `default` when it is absent (a given
/// null stays null, as `body.get(name, default)` in Python).
fn or_default(body: &Map<String, Value>, name: &str, default: Value) -> Value {
    body.get(name).cloned().unwrap_or(default)
}

/// Runs a SCSI or NVMe load or dump: the LPAR is `operating` and its
/// `last-used-*` properties follow the request as far as the HMC version
/// has them (section 4.16.2).
fn ipl(ctx: &mut Ctx<'_>, lpar: &mut Resource, kind: &Ipl) -> Result<Done, HmcError> {
    let body = ctx.req.json_object()?;
    let version = hmc_version(ctx)?;
    let at_least = |v: &[i64]| version.as_slice() >= v;
    let mut changes: Vec<(&str, Value)> = vec![("status", json!("operating"))];
    if at_least(&[2, 14, 0]) {
        changes.push((
            "last-used-load-address",
            or_default(&body, "load-address", Value::Null),
        ));
        changes.push((
            "last-used-load-parameter",
            or_default(&body, "load-parameter", json!("")),
        ));
    }
    if at_least(&[2, 14, 1]) {
        if kind.scsi {
            changes.push((
                "last-used-world-wide-port-name",
                or_default(&body, "world-wide-port-name", Value::Null),
            ));
            changes.push((
                "last-used-logical-unit-number",
                or_default(&body, "logical-unit-number", Value::Null),
            ));
        }
        changes.push((
            "last-used-disk-partition-id",
            or_default(&body, "disk-partition-id", json!(0)),
        ));
        changes.push((
            "last-used-operating-system-specific-load-parameters",
            or_default(
                &body,
                "operating-system-specific-load-parameters",
                json!(""),
            ),
        ));
        changes.push((
            "last-used-boot-record-logical-block-address",
            or_default(&body, "boot-record-logical-block-address", json!("0")),
        ));
    }
    if at_least(&[2, 15, 0]) {
        changes.push(("last-used-load-type", json!(kind.load_type)));
        changes.push((
            "last-used-secure-boot",
            or_default(&body, "secure-boot", json!(false)),
        ));
    }
    if kind.load && at_least(&[2, 16, 0]) {
        changes.push((
            "last-used-clear-indicator",
            or_default(&body, "clear-indicator", json!(true)),
        ));
    }
    set_properties(ctx.tx, lpar, changes)?;
    Ok(Done::Nothing)
}

/// Operation: SCSI Load.
fn scsi_load(ctx: &mut Ctx<'_>, lpar: &mut Resource) -> Result<Done, HmcError> {
    ipl(
        ctx,
        lpar,
        &Ipl {
            load_type: "ipltype-scsi",
            scsi: true,
            load: true,
        },
    )
}

/// Operation: SCSI Dump.
fn scsi_dump(ctx: &mut Ctx<'_>, lpar: &mut Resource) -> Result<Done, HmcError> {
    ipl(
        ctx,
        lpar,
        &Ipl {
            load_type: "ipltype-scsidump",
            scsi: true,
            load: false,
        },
    )
}

/// Operation: NVMe Load.
fn nvme_load(ctx: &mut Ctx<'_>, lpar: &mut Resource) -> Result<Done, HmcError> {
    ipl(
        ctx,
        lpar,
        &Ipl {
            load_type: "ipltype-nvme",
            scsi: false,
            load: true,
        },
    )
}

/// Operation: NVMe Dump.
fn nvme_dump(ctx: &mut Ctx<'_>, lpar: &mut Resource) -> Result<Done, HmcError> {
    ipl(
        ctx,
        lpar,
        &Ipl {
            load_type: "ipltype-nvmedump",
            scsi: false,
            load: false,
        },
    )
}

/// The protocols Load Logical Partition from FTP speaks.
const FTP_PROTOCOLS: &[&str] = &["ftp", "ftps", "sftp"];

/// Operation: Load Logical Partition from FTP. The `protocol` (default
/// `ftp`) must be one the HMC speaks (400.7); the password is used for the
/// transfer and not kept. The LPAR runs what it loaded (`operating`).
fn load_from_ftp(ctx: &mut Ctx<'_>, lpar: &mut Resource) -> Result<Done, HmcError> {
    let body = ctx.req.json_object()?;
    if let Some(protocol) = body.get("protocol")
        && !protocol
            .as_str()
            .is_some_and(|p| FTP_PROTOCOLS.contains(&p))
    {
        return Err(HmcError::invalid_field("protocol", protocol));
    }
    set_properties(ctx.tx, lpar, [("status", json!("operating"))])?;
    Ok(Done::Nothing)
}

/// Operation: Start Logical Partition: the processors run again, so a
/// stopped LPAR is `operating`.
fn start(ctx: &mut Ctx<'_>, lpar: &mut Resource) -> Result<Done, HmcError> {
    set_properties(ctx.tx, lpar, [("status", json!("operating"))])?;
    Ok(Done::Nothing)
}

/// Operation: Stop Logical Partition: the processors stop, the LPAR stays
/// active (`not-operating`).
fn stop(ctx: &mut Ctx<'_>, lpar: &mut Resource) -> Result<Done, HmcError> {
    set_properties(ctx.tx, lpar, [("status", json!("not-operating"))])?;
    Ok(Done::Nothing)
}

/// Operation: PSW Restart: the restart interruption hands control to the
/// operating system, which runs (`operating`).
fn psw_restart(ctx: &mut Ctx<'_>, lpar: &mut Resource) -> Result<Done, HmcError> {
    set_properties(ctx.tx, lpar, [("status", json!("operating"))])?;
    Ok(Done::Nothing)
}

/// Operation: Reset Clear: processors and I/O are reset and the memory is
/// cleared (`memory` is empty, as after a clearing load); the LPAR stays
/// active with nothing running (`not-operating`).
fn reset_clear(ctx: &mut Ctx<'_>, lpar: &mut Resource) -> Result<Done, HmcError> {
    set_properties(
        ctx.tx,
        lpar,
        [("status", json!("not-operating")), ("memory", json!(""))],
    )?;
    Ok(Done::Nothing)
}

/// Operation: Reset Normal: like Reset Clear, but the memory is kept.
fn reset_normal(ctx: &mut Ctx<'_>, lpar: &mut Resource) -> Result<Done, HmcError> {
    set_properties(ctx.tx, lpar, [("status", json!("not-operating"))])?;
    Ok(Done::Nothing)
}

const ACTIVATE: Needs = Needs {
    mode: Mode::Classic,
    checks: &[Check::Rule(check_activatable)],
};

const DEACTIVATE: Needs = Needs {
    mode: Mode::Classic,
    checks: &[Check::Rule(check_deactivatable)],
};

const LOAD: Needs = Needs {
    mode: Mode::Classic,
    checks: &[Check::Rule(check_loadable)],
};

const SCSI: Needs = Needs {
    mode: Mode::Classic,
    checks: &[
        Check::Fields(&[
            "load-address",
            "world-wide-port-name",
            "logical-unit-number",
        ]),
        Check::Rule(check_loadable),
    ],
};

const NVME: Needs = Needs {
    mode: Mode::Classic,
    checks: &[
        Check::Fields(&["load-address"]),
        Check::Rule(check_loadable),
    ],
};

const LOAD_FROM_FTP: Needs = Needs {
    mode: Mode::Classic,
    checks: &[
        Check::Fields(&["host-name", "user-name", "password", "file-path"]),
        Check::PartitionStatus(ACTIVE),
        Check::Rule(check_not_appliance),
    ],
};

/// Start and Stop: an active LPAR that runs an operating system's mode.
const START_STOP: Needs = Needs {
    mode: Mode::Classic,
    checks: &[
        Check::PartitionStatus(ACTIVE),
        Check::Rule(check_not_appliance),
    ],
};

const PSW_RESTART: Needs = Needs {
    mode: Mode::Classic,
    checks: &[Check::PartitionStatus(ACTIVE)],
};

const RESET: Needs = Needs {
    mode: Mode::Classic,
    checks: &[
        Check::PartitionStatus(ACTIVE),
        Check::Rule(check_resettable),
    ],
};

/// Every operation of an LPAR: the mock's, then the ones it leaves as TODO,
/// then the OS message operations and the sustainability data.
pub const OPERATIONS: &[Operation] = &[
    Operation::job(
        "Activate Logical Partition",
        "/operations/activate",
        ACTIVATE,
        activate,
    ),
    Operation::job(
        "Deactivate Logical Partition",
        "/operations/deactivate",
        DEACTIVATE,
        deactivate,
    ),
    Operation::job("Load Logical Partition", "/operations/load", LOAD, load),
    Operation::job("SCSI Load", "/operations/scsi-load", SCSI, scsi_load),
    Operation::job("SCSI Dump", "/operations/scsi-dump", SCSI, scsi_dump),
    Operation::job("NVMe Load", "/operations/nvme-load", NVME, nvme_load),
    Operation::job("NVMe Dump", "/operations/nvme-dump", NVME, nvme_dump),
    Operation::job(
        "Load Logical Partition from FTP",
        "/operations/load-from-ftp",
        LOAD_FROM_FTP,
        load_from_ftp,
    ),
    Operation::job(
        "Start Logical Partition",
        "/operations/start",
        START_STOP,
        start,
    ),
    Operation::job(
        "Stop Logical Partition",
        "/operations/stop",
        START_STOP,
        stop,
    ),
    Operation::job(
        "PSW Restart",
        "/operations/psw-restart",
        PSW_RESTART,
        psw_restart,
    ),
    Operation::job("Reset Clear", "/operations/reset-clear", RESET, reset_clear),
    Operation::job(
        "Reset Normal",
        "/operations/reset-normal",
        RESET,
        reset_normal,
    ),
    os_message::LIST_LPAR,
    os_message::SEND_LPAR,
    os_message::OPEN_LPAR,
    sustainability::LPAR,
    Operation::post(
        "Assign Certificate to a Logical Partition",
        "/operations/assign-certificate",
        crate::resources::certificate::assign,
    ),
    Operation::post(
        "Unassign Certificate from a Logical Partition",
        "/operations/unassign-certificate",
        crate::resources::certificate::unassign,
    ),
];
