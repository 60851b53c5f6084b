//! A generated zhmcclient definition file of about N resources, the same
//! for mock-hmc's `load` and zhmcclient's `FakedSession.from_hmc_yaml_file`:
//! one console holding storage groups (one volume each), and DPM CPCs
//! (one per 25,000 resources) each with two OSA and two FCP adapters (one
//! port each) and partitions, each partition with a NIC on an OSA port and
//! an HBA on an FCP port; one storage group per two partitions.

#![allow(dead_code, reason = "each bench uses a different part")]

use serde_json::{Value, json};

/// What a generated definition holds.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    /// Resources in the file (console, CPCs, adapters, ports, partitions,
    /// NICs, HBAs, storage groups, volumes).
    pub resources: usize,
    pub cpcs: usize,
    pub partitions_per_cpc: usize,
    pub storage_groups_per_cpc: usize,
}

/// Resources per CPC besides its partitions: the CPC, 4 adapters, 4 ports.
const CPC_FIXED: usize = 9;
/// CPCs hold at most about this many resources each.
const PER_CPC: usize = 25_000;

impl Layout {
    /// The layout closest to `target` resources (at least one partition).
    pub fn for_resources(target: usize) -> Layout {
        let cpcs = (target / PER_CPC).max(1);
        let per_cpc = target.saturating_sub(1) / cpcs;
        // A partition brings its NIC and HBA, and half a storage group with
        // its volume: 4 resources.
        let partitions_per_cpc = (per_cpc.saturating_sub(CPC_FIXED) / 4).max(1);
        let storage_groups_per_cpc = partitions_per_cpc / 2;
        let resources =
            1 + cpcs * (CPC_FIXED + 3 * partitions_per_cpc + 2 * storage_groups_per_cpc);
        Layout {
            resources,
            cpcs,
            partitions_per_cpc,
            storage_groups_per_cpc,
        }
    }

    /// The name of partition `i` (0-based) of CPC `c` (1-based): letters
    /// and digits only, so a name filter with it is a literal.
    pub fn partition_name(c: usize, i: usize) -> String {
        format!("C{c}P{i:06}")
    }

    /// The object id of partition `i` of CPC `c`.
    pub fn partition_id(c: usize, i: usize) -> String {
        format!("p{c}-{i}")
    }

    /// A partition in the middle of CPC 1.
    pub fn middle(&self) -> usize {
        self.partitions_per_cpc / 2
    }

    /// The definition (JSON, which is YAML too).
    pub fn definition(&self) -> Value {
        let mut storage_groups = Vec::new();
        let mut cpcs = Vec::new();
        for c in 1..=self.cpcs {
            let cpc_uri = format!("/api/cpcs/cpc{c}");
            for j in 0..self.storage_groups_per_cpc {
                storage_groups.push(json!({
                    "properties": {
                        "object-id": format!("sg{c}-{j}"), "name": format!("C{c}SG{j:06}"),
                        "type": "fcp", "shared": false, "cpc-uri": cpc_uri,
                        "fulfillment-state": "complete",
                    },
                    "storage_volumes": [{"properties": {
                        "element-id": "v1", "name": "vol1", "size": 16.0,
                        "usage": "data", "fulfillment-state": "complete",
                    }}],
                }));
            }
            let adapter = |kind: &str, k: usize| {
                let (ty, family) = if kind == "osa" {
                    ("osd", "osa")
                } else {
                    ("fcp", "ficon")
                };
                json!({
                    "properties": {
                        "object-id": format!("{kind}{c}-{k}"),
                        "name": format!("{}{c}-{k}", kind.to_uppercase()),
                        "type": ty, "adapter-family": family, "status": "active",
                    },
                    "ports": [{"properties": {"element-id": "0", "name": "Port 0", "index": 0}}],
                })
            };
            let adapters = vec![
                adapter("osa", 0),
                adapter("osa", 1),
                adapter("fcp", 0),
                adapter("fcp", 1),
            ];
            let partitions: Vec<Value> = (0..self.partitions_per_cpc)
                .map(|i| {
                    json!({
                        "properties": {
                            "object-id": Layout::partition_id(c, i),
                            "name": Layout::partition_name(c, i),
                            "description": format!("generated partition {i} of CPC {c}"),
                            "status": "stopped", "type": "linux",
                            "ifl-processors": 2, "processor-mode": "shared",
                            "initial-memory": 4096, "maximum-memory": 8192,
                        },
                        "nics": [{"properties": {
                            "element-id": "n1", "name": "nic1", "type": "osd",
                            "network-adapter-port-uri":
                                format!("/api/adapters/osa{c}-{}/network-ports/0", i % 2),
                        }}],
                        "hbas": [{"properties": {
                            "element-id": "h1", "name": "hba1",
                            "adapter-port-uri":
                                format!("/api/adapters/fcp{c}-{}/storage-ports/0", i % 2),
                        }}],
                    })
                })
                .collect();
            cpcs.push(json!({
                "properties": {
                    "object-id": format!("cpc{c}"), "name": format!("CPC{c}"),
                    "dpm-enabled": true, "se-version": "2.16.0", "status": "active",
                },
                "adapters": adapters,
                "partitions": partitions,
            }));
        }
        json!({"hmc_definition": {
            "host": "127.0.0.1",
            "api_version": "2.16.0",
            // zhmcclient's loader needs the console's version.
            "consoles": [{
                "properties": {"object-id": "console1", "name": "HMC", "version": "2.16.0"},
                "storage_groups": storage_groups,
            }],
            "cpcs": cpcs,
        }})
    }
}
