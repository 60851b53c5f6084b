//! The firmware operations of a CPC: Single Step Internal Code Install,
//! Install and Activate Internal Code and Delete Retrieved Internal Code.
//! They are jobs complete at the first poll; their result records what was
//! requested (bundle level, EC levels) in `message`, the field zhmcclient
//! reads; no firmware changes. The bodies do not depend on the target, so
//! the console's operations of the same names can use them too.

use serde_json::{Map, Value, json};

use crate::api::HmcError;
use crate::ctx::Ctx;
use crate::resources::framework::descriptor::{Done, Needs, Operation};
use crate::resources::framework::fields::{array_items, object_item, optional_body};
use crate::store::Resource;

/// An optional field that must be a string (400.7).
fn text<'b>(body: &'b Map<String, Value>, name: &str) -> Result<Option<&'b str>, HmcError> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(HmcError::invalid_field(name, other)),
    }
}

/// An optional field that must be a boolean (400.7).
fn flag(body: &Map<String, Value>, name: &str) -> Result<bool, HmcError> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(HmcError::invalid_field(name, other)),
    }
}

/// The `ec-levels` of the body as `number.mcl` texts: objects with a
/// string `number` and `mcl` (400.7 otherwise).
fn ec_levels(body: &Map<String, Value>) -> Result<Vec<String>, HmcError> {
    array_items(body, "ec-levels")?
        .iter()
        .map(|v| {
            let ec = object_item("ec-levels", v)?;
            match (
                ec.get("number").and_then(Value::as_str),
                ec.get("mcl").and_then(Value::as_str),
            ) {
                (Some(n), Some(m)) => Ok(format!("{n}.{m}")),
                _ => Err(HmcError::invalid_field("ec-levels", v)),
            }
        })
        .collect()
}

/// The FTP fields of a Single Step Install that retrieves from FTP: host,
/// user, password and directory (400.5 without one) and a protocol `ftp`,
/// `ftps` or `sftp` (400.7).
fn check_ftp(body: &Map<String, Value>) -> Result<(), HmcError> {
    if !flag(body, "ftp-retrieve")? {
        return Ok(());
    }
    for name in [
        "ftp-server-host",
        "ftp-server-user",
        "ftp-server-password",
        "ftp-server-directory",
    ] {
        if text(body, name)?.is_none() {
            return Err(HmcError::missing_field(name));
        }
    }
    if let Some(p) = text(body, "ftp-server-protocol")?
        && !["ftp", "ftps", "sftp"].contains(&p)
    {
        return Err(HmcError::invalid_field("ftp-server-protocol", &json!(p)));
    }
    Ok(())
}

/// What a bundle level request installs, for the job's message.
fn bundle(body: &Map<String, Value>) -> Result<String, HmcError> {
    Ok(match text(body, "bundle-level")? {
        Some(level) => format!("bundle level {level}"),
        None => "the latest bundle level".to_string(),
    })
}

/// Operation: Single Step Internal Code Install: the
/// previous level is accepted (`accept-firmware`), the bundle level
/// retrieved (from the support site or FTP), installed and activated.
pub fn single_step_install(ctx: &mut Ctx<'_>, target: &mut Resource) -> Result<Done, HmcError> {
    let body = optional_body(ctx.req)?;
    flag(&body, "accept-firmware")?;
    text(&body, "backup-location-type")?;
    check_ftp(&body)?;
    let message = format!(
        "{} of {} was installed and activated",
        bundle(&body)?,
        target.name()
    );
    Ok(Done::Json(json!({"message": message})))
}

/// Operation: Install and Activate Internal Code (CPC): a bundle level or
/// EC levels, disruptively if allowed (`install-disruptive`).
fn install_and_activate(ctx: &mut Ctx<'_>, cpc: &mut Resource) -> Result<Done, HmcError> {
    let body = optional_body(ctx.req)?;
    let levels = ec_levels(&body)?;
    let disruptive = flag(&body, "install-disruptive")?;
    let what = if levels.is_empty() {
        bundle(&body)?
    } else {
        format!("EC levels {}", levels.join(", "))
    };
    let how = if disruptive {
        "disruptively"
    } else {
        "concurrently"
    };
    Ok(Done::Json(json!({
        "message": format!("{what} of {} was installed and activated {how}", cpc.name())
    })))
}

/// Operation: Delete Retrieved Internal Code: retrieved
/// but not installed code, of the EC levels given (all without).
pub fn delete_retrieved(ctx: &mut Ctx<'_>, target: &mut Resource) -> Result<Done, HmcError> {
    let body = optional_body(ctx.req)?;
    let levels = ec_levels(&body)?;
    let what = if levels.is_empty() {
        "all EC levels".to_string()
    } else {
        format!("EC levels {}", levels.join(", "))
    };
    Ok(Done::Json(json!({
        "message": format!("Retrieved internal code of {what} of {} was deleted", target.name())
    })))
}

/// Operation row: Single Step Internal Code Install of a CPC.
pub const CPC_SINGLE_STEP_INSTALL: Operation = Operation::job(
    "CPC Single Step Internal Code Install",
    "/operations/single-step-install",
    Needs::NONE,
    single_step_install,
);

/// Operation row: Install and Activate Internal Code of a CPC.
pub const CPC_INSTALL_AND_ACTIVATE: Operation = Operation::job(
    "CPC Install and Activate",
    "/operations/install-and-activate",
    Needs::NONE,
    install_and_activate,
);

/// Operation row: Delete Retrieved Internal Code of a CPC.
pub const CPC_DELETE_RETRIEVED: Operation = Operation::job(
    "CPC Delete Retrieved Internal Code",
    "/operations/delete-retrieved-internal-code",
    Needs::NONE,
    delete_retrieved,
);

/// Operation row: Single Step Internal Code Install of the console (the
/// HMC's own firmware; the same request and job as the CPC's).
pub const CONSOLE_SINGLE_STEP_INSTALL: Operation = Operation::job(
    "Console Single Step Internal Code Install",
    "/operations/single-step-install",
    Needs::NONE,
    single_step_install,
);

/// Operation row: Delete Retrieved Internal Code of the console.
pub const CONSOLE_DELETE_RETRIEVED: Operation = Operation::job(
    "Console Delete Retrieved Internal Code",
    "/operations/delete-retrieved-internal-code",
    Needs::NONE,
    delete_retrieved,
);
