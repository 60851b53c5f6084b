//! `Ctx`: what a handler gets: the open transaction, the request, the
//! caller's session, the clock, and job creation.

use serde_json::Value;

use crate::api::{HmcError, Query, Request, Response, Sink};
use crate::routes::RouteTable;
use crate::store::{Head, JobRow, Resource, SessionRow, Tx};

/// The context of one request inside its transaction.
pub struct Ctx<'a> {
    pub tx: &'a Tx<'a>,
    pub req: &'a Request,
    pub session: Option<&'a SessionRow>,
    /// Unix milliseconds at the start of the request.
    pub now: i64,
    /// Route parameters (`job-id`, ...).
    pub params: &'a [(String, String)],
    /// The URI of what the request targets, as dispatch found it: the
    /// element of an element operation, the collection URI of a List,
    /// Create or collection operation.
    pub target: String,
    /// The route table, for requests that run other requests (Submit
    /// Requests).
    pub routes: &'a RouteTable,
    /// The error a matched `--job-error` fault rule ends this request's job
    /// with (instead of running the operation; `runner::run_operation`).
    pub job_error: Option<HmcError>,
    /// Where a large answer may go while it is produced (`AnswerText`):
    /// set only by the HTTP server's blocking entry, never for the library,
    /// inline reads or nested requests, which get the answer whole.
    pub sink: Option<&'a dyn Sink>,
    /// The head of a List's parent as the request's preflight read it
    /// (`Some(None)`: no such resource); `None` where none was read (not a
    /// List, or a nested request).
    pub list_parent: Option<Option<Head>>,
}

impl Ctx<'_> {
    /// The parsed query of the request.
    pub fn query(&self) -> Result<Query, HmcError> {
        Query::parse(self.req.raw_query())
    }

    /// A route parameter by name.
    pub fn param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Whether the request targets `r` itself or something below it (the
    /// HMC words a status conflict of `r` as "the targeted ..." then, and
    /// as "... hosting the targeted resource" otherwise).
    pub fn targets(&self, r: &Resource) -> bool {
        self.target.starts_with(&r.uri)
    }

    /// Finishes an asynchronous operation: records a job that is already
    /// complete with `result` (`None` for no result) and answers 202 with its
    /// URI, so the client finds it complete on its first poll.
    pub fn job(
        &self,
        operation: &str,
        target_uri: &str,
        result: Option<Value>,
    ) -> Result<Response, HmcError> {
        let id = uuid::Uuid::new_v4().to_string();
        let code = if result.is_some() { 200 } else { 204 };
        self.tx.insert_job(&JobRow {
            id: id.clone(),
            session_id: self.session.map(|s| s.id.clone()),
            operation: operation.to_string(),
            target_uri: target_uri.to_string(),
            status: "complete".into(),
            job_status_code: Some(code),
            job_reason_code: None,
            job_results: result,
            created_at: self.now,
            completed_at: Some(self.now),
        })?;
        Ok(Response::accepted_job(&format!("/api/jobs/{id}")))
    }
}
