//! The `mock-hmc` command line, run as a process: load, dump, init,
//! sessions, routes, and how it fails.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use std::path::Path;
use std::process::{Command, Output};

use mock_hmc::Hmc;
use mock_hmc::definition;
use serde_json::Value;
use support::{BIN, TempDb};

const DPM_EXAMPLE: &str = "tests/data/example_mocked_z16_dpm.yaml";
const CLASSIC_EXAMPLE: &str = "tests/data/example_mocked_z16_classic.yaml";

/// Runs `mock-hmc --db <db> <args>` with the default log filter.
fn run(db: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("MOCK_HMC_DB")
        .env_remove("MOCK_HMC_LOG")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn assert_ok(o: &Output) {
    assert!(o.status.success(), "failed: {}\n{}", stderr(o), stdout(o));
}

/// Asserts a failure with exit code 1 and exactly one line on stderr;
/// returns that line.
fn assert_one_line_failure(o: &Output) -> String {
    assert!(!o.status.success(), "succeeded: {}", stdout(o));
    assert_eq!(o.status.code(), Some(1), "exit code; stderr: {}", stderr(o));
    let err = stderr(o);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "stderr is not one line:\n{err}");
    assert!(lines[0].starts_with("mock-hmc: "), "{err}");
    lines[0].to_string()
}

#[test]
fn load_fills_a_new_db_and_refuses_a_second_load_unless_replace() {
    let db = TempDb::new();
    let o = run(&db.path, &["load", DPM_EXAMPLE]);
    assert_ok(&o);
    {
        let hmc = Hmc::open_unseeded(&db.path).unwrap();
        let d = hmc.dump(false).unwrap();
        assert_eq!(
            d["hmc_definition"]["cpcs"][0]["properties"]["dpm-enabled"],
            true
        );
    }

    let again = run(&db.path, &["load", CLASSIC_EXAMPLE]);
    let line = assert_one_line_failure(&again);
    assert!(line.contains("replace"), "{line}");
    let hmc = Hmc::open_unseeded(&db.path).unwrap();
    let d = hmc.dump(false).unwrap();
    assert_eq!(
        d["hmc_definition"]["cpcs"][0]["properties"]["dpm-enabled"], true,
        "a refused load changed the db"
    );

    assert_ok(&run(&db.path, &["load", "--replace", CLASSIC_EXAMPLE]));
    let d = hmc.dump(false).unwrap();
    assert_eq!(
        d["hmc_definition"]["cpcs"][0]["properties"]["dpm-enabled"],
        false
    );
}

#[test]
fn load_with_user_adds_a_user_that_can_log_on() {
    let db = TempDb::new();
    let o = run(
        &db.path,
        &[
            "load",
            DPM_EXAMPLE,
            "--user",
            "alice:secret",
            "--user",
            "bob:pw:with:colons",
        ],
    );
    assert_ok(&o);
    let hmc = Hmc::open_unseeded(&db.path).unwrap();
    let s = hmc.logon("alice", "secret").unwrap();
    assert_eq!(s.get("/api/console").status, 200);
    assert!(hmc.logon("bob", "pw:with:colons").is_ok());
    assert!(hmc.logon("alice", "wrong").is_err());
    // The example's own users have no password.
    assert!(hmc.logon("User 1", "").is_err());
}

#[test]
fn a_user_argument_without_a_password_is_refused_before_loading() {
    let db = TempDb::new();
    let o = run(&db.path, &["load", DPM_EXAMPLE, "--user", "alice"]);
    let line = assert_one_line_failure(&o);
    assert!(line.contains("NAME:PASSWORD"), "{line}");
    assert!(Hmc::open_unseeded(&db.path).unwrap().is_empty().unwrap());
}

