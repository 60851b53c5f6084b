//! HiperSockets links: their Create properties and their endpoints, which
//! are NIC resources of type `iqd` in the attached partitions.

use serde_json::{Map, Value, json};

use super::network::given_devno;
use super::pools::{DEVNO_MAX, devno_run, free_run};
use super::validate::{hex, optional, parse_devno, starting_devno};
use crate::api::HmcError;
use crate::resources::framework::generic::add_resource;
use crate::resources::partition::device_numbers::{devno_pool, reserve_devno};
use crate::resources::partition::nic::NIC;
use crate::store::{Resource, Tx};

/// The book's default `starting-device-number` (seen on real HMCs by
/// zhmcclient's end2end tests).
const DEFAULT_START: i64 = 0x7400;
/// The book's default `maximum-transmission-unit-size`.
const DEFAULT_MTU: i64 = 8;
/// Valid `maximum-transmission-unit-size` values (KiB).
const MTU_SIZES: &[i64] = &[8, 16, 32, 40, 56];
/// A HiperSockets NIC uses three consecutive device numbers (zhmcclient's
/// `attach_network_link` documentation).
const DEVNOS_PER_NIC: i64 = 3;

/// The HiperSockets properties of a new link, from the body and defaults.
pub(super) fn create_properties(
    body: &Map<String, Value>,
    props: &mut Map<String, Value>,
) -> Result<(), HmcError> {
    const MTU: &str = "maximum-transmission-unit-size";
    let start = starting_devno(body, DEFAULT_START)?;
    let mtu = optional(body, MTU, DEFAULT_MTU, |v| {
        v.as_i64()
            .filter(|m| MTU_SIZES.contains(m))
            .ok_or_else(|| HmcError::invalid_field(MTU, v))
    })?;
    props.insert("starting-device-number".into(), json!(start));
    props.insert(MTU.into(), json!(mtu));
    props.insert("bus-connections".into(), json!([]));
    Ok(())
}

/// A locally administered MAC address from the NIC's id.
fn mac_address(id: &uuid::Uuid) -> String {
    let b = id.as_bytes();
    format!(
        "02:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
        b[0], b[1], b[2], b[3], b[4]
    )
}

/// The first of the three device numbers of a new NIC: the given one (400.7
/// if the three would pass FFFF), else the lowest free run from the link's
/// `starting-device-number`. Nothing is reserved yet: the NIC and the link
/// reserve their parts of the run.
fn first_devno(
    tx: &Tx<'_>,
    link: &Resource,
    part: &Resource,
    spec: &Map<String, Value>,
) -> Result<i64, HmcError> {
    if let Some(d) = given_devno(spec)? {
        if d + DEVNOS_PER_NIC - 1 > DEVNO_MAX {
            let given = spec.get("device-numbers").unwrap_or(&Value::Null);
            return Err(HmcError::invalid_field("device-numbers", given));
        }
        return Ok(d);
    }
    let start = link
        .props
        .get("starting-device-number")
        .map_or(Ok(DEFAULT_START), |v| {
            parse_devno("starting-device-number", v)
        })?;
    free_run(
        tx,
        &devno_pool(&part.uri),
        start..=DEVNO_MAX,
        DEVNOS_PER_NIC,
    )
}

/// Creates a HiperSockets NIC in `part` for `link` and answers its endpoint
/// record. The NIC holds its device number (the first of three), the link
/// the two after it: each number has one owner, so neither can take the
/// other's, and deleting the NIC frees its own.
pub(super) fn add_nic(
    tx: &Tx<'_>,
    link: &Resource,
    part: &Resource,
    spec: &Map<String, Value>,
) -> Result<Value, HmcError> {
    let base = first_devno(tx, link, part, spec)?;
    let id = uuid::Uuid::new_v4();
    let vlan = spec.get("vlan-id").cloned().unwrap_or(Value::Null);
    if !(vlan.is_null() || vlan.is_u64()) {
        return Err(HmcError::invalid_field("vlan-id", &vlan));
    }
    let mac = match spec.get("mac-address") {
        None | Some(Value::Null) => Value::String(mac_address(&id)),
        Some(Value::String(s)) => Value::String(s.clone()),
        Some(other) => return Err(HmcError::invalid_field("mac-address", other)),
    };
    let mut props = Map::new();
    props.insert("element-id".into(), json!(id.to_string()));
    props.insert(
        "name".into(),
        json!(format!("{} {}", link.name(), hex(base))),
    );
    props.insert(
        "description".into(),
        json!(format!("Endpoint of partition link {}", link.name())),
    );
    props.insert("type".into(), json!("iqd"));
    props.insert("device-number".into(), json!(hex(base)));
    props.insert("vlan-id".into(), vlan.clone());
    props.insert("mac-address".into(), mac.clone());
    let nic = add_resource(tx, &NIC, Some(part), props)?;
    for k in 1..DEVNOS_PER_NIC {
        reserve_devno(tx, &part.uri, base + k, &link.uri)?;
    }
    Ok(json!({
        "nic-uri": nic.uri,
        "device-numbers": devno_run(base, DEVNOS_PER_NIC),
        "vlan-id": vlan,
        "mac-address": mac,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mac_addresses_are_locally_administered() {
        let mac = mac_address(&uuid::Uuid::nil());
        assert_eq!(mac, "02:00:00:00:00:00");
    }

    #[test]
    fn create_properties_default_and_check_the_mtu() {
        let mut props = Map::new();
        create_properties(&Map::new(), &mut props).unwrap();
        assert_eq!(
            Value::Object(props),
            json!({"starting-device-number": "7400",
                   "maximum-transmission-unit-size": 8, "bus-connections": []})
        );
        let body = json!({"maximum-transmission-unit-size": 9});
        let err = create_properties(body.as_object().unwrap(), &mut Map::new()).unwrap_err();
        assert_eq!(err.reason, 7);
    }
}
