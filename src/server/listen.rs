//! Listening: binding, the accept loop (with back-off when accepting
//! fails and a limit on open connections), TLS handshakes, the per-
//! connection watchdog for the header and idle timeouts, SIGINT/SIGTERM
//! and graceful shutdown.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};

use super::convert::Handler;
use super::stream::{Activity, Watched};
use super::{ServeOptions, Timeouts, io_context, tls, write_file};
use crate::hmc::{Error, Hmc};

/// How often a repeated warning (accept failures, refused connections) is
/// logged at most; each line says how many happened since the last.
const LOG_INTERVAL: Duration = Duration::from_secs(10);
/// The longest pause after failed accepts (it doubles from 5 ms).
const MAX_BACKOFF: Duration = Duration::from_secs(1);
/// How long shutdown waits for open requests.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// hyper's read buffer per connection, which bounds a request's head.
/// hyper checks its bound only between reads, and one read may fill up to
/// a few times the bound: with its default (about 400 KB) a head of 500 KB
/// was answered 200 when one read brought its end, and 431 otherwise (a
/// hardening test failed so once in four runs). With 96 KiB a head of
/// 500 KB is always refused, and a URI up to hyper's longest (64 KiB, then
/// 414) still fits. zhmcclient's heads are under 1 KB.
const READ_BUFFER_BYTES: usize = 96 * 1024;

/// Counts events and says when to log them: the first at once, then at
/// most once per `LOG_INTERVAL`, with the count since the last line.
struct Throttle {
    last: Option<Instant>,
    count: u64,
}

impl Throttle {
    fn new() -> Throttle {
        Throttle {
            last: None,
            count: 0,
        }
    }

    fn note(&mut self) -> Option<u64> {
        self.count += 1;
        if self.last.is_some_and(|t| t.elapsed() < LOG_INTERVAL) {
            return None;
        }
        self.last = Some(Instant::now());
        Some(std::mem::take(&mut self.count))
    }
}

/// The addresses `listen` names, IPv4 first.
async fn addresses(listen: &str, port: u16) -> Result<Vec<SocketAddr>, Error> {
    if let Ok(ip) = listen.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let mut found: Vec<SocketAddr> = tokio::net::lookup_host((listen, port))
        .await
        .map_err(|e| io_context(format_args!("cannot resolve --listen {listen}"), e))?
        .collect();
    found.sort_by_key(|a| !a.is_ipv4());
    found.dedup();
    Ok(found)
}

/// Binds the first address of `listen` that can be bound.
async fn bind(listen: &str, port: u16) -> Result<(TcpListener, Vec<SocketAddr>), Error> {
    let candidates = addresses(listen, port).await?;
    let mut last = None;
    for addr in &candidates {
        match TcpListener::bind(addr).await {
            Ok(l) => return Ok((l, candidates)),
            Err(e) => last = Some(io_context(format_args!("cannot listen on {addr}"), e)),
        }
    }
    Err(last.unwrap_or_else(|| {
        Error::Io(std::io::Error::other(format!(
            "cannot listen on {listen}: it resolves to no address"
        )))
    }))
}

/// The names the generated certificate must carry for `listen`: the host
/// name as given and the addresses it stands for (an unspecified address
/// such as 0.0.0.0 names no host, so it adds none).
fn certificate_names(listen: &str, addrs: &[SocketAddr]) -> Vec<String> {
    let mut names = Vec::new();
    if listen.parse::<IpAddr>().is_err() {
        names.push(listen.to_string());
    }
    for a in addrs {
        let ip = a.ip().to_string();
        if !a.ip().is_unspecified() && !names.contains(&ip) {
            names.push(ip);
        }
    }
    names
}

