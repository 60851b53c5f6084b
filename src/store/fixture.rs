//! SQL for the fixture tables (issue 11): checkpoints of the HMC state, the
//! clock offset and fault rules.

use rusqlite::{OptionalExtension, params};
use serde_json::{Map, Value};

use super::{Resource, Store, StoreError, Tx};

/// The meta key of the HMC clock's offset from real time, in ms.
pub(super) const META_CLOCK_OFFSET: &str = "clock-offset-ms";

/// The clock offset stored as `value` (none or unreadable: real time).
pub(super) fn clock_offset_of(value: Option<String>) -> i64 {
    value.and_then(|v| v.parse().ok()).unwrap_or(0)
}

/// Meta keys that are not HMC state: the server's TLS identity stays what
/// it is across restores.
const META_NOT_STATE: &str = "('tls-certificate-pem', 'tls-private-key-pem', 'mock-admins')";

/// One checkpoint as listed.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckpointRow {
    pub name: String,
    pub created_at: i64,
    pub resources: i64,
}

/// One fault rule as stored (see migrations/0005_fixture.sql).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FaultRow {
    pub id: i64,
    pub method: Option<String>,
    pub uri_regex: Option<String>,
    pub operation: Option<String>,
    pub userid: Option<String>,
    pub session_id: Option<String>,
    pub status: Option<u16>,
    pub reason: Option<i64>,
    pub message: Option<String>,
    pub delay_ms: Option<i64>,
    pub skip: i64,
    pub remaining: Option<i64>,
    pub expires_at: Option<i64>,
    pub matched: i64,
    pub applied: i64,
    pub created_at: i64,
    /// The chance (0..=1] that a match past `skip` applies (`None`: always).
    pub probability: Option<f64>,
    /// The seed of the rule's deterministic draws.
    pub seed: i64,
    /// The server closes the connection without an answer.
    pub drop_connection: bool,
    /// The error ends the operation's job instead of answering the request.
    pub job_error: bool,
}

const FAULT_COLUMNS: &str = "id, method, uri_regex, operation, userid, session_id, status, \
     reason, message, delay_ms, skip, remaining, expires_at, matched, applied, created_at, \
     probability, seed, drop_connection, job_error";

fn to_fault(r: &rusqlite::Row<'_>) -> rusqlite::Result<FaultRow> {
    Ok(FaultRow {
        id: r.get(0)?,
        method: r.get(1)?,
        uri_regex: r.get(2)?,
        operation: r.get(3)?,
        userid: r.get(4)?,
        session_id: r.get(5)?,
        status: r.get(6)?,
        reason: r.get(7)?,
        message: r.get(8)?,
        delay_ms: r.get(9)?,
        skip: r.get(10)?,
        remaining: r.get(11)?,
        expires_at: r.get(12)?,
        matched: r.get(13)?,
        applied: r.get(14)?,
        created_at: r.get(15)?,
        probability: r.get(16)?,
        seed: r.get(17)?,
        drop_connection: r.get(18)?,
        job_error: r.get(19)?,
    })
}

