//! Throughput benchmark: requests/second and p50/p99 latency of a few HMC
//! requests, in-process, over HTTPS and from 4 writer processes, each row
//! reported as a ratio to a baseline (`GET /api/version` in-process)
//! measured in the same run, plus checkpoint save and restore of the
//! default HMC. Run with `cargo bench --bench throughput`;
//! see docs/benchmarks.md.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "benchmark")]

#[path = "../tests/support/mod.rs"]
mod support;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use mock_hmc::{Hmc, Method, Request, Response};
use serde_json::{Value, json};
use support::{Client, Server};

/// Selects worker mode and names the worker's index (0..WORKERS).
const ENV_WORKER: &str = "MOCK_HMC_BENCH_WORKER";
/// The db file a worker opens.
const ENV_DB: &str = "MOCK_HMC_BENCH_DB";
/// The partition a worker updates.
const ENV_URI: &str = "MOCK_HMC_BENCH_URI";
/// How many updates a worker does.
const ENV_N: &str = "MOCK_HMC_BENCH_N";
/// Seconds each timed row runs in total, over all rounds (default 3).
const ENV_SECS: &str = "MOCK_HMC_BENCH_SECS";
/// Updates per worker in the multi-process row (default: calibrated).
const ENV_WORKER_N: &str = "MOCK_HMC_BENCH_WORKER_N";

/// Number of concurrent writer processes.
const WORKERS: usize = 4;
/// Timed rows run in this many interleaved slices, so that load from
/// other programs on the machine hits all rows alike.
const ROUNDS: u32 = 3;
/// Warm-up before each timed row.
const WARMUP: Duration = Duration::from_millis(200);
/// The partition of the default HMC the single-process rows use.
const PARTITION: &str = "/api/partitions/linux2";
/// List Partitions of the DPM CPC with a name filter matching `PARTITION`.
const LIST_BY_NAME: &str = "/api/cpcs/dpm1/partitions?name=LINUX2";
/// The DPM CPC of the default HMC.
const CPC: &str = "/api/cpcs/dpm1";

fn main() {
    if let Ok(index) = std::env::var(ENV_WORKER) {
        worker(index.parse().expect("worker index"));
        return;
    }
    let secs: f64 = std::env::var(ENV_SECS)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3.0);
    let slice = Duration::from_secs_f64(secs / ROUNDS as f64);
    let dir = tempfile::tempdir().expect("temp dir");
    let started = Instant::now();
    println!(
        "mock-hmc throughput benchmark: {secs} s per timed row in {ROUNDS} interleaved rounds, \
         {} CPUs, load average at start: {}",
        cpus(),
        loadavg()
    );

    // In-process: one Hmc and one logged-on session.
    let db = dir.path().join("inproc.sqlite");
    let hmc = Hmc::open(&db).expect("open db");
    let session = hmc.logon("ensadmin", "password").expect("logon");
    let version = Request::new(Method::Get, "/api/version");
    hmc.save_checkpoint("bench-restore").expect("checkpoint");

    // HTTPS: a `mock-hmc serve` child on its own db, one keep-alive agent.
    let server = Server::start(&dir.path().join("served.sqlite"), false, &[]);
    let sid = server.logon("ensadmin", "password");

    let mut ops: Vec<(Row, Op<'_>)> = vec![
        (
            Row::new("in-process GET /api/version (baseline)"),
            Box::new(|_| check(&hmc.handle(&version), 200)),
        ),
        (
            Row::new("in-process Get Partition Properties"),
            Box::new(|_| check(&session.get(PARTITION), 200)),
        ),
        (
            Row::new("in-process List Partitions of a CPC, name filter"),
            Box::new(|_| check(&session.get(LIST_BY_NAME), 200)),
        ),
        (
            Row::new("in-process Update Partition Properties"),
            Box::new(|i| {
                let body = json!({"description": format!("bench update {i}")});
                check(&session.post(PARTITION, &body), 204)
            }),
        ),
        (
            Row::new("in-process checkpoint save (default HMC)"),
            Box::new(|_| hmc.save_checkpoint("bench").map_err(|e| e.to_string())),
        ),
        (
            Row::new("in-process checkpoint restore (default HMC)"),
            Box::new(|_| {
                hmc.restore_checkpoint("bench-restore", false)
                    .map_err(|e| e.to_string())
            }),
        ),
        (
            Row::new("HTTPS keep-alive GET /api/version"),
            Box::new(|_| http_check(&server, Method::Get, "/api/version", None, None, 200)),
        ),
        (
            Row::new("HTTPS keep-alive Get Partition Properties"),
            Box::new(|_| http_check(&server, Method::Get, PARTITION, Some(&sid), None, 200)),
        ),
        (
            Row::new("HTTPS keep-alive Update Partition Properties"),
            Box::new(|i| {
                let body = json!({"description": format!("bench update {i}")});
                http_check(
                    &server,
                    Method::Post,
                    PARTITION,
                    Some(&sid),
                    Some(&body),
                    204,
                )
            }),
        ),
    ];
    for (row, op) in &mut ops {
        warm_up(row, op);
    }
    for round in 0..ROUNDS {
        for (row, op) in &mut ops {
            run_for(row, op, slice);
        }
        eprintln!("  round {} of {ROUNDS} done", round + 1);
    }
    let mut rows: Vec<Row> = ops.into_iter().map(|(row, _)| row.finish()).collect();
    for r in &rows {
        let rates: Vec<String> = r.round_rates.iter().map(|x| format!("{x:.0}")).collect();
        eprintln!("  req/s per round: {}: {}", r.name, rates.join(", "));
    }
    let single_update_rate = rows[2].rate();
    server.send(
        Method::Delete,
        "/api/sessions/this-session",
        Some(&sid),
        None,
    );
    server.terminate();

    // 4 writer processes on one db, each on its own partition.
    let per_worker: usize = std::env::var(ENV_WORKER_N)
        .ok()
        .and_then(|s| s.parse().ok())
        // About `secs` worth of single-process updates per worker.
        .unwrap_or_else(|| ((single_update_rate * secs) as usize).clamp(200, 50_000));
    eprintln!("  running {WORKERS} worker processes x {per_worker} updates");
    let multi = multi_process(&hmc, &session, &db, per_worker);
    rows.push(multi.row);

    print_table(&rows, single_update_rate);
    println!();
    println!(
        "multi-process check: {} ({WORKERS} workers x {per_worker} updates)",
        if multi.ok { "PASS" } else { "FAIL" },
    );
    for line in &multi.details {
        println!("  {line}");
    }
    let errors: Vec<&Row> = rows.iter().filter(|r| r.errors > 0).collect();
    for r in &errors {
        println!(
            "ERRORS in {}: {} of {}; first: {}",
            r.name,
            r.errors,
            r.latencies_ns.len(),
            r.first_error.as_deref().unwrap_or("?")
        );
    }
    println!(
        "total bench time: {:.1} s, load average at end: {}",
        started.elapsed().as_secs_f64(),
        loadavg()
    );
    drop(session);
    drop(hmc);
    if !multi.ok || !errors.is_empty() {
        std::process::exit(1);
    }
}

