//! What deleting other resources takes out of partition links: the bus
//! connections, endpoints, CTC devices and paths that name a deleted
//! partition, NIC, adapter or port. Links name them inside objects, not as
//! plain list items, so the store's back-reference cleanup misses them.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::attach::{Members, finish};
use super::ctc::detach_ctc;
use super::ctc_paths::{remove_paths, uses_any};
use super::endpoints::{device_ends, items, partition_uri_of};
use super::network::detach_network;
use super::validate::is_uri_of;
use super::{LinkType, PARTITION_LINK};
use crate::api::HmcError;
use crate::resources::partition::PARTITION;
use crate::store::{Resource, Tx};

/// After `gone` (URIs `Tx::delete_resource` deleted) left the store: drops
/// from every link what names one of them, frees the numbers the link held
/// for it, and recomputes the `state` of each such link. Only links whose
/// stored text names a deleted URI are read, so most deletes read none.
pub(super) fn forget_deleted(tx: &Tx<'_>, gone: &[String]) -> Result<(), HmcError> {
    let mut links = tx.resources_of_class_naming(PARTITION_LINK.class, gone)?;
    if gone.iter().any(|uri| is_uri_of(&PARTITION, uri)) {
        let pathless = unrecorded_attachments(tx, &links)?;
        links.extend(pathless);
    }
    let gone: BTreeSet<&str> = gone.iter().map(String::as_str).collect();
    let is_gone = |uri: &str| gone.contains(uri);
    for mut link in links {
        drop_connections(tx, &mut link, &is_gone)?;
        drop_ctc(tx, &mut link, &is_gone)?;
        // A link of no known type is counted like a CTC link: by the
        // partitions that name it.
        let kind = LinkType::of(&link).unwrap_or(LinkType::Ctc);
        let members = Members::read(tx, &link, kind)?;
        finish(tx, &mut link, &members)?;
    }
    Ok(())
}

/// The complete CTC links (besides `found`) whose record names no
/// partition: without CTC devices (no paths) only the partitions'
/// `partition-link-uris` tell which are attached, so a deleted partition may
/// have been one of them and their `state` is counted again.
fn unrecorded_attachments(tx: &Tx<'_>, found: &[Resource]) -> Result<Vec<Resource>, HmcError> {
    let ctc = tx.resources_of_class_with(PARTITION_LINK.class, "type", "ctc")?;
    Ok(ctc
        .into_iter()
        .filter(|l| l.str_prop("state") == Some("complete"))
        .filter(|l| !found.iter().any(|f| f.uri == l.uri))
        .filter(|l| {
            items(l.props.get("paths"))
                .iter()
                .all(|p| items(p.get("devices")).is_empty())
        })
        .collect())
}

/// The connection of a deleted partition goes whole; an endpoint whose NIC
/// was deleted goes alone (its partition is detached if it was the last).
fn drop_connections(
    tx: &Tx<'_>,
    link: &mut Resource,
    gone: &dyn Fn(&str) -> bool,
) -> Result<(), HmcError> {
    // What goes, per partition: everything (None) or the dead NICs.
    let mut dead: Vec<(String, Option<Vec<Value>>)> = Vec::new();
    for c in items(link.props.get("bus-connections")) {
        let Some(part) = partition_uri_of(c) else {
            continue;
        };
        if gone(part) {
            dead.push((part.to_string(), None));
            continue;
        }
        let nics: Vec<Value> = items(c.get("nics"))
            .iter()
            .filter_map(|e| e.get("nic-uri").and_then(Value::as_str))
            .filter(|nic| gone(nic))
            .map(|nic| json!({"nic-uri": nic}))
            .collect();
        if !nics.is_empty() {
            dead.push((part.to_string(), Some(nics)));
        }
    }
    for (part, nics) in dead {
        detach_network(tx, link, &part, nics.as_deref())?;
    }
    Ok(())
}

/// A CTC path over a deleted adapter or port goes with its devices, and so
/// do the devices with an end in a deleted partition (on every path).
fn drop_ctc(tx: &Tx<'_>, link: &mut Resource, gone: &dyn Fn(&str) -> bool) -> Result<(), HmcError> {
    let paths = items(link.props.get("paths"));
    let dead_paths: Vec<Value> = paths
        .iter()
        .filter(|p| uses_any(p, gone))
        .cloned()
        .collect();
    let dead_parts: BTreeSet<String> = paths
        .iter()
        .flat_map(|p| device_ends(items(p.get("devices"))))
        .map(|(part, _)| part)
        .filter(|part| gone(part))
        .map(str::to_string)
        .collect();
    if !dead_paths.is_empty() {
        remove_paths(tx, link, &dead_paths)?;
    }
    for part in &dead_parts {
        detach_ctc(tx, link, part)?;
    }
    Ok(())
}
