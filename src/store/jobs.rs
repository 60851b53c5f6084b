//! SQL for the `jobs` table: asynchronous operations and their results.

use rusqlite::{OptionalExtension, params};
use serde_json::Value;

use super::{StoreError, Tx};

/// One job as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRow {
    pub id: String,
    pub session_id: Option<String>,
    pub operation: String,
    pub target_uri: String,
    pub status: String,
    pub job_status_code: Option<i64>,
    pub job_reason_code: Option<i64>,
    pub job_results: Option<Value>,
    pub created_at: i64,
    pub completed_at: Option<i64>,
}

const COLUMNS: &str = "id, session_id, operation, target_uri, status, job_status_code, \
                       job_reason_code, job_results, created_at, completed_at";

impl Tx<'_> {
    /// Records a job.
    pub fn insert_job(&self, j: &JobRow) -> Result<(), StoreError> {
        let results = j
            .job_results
            .as_ref()
            .map(serde_json::to_string)
            .transpose()?;
        self.exec(
            &format!(
                "INSERT INTO jobs ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
            ),
            params![
                j.id,
                j.session_id,
                j.operation,
                j.target_uri,
                j.status,
                j.job_status_code,
                j.job_reason_code,
                results,
                j.created_at,
                j.completed_at
            ],
        )?;
        if j.status == "complete" {
            self.notify_job_completion(j)?;
        }
        Ok(())
    }

    /// Notifies the job topic of the session that started `j` that it is
    /// complete (`job-completion`); a job of no session notifies nobody.
    pub fn notify_job_completion(&self, j: &JobRow) -> Result<(), StoreError> {
        let Some(session) = &j.session_id else {
            return Ok(());
        };
        let topic: Option<String> = self
            .conn
            .query_row(
                "SELECT job_notification_topic FROM sessions WHERE id = ?1",
                [session],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(topic) = topic {
            self.emit(&super::outbox::NewNotification {
                kind: "job-completion",
                topic: Some(&topic),
                uri: &format!("/api/jobs/{}", j.id),
                class: None,
                parent_uri: None,
                element: false,
                body: Some(
                    serde_json::json!({"target-uri": j.target_uri, "operation": j.operation}),
                ),
            })?;
        }
        Ok(())
    }

    /// The job with this id.
    pub fn job(&self, id: &str) -> Result<Option<JobRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM jobs WHERE id = ?1"))?;
        let row = stmt
            .query_row([id], |r| {
                Ok((
                    JobRow {
                        id: r.get(0)?,
                        session_id: r.get(1)?,
                        operation: r.get(2)?,
                        target_uri: r.get(3)?,
                        status: r.get(4)?,
                        job_status_code: r.get(5)?,
                        job_reason_code: r.get(6)?,
                        job_results: None,
                        created_at: r.get(8)?,
                        completed_at: r.get(9)?,
                    },
                    r.get::<_, Option<String>>(7)?,
                ))
            })
            .optional()?;
        match row {
            None => Ok(None),
            Some((mut job, results)) => {
                job.job_results = results.map(|t| serde_json::from_str(&t)).transpose()?;
                Ok(Some(job))
            }
        }
    }

    /// Sets the status of a job.
    pub fn set_job_status(&self, id: &str, status: &str) -> Result<(), StoreError> {
        self.exec(
            "UPDATE jobs SET status = ?2 WHERE id = ?1",
            params![id, status],
        )?;
        Ok(())
    }

    /// Deletes a job; false if it did not exist.
    pub fn delete_job(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self.exec("DELETE FROM jobs WHERE id = ?1", [id])? == 1)
    }
}
