//! What deleting other resources takes out of partition links: the bus
//! connections, endpoints, CTC devices and paths that name a deleted
//! partition, NIC, adapter or port. Links name them inside objects, not as
//! plain list items, so the store's back-reference cleanup misses them.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::PARTITION_LINK;
use super::attach::finish;
use super::ctc::detach_ctc;
use super::ctc_paths::{remove_paths, uses_any};
use super::endpoints::{device_ends, items, partition_uri_of};
use super::network::detach_network;
use crate::api::HmcError;
use crate::store::{Resource, Tx};

/// After `gone` (URIs `Tx::delete_resource` deleted) left the store: drops
/// from every link what names one of them, frees the numbers the link held
/// for it, and recomputes the `state` of each link it changed.
pub(super) fn forget_deleted(tx: &Tx<'_>, gone: &[String]) -> Result<(), HmcError> {
    let gone: BTreeSet<&str> = gone.iter().map(String::as_str).collect();
    let is_gone = |uri: &str| gone.contains(uri);
    for mut link in tx.resources_of_class(PARTITION_LINK.class)? {
        let mut changed = drop_connections(tx, &mut link, &is_gone)?;
        changed |= drop_ctc(tx, &mut link, &is_gone)?;
        if changed {
            finish(tx, &mut link)?;
        }
    }
    Ok(())
}

/// The connection of a deleted partition goes whole; an endpoint whose NIC
/// was deleted goes alone (its partition is detached if it was the last).
fn drop_connections(
    tx: &Tx<'_>,
    link: &mut Resource,
    gone: &dyn Fn(&str) -> bool,
) -> Result<bool, HmcError> {
    let conns = items(link.props.get("bus-connections")).to_vec();
    let mut changed = false;
    for c in &conns {
        let Some(part) = partition_uri_of(c) else {
            continue;
        };
        if gone(part) {
            detach_network(tx, link, part, None)?;
            changed = true;
            continue;
        }
        let dead: Vec<Value> = items(c.get("nics"))
            .iter()
            .filter_map(|e| e.get("nic-uri").and_then(Value::as_str))
            .filter(|nic| gone(nic))
            .map(|nic| json!({"nic-uri": nic}))
            .collect();
        if !dead.is_empty() {
            detach_network(tx, link, part, Some(&dead))?;
            changed = true;
        }
    }
    Ok(changed)
}

/// A CTC path over a deleted adapter or port goes with its devices, and so
/// do the devices with an end in a deleted partition (on every path).
fn drop_ctc(
    tx: &Tx<'_>,
    link: &mut Resource,
    gone: &dyn Fn(&str) -> bool,
) -> Result<bool, HmcError> {
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
    Ok(!(dead_paths.is_empty() && dead_parts.is_empty()))
}