/// One request of a row; gets a running counter, returns an error text.
type Op<'a> = Box<dyn FnMut(u64) -> Result<(), String> + 'a>;

/// One measured row.
struct Row {
    name: String,
    /// Latency of each request, in nanoseconds (sorted once measured).
    latencies_ns: Vec<u64>,
    /// Wall time of the whole row.
    elapsed: Duration,
    errors: usize,
    first_error: Option<String>,
    /// Requests sent so far, warm-up included (numbers the descriptions).
    counter: u64,
    /// req/s of each round, to show how noisy the machine was.
    round_rates: Vec<f64>,
}

impl Row {
    fn new(name: &str) -> Row {
        Row {
            name: name.to_string(),
            latencies_ns: Vec::with_capacity(1 << 16),
            elapsed: Duration::ZERO,
            errors: 0,
            first_error: None,
            counter: 0,
            round_rates: Vec::new(),
        }
    }

    /// Sorts the latencies for the percentiles.
    fn finish(mut self) -> Row {
        self.latencies_ns.sort_unstable();
        self
    }

    fn rate(&self) -> f64 {
        self.latencies_ns.len() as f64 / self.elapsed.as_secs_f64()
    }

    fn percentile_us(&self, p: f64) -> f64 {
        let v = &self.latencies_ns;
        if v.is_empty() {
            return f64::NAN;
        }
        let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
        v[rank.clamp(1, v.len()) - 1] as f64 / 1000.0
    }

    /// (max - min) / mean of the per-round rates, in percent ("-" for one round).
    fn spread(&self) -> String {
        let r = &self.round_rates;
        if r.len() < 2 {
            return "-".into();
        }
        let max = r.iter().copied().fold(f64::MIN, f64::max);
        let min = r.iter().copied().fold(f64::MAX, f64::min);
        let mean = r.iter().sum::<f64>() / r.len() as f64;
        format!("{:.0}%", 100.0 * (max - min) / mean)
    }
}

/// Runs `op` unmeasured for `WARMUP` (fills caches, opens connections).
fn warm_up(row: &mut Row, op: &mut Op<'_>) {
    let warm = Instant::now();
    while warm.elapsed() < WARMUP {
        let _ = op(row.counter);
        row.counter += 1;
    }
}

