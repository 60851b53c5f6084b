//! Synthetic metric values: every group answers for every resource of its
//! class and CPC mode, with plausible values that are a pure function of
//! the seed, the resource, the metric and the clock. So two processes (or
//! two calls in the same second) agree, and a dashboard shows live-looking
//! data without prepared values: usages move between 0 and 100, counters
//! only grow, temperatures stay in range.

use serde_json::{Value, json};

use super::groups::{GroupDef, MetricType};
use crate::resources::framework::descriptor::Mode;
use crate::store::{Resource, StoreError, Tx};

/// One row of a group: the resource it is about and its values in order.
pub struct Row {
    pub resource_uri: String,
    pub values: Vec<Value>,
}

/// FNV-1a over the parts, so values depend on nothing but their inputs.
fn hash(parts: &[&str], seed: u64) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0xff)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// A number in [0, 1) from the hash.
fn unit(h: u64) -> f64 {
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// What a generated row is about: its resource, the row index (several
/// rows per resource: channels, processors, ports), and whether the
/// resource is doing anything (a stopped partition uses no processor).
struct Subject<'a> {
    uri: &'a str,
    index: usize,
    busy: bool,
}

struct Gen {
    seed: u64,
    /// Seconds since the Unix epoch.
    t: f64,
}

impl Gen {
    fn h(&self, s: &Subject<'_>, metric: &str) -> u64 {
        hash(&[s.uri, &s.index.to_string(), metric], self.seed)
    }

    /// A smooth wave between `lo` and `hi` with a period of a few minutes,
    /// its phase and period fixed per resource and metric.
    fn wave(&self, s: &Subject<'_>, metric: &str, lo: f64, hi: f64) -> f64 {
        let h = self.h(s, metric);
        let period = 120.0 + 480.0 * unit(h.rotate_left(17));
        let phase = std::f64::consts::TAU * unit(h);
        let x = (std::f64::consts::TAU * self.t / period + phase).sin();
        lo + (hi - lo) * (0.5 + 0.5 * x)
    }

    /// A counter that only grows: a per-resource rate times the time.
    fn counter(&self, s: &Subject<'_>, metric: &str, max_rate: f64) -> i64 {
        if !s.busy {
            return (unit(self.h(s, metric)) * 1e6) as i64;
        }
        let rate = max_rate * (0.1 + 0.9 * unit(self.h(s, metric)));
        (rate * self.t) as i64
    }

    fn rate(&self, s: &Subject<'_>, metric: &str, max_rate: f64) -> f64 {
        if !s.busy {
            return 0.0;
        }
        max_rate * (0.1 + 0.9 * unit(self.h(s, metric)))
    }

    fn value(&self, s: &Subject<'_>, metric: &str, ty: MetricType) -> Value {
        let round = |f: f64| (f * 10.0).round() / 10.0;
        let counter_base = metric
            .trim_start_matches("multicast-")
            .trim_start_matches("broadcast-");
        match (ty, metric) {
            (MetricType::Boolean, _) => json!(s.index.is_multiple_of(2)),
            (MetricType::String, "processor-type") => {
                json!(["cp", "ifl", "iip", "icf"][s.index % 4])
            }
            (MetricType::String, "processor-name") => {
                json!(format!(
                    "{}{:02}",
                    ["CP", "IFL", "IIP", "ICF"][s.index % 4],
                    s.index
                ))
            }
            (MetricType::String, "mac-address") => {
                let h = self.h(s, metric);
                json!(format!(
                    "02:00:{:02x}:{:02x}:{:02x}:{:02x}",
                    (h >> 24) as u8,
                    (h >> 16) as u8,
                    (h >> 8) as u8,
                    h as u8
                ))
            }
            (MetricType::String, m) if m.starts_with("linecord-") => {
                json!(format!("J{}{}", s.index + 1, m.len() % 7))
            }
            (MetricType::String, _) => json!(format!("{:02X}", s.index)),
            (MetricType::Double, "temperature-celsius") => {
                json!(round(self.wave(s, metric, 20.0, 28.0)))
            }
            (MetricType::Double, "exhaust-temperature-celsius") => {
                json!(round(self.wave(s, metric, 30.0, 38.0)))
            }
            (MetricType::Double, "dew-point-celsius") => {
                json!(round(self.wave(s, metric, 8.0, 14.0)))
            }
            (MetricType::Double, _) => json!(round(self.wave(s, metric, 0.0, 100.0))),
            (_, "humidity") => json!(self.wave(s, metric, 35.0, 55.0).round() as i64),
            (_, "power-consumption-watts") => {
                json!(self.wave(s, metric, 4000.0, 9000.0).round() as i64)
            }
            (_, m) if m.starts_with("heat-load") => {
                json!(self.wave(s, metric, 8000.0, 30000.0).round() as i64)
            }
            (_, m) if m.starts_with("linecord-") => {
                json!(self.wave(s, metric, 300.0, 1500.0).round() as i64)
            }
            (_, "zvm-paging-rate") => json!(self.wave(s, metric, 0.0, 200.0).round() as i64),
            (_, "network-port-id") => json!(s.index),
            (_, "flags") => json!(0),
            (_, m) if m.starts_with("interval-bytes-") => {
                json!((self.rate(s, metric, 5e6) * 15.0) as i64)
            }
            (_, m) if m.starts_with("bytes-per-second-") => json!(self.rate(s, metric, 5e6) as i64),
            _ if counter_base.starts_with("bytes-") => {
                json!(self.counter(s, metric, 5e6))
            }
            (_, m) if counter_base.starts_with("packets-") => {
                let max = if m.contains("drop") || m.contains("discard") {
                    0.5
                } else if m.starts_with("multicast") || m.starts_with("broadcast") {
                    20.0
                } else {
                    5000.0
                };
                json!(self.counter(s, metric, max))
            }
            // Usages and utilisations: percent.
            _ if !s.busy => json!(0),
            _ => json!(self.wave(s, metric, 0.0, 100.0).round() as i64),
        }
    }

