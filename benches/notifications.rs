//! Notification delivery benchmark: a `mock-hmc serve` child delivers, over
//! plain STOMP, the property changes this process commits through the
//! library on the same db to 10 subscribers of one object topic.
//! Reports delivery latency (commit to frame received: p50, p99, max) for
//! spaced updates, and throughput (notifications received per second by
//! all subscribers together) for back-to-back updates, with the write rate
//! of the same updates without subscribers' reading as the ratio's base.
//! Run with `cargo bench --bench notifications`; see docs/benchmarks.md.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "benchmark")]

#[path = "../tests/support/mod.rs"]
mod support;

use std::sync::{Arc, Barrier, mpsc};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use mock_hmc::Hmc;
use serde_json::json;
use support::stomp::{self, Client};
use support::{Server, TempDb};

const SUBSCRIBERS: usize = 10;
/// Spaced updates for the latency phase, and their spacing.
const LATENCY_UPDATES: usize = 200;
const SPACING: Duration = Duration::from_millis(10);
/// Back-to-back updates for the throughput phase.
const BURST_UPDATES: usize = 5000;
const PARTITION: &str = "/api/partitions/linux2";

fn unix_ns() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

/// What a subscriber saw: for each update number, when it arrived.
type Seen = Vec<(usize, u128)>;

/// Runs a subscriber until it has seen `expect` bench updates (or 60 s).
fn subscriber(port: u16, topic: String, ready: Arc<Barrier>, expect: usize) -> Seen {
    let mut c = Client::logged_in(port, "ensadmin", "password");
    c.subscribe(&topic, "bench");
    ready.wait();
    let mut seen = Vec::with_capacity(expect);
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut beats = 0;
    while seen.len() < expect && Instant::now() < deadline {
        let Some(f) = c.next(Duration::from_millis(500), &mut beats) else {
            continue;
        };
        let at = unix_ns();
        if f.get("notification-type") != Some("property-change") {
            continue;
        }
        let body = f.json();
        if let Some(k) = body["change-reports"][0]["new-value"]
            .as_str()
            .and_then(|v| v.strip_prefix("bench "))
            .and_then(|k| k.parse().ok())
        {
            seen.push((k, at));
        }
    }
    seen
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn main() {
    let db = TempDb::new();
    let server = Server::start(&db.path, false, &["--stomp-port", "0", "--stomp-plain"]);
    let port = stomp::port_of(&db.path);
    let hmc = Hmc::open(&db.path).unwrap();
    let session = hmc.logon("ensadmin", "password").unwrap();
    let topics = session
        .get_json("/api/sessions/operations/get-notification-topics")
        .unwrap();
    let topic = topics["topics"][0]["topic-name"]
        .as_str()
        .unwrap()
        .to_string();
    println!(
        "mock-hmc notification benchmark: {SUBSCRIBERS} subscribers, load average at start: {}",
        loadavg()
    );

    // Write rate without anyone reading: the base of the ratio.
    let t = Instant::now();
    for k in 0..BURST_UPDATES {
        let r = session.post(PARTITION, &json!({"description": format!("warm {k}")}));
        assert_eq!(r.status, 204);
    }
    let write_rate = BURST_UPDATES as f64 / t.elapsed().as_secs_f64();
    // Let the server deliver (to nobody) what the warm-up wrote.
    std::thread::sleep(Duration::from_millis(500));

    let total = LATENCY_UPDATES + BURST_UPDATES;
    let ready = Arc::new(Barrier::new(SUBSCRIBERS + 1));
    let (done_tx, done_rx) = mpsc::channel();
    for _ in 0..SUBSCRIBERS {
        let (ready, topic, done_tx) = (ready.clone(), topic.clone(), done_tx.clone());
        std::thread::spawn(move || {
            let seen = subscriber(port, topic, ready, total);
            let _ = done_tx.send(seen);
        });
    }
    ready.wait();

    // Latency: spaced updates, each one's commit time recorded.
    let mut committed = vec![0u128; total];
    for (k, slot) in committed.iter_mut().enumerate().take(LATENCY_UPDATES) {
        let r = session.post(PARTITION, &json!({"description": format!("bench {k}")}));
        *slot = unix_ns();
        assert_eq!(r.status, 204);
        std::thread::sleep(SPACING);
    }
    // Throughput: back-to-back updates.
    let burst_start = unix_ns();
    for (k, slot) in committed.iter_mut().enumerate().skip(LATENCY_UPDATES) {
        let r = session.post(PARTITION, &json!({"description": format!("bench {k}")}));
        *slot = unix_ns();
        assert_eq!(r.status, 204);
    }
    let burst_written = unix_ns();
    let mut all: Vec<Seen> = Vec::new();
    for _ in 0..SUBSCRIBERS {
        all.push(done_rx.recv_timeout(Duration::from_secs(90)).unwrap());
    }
    let mut latencies_ms: Vec<f64> = Vec::new();
    let mut last_burst = burst_start;
    let mut received = 0usize;
    let mut in_order = true;
    for seen in &all {
        received += seen.len();
        in_order &= seen.windows(2).all(|w| w[0].0 < w[1].0);
        for &(k, at) in seen {
            if k < LATENCY_UPDATES {
                latencies_ms.push((at as f64 - committed[k] as f64) / 1e6);
            } else {
                last_burst = last_burst.max(at);
            }
        }
    }
    latencies_ms.sort_by(f64::total_cmp);
    let burst_secs = (last_burst - burst_start) as f64 / 1e9;
    let burst_received: usize = all
        .iter()
        .map(|s| s.iter().filter(|(k, _)| *k >= LATENCY_UPDATES).count())
        .sum();
    let delivered_rate = burst_received as f64 / burst_secs;
    let burst_write_rate = BURST_UPDATES as f64 / ((burst_written - burst_start) as f64 / 1e9);
    println!();
    println!("| measure | value |");
    println!("|---|---:|");
    println!(
        "| notifications received / expected | {received} / {} |",
        total * SUBSCRIBERS
    );
    println!("| every subscriber in commit order | {in_order} |");
    println!(
        "| latency p50 / p99 / max, ms ({LATENCY_UPDATES} updates x {SUBSCRIBERS}) | {:.1} / {:.1} / {:.1} |",
        percentile(&latencies_ms, 50.0),
        percentile(&latencies_ms, 99.0),
        latencies_ms.last().copied().unwrap_or(f64::NAN)
    );
    println!("| library update rate, nobody subscribed (updates/s) | {write_rate:.0} |");
    println!("| library update rate during the burst (updates/s) | {burst_write_rate:.0} |");
    println!(
        "| burst: notifications delivered to {SUBSCRIBERS} subscribers (per s, all together) | {delivered_rate:.0} |"
    );
    println!(
        "| burst: delivered per s / updates per s written without subscribers | {:.2} |",
        delivered_rate / write_rate
    );
    println!("load average at end: {}", loadavg());
    drop(session);
    drop(server);
    if received != total * SUBSCRIBERS || !in_order {
        std::process::exit(1);
    }
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split(' ').take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}
