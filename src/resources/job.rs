//! Query Job Status, Delete Completed Job Status and Cancel Job. Jobs are
//! created complete by asynchronous operations (see `Ctx::job`), or
//! running when a job policy holds them back (`fixture::job_policies`).

use serde_json::{Map, Value, json};

use crate::api::{HmcError, Method, Response};
use crate::ctx::Ctx;
use crate::resources::{Service, Transaction};
use crate::store::JobRow;

fn lookup(ctx: &Ctx<'_>) -> Result<JobRow, HmcError> {
    let id = ctx.param("job-id");
    ctx.tx
        .job(id)?
        .ok_or_else(|| HmcError::not_found(ctx.req.path()))
}

fn ended(job: &JobRow) -> bool {
    matches!(job.status.as_str(), "complete" | "canceled")
}

/// Operation: Query Job Status.
/// A job a job policy holds back moves on here (`job_policies::on_poll`).
fn query_job_status(ctx: &mut Ctx<'_>) -> Result<Response, HmcError> {
    let mut job = lookup(ctx)?;
    crate::fixture::job_policies::on_poll(ctx, &mut job)?;
    let mut body = Map::new();
    body.insert("status".into(), json!(job.status));
    if ended(&job) {
        body.insert("job-status-code".into(), json!(job.job_status_code));
        body.insert("job-reason-code".into(), json!(job.job_reason_code));
        if let Some(r) = job.job_results {
            body.insert("job-results".into(), r);
        }
    }
    Ok(Response::ok(Value::Object(body)))
}

/// Operation: Delete Completed Job Status; 409.40 while the job runs.
fn delete_job(ctx: &mut Ctx<'_>) -> Result<Response, HmcError> {
    let job = lookup(ctx)?;
    if !ended(&job) {
        return Err(HmcError::conflict(
            40,
            format!("Job {} has not ended (status: {})", job.id, job.status),
        ));
    }
    ctx.tx.delete_job(&job.id)?;
    Ok(Response::no_content())
}

/// Operation: Cancel Job. A running job becomes `cancel-pending` (and
/// `canceled` on its next Query Job Status, its operation never run); one that
/// has ended cannot be canceled (409.41).
fn cancel_job(ctx: &mut Ctx<'_>) -> Result<Response, HmcError> {
    let job = lookup(ctx)?;
    if job.status != "running" {
        return Err(HmcError::conflict(
            41,
            format!("Job {} cannot be canceled in status {}", job.id, job.status),
        ));
    }
    ctx.tx.set_job_status(&job.id, "cancel-pending")?;
    Ok(Response {
        status: 202,
        headers: Vec::new(),
        body: crate::api::Body::Empty,
    })
}

pub const QUERY_JOB_STATUS: Service = Service {
    title: "Query Job Status",
    method: Method::Get,
    pattern: "/api/jobs/{job-id}",
    query: None,
    auth: true,
    transaction: Transaction::Write,
    handler: "JobHandler",
    run: query_job_status,
};

pub const DELETE_COMPLETED_JOB_STATUS: Service = Service {
    title: "Delete Completed Job Status",
    method: Method::Delete,
    pattern: "/api/jobs/{job-id}",
    query: None,
    auth: true,
    transaction: Transaction::ByMethod,
    handler: "JobHandler",
    run: delete_job,
};

pub const CANCEL_JOB: Service = Service {
    title: "Cancel Job",
    method: Method::Post,
    pattern: "/api/jobs/{job-id}/operations/cancel",
    query: None,
    auth: true,
    transaction: Transaction::ByMethod,
    handler: "JobCancelHandler",
    run: cancel_job,
};
