//! SQL for `profile_areas`: the activation profiles Export Profiles copied
//! into a CPC's profile areas.

use rusqlite::params;
use serde_json::{Map, Value};

use super::{StoreError, Tx};

/// One exported profile: its class and properties.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportedProfile {
    pub class: String,
    pub props: Map<String, Value>,
}

impl Tx<'_> {
    /// Replaces what profile area `area` of the CPC holds with `profiles`,
    /// in their order (each named by its `name`).
    pub fn replace_profile_area(
        &self,
        cpc_uri: &str,
        area: i64,
        profiles: &[ExportedProfile],
    ) -> Result<(), StoreError> {
        self.exec(
            "DELETE FROM profile_areas WHERE cpc_uri = ?1 AND area = ?2",
            params![cpc_uri, area],
        )?;
        let mut stmt = self.conn.prepare_cached(
            "INSERT INTO profile_areas (cpc_uri, area, class, name, properties, seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for (seq, p) in profiles.iter().enumerate() {
            let name = p.props.get("name").and_then(Value::as_str).unwrap_or("");
            let text = serde_json::to_string(&p.props)?;
            stmt.execute(params![cpc_uri, area, p.class, name, text, seq as i64])?;
        }
        Ok(())
    }

    /// The profiles in profile area `area` of the CPC, in export order
    /// (none if it was never exported to).
    pub fn profile_area(
        &self,
        cpc_uri: &str,
        area: i64,
    ) -> Result<Vec<ExportedProfile>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT class, properties FROM profile_areas
             WHERE cpc_uri = ?1 AND area = ?2 ORDER BY seq",
        )?;
        let rows = stmt.query_map(params![cpc_uri, area], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (class, text) = row?;
            out.push(ExportedProfile {
                class,
                props: serde_json::from_str(&text)?,
            });
        }
        Ok(out)
    }
}
