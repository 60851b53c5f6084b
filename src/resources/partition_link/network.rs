//! Bus connections of HiperSockets and SMC-D links: per attached partition,
//! its endpoints (`nics`), added and removed by Create and Modify.

use serde_json::{Map, Value, json};

use super::attach::result;
use super::endpoints::{append_items, items, partition_uri_of, release_endpoint, take_list};
use super::validate::{invalid, parse_devno, partition_of};
use super::{LINKS, LinkType, hipersockets, smcd};
use crate::api::HmcError;
use crate::resources::framework::fields::{array_field, array_items, object_item};
use crate::resources::framework::generic::{append_reference, remove_reference};
use crate::resources::framework::preconditions::require_fields;
use crate::store::{Resource, Tx};

/// The most endpoints one connection item may ask for (our bound, which
/// keeps one request's work finite).
const MAX_NICS: u64 = 256;
/// The link property holding the connections.
pub(super) const CONNECTIONS: &str = "bus-connections";

/// A requested bus connection: the partition and the requests of its NICs
/// (borrowed from the body).
struct Connection<'v> {
    partition: Resource,
    count: u64,
    nics: Vec<&'v Map<String, Value>>,
}

/// Parses an item of `bus-connections` / `added-connections`.
fn parse_connection<'v>(
    tx: &Tx<'_>,
    cpc: &Resource,
    field: &str,
    v: &'v Value,
) -> Result<Connection<'v>, HmcError> {
    let item = object_item(field, v)?;
    require_fields(item, &["partition-uri"])?;
    let partition = partition_of(tx, cpc, "partition-uri", item.get("partition-uri"))?;
    let count = match item.get("number-of-nics") {
        None | Some(Value::Null) => 1,
        Some(n) => n
            .as_u64()
            .filter(|n| (1..=MAX_NICS).contains(n))
            .ok_or_else(|| HmcError::invalid_field("number-of-nics", n))?,
    };
    let nics = array_field(item, "nics")?
        .map(|a| {
            a.iter()
                .map(|n| object_item("nics", n))
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?
        .unwrap_or_default();
    if nics.len() as u64 > count {
        return Err(invalid(format!(
            "'nics' has {} items, more than 'number-of-nics' ({count})",
            nics.len()
        )));
    }
    Ok(Connection {
        partition,
        count,
        nics,
    })
}

/// The first of the `device-numbers` an endpoint request gives, if any.
pub(super) fn given_devno(spec: &Map<String, Value>) -> Result<Option<i64>, HmcError> {
    match spec.get("device-numbers") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) if !items.is_empty() => items
            .first()
            .map(|v| parse_devno("device-numbers", v))
            .transpose(),
        Some(other) => Err(HmcError::invalid_field("device-numbers", other)),
    }
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
        attach_network(tx, link, kind, &c.partition, c.count, &c.nics)?;
        results.push(result(&c.partition.uri, "attached"));
    }
    Ok(())
}

/// The index of the connection of `part_uri` in `conns`.
pub(super) fn connection_index(conns: &[Value], part_uri: &str) -> Option<usize> {
    conns
        .iter()
        .position(|b| partition_uri_of(b) == Some(part_uri))
}

/// Adds `count` endpoints of a HiperSockets or SMC-D link in `part` (to its
/// bus connection, made if new), the first ones as `nics` request, and
/// attaches the partition.
pub(super) fn attach_network(
    tx: &Tx<'_>,
    link: &mut Resource,
    kind: LinkType,
    part: &Resource,
    count: u64,
    nics: &[&Map<String, Value>],
) -> Result<(), HmcError> {
    let none = Map::new();
    let mut endpoints = Vec::new();
    for i in 0..count {
        let spec = nics.get(i as usize).copied().unwrap_or(&none);
        endpoints.push(match kind {
            LinkType::HiperSockets => hipersockets::add_nic(tx, link, part, spec)?,
            _ => smcd::add_endpoint(tx, link, part, spec)?,
        });
    }
    let part_uri = part.uri.as_str();
    let mut conns = take_list(link, CONNECTIONS);
    match connection_index(&conns, part_uri) {
        Some(i) => append_items(&mut conns[i], "nics", endpoints),
        None => conns.push(json!({
            "partition-uri": part_uri,
            "partition-name": part.name(),
            "nics": endpoints,
        })),
    }
    link.props.insert(CONNECTIONS.into(), Value::Array(conns));
    append_reference(tx, part_uri, LINKS, &link.uri)
}

