//! SQL for the `console_log` and `reported_problems` tables: the console's
//! audit and security logs, and the problems reported to it.

use rusqlite::params;
use serde_json::Value;

use super::{StoreError, Tx};

/// One event of the console's logs as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct LogRow {
    pub event_time: i64,
    pub event_id: String,
    pub event_name: String,
    pub event_message: String,
    /// The message's inserts: `[{"data-item-number", "data-item-type", "data-item-value"}]`.
    pub data_items: Value,
    pub userid: Option<String>,
    pub user_uri: Option<String>,
    pub audit: bool,
    pub security: bool,
}

/// Which log to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogKind {
    Audit,
    Security,
}

impl Tx<'_> {
    /// Records an event.
    pub fn insert_log_entry(&self, e: &LogRow) -> Result<(), StoreError> {
        let items = serde_json::to_string(&e.data_items)?;
        let mut stmt = self.conn.prepare_cached(
            "INSERT INTO console_log (event_time, event_id, event_name, event_message,
                 data_items, userid, user_uri, audit, security)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        stmt.execute(params![
            e.event_time,
            e.event_id,
            e.event_name,
            e.event_message,
            items,
            e.userid,
            e.user_uri,
            e.audit,
            e.security
        ])?;
        Ok(())
    }

    /// The events of one log between `begin` and `end` (inclusive, unix
    /// milliseconds; `None`: unbounded), oldest first.
    pub fn log_entries(
        &self,
        kind: LogKind,
        begin: Option<i64>,
        end: Option<i64>,
    ) -> Result<Vec<LogRow>, StoreError> {
        let column = match kind {
            LogKind::Audit => "audit",
            LogKind::Security => "security",
        };
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT event_time, event_id, event_name, event_message, data_items,
                    userid, user_uri, audit, security
             FROM console_log
             WHERE {column} = 1 AND event_time >= ?1 AND event_time <= ?2
             ORDER BY seq"
        ))?;
        let rows = stmt.query_map(
            params![begin.unwrap_or(i64::MIN), end.unwrap_or(i64::MAX)],
            |r| {
                Ok((
                    LogRow {
                        event_time: r.get(0)?,
                        event_id: r.get(1)?,
                        event_name: r.get(2)?,
                        event_message: r.get(3)?,
                        data_items: Value::Null,
                        userid: r.get(5)?,
                        user_uri: r.get(6)?,
                        audit: r.get(7)?,
                        security: r.get(8)?,
                    },
                    r.get::<_, String>(4)?,
                ))
            },
        )?;
        let mut out = Vec::new();
        for row in rows {
            let (mut e, items) = row?;
            e.data_items = serde_json::from_str(&items)?;
            out.push(e);
        }
        Ok(out)
    }

    /// Records a reported problem; returns its number (1, 2, ...).
    pub fn insert_problem(
        &self,
        now: i64,
        userid: Option<&str>,
        report: &Value,
    ) -> Result<i64, StoreError> {
        let text = serde_json::to_string(report)?;
        self.exec(
            "INSERT INTO reported_problems (reported_at, userid, report) VALUES (?1, ?2, ?3)",
            params![now, userid, text],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The reported problems' request bodies, oldest first.
    pub fn problems(&self) -> Result<Vec<Value>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT report FROM reported_problems ORDER BY seq")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for text in rows {
            out.push(serde_json::from_str(&text?)?);
        }
        Ok(out)
    }

    /// Ends every session of the users at `user_uris`; returns the ended
    /// sessions.
    pub fn end_sessions_of(
        &self,
        user_uris: &[String],
    ) -> Result<Vec<super::SessionRow>, StoreError> {
        let mut ended = Vec::new();
        for uri in user_uris {
            for s in self.sessions_of_user(uri)? {
                self.delete_session(&s.id)?;
                ended.push(s);
            }
        }
        Ok(ended)
    }
}