#[test]
fn dump_to_stdout_is_yaml_that_loads_into_another_db() {
    let a = TempDb::new();
    assert_ok(&run(&a.path, &["load", DPM_EXAMPLE]));
    let dumped = run(&a.path, &["dump"]);
    assert_ok(&dumped);
    let text = stdout(&dumped);
    assert!(text.starts_with("hmc_definition:"), "{text}");
    let file = a.dir.path().join("copy.yaml");
    std::fs::write(&file, &text).unwrap();

    let b = TempDb::new();
    assert_ok(&run(&b.path, &["load", file.to_str().unwrap()]));
    let original = Hmc::open_unseeded(&a.path).unwrap().dump(true).unwrap();
    let copy = Hmc::open_unseeded(&b.path).unwrap().dump(true).unwrap();
    assert_eq!(original, copy);
    assert_eq!(definition::parse(&text).unwrap(), original);
}

#[test]
fn dump_to_a_json_file_writes_json() {
    let db = TempDb::new();
    assert_ok(&run(&db.path, &["init"]));
    let out = db.dir.path().join("x.json");
    let o = run(&db.path, &["dump", out.to_str().unwrap()]);
    assert_ok(&o);
    let text = std::fs::read_to_string(&out).unwrap();
    let v: Value = serde_json::from_str(&text).expect("dump x.json is not JSON");
    let hmc = Hmc::open_unseeded(&db.path).unwrap();
    assert_eq!(v, hmc.dump(false).unwrap());
    assert!(
        !text.contains("\"password\""),
        "passwords dumped without --with-passwords"
    );

    let with = db.dir.path().join("y.json");
    assert_ok(&run(
        &db.path,
        &["dump", "--with-passwords", with.to_str().unwrap()],
    ));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&with).unwrap()).unwrap();
    assert_eq!(v, hmc.dump(true).unwrap());
}

#[test]
fn init_fills_an_empty_db_and_refuses_a_full_one() {
    let db = TempDb::new();
    assert_ok(&run(&db.path, &["init"]));
    {
        let hmc = Hmc::open_unseeded(&db.path).unwrap();
        assert!(!hmc.is_empty().unwrap());
        assert!(hmc.logon("ensadmin", "password").is_ok());
    }
    let before = Hmc::open_unseeded(&db.path).unwrap().dump(true).unwrap();
    assert_one_line_failure(&run(&db.path, &["init"]));
    assert_eq!(
        Hmc::open_unseeded(&db.path).unwrap().dump(true).unwrap(),
        before
    );
}

#[test]
fn sessions_lists_a_session_logged_on_in_another_process() {
    let db = TempDb::new();
    assert_ok(&run(&db.path, &["init"]));
    let hmc = Hmc::open(&db.path).unwrap();
    let s = hmc.logon("ensadmin", "password").unwrap();
    let o = run(&db.path, &["sessions"]);
    assert_ok(&o);
    let out = stdout(&o);
    // Sessions are listed by their stored key (the id itself is not kept).
    let key = mock_hmc::test_support::session_key(s.id());
    let line = out
        .lines()
        .find(|l| l.contains(&key))
        .unwrap_or_else(|| panic!("session {key} not listed:\n{out}"));
    assert!(line.contains("ensadmin"), "{line}");
    s.logoff();
    let o = run(&db.path, &["sessions"]);
    assert_ok(&o);
    assert!(!stdout(&o).contains(&key), "a logged-off session is listed");
}

#[test]
fn routes_prints_the_route_table() {
    let db = TempDb::new();
    let o = run(&db.path, &["routes"]);
    assert_ok(&o);
    let out = stdout(&o);
    assert!(
        out.lines().any(|l| l.starts_with("GET    /api/version")),
        "{out}"
    );
    assert!(
        out.lines().any(|l| l.starts_with("POST   /api/sessions")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("GET    /api/partitions/{partition-id}")),
        "{out}"
    );
}

