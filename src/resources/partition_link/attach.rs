//! Attaching partitions to a link and detaching them, the job results that
//! report it, and the link's `state`, which follows from the attachments.

use serde_json::{Map, Value, json};

use super::network::{Connection, attach_network, detach_network, parse_connection};
use super::{LINKS, LinkType, ctc};
use crate::api::HmcError;
use crate::resources::fields::array_items;
use crate::store::{Resource, Tx};

/// Whether partition `p` is attached to the link `link_uri`.
pub(super) fn holds(p: &Resource, link_uri: &str) -> bool {
    p.props
        .get(LINKS)
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(|v| v.as_str() == Some(link_uri)))
}

/// The partitions attached to `link`, in their CPC's order.
pub(super) fn attached(tx: &Tx<'_>, link: &Resource) -> Result<Vec<Resource>, HmcError> {
    let Some(cpc) = link.str_prop("cpc-uri") else {
        return Ok(Vec::new());
    };
    Ok(tx
        .children(cpc, "partition")?
        .into_iter()
        .filter(|p| holds(p, &link.uri))
        .collect())
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
pub(super) fn require_attached(link: &Resource, part: &Resource) -> Result<(), HmcError> {
    if holds(part, &link.uri) {
        return Ok(());
    }
    Err(attachment_conflict(link, part, false))
}

/// Attaches a partition with the link's default endpoints (one NIC for
/// HiperSockets and SMC-D); 409.0 if it is attached already.
pub(super) fn attach_partition(
    tx: &Tx<'_>,
    link: &mut Resource,
    kind: LinkType,
    part: &Resource,
) -> Result<(), HmcError> {
    if holds(part, &link.uri) {
        return Err(attachment_conflict(link, part, true));
    }
    match kind {
        LinkType::Ctc => ctc::attach_ctc(tx, link, part),
        _ => {
            let c = Connection {
                partition: part.clone(),
                count: 1,
                nics: Vec::new(),
            };
            attach_network(tx, link, kind, &c)
        }
    }
}

/// Detaches a partition with all its endpoints; 409.0 if it is not attached.
pub(super) fn detach_partition(
    tx: &Tx<'_>,
    link: &mut Resource,
    kind: LinkType,
    part: &Resource,
) -> Result<(), HmcError> {
    require_attached(link, part)?;
    match kind {
        LinkType::Ctc => ctc::detach_ctc(tx, link, &part.uri),
        _ => detach_network(tx, link, &part.uri, None),
    }
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
    kind: LinkType,
    parts: impl IntoIterator<Item = Result<Resource, HmcError>>,
    results: &mut Vec<Value>,
) -> Result<(), HmcError> {
    for part in parts {
        let part = part?;
        // Re-read: an earlier item may have attached it.
        let part = tx.resource(&part.uri)?.unwrap_or(part);
        attach_partition(tx, link, kind, &part)?;
        results.push(result(&part.uri, "attached"));
    }
    Ok(())
}

/// Adds the bus connections of the array `field` of `body` (Create's
/// `bus-connections`, Modify's `added-connections`) and reports each.
pub(super) fn attach_connections(
    tx: &Tx<'_>,
    link: &mut Resource,
    kind: LinkType,
    cpc: &Resource,
    body: &Map<String, Value>,
    field: &str,
    results: &mut Vec<Value>,
) -> Result<(), HmcError> {
    for v in array_items(body, field)? {
        let c = parse_connection(tx, cpc, field, v)?;
        attach_network(tx, link, kind, &c)?;
        results.push(result(&c.partition.uri, "attached"));
    }
    Ok(())
}

/// Sets `state` from the attachments (complete: two or more partitions)
/// and stores the link.
pub(super) fn finish(tx: &Tx<'_>, link: &mut Resource) -> Result<(), HmcError> {
    let count = attached(tx, link)?.len();
    let state = if count >= 2 { "complete" } else { "incomplete" };
    link.props.insert("state".into(), json!(state));
    tx.save_properties(&link.uri, &link.props)?;
    Ok(())
}
