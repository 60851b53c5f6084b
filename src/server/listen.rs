//! Listening: the accept loop, TLS handshakes, SIGINT/SIGTERM and graceful
//! shutdown. Each accepted connection is served by hyper with `convert`'s
//! service.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;

use super::{ServeOptions, convert, tls};
use crate::hmc::{Error, Hmc};

/// Binds, calls `on_bound`, and serves until a shutdown signal.
pub(super) async fn run(
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
    if let Some(f) = &opts.port_file {
        std::fs::write(f, format!("{}\n", addr.port()))?;
    }
    on_bound(addr);
    let app: Router = convert::app(hmc, opts.body_limit);
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
