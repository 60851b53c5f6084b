//! Checks that operations share: CPC mode, CPC and partition status, required
//! body fields, the DPM CPC a request body names. Each cites the status and
//! reason code it produces.

use serde_json::{Map, Value};

use crate::api::HmcError;
use crate::ctx::Ctx;
use crate::resources::cpc::CPC;
use crate::resources::framework::descriptor::{Check, Mode, Needs, Statuses};
use crate::resources::framework::generic::{lookup, parent_of};
use crate::store::{Resource, Tx};

/// The CPC that `r` is, or lies below; `None` for console-scoped resources.
pub fn cpc_of(tx: &Tx<'_>, r: &Resource) -> Result<Option<Resource>, HmcError> {
    let mut current = r.clone();
    loop {
        if current.class == CPC.class {
            return Ok(Some(current));
        }
        match current.parent.as_deref() {
            None => return Ok(None),
            Some(p) => match tx.resource(p)? {
                Some(parent) => current = parent,
                None => return Ok(None),
            },
        }
    }
}

/// Whether a CPC is in DPM mode (`dpm-enabled`).
pub fn is_dpm(cpc: &Resource) -> bool {
    cpc.props.get("dpm-enabled").and_then(Value::as_bool) == Some(true)
}

/// Whether `cpc` (if any) is in the mode `mode` asks for.
pub fn mode_matches(cpc: Option<&Resource>, mode: Mode) -> bool {
    match (mode, cpc) {
        (Mode::Any, _) | (_, None) => true,
        (Mode::Dpm, Some(c)) => is_dpm(c),
        (Mode::Classic, Some(c)) => !is_dpm(c),
    }
}

/// 409.5 (not in DPM mode) or 409.4 (in DPM mode) when the CPC of `r` is
/// in the wrong mode.
pub fn require_mode(tx: &Tx<'_>, r: &Resource, mode: Mode) -> Result<Option<Resource>, HmcError> {
    let cpc = cpc_of(tx, r)?;
    if let Some(c) = &cpc
        && !mode_matches(Some(c), mode)
    {
        return Err(match mode {
            Mode::Dpm => HmcError::cpc_not_in_dpm(&c.uri),
            _ => HmcError::cpc_in_dpm(&c.uri),
        });
    }
    Ok(cpc)
}

/// CPC statuses in which operations on the CPC and its resources are valid.
/// `operating` is the normal status of a classic CPC, so it is valid here
/// (the Python mock rejects it; a deliberate deviation).
const VALID_CPC_STATUSES: &[&str] = &[
    "active",
    "operating",
    "service-required",
    "degraded",
    "exceptions",
];

/// 409.1 when the targeted CPC, or 409.6 when the CPC hosting the targeted
/// resource, has a status not valid for operations.
pub fn check_cpc_status(ctx: &Ctx<'_>, cpc: &Resource) -> Result<(), HmcError> {
    let Some(status) = cpc.str_prop("status") else {
        return Ok(());
    };
    if VALID_CPC_STATUSES.contains(&status) {
        return Ok(());
    }
    let name = cpc.name();
    if ctx.targets(cpc) {
        Err(HmcError::conflict(
            1,
            format!(
                "The operation cannot be performed because the targeted CPC {name} has a status that is not valid for the operation: {status}"
            ),
        ))
    } else {
        Err(HmcError::conflict(
            6,
            format!(
                "The operation cannot be performed because CPC {name} hosting the targeted resource has a status that is not valid for the operation: {status}"
            ),
        ))
    }
}

/// The CPC that a request body's `cpc-uri` names, for the console-scoped
/// resources that live on a DPM CPC (storage groups and templates, tape
/// links, tape library zoning and discovery): 404.1 naming the request URI
/// when there is no such CPC (the mock's answer, also for a `cpc-uri` that
/// is not a string), 409.5 when it is not in DPM mode.
pub fn dpm_cpc_of_body(ctx: &Ctx<'_>, body: &Map<String, Value>) -> Result<Resource, HmcError> {
    let uri = body
        .get("cpc-uri")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let cpc = lookup(ctx.tx, &CPC, uri)?.ok_or_else(|| HmcError::not_found(ctx.req.path()))?;
    require_mode(ctx.tx, &cpc, Mode::Dpm)?;
    Ok(cpc)
}

