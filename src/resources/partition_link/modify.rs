//! Operation: Modify Partition Link (asynchronous): name and description,
//! partitions, bus connections and CTC paths.

use serde_json::{Map, Value, json};

use super::attach::{
    Members, attach_partitions, detach_partition, finish, partitions_in, require_attached, result,
};
use super::ctc_paths::{add_paths, remove_paths};
use super::network::{attach_connections, detach_network};
use super::validate::{invalid, link_cpc, name_value, partition_of, unknown_key};
use super::{LinkType, PARTITION_LINK};
use crate::api::HmcError;
use crate::ctx::Ctx;
use crate::resources::framework::descriptor::Done;
use crate::resources::framework::fields::{array_field, array_items, object_item};
use crate::resources::framework::generic::check_unique_name;
use crate::resources::framework::preconditions::require_fields;
use crate::store::{Resource, Tx};

/// Modify Partition Link's fields.
const MODIFY_FIELDS: &[&str] = &[
    "name",
    "description",
    "added-connections",
    "removed-connections",
    "added-partition-uris",
    "removed-partition-uris",
    "added-paths",
    "removed-paths",
];

/// Name and description changes of Modify (400.8 for a name in use).
fn modify_basics(
    tx: &Tx<'_>,
    link: &mut Resource,
    body: &Map<String, Value>,
) -> Result<(), HmcError> {
    if let Some(v) = body.get("name") {
        let name = name_value(v)?;
        check_unique_name(
            tx,
            &PARTITION_LINK,
            link.parent.as_deref(),
            name,
            Some(&link.uri),
        )?;
        link.props.insert("name".into(), json!(name));
    }
    if let Some(v) = body.get("description") {
        if !v.is_string() {
            return Err(HmcError::invalid_field("description", v));
        }
        link.props.insert("description".into(), v.clone());
    }
    Ok(())
}

/// The membership changes of one Modify request.
struct Changes<'a, 't> {
    tx: &'a Tx<'t>,
    kind: LinkType,
    cpc: &'a Resource,
    body: &'a Map<String, Value>,
}

impl Changes<'_, '_> {
    /// Removals: partitions, connections (endpoints) and paths.
    fn remove(
        &self,
        link: &mut Resource,
        members: &mut Members,
        results: &mut Vec<Value>,
    ) -> Result<(), HmcError> {
        let (tx, cpc, body) = (self.tx, self.cpc, self.body);
        for part in partitions_in(tx, cpc, body, "removed-partition-uris")? {
            detach_partition(tx, link, &part, members)?;
            results.push(result(&part.uri, "detached"));
        }
        for v in array_items(body, "removed-connections")? {
            let item = object_item("removed-connections", v)?;
            require_fields(item, &["partition-uri"])?;
            let part = partition_of(tx, cpc, "partition-uri", item.get("partition-uri"))?;
            require_attached(link, &part, members)?;
            let selectors = array_field(item, "nics")?.map(Vec::as_slice);
            detach_network(tx, link, &part.uri, selectors)?;
            results.push(result(&part.uri, "detached"));
        }
        if let Some(paths) = array_field(body, "removed-paths")? {
            remove_paths(tx, link, paths)?;
        }
        Ok(())
    }

    /// Additions: paths, partitions and connections (endpoints).
    fn add(
        &self,
        link: &mut Resource,
        members: &mut Members,
        results: &mut Vec<Value>,
    ) -> Result<(), HmcError> {
        let (tx, kind, cpc, body) = (self.tx, self.kind, self.cpc, self.body);
        if let Some(paths) = array_field(body, "added-paths")? {
            add_paths(tx, link, cpc, paths, &members.ctc_partitions(None))?;
        }
        let parts = partitions_in(tx, cpc, body, "added-partition-uris")?;
        attach_partitions(tx, link, &parts, members, results)?;
        attach_connections(tx, link, kind, cpc, body, "added-connections", results)
    }
}

/// Operation: Modify Partition Link (asynchronous). Removals run before
/// additions, so one request can move endpoints. The job's result lists
/// each partition touched with `operation-status` `attached`/`detached`.
pub(super) fn modify(ctx: &mut Ctx<'_>, link: &mut Resource) -> Result<Done, HmcError> {
    let body = ctx.req.json_object()?;
    if let Some(k) = unknown_key(&body, &[MODIFY_FIELDS]) {
        return Err(HmcError::not_writable(k));
    }
    let kind = LinkType::of(link)?;
    if let Some(k) = body.keys().find(|k| kind.rejects(k)) {
        return Err(invalid(format!(
            "Field '{k}' is not valid for a partition link of type {}",
            link.str_prop("type").unwrap_or("")
        )));
    }
    let cpc = link_cpc(ctx, link)?;
    modify_basics(ctx.tx, link, &body)?;
    let changes = Changes {
        tx: ctx.tx,
        kind,
        cpc: &cpc,
        body: &body,
    };
    let mut results = Vec::new();
    let mut members = Members::read(ctx.tx, link, kind)?;
    changes.remove(link, &mut members, &mut results)?;
    changes.add(link, &mut members, &mut results)?;
    finish(ctx.tx, link, &members)?;
    Ok(Done::Json(json!({"operation-results": results})))
}
