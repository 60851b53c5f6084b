//! Operation: Delete Partition Link (asynchronous).

use serde_json::{Value, json};

use super::attach::detach;
use super::validate::{link_cpc, unknown_key};
use super::{LINKS, LinkType};
use crate::api::HmcError;
use crate::ctx::Ctx;
use crate::resources::framework::descriptor::Done;
use crate::resources::framework::generic::remove;
use crate::store::{Resource, Tx};

/// Delete's `force-detach` (optional body; 400.7 if not a boolean).
fn force_detach(ctx: &Ctx<'_>) -> Result<bool, HmcError> {
    let body = match ctx.req.json()? {
        None => return Ok(false),
        Some(Value::Object(body)) => body,
        // Not an object: the error of `json_object` (parsing again only here).
        Some(_) => ctx.req.json_object()?,
    };
    if let Some(k) = unknown_key(&body, &[&["force-detach"]]) {
        return Err(HmcError::not_writable(k));
    }
    match body.get("force-detach") {
        None => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(HmcError::invalid_field("force-detach", other)),
    }
}

/// The partitions attached to `link`, in their CPC's order (one read of
/// every partition of the CPC).
fn attached(tx: &Tx<'_>, link: &Resource) -> Result<Vec<Resource>, HmcError> {
    let Some(cpc) = link.str_prop("cpc-uri") else {
        return Ok(Vec::new());
    };
    Ok(tx
        .children(cpc, "partition")?
        .into_iter()
        .filter(|p| p.lists(LINKS, &link.uri))
        .collect())
}

/// 409.100 naming the partitions of `parts` that are not stopped, if any.
fn refuse_active(link: &Resource, parts: &[Resource]) -> Result<(), HmcError> {
    let active: Vec<&str> = parts
        .iter()
        .filter(|p| p.str_prop("status").is_some_and(|s| s != "stopped"))
        .map(Resource::name)
        .collect();
    if active.is_empty() {
        return Ok(());
    }
    Err(HmcError::conflict(
        100,
        format!(
            "Partition link '{}' is attached to active partitions: {}",
            link.name(),
            active.join(", ")
        ),
    ))
}

/// Operation: Delete Partition Link (asynchronous): 409.100 while attached
/// to partitions that are not stopped, unless `force-detach`. Detaches every
/// partition (deleting its endpoints) before the link goes.
pub(super) fn delete(ctx: &mut Ctx<'_>, link: &mut Resource) -> Result<Done, HmcError> {
    let force = force_detach(ctx)?;
    let kind = LinkType::of(link)?;
    link_cpc(ctx, link)?;
    let parts = attached(ctx.tx, link)?;
    if !force {
        refuse_active(link, &parts)?;
    }
    for p in &parts {
        detach(ctx.tx, link, kind, &p.uri)?;
    }
    // The 204 of the generic delete is not the answer: Delete is a job.
    remove(ctx.tx, link)?;
    // An empty object, not no result: zhmcclient looks into the result of a
    // job whose 202 carried a `Location` header.
    Ok(Done::Json(json!({})))
}
