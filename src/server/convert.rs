//! Conversion: an HTTP request becomes an `api::Request`, runs in
//! `Hmc::handle` on a blocking thread, and its `Response` becomes HTTP.
//! What the HTTP layer refuses (an unknown method, a body over the limit)
//! gets the HMC error body too.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Body as AxumBody;
use axum::extract::State;
use axum::http::{HeaderValue, Request as HttpRequest, Response as HttpResponse, StatusCode};
use tokio::sync::Semaphore;

use crate::api::{HmcError, Method, Request};
use crate::hmc::Hmc;
use crate::store::Store;

#[derive(Clone)]
struct AppState {
    hmc: Arc<Hmc>,
    /// Bounds the blocking threads to the number of store connections.
    permits: Arc<Semaphore>,
    body_limit: usize,
}

/// The service every connection is served with: one fallback route.
pub(super) fn app(hmc: Arc<Hmc>, body_limit: usize) -> Router {
    let state = AppState {
        hmc,
        permits: Arc::new(Semaphore::new(Store::CONNECTIONS)),
        body_limit,
    };
    Router::new().fallback(handle).with_state(state)
}

fn error_response(e: &HmcError, method: &str, uri: &str) -> HttpResponse<AxumBody> {
    let body = e.body(method, uri).to_string();
    let mut r = HttpResponse::new(AxumBody::from(body));
    *r.status_mut() = StatusCode::from_u16(e.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    r
}

async fn handle(
    State(state): State<AppState>,
    req: HttpRequest<AxumBody>,
) -> HttpResponse<AxumBody> {
    let started = Instant::now();
    let method_name = req.method().as_str().to_string();
    let uri = req.uri().path_and_query().map_or_else(
        || req.uri().path().to_string(),
        |pq| pq.as_str().to_string(),
    );
    let response = respond(&state, req, &method_name, &uri).await;
    tracing::info!(
        method = %method_name,
        uri = %uri,
        status = response.status().as_u16(),
        ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    response
}

async fn respond(
    state: &AppState,
    req: HttpRequest<AxumBody>,
    method_name: &str,
    uri: &str,
) -> HttpResponse<AxumBody> {
    let Some(method) = Method::parse(method_name) else {
        let e = HmcError::invalid_method(method_name, uri, "mock-hmc");
        return error_response(&e, method_name, uri);
    };
    let (parts, body) = req.into_parts();
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let session_id = header("x-api-session");
    let content_type = header("content-type");
    let body = match axum::body::to_bytes(body, state.body_limit).await {
        Ok(b) => b.to_vec(),
        Err(_) => {
            let e = HmcError::body_too_large(state.body_limit);
            return error_response(&e, method_name, uri);
        }
    };
    let request = Request {
        method,
        uri: uri.to_string(),
        session_id,
        content_type,
        body,
        test_id: header("x-mock-test-id"),
    };
    let Ok(_permit) = state.permits.acquire().await else {
        return error_response(&HmcError::internal(), method_name, uri);
    };
    let hmc = state.hmc.clone();
    let result = tokio::task::spawn_blocking(move || hmc.handle(&request)).await;
    let response = match result {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "handler task failed");
            return error_response(&HmcError::internal(), method_name, uri);
        }
    };
    let mut out = HttpResponse::new(AxumBody::from(response.body_bytes()));
    *out.status_mut() =
        StatusCode::from_u16(response.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Some(ct) = response.content_type()
        && let Ok(v) = HeaderValue::from_str(ct)
    {
        out.headers_mut().insert("content-type", v);
    }
    for (name, value) in &response.headers {
        if let (Ok(n), Ok(v)) = (
            axum::http::HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            out.headers_mut().insert(n, v);
        }
    }
    out
}
