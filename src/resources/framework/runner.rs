//! The runner of special operations: it finds the target (dispatch's one
//! lookup), checks the query, the CPC mode and the preconditions the
//! operation's row declares, runs the row's body, and turns what the body
//! produced into the row's answer (200/201/204, or 202 with a job recorded
//! under the row's title).

use serde_json::Value;

use crate::api::{Body, HmcError, Response};
use crate::ctx::Ctx;
use crate::fixture::job_policies;
use crate::resources::framework::descriptor::{Answer, Done, Missing, On, Operation, ResourceType};
use crate::resources::framework::generic::{collection_parent_resource, fetch, lookup};
use crate::resources::framework::preconditions::check_needs;
use crate::store::{JobPolicyRow, Resource};

/// Runs `op` of type `rt` for the request in `ctx`.
pub fn run_operation(
    ctx: &mut Ctx<'_>,
    rt: &ResourceType,
    op: &Operation,
) -> Result<Response, HmcError> {
    if let Some(allowed) = op.query {
        ctx.query()?.check_allowed(allowed)?;
    }
    let mut target = match op.on {
        On::Element => element_target(ctx, rt, op.missing)?,
        On::Collection => collection_parent_resource(ctx, rt)?
            .ok_or_else(|| HmcError::not_found(ctx.req.path()))?,
    };
    check_needs(ctx, &target, &op.needs)?;
    // A `--job-error` fault rule matched: the job ends with its error, as
    // a job policy's error outcome does, and the body never runs.
    if op.answer == Answer::Job
        && let Some(e) = ctx.job_error.take()
    {
        let policy = JobPolicyRow {
            error_status: Some(e.status),
            error_reason: Some(e.reason),
            error_message: Some(e.message),
            ..JobPolicyRow::default()
        };
        return job_policies::defer(ctx, op.title, &target.uri, &policy);
    }
    // A job policy holds the job of an element operation back: the HMC
    // checks the preconditions before it accepts the job (above), but the
    // body, and so the resource change, runs only when the job completes
    // (`job_policies::complete`, through `run_pending`). This is the one
    // place a job is deferred; collection jobs (Create ... with a
    // `Location`) need their body's URI at once and always run now.
    if op.answer == Answer::Job
        && op.on == On::Element
        && let Some(policy) = job_policies::matching(ctx.tx, op.title, ctx.req.path())?
    {
        return job_policies::defer(ctx, op.title, &target.uri, &policy);
    }
    let done = (op.run)(ctx, &mut target)?;
    answer(ctx, rt, op, &target, done)
}

/// Runs the body of a job operation a job policy held back, now that its
/// job completes: the target as it is now, checked again (it may have
/// changed since); what the body produced and the changed target.
pub fn run_pending(
    ctx: &mut Ctx<'_>,
    rt: &ResourceType,
    op: &Operation,
) -> Result<(Done, Resource), HmcError> {
    let mut target = element_target(ctx, rt, op.missing)?;
    check_needs(ctx, &target, &op.needs)?;
    let done = (op.run)(ctx, &mut target)?;
    Ok((done, target))
}

/// The element an element operation targets: its URI is the request path
/// without the operation's suffix (`ctx.target`, set by dispatch).
fn element_target(
    ctx: &Ctx<'_>,
    rt: &ResourceType,
    missing: Missing,
) -> Result<Resource, HmcError> {
    let Missing::Reason(reason) = missing else {
        return fetch(ctx.tx, rt, &ctx.target);
    };
    let path = ctx.req.path();
    if let (Some(parent_type), Some(parent_uri)) = (rt.parent, rt.parent_uri_in(&ctx.target)) {
        lookup(ctx.tx, parent_type, parent_uri)?.ok_or_else(|| HmcError::not_found(path))?;
    }
    lookup(ctx.tx, rt, &ctx.target)?.ok_or_else(|| HmcError::referenced_not_found(reason, path))
}

/// The answer `op` gives for what its body produced.
fn answer(
    ctx: &Ctx<'_>,
    rt: &ResourceType,
    op: &Operation,
    target: &Resource,
    done: Done,
) -> Result<Response, HmcError> {
    Ok(match (op.answer, done) {
        (_, Done::Response(r)) => r,
        (Answer::Sync, Done::Json(v)) => Response::ok(v),
        (Answer::Sync, Done::Nothing) => Response::no_content(),
        (Answer::Sync, Done::Created(uri, extra)) => {
            let mut r = Response::created(rt.uri_prop, &uri);
            if let (Body::Json(Value::Object(fields)), Some(Value::Object(more))) =
                (&mut r.body, extra)
            {
                fields.extend(more);
            }
            r
        }
        (Answer::Job, Done::Json(v)) => ctx.job(op.title, &target.uri, Some(v))?,
        (Answer::Job, Done::Nothing) => ctx.job(op.title, &target.uri, None)?,
        // zhmcclient reads a created resource's URI of a job from `Location`.
        (Answer::Job, Done::Created(uri, result)) => ctx
            .job(op.title, &uri, result)?
            .with_header("Location", &uri),
    })
}
