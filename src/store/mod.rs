//! The only place that speaks SQL: one SQLite file holds the whole faked HMC.
//!
//! Reads run on pooled connections inside a deferred transaction; writes run
//! on the single writer connection of this process inside `BEGIN IMMEDIATE`,
//! so a write never fails half way on a lock upgrade and writers of one
//! process never sleep in SQLite's busy handler against each other.

mod allocations;
mod console_log;
mod fixture;
mod job_policies;
mod jobs;
mod meta;
mod metrics;
mod os_messages;
mod outbox;
mod preflight;
mod profile_areas;
mod resources;
mod sessions;
mod writer;

use std::path::{Path, PathBuf};
use std::time::Duration;

use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{Connection, OpenFlags};

pub use console_log::{LogKind, LogRow};
pub use fixture::{CheckpointRow, FaultRow, JournalRow};
pub use job_policies::JobPolicyRow;
pub use jobs::JobRow;
pub use meta::META_UNAVAILABLE_UNTIL;
pub use metrics::{MetricValuesRow, MetricsContextRow};
pub use os_messages::{NewOsMessage, OsMessageFilter, OsMessageRow};
pub use outbox::{NewNotification, OutboxRow, STATUS_PROPERTIES, status_report};
pub use profile_areas::ExportedProfile;
#[cfg(test)]
pub(crate) use resources::test_resource;
pub use resources::{Head, Props, Resource};
pub use sessions::SessionRow;

const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/0001_init.sql"),
    include_str!("../../migrations/0002_hashed_session_ids.sql"),
    include_str!("../../migrations/0006_sibling_names.sql"),
    include_str!("../../migrations/0007_console.sql"),
    include_str!("../../migrations/0008_classic.sql"),
    include_str!("../../migrations/0009_fixture.sql"),
    include_str!("../../migrations/0010_metrics_notifications.sql"),
    include_str!("../../migrations/0011_fixture_jobs.sql"),
    include_str!("../../migrations/0012_fault_effects.sql"),
    include_str!("../../migrations/0013_journal_test_index.sql"),
    include_str!("../../migrations/0014_cpc_mode_index.sql"),
    include_str!("../../migrations/0015_references.sql"),
];

/// `PRAGMA application_id` of a mock-hmc database ("HMC!").
const APPLICATION_ID: i64 = 0x484D_4321;

/// How long a connection waits for another process's write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Failures of the storage layer. They are never a client's fault: dispatch
/// logs them and answers 500.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("connection pool: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("stored JSON is invalid: {0}")]
    Json(#[from] serde_json::Error),
    #[error("cannot open {}: {source}", path.display())]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("cannot create {}: {source}", path.display())]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: no such database (serve, init or load create one)", .0.display())]
    Missing(PathBuf),
    #[error("{0} is not a mock-hmc database (it holds other tables)")]
    NotOurs(PathBuf),
    #[error("{path} has schema version {found}, newer than this mock-hmc ({known})")]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("a resource with URI {0} already exists")]
    Duplicate(String),
    #[error("commit failed: {0}")]
    Commit(String),
}

/// The database of one faked HMC.
pub struct Store {
    path: PathBuf,
    readers: r2d2::Pool<SqliteConnectionManager>,
    writer: writer::Writer,
}

/// An open transaction. Handlers reach the database only through it.
pub struct Tx<'c> {
    conn: &'c Connection,
    /// Whether a notification listener is alive, once asked: an Update asks
    /// before it changes and again when it saves.
    listened: std::cell::Cell<Option<bool>>,
}

impl<'c> Tx<'c> {
    fn new(conn: &'c Connection) -> Tx<'c> {
        Tx {
            conn,
            listened: std::cell::Cell::new(None),
        }
    }
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // Room for every statement the store prepares (about 60), so that a
    // mix of requests does not evict each other's (rusqlite keeps 16).
    conn.set_prepared_statement_cache_capacity(128);
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // Overwrite deleted content where that costs no extra I/O, so a value
    // replaced in place (a password hashed at open) does not linger in the
    // page's free space.
    conn.pragma_update(None, "secure_delete", "FAST")?;
    Ok(())
}

/// `configure`, for a connection that writes resources. Such a write
/// fires triggers (migration 0015), so SQLite keeps a statement journal
/// for it, which spilled to a temporary file beyond 64 KiB: a `load` of
/// 10,000 resources made 190,000 writes instead of 15,000. Only writers
/// keep temporary data in memory: a reader's sort of a large answer stays
/// on disk, out of serve's memory.
fn configure_writer(conn: &Connection) -> rusqlite::Result<()> {
    configure(conn)?;
    conn.pragma_update(None, "temp_store", "MEMORY")
}

impl Store {
    /// Connections in the reader pool. Every request holds one (a read) or
    /// waits for the one writer, so this is also how many requests the
    /// server runs at once: more blocking threads would only queue for a
    /// connection.
    pub const CONNECTIONS: usize = 8;

