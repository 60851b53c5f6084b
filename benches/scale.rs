//! How mock-hmc behaves as the HMC grows: a generated definition file
//! (`benches/common/generated.rs`: CPCs, adapters with ports, partitions
//! each with a NIC and an HBA, storage groups with a volume) of about N
//! resources, N = 100, 1,000, 10,000 and 100,000. For each size: `load`
//! time (parse + load of the file), the db size, zhmcclient's
//! `FakedSession.from_hmc_yaml_file` of the same file against it (up to
//! `MOCK_HMC_BENCH_FAKED_MAX` resources, default 10,000: it takes minutes
//! beyond), in-process Get Partition Properties, List Partitions of a CPC
//! with a name filter that matches one partition and without a filter,
//! Get Inventory of partitions, adapters and storage groups, a Create +
//! Delete NIC pair on one partition (Delete removes the NIC's URI from
//! every back-reference list, which must not mean reading the whole HMC),
//! and the RSS
//! of a `mock-hmc serve` child on that db after start, after a List of
//! every collection and after a Get Inventory of everything. Times are
//! ratios to the same operation at the first size, measured in the same
//! run with the sizes interleaved round by round, so drift of a busy
//! machine falls on every size alike; List and Inventory are also given
//! per item of their answer (the goal: no worse than linear in it).
//!
//! `cargo bench --bench scale`. Knobs: `MOCK_HMC_BENCH_SIZES=100,1000`
//! (resources; the first is the baseline), `MOCK_HMC_BENCH_ROUNDS`
//! (default 4), `MOCK_HMC_BENCH_SLICE_MS` (timed slice of one operation in
//! one round, default 150), `MOCK_HMC_BENCH_FAKED_MAX`,
//! `MOCK_HMC_BENCH_OPS=get,filter,list,inventory,nic` (which operations),
//! `MOCK_HMC_BENCH_RSS=0` (no `serve` rows), `MOCK_HMC_BENCH_JOURNAL=1`
//! (in-process requests journaled, as `serve` does). The bench fails
//! (exit code != 0) on any request that does not succeed.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "benchmark")]

#[path = "../tests/support/mod.rs"]
mod support;

#[path = "common/generated.rs"]
mod generated;
#[path = "common/python.rs"]
mod python;

use std::io::Read;
use std::time::{Duration, Instant};

use generated::Layout;
use mock_hmc::{Hmc, Method, Request, Session};
use serde_json::{Value, json};
use support::{Client, Server};

/// Builds the request of an operation for an HMC of this layout.
type MakeRequest = fn(&Layout) -> Request;

/// One timed call of an operation: one request, or a Create NIC and the
/// Delete of what it created.
#[derive(Clone, Copy)]
enum Call {
    One(MakeRequest),
    NicPair,
}

impl Call {
    /// Runs the call, fails on any answer but success, and returns the
    /// items in the answer (1 for a pair).
    fn run(self, hmc: &Hmc, layout: &Layout, session: &str) -> usize {
        match self {
            Call::One(make) => {
                let r = hmc.handle(&make(layout).with_session(session));
                assert_eq!(r.status, 200, "{:?}", r.json());
                answer_items(r.json())
            }
            Call::NicPair => {
                let partition = format!(
                    "/api/partitions/{}",
                    Layout::partition_id(1, layout.middle())
                );
                let created = hmc.handle(
                    &Request::new(Method::Post, format!("{partition}/nics"))
                        .with_json(&json!({
                            "name": "bench-nic",
                            "network-adapter-port-uri": "/api/adapters/osa1-0/network-ports/0",
                        }))
                        .with_session(session),
                );
                assert_eq!(created.status, 201, "{:?}", created.json());
                let nic = created.json().unwrap()["element-uri"]
                    .as_str()
                    .unwrap()
                    .to_string();
                let deleted = hmc.handle(&Request::new(Method::Delete, nic).with_session(session));
                assert_eq!(deleted.status, 204, "{:?}", deleted.json());
                1
            }
        }
    }
}

/// The classes the timed Get Inventory asks for.
const INVENTORY: &[&str] = &["partition", "adapter", "storage-group"];

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(default)
}

