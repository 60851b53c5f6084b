//! Many writers on one db: 8 OS processes sharing it through the library,
//! and 4 `mock-hmc serve` processes sharing it under concurrent HTTPS load,
//! each writer doing the same cycle of writes on its own partition: Update
//! Partition Properties, Create NIC, Delete NIC. Each row gives the
//! aggregate writes/s, p50/p99 latency, errors and how many answers or
//! server logs said "database is locked", and its ratio to the baseline
//! measured in the same run: one process doing the same writes alone (one
//! library process; one `serve` process under the same HTTPS load).
//!
//! `cargo bench --bench writers`. Knobs: `MOCK_HMC_BENCH_SECONDS` (per
//! row, default 3), `MOCK_HMC_BENCH_PROCESSES` (library processes, default
//! 8), `MOCK_HMC_BENCH_SERVERS` (default 4), `MOCK_HMC_BENCH_CLIENTS`
//! (HTTPS client threads, default 16). Exits non-zero on any error or
//! "database is locked".

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "benchmark")]

#[path = "../tests/support/mod.rs"]
mod support;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use mock_hmc::{Hmc, Method, Session};
use serde_json::{Value, json};
use support::{Reply, Server, http_send};

/// Selects worker mode (a library writer process) and names its index.
const ENV_WORKER: &str = "MOCK_HMC_BENCH_WRITER";
const ENV_DB: &str = "MOCK_HMC_BENCH_WRITER_DB";
const ENV_URI: &str = "MOCK_HMC_BENCH_WRITER_URI";
/// The virtual switch NICs are created on (the default HMC's).
const VSWITCH: &str = "/api/virtual-switches/vswitch-osa-0108";
const CPC: &str = "/api/cpcs/dpm1";
const LOCKED: &str = "database is locked";

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(default)
}

fn seconds() -> Duration {
    Duration::from_secs_f64(env_or("MOCK_HMC_BENCH_SECONDS", 3.0))
}

/// What a set of writers did.
#[derive(Default)]
struct Tally {
    writes: usize,
    errors: usize,
    locked: usize,
    first_errors: Vec<String>,
    latencies_ns: Vec<u64>,
    elapsed: Duration,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.writes += other.writes;
        self.errors += other.errors;
        self.locked += other.locked;
        self.first_errors.extend(other.first_errors);
        self.first_errors.truncate(5);
        self.latencies_ns.extend(other.latencies_ns);
        self.elapsed = self.elapsed.max(other.elapsed);
    }

    fn rate(&self) -> f64 {
        self.writes as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    fn percentile_ms(&mut self, p: f64) -> f64 {
        if self.latencies_ns.is_empty() {
            return 0.0;
        }
        self.latencies_ns.sort_unstable();
        let i = ((self.latencies_ns.len() - 1) as f64 * p).round() as usize;
        self.latencies_ns[i] as f64 / 1e6
    }

    /// Counts one answer: `want` is the expected status.
    fn record(&mut self, what: &str, status: u16, want: u16, body: &str, t: Duration) {
        self.latencies_ns.push(t.as_nanos() as u64);
        if status == want {
            self.writes += 1;
            return;
        }
        self.errors += 1;
        if body.contains(LOCKED) {
            self.locked += 1;
        }
        if self.first_errors.len() < 5 {
            self.first_errors
                .push(format!("{what}: {status} (expected {want}): {body}"));
        }
    }
}

/// Sends one request: (method, uri, body) -> (status, body).
type Send<'a> = &'a mut dyn FnMut(Method, &str, Option<&Value>) -> (u16, Value);

/// One cycle of the writes every writer does on its partition `uri`,
/// through `send` (method, uri, body) -> (status, body).
fn cycle(tally: &mut Tally, uri: &str, k: usize, send: Send<'_>) {
    let mut timed = |tally: &mut Tally, what: &str, m: Method, u: &str, b: Option<&Value>, want| {
        let t0 = Instant::now();
        let (status, body) = send(m, u, b);
        tally.record(what, status, want, &body.to_string(), t0.elapsed());
        body
    };
    let update = json!({"description": format!("write {k}")});
    timed(
        tally,
        "Update Partition Properties",
        Method::Post,
        uri,
        Some(&update),
        204,
    );
    let nic = json!({"name": format!("bench-nic-{k}"), "virtual-switch-uri": VSWITCH});
    let created = timed(
        tally,
        "Create NIC",
        Method::Post,
        &format!("{uri}/nics"),
        Some(&nic),
        201,
    );
    if let Some(nic_uri) = created["element-uri"].as_str() {
        timed(tally, "Delete NIC", Method::Delete, nic_uri, None, 204);
    }
}

