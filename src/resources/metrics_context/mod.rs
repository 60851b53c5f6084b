//! Metrics contexts: Create Metrics Context, Get Metrics, Delete Metrics
//! Context (behaviour spec 7), kept in the `metrics_contexts` table and
//! owned by the session that created them; and the metric values they
//! report: prepared rows (`metric_values`, checked against their group when
//! they are added) and, when the HMC is set to synthetic metrics, generated
//! rows for every resource of each group's class.

pub mod groups;
pub mod synthetic;

use crate::api::timestamp::{self, Utc};
use serde_json::{Map, Value, json};

use crate::api::{Body, HmcError, Method, Response};
use crate::ctx::Ctx;
use crate::resources::framework::preconditions::require_fields;
use crate::resources::{Service, Transaction};
use crate::store::{MetricValuesRow, MetricsContextRow, StoreError, Tx};
use groups::{GROUPS, GroupDef, group, ordered_values};

/// Content type of Get Metrics answers.
pub const METRICS_CONTENT_TYPE: &str = "application/vnd.ibm-z-zmanager-metrics";

/// URI of the metrics-context collection (Create Metrics Context).
pub const CONTEXTS_URI: &str = "/api/services/metrics/context";

/// Meta key of the metrics source: absent or `prepared` (only prepared
/// rows), or `synthetic:SEED` (prepared rows plus generated ones).
pub const META_METRICS_SOURCE: &str = "metrics-source";

/// Where Get Metrics takes its values from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricsSource {
    /// Only the prepared rows (definition files, `metrics set`, SQL).
    Prepared,
    /// Prepared rows, and generated rows for every other resource.
    Synthetic { seed: u64 },
}

impl MetricsSource {
    /// Reads `prepared`, `synthetic` or `synthetic:SEED`.
    pub fn parse(text: &str) -> Option<MetricsSource> {
        match text.split_once(':') {
            None if text == "prepared" => Some(MetricsSource::Prepared),
            None if text == "synthetic" => Some(MetricsSource::Synthetic { seed: 0 }),
            Some(("synthetic", seed)) => seed
                .parse()
                .ok()
                .map(|seed| MetricsSource::Synthetic { seed }),
            _ => None,
        }
    }

    /// The text `parse` reads.
    pub fn to_text(self) -> String {
        match self {
            MetricsSource::Prepared => "prepared".into(),
            MetricsSource::Synthetic { seed } => format!("synthetic:{seed}"),
        }
    }

    /// The source the HMC in `tx` is set to.
    pub fn of(tx: &Tx<'_>) -> Result<MetricsSource, StoreError> {
        Ok(tx
            .meta(META_METRICS_SOURCE)?
            .and_then(|t| MetricsSource::parse(&t))
            .unwrap_or(MetricsSource::Prepared))
    }
}

/// The `metric-group-infos` of Create Metrics Context for `names`: all
/// groups when empty, else the named ones in the given order (unknown
/// names skipped, repeats repeated, like the mock).
fn group_infos(names: &[String]) -> Vec<Value> {
    let chosen: Vec<&GroupDef> = if names.is_empty() {
        GROUPS.iter().collect()
    } else {
        names.iter().filter_map(|n| group(n)).collect()
    };
    chosen
        .iter()
        .map(|g| {
            let infos: Vec<Value> = g
                .metrics
                .iter()
                .map(|(n, t)| json!({"metric-name": n, "metric-type": t.name()}))
                .collect();
            json!({"group-name": g.name, "metric-infos": infos})
        })
        .collect()
}

/// The `metric-groups` field: absent or null is all groups; otherwise a
/// list of strings (400.7 for anything else).
fn metric_groups(body: &Map<String, Value>) -> Result<Vec<String>, HmcError> {
    match body.get("metric-groups") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| HmcError::invalid_field("metric-groups", v))
            })
            .collect(),
        Some(other) => Err(HmcError::invalid_field("metric-groups", other)),
    }
}

/// Operation: Create Metrics Context. The context belongs to the caller's
/// session.
fn create_metrics_context(ctx: &mut Ctx<'_>) -> Result<Response, HmcError> {
    let body = ctx.req.json_object()?;
    require_fields(&body, &["anticipated-frequency-seconds"])?;
    let names = metric_groups(&body)?;
    let id = uuid::Uuid::new_v4().to_string();
    ctx.tx.insert_metrics_context(&MetricsContextRow {
        id: id.clone(),
        session_id: ctx.session.map(|s| s.id.clone()),
        anticipated_frequency_seconds: body["anticipated-frequency-seconds"].clone(),
        metric_groups: names.clone(),
        properties: body,
        created_at: ctx.now,
    })?;
    Ok(Response::ok(json!({
        "metrics-context-uri": format!("{CONTEXTS_URI}/{id}"),
        "metric-group-infos": group_infos(&names),
    })))
}