/// Whether an endpoint is the one a removal item names (by `nic-uri`,
/// first device number or `fid`).
fn selects(selector: &Map<String, Value>, endpoint: &Value) -> bool {
    if let Some(uri) = selector.get("nic-uri") {
        return endpoint.get("nic-uri") == Some(uri);
    }
    if let Some(Value::Array(d)) = selector.get("device-numbers")
        && let Some(first) = d.first().and_then(Value::as_str)
    {
        return items(endpoint.get("device-numbers"))
            .first()
            .and_then(Value::as_str)
            .is_some_and(|e| e.eq_ignore_ascii_case(first));
    }
    if let Some(fid) = selector.get("fid") {
        return endpoint.get("fid") == Some(fid);
    }
    false
}

/// Splits `endpoints` into those `selectors` name and the others; 400.7
/// for a selector that names none.
fn split_selected(
    part_uri: &str,
    endpoints: Vec<Value>,
    selectors: &[Value],
) -> Result<(Vec<Value>, Vec<Value>), HmcError> {
    let sel = selectors
        .iter()
        .map(|s| object_item("nics", s))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(unmatched) = sel
        .iter()
        .find(|s| !endpoints.iter().any(|e| selects(s, e)))
    {
        return Err(invalid(format!(
            "No endpoint of partition {part_uri} matches {}",
            Value::Object((*unmatched).clone())
        )));
    }
    Ok(endpoints
        .into_iter()
        .partition(|e| sel.iter().any(|s| selects(s, e))))
}

/// Removes endpoints of a HiperSockets or SMC-D link in partition
/// `part_uri`: those `selectors` name (400.7 for one naming none), or all.
/// A partition left without endpoints is detached.
pub(super) fn detach_network(
    tx: &Tx<'_>,
    link: &mut Resource,
    part_uri: &str,
    selectors: Option<&[Value]>,
) -> Result<(), HmcError> {
    let mut conns = take_list(link, CONNECTIONS);
    let Some(index) = connection_index(&conns, part_uri) else {
        link.props.insert(CONNECTIONS.into(), Value::Array(conns));
        return remove_reference(tx, part_uri, LINKS, &link.uri);
    };
    let endpoints = items(conns[index].get("nics")).to_vec();
    let (gone, kept) = match selectors {
        None => (endpoints, Vec::new()),
        Some(sel) => split_selected(part_uri, endpoints, sel)?,
    };
    let detached = kept.is_empty();
    if detached {
        conns.remove(index);
    } else if let Some(b) = conns[index].as_object_mut() {
        b.insert("nics".into(), Value::Array(kept));
    }
    link.props.insert(CONNECTIONS.into(), Value::Array(conns));
    for e in &gone {
        release_endpoint(tx, link, part_uri, e)?;
    }
    if detached {
        remove_reference(tx, part_uri, LINKS, &link.uri)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removal_selectors_match_by_nic_uri_device_number_or_fid() {
        let hs = json!({"nic-uri": "/api/partitions/p/nics/n", "device-numbers": ["7400", "7401", "7402"]});
        let smcd = json!({"device-numbers": ["8000"], "fid": 4096});
        let by_uri = json!({"nic-uri": "/api/partitions/p/nics/n"});
        let by_devno = json!({"device-numbers": ["8000"]});
        let by_fid = json!({"fid": 4096});
        let sel = |v: &Value| v.as_object().unwrap().clone();
        assert!(selects(&sel(&by_uri), &hs));
        assert!(!selects(&sel(&by_uri), &smcd));
        assert!(selects(&sel(&by_devno), &smcd));
        assert!(!selects(&sel(&by_devno), &hs));
        assert!(selects(&sel(&by_fid), &smcd));
        assert!(!selects(&sel(&json!({})), &smcd));
    }

    #[test]
    fn a_selector_naming_no_endpoint_is_400_7() {
        let endpoints = vec![json!({"fid": 1}), json!({"fid": 2})];
        let (gone, kept) = split_selected("/p", endpoints.clone(), &[json!({"fid": 2})]).unwrap();
        assert_eq!(
            (gone, kept),
            (vec![json!({"fid": 2})], vec![json!({"fid": 1})])
        );
        let err = split_selected("/p", endpoints, &[json!({"fid": 3})]).unwrap_err();
        assert_eq!(err.reason, 7);
    }
}