fn main() {
    if let Ok(index) = std::env::var(ENV_WORKER) {
        worker(index.parse().expect("worker index"));
        return;
    }
    let processes: usize = env_or("MOCK_HMC_BENCH_PROCESSES", 8);
    let servers: usize = env_or("MOCK_HMC_BENCH_SERVERS", 4);
    let clients: usize = env_or("MOCK_HMC_BENCH_CLIENTS", 16);
    let dir = tempfile::tempdir().expect("temp dir");
    println!(
        "mock-hmc many writers: {:.1} s per row; {processes} library processes, \
         {servers} serve processes x {clients} HTTPS clients; {} CPUs",
        seconds().as_secs_f64(),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );

    // Library processes; the baseline (one process) and the row alternate
    // twice to spread drift over both.
    let db = dir.path().join("library.sqlite");
    let hmc = Hmc::open(&db).expect("open");
    let session = hmc.logon("ensadmin", "password").expect("logon");
    let parts = partitions(&session, processes.max(1), "lib");
    hmc.checkpoint().expect("wal checkpoint");
    let mut lib_one = Tally::default();
    let mut lib_many = Tally::default();
    for _ in 0..2 {
        lib_one.add_run(library_run(&db, &parts[..1]));
        lib_many.add_run(library_run(&db, &parts));
    }

    // HTTPS: `servers` serve processes on one db, `clients` threads spread
    // over them; baseline: one serve process with the same clients.
    let sdb = dir.path().join("served.sqlite");
    let shmc = Hmc::open(&sdb).expect("open");
    let ssession = shmc.logon("ensadmin", "password").expect("logon");
    let sparts = partitions(&ssession, clients.max(1), "http");
    shmc.checkpoint().expect("wal checkpoint");
    drop(ssession);
    let logs: Vec<_> = (0..servers.max(1))
        .map(|i| dir.path().join(format!("serve-{i}.log")))
        .collect();
    let running: Vec<Server> = logs
        .iter()
        .map(|log| Server::start_logging(&sdb, false, &["--stomp-port", "0"], log))
        .collect();
    let mut http_one = Tally::default();
    let mut http_many = Tally::default();
    for _ in 0..2 {
        http_one.add_run(https_run(&running[..1], &sparts));
        http_many.add_run(https_run(&running, &sparts));
    }
    for s in running {
        s.terminate();
    }
    let logged_locked: usize = logs
        .iter()
        .map(|l| {
            std::fs::read_to_string(l)
                .unwrap_or_default()
                .matches(LOCKED)
                .count()
        })
        .sum();

    println!();
    println!(
        "| row | writes | writes/s | p50 ms | p99 ms | errors | \"database is locked\" | vs baseline | goal |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---|");
    let base_lib = lib_one.rate();
    let base_http = http_one.rate();
    let mut failed = false;
    let mut rows = [
        (
            "1 library process (baseline)".to_string(),
            &mut lib_one,
            base_lib,
            0,
        ),
        (
            format!("{processes} library processes, sum"),
            &mut lib_many,
            base_lib,
            0,
        ),
        (
            "1 serve process (baseline)".to_string(),
            &mut http_one,
            base_http,
            0,
        ),
        (
            format!("{servers} serve processes, {clients} HTTPS clients, sum"),
            &mut http_many,
            base_http,
            logged_locked,
        ),
    ];
    for (name, t, base, extra_locked) in &mut rows {
        let locked = t.locked + *extra_locked;
        failed |= t.errors > 0 || locked > 0;
        let (p50, p99) = (t.percentile_ms(0.5), t.percentile_ms(0.99));
        println!(
            "| {name} | {} | {:.0} | {:.2} | {:.2} | {} | {locked} | {:.2}x | 0 errors, 0 locked |",
            t.writes,
            t.rate(),
            p50,
            p99,
            t.errors,
            t.rate() / *base,
        );
        for e in &t.first_errors {
            println!("  error: {e}");
        }
    }
    println!();
    println!(
        "Writes: Update Partition Properties, Create NIC, Delete NIC on the writer's own \
         partition; \"database is locked\" counts error answers and lines of the serve logs \
         ({logged_locked} in the logs)."
    );
    if failed {
        eprintln!("many writers: FAILED (errors or \"database is locked\")");
        std::process::exit(1);
    }
}

impl Tally {
    /// Adds a run of the same row: writes add up, elapsed times too.
    fn add_run(&mut self, run: Tally) {
        let elapsed = self.elapsed + run.elapsed;
        self.add(run);
        self.elapsed = elapsed;
    }
}