    /// Opens the database at `path`, creating it (readable by its owner
    /// only) if missing, and brings its schema up to date. Refuses a file
    /// that holds someone else's tables; errors name the file.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::open_with(path, true)
    }

    /// Like `open`, but a missing file is an error (and is not created).
    pub fn open_existing(path: &Path) -> Result<Store, StoreError> {
        Store::open_with(path, false)
    }

    fn open_with(path: &Path, create: bool) -> Result<Store, StoreError> {
        let opened = Store::open_file(path, create);
        opened.map_err(|e| match e {
            StoreError::Sqlite(source) => StoreError::Open {
                path: path.to_path_buf(),
                source,
            },
            other => other,
        })
    }

    fn open_file(path: &Path, create: bool) -> Result<Store, StoreError> {
        if !path.exists() {
            if !create {
                return Err(StoreError::Missing(path.to_path_buf()));
            }
            create_private(path)?;
        }
        let mut writer = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        configure_writer(&writer)?;
        // Processes that open a brand-new file at once contend for the
        // locks that switching to WAL and migrating take; SQLite reports
        // some of those conflicts as SQLITE_BUSY at once, without waiting
        // in the busy handler (lock upgrades that could deadlock), so the
        // open retries them within the busy timeout.
        retry_while_busy(|| Ok(writer.pragma_update(None, "journal_mode", "WAL")?))?;
        retry_while_busy(|| migrate(&mut writer, path))?;
        let manager = SqliteConnectionManager::file(path)
            .with_flags(OpenFlags::SQLITE_OPEN_READ_WRITE)
            .with_init(|c| configure(c));
        // No test query at each check-out: a connection to a local file
        // does not go stale, and r2d2_sqlite's test prepared a statement
        // for every read (6.5% of a List's CPU time).
        let readers = r2d2::Pool::builder()
            .max_size(Store::CONNECTIONS as u32)
            .min_idle(Some(0))
            .test_on_check_out(false)
            .build(manager)?;
        Ok(Store {
            path: path.to_path_buf(),
            readers,
            writer: writer::Writer::new(writer),
        })
    }

    /// The file this store lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in a read transaction: one consistent snapshot.
    pub fn read<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&Tx<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let conn = self.readers.get().map_err(StoreError::from)?;
        writer::run(&conn, "BEGIN").map_err(StoreError::from)?;
        let result = f(&Tx::new(&conn));
        // A read transaction has nothing to keep; ending it is all we need.
        let _ = writer::run(&conn, "ROLLBACK");
        result
    }

    /// Runs `f` as one write transaction (`BEGIN IMMEDIATE`): committed
    /// before `Ok` returns, rolled back on `Err`, so an error leaves no
    /// trace. Concurrent writes of this process share a commit (see
    /// `writer`), each in a savepoint of its own.
    pub fn write<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&Tx<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        self.writer.write(f)
    }

    /// Moves the WAL into the main file and truncates it (at shutdown or when
    /// idle), so the `-wal` file does not grow without bound.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        self.writer.exclusive(|conn| {
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
            Ok(())
        })
    }
}

/// Creates an empty file at `path` that only its owner can read and write:
/// the db holds the TLS private key and (hashed) secrets. SQLite gives its
/// `-wal` and `-shm` files the mode of the db file. Another process may
/// create it at the same moment; then that one's file is used.
fn create_private(path: &Path) -> Result<(), StoreError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(StoreError::Create {
            path: path.to_path_buf(),
            source: e,
        }),
    }
}

impl Tx<'_> {
    /// Runs one statement through the statement cache (a statement with
    /// foreign-key actions, like the DELETE of a resource, costs more to
    /// prepare than to run); the number of rows it changed.
    fn exec(&self, sql: &str, params: impl rusqlite::Params) -> rusqlite::Result<usize> {
        self.conn.prepare_cached(sql)?.execute(params)
    }

    /// Runs `f` inside a savepoint of this transaction: an `Err` undoes what
    /// `f` changed and nothing else; savepoints nest.
    pub fn in_savepoint<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&Tx<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        self.conn
            .execute_batch("SAVEPOINT nested")
            .map_err(StoreError::from)?;
        let result = f(self);
        let end = if result.is_ok() {
            "RELEASE nested"
        } else {
            "ROLLBACK TO nested; RELEASE nested"
        };
        self.conn.execute_batch(end).map_err(StoreError::from)?;
        result
    }
}