impl Tx<'_> {
    /// Copies the HMC state into checkpoint `name`, replacing one of that
    /// name. Runs inside the caller's transaction, so the copy is consistent.
    pub fn save_checkpoint(&self, name: &str, now: i64) -> Result<(), StoreError> {
        self.exec("DELETE FROM checkpoints WHERE name = ?1", [name])?;
        self.exec(
            "INSERT INTO checkpoints (name, created_at) VALUES (?1, ?2)",
            params![name, now],
        )?;
        for sql in [
            "INSERT INTO checkpoint_resources
                 SELECT ?1, uri, class, parent_uri, name, properties, seq FROM resources",
            "INSERT INTO checkpoint_resource_references
                 SELECT ?1, target_uri, holder_uri FROM resource_references",
            "INSERT INTO checkpoint_id_allocations
                 SELECT ?1, pool, value, owner_uri FROM id_allocations",
            "INSERT INTO checkpoint_metric_values
                 SELECT ?1, seq, group_name, resource_uri, timestamp, metrics FROM metric_values",
            "INSERT INTO checkpoint_os_messages
                 SELECT ?1, id, object_uri, sequence_number, message_id, message_text, timestamp,
                        is_held, is_priority, sound_alarm, prompt_text, os_name FROM os_messages",
            "INSERT INTO checkpoint_profile_areas
                 SELECT ?1, cpc_uri, area, class, name, properties, seq FROM profile_areas",
        ] {
            self.conn.prepare_cached(sql)?.execute([name])?;
        }
        self.conn
            .prepare_cached(&format!(
                "INSERT INTO checkpoint_meta SELECT ?1, key, value FROM meta
                 WHERE key NOT IN {META_NOT_STATE}"
            ))?
            .execute([name])?;
        Ok(())
    }

    /// Whether checkpoint `name` exists.
    pub fn checkpoint_exists(&self, name: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM checkpoints WHERE name = ?1")?
            .query_row([name], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// Replaces the HMC state with checkpoint `name` (which must exist).
    /// Jobs of vanished resources go; sessions stay unless `drop_sessions`,
    /// except those of users that no longer exist.
    pub fn restore_checkpoint(&self, name: &str, drop_sessions: bool) -> Result<(), StoreError> {
        // Children are inserted in `seq` order, which is creation order, but
        // deferring the checks makes the order not matter.
        self.conn.execute_batch(
            "PRAGMA defer_foreign_keys = ON;
             DELETE FROM id_allocations; DELETE FROM metric_values;
             DELETE FROM os_messages; DELETE FROM profile_areas;
             DELETE FROM resource_references; DELETE FROM resources;",
        )?;
        for sql in [
            // `store_rev` 1 keeps the references trigger out: the
            // checkpoint's references are copied instead (migration 0015).
            "INSERT INTO resources (uri, class, parent_uri, name, properties, seq, store_rev)
                 SELECT uri, class, parent_uri, name, properties, seq, 1
                 FROM checkpoint_resources WHERE checkpoint = ?1 ORDER BY seq",
            "INSERT INTO resource_references (target_uri, holder_uri)
                 SELECT target_uri, holder_uri FROM checkpoint_resource_references
                 WHERE checkpoint = ?1",
            "INSERT INTO id_allocations (pool, value, owner_uri)
                 SELECT pool, value, owner_uri FROM checkpoint_id_allocations WHERE checkpoint = ?1",
            "INSERT INTO metric_values (seq, group_name, resource_uri, timestamp, metrics)
                 SELECT seq, group_name, resource_uri, timestamp, metrics
                 FROM checkpoint_metric_values WHERE checkpoint = ?1 ORDER BY seq",
            // With the sequence numbers given, the numbering trigger stays out.
            "INSERT INTO os_messages (id, object_uri, sequence_number, message_id, message_text,
                     timestamp, is_held, is_priority, sound_alarm, prompt_text, os_name)
                 SELECT id, object_uri, sequence_number, message_id, message_text, timestamp,
                        is_held, is_priority, sound_alarm, prompt_text, os_name
                 FROM checkpoint_os_messages WHERE checkpoint = ?1 ORDER BY id",
            "INSERT INTO profile_areas (cpc_uri, area, class, name, properties, seq)
                 SELECT cpc_uri, area, class, name, properties, seq
                 FROM checkpoint_profile_areas WHERE checkpoint = ?1",
        ] {
            self.conn.prepare_cached(sql)?.execute([name])?;
        }
        self.exec(
            &format!("DELETE FROM meta WHERE key NOT IN {META_NOT_STATE}"),
            [],
        )?;
        self.conn
            .prepare_cached(
                "INSERT INTO meta (key, value)
                 SELECT key, value FROM checkpoint_meta WHERE checkpoint = ?1",
            )?
            .execute([name])?;
        self.conn.execute_batch(
            "DELETE FROM jobs WHERE target_uri NOT IN (SELECT uri FROM resources);
             DELETE FROM sessions
                 WHERE user_uri IS NOT NULL AND user_uri NOT IN (SELECT uri FROM resources);",
        )?;
        if drop_sessions {
            self.conn
                .execute_batch("DELETE FROM sessions; DELETE FROM jobs;")?;
        }
        Ok(())
    }

    /// Every checkpoint, oldest first, with its number of resources.
    pub fn checkpoints(&self) -> Result<Vec<CheckpointRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.name, c.created_at,
                    (SELECT count(*) FROM checkpoint_resources r WHERE r.checkpoint = c.name)
             FROM checkpoints c ORDER BY c.created_at, c.name",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(CheckpointRow {
                name: r.get(0)?,
                created_at: r.get(1)?,
                resources: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Deletes checkpoint `name`; false if there was none.
    pub fn delete_checkpoint(&self, name: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .execute("DELETE FROM checkpoints WHERE name = ?1", [name])?
            == 1)
    }

    /// The resources of checkpoint `name`, or of the HMC now (`None`), in
    /// creation order.
    pub fn state_resources(&self, name: Option<&str>) -> Result<Vec<Resource>, StoreError> {
        let (sql, args): (&str, Vec<&str>) = match name {
            Some(n) => (
                "SELECT uri, class, parent_uri, properties FROM checkpoint_resources
                 WHERE checkpoint = ?1 ORDER BY seq",
                vec![n],
            ),
            None => (
                "SELECT uri, class, parent_uri, properties FROM resources ORDER BY seq",
                vec![],
            ),
        };
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (uri, class, parent, text) = row?;
            let props: Map<String, Value> = serde_json::from_str(&text)?;
            out.push(Resource {
                uri,
                class,
                parent,
                props,
            });
        }
        Ok(out)
    }

    /// Removes what only makes sense in the db it was made in (a fork's
    /// copy of sessions and jobs).
    pub fn clear_sessions_and_jobs(&self) -> Result<(), StoreError> {
        self.conn
            .execute_batch("DELETE FROM jobs; DELETE FROM sessions;")?;
        Ok(())
    }

    /// The HMC clock's offset from real time, in ms (0: real time).
    pub fn clock_offset(&self) -> Result<i64, StoreError> {
        Ok(clock_offset_of(self.meta(META_CLOCK_OFFSET)?))
    }

    /// Sets the HMC clock's offset from real time, in ms.
    pub fn set_clock_offset(&self, offset_ms: i64) -> Result<(), StoreError> {
        self.set_meta(META_CLOCK_OFFSET, &offset_ms.to_string())
    }

    /// Adds a fault rule; its id.
    pub fn insert_fault(&self, f: &FaultRow) -> Result<i64, StoreError> {
        self.exec(
            "INSERT INTO faults (method, uri_regex, operation, userid, session_id, status,
                 reason, message, delay_ms, skip, remaining, expires_at, created_at,
                 probability, seed, drop_connection, job_error)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                 ?17)",
            params![
                f.method,
                f.uri_regex,
                f.operation,
                f.userid,
                f.session_id,
                f.status,
                f.reason,
                f.message,
                f.delay_ms,
                f.skip,
                f.remaining,
                f.expires_at,
                f.created_at,
                f.probability,
                f.seed,
                f.drop_connection,
                f.job_error
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Fault rules that can still apply at `now` (HMC clock), oldest first.
    pub fn active_faults(&self, now: i64) -> Result<Vec<FaultRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {FAULT_COLUMNS} FROM faults
             WHERE (remaining IS NULL OR remaining > 0)
               AND (expires_at IS NULL OR expires_at > ?1)
             ORDER BY id"
        ))?;
        let rows = stmt.query_map([now], to_fault)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every fault rule, used up or not, oldest first.
    pub fn all_faults(&self) -> Result<Vec<FaultRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {FAULT_COLUMNS} FROM faults ORDER BY id"))?;
        let rows = stmt.query_map([], to_fault)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Counts a match of rule `id`; `applied` also counts its effect (and
    /// uses up one of `remaining`).
    pub fn count_fault_match(&self, id: i64, applied: bool) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "UPDATE faults SET matched = matched + 1,
                     applied = applied + ?2,
                     remaining = CASE WHEN ?2 = 1 AND remaining IS NOT NULL
                                      THEN remaining - 1 ELSE remaining END
                 WHERE id = ?1",
            )?
            .execute(params![id, applied as i64])?;
        Ok(())
    }

    /// Deletes fault rule `id` (or all with `None`); how many went.
    pub fn clear_faults(&self, id: Option<i64>) -> Result<usize, StoreError> {
        Ok(match id {
            Some(id) => self
                .conn
                .execute("DELETE FROM faults WHERE id = ?1", [id])?,
            None => self.exec("DELETE FROM faults", [])?,
        })
    }
}

