//! SQL for `id_allocations`: numbers handed out from pools (device numbers,
//! WWPNs, partition ids, FIDs), allocated inside the request's transaction so that two processes
//! never hand out the same number.

use rusqlite::params;

use super::{StoreError, Tx};

impl Tx<'_> {
    /// Allocates the lowest free value of `pool` within `range` for `owner`.
    /// `None` when the pool is exhausted.
    pub fn allocate(
        &self,
        pool: &str,
        range: std::ops::RangeInclusive<i64>,
        owner: &str,
    ) -> Result<Option<i64>, StoreError> {
        let Some(value) = self.lowest_free_run(pool, range, 1)? else {
            return Ok(None);
        };
        self.reserve(pool, value, owner)?;
        Ok(Some(value))
    }

    /// The first of the lowest `len` consecutive values of `pool` within
    /// `range` that nobody holds (reserves nothing); `None` when there is no
    /// such run. One query: a run starts at the range's start or right after
    /// a held value, and no held value lies inside it.
    pub fn lowest_free_run(
        &self,
        pool: &str,
        range: std::ops::RangeInclusive<i64>,
        len: i64,
    ) -> Result<Option<i64>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT start FROM (
                 SELECT ?2 AS start
                 UNION
                 SELECT value + 1 FROM id_allocations
                 WHERE pool = ?1 AND value BETWEEN ?2 AND ?3)
             WHERE start + ?4 - 1 <= ?3
               AND NOT EXISTS (SELECT 1 FROM id_allocations
                               WHERE pool = ?1 AND value BETWEEN start AND start + ?4 - 1)
             ORDER BY start LIMIT 1",
        )?;
        let mut rows = stmt.query(params![pool, range.start(), range.end(), len.max(1)])?;
        match rows.next()? {
            Some(row) => Ok(Some(row.get(0)?)),
            None => Ok(None),
        }
    }

    /// Records `value` of `pool` as held by `owner`; false if already held.
    pub fn reserve(&self, pool: &str, value: i64, owner: &str) -> Result<bool, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "INSERT OR IGNORE INTO id_allocations (pool, value, owner_uri) VALUES (?1, ?2, ?3)",
        )?;
        Ok(stmt.execute(params![pool, value, owner])? == 1)
    }

    /// The owner of `value` in `pool`, if it is held.
    pub fn allocation_owner(&self, pool: &str, value: i64) -> Result<Option<String>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT owner_uri FROM id_allocations WHERE pool = ?1 AND value = ?2",
        )?;
        let mut rows = stmt.query(params![pool, value])?;
        match rows.next()? {
            Some(row) => Ok(Some(row.get(0)?)),
            None => Ok(None),
        }
    }

    /// Frees `value` of `pool` if `owner` holds it (a partition link gives
    /// back an endpoint's numbers on detach while it lives on); false if
    /// `owner` did not hold it.
    pub fn release(&self, pool: &str, value: i64, owner: &str) -> Result<bool, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "DELETE FROM id_allocations WHERE pool = ?1 AND value = ?2 AND owner_uri = ?3",
        )?;
        Ok(stmt.execute(params![pool, value, owner])? == 1)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Map;

    use crate::store::{Resource, Store, StoreError};

    #[test]
    fn lowest_free_value_is_allocated_and_freed_with_its_owner() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.sqlite")).unwrap();
        store
            .write(|tx| {
                for uri in ["/a", "/b", "/c"] {
                    tx.insert_resource(&Resource {
                        uri: uri.into(),
                        class: "nic".into(),
                        parent: None,
                        props: Map::new(),
                    })?;
                }
                assert_eq!(tx.allocate("p", 10..=12, "/a")?, Some(10));
                assert!(tx.reserve("p", 12, "/c")?);
                assert!(!tx.reserve("p", 12, "/b")?);
                assert_eq!(tx.allocate("p", 10..=12, "/b")?, Some(11));
                assert_eq!(tx.allocate("p", 10..=12, "/b")?, None);
                tx.delete_resource("/a")?;
                assert_eq!(tx.allocate("p", 10..=12, "/b")?, Some(10));
                assert!(!tx.release("p", 10, "/c")?);
                assert!(tx.release("p", 10, "/b")?);
                assert_eq!(tx.allocate("p", 10..=12, "/c")?, Some(10));
                Ok::<_, StoreError>(())
            })
            .unwrap();
    }

    #[test]
    fn the_lowest_free_run_skips_runs_with_a_held_value_and_reserves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.sqlite")).unwrap();
        store
            .write(|tx| {
                tx.insert_resource(&Resource {
                    uri: "/a".into(),
                    class: "nic".into(),
                    parent: None,
                    props: Map::new(),
                })?;
                for v in [11, 14] {
                    assert!(tx.reserve("p", v, "/a")?);
                }
                assert_eq!(tx.lowest_free_run("p", 10..=20, 1)?, Some(10));
                assert_eq!(tx.lowest_free_run("p", 10..=20, 2)?, Some(12));
                assert_eq!(tx.lowest_free_run("p", 10..=20, 3)?, Some(15));
                assert_eq!(tx.lowest_free_run("p", 10..=20, 6)?, Some(15));
                assert_eq!(tx.lowest_free_run("p", 10..=20, 7)?, None);
                assert_eq!(tx.lowest_free_run("p", 12..=13, 2)?, Some(12));
                assert_eq!(tx.lowest_free_run("other", 10..=20, 11)?, Some(10));
                assert_eq!(tx.allocate("p", 10..=20, "/a")?, Some(10));
                Ok::<_, StoreError>(())
            })
            .unwrap();
    }
}
