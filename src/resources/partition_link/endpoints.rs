//! Endpoint records of a link: the NICs of its `bus-connections` and the
//! ends of the CTC devices in its `paths`, and the numbers they hold.

use serde_json::{Map, Value};

use super::pools::{link_fid_pool, reserve_fid};
use super::validate::parse_devno;
use crate::api::HmcError;
use crate::resources::framework::generic::{lookup, remove};
use crate::resources::partition::device_numbers::{devno_pool, reserve_devno};
use crate::resources::partition::nic::NIC;
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

/// The numbers the link holds for an endpoint record: the device numbers
/// it shows (in its partition's pool) and its FID (in the CPC's), except
/// the first device number of a HiperSockets endpoint, which its NIC holds
/// (every number has one owner, so neither can take the other's).
fn numbers(endpoint: &Value) -> (Vec<i64>, Option<i64>) {
    let own = usize::from(endpoint.get("nic-uri").is_some());
    let devnos = items(endpoint.get("device-numbers"))
        .iter()
        .skip(own)
        .filter_map(|d| parse_devno("device-numbers", d).ok())
        .collect();
    (devnos, endpoint.get("fid").and_then(Value::as_i64))
}

/// Gives back what an endpoint of `link` in partition `part_uri` holds: a
/// HiperSockets NIC is deleted (freeing its own device number), and the
/// numbers the link holds go back to their pools.
pub(super) fn release_endpoint(
    tx: &Tx<'_>,
    link: &Resource,
    part_uri: &str,
    endpoint: &Value,
) -> Result<(), HmcError> {
    if let Some(nic) = endpoint.get("nic-uri").and_then(Value::as_str)
        && let Some(nic) = lookup(tx, &NIC, nic)?
    {
        // The caller has taken the endpoint out of `link`; stored so, the
        // link no longer names the NIC and the cleanup after `remove` (which
        // every delete ends in) leaves it alone.
        tx.save_properties(&link.uri, &link.props)?;
        remove(tx, &nic)?;
    }
    let (devnos, fid) = numbers(endpoint);
    for n in devnos {
        tx.release(&devno_pool(part_uri), n, &link.uri)?;
    }
    if let Some(n) = fid {
        tx.release(&link_fid_pool(link), n, &link.uri)?;
    }
    Ok(())
}

/// A link that comes with endpoints (from a definition file) holds their
/// numbers (see `numbers`), so new endpoints never reuse them; 400.8 when
/// the file gives one to two holders. A new link from Create has none yet.
pub(super) fn hold_loaded_numbers(
    tx: &Tx<'_>,
    _parent: Option<&Resource>,
    r: &mut Resource,
) -> Result<(), HmcError> {
    let link: &Resource = r;
    for (part, e) in all_endpoints(&link.props) {
        let (devnos, fid) = numbers(e);
        for n in devnos {
            reserve_devno(tx, part, n, &link.uri)?;
        }
        if let Some(n) = fid {
            reserve_fid(tx, link, n)?;
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
    fn a_link_holds_the_numbers_of_its_endpoints_but_a_nics_own() {
        let e = json!({"device-numbers": ["8000", "xyz"], "fid": 7});
        assert_eq!(numbers(&e), (vec![0x8000], Some(7)));
        // The NIC of a HiperSockets endpoint holds its first number itself.
        let e = json!({"nic-uri": "/n", "device-numbers": ["7400", "7401", "7402"]});
        assert_eq!(numbers(&e), (vec![0x7401, 0x7402], None));
    }

    #[test]
    fn appended_items_extend_or_make_the_list() {
        let mut v = json!({"nics": [1]});
        append_items(&mut v, "nics", vec![json!(2)]);
        append_items(&mut v, "devices", vec![json!(3)]);
        assert_eq!(v, json!({"nics": [1, 2], "devices": [3]}));
    }
}
