//! How mock-hmc behaves as the HMC grows: a generated definition with one
//! DPM CPC and N partitions (each with a NIC and an HBA), loaded at
//! N = 100, 1,000 and 10,000. For each size: `load` time (parse + load of
//! the generated definition file) per resource, the db size, and the ratio of
//! zhmcclient's `FakedSession.from_hmc_yaml_file` of the same file to it
//! (when a python with zhmcclient is there: `MOCK_HMC_BENCH_PYTHON`, or
//! `target/pyvenv` made by `tests/python/run.sh -k nothing`); in-process
//! Get Partition Properties, List Partitions of a CPC filtered by a name
//! that matches one partition, and the unfiltered List. Times are reported as ratios to the same operation at N = 100,
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

    let python = zhmcclient_python();
    let mut faked_loads: Vec<Option<Duration>> = Vec::new();
    let mut hmcs = Vec::new();
    for &n in &sizes {
        let path = dir.path().join(format!("scale-{n}.sqlite"));
        let hmc = Hmc::open_unseeded(&path).expect("open db");
        // What `mock-hmc load FILE` does: parse the file, then load it; the
        // same file is what zhmcclient's loader reads. JSON (which is YAML
        // too): the YAML reader's budget of 250,000 nodes refuses the
        // 10,000-partition file.
        let yaml_path = dir.path().join(format!("scale-{n}.yaml"));
        let text = serde_json::to_string_pretty(&definition(n)).expect("json");
        std::fs::write(&yaml_path, &text).expect("write definition");
        let resources = 2 + 3 * n;
        let t0 = Instant::now();
        let text = std::fs::read_to_string(&yaml_path).expect("read yaml");
        let def = mock_hmc::definition::parse(&text).expect("parse");
        hmc.load(&def, false).expect("load");
        let load = t0.elapsed();
        let faked = python
            .as_deref()
            .map(|py| faked_session_load(py, &yaml_path));
        faked_loads.push(faked);
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
    println!(
        "| size (partitions) | resources | load (parse + load of the file) | load per resource \
         | db size | db bytes per resource | FakedSession.from_hmc_yaml_file / load |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for ((n, resources, load, bytes, _), faked) in hmcs.iter().zip(&faked_loads) {
        let vs_faked = match faked {
            Some(f) => format!(
                "{:.1}x ({:.0} ms; goal >= 10x at 10k)",
                f.as_secs_f64() / load.as_secs_f64(),
                f.as_secs_f64() * 1e3
            ),
            None => "skipped: no python with zhmcclient \
                     (tests/python/run.sh -k nothing, or MOCK_HMC_BENCH_PYTHON)"
                .to_string(),
        };
        println!(
            "| {n} | {resources} | {:.1} ms | {:.1} µs | {:.1} MiB | {:.0} B | {vs_faked} |",
            load.as_secs_f64() * 1e3,
            load.as_secs_f64() * 1e6 / *resources as f64,
            *bytes as f64 / 1048576.0,
            *bytes as f64 / *resources as f64,
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

/// The python interpreter that has zhmcclient: `MOCK_HMC_BENCH_PYTHON`,
/// else the venv `tests/python/run.sh` creates; `None` when neither imports
/// `zhmcclient.mock`.
fn zhmcclient_python() -> Option<String> {
    let python = std::env::var("MOCK_HMC_BENCH_PYTHON")
        .unwrap_or_else(|_| format!("{}/target/pyvenv/bin/python", env!("CARGO_MANIFEST_DIR")));
    let ok = std::process::Command::new(&python)
        .args(["-c", "import zhmcclient.mock"])
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then_some(python)
}

/// How long `FakedSession.from_hmc_yaml_file` of `path` takes (timed inside
/// python, so without the interpreter's start and imports).
fn faked_session_load(python: &str, path: &std::path::Path) -> Duration {
    let script = "import sys, time\n\
                  import zhmcclient.mock\n\
                  t0 = time.perf_counter()\n\
                  zhmcclient.mock.FakedSession.from_hmc_yaml_file(sys.argv[1])\n\
                  print(time.perf_counter() - t0)\n";
    let out = std::process::Command::new(python)
        .arg("-c")
        .arg(script)
        .arg(path)
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "FakedSession.from_hmc_yaml_file failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let secs: f64 = String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("seconds");
    Duration::from_secs_f64(secs)
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
        // zhmcclient's loader needs the console's version.
        "consoles": [{"properties": {"object-id": "console1", "name": "HMC",
                                     "version": "2.16.0"}}],
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