/// Create Storage Group / Storage Template / Tape Link: the CPC of
/// `dpm_cpc_of_body` must also have a status valid for operations (409.6).
/// `description` defaults to "" and `fulfillment-state` is always
/// "pending": the storage administrator fulfils the request later.
pub fn prepare_on_dpm_cpc(ctx: &Ctx<'_>, body: &mut Map<String, Value>) -> Result<(), HmcError> {
    let cpc = dpm_cpc_of_body(ctx, body)?;
    check_cpc_status(ctx, &cpc)?;
    body.entry("description")
        .or_insert_with(|| Value::String(String::new()));
    body.insert("fulfillment-state".into(), Value::String("pending".into()));
    Ok(())
}

/// What a status conflict calls `r` (`partition`, or `LPAR` for a logical
/// partition, as the HMC mock's LPAR messages do).
fn status_noun(r: &Resource) -> &'static str {
    if r.class == "logical-partition" {
        "LPAR"
    } else {
        "partition"
    }
}

/// 409.1 when the partition's (or LPAR's) status is not valid for the
/// operation.
pub fn check_partition_status(
    ctx: &Ctx<'_>,
    partition: &Resource,
    allowed: &Statuses,
) -> Result<(), HmcError> {
    let Some(status) = partition.str_prop("status") else {
        return Ok(());
    };
    if allowed.allow(status) {
        return Ok(());
    }
    let name = partition.name();
    let noun = status_noun(partition);
    let message = if ctx.targets(partition) {
        format!(
            "The operation cannot be performed because the targeted {noun} {name} has a status that is not valid for the operation: {status}"
        )
    } else {
        format!(
            "The operation cannot be performed because {noun} {name} hosting the targeted resource has a status that is not valid for the operation: {status}"
        )
    };
    Err(HmcError::conflict(1, message))
}

/// 400.5 for the first of `names` missing from `body`.
pub fn require_fields(body: &Map<String, Value>, names: &[&str]) -> Result<(), HmcError> {
    match names.iter().find(|n| !body.contains_key(**n)) {
        Some(n) => Err(HmcError::missing_field(n)),
        None => Ok(()),
    }
}

/// 400.6 if the caller supplied `name`; otherwise sets it to `value`.
pub fn set_non_input(
    body: &mut Map<String, Value>,
    name: &str,
    value: Value,
) -> Result<(), HmcError> {
    if body.contains_key(name) {
        return Err(HmcError::not_input(name));
    }
    body.insert(name.to_string(), value);
    Ok(())
}

/// Partition statuses in which its configuration (children, crypto, ISO
/// image, storage groups) cannot change.
const TRANSITIONAL: &[&str] = &["starting", "stopping"];

/// What a partition needs for a change of its configuration: DPM (409.5),
/// a CPC whose status allows operations (409.6) and a partition that is not
/// starting or stopping (409.1).
const PARTITION_CHANGEABLE: &[Check] = &[
    Check::CpcStatus,
    Check::PartitionStatus(Statuses::Not(TRANSITIONAL)),
];

/// DPM (409.5) and a CPC whose status allows operations (409.6 or, for the
/// CPC itself, 409.1).
pub const DPM_VALID_CPC: Needs = Needs {
    mode: Mode::Dpm,
    checks: &[Check::CpcStatus],
};

/// A change to the target partition's configuration (`PARTITION_CHANGEABLE`).
pub const CHANGEABLE: Needs = Needs {
    mode: Mode::Dpm,
    checks: PARTITION_CHANGEABLE,
};

