//! SQL for `os_messages` (the operating system messages of partitions and
//! LPARs) and `os_message_channels` (the channels sessions opened to them).

use rusqlite::{OptionalExtension, params};

use super::{StoreError, Tx};

/// One OS message as stored (the book's `os-message-info`).
#[derive(Debug, Clone, PartialEq)]
pub struct OsMessageRow {
    pub object_uri: String,
    pub sequence_number: i64,
    /// The OS's message id, if it gave one.
    pub message_id: Option<String>,
    pub message_text: String,
    /// Unix milliseconds; -1 when the OS does not say.
    pub timestamp: i64,
    pub is_held: bool,
    pub is_priority: bool,
    pub sound_alarm: bool,
    pub prompt_text: Option<String>,
    pub os_name: Option<String>,
}

/// Which messages List OS Messages wants: sequence numbers within
/// `begin..=end`, held or not, priority or not, at most `max` (the first
/// ones).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OsMessageFilter {
    pub begin: Option<i64>,
    pub end: Option<i64>,
    pub is_held: Option<bool>,
    pub is_priority: Option<bool>,
    pub max: Option<i64>,
}

/// A new message: what the caller gives; the store numbers it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewOsMessage<'a> {
    pub message_text: &'a str,
    pub is_held: bool,
    pub is_priority: bool,
    /// Unix milliseconds (`None`: the store's clock).
    pub timestamp: Option<i64>,
    pub os_name: Option<&'a str>,
}

const COLUMNS: &str = "object_uri, sequence_number, message_id, message_text, timestamp, \
                       is_held, is_priority, sound_alarm, prompt_text, os_name";

impl Tx<'_> {
    /// Adds a message for the partition or LPAR at `object_uri`, numbered
    /// after its last one (from 0); returns its sequence number.
    pub fn insert_os_message(
        &self,
        object_uri: &str,
        m: &NewOsMessage<'_>,
    ) -> Result<i64, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "INSERT INTO os_messages (object_uri, message_text, is_held, is_priority, os_name, timestamp)
             VALUES (?1, ?2, ?3, ?4, ?5,
                     coalesce(?6, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)))",
        )?;
        stmt.execute(params![
            object_uri,
            m.message_text,
            m.is_held,
            m.is_priority,
            m.os_name,
            m.timestamp
        ])?;
        let id = self.conn.last_insert_rowid();
        Ok(self.conn.query_row(
            "SELECT sequence_number FROM os_messages WHERE id = ?1",
            [id],
            |r| r.get(0),
        )?)
    }

    /// The messages of `object_uri` that pass `filter`, by sequence number.
    pub fn os_messages(
        &self,
        object_uri: &str,
        filter: &OsMessageFilter,
    ) -> Result<Vec<OsMessageRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM os_messages
             WHERE object_uri = ?1
               AND (?2 IS NULL OR sequence_number >= ?2)
               AND (?3 IS NULL OR sequence_number <= ?3)
               AND (?4 IS NULL OR is_held = ?4)
               AND (?5 IS NULL OR is_priority = ?5)
             ORDER BY sequence_number
             LIMIT coalesce(?6, -1)"
        ))?;
        let rows = stmt.query_map(
            params![
                object_uri,
                filter.begin,
                filter.end,
                filter.is_held,
                filter.is_priority,
                filter.max
            ],
            |r| {
                Ok(OsMessageRow {
                    object_uri: r.get(0)?,
                    sequence_number: r.get(1)?,
                    message_id: r.get(2)?,
                    message_text: r.get(3)?,
                    timestamp: r.get(4)?,
                    is_held: r.get(5)?,
                    is_priority: r.get(6)?,
                    sound_alarm: r.get(7)?,
                    prompt_text: r.get(8)?,
                    os_name: r.get(9)?,
                })
            },
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The topic of the channel `session_id` opened to `object_uri`, if any.
    pub fn os_message_channel(
        &self,
        session_id: &str,
        object_uri: &str,
    ) -> Result<Option<String>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT topic_name FROM os_message_channels WHERE session_id = ?1 AND object_uri = ?2",
        )?;
        Ok(stmt
            .query_row([session_id, object_uri], |r| r.get(0))
            .optional()?)
    }

    /// Records the channel `session_id` opened to `object_uri` on `topic`.
    pub fn insert_os_message_channel(
        &self,
        session_id: &str,
        object_uri: &str,
        topic: &str,
        include_refresh_messages: bool,
        now: i64,
    ) -> Result<(), StoreError> {
        self.exec(
            "INSERT INTO os_message_channels
                 (session_id, object_uri, topic_name, include_refresh_messages, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![session_id, object_uri, topic, include_refresh_messages, now],
        )?;
        Ok(())
    }

    /// The channels `session_id` opened: (object URI, topic, whether refresh
    /// messages were asked for), oldest first.
    pub fn os_message_channels(
        &self,
        session_id: &str,
    ) -> Result<Vec<(String, String, bool)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT object_uri, topic_name, include_refresh_messages FROM os_message_channels
             WHERE session_id = ?1 ORDER BY created_at, topic_name",
        )?;
        let rows = stmt.query_map([session_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
