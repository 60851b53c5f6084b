//! SQL for the `meta` table: HMC-wide settings as key/value text.

use rusqlite::OptionalExtension;

use super::{StoreError, Tx};

/// Meta key: until when (unix ms) the HMC refuses requests after Restart
/// or Shutdown Console (`i64::MAX`: until it is enabled again).
pub const META_UNAVAILABLE_UNTIL: &str = "console-unavailable-until";

impl Tx<'_> {
    /// The value stored under `key`.
    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")?;
        Ok(stmt.query_row([key], |r| r.get(0)).optional()?)
    }

    /// Every (key, value) whose key starts with `prefix`, by key.
    pub fn meta_with_prefix(&self, prefix: &str) -> Result<Vec<(String, String)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT key, value FROM meta WHERE substr(key, 1, length(?1)) = ?1 ORDER BY key",
        )?;
        let rows = stmt.query_map([prefix], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Forgets `key`.
    pub fn delete_meta(&self, key: &str) -> Result<(), StoreError> {
        self.exec("DELETE FROM meta WHERE key = ?1", [key])?;
        Ok(())
    }

    /// Stores `value` under `key`.
    pub fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        )?;
        stmt.execute([key, value])?;
        Ok(())
    }
}
