//! The numbers endpoints hold: device numbers from their partition's pool
//! (shared with NICs, HBAs and virtual functions) and SMC-D function ids
//! (FIDs) from their CPC's pool.

use std::ops::RangeInclusive;

use crate::api::HmcError;
use crate::store::{Resource, Tx};

use super::validate::hex;

/// Device numbers are four hex digits.
pub(super) const DEVNO_MAX: i64 = 0xFFFF;
/// The highest FID handed out for SMC-D endpoints.
pub(super) const FID_MAX: i64 = 0xFFFF;

/// The pool of SMC-D function ids of a CPC.
fn fid_pool(cpc_uri: &str) -> String {
    format!("fid:{cpc_uri}")
}

/// The FID pool of the CPC of `link`.
pub(super) fn link_fid_pool(link: &Resource) -> String {
    fid_pool(link.str_prop("cpc-uri").unwrap_or(""))
}

/// Reserves FID `n` of the CPC of `link` for the link: 400.8 when it is
/// held already (by another endpoint of this or another link).
pub(super) fn reserve_fid(tx: &Tx<'_>, link: &Resource, n: i64) -> Result<(), HmcError> {
    let pool = link_fid_pool(link);
    if tx.reserve(&pool, n, &link.uri)? {
        return Ok(());
    }
    let holder = tx.allocation_owner(&pool, n)?.unwrap_or_default();
    Err(HmcError::bad_request(
        8,
        format!(
            "The FID {n} is already in use in CPC {} (by {holder})",
            link.str_prop("cpc-uri").unwrap_or("")
        ),
    ))
}

/// The device numbers `n` consecutive numbers from `base` are written as.
pub(super) fn devno_run(base: i64, n: i64) -> Vec<String> {
    (0..n).map(|k| hex(base + k)).collect()
}

/// The first of the lowest `len` consecutive free numbers of `pool` in
/// `range` (nothing is reserved yet); 409.0 when there are none.
pub(super) fn free_run(
    tx: &Tx<'_>,
    pool: &str,
    range: RangeInclusive<i64>,
    len: i64,
) -> Result<i64, HmcError> {
    tx.lowest_free_run(pool, range, len)?.ok_or_else(|| {
        HmcError::conflict(
            0,
            format!("No {len} consecutive free numbers are left in pool {pool}"),
        )
    })
}

/// The lowest `len` consecutive free numbers of `pool` in `range`, now held
/// by `owner`; 409.0 when there are none.
pub(super) fn allocate_run(
    tx: &Tx<'_>,
    pool: &str,
    range: RangeInclusive<i64>,
    len: i64,
    owner: &str,
) -> Result<i64, HmcError> {
    let start = free_run(tx, pool, range, len)?;
    for n in start..start + len {
        tx.reserve(pool, n, owner)?;
    }
    Ok(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_of_device_numbers_is_consecutive_hex() {
        assert_eq!(devno_run(0x74FF, 3), ["74FF", "7500", "7501"]);
        assert!(devno_run(0x4000, 0).is_empty());
    }
}