/// Creates one stopped partition per writer on the DPM CPC.
fn partitions(session: &Session<'_>, n: usize, tag: &str) -> Vec<String> {
    (0..n)
        .map(|w| {
            let r = session.post(
                &format!("{CPC}/partitions"),
                &json!({"name": format!("bench-{tag}-{w}"), "initial-memory": 1024,
                        "maximum-memory": 1024, "ifl-processors": 1}),
            );
            assert_eq!(r.status, 201, "create partition: {:?}", r.json());
            r.json().unwrap()["object-uri"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

/// One library writer process per partition, all started at once.
fn library_run(db: &Path, parts: &[String]) -> Tally {
    let exe = std::env::current_exe().expect("current_exe");
    let mut children: Vec<(Child, BufReader<std::process::ChildStdout>)> = parts
        .iter()
        .enumerate()
        .map(|(w, uri)| {
            let mut child = Command::new(&exe)
                .env(ENV_WORKER, w.to_string())
                .env(ENV_DB, db)
                .env(ENV_URI, uri)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("spawn writer");
            let out = BufReader::new(child.stdout.take().unwrap());
            (child, out)
        })
        .collect();
    for (_, out) in &mut children {
        let mut line = String::new();
        out.read_line(&mut line).expect("writer ready");
        assert_eq!(line.trim(), "ready", "writer did not get ready");
    }
    for (child, _) in &mut children {
        let stdin = child.stdin.as_mut().unwrap();
        writeln!(stdin, "go").unwrap();
        stdin.flush().unwrap();
    }
    let mut total = Tally::default();
    for (mut child, out) in children {
        let mut t = Tally::default();
        for line in out.lines() {
            let line = line.expect("writer output");
            let (tag, rest) = line.split_once(' ').unwrap_or((&line, ""));
            match tag {
                "result" => {
                    let f: Vec<u64> = rest.split(' ').map(|x| x.parse().unwrap()).collect();
                    t.writes = f[0] as usize;
                    t.errors = f[1] as usize;
                    t.locked = f[2] as usize;
                    t.elapsed = Duration::from_nanos(f[3]);
                }
                "latencies" => t
                    .latencies_ns
                    .extend(rest.split(',').filter_map(|x| x.parse::<u64>().ok())),
                "error" => t.first_errors.push(rest.to_string()),
                _ => t.first_errors.push(format!("writer said: {line}")),
            }
        }
        let status = child.wait().expect("wait writer");
        if !status.success() {
            t.errors += 1;
            t.first_errors.push(format!("writer exited with {status}"));
        }
        total.add(t);
    }
    total
}

/// Writer mode: opens the db, logs on, waits for `go`, writes for the
/// row's seconds, and reports on stdout.
fn worker(index: usize) {
    let db = std::env::var(ENV_DB).expect(ENV_DB);
    let uri = std::env::var(ENV_URI).expect(ENV_URI);
    let hmc = Hmc::open(&db).expect("writer: open db");
    let session = hmc.logon("ensadmin", "password").expect("writer: logon");
    let mut out = std::io::stdout().lock();
    writeln!(out, "ready").unwrap();
    out.flush().unwrap();
    let mut go = String::new();
    std::io::stdin().read_line(&mut go).unwrap();
    let mut t = Tally::default();
    let mut send = |m: Method, u: &str, b: Option<&Value>| {
        let r = session.request(m, u, b);
        (r.status, r.json().cloned().unwrap_or(Value::Null))
    };
    let t0 = Instant::now();
    let mut k = 0;
    while t0.elapsed() < seconds() {
        k += 1;
        cycle(&mut t, &uri, index * 1_000_000 + k, &mut send);
    }
    let elapsed = t0.elapsed();
    writeln!(
        out,
        "result {} {} {} {}",
        t.writes,
        t.errors,
        t.locked,
        elapsed.as_nanos()
    )
    .unwrap();
    let lat: Vec<String> = t.latencies_ns.iter().map(u64::to_string).collect();
    writeln!(out, "latencies {}", lat.join(",")).unwrap();
    for e in &t.first_errors {
        writeln!(out, "error {e}").unwrap();
    }
    out.flush().unwrap();
}

/// `parts.len()` client threads, each on its own partition and keep-alive
/// connection, spread round-robin over `servers`, all started at once.
fn https_run(servers: &[Server], parts: &[String]) -> Tally {
    let barrier = Arc::new(Barrier::new(parts.len()));
    let handles: Vec<_> = parts
        .iter()
        .enumerate()
        .map(|(i, uri)| {
            let base = servers[i % servers.len()].base();
            let uri = uri.clone();
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                let agent = support::agent();
                let logon = json!({"userid": "ensadmin", "password": "password"});
                let r: Reply = http_send(
                    &agent,
                    &base,
                    Method::Post,
                    "/api/sessions",
                    None,
                    Some(&logon),
                );
                assert_eq!(r.status, 200, "logon: {:?}", r.body);
                let sid = r.body["api-session"].as_str().unwrap().to_string();
                let mut send = |m: Method, u: &str, b: Option<&Value>| {
                    let r = http_send(&agent, &base, m, u, Some(&sid), b);
                    (r.status, r.body)
                };
                let mut t = Tally::default();
                barrier.wait();
                let t0 = Instant::now();
                let mut k = 0;
                while t0.elapsed() < seconds() {
                    k += 1;
                    cycle(&mut t, &uri, i * 1_000_000 + k, &mut send);
                }
                t.elapsed = t0.elapsed();
                http_send(
                    &agent,
                    &base,
                    Method::Delete,
                    "/api/sessions/this-session",
                    Some(&sid),
                    None,
                );
                t
            })
        })
        .collect();
    let mut total = Tally::default();
    for h in handles {
        total.add(h.join().expect("client thread"));
    }
    total
}