impl Store {
    /// Writes a consistent copy of the whole db to the new file `to`
    /// (SQLite's `VACUUM INTO`, from one read snapshot; readable by its
    /// owner only, like every db), then runs `prepare` on the copy in one
    /// transaction before anyone else opens it.
    ///
    /// A fork is a scratch copy for one test or worker, made many times a
    /// run: the copy and `prepare` run with `synchronous = OFF`, so the
    /// copy costs no fsync (on this machine the dozen fsyncs of a copy
    /// opened and prepared like any db took most of a fork's 50-90 ms).
    /// The data reaches the OS at once, so only a crash of the machine
    /// during the fork could lose it; every later open of the copy is an
    /// ordinary `Store::open` with the usual settings.
    pub fn fork_to<E: From<StoreError>>(
        &self,
        to: &std::path::Path,
        prepare: impl FnOnce(&Tx<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        super::create_private(to)?;
        {
            let conn = self.readers.get().map_err(StoreError::from)?;
            // VACUUM INTO writes the copy with the syncing of the
            // connection that runs it.
            conn.pragma_update(None, "synchronous", "OFF")
                .map_err(StoreError::from)?;
            let copied = conn.execute("VACUUM INTO ?1", [to.to_string_lossy().as_ref()]);
            let restored = conn.pragma_update(None, "synchronous", "NORMAL");
            copied.map_err(StoreError::from)?;
            restored.map_err(StoreError::from)?;
        }
        let conn =
            rusqlite::Connection::open_with_flags(to, rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE)
                .map_err(StoreError::from)?;
        let scratch = || -> Result<(), StoreError> {
            super::configure_writer(&conn)?;
            conn.pragma_update(None, "synchronous", "OFF")?;
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.execute_batch("BEGIN IMMEDIATE")?;
            Ok(())
        };
        scratch()?;
        match prepare(&Tx::new(&conn)) {
            Ok(()) => conn.execute_batch("COMMIT").map_err(StoreError::from)?,
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                return Err(e);
            }
        }
        Ok(())
    }
}

