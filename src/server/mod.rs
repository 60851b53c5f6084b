//! The thin HTTP(S) front end: one fallback route that converts an HTTP
//! request into an `api::Request`, runs `Hmc::handle` on a blocking thread,
//! and converts the `Response` back. The only module that knows HTTP.

pub mod stomp;
mod stomp_frame;
pub mod tls;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body as AxumBody;
use axum::extract::State;
use axum::http::{HeaderValue, Request as HttpRequest, Response as HttpResponse, StatusCode};
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::api::{HmcError, Method, Request};
use crate::hmc::{Error, Hmc};

/// Largest request body accepted (ISO images for Mount ISO Image included).
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024 * 1024;

/// How `serve` listens.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub listen: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    /// Where to write the port actually bound.
    pub port_file: Option<PathBuf>,
    pub plain_http: bool,
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
    pub body_limit: usize,
    /// The STOMP notification server beside the HTTP one.
    pub stomp: stomp::StompOptions,
}

impl Default for ServeOptions {
    fn default() -> ServeOptions {
        ServeOptions {
            listen: IpAddr::from([127, 0, 0, 1]),
            port: 6794,
            port_file: None,
            plain_http: false,
            cert: None,
            key: None,
            body_limit: DEFAULT_BODY_LIMIT,
            stomp: stomp::StompOptions::default(),
        }
    }
}

#[derive(Clone)]
struct AppState {
    hmc: Arc<Hmc>,
    /// Bounds the blocking threads to the number of store connections.
    permits: Arc<Semaphore>,
    body_limit: usize,
}

/// Serves `hmc` until SIGINT or SIGTERM, then finishes open requests and
/// checkpoints the WAL. `on_bound` is called with the bound address.
pub fn serve(
    hmc: Arc<Hmc>,
    opts: ServeOptions,
    on_bound: impl FnOnce(SocketAddr),
) -> Result<(), Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(16)
        .build()?;
    runtime.block_on(run(hmc.clone(), opts, on_bound))?;
    hmc.checkpoint()?;
    Ok(())
}

async fn run(
    hmc: Arc<Hmc>,
    opts: ServeOptions,
    on_bound: impl FnOnce(SocketAddr),
) -> Result<(), Error> {
    let tls = if opts.plain_http {
        None
    } else {
        Some(tls::acceptor(
            &hmc,
            opts.cert.as_deref(),
            opts.key.as_deref(),
        )?)
    };
    let listener = TcpListener::bind((opts.listen, opts.port)).await?;
    let addr = listener.local_addr()?;
    let stomp_tls = match (opts.stomp.enabled && !opts.stomp.plain, &tls) {
        (false, _) => None,
        (true, Some(t)) => Some(t.clone()),
        (true, None) => Some(tls::acceptor(
            &hmc,
            opts.cert.as_deref(),
            opts.key.as_deref(),
        )?),
    };
    // Unregisters the listener when serving ends.
    let _stomp = stomp::start(
        hmc.clone(),
        opts.listen,
        &opts.stomp,
        stomp_tls,
        opts.port_file.as_deref(),
    )
    .await?;
    if let Some(f) = &opts.port_file {
        std::fs::write(f, format!("{}\n", addr.port()))?;
    }
    on_bound(addr);
    let state = AppState {
        hmc,
        permits: Arc::new(Semaphore::new(8)),
        body_limit: opts.body_limit,
    };
    let app = Router::new().fallback(handle).with_state(state);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown_signal());
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Python clients stall ~40 ms per request with Nagle's algorithm on.
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone());
        let builder = hyper::server::conn::http1::Builder::new();
        let watcher = graceful.watcher();
        match &tls {
            None => {
                let conn = builder.serve_connection(TokioIo::new(stream), service);
                let conn = watcher.watch(conn);
                tokio::spawn(async move {
                    if let Err(e) = conn.await {
                        tracing::debug!(%peer, error = %e, "connection ended");
                    }
                });
            }
            Some(acceptor) => {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let handshake =
                        tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream));
                    let tls_stream = match handshake.await {
                        Ok(Ok(s)) => s,
                        Ok(Err(e)) => {
                            tracing::debug!(%peer, error = %e, "TLS handshake failed");
                            return;
                        }
                        Err(_) => {
                            tracing::debug!(%peer, "TLS handshake timed out");
                            return;
                        }
                    };
                    let conn = builder.serve_connection(TokioIo::new(tls_stream), service);
                    if let Err(e) = watcher.watch(conn).await {
                        tracing::debug!(%peer, error = %e, "connection ended");
                    }
                });
            }
        }
    }
    tracing::info!("shutting down");
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(Duration::from_secs(10)) => {
            tracing::warn!("connections still open after 10 s; closing them");
        }
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
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
