//! The 14 metric group definitions every faked HMC reports, in the order
//! of zhmcclient's mock (behaviour spec 7.1), and the check of a prepared
//! row against its group.

use serde_json::{Map, Value};

use crate::resources::framework::descriptor::Mode;

/// The type of one metric, as Create Metrics Context names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricType {
    Boolean,
    Integer,
    Long,
    Double,
    String,
}

impl MetricType {
    /// The `metric-type` of Create Metrics Context.
    pub fn name(self) -> &'static str {
        match self {
            MetricType::Boolean => "boolean-metric",
            MetricType::Integer => "integer-metric",
            MetricType::Long => "long-metric",
            MetricType::Double => "double-metric",
            MetricType::String => "string-metric",
        }
    }

    /// Whether `v` is a value of this type.
    pub fn accepts(self, v: &Value) -> bool {
        match self {
            MetricType::Boolean => v.is_boolean(),
            MetricType::Integer | MetricType::Long => v.is_i64() || v.is_u64(),
            MetricType::Double => v.is_number(),
            MetricType::String => v.is_string(),
        }
    }

    /// Reads a value of this type from command-line text (`name=value`).
    pub fn parse(self, text: &str) -> Option<Value> {
        match self {
            MetricType::Boolean => match text.to_ascii_lowercase().as_str() {
                "true" => Some(Value::Bool(true)),
                "false" => Some(Value::Bool(false)),
                _ => None,
            },
            MetricType::Integer | MetricType::Long => text.parse::<i64>().ok().map(Value::from),
            MetricType::Double => text
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .map(Value::from),
            MetricType::String => Some(Value::from(text)),
        }
    }
}

/// One metric group: its name, the class of the resources it reports on,
/// the CPC mode they are in, and its metrics in order.
pub struct GroupDef {
    pub name: &'static str,
    /// Class of the resources of its rows (`cpc`, `partition`, `nic`, ...).
    pub class: &'static str,
    pub mode: Mode,
    pub metrics: &'static [(&'static str, MetricType)],
}

use MetricType::{Boolean as B, Double as D, Integer as I, Long as L, String as S};

const NETWORK_COUNTERS: [&str; 16] = [
    "bytes-sent",
    "bytes-received",
    "packets-sent",
    "packets-received",
    "packets-sent-dropped",
    "packets-received-dropped",
    "packets-sent-discarded",
    "packets-received-discarded",
    "multicast-packets-sent",
    "multicast-packets-received",
    "broadcast-packets-sent",
    "broadcast-packets-received",
    "interval-bytes-sent",
    "interval-bytes-received",
    "bytes-per-second-sent",
    "bytes-per-second-received",
];

macro_rules! counters {
    ($($head:expr),* ; $($tail:expr),*) => {
        &[$($head,)*
          (NETWORK_COUNTERS[0], L), (NETWORK_COUNTERS[1], L), (NETWORK_COUNTERS[2], L),
          (NETWORK_COUNTERS[3], L), (NETWORK_COUNTERS[4], L), (NETWORK_COUNTERS[5], L),
          (NETWORK_COUNTERS[6], L), (NETWORK_COUNTERS[7], L), (NETWORK_COUNTERS[8], L),
          (NETWORK_COUNTERS[9], L), (NETWORK_COUNTERS[10], L), (NETWORK_COUNTERS[11], L),
          (NETWORK_COUNTERS[12], L), (NETWORK_COUNTERS[13], L), (NETWORK_COUNTERS[14], L),
          (NETWORK_COUNTERS[15], L),
          $($tail,)*]
    };
}

