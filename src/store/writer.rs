//! The writer connection of one process, with group commit.
//!
//! Each write runs inside a `BEGIN IMMEDIATE` transaction, every write but
//! the first of the transaction in a savepoint of its own. When other
//! threads are already waiting for the writer, the transaction is left
//! open for them and the last write of the group commits it; every write
//! returns only after that commit, and an error rolls back to its own
//! savepoint (the first write's, the whole transaction, which holds
//! nothing else yet), so a write is still all or nothing and
//! is seen by others only once it is durable. What a group saves is the
//! commit: under load the writer's turn-over, not the writes' own work,
//! bounded Update Partition Properties (each commit writes the same table
//! and index pages to the WAL again, with a system call per page, while the
//! other writers wait; docs/benchmarks.md).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use rusqlite::Connection;

use super::{StoreError, Tx};

/// A group commits after this many writes even if more are waiting, so that
/// the first write of a group waits for at most this many others.
const MAX_GROUP: usize = 16;

/// The one writer connection and the group of writes open on it.
pub(super) struct Writer {
    state: Mutex<State>,
    /// Threads that wait for `state`: while there are any, a group stays
    /// open for them.
    waiting: AtomicUsize,
    /// Commits so far (a group is one).
    commits: AtomicUsize,
}

struct State {
    conn: Connection,
    /// The open transaction and how many writes it holds.
    group: Option<(Arc<Group>, usize)>,
}

/// How the commit of one group ended, for the writes that wait for it.
#[derive(Default)]
struct Group {
    outcome: Mutex<Option<Result<(), String>>>,
    ended: Condvar,
}

impl Group {
    fn end(&self, outcome: Result<(), String>) {
        *self.outcome.lock().unwrap_or_else(PoisonError::into_inner) = Some(outcome);
        self.ended.notify_all();
    }

    fn wait(&self) -> Result<(), StoreError> {
        let mut outcome = self.outcome.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            match &*outcome {
                Some(Ok(())) => return Ok(()),
                Some(Err(e)) => return Err(StoreError::Commit(e.clone())),
                None => {
                    outcome = self
                        .ended
                        .wait(outcome)
                        .unwrap_or_else(PoisonError::into_inner)
                }
            }
        }
    }
}

/// The writer while one thread holds it. If that thread panics, its group
/// is rolled back and its waiting writes are told, so none waits forever
/// and the next holder finds no transaction open.
struct Holding<'a>(MutexGuard<'a, State>);

impl Drop for Holding<'_> {
    fn drop(&mut self) {
        if std::thread::panicking()
            && let Some((group, _)) = self.0.group.take()
        {
            let _ = run(&self.0.conn, "ROLLBACK");
            group.end(Err("a write in the same commit panicked".into()));
        }
    }
}

/// Runs one statement without result rows through the statement cache (a
/// transaction's BEGIN and COMMIT are the same text every time).
pub(super) fn run(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([])?;
    Ok(())
}

impl Writer {
    pub(super) fn new(conn: Connection) -> Writer {
        Writer {
            state: Mutex::new(State { conn, group: None }),
            waiting: AtomicUsize::new(0),
            commits: AtomicUsize::new(0),
        }
    }

    fn hold(&self) -> Holding<'_> {
        self.waiting.fetch_add(1, Ordering::SeqCst);
        // A holder that panicked rolled its group back (see `Holding`), so
        // the connection is fit for use.
        let guard = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        Holding(guard)
    }

    /// Runs `f` as one write: its changes are committed, maybe together
    /// with those of concurrent writes, before it returns `Ok`; on `Err`
    /// nothing of it remains.
    pub(super) fn write<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&Tx<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut held = self.hold();
        let state = &mut *held.0;
        // The group stays in `state` while `f` runs, so that a panic in
        // `f` rolls it back (see `Holding`).
        let (group, first) = match &state.group {
            Some((group, _)) => (group.clone(), false),
            None => {
                run(&state.conn, "BEGIN IMMEDIATE").map_err(StoreError::from)?;
                let group = Arc::new(Group::default());
                state.group = Some((group.clone(), 0));
                (group, true)
            }
        };
        // The first write of a group is alone in its transaction (the
        // others join only after it lets go of the writer), so its error
        // rolls the whole transaction back and it needs no savepoint: two
        // statements less, and no sub-journal of the pages it changes.
        let result = if first {
            f(&Tx::new(&state.conn))
        } else {
            in_savepoint(&state.conn, f)
        };
        if first && result.is_err() {
            state.group = None;
            if !state.conn.is_autocommit() {
                let _ = run(&state.conn, "ROLLBACK");
            }
            return result;
        }
        let count = state.group.take().map_or(0, |(_, count)| count) + 1;
        if state.conn.is_autocommit() {
            // SQLite ended the whole transaction (a failed savepoint end,
            // or an error it cannot undo by statement): every write of the
            // group is gone.
            group.end(Err("the transaction was rolled back".into()));
            return result.and(Err(StoreError::Commit(
                "the transaction was rolled back".into(),
            )
            .into()));
        }
        if self.waiting.load(Ordering::SeqCst) > 0 && count < MAX_GROUP {
            state.group = Some((group.clone(), count));
        } else {
            self.commit(&state.conn, &group);
        }
        drop(held);
        let value = result?;
        group.wait()?;
        Ok(value)
    }

    /// Commits the open transaction and tells its writes how that went.
    fn commit(&self, conn: &Connection, group: &Group) {
        self.commits.fetch_add(1, Ordering::Relaxed);
        match run(conn, "COMMIT") {
            Ok(()) => group.end(Ok(())),
            Err(e) => {
                let _ = run(conn, "ROLLBACK");
                group.end(Err(e.to_string()));
            }
        }
    }

    /// Runs `f` on the connection outside any transaction (a WAL
    /// checkpoint), once the open group, if any, has committed.
    pub(super) fn exclusive<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut held = self.hold();
        let state = &mut *held.0;
        if let Some((group, _)) = state.group.take() {
            self.commit(&state.conn, &group);
        }
        f(&state.conn)
    }
}