/// The row counts one journal INSERT statement is made for: a batch is
/// written in the largest that fit, so the statement cache holds four.
const JOURNAL_CHUNKS: [usize; 4] = [64, 16, 4, 1];

/// The INSERT of `n` journal rows (`n` one of `JOURNAL_CHUNKS`), made once.
fn journal_insert(n: usize) -> &'static str {
    static TEXTS: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| {
        JOURNAL_CHUNKS
            .iter()
            .map(|&n| {
                let row = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
                format!(
                    "INSERT INTO journal (at, session, userid, method, uri, body, status,
                         reason, duration_us, job_uri, test_id, fault_id) VALUES {}",
                    vec![row; n].join(", ")
                )
            })
            .collect()
    });
    let i = JOURNAL_CHUNKS.iter().position(|&c| c == n).unwrap_or(3);
    &TEXTS[i]
}

/// One request as journaled.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct JournalRow {
    pub id: i64,
    pub at: i64,
    pub session: Option<String>,
    pub userid: Option<String>,
    pub method: String,
    pub uri: String,
    pub body: Option<Value>,
    pub status: u16,
    pub reason: Option<i64>,
    pub duration_us: i64,
    pub job_uri: Option<String>,
    pub test_id: Option<String>,
    pub fault_id: Option<i64>,
}

