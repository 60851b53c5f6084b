//! Attaching partitions to a link and detaching them, the job results that
//! report it, and the link's `state`, which follows from the attachments.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::endpoints::items;
use super::network::{CONNECTIONS, attach_network, connection_index, detach_network};
use super::validate::partition_of;
use super::{LINKS, LinkType, ctc};
use crate::api::HmcError;
use crate::resources::framework::fields::array_items;
use crate::store::{Resource, Tx};

/// Which partitions a link attaches, known for one whole operation.
/// HiperSockets and SMC-D links name them in their `bus-connections`; a CTC
/// link names them only in its devices (none without paths), so its CPC's
/// partitions are read once and their `partition-link-uris` tell.
pub(super) struct Members {
    kind: LinkType,
    /// CTC: the partitions of the link's CPC, in their order.
    cpc_partitions: Vec<Resource>,
    /// CTC: the URIs of the attached ones.
    ctc_attached: BTreeSet<String>,
}

impl Members {
    /// The attachments of `link` as stored.
    pub(super) fn read(tx: &Tx<'_>, link: &Resource, kind: LinkType) -> Result<Members, HmcError> {
        let cpc_partitions = match (kind, link.str_prop("cpc-uri")) {
            (LinkType::Ctc, Some(cpc)) => tx.children(cpc, "partition")?,
            _ => Vec::new(),
        };
        let ctc_attached = cpc_partitions
            .iter()
            .filter(|p| p.lists(LINKS, &link.uri))
            .map(|p| p.uri.clone())
            .collect();
        Ok(Members {
            kind,
            cpc_partitions,
            ctc_attached,
        })
    }

    /// Whether the partition `uri` is attached to `link`.
    fn holds(&self, link: &Resource, uri: &str) -> bool {
        match self.kind {
            LinkType::Ctc => self.ctc_attached.contains(uri),
            _ => connection_index(items(link.props.get(CONNECTIONS)), uri).is_some(),
        }
    }

    /// How many partitions are attached to `link`.
    fn count(&self, link: &Resource) -> usize {
        match self.kind {
            LinkType::Ctc => self.ctc_attached.len(),
            _ => items(link.props.get(CONNECTIONS)).len(),
        }
    }

    /// The partitions attached to a CTC link, in their CPC's order, except
    /// `except`.
    pub(super) fn ctc_partitions(&self, except: Option<&str>) -> Vec<&Resource> {
        self.cpc_partitions
            .iter()
            .filter(|p| self.ctc_attached.contains(&p.uri) && Some(p.uri.as_str()) != except)
            .collect()
    }
}

/// The partitions a URI-list field names (`partitions`,
/// `added-partition-uris`, ...), all checked before any is changed.
pub(super) fn partitions_in(
    tx: &Tx<'_>,
    cpc: &Resource,
    body: &Map<String, Value>,
    field: &str,
) -> Result<Vec<Resource>, HmcError> {
    array_items(body, field)?
        .iter()
        .map(|v| partition_of(tx, cpc, field, Some(v)))
        .collect()
}

/// 409.0 naming `part` and `link`, which is (`already`) or is not attached.
fn attachment_conflict(link: &Resource, part: &Resource, already: bool) -> HmcError {
    let is = if already { "is already" } else { "is not" };
    HmcError::conflict(
        0,
        format!(
            "Partition '{}' {is} attached to partition link '{}'",
            part.name(),
            link.name()
        ),
    )
}

/// 409.0 unless `part` is attached to `link`.
pub(super) fn require_attached(
    link: &Resource,
    part: &Resource,
    members: &Members,
) -> Result<(), HmcError> {
    if members.holds(link, &part.uri) {
        return Ok(());
    }
    Err(attachment_conflict(link, part, false))
}

/// Attaches a partition with the link's default endpoints (one NIC for
/// HiperSockets and SMC-D); 409.0 if it is attached already (also by an
/// earlier item of the same request).
fn attach_partition(
    tx: &Tx<'_>,
    link: &mut Resource,
    part: &Resource,
    members: &mut Members,
) -> Result<(), HmcError> {
    if members.holds(link, &part.uri) {
        return Err(attachment_conflict(link, part, true));
    }
    match members.kind {
        LinkType::Ctc => {
            ctc::attach_ctc(tx, link, part, &members.ctc_partitions(Some(&part.uri)))?;
            members.ctc_attached.insert(part.uri.clone());
            Ok(())
        }
        kind => attach_network(tx, link, kind, part, 1, &[]),
    }
}

/// Detaches the partition `part_uri`, which is attached, with all its
/// endpoints.
pub(super) fn detach(
    tx: &Tx<'_>,
    link: &mut Resource,
    kind: LinkType,
    part_uri: &str,
) -> Result<(), HmcError> {
    match kind {
        LinkType::Ctc => ctc::detach_ctc(tx, link, part_uri),
        _ => detach_network(tx, link, part_uri, None),
    }
}

/// Detaches a partition with all its endpoints; 409.0 if it is not attached.
pub(super) fn detach_partition(
    tx: &Tx<'_>,
    link: &mut Resource,
    part: &Resource,
    members: &mut Members,
) -> Result<(), HmcError> {
    require_attached(link, part, members)?;
    detach(tx, link, members.kind, &part.uri)?;
    members.ctc_attached.remove(&part.uri);
    Ok(())
}

/// One item of a job's `operation-results`.
pub(super) fn result(part_uri: &str, status: &str) -> Value {
    json!({"partition-uri": part_uri, "operation-status": status})
}

/// Attaches each of `parts` (Create's `partitions`, Modify's
/// `added-partition-uris`) and reports it in `results`.
pub(super) fn attach_partitions(
    tx: &Tx<'_>,
    link: &mut Resource,
    parts: &[Resource],
    members: &mut Members,
    results: &mut Vec<Value>,
) -> Result<(), HmcError> {
    for part in parts {
        attach_partition(tx, link, part, members)?;
        results.push(result(&part.uri, "attached"));
    }
    Ok(())
}

/// Sets `state` from the attachments (complete: two or more partitions)
/// and stores the link.
pub(super) fn finish(tx: &Tx<'_>, link: &mut Resource, members: &Members) -> Result<(), HmcError> {
    let state = if members.count(link) >= 2 {
        "complete"
    } else {
        "incomplete"
    };
    link.props.insert("state".into(), json!(state));
    tx.save_properties(&link.uri, &link.props)?;
    Ok(())
}