/// Runs `f` again while it fails with SQLITE_BUSY, for at most the busy
/// timeout.
fn retry_while_busy<T>(mut f: impl FnMut() -> Result<T, StoreError>) -> Result<T, StoreError> {
    let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
    loop {
        match f() {
            Err(e) => {
                let busy = matches!(
                    &e,
                    StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _))
                        if f.code == rusqlite::ErrorCode::DatabaseBusy
                );
                if !busy || std::time::Instant::now() >= deadline {
                    return Err(e);
                }
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            ok => return ok,
        }
    }
}

fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let app_id: i64 = tx.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    let tables: i64 = tx.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
    if app_id != APPLICATION_ID && (tables > 0 || version > 0) {
        return Err(StoreError::NotOurs(path.to_path_buf()));
    }
    let known = MIGRATIONS.len() as i64;
    if version > known {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found: version,
            known,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_references_migration_finds_the_lists_of_an_older_db() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.sqlite");
        {
            // A db as the previous schema left it, with a checkpoint.
            let conn = Connection::open(&path).unwrap();
            let before = MIGRATIONS.len() - 1;
            for sql in &MIGRATIONS[..before] {
                conn.execute_batch(sql).unwrap();
            }
            conn.pragma_update(None, "user_version", before as i64)
                .unwrap();
            conn.execute_batch(
                r#"INSERT INTO resources (uri, class, properties, seq)
                       VALUES ('/p', 'partition', '{"nic-uris": ["/p/n"]}', 1);
                   INSERT INTO resources (uri, class, parent_uri, properties, seq)
                       VALUES ('/p/n', 'nic', '/p', '{}', 2);
                   INSERT INTO checkpoints VALUES ('cp', 0);
                   INSERT INTO checkpoint_resources SELECT 'cp', uri, class, parent_uri, name,
                       properties, seq FROM resources;"#,
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        let counts = |tx: &Tx<'_>| {
            let n = |sql: &str| tx.conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
            (
                n("SELECT count(*) FROM resource_references WHERE target_uri = '/p/n'"),
                n("SELECT count(*) FROM checkpoint_resource_references WHERE target_uri = '/p/n'"),
            )
        };
        assert_eq!(
            store.read(|tx| Ok::<_, StoreError>(counts(tx))).unwrap(),
            (1, 1)
        );
        store.write(|tx| tx.delete_resource("/p/n")).unwrap();
        let left = store.read(|tx| tx.resource("/p")).unwrap().unwrap();
        assert_eq!(left.props["nic-uris"], serde_json::json!([]));
    }

    #[test]
    fn the_bundled_sqlite_keeps_no_process_wide_lock_on_pages_or_allocations() {
        // Built with `.cargo/config.toml`'s LIBSQLITE3_FLAGS: without them
        // every connection's page cache shares one LRU behind one mutex
        // and every allocation takes the memory-statistics mutex.
        let conn = Connection::open_in_memory().unwrap();
        let mut stmt = conn.prepare("PRAGMA compile_options").unwrap();
        let options: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(
            options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"),
            "{options:?}"
        );
        assert!(
            !options.iter().any(|o| o == "ENABLE_MEMORY_MANAGEMENT"),
            "{options:?}"
        );
    }

    #[test]
    fn open_creates_schema_and_reopen_applies_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.sqlite");
        let s = Store::open(&path).unwrap();
        drop(s);
        let s = Store::open(&path).unwrap();
        let v: i64 = s
            .read(|tx| {
                Ok::<_, StoreError>(tx.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
            })
            .unwrap();
        assert_eq!(v, MIGRATIONS.len() as i64);
    }

    #[test]
    fn foreign_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.sqlite");
        let c = Connection::open(&path).unwrap();
        c.execute_batch("CREATE TABLE t(x)").unwrap();
        drop(c);
        assert!(matches!(Store::open(&path), Err(StoreError::NotOurs(_))));
    }

    #[test]
    fn failed_write_leaves_no_trace() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("a.sqlite")).unwrap();
        let r: Result<(), StoreError> = s.write(|tx| {
            tx.set_meta("k", "v")?;
            Err(StoreError::Duplicate("k".into()))
        });
        assert!(r.is_err());
        let v = s.read(|tx| tx.meta("k")).unwrap();
        assert_eq!(v, None);
    }
}
