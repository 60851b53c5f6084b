//! Operation: Create Partition Link (asynchronous), on the collection URI.

use serde_json::{Map, Value, json};

use super::attach::{Members, attach_partitions, finish, partitions_in};
use super::network::attach_connections;
use super::validate::{name_value, target_cpc, unknown_key};
use super::{LinkType, PARTITION_LINK, ctc_paths, hipersockets, smcd};
use crate::api::HmcError;
use crate::ctx::Ctx;
use crate::resources::framework::descriptor::Done;
use crate::resources::framework::generic::add_resource;
use crate::resources::framework::preconditions::require_fields;
use crate::store::Resource;

/// Create Partition Link's input properties of every type.
const COMMON_INPUTS: &[&str] = &["name", "type", "cpc-uri", "description", "partitions"];

/// The properties of a new link from the body (400.6 for a property that
/// is no input of its type) and the defaults.
fn link_properties(
    ctx: &Ctx<'_>,
    body: &Map<String, Value>,
) -> Result<(LinkType, Resource, Map<String, Value>), HmcError> {
    require_fields(body, &["name", "type", "cpc-uri"])?;
    let kind = LinkType::parse(body.get("type"))?;
    if let Some(k) = unknown_key(body, &[COMMON_INPUTS, kind.inputs()]) {
        return Err(HmcError::not_input(k));
    }
    let cpc = target_cpc(ctx, body.get("cpc-uri"))?;
    let name = name_value(&body["name"])?;
    let mut props = Map::new();
    props.insert("name".into(), json!(name));
    // Absent: the descriptor's default ("").
    match body.get("description") {
        None => {}
        Some(d @ Value::String(_)) => {
            props.insert("description".into(), d.clone());
        }
        Some(other) => return Err(HmcError::invalid_field("description", other)),
    }
    props.insert("type".into(), body["type"].clone());
    props.insert("cpc-uri".into(), json!(cpc.uri));
    props.insert("cpc-name".into(), json!(cpc.name()));
    // `state` is set by `finish`, from the attachments.
    match kind {
        LinkType::HiperSockets => hipersockets::create_properties(body, &mut props)?,
        LinkType::SmcD => smcd::create_properties(body, &mut props)?,
        LinkType::Ctc => ctc_paths::create_properties(ctx.tx, &cpc, body, &mut props)?,
    }
    Ok((kind, cpc, props))
}

/// Operation: Create Partition Link (asynchronous). The new link's URI is
/// only in the `Location` header, which zhmcclient reads as `location-uri`.
pub(super) fn create(ctx: &mut Ctx<'_>, console: &mut Resource) -> Result<Done, HmcError> {
    let body = ctx.req.json_object()?;
    let (kind, cpc, props) = link_properties(ctx, &body)?;
    let mut link = add_resource(ctx.tx, &PARTITION_LINK, Some(console), props)?;
    let mut results = Vec::new();
    let mut members = Members::read(ctx.tx, &link, kind)?;
    let parts = partitions_in(ctx.tx, &cpc, &body, "partitions")?;
    attach_partitions(ctx.tx, &mut link, &parts, &mut members, &mut results)?;
    attach_connections(
        ctx.tx,
        &mut link,
        kind,
        &cpc,
        &body,
        "bus-connections",
        &mut results,
    )?;
    finish(ctx.tx, &mut link, &members)?;
    Ok(Done::Created(
        link.uri,
        Some(json!({"operation-results": results})),
    ))
}
