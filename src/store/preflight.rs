//! SQL for what every request reads before its handler runs: the HMC
//! clock's offset, whether the HMC is down, whether any fault rule exists,
//! the caller's session and, for a List, its parent's class and mode. One
//! statement instead of five: each statement costs its statement-cache
//! lookup, bindings and a step, and together they were about a tenth of a
//! List's CPU time (docs/benchmarks.md).

use std::sync::LazyLock;

use super::fixture::{META_CLOCK_OFFSET, clock_offset_of};
use super::meta::META_UNAVAILABLE_UNTIL;
use super::resources::{head_and_mode_of, head_at};
use super::sessions::{COLUMNS, to_row_at};
use super::{Head, SessionRow, StoreError, Tx};

/// The statement, made once: it runs for every request, and the statement
/// cache finds it by its text.
static PREFLIGHT: LazyLock<String> = LazyLock::new(|| {
    // `FROM (SELECT 1)`: one row, with or without a session or parent.
    format!(
        "SELECT (SELECT value FROM meta WHERE key = ?1),
                (SELECT value FROM meta WHERE key = ?2),
                EXISTS (SELECT 1 FROM faults),
                p.*,
                s.*
         FROM (SELECT 1)
              LEFT JOIN ({}) p
              LEFT JOIN (SELECT {COLUMNS} FROM sessions WHERE id = ?3) s",
        head_and_mode_of("?4")
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
    /// The head of the resource asked for as the parent, if it exists
    /// (`Tx::resource_head_and_mode`).
    pub parent: Option<Head>,
}

impl Tx<'_> {
    /// Reads the preflight of a request with session id `token` whose
    /// handler needs the head of the resource at `parent` (a List's).
    pub fn preflight(
        &self,
        token: Option<&str>,
        parent: Option<&str>,
    ) -> Result<Preflight, StoreError> {
        let key = token.map(crate::secrets::token_key);
        let mut stmt = self.conn.prepare_cached(&PREFLIGHT)?;
        let params = rusqlite::params![META_CLOCK_OFFSET, META_UNAVAILABLE_UNTIL, key, parent];
        Ok(stmt.query_row(params, |r| {
            let session = match r.get_ref(6)? {
                rusqlite::types::ValueRef::Null => None,
                _ => Some(to_row_at(r, 6)?),
            };
            Ok(Preflight {
                clock_offset_ms: clock_offset_of(r.get(0)?),
                unavailable_until: r.get(1)?,
                has_faults: r.get(2)?,
                session,
                parent: head_at(r, 3)?,
            })
        })?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{FaultRow, Store, test_resource};

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
        let read = |token: Option<&str>| store.read(|tx| tx.preflight(token, None)).unwrap();
        let empty = read(Some("tok"));
        assert_eq!(
            empty,
            Preflight {
                clock_offset_ms: 0,
                unavailable_until: None,
                has_faults: false,
                session: None,
                parent: None,
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

    #[test]
    fn the_same_statement_reads_the_head_and_mode_of_a_parent() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.sqlite")).unwrap();
        let dpm = serde_json::json!({"dpm-enabled": true});
        store
            .write(|tx| {
                tx.insert_session(&session("tok"))?;
                tx.insert_resource(&test_resource("/c", "cpc", None, dpm.clone()))?;
                tx.insert_resource(&test_resource("/c/p", "partition", Some("/c"), dpm))
            })
            .unwrap();
        let read =
            |parent: Option<&str>| store.read(|tx| tx.preflight(Some("tok"), parent)).unwrap();
        let cpc = read(Some("/c"));
        let head = |class: &str, parent: Option<&str>, cpc_dpm| Head {
            class: class.into(),
            parent: parent.map(str::to_string),
            cpc_dpm,
        };
        assert_eq!(cpc.parent, Some(head("cpc", None, Some(true))));
        assert_eq!(cpc.session, Some(session("tok")));
        // Only a CPC has a mode, though a partition's document may say
        // `dpm-enabled` too.
        let partition = read(Some("/c/p")).parent;
        assert_eq!(partition, Some(head("partition", Some("/c"), None)));
        for parent in [None, Some("/gone")] {
            let p = read(parent);
            assert_eq!(p.parent, None);
            assert_eq!(p.session, Some(session("tok")));
        }
        // The same as the statement of its own.
        let alone = store.read(|tx| tx.resource_head_and_mode("/c")).unwrap();
        assert_eq!(alone, cpc.parent);
    }
}
