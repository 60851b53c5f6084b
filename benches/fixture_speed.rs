//! How fast a test gets a fresh HMC: by `fork` (a new db file with the
//! state of a golden one, then opened) and by checkpoint restore (`reset`
//! to the state the db was loaded with), through the library and through
//! the CLI, against zhmcclient's `FakedSession.from_hmc_yaml_file` of the
//! same file (what a zhmcclient test does per test), for each definition
//! file in `MOCK_HMC_BENCH_EXAMPLES` (default: `../shared/examples`, when
//! there) and for a generated file of about 1,000 resources
//! (`benches/common/generated.rs`). Each time is the median of
//! `MOCK_HMC_BENCH_REPS` (default 15) repetitions; the goal is >= 10x.
//!
//! `cargo bench --bench fixture_speed`.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "benchmark")]

#[path = "common/generated.rs"]
mod generated;
#[path = "common/python.rs"]
mod python;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use mock_hmc::Hmc;

/// The mock-hmc binary of this build.
const BIN: &str = env!("CARGO_BIN_EXE_mock-hmc");

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(default)
}

/// The median of `reps` runs of `f`, each given its repetition number.
fn median(reps: usize, mut f: impl FnMut(usize) -> Duration) -> Duration {
    let mut times: Vec<Duration> = (0..reps).map(&mut f).collect();
    times.sort_unstable();
    times[times.len() / 2]
}

/// Runs the CLI, which must succeed.
fn cli(args: &[&std::ffi::OsStr]) {
    let out = Command::new(BIN)
        .args(args)
        .env("MOCK_HMC_LOG", "warn")
        .output()
        .expect("run mock-hmc");
    assert!(
        out.status.success(),
        "mock-hmc {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

struct Row {
    name: String,
    resources: i64,
    load: Duration,
    faked: Option<Duration>,
    fork: Duration,
    restore: Duration,
    cli_fork: Duration,
    cli_reset: Duration,
}

fn main() {
    let reps: usize = env_or("MOCK_HMC_BENCH_REPS", 15).max(1);
    let generated: usize = env_or("MOCK_HMC_BENCH_FIXTURE_RESOURCES", 1_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let examples = std::env::var("MOCK_HMC_BENCH_EXAMPLES").map_or_else(
        |_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/examples"),
        PathBuf::from,
    );
    let mut files: Vec<(String, PathBuf)> = std::fs::read_dir(&examples)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
                .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), p))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let layout = generated::Layout::for_resources(generated);
    let gen_path = dir.path().join("generated.yaml");
    std::fs::write(
        &gen_path,
        serde_json::to_string_pretty(&layout.definition()).unwrap(),
    )
    .unwrap();
    files.push((
        format!("generated ({} resources)", layout.resources),
        gen_path,
    ));
    println!(
        "mock-hmc fixture speed: a fresh HMC per test, median of {reps} repetitions, \
         examples from {}",
        examples.display()
    );

    let python = python::zhmcclient_python();
    let mut rows = Vec::new();
    for (i, (name, file)) in files.iter().enumerate() {
        let golden = dir.path().join(format!("golden-{i}.sqlite"));
        let t0 = Instant::now();
        let hmc = Hmc::open_unseeded(&golden).expect("open");
        let text = std::fs::read_to_string(file).expect("read definition");
        let def = mock_hmc::definition::parse(&text).expect("parse");
        hmc.load(&def, false).expect("load");
        let load = t0.elapsed();
        hmc.checkpoint().expect("wal checkpoint");
        let resources = hmc
            .dump(false)
            .map(|d| count_resources(&d))
            .unwrap_or_default();
        let faked = python
            .as_deref()
            .map(|py| python::faked_session_load(py, file, reps));

        // Library fork: what a test fixture does to get its own db.
        let fork = median(reps, |k| {
            let to = dir.path().join(format!("fork-{i}-{k}.sqlite"));
            let t0 = Instant::now();
            hmc.fork(&to, None).expect("fork");
            let t1 = Instant::now();
            let forked = Hmc::open_existing(&to).expect("open fork");
            let t = t0.elapsed();
            if k == 0 {
                eprintln!(
                    "  {name}: fork {:.2} ms, open {:.2} ms",
                    (t1 - t0).as_secs_f64() * 1e3,
                    t1.elapsed().as_secs_f64() * 1e3
                );
            }
            drop(forked);
            remove_db(&to);
            t
        });
        // Library restore, after the test changed something.
        let restore = median(reps, |k| {
            change(&hmc, k);
            let t0 = Instant::now();
            hmc.reset().expect("reset");
            t0.elapsed()
        });
        let golden_os = golden.as_os_str();
        let cli_fork = median(reps, |k| {
            let to = dir.path().join(format!("cli-fork-{i}-{k}.sqlite"));
            let t0 = Instant::now();
            cli(&[
                "--db".as_ref(),
                golden_os,
                "fork".as_ref(),
                "--to".as_ref(),
                to.as_os_str(),
            ]);
            let t = t0.elapsed();
            remove_db(&to);
            t
        });
        let cli_reset = median(reps, |k| {
            change(&hmc, k);
            let t0 = Instant::now();
            cli(&["--db".as_ref(), golden_os, "reset".as_ref()]);
            t0.elapsed()
        });
        eprintln!("  {name}: done");
        rows.push(Row {
            name: name.clone(),
            resources,
            load,
            faked,
            fork,
            restore,
            cli_fork,
            cli_reset,
        });
    }

    println!();
    println!(
        "| file | resources | load (once) | FakedSession.from_hmc_yaml_file | fork + open \
         | restore (reset) | CLI fork | CLI reset | goal |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---|");
    let ms = |d: Duration| format!("{:.2} ms", d.as_secs_f64() * 1e3);
    for r in &rows {
        let vs = |d: Duration| match r.faked {
            Some(f) => format!("{} ({:.1}x)", ms(d), f.as_secs_f64() / d.as_secs_f64()),
            None => ms(d),
        };
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | >= 10x |",
            r.name,
            r.resources,
            ms(r.load),
            r.faked.map_or_else(|| python::NO_PYTHON.to_string(), ms),
            vs(r.fork),
            vs(r.restore),
            vs(r.cli_fork),
            vs(r.cli_reset),
        );
    }
    println!();
    println!(
        "(Nx) = FakedSession.from_hmc_yaml_file time / the row's time; the CLI columns \
         include starting the mock-hmc process."
    );
}

/// Resources in a `dump` (every `properties` object).
fn count_resources(v: &serde_json::Value) -> i64 {
    match v {
        serde_json::Value::Object(m) => m
            .iter()
            .map(|(k, v)| i64::from(k == "properties") + count_resources(v))
            .sum(),
        serde_json::Value::Array(items) => items.iter().map(count_resources).sum(),
        _ => 0,
    }
}

/// What a test does to the HMC before it is restored: a change (here a
/// user added or its password changed).
fn change(hmc: &Hmc, k: usize) {
    hmc.set_user_password("bench", &format!("pw{k}"))
        .expect("user");
}

/// Removes a db file and its WAL companions.
fn remove_db(path: &Path) {
    for ext in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(ext);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}