/// Every group, in the order of zhmcclient's mock. The mock spells the
/// seventh `"environmental-power-status` with a stray quote (a typo in its
/// source); a real HMC does not, and neither do we.
pub static GROUPS: &[GroupDef] = &[
    GroupDef {
        name: "channel-usage",
        class: "cpc",
        mode: Mode::Classic,
        metrics: &[
            ("channel-name", S),
            ("shared-channel", B),
            ("logical-partition-name", S),
            ("channel-usage", I),
        ],
    },
    GroupDef {
        name: "cpc-usage-overview",
        class: "cpc",
        mode: Mode::Classic,
        metrics: &[
            ("cpc-processor-usage", I),
            ("channel-usage", I),
            ("power-consumption-watts", I),
            ("temperature-celsius", D),
            ("cp-shared-processor-usage", I),
            ("cp-dedicated-processor-usage", I),
            ("ifl-shared-processor-usage", I),
            ("ifl-dedicated-processor-usage", I),
            ("icf-shared-processor-usage", I),
            ("icf-dedicated-processor-usage", I),
            ("iip-shared-processor-usage", I),
            ("iip-dedicated-processor-usage", I),
            ("aap-shared-processor-usage", I),
            ("aap-dedicated-processor-usage", I),
            ("all-shared-processor-usage", I),
            ("all-dedicated-processor-usage", I),
            ("cp-all-processor-usage", I),
            ("ifl-all-processor-usage", I),
            ("icf-all-processor-usage", I),
            ("iip-all-processor-usage", I),
            ("cbp-shared-processor-usage", I),
            ("cbp-dedicated-processor-usage", I),
            ("cbp-all-processor-usage", I),
        ],
    },
    GroupDef {
        name: "dpm-system-usage-overview",
        class: "cpc",
        mode: Mode::Dpm,
        metrics: &[
            ("processor-usage", I),
            ("network-usage", I),
            ("storage-usage", I),
            ("accelerator-usage", I),
            ("crypto-usage", I),
            ("power-consumption-watts", I),
            ("temperature-celsius", D),
            ("cp-shared-processor-usage", I),
            ("cp-dedicated-processor-usage", I),
            ("ifl-shared-processor-usage", I),
            ("ifl-dedicated-processor-usage", I),
        ],
    },
    GroupDef {
        name: "logical-partition-usage",
        class: "logical-partition",
        mode: Mode::Classic,
        metrics: &[
            ("processor-usage", I),
            ("zvm-paging-rate", I),
            ("cp-processor-usage", I),
            ("ifl-processor-usage", I),
            ("icf-processor-usage", I),
            ("iip-processor-usage", I),
            ("cbp-processor-usage", I),
        ],
    },
    GroupDef {
        name: "partition-usage",
        class: "partition",
        mode: Mode::Dpm,
        metrics: &[
            ("processor-usage", I),
            ("network-usage", I),
            ("storage-usage", I),
            ("accelerator-usage", I),
            ("crypto-usage", I),
        ],
    },
    GroupDef {
        name: "zcpc-environmentals-and-power",
        class: "cpc",
        mode: Mode::Any,
        metrics: &[
            ("temperature-celsius", D),
            ("humidity", I),
            ("dew-point-celsius", D),
            ("power-consumption-watts", I),
            ("heat-load", I),
            ("heat-load-forced-air", I),
            ("heat-load-water", I),
            ("exhaust-temperature-celsius", D),
        ],
    },
    GroupDef {
        name: "environmental-power-status",
        class: "cpc",
        mode: Mode::Any,
        metrics: &[
            ("linecord-one-name", S),
            ("linecord-one-power-phase-A", I),
            ("linecord-one-power-phase-B", I),
            ("linecord-one-power-phase-C", I),
            ("linecord-two-name", S),
            ("linecord-two-power-phase-A", I),
            ("linecord-two-power-phase-B", I),
            ("linecord-two-power-phase-C", I),
            ("linecord-three-name", S),
            ("linecord-three-power-phase-A", I),
            ("linecord-three-power-phase-B", I),
            ("linecord-three-power-phase-C", I),
            ("linecord-four-name", S),
            ("linecord-four-power-phase-A", I),
            ("linecord-four-power-phase-B", I),
            ("linecord-four-power-phase-C", I),
            ("linecord-five-name", S),
            ("linecord-five-power-phase-A", I),
            ("linecord-five-power-phase-B", I),
            ("linecord-five-power-phase-C", I),
            ("linecord-six-name", S),
            ("linecord-six-power-phase-A", I),
            ("linecord-six-power-phase-B", I),
            ("linecord-six-power-phase-C", I),
            ("linecord-seven-name", S),
            ("linecord-seven-power-phase-A", I),
            ("linecord-seven-power-phase-B", I),
            ("linecord-seven-power-phase-C", I),
            ("linecord-eight-name", S),
            ("linecord-eight-power-phase-A", I),
            ("linecord-eight-power-phase-B", I),
            ("linecord-eight-power-phase-C", I),
        ],
    },
    GroupDef {
        name: "zcpc-processor-usage",
        class: "cpc",
        mode: Mode::Any,
        metrics: &[
            ("processor-name", S),
            ("processor-type", S),
            ("processor-usage", I),
            ("smt-usage", I),
            ("thread0-usage", I),
            ("thread1-usage", I),
        ],
    },
    GroupDef {
        name: "crypto-usage",
        class: "cpc",
        mode: Mode::Classic,
        metrics: &[("channel-id", S), ("crypto-id", S), ("adapter-usage", I)],
    },
    GroupDef {
        name: "adapter-usage",
        class: "adapter",
        mode: Mode::Classic,
        metrics: &[("adapter-usage", I)],
    },
    GroupDef {
        name: "flash-memory-usage",
        class: "cpc",
        mode: Mode::Classic,
        metrics: &[("channel-id", S), ("adapter-usage", I)],
    },
    GroupDef {
        name: "roce-usage",
        class: "cpc",
        mode: Mode::Classic,
        metrics: &[("channel-id", S), ("adapter-usage", I)],
    },
    GroupDef {
        name: "network-physical-adapter-port",
        class: "adapter",
        mode: Mode::Dpm,
        metrics: counters!(("network-port-id", I) ; ("utilization", L), ("mac-address", S), ("flags", L)),
    },
    GroupDef {
        name: "partition-attached-network-interface",
        class: "nic",
        mode: Mode::Dpm,
        metrics: counters!(("partition-id", S) ; ("flags", L)),
    },
];