/// A change to a child of a partition (NIC, HBA, virtual function): its
/// partition must be changeable.
pub const PARENT_CHANGEABLE: Needs = Needs {
    mode: Mode::Dpm,
    checks: &[Check::Parent(PARTITION_CHANGEABLE)],
};

/// DPM mode only (409.5), whatever the CPC's status.
pub const DPM: Needs = Needs {
    mode: Mode::Dpm,
    checks: &[],
};

/// Classic mode only (409.4), whatever the CPC's status.
pub const CLASSIC: Needs = Needs {
    mode: Mode::Classic,
    checks: &[],
};

/// Checks `needs` on `target`: its CPC's mode (409.4/409.5), then each
/// precondition in order. The runner calls it for every operation; the
/// generic Create, Update and Delete call it too.
pub fn check_needs(ctx: &Ctx<'_>, target: &Resource, needs: &Needs) -> Result<(), HmcError> {
    // Only the CPC status check reads the CPC's document (the largest
    // one); the mode alone is read without parsing it.
    if needs.checks.iter().any(|c| matches!(c, Check::CpcStatus)) {
        let cpc = require_mode(ctx.tx, target, needs.mode)?;
        return apply_checks(ctx, target, cpc.as_ref(), needs.checks);
    }
    require_mode_only(ctx.tx, target, needs.mode)?;
    apply_checks(ctx, target, None, needs.checks)
}

/// `require_mode` without reading the CPC's document: its URI from the
/// classes and parents above `r`, its mode from `dpm-enabled` alone.
fn require_mode_only(tx: &Tx<'_>, r: &Resource, mode: Mode) -> Result<(), HmcError> {
    if mode == Mode::Any {
        return Ok(());
    }
    let Some(cpc) = enclosing_cpc(tx, &r.uri, &r.class, r.parent.as_deref())? else {
        return Ok(());
    };
    let dpm = if cpc == r.uri {
        is_dpm(r)
    } else {
        tx.cpc_dpm_enabled(&cpc)? == Some(true)
    };
    match mode {
        Mode::Dpm if !dpm => Err(HmcError::cpc_not_in_dpm(&cpc)),
        Mode::Classic if dpm => Err(HmcError::cpc_in_dpm(&cpc)),
        _ => Ok(()),
    }
}

/// The URI of the CPC that is, or holds, the resource `uri` of `class`
/// under `parent`, found through the classes and parents above it alone;
/// `None` if there is none.
pub fn enclosing_cpc(
    tx: &Tx<'_>,
    uri: &str,
    class: &str,
    parent: Option<&str>,
) -> Result<Option<String>, HmcError> {
    if class == CPC.class {
        return Ok(Some(uri.to_string()));
    }
    let mut above = parent.map(str::to_string);
    while let Some(p) = above {
        let Some((class, next)) = tx.resource_head(&p)? else {
            return Ok(None);
        };
        if class == CPC.class {
            return Ok(Some(p));
        }
        above = next;
    }
    Ok(None)
}

fn apply_checks(
    ctx: &Ctx<'_>,
    target: &Resource,
    cpc: Option<&Resource>,
    checks: &[Check],
) -> Result<(), HmcError> {
    for check in checks {
        match check {
            Check::CpcStatus => {
                if let Some(c) = cpc {
                    check_cpc_status(ctx, c)?;
                }
            }
            Check::PartitionStatus(allowed) => check_partition_status(ctx, target, allowed)?,
            Check::Mode(mode) => {
                require_mode(ctx.tx, target, *mode)?;
            }
            Check::Fields(names) => require_fields(&ctx.req.json_object()?, names)?,
            Check::Parent(inner) => {
                let parent = parent_of(ctx, target)?;
                let cpc = cpc_of(ctx.tx, &parent)?;
                apply_checks(ctx, &parent, cpc.as_ref(), inner)?;
            }
            Check::Rule(rule) => rule(ctx, target)?,
        }
    }
    Ok(())
}
