//! Number pools: per partition, device numbers (0x8000-0xFFFF, shared by
//! its NICs, HBAs, virtual functions and partition-link endpoints) and WWPNs
//! for its HBAs; per CPC, partition ids (00-FF). The lowest free number is
//! taken; allocations live in the store, so concurrent processes never hand
//! out the same one, and a deleted holder frees its numbers. A number the
//! client supplies is reserved too, so it is unique in its scope like on a
//! real HMC (the Python mock does not track it), and a changed one moves.

use std::ops::RangeInclusive;

use serde_json::Value;

use crate::api::HmcError;
use crate::store::{Resource, Tx};

/// One kind of number held in a property of the children of a scope (a
/// partition's NICs, a CPC's partitions).
struct Kind {
    /// The property (`device-number`).
    property: &'static str,
    /// Pool name prefix (`devno`).
    pool: &'static str,
    /// Words for messages (`device number`).
    what: &'static str,
    /// Text before the hex digits (`""`, `"AFFEAFFE0000"`).
    prefix: &'static str,
    /// Hex digits written after the prefix.
    width: usize,
    /// The numbers allocated (a supplied one may lie outside).
    range: RangeInclusive<i64>,
    /// Words for the scope in messages (`partition`, `CPC`).
    scope: &'static str,
    /// Whether a JSON integer is a value too (definition files write
    /// `partition-id: 0x41`, which YAML reads as 65).
    integers: bool,
}

const DEVICE_NUMBER: Kind = Kind {
    property: "device-number",
    pool: "devno",
    what: "device number",
    prefix: "",
    width: 4,
    range: 0x8000..=0xFFFF,
    scope: "partition",
    integers: false,
};

const WWPN: Kind = Kind {
    property: "wwpn",
    pool: "wwpn",
    what: "WWPN",
    prefix: "AFFEAFFE0000",
    width: 4,
    range: 0x8000..=0xFFFF,
    scope: "partition",
    integers: false,
};

const PARTITION_ID: Kind = Kind {
    property: "partition-id",
    pool: "partition-id",
    what: "partition id",
    prefix: "",
    width: 2,
    range: 0..=0xFF,
    scope: "CPC",
    integers: true,
};

fn pool(kind: &str, scope: &str) -> String {
    format!("{kind}:{scope}")
}

/// The pool of device numbers of `partition` (partition-link endpoints take
/// theirs from it too, so they never clash with NICs, HBAs and VFs).
pub fn devno_pool(partition: &str) -> String {
    pool(DEVICE_NUMBER.pool, partition)
}

impl Kind {
    /// The pool value of a property value; `None` for text that is not a
    /// number of this kind (kept as given, but not tracked).
    fn value(&self, v: Option<&Value>) -> Option<i64> {
        match v? {
            Value::Number(n) if self.integers => n.as_i64(),
            v => i64::from_str_radix(v.as_str()?.strip_prefix(self.prefix)?, 16).ok(),
        }
    }

    /// How a number of this kind is written (`8001`, `AFFEAFFE00008001`, `0E`).
    fn text(&self, n: i64) -> String {
        format!("{}{n:0width$X}", self.prefix, width = self.width)
    }

    /// Reserves `n` for `owner`; 400.8 when it is held already (every number
    /// has one owner: a HiperSockets endpoint's NIC holds its own device
    /// number, its link the two after it; a link holding a number for one
    /// endpoint cannot give it to another).
    fn reserve(&self, tx: &Tx<'_>, scope: &str, n: i64, owner: &str) -> Result<(), HmcError> {
        let pool = pool(self.pool, scope);
        if tx.reserve(&pool, n, owner)? {
            return Ok(());
        }
        let holder = tx.allocation_owner(&pool, n)?.unwrap_or_default();
        Err(HmcError::bad_request(
            8,
            format!(
                "The {} {} is already in use in {} {scope} (by {holder})",
                self.what,
                self.text(n),
                self.scope
            ),
        ))
    }

    /// Sets the number of a new child `r` of `scope`: a supplied one is
    /// reserved (400.8 if held), otherwise the lowest free one is allocated
    /// (409.0 when the pool is exhausted).
    fn assign(&self, tx: &Tx<'_>, scope: &str, r: &mut Resource) -> Result<(), HmcError> {
        if r.props.contains_key(self.property) {
            return match self.value(r.props.get(self.property)) {
                Some(n) => self.reserve(tx, scope, n, &r.uri),
                None => Ok(()),
            };
        }
        let n = tx
            .allocate(&pool(self.pool, scope), self.range.clone(), &r.uri)?
            .ok_or_else(|| {
                HmcError::conflict(
                    0,
                    format!("No free {} is left in {} {scope}", self.what, self.scope),
                )
            })?;
        r.props
            .insert(self.property.into(), Value::String(self.text(n)));
        Ok(())
    }