/// Binds, writes the port and certificate files, calls `on_bound`, and
/// serves until a shutdown signal.
pub(super) async fn run(
    hmc: Arc<Hmc>,
    opts: ServeOptions,
    on_bound: impl FnOnce(SocketAddr),
) -> Result<(), Error> {
    let (listener, addrs) = bind(&opts.listen, opts.port).await?;
    let addr = listener.local_addr()?;
    let tls = if opts.plain_http {
        None
    } else {
        let names = certificate_names(&opts.listen, &addrs);
        let (acceptor, pem) =
            tls::acceptor(&hmc, opts.cert.as_deref(), opts.key.as_deref(), &names)?;
        if let Some(out) = &opts.cert_out {
            write_file("the certificate to", out, &pem)?;
        }
        Some(acceptor)
    };
    // Notifications over STOMP beside HTTP (unregistered when serving ends).
    let names = certificate_names(&opts.listen, &addrs);
    let _stomp = super::stomp::start_beside(&hmc, &opts, addr.ip(), tls.as_ref(), &names).await?;
    if let Some(f) = &opts.port_file {
        write_file("the port file", f, &format!("{}\n", addr.port()))?;
    }
    on_bound(addr);
    let max = opts
        .max_connections
        .unwrap_or_else(super::default_max_connections)
        .clamp(1, Semaphore::MAX_PERMITS.min(u32::MAX as usize));
    let slots = Arc::new(Semaphore::new(max));
    let handler =
        Arc::new(Handler::new(hmc, opts.body_limit, opts.timeouts.body).map_err(Error::Io)?);
    let (stop, stopped) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown_signal());
    let mut accept_failures = Throttle::new();
    let mut refused = Throttle::new();
    let mut backoff = Duration::ZERO;
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let (stream, peer) = match accepted {
            Ok(pair) => {
                backoff = Duration::ZERO;
                pair
            }
            Err(e) => {
                // Out of descriptors (EMFILE) the listener stays readable:
                // retrying at once would spin a core and flood the log.
                backoff = (backoff * 2).clamp(Duration::from_millis(5), MAX_BACKOFF);
                if let Some(n) = accept_failures.note() {
                    tracing::warn!(
                        error = %e,
                        failures = n,
                        pause_ms = backoff.as_millis() as u64,
                        "accept failed; pausing before accepting again"
                    );
                }
                tokio::select! {
                    () = tokio::time::sleep(backoff) => {}
                    () = &mut shutdown => break,
                }
                continue;
            }
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            if let Some(n) = refused.note() {
                tracing::warn!(
                    limit = max,
                    closed = n,
                    "connection limit reached; closing new connections"
                );
            }
            refuse(stream);
            continue;
        };
        // Python clients stall ~40 ms per request with Nagle's algorithm on.
        let _ = stream.set_nodelay(true);
        let handler = handler.clone();
        let stopped = stopped.clone();
        let timeouts = opts.timeouts;
        let tls = tls.clone();
        tokio::spawn(async move {
            let _slot = slot;
            match tls {
                None => serve_connection(stream, peer, handler, timeouts, stopped).await,
                Some(acceptor) => {
                    let handshake =
                        tokio::time::timeout(timeouts.handshake, acceptor.accept(stream));
                    match handshake.await {
                        Ok(Ok(s)) => serve_connection(s, peer, handler, timeouts, stopped).await,
                        Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                }
            }
        });
    }
    tracing::info!("shutting down");
    let _ = stop.send(true);
    // Every connection holds a slot: all slots back means all are done.
    let all = u32::try_from(max).unwrap_or(u32::MAX);
    if tokio::time::timeout(SHUTDOWN_GRACE, slots.acquire_many(all))
        .await
        .is_err()
    {
        tracing::warn!("connections still open after 10 s; closing them");
    }
    Ok(())
}

/// Closes a connection over the limit: what it already sent is read
/// first, so the close is a FIN and not a reset.
fn refuse(stream: TcpStream) {
    let mut buf = [0u8; 4096];
    for _ in 0..4 {
        match stream.try_read(&mut buf) {
            Ok(n) if n > 0 => {}
            _ => break,
        }
    }
}

/// Serves one connection with hyper until it ends, a timeout passes, or
/// shutdown asks it to finish its request and close.
async fn serve_connection<S>(
    io: S,
    peer: SocketAddr,
    handler: Arc<Handler>,
    timeouts: Timeouts,
    mut stopped: watch::Receiver<bool>,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let activity = Activity::new();
    let io = Watched::new(io, activity.clone());
    let seen = activity.clone();
    let service = hyper::service::service_fn(move |req| handler.clone().handle(req, seen.clone()));
    let conn = hyper::server::conn::http1::Builder::new()
        .max_buf_size(READ_BUFFER_BYTES)
        .serve_connection(TokioIo::new(io), service);
    let mut conn = std::pin::pin!(conn);
    let mut tick = tokio::time::interval(watch_interval(&timeouts));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut stopping = false;
    loop {
        tokio::select! {
            ended = conn.as_mut() => {
                if let Err(e) = ended {
                    tracing::debug!(%peer, error = %e, "connection ended");
                }
                return;
            }
            changed = stopped.changed(), if !stopping => {
                stopping = true;
                if changed.is_ok() {
                    conn.as_mut().graceful_shutdown();
                }
            }
            _ = tick.tick() => {
                if let Some(why) = activity.expired(&timeouts) {
                    tracing::debug!(%peer, "closing connection: {why}");
                    return;
                }
            }
        }
    }
}

/// How often a connection's timeouts are checked: a tenth of the shortest,
/// between 10 ms and 1 s.
fn watch_interval(t: &Timeouts) -> Duration {
    (t.header.min(t.idle) / 10).clamp(Duration::from_millis(10), Duration::from_secs(1))
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
