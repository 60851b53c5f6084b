//! CTC devices: on every path of a CTC link, one device per pair of
//! attached partitions, whose two ends hold `devices-per-path` consecutive
//! device numbers each, held by the link.

use serde_json::{Value, json};

use super::LINKS;
use super::endpoints::{
    append_items, device_ends, items, partition_uri_of, release_endpoint, take_list,
};
use super::pools::{DEVNO_MAX, allocate_run, devno_run};
use super::validate::parse_devno;
use crate::api::HmcError;
use crate::resources::framework::generic::{append_reference, remove_reference};
use crate::resources::partition::device_numbers::devno_pool;
use crate::store::{Resource, Tx};

/// The book's default `devices-per-path`.
pub(super) const DEFAULT_DEVICES_PER_PATH: i64 = 4;
/// The book's default `starting-device-number` of a path.
pub(super) const DEFAULT_PATH_START: i64 = 0x4000;

/// `devices-per-path` of a CTC link.
fn devices_per_path(link: &Resource) -> i64 {
    link.props
        .get("devices-per-path")
        .and_then(Value::as_i64)
        .unwrap_or(DEFAULT_DEVICES_PER_PATH)
}

/// The first device number of a CTC path.
fn path_start(path: &Value) -> i64 {
    path.get("starting-device-number")
        .and_then(|v| parse_devno("starting-device-number", v).ok())
        .unwrap_or(DEFAULT_PATH_START)
}

/// A CTC endpoint of `link` in `p`: `n` consecutive device numbers from
/// `start`, held by the link.
fn ctc_endpoint(
    tx: &Tx<'_>,
    link: &Resource,
    p: &Resource,
    start: i64,
    n: i64,
) -> Result<Value, HmcError> {
    let base = allocate_run(tx, &devno_pool(&p.uri), start..=DEVNO_MAX, n, &link.uri)?;
    Ok(json!({
        "partition-uri": p.uri,
        "partition-name": p.name(),
        "device-numbers": devno_run(base, n),
    }))
}

/// Appends to `path` the CTC devices between `new` and each of `peers`.
pub(super) fn add_devices(
    tx: &Tx<'_>,
    link: &Resource,
    path: &mut Value,
    peers: &[&Resource],
    new: &Resource,
) -> Result<(), HmcError> {
    let start = path_start(path);
    let n = devices_per_path(link);
    let mut devices = Vec::new();
    for q in peers {
        let a = ctc_endpoint(tx, link, q, start, n)?;
        let b = ctc_endpoint(tx, link, new, start, n)?;
        devices.push(json!({"endpoint-pair": [a, b]}));
    }
    append_items(path, "devices", devices);
    Ok(())
}

/// Attaches `part` to a CTC link: a device on every path to each of
/// `peers` (the partitions attached already).
pub(super) fn attach_ctc(
    tx: &Tx<'_>,
    link: &mut Resource,
    part: &Resource,
    peers: &[&Resource],
) -> Result<(), HmcError> {
    let mut paths = take_list(link, "paths");
    for path in &mut paths {
        add_devices(tx, link, path, peers, part)?;
    }
    link.props.insert("paths".into(), Value::Array(paths));
    append_reference(tx, &part.uri, LINKS, &link.uri)
}

/// Releases the device numbers of the CTC `devices`.
pub(super) fn release_devices(
    tx: &Tx<'_>,
    link: &Resource,
    devices: &[Value],
) -> Result<(), HmcError> {
    for (part, e) in device_ends(devices) {
        release_endpoint(tx, link, part, e)?;
    }
    Ok(())
}

/// Whether a CTC device has an end in `part_uri`.
fn involves(device: &Value, part_uri: &str) -> bool {
    items(device.get("endpoint-pair"))
        .iter()
        .any(|e| partition_uri_of(e) == Some(part_uri))
}

/// Detaches `part_uri` from a CTC link: its devices on every path go.
pub(super) fn detach_ctc(tx: &Tx<'_>, link: &mut Resource, part_uri: &str) -> Result<(), HmcError> {
    let mut paths = take_list(link, "paths");
    let mut gone = Vec::new();
    for path in &mut paths {
        if let Some(Value::Array(devices)) = path.get_mut("devices") {
            let (drop, keep): (Vec<Value>, Vec<Value>) =
                devices.drain(..).partition(|d| involves(d, part_uri));
            *devices = keep;
            gone.extend(drop);
        }
    }
    link.props.insert("paths".into(), Value::Array(paths));
    release_devices(tx, link, &gone)?;
    remove_reference(tx, part_uri, LINKS, &link.uri)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_involves_the_partitions_of_its_two_ends() {
        let d = json!({"endpoint-pair": [{"partition-uri": "/a"}, {"partition-uri": "/b"}]});
        assert!(involves(&d, "/a"));
        assert!(involves(&d, "/b"));
        assert!(!involves(&d, "/c"));
        assert!(!involves(&json!({}), "/a"));
    }

    #[test]
    fn a_path_without_a_valid_start_starts_at_the_default() {
        assert_eq!(
            path_start(&json!({"starting-device-number": "5000"})),
            0x5000
        );
        assert_eq!(path_start(&json!({"starting-device-number": 5})), 0x4000);
        assert_eq!(path_start(&json!({})), 0x4000);
    }
}
