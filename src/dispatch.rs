//! `handle`: route -> transaction -> authenticate -> handler -> commit or
//! roll back -> Response. Both the HTTP server and the library API enter here.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::api::response::Body;
use crate::api::{DROP_CONNECTION, HmcError, Request, Response, Sink};
use crate::ctx::Ctx;
use crate::fixture::journal::{Journal, Trace};
use crate::fixture::{clock, faults};
use crate::resources::Transaction;
use crate::resources::console::operations::{check_available, check_until};
use crate::resources::framework::descriptor::Answer;
use crate::resources::framework::{generic, runner};
use crate::routes::{Action, Params, RouteTable};
use crate::store::{SessionRow, Store, Tx};

/// A session's `last_used_at` is written at most this often, so that a GET
/// stays a read transaction.
pub(crate) const TOUCH_INTERVAL_MS: i64 = 60_000;

/// Unix milliseconds now, real time (the HMC clock is `fixture::clock::now`).
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Handles one request; errors become HMC error bodies. With `journal`, the
/// request and its answer are queued for the request journal's flusher
/// (see `fixture::journal`), once the request's transaction has ended.
///
/// With `sink`, a handler may stream its answer into it (see `api::sink`);
/// the answer is then `Response::streamed()`, unless it was decided before
/// the first piece.
pub fn handle(
    store: &Store,
    routes: &RouteTable,
    req: &Request,
    journal: Option<&Journal>,
    sink: Option<&dyn Sink>,
) -> Response {
    // Only `Mode::Inline` and `Mode::Lane` give up.
    run_request(store, routes, req, journal, Mode::Blocking, sink).unwrap_or_else(|| Response {
        status: 500,
        headers: Vec::new(),
        body: Body::Json(HmcError::internal().body(req.method.as_str(), &req.uri)),
    })
}

/// How a request may run.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mode {
    /// On a thread that may block: every request runs to its answer.
    Blocking,
    /// On a thread that must not block (an async worker of the server):
    /// only a Get or List that turns out to be a plain read runs; a write,
    /// a request that meets a fault rule (a write, maybe a delay) or whose
    /// session is due its `last_used_at` write gives up before any effect,
    /// and is run again `Blocking`. Handing every request to a blocking
    /// thread cost a Get about a fifth of its CPU time in thread wake-ups
    /// (docs/benchmarks.md).
    Inline,
    /// On the server's one writer thread (`server::lane`), which runs the
    /// server's plain writes one after the other: only a write runs, and
    /// one that meets a fault rule (which may sleep for its delay) gives up
    /// before any effect, as in `Inline`, so that no other write waits for
    /// it. Handing each write to a blocking thread, which then queued for
    /// the writer connection and again for its group's commit, cost an
    /// Update about a third of its CPU time in thread wake-ups
    /// (docs/benchmarks.md).
    Lane,
}

/// `handle` in `mode`; `None`: the request needs `Mode::Blocking` (nothing
/// happened, nothing was journaled).
pub fn handle_in(
    store: &Store,
    routes: &RouteTable,
    req: &Request,
    journal: Option<&Journal>,
    mode: Mode,
) -> Option<Response> {
    run_request(store, routes, req, journal, mode, None)
}

fn run_request(
    store: &Store,
    routes: &RouteTable,
    req: &Request,
    journal: Option<&Journal>,
    mode: Mode,
    sink: Option<&dyn Sink>,
) -> Option<Response> {
    let started = std::time::Instant::now();
    let mut error_uri = req.uri.clone();
    let mut trace = Trace::default();
    let result = dispatch(store, routes, req, &mut error_uri, &mut trace, mode, sink);
    let response = match result {
        Ok(Some(r)) => r,
        Ok(None) => return None,
        Err(e) => {
            // 503 is an HMC that is down on purpose, not a failure.
            if e.status >= 500 && e.status != 503 {
                tracing::error!(method = %req.method, uri = %req.uri, "{e}");
            }
            // An HMC that is down drops its connections (zhmcclient then
            // sees a connection error, as from an HMC that went away).
            let headers = if e.status == 503 {
                vec![("Connection".to_string(), "close".to_string())]
            } else {
                Vec::new()
            };
            Response {
                status: e.status,
                headers,
                body: Body::Json(e.body(req.method.as_str(), &error_uri)),
            }
        }
    };
    if let Some(journal) = journal {
        let us = started.elapsed().as_micros() as i64;
        journal.record(req, &response, trace, us);
    }
    Some(response)
}

