//! SMC-D links: their Create properties and their endpoints, a device
//! number and a FID each, held by the link (not externalized as objects).

use serde_json::{Map, Value, json};

use super::network::given_devno;
use super::pools::{DEVNO_MAX, FID_MAX, allocate_run, link_fid_pool, reserve_fid};
use super::validate::{hex, int_in, optional};
use crate::api::HmcError;
use crate::resources::partition::device_numbers::{devno_pool, reserve_devno};
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
/// numbers are reserved like Create NIC's (400.8 when held already).
pub(super) fn add_endpoint(
    tx: &Tx<'_>,
    link: &Resource,
    part: &Resource,
    spec: &Map<String, Value>,
) -> Result<Value, HmcError> {
    let devno = match given_devno(spec)? {
        Some(n) => {
            reserve_devno(tx, &part.uri, n, &link.uri)?;
            n
        }
        None => allocate_run(
            tx,
            &devno_pool(&part.uri),
            DEVNO_START..=DEVNO_MAX,
            1,
            &link.uri,
        )?,
    };
    let given_fid = optional(spec, "fid", None, |v| {
        int_in("fid", v, 0..=FID_MAX).map(Some)
    })?;
    let fid = match given_fid {
        Some(n) => {
            reserve_fid(tx, link, n)?;
            n
        }
        None => {
            let start = link
                .props
                .get("starting-fid")
                .and_then(Value::as_i64)
                .unwrap_or(DEFAULT_STARTING_FID);
            allocate_run(tx, &link_fid_pool(link), start..=FID_MAX, 1, &link.uri)?
        }
    };
    Ok(json!({"device-numbers": [hex(devno)], "fid": fid}))
}
