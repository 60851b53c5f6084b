//! Several OS processes share one HMC through one SQLite file: library
//! workers (this test binary re-executed) and `mock-hmc serve` processes.
//!
//! A worker is a test of this binary that does nothing unless
//! `MOCK_HMC_WORKER` is set; the parent starts it with
//! `--exact <name> --nocapture` and that variable set to `<db>|<index>`.
//! Workers wait for a `go` file beside the db so they run at the same time,
//! and write what they did to `worker-<index>.json` beside the db.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use mock_hmc::Hmc;
use mock_hmc::test_support::{StoreError, store};
use serde_json::{Value, json};
use support::helpers::{create, delete, get, props};
use support::{Client, Server, TempDb};

const WORKERS: usize = 4;
const PARTITIONS_PER_WORKER: usize = 8;
const NICS_PER_PARTITION: usize = 3;
const NICS_PER_WORKER: usize = 15;
const VSWITCH: &str = "/api/virtual-switches/vswitch-osa-0108";
/// NICs and HBAs each worker creates in the shared partition.
const ADAPTERS_PER_WORKER: usize = 8;
const FCP_PORT: &str = "/api/adapters/fcp-0118/storage-ports/0";
/// Partitions of the default HMC's DPM CPC.
const DEFAULT_PARTITIONS: usize = 2;

/// What one worker did.
#[derive(Default)]
struct Outcome {
    failures: Vec<String>,
    created: Vec<String>,
}

impl Outcome {
    /// POSTs `body` to `uri`; records the new URI (201) or the failure.
    fn create(&mut self, s: &mock_hmc::Session<'_>, uri: &str, body: &Value) -> Option<String> {
        let r = s.post(uri, body);
        let json = r.json().cloned().unwrap_or(Value::Null);
        if r.status != 201 {
            self.failures
                .push(format!("POST {uri} {body}: {} {json}", r.status));
            return None;
        }
        let created = json
            .get("object-uri")
            .or_else(|| json.get("element-uri"))
            .and_then(Value::as_str)
            .map(str::to_string);
        match &created {
            Some(u) => self.created.push(u.clone()),
            None => self.failures.push(format!("POST {uri}: no URI in {json}")),
        }
        created
    }

    fn write(&self, dir: &Path, index: usize) {
        let text = json!({"failures": self.failures, "created": self.created}).to_string();
        let tmp = dir.join(format!("worker-{index}.tmp"));
        std::fs::write(&tmp, text).unwrap();
        std::fs::rename(tmp, dir.join(format!("worker-{index}.json"))).unwrap();
    }
}

/// `(db, index)` when this process is a worker.
fn worker_env() -> Option<(PathBuf, usize)> {
    let v = std::env::var("MOCK_HMC_WORKER").ok()?;
    let (db, index) = v.rsplit_once('|')?;
    Some((PathBuf::from(db), index.parse().ok()?))
}

