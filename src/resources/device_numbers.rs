//! Number pools of a partition: device numbers (0x8000-0xFFFF, shared by its
//! NICs, HBAs and virtual functions) and WWPNs for its HBAs. The lowest free
//! number is taken; allocations live in the store, so concurrent processes
//! never hand out the same one, and a deleted holder frees its numbers.

use serde_json::Value;

use crate::api::HmcError;
use crate::store::{Resource, Tx};

const RANGE: std::ops::RangeInclusive<i64> = 0x8000..=0xFFFF;

/// 409.0: a pool has no free number left.
fn exhausted(what: &str, partition: &str) -> HmcError {
    HmcError::conflict(
        0,
        format!("No free {what} is left in partition {partition}"),
    )
}

fn pool(kind: &str, partition: &str) -> String {
    format!("{kind}:{partition}")
}

/// The pool of device numbers of `partition` (partition-link endpoints take
/// theirs from it too, so they never clash with NICs, HBAs and VFs).
pub fn devno_pool(partition: &str) -> String {
    pool("devno", partition)
}

/// Sets `device-number` of `r` (a child of `partition`): a supplied number
/// is reserved if it is free; otherwise the lowest free one is allocated.
pub fn assign_device_number(
    tx: &Tx<'_>,
    partition: &str,
    r: &mut Resource,
) -> Result<(), HmcError> {
    let pool = pool("devno", partition);
    match r.props.get("device-number").and_then(Value::as_str) {
        Some(given) => {
            if let Ok(n) = i64::from_str_radix(given, 16) {
                tx.reserve(&pool, n, &r.uri)?;
            }
        }
        None => {
            let n = tx
                .allocate(&pool, RANGE, &r.uri)?
                .ok_or_else(|| exhausted("device number", partition))?;
            r.props
                .insert("device-number".into(), Value::String(format!("{n:04X}")));
        }
    }
    Ok(())
}

/// Sets `wwpn` of an HBA like `assign_device_number` does device numbers;
/// WWPNs look like `AFFEAFFE00008000`.
pub fn assign_wwpn(tx: &Tx<'_>, partition: &str, r: &mut Resource) -> Result<(), HmcError> {
    let pool = pool("wwpn", partition);
    match r.props.get("wwpn").and_then(Value::as_str) {
        Some(given) => {
            if let Some(n) = given
                .strip_prefix("AFFEAFFE0000")
                .and_then(|s| i64::from_str_radix(s, 16).ok())
            {
                tx.reserve(&pool, n, &r.uri)?;
            }
        }
        None => {
            let n = tx
                .allocate(&pool, RANGE, &r.uri)?
                .ok_or_else(|| exhausted("WWPN", partition))?;
            r.props
                .insert("wwpn".into(), Value::String(format!("AFFEAFFE0000{n:04X}")));
        }
    }
    Ok(())
}
