//! Get Historical Sustainability Data of CPCs, LPARs and partitions: a
//! series of data points per metric over the requested range at the
//! requested resolution, in the book's layout (`{"<metric>": [{"timestamp":
//! ms, "data": value}, ...]}`). The values are made up, but deterministic:
//! a daily wave plus noise, both computed from the object's URI, the metric
//! and the timestamp, so the same point always has the same value.

use serde_json::{Map, Value, json};

use crate::api::HmcError;
use crate::ctx::Ctx;
use crate::resources::framework::descriptor::{Check, Done, Mode, Needs, Operation};
use crate::resources::framework::fields::required;
use crate::store::Resource;

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// The length of a named range (`custom` is given by the request).
fn range_length(name: &str) -> Option<i64> {
    Some(match name {
        "last-day" => DAY,
        "last-week" => 7 * DAY,
        "last-month" => 30 * DAY,
        "last-three-months" => 90 * DAY,
        "last-six-months" => 180 * DAY,
        "last-year" => 365 * DAY,
        _ => return None,
    })
}

/// The interval of a named resolution.
fn resolution_length(name: &str) -> Option<i64> {
    Some(match name {
        "fifteen-minutes" => 15 * MINUTE,
        "one-hour" => HOUR,
        "one-day" => DAY,
        "one-week" => 7 * DAY,
        "one-month" => 30 * DAY,
        _ => return None,
    })
}

/// A metric of the series: its name, mean, daily swing, and whether its
/// values are whole numbers (watts, BTU/h) or tenths (degrees, percent).
struct Metric {
    name: &'static str,
    mean: f64,
    swing: f64,
    whole: bool,
}

const fn metric(name: &'static str, mean: f64, swing: f64, whole: bool) -> Metric {
    Metric {
        name,
        mean,
        swing,
        whole,
    }
}

/// The metrics of a CPC.
const CPC_METRICS: &[Metric] = &[
    metric("total-wattage", 6000.0, 800.0, true),
    metric("partition-wattage", 4000.0, 600.0, true),
    metric("infrastructure-wattage", 1500.0, 100.0, true),
    metric("unassigned-wattage", 500.0, 100.0, true),
    metric("heat-load", 20000.0, 2500.0, true),
    metric("heat-load-forced-air", 14000.0, 1800.0, true),
    metric("heat-load-water", 6000.0, 700.0, true),
    metric("ambient-temperature", 22.0, 1.5, false),
    metric("exhaust-temperature", 35.0, 3.0, false),
    metric("processor-utilization", 40.0, 20.0, false),
];

/// The metrics of an LPAR or a partition.
const PARTITION_METRICS: &[Metric] = &[
    metric("wattage", 250.0, 60.0, true),
    metric("processor-utilization", 30.0, 20.0, false),
];

