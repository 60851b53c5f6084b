//! SQL for the `sessions` table: logged-on API sessions.

use rusqlite::{OptionalExtension, params};

use super::{StoreError, Tx};

/// One logged-on session as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRow {
    /// The key of the session: the SHA-256 (hex) of its `api-session` id,
    /// which itself is never stored.
    pub id: String,
    pub userid: String,
    pub user_uri: Option<String>,
    pub credential: String,
    pub notification_topic: String,
    pub job_notification_topic: String,
    pub created_at: i64,
    pub last_used_at: i64,
    pub expires_at: i64,
}

fn to_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SessionRow> {
    to_row_at(r, 0)
}

/// The session in the columns `COLUMNS` of `r` from index `at` on.
pub(super) fn to_row_at(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<SessionRow> {
    Ok(SessionRow {
        id: r.get(at)?,
        userid: r.get(at + 1)?,
        user_uri: r.get(at + 2)?,
        credential: r.get(at + 3)?,
        notification_topic: r.get(at + 4)?,
        job_notification_topic: r.get(at + 5)?,
        created_at: r.get(at + 6)?,
        last_used_at: r.get(at + 7)?,
        expires_at: r.get(at + 8)?,
    })
}

pub(super) const COLUMNS: &str = "id, userid, user_uri, credential, notification_topic, \
                       job_notification_topic, created_at, last_used_at, expires_at";

impl Tx<'_> {
    /// Records a new session.
    pub fn insert_session(&self, s: &SessionRow) -> Result<(), StoreError> {
        self.exec(
            &format!(
                "INSERT INTO sessions ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
            ),
            params![
                s.id,
                s.userid,
                s.user_uri,
                s.credential,
                s.notification_topic,
                s.job_notification_topic,
                s.created_at,
                s.last_used_at,
                s.expires_at
            ],
        )?;
        Ok(())
    }

    /// The session whose `api-session` id is `token`, expired or not (it
    /// is found by its key, see `SessionRow::id`).
    pub fn session(&self, token: &str) -> Result<Option<SessionRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM sessions WHERE id = ?1"))?;
        let key = crate::secrets::token_key(token);
        Ok(stmt.query_row([key], to_row).optional()?)
    }

    /// Every session that has not expired at `now`, oldest first.
    pub fn live_sessions(&self, now: i64) -> Result<Vec<SessionRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM sessions WHERE expires_at > ?1 ORDER BY created_at"
        ))?;
        let rows = stmt.query_map([now], to_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The sessions of the user at `user_uri`, expired or not.
    pub fn sessions_of_user(&self, user_uri: &str) -> Result<Vec<SessionRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM sessions WHERE user_uri = ?1 ORDER BY created_at"
        ))?;
        let rows = stmt.query_map([user_uri], to_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Ends every session (Restart and Shutdown Console); returns them.
    pub fn end_all_sessions(&self) -> Result<Vec<SessionRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM sessions ORDER BY created_at"
        ))?;
        let rows: Vec<SessionRow> = stmt.query_map([], to_row)?.collect::<Result<_, _>>()?;
        self.exec("DELETE FROM sessions", [])?;
        Ok(rows)
    }

    /// Records a use of the session and pushes its expiry out.
    pub fn touch_session(&self, id: &str, now: i64, expires_at: i64) -> Result<(), StoreError> {
        self.exec(
            "UPDATE sessions SET last_used_at = ?2, expires_at = ?3 WHERE id = ?1",
            params![id, now, expires_at],
        )?;
        Ok(())
    }

    /// Ends a session; false if it did not exist.
    pub fn delete_session(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .execute("DELETE FROM sessions WHERE id = ?1", [id])?
            == 1)
    }

    /// Forgets sessions that expired before `now` (their metrics contexts
    /// go with them), and notifications older than ten minutes, delivered
    /// or not, so the outbox stays bounded where no `serve` prunes it.
    pub fn delete_expired_sessions(&self, now: i64) -> Result<usize, StoreError> {
        self.prune_notifications(i64::MAX, now - 600_000)?;
        Ok(self
            .conn
            .execute("DELETE FROM sessions WHERE expires_at <= ?1", [now])?)
    }
}