impl Tx<'_> {
    /// Appends journal rows, all at HMC time `at` (their `at` and `id` are
    /// ignored), and drops rows older than the last `keep` whenever an id
    /// that is a multiple of `prune_every` is written.
    pub fn insert_journal(
        &self,
        rows: &[JournalRow],
        keep: i64,
        prune_every: i64,
    ) -> Result<(), StoreError> {
        // Many rows per statement: each execution of an INSERT also reads
        // and rewrites the table's sqlite_sequence row (AUTOINCREMENT) and
        // costs its own step and reset: many rows to a statement took 14%
        // off the journal thread's time per row (docs/benchmarks.md).
        let mut rest = rows;
        while !rest.is_empty() {
            let per = JOURNAL_CHUNKS
                .iter()
                .copied()
                .find(|&n| n <= rest.len())
                .unwrap_or(1);
            let (chunk, tail) = rest.split_at(per);
            let mut insert = self.conn.prepare_cached(journal_insert(per))?;
            let bodies = chunk
                .iter()
                .map(|j| j.body.as_ref().map(serde_json::to_string).transpose())
                .collect::<Result<Vec<_>, _>>()?;
            let mut args: Vec<&dyn rusqlite::ToSql> = Vec::with_capacity(per * 12);
            for (j, body) in chunk.iter().zip(&bodies) {
                args.extend_from_slice(&[
                    &j.at,
                    &j.session,
                    &j.userid,
                    &j.method,
                    &j.uri,
                    body,
                    &j.status,
                    &j.reason,
                    &j.duration_us,
                    &j.job_uri,
                    &j.test_id,
                    &j.fault_id,
                ]);
            }
            insert.execute(&args[..])?;
            rest = tail;
        }
        let id = self.conn.last_insert_rowid();
        let first = id - rows.len() as i64 + 1;
        if (first..=id).any(|i| i % prune_every == 0) {
            self.conn
                .prepare_cached("DELETE FROM journal WHERE id <= ?1")?
                .execute([id - keep])?;
        }
        Ok(())
    }

    /// Journal rows at or after `since` (HMC ms), of test `test`, oldest
    /// first.
    pub fn journal(
        &self,
        since: Option<i64>,
        test: Option<&str>,
    ) -> Result<Vec<JournalRow>, StoreError> {
        // A test's rows through the index of tagged rows (`?2 IS NULL OR`
        // would make SQLite scan the whole journal).
        let mut stmt = self.conn.prepare_cached(if test.is_some() {
            "SELECT id, at, session, userid, method, uri, body, status, reason, duration_us,
                    job_uri, test_id, fault_id
             FROM journal WHERE test_id = ?2 AND (?1 IS NULL OR at >= ?1)
             ORDER BY at, id"
        } else {
            "SELECT id, at, session, userid, method, uri, body, status, reason, duration_us,
                    job_uri, test_id, fault_id
             FROM journal WHERE (?1 IS NULL OR at >= ?1) AND ?2 IS NULL
             ORDER BY at, id"
        })?;
        let rows = stmt.query_map(params![since, test], |r| {
            Ok((
                JournalRow {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    session: r.get(2)?,
                    userid: r.get(3)?,
                    method: r.get(4)?,
                    uri: r.get(5)?,
                    body: None,
                    status: r.get(7)?,
                    reason: r.get(8)?,
                    duration_us: r.get(9)?,
                    job_uri: r.get(10)?,
                    test_id: r.get(11)?,
                    fault_id: r.get(12)?,
                },
                r.get::<_, Option<String>>(6)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (mut j, body) = row?;
            j.body = body.map(|b| serde_json::from_str(&b)).transpose()?;
            out.push(j);
        }
        Ok(out)
    }

    /// Empties the journal; how many rows went.
    pub fn clear_journal(&self) -> Result<usize, StoreError> {
        Ok(self.exec("DELETE FROM journal", [])?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn row(test_id: Option<&str>) -> JournalRow {
        JournalRow {
            method: "GET".into(),
            uri: "/api/version".into(),
            status: 200,
            test_id: test_id.map(str::to_string),
            ..JournalRow::default()
        }
    }

    #[test]
    fn only_tagged_rows_are_indexed_and_a_tests_rows_come_through_the_index() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.sqlite")).unwrap();
        store
            .write(|tx| tx.insert_journal(&[row(None), row(Some("t1")), row(None)], 100, 128))
            .unwrap();
        store
            .read(|tx| {
                let partial: i64 = tx.conn.query_row(
                    "SELECT partial FROM pragma_index_list('journal') WHERE name = 'journal_test'",
                    [],
                    |r| r.get(0),
                )?;
                assert_eq!(partial, 1);
                // The plan of the query `journal(_, Some(test))` runs.
                let plan: Vec<String> = tx
                    .conn
                    .prepare(
                        "EXPLAIN QUERY PLAN SELECT id FROM journal
                         WHERE test_id = ?2 AND (?1 IS NULL OR at >= ?1) ORDER BY at, id",
                    )?
                    .query_map(rusqlite::params![None::<i64>, "t1"], |r| r.get(3))?
                    .collect::<Result<_, _>>()?;
                assert!(
                    plan.iter().any(|p| p.contains("INDEX journal_test")),
                    "{plan:?}"
                );
                let tagged = tx.journal(None, Some("t1"))?;
                assert_eq!(tagged.len(), 1);
                assert_eq!(tx.journal(None, None)?.len(), 3);
                Ok::<_, StoreError>(())
            })
            .unwrap();
    }

    #[test]
    fn a_batch_is_written_in_chunks_with_every_row_in_order_and_pruned() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.sqlite")).unwrap();
        // 64 + 64 + 16 + 4 + 1 + 1 rows: every chunk size and a remainder.
        let rows: Vec<JournalRow> = (0..150)
            .map(|i| JournalRow {
                at: i,
                uri: format!("/api/partitions/{i}"),
                duration_us: 1000 + i,
                body: (i % 2 == 0).then(|| serde_json::json!({ "n": i })),
                ..row((i % 3 == 0).then_some("t"))
            })
            .collect();
        store
            .write(|tx| tx.insert_journal(&rows, 100, 128))
            .unwrap();
        let written = store.read(|tx| tx.journal(None, None)).unwrap();
        // Ids 1..=150 written; id 128 pruned everything up to id 50.
        assert_eq!(written.len(), 100);
        for (j, i) in written.iter().zip(50..) {
            assert_eq!((j.id, j.at, j.duration_us), (i + 1, i, 1000 + i));
            assert_eq!(j.uri, format!("/api/partitions/{i}"));
            assert_eq!(j.body, (i % 2 == 0).then(|| serde_json::json!({ "n": i })));
            assert_eq!(j.test_id.is_some(), i % 3 == 0);
        }
    }
}
