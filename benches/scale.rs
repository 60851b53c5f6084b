//! How mock-hmc behaves as the HMC grows: a generated definition with one
//! DPM CPC and N partitions (each with a NIC and an HBA), loaded at
//! N = 100, 1,000 and 10,000. For each size: `load` time per resource and
//! the db size; in-process Get Partition Properties, List Partitions of a
//! CPC filtered by a name that matches one partition, and the unfiltered
//! List. Times are reported as ratios to the same operation at N = 100,
//! measured in the same run with the sizes interleaved round by round, so
//! drift of a busy machine falls on every size alike.
//!
//! `cargo bench --bench scale`; `MOCK_HMC_BENCH_SIZES=100,1000` picks
//! sizes (the first is the baseline), `MOCK_HMC_BENCH_ROUNDS` the rounds.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "benchmark")]

use std::time::{Duration, Instant};

use mock_hmc::{Hmc, Method, Request, Session};
use serde_json::{Value, json};

/// Builds the request of an operation for an HMC of `n` partitions.
type MakeRequest = fn(usize) -> Request;

/// Timed slice of one operation in one round.
const SLICE: Duration = Duration::from_millis(150);

fn main() {
    let sizes: Vec<usize> = std::env::var("MOCK_HMC_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![100, 1_000, 10_000]);
    let rounds: usize = std::env::var("MOCK_HMC_BENCH_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4);
    let dir = tempfile::tempdir().expect("temp dir");
    println!("mock-hmc scale benchmark: sizes {sizes:?}, {rounds} interleaved rounds");

    let mut hmcs = Vec::new();
    for &n in &sizes {
        let path = dir.path().join(format!("scale-{n}.sqlite"));
        let hmc = Hmc::open_unseeded(&path).expect("open db");
        let def = definition(n);
        let resources = 2 + 3 * n;
        let t0 = Instant::now();
        hmc.load(&def, false).expect("load");
        let load = t0.elapsed();
        hmc.set_user_password("bench", "bench").expect("user");
        hmc.checkpoint().expect("checkpoint");
        let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        hmcs.push((n, resources, load, bytes, hmc));
    }

    let ops: [(&str, MakeRequest); 3] = [
        ("Get Partition Properties", |n| {
            Request::new(Method::Get, format!("/api/partitions/p{}", n / 2))
        }),
        ("List Partitions of a CPC, name filter (1 match)", |n| {
            Request::new(
                Method::Get,
                format!("/api/cpcs/cpc1/partitions?name=P{:05}", n / 2),
            )
        }),
        ("List Partitions of a CPC (all)", |_| {
            Request::new(Method::Get, "/api/cpcs/cpc1/partitions")
        }),
    ];
    // per (op, size): (calls, elapsed)
    let mut totals = vec![vec![(0u64, Duration::ZERO); hmcs.len()]; ops.len()];
    let sessions: Vec<Session<'_>> = hmcs
        .iter()
        .map(|(_, _, _, _, hmc)| hmc.logon("bench", "bench").expect("logon"))
        .collect();
    for _ in 0..rounds {
        for (o, (_, make)) in ops.iter().enumerate() {
            for (s, (n, ..)) in hmcs.iter().enumerate() {
                let req = make(*n).with_session(sessions[s].id());
                let hmc = &hmcs[s].4;
                let t0 = Instant::now();
                let mut calls = 0;
                while t0.elapsed() < SLICE {
                    let r = hmc.handle(&req);
                    assert_eq!(r.status, 200, "{:?}", r.json());
                    calls += 1;
                }
                totals[o][s].0 += calls;
                totals[o][s].1 += t0.elapsed();
            }
        }
    }

    println!();
    println!("| size (partitions) | resources | load | load per resource | db size |");
    println!("|---:|---:|---:|---:|---:|");
    for (n, resources, load, bytes, _) in &hmcs {
        println!(
            "| {n} | {resources} | {:.1} ms | {:.1} µs | {:.1} MiB |",
            load.as_secs_f64() * 1e3,
            load.as_secs_f64() * 1e6 / *resources as f64,
            *bytes as f64 / 1048576.0
        );
    }
    println!();
    print!("| operation |");
    for (n, ..) in &hmcs {
        print!(" {n} |");
    }
    println!();
    print!("|---|");
    for _ in &hmcs {
        print!("---:|");
    }
    println!();
    for (o, (name, _)) in ops.iter().enumerate() {
        let per_call: Vec<f64> = totals[o]
            .iter()
            .map(|(calls, t)| t.as_secs_f64() / (*calls).max(1) as f64)
            .collect();
        print!("| {name} |");
        for (s, t) in per_call.iter().enumerate() {
            if s == 0 {
                print!(" {:.3} ms (baseline) |", t * 1e3);
            } else {
                print!(" {:.2}x |", t / per_call[0]);
            }
        }
        println!();
    }
    println!();
    println!(
        "Goals (issue 13): at 10k, Get within 1.1x and the name-filtered List within 2x of 100; \
         the unfiltered List grows with its answer."
    );
}

/// A definition with one DPM CPC holding `n` partitions, each with a NIC
/// on an OSA port and an HBA on an FCP port.
fn definition(n: usize) -> Value {
    let partitions: Vec<Value> = (0..n)
        .map(|i| {
            json!({
                "properties": {
                    "object-id": format!("p{i}"),
                    "name": format!("P{i:05}"),
                    "status": "stopped",
                    "type": "linux",
                    "initial-memory": 1024,
                    "maximum-memory": 2048,
                },
                "nics": [{"properties": {
                    "element-id": "n1", "name": "nic1",
                    "network-adapter-port-uri": "/api/adapters/osa1/network-ports/0",
                }}],
                "hbas": [{"properties": {
                    "element-id": "h1", "name": "hba1",
                    "adapter-port-uri": "/api/adapters/fcp1/storage-ports/0",
                }}],
            })
        })
        .collect();
    json!({"hmc_definition": {
        "host": "127.0.0.1",
        "api_version": "2.16.0",
        "consoles": [{"properties": {"object-id": "console1", "name": "HMC"}}],
        "cpcs": [{
            "properties": {
                "object-id": "cpc1", "name": "CPC1", "dpm-enabled": true,
                "se-version": "2.16.0", "status": "active",
            },
            "adapters": [
                {"properties": {"object-id": "osa1", "name": "OSA1", "type": "osd",
                                "adapter-family": "osa"},
                 "ports": [{"properties": {"element-id": "0", "name": "Port 0"}}]},
                {"properties": {"object-id": "fcp1", "name": "FCP1", "type": "fcp",
                                "adapter-family": "ficon"},
                 "ports": [{"properties": {"element-id": "0", "name": "Port 0"}}]},
            ],
            "partitions": partitions,
        }],
    }})
}