#[test]
fn a_database_that_is_not_ours_is_refused_naming_the_file() {
    let db = TempDb::new();
    {
        let c = rusqlite::Connection::open(&db.path).unwrap();
        c.execute_batch("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
            .unwrap();
    }
    for args in [
        &["init"][..],
        &["load", DPM_EXAMPLE],
        &["dump"],
        &["sessions"],
    ] {
        let o = run(&db.path, args);
        let line = assert_one_line_failure(&o);
        assert!(line.contains(db.path.to_str().unwrap()), "{args:?}: {line}");
    }
    let c = rusqlite::Connection::open(&db.path).unwrap();
    let tables: i64 = c
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(tables, 1, "the foreign db was changed");
}

#[test]
fn an_unreadable_definition_file_is_a_one_line_error() {
    let db = TempDb::new();
    let missing = db.dir.path().join("nope.yaml");
    let o = run(&db.path, &["load", missing.to_str().unwrap()]);
    let line = assert_one_line_failure(&o);
    assert!(line.contains("nope.yaml"), "{line}");

    let bad = db.dir.path().join("bad.yaml");
    std::fs::write(&bad, "hmc_definition: [unclosed\n  - x: :\n").unwrap();
    let o = run(&db.path, &["load", bad.to_str().unwrap()]);
    assert_one_line_failure(&o);
    assert!(Hmc::open_unseeded(&db.path).unwrap().is_empty().unwrap());
}

#[test]
fn a_bad_definition_file_is_a_one_line_error_naming_the_entry() {
    let db = TempDb::new();
    let bad = db.dir.path().join("float-version.yaml");
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(DPM_EXAMPLE))
        .unwrap()
        .replace("version: 2.16.0\n", "version: 2.16\n");
    std::fs::write(&bad, text).unwrap();
    let o = run(&db.path, &["load", bad.to_str().unwrap()]);
    let line = assert_one_line_failure(&o);
    assert!(line.contains("consoles[0].properties.version"), "{line}");
    assert!(Hmc::open_unseeded(&db.path).unwrap().is_empty().unwrap());
}

#[test]
fn bad_arguments_exit_non_zero() {
    let db = TempDb::new();
    for args in [
        &["frobnicate"][..],
        &["load"],
        &["serve", "--port", "not-a-port"],
        &["serve", "--cert", "c.pem"],
        &["dump", "a", "b"],
    ] {
        let o = run(&db.path, args);
        assert!(!o.status.success(), "{args:?} succeeded");
        assert!(!stderr(&o).is_empty(), "{args:?}: nothing on stderr");
    }
    let o = Command::new(BIN).output().unwrap();
    assert!(!o.status.success(), "no subcommand succeeded");
    assert!(!db.path.exists(), "bad arguments created the db");
}

/// The db file and the `-wal`/`-shm` files beside it that exist.
fn db_files(db: &Path) -> Vec<std::path::PathBuf> {
    ["", "-wal", "-shm", "-journal"]
        .iter()
        .map(|s| {
            let mut n = db.as_os_str().to_owned();
            n.push(s);
            std::path::PathBuf::from(n)
        })
        .filter(|p| p.exists())
        .collect()
}

#[test]
fn commands_that_only_read_never_create_a_db() {
    for args in [&["sessions"][..], &["sessions", "--json"], &["dump"]] {
        let db = TempDb::new();
        let line = assert_one_line_failure(&run(&db.path, args));
        assert!(line.contains(db.path.to_str().unwrap()), "{args:?}: {line}");
        assert!(line.contains("no such database"), "{args:?}: {line}");
        assert!(db_files(&db.path).is_empty(), "{args:?} created a db");
    }
}