struct Size {
    layout: Layout,
    load: Duration,
    db_bytes: u64,
    faked: Option<Duration>,
    db: std::path::PathBuf,
    hmc: Hmc,
}

fn main() {
    let sizes: Vec<usize> = std::env::var("MOCK_HMC_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![100, 1_000, 10_000, 100_000]);
    let rounds: usize = env_or("MOCK_HMC_BENCH_ROUNDS", 4);
    let slice = Duration::from_millis(env_or("MOCK_HMC_BENCH_SLICE_MS", 150));
    let faked_max: usize = env_or("MOCK_HMC_BENCH_FAKED_MAX", 10_000);
    let dir = tempfile::tempdir().expect("temp dir");
    println!(
        "mock-hmc scale benchmark: sizes {sizes:?} resources, {rounds} interleaved rounds of {} ms",
        slice.as_millis()
    );

    let python = python::zhmcclient_python();
    let mut all: Vec<Size> = Vec::new();
    for &target in &sizes {
        let layout = Layout::for_resources(target);
        let path = dir.path().join(format!("scale-{target}.sqlite"));
        let hmc = Hmc::open_unseeded(&path).expect("open db");
        // What `mock-hmc load FILE` does: parse the file, then load it; the
        // same file is what zhmcclient's loader reads (JSON is YAML too).
        let def_path = dir.path().join(format!("scale-{target}.yaml"));
        let text = serde_json::to_string_pretty(&layout.definition()).expect("json");
        std::fs::write(&def_path, &text).expect("write definition");
        drop(text);
        let t0 = Instant::now();
        let text = std::fs::read_to_string(&def_path).expect("read definition");
        let def = mock_hmc::definition::parse(&text).expect("parse");
        hmc.load(&def, false).expect("load");
        let load = t0.elapsed();
        drop((def, text));
        let faked = python
            .as_deref()
            .filter(|_| layout.resources <= faked_max)
            .map(|py| python::faked_session_load(py, &def_path, 1));
        hmc.set_user_password("bench", "bench").expect("user");
        hmc.checkpoint().expect("checkpoint");
        // The request journal writes one row per request in a transaction
        // of its own: the same work at every size, whose WAL checkpoints
        // (fsyncs) land at random on one size or another and moved Get's
        // ratio by up to 50% between runs. Off unless asked for; `serve`
        // below journals as usual.
        hmc.set_journal(env_or("MOCK_HMC_BENCH_JOURNAL", 0) == 1);
        let db_bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        eprintln!(
            "  loaded {} resources in {:.2} s",
            layout.resources,
            load.as_secs_f64()
        );
        all.push(Size {
            layout,
            load,
            db_bytes,
            faked,
            db: path,
            hmc,
        });
    }

    let ops: [(&str, Call); 5] = [
        (
            "Get Partition Properties",
            Call::One(|l| {
                Request::new(
                    Method::Get,
                    format!("/api/partitions/{}", Layout::partition_id(1, l.middle())),
                )
            }),
        ),
        (
            "List Partitions of a CPC, name filter (1 match)",
            Call::One(|l| {
                Request::new(
                    Method::Get,
                    format!(
                        "/api/cpcs/cpc1/partitions?name={}",
                        Layout::partition_name(1, l.middle())
                    ),
                )
            }),
        ),
        (
            "List Partitions of a CPC (all)",
            Call::One(|_| Request::new(Method::Get, "/api/cpcs/cpc1/partitions")),
        ),
        (
            "Get Inventory (partitions, adapters, storage groups)",
            Call::One(|_| {
                Request::new(Method::Post, "/api/services/inventory")
                    .with_json(&json!({ "resources": INVENTORY }))
            }),
        ),
        ("Create + Delete NIC (pair)", Call::NicPair),
    ];
    // `MOCK_HMC_BENCH_OPS=get,filter,list,inventory,nic` picks operations (a
    // profile of one of them, or a shorter run).
    let picked: Option<Vec<String>> = std::env::var("MOCK_HMC_BENCH_OPS")
        .ok()
        .map(|s| s.split(',').map(|o| o.trim().to_string()).collect());
    let keys = ["get", "filter", "list", "inventory", "nic"];
    let on = |o: usize| {
        picked
            .as_ref()
            .is_none_or(|p| p.iter().any(|k| k == keys[o]))
    };
    // per (op, size): (calls, elapsed, items in the answer)
    let mut totals = vec![vec![(0u64, Duration::ZERO, 0usize); all.len()]; ops.len()];
    let sessions: Vec<Session<'_>> = all
        .iter()
        .map(|s| s.hmc.logon("bench", "bench").expect("logon"))
        .collect();
    // One untimed call of each: statement caches and pages of every db
    // warm alike, so the first size measured is not the slow one.
    for (o, (_, call)) in ops.iter().enumerate() {
        for (s, size) in all.iter().enumerate() {
            if on(o) {
                call.run(&size.hmc, &size.layout, sessions[s].id());
            }
        }
    }
    for round in 0..rounds {
        for (o, (_, call)) in ops.iter().enumerate() {
            if !on(o) {
                continue;
            }
            for (s, size) in all.iter().enumerate() {
                let t0 = Instant::now();
                let mut calls = 0;
                let mut items = 0;
                while t0.elapsed() < slice || calls == 0 {
                    let n = call.run(&size.hmc, &size.layout, sessions[s].id());
                    if calls == 0 {
                        items = n;
                    }
                    calls += 1;
                }
                totals[o][s].0 += calls;
                totals[o][s].1 += t0.elapsed();
                totals[o][s].2 = items;
            }
        }
        eprintln!("  round {} of {rounds} done", round + 1);
    }
    drop(sessions);

    // RSS of a real `serve` on each db.
    let rss: Vec<Rss> = if env_or("MOCK_HMC_BENCH_RSS", 1) == 1 {
        all.iter().map(|s| serve_rss(&s.db, &s.layout)).collect()
    } else {
        Vec::new()
    };

    println!();
    println!(
        "| resources | CPCs x partitions | load (parse + load of the file) | load per resource \
         | db size | db bytes per resource | FakedSession.from_hmc_yaml_file / load |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for s in &all {
        let vs_faked = match s.faked {
            Some(f) => format!(
                "{:.1}x ({:.0} ms; goal >= 10x at 10k)",
                f.as_secs_f64() / s.load.as_secs_f64(),
                f.as_secs_f64() * 1e3
            ),
            None if python.is_some() => format!("not run above {faked_max} resources"),
            None => python::NO_PYTHON.to_string(),
        };
        let r = s.layout.resources;
        println!(
            "| {r} | {} x {} | {:.1} ms | {:.1} µs | {:.1} MiB | {:.0} B | {vs_faked} |",
            s.layout.cpcs,
            s.layout.partitions_per_cpc,
            s.load.as_secs_f64() * 1e3,
            s.load.as_secs_f64() * 1e6 / r as f64,
            s.db_bytes as f64 / 1048576.0,
            s.db_bytes as f64 / r as f64,
        );
    }
    println!();
    print!("| operation |");
    for s in &all {
        print!(" {} |", s.layout.resources);
    }
    println!(" goal at the largest |");
    print!("|---|");
    for _ in &all {
        print!("---:|");
    }
    println!("---|");
    for (o, (name, _)) in ops.iter().enumerate() {
        if !on(o) {
            continue;
        }
        let per_call: Vec<f64> = totals[o]
            .iter()
            .map(|(calls, t, _)| t.as_secs_f64() / (*calls).max(1) as f64)
            .collect();
        let (linear, goal) = match o {
            0 => (false, "<= 1.1x"),
            1 => (false, "<= 2x"),
            4 => (false, "flat (no goal in the issue)"),
            _ => (true, "per item <= 1.1x (linear in the answer)"),
        };
        print!("| {name} |");
        for (s, t) in per_call.iter().enumerate() {
            let items = totals[o][s].2;
            if s == 0 {
                print!(" {:.3} ms (baseline", t * 1e3);
                if linear {
                    print!("; {items} items");
                }
                print!(") |");
            } else if linear {
                let base_items = totals[o][0].2.max(1) as f64;
                let per_item = (t / items.max(1) as f64) / (per_call[0] / base_items);
                print!(
                    " {:.2}x ({items} items; per item {per_item:.2}x) |",
                    t / per_call[0]
                );
            } else {
                print!(" {:.2}x |", t / per_call[0]);
            }
        }
        println!(" {goal} |");
    }
    println!();
    println!(
        "| resources | serve VmRSS after start | after a List of every collection (VmHWM) \
         | after Get Inventory of everything (VmHWM) | goal |"
    );
    println!("|---:|---:|---:|---:|---|");
    for (s, r) in all.iter().zip(&rss) {
        println!(
            "| {} | {:.1} MiB | {:.1} MiB ({:.1} MiB) | {:.1} MiB ({:.1} MiB) | < 50 MiB at 100k |",
            s.layout.resources, r.start.0, r.listed.0, r.listed.1, r.inventory.0, r.inventory.1
        );
    }
    println!();
    println!(
        "Goals (issue 13): at the largest size Get within 1.1x and the name-filtered List \
         within 2x of the smallest; the unfiltered List and Get Inventory no worse than \
         linear in their answer; serve RSS < 50 MiB with 100k resources."
    );
}

/// Items in a List or Get Inventory answer (the one array it holds).
fn answer_items(body: Option<&Value>) -> usize {
    match body {
        Some(Value::Array(items)) => items.len(),
        Some(Value::Object(m)) if m.len() == 1 => m
            .values()
            .next()
            .and_then(Value::as_array)
            .map_or(1, Vec::len),
        _ => 1,
    }
}

/// (VmRSS, VmHWM) in MiB at three moments of a `serve` child.
struct Rss {
    start: (f64, f64),
    listed: (f64, f64),
    inventory: (f64, f64),
}

/// VmRSS and VmHWM of process `pid`, in MiB.
fn rss_of(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kib = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (kib("VmRSS:") / 1024.0, kib("VmHWM:") / 1024.0)
}

/// Starts `mock-hmc serve` on `db`, and reads its memory after start (and
/// a logon), after a List of every collection the generated HMC has, and
/// after a Get Inventory of everything.
fn serve_rss(db: &std::path::Path, layout: &Layout) -> Rss {
    let server = Server::start(db, false, &["--stomp-port", "0"]);
    let pid = server.child.id();
    let sid = server.logon("bench", "bench");
    let start = rss_of(pid);
    eprintln!(
        "  serve {}: after start VmRSS/VmHWM {:.1?} MiB",
        layout.resources, start
    );
    let get = |uri: &str| {
        let r = server.send(Method::Get, uri, Some(&sid), None);
        assert_eq!(r.status, 200, "GET {uri}: {:?}", r.body);
        eprintln!(
            "  serve {}: after GET {uri} {:.1?} MiB",
            layout.resources,
            rss_of(pid)
        );
    };
    get("/api/cpcs");
    get("/api/storage-groups");
    get("/api/console/users");
    for c in 1..=layout.cpcs {
        get(&format!("/api/cpcs/cpc{c}/partitions"));
        get(&format!("/api/cpcs/cpc{c}/adapters"));
    }
    let listed = rss_of(pid);
    // Read to its end, not with `server.send`, whose reader stops at 10 MB:
    // a streamed answer is produced only as fast as it is read, so a
    // reader that stops early would measure a part of the inventory.
    let mut resp = support::agent()
        .post(format!("{}/api/services/inventory", server.base()))
        .header("X-API-Session", &sid)
        .content_type("application/json")
        .send("{}")
        .expect("Get Inventory");
    assert_eq!(resp.status().as_u16(), 200, "Get Inventory");
    let mut reader = resp.body_mut().as_reader();
    let mut first = [0u8; 1];
    reader.read_exact(&mut first).expect("Get Inventory body");
    let bytes = 1 + std::io::copy(&mut reader, &mut std::io::sink()).expect("Get Inventory body");
    assert_eq!(first[0], b'[', "Get Inventory: not an array");
    drop(resp);
    let inventory = rss_of(pid);
    eprintln!(
        "  serve {}: after Get Inventory of everything ({:.1} MB) {:.1?} MiB",
        layout.resources,
        bytes as f64 / 1e6,
        inventory
    );
    server.terminate();
    Rss {
        start,
        listed,
        inventory,
    }
}