    fn row(&self, g: &GroupDef, s: &Subject<'_>) -> Row {
        Row {
            resource_uri: s.uri.to_string(),
            values: g
                .metrics
                .iter()
                .map(|(name, ty)| self.value(s, name, *ty))
                .collect(),
        }
    }
}

fn is_dpm(cpc: &Resource) -> bool {
    cpc.props.get("dpm-enabled").and_then(Value::as_bool) == Some(true)
}

fn mode_fits(mode: Mode, cpc: &Resource) -> bool {
    match mode {
        Mode::Any => true,
        Mode::Dpm => is_dpm(cpc),
        Mode::Classic => !is_dpm(cpc),
    }
}

fn active(r: &Resource) -> bool {
    matches!(
        r.str_prop("status"),
        Some("active" | "operating" | "degraded" | "exceptions" | "service-required")
    )
}

/// Generated rows of group `g` at `now_ms` for every fitting resource.
pub fn rows(tx: &Tx<'_>, g: &GroupDef, seed: u64, now_ms: i64) -> Result<Vec<Row>, StoreError> {
    let gen_ = Gen {
        seed,
        t: now_ms as f64 / 1000.0,
    };
    let mut out = Vec::new();
    for cpc in tx.resources_of_class("cpc")? {
        // Unmanaged CPCs have no parent-less URI of their own class here;
        // only managed CPCs (no parent) report metrics.
        if cpc.parent.is_some() || !mode_fits(g.mode, &cpc) {
            continue;
        }
        let busy = active(&cpc);
        let each = |out: &mut Vec<Row>, uri: &str, index: usize, busy: bool| {
            out.push(gen_.row(g, &Subject { uri, index, busy }));
        };
        match (g.class, g.name) {
            ("cpc", "channel-usage") => {
                for i in 0..4 {
                    each(&mut out, &cpc.uri, i, busy);
                }
            }
            ("cpc", "zcpc-processor-usage") => {
                for i in 0..8 {
                    each(&mut out, &cpc.uri, i, busy);
                }
            }
            ("cpc", "crypto-usage" | "flash-memory-usage" | "roce-usage") => {
                let kind = match g.name {
                    "crypto-usage" => "crypto",
                    "flash-memory-usage" => "flash",
                    _ => "roce",
                };
                let adapters = tx.children(&cpc.uri, "adapter")?;
                let fitting = adapters.iter().filter(|a| {
                    [a.str_prop("type"), a.str_prop("adapter-family")]
                        .iter()
                        .any(|v| v.is_some_and(|t| t.contains(kind)))
                });
                for (i, _) in fitting.enumerate() {
                    each(&mut out, &cpc.uri, i, busy);
                }
            }
            ("cpc", _) => each(&mut out, &cpc.uri, 0, busy),
            ("logical-partition", _) => {
                for lpar in tx.children(&cpc.uri, "logical-partition")? {
                    each(&mut out, &lpar.uri, 0, active(&lpar));
                }
            }
            ("partition", _) => {
                for p in tx.children(&cpc.uri, "partition")? {
                    each(&mut out, &p.uri, 0, active(&p));
                }
            }
            ("adapter", "network-physical-adapter-port") => {
                for a in tx.children(&cpc.uri, "adapter")? {
                    for (i, _) in a.str_list("network-port-uris").iter().enumerate() {
                        each(&mut out, &a.uri, i, busy);
                    }
                }
            }
            ("adapter", _) => {
                for a in tx.children(&cpc.uri, "adapter")? {
                    each(&mut out, &a.uri, 0, busy);
                }
            }
            ("nic", _) => {
                for p in tx.children(&cpc.uri, "partition")? {
                    let pid = p
                        .str_prop("partition-id")
                        .or(p.str_prop("object-id"))
                        .unwrap_or("")
                        .to_string();
                    for nic in tx.children(&p.uri, "nic")? {
                        let mut row = gen_.row(
                            g,
                            &Subject {
                                uri: &nic.uri,
                                index: 0,
                                busy: active(&p),
                            },
                        );
                        // The partition a NIC belongs to, as the HMC reports it.
                        if let Some(first) = row.values.first_mut() {
                            *first = json!(pid);
                        }
                        out.push(row);
                    }
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waves_stay_in_range_and_counters_only_grow() {
        let s = Subject {
            uri: "/api/partitions/p",
            index: 0,
            busy: true,
        };
        let mut last = 0;
        for step in 0..200 {
            let g = Gen {
                seed: 7,
                t: 1.7e9 + f64::from(step) * 13.0,
            };
            let v = g.wave(&s, "processor-usage", 0.0, 100.0);
            assert!((0.0..=100.0).contains(&v));
            let c = g.counter(&s, "bytes-sent", 5e6);
            assert!(c >= last);
            last = c;
        }
        let a = Gen { seed: 1, t: 1.7e9 }.value(&s, "processor-usage", MetricType::Integer);
        let b = Gen { seed: 1, t: 1.7e9 }.value(&s, "processor-usage", MetricType::Integer);
        let c = Gen { seed: 2, t: 1.7e9 }.value(&s, "processor-usage", MetricType::Integer);
        assert_eq!(a, b);
        let other: Vec<Value> = (0..5)
            .map(|i| Gen { seed: i, t: 1.7e9 }.value(&s, "processor-usage", MetricType::Integer))
            .collect();
        assert!(other.iter().any(|v| *v != c) || a != c);
    }
}