/// Runs `op` back to back for `budget`, adding to `row`.
fn run_for(row: &mut Row, op: &mut Op<'_>, budget: Duration) {
    let start = Instant::now();
    let before = row.latencies_ns.len();
    loop {
        let t = Instant::now();
        let r = op(row.counter);
        let now = Instant::now();
        row.latencies_ns.push((now - t).as_nanos() as u64);
        row.counter += 1;
        if let Err(e) = r {
            row.errors += 1;
            row.first_error.get_or_insert(e);
        }
        if now - start >= budget {
            row.elapsed += now - start;
            let done = row.latencies_ns.len() - before;
            row.round_rates
                .push(done as f64 / (now - start).as_secs_f64());
            return;
        }
    }
}

fn check(r: &Response, status: u16) -> Result<(), String> {
    if r.status == status {
        Ok(())
    } else {
        Err(format!(
            "status {} (expected {status}): {}",
            r.status,
            r.json().map(Value::to_string).unwrap_or_default()
        ))
    }
}

fn print_table(rows: &[Row], single_update_rate: f64) {
    let base = rows[0].rate();
    println!();
    println!(
        "| {:<50} | {:>8} | {:>6} | {:>8} | {:>7} | {:>8} | {:>11} | {:>6} |",
        "row", "requests", "errors", "req/s", "p50 us", "p99 us", "vs baseline", "spread"
    );
    let dashes = [52, 10, 8, 10, 9, 10, 13, 8].map(|n| "-".repeat(n));
    println!("|{}|", dashes.join("|"));
    for r in rows {
        println!(
            "| {:<50} | {:>8} | {:>6} | {:>8.0} | {:>7.1} | {:>8.1} | {:>11.4} | {:>6} |",
            r.name,
            r.latencies_ns.len(),
            r.errors,
            r.rate(),
            r.percentile_us(50.0),
            r.percentile_us(99.0),
            r.rate() / base,
            r.spread()
        );
    }
    println!();
    println!(
        "vs baseline = row req/s / baseline req/s (its inverse is the cost relative to the baseline)."
    );
    println!("spread = (max - min) / mean of the per-round req/s: how noisy the machine was.");
    if let Some(multi) = rows.last() {
        println!(
            "{WORKERS} processes: aggregate writes/s / single-process in-process update req/s = {:.2}",
            multi.rate() / single_update_rate
        );
    }
}

/// The 1, 5 and 15 minute load averages (Linux), to judge the machine's noise.
fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split(' ').take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn cpus() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

// ---------------------------------------------------------------- HTTPS

/// One request over HTTPS; an error names the request and what came back.
fn http_check(
    server: &Server,
    method: Method,
    uri: &str,
    session: Option<&str>,
    body: Option<&Value>,
    status: u16,
) -> Result<(), String> {
    let reply = server.send(method, uri, session, body);
    if reply.status == status {
        Ok(())
    } else {
        Err(format!(
            "{method:?} {uri}: status {} (expected {status}): {}",
            reply.status, reply.body
        ))
    }
}

// ---------------------------------------------------------- multi-process

struct Multi {
    row: Row,
    ok: bool,
    details: Vec<String>,
}

