//! SQL for `metric_values`: prepared metric values, in insertion order.

use rusqlite::{OptionalExtension, params};
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
        self.exec(
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

/// One metrics context as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricsContextRow {
    pub id: String,
    /// The owning session; `None` for a context from a definition file.
    pub session_id: Option<String>,
    pub anticipated_frequency_seconds: Value,
    /// Group names asked for, in order; empty: all groups.
    pub metric_groups: Vec<String>,
    /// The Create request body as sent (or the definition's properties).
    pub properties: Map<String, Value>,
    pub created_at: i64,
}

fn to_context(r: &rusqlite::Row<'_>) -> rusqlite::Result<(MetricsContextRow, String, String)> {
    let freq: rusqlite::types::Value = r.get(2)?;
    let freq = match freq {
        rusqlite::types::Value::Integer(i) => Value::from(i),
        rusqlite::types::Value::Real(f) => Value::from(f),
        rusqlite::types::Value::Text(t) => Value::from(t),
        _ => Value::Null,
    };
    Ok((
        MetricsContextRow {
            id: r.get(0)?,
            session_id: r.get(1)?,
            anticipated_frequency_seconds: freq,
            metric_groups: Vec::new(),
            properties: Map::new(),
            created_at: r.get(5)?,
        },
        r.get(3)?,
        r.get(4)?,
    ))
}

fn parse_context(
    row: (MetricsContextRow, String, String),
) -> Result<MetricsContextRow, StoreError> {
    let (mut c, groups, props) = row;
    c.metric_groups = serde_json::from_str(&groups)?;
    c.properties = serde_json::from_str(&props)?;
    Ok(c)
}

const CONTEXT_COLUMNS: &str =
    "id, session_id, anticipated_frequency_seconds, metric_groups, properties, created_at";

impl Tx<'_> {
    /// Records a metrics context.
    pub fn insert_metrics_context(&self, c: &MetricsContextRow) -> Result<(), StoreError> {
        let freq: rusqlite::types::Value = match &c.anticipated_frequency_seconds {
            Value::Number(n) if n.is_i64() => n.as_i64().unwrap_or(0).into(),
            Value::Number(n) => n.as_f64().unwrap_or(0.0).into(),
            Value::String(s) => s.clone().into(),
            Value::Null => rusqlite::types::Value::Null,
            other => other.to_string().into(),
        };
        self.exec(
            &format!(
                "INSERT INTO metrics_contexts ({CONTEXT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
            ),
            params![
                c.id,
                c.session_id,
                freq,
                serde_json::to_string(&c.metric_groups)?,
                serde_json::to_string(&c.properties)?,
                c.created_at
            ],
        )?;
        Ok(())
    }

    /// The metrics context with this id.
    pub fn metrics_context(&self, id: &str) -> Result<Option<MetricsContextRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {CONTEXT_COLUMNS} FROM metrics_contexts WHERE id = ?1"
        ))?;
        stmt.query_row([id], to_context)
            .optional()?
            .map(parse_context)
            .transpose()
    }

    /// Every metrics context, oldest first.
    pub fn metrics_contexts(&self) -> Result<Vec<MetricsContextRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {CONTEXT_COLUMNS} FROM metrics_contexts ORDER BY created_at, rowid"
        ))?;
        let rows = stmt.query_map([], to_context)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(parse_context(row?)?);
        }
        Ok(out)
    }

    /// Deletes a metrics context; false if it did not exist.
    pub fn delete_metrics_context(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .execute("DELETE FROM metrics_contexts WHERE id = ?1", [id])?
            == 1)
    }

    /// Deletes prepared values: all, or those of one group, or of one group
    /// and resource. Returns how many went.
    pub fn delete_metric_values(
        &self,
        group: Option<&str>,
        resource_uri: Option<&str>,
    ) -> Result<usize, StoreError> {
        Ok(self.exec(
            "DELETE FROM metric_values WHERE (?1 IS NULL OR group_name = ?1)
                 AND (?2 IS NULL OR resource_uri = ?2)",
            params![group, resource_uri],
        )?)
    }
}
