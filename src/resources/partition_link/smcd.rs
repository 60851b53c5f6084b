//! SMC-D links: their Create properties and their endpoints, a device
//! number and a FID each, held by the link (not externalized as objects).

use serde_json::{Map, Value, json};

use super::network::given_devno;
use super::pools::{DEVNO_MAX, FID_MAX, link_fid_pool, take_number};
use super::validate::{hex, int_in, optional};
use crate::api::HmcError;
use crate::resources::device_numbers::devno_pool;
use crate::store::{Resource, Tx};

/// SMC-D links have no `starting-device-number`; their device numbers come
/// from the partition's ordinary range, like those of NICs.
const DEVNO_START: i64 = 0x8000;
/// The book's default `starting-fid`.
const DEFAULT_STARTING_FID: i64 = 4096;

/// The SMC-D properties of a new link, from the body and defaults.
pub(super) fn create_properties(
    body: &Map<String, Value>,
    props: &mut Map<String, Value>,
) -> Result<(), HmcError> {
    let fid = optional(body, "starting-fid", DEFAULT_STARTING_FID, |v| {
        int_in("starting-fid", v, 0..=FID_MAX)
    })?;
    props.insert("starting-fid".into(), json!(fid));
    props.insert("bus-connections".into(), json!([]));
    Ok(())
}

/// Takes a device number and a FID for an SMC-D endpoint of `link` in
/// `part`; both are held by the link until the endpoint is removed. Given
/// numbers are taken as given, like Create NIC does.
pub(super) fn add_endpoint(
    tx: &Tx<'_>,
    link: &Resource,
    part: &Resource,
    spec: &Map<String, Value>,
) -> Result<Value, HmcError> {
    let devnos = DEVNO_START..=DEVNO_MAX;
    let devno = take_number(
        tx,
        &devno_pool(&part.uri),
        given_devno(spec)?,
        devnos,
        &link.uri,
    )?;
    let given_fid = optional(spec, "fid", None, |v| {
        int_in("fid", v, 0..=FID_MAX).map(Some)
    })?;
    let start = link
        .props
        .get("starting-fid")
        .and_then(Value::as_i64)
        .unwrap_or(DEFAULT_STARTING_FID);
    let fid = take_number(
        tx,
        &link_fid_pool(link),
        given_fid,
        start..=FID_MAX,
        &link.uri,
    )?;
    Ok(json!({"device-numbers": [hex(devno)], "fid": fid}))
}