/// Worker protocol on stdout: `ready`, then (after `go` on stdin) one
/// `result <ok> <errors> <start_unix_ns> <end_unix_ns>` line, one
/// `latencies <ns,ns,...>` line and `error <text>` lines for the first errors.
struct Worker {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

fn multi_process(hmc: &Hmc, session: &mock_hmc::Session<'_>, db: &Path, n: usize) -> Multi {
    // Create one partition per worker on the DPM CPC.
    let mut uris = Vec::new();
    for w in 0..WORKERS {
        let r = session.post(
            &format!("{CPC}/partitions"),
            &json!({"name": format!("bench-w{w}"), "initial-memory": 1024,
                    "maximum-memory": 1024, "ifl-processors": 1}),
        );
        assert_eq!(r.status, 201, "create partition: {:?}", r.json());
        let uri = r.json().unwrap()["object-uri"]
            .as_str()
            .unwrap()
            .to_string();
        uris.push(uri);
    }
    // Hand the WAL to the file so workers start from a quiet db.
    hmc.checkpoint().expect("checkpoint");

    let exe: PathBuf = std::env::current_exe().expect("current_exe");
    let mut workers: Vec<Worker> = uris
        .iter()
        .enumerate()
        .map(|(w, uri)| {
            let mut child = Command::new(&exe)
                .env(ENV_WORKER, w.to_string())
                .env(ENV_DB, db)
                .env(ENV_URI, uri)
                .env(ENV_N, n.to_string())
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("spawn worker");
            let stdin = child.stdin.take().unwrap();
            let stdout = BufReader::new(child.stdout.take().unwrap());
            Worker {
                child,
                stdin,
                stdout,
            }
        })
        .collect();
    for w in &mut workers {
        let mut line = String::new();
        w.stdout.read_line(&mut line).expect("worker ready");
        assert_eq!(line.trim(), "ready", "worker did not get ready");
    }
    for w in &mut workers {
        writeln!(w.stdin, "go").expect("start worker");
        w.stdin.flush().expect("start worker");
    }

    let mut details = Vec::new();
    let mut ok = true;
    let mut latencies = Vec::new();
    let mut errors = 0usize;
    let mut first_error = None;
    let (mut start, mut end) = (u128::MAX, 0u128);
    for (i, mut w) in workers.into_iter().enumerate() {
        let mut done = 0usize;
        for line in (&mut w.stdout).lines() {
            let line = line.expect("worker output");
            let mut parts = line.splitn(2, ' ');
            let tag = parts.next().unwrap_or("");
            let rest = parts.next().unwrap_or("");
            match tag {
                "result" => {
                    let f: Vec<u128> = rest.split(' ').map(|x| x.parse().unwrap()).collect();
                    done = f[0] as usize;
                    errors += f[1] as usize;
                    start = start.min(f[2]);
                    end = end.max(f[3]);
                }
                "latencies" => {
                    latencies.extend(
                        rest.split(',')
                            .filter(|x| !x.is_empty())
                            .map(|x| x.parse::<u64>().unwrap()),
                    );
                }
                "error" => {
                    details.push(format!("worker {i} error: {rest}"));
                    first_error.get_or_insert_with(|| format!("worker {i}: {rest}"));
                }
                _ => details.push(format!("worker {i} said: {line}")),
            }
        }
        let status = w.child.wait().expect("wait worker");
        if !status.success() {
            ok = false;
            details.push(format!("worker {i} exited with {status}"));
        }
        if done != n {
            ok = false;
            details.push(format!("worker {i}: {done} of {n} updates answered 204"));
        }
    }

    // Every worker's last update must be what is stored now.
    for (w, uri) in uris.iter().enumerate() {
        let got = session.get_json(uri).map(|p| p["description"].clone());
        let want = json!(format!("w{w} {n}"));
        match got {
            Ok(d) if d == want => details.push(format!("{uri}: description {d} as expected")),
            Ok(d) => {
                ok = false;
                details.push(format!("{uri}: description {d}, expected {want}"));
            }
            Err(e) => {
                ok = false;
                details.push(format!("{uri}: GET failed: {e}"));
            }
        }
    }
    if errors > 0 {
        ok = false;
    }
    latencies.sort_unstable();
    let elapsed = Duration::from_nanos(end.saturating_sub(start) as u64);
    Multi {
        row: Row {
            name: format!("{WORKERS} processes x Update Partition Properties, sum"),
            latencies_ns: latencies,
            elapsed,
            errors,
            first_error,
            counter: 0,
            round_rates: Vec::new(),
        },
        ok,
        details,
    }
}

fn unix_ns() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

/// Worker mode: opens the db, logs on, waits for `go`, then sends N Update
/// Partition Properties with description `w<index> <k>`, k = 1..=N.
fn worker(index: usize) {
    let db = std::env::var(ENV_DB).expect(ENV_DB);
    let uri = std::env::var(ENV_URI).expect(ENV_URI);
    let n: usize = std::env::var(ENV_N).expect(ENV_N).parse().expect(ENV_N);
    let hmc = Hmc::open(&db).expect("worker: open db");
    let session = hmc.logon("ensadmin", "password").expect("worker: logon");
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    writeln!(out, "ready").unwrap();
    out.flush().unwrap();
    let mut go = String::new();
    std::io::stdin().read_line(&mut go).unwrap();

    let mut latencies = Vec::with_capacity(n);
    let mut ok = 0usize;
    let mut errors = Vec::new();
    let start = unix_ns();
    for k in 1..=n {
        let body = json!({"description": format!("w{index} {k}")});
        let t = Instant::now();
        let r = session.post(&uri, &body);
        latencies.push(t.elapsed().as_nanos() as u64);
        if r.status == 204 {
            ok += 1;
        } else {
            errors.push(format!(
                "update {k}: POST {uri} -> {}: {}",
                r.status,
                r.json().map(Value::to_string).unwrap_or_default()
            ));
        }
    }
    let end = unix_ns();
    writeln!(out, "result {ok} {} {start} {end}", errors.len()).unwrap();
    let lat: Vec<String> = latencies.iter().map(u64::to_string).collect();
    writeln!(out, "latencies {}", lat.join(",")).unwrap();
    for e in errors.iter().take(5) {
        writeln!(out, "error {e}").unwrap();
    }
    out.flush().unwrap();
    drop(session);
}