/// The context the request names, if the caller may use it: its own, or
/// one from a definition file (no session). Others' are 404.1, as if they
/// did not exist.
fn own_context(ctx: &Ctx<'_>) -> Result<MetricsContextRow, HmcError> {
    let id = ctx.param("metrics-context-id");
    let caller = ctx.session.map(|s| s.id.as_str());
    match ctx.tx.metrics_context(id)? {
        Some(c) if c.session_id.is_none() || c.session_id.as_deref() == caller => Ok(c),
        _ => Err(HmcError::not_found(ctx.req.path())),
    }
}

/// Operation: Get Metrics.
fn get_metrics(ctx: &mut Ctx<'_>) -> Result<Response, HmcError> {
    let context = own_context(ctx)?;
    let text = metrics_text(ctx.tx, &context.metric_groups, ctx.now)?;
    Ok(Response {
        status: 200,
        headers: Vec::new(),
        body: Body::Text {
            content_type: METRICS_CONTENT_TYPE.into(),
            text,
        },
    })
}

/// Operation: Delete Metrics Context.
fn delete_metrics_context(ctx: &mut Ctx<'_>) -> Result<Response, HmcError> {
    let context = own_context(ctx)?;
    ctx.tx.delete_metrics_context(&context.id)?;
    Ok(Response::no_content())
}

/// One rendered row: resource, timestamp (Unix ms) and values in order.
struct Rendered {
    uri: String,
    timestamp: i64,
    values: Vec<Value>,
}

/// The Get Metrics text for a context asking for `names` (empty: all).
/// Groups come in the context's order; without names, the groups that
/// have prepared rows in first-insertion order (the mock's rule), followed
/// with synthetic metrics by every other group. Groups without rows are
/// left out.
pub fn metrics_text(tx: &Tx<'_>, names: &[String], now: i64) -> Result<String, HmcError> {
    let source = MetricsSource::of(tx)?;
    let prepared = tx.all_metric_values()?;
    let mut order: Vec<&str> = names.iter().map(String::as_str).collect();
    if order.is_empty() {
        for row in &prepared {
            if !order.contains(&row.group_name.as_str()) {
                order.push(&row.group_name);
            }
        }
        if matches!(source, MetricsSource::Synthetic { .. }) {
            for g in GROUPS {
                if !order.contains(&g.name) {
                    order.push(g.name);
                }
            }
        }
    }
    let mut out = String::new();
    for name in order {
        let Some(g) = group(name) else { continue };
        let mut rows: Vec<Rendered> = Vec::new();
        for row in prepared.iter().filter(|r| r.group_name == name) {
            // Rows added with plain SQL are not checked on the way in; one
            // that does not fit its group is left out rather than sent
            // half-formed (zhmcclient would fail on a short row).
            match (
                ordered_values(name, &row.metrics),
                timestamp_ms(&row.timestamp),
            ) {
                (Ok(values), Some(ts)) => rows.push(Rendered {
                    uri: row.resource_uri.clone(),
                    timestamp: ts,
                    values: values.into_iter().cloned().collect(),
                }),
                (Err(e), _) => {
                    tracing::warn!(group = name, uri = %row.resource_uri, "skipping prepared metric values: {e}")
                }
                (_, None) => {
                    tracing::warn!(group = name, uri = %row.resource_uri, timestamp = %row.timestamp, "skipping prepared metric values: bad timestamp")
                }
            }
        }
        if let MetricsSource::Synthetic { seed } = source {
            for row in synthetic::rows(tx, g, seed, now)? {
                if !rows.iter().any(|r| r.uri == row.resource_uri) {
                    rows.push(Rendered {
                        uri: row.resource_uri,
                        timestamp: now,
                        values: row.values,
                    });
                }
            }
        }
        if rows.is_empty() {
            continue;
        }
        out.push_str(&format!("\"{name}\"\n"));
        for r in rows {
            let values: Vec<String> = r.values.iter().map(render_value).collect();
            out.push_str(&format!(
                "\"{}\"\n{}\n{}\n\n",
                r.uri,
                r.timestamp,
                values.join(",")
            ));
        }
        out.push('\n');
    }
    out.push('\n');
    Ok(out)
}

/// A value as the HMC writes it: strings in double quotes, booleans
/// `true`/`false` (the HMC's spelling; zhmcclient reads either case).
fn render_value(v: &Value) -> String {
    match v {
        Value::String(s) => format!("\"{s}\""),
        other => other.to_string(),
    }
}

