//! SQL for job policies (`job_policies`) and the pending operation of a
//! job (`jobs.pending`), see migrations/0011_fixture_jobs.sql.

use rusqlite::{OptionalExtension, params};
use serde_json::Value;

use super::{JobRow, StoreError, Tx};

/// One job policy as stored.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct JobPolicyRow {
    pub id: i64,
    pub operation: Option<String>,
    pub uri_regex: Option<String>,
    pub polls: Option<i64>,
    pub after_ms: Option<i64>,
    pub until_cancel: bool,
    pub error_status: Option<u16>,
    pub error_reason: Option<i64>,
    pub error_message: Option<String>,
    pub result_status: Option<String>,
    pub created_at: i64,
}

const COLUMNS: &str = "id, operation, uri_regex, polls, after_ms, until_cancel, error_status, \
     error_reason, error_message, result_status, created_at";

fn to_policy(r: &rusqlite::Row<'_>) -> rusqlite::Result<JobPolicyRow> {
    Ok(JobPolicyRow {
        id: r.get(0)?,
        operation: r.get(1)?,
        uri_regex: r.get(2)?,
        polls: r.get(3)?,
        after_ms: r.get(4)?,
        until_cancel: r.get(5)?,
        error_status: r.get(6)?,
        error_reason: r.get(7)?,
        error_message: r.get(8)?,
        result_status: r.get(9)?,
        created_at: r.get(10)?,
    })
}

impl Tx<'_> {
    /// Adds a job policy; its id.
    pub fn insert_job_policy(&self, p: &JobPolicyRow) -> Result<i64, StoreError> {
        self.exec(
            "INSERT INTO job_policies (operation, uri_regex, polls, after_ms, until_cancel,
                 error_status, error_reason, error_message, result_status, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                p.operation,
                p.uri_regex,
                p.polls,
                p.after_ms,
                p.until_cancel,
                p.error_status,
                p.error_reason,
                p.error_message,
                p.result_status,
                p.created_at
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Every job policy, oldest first (the order they are tried in).
    pub fn job_policies(&self) -> Result<Vec<JobPolicyRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM job_policies ORDER BY id"))?;
        let rows = stmt.query_map([], to_policy)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Removes policy `id`, or every policy; how many went.
    pub fn clear_job_policies(&self, id: Option<i64>) -> Result<usize, StoreError> {
        Ok(match id {
            Some(id) => self
                .conn
                .execute("DELETE FROM job_policies WHERE id = ?1", [id])?,
            None => self.exec("DELETE FROM job_policies", [])?,
        })
    }

    /// Whether any job policy exists (the fast path of every job).
    pub fn has_job_policies(&self) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM job_policies LIMIT 1")?
            .query_row([], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// The pending operation of job `id` (`None` if it has none).
    pub fn job_pending(&self, id: &str) -> Result<Option<Value>, StoreError> {
        let text: Option<Option<String>> = self
            .conn
            .query_row("SELECT pending FROM jobs WHERE id = ?1", [id], |r| r.get(0))
            .optional()?;
        Ok(text
            .flatten()
            .map(|t| serde_json::from_str(&t))
            .transpose()?)
    }

    /// Replaces the pending operation of job `id` (`None` clears it).
    pub fn set_job_pending(&self, id: &str, pending: Option<&Value>) -> Result<(), StoreError> {
        let text = pending.map(serde_json::to_string).transpose()?;
        self.exec(
            "UPDATE jobs SET pending = ?2 WHERE id = ?1",
            params![id, text],
        )?;
        Ok(())
    }

    /// Ends job `j.id` as `j` says (status, codes, results, completion
    /// time), drops its pending operation and notifies its session of a
    /// completion.
    pub fn finish_job(&self, j: &JobRow) -> Result<(), StoreError> {
        let results = j
            .job_results
            .as_ref()
            .map(serde_json::to_string)
            .transpose()?;
        self.exec(
            "UPDATE jobs SET status = ?2, job_status_code = ?3, job_reason_code = ?4,
                 job_results = ?5, completed_at = ?6, pending = NULL WHERE id = ?1",
            params![
                j.id,
                j.status,
                j.job_status_code,
                j.job_reason_code,
                results,
                j.completed_at
            ],
        )?;
        if j.status == "complete" {
            self.notify_job_completion(j)?;
        }
        Ok(())
    }
}
