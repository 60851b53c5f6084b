//! `handle`: route -> transaction -> authenticate -> handler -> commit or
//! roll back -> Response. Both the HTTP server and the library API enter here.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::api::response::Body;
use crate::api::{HmcError, Request, Response};
use crate::ctx::Ctx;
use crate::resources::console::operations::check_available;
use crate::resources::framework::{generic, runner};
use crate::routes::{Action, Params, RouteTable};
use crate::store::{SessionRow, Store, Tx};

/// A session's `last_used_at` is written at most this often, so that a GET
/// stays a read transaction.
const TOUCH_INTERVAL_MS: i64 = 60_000;

/// Unix milliseconds now.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Handles one request; errors become HMC error bodies.
pub fn handle(store: &Store, routes: &RouteTable, req: &Request) -> Response {
    let now = now_ms();
    let mut error_uri = req.uri.clone();
    let result = dispatch(store, routes, req, now, &mut error_uri);
    match result {
        Ok(r) => r,
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
    }
}

fn dispatch(
    store: &Store,
    routes: &RouteTable,
    req: &Request,
    now: i64,
    error_uri: &mut String,
) -> Result<Response, HmcError> {
    let found = find_action(routes, req);
    let (params, action, accepts_query) = match found {
        Ok(found) => found,
        Err(e) => {
            // A request the HMC would refuse is refused while it is down.
            store.read(|tx| check_available(tx, now))?;
            return Err(e);
        }
    };
    // Dispatch errors name the full URI; errors after query parsing do not.
    if accepts_query {
        *error_uri = req.path().to_string();
    }
    // A GET runs in a read transaction unless its operation changes state
    // (Get Service Request Information with `delete=true`).
    let writes = req.method.writes() || matches!(action, Action::Operation(_, op) if op.writes);
    let needs_session = match action {
        Action::Service(s) => s.auth,
        _ => true,
    };
    let run = |tx: &Tx<'_>| -> Result<(Response, Option<SessionRow>), HmcError> {
        check_available(tx, now)?;
        let session = if needs_session {
            Some(authenticate(tx, req, now)?)
        } else {
            None
        };
        let mut ctx = Ctx {
            tx,
            req,
            session: session.as_ref(),
            now,
            params: &params,
            target: target_of(req.path(), action),
            routes,
        };
        let response = run_action(&mut ctx, action)?;
        if let Some(s) = &session
            && writes
            && touch_due(s, now)
        {
            touch(tx, s, now)?;
        }
        Ok((response, session))
    };
    let (response, session) = if writes {
        store.write(run)?
    } else {
        store.read(run)?
    };
    if let Some(s) = session
        && !writes
        && touch_due(&s, now)
    {
        store.write(|tx| touch(tx, &s, now))?;
    }
    Ok(response)
}

/// Runs `req` as part of the request in `ctx` (Submit Requests): in the
/// same transaction, as the same session, through the same route table and
/// handlers, inside a savepoint of its own, so that its error undoes only
/// what it did and leaves what the other nested requests did. The caller
/// builds the answer item from the result.
pub fn handle_nested(ctx: &Ctx<'_>, req: &Request) -> Result<Response, HmcError> {
    let (params, action, _) = find_action(ctx.routes, req)?;
    ctx.tx.in_savepoint(|tx| {
        let mut nested = Ctx {
            tx,
            req,
            session: ctx.session,
            now: ctx.now,
            params: &params,
            target: target_of(req.path(), action),
            routes: ctx.routes,
        };
        run_action(&mut nested, action)
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
fn authenticate(tx: &Tx<'_>, req: &Request, now: i64) -> Result<SessionRow, HmcError> {
    let id = req.session_id.as_deref().ok_or_else(HmcError::no_session)?;
    match tx.session(id)? {
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