#[test]
fn a_failed_load_or_serve_on_a_new_path_leaves_no_db_behind() {
    let db = TempDb::new();
    let bad = db.dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "hmc_definition:\n  host: h\n  api_version: '4.10'\n  consoles: []\n  cpcs:\n  - properties: {object-id: '', name: C}\n",
    )
    .unwrap();
    let line = assert_one_line_failure(&run(&db.path, &["load", bad.to_str().unwrap()]));
    assert!(
        line.contains("bad.yaml: cpcs[0].properties.object-id"),
        "{line}"
    );
    assert!(
        db_files(&db.path).is_empty(),
        "a failed load left {:?}",
        db_files(&db.path)
    );

    // A port that is taken: the error names the address, the db goes.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let line = assert_one_line_failure(&run(&db.path, &["serve", "--port", &port]));
    assert!(
        line.contains(&format!("cannot listen on 127.0.0.1:{port}")),
        "{line}"
    );
    assert!(
        db_files(&db.path).is_empty(),
        "a failed serve left {:?}",
        db_files(&db.path)
    );

    // An existing db stays, of course.
    assert_ok(&run(&db.path, &["init"]));
    assert_one_line_failure(&run(
        &db.path,
        &["load", bad.to_str().unwrap(), "--replace"],
    ));
    assert!(!Hmc::open_unseeded(&db.path).unwrap().is_empty().unwrap());
}

#[test]
fn errors_name_the_file_the_address_and_the_flag() {
    let db = TempDb::new();
    assert_ok(&run(&db.path, &["init"]));
    let missing_dir = db.dir.path().join("no-such-dir");

    let out = missing_dir.join("dump.yaml");
    let line = assert_one_line_failure(&run(&db.path, &["dump", out.to_str().unwrap()]));
    assert!(line.contains(out.to_str().unwrap()), "{line}");

    let port_file = missing_dir.join("port");
    let line = assert_one_line_failure(&run(
        &db.path,
        &[
            "serve",
            "--port",
            "0",
            // A free STOMP port: 61612 may be busy with another test's
            // server, whose warning would be a second line.
            "--stomp-port",
            "0",
            "--port-file",
            port_file.to_str().unwrap(),
        ],
    ));
    assert!(line.contains(port_file.to_str().unwrap()), "{line}");

    let not_db = db.dir.path().join("notes.txt");
    std::fs::write(&not_db, "x".repeat(4096)).unwrap();
    let line = assert_one_line_failure(&run(&not_db, &["sessions"]));
    assert!(line.contains(not_db.to_str().unwrap()), "{line}");

    let yaml = db.dir.path().join("broken.yaml");
    std::fs::write(&yaml, "hmc_definition: [\n").unwrap();
    let line = assert_one_line_failure(&run(&db.path, &["load", yaml.to_str().unwrap()]));
    assert!(line.contains("broken.yaml: invalid YAML syntax"), "{line}");

    let line = assert_one_line_failure(&run(&db.path, &["load", DPM_EXAMPLE]));
    assert!(line.contains("--replace"), "{line}");
    let line = assert_one_line_failure(&run(&db.path, &["init"]));
    assert!(!line.contains("replace"), "init has no --replace: {line}");
    assert!(line.contains(db.path.to_str().unwrap()), "{line}");
}

#[test]
fn sessions_shows_iso_8601_times_and_json() {
    let db = TempDb::new();
    assert_ok(&run(&db.path, &["init"]));
    let hmc = Hmc::open(&db.path).unwrap();
    let s = hmc.logon("ensadmin", "password").unwrap();
    let o = run(&db.path, &["sessions"]);
    assert_ok(&o);
    let text = stdout(&o);
    let year = |t: &str| t.len() == 24 && t.ends_with('Z') && t.as_bytes()[10] == b'T';
    let created = text
        .split("created ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap();
    assert!(year(created), "{text}");

    let o = run(&db.path, &["sessions", "--json"]);
    assert_ok(&o);
    let list: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let row = &list[0];
    assert_eq!(row["userid"], "ensadmin");
    assert_eq!(
        row["key"],
        mock_hmc::test_support::session_key(s.id()).as_str()
    );
    for k in ["created", "last-used", "expires"] {
        assert!(year(row[k].as_str().unwrap()), "{k}: {row}");
    }
}