/// Unix milliseconds of a prepared value's timestamp (see
/// `timestamp::parse_iso8601`).
pub fn timestamp_ms(text: &str) -> Option<i64> {
    timestamp::parse_iso8601(text)
}

/// ISO 8601 text (UTC, milliseconds) of Unix milliseconds.
pub fn iso_timestamp(ms: i64) -> String {
    timestamp::iso8601(ms, Utc::Offset)
}

/// Checks a prepared row (its group, metric names, count and types, and
/// its timestamp) and appends it; the error says what is wrong.
pub fn add_metric_values(tx: &Tx<'_>, row: &MetricValuesRow) -> Result<(), String> {
    ordered_values(&row.group_name, &row.metrics)?;
    if timestamp_ms(&row.timestamp).is_none() {
        return Err(format!(
            "timestamp '{}' is not ISO 8601 (YYYY-MM-DD HH:MM:SS[+HH:MM])",
            row.timestamp
        ));
    }
    tx.insert_metric_values(row).map_err(|e| e.to_string())
}

/// Loads a `metrics_contexts` entry of a definition file: a context that
/// belongs to no session.
pub fn load_context(
    tx: &Tx<'_>,
    props: &Map<String, Value>,
    now: i64,
) -> Result<MetricsContextRow, String> {
    require_fields(props, &["anticipated-frequency-seconds"]).map_err(|e| e.message)?;
    let names = metric_groups(props).map_err(|e| e.message)?;
    let id = match props.get("fake-id") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => uuid::Uuid::new_v4().to_string(),
    };
    let row = MetricsContextRow {
        id,
        session_id: None,
        anticipated_frequency_seconds: props["anticipated-frequency-seconds"].clone(),
        metric_groups: names,
        properties: props.clone(),
        created_at: now,
    };
    tx.insert_metrics_context(&row).map_err(|e| e.to_string())?;
    Ok(row)
}

pub const CREATE_METRICS_CONTEXT: Service = Service {
    title: "Create Metrics Context",
    method: Method::Post,
    pattern: CONTEXTS_URI,
    query: None,
    auth: true,
    transaction: Transaction::ByMethod,
    handler: "MetricsContextsHandler",
    run: create_metrics_context,
};

pub const GET_METRICS: Service = Service {
    title: "Get Metrics",
    method: Method::Get,
    pattern: "/api/services/metrics/context/{metrics-context-id}",
    query: None,
    auth: true,
    transaction: Transaction::ByMethod,
    handler: "MetricsContextHandler",
    run: get_metrics,
};

pub const DELETE_METRICS_CONTEXT: Service = Service {
    title: "Delete Metrics Context",
    method: Method::Delete,
    pattern: "/api/services/metrics/context/{metrics-context-id}",
    query: None,
    auth: true,
    transaction: Transaction::ByMethod,
    handler: "MetricsContextHandler",
    run: delete_metrics_context,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_read_like_fromisoformat() {
        assert_eq!(
            timestamp_ms("2024-01-02 03:04:05+00:00"),
            Some(1_704_164_645_000)
        );
        assert_eq!(
            timestamp_ms("2024-01-02T03:04:05Z"),
            Some(1_704_164_645_000)
        );
        assert_eq!(
            timestamp_ms("2024-01-02T05:04:05+02:00"),
            Some(1_704_164_645_000)
        );
        assert_eq!(
            timestamp_ms("2024-01-02 03:04:05.250"),
            Some(1_704_164_645_250)
        );
        assert_eq!(timestamp_ms("2024-01-02 03:04"), Some(1_704_164_640_000));
        assert_eq!(timestamp_ms("2024-01-02"), Some(1_704_153_600_000));
        assert_eq!(timestamp_ms("1970-01-01"), Some(0));
        assert_eq!(timestamp_ms("2024-13-02"), None);
        assert_eq!(timestamp_ms("yesterday"), None);
        assert_eq!(timestamp_ms("2024-01-02 25:00"), None);
        let now = 1_704_164_645_123;
        assert_eq!(timestamp_ms(&iso_timestamp(now)), Some(now));
    }

    #[test]
    fn sources_read_back() {
        for s in [
            MetricsSource::Prepared,
            MetricsSource::Synthetic { seed: 42 },
        ] {
            assert_eq!(MetricsSource::parse(&s.to_text()), Some(s));
        }
        assert_eq!(
            MetricsSource::parse("synthetic"),
            Some(MetricsSource::Synthetic { seed: 0 })
        );
        assert_eq!(MetricsSource::parse("random"), None);
    }
}