/// The group with this name.
pub fn group(name: &str) -> Option<&'static GroupDef> {
    GROUPS.iter().find(|g| g.name == name)
}

/// The values of a prepared row in the group's order, or what is wrong with
/// it: an unknown group, a missing or unknown metric, a value of the wrong
/// type. Rows are keyed by metric name, so their order does not matter.
pub fn ordered_values<'m>(
    group_name: &str,
    metrics: &'m Map<String, Value>,
) -> Result<Vec<&'m Value>, String> {
    let g = group(group_name).ok_or_else(|| {
        format!(
            "unknown metric group '{group_name}' (known: {})",
            GROUPS.iter().map(|g| g.name).collect::<Vec<_>>().join(", ")
        )
    })?;
    if let Some(extra) = metrics
        .keys()
        .find(|k| !g.metrics.iter().any(|(n, _)| n == k))
    {
        return Err(format!(
            "metric group '{group_name}' has no metric '{extra}'"
        ));
    }
    let missing: Vec<&str> = g
        .metrics
        .iter()
        .map(|(n, _)| *n)
        .filter(|n| !metrics.contains_key(*n))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "metric group '{group_name}' has {} metrics; missing: {}",
            g.metrics.len(),
            missing.join(", ")
        ));
    }
    g.metrics
        .iter()
        .map(|(name, ty)| {
            let v = &metrics[*name];
            if ty.accepts(v) {
                Ok(v)
            } else {
                Err(format!(
                    "metric '{name}' of group '{group_name}' is a {}, not {v}",
                    ty.name()
                ))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fourteen_groups_in_the_mock_order_with_their_metric_counts() {
        let counts: Vec<(&str, usize)> = GROUPS.iter().map(|g| (g.name, g.metrics.len())).collect();
        assert_eq!(
            counts,
            [
                ("channel-usage", 4),
                ("cpc-usage-overview", 23),
                ("dpm-system-usage-overview", 11),
                ("logical-partition-usage", 7),
                ("partition-usage", 5),
                ("zcpc-environmentals-and-power", 8),
                ("environmental-power-status", 32),
                ("zcpc-processor-usage", 6),
                ("crypto-usage", 3),
                ("adapter-usage", 1),
                ("flash-memory-usage", 2),
                ("roce-usage", 2),
                ("network-physical-adapter-port", 20),
                ("partition-attached-network-interface", 18),
            ]
        );
    }

    #[test]
    fn rows_are_checked_for_count_names_and_types() {
        let ok = json!({"network-usage": 1, "processor-usage": 2, "storage-usage": 3,
                        "accelerator-usage": 4, "crypto-usage": 5});
        let values = ordered_values("partition-usage", ok.as_object().unwrap()).unwrap();
        assert_eq!(
            values,
            [&json!(2), &json!(1), &json!(3), &json!(4), &json!(5)]
        );
        let short = json!({"processor-usage": 2});
        let e = ordered_values("partition-usage", short.as_object().unwrap()).unwrap_err();
        assert!(e.contains("missing: network-usage"), "{e}");
        let typed = json!({"processor-usage": "x", "network-usage": 1, "storage-usage": 3,
                           "accelerator-usage": 4, "crypto-usage": 5});
        let e = ordered_values("partition-usage", typed.as_object().unwrap()).unwrap_err();
        assert!(e.contains("integer-metric"), "{e}");
        let e = ordered_values("nope", ok.as_object().unwrap()).unwrap_err();
        assert!(e.contains("unknown metric group 'nope'"), "{e}");
    }
}