/// Runs `f` in a savepoint: kept on `Ok`, undone on `Err`.
fn in_savepoint<T, E: From<StoreError>>(
    conn: &Connection,
    f: impl FnOnce(&Tx<'_>) -> Result<T, E>,
) -> Result<T, E> {
    run(conn, "SAVEPOINT request").map_err(StoreError::from)?;
    let result = f(&Tx::new(conn));
    if conn.is_autocommit() {
        return result;
    }
    let end = if result.is_ok() {
        run(conn, "RELEASE request")
    } else {
        run(conn, "ROLLBACK TO request").and_then(|()| run(conn, "RELEASE request"))
    };
    if let Err(e) = end {
        let _ = run(conn, "ROLLBACK");
        return Err(StoreError::from(e).into());
    }
    result
}

#[cfg(test)]
mod tests {
    use super::super::Store;
    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("a.sqlite")).unwrap();
        (dir, s)
    }

    #[test]
    fn concurrent_writes_all_commit_and_a_failing_one_leaves_no_trace() {
        let (_dir, s) = store();
        std::thread::scope(|scope| {
            for t in 0..8 {
                let s = &s;
                scope.spawn(move || {
                    for i in 0..200 {
                        let key = format!("k{t}-{i}");
                        let r: Result<(), StoreError> = s.write(|tx| {
                            tx.set_meta(&key, "v")?;
                            if i % 7 == 0 {
                                return Err(StoreError::Duplicate(key.clone()));
                            }
                            Ok(())
                        });
                        assert_eq!(r.is_ok(), i % 7 != 0);
                        // A write that returned is visible to a new read.
                        let seen = s.read(|tx| tx.meta(&key)).unwrap();
                        assert_eq!(seen.is_some(), i % 7 != 0, "{key}");
                    }
                });
            }
        });
        let n = s
            .read(|tx| {
                Ok::<_, StoreError>(tx.conn.query_row(
                    "SELECT count(*) FROM meta WHERE key LIKE 'k%-%'",
                    [],
                    |r| r.get::<_, i64>(0),
                )?)
            })
            .unwrap();
        assert_eq!(n, 8 * (200 - (199 / 7 + 1)));
    }

    #[test]
    fn a_write_that_finds_another_waiting_leaves_the_commit_to_it() {
        let (_dir, s) = store();
        let before = s.writer.commits.load(Ordering::Relaxed);
        let holding = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|scope| {
            let (s, holding) = (&s, &holding);
            let first = scope.spawn(move || {
                s.write(|tx| {
                    tx.set_meta("a", "1")?;
                    holding.store(true, Ordering::SeqCst);
                    // Hold the writer until the second write waits for it.
                    while s.writer.waiting.load(Ordering::SeqCst) == 0 {
                        std::thread::yield_now();
                    }
                    Ok::<_, StoreError>(())
                })
            });
            while !holding.load(Ordering::SeqCst) && !first.is_finished() {
                std::thread::yield_now();
            }
            let second: Result<(), StoreError> = s.write(|tx| tx.set_meta("b", "2"));
            second.unwrap();
            first.join().unwrap().unwrap();
        });
        assert_eq!(s.writer.commits.load(Ordering::Relaxed) - before, 1);
        assert_eq!(s.read(|tx| tx.meta("a")).unwrap().as_deref(), Some("1"));
        assert_eq!(s.read(|tx| tx.meta("b")).unwrap().as_deref(), Some("2"));
    }

    #[test]
    fn the_first_write_of_a_group_needs_no_savepoint_and_its_error_undoes_it() {
        let (_dir, s) = store();
        let failed: Result<(), StoreError> = s.write(|tx| {
            tx.set_meta("gone", "v")?;
            // Alone in its transaction: it has no savepoint to release.
            assert!(tx.conn.execute_batch("RELEASE request").is_err());
            Err(StoreError::Duplicate("gone".into()))
        });
        assert!(failed.is_err());
        assert_eq!(s.read(|tx| tx.meta("gone")).unwrap(), None);
        s.write(|tx| tx.set_meta("kept", "v")).unwrap();
        assert_eq!(s.read(|tx| tx.meta("kept")).unwrap().as_deref(), Some("v"));
    }

    #[test]
    fn a_panicking_write_rolls_back_and_the_writer_goes_on() {
        let (_dir, s) = store();
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _: Result<(), StoreError> = s.write(|tx| {
                tx.set_meta("lost", "v")?;
                panic!("handler bug");
            });
        }));
        assert!(panicked.is_err());
        s.write(|tx| tx.set_meta("kept", "v")).unwrap();
        assert_eq!(s.read(|tx| tx.meta("lost")).unwrap(), None);
        assert_eq!(s.read(|tx| tx.meta("kept")).unwrap().as_deref(), Some("v"));
    }
}