fn wait_for_go(dir: &Path) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !dir.join("go").exists() {
        assert!(Instant::now() < deadline, "no go signal");
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn dpm_cpc(s: &mock_hmc::Session<'_>) -> String {
    let cpcs = s.get_json("/api/cpcs?name=DPM1").unwrap();
    cpcs["cpcs"][0]["object-uri"].as_str().unwrap().to_string()
}

/// Runs `worker` (a test of this binary) in `WORKERS` processes on `db`, all
/// at once, and returns the URIs they created; panics if a worker failed.
fn run_workers(worker: &str, db: &Path) -> Vec<String> {
    let dir = db.parent().unwrap();
    let _ = std::fs::remove_file(dir.join("go"));
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..WORKERS)
        .map(|i| {
            Command::new(&exe)
                .args(["--exact", worker, "--nocapture", "--test-threads", "1"])
                .env("MOCK_HMC_WORKER", format!("{}|{i}", db.display()))
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    std::fs::write(dir.join("go"), "").unwrap();
    let mut created = Vec::new();
    for (i, child) in children.into_iter().enumerate() {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "worker {i} failed: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let text = std::fs::read_to_string(dir.join(format!("worker-{i}.json")))
            .unwrap_or_else(|e| panic!("worker {i} wrote no result ({e}); did it run?"));
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["failures"], json!([]), "worker {i} had failed requests");
        for u in v["created"].as_array().unwrap() {
            created.push(u.as_str().unwrap().to_string());
        }
    }
    created
}

/// Creates partition `shared` on the DPM CPC of the default HMC in `db`
/// and names it in the `partition` file the workers read; returns its URI.
fn create_shared_partition(db: &TempDb) -> String {
    let hmc = Hmc::open(&db.path).unwrap();
    let s = hmc.logon("ensadmin", "password").unwrap();
    let r = s.post(
        &format!("{}/partitions", dpm_cpc(&s)),
        &json!({"name": "shared", "initial-memory": 1024, "maximum-memory": 1024,
                "ifl-processors": 1}),
    );
    assert_eq!(r.status, 201, "{:?}", r.json());
    let partition = r.json().unwrap()["object-uri"]
        .as_str()
        .unwrap()
        .to_string();
    std::fs::write(db.dir.path().join("partition"), &partition).unwrap();
    partition
}

fn all_of_class(hmc: &Hmc, class: &str) -> Vec<mock_hmc::test_support::Resource> {
    store(hmc)
        .read(|tx| -> Result<_, StoreError> { tx.resources_of_class(class) })
        .unwrap()
}

// ---- workers -------------------------------------------------------------

#[test]
fn worker_creating_partitions_with_nics() {
    let Some((db, index)) = worker_env() else {
        return;
    };
    let dir = db.parent().unwrap();
    wait_for_go(dir);
    // All workers open the brand-new db at once (migration and seeding race).
    let hmc = Hmc::open(&db).unwrap();
    let s = hmc.logon("ensadmin", "password").unwrap();
    let cpc = dpm_cpc(&s);
    let mut outcome = Outcome::default();
    for j in 0..PARTITIONS_PER_WORKER {
        let body = json!({
            "name": format!("w{index}-p{j}"),
            "initial-memory": 1024,
            "maximum-memory": 2048,
            "ifl-processors": 1,
        });
        let Some(p) = outcome.create(&s, &format!("{cpc}/partitions"), &body) else {
            continue;
        };
        for k in 0..NICS_PER_PARTITION {
            let body = json!({"name": format!("nic{k}"), "virtual-switch-uri": VSWITCH});
            outcome.create(&s, &format!("{p}/nics"), &body);
        }
    }
    outcome.write(dir, index);
}

/// When this process is a worker: logs on to the db, waits for the go
/// signal, runs `work(session, partition, index, outcome)` on the partition
/// named in the `partition` file beside the db, and writes the outcome.
fn work_in_shared_partition(work: impl FnOnce(&mock_hmc::Session<'_>, &str, usize, &mut Outcome)) {
    let Some((db, index)) = worker_env() else {
        return;
    };
    let dir = db.parent().unwrap();
    let partition = std::fs::read_to_string(dir.join("partition")).unwrap();
    let hmc = Hmc::open(&db).unwrap();
    let s = hmc.logon("ensadmin", "password").unwrap();
    wait_for_go(dir);
    let mut outcome = Outcome::default();
    work(&s, &partition, index, &mut outcome);
    outcome.write(dir, index);
}

#[test]
fn worker_creating_nics_in_one_partition() {
    work_in_shared_partition(|s, partition, index, outcome| {
        for j in 0..NICS_PER_WORKER {
            let body = json!({"name": format!("w{index}-n{j}"), "virtual-switch-uri": VSWITCH});
            outcome.create(s, &format!("{partition}/nics"), &body);
        }
    });
}

#[test]
fn worker_creating_nics_and_hbas_in_one_partition() {
    work_in_shared_partition(|s, partition, index, outcome| {
        for j in 0..ADAPTERS_PER_WORKER {
            let nic = json!({"name": format!("w{index}-n{j}"), "virtual-switch-uri": VSWITCH});
            outcome.create(s, &format!("{partition}/nics"), &nic);
            let hba = json!({"name": format!("w{index}-h{j}"), "adapter-port-uri": FCP_PORT});
            outcome.create(s, &format!("{partition}/hbas"), &hba);
        }
    });
}

// ---- tests -----------------------------------------------------------------

#[test]
fn processes_creating_partitions_and_nics_at_once_lose_nothing_and_share_no_ids() {
    if worker_env().is_some() {
        return;
    }
    let db = TempDb::new();
    let created = run_workers("worker_creating_partitions_with_nics", &db.path);
    let expected = WORKERS * PARTITIONS_PER_WORKER * (1 + NICS_PER_PARTITION);
    assert_eq!(
        created.len(),
        expected,
        "created URIs reported by the workers"
    );

    let hmc = Hmc::open(&db.path).unwrap();
    // One default HMC was seeded, not one per process.
    assert_eq!(
        all_of_class(&hmc, "cpc").len(),
        2,
        "CPCs after concurrent seeding"
    );
    let s = hmc.logon("ensadmin", "password").unwrap();
    let cpc = dpm_cpc(&s);
    let listed = s.get_json(&format!("{cpc}/partitions")).unwrap();
    let listed = listed["partitions"].as_array().unwrap();
    assert_eq!(
        listed.len(),
        DEFAULT_PARTITIONS + WORKERS * PARTITIONS_PER_WORKER
    );
    for i in 0..WORKERS {
        for j in 0..PARTITIONS_PER_WORKER {
            let name = format!("w{i}-p{j}");
            assert!(
                listed.iter().any(|p| p["name"] == name.as_str()),
                "{name} missing"
            );
        }
    }
    for uri in &created {
        assert_eq!(
            s.get(uri).status,
            200,
            "{uri} reported created but not found"
        );
    }

    let partitions = all_of_class(&hmc, "partition");
    let mut object_ids = HashSet::new();
    let mut partition_ids = HashSet::new();
    for p in &partitions {
        assert!(
            object_ids.insert(p.props["object-id"].clone()),
            "object-id reused: {}",
            p.uri
        );
        let pid = &p.props["partition-id"];
        assert!(
            partition_ids.insert(pid.clone()),
            "partition-id {pid} reused: {}",
            p.uri
        );
    }
    let nics = all_of_class(&hmc, "nic");
    let mut nic_uris = HashSet::new();
    for n in &nics {
        assert!(nic_uris.insert(n.uri.clone()), "NIC URI twice: {}", n.uri);
    }
    for p in partitions
        .iter()
        .filter(|p| p.props["name"].as_str().unwrap().starts_with('w'))
    {
        let back: Vec<&str> = p.props["nic-uris"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(back.len(), NICS_PER_PARTITION, "nic-uris of {}", p.uri);
        let mut devnos = HashSet::new();
        for n in nics
            .iter()
            .filter(|n| n.parent.as_deref() == Some(p.uri.as_str()))
        {
            assert!(back.contains(&n.uri.as_str()), "{} not in nic-uris", n.uri);
            let d = n.props["device-number"].as_str().unwrap().to_string();
            assert!(
                devnos.insert(d.clone()),
                "device number {d} twice in {}",
                p.uri
            );
        }
        assert_eq!(devnos.len(), NICS_PER_PARTITION, "NICs of {}", p.uri);
    }
    let vswitch = s.get_json(VSWITCH).unwrap();
    let connected = vswitch["connected-vnic-uris"].as_array().unwrap();
    for n in nics
        .iter()
        .filter(|n| n.props.get("virtual-switch-uri") == Some(&json!(VSWITCH)))
    {
        assert!(
            connected.iter().any(|c| c == n.uri.as_str()),
            "{} not connected",
            n.uri
        );
    }
}

#[test]
fn processes_creating_nics_in_the_same_partition_get_distinct_device_numbers() {
    if worker_env().is_some() {
        return;
    }
    let db = TempDb::new();
    let partition = create_shared_partition(&db);
    let created = run_workers("worker_creating_nics_in_one_partition", &db.path);
    assert_eq!(created.len(), WORKERS * NICS_PER_WORKER);

    let hmc = Hmc::open(&db.path).unwrap();
    let s = hmc.logon("ensadmin", "password").unwrap();
    let p = s.get_json(&partition).unwrap();
    let back: HashSet<&str> = p["nic-uris"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        back.len(),
        WORKERS * NICS_PER_WORKER,
        "nic-uris lost entries"
    );
    assert_eq!(
        p["nic-uris"].as_array().unwrap().len(),
        back.len(),
        "nic-uris repeats"
    );
    let mut devnos = HashSet::new();
    for uri in &created {
        assert!(back.contains(uri.as_str()), "{uri} not in nic-uris");
        let nic = s.get_json(uri).unwrap();
        let d = nic["device-number"].as_str().unwrap().to_string();
        assert!(
            devnos.insert(d.clone()),
            "device number {d} handed out twice"
        );
    }
    assert_eq!(devnos.len(), WORKERS * NICS_PER_WORKER);
}

#[test]
fn processes_creating_nics_and_hbas_in_one_partition_share_no_device_number_or_wwpn() {
    if worker_env().is_some() {
        return;
    }
    // Arrange
    let db = TempDb::new();
    let partition = create_shared_partition(&db);

    // Act (run_workers asserts that every create succeeded)
    let created = run_workers("worker_creating_nics_and_hbas_in_one_partition", &db.path);

    // Assert
    assert_eq!(created.len(), WORKERS * ADAPTERS_PER_WORKER * 2);
    let hmc = Hmc::open(&db.path).unwrap();
    let s = hmc.logon("ensadmin", "password").unwrap();
    let p = s.get_json(&partition).unwrap();
    let listed = |prop: &str| -> HashSet<String> {
        p[prop]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    let (nic_uris, hba_uris) = (listed("nic-uris"), listed("hba-uris"));
    assert_eq!(nic_uris.len(), WORKERS * ADAPTERS_PER_WORKER, "nic-uris");
    assert_eq!(hba_uris.len(), WORKERS * ADAPTERS_PER_WORKER, "hba-uris");
    let mut devnos = HashSet::new();
    let mut wwpns = HashSet::new();
    for uri in &created {
        assert!(
            nic_uris.contains(uri) || hba_uris.contains(uri),
            "{uri} not listed by the partition"
        );
        let r = s.get_json(uri).unwrap();
        let d = r["device-number"].as_str().unwrap().to_string();
        assert!(
            devnos.insert(d.clone()),
            "device number {d} handed out twice"
        );
        if hba_uris.contains(uri) {
            let w = r["wwpn"].as_str().unwrap().to_string();
            assert!(wwpns.insert(w.clone()), "WWPN {w} handed out twice");
        }
    }
    assert_eq!(devnos.len(), created.len());
    assert_eq!(wwpns.len(), WORKERS * ADAPTERS_PER_WORKER);
}

#[test]
fn two_servers_on_one_db_share_resources_and_sessions() {
    if worker_env().is_some() {
        return;
    }
    let db = TempDb::new();
    let a = Server::start(&db.path, true, &[]);
    let b = Server::start(&db.path, true, &[]);
    assert_ne!(a.port, b.port);

    // A session made through one server is valid on the other.
    let session = a.logon("ensadmin", "password");
    let s = session.as_str();
    let console = get(&b, s, "/api/console");
    assert_eq!(console.status, 200, "{:?}", console.body);

    // A partition created through one is visible through the other.
    let cpcs = props(&b, s, "/api/cpcs?name=DPM1");
    let cpc = cpcs["cpcs"][0]["object-uri"].as_str().unwrap();
    let uri = create(
        &a,
        s,
        &format!("{cpc}/partitions"),
        json!({"name": "via-a", "initial-memory": 1024, "maximum-memory": 1024,
               "ifl-processors": 1}),
    );
    assert_eq!(props(&b, s, &uri)["name"], "via-a");
    let listed = props(&b, s, &format!("{cpc}/partitions?name=via-a"));
    assert_eq!(listed["partitions"].as_array().unwrap().len(), 1);

    // Logoff through the other server ends it for both.
    let off = delete(&b, s, "/api/sessions/this-session");
    assert_eq!(off.status, 204, "{:?}", off.body);
    let after = get(&a, s, "/api/console");
    assert_eq!(after.code(), (403, 5), "{:?}", after.body);
}