/// FNV-1a over the parts: the noise of one data point.
fn fnv(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in *part {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// The value of `m` for `uri` at `timestamp`.
fn value(uri: &str, m: &Metric, timestamp: i64) -> Value {
    let phase = timestamp.rem_euclid(DAY) as f64 / DAY as f64;
    let wave = (phase * std::f64::consts::TAU).sin();
    let hash = fnv(&[uri.as_bytes(), m.name.as_bytes(), &timestamp.to_le_bytes()]);
    let noise = (hash % 1000) as f64 / 1000.0 - 0.5;
    let v = (m.mean + m.swing * (wave + 0.4 * noise)).max(0.0);
    if m.whole {
        json!(v.round() as i64)
    } else {
        json!((v * 10.0).round() / 10.0)
    }
}

/// An integer body field (400.5 if absent, 400.7 if not an integer).
fn millis(body: &Map<String, Value>, name: &str) -> Result<i64, HmcError> {
    let v = required(body, name)?;
    v.as_i64().ok_or_else(|| HmcError::invalid_field(name, v))
}

/// The most data points per metric one answer holds: a year at fifteen
/// minutes. A custom range with more is 400.7 rather than an answer of any
/// size.
const MAX_POINTS: i64 = 366 * 24 * 4;

/// The (start, end, interval) the request asks for: `range` and
/// `resolution` by name (400.7 for others), a `custom` range from
/// `custom-range-start` to `custom-range-end` (milliseconds; the start
/// before the end and at most `MAX_POINTS` intervals apart, else 400.7).
fn window(ctx: &Ctx<'_>, body: &Map<String, Value>) -> Result<(i64, i64, i64), HmcError> {
    let range = required(body, "range")?;
    let resolution = required(body, "resolution")?;
    let interval = resolution
        .as_str()
        .and_then(resolution_length)
        .ok_or_else(|| HmcError::invalid_field("resolution", resolution))?;
    if range.as_str() == Some("custom") {
        let start = millis(body, "custom-range-start")?;
        let end = millis(body, "custom-range-end")?;
        if start >= end || (end - start) / interval > MAX_POINTS {
            return Err(HmcError::invalid_field("custom-range-end", &json!(end)));
        }
        return Ok((start, end, interval));
    }
    let length = range
        .as_str()
        .and_then(range_length)
        .ok_or_else(|| HmcError::invalid_field("range", range))?;
    Ok((ctx.now - length, ctx.now, interval))
}

/// The series of `metrics` for `target`: one point per multiple of the
/// interval within the window, oldest first.
fn series(ctx: &Ctx<'_>, target: &Resource, metrics: &[Metric]) -> Result<Done, HmcError> {
    let body = ctx.req.json_object()?;
    let (start, end, interval) = window(ctx, &body)?;
    let first = start.div_euclid(interval) * interval
        + if start.rem_euclid(interval) == 0 {
            0
        } else {
            interval
        };
    let mut out = Map::new();
    for m in metrics {
        let points: Vec<Value> = (0..)
            .map(|i| first + i * interval)
            .take_while(|t| *t <= end)
            .map(|t| json!({"timestamp": t, "data": value(&target.uri, m, t)}))
            .collect();
        out.insert(m.name.to_string(), Value::Array(points));
    }
    Ok(Done::Json(Value::Object(out)))
}

/// Operation: Get CPC Historical Sustainability Data.
fn cpc_data(ctx: &mut Ctx<'_>, cpc: &mut Resource) -> Result<Done, HmcError> {
    series(ctx, cpc, CPC_METRICS)
}

/// Operation: Get LPAR (or Partition) Historical Sustainability Data.
fn partition_data(ctx: &mut Ctx<'_>, target: &mut Resource) -> Result<Done, HmcError> {
    series(ctx, target, PARTITION_METRICS)
}

const PATH: &str = "/operations/get-historical-sustainability-data";

const FIELDS: &[Check] = &[Check::Fields(&["range", "resolution"])];

/// Operation row: Get CPC Historical Sustainability Data (any mode).
pub const CPC: Operation = Operation {
    needs: Needs {
        mode: Mode::Any,
        checks: FIELDS,
    },
    ..Operation::post("Get CPC Historical Sustainability Data", PATH, cpc_data)
};

/// Operation row: Get LPAR Historical Sustainability Data (classic).
pub const LPAR: Operation = Operation {
    needs: Needs {
        mode: Mode::Classic,
        checks: FIELDS,
    },
    ..Operation::post(
        "Get LPAR Historical Sustainability Data",
        PATH,
        partition_data,
    )
};

/// Operation row: Get Partition Historical Sustainability Data (DPM).
pub const PARTITION: Operation = Operation {
    needs: Needs {
        mode: Mode::Dpm,
        checks: FIELDS,
    },
    ..Operation::post(
        "Get Partition Historical Sustainability Data",
        PATH,
        partition_data,
    )
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_deterministic_and_in_range() {
        let m = &CPC_METRICS[7];
        let a = value("/api/cpcs/c", m, 1_700_000_000_000);
        assert_eq!(a, value("/api/cpcs/c", m, 1_700_000_000_000));
        let v = a.as_f64().unwrap();
        assert!((19.0..=25.0).contains(&v), "{v}");
        assert!(value("/api/cpcs/c", &CPC_METRICS[0], 0).is_i64());
    }
}