    /// After an update of `after` (a child of `scope`): a changed number
    /// takes its new value's reservation and gives back the old one.
    fn moved(
        &self,
        tx: &Tx<'_>,
        scope: &str,
        before: &Resource,
        after: &Resource,
    ) -> Result<(), HmcError> {
        let old = self.value(before.props.get(self.property));
        let new = self.value(after.props.get(self.property));
        if old == new {
            return Ok(());
        }
        if let Some(n) = new {
            self.reserve(tx, scope, n, &after.uri)?;
        }
        if let Some(n) = old {
            tx.release(&pool(self.pool, scope), n, &after.uri)?;
        }
        Ok(())
    }
}

/// Reserves device number `n` of `partition` for `owner` (a partition link
/// holding its endpoints' numbers): 400.8 when another resource holds it,
/// with the message of Create NIC.
pub fn reserve_devno(tx: &Tx<'_>, partition: &str, n: i64, owner: &str) -> Result<(), HmcError> {
    DEVICE_NUMBER.reserve(tx, partition, n, owner)
}

/// Sets `device-number` of `r` (a child of `partition`).
pub fn assign_device_number(
    tx: &Tx<'_>,
    partition: &str,
    r: &mut Resource,
) -> Result<(), HmcError> {
    DEVICE_NUMBER.assign(tx, partition, r)
}

/// Sets `wwpn` of an HBA like `assign_device_number` does device numbers;
/// WWPNs look like `AFFEAFFE00008000`.
pub fn assign_wwpn(tx: &Tx<'_>, partition: &str, r: &mut Resource) -> Result<(), HmcError> {
    WWPN.assign(tx, partition, r)
}

/// `on_update` of NICs and virtual functions: a new `device-number` moves
/// the reservation (400.8 if another child holds it).
pub fn device_number_updated(
    tx: &Tx<'_>,
    before: &Resource,
    after: &mut Resource,
) -> Result<(), HmcError> {
    match after.parent.as_deref() {
        Some(p) => DEVICE_NUMBER.moved(tx, p, before, after),
        None => Ok(()),
    }
}

/// `on_update` of HBAs: `device-number` and `wwpn` move their reservations.
pub fn hba_numbers_updated(
    tx: &Tx<'_>,
    before: &Resource,
    after: &mut Resource,
) -> Result<(), HmcError> {
    match after.parent.as_deref() {
        Some(p) => {
            DEVICE_NUMBER.moved(tx, p, before, after)?;
            WWPN.moved(tx, p, before, after)
        }
        None => Ok(()),
    }
}

/// Sets `partition-id` of a new partition `r` of `cpc` like
/// `assign_device_number` (two hex digits, unique per CPC: 400.8 for a
/// supplied one in use).
pub fn assign_partition_id(tx: &Tx<'_>, cpc: &str, r: &mut Resource) -> Result<(), HmcError> {
    PARTITION_ID.assign(tx, cpc, r)
}

/// `on_update` of partitions: a new `partition-id` moves the reservation
/// (400.8 if another partition of the CPC holds it).
pub fn partition_id_updated(
    tx: &Tx<'_>,
    before: &Resource,
    after: &mut Resource,
) -> Result<(), HmcError> {
    match after.parent.as_deref() {
        Some(cpc) => PARTITION_ID.moved(tx, cpc, before, after),
        None => Ok(()),
    }
}

/// A partition's NIC, HBA or virtual function takes a device number from
/// the partition's pool (all a virtual function's `on_add` does).
pub fn take_device_number(
    tx: &Tx<'_>,
    parent: Option<&Resource>,
    r: &mut Resource,
) -> Result<(), HmcError> {
    if let Some(p) = parent {
        assign_device_number(tx, &p.uri, r)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn values_are_parsed_per_kind_and_foreign_text_is_not_tracked() {
        assert_eq!(DEVICE_NUMBER.value(Some(&json!("8001"))), Some(0x8001));
        assert_eq!(DEVICE_NUMBER.value(Some(&json!("0010"))), Some(0x10));
        assert_eq!(DEVICE_NUMBER.value(Some(&json!("zz"))), None);
        assert_eq!(DEVICE_NUMBER.value(Some(&json!(8001))), None);
        assert_eq!(WWPN.value(Some(&json!("AFFEAFFE00008002"))), Some(0x8002));
        assert_eq!(WWPN.value(Some(&json!("C05076FFE5000123"))), None);
        assert_eq!(WWPN.value(None), None);
        assert_eq!(PARTITION_ID.value(Some(&json!("0E"))), Some(14));
        assert_eq!(PARTITION_ID.value(Some(&json!(65))), Some(65));
    }

    #[test]
    fn numbers_are_written_with_their_prefix_and_width() {
        assert_eq!(DEVICE_NUMBER.text(0x10), "0010");
        assert_eq!(WWPN.text(0x8002), "AFFEAFFE00008002");
        assert_eq!(PARTITION_ID.text(14), "0E");
    }
}
