//! SQL for what every request reads before its handler runs: the HMC
//! clock's offset, whether the HMC is down, whether any fault rule exists,
//! and the caller's session. One statement instead of four: each statement
//! costs its statement-cache lookup, bindings and a step, and together
//! they were about a tenth of a List's CPU time (docs/benchmarks.md).

use std::sync::LazyLock;

use super::fixture::{META_CLOCK_OFFSET, clock_offset_of};
use super::meta::META_UNAVAILABLE_UNTIL;
use super::sessions::{COLUMNS, to_row_at};
use super::{SessionRow, StoreError, Tx};

/// The statement, made once: it runs for every request, and the statement
/// cache finds it by its text.
static PREFLIGHT: LazyLock<String> = LazyLock::new(|| {
    // `FROM (SELECT 1)`: one row, with or without a session.
    format!(
        "SELECT (SELECT value FROM meta WHERE key = ?1),
                (SELECT value FROM meta WHERE key = ?2),
                EXISTS (SELECT 1 FROM faults),
                s.*
         FROM (SELECT 1) LEFT JOIN (SELECT {COLUMNS} FROM sessions WHERE id = ?3) s"
    )
});

/// What `Tx::preflight` read.
#[derive(Debug, Clone, PartialEq)]
pub struct Preflight {
    /// The HMC clock's offset from real time, in ms.
    pub clock_offset_ms: i64,
    /// The `console-unavailable-until` meta value, if set.
    pub unavailable_until: Option<String>,
    /// Whether the `faults` table has a row (used up or not).
    pub has_faults: bool,
    /// The session whose `api-session` id is the token, expired or not.
    pub session: Option<SessionRow>,
}

impl Tx<'_> {
    /// Reads the preflight of a request with session id `token`.
    pub fn preflight(&self, token: Option<&str>) -> Result<Preflight, StoreError> {
        let key = token.map(crate::secrets::token_key);
        let mut stmt = self.conn.prepare_cached(&PREFLIGHT)?;
        let params = rusqlite::params![META_CLOCK_OFFSET, META_UNAVAILABLE_UNTIL, key];
        Ok(stmt.query_row(params, |r| {
            let session = match r.get_ref(3)? {
                rusqlite::types::ValueRef::Null => None,
                _ => Some(to_row_at(r, 3)?),
            };
            Ok(Preflight {
                clock_offset_ms: clock_offset_of(r.get(0)?),
                unavailable_until: r.get(1)?,
                has_faults: r.get(2)?,
                session,
            })
        })?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{FaultRow, Store};

    fn session(token: &str) -> SessionRow {
        SessionRow {
            id: crate::secrets::token_key(token),
            userid: "u".into(),
            user_uri: None,
            credential: "c".into(),
            notification_topic: "t".into(),
            job_notification_topic: "j".into(),
            created_at: 1,
            last_used_at: 2,
            expires_at: 3,
        }
    }

    #[test]
    fn one_statement_reads_the_offset_availability_faults_and_the_session() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.sqlite")).unwrap();
        let read = |token: Option<&str>| store.read(|tx| tx.preflight(token)).unwrap();
        let empty = read(Some("tok"));
        assert_eq!(
            empty,
            Preflight {
                clock_offset_ms: 0,
                unavailable_until: None,
                has_faults: false,
                session: None,
            }
        );
        store
            .write(|tx| {
                tx.insert_session(&session("tok"))?;
                tx.set_clock_offset(-90_000)?;
                tx.set_meta(META_UNAVAILABLE_UNTIL, "42")?;
                let delay = FaultRow {
                    delay_ms: Some(1),
                    ..FaultRow::default()
                };
                tx.insert_fault(&delay).map(drop)
            })
            .unwrap();
        let full = read(Some("tok"));
        assert_eq!(full.clock_offset_ms, -90_000);
        assert_eq!(full.unavailable_until.as_deref(), Some("42"));
        assert!(full.has_faults);
        assert_eq!(full.session, Some(session("tok")));
        // No token, or another one: the rest is read all the same.
        for token in [None, Some("other")] {
            let p = read(token);
            assert_eq!(p.session, None);
            assert_eq!((p.clock_offset_ms, p.has_faults), (-90_000, true));
        }
    }
}
