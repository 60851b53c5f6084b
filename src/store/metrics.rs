//! SQL for `metric_values`: prepared metric values, in insertion order.

use rusqlite::params;
use serde_json::{Map, Value};

use super::{StoreError, Tx};

/// One prepared metric-values record.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricValuesRow {
    pub group_name: String,
    pub resource_uri: String,
    pub timestamp: String,
    pub metrics: Map<String, Value>,
}

impl Tx<'_> {
    /// Appends a record.
    pub fn insert_metric_values(&self, m: &MetricValuesRow) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO metric_values (group_name, resource_uri, timestamp, metrics)
             VALUES (?1, ?2, ?3, ?4)",
            params![
                m.group_name,
                m.resource_uri,
                m.timestamp,
                serde_json::to_string(&m.metrics)?
            ],
        )?;
        Ok(())
    }

    /// Every record, in insertion order.
    pub fn all_metric_values(&self) -> Result<Vec<MetricValuesRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT group_name, resource_uri, timestamp, metrics FROM metric_values ORDER BY seq",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, String>(3)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (group_name, resource_uri, timestamp, text) = row?;
            out.push(MetricValuesRow {
                group_name,
                resource_uri,
                timestamp,
                metrics: serde_json::from_str(&text)?,
            });
        }
        Ok(out)
    }
}
