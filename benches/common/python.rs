//! zhmcclient's own loader, the baseline of load and fixture timings:
//! `FakedSession.from_hmc_yaml_file` run by a python that has zhmcclient
//! (`MOCK_HMC_BENCH_PYTHON`, else the venv `tests/python/run.sh` creates).

#![allow(dead_code, reason = "each bench uses a different part")]

use std::path::Path;
use std::time::Duration;

/// The python interpreter that has zhmcclient: `MOCK_HMC_BENCH_PYTHON`,
/// else `target/pyvenv`; `None` when neither imports `zhmcclient.mock`.
pub fn zhmcclient_python() -> Option<String> {
    let python = std::env::var("MOCK_HMC_BENCH_PYTHON")
        .unwrap_or_else(|_| format!("{}/target/pyvenv/bin/python", env!("CARGO_MANIFEST_DIR")));
    let ok = std::process::Command::new(&python)
        .args(["-c", "import zhmcclient.mock"])
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then_some(python)
}

/// What a row says when there is no such python.
pub const NO_PYTHON: &str =
    "skipped: no python with zhmcclient (tests/python/run.sh -k nothing, or MOCK_HMC_BENCH_PYTHON)";

/// The median time of `reps` calls of `FakedSession.from_hmc_yaml_file`
/// of `path` in one python process (timed inside python, so without the
/// interpreter's start and imports; the first call is a warm-up when
/// `reps` > 1).
pub fn faked_session_load(python: &str, path: &Path, reps: usize) -> Duration {
    let script = "import sys, time\n\
                  import zhmcclient.mock\n\
                  reps = int(sys.argv[2])\n\
                  times = []\n\
                  for i in range(reps + (1 if reps > 1 else 0)):\n\
                  \x20   t0 = time.perf_counter()\n\
                  \x20   zhmcclient.mock.FakedSession.from_hmc_yaml_file(sys.argv[1])\n\
                  \x20   times.append(time.perf_counter() - t0)\n\
                  times = sorted(times[1:] if reps > 1 else times)\n\
                  print(times[len(times) // 2])\n";
    let out = std::process::Command::new(python)
        .arg("-c")
        .arg(script)
        .arg(path)
        .arg(reps.to_string())
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