/// `Ok(None)`: `mode` is `Inline` and the request needs a blocking thread.
fn dispatch(
    store: &Store,
    routes: &RouteTable,
    req: &Request,
    error_uri: &mut String,
    trace: &mut Trace,
    mode: Mode,
    sink: Option<&dyn Sink>,
) -> Result<Option<Response>, HmcError> {
    let found = find_action(routes, req);
    let (params, action, accepts_query) = match found {
        Ok(found) => found,
        Err(e) => {
            // A request the HMC would refuse is refused while it is down.
            store.read(|tx| check_available(tx, clock::now(tx)?))?;
            return Err(e);
        }
    };
    // Dispatch errors name the full URI; errors after query parsing do not.
    if accepts_query {
        *error_uri = req.path().to_string();
    }
    // A GET runs in a read transaction unless its operation changes state
    // (Get Service Request Information with `delete=true`); a POST in a
    // write transaction unless its service only reads (Get Inventory).
    let writes = match action {
        Action::Operation(_, op) => req.method.writes() || op.writes,
        Action::Service(s) => match s.transaction {
            Transaction::ByMethod => req.method.writes(),
            Transaction::Write => true,
            Transaction::Read => false,
        },
        _ => req.method.writes(),
    };
    let needs_session = match action {
        Action::Service(s) => s.auth,
        _ => true,
    };
    let inline = mode == Mode::Inline;
    if mode == Mode::Lane && !writes {
        return Ok(None);
    }
    // Modes that must not sleep for a fault's delay give up at its rule.
    let gives_up_at_faults = mode != Mode::Blocking;
    // Get and List answer one object or one parent's children; other reads
    // (Get Inventory, metrics, job status) may take long enough to hold up
    // the other connections of an async worker.
    if inline && (writes || !matches!(action, Action::Get(_) | Action::List(_))) {
        return Ok(None);
    }
    // A List's handler needs its parent's class and mode: the preflight
    // reads them in its statement.
    let list_parent = match action {
        Action::List(rt) => generic::collection_parent(rt, req.path()),
        _ => None,
    };
    // `check_faults`: the first run stops at a matching fault rule (only
    // reading); the rule is then counted in a write and the request runs
    // again without the check.
    let run = |tx: &Tx<'_>,
               check_faults: bool,
               job_error: Option<HmcError>|
     -> Result<Outcome, HmcError> {
        let token = req.session_id.as_deref().filter(|_| needs_session);
        let pre = tx.preflight(token, list_parent.as_deref())?;
        let now = clock::at_offset(pre.clock_offset_ms);
        check_until(pre.unavailable_until.as_deref(), now)?;
        let session = if needs_session {
            Some(session_of(req, pre.session, now)?)
        } else {
            None
        };
        if check_faults {
            let probe = probe(req, action, session.as_ref());
            if faults::any_match(tx, &probe, now, pre.has_faults)? {
                if gives_up_at_faults {
                    return Ok(Outcome::Blocked);
                }
                return Ok(Outcome::Fault(session.map(|s| (s.userid, s.id))));
            }
        }
        let mut ctx = Ctx {
            tx,
            req,
            session: session.as_ref(),
            now,
            params: &params,
            target: target_of(req.path(), action),
            routes,
            job_error,
            sink,
            list_parent: list_parent.as_ref().map(|_| pre.parent),
        };
        let response = run_action(&mut ctx, action)?;
        if let Some(s) = &session
            && writes
            && touch_due(s, now)
        {
            touch(tx, s, now)?;
        }
        Ok(Outcome::Done(response, session, now))
    };
    let execute = |check_faults: bool, job_error: Option<HmcError>| {
        if writes {
            store.write(|tx| run(tx, check_faults, job_error.clone()))
        } else {
            store.read(|tx| run(tx, check_faults, job_error.clone()))
        }
    };
    let mut outcome = execute(true, None)?;
    if let Outcome::Done(_, Some(s), now) = &outcome
        && inline
        && touch_due(s, *now)
    {
        outcome = Outcome::Blocked;
    }
    if let Outcome::Blocked = outcome {
        return Ok(None);
    }
    if let Outcome::Fault(who) = &outcome {
        if let Some((userid, session)) = who {
            trace.userid = Some(userid.clone());
            trace.session = Some(session.clone());
        }
        let (userid, session) = who.as_ref().map(|(u, s)| (u.as_str(), s.as_str())).unzip();
        let probe = faults::Probe {
            userid,
            session,
            ..probe(req, action, None)
        };
        let effect = store.write(|tx| faults::take(tx, &probe, clock::now(tx)?))?;
        trace.fault_id = effect.rule;
        if effect.delay_ms > 0 {
            std::thread::sleep(std::time::Duration::from_millis(effect.delay_ms as u64));
        }
        if let Some(e) = effect.error {
            // The server closes the connection instead of sending this.
            if effect.drop_connection {
                return Ok(Some(Response {
                    status: e.status,
                    headers: vec![
                        (DROP_CONNECTION.to_string(), "1".to_string()),
                        ("Connection".to_string(), "close".to_string()),
                    ],
                    body: Body::Json(e.body(req.method.as_str(), error_uri)),
                }));
            }
            return Err(e);
        }
        // A job error ends the job of a job operation (the runner records
        // it as failed, changing nothing); any other request answers it.
        let job_error = match (effect.job_error, action) {
            (Some(e), Action::Operation(_, op)) if op.answer == Answer::Job => Some(e),
            (Some(e), _) => return Err(e),
            (None, _) => None,
        };
        outcome = execute(false, job_error)?;
    }
    let Outcome::Done(response, session, now) = outcome else {
        return Err(HmcError::internal());
    };
    if let Some(s) = &session {
        trace.session = Some(s.id.clone());
        trace.userid = Some(s.userid.clone());
    }
    if let Some(s) = session
        && !writes
        && touch_due(&s, now)
    {
        store.write(|tx| touch(tx, &s, now))?;
    }
    Ok(Some(response))
}

