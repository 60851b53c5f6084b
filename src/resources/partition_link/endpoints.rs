//! Endpoint records of a link: the NICs of its `bus-connections` and the
//! ends of the CTC devices in its `paths`, and the numbers they hold.

use serde_json::{Map, Value};

use super::pools::link_fid_pool;
use super::validate::parse_devno;
use crate::api::HmcError;
use crate::resources::device_numbers::devno_pool;
use crate::store::{Resource, Tx};

/// The items of an array value (none if absent or not an array).
pub(super) fn items(v: Option<&Value>) -> &[Value] {
    v.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// `partition-uri` of a bus connection or of a CTC device end.
pub(super) fn partition_uri_of(v: &Value) -> Option<&str> {
    v.get("partition-uri").and_then(Value::as_str)
}

/// Takes the list property `key` out of `link` (empty if missing); the
/// caller puts the changed list back.
pub(super) fn take_list(link: &mut Resource, key: &str) -> Vec<Value> {
    match link.props.remove(key) {
        Some(Value::Array(items)) => items,
        _ => Vec::new(),
    }
}

/// Appends `more` to the list `key` of the object `v` (made if missing).
pub(super) fn append_items(v: &mut Value, key: &str, more: Vec<Value>) {
    let Some(obj) = v.as_object_mut() else {
        return;
    };
    match obj.get_mut(key) {
        Some(Value::Array(list)) => list.extend(more),
        _ => {
            obj.insert(key.into(), Value::Array(more));
        }
    }
}

/// The ends of CTC `devices`, each with its partition's URI.
pub(super) fn device_ends(devices: &[Value]) -> impl Iterator<Item = (&str, &Value)> {
    devices
        .iter()
        .flat_map(|d| items(d.get("endpoint-pair")))
        .map(|e| (partition_uri_of(e).unwrap_or(""), e))
}

/// Every endpoint of a link's properties with its partition's URI: bus
/// connection NICs, then the ends of the devices of every CTC path.
fn all_endpoints(props: &Map<String, Value>) -> Vec<(&str, &Value)> {
    let nics = items(props.get("bus-connections")).iter().flat_map(|c| {
        let part = partition_uri_of(c).unwrap_or("");
        items(c.get("nics")).iter().map(move |e| (part, e))
    });
    let devices = items(props.get("paths"))
        .iter()
        .flat_map(|p| device_ends(items(p.get("devices"))));
    nics.chain(devices).collect()
}

/// The numbers an endpoint record of `link` in `part_uri` shows, as
/// (pool, number) pairs.
fn numbers(link: &Resource, part_uri: &str, endpoint: &Value) -> Vec<(String, i64)> {
    let pool = devno_pool(part_uri);
    let mut held: Vec<(String, i64)> = items(endpoint.get("device-numbers"))
        .iter()
        .filter_map(|d| parse_devno("device-numbers", d).ok())
        .map(|n| (pool.clone(), n))
        .collect();
    if let Some(fid) = endpoint.get("fid").and_then(Value::as_i64) {
        held.push((link_fid_pool(link), fid));
    }
    held
}

/// Gives back what an endpoint of `link` in partition `part_uri` holds: a
/// HiperSockets NIC is deleted (with its numbers), and numbers the link
/// holds go back to their pools.
pub(super) fn release_endpoint(
    tx: &Tx<'_>,
    link: &Resource,
    part_uri: &str,
    endpoint: &Value,
) -> Result<(), HmcError> {
    // A NIC holds its own numbers; the link holds them for endpoints it
    // brought from a definition file, so both are released. The NIC is
    // deleted directly, not by `generic::remove`: the caller has taken its
    // endpoint out of the link already, and no other link names it.
    if let Some(nic) = endpoint.get("nic-uri").and_then(Value::as_str)
        && tx.resource_exists(nic)?
    {
        tx.delete_resource(nic)?;
    }
    for (pool, n) in numbers(link, part_uri, endpoint) {
        tx.release(&pool, n, &link.uri)?;
    }
    Ok(())
}

/// A link that comes with endpoints (from a definition file) holds their
/// device numbers and FIDs, so new endpoints never reuse them. A new link
/// from Create has none yet.
pub(super) fn hold_loaded_numbers(
    tx: &Tx<'_>,
    _parent: Option<&Resource>,
    r: &mut Resource,
) -> Result<(), HmcError> {
    let link: &Resource = r;
    for (part, e) in all_endpoints(&link.props) {
        for (pool, n) in numbers(link, part, e) {
            tx.reserve(&pool, n, &link.uri)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn every_endpoint_of_connections_and_devices_is_found_with_its_partition() {
        let props = json!({
            "bus-connections": [{"partition-uri": "/p1", "nics": [{"fid": 1}, {"fid": 2}]}],
            "paths": [{"devices": [{"endpoint-pair": [
                {"partition-uri": "/p1", "device-numbers": ["4000"]},
                {"partition-uri": "/p2", "device-numbers": ["4000"]}]}]}],
        });
        let found: Vec<&str> = all_endpoints(props.as_object().unwrap())
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        assert_eq!(found, ["/p1", "/p1", "/p1", "/p2"]);
    }

    #[test]
    fn an_endpoint_shows_its_device_numbers_and_fid() {
        let link = Resource {
            uri: "/l".into(),
            class: "partition-link".into(),
            parent: None,
            props: json!({"cpc-uri": "/c"}).as_object().unwrap().clone(),
        };
        let e = json!({"device-numbers": ["8000", "xyz"], "fid": 7});
        assert_eq!(
            numbers(&link, "/p", &e),
            [("devno:/p".to_string(), 0x8000), ("fid:/c".to_string(), 7)]
        );
    }

    #[test]
    fn appended_items_extend_or_make_the_list() {
        let mut v = json!({"nics": [1]});
        append_items(&mut v, "nics", vec![json!(2)]);
        append_items(&mut v, "devices", vec![json!(3)]);
        assert_eq!(v, json!({"nics": [1, 2], "devices": [3]}));
    }
}
