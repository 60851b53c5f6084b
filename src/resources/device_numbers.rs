//! Number pools of a partition: device numbers (0x8000-0xFFFF, shared by its
//! NICs, HBAs and virtual functions) and WWPNs for its HBAs. The lowest free
//! number is taken; allocations live in the store, so concurrent processes
//! never hand out the same one, and a deleted holder frees its numbers. A
//! number the client supplies is reserved too, so it is unique in the
//! partition like on a real HMC (the Python mock does not track it).

use serde_json::Value;

use crate::api::HmcError;
use crate::store::{Resource, Tx};

const RANGE: std::ops::RangeInclusive<i64> = 0x8000..=0xFFFF;

/// One kind of number held in a property of a partition's children.
struct Kind {
    /// The property (`device-number`).
    property: &'static str,
    /// Pool name prefix (`devno`).
    pool: &'static str,
    /// Words for messages (`device number`).
    what: &'static str,
    /// Text before the four hex digits (`""`, `"AFFEAFFE0000"`).
    prefix: &'static str,
}

const DEVICE_NUMBER: Kind = Kind {
    property: "device-number",
    pool: "devno",
    what: "device number",
    prefix: "",
};

const WWPN: Kind = Kind {
    property: "wwpn",
    pool: "wwpn",
    what: "WWPN",
    prefix: "AFFEAFFE0000",
};

fn pool(kind: &str, partition: &str) -> String {
    format!("{kind}:{partition}")
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
        let digits = v?.as_str()?.strip_prefix(self.prefix)?;
        i64::from_str_radix(digits, 16).ok()
    }

    /// Reserves `n` for `owner`; 400.8 when it is held already (every number
    /// has one owner: a HiperSockets endpoint's NIC holds its own device
    /// number, its link the two after it; a link holding a number for one
    /// endpoint cannot give it to another).
    fn reserve(&self, tx: &Tx<'_>, partition: &str, n: i64, owner: &str) -> Result<(), HmcError> {
        let pool = pool(self.pool, partition);
        if tx.reserve(&pool, n, owner)? {
            return Ok(());
        }
        let holder = tx.allocation_owner(&pool, n)?.unwrap_or_default();
        Err(HmcError::bad_request(
            8,
            format!(
                "The {} {}{n:04X} is already in use in partition {partition} (by {holder})",
                self.what, self.prefix
            ),
        ))
    }

    /// Sets the number of a new child `r` of `partition`: a supplied one is
    /// reserved, otherwise the lowest free one is allocated (409.0 when the
    /// pool is exhausted).
    fn assign(&self, tx: &Tx<'_>, partition: &str, r: &mut Resource) -> Result<(), HmcError> {
        if r.props.contains_key(self.property) {
            return match self.value(r.props.get(self.property)) {
                Some(n) => self.reserve(tx, partition, n, &r.uri),
                None => Ok(()),
            };
        }
        let n = tx
            .allocate(&pool(self.pool, partition), RANGE, &r.uri)?
            .ok_or_else(|| {
                HmcError::conflict(
                    0,
                    format!("No free {} is left in partition {partition}", self.what),
                )
            })?;
        r.props.insert(
            self.property.into(),
            Value::String(format!("{}{n:04X}", self.prefix)),
        );
        Ok(())
    }

    /// After an update of `after` (a child of `partition`): a changed number
    /// takes its new value's reservation and gives back the old one.
    fn moved(
        &self,
        tx: &Tx<'_>,
        partition: &str,
        before: &Resource,
        after: &Resource,
    ) -> Result<(), HmcError> {
        let old = self.value(before.props.get(self.property));
        let new = self.value(after.props.get(self.property));
        if old == new {
            return Ok(());
        }
        if let Some(n) = new {
            self.reserve(tx, partition, n, &after.uri)?;
        }
        if let Some(n) = old {
            tx.release(&pool(self.pool, partition), n, &after.uri)?;
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
    }
}