/// How a run of a request inside its transaction ended.
#[allow(
    clippy::large_enum_variant,
    reason = "one short-lived value per request, moved once"
)]
enum Outcome {
    /// Answered: the response, the caller's session and the HMC time.
    Done(Response, Option<SessionRow>, i64),
    /// A fault rule matches; the caller's (userid, session id).
    Fault(Option<(String, String)>),
    /// `Mode::Inline` or `Mode::Lane` stops here: the request needs a
    /// blocking thread.
    Blocked,
}

/// What fault rules see of a request.
fn probe<'a>(req: &'a Request, action: Action, s: Option<&'a SessionRow>) -> faults::Probe<'a> {
    faults::Probe {
        method: req.method.as_str(),
        path: req.path(),
        operation: action.title(),
        userid: s.map(|s| s.userid.as_str()),
        session: s.map(|s| s.id.as_str()),
    }
}

/// The context of `req` run inside the request of `outer`: the same
/// session, clock and route table, in the transaction (savepoint) `tx`.
fn nested_ctx<'a>(
    outer: &'a Ctx<'_>,
    tx: &'a Tx<'a>,
    req: &'a Request,
    params: &'a Params,
    action: Action,
) -> Ctx<'a> {
    Ctx {
        tx,
        req,
        session: outer.session,
        now: outer.now,
        params,
        target: target_of(req.path(), action),
        routes: outer.routes,
        job_error: None,
        // The outer request reads a nested answer as a value.
        sink: None,
        list_parent: None,
    }
}

/// Runs `req` as part of the request in `ctx` (Submit Requests): in the
/// same transaction, as the same session, through the same route table and
/// handlers, inside a savepoint of its own, so that its error undoes only
/// what it did and leaves what the other nested requests did. The caller
/// builds the answer item from the result.
pub fn handle_nested(ctx: &Ctx<'_>, req: &Request) -> Result<Response, HmcError> {
    let (params, action, _) = find_action(ctx.routes, req)?;
    ctx.tx.in_savepoint(|tx| {
        let mut nested = nested_ctx(ctx, tx, req, &params, action);
        // The caller reads the answer as a value.
        run_action(&mut nested, action).map(Response::parsed)
    })
}

/// Runs the job operation `req` that a job policy held back (see
/// `fixture::job_policies`), as part of the request in `ctx` (the Query Job
/// Status that completes it), inside a savepoint so that a failing body
/// leaves nothing behind: what its body produced and its target as changed.
pub fn run_pending(
    ctx: &Ctx<'_>,
    req: &Request,
) -> Result<
    (
        crate::resources::framework::descriptor::Done,
        crate::store::Resource,
    ),
    HmcError,
> {
    let (params, action, _) = find_action(ctx.routes, req)?;
    let Action::Operation(rt, op) = action else {
        return Err(HmcError::internal());
    };
    ctx.tx.in_savepoint(|tx| {
        let mut nested = nested_ctx(ctx, tx, req, &params, action);
        runner::run_pending(&mut nested, rt, op)
    })
}

/// The route parameters and the action for `req`, and whether its route
/// takes a query: 404.1 for a URI no route matches, a query on a route
/// that takes none, or a method the route lacks.
fn find_action(routes: &RouteTable, req: &Request) -> Result<(Params, Action, bool), HmcError> {
    let Some((route, params)) = routes.lookup(req.path()) else {
        return Err(HmcError::not_found(&req.uri));
    };
    if req.raw_query().is_some() && !route.accepts_query {
        return Err(HmcError::not_found(&req.uri));
    }
    let Some(&(_, action)) = route.methods.iter().find(|(m, _)| *m == req.method) else {
        return Err(HmcError::invalid_method(
            req.method.as_str(),
            &req.uri,
            &route.handler,
        ));
    };
    Ok((params, action, route.accepts_query))
}

fn run_action(ctx: &mut Ctx<'_>, action: Action) -> Result<Response, HmcError> {
    match action {
        Action::List(rt) => generic::list(ctx, rt),
        Action::Create(rt) => generic::create(ctx, rt),
        Action::Get(rt) => generic::get(ctx, rt),
        Action::Update(rt) => generic::update(ctx, rt),
        Action::Delete(rt) => generic::delete(ctx, rt),
        Action::Operation(rt, op) => runner::run_operation(ctx, rt, op),
        Action::Service(s) => {
            if let Some(allowed) = s.query {
                ctx.query()?.check_allowed(allowed)?;
            }
            (s.run)(ctx)
        }
    }
}

/// The URI the request targets: the path, or for a special operation the
/// path without the operation's suffix (its element or collection).
fn target_of(path: &str, action: Action) -> String {
    match action {
        Action::Operation(_, op) => path.strip_suffix(op.path).unwrap_or(path).to_string(),
        _ => path.to_string(),
    }
}

/// The caller's session: 403.4 without `X-API-Session`, 403.5 for an id that
/// is unknown, logged off or expired.
pub(crate) fn authenticate(tx: &Tx<'_>, req: &Request, now: i64) -> Result<SessionRow, HmcError> {
    let found = match req.session_id.as_deref() {
        Some(id) => tx.session(id)?,
        None => None,
    };
    session_of(req, found, now)
}

/// `authenticate` given the session found by the request's id.
fn session_of(req: &Request, found: Option<SessionRow>, now: i64) -> Result<SessionRow, HmcError> {
    if req.session_id.is_none() {
        return Err(HmcError::no_session());
    }
    match found {
        Some(s) if s.expires_at > now => Ok(s),
        _ => Err(HmcError::bad_session()),
    }
}

/// Whether to record a use of `s` now: at most once a minute, but at least
/// ten times per idle timeout, so that an idle session ends at most a tenth
/// of its timeout early (with a one-minute timeout and a fixed one-minute
/// interval, a session in constant use would end a minute after logon).
fn touch_due(s: &SessionRow, now: i64) -> bool {
    let idle = s.expires_at.saturating_sub(s.last_used_at);
    now - s.last_used_at >= TOUCH_INTERVAL_MS.min(idle / 10)
}

fn touch(tx: &Tx<'_>, s: &SessionRow, now: i64) -> Result<(), HmcError> {
    let idle = s.expires_at.saturating_sub(s.last_used_at);
    tx.touch_session(&s.id, now, now.saturating_add(idle))?;
    Ok(())
}
